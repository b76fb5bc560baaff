"""Codebook: built-ins, editing, validation messages, YAML/JSON round trips; text helpers."""

from __future__ import annotations

import json

import pytest

from finsam_eval.coding import Code, Codebook
from finsam_eval.coding.text import is_short, normalise, stem, strict_forms, term_keys, tokenize
from finsam_eval.errors import CodebookError

THEMES = ["legitimitet", "samsyn", "implementering", "forankring", "samverkan", "styrning", "malgrupp", "resultat",
          "hallbarhet", "larande", "resurser", "samarbetsklimat", "hinder"]


def test_tokenize_keeps_swedish_letters_and_hyphenated_words():
    assert tokenize("Förankring i FINSAM-insatser; återkoppling – ÖVERLÄMNING.") == [
        "förankring", "i", "finsam-insatser", "återkoppling", "överlämning"]
    assert tokenize("samverkans- och utvecklingsarbete") == ["samverkans", "och", "utvecklingsarbete"]
    assert tokenize(float("nan")) == []


def test_stem_and_normalise_use_swedish_snowball():
    from nltk.stem.snowball import SnowballStemmer

    sb = SnowballStemmer("swedish")
    words = ["förankringen", "samverkansformerna", "verksamheten", "lyfter", "stolarna"]
    assert [stem(w) for w in words] == [sb.stem(w) for w in words]
    assert normalise("Den ordinarie verksamheten") == ["den", "ordinari", "verksam"]


def test_term_keys_join_lemma_with_irregular_stems():
    # Snowball gives different stems for resurs / resurser; the keys must cover both.
    assert {stem("resurs"), stem("resurser"), stem("resurserna")} <= term_keys("resurs")
    assert stem("målet") != stem("mål")


def test_short_and_collapsing_terms_are_matched_strictly():
    assert is_short("mål") and is_short("tid")
    assert is_short("överens")  # stems to the preposition "över"
    assert is_short("svårighet")  # stems to "svår", which would match "svårare"
    assert not is_short("förankring")
    assert "måla" not in strict_forms("mål") and "målen" in strict_forms("mål")


def test_default_codebook_has_the_thirteen_themes_with_rich_vocabulary():
    cb = Codebook.default()
    assert cb.ids == THEMES
    assert cb.get("forankring").label == "Förankring"
    assert cb.get("styrning").label == "Styrning och ledning"
    assert cb.get("larande").label == "Lärande och metodutveckling"
    for c in cb:
        assert c.definition, c.id
        assert 15 <= len(c.include) <= 60, (c.id, len(c.include))
        # phrases as well as single words
    assert sum(" " in t for c in cb for t in c.include) > 50
    assert cb.version and cb.name


@pytest.mark.parametrize("name,ids", [
    ("organiserande_funktioner", ["problemdefiniering", "prioritering", "resursmobilisering", "samarbetsprocesser",
                                  "utvardering"]),
    ("boklund", ["specialisering", "koordination", "kollaboration", "integrering"]),
])
def test_frameworks(name, ids):
    # top-level codes; sub-codes (parent) follow them (organising functions carry sub-themes)
    assert [c.id for c in Codebook.framework(name) if c.parent is None] == ids


def test_huxham_has_opportunity_and_barrier_subcodes():
    cb = Codebook.framework("huxham")
    tops = [c.id for c in cb if c.parent is None]
    assert len(tops) == 4
    for t in tops:
        kids = [c.id for c in cb.children(t)]
        assert kids == [f"{t}_mojlighet", f"{t}_hinder"]


def test_unknown_framework_lists_the_choices():
    with pytest.raises(CodebookError, match="Okänt ramverk 'x'; välj bland teman, organiserande_funktioner"):
        Codebook.framework("x")


def test_yaml_and_json_round_trips(tmp_path):
    cb = Codebook.framework("huxham")
    p = tmp_path / "kb.yaml"
    cb.to_yaml(p)
    assert Codebook.from_yaml(p) == cb
    assert Codebook.read(p) == cb
    assert "å" in p.read_text(encoding="utf-8") or "ä" in p.read_text(encoding="utf-8")
    j = tmp_path / "kb.json"
    cb.to_json(j)
    assert Codebook.from_json(j) == cb
    assert json.loads(j.read_text(encoding="utf-8"))["codes"][0]["id"] == "mal"
    assert Codebook.from_yaml(Codebook.default().to_yaml()) == Codebook.default()


def test_editing_add_update_remove():
    cb = Codebook.default()
    cb.add(Code("ekonomi", "Ekonomi", include=["budget"]), after="resurser")
    assert cb.ids.index("ekonomi") == cb.ids.index("resurser") + 1
    cb.update("ekonomi", add_include=["kostnader"], label="Ekonomi och budget")
    assert cb.get("ekonomi").include == ["budget", "kostnader"]
    assert cb.get("ekonomi").label == "Ekonomi och budget"
    cb.add({"id": "ekonomi_brist", "label": "Brist på pengar", "include": ["underfinansierad"], "parent": "ekonomi"})
    with pytest.raises(CodebookError, match="har underkoder \\(ekonomi_brist\\)"):
        cb.remove("ekonomi")
    cb.update("ekonomi", id="pengar")
    assert cb.get("ekonomi_brist").parent == "pengar"
    cb.remove("ekonomi_brist")
    cb.remove("pengar")
    assert cb == Codebook.default()


def test_failed_edit_leaves_codebook_unchanged():
    cb = Codebook.default()
    with pytest.raises(CodebookError):
        cb.add(Code("samsyn", "Dubblett"))
    assert cb == Codebook.default()


@pytest.mark.parametrize("codes,message", [
    ([Code("a", "A"), Code("a", "B")], "Kod-id 'a' förekommer flera gånger i kodboken"),
    ([Code("a", "A", parent="x")], "Koden 'a' har föräldern 'x', som inte finns i kodboken"),
    ([Code("a", "A", parent="b"), Code("b", "B", parent="a")], "Föräldrarna bildar en cirkel: a -> b -> a"),
    ([Code("Samsyn", "S")], "Ogiltigt kod-id 'Samsyn'"),
    ([Code("a", " ")], "Koden 'a' saknar etikett"),
    ([Code("a", "A", include=[""])], "Koden 'a': termen '' är tom och kan aldrig ge träff"),
    ([Code("a", "A", include=["?!"])], "Koden 'a': termen '\\?!' kan aldrig ge träff \\(den innehåller inga bokstäver"),
    ([Code("a", "A", include=["och det"])], "Koden 'a': termen 'och det' kan aldrig ge en meningsfull träff"),
    ([Code("a", "A", exclude=["inte"])], "Koden 'a': exkluderingstermen 'inte' kan aldrig ge en meningsfull"),
    ([Code("a", "A", regex=["samverk(an"])], "Koden 'a': det reguljära uttrycket 'samverk\\(an' är ogiltigt"),
    ([Code("a", "A", regex=["x*"])], "matchar tom text"),
    ([Code("a", "A", include=["sa*"])], "prefixtermen 'sa\\*' är för kort"),
])
def test_validation_messages_name_code_and_term(codes, message):
    with pytest.raises(CodebookError, match=message):
        Codebook(codes)


def test_bad_files_give_codebook_errors(tmp_path):
    p = tmp_path / "fel.yaml"
    p.write_text("codes: [{id: a, label: A, synonymer: [x]}]", encoding="utf-8")
    with pytest.raises(CodebookError, match="fel.yaml: okända nycklar \\['synonymer'\\] i koden 'a'"):
        Codebook.from_yaml(p)
    p.write_text("bara: text", encoding="utf-8")
    with pytest.raises(CodebookError, match="ska ha nyckeln 'codes'"):
        Codebook.from_yaml(p)
    with pytest.raises(CodebookError, match="finns inte"):
        Codebook.from_yaml(tmp_path / "saknas.yaml")
    with pytest.raises(CodebookError, match="okänt filformat '.txt'"):
        Codebook.read(tmp_path / "kb.txt")


def test_table_lists_codes():
    t = Codebook.default().table()
    assert list(t["kod"]) == THEMES
    assert (t["antal_termer"] >= 15).all()
