"""compare_forbund: per-förbund estimates, pooled row, Cochran's Q against a hand computation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from finsam_eval.effects.compare import compare_forbund, heterogeneity
from finsam_eval.effects.match import _simulate, match
from finsam_eval.errors import MissingColumnError

COVS = ["alder", "kon", "utbildning"]


@pytest.fixture(scope="module")
def sim() -> pd.DataFrame:
    truth = {"Botkyrka": 0.0, "Huddinge": 0.15, "Södertälje": 0.3}
    d = _simulate(9000, effect=truth, share=0.1, seed=21)
    d.attrs["truth"] = truth
    return d


def test_heterogeneity_by_hand():
    est, se = np.array([0.1, 0.02, 0.15]), np.array([0.03, 0.04, 0.05])
    w = 1 / se**2
    fixed = (w * est).sum() / w.sum()
    q = (w * (est - fixed) ** 2).sum()
    h = heterogeneity(est, se)
    assert h["Q"] == pytest.approx(q)
    assert h["p"] == pytest.approx(stats.chi2.sf(q, 2))
    assert h["I2"] == pytest.approx((q - 2) / q)
    assert heterogeneity([0.1, 0.1], [0.1, 0.2])["I2"] == 0.0


def test_compare_forbund_match(sim):
    c = compare_forbund(sim, "arbete_studier", covariates=COVS, exact="kon")
    t = c.estimates.set_index("grupp")
    assert list(t.index) == ["Botkyrka", "Huddinge", "Södertälje", "Alla"]
    # Each förbund row equals a direct match within that förbund.
    sub = sim[sim.forbund == "Huddinge"]
    direct = match(sub, "deltagare", COVS, exact=["kon"]).effect("arbete_studier")
    assert t.loc["Huddinge", "att"] == pytest.approx(direct.att)
    assert t.loc["Huddinge", "n_deltagare"] == direct.n_treated
    # The pooled row matches within förbund (exact on forbund added).
    pooled = match(sim, "deltagare", COVS, exact=["forbund", "kon"]).effect("arbete_studier")
    assert t.loc["Alla", "att"] == pytest.approx(pooled.att)
    # Q recomputed from the rows; heterogeneity is real here.
    h = heterogeneity(t.att.iloc[:3], t.se.iloc[:3])
    assert c.Q == pytest.approx(h["Q"]) and c.Q_df == 2
    assert c.Q_p < 0.05
    # Estimates near the per-förbund truth (wide band: a few hundred participants each).
    for g, v in sim.attrs["truth"].items():
        assert abs(t.loc[g, "att"] - v) < 3 * t.loc[g, "se"]
    assert "Cochrans Q" in c.caption


def test_compare_forbund_callable_and_errors(sim):
    def diff_means(sub, outcome):
        class R:
            pass

        r = R()
        y1, y0 = sub.loc[sub.deltagare == 1, outcome], sub.loc[sub.deltagare == 0, outcome]
        r.att = y1.mean() - y0.mean()
        r.se = np.sqrt(y1.var() / len(y1) + y0.var() / len(y0))
        r.ci = (r.att - 1.96 * r.se, r.att + 1.96 * r.se)
        r.pvalue, r.n_treated, r.n_control = 0.5, len(y1), len(y0)
        return r

    c = compare_forbund(sim, "arbete_studier", estimator=diff_means)
    s = sim[sim.forbund == "Botkyrka"]
    expected = s[s.deltagare == 1].arbete_studier.mean() - s[s.deltagare == 0].arbete_studier.mean()
    assert c.estimates.set_index("grupp").loc["Botkyrka", "att"] == pytest.approx(expected)
    with pytest.raises(MissingColumnError):
        compare_forbund(sim, "arbete_studier", by="lan", covariates=COVS)
    with pytest.raises(ValueError, match="covariates"):
        compare_forbund(sim, "arbete_studier")


def test_compare_forbund_did():
    from finsam_eval.effects.did import did, simulate_panel

    panel = simulate_panel(300, 8, effect=0.5, start=4, seed=1)
    panel["forbund"] = np.array(["Botkyrka", "Huddinge", "Södertälje"])[panel.person_id.to_numpy() % 3]
    c = compare_forbund(panel, "y", estimator="did")
    t = c.estimates.set_index("grupp")
    assert list(t.index) == ["Botkyrka", "Huddinge", "Södertälje", "Alla"]
    direct = did(panel[panel.forbund == "Huddinge"], "y")
    assert t.loc["Huddinge", "att"] == pytest.approx(direct.att)
    assert t.loc["Huddinge", "ki_nedre"] == pytest.approx(direct.ci[0])
    assert t.loc["Alla", "att"] == pytest.approx(did(panel, "y").att)
    assert abs(t.loc["Alla", "att"] - 0.5) < 4 * t.loc["Alla", "se"]


def test_compare_forbund_difference_in_means_needs_no_covariates():
    # a randomised experiment per förbund: the plain difference in means is the effect (issue 12)
    rng = np.random.default_rng(5)
    truth = {"Botkyrka": 0.0, "Huddinge": 2.0, "Södertälje": 4.0}
    rows = []
    for f, eff in truth.items():
        d = rng.integers(0, 2, 1500)
        rows.append(pd.DataFrame({"forbund": f, "deltagare": d, "inkomst": 20 + eff * d + rng.normal(0, 5, 1500)}))
    data = pd.concat(rows, ignore_index=True)
    c = compare_forbund(data, "inkomst", estimator="difference_in_means")
    est = c.estimates.set_index("grupp")
    for f, eff in truth.items():
        sub = data[data.forbund == f]
        a, b = sub.loc[sub.deltagare == 1, "inkomst"], sub.loc[sub.deltagare == 0, "inkomst"]
        ref = stats.ttest_ind(a, b, equal_var=False)
        assert est.loc[f, "att"] == pytest.approx(a.mean() - b.mean(), abs=1e-12)
        assert est.loc[f, "p"] == pytest.approx(ref.pvalue, abs=1e-12)
        assert est.loc[f, "ki_nedre"] < eff < est.loc[f, "ki_ovre"]
        assert est.loc[f, "n_deltagare"] == len(a)
    assert c.Q_p < 0.001  # the effects differ by construction
    assert "Alla" in est.index


def test_pooled_note_gives_the_participant_weighted_mean_of_the_forbund_estimates():
    import pandas as pd

    from finsam_eval.effects.compare import ForbundComparison

    est = pd.DataFrame({"grupp": ["A", "B", "Alla"], "att": [0.02, 0.08, 0.07], "se": [0.01, 0.01, 0.007],
                        "ki_nedre": [0, 0.06, 0.056], "ki_ovre": [0.04, 0.1, 0.084], "p": [0.05, 0.001, 0.001],
                        "n_deltagare": [100, 300, 400], "n_kontroller": [100, 300, 400]})
    note = ForbundComparison("y", "forbund", "matchning", est, {}).notes[-1]
    # (100 * 0,02 + 300 * 0,08) / 400 = 0,065
    assert "0,065" in note and note.startswith("Alla:")
