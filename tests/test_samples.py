"""Tests for the simulated sample data (finsam_eval.samples: survey, register, load_sample)."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from finsam_eval.errors import FinsamError
from finsam_eval.samples import _SPECS, SAMPLE_NAMES, _io, list_samples, load_sample, write_samples
from finsam_eval.samples.register import make_register, quarter_labels
from finsam_eval.samples.survey import JA_ABSOLUT4, STAMMER5, make_survey

REPO_DATA = Path(__file__).resolve().parents[1] / "data_samples"
ITEMS_S = [f"s{i:02d}" for i in range(1, 11)]


@pytest.fixture(scope="module")
def survey():
    return make_survey()


@pytest.fixture(scope="module")
def register():
    return make_register(return_truth=True)


def _norm(s: pd.Series) -> pd.Series:
    return s.map(lambda v: " ".join(v.split()).lower() if isinstance(v, str) else v)


# ---------------------------------------------------------------- determinism


def test_survey_same_seed_same_frames(survey):
    again = make_survey(seed=2025)
    for name, df in survey.items():
        pd.testing.assert_frame_equal(df, again[name])


def test_survey_other_seed_differs(survey):
    other = make_survey(seed=7)
    assert not other["survey_samverkan"].equals(survey["survey_samverkan"])
    # The item texts do not depend on the seed.
    pd.testing.assert_frame_equal(other["survey_items"], survey["survey_items"])


def test_register_deterministic():
    a, ta = make_register(seed=11, n_participants=60, n_controls=200, return_truth=True)
    b, tb = make_register(seed=11, n_participants=60, n_controls=200, return_truth=True)
    c = make_register(seed=12, n_participants=60, n_controls=200)
    pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_frame_equal(ta, tb)
    assert not a.equals(c)


# ---------------------------------------------------------------- files


def test_committed_files_match_generator(tmp_path):
    written = write_samples(tmp_path)
    names = {p.name for p in written}
    assert {"enkat_samverkan.csv", "register.csv.gz", "register_sanning.csv", "README.md"} <= names
    for path in written:
        committed = REPO_DATA / path.name
        assert committed.is_file(), f"{path.name} saknas i data_samples/; kör write_samples()"
        assert committed.read_bytes() == path.read_bytes(), f"data_samples/{path.name} har glidit från generatorn"


@pytest.mark.parametrize("name", [n for n in SAMPLE_NAMES if n != "register"])
def test_file_and_memory_give_same_frame(name):
    spec = _SPECS[name]
    from_file = _io.read_file(REPO_DATA / spec.file, spec.schema, spec.encoding, name)
    from finsam_eval.samples import _generate

    pd.testing.assert_frame_equal(from_file, _generate(name))
    pd.testing.assert_frame_equal(load_sample(name), from_file)


def test_register_file_equals_generator(register):
    panel, truth = register
    loaded = load_sample("register")
    pd.testing.assert_frame_equal(loaded, panel)
    pd.testing.assert_frame_equal(load_sample("register_truth"), truth)


def test_excerpts_load_equals_make_excerpts():
    from finsam_eval.samples.excerpts import make_excerpts

    loaded = load_sample("excerpts")
    made = make_excerpts()
    pd.testing.assert_frame_equal(loaded, made)
    assert isinstance(loaded["codes_a"].iloc[0], list)


def test_encodings_as_documented():
    raw = (REPO_DATA / "enkat_samverkan.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    raw_d = (REPO_DATA / "enkat_deltagare.csv").read_bytes()
    assert not raw_d.startswith(b"\xef\xbb\xbf")
    with pytest.raises(UnicodeDecodeError):
        raw_d.decode("utf-8")
    assert "särskilt" in raw_d.decode("cp1252")


def test_load_sample_returns_copy_and_rejects_unknown():
    a = load_sample("survey_items")
    a.loc[0, "text"] = "ändrad"
    assert load_sample("survey_items").loc[0, "text"] != "ändrad"
    with pytest.raises(FinsamError, match="Okänt exempeldataset 'enkat'"):
        load_sample("enkat")


def test_list_samples():
    ls = list_samples()
    assert list(ls.columns) == ["name", "file", "rows", "columns", "description"]
    assert set(ls["name"]) == set(SAMPLE_NAMES)
    assert ls.set_index("name").loc["register", "rows"] == 216_000
    assert ls["description"].str.len().min() > 30


# ---------------------------------------------------------------- survey content


def test_survey_sizes_and_schema(survey):
    sv, dt = survey["survey_samverkan"], survey["survey_deltagare"]
    assert 800 <= len(sv) <= 1000
    assert 500 <= len(dt) <= 700
    assert list(sv.columns) == ["respondent_id", "forbund", "ar", "respondentgrupp", "kon"] + ITEMS_S
    assert set(sv["respondentgrupp"]) == {"insatspersonal", "styrelse", "chefer", "remittenter"}
    assert set(dt["respondentgrupp"]) == {"deltagare"}
    assert set(sv["forbund"]) == {"Botkyrka", "Huddinge", "Södertälje", "Östra Södertörn", "Uppsala"}
    assert set(sv["ar"]) == {2023, 2024, 2025}
    assert set(sv["kon"]) <= {"Kvinna", "Man", "Annat/vill ej svara"}
    assert sv["respondent_id"].is_unique and dt["respondent_id"].is_unique
    assert sv["ar"].dtype == np.int64
    items = survey["survey_items"]
    assert set(items["item"]) == set(ITEMS_S) | set(dt.columns[5:])
    assert items["reverse"].dtype == bool


def test_styrelse_small(survey):
    sv = survey["survey_samverkan"]
    n = sv[sv["respondentgrupp"] == "styrelse"].groupby(["forbund", "ar"]).size()
    assert len(n) == 15
    assert n.between(10, 20).all()


def test_labels_valid_after_normalising(survey):
    sv, dt = survey["survey_samverkan"], survey["survey_deltagare"]
    ok5 = {x.lower() for x in STAMMER5} | {"vet ej"}
    ok4 = {x.lower() for x in JA_ABSOLUT4} | {"vet ej", "ja absolut", "ja ganska"}
    v5 = set(pd.unique(_norm(sv[ITEMS_S]).stack().dropna()))
    v4 = set(pd.unique(_norm(dt[[c for c in dt.columns if c.startswith("d0") and "d08" not in c]]).stack().dropna()))
    assert v5 == ok5
    assert v4 <= ok4
    raw = set(pd.unique(sv[ITEMS_S].stack().dropna())) | set(pd.unique(dt.iloc[:, 5:13].stack().dropna()))
    for variant in ["stämmer helt", "Stämmer  helt ", "STÄMMER DELVIS", "Ja absolut"]:
        assert variant in raw


def test_missing_and_vet_ej_rates(survey):
    sv = survey["survey_samverkan"]
    answers = sv[ITEMS_S]
    assert 0.02 < answers.isna().to_numpy().mean() < 0.04
    vet = _norm(answers) == "vet ej"
    assert 0.035 < vet.to_numpy().mean() < 0.08
    by_group = vet.mean(axis=1).groupby(sv["respondentgrupp"]).mean()
    assert by_group.idxmax() == "remittenter"


def test_cronbach_alpha_samverkan(survey):
    sv = survey["survey_samverkan"]
    codes = {label.lower(): i + 1 for i, label in enumerate(STAMMER5)}
    x = pd.DataFrame({c: _norm(sv[c]).map(codes) for c in ITEMS_S})
    x["s09"] = 6 - x["s09"]
    x = x.dropna()
    k = x.shape[1]
    alpha = k / (k - 1) * (1 - x.var(ddof=1).sum() / x.sum(axis=1).var(ddof=1))
    assert 0.75 < alpha < 0.88
    # The negatively worded item correlates negatively with the others before reversing.
    assert (6 - x["s09"]).corr(x["s01"]) < -0.1


def test_improvement_over_years_and_forbund_differences(survey):
    sv = survey["survey_samverkan"]
    codes = {label.lower(): i + 1 for i, label in enumerate(STAMMER5)}
    x = pd.DataFrame({c: _norm(sv[c]).map(codes) for c in ITEMS_S if c != "s09"}).mean(axis=1)
    by_year = x.groupby(sv["ar"]).mean()
    assert by_year[2025] > by_year[2023]
    by_f = x.groupby(sv["forbund"]).mean()
    assert by_f["Huddinge"] < by_f["Södertälje"]


def test_before_after_pair(survey):
    dt = survey["survey_deltagare"]
    order = {label.lower(): i + 1 for i, label in enumerate(JA_ABSOLUT4)} | {"ja absolut": 4, "ja ganska": 3}
    fore, efter = _norm(dt["d07_fore"]).map(order), _norm(dt["d07_efter"]).map(order)
    both = fore.notna() & efter.notna()
    assert both.sum() > 400
    assert (efter[both] - fore[both]).mean() > 0.3
    d8 = dt[["d08_fore", "d08_efter"]].dropna()
    assert d8.isin(range(1, 7)).all().all()
    assert 2.5 < d8["d08_fore"].mean() < 3.5 and 3.8 < d8["d08_efter"].mean() < 4.7


def test_response_rates_at_most_one(survey):
    pop = survey["survey_population"]
    n = (
        pd.concat([survey["survey_samverkan"], survey["survey_deltagare"]])
        .groupby(["forbund", "ar", "respondentgrupp"])
        .size()
    )
    merged = pop.set_index(["forbund", "ar", "respondentgrupp"]).join(n.rename("n"), how="outer")
    assert merged.notna().all().all()
    rate = merged["n"] / merged["population"]
    assert (rate <= 1).all() and (rate > 0.3).all()
    assert len(pop) == 5 * 3 * 5


# ---------------------------------------------------------------- register content


def test_register_shape_and_schema(register):
    panel, truth = register
    assert panel.shape == (216_000, 17)
    assert panel["person_id"].nunique() == 9000
    assert panel.groupby("person_id").size().eq(24).all()
    assert panel["person_id"].str.fullmatch(r"L\d{7}").all()
    assert panel.groupby("person_id")["deltagare"].first().sum() == 1000
    assert list(panel["kvartal"].iloc[:24]) == quarter_labels()
    part = panel[panel["deltagare"] == 1]
    ctrl = panel[panel["deltagare"] == 0]
    assert part["start_period"].between(8, 15).all()
    assert ctrl["start_period"].isna().all() and ctrl["event_time"].isna().all() and ctrl["insats"].isna().all()
    assert (part["event_time"] == part["period"] - part["start_period"]).all()
    assert part["insats"].notna().all()
    assert set(panel["arbete_studier"]) == {0, 1}
    assert panel["sjukpenningdagar"].between(0, 92).all()
    assert (panel["forsorjningsstod_kr"] >= 0).all()
    assert set(panel.loc[panel["forbund"] == "Södertälje", "kommun"]) == {"Södertälje", "Nykvarn"}
    for col in [
        "deltagare",
        "period",
        "alder",
        "manader_stod",
        "arbete_studier",
        "sjukpenningdagar",
        "forsorjningsstod_kr",
    ]:
        assert panel[col].dtype == np.int64, col
    assert panel["start_period"].dtype == np.float64


def test_selection_on_observables(register):
    panel, _ = register
    base = panel[panel["period"] == 0]
    means = base.groupby("deltagare")[["alder", "manader_stod"]].mean()
    assert means.loc[1, "alder"] < means.loc[0, "alder"] - 2
    assert means.loc[1, "manader_stod"] > means.loc[0, "manader_stod"] + 2
    fs = base.groupby("deltagare")["forsorjning_fore"].apply(lambda s: (s == "Försörjningsstöd").mean())
    assert fs[1] > fs[0] + 0.1
    pre = panel[panel["period"] < 8].groupby("deltagare")["arbete_studier"].mean()
    assert pre[1] < pre[0] - 0.05


def _did_and_naive(panel: pd.DataFrame, forbund: str | None, outcome: str) -> tuple[float, float]:
    """Per-participant DiD against the förbund's control mean in the same quarter (event_time -8..-1 vs 0..8)."""
    d = panel if forbund is None else panel[panel["forbund"] == forbund]
    ctrl_mean = d[d["deltagare"] == 0].groupby(["forbund", "period"])[outcome].mean()
    part = d[d["deltagare"] == 1].copy()
    part["dev"] = part[outcome] - ctrl_mean.reindex(pd.MultiIndex.from_frame(part[["forbund", "period"]])).to_numpy()
    post = part[part["event_time"].between(0, 8)]
    pre = part[part["event_time"].between(-8, -1)]
    did = (post.groupby("person_id")["dev"].mean() - pre.groupby("person_id")["dev"].mean()).mean()
    naive = post["dev"].mean()  # participants after start vs non-participants in the same quarters
    return float(did), float(naive)


def _truth(truth: pd.DataFrame, forbund: str, outcome: str) -> float:
    row = truth[
        (truth["forbund"] == forbund) & (truth["outcome"] == outcome) & (truth["estimand"] == "ATT, medel efter start")
    ]
    assert len(row) == 1
    return float(row["value"].iloc[0])


@pytest.mark.parametrize("forbund, tol", [(None, 0.015), ("Botkyrka", 0.03), ("Södertälje", 0.03)])
def test_did_recovers_truth_naive_is_biased(register, forbund, tol):
    panel, truth = register
    did, naive = _did_and_naive(panel, forbund, "arbete_studier")
    true = _truth(truth, forbund or "Alla", "arbete_studier")
    assert true > 0.03
    assert abs(did - true) < tol
    assert naive < true - 0.08


def test_did_pooled_other_outcomes(register):
    panel, truth = register
    did, naive = _did_and_naive(panel, None, "forsorjningsstod_kr")
    true = _truth(truth, "Alla", "forsorjningsstod_kr")
    assert true < -500 and abs(did - true) < 300
    assert naive > 0  # participants get more social assistance than controls despite the effect
    did_s, _ = _did_and_naive(panel, None, "sjukpenningdagar")
    true_s = _truth(truth, "Alla", "sjukpenningdagar")
    assert true_s < -0.5 and abs(did_s - true_s) < 0.5


def test_truth_table(register):
    _, truth = register
    et = truth[truth["estimand"] == "ATT per event_time"]
    assert set(et["event_time"]) == set(range(-8, 9))
    assert (et.loc[et["event_time"] < 0, "value"] == 0).all()
    # The event-time means average to the overall mean (every participant has all nine post quarters).
    for (f, y), g in et[et["event_time"] >= 0].groupby(["forbund", "outcome"]):
        assert g["value"].mean() == pytest.approx(_truth(truth, f, y), abs=1e-5)
    # Effects ramp up and differ by förbund in the documented order.
    emp = truth[(truth["outcome"] == "arbete_studier") & (truth["estimand"] == "ATT, medel efter start")].set_index(
        "forbund"
    )["value"]
    assert emp["Huddinge"] < emp["Botkyrka"] < emp["Södertälje"]
    alla = et[(et["forbund"] == "Alla") & (et["outcome"] == "arbete_studier")].set_index("event_time")["value"]
    assert alla[0.0] < alla[3.0]
    # Pooled truth is the participant-weighted mean of the förbund values.
    avg = truth[truth["estimand"] == "ATT, medel efter start"].set_index(["outcome", "forbund"])
    for y in ["arbete_studier", "sjukpenningdagar", "forsorjningsstod_kr"]:
        parts = avg.loc[y].drop("Alla")
        pooled = (parts["value"] * parts["n_personer"]).sum() / parts["n_personer"].sum()
        assert pooled == pytest.approx(avg.loc[(y, "Alla"), "value"], abs=1e-5)


def test_load_sample_without_data_folder_regenerates(monkeypatch, tmp_path):
    """An installed wheel has no data_samples/: load_sample regenerates the same frame."""
    import finsam_eval.samples as samples

    from_file = {name: load_sample(name) for name in ["survey_deltagare", "survey_population", "register_truth"]}
    monkeypatch.setattr(samples._io, "repo_data_dir", lambda: tmp_path / "saknas")
    samples._load.cache_clear()
    try:
        for name, df in from_file.items():
            pd.testing.assert_frame_equal(load_sample(name), df)
    finally:
        samples._load.cache_clear()


def test_covariate_adjustment_in_levels_is_close(register):
    """Selection is mostly on observables: regression on covariates in post levels lands near the truth."""
    import statsmodels.formula.api as smf

    panel, truth = register
    window = ((panel["deltagare"] == 1) & panel["event_time"].between(0, 8)) | (
        (panel["deltagare"] == 0) & (panel["period"] >= 8)
    )
    covariates = ["deltagare", "forbund", "kon", "alder", "utbildning", "forsorjning_fore", "manader_stod"]
    # One row per person: mean outcome over the post window (controls: the same calendar quarters).
    d = panel[window].groupby("person_id").agg({**{c: "first" for c in covariates}, "arbete_studier": "mean"})
    formula = (
        "arbete_studier ~ deltagare + C(forbund) + C(kon) + alder + I(alder**2) + C(utbildning)"
        " + C(forsorjning_fore) + manader_stod"
    )
    est = smf.ols(formula, data=d).fit().params["deltagare"]
    true = _truth(truth, "Alla", "arbete_studier")
    assert abs(est - true) < 0.025
    _, naive = _did_and_naive(panel, None, "arbete_studier")
    assert abs(naive - true) > 0.08


@pytest.mark.parametrize(
    "module",
    ["finsam_eval.samples", "finsam_eval.samples.survey", "finsam_eval.samples.register"],
)
def test_docstring_examples(module):
    import doctest
    import importlib

    result = doctest.testmod(
        importlib.import_module(module), optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    )
    assert result.failed == 0


def test_packaged_demo_config_is_the_sample_config():
    # `finsam-eval rapport --demo` from an installed package reads the packaged copy; it must not drift.
    root = Path(__file__).resolve().parents[1]
    packaged = root / "finsam_eval" / "report" / "demo_rapport.toml"
    assert packaged.read_bytes() == (root / "data_samples" / "rapport.toml").read_bytes(), (
        "kopiera data_samples/rapport.toml till finsam_eval/report/demo_rapport.toml"
    )
