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
import multiprocessing as mp
import os
import pickle
import re
import weakref
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
    value_labels: dict[str, str] | None = None  # printed text for identifier cells (config etiketter)
    _formatted: pd.DataFrame | None = field(default=None, repr=False, compare=False)

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
        """Strings as printed: Swedish numbers, suppression marker, Swedish headers (computed once)."""
        if self._formatted is None:
            t = format_table(self.flat())
            labels = {**(self.value_labels or {}), **(self.labels or {})}
            t.columns = [column_label(c, labels) for c in t.columns]
            cells = {**_VALUE_LABELS, **(self.value_labels or {})}
            t = t.apply(lambda col: col.map(lambda v: _cell_label(v, cells)))
            if self.vertical:
                t = pd.DataFrame({"Mått": list(t.columns), "Värde": list(t.iloc[0])})
            self._formatted = t
        return self._formatted.copy()

    def numeric_columns(self) -> set[int]:
        """Positions of right-aligned (numeric) columns in :meth:`formatted`."""
        if self.vertical:
            return {1}
        raw = self.flat()
        return {j for j, c in enumerate(raw.columns) if is_numeric_dtype(raw[c]) and not is_bool_dtype(raw[c])}


# Method identifiers that results put in table cells (estimator, inference), printed in words.
_VALUE_LABELS = {
    "twfe": "Tvåvägs fixa effekter",
    "cluster": "Klustrade medelfel",
    "callaway_santanna": "Callaway och Sant'Anna",
    "dynamic": "Över tid",
}


def _cell_label(value: Any, labels: dict[str, str]) -> Any:
    """A cell printed with labels: 'forsorjning_fore' and 'forsorjning_fore: Sjukpenning' get the label."""
    if not isinstance(value, str):
        return value
    if value in labels:
        return labels[value]
    head, sep, rest = value.partition(":")
    if sep and head in labels:
        return f"{labels[head]}:{rest}"
    return value


@dataclass
class FigureBlock:
    png: bytes  # rendered once, at the report's dpi
    svg: bytes | None  # only when the report asks for SVG (``figure_formats``)
    caption: str
    notes: list[str] = field(default_factory=list)
    number: int = 0
    width_cm: float = 16.0
    height_cm: float = 0.0  # at width_cm, for page layout
    _pickled: bytes | None = field(default=None, repr=False, compare=False)  # not rendered yet
    _where: str | None = field(default=None, repr=False, compare=False)  # privacy check still to run, for this place


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


def _render(fig, dpi: int = 200, svg: bool = False) -> tuple[bytes, bytes | None, float]:
    """PNG (and SVG only when asked), each rendered once; returns the aspect ratio height/width too."""
    png = io.BytesIO()
    # A figure with a layout engine (the house style's constrained layout) already fits its canvas;
    # "tight" would draw it twice.
    tight = None if fig.get_layout_engine() is not None else "tight"
    fig.savefig(png, format="png", dpi=dpi, bbox_inches=tight, metadata={"Software": None})
    out_svg = None
    if svg:
        buf = io.BytesIO()
        fig.savefig(buf, format="svg", bbox_inches=tight)
        out_svg = buf.getvalue()
    plt.close(fig)
    data = png.getvalue()
    # PNG header: width and height as big-endian integers at bytes 16-24.
    w, h = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    return data, out_svg, (h / w if w else 0.75)


def _render_pickled(args: tuple[bytes, int, bool, str | None]) -> tuple[bytes, bytes | None, float]:
    data, dpi, svg, where = args
    fig = pickle.loads(data)
    if where:  # the privacy guard (it draws the figure to read its tick labels), here beside the analyses
        check_output(fig, where=where)
    return _render(fig, dpi, svg)


def _can_fork() -> bool:
    """Fork workers only where it is safe: Linux, and a process without other threads.

    macOS frameworks are not fork-safe, and forking a multi-threaded process (a Jupyter kernel) can
    deadlock and warns from Python 3.12; those render in-process.
    """
    import sys
    import threading

    others = [t for t in threading.enumerate() if t is not threading.main_thread()]
    # tqdm's monitor thread only sleeps between checks on the bars; the workers never touch tqdm.
    return (sys.platform.startswith("linux") and "fork" in mp.get_all_start_methods()
            and all(type(t).__name__ == "TMonitor" for t in others))


def _render_many(figs: list[tuple[bytes, str | None]], dpi: int, svg: bool) -> list[tuple[bytes, bytes | None, float]]:
    jobs = [(f, dpi, svg, where) for f, where in figs]
    workers = min(os.cpu_count() or 1, 4, len(jobs))
    if workers > 1 and len(jobs) >= 4 and _can_fork():
        try:
            with mp.get_context("fork").Pool(workers) as pool:
                return pool.map(_render_pickled, jobs, chunksize=1)
        except (OSError, RuntimeError):
            pass
    return [_render_pickled(j) for j in jobs]


class _BackgroundRenderer:
    """Renders figures in forked worker processes while the report is still being built.

    Rendering (PNG at the report's dpi) is a quarter of the demo report's CPU time and needs
    nothing but the pickled figure, so it runs beside the analyses instead of after them.
    The pool starts at the third figure (a small report is rendered in-process, as before)
    and is closed when the writers collect the figures.
    """

    START_AT = 3

    def __init__(self) -> None:
        self.pool: Any = None
        self.jobs: dict[int, Any] = {}  # id(block) -> AsyncResult
        self.failed = False

    def submit(self, blocks: list[FigureBlock], dpi: int, svg: bool) -> None:
        pending = [b for b in blocks if b._pickled is not None and id(b) not in self.jobs]
        if self.failed or len(pending) < self.START_AT and self.pool is None:
            return
        if self.pool is None:
            cores = os.cpu_count() or 1
            if cores < 2 or not _can_fork():
                self.failed = True
                return
            try:  # one core stays with the analyses: they are the longer part, and the workers keep up
                self.pool = mp.get_context("fork").Pool(min(cores - 1, 4))
            except (OSError, RuntimeError):
                self.failed = True
                return
            weakref.finalize(self, self.pool.terminate)
        for b in pending:
            self.jobs[id(b)] = (b, dpi, svg, self.pool.apply_async(_render_pickled,
                                                                   ((b._pickled, dpi, svg, b._where),)))

    def collect(self, blocks: list[FigureBlock], dpi: int, svg: bool) -> list[tuple[bytes, bytes | None, float] | None]:
        """The rendered figure of each block, or ``None`` where it was not submitted (or at another dpi)."""
        out: list[tuple[bytes, bytes | None, float] | None] = []
        for b in blocks:
            job = self.jobs.pop(id(b), None)
            res = job[3].get() if job is not None else None  # waited for even if unused: the pool closes clean
            out.append(res if job is not None and job[0] is b and job[1:3] == (dpi, svg) else None)
        if self.pool is not None and not self.jobs:
            self.pool.close()
            self.pool.join()
            self.pool = None
        return out



# Sentences of reader notes that advise the analyst ("Ange respondent_global=True (CLI: --respondent-global) ...")
# are for the person running the analysis, not for the report's reader.
_ADVICE = re.compile(r"CLI:|\b\w+=|--[a-z]|\{\w+\}|\w\(\)|FINSAM_NYCKEL")


def _reader_text(text: str) -> str:
    """``text`` without its sentences of analyst advice (option names, keyword arguments, file-name patterns)."""
    if not _ADVICE.search(text):
        return text
    parts = re.split(r"(?<=[.!?])\s+(?=[A-ZÅÄÖ0-9])", text)
    return " ".join(p for p in parts if not _ADVICE.search(p)).strip()

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
        forbund: str | None = None,
        version: str | None = None,
        figure_formats: tuple[str, ...] = ("png",),
        dpi: int = 200,
    ) -> None:
        self.title = title
        self.subtitle = subtitle
        self.author = author
        self.forbund = forbund
        self.version = version
        self.date = date or _dt.date.today()
        self.max_table_rows = max_table_rows
        self.figure_formats = tuple(figure_formats)
        self.dpi = dpi
        self.min_count: int | None = None  # the spec's min_antal, for the privacy statement
        self.blocks: list[Any] = []
        # Method literature cited by the analyses (keys of references.REFERENCES) and the
        # evaluator's own references (full text), collected into the Referenser chapter.
        self.cited: list[str] = []
        self.own_references: list[str] = []
        # A report built from a spec (Report.from_config) has its method chapter in the main
        # text and its appendices as numbered Bilagor; a report built by hand keeps one
        # method appendix at the end.
        self.structured = False
        self.appendices: list[Any] = []
        self.appendix_tables: list[TableBlock] = []  # tables behind figures, printed in the table appendix
        # Printed names for identifiers (variables, items, groups): config 'etiketter'.
        self.labels: dict[str, str] = {}
        self.method: list[_MethodItem] = []
        self.exclusions: list[tuple[str, Exclusions]] = []
        self.full_tables: list[tuple[int, pd.DataFrame]] = []
        # Whether quotes were pseudonymised: set by add_method("pseudonymisering", ...), by a
        # table or result with attrs["pseudonymiserad"], or by mark_pseudonymised().
        self.pseudonymised = False
        for what, text in (("rapportens titel", title), ("undertiteln", subtitle), ("författaren", author),
                           ("förbundet", forbund), ("versionen", version)):
            self._check_private(text, what)

    @classmethod
    def from_config(cls, config: str | Path | dict[str, Any], *, demo: bool = False,
                    progress: bool = False) -> Report:
        """Build the whole slutrapport from a TOML config (a path) or a config dict.

        The same path as ``finsam-eval rapport --config FIL``: the config is the
        report spec (title page, narrative text, frågeställningar and the
        analyses under each). Nothing is written; call :meth:`to_docx`,
        :meth:`to_html` or :meth:`to_markdown`, or :meth:`write`.

        Parameters
        ----------
        config
            Path to a TOML file (paths inside are relative to it) or a dict with
            the same keys (paths relative to the working directory).
        demo
            Read the data files named in the config from the built-in sample
            data (``finsam-eval rapport --demo``).
        progress
            Show a progress bar.

        Raises
        ------
        ConfigError
            A key, file or analysis in the config is wrong; the message names it.
        """
        from .build import build_from_config

        return build_from_config(config, demo=demo, progress=progress)

    def write(self, folder: str | Path, formats: tuple[str, ...] | list[str] = ("docx", "html", "md")) -> list[Path]:
        """Write ``rapport.docx``, ``rapport.html`` and ``rapport.md`` (as asked) into ``folder``."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        out = []
        if "docx" in formats:
            out.append(self.to_docx(folder / "rapport.docx"))
        if "html" in formats:
            out.append(self.to_html(folder / "rapport.html"))
        if "md" in formats:
            out.append(self.to_markdown(folder))
        return out

    def cite(self, *keys: str) -> None:
        """Record method literature (keys of :data:`finsam_eval.report.references.REFERENCES`)."""
        from .references import REFERENCES

        for k in keys:
            if k not in REFERENCES:
                raise KeyError(f"okänd referens {k!r}")
            if k not in self.cited:
                self.cited.append(k)

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
        appendix: bool = False,
    ) -> int:
        """Add a table; returns its number (0 for a table put in the table appendix with ``appendix=True``).

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
        caption, notes = mask_text(self.relabel(caption)), [mask_text(self.relabel(n)) for n in notes or []]
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
        vertical = len(shown) == 1 and len(shown.columns) > 6
        if appendix:
            self.appendix_tables.append(TableBlock(table, caption, notes, 0, index, labels, vertical,
                                                   value_labels=self.labels or None))
            return 0
        self.full_tables.append((number, table))
        self.blocks.append(TableBlock(shown, caption, notes, number, index, labels, vertical,
                                      value_labels=self.labels or None))
        return number

    def add_figure(self, fig: Any, caption: str, notes: list[str] | None = None, *, width_cm: float = 16.0) -> int:
        """Add a matplotlib Figure (or Axes); returns its number. The figure is closed."""
        f = _figure_of(fig)
        if f is None:
            raise TypeError("add_figure väntar sig en matplotlib Figure eller Axes.")
        where = f"figuren '{caption}' i rapporten"
        caption, notes = mask_text(self.relabel(caption)), [mask_text(self.relabel(n)) for n in notes or []]
        number = len(self.figures) + 1
        block = FigureBlock(b"", None, caption, notes, number, width_cm)
        try:  # checked and rendered in background processes (render_figures collects); closed now
            block._pickled, block._where = pickle.dumps(f), where
            plt.close(f)
        except Exception:  # a figure that cannot be pickled is checked and rendered here
            check_output(f, where=where)
            png, svg, ratio = _render(f, self.dpi, "svg" in self.figure_formats)
            block.png, block.svg, block.height_cm = png, svg, width_cm * ratio
        self.blocks.append(block)
        self._renderer().submit(self.figures, self.dpi, "svg" in self.figure_formats)
        return number

    def _renderer(self) -> _BackgroundRenderer:
        r = self.__dict__.get("_background")
        if r is None:
            r = self._background = _BackgroundRenderer()
        return r

    def render_figures(self) -> None:
        """Render the figures not yet rendered, in the formats asked for, once (the writers call this).

        Where the platform can fork, figures are rendered in parallel processes.
        """
        pending = [b for b in self.figures if b._pickled is not None]
        if not pending:
            return
        svg = "svg" in self.figure_formats
        done = self._renderer().collect(pending, self.dpi, svg)
        rest = [b for b, r in zip(pending, done, strict=True) if r is None]
        rendered = iter(_render_many([(b._pickled, b._where) for b in rest], self.dpi, svg) if rest else [])
        for b, r in zip(pending, done, strict=True):
            png, out_svg, ratio = r if r is not None else next(rendered)
            b.png, b.svg, b.height_cm, b._pickled, b._where = png, out_svg, b.width_cm * ratio, None, None

    def add(self, result: Any, *, heading: str | None = None, text: str | None = None, level: int = 2,
            table: bool | str = True, figure: bool = True) -> None:
        """Add any result object: its title as heading, its figure and its table, with caption and notes.

        ``table="bilaga"`` puts the table behind a figure in the table appendix
        instead of under the figure (for breakdowns whose figure carries the comparison).
        """
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
        if figure and hasattr(result, "plot"):  # a result with only a table is added without a figure
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
        if t is not None:
            t = _label_name_cells(t)
            if {"kod", "etikett"} <= set(t.columns):  # the code is an identifier; its label says the same
                attrs = dict(t.attrs)
                t = t.drop(columns="kod")
                t.attrs = attrs
                mask = attrs.get("suppressed_mask")
                if isinstance(mask, pd.DataFrame) and "kod" in mask.columns:
                    t.attrs["suppressed_mask"] = mask.drop(columns="kod")
        has_table = t is not None and len(t.columns) > 0 and len(t) > 0
        # Notes once: under the table when there is one, else under the figure. A table that
        # carries a figure's numbers gets a short caption pointing to it instead of repeating it.
        fig_no = None
        if _figure_of(fig) is not None:
            fig_no = self.add_figure(fig, caption, [] if has_table else notes)
        if has_table:
            plain = re.sub(r"^\d+(\.\d+)*\s+", "", title)  # without the section number
            stop = "" if plain.rstrip().endswith((".", "?", "!")) else "."  # "temana?." read as a typo
            tab_caption = f"Underlag till figur {fig_no}: {plain[:1].lower() + plain[1:]}{stop}" if fig_no else caption
            to_appendix = table == "bilaga" and fig_no is not None
            if to_appendix:
                self.add_text(f"Siffrorna bakom figur {fig_no} finns i tabellbilagan.", style="note")
            self.add_table(t, tab_caption, notes, labels=getattr(result, "column_labels", None),
                           appendix=to_appendix)
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
        kind, text = mask_text(kind), _reader_text(mask_text(text))  # e.g. a data file named by personnummer
        if not text:
            return
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

    def relabel(self, text: str) -> str:
        """Replace identifiers in a caption or note by their labels (config ``etiketter``).

        ``'forsorjning_fore'`` and ``forsorjning_fore`` both become ``försörjning före start``
        (the label with a lower-case first letter, as it stands inside a sentence).
        """
        if not self.labels or not text:
            return text
        keys = sorted(self.labels, key=len, reverse=True)
        rx = re.compile(r"'?\b(" + "|".join(re.escape(k) for k in keys) + r")\b'?")

        def sub(m: re.Match) -> str:
            label = self.labels[m.group(1)]
            return label[:1].lower() + label[1:] if label[1:2].islower() else label

        return rx.sub(sub, text)

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
        self.render_figures()
        if path is not None:
            check_output(Path(path), where="sökvägen till rapportfilen")
        for what, text in (("rapportens titel", self.title), ("undertiteln", self.subtitle),
                           ("författaren", self.author), ("förbundet", self.forbund), ("versionen", self.version),
                           ("referenserna", self.own_references)):
            self._check_private(text, what)
        # A block is checked again only if it changed since the last writer checked it (the three
        # writers share one check); the cache holds the block itself, so an id is never reused.
        cache: dict[int, tuple[Any, Any]] = self.__dict__.setdefault("_privacy_checked", {})
        for block in [*self.blocks, *self.appendix_blocks()]:
            if isinstance(block, Heading | Paragraph):
                sig: Any = block.text
            elif isinstance(block, TableBlock):
                sig = (id(block.data), block.data.shape, block.caption, tuple(block.notes), repr(block.labels))
            elif isinstance(block, FigureBlock):
                sig = (block.caption, tuple(block.notes))
            else:
                continue
            hit = cache.get(id(block))
            if hit is not None and hit[0] is block and hit[1] == sig:
                continue
            if isinstance(block, Heading | Paragraph):
                self._check_private(block.text, "texten")
            elif isinstance(block, TableBlock):
                self._check_frame(block.data, block.caption)
                self._check_private([block.caption, block.notes, block.labels], f"tabellen '{block.caption}'")
            else:
                self._check_private([block.caption, block.notes], f"figuren '{block.caption}'")
            cache[id(block)] = (block, sig)
        for number, table in self.full_tables:
            hit = cache.get(id(table))
            if hit is not None and hit[0] is table and hit[1] == table.shape:
                continue
            self._check_frame(table, f"tabell {number}")
            cache[id(table)] = (table, table.shape)

    # -- appendix ------------------------------------------------------------
    def appendix_blocks(self) -> list[Any]:
        """What follows the main text (computed once per state of the report; see :meth:`_appendix_blocks`)."""
        from .._config import get_option

        key = (len(self.blocks), len(self.method), len(self.exclusions), len(self.appendices),
               len(self.appendix_tables), tuple(self.cited), tuple(self.own_references), self.pseudonymised,
               self.structured, self.min_count, len(self.full_tables), get_option("min_count"))
        cached = self.__dict__.get("_appendix_cache")
        if cached is None or cached[0] != key:
            cached = (key, self._appendix_blocks())
            self._appendix_cache = cached
        return list(cached[1])

    def _appendix_blocks(self) -> list[Any]:
        """What follows the main text: Referenser and Bilagor (structured), or one method appendix.

        A report built by hand gets "Bilaga: Metod och data" (method lines,
        exclusions, privacy). A report built from a spec (:meth:`from_config`)
        has its method chapter in the main text, so it gets Referenser and the
        numbered Bilagor: the spec's own appendices (e.g. the kodbok), tables,
        exclusions, privacy statement and data files.
        """
        from .._config import get_option
        from ..privacy import suppression_note
        from .references import reference_list

        min_count = getattr(self, "min_count", None) or get_option("min_count")
        exclusions = self._exclusion_blocks()
        quotes = (" Citaten är pseudonymiserade: namn och nummer har ersatts med nyckelbaserade pseudonymer."
                  if self.pseudonymised else "")
        privacy = Paragraph(
            suppression_note(min_count) + " Rapporten har kontrollerats så att inga personnummer eller "
            "samordningsnummer förekommer i text, tabeller, figurer eller filnamn." + quotes
        )
        if not self.structured:
            out: list[Any] = [Heading("Bilaga: Metod och data", 1)]
            kinds: dict[str, list[str]] = {}
            for m in self.method:
                kinds.setdefault(m.kind, []).append(m.text)
            for kind, texts in kinds.items():
                out.append(Heading(kind[:1].upper() + kind[1:], 2))
                out.extend(Paragraph(t, "bullet") for t in texts)
            if self.appendix_tables:
                out.append(Heading("Tabeller", 2))
                out.extend(self.appendix_tables)
            out.append(Heading("Exkluderade och reparerade uppgifter", 2))
            out.extend(exclusions)
            out.append(Heading("Skydd av personuppgifter", 2))
            out.append(privacy)
            return out
        out = [Heading("Referenser", 1)]
        out.extend(Paragraph(r, "reference") for r in reference_list(self.cited, self.own_references))
        appendices: list[tuple[str, list[Any]]] = list(self.appendices)
        if self.full_tables or self.appendix_tables:
            appendices.append(("Tabeller", [Paragraph(
                "Rapportens tabeller finns i sin helhet som CSV-filer (semikolon, decimalkomma, öppnas i Excel) i "
                "mappen tabeller/ bredvid rapporten, en fil per tabell. Tabeller som kortats i rapporten finns där "
                "med alla rader."), *self.appendix_tables]))
        appendices.append(("Exkluderade och rättade uppgifter", exclusions))
        appendices.append(("Skydd av personuppgifter", [privacy]))
        data = [m.text for m in self.method if m.kind in ("data", "skalor", "kodbok", "pseudonymisering",
                                                          "programvara")]
        appendices.append(("Datafiler och skalor", [Paragraph(t, "bullet") for t in data]))
        for i, (title, blocks) in enumerate(appendices, start=1):
            out.append(Heading(f"Bilaga {i}. {title}", 1))
            out.extend(blocks)
        return out

    def _exclusion_blocks(self) -> list[Any]:
        out: list[Any] = []
        if not self.exclusions:
            out.append(Paragraph("Inga rader har exkluderats."))
        for label, ex in self.exclusions:
            out.append(Paragraph(f"{label}:"))
            t = ex.table()
            t = (t.groupby(["orsak", "atgard"], as_index=False, sort=False)
                 .agg(kolumner=("kolumn", self._columns_text), antal=("antal", "sum")))
            t.columns = ["Orsak", "Åtgärd", "Kolumner", "Antal"]
            out.append(TableBlock(t, f"Exkluderingar och reparationer: {label}", [], 0, False))
        return out

    def _columns_text(self, cols: Any) -> str:
        """The columns of an exclusion row as a reader reads them: question codes (s01) are counted as
        questions, other columns named by their labels; never cut in the middle of a word."""
        names = sorted({str(x) for x in cols if isinstance(x, str) and x})
        questions = [n for n in names if re.fullmatch(r"[A-Za-z]{1,3}\d{1,3}", n)]
        from ..sv import label

        others = [self.labels.get(n) or label(n).replace("_", " ") for n in names if n not in questions]
        parts = ([f"{len(questions)} frågor" if len(questions) > 1 else "1 fråga"] if questions else []) + others
        text = ", ".join(parts)
        return text if len(text) <= 80 else text[:80].rsplit(" ", 1)[0] + " …"

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


# Columns whose cells name a variable (an outcome, a covariate): printed by their Swedish names.
_NAME_COLUMNS = ("utfall", "variabel", "kovariat")


def _label_name_cells(table: pd.DataFrame) -> pd.DataFrame:
    from ..sv import label

    cols = [c for c in _NAME_COLUMNS if c in table.columns and table[c].map(lambda v: isinstance(v, str)).any()]
    if not cols:
        return table
    out = table.copy()
    for c in cols:
        out[c] = [label(v) if isinstance(v, str) else v for v in out[c]]
    out.attrs = dict(table.attrs)
    return out
