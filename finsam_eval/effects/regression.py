"""The simple cases: a difference in means and a regression table.

When participants and a comparison group were assigned at random (or the
evaluator only needs a descriptive comparison), the effect on a continuous
outcome is a difference in means: :func:`difference_in_means` gives it with
Welch's (default) or the pooled-variance t interval and Hedges' g. When the
comparison needs covariates, :func:`regression_table` fits ordinary least
squares and reports every coefficient with heteroskedasticity-robust (HC0-HC3)
or cluster-robust standard errors, as Stata and R ``sandwich`` do.

Both count and record what they leave out (rows without outcome or group),
and both return result objects with ``.table()``, ``.plot()``, ``.summary()``.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from .._config import get_option
from ..errors import EstimationError, MissingColumnError, SchemaError
from ..results import Exclusions
from ..sv import fmt_ci, fmt_num, fmt_p_eq
from .match import _Formatted

__all__ = ["difference_in_means", "MeanDifference", "regression_table", "RegressionTable", "hedges_g"]

ROBUST = ("nonrobust", "HC0", "HC1", "HC2", "HC3")


def _require(df: Any, cols: list[str], fn: str) -> None:
    if not isinstance(df, pd.DataFrame):
        raise SchemaError(f"{fn} tar en pandas DataFrame, fick {type(df).__name__}.")
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise MissingColumnError(f"{fn}: kolumnerna {missing} saknas; tabellen har {list(df.columns)}.")


def _numeric(s: pd.Series, col: str, fn: str) -> pd.Series:
    """The column as float; text that is not a number is an error naming the lines (header = line 1)."""
    v = pd.to_numeric(s, errors="coerce")
    bad = v.isna() & s.notna()
    if bad.any():
        from ..errors import describe_rows

        pos = np.nonzero(bad.to_numpy())[0]
        raise SchemaError(
            f"{fn}: kolumnen {col!r} ska vara numerisk men har text på {describe_rows(pos + 2)} "
            "(rad 1 = rubrikraden). Rätta värdena eller koda om dem till tal."
        )
    return v.astype(float)


def hedges_g(x1: Any, x2: Any, alpha: float = 0.05) -> tuple[float, float, float]:
    """Hedges' g (bias-corrected standardised mean difference) with a normal-approximation interval.

    ``g = J * (mean1 - mean2) / s_pooled`` with ``J = 1 - 3 / (4 (n1 + n2) - 9)``
    and ``SE = sqrt((n1 + n2) / (n1 n2) + g^2 / (2 (n1 + n2)))`` (Hedges & Olkin
    1985, eq. 5.8 and 5.15; Borenstein et al. 2009, ch. 4).

    Examples
    --------
    >>> g, lo, hi = hedges_g([5, 6, 7, 8, 9], [3, 4, 5, 6, 7])
    >>> round(g, 3), round(lo, 3), round(hi, 3)
    (1.143, -0.194, 2.479)
    """
    a = np.asarray(x1, dtype=float)
    b = np.asarray(x2, dtype=float)
    n1, n2 = len(a), len(b)
    sp = np.sqrt(((n1 - 1) * a.var(ddof=1) + (n2 - 1) * b.var(ddof=1)) / (n1 + n2 - 2))
    j = 1 - 3 / (4 * (n1 + n2) - 9)
    g = float(j * (a.mean() - b.mean()) / sp) if sp > 0 else np.nan
    se = np.sqrt((n1 + n2) / (n1 * n2) + g**2 / (2 * (n1 + n2)))
    z = stats.norm.ppf(1 - alpha / 2)
    return g, float(g - z * se), float(g + z * se)


# --------------------------------------------------------------------------- difference in means


@dataclass
class MeanDifference(_Formatted):
    """Two group means, their difference with a t interval, and Hedges' g.

    Attributes
    ----------
    groups
        One row per group: ``grupp``, ``n``, ``medel``, ``sd``.
    difference, se, df, t, pvalue, ci
        ``mean(treated) - mean(control)``, its standard error, degrees of
        freedom (Welch-Satterthwaite or n1 + n2 - 2), t statistic, two-sided
        p-value and interval.
    g, g_ci
        Hedges' g and its interval.
    """

    outcome: str
    group: str
    labels: tuple[str, str]
    groups: pd.DataFrame
    difference: float
    se: float
    df: float
    t: float
    pvalue: float
    ci: tuple[float, float]
    g: float
    g_ci: tuple[float, float]
    method: str
    alpha: float
    exclusions: Exclusions = field(default_factory=Exclusions)
    truth: float | None = None
    column_labels = {"medel": "Medel", "t": "t", "hedges_g": "Hedges g", "g_nedre": "g KI nedre",
                     "g_ovre": "g KI övre", "sant_varde": "Sant värde"}
    _decimals = {"medel": 2, "sd": 2, "skillnad": 3, "se": 3, "ki_nedre": 3, "ki_ovre": 3, "t": 2, "df": 1,
                 "p": 3, "hedges_g": 2, "g_nedre": 2, "g_ovre": 2}

    # the names compare_forbund and the other effect results use
    @property
    def att(self) -> float:
        return self.difference

    @property
    def n_treated(self) -> int:
        return int(self.groups["n"].iloc[0])

    @property
    def n_control(self) -> int:
        return int(self.groups["n"].iloc[1])

    @property
    def title(self) -> str:
        from ..sv import label_lower

        return f"Skillnad i medelvärde för {label_lower(self.outcome)}: {self.labels[0]} jämfört med {self.labels[1]}"

    @property
    def _small(self) -> bool:
        return bool((self.groups["n"] < get_option("min_count")).any())

    @property
    def caption(self) -> str:
        if self._small:
            return "Minst en grupp är för liten för att redovisas."
        lvl = fmt_num(100 * (1 - self.alpha), 0)
        how = "Welchs t-test" if self.method == "welch" else "t-test med poolad varians"
        return (f"Skillnad {fmt_num(self.difference, 2)}, {lvl} % KI {fmt_ci(*self.ci, 2)} ({how}, "
                f"df = {fmt_num(self.df, 1)}), {fmt_p_eq(self.pvalue)}; Hedges g {fmt_num(self.g, 2)} "
                f"{fmt_ci(*self.g_ci, 2)}.")

    @property
    def notes(self) -> list[str]:
        # the total would give a suppressed group's n back
        n_txt = "" if self._small else f"n = {fmt_num(int(self.groups['n'].sum()), 0)}; "
        out = [f"{n_txt}skillnaden är {self.labels[0]} minus {self.labels[1]}.",
               ("Welchs t-intervall (olika varians i grupperna, Satterthwaites frihetsgrader)."
                if self.method == "welch" else "t-intervall med poolad varians (lika varians antas)."),
               "Hedges g: skillnaden i enheter av den poolade standardavvikelsen, korrigerad för små urval; "
               "intervallet är en normalapproximation (Hedges & Olkin 1985).",
               "En skillnad i medelvärde är en effekt bara om grupperna är jämförbara, t.ex. efter "
               "slumpmässig fördelning; annars är den beskrivande."]
        if self.exclusions:
            out.append("Exkluderat: " + self.exclusions.describe().replace("\n", "; "))
        return out

    def table(self) -> pd.DataFrame:
        """One row per group (n, mean, SD); the difference, its CI, t, df, p and Hedges' g on the first row.

        A group below the suppression threshold masks its n, mean and SD and
        the whole comparison (a difference reveals the small group's mean).
        """
        from ..privacy import suppress_small

        t = self.groups.copy()
        extra = {"skillnad": self.difference, "se": self.se, "ki_nedre": self.ci[0], "ki_ovre": self.ci[1],
                 "t": self.t, "df": self.df, "p": self.pvalue, "hedges_g": self.g, "g_nedre": self.g_ci[0],
                 "g_ovre": self.g_ci[1]}
        for k, v in extra.items():
            t[k] = [v, np.nan]
        if self.truth is not None:
            t["sant_varde"] = [self.truth, np.nan]
        out = suppress_small(t, ["n"], base="n", row_derived=["medel", "sd"])
        if self._small:
            mask = out.attrs["suppressed_mask"]
            cols = [c for c in extra if c not in ("df",)]
            out.loc[out.index[0], cols] = np.nan
            mask.loc[mask.index[0], cols] = True
            out.attrs["n_suppressed"] = int(mask.to_numpy().sum())
        return out

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """Both group means with their t intervals, and the difference with its interval below."""
        from ..plots import GREY, OKABE_ITO, decimal_comma, figure, finish, house_style

        t = self.table()
        with house_style():
            if ax is None:
                fig, axes = figure((6.3, 3.0), ncols=2, gridspec_kw={"width_ratios": [1.3, 1]})
            else:
                fig, axes = ax.figure, [ax, None]
            a = axes[0]
            z = [stats.t.ppf(1 - self.alpha / 2, n - 1) if n > 1 else np.nan for n in self.groups["n"]]
            half = [zi * s / np.sqrt(n) for zi, s, n in zip(z, t["sd"], self.groups["n"])]
            y = np.array([1, 0])
            a.errorbar(t["medel"], y, xerr=[half, half], fmt="o", color=OKABE_ITO[0], capsize=3, ms=6)
            a.set_yticks(y)
            a.set_yticklabels([f"{g}\n(n = {fmt_num(n, 0) if pd.notna(n) else get_option('suppressed_marker')})"
                               for g, n in zip(t["grupp"], t["n"])])
            a.set_ylim(-0.6, 1.6)
            from ..sv import label_lower

            a.set_xlabel(f"Medelvärde av {label_lower(self.outcome)}")
            decimal_comma(a, "x")
            if axes[1] is not None:
                b = axes[1]
                b.axvline(0, color=GREY, lw=0.8, ls="--")
                d, lo, hi = t.loc[t.index[0], ["skillnad", "ki_nedre", "ki_ovre"]]
                if pd.notna(d):
                    b.errorbar([d], [0], xerr=[[d - lo], [hi - d]], fmt="D", color=OKABE_ITO[5], capsize=3, ms=6)
                if self.truth is not None:
                    b.plot([self.truth], [0], "o", mfc="none", color="black", ms=8, label="Sant värde")
                    b.legend(loc="upper right", fontsize=7, frameon=False)
                b.set_yticks([0])
                b.set_yticklabels(["Skillnad"])
                b.set_ylim(-1, 1)
                b.set_xlabel(f"{self.labels[0]} − {self.labels[1]}")
                decimal_comma(b, "x")
            fig.tight_layout(rect=(0, 0, 1, 0.9))
            finish(fig, title=self.title, note=[self.caption])
        return fig if ax is None else ax


def _two_groups(g: pd.Series, treated: Any, control: Any, group: str) -> tuple[Any, Any]:
    levels = list(pd.unique(g.dropna()))
    if treated is not None and control is not None:
        return treated, control
    if treated is not None:
        rest = [v for v in levels if v != treated]
        if len(rest) != 1:
            raise SchemaError(f"difference_in_means: kolumnen {group!r} har {len(levels)} grupper; ange även "
                              f"control=... (finns: {sorted(map(str, levels))}).")
        return treated, rest[0]
    if len(levels) != 2:
        raise SchemaError(f"difference_in_means: kolumnen {group!r} ska ha två grupper men har {len(levels)} "
                          f"({sorted(map(str, levels))[:10]}); ange treated=... och control=....")
    if set(levels) <= {0, 1}:  # also True/False
        return 1, 0
    lv = sorted(levels, key=str)
    return lv[1], lv[0]


def difference_in_means(
    df: pd.DataFrame,
    outcome: str,
    group: str,
    *,
    treated: Any = None,
    control: Any = None,
    method: str = "welch",
    alpha: float = 0.05,
    labels: tuple[str, str] | None = None,
    truth: float | None = None,
) -> MeanDifference:
    """Difference in the mean of a continuous outcome between two groups, with Hedges' g.

    This is the experimental comparison (participants against a randomised
    control group) and needs no covariates; use :func:`match` or
    :func:`regression_table` when the groups differ at baseline.

    Parameters
    ----------
    df
        One row per person.
    outcome
        Numeric outcome column (text that is not a number is an error).
    group
        Column with the two groups; 0/1 (1 = treated) or two labels.
    treated, control
        The values of ``group`` to compare (default: 1 against 0, else the
        second label in sort order against the first).
    method
        ``"welch"`` (default; unequal variances, Satterthwaite df, as
        ``scipy.stats.ttest_ind(equal_var=False)``) or ``"pooled"``.
    alpha
        1 - confidence level.
    labels
        Display names of (treated, control); default the group values.
    truth
        A known true difference (simulations), shown in table and figure.

    Returns
    -------
    MeanDifference

    Raises
    ------
    MissingColumnError
        ``outcome`` or ``group`` is absent.
    SchemaError
        Non-numeric outcome, not exactly two groups, or an unknown ``method``.
    EstimationError
        A group has fewer than two persons with an outcome.

    Examples
    --------
    >>> d = pd.DataFrame({"deltagare": [1] * 6 + [0] * 6,
    ...                   "inkomst": [12, 15, 11, 14, 16, 13, 10, 12, 9, 11, 13, 10]})
    >>> r = difference_in_means(d, "inkomst", "deltagare")
    >>> round(r.difference, 3), round(r.pvalue, 4), round(r.g, 3)
    (2.667, 0.0217, 1.462)
    """
    fn = "difference_in_means"
    _require(df, [outcome, group], fn)
    if method not in ("welch", "pooled"):
        raise SchemaError(f"{fn}: method måste vara 'welch' eller 'pooled', fick {method!r}.")
    if not 0 < alpha < 1:
        raise SchemaError(f"{fn}: alpha måste ligga mellan 0 och 1, fick {alpha!r}.")
    y = _numeric(df[outcome], outcome, fn)
    g = df[group]
    tr, co = _two_groups(g, treated, control, group)
    ex = Exclusions()
    no_group = g.isna().to_numpy()
    ex.add("saknar grupp", int(no_group.sum()), rows=np.nonzero(no_group)[0][:20] + 2, column=group)
    other = (~g.isin([tr, co]) & g.notna()).to_numpy()
    ex.add("tillhör ingen av de jämförda grupperna", int(other.sum()), rows=np.nonzero(other)[0][:20] + 2,
           column=group)
    no_y = (y.isna().to_numpy() & ~no_group & ~other)
    ex.add("saknar utfall", int(no_y.sum()), rows=np.nonzero(no_y)[0][:20] + 2, column=outcome)
    a = y[(g == tr).to_numpy() & ~no_y].to_numpy()
    b = y[(g == co).to_numpy() & ~no_y].to_numpy()
    names = labels or (("Deltagare", "Jämförelsegrupp") if {tr, co} == {1, 0} else (str(tr), str(co)))
    for arr, name in ((a, names[0]), (b, names[1])):
        if len(arr) < 2:
            raise EstimationError(f"{fn}: gruppen {name!r} har {len(arr)} personer med utfall i {outcome!r}; "
                                  "minst två krävs för en standardavvikelse.")
    n1, n2 = len(a), len(b)
    v1, v2 = a.var(ddof=1), b.var(ddof=1)
    diff = float(a.mean() - b.mean())
    if method == "welch":
        se = float(np.sqrt(v1 / n1 + v2 / n2))
        dof = float((v1 / n1 + v2 / n2) ** 2 / ((v1 / n1) ** 2 / (n1 - 1) + (v2 / n2) ** 2 / (n2 - 1))) if se > 0 \
            else float(n1 + n2 - 2)
    else:
        sp2 = ((n1 - 1) * v1 + (n2 - 1) * v2) / (n1 + n2 - 2)
        se = float(np.sqrt(sp2 * (1 / n1 + 1 / n2)))
        dof = float(n1 + n2 - 2)
    if se == 0:
        raise EstimationError(f"{fn}: {outcome!r} har samma värde för alla i båda grupperna; skillnaden har "
                              "ingen spridning att testa.")
    tstat = diff / se
    p = float(2 * stats.t.sf(abs(tstat), dof))
    q = stats.t.ppf(1 - alpha / 2, dof)
    gg, glo, ghi = hedges_g(a, b, alpha)
    groups = pd.DataFrame({"grupp": list(names), "n": [n1, n2], "medel": [a.mean(), b.mean()],
                           "sd": [np.sqrt(v1), np.sqrt(v2)]})
    return MeanDifference(outcome, group, (names[0], names[1]), groups, diff, se, dof, float(tstat), p,
                          (diff - q * se, diff + q * se), gg, (glo, ghi), method, alpha, ex, truth)


# --------------------------------------------------------------------------- regression table


def _formula_text(formula: str) -> str:
    """A model formula in words: ``y ~ deltagare + alder + C(forbund)`` -> ``Y förklarat av deltagare, ålder och förbund``."""
    from ..sv import label, label_lower

    lhs, _, rhs = formula.partition("~")
    terms = []
    for t in (x.strip() for x in rhs.split("+")):
        if not t or t in ("1", "0", "-1"):
            continue
        parts = [re.sub(r"^C\((\w+).*\)$", r"\1", p.strip()) for p in re.split(r"[:*]", t)]
        terms.append(" × ".join(label_lower(p) for p in parts))
    said = ", ".join(terms[:-1]) + (" och " if len(terms) > 1 else "") + (terms[-1] if terms else "")
    return f"{label(lhs.strip())} förklarat av {said}" if said else label(lhs.strip())


def _term_label(term: str) -> str:
    """Printed name of a term: ``C(forbund)[T.Huddinge]`` -> ``Förbund: Huddinge``, ``a:b`` -> ``A × B``.

    Examples
    --------
    >>> _term_label("C(forbund, Treatment('Uppsala'))[T.Huddinge]"), _term_label("deltagare:kon[T.Man]")
    ('Förbund: Huddinge', 'Deltagare × Kön: Man')
    """
    from ..sv import column_label

    if term == "Intercept":
        return "Konstant"
    if ":" in term:
        return " × ".join(_term_label(t) for t in term.split(":"))
    m = re.fullmatch(r"C\((\w+)(?:,.*)?\)\[T\.([^\]]+)\]", term) or re.fullmatch(r"(\w+)\[T\.([^\]]+)\]", term)
    if m:
        return f"{column_label(m.group(1))}: {m.group(2)}"
    return column_label(term) if re.fullmatch(r"\w+", term) else term


@dataclass
class RegressionTable(_Formatted):
    """OLS coefficients with robust or cluster-robust standard errors and intervals.

    Attributes
    ----------
    coefficients
        One row per term: ``term``, ``etikett``, ``koef``, ``se``, ``t``,
        ``p``, ``ki_nedre``, ``ki_ovre``.
    n, n_clusters, df_resid, r2
        Observations used, clusters (or None), residual degrees of freedom
        used for t (``G - 1`` when clustered) and R².
    """

    formula: str
    coefficients: pd.DataFrame
    n: int
    r2: float
    df_resid: float
    se_type: str
    cluster: str | None
    n_clusters: int | None
    alpha: float
    exclusions: Exclusions = field(default_factory=Exclusions)
    extra_notes: list[str] = field(default_factory=list)
    model: Any = field(default=None, repr=False)
    column_labels = {"term": "Term", "etikett": "Variabel", "koef": "Koefficient", "t": "t"}
    _decimals = {"koef": 3, "se": 3, "t": 2, "p": 3, "ki_nedre": 3, "ki_ovre": 3}

    @property
    def title(self) -> str:
        from ..sv import label_lower

        return f"Regression med utfallet {label_lower(self.formula.split('~')[0].strip())}"

    @property
    def se_text(self) -> str:
        if self.cluster:
            return f"klusterrobusta standardfel (kluster: {self.cluster}, {self.n_clusters} kluster, CR1)"
        if self.se_type == "nonrobust":
            return "klassiska standardfel (lika varians antas)"
        return f"heteroskedasticitetsrobusta standardfel ({self.se_type})"

    @property
    def caption(self) -> str:
        return (f"OLS, n = {fmt_num(self.n, 0)}, R² = {fmt_num(self.r2, 3)}; {self.se_text}; "
                f"{fmt_num(100 * (1 - self.alpha), 0)} % KI.")

    @property
    def notes(self) -> list[str]:
        out = [f"Modell: {_formula_text(self.formula)}."]
        if self.cluster:
            out.append(f"t-fördelning med G − 1 = {self.n_clusters - 1} frihetsgrader, som Stata och R fixest.")
        out.extend(self.extra_notes)
        if self.exclusions:
            out.append("Exkluderat: " + self.exclusions.describe().replace("\n", "; "))
        return out

    def table(self) -> pd.DataFrame:
        """One row per coefficient; the number of observations is in the notes (a parameter, never suppressed)."""
        return self.coefficients.copy()

    def plot(self, ax: Any = None, *, intercept: bool = False, **kwargs: Any) -> Any:
        """Coefficient plot: point and interval per term, zero line; the constant left out by default."""
        from ..plots import GREY, OKABE_ITO, decimal_comma, figure, finish, house_style

        t = self.table()
        if not intercept:
            t = t[t["term"] != "Intercept"]
        with house_style():
            if ax is None:
                fig, ax = figure((6.3, 1.4 + 0.38 * max(len(t), 1)))
            else:
                fig = ax.figure
            y = np.arange(len(t))[::-1]
            ax.axvline(0, color=GREY, lw=0.8, ls="--")
            ax.errorbar(t["koef"], y, xerr=[t["koef"] - t["ki_nedre"], t["ki_ovre"] - t["koef"]], fmt="o",
                        color=OKABE_ITO[0], capsize=3, ms=5, lw=1.2)
            ax.set_yticks(y)
            ax.set_yticklabels(t["etikett"])
            ax.set_ylim(-0.6, len(t) - 0.4)
            ax.set_xlabel(f"Koefficient ({fmt_num(100 * (1 - self.alpha), 0)} % KI)")
            ax.tick_params(axis="y", length=0)
            decimal_comma(ax, "x")
            fig.tight_layout(rect=(0, 0, 1, 0.9))
            finish(fig, title=self.title, note=[self.caption])
        return ax


def regression_table(
    df: pd.DataFrame,
    formula: str | None = None,
    *,
    y: str | None = None,
    X: list[str] | None = None,
    robust: str | None = "HC1",
    cluster: str | None = None,
    alpha: float = 0.05,
) -> RegressionTable:
    """An OLS regression table with robust or clustered standard errors.

    Parameters
    ----------
    df
        One row per observation.
    formula
        A formula as in R and statsmodels, ``"inkomst ~ deltagare + alder +
        C(forbund)"``; or give ``y`` and ``X`` (column names, an intercept is
        added).
    robust
        ``"HC1"`` (default, as Stata's ``robust``), ``"HC0"``, ``"HC2"``,
        ``"HC3"`` or ``"nonrobust"``/None (classical). Ignored when ``cluster``
        is given.
    cluster
        Column to cluster on (e.g. ``forbund`` or person id in a panel):
        CR1 standard errors with ``G / (G - 1) * (n - 1) / (n - k)`` and a t
        distribution with ``G - 1`` df (Stata, fixest). Fewer than 30
        clusters give a :class:`~finsam_eval.effects.FewClustersWarning`.
    alpha
        1 - confidence level.

    Returns
    -------
    RegressionTable

    Raises
    ------
    MissingColumnError
        A column in the model is absent.
    SchemaError
        Neither ``formula`` nor ``y``/``X``, an unknown ``robust``, a formula
        that cannot be read.
    EstimationError
        Fewer observations than coefficients, or collinear regressors.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> d = pd.DataFrame({"deltagare": rng.integers(0, 2, 200), "alder": rng.normal(40, 10, 200)})
    >>> d["inkomst"] = 100 + 20 * d["deltagare"] + 2 * d["alder"] + rng.normal(0, 30, 200)
    >>> r = regression_table(d, "inkomst ~ deltagare + alder")
    >>> r.table()[["term", "koef"]].round(1)
            term   koef
    0  Intercept  110.3
    1  deltagare   21.4
    2      alder    1.8
    """
    import patsy
    import statsmodels.formula.api as smf

    fn = "regression_table"
    if not isinstance(df, pd.DataFrame):
        raise SchemaError(f"{fn} tar en pandas DataFrame, fick {type(df).__name__}.")
    if formula is None:
        if y is None or not X:
            raise SchemaError(f"{fn}: ange formula='y ~ x1 + x2' eller y='...' och X=[...].")
        _require(df, [y, *X], fn)
        formula = f"Q('{y}') ~ " + " + ".join(f"Q('{x}')" for x in X)
        pretty = f"{y} ~ " + " + ".join(X)
    else:
        if "~" not in formula:
            raise SchemaError(f"{fn}: formeln {formula!r} saknar '~' (skriv 'utfall ~ x1 + x2').")
        pretty = formula
    robust = "nonrobust" if robust is None else robust
    if robust not in ROBUST:
        raise SchemaError(f"{fn}: robust måste vara en av {', '.join(ROBUST)}, fick {robust!r}.")
    if cluster is not None:
        _require(df, [cluster], fn)
    try:
        desc = patsy.ModelDesc.from_formula(formula)
        used = sorted({f.name() for t in [*desc.lhs_termlist, *desc.rhs_termlist] for f in t.factors})
    except Exception as exc:  # noqa: BLE001 - patsy raises its own errors; ours names the formula
        raise SchemaError(f"{fn}: formeln {formula!r} kan inte läsas ({exc}).") from exc
    cols = [c for c in df.columns if any(re.search(rf"(?<![\w.]){re.escape(str(c))}(?![\w])", u) for u in used)]
    keep_cols = cols + ([cluster] if cluster else [])
    lhs = {f.name() for t in desc.lhs_termlist for f in t.factors}
    numeric_y = {c: _numeric(df[c], c, fn) for c in cols  # on the whole table, so line numbers are the file's
                 if any(re.search(rf"(?<![\w.]){re.escape(str(c))}(?![\w])", u) for u in lhs)}
    ex = Exclusions()
    miss = df[keep_cols].isna().any(axis=1).to_numpy()
    for c in keep_cols:
        m = df[c].isna().to_numpy()
        ex.add("saknat värde", int(m.sum()), rows=np.nonzero(m)[0][:20] + 2, column=c)
    d = df.assign(**numeric_y).loc[~miss] if numeric_y else df.loc[~miss]
    try:
        mod = smf.ols(formula, data=d)
    except patsy.PatsyError as exc:
        raise MissingColumnError(f"{fn}: formeln {pretty!r} kan inte byggas av tabellen ({exc}); tabellen har "
                                 f"{list(df.columns)}.") from exc
    k = mod.exog.shape[1]
    n = mod.exog.shape[0]
    if n <= k:
        raise EstimationError(f"{fn}: {n} observationer räcker inte för {k} koefficienter.")
    if np.linalg.matrix_rank(mod.exog) < k:
        raise EstimationError(f"{fn}: förklaringsvariablerna är linjärt beroende (kollinjära); ta bort någon av "
                              f"{mod.exog_names}.")
    notes: list[str] = []
    if cluster:
        groups = pd.factorize(d[cluster])[0]
        G = int(groups.max() + 1)
        if G < 2:
            raise EstimationError(f"{fn}: klustervariabeln {cluster!r} har bara ett värde.")
        from .inference import FEW_CLUSTERS, FewClustersWarning

        if G < FEW_CLUSTERS:
            msg = (f"Endast {G} kluster i {cluster!r}: klusterrobusta standardfel är opålitliga med färre än cirka "
                   f"{FEW_CLUSTERS} kluster. Använd wild_cluster_bootstrap eller randomisation_inference.")
            warnings.warn(msg, FewClustersWarning, stacklevel=2)
            notes.append(msg)
        res = mod.fit(cov_type="cluster", cov_kwds={"groups": groups}, use_t=True)
        se_type = "cluster"
    else:
        G = None
        res = mod.fit(cov_type=robust, use_t=True)
        se_type = robust
    ci = np.asarray(res.conf_int(alpha))
    names = [n_.replace("Q('", "").replace("')", "") for n_ in res.model.exog_names]
    coef = pd.DataFrame({"term": names, "etikett": [_term_label(t) for t in names],
                         "koef": np.asarray(res.params), "se": np.asarray(res.bse), "t": np.asarray(res.tvalues),
                         "p": np.asarray(res.pvalues), "ki_nedre": ci[:, 0], "ki_ovre": ci[:, 1]})
    return RegressionTable(pretty, coef, int(res.nobs), float(res.rsquared), float(res.df_resid_inference
                           if getattr(res, "df_resid_inference", None) is not None else res.df_resid),
                           se_type, cluster, G, alpha, ex, notes, res)
