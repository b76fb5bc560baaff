"""Counting Likert answers: one row per item (and group), no drawing.

:func:`likert_summary` counts every level of the scale (zero counts kept),
keeps non-substantive answers ("Vet ej") visible but out of the percentage
base, and adds bottom/neutral/top-box shares with Wilson intervals, the net
score, median and quartiles, the mean with a t interval, and the response
rate when the population is known. :func:`likert_summary_from_counts` gives
the same table from published counts ("12 of 14 agree").

The counting is vectorised: every item becomes integer codes once, and one
``np.bincount`` over ``group * n_categories + code`` counts all groups at once.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from .._config import get_option
from ..errors import MissingColumnError, ScaleError, SchemaError
from ..privacy import suppress_small
from ..results import Exclusions, ResultMixin
from .scales import Scale, _key, _line_numbers, get_scale

__all__ = ["LikertSummary", "likert_summary", "likert_summary_from_counts"]

_MISSING_WORDS = {"saknas", "ej svar", "inget svar", "missing", "n missing", "bortfall", "internt bortfall"}


def _as_list(x: str | Sequence[str] | None) -> list[str]:
    if x is None:
        return []
    return [x] if isinstance(x, str) else list(x)


def _item_labels(item_labels: Mapping[str, str] | pd.DataFrame | None) -> dict[str, str]:
    if item_labels is None:
        return {}
    if isinstance(item_labels, pd.DataFrame):
        if not {"item", "text"} <= set(item_labels.columns):
            raise MissingColumnError("item_labels som tabell behöver kolumnerna 'item' och 'text'.")
        return dict(zip(item_labels["item"].astype(str), item_labels["text"].astype(str)))
    return {str(k): str(v) for k, v in dict(item_labels).items()}


def _reverse_items(reverse: Sequence[str] | None, item_labels: Any, items: Sequence[str]) -> set[str]:
    """Negatively worded items: given, or the ``reverse`` column of a question table."""
    if reverse is not None:
        return {str(r) for r in _as_list(reverse)}
    if isinstance(item_labels, pd.DataFrame) and {"item", "reverse"} <= set(item_labels.columns):
        flag = item_labels["reverse"].map(lambda v: str(v).strip().lower() in ("true", "1", "ja", "yes"))
        return set(item_labels.loc[flag, "item"].astype(str)) & {str(i) for i in items}
    return set()


def _text_of(item_labels: Any, rev: set[str], flipped: bool) -> Any:
    """Question text for each item (a label from :func:`finsam_eval.sv.label` without one), reversal marked."""
    from ..sv import label

    labels = _item_labels(item_labels)
    mark = " (omvänd skala)" if flipped else " (omvänt formulerad)"

    def text(i: str) -> str:
        t = labels.get(i) or label(i)
        return t + mark if i in rev else t

    return text


def _wilson(count: np.ndarray, nobs: np.ndarray, ci: float) -> tuple[np.ndarray, np.ndarray]:
    count = np.asarray(count, dtype=float)
    nobs = np.asarray(nobs, dtype=float)
    ok = nobs > 0
    lo = np.full(count.shape, np.nan)
    hi = np.full(count.shape, np.nan)
    if ok.any():
        from statsmodels.stats.proportion import proportion_confint  # imported on use: 1 s of import time

        lo[ok], hi[ok] = proportion_confint(count[ok], nobs[ok], alpha=1 - ci, method="wilson")
    return lo, hi


def _quantiles_from_counts(cnt: np.ndarray, values: np.ndarray, q: float) -> np.ndarray:
    """Quantile of the answers implied by level counts, numpy's linear rule (as ``Series.quantile``)."""
    n = cnt.sum(axis=1)
    cum = np.cumsum(cnt, axis=1)
    h = (n - 1) * q
    lo = np.floor(h)
    hi = np.minimum(lo + 1, np.maximum(n - 1, 0))
    i_lo = np.minimum((cum <= lo[:, None]).sum(axis=1), len(values) - 1)
    i_hi = np.minimum((cum <= hi[:, None]).sum(axis=1), len(values) - 1)
    out = values[i_lo] + (h - lo) * (values[i_hi] - values[i_lo])
    return np.where(n > 0, out, np.nan)


def _weighted_quantiles(share: np.ndarray, values: np.ndarray, q: float) -> np.ndarray:
    """Inverted-CDF quantile from weighted level shares (the first level whose cumulative share reaches q)."""
    cum = np.cumsum(share, axis=1)
    idx = np.minimum((cum < q - 1e-12).sum(axis=1), len(values) - 1)
    return np.where(np.isfinite(cum[:, -1]) & (cum[:, -1] > 0), values[idx], np.nan)


def level_column(label: str, prefix: str = "n") -> str:
    """Column name of a level: ``n_Stämmer helt`` (count) or ``pct_Stämmer helt`` (percent)."""
    return f"{prefix}_{label}"


def _build_table(
    keys: pd.DataFrame,
    scale: Scale,
    cnt: np.ndarray,
    ns: np.ndarray,
    miss: np.ndarray,
    *,
    ci: float,
    wcnt: np.ndarray | None = None,
    n_eff: np.ndarray | None = None,
    wsum2: np.ndarray | None = None,
) -> pd.DataFrame:
    """The summary columns from level counts (R x k), non-substantive counts (R x m) and missing counts."""
    values = np.asarray(scale.level_values, dtype=float)
    levels = list(scale.levels)
    cnt = np.asarray(cnt, dtype=np.int64)
    n = cnt.sum(axis=1)
    weighted = wcnt is not None
    w = np.asarray(wcnt, dtype=float) if weighted else cnt.astype(float)
    wn = w.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = w / wn[:, None]
        share[wn == 0] = np.nan
    base = n_eff if weighted else n.astype(float)

    out = keys.reset_index(drop=True).copy()
    out["n_valid"] = n
    out["n_missing"] = np.asarray(miss, dtype=np.int64)
    ns = np.asarray(ns, dtype=np.int64).reshape(len(out), len(scale.non_substantive))
    out["n_non_substantive"] = ns.sum(axis=1)
    for j, lab in enumerate(scale.non_substantive):
        out[level_column(lab)] = ns[:, j]
    for j, lab in enumerate(levels):
        out[level_column(lab)] = cnt[:, j]
    for j, lab in enumerate(levels):
        out[level_column(lab, "pct")] = 100 * share[:, j]
    with np.errstate(invalid="ignore", divide="ignore"):
        out["pct_non_substantive"] = 100 * out["n_non_substantive"] / (n + out["n_non_substantive"]).replace(0, np.nan)

    boxes = [("bottom", scale.bottom), ("neutral", (scale.neutral,) if scale.neutral else ()), ("top", scale.top)]
    box_share = {}
    for name, labs in boxes:
        if not labs:
            continue
        idx = [levels.index(x) for x in labs]
        p = share[:, idx].sum(axis=1)
        box_share[name] = p
        lo, hi = _wilson(p * base, base, ci)
        out[f"pct_{name}"] = 100 * p
        out[f"pct_{name}_lo"] = 100 * lo
        out[f"pct_{name}_hi"] = 100 * hi
    out["net"] = 100 * (box_share["top"] - box_share["bottom"])

    with np.errstate(invalid="ignore", divide="ignore"):
        mean = (share * values).sum(axis=1)
        dev2 = (share * (values[None, :] - mean[:, None]) ** 2).sum(axis=1)
        # Unbiased for unweighted data; with weights the effective n plays the role of n.
        var = dev2 * base / (base - 1)
        sd = np.sqrt(var)
        se = sd / np.sqrt(base)
        tcrit = stats.t.ppf(0.5 + ci / 2, base - 1)
    mean = np.where(n > 0, mean, np.nan)
    sd = np.where(base > 1, sd, np.nan)
    out["mean"] = mean
    out["sd"] = sd
    out["mean_lo"] = np.where(base > 1, mean - tcrit * se, np.nan)
    out["mean_hi"] = np.where(base > 1, mean + tcrit * se, np.nan)
    if weighted:
        q1, med, q3 = (_weighted_quantiles(share, values, q) for q in (0.25, 0.5, 0.75))
    else:
        q1, med, q3 = (_quantiles_from_counts(cnt, values, q) for q in (0.25, 0.5, 0.75))
    out["median"] = med
    out["q1"] = q1
    out["q3"] = q3
    out["iqr"] = q3 - q1
    if weighted:
        out["n_eff"] = n_eff
    return out


@dataclass
class LikertSummary(ResultMixin):
    """Counts and shares per item (and group); returned by :func:`likert_summary`.

    Attributes
    ----------
    data : pandas.DataFrame
        The full table (not suppressed). Use :meth:`table` to publish.
    scale : Scale
    items : list of str
    by : list of str
        Group columns (empty without groups).
    exclusions : Exclusions
        Missing, non-substantive, recoded and unknown answers, per item.
    """

    data: pd.DataFrame
    scale: Scale
    items: list[str]
    by: list[str] = field(default_factory=list)
    ci: float = 0.95
    weighted: bool = False
    exclusions: Exclusions = field(default_factory=Exclusions)
    source: str | None = None
    title: str = "Svarsfördelning"
    from_counts: bool = False
    reverse: list[str] = field(default_factory=list)
    reverse_answers: bool = False

    @property
    def levels(self) -> tuple[str, ...]:
        return self.scale.levels

    @property
    def caption(self) -> str:  # type: ignore[override]
        lvl = " / ".join(self.scale.labels)
        from ..sv import column_label

        grp = f" per {', '.join(column_label(b).lower() for b in self.by)}" if self.by else ""
        d = self.data
        used = [x for x in self.scale.non_substantive
                if level_column(x) in d.columns and d[level_column(x)].sum() > 0] or list(self.scale.non_substantive)
        return (f"Andel per svarsalternativ ({lvl}){grp}. Procent av dem som tagit ställning; "
                f"{', '.join(used) or 'ickesubstantiella svar'} ingår inte i basen.")

    @property
    def notes(self) -> list[str]:  # type: ignore[override]
        d = self.data
        notes = []
        pct = int(round(self.ci * 100))
        notes.append(f"n = antal som tagit ställning; {pct} % konfidensintervall för andelar enligt Wilson, "
                     f"för medelvärden enligt t-fördelningen. Instämmer = {' eller '.join(self.scale.positive)}.")
        if self.weighted:
            notes.append("Viktade andelar; intervallen bygger på Kish effektiva n.")
        ns_total = int(d["n_non_substantive"].sum())
        if ns_total:
            # The same answers, named the same way, as the grey bar of the figure and the table's column.
            used = [x for x in self.scale.non_substantive
                    if level_column(x) in d.columns and d[level_column(x)].sum() > 0] or list(self.scale.non_substantive)
            notes.append(f"{ns_total} svar {' / '.join(f'”{x}”' for x in used)} redovisas separat (andel av alla "
                         "svar) och ingår inte i procentbasen.")
        miss = int(d["n_missing"].sum())
        if miss:
            notes.append(f"{miss} frågor lämnades obesvarade (internt bortfall).")
        if "response_rate" in d and d["response_rate"].notna().any():
            notes.append("Svarsfrekvens = antal svarande / antal i målgruppen.")
        if (d["n_valid"].between(1, get_option("min_count") - 1)).any():
            from ..privacy import suppression_note

            notes.append(suppression_note())
        if self.reverse and self.reverse_answers:
            notes.append("Frågor markerade (omvänd skala) är negativt formulerade; svaren är vända så att "
                         "andelen som instämmer är andelen som tar avstånd från påståendet.")
        elif self.reverse:
            notes.append("Frågor markerade (omvänt formulerad) är negativt formulerade: att instämma är där en "
                         "negativ bedömning.")
        if self.source:
            notes.append(f"Källa: {self.source}")
        return notes

    def table(self, suppress: bool = True, *, cells: bool = False) -> pd.DataFrame:
        """The summary table, ready to publish.

        Parameters
        ----------
        suppress
            Mask rows whose n (answers on the scale) is below ``min_count``.
        cells
            Also mask single level counts below ``min_count`` (and their percentages).
        """
        t = self.data.copy()
        if not suppress:
            return t
        lv_n = [level_column(x) for x in self.levels]
        ns_n = [level_column(x) for x in self.scale.non_substantive]
        stat_cols = [c for c in t.columns if c.startswith("pct_") or c in
                     ("net", "mean", "sd", "mean_lo", "mean_hi", "median", "q1", "q3", "iqr", "n_eff")]
        derived = {level_column(x, "pct"): level_column(x) for x in self.levels} if cells else None
        counts = ["n_valid", *(lv_n + ns_n if cells else [])]
        # Respondents and the target group are counts of persons too (a CLI CSV showed n_respondents=3).
        persons = [c for c in ("n_respondents", "population") if c in t.columns]
        counts += persons
        if "response_rate" in t.columns:
            derived = {**(derived or {}), "response_rate": persons}
        # n_respondents and the response rate describe the same few people as n_valid.
        row_derived = [c for c in [*stat_cols, "n_missing", "n_non_substantive", *lv_n, *ns_n,
                                   *(x for x in ("n_respondents", "response_rate") if x in t.columns)]
                       if c not in counts and c not in (derived or {})]
        return suppress_small(t, counts, base="n_valid", derived=derived, row_derived=row_derived)

    def report_table(self) -> pd.DataFrame:
        """A print-sized table for reports: question, n, % per level, "vet ej", positive share with CI, mean.

        The full table (:meth:`table`) has every count and interval; this one
        fits a page. Suppressed rows stay marked.
        """
        from ..privacy import suppressed_mask
        from ..sv import fmt_ci, fmt_num

        t = self.table()
        mask = suppressed_mask(t)
        label = "text" if "text" in t.columns and t["text"].notna().all() else "item"
        cols = [label, *self.by, "n_valid", *[level_column(x, "pct") for x in self.levels]]
        if self.scale.non_substantive:
            # The same measure as the grey bar in the figure: a share of all answers, outside the base.
            cols.append("pct_non_substantive")
        out = t[cols].copy()
        top_ci = "pct_top_ci"
        hidden = mask["pct_top"].to_numpy()
        out[top_ci] = [
            None if h else f"{fmt_num(v, 0)} {fmt_ci(lo, hi, 0)}"
            for h, v, lo, hi in zip(hidden, t["pct_top"], t["pct_top_lo"], t["pct_top_hi"])
        ]
        extra = ["mean"] + (["response_rate"] if "response_rate" in t.columns else [])
        for c in extra:
            out[c] = t[c]
        m = mask.reindex(columns=out.columns, fill_value=False)
        m[top_ci] = hidden
        out.attrs = {k: v for k, v in t.attrs.items() if k != "suppressed_mask"}
        out.attrs["suppressed_mask"] = m
        return out

    @property
    def column_labels(self) -> dict[str, str]:
        """Print headers: the level names of the scale, "Vet ej" as in the figure, agreement (not "positiva")."""
        from ..sv import column_label

        ns = [x for x in self.scale.non_substantive if level_column(x) in self.data.columns
              and self.data[level_column(x)].sum() > 0] or list(self.scale.non_substantive)
        ns_head = "/".join(ns) if len(ns) <= 2 else "Utanför basen"
        out = {"text": "Fråga", "item": "Fråga", "n_valid": "n", "pct_top_ci": "Instämmer (%) [95 % KI]",
               "n_non_substantive": f"{ns_head} (antal)", "pct_non_substantive": f"{ns_head} (% av alla svar)",
               "mean": "Medel", "response_rate": "Svarsfrekvens (%)"}
        out.update({b: column_label(b) for b in self.by})
        return out

    def summary(self) -> str:
        """Text for people: title, caption, the print-sized table (:meth:`report_table`) and notes."""
        from ..privacy.guard import mask_text
        from ..sv import reader_table

        body = reader_table(self.report_table(), {"mean": 2, "pct_non_substantive": 0, "response_rate": 0,
                                                  **{level_column(x, "pct"): 0 for x in self.levels}},
                            labels=self.column_labels, index=False)
        parts = [self.title, self.caption, body, "\n".join(f"Not: {n}" for n in self.notes)]
        return mask_text("\n\n".join(p for p in parts if p))

    def long(self, suppress: bool = True) -> pd.DataFrame:
        """Tidy long form: one row per item, group and level (non-substantive answers last)."""
        t = self.table(suppress=suppress)
        t.attrs = {}  # concat compares attrs, and a mask DataFrame there cannot be compared
        keys = ["item", *self.by]
        rows = []
        for lab in self.scale.categories:
            part = t[keys].copy()
            part["level"] = lab
            part["n"] = t[level_column(lab)]
            part["pct"] = t[level_column(lab, "pct")] if lab in self.levels else np.nan
            part["substantive"] = lab in self.levels
            rows.append(part)
        out = pd.concat(rows, ignore_index=True)
        out["level"] = pd.Categorical(out["level"], categories=list(self.scale.categories), ordered=True)
        return out.sort_values([*keys, "level"], kind="stable").reset_index(drop=True)

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """Diverging stacked bars, see :func:`finsam_eval.likert.plot_likert`."""
        from .plot import plot_likert

        return plot_likert(self, **kwargs)


def likert_summary(
    df: pd.DataFrame,
    items: Sequence[str] | str,
    scale: Scale | str,
    *,
    by: str | Sequence[str] | None = None,
    weights: str | np.ndarray | pd.Series | None = None,
    population: pd.DataFrame | int | None = None,
    item_labels: Mapping[str, str] | pd.DataFrame | None = None,
    ci: float = 0.95,
    errors: str = "raise",
    source: str | None = None,
    reverse: Sequence[str] | None = None,
    reverse_answers: bool = False,
) -> LikertSummary:
    """Summarise Likert items: counts and percentages per level, boxes, net score, median, mean.

    Parameters
    ----------
    df
        One row per respondent, one column per item.
    items
        Item columns.
    scale
        A :class:`Scale`, the name of a preset in :data:`~finsam_eval.likert.SCALES`,
        or ``"auto"`` (:func:`~finsam_eval.likert.infer_scale`). An alias of the
        scale that would put two different raw labels of the items on one
        level raises :class:`~finsam_eval.errors.ScaleError`; every recoding
        is recorded per raw label in ``exclusions`` with its file lines.
    by
        Group column(s), e.g. ``"forbund"`` or ``["forbund", "ar"]``.
    weights
        Column name or array of respondent weights. Shares and means are
        weighted; intervals use Kish's effective n, ``(sum w)^2 / sum w^2``.
        Counts stay unweighted (they are people).
    population
        Size of the target group, for the response rate: an int (no groups) or
        a table with (some of) the ``by`` columns and a ``population`` column.
    item_labels
        Question texts: ``{item: text}`` or a table with ``item`` and ``text``.
    ci
        Confidence level of all intervals.
    errors
        ``"raise"``: unknown answers raise UnknownLabelError; ``"coerce"``: they
        become missing and are recorded.
    source
        Source line for notes and figures.
    reverse
        Negatively worded items (agreeing is a negative judgement). Default:
        the items marked in the ``reverse`` column of an ``item_labels``
        table. Their question text is marked "(omvänt formulerad)", so a
        reader never takes agreement for a positive answer.
    reverse_answers
        Mirror the answers to the ``reverse`` items (agreeing counts as the
        bottom of the scale), so that the top box is the positive judgement
        for every item; the text is then marked "(omvänd skala)".

    Returns
    -------
    LikertSummary
        ``.table()`` has one row per item (and group) with ``n_valid``,
        ``n_missing``, ``n_non_substantive``, ``n_<level>`` and ``pct_<level>``
        for every level in scale order, ``pct_bottom`` / ``pct_neutral`` /
        ``pct_top`` with ``_lo`` / ``_hi`` Wilson bounds, ``net`` (top minus
        bottom, percentage points), ``mean``, ``sd``, ``mean_lo``, ``mean_hi``,
        ``median``, ``q1``, ``q3``, ``iqr`` and, when given, ``population`` and
        ``response_rate``.

    Examples
    --------
    >>> df = pd.DataFrame({"s01": ["Stämmer helt", "Stämmer delvis", "Vet ej", "Stämmer helt", None]})
    >>> res = likert_summary(df, ["s01"], "stammer5")
    >>> t = res.table(suppress=False)
    >>> int(t.loc[0, "n_valid"]), int(t.loc[0, "n_non_substantive"]), int(t.loc[0, "n_Stämmer inte alls"])
    (3, 1, 0)
    >>> round(float(t.loc[0, "pct_top"]), 1)
    100.0
    """
    items = _as_list(items)
    by = _as_list(by)
    rev = _reverse_items(reverse, item_labels, items)
    if isinstance(scale, str) and scale == "auto":
        from .infer import infer_scale

        sc = infer_scale(df, items)
    else:
        sc = get_scale(scale)
    missing_cols = [c for c in [*items, *by] if c not in df.columns]
    if isinstance(weights, str) and weights not in df.columns:
        missing_cols.append(weights)
    if missing_cols:
        raise MissingColumnError(
            f"Kolumnerna {missing_cols} finns inte i enkätdata. Tillgängliga kolumner: {list(df.columns)}."
        )
    if not items:
        raise SchemaError("Ange minst en fråga (items).")
    exclusions = Exclusions()
    nrow = len(df)

    if by:
        gcode = df.groupby(by, sort=True, dropna=True, observed=True).ngroup().to_numpy()
        keys = df[by][gcode >= 0].drop_duplicates().sort_values(by).reset_index(drop=True)
        bad = np.flatnonzero(gcode < 0)
        exclusions.add(f"saknar värde i gruppkolumnen {by}", len(bad), rows=_line_numbers(df, bad[:10]))
    else:
        gcode = np.zeros(nrow, dtype=np.int64)
        keys = pd.DataFrame(index=[0])
    G = len(keys)
    ok = gcode >= 0

    w = None
    if weights is not None:
        w = np.asarray(df[weights] if isinstance(weights, str) else weights, dtype=float)
        if w.shape != (nrow,):
            raise SchemaError(f"weights har {w.shape[0]} värden men data har {nrow} rader.")
        badw = ~np.isfinite(w) | (w < 0)
        if badw.any():
            rows = np.flatnonzero(badw)
            exclusions.add("saknad eller negativ vikt", len(rows), rows=_line_numbers(df, rows[:10]),
                           column=weights if isinstance(weights, str) else None)
            ok = ok & ~badw
    g_ok = gcode[ok]

    # All items together: an alias may not put two different raw labels of the item set on one level.
    where = f" i frågorna {', '.join(repr(i) for i in items[:6])}" + (" m.fl." if len(items) > 6 else "")
    matches = None
    if not all(isinstance(df[i].dtype, pd.CategoricalDtype) and tuple(df[i].cat.categories) == sc.categories
               for i in items):
        try:
            matches = sc.resolve(pd.concat([df[i].astype(object) for i in items], ignore_index=True), where=where)
        except ScaleError as e:
            from ..io.tables import source_label

            label = source_label(df)
            raise ScaleError(f"{label}: {e}" if label != "Tabellen" else str(e)) from None

    k = len(sc.levels)
    K = len(sc.categories) + 1  # +1: slot for missing (code -1 shifted to 0)
    blocks = []
    for item in items:
        codes = sc.codes(df[item], errors=errors, exclusions=exclusions, column=item, matches=matches)
        if reverse_answers and item in rev:
            codes = np.where((codes >= 0) & (codes < k), k - 1 - codes, codes)
        c = codes[ok] + 1
        flat = g_ok * K + c
        counts = np.bincount(flat, minlength=G * K).reshape(G, K)
        res: dict[str, Any] = {
            "cnt": counts[:, 1: k + 1], "ns": counts[:, k + 1:], "miss": counts[:, 0],
        }
        if w is not None:
            ww = w[ok]
            res["wcnt"] = np.bincount(flat, weights=ww, minlength=G * K).reshape(G, K)[:, 1: k + 1]
            valid = (c >= 1) & (c <= k)
            s1 = np.bincount(g_ok[valid], weights=ww[valid], minlength=G)
            s2 = np.bincount(g_ok[valid], weights=ww[valid] ** 2, minlength=G)
            with np.errstate(invalid="ignore", divide="ignore"):
                res["n_eff"] = np.where(s2 > 0, s1**2 / s2, 0.0)
        miss_rows = np.flatnonzero(codes < 0)
        exclusions.add("saknat svar", len(miss_rows), rows=_line_numbers(df, miss_rows[:10]), column=item)
        ns_rows = np.flatnonzero(codes >= k)
        exclusions.add("ickesubstantiellt svar (t.ex. 'Vet ej'), utanför procentbasen", len(ns_rows),
                       rows=_line_numbers(df, ns_rows[:10]), column=item)
        blocks.append(res)

    # Items outer, groups inner.
    key_rows = pd.concat([keys.assign(item=it) for it in items], ignore_index=True)
    key_rows = key_rows[["item", *by]]
    stack = {name: np.concatenate([b[name] for b in blocks]) for name in blocks[0]}
    table = _build_table(key_rows, sc, stack["cnt"], stack["ns"], stack["miss"], ci=ci,
                         wcnt=stack.get("wcnt"), n_eff=stack.get("n_eff"))
    table.insert(1 + len(by), "text", table["item"].map(_text_of(item_labels, rev, reverse_answers)))

    n_resp = np.bincount(g_ok, minlength=G)
    table.insert(2 + len(by), "n_respondents", np.tile(n_resp, len(items)))
    if population is not None:
        table = _add_population(table, population, by)
    return LikertSummary(table, sc, items, by, ci=ci, weighted=w is not None, exclusions=exclusions, source=source,
                         reverse=[i for i in items if i in rev], reverse_answers=reverse_answers)


def _add_population(table: pd.DataFrame, population: pd.DataFrame | int, by: list[str]) -> pd.DataFrame:
    if isinstance(population, (int, np.integer, float)):
        table["population"] = float(population)
    else:
        if "population" not in population.columns:
            raise MissingColumnError("Populationstabellen behöver kolumnen 'population' (antal i målgruppen).")
        on = [c for c in by if c in population.columns]
        if by and not on:
            raise SchemaError(f"Populationstabellen har ingen av gruppkolumnerna {by}.")
        pop = population.groupby(on, observed=True)["population"].sum().reset_index() if on else None
        if pop is None:
            table["population"] = float(population["population"].sum())
        else:
            # The population table may label groups differently in dtype (ar as str vs int).
            left = table[on].astype(str)
            pop_key = pop[on].astype(str)
            m = left.merge(pop_key.assign(population=pop["population"].to_numpy()), on=on, how="left")
            table["population"] = m["population"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        table["response_rate"] = 100 * table["n_respondents"] / table["population"]
    if (table["response_rate"] > 100).any():
        from .._warn import warn

        warn("Svarsfrekvensen överstiger 100 % i någon grupp: stämmer populationstabellen med grupperna "
             "(t.ex. samma år)? Ange by= med alla kolumner som populationen delas upp på.", stacklevel=3)
    return table


def likert_summary_from_counts(
    counts: pd.DataFrame,
    scale: Scale | str,
    *,
    item: str = "item",
    by: str | Sequence[str] | None = None,
    population: pd.DataFrame | int | None = None,
    item_labels: Mapping[str, str] | pd.DataFrame | None = None,
    ci: float = 0.95,
    source: str | None = None,
) -> LikertSummary:
    """The same summary from published counts per level.

    Many reports give only counts ("12 av 14 instämmer"). Give them either wide,
    one column per answer (labels in any of the spellings :meth:`Scale.normalise`
    accepts, plus optionally non-substantive answers and ``saknas``), or long,
    with columns ``level`` (or ``svar``) and ``n`` (or ``antal``). Other columns
    are keys: ``item`` and the group columns. Levels not given count as zero.

    Medians and quartiles follow from the counts exactly; means assume the
    scale's values.

    Examples
    --------
    >>> c = pd.DataFrame({"item": ["strukturer"], "Ja, absolut": [5], "Ja, ganska": [7],
    ...                   "Inte särskilt": [2], "Inte alls": [0]})
    >>> t = likert_summary_from_counts(c, "ja_absolut4").table()
    >>> int(t.loc[0, "n_valid"]), round(float(t.loc[0, "pct_top"]), 1)
    (14, 85.7)
    """
    sc = get_scale(scale)
    c = counts.copy()
    cols_l = {str(col).casefold(): col for col in c.columns}
    lvl_col = cols_l.get("level") or cols_l.get("svar") or cols_l.get("svarsalternativ")
    n_col = cols_l.get("n") or cols_l.get("antal")
    if lvl_col is not None and n_col is not None:
        if item not in c.columns:
            c[item] = "fråga"
        lev = c[lvl_col].astype(str)
        is_miss = lev.map(_key).isin(_MISSING_WORDS).to_numpy()
        canon = np.array(["__missing__"] * len(c), dtype=object)
        if (~is_miss).any():
            canon[~is_miss] = sc.normalise(lev[~is_miss], column=str(lvl_col)).astype(str).to_numpy()
        keys = [col for col in c.columns if col not in (lvl_col, n_col)]
        c = (c.assign(_level=canon).pivot_table(index=keys, columns="_level", values=n_col, aggfunc="sum",
                                                 fill_value=0, sort=False).reset_index())
        c.columns.name = None
    # Map count columns to canonical labels.
    mapping: dict[Any, str] = {}
    for col in c.columns:
        if col == "__missing__" or _key(col) in _MISSING_WORDS:
            mapping[col] = "__missing__"
            continue
        canon = sc._canonical(col) if not isinstance(col, (int, float)) or sc.is_numeric else None
        if isinstance(canon, str):
            mapping[col] = canon
    # Count columns are labels too: an alias may not add two different answers into one level.
    sc.resolve([col for col, lab in mapping.items() if lab != "__missing__"], where=" i räknetabellens kolumner")
    key_cols = [col for col in c.columns if col not in mapping]
    by = _as_list(by)
    if item not in c.columns:
        c[item] = "fråga"
        key_cols = [item, *key_cols]
    unknown = [col for col in key_cols if col not in (item, *by)]
    if unknown:
        from ..errors import UnknownLabelError

        raise UnknownLabelError(
            f"Kolumnerna {unknown} är varken svarsalternativ i skalan {sc.name!r} ({list(sc.categories)}) "
            f"eller nycklar (item={item!r}, by={by}). Byt namn på dem eller ange dem i by=."
        )
    num = c[list(mapping)].apply(pd.to_numeric, errors="coerce")
    if num.isna().any().any() or (num < 0).any().any():
        raise SchemaError("Antalen måste vara heltal >= 0; tomma eller negativa värden finns i räknetabellen.")
    R = len(c)

    def col_sum(label: str) -> np.ndarray:
        cols = [k for k, v in mapping.items() if v == label]
        return num[cols].sum(axis=1).to_numpy(dtype=np.int64) if cols else np.zeros(R, dtype=np.int64)

    cnt = np.column_stack([col_sum(x) for x in sc.levels])
    ns = np.column_stack([col_sum(x) for x in sc.non_substantive]) if sc.non_substantive else np.zeros((R, 0))
    miss = col_sum("__missing__")
    keys_df = c[[item, *by]].rename(columns={item: "item"})
    keys_df["item"] = keys_df["item"].astype(str)
    table = _build_table(keys_df, sc, cnt, ns, miss, ci=ci)
    labels = _item_labels(item_labels)
    table.insert(1 + len(by), "text", table["item"].map(lambda i: labels.get(i, i)))
    table.insert(2 + len(by), "n_respondents", table["n_valid"] + table["n_non_substantive"] + table["n_missing"])
    if population is not None:
        table = _add_population(table, population, by)
    items = list(dict.fromkeys(table["item"]))
    return LikertSummary(table, sc, items, by, ci=ci, source=source, from_counts=True,
                         title="Svarsfördelning (publicerade antal)")


def _safe_name(label: str) -> str:  # pragma: no cover - helper for CLI file names
    return re.sub(r"[^0-9A-Za-z_]+", "_", label)
