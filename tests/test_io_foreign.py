"""Readers on files written the way other tools write them (tests/data/foreign/tabeller and register).

The generic contract (outcome, kept + excluded rows, message parts) is run by
tests/test_foreign_corpus.py from the manifests; here: the values, units,
line numbers, conversions and privacy of each kind of file, that no
exception other than FinsamError escapes read_table, read_register or
``kontrollera`` on any corpus file, and the CLI flags.
"""

from __future__ import annotations

import contextlib
import doctest
import importlib
import io
import re
import time
import tomllib
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from finsam_eval.cli import main
from finsam_eval.errors import FinsamError, InputFileError, SchemaError
from finsam_eval.io import file_rows, parse_indicator, parse_period, parse_share, read_register, read_table

FOREIGN = Path(__file__).resolve().parent / "data" / "foreign"
TAB = FOREIGN / "tabeller"
REG = FOREIGN / "register"
PNR_DIGITS = ["191212121212", "198503121231", "199112244562", "197901010008"]


def _no_pnr(text: str) -> None:
    flat = re.sub(r"\D", "", text)
    for d in PNR_DIGITS:
        assert d not in flat and d[2:] not in flat, "personnummer i texten"


def _corpus_files() -> list[Path]:
    out = []
    for manifest in sorted(FOREIGN.glob("*/expected.toml")):
        with manifest.open("rb") as fh:
            names = dict.fromkeys(spec["namn"] for spec in tomllib.load(fh).get("fil", []))
        out += [manifest.parent / n for n in names]
    return out


# ----------------------------------------------------------------------------- no foreign exception escapes
@pytest.mark.parametrize("path", _corpus_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_only_project_errors_escape_readers_and_kontrollera(path):
    for reader in (read_table, read_register):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # e.g. the random-key warning of read_register
                reader(path)
        except FinsamError as exc:
            _no_pnr(str(exc))
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = main(["kontrollera", str(path)])
    text = out.getvalue() + err.getvalue()
    assert rc in (0, 1, 2)
    assert "Traceback" not in text and "oväntat fel" not in text
    _no_pnr(text)
    assert "19911224" not in text


# ----------------------------------------------------------------------------- text exports
def test_excel_cp1252_semicolon_decimal_comma_thousands():
    df = read_table(TAB / "excel_cp1252_semikolon.csv")
    assert df.attrs["encoding"] == "cp1252" and df.attrs["sep"] == ";"
    assert list(df.columns) == ["Kommun", "Förbund", "Antal deltagare", "Andel i arbete", "Kostnad per deltagare"]
    assert df["Antal deltagare"].dtype == np.int64 and df["Antal deltagare"].sum() == 42 + 7 + 55 + 6 + 61
    np.testing.assert_allclose(df["Kostnad per deltagare"], [12450.5, 9800, 11020.75, 10100.25, 12990])
    reasons = {(e.reason, e.column) for e in df.attrs["exclusions"].items}
    assert ("tom kolumn utan rubrik borttagen", None) in reasons  # the ';' at every line end


def test_utf16_unicode_text_export():
    df = read_table(TAB / "unicode_text_utf16.txt")
    assert df.attrs["encoding"] == "utf-16" and df.attrs["sep"] == "\t"
    assert df["Förbund"].tolist() == ["Östra Södertörn"] * 2 + ["Uppsala"] * 2
    assert df["År"].tolist() == [2023, 2024, 2023, 2024]
    np.testing.assert_allclose(df["Andel kvinnor"], [0.56, 0.58, 0.49, 0.51])


def test_google_sheets_quotes_and_newline_keep_file_lines():
    df = read_table(TAB / "google_sheets.csv")
    assert df["Kommentar"].tolist()[1] == "Två rader:\nförsta och andra"
    assert df["Kommentar"].tolist()[3] == 'Sa "nej" till fortsättning'
    assert pd.isna(df["Kommentar"].iloc[2])
    np.testing.assert_allclose(df["Poäng"], [4.5, 3.0, 4.0, 2.5])
    # record 2 spans lines 3-4, so the records start on lines 2, 3, 5, 6
    assert file_rows(df, range(4)) == [2, 3, 5, 6]


def test_short_and_long_rows_name_file_lines():
    with pytest.raises(InputFileError, match=r"'kort_rad\.csv' kunde inte läsas: rad 4 har 4 fält men rubrikraden"
                                             r" har 5 .*fel kolumn"):
        read_table(TAB / "kort_rad.csv")
    with pytest.raises(InputFileError, match=r"rad 6 har 3 fält"):
        read_table(TAB / "kort_rad_efter_radbrytning.csv")  # line 6, although it is the 5th record
    with pytest.raises(InputFileError, match=r"'lang_rad\.csv' kunde inte läsas: rad 3 har 5 fält men rubrikraden"):
        read_table(TAB / "lang_rad.csv")


def test_several_bad_rows_listed_with_field_counts(tmp_path):
    p = tmp_path / "manga.csv"
    p.write_text("a;b;c\n1;2;3\n4;5\n6;7;8;9\n1;2;3\n", encoding="utf-8")
    with pytest.raises(InputFileError, match=r"2 rader har ett annat antal fält än rubrikraden \(3\): "
                                             r"rad 3 \(2 fält\), rad 4 \(4 fält\)"):
        read_table(p)


def test_title_line_above_header_is_not_read_as_a_one_column_table(tmp_path):
    p = tmp_path / "titel.csv"
    p.write_text("Export 2024-01-01\nid;a;b\n1;2;3\n4;5;6\n", encoding="utf-8")
    with pytest.raises(InputFileError, match=r"rad 2 \(3 fält\).*avgränsare: semikolon\). Rubrikraden har bara ett "
                                             r"fält: står en titel"):
        read_table(p)


def test_quoted_file_uses_csv_module_and_trailing_separators_are_harmless(tmp_path):
    p = tmp_path / "q.csv"
    p.write_text('a;b\n"x;y";1;\n"z";2;\n', encoding="utf-8")
    df = read_table(p)
    assert df["a"].tolist() == ["x;y", "z"] and df["b"].tolist() == [1, 2]


def test_duplicate_header_names_both_positions():
    with pytest.raises(SchemaError) as e:
        read_table(TAB / "dubbel_rubrik.csv")
    assert "'fraga' (kolumn 2 (B) och kolumn 4 (D))" in str(e.value) and "fraga.1" not in str(e.value)


def test_leading_zero_ids_stay_text():
    df = read_table(TAB / "ledande_nollor.csv")
    assert df["lopnr"].tolist() == ["0001", "0002", "0010", "0100"]
    assert df["kommunkod"].tolist() == ["0180", "0127", "0181", "0126"]
    assert df["poang"].dtype == np.int64


def test_id_named_columns_are_text(tmp_path):
    p = tmp_path / "ids.csv"
    p.write_text("respondent_id;person_id;x\n12;7;1\n13;8;2\n", encoding="utf-8")
    df = read_table(p)
    assert df["respondent_id"].tolist() == ["12", "13"] and df["person_id"].tolist() == ["7", "8"]
    assert df["x"].tolist() == [1, 2]


def test_excel_numeric_ids_are_text(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["lopnr", "respondent_id", "poang"])
    ws.append([1, 12.0, 3])
    ws.append([2, None, 4])
    wb.save(tmp_path / "ids.xlsx")
    df = read_table(tmp_path / "ids.xlsx")
    assert df["lopnr"].tolist() == ["1", "2"] and df["respondent_id"].tolist()[0] == "12"
    assert df["poang"].tolist() == [3, 4]


def test_percent_shares_with_unit_recorded():
    df = read_table(TAB / "procent_andelar.csv")
    np.testing.assert_allclose(df["Andel i arbete"], [0.65, 0.40, 0.075])
    np.testing.assert_allclose(df["Andel kvinnor"], [0.525, 0.48, 0.55])
    np.testing.assert_allclose(df["Svarsfrekvens"], [0.71, 0.65, 0.80])
    assert df.attrs["units"]["Andel kvinnor"].startswith("andel")
    items = [e for e in df.attrs["exclusions"].items if e.column == "Andel i arbete"]
    assert items[0].action == "omkodad" and items[0].count == 3 and items[0].rows == (2, 3, 4)


def test_every_period_format():
    df = read_table(TAB / "perioder_alla_format.csv")
    quarters = pd.PeriodIndex(["2021Q3", "2021Q4", "2022Q1"], freq="Q")
    months = pd.PeriodIndex(["2021-07", "2021-08", "2021-09"], freq="M")
    for c in ("k_a", "k_b", "k_c", "k_d", "k_e"):
        assert isinstance(df[c].dtype, pd.PeriodDtype) and (pd.PeriodIndex(df[c]) == quarters).all(), c
    for c in ("m_a", "m_b", "m_c"):
        assert (pd.PeriodIndex(df[c]) == months).all(), c
    # full dates stay dates in a generic table; parse_period reads them as months on request
    assert df["datum"].tolist()[0] == "2021-07-01"
    assert (pd.PeriodIndex(parse_period(df["datum"])) == months).all()
    # running numbers are pandas' own ordinals: consecutive, so period - start is event time
    idx = parse_period(df["k_b"], as_index=True)
    assert idx.tolist() == [p.ordinal for p in quarters] == [206, 207, 208]
    conv = [e for e in df.attrs["exclusions"].items if e.column == "k_b"][0]
    assert conv.action == "omkodad" and "kvartal" in conv.reason and conv.rows == (2, 3, 4)


def test_mixed_frequencies_and_stray_period_are_errors_with_lines():
    with pytest.raises(SchemaError, match=r"'period' blandar kvartal och månader; månader på rad 4"):
        read_table(TAB / "perioder_blandade.csv")
    with pytest.raises(SchemaError, match=r"värden som inte är perioder på rad 3"):
        parse_period(pd.Series(["2021K1", "i höstas", "2021K3"], name="kv"))


def test_stray_text_in_numeric_column_recorded_not_silent():
    df = read_table(TAB / "strangt_varde_i_tal.csv")
    note = [e for e in df.attrs["exclusions"].items if e.column == "sjukpenningdagar"]
    assert len(note) == 1 and note[0].action == "läst som text" and note[0].rows == (4,) and note[0].count == 1
    # "Vet ej" next to numeric answer codes is a survey answer, not stray text: nothing to report
    from finsam_eval.io.convert import infer_column

    _, notes = infer_column(pd.Series(["1", "5", "Vet ej", "4", "2"], dtype=object), decimal_comma=True)
    assert notes == []
    # where the column must be numeric (a register outcome) the same cell is an error naming the line
    with pytest.raises(SchemaError, match=r"'sjukpenningdagar' ska innehålla tal men har text på rad 3"):
        read_register(REG / "strangt_varde_i_utfall.csv")


def test_200000_character_field(tmp_path):
    df = read_table(TAB / "langt_falt.csv.gz")
    assert len(df.loc[0, "text"]) == 200_000 and df.loc[1, "text"] == "Kort svar."
    # the same in a file with a quote-free field (fast path) and a 1 MB one
    p = tmp_path / "lang.csv"
    p.write_text("id;text\n1;" + "a" * 1_000_000 + "\n", encoding="utf-8")
    assert len(read_table(p).loc[0, "text"]) == 1_000_000


def test_headerless_file_with_personnummer_does_not_echo_it():
    with pytest.raises(InputFileError) as e:
        read_table(TAB / "utan_rubrik_personnummer.csv")
    assert "rad 1" in str(e.value) and "kolumn 1" in str(e.value)
    _no_pnr(str(e.value))


def test_file_named_with_personnummer_never_printed(tmp_path):
    with pytest.raises(InputFileError) as e:
        read_table(TAB / "enkat_19911224-4562.csv")
    assert "fil med personnummer i namnet" in str(e.value)
    _no_pnr(str(e.value))
    # a good file with such a name: the name is not in attrs or in any message
    p = tmp_path / "svar_19911224-4562.csv"
    p.write_text("a;b\n1;2\n", encoding="utf-8")
    df = read_table(p)
    _no_pnr(str(df.attrs["source"]))
    with pytest.raises(FinsamError) as e:
        read_table(tmp_path / "saknas_19911224-4562.csv")
    _no_pnr(str(e.value))


# ----------------------------------------------------------------------------- Excel and SPSS
def test_excel_rows_are_sheet_rows_and_title_rows_skipped():
    df = read_table(TAB / "libreoffice_rubrik_rad3.xlsx")
    assert list(df.columns) == ["Förbund", "Kvartal", "Deltagare", "Andel i arbete"]
    assert file_rows(df, range(len(df))) == [4, 5, 6, 8]  # header on row 3, row 7 empty
    assert str(df["Kvartal"].iloc[3]) == "2024Q2" and df["Deltagare"].tolist() == [40, 44, 31, 35]
    title = [e for e in df.attrs["exclusions"].items if "titel" in e.reason]
    assert title and title[0].rows == (1,)


def test_excel_formulas_without_cached_values():
    with pytest.raises(InputFileError) as e:
        read_table(TAB / "formler_utan_varden.xlsx")
    msg = str(e.value)
    assert "blad 'Data'" in msg and "(D2, D3, D4)" in msg and "Öppna och spara filen i Excel" in msg


def test_multi_sheet_workbook_names_sheets():
    with pytest.raises(InputFileError, match=r"har 2 blad med data: 'Svar', 'Bakgrund'\. .*sheet='Svar'"):
        read_table(TAB / "flera_blad.xlsx")
    assert read_table(TAB / "flera_blad.xlsx", sheet="Svar")["respondent_id"].tolist() == ["R01", "R02", "R03"]
    assert read_table(TAB / "flera_blad.xlsx", sheet=1)["invanare"].tolist() == [113000]
    with pytest.raises(InputFileError, match=r"har 3 blad \('Svar', 'Bakgrund', 'Tomt'\); sheet=5 finns inte"):
        read_table(TAB / "flera_blad.xlsx", sheet=5)


def test_sheet_name_with_personnummer_is_masked(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    wb.active.title = "19121212-1212"
    wb.active.append(["a", "b"])
    wb.active.append([1, 2])
    other = wb.create_sheet("Andra")
    other.append(["x"])
    other.append([1])
    wb.save(tmp_path / "blad.xlsx")
    with pytest.raises(InputFileError, match=r"2 blad med data: 'ÅÅÅÅMMDD-XXXX', 'Andra'.*sheet=0") as e:
        read_table(tmp_path / "blad.xlsx")
    _no_pnr(str(e.value))


def test_zip_bomb_refused_fast():
    t0 = time.perf_counter()
    with pytest.raises(InputFileError, match=r"1 024 MB \(gränsen är 200 MB\).*zip-bomb"):
        read_table(TAB / "zipbomb.xlsx")
    assert time.perf_counter() - t0 < 0.5
    assert (TAB / "zipbomb.xlsx").stat().st_size < 5_000


def test_zip_ratio_limit(tmp_path, monkeypatch):
    """A member under the size limit but compressed > MAX_RATIO times is refused too (limits are constants)."""
    from finsam_eval.io import _excel

    p = tmp_path / "tat.xlsx"
    with zipfile.ZipFile(p, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/worksheets/sheet1.xml", b"0" * (8 * 1024**2))
    info = zipfile.ZipFile(p).infolist()[0]
    ratio = info.file_size / info.compress_size
    assert ratio > _excel.MAX_RATIO
    with pytest.raises(InputFileError, match=r"komprimerad .* gånger \(gränsen är 100\)"):
        read_table(p)
    monkeypatch.setattr(_excel, "MAX_UNCOMPRESSED", 1024**2)
    with pytest.raises(InputFileError, match=r"skulle packas upp till 8 MB \(gränsen är 1 MB\)"):
        read_table(p)


def test_spss_cases_are_lines_and_value_labels_kept():
    pytest.importorskip("pyreadstat")
    df = read_table(TAB / "spss_export.sav")
    assert df.attrs["value_labels"]["nojd"] == {1: "Mycket missnöjd", 5: "Mycket nöjd", 9: "Vet ej"}
    assert df.attrs["value_labels"]["kon"] == {1: "Man", 2: "Kvinna"}
    assert df["kon"].tolist()[:4] == ["Man", "Kvinna", "Kvinna", "Man"]
    assert df["lopnr"].tolist()[0] == "001"
    assert file_rows(df, [0, 4]) == [2, 6]  # case 1 = line 2


# ----------------------------------------------------------------------------- converters
def test_parse_indicator_mappings_and_errors():
    s = parse_indicator(pd.Series(["Ja", "nej", "Sant", "Falskt", "True", "false", "1", "0", None]))
    assert s.tolist() == [1, 0, 1, 0, 1, 0, 1, 0, pd.NA]
    assert "= 1" in s.attrs["omkodning"]
    assert parse_indicator(pd.Series([1.0, 0.0, np.nan])).tolist() == [1, 0, pd.NA]
    assert parse_indicator(pd.Series([True, False])).tolist() == [1, 0]
    with pytest.raises(SchemaError, match=r"både 'x' och andra värden \(rad 4\)"):
        parse_indicator(pd.Series(["x", "", "ja"], name="b"))
    with pytest.raises(SchemaError, match=r"1 värde som inte är ja/nej eller 1/0 \(rad 3\)"):
        parse_indicator(pd.Series(["ja", "19121212-1212"], name="b"))
    with pytest.raises(SchemaError) as e:
        parse_indicator(pd.Series(["ja", "19121212-1212"], name="b"))
    _no_pnr(str(e.value))  # a value that may be personal is never shown
    with pytest.raises(SchemaError, match=r"saknar värde på rad 3"):
        parse_indicator(pd.Series(["ja", None]), allow_missing=False)


def test_parse_share():
    s = parse_share(pd.Series(["65 %", "65,0%", "65%", "0,5 %", None]))
    np.testing.assert_allclose(s.to_numpy()[:4], [0.65, 0.65, 0.65, 0.005])
    with pytest.raises(SchemaError, match=r"rad 3"):
        parse_share(pd.Series(["65 %", "40"]))  # 40 without % next to percentages is ambiguous


def test_parse_period_months_and_errors():
    s = parse_period(pd.Series(["jan 2022", "februari 2022", "2022-03", "mars 2022"]))
    assert [str(p) for p in s] == ["2022-01", "2022-02", "2022-03", "2022-03"]
    assert parse_period(pd.Series([202101, 202102])).tolist() == [202101, 202102]
    with pytest.raises(SchemaError, match=r"blandar heltal och perioder i textform; avvikande form på rad 3"):
        parse_period(pd.Series(["1", "Q3 2024", "2", "3"], name="period"))


@pytest.mark.parametrize("module", ["finsam_eval.io.convert", "finsam_eval.io.tables", "finsam_eval.io.register",
                                    "finsam_eval.io.schemas"])
def test_docstring_examples(module):
    res = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert res.failed == 0 and res.attempted > 0


# ----------------------------------------------------------------------------- register
def test_register_with_swedish_column_names():
    reg = read_register(REG / "sus_utdrag_cp1252.csv", key="k")
    assert {"person_id", "period", "forbund", "deltagare", "start_period", "kon", "alder", "forsorjning_fore",
            "forsorjning_efter", "arbete_studier_avslut", "utskrivningsdatum", "insats"} <= set(reg.columns)
    assert reg.attrs["kolumner"]["start_period"] == "Inskrivningsdatum"
    q = [pd.Period(x).ordinal for x in ("2023Q1", "2023Q2", "2023Q3")]
    assert sorted(reg["period"].unique()) == q
    # start dates 2023-02-14 and 2023-04-03 fall in 2023Q1 and 2023Q2; controls have no start
    starts = reg.groupby("person_id")["start_period"].first()
    assert sorted(starts.dropna().tolist()) == q[:2] and starts.isna().sum() == 2
    assert reg.groupby("person_id")["deltagare"].first().sort_values().tolist() == [0, 0, 1, 1]
    _no_pnr(reg.to_string())
    assert reg["person_id"].str.startswith("ID-").all()


def test_register_treatment_forms():
    a = read_register(REG / "behandling_ja_nej.csv")
    assert a.groupby("person_id")["deltagare"].first().tolist() == [1, 0, 1]
    assert a["arbete_studier"].sum() == 2
    b = read_register(REG / "behandling_x_tom.csv")
    assert b["person_id"].tolist()[0] == "0001"
    assert b.groupby("person_id")["deltagare"].first().tolist() == [1, 0, 1]
    rec = [e for e in b.attrs["exclusions"].items if e.column == "deltagare"]
    assert rec[0].reason.startswith("'x' = 1 och tom cell = 0") and rec[0].action == "omkodad"


def test_register_role_mapping_argument():
    reg = read_register(REG / "lopnr_kvartal.xlsx",
                        kolumner={"period": "År och kvartal", "behandling": "Insatsdeltagare", "start": "Startkvartal"})
    assert reg["person_id"].tolist()[:2] == ["0001", "0001"]
    assert reg["period"].tolist()[:3] == [pd.Period(x).ordinal for x in ("2021Q3", "2021Q4", "2022Q1")]
    assert reg.loc[reg["deltagare"] == 1, "start_period"].unique().tolist() == [pd.Period("2021Q4").ordinal]
    with pytest.raises(FinsamError, match=r"saknar kolumnen 'Kvartalet'"):
        read_register(REG / "lopnr_kvartal.xlsx", kolumner={"period": "Kvartalet"})


def test_register_period_and_start_scales():
    with pytest.raises(SchemaError, match=r"perioden \('period'\) är heltal men starten \('start_period'\) är kvartal"):
        read_register(REG / "period_och_start_olika_skalor.csv")
    with pytest.raises(SchemaError, match=r"'period' blandar heltal och perioder i textform; avvikande form på rad 7"):
        read_register(REG / "strangt_varde_i_period.csv")
    m = read_register(REG / "manader_med_namn.csv")
    assert m["period"].tolist()[:3] == [618, 619, 620] and m["start_period"].dropna().unique().tolist() == [619]


def test_did_on_text_periods_equals_integer_periods(tmp_path):
    """A panel written with 2021K3-style periods and Ja/Nej treatment gives the same DiD as its integer twin."""
    from finsam_eval.effects import did
    from finsam_eval.effects.did import simulate_panel

    sim = simulate_panel(n_units=60, n_periods=6, effect=0.5, start=3, seed=4)
    base = pd.DataFrame({
        "person_id": sim["person_id"].map(lambda u: f"P{u:03d}"), "period": sim["period"], "forbund": "Huddinge",
        "deltagare": sim["deltagare"], "start_period": sim["start_period"], "y": sim["y"],
    })
    labels = {k: str(pd.Period("2021Q1") + k).replace("Q", "K") for k in range(6)}
    text = base.assign(
        period=base["period"].map(labels), start_period=base["start_period"].map(labels),
        deltagare=base["deltagare"].map({1: "Ja", 0: "Nej"}),
        y=base["y"].map(lambda v: f"{v:.6f}".replace(".", ",")),
    )
    p = tmp_path / "panel.csv"
    text.to_csv(p, sep=";", index=False)
    reg = read_register(p, numeric=["y"])
    assert reg["period"].min() == pd.Period("2021Q1").ordinal
    expected = did(base.assign(y=base["y"].round(6)), "y")
    got = did(reg, "y")
    assert got.att == pytest.approx(expected.att, abs=1e-9)
    assert got.se == pytest.approx(expected.se, rel=1e-9)
    assert abs(expected.att - 0.5) < 0.4  # the simulated truth, loosely (60 units)


# ----------------------------------------------------------------------------- CLI
def _run(args):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            rc = main(args)
        except SystemExit as exc:  # --help
            rc = exc.code
    return rc, out.getvalue() + err.getvalue()


def test_kontrollera_folder_one_verdict_per_file():
    rc, text = _run(["kontrollera", str(REG), "--typ", "register"])
    assert rc == 2
    lines = [ln for ln in text.splitlines() if ln.strip()]
    n_files = len(list(REG.glob("*.csv"))) + len(list(REG.glob("*.xlsx"))) + len(list(REG.glob("*.sav")))
    assert len(lines) == n_files + 1 and lines[-1].startswith(f"{n_files} filer:")
    assert "sus_utdrag_cp1252.csv: OK: 12 rader" in text
    assert "behandling_okant_varde.csv: FEL:" in text and "Traceback" not in text
    _no_pnr(text)


def test_kontrollera_role_flags_and_kolumner(tmp_path):
    f = REG / "lopnr_kvartal.xlsx"
    rc, text = _run(["kontrollera", str(f), "--typ", "register"])
    assert rc == 2 and "--period" in text
    rc, text = _run(["kontrollera", str(f), "--typ", "register", "--period", "År och kvartal", "--behandling",
                     "Insatsdeltagare", "--start", "Startkvartal"])
    assert rc == 0 and "Kolumnroller:" in text and "period = 'År och kvartal'" in text
    rc, text = _run(["kontrollera", str(f), "--typ", "register", "--kolumner",
                     "period=År och kvartal,behandling=Insatsdeltagare,start=Startkvartal"])
    assert rc == 0
    rc, text = _run(["kontrollera", str(f), "--kolumner", "period"])
    assert rc == 2 and "roll=kolumn" in text


def test_kontrollera_population_without_respondentgrupp(tmp_path):
    p = tmp_path / "population.csv"
    p.write_text("forbund;ar;population\nHuddinge;2024;120\n", encoding="utf-8")
    rc, text = _run(["kontrollera", str(p), "--typ", "population"])
    assert rc == 2 and "'respondentgrupp'" in text and "svarsfrekvensen" in text


def test_kontrollera_checks_scale_labels(tmp_path):
    p = tmp_path / "enkat.csv"
    rows = ["respondent_id;forbund;ar;respondentgrupp;f1"]
    answers = ["Stämmer helt och hållet", "Stämmer ganska bra", "Stämmer delvis", "Stämmer ganska dåligt",
               "Stämmer inte alls"]
    rows += [f"r{i};Huddinge;2024;styrelse;{answers[i % 5]}" for i in range(10)]
    p.write_text("\n".join(rows) + "\n", encoding="utf-8")
    rc, text = _run(["kontrollera", str(p), "--typ", "enkat", "--skala", "stammer5"])
    assert rc == 2 and "ihop" in text  # two different answers would land on one level
    rc, text = _run(["kontrollera", str(p), "--typ", "enkat"])
    assert rc == 0, text


def test_effekt_swedish_flags_on_swedish_register(tmp_path):
    rng = np.random.default_rng(11)
    n, T = 200, 6
    treated = (np.arange(n) < 60).astype(int)
    people = pd.DataFrame({
        "Löpnr": [f"{i:04d}" for i in range(n)], "Förbund": rng.choice(["Huddinge", "Botkyrka"], n),
        "Ålder": rng.integers(20, 60, n), "Deltar": np.where(treated == 1, "Ja", "Nej"),
        "Start": np.where(treated == 1, "2022K3", ""),
    })
    panel = people.loc[people.index.repeat(T)].reset_index(drop=True)
    k = np.tile(np.arange(T), n)
    panel["Kvartal"] = [str(pd.Period("2022Q1") + int(i)).replace("Q", "K") for i in k]
    post = (k >= 2) & (np.repeat(treated, T) == 1)
    panel["arbete_studier"] = (rng.random(len(panel)) < 0.2 + 0.2 * post).astype(int)
    f = tmp_path / "utdrag.csv"
    panel.to_csv(f, sep=";", index=False)
    out = tmp_path / "ut"
    rc, text = _run(["effekt", str(f), "--behandling", "Deltar", "--start", "Start", "--utfall", "arbete_studier",
                     "--kovariater", "alder", "--exakt", "", "--grupp", "", "--ut", str(out)])
    assert rc == 0, text
    raw = (out / "effekt.csv").read_text(encoding="utf-8-sig")
    head = raw.splitlines()[0].split(";")
    assert head[:5] == ["Utfall", "Metod", "Medel deltagare", "Medel kontroller", "Effekt (ATT)"]
    assert "Antal deltagare" in head and "e-" not in raw
    e = pd.read_csv(out / "effekt.csv", sep=";", decimal=",", encoding="utf-8-sig")
    assert e.loc[0, "Antal deltagare"] == 60
    # hidden English aliases still work: they fill the same settings as the Swedish flags
    from finsam_eval.cli import build_parser

    a = build_parser().parse_args(["effekt", str(f), "--outcome", "y", "--covariates", "alder", "--exact", "",
                                   "--by", "", "--ratio", "2", "--replace", "--adjust", "--post", "4", "--pre", "3",
                                   "--seed", "5", "--out", "x"])
    assert (a.utfall, a.kovariater, a.exakt, a.grupp, a.kvot, a.aterlaggning, a.justera, a.efter, a.fore, a.fro,
            a.ut) == ("y", "alder", "", "", 2, True, True, 4, 3, 5, "x")
    b = build_parser().parse_args(["effekt", str(f)])
    assert (b.utfall, b.grupp, b.kvot, b.fore, b.ut) == ("arbete_studier", "forbund", 1, 8, "effekt_resultat")
    rc, text = _run(["effekt", "--help"])
    assert "--outcome" not in text and "--utfall" in text and "--behandling" in text
