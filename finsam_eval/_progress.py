"""Progress bars for calls that can take more than a few seconds.

One helper, :func:`progress`, wraps an iterable (or counts manual
``update`` calls) in a ``tqdm.auto`` bar, which draws as a widget in a
notebook and as text in a terminal. The bar is off when the option
``progress`` is ``False`` (``finsam_eval.set_option("progress", False)``) or
when nobody is watching: standard error is not a terminal and the code does
not run in a notebook (scripts with redirected output, CI, log files). It
appears only after a second, so quick calls stay silent. tqdm is imported on
first use, not with the package.

Examples
--------
>>> from finsam_eval._progress import progress
>>> sum(progress(range(3), desc="Räknar"))
3
>>> with progress(total=2, desc="Bootstrap") as bar:
...     bar.update(2)
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

from ._config import get_option

__all__ = ["progress", "progress_enabled"]

T = TypeVar("T")

#: Seconds before a bar is drawn (calls that finish sooner show nothing).
DELAY = 1.0


def _in_notebook() -> bool:
    shell = sys.modules.get("IPython")
    if shell is None:
        return False
    try:
        ip = shell.get_ipython()  # type: ignore[attr-defined]
    except Exception:  # pragma: no cover - odd IPython installs
        return False
    return ip is not None and type(ip).__name__ == "ZMQInteractiveShell"


def progress_enabled() -> bool:
    """Whether bars are drawn now: the ``progress`` option is on and a terminal or notebook is watching."""
    if not get_option("progress"):
        return False
    if _in_notebook():
        return True
    try:
        return bool(sys.stderr is not None and sys.stderr.isatty())
    except (AttributeError, ValueError):  # closed or replaced stderr
        return False


class _Silent:
    """Stand-in with tqdm's small interface when no bar is shown."""

    def __init__(self, iterable: Iterable[Any] | None) -> None:
        self._it = iterable

    def __iter__(self) -> Iterator[Any]:
        return iter(self._it if self._it is not None else ())

    def update(self, n: int = 1) -> None:
        """Do nothing (tqdm's ``update``)."""

    def set_postfix_str(self, s: str = "") -> None:
        """Do nothing (tqdm's ``set_postfix_str``)."""

    def close(self) -> None:
        """Do nothing (tqdm's ``close``)."""

    def __enter__(self) -> _Silent:
        return self

    def __exit__(self, *exc: Any) -> None:
        return None


def progress(iterable: Iterable[T] | None = None, *, total: int | None = None, desc: str | None = None,
             unit: str = "st") -> Any:
    """Wrap ``iterable`` in a progress bar (or count manual ``update`` calls with ``total``).

    Parameters
    ----------
    iterable
        What to iterate over; ``None`` for a bar driven by ``bar.update(n)``.
    total
        Number of steps (default ``len(iterable)`` when it has one).
    desc
        Swedish description shown before the bar, e.g. ``"Grupp-tid-celler"``.
    unit
        Name of one step.

    Returns
    -------
    tqdm.auto.tqdm or a silent stand-in
        Iterable and usable as a context manager, with ``update`` and ``close``.
    """
    if not progress_enabled():
        return _Silent(iterable)
    from tqdm.auto import tqdm

    return tqdm(iterable, total=total, desc=desc, unit=unit, delay=DELAY, leave=False, dynamic_ncols=True,
                file=sys.stderr)
