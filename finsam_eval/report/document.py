"""The report as data: sections of text, tables and figures.

A :class:`Report` knows results only by their contract (``table()``,
``plot()``, ``title``, ``caption``, ``notes`` and, where present,
``exclusions`` and ``method``), so any pillar's result can be added with
``report.add(result)``. Writers for Word, HTML and Markdown live in sibling
modules and all walk the same list of blocks.
"""

from __future__ import annotations

import datetime as _dt
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import pandas as pd
from pandas.api.types import is_bool_dtype, is_numeric_dtype

from ..privacy import check_output, mask_text, suppress_small
from ..results import Exclusions
from ..sv import column_label, format_table

__all__ = ["Report", "Heading", "Paragraph", "TableBlock", "FigureBlock"]


@dataclass
class Heading:
    text: str
    level: int = 1


@dataclass
class Paragraph:
    text: str
    style: str = "normal"  # or "note", "quote", "bullet"


@dataclass
class TableBlock:
    data: pd.DataFrame  # as published (suppressed), numbers not yet formatted
    caption: str
    notes: list[str] = field(default_factory=list)
    number: int = 0
    index: bool = False
    labels: dict[str, str] | None = None  # printed headers for column names
    vertical: bool = False  # one wide row shown as "Mått | Värde"

    def flat(self) -> pd.DataFrame:
        """The data with the index as a first column (mask moved along)."""
        if not self.index:
            return self.data
        t = self.data.reset_index()
        t.attrs = dict(self.data.attrs)
        mask = self.data.attrs.get("suppressed_mask")
        if mask is not None:
            m = mask.reset_index(drop=True).reindex(columns=t.columns, fill_value=False)
            m.index = t.index
            t.attrs["suppressed_mask"] = m
        return t

    def formatted(self) -> pd.DataFrame:
        """Strings as printed: Swedish numbers, suppression marker, Swedish headers."""
        t = format_table(self.flat())
        t.columns = [column_label(c, self.labels) for c in t.columns]
        if self.vertical:
            t = pd.DataFrame({"Mått": list(t.columns), "Värde": list(t.iloc[0])})
        return t

    def numeric_columns(self) -> set[int]:
        """Positions of right-aligned (numeric) columns in :meth:`formatted`."""
        if self.vertical:
            return {1}
        raw = self.flat()
        return {j for j, c in enumerate(raw.columns) if is_numeric_dtype(raw[c]) and not is_bool_dtype(raw[c])}


@dataclass
class FigureBlock:
    png: bytes  # 300 dpi
    svg: bytes
    caption: str
    notes: list[str] = field(default_factory=list)
    number: int = 0
    width_cm: float = 16.0


@dataclass
class _MethodItem:
    kind: str
    text: str


def _figure_of(obj: Any):
    if obj is None:
        return None
    if hasattr(obj, "savefig"):
        return obj
    fig = getattr(obj, "figure", None)
    if fig is not None and hasattr(fig, "savefig"):
        return fig
    if hasattr(obj, "flat"):  # array of Axes
        return obj.flat[0].figure
    return None


def _render(fig) -> tuple[bytes, bytes]:
    png, svg = io.BytesIO(), io.BytesIO()
    fig.savefig(png, format="png", dpi=300, bbox_inches="tight", metadata={"Software": None})
    fig.savefig(svg, format="svg", bbox_inches="tight")
    plt.close(fig)
    return png.getvalue(), svg.getvalue()


class Report:
    """A slutrapport under construction.

    Parameters
    ----------
    title
        The report's title.
    subtitle, author
        Shown on the title page.
    date
        Defaults to today.
    max_table_rows
        Longer tables are cut in the document (with a note); the full table
        is written as CSV by :meth:`to_markdown`.

    Examples
    --------
    >>> import pandas as pd
    >>> r = Report("Utvärdering av samverkan 2025", author="Utvärderare")
    >>> r.add_section("Inledning", "Rapporten beskriver ...")
    >>> r.add_table(pd.DataFrame({"forbund": ["Botkyrka", "Huddinge"], "antal": [12, 3]}), caption="Antal intervjuer")
    1
    >>> r.tables[0].data["antal"].isna().tolist()  # 3 < 5 is suppressed
    [False, True]
    """

    def __init__(
        self,
        title: str,
        *,
        subtitle: str | None = None,
        author: str | None = None,
        date: _dt.date | None = None,
        max_table_rows: int = 40,
    ) -> None:
        self.title = title
        self.subtitle = subtitle
        self.author = author
        self.date = date or _dt.date.today()
        self.max_table_rows = max_table_rows
        self.blocks: list[Any] = []
        self.method: list[_MethodItem] = []
        self.exclusions: list[tuple[str, Exclusions]] = []
        self.full_tables: list[tuple[int, pd.DataFrame]] = []
        # Whether quotes were pseudonymised: set by add_method("pseudonymisering", ...), by a
        # table or result with attrs["pseudonymiserad"], or by mark_pseudonymised().
        self.pseudonymised = False
        for what, text in (("rapportens titel", title), ("undertiteln", subtitle), ("författaren", author)):
            self._check_private(text, what)

    # -- building -------------------------------------------------------
    @property
    def tables(self) -> list[TableBlock]:
        return [b for b in self.blocks if isinstance(b, TableBlock)]

    @property
    def figures(self) -> list[FigureBlock]:
        return [b for b in self.blocks if isinstance(b, FigureBlock)]

    def add_section(self, heading: str, text: str | None = None, level: int = 1) -> None:
        """Add a heading, optionally followed by text (paragraphs separated by blank lines)."""
        self._check_private(heading, "rubriken")
        self.blocks.append(Heading(heading, level))
        if text:
            self.add_text(text)

    def add_text(self, text: str, style: str = "normal") -> None:
        """Add one or more paragraphs (split on blank lines)."""
        for para in [p.strip() for p in text.split("\n\n") if p.strip()]:
            self._check_private(para, "texten")
            self.blocks.append(Paragraph(" ".join(para.split()), style))

    def add_table(
        self,
        table: pd.DataFrame,
        caption: str,
        notes: list[str] | None = None,
        *,
        suppress: bool = True,
        index: bool | None = None,
        labels: dict[str, str] | None = None,
    ) -> int:
        """Add a table; returns its number.

        Integer counts are suppressed unless that is already done; headers are
        printed in Swedish (:func:`finsam_eval.sv.column_label`, or ``labels``);
        a single wide row is printed as a two-column "Mått | Värde" table.
        """
        if table.attrs.get("pseudonymiserad"):
            self.pseudonymised = True
        if suppress and "suppressed_mask" not in table.attrs:
            table = suppress_small(table)
        # Captions and notes are our own sentences (sources, exclusions): a file name
        # holding a personnummer is masked there; data cells are refused instead.
        caption, notes = mask_text(caption), [mask_text(n) for n in notes or []]
        if table.attrs.get("n_suppressed"):
            note = table.attrs.get("suppression_note")
            if note and note not in notes:
                notes.append(note)
        self._check_frame(table, caption)
        self._check_private(labels, f"kolumnrubrikerna i tabellen '{caption}'")
        if index is None:
            index = not isinstance(table.index, pd.RangeIndex)
        number = len(self.tables) + 1
        shown = table
        if len(table) > self.max_table_rows:
            shown = table.iloc[: self.max_table_rows]
            shown.attrs = dict(table.attrs)
            if "suppressed_mask" in table.attrs:
                shown.attrs["suppressed_mask"] = table.attrs["suppressed_mask"].iloc[: self.max_table_rows]
            notes.append(
                f"Tabellen har {len(table)} rader; de första {self.max_table_rows} visas. "
                "Hela tabellen finns i tabellbilagan (CSV)."
            )
        self.full_tables.append((number, table))
        vertical = len(shown) == 1 and len(shown.columns) > 6
        self.blocks.append(TableBlock(shown, caption, notes, number, index, labels, vertical))
        return number

    def add_figure(self, fig: Any, caption: str, notes: list[str] | None = None, *, width_cm: float = 16.0) -> int:
        """Add a matplotlib Figure (or Axes); returns its number. The figure is closed."""
        f = _figure_of(fig)
        if f is None:
            raise TypeError("add_figure väntar sig en matplotlib Figure eller Axes.")
        check_output(f, where=f"figuren '{caption}' i rapporten")
        caption, notes = mask_text(caption), [mask_text(n) for n in notes or []]
        png, svg = _render(f)
        number = len(self.figures) + 1
        self.blocks.append(FigureBlock(png, svg, caption, notes, number, width_cm))
        return number

    def add(self, result: Any, *, heading: str | None = None, text: str | None = None, level: int = 2,
            table: bool = True, figure: bool = True) -> None:
        """Add any result object: its title as heading, its figure and its table, with caption and notes."""
        title = heading or getattr(result, "title", "") or type(result).__name__
        self._check_private(title, "rubriken")
        self.blocks.append(Heading(title, level))
        if text:
            self.add_text(text)
        caption = getattr(result, "caption", "") or title
        notes = list(getattr(result, "notes", None) or [])
        quotes = getattr(result, "quotes", None)
        if isinstance(quotes, pd.DataFrame):
            # Quotes are text, shown as quotations; no quotes is a finding, not an error.
            if quotes.attrs.get("pseudonymiserad"):
                self.pseudonymised = True
            if len(quotes) == 0:
                self.add_text("Inga citat: inget utdrag med temat uppfyllde urvalsvillkoren.", style="note")
                return
        fig = None
        if figure:
            try:
                fig = result.plot()
            except NotImplementedError:
                fig = None
        # A result may offer a print-sized table; the full one still goes to the CSV appendix.
        t = None
        if table:
            t = result.report_table() if hasattr(result, "report_table") else result.table()
        if t is not None and t.attrs.get("pseudonymiserad"):
            self.pseudonymised = True
        has_table = t is not None and len(t.columns) > 0 and len(t) > 0
        # Notes once: under the table when there is one, else under the figure. A table that
        # carries a figure's numbers gets a short caption pointing to it instead of repeating it.
        fig_no = None
        if _figure_of(fig) is not None:
            fig_no = self.add_figure(fig, caption, [] if has_table else notes)
        if has_table:
            tab_caption = f"Underlag till figur {fig_no}: {title[:1].lower() + title[1:]}." if fig_no else caption
            self.add_table(t, tab_caption, notes, labels=getattr(result, "column_labels", None))
        ex = getattr(result, "exclusions", None)
        if isinstance(ex, Exclusions) and ex:
            self.exclusions.append((title, ex))
        method = getattr(result, "method", None)
        if method:
            items = method.items() if isinstance(method, dict) else [("metod", m) for m in method] \
                if isinstance(method, list | tuple) else [("metod", str(method))]
            for k, v in items:
                self.add_method(str(k), f"{title}: {v}")

    def add_method(self, kind: str, text: str) -> None:
        """Record a line for the method appendix (data file, scale, codebook version, estimator...).

        A line of kind ``"pseudonymisering"`` also makes the appendix state that
        quotes were pseudonymised (it says so only when that ran).
        """
        kind, text = mask_text(kind), mask_text(text)  # e.g. a data file named by personnummer
        if kind == "pseudonymisering":
            self.pseudonymised = True
        item = _MethodItem(kind, text)
        if all((m.kind, m.text) != (item.kind, item.text) for m in self.method):
            self.method.append(item)

    def mark_pseudonymised(self, note: str | None = None) -> None:
        """Record that the quotes were pseudonymised (e.g. by :func:`finsam_eval.pseudonymise`).

        Only then does the appendix say so. ``note`` goes into the method appendix.
        """
        self.pseudonymised = True
        if note:
            self.add_method("pseudonymisering", note)

    def add_exclusions(self, label: str, exclusions: Exclusions) -> None:
        """Record exclusions (e.g. from a loader) for the method appendix."""
        label = mask_text(label)
        if exclusions:
            self.exclusions.append((label, exclusions))

    # -- privacy ---------------------------------------------------------
    @staticmethod
    def _check_private(obj: Any, where: str) -> None:
        """The one guard (:func:`finsam_eval.privacy.check_output`) on text, lists and notes."""
        check_output(obj, where=f"{where} i rapporten")

    def _check_frame(self, table: pd.DataFrame, caption: str) -> None:
        # Cells, every index level, column names, numbers read as digit strings and notes.
        check_output(table, where=f"tabellen '{caption}' i rapporten")

    def check_private(self, path: str | Path | None = None) -> None:
        """Check everything the report will write, and the target file name, for personnummer.

        Every writer calls this first, so blocks appended by hand are checked too.

        Raises
        ------
        PrivacyError
            Naming the part of the report (never the value) and the fix.
        """
        if path is not None:
            check_output(Path(path), where="sökvägen till rapportfilen")
        for what, text in (("rapportens titel", self.title), ("undertiteln", self.subtitle),
                           ("författaren", self.author)):
            self._check_private(text, what)
        for block in [*self.blocks, *self.appendix_blocks()]:
            if isinstance(block, Heading | Paragraph):
                self._check_private(block.text, "texten")
            elif isinstance(block, TableBlock):
                self._check_frame(block.data, block.caption)
                self._check_private([block.caption, block.notes, block.labels], f"tabellen '{block.caption}'")
            elif isinstance(block, FigureBlock):
                self._check_private([block.caption, block.notes], f"figuren '{block.caption}'")
        for number, table in self.full_tables:
            self._check_frame(table, f"tabell {number}")

    # -- appendix ------------------------------------------------------------
    def appendix_blocks(self) -> list[Any]:
        """The method appendix as blocks: method lines, then exclusions per step."""
        out: list[Any] = [Heading("Bilaga: Metod och data", 1)]
        if self.method:
            kinds: dict[str, list[str]] = {}
            for m in self.method:
                kinds.setdefault(m.kind, []).append(m.text)
            for kind, texts in kinds.items():
                out.append(Heading(kind[:1].upper() + kind[1:], 2))
                out.extend(Paragraph(t, "bullet") for t in texts)
        out.append(Heading("Exkluderade och reparerade uppgifter", 2))
        if not self.exclusions:
            out.append(Paragraph("Inga rader har exkluderats."))
        for label, ex in self.exclusions:
            out.append(Paragraph(f"{label}:"))
            t = ex.table()
            t = (t.groupby(["orsak", "atgard"], as_index=False, sort=False)
                 .agg(kolumner=("kolumn", lambda c: ", ".join(sorted({str(x) for x in c if x}))[:80]),
                      antal=("antal", "sum")))
            t.columns = ["Orsak", "Åtgärd", "Kolumner", "Antal"]
            out.append(TableBlock(t, f"Exkluderingar och reparationer: {label}", [], 0, False))
        from .._config import get_option
        from ..privacy import suppression_note

        out.append(Heading("Skydd av personuppgifter", 2))
        # Say that quotes were pseudonymised only when that actually ran.
        quotes = (" Citaten är pseudonymiserade: namn och nummer har ersatts med nyckelbaserade pseudonymer."
                  if self.pseudonymised else "")
        out.append(
            Paragraph(
                suppression_note(get_option("min_count")) + " Rapporten har kontrollerats så att inga personnummer "
                "eller samordningsnummer förekommer i text, tabeller, figurer eller filnamn." + quotes
            )
        )
        return out

    # -- writers -----------------------------------------------------------
    def to_docx(self, path: str | Path) -> Path:
        """Write a Word document (see :func:`finsam_eval.report.docx.write_docx`)."""
        from .docx import write_docx

        return write_docx(self, path)

    def to_html(self, path: str | Path) -> Path:
        """Write one self-contained HTML file with embedded figures."""
        from .html import write_html

        return write_html(self, path)

    def to_markdown(self, folder: str | Path) -> Path:
        """Write ``rapport.md`` with figures (PNG, SVG) and full tables (CSV) beside it."""
        from .markdown import write_markdown

        return write_markdown(self, folder)
