"""Tests of inverse probability weighting and entropy balancing against WeightIt, theory and known truth."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from finsam_eval.effects import weight
from finsam_eval.effects.match import _simulate_heterogeneous
from finsam_eval.errors import ConfigError, EstimationError

LALONDE = pd.read_csv(Path(__file__).parent / "data" / "effects" / "lalonde.csv")
# WeightIt's README orders the covariates so; the order does not change any number.
WI_COVS = ["age", "educ", "nodegree", "married", "race", "re74", "re75"]
COVS = ["x1", "x2", "grupp"]


@pytest.fixture(scope="module")
def het() -> pd.DataFrame:
    return _simulate_heterogeneous(3000, seed=5)


@pytest.fixture(scope="module")
def ipw_att():
    return weight(LALONDE, "treat", WI_COVS, method="ipw", estimand="ATT", unit="id")


def test_weightit_readme_ipw_att_balance(ipw_att):
    # WeightIt 2.0.0, README.md: weightit(treat ~ age + educ + nodegree + married + race + re74 + re75,
    # data = lalonde, method = "glm", estimand = "ATT"); bal.tab(W, un = TRUE).
    published = {  # variable: (Diff.Un, Diff.Adj)
        "Propensity score": (1.7941, -0.0205), "age": (-0.3094, 0.1188), "educ": (0.0550, -0.0284),
        "nodegree": (0.1114, 0.0184), "married": (-0.3236, 0.0186), "race: black": (0.6404, -0.0022),
        "race: hispan": (-0.0827, 0.0002), "race: white": (-0.5577, 0.0021), "re74": (-0.7211, -0.0021),
        "re75": (-0.2903, 0.0110),
    }
    b = ipw_att.balance().set_index("variabel")
    for var, (un, adj) in published.items():
        assert b.loc[var, "smd_fore"] == pytest.approx(un, abs=5e-5), var
        assert b.loc[var, "smd_efter"] == pytest.approx(adj, abs=5e-5), var
    # "Effective sample sizes": Unadjusted 429 / 185, Adjusted 99.82 / 185.
    ess = ipw_att.sample_sizes()
    assert ess.iloc[0].tolist() == [429.0, 185.0]
    assert ess.iloc[1, 0] == pytest.approx(99.82, abs=5e-3) and ess.iloc[1, 1] == 185
    # summary(W): control weights from 0.009 to 3.743, coefficient of variation 1.818; participants all 1.
    s = ipw_att.weight_summary().set_index("grupp")
    assert s.loc["kontroller", "min"] == pytest.approx(0.009, abs=5e-4)
    assert s.loc["kontroller", "max"] == pytest.approx(3.743, abs=5e-4)
    assert s.loc["kontroller", "variationskoefficient"] == pytest.approx(1.818, abs=5e-4)
    assert s.loc["deltagare", "min"] == s.loc["deltagare", "max"] == 1.0


def test_weightit_readme_effect_with_m_estimation(ipw_att):
    # WeightIt 2.0.0, README.md: lm_weightit(re78 ~ treat, data = lalonde, weightit = W); summary(fit, ci = TRUE):
    # treat 1214.1 (SE 798.2, 95 % CI -350.3; 2778.4), (Intercept) 5135.1 (SE 583.8),
    # "Standard error: HC0 robust (adjusted for estimation of weights)".
    e = ipw_att.effect("re78")
    assert e.se_method == "m"
    assert e.att == pytest.approx(1214.1, abs=0.05)
    assert e.se == pytest.approx(798.2, abs=0.05)
    assert (e.ci_low, e.ci_high) == (pytest.approx(-350.3, abs=0.05), pytest.approx(2778.4, abs=0.05))
    assert e.mean_control == pytest.approx(5135.1, abs=0.05)
    long = ipw_att._effect_sample()
    X = np.column_stack([np.ones(len(long)), long.treated])
    cov = ipw_att._m_cov(LALONDE.re78.to_numpy(), X, [])
    assert np.sqrt(cov[0, 0]) == pytest.approx(583.8, abs=0.05)
    # Treating the weights as fixed gives a different (here larger) SE: the adjustment matters.
    assert ipw_att.effect("re78", se="robust").se > e.se + 10


def test_ipw_weights_by_hand(het):
    fit = sm.Logit(het.deltagare, sm.add_constant(pd.get_dummies(het[COVS], drop_first=True, dtype=float))).fit(
        disp=0)
    e = fit.predict()
    t = het.deltagare.to_numpy() == 1
    expected = {"ATT": np.where(t, 1, e / (1 - e)), "ATC": np.where(t, (1 - e) / e, 1),
                "ATE": np.where(t, 1 / e, 1 / (1 - e))}
    for est, w in expected.items():
        np.testing.assert_allclose(weight(het, "deltagare", COVS, estimand=est).weights.to_numpy(), w, rtol=1e-6)


@pytest.mark.parametrize("estimand", ["ATT", "ATC", "ATE"])
def test_entropy_balancing_is_exact_and_has_the_entropy_form(het, estimand):
    w = weight(het, "deltagare", COVS, method="entropy", estimand=estimand, moments=2)
    d, ww = w.data, w.weights.to_numpy()
    t = d.deltagare.to_numpy() == 1
    G = pd.get_dummies(d[COVS], drop_first=True, dtype=float).assign(x1sq=d.x1**2).to_numpy()
    target = {"ATT": G[t].mean(0), "ATC": G[~t].mean(0), "ATE": G.mean(0)}[estimand]
    groups = {"ATT": [~t], "ATC": [t], "ATE": [t, ~t]}[estimand]
    for g in groups:
        np.testing.assert_allclose(np.average(G[g], axis=0, weights=ww[g]), target, atol=1e-7)
        assert ww[g].mean() == pytest.approx(1.0)
        # Maximum entropy: log w is exactly linear in the balancing functions (the dual's first-order form).
        fit = sm.OLS(np.log(ww[g]), sm.add_constant(G[g])).fit()
        assert fit.rsquared > 1 - 1e-10
    b = w.balance()
    assert b["smd_efter"].abs().max() < 1e-6


def test_estimands_recover_their_truths(het):
    truth = het.attrs["truth"]
    for est in ("ATT", "ATC", "ATE"):
        for method in ("ipw", "entropy"):
            e = weight(het, "deltagare", COVS, method=method, estimand=est).effect("y", adjust=True)
            assert abs(e.att - truth[est]) < 3 * e.se + 0.02, (est, method, e.att, truth[est], e.se)
            assert e.estimand == est
    # The effect is linear in the covariates, so exact mean balance already removes the bias:
    # entropy balancing's unadjusted estimate equals the regression-adjusted one.
    w = weight(het, "deltagare", COVS, method="entropy", estimand="ATC")
    assert w.effect("y").att == pytest.approx(w.effect("y", adjust=True).att, abs=1e-8)


def test_entropy_m_estimation_se_agrees_with_bootstrap(het):
    d = het.sample(1000, random_state=1).reset_index(drop=True)
    w = weight(d, "deltagare", COVS, method="entropy", estimand="ATE")
    m = w.effect("y")
    b = w.effect("y", se="bootstrap", n_boot=40, random_state=3)
    assert m.se_method == "m" and b.se_method == "bootstrap"
    assert 0.7 < b.se / m.se < 1.4
    # Treating the entropy weights as fixed misses their estimation (here it overstates the SE).
    assert abs(w.effect("y", se="robust").se / m.se - 1) > 0.05


def test_infeasible_entropy_balancing_is_a_clear_error():
    # Reweighting the 185 NSW participants to the PSID controls' means and squares cannot be done: no
    # distribution over the participants reaches the targets (the LP in the error path confirms it).
    with pytest.raises(EstimationError, match="saknar lösning"):
        weight(LALONDE, "treat", WI_COVS, method="entropy", estimand="ATC", moments=2, unit="id")
    # A target outside a group's range is named.
    d = _simulate_heterogeneous(600, seed=2)
    d.loc[d.deltagare == 0, "x1"] = d.loc[d.deltagare == 0, "x1"].clip(upper=-0.5)
    d.loc[d.deltagare == 1, "x1"] = d.loc[d.deltagare == 1, "x1"].clip(lower=0.5)
    with pytest.raises(EstimationError, match="x1"):
        weight(d, "deltagare", ["x1", "x2"], method="entropy")


def test_no_overlap_and_argument_errors(het):
    d = het.copy()
    d["x3"] = np.where(d.deltagare == 1, 1.0, 0.0)  # separates the groups completely
    with pytest.raises(EstimationError, match="separation"):
        weight(d, "deltagare", ["x1", "x3"])
    with pytest.raises(ConfigError, match="method"):
        weight(het, "deltagare", COVS, method="cbps")
    with pytest.raises(ConfigError, match="moments"):
        weight(het, "deltagare", COVS, method="entropy", moments=3)
    w = weight(het, "deltagare", COVS)
    with pytest.raises(ConfigError, match="se="):
        w.effect("y", se="cluster")


def test_result_contract_and_missing_values(het):
    import matplotlib.pyplot as plt

    d = het.copy()
    d.loc[d.index[:30], "x1"] = np.nan
    w = weight(d, "deltagare", COVS, thresholds=dict(m=0.1, v=2, ks=0.05))
    c = w.counts.set_index(["grupp", "status"])["antal"]
    assert c.loc["Deltagare"].filter(like="saknade").iloc[0] == int((d.deltagare == 1)[:30].sum())
    assert w.exclusions.total == 30 and len(w.data) == len(d) - 30
    assert w.table().equals(w.balance()) and {"m_troskel", "v_troskel", "ks_troskel"} <= set(w.table().columns)
    assert "viktning" in w.summary() and "<table" in w._repr_html_()
    e = w.effect("y")
    assert "ATT" in e.caption and e.table().loc[0, "att"] == pytest.approx(e.att)
    assert w.plot() is not None and w.overlap_plot() is not None and e.plot() is not None
    ent = weight(het, "deltagare", COVS, method="entropy")
    assert "Propensity score" not in set(ent.balance().variabel)
    with pytest.raises(ConfigError, match="propensity score"):
        ent.overlap_plot()
    plt.close("all")


@pytest.mark.parametrize("name", ["balance", "weighting", "match", "outcome"])
def test_docstring_examples(name):
    import doctest
    import importlib

    mod = importlib.import_module(f"finsam_eval.effects.{name}")
    result = doctest.testmod(mod, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, verbose=False)
    assert result.failed == 0 and result.attempted > 0


@pytest.mark.parametrize("estimand", ["ATE", "ATC"])
def test_ipw_m_estimation_se_agrees_with_bootstrap(het, estimand):
    # The analytic Jacobian of the IPW weights (d log w / d lp) differs by estimand; a wrong sign shows here.
    d = het.sample(1000, random_state=2).reset_index(drop=True)
    w = weight(d, "deltagare", COVS, method="ipw", estimand=estimand)
    m = w.effect("y")
    b = w.effect("y", se="bootstrap", n_boot=60, random_state=4)
    assert 0.7 < b.se / m.se < 1.4, (b.se, m.se)
