"""Teams/Zoom captions (WebVTT) and SRT files as interview transcripts."""

from pathlib import Path

import pandas as pd
import pytest

from finsam_eval import read_excerpts
from finsam_eval.errors import FinsamError
from finsam_eval.io.export import write_csv
from finsam_eval.io.transcripts import is_role_label, read_lines

CORPUS = Path(__file__).parent / "data" / "foreign" / "utdrag" / "teams_zoom_textning"
NAMES = ("Karin", "Olle", "Lisa", "Per Nyström", "Berg", "Holm")


@pytest.fixture(scope="module")
def df():
    return read_excerpts(CORPUS, filnamn="{forbund}_{roll}_{respondent}")


def test_display_names_never_reach_the_table(df):
    text = df.astype(str).to_csv()
    for name in NAMES:
        assert name not in text
    assert set(df["talare"].dropna()) == {"Talare 1"}


def test_interviewer_found_from_questions_and_kept_as_fraga(df):
    teams = df[df["forbund"] == "Botkyrka"]
    assert list(teams["fraga"]) == ["Hur ser du på förbundets roll i er organisation?",
                                    "Har ni en gemensam bild av målgruppen?"]
    # two cues of one voice are one answer; HTML entities decoded
    assert teams["text"].iloc[0].endswith("sidan om. Handläggarna i teamet är nöjda.")
    assert teams["text"].iloc[1] == "Nej, vi drar nog åt olika håll & det märks."
    assert any("till största delen är frågor" in n for n in df.attrs["notes"])


def test_line_numbers_are_file_lines(df):
    lines = (CORPUS / "Botkyrka_styrelse_R04.vtt").read_text(encoding="utf-8").splitlines()
    first = df[df["forbund"] == "Botkyrka"]["rad"].iloc[0]
    assert "cheferna känner till" in lines[first - 1]


def test_named_interviewer_and_srt_pauses(tmp_path):
    (tmp_path / "Nacka_styrelse_R1.vtt").write_text(
        "WEBVTT\n\n00:00:01.000 --> 00:00:03.000\n<v Eva Lund>Berätta om styrelsen.</v>\n\n"
        "00:00:03.500 --> 00:00:06.000\n<v Bo Ek>Den fungerar.</v>\n", encoding="utf-8")
    out = read_excerpts(tmp_path, filnamn="{forbund}_{roll}_{respondent}", interviewer_labels=["Eva Lund"])
    assert list(out["text"]) == ["Den fungerar."]
    assert list(out["fraga"]) == ["Berätta om styrelsen."]
    srt = read_excerpts(CORPUS / "Sodertalje_deltagare_D07.srt")
    # cues 0,2 s apart join; a 7-second pause starts a new paragraph
    assert list(srt["text"]) == ["Jag kom till insatsen via kommunen. Först var jag tveksam.",
                                 "Nu har jag praktik tre dagar i veckan."]


def test_a_vtt_without_cues_is_a_clear_error(tmp_path):
    p = tmp_path / "tom.vtt"
    p.write_text("WEBVTT\n\nbara text utan tider\n", encoding="utf-8")
    with pytest.raises(FinsamError, match="tom.vtt.*inga tidskodade repliker"):
        read_lines(p)


def test_role_labels():
    assert is_role_label("IP2") and is_role_label("Intervjuare") and not is_role_label("Olle Berg")


def test_word_hits_are_not_suppressed_as_person_counts(tmp_path):
    t = pd.DataFrame({"utdrag_id": ["a", "b"], "antal_traffar": [1, 2], "antal": [1, 40]})
    write_csv(t, tmp_path / "k.csv")
    lines = (tmp_path / "k.csv").read_text(encoding="utf-8-sig").splitlines()
    assert lines[1] == "a;1;.." and lines[2] == "b;2;40"
