"""Word output with python-docx: a slutrapport that prints.

- Titelsida (title, förbund, author, date, version) without header or footer.
- Innehållsförteckning written out as text (one line per heading, with a
  PAGEREF to the heading's bookmark for the page number) inside a Word TOC
  field, so Word (F9) and LibreOffice can update it.
- Built-in heading styles Heading 1-3 (Swedish Word shows them as Rubrik 1-3)
  so the navigation pane and Word's own TOC work; chapters start on a new page.
- The report title in the header, the page number (PAGE field) in the footer.
- Swedish numbered captions as SEQ fields ("Figur 1.", "Tabell 1.").
- Tables with column widths from their content (:mod:`.layout`): inside the
  text width, no column narrower than its longest word, numbers right-aligned;
  landscape pages for wide tables and two tables for tables too wide for that.
- A landscape table waits for the end of the portrait page or the next section
  (``_print_order``), so the page before it is filled first; landscape tables share pages.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape as _xml_escape

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from .document import FigureBlock, Heading, Paragraph, TableBlock
from .layout import CELL_MARGIN, FONT, TableLayout, layout_table

if TYPE_CHECKING:
    from .document import Report

__all__ = ["write_docx"]

_BLUE = RGBColor(0x1F, 0x3A, 0x5F)
_TOC_LEVELS = 2


def _fld(run, kind: str) -> None:
    el = OxmlElement("w:fldChar")
    el.set(qn("w:fldCharType"), kind)
    run._r.append(el)


def _instr(run, instr: str) -> None:
    el = OxmlElement("w:instrText")
    el.set(qn("xml:space"), "preserve")
    el.text = f" {instr} "
    run._r.append(el)


def _field(paragraph, instr: str, result: str) -> None:
    """Insert a complex field (SEQ, PAGE, PAGEREF) with a precomputed result text."""
    _fld(paragraph.add_run(), "begin")
    _instr(paragraph.add_run(), instr)
    _fld(paragraph.add_run(), "separate")
    paragraph.add_run(result)
    _fld(paragraph.add_run(), "end")


def _styles(doc) -> None:
    """Swedish language, Arial, heading styles in the house colours, caption and quote styles."""
    styles = doc.styles.element
    rpr = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), "sv-SE")
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(10.5)
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = 1.15
    rfonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        rfonts.set(qn(attr), FONT)
    for level, size in ((1, 16), (2, 13), (3, 11)):
        st = doc.styles[f"Heading {level}"]
        st.font.name = FONT
        st.font.size = Pt(size)
        st.font.color.rgb = _BLUE
        st.font.bold = True
        st.font.italic = False
        st.paragraph_format.space_before = Pt(18 if level == 1 else 12)
        st.paragraph_format.space_after = Pt(6)
        st.paragraph_format.keep_with_next = True
    for name in ("Title", "Subtitle", "Caption", "Quote", "List Bullet", "TOC Heading"):
        if name in [s.name for s in doc.styles]:
            doc.styles[name].font.name = FONT
    # The template's theme fonts (w:asciiTheme ...) win over w:ascii: without removing them the headings
    # print in the theme's heading font, wider than the Arial the page model and the tables measure with.
    for st in doc.styles:
        rpr = st.element.find(qn("w:rPr"))
        rfonts = rpr.find(qn("w:rFonts")) if rpr is not None else None
        if rfonts is not None and rfonts.get(qn("w:ascii")) == FONT:
            for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
                rfonts.attrib.pop(qn(attr), None)
    cap = doc.styles["Caption"]
    cap.font.size = Pt(9)
    cap.font.italic = False
    cap.font.color.rgb = RGBColor(0x22, 0x22, 0x22)
    cap.paragraph_format.keep_with_next = True
    for level in (1, 2):
        name = f"TOC {level}"
        st = doc.styles[name] if name in [s.name for s in doc.styles] else doc.styles.add_style(name, 1)
        st.base_style = doc.styles["Normal"]
        st.paragraph_format.left_indent = Cm(0.6 * (level - 1))
        # Single-spaced at 10 pt, so a demo-sized TOC (about 50 entries) fits one page.
        st.paragraph_format.space_before = Pt(3 if level == 1 else 0)
        st.paragraph_format.space_after = Pt(0)
        st.paragraph_format.line_spacing = 1.0
        st.font.size = Pt(10)
        st.font.bold = level == 1


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
    for k, n in enumerate(notes):
        p = doc.add_paragraph()
        run = p.add_run(n)
        run.italic = True
        run.font.size = Pt(8)
        run.font.color.rgb = RGBColor(0x44, 0x44, 0x44)
        p.paragraph_format.space_after = Pt(0)
        p.paragraph_format.keep_with_next = k < len(notes) - 1  # the notes of a table or figure stay together
    if notes:
        doc.paragraphs[-1].paragraph_format.space_after = Pt(10)


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _run_xml(text: str, size: float, bold: bool) -> str:
    """One w:r with the text (line breaks and tabs as Word elements)."""
    rpr = f'<w:rPr>{"<w:b/>" if bold else ""}<w:sz w:val="{round(size * 2)}"/></w:rPr>'
    parts = []
    text = _CONTROL.sub("", str(text))  # characters XML cannot hold (a stray form feed from a pasted cell)
    for k, line in enumerate(text.split("\n")):
        if k:
            parts.append("<w:br/>")
        for m, chunk in enumerate(line.split("\t")):
            if m:
                parts.append("<w:tab/>")
            if chunk:
                keep = ' xml:space="preserve"' if chunk != chunk.strip() else ""
                parts.append(f"<w:t{keep}>{_xml_escape(chunk)}</w:t>")
    return f"<w:r>{rpr}{''.join(parts)}</w:r>"


def _word_table(doc, header: list[str], rows: list[list[str]], numeric: set[int], widths: list[int],
                size: float) -> None:
    """A table with a shaded header row repeated on every page, fixed column widths, rows that never split.

    Built as one piece of WordprocessingML: through python-docx's cell objects, the tables took a
    quarter of the demo report's writing time.
    """
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    def cell(j: int, text: str, head: bool, keep: bool) -> str:
        tcpr = f'<w:tcW w:type="dxa" w:w="{widths[j]}"/>'
        if head:
            tcpr += '<w:shd w:val="clear" w:color="auto" w:fill="D9E2F3"/>'
        ppr = "<w:keepNext/>" if keep else ""
        ppr += '<w:spacing w:after="0"/>' if head else '<w:spacing w:after="0" w:line="240" w:lineRule="auto"/>'
        if j in numeric:
            ppr += '<w:jc w:val="right"/>'
        return f"<w:tc><w:tcPr>{tcpr}</w:tcPr><w:p><w:pPr>{ppr}</w:pPr>{_run_xml(text, size, head)}</w:p></w:tc>"

    out = [f"<w:tbl {nsdecls('w')}><w:tblPr><w:tblStyle w:val=\"TableGrid\"/>",
           f'<w:tblW w:type="dxa" w:w="{sum(widths)}"/><w:jc w:val="center"/><w:tblLayout w:type="fixed"/>',
           f'<w:tblCellMar><w:left w:w="{CELL_MARGIN}" w:type="dxa"/><w:right w:w="{CELL_MARGIN}" w:type="dxa"/>'
           '</w:tblCellMar><w:tblLook w:firstColumn="1" w:firstRow="1" w:lastColumn="0" w:lastRow="0" '
           'w:noHBand="0" w:noVBand="1" w:val="04A0"/></w:tblPr><w:tblGrid>',
           *(f'<w:gridCol w:w="{w}"/>' for w in widths), "</w:tblGrid>",
           # The header row repeats on every page; no row breaks over a page (a lone second line).
           '<w:tr><w:trPr><w:cantSplit w:val="true"/><w:tblHeader w:val="true"/></w:trPr>',
           *(cell(j, h, True, False) for j, h in enumerate(header)), "</w:tr>"]
    for k, row in enumerate(rows):
        # The last rows stay with what follows (the table's notes), so notes never open a page alone.
        keep = k >= len(rows) - 2
        out.append('<w:tr><w:trPr><w:cantSplit w:val="true"/></w:trPr>')
        out.extend(cell(j, v, False, keep) for j, v in enumerate(row))
        out.append("</w:tr>")
    out.append("</w:tbl>")
    doc.element.body._insert_tbl(parse_xml("".join(out)))


def table_layout(block: TableBlock) -> TableLayout:
    """The layout a table block gets in Word (also used by the tests)."""
    t = block.formatted()
    return layout_table([str(c) for c in t.columns], [[str(v) for v in r] for r in t.itertuples(index=False)])


def _table(doc, block: TableBlock, lay: TableLayout) -> None:
    t = block.formatted()
    header = [str(c) for c in t.columns]
    rows = [[str(v) for v in r] for r in t.itertuples(index=False)]
    numeric = block.numeric_columns()
    for k, part in enumerate(lay.parts):
        if block.number:
            suffix = f" (del {k + 1} av {len(lay.parts)})" if len(lay.parts) > 1 else ""
            if k == 0:
                _caption(doc, "Tabell", block.number, block.caption + suffix)
            else:
                p = doc.add_paragraph(style="Caption")
                p.add_run(f"Tabell {block.number}, forts.{suffix}").bold = True
        elif k == 0:
            p = doc.add_paragraph(style="Caption")
            p.add_run(block.caption).bold = True
        _word_table(doc, [header[i] for i in part], [[r[i] for i in part] for r in rows],
                    {n for n, i in enumerate(part) if i in numeric}, [lay.widths[i] for i in part], lay.font_pt)
        if k < len(lay.parts) - 1:
            doc.add_paragraph()
    _notes(doc, block.notes)
    if not block.notes:
        doc.add_paragraph().paragraph_format.space_after = Pt(4)


def _new_section(doc, landscape: bool) -> None:
    """Start a new section in landscape (wide tables) or back in portrait."""
    sec = doc.add_section(WD_SECTION.NEW_PAGE)
    long_side, short_side = Cm(29.7), Cm(21.0)
    sec.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    sec.page_width, sec.page_height = (long_side, short_side) if landscape else (short_side, long_side)
    sec.left_margin = sec.right_margin = sec.top_margin = sec.bottom_margin = Cm(2.5)
    # add_section copies the title page's "different first page": without this the first page of every
    # landscape section, and of the portrait one after it, printed without header and page number.
    sec.different_first_page_header_footer = False


def _header_footer(doc, report: Report) -> None:
    sec = doc.sections[0]
    sec.different_first_page_header_footer = True  # no header or page number on the title page
    hp = sec.header.paragraphs[0]
    hp.text = ""
    run = hp.add_run(report.title)
    run.font.size = Pt(8)
    run.font.color.rgb = RGBColor(0x55, 0x55, 0x55)
    hp.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    fp = sec.footer.paragraphs[0]
    fp.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _field(fp, "PAGE", "1")
    for r in fp.runs:
        r.font.size = Pt(9)


def _bookmark(paragraph, name: str, bid: int) -> None:
    start = OxmlElement("w:bookmarkStart")
    start.set(qn("w:id"), str(bid))
    start.set(qn("w:name"), name)
    end = OxmlElement("w:bookmarkEnd")
    end.set(qn("w:id"), str(bid))
    paragraph._p.insert(1 if paragraph._p.pPr is not None else 0, start)
    paragraph._p.append(end)


def _title_page(doc, report: Report) -> None:
    for _ in range(6):
        doc.add_paragraph()
    t = doc.add_paragraph(report.title, style="Title")
    t.runs[0].font.size = Pt(26)
    t.runs[0].font.color.rgb = _BLUE
    if report.subtitle:
        doc.add_paragraph(report.subtitle, style="Subtitle")
    for _ in range(3):
        doc.add_paragraph()
    lines = [
        ("", getattr(report, "forbund", None)),
        ("", report.author),
        ("Datum: ", report.date.isoformat()),
        ("Version: ", getattr(report, "version", None)),
    ]
    for label, value in lines:
        if value:
            p = doc.add_paragraph()
            p.add_run(f"{label}{value}").font.size = Pt(12)
            p.paragraph_format.space_after = Pt(2)


# Page model for the TOC's page numbers (points). Word and LibreOffice lay the document out themselves;
# this mirrors write_docx closely enough that the numbers a reader sees before the fields are updated
# are right for most headings (measured against the LibreOffice PDF of the demo: benchmarks/README.md).
_BODY_PT = {False: (29.7 - 5.0) / 2.54 * 72, True: (21.0 - 5.0) / 2.54 * 72}  # text height per page
_WIDTH_PT = {False: (21.0 - 5.0) / 2.54 * 72, True: (29.7 - 5.0) / 2.54 * 72}
_LINE = 1.149  # Arial's line height per point of font size
_KEEP_MARGIN = 0.0
_SPACING = 1.15  # Normal's line spacing


def _n_lines(text: str, width_pt: float, size: float, bold: bool = False) -> int:
    """Lines ``text`` wraps into at ``width_pt`` (greedy, at spaces, as Word does)."""
    from .layout import text_width_pt

    space = text_width_pt(" ", size, bold)
    lines, x = 1, 0.0
    for word in str(text).split():
        w = text_width_pt(word, size, bold)
        if x and x + space + w > width_pt:
            lines, x = lines + 1, w
        else:
            x = x + space + w if x else w
    return lines


class _Pager:
    """Follows the flow of write_docx block by block and counts pages."""

    def __init__(self) -> None:
        self.page, self.used, self.landscape = 2, 0.0, False  # the title page is page 1

    @property
    def room(self) -> float:
        return _BODY_PT[self.landscape] - self.used

    def new_page(self, landscape: bool | None = None) -> None:
        if landscape is not None:
            self.landscape = landscape
        self.page, self.used = self.page + 1, 0.0

    def flow(self, height: float, line: float) -> None:
        """Text that may break between lines."""
        while self.used + height > _BODY_PT[self.landscape] + 0.5:
            fit = max(0.0, (_BODY_PT[self.landscape] - self.used) // line * line)
            height -= fit
            self.new_page()
        self.used += height

    def block(self, height: float) -> None:
        """Something kept on one page (a figure with its caption, a heading with the first lines after it)."""
        # _KEEP_MARGIN holds back room for a kept block; 0 matched the demo PDF best (14 pt moved two
        # headings that were right).
        if self.used > 0 and self.used + height > _BODY_PT[self.landscape] - _KEEP_MARGIN:
            self.new_page()
        self.used += height


def _paragraph_pt(b: Paragraph, width: float) -> tuple[float, float]:
    """(height, line height) of a paragraph as write_docx prints it."""
    size, after, indent = 10.5, 6.0, 0.0
    if b.style == "note":
        size = 9.0
    elif b.style == "item":
        after, indent = 2.0, 17.0
    elif b.style in ("bullet", "quote"):
        indent = 18.0 if b.style == "bullet" else 36.0
    elif b.style == "reference":
        indent = 28.0
    line = size * _LINE * _SPACING
    return _n_lines(b.text, width - indent, size, b.style == "quote") * line + after, line


def _table_rows_pt(block: TableBlock, lay: Any) -> list[float]:
    """Heights of the caption, the header and each row of a table (all of its parts)."""
    t = block.formatted()
    header = [str(c) for c in t.columns]
    rows = [[str(v) for v in r] for r in t.itertuples(index=False)]
    line = lay.font_pt * _LINE
    out: list[float] = []
    for k, part in enumerate(lay.parts):
        cap_w = _WIDTH_PT[lay.landscape]
        out.append(_n_lines(block.caption, cap_w, 9.0) * 9.0 * _LINE * _SPACING + 10.0 if k == 0 else 24.0)
        for cells, bold in [(header, True), *((r, False) for r in rows)]:
            n = max(_n_lines(cells[i], max(lay.widths[i] / 20 - 6, 10.0), lay.font_pt, bold) for i in part)
            out.append(n * line + 1.5)
    notes = sum(_n_lines(n, _WIDTH_PT[lay.landscape], 8.0) * 8.0 * _LINE * _SPACING for n in block.notes)
    out.append(notes + 10.0 if block.notes else 10.5 * _LINE * _SPACING + 4.0)
    return out


def _figure_pt(b: FigureBlock) -> tuple[float, float]:
    """(picture with caption, notes) in points, as write_docx sizes them."""
    w = min(b.width_cm, 16.0)
    hcm = min((b.height_cm * w / b.width_cm) if b.height_cm else 10.0, 21.0)
    cap = _n_lines(f"Figur {b.number}. {b.caption}", _WIDTH_PT[False], 9.0) * 9.0 * _LINE * _SPACING + 10.0
    notes = sum(_n_lines(n, _WIDTH_PT[False], 8.0) * 8.0 * _LINE * _SPACING for n in b.notes)
    return hcm / 2.54 * 72 * _FIGURE_LINE + 6.0 + cap, notes + (10.0 if b.notes else 0.0)


def _back_to_portrait(b: Paragraph, prev: Any, landscape: bool) -> bool:
    """Text after a landscape table goes back to a portrait page (its notes stay with it)."""
    return landscape and isinstance(prev, TableBlock) and b.style != "note"


class _PageModel:
    """The page model of write_docx's flow, fed one block at a time (see :func:`_estimate_pages`).

    Its state is three numbers and a flag, so :func:`_print_order` can try a block and take it back.
    """

    def __init__(self, report: Report, layouts: dict[int, TableLayout]) -> None:
        self.report = report
        self.layouts = layouts  # by id() of the table block
        self.pg = _Pager()
        self.first = True
        self.prev: Any = None  # the block laid out last

    def state(self) -> tuple[int, float, bool, bool, Any]:
        return self.pg.page, self.pg.used, self.pg.landscape, self.first, self.prev

    def restore(self, state: tuple[int, float, bool, bool, Any]) -> None:
        self.pg.page, self.pg.used, self.pg.landscape, self.first, self.prev = state

    def toc(self, toc_lines: int, n1: int) -> None:
        """The Innehållsförteckning starts on a new page, the chapter after it too."""
        pg = self.pg
        if pg.used > 0:
            pg.new_page()
        pg.flow(34.0 + toc_lines * 10.0 * _LINE + 3.0 * n1, 10.0 * _LINE)  # see the TOC styles in _styles
        self.first = False

    def step(self, b: Any, following: list[Any]) -> int:
        """Lay out block ``b`` (``following``: the next few blocks printed); returns the page it starts on."""
        prev, self.prev = self.prev, b
        pg, lay_of = self.pg, self.layouts
        width = _WIDTH_PT[pg.landscape]
        if isinstance(b, Heading):
            nxt = 0
            while nxt < len(following) and isinstance(following[nxt], Paragraph) and nxt < 2:
                nxt += 1
            wide = nxt < len(following) and id(following[nxt]) in lay_of and lay_of[id(following[nxt])].landscape
            if wide != pg.landscape:
                pg.new_page(landscape=wide)
            elif (b.level == 1 or b.text.startswith("Bilaga")) and (self.report.structured or self.first
                                                                    or b.text.startswith("Bilaga")):
                if pg.used > 0:
                    pg.new_page()
            self.first = False
            size = {1: 16.0, 2: 13.0}.get(b.level, 11.0)
            h = _n_lines(b.text, _WIDTH_PT[pg.landscape], size, True) * size * _LINE * _SPACING + 6.0
            h += (18.0 if b.level == 1 else 12.0) if pg.used > 0 else 0.0
            # Kept with the next paragraph: the heading moves when what follows it does not fit (two lines
            # of text, or a whole figure with its caption, or a table's caption, header and first row).
            after = following[0] if following else None
            if isinstance(after, FigureBlock) and not pg.landscape:
                keep = _figure_pt(after)[0]
            elif isinstance(after, TableBlock) and lay_of[id(after)].landscape == pg.landscape:
                keep = sum(_table_rows_pt(after, lay_of[id(after)])[:3])
            elif isinstance(after, Heading):  # a chain of headings moves as one, with two lines after the last
                size2 = {1: 16.0, 2: 13.0}.get(after.level, 11.0)
                keep = (_n_lines(after.text, _WIDTH_PT[pg.landscape], size2, True) * size2 * _LINE * _SPACING
                        + 18.0 + 2 * 10.5 * _LINE * _SPACING)
            else:
                keep = 2 * 10.5 * _LINE * _SPACING
            pg.block(h + keep)
            pg.used -= keep
            return pg.page
        if isinstance(b, Paragraph):
            if _back_to_portrait(b, prev, pg.landscape):
                pg.new_page(landscape=False)
                width = _WIDTH_PT[False]
            h, line = _paragraph_pt(b, width)
            pg.flow(h, line)
        elif isinstance(b, FigureBlock):
            if pg.landscape:
                pg.new_page(landscape=False)
            fig_h, notes = _figure_pt(b)
            pg.block(fig_h)
            pg.flow(notes, 8.0 * _LINE * _SPACING)
        elif isinstance(b, TableBlock):
            lay = lay_of[id(b)]
            if lay.landscape != pg.landscape:
                pg.new_page(landscape=lay.landscape)
            heights = _table_rows_pt(b, lay)
            pg.block(heights[0] + sum(heights[1:3]))  # caption, header and first row together
            pg.used -= sum(heights[1:3])
            for h in heights[1:]:
                if pg.used + h > _BODY_PT[pg.landscape]:
                    pg.new_page()
                    pg.used += heights[1]  # the header row repeats
                pg.used += h
        return pg.page


def _estimate_pages(blocks: list[Any], report: Report, toc_at: int = -1, toc_lines: int = 0,
                    layouts: dict[int, Any] | None = None) -> dict[int, int]:
    """The page number of each heading (index in blocks), for the TOC's cached text.

    The PAGEREF fields carry the true numbers once Word updates them (it offers to
    when the document opens: ``w:updateFields``); this estimate is what a reader sees
    before that, and in LibreOffice. It follows write_docx: chapter page breaks,
    landscape sections, figures kept with their captions, tables row by row.
    """
    layouts = layouts if layouts is not None else {i: table_layout(b) for i, b in enumerate(blocks)
                                                   if isinstance(b, TableBlock)}
    model = _PageModel(report, {id(blocks[i]): lay for i, lay in layouts.items()})
    out: dict[int, int] = {}
    n1 = sum(1 for x in blocks if isinstance(x, Heading) and x.level == 1)
    for i, b in enumerate(blocks):
        if i == toc_at:
            model.toc(toc_lines, n1)
        page = model.step(b, blocks[i + 1:i + 4])
        if isinstance(b, Heading):
            out[i] = page
    return out


_FIGURE_LINE = 1.0  # an inline picture's line: its height times this (calibrated on the demo PDF)


def _is_break(b: Any) -> bool:
    """A natural break for deferred landscape tables: a chapter or section heading (level 1 or 2)."""
    return isinstance(b, Heading) and b.level <= 2


def _print_order(blocks: list[Any], layouts: dict[int, TableLayout], report: Report, toc_at: int = -1,
                 toc_lines: int = 0) -> list[int]:
    """The order write_docx prints ``blocks`` in (indices into ``blocks``).

    A table that needs a landscape page is not printed where it stands: a landscape section
    there would end the portrait page in the middle, often half empty. It is deferred, with
    its caption and notes and the note paragraphs right under it, to the next natural break:
    the end of the portrait page (by the page model: before the first block that would not
    fit on it) or the next heading of level 1 or 2, whichever comes first. So the text,
    figures and small headings after it fill the page, the table stays within a page of
    where it was added, and landscape tables deferred to the same break share pages. At a
    page end inside a section, the section's later landscape tables less than a page of text
    away join the group too (moved back over that text), rather than leave a second
    half-empty portrait page before their own landscape page.

    A deferred or moved table never passes a numbered portrait table, so tables keep their numbers
    in the order they are printed ("Tabell N" in the text, the CSV file names, and the HTML
    and Markdown, which keep the added order, stay right).
    """
    model = _PageModel(report, {id(blocks[i]): lay for i, lay in layouts.items()})
    n1 = sum(1 for x in blocks if isinstance(x, Heading) and x.level == 1)
    wide = {i for i, lay in layouts.items() if lay.landscape}

    def following(k: int) -> list[Any]:
        # What the page model sees after block k: the landscape tables are assumed deferred.
        return [blocks[j] for j in range(k + 1, min(k + 8, len(blocks))) if j not in wide][:3]

    order: list[int] = []
    pending: list[int] = []  # deferred landscape tables (and their note paragraphs), in added order

    def emit(k: int, after: list[Any]) -> None:
        if len(order) == toc_at:  # write_docx puts the TOC before the block printed at toc_at
            model.toc(toc_lines, n1)
        model.step(blocks[k], after)
        order.append(k)

    def flush() -> None:
        for n, k in enumerate(pending):
            emit(k, [blocks[j] for j in pending[n + 1:]] or following(k))
        pending.clear()

    def height(b: Any, lay: TableLayout | None) -> float:
        if isinstance(b, Paragraph):
            return _paragraph_pt(b, _WIDTH_PT[False])[0]
        if isinstance(b, FigureBlock):
            return sum(_figure_pt(b))
        if isinstance(b, TableBlock) and lay is not None:
            return sum(_table_rows_pt(b, lay))
        return 2 * 10.5 * _LINE * _SPACING + 18.0  # a small heading

    def pull(i: int) -> None:
        # The landscape tables of the rest of this section, if under a page of portrait text away,
        # join the group at this page end (they share its landscape pages instead of leaving another
        # half-empty portrait page before their own): moved back by less than a page, never past a
        # numbered table, a figure or a section heading.
        used = 0.0
        j = i
        while j < len(blocks):
            bj = blocks[j]
            if _is_break(bj) or isinstance(bj, FigureBlock) or (isinstance(bj, TableBlock) and bj.number
                                                               and j not in wide):
                return
            if j in wide:
                pending.append(j)
                pulled.add(j)
                while j + 1 < len(blocks) and isinstance(blocks[j + 1], Paragraph) and blocks[j + 1].style == "note":
                    j += 1
                    pending.append(j)
                    pulled.add(j)
            else:
                used += height(bj, layouts.get(j))
                if used > _BODY_PT[False]:
                    return
            j += 1

    pulled: set[int] = set()
    for i, b in enumerate(blocks):
        if i in pulled:
            continue
        if i in wide:
            pending.append(i)
            continue
        if pending and pending[-1] == i - 1 and isinstance(b, Paragraph) and b.style == "note":
            pending.append(i)  # a note under a deferred table goes with it
            continue
        if pending and not _is_break(b) and not (isinstance(b, TableBlock) and b.number) \
                and len(order) != toc_at:
            state = model.state()
            model.step(b, following(i))
            if model.pg.page == state[0]:  # it fits on the page: the tables wait behind it
                order.append(i)
                continue
            model.restore(state)
            pull(i)  # a page end inside the section
        if pending:
            flush()
        emit(i, following(i))
    flush()
    return order


def _toc(doc, entries: list[tuple[int, str, str, int]]) -> None:
    """Innehållsförteckning: one paragraph per heading inside a TOC field (Word updates it with F9)."""
    p = doc.add_paragraph()
    r = p.add_run("Innehåll")
    r.bold = True
    r.font.size = Pt(16)
    r.font.color.rgb = _BLUE
    p.paragraph_format.space_after = Pt(12)
    first = True
    para = None
    for level, text, bookmark, page in entries:
        para = doc.add_paragraph(style=f"TOC {level}")
        para.paragraph_format.tab_stops.add_tab_stop(Cm(16.0), WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS)
        if first:
            _fld(para.add_run(), "begin")
            _instr(para.add_run(), f'TOC \\o "1-{_TOC_LEVELS}" \\h \\z \\u')
            _fld(para.add_run(), "separate")
            first = False
        para.add_run(text)
        para.add_run("\t")
        _field(para, f"PAGEREF {bookmark} \\h", str(page))
    if para is None:
        para = doc.add_paragraph()
        _fld(para.add_run(), "begin")
        _instr(para.add_run(), f'TOC \\o "1-{_TOC_LEVELS}" \\h \\z \\u')
        _fld(para.add_run(), "separate")
        para.add_run("Innehållsförteckningen uppdateras när dokumentet öppnas i Word (F9).")
    _fld(para.add_run(), "end")


# Children of w:settings that come after w:updateFields (ECMA-376 CT_Settings order; Word rejects a
# settings part whose elements are out of order).
_AFTER_UPDATE_FIELDS = {"hdrShapeDefaults", "footnotePr", "endnotePr", "compat", "docVars", "rsids", "mathPr",
                        "attachedSchema", "themeFontLang", "clrSchemeMapping", "doNotIncludeSubdocsInStats",
                        "doNotAutoCompressPictures", "forceUpgrade", "captions", "readModeInkLockDown",
                        "smartTagType", "schemaLibrary", "shapeDefaults", "doNotEmbedSmartTags", "decimalSymbol",
                        "listSeparator"}


def _update_fields_on_open(settings) -> None:
    """``<w:updateFields w:val="true"/>`` in its place: Word offers to update the TOC and page numbers on open.

    Also sets the document's decimal symbol and list separator to the Swedish comma and semicolon.
    """
    for old in settings.findall(qn("w:updateFields")):
        settings.remove(old)
    upd = OxmlElement("w:updateFields")
    upd.set(qn("w:val"), "true")
    after = next((c for c in settings if c.tag.rsplit("}", 1)[-1] in _AFTER_UPDATE_FIELDS), None)
    if after is None:
        settings.append(upd)
    else:
        after.addprevious(upd)
    for tag, val in (("w:decimalSymbol", ","), ("w:listSeparator", ";")):
        el = settings.find(qn(tag))
        if el is not None:
            el.set(qn("w:val"), val)


def write_docx(report: Report, path: str | Path) -> Path:
    """Write ``report`` as a .docx file and return its path.

    Nothing is written when the report or the file name holds a personnummer
    (:meth:`Report.check_private` raises :class:`~finsam_eval.errors.PrivacyError`).
    """
    path = Path(path)
    report.check_private(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc = Document()
    _styles(doc)
    sec = doc.sections[0]
    sec.page_height, sec.page_width = Cm(29.7), Cm(21.0)  # A4
    sec.left_margin = sec.right_margin = Cm(2.5)
    sec.top_margin = sec.bottom_margin = Cm(2.5)
    _header_footer(doc, report)
    _title_page(doc, report)

    added = [*report.blocks, *report.appendix_blocks()]
    added_layouts = {i: table_layout(b) for i, b in enumerate(added) if isinstance(b, TableBlock)}
    # Landscape tables wait for the end of the page or section (_print_order); the page model and TOC follow.
    # The TOC follows the Sammanfattning (a Swedish slutrapport's order), else the title page. Its place
    # is a chapter heading, which no deferred table passes: the same index before and after reordering.
    toc_at = next((i for i, b in enumerate(added) if isinstance(b, Heading) and b.level == 1
                   and b.text != "Sammanfattning"), 0)
    n_toc = sum(1 for b in added if isinstance(b, Heading) and b.level <= _TOC_LEVELS)
    order = _print_order(added, added_layouts, report, toc_at, n_toc)
    blocks = [added[k] for k in order]
    layouts = {i: added_layouts[k] for i, k in enumerate(order) if k in added_layouts}
    pages = _estimate_pages(blocks, report, toc_at, n_toc, layouts)
    bookmarks = {i: f"_Toc{100000 + i}" for i, b in enumerate(blocks) if isinstance(b, Heading)}
    entries = [(min(b.level, 3), b.text, bookmarks[i], pages.get(i, 2)) for i, b in enumerate(blocks)
               if isinstance(b, Heading) and b.level <= _TOC_LEVELS]
    toc_done = False
    landscape = False
    first_block = True
    for i, block in enumerate(blocks):
        if i == toc_at and not toc_done:
            doc.add_page_break()
            _toc(doc, entries)
            toc_done = True
            first_block = False
        if isinstance(block, Heading):
            # A heading (and the short text under it) above a landscape table goes onto the landscape page.
            nxt = i + 1
            while nxt < len(blocks) and isinstance(blocks[nxt], Paragraph) and nxt - i <= 2:
                nxt += 1
            goes_wide = nxt in layouts and layouts[nxt].landscape
            if goes_wide and not landscape:
                _new_section(doc, landscape=True)
                landscape = True
            elif landscape and not goes_wide:
                # What follows is portrait: the heading goes there with it, not to the foot of a landscape page.
                _new_section(doc, landscape=False)
                landscape = False
            elif block.level == 1 or block.text.startswith("Bilaga"):
                if report.structured or block.text.startswith("Bilaga") or first_block:
                    doc.add_page_break()
            h = doc.add_heading(block.text, level=min(block.level, 3))
            _bookmark(h, bookmarks[i], i + 1)
            first_block = False
        elif isinstance(block, Paragraph):
            if _back_to_portrait(block, blocks[i - 1] if i else None, landscape):
                _new_section(doc, landscape=False)
                landscape = False
            style = {"bullet": "List Bullet", "quote": "Quote"}.get(block.style)
            para = doc.add_paragraph(block.text, style=style)
            if block.style == "note":
                for r in para.runs:
                    r.italic = True
                    r.font.size = Pt(9)
            elif block.style == "item":
                para.paragraph_format.left_indent = Cm(0.6)
                para.paragraph_format.space_after = Pt(2)
            elif block.style == "reference":
                para.paragraph_format.left_indent = Cm(1.0)
                para.paragraph_format.first_line_indent = Cm(-1.0)
        elif isinstance(block, FigureBlock):
            if landscape:
                _new_section(doc, landscape=False)
                landscape = False
            width = min(block.width_cm, 16.0)
            height = block.height_cm * width / block.width_cm if block.height_cm else 0
            if height > 21.0:  # keep a figure with its caption on one page
                width *= 21.0 / height
            doc.add_picture(io.BytesIO(block.png), width=Cm(width))
            doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
            doc.paragraphs[-1].paragraph_format.keep_with_next = True
            cap = _caption(doc, "Figur", block.number, block.caption)
            # A figure's caption sits under it: kept with its notes, not with what follows (the Caption
            # style keeps a table's caption with its table); else two figures move as one.
            cap.paragraph_format.keep_with_next = bool(block.notes)
            _notes(doc, block.notes)
        elif isinstance(block, TableBlock):
            lay = layouts[i]
            if lay.landscape != landscape:
                _new_section(doc, landscape=lay.landscape)
                landscape = lay.landscape
            _table(doc, block, lay)
    if landscape:
        _new_section(doc, landscape=False)
    doc.core_properties.title = report.title
    doc.core_properties.language = "sv-SE"
    if report.author:
        doc.core_properties.author = report.author
    _update_fields_on_open(doc.settings.element)
    doc.save(path)
    return path


