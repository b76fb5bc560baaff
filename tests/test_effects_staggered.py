"""staggered_did(): Callaway & Sant'Anna against csdid, TWFE bias vs CS on known truth, kommun-level use case."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from finsam_eval.effects.did import did
from finsam_eval.effects.staggered import StaggeredResult, simulate_staggered, staggered_did
from finsam_eval.errors import EstimationError


@pytest.fixture(scope="module")
def ref_data() -> pd.DataFrame:
    """The data set the csdid 0.4.3 reference numbers below were computed on."""
    df = simulate_staggered(n_units=600, seed=1)
    df["x"] = np.random.default_rng(0).normal(size=len(df))
    return df


# csdid 0.4.3 (Python port of R did), ATTgt(...).fit(est_method="reg", bstrap=False): (g, t, ATT, analytic SE),
# every fourth cell of summ_attgt(); printed to four decimals.
CSDID = {
    ("never", False): [(3, 1, -0.2039, 0.1606), (3, 5, 3.7212, 0.1476), (3, 9, 7.6794, 0.1474),
                       (5, 4, -0.2668, 0.1679), (5, 8, 2.2243, 0.1573), (7, 3, 0.129, 0.1565), (7, 7, 1.0496, 0.1667)],
    ("never", True): [(3, 1, -0.2053, 0.161), (3, 5, 3.7132, 0.1498), (3, 9, 7.6934, 0.147),
                      (5, 4, -0.2403, 0.168), (5, 8, 2.2217, 0.1581), (7, 3, 0.1302, 0.1562), (7, 7, 1.0476, 0.1671)],
    ("notyet", False): [(3, 1, -0.0958, 0.1366), (3, 5, 3.6959, 0.1274), (3, 9, 7.6794, 0.1474),
                        (5, 4, -0.3113, 0.1512), (5, 8, 2.2243, 0.1573), (7, 3, 0.0145, 0.1392),
                        (7, 7, 1.0496, 0.1667)],
}


@pytest.mark.parametrize("control,cov", list(CSDID))
def test_group_time_effects_match_csdid(ref_data, control, cov):
    res = staggered_did(ref_data, "y", unit="unit", time="period", group="start", control=control,
                        covariates=["x"] if cov else None, est_method="reg", n_boot=99)
    a = res.attgt.set_index(["grupp", "period"])
    se = pd.Series(res.se_analytic, index=a.index)
    assert len(a) == 27
    for g, t, att, s in CSDID[(control, cov)]:
        assert a.loc[(g, t), "estimat"] == pytest.approx(att, abs=6e-5)
        assert se.loc[(g, t)] == pytest.approx(s, abs=6e-5)


def test_aggregations_match_csdid(ref_data):
    res = staggered_did(ref_data, "y", unit="unit", time="period", group="start", n_boot=999, random_state=1)
    # csdid aggte(typec="group"/"simple"/"dynamic", bstrap=False)
    assert res.overall["estimat"] == pytest.approx(2.7872522377061766, abs=1e-10)
    assert res.overall["se_analytic"] == pytest.approx(0.10057634497082772, abs=1e-10)
    assert res.simple["estimat"] == pytest.approx(3.2262021546980666, abs=1e-10)
    assert res.simple["se_analytic"] == pytest.approx(0.10503179474443745, abs=1e-10)
    dyn = [-0.08367354501130347, -0.040787725920909984, -0.07299573607314574, 0.08462526712910604,
           -0.04360499855013496, 0.021833903506405145, 1.307085724946481, 2.0515834441815644, 2.487700939562944,
           3.553505346446719, 4.3776365655448695, 6.735095828060107, 7.679385865424757]
    np.testing.assert_allclose(res.dynamic["estimat"], dyn, atol=1e-10)
    assert res.dynamic["event_time"].tolist() == list(range(-6, 7))
    grp = [4.728920946085275, 1.91871274652025, 1.5123513274000215]
    np.testing.assert_allclose(res.by_group["estimat"], grp, atol=1e-10)
    # The multiplier bootstrap agrees with the analytic standard errors (csdid: 0.1006, 0.1098, 0.1288, 0.1311).
    assert res.overall["se"] == pytest.approx(0.1006, rel=0.15)
    np.testing.assert_allclose(res.by_group["se"], [0.1098, 0.1288, 0.1311], rtol=0.15)


def test_live_against_csdid_if_installed(ref_data):
    att_gt = pytest.importorskip("csdid.att_gt")
    df = ref_data.assign(g=ref_data["start"].fillna(0).astype(int))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = att_gt.ATTgt(yname="y", gname="g", idname="unit", tname="period", data=df,
                           control_group="nevertreated").fit(est_method="reg", bstrap=False)
    theirs = out.summ_attgt().summary2
    ours = staggered_did(ref_data, "y", unit="unit", time="period", group="start", n_boot=49).attgt
    np.testing.assert_allclose(ours["estimat"], theirs["ATT(g, t)"], atol=1e-4)


@pytest.fixture(scope="module")
def hetero():
    return simulate_staggered(n_units=1500, n_periods=10, seed=4)


def test_twfe_is_biased_but_cs_recovers_truth(hetero):
    df = hetero
    post = df[df["period"] >= df["start"]]
    sizes = df.groupby("start")["unit"].nunique()
    truth_overall = float((post.groupby("start")["effect"].mean() * sizes).sum() / sizes.sum())
    truth_simple = float(post["effect"].mean())
    cs = staggered_did(df, "y", unit="unit", time="period", group="start", n_boot=499)
    assert abs(cs.att - truth_overall) < 3 * cs.se
    assert abs(cs.simple["estimat"] - truth_simple) < 3 * cs.simple["se"]
    tw = did(df, "y", unit="unit", time="period", treat="treated", post="start")
    # TWFE lies well below both summaries of the true effects, by many standard errors.
    assert tw.att < truth_overall - 0.5 and tw.att < truth_simple - 0.5
    assert (truth_overall - tw.att) > 5 * tw.se
    assert any("Callaway och Sant'Anna" in n for n in tw.notes)


def test_dynamic_effects_recover_truth_and_pre_periods_are_zero(hetero):
    df = hetero
    cs = staggered_did(df, "y", unit="unit", time="period", group="start", n_boot=499)
    treated = df[df["start"].notna()].assign(e=lambda d: d["period"] - d["start"])
    true_e = treated.groupby("e")["effect"].mean()
    d = cs.dynamic.set_index("event_time")
    for e, row in d.iterrows():
        assert abs(row["estimat"] - true_e.loc[e]) < 4 * row["se"], e
        assert row["ci_lag"] <= true_e.loc[e] <= row["ci_hog"] or e >= 5
    assert (d.loc[d.index < 0, "ci_lag"] < 0).all() and (d.loc[d.index < 0, "ci_hog"] > 0).all()
    # Simultaneous bands are wider than pointwise ones.
    pw = staggered_did(df, "y", unit="unit", time="period", group="start", n_boot=499, cband=False)
    assert ((cs.dynamic["ci_hog"] - cs.dynamic["ci_lag"]) > (pw.dynamic["ci_hog"] - pw.dynamic["ci_lag"])).all()


def test_kommun_level_staggered_adoption():
    """30 kommuner, yearly 2012-2024, joining a förbund in 2015, 2018 or 2021 (eight never join)."""
    rng = np.random.default_rng(12)
    years = np.arange(2012, 2025)
    join = np.array([2015] * 8 + [2018] * 7 + [2021] * 7 + [np.nan] * 8)
    rows = []
    size = rng.integers(5_000, 60_000, 30)
    for k in range(30):
        level = rng.normal(0.30, 0.04)
        for y in years:
            e = y - join[k]
            eff = 0.0 if np.isnan(e) or e < 0 else 0.01 + 0.005 * min(e, 4)
            rows.append({"kommun": f"Kommun {k + 1:02d}", "ar": y, "ar_anslutning": join[k],
                         "andel_arbete": level + 0.002 * (y - 2012) + eff + rng.normal(0, 0.004),
                         "effekt": eff, "invanare": size[k]})
    df = pd.DataFrame(rows)
    res = staggered_did(df, "andel_arbete", unit="kommun", time="ar", group="ar_anslutning", n_boot=999,
                        time_label="År i förhållande till anslutning")
    assert (res.n_treated, res.n_control, res.n_units) == (22, 8, 30)
    post = df[df["ar"] >= df["ar_anslutning"]]
    sizes = df.groupby("ar_anslutning")["kommun"].nunique()
    truth = float((post.groupby("ar_anslutning")["effekt"].mean() * sizes).sum() / sizes.sum())
    assert res.ci[0] <= truth <= res.ci[1]
    assert res.by_group["grupp"].tolist() == [2015, 2018, 2021]
    assert res.table("group")["n_behandlade"].tolist() == [8, 7, 7]
    ax = res.plot()
    assert ax.get_xlabel() == "År i förhållande till anslutning"
    # Not-yet-joined kommuner as extra controls give a similar answer.
    ny = staggered_did(df, "andel_arbete", unit="kommun", time="ar", group="ar_anslutning", control="notyet",
                       n_boot=199)
    assert abs(ny.att - res.att) < 2 * res.se


def test_exclusions_are_counted(hetero):
    df = hetero[hetero["unit"] < 300].copy()
    df.loc[df["unit"] == 5, "start"] = 0.0  # treated from the first period: no pre-period
    df.loc[df["unit"] == 6, "start"] = 50.0  # starts after the panel: never treated
    df = df[~((df["unit"] == 7) & (df["period"] == 4))]  # unbalanced
    df.loc[(df["unit"] == 8) & (df["period"] == 2), "y"] = np.nan  # missing outcome
    res = staggered_did(df, "y", unit="unit", time="period", group="start", n_boot=99)
    assert res.n_units == 300 - 3
    text = " ".join(res.notes)
    assert "behandlade redan i första perioden" in text
    assert "lämna starten tom" in text  # periods start at 0: the note explains R's 0 = never-treated coding
    assert "efter sista perioden" in text
    assert "obalanserad panel" in text
    ex = res.exclusions.table()
    assert ex["antal"].sum() == 10 + 9 + 9 + 1  # always treated, unbalanced unit 7, unit 8 rest, missing y


def test_errors_and_controls():
    df = simulate_staggered(n_units=200, share_never=0.0, seed=2)
    with pytest.raises(EstimationError, match="control='notyet'"):
        staggered_did(df, "y", unit="unit", time="period", group="start")
    res = staggered_did(df, "y", unit="unit", time="period", group="start", control="notyet", n_boot=99)
    assert res.n_control == 0 and np.isfinite(res.att)
    with pytest.raises(EstimationError, match="control="):
        staggered_did(df, "y", unit="unit", time="period", group="start", control="alla")
    with pytest.raises(EstimationError, match="periodvärdena"):
        staggered_did(df.assign(start=df["start"] + 0.5), "y", unit="unit", time="period", group="start",
                      control="notyet")


def test_result_contract_determinism_and_few_clusters(ref_data):
    from finsam_eval.effects.inference import FewClustersWarning

    a = staggered_did(ref_data, "y", unit="unit", time="period", group="start", n_boot=199, random_state=3)
    b = staggered_did(ref_data, "y", unit="unit", time="period", group="start", n_boot=199, random_state=3)
    assert isinstance(a, StaggeredResult)
    assert a.se == b.se and a.dynamic["ci_lag"].equals(b.dynamic["ci_lag"])
    t = a.table()
    assert t["aggregering"].iloc[0] == "totalt (kohortviktat)"
    assert {"startkohort", "tid sedan start"} <= set(t["aggregering"])
    assert "0," in a.summary() and "Callaway" in a.notes[0]
    df = ref_data.assign(forbund=ref_data["unit"] % 3)
    with pytest.warns(FewClustersWarning):
        c = staggered_did(df, "y", unit="unit", time="period", group="start", n_boot=99, cluster="forbund")
    assert c.n_clusters == 3


def test_plots(ref_data, tmp_path):
    res = staggered_did(ref_data, "y", unit="unit", time="period", group="start", n_boot=99)
    ax = res.plot(min_e=-3, max_e=5)
    assert ax.get_ylabel() == "Skattad effekt"
    assert [t.get_text() for t in ax.get_xticklabels()][0] == "\u22123"
    ax.figure.savefig(tmp_path / "dyn.png")
    ax2 = res.plot(kind="group")
    assert [t.get_text() for t in ax2.get_yticklabels()] == ["Start 3", "Start 5", "Start 7"]


@pytest.mark.slow
def test_coverage_overall_ci_and_simultaneous_band():
    """150 seeded panels: the overall 95 % CI covers the truth, and the simultaneous band covers all dynamic
    effects at once, in about 95 % of replications (measured: 97 % and 95 %)."""
    hits, hits_band = [], []
    for s in range(150):
        df = simulate_staggered(n_units=300, n_periods=8, cohorts=(3, 5), seed=20_000 + s)
        res = staggered_did(df, "y", unit="unit", time="period", group="start", n_boot=199, random_state=s)
        post = df[df["period"] >= df["start"]]
        sizes = df.groupby("start")["unit"].nunique()
        truth = (post.groupby("start")["effect"].mean() * sizes).sum() / sizes.sum()
        hits.append(res.ci[0] <= truth <= res.ci[1])
        te = df[df["start"].notna()].assign(e=lambda d: d["period"] - d["start"]).groupby("e")["effect"].mean()
        d = res.dynamic.set_index("event_time")
        hits_band.append(all(d.loc[e, "ci_lag"] <= te[e] <= d.loc[e, "ci_hog"] for e in d.index))
    assert 0.90 <= np.mean(hits) <= 0.99
    assert 0.90 <= np.mean(hits_band) <= 0.99


def test_text_covariate_becomes_dummies(ref_data):
    """A text covariate enters as 0/1 columns for all levels but the first, as R's model.matrix does."""
    df = ref_data.assign(grp=np.where(ref_data["x"] > 0.5, "hög", np.where(ref_data["x"] < -0.5, "låg", "mellan")))
    df["d_lag"] = (df["grp"] == "låg").astype(float)
    df["d_mellan"] = (df["grp"] == "mellan").astype(float)
    a = staggered_did(df, "y", unit="unit", time="period", group="start", covariates=["grp"], bstrap=False,
                      cband=False)
    b = staggered_did(df, "y", unit="unit", time="period", group="start", covariates=["d_lag", "d_mellan"],
                      bstrap=False, cband=False)
    np.testing.assert_allclose(a.attgt["estimat"], b.attgt["estimat"], atol=1e-12)
    np.testing.assert_allclose(a.se_analytic, b.se_analytic, atol=1e-12)
    assert any("'grp' är text" in n for n in a.notes)
