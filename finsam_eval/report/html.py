"""One self-contained HTML file: figures embedded as PNG, tables as HTML tables."""

from __future__ import annotations

import base64
import html
from pathlib import Path
from typing import TYPE_CHECKING

from .document import FigureBlock, Heading, Paragraph, TableBlock

if TYPE_CHECKING:
    from .document import Report

__all__ = ["write_html", "render_html"]

_CSS = """
body{font-family:"DejaVu Sans",Calibri,Arial,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;color:#222;
line-height:1.45}
h1{font-size:1.6rem;border-bottom:2px solid #0072B2;padding-bottom:.3rem}h2{font-size:1.3rem;margin-top:2rem}
h3{font-size:1.1rem}table{border-collapse:collapse;font-size:.85rem;margin:.5rem 0;max-width:100%;display:block;
overflow-x:auto}th,td{border:1px solid #ccc;padding:.25rem .5rem}th{background:#D9E2F3;text-align:left}
td.num{text-align:right;font-variant-numeric:tabular-nums}.caption{font-weight:bold;margin-top:1.2rem}
.caption span{font-weight:normal}.note{font-size:.8rem;color:#444;font-style:italic;margin:.1rem 0}
figure{margin:1rem 0}figure img{max-width:100%}blockquote{border-left:3px solid #ccc;margin-left:0;padding-left:1rem;
color:#333}.meta{color:#555}nav ul{font-size:.9rem;list-style:none;padding-left:0}nav ul ul{padding-left:1.2rem}
p.ref{padding-left:2em;text-indent:-2em;margin:.2rem 0}.titelsida{margin:3rem 0 2rem}
@media print{body{max-width:none;margin:0}table{display:table;overflow:visible;page-break-inside:auto}
tr{break-inside:avoid}h2{break-before:page}nav+h2{break-before:auto}h2,h3,h4,.caption{break-after:avoid}
figure{break-inside:avoid}nav{break-after:page}a{color:inherit;text-decoration:none}}
@page{size:A4;margin:2cm}
"""


def _table_html(block: TableBlock) -> str:
    t = block.formatted()
    numeric = block.numeric_columns()
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in t.columns)
    rows = []
    for _, row in t.iterrows():
        cells = "".join(
            f"<td class='num'>{html.escape(str(v))}</td>" if j in numeric else f"<td>{html.escape(str(v))}</td>"
            for j, v in enumerate(row)
        )
        rows.append(f"<tr>{cells}</tr>")
    notes = "".join(f"<p class='note'>{html.escape(n)}</p>" for n in block.notes)
    label = f"Tabell {block.number}. " if block.number else ""
    anchor = f" id='tabell-{block.number}'" if block.number else ""
    return (
        f"<p class='caption'{anchor}>{label}<span>{html.escape(block.caption)}"
        f"</span></p><table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>{notes}"
    )


def render_html(report: Report) -> str:
    """The report as an HTML string (figures as base64 PNG), with a linked table of contents."""
    parts = []
    toc: list[tuple[int, str, str]] = []
    n_head = 0
    for block in [*report.blocks, *report.appendix_blocks()]:
        if isinstance(block, Heading):
            n_head += 1
            level = min(block.level + 1, 4)
            parts.append(f"<h{level} id='avsnitt-{n_head}'>{html.escape(block.text)}</h{level}>")
            if block.level <= 2:
                toc.append((block.level, f"avsnitt-{n_head}", block.text))
        elif isinstance(block, Paragraph):
            text = html.escape(block.text)
            if block.style == "quote":
                parts.append(f"<blockquote>{text}</blockquote>")
            elif block.style == "bullet":
                parts.append(f"<ul><li>{text}</li></ul>")
            elif block.style == "note":
                parts.append(f"<p class='note'>{text}</p>")
            elif block.style == "reference":
                parts.append(f"<p class='ref'>{text}</p>")
            else:
                parts.append(f"<p>{text}</p>")
        elif isinstance(block, FigureBlock):
            data = base64.b64encode(block.png).decode("ascii")
            notes = "".join(f"<p class='note'>{html.escape(n)}</p>" for n in block.notes)
            parts.append(
                f"<figure id='figur-{block.number}'><img alt='{html.escape(block.caption)}' "
                f"src='data:image/png;base64,{data}'><figcaption class='caption'>Figur {block.number}. "
                f"<span>{html.escape(block.caption)}</span></figcaption>{notes}</figure>"
            )
        elif isinstance(block, TableBlock):
            parts.append(_table_html(block))
    items, open_sub = [], False
    for level, anchor, text in toc:
        link = f"<li><a href='#{anchor}'>{html.escape(text)}</a>"
        if level == 1:
            if open_sub:
                items.append("</ul></li>")
                open_sub = False
            elif items:
                items.append("</li>")
            items.append(link)
        else:
            if not open_sub:
                items.append("<ul>")
                open_sub = True
            items.append(link + "</li>")
    items.append("</ul></li>" if open_sub else ("</li>" if items else ""))
    meta = [getattr(report, "forbund", None), report.author, f"Datum: {report.date.isoformat()}",
            f"Version: {report.version}" if getattr(report, "version", None) else None]
    sub = f"<p class='meta'>{html.escape(report.subtitle)}</p>" if report.subtitle else ""
    meta_html = "".join(f"<p class='meta'>{html.escape(m)}</p>" for m in meta if m)
    return (
        "<!DOCTYPE html><html lang='sv'><head><meta charset='utf-8'>"
        f"<meta name='viewport' content='width=device-width, initial-scale=1'><title>{html.escape(report.title)}"
        f"</title><style>{_CSS}</style></head><body><header class='titelsida'><h1>{html.escape(report.title)}</h1>"
        f"{sub}{meta_html}</header><nav><strong>Innehåll</strong><ul>{''.join(items)}</ul></nav>"
        + "".join(parts)
        + "</body></html>"
    )


def write_html(report: Report, path: str | Path) -> Path:
    """Write ``report`` as one self-contained HTML file (after :meth:`Report.check_private`)."""
    path = Path(path)
    report.check_private(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(report), encoding="utf-8")
    return path
