"""Integer codes for fixed effects and clusters, computed once per estimate.

:func:`factor` is ``pandas.factorize(values, sort=True)`` with a fast path for
integer (and integral float) columns: a dense bincount over the value range
instead of a hash table and a sort, which is what person ids, periods and
kommun codes are. :func:`compact` renumbers codes after rows are dropped,
keeping the order, and :func:`constant_within` tells whether one code is
constant within the groups of another (a fixed effect nested in clusters)
without a groupby.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__ = ["factor", "compact", "constant_within", "group_counts"]

# The dense path allocates one slot per possible value; beyond this many slots per row use hashing.
_DENSE_SLOTS_PER_ROW = 4


def factor(values: Any) -> tuple[np.ndarray, np.ndarray]:
    """Sorted integer codes (``-1`` for missing) and the distinct values, as ``pd.factorize(sort=True)``.

    Parameters
    ----------
    values
        A Series or array.

    Returns
    -------
    (codes, uniques)
        ``codes`` is an ``intp`` array; ``uniques[codes]`` gives the values back.

    Examples
    --------
    >>> codes, uniq = factor(np.array([2020, 2018, 2020, 2019]))
    >>> codes.tolist(), uniq.tolist()
    ([2, 0, 2, 1], [2018, 2019, 2020])
    """
    arr = values.to_numpy() if isinstance(values, pd.Series | pd.Index) else np.asarray(values)
    n = len(arr)
    if n and arr.dtype.kind in "iub":
        v = arr.astype(np.int64, copy=False)
        lo, hi = int(v.min()), int(v.max())
        if hi - lo < _DENSE_SLOTS_PER_ROW * n + 1024:
            present = np.zeros(hi - lo + 1, dtype=bool)
            present[v - lo] = True
            remap = np.cumsum(present) - 1
            uniq = (np.flatnonzero(present) + lo).astype(arr.dtype)
            return remap[v - lo].astype(np.intp), uniq
    if n and arr.dtype.kind == "f":
        nan = np.isnan(arr)
        vals = arr[~nan]
        if len(vals) and np.isfinite(vals).all() and np.all(vals == np.rint(vals)):
            lo, hi = float(vals.min()), float(vals.max())
            if hi - lo < _DENSE_SLOTS_PER_ROW * n + 1024 and max(abs(lo), abs(hi)) < 2**52:
                iv = (vals - lo).astype(np.int64)
                present = np.zeros(int(hi - lo) + 1, dtype=bool)
                present[iv] = True
                remap = np.cumsum(present) - 1
                codes = np.full(n, -1, dtype=np.intp)
                codes[~nan] = remap[iv]
                return codes, (np.flatnonzero(present) + lo).astype(arr.dtype)
    codes, uniq = pd.factorize(values if isinstance(values, pd.Series) else arr, sort=True)
    return np.asarray(codes, dtype=np.intp), np.asarray(uniq)


def compact(codes: np.ndarray, n_groups: int | None = None) -> tuple[np.ndarray, int]:
    """Renumber non-negative codes to ``0..G-1`` keeping their order (after rows were dropped).

    Examples
    --------
    >>> c, g = compact(np.array([4, 1, 4]))
    >>> c.tolist(), g
    ([1, 0, 1], 2)
    """
    if len(codes) == 0:
        return codes.astype(np.intp), 0
    size = int(codes.max()) + 1 if n_groups is None else n_groups
    present = np.zeros(size, dtype=bool)
    present[codes] = True
    g = int(present.sum())
    if g == size:
        return codes, g
    remap = np.cumsum(present) - 1
    return remap[codes].astype(np.intp), g


def group_counts(codes: np.ndarray, n_groups: int, weights: np.ndarray | None = None) -> np.ndarray:
    """Rows (or summed ``weights``) per group."""
    return np.bincount(codes, weights=weights, minlength=n_groups)


def constant_within(groups: np.ndarray, n_groups: int, other: np.ndarray, n_other: int) -> bool:
    """Whether ``other`` takes one value within each group of ``groups`` (``groupby().nunique() <= 1``).

    ``n_other`` is the number of distinct values of ``other`` (codes ``0..n_other-1``, all present).

    Examples
    --------
    >>> constant_within(np.array([0, 0, 1]), 2, np.array([1, 1, 0]), 2)
    True
    >>> constant_within(np.array([0, 0, 1, 1]), 2, np.array([1, 0, 1, 1]), 2)
    False
    """
    if groups is other:
        return True
    if len(groups) == 0:
        return True
    present = np.bincount(groups, minlength=n_groups) > 0
    if n_other > int(present.sum()):
        return False  # more distinct values (all present, see below) than groups: some group has two
    lo = np.full(n_groups, np.iinfo(np.intp).max, dtype=np.intp)
    hi = np.full(n_groups, -1, dtype=np.intp)
    np.minimum.at(lo, groups, other)
    np.maximum.at(hi, groups, other)
    return bool(np.all(lo[present] == hi[present]))
