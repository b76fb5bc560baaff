"""Page layout for printed tables: text widths, font metrics and column widths.

Widths are in twips (1/20 point; Word's unit). Text is measured with the
metrics of Liberation Sans, which has the same advance widths as Arial (the
font the Word report uses), so a column is never narrower than its longest
word at the size it is printed in.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

__all__ = ["A4_PORTRAIT_TEXT", "A4_LANDSCAPE_TEXT", "text_width_pt", "TableLayout", "layout_table", "FONT"]

FONT = "Arial"
_MARGIN_CM = 2.5
A4_PORTRAIT_TEXT = round((21.0 - 2 * _MARGIN_CM) / 2.54 * 1440)  # 9 071 twips
A4_LANDSCAPE_TEXT = round((29.7 - 2 * _MARGIN_CM) / 2.54 * 1440)  # 14 003 twips
CELL_MARGIN = 57  # left and right cell margin in twips (0,1 cm; Word's default is 0,19 cm)
_CELL_PAD = 2 * CELL_MARGIN


_FILES = {False: ("LiberationSans-Regular.ttf", "arial.ttf", "Arial.ttf"),
          True: ("LiberationSans-Bold.ttf", "arialbd.ttf", "Arial Bold.ttf")}


@functools.lru_cache(maxsize=4)
def _font(bold: bool):
    """Arial or its metric twin Liberation Sans; DejaVu Sans (wider, so never too narrow) as the last resort."""
    import shutil
    import subprocess

    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    if shutil.which("fc-match"):  # fontconfig knows where Arial or its metric twin lives
        try:
            path = subprocess.run(["fc-match", "-f", "%{file}", f"Arial:{'bold' if bold else 'regular'}"],
                                  capture_output=True, text=True, timeout=10).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            path = ""
        if Path(path).name in _FILES[bold]:
            return FT2Font(path)
    for family in ("Arial", "Liberation Sans"):
        try:
            return FT2Font(font_manager.findfont(font_manager.FontProperties(
                family=family, weight="bold" if bold else "normal"), fallback_to_default=False))
        except ValueError:
            continue
    return FT2Font(font_manager.findfont(font_manager.FontProperties(family="DejaVu Sans",
                                                                     weight="bold" if bold else "normal")))


@functools.lru_cache(maxsize=4096)
def _advance(char: str, bold: bool) -> float:
    """Advance width of one character in points at 1 pt."""
    if ord(char) < 32:  # control characters print as nothing (the docx writer drops them)
        return 0.0
    font = _font(bold)
    font.set_size(100, 72)
    try:
        glyph = font.load_char(ord(char))
    except RuntimeError:  # a character the font lacks: Word substitutes another font; measure it as 'M'
        glyph = font.load_char(ord("M"))
    return glyph.linearHoriAdvance / 65536 / 100.0


@functools.lru_cache(maxsize=20000)
def text_width_pt(text: str, size_pt: float, bold: bool = False) -> float:
    """Advance width of ``text`` in points at ``size_pt`` (Arial metrics; Word does not kern by default)."""
    if not text:
        return 0.0
    return size_pt * sum(_advance(c, bold) for c in text)


def _words(text: str) -> list[str]:
    return [w for w in str(text).replace("/", "/ ").split() if w] or [""]


@dataclass
class TableLayout:
    """Column widths (twips) of one printed table and the page it needs."""

    widths: list[int]
    font_pt: float
    landscape: bool
    text_width: int
    parts: list[list[int]]  # column positions of each printed part (a split table); label column repeated

    @property
    def total(self) -> int:
        return sum(self.widths)


def _widest(texts: set[str], size: float, bold: bool = False) -> float:
    """Width of the widest text; only the longest few (by characters) are measured."""
    if not texts:
        return 0.0
    longest = sorted(texts, key=len, reverse=True)[:4]
    return max(text_width_pt(t, size, bold) for t in longest)


def _need(header: str, cells: list[str], size: float) -> tuple[float, float]:
    """(floor, want) in twips: floor = longest word; want = the whole content on one line (capped)."""
    floor_h = _widest(set(_words(header)), size, True)
    distinct = set(cells)
    floor_c = _widest({w for c in distinct for w in _words(c)}, size)
    want_h = text_width_pt(str(header), size, True)
    want_c = _widest(distinct, size)
    floor = max(floor_h, floor_c) * 20 + _CELL_PAD + 20
    # Headers may wrap at word boundaries; long text cells wrap too, up to ~45 characters a line.
    want = max(floor, min(want_c * 20, text_width_pt("n" * 45, size) * 20) + _CELL_PAD + 20,
               min(want_h * 20, 2.2 * 20 * max(floor_h, 1)) + _CELL_PAD)
    return floor, want


def _fit(floor: list[float], want: list[float], width: int) -> list[int] | None:
    if sum(floor) > width:
        return None
    widths = list(want)
    while sum(widths) > width + 0.5:
        excess = sum(widths) - width
        slack = [w - f for w, f in zip(widths, floor, strict=True)]
        total_slack = sum(slack)
        if total_slack <= 0:
            return None
        widths = [w - excess * s / total_slack for w, s in zip(widths, slack, strict=True)]
    return [int(w) for w in widths]


def _widen(widths: list[int], header: list[str], cols: list, size: float, width: int) -> list[int]:
    """Give the room left in the text width to the columns whose text still wraps (a definition, a question).

    Each such column grows towards the width its longest cell needs on one line, in proportion to
    what it lacks, so a table of long texts uses the page instead of a narrow column of many lines.
    """
    slack = width - sum(widths)
    if slack <= 0:
        return widths
    full = [max(_widest({str(c) for c in col}, size), text_width_pt(str(h), size, True)) * 20 + _CELL_PAD + 20
            for h, col in zip(header, cols, strict=True)]
    lack = [max(0.0, f - w) for f, w in zip(full, widths, strict=True)]
    total = sum(lack)
    if total <= 0:
        return widths
    share = min(1.0, slack / total)
    return [int(w + lk * share) for w, lk in zip(widths, lack, strict=True)]


def layout_table(header: list[str], rows: list[list[str]], *, sizes: tuple[float, ...] = (9.0, 8.0, 7.5)) -> TableLayout:
    """Choose font size, orientation and column widths so that the table fits the text width.

    Portrait at 9, 8 or 7,5 pt; else landscape at 9, 8 or 7,5 pt; else the table
    is split column-wise into parts that each fit landscape (the first column,
    the row labels, repeated in every part).
    """
    cols = list(zip(*rows, strict=True)) if rows else [[] for _ in header]
    needs = {size: [_need(h, [str(c) for c in col], size) for h, col in zip(header, cols, strict=True)]
             for size in sizes}
    options = [(landscape, width, size) for landscape, width in ((False, A4_PORTRAIT_TEXT), (True, A4_LANDSCAPE_TEXT))
               for size in sizes]
    # First choice: a page where the columns get at least a third of the room their text wants beyond its
    # longest word (text columns wrap into a few lines, not one word a line); else any page where the
    # longest words fit.
    for roomy in (True, False):
        for landscape, width, size in options:
            floor = [n[0] for n in needs[size]]
            want = [n[1] for n in needs[size]]
            if roomy and sum(floor) + (sum(want) - sum(floor)) / 3 > width:
                continue
            fit = _fit(floor, want, width)
            if fit is not None:
                fit = _widen(fit, header, cols, size, width)
                return TableLayout(fit, size, landscape, width, [list(range(len(header)))])
    size = sizes[-1]
    need = needs[size]
    floors = [n[0] for n in need]
    parts: list[list[int]] = []
    current = [0]
    for j in range(1, len(header)):
        if sum(floors[i] for i in current) + floors[j] > A4_LANDSCAPE_TEXT and len(current) > 1:
            parts.append(current)
            current = [0]
        current.append(j)
    parts.append(current)
    widths = [0] * len(header)
    for part in parts:
        fit = _fit([floors[i] for i in part], [need[i][1] for i in part], A4_LANDSCAPE_TEXT) or \
            [int(floors[i]) for i in part]
        for i, w in zip(part, fit, strict=True):
            widths[i] = w
    return TableLayout(widths, size, True, A4_LANDSCAPE_TEXT, parts)
