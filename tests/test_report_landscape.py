"""Wide tables go landscape without leaving half-empty portrait pages before them (issue 10).

write_docx defers a landscape table to the end of the portrait page or the next section
(``_print_order``), groups the landscape tables of a section on shared pages, and keeps table
numbers in the order they are printed. The last test reads the LibreOffice PDF.
"""

from __future__ import annotations

import re
import shutil
import subprocess

import numpy as np
import pandas as pd
import pytest
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn

from finsam_eval.report import Report
from finsam_eval.report.document import Heading, Paragraph, TableBlock
from finsam_eval.report.docx import _BODY_PT, _WIDTH_PT, _paragraph_pt, _print_order, table_layout

TEXT = ("Samverkan mellan parterna har utvecklats under perioden, och förbunden beskriver en tydligare "
        "gemensam bild av målgruppen. ") * 6


def _wide(k: int) -> pd.DataFrame:
    cols: dict[str, list] = {"Förbund": ["Botkyrka", "Huddinge", "Södertälje", "Uppsala", "Östra Södertörn"]}
    for j in range(14):
        cols[f"Andel stämmer helt fråga {j + 1}"] = list(np.round(np.linspace(10 + j, 60 + k, 5), 1))
    return pd.DataFrame(cols)


def _narrow() -> pd.DataFrame:
    return pd.DataFrame({"Förbund": ["Botkyrka", "Huddinge"], "Antal": [12, 30]})


def _order(blocks: list) -> list:
    rep = Report("Test")
    rep.structured = True
    layouts = {i: table_layout(b) for i, b in enumerate(blocks) if isinstance(b, TableBlock)}
    return [blocks[k] for k in _print_order(blocks, layouts, rep)]


def _pos(out: list, block) -> int:
    return next(k for k, b in enumerate(out) if b is block)  # by identity: blocks holding frames have no ==


def _table(df: pd.DataFrame, number: int) -> TableBlock:
    return TableBlock(df, f"Tabell med {len(df.columns)} kolumner", [], number)


def test_the_demo_tables_are_what_the_tests_assume():
    assert table_layout(_table(_wide(1), 1)).landscape
    assert not table_layout(_table(_narrow(), 1)).landscape


def test_a_wide_table_waits_for_the_next_section_and_takes_its_notes_along():
    wide = _table(_wide(1), 1)
    note = Paragraph("Källa: enkät till samverkansparterna.", "note")
    text = [Paragraph("Kort stycke."), Paragraph("Ett stycke till.")]
    nxt = Heading("1.2 Nästa avsnitt", 2)
    blocks = [Heading("1.1 Svar", 2), Paragraph("Inledning."), wide, note, *text, nxt, Paragraph("Mer.")]
    out = _order(blocks)
    assert [id(b) for b in out] == [id(b) for b in [blocks[0], blocks[1], *text, wide, note, nxt, blocks[-1]]]


def test_landscape_tables_of_a_section_share_their_pages_in_number_order():
    t1, t2 = _table(_wide(1), 1), _table(_wide(2), 2)
    blocks = [Heading("1.1 Svar", 2), Paragraph("Inledning."), t1, Paragraph("Mellan."), t2,
              Paragraph("Efter."), Heading("1.2 Nästa", 2)]
    out = _order(blocks)
    assert _pos(out, t2) == _pos(out, t1) + 1  # one landscape group
    assert _pos(out, t1) > _pos(out, blocks[5])  # after the text of the section


def test_a_wide_table_never_passes_a_numbered_portrait_table():
    wide, small = _table(_wide(1), 1), _table(_narrow(), 2)
    blocks = [Heading("1.1 Svar", 2), wide, Paragraph("Text."), small, Paragraph("Text."), Heading("1.2", 2)]
    out = _order(blocks)
    numbers = [b.number for b in out if isinstance(b, TableBlock)]
    assert numbers == [1, 2]
    assert _pos(out, wide) == _pos(out, blocks[2]) + 1  # deferred over the text, not over table 2


def test_a_wide_table_goes_at_the_page_end_not_pages_later():
    wide = _table(_wide(1), 1)
    text = [Paragraph(TEXT) for _ in range(12)]  # about three portrait pages
    blocks = [Heading("1 Resultat", 1), Paragraph(TEXT), wide, *text, Heading("1.2 Nästa", 2)]
    out = _order(blocks)
    before = out[:_pos(out, wide)]
    height = sum(_paragraph_pt(b, _WIDTH_PT[False])[0] for b in before if isinstance(b, Paragraph))
    para = _paragraph_pt(text[0], _WIDTH_PT[False])[0]
    # The portrait text before the table fills the first page (within one paragraph) and no more.
    assert _BODY_PT[False] - para - 40 < height <= _BODY_PT[False]
    assert _pos(out, wide) < _pos(out, blocks[-1]) - 1


def _synthetic() -> Report:
    rep = Report("Test av liggande tabeller")
    rep.structured = True
    rep.add_section("1 Resultat", TEXT, level=1)
    rep.add_section("1.1 Svar per förbund", TEXT, level=2)
    rep.add_table(_wide(1), "Andel som instämmer helt, per fråga och förbund.", ["Källa: enkät."])
    for _ in range(4):
        rep.add_text(TEXT)
    rep.add_table(_wide(2), "Andel som instämmer helt, andra halvåret.")
    rep.add_text(TEXT)
    rep.add_table(_narrow(), "Antal intervjuer per förbund.")
    rep.add_section("1.2 Nästa avsnitt", TEXT * 2, level=2)
    return rep


def test_docx_prints_tables_in_number_order_on_one_landscape_section(tmp_path):
    path = _synthetic().to_docx(tmp_path / "r.docx")
    doc = Document(path)
    captions = [int(m.group(1)) for p in doc.paragraphs if p.style.name == "Caption"
                for m in [re.match(r"Tabell (\d+)\.", p.text)] if m]
    assert captions == [1, 2, 3]
    landscape = [s for s in doc.sections if s.orientation == WD_ORIENT.LANDSCAPE]
    assert len(landscape) == 1
    # Every section after the title page's shows the header and page number on its first page.
    for sec in doc.sections[1:]:
        assert sec._sectPr.find(qn("w:titlePg")) is None or not sec.different_first_page_header_footer
    # No running text is printed landscape: in a landscape section only captions, tables and notes.
    body = doc.element.body
    orient_of = []  # the orientation of the section each body paragraph belongs to
    pending = []
    for el in body.iterchildren():
        if el.tag == qn("w:p"):
            pending.append(el)
            sect = el.find(qn("w:pPr") + "/" + qn("w:sectPr"))
            if sect is not None:
                pg = sect.find(qn("w:pgSz"))
                land = pg.get(qn("w:orient")) == "landscape"
                orient_of += [(p, land) for p in pending]
                pending = []
    texts = ["".join(t.text or "" for t in p.iter(qn("w:t"))) for p, land in orient_of if land]
    assert not any(t.startswith("Samverkan mellan parterna") for t in texts)


@pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdftotext") is None,
                    reason="LibreOffice och pdftotext behövs för att läsa sidorna")
def test_libreoffice_pdf_fills_the_page_before_the_landscape_page(tmp_path):
    path = _synthetic().to_docx(tmp_path / "r.docx")
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
                   capture_output=True, timeout=180, check=True)
    pdf = tmp_path / "r.pdf"
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", "99", str(pdf)], capture_output=True, text=True).stdout
    sizes = [(float(w), float(h)) for w, h in re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", info)]
    pages = [subprocess.run(["pdftotext", "-layout", "-f", str(k), "-l", str(k), str(pdf), "-"],
                            capture_output=True, text=True).stdout for k in range(1, len(sizes) + 1)]
    wide = [k for k, (w, h) in enumerate(sizes) if w > h]
    assert len(wide) == 1  # both wide tables on one landscape page
    assert "Tabell 1." in pages[wide[0]] and "Tabell 2." in pages[wide[0]]
    before = [ln for ln in pages[wide[0] - 1].splitlines() if ln.strip()]
    # A full portrait page (44 lines with the blank lines between paragraphs dropped); before the change the
    # page held the chapter heading and one paragraph (10 lines) and the section's text went landscape.
    assert len(before) >= 40
    for k, text in enumerate(pages[1:], start=2):  # the page number on every page after the title page
        assert [ln for ln in text.splitlines() if ln.strip()][-1].strip() == str(k)
    # The TOC's page numbers (the page model, run on the printed order) match the PDF.
    toc_page = next(t for t in pages if "Innehåll" in t)
    toc = dict(re.findall(r"^\s*(1\.\d [^.]+?)\s*\.{3,}\s*(\d+)\s*$", toc_page, re.M))
    assert len(toc) == 2
    for title, page in toc.items():
        assert any(ln.strip() == title for ln in pages[int(page) - 1].splitlines()), title
