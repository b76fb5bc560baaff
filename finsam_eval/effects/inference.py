"""Inference for regression effect estimates, including when clusters are few.

Three pieces live here:

- the linear algebra shared by :func:`~finsam_eval.effects.did.did` and
  :func:`~finsam_eval.effects.event_study.event_study`: absorbing fixed effects
  by alternating projections (the within transformation, no dummy columns)
  and the cluster-robust covariance CR1 with the small-sample correction of
  Stata and statsmodels, ``G/(G-1) * (N-1)/(N-K)``;
- :func:`wild_cluster_bootstrap`, the restricted wild cluster bootstrap
  (WCR, Cameron, Gelbach & Miller 2008; Roodman et al. 2019) with Rademacher
  or Webb six-point weights, p-value and a confidence interval by test
  inversion;
- :func:`randomisation_inference`, which reassigns treatment across units or
  clusters (exactly when the assignments are few) and compares the estimate
  with its permutation distribution.

With three förbund or a handful of kommuner as clusters, cluster-robust
standard errors are far too small; :class:`FewClustersWarning` says so and
points to the two alternatives.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse, stats

from .._progress import progress
from .._warn import warn
from ..errors import EstimationError
from ..results import ResultMixin
from ..sv import fmt_num, fmt_p_eq
from ._fe import factor

__all__ = [
    "FewClustersWarning",
    "FEW_CLUSTERS",
    "WildBootstrapResult",
    "RandomisationResult",
    "wild_cluster_bootstrap",
    "randomisation_inference",
    "demean",
    "cluster_vcov",
]

#: Below this many clusters cluster-robust standard errors are not trusted.
FEW_CLUSTERS = 30

# Webb (2014) six-point distribution: +-sqrt(1/2), +-1, +-sqrt(3/2), equal mass.
_WEBB = np.array([-math.sqrt(1.5), -1.0, -math.sqrt(0.5), math.sqrt(0.5), 1.0, math.sqrt(1.5)])


#: Decimals when estimates are printed in ``summary()``.
DECIMALS = {"estimat": 3, "se": 3, "ci_lag": 3, "ci_hog": 3, "p": 3, "t": 2, "p_bootstrap": 3,
            "p_randomisering": 3, "grupp": 0, "event_time": 0, "period": 0}


def summary_text(result: ResultMixin, table: pd.DataFrame) -> str:
    """Text summary with estimates to three decimals (the mixin's default of one hides small effects)."""
    from ..sv import ESTIMATOR_LABELS, column_label, format_table, label

    t = table.copy()
    for c in ("utfall", "term"):
        if c in t.columns:
            t[c] = [label(v) if isinstance(v, str) else v for v in t[c]]
    for c in ("estimator", "inferens"):
        if c in t.columns:
            t[c] = [ESTIMATOR_LABELS.get(v, v) if isinstance(v, str) else v for v in t[c]]
    out = format_table(t, decimals=DECIMALS)
    labels = getattr(result, "column_labels", None)
    out.columns = [column_label(c, labels if isinstance(labels, dict) else None) for c in out.columns]
    body = out.to_string(index=False)
    parts = [result.title or type(result).__name__, body]
    notes = result._notes()
    if notes:
        parts.append("\n".join(f"Not: {n}" for n in notes))
    return "\n\n".join(parts)


def _lab_lower(name: object) -> str:
    from ..sv import label_lower

    return label_lower(name)


def p_text(p: float) -> str:
    """``p = 0,023`` or ``p < 0,001`` with non-breaking spaces, for figure notes and captions."""
    return fmt_p_eq(p, nbsp=True)


def comma_axis(ax: Any, axis: str = "y") -> None:
    """Decimal comma on ``axis``, one number of decimals for all ticks (see :func:`plots.decimal_comma`)."""
    from ..plots import decimal_comma

    decimal_comma(ax, axis)


class FewClustersWarning(UserWarning):
    """Cluster-robust standard errors with fewer than ~30 clusters are unreliable."""


def warn_few_clusters(n_clusters: int, cluster: str, *, stacklevel: int = 3) -> str | None:
    """Warn (and return the note) when ``n_clusters`` is below :data:`FEW_CLUSTERS`."""
    if n_clusters >= FEW_CLUSTERS:
        return None
    msg = (
        f"Endast {n_clusters} kluster i {cluster!r}: klusterrobusta standardfel är opålitliga med färre än "
        f"cirka {FEW_CLUSTERS} kluster (de blir för små och intervallen för smala). Använd inference='wild' "
        "(vild klusterbootstrap) eller inference='ri' (randomiseringsinferens)."
    )
    warn(msg, FewClustersWarning, stacklevel=stacklevel)
    # The note a reader sees says the same without the call syntax.
    return (f"Endast {n_clusters} kluster ({_lab_lower(cluster)}): klusterrobusta standardfel är opålitliga med färre "
            f"än cirka {FEW_CLUSTERS} kluster (de blir för små och intervallen för smala); vild klusterbootstrap "
            "eller randomiseringsinferens är säkrare.")


# ---------------------------------------------------------------------------
# Fixed effects and cluster covariance
# ---------------------------------------------------------------------------


def _group_matrix(codes: np.ndarray, n_groups: int) -> sparse.csr_matrix:
    n = len(codes)
    return sparse.csr_matrix((np.ones(n), (codes, np.arange(n))), shape=(n_groups, n))


def _group_sums(codes: np.ndarray, n_groups: int, M: np.ndarray) -> np.ndarray:
    """Column sums of ``M`` (n, k) within groups, (G, k), by one ``np.bincount`` per column (row order kept)."""
    out = np.empty((n_groups, M.shape[1]))
    for j in range(M.shape[1]):
        out[:, j] = np.bincount(codes, weights=M[:, j], minlength=n_groups)
    return out


def demean(
    X: np.ndarray,
    fe: Sequence[np.ndarray],
    weights: np.ndarray | None = None,
    *,
    tol: float = 1e-12,
    maxiter: int = 10_000,
) -> np.ndarray:
    """Project fixed effects out of the columns of ``X`` (the within transformation).

    Alternating projections (Gaure 2013): subtract the (weighted) group mean
    of each fixed effect in turn until nothing changes. A balanced panel with
    unit and time effects converges after one sweep; unbalanced panels take a
    few more. No dummy columns are built: each group mean is one
    ``np.bincount`` over the integer codes, so 5 million rows take a fraction
    of a second.

    Parameters
    ----------
    X
        ``(n,)`` or ``(n, k)`` array.
    fe
        Integer codes ``0..G-1`` per row, one array per fixed effect.
    weights
        Optional row weights (weighted means, for WLS).

    Returns
    -------
    numpy.ndarray
        The residual of ``X`` after the fixed effects, same shape.

    Examples
    --------
    >>> import numpy as np
    >>> unit = np.repeat([0, 1], 3); time = np.tile([0, 1, 2], 2)
    >>> y = np.array([1., 2., 3., 2., 4., 6.])
    >>> demean(y, [unit, time]).round(3).tolist()
    [0.5, 0.0, -0.5, -0.5, 0.0, 0.5]
    """
    X = np.asarray(X, dtype=float)
    one_d = X.ndim == 1
    # Column-major, so that each column the loop below works on is contiguous.
    out = np.array(X.reshape(len(X), -1), dtype=float, order="F", copy=True)
    w = None if weights is None else np.asarray(weights, dtype=float)
    facs = []
    for codes in fe:
        codes = np.asarray(codes)
        if codes.dtype != np.intp:
            codes = codes.astype(np.intp)
        n_groups = int(codes.max()) + 1 if len(codes) else 0
        wsum = np.bincount(codes, weights=w, minlength=n_groups).astype(float)
        wsum[wsum == 0] = 1.0
        facs.append((codes, n_groups, wsum))
    scale = np.maximum(np.abs(out).max(axis=0), 1.0) if len(out) else np.ones(out.shape[1])
    k = out.shape[1]
    for _ in range(maxiter):
        delta = 0.0
        for codes, n_groups, wsum in facs:
            for j in range(k):
                col = out[:, j]
                sums = np.bincount(codes, weights=col if w is None else col * w, minlength=n_groups)
                step = (sums / wsum)[codes]
                col -= step
                if len(step):
                    delta = max(delta, float(np.abs(step).max() / scale[j]))
        if delta < tol or len(facs) == 1:
            break
    else:  # pragma: no cover - pathological designs only
        raise EstimationError(
            "Fixa effekter kunde inte absorberas: de alternerande projektionerna konvergerade inte "
            f"efter {maxiter} varv. Kontrollera att panelen hänger ihop (enheter och perioder överlappar)."
        )
    return out[:, 0] if one_d else out


def cluster_vcov(
    X: np.ndarray,
    resid: np.ndarray,
    clusters: np.ndarray,
    *,
    k_absorbed: int = 0,
    bread: np.ndarray | None = None,
    codes: tuple[np.ndarray, int] | None = None,
) -> tuple[np.ndarray, int]:
    """Cluster-robust covariance CR1, as ``statsmodels`` ``cov_type='cluster'`` and Stata.

    ``V = c (X'X)^-1 (sum_g s_g s_g') (X'X)^-1`` with ``s_g = X_g' e_g`` and
    ``c = G/(G-1) * (N-1)/(N-K)``, where ``K`` counts the columns of ``X``
    plus ``k_absorbed`` fixed-effect parameters. After the within
    transformation this equals the covariance of the same coefficients in
    the regression with all dummy columns (Frisch-Waugh-Lovell). Weighted
    regressions pass ``sqrt(w) X`` and ``sqrt(w) e``.

    ``codes`` optionally passes the clusters already as sorted integer
    codes and their number (``factor(clusters)``), which saves hashing the
    labels again.

    Returns
    -------
    (V, G)
        Covariance matrix and number of clusters.
    """
    X = np.asarray(X, dtype=float).reshape(len(resid), -1)
    if codes is None:
        cl_codes, uniq = factor(pd.Series(clusters))
        n_clusters = len(uniq)
    else:
        cl_codes, n_clusters = codes
    if n_clusters < 2:
        raise EstimationError("Klusterrobusta standardfel kräver minst två kluster.")
    n, k = X.shape
    scores = _group_sums(cl_codes, n_clusters, np.asfortranarray(X * resid[:, None]))
    if bread is None:
        bread = np.linalg.inv(X.T @ X)
    meat = scores.T @ scores
    dof = n - k - k_absorbed
    if dof <= 0:
        raise EstimationError("För få observationer i förhållande till antalet parametrar (inga frihetsgrader kvar).")
    c = n_clusters / (n_clusters - 1) * (n - 1) / dof
    return c * bread @ meat @ bread, n_clusters


# ---------------------------------------------------------------------------
# Wild cluster bootstrap
# ---------------------------------------------------------------------------


@dataclass
class WildBootstrapResult(ResultMixin):
    """Restricted wild cluster bootstrap (WCR) test of one coefficient."""

    estimate: float
    tstat: float
    pvalue: float
    ci: tuple[float, float]
    n_clusters: int
    n_boot: int
    weights: str
    enumerated: bool
    null: float = 0.0
    alpha: float = 0.05
    notes: list[str] = field(default_factory=list)
    t_boot: np.ndarray | None = field(default=None, repr=False)

    title: str = "Vild klusterbootstrap (WCR)"

    @property
    def caption(self) -> str:
        return (
            f"Restriktiv vild klusterbootstrap med {self.weights}-vikter, {self.n_clusters} kluster, "
            f"{self.n_boot} dragningar" + (" (samtliga kombinationer)" if self.enumerated else "") + "."
        )

    def summary(self) -> str:
        return summary_text(self, self.table())

    def table(self) -> pd.DataFrame:
        return pd.DataFrame(
            [{
                "estimat": self.estimate, "t": self.tstat, "p_bootstrap": self.pvalue,
                "ci_lag": self.ci[0], "ci_hog": self.ci[1], "n_kluster": self.n_clusters,
                "n_bootstrap": self.n_boot, "vikter": self.weights,
            }]
        )

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """Histogram of the bootstrap t statistics with the observed one marked."""
        from ..plots import decimal_comma, figure, finish

        if ax is None:
            fig, ax = figure("half")
        else:
            fig = ax.figure
        ax.hist(self.t_boot, bins=min(50, max(10, len(np.unique(self.t_boot)))), color="#999999")
        ax.axvline(self.tstat, color="#D55E00", lw=1.5)
        ax.set_xlabel("t-värde (bootstrap)")
        ax.set_ylabel("Antal dragningar")
        decimal_comma(ax)
        finish(fig, note=f"Observerat t = {fmt_num(self.tstat, 2)}, {p_text(self.pvalue)}.")
        return ax


def _draws(n_clusters: int, n_boot: int, weights: str, rng: np.random.Generator) -> tuple[np.ndarray, bool]:
    """Bootstrap weights, shape (B, G); all combinations when there are at most ``n_boot``."""
    support = np.array([-1.0, 1.0]) if weights == "rademacher" else _WEBB
    n_comb = len(support) ** n_clusters
    if n_comb <= n_boot:
        return np.array(list(itertools.product(support, repeat=n_clusters))), True
    return rng.choice(support, size=(n_boot, n_clusters)), False


class _WildEngine:
    """Vectorised WCR for one coefficient: every draw costs O(G k), not O(N k).

    Everything that depends on the null value ``b0`` is linear in it, so the
    N-sized work (restricted fit, per-cluster sums) is done once and each
    null (as in the test inversion for the CI) costs only O(B G k).
    """

    def __init__(self, y: np.ndarray, X: np.ndarray, codes: np.ndarray, n_clusters: int, column: int,
                 k_absorbed: int):
        n, k = X.shape
        self.j = column
        gm = _group_matrix(codes, n_clusters)
        A = np.linalg.inv(X.T @ X)
        self.A = A
        a = A[column]  # row of (X'X)^-1 for the tested coefficient
        aX = X @ a
        self.aXgX = gm @ (aX[:, None] * X)  # (G, k): a' X_g' X_g
        self.c = n_clusters / (n_clusters - 1) * (n - 1) / (n - k - k_absorbed)
        beta = A @ (X.T @ y)
        self.beta = beta
        u = gm @ (aX * (y - X @ beta))
        self.se = math.sqrt(self.c * float(u @ u))
        others = [i for i in range(k) if i != column]
        Xr = X[:, others]
        xj = X[:, column]
        if Xr.shape[1]:
            ey = y - Xr @ np.linalg.lstsq(Xr, y, rcond=None)[0]
            ex = xj - Xr @ np.linalg.lstsq(Xr, xj, rcond=None)[0]
        else:
            ey, ex = y.copy(), xj.copy()
        # Restricted residual e_r(b0) = ey - b0 ex; fitted yhat_r(b0) = y - e_r(b0).
        self.parts = {}
        for name, e_r, yhat in [("0", ey, y - ey), ("1", -ex, ex)]:
            self.parts[name] = (
                A @ (X.T @ yhat),  # beta_hat_r
                (gm @ (X * e_r[:, None])).T,  # S: (k, G)
                gm @ (aX * yhat),  # a'X_g' yhat_r
                gm @ (aX * e_r),  # a'X_g' e_r
            )

    def stats(self, null: float, v: np.ndarray) -> tuple[float, np.ndarray]:
        """Observed t for H0: beta_j = null, and bootstrap t's for the draws ``v`` (B, G)."""
        j = self.j
        t_obs = (self.beta[j] - null) / self.se
        p0, p1 = self.parts["0"], self.parts["1"]
        beta_hat_r, S, ag_yhat, ag_er = (x0 + null * x1 for x0, x1 in zip(p0, p1))
        # beta*_b = A X'(yhat_r + e_r * v_g)
        beta_b = beta_hat_r[None, :] + v @ (self.A @ S).T  # (B, k)
        # a' X_g' e*_b = a'X_g' yhat_r + v_g a'X_g' e_r - a'X_g'X_g beta*_b
        u_b = ag_yhat[None, :] + v * ag_er[None, :] - beta_b @ self.aXgX.T  # (B, G)
        se_b = np.sqrt(self.c * (u_b**2).sum(axis=1))
        t_b = (beta_b[:, j] - null) / se_b
        return t_obs, t_b


def wild_cluster_bootstrap(
    y: np.ndarray,
    X: np.ndarray,
    clusters: np.ndarray,
    *,
    column: int = 0,
    null: float = 0.0,
    weights: str = "auto",
    n_boot: int = 999,
    random_state: int | None = 0,
    alpha: float = 0.05,
    ci: bool = True,
    k_absorbed: int = 0,
) -> WildBootstrapResult:
    """Restricted wild cluster bootstrap (WCR) p-value and CI for one coefficient.

    The model is ``y = X b + e`` (fixed effects, if any, already projected out
    of ``y`` and ``X``; pass their count as ``k_absorbed`` so the t statistic
    uses the same CR1 correction as :func:`cluster_vcov`). Residuals are
    computed under the null ``b[column] = null`` and flipped cluster by
    cluster; the p-value is the share of bootstrap |t| at least as large as
    the observed |t| (symmetric test). The CI collects the nulls that are not
    rejected at level ``alpha`` (test inversion, found by bisection).

    Parameters
    ----------
    y, X
        Outcome ``(n,)`` and regressors ``(n, k)``.
    clusters
        Cluster label per row.
    column
        Index of the tested coefficient in ``X``.
    weights
        ``"rademacher"`` (+-1), ``"webb"`` (six points) or ``"auto"``: Webb
        with fewer than 10 clusters (Rademacher has only ``2**G`` distinct
        draws: 8 with three förbund), Rademacher otherwise.
    n_boot
        Number of draws. When the distinct weight vectors are at most
        ``n_boot`` (``2**G`` or ``6**G``) all are enumerated instead and the
        notes say so.
    random_state
        Seed for the draws.

    Returns
    -------
    WildBootstrapResult

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(1)
    >>> g = np.repeat(np.arange(12), 20)
    >>> x = rng.normal(size=240)
    >>> y = 0.5 * x + rng.normal(size=12)[g] + rng.normal(size=240)
    >>> X = np.column_stack([x, np.ones(240)])
    >>> res = wild_cluster_bootstrap(y, X, g, n_boot=499, random_state=1)
    >>> res.pvalue < 0.05, res.weights
    (True, 'Rademacher')
    """
    y = np.asarray(y, dtype=float)
    X = np.asarray(X, dtype=float).reshape(len(y), -1)
    codes, uniq = pd.factorize(pd.Series(clusters), sort=True)
    G = len(uniq)
    if G < 2:
        raise EstimationError("Vild klusterbootstrap kräver minst två kluster.")
    if weights == "auto":
        weights = "webb" if G < 10 else "rademacher"
    if weights not in ("rademacher", "webb"):
        raise EstimationError(f"Okänd viktfördelning {weights!r}: välj 'rademacher', 'webb' eller 'auto'.")
    rng = np.random.default_rng(random_state)
    v, enumerated = _draws(G, n_boot, weights, rng)
    eng = _WildEngine(y, X, codes, G, column, k_absorbed)
    t_obs, t_b = eng.stats(null, v)

    def pval(b0: float) -> float:
        t0, tb = eng.stats(b0, v)
        return float(np.mean(np.abs(tb) >= abs(t0) - 1e-12))

    p = float(np.mean(np.abs(t_b) >= abs(t_obs) - 1e-12))
    beta = float(eng.beta[column])
    se = eng.se
    lo = hi = float("nan")
    notes = []
    if ci and np.isfinite(se) and se > 0:
        lo = _invert(pval, beta, -se, alpha)
        hi = _invert(pval, beta, se, alpha)
    wname = "Rademacher" if weights == "rademacher" else "Webb"
    if enumerated:
        notes.append(
            f"Med {G} kluster finns bara {len(v)} olika {wname}-viktvektorer; samtliga har räknats igenom "
            f"i stället för slumpdragningar. Minsta möjliga p-värde är {fmt_num(1 / len(v), 3)}."
        )
    if weights == "rademacher" and G < 10 and not enumerated:
        notes.append("Rademachervikter med färre än 10 kluster ger få distinkta dragningar; överväg Webbvikter.")
    if G < 6:
        notes.append(
            f"Med {G} kluster har även den vilda bootstrapen låg styrka och p-värdet kan inte bli godtyckligt litet; "
            "tolka resultatet försiktigt."
        )
    return WildBootstrapResult(
        estimate=float(beta), tstat=float(t_obs), pvalue=p, ci=(lo, hi), n_clusters=G, n_boot=len(v),
        weights=wname, enumerated=enumerated, null=null, alpha=alpha, notes=notes, t_boot=t_b,
    )


def _invert(pval: Any, beta: float, step: float, alpha: float) -> float:
    """Walk from ``beta`` in the direction of ``step`` until the test rejects, then bisect."""
    inside, outside = beta, beta + 2 * step
    k = 0
    while pval(outside) > alpha:
        inside, outside = outside, outside + 2 * step * (2**k)
        k += 1
        if k > 30:
            return float("inf") * np.sign(step)
    for _ in range(40):
        mid = 0.5 * (inside + outside)
        if pval(mid) > alpha:
            inside = mid
        else:
            outside = mid
        if abs(outside - inside) < 1e-4 * abs(step):
            break
    return float(0.5 * (inside + outside))


# ---------------------------------------------------------------------------
# Randomisation inference
# ---------------------------------------------------------------------------


@dataclass
class RandomisationResult(ResultMixin):
    """Randomisation (permutation) inference for a difference-in-differences estimate."""

    estimate: float
    pvalue: float
    n_perm: int
    level: str
    n_units: int
    n_treated_units: int
    exact: bool
    statistic: str = "estimat"
    notes: list[str] = field(default_factory=list)
    null_distribution: np.ndarray | None = field(default=None, repr=False)

    title: str = "Randomiseringsinferens"

    @property
    def caption(self) -> str:
        how = "samtliga möjliga tilldelningar" if self.exact else f"{self.n_perm} slumpade tilldelningar"
        return f"Behandlingen omfördelad mellan {self.n_units} enheter på nivån {self.level!r}; {how}."

    def summary(self) -> str:
        return summary_text(self, self.table())

    def table(self) -> pd.DataFrame:
        return pd.DataFrame(
            [{
                "estimat": self.estimate, "p_randomisering": self.pvalue, "n_permutationer": self.n_perm,
                "niva": self.level, "n_enheter": self.n_units, "n_behandlade_enheter": self.n_treated_units,
                "exakt": self.exact,
            }]
        )

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """Permutation distribution with the observed estimate marked."""
        from ..plots import decimal_comma, figure, finish

        if ax is None:
            fig, ax = figure("half")
        else:
            fig = ax.figure
        ax.hist(self.null_distribution, bins=min(40, max(5, self.n_perm // 5)), color="#999999")
        ax.axvline(self.estimate, color="#D55E00", lw=1.5)
        ax.set_xlabel("Skattad effekt vid omfördelad behandling")
        ax.set_ylabel("Antal tilldelningar")
        decimal_comma(ax)
        finish(fig, note=f"Observerat estimat {fmt_num(self.estimate, 3)}, {p_text(self.pvalue)}.")
        return ax


def randomisation_inference(
    data: pd.DataFrame,
    outcome: str,
    *,
    level: str | None = None,
    n_perm: int = 999,
    random_state: int | None = 0,
    statistic: str = "estimat",
    **did_kwargs: Any,
) -> RandomisationResult:
    """Randomisation inference for :func:`~finsam_eval.effects.did.did`.

    The treatment profile of each unit (whether it is treated and, with a
    start column, when) is moved to other units at random, the estimate is
    recomputed, and the p-value is the share of reassignments whose
    estimate is at least as far from zero as the observed one (two-sided,
    the observed assignment counted). With ``level`` set to a cluster column
    (``"forbund"``, ``"kommun"``) whole clusters swap profiles, which is the
    right design when treatment was decided per cluster (a kommun joining a
    förbund); treatment must then be constant within each cluster. When the
    distinct assignments number at most ``n_perm`` they are all enumerated
    (exact test).

    Parameters
    ----------
    data, outcome, **did_kwargs
        As for :func:`~finsam_eval.effects.did.did` (``unit``, ``time``,
        ``treat``, ``post``, ``covariates``, ``fe``, ``weights``).
    level
        Column whose values are permuted; default the unit column.
    statistic
        ``"estimat"`` (the coefficient) or ``"t"`` (its CR1 t value,
        more robust when groups differ in size).

    Returns
    -------
    RandomisationResult

    Examples
    --------
    >>> from finsam_eval.effects.did import simulate_panel
    >>> df = simulate_panel(n_units=80, n_periods=6, effect=0.0, seed=3)
    >>> ri = randomisation_inference(df, "y", n_perm=199, random_state=1)
    >>> 0 <= ri.pvalue <= 1
    True
    """
    from .did import _fast_estimate, _prepare, _profile_columns, _solve

    unit = did_kwargs.get("unit", "person_id")
    level = level or unit
    prep = _prepare(data, outcome, extra=[level] if level in data.columns else None, **did_kwargs)
    frame = prep.frame
    if level not in frame.columns:
        from ..errors import MissingColumnError

        raise MissingColumnError(f"Kolumnen {level!r} för randomiseringsinferens saknas i data.")
    prof_cols = _profile_columns(prep)
    by_level = frame.groupby(level, sort=True)[prof_cols]
    if (by_level.nunique(dropna=False) > 1).any().any():
        raise EstimationError(
            f"Behandlingen varierar inom {level!r}: randomiseringsinferens på den nivån kräver att alla "
            "enheter i en grupp har samma behandlingsstatus och start. Välj en lägre nivå (t.ex. person)."
        )
    profiles = by_level.first()
    levels = profiles.index.to_numpy()
    lvl_codes = pd.Categorical(frame[level], categories=levels).codes
    prof_arr = profiles.to_numpy()
    # Distinct profiles and how many levels carry each: the exact reference set is their multiset permutations.
    # NaN (no start) is not equal to itself, so key it as None or every control would look unique.
    prof_keys = pd.Series([tuple(None if pd.isna(v) else v for v in r) for r in profiles.itertuples(index=False)])
    counts = prof_keys.value_counts()
    n_levels = len(levels)
    n_assign = math.factorial(n_levels)
    for c in counts:
        n_assign //= math.factorial(int(c))

    tvals = frame[prep.time].to_numpy(dtype=float)
    post_arr = frame[prep.post].to_numpy(dtype=float) if prep.mode == "post" else None

    def stat_for(perm: np.ndarray) -> float:
        assigned = prof_arr[perm][lvl_codes].astype(float)
        if statistic != "t":
            g = assigned[:, 0]
            if post_arr is not None:
                d = g * post_arr
            else:
                with np.errstate(invalid="ignore"):
                    d = ((g == 1) & (tvals >= assigned[:, 1])).astype(float)
            return _fast_estimate(prep, d)
        fr = frame.copy()
        for i, col in enumerate(prof_cols):
            fr[col] = assigned[:, i]
        est, se = _solve(prep, fr)
        return est / se if statistic == "t" else est

    obs = stat_for(np.arange(n_levels))
    rng = np.random.default_rng(random_state)
    exact = n_assign <= n_perm
    if exact:
        perms = _distinct_permutations(prof_keys.tolist())
    else:
        perms = [rng.permutation(n_levels) for _ in range(n_perm)]
    dist = np.array([stat_for(p) for p in progress(perms, desc="Randomiseringsinferens", unit="tilldelningar")])
    if exact:
        p = float(np.mean(np.abs(dist) >= abs(obs) - 1e-12))
    else:
        p = float((1 + np.sum(np.abs(dist) >= abs(obs) - 1e-12)) / (len(dist) + 1))
    n_treated = int(sum(c for k, c in counts.items() if k[0] == 1))
    notes = [
        f"Behandlingen omfördelad på nivån {_lab_lower(level)} ({n_levels} enheter, varav {n_treated} behandlade).",
        (f"Exakt test: samtliga {len(dist)} möjliga tilldelningar räknade; minsta möjliga p-värde är "
         f"{fmt_num(1 / len(dist), 3)}.") if exact else
        f"{n_perm} slumpade tilldelningar (slumpfrö {random_state}).",
    ]
    if exact and len(dist) < 20:
        notes.append("För få möjliga tilldelningar för att något p-värde under 0,05 ska vara möjligt.")
    return RandomisationResult(
        estimate=float(obs), pvalue=p, n_perm=len(dist), level=level, n_units=n_levels,
        n_treated_units=n_treated, exact=exact, statistic=statistic, notes=notes, null_distribution=dist,
    )


def _distinct_permutations(keys: list[Any]) -> list[np.ndarray]:
    """Index permutations that give each distinct assignment of ``keys`` to positions once.

    Generated as multiset permutations (no duplicates are ever built), so the
    cost follows the number of distinct assignments, not ``n!``.
    """
    pools: dict[Any, list[int]] = {}
    for i, k in enumerate(keys):
        pools.setdefault(k, []).append(i)
    distinct = list(pools)
    remaining = {k: len(v) for k, v in pools.items()}
    out: list[np.ndarray] = []
    current: list[Any] = []

    def rec() -> None:
        if len(current) == len(keys):
            used = {k: 0 for k in distinct}
            perm = []
            for k in current:
                perm.append(pools[k][used[k]])
                used[k] += 1
            out.append(np.array(perm))
            return
        for k in distinct:
            if remaining[k]:
                remaining[k] -= 1
                current.append(k)
                rec()
                current.pop()
                remaining[k] += 1

    rec()
    return out


def t_pvalue(t: float, df: int) -> float:
    """Two-sided p-value from the t distribution."""
    return float(2 * stats.t.sf(abs(t), df))
