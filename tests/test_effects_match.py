"""Tests of propensity score matching against known truth and direct computations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats

from finsam_eval.effects.match import _simulate, match, person_baseline
from finsam_eval.errors import EstimationError, MissingColumnError, SchemaError

COVS = ["alder", "kon", "utbildning"]


@pytest.fixture(scope="module")
def sim() -> pd.DataFrame:
    return _simulate(6000, effect=0.12, share=0.1, seed=11)


def test_att_close_to_truth_and_balance(sim):
    naive = sim.loc[sim.deltagare == 1, "arbete_studier"].mean() - sim.loc[sim.deltagare == 0, "arbete_studier"].mean()
    m = match(sim, "deltagare", COVS, exact="forbund")
    e = m.effect("arbete_studier")
    assert abs(e.att - 0.12) < 2.5 * e.se
    assert abs(naive - 0.12) > abs(e.att - 0.12)  # selection makes the naive difference biased
    bal = m.balance()
    assert (bal["smd_efter"].abs() < 0.1).all()
    assert (bal["smd_fore"].abs() > 0.1).any()
    assert not bal["obalans"].any()
    assert e.ci_low < e.att < e.ci_high


def test_counts_add_up(sim):
    m = match(sim, "deltagare", COVS, exact=["forbund", "kon"], caliper=0.01, ratio=2)
    c = m.counts.set_index(["grupp", "status"])["antal"]
    t = c.loc["Deltagare"]
    assert t["Totalt"] == (sim.deltagare == 1).sum()
    assert t["Totalt"] == t.drop("Totalt").sum()
    k = c.loc["Kontroller"]
    assert k["Totalt"] == k.drop("Totalt").sum()
    assert t["Matchade"] == (m.matched.deltagare == 1).sum() == m.n_treated_matched
    assert k["Matchade"] == (m.matched.deltagare == 0).sum()
    assert t.filter(like="caliper").iloc[0] > 0  # a tight caliper leaves some out, and says so
    assert m.exclusions.total == t["Totalt"] - t["Matchade"]
    # Without replacement every control is used once, weights 1/k of its participant.
    assert not m.matched.index.duplicated().any()
    assert np.isclose(m.matched.loc[m.matched.deltagare == 0, "weights"].sum(), t["Matchade"])


def test_missing_covariates_reported(sim):
    d = sim.copy()
    d.loc[d.index[:50], "alder"] = np.nan
    m = match(d, "deltagare", COVS)
    c = m.counts.set_index(["grupp", "status"])["antal"]
    n_t_missing = int(((d.deltagare == 1) & d.alder.isna()).sum())
    n_c_missing = int(((d.deltagare == 0) & d.alder.isna()).sum())
    assert c.loc["Deltagare"].filter(like="saknade").iloc[0] == n_t_missing
    assert c.loc["Kontroller"].filter(like="saknade").iloc[0] == n_c_missing
    assert sum(e.count for e in m.exclusions.items if "saknade" in e.reason) == 50


def test_deterministic(sim):
    a = match(sim, "deltagare", COVS, m_order="random", random_state=4)
    b = match(sim, "deltagare", COVS, m_order="random", random_state=4)
    pd.testing.assert_frame_equal(a.matched, b.matched)
    assert a.effect("arbete_studier").att == b.effect("arbete_studier").att


def test_exact_matching_respected(sim):
    m = match(sim, "deltagare", COVS, exact=["forbund", "kon"], ratio=3, replace=True)
    p = m.pairs.assign(forbund=sim.loc[m.pairs.row, "forbund"].to_numpy(), kon=sim.loc[m.pairs.row, "kon"].to_numpy())
    assert (p.groupby("subclass")[["forbund", "kon"]].nunique() == 1).all().all()
    # Within the caliper.
    lp = m.logit_ps
    tr = p[p.treated == 1].set_index("subclass").row
    ct = p[p.treated == 0]
    dist = np.abs(lp.loc[ct.row].to_numpy() - lp.loc[tr.loc[ct.subclass]].to_numpy())
    assert (dist <= m.caliper_width + 1e-12).all()


def test_nearest_neighbour_with_replacement_is_exact_nn(sim):
    # With replacement and no caliper, each participant's control is the nearest on the logit score.
    m = match(sim, "deltagare", COVS, replace=True, caliper=None)
    lp = m.logit_ps
    c_lp = np.sort(lp[sim.deltagare == 0].to_numpy())
    p = m.pairs
    tr = p[p.treated == 1].set_index("subclass").row
    ct = p[p.treated == 0].set_index("subclass").row
    got = np.abs(lp.loc[ct.loc[tr.index]].to_numpy() - lp.loc[tr].to_numpy())
    best = np.min(np.abs(c_lp[None, :] - lp.loc[tr].to_numpy()[:, None]), axis=1)
    np.testing.assert_allclose(got, best)


def test_greedy_matches_brute_force_small():
    d = _simulate(300, share=0.2, seed=5)
    m = match(d, "deltagare", COVS, caliper=None, m_order="largest")
    lp = m.logit_ps
    t_idx = d.index[d.deltagare == 1]
    free = set(d.index[d.deltagare == 0])
    expected = {}
    for i in sorted(t_idx, key=lambda i: (-lp[i], i)):
        cands = sorted(free, key=lambda j: (abs(lp[j] - lp[i]), lp[j]))
        expected[i] = cands[0]
        free.remove(cands[0])
    p = m.pairs
    tr = p[p.treated == 1].set_index("subclass").row
    ct = p[p.treated == 0].set_index("subclass").row
    got = dict(zip(tr.loc[ct.index], ct))
    diffs = [i for i in expected if abs(lp[expected[i]] - lp[i]) != pytest.approx(abs(lp[got[i]] - lp[i]))]
    assert not diffs


def test_effect_equals_direct_wls(sim):
    m = match(sim, "deltagare", COVS, ratio=2, replace=True)
    e = m.effect("arbete_studier", adjust=True)
    p = m.pairs
    y = sim.loc[p.row, "arbete_studier"].to_numpy()
    t = p.treated.to_numpy()
    Z = pd.get_dummies(sim.loc[p.row, COVS], drop_first=True, dtype=float).reset_index(drop=True)
    Zc = Z - Z[t == 1].mean()  # g-computation for the ATT: covariates centred at the participants' means
    X = sm.add_constant(pd.concat([pd.Series(t, name="t"), Zc, Zc.mul(t, axis=0).add_prefix("t:")], axis=1))
    fit = sm.WLS(y, X, weights=p.weights.to_numpy()).fit(cov_type="cluster", cov_kwds={"groups": p.subclass})
    assert e.att == pytest.approx(fit.params["t"], rel=1e-10)
    assert e.se == pytest.approx(fit.bse["t"], rel=1e-10)
    # The same number as averaging the fitted differences over the participants (g-computation).
    fit_t = sm.WLS(y[t == 1], sm.add_constant(Z[t == 1])).fit()
    w0 = p.weights.to_numpy()[t == 0]
    fit_c = sm.WLS(y[t == 0], sm.add_constant(Z[t == 0]), weights=w0).fit()
    g = (fit_t.predict(sm.add_constant(Z[t == 1])) - fit_c.predict(sm.add_constant(Z[t == 1]))).mean()
    assert e.att == pytest.approx(g, rel=1e-8)
    # Unadjusted ATT equals the difference in weighted means.
    e0 = m.effect("arbete_studier")
    assert e0.att == pytest.approx(e0.mean_treated - e0.mean_control)
    w = m.matched
    yt = w.loc[w.deltagare == 1, "arbete_studier"].mean()
    yc = np.average(w.loc[w.deltagare == 0, "arbete_studier"], weights=w.loc[w.deltagare == 0, "weights"])
    assert e0.att == pytest.approx(yt - yc)


def test_balance_smd_by_hand(sim):
    # cobalt's choice for the ATT: the participants' SD in the full sample; binary variables as raw differences.
    m = match(sim, "deltagare", COVS)
    b = m.balance().set_index("variabel")
    t, c = sim[sim.deltagare == 1].alder, sim[sim.deltagare == 0].alder
    sd = t.std()
    assert b.loc["alder", "smd_fore"] == pytest.approx((t.mean() - c.mean()) / sd)
    mt = m.matched
    after = (mt[mt.deltagare == 1].alder.mean() - mt[mt.deltagare == 0].alder.mean()) / sd
    assert b.loc["alder", "smd_efter"] == pytest.approx(after)
    assert b.loc["alder", "vr_fore"] == pytest.approx(t.var() / c.var())
    assert np.isnan(b.loc["kon: man", "vr_fore"])
    man = sim.kon == "man"
    assert b.loc["kon: man", "smd_fore"] == pytest.approx(man[sim.deltagare == 1].mean() - man[sim.deltagare == 0].mean())
    assert b.loc["alder", "ks_fore"] == pytest.approx(stats.ks_2samp(t, c).statistic)
    # ATE: pooled SD; binary="std" standardises binaries too (MatchIt's summary()).
    s = match(sim, "deltagare", COVS, method="subclass", estimand="ATE").balance(binary="std").set_index("variabel")
    assert s.loc["alder", "smd_fore"] == pytest.approx((t.mean() - c.mean()) / np.sqrt((t.var() + c.var()) / 2))
    mt_, mc_ = man[sim.deltagare == 1], man[sim.deltagare == 0]
    assert s.loc["kon: man", "smd_fore"] == pytest.approx((mt_.mean() - mc_.mean()) / np.sqrt((mt_.var() + mc_.var()) / 2))


def test_errors(sim):
    d = sim.copy()
    with pytest.raises(MissingColumnError, match="saknas"):
        match(d, "deltagare", ["finns_inte"])
    # No controls in a stratum: participants there are counted, not silently lost.
    d2 = d[~((d.forbund == "Huddinge") & (d.deltagare == 0))]
    m = match(d2, "deltagare", COVS, exact="forbund")
    c = m.counts.set_index(["grupp", "status"])["antal"]
    assert c.loc[("Deltagare", "Ej matchade: ingen kontroll i samma exakta stratum")] == (
        (d2.forbund == "Huddinge") & (d2.deltagare == 1)).sum()
    # No controls at all.
    with pytest.raises(EstimationError, match="inga kontroller"):
        match(d[d.deltagare == 1], "deltagare", COVS)
    # No overlap: a covariate separates the groups completely.
    d3 = d.copy()
    d3["alder"] = np.where(d3.deltagare == 1, 20.0, 60.0) + np.random.default_rng(0).random(len(d3))
    with pytest.raises(EstimationError, match="separation"):
        match(d3, "deltagare", COVS)
    # Panel input points to person_baseline.
    panel = pd.concat([d, d])
    with pytest.raises(SchemaError, match="person_baseline"):
        match(panel, "deltagare", COVS)


def test_person_baseline_panel():
    rng = np.random.default_rng(0)
    n, T = 200, 8
    pid = np.repeat(np.arange(n), T)
    per = np.tile(np.arange(T), n)
    treated = (np.arange(n) < 50).astype(int)
    start = np.where(treated == 1, 3 + np.arange(n) % 3, np.nan)
    panel = pd.DataFrame({"person_id": pid, "period": per, "deltagare": np.repeat(treated, T),
                          "start_period": np.repeat(start, T), "y": rng.random(n * T)})
    b = person_baseline(panel, outcomes="y")
    assert len(b) == n and b.person_id.is_unique
    assert (b.period == b.pseudo_start - 1).all()
    assert set(b.loc[b.deltagare == 0, "pseudo_start"]) <= {3.0, 4.0, 5.0}
    r = b.iloc[0]
    expected = panel[(panel.person_id == r.person_id) & (panel.period >= r.pseudo_start)].y.mean()
    assert r.y == pytest.approx(expected)


@pytest.mark.slow
def test_coverage_of_matched_ci():
    truth, covered, reps = 0.1, 0, 200
    for seed in range(reps):
        d = _simulate(800, effect=truth, share=0.15, seed=1000 + seed)
        e = match(d, "deltagare", COVS).effect("arbete_studier")
        covered += e.ci_low <= truth <= e.ci_high
    assert 0.88 <= covered / reps <= 0.99


def test_replacement_weights_and_no_match_error(sim):
    m = match(sim, "deltagare", COVS, ratio=2, replace=True)
    ctrl = m.matched[m.matched.deltagare == 0]
    assert np.isclose(ctrl.weights.sum(), m.n_treated_matched)
    reused = m.pairs[m.pairs.treated == 0].row.value_counts()
    assert reused.max() > 1  # with replacement some controls serve several participants
    r = reused.index[0]
    expected = m.pairs.loc[(m.pairs.row == r) & (m.pairs.treated == 0), "weights"].sum()
    assert m.matched.loc[r, "weights"] == pytest.approx(expected)
    # Nothing at all can be matched: a clear error, not an empty result.
    d = sim.copy()
    d.loc[d.deltagare == 0, "forbund"] = "Uppsala"
    with pytest.raises(EstimationError, match="ingen deltagare kunde matchas"):
        match(d, "deltagare", COVS, exact="forbund")


def test_result_contract(sim):
    m = match(sim, "deltagare", COVS, exact="forbund")
    assert m.table().equals(m.balance())
    assert "Balans" in m.summary() and "<table" in m._repr_html_()
    e = m.effect("arbete_studier")
    assert "ATT" in e.caption and e.table().loc[0, "n_deltagare"] == e.n_treated
    import matplotlib.pyplot as plt

    assert m.plot() is not None and m.overlap_plot() is not None and e.plot() is not None
    plt.close("all")


def test_convergence_problem_named(sim):
    d = sim.copy()
    d["lan"] = np.where((d.deltagare == 0) & (np.arange(len(d)) % 10 == 0), "Västra", "Östra")
    with pytest.warns(RuntimeWarning, match="konvergerade inte.*lan: Östra"):
        m = match(d, "deltagare", [*COVS, "lan"])
    assert any("konvergerade inte" in n for n in m.notes)
