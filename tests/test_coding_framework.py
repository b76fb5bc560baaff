"""FrameworkMatrix: cases × codes with summaries or quotes, counts by hand, files (Excel, Word), the heat map."""

from __future__ import annotations

import doctest
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import pandas as pd
import pytest

from finsam_eval.coding import CodingResult, FrameworkMatrix, Intervjuguide, code_excerpts, framework_matrix
from finsam_eval.coding import framework as framework_module
from finsam_eval.errors import MissingColumnError, SchemaError
from finsam_eval.io import read_excerpts

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def res() -> CodingResult:
    ex = read_excerpts(ROOT / "data_samples" / "intervjuer", filnamn="{forbund}_{roll}_{respondent}")
    return Intervjuguide.from_yaml(ROOT / "data_samples" / "intervjuguide.yaml").code(ex, code_excerpts(ex))


def _small() -> CodingResult:
    # the same answer filed under two förbund (a respondent sitting in both), and a second text
    df = pd.DataFrame({
        "excerpt_id": ["a", "b", "c", "d", "e"],
        "respondent_id": ["H:R1", "B:R1", "H:R2", "B:R2", "H:R3"],
        "forbund": ["Huddinge", "Botkyrka", "Huddinge", "Botkyrka", "Huddinge"],
        "roll": ["styrelse", "styrelse", "samordnare", "samordnare", "insatspersonal"],
        "kalla": "intervju",
        "text": ["Vi drar åt samma håll i styrelsen numera.", "Vi drar åt samma håll i styrelsen numera.",
                 "Alla menar olika saker med målgrupp.", "Det är svårt att säga.", "Ingen aning om det."],
        "codes_a": [["samsyn"], ["samsyn"], ["samsyn", "malgrupp"], [], ["hinder"]],
    })
    return CodingResult.from_codes(df, "codes_a")


def test_counts_and_cells_by_hand():
    fm = framework_matrix(_small(), "forbund", codes=["samsyn", "malgrupp"], n_quotes=3)
    assert isinstance(fm, FrameworkMatrix)
    c = fm.counts()
    assert c.loc["Huddinge"].tolist() == [2, 1] and c.loc["Botkyrka"].tolist() == [1, 0]
    # the identical text is quoted once: under Botkyrka (first in order), not again under Huddinge
    assert fm.cell("Botkyrka", "samsyn") == "”Vi drar åt samma håll i styrelsen numera.” (styrelse)"
    hud = fm.cell("Huddinge", "samsyn")
    assert "Alla menar olika saker" in hud and "drar åt samma håll" not in hud
    assert fm.texts_once()
    assert fm.cell("Botkyrka", "malgrupp") == ""
    assert fm.table().shape == (2, 2) and list(fm.table().columns) == ["Samsyn", "Målgrupp"]


def test_summaries_win_and_unused_are_noted():
    summ = pd.DataFrame({"forbund": ["Huddinge", "Uppsala"], "kod": ["samsyn", "samsyn"],
                         "sammanfattning": ["Samsyn i styrelsen, inte om målgruppen.", "Finns inte i materialet."]})
    fm = _small().framework("forbund", codes=["samsyn"], summaries=summ)
    assert fm.cell("Huddinge", "samsyn") == "Samsyn i styrelsen, inte om målgruppen."
    assert fm.tidy.set_index("forbund").loc["Huddinge", "kalla"] == "sammanfattning"
    assert any("1 sammanfattningar matchar inget fall" in n and "Uppsala / samsyn" in n for n in fm.notes)
    with pytest.raises(MissingColumnError, match="sammanfattning"):
        _small().framework("forbund", summaries=pd.DataFrame({"forbund": ["Huddinge"], "kod": ["samsyn"]}))
    with pytest.raises(SchemaError, match="\\(fall, kod\\)"):
        _small().framework("forbund", summaries={"Huddinge": "x"})
    with pytest.raises(MissingColumnError, match="'kommun'"):
        _small().framework("kommun")


def test_several_case_columns_and_attribution(res):
    fm = res.framework(["forbund", "respondent_id"], codes=["legitimitet", "implementering"], n_quotes=1)
    assert fm.table().shape == (8, 2)
    # the guide asked all eight about legitimacy: one respondent per case, every cell quoted
    assert (fm.counts()["Legitimitet"] == 1).all()
    assert all(fm.table()["Legitimitet"].str.startswith("”"))
    # attribution by role only; no respondent id in a quote
    assert "(styrelse)" in fm.cell(("Huddinge", "Huddinge:R01"), "legitimitet")
    assert not fm.table().apply(lambda col: col.str.contains("R0")).to_numpy().any()


def test_forbund_matrix_on_samples_by_hand(res):
    fm = res.framework("forbund", codes=["legitimitet", "samsyn", "implementering"])
    # counted by hand from the transcripts (structural and content codes): 4 of 4 asked about legitimacy
    # in each förbund (F2 or F3); samsyn: F4 asked of three in Botkyrka, of styrelse and samordnare in Huddinge;
    # implementering: F8 asked of three in each
    assert fm.counts().loc["Botkyrka"].tolist() == [4, 3, 3]
    assert fm.counts().loc["Huddinge"].tolist() == [4, 2, 3]
    rt = fm.report_table()
    assert rt.shape == (3, 2) and rt.index.name == "Tema"  # few cases: codes as rows
    assert not rt.attrs["suppressed_mask"].to_numpy().any()
    assert "Intervjuade yrkesverksamma" in fm.notes[-1]


def test_files_and_figure(res, tmp_path):
    import docx
    import openpyxl

    fm = res.framework("forbund", codes=["legitimitet", "samsyn"])
    xl = fm.to_excel(tmp_path / "matris.xlsx")
    wb = openpyxl.load_workbook(xl)
    assert wb.sheetnames == ["Ramverksmatris", "Antal", "Noter"]
    ws = wb["Ramverksmatris"]
    assert ws["A2"].value == "Botkyrka" and ws["B1"].value == "Legitimitet" and ws["B2"].alignment.wrap_text
    assert ws["B2"].value == fm.cell("Botkyrka", "legitimitet")
    d = docx.Document(fm.to_docx(tmp_path / "matris.docx"))
    t = d.tables[0]
    assert (len(t.rows), len(t.columns)) == (3, 3)  # header + 2 codes, tema + 2 förbund
    assert t.cell(1, 0).text == "Legitimitet" and t.cell(0, 1).text == "Botkyrka"
    fig = fm.plot()
    fig.savefig(tmp_path / "matris.png", dpi=80)
    assert (tmp_path / "matris.png").stat().st_size > 3000
    assert "Ramverksmatris" in fm.summary() and "<table" in fm._repr_html_()


def test_docstring_examples():
    r = doctest.testmod(framework_module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert r.failed == 0 and r.attempted >= 4
