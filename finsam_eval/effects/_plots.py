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
        parts.append(f"n = {fmt_num(row['n_deltagare'], 0)}")
    if "n_kontroller" in row and pd.notna(row["n_kontroller"]):
        parts.append(f"{fmt_num(row['n_kontroller'], 0)} kontr.")
    return " / ".join(parts)


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
    for i, (_, r) in enumerate(rows.iterrows()):
        y = ys[i]
        ax.plot([r[low] * scale, r[high] * scale], [y, y], color=OKABE_ITO[0], lw=1.6, solid_capstyle="butt")
        ax.plot(r[estimate] * scale, y, "s", color=OKABE_ITO[0], ms=6)
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
    balance: pd.DataFrame, *, ax: Any = None, threshold: float = 0.1, absolute: bool = True, note: str | None = None
) -> Any:
    """Love plot: SMD of each covariate before (open) and after (filled) matching."""
    b = balance.copy()
    before, after = b["smd_fore"], b["smd_efter"]
    if absolute:
        before, after = before.abs(), after.abs()
    order = np.argsort(before.to_numpy(), kind="stable")
    b, before, after = b.iloc[order], before.iloc[order], after.iloc[order]
    n = len(b)
    if ax is None:
        fig, ax = figure((6.3, 1.0 + 0.28 * n))
    else:
        fig = ax.figure
    y = np.arange(n)
    for yi, x0, x1 in zip(y, before, after):
        ax.plot([x0, x1], [yi, yi], color="#CCCCCC", lw=0.8, zorder=1)
    ax.plot(before, y, "o", mfc="white", mec=OKABE_ITO[5], ms=5, label="Före matchning", zorder=2)
    ax.plot(after, y, "o", color=OKABE_ITO[0], ms=5, label="Efter matchning", zorder=3)
    for v in ([threshold] if absolute else [-threshold, threshold]):
        ax.axvline(v, color=GREY, ls="--", lw=0.8)
    ax.axvline(0, color="#444444", lw=0.6)
    ax.set_yticks(y)
    ax.set_yticklabels(b["variabel"])
    ax.set_ylim(-0.7, n - 0.3)
    ax.set_xlabel("Standardiserad medelvärdesskillnad" + (" (absolutvärde)" if absolute else ""))
    ax.legend(loc="lower right")
    decimal_comma(ax, "x")
    fig.tight_layout()
    finish(fig, title="Balans före och efter matchning",
           note=[f"Streckad linje: gränsen {fmt_num(threshold, 1)}.", *([note] if note else [])])
    return ax


def _overlap_plot(
    score: np.ndarray, treat: np.ndarray, weights: np.ndarray, *, bins: int = 40, logit: bool = False,
    note: str | None = None,
) -> Any:
    """Propensity score distributions of participants and controls, before and after matching."""
    fig, axes = figure((6.3, 3.4), 1, 2, sharey=False)
    edges = np.histogram_bin_edges(score, bins=bins)
    for ax, after in zip(axes, (False, True)):
        wt = weights[treat] if after else None
        wc = weights[~treat] if after else None
        st, sc = score[treat], score[~treat]
        if after:
            st, wt = st[wt > 0], wt[wt > 0]
            sc, wc = sc[wc > 0], wc[wc > 0]
        ax.hist(sc, bins=edges, weights=wc, density=True, color=OKABE_ITO[5], alpha=0.45, label="Kontroller")
        ax.hist(st, bins=edges, weights=wt, density=True, histtype="step", color=OKABE_ITO[0], lw=1.5,
                label="Deltagare")
        ax.set_title("Efter matchning" if after else "Före matchning", fontsize=9)
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
