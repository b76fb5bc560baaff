"""The same effect estimator per förbund and pooled, side by side.

:func:`compare_forbund` runs one estimator (matching, difference-in-differences
or any callable) within every förbund and on all of them together ("Alla"),
and tests whether the förbund differ: Cochran's Q on the per-förbund estimates
and standard errors, with I² (Higgins & Thompson 2002) and the chi-square
p-value. With three förbund the test has little power: a non-significant Q is
not evidence that the effects are equal.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import EstimationError, MissingColumnError, SchemaError
from ..sv import fmt_num
from .match import _Formatted, _p_eq, match

__all__ = ["compare_forbund", "ForbundComparison", "heterogeneity"]

POOLED = "Alla"


def heterogeneity(estimates: Any, ses: Any) -> dict[str, float]:
    """Cochran's Q, its p-value (chi-square, k - 1 df), I² and the fixed-effect pooled estimate.

    Examples
    --------
    >>> h = heterogeneity([0.10, 0.02, 0.15], [0.03, 0.04, 0.05])
    >>> round(h["Q"], 3), h["df"], round(h["I2"], 3)
    (4.579, 2, 0.563)
    """
    est = np.asarray(estimates, dtype=float)
    se = np.asarray(ses, dtype=float)
    ok = np.isfinite(est) & np.isfinite(se) & (se > 0)
    est, se = est[ok], se[ok]
    k = len(est)
    if k < 2:
        return {"Q": np.nan, "df": max(k - 1, 0), "p": np.nan, "I2": np.nan, "fixed": np.nan, "fixed_se": np.nan}
    w = 1 / se**2
    fixed = float(np.sum(w * est) / np.sum(w))
    q = float(np.sum(w * (est - fixed) ** 2))
    df = k - 1
    return {"Q": q, "df": df, "p": float(stats.chi2.sf(q, df)), "I2": max(0.0, (q - df) / q) if q > 0 else 0.0,
            "fixed": fixed, "fixed_se": float(np.sqrt(1 / np.sum(w)))}


@dataclass
class ForbundComparison(_Formatted):
    """Per-förbund and pooled estimates with a heterogeneity test.

    Attributes
    ----------
    estimates
        One row per förbund and one for ``"Alla"``: ``att``, ``se``,
        ``ki_nedre``, ``ki_ovre``, ``p``, ``n_deltagare``, ``n_kontroller``.
    results
        The estimator's own result object per group (balance tables etc.).
    Q, Q_df, Q_p, I2
        Cochran's Q, degrees of freedom, p-value and I².
    """

    outcome: str
    by: str
    method: str
    estimates: pd.DataFrame
    results: dict[str, Any] = field(repr=False)
    Q: float = np.nan
    Q_df: int = 0
    Q_p: float = np.nan
    I2: float = np.nan
    truth: dict[str, float] | None = None
    extra_notes: list[str] = field(default_factory=list)
    _decimals = {"att": 3, "se": 3, "ki_nedre": 3, "ki_ovre": 3, "p": 3, "sant_varde": 3}

    @property
    def title(self) -> str:
        from ..sv import label_lower

        return f"Effekt på {label_lower(self.outcome)} per förbund ({self.method})"

    @property
    def caption(self) -> str:
        if not np.isfinite(self.Q):
            return "Heterogenitetstest kräver minst två förbund med skattningar."
        return (f"Skillnader mellan förbund: Cochrans Q = {fmt_num(self.Q, 2)} (df = {self.Q_df}), "
                f"{_p_eq(self.Q_p)}, I² = {fmt_num(100 * self.I2, 0)} %.")

    @property
    def notes(self) -> list[str]:
        out = [self.caption]
        if self.Q_df < 4:
            out.append("Med så få förbund har heterogenitetstestet låg styrka: ett icke-signifikant Q betyder inte "
                       "att effekterna är lika.")
        out.append(self._pooled_note())
        out.extend(self.extra_notes)
        return out

    def _pooled_note(self) -> str:
        """What the pooled row is, and the mean of the förbund's own estimates a reader will compare it with."""
        e = self.estimates
        own = e[(e["grupp"] != POOLED) & np.isfinite(e["att"].astype(float))]
        text = f"{POOLED}: samma skattning på alla förbund tillsammans."
        if POOLED in set(e["grupp"]) and len(own) >= 2:
            w = own["n_deltagare"].astype(float)
            mean = float(np.sum(w * own["att"].astype(float)) / np.sum(w))
            text = (f"{POOLED}: samma skattning gjord på alla förbund tillsammans, med en gemensam modell; den är "
                    "därför inte exakt medelvärdet av förbundens egna skattningar (medelvärdet av dem, viktat med "
                    f"antalet deltagare, är {fmt_num(mean, 3)}).")
        return text

    def table(self) -> pd.DataFrame:
        from ..privacy import suppress_small

        t = self.estimates.copy()
        if self.truth:
            t["sant_varde"] = t["grupp"].map(self.truth)
        return suppress_small(t, ["n_deltagare", "n_kontroller"], base="n_deltagare",
                              row_derived=["att", "se", "ki_nedre", "ki_ovre", "p"])

    def plot(self, ax: Any = None, *, percent: bool = False, **kwargs: Any) -> Any:
        from ._plots import forest_plot

        t = self.table().rename(columns={"grupp": "etikett"})
        t = t[t["att"].notna()]
        note = [self.caption, "Fyrkant: förbund med 95 % KI; romb: alla förbund tillsammans."]
        return forest_plot(t, pooled=POOLED, ax=ax, title=self.title, xlabel=f"Skattad effekt på {_label_lower(self.outcome)}",
                           note=note, truth=self.truth, percent=percent, **kwargs)


def _label_lower(name: str) -> str:
    from ..sv import label_lower

    return label_lower(name)


def _row(label: str, res: Any) -> dict[str, Any]:
    ci = getattr(res, "ci", None)
    lo, hi = (ci if ci is not None else (getattr(res, "ci_low", np.nan), getattr(res, "ci_high", np.nan)))
    return {"grupp": label, "att": float(res.att), "se": float(res.se), "ki_nedre": float(lo), "ki_ovre": float(hi),
            "p": float(getattr(res, "pvalue", np.nan)), "n_deltagare": int(res.n_treated),
            "n_kontroller": int(res.n_control)}


def compare_forbund(
    data: pd.DataFrame,
    outcome: str,
    *,
    by: str = "forbund",
    estimator: str | Callable[..., Any] = "match",
    treatment: str = "deltagare",
    covariates: list[str] | None = None,
    exact: str | list[str] | None = None,
    adjust: bool = False,
    pooled: bool = True,
    truth: dict[str, float] | None = None,
    **kwargs: Any,
) -> ForbundComparison:
    """Estimate the effect within each förbund and pooled, and test for differences.

    Parameters
    ----------
    data
        ``estimator="match"``: one row per person (see
        :func:`~finsam_eval.effects.person_baseline`); ``"did"``: the
        person-period panel.
    outcome
        Outcome column.
    by
        Grouping column (default ``forbund``).
    estimator
        ``"match"`` (:func:`~finsam_eval.effects.match` then
        ``effect(outcome)``), ``"did"`` (:func:`finsam_eval.effects.did.did`),
        ``"difference_in_means"`` (the experimental comparison without
        covariates, :func:`~finsam_eval.effects.regression.difference_in_means`)
        or a callable ``f(subset, outcome, **kwargs)`` returning an object with
        ``att``, ``se``, ``ci`` (or ``ci_low``/``ci_high``), ``pvalue``,
        ``n_treated`` and ``n_control``.
    covariates, exact, adjust
        Passed to :func:`match` / ``effect`` (``covariates`` also to ``did``).
        For the pooled match, ``by`` is added to ``exact`` so that
        participants are compared with controls in their own förbund.
    pooled
        Also estimate on all förbund together (row ``"Alla"``).
    truth
        Known true effects per group (sample data, simulations), shown in
        table and plot.
    **kwargs
        Further arguments to the estimator (e.g. ``ratio``, ``caliper``).

    Returns
    -------
    ForbundComparison

    Examples
    --------
    >>> from finsam_eval.effects.match import _simulate
    >>> d = _simulate(6000, effect=0.1, seed=2)
    >>> c = compare_forbund(d, "arbete_studier", covariates=["alder", "kon", "utbildning"])
    >>> c.estimates["grupp"].tolist()
    ['Botkyrka', 'Huddinge', 'Södertälje', 'Alla']
    """
    if by not in data.columns:
        raise MissingColumnError(f"compare_forbund: grupperingskolumnen {by!r} saknas; data har {list(data.columns)}.")
    extra: list[str] = []
    if estimator == "match":
        if not covariates:
            raise SchemaError("compare_forbund(estimator='match') kräver covariates=[...]; utan kovariater (t.ex. "
                              "efter slumpmässig fördelning) använd estimator='difference_in_means'.")
        base_exact = [exact] if isinstance(exact, str) else list(exact or [])
        within_exact = [c for c in base_exact if c != by]
        match_kw = {k: v for k, v in kwargs.items() if k != "cluster"}

        def run(sub: pd.DataFrame, pooled_run: bool) -> Any:
            ex = [by, *within_exact] if pooled_run else within_exact
            m = match(sub, treatment, covariates, exact=ex or None, **match_kw)
            return m.effect(outcome, adjust=adjust)

        method = "matchning" + (" + regression" if adjust else "")
    elif estimator == "did":
        try:
            from .did import did
        except ImportError as exc:  # pragma: no cover - the DiD module ships with the package
            raise EstimationError("estimator='did' kräver finsam_eval.effects.did.") from exc

        def run(sub: pd.DataFrame, pooled_run: bool) -> Any:
            return did(sub, outcome, treat=treatment, covariates=covariates, **kwargs)

        method = "skillnad-i-skillnader"
    elif estimator in ("difference_in_means", "dim"):
        from .regression import difference_in_means

        def run(sub: pd.DataFrame, pooled_run: bool) -> Any:
            return difference_in_means(sub, outcome, treatment, **kwargs)

        method = "skillnad i medelvärde"
        if pooled:
            extra.append(f"{POOLED}: skillnaden i medelvärde på alla förbund tillsammans (utan hänsyn till förbund).")
    elif callable(estimator):

        def run(sub: pd.DataFrame, pooled_run: bool) -> Any:
            return estimator(sub, outcome, **kwargs)

        method = getattr(estimator, "__name__", "egen skattare")
    else:
        raise SchemaError(f"estimator måste vara 'match', 'did', 'difference_in_means' eller en funktion, fick "
                          f"{estimator!r}.")

    groups = sorted(pd.unique(data[by].dropna()), key=str)
    n_missing = int(data[by].isna().sum())
    if n_missing:
        extra.append(f"{n_missing} rader utan värde i {by!r} ingår bara i {POOLED}.")
    rows, results = [], {}
    for g in groups:
        try:
            res = run(data[data[by] == g], False)
        except EstimationError as exc:
            extra.append(f"{g}: ingen skattning ({exc})")
            continue
        results[str(g)] = res
        rows.append(_row(str(g), res))
    if not rows:
        raise EstimationError(f"compare_forbund: ingen grupp i {by!r} gav en skattning: " + " ".join(extra))
    h = heterogeneity([r["att"] for r in rows], [r["se"] for r in rows])
    if pooled:
        res = run(data, True)
        results[POOLED] = res
        rows.append(_row(POOLED, res))
    return ForbundComparison(outcome=outcome, by=by, method=method, estimates=pd.DataFrame(rows), results=results,
                             Q=h["Q"], Q_df=int(h["df"]), Q_p=h["p"], I2=h["I2"], truth=truth, extra_notes=extra)
