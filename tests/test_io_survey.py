"""read_survey: label normalisation, validation and the messages users see."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from finsam_eval.errors import DuplicateIdError, MissingColumnError, SchemaError, UnknownLabelError
from finsam_eval.io import normalise_labels, read_survey

DATA = Path(__file__).parent / "data" / "io"
SAMVERKAN = [
    "Stämmer inte alls",
    "Stämmer inte så bra",
    "Varken ja eller nej",
    "Stämmer delvis",
    "Stämmer helt",
    "Vet ej",
]


def test_fixture_file_normalised_and_counted():
    s = read_survey(DATA / "enkat_cp1252.csv", allowed=SAMVERKAN, items=["f1_samsyn", "f2_legitimitet"])
    assert s["f1_samsyn"].tolist() == ["Stämmer helt", "Stämmer helt", "Stämmer delvis", "Vet ej"]
    assert s["f2_legitimitet"].isna().tolist() == [False, False, True, False]
    assert s["ar"].dtype == "Int64"
    tab = s.attrs["exclusions"].table()
    rep = tab[(tab["orsak"].str.startswith("svarsetikett")) & (tab["kolumn"] == "f1_samsyn")].iloc[0]
    # "stämmer  helt " on line 3 and "STÄMMER DELVIS" on line 5 (line 4 is blank in the file)
    assert rep["antal"] == 2 and rep["rader"] == "3, 5"
    blank = tab[(tab["orsak"] == "tomt svar") & (tab["kolumn"] == "f2_legitimitet")].iloc[0]
    assert blank["antal"] == 1 and blank["rader"] == "5" and blank["atgard"] == "saknas"
    assert s.attrs["items"] == ("f1_samsyn", "f2_legitimitet")


def test_items_inferred_and_dict_allowed():
    df = pd.DataFrame(
        {
            "respondent_id": ["a", "b", "c"],
            "forbund": "Uppsala",
            "ar": [2023.0, 2023.0, 2024.0],
            "respondentgrupp": "deltagare",
            "kon": ["k", "m", "k"],
            "d1": ["ja, absolut", "Inte alls", "JA,  GANSKA"],
            "s1": ["Stämmer helt", "Vet ej", "stämmer helt"],
        }
    )
    allowed = {"d1": ["Ja, absolut", "Ja, ganska", "Inte särskilt", "Inte alls", "Vet ej"], "s1": SAMVERKAN}
    s = read_survey(df, allowed=allowed)
    assert s.attrs["items"] == ("d1", "s1")
    assert s["d1"].tolist() == ["Ja, absolut", "Inte alls", "Ja, ganska"]
    assert s["ar"].tolist() == [2023, 2023, 2024]
    # without allowed= items are every non-background column; case unified to the commonest spelling
    s2 = read_survey(df)
    assert s2.attrs["items"] == ("d1", "s1")
    assert s2["s1"].tolist() == ["Stämmer helt", "Vet ej", "Stämmer helt"]


def test_unknown_labels_message(tmp_path):
    p = tmp_path / "svar.csv"
    p.write_text(
        "respondent_id;forbund;ar;respondentgrupp;f1\n"
        "1;Botkyrka;2024;styrelse;Stämmer helt\n"
        "2;Botkyrka;2024;styrelse;Instämmer\n"
        "3;Botkyrka;2024;styrelse;Stämer helt\n"
        "4;Botkyrka;2024;styrelse;Instämmer\n",
        encoding="utf-8",
    )
    with pytest.raises(UnknownLabelError) as e:
        read_survey(p, allowed=SAMVERKAN)
    msg = str(e.value)
    assert msg.startswith("Filen 'svar.csv' har svar som inte finns bland de tillåtna etiketterna: kolumnen 'f1':")
    assert "'Instämmer' (2 svar, rad 3, 5)" in msg
    assert "'Stämer helt' (1 svar, rad 4, likt 'Stämmer helt')" in msg
    assert "Tillåtna svar: 'Stämmer inte alls', 'Stämmer inte så bra'" in msg
    assert "lägg till etiketten i allowed=" in msg


def test_duplicate_ids_use_file_lines(tmp_path):
    p = tmp_path / "dubbel.csv"
    p.write_text(
        "respondent_id;forbund;ar;respondentgrupp;f1\n"
        "r1;Huddinge;2024;chefer;Vet ej\n"
        "\n"
        "r2;Huddinge;2024;chefer;Vet ej\n"
        "r1;Huddinge;2024;chefer;Vet ej\n",
        encoding="utf-8",
    )
    with pytest.raises(
        DuplicateIdError, match=r"Filen 'dubbel.csv' har 2 rader med samma värde i 'respondent_id' \(rad 2, 5\)"
    ):
        read_survey(p, allowed=SAMVERKAN)


def test_missing_column_suggests(tmp_path):
    df = pd.DataFrame({"Respondent ID": [1], "forbund": ["Botkyrka"], "ar": [2024], "respondentgrupp": ["x"]})
    with pytest.raises(
        MissingColumnError, match=r"Tabellen saknar kolumnen 'respondent_id'\. Menade du 'Respondent ID'\?"
    ):
        read_survey(df)
    # and a KeyError for code that catches that
    with pytest.raises(KeyError):
        read_survey(df)


def test_year_must_be_integer():
    df = pd.DataFrame(
        {
            "respondent_id": [1, 2, 3],
            "forbund": "x",
            "ar": ["2024", "2024,5", "tjugo"],
            "respondentgrupp": "y",
            "f": "Vet ej",
        }
    )
    with pytest.raises(SchemaError, match=r"'ar' som inte är heltal .* på 2 rader \(rad 3, 4\)"):
        read_survey(df)


def test_missing_ids():
    df = pd.DataFrame({"respondent_id": ["a", None], "forbund": "x", "ar": 2024, "respondentgrupp": "y", "f": "Vet ej"})
    with pytest.raises(SchemaError, match=r"saknar respondent-id i kolumnen 'respondent_id' på 1 rad \(rad 3\)"):
        read_survey(df)


def test_sav_survey_with_value_labels(tmp_path):
    pyreadstat = pytest.importorskip("pyreadstat")
    p = tmp_path / "deltagare.sav"
    raw = pd.DataFrame(
        {
            "respondent_id": ["d1", "d2", "d3"],
            "forbund": ["Uppsala"] * 3,
            "ar": [2024.0] * 3,
            "respondentgrupp": ["deltagare"] * 3,
            "q1": [1.0, 2.0, np.nan],
        }
    )
    pyreadstat.write_sav(raw, str(p), variable_value_labels={"q1": {1.0: "Ja, absolut", 2.0: "ja,  ganska"}})
    s = read_survey(p, allowed=["Ja, absolut", "Ja, ganska", "Inte särskilt", "Inte alls", "Vet ej"])
    assert s["q1"].tolist()[:2] == ["Ja, absolut", "Ja, ganska"]
    assert pd.isna(s["q1"].iloc[2])
    assert s["ar"].tolist() == [2024] * 3


def test_xlsx_survey(tmp_path):
    p = tmp_path / "enkat.xlsx"
    pd.DataFrame(
        {
            "respondent_id": ["a", "b"],
            "forbund": "Botkyrka",
            "ar": 2024,
            "respondentgrupp": "styrelse",
            "f1": ["Stämmer helt ", None],
        }
    ).to_excel(p, index=False)
    s = read_survey(p, allowed=SAMVERKAN)
    assert s["f1"].iloc[0] == "Stämmer helt" and pd.isna(s["f1"].iloc[1])


def test_normalise_labels_numbers_and_blanks():
    new, rep, unk = normalise_labels(pd.Series([1, 2, None, "  "]), [1, 2, 3])
    assert new.tolist()[:2] == [1, 2] and pd.isna(new.iloc[2]) and pd.isna(new.iloc[3])
    assert not rep.any() and not unk.any()


def test_item_guess_skips_comments_and_numbers():
    df = pd.DataFrame(
        {
            "respondent_id": list("abcd"),
            "forbund": "Huddinge",
            "ar": 2024,
            "respondentgrupp": "chefer",
            "f1": ["Stämmer helt", "Vet ej", "stämmer delvis", None],
            "kommentar": ["Bra möten", "Vet inte riktigt", "För lite tid", "Mer stöd behövs"],
            "antal_ar": [3, 10, 1, 4],
        }
    )
    assert read_survey(df, allowed=SAMVERKAN).attrs["items"] == ("f1",)
    with pytest.raises(UnknownLabelError, match=r"kolumnen 'kommentar': 'Bra möten' \(1 svar, rad 2\)"):
        read_survey(df, allowed=SAMVERKAN, items=["f1", "kommentar"])
    df2 = df.assign(kommentar=[f"text {i}" for i in range(4)] * 1)
    assert read_survey(df2.assign(f1=["A", "B", "A", "B"] * 1)).attrs["items"] == ("f1", "kommentar")


def test_punctuation_variants():
    new, rep, unk = normalise_labels(
        pd.Series(["Ja absolut", "ja,absolut", "Ja, absolut"]), ["Ja, absolut", "Inte alls"]
    )
    assert new.tolist() == ["Ja, absolut"] * 3 and rep.tolist() == [True, True, False] and not unk.any()


SAMPLES = Path(__file__).resolve().parents[1] / "data_samples"


@pytest.mark.skipif(not (SAMPLES / "enkat_deltagare.csv").exists(), reason="data_samples/ saknas")
def test_sample_files_read_cleanly():
    d = read_survey(
        SAMPLES / "enkat_deltagare.csv", allowed=["Ja, absolut", "Ja, ganska", "Inte särskilt", "Inte alls", "Vet ej"]
    )
    assert d.attrs["encoding"] == "cp1252"
    assert set(d["d01"].dropna()) <= {"Ja, absolut", "Ja, ganska", "Inte särskilt", "Inte alls", "Vet ej"}
    s = read_survey(SAMPLES / "enkat_samverkan.csv", allowed=SAMVERKAN)
    assert s.attrs["items"] == tuple(f"s{i:02d}" for i in range(1, 11))
    assert s["respondent_id"].is_unique
