"""Lazy package namespaces (PEP 562) for the pillars and the shared floor (issue 13).

A package's ``__init__`` lists its exported names with the submodule that defines each one and calls
:func:`attach`. Nothing is imported with the package; a name loads its submodule (and only the
dependencies that submodule needs) on first access, so ``from finsam_eval.effects import did`` does not
pay for matching, synthetic control, or matplotlib.

Two details keep the lazy package behaving exactly as the eager one did:

- Submodules stay reachable as attributes (``finsam_eval.effects.inference``) even if nobody imported
  them yet, as they were when the ``__init__`` imported everything.
- Where an exported function has the name of its submodule (``effects.did``, ``effects.match``,
  ``effects.event_study``, ``coding.kwic``, ``privacy.pseudonymise``), the eager ``__init__`` bound the
  function last, so ``pkg.did`` was the function. Lazily, the import system would instead bind the
  *module* on the package whenever anything imports the submodule (``event_study`` imports ``.did``),
  and a later ``from finsam_eval.effects import did`` would return a module. The package's class
  therefore keeps the exported object when the import system binds a submodule of the same name.
"""

from __future__ import annotations

import importlib
import sys
import types
from collections.abc import Callable, Mapping
from typing import Any


class _LazyPackage(types.ModuleType):
    """Module type of a lazy package: an exported name wins over a submodule of the same name."""

    def __setattr__(self, name: str, value: Any) -> None:
        table: Mapping[str, str] = self.__dict__.get("_LAZY", {})
        if (isinstance(value, types.ModuleType) and table.get(name) == name
                and value.__name__ == f"{self.__name__}.{name}"):
            # The import system binds a finished submodule on its package (importlib._bootstrap); bind
            # the function it defines instead, as `from .did import did` did in the eager __init__.
            value = getattr(value, name)
        super().__setattr__(name, value)


def attach(package: str, table: Mapping[str, str]) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """Make ``package`` lazy: return its ``__getattr__`` and ``__dir__``.

    Parameters
    ----------
    package : str
        The package's ``__name__``; it must already be in :data:`sys.modules` (call from its
        ``__init__``) and define ``_LAZY`` (the same mapping as ``table``).
    table : Mapping[str, str]
        Exported name -> submodule that defines it: ``"did"`` for ``.did``, or a relative name with
        its dots (``"..io.export"``) for a name re-exported from a sibling package.

    Returns
    -------
    tuple of callable
        ``(__getattr__, __dir__)`` to assign at the package's top level.
    """
    module = sys.modules[package]
    module.__class__ = _LazyPackage  # allowed for modules (reference: "Customizing module attribute access")
    namespace = module.__dict__
    submodules: list[frozenset[str]] = []  # listed on first need: one directory scan, not at import

    def _submodules() -> frozenset[str]:
        if not submodules:
            import pkgutil  # here, not at the top: it imports weakref and friends (~5 ms at each import)

            submodules.append(frozenset(m.name for m in pkgutil.iter_modules(module.__path__)))
        return submodules[0]

    def __getattr__(name: str) -> Any:
        sub = table.get(name)
        if sub is not None:
            target = sub if sub.startswith(".") else f".{sub}"  # "..io.export": a sibling package
            value = getattr(importlib.import_module(target, package), name)
            namespace[name] = value  # cache: the next access does not come here
            return value
        if not name.startswith("__") and name in _submodules():
            return importlib.import_module(f".{name}", package)
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    def __dir__() -> list[str]:
        return sorted(set(namespace) | set(table) | _submodules())

    return __getattr__, __dir__
