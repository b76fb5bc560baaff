"""Propensity score matching of participants to non-participants.

The workflow follows R's MatchIt and cobalt: :func:`match` estimates a
propensity score by logistic regression, pairs every participant with its
nearest non-participant(s) on the logit of the score (optionally within exact
strata such as förbund and kön, and within a caliper), and returns a
:class:`MatchResult` that knows its balance table, love plot and overlap plot.
The outcome analysis is a separate, explicit step: :meth:`MatchResult.effect`.

Design choices, so a reader of the method appendix can check them:

- Distance: the linear predictor (logit) of the propensity score; the caliper
  is ``caliper`` standard deviations of the logit score over all units with
  complete data (as MatchIt's ``std.caliper=TRUE``).
- Greedy matching without replacement processes participants in the order of
  ``m_order`` (default ``"largest"`` score first, MatchIt's default), and with
  ``ratio > 1`` in rounds: every participant gets its first control before
  anyone gets a second one. Free controls are found with two "next free
  neighbour" union-find arrays over the score-sorted controls, so each look-up
  is almost constant time; there is no loop over pairs.
- Matching with replacement is fully vectorised: ``np.searchsorted`` finds each
  participant's place among the sorted controls and the ``ratio`` nearest are
  taken from the ``2 * ratio`` neighbours around it.
- Standardised mean differences use the pooled SD of the *unmatched*
  participants and controls, ``sqrt((s_t^2 + s_c^2) / 2)``, before and after
  matching (a fixed denominator, so a change in the SMD is a change in the
  means). cobalt's default for the ATT uses the participants' SD only; the
  pooled SD is the common choice in the applied literature (Austin 2009).
- The effect's standard error comes from a weighted regression on the matched
  sample with standard errors clustered on the matched set (``subclass``),
  which accounts for the pairing (Austin 2011; Abadie & Spiess 2022). It does
  not account for the estimation of the propensity score.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from .._warn import warn
from ..errors import EstimationError, MissingColumnError, SchemaError
from ..results import Exclusions, ResultMixin
from ..sv import column_label, fmt_ci, fmt_num, fmt_p, fmt_p_eq

__all__ = ["match", "MatchResult", "EffectResult", "person_baseline"]

_REASON_MISSING = "saknade värden i kovariater, behandling eller exakta variabler"
_REASON_STRATUM = "ingen kontroll i samma exakta stratum"
_REASON_CALIPER = "ingen kontroll inom caliper"


# --------------------------------------------------------------------------- helpers


_p_eq = fmt_p_eq  # caption phrase, shared with compare and rates


def _check_columns(data: pd.DataFrame, cols: list[str], what: str) -> None:
    missing = [c for c in cols if c not in data.columns]
    if missing:
        raise MissingColumnError(
            f"{what}: kolumnerna {missing} saknas i data. Tillgängliga kolumner: {list(data.columns)}."
        )


def _is_categorical(s: pd.Series) -> bool:
    return not (pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s))


def _design(data: pd.DataFrame, covariates: list[str], *, drop_first: bool) -> pd.DataFrame:
    """Numeric design matrix: numeric columns as they are, categoricals one-hot."""
    parts = []
    for c in covariates:
        s = data[c]
        if _is_categorical(s):
            d = pd.get_dummies(s.astype("category"), prefix=c, prefix_sep=": ", drop_first=drop_first, dtype=float)
            parts.append(d)
        else:
            parts.append(s.astype(float).rename(c))
    return pd.concat(parts, axis=1) if parts else pd.DataFrame(index=data.index)


def _fit_logit(y: np.ndarray, X: pd.DataFrame) -> tuple[np.ndarray, list[str]]:
    """Logit fit with convergence problems turned into notes or clear errors."""
    import statsmodels.api as sm
    from statsmodels.tools.sm_exceptions import ConvergenceWarning, PerfectSeparationError, PerfectSeparationWarning

    notes: list[str] = []
    Xc = sm.add_constant(X, has_constant="add")
    const_cols = [c for c in X.columns if X[c].nunique() <= 1]
    if const_cols:
        raise EstimationError(
            f"Kovariaterna {const_cols} är konstanta bland enheterna med fullständiga data och kan inte ingå "
            "i propensity score-modellen. Ta bort dem ur covariates (eller lägg dem i exact=)."
        )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            fit = sm.Logit(y, Xc).fit(method="newton", maxiter=100, disp=0)
        except (PerfectSeparationError, np.linalg.LinAlgError) as exc:
            raise EstimationError(
                "Propensity score-modellen kunde inte skattas: perfekt separation eller singulär design "
                "(någon kovariat eller kombination skiljer deltagare och kontroller helt åt, dvs. ingen överlappning). "
                "Ta bort eller grovindela kovariaten, eller matcha exakt på den. "
                f"({type(exc).__name__})"
            ) from exc
    kinds = {type(w.message) for w in caught if isinstance(w.message, Warning)}
    params = np.asarray(fit.params, dtype=float)
    if PerfectSeparationWarning in kinds or not np.all(np.isfinite(params)):
        raise EstimationError(
            "Propensity score-modellen visar (nästan) perfekt separation: några kovariatvärden finns bara hos "
            "deltagare eller bara hos kontroller, dvs. ingen överlappning där. Grovindela eller ta bort kovariaten, "
            "eller matcha exakt på den."
        )
    converged = bool(fit.mle_retvals.get("converged", True))
    if not converged or ConvergenceWarning in kinds:
        # Name the likely culprits: dummies whose level occurs in only one group (quasi-separation).
        culprits = []
        for c in X.columns:
            x = X[c].to_numpy()
            if np.isin(x, (0.0, 1.0)).all():
                for level in (0.0, 1.0):
                    sel = x == level
                    if sel.any() and (y[sel].min() == y[sel].max()):
                        culprits.append(str(c))
                        break
        where = (f" Kategorier som bara finns bland deltagare eller bara bland kontroller: {', '.join(culprits)}; "
                 "slå ihop dem med en annan kategori eller matcha exakt på variabeln." if culprits else
                 " Kontrollera kovariater med få observationer i någon kategori.")
        msg = (
            "Propensity score-modellen konvergerade inte (Newton-Raphson, 100 iterationer); skattningarna kan "
            "vara osäkra." + where
        )
        warn(msg, RuntimeWarning, stacklevel=3)
        notes.append(msg)
    return params, notes


def _weighted_mean_var(x: np.ndarray, w: np.ndarray) -> tuple[float, float]:
    sw = w.sum()
    if sw <= 0:
        return np.nan, np.nan
    m = float(np.sum(w * x) / sw)
    # Reliability-weights correction, as cobalt's col_w_sd.
    v1, v2 = sw, np.sum(w**2)
    denom = v1 - v2 / v1
    v = float(np.sum(w * (x - m) ** 2) / denom) if denom > 0 else np.nan
    return m, v


# --------------------------------------------------------------------------- matching cores


def _match_with_replacement(t_lp: np.ndarray, c_lp_sorted: np.ndarray, ratio: int, width: float) -> np.ndarray:
    """Indices (into the sorted controls) of the ``ratio`` nearest, -1 where none within ``width``."""
    n_c = len(c_lp_sorted)
    pos = np.searchsorted(c_lp_sorted, t_lp)
    offsets = np.arange(-ratio, ratio)
    cand = pos[:, None] + offsets[None, :]
    valid = (cand >= 0) & (cand < n_c)
    cand_c = np.clip(cand, 0, n_c - 1)
    dist = np.abs(c_lp_sorted[cand_c] - t_lp[:, None])
    dist[~valid] = np.inf
    order = np.argsort(dist, axis=1, kind="stable")[:, :ratio]
    picked = np.take_along_axis(cand_c, order, axis=1)
    pdist = np.take_along_axis(dist, order, axis=1)
    picked[~(pdist <= width)] = -1
    return picked


def _find(parent: list[int], i: int) -> int:
    root = i
    while parent[root] != root:
        root = parent[root]
    while parent[i] != root:  # path compression
        parent[i], i = root, parent[i]
    return root


def _match_without_replacement(
    t_lp: np.ndarray, c_lp_sorted: np.ndarray, ratio: int, width: float, order: np.ndarray
) -> np.ndarray:
    """Greedy nearest neighbour without replacement; returns (n_t, ratio) indices, -1 = none."""
    n_c = len(c_lp_sorted)
    out = np.full((len(t_lp), ratio), -1, dtype=np.int64)
    pos = np.searchsorted(c_lp_sorted, t_lp).tolist()
    c = c_lp_sorted.tolist()
    t = t_lp.tolist()
    # right[i]: next free control at index >= i (n = none); left[i+1]: next free at index <= i (0 = none).
    right = list(range(n_c + 1))
    left = list(range(n_c + 1))
    alive = np.ones(len(t_lp), dtype=bool)
    for r in range(ratio):
        for i in order.tolist():
            if not alive[i]:
                continue
            p = pos[i]
            ri = _find(right, p)
            li = _find(left, p) - 1  # left is shifted by one
            d_r = c[ri] - t[i] if ri < n_c else np.inf
            d_l = t[i] - c[li] if li >= 0 else np.inf
            j = ri if d_r < d_l else li  # ties go left (lower score), deterministic
            d = min(d_r, d_l)
            if j < 0 or j >= n_c or not d <= width:
                alive[i] = False  # nothing free within the caliper now, nor in later rounds
                continue
            out[i, r] = j
            right[j] = j + 1
            left[j + 1] = j
    return out


# --------------------------------------------------------------------------- results


class _Formatted(ResultMixin):
    """ResultMixin with per-column decimals in ``summary()`` and ``_repr_html_``."""

    _decimals: int | dict[str, int] = 3

    def _formatted(self, t: pd.DataFrame) -> pd.DataFrame:
        from ..sv import format_table

        out = format_table(t, self._decimals)
        if "p" in t.columns:  # p-values as "< 0,001", suppressed cells keep their marker
            keep = out["p"] == ""
            out["p"] = [fmt_p(v) if not k else "" for v, k in zip(t["p"], keep)]
            mask = t.attrs.get("suppressed_mask")
            if mask is not None and "p" in mask.columns:
                from .._config import get_option

                out.loc[mask["p"].reindex(t.index).fillna(False).astype(bool).to_numpy(), "p"] = get_option(
                    "suppressed_marker")
        return out

    def summary(self) -> str:

        t = self.table()
        body = self._formatted(t).to_string(index=False)
        parts = [self.title or type(self).__name__, body]
        if self.caption:
            parts.insert(1, self.caption)
        notes = self._notes()
        if notes:
            parts.append("\n".join(f"Not: {n}" for n in notes))
        return "\n\n".join(parts)

    def _repr_html_(self) -> str:
        import html


        t = self.table()
        body = self._formatted(t).to_html(index=False, border=0)
        notes = "".join(f"<li>{html.escape(n)}</li>" for n in self._notes())
        cap = f"<p><em>{html.escape(self.caption)}</em></p>" if self.caption else ""
        return (f"<div class='finsam-result'><h4>{html.escape(self.title)}</h4>{cap}{body}"
                + (f"<ul style='font-size:smaller'>{notes}</ul>" if notes else "") + "</div>")


@dataclass
class EffectResult(_Formatted):
    """Effect estimate (ATT) from a matched sample or another estimator.

    Attributes
    ----------
    att, se, ci_low, ci_high, pvalue
        Estimate, standard error, 95 % (or ``1 - alpha``) CI and two-sided p-value.
    n_treated, n_control
        Participants and distinct controls behind the estimate.
    """

    outcome: str
    att: float
    se: float
    ci_low: float
    ci_high: float
    pvalue: float
    n_treated: int
    n_control: int
    method: str = "Matchning"
    alpha: float = 0.05
    mean_treated: float = np.nan
    mean_control: float = np.nan
    truth: float | None = None
    notes: list[str] = field(default_factory=list)
    model: Any = field(default=None, repr=False)

    @property
    def ci(self) -> tuple[float, float]:
        return (self.ci_low, self.ci_high)

    @property
    def title(self) -> str:
        return f"Effekt på {self.outcome} ({self.method})"

    @property
    def caption(self) -> str:
        lvl = fmt_num(100 * (1 - self.alpha), 0)
        return (
            f"Skattad effekt (ATT) {fmt_num(self.att, 3)}, {lvl} % KI {fmt_ci(self.ci_low, self.ci_high, 3)}, "
            f"{_p_eq(self.pvalue)}; {fmt_num(self.n_treated, 0)} deltagare och {fmt_num(self.n_control, 0)} kontroller."
        )

    def table(self) -> pd.DataFrame:
        from ..privacy import suppress_small

        t = pd.DataFrame(
            [
                {
                    "utfall": self.outcome,
                    "metod": self.method,
                    "medel_deltagare": self.mean_treated,
                    "medel_kontroller": self.mean_control,
                    "att": self.att,
                    "se": self.se,
                    "ki_nedre": self.ci_low,
                    "ki_ovre": self.ci_high,
                    "p": self.pvalue,
                    "n_deltagare": int(self.n_treated),
                    "n_kontroller": int(self.n_control),
                }
            ]
        )
        return suppress_small(
            t, ["n_deltagare", "n_kontroller"], base="n_deltagare",
            row_derived=["medel_deltagare", "medel_kontroller", "att", "se", "ki_nedre", "ki_ovre", "p"],
        )

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        from ._plots import forest_plot

        rows = pd.DataFrame(
            [{"etikett": self.method, "att": self.att, "ki_nedre": self.ci_low, "ki_ovre": self.ci_high,
              "n_deltagare": self.n_treated, "n_kontroller": self.n_control}]
        )
        return forest_plot(rows, ax=ax, title=self.title, xlabel=f"Effekt på {self.outcome}", truth=self.truth,
                           **kwargs)


@dataclass
class MatchResult(_Formatted):
    """What :func:`match` returns: the matched sample, balance and counts.

    Attributes
    ----------
    matched
        One row per matched unit (participants and the controls used) with
        the original columns plus ``ps`` (propensity score), ``logit_ps``,
        ``subclass`` (= ``pair_id``, the matched set; a control used by several
        participants keeps the first) and ``weights`` (ATT weights:
        participants 1, a control ``1/k`` summed over its uses).
    pairs
        Long form used for effects: one row per unit per matched set; with
        replacement a control appears once for every participant it serves.
    counts
        Participants and controls: total, matched and left out, by reason.
    exclusions
        The same left-out units as an :class:`~finsam_eval.results.Exclusions`.
    """

    data: pd.DataFrame = field(repr=False)
    treatment: str
    covariates: list[str]
    exact: list[str]
    ratio: int
    replace: bool
    caliper: float | None
    caliper_width: float
    estimand: str
    m_order: str
    random_state: int
    ps: pd.Series = field(repr=False)
    logit_ps: pd.Series = field(repr=False)
    matched: pd.DataFrame = field(repr=False)
    pairs: pd.DataFrame = field(repr=False)
    counts: pd.DataFrame
    exclusions: Exclusions
    params: pd.Series = field(repr=False)
    fit_notes: list[str] = field(default_factory=list)
    threshold: float = 0.1
    _decimals = 3

    # ------------------------------------------------------------------ contract
    @property
    def title(self) -> str:
        return "Balans före och efter matchning"

    @property
    def caption(self) -> str:
        n_t = int(self.n_treated_matched)
        n_c = int((self.matched[self.treatment] == 0).sum())
        return (
            f"Propensity score-matchning 1:{self.ratio} {'med' if self.replace else 'utan'} återläggning"
            + (f", caliper {fmt_num(self.caliper, 2)} SD" if self.caliper is not None else "")
            + (f", exakt på {', '.join(column_label(e).lower() for e in self.exact)}" if self.exact else "")
            + f": {fmt_num(n_t, 0)} deltagare och {fmt_num(n_c, 0)} kontroller."
        )

    @property
    def n_treated_matched(self) -> int:
        return int((self.matched[self.treatment] == 1).sum())

    @property
    def notes(self) -> list[str]:
        out = [self.caption]
        if self.exclusions:
            out.append("Ej matchade: " + "; ".join(e.describe() for e in self.exclusions.items) + ".")
        bal = self.balance()
        bad = bal.loc[bal["obalans"], "variabel"].tolist()
        if bad:
            out.append(f"Standardiserad medelvärdesskillnad över {fmt_num(self.threshold, 1)} efter matchning: "
                       + ", ".join(bad) + ".")
        else:
            out.append(f"Alla standardiserade medelvärdesskillnader under {fmt_num(self.threshold, 1)} efter matchning.")
        out.append("SMD med poolad SD för omatchade deltagare och kontroller som nämnare.")
        out.extend(self.fit_notes)
        return out

    def table(self) -> pd.DataFrame:
        return self.balance()

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        return self.love_plot(ax=ax, **kwargs)

    # ------------------------------------------------------------------ balance
    def _balance_design(self) -> pd.DataFrame:
        X = _design(self.data, self.covariates, drop_first=False)
        X.insert(0, "Propensity score (logit)", self.logit_ps.reindex(self.data.index))
        return X

    def balance(self, threshold: float | None = None) -> pd.DataFrame:
        """Balance table: means, SMD and variance ratios before and after matching.

        Returns
        -------
        pandas.DataFrame
            One row per covariate (categoricals one row per level) with
            ``medel_deltagare_fore``, ``medel_kontroller_fore``, ``smd_fore``,
            ``vr_fore``, the same ``_efter``, and ``obalans`` (True when
            ``|smd_efter|`` exceeds ``threshold``, default 0.1). Variance
            ratios are left empty for binary variables.
        """
        thr = self.threshold if threshold is None else threshold
        X = self._balance_design()
        treat = self.data[self.treatment].to_numpy() == 1
        w_after = self.unit_weights.reindex(self.data.index).to_numpy()
        rows = []
        for col in X.columns:
            x = X[col].to_numpy(dtype=float)
            binary = np.isin(x, (0.0, 1.0)).all()
            mt, vt = _weighted_mean_var(x[treat], np.ones(treat.sum()))
            mc, vc = _weighted_mean_var(x[~treat], np.ones((~treat).sum()))
            sd = np.sqrt((vt + vc) / 2)
            wt, wc = w_after[treat], w_after[~treat]
            mt_a, vt_a = _weighted_mean_var(x[treat], wt)
            mc_a, vc_a = _weighted_mean_var(x[~treat], wc)
            rows.append(
                {
                    "variabel": col,
                    "typ": "binär" if binary else "kontinuerlig",
                    "medel_deltagare_fore": mt,
                    "medel_kontroller_fore": mc,
                    "smd_fore": (mt - mc) / sd if sd > 0 else 0.0,
                    "vr_fore": np.nan if binary or vc == 0 else vt / vc,
                    "medel_deltagare_efter": mt_a,
                    "medel_kontroller_efter": mc_a,
                    "smd_efter": (mt_a - mc_a) / sd if sd > 0 else 0.0,
                    "vr_efter": np.nan if binary or not vc_a else vt_a / vc_a,
                }
            )
        out = pd.DataFrame(rows)
        out["obalans"] = out["smd_efter"].abs() > thr
        return out

    # ------------------------------------------------------------------ plots
    def love_plot(self, ax: Any = None, *, threshold: float | None = None, absolute: bool = True) -> Any:
        """Love plot: the SMD of every covariate before and after matching."""
        from ._plots import love_plot

        return love_plot(self.balance(threshold), ax=ax, threshold=self.threshold if threshold is None else threshold,
                         absolute=absolute, note=self.caption)

    def overlap_plot(self, *, bins: int = 40, scale: Literal["ps", "logit"] = "ps") -> Any:
        """Distributions of the propensity score for participants and controls, before and after matching."""
        from ._plots import overlap_plot

        s = self.ps if scale == "ps" else self.logit_ps
        treat = self.data.loc[s.index, self.treatment].to_numpy() == 1
        w = self.unit_weights.reindex(s.index).to_numpy()
        return overlap_plot(s.to_numpy(), treat, w, bins=bins, logit=scale == "logit", note=self.caption)

    # ------------------------------------------------------------------ weights and effect
    @property
    def unit_weights(self) -> pd.Series:
        """ATT weight per row of the input data (0 for unmatched units)."""
        w = pd.Series(0.0, index=self.data.index)
        w.loc[self.matched.index] = self.matched["weights"].to_numpy()
        return w

    def effect(
        self,
        outcome: str,
        *,
        adjust: bool | list[str] = False,
        cluster: Literal["pair", "none"] = "pair",
        alpha: float = 0.05,
        truth: float | None = None,
    ) -> EffectResult:
        """ATT of ``outcome`` from the matched sample.

        A weighted least squares regression of the outcome on the treatment
        indicator (and, with ``adjust``, the covariates) on the matched sample,
        with standard errors clustered on the matched set (``cluster="pair"``).
        With replacement, every control appears once per participant it serves
        and the cluster is that participant's set; this ignores that a reused
        control links sets (Abadie & Imbens 2006/2016), so read the SE as an
        approximation there.

        Parameters
        ----------
        outcome
            Column of ``data`` with the outcome (one value per unit).
        adjust
            ``True`` adds all matching covariates to the regression (doubly
            robust against residual imbalance); a list adds those columns.
        cluster
            ``"pair"`` (cluster-robust by ``subclass``) or ``"none"`` (HC1).
        alpha
            1 - confidence level.
        truth
            A known true effect (simulations, sample data), shown in the plot.

        Returns
        -------
        EffectResult

        Examples
        --------
        >>> from finsam_eval.effects.match import _simulate
        >>> d = _simulate(2000, effect=0.1, seed=1)
        >>> m = match(d, "deltagare", ["alder", "kon", "utbildning"])
        >>> e = m.effect("arbete_studier")
        >>> round(e.att, 1)
        0.1
        """
        import statsmodels.api as sm

        _check_columns(self.data, [outcome], "effect")
        long = self.pairs
        y = self.data.loc[long["row"], outcome].to_numpy(dtype=float)
        if np.isnan(y).any():
            raise EstimationError(
                f"Utfallet {outcome!r} saknas för {int(np.isnan(y).sum())} matchade enheter. "
                "Komplettera utfallet eller välj bort enheterna före matchningen."
            )
        t = long["treated"].to_numpy(dtype=float)
        X = pd.DataFrame({"const": 1.0, self.treatment: t})
        notes: list[str] = []
        if adjust:
            cols = self.covariates if adjust is True else list(adjust)
            _check_columns(self.data, cols, "effect(adjust=...)")
            Z = _design(self.data.loc[long["row"], cols], cols, drop_first=True).reset_index(drop=True)
            Z = Z.loc[:, Z.std() > 0]
            X = pd.concat([X, Z - Z.mean()], axis=1)
            notes.append(f"Regressionsjusterad för {', '.join(cols)}.")
        w = long["weights"].to_numpy(dtype=float)
        model = sm.WLS(y, X, weights=w)
        if cluster == "pair":
            fit = model.fit(cov_type="cluster", cov_kwds={"groups": long["subclass"].to_numpy()})
            notes.append("Standardfel klustrade på matchade par/grupper (subclass).")
            if self.replace:
                notes.append(
                    "Matchning med återläggning: kluster efter deltagarens grupp; kontroller som används flera "
                    "gånger gör standardfelet ungefärligt (Abadie & Imbens)."
                )
        elif cluster == "none":
            fit = model.fit(cov_type="HC1")
            notes.append("Robusta standardfel (HC1) utan hänsyn till matchningen.")
        else:
            raise ValueError(f"cluster måste vara 'pair' eller 'none', fick {cluster!r}.")
        att = float(fit.params[self.treatment])
        se = float(fit.bse[self.treatment])
        lo, hi = (float(v) for v in fit.conf_int(alpha=alpha).loc[self.treatment])
        tr = t == 1
        mt = float(np.average(y[tr], weights=w[tr]))
        mc = float(np.average(y[~tr], weights=w[~tr]))
        notes.append("Standardfelet tar inte hänsyn till att propensity score är skattad.")
        n_c = int(long.loc[~tr, "row"].nunique())
        return EffectResult(
            outcome=outcome, att=att, se=se, ci_low=lo, ci_high=hi, pvalue=float(fit.pvalues[self.treatment]),
            n_treated=int(tr.sum()), n_control=n_c, method="Matchning" + (" + regression" if adjust else ""),
            alpha=alpha, mean_treated=mt, mean_control=mc, truth=truth, notes=[self.caption, *notes], model=fit,
        )


# --------------------------------------------------------------------------- public API


def match(
    data: pd.DataFrame,
    treatment: str,
    covariates: list[str] | tuple[str, ...],
    *,
    exact: str | list[str] | None = None,
    ratio: int = 1,
    replace: bool = False,
    caliper: float | None = 0.2,
    estimand: str = "ATT",
    m_order: Literal["largest", "smallest", "random", "data"] = "largest",
    unit: str | None = "person_id",
    random_state: int = 0,
) -> MatchResult:
    """Propensity score nearest-neighbour matching (ATT).

    Parameters
    ----------
    data
        One row per unit (person). A person-period panel must first be reduced
        to one baseline row per person, e.g. with :func:`person_baseline`.
    treatment
        0/1 column: 1 = participant.
    covariates
        Columns in the propensity score model; text/categorical columns are
        one-hot coded (first level dropped in the model, all levels in the
        balance table).
    exact
        Column(s) to match exactly on (e.g. ``["forbund", "kon"]``).
    ratio
        Controls per participant (1:k).
    replace
        Match with replacement (a control may serve several participants).
    caliper
        Maximum distance in SD of the logit score (default 0.2); ``None``
        disables it.
    estimand
        Only ``"ATT"`` (effect among participants) is implemented.
    m_order
        Order in which participants pick controls without replacement:
        ``"largest"`` score first (default), ``"smallest"``, ``"random"``
        (seeded by ``random_state``) or ``"data"`` (row order).
    unit
        Id column checked for duplicates (panel input); ``None`` skips the check.
    random_state
        Seed for ``m_order="random"``; results are deterministic either way.

    Returns
    -------
    MatchResult

    Raises
    ------
    SchemaError
        Panel input (repeated ``unit`` ids) or a treatment column that is not 0/1.
    EstimationError
        No participants or controls, no overlap (separation, nothing within
        the caliper), or no control in any exact stratum.

    Examples
    --------
    >>> from finsam_eval.effects.match import _simulate
    >>> d = _simulate(2000, seed=1)
    >>> m = match(d, "deltagare", ["alder", "kon", "utbildning"], exact="forbund")
    >>> bool((m.balance()["smd_efter"].abs() < 0.1).all())
    True
    >>> int(m.counts.query("grupp == 'Deltagare' and status == 'Totalt'")["antal"].iloc[0])
    200
    """
    covariates = list(covariates)
    exact_cols = [exact] if isinstance(exact, str) else list(exact or [])
    if estimand != "ATT":
        raise ValueError(f"Bara estimand='ATT' stöds, fick {estimand!r}.")
    if not isinstance(ratio, int | np.integer) or ratio < 1:
        raise ValueError(f"ratio måste vara ett heltal >= 1, fick {ratio!r}.")
    if caliper is not None and caliper <= 0:
        raise ValueError(f"caliper måste vara positiv eller None, fick {caliper!r}.")
    if m_order not in ("largest", "smallest", "random", "data"):
        raise ValueError(f"m_order måste vara 'largest', 'smallest', 'random' eller 'data', fick {m_order!r}.")
    if not covariates:
        raise ValueError("Ange minst en kovariat i covariates.")
    _check_columns(data, [treatment, *covariates, *exact_cols], "match")
    if unit is not None and unit in data.columns and data[unit].duplicated().any():
        n_dup = int(data[unit].duplicated().sum())
        raise SchemaError(
            f"match: kolumnen {unit!r} har {n_dup} upprepade id:n, så data ser ut som en panel (flera perioder per "
            "person). Matchning kräver en rad per person: välj en baslinjerad per person först, t.ex. med "
            "finsam_eval.effects.person_baseline(panel, ...) eller data[data['period'] == <baslinjeperiod>]."
        )
    if not data.index.is_unique:
        data = data.reset_index(drop=True)

    exclusions = Exclusions()
    tr_raw = data[treatment]
    used = [treatment, *covariates, *exact_cols]
    complete = data[used].notna().all(axis=1)
    if not set(pd.unique(tr_raw[complete])) <= {0, 1}:
        raise SchemaError(f"match: behandlingskolumnen {treatment!r} måste vara 0/1 (1 = deltagare).")
    n_missing_t = int((~complete & (tr_raw == 1)).sum())
    n_missing_c = int((~complete & (tr_raw == 0)).sum())
    n_missing_other = int((~complete & tr_raw.isna()).sum())
    exclusions.add(f"deltagare: {_REASON_MISSING}", n_missing_t, rows=data.index[~complete & (tr_raw == 1)])
    exclusions.add(f"kontroller: {_REASON_MISSING}", n_missing_c, rows=data.index[~complete & (tr_raw == 0)])
    exclusions.add("saknar värde i behandlingskolumnen", n_missing_other, column=treatment)
    d = data.loc[complete]
    treat = d[treatment].to_numpy().astype(int) == 1
    if treat.sum() == 0:
        raise EstimationError(f"match: inga deltagare ({treatment} == 1) med fullständiga data.")
    if (~treat).sum() == 0:
        raise EstimationError(f"match: inga kontroller ({treatment} == 0) med fullständiga data.")

    # Propensity score model.
    X = _design(d, covariates, drop_first=True)
    params, fit_notes = _fit_logit(treat.astype(float), X)
    lp = params[0] + X.to_numpy(dtype=float) @ params[1:]
    ps = 1.0 / (1.0 + np.exp(-lp))
    width = np.inf if caliper is None else float(caliper * np.std(lp, ddof=1))

    # Exact strata as integer codes.
    codes = np.zeros(len(d), dtype=np.int64)
    for c in exact_cols:  # combined integer codes, column by column (no row-wise string work)
        cc, levels = pd.factorize(d[c], sort=True)
        codes = codes * len(levels) + cc

    rng = np.random.default_rng(random_state)
    pos_t_all = np.flatnonzero(treat)
    if m_order == "random":
        global_order = rng.permutation(len(pos_t_all))
    elif m_order == "largest":
        global_order = np.argsort(-lp[pos_t_all], kind="stable")
    elif m_order == "smallest":
        global_order = np.argsort(lp[pos_t_all], kind="stable")
    else:
        global_order = np.arange(len(pos_t_all))
    rank = np.empty(len(pos_t_all), dtype=np.int64)
    rank[global_order] = np.arange(len(pos_t_all))
    rank_of = dict(zip(pos_t_all.tolist(), rank.tolist()))

    t_rows: list[np.ndarray] = []
    c_rows: list[np.ndarray] = []
    no_stratum: list[int] = []
    for s in np.unique(codes[treat]):
        in_s = codes == s
        t_pos = np.flatnonzero(in_s & treat)
        c_pos = np.flatnonzero(in_s & ~treat)
        if len(c_pos) == 0:
            no_stratum.extend(t_pos.tolist())
            continue
        c_sort = c_pos[np.argsort(lp[c_pos], kind="stable")]
        c_lp = lp[c_sort]
        if replace:
            picked = _match_with_replacement(lp[t_pos], c_lp, ratio, width)
        else:
            local_rank = np.array([rank_of[p] for p in t_pos.tolist()])
            picked = _match_without_replacement(lp[t_pos], c_lp, ratio, width, np.argsort(local_rank, kind="stable"))
        t_rows.append(np.repeat(t_pos, ratio))
        c_rows.append(np.where(picked.ravel() >= 0, c_sort[np.clip(picked.ravel(), 0, None)], -1))

    t_all = np.concatenate(t_rows) if t_rows else np.array([], dtype=np.int64)
    c_all = np.concatenate(c_rows) if c_rows else np.array([], dtype=np.int64)
    ok = c_all >= 0
    matched_t = np.unique(t_all[ok])
    caliper_lost = np.setdiff1d(np.unique(t_all), matched_t)
    idx = d.index
    exclusions.add(f"deltagare: {_REASON_STRATUM}", len(no_stratum), rows=idx[no_stratum])
    exclusions.add(f"deltagare: {_REASON_CALIPER}", len(caliper_lost), rows=idx[caliper_lost])
    if len(matched_t) == 0:
        why = (
            "ingen kontroll finns i deltagarnas exakta strata" if not t_rows else
            f"ingen kontroll ligger inom caliper ({fmt_num(caliper, 2)} SD av logit-score) från någon deltagare"
        )
        raise EstimationError(
            f"match: ingen deltagare kunde matchas: {why}. Deltagare och kontroller överlappar inte; "
            "kontrollera urvalet, öka caliper eller minska antalet exakta variabler."
        )

    # Long form: one row per treated set member and per (treated, control) link.
    t_ok, c_ok = t_all[ok], c_all[ok]
    k_i = pd.Series(t_ok).value_counts()
    subclass_of = {p: i + 1 for i, p in enumerate(sorted(matched_t.tolist(), key=lambda p: rank_of[p]))}
    sub_t = np.array([subclass_of[p] for p in matched_t.tolist()])
    sub_c = np.array([subclass_of[p] for p in t_ok.tolist()])
    w_c = 1.0 / k_i.reindex(t_ok).to_numpy()
    pairs = pd.DataFrame(
        {
            "subclass": np.concatenate([sub_t, sub_c]),
            "row": np.concatenate([idx[matched_t], idx[c_ok]]),
            "treated": np.concatenate([np.ones(len(matched_t), int), np.zeros(len(c_ok), int)]),
            "weights": np.concatenate([np.ones(len(matched_t)), w_c]),
        }
    ).sort_values(["subclass", "treated"], ascending=[True, False], kind="stable").reset_index(drop=True)

    unit_w = pairs.groupby("row", sort=False)["weights"].sum()
    first_sub = pairs.groupby("row", sort=False)["subclass"].min()
    matched = data.loc[unit_w.index].copy()
    ps_s = pd.Series(ps, index=idx, name="ps")
    lp_s = pd.Series(lp, index=idx, name="logit_ps")
    matched["ps"] = ps_s.loc[matched.index]
    matched["logit_ps"] = lp_s.loc[matched.index]
    matched["subclass"] = first_sub.loc[matched.index].to_numpy()
    matched["pair_id"] = matched["subclass"]
    matched["weights"] = unit_w.to_numpy()
    matched = matched.sort_values(["subclass", treatment], ascending=[True, False], kind="stable")

    n_t_total = int((tr_raw == 1).sum())
    n_c_total = int((tr_raw == 0).sum())
    n_c_used = int((matched[treatment] == 0).sum())
    counts = pd.DataFrame(
        [
            ("Deltagare", "Totalt", n_t_total),
            ("Deltagare", "Matchade", len(matched_t)),
            ("Deltagare", f"Ej matchade: {_REASON_MISSING}", n_missing_t),
            ("Deltagare", f"Ej matchade: {_REASON_STRATUM}", len(no_stratum)),
            ("Deltagare", f"Ej matchade: {_REASON_CALIPER}", len(caliper_lost)),
            ("Kontroller", "Totalt", n_c_total),
            ("Kontroller", "Matchade", n_c_used),
            ("Kontroller", f"Ej använda: {_REASON_MISSING}", n_missing_c),
            ("Kontroller", "Ej använda: inte närmast någon deltagare", n_c_total - n_c_used - n_missing_c),
        ]
        + ([("Okänd grupp", f"Saknar värde i {treatment!r}", n_missing_other)] if n_missing_other else []),
        columns=["grupp", "status", "antal"],
    )
    return MatchResult(
        data=d, treatment=treatment, covariates=covariates, exact=exact_cols, ratio=int(ratio), replace=replace,
        caliper=caliper, caliper_width=width, estimand=estimand, m_order=m_order, random_state=random_state,
        ps=ps_s, logit_ps=lp_s, matched=matched, pairs=pairs, counts=counts, exclusions=exclusions,
        params=pd.Series(params, index=["const", *X.columns]), fit_notes=fit_notes,
    )


def person_baseline(
    panel: pd.DataFrame,
    *,
    outcomes: str | list[str] | None = None,
    unit: str = "person_id",
    period: str = "period",
    start: str = "start_period",
    treatment: str = "deltagare",
    post: int | None = None,
    pre: int = 8,
    random_state: int = 0,
) -> pd.DataFrame:
    """One baseline row per person from a person-period panel, with post-period outcomes.

    Participants get the row of the period before they started
    (``start - 1``). Never-treated controls get a pseudo start drawn (seeded)
    from the participants' start periods, so that controls are measured at the
    same calendar times as participants, and their row before that pseudo start.
    Outcomes are averaged over the periods from (pseudo) start on (``post``
    periods if given, otherwise to the end of the panel); the mean over the
    ``pre`` periods before start is kept as ``<outcome>_fore`` for use as a
    covariate (pre-start outcomes are the strongest confounders in register
    data).

    Parameters
    ----------
    panel
        Person-period data with ``unit``, ``period``, ``treatment`` and
        ``start`` (missing for never-treated).
    outcomes
        Outcome column(s) to average over the post periods.
    post
        Number of post periods (from start) to average; ``None`` = all.
    pre
        Number of periods before start averaged into ``<outcome>_fore``.
    random_state
        Seed for the pseudo start periods of the controls.

    Returns
    -------
    pandas.DataFrame
        One row per person (covariates at baseline, ``start_period`` and
        ``pseudo_start``, outcomes averaged over the post periods).

    Examples
    --------
    >>> p = pd.DataFrame({"person_id": [1, 1, 1, 2, 2, 2], "period": [0, 1, 2] * 2,
    ...                   "deltagare": [1, 1, 1, 0, 0, 0], "start_period": [1, 1, 1, None, None, None],
    ...                   "y": [0, 1, 1, 0, 0, 1]})
    >>> person_baseline(p, outcomes="y")[["period", "y_fore", "y"]].values.tolist()
    [[0.0, 0.0, 1.0], [0.0, 0.0, 0.5]]
    """
    outs = [outcomes] if isinstance(outcomes, str) else list(outcomes or [])
    _check_columns(panel, [unit, period, start, treatment, *outs], "person_baseline")
    first = panel.groupby(unit, sort=True).first()
    treated_start = first.loc[first[treatment] == 1, start].dropna()
    if treated_start.empty:
        raise EstimationError("person_baseline: inga deltagare med startperiod i panelen.")
    rng = np.random.default_rng(random_state)
    pseudo = first[start].copy().astype(float)
    ctrl = pseudo.isna()
    pseudo[ctrl] = rng.choice(treated_start.to_numpy(dtype=float), size=int(ctrl.sum()), replace=True)
    ps_map = panel[unit].map(pseudo)
    base = panel[panel[period] == ps_map - 1].drop_duplicates(unit).set_index(unit)
    if len(base) < len(first):
        raise EstimationError(
            f"person_baseline: {len(first) - len(base)} personer saknar en rad i perioden före (pseudo)start; "
            "panelen måste omfatta minst en period före start."
        )
    res = base.copy()
    res["pseudo_start"] = pseudo.loc[res.index]
    if outs:
        rel = panel[period] - ps_map
        keep = rel >= 0
        if post is not None:
            keep &= rel < post
        avg = panel.loc[keep].groupby(unit)[outs].mean()
        before = panel.loc[(rel < 0) & (rel >= -pre)].groupby(unit)[outs].mean()
        for o in outs:
            res[f"{o}_fore"] = before[o].reindex(res.index).astype(float)
            res[o] = avg[o].reindex(res.index)
    return res.reset_index()


def _simulate(
    n: int = 2000, *, effect: float | dict[str, float] = 0.1, share: float = 0.1, seed: int = 0
) -> pd.DataFrame:
    """Small cross-section with selection on observables and a known ATT (tests and examples).

    ``effect`` may be a dict per förbund (Botkyrka, Huddinge, Södertälje).
    """
    rng = np.random.default_rng(seed)
    n_t = int(round(n * share))
    alder = rng.integers(18, 64, n).astype(float)
    kon = rng.choice(["kvinna", "man"], n)
    utb = rng.choice(["förgymnasial", "gymnasial", "eftergymnasial"], n, p=[0.3, 0.5, 0.2])
    forbund = rng.choice(["Botkyrka", "Huddinge", "Södertälje"], n)
    z = 0.04 * (alder - 40) + 0.4 * (kon == "kvinna") + 0.8 * (utb == "förgymnasial")
    # Exactly n_t participants, more likely with higher z (Gumbel top-k = sampling without replacement).
    g = z + rng.gumbel(size=n)
    deltagare = np.zeros(n, dtype=int)
    deltagare[np.argsort(-g)[:n_t]] = 1
    p0 = 1 / (1 + np.exp(-(-0.5 - 0.03 * (alder - 40) - 0.5 * (utb == "förgymnasial") + 0.3 * (kon == "man"))))
    eff = pd.Series(forbund).map(effect).to_numpy(dtype=float) if isinstance(effect, dict) else effect
    y = (rng.random(n) < np.clip(p0 + eff * deltagare, 0, 1)).astype(float)
    return pd.DataFrame(
        {"person_id": np.arange(n), "forbund": forbund, "kon": kon, "alder": alder, "utbildning": utb,
         "deltagare": deltagare, "arbete_studier": y}
    )
