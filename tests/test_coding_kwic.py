"""Keyword in context and word frequencies per group."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from finsam_eval.coding import SWEDISH_STOPWORDS, KwicResult, WordFrequencies, kwic, word_frequencies  # noqa: E402
from finsam_eval.errors import CodebookError, MissingColumnError, SchemaError  # noqa: E402

DF = pd.DataFrame({
    "excerpt_id": [1, 2, 3, 4],
    "forbund": ["Norr", "Norr", "Söder", "Söder"],
    "text": [
        "Myndighetssamverkan har blivit bättre i år, och samverkan med vården fungerar.",
        "Samordningsförbundet har kansli i stadshuset.",
        "Vi har ingen samverkan med skolan än.",
        "Tiden räcker inte till allt och tiden går fort.",
    ],
})


def test_kwic_finds_inflections_and_compounds_with_context():
    r = kwic(DF, "samverkan", group_col="forbund", window=2)
    assert isinstance(r, KwicResult)
    t = r.table()
    assert list(t["traff"]) == ["Myndighetssamverkan", "samverkan", "samverkan"]
    assert list(t["grupp"]) == ["Norr", "Norr", "Söder"]
    assert t.iloc[1]["vanster"] == "år, och" and t.iloc[1]["hoger"] == "med vården"
    assert list(t["negerad"]) == [False, False, True]
    assert "3 träffar i 2 av 4 utdrag" in r.caption


def test_kwic_of_a_code_uses_all_its_terms_but_not_the_organisation_name():
    t = kwic(DF, "samverkan").table()  # the code id: samordning must not fire inside samordningsförbundet
    assert 2 not in set(t["excerpt_id"])


def test_kwic_summary_and_plot():
    r = kwic(DF, ["tid"], group_col="forbund")
    s = r.summary()
    assert "[Tiden]" in s and "[tiden]" in s
    ax = r.plot()
    assert ax.get_xlabel() == "Antal träffar"


def test_kwic_errors():
    with pytest.raises(CodebookError, match="ord, en fras"):
        kwic(DF, "")
    with pytest.raises(MissingColumnError, match="'roll'"):
        kwic(DF, "samverkan", group_col="roll")
    with pytest.raises(SchemaError):
        kwic(["en text"], "samverkan")


def test_word_frequencies_per_group_without_stop_words():
    r = word_frequencies(DF, group_col="forbund", top=3)
    assert isinstance(r, WordFrequencies)
    t = r.table()
    assert set(t["grupp"]) == {"Norr", "Söder"}
    assert not set(t["ord"]) & SWEDISH_STOPWORDS
    soder = t[t["grupp"] == "Söder"].set_index("ord")
    assert soder.loc["tiden", "antal"] == 2 and soder.loc["tiden", "antal_utdrag"] == 1
    # Söder has 16 words: 2 of them "tiden" -> 125 per 1 000
    assert soder.loc["tiden", "per_1000_ord"] == 125.0
    assert "stoppord" in r.summary().lower()
    r.plot()


def test_word_frequencies_options():
    t = word_frequencies(DF, stopwords=False, top=50).table()
    assert "och" in set(t["ord"])
    t = word_frequencies(DF, extra_stopwords=["tiden"], top=50).table()
    assert "tiden" not in set(t["ord"])
    t = word_frequencies(DF, lemma=True, top=50).table()
    assert "tid" in set(t["ord"]) and "tiden" not in set(t["ord"])


def test_stop_list_is_swedish_and_has_its_source():
    assert {"och", "att", "inte", "är", "också"} <= SWEDISH_STOPWORDS
    assert "samverkan" not in SWEDISH_STOPWORDS
    from importlib import resources

    text = resources.files("finsam_eval.coding").joinpath("codebooks/stoppord_sv.txt").read_text(encoding="utf-8")
    assert "Snowball" in text and "BSD" in text
