"""event_study(): coefficients and pre-trend test against statsmodels; known dynamic effects; figure."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from scipy import stats

from finsam_eval.effects.event_study import EventStudyResult, event_study
from finsam_eval.errors import EstimationError, SchemaError


def simulate(n=1500, T=20, seed=0, pretrend=0.0, share=0.3):
    """Staggered starts 7..12; effect 0.05 + 0.02 min(e, 8) from start; optional linear pre-trend for treated."""
    rng = np.random.default_rng(seed)
    u = np.repeat(np.arange(n), T)
    t = np.tile(np.arange(T), n)
    tr = rng.random(n) < share
    st = np.where(tr, rng.integers(7, 13, n), np.nan)
    e = t - st[u]
    eff = np.where(tr[u] & (e >= 0), 0.05 + 0.02 * np.minimum(np.nan_to_num(e), 8), 0.0)
    y = rng.normal(0, 1, n)[u] + 0.01 * t + eff + np.where(tr[u], pretrend * t, 0.0) + rng.normal(0, 0.3, len(u))
    return pd.DataFrame({"person_id": u, "period": t, "deltagare": tr[u].astype(int), "start_period": st[u],
                         "kommun": (u % 40), "y": y})


def truth(k):
    return 0.0 if k < 0 else 0.05 + 0.02 * min(k, 8)


@pytest.fixture(scope="module")
def panel():
    return simulate()


def test_matches_statsmodels_dummies_and_wald(panel):
    df = panel[panel["person_id"] < 120].copy()
    res = event_study(df, "y", leads=3, lags=4, cluster="kommun", ssc="dummies")
    e = (df["period"] - df["start_period"]).clip(-3, 4)
    names = []
    for k in [-3, -2, 0, 1, 2, 3, 4]:
        nm = f"e_{'m' if k < 0 else 'p'}{abs(k)}"
        df[nm] = ((df["deltagare"] == 1) & (e == k)).astype(float)
        names.append(nm)
    m = smf.ols("y ~ " + " + ".join(names) + " + C(person_id) + C(period)", df).fit(
        cov_type="cluster", cov_kwds={"groups": df["kommun"]}, use_t=True)
    c = res.coefficients.set_index("event_time")
    for k, nm in zip([-3, -2, 0, 1, 2, 3, 4], names):
        assert c.loc[k, "estimat"] == pytest.approx(m.params[nm], abs=1e-10)
        assert c.loc[k, "se"] == pytest.approx(m.bse[nm], abs=1e-10)
        assert c.loc[k, "p"] == pytest.approx(m.pvalues[nm], abs=1e-10)
    assert c.loc[-1, "estimat"] == 0 and np.isnan(c.loc[-1, "se"])
    b = m.params[names[:2]].to_numpy()
    V = m.cov_params().loc[names[:2], names[:2]].to_numpy()
    wald = float(b @ np.linalg.solve(V, b))
    assert res.pretrend["wald"] == pytest.approx(wald, rel=1e-9)
    assert res.pretrend["p_F"] == pytest.approx(stats.f.sf(wald / 2, 2, res.n_clusters - 1), rel=1e-9)
    assert res.pretrend["leads"] == [-3, -2]


def test_recovers_dynamic_effects_and_flat_pre_period(panel):
    res = event_study(panel, "y")
    assert isinstance(res, EventStudyResult)
    c = res.coefficients.set_index("event_time")
    assert list(c.index) == list(range(-4, 9))
    for k, row in c.drop(index=-1).iterrows():
        assert abs(row["estimat"] - truth(k)) < 4 * row["se"], (k, row["estimat"])
    assert c.loc[8, "estimat"] == pytest.approx(0.21, abs=0.04)
    assert res.pretrend["p_F"] > 0.05


def test_pretrend_violation_is_detected():
    res = event_study(simulate(seed=3, pretrend=0.02), "y")
    assert res.pretrend["p_F"] < 0.001
    assert "Förtrendtest" in res.notes[1] or "förperioder" in res.notes[1]


def test_endpoints_are_binned(panel):
    res = event_study(panel, "y", leads=2, lags=3)
    t = res.table()
    assert t["event_time"].tolist() == [-2, -1, 0, 1, 2, 3]
    # The lower bin holds every participant (all have at least two quarters before start).
    assert t.loc[t["event_time"] == -2, "n_deltagare"].iloc[0] == res.n_treated


def test_notes_and_few_cluster_warning(panel):
    from finsam_eval.effects.inference import FewClustersWarning

    df = panel.assign(forbund=panel["person_id"] % 3)
    with pytest.warns(FewClustersWarning):
        res = event_study(df, "y", cluster="forbund")
    assert any("Varning" in n for n in res.notes)
    assert any("Callaway och Sant'Anna" in n for n in res.notes)
    # Three clusters cannot test four leads: the caption says so instead of printing "F(4, 2) = , p = ."
    assert np.isnan(res.pretrend["F"])
    assert "kunde inte beräknas" in res.caption and "= ," not in res.caption
    for text in (res.summary(), res.caption, " ".join(res.notes)):
        assert "= ," not in text and "p = ." not in text and "nan" not in text.lower()
    ok = event_study(panel, "y", cluster="kommun")
    assert "F(3, 39) = " in ok.caption


def test_plot_has_swedish_labels_and_reference_line(panel, tmp_path):
    res = event_study(panel, "y")
    ax = res.plot()
    assert ax.get_xlabel() == "Kvartal i förhållande till start"
    assert ax.get_ylabel() == "Skattad effekt"
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert any("," in lbl for lbl in labels) and not any("." in lbl for lbl in labels)
    assert any(line.get_linestyle() == "--" and line.get_xdata()[0] == -0.5 for line in ax.get_lines())
    ax.figure.savefig(tmp_path / "es.png")
    text = " ".join(t.get_text() for t in ax.figure.texts)
    assert "deltagare" in text and "n\u00a0=" in text


def test_bad_reference_period(panel):
    with pytest.raises(EstimationError, match="ref"):
        event_study(panel, "y", leads=2, ref=-5)


# pyfixest 0.60.0, feols("dins ~ i(year, D, ref=2013) | stfips + year", vcov={"CRV1": "stfips"}) with its default
# ssc (= fixest ssc(adj=TRUE, fixef.K="nested", cluster.adj=TRUE); fixest issue #554), on the HonestDiD README's
# Medicaid example (the README runs the same fixest call but prints no coefficient table). Years 2008-2012, 2014, 2015.
FIXEST_COEF = [-0.0052853424242426394, -0.011297318398268585, -0.002675975541125748, -0.0014193119047621002,
               0.0003396774891772812, 0.046446864502164245, 0.06920618030303]
FIXEST_SE = [0.008653603128408039, 0.008524376259147691, 0.007107777939979219, 0.006327101848003946,
             0.007390984634731939, 0.009151870862570216, 0.010350052247673132]
FIXEST_V_POST = [[8.37567402851617e-05, 6.32140330338879e-05], [6.321403303388793e-05, 0.00010712358152956365]]


@pytest.fixture(scope="module")
def medicaid():
    """ehec_data (Mixtape-Sessions/Advanced-DID, used by the HonestDiD README): years < 2016, the 2015 cohort
    dropped, D = expanded in 2014."""
    df = pd.read_csv(Path(__file__).parent / "data" / "effects" / "ehec_data.csv")
    d = df[(df["year"] < 2016) & (df["yexp2"].isna() | (df["yexp2"] != 2015))].copy()
    d["D"] = (d["yexp2"] == 2014).astype(int)
    d["start"] = np.where(d["D"] == 1, 2014.0, np.nan)
    return d


def test_medicaid_event_study_matches_fixest(medicaid):
    es = event_study(medicaid, "dins", unit="stfips", time="year", treat="D", treat_start="start", leads=6, lags=1,
                     cluster="stfips", time_label="År i förhållande till start")
    c = es.coefficients.set_index("event_time").drop(index=-1)
    assert c.index.tolist() == [-6, -5, -4, -3, -2, 0, 1]
    assert (es.n_obs, es.n_clusters, es.n_treated) == (344, 43, 22)
    np.testing.assert_allclose(c["estimat"], FIXEST_COEF, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(c["se"], FIXEST_SE, rtol=1e-10)
    np.testing.assert_allclose(es.vcov[5:, 5:], FIXEST_V_POST, rtol=1e-10)
    # The previous count (K one lower) made the variance (N-1)/(N-K) 0,30 % smaller than fixest's.
    n, k = 344, 7 + 8
    assert (n - 1) / (n - k) / ((n - 1) / (n - k + 1)) == pytest.approx(1.0030, abs=5e-5)


def test_scale_mismatch_is_a_clear_error(panel):
    """Start as a year against a quarter index, or starts outside every observed period: SchemaError that names
    both columns and the fix, never "F(3, 8999) = , p = ."."""
    df = panel.assign(start_period=np.where(panel["deltagare"] == 1, 2021.0, np.nan))
    with pytest.raises(SchemaError, match="olika skalor") as err:
        event_study(df, "y")
    assert "'start_period'" in str(err.value) and "'period'" in str(err.value)
    # Months against quarters: every participant "starts" in the first third of the panel, none observed before.
    q = panel.assign(start_period=np.where(panel["deltagare"] == 1, 0.0, np.nan))
    with pytest.raises(SchemaError, match="före start"):
        event_study(q, "y")
    # Months (600..) against a quarter index (200..), and "2021K3" text: errors naming the fix.
    months = panel.assign(period=panel["period"] * 3 + 600, start_period=panel["start_period"] + 200)
    with pytest.raises(SchemaError, match="olika skalor"):
        event_study(months, "y")
    text = panel.assign(period=(2018 + panel["period"] // 4).astype(str) + "K" + (panel["period"] % 4 + 1).astype(str))
    with pytest.raises(SchemaError, match="parse_period"):
        event_study(text, "y")
    none = panel.assign(deltagare=0, start_period=np.nan)
    with pytest.raises(EstimationError, match="deltagare"):
        event_study(none, "y")


def test_empty_event_times_are_dropped_with_a_note(panel):
    res = event_study(panel, "y", leads=3, lags=30)
    assert res.table()["event_time"].max() < 30
    assert any("saknar deltagare" in n for n in res.notes)
    assert np.isfinite(res.pretrend["F"])


def test_medicaid_event_study_reproduces_honestdid_readme_intervals(medicaid):
    """End to end: the library's event study fed to honest_did gives the HonestDiD README's printed smoothness
    intervals (createSensitivityResults, Mvec = 0, 0.01, ..., 0.05; HonestDiD 0.2.8 README.md), which rest on
    fixest's coefficients and covariance."""
    from finsam_eval.effects.honest import honest_did

    es = event_study(medicaid, "dins", unit="stfips", time="year", treat="D", treat_start="start", leads=6, lags=1,
                     cluster="stfips")
    h = honest_did(es, M=np.arange(0, 0.051, 0.01), folded_quantile="R").table()
    flci = h[h["metod"] == "FLCI"]
    readme = ["0.0259 0.0607", "0.0132 0.0787", "0.00286 0.0907", "-0.00714 0.101", "-0.0171 0.111",
              "-0.0271 0.121"]
    assert len(flci) == 6
    for printed, (_, row) in zip(readme, flci.iterrows()):
        for txt, val in zip(printed.split(), (row["ci_lag"], row["ci_hog"])):
            half_unit = 0.5 * 10.0 ** -len(txt.split(".")[1])  # R prints 3 significant digits
            assert abs(val - float(txt)) <= half_unit + 2e-6, (txt, val)

