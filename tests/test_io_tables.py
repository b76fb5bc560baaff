"""read_table: formats, encodings, repairs and the errors users see."""

from __future__ import annotations

import doctest
import gzip
import importlib
import shutil
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from finsam_eval.errors import EmptyFileError, InputFileError, MissingColumnError, SchemaError
from finsam_eval.io import check_unique, file_rows, read_table, require_columns
from finsam_eval.io.tables import MissingDependencyError
from finsam_eval.results import Exclusions

DATA = Path(__file__).parent / "data" / "io"


@pytest.mark.parametrize("name", ["tables", "schemas", "survey", "register", "excerpts"])
def test_docstring_examples(name):
    mod = importlib.import_module(f"finsam_eval.io.{name}")
    res = doctest.testmod(mod, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert res.failed == 0


# --------------------------------------------------------------------- good files
def test_cp1252_semicolon_decimal_comma():
    df = read_table(DATA / "enkat_cp1252.csv")
    assert df.attrs["source"] == "enkat_cp1252.csv"
    assert df.attrs["encoding"] == "cp1252" and df.attrs["sep"] == ";"
    assert "förbund_namn" in df.columns
    assert df["förbund_namn"].tolist() == ["Södertälje", "Södertälje", "Östra Södertörn", "Botkyrka"]
    # 0,5 / 1,25 / -0,75 / 1 234,5 (space as thousand separator)
    assert df["andel_tid"].tolist() == [0.5, 1.25, -0.75, 1234.5]
    assert df["andel_tid"].dtype == float
    assert df["ar"].tolist() == [2024] * 4
    ex = df.attrs["exclusions"]
    assert isinstance(ex, Exclusions)
    tab = ex.table().set_index("orsak")
    assert tab.loc["tomma rader borttagna", "antal"] == 1
    assert tab.loc["tomma rader borttagna", "rader"] == "4"  # the blank line is line 4 of the file
    assert tab.loc["decimalkomma tolkat", "antal"] == 4
    assert tab.loc["decimalkomma tolkat", "rader"] == "2, 3, 5, 6"
    # Line numbers of later rows skip the removed blank line.
    assert file_rows(df, [0, 1, 2, 3]) == [2, 3, 5, 6]


def test_utf8_bom_comma_and_stripped_headers():
    df = read_table(DATA / "kommuner_bom.csv")
    assert list(df.columns) == ["forbund", "ar", "antal"]
    assert df.attrs["encoding"] == "utf-8-sig" and df.attrs["sep"] == ","
    assert df["antal"].sum() == 19


def test_tab_separated_and_explicit_options(tmp_path):
    p = tmp_path / "data.tsv"
    p.write_text("a\tb\n1,5\tx\n2\ty\n", encoding="utf-8")
    df = read_table(p)
    assert df["a"].tolist() == [1.5, 2.0] and df.attrs["sep"] == "\t"
    assert read_table(p, decimal=".")["a"].tolist() == ["1,5", "2"]  # left alone on request


def test_comma_separated_quoted_numbers_are_not_decimal_comma(tmp_path):
    p = tmp_path / "en.csv"
    p.write_text('a,b\n"1,234",x\n"2,5",y\n', encoding="utf-8")
    assert read_table(p)["a"].tolist() == ["1,234", "2,5"]
    assert read_table(p, decimal=",")["a"].tolist() == [1.234, 2.5]


def test_text_columns_stay_text(tmp_path):
    p = tmp_path / "t.csv"
    p.write_text("id;text\n1;Vi träffas, ibland\n2;Inget mer\n", encoding="utf-8")
    df = read_table(p)
    assert df["text"].tolist() == ["Vi träffas, ibland", "Inget mer"]
    assert not df.attrs["exclusions"]


def test_csv_gz(tmp_path):
    p = tmp_path / "enkat.csv.gz"
    p.write_bytes(gzip.compress((DATA / "enkat_cp1252.csv").read_bytes()))
    df = read_table(p)
    assert df["andel_tid"].tolist() == [0.5, 1.25, -0.75, 1234.5]
    assert df.attrs["source"] == "enkat.csv.gz"


def test_xlsx_sheets(tmp_path):
    p = tmp_path / "enkat.xlsx"
    a = pd.DataFrame({" respondent_id": ["r1", "r2"], "andel": ["0,5", "1,5"], "ar": [2024, 2024]})
    b = pd.DataFrame({"x": [1, 2, 3]})
    with pd.ExcelWriter(p) as w:
        a.to_excel(w, sheet_name="Svar", index=False)
        b.to_excel(w, sheet_name="Bakgrund", index=False)
    # two sheets with data: the reader does not guess, it names the sheets and sheet=
    with pytest.raises(InputFileError, match=r"'enkat.xlsx' har 2 blad med data: 'Svar', 'Bakgrund'\. .*sheet="):
        read_table(p)
    df = read_table(p, sheet="Svar")
    assert list(df.columns) == ["respondent_id", "andel", "ar"]
    assert df["andel"].tolist() == [0.5, 1.5] and df.attrs["sheet"] == "Svar"
    assert read_table(p, sheet="Bakgrund")["x"].sum() == 6
    with pytest.raises(
        InputFileError, match=r"'enkat.xlsx' har inget blad som heter 'bakgrun'\. Menade du 'Bakgrund'\?"
    ):
        read_table(p, sheet="bakgrun")


def test_sav_value_labels(tmp_path):
    pyreadstat = pytest.importorskip("pyreadstat")
    p = tmp_path / "enkat.sav"
    raw = pd.DataFrame({"respondent_id": ["a", "b", "c"], "f1": [1.0, 5.0, 5.0], "alder": [34.0, 51.0, 29.0]})
    pyreadstat.write_sav(
        raw,
        str(p),
        column_labels=["Id", "Samverkan fungerar väl", "Ålder"],
        variable_value_labels={"f1": {1.0: "Stämmer inte alls", 5.0: "Stämmer helt"}},
    )
    df = read_table(p)
    assert df["f1"].tolist() == ["Stämmer inte alls", "Stämmer helt", "Stämmer helt"]
    assert df["alder"].tolist() == [34.0, 51.0, 29.0]
    assert df.attrs["column_labels"]["f1"] == "Samverkan fungerar väl"


def test_sav_without_pyreadstat(tmp_path, monkeypatch):
    p = tmp_path / "enkat.sav"
    p.write_bytes(b"$FL2" + b"\x00" * 100)
    monkeypatch.setitem(sys.modules, "pyreadstat", None)
    with pytest.raises(MissingDependencyError, match=r"pip install finsam_eval\[spss\]") as e:
        read_table(p)
    assert "'enkat.sav'" in str(e.value)
    assert isinstance(e.value, ImportError)


def test_parquet_round_trip(tmp_path):
    p = tmp_path / "reg.parquet"
    src = pd.DataFrame({"person_id": ["a", "b"], "period": [1, 2], "kommun": ["Södertälje", "Nykvarn"]})
    src.to_parquet(p)
    df = read_table(p)
    pd.testing.assert_frame_equal(df, src, check_dtype=False)
    assert df.attrs["format"] == "parquet"


def test_dataframe_passes_through_as_copy():
    src = pd.DataFrame({" a ": [1, 2], "\ufeffb": ["x", "y"]})
    df = read_table(src)
    assert list(df.columns) == ["a", "b"]
    df.loc[0, "a"] = 99
    assert src.iloc[0, 0] == 1
    assert df.attrs["source"] == "<DataFrame>" and isinstance(df.attrs["exclusions"], Exclusions)


def test_large_csv_round_trip(tmp_path):
    n = 200_000
    rng = np.random.default_rng(1)
    x = rng.normal(size=n).round(3)
    p = tmp_path / "stor.csv"
    pd.DataFrame({"id": np.arange(n), "x": x, "grupp": rng.choice(["a", "b"], n)}).to_csv(
        p, sep=";", decimal=",", index=False
    )
    df = read_table(p)
    assert len(df) == n
    np.testing.assert_allclose(df["x"].to_numpy(), x)


# --------------------------------------------------------------------- broken files
def test_file_not_found_suggests_close_name(tmp_path):
    (tmp_path / "enkat_2024.csv").write_text("a;b\n1;2\n")
    with pytest.raises(InputFileError, match=r"Filen 'enkat_2023.csv' finns inte .* Menade du 'enkat_2024.csv'\?"):
        read_table(tmp_path / "enkat_2023.csv")


def test_empty_files(tmp_path):
    p = tmp_path / "tom.csv"
    p.write_bytes(b"")
    with pytest.raises(EmptyFileError, match=r"Filen 'tom.csv' är tom \(0 byte\)"):
        read_table(p)
    p = tmp_path / "rubrik.csv"
    p.write_text("respondent_id;forbund\n")
    with pytest.raises(EmptyFileError, match=r"Filen 'rubrik.csv' innehåller inga datarader \(bara rubrikraden"):
        read_table(p)
    p = tmp_path / "blank.csv"
    p.write_text("a;b\n;\n;\n")
    with pytest.raises(EmptyFileError, match=r"Filen 'blank.csv' innehåller bara tomma rader"):
        read_table(p)
    p = tmp_path / "tom.xlsx"
    p.write_bytes(b"")
    with pytest.raises(EmptyFileError, match=r"'tom.xlsx' är tom"):
        read_table(p)


def test_png_renamed_csv(tmp_path):
    p = tmp_path / "figur.csv"
    p.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    with pytest.raises(InputFileError, match=r"Filen 'figur.csv' är inte en textfil \(CSV\) utan en PNG-bild"):
        read_table(p)


def test_zip_renamed_csv(tmp_path):
    xlsx = tmp_path / "riktig.xlsx"
    pd.DataFrame({"a": [1]}).to_excel(xlsx, index=False)
    p = tmp_path / "export.csv"
    shutil.copy(xlsx, p)
    with pytest.raises(InputFileError, match=r"'export.csv' .* zip-arkiv .* Byt filändelse till \.xlsx"):
        read_table(p)


def test_binary_noise(tmp_path):
    p = tmp_path / "data.csv"
    p.write_bytes(b"a;b\n1;2\x00\x00\x01\n")
    with pytest.raises(InputFileError, match=r"'data.csv' innehåller binära data"):
        read_table(p)


def test_truncated_xlsx(tmp_path):
    full = tmp_path / "full.xlsx"
    pd.DataFrame({"a": range(500), "b": ["text"] * 500}).to_excel(full, index=False)
    raw = full.read_bytes()
    p = tmp_path / "halv.xlsx"
    p.write_bytes(raw[: len(raw) // 2])
    with pytest.raises(InputFileError, match=r"Filen 'halv.xlsx' verkar avkortad eller skadad"):
        read_table(p)


def test_csv_renamed_xlsx(tmp_path):
    p = tmp_path / "svar.xlsx"
    p.write_text("a;b\n1;2\n")
    with pytest.raises(
        InputFileError, match=r"'svar.xlsx' heter \.xlsx men är ingen Excel-fil \(den ser ut som en textfil\)"
    ):
        read_table(p)


def test_truncated_csv_last_line(tmp_path):
    p = tmp_path / "avbruten.csv"
    p.write_text("id;forbund;ar;f1\n1;Botkyrka;2024;Stämmer helt\n2;Huddinge;20", encoding="utf-8")
    with pytest.raises(
        InputFileError,
        match=r"Filen 'avbruten.csv' verkar avkortad: sista raden \(rad 3\) har 3 fält men rubrikraden har 4",
    ):
        read_table(p)


def test_truncated_csv_open_quote(tmp_path):
    p = tmp_path / "citat.csv"
    p.write_text('id;text\n1;"ok"\n2;"Vi började\n', encoding="utf-8")
    with pytest.raises(InputFileError, match=r"'citat.csv' verkar avkortad: ett citattecken som öppnas på rad 3"):
        read_table(p)


def test_too_many_fields_names_line(tmp_path):
    p = tmp_path / "fel.csv"
    p.write_text("a;b\n1;2\n3;4;5\n6;7\n", encoding="utf-8")
    with pytest.raises(InputFileError, match=r"'fel.csv' kunde inte läsas: rad 3 har 3 fält men rubrikraden har 2"):
        read_table(p)


def test_unknown_extension(tmp_path):
    p = tmp_path / "enkat.numbers"
    p.write_text("x")
    with pytest.raises(
        InputFileError, match=r"'enkat.numbers' har en filändelse som inte stöds: \.numbers\. Tillåtna: \.csv"
    ):
        read_table(p)


def test_old_xls(tmp_path):
    p = tmp_path / "gammal.xlsx"
    p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    with pytest.raises(InputFileError, match=r"'gammal.xlsx' är i det gamla Excel-formatet \(\.xls\)"):
        read_table(p)


def test_undecodable_bytes(tmp_path):
    p = tmp_path / "konstig.csv"
    p.write_bytes(b"a;b\n1;2\n3;\x81\x8d\n")  # undefined in cp1252, invalid UTF-8
    with pytest.raises(InputFileError, match=r"'konstig.csv' har en okänd teckenkodning .* rad 3"):
        read_table(p)


def test_duplicate_column_names(tmp_path):
    p = tmp_path / "dubbel.csv"
    p.write_text("ar;ar \n1;2\n")
    with pytest.raises(SchemaError, match=r"'dubbel.csv' har flera kolumner som heter 'ar'"):
        read_table(p)


def test_require_columns_lists_columns_and_close_matches():
    df = read_table(DATA / "enkat_cp1252.csv")
    with pytest.raises(MissingColumnError) as e:
        require_columns(df, ["respondentgrupp", "forbundet"])
    msg = str(e.value)
    assert "Filen 'enkat_cp1252.csv' saknar kolumnen 'forbundet'. Menade du 'forbund'" in msg
    assert "Kolumner som finns: 'respondent_id', 'förbund_namn'" in msg


def test_check_unique_gives_file_lines_not_values(tmp_path):
    p = tmp_path / "d.csv"
    p.write_text("id;x\nhemligt1;1\n\nhemligt2;2\nhemligt1;3\n")
    df = read_table(p)
    with pytest.raises(Exception, match=r"2 rader med samma värde i 'id' \(rad 2, 5\)") as e:
        check_unique(df, "id")
    assert "hemligt" not in str(e.value)


def test_utf16_tab_export(tmp_path):
    # Excel's "Unicode text" export: UTF-16 with BOM, tab separated
    p = tmp_path / "export.txt"
    p.write_bytes("forbund\tandel\nSödertälje\t0,3\n".encode("utf-16"))
    df = read_table(p)
    assert df["forbund"].tolist() == ["Södertälje"] and df["andel"].tolist() == [0.3]
    assert df.attrs["encoding"] == "utf-16"


def test_postnummer_not_read_as_number(tmp_path):
    p = tmp_path / "adress.csv"
    p.write_text("kommun;postnummer;belopp\nSödertälje;151 36;1 200,50\nNykvarn;155 30;800\n", encoding="utf-8")
    df = read_table(p)
    assert df["postnummer"].tolist() == ["151 36", "155 30"]
    assert df["belopp"].tolist() == [1200.5, 800.0]
