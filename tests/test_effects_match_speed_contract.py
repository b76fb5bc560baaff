"""Contract of the fast matching paths (issue 13): the same results as the straightforward implementations.

- Exact strata are matched in one pass over candidates sorted by (stratum, score): the result must equal,
  link for link and in the same order, the per-stratum loop it replaced (one full-length mask per stratum,
  kept here as the reference), for nearest neighbour with and without replacement, 1:1 and 1:k, with and
  without a caliper, ATT and ATC, with many strata and many tied scores.
- The propensity logit is fitted by Newton-Raphson on the k x k cross-product: its coefficients must equal
  statsmodels' ``Logit.fit(method="newton")`` to 1e-8.

No timings here; speed is measured as ratios in ``benchmarks/bench_matching.py``.
"""

from __future__ import annotations

import importlib

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from finsam_eval.effects.match import match
from finsam_eval.effects.propensity import _design, _fit_logit

match_mod = importlib.import_module("finsam_eval.effects.match")  # the module (the package exports the function)

# --------------------------------------------------------------------------- reference (before issue 13)


def _ref_with_replacement(t_lp, c_lp_sorted, ratio, width):
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
    # The one deliberate change: a stratum with fewer than `ratio` candidates and no caliper used to repeat
    # its edge candidate (an infinite distance passed `inf <= inf`); now those slots stay empty (-1).
    picked[~(pdist <= width) | ~np.isfinite(pdist)] = -1
    return picked


def _ref_find(parent, i):
    root = i
    while parent[root] != root:
        root = parent[root]
    while parent[i] != root:
        parent[i], i = root, parent[i]
    return root


def _ref_without_replacement(t_lp, c_lp_sorted, ratio, width, order):
    n_c = len(c_lp_sorted)
    out = np.full((len(t_lp), ratio), -1, dtype=np.int64)
    pos = np.searchsorted(c_lp_sorted, t_lp).tolist()
    c, t = c_lp_sorted.tolist(), t_lp.tolist()
    right, left = list(range(n_c + 1)), list(range(n_c + 1))
    alive = np.ones(len(t_lp), dtype=bool)
    for r in range(ratio):
        for i in order.tolist():
            if not alive[i]:
                continue
            p = pos[i]
            ri = _ref_find(right, p)
            li = _ref_find(left, p) - 1
            d_r = c[ri] - t[i] if ri < n_c else np.inf
            d_l = t[i] - c[li] if li >= 0 else np.inf
            j = ri if d_r < d_l else li
            d = min(d_r, d_l)
            if j < 0 or j >= n_c or not d <= width:
                alive[i] = False
                continue
            out[i, r] = j
            right[j] = j + 1
            left[j + 1] = j
    return out


def _ref_match_strata(codes, focal, dist, rank_of, ratio, replace, width, maha):
    """The per-stratum loop of finsam_eval 2026-11-27 (one full-length mask per stratum)."""
    f_rows, o_rows, no_stratum = [], [], []
    for s in pd.unique(codes[focal]):
        in_s = codes == s
        f_pos = np.flatnonzero(in_s & focal)
        o_pos = np.flatnonzero(in_s & ~focal)
        if len(o_pos) == 0:
            no_stratum.extend(f_pos.tolist())
            continue
        if maha is not None:
            from scipy.spatial import cKDTree

            k = min(ratio, len(o_pos))
            _, ii = cKDTree(maha[o_pos]).query(maha[f_pos], k=k)
            ii = np.asarray(ii).reshape(len(f_pos), k)
            picked_rows = np.full((len(f_pos), ratio), -1, dtype=np.int64)
            picked_rows[:, :k] = o_pos[ii]
            f_rows.append(np.repeat(f_pos, ratio))
            o_rows.append(picked_rows.ravel())
            continue
        o_sort = o_pos[np.argsort(dist[o_pos], kind="stable")]
        o_d = dist[o_sort]
        if replace:
            picked = _ref_with_replacement(dist[f_pos], o_d, ratio, width)
        else:
            picked = _ref_without_replacement(dist[f_pos], o_d, ratio, width,
                                              np.argsort(rank_of[f_pos], kind="stable"))
        f_rows.append(np.repeat(f_pos, ratio))
        o_rows.append(np.where(picked.ravel() >= 0, o_sort[np.clip(picked.ravel(), 0, None)], -1))
    empty = np.array([], dtype=np.int64)
    return (np.concatenate(f_rows) if f_rows else empty, np.concatenate(o_rows) if o_rows else empty,
            np.asarray(no_stratum, dtype=np.int64))


# --------------------------------------------------------------------------- the block matcher itself


def _case(seed, n, n_strata, share, n_levels):
    rng = np.random.default_rng(seed)
    codes = rng.integers(0, n_strata, n).astype(np.int64) * 7  # sparse codes, some strata one-sided
    focal = rng.random(n) < share
    dist = np.round(rng.normal(size=n), 1) if n_levels is None else rng.integers(0, n_levels, n) / 10.0
    pos_f = np.flatnonzero(focal)
    rank_of = np.full(n, -1, dtype=np.int64)
    rank_of[pos_f[rng.permutation(len(pos_f))]] = np.arange(len(pos_f))
    return codes, focal, dist, rank_of


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("replace", [False, True])
@pytest.mark.parametrize("ratio", [1, 3])
@pytest.mark.parametrize("width", [np.inf, 0.15, 0.0])
def test_block_matcher_equals_per_stratum_reference(seed, replace, ratio, width):
    n_strata = [1, 3, 50, 400, 2000, 5][seed]
    share = [0.1, 0.5, 0.3, 0.2, 0.05, 0.8][seed]
    codes, focal, dist, rank_of = _case(seed, 3000, n_strata, share, n_levels=[None, 5, 30, None, 3, 12][seed])
    got = match_mod._match_strata(codes, focal, dist, rank_of, ratio, replace, width, None)
    ref = _ref_match_strata(codes, focal, dist, rank_of, ratio, replace, width, None)
    for g, r in zip(got, ref, strict=True):
        np.testing.assert_array_equal(g, r)


def test_block_matcher_mahalanobis_equals_reference():
    rng = np.random.default_rng(3)
    codes, focal, dist, rank_of = _case(3, 2000, 40, 0.3, None)
    maha = np.round(rng.normal(size=(2000, 3)), 1)
    for ratio in (1, 2):
        got = match_mod._match_strata(codes, focal, dist, rank_of, ratio, True, np.inf, maha)
        ref = _ref_match_strata(codes, focal, dist, rank_of, ratio, True, np.inf, maha)
        for g, r in zip(got, ref, strict=True):
            np.testing.assert_array_equal(g, r)


def test_small_stratum_with_replacement_leaves_empty_slots_not_repeats():
    # One stratum with a single control and ratio 3, no caliper: one link, not the same control three times.
    codes = np.array([0, 0, 1, 1, 1, 1])
    focal = np.array([True, False, True, False, False, False])
    dist = np.array([0.0, 1.0, 0.0, 0.5, 0.7, 2.0])
    rank_of = np.array([0, -1, 1, -1, -1, -1])
    f, o, none = match_mod._match_strata(codes, focal, dist, rank_of, 3, True, np.inf, None)
    assert f.tolist() == [0, 0, 0, 2, 2, 2]
    assert o.tolist() == [1, -1, -1, 3, 4, 5]
    assert none.tolist() == []


# --------------------------------------------------------------------------- end to end through match()


def _data(n, seed):
    rng = np.random.default_rng(seed)
    d = pd.DataFrame({
        "person_id": np.arange(n),
        "alder": rng.integers(20, 30, n).astype(float),  # few values: many tied scores
        "kvinna": rng.integers(0, 2, n).astype(float),
        "grupp": rng.choice(["a", "b", "c"], n),
        "stratum": rng.integers(0, 150, n),  # many strata, some without controls or participants
        "kon": rng.choice(["k", "m"], n),
    })
    lin = -1.5 + 0.08 * (d.alder - 25) + 0.4 * d.kvinna + 0.3 * (d.grupp == "b")
    d["deltagare"] = (rng.random(n) < 1 / (1 + np.exp(-lin))).astype(int)
    return d


@pytest.mark.parametrize("kw", [
    {"caliper": None},
    {"caliper": 0.05},
    {"replace": True, "ratio": 3, "caliper": 0.1},
    {"ratio": 2, "caliper": None, "m_order": "random"},
    {"estimand": "ATC", "caliper": 0.2},
    {"estimand": "ATC", "replace": True, "ratio": 2, "caliper": None},
    {"m_order": "data", "distance": "ps", "caliper": 0.1},
])
def test_match_equals_reference_end_to_end(monkeypatch, kw):
    d = _data(4000, 5)
    covs = ["alder", "kvinna", "grupp"]
    got = match(d, "deltagare", covs, exact=["stratum", "kon"], **kw)
    monkeypatch.setattr(match_mod, "_match_strata", _ref_match_strata)
    ref = match(d, "deltagare", covs, exact=["stratum", "kon"], **kw)
    pd.testing.assert_frame_equal(got.pairs, ref.pairs)
    pd.testing.assert_frame_equal(got.matched, ref.matched)
    pd.testing.assert_frame_equal(got.counts, ref.counts)
    assert [(e.describe(), list(e.rows)) for e in got.exclusions.items] == \
        [(e.describe(), list(e.rows)) for e in ref.exclusions.items]


# --------------------------------------------------------------------------- the logit


@pytest.mark.parametrize("seed", range(4))
def test_logit_equals_statsmodels(seed):
    d = _data([300, 2000, 20000, 5000][seed], seed)
    X = _design(d, ["alder", "kvinna", "grupp", "kon"], drop_first=True)
    y = d["deltagare"].to_numpy(dtype=float)
    ours, notes = _fit_logit(y, X)
    sm_fit = sm.Logit(y, sm.add_constant(X.to_numpy(dtype=float)), check_rank=False).fit(
        method="newton", maxiter=100, disp=0)
    np.testing.assert_allclose(ours, sm_fit.params, rtol=0, atol=1e-8)
    assert notes == []


def test_logit_separation_still_an_error():
    from finsam_eval.errors import EstimationError

    d = _data(500, 1)
    d["sep"] = d["deltagare"].astype(float)
    with pytest.raises(EstimationError, match="separation"):
        _fit_logit(d["deltagare"].to_numpy(dtype=float), _design(d, ["alder", "sep"], drop_first=True))


# --------------------------------------------------------------------------- progress


def test_match_and_bootstrap_report_progress_once_each(monkeypatch):
    import finsam_eval._progress as prog
    from finsam_eval._config import get_option

    calls = []
    real = prog.progress

    def spy(iterable=None, **kw):
        calls.append((kw.get("desc"), kw.get("total"), get_option("progress")))
        return real(iterable, **kw)

    monkeypatch.setattr(prog, "progress", spy)
    d = _data(600, 2)
    m = match(d, "deltagare", ["alder", "kvinna"], caliper=None)
    assert calls == [("Matchning", 3, True)]
    calls.clear()
    m.effect("alder", se="bootstrap", n_boot=5)
    # One bar for the replicates; the five re-matchings inside run with progress switched off.
    assert calls[0] == ("Bootstrap", None, True)
    assert [c for c in calls[1:]] == [("Matchning", 3, False)] * 5
