"""Intervjuguide: YAML, linking answers to guide questions (checked against a hand key), structural codes."""

from __future__ import annotations

import doctest
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import pandas as pd
import pytest

from finsam_eval.coding import CodingResult, Intervjuguide, code_excerpts
from finsam_eval.coding import guide as guide_module
from finsam_eval.errors import CodebookError, InputFileError, MissingColumnError, SchemaError
from finsam_eval.io import read_excerpts

ROOT = Path(__file__).resolve().parents[1]
FOLDER = ROOT / "data_samples" / "intervjuer"
GUIDE = ROOT / "data_samples" / "intervjuguide.yaml"

# The guide question each spoken question belongs to, read by hand from the sample transcripts
# (None: a closing question outside the guide).
KEY = {
    "Ja, men vi kan börja med din roll. Hur kom du in i förbundets arbete?": "F1",
    "Okej. Och hur känt är förbundet inne i din egen organisation, tror du?": "F2",
    "Hur menar du då?": "F2",
    "Ses arbetet i förbundet som kärnverksamhet, eller mer som något vid sidan om?": "F3",
    "Har ni en gemensam bild i styrelsen av vilka problem förbundet ska lösa?": "F4",
    "Hur fattas och förankras besluten från styrelsen hemma hos er?": "F6",
    "Mm. Vad händer med insatserna när projekttiden är slut, tar någon part över dem?": "F8",
    "Vill du lägga till något innan vi slutar?": None,
    "Kan du berätta lite om din roll och hur du kommer i kontakt med förbundet?": "F1",
    "Hur känt är förbundet hos er, på Arbetsförmedlingen?": "F2",
    "Vet dina kollegor och chefer vad förbundet gör?": "F2",
    "Och klimatet i samverkan, hur skulle du beskriva det? Tillit, öppenhet?": "F5",
    "Räcker resurserna, pengar, personal, tid, för det ni vill göra?": "F7",
    "Varför det?": "F7",
    "Vilka hinder finns det för samverkan, formella eller informella?": "F10",
    "Okej. Hur vet ni om insatserna fungerar?": "F9",
    "Vi börjar med dig. Vad är din roll och hur länge har du varit med?": "F1",
    "Hur känt tycker du att förbundet är inne i parternas organisationer?": "F2",
    "Ses förbundets arbete som kärnverksamhet hos parterna eller något vid sidan om?": "F3",
    "Har parterna samma bild av vad förbundet ska göra och för vilka?": "F4",
    "Hur är klimatet i samverkan, finns det tillit?": "F5",
    "Vad händer när en insats ska tas över av ordinarie verksamhet?": "F8",
    "Hur följer ni upp resultaten?": "F9",
    "Berätta lite om vad du gör och hur du har kontakt med förbundet.": "F1",
    "Hur känt är förbundet på din arbetsplats?": "F2",
    "Känner du dig som en del av kommunen eller av förbundet?": "F3",
    "Hur är samarbetet med de andra myndigheterna i teamet?": "F5",
    "Kan du ge ett exempel?": "F5",
    "Vad händer med ert team när projekttiden tar slut?": "F8",
    "Hur vet ni om det ni gör fungerar?": "F9",
    "Finns det hinder i arbetet, regler eller annat?": "F10",
    "Kan du börja med din roll i förbundet?": "F1",
    "Hur känt är förbundet inne i regionen?": "F2",
    "Ses arbetet som kärnverksamhet eller något vid sidan om?": "F3",
    "Har ni samma bild i styrelsen av vilka problem förbundet ska lösa?": "F4",
    "Hur förankras besluten hemma i regionen?": "F6",
    "Räcker pengarna?": "F7",
    "Vad händer med insatserna efter projekttiden?": "F8",
    "Och hinder för samverkan?": "F10",
    "Vad är din roll och hur kom du in i förbundet?": "F1",
    "Hur känt är förbundet på Försäkringskassan?": "F2",
    "Är förbundet en del av kärnverksamheten hos er, eller något vid sidan om?": "F3",
    "Har parterna en gemensam bild av problemen och målgruppen?": "F4",
    "Hur menar du?": "F4",
    "Hur är klimatet i samverkan?": "F5",
    "Och resurserna, personal och tid?": "F7",
    "Hur följer ni upp om det ger resultat?": "F9",
    "Kan du beskriva din roll?": "F1",
    "Hur känt är förbundet hos parterna, tror du?": "F2",
    "Ses förbundet som en del av kärnverksamheten?": "F3",
    "Finns det en gemensam bild av vilka problem ni ska lösa?": "F4",
    "Hur är samarbetsklimatet?": "F5",
    "Vad händer med insatser när projekttiden är slut?": "F8",
    "Mm. Och varför lades den ner?": "F8",
    "Vilka hinder ser du?": "F10",
    "Berätta om ditt arbete och din kontakt med förbundet.": "F1",
    "Är ni en del av kärnverksamheten?": "F3",
    "Hur är samarbetet med de andra i teamet?": "F5",
    "Räcker resurserna?": "F7",
    "Vad händer när projekttiden tar slut?": "F8",
    "Hur vet ni om det fungerar?": "F9",
    "Sista frågan, finns det hinder?": "F10",
}


@pytest.fixture(scope="module")
def ex() -> pd.DataFrame:
    return read_excerpts(FOLDER, filnamn="{forbund}_{roll}_{respondent}")


@pytest.fixture(scope="module")
def guide() -> Intervjuguide:
    return Intervjuguide.from_yaml(GUIDE)


def test_sample_transcripts_read_with_questions(ex):
    assert len(list(FOLDER.glob("*.txt"))) == 8
    assert len(ex) == 64  # 8 interviews, 7-9 answers each, counted by hand
    assert ex["fraga"].notna().all()
    assert set(ex["forbund"]) == {"Huddinge", "Botkyrka"}
    assert ex.groupby("forbund")["respondent_id"].nunique().tolist() == [4, 4]
    assert "Huddinge:R01" in set(ex["respondent_id"]) and "Botkyrka:R01" in set(ex["respondent_id"])
    assert set(ex["fraga"]) == set(KEY)


def test_yaml_round_trip_and_table(guide, tmp_path):
    assert len(guide) == 10 and guide.questions[1].followups
    again = Intervjuguide.from_yaml(guide.to_yaml(tmp_path / "g.yaml") and tmp_path / "g.yaml")
    assert again == guide
    t = guide.table()
    assert list(t.columns) == ["fraga_id", "tema", "fraga", "koder", "foljdfragor"]
    assert t.loc[t.fraga_id == "F8", "koder"].item() == "implementering, hallbarhet"
    from finsam_eval.coding import Codebook

    labelled = guide.table(Codebook.default())
    assert labelled.loc[labelled.fraga_id == "F1", "koder"].item() == "Bakgrund och roll"
    assert "Hållbarhet" in labelled.loc[labelled.fraga_id == "F8", "koder"].item()


def test_guide_errors(tmp_path):
    with pytest.raises(SchemaError, match="saknar id"):
        Intervjuguide([{"text": "Hur går det?"}])
    with pytest.raises(SchemaError, match="F1.*saknar text"):
        Intervjuguide([{"id": "F1"}])
    with pytest.raises(SchemaError, match=r"flera gånger: \['F1'\]"):
        Intervjuguide([{"id": "F1", "text": "a"}, {"id": "F1", "text": "b"}])
    bad = tmp_path / "trasig.yaml"
    bad.write_text("questions:\n  - id: F1\n    text: [oavslutad\n", encoding="utf-8")
    with pytest.raises(InputFileError, match="trasig.yaml.*rad"):
        Intervjuguide.from_yaml(bad)
    with pytest.raises(InputFileError, match="finns inte"):
        Intervjuguide.from_yaml(tmp_path / "saknas.yaml")
    g = Intervjuguide([{"id": "F1", "text": "Hur känt är förbundet?", "codes": ["okand_kod"]}])
    with pytest.raises(CodebookError, match="fråga F1 har koderna \\['okand_kod'\\]"):
        g.codebook_for()
    with pytest.raises(MissingColumnError, match="'fraga'.*read_excerpts"):
        g.match(pd.DataFrame({"excerpt_id": [1], "text": ["x"]}))
    with pytest.raises(ValueError, match="threshold"):
        g.match(pd.DataFrame({"excerpt_id": [1], "fraga": ["x"]}), threshold=1.5)


def test_match_against_hand_key(ex, guide):
    m = guide.match(ex)
    t = m.table()
    assert len(t) == len(ex) and t["excerpt_id"].tolist() == ex["excerpt_id"].tolist()  # nothing dropped
    truth = [KEY[q] for q in t["fraga"]]
    got = [None if pd.isna(x) else x for x in t["fraga_id"]]
    correct = sum(g == k for g, k in zip(got, truth) if g is not None)
    wrong = [(q, g, k) for q, g, k in zip(t["fraga"], got, truth) if g is not None and g != k]
    missed = [q for q, g, k in zip(t["fraga"], got, truth) if g is None and k is not None]
    # counted by hand: 59 of 63 guide answers right, one wrong ("beskriva" pulls towards F5),
    # three listed: two below 0,2 (organisation names dilute the question) and one tie F2/F4
    assert correct == 59
    assert wrong == [("Kan du beskriva din roll?", "F5", "F1")]
    assert sorted(missed) == sorted(["Hur känt är förbundet på Försäkringskassan?",
                                     "Hur känt är förbundet hos er, på Arbetsförmedlingen?",
                                     "Hur känt är förbundet hos parterna, tror du?"])
    un = m.unmatched()
    assert len(un) == 4 and (un["orsak"] != "").all()
    assert un.loc[un.fraga.str.startswith("Vill du"), "orsak"].item() == "avslutande fråga utanför guiden"
    assert "lika nära (F4 och F2)" in un.loc[un.fraga.str.contains("parterna, tror"), "orsak"].item()
    # probes continue the question before them in the same interview
    probes = t[t["kopplad"] == "föregående fråga"]
    assert sorted(probes["fraga"]) == sorted(["Hur menar du då?", "Varför det?", "Kan du ge ett exempel?",
                                              "Hur menar du?", "Mm. Och varför lades den ner?"])
    assert all(KEY[q] == f for q, f in zip(probes["fraga"], probes["fraga_id"]))
    # a lower threshold links the two diluted questions (measured: 61 right at 0,15)
    t15 = guide.match(ex, threshold=0.15).table()
    assert sum(KEY[q] == f for q, f in zip(t15["fraga"], t15["fraga_id"]) if isinstance(f, str)) == 61
    assert m.per_question()["svar"].sum() == 60
    assert m.notes[0].startswith("64 svar: 55 kopplade genom likhet, 5 korta följdfrågor kopplade till frågan före, "
                                 "4 utan koppling (0 saknar intervjuarens fråga)")


def test_structural_codes_next_to_content_codes(ex, guide):
    content = code_excerpts(ex)
    res = guide.code(ex, content)
    assert isinstance(res, CodingResult)
    src = res.long.groupby("kodkalla").size()
    assert set(src.index) == {"intervjuguide", "kodbok"}
    assert src["kodbok"] == len(content.long)
    # every linked answer carries its question's codes; F8 asks about two
    n_struct = sum(len(next(q for q in guide.questions if q.id == f).codes)
                   for f in res.guide_match.table()["fraga_id"].dropna())
    assert src["intervjuguide"] == n_struct
    # a short answer with no cue word gets its theme from the question
    row = ex[ex["text"].str.startswith("Nej. Inte alls. Det fungerar bra")].iloc[0]
    codes = res.long[res.long["excerpt_id"] == row["excerpt_id"]]
    assert ("legitimitet", "intervjuguide") in set(zip(codes["code"], codes["kodkalla"]))
    # the unmatched are recorded, by id
    assert any("kunde inte kopplas" in e.reason and e.count == 4 for e in res.exclusions.items)
    assert any("Kodernas källa" in n for n in res.notes)
    # one row per excerpt and code in counts, however many sources gave it
    both = res._long(recursive=False)
    assert not both.duplicated(["excerpt_id", "code"]).any()
    assert (both["kodkalla"] == "kodbok + intervjuguide").any()
    # only what was said
    said = res.with_sources("kodbok")
    assert said.table(codes=content.codes).set_index("kod")["utdrag"].equals(content.table().set_index("kod")["utdrag"])
    # legitimacy: asked of all 8, named in fewer answers
    prev = res.prevalence(codes=["legitimitet"]).table().iloc[0]
    assert prev["antal"] == 8 and prev["kvantifierare"] == "samtliga"
    assert said.prevalence(codes=["legitimitet"]).table().iloc[0]["antal"] < 8


def test_guide_alone_and_method_text(ex, guide):
    res = guide.code(ex)
    assert set(res.long["kodkalla"]) == {"intervjuguide"}
    assert "bakgrund" in res.codebook
    txt = guide.method_text(res.guide_match)
    assert "10 frågor" in txt and "60 av 64 svar" in txt and "gräns för likhet 0,20" in txt
    assert "5 korta följdfrågor" in txt


def test_match_plot_renders(ex, guide, tmp_path):
    fig = guide.match(ex).plot()
    fig.savefig(tmp_path / "likhet.png", dpi=80)
    assert (tmp_path / "likhet.png").stat().st_size > 5000


def test_docstring_examples():
    r = doctest.testmod(guide_module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert r.failed == 0 and r.attempted >= 5


def test_negation_comes_from_the_answer_not_the_question():
    g = Intervjuguide([{"id": "F4", "text": "Har parterna en gemensam bild av problemen?", "codes": ["samsyn"]}])
    ex = pd.DataFrame({"excerpt_id": ["a", "b"], "respondent_id": ["H:R1", "H:R2"], "kalla": "intervju",
                       "fraga": ["Har parterna en gemensam bild av problemen?"] * 2,
                       "text": ["Nej, det finns ingen samsyn alls.", "Ja."]})
    from finsam_eval.coding import Code, Codebook

    cb = Codebook([Code("samsyn", "Samsyn", include=["samsyn"])])
    res = g.code(ex, code_excerpts(ex, cb))
    rows = res._long(recursive=False).set_index("excerpt_id")
    assert rows.loc["a", "negated"] and not rows.loc["b", "negated"]  # "Ja." is structural only
    assert res.table(exclude_negated=True).set_index("kod").loc["samsyn", "utdrag"] == 1


def test_answers_without_question_are_listed_not_dropped():
    g = Intervjuguide([{"id": "F1", "text": "Hur känt är förbundet?", "codes": ["legitimitet"]}])
    ex = pd.DataFrame({"excerpt_id": [1, 2, 3], "respondent_id": ["A", "B", "C"], "text": ["x", "y", "z"],
                       "fraga": [None, float("nan"), ""]})
    m = g.match(ex)
    assert len(m.unmatched()) == 3 and set(m.unmatched()["orsak"]) == {"svaret saknar intervjuarens fråga"}
    res = g.code(ex)
    assert res.long.empty and res.exclusions.items[0].count == 3
    with pytest.raises(InputFileError, match="citattecken eller i blockform"):
        Intervjuguide.from_yaml("questions:\n  - id: F1\n    text: a\n    followups: [Hur då?]\n")
