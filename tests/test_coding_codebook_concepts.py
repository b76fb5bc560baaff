"""Codebooks as concepts (indicator families) and codebooks that cannot fail silently."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

from finsam_eval.coding import Code, Codebook, code_excerpts, unused_terms
from finsam_eval.errors import CodebookError


# -- term lists written as strings ---------------------------------------------------------------------
def test_yaml_string_term_list_is_split_with_a_warning():
    text = """
codes:
- id: ekonomi
  label: Ekonomi
  include: budget, kostnader; medel
"""
    with pytest.warns(UserWarning, match="delas vid kommatecken till 3 termer"):
        cb = Codebook.from_yaml(text)
    assert cb["ekonomi"].include == ["budget", "kostnader", "medel"]
    res = code_excerpts(pd.DataFrame({"excerpt_id": [1], "text": ["Kostnaderna ökade."]}), cb, respondent_col=None)
    assert list(res.long["code"]) == ["ekonomi"]


def test_a_single_term_string_is_one_term_without_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cb = Codebook.from_yaml("codes:\n- id: ekonomi\n  label: Ekonomi\n  include: budget\n")
    assert cb["ekonomi"].include == ["budget"]


def test_indicator_family_as_string_is_split_and_a_mapping_as_terms_is_refused():
    with pytest.warns(UserWarning):
        cb = Codebook.from_yaml(
            "codes:\n- id: l\n  label: L\n  indicators:\n    indirekt: {terms: 'synas, prioriteras'}\n")
    assert cb["l"].indicators["indirekt"]["terms"] == ["synas", "prioriteras"]
    with pytest.raises(CodebookError, match="lista av termer"):
        Codebook.from_yaml("codes:\n- id: l\n  label: L\n  include: {a: b}\n")


def test_nested_list_term_is_refused():
    with pytest.raises(CodebookError, match="inte är en term"):
        Codebook([{"id": "a", "label": "A", "include": [["samsyn", "målbild"]]}])


@pytest.mark.parametrize("fam,msg", [
    ({"terms": ["synas"], "weight": 0}, "vikten"),
    ({"terms": ["synas"], "weight": "hög"}, "vikten"),
    ({"terms": ["synas"], "polarity": "neutral"}, "polariteten"),
    ({"terms": ["och"]}, "småord"),
    ({"terms": ["synas"], "vikt": 1}, "okända nycklar"),
])
def test_bad_indicator_families_are_refused(fam, msg):
    with pytest.raises(CodebookError, match=msg):
        Codebook([{"id": "l", "label": "L", "indicators": {"indirekt": fam}}])


def test_indicators_round_trip_through_yaml_and_json():
    cb = Codebook.default()
    assert Codebook.from_yaml(cb.to_yaml()) == cb
    assert Codebook.from_json(cb.to_json()) == cb


# -- the built-in codebook as concepts -----------------------------------------------------------------------
@pytest.mark.parametrize("code", ["legitimitet", "samsyn", "implementering"])
def test_rebuilt_themes_carry_definition_and_families(code):
    c = Codebook.default()[code]
    assert len(c.definition) > 150
    assert c.indicators, "indikatorfamiljer saknas"
    assert all(fam.get("beskrivning") or name == "hallning" for name, fam in c.indicators.items())


@pytest.mark.parametrize("text,code", [
    ("Förbundet är fortfarande ganska osynligt hos oss, mest något vid sidan av.", "legitimitet"),
    ("Numera är det ingen som ifrågasätter förbundet, det är en självklar partner.", "legitimitet"),
    ("Handläggarna vet inte vad förbundet gör och cheferna prioriterar det inte.", "legitimitet"),
    ("Vi drar åt samma håll nu, även om vi menade olika saker i början.", "samsyn"),
    ("Arbetssättet lever vidare nu när insatsen är slut.", "implementering"),
    ("Kommunen tog över teamet när projektpengarna tog slut.", "implementering"),
])
def test_builtin_codebook_finds_the_concept_without_its_name(text, code):
    res = code_excerpts(pd.DataFrame({"excerpt_id": [1], "text": [text]}), respondent_col=None)
    assert code in set(res.long["code"])


def test_builtin_polarity_of_legitimacy():
    res = code_excerpts(pd.DataFrame({"excerpt_id": [1, 2], "text": [
        "Förbundet är osynligt i förvaltningen.", "Ingen ifrågasätter längre förbundets roll."]}), respondent_col=None)
    leg = res.long[res.long["code"] == "legitimitet"].set_index("excerpt_id")["negated"]
    assert bool(leg[1]) is True and bool(leg[2]) is False


def test_samordningsforbundet_alone_codes_nothing():
    res = code_excerpts(pd.DataFrame({"excerpt_id": [1], "text": ["Jag sitter på samordningsförbundet sedan i våras."]}),
                        respondent_col=None)
    assert res.long.empty


# -- merge -------------------------------------------------------------------------------------------------------
def test_merge_union_keeps_everything_and_leaves_inputs_alone():
    a = Codebook([Code("x", "X", include=["budget"], indicators={"indirekt": {"terms": ["pengar"]}})], name="a")
    b = Codebook([Code("x", "X2", include=["kostnad"], indicators={"indirekt": {"terms": ["kronor"]}}),
                  Code("y", "Y", include=["tidsbrist"])], name="b")
    m = a.merge(b, on_conflict="union")
    assert m.ids == ["x", "y"] and m.name == "a+b"
    assert m["x"].label == "X" and m["x"].include == ["budget", "kostnad"]
    assert m["x"].indicators["indirekt"]["terms"] == ["pengar", "kronor"]
    assert a["x"].include == ["budget"] and b["x"].include == ["kostnad"]
    assert a.merge(b, on_conflict="other")["x"].label == "X2"
    assert a.merge(b, on_conflict="self")["x"].include == ["budget"]


def test_merge_refuses_conflicts_by_default_and_bad_options():
    a = Codebook([Code("x", "X", include=["budget"])], name="a")
    with pytest.raises(CodebookError, match="finns i båda"):
        a.merge(a.copy())
    with pytest.raises(CodebookError, match="on_conflict"):
        a.merge(a, on_conflict="båda")
    with pytest.raises(CodebookError, match="Codebook"):
        a.merge({"codes": []})


def test_merge_of_builtin_frameworks():
    m = Codebook.default().merge(Codebook.framework("boklund"))
    assert len(m) == len(Codebook.default()) + 4


# -- unused terms -------------------------------------------------------------------------------------------------
def test_unused_terms_lists_what_never_matched():
    cb = Codebook([
        Code("samsyn", "Samsyn", include=["samsyn", "samma bild", "samsyyn"], exclude=["samsyn om lön"],
             indicators={"indirekt": {"terms": ["målbild"]}}),
        Code("hinder", "Hinder", include=["sekretess"], regex=[r"\bGDPR\b"]),
    ])
    texts = pd.Series(["Vi har samsyn om målgruppen.", "Sekretessen stoppar oss.", None])
    out = unused_terms(cb, texts)
    assert set(zip(out["kod"], out["term"], out["typ"])) == {
        ("samsyn", "samma bild", "term"), ("samsyn", "samsyyn", "term"),
        ("samsyn", "samsyn om lön", "exkludering"), ("samsyn", "målbild", "indirekt"),
        ("hinder", r"\bGDPR\b", "regex"),
    }
    assert cb.unused_terms(texts).equals(out)


def test_unused_terms_refuses_a_single_string():
    with pytest.raises(CodebookError, match="inte en enda sträng"):
        unused_terms(Codebook.default(), "en text")


def test_a_string_in_python_is_split_not_read_letter_by_letter():
    with pytest.warns(UserWarning, match="2 termer"):
        c = Code("ekonomi", "Ekonomi", include="budget, kostnader")
    assert c.include == ["budget", "kostnader"]
    c = Code("ekonomi", "Ekonomi", include="budget", regex=r"\bkr\b")
    assert c.include == ["budget"] and c.regex == [r"\bkr\b"]
    cb = Codebook([c])
    cb.update("ekonomi", add_include="kostnad")
    assert cb["ekonomi"].include == ["budget", "kostnad"]
    with pytest.raises(CodebookError, match="mappning"):
        Code("x", "X", indicators=["synas"])
