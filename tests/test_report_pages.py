"""The TOC's page numbers before Word updates them, and Word's prompt to update them (issue 10).

The page model was measured against the LibreOffice PDF of the demo report (every heading on the page
the TOC names, see benchmarks/README.md); these tests pin its rules on small reports whose pages can be
counted by hand.
"""

from __future__ import annotations

import zipfile

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from docx import Document  # noqa: E402

from finsam_eval.report import Report  # noqa: E402
from finsam_eval.report.document import FigureBlock, Heading, Paragraph  # noqa: E402
from finsam_eval.report.docx import _BODY_PT, _estimate_pages, _n_lines  # noqa: E402
from finsam_eval.report.layout import text_width_pt  # noqa: E402


def _figure(height_cm: float) -> FigureBlock:
    return FigureBlock(b"", None, "Figur", [], 1, 16.0, height_cm)


def _pages(blocks) -> list[int]:
    rep = Report("Test")
    rep.structured = True
    est = _estimate_pages(blocks, rep)
    return [est[i] for i, b in enumerate(blocks) if isinstance(b, Heading)]


def test_body_height_is_a4_minus_margins():
    assert abs(_BODY_PT[False] - 24.7 / 2.54 * 72) < 0.01 and abs(_BODY_PT[True] - 16.0 / 2.54 * 72) < 0.01


def test_chapters_start_on_a_new_page_sections_do_not():
    blocks = [Heading("1 Inledning", 1), Paragraph("Kort text."), Heading("1.1 Bakgrund", 2),
              Paragraph("Kort text."), Heading("2 Metod", 1), Heading("2.1 Data", 2)]
    assert _pages(blocks) == [2, 2, 3, 3]  # the title page is page 1


def test_a_heading_moves_with_a_figure_that_does_not_fit():
    # 15 cm + 15 cm of figures do not share a 24,7 cm page: the second heading goes with its figure.
    blocks = [Heading("3 Resultat", 1), Heading("3.1 A", 2), _figure(15.0), Heading("3.2 B", 2), _figure(15.0),
              Heading("3.3 C", 2), _figure(3.0)]
    assert _pages(blocks) == [2, 2, 3, 3]


def test_long_text_flows_over_pages():
    words = "samverkan " * 2000  # about 20 000 characters of running text
    lines = _n_lines(words, 16.0 / 2.54 * 72, 10.5)
    # Independent count: words of equal width, as many per line as fit.
    w, sp = text_width_pt("samverkan", 10.5), text_width_pt(" ", 10.5)
    per_line = int((16.0 / 2.54 * 72 + sp) // (w + sp))
    assert lines == -(-2000 // per_line)
    line_pt = 10.5 * 1.149 * 1.15
    per_page = int(_BODY_PT[False] // line_pt)
    blocks = [Heading("1 Inledning", 1), Paragraph(words), Heading("1.1 Efter", 2)]
    pages = _pages(blocks)
    assert pages[0] == 2 and pages[1] >= 2 + lines // per_page


def test_toc_numbers_follow_the_model_and_word_is_asked_to_update(tmp_path):
    rep = Report("Slutrapport")
    rep.structured = True
    rep.add_section("Sammanfattning", "Kort.", level=1)
    for k in range(1, 4):
        rep.add_section(f"{k} Kapitel", level=1)
        fig, ax = plt.subplots(figsize=(6.3, 5.5))
        ax.plot([0, 1], [0, 1])
        rep.add_figure(fig, f"Figur i kapitel {k}")
        rep.add_table(pd.DataFrame({"forbund": ["Botkyrka", "Huddinge"], "antal": [12, 30]}), "Antal")
    path = rep.to_docx(tmp_path / "r.docx")
    doc = Document(path)
    toc = {p.text.rpartition("\t")[0]: int(p.text.rpartition("\t")[2]) for p in doc.paragraphs
           if p.style.name.startswith("TOC")}
    # Title page 1, Sammanfattning 2, Innehåll 3, then one chapter a page.
    assert [toc[f"{k} Kapitel"] for k in range(1, 4)] == [4, 5, 6]
    settings = zipfile.ZipFile(path).read("word/settings.xml").decode("utf-8")
    assert '<w:updateFields w:val="true"/>' in settings
    # In schema order (before w:compat), else Word reports the file as damaged.
    assert settings.index("<w:updateFields") < settings.index("<w:compat")
    assert '<w:decimalSymbol w:val=","/>' in settings


def test_text_after_a_landscape_table_is_counted_on_a_portrait_page():
    # write_docx prints running text after a landscape table on a new portrait page (only notes stay with
    # the table; test_report_landscape reads the docx); the model counts the text and the heading under it
    # on the page after the table's.
    from finsam_eval.report.document import TableBlock
    from finsam_eval.report.docx import table_layout

    cols = {"Förbund": ["Botkyrka", "Huddinge"], **{f"Andel stämmer helt fråga {j}": [10.5, 20.5] for j in range(14)}}
    wide = TableBlock(pd.DataFrame(cols), "Bred tabell", [], 1)
    assert table_layout(wide).landscape
    blocks = [Heading("1 Inledning", 1), Paragraph("Kort text."), Heading("2 Resultat", 1), wide,
              Paragraph("Not under tabellen.", "note"), Paragraph("Kort text."), Heading("Ett underavsnitt", 3),
              Paragraph("Kort text.")]
    assert _pages(blocks) == [2, 3, 4]
