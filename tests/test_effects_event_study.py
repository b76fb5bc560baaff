"""event_study(): coefficients and pre-trend test against statsmodels; known dynamic effects; figure."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from scipy import stats

from finsam_eval.effects.event_study import EventStudyResult, event_study


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
    assert any("staggered_did" in n for n in res.notes)
    assert "F(" in res.caption


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
    with pytest.raises(ValueError, match="ref"):
        event_study(panel, "y", leads=2, ref=-5)
