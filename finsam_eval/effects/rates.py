"""Comparisons of rates when only counts are published.

Evaluation reports often give no micro data, only "31 of 164 went to work or
studies" or a table of participants per insats. These functions compare such
rates with a benchmark (the national 33 %), with each other, before and after,
and pool them correctly from the counts.

Intervals: Wilson score and Clopper-Pearson exact for one proportion;
Newcombe's hybrid score interval (method 10) for a difference; a log interval
for a ratio (Katz). Tests: exact binomial (:func:`scipy.stats.binomtest`),
Pearson chi-square or Fisher's exact test, McNemar for paired counts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint

from ..errors import MissingColumnError, SchemaError
from ..plots import OKABE_ITO, decimal_comma, figure, finish, house_style
from ..sv import fmt_ci, fmt_num, fmt_pct
from .match import _Formatted, _p_eq

__all__ = [
    "wilson_ci",
    "exact_ci",
    "newcombe_ci",
    "rate_vs_benchmark",
    "compare_rates",
    "pooled_rate",
    "before_after_rates",
    "RateResult",
    "RateComparison",
    "PooledRate",
]


def _units(t: pd.DataFrame, *, shares: list[str], pps: list[str]) -> pd.DataFrame:
    """Declare the units of a rate table for print: shares as percentages, differences in procentenheter."""
    t.attrs["share_columns"] = [c for c in shares if c in t.columns]
    t.attrs["pp_columns"] = [c for c in pps if c in t.columns]
    return t


def _check_counts(x: int, n: int, what: str = "") -> None:
    if n <= 0 or x < 0 or x > n or int(x) != x or int(n) != n:
        raise SchemaError(f"{what}antalet lyckade ({x}) måste vara ett heltal mellan 0 och n ({n}), och n > 0.")


def wilson_ci(x: int, n: int, alpha: float = 0.05) -> tuple[float, float]:
    """Wilson score interval for ``x`` successes of ``n``.

    Examples
    --------
    >>> [round(v, 4) for v in wilson_ci(31, 164)]
    [0.1365, 0.2558]
    """
    lo, hi = proportion_confint(x, n, alpha=alpha, method="wilson")
    return float(lo), float(hi)


def exact_ci(x: int, n: int, alpha: float = 0.05) -> tuple[float, float]:
    """Clopper-Pearson exact interval.

    Examples
    --------
    >>> [round(v, 4) for v in exact_ci(31, 164)]
    [0.1322, 0.2574]
    """
    lo, hi = proportion_confint(x, n, alpha=alpha, method="beta")
    return float(lo), float(hi)


def newcombe_ci(x1: int, n1: int, x2: int, n2: int, alpha: float = 0.05) -> tuple[float, float]:
    """Newcombe's hybrid score interval for ``p1 - p2`` (Newcombe 1998, method 10).

    Examples
    --------
    >>> [round(v, 4) for v in newcombe_ci(56, 70, 48, 80)]
    [0.0524, 0.3339]
    """
    lo, hi = confint_proportions_2indep(x1, n1, x2, n2, method="newcomb", compare="diff", alpha=alpha)
    return float(lo), float(hi)


def _is_small(v: Any) -> bool:
    from .._config import get_option

    return bool(pd.notna(v) and 0 < v < get_option("min_count"))


def _count_label(x: Any, n: Any) -> str:
    """``"12 av 14"``; a count below ``min_count`` (or one derived from a small n) shows the suppression marker."""
    from .._config import get_option

    mark = get_option("suppressed_marker")
    xs = mark if _is_small(x) or _is_small(n) or pd.isna(x) else fmt_num(x, 0)
    ns = mark if _is_small(n) or pd.isna(n) else fmt_num(n, 0)
    return f"{xs} av {ns}"


def _rate_axes(
    rows: pd.DataFrame, benchmark: float | None, title: str, note: list[str], ax: Any = None,
    benchmark_label: str = "Jämförelse",
) -> Any:
    """Horizontal rates with CI whiskers and an optional benchmark line."""
    with house_style():
        n = len(rows)
        if ax is None:
            fig, ax = figure((6.3, 1.1 + 0.45 * n))
        else:
            fig = ax.figure
        y = np.arange(n)[::-1]
        # a share from a count below min_count gives the count back: draw only its interval
        hidden = np.array([_is_small(r["lyckade"]) or _is_small(r["n"]) for _, r in rows.iterrows()], bool)
        ax.errorbar(100 * rows["andel"].where(~hidden), y, xerr=[100 * (rows["andel"] - rows["ki_nedre"]),
                                                                 100 * (rows["ki_ovre"] - rows["andel"])],
                    fmt="o", color=OKABE_ITO[0], ms=6, capsize=3, lw=1.4)
        for yi, (_, r), h in zip(y, rows.iterrows(), hidden):
            if h:
                ax.plot([100 * r["ki_nedre"], 100 * r["ki_ovre"]], [yi, yi], color=OKABE_ITO[0], lw=1.4)
                continue
            ax.annotate(fmt_pct(r["andel"], 0), (100 * r["ki_ovre"], yi), xytext=(4, 0),
                        textcoords="offset points", va="center", fontsize=8)
        if benchmark is not None:
            ax.axvline(100 * benchmark, color=OKABE_ITO[5], ls="--", lw=1)
            ax.annotate(f"{benchmark_label} {fmt_pct(benchmark, 0)}", (100 * benchmark, y.max() + 0.45), color=OKABE_ITO[5],
                        fontsize=8, ha="left", xytext=(3, 0), textcoords="offset points")
        ax.set_yticks(y)
        ax.set_yticklabels([f"{r['grupp']}\n({_count_label(r['lyckade'], r['n'])})" for _, r in rows.iterrows()])
        ax.set_ylim(-0.6, n - 0.2)
        ax.set_xlim(0, 100)
        ax.set_xlabel("Andel")  # the ticks carry the unit ("20 %")
        ax.spines["left"].set_visible(False)
        ax.tick_params(axis="y", length=0)
        decimal_comma(ax, "x", percent=True)
        fig.tight_layout(rect=(0, 0, 1, 0.9))
        finish(fig, title=title, note=note)
    return ax


@dataclass
class RateResult(_Formatted):
    """A rate against a benchmark: share, Wilson and exact CI, exact binomial test."""

    label: str
    successes: int
    n: int
    benchmark: float
    benchmark_label: str
    alpha: float
    wilson: tuple[float, float]
    exact: tuple[float, float]
    pvalue: float
    source: str | None = None
    _decimals = {"andel": 1, "jamforelse": 1, "skillnad": 1, "wilson_nedre": 1, "wilson_ovre": 1,
                 "exakt_nedre": 1, "exakt_ovre": 1, "p": 3}
    column_labels = {"skillnad": "Skillnad (procentenheter)", "jamforelse": "Jämförelsevärde"}

    @property
    def rate(self) -> float:
        return self.successes / self.n

    @property
    def title(self) -> str:
        return f"{self.label}: andel jämfört med {self.benchmark_label}"

    @property
    def caption(self) -> str:
        from .._config import get_option

        if 0 < self.n < get_option("min_count"):
            return f"Underlaget ({self.label}) är för litet för att redovisas."
        lvl = fmt_num(100 * (1 - self.alpha), 0)
        return (f"{fmt_num(self.successes, 0)} av {fmt_num(self.n, 0)} ({fmt_pct(self.rate)}), {lvl} % KI "
                f"{fmt_ci(*self.wilson, pct=True)} (Wilson), mot {self.benchmark_label} {fmt_pct(self.benchmark)}; "
                f"exakt binomialtest {_p_eq(self.pvalue)}.")

    @property
    def notes(self) -> list[str]:
        out = ["Wilsonintervall och exakt (Clopper-Pearson) intervall; tvåsidigt exakt binomialtest mot "
               "jämförelsevärdet, som behandlas som känt utan osäkerhet."]
        if self.source:
            out.append(f"Källa: {self.source}.")
        return out

    def table(self) -> pd.DataFrame:
        from ..privacy import suppress_small

        t = pd.DataFrame([{
            "grupp": self.label, "lyckade": int(self.successes), "n": int(self.n), "andel": self.rate,
            "wilson_nedre": self.wilson[0], "wilson_ovre": self.wilson[1], "exakt_nedre": self.exact[0],
            "exakt_ovre": self.exact[1], "jamforelse": self.benchmark, "skillnad": self.rate - self.benchmark,
            "p": self.pvalue,
        }])
        return _units(suppress_small(t, ["lyckade", "n"], base="n", derived={"andel": "lyckade"},
                                     row_derived=["wilson_nedre", "wilson_ovre", "exakt_nedre", "exakt_ovre",
                                                  "skillnad", "p"]),
                      shares=["andel", "wilson_nedre", "wilson_ovre", "exakt_nedre", "exakt_ovre", "jamforelse"],
                      pps=["skillnad"])

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        rows = pd.DataFrame([{"grupp": self.label, "lyckade": self.successes, "n": self.n, "andel": self.rate,
                              "ki_nedre": self.wilson[0], "ki_ovre": self.wilson[1]}])
        return _rate_axes(rows, self.benchmark, self.title, [self.caption], ax,
                          benchmark_label=self.benchmark_label.capitalize())


def rate_vs_benchmark(
    successes: int,
    n: int,
    benchmark: float,
    *,
    label: str = "Deltagare",
    benchmark_label: str = "riket",
    alpha: float = 0.05,
    source: str | None = None,
) -> RateResult:
    """Compare a published rate (``successes`` of ``n``) with a benchmark share.

    Parameters
    ----------
    successes, n
        Count with the outcome (e.g. arbete/studier at exit) and the base.
    benchmark
        The benchmark or target share (0-1), e.g. 0.33 for the national average.
    label, benchmark_label
        Names shown in table and figure.
    alpha
        1 - confidence level.

    Returns
    -------
    RateResult

    Examples
    --------
    >>> r = rate_vs_benchmark(31, 164, 0.33)
    >>> round(r.rate, 3), r.pvalue < 0.001
    (0.189, True)
    """
    _check_counts(successes, n)
    if not 0 <= benchmark <= 1:
        raise SchemaError(f"benchmark måste vara en andel mellan 0 och 1, fick {benchmark!r} (skriv 0.33, inte 33).")
    p = stats.binomtest(int(successes), int(n), benchmark, alternative="two-sided").pvalue
    return RateResult(label, int(successes), int(n), float(benchmark), benchmark_label, alpha,
                      wilson_ci(successes, n, alpha), exact_ci(successes, n, alpha), float(p), source)


@dataclass
class RateComparison(_Formatted):
    """Two rates: difference (Newcombe CI), ratio (log CI), chi-square/Fisher or McNemar."""

    labels: tuple[str, str]
    x: tuple[int, int]
    n: tuple[int, int]
    alpha: float
    diff_ci: tuple[float, float]
    ratio: float
    ratio_ci: tuple[float, float]
    test: str
    pvalue: float
    paired: bool = False
    extra_notes: list[str] = field(default_factory=list)
    _decimals = {"andel": 1, "ki_nedre": 1, "ki_ovre": 1, "skillnad": 1, "skillnad_nedre": 1, "skillnad_ovre": 1,
                 "kvot": 2, "kvot_nedre": 2, "kvot_ovre": 2, "p": 3}

    column_labels = {"skillnad": "Skillnad (procentenheter)", "skillnad_nedre": "Skillnad KI nedre (procentenheter)",
                     "skillnad_ovre": "Skillnad KI övre (procentenheter)", "kvot_nedre": "Kvot KI nedre",
                     "kvot_ovre": "Kvot KI övre", "test": "Test"}

    @property
    def rates(self) -> tuple[float, float]:
        return (self.x[0] / self.n[0], self.x[1] / self.n[1])

    @property
    def difference(self) -> float:
        return self.rates[0] - self.rates[1]

    @property
    def title(self) -> str:
        return f"{self.labels[0]} jämfört med {self.labels[1]}"

    @property
    def caption(self) -> str:
        return (f"Skillnad {fmt_num(100 * self.difference, 1)} procentenheter, KI "
                f"{fmt_ci(100 * self.diff_ci[0], 100 * self.diff_ci[1])}; kvot {fmt_num(self.ratio, 2)}; "
                f"{self.test} {_p_eq(self.pvalue)}.")

    @property
    def notes(self) -> list[str]:
        return [*self.extra_notes]

    def table(self) -> pd.DataFrame:
        from ..privacy import suppress_small

        rows = []
        for i in range(2):
            lo, hi = wilson_ci(self.x[i], self.n[i], self.alpha)
            rows.append({"grupp": self.labels[i], "lyckade": int(self.x[i]), "n": int(self.n[i]),
                         "andel": self.rates[i], "ki_nedre": lo, "ki_ovre": hi})
        t = pd.DataFrame(rows)
        t["skillnad"] = [self.difference, np.nan]
        t["skillnad_nedre"] = [self.diff_ci[0], np.nan]
        t["skillnad_ovre"] = [self.diff_ci[1], np.nan]
        t["kvot"] = [self.ratio, np.nan]
        t["kvot_nedre"] = [self.ratio_ci[0], np.nan]
        t["kvot_ovre"] = [self.ratio_ci[1], np.nan]
        t["test"] = [self.test, None]
        t["p"] = [self.pvalue, np.nan]
        return _units(suppress_small(t, ["lyckade", "n"], base="n", derived={"andel": "lyckade"},
                                     row_derived=["ki_nedre", "ki_ovre"]),
                      shares=["andel", "ki_nedre", "ki_ovre"], pps=["skillnad", "skillnad_nedre", "skillnad_ovre"])

    def plot(self, ax: Any = None, *, benchmark: float | None = None, **kwargs: Any) -> Any:
        t = self.table()
        return _rate_axes(t, benchmark, self.title, [self.caption], ax)


def compare_rates(
    x1: int, n1: int, x2: int, n2: int, *, labels: tuple[str, str] = ("Grupp 1", "Grupp 2"), alpha: float = 0.05,
    test: str = "auto",
) -> RateComparison:
    """Compare two independent rates.

    Parameters
    ----------
    x1, n1, x2, n2
        Successes and bases of the two groups.
    test
        ``"chi2"`` (Pearson, no continuity correction), ``"fisher"`` or
        ``"auto"`` (Fisher when an expected count is below 5).

    Returns
    -------
    RateComparison
        Difference with Newcombe's CI, ratio with a log (Katz) CI, test and p.

    Examples
    --------
    >>> c = compare_rates(56, 100, 52, 100, labels=("2019", "2018"))
    >>> round(c.difference, 2), c.test
    (0.04, 'chi2')
    """
    _check_counts(x1, n1, "grupp 1: ")
    _check_counts(x2, n2, "grupp 2: ")
    table = np.array([[x1, n1 - x1], [x2, n2 - x2]])
    expected = stats.contingency.expected_freq(table) if table.sum(axis=0).all() else np.zeros((2, 2))
    if test == "auto":
        test = "fisher" if (expected < 5).any() else "chi2"
    if test == "chi2":
        if not table.sum(axis=0).all():
            p = 1.0
        else:
            p = float(stats.chi2_contingency(table, correction=False).pvalue)
    elif test == "fisher":
        p = float(stats.fisher_exact(table).pvalue)
    else:
        raise ValueError(f"test måste vara 'auto', 'chi2' eller 'fisher', fick {test!r}.")
    p1, p2 = x1 / n1, x2 / n2
    z = stats.norm.ppf(1 - alpha / 2)
    notes = []
    if x1 == 0 or x2 == 0:
        ratio, rci = (np.inf if x2 == 0 and x1 > 0 else (0.0 if x1 == 0 and x2 > 0 else np.nan)), (np.nan, np.nan)
        notes.append("Kvoten saknar konfidensintervall när någon grupp har 0 lyckade.")
    else:
        ratio = p1 / p2
        se = np.sqrt(1 / x1 - 1 / n1 + 1 / x2 - 1 / n2)
        rci = (float(ratio * np.exp(-z * se)), float(ratio * np.exp(z * se)))
    return RateComparison(labels, (int(x1), int(x2)), (int(n1), int(n2)), alpha, newcombe_ci(x1, n1, x2, n2, alpha),
                          float(ratio), rci, test, p, extra_notes=notes)


def before_after_rates(
    before: tuple[int, int] | None = None,
    after: tuple[int, int] | None = None,
    *,
    paired: tuple[int, int, int, int] | None = None,
    alpha: float = 0.05,
) -> RateComparison:
    """Rates before and after: two independent proportions, or McNemar for paired counts.

    Parameters
    ----------
    before, after
        ``(successes, n)`` at each time, for different people (or when the
        pairing is unknown).
    paired
        ``(both, only_before, only_after, neither)``: the 2x2 table of the
        same people; then McNemar's exact test and a Wald interval for the
        paired difference are used.

    Examples
    --------
    >>> r = before_after_rates((52, 100), (56, 100))
    >>> round(r.difference, 2)
    0.04
    >>> r = before_after_rates(paired=(40, 5, 15, 40))
    >>> r.test, round(r.difference, 2)
    ('McNemar (exakt)', 0.1)
    """
    if paired is None:
        if before is None or after is None:
            raise ValueError("Ange before och after som (lyckade, n), eller paired=(båda, bara före, bara efter, ingen).")
        return compare_rates(after[0], after[1], before[0], before[1], labels=("Efter", "Före"), alpha=alpha)
    from statsmodels.stats.contingency_tables import mcnemar

    a, b, c, d = (int(v) for v in paired)
    n = a + b + c + d
    if n <= 0 or min(a, b, c, d) < 0:
        raise SchemaError("paired måste vara fyra antal >= 0 med summa > 0: (båda, bara före, bara efter, ingen).")
    res = mcnemar(np.array([[a, b], [c, d]]), exact=True)
    diff = (c - b) / n
    se = np.sqrt((b + c) / n**2 - (c - b) ** 2 / n**3)
    z = stats.norm.ppf(1 - alpha / 2)
    x_after, x_before = a + c, a + b
    ratio = x_after / x_before if x_before else np.nan
    return RateComparison(("Efter", "Före"), (x_after, x_before), (n, n), alpha, (diff - z * se, diff + z * se),
                          float(ratio), (np.nan, np.nan), "McNemar (exakt)", float(res.pvalue), paired=True,
                          extra_notes=["Samma personer före och efter: McNemars exakta test och Waldintervall för "
                                       "den parade skillnaden."])


@dataclass
class PooledRate(_Formatted):
    """A pooled rate computed from counts per group, with a check of a published average."""

    groups: pd.DataFrame
    pooled: float
    n_total: int
    successes_total: float
    published: float | None
    alpha: float
    tolerance: float
    _decimals = {"andel": 3, "lyckade": 0, "ki_nedre": 3, "ki_ovre": 3}

    @property
    def mismatch(self) -> bool:
        """True when the published average differs from the pooled rate by more than ``tolerance``."""
        return self.published is not None and abs(self.published - self.pooled) > self.tolerance

    @property
    def title(self) -> str:
        return "Sammanvägd andel beräknad från antal per insats"

    @property
    def caption(self) -> str:
        return (f"Deltagarviktad andel {fmt_pct(self.pooled)} av {fmt_num(self.n_total, 0)} deltagare"
                + (f"; publicerat genomsnitt {fmt_pct(self.published)}." if self.published is not None else "."))

    @property
    def message(self) -> str:
        if self.published is None:
            return ""
        if not self.mismatch:
            return f"Det publicerade genomsnittet {fmt_pct(self.published)} stämmer med antalen."
        unweighted = float(self.groups["andel"].mean())
        hint = (f" Det liknar det oviktade medelvärdet av gruppernas andelar ({fmt_pct(unweighted)})."
                if abs(unweighted - self.published) <= self.tolerance else "")
        return (f"Varning: det publicerade genomsnittet {fmt_pct(self.published)} stämmer inte med antalen; "
                f"den deltagarviktade andelen är {fmt_pct(self.pooled)}.{hint} Redovisa andelen beräknad från antal.")

    @property
    def notes(self) -> list[str]:
        out = ["Sammanvägd andel = summan av lyckade / summan av deltagare (deltagarviktad)."]
        if self.message:
            out.append(self.message)
        return out

    def table(self) -> pd.DataFrame:
        from ..privacy import suppress_small

        total = pd.DataFrame([{"grupp": "Totalt (beräknat)", "n": self.n_total, "lyckade": self.successes_total,
                               "andel": self.pooled, "ki_nedre": wilson_ci(self.successes_total, self.n_total)[0],
                               "ki_ovre": wilson_ci(self.successes_total, self.n_total)[1]}])
        t = pd.concat([self.groups, total], ignore_index=True)
        if self.published is not None:
            t = pd.concat([t, pd.DataFrame([{"grupp": "Totalt (publicerat)", "n": self.n_total,
                                             "andel": self.published}])], ignore_index=True)
        t["n"] = t["n"].astype(int)
        return _units(suppress_small(t, ["n"], base="n", derived={"andel": "n"},
                                     row_derived=["lyckade", "ki_nedre", "ki_ovre"]),
                      shares=["andel", "ki_nedre", "ki_ovre"], pps=[])

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        rows = self.table().iloc[: len(self.groups) + 1]
        ax = _rate_axes(rows, self.published, self.title, [self.caption, self.message], ax,
                        benchmark_label="Publicerat")
        return ax


def pooled_rate(
    table: pd.DataFrame,
    *,
    group: str = "insats",
    n: str = "n",
    rate: str | None = "andel",
    successes: str | None = None,
    published: float | None = None,
    tolerance: float = 0.005,
    alpha: float = 0.05,
) -> PooledRate:
    """Participant-weighted pooled rate from counts per group, checking a published average.

    Parameters
    ----------
    table
        One row per group (insats) with the number of participants ``n`` and
        either the share ``rate`` (0-1) or the count ``successes``.
    published
        A published overall share to check against the counts.
    tolerance
        Largest difference (in share) accepted as rounding; default half a
        percentage point.

    Returns
    -------
    PooledRate
        ``pooled``, ``mismatch`` and ``message`` (a warning when the
        published figure does not follow from the counts).

    Examples
    --------
    The Haninge case: 45 % was published, the counts give about 50,5 %.

    >>> t = pd.DataFrame({"insats": ["Unga", "Resursråd", "Övriga"], "n": [5300, 1800, 1500],
    ...                   "andel": [0.65, 0.25, 0.30]})
    >>> r = pooled_rate(t, published=0.45)
    >>> round(r.pooled, 4), r.mismatch
    (0.5052, True)
    """
    needed = [group, n] + ([successes] if successes else [rate] if rate else [])
    missing = [c for c in needed if c not in table.columns]
    if missing:
        raise MissingColumnError(f"pooled_rate: kolumnerna {missing} saknas; tabellen har {list(table.columns)}.")
    g = table[[group, n]].copy().rename(columns={group: "grupp", n: "n"})
    if successes:
        g["lyckade"] = table[successes].astype(float).to_numpy()
    else:
        r = table[rate].astype(float)
        if (r > 1).any():
            raise SchemaError(f"pooled_rate: kolumnen {rate!r} ska vara andelar 0-1 (skriv 0.65, inte 65).")
        g["lyckade"] = (r * table[n]).to_numpy()
    if (g["n"] <= 0).any() or g["n"].isna().any():
        raise SchemaError("pooled_rate: antalet deltagare måste vara > 0 i varje rad.")
    g["andel"] = g["lyckade"] / g["n"]
    ci = [wilson_ci(x, m, alpha) for x, m in zip(g["lyckade"], g["n"])]
    g["ki_nedre"] = [c[0] for c in ci]
    g["ki_ovre"] = [c[1] for c in ci]
    n_tot = int(g["n"].sum())
    x_tot = float(g["lyckade"].sum())
    return PooledRate(g, x_tot / n_tot, n_tot, x_tot, published, alpha, tolerance)

