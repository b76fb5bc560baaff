"""read_excerpts: tables, transcript folders (.txt and .docx), metadata, code lists."""

from __future__ import annotations

import shutil
from pathlib import Path

import docx
import pandas as pd
import pytest

from finsam_eval.errors import DuplicateIdError, InputFileError, SchemaError, UnknownLabelError
from finsam_eval.io import parse_code_list, parse_transcript, read_excerpts

DATA = Path(__file__).parent / "data" / "io"


def _docx(path: Path, paragraphs: list[str], table: list[tuple[str, str]] | None = None) -> None:
    d = docx.Document()
    for p in paragraphs:
        d.add_paragraph(p)
    if table:
        t = d.add_table(rows=0, cols=2)
        for a, b in table:
            cells = t.add_row().cells
            cells[0].text, cells[1].text = a, b
    d.save(str(path))


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    shutil.copy(DATA / "Huddinge_samordnare_R07.txt", tmp_path)
    _docx(
        tmp_path / "Botkyrka_styrelse_R03.docx",
        [
            "Intervjuare: Hur ser styrelsen på förbundets uppdrag?",
            "Respondent: Vi ser det som ett gemensamt ansvar.",
            "Men alla parter prioriterar det inte lika mycket.",
            "Intervjuare: Vad skulle behövas?",
            "Respondent: Tydligare mandat från kommunen.",
        ],
    )
    _docx(
        tmp_path / "Östra-Södertörn_insatspersonal_R11.docx",
        [
            "Teamet arbetar nära Arbetsförmedlingen och kommunen.",
            "",
            "Deltagarna får stöd i sin egen takt.",
        ],
    )
    (tmp_path / "~$Botkyrka_styrelse_R03.docx").write_bytes(b"lock file from Word")
    (tmp_path / "noter.md").write_text("ignoreras")
    return tmp_path


PATTERN = "{forbund}_{roll}_{respondent}"


def test_folder_with_name_pattern(folder):
    ex = read_excerpts(folder, filnamn=PATTERN)
    assert list(ex.columns[:11]) == [
        "excerpt_id",
        "text",
        "forbund",
        "respondent_id",
        "roll",
        "fraga",
        "kalla",
        "datum",
        "fil",
        "tur",
        "talare",
    ]
    bot = ex[ex["fil"] == "Botkyrka_styrelse_R03.docx"]
    assert bot["text"].tolist() == [
        "Vi ser det som ett gemensamt ansvar. Men alla parter prioriterar det inte lika mycket.",
        "Tydligare mandat från kommunen.",
    ]
    assert bot["tur"].tolist() == [2, 4]
    assert bot["fraga"].tolist() == ["Hur ser styrelsen på förbundets uppdrag?", "Vad skulle behövas?"]
    assert bot["excerpt_id"].tolist() == ["Botkyrka_styrelse_R03-t002", "Botkyrka_styrelse_R03-t004"]
    assert (
        set(bot["forbund"]) == {"Botkyrka"}
        and set(bot["roll"]) == {"styrelse"}
        and set(bot["respondent_id"]) == {"R03"}
    )
    hud = ex[ex["fil"] == "Huddinge_samordnare_R07.txt"]  # cp1252 text, time stamps before labels
    assert hud["text"].tolist() == [
        "Vi har träffats varannan vecka i teamet. Det har gjort att vi förstår varandras uppdrag bättre.",
        "Styrelsen är mer engagerad nu, men förankringen hos kommunen är svag. Det märks när budgeten diskuteras.",
    ]
    assert hud["talare"].tolist() == ["IP", "IP"]
    ost = ex[ex["forbund"] == "Östra Södertörn"]  # '-' in the file name becomes a space
    assert ost["text"].tolist() == [
        "Teamet arbetar nära Arbetsförmedlingen och kommunen.",
        "Deltagarna får stöd i sin egen takt.",
    ]
    assert ost["talare"].isna().all() and ost["tur"].tolist() == [1, 2]
    assert (ex["kalla"] == "intervju").all()
    assert ex["excerpt_id"].is_unique
    tab = ex.attrs["exclusions"].table().set_index("orsak")
    assert tab.loc["intervjuarens repliker (räknas inte som utdrag)", "antal"] == 4


def test_include_interviewer(folder):
    ex = read_excerpts(folder, include_interviewer=True, filnamn=PATTERN)
    bot = ex[ex["fil"] == "Botkyrka_styrelse_R03.docx"]
    assert bot["talare"].tolist() == ["Intervjuare", "Respondent", "Intervjuare", "Respondent"]
    assert not ex.attrs["exclusions"]
    assert bot["respondent_id"].isna().tolist() == [True, False, True, False]  # the interviewer is no respondent


def test_sidecar_metadata(folder):
    meta = pd.DataFrame(
        {
            "fil": ["Botkyrka_styrelse_R03", "Huddinge_samordnare_R07.txt", "Östra-Södertörn_insatspersonal_R11.docx"],
            "forbund": ["Botkyrka", "Huddinge", "Östra Södertörn"],
            "respondent_id": ["B-01", "H-07", "O-11"],
            "roll": ["Styrelse", "samordnare", "insatspersonal"],
            "datum": ["2024-03-01", "2024-03-05", "2024-04-10"],
            "kon": ["k", "m", "k"],
        }
    )
    path = folder.parent / "meta.xlsx"
    meta.to_excel(path, index=False)
    ex = read_excerpts(folder, metadata=path)
    bot = ex[ex["fil"] == "Botkyrka_styrelse_R03.docx"]
    assert set(bot["respondent_id"]) == {"B-01"} and set(bot["roll"]) == {"styrelse"}  # case unified
    assert "kon" in ex.columns and set(ex["datum"]) == {"2024-03-01", "2024-03-05", "2024-04-10"}
    # a file missing from the sidecar is an error naming it
    with pytest.raises(
        SchemaError, match=r"Utskrifter utan metadata i mappen .*'Huddinge_samordnare_R07.txt'.*meta2.csv"
    ):
        meta.drop(index=1).to_csv(folder.parent / "meta2.csv", index=False)
        read_excerpts(folder, metadata=folder.parent / "meta2.csv")


def test_file_name_not_matching_pattern(folder):
    (folder / "intervju3.txt").write_text("IP: Något.\n", encoding="utf-8")
    with pytest.warns(UserWarning, match=r"1 utskrift i mappen .* följer inte filnamnsmönstret .*: intervju3.txt"):
        ex = read_excerpts(folder, filnamn=PATTERN)
    odd = ex[ex["fil"] == "intervju3.txt"]
    assert odd["forbund"].isna().all() and odd["respondent_id"].tolist() == ["intervju3"]  # the file is the respondent
    ex = read_excerpts(folder, name_pattern="{respondent_id}")  # the older argument name still works
    assert set(ex["respondent_id"]) >= {"intervju3", "Botkyrka_styrelse_R03"}


def test_custom_name_pattern(tmp_path):
    (tmp_path / "2024-Uppsala-R12.txt").write_text("R1: Bra.\nR2: Sämre.\nR1: Igen.\n", encoding="utf-8")
    ex = read_excerpts(tmp_path, filnamn="{ar}-{forbund}-{respondent_id}")
    assert ex["forbund"].tolist() == ["Uppsala"] * 3 and ex["ar"].tolist() == ["2024"] * 3
    assert ex["talare"].tolist() == ["R1", "R2", "R1"] and ex["tur"].tolist() == [1, 2, 3]


def test_docx_table_transcript_and_broken_docx(tmp_path):
    _docx(tmp_path / "Uppsala_remittent_R01.docx", [], table=[("I", "Hur remitterar du?"), ("IP", "Via samordnaren.")])
    ex = read_excerpts(tmp_path)
    assert ex["text"].tolist() == ["Via samordnaren."]
    (tmp_path / "Uppsala_remittent_R02.docx").write_bytes(b"PK\x03\x04trasig")
    with pytest.raises(InputFileError, match=r"'Uppsala_remittent_R02.docx' kunde inte öppnas som Word-fil"):
        read_excerpts(tmp_path)


def test_empty_folder(tmp_path):
    (tmp_path / "a.md").write_bytes(b"# x")
    with pytest.raises(
        InputFileError, match=r"innehåller inga utskrifter \(\.txt, \.docx, \.vtt eller \.srt\)\. Det som finns: 'a.md'"
    ):
        read_excerpts(tmp_path)


def test_bracket_names_and_sentences_with_colon():
    turns = parse_transcript(
        "[Anna]: Vi började 2019.\n[Intervjuare]: Och sedan?\nSammanfattning: det gick bra.\n[Anna]: Ja."
    )
    # "Sammanfattning:" occurs once and is not a speaker: it continues the interviewer's turn
    assert turns == [
        ("Anna", "Vi började 2019."),
        ("Intervjuare", "Och sedan? Sammanfattning: det gick bra."),
        ("Anna", "Ja."),
    ]
    named = parse_transcript("Karin: Hej.\nOla: Hej hej.\nKarin: Vi kör.\nOla: Ja.")
    assert [t[0] for t in named] == ["Karin", "Ola", "Karin", "Ola"]


def test_table_source_codes_and_generated_ids(tmp_path):
    p = tmp_path / "utdrag.csv"
    p.write_text(
        "text;forbund;roll;codes_a\n"
        "Styrelsen tar frågan på allvar.;Botkyrka;styrelse;legitimitet|samsyn\n"
        ";Huddinge;samordnare;\n"
        "Vi har samma bild av målgruppen.;Huddinge;samordnare;samsyn; legitimitet\n",
        encoding="utf-8",
    )
    with pytest.raises(InputFileError):  # ';' inside the last field without quotes: too many fields
        read_excerpts(p)
    p.write_text(
        "text;forbund;roll;codes_a\n"
        "Styrelsen tar frågan på allvar.;Botkyrka;styrelse;legitimitet|samsyn\n"
        "   ;Huddinge;samordnare;\n"
        'Vi har samma bild av målgruppen.;Huddinge;samordnare;"[""samsyn""]"\n',
        encoding="utf-8",
    )
    ex = read_excerpts(p)
    assert ex["codes_a"].tolist() == [["legitimitet", "samsyn"], ["samsyn"]]
    assert ex["excerpt_id"].str.fullmatch(r"E[0-9a-f]{10}").all()
    assert ex["excerpt_id"].tolist() == read_excerpts(p)["excerpt_id"].tolist()  # stable
    assert ex["fil"].tolist() == ["utdrag.csv"] * 2 and ex["tur"].isna().all()
    tab = ex.attrs["exclusions"].table().set_index("orsak")
    assert tab.loc["tom text", "antal"] == 1 and tab.loc["tom text", "rader"] == "3"


def test_table_duplicate_ids_and_text_col():
    df = pd.DataFrame({"id": ["e1", "e2", "e1"], "citat": ["a", "b", "c"], "respondent_id": ["r1", "r2", "r1"]})
    with pytest.raises(DuplicateIdError, match=r"3 utdrag|2 utdrag med samma id i 'id' \(rad 2, 4\)"):
        read_excerpts(df, text_col="citat", id_col="id")
    df["id"] = ["e1", "e2", "e3"]
    meta = pd.DataFrame({"respondent_id": ["r1", "r2"], "forbund": ["Uppsala", "Huddinge"]})
    ex = read_excerpts(df, text_col="citat", id_col="id", metadata=meta)
    assert ex["excerpt_id"].tolist() == ["e1", "e2", "e3"] and ex["forbund"].tolist() == [
        "Uppsala",
        "Huddinge",
        "Uppsala",
    ]


def test_parse_code_list_variants():
    assert parse_code_list("samsyn|legitimitet") == ["samsyn", "legitimitet"]
    assert parse_code_list("samsyn; legitimitet") == ["samsyn", "legitimitet"]
    assert parse_code_list('["samsyn", "legitimitet"]') == ["samsyn", "legitimitet"]
    assert parse_code_list("['samsyn', 'legitimitet']") == ["samsyn", "legitimitet"]
    assert parse_code_list(["samsyn", " samsyn "]) == ["samsyn"]
    assert parse_code_list(None) == [] and parse_code_list("") == [] and parse_code_list("[]") == []
    with pytest.raises(UnknownLabelError, match=r"Okända koder: 'samsynn'\. Tillåtna koder: legitimitet, samsyn"):
        parse_code_list("samsynn|legitimitet", valid=["samsyn", "legitimitet"])


SAMPLES = Path(__file__).resolve().parents[1] / "data_samples"


@pytest.mark.skipif(not (SAMPLES / "intervjuutdrag.csv").exists(), reason="data_samples/ saknas")
def test_sample_excerpts_file():
    ex = read_excerpts(SAMPLES / "intervjuutdrag.csv")
    assert len(ex) >= 200 and ex["excerpt_id"].is_unique
    assert all(isinstance(c, list) for c in ex["codes_a"])
    assert set(ex["roll"].dropna()) <= {
        "styrelse",
        "beredningsgrupp",
        "ledningsgrupp",
        "samordnare",
        "insatspersonal",
        "deltagare",
        "remittent",
    }


def test_other_formats_in_folder_are_reported(folder):
    (folder / "Uppsala_styrelse_R09.doc").write_bytes(b"\xd0\xcf\x11\xe0")
    ex = read_excerpts(folder)
    tab = ex.attrs["exclusions"].table().set_index("kolumn")
    assert tab.loc["fil", "antal"] == 1
    assert tab.loc["fil", "orsak"].endswith("(spara som .docx eller .txt): Uppsala_styrelse_R09.doc")


def test_empty_transcript_counted(folder):
    (folder / "Uppsala_styrelse_R10.txt").write_text("  \n\n", encoding="utf-8")
    desc = read_excerpts(folder).attrs["exclusions"].describe()
    assert "1 exkluderad: tom utskrift: Uppsala_styrelse_R10.txt i kolumnen 'fil'" in desc
