"""DiD, event study and Callaway-Sant'Anna on the bundled sample register, checked against its known truth."""

from __future__ import annotations

import warnings

import pytest

from finsam_eval.effects.did import did
from finsam_eval.effects.event_study import event_study
from finsam_eval.effects.inference import FewClustersWarning
from finsam_eval.effects.staggered import staggered_did

samples = pytest.importorskip("finsam_eval.samples")


@pytest.fixture(scope="module")
def register():
    try:
        panel = samples.load_sample("register")
        truth = samples.load_sample("register_truth")
    except Exception as exc:  # pragma: no cover - sample not generated yet
        pytest.skip(f"sample register missing: {exc}")
    t = truth[(truth["outcome"] == "arbete_studier") & truth["event_time"].isna()].set_index("forbund")["value"]
    return panel, t


def test_twfe_ci_covers_pooled_truth(register):
    panel, truth = register
    res = did(panel, "arbete_studier")
    assert res.n_treated == 1000 and res.n_control == 8000 and res.n_obs == len(panel)
    assert res.ci[0] <= truth["Alla"] <= res.ci[1]


def test_staggered_mean_effect_over_quarters_0_to_8_matches_truth(register):
    panel, truth = register
    res = staggered_did(panel, "arbete_studier", max_e=8, n_boot=299, period_label="kvartal")
    d = res.dynamic_overall
    assert abs(d["estimat"] - truth["Alla"]) < 3 * d["se"]
    assert res.by_group["start"].iloc[0] == "2022K1"


def test_event_study_pretrend_passes_and_few_clusters_warn(register):
    panel, _ = register
    es = event_study(panel, "arbete_studier")
    assert es.pretrend["p_F"] > 0.01
    with pytest.warns(FewClustersWarning):
        did(panel, "arbete_studier", cluster="forbund")
    with warnings.catch_warnings():
        warnings.simplefilter("error", FewClustersWarning)
        w = did(panel, "arbete_studier", cluster="forbund", inference="wild")
    assert w.bootstrap.n_boot == 216 and w.ci[0] < w.att < w.ci[1]
