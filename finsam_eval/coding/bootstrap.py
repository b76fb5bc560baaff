"""Resampling helpers shared by the agreement coefficients, and the :class:`Estimate` they return.

Every coefficient in :mod:`~finsam_eval.coding.kappa`,
:mod:`~finsam_eval.coding.alpha` and
:func:`~finsam_eval.coding.reliability.intercoder_reliability` is a sum over
units of per-unit contributions, so a bootstrap replicate is one matrix
product with a row of multinomial weights (how often each unit is drawn) and
1 000 replicates take milliseconds. Intervals are percentile intervals.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

__all__ = ["Estimate"]


class Estimate(NamedTuple):
    """A coefficient with its confidence interval.

    ``value`` is the point estimate, ``ci_low``/``ci_high`` the interval at
    ``confidence``, ``se`` the standard error (asymptotic or the standard
    deviation of the bootstrap replicates), ``n_units`` the units that
    entered the computation and ``method`` how the interval was made.
    """

    value: float
    ci_low: float
    ci_high: float
    se: float
    n_units: int
    method: str
    confidence: float = 0.95

    def __float__(self) -> float:
        return float(self.value)


# --------------------------------------------------------------------------- helpers


def _is_missing(v: Any) -> bool:
    if v is None:
        return True
    if isinstance(v, float) and math.isnan(v):
        return True
    return v is pd.NA or v is pd.NaT


def _rng(random_state: int | np.random.Generator | None) -> np.random.Generator:
    return random_state if isinstance(random_state, np.random.Generator) else np.random.default_rng(random_state)


def _boot_weights(n: int, n_boot: int, random_state: Any) -> np.ndarray:
    """Bootstrap weights: how many times each of ``n`` units is drawn, ``n_boot`` x ``n``.

    Drawn in chunks of rows (the same numbers as one call: each row uses the generator in turn) so a
    progress bar can follow large problems.
    """
    from .._progress import progress

    rng = _rng(random_state)
    p = np.full(n, 1.0 / n)
    out = np.empty((n_boot, n))
    step = max(1, 2_000_000 // max(n, 1))
    with progress(total=n_boot, desc="Bootstrap av reliabilitet", unit="replikat") as bar:
        for s in range(0, n_boot, step):
            k = min(step, n_boot - s)
            out[s:s + k] = rng.multinomial(n, p, size=k)
            bar.update(k)
    return out


def _percentile(reps: np.ndarray, confidence: float, axis: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    q = (1 - confidence) / 2
    with np.errstate(all="ignore"), _quiet():
        low = np.nanquantile(reps, q, axis=axis)
        high = np.nanquantile(reps, 1 - q, axis=axis)
        se = np.nanstd(reps, axis=axis, ddof=1)
    return low, high, se


class _quiet:
    """Silence numpy's all-NaN-slice RuntimeWarnings (undefined replicates are expected)."""

    def __enter__(self) -> None:
        import warnings

        self._w = warnings.catch_warnings()
        self._w.__enter__()
        warnings.simplefilter("ignore", RuntimeWarning)

    def __exit__(self, *exc: Any) -> None:
        self._w.__exit__(*exc)
