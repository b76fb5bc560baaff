"""Comparing Likert answers between groups, years and a national reference.

One function per method, each returning a :class:`LikertTest` whose
``.table()`` is a tidy DataFrame (one row per test or term) and whose
``.plot()`` shows the compared groups. Answers are used on the scale's
values; "Vet ej" and blank answers are left out and recorded.

=======================  ==================================================
Function                 Method
=======================  ==================================================
:func:`mann_whitney`     two groups: Mann-Whitney U, rank-biserial r
:func:`kruskal_wallis`   several groups: Kruskal-Wallis H, Holm-adjusted
                         pairwise Mann-Whitney
:func:`chi2_levels`      group x level table: chi-square, Cramér's V
:func:`ordinal_regression`  proportional-odds logit (statsmodels
                         OrderedModel) with covariates, odds ratios
:func:`wilcoxon_paired`  before/after on the same respondents
:func:`topbox_change`    top-box share between two years, Newcombe CI
:func:`compare_reference`  one förbund against national shares
=======================  ==================================================
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint

from .._warn import warn
from ..errors import EstimationError, MissingColumnError, SchemaError
from ..results import Exclusions, ResultMixin
from ..sv import fmt_ci, fmt_num, fmt_p_eq
from .scales import Scale, _line_numbers, get_scale

__all__ = [
    "LikertTest",
    "mann_whitney",
    "kruskal_wallis",
    "chi2_levels",
    "ordinal_regression",
    "wilcoxon_paired",
    "topbox_change",
    "compare_reference",
    "TERM_LABELS",
]

# Swedish names of common covariates, for odds-ratio tables.
TERM_LABELS: dict[str, str] = {
    "forbund": "Förbund", "ar": "År", "respondentgrupp": "Respondentgrupp", "roll": "Roll", "kon": "Kön",
    "alder": "Ålder", "utbildning": "Utbildning", "kommun": "Kommun", "forsorjning_fore": "Försörjning före",
    "manader_stod": "Månader i stöd",
}


_DECIMALS = {"p": 3, "p_holm": 3, "rbc": 2, "coef": 3, "se": 3, "odds_ratio": 2, "ci_low": 2, "ci_high": 2,
             "epsilon2": 3, "cramers_v": 2, "chi2": 2, "H": 2, "mean_a": 2, "mean_b": 2, "mean_before": 2,
             "mean_after": 2, "mean_change": 2, "share_expected_below_5": 2}


_ALTERNATIVE_SV = {"two-sided": "tvåsidig", "greater": "högre", "less": "lägre"}


def _lab(name: str) -> str:
    """An item's or group column's name for a title (question text, Swedish label)."""
    from ..sv import label

    return label(name)


def _lab_lower(name: str) -> str:
    from ..sv import label_lower

    return label_lower(name)


@dataclass
class LikertTest(ResultMixin):
    """Result of a comparison: a tidy table plus what is needed to show it.

    Attributes
    ----------
    method : str
        Name of the test.
    data : pandas.DataFrame
        One row per test (or per pair / term).
    pairwise : pandas.DataFrame or None
        Pairwise follow-up tests (Kruskal-Wallis).
    """

    method: str
    data: pd.DataFrame
    title: str = ""
    caption: str = ""
    notes: list[str] = field(default_factory=list)
    pairwise: pd.DataFrame | None = None
    exclusions: Exclusions = field(default_factory=Exclusions)
    plot_data: dict[str, Any] = field(default_factory=dict, repr=False)

    column_labels = {
        "item": "Fråga", "before": "Före", "after": "Efter", "group_a": "Grupp A", "group_b": "Grupp B",
        "n_a": "n A", "n_b": "n B", "median_a": "Median A", "median_b": "Median B", "mean_a": "Medel A",
        "mean_b": "Medel B", "rbc": "Rangbiserial r", "alternative": "Mothypotes", "groups": "Grupper",
        "p_holm": "p-värde (Holm)", "chi2": "Chi²", "cramers_v": "Cramérs V",
        "share_expected_below_5": "Förväntade antal under 5 (andel)", "n_zero": "Oförändrade par",
        "mean_before": "Medel före", "mean_after": "Medel efter", "mean_change": "Medelförändring",
        "median_before": "Median före", "median_after": "Median efter", "label": "Term", "term": "Term",
        "coef": "Koefficient", "odds_ratio": "Oddskvot", "ci_low": "KI nedre", "ci_high": "KI övre",
    }

    def table(self) -> pd.DataFrame:
        return self.data.copy()

    def summary(self) -> str:
        from ..sv import label, reader_table

        data = self.data.copy()
        for c in ("item", "before", "after"):
            if c in data.columns:
                data[c] = data[c].map(lambda v: label(v) if isinstance(v, str) else v)
        if "alternative" in data.columns:
            data["alternative"] = data["alternative"].map(_ALTERNATIVE_SV).fillna(data["alternative"])
        parts = [self.title or self.method, self.caption, reader_table(data, _DECIMALS, labels=self.column_labels,
                                                                        index=False)]
        if self.pairwise is not None:
            parts.append("Parvisa jämförelser (Holm-justerade p-värden)\n"
                         + reader_table(self.pairwise, _DECIMALS, labels=self.column_labels, index=False))
        if self.notes:
            parts.append("\n".join(f"Not: {n}" for n in self.notes))
        return "\n\n".join(p for p in parts if p)

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """Diverging bars of the compared groups, or odds ratios for a regression."""
        if "odds" in self.plot_data:
            return _forest(self.data, ax=ax, title=self.title)
        df, item, scale, by = (self.plot_data.get(k) for k in ("df", "item", "scale", "by"))
        if df is None:
            raise NotImplementedError("Inget att rita för det här testet.")
        if isinstance(scale, _PlainNumbers):
            return _box_plot(df, item, by, ax=ax, title=kwargs.get("title", self.title))
        from .plot import plot_likert
        from .summary import likert_summary

        s = likert_summary(df, item, scale, by=by, item_labels=self.plot_data.get("item_labels"))
        kwargs.setdefault("title", self.title)
        return plot_likert(s, **kwargs)


def _box_plot(df: pd.DataFrame, item: str, by: str | None, ax: Any = None, title: str = "") -> Any:
    """Box plots per group for plain numeric answers (no scale steps to draw diverging bars with)."""
    import matplotlib as mpl

    from ..plots import RC, decimal_comma, figure

    v = pd.to_numeric(df[item], errors="coerce")
    groups = [("Alla", v)] if by is None else [(str(g), v[df[by] == g]) for g in
                                                (df[by].cat.categories if isinstance(df[by].dtype, pd.CategoricalDtype)
                                                 else sorted(df[by].dropna().unique(), key=str))]
    groups = [(g, x.dropna().to_numpy()) for g, x in groups]
    if ax is None:
        _, ax = figure((6.3, 0.5 * len(groups) + 1.2))
    with mpl.rc_context(RC):
        ax.boxplot([x for _, x in groups], orientation="horizontal", widths=0.5, medianprops={"color": "#0072B2"},
                   flierprops={"markersize": 3})
        ax.set_yticks(range(1, len(groups) + 1))
        ax.set_yticklabels([f"{g} (n = {len(x)})" for g, x in groups])
        ax.set_xlabel(_lab(item))
        decimal_comma(ax, "x")
        if title:
            ax.set_title(title, loc="left", fontsize=RC["axes.titlesize"], fontweight="bold")
    return ax


def _forest(t: pd.DataFrame, ax: Any = None, title: str = "") -> Any:
    import matplotlib as mpl
    from matplotlib.ticker import FixedLocator, FuncFormatter, NullFormatter

    from ..plots import RC, figure

    if ax is None:
        _, ax = figure((6.3, 0.32 * len(t) + 1.0))
    with mpl.rc_context(RC):
        y = np.arange(len(t))
        ax.errorbar(t["odds_ratio"], y, xerr=[t["odds_ratio"] - t["ci_low"], t["ci_high"] - t["odds_ratio"]],
                    fmt="o", color="#0072B2", capsize=2, markersize=4)
        ax.axvline(1, color="#444444", linewidth=0.8)
        ax.set_xscale("log")
        ax.set_yticks(y)
        ax.set_yticklabels(t["label"])
        ax.set_ylim(len(t) - 0.5, -0.5)
        ax.tick_params(axis="y", length=0)
        lo, hi = float(np.nanmin(t["ci_low"])), float(np.nanmax(t["ci_high"]))
        cands = [0.1, 0.2, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 4.0, 5.0, 10.0]
        ax.xaxis.set_major_locator(FixedLocator([c for c in cands if lo / 1.2 <= c <= hi * 1.2]))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: fmt_num(v, 2 if v < 1 and v != 0.5 else 1)))
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.set_xlabel("Oddskvot med konfidensintervall (logaritmisk skala)")
        ax.spines["left"].set_visible(False)
        if title:
            ax.set_title(title, loc="left", fontsize=RC["axes.titlesize"], fontweight="bold")
    return ax


_p = fmt_p_eq  # caption phrase: "p = 0,034" or "p < 0,001"


class _PlainNumbers:
    """Stands in for a :class:`Scale` when ``scale=None`` and the answers are numbers but not whole steps."""

    name = "numeriska värden"

    def to_numeric(self, series: pd.Series, **kwargs: Any) -> pd.Series:
        return pd.to_numeric(series, errors="coerce").astype(float)


def _resolve_scale(scale: Scale | str | None, df: pd.DataFrame, cols: Sequence[str], fn: str) -> tuple[Any, list[str]]:
    """The scale to read answers with, and a note when it was taken from plain numeric data (``scale=None``).

    Whole numbers spanning at most eleven steps become ``numeric(lo, hi)`` (so figures work as
    for any Likert item); other numbers are used as they are. Text is an error naming the lines.
    """
    if scale is not None:
        if isinstance(scale, str) and scale == "auto":
            from .infer import infer_scale

            _check_cols(df, cols)
            return infer_scale(df, [c for c in cols if c in df.columns]), []
        sc = get_scale(scale)
        here = [c for c in cols if c in df.columns]
        if here:  # an alias may not merge two different answers of the columns compared
            sc.resolve(pd.concat([df[c].astype(object) for c in here], ignore_index=True))
        return sc, []
    _check_cols(df, cols)
    from ..errors import describe_rows

    values = []
    for c in cols:
        raw = df[c]
        v = pd.to_numeric(raw, errors="coerce")
        bad = (v.isna() & raw.notna()).to_numpy()
        if bad.any():
            raise SchemaError(
                f"{fn}: scale=None kräver numeriska svar, men kolumnen {c!r} har text på "
                f"{describe_rows(np.flatnonzero(bad) + 2)} (rad 1 = rubrikraden). Ange skalan, t.ex. "
                "scale='stammer5', eller koda om svaren till tal."
            )
        values.append(v.dropna().to_numpy(dtype=float))
    allv = np.concatenate(values) if values else np.array([])
    if allv.size == 0:
        raise EstimationError(f"{fn}: kolumnerna {list(cols)} saknar svar.")
    lo, hi = float(allv.min()), float(allv.max())
    if np.allclose(allv, np.round(allv)) and hi - lo <= 10:
        from .scales import numeric

        lo_i, hi_i = int(lo), int(max(hi, lo + 1))
        return numeric(lo_i, hi_i), [f"Svaren är tal {lo_i}–{hi_i} (ingen skala angiven; steg från data)."]
    return _PlainNumbers(), ["Svaren används som tal (ingen skala angiven)."]


def _scale_with_top(scale: Scale | str | None, fn: str) -> Scale:
    """Top-box comparisons need the scale's steps and top box; plain numbers do not say which they are."""
    if scale is None:
        from ..errors import ScaleError

        raise ScaleError(f"{fn} jämför toppboxen och behöver skalan: ange t.ex. scale='1-5' (toppbox 4-5) eller "
                         "scale='stammer5'. Utan skala, använd mann_whitney eller kruskal_wallis.")
    return get_scale(scale)


def _check_cols(df: pd.DataFrame, cols: Sequence[str]) -> None:
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise MissingColumnError(f"Kolumnerna {missing} finns inte i data ({list(df.columns)}).")


def _values(df: pd.DataFrame, item: str, scale: Scale, ex: Exclusions, extra: Sequence[str] = ()) -> pd.DataFrame:
    """Numeric answers of ``item`` with the ``extra`` columns; unusable rows dropped and recorded."""
    v = scale.to_numeric(df[item], exclusions=ex, column=item)
    out = df[list(extra)].copy()
    out["_y"] = v
    bad = out.isna().any(axis=1).to_numpy()
    rows = np.flatnonzero(bad)
    ex.add("saknat svar, 'Vet ej' eller saknad gruppuppgift", len(rows), rows=_line_numbers(df, rows[:10]),
           column=item)
    return out[~bad]


def _exclusion_note(ex: Exclusions) -> list[str]:
    return [f"{ex.total} svar ingår inte (saknade svar och 'Vet ej')."] if ex.total else []


def mann_whitney(
    df: pd.DataFrame,
    item: str,
    group: str,
    scale: Scale | str | None = None,
    *,
    groups: Sequence[Any] | None = None,
    alternative: str = "two-sided",
) -> LikertTest:
    """Two groups: Mann-Whitney U test with the rank-biserial correlation.

    ``rbc = 2 U / (n_a n_b) - 1`` is positive when group a answers higher
    (the convention of ``pingouin.mwu`` with x = group a).

    Examples
    --------
    >>> df = pd.DataFrame({"g": ["a"] * 6 + ["b"] * 6,
    ...                    "s": ["Stämmer helt"] * 4 + ["Stämmer delvis"] * 2 + ["Stämmer inte alls"] * 3 + ["Stämmer delvis"] * 3})
    >>> res = mann_whitney(df, "s", "g", "stammer5")
    >>> round(float(res.table().loc[0, "rbc"]), 3)
    0.833
    """
    _check_cols(df, [item, group])
    sc, scale_note = _resolve_scale(scale, df, [item], "mann_whitney")
    ex = Exclusions()
    d = _values(df, item, sc, ex, [group])
    levels = list(groups) if groups is not None else sorted(d[group].unique().tolist(), key=str)
    if len(levels) != 2:
        raise SchemaError(f"mann_whitney jämför två grupper; {group!r} har {levels}. Ange groups=[a, b].")
    x = d.loc[d[group] == levels[0], "_y"].to_numpy()
    y = d.loc[d[group] == levels[1], "_y"].to_numpy()
    if len(x) == 0 or len(y) == 0:
        raise EstimationError("En av grupperna saknar svar.")
    u, p = stats.mannwhitneyu(x, y, alternative=alternative)
    rbc = 2 * u / (len(x) * len(y)) - 1
    t = pd.DataFrame([{
        "item": item, "group_a": levels[0], "group_b": levels[1], "n_a": len(x), "n_b": len(y),
        "median_a": float(np.median(x)), "median_b": float(np.median(y)), "mean_a": x.mean(), "mean_b": y.mean(),
        "U": float(u), "p": float(p), "rbc": float(rbc), "alternative": alternative,
    }])
    cap = (f"Mann-Whitney U = {fmt_num(u, 1)}, {_p(p)}, rangbiserial korrelation r = {fmt_num(rbc, 2)} "
           f"({levels[0]}: n = {len(x)}, {levels[1]}: n = {len(y)}).")
    return LikertTest("Mann-Whitney U", t, title=f"{_lab(item)}: {levels[0]} jämfört med {levels[1]}", caption=cap,
                      notes=["Positivt r betyder högre svar i den första gruppen.", *scale_note,
                             *_exclusion_note(ex)],
                      exclusions=ex, plot_data={"df": df[df[group].isin(levels)], "item": item, "scale": sc,
                                                "by": group})


def kruskal_wallis(df: pd.DataFrame, item: str, group: str, scale: Scale | str | None = None) -> LikertTest:
    """Several groups: Kruskal-Wallis H with Holm-adjusted pairwise Mann-Whitney tests.

    The table has one row (H, df, p, epsilon-squared); ``.pairwise`` one row per
    pair with U, p, Holm-adjusted p and the rank-biserial correlation.
    ``scale=None`` takes plain numeric answers.
    """
    _check_cols(df, [item, group])
    sc, scale_note = _resolve_scale(scale, df, [item], "kruskal_wallis")
    ex = Exclusions()
    d = _values(df, item, sc, ex, [group])
    levels = sorted(d[group].unique().tolist(), key=str)
    if len(levels) < 2:
        raise SchemaError(f"Minst två grupper behövs i {group!r}; fick {levels}.")
    samples = [d.loc[d[group] == g, "_y"].to_numpy() for g in levels]
    h, p = stats.kruskal(*samples)
    n = sum(len(s) for s in samples)
    eps2 = h / ((n**2 - 1) / (n + 1))  # epsilon-squared (Tomczak & Tomczak 2014)
    t = pd.DataFrame([{"item": item, "n": n, "groups": len(levels), "H": float(h), "df": len(levels) - 1,
                       "p": float(p), "epsilon2": float(eps2)}])
    rows = []
    for (a, xa), (b, xb) in itertools.combinations(zip(levels, samples), 2):
        u, pp = stats.mannwhitneyu(xa, xb, alternative="two-sided")
        rows.append({"group_a": a, "group_b": b, "n_a": len(xa), "n_b": len(xb), "U": float(u), "p": float(pp),
                     "rbc": float(2 * u / (len(xa) * len(xb)) - 1)})
    pw = pd.DataFrame(rows)
    pw["p_holm"] = multipletests(pw["p"], method="holm")[1]
    cap = f"Kruskal-Wallis H = {fmt_num(h, 2)}, df = {len(levels) - 1}, {_p(p)}, n = {n}."
    return LikertTest("Kruskal-Wallis", t, title=f"{_lab(item)}, per {_lab_lower(group)}", caption=cap, pairwise=pw,
                      notes=["Parvisa Mann-Whitney-test med Holms korrektion för flera jämförelser.",
                             *scale_note, *_exclusion_note(ex)],
                      exclusions=ex, plot_data={"df": df, "item": item, "scale": sc, "by": group})


def chi2_levels(df: pd.DataFrame, item: str, group: str, scale: Scale | str | None = None) -> LikertTest:
    """Chi-square test of independence on the group x level table, with Cramér's V.

    Levels nobody chose are dropped from the test (they carry no information).
    A warning is given when more than 20 % of the expected counts are below 5.
    ``scale=None`` takes plain numeric answers in whole steps.
    """
    _check_cols(df, [item, group])
    sc, scale_note = _resolve_scale(scale, df, [item], "chi2_levels")
    if isinstance(sc, _PlainNumbers):
        raise SchemaError(f"chi2_levels: svaren i {item!r} är inga skalsteg (inte heltal inom elva steg); "
                          "använd kruskal_wallis eller ange en skala.")
    ex = Exclusions()
    d = _values(df, item, sc, ex, [group])
    tab = pd.crosstab(d[group], d["_y"])
    tab = tab.loc[:, tab.sum(axis=0) > 0]
    if tab.shape[0] < 2 or tab.shape[1] < 2:
        raise EstimationError("Korstabellen behöver minst två grupper och två använda svarsalternativ.")
    chi2, p, dof, expected = stats.chi2_contingency(tab.to_numpy(), correction=False)
    n = int(tab.to_numpy().sum())
    v = np.sqrt(chi2 / (n * (min(tab.shape) - 1)))
    small = float((expected < 5).mean())
    notes = [*scale_note, *_exclusion_note(ex)]
    if small > 0.2:
        msg = (f"{fmt_num(100 * small, 0)} % av de förväntade antalen är under 5; chi2-approximationen är osäker. "
               "Slå ihop svarsalternativ eller använd kruskal_wallis.")
        warn(msg, stacklevel=2)
        notes.append(msg)
    t = pd.DataFrame([{"item": item, "n": n, "chi2": float(chi2), "df": int(dof), "p": float(p),
                       "cramers_v": float(v), "share_expected_below_5": small}])
    cap = f"Chi2 = {fmt_num(chi2, 2)}, df = {dof}, {_p(p)}, Cramérs V = {fmt_num(v, 2)}, n = {n}."
    return LikertTest("Chi-två", t, title=f"{_lab(item)}, per {_lab_lower(group)}", caption=cap, notes=notes, exclusions=ex,
                      plot_data={"df": df, "item": item, "scale": sc, "by": group})


def _term_label(term: str, cat_ref: dict[str, str], labels: Mapping[str, str]) -> str:
    for col, ref in cat_ref.items():
        prefix = f"{col}_"
        if term.startswith(prefix):
            return f"{labels.get(col, col)}: {term[len(prefix):]} (jfr {ref})"
    return labels.get(term, term)


def ordinal_regression(
    df: pd.DataFrame,
    item: str,
    scale: Scale | str | None,
    covariates: Sequence[str],
    *,
    distr: str = "logit",
    ci: float = 0.95,
    term_labels: Mapping[str, str] | None = None,
    weights: str | None = None,
    reference: Mapping[str, Any] | None = None,
) -> LikertTest:
    """Proportional-odds regression of the answer on covariates (statsmodels OrderedModel).

    Categorical covariates become indicators against a reference level: the
    first level in sort order, a categorical column's first category, or the
    level given in ``reference``. The table gives one row per term:
    coefficient, odds ratio with CI and p. An odds ratio above 1 means higher
    (more positive) answers.

    Parameters
    ----------
    df, item, scale
        Data, the item and its scale (``None``: plain numeric answers).
    covariates
        Columns; text/categorical ones are dummy-coded, numeric ones enter as they are.
    distr
        ``"logit"`` (odds ratios) or ``"probit"``.
    term_labels
        Swedish names of covariates (default :data:`TERM_LABELS`).
    weights
        Column of frequency weights (how many respondents a row stands for,
        as R ``polr(weights = Freq)``); the fit equals the fit on the data
        with each row repeated that many times. Rows with weight 0 are left
        out and counted.
    reference
        Reference level per categorical covariate, e.g. ``{"forbund":
        "Uppsala"}``.

    Examples
    --------
    >>> d = pd.DataFrame({"svar": [1, 2, 3, 1, 2, 3, 2, 3, 3, 1, 1, 2],
    ...                   "grupp": ["a", "a", "a", "b", "b", "b", "c", "c", "c", "a", "b", "c"],
    ...                   "antal": [5, 3, 2, 2, 3, 5, 1, 4, 6, 1, 1, 1]})
    >>> r = ordinal_regression(d, "svar", None, ["grupp"], weights="antal", reference={"grupp": "b"})
    >>> r.table()["label"].tolist()
    ['grupp: a (jfr b)', 'grupp: c (jfr b)']
    """
    from statsmodels.miscmodels.ordinal_model import OrderedModel

    _check_cols(df, [item, *covariates, *([weights] if weights else [])])
    sc, scale_note = _resolve_scale(scale, df, [item], "ordinal_regression")
    if weights:
        w_all = pd.to_numeric(df[weights], errors="coerce")
        bad = ((w_all.isna() & df[weights].notna()) | (w_all < 0)).to_numpy()
        if bad.any():
            from ..errors import describe_rows

            raise SchemaError(f"ordinal_regression: vikterna i {weights!r} ska vara tal >= 0; fel på "
                              f"{describe_rows(np.flatnonzero(bad), offset=2)} (rad 1 = rubrikraden). Rätta "
                              "vikterna.")
    ex = Exclusions()
    d = _values(df, item, sc, ex, [*covariates, *([weights] if weights else [])])
    w = None
    if weights:
        w = pd.to_numeric(d[weights], errors="coerce")
        zero = (w == 0).to_numpy()
        ex.add("vikten är 0", int(zero.sum()), rows=_line_numbers(d, np.flatnonzero(zero)[:10]), column=weights)
        d, w = d[~zero], w[~zero].to_numpy(dtype=float)
    cat_cols = [c for c in covariates if not pd.api.types.is_numeric_dtype(d[c])]
    reference = dict(reference or {})
    unknown = [c for c in reference if c not in cat_cols]
    if unknown:
        raise SchemaError(f"ordinal_regression: reference anger {unknown}, som inte är kategoriska kovariater "
                          f"({cat_cols}).")
    cat_ref = {}
    for c in cat_cols:
        cats = (list(d[c].cat.categories) if isinstance(d[c].dtype, pd.CategoricalDtype)
                else sorted(d[c].astype(str).unique()))
        cats = [str(v) for v in cats if str(v) in set(d[c].astype(str))]
        if c in reference:
            ref = str(reference[c])
            if ref not in cats:
                raise SchemaError(f"ordinal_regression: referensnivån {ref!r} finns inte i {c!r}; nivåerna är "
                                  f"{cats}.")
            cats = [ref, *[v for v in cats if v != ref]]
        cat_ref[c] = cats[0]
        d = d.assign(**{c: pd.Categorical(d[c].astype(str), categories=cats)})
    X = pd.get_dummies(d[list(covariates)], columns=cat_cols, drop_first=True, dtype=float)
    X = X.loc[:, X.std() > 0]
    used = sorted(d["_y"].unique())
    y = pd.Series(pd.Categorical(d["_y"], categories=used, ordered=True), index=d.index)
    if len(used) < 3 and distr == "logit":
        warn("Bara två svarsalternativ används; modellen blir en vanlig logistisk regression.", stacklevel=2)
    try:
        model = OrderedModel(y, X, distr=distr) if w is None else _weighted_ordered_model(y, X, distr, w)
        res = model.fit(method="bfgs", disp=False, maxiter=2000)
    except Exception as exc:  # singular designs, perfect separation
        raise EstimationError(f"Den ordinala regressionen gick inte att skatta: {exc}") from exc
    terms = list(X.columns)
    params = res.params[terms]
    conf = res.conf_int(alpha=1 - ci).loc[terms]
    labels = {**TERM_LABELS, **dict(term_labels or {})}
    t = pd.DataFrame({
        "term": terms,
        "label": [_term_label(x, cat_ref, labels) for x in terms],
        "coef": params.to_numpy(),
        "se": res.bse[terms].to_numpy(),
        "odds_ratio": np.exp(params.to_numpy()) if distr == "logit" else np.nan,
        "ci_low": np.exp(conf[0].to_numpy()) if distr == "logit" else conf[0].to_numpy(),
        "ci_high": np.exp(conf[1].to_numpy()) if distr == "logit" else conf[1].to_numpy(),
        "p": res.pvalues[terms].to_numpy(),
    })
    n_txt = f"n = {len(d)}" if w is None else f"n = {fmt_num(w.sum(), 0)} (frekvensvikter, {len(d)} rader)"
    cap = (f"Ordinal logistisk regression av {item} (proportionella odds), {n_txt}. "
           "Oddskvot över 1 = mer positiva svar.")
    return LikertTest("Ordinal regression", t, title=f"{_lab(item)}: oddskvoter", caption=cap,
                      notes=[f"{int(round(ci * 100))} % konfidensintervall (Wald).", *scale_note,
                             *_exclusion_note(ex)],
                      exclusions=ex, plot_data={"odds": True, "model": res})


@functools.cache
def _weighted_ordered_class() -> type:
    """OrderedModel whose log-likelihood weights each row by ``freq_weights`` (statsmodels imported lazily)."""
    from statsmodels.miscmodels.ordinal_model import OrderedModel

    class _Weighted(OrderedModel):
        def loglikeobs(self, params: Any) -> Any:
            return self.freq_weights * super().loglikeobs(params)

    return _Weighted


def _weighted_ordered_model(y: pd.Series, X: pd.DataFrame, distr: str, w: np.ndarray) -> Any:
    """A frequency-weighted OrderedModel.

    The score and Hessian are numerical derivatives of the weighted
    log-likelihood, so estimates and Wald standard errors equal those on the
    expanded data (each row repeated ``w`` times).
    """
    m = _weighted_ordered_class()(y, X, distr=distr)
    m.freq_weights = np.asarray(w, dtype=float)
    return m


def wilcoxon_paired(
    df: pd.DataFrame,
    before: str,
    after: str,
    scale: Scale | str | None = None,
    *,
    alternative: str = "two-sided",
) -> LikertTest:
    """Before/after on the same respondents: Wilcoxon signed-rank test.

    Effect size is the matched-pairs rank-biserial correlation of
    ``after - before`` (positive = higher after), as ``pingouin.wilcoxon(after, before)``.
    Pairs with no change are dropped by the test (Wilcoxon's zero method) and counted.

    Parameters
    ----------
    df, before, after
        Data and the two answer columns of the same respondents.
    scale
        The answers' scale; ``None`` for plain numeric answers.
    alternative
        ``"two-sided"`` (default), ``"greater"`` (answers higher after) or
        ``"less"`` (lower after), as ``scipy.stats.wilcoxon(after, before)``.

    Examples
    --------
    >>> df = pd.DataFrame({"fore": [2, 3, 3, 2, 4, 3, 2, 3], "efter": [4, 4, 5, 3, 4, 5, 4, 4]})
    >>> res = wilcoxon_paired(df, "fore", "efter", "numeric1_6")
    >>> float(res.table().loc[0, "rbc"]), int(res.table().loc[0, "n_zero"])
    (1.0, 1)
    >>> bool(wilcoxon_paired(df, "fore", "efter", alternative="greater").table().loc[0, "p"] < 0.05)
    True
    """
    if alternative not in ("two-sided", "greater", "less"):
        raise SchemaError(f"wilcoxon_paired: alternative måste vara 'two-sided', 'greater' eller 'less', fick "
                          f"{alternative!r}.")
    _check_cols(df, [before, after])
    sc, scale_note = _resolve_scale(scale, df, [before, after], "wilcoxon_paired")
    ex = Exclusions()
    b = sc.to_numeric(df[before], exclusions=ex, column=before)
    a = sc.to_numeric(df[after], exclusions=ex, column=after)
    ok = a.notna() & b.notna()
    rows = np.flatnonzero(~ok.to_numpy())
    ex.add("saknar svar före eller efter", len(rows), rows=_line_numbers(df, rows[:10]))
    a, b = a[ok].to_numpy(), b[ok].to_numpy()
    diff = a - b
    nz = diff[diff != 0]
    if len(nz) == 0:
        raise EstimationError("Inga parade skillnader skilda från noll; testet kan inte göras.")
    w, p = stats.wilcoxon(a, b, zero_method="wilcox", alternative=alternative)
    r = stats.rankdata(np.abs(nz))
    rbc = (r[nz > 0].sum() - r[nz < 0].sum()) / r.sum()
    t = pd.DataFrame([{"before": before, "after": after, "n": len(a), "n_zero": int((diff == 0).sum()),
                       "mean_before": b.mean(), "mean_after": a.mean(), "mean_change": diff.mean(),
                       "median_before": float(np.median(b)), "median_after": float(np.median(a)),
                       "W": float(w), "p": float(p), "rbc": float(rbc), "alternative": alternative}])
    side = {"two-sided": "", "greater": " (ensidigt: högre efter)", "less": " (ensidigt: lägre efter)"}[alternative]
    cap = (f"Medelvärde före {fmt_num(b.mean(), 1)}, efter {fmt_num(a.mean(), 1)} (n = {len(a)}); "
           f"Wilcoxon W = {fmt_num(w, 1)}, {_p(p)}{side}, r = {fmt_num(rbc, 2)}.")
    long = pd.DataFrame({"svar": np.concatenate([df.loc[ok, before], df.loc[ok, after]]),
                         "tidpunkt": pd.Categorical(["Före"] * len(a) + ["Efter"] * len(a),
                                                    categories=["Före", "Efter"], ordered=True)})
    return LikertTest("Wilcoxon teckenrangtest", t, title=f"Före och efter: {_lab(before)}", caption=cap,
                      notes=["Samma svarande före och efter; oförändrade par ingår inte i testet.",
                             *scale_note, *_exclusion_note(ex)],
                      exclusions=ex, plot_data={"df": long, "item": "svar", "scale": sc, "by": "tidpunkt",
                                                "item_labels": {"svar": f"{_lab(before)}: före och efter, samma svarande"}})


def topbox_change(
    df: pd.DataFrame,
    item: str,
    scale: Scale | str,
    *,
    year: str = "ar",
    years: tuple[Any, Any] | None = None,
    by: str | None = None,
    ci: float = 0.95,
) -> LikertTest:
    """Change in the top-box share between two years, with Newcombe's CI of the difference.

    One row per group (or one row overall): top-box share each year with
    Wilson CIs, the difference (percentage points) with Newcombe's hybrid
    score interval and a two-proportion z-test.
    """
    from statsmodels.stats.proportion import proportions_ztest

    sc = _scale_with_top(scale, "topbox_change")
    _check_cols(df, [item, year, *([by] if by else [])])
    ex = Exclusions()
    d = _values(df, item, sc, ex, [year, *([by] if by else [])])
    top_vals = {v for lab, v in zip(sc.levels, sc.level_values) if lab in sc.top}
    d["_top"] = d["_y"].isin(top_vals)
    yrs = list(years) if years is not None else sorted(d[year].unique().tolist())[-2:]
    if len(yrs) != 2:
        raise SchemaError(f"Två år behövs i {year!r}; fick {yrs}.")
    rows = []
    for g, part in (d.groupby(by, sort=True) if by else [(None, d)]):
        k1, n1 = int(part.loc[part[year] == yrs[0], "_top"].sum()), int((part[year] == yrs[0]).sum())
        k2, n2 = int(part.loc[part[year] == yrs[1], "_top"].sum()), int((part[year] == yrs[1]).sum())
        row: dict[str, Any] = {"item": item}
        if by:
            row[by] = g
        row.update({"year_1": yrs[0], "year_2": yrs[1], "n_1": n1, "top_1": k1, "n_2": n2, "top_2": k2})
        if n1 and n2:
            lo1, hi1 = proportion_confint(k1, n1, alpha=1 - ci, method="wilson")
            lo2, hi2 = proportion_confint(k2, n2, alpha=1 - ci, method="wilson")
            dlo, dhi = confint_proportions_2indep(k2, n2, k1, n1, method="newcomb", compare="diff", alpha=1 - ci)
            p = proportions_ztest([k2, k1], [n2, n1])[1] if 0 < k1 + k2 < n1 + n2 else 1.0
            row.update({"pct_top_1": 100 * k1 / n1, "pct_top_1_lo": 100 * lo1, "pct_top_1_hi": 100 * hi1,
                        "pct_top_2": 100 * k2 / n2, "pct_top_2_lo": 100 * lo2, "pct_top_2_hi": 100 * hi2,
                        "diff": 100 * (k2 / n2 - k1 / n1), "diff_lo": 100 * dlo, "diff_hi": 100 * dhi,
                        "p": float(p)})
        rows.append(row)
    t = pd.DataFrame(rows)
    first = t.iloc[0]
    cap = (f"Andel {'/'.join(sc.top)} {yrs[0]} och {yrs[1]}; skillnad i procentenheter med Newcombes intervall"
           + (f": {fmt_num(first.get('diff'), 1)} {fmt_ci(first.get('diff_lo'), first.get('diff_hi'))}."
              if not by and "diff" in t else "."))
    return LikertTest("Förändring i toppbox", t, title=f"{_lab(item)}: förändring {yrs[0]}–{yrs[1]}", caption=cap,
                      notes=[f"{int(round(ci * 100))} % konfidensintervall; Wilson för andelar, Newcombe för "
                             "skillnaden.", *_exclusion_note(ex)],
                      exclusions=ex, plot_data={"df": df[df[year].isin(yrs)], "item": item, "scale": sc,
                                                "by": year})


def compare_reference(
    df: pd.DataFrame,
    item: str,
    scale: Scale | str,
    reference: Mapping[str, float] | pd.DataFrame,
    *,
    group: str | None = None,
    value: Any = None,
) -> LikertTest:
    """One förbund against national shares: chi-square goodness of fit and a binomial test of the top box.

    Parameters
    ----------
    df
        Survey answers (all förbund or only the one to test).
    reference
        National shares per level: ``{label: share}`` or a table with columns
        ``level`` and ``share`` (or ``pct``). Shares are renormalised to sum to 1.
    group, value
        Keep rows where ``df[group] == value`` (e.g. ``"forbund", "Uppsala"``).

    Examples
    --------
    >>> ref = {"Ja, absolut": 0.3, "Ja, ganska": 0.4, "Inte särskilt": 0.2, "Inte alls": 0.1}
    >>> df = pd.DataFrame({"d1": ["Ja, absolut"] * 9 + ["Ja, ganska"] * 8 + ["Inte särskilt"] * 3})
    >>> t = compare_reference(df, "d1", "ja_absolut4", ref).table()
    >>> list(t["test"])
    ['chi2 anpassning', 'binomialtest toppbox']
    """
    sc = _scale_with_top(scale, "compare_reference")
    _check_cols(df, [item, *([group] if group else [])])
    part = df[df[group] == value] if group else df
    if part.empty:
        raise SchemaError(f"Inga rader med {group} = {value!r}.")
    if isinstance(reference, pd.DataFrame):
        lvl = "level" if "level" in reference else "svar"
        col = "share" if "share" in reference else "pct"
        ref = dict(zip(reference[lvl], reference[col]))
    else:
        ref = dict(reference)
    canon = {}
    for k, v in ref.items():
        c = sc._canonical(k)
        if not isinstance(c, str) or c not in sc.levels:
            raise SchemaError(f"Referensens nivå {k!r} är inget skalsteg i {list(sc.levels)}.")
        canon[c] = float(v)
    shares = np.array([canon.get(x, 0.0) for x in sc.levels])
    if shares.sum() <= 0:
        raise SchemaError("Referensandelarna summerar till 0.")
    shares = shares / shares.sum()
    ex = Exclusions()
    d = _values(part, item, sc, ex)
    obs = np.array([(d["_y"] == v).sum() for v in sc.level_values])
    n = int(obs.sum())
    use = shares > 0
    if (obs[~use] > 0).any():
        raise EstimationError("Svar finns på nivåer som har andelen 0 i referensen; testet är inte definierat.")
    chi2, p = stats.chisquare(obs[use], n * shares[use])
    top = [i for i, x in enumerate(sc.levels) if x in sc.top]
    k_top, p_top = int(obs[top].sum()), float(shares[top].sum())
    bt = stats.binomtest(k_top, n, p_top)
    lo, hi = bt.proportion_ci(method="wilson")
    t = pd.DataFrame([
        {"item": item, "test": "chi2 anpassning", "n": n, "statistic": float(chi2), "df": int(use.sum() - 1),
         "p": float(p), "pct_top": 100 * k_top / n, "pct_top_ref": 100 * p_top},
        {"item": item, "test": "binomialtest toppbox", "n": n, "statistic": float(k_top), "df": np.nan,
         "p": float(bt.pvalue), "pct_top": 100 * k_top / n, "pct_top_ref": 100 * p_top},
    ])
    t["pct_top_lo"], t["pct_top_hi"] = 100 * lo, 100 * hi
    who = f"{value}" if group else "Gruppen"
    cap = (f"{who}: {fmt_num(100 * k_top / n, 0)} % {'/'.join(sc.top)} {fmt_ci(100 * lo, 100 * hi, 0)} mot "
           f"{fmt_num(100 * p_top, 0)} % i referensen (binomialtest {_p(bt.pvalue)}); fördelningen: "
           f"chi2 = {fmt_num(chi2, 2)}, {_p(p)}, n = {n}.")
    return LikertTest("Jämförelse med referens", t, title=f"{_lab(item)}: {who} jämfört med riket", caption=cap,
                      notes=["Referensens andelar behandlas som kända (inte skattade).", *_exclusion_note(ex)],
                      exclusions=ex, plot_data={"df": part, "item": item, "scale": sc, "by": None})
