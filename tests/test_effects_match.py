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
    p1, p0 = man[sim.deltagare == 1].mean(), man[sim.deltagare == 0].mean()  # cobalt: binary variance p(1 - p)
    assert s.loc["kon: man", "smd_fore"] == pytest.approx((p1 - p0) / np.sqrt((p1 * (1 - p1) + p0 * (1 - p0)) / 2))


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


# --------------------------------------------------------------------------- published values on lalonde

LALONDE = pd.read_csv(__import__("pathlib").Path(__file__).parent / "data" / "effects" / "lalonde.csv")
LAL_COVS = ["age", "educ", "race", "married", "nodegree", "re74", "re75"]


def test_cobalt_readme_nearest_neighbour_balance():
    # cobalt 5.0.0, README.md ("Examples"): MatchIt::matchit(treat ~ age + educ + race + married + nodegree + re74
    # + re75, data = lalonde) (1:1 nearest neighbour on the glm propensity score, no caliper, largest first), then
    # bal.tab(m.out, thresholds = c(m = .1), un = TRUE).
    published = {  # variable: (Diff.Un, Diff.Adj, M.Threshold)
        "Propensity score": (1.7941, 0.9739, ""),
        "age": (-0.3094, 0.0718, "balanserad, <0,1"),
        "educ": (0.0550, -0.1290, "ej balanserad, >0,1"),
        "race: black": (0.6404, 0.3730, "ej balanserad, >0,1"),
        "race: hispan": (-0.0827, -0.1568, "ej balanserad, >0,1"),
        "race: white": (-0.5577, -0.2162, "ej balanserad, >0,1"),
        "married": (-0.3236, -0.0216, "balanserad, <0,1"),
        "nodegree": (0.1114, 0.0703, "balanserad, <0,1"),
        "re74": (-0.7211, -0.0505, "balanserad, <0,1"),
        "re75": (-0.2903, -0.0257, "balanserad, <0,1"),
    }
    m = match(LALONDE, "treat", LAL_COVS, distance="ps", caliper=None, unit="id")
    b = m.balance(dict(m=0.1)).set_index("variabel")
    for var, (un, adj, verdict) in published.items():
        assert b.loc[var, "smd_fore"] == pytest.approx(un, abs=5e-5), var
        assert b.loc[var, "smd_efter"] == pytest.approx(adj, abs=5e-5), var
        assert b.loc[var, "m_troskel"] == verdict, var
    # "Balance tally for mean differences": 5 balanced, 4 not; sample sizes 429/185, matched 185/185.
    assert (b["m_troskel"] == "balanserad, <0,1").sum() == 5 and b["obalans"].sum() == 4
    c = m.counts.set_index(["grupp", "status"])["antal"]
    assert (c[("Kontroller", "Totalt")], c[("Deltagare", "Totalt")]) == (429, 185)
    assert (c[("Kontroller", "Matchade")], c[("Deltagare", "Matchade")]) == (185, 185)
    assert c[("Kontroller", "Ej använda: inte närmast någon deltagare")] == 244


def test_matchit_readme_balance_for_all_data():
    # MatchIt 4.7.2, README.md, summary(m.out), "Summary of Balance for All Data": means, Std. Mean Diff.
    # (participants' SD, binaries standardised too), Var. Ratio and eCDF Max (= the KS statistic).
    published = {  # variable: (Means Treated, Means Control, Std. Mean Diff., Var. Ratio, eCDF Max)
        "age": (25.8162, 28.0303, -0.3094, 0.4400, 0.1577),
        "educ": (10.3459, 10.2354, 0.0550, 0.4959, 0.1114),
        "race: black": (0.8432, 0.2028, 1.7615, None, 0.6404),
        "race: hispan": (0.0595, 0.1422, -0.3498, None, 0.0827),
        "race: white": (0.0973, 0.6550, -1.8819, None, 0.5577),
        "married": (0.1892, 0.5128, -0.8263, None, 0.3236),
        "nodegree": (0.7081, 0.5967, 0.2450, None, 0.1114),
        "re74": (2095.5737, 5619.2365, -0.7211, 0.5181, 0.4470),
        "re75": (1532.0553, 2466.4844, -0.2903, 0.9563, 0.2876),
    }
    m = match(LALONDE, "treat", LAL_COVS, distance="ps", caliper=None, unit="id")
    b = m.balance(binary="std").set_index("variabel")
    for var, (mt, mc, smd, vr, ks) in published.items():
        assert b.loc[var, "medel_deltagare_fore"] == pytest.approx(mt, abs=5e-5), var
        assert b.loc[var, "medel_kontroller_fore"] == pytest.approx(mc, abs=5e-5), var
        assert b.loc[var, "smd_fore"] == pytest.approx(smd, abs=5e-5), var
        assert b.loc[var, "ks_fore"] == pytest.approx(ks, abs=5e-5), var
        if vr is None:
            assert np.isnan(b.loc[var, "vr_fore"])
        else:
            assert b.loc[var, "vr_fore"] == pytest.approx(vr, abs=5e-5), var


def test_cobalt_faq_subclassification_ate():
    # cobalt 5.0.0, vignettes/faq.Rmd ("How are balance statistics computed when using subclassification?"):
    # matchit(treat ~ age + educ + race + married + re74, method = "subclass", estimand = "ATE", min.n = 4);
    # the SMD of age in subclass 1 is -1.0433 (pooled SD of the original sample).
    m = match(LALONDE, "treat", ["age", "educ", "race", "married", "re74"], method="subclass", estimand="ATE",
              min_n=4, distance="ps", unit="id")
    s1 = m.matched[m.matched.subclass == 1]
    t, c = LALONDE[LALONDE.treat == 1].age, LALONDE[LALONDE.treat == 0].age
    smd = (s1[s1.treat == 1].age.mean() - s1[s1.treat == 0].age.mean()) / np.sqrt((t.var() + c.var()) / 2)
    assert smd == pytest.approx(-1.0433, abs=5e-5)
    # min_n = 4 moved units so that every subclass has at least four of each group.
    assert pd.crosstab(m.matched.subclass, m.matched.treat).min().min() >= 4
    # MatchIt's subclass weights for the ATE: 1 + n_other / n_own in the subclass, mean 1 per group.
    tab = pd.crosstab(m.matched.subclass, m.matched.treat)
    raw = np.where(m.matched.treat == 1, 1 + (tab[0] / tab[1]).loc[m.matched.subclass].to_numpy(),
                   1 + (tab[1] / tab[0]).loc[m.matched.subclass].to_numpy())
    for g in (0, 1):
        sel = (m.matched.treat == g).to_numpy()
        np.testing.assert_allclose(m.matched.weights.to_numpy()[sel], raw[sel] / raw[sel].mean())


def test_cobalt_bal_compute_mean_abs_smd():
    # cobalt 5.0.0, tests/testthat/test-bal.compute.R: bal.compute(bal.init(lalonde[cov_names], treat, "smd.mean"))
    # = 0.60909674, the mean absolute SMD over the covariates (race split into levels), pooled SD, binaries
    # standardised with p(1 - p).
    from finsam_eval.effects import balance_table
    from finsam_eval.effects.propensity import _design

    X = _design(LALONDE, LAL_COVS, drop_first=False)
    b = balance_table(X, LALONDE.treat.to_numpy() == 1, estimand="ATE", binary="std")
    assert b["smd_fore"].abs().mean() == pytest.approx(0.60909674, abs=5e-9)


# --------------------------------------------------------------------------- estimands, KS, thresholds, SE


@pytest.fixture(scope="module")
def het() -> pd.DataFrame:
    from finsam_eval.effects.match import _simulate_heterogeneous

    return _simulate_heterogeneous(4000, seed=3)


def test_att_atc_ate_recover_their_truths(het):
    truth = het.attrs["truth"]
    assert truth["ATT"] - truth["ATC"] > 1.0  # heterogeneous effects: the estimands really differ
    covs = ["x1", "x2", "grupp"]
    att = match(het, "deltagare", covs, replace=True).effect("y", adjust=True)
    atc = match(het, "deltagare", covs, estimand="ATC", replace=True).effect("y", adjust=True)
    ate = match(het, "deltagare", covs, method="subclass", estimand="ATE").effect("y", adjust=True)
    for e, key in ((att, "ATT"), (atc, "ATC"), (ate, "ATE")):
        assert e.estimand == key
        assert abs(e.att - truth[key]) < 3 * e.se + 0.02, (key, e.att, truth[key], e.se)
        assert key.lower() in e.table().columns and f"({key})" in e.caption
    # Each estimate is far from the other estimands' truths.
    assert abs(att.att - truth["ATC"]) > 10 * att.se and abs(atc.att - truth["ATT"]) > 10 * atc.se


def test_atc_matches_controls_to_participants(het):
    m = match(het, "deltagare", ["x1", "x2"], estimand="ATC", caliper=None)
    assert m.m_order == "smallest"  # MatchIt's default order for the ATC
    p = m.pairs
    focal = p.groupby("subclass").treated.agg(["min", "max", "size"])
    assert (focal["size"] == 2).all() and (focal["min"] == 0).all() and (focal["max"] == 1).all()
    n_c = int((het.deltagare == 0).sum())
    assert m.matched.query("deltagare == 0").shape[0] == min(n_c, int(het.deltagare.sum()))
    c = m.counts.set_index(["grupp", "status"])["antal"]
    assert c.loc["Kontroller"]["Totalt"] == c.loc["Kontroller"].drop("Totalt").sum()
    assert c.loc["Deltagare"]["Totalt"] == c.loc["Deltagare"].drop("Totalt").sum()
    # Standardiser for the ATC: the controls' SD.
    b = m.balance().set_index("variabel")
    x1 = het.x1
    assert b.loc["x1", "smd_fore"] == pytest.approx(
        (x1[het.deltagare == 1].mean() - x1[het.deltagare == 0].mean()) / x1[het.deltagare == 0].std())


def test_nearest_cannot_target_ate(het):
    with pytest.raises(EstimationError, match="method='subclass'"):
        match(het, "deltagare", ["x1"], estimand="ATE")
    from finsam_eval.errors import ConfigError

    with pytest.raises(ConfigError):
        match(het, "deltagare", ["x1"], estimand="ATX")
    with pytest.raises(ConfigError, match="thresholds"):
        match(het, "deltagare", ["x1"], thresholds={"q": 1})
    with pytest.raises(ConfigError, match="exact"):
        match(het, "deltagare", ["x1"], method="subclass", exact="grupp")


def test_thresholds_and_weighted_ks(het):
    m = match(het, "deltagare", ["x1", "x2", "grupp"], caliper=None, thresholds=dict(m=0.1, v=2, ks=0.05))
    b = m.balance().set_index("variabel")
    assert {"m_troskel", "v_troskel", "ks_troskel"} <= set(b.columns)
    vr = b.loc["x1", "vr_efter"]
    assert b.loc["x1", "v_troskel"] == ("balanserad, <2" if max(vr, 1 / vr) < 2 else "ej balanserad, >2")
    assert b.loc["x2", "v_troskel"] == ""  # no variance ratio for a binary variable
    # After 1:1 matching without replacement the weighted KS is the plain two-sample KS of the matched sample.
    mt = m.matched
    ks = stats.ks_2samp(mt[mt.deltagare == 1].x1, mt[mt.deltagare == 0].x1).statistic
    assert b.loc["x1", "ks_efter"] == pytest.approx(ks)
    assert b.loc["x2", "ks_efter"] == pytest.approx(abs(b.loc["x2", "smd_efter"]))
    verdict = "balanserad, <0,05" if b.loc["x1", "ks_efter"] < 0.05 else "ej balanserad, >0,05"
    assert b.loc["x1", "ks_troskel"] == verdict
    assert "KS-statistika" in " ".join(m.notes)


def test_bootstrap_se_is_seeded_and_accounts_for_the_score(het):
    d = het.sample(1200, random_state=0).reset_index(drop=True)
    m = match(d, "deltagare", ["x1", "x2"], caliper=None)
    a = m.effect("y", se="bootstrap", n_boot=40, random_state=7)
    b = m.effect("y", se="bootstrap", n_boot=40, random_state=7)
    assert a.se == b.se and a.se_method == "bootstrap" and len(a.replicates) == 40
    assert a.se == pytest.approx(np.std(a.replicates, ddof=1))
    cl = m.effect("y")
    assert 0.5 < a.se / cl.se < 2.0  # same order as the pair-clustered SE
    assert a.ci_low == pytest.approx(a.att - stats.norm.ppf(0.975) * a.se)
    assert any("Bootstrap" in n for n in a.notes)
    from finsam_eval.errors import ConfigError

    with pytest.raises(ConfigError, match="se="):
        m.effect("y", se="m")


def test_love_plot_with_ks_renders(het, tmp_path):
    import matplotlib.pyplot as plt

    m = match(het, "deltagare", ["x1", "x2", "grupp"], thresholds=dict(m=0.1, ks=0.05))
    fig = m.love_plot(stats=("m", "ks"))
    fig.savefig(tmp_path / "love.png")
    assert len(fig.axes) == 2 and "Kolmogorov" in fig.axes[1].get_xlabel()
    ax = m.love_plot()
    assert "medelvärdesskillnad" in ax.get_xlabel()
    plt.close("all")


def test_collinear_covariates_are_a_clear_error(het):
    d = het.assign(x1_kopia=2 * het.x1 + 1)
    with pytest.raises(EstimationError, match="linjärt beroende"):
        match(d, "deltagare", ["x1", "x1_kopia"])


def test_matchit_readme_mahalanobis_with_replacement():
    # MatchIt 4.7.2, README.md: matchit(treat ~ age + educ + race + married + nodegree + re74 + re75,
    # data = lalonde, distance = "mahalanobis", replace = TRUE); summary(m.out), "Summary of Balance for Matched
    # Data": Means Control and Std. Mean Diff. of every covariate.
    published = {  # variable: (Means Control, Std. Mean Diff.)
        "age": (25.5405, 0.0385), "educ": (10.4270, -0.0403), "race: black": (0.8432, 0.0),
        "race: hispan": (0.0595, 0.0), "race: white": (0.0973, 0.0), "married": (0.1784, 0.0276),
        "nodegree": (0.7081, 0.0), "re74": (1788.6941, 0.0628), "re75": (1087.7420, 0.1380),
    }
    m = match(LALONDE, "treat", LAL_COVS, distance="mahalanobis", replace=True, caliper=None, unit="id")
    b = m.balance(binary="std").set_index("variabel")
    assert "Propensity score" not in b.index
    for var, (mc, smd) in published.items():
        assert b.loc[var, "medel_kontroller_efter"] == pytest.approx(mc, abs=5e-5), var
        assert b.loc[var, "smd_efter"] == pytest.approx(smd, abs=5e-5), var
    # Not equal: MatchIt prints 79 matched controls (ESS 34.19) and variance ratios 0.6531, 1.1649, 1.5707,
    # 2.1244. 23 participants have two controls with identical covariates at the same distance; which one is
    # taken changes how the weights spread (so ESS and weighted variances), not the means. We take one of each tie.
    assert m.sample_sizes().iloc[2, 0] == 76
    with pytest.raises(__import__("finsam_eval").errors.ConfigError, match="replace=True"):
        match(LALONDE, "treat", LAL_COVS, distance="mahalanobis", unit="id")
