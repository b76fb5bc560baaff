"""Scales that cannot lie: survey files written by other tools, read on the right scale or refused.

The files are in tests/data/foreign/enkat (see expected.toml there). Shares are
checked against hand counts of the raw file, read with the csv module and no
finsam_eval code.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import finsam_eval as fe
from finsam_eval.cli import main
from finsam_eval.errors import ConfigError, FinsamError, ScaleError, UnknownLabelError
from finsam_eval.likert import SCALES, Scale, check_scale_labels, infer_scale, likert_summary, scale_from_config

D = Path(__file__).parent / "data" / "foreign" / "enkat"
NETIGATE = D / "netigate_stammer_helt_och_hallet.csv"
ITEM = "Målen för samverkan är tydliga"


def _raw_column(path: Path, column: str, encoding: str = "utf-8-sig", sep: str = ";") -> list[tuple[int, str]]:
    """(file line, raw text) of one column, read with the csv module only."""
    rows = list(csv.reader(io.StringIO(path.read_text(encoding=encoding)), delimiter=sep))
    j = rows[0].index(column)
    return [(i + 1, r[j]) for i, r in enumerate(rows) if i > 0]


def _hand_shares() -> tuple[float, float]:
    """Top-two on the true scale, and what merging 'Stämmer ganska bra' into 'Stämmer delvis' gives."""
    c = Counter(v for _, v in _raw_column(NETIGATE, ITEM))
    base = sum(c.values()) - c["Vet ej"] - c[""]
    truth = 100 * (c["Stämmer helt och hållet"] + c["Stämmer ganska bra"]) / base
    merged = 100 * (c["Stämmer helt och hållet"] + c["Stämmer ganska bra"] + c["Stämmer delvis"]) / base
    return truth, merged


# ---------------------------------------------------------------- the 53 % / 73 % file
def test_hand_count_of_the_file():
    truth, merged = _hand_shares()
    assert round(truth) == 53 and round(merged) == 73  # 16/30 and 22/30


def test_top_two_is_53_through_python():
    truth, _ = _hand_shares()
    df = fe.read_table(NETIGATE)
    for scale in ("auto", "stammer_ganska5", infer_scale(df, [ITEM])):
        t = likert_summary(df, ITEM, scale).table(suppress=False).iloc[0]
        assert t["pct_top"] == pytest.approx(truth)
        assert int(t["n_valid"]) == 30 and int(t["n_non_substantive"]) == 2
        # "Stämmer delvis" is the middle of this scale: neither agreement nor disagreement.
        assert t["pct_neutral"] == pytest.approx(100 * 6 / 30)


def test_preset_that_would_give_73_refuses_and_names_the_labels():
    df = fe.read_table(NETIGATE)
    with pytest.raises(ScaleError) as e:
        likert_summary(df, ITEM, "stammer5")
    msg = str(e.value)
    assert "netigate_stammer_helt_och_hallet.csv" in msg
    assert "'Stämmer ganska bra' (alias) och 'Stämmer delvis' hamnar båda på 'Stämmer delvis'" in msg
    assert "scale='stammer_ganska5'" in msg and "--skala stammer_ganska5" in msg
    # The scale methods refuse too: no way round the check through normalise or to_numeric.
    with pytest.raises(ScaleError):
        SCALES["stammer5"].to_numeric(df[ITEM])


def test_top_two_is_53_through_read_survey():
    truth, _ = _hand_shares()
    s = fe.read_survey(NETIGATE, scale="auto", id_col="RespondentID", group_cols=[])
    assert s.attrs["scale"].name == "stammer_ganska5"
    assert s.attrs["items"] == (ITEM, "Jag har mandat att fatta beslut i samverkan",
                                "Samverkan har gett resultat för deltagarna")
    res = likert_summary(s, list(s.attrs["items"]), s.attrs["scale"])
    assert res.table(suppress=False).set_index("item").loc[ITEM, "pct_top"] == pytest.approx(truth)
    with pytest.raises(ScaleError, match="'Stämmer ganska bra' \\(alias\\) och 'Stämmer delvis'"):
        fe.read_survey(NETIGATE, scale="stammer5", id_col="RespondentID", group_cols=[])


def test_top_two_is_53_through_the_cli(tmp_path, capsys):
    truth, _ = _hand_shares()
    out = tmp_path / "ut"
    assert main(["enkat", str(NETIGATE), "--id", "RespondentID", "--fragor", ITEM, "--ut", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "Skala: stammer_ganska5" in printed and "mittenalternativ 'Stämmer delvis'" in printed
    text = (out / "enkat_sammanstallning.csv").read_text(encoding="utf-8-sig")
    t = pd.read_csv(io.StringIO(text), sep=";", decimal=",", dtype=str)
    row = t.set_index("Fråga").loc[ITEM]
    assert float(row["Positiva (%)"].replace(",", ".")) == pytest.approx(round(truth, 1))
    # Counts are whole numbers, shares one decimal, means two: no "40,0000" or "6,93889e-16".
    assert row["Antal svar på skalan"] == "30" and row["Vet ej (antal)"] == "2"
    assert row["Positiva (%)"] == "53,3" and row["Medelvärde"] == "3,4"
    assert "e-" not in text
    # stammer5 on the command line: exit 2 and a message naming the two labels.
    assert main(["enkat", str(NETIGATE), "--id", "RespondentID", "--skala", "stammer5", "--ut", str(out)]) == 2
    assert "'Stämmer ganska bra' (alias) och 'Stämmer delvis'" in capsys.readouterr().err


# ---------------------------------------------------------------- two raw labels on one level
def test_two_raw_labels_on_one_level_raise():
    s5 = SCALES["stammer5"]
    with pytest.raises(ScaleError, match="'Stämmer helt och hållet' \\(alias\\) och 'Stämmer helt'"):
        s5.normalise(pd.Series(["Stämmer helt", "Stämmer helt och hållet", "Stämmer delvis"], name="f1"))
    # A stray wording among stammer5's own labels is read through the alias and counted per label
    # (file lines: header = line 1).
    ex = fe.Exclusions()
    out = s5.normalise(pd.Series(["Stämmer helt och hållet", "Stämmer inte så bra", "Stämmer helt och hållet"]),
                       exclusions=ex, column="f1")
    assert out.tolist() == ["Stämmer helt", "Stämmer inte så bra", "Stämmer helt"]
    (rec,) = [e for e in ex.items if e.action == "omkodad"]
    assert rec.count == 2 and rec.rows == (2, 4) and "'Stämmer helt och hållet' → 'Stämmer helt'" in rec.reason
    # Spellings of one label and variants (inflections) are not two answers.
    assert s5.normalise(pd.Series(["Stämmer helt", "stämmer  HELT", "5"])).tolist() == ["Stämmer helt"] * 3
    assert SCALES["bra5"].normalise(pd.Series(["Mycket dålig", "Mycket dåligt"])).tolist() == ["Mycket dålig"] * 2


def test_published_counts_are_checked_the_same_way():
    counts = pd.DataFrame({"item": ["f1"], "Stämmer helt och hållet": [7], "Stämmer ganska bra": [9],
                           "Stämmer delvis": [6], "Stämmer ganska dåligt": [5], "Stämmer inte alls": [3]})
    with pytest.raises(ScaleError, match="'Stämmer ganska bra' \\(alias\\) och 'Stämmer delvis'"):
        fe.likert_summary_from_counts(counts, "stammer5")
    t = fe.likert_summary_from_counts(counts, "stammer_ganska5").table().iloc[0]
    assert t["pct_top"] == pytest.approx(100 * 16 / 30)


def test_a_whole_other_scale_is_not_moved_by_aliases():
    # No "Stämmer ganska bra" answered, so nothing merges; but every label belongs to the "helt och hållet"
    # scale, whose middle "Stämmer delvis" stammer5 would count as agreement.
    raw = pd.Series(["Stämmer helt och hållet"] * 3 + ["Stämmer delvis"] * 4 + ["Stämmer ganska dåligt"] * 2
                    + ["Stämmer inte alls"], name="f1")
    with pytest.raises(ScaleError, match="hör till skalan stammer_ganska5.*scale='stammer_ganska5'"):
        likert_summary(raw.to_frame(), "f1", "stammer5")
    t = likert_summary(raw.to_frame(), "f1", "auto").table(suppress=False).iloc[0]
    assert t["pct_top"] == pytest.approx(30.0) and t["pct_neutral"] == pytest.approx(40.0)
    # A stray wording among stammer5's own labels still reads through the alias (and is counted).
    mixed = pd.Series(["Stämmer helt", "Stämmer ganska bra", "Stämmer inte alls"])
    assert SCALES["stammer5"].normalise(mixed).tolist() == ["Stämmer helt", "Stämmer delvis", "Stämmer inte alls"]


def test_two_raw_labels_across_the_item_set_raise():
    df = fe.read_table(D / "esmaker_blandade_skalor.csv")
    items = [c for c in df.columns if c.startswith("Fråga")]
    # Item 1 alone fits stammer5; with item 2, whose "Stämmer helt och hållet" is another answer than
    # item 1's "Stämmer helt", the item set would merge answers.
    likert_summary(df, items[0], "stammer5")
    assert "Stämmer helt" in set(df[items[0]]) and "Stämmer helt" not in set(df[items[1]])
    with pytest.raises(ScaleError) as e:
        likert_summary(df, items, "stammer5")
    assert "'Stämmer helt och hållet' (alias) och 'Stämmer helt'" in str(e.value)
    assert "esmaker_blandade_skalor.csv" in str(e.value)
    with pytest.raises(ScaleError, match="passar ingen känd skala"):
        infer_scale(df, items)
    chk = check_scale_labels(df, items, "stammer5")
    assert not chk.ok and "slå ihop" in chk.problems[0]
    assert set(chk.labels.loc[chk.labels["hur"] == "alias", "svar"]) == {
        "'Stämmer helt och hållet'", "'Stämmer ganska bra'", "'Stämmer ganska dåligt'"}


# ---------------------------------------------------------------- infer_scale on each family
FAMILY_CASES = [
    (["Stämmer helt", "Stämmer delvis", "Varken ja eller nej", "Stämmer inte alls"], "stammer5",
     ("Stämmer delvis", "Stämmer helt")),
    (["Stämmer helt och hållet", "Stämmer ganska bra", "Stämmer delvis", "Stämmer inte alls"], "stammer_ganska5",
     ("Stämmer ganska bra", "Stämmer helt och hållet")),
    (["Stämmer helt och hållet", "Stämmer ganska bra", "Stämmer ganska dåligt", "Stämmer inte alls"],
     "stammer_ganska4", ("Stämmer ganska bra", "Stämmer helt och hållet")),
    (["Instämmer helt", "Instämmer delvis", "Instämmer inte alls"], "instammer5",
     ("Instämmer delvis", "Instämmer helt")),
    (["Instämmer helt", "Instämmer delvis", "Varken eller", "Tar delvis avstånd", "Tar helt avstånd"],
     "instammer_avstand5", ("Instämmer delvis", "Instämmer helt")),
    (["I mycket hög grad", "I hög grad", "I viss mån", "I liten grad", "Inte alls"], "grad5",
     ("I hög grad", "I mycket hög grad")),
    (["Mycket bra", "Ganska bra", "Ganska dåligt", "Mycket dåligt"], "bra5", ("Ganska bra", "Mycket bra")),
    (["Mycket nöjd", "Ganska missnöjd", "Varken nöjd eller missnöjd"], "nojd5", ("Ganska nöjd", "Mycket nöjd")),
    (["Ja, helt", "Ja delvis", "Nej"], "ja_helt3", ("Ja, delvis", "Ja, helt")),
    (["Ja, absolut", "Ja, ganska", "Inte särskilt", "Inte alls"], "ja_absolut4", ("Ja, ganska", "Ja, absolut")),
]


@pytest.mark.parametrize("labels,name,top", FAMILY_CASES, ids=[c[1] for c in FAMILY_CASES])
def test_infer_scale_families(labels, name, top):
    ns = ["Vet ej", "Ingen åsikt"]
    df = pd.DataFrame({"a": labels * 2 + ns, "b": ns + labels * 2})
    sc = infer_scale(df, ["a", "b"])
    assert sc.name == name and sc.top == top
    assert sc.non_substantive == ("Vet ej", "Ingen åsikt")  # each kept apart, outside the base
    t = likert_summary(df, ["a"], sc).table(suppress=False).iloc[0]
    assert int(t["n_valid"]) == 2 * len(labels) and int(t["n_non_substantive"]) == 2
    assert t["pct_top"] == pytest.approx(100 * len(set(top) & {sc.match(x).label for x in labels}) / len(labels))


def test_infer_numeric_with_end_labels():
    sc = infer_scale(pd.DataFrame({"q": ["1 = Inte alls", "2", "4", "5 = Helt", "Vet ej", 3]}), "q")
    assert sc.labels == ("1 = Inte alls", "2", "3", "4", "5 = Helt") and sc.neutral == "3"
    assert sc.level_values == (1.0, 2.0, 3.0, 4.0, 5.0) and sc.non_substantive == ("Vet ej",)
    # "1 - Mycket dåligt" and the number alone are one answer (a code), counted per label.
    df = fe.read_table(D / "numerisk_bindestreck.txt")
    sc2 = infer_scale(df, ["Betyg på bemötandet"])
    assert sc2.levels[0] == "1 = Mycket dåligt" and sc2.top == ("4", "5 = Mycket bra")
    assert sc2.match("1").label == "1 = Mycket dåligt" and sc2.match("1").how == "kod"
    # The positive end first: the numbers still give the order, the values run negative to positive.
    rev = infer_scale(pd.DataFrame({"q": ["1 = Helt", "2", "3", "4 = Inte alls"]}), "q")
    assert rev.levels == ("4 = Inte alls", "3", "2", "1 = Helt") and rev.match("4").label == "4 = Inte alls"
    with pytest.raises(ScaleError, match=r"siffror \(1-4\) utan etiketter.*numeric1_4"):
        infer_scale(pd.DataFrame({"q": ["1", "2", "4"]}), "q")


def test_infer_spss_value_labels():
    pytest.importorskip("pyreadstat")
    s = fe.read_survey(D / "spss_utstrackning.sav", scale="auto", id_col="lopnr", group_cols=[])
    sc = s.attrs["scale"]
    assert sc.levels == ("I mycket liten utsträckning", "I ganska liten utsträckning",
                         "I ganska stor utsträckning", "I mycket stor utsträckning")
    assert sc.non_substantive == ("Vet ej",) and sc.top == sc.levels[2:]
    e = fe.read_survey(D / "spss_andetiketter.sav", scale="auto", id_col="lopnr", group_cols=[])
    sc = e.attrs["scale"]
    assert sc.labels == ("1 = Inte alls", "2", "3", "4", "5 = Helt") and sc.non_substantive == ("Vill ej svara",)
    # Hand count with pyreadstat's raw codes: 4 and 5 are the top.
    import pyreadstat

    raw, _ = pyreadstat.read_sav(str(D / "spss_andetiketter.sav"))
    codes = raw["k1"].to_numpy()
    valid = codes[codes <= 5]
    t = likert_summary(e, "k1", sc).table(suppress=False).iloc[0]
    assert t["pct_top"] == pytest.approx(100 * np.isin(valid, [4, 5]).mean())


def test_infer_refuses_none_or_two():
    with pytest.raises(ScaleError, match="passar flera skalor"):
        infer_scale(pd.DataFrame({"q": ["Inte alls", "Vet ej"]}), "q")
    df = fe.read_table(D / "viktighet_okand_skala.csv")
    with pytest.raises(ScaleError) as e:
        infer_scale(df, [df.columns[1]])
    assert "'Mycket viktigt' (7 svar)" in str(e.value) and "--skala 'A|B|C|D|E'" in str(e.value)


def test_vet_ej_variants_stay_outside_the_base_each_under_its_own_label():
    s = fe.read_survey(D / "vet_ej_varianter.csv", scale="auto", id_col="respondent", group_cols=["forbund"])
    sc = s.attrs["scale"]
    assert set(sc.non_substantive) == {"Vet ej", "Vet inte", "Ingen åsikt", "Kan ej bedöma", "Ej aktuellt",
                                       "Vill ej svara"}
    c = Counter(v for _, v in _raw_column(D / "vet_ej_varianter.csv", "s01", encoding="utf-8"))
    t = likert_summary(s, "s01", sc).table(suppress=False).iloc[0]
    assert int(t["n_valid"]) == sum(c[x] for x in SCALES["stammer5"].levels)
    assert int(t["n_Ingen åsikt"]) == c["Ingen åsikt"] and int(t["n_non_substantive"]) == 7


# ---------------------------------------------------------------- recodings, lines, privacy
def test_recodings_counted_per_label_with_file_lines():
    s = fe.read_survey(D / "esmaker_stammer5_cp1252.csv", scale="stammer5", id_col="Löpnummer", group_cols=[])
    col = "Jag vet vart jag ska vända mig"
    raw = _raw_column(D / "esmaker_stammer5_cp1252.csv", col, encoding="cp1252")
    rec = {e.reason.split(" → ")[0]: e for e in s.attrs["exclusions"].items if e.action == "omkodad"}
    assert set(rec) == {"'stämmer helt'", "'STÄMMER DELVIS'", "'Varken eller'"}
    assert list(rec["'stämmer helt'"].rows) == [line for line, v in raw if v == "stämmer  helt "]
    assert list(rec["'Varken eller'"].rows) == [line for line, v in raw if v == "Varken eller"]
    assert "'Varken eller' → 'Varken ja eller nej' (variant" in rec["'Varken eller'"].reason


def test_unknown_label_uses_file_lines_and_never_echoes_a_personnummer():
    with pytest.raises(UnknownLabelError) as e:
        fe.read_survey(D / "annat_personnummer.csv", scale="ja_absolut4", id_col="id", group_cols=[])
    msg = str(e.value)
    line = next(i for i, v in _raw_column(D / "annat_personnummer.csv", "d01", encoding="utf-8") if "Annat" in v)
    assert f"rad {line})" in msg and "kolumnen 'd01'" in msg
    assert "1005" not in msg and "770415" not in msg and not fe.find_personnummer(msg)
    with pytest.raises(FinsamError) as e2:
        likert_summary(fe.read_table(D / "annat_personnummer.csv"), "d01", "auto")
    assert "1005" not in str(e2.value)
    chk = check_scale_labels(fe.read_table(D / "annat_personnummer.csv"), ["d01"], "ja_absolut4")
    assert "1005" not in chk.summary() and "1005" not in chk.labels.to_csv()


def test_surveymonkey_second_header_row():
    s = fe.read_survey(D / "surveymonkey_tva_rubrikrader.csv", scale="auto", id_col="Respondent ID",
                       group_cols=[])
    assert s.attrs["scale"].name == "ja_absolut4" and len(s) == 15
    assert s["Respondent ID"].iloc[0] == "1148007754"
    (rec,) = [e for e in s.attrs["exclusions"].items if e.action == "borttagen" and "SurveyMonkey" in e.reason]
    assert rec.rows == (2,)
    from finsam_eval.io import file_rows

    assert file_rows(s, [0]) == [3]  # the first respondent is on line 3


# ---------------------------------------------------------------- scales as data
def test_scale_from_spec_and_toml(tmp_path):
    spec = {"namn": "viktighet", "etiketter": ["Mycket viktigt", "Ganska viktigt", "Inte särskilt viktigt",
                                                "Inte alls viktigt"], "ordning": "fallande", "ej_svar": ["Vet ej"]}
    sc = Scale.from_spec(spec)
    assert sc.levels[0] == "Inte alls viktigt" and sc.top == ("Ganska viktigt", "Mycket viktigt")
    assert Scale.from_spec(sc.to_spec()) == sc
    with pytest.raises(ScaleError, match="Okända nycklar"):
        Scale.from_spec({**spec, "etikett": []})
    path = tmp_path / "skala.toml"
    path.write_text(
        '[skala]\nnamn = "viktighet"\netiketter = ["Mycket viktigt", "Ganska viktigt", "Inte särskilt viktigt", '
        '"Inte alls viktigt"]\nordning = "fallande"\nej_svar = ["Vet ej"]\n'
        'fragor = ["Hur viktigt är det att förbundet finns kvar?"]\nomvanda = []\n', encoding="utf-8")
    df = fe.read_table(D / "viktighet_egen_skala.csv")
    got = scale_from_config(path, df=df)
    assert got.scale == sc and got.items == ("Hur viktigt är det att förbundet finns kvar?",)
    with pytest.raises(ConfigError, match="finns inte"):
        scale_from_config({"etiketter": "Nej|Ja", "fragor": ["saknas"]}, df=df)
    with pytest.raises(ScaleError, match="ordning"):  # the ends do not say which is positive
        Scale.from_spec({"etiketter": "Röd|Gul|Grön"})
    assert Scale.from_spec({"etiketter": "Röd|Gul|Grön", "ordning": "stigande"}).top == ("Grön",)
    assert scale_from_config("auto", df=fe.read_table(NETIGATE), items=[ITEM]).scale.name == "stammer_ganska5"
    # The same file through the CLI, and the labels given on the command line.
    c = Counter(v for _, v in _raw_column(D / "viktighet_egen_skala.csv",
                                          "Hur viktigt är det att förbundet finns kvar?", encoding="utf-8"))
    expected = round(100 * (c["Mycket viktigt"] + c["Ganska viktigt"]) / (sum(c.values()) - c["Vet ej"]), 1)
    for flags in (["--skala-fil", str(path)],
                  ["--skala", "Mycket viktigt|Ganska viktigt|Inte särskilt viktigt|Inte alls viktigt",
                   "--ej-svar", "Vet ej"]):
        out = tmp_path / flags[0].strip("-")
        assert main(["enkat", str(D / "viktighet_egen_skala.csv"), "--id", "id", *flags, "--ut", str(out)]) == 0
        t = pd.read_csv(out / "enkat_sammanstallning.csv", sep=";", decimal=",", encoding="utf-8-sig")
        assert t.loc[0, "Positiva (%)"] == pytest.approx(expected)


def test_enkat_help_is_swedish_and_old_flags_still_work(capsys):
    with pytest.raises(SystemExit):
        main(["enkat", "--help"])
    helptext = capsys.readouterr().out
    for flag in ("--skala", "--skala-fil", "--neutral", "--ej-svar", "--fragor", "--respondent", "--id",
                 "--forbund", "--ar", "--grupp", "--ut"):
        assert flag in helptext
    for old in ("--items", "--by", "--scale", "--out"):
        assert f"{old} " not in helptext and f"{old}," not in helptext
    from finsam_eval.cli import build_parser

    args = build_parser().parse_args(["enkat", "x.csv", "--scale", "stammer5", "--items", "a,b", "--by", "forbund",
                                      "--out", "u", "--neutral", "separate"])
    assert (args.scale, args.items, args.by, args.out, args.neutral) == ("stammer5", "a,b", "forbund", "u", "separate")


@pytest.mark.parametrize("name", ["finsam_eval.likert.infer", "finsam_eval.likert.scale_config",
                                  "finsam_eval.cli.enkat"])
def test_docstring_examples_of_the_new_modules(name):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0


def test_roles_and_kontrollera_check_the_scale(capsys):
    s = fe.read_survey(NETIGATE, kolumner={"respondent": "RespondentID", "forbund": "Förbund"}, scale="auto")
    assert s.attrs["kolumner"] == {"respondent_id": "RespondentID", "forbund": "Förbund"}
    assert "forbund" in s.columns and s.attrs["items"][0] == ITEM  # Status and Förbund are not items
    with pytest.raises(FinsamError, match="Okända roller"):
        fe.read_survey(NETIGATE, kolumner={"fraga": ITEM})
    # kontrollera --typ enkat uses check_scale_labels: stammer5 is refused with the labels named.
    assert main(["kontrollera", str(NETIGATE), "--typ", "enkat", "--respondent", "RespondentID"]) == 0
    capsys.readouterr()
    assert main(["kontrollera", str(NETIGATE), "--typ", "enkat", "--respondent", "RespondentID",
                 "--skala", "stammer5"]) == 2
    assert "'Stämmer ganska bra' (alias) och 'Stämmer delvis'" in capsys.readouterr().out
