"""The house style of report figures.

A4-friendly sizes, colour-blind-safe palettes (Okabe-Ito for categories, a
ColorBrewer diverging scheme for Likert scales), a font with å/ä/ö (DejaVu
Sans ships with matplotlib), Swedish decimal comma on axes and a note line
under the figure for source, n and suppression.

Use :func:`figure` to start a figure, :func:`finish` to put the title and the
note on it, and :func:`decimal_comma` on any axis.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable
from contextlib import contextmanager
from typing import Any

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import Formatter, MaxNLocator

from .._config import get_option
from ..sv import fmt_num

__all__ = [
    "OKABE_ITO",
    "GREY",
    "NON_SUBSTANTIVE",
    "SIZES",
    "RC",
    "house_style",
    "figure",
    "finish",
    "keep_inside",
    "decimal_comma",
    "categorical",
    "diverging",
    "sequential_cmap",
]

# Okabe & Ito (2008): distinguishable for the common colour-vision deficiencies.
OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
GREY = "#9A9A9A"
NON_SUBSTANTIVE = "#BDBDBD"  # "Vet ej" / "Ej aktuellt"

# Widths in inches: A4 text block (16 cm) and half of it; heights follow the content.
SIZES = {"full": (6.3, 3.9), "half": (3.1, 2.6), "tall": (6.3, 7.5), "wide": (9.0, 4.5)}

RC: dict[str, Any] = {
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": "#444444",
    "axes.grid": False,
    "axes.prop_cycle": mpl.cycler(color=OKABE_ITO),
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "legend.fontsize": 8,
    "legend.frameon": False,
    "figure.dpi": 100,
    "savefig.dpi": 300,
    "savefig.bbox": "tight",
    "pdf.fonttype": 42,  # embed TrueType so å/ä/ö survive in PDF and Word
    "svg.fonttype": "none",
    "axes.unicode_minus": True,
}


@contextmanager
def house_style():
    """Context manager applying the house rcParams."""
    with mpl.rc_context(RC):
        yield


def figure(size: str | tuple[float, float] = "full", nrows: int = 1, ncols: int = 1, **kwargs: Any) -> tuple[Figure, Any]:
    """Create a figure in the house style; ``size`` is a key of :data:`SIZES` or (w, h) inches."""
    figsize = SIZES[size] if isinstance(size, str) else size
    with mpl.rc_context(RC):
        fig, ax = plt.subplots(nrows, ncols, figsize=figsize, **kwargs)
    return fig, ax


class _SwedishTicks(Formatter):
    """Tick labels with decimal comma; with ``decimals=None`` one number of decimals for
    all ticks, as many as the ticks need (0,025 must not print as 0,03 beside 0,05)."""

    def __init__(self, decimals: int | None, percent: bool) -> None:
        self.decimals, self.percent = decimals, percent
        self._auto = 0

    def format_ticks(self, values):  # noqa: ANN001 - matplotlib signature
        if self.decimals is None:
            v = np.asarray(values, dtype=float)
            d = 0
            while d < 6 and not np.allclose(np.round(v, d), v, atol=1e-9):
                d += 1
            self._auto = d
        return super().format_ticks(values)

    def __call__(self, x: float, pos: int | None = None) -> str:
        lang = get_option("lang")
        d = self.decimals if self.decimals is not None else self._auto
        s = fmt_num(x, d, lang=lang)
        return s + ("\u00a0%" if self.percent and lang == "sv" else "%" if self.percent else "")


def decimal_comma(ax: Axes, axis: str = "both", *, decimals: int | None = None, percent: bool = False) -> Axes:
    """Format tick labels with Swedish decimal comma (and ``%`` when ``percent``).

    With ``decimals=None`` all ticks get the same number of decimals, as many
    as the tick values need.
    """
    axes = ["x", "y"] if axis == "both" else [axis]
    for a in axes:
        target = ax.xaxis if a == "x" else ax.yaxis
        if target.get_scale() == "linear" and not _is_categorical(target):
            target.set_major_formatter(_SwedishTicks(decimals, percent))
    return ax


def _is_categorical(axis: Any) -> bool:
    return axis.units is not None and not isinstance(axis.get_major_locator(), MaxNLocator) and hasattr(axis.units, "_mapping")


def finish(
    fig: Figure,
    *,
    title: str | None = None,
    note: str | Iterable[str] | None = None,
    source: str | None = None,
) -> Figure:
    """Put a title above and a note line (källa, n, suppression) under a figure.

    The title never overlaps the axes: without a constrained layout (which
    makes room itself), the axes are moved down below the title. The title,
    axes titles and axis labels are wrapped at word boundaries so that none
    runs past the edge of the figure; notes are wrapped to the figure's width.

    Examples
    --------
    >>> fig, ax = figure("half")
    >>> _ = ax.plot([0, 1], [0, 1])
    >>> _ = finish(fig, title="Effekt på förändring i arbete eller studier per förbund", source="register")
    >>> fig.get_suptitle().count("\n") >= 1  # wrapped to the 3,1-inch figure
    True
    >>> plt.close(fig)
    """
    if title:
        fig.suptitle(title, x=0.01, ha="left", fontsize=RC["axes.titlesize"], fontweight="bold")
    keep_inside(fig)
    if title:
        _clear_title(fig)
    parts = [note] if isinstance(note, str) else list(note or [])
    if source:
        parts.append(("Källa: " if get_option("lang") == "sv" else "Source: ") + source)
    if parts:
        # About 17 characters per inch at 7 pt; wrapped here, so the note never runs past the figure.
        width = max(40, int(fig.get_figwidth() * 17))
        lines = [ln for p in parts if p for ln in (textwrap.wrap(str(p), width, break_long_words=False) or [""])]
        fig.text(0.01, -0.01, "\n".join(lines), ha="left", va="top", fontsize=7, color="#444444")
    return fig


def keep_inside(fig: Figure, margin: float = 0.01) -> None:
    """Wrap the figure title, axes titles and axis labels that run past the figure's edges.

    Each text is measured with the figure's renderer and, if it does not fit,
    broken at word boundaries to the room it has: a left-aligned title from its
    start to the right edge, a centred one to the figure width, an x label to
    the figure width and a y label to the figure height. Words are never broken.

    Examples
    --------
    >>> fig, ax = figure("half")
    >>> _ = ax.set_xlabel("Skattad effekt på förändring i arbete eller studier (procentenheter)")
    >>> keep_inside(fig)
    >>> "\n" in ax.get_xlabel()
    True
    >>> plt.close(fig)
    """
    renderer = fig.canvas.get_renderer()
    width, height = fig.bbox.width, fig.bbox.height
    pad_w, pad_h = margin * width, margin * height
    texts: list[tuple[Any, bool]] = []
    st = fig._suptitle
    if st is not None and st.get_text():
        texts.append((st, False))
    for ax in fig.axes:
        if not ax.get_visible():
            continue
        texts += [(t, False) for t in (ax.title, ax._left_title, ax._right_title) if t.get_text()]
        if ax.xaxis.label.get_text():
            texts.append((ax.xaxis.label, False))
        if ax.yaxis.label.get_text():
            texts.append((ax.yaxis.label, True))
    for t, vertical in texts:
        _wrap_inside(t, renderer, width, height, pad_w, pad_h, vertical)


def _wrap_inside(t: Any, renderer: Any, width: float, height: float, pad_w: float, pad_h: float,
                 vertical: bool) -> None:
    """Re-wrap one text until its extent lies inside the figure (at most a few measurements)."""
    original = " ".join(t.get_text().split())
    for _ in range(8):
        bb = t.get_window_extent(renderer)
        lo, hi, size = (bb.y0, bb.y1, height) if vertical else (bb.x0, bb.x1, width)
        pad = pad_h if vertical else pad_w
        if lo >= -0.5 and hi <= size + 0.5:
            return
        extent = hi - lo
        ha = t.get_horizontalalignment() if not vertical else "center"
        if ha == "left":
            room = size - pad - max(lo, pad)
        elif ha == "right":
            room = min(hi, size - pad) - pad
        else:
            room = size - 2 * pad
        lines = t.get_text().split("\n")
        chars = max(len(ln) for ln in lines)
        # Characters per line in proportion to the room; one less each round in case of wide letters.
        per_line = max(8, int(chars * room / max(extent, 1.0)) - 1)
        wrapped = "\n".join(textwrap.wrap(original, per_line, break_long_words=False))
        if wrapped == t.get_text():
            if per_line <= 8:
                return  # a single word wider than the figure: nothing more to do without breaking it
            wrapped = "\n".join(textwrap.wrap(original, per_line - 2, break_long_words=False))
        t.set_text(wrapped)


def _clear_title(fig: Figure, pad_pt: float = 6.0) -> None:
    """Move the axes down until their tops (titles and tick labels included) sit below the suptitle."""
    engine = fig.get_layout_engine()
    if engine is not None and type(engine).__name__ == "ConstrainedLayoutEngine":
        return
    st = fig._suptitle
    axes = [a for a in fig.axes if a.get_visible()]
    if st is None or not axes:
        return
    renderer = fig.canvas.get_renderer()
    inv = fig.transFigure.inverted()
    title_bottom = inv.transform(st.get_window_extent(renderer))[0][1] - pad_pt / 72 / fig.get_figheight()
    tops = [inv.transform(a.get_tightbbox(renderer))[1][1] for a in axes]
    top = max(tops)
    if top <= title_bottom or top <= 0:
        return
    # Scale every axes box towards the bottom of the figure so the highest one ends below the title.
    pos_top = max(a.get_position().y1 for a in axes)
    over = top - pos_top  # what sticks out above the axes boxes (axes titles, tick labels)
    target = title_bottom - over
    if target <= 0.2:
        return
    k = target / pos_top
    for a in axes:
        b = a.get_position()
        a.set_position([b.x0, b.y0 * k, b.width, b.height * k])


def categorical(n: int) -> list[str]:
    """``n`` colour-blind-safe colours for categories (cycled after eight)."""
    return [OKABE_ITO[i % len(OKABE_ITO)] for i in range(n)]


# ColorBrewer RdBu (CVD-friendly) picked per scale length, ends kept printable.
_NEG = {1: ["#D6604D"], 2: ["#B2182B", "#F4A582"], 3: ["#B2182B", "#D6604D", "#F4A582"],
        4: ["#B2182B", "#D6604D", "#F4A582", "#FDDBC7"]}
_POS = {1: ["#4393C3"], 2: ["#92C5DE", "#2166AC"], 3: ["#92C5DE", "#4393C3", "#2166AC"],
        4: ["#D1E5F0", "#92C5DE", "#4393C3", "#2166AC"]}
_NEUTRAL = "#E0E0E0"


def diverging(n_neg: int, n_pos: int, neutral: bool = False) -> list[str]:
    """Colours for a scale: ``n_neg`` negative levels, optional neutral, ``n_pos`` positive.

    Ordered from the most negative to the most positive level. Longer scales
    (0-10) sample the RdBu colour map.
    """
    if n_neg > 4 or n_pos > 4:
        cmap = mpl.colormaps["RdBu"]
        neg = [mpl.colors.to_hex(cmap(0.05 + 0.37 * i / max(n_neg - 1, 1))) for i in range(n_neg)]
        pos = [mpl.colors.to_hex(cmap(0.58 + 0.37 * i / max(n_pos - 1, 1))) for i in range(n_pos)]
    else:
        neg = _NEG.get(n_neg, [])
        pos = _POS.get(n_pos, [])
    return neg + ([_NEUTRAL] if neutral else []) + pos


def sequential_cmap() -> str:
    """Name of the sequential colour map for heatmaps (perceptually uniform, CVD-safe)."""
    return "cividis"
