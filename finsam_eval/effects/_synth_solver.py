"""Numerical core of synthetic difference-in-differences (a port of R ``synthdid``).

Everything here works on the outcome matrix ``Y`` (units x periods) with the
``N0`` control units in the first rows and the ``T0`` pre-periods in the first
columns, exactly as R ``synthdid`` (version 0.0.9, files ``R/solver.R``,
``R/synthdid.R``, ``R/vcov.R``) does: the Frank-Wolfe solver with exact line
search and the same stopping rule, the sparsification step, the collapsed
form, and the placebo, jackknife and bootstrap standard errors. The public
function is :func:`finsam_eval.effects.synth.synthdid`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["SynthFit", "fit_weights", "estimate", "placebo_se", "jackknife_se", "bootstrap_se", "sparsify"]


def sparsify(v: np.ndarray) -> np.ndarray:
    """Zero the weights at or below a quarter of the largest and renormalise (R ``sparsify_function``)."""
    v = v.copy()
    v[v <= v.max() / 4] = 0.0
    return v / v.sum()


def _fw_batch(A: np.ndarray, b: np.ndarray, x: np.ndarray, eta: float, zeta2: float, min_decrease: float,
              max_iter: int) -> np.ndarray:
    """R ``sc.weight.fw`` for a stack of problems at once (first axis), each stopping on its own.

    For every problem: Frank-Wolfe steps with exact line search on
    ``||A x - b||^2 + eta ||x||^2`` over the simplex, stopping after
    ``max_iter`` steps or once a step lowers ``zeta^2 ||x||^2 + ||A x - b||^2 / n``
    by less than ``min_decrease^2``. Stacking the placebo replications makes
    the ~10 000 cheap steps R takes per fit affordable in numpy.
    """
    x = x.copy()
    n = A.shape[1]
    act = np.arange(A.shape[0])
    Aa, ba, xa = A, b, x.copy()
    prev = cur = None
    md2 = min_decrease**2
    t = 0
    while t < max_iter and len(act):
        t += 1
        Ax = np.matmul(Aa, xa[:, :, None])[:, :, 0]
        half_grad = np.matmul((Ax - ba)[:, None, :], Aa)[:, 0, :] + eta * xa
        i = np.argmin(half_grad, axis=1)  # first minimum, as R which.min
        r = np.arange(len(act))
        d_x = -xa
        d_x[r, i] = 1.0 - xa[r, i]
        moving = d_x.any(axis=1)
        d_err = Aa[r, :, i] - Ax
        denom = (d_err * d_err).sum(axis=1) + eta * (d_x * d_x).sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            step = -(half_grad * d_x).sum(axis=1) / denom
        step = np.where(moving, np.clip(step, 0.0, 1.0), 0.0)
        xa = xa + step[:, None] * d_x
        err = np.matmul(Aa, xa[:, :, None])[:, :, 0] - ba
        prev, cur = cur, zeta2 * (xa * xa).sum(axis=1) + (err * err).sum(axis=1) / n
        if t >= 2:
            keep = (prev - cur) > md2
            if not keep.all():
                x[act[~keep]] = xa[~keep]
                act, Aa, ba, xa, cur = act[keep], Aa[keep], ba[keep], xa[keep], cur[keep]
    x[act] = xa
    return x


def _sc_weight_fw(Y: np.ndarray, zeta: float, intercept: bool, lam: np.ndarray | None, min_decrease: float,
                  max_iter: int) -> np.ndarray:
    """R ``sc.weight.fw`` on a stack ``Y`` (problems x rows x columns): weights on the columns
    ``Y[..., :-1]`` that reproduce ``Y[..., -1]``, with an intercept when ``intercept``."""
    R, N0, T0 = Y.shape[0], Y.shape[1], Y.shape[2] - 1
    lam = np.full((R, T0), 1.0 / T0) if lam is None else np.asarray(lam, dtype=float)
    if intercept:
        Y = Y - Y.mean(axis=1, keepdims=True)
    return _fw_batch(Y[:, :, :T0], Y[:, :, T0], lam, N0 * zeta**2, zeta**2, min_decrease, max_iter)


def _collapsed(Y: np.ndarray, N0: int, T0: int) -> np.ndarray:
    """Average the treated rows and the post columns of each matrix in a stack: (N0+1) x (T0+1)
    (R ``collapsed.form``)."""
    top = np.concatenate([Y[:, :N0, :T0], Y[:, :N0, T0:].mean(axis=2, keepdims=True)], axis=2)
    bottom = np.concatenate([Y[:, N0:, :T0].mean(axis=1, keepdims=True),
                             Y[:, N0:, T0:].mean(axis=(1, 2))[:, None, None]], axis=2)
    return np.concatenate([top, bottom], axis=1)


@dataclass(frozen=True)
class SynthOpts:
    """Options that travel with a fit into its standard errors (R ``attr(estimate, 'opts')``)."""

    zeta_omega: float
    zeta_lambda: float
    omega_intercept: bool
    lambda_intercept: bool
    update_omega: bool
    update_lambda: bool
    min_decrease: float
    max_iter: int
    max_iter_pre_sparsify: int = 100
    use_sparsify: bool = True


@dataclass
class SynthFit:
    """Weights and estimate on one outcome matrix."""

    tau: float
    omega: np.ndarray
    lam: np.ndarray
    N0: int
    T0: int
    opts: SynthOpts
    noise_level: float


def noise_level(Y: np.ndarray, N0: int, T0: int) -> float:
    """Standard deviation of the first differences of the controls' pre-period outcomes."""
    d = np.diff(Y[:N0, :T0], axis=1)
    return float(np.std(d, ddof=1)) if d.size > 1 else 0.0


def default_opts(Y: np.ndarray, N0: int, T0: int, method: str, *, eta_omega: float | None = None,
                 eta_lambda: float = 1e-6, omega_intercept: bool | None = None, lambda_intercept: bool = True,
                 max_iter: int = 10_000, sparsify_weights: bool = True) -> SynthOpts:
    """The defaults of R ``synthdid_estimate``, ``sc_estimate`` and ``did_estimate``."""
    N1, T1 = Y.shape[0] - N0, Y.shape[1] - T0
    sigma = noise_level(Y, N0, T0)
    if eta_omega is None:
        eta_omega = 1e-6 if method == "sc" else (N1 * T1) ** 0.25
    if omega_intercept is None:
        omega_intercept = method != "sc"
    return SynthOpts(
        zeta_omega=eta_omega * sigma, zeta_lambda=eta_lambda * sigma, omega_intercept=omega_intercept,
        lambda_intercept=lambda_intercept, update_omega=method != "did", update_lambda=method == "sdid",
        min_decrease=1e-5 * sigma, max_iter=max_iter, use_sparsify=sparsify_weights,
    )


def fit_weights(Y: np.ndarray, N0: int, T0: int, opts: SynthOpts, omega: np.ndarray | None,
                lam: np.ndarray | None) -> SynthFit:
    """R ``synthdid_estimate`` without covariates: time weights, unit weights, then the estimate.

    ``omega`` / ``lam`` are the starting values when the options say to update
    them and the weights used as given otherwise.
    """
    om = None if omega is None else np.asarray(omega, float)[None]
    la = None if lam is None else np.asarray(lam, float)[None]
    taus, omegas, lams = fit_batch(Y[None], N0, T0, opts, om, la)
    return SynthFit(tau=float(taus[0]), omega=omegas[0], lam=lams[0], N0=N0, T0=T0, opts=opts,
                    noise_level=noise_level(Y, N0, T0))


def fit_batch(Y: np.ndarray, N0: int, T0: int, opts: SynthOpts, omega: np.ndarray | None,
              lam: np.ndarray | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`fit_weights` for a stack of outcome matrices of one shape (replications x N x T)."""
    R = Y.shape[0]
    pre_iter = opts.max_iter_pre_sparsify if opts.use_sparsify else opts.max_iter
    Yc = _collapsed(Y, N0, T0) if (opts.update_lambda or opts.update_omega) else None
    if opts.update_lambda:
        lam = _sc_weight_fw(Yc[:, :N0, :], opts.zeta_lambda, opts.lambda_intercept, lam, opts.min_decrease,
                            pre_iter)
        if opts.use_sparsify:
            lam = _sc_weight_fw(Yc[:, :N0, :], opts.zeta_lambda, opts.lambda_intercept, _sparsify_rows(lam),
                                opts.min_decrease, opts.max_iter)
    if opts.update_omega:
        Yo = np.transpose(Yc[:, :, :T0], (0, 2, 1))
        omega = _sc_weight_fw(Yo, opts.zeta_omega, opts.omega_intercept, omega, opts.min_decrease, pre_iter)
        if opts.use_sparsify:
            omega = _sc_weight_fw(Yo, opts.zeta_omega, opts.omega_intercept, _sparsify_rows(omega),
                                  opts.min_decrease, opts.max_iter)
    omega = np.broadcast_to(omega, (R, N0)) if omega is not None else None
    lam = np.broadcast_to(lam, (R, T0)) if lam is not None else None
    if omega is None or lam is None:
        raise ValueError("weights that are not estimated must be given")
    taus = np.array([estimate(Y[r], N0, T0, omega[r], lam[r]) for r in range(R)])
    return taus, np.array(omega), np.array(lam)


def _sparsify_rows(v: np.ndarray) -> np.ndarray:
    return np.vstack([sparsify(row) for row in v])


def estimate(Y: np.ndarray, N0: int, T0: int, omega: np.ndarray, lam: np.ndarray) -> float:
    """``(-omega, 1/N1) Y (-lambda, 1/T1)``: the weighted double difference."""
    N1, T1 = Y.shape[0] - N0, Y.shape[1] - T0
    w_unit = np.concatenate([-omega, np.full(N1, 1.0 / N1)])
    w_time = np.concatenate([-lam, np.full(T1, 1.0 / T1)])
    return float(w_unit @ Y @ w_time)


def _sum_normalize(x: np.ndarray) -> np.ndarray:
    s = x.sum()
    return x / s if s != 0 else np.full(len(x), 1.0 / len(x))


def placebo_se(Y: np.ndarray, fit: SynthFit, replications: int, rng: Any) -> tuple[float, np.ndarray]:
    """Algorithm 4 of Arkhangelsky et al.: controls relabelled as treated at random (R ``placebo_se``)."""
    N0 = fit.N0
    N1 = Y.shape[0] - N0
    n0 = N0 - N1
    inds = np.array([np.asarray(rng.permutation(N0)) for _ in range(replications)])
    Ys = Y[inds]
    om = np.vstack([_sum_normalize(fit.omega[ind[:n0]]) for ind in inds])
    la = np.broadcast_to(fit.lam, (replications, fit.T0))
    taus, _, _ = fit_batch(Ys, n0, fit.T0, fit.opts, om, la)
    return _pop_sd(taus), taus


def jackknife_se(Y: np.ndarray, fit: SynthFit) -> tuple[float, np.ndarray]:
    """Algorithm 3: leave one unit out with the weights held fixed (R ``jackknife_se``)."""
    N = Y.shape[0]
    u = np.empty(N)
    for i in range(N):
        ind = np.delete(np.arange(N), i)
        ctrl = ind[ind < fit.N0]
        u[i] = estimate(Y[ind], len(ctrl), fit.T0, _sum_normalize(fit.omega[ctrl]), fit.lam)
    return float(np.sqrt(((N - 1) / N) * (N - 1) * np.var(u, ddof=1))), u


def bootstrap_se(Y: np.ndarray, fit: SynthFit, replications: int, rng: Any) -> tuple[float, np.ndarray]:
    """Algorithm 2: units resampled with replacement, weights re-estimated (R ``bootstrap_se``)."""
    N, N0 = Y.shape[0], fit.N0
    draws: list[np.ndarray] = []
    while len(draws) < replications:
        ind = np.sort(np.asarray(rng.integers(0, N, size=N)))
        n0 = int((ind < N0).sum())
        if 0 < n0 < N:  # a draw without controls or without treated units has no estimate: draw again, as R
            draws.append(ind)
    taus = np.empty(replications)
    by_n0: dict[int, list[int]] = {}
    for k, ind in enumerate(draws):
        by_n0.setdefault(int((ind < N0).sum()), []).append(k)
    for n0, ks in by_n0.items():  # one stack per number of controls drawn
        inds = np.array([draws[k] for k in ks])
        om = np.vstack([_sum_normalize(fit.omega[ind[:n0]]) for ind in inds])
        la = np.broadcast_to(fit.lam, (len(ks), fit.T0))
        taus[ks] = fit_batch(Y[inds], n0, fit.T0, fit.opts, om, la)[0]
    return _pop_sd(taus), taus


def _pop_sd(x: np.ndarray) -> float:
    """``sqrt((r - 1) / r) * sd(x)``: R's scaling of the replicate spread."""
    return float(np.std(x, ddof=0))
