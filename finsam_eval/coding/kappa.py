"""Cohen's kappa for two coders and Fleiss' kappa for a fixed number of coders per unit.

:func:`cohen_kappa` is unweighted, linear or quadratic weighted, with the
large-sample standard error of Fleiss, Cohen & Everitt (1969) or a bootstrap
interval; :func:`fleiss_kappa` needs every coder on every unit.

References
----------
Fleiss, J. L. (1971). Measuring nominal scale agreement among many raters.
Psychological Bulletin 76, 378-382.
Fleiss, J. L., Cohen, J. & Everitt, B. S. (1969). Large sample standard
errors of kappa and weighted kappa. Psychological Bulletin 72, 323-327.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import EstimationError, SchemaError
from .alpha import _encode, _ratings_matrix, _value_counts
from .bootstrap import Estimate, _boot_weights, _is_missing, _percentile

__all__ = ["cohen_kappa", "fleiss_kappa", "light_kappa", "pairwise_agreement"]


def _kappa_weights(n: int, weights: str | None) -> np.ndarray:
    """Disagreement weights between category positions (as scikit-learn)."""
    i = np.arange(n)
    if weights is None:
        return 1.0 - np.eye(n)
    if weights == "linear":
        return np.abs(i[:, None] - i[None, :]).astype(float)
    if weights == "quadratic":
        return ((i[:, None] - i[None, :]) ** 2).astype(float)
    raise SchemaError(f"weights måste vara None, 'linear' eller 'quadratic', fick {weights!r}.")


def _kappa_from_tables(t: np.ndarray, wd: np.ndarray) -> np.ndarray:
    """Kappa from confusion tables (..., V, V) and disagreement weights."""
    n = t.sum(axis=(-2, -1))
    with np.errstate(divide="ignore", invalid="ignore"):
        p = t / n[..., None, None]
        exp = p.sum(axis=-1)[..., :, None] * p.sum(axis=-2)[..., None, :]
        obs_d = (wd * p).sum(axis=(-2, -1))
        exp_d = (wd * exp).sum(axis=(-2, -1))
        k = 1.0 - obs_d / exp_d
    return np.where(exp_d > 0, k, np.nan)


def _kappa_se(t: np.ndarray, wd: np.ndarray, kappa: float) -> float:
    """Large-sample SE of (weighted) kappa, Fleiss, Cohen & Everitt (1969)."""
    n = t.sum()
    p = t / n
    w = 1.0 - wd / wd.max() if wd.max() > 0 else np.ones_like(wd)  # agreement weights in [0, 1]
    pr, pc = p.sum(axis=1), p.sum(axis=0)
    pe = (w * pr[:, None] * pc[None, :]).sum()
    w_row = (w * pc[None, :]).sum(axis=1)  # mean weight given row category
    w_col = (w * pr[:, None]).sum(axis=0)
    term = (p * (w - (w_row[:, None] + w_col[None, :]) * (1 - kappa)) ** 2).sum()
    var = (term - (kappa - pe * (1 - kappa)) ** 2) / (n * (1 - pe) ** 2)
    return float(np.sqrt(max(var, 0.0)))


def cohen_kappa(
    a: Sequence[Any] | pd.Series | np.ndarray,
    b: Sequence[Any] | pd.Series | np.ndarray,
    weights: str | None = None,
    *,
    labels: Sequence[Any] | None = None,
    ci: bool = False,
    ci_method: str = "asymptotic",
    n_boot: int = 1000,
    confidence: float = 0.95,
    random_state: int | np.random.Generator | None = 0,
) -> float | Estimate:
    """Cohen's kappa for two coders rating the same units.

    Parameters
    ----------
    a, b
        The two coders' ratings, one per unit; pairs where either is missing
        are left out.
    weights
        ``None`` (unweighted), ``"linear"`` or ``"quadratic"``; weights follow
        the position of each category in ``labels`` (as in scikit-learn).
    labels
        The categories in order; default the sorted union of both coders' values.
    ci
        Also return a confidence interval.
    ci_method
        ``"asymptotic"`` (large-sample SE of Fleiss, Cohen & Everitt 1969, as
        statsmodels) or ``"bootstrap"`` (units resampled, percentile interval).

    Returns
    -------
    float or Estimate

    Examples
    --------
    >>> a = ["ja", "ja", "nej", "nej", "ja", "nej", "ja", "ja"]
    >>> b = ["ja", "nej", "nej", "nej", "ja", "nej", "ja", "ja"]
    >>> round(cohen_kappa(a, b), 3)
    0.75
    >>> est = cohen_kappa(a, b, ci=True)
    >>> est.ci_low < est.value < est.ci_high
    True
    """
    a = list(a)
    b = list(b)
    if len(a) != len(b):
        raise SchemaError(f"Kodarna har olika många bedömningar ({len(a)} och {len(b)}); ge en per enhet.")
    keep = [i for i in range(len(a)) if not (_is_missing(a[i]) or _is_missing(b[i]))]
    if not keep:
        raise EstimationError("Inga enheter är bedömda av båda kodarna; kappa kan inte beräknas.")
    aa = [a[i] for i in keep]
    bb = [b[i] for i in keep]
    if labels is None:
        try:
            labels = sorted(set(aa) | set(bb))
        except TypeError:
            labels = list(dict.fromkeys(aa + bb))
    lookup = {v: i for i, v in enumerate(labels)}
    try:
        ia = np.array([lookup[v] for v in aa])
        ib = np.array([lookup[v] for v in bb])
    except KeyError as err:
        raise SchemaError("Ett värde finns inte bland labels; lägg till det eller rätta data.") from err
    v = len(labels)
    if len(set(ia) | set(ib)) < 2:
        raise EstimationError(
            "Båda kodarna har gett alla enheter samma värde; kappa är odefinierat. "
            "Rapportera andel överensstämmelse i stället."
        )
    wd = _kappa_weights(v, weights)
    t = np.zeros((v, v))
    np.add.at(t, (ia, ib), 1)
    value = float(_kappa_from_tables(t, wd))
    if not ci:
        return value
    if ci_method == "asymptotic":
        se = _kappa_se(t, wd, value)
        z = stats.norm.ppf(0.5 + confidence / 2)
        return Estimate(value, float(value - z * se), float(value + z * se), se, len(keep), "asymptotisk", confidence)
    if ci_method != "bootstrap":
        raise SchemaError(f"ci_method måste vara 'asymptotic' eller 'bootstrap', fick {ci_method!r}.")
    cell = np.zeros((len(keep), v * v))
    cell[np.arange(len(keep)), ia * v + ib] = 1
    w = _boot_weights(len(keep), n_boot, random_state)
    reps = _kappa_from_tables((w @ cell).reshape(n_boot, v, v), wd)
    low, high, se = _percentile(reps, confidence)
    return Estimate(value, float(low), float(high), float(se), len(keep), "bootstrap (percentil)", confidence)


def _fleiss_from_sums(p_sum: np.ndarray, c_sum: np.ndarray, n: np.ndarray, m: int) -> np.ndarray:
    """Fleiss' kappa from the sums over units of P_i and of the category counts."""
    with np.errstate(divide="ignore", invalid="ignore"):
        p_bar = p_sum / n
        pj = c_sum / (n[..., None] * m)
        pe = (pj**2).sum(axis=-1)
        k = (p_bar - pe) / (1 - pe)
    return np.where(pe < 1 - 1e-12, k, np.nan)


def fleiss_kappa(
    data: Any,
    *,
    ci: bool = False,
    n_boot: int = 1000,
    confidence: float = 0.95,
    random_state: int | np.random.Generator | None = 0,
) -> float | Estimate:
    """Fleiss' kappa for a units x coders matrix of nominal ratings.

    Only units rated by every coder enter (Fleiss' kappa needs the same number
    of ratings per unit); use :func:`krippendorff_alpha` when ratings are missing.

    Examples
    --------
    >>> x = [["a", "a", "a"], ["a", "b", "a"], ["b", "b", "b"], ["b", "b", "a"], ["a", "a", "a"]]
    >>> round(fleiss_kappa(x), 3)
    0.444
    """
    matrix = _ratings_matrix(data, unit_col=None, coder_col=None, value_col=None)
    m = matrix.shape[1]
    if m < 2:
        raise EstimationError("Fleiss kappa kräver minst två kodare.")
    codes, domain = _encode(matrix, "nominal", None)
    full = (codes >= 0).all(axis=1)
    if not full.any():
        raise EstimationError("Ingen enhet är bedömd av alla kodare; Fleiss kappa kan inte beräknas.")
    counts = _value_counts(codes[full], len(domain))
    p_i = ((counts**2).sum(axis=1) - m) / (m * (m - 1))
    value = float(_fleiss_from_sums(p_i.sum(), counts.sum(axis=0), np.asarray(float(len(p_i))), m))
    if math.isnan(value):
        raise EstimationError("Alla bedömningar har samma värde; Fleiss kappa är odefinierat.")
    if not ci:
        return value
    w = _boot_weights(len(p_i), n_boot, random_state)
    reps = _fleiss_from_sums(w @ p_i, w @ counts, w.sum(axis=1), m)
    low, high, se = _percentile(reps, confidence)
    return Estimate(value, float(low), float(high), float(se), len(p_i), "bootstrap (percentil)", confidence)


def _pair_cells(codes: np.ndarray, v: int) -> tuple[list[tuple[int, int]], np.ndarray]:
    """One-hot confusion cells per coder pair: pairs and an array pairs x units x V*V (zero where a rating is missing)."""
    m = codes.shape[1]
    pairs = [(i, j) for i in range(m) for j in range(i + 1, m)]
    cells = np.zeros((len(pairs), codes.shape[0], v * v))
    for p, (i, j) in enumerate(pairs):
        ok = (codes[:, i] >= 0) & (codes[:, j] >= 0)
        cells[p, np.nonzero(ok)[0], codes[ok, i] * v + codes[ok, j]] = 1.0
    return pairs, cells


def light_kappa(
    data: Any,
    *,
    ci: bool = False,
    n_boot: int = 1000,
    confidence: float = 0.95,
    random_state: int | np.random.Generator | None = 0,
) -> float | Estimate:
    """Light's kappa: the mean of Cohen's kappa over all pairs of coders (nominal ratings).

    Each pair uses the units both coders rated, so missing ratings are
    allowed. With two coders it is Cohen's kappa. The bootstrap resamples
    units once for all pairs, so the interval respects that the pairs share
    units.

    Parameters
    ----------
    data
        A units x coders matrix (DataFrame, array or nested list; ``None`` or
        NaN where a coder did not rate the unit).
    ci, n_boot, confidence, random_state
        Also return a percentile bootstrap interval; replicates, level, seed.

    Returns
    -------
    float or Estimate

    Raises
    ------
    EstimationError
        Fewer than two coders, a pair of coders without shared units, or a
        pair whose kappa is undefined (both gave one and the same value).

    Examples
    --------
    >>> x = [["a", "a", "a"], ["a", "b", "a"], ["b", "b", "b"], ["b", "b", "a"], ["a", "a", "a"]]
    >>> round(light_kappa(x), 3)
    0.482

    References
    ----------
    Light, R. J. (1971). Measures of response agreement for qualitative data:
    some generalizations and alternatives. Psychological Bulletin 76, 365-377.
    """
    matrix = _ratings_matrix(data, unit_col=None, coder_col=None, value_col=None)
    if matrix.shape[1] < 2:
        raise EstimationError("Lights kappa kräver minst två kodare.")
    codes, domain = _encode(matrix, "nominal", None)
    v = len(domain)
    pairs, cells = _pair_cells(codes, v)
    shared = cells.sum(axis=(1, 2))
    if (shared == 0).any():
        i, j = pairs[int(np.argmin(shared))]
        raise EstimationError(
            f"Kodarna {matrix.columns[i]!r} och {matrix.columns[j]!r} har inga gemensamma enheter; Lights kappa "
            "kräver att varje par av kodare har bedömt några av samma enheter."
        )
    wd = _kappa_weights(v, None)
    per_pair = _kappa_from_tables(cells.sum(axis=1).reshape(len(pairs), v, v), wd)
    if np.isnan(per_pair).any():
        raise EstimationError("För minst ett par av kodare har båda gett alla enheter samma värde; kappa är "
                              "odefinierat. Rapportera andel överensstämmelse i stället.")
    value = float(per_pair.mean())
    if not ci:
        return value
    used = (codes >= 0).sum(axis=1) >= 2
    w = _boot_weights(int(used.sum()), n_boot, random_state)
    tabs = np.einsum("rn,pnc->rpc", w, cells[:, used, :]).reshape(n_boot, len(pairs), v, v)
    with np.errstate(all="ignore"):
        reps = _kappa_from_tables(tabs, wd).mean(axis=1)
    low, high, se = _percentile(reps, confidence)
    return Estimate(value, float(low), float(high), float(se), int(used.sum()), "bootstrap (percentil)", confidence)


def pairwise_agreement(data: Any) -> float:
    """Share of agreeing ratings, averaged over all pairs of coders (units both rated).

    Examples
    --------
    >>> x = [["a", "a", "a"], ["a", "b", "a"], ["b", "b", "b"], ["b", "b", "a"], ["a", "a", "a"]]
    >>> round(pairwise_agreement(x), 3)
    0.733
    """
    matrix = _ratings_matrix(data, unit_col=None, coder_col=None, value_col=None)
    codes, domain = _encode(matrix, "nominal", None)
    v = len(domain)
    _pairs, cells = _pair_cells(codes, v)
    t = cells.sum(axis=1).reshape(len(_pairs), v, v)
    with np.errstate(all="ignore"):
        po = np.trace(t, axis1=1, axis2=2) / t.sum(axis=(1, 2))
    return float(np.mean(po))
