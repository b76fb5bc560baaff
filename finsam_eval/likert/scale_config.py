"""A scale defined in a configuration file or on the command line, and the items that use it.

The report configuration (``rapport.toml``), a separate scale file
(``--skala-fil skala.toml``) and the ``enkat`` command all go through
:func:`scale_from_config`, so a scale is written the same way everywhere::

    [skala]                       # in skala.toml; in rapport.toml: [enkat.skala] or skala = {...}
    namn = "samverkan"
    etiketter = ["Stämmer inte alls", "Stämmer inte så bra", "Varken ja eller nej",
                 "Stämmer delvis", "Stämmer helt"]     # in questionnaire order
    ordning = "stigande"          # negative end first (default); "fallande" = positive end first
    neutral = "Varken ja eller nej"
    ej_svar = ["Vet ej", "Ej aktuellt"]    # answers, but outside the percentage base
    fragor = ["s01", "s02", "s03"]         # the items that use the scale (default: all items)
    omvanda = ["s03"]                      # reverse-worded items (for indices)

The value can also be a preset name (``"stammer5"``), ``"auto"`` (recognise
it from the answers: :func:`~finsam_eval.likert.infer_scale`), a range
(``"1-6"``) or the labels as one string (``"Nej|Delvis|Ja"``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import ConfigError, ScaleError
from .infer import infer_scale
from .scales import Scale, get_scale

__all__ = ["ScaleSpec", "scale_from_config"]


@dataclass(frozen=True)
class ScaleSpec:
    """A scale and the items it applies to.

    Attributes
    ----------
    scale : Scale
    items : tuple of str
        Items that use the scale; empty: all items of the survey.
    reverse : tuple of str
        Reverse-worded items (their values are turned round in indices).
    """

    scale: Scale
    items: tuple[str, ...] = ()
    reverse: tuple[str, ...] = ()


def _as_list(v: Any, key: str) -> tuple[str, ...]:
    if v is None:
        return ()
    if isinstance(v, str):
        return tuple(x.strip() for x in v.replace("|", ",").split(",") if x.strip())
    if isinstance(v, Sequence):
        return tuple(str(x) for x in v)
    raise ConfigError(f"'{key}' ska vara en lista med kolumnnamn, fick {type(v).__name__}.")


def _load_toml(path: Path) -> dict[str, Any]:
    import tomllib

    if not path.exists():
        raise ConfigError(f"Skalfilen {path.name!r} finns inte (sökväg: {str(path)!r}).")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise ConfigError(f"Skalfilen {path.name!r} är inte giltig TOML ({e}). Se exemplet i "
                          "finsam_eval.likert.scale_config.") from None
    spec = data.get("skala", data.get("scale", data))
    if isinstance(spec, list):
        if len(spec) != 1:
            raise ConfigError(f"Skalfilen {path.name!r} har {len(spec)} [[skala]]-tabeller; en fil per skala, eller "
                              "ange skalan direkt under varje [[enkat]] i rapportens konfiguration.")
        spec = spec[0]
    if not isinstance(spec, Mapping):
        raise ConfigError(f"Skalfilen {path.name!r} ska ha en tabell [skala] med etiketter = [...].")
    return dict(spec)


def scale_from_config(
    value: str | Mapping[str, Any] | Scale | os.PathLike[str] | None,
    *,
    df: pd.DataFrame | None = None,
    items: Sequence[str] | None = None,
    neutral: str | None = None,
    non_substantive: Sequence[str] | str | None = None,
    reverse: Sequence[str] | str | None = None,
    base_dir: str | os.PathLike[str] | None = None,
) -> ScaleSpec:
    """Turn a scale as written in a config file or on the command line into a :class:`ScaleSpec`.

    Parameters
    ----------
    value
        A preset name, ``"auto"``, ``"1-6"``, ``"A|B|C"``, a table (dict) as
        in :meth:`Scale.from_spec` (with optional ``fragor`` and ``omvanda``),
        a path to a ``.toml`` file with a ``[skala]`` table, or a
        :class:`Scale`. None means ``"auto"``.
    df, items
        The survey and its items: needed for ``"auto"`` (and used to check
        that ``fragor``/``omvanda`` name existing columns).
    neutral, non_substantive
        Command-line additions to a scale given as ``"A|B|C"`` (``--neutral``,
        ``--ej-svar``).
    reverse
        Reverse-worded items (``--omvanda``), added to ``omvanda``.
    base_dir
        Folder that relative paths to scale files are read from (the config
        file's folder).

    Returns
    -------
    ScaleSpec

    Raises
    ------
    ConfigError
        A malformed file or table; items that do not exist.
    ScaleError
        An invalid scale, or one that cannot be inferred.

    Examples
    --------
    >>> spec = scale_from_config({"etiketter": ["Nej", "Delvis", "Ja"], "ej_svar": "Vet ej", "fragor": ["f1"]})
    >>> spec.scale.levels, spec.scale.non_substantive, spec.items
    (('Nej', 'Delvis', 'Ja'), ('Vet ej',), ('f1',))
    >>> scale_from_config("Inte alls|Lite|Mycket", neutral="Lite", non_substantive="Vet ej").scale.neutral
    'Lite'
    """
    spec_items: tuple[str, ...] = ()
    spec_reverse: tuple[str, ...] = _as_list(reverse, "omvanda")
    extra_ns = _as_list(non_substantive, "ej_svar") if non_substantive is not None else None
    if value is None:
        value = "auto"
    if isinstance(value, os.PathLike) or (isinstance(value, str) and value.strip().lower().endswith(".toml")):
        path = Path(value)
        if base_dir is not None and not path.is_absolute():
            path = Path(base_dir) / path
        value = _load_toml(path)
    if isinstance(value, Mapping):
        table = dict(value)
        spec_items = _as_list(table.get("fragor", table.get("items")), "fragor")
        spec_reverse = tuple(dict.fromkeys(spec_reverse + _as_list(table.get("omvanda", table.get("reverse")),
                                                                     "omvanda")))
        if neutral is not None:
            table["neutral"] = neutral
        if extra_ns is not None:
            table["ej_svar"] = list(extra_ns)
        if set(table) <= {"fragor", "items", "omvanda", "reverse", "namn", "name"}:
            value = table.get("namn", table.get("name", "auto"))
        else:
            value = Scale.from_spec(table)
    if isinstance(value, str) and value.strip() == "auto":
        if df is None:
            raise ScaleError("Skalan 'auto' känns igen från svaren: ange data (df=) och frågorna.")
        use = list(spec_items or items or df.attrs.get("items") or [])
        sc = infer_scale(df, use or None)
    elif isinstance(value, str) and "|" in value:
        sc = Scale.from_spec({"etiketter": value, "neutral": neutral, "ej_svar": list(extra_ns or ())})
    else:
        sc = get_scale(value)  # type: ignore[arg-type]
        if neutral is not None or extra_ns is not None:
            spec = sc.to_spec()
            if neutral is not None:
                spec["neutral"] = neutral
                spec.pop("topp", None)
                spec.pop("botten", None)
            if extra_ns is not None:
                spec["ej_svar"] = list(extra_ns)
            sc = Scale.from_spec(spec)
    if df is not None:
        missing = [c for c in (*spec_items, *spec_reverse) if c not in df.columns]
        if missing:
            raise ConfigError(f"Skalans frågor {missing} finns inte i enkätdata. Kolumner som finns: "
                              f"{list(df.columns)[:30]}.")
    return ScaleSpec(sc, spec_items, spec_reverse)
