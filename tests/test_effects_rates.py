"""Rates from published counts: intervals and tests against statsmodels/scipy and published values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.contingency_tables import mcnemar
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint

from finsam_eval.effects.rates import before_after_rates, compare_rates, pooled_rate, rate_vs_benchmark
from finsam_eval.errors import MissingColumnError, SchemaError


def test_uppsala_against_national():
    r = rate_vs_benchmark(31, 164, 0.33, label="Uppsala")
    assert r.rate == pytest.approx(31 / 164)
    np.testing.assert_allclose(r.wilson, proportion_confint(31, 164, method="wilson"))
    np.testing.assert_allclose(r.exact, proportion_confint(31, 164, method="beta"))
    assert r.pvalue == pytest.approx(stats.binomtest(31, 164, 0.33).pvalue)
    assert r.pvalue < 0.001
    t = r.table()
    assert t.loc[0, "skillnad"] == pytest.approx(31 / 164 - 0.33)
    assert "31 av 164" in r.caption and "18,9" in r.caption


def test_edge_counts():
    r = rate_vs_benchmark(0, 20, 0.1)
    assert r.exact[0] == 0.0 and r.wilson[0] == pytest.approx(0.0, abs=1e-12)
    with pytest.raises(SchemaError, match="0.33, inte 33"):
        rate_vs_benchmark(3, 10, 33)
    with pytest.raises(SchemaError):
        rate_vs_benchmark(11, 10, 0.3)


def test_compare_rates_against_statsmodels():
    c = compare_rates(56, 100, 52, 100)
    lo, hi = confint_proportions_2indep(56, 100, 52, 100, method="newcomb", compare="diff")
    assert c.diff_ci == pytest.approx((lo, hi))
    lo, hi = confint_proportions_2indep(56, 100, 52, 100, method="log", compare="ratio")
    assert c.ratio_ci == pytest.approx((lo, hi), rel=1e-6)
    assert c.pvalue == pytest.approx(stats.chi2_contingency([[56, 44], [52, 48]], correction=False).pvalue)
    f = compare_rates(1, 10, 8, 12)
    assert f.test == "fisher"
    assert f.pvalue == pytest.approx(stats.fisher_exact([[1, 9], [8, 4]]).pvalue)


def test_haninge_pooled_rate_flags_published_average():
    t = pd.DataFrame({"insats": ["Unga", "Resursråd", "Övriga"], "n": [5300, 1800, 1500],
                      "andel": [0.65, 0.25, 0.30]})
    r = pooled_rate(t, published=0.45)
    assert r.pooled == pytest.approx((5300 * 0.65 + 1800 * 0.25 + 1500 * 0.30) / 8600)
    assert r.pooled == pytest.approx(0.505, abs=0.001)
    assert r.n_total == 8600
    assert r.mismatch
    assert "stämmer inte" in r.message and "50,5" in r.message
    ok = pooled_rate(t, published=0.505)
    assert not ok.mismatch
    tab = r.table()
    assert tab["grupp"].tolist()[-2:] == ["Totalt (beräknat)", "Totalt (publicerat)"]
    # Counts instead of shares give the same answer.
    t2 = t.assign(lyckade=(t.n * t.andel).round().astype(int))
    assert pooled_rate(t2, successes="lyckade").pooled == pytest.approx(r.pooled, abs=1e-4)
    with pytest.raises(MissingColumnError):
        pooled_rate(t, n="antal")


def test_before_after():
    r = before_after_rates((52, 100), (56, 100))
    assert r.difference == pytest.approx(0.04)
    p = before_after_rates(paired=(40, 5, 15, 40))
    assert p.pvalue == pytest.approx(mcnemar(np.array([[40, 5], [15, 40]]), exact=True).pvalue)
    assert p.difference == pytest.approx((55 - 45) / 100)
    assert p.diff_ci[0] < 0.1 < p.diff_ci[1]


def test_small_counts_suppressed_in_table():
    r = rate_vs_benchmark(2, 4, 0.33)
    t = r.table()
    assert np.isnan(t.loc[0, "andel"]) and np.isnan(t.loc[0, "lyckade"]) and np.isnan(t.loc[0, "wilson_nedre"])
    assert "för litet" in r.caption
