"""CodeSuggester: scikit-learn contract, outputs, explanations and the leave-one-förbund-out evaluation."""

from __future__ import annotations

import warnings

import matplotlib
import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score
from sklearn.utils.estimator_checks import (
    check_get_params_invariance,
    check_no_attributes_set_in_init,
    check_parameters_default_constructible,
    check_set_params,
)

from finsam_eval.coding.suggest import CodeSuggester, SuggestionEvaluation, _binarize_fit, evaluate_suggester
from finsam_eval.coding.text import normalise
from finsam_eval.errors import EstimationError, MissingColumnError, SchemaError
from finsam_eval.samples import load_sample

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def excerpts() -> pd.DataFrame:
    return load_sample("excerpts")


@pytest.fixture(scope="module")
def small(excerpts):
    """A few dozen coded excerpts from two förbund: the situation the suggester is for."""
    sub = excerpts[excerpts.forbund.isin(["Botkyrka", "Huddinge"])].head(90).reset_index(drop=True)
    codes = sorted({c for cs in excerpts.codes_a for c in cs})
    return sub, codes


@pytest.fixture(scope="module")
def fitted(small):
    sub, codes = small
    return CodeSuggester(codes=codes, random_state=0).fit(sub, sub["codes_a"])


@pytest.fixture(scope="module")
def evaluation(excerpts) -> SuggestionEvaluation:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return evaluate_suggester(excerpts, codes_col="codes_a", groups="forbund", random_state=0)


# --------------------------------------------------------------------------- sklearn contract


def test_sklearn_parameter_checks():
    est = CodeSuggester()
    check_parameters_default_constructible("CodeSuggester", est)
    check_no_attributes_set_in_init("CodeSuggester", est)
    check_get_params_invariance("CodeSuggester", est)
    check_set_params("CodeSuggester", est)
    params = CodeSuggester(C=2.0, threshold=0.4, random_state=3).get_params()
    assert params["C"] == 2.0 and params["threshold"] == 0.4 and params["random_state"] == 3
    cl = clone(CodeSuggester(C=2.0, char_ngrams=None))
    assert cl.get_params() == CodeSuggester(C=2.0, char_ngrams=None).get_params()
    assert cl.set_params(C=0.5).C == 0.5


def test_fitted_attributes_and_clone_is_unfitted(fitted, small):
    _, codes = small
    assert list(fitted.classes_) == codes
    for attr in ("classes_", "thresholds_", "n_positive_", "prior_weight_", "state_", "stage2_"):
        assert hasattr(fitted, attr)
    assert ((fitted.prior_weight_ > 0) & (fitted.prior_weight_ <= 1)).all()
    # the codebook weight shrinks as the examples of a code grow
    pw = fitted.prior_weight_.to_numpy()
    n = fitted.n_positive_.to_numpy()
    assert np.all(np.diff(pw[np.argsort(n)]) <= 1e-12)
    fresh = clone(fitted)
    assert not hasattr(fresh, "classes_")
    with pytest.raises(NotFittedError):
        fresh.predict(["Samverkan fungerar bra."])


def test_predict_shapes_ranges_and_consistency(fitted, excerpts):
    test = excerpts[excerpts.forbund == "Uppsala"]
    proba = fitted.predict_proba(test)
    pred = fitted.predict(test)
    k = len(fitted.classes_)
    assert proba.shape == pred.shape == (len(test), k)
    assert np.all((proba >= 0) & (proba <= 1))
    assert set(np.unique(pred)) <= {0, 1}
    np.testing.assert_array_equal(pred, (proba >= fitted.thresholds_.to_numpy()).astype(int))
    np.testing.assert_allclose(fitted.decision_function(test), proba - fitted.thresholds_.to_numpy())
    # texts as list, Series or DataFrame give the same answer
    np.testing.assert_allclose(fitted.predict_proba(test["text"].tolist()), proba)
    np.testing.assert_allclose(fitted.predict_proba(test["text"]), proba)
    lists = fitted.predict_codes(test)
    assert [sorted(c) for c in lists] == [sorted(fitted.classes_[r.astype(bool)]) for r in pred]


def test_list_and_indicator_targets_agree(small):
    sub, codes = small
    Y, classes = _binarize_fit(sub["codes_a"], codes)
    # same X for both (a table with forbund would also judge the codebook switch leave-one-förbund-out)
    a = CodeSuggester(codes=codes, random_state=0).fit(sub[["text"]], sub["codes_a"].tolist())
    b = CodeSuggester(codes=codes, random_state=0).fit(sub["text"], Y)
    np.testing.assert_allclose(a.predict_proba(sub), b.predict_proba(sub))
    c = CodeSuggester(random_state=0).fit(sub, pd.DataFrame(Y, columns=classes))
    assert list(c.classes_) == codes


def test_deterministic_with_random_state(small, fitted):
    sub, codes = small
    again = CodeSuggester(codes=codes, random_state=0).fit(sub, sub["codes_a"])
    np.testing.assert_array_equal(again.predict_proba(sub), fitted.predict_proba(sub))
    pd.testing.assert_series_equal(again.thresholds_, fitted.thresholds_)


def test_works_in_model_selection(small):
    sub, codes = small
    Y, _ = _binarize_fit(sub["codes_a"], codes)
    est = CodeSuggester(codes=codes, char_ngrams=None, cv=2, random_state=0)
    cv = KFold(3, shuffle=True, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # folds where a rare code is absent from the test part
        scores = cross_val_score(est, sub[["text"]], Y, cv=cv, scoring="f1_micro", error_score="raise")
    assert scores.shape == (3,) and np.all((scores > 0) & (scores <= 1))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        grid = GridSearchCV(est, {"C": [0.5, 2.0]}, cv=2, scoring="f1_micro", error_score="raise")
        grid.fit(sub["text"].tolist(), Y)
    assert grid.best_params_["C"] in (0.5, 2.0)
    assert grid.predict(sub["text"].tolist()).shape == Y.shape


# --------------------------------------------------------------------------- suggestions


def test_suggest_table_and_explanations(fitted, excerpts):
    test = excerpts[excerpts.forbund == "Uppsala"].head(6)
    sug = fitted.suggest(test, top_k=3)
    assert list(sug.columns) == ["excerpt_id", "rang", "code", "label", "probability", "suggested", "terms",
                                 "codebook_terms", "liknande_id", "liknande_text"]
    assert len(sug) == 3 * len(test)
    assert set(sug["excerpt_id"]) == set(test["excerpt_id"])
    proba = pd.DataFrame(fitted.predict_proba(test), columns=fitted.classes_, index=test["excerpt_id"])
    for eid, grp in sug.groupby("excerpt_id", sort=False):
        assert grp["rang"].tolist() == [1, 2, 3]
        assert grp["probability"].is_monotonic_decreasing
        # the top-3 really are the three most probable codes
        assert set(grp["code"]) == set(proba.loc[eid].nlargest(3).index)
        text = test.set_index("excerpt_id").loc[eid, "text"]
        stems = set(normalise(text))
        for terms in grp["terms"]:
            for term in terms:
                assert set(normalise(term)) <= stems, (term, text)
    assert sug["terms"].map(len).sum() > 0
    assert (sug["label"] != sug["code"]).any()  # Swedish labels from the codebook


def test_codebook_terms_and_negation_in_suggestions(fitted):
    sug = fitted.suggest(["Det finns ingen samsyn mellan parterna om målgruppen."], top_k=len(fitted.classes_))
    row = sug.set_index("code").loc["samsyn"]
    assert any(t.startswith("inte: ") for t in row["codebook_terms"])
    top = sug.iloc[0]["code"]
    assert top in {"samsyn", "malgrupp"}


def test_codebook_false_and_fixed_threshold(small):
    sub, codes = small
    est = CodeSuggester(codes=codes, codebook=False, threshold=0.4, random_state=0).fit(sub, sub["codes_a"])
    assert (est.thresholds_ == 0.4).all()
    assert (est.prior_weight_ == 0).all()
    assert est.suggest(sub.head(2))["codebook_terms"].map(len).sum() == 0


def test_errors():
    est = CodeSuggester()
    with pytest.raises(NotFittedError):
        est.predict_proba(["text"])
    with pytest.raises(EstimationError, match="Inga kodade utdrag"):
        est.fit([], [])
    with pytest.raises(SchemaError, match="2 texter men y har 1"):
        est.fit(["a", "b"], [["samsyn"]])
    with pytest.raises(EstimationError, match="inga koder"):
        est.fit(["Samverkan.", "Resultat."], [[], []])
    with pytest.raises(MissingColumnError, match="text"):
        est.fit(pd.DataFrame({"txt": ["a"]}), [["samsyn"]])
    with pytest.raises(SchemaError, match="threshold"):
        CodeSuggester(threshold=2).fit(["Samverkan.", "Resultat."], [["samverkan"], []])
    with pytest.raises(SchemaError, match="inte finns i codes"):
        CodeSuggester(codes=["samsyn"]).fit(["a", "b"], [["samsyn"], ["okand"]])


# --------------------------------------------------------------------------- evaluation


def test_evaluation_beats_baseline_on_every_forbund(evaluation, excerpts):
    t = evaluation.table()
    assert t["grupp"].tolist()[-1] == "Samtliga"
    assert set(t["grupp"][:-1]) == set(excerpts["forbund"])
    assert t["n_utdrag"].iloc[-1] == len(excerpts)
    overall = t.iloc[-1]
    assert overall["kappa_kodforslag"] > overall["kappa_baslinje"] + 0.15
    assert overall["makro_f1_kodforslag"] > overall["makro_f1_baslinje"] + 0.15
    assert evaluation.beats_baseline
    big = t[(t["grupp"] != "Samtliga") & (t["n_utdrag"] >= 30)]
    assert (big["kappa_kodforslag"] > big["kappa_baslinje"]).all()


def test_evaluation_scores_are_recomputable(evaluation, excerpts):
    from sklearn.metrics import cohen_kappa_score, f1_score

    pred = evaluation.predictions
    codes = sorted({c for cs in excerpts.codes_a for c in cs})
    Y, _ = _binarize_fit(pred["human"], codes)
    S, _ = _binarize_fit(pred["kodforslag"], codes)
    B, _ = _binarize_fit(pred["baslinje"], codes)
    o = evaluation.table().iloc[-1]
    assert o["kappa_kodforslag"] == pytest.approx(cohen_kappa_score(Y.ravel(), S.ravel()))
    assert o["kappa_baslinje"] == pytest.approx(cohen_kappa_score(Y.ravel(), B.ravel()))
    assert o["makro_f1_kodforslag"] == pytest.approx(f1_score(Y, S, average="macro", zero_division=0))
    # human codes are the sample's codes_a, in the same row order
    assert [sorted(c) for c in pred["human"]] == [sorted(c) for c in excerpts["codes_a"]]


def test_evaluation_result_contract(evaluation, tmp_path):
    assert "Cohens kappa" in evaluation.caption and "," in evaluation.caption
    text = evaluation.summary()
    assert "Samtliga" in text and "Baslinje" in text
    ax = evaluation.plot()
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[-1].startswith("Samtliga") or labels[0].startswith("Uppsala") or "Samtliga" in " ".join(labels)
    assert all("." not in t.get_text() for t in ax.get_xticklabels())
    ax.figure.savefig(tmp_path / "ev.png")


def test_few_dozen_examples_already_useful(excerpts):
    """Forty coded excerpts from one förbund: the codebook prior carries the suggester."""
    codes = sorted({c for cs in excerpts.codes_a for c in cs})
    train = excerpts[excerpts.forbund == "Botkyrka"].head(40)
    test = excerpts[excerpts.forbund == "Huddinge"]
    Y_te, _ = _binarize_fit(test["codes_a"], codes)
    from sklearn.metrics import cohen_kappa_score

    from finsam_eval.coding.suggest import baseline_model

    sug = CodeSuggester(codes=codes, random_state=0).fit(train, train["codes_a"])
    Y_tr, _ = _binarize_fit(train["codes_a"], codes)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        base = baseline_model().fit(train["text"].tolist(), Y_tr)
    k_s = cohen_kappa_score(Y_te.ravel(), sug.predict(test).ravel())
    k_b = cohen_kappa_score(Y_te.ravel(), base.predict(test["text"].tolist()).ravel())
    assert k_s > 0.3 and k_s > k_b + 0.15


def test_docstring_examples():
    import doctest

    from finsam_eval.coding import suggest

    res = doctest.testmod(suggest, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert res.failed == 0


def test_evaluation_report_table(evaluation):
    t = evaluation.report_table()
    assert t["kappa_kodforslag"].str.contains(",").all()
    assert set(evaluation.column_labels) >= set(t.columns)


def test_learning_adds_to_a_sparse_codebook(excerpts):
    """With only three terms per code the codebook alone is weak; the stacked model recovers."""
    from finsam_eval.coding import Codebook

    cb = Codebook.default().copy()
    for code in list(cb):
        # sparse: three direct terms, no indicator families
        cb.update(code.id, include=code.include[:3], exclude=[], regex=[], indicators={})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ev = evaluate_suggester(excerpts, estimator=CodeSuggester(codebook=cb, random_state=0))
    o = ev.table().iloc[-1]
    assert o["kappa_kodforslag"] > o["kappa_kodbok"] + 0.1
    assert o["kappa_kodforslag"] > o["kappa_baslinje"] + 0.05


# --------------------------------------------------------------------------- Swedish features, codebook, guide (issue 11)


def test_word_keys_meet_across_inflections_and_drop_function_words():
    from finsam_eval.coding.suggest import _char_analyzer, _stem_analyzer, _word_key

    # lemma before stem: the past tense meets the infinitive, the plural the singular
    assert _word_key("tog") == _word_key("ta")
    assert _word_key("förbunden") == _word_key("förbundet")
    keys = _stem_analyzer("Det är ingen samsyn alls mellan dem")
    assert _word_key("ingen") in keys  # negation kept
    assert not {"det", "är", "mellan", "dem"} & set(keys)  # function words of stoppord_sv.txt dropped
    # a protected name is one symbol: no n-grams of "samordning" inside "samordningsförbundet"
    own = _char_analyzer("samordningsförbundet")
    assert not any("samo" in g or "rdni" in g for g in own)
    assert any("rdni" in g for g in _char_analyzer("samordningen"))


def test_framework_chosen_by_the_codes_learned():
    from finsam_eval.coding import Codebook

    ids = Codebook.framework("organiserande_funktioner").ids
    texts = ["Vi prioriterar unga vuxna.", "Resurserna räcker inte.", "Vi utvärderar med SUS.", "Problemet är stort."]
    est = CodeSuggester(codes=ids, threshold=0.5, random_state=0).fit(texts, [[ids[1]], [ids[2]], [ids[4]], [ids[0]]])
    assert set(ids) <= set(est.compiled_.codebook.ids)
    themes = CodeSuggester(random_state=0).fit(["Samsyn saknas.", "Bra samverkan."], [["samsyn"], ["samverkan"]])
    assert set(themes.compiled_.codebook.ids) == set(Codebook.default().ids)


def test_codebook_decides_where_it_agrees_better(excerpts):
    """Codes equal to the codebook's own hits: the switched codes reproduce the codebook on new excerpts."""
    from finsam_eval.coding import Codebook, code_excerpts

    cb = Codebook.default()
    long = code_excerpts(excerpts[["excerpt_id", "text"]], cb, respondent_col=None, min_score=0.5).long
    hits = long.groupby("excerpt_id")["code"].agg(list)
    ex = excerpts.assign(kod=[sorted(hits.get(e, [])) for e in excerpts["excerpt_id"]])
    codes = sorted({c for cs in ex["kod"] for c in cs})
    train, test = ex[ex.forbund != "Uppsala"], ex[ex.forbund == "Uppsala"]
    on = CodeSuggester(codes=codes, random_state=0).fit(train, train["kod"])
    off = CodeSuggester(codes=codes, codebook_switch=False, random_state=0).fit(train, train["kod"])
    assert set(on.source_) <= {"kodbok", "inlard"} and (off.source_ == "inlard").all()
    assert (on.source_ == "kodbok").any()
    Y, _ = _binarize_fit(test["kod"], codes)
    from sklearn.metrics import cohen_kappa_score

    k_on = cohen_kappa_score(Y.ravel(), on.predict(test).ravel())
    k_off = cohen_kappa_score(Y.ravel(), off.predict(test).ravel())
    assert k_on >= k_off and k_on > 0.9
    switched = np.flatnonzero((on.source_ == "kodbok").to_numpy())
    np.testing.assert_array_equal(on.predict(test)[:, switched], Y[:, switched])


def test_guide_structural_codes_carry_short_answers():
    """Answers coded by the guide question they reply to: the guide lifts the suggester on another förbund."""
    from pathlib import Path

    from sklearn.metrics import cohen_kappa_score

    from finsam_eval.coding import Intervjuguide
    from finsam_eval.io import read_excerpts

    root = Path(__file__).resolve().parents[1] / "data_samples"
    ex = read_excerpts(root / "intervjuer")
    ex["forbund"] = [Path(str(f)).name.split("_")[0] for f in ex["fil"]]
    guide = Intervjuguide.from_yaml(root / "intervjuguide.yaml")
    links = guide.match(ex).table()["fraga_id"]
    qcodes = {q.id: list(q.codes) for q in guide.questions}
    ex["kod"] = [qcodes.get(q, []) if q else [] for q in links]
    codes = sorted({c for cs in ex["kod"] for c in cs})
    train, test = ex[ex.forbund == "Botkyrka"], ex[ex.forbund == "Huddinge"]
    Y, _ = _binarize_fit(test["kod"], codes)
    with_g = CodeSuggester(codes=codes, guide=guide, random_state=0).fit(train, train["kod"])
    without = CodeSuggester(codes=codes, random_state=0).fit(train, train["kod"])
    k_g = cohen_kappa_score(Y.ravel(), with_g.predict(test).ravel())
    k_0 = cohen_kappa_score(Y.ravel(), without.predict(test).ravel())
    assert k_g > 0.7 and k_g > k_0 + 0.2
    sug = with_g.suggest(test.head(4), top_k=1)
    assert sug["codebook_terms"].map(lambda ts: any(t.startswith("intervjuguide: F") for t in ts)).all()
    with pytest.raises(SchemaError, match="Intervjuguide"):
        CodeSuggester(guide="guide.yaml").fit(train, train["kod"])


def test_nearest_coded_votes_carry_a_repeated_quote():
    """A quote repeated verbatim (the same answer quoted under two förbund) gets the codes of its twin."""
    from finsam_eval.coding.suggest import _knn_votes, _unit_rows

    V = _unit_rows(np.array([[1.0, 0, 0], [0, 1.0, 0], [0, 0.6, 0.8]]))
    Y = np.array([[1, 0], [0, 1], [0, 1]])
    votes = _knn_votes(_unit_rows(np.array([[2.0, 0, 0], [0, 1.0, 0]])), V, Y, k=2)
    np.testing.assert_allclose(votes[0], [1.0, 0.0])  # only the twin is similar at all
    np.testing.assert_allclose(votes[1], [0.0, 1.0])  # weights 1 and 0,6, both with the second code
    own = _knn_votes(V, V, Y, k=1, self_match=True)  # without each row's own match
    np.testing.assert_allclose(own[1], [0.0, 1.0])


def test_repeated_quotes_are_suggested_their_codes(excerpts):
    codes = sorted({c for cs in excerpts.codes_a for c in cs})
    train = excerpts[excerpts.forbund != "Uppsala"]
    sug = CodeSuggester(codes=codes, random_state=0).fit(train, train["codes_a"])
    Y, _ = _binarize_fit(train["codes_a"], codes)
    agree = (sug.predict(train) == Y).mean()
    assert agree > 0.95  # the coded excerpts themselves: their own vote and words
