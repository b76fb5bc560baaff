"""Wild cluster bootstrap and randomisation inference: brute-force checks and size with few clusters."""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from finsam_eval.effects.did import did, simulate_panel
from finsam_eval.effects.inference import (
    FewClustersWarning,
    _distinct_permutations,
    cluster_vcov,
    randomisation_inference,
    wild_cluster_bootstrap,
)
from finsam_eval.errors import EstimationError


@pytest.fixture(scope="module")
def few():
    rng = np.random.default_rng(7)
    G, n = 6, 120
    g = np.repeat(np.arange(G), n // G)
    x = rng.normal(size=n)
    d = (g % 2 == 0).astype(float) * (rng.random(n) < 0.5)
    y = 0.2 * d + 0.5 * x + rng.normal(size=G)[g] + rng.normal(size=n)
    X = np.column_stack([d, np.ones(n), x])
    return y, X, g


def _brute_force_t(y, X, g, support):
    """WCR by hand: restricted fit, flip residuals per cluster, refit with statsmodels, CR1 t."""
    Xr = X[:, 1:]
    fit = Xr @ np.linalg.lstsq(Xr, y, rcond=None)[0]
    e = y - fit
    G = len(np.unique(g))
    out = []
    for v in itertools.product(support, repeat=G):
        m = sm.OLS(fit + e * np.array(v)[g], X).fit(cov_type="cluster", cov_kwds={"groups": g})
        out.append(m.tvalues[0])
    return np.array(out)


def test_cluster_vcov_matches_statsmodels(few):
    y, X, g = few
    m = sm.OLS(y, X).fit(cov_type="cluster", cov_kwds={"groups": g})
    V, G = cluster_vcov(X, m.resid, g)
    assert G == 6
    np.testing.assert_allclose(V, m.cov_params(), atol=1e-12)


def test_wild_enumerates_rademacher_and_matches_brute_force(few):
    y, X, g = few
    res = wild_cluster_bootstrap(y, X, g, weights="rademacher", n_boot=999)
    assert res.enumerated and res.n_boot == 2**6
    t_bf = _brute_force_t(y, X, g, [-1.0, 1.0])
    np.testing.assert_allclose(np.sort(res.t_boot), np.sort(t_bf), atol=1e-10)
    t_obs = sm.OLS(y, X).fit(cov_type="cluster", cov_kwds={"groups": g}).tvalues[0]
    assert res.tstat == pytest.approx(t_obs, abs=1e-10)
    # Ties (the identity draw and its mirror) count, as in wildboottest's full enumeration: 0.75 there too.
    assert res.pvalue == pytest.approx(np.mean(np.abs(t_bf) >= abs(t_obs) - 1e-9))
    assert res.pvalue == pytest.approx(0.75)
    assert any("samtliga" in n and "64" in n for n in res.notes)


def test_webb_with_three_clusters_enumerates_216(few):
    y, X, g = few
    g3 = g // 2
    res = wild_cluster_bootstrap(y, X, g3)
    assert res.weights == "Webb" and res.enumerated and res.n_boot == 6**3
    t_bf = _brute_force_t(y, X, g3, [-np.sqrt(1.5), -1, -np.sqrt(0.5), np.sqrt(0.5), 1, np.sqrt(1.5)])
    np.testing.assert_allclose(np.sort(res.t_boot), np.sort(t_bf), atol=1e-10)
    assert any("3 kluster" in n for n in res.notes)
    rad = wild_cluster_bootstrap(y, X, g3, weights="rademacher")
    assert rad.n_boot == 8 and rad.enumerated


def test_wild_ci_by_inversion_contains_estimate_and_bounds_are_at_alpha(few):
    y, X, g = few
    res = wild_cluster_bootstrap(np.r_[y, y], np.r_[X, X], np.r_[g, g + 6], n_boot=399, random_state=3)
    lo, hi = res.ci
    assert lo < res.estimate < hi
    # Just inside the bounds the test does not reject; well outside it does.
    inside = wild_cluster_bootstrap(np.r_[y, y], np.r_[X, X], np.r_[g, g + 6], n_boot=399, random_state=3,
                                    null=lo + 0.02 * (hi - lo), ci=False)
    outside = wild_cluster_bootstrap(np.r_[y, y], np.r_[X, X], np.r_[g, g + 6], n_boot=399, random_state=3,
                                     null=lo - 0.5 * (hi - lo), ci=False)
    assert inside.pvalue > 0.05 >= outside.pvalue


def test_wild_is_seeded(few):
    y, X, g = few
    G12 = np.r_[g, g + 6]
    a = wild_cluster_bootstrap(np.r_[y, y], np.r_[X, X], G12, n_boot=199, random_state=5, ci=False)
    b = wild_cluster_bootstrap(np.r_[y, y], np.r_[X, X], G12, n_boot=199, random_state=5, ci=False)
    assert a.pvalue == b.pvalue and not a.enumerated


def test_wild_against_wildboottest_package(few):
    wbt = pytest.importorskip("wildboottest.wildboottest")
    y, X, g = few
    res = wild_cluster_bootstrap(y, X, g, weights="rademacher")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = wbt.wildboottest(sm.OLS(y, X), param="x1", cluster=g, B=999, weights_type="rademacher", seed=1,
                               show=False)
    assert res.pvalue == pytest.approx(float(out["p-value"].iloc[0]), abs=1e-9)


def test_distinct_permutations_counts():
    keys = ["a", "a", "b", "b", "b"]
    perms = _distinct_permutations(keys)
    assert len(perms) == 10  # 5 choose 2
    assigned = {tuple(keys[i] for i in p) for p in perms}
    assert len(assigned) == 10


def test_randomisation_exact_matches_hand_computed_did():
    """Eight kommuner, four treated: 70 assignments; balanced panel DiD = difference of mean changes."""
    df = simulate_panel(n_units=160, n_periods=6, effect=0.4, n_clusters=8, cluster_sd=0.5,
                        cluster_treatment=True, seed=11)
    res = randomisation_inference(df, "y", level="kluster", post="post")
    assert res.exact and res.n_perm == 70 and res.n_units == 8 and res.n_treated_units == 4

    cl = np.sort(df["kluster"].unique())
    change = df.groupby("person_id").apply(
        lambda s: s.loc[s.post == 1, "y"].mean() - s.loc[s.post == 0, "y"].mean(), include_groups=False)
    kl = df.groupby("person_id")["kluster"].first()
    est = []
    for treated in itertools.combinations(cl, 4):
        tr = kl.isin(treated)
        est.append(change[tr].mean() - change[~tr].mean())
    est = np.array(est)
    obs = did(df, "y", post="post").att
    assert obs == pytest.approx(res.estimate, abs=1e-10)
    assert np.sort(res.null_distribution) == pytest.approx(np.sort(est), abs=1e-10)
    assert res.pvalue == pytest.approx(np.mean(np.abs(est) >= abs(obs) - 1e-12))


def test_randomisation_requires_constant_treatment_within_level():
    df = simulate_panel(n_units=60, n_periods=4, n_clusters=5, seed=2)
    with pytest.raises(EstimationError, match="varierar inom 'kluster'"):
        randomisation_inference(df, "y", level="kluster")


def test_did_inference_options_fill_pvalue_and_notes():
    df = simulate_panel(n_units=200, n_periods=6, effect=0.6, n_clusters=8, cluster_sd=0.3,
                        cluster_treatment=True, seed=4)
    with pytest.warns(FewClustersWarning):
        cr = did(df, "y", cluster="kluster")
    with warnings.catch_warnings():
        warnings.simplefilter("error", FewClustersWarning)  # the remedies do not warn
        w = did(df, "y", cluster="kluster", inference="wild", n_boot=399)
        r = did(df, "y", cluster="kluster", inference="ri")
    assert w.att == cr.att == r.att and w.se == cr.se
    assert w.inference == "wild" and w.ci[0] < w.att < w.ci[1]
    assert any("vild klusterbootstrap" in n for n in w.notes)
    assert np.isnan(r.ci[0]) and any("Exakt test" in n for n in r.notes)
    assert r.bootstrap.n_perm == 70
    assert "p_randomisering" in r.bootstrap.table().columns


@pytest.mark.slow
def test_size_under_null_with_eight_clusters():
    """100 seeded panels, eight kommuner (four treated), no effect: wild and RI reject near 5 %.

    The restricted wild bootstrap is exact only asymptotically; with eight
    clusters of unequal size it rejects some 6-9 % in longer runs of this
    design (300 replications), randomisation inference about 5 %.
    """
    rej = {"wild": 0, "ri": 0}
    R = 100
    for s in range(R):
        df = simulate_panel(n_units=160, n_periods=6, effect=0.0, n_clusters=8, cluster_sd=0.7,
                            cluster_treatment=True, seed=5000 + s)
        for inf in rej:
            res = did(df, "y", cluster="kluster", inference=inf, n_boot=199, random_state=s)
            rej[inf] += res.pvalue < 0.05
    rates = {k: v / R for k, v in rej.items()}
    assert rates["wild"] <= 0.10, rates
    assert rates["ri"] <= 0.10, rates
    # ...and both have power against a clear effect.
    df = simulate_panel(n_units=160, n_periods=6, effect=1.5, n_clusters=8, cluster_sd=0.3,
                        cluster_treatment=True, seed=77)
    assert did(df, "y", cluster="kluster", inference="wild", n_boot=399).pvalue < 0.05
    assert did(df, "y", cluster="kluster", inference="ri").pvalue < 0.05


def test_wild_three_clusters_cannot_reject_strongly():
    """With three förbund the smallest attainable p-value is bounded away from zero: say so."""
    df = simulate_panel(n_units=150, n_periods=6, effect=2.0, n_clusters=3, seed=8)
    df["forbund"] = df["kluster"].map({0: "Botkyrka", 1: "Huddinge", 2: "Södertälje"})
    res = did(df, "y", cluster="forbund", inference="wild")
    assert res.bootstrap.n_boot == 216 and res.bootstrap.enumerated
    assert res.pvalue >= 1 / 216
    assert any("tolka resultatet försiktigt" in n for n in res.notes)
    assert isinstance(res.bootstrap.table(), pd.DataFrame)


def test_did_wild_matches_brute_force_with_all_dummies():
    """did(inference='wild') = WCR on the full dummy regression: residuals flipped in the original data."""
    import statsmodels.formula.api as smf

    df = simulate_panel(n_units=30, n_periods=5, effect=0.0, n_clusters=3, cluster_sd=0.5,
                        cluster_treatment=False, seed=3)
    df["D"] = df["deltagare"] * df["post"]
    res = did(df, "y", cluster="kluster", inference="wild", ssc="dummies")
    assert res.bootstrap.n_boot == 216
    r0 = smf.ols("y ~ C(person_id) + C(period)", df).fit()
    g = df["kluster"].to_numpy()
    webb = [-np.sqrt(1.5), -1, -np.sqrt(0.5), np.sqrt(0.5), 1, np.sqrt(1.5)]
    ts = []
    for v in itertools.product(webb, repeat=3):
        ys = r0.fittedvalues + r0.resid * np.array(v)[g]
        m = smf.ols("ys ~ D + C(person_id) + C(period)", df.assign(ys=ys)).fit(
            cov_type="cluster", cov_kwds={"groups": g}, use_t=True)
        ts.append(m.tvalues["D"])
    np.testing.assert_allclose(np.sort(res.bootstrap.t_boot), np.sort(ts), atol=1e-8)
    assert res.bootstrap.tstat == pytest.approx(res.tstat, abs=1e-10)
