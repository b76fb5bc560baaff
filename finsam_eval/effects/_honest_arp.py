"""Relative magnitudes (Δ^RM(M̄)) for :func:`finsam_eval.effects.honest.honest_did`.

A port of R ``HonestDiD`` 0.2.8 (``R/deltarm.R``, ``R/arp-nuisance.R``,
``R/arp-nonuisance.R``): the conditional test of Andrews, Roth & Pakes (ARP,
"Conditional") and its hybrid with a least-favourable first stage ("C-LF",
HonestDiD's default for relative magnitudes), inverted over a grid of θ.

Δ^RM(M̄) is the union over the location ``s`` of the largest pre-period first
difference and its sign of polyhedra {δ: A_s δ ≤ 0}; a θ is in the confidence
set when the test accepts it for at least one of them (as
``computeConditionalCS_DeltaRM``).

HonestDiD solves one linear program per θ and per simulation draw. The program

    min η  subject to  y − Xδ ≤ η·sd

has the dual max γ'y over the polytope {γ ≥ 0, γ'sd = 1, X'γ = 0}, which does
not depend on θ or on the draw. Its vertices are enumerated once (they are few:
X has one column fewer than there are post-periods), so η(θ), the binding
moments (the support of the maximising vertex), the least-favourable critical
value over 1 000 draws and the truncation points of the dual approach are all
exact vectorised expressions. When the enumeration would be too large, the
programs are solved with ``scipy.optimize.linprog`` (HiGHS) one θ at a time.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
from scipy import optimize, stats

_TOL_LAMBDA = 1e-6  # HonestDiD: a moment binds when its multiplier exceeds 1e-6
_MAX_SUBSETS = 200_000  # C(20, 10): ten post-periods


# ---------------------------------------------------------------------------------------------
# Δ^RM as polyhedra
# ---------------------------------------------------------------------------------------------


def create_A_RM(num_pre: int, num_post: int, Mbar: float, s: int, max_positive: bool = True) -> np.ndarray:
    """Constraint matrix of Δ^RM_{s,±}(M̄) on δ = (δ_pre, δ_post) (HonestDiD ``.create_A_RM``, d = 0).

    Every first difference of δ (the reference period 0 included, then dropped)
    is at most the first difference ending at period ``s`` ≤ 0 in absolute
    value, times M̄ after the start.
    """
    K, T = num_pre, num_post
    n = K + T
    At = np.zeros((n, n + 1))
    for r in range(n):
        At[r, r], At[r, r + 1] = -1.0, 1.0
    v = np.zeros(n + 1)
    v[K + s - 1], v[K + s] = -1.0, 1.0
    if not max_positive:
        v = -v
    ub = np.vstack([np.tile(v, (K, 1)), np.tile(Mbar * v, (T, 1))])
    A = np.vstack([At - ub, -At - ub])
    A = A[(A * A).sum(axis=1) > 1e-10]
    return np.delete(A, K, axis=1)


def construct_gamma(l_vec: np.ndarray) -> np.ndarray:
    """Invertible matrix with l' as its first row (HonestDiD ``.construct_Gamma``: pivots of rref[l, I])."""
    T = len(l_vec)
    B = np.column_stack([l_vec, np.eye(T)])
    piv: list[int] = []
    for j in range(B.shape[1]):
        if np.linalg.matrix_rank(B[:, piv + [j]]) == len(piv) + 1:
            piv.append(j)
        if len(piv) == T:
            break
    return B[:, piv].T


# ---------------------------------------------------------------------------------------------
# R's random draws and the truncated normal
# ---------------------------------------------------------------------------------------------

_NORMALS: dict[int, np.ndarray] = {}


def rmvnorm_r(n: int, sigma: np.ndarray) -> np.ndarray:
    """``set.seed(0); mvtnorm::rmvnorm(n, sigma = sigma)`` (method "eigen"), as HonestDiD draws them."""
    from .honest import _r_rnorm_seed0

    p = sigma.shape[0]
    if n * p not in _NORMALS:
        _NORMALS[n * p] = _r_rnorm_seed0(n * p)
    w, V = np.linalg.eigh(sigma)
    R = (V * np.sqrt(np.maximum(w, 0.0))) @ V.T
    return _NORMALS[n * p].reshape(n, p) @ R


def qtruncnorm(p: float, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """The ``p`` quantile of N(0, 1) truncated to [lo, hi] (``TruncatedNormal::norminvp``)."""
    lo = np.asarray(lo, dtype=float)
    hi = np.asarray(hi, dtype=float)
    out = np.asarray(stats.truncnorm.ppf(p, lo, np.maximum(hi, lo)), dtype=float)
    return np.where(hi <= lo, lo, out)


# ---------------------------------------------------------------------------------------------
# The dual polytope {γ ≥ 0, γ'sd = 1, X'γ = 0}
# ---------------------------------------------------------------------------------------------


def _independent_columns(X: np.ndarray) -> np.ndarray:
    keep: list[int] = []
    for j in range(X.shape[1]):
        if np.linalg.matrix_rank(X[:, keep + [j]], tol=1e-10 * max(1.0, np.abs(X).max())) == len(keep) + 1:
            keep.append(j)
    return X[:, keep]


def dual_vertices(X: np.ndarray, sd: np.ndarray) -> np.ndarray | None:
    """Vertices of {γ ≥ 0, γ'sd = 1, X'γ = 0} as rows (an empty array: the polytope is empty, the
    primal program unbounded; ``None``: too many bases to enumerate)."""
    M = len(sd)
    Xr = _independent_columns(X) if X.size else np.zeros((M, 0))
    k = Xr.shape[1]
    W = np.column_stack([sd, Xr])
    if k + 1 > M or np.linalg.matrix_rank(W) < k + 1:
        return np.zeros((0, M))
    if math.comb(M, k + 1) > _MAX_SUBSETS:
        return None
    e1 = np.zeros(k + 1)
    e1[0] = 1.0
    combos = itertools.combinations(range(M), k + 1)
    found = []
    while True:  # in chunks, to bound the memory
        subsets = np.array(list(itertools.islice(combos, 20000)))
        if not len(subsets):
            break
        Ws = W[subsets]  # (S, k+1, k+1), rows of W
        sv = np.linalg.svd(Ws, compute_uv=False)
        ok = sv[:, -1] > 1e-10 * sv[:, 0]
        subsets, Ws = subsets[ok], Ws[ok]
        if not len(subsets):
            continue
        g = np.linalg.solve(np.transpose(Ws, (0, 2, 1)), np.broadcast_to(e1, (len(Ws), k + 1))[..., None])[..., 0]
        feas = (g >= -1e-9 * np.abs(g).max(axis=1, keepdims=True)).all(axis=1)
        Gc = np.zeros((int(feas.sum()), M))
        rows = np.repeat(np.arange(len(Gc)), k + 1)
        Gc[rows, subsets[feas].ravel()] = np.clip(g[feas], 0.0, None).ravel()
        found.append(Gc)
    G = np.vstack(found) if found else np.zeros((0, M))
    if not len(G):
        return G
    scale = np.abs(G).max() if G.size else 1.0
    _, first = np.unique(np.round(G / scale, 10), axis=0, return_index=True)
    return G[np.sort(first)]


def _lp_eta(y: np.ndarray, X: np.ndarray, sd: np.ndarray) -> tuple[float, np.ndarray] | None:
    """η and the multipliers of min η s.t. y − Xδ ≤ η·sd by HiGHS (None when unbounded or failed)."""
    k = X.shape[1]
    r = optimize.linprog(np.r_[1.0, np.zeros(k)], A_ub=-np.column_stack([sd, X]), b_ub=-y,
                         bounds=[(None, None)] * (k + 1), method="highs")
    if r.status != 0:
        return None
    return float(r.fun), -np.asarray(r.ineqlin.marginals, dtype=float)


def _vlo_vup_dual(gamma: np.ndarray, y: np.ndarray, eta: np.ndarray, sigma: np.ndarray, V: np.ndarray,
                  X: np.ndarray, sd: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Truncation points of the dual approach (HonestDiD ``.vlo_vup_dual_fn``), columns of ``y`` at a time.

    The set of c with max_x (s_T + b c)'x = c over the dual polytope is an
    interval; R finds its ends by iteration and bisection, here they are read off
    the vertices: every vertex x must satisfy x's_T + (x'b − 1) c ≤ 0.
    """
    sg = sigma @ gamma
    s2 = float(gamma @ sg)
    b = sg / s2
    sT = y - np.outer(b, gamma @ y)  # M × g
    if V is None:  # no enumeration: solve the max programs at the bounds with HiGHS, then bisect
        return _vlo_vup_dual_lp(b, sT, eta, s2, X, sd)
    a = V @ sT  # nv × g
    bv = V @ b
    sig_b = math.sqrt(s2)
    lo = np.full(y.shape[1], -np.inf)
    hi = np.full(y.shape[1], np.inf)
    up, dn = bv > 1 + 1e-10, bv < 1 - 1e-10
    if up.any():
        hi = np.min(a[up] / (1 - bv[up])[:, None], axis=0)
    if dn.any():
        lo = np.max(a[dn] / (1 - bv[dn])[:, None], axis=0)
    hi = np.where(hi >= np.maximum(100.0, eta + 20 * sig_b), np.inf, hi)  # R: the initial bracket is a solution
    lo = np.where(lo <= np.minimum(-100.0, eta - 20 * sig_b), -np.inf, lo)
    return lo, hi


def _vlo_vup_dual_lp(b: np.ndarray, sT: np.ndarray, eta: np.ndarray, s2: float, X: np.ndarray,
                     sd: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The same by HiGHS: from each end of R's bracket, Newton steps on the convex piecewise-linear
    max_x (s_T + b c)'x − c (HonestDiD's "shortcut", exact once the binding piece is found)."""
    W = np.column_stack([sd, X])
    beq = np.zeros(W.shape[1])
    beq[0] = 1.0

    def solve(j: int, c: float) -> tuple[float, np.ndarray | None]:
        r = optimize.linprog(-(sT[:, j] + b * c), A_eq=W.T, b_eq=beq, bounds=(0, None), method="highs")
        return (-float(r.fun), r.x) if r.status == 0 else (np.inf, None)

    def end(j: int, c: float, e: float) -> float:
        for _ in range(50):
            val, x = solve(j, c)
            if abs(val - c) <= 1e-6:
                return c
            if x is None:
                break
            bx = float(x @ b)
            if abs(1 - bx) < 1e-12:
                break
            c_new = float(x @ sT[:, j]) / (1 - bx)
            if not np.isfinite(c_new) or abs(c_new - c) < 1e-12:
                break
            c = c_new
        return e  # not found: R's fallback keeps η as the end

    lo_out, hi_out = [], []
    for j in range(sT.shape[1]):
        e = float(eta[j])
        top, bot = max(100.0, e + 20 * math.sqrt(s2)), min(-100.0, e - 20 * math.sqrt(s2))
        hi_out.append(np.inf if abs(solve(j, top)[0] - top) <= 1e-6 else end(j, top, e))
        lo_out.append(-np.inf if abs(solve(j, bot)[0] - bot) <= 1e-6 else end(j, bot, e))
    return np.array(lo_out), np.array(hi_out)


# ---------------------------------------------------------------------------------------------
# The ARP test with nuisance parameters, over a grid of θ
# ---------------------------------------------------------------------------------------------


def least_favorable_cv(X: np.ndarray, sigma: np.ndarray, kappa: float, V: np.ndarray | None,
                       sims: int = 1000) -> float:
    """1 − κ quantile of η under the least favourable null (HonestDiD ``.compute_least_favorable_cv``)."""
    xi = rmvnorm_r(sims, sigma)
    sd = np.sqrt(np.diag(sigma))
    if V is None:
        etas = np.array([(r[0] if (r := _lp_eta(x, X, sd)) else np.nan) for x in xi])
    elif len(V) == 0:
        return float("nan")
    else:
        etas = (xi @ V.T).max(axis=1)
    etas = etas[np.isfinite(etas)]
    return float(np.quantile(etas, 1 - kappa)) if len(etas) else float("nan")


def arp_accept_grid(Y: np.ndarray, a1: np.ndarray, X: np.ndarray, sigma: np.ndarray, thetas: np.ndarray,
                    alpha: float, hybrid: str, kappa: float) -> np.ndarray:
    """Acceptance of H0: θ by the ARP test of E[Y − a1 θ − Xδ] ≤ 0 for every θ in ``thetas``
    (HonestDiD ``.ARP_computeCI`` with ``.lp_conditional_test_fn``; ``hybrid`` "LF" or "ARP")."""
    M, k = X.shape
    sd = np.sqrt(np.diag(sigma))
    V = dual_vertices(X, sd)
    lf_cv = least_favorable_cv(X, sigma, kappa, V) if hybrid == "LF" else np.inf
    mod_size = (alpha - kappa) / (1 - kappa) if hybrid == "LF" else alpha
    y_all = Y[:, None] - np.outer(a1, thetas)  # M × G
    G = len(thetas)
    accept = np.ones(G, dtype=bool)
    if V is not None and len(V) == 0:
        return accept  # primal unbounded: HonestDiD does not reject
    if V is not None:
        vals = V @ y_all
        which = vals.argmax(axis=0)
        eta = vals[which, np.arange(G)]
        lam_of = lambda j: V[which[j]]  # noqa: E731
        groups = {int(v): np.flatnonzero(which == v) for v in np.unique(which)}
    else:
        sols = [_lp_eta(y_all[:, j], X, sd) for j in range(G)]
        eta = np.array([s[0] if s else np.nan for s in sols])
        lams = [s[1] if s else None for s in sols]
        lam_of = lambda j: lams[j]  # noqa: E731
        groups = {}
        for j in range(G):
            if lams[j] is None:
                continue
            key = tuple(np.round(lams[j], 9))
            groups.setdefault(key, []).append(j)
        groups = {key: np.array(ix) for key, ix in groups.items()}
    first_stage = eta > lf_cv
    accept &= ~first_stage
    for ix in groups.values():
        ix = ix[~first_stage[ix]]
        if not len(ix):
            continue
        lam = lam_of(ix[0])
        y = y_all[:, ix]
        e = eta[ix]
        B = lam > _TOL_LAMBDA
        XB = X[B]
        xdim = min(XB.shape)
        full_rank = xdim > 0 and np.linalg.matrix_rank(XB) == xdim
        if not full_rank or B.sum() != k + 1:
            # dual approach
            s2 = float(lam @ sigma @ lam)
            if abs(s2) < np.finfo(float).eps:
                accept[ix] = ~(e > 0)
                continue
            vlo, vup = _vlo_vup_dual(lam, y, e, sigma, V, X, sd)
            sig_b = math.sqrt(s2)
        else:
            WB = np.column_stack([sd[B], XB])
            WBinv = np.linalg.inv(WB)
            SB = np.eye(M)[B]
            SBc = np.eye(M)[~B]
            GammaB = np.column_stack([sd[~B], X[~B]]) @ WBinv @ SB - SBc
            vB = (WBinv[0] @ SB)
            s2 = float(vB @ sigma @ vB)
            sig_b = math.sqrt(s2)
            rho = GammaB @ sigma @ vB / s2
            with np.errstate(divide="ignore", invalid="ignore"):
                mm = (-GammaB @ y) / rho[:, None] + (vB @ y)[None, :]
            vlo = mm[rho > 0].max(axis=0) if (rho > 0).any() else np.full(len(ix), -np.inf)
            vup = mm[rho < 0].min(axis=0) if (rho < 0).any() else np.full(len(ix), np.inf)
        zlo = vlo / sig_b
        zup = np.minimum(vup, lf_cv) / sig_b
        stat = e / sig_b
        inside = (zlo <= stat) & (stat <= zup)
        cval = np.zeros(len(ix))
        if inside.any():
            cval[inside] = np.maximum(0.0, qtruncnorm(1 - mod_size, zlo[inside], zup[inside]))
        accept[ix] = ~(inside & (stat > cval))
    return accept


# ---------------------------------------------------------------------------------------------
# The test without nuisance parameters (one post-period)
# ---------------------------------------------------------------------------------------------


def arp_accept_grid_nonuis(betahat: np.ndarray, sigma: np.ndarray, A: np.ndarray, num_pre: int, thetas: np.ndarray,
                           alpha: float, hybrid: str, kappa: float) -> np.ndarray:
    """HonestDiD ``.APR_computeCI_NoNuis`` with ``.testInIdentifiedSet`` / ``_LF_Hybrid`` (d = 0)."""
    SA = A @ sigma @ A.T
    st = np.sqrt(np.diag(SA))
    At = A / st[:, None]
    if hybrid == "LF":
        xi = rmvnorm_r(1000, SA) / st[None, :]
        lf_cv = float(np.quantile(xi.max(axis=1), 1 - kappa))
        size = (alpha - kappa) / (1 - kappa)
    else:
        lf_cv, size = np.inf, alpha
    e = np.zeros(len(betahat))
    e[num_pre] = 1.0
    Y = betahat[:, None] - np.outer(e, thetas)  # n × G
    mom = At @ Y
    loc = mom.argmax(axis=0)
    mx = mom[loc, np.arange(len(thetas))]
    accept = ~(mx > lf_cv)
    for j in np.unique(loc):
        ix = np.flatnonzero((loc == j) & accept)
        if not len(ix):
            continue
        g = At[j]
        Abar = At - g[None, :]
        s2 = float(g @ sigma @ g)
        c = sigma @ g / s2
        z = Y[:, ix] - np.outer(c, g @ Y[:, ix])
        ac = Abar @ c
        with np.errstate(divide="ignore", invalid="ignore"):
            obj = (-Abar @ z) / ac[:, None]
        vlo = obj[ac < 0].max(axis=0) if (ac < 0).any() else np.full(len(ix), -np.inf)
        vup = obj[ac > 0].min(axis=0) if (ac > 0).any() else np.full(len(ix), np.inf)
        sb = math.sqrt(s2)
        cv = np.maximum(0.0, sb * qtruncnorm(1 - size, vlo / sb, vup / sb))
        accept[ix] = ~(mx[ix] > cv)
    return accept


# ---------------------------------------------------------------------------------------------
# Confidence set under Δ^RM(M̄)
# ---------------------------------------------------------------------------------------------


def rm_accept(betahat: np.ndarray, sigma: np.ndarray, num_pre: int, l_vec: np.ndarray, Mbar: float,
              thetas: np.ndarray, alpha: float = 0.05, hybrid: str = "LF") -> np.ndarray:
    """Acceptance over ``thetas`` of the union over s and ± (HonestDiD ``computeConditionalCS_DeltaRM``,
    ``postPeriodMomentsOnly = TRUE``, κ = α/10)."""
    K = num_pre
    T = len(betahat) - K
    kappa = alpha / 10
    accept = np.zeros(len(thetas), dtype=bool)
    Ginv = np.linalg.inv(construct_gamma(l_vec))
    for s in range(-(K - 1), 1):
        for pos in (True, False):
            A = create_A_RM(K, T, Mbar, s, pos)
            if T == 1:
                A = A[A[:, -1] != 0]
                acc = arp_accept_grid_nonuis(betahat, sigma, A, K, thetas, alpha, hybrid, kappa)
            else:
                rows = np.flatnonzero((A[:, K:] != 0).sum(axis=1) > 0)
                AG = A[:, K:] @ Ginv
                Y = (A @ betahat)[rows]
                SY = (A @ sigma @ A.T)[np.ix_(rows, rows)]
                acc = arp_accept_grid(Y, AG[rows, 0], AG[rows, 1:], SY, thetas, alpha, hybrid, kappa)
            accept |= acc
    return accept


def rm_identified_set(betahat: np.ndarray, num_pre: int, l_vec: np.ndarray, Mbar: float) -> tuple[float, float]:
    """Identified set of l'τ_post under Δ^RM(M̄) at β = ``betahat``, in closed form.

    With δ_pre = β_pre every post-period change of δ lies in ±M̄·m, m the
    largest absolute change among the pre-periods (the reference period's δ = 0
    included), so l'δ_post ranges over ±M̄·m·Σ_j |Σ_{t≥j} l_t|. This is the union
    over s and ± that HonestDiD's ``.compute_IDset_DeltaRM`` solves by linear
    programs (:func:`rm_identified_set_lp`).
    """
    K = num_pre
    m = float(np.abs(np.diff(np.r_[betahat[:K], 0.0])).max())
    half = Mbar * m * float(np.abs(np.cumsum(np.asarray(l_vec, dtype=float)[::-1])).sum())
    point = float(l_vec @ betahat[K:])
    return point - half, point + half


def rm_identified_set_lp(betahat: np.ndarray, num_pre: int, l_vec: np.ndarray, Mbar: float) -> tuple[float, float]:
    """Identified set of l'τ_post under Δ^RM(M̄) at β = ``betahat`` (HonestDiD ``.compute_IDset_DeltaRM``):
    the union over s and ± of [l'β_post − max l'δ_post, l'β_post − min l'δ_post] with δ_pre = β_pre."""
    K = num_pre
    T = len(betahat) - K
    f = np.r_[np.zeros(K), l_vec]
    Aeq = np.hstack([np.eye(K), np.zeros((K, T))])
    point = float(l_vec @ betahat[K:])
    lbs, ubs = [], []
    for s in range(-(K - 1), 1):
        for pos in (True, False):
            A = create_A_RM(K, T, Mbar, s, pos)
            kw = {"A_ub": A, "b_ub": np.zeros(len(A)), "A_eq": Aeq, "b_eq": betahat[:K],
                  "bounds": [(None, None)] * (K + T), "method": "highs"}
            mx = optimize.linprog(-f, **kw)
            mn = optimize.linprog(f, **kw)
            if mx.status != 0 and mn.status != 0:
                lbs.append(point)
                ubs.append(point)
            else:
                lbs.append(point + mx.fun if mx.status == 0 else -np.inf)
                ubs.append(point - mn.fun if mn.status == 0 else np.inf)
    return float(min(lbs)), float(max(ubs))
