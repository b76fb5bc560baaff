"""Sensitivity of an event study to violations of parallel trends (Rambachan & Roth 2023).

An event study's post-period coefficients estimate the effect only if the
treated and the controls would have kept parallel paths. Rambachan & Roth
("A More Credible Approach to Parallel Trends", *Review of Economic Studies*
90(5), 2023; R package ``HonestDiD``) replace that assumption by a bound on
how far the paths may drift apart, and give confidence intervals that hold
under the bound:

* **smoothness** (Δ^SD(M)): the difference in trends may bend by at most
  ``M`` per period (its second difference is at most M in absolute value);
  ``M = 0`` allows a linear pre-trend continued after the start. The interval
  is the optimal fixed-length confidence interval (FLCI) of Armstrong &
  Kolesár, as ``HonestDiD::findOptimalFLCI``: an affine estimator
  l_pre'β_pre + l'β_post whose weights on the pre-periods minimise the
  interval's half-length, the worst-case bias plus a folded-normal quantile
  times its standard error.

* **relative magnitudes** (Δ^RM(M̄)): no change in the difference in trends
  between consecutive post-periods exceeds M̄ times the largest such change
  among the pre-periods; M̄ = 1 allows post-period violations as large as the
  worst pre-period one. The confidence set inverts the conditional test of
  Andrews, Roth & Pakes (``method="Conditional"``) or its hybrid with a
  least-favourable first stage (``"C-LF"``, HonestDiD's default) over a grid
  of θ, as ``HonestDiD::createSensitivityResults_relativeMagnitudes``
  (:mod:`finsam_eval.effects._honest_arp`).

:func:`honest_did` takes an :class:`~finsam_eval.effects.event_study.EventStudyResult`
(or a staggered result, which has the same interface: coefficients,
covariance, reference period −1) or any ``betahat`` and ``sigma``
(pre-periods first, the reference period left out), computes the intervals
for a grid of ``M`` or ``Mbar``, the original interval and the breakdown value
(the smallest bound at which the interval contains 0), and draws the
sensitivity plot.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, stats

from ..errors import EstimationError, SchemaError
from ..results import ResultMixin
from ..sv import fmt_ci, fmt_num
from . import _honest_arp as arp

__all__ = ["honest_did", "HonestResult", "flci", "rm_interval"]


# ---------------------------------------------------------------------------------------------
# The folded normal quantile
# ---------------------------------------------------------------------------------------------


def _qfolded_exact(p: float, mu: float) -> float:
    """The ``p`` quantile of |Z + mu|, Z standard normal: Φ(c − μ) − Φ(−c − μ) = p."""
    mu = abs(float(mu))
    from scipy.special import ndtr  # Φ without the overhead of stats.norm (called thousands of times)

    return optimize.brentq(lambda c: ndtr(c - mu) - ndtr(-c - mu) - p, 0.0, mu + 12.0, xtol=1e-14)


_R_DRAWS: np.ndarray | None = None


def _r_rnorm_seed0(n: int = 10**6) -> np.ndarray:
    """R's ``set.seed(0); rnorm(n)`` (Mersenne-Twister, inversion), the draws HonestDiD's folded normal
    quantile is simulated from."""
    from scipy.special import ndtri

    s = 0
    for _ in range(50):  # R's initial scrambling of the seed
        s = (69069 * s + 1) & 0xFFFFFFFF
    key = []
    for _ in range(625):
        s = (69069 * s + 1) & 0xFFFFFFFF
        key.append(s)
    bg = np.random.MT19937()
    bg.state = {"bit_generator": "MT19937", "state": {"key": np.array(key[1:], dtype=np.uint32), "pos": 624}}
    u = bg.random_raw(2 * n).astype(np.float64) * 2.3283064365386963e-10
    eps = 0.5 * 2.328306437080797e-10
    u = np.clip(u, eps, 1 - eps)
    big = 134217728.0  # 2^27: R combines two uniforms for enough precision
    return ndtri((np.floor(big * u[0::2]) + u[1::2]) / big)


def _qfolded_r(p: float, mu: float) -> float:
    """HonestDiD's simulated quantile (10⁶ draws with seed 0, R's quantile type 7)."""
    global _R_DRAWS
    if _R_DRAWS is None:
        _R_DRAWS = _r_rnorm_seed0()
    a = np.abs(_R_DRAWS + mu)
    h = (len(a) - 1) * p  # R's type 7: linear between the two order statistics around (n - 1) p
    k = int(np.floor(h))
    lo, hi = np.partition(a, [k, k + 1])[[k, k + 1]]
    return float(lo + (h - k) * (hi - lo))


# ---------------------------------------------------------------------------------------------
# FLCI under smoothness (Δ^SD)
# ---------------------------------------------------------------------------------------------


def _w_to_l(w: np.ndarray) -> np.ndarray:
    return np.diff(np.concatenate([[0.0], w]))


def _variance(w: np.ndarray, sigma: np.ndarray, l_vec: np.ndarray) -> float:
    v = np.concatenate([_w_to_l(w), l_vec])
    return float(v @ sigma @ v)


def _bias_constant(l_vec: np.ndarray) -> float:
    T = len(l_vec)
    return float(sum(abs(np.arange(1, k + 1) @ l_vec[T - k:]) for k in range(1, T + 1))
                 - np.arange(1, T + 1) @ l_vec)


def _min_bias(h: float, sigma: np.ndarray, K: int, l_vec: np.ndarray) -> tuple[float, np.ndarray]:
    """Worst-case bias (for M = 1) of the best affine estimator with SD at most ``h``
    (HonestDiD ``.findWorstCaseBiasGivenH``): variables (U, w), U_k ≥ |w_1 + ... + w_k|."""
    S = float(np.arange(1, len(l_vec) + 1) @ l_vec)
    L = np.tril(np.ones((K, K)))
    D = np.eye(K) - np.eye(K, k=-1)  # l_pre = D w

    def var_jac(x: np.ndarray) -> np.ndarray:  # gradient of h² − v'Σv, v = (D w, l)
        v = np.concatenate([D @ x[K:], l_vec])
        return np.concatenate([np.zeros(K), -2.0 * D.T @ (sigma @ v)[:K]])[None]

    cons = [
        {"type": "ineq", "fun": lambda x: x[:K] - L @ x[K:], "jac": lambda x: np.hstack([np.eye(K), -L])},
        {"type": "ineq", "fun": lambda x: x[:K] + L @ x[K:], "jac": lambda x: np.hstack([np.eye(K), L])},
        {"type": "eq", "fun": lambda x: x[K:].sum() - S,
         "jac": lambda x: np.concatenate([np.zeros(K), np.ones(K)])[None]},
        {"type": "ineq", "fun": lambda x: h**2 - _variance(x[K:], sigma, l_vec), "jac": var_jac},
    ]
    w0 = np.zeros(K)
    w0[-1] = S
    x0 = np.concatenate([np.abs(L @ w0) + 1e-12, w0])
    r = optimize.minimize(lambda x: x[:K].sum(), x0, jac=lambda x: np.concatenate([np.ones(K), np.zeros(K)]),
                          constraints=cons, method="SLSQP", options={"ftol": 1e-15, "maxiter": 2000})
    return _bias_constant(l_vec) + float(r.fun), r.x[K:]


def _h_min(sigma: np.ndarray, K: int, l_vec: np.ndarray) -> tuple[float, np.ndarray]:
    """SD of the minimum-variance affine estimator (HonestDiD ``.findLowestH``)."""
    S = float(np.arange(1, len(l_vec) + 1) @ l_vec)
    r = optimize.minimize(lambda w: _variance(w, sigma, l_vec), np.full(K, S / K), method="SLSQP",
                          constraints=[{"type": "eq", "fun": lambda w: w.sum() - S}],
                          options={"ftol": 1e-18, "maxiter": 2000})
    return float(np.sqrt(r.fun)), r.x


def flci(betahat: np.ndarray, sigma: np.ndarray, num_pre: int, M: float, *, l_vec: np.ndarray | None = None,
         alpha: float = 0.05, folded_quantile: str = "exact") -> tuple[float, float, np.ndarray]:
    """Optimal fixed-length confidence interval for l'τ_post under Δ^SD(M).

    Returns ``(lower, upper, weights)`` where ``weights`` is the affine
    estimator on (β_pre, β_post). ``folded_quantile="R"`` uses HonestDiD's
    simulated folded normal quantile (10⁶ draws, seed 0) instead of the exact one,
    to reproduce R's printed numbers digit for digit.

    Examples
    --------
    >>> sigma = np.diag([0.01, 0.01, 0.01, 0.02]) ** 2
    >>> lo, hi, _ = flci(np.array([0.0, 0.0, 0.0, 0.05]), sigma, 3, 0.0)
    >>> lo < 0.05 < hi
    True
    """
    q = _qfolded_r if folded_quantile == "R" else _qfolded_exact
    num_post = len(betahat) - num_pre
    l_vec = np.eye(num_post)[0] if l_vec is None else np.asarray(l_vec, dtype=float)
    K = num_pre
    S = float(np.arange(1, num_post + 1) @ l_vec)
    w0 = np.zeros(K)
    w0[-1] = S
    h0 = float(np.sqrt(_variance(w0, sigma, l_vec)))
    hmin, wmin = _h_min(sigma, K, l_vec)

    def half(h: float) -> float:
        return q(1 - alpha, M * _min_bias(h, sigma, K, l_vec)[0] / h) * h

    if M == 0 or h0 <= hmin:
        hs = hmin
        bias, w = 0.0, wmin
    else:
        # the half-length is convex in h (HonestDiD bisects its derivative; a bounded Brent search finds the same h)
        hs = float(optimize.minimize_scalar(half, bounds=(hmin, h0), method="bounded",
                                            options={"xatol": 1e-6 * h0}).x)
        bias, w = _min_bias(hs, sigma, K, l_vec)
    length = q(1 - alpha, M * bias / hs) * hs
    vec = np.concatenate([_w_to_l(w), l_vec])
    centre = float(vec @ betahat)
    return centre - length, centre + length, vec


# ---------------------------------------------------------------------------------------------
# Result
# ---------------------------------------------------------------------------------------------

def _short(x: float) -> str:
    """A bound for a tick or a caption: up to three decimals, trailing zeros dropped (0,5; 1; 0,01)."""
    s = fmt_num(float(x), 3)
    return s.rstrip("0").rstrip(",.") if ("," in s or "." in s) else s


_RESTRICTION_SV = {"smoothness": "jämnhet (ΔSD)", "relative_magnitude": "relativa storlekar (ΔRM)"}


@dataclass
class HonestResult(ResultMixin):
    """Robust confidence intervals for a post-period effect under bounded violations of parallel trends.

    Attributes
    ----------
    intervals
        One row per bound: ``M`` (smoothness) or ``Mbar`` (relative magnitudes),
        ``ci_lag``, ``ci_hog``, ``metod`` ("FLCI", "C-LF" or "Conditional"), ``restriktion``.
    original
        The ordinary interval for l'β_post (``ci_lag``, ``ci_hog``, ``estimat``, ``se``).
    breakdown
        The smallest ``M`` (``Mbar``) at which the robust interval contains 0 (NaN
        when the original interval already does, inf when no bound tried does).
    """

    intervals: pd.DataFrame
    original: dict[str, float]
    breakdown: float
    restriction: str
    alpha: float
    num_pre: int
    num_post: int
    l_vec: np.ndarray
    label: str = "effekten första perioden efter start"
    notes: list[str] = field(default_factory=list)

    @property
    def param(self) -> str:
        """The name of the bound: ``"M"`` (smoothness) or ``"Mbar"`` (relative magnitudes)."""
        return "Mbar" if self.restriction == "relative_magnitude" else "M"

    @property
    def _param_sv(self) -> str:
        return "M̄" if self.restriction == "relative_magnitude" else "M"

    @property
    def title(self) -> str:
        return f"Känslighet för brott mot parallella trender: {self.label}"

    @property
    def caption(self) -> str:
        lvl = round(100 * (1 - self.alpha))
        o = self.original
        p = self._param_sv
        if np.isnan(self.breakdown):
            bd = "redan det ursprungliga intervallet innehåller 0"
        elif np.isinf(self.breakdown):
            bd = f"inget prövat {p} ger ett intervall som innehåller 0"
        else:
            bd = f"brytpunkt {p} = {fmt_num(self.breakdown, 4)}"
        vals = self.intervals[self.param]
        return (f"Ursprungligt {lvl} % KI {fmt_ci(o['ci_lag'], o['ci_hog'], 4)}; robusta intervall "
                f"under {_RESTRICTION_SV[self.restriction]} för {p} = {_short(vals.min())}–{_short(vals.max())}; "
                f"{bd}.")

    def table(self) -> pd.DataFrame:
        """The original interval (bound empty, metod "ursprungligt") and one robust interval per bound."""
        orig = pd.DataFrame([{self.param: np.nan, "ci_lag": self.original["ci_lag"],
                              "ci_hog": self.original["ci_hog"], "metod": "ursprungligt",
                              "restriktion": "parallella trender"}])
        return pd.concat([orig, self.intervals], ignore_index=True)

    def summary(self) -> str:
        from .inference import summary_text

        return summary_text(self, self.table()) + "\n\n" + self.caption

    def plot(self, ax: Any = None, *, title: str | None = None, **kwargs: Any) -> Any:
        """Sensitivity plot: the original interval and the robust interval for each bound, zero line."""
        from ..plots import GREY, OKABE_ITO, decimal_comma, figure, finish, house_style

        t = self.intervals.dropna(subset=["ci_lag", "ci_hog"])
        rm = self.restriction == "relative_magnitude"
        p = self._param_sv
        with house_style():
            fig, ax = figure("full") if ax is None else (ax.figure, ax)
            Ms = t[self.param].to_numpy(dtype=float)
            step = np.min(np.diff(np.sort(Ms))) if len(Ms) > 1 else max(abs(Ms[0]), 1.0) * 0.1
            x0 = Ms.min() - step
            o = self.original
            ax.errorbar([x0], [(o["ci_lag"] + o["ci_hog"]) / 2], yerr=[[(o["ci_hog"] - o["ci_lag"]) / 2]], fmt="none",
                        ecolor=OKABE_ITO[5], elinewidth=2.0, capsize=4, label="Ursprungligt intervall")
            mid = (t["ci_lag"] + t["ci_hog"]) / 2
            method = t["metod"].iloc[0] if len(t) else "FLCI"
            ax.errorbar(Ms, mid, yerr=[mid - t["ci_lag"], t["ci_hog"] - mid], fmt="none", ecolor=OKABE_ITO[0],
                        elinewidth=2.0, capsize=4, label=f"Robust intervall ({method})")
            ax.axhline(0, color=GREY, lw=0.8, ls="--")
            if np.isfinite(self.breakdown) and self.breakdown <= Ms.max():
                ax.axvline(self.breakdown, color="#444444", lw=0.8, ls=":")
            ax.set_xticks([x0, *Ms])
            ax.set_xticklabels(["Orig."] + [_short(m) for m in Ms])
            ax.set_xlabel("M̄ (efterperiodernas trendbrott i förhållande till det största före start)" if rm else
                          "M (största tillåtna ändring i lutningen på trendskillnaden per period)")
            ax.set_ylabel("Effekt")
            decimal_comma(ax, "y")
            ax.legend(loc="upper left")
            fig.tight_layout()
            lvl = round(100 * (1 - self.alpha))
            bd = ("" if not np.isfinite(self.breakdown) else
                  f" Prickad linje: brytpunkten {p} = {fmt_num(self.breakdown, 4)}, där intervallet först innehåller 0.")
            what = ("M̄ = 1 tillåter brott mot parallella trender efter start lika stora som det största före start; "
                    "M̄ = 2 dubbelt så stora." if rm else
                    "M = 0 tillåter en linjär förtrend som fortsätter efter start; större M tillåter att trenden "
                    "böjer av mer.")
            finish(fig, title=title, note=(
                f"{lvl} % konfidensintervall för {self.label} (Rambachan & Roth 2023). {what}{bd}"))
        return ax


# ---------------------------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------------------------


def _from_event_study(es: Any) -> tuple[np.ndarray, np.ndarray, int]:
    coef = es.coefficients.sort_values("event_time")
    if es.ref != -1:
        raise EstimationError(f"Händelsestudien har referensperiod {es.ref}; känslighetsanalysen kräver att perioden "
                              "närmast före start (−1) är referens. Skatta om med ref=-1.")
    if es.vcov is None:
        raise EstimationError("Händelsestudien saknar kovariansmatris (vcov); skatta om den med event_study.")
    est = coef[coef["event_time"] != es.ref]
    betahat = est["estimat"].to_numpy(dtype=float)
    num_pre = int((est["event_time"] < 0).sum())
    return betahat, np.asarray(es.vcov, dtype=float), num_pre


def rm_interval(betahat: np.ndarray, sigma: np.ndarray, num_pre: int, Mbar: float, *,
                l_vec: np.ndarray | None = None, alpha: float = 0.05, method: str = "C-LF",
                grid_points: int = 1000, grid_lb: float | None = None,
                grid_ub: float | None = None) -> tuple[float, float, bool, float]:
    """Robust confidence interval for l'τ_post under relative magnitudes Δ^RM(M̄).

    As ``HonestDiD::computeConditionalCS_DeltaRM``: the ARP test (``method``
    "Conditional") or its least-favourable hybrid ("C-LF", κ = α/10, 1 000
    draws with R's seed 0) is run at ``grid_points`` values of θ between
    ``grid_lb`` and ``grid_ub``, for every location of the largest pre-period
    change and its sign; the interval runs from the smallest to the largest θ
    accepted by any.

    The default grid is the identified set of l'τ_post at β̂ widened by 20
    standard errors of l'β̂_post on each side: the grid that produced the
    intervals printed in HonestDiD's README since 2024. The package source's own
    default, ±20 standard errors around 0 (the README's 2022–2023 output), is
    ``grid_lb=-20*se, grid_ub=20*se``; it misses the interval when the effect is
    more than about 20 standard errors from 0.

    Returns ``(lower, upper, open_edge, step)``; ``open_edge`` is True when θ at
    an end of the grid is accepted (widen the grid), ``step`` the grid step (the
    precision of the bounds). Both bounds are NaN when no θ is accepted.

    Examples
    --------
    >>> b = np.array([0.001, -0.002, 0.0, 0.05, 0.06])
    >>> V = np.diag([0.01, 0.01, 0.01, 0.012, 0.014]) ** 2
    >>> lo, hi, edge, step = rm_interval(b, V, 3, 1.0)
    >>> bool(lo < 0.05 < hi), edge
    (True, False)
    """
    K = int(num_pre)
    T = len(betahat) - K
    lv = np.eye(T)[0] if l_vec is None else np.asarray(l_vec, dtype=float)
    sd = float(np.sqrt(lv @ sigma[K:, K:] @ lv))
    b = np.asarray(betahat, dtype=float)
    if grid_lb is None or grid_ub is None:
        id_lo, id_hi = arp.rm_identified_set(b, K, lv, float(Mbar))
    lb = id_lo - 20 * sd if grid_lb is None else float(grid_lb)
    ub = id_hi + 20 * sd if grid_ub is None else float(grid_ub)
    thetas = np.linspace(lb, ub, int(grid_points))
    step = float(thetas[1] - thetas[0])
    acc = arp.rm_accept(b, np.asarray(sigma, dtype=float), K, lv, float(Mbar), thetas, alpha=alpha,
                        hybrid="LF" if method == "C-LF" else "ARP")
    if not acc.any():
        return float("nan"), float("nan"), False, step
    return float(thetas[acc].min()), float(thetas[acc].max()), bool(acc[0] or acc[-1]), step


_METHODS = {"smoothness": ("FLCI",), "relative_magnitude": ("C-LF", "Conditional")}


def honest_did(
    source: Any = None,
    *,
    betahat: Any = None,
    sigma: Any = None,
    num_pre: int | None = None,
    l_vec: Any = None,
    M: Any = None,
    Mbar: Any = None,
    alpha: float = 0.05,
    restriction: str = "smoothness",
    method: str | None = None,
    folded_quantile: str = "exact",
    grid_points: int = 1000,
    grid_lb: float | None = None,
    grid_ub: float | None = None,
    label: str | None = None,
    breakdown: bool = True,
) -> HonestResult:
    """Robust confidence intervals for a post-period effect when parallel trends may be violated.

    Parameters
    ----------
    source
        An :class:`~finsam_eval.effects.event_study.EventStudyResult` (reference
        period −1); its coefficients and cluster-robust covariance are used.
    betahat, sigma, num_pre
        Alternatively the event-study coefficients (pre-periods first, in time
        order, the reference period left out), their covariance matrix and the
        number of pre-period coefficients.
    l_vec
        Weights on the post-period coefficients defining the effect (default: the
        first post-period; e.g. ``[0.5, 0.5]`` for the mean of two).
    M
        Values of the smoothness bound (``restriction="smoothness"``; default: 0
        to twice the largest change in slope among the pre-period coefficients,
        6 points).
    Mbar
        Values of the relative-magnitudes bound M̄ (``restriction="relative_magnitude"``;
        default 0; 0,5; 1; 1,5; 2).
    alpha
        1 − confidence level.
    restriction
        ``"smoothness"`` (Δ^SD(M), FLCI) or ``"relative_magnitude"`` (Δ^RM(M̄)).
    method
        ``"FLCI"`` for smoothness; ``"C-LF"`` (default, HonestDiD's) or
        ``"Conditional"`` for relative magnitudes.
    folded_quantile
        Smoothness only: ``"exact"`` (default) or ``"R"`` (HonestDiD's simulated
        quantile, to reproduce R's output digit for digit).
    grid_points, grid_lb, grid_ub
        Relative magnitudes only: the grid of θ over which the test is inverted
        (default 1 000 points over the identified set widened by 20 standard
        errors of the effect on each side, the grid behind HonestDiD's README
        output; see :func:`rm_interval`). The bounds are grid points, so their
        precision is the grid step.
    label
        What the effect is called in titles (default "effekten första perioden efter start").
    breakdown
        Compute the breakdown value (a root search over the bound; a second or two).

    Returns
    -------
    HonestResult

    Examples
    --------
    >>> b = np.array([0.001, -0.002, 0.0, 0.05, 0.06])
    >>> V = np.diag([0.01, 0.01, 0.01, 0.012, 0.014]) ** 2
    >>> res = honest_did(betahat=b, sigma=V, num_pre=3, M=[0, 0.01, 0.02])
    >>> res.table()["metod"].tolist()
    ['ursprungligt', 'FLCI', 'FLCI', 'FLCI']
    >>> bool(res.intervals["ci_lag"].iloc[0] > 0)
    True
    >>> rm = honest_did(betahat=b, sigma=V, num_pre=3, restriction="relative_magnitude", Mbar=[0.5, 1])
    >>> rm.intervals.columns.tolist()
    ['Mbar', 'ci_lag', 'ci_hog', 'metod', 'restriktion']
    """
    if restriction not in _METHODS:
        raise SchemaError(f"restriction={restriction!r}: välj 'smoothness' (ΔSD, FLCI) eller 'relative_magnitude' "
                          "(ΔRM, relativa storlekar).")
    rm = restriction == "relative_magnitude"
    method = method or _METHODS[restriction][0]
    if method not in _METHODS[restriction]:
        raise SchemaError(f"method={method!r} passar inte restriction={restriction!r}; välj "
                          + " eller ".join(repr(m) for m in _METHODS[restriction]) + ".")
    if rm and M is not None:
        raise SchemaError("M hör till restriction='smoothness'; ange gränserna för relativa storlekar med Mbar=.")
    if not rm and Mbar is not None:
        raise SchemaError("Mbar hör till restriction='relative_magnitude'; lägg till det argumentet eller ange M=.")
    if folded_quantile not in ("exact", "R"):
        raise SchemaError(f"folded_quantile={folded_quantile!r}: välj 'exact' eller 'R'.")
    if not 0 < alpha < 1:
        raise SchemaError(f"alpha={alpha} måste ligga mellan 0 och 1.")
    if rm and int(grid_points) < 10:
        raise SchemaError(f"grid_points={grid_points}: minst 10 punkter behövs (R använder 1 000).")
    if source is not None:
        if not hasattr(source, "coefficients") or not hasattr(source, "vcov"):
            raise SchemaError("source ska vara ett resultat från event_study; ange annars betahat, sigma och num_pre.")
        b, V, K = _from_event_study(source)
    else:
        if betahat is None or sigma is None or num_pre is None:
            raise SchemaError("Ange en händelsestudie (source) eller betahat, sigma och num_pre.")
        b = np.asarray(betahat, dtype=float).ravel()
        V = np.asarray(sigma, dtype=float)
        K = int(num_pre)
    n = len(b)
    if V.shape != (n, n):
        raise SchemaError(f"sigma har formen {V.shape} men betahat har {n} koefficienter; sigma ska vara {n}×{n}.")
    if not (np.isfinite(b).all() and np.isfinite(V).all()):
        raise EstimationError("betahat eller sigma innehåller saknade eller oändliga värden (t.ex. en period utan "
                              "observationer i händelsestudien).")
    if not 1 <= K < n:
        raise EstimationError(f"Minst en förperiod och en efterperiod behövs (num_pre={K}, {n} koefficienter).")
    if not np.allclose(V, V.T, atol=1e-12 * max(1.0, np.abs(V).max())) or np.linalg.eigvalsh(V).min() < -1e-12:
        raise EstimationError("sigma är inte en symmetrisk, positivt semidefinit kovariansmatris.")
    T = n - K
    lv = np.eye(T)[0] if l_vec is None else np.asarray(l_vec, dtype=float).ravel()
    if len(lv) != T:
        raise SchemaError(f"l_vec har {len(lv)} vikter men det finns {T} efterperioder.")
    if not np.isfinite(lv).all() or not np.abs(lv).max() > 0:
        raise SchemaError("l_vec får inte vara bara nollor (eller saknade värden): ange vikterna för effekten, "
                          "t.ex. [1, 0] för första efterperioden.")
    z = stats.norm.ppf(1 - alpha / 2)
    est = float(lv @ b[K:])
    se = float(np.sqrt(lv @ V[K:, K:] @ lv))
    if se <= 0:
        raise EstimationError("Effekten har standardfel 0 enligt sigma; kontrollera kovariansmatrisen.")
    original = {"estimat": est, "se": se, "ci_lag": est - z * se, "ci_hog": est + z * se}
    notes: list[str] = []
    if rm:
        Ms = np.atleast_1d(np.asarray([0.0, 0.5, 1.0, 1.5, 2.0] if Mbar is None else Mbar, dtype=float))
        if (Ms < 0).any() or not np.isfinite(Ms).all():
            raise SchemaError("Mbar måste vara ändliga tal, 0 eller större.")
        grid = {"grid_points": int(grid_points), "grid_lb": grid_lb, "grid_ub": grid_ub}

        def interval(m: float) -> tuple[float, float]:
            lo, hi, edge, step = rm_interval(b, V, K, m, l_vec=lv, alpha=alpha, method=method, **grid)
            steps.append(step)
            if edge:
                edges.add(m)
            return lo, hi

        edges: set[float] = set()
        steps: list[float] = []
        rows = []
        for m in Ms:
            lo, hi = interval(float(m))
            rows.append({"Mbar": float(m), "ci_lag": lo, "ci_hog": hi, "metod": method,
                         "restriktion": _RESTRICTION_SV[restriction]})
        intervals = pd.DataFrame(rows)
        bd = _breakdown_rm(interval, original, intervals) if breakdown else float("nan")
        test = ("villkorligt test (Andrews, Roth & Pakes) med ett första steg mot det minst gynnsamma kritiska "
                "värdet, κ = α/10 (C-LF)," if method == "C-LF" else "villkorligt test (Andrews, Roth & Pakes),")
        notes += [
            f"Rambachan & Roth (2023), som R-paketet HonestDiD (createSensitivityResults_relativeMagnitudes): "
            f"ändringen i trendskillnaden mellan två perioder efter start är högst M̄ gånger den största ändringen "
            f"mellan två perioder före start; {test} inverterat över {fmt_num(int(grid_points), 0)} värden av effekten; "
            f"{K} förperioder och {T} efterperioder.",
            f"Gränserna är punkter i ett rutnät (den identifierade mängden ± 20 standardfel om inte grid_lb/grid_ub "
            f"anges): noggrannheten är ett steg, högst {fmt_num(max(steps), 6)}.",
            "Brytpunkten är det minsta M̄ där det robusta intervallet innehåller 0: så stora brott mot parallella "
            "trender, i förhållande till de största före start, tål slutsatsen att effekten skiljer sig från 0.",
        ]
        if intervals["ci_lag"].isna().any():
            notes.append("För " + ", ".join(fmt_num(m, 3) for m in intervals.loc[intervals.ci_lag.isna(), "Mbar"])
                         + " accepterade testet inget värde i rutnätet (tomt intervall): förtrenderna stämmer dåligt "
                         "med antagandet, eller rutnätet täcker inte effekten (ange grid_lb/grid_ub).")
        if edges:
            notes.append("Intervallet når rutnätets kant för M̄ = " + ", ".join(fmt_num(m, 3) for m in sorted(edges))
                         + ": gränsen kan ligga längre ut; vidga rutnätet med grid_lb/grid_ub.")
    else:
        if M is None:
            pre = np.concatenate([b[:K], [0.0]])
            slope_change = np.abs(np.diff(pre, 2)).max() if K >= 2 else np.abs(np.diff(pre)).max()
            M = np.linspace(0.0, 2 * float(slope_change), 6)
        Ms = np.atleast_1d(np.asarray(M, dtype=float))
        if (Ms < 0).any():
            raise SchemaError("M måste vara 0 eller större.")
        rows = []
        for m in Ms:
            lo, hi, _ = flci(b, V, K, float(m), l_vec=lv, alpha=alpha, folded_quantile=folded_quantile)
            rows.append({"M": float(m), "ci_lag": lo, "ci_hog": hi, "metod": "FLCI",
                         "restriktion": _RESTRICTION_SV[restriction]})
        intervals = pd.DataFrame(rows)
        bd = (_breakdown(b, V, K, lv, alpha, "exact", original, intervals if folded_quantile == "exact" else None)
              if breakdown else float("nan"))
        notes += [
            f"Rambachan & Roth (2023), som R-paketet HonestDiD: optimalt intervall med fast längd (FLCI) under "
            f"antagandet att trendskillnadens lutning ändras högst M per period; {K} förperioder och {T} efterperioder.",
            "Brytpunkten är det minsta M där det robusta intervallet innehåller 0: så mycket får trenden böja av innan "
            "slutsatsen att effekten skiljer sig från 0 faller.",
        ]
    return HonestResult(intervals=intervals, original=original, breakdown=bd, restriction=restriction,
                        alpha=alpha, num_pre=K, num_post=T, l_vec=lv,
                        label=label or ("effekten första perioden efter start" if l_vec is None else "effekten"),
                        notes=notes)


def _breakdown(b: np.ndarray, V: np.ndarray, K: int, lv: np.ndarray, alpha: float, fq: str,
               original: dict[str, float], known: pd.DataFrame | None = None) -> float:
    """Smallest M whose FLCI contains 0 (NaN if the original interval contains 0).

    The bound of the interval nearest 0 is continuous and monotone in M, so a
    doubling bracket and Brent's method find the root in a handful of FLCI
    computations (bisection to the same precision needs about twice as many).
    """
    if original["ci_lag"] <= 0 <= original["ci_hog"]:
        return float("nan")
    sign = 1.0 if original["estimat"] > 0 else -1.0

    def gap(m: float) -> float:  # > 0 while the interval excludes 0
        lo, hi, _ = flci(b, V, K, m, l_vec=lv, alpha=alpha, folded_quantile=fq)
        return lo if sign > 0 else -hi

    pts = {}
    if known is not None and fq == "exact":  # the intervals already computed bracket the root
        pts = {float(r.M): (r.ci_lag if sign > 0 else -r.ci_hog) for r in known.itertuples()}
    if 0.0 not in pts:
        pts[0.0] = gap(0.0)
    if pts[0.0] <= 0:
        return 0.0
    covering = [m for m, g in pts.items() if g <= 0]
    if covering:
        hi = min(covering)
        lo = max(m for m, g in pts.items() if g > 0 and m < hi)
    else:
        lo, hi = max(pts), max(max(pts) * 2, max(abs(original["estimat"]), original["se"]) / 4)
        for _ in range(30):
            if gap(hi) <= 0:
                break
            lo, hi = hi, hi * 2
        else:
            return float("inf")
    # Brent's method to 0,02 % of the bracket
    return float(optimize.brentq(gap, lo, hi, xtol=2e-4 * hi, rtol=1e-6))


def _breakdown_rm(interval: Any, original: dict[str, float], known: pd.DataFrame | None = None,
                  m_max: float = 64.0) -> float:
    """Smallest M̄ whose interval contains 0, to 0,001 (NaN if the original interval contains 0, inf if not
    even M̄ = ``m_max`` does).

    The bracket comes from the intervals already computed (``known``) or by
    doubling from 1; inside it the bound nearest 0 is nearly linear in M̄, so
    regula falsi (Illinois) needs a handful of intervals where bisection needs ten.
    """
    if original["ci_lag"] <= 0 <= original["ci_hog"]:
        return float("nan")
    sign = 1.0 if original["estimat"] > 0 else -1.0

    def gap(lo_hi: tuple[float, float]) -> float:  # > 0 while the interval excludes 0
        lo, hi = lo_hi
        if not np.isfinite(lo):
            return np.inf  # nothing accepted: treat as excluding 0
        return lo if sign > 0 else -hi

    pts = {}
    if known is not None:
        for r in known.itertuples():
            pts[float(r.Mbar)] = gap((r.ci_lag, r.ci_hog))
    if 0.0 not in pts:
        pts[0.0] = gap(interval(0.0))
    if pts[0.0] <= 0:
        return 0.0
    covering = [m for m, g in pts.items() if g <= 0]
    if covering:
        b = min(covering)
        a = max(m for m, g in pts.items() if g > 0 and m < b)
    else:
        a = max(pts)
        b = max(1.0, 2 * a)
        while (gb := gap(interval(b))) > 0:
            pts[b] = gb
            a, b = b, 2 * b
            if b > m_max:
                return float("inf")
        pts[b] = gb
    ga, gb = pts[a], pts[b]
    side, steps = 0, 0
    while b - a > 1e-3:
        steps += 1
        if steps <= 8 and np.isfinite(ga) and ga > gb:  # then plain bisection
            m = b - gb * (b - a) / (gb - ga)
            m = min(max(m, a + 0.25e-3), b - 0.25e-3)
        else:
            m = (a + b) / 2
        gm = gap(interval(m))
        if gm <= 0:
            b, gb = m, gm
            if side == -1:
                ga /= 2
            side = -1
        else:
            a, ga = m, gm
            if side == 1:
                gb /= 2
            side = 1
    return b
