"""read_excerpts on files written by other tools and people (tests/data/foreign/utdrag, issue 9).

The generic contract (correct read or a clear error) is checked by the corpus
runner; here the specific values: who the respondents are, what was skipped,
which question goes with which answer, and that no personnummer comes out.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest

from finsam_eval._config import option_context
from finsam_eval.coding import code_excerpts
from finsam_eval.errors import SchemaError
from finsam_eval.io import parse_transcript, read_excerpts
from finsam_eval.io.excerpt_columns import FALLBACK_NOTE
from finsam_eval.privacy.guard import check_output, holds_personnummer

D = Path(__file__).parent / "data" / "foreign" / "utdrag"
PATTERN = "{forbund}_{roll}_{respondent}"


def _read(name: str, **kw) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return read_excerpts(D / name, **kw)


def _skipped(df: pd.DataFrame, fil: str) -> tuple[int, ...]:
    items = [e for e in df.attrs["exclusions"].items if e.action == "överhoppad" and e.reason.endswith(fil)]
    return tuple(r for e in items for r in e.rows)


def test_a_column_called_respondent_gives_people_not_zero():
    df = _read("excel_kolumn_respondent.csv")
    assert df["respondent_id"].notna().all() and df["respondent_id"].nunique() == 4
    assert not df.attrs["respondent_fallback"]
    res = code_excerpts(df)
    assert res.n_respondents == 4
    assert res.notes[0] == "n = 20 utdrag från 4 respondenter."
    with option_context(min_count=1):  # 4 people is under the publication threshold; look at the base itself
        assert (res.prevalence().tidy["bas"] == 4).all()  # was 0 when the column was left empty


def test_swedish_excel_export_with_ip_and_question_columns():
    df = _read("excel_ip_fraga_cp1252.csv")
    assert df.attrs["kolumner"] == {"id": "Utdrag ID", "text": "Citat", "respondent": "IP", "forbund": "Förbund",
                                    "roll": None, "fraga": "Fråga"}
    assert df["excerpt_id"].tolist()[:6] == ["U001", "U002", "U003", "U004", "U005", "U007"]
    assert df.loc[0, "fraga"] == "Hur ser samverkan ut i dag?" and df["fraga"].notna().all()
    empty = [e for e in df.attrs["exclusions"].items if e.reason == "tom text"]
    assert len(empty) == 1 and empty[0].rows == (7,) and empty[0].column is None
    assert df["respondent_id"].nunique() == 5 and set(df["forbund"]) == {"Huddinge"}


def test_google_sheets_keeps_line_breaks_inside_quoted_texts():
    df = _read("google_sheets_informant.csv")
    assert df.loc[2, "text"].startswith("Mm.\nJag tycker väl")
    assert df["respondent_id"].nunique() == 3
    assert df.groupby("forbund")["respondent_id"].nunique().to_dict() == {"Botkyrka": 1, "Huddinge": 1,
                                                                        "Södertälje": 1}


def test_r01_in_each_forbund_is_three_people_unless_ids_are_global():
    df = _read("r01_i_varje_forbund.csv")
    assert df["respondent_id"].nunique() == 12
    assert set(df.loc[df["forbund"] == "Huddinge", "respondent_id"]) == {f"Huddinge:R0{k}" for k in range(1, 5)}
    rec = [e for e in df.attrs["exclusions"].items if e.action == "omkodad"]
    assert rec and rec[0].count == 24 and "(4 id" in rec[0].reason
    assert any("4 id förekom i flera förbund" in n for n in df.attrs["notes"])
    assert _read("r01_i_varje_forbund.csv", respondent_global=True)["respondent_id"].nunique() == 4
    files = _read("r01_i_filnamn", filnamn=PATTERN)
    assert files["respondent_id"].nunique() == 3
    assert _read("r01_i_filnamn", filnamn=PATTERN, respondent_global=True)["respondent_id"].nunique() == 1


def test_two_respondent_candidates_are_an_error_until_one_is_named():
    with pytest.raises(SchemaError, match=r"flera kolumner som kan vara rollen 'respondent': 'respondent', 'IP'"):
        read_excerpts(D / "tva_respondentkolumner.csv")
    df = read_excerpts(D / "tva_respondentkolumner.csv", kolumner={"respondent": "IP"})
    assert df["respondent_id"].tolist() == ["IP1", "IP2", "IP1"] and "respondent" in df.columns
    with pytest.raises(SchemaError, match=r"okänd roll 'person'"):
        read_excerpts(D / "tva_respondentkolumner.csv", kolumner={"person": "IP"})


def test_an_excerpt_of_200000_characters_reads_and_codes():
    df = _read("langt_utdrag.csv.gz")
    assert df["text"].str.len().tolist()[1] == 200_000
    res = code_excerpts(df)
    assert res.n_excerpts == 3 and res.n_respondents == 3


def test_nvivo_and_maxqda_exports():
    nv = _read("nvivo_kodningsexport.xlsx", kolumner={"text": "Kodat innehåll"})
    assert nv["respondent_id"].nunique() == 6  # IP1-IP3 in each of two förbund
    mq = _read("maxqda_kodade_segment.xlsx")
    assert mq.attrs["respondent_fallback"] and FALLBACK_NOTE in mq.attrs["notes"]
    assert (mq["respondent_id"] == mq["excerpt_id"]).all()
    made = [e for e in mq.attrs["exclusions"].items if e.column == "respondent_id"]
    assert made[0].action == "skapad" and made[0].count == 10
    res = code_excerpts(mq)
    assert FALLBACK_NOTE in res.notes and FALLBACK_NOTE in res.prevalence().notes
    named = _read("maxqda_kodade_segment.xlsx", kolumner={"respondent": "Dokumentnamn", "forbund": "Dokumentgrupp"})
    assert named["respondent_id"].nunique() == 4 and not named.attrs["respondent_fallback"]


def test_typed_txt_transcripts():
    with pytest.warns(UserWarning, match=r"följer inte filnamnsmönstret .*: intervju_styrelse_1\.txt"):
        df = read_excerpts(D / "txt_som_folk_skriver", filnamn=PATTERN)
    odd = df[df["fil"] == "intervju_styrelse_1.txt"]
    assert odd["forbund"].isna().all() and odd["roll"].isna().all()  # not förbund 'intervju'
    bot = df[df["fil"] == "Botkyrka_styrelse_R01.txt"].reset_index(drop=True)
    assert _skipped(df, "Botkyrka_styrelse_R01.txt") == (1, 2)  # title and date line
    assert bot.loc[0, "text"].startswith("Ja, alltså jag sitter i styrelsen sen... ja")  # '...' kept
    # 'I: Mm.' is no question: the answer after it keeps the question before it
    assert bot.loc[1, "fraga"] == bot.loc[0, "fraga"] == (
        "Ja men om du börjar med att berätta lite om din roll i förbundet?")
    assert bot.loc[2, "anteckningar"] == "(skratt)" and "skratt" not in bot.loc[2, "text"]
    assert bot.loc[2, "text"].endswith("ta initiativ. Nu har vi en samordnare som driver på.")  # wrapped line joined
    assert "[ohörbart]" in bot.loc[3, "text"] and bot.loc[3, "fraga"] == "Vad tror du att det beror"
    assert bot.loc[4, "text"] == "Mm." and bot["rad"].tolist() == [5, 7, 9, 12, 14]
    hud = df[df["fil"] == "Huddinge_samordnare_R01.txt"].reset_index(drop=True)  # cp1252 with time stamps
    assert hud.loc[0, "text"] == "Oj. Det är väl... möten. Många möten. Och så deltagarna förstås."
    assert hud.loc[1, "text"] == ("Kanske hälften? Resten är uppföljning och sånt. "
                                  "Fast det har blivit bättre sen vi fick det nya systemet.")
    assert not hud["text"].str.contains(r"\d\d:\d\d").any()
    assert df["respondent_id"].nunique() == 3
    plain = _read("txt_som_folk_skriver")  # no pattern: names are not parsed
    assert plain["forbund"].isna().all()
    assert any(n.startswith("Filnamnen tolkades inte") for n in plain.attrs["notes"])


def test_word_headings_dates_images_and_table_transcripts():
    df = _read("word_rubriker_och_tabell", filnamn=PATTERN)
    bot = df[df["forbund"] == "Botkyrka"]
    assert bot["text"].tolist() == [
        "Sen 2021. Jag kom in när förra ledamoten gick i pension.",
        "Bra. Vi är överens om det mesta. Fast inte alltid om pengarna, då kan det bli diskussioner.",
        "Nej, det var nog allt.",
    ]
    assert _skipped(df, "Botkyrka_styrelse_R01.docx") == (1, 2, 3, 7, 11)  # title, date, heading, heading, page
    hud = df[df["forbund"] == "Huddinge"]
    assert hud["talare"].tolist() == ["R01", "R01"] and hud["text"].tolist()[0] == (
        "Genom min chef, hon tyckte att jag skulle gå på ett möte. Och sen blev det så. Ja.")
    assert hud["fraga"].tolist() == ["Hur kom du in i samordningsförbundets arbete?", "Vad har det gett dig?"]
    assert _skipped(df, "Huddinge_styrelse_R01.docx") == (1, 2)  # date line, table header row
    assert not df["text"].str.contains("Datum|Intervju med|Bakgrund|Talare").any()


def test_pdf_report_text_has_no_speakers():
    df = _read("pdf_rapporttext")
    assert df["talare"].isna().all() and len(df) == 3
    assert "Insatsledare: en socionom" in df.loc[0, "text"] and "Samverkansresurs: en heltidstjänst" in df.loc[0, "text"]
    assert _skipped(df, "verksamhetsberattelse_2023.txt") == (1, 2, 4, 18)  # two title lines, two page numbers


def test_utf16_focus_groups_count_each_speaker_in_each_file():
    df = _read("utf16_fokusgrupp", filnamn="{forbund}_{roll}_{_}")
    assert df["respondent_id"].nunique() == 5  # R1-R3 in FG1, R1-R2 in FG2
    fg2 = df[df["fil"] == "Sodertalje_insatspersonal_FG2.txt"]  # UTF-16 without a byte order mark
    assert fg2["text"].tolist() == ["Trångt.", "Väldigt trångt."] and fg2["anteckningar"].tolist()[1] == "(skratt)"
    assert set(df["fraga"]) == {"Vad tycker ni har fungerat bäst?", "Och det som fungerat sämst?",
                                "Hur är det med lokalerna?"}


def test_personnummer_in_file_names_never_come_out():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        df = read_excerpts(D / "filnamn_med_personnummer", filnamn="{respondent}")
    for w in caught:
        assert not holds_personnummer(str(w.message))
    check_output(df, where="utdragen")  # cells, index, column names and attrs notes
    assert not holds_personnummer(df.attrs["exclusions"].describe())
    assert df["excerpt_id"].str.fullmatch(r"T[0-9a-f]{10}-t\d{3}").all()
    assert df["respondent_id"].nunique() == 2 and df["fil"].str.fullmatch(r"T[0-9a-f]{10}\.(txt|docx)").all()
    again = _read("filnamn_med_personnummer")
    assert again["excerpt_id"].tolist() == df["excerpt_id"].tolist()  # stable: a hash of the content


def test_speaker_labels_known_seen_on_several_lines_or_given():
    # one capitalised word with a colon is text, not a speaker
    assert parse_transcript("I: Vem betalar?\nIP: Kommunen mest.\nSamverkansresurs: två tjänster.") == [
        ("I", "Vem betalar?"), ("IP", "Kommunen mest. Samverkansresurs: två tjänster.")]
    # a name starting several lines in a dialogue is a speaker; one the user names is one at once
    assert [s for s, _ in parse_transcript("Karin: Hej.\nOla: Hej hej.\nKarin: Vi kör.\nOla: Ja.")] == [
        "Karin", "Ola", "Karin", "Ola"]
    assert [s for s, _ in parse_transcript("I: Och sedan?\nGunilla: Sedan blev det bättre.", talare=["Gunilla"])] == [
        "I", "Gunilla"]


def test_sidecar_metadata_with_other_column_names(tmp_path):
    meta = tmp_path / "metadata.csv"
    meta.write_text("Fil;IP;Förbund;Roll\nBotkyrka_samordnare_R01.txt;B1;Botkyrka;Samordnare\n"
                    "Huddinge_samordnare_R01.txt;H1;Huddinge;samordnare\n"
                    "Södertälje_samordnare_R01.txt;S1;Södertälje;samordnare\n", encoding="utf-8")
    df = read_excerpts(D / "r01_i_filnamn", metadata=meta)
    assert sorted(df["respondent_id"].unique()) == ["B1", "H1", "S1"] and set(df["roll"]) == {"samordnare"}


def test_empty_respondent_cells_are_never_zero_respondents(tmp_path):
    p = tmp_path / "utdrag.csv"
    p.write_text("respondent;text\nA;Det funkar bra.\n;Vi ses för sällan.\nA;Mm, precis.\n;Det saknas pengar.\n",
                 encoding="utf-8")
    df = read_excerpts(p)
    assert df["respondent_id"].nunique() == 3  # A, and each empty cell its own respondent
    filled = [e for e in df.attrs["exclusions"].items if e.action == "ifylld"]
    assert filled[0].rows == (3, 5) and filled[0].count == 2
    allempty = read_excerpts(pd.DataFrame({"respondent_id": [None, None], "text": ["a", "b"]}))
    assert allempty.attrs["respondent_fallback"] and allempty["respondent_id"].nunique() == 2


# --------------------------------------------------------------------------- property: names never leak
def _check_digit(nine: str) -> str:
    from finsam_eval.privacy import luhn_ok

    return next(d for d in "0123456789" if luhn_ok(nine + d))


_SEPS = ["", "-", "+", " ", "\u2013", "\u00a0", "\u2011", " - "]


def _pnr_strategy():
    from hypothesis import strategies as st

    @st.composite
    def written(draw) -> tuple[str, str]:
        year, month, day = draw(st.integers(1925, 2010)), draw(st.integers(1, 12)), draw(st.integers(1, 28))
        day += 60 * draw(st.booleans())  # samordningsnummer
        nine = f"{year % 100:02d}{month:02d}{day:02d}{draw(st.integers(0, 999)):03d}"
        ten = nine + _check_digit(nine)
        digits = f"{year // 100}{ten}" if draw(st.booleans()) else ten
        cut = len(digits) - 4
        return digits[:cut] + draw(st.sampled_from(_SEPS)) + digits[cut:], ten

    return written()


def test_personnummer_in_transcript_names_never_reach_ids_notes_or_warnings(tmp_path_factory):
    import re

    from hypothesis import HealthCheck, given, settings

    @settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(_pnr_strategy())
    def check(pnr):
        text, ten = pnr
        d = tmp_path_factory.mktemp("pnr")
        (d / f"Huddinge_{text}.txt").write_text("I: Hur gick det?\nIP: Bra, tack.\n", encoding="utf-8")
        (d / f"{text}.txt").write_text("Bara ett stycke utan talare.\n", encoding="utf-8")
        leak = re.compile(r"\D{0,3}".join(ten))
        for kw in ({}, {"filnamn": "{forbund}_{respondent}"}, {"filnamn": "{respondent}"}):
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                df = read_excerpts(d, **kw)
            check_output(df, where="utdragen")
            shown = df.astype(str).to_csv() + repr(df.attrs) + df.attrs["exclusions"].describe()
            shown += "".join(str(w.message) for w in caught)
            assert not leak.search(shown)
            assert df["respondent_id"].nunique() == 2

    check()


def test_section_headings_inside_a_transcript_are_not_part_of_an_answer():
    turns = parse_transcript("I: Hur började det?\nIP: Med ett möte.\n\nTEMA 2 SAMVERKAN\n\nI: Och sen?\nIP: OK.\n"
                             "Del 3 – Resultat\n## Avslutning\nI: Något mer?\nIP: NEJ")
    assert turns == [("I", "Hur började det?"), ("IP", "Med ett möte."), ("I", "Och sen?"), ("IP", "OK."),
                     ("I", "Något mer?"), ("IP", "NEJ")]


def test_one_transcript_file_or_a_txt_table(tmp_path):
    one = _read("word_rubriker_och_tabell/Huddinge_styrelse_R01.docx")
    assert one["talare"].tolist() == ["R01", "R01"] and one.attrs["source"] == "Huddinge_styrelse_R01.docx"
    pnr = _read("filnamn_med_personnummer/811218-9876.txt")
    assert pnr["text"].tolist() == ["Via min handläggare på kommunen.", "Bra. Jag har praktik nu."]
    check_output(pnr, where="utdragen")
    table = tmp_path / "utdrag.txt"  # a tab-separated export saved as .txt is still a table
    table.write_text("IP\tCitat\nA\tDet funkar.\nB\tInte alls.\n", encoding="utf-8")
    assert read_excerpts(table)["respondent_id"].tolist() == ["A", "B"]


def test_wrong_arguments_and_disguised_files_are_project_errors(tmp_path):
    from finsam_eval.errors import FinsamError, InputFileError

    (tmp_path / "a.txt").write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj")
    with pytest.raises(InputFileError, match=r"'a.txt' heter .txt men är en PDF-fil"):
        read_excerpts(tmp_path)
    for bad in ({"source": 5}, {"source": D / "r01_i_filnamn", "filnamn": "{1forbund}_{roll}"},
                {"source": D / "excel_kolumn_respondent.csv", "kolumner": "respondent"}):
        with pytest.raises(FinsamError):
            read_excerpts(**bad)


def test_any_text_splits_into_turns_and_every_line_is_kept_or_recorded():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from finsam_eval.io.transcripts import Line, split_turns

    words = st.sampled_from(["I:", "IP:", "R1:", "Anna:", "Datum:", "ja", "mm", "(skratt)", "[ohörbart]", "...",
                             "Samverkan", "fungerar", "2024-03-12", "[00:01:02]", "–", "bra.", "?", "\n", "\n\n"])

    @settings(max_examples=150, deadline=None)
    @given(st.lists(words, max_size=40), st.text(max_size=60))
    def check(parts, noise):
        text = " ".join(parts) + noise
        lines = [Line(i, t) for i, t in enumerate(text.splitlines(), start=1)]
        turns, skipped = split_turns(lines)
        assert all(t.text for t in turns)
        said = " ".join(t.text for t in turns)
        gone = {s.no for s in skipped}
        for ln in lines:  # a content word is in a turn, or its whole line is recorded as skipped
            for w in ("fungerar", "Samverkan"):
                if w in ln.text and ln.no not in gone:
                    assert w in said, (w, ln.text)

    check()
