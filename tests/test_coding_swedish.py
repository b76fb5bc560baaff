"""Swedish matching: protected compounds, negation scope, double and rhetorical negation, lemmas.

Every sentence here is written for the test.
"""

from __future__ import annotations

import pytest

from finsam_eval.coding import Code, Codebook, CompiledCodebook, lexicon

CB = Codebook([
    Code("samverkan", "Samverkan", include=["samordning", "samverkan"]),
    Code("resurser", "Resurser", include=["tid", "resurs"]),
    Code("forankring", "Förankring", include=["förankra", "förankring"]),
    Code("styrning", "Styrning", include=["besluta"]),
    Code("implementering", "Implementering", include=["ta över", "ordinarie verksamhet"]),
    Code("legitimitet", "Legitimitet", include=["känner till", "vet vad förbundet gör"],
         indicators={"utanforskap": {"terms": ["ifrågasätta", "osynlig", "vid sidan av"], "polarity": "negativ"},
                     "indirekt": {"terms": ["synas", "prioriteras"]}}),
    Code("samsyn", "Samsyn", include=["samsyn"]),
])
CC = CompiledCodebook(CB)


def hits(text: str, code: str):
    return [h for h in CC.hits(text) if h.code == code and not h.exclude]


def flags(text: str, code: str) -> tuple[bool, bool]:
    (h,) = hits(text, code)
    return h.negated, h.hedged


# -- compounds that must not be split -------------------------------------------------------------
@pytest.mark.parametrize("text", [
    "Samordningsförbundet bjöd in till ett möte i höstas.",
    "Hela samordningsförbundets styrelse var på plats.",
    "Det finns flera samordningsförbund i länet.",
])
def test_organisation_name_does_not_fire_samordning(text):
    assert hits(text, "samverkan") == []


def test_projekttid_does_not_fire_tid_but_a_real_compound_does():
    assert hits("Under projekttiden anställdes två coacher.", "resurser") == []
    assert len(hits("Arbetstiden räcker inte till allt.", "resurser")) == 1


def test_compound_after_a_protected_name_still_splits():
    # the rest after the protected name is a free compound part
    assert len(hits("Samordningsförbundsresurserna fördelas i mars.", "resurser")) == 1


def test_samordning_as_a_word_still_matches():
    assert len(hits("Samordningen av ärendena har blivit bättre.", "samverkan")) == 1


def test_protect_adds_a_local_name():
    cb = Codebook([Code("samverkan", "Samverkan", include=["samverkan"])])
    assert len(CompiledCodebook(cb).hits("Samverkanshuset öppnade i maj.")) == 1
    lexicon.protect(["samverkanshus"])
    try:
        assert CompiledCodebook(cb).hits("Samverkanshuset öppnade i maj.") == []
    finally:
        lexicon.unprotect(["samverkanshus"])
    assert len(CompiledCodebook(cb).hits("Samverkanshuset öppnade i maj.")) == 1


def test_protect_refuses_a_string():
    from finsam_eval.errors import CodebookError

    with pytest.raises(CodebookError, match="lista"):
        lexicon.protect("samverkanshus")


# -- negation scope -----------------------------------------------------------------------------
@pytest.mark.parametrize("text", [
    "Vi kan inte besluta själva, det måste förankras först.",
    "Vi kan inte besluta själva utan det måste förankras i nämnden.",
    "Hon fick inte svar direkt men beslutet förankrades senare.",
])
def test_negation_stays_with_its_own_verb_and_clause(text):
    (h,) = hits(text, "forankring")
    assert h.negated is False


def test_the_negated_verb_itself_is_still_negated():
    assert flags("Vi kan inte besluta själva, det måste förankras först.", "styrning")[0] is True


@pytest.mark.parametrize("text,negated", [
    ("Arbetet är inte förankrat hos cheferna.", True),
    ("Det finns ingen förankring i linjen.", True),
    ("Förankringen saknas helt.", True),
    ("Förankringen är god hos oss.", False),
])
def test_plain_negation_is_kept(text, negated):
    assert flags(text, "forankring")[0] is negated


# -- double, rhetorical and polarity negation --------------------------------------------------------
def test_double_negation_affirms():
    assert flags("Det är inte så att vi saknar samsyn i gruppen.", "samsyn")[0] is False


def test_rhetorical_question_affirms():
    assert flags("Vem skulle inte vilja ha samsyn i styrelsen?", "samsyn")[0] is False


def test_a_plain_question_without_negation_is_not_negated():
    assert flags("Finns det samsyn i styrelsen?", "samsyn")[0] is False


def test_negated_doubt_affirms_legitimacy():
    assert flags("Numera är det ingen som ifrågasätter förbundet.", "legitimitet")[0] is False
    assert flags("Ingen ifrågasätter förbundet längre.", "legitimitet")[0] is False


def test_doubt_itself_is_a_negated_mention():
    assert flags("Många chefer ifrågasätter förbundet.", "legitimitet")[0] is True
    assert flags("Förbundet är ganska osynligt på min enhet.", "legitimitet")[0] is True


def test_negative_image_negated_affirms():
    assert flags("Insatsen ligger inte vid sidan av längre.", "legitimitet")[0] is False


@pytest.mark.parametrize("text", [
    "Cheferna känner inte till förbundet.",
    "Handläggarna vet inte vad förbundet gör.",
])
def test_negation_inside_a_phrase_is_flagged(text):
    (h,) = hits(text, "legitimitet")
    assert h.negated is True


def test_known_phrase_without_negation():
    assert flags("Alla chefer känner till förbundet numera.", "legitimitet")[0] is False


# -- indicator weights ----------------------------------------------------------------------------------
def test_one_indirect_indicator_is_not_enough_two_are():
    from finsam_eval.coding import code_text

    one = code_text("Förbundet behöver synas mer.", CB)
    assert "legitimitet" not in set(one["code"])
    two = code_text("Förbundet behöver synas mer och frågan prioriteras i ledningen.", CB)
    assert "legitimitet" in set(two["code"])


# -- lemmas ------------------------------------------------------------------------------------------------
def test_lemma_reaches_an_irregular_past_tense_in_a_phrase():
    lexicon.set_lemma(True)
    assert len(hits("Kommunen tog över insatsen förra året.", "implementering")) == 1


def test_lemma_can_be_turned_off():
    lexicon.set_lemma(False)
    try:
        cc = CompiledCodebook(CB)
        assert [h for h in cc.hits("Kommunen tog över insatsen förra året.") if h.code == "implementering"] == []
    finally:
        lexicon.set_lemma(True)


def test_lemma_function():
    assert lexicon.lemma("förstod") == "förstå"


@pytest.mark.parametrize("name", ["finsam_eval.coding.lexicon", "finsam_eval.coding.kwic", "finsam_eval.coding.codebook",
                                  "finsam_eval.coding.matching", "finsam_eval.coding.text"])
def test_docstring_examples_of_the_matching_modules(name):
    import doctest
    import importlib

    mod = importlib.import_module(name)
    result = doctest.testmod(mod, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, verbose=False)
    assert result.failed == 0, f"{result.failed} doctest(s) failed in {name}"
