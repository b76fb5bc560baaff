"""The active coding loop: next_to_code (uncertainty + novelty), nearest coded examples, the question as a feature."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

from finsam_eval.coding.active import _short, expected_errors, next_to_code
from finsam_eval.coding.suggest import CodeSuggester
from finsam_eval.errors import SchemaError
from finsam_eval.samples import load_sample


@pytest.fixture(scope="module")
def excerpts() -> pd.DataFrame:
    return load_sample("excerpts")


@pytest.fixture(scope="module")
def codes(excerpts) -> list[str]:
    return sorted({c for cs in excerpts.codes_a for c in cs})


@pytest.fixture(scope="module")
def fitted(excerpts, codes):
    first = excerpts.iloc[:40]
    return CodeSuggester(codes=codes, random_state=0).fit(first, first["codes_a"])


def test_expected_errors_by_threshold():
    P = np.array([[0.3, 0.9], [0.6, 0.05]])
    # threshold 0.25 makes 0.3 a "yes" (wrong with 0.7); 0.6 >= 0.5 is a yes (wrong with 0.4)
    assert expected_errors(P, np.array([0.25, 0.5])).round(3).tolist() == [0.8, 0.45]


def test_cold_start_is_seeded_spread_and_skips_nothing(excerpts):
    a = next_to_code(CodeSuggester(random_state=1), excerpts, n=20)
    b = next_to_code(CodeSuggester(random_state=1), excerpts, n=20)
    assert a.index.tolist() == b.index.tolist()
    assert list(a.columns) == ["ordning", "excerpt_id", "osakerhet", "nyhet", "osakra_koder", "text"]
    assert a["ordning"].tolist() == list(range(1, 21))
    assert a.index.is_unique
    # spread: the batch covers more förbund than a block of consecutive rows would
    assert excerpts.loc[a.index, "forbund"].nunique() >= 4
    # novelty is measured against the batch so far: it does not grow along the batch
    assert a["nyhet"].iloc[1:].max() <= 1.0 + 1e-9


def test_fitted_batch_skips_coded_and_is_uncertain(fitted, excerpts):
    batch = fitted.next_to_code(excerpts, n=20)
    assert len(batch) == 20
    assert not set(batch["excerpt_id"]) & set(excerpts.iloc[:40]["excerpt_id"])
    assert excerpts.loc[batch.index, "excerpt_id"].tolist() == batch["excerpt_id"].tolist()
    assert batch["osakerhet"].between(0, 1).all() and batch["nyhet"].between(0, 1 + 1e-9).all()
    assert all(len(c) == 2 and set(c) <= set(fitted.classes_) for c in batch["osakra_koder"])
    # with diversity 0 the batch is exactly the most uncertain excerpts of the pool
    pool = excerpts.iloc[40:]
    pure = fitted.next_to_code(pool, n=10, diversity=0.0)
    err = expected_errors(fitted.predict_proba(pool), fitted.thresholds_.to_numpy())
    top = pool.index[np.argsort(-err, kind="stable")[:10]]
    assert set(pure.index) == set(top)
    # with diversity the batch is less redundant than the pure-uncertainty one
    mixed = fitted.next_to_code(pool, n=10, diversity=0.7)
    assert mixed["nyhet"].mean() > pure["nyhet"].mean() - 1e-9


def test_next_to_code_does_not_change_the_estimator(fitted, excerpts):
    before = fitted.predict_proba(excerpts.head(5))
    params = fitted.get_params()
    fitted.next_to_code(excerpts, n=5)
    assert fitted.get_params() == params
    np.testing.assert_allclose(fitted.predict_proba(excerpts.head(5)), before)
    assert not hasattr(clone(fitted), "train_X_")


def test_next_to_code_errors_and_small_pool(fitted, excerpts):
    with pytest.raises(SchemaError, match="diversity"):
        fitted.next_to_code(excerpts, n=5, diversity=2)
    with pytest.raises(SchemaError, match="minst 1"):
        fitted.next_to_code(excerpts, n=0)
    small = fitted.next_to_code(excerpts.iloc[38:43], n=20)  # two coded, three left
    assert len(small) == 3
    none_left = fitted.next_to_code(excerpts.iloc[:5], n=3)
    assert len(none_left) == 0 and "excerpt_id" in none_left.columns
    texts = fitted.next_to_code(["Vi saknar samsyn.", "Ingen tar över efter projektet.", "Bra."], n=2)
    assert len(texts) == 2 and set(texts["excerpt_id"]) <= {0, 1, 2}


def test_suggest_shows_nearest_coded_examples_with_the_code(fitted, excerpts):
    test = excerpts.iloc[100:104]
    sug = fitted.suggest(test, top_k=2, n_examples=2)
    train = excerpts.iloc[:40].set_index("excerpt_id")
    seen = 0
    for r in sug.itertuples(index=False):
        assert len(r.liknande_id) == len(r.liknande_text) <= 2
        for eid, short in zip(r.liknande_id, r.liknande_text):
            assert r.code in train.loc[eid, "codes_a"]  # an example coded with this very code
            assert train.loc[eid, "text"].startswith(short.rstrip("…"))
            seen += 1
    assert seen > 0
    # an excerpt that was itself coded finds itself first
    self_sug = fitted.suggest(excerpts.iloc[[0]], top_k=1)
    code = self_sug.iloc[0]["code"]
    if code in excerpts.iloc[0]["codes_a"]:
        assert self_sug.iloc[0]["liknande_id"][0] == excerpts.iloc[0]["excerpt_id"]


def test_question_is_a_feature_when_present(codes):
    # short answers carry no cue word; the question does
    qs = {"samsyn": "Har ni en gemensam bild av målgruppen och målen?",
          "implementering": "Vem tar över arbetssättet när projekttiden är slut?"}
    answers = ["Ja, absolut.", "Nej, inte alls.", "Det vet jag inte.", "Delvis, tror jag.", "Ja.", "Nej."]
    rows = [{"text": a, "fraga": q, "code": [c]} for c, q in qs.items() for a in answers]
    df = pd.DataFrame(rows)
    with_q = CodeSuggester(codebook=False, codes=list(qs), random_state=0, cv=3).fit(df, df["code"])
    test = pd.DataFrame({"text": ["Ja, det tror jag.", "Nej."], "fraga": list(qs.values())})
    P = with_q.predict_proba(test)
    assert list(with_q.classes_) == ["samsyn", "implementering"]
    assert P[0, 0] > P[0, 1] + 0.2 and P[1, 1] > P[1, 0] + 0.2
    assert with_q.state_["question"] is not None
    # without the column (or question_col=None) the answers alone decide: no separation
    no_q = CodeSuggester(codebook=False, codes=list(qs), random_state=0, cv=3, question_col=None).fit(df, df["code"])
    assert no_q.state_["question"] is None
    Pn = no_q.predict_proba(test)
    assert abs(Pn[0, 1] - Pn[0, 0]) < 0.2
    # a table without the question column still predicts with the question-trained model
    assert with_q.predict_proba(test[["text"]]).shape == (2, 2)


def test_short_text():
    assert _short("kort") == "kort"
    s = _short("ett två tre fyra fem sex sju åtta nio tio elva tolv", 20)
    assert s.endswith("…") and len(s) <= 20 and " ".join(s[:-1].split()) == s[:-1]
