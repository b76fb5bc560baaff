"""Word output with python-docx.

Swedish numbered captions as Word SEQ fields ("Figur 1.", "Tabell 1."), real
Word tables, figures at 300 dpi, a table of contents field that Word fills in
when the document is opened, and the method appendix last.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from .document import FigureBlock, Heading, Paragraph, TableBlock

if TYPE_CHECKING:
    from .document import Report

__all__ = ["write_docx"]


def _field(paragraph, instr: str, result: str) -> None:
    """Insert a complex field (TOC, SEQ) with a precomputed result text."""
    run = paragraph.add_run()
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    run._r.append(begin)
    run = paragraph.add_run()
    text = OxmlElement("w:instrText")
    text.set(qn("xml:space"), "preserve")
    text.text = f" {instr} "
    run._r.append(text)
    run = paragraph.add_run()
    sep = OxmlElement("w:fldChar")
    sep.set(qn("w:fldCharType"), "separate")
    run._r.append(sep)
    paragraph.add_run(result)
    run = paragraph.add_run()
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run._r.append(end)


def _swedish(doc) -> None:
    # Language sv-SE for spell checking and hyphenation; Word updates fields (TOC) on open.
    styles = doc.styles.element
    rpr = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), "sv-SE")
    settings = doc.settings.element
    upd = OxmlElement("w:updateFields")
    upd.set(qn("w:val"), "true")
    settings.append(upd)
    normal = doc.styles["Normal"]
    normal.font.name = "Calibri"
    normal.font.size = Pt(11)


def _caption(doc, kind: str, number: int, text: str):
    p = doc.add_paragraph(style="Caption")
    r = p.add_run(f"{kind} ")
    r.bold = True
    _field(p, f"SEQ {kind} \\* ARABIC", str(number))
    p.runs[-2].bold = True
    r2 = p.add_run(". ")
    r2.bold = True
    p.add_run(text)
    return p


def _notes(doc, notes: list[str]) -> None:
    for n in notes:
        p = doc.add_paragraph()
        run = p.add_run(n)
        run.italic = True
        run.font.size = Pt(8)
        run.font.color.rgb = RGBColor(0x44, 0x44, 0x44)
        p.paragraph_format.space_after = Pt(0)
    if notes:
        doc.paragraphs[-1].paragraph_format.space_after = Pt(10)


def _shade(cell, hex_fill: str) -> None:
    tcpr = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), hex_fill)
    tcpr.append(shd)


def _table(doc, block: TableBlock, width_cm: float = 16.0) -> None:
    if block.number:
        _caption(doc, "Tabell", block.number, block.caption)
    else:
        p = doc.add_paragraph(style="Caption")
        p.add_run(block.caption).bold = True
    t = block.formatted()
    ncols = len(t.columns)
    size = Pt(9 if ncols <= 6 else 8 if ncols <= 9 else 7)
    table = doc.add_table(rows=1, cols=ncols)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for j, col in enumerate(t.columns):
        cell = table.rows[0].cells[j]
        cell.text = ""
        run = cell.paragraphs[0].add_run(str(col))
        run.bold = True
        run.font.size = size
        _shade(cell, "D9E2F3")
    # Header row repeats on every page.
    trpr = table.rows[0]._tr.get_or_add_trPr()
    hdr = OxmlElement("w:tblHeader")
    hdr.set(qn("w:val"), "true")
    trpr.append(hdr)
    numeric = block.numeric_columns()
    for _, row in t.iterrows():
        cells = table.add_row().cells
        for j, value in enumerate(row):
            cells[j].text = ""
            p = cells[j].paragraphs[0]
            run = p.add_run(str(value))
            run.font.size = size
            if j in numeric:
                p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _widths(table, t, width_cm)
    _notes(doc, block.notes)
    if not block.notes:
        doc.add_paragraph()


def _orient(doc, landscape: bool) -> None:
    """Start a new section in landscape (wide tables) or back in portrait."""
    sec = doc.add_section(WD_SECTION.NEW_PAGE)
    long_side, short_side = Cm(29.7), Cm(21.0)
    sec.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    sec.page_width, sec.page_height = (long_side, short_side) if landscape else (short_side, long_side)


def _widths(table, t, total_cm: float = 16.0, cm_per_char: float = 0.19) -> None:
    # Width by content: every column fits its longest header word; long text cells
    # wrap, and only the widest columns give up space when the page is full.
    floor, want = [], []
    for col in t.columns:
        word = max((len(w) for w in str(col).replace("_", " ").split()), default=1)
        cell = max((len(str(v)) for v in t[col]), default=1)
        floor.append(max(word, 3) * cm_per_char + 0.4)
        want.append(max(word, min(cell, 30), 3) * cm_per_char + 0.4)
    widths = list(want)
    while sum(widths) > total_cm:
        j = max(range(len(widths)), key=lambda i: widths[i] - floor[i])
        if widths[j] - floor[j] <= 0.01:
            break
        widths[j] = max(floor[j], widths[j] - (sum(widths) - total_cm))
    if sum(widths) < total_cm:
        widths = [w * total_cm / sum(widths) for w in widths]
    table.autofit = False
    for j, w in enumerate(widths):
        table.columns[j].width = Cm(w)
        for row in table.rows:
            row.cells[j].width = Cm(w)


def write_docx(report: Report, path: str | Path) -> Path:
    """Write ``report`` as a .docx file and return its path.

    Nothing is written when the report or the file name holds a personnummer
    (:meth:`Report.check_private` raises :class:`~finsam_eval.errors.PrivacyError`).
    """
    path = Path(path)
    report.check_private(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc = Document()
    _swedish(doc)
    sec = doc.sections[0]
    sec.page_height, sec.page_width = Cm(29.7), Cm(21.0)  # A4
    sec.left_margin = sec.right_margin = Cm(2.5)
    sec.top_margin = sec.bottom_margin = Cm(2.5)

    doc.add_paragraph(report.title, style="Title")
    if report.subtitle:
        doc.add_paragraph(report.subtitle, style="Subtitle")
    meta = [x for x in (report.author, report.date.isoformat()) if x]
    if meta:
        doc.add_paragraph(" · ".join(meta))
    doc.add_paragraph("Innehåll", style="TOC Heading" if "TOC Heading" in [s.name for s in doc.styles] else "Heading 1")
    p = doc.add_paragraph()
    _field(p, 'TOC \\o "1-3" \\h \\z \\u', "Innehållsförteckningen uppdateras när dokumentet öppnas i Word (F9).")
    p.add_run().add_break(WD_BREAK.PAGE)

    for block in [*report.blocks, *report.appendix_blocks()]:
        if isinstance(block, Heading):
            if block.text.startswith("Bilaga"):
                doc.add_page_break()
            doc.add_heading(block.text, level=min(block.level, 3))
        elif isinstance(block, Paragraph):
            style = {"bullet": "List Bullet", "quote": "Quote"}.get(block.style)
            para = doc.add_paragraph(block.text, style=style)
            if block.style == "note":
                for r in para.runs:
                    r.italic = True
                    r.font.size = Pt(9)
        elif isinstance(block, FigureBlock):
            doc.add_picture(io.BytesIO(block.png), width=Cm(min(block.width_cm, 16.0)))
            doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
            doc.paragraphs[-1].paragraph_format.keep_with_next = True
            _caption(doc, "Figur", block.number, block.caption)
            _notes(doc, block.notes)
        elif isinstance(block, TableBlock):
            wide = len(block.formatted().columns) > 9
            if wide:  # more than nine columns do not fit a portrait A4 page at a readable size
                _orient(doc, landscape=True)
                _table(doc, block, width_cm=24.7)
                _orient(doc, landscape=False)
            else:
                _table(doc, block)
    doc.core_properties.title = report.title
    doc.core_properties.language = "sv-SE"
    if report.author:
        doc.core_properties.author = report.author
    doc.save(path)
    return path
