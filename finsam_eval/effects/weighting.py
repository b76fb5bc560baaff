"""Weighting instead of matching: inverse probability weights and entropy balancing.

:func:`weight` is the weighting counterpart of
:func:`~finsam_eval.effects.match`, as R's WeightIt is of MatchIt. It returns
a :class:`WeightResult` with the same balance table (cobalt's ``bal.tab``),
love plot, overlap plot and ``effect(outcome)`` as a matched sample.

- ``method="ipw"``: inverse probability weights from a logistic propensity
  score ``e(x)``: ATT participants 1, controls ``e / (1 - e)``; ATC
  participants ``(1 - e) / e``, controls 1; ATE ``1 / e`` and
  ``1 / (1 - e)`` (WeightIt's ``method = "glm"``; weights are not rescaled).
- ``method="entropy"``: entropy balancing (Hainmueller 2012): the weights
  closest to uniform in Kullback-Leibler divergence that make the reweighted
  group's covariate means (and with ``moments=2`` also the means of the
  squares of continuous covariates, i.e. the variances) equal to the target's:
  controls to participants for the ATT, participants to controls for the
  ATC, both groups to the full sample for the ATE. Solved by its convex dual,
  ``min_l log sum_i exp(l'(c_i - target))``, with scipy's trust-region Newton
  method and exact gradient and Hessian; the weights are ``exp(l'c_i)``
  rescaled to mean 1 in the group. A target outside the range of a group's
  values has no solution and gives an :class:`~finsam_eval.errors.EstimationError`
  that names the covariate.

The default standard error of ``effect()`` is an M-estimation sandwich of the
stacked estimating equations (propensity score model or entropy balancing
dual, then the weighted outcome regression), so it accounts for the estimated
weights as WeightIt's ``lm_weightit`` does; ``se="robust"`` treats the weights
as fixed and ``se="bootstrap"`` re-estimates them in every replicate.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from ..errors import ConfigError, EstimationError
from ..results import Exclusions
from ..sv import fmt_num
from .balance import _BalanceMixin, _thresholds, effective_sample_size
from .outcome import _EffectMixin, _Formatted
from .propensity import REASON_MISSING, _design, _prepare, _propensity

__all__ = ["weight", "WeightResult"]

_METHOD_LABEL = {"ipw": "IPW", "entropy": "Entropibalansering"}


# --------------------------------------------------------------------------- weights


def _ipw(ps: np.ndarray, treat: np.ndarray, estimand: str) -> tuple[np.ndarray, np.ndarray]:
    """Weights and d log w / d linear predictor (for the M-estimation Jacobian)."""
    if estimand == "ATT":
        w = np.where(treat, 1.0, ps / (1 - ps))
        dlog = np.where(treat, 0.0, 1.0)
    elif estimand == "ATC":
        w = np.where(treat, (1 - ps) / ps, 1.0)
        dlog = np.where(treat, -1.0, 0.0)
    else:
        w = np.where(treat, 1 / ps, 1 / (1 - ps))
        dlog = np.where(treat, -(1 - ps), ps)
    return w, dlog


def _moment_matrix(d: pd.DataFrame, covariates: list[str], moments: int) -> pd.DataFrame:
    """Balancing functions: covariates (categoricals as dummies less one level), squares of continuous ones."""
    X = _design(d, covariates, drop_first=True)
    if moments == 2:
        cont = [c for c in X.columns if not np.isin(X[c].to_numpy(), (0.0, 1.0)).all()]
        X = pd.concat([X, (X[cont] ** 2).add_suffix("^2")], axis=1)
    return X


def _independent_columns(G: np.ndarray, names: list[str]) -> tuple[np.ndarray, list[str], list[str]]:
    """Drop columns that are linear combinations of earlier ones (their balance follows)."""
    keep: list[int] = []
    for j in range(G.shape[1]):
        trial = keep + [j]
        if np.linalg.matrix_rank(np.column_stack([np.ones(len(G)), G[:, trial]])) == len(trial) + 1:
            keep.append(j)
    dropped = [names[j] for j in range(G.shape[1]) if j not in keep]
    return G[:, keep], [names[j] for j in keep], dropped


def _ebal_dual(C: np.ndarray, target: np.ndarray, names: list[str], group: str) -> np.ndarray:
    """lambda solving the entropy balancing dual for rows C (already standardised) to ``target``."""
    from scipy.optimize import minimize

    lo, hi = C.min(axis=0), C.max(axis=0)
    outside = [names[j] for j in range(C.shape[1]) if not lo[j] - 1e-12 < target[j] < hi[j] + 1e-12
               or (lo[j] == hi[j])]
    if outside:
        raise EstimationError(
            "Entropibalansering saknar lösning: målvärdet för " + ", ".join(outside) + f" ligger utanför "
            f"{group}s värden (ingen överlappning), så inga vikter kan balansera det. Grovindela eller ta bort "
            "kovariaten, begränsa urvalet till området där grupperna överlappar eller använd method='ipw'."
        )
    D = C - target

    def f(lam: np.ndarray) -> float:
        z = D @ lam
        zm = z.max()
        return float(zm + np.log(np.exp(z - zm).sum()))

    def grad(lam: np.ndarray) -> np.ndarray:
        z = D @ lam
        p = np.exp(z - z.max())
        p /= p.sum()
        return p @ D

    def hess(lam: np.ndarray) -> np.ndarray:
        z = D @ lam
        p = np.exp(z - z.max())
        p /= p.sum()
        m = p @ D
        return (D * p[:, None]).T @ D - np.outer(m, m)

    res = minimize(f, np.zeros(D.shape[1]), jac=grad, hess=hess, method="trust-exact",
                   options={"gtol": 1e-10, "maxiter": 500})
    lam = res.x
    for _ in range(5):  # plain Newton polish: trust-exact stops on its own criteria, balance should be exact
        g_ = grad(lam)
        if not np.all(np.isfinite(g_)) or np.abs(g_).max() < 1e-13:
            break
        try:
            lam = lam - np.linalg.solve(hess(lam), g_)
        except np.linalg.LinAlgError:
            break
    if np.all(np.isfinite(lam)) and f(lam) <= f(res.x) + 1e-12:
        res.x = lam
    g = np.abs(grad(res.x))
    if not np.all(np.isfinite(res.x)) or g.max() > 1e-6:
        from scipy.optimize import linprog

        # Is there any distribution over the group's rows with the target moments (the convex hull)?
        lp = linprog(np.zeros(len(C)), A_eq=np.vstack([C.T, np.ones(len(C))]), b_eq=np.append(target, 1.0),
                     bounds=(0, None), method="highs")
        worst = names[int(np.argmax(g))]
        if lp.status == 2:
            raise EstimationError(
                f"Entropibalansering saknar lösning: inga vikter på {group} kan ge målets värden för alla "
                f"balansvillkor samtidigt (störst kvarvarande obalans i {worst}); grupperna överlappar för lite. "
                "Balansera färre moment (moments=1), grovindela eller ta bort kovariaten, eller använd method='ipw'."
            )
        raise EstimationError(
            "Entropibalansering konvergerade inte (störst kvarvarande obalans i "
            f"{worst}); målet ligger nära randen av {group}s värden. Grovindela eller ta bort kovariaten, "
            "eller använd method='ipw'."
        )
    return res.x


# --------------------------------------------------------------------------- result


@dataclass
class WeightResult(_BalanceMixin, _EffectMixin, _Formatted):
    """What :func:`weight` returns: weights, balance and the way to an effect.

    Attributes
    ----------
    weights
        Weight per row of ``data`` (complete cases).
    ps, logit_ps
        Propensity score and its logit (IPW; ``None`` for entropy balancing).
    params
        Logit coefficients (IPW) or the dual solution (entropy balancing).
    counts
        Participants and controls: total, weighted and left out for missing values.
    """

    data: pd.DataFrame = field(repr=False)
    treatment: str
    covariates: list[str]
    method: str
    estimand: str
    weights: pd.Series = field(repr=False)
    ps: pd.Series | None = field(repr=False)
    logit_ps: pd.Series | None = field(repr=False)
    params: pd.Series = field(repr=False)
    counts: pd.DataFrame
    exclusions: Exclusions
    fit_notes: list[str] = field(default_factory=list)
    thresholds: dict[str, float] = field(default_factory=lambda: {"m": 0.1})
    moments: int = 1
    unit: str | None = None
    _m_parts: dict[str, Any] = field(default_factory=dict, repr=False)
    _decimals = 3
    _adjust_word = "viktning"
    _default_se = "m"
    _allowed_se = ("m", "robust", "bootstrap")

    @property
    def _method_label(self) -> str:  # type: ignore[override]
        return _METHOD_LABEL[self.method]

    @property
    def title(self) -> str:
        return "Balans före och efter viktning"

    @property
    def caption(self) -> str:
        treat = self.data[self.treatment].to_numpy() == 1
        how = ("Inversa sannolikhetsvikter (IPW) från logistisk propensity score-modell" if self.method == "ipw" else
               "Entropibalansering på medelvärden" + (" och varianser" if self.moments == 2 else ""))
        return (f"{how}, {self.estimand}: {fmt_num(int(treat.sum()), 0)} deltagare och "
                f"{fmt_num(int((~treat).sum()), 0)} i jämförelsegruppen.")

    @property
    def notes(self) -> list[str]:
        out = [self.caption]
        if self.exclusions:
            out.append("Ej med: " + "; ".join(e.describe() for e in self.exclusions.items) + ".")
        out.extend(self._balance_notes())
        out.extend(self.fit_notes)
        return out

    @property
    def unit_weights(self) -> pd.Series:
        return self.weights

    def table(self) -> pd.DataFrame:
        return self.balance()

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        return self.love_plot(ax=ax, **kwargs)

    def _distance_column(self) -> pd.Series | None:
        return None if self.ps is None else self.ps.rename("Propensity score")

    def weight_summary(self) -> pd.DataFrame:
        """Weights per group as WeightIt's ``summary()``: range, coefficient of variation, effective size."""
        treat = self.data[self.treatment].to_numpy() == 1
        rows = []
        for name, g in (("deltagare", treat), ("kontroller", ~treat)):
            w = self.weights.to_numpy()[g]
            rows.append({"grupp": name, "min": w.min(), "max": w.max(),
                         "variationskoefficient": float(np.std(w, ddof=1) / np.mean(w)) if len(w) > 1 else np.nan,
                         "effektiv_storlek": effective_sample_size(w), "antal": int(g.sum())})
        return pd.DataFrame(rows)

    # ------------------------------------------------------------------ effect
    def _effect_sample(self) -> pd.DataFrame:
        idx = self.data.index
        return pd.DataFrame({"subclass": np.arange(len(idx)), "row": idx,
                             "treated": (self.data[self.treatment].to_numpy() == 1).astype(int),
                             "weights": self.weights.reindex(idx).to_numpy()})

    def _refit(self, frame: pd.DataFrame) -> WeightResult:
        return weight(frame, self.treatment, self.covariates, method=self.method, estimand=self.estimand,
                      moments=self.moments, unit=None)

    def _m_cov(self, y: np.ndarray, Z: np.ndarray, cols: list[str]) -> np.ndarray:
        """Covariance of the outcome coefficients from the stacked estimating equations (HC0)."""
        n = len(y)
        w = self.weights.to_numpy()
        r = y - Z @ np.linalg.lstsq(Z * np.sqrt(w)[:, None], y * np.sqrt(w), rcond=None)[0]
        psi_out = (w * r)[:, None] * Z
        A_tt = -(Z * w[:, None]).T @ Z / n
        parts = self._m_parts
        if self.method == "ipw":
            X, ps, dlog = parts["X"], parts["ps"], parts["dlog"]
            psi_w = (parts["t"] - ps)[:, None] * X
            A_ww = -(X * (ps * (1 - ps))[:, None]).T @ X / n
            A_tw = ((w * dlog * r)[:, None] * Z).T @ X / n
        else:
            theta_w = parts["theta"]
            psi_fn = parts["psi"]
            psi_w, _ = psi_fn(theta_w)
            k = len(theta_w)
            A_ww = np.empty((k, k))
            A_tw = np.empty((Z.shape[1], k))
            for j in range(k):  # central differences; the moments are standardised, so a fixed step is fine
                h = 1e-6
                e = np.zeros(k)
                e[j] = h
                pp, wp = psi_fn(theta_w + e)
                pm, wm = psi_fn(theta_w - e)
                A_ww[:, j] = (pp.mean(axis=0) - pm.mean(axis=0)) / (2 * h)
                A_tw[:, j] = ((((wp - wm) / (2 * h)) * r)[:, None] * Z).mean(axis=0)
        k = psi_w.shape[1]
        q = Z.shape[1]
        A = np.zeros((k + q, k + q))
        A[:k, :k] = A_ww
        A[k:, :k] = A_tw
        A[k:, k:] = A_tt
        psi = np.column_stack([psi_w, psi_out])
        B = psi.T @ psi / n
        Ainv = np.linalg.inv(A)
        V = Ainv @ B @ Ainv.T / n
        return V[k:, k:]


# --------------------------------------------------------------------------- public API


def weight(
    data: pd.DataFrame,
    treatment: str,
    covariates: list[str] | tuple[str, ...],
    *,
    method: Literal["ipw", "entropy"] = "ipw",
    estimand: Literal["ATT", "ATC", "ATE"] = "ATT",
    moments: int = 1,
    unit: str | None = "person_id",
    thresholds: float | dict[str, float] | None = None,
) -> WeightResult:
    """Balancing weights for participants and controls (WeightIt style).

    Parameters
    ----------
    data
        One row per unit (person).
    treatment
        0/1 column: 1 = participant.
    covariates
        Columns to balance (and of the propensity score model for IPW);
        text/categorical columns are one-hot coded.
    method
        ``"ipw"`` (inverse probability weights from a logistic propensity
        score) or ``"entropy"`` (entropy balancing, Hainmueller 2012).
    estimand
        ``"ATT"``, ``"ATC"`` or ``"ATE"``.
    moments
        Entropy balancing: 1 balances means, 2 also the means of squares
        (variances) of continuous covariates.
    unit
        Id column checked for duplicates (panel input); ``None`` skips the check.
    thresholds
        Balance thresholds for the verdicts, e.g. ``dict(m=0.1, v=2, ks=0.05)``.

    Returns
    -------
    WeightResult

    Raises
    ------
    EstimationError
        No participants or controls, separation in the propensity score model
        (no overlap), or entropy balancing without a solution.
    SchemaError
        Panel input or a treatment column that is not 0/1.
    ConfigError
        Invalid arguments.

    Examples
    --------
    >>> from finsam_eval.effects.match import _simulate
    >>> d = _simulate(2000, seed=1)
    >>> w = weight(d, "deltagare", ["alder", "kon", "utbildning"], method="entropy")
    >>> float(w.balance()["smd_efter"].abs().max()) < 1e-6
    True
    >>> e = w.effect("arbete_studier")
    >>> e.estimand, e.se_method
    ('ATT', 'm')
    """
    covariates = list(covariates)
    if method not in _METHOD_LABEL:
        raise ConfigError(f"method måste vara 'ipw' eller 'entropy', fick {method!r}.")
    if estimand not in ("ATT", "ATC", "ATE"):
        raise ConfigError(f"estimand måste vara 'ATT', 'ATC' eller 'ATE', fick {estimand!r}.")
    if moments not in (1, 2):
        raise ConfigError(f"moments måste vara 1 (medelvärden) eller 2 (även varianser), fick {moments!r}.")
    if not covariates:
        raise ConfigError("Ange minst en kovariat i covariates.")
    thr = _thresholds(thresholds, {"m": 0.1})
    prep = _prepare(data, treatment, covariates, [], unit=unit, what="weight")
    d, treat = prep.data, prep.treat
    idx = d.index
    notes: list[str] = []
    parts: dict[str, Any] = {}
    ps_s = lp_s = None
    if method == "ipw":
        lp, ps, X, params, notes = _propensity(d, treat, covariates)
        w, dlog = _ipw(ps, treat, estimand)
        # Only the direction that explodes a weight matters: controls with e near 1 (ATT, ATE), participants
        # with e near 0 (ATC, ATE).
        bad_c = (~treat) & (ps > 1 - 1e-6) if estimand != "ATC" else np.zeros(len(ps), dtype=bool)
        bad_t = treat & (ps < 1e-6) if estimand != "ATT" else np.zeros(len(ps), dtype=bool)
        if bad_c.any() or bad_t.any():
            raise EstimationError(
                f"weight: propensity score nära 0 eller 1 för {int(bad_c.sum())} kontroller och {int(bad_t.sum())} "
                f"deltagare (ingen överlappning), så deras vikter för {estimand} blir extrema. Begränsa urvalet till "
                "området där grupperna överlappar, grovindela kovariaterna eller använd matchning."
            )
        ps_s, lp_s = pd.Series(ps, index=idx, name="ps"), pd.Series(lp, index=idx, name="logit_ps")
        par = pd.Series(params, index=["const", *X.columns])
        parts = {"X": np.column_stack([np.ones(len(d)), X.to_numpy(dtype=float)]), "ps": ps, "dlog": dlog,
                 "t": treat.astype(float)}
    else:
        M = _moment_matrix(d, covariates, moments)
        G, names, dropped = _independent_columns(M.to_numpy(dtype=float), list(M.columns))
        if dropped:
            notes.append("Balanseras redan genom andra villkor och har tagits bort ur entropibalanseringen: "
                         + ", ".join(dropped) + ".")
        center, scale = G.mean(axis=0), G.std(axis=0)
        scale[scale == 0] = 1.0
        Gs = (G - center) / scale
        groups = {"ATT": [(~treat, treat, "kontrollerna")], "ATC": [(treat, ~treat, "deltagarna")],
                  "ATE": [(treat, None, "deltagarna"), (~treat, None, "kontrollerna")]}[estimand]
        w = np.ones(len(d))
        lams = []
        for g, tgt, gname in groups:
            target = Gs[tgt].mean(axis=0) if tgt is not None else Gs.mean(axis=0)
            lam = _ebal_dual(Gs[g], target, names, gname)
            z = (Gs[g] - target) @ lam
            wg = np.exp(z - z.max())
            w[g] = wg / wg.mean()
            lams.append(lam)
        par = pd.Series(np.concatenate(lams), index=[f"{n} ({gname})" for _, _, gname in groups for n in names])
        parts = _ebal_psi(Gs, treat, estimand, np.concatenate([Gs[treat].mean(axis=0) if estimand == "ATT" else
                                                               Gs[~treat].mean(axis=0) if estimand == "ATC" else
                                                               Gs.mean(axis=0), *lams]))
    ess = effective_sample_size(w[~treat] if estimand != "ATC" else w[treat])
    n_g = int((~treat).sum() if estimand != "ATC" else treat.sum())
    if ess < 0.1 * n_g:
        notes.append(f"Få effektiva observationer efter viktning ({fmt_num(ess, 1)} av {fmt_num(n_g, 0)}): vikterna "
                     "domineras av några enheter; överlappningen är svag.")
    counts = pd.DataFrame(
        [("Deltagare", "Totalt", prep.n_t_total), ("Deltagare", "Viktade", int(treat.sum())),
         ("Deltagare", f"Ej med: {REASON_MISSING}", prep.n_missing_t),
         ("Kontroller", "Totalt", prep.n_c_total), ("Kontroller", "Viktade", int((~treat).sum())),
         ("Kontroller", f"Ej med: {REASON_MISSING}", prep.n_missing_c)]
        + ([("Okänd grupp", f"Saknar värde i {treatment!r}", prep.n_missing_other)] if prep.n_missing_other else []),
        columns=["grupp", "status", "antal"],
    )
    return WeightResult(
        data=d, treatment=treatment, covariates=covariates, method=method, estimand=estimand,
        weights=pd.Series(w, index=idx, name="weights"), ps=ps_s, logit_ps=lp_s, params=par, counts=counts,
        exclusions=prep.exclusions, fit_notes=notes, thresholds=thr, moments=moments, unit=unit, _m_parts=parts,
    )


def _ebal_psi(Gs: np.ndarray, treat: np.ndarray, estimand: str, theta: np.ndarray) -> dict[str, Any]:
    """Estimating equations of entropy balancing: target moments, then the dual first-order conditions."""
    k = Gs.shape[1]
    t = treat.astype(float)

    def psi(th: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        mu = th[:k]
        D = Gs - mu
        if estimand == "ATE":
            l1, l0 = th[k:2 * k], th[2 * k:]
            e1, e0 = np.exp(D @ l1), np.exp(D @ l0)
            w = t * e1 + (1 - t) * e0
            return np.column_stack([D, (t * e1)[:, None] * D, ((1 - t) * e0)[:, None] * D]), w
        lam = th[k:]
        focal, other = (t, 1 - t) if estimand == "ATT" else (1 - t, t)
        e = np.exp(D @ lam)
        w = focal + other * e
        return np.column_stack([focal[:, None] * D, (other * e)[:, None] * D]), w

    return {"theta": theta, "psi": psi}
