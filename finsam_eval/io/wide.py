"""Wide register files: one row per person, one column per period and variable.

Register extracts and evaluators' own spreadsheets often come wide
(``Arbete/studier 2021K1``, ``Arbete/studier 2021K2`` ... or
``inkomst_2019``, ``inkomst_2020``). The effect estimators need one row per
person and period, so :func:`read_register` turns such a file long, keeps
each value's file line, and records the reshaping on the result.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from ..errors import SchemaError
from .tables import file_rows

__all__ = ["wide_periods", "wide_to_long"]

# A period at the end of a column name: 2021K3, 2021 Q3, 2021kv3, 2021-07, 202107, 2021.
_PERIOD_TAIL = re.compile(
    r"^(?P<stem>.*?)[\s_./:-]*(?P<per>(?:19|20)\d{2}(?:\s*[-_ ]?\s*(?:K|Q|kv|kvartal)\s*[1-4]|[-_]?(?:0[1-9]|1[0-2]))?)$",
    re.IGNORECASE,
)
#: A variable counts as wide only with at least this many period columns.
MIN_PERIODS = 3


def wide_periods(columns: Any) -> dict[str, dict[str, str]]:
    """Variables stored one column per period: ``{stem: {period: column}}``.

    Examples
    --------
    >>> wide_periods(["LopNr", "Arbete 2021K1", "Arbete 2021K2", "Arbete 2021K3", "Kön"])
    {'Arbete': {'2021K1': 'Arbete 2021K1', '2021K2': 'Arbete 2021K2', '2021K3': 'Arbete 2021K3'}}
    """
    groups: dict[str, dict[str, str]] = {}
    for c in columns:
        m = _PERIOD_TAIL.match(str(c).strip())
        if m is None or not m.group("stem").strip(" _-./:"):
            continue
        stem = m.group("stem").strip(" _-./:")
        groups.setdefault(stem, {})[re.sub(r"\s+", "", m.group("per")).upper().replace("KVARTAL", "K")
                                    .replace("KV", "K")] = str(c)
    return {s: p for s, p in groups.items() if len(p) >= MIN_PERIODS}


def _frequency(period: str) -> str:
    return "kvartal" if "K" in period or "Q" in period else ("år" if len(period) == 4 else "månad")


def check_one_frequency(groups: dict[str, dict[str, str]], label: str) -> None:
    """Wide variables of different frequencies (years next to quarters) cannot share one period column."""
    freq: dict[str, list[str]] = {}
    for stem, by_period in groups.items():
        for f in sorted({_frequency(p) for p in by_period}):
            freq.setdefault(f, []).append(stem)
    if len(freq) > 1:
        parts = "; ".join(f"per {f}: {', '.join(repr(s) for s in stems)}" for f, stems in freq.items())
        raise SchemaError(
            f"{label} är i brett format (en kolumn per period) men blandar periodlängder ({parts}). En panel har en "
            "periodlängd: dela upp filen, eller gör om den till en rad per person och period och ange "
            "periodkolumnen med kolumner={'period': ...} (i kommandoraden --period)."
        )


def wide_to_long(df: pd.DataFrame, groups: dict[str, dict[str, str]], period_col: str = "period") -> pd.DataFrame:
    """One row per row of ``df`` and period; the other columns repeat; file lines kept in ``attrs``.

    Examples
    --------
    >>> w = pd.DataFrame({"id": ["a", "b"], "x 2021": [1, 2], "x 2022": [3, 4], "x 2023": [5, 6]})
    >>> wide_to_long(w, wide_periods(w.columns))[["id", "period", "x"]].values.tolist()
    [['a', '2021', 1], ['a', '2022', 3], ['a', '2023', 5], ['b', '2021', 2], ['b', '2022', 4], ['b', '2023', 6]]
    """
    periods = sorted({p for g in groups.values() for p in g})
    n, k = len(df), len(periods)
    wide_cols = {c for g in groups.values() for c in g.values()}
    keep = [c for c in df.columns if c not in wide_cols]
    out = df[keep].loc[df.index.repeat(k)].reset_index(drop=True)
    out[period_col] = np.tile(np.array(periods, dtype=object), n)
    for stem, by_period in groups.items():
        block = pd.DataFrame({p: df[by_period[p]] if p in by_period else pd.Series(np.nan, index=df.index)
                              for p in periods})
        out[stem] = block.to_numpy().reshape(-1)
        if all(pd.api.types.is_numeric_dtype(df[c]) for c in by_period.values()):
            out[stem] = pd.to_numeric(out[stem])
    out.attrs = {**df.attrs, "file_lines": tuple(np.repeat(file_rows(df, range(n)), k)), "data_offset": 0,
                 "skipped_lines": ()}
    return out
