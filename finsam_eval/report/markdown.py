"""Markdown output for notebooks and version control: text, figures and CSV tables in one folder."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from ..io.export import write_csv
from .document import FigureBlock, Heading, Paragraph, TableBlock

if TYPE_CHECKING:
    from .document import Report

__all__ = ["write_markdown"]


def _md_table(block: TableBlock) -> str:
    t = block.formatted()
    head = "| " + " | ".join(str(c) for c in t.columns) + " |"
    sep = "| " + " | ".join("---" for _ in t.columns) + " |"
    rows = ["| " + " | ".join(str(v).replace("|", "\\|") for v in r) + " |" for r in t.itertuples(index=False)]
    return "\n".join([head, sep, *rows])


def write_markdown(report: Report, folder: str | Path) -> Path:
    """Write ``rapport.md``, ``figurer/`` (PNG, and SVG when asked for) and ``tabeller/`` (full tables as CSV).

    Nothing is written when the report or the folder name holds a personnummer
    (:meth:`Report.check_private`); every CSV also passes the guard in :func:`write_csv`.
    """
    folder = Path(folder)
    report.check_private(folder)
    (folder / "figurer").mkdir(parents=True, exist_ok=True)
    (folder / "tabeller").mkdir(parents=True, exist_ok=True)
    out = [f"# {report.title}", ""]
    if report.subtitle:
        out += [f"*{report.subtitle}*", ""]
    meta = [getattr(report, "forbund", None), report.author, report.date.isoformat(),
            f"version {report.version}" if getattr(report, "version", None) else None]
    out += [" · ".join(x for x in meta if x), ""]
    full = dict(report.full_tables)
    blocks = [*report.blocks, *report.appendix_blocks()]
    toc = [f"{'  ' * (b.level - 1)}- {b.text}" for b in blocks if isinstance(b, Heading) and b.level <= 2]
    out += ["**Innehåll**", "", *toc, ""]
    for block in blocks:
        if isinstance(block, Heading):
            out += ["#" * min(block.level + 1, 4) + " " + block.text, ""]
        elif isinstance(block, Paragraph):
            prefix = {"bullet": "- ", "quote": "> ", "reference": "- "}.get(block.style, "")
            text = f"*{block.text}*" if block.style == "note" else block.text
            out += [prefix + text, ""]
        elif isinstance(block, FigureBlock):
            name = f"figur_{block.number:02d}"
            (folder / "figurer" / f"{name}.png").write_bytes(block.png)
            if block.svg is not None:
                (folder / "figurer" / f"{name}.svg").write_bytes(block.svg)
            out += [f"![Figur {block.number}. {block.caption}](figurer/{name}.png)", "",
                    f"**Figur {block.number}.** {block.caption}", ""]
            out += [f"*{n}*  " for n in block.notes] + ([""] if block.notes else [])
        elif isinstance(block, TableBlock) and not block.number:  # appendix tables
            out += [f"**{block.caption}**", "", _md_table(block), ""]
            out += [f"*{n}*  " for n in block.notes] + ([""] if block.notes else [])  # as docx and html do
        elif isinstance(block, TableBlock):
            name = f"tabell_{block.number:02d}.csv"
            table = full.get(block.number, block.data)
            if table.index.name is None and not isinstance(table.index, pd.RangeIndex):
                # An unnamed row index (themes of a matrix) would get the header 'index'; as printed: none.
                table = table.rename_axis("")
            write_csv(table, folder / "tabeller" / name)
            out += [f"**Tabell {block.number}.** {block.caption}", "", _md_table(block), ""]
            out += [f"*{n}*  " for n in block.notes] + [f"[Hela tabellen som CSV](tabeller/{name})", ""]
    path = folder / "rapport.md"
    path.write_text("\n".join(out), encoding="utf-8")
    return path
