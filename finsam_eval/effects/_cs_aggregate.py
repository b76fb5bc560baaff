"""Aggregations of group-time effects as R ``did::aggte`` computes them.

Each aggregation is a weighted mean of the ``ATT(g, t)`` cells; its
influence function is the same weighted mean of the cells' influence
functions plus, where the weights are estimated cohort shares, the
influence of estimating those shares (R's ``wif``). Event times and
calendar periods are counted in positions of the period grid.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

__all__ = ["Aggregate", "aggregate_all", "wif", "wif_dot"]


@dataclass
class Aggregate:
    """One aggregation: a table of (label, estimate, influence) and its overall summary."""

    labels: list[int]
    values: np.ndarray
    influence: np.ndarray  # (n, len(labels))
    n_treated: list[int]
    overall: float
    overall_influence: np.ndarray  # (n,)


def wif(gunit: np.ndarray, cell_groups: np.ndarray, pg: np.ndarray) -> np.ndarray:
    """Influence of estimating the cohort-share weights ``pg`` of the cells (R ``did``'s ``wif``), (n, K).

    Examples
    --------
    >>> g = np.array([1, 1, 2, -1])
    >>> wif(g, np.array([1.0, 2.0]), np.array([0.5, 0.25])).shape
    (4, 2)
    """
    S = pg.sum()
    centered = (gunit[:, None] == cell_groups[None, :]).astype(float) - pg[None, :]
    return centered / S - centered.sum(axis=1, keepdims=True) * (pg / S**2)[None, :]


def wif_dot(gunit: np.ndarray, cell_groups: np.ndarray, pg: np.ndarray, a: np.ndarray) -> np.ndarray:
    """``wif(gunit, cell_groups, pg) @ a`` without building the (n, K) matrix.

    A unit's row of ``wif`` depends only on its cohort, so the product is
    the sum of ``a`` over the cells of that cohort, looked up per unit.

    Examples
    --------
    >>> g = np.array([1, 1, 2, -1]); cg = np.array([1.0, 2.0, 2.0]); pg = np.array([0.5, 0.25, 0.25])
    >>> a = np.array([0.3, -1.0, 2.0])
    >>> bool(np.allclose(wif_dot(g, cg, pg, a), wif(g, cg, pg) @ a))
    True
    """
    S = pg.sum()
    cg = cell_groups.astype(np.intp)
    size = int(max(cg.max(initial=-1), gunit.max(initial=-1))) + 2
    by_cohort_a = np.bincount(cg + 1, weights=a, minlength=size)  # slot 0: never treated, no cells
    by_cohort_n = np.bincount(cg + 1, minlength=size).astype(float)
    pos = gunit.astype(np.intp) + 1
    pa = float(pg @ a)
    ind_a = by_cohort_a[pos] - pa  # (centered @ a)
    row = by_cohort_n[pos] - S  # centered.sum(axis=1)
    return ind_a / S - row * (pa / S**2)


def aggregate_all(
    att: np.ndarray,
    psi: np.ndarray,
    g: np.ndarray,
    t: np.ndarray,
    gunit: np.ndarray,
    *,
    T: int,
    min_e: int | None = None,
    max_e: int | None = None,
    balance_e: int | None = None,
) -> dict[str, Aggregate | tuple[float, np.ndarray]]:
    """Simple, group, dynamic and calendar aggregations of cells ``att`` (cohort ``g``, period ``t``).

    ``g``, ``t`` are positions in the period grid (0..T-1), ``gunit`` the
    cohort position of every unit (-1 never treated), ``psi`` the cells'
    influence functions (n, K). ``max_e`` limits the simple, group and
    dynamic aggregations and ``min_e`` the dynamic one (as ``aggte``);
    ``balance_e`` keeps only cohorts observed at least ``balance_e``
    periods after start and event times up to it.
    """
    n = psi.shape[0]
    hi = np.inf if max_e is None else max_e
    lo = -np.inf if min_e is None else min_e
    e = t - g
    counts = np.bincount(gunit.astype(np.intp) + 1)  # units per cohort position, slot 0 never treated
    share = _shares(gunit)
    pg = share(g)
    out: dict[str, Aggregate | tuple[float, np.ndarray]] = {}

    def wmean(idx: np.ndarray, with_wif: bool = True) -> tuple[float, np.ndarray]:
        w = pg[idx] / pg[idx].sum()
        inf = psi[:, idx] @ w
        if with_wif:
            inf = inf + wif_dot(gunit, g[idx].astype(float), pg[idx], att[idx])
        return float(att[idx] @ w), inf

    def table(selections: list[tuple[int, np.ndarray]], with_wif: bool = True
              ) -> tuple[list[int], np.ndarray, np.ndarray, list[int]] | None:
        """Labels, values, influence columns and treated counts of the non-empty selections of cells."""
        labels, vals, infs, ns = [], [], [], []
        for label, idx in selections:
            if not len(idx):
                continue
            v, inf = wmean(idx, with_wif)
            labels.append(label)
            vals.append(v)
            infs.append(inf)
            ns.append(int(sum(counts[int(gg) + 1] for gg in np.unique(g[idx]))))
        return (labels, np.array(vals), np.column_stack(infs), ns) if labels else None

    keep = np.flatnonzero((e >= 0) & (e <= hi))
    out["simple"] = wmean(keep) if len(keep) else (float("nan"), np.zeros(n))

    # By cohort: the cells after start of each cohort, without wif (the weights within a cohort are fixed);
    # the overall number weights the cohorts by their shares, with wif.
    by_group = table([(int(gg), np.flatnonzero((g == gg) & (e >= 0) & (e <= hi))) for gg in np.unique(g)],
                     with_wif=False)
    if by_group:
        labels, va, ia, ns = by_group
        gl = np.array(labels, dtype=float)
        pgg = share(gl)
        w = pgg / pgg.sum()
        out["group"] = Aggregate(labels, va, ia, ns, float(va @ w), ia @ w + wif_dot(gunit, gl, pgg, va))

    include = np.ones(len(att), dtype=bool)
    eseq = np.unique(e)
    if balance_e is not None:
        include = (T - 1 - g) >= balance_e
        eseq = np.unique(e[include])
        eseq = eseq[(eseq <= balance_e) & (eseq >= balance_e - (T - 1))]
    eseq = eseq[(eseq >= lo) & (eseq <= hi)]
    dynamic = table([(int(ee), np.flatnonzero((e == ee) & include)) for ee in eseq])
    if dynamic:
        labels, va, ia, ns = dynamic
        pos = np.array(labels) >= 0
        ov = float(va[pos].mean()) if pos.any() else float("nan")
        oi = ia[:, pos].mean(axis=1) if pos.any() else np.zeros(n)
        out["dynamic"] = Aggregate(labels, va, ia, ns, ov, oi)

    calendar = table([(int(tt), np.flatnonzero((t == tt) & (g <= tt))) for tt in np.unique(t[t >= g.min()])])
    if calendar:
        labels, va, ia, ns = calendar
        out["calendar"] = Aggregate(labels, va, ia, ns, float(va.mean()), ia.mean(axis=1))
    return out


def _shares(gunit: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
    """``f(g)``: share of units in cohort ``g`` for each entry of ``g`` (``np.mean(gunit == g)``)."""
    n = len(gunit)
    counts = np.bincount(gunit.astype(np.intp) + 1)

    def f(g: np.ndarray) -> np.ndarray:
        gi = np.asarray(g).astype(np.intp) + 1
        c = np.where(gi < len(counts), counts[np.minimum(gi, len(counts) - 1)], 0)
        return c / n

    return f
