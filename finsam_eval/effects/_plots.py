"""Shared figures of the effects pillar: forest plot, love plot, overlap plot, coefficient plot.

Drawing only: every function takes a tidy table (or arrays) that a result
object already holds, so a table exists without a figure.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..plots import GREY, OKABE_ITO, decimal_comma, figure, finish, house_style
from ..sv import fmt_num

__all__ = ["forest_plot", "love_plot", "overlap_plot", "coef_plot"]


def _n_label(row: pd.Series) -> str:
    parts = []
    if "n_deltagare" in row and pd.notna(row["n_deltagare"]):
        parts.append(f"{fmt_num(row['n_deltagare'], 0)} deltagare")
    if "n_kontroller" in row and pd.notna(row["n_kontroller"]):
        parts.append(f"{fmt_num(row['n_kontroller'], 0)} i jämförelsegruppen")
    return ", ".join(parts)


def _forest_plot(
    table: pd.DataFrame,
    *,
    label: str = "etikett",
    estimate: str = "att",
    low: str = "ki_nedre",
    high: str = "ki_ovre",
    pooled: str | None = None,
    ax: Any = None,
    title: str | None = None,
    xlabel: str = "Skattad effekt",
    note: str | list[str] | None = None,
    truth: float | dict[str, float] | None = None,
    percent: bool = False,
) -> Any:
    """Forest plot: one row per group with CI whiskers, pooled estimate as a diamond.

    Parameters
    ----------
    table
        Columns ``label``, ``estimate``, ``low``, ``high`` and optionally
        ``n_deltagare`` / ``n_kontroller`` (shown in the labels).
    pooled
        Label of the pooled row (drawn as a diamond at the bottom).
    truth
        A known true value (or one per label) drawn as open circles.
    percent
        Estimates are shares: show the axis as percentage points.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> t = pd.DataFrame({"etikett": ["A", "B", "Alla"], "att": [0.1, 0.05, 0.08],
    ...                   "ki_nedre": [0.0, -0.02, 0.03], "ki_ovre": [0.2, 0.12, 0.13]})
    >>> ax = forest_plot(t, pooled="Alla")
    """
    t = table.reset_index(drop=True)
    rows = t[t[label] != pooled] if pooled is not None else t
    pool = t[t[label] == pooled] if pooled is not None else t.iloc[0:0]
    n = len(rows) + len(pool)
    if ax is None:
        fig, ax = figure((6.3, 0.9 + 0.42 * n + (0.3 if len(pool) else 0)))
    else:
        fig = ax.figure
    scale = 100.0 if percent else 1.0
    ys = np.arange(n)[::-1].astype(float)
    labels = []
    if len(rows):  # one collection of whiskers and one line of markers, not two artists per row
        y_rows = ys[: len(rows)]
        ax.hlines(y_rows, rows[low].to_numpy(float) * scale, rows[high].to_numpy(float) * scale,
                  color=OKABE_ITO[0], lw=1.6, capstyle="butt")
        ax.plot(rows[estimate].to_numpy(float) * scale, y_rows, "s", ls="none", color=OKABE_ITO[0], ms=6)
    for _, r in rows.iterrows():
        nl = _n_label(r)
        labels.append(f"{r[label]}" + (f"\n({nl})" if nl else ""))
    for j, (_, r) in enumerate(pool.iterrows()):
        y = ys[len(rows) + j]
        if len(rows):
            y -= 0.3
            ys[len(rows) + j] = y
        e, lo_, hi_ = r[estimate] * scale, r[low] * scale, r[high] * scale
        ax.fill([lo_, e, hi_, e], [y, y + 0.25, y, y - 0.25], color="#333333", zorder=3)
        nl = _n_label(r)
        labels.append(f"{r[label]}" + (f"\n({nl})" if nl else ""))
    if truth is not None:
        tv = [truth.get(lab) if isinstance(truth, dict) else truth for lab in [*rows[label], *pool[label]]]
        tx = [v * scale if v is not None else np.nan for v in tv]
        ax.plot(tx, ys, "o", mfc="white", mec=OKABE_ITO[5], ms=6, zorder=4, label="Sant värde")
        ax.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), ncol=1)
    ax.axvline(0, color=GREY, lw=0.8, ls="--", zorder=0)
    ax.set_yticks(ys)
    ax.set_yticklabels(labels)
    ax.set_ylim(ys.min() - 0.7, ys.max() + 0.7)
    ax.set_xlabel(xlabel + (" (procentenheter)" if percent else ""))
    ax.spines["left"].set_visible(False)
    ax.tick_params(axis="y", length=0)
    decimal_comma(ax, "x")
    fig.tight_layout()
    if title or note:
        finish(fig, title=title, note=note)
    return ax


def _love_plot(
    balance: pd.DataFrame, *, ax: Any = None, threshold: float = 0.1, absolute: bool = True, note: str | None = None,
    stats: tuple[str, ...] = ("m",), ks_threshold: float | None = None, adjust_word: str = "matchning",
) -> Any:
    """Love plot: SMD (and optionally KS) of each covariate before (open) and after (filled) adjustment."""
    b = balance.reset_index(drop=True)
    smd_before = b["smd_fore"].abs() if absolute else b["smd_fore"]
    order = np.argsort(smd_before.to_numpy(), kind="stable")
    b = b.iloc[order].reset_index(drop=True)
    n = len(b)
    panels = list(stats)
    if ax is None:
        fig, axes = figure((6.3 if len(panels) == 1 else 8.0, 1.0 + 0.28 * n), 1, len(panels), sharey=True,
                           squeeze=False)
        axes = list(axes[0])
    else:
        fig, axes = ax.figure, [ax]
    y = np.arange(n)
    for a, stat in zip(axes, panels):
        col = "smd" if stat == "m" else "ks"
        before, after = b[f"{col}_fore"], b[f"{col}_efter"]
        if col == "smd" and absolute:
            before, after = before.abs(), after.abs()
        for yi, x0, x1 in zip(y, before, after):
            a.plot([x0, x1], [yi, yi], color="#CCCCCC", lw=0.8, zorder=1)
        a.plot(before, y, "o", mfc="white", mec=OKABE_ITO[5], ms=5, label=f"Före {adjust_word}", zorder=2)
        a.plot(after, y, "o", color=OKABE_ITO[0], ms=5, label=f"Efter {adjust_word}", zorder=3)
        thr = threshold if col == "smd" else ks_threshold
        if thr is not None:
            for v in ([thr] if (absolute or col == "ks") else [-thr, thr]):
                a.axvline(v, color=GREY, ls="--", lw=0.8)
        a.axvline(0, color="#444444", lw=0.6)
        a.set_xlabel("Standardiserad medelvärdesskillnad" + (" (absolutvärde)" if absolute else "")
                     if col == "smd" else "Kolmogorov-Smirnov-statistika")
        decimal_comma(a, "x")
    axes[0].set_yticks(y)
    from ..sv import label

    axes[0].set_yticklabels([label(v) for v in b["variabel"]])
    axes[0].set_ylim(-0.7, n - 0.3)
    axes[-1].legend(loc="lower right")
    fig.tight_layout(rect=(0, 0, 1, 1 - 0.3 / fig.get_figheight()))  # room for the title above the axes
    lines = [f"Streckad linje: gränsen {fmt_num(threshold, 2 if threshold < 0.1 else 1)}"
             + (f" (KS {fmt_num(ks_threshold, 2)})" if "ks" in panels and ks_threshold is not None else "") + ".",
             "Binära variabler som skillnad i andelar."]
    finish(fig, title=f"Balans före och efter {adjust_word}", note=[*lines, *([note] if note else [])])
    return axes[0] if len(axes) == 1 else fig


def _overlap_plot(
    score: np.ndarray, treat: np.ndarray, weights: np.ndarray, *, bins: int = 40, logit: bool = False,
    note: str | None = None, adjust_word: str = "matchning",
) -> Any:
    """Propensity score distributions of participants and controls, before and after adjustment."""
    fig, axes = figure((6.3, 3.4), 1, 2, sharey=False)
    edges = np.histogram_bin_edges(score, bins=bins)
    for ax, after in zip(axes, (False, True)):
        wt = weights[treat] if after else None
        wc = weights[~treat] if after else None
        st, sc = score[treat], score[~treat]
        if after:
            st, wt = st[wt > 0], wt[wt > 0]
            sc, wc = sc[wc > 0], wc[wc > 0]
        ax.hist(sc, bins=edges, weights=wc, density=True, color=OKABE_ITO[5], alpha=0.45, label="Jämförelsegrupp")
        ax.hist(st, bins=edges, weights=wt, density=True, histtype="step", color=OKABE_ITO[0], lw=1.5,
                label="Deltagare")
        ax.set_title(f"Efter {adjust_word}" if after else f"Före {adjust_word}", fontsize=9)
        ax.set_xlabel("Propensity score (logit)" if logit else "Propensity score")
        decimal_comma(ax, "both")
    axes[0].set_ylabel("Täthet")
    axes[1].legend(loc="upper right")
    fig.tight_layout(rect=(0, 0, 1, 0.93))
    finish(fig, title="Överlappning av propensity score", note=note)
    return fig


def _coef_plot(
    table: pd.DataFrame, *, x: str = "event_time", estimate: str = "estimat", low: str = "ki_nedre",
    high: str = "ki_ovre", ax: Any = None, title: str | None = None, xlabel: str = "Kvartal relativt start",
    ylabel: str = "Skattad effekt", reference: float | None = -1, note: str | list[str] | None = None,
) -> Any:
    """Coefficient plot (e.g. event study): points with CI bars along ``x``, zero line, reference period."""
    if ax is None:
        fig, ax = figure("full")
    else:
        fig = ax.figure
    ax.axhline(0, color=GREY, lw=0.8, ls="--")
    if reference is not None:
        ax.axvline(reference + 0.5, color="#DDDDDD", lw=0.8)
    ax.errorbar(table[x], table[estimate], yerr=[table[estimate] - table[low], table[high] - table[estimate]],
                fmt="o", color=OKABE_ITO[0], ms=4, capsize=2, lw=1)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    decimal_comma(ax, "both")
    fig.tight_layout()
    if title or note:
        finish(fig, title=title, note=note)
    return ax


def _styled(impl: Any) -> Any:
    import functools

    @functools.wraps(impl)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with house_style():
            return impl(*args, **kwargs)

    wrapper.__name__ = impl.__name__.lstrip("_")
    wrapper.__qualname__ = wrapper.__name__
    return wrapper


forest_plot = _styled(_forest_plot)
love_plot = _styled(_love_plot)
overlap_plot = _styled(_overlap_plot)
coef_plot = _styled(_coef_plot)
