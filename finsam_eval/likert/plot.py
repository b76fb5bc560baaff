"""Diverging stacked bars for Likert items, in the house style.

Negative levels extend left of zero and positive levels right, so agreement
can be read off one side. The neutral level is split around zero by default
(``neutral="split"``), can be drawn in its own column (``"separate"``) or left
out (``"omit"``). Non-substantive answers ("Vet ej") are never part of the
bar: they get a grey bar in a small column of their own, as a share of all
answers. Every bar carries its n; suppressed rows are drawn empty with the
suppression marker.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from typing import Any, Literal

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import FixedLocator, FuncFormatter

from .._config import get_option
from ..plots import NON_SUBSTANTIVE, RC, diverging, finish
from ..privacy import suppression_note
from ..sv import fmt_num
from .scales import Scale
from .stems import split_stems
from .summary import LikertSummary, level_column, likert_summary

__all__ = ["plot_likert", "level_colors"]

_NS_GREYS = [NON_SUBSTANTIVE, "#D9D9D9", "#A6A6A6", "#EBEBEB"]
_ROW_H = 0.34  # inches per bar
_TITLE_H = 0.32  # inches for a block title line


def level_colors(scale: Scale) -> dict[str, str]:
    """Colour of every level (diverging, colour-blind safe) and every non-substantive answer (greys)."""
    mids = [x for x in scale.levels if x not in scale.negative and x not in scale.positive]
    cols = diverging(len(scale.negative), len(scale.positive), neutral=False)
    out = dict(zip(scale.negative, cols[: len(scale.negative)]))
    out.update({m: "#E0E0E0" for m in mids})
    out.update(dict(zip(scale.positive, cols[len(scale.negative):])))
    out.update({x: _NS_GREYS[i % len(_NS_GREYS)] for i, x in enumerate(scale.non_substantive)})
    return out


def _text_colour(hex_colour: str) -> str:
    r, g, b = mpl.colors.to_rgb(hex_colour)
    return "white" if 0.299 * r + 0.587 * g + 0.114 * b < 0.5 else "#222222"


def _pct_formatter(x: float, _pos: int | None = None) -> str:
    s = fmt_num(abs(x), 0)
    return s + ("\u00a0%" if get_option("lang") == "sv" else "%")


def plot_likert(
    data: LikertSummary | pd.DataFrame,
    items: Sequence[str] | None = None,
    scale: Scale | str | None = None,
    *,
    by: str | Sequence[str] | None = None,
    layout: Literal["rows", "panels"] = "rows",
    neutral: Literal["split", "separate", "omit"] = "split",
    non_substantive: bool = True,
    sort: Literal["none", "agree"] = "none",
    wrap: int = 40,
    ncols: int | None = None,
    title: str | None = None,
    source: str | None = None,
    note: str | None = None,
    values: bool = True,
    min_value: float = 6,
    width: float | None = None,
) -> Figure:
    """Diverging stacked bar chart of Likert answers.

    Parameters
    ----------
    data
        A :class:`LikertSummary`, or survey data (then ``items`` and ``scale``
        are required and :func:`likert_summary` is called).
    items, scale, by
        Passed to :func:`likert_summary` when ``data`` is raw survey data.
    layout
        With groups: ``"rows"`` draws one block per item with a bar per group;
        ``"panels"`` one panel per group with a bar per item.
    neutral
        ``"split"`` (default): the neutral level is centred on zero, half on
        each side, so both sides show their full share. ``"separate"``: the
        neutral share gets its own column right of the bars, and the bars show
        only negative and positive levels. ``"omit"``: not drawn (a note says so).
        Percentages are always of all substantive answers.
    non_substantive
        Draw "Vet ej" and the like as a grey bar in a column of their own,
        as a share of all answers (they are outside the base of the bars).
    sort
        ``"none"`` keeps the item order; ``"agree"`` puts the highest top-box
        share first.
    wrap
        Wrap item texts at this many characters.
    ncols
        Panels side by side with ``layout="panels"`` (default 1: panels stacked,
        which keeps the item texts readable on an A4 page).
    title, source, note
        Figure title, source line and an extra note line.
    values
        Write the percentage in segments of at least ``min_value`` percent.
    width
        Figure width in inches (default: the A4 text width, wider for two panel columns).

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> df = pd.DataFrame({"s01": ["Stämmer helt", "Stämmer delvis", "Vet ej", "Stämmer inte alls", "Stämmer helt"]})
    >>> fig = plot_likert(df, ["s01"], "stammer5")
    >>> type(fig).__name__
    'Figure'
    """
    if isinstance(data, LikertSummary):
        summ = data
    else:
        if items is None or scale is None:
            raise TypeError("plot_likert på rådata kräver items och scale.")
        summ = likert_summary(data, items, scale, by=by)
    if neutral not in ("split", "separate", "omit"):
        raise ValueError(f"neutral måste vara 'split', 'separate' eller 'omit', fick {neutral!r}.")
    if layout not in ("rows", "panels"):
        raise ValueError(f"layout måste vara 'rows' eller 'panels', fick {layout!r}.")
    sc = summ.scale
    t = summ.table()
    # The table is ours; its attrs (the suppression mask) would be deep-copied on every column access.
    t.attrs = {}
    gcols = list(summ.by)
    t["_group"] = t[gcols].astype(str).agg(" · ".join, axis=1) if gcols else ""
    # Suppressed (1-4 answers) versus empty (0): the mask knows; n_respondents may be suppressed too.
    counts = pd.DataFrame(summ.data)  # a view without attrs (the reader's record, the scale): not deep-copied per column
    t["_suppressed"] = t["n_valid"].isna() & (counts["n_valid"].to_numpy() > 0)

    mids = [x for x in sc.levels if x not in sc.negative and x not in sc.positive]
    colours = level_colors(sc)
    has_mid = bool(mids)
    sep_neutral = has_mid and neutral == "separate"
    ns_labels = [x for x in sc.non_substantive if counts[level_column(x)].sum() > 0] if non_substantive else []
    show_ns = bool(ns_labels)

    # Item order.
    item_order = list(dict.fromkeys(t["item"]))
    if sort == "agree":
        agree = t.groupby("item", sort=False)["pct_top"].mean()
        item_order = list(agree.reindex(item_order).sort_values(ascending=False, kind="stable").index)
    elif sort != "none":
        raise ValueError(f"sort måste vara 'none' eller 'agree', fick {sort!r}.")
    text_of = dict(zip(t["item"], t["text"]))
    # A matrix question exported as "Fråga - Påstående" in every column: print the question once.
    stem_of = split_stems(text_of)
    stems = {st for st, _ in stem_of.values()}
    stem_note = None
    if len(text_of) >= 2 and len(stems) == 1 and None not in stems:
        text_of = {i: st for i, (_, st) in stem_of.items()}
        stem = stems.pop()
        if title is None:
            title = stem
        else:
            stem_note = f"Frågan: {stem}"
    groups = list(dict.fromkeys(t["_group"]))

    def wrapped(s: str, w: int = wrap) -> str:
        return "\n".join(textwrap.wrap(str(s), w)) or str(s)

    # Blocks: (title, rows table, row labels).
    blocks: list[tuple[str | None, pd.DataFrame, list[str]]] = []
    if not gcols:
        rows = t.set_index("item").loc[item_order].reset_index()
        blocks.append((None, rows, [wrapped(text_of[i]) for i in rows["item"]]))
    elif layout == "rows":
        for it in item_order:
            rows = t[t["item"] == it]
            # Block titles run over the bar axis only: about 14 characters per inch at 8.5 pt bold.
            title_chars = int(((width or 6.3) * 0.78 - 1.0) * 14)
            blocks.append((wrapped(text_of[it], title_chars), rows, list(rows["_group"])))
    else:
        for g in groups:
            rows = t[t["_group"] == g].set_index("item").reindex(item_order).reset_index()
            blocks.append((g, rows, [wrapped(text_of[i]) for i in rows["item"]]))

    # Extent of the bars, common to all blocks.
    def side_shares(r: dict[str, Any]) -> tuple[float, float]:
        left = sum(r[level_column(x, "pct")] for x in sc.negative)
        right = sum(r[level_column(x, "pct")] for x in sc.positive)
        mid = sum(r[level_column(x, "pct")] for x in mids)
        if neutral == "split":
            left, right = left + mid / 2, right + mid / 2
        return left, right

    ext = [max(side_shares(r)) for r in t.to_dict("records") if not r["_suppressed"] and pd.notna(r["n_valid"])]
    lim = min(100.0, max(20.0, math.ceil((max(ext) if ext else 50) / 10) * 10 + 5))

    n_panel_cols = 1
    if gcols and layout == "panels":
        n_panel_cols = max(1, min(ncols or 1, len(groups)))
    n_panel_rows = math.ceil(len(blocks) / n_panel_cols)
    fig_w = width or (6.3 if n_panel_cols == 1 else 9.0)
    def bar_h(labels: list[str]) -> float:  # rows grow with wrapped labels, so label lines never collide
        lines = max((str(x).count("\n") + 1 for x in labels), default=1)
        return max(_ROW_H, 0.135 * lines + 0.06)

    block_h = [len(b[1]) * bar_h(b[2]) + (_TITLE_H * (b[0].count("\n") + 1) if b[0] else 0.1) for b in blocks]
    row_h = [max(block_h[i * n_panel_cols:(i + 1) * n_panel_cols]) for i in range(n_panel_rows)]
    n_legend = len(sc.levels) - (len(mids) if neutral == "omit" else 0) + len(ns_labels)
    leg_cols = n_legend if n_legend <= 4 or sum(len(x) for x in sc.categories) < 70 else math.ceil(n_legend / 2)
    fig_h = sum(row_h) + 0.55 + 0.2 * math.ceil(n_legend / leg_cols) + (0.3 if title else 0)

    with mpl.rc_context(RC):
        fig = plt.figure(figsize=(fig_w, fig_h), layout="constrained")
        outer = fig.add_gridspec(n_panel_rows, n_panel_cols, height_ratios=row_h)
        ratios = [8.0] + ([1.4] if sep_neutral else []) + ([1.4] if show_ns else [])
        # Rough width of the bar axis (labels take about 40 %): decides tick
        # spacing and the smallest segment that gets a number.
        bar_width_in = fig_w / n_panel_cols * 8.0 / sum(ratios) * 0.55
        step = 20 if bar_width_in > 3.4 else 25 if bar_width_in > 2.2 else 50
        for bi, (btitle, rows, labels) in enumerate(blocks):
            pr, pc = divmod(bi, n_panel_cols)
            inner = outer[pr, pc].subgridspec(1, len(ratios), width_ratios=ratios, wspace=0.08)
            ax = fig.add_subplot(inner[0, 0])
            side = [fig.add_subplot(inner[0, j], sharey=ax) for j in range(1, len(ratios))]
            first_row, last_row = pr == 0, pr == n_panel_rows - 1 or bi + n_panel_cols >= len(blocks)
            _draw_block(ax, side, rows, labels, sc, colours, mids, neutral, sep_neutral, ns_labels, lim,
                        values, max(min_value, 0.15 / bar_width_in * 2 * lim), step=step)
            if btitle:
                ax.set_title(btitle, fontsize=8.5, fontweight="bold", loc="left")
            if not last_row:
                ax.tick_params(axis="x", labelbottom=False)
            # Several non-substantive answers (kept apart by infer_scale) share one column header.
            ns_head = "/".join(ns_labels) if len(ns_labels) <= 2 else "Utanför basen"
            headers = (["/".join(mids)] if sep_neutral else []) + ([ns_head] if show_ns else [])
            for sax, head in zip(side, headers):
                if first_row:
                    sax.set_title("\n".join(textwrap.wrap(head, 12)), fontsize=7, fontweight="normal", loc="center")

        handles = [Patch(facecolor=colours[x], edgecolor="white", label=x) for x in sc.levels
                   if not (neutral == "omit" and x in mids)]
        handles += [Patch(facecolor=colours[x], edgecolor="white", label=x) for x in ns_labels]
        legend = fig.legend(handles=handles, loc="outside lower center", ncol=leg_cols, handlelength=1.2,
                            columnspacing=1.2, fontsize=7.5)

    notes = ["n = antal som tagit ställning (procentbas)."]
    if show_ns:
        notes.append(f"{' / '.join(ns_labels)} visas i egen stapel som andel av alla svar och ingår inte i procentbasen.")
    if has_mid and neutral == "omit":
        notes.append(f"Svaret {' / '.join(mids)} visas inte; staplarna summerar därför inte till 100 %.")
    if t["_suppressed"].any():
        notes.append(suppression_note())
    if stem_note:
        notes.append(stem_note)
    if note:
        notes.append(note)
    finish(fig, title=title, note=notes, source=source or summ.source)
    # Freeze the constrained layout and pin the legend in figure coordinates:
    # saving with bbox_inches="tight" changes the figure box, and a legend
    # anchored to that box would slide down onto the note line.
    # The layout alone, not a whole draw: the legend's box is computed from it on demand.
    fig.get_layout_engine().execute(fig)
    box = legend.get_window_extent().transformed(fig.transFigure.inverted())
    fig.set_layout_engine("none")
    legend.set_loc("center")
    legend.set_bbox_to_anchor(box, transform=fig.transFigure)
    return fig


def _draw_block(
    ax: Any,
    side: list[Any],
    rows: pd.DataFrame,
    labels: list[str],
    sc: Scale,
    colours: dict[str, str],
    mids: list[str],
    neutral: str,
    sep_neutral: bool,
    ns_labels: list[str],
    lim: float,
    values: bool,
    min_value: float,
    step: int = 20,
) -> None:
    y = np.arange(len(rows))
    h = 0.72
    marker = get_option("suppressed_marker")
    min_n = get_option("min_count")
    side_iter = iter(side)
    ax_neu = next(side_iter) if sep_neutral else None
    ax_ns = next(side_iter) if ns_labels else None
    # Segments are collected and drawn with one barh call per axes: a call per segment made
    # the by-group figures the slowest part of the demo report.
    bars: dict[Any, list[tuple[float, float, float, str]]] = {ax: [], ax_neu: [], ax_ns: []}

    for yi, r in zip(y, rows.to_dict("records")):  # dicts: iterrows builds a Series per row
        if r["_suppressed"] or pd.isna(r["n_valid"]):
            ax.add_patch(Rectangle((-lim * 0.98, yi - h / 2), 2 * lim * 0.98, h, facecolor="#FAFAFA",
                                   edgecolor="#BBBBBB", linestyle=(0, (2, 2)), linewidth=0.7, zorder=4))
            ax.text(0, yi, marker, ha="center", va="center", fontsize=9, fontweight="bold", color="#555555",
                    zorder=5, in_layout=False)
            nlabel = f"n < {min_n}" if r["_suppressed"] else "n = 0"
        else:
            pct = {x: float(r[level_column(x, "pct")]) for x in sc.levels}
            neg = [x for x in sc.levels if x in sc.negative]
            pos = [x for x in sc.levels if x in sc.positive]
            mid_total = sum(pct[x] for x in mids)
            segs: list[tuple[str, float, float]] = []
            left = -sum(pct[x] for x in neg) - (mid_total / 2 if neutral == "split" else 0)
            for x in neg:
                segs.append((x, left, pct[x]))
                left += pct[x]
            if neutral == "split":
                for x in mids:
                    segs.append((x, left, pct[x]))
                    left += pct[x]
            left = mid_total / 2 if neutral == "split" else 0.0
            for x in pos:
                segs.append((x, left, pct[x]))
                left += pct[x]
            for lab, x0, wdt in segs:
                if wdt <= 0:
                    continue
                bars[ax].append((yi, wdt, x0, colours[lab]))
                if values and wdt >= min_value:
                    # Inside its segment, so inside the axes: the layout need not measure it
                    # (segments are at least min_value wide, enough for the number).
                    ax.text(x0 + wdt / 2, yi, fmt_num(wdt, 0), ha="center", va="center", fontsize=7,
                            color=_text_colour(colours[lab]), in_layout=False)
            nlabel = f"n = {int(r['n_valid'])}"
            if ax_neu is not None:
                x0 = 0.0
                for x in mids:
                    bars[ax_neu].append((yi, pct[x], x0, colours[x]))
                    x0 += pct[x]
                ax_neu.text(x0 + 2, yi, fmt_num(x0, 0), ha="left", va="center", fontsize=7, color="#222222")
        ax.annotate(nlabel, xy=(1.0, yi), xycoords=("axes fraction", "data"), xytext=(3, 0),
                    textcoords="offset points", ha="left", va="center", fontsize=6.5, color="#555555")
        if ax_ns is not None:
            if r["_suppressed"] or pd.isna(r["n_valid"]):
                ax_ns.text(2, yi, marker, ha="left", va="center", fontsize=7, color="#555555")
            else:
                total = float(r["n_valid"]) + float(r["n_non_substantive"])
                x0 = 0.0
                for x in ns_labels:
                    share = 100 * float(r[level_column(x)]) / total if total else 0.0
                    if share > 0:
                        bars[ax_ns].append((yi, share, x0, colours[x]))
                    x0 += share
                ax_ns.text(x0 + 2, yi, fmt_num(x0, 0), ha="left", va="center", fontsize=7, color="#222222")

    for target, segs_of in bars.items():
        if target is not None and segs_of:
            ys, widths, lefts, cols = zip(*segs_of, strict=True)
            target.barh(ys, widths, left=lefts, height=h, color=cols, edgecolor="white", linewidth=0.5)
    ax.set_xlim(-lim, lim)
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.axvline(0, color="#444444", linewidth=0.8, zorder=3)
    step = step if lim > 50 else 10
    half = np.arange(0, lim + 0.01, step)
    ticks = sorted({*(-half), *half})
    ax.xaxis.set_major_locator(FixedLocator(ticks))
    ax.xaxis.set_major_formatter(FuncFormatter(_pct_formatter))
    ax.set_yticks(y)
    ax.set_yticklabels(labels)
    ax.tick_params(axis="y", length=0)
    ax.spines["left"].set_visible(False)
    ax.grid(axis="x", color="#EEEEEE", linewidth=0.6, zorder=0)
    ax.set_axisbelow(True)
    for sax in side:
        sax.set_xlim(0, 100 if sax is ax_ns else max(60.0, lim))
        sax.tick_params(axis="y", left=False, labelleft=False)
        sax.tick_params(axis="x", bottom=False, labelbottom=False)
        for sp in ("left", "bottom"):
            sax.spines[sp].set_visible(False)
        # Nothing of these axes is drawn (no ticks, labels or spines); hidden, the layout and the
        # draw skip building and measuring their ticks.
        sax.xaxis.set_visible(False)
        sax.yaxis.set_visible(False)
        sax.axvline(0, color="#888888", linewidth=0.6)
