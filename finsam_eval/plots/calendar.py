"""Calendar periods on figure axes: "2023 K1" instead of running period numbers.

Register panels carry a running ``period`` (0, 1, ...) for the estimators and
often a calendar label beside it (``kvartal`` "2020K1"). Figures a reader sees
should show the calendar, with the start of the insats marked.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..sv import fmt_quarter

__all__ = ["calendar_labels", "calendar_axis", "mark_start"]

_QUARTER = re.compile(r"^\s*\d{4}\s*[-_ ]?\s*[KkQq]\s*[1-4]\s*$")
_CANDIDATES = ("kvartal", "kalenderkvartal", "quarter", "manad", "månad", "ar_kvartal")


def calendar_labels(data: pd.DataFrame, time: str = "period", label: str | None = None) -> dict[Any, str]:
    """Calendar label of each running period, from a label column beside ``time``.

    Parameters
    ----------
    data
        The panel.
    time
        The running period column the estimator used.
    label
        The calendar column; default the first of ``kvartal``, ``quarter``, ...
        whose values are quarters ("2020K1", "2020 Q1") and map one-to-one to ``time``.

    Returns
    -------
    dict
        ``{0: "2020 K1", 1: "2020 K2", ...}``; empty when no such column exists.

    Examples
    --------
    >>> df = pd.DataFrame({"period": [0, 1, 0], "kvartal": ["2020K1", "2020K2", "2020K1"]})
    >>> calendar_labels(df)
    {0: '2020 K1', 1: '2020 K2'}
    """
    if time not in data.columns:
        return {}
    cols = [label] if label else [c for c in _CANDIDATES if c in data.columns]
    for c in cols:
        if c not in data.columns or c == time:
            continue
        pairs = data[[time, c]].dropna().drop_duplicates()
        if pairs.empty or pairs[time].duplicated().any() or pairs[c].duplicated().any():
            continue
        vals = pairs[c].astype(str)
        if label is None and not vals.str.match(_QUARTER).all():
            continue
        return {k: fmt_quarter(v) for k, v in zip(pairs[time].tolist(), vals, strict=True)}
    return {}


def calendar_axis(ax: Any, labels: Mapping[Any, str], values: Sequence[Any] | None = None, *,
                  axis: str = "x", max_ticks: int = 12) -> bool:
    """Put calendar labels on an axis of running periods (thinned to at most ``max_ticks``, on K1 when possible).

    Returns ``True`` when labels were set.
    """
    if not labels:
        return False
    vals = sorted(labels) if values is None else sorted({v for v in values if v in labels})
    if not vals:
        return False
    if axis == "x":  # a label "2023 K1" at 8 pt takes about 0,55 inch: never more labels than fit
        width_in = ax.get_position().width * ax.figure.get_figwidth()
        max_ticks = max(2, min(max_ticks, int(width_in / 0.62)))
    step = max(1, int(np.ceil(len(vals) / max_ticks)))
    if 1 < step < 4 and all(str(labels[v]).endswith(("K1", "K2", "K3", "K4")) for v in vals):
        step = 2 if step <= 2 else 4
    if step >= 4:  # whole years: the K1 of each year
        ticks = [v for v in vals if str(labels[v]).endswith("K1")] or vals[::step]
        if len(ticks) > max_ticks:
            ticks = ticks[:: int(np.ceil(len(ticks) / max_ticks))]
    else:
        ticks = vals[::step]
    set_ticks = ax.set_xticks if axis == "x" else ax.set_yticks
    set_labels = ax.set_xticklabels if axis == "x" else ax.set_yticklabels
    set_ticks(ticks)
    set_labels([labels[v] for v in ticks], rotation=0)
    (ax.set_xlabel if axis == "x" else ax.set_ylabel)("Kvartal")
    return True


def mark_start(ax: Any, first: float, last: float | None = None, *, text: str = "Start") -> None:
    """Mark the start of the insats: a dashed line, or a shaded span from the first to the last start."""
    if last is None or last == first:
        ax.axvline(first - 0.5, color="#666666", lw=0.8, ls="--")
        ax.annotate(text, (first - 0.5, 1.0), xycoords=("data", "axes fraction"), xytext=(3, -10),
                    textcoords="offset points", fontsize=7.5, color="#444444")
    else:
        ax.axvspan(first - 0.5, last + 0.5, color="#E8E8E8", zorder=0, lw=0)
        ax.annotate(text, (first - 0.5, 1.0), xycoords=("data", "axes fraction"), xytext=(3, -10),
                    textcoords="offset points", fontsize=7.5, color="#444444")
