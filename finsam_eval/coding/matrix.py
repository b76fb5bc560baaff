"""Code × group matrices and code co-occurrence, with the heat map both draw.

:class:`CodeMatrix` counts excerpts or respondents (each once per group) per
code and group; :class:`Cooccurrence` counts excerpts carrying two codes.
Both are made by :class:`~finsam_eval.coding.CodingResult`
(:meth:`~finsam_eval.coding.CodingResult.matrix`,
:meth:`~finsam_eval.coding.CodingResult.cooccurrence`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.colors import LinearSegmentedColormap

from .._config import get_option
from ..privacy import suppression_note
from ..results import ResultMixin
from ..sv import fmt_num
from .codebook import Codebook

__all__ = ["CodeMatrix", "Cooccurrence", "DISPLAY_NAMES"]

_VALUES = ("excerpts", "respondents", "share")
_VALUE_SV = {"excerpts": "antal utdrag", "respondents": "antal respondenter", "share": "andel respondenter"}
#: How grouping columns are named in titles and notes.
DISPLAY_NAMES = {"forbund": "förbund", "roll": "roll", "kalla": "källa", "datum": "datum", "ar": "år",
                 "respondentgrupp": "respondentgrupp", "kommun": "kommun", "respondent_id": "respondent",
                 "fraga_id": "fråga", "kodkalla": "kodens källa"}


def _display(col: str | None) -> str:
    return DISPLAY_NAMES.get(col, col) if col else ""


_SHARE_NOTE = "Andel = respondenter (eller utdrag) i gruppen som tar upp temat, av alla i gruppen."


def _labels_for(codebook: Codebook | None, codes: Iterable[str]) -> dict[str, str]:
    lab = codebook.labels if codebook is not None else {}
    return {c: lab.get(c, c) for c in codes}


def _pivot_masked(tidy: pd.DataFrame, index: str, columns: str, value: str,
                  index_order: Sequence[Any], col_order: Sequence[Any]) -> pd.DataFrame:
    """Pivot a suppressed tidy table to wide, carrying the suppression mask along."""
    wide = tidy.pivot(index=index, columns=columns, values=value).reindex(index=index_order, columns=col_order)
    mask = tidy.attrs.get("suppressed_mask")
    if mask is not None:
        m = tidy[[index, columns]].copy()
        m["_m"] = mask[value].to_numpy()
        mw = m.pivot(index=index, columns=columns, values="_m").reindex(index=index_order, columns=col_order)
        wide.attrs["suppressed_mask"] = mw.fillna(False).astype(bool)
        wide.attrs["suppression_note"] = tidy.attrs.get("suppression_note")
        wide.attrs["n_suppressed"] = int(mw.fillna(False).astype(bool).to_numpy().sum())
    wide.index.name = None
    wide.columns.name = None
    return wide


# Single-hue white-to-blue (Okabe-Ito blue): more = darker, readable in grey print and for CVD.
_CMAP = LinearSegmentedColormap.from_list("finsam_blues", ["#FFFFFF", "#CFE3F2", "#0072B2", "#003B5C"])


def _heatmap(values: pd.DataFrame, mask: pd.DataFrame | None, *, ax: Any = None, title: str = "",
             note: Sequence[str] = (), xlabel: str = "", percent: bool = False, decimals: int = 0,
             vmax: float | None = None, diagonal_dash: bool = False) -> Any:

    from ..plots import figure, finish
    from ..plots.style import house_style

    v = values.astype(float)
    nrow, ncol = v.shape
    with house_style():
        if ax is None:
            w = min(max(3.2 + 0.9 * ncol, 4.5), 9.0)
            fig, ax = figure((w, 0.9 + 0.32 * nrow))
            own = True
        else:
            fig, own = ax.figure, False
        data = v.to_numpy()
        shown = np.ma.masked_invalid(data)
        cmap = _CMAP.with_extremes(bad="#EDEDED")
        top = np.nanmax(data) if np.isfinite(data).any() else 1.0
        if vmax is not None:
            top = min(vmax, top * 1.1) if top > 0 else vmax
        im = ax.imshow(shown, aspect="auto", cmap=cmap, vmin=0, vmax=top or 1.0)
        longest = max((len(str(c)) for c in v.columns), default=0)
        tilt = ncol * max(longest, 4) > 70
        ax.set_xticks(range(ncol), [str(c) for c in v.columns], rotation=30 if tilt else 0,
                      ha="right" if tilt else "center")
        ax.set_yticks(range(nrow), [str(i) for i in v.index])
        ax.tick_params(length=0)
        for s in ax.spines.values():
            s.set_visible(False)
        marker = get_option("suppressed_marker")
        for i in range(nrow):
            for j in range(ncol):
                x = data[i, j]
                if mask is not None and bool(mask.iloc[i, j]):
                    txt, col = marker, "#444444"
                elif np.isnan(x):
                    txt, col = "–" if diagonal_dash and i == j else "", "#444444"
                else:
                    txt = fmt_num(100 * x if percent else x, decimals) + ("\u00a0%" if percent else "")
                    col = "white" if x > 0.6 * (top or 1.0) else "black"
                ax.text(j, i, txt, ha="center", va="center", fontsize=7, color=col)
        if xlabel:
            ax.set_xlabel(xlabel)
        del im
        if own:
            finish(fig, title=title, note=list(note))
            fig.tight_layout()
    return fig if own else ax


@dataclass
class CodeMatrix(ResultMixin):
    """Codes × groups: excerpts, respondents or the share of respondents per group.

    ``tidy`` has one row per code and group (``kod``, ``etikett``, group,
    ``antal``, ``bas``, ``andel``) after suppression; :meth:`table` pivots
    the chosen value to codes × groups with the suppression mask kept.
    """

    tidy: pd.DataFrame
    by: str
    value: str
    unit: str
    codes: list[str]
    groups: list[Any]
    labels: dict[str, str]
    notes: list[str] = field(default_factory=list)

    @property
    def title(self) -> str:
        what = {"excerpts": "Antal utdrag", "respondents": "Antal respondenter",
                "share": "Andel respondenter" if self.unit == "respondenter" else "Andel utdrag"}[self.value]
        return f"{what} per tema och {_display(self.by)}"

    @property
    def caption(self) -> str:
        return (f"{self.title}. Varje {self.unit[:-2] if self.unit == 'respondenter' else 'utdrag'} räknas "
                f"en gång per grupp och tema.")

    def table(self) -> pd.DataFrame:
        col = {"excerpts": "antal", "respondents": "antal", "share": "andel"}[self.value]
        t = _pivot_masked(self.tidy, "kod", self.by, col, self.codes, self.groups)
        t.index = [self.labels[c] for c in t.index]
        if "suppressed_mask" in t.attrs:
            t.attrs["suppressed_mask"].index = t.index
        if col == "antal":
            mask = t.attrs.get("suppressed_mask")
            if mask is None or not mask.to_numpy().any():
                t = t.fillna(0).astype(int)
        return t

    @property
    def counts(self) -> pd.DataFrame:
        """Unsuppressed counts (codes × groups), for analysis, not for publication."""
        t = self.tidy.attrs.get("raw")
        return t.pivot(index="kod", columns=self.by, values="antal").reindex(index=self.codes, columns=self.groups)

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        t = self.table()
        mask = t.attrs.get("suppressed_mask")
        share = self.value == "share"
        return _heatmap(t, mask, ax=ax, title=kwargs.pop("title", self.title), note=self.notes,
                        percent=share, decimals=0, vmax=1.0 if share else None)


@dataclass
class Cooccurrence(ResultMixin):
    """How often two codes are given to the same excerpt (count or Jaccard index)."""

    counts: pd.DataFrame
    measure: str
    labels: dict[str, str]
    notes: list[str] = field(default_factory=list)

    @property
    def title(self) -> str:
        return "Samförekomst av teman" + (" (Jaccardindex)" if self.measure == "jaccard" else " (antal utdrag)")

    @property
    def caption(self) -> str:
        return ("Antal utdrag där båda temana förekommer; diagonalen är antalet utdrag med temat."
                if self.measure == "count" else
                "Jaccardindex: utdrag med båda temana delat med utdrag med minst ett av dem.")

    def _values(self) -> pd.DataFrame:
        c = self.counts.astype(float)
        if self.measure == "count":
            return c
        d = np.diag(c.to_numpy())
        union = d[:, None] + d[None, :] - c.to_numpy()
        with np.errstate(invalid="ignore", divide="ignore"):
            j = np.where(union > 0, c.to_numpy() / union, np.nan)
        return pd.DataFrame(j, index=c.index, columns=c.columns)

    def table(self) -> pd.DataFrame:
        vals = self._values()
        t = get_option("min_count")
        c = self.counts.to_numpy()
        mask = (c > 0) & (c < t)
        if self.measure == "jaccard":  # the index reveals the counts of both codes too
            d = np.diag(c)
            mask = mask | ((d[:, None] > 0) & (d[:, None] < t)) | ((d[None, :] > 0) & (d[None, :] < t))
        out = vals.where(~mask)
        if self.measure == "count" and not mask.any():
            out = out.astype(int)
        out.index = [self.labels[i] for i in out.index]
        out.columns = [self.labels[i] for i in out.columns]
        out.attrs["suppressed_mask"] = pd.DataFrame(mask, index=out.index, columns=out.columns)
        out.attrs["suppression_note"] = suppression_note(t)
        out.attrs["n_suppressed"] = int(mask.sum())
        return out

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        t = self.table()
        mask = t.attrs["suppressed_mask"]
        vals = t.to_numpy(dtype=float, copy=True)
        np.fill_diagonal(vals, np.nan)  # a theme with itself says nothing; shown as a dash
        t = pd.DataFrame(vals, index=t.index, columns=t.columns)
        note = [*self.notes, "Diagonalen (ett tema med sig självt) visas inte."]
        return _heatmap(t, mask, ax=ax, title=kwargs.pop("title", self.title),
                        note=note, decimals=0 if self.measure == "count" else 2,
                        vmax=1.0 if self.measure == "jaccard" else None, diagonal_dash=True)
