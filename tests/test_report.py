"""Report assembly: Word structure, HTML, Markdown, privacy checks."""

import re
import zipfile
from dataclasses import dataclass, field

import matplotlib

matplotlib.use("Agg")
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from docx import Document  # noqa: E402

import finsam_eval as fe  # noqa: E402
from finsam_eval import plots  # noqa: E402
from finsam_eval.report import Report, write_csv  # noqa: E402
from finsam_eval.results import Exclusions, ResultMixin  # noqa: E402


@dataclass
class _Rate(ResultMixin):
    data: pd.DataFrame
    title: str = "Andel i arbete eller studier"
    caption: str = "Andel i arbete eller studier per förbund."
    notes: list = field(default_factory=lambda: ["n = 312 avslutade deltagare."])
    exclusions: Exclusions = field(default_factory=Exclusions)
    method: dict = field(default_factory=lambda: {"skattning": "Wilsonintervall (95 %)"})

    def table(self):
        return fe.suppress_small(self.data, ["n", "antal"], base="n", derived={"andel_pct": "antal"})

    def plot(self, ax=None):
        fig, ax = plots.figure("half")
        ax.bar(self.data["forbund"], self.data["antal"])
        return ax


def _result():
    d = pd.DataFrame({"forbund": ["Botkyrka", "Huddinge", "Södertälje"], "n": [120, 88, 4], "antal": [31, 20, 2]})
    d["andel_pct"] = 100 * d["antal"] / d["n"]
    r = _Rate(d)
    r.exclusions.add("saknar avslutsorsak", 7, rows=[3, 8], column="avslutsorsak")
    return r


def _report():
    rep = Report("Utvärdering 2025", subtitle="Slutrapport", author="Utvärderare")
    rep.add_section("Inledning", "Första stycket.\n\nAndra stycket om förankring och samsyn.")
    rep.add(_result(), text="Resultat per förbund.")
    rep.add_table(pd.DataFrame({"tema": ["Samsyn", "Hinder"], "antal": [12, 2]}), "Teman")
    return rep


def _docx_text(path):
    doc = Document(path)
    return doc, "\n".join(p.text for p in doc.paragraphs)


def test_docx_structure(tmp_path):
    path = _report().to_docx(tmp_path / "r.docx")
    doc, text = _docx_text(path)
    assert len(doc.tables) == 3  # two numbered, one exclusion table in the appendix
    appendix = [[c.text for c in row.cells] for row in doc.tables[2].rows]
    assert appendix[0] == ["Orsak", "Åtgärd", "Kolumner", "Antal"] and appendix[1][3] == "7"
    assert re.search(r"Tabell 1\. Underlag till figur 1: andel i arbete", text) and re.search(r"Tabell 2\. Teman", text)
    assert re.search(r"Figur 1\. Andel i arbete", text)
    assert "Inledning" in text and "Bilaga: Metod och data" in text
    assert "Wilsonintervall" in text and "saknar avslutsorsak" in appendix[1][0]
    assert "färre än 5" in text
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert headings[:2] == ["Inledning", "Andel i arbete eller studier"]
    # Suppressed cells show the marker; numbers have decimal comma.
    t = doc.tables[0]
    cells = [[c.text for c in row.cells] for row in t.rows]
    assert cells[0] == ["Förbund", "n", "Antal", "Andel pct"]  # Swedish print headers
    assert cells[3][1] == ".." and cells[1][3] == "25,8"
    xml = zipfile.ZipFile(path).read("word/document.xml").decode("utf-8")
    assert "SEQ Figur" in xml and "SEQ Tabell" in xml and "TOC \\o" in xml
    assert zipfile.ZipFile(path).read("word/media/image1.png")[:4] == b"\x89PNG"


def test_html_self_contained_and_markdown(tmp_path):
    rep = _report()
    html = rep.to_html(tmp_path / "r.html").read_text(encoding="utf-8")
    assert "data:image/png;base64," in html and "<img" in html and "src='http" not in html
    assert "Tabell 2." in html and "25,8" in html and "lang='sv'" in html and "<th>Förbund</th>" in html
    md = rep.to_markdown(tmp_path / "md")
    text = md.read_text(encoding="utf-8")
    assert "**Tabell 1.**" in text and "figurer/figur_01.png" in text
    csv = (tmp_path / "md" / "tabeller" / "tabell_01.csv").read_bytes()
    assert csv.startswith(b"\xef\xbb\xbf")  # BOM for Swedish Excel
    body = csv.decode("utf-8-sig").splitlines()
    assert body[0] == "forbund;n;antal;andel_pct" and body[1] == "Botkyrka;120;31;25,8333" and body[3].endswith(";..;..;..")


def test_raw_tables_are_suppressed_by_default():
    rep = Report("x")
    rep.add_table(pd.DataFrame({"g": ["a", "b"], "antal": [2, 9]}), "t")
    assert pd.isna(rep.tables[0].data["antal"][0])
    rep.add_table(pd.DataFrame({"g": ["a"], "antal": [2]}), "t2", suppress=False)
    assert rep.tables[1].data["antal"][0] == 2


def test_personnummer_never_written(tmp_path):
    rep = Report("x")
    with pytest.raises(fe.PrivacyError) as err:
        rep.add_text("Deltagaren 19121212-1212 sa att ...")
    assert "1212" not in str(err.value)
    with pytest.raises(fe.PrivacyError, match="kolumnen 'id'") as err:
        rep.add_table(pd.DataFrame({"id": ["121212-1212", "x"], "antal": [10, 10]}), "t")
    assert "121212" not in str(err.value)


def test_long_tables_are_cut_with_note_and_full_csv(tmp_path):
    rep = Report("x", max_table_rows=5)
    rep.add_table(pd.DataFrame({"i": range(12), "antal": [10] * 12}), "lång")
    assert len(rep.tables[0].data) == 5 and "12 rader" in rep.tables[0].notes[-1]
    rep.to_markdown(tmp_path)
    assert len((tmp_path / "tabeller" / "tabell_01.csv").read_text(encoding="utf-8-sig").splitlines()) == 13


def test_write_csv_index(tmp_path):
    t = fe.suppress_small(pd.DataFrame({"a": [1, 10]}, index=pd.Index(["x", "y"], name="tema")))
    lines = write_csv(t, tmp_path / "t.csv").read_text(encoding="utf-8-sig").splitlines()
    assert lines == ["tema;a", "x;..", "y;10"]


def test_single_wide_row_is_printed_vertically(tmp_path):
    rep = Report("x")
    row = pd.DataFrame([{"att": 0.051, "se": 0.01, "ci_lag": 0.03, "ci_hog": 0.07, "p": 0.0001, "n_deltagare": 900,
                         "n_kontroller": 900}])
    rep.add_table(row, "Effekt")
    t = rep.tables[0].formatted()
    assert list(t.columns) == ["Mått", "Värde"] and t.iloc[0].tolist() == ["Effekt (ATT)", "0,051"]
    assert t.iloc[4].tolist() == ["p-värde", "< 0,001"] and t.iloc[1].tolist() == ["Medelfel", "0,010"]
    doc = Document(rep.to_docx(tmp_path / "v.docx"))
    assert doc.tables[0].rows[6].cells[1].text == "900"


def test_wide_tables_get_a_landscape_page_and_too_wide_ones_split(tmp_path):
    rep = Report("x")
    rep.add_table(pd.DataFrame({f"k{i}": [10, 20] for i in range(12)}), "Smal")  # fits portrait at 9 pt
    rep.add_table(pd.DataFrame({f"Samverkansstrukturerna{i}": [10, 20] for i in range(6)}), "Bred")
    rep.add_table(pd.DataFrame({f"Samverkansstrukturerna{i}": [10, 20] for i in range(9)}), "Bredast")
    doc = Document(rep.to_docx(tmp_path / "w.docx"))
    orient = [s.page_width > s.page_height for s in doc.sections]
    assert orient == [False, True, False]  # both wide tables share one landscape section
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "Tabell 3. Bredast (del 1 av 2)" in text and "Tabell 3, forts. (del 2 av 2)" in text
    assert len(doc.tables) == 4
