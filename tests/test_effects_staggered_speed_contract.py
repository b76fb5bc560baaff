"""Issue 13: the fast paths of staggered_did give the numbers of the plain formulas, bit for bit.

No timings here (see ``benchmarks/bench_staggered.py --memory-units``): each fast path is compared with
the straightforward expression it replaces.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from finsam_eval.effects import staggered as st
from finsam_eval.effects.staggered import simulate_staggered, staggered_did

SIGNS = np.array([-1.0, 1.0])


@pytest.mark.parametrize("seed", [0, 1, 7, 2026])
def test_signs_are_the_integers_draws_and_leave_the_same_state(seed):
    # Odd sizes so the half-word numpy keeps between calls is exercised in both directions.
    ours, ref = np.random.default_rng(seed), np.random.default_rng(seed)
    buf = np.empty((801, 37))
    for m in (800, 199, 1, 801, 5, 0, 3):
        want = SIGNS[ref.integers(0, 2, size=(m, 37))]
        got = st._signs(ours, buf[:m])
        assert np.array_equal(got, want)
        assert ours.bit_generator.state == ref.bit_generator.state
    # The stream continues identically afterwards, for any other use of the generator.
    assert np.array_equal(ours.normal(size=5), ref.normal(size=5))


def test_signs_into_a_strided_buffer_are_written_in_place():
    ours, ref = np.random.default_rng(4), np.random.default_rng(4)
    buf = np.zeros((6, 10))
    got = st._signs(ours, buf[:, ::2])  # not contiguous: the shortcut would write into a copy
    assert np.array_equal(buf[:, ::2], SIGNS[ref.integers(0, 2, size=(6, 5))]) and got.base is buf


def test_signs_fall_back_to_integers_for_other_generators():
    ours, ref = np.random.Generator(np.random.Philox(3)), np.random.Generator(np.random.Philox(3))
    buf = np.empty((9, 11))
    assert np.array_equal(st._signs(ours, buf), SIGNS[ref.integers(0, 2, size=(9, 11))])
    assert st._raw_signs_ok() is True  # numpy of this environment: the PCG64 shortcut is checked and used


def test_bootstrap_equals_one_dense_product_of_plain_draws():
    # The block-by-cohort product, chunks and draws against the textbook: one draw matrix, one product.
    rng = np.random.default_rng(5)
    n, K = 400, 12
    groups = rng.integers(-1, 3, n)
    psi = rng.normal(size=(n, K)) * (rng.random((n, K)) < 0.6)
    psi[groups == 2] = 0.0  # a cohort whose rows are zero everywhere
    other = rng.normal(size=(n, 3))
    boot = st._bootstrap([np.asfortranarray(psi), other], n, 199, np.random.default_rng(11), rows_group=groups)
    v = SIGNS[np.random.default_rng(11).integers(0, 2, size=(199, n))]
    np.testing.assert_allclose(boot, np.hstack([v @ psi, v @ other]) / n, rtol=0, atol=1e-13)


def test_bootstrap_standard_errors_follow_the_iqr_formula():
    # Independent check of the whole route on a small panel: analytic influence functions from the result,
    # plain Rademacher draws, the normalised interquartile range (R did's bootstrap SE).
    df = simulate_staggered(n_units=300, n_periods=6, seed=4)
    res = staggered_did(df, "y", unit="unit", time="period", group="start", n_boot=299, random_state=3,
                        cband=False)
    psi = res.influence
    n = psi.shape[0]
    v = SIGNS[np.random.default_rng(3).integers(0, 2, size=(299, n))]
    draws = v @ psi / n
    q75, q25 = np.quantile(draws, [0.75, 0.25], axis=0)
    se = (q75 - q25) / (st.stats.norm.ppf(0.75) - st.stats.norm.ppf(0.25))
    np.testing.assert_allclose(res.attgt["se"].to_numpy(), se, rtol=1e-12)


def test_signs_buffer_memory_does_not_hold_an_int_matrix(monkeypatch):
    # The draws are generated a few rows at a time: no integer request is larger than _SIGN_BYTES.
    sizes: list[int] = []
    real = np.random.Generator.integers

    class Spy(np.random.Generator):
        def integers(self, *a, **k):  # type: ignore[override]
            out = real(self, *a, **k)
            sizes.append(np.asarray(out).nbytes)
            return out

    monkeypatch.setattr(st, "_SIGN_BYTES", 8 * 50 * 3)
    spy = Spy(np.random.Philox(1))  # not PCG64: takes the integers route
    st._signs(spy, np.empty((20, 50)))
    assert sizes and max(sizes) <= 8 * 50 * 3 and sum(sizes) == 8 * 20 * 50


def test_results_identical_with_and_without_the_shortcut(monkeypatch):
    df = simulate_staggered(n_units=500, n_periods=8, seed=9)
    df["x"] = np.random.default_rng(1).normal(size=len(df))
    kw = dict(unit="unit", time="period", group="start", covariates=["x"], n_boot=199)
    fast = staggered_did(df, "y", **kw)
    monkeypatch.setattr(st, "_raw_signs_ok", lambda: False)
    slow = staggered_did(df, "y", **kw)
    for a, b in [(fast.attgt, slow.attgt), (fast.dynamic, slow.dynamic), (fast.by_group, slow.by_group),
                 (fast.calendar, slow.calendar)]:
        pd.testing.assert_frame_equal(a, b, check_exact=True)
    assert fast.aggregates == slow.aggregates
