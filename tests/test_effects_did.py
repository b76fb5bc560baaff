"""did(): estimates and CR1 standard errors against statsmodels with dummies; coverage; notes and errors."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf

from finsam_eval.effects.did import DidResult, did, simulate_panel
from finsam_eval.effects.inference import FewClustersWarning, demean
from finsam_eval.errors import DuplicateIdError, EstimationError, MissingColumnError, SchemaError


@pytest.fixture(scope="module")
def small() -> pd.DataFrame:
    df = simulate_panel(n_units=60, n_periods=6, effect=0.5, seed=2, n_clusters=12, cluster_sd=0.3)
    df["D"] = df["deltagare"] * df["post"]
    df["w"] = np.random.default_rng(4).uniform(0.5, 2.0, len(df))
    return df


def _sm(df: pd.DataFrame, formula: str, cluster: str, weights: str | None = None):
    model = smf.wls(formula, df, weights=df[weights]) if weights else smf.ols(formula, df)
    return model.fit(cov_type="cluster", cov_kwds={"groups": df[cluster]}, use_t=True)


@pytest.mark.parametrize("fe", ["twfe", "2x2"])
@pytest.mark.parametrize("cluster", ["person_id", "kluster"])
def test_matches_statsmodels_with_dummies(small, fe, cluster):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FewClustersWarning)
        res = did(small, "y", covariates=["x"], fe=fe, cluster=cluster, ssc="dummies")
    rhs = "C(person_id) + C(period)" if fe == "twfe" else "deltagare + C(period)"
    m = _sm(small, f"y ~ D + x + {rhs}", cluster)
    assert res.att == pytest.approx(m.params["D"], abs=1e-10)
    assert res.se == pytest.approx(m.bse["D"], abs=1e-10)
    assert res.pvalue == pytest.approx(m.pvalues["D"], abs=1e-10)
    lo, hi = m.conf_int().loc["D"]
    assert res.ci == pytest.approx((lo, hi), abs=1e-10)
    cov = res.coefficients.set_index("term")
    assert cov.loc["x", "estimat"] == pytest.approx(m.params["x"], abs=1e-10)
    assert cov.loc["x", "se"] == pytest.approx(m.bse["x"], abs=1e-10)


def test_weighted_matches_wls(small):
    res = did(small, "y", weights="w", cluster="person_id", ssc="dummies")
    m = _sm(small, "y ~ D + C(person_id) + C(period)", "person_id", weights="w")
    assert res.att == pytest.approx(m.params["D"], abs=1e-9)
    assert res.se == pytest.approx(m.bse["D"], abs=1e-9)


def test_unbalanced_panel_matches_statsmodels(small):
    df = small.sample(frac=0.8, random_state=3).sort_index()
    res = did(df, "y", covariates=["x"], ssc="dummies")
    m = _sm(df, "y ~ D + x + C(person_id) + C(period)", "person_id")
    assert res.att == pytest.approx(m.params["D"], abs=1e-8)
    assert res.se == pytest.approx(m.bse["D"], abs=1e-8)


def test_nested_small_sample_correction(small):
    """Default ssc='nested' as fixest ssc(fixef.K="nested"): person dummies nested in person clusters are not
    counted in K, but the nested dimension keeps one parameter (fixest issue #554), so K = 2 coefficients + P
    periods (Stata xtreg, fe counts the same: P - 1 period dummies and a constant)."""
    res = did(small, "y", covariates=["x"])
    m = _sm(small, "y ~ D + x + C(person_id) + C(period)", "person_id")
    n, k_all, k_nested = len(small), m.df_model + 1, 2 + small["period"].nunique()
    assert res.att == pytest.approx(m.params["D"], abs=1e-10)
    assert res.se == pytest.approx(m.bse["D"] * np.sqrt((n - k_all) / (n - k_nested)), abs=1e-10)
    # Every person belongs to one kluster, so the person effects are nested there too.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FewClustersWarning)
        r2 = did(small, "y", covariates=["x"], cluster="kluster")
    m2 = _sm(small, "y ~ D + x + C(person_id) + C(period)", "kluster")
    assert r2.se == pytest.approx(m2.bse["D"] * np.sqrt((n - k_all) / (n - k_nested)), abs=1e-10)
    # The 2x2 group effect is not nested in mixed clusters and stays counted.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FewClustersWarning)
        r3 = did(small, "y", fe="2x2", cluster="kluster")
    m3 = _sm(small, "y ~ D + deltagare + C(period)", "kluster")
    assert r3.se == pytest.approx(m3.bse["D"], abs=1e-10)


def test_post_column_and_start_column_agree(small):
    a = did(small, "y", post="post")
    b = did(small, "y", post="start_period")
    c = did(small, "y")  # start_period found by name
    assert a.att == pytest.approx(b.att, abs=1e-12) == pytest.approx(c.att, abs=1e-12)
    assert (a.n_treated, a.n_control) == (b.n_treated, b.n_control)


def test_time_varying_treatment_indicator(small):
    df = small.assign(deltagare=small["D"])
    assert did(df, "y").att == pytest.approx(did(small, "y").att, abs=1e-12)


def test_result_contract(small):
    res = did(small, "y")
    assert isinstance(res, DidResult)
    t = res.table()
    assert list(t.columns[:3]) == ["utfall", "estimator", "estimat"]
    assert int(t["n_behandlade"].iloc[0]) == res.n_treated == int(small.groupby("person_id")["deltagare"].max().sum())
    assert res.n_clusters == 60 and res.n_obs == len(small)
    assert "TWFE" in res.notes[0] and "CR1" in res.notes[0]
    assert "0," in res.caption  # decimal comma
    assert "Skattning" in res.summary()
    ax = res.plot()
    assert ax.get_ylabel().startswith("Medelvärde")


def test_small_counts_suppressed_in_table():
    df = simulate_panel(n_units=40, n_periods=4, share_treated=0.1, seed=1)
    res = did(df, "y")
    assert res.n_treated == 4
    assert np.isnan(res.table()["n_behandlade"].iloc[0])


def test_few_clusters_warns_and_notes(small):
    with pytest.warns(FewClustersWarning, match="inference='wild'"):
        res = did(small, "y", cluster="kluster")
    assert any("12 kluster" in n and "opålitliga" in n for n in res.notes)
    assert issubclass(FewClustersWarning, UserWarning)
    with warnings.catch_warnings():
        warnings.simplefilter("error", FewClustersWarning)
        did(small, "y")  # person clusters: no warning


def test_missing_outcome_counted(small):
    df = small.copy()
    df.loc[[3, 10, 11], "y"] = np.nan
    res = did(df, "y")
    assert res.n_obs == len(df) - 3
    assert res.exclusions.total == 3
    assert any("utfallet saknas" in n for n in res.notes)


def test_time_invariant_covariate_absorbed(small):
    df = small.assign(z=small["person_id"] % 3)
    res = did(df, "y", covariates=["z", "x"])
    assert list(res.coefficients["term"]) == ["behandling", "x"]
    assert any("'z'" in n and "absorberas" in n for n in res.notes)


def test_errors(small):
    with pytest.raises(MissingColumnError, match="'utfall'"):
        did(small, "utfall")
    with pytest.raises(DuplicateIdError, match="upprepade"):
        did(pd.concat([small, small.head(2)]), "y")
    with pytest.raises(SchemaError, match="0/1"):
        did(small.assign(deltagare=small["deltagare"] * 2), "y")
    with pytest.raises(EstimationError, match="fe="):
        did(small, "y", fe="tre")
    with pytest.raises(EstimationError, match="post="):
        did(small.drop(columns=["start_period"]), "y")
    with pytest.raises(EstimationError, match="Inga deltagare: kolumnen 'deltagare'"):
        did(small.assign(deltagare=0), "y", post="post")


def test_clear_failures_name_the_column_and_never_leak_python_errors(small):
    """Issue 9 item 6: a constant outcome gave ZeroDivisionError; no treated or no control units must be project
    errors naming the column and the fix."""
    with pytest.raises(EstimationError, match="'y' är konstant"):
        did(small.assign(y=3.0), "y", post="post")
    with pytest.raises(EstimationError, match="'y' är konstant"):
        did(small.assign(y=0.0), "y")  # TWFE with start periods, the path that divided by zero
    with pytest.raises(EstimationError, match="Inga kontroller.*'deltagare'"):
        did(small.assign(deltagare=1), "y", post="post")
    with pytest.raises(SchemaError, match="numeriskt"):
        did(small.assign(y="ja"), "y", post="post")
    # Start as a year against a period index: not "no variation" but the scale named.
    with pytest.raises(SchemaError, match="olika skalor"):
        did(small.assign(start_period=np.where(small["deltagare"] == 1, 2021.0, np.nan)), "y")
    # Outcome varying but identical before and after for everyone: the SE is zero, said in words.
    flat = small.assign(y=small["person_id"] * 0.1 + small["period"] * 0.01)
    with pytest.raises(EstimationError, match="Standardfelet"):
        did(flat, "y", post="post")


def test_twfe_on_repeated_cross_sections_uses_2x2_form(small):
    """New people each period: unit effects would absorb the treatment, so fe="twfe" estimates the 2x2 form (group
    and period effects) with a note; identical to OLS y ~ D:post + D + C(period) with HC1 (CR1 with one row per
    cluster)."""
    rcs = small.assign(person_id=np.arange(len(small)))
    res = did(rcs, "y", post="post")
    m = smf.ols("y ~ deltagare:post + deltagare + C(period)", rcs).fit(cov_type="HC1")
    assert res.att == pytest.approx(m.params["deltagare:post"], abs=1e-10)
    assert res.se == pytest.approx(m.bse["deltagare:post"], abs=1e-10)
    assert res.estimator == "2x2" and any("Upprepade tvärsnitt" in n for n in res.notes)
    no_id = did(rcs.drop(columns="person_id"), "y", unit=None, post="post")
    assert no_id.att == pytest.approx(res.att, abs=1e-12) and no_id.se == pytest.approx(res.se, abs=1e-12)
    assert "nan" not in no_id.summary().lower()


def test_demean_balanced_is_double_demeaning():
    rng = np.random.default_rng(0)
    u = np.repeat(np.arange(5), 4)
    t = np.tile(np.arange(4), 5)
    y = rng.normal(size=20)
    s = pd.Series(y)
    expected = y - s.groupby(u).transform("mean") - s.groupby(t).transform("mean") + y.mean()
    np.testing.assert_allclose(demean(y, [u, t]), expected, atol=1e-12)


def test_large_panel_runs():
    df = simulate_panel(n_units=3000, n_periods=24, effect=0.2, seed=5)
    res = did(df, "y", covariates=["x"])
    assert abs(res.att - 0.2) < 4 * res.se


@pytest.mark.slow
def test_coverage_of_95_ci():
    """200 seeded panels with known effect 0.5: the 95 % CI should cover it in about 95 % of them."""
    hits = []
    for s in range(200):
        df = simulate_panel(n_units=80, n_periods=6, effect=0.5, seed=10_000 + s)
        res = did(df, "y", covariates=["x"])
        hits.append(res.ci[0] <= 0.5 <= res.ci[1])
    rate = float(np.mean(hits))
    assert 0.90 <= rate <= 0.98, rate


def test_no_empty_statistic_reaches_a_caption_or_summary():
    """Randomisation inference has no interval: the caption leaves it out instead of printing "KI [; ]"."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        df = simulate_panel(n_units=60, n_periods=4, n_clusters=8, cluster_treatment=True, seed=1)
        r = did(df, "y", cluster="kluster", inference="ri", n_boot=99)
    assert "KI" not in r.caption and "p\u00a0=\u00a0" in r.caption
    for text in (r.caption, r.summary()):
        assert "[; ]" not in text and "= ," not in text and "nan" not in text.lower()

