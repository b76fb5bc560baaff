"""Result objects of thematic coding: codes per excerpt, matrices, quotes, prevalence.

:class:`CodingResult` holds the codes given to each excerpt (automatically by
:func:`~finsam_eval.coding.code_excerpts` or by hand through
:meth:`CodingResult.from_codes`) and derives what an evaluation report
needs: a code × group matrix counting respondents once per group
(:meth:`~CodingResult.matrix`), code co-occurrence
(:meth:`~CodingResult.cooccurrence`), strong and varied quotes
(:meth:`~CodingResult.quotes`), and prevalence with the Swedish quantifier
words reports use (:meth:`~CodingResult.prevalence`). Every published count
goes through :func:`~finsam_eval.privacy.suppress_small`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.colors import LinearSegmentedColormap

from .._config import get_option
from ..errors import MissingColumnError, SchemaError
from ..privacy import suppress_small, suppression_note
from ..results import Exclusions, ResultMixin
from ..sv import fmt_num, quantifier
from .codebook import Codebook

__all__ = ["CodingResult", "CodeMatrix", "Cooccurrence", "Quotes", "Prevalence", "CodeComparison"]

_VALUES = ("excerpts", "respondents", "share")
_VALUE_SV = {"excerpts": "antal utdrag", "respondents": "antal respondenter", "share": "andel respondenter"}
#: How grouping columns are named in titles and notes.
DISPLAY_NAMES = {"forbund": "förbund", "roll": "roll", "kalla": "källa", "datum": "datum", "ar": "år",
                 "respondentgrupp": "respondentgrupp", "kommun": "kommun"}


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


@dataclass
class Quotes(ResultMixin):
    """Chosen quotes for one code: strong hits from different respondents and förbund."""

    quotes: pd.DataFrame
    code: str
    label: str
    notes: list[str] = field(default_factory=list)

    @property
    def title(self) -> str:
        return f"Citat om {self.label.lower()}"

    @property
    def caption(self) -> str:
        return "Utdrag valda för stark träff, lagom längd och spridning över respondenter och förbund."

    def table(self) -> pd.DataFrame:
        return self.quotes.copy()

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:  # quotes are text; nothing to draw
        raise NotImplementedError("Citat visas som text: använd .table() eller print(resultat).")

    def summary(self) -> str:
        lines = [self.title, ""]
        for _, r in self.quotes.iterrows():
            who = ", ".join(str(r[c]) for c in ("roll", "forbund") if c in r and pd.notna(r[c]))
            lines.append(f"– ”{r['text']}”" + (f" ({who})" if who else ""))
        return "\n".join(lines)

    def __len__(self) -> int:
        return len(self.quotes)


@dataclass
class Prevalence(ResultMixin):
    """How many respondents raise each theme, with the Swedish quantifier word."""

    tidy: pd.DataFrame
    by: str | None
    unit: str
    notes: list[str] = field(default_factory=list)

    @property
    def title(self) -> str:
        return "Hur många som tar upp temat" + (f", per {_display(self.by)}" if self.by else "")

    @property
    def caption(self) -> str:
        return (f"Antal och andel {self.unit} som tar upp varje tema, med ordet en rapport använder "
                f"(samtliga, de flesta, flera, några, ett fåtal ...).")

    def table(self) -> pd.DataFrame:
        return self.tidy.copy()

    def sentences(self) -> list[str]:
        """One sentence per theme (and group): "De flesta respondenter i Botkyrka tar upp samsyn."."""
        out = []
        for _, r in self.tidy.iterrows():
            where = f" i {r[self.by]}" if self.by else ""
            word = r["kvantifierare"]
            out.append(f"{word[0].upper() + word[1:]} {self.unit}{where} tar upp {str(r['etikett']).lower()}.")
        return out

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        from ..plots import categorical, decimal_comma, figure, finish
        from ..plots.style import house_style

        t = self.tidy
        with house_style():
            if self.by is None:
                t = t.iloc[::-1]
                if ax is None:
                    fig, ax = figure((6.3, 0.9 + 0.3 * len(t)))
                    own = True
                else:
                    fig, own = ax.figure, False
                y = np.arange(len(t))
                vals = t["andel"].to_numpy(dtype=float)
                ax.barh(y, np.nan_to_num(vals), color=categorical(1)[0], height=0.65)
                ax.set_yticks(y, t["etikett"].tolist())
                marker = get_option("suppressed_marker")
                for yi, v, q in zip(y, vals, t["kvantifierare"]):
                    label = f"{marker}" if np.isnan(v) else f"{fmt_num(100 * v, 0)}\u00a0%  ({q})"
                    ax.text((0 if np.isnan(v) else v) + 0.01, yi, label, va="center", fontsize=7, color="#333333")
                ax.set_xlim(0, 1.18)
                ax.set_xticks([0, 0.25, 0.5, 0.75, 1.0])
                decimal_comma(ax, "x", percent=True)
                ax.xaxis.set_major_formatter(
                    __import__("matplotlib").ticker.FuncFormatter(lambda x, _p: f"{fmt_num(100 * x, 0)}\u00a0%"))
                ax.set_xlabel(f"Andel {self.unit}")
            else:
                # Groups side by side read best as a heatmap of shares (same look as matrix()).
                codes = list(dict.fromkeys(t["kod"]))
                labels = dict(zip(t["kod"], t["etikett"]))
                groups = list(dict.fromkeys(t[self.by]))
                wide = _pivot_masked(t, "kod", self.by, "andel", codes, groups)
                mask = wide.attrs.get("suppressed_mask")
                wide.index = [labels[c] for c in wide.index]
                if mask is not None:
                    mask.index = wide.index
                return _heatmap(wide, mask, ax=ax, title=kwargs.pop("title", self.title), note=self.notes,
                                percent=True, vmax=1.0)
            if own:
                finish(fig, title=kwargs.pop("title", self.title), note=self.notes)
                fig.tight_layout()
        return fig if own else ax


@dataclass
class CodeComparison(ResultMixin):
    """Automatic codes compared with reference (human) codes: precision, recall, F1 per code."""

    tidy: pd.DataFrame
    reference: str
    notes: list[str] = field(default_factory=list)

    title: str = "Automatisk kodning jämförd med manuell kodning"

    @property
    def caption(self) -> str:
        return (f"Precision = andel av de automatiska koderna som också finns i {self.reference}; "
                f"täckning (recall) = andel av koderna i {self.reference} som hittas automatiskt.")

    @property
    def macro_f1(self) -> float:
        return float(self.tidy["f1"].mean())

    @property
    def micro_f1(self) -> float:
        tp, fp, fn = (self.tidy[c].sum() for c in ("tp", "fp", "fn"))
        return float(2 * tp / (2 * tp + fp + fn)) if tp + fp + fn else float("nan")

    def table(self) -> pd.DataFrame:
        return self.tidy.copy()

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        from ..plots import categorical, figure, finish
        from ..plots.style import house_style

        t = self.tidy.iloc[::-1]
        with house_style():
            if ax is None:
                fig, ax = figure((6.3, 1.0 + 0.3 * len(t)))
                own = True
            else:
                fig, own = ax.figure, False
            y = np.arange(len(t))
            cols = categorical(2)
            ax.barh(y + 0.2, t["precision"].fillna(0), height=0.4, color=cols[0], label="Precision")
            ax.barh(y - 0.2, t["recall"].fillna(0), height=0.4, color=cols[1], label="Täckning")
            ax.set_yticks(y, t["etikett"])
            ax.set_xlim(0, 1)
            ax.xaxis.set_major_formatter(
                __import__("matplotlib").ticker.FuncFormatter(lambda x, _p: fmt_num(x, 1)))
            ax.legend(loc="lower right")
            if own:
                finish(fig, title=self.title, note=self.notes)
                fig.tight_layout()
        return fig if own else ax


@dataclass
class CodingResult(ResultMixin):
    """Codes given to excerpts, and what a report derives from them.

    Attributes
    ----------
    long
        One row per excerpt and code: the id column, ``code``, ``label``,
        ``score``, ``n_hits``, ``matched_terms``, ``matched_text``,
        ``negated`` (every hit of the code is negated: "ingen samsyn"),
        ``hedged`` (some hit is hedged: "i viss mån förankrad"), ``spans``
        (character offsets) and all excerpt metadata.
    excerpts
        The excerpts that were coded (all of them, coded or not).
    codebook
        The codebook used.
    """

    long: pd.DataFrame
    excerpts: pd.DataFrame
    codebook: Codebook | None = None
    text_col: str = "text"
    id_col: str = "excerpt_id"
    respondent_col: str | None = "respondent_id"
    method: str = "automatisk"
    exclusions: Exclusions = field(default_factory=Exclusions)
    min_score: float | None = None
    source: str | None = None

    # -- construction from human codes -------------------------------------------
    @classmethod
    def from_codes(
        cls,
        excerpts: pd.DataFrame,
        codes_col: str = "codes_a",
        codebook: Codebook | None = None,
        *,
        text_col: str = "text",
        id_col: str = "excerpt_id",
        respondent_col: str | None = "respondent_id",
        negated_col: str | None = None,
    ) -> CodingResult:
        """Wrap manual codes (a column of lists of code ids) so matrices, quotes and prevalence work on them.

        Codes may be lists, tuples or strings separated by ``;`` or ``,``.
        Codes not in ``codebook`` raise :class:`~finsam_eval.errors.CodebookError`.

        Examples
        --------
        >>> df = pd.DataFrame({"excerpt_id": [1, 2], "respondent_id": ["R1", "R2"], "text": ["a", "b"],
        ...                    "codes_a": [["samsyn"], ["samsyn", "hinder"]]})
        >>> CodingResult.from_codes(df, "codes_a").wide.sum().loc[["samsyn", "hinder"]].tolist()
        [2, 1]
        """
        for col in [codes_col, id_col] + ([respondent_col] if respondent_col else []):
            if col not in excerpts.columns:
                raise MissingColumnError(f"from_codes: kolumnen {col!r} saknas; kolumner: {list(excerpts.columns)}.")
        codebook = codebook if codebook is not None else Codebook.default()
        known = set(codebook.ids)
        rows = []
        unknown: dict[str, list[int]] = {}
        ex = excerpts.reset_index(drop=True)
        for pos, (eid, val) in enumerate(zip(ex[id_col], ex[codes_col])):
            codes = _as_code_list(val)
            neg = set(_as_code_list(ex[negated_col].iloc[pos])) if negated_col else set()
            for c in codes:
                if c not in known:
                    unknown.setdefault(c, []).append(pos)
                    continue
                rows.append({"_pos": pos, id_col: eid, "code": c, "label": codebook.labels[c], "score": np.nan,
                             "n_hits": 0, "matched_terms": [], "matched_text": [], "negated": c in neg,
                             "hedged": False, "spans": []})
        if unknown:
            from ..errors import CodebookError, describe_rows

            first = sorted(unknown)[0]
            raise CodebookError(
                f"from_codes: kolumnen {codes_col!r} innehåller koder som inte finns i kodboken {codebook.name!r}: "
                f"{sorted(unknown)} (t.ex. {first!r} på {describe_rows(unknown[first])}). Lägg till dem i kodboken."
            )
        cols = ["_pos", id_col, "code", "label", "score", "n_hits", "matched_terms", "matched_text", "negated",
                "hedged", "spans"]
        long = pd.DataFrame(rows, columns=cols)
        order = {c: i for i, c in enumerate(codebook.ids)}
        long = long.assign(_o=long["code"].map(order)).sort_values(["_pos", "_o"]).drop(columns="_o")
        long = attach_metadata(long, ex, id_col).reset_index(drop=True)
        long["negated"] = long["negated"].astype(bool)
        long["hedged"] = long["hedged"].astype(bool)
        return cls(long=long, excerpts=ex, codebook=codebook, text_col=text_col, id_col=id_col,
                   respondent_col=respondent_col, method=f"manuell ({codes_col})")

    # -- the contract ------------------------------------------------------------
    @property
    def codes(self) -> list[str]:
        if self.codebook is not None:
            return self.codebook.ids
        return list(dict.fromkeys(self.long["code"]))

    @property
    def labels(self) -> dict[str, str]:
        return _labels_for(self.codebook, self.codes)

    @property
    def n_excerpts(self) -> int:
        return len(self.excerpts)

    @property
    def n_respondents(self) -> int | None:
        if self.respondent_col and self.respondent_col in self.excerpts:
            return int(self.excerpts[self.respondent_col].nunique())
        return None

    @property
    def title(self) -> str:
        return "Teman i intervjuutdragen"

    @property
    def caption(self) -> str:
        cb = f" med kodboken {self.codebook.name} {self.codebook.version}" if self.codebook else ""
        return f"Kodning ({self.method}){cb}. Ett utdrag kan ha flera teman."

    @property
    def notes(self) -> list[str]:
        n = [f"n = {self.n_excerpts} utdrag" + (f" från {self.n_respondents} respondenter" if self.n_respondents else "")
             + "."]
        if self._fallback_note:
            n.append(self._fallback_note)
        if self.method == "automatisk" and self.min_score is not None:
            n.append(f"Automatisk kodning med svensk ordstamning; minsta poäng {fmt_num(self.min_score, 2)}.")
        if len(self.long) and self.long["negated"].any():
            n.append(f"{int(self.long['negated'].sum())} kodningar är negerade (t.ex. \u201dingen samsyn\u201d) "
                     "och räknas med; se kolumnen negated.")
        if self.exclusions:
            n.append(self.exclusions.describe())
        if self.source:
            n.append(f"Källa: {self.source}.")
        n.append(suppression_note())
        return n

    @property
    def wide(self) -> pd.DataFrame:
        """0/1 per excerpt (rows, indexed by id, every excerpt) and code (columns, codebook order)."""
        ids = self.excerpts[self.id_col]
        w = pd.crosstab(self.long[self.id_col], self.long["code"]) if len(self.long) else pd.DataFrame()
        w = (w.reindex(index=ids, columns=self.codes, fill_value=0) > 0).astype(int)
        w.index.name = self.id_col
        w.columns.name = None
        return w

    @property
    def _fallback_note(self) -> str:
        """The reader's sentence when each excerpt counts as its own respondent (no respondent column)."""
        if not self.excerpts.attrs.get("respondent_fallback"):
            return ""
        from ..io.excerpt_columns import FALLBACK_NOTE

        return FALLBACK_NOTE

    def _unit(self, value: str = "respondents") -> str:
        return "respondenter" if (value != "excerpts" and self.respondent_col) else "utdrag"

    def table(self, *, exclude_negated: bool = False) -> pd.DataFrame:
        """Per code: excerpts, respondents and their shares, negated and hedged hits (suppressed)."""
        long = self.long[~self.long["negated"]] if exclude_negated else self.long
        rows = []
        n_ex = self.n_excerpts
        n_resp = self.n_respondents
        for c in self.codes:
            sub = long[long["code"] == c]
            r = {"kod": c, "etikett": self.labels[c], "utdrag": int(len(sub)),
                 "andel_utdrag": len(sub) / n_ex if n_ex else np.nan}
            if n_resp:
                k = int(sub[self.respondent_col].nunique())
                r.update(respondenter=k, andel_respondenter=k / n_resp)
            r.update(negerade=int(sub["negated"].sum()), osakra=int(sub["hedged"].sum()))
            rows.append(r)
        t = pd.DataFrame(rows)
        counts = ["utdrag", "negerade", "osakra"] + (["respondenter"] if n_resp else [])
        derived = {"andel_utdrag": "utdrag"}
        if n_resp:
            derived["andel_respondenter"] = "respondenter"
        return suppress_small(t, counts, derived=derived)

    def plot(self, ax: Any = None, *, kind: str = "bar", by: str | None = None, **kwargs: Any) -> Any:
        """``kind="bar"``: share of respondents per theme; ``kind="heatmap"``: share per theme and ``by``."""
        if kind == "heatmap":
            return self.matrix(by or "forbund", value="share").plot(ax=ax, **kwargs)
        if kind != "bar":
            raise ValueError("kind ska vara 'bar' eller 'heatmap'.")
        return self.prevalence(by=by).plot(ax=ax, **kwargs)

    # -- matrices ------------------------------------------------------------------
    def _check_col(self, col: str, what: str) -> None:
        if col not in self.excerpts.columns:
            raise MissingColumnError(
                f"{what}: kolumnen {col!r} finns inte bland utdragens kolumner ({list(self.excerpts.columns)})."
            )

    def matrix(self, by: str = "forbund", value: str = "respondents", *, exclude_negated: bool = False) -> CodeMatrix:
        """Codes × groups of ``by``.

        Parameters
        ----------
        by
            A column of the excerpts: ``"forbund"``, ``"roll"``, ``"kalla"`` ...
        value
            ``"excerpts"`` (number of excerpts), ``"respondents"`` (number of
            distinct respondents, each counted once per group however many
            excerpts they gave) or ``"share"`` (respondents raising the theme
            / all respondents in the group; excerpts when there is no
            respondent column).
        exclude_negated
            Leave out codings flagged as negated ("ingen samsyn").

        Returns
        -------
        CodeMatrix
            ``.table()`` is codes × groups; counts and shares based on fewer
            than ``min_count`` respondents are suppressed, and whole groups
            with fewer than ``min_count`` members are suppressed.
        """
        if value not in _VALUES:
            raise ValueError(f"value ska vara en av {_VALUES}, fick {value!r}.")
        self._check_col(by, "matrix")
        if value == "respondents" and not self.respondent_col:
            raise SchemaError("matrix(value='respondents') kräver en respondentkolumn; använd value='excerpts'.")
        use_resp = value != "excerpts" and bool(self.respondent_col)
        unit_col = self.respondent_col if use_resp else self.id_col
        long = self.long[~self.long["negated"]] if exclude_negated else self.long
        ex = self.excerpts
        groups = [g for g in pd.unique(ex[by].dropna())]
        try:
            groups = sorted(groups)
        except TypeError:
            pass
        base = ex.groupby(by)[unit_col].nunique()
        cnt = long.groupby(["code", by])[unit_col].nunique() if len(long) else pd.Series(dtype=int)
        rows = []
        for c in self.codes:
            for g in groups:
                k = int(cnt.get((c, g), 0))
                b = int(base.get(g, 0))
                rows.append({"kod": c, "etikett": self.labels[c], by: g, "antal": k, "bas": b,
                             "andel": k / b if b else np.nan})
        raw = pd.DataFrame(rows)
        tidy = suppress_small(raw, ["antal"], base="bas", derived={"andel": "antal"})
        tidy.attrs["raw"] = raw
        unit = "respondenter" if use_resp else "utdrag"
        notes = [f"n = {self.n_excerpts} utdrag" + (f", {self.n_respondents} respondenter" if self.n_respondents else "")
                 + f"; {unit} räknas en gång per grupp.", _SHARE_NOTE if value == "share" else "", self._fallback_note]
        if exclude_negated:
            notes.append("Negerade kodningar är borttagna.")
        missing = int(ex[by].isna().sum())
        if missing:
            notes.append(f"{missing} utdrag saknar värde i kolumnen {by!r} och ingår inte i matrisen.")
        notes.append(tidy.attrs["suppression_note"])
        return CodeMatrix(tidy=tidy, by=by, value=value, unit=unit, codes=self.codes, groups=groups,
                          labels=self.labels, notes=[n for n in notes if n])

    def cooccurrence(self, measure: str = "count") -> Cooccurrence:
        """Codes × codes: excerpts carrying both codes (``"count"``) or the Jaccard index (``"jaccard"``).

        ``count`` is ``wide.T @ wide`` (the diagonal is each code's number of
        excerpts); Jaccard is that count over the excerpts with either code.
        """
        if measure not in ("count", "jaccard"):
            raise ValueError("measure ska vara 'count' eller 'jaccard'.")
        w = self.wide
        m = w.T @ w
        return Cooccurrence(counts=m, measure=measure, labels=self.labels,
                            notes=[f"n = {self.n_excerpts} utdrag.", suppression_note()])

    # -- quotes ------------------------------------------------------------------------
    def quotes(
        self,
        code: str,
        n: int = 3,
        by: str | None = None,
        *,
        exclude_negated: bool = False,
        min_chars: int = 40,
        max_chars: int = 400,
        random_state: int = 0,
    ) -> Quotes:
        """Choose ``n`` strong and varied quotes for ``code`` (``n`` per group when ``by`` is given).

        Candidates are ranked by score and by a length near the middle of
        ``min_chars``–``max_chars``; then quotes are taken greedily so that
        each new one comes from a respondent not yet quoted and, where
        possible, from a förbund (and role) not yet quoted. Ties are broken
        with ``random_state``, so the choice is reproducible.
        """
        if self.codebook is not None and code not in self.codebook:
            self.codebook.get(code)  # raises a clear CodebookError
        if by is not None:
            self._check_col(by, "quotes")
        sub = self.long[self.long["code"] == code]
        if exclude_negated:
            sub = sub[~sub["negated"]]
        sub = sub.copy()
        text = sub[self.text_col].astype(str)
        length = text.str.len()
        mid = (min_chars + max_chars) / 2
        length_fit = 1 - (np.abs(length - mid) / mid).clip(0, 1)
        length_fit[(length < min_chars) | (length > max_chars)] -= 0.5
        score = sub["score"].fillna(1.0)
        rng = np.random.default_rng(random_state)
        sub["_rank"] = score / max(score.max(), 1e-9) + 0.5 * length_fit + rng.uniform(0, 1e-3, len(sub))
        sub = sub.sort_values("_rank", ascending=False)

        def pick(frame: pd.DataFrame, k: int) -> list[int]:
            chosen: list[int] = []
            seen: dict[str, set] = {"resp": set(), "forbund": set(), "roll": set()}
            rc = self.respondent_col if self.respondent_col in frame else None
            while len(chosen) < min(k, len(frame)):
                best, best_val = None, -np.inf
                for idx, r in frame.iterrows():
                    if idx in chosen:
                        continue
                    val = r["_rank"]
                    if rc and r[rc] in seen["resp"]:
                        val -= 10  # a respondent is quoted twice only when no one else is left
                    if "forbund" in r and r["forbund"] in seen["forbund"]:
                        val -= 1
                    if "roll" in r and r["roll"] in seen["roll"]:
                        val -= 0.3
                    if val > best_val:
                        best, best_val = idx, val
                chosen.append(best)
                r = frame.loc[best]
                if rc:
                    seen["resp"].add(r[rc])
                for c in ("forbund", "roll"):
                    if c in r:
                        seen[c].add(r[c])
            return chosen

        if by is None:
            idx = pick(sub, n)
        else:
            idx = []
            for _, g in sub.groupby(by, sort=True):
                idx += pick(g, n)
        out = sub.loc[idx]
        keep = [self.id_col, self.text_col] + [c for c in ("forbund", "roll", "kalla") if c in out.columns]
        keep += ["score", "negated", "hedged"]
        if by and by not in keep:
            keep.insert(2, by)
        out = out[keep].reset_index(drop=True)
        label = self.labels.get(code, code)
        notes = [f"{len(out)} citat valda av {len(sub)} utdrag med temat."]
        if exclude_negated:
            notes.append("Negerade utdrag är uteslutna.")
        return Quotes(quotes=out, code=code, label=label, notes=notes)

    # -- prevalence ------------------------------------------------------------------
    def prevalence(self, by: str | None = None, *, exclude_negated: bool = False) -> Prevalence:
        """Respondents (or excerpts) raising each theme, share and the Swedish quantifier word.

        The quantifier follows :func:`finsam_eval.sv.quantifier` (samtliga,
        nästan alla, de allra flesta, de flesta, många, flera, några, ett
        fåtal, någon, ingen). Counts and shares below ``min_count`` are
        suppressed, and so is their quantifier word (it would reveal the count
        next to a shown base): it reads "färre än 5" instead.
        """
        unit_col = self.respondent_col or self.id_col
        unit = "respondenter" if self.respondent_col else "utdrag"
        long = self.long[~self.long["negated"]] if exclude_negated else self.long
        ex = self.excerpts
        if by is not None:
            self._check_col(by, "prevalence")
            groups = sorted(pd.unique(ex[by].dropna()))
        else:
            groups = [None]
        rows = []
        for g in groups:
            exg = ex if g is None else ex[ex[by] == g]
            lg = long if g is None else long[long[by] == g]
            total = int(exg[unit_col].nunique())
            for c in self.codes:
                k = int(lg.loc[lg["code"] == c, unit_col].nunique())
                r = {} if g is None else {by: g}
                r.update(kod=c, etikett=self.labels[c], antal=k, bas=total, andel=k / total if total else np.nan,
                         kvantifierare=quantifier(k, total) if total else "")
                rows.append(r)
        raw = pd.DataFrame(rows)
        tidy = suppress_small(raw, ["antal"], base="bas", derived={"andel": "antal"})
        # A word next to a suppressed count would give it away ("någon" = 1 of a known base).
        hidden = tidy.attrs["suppressed_mask"]["antal"].to_numpy(dtype=bool)
        if hidden.any():
            tidy["kvantifierare"] = tidy["kvantifierare"].astype(object)
            tidy.loc[hidden, "kvantifierare"] = f"färre än {tidy.attrs['suppression_threshold']}"
        notes = [f"Bas: {unit} i " + ("hela materialet" if by is None else f"varje {_display(by)}") + ".",
                 "Kvantifierarna följer rapportpraxis: samtliga > nästan alla > de allra flesta > de flesta > "
                 "många > flera > några > ett fåtal > någon (en person).",
                 tidy.attrs["suppression_note"], self._fallback_note]
        if exclude_negated:
            notes.insert(1, "Negerade kodningar är borttagna.")
        return Prevalence(tidy=tidy, by=by, unit=unit, notes=[n for n in notes if n])

    # -- agreement with reference codes -------------------------------------------------
    def compare(self, reference: CodingResult | str) -> CodeComparison:
        """Precision, recall and F1 per code against reference codes (e.g. coder A).

        ``reference`` is another :class:`CodingResult` on the same excerpts
        or the name of a column of the excerpts holding lists of code ids.
        """
        if isinstance(reference, str):
            ref = CodingResult.from_codes(self.excerpts, reference, self.codebook, text_col=self.text_col,
                                          id_col=self.id_col, respondent_col=self.respondent_col)
            name = reference
        else:
            ref, name = reference, reference.method
        a = self.wide
        b = ref.wide.reindex(index=a.index, columns=a.columns, fill_value=0)
        rows = []
        for c in a.columns:
            tp = int(((a[c] == 1) & (b[c] == 1)).sum())
            fp = int(((a[c] == 1) & (b[c] == 0)).sum())
            fn = int(((a[c] == 0) & (b[c] == 1)).sum())
            p = tp / (tp + fp) if tp + fp else np.nan
            r = tp / (tp + fn) if tp + fn else np.nan
            f1 = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else np.nan
            rows.append({"kod": c, "etikett": self.labels[c], "tp": tp, "fp": fp, "fn": fn,
                         "precision": p, "recall": r, "f1": f1})
        t = pd.DataFrame(rows)
        cmp = CodeComparison(tidy=t, reference=name, notes=[f"n = {len(a)} utdrag."])
        cmp.notes.append(f"Makro-F1 {fmt_num(cmp.macro_f1, 2)}, mikro-F1 {fmt_num(cmp.micro_f1, 2)}.")
        return cmp

    # -- exchange ------------------------------------------------------------------------
    def to_qdpx(self, path: Any, **kwargs: Any) -> Any:
        """Export as a REFI-QDA project (see :func:`finsam_eval.coding.refi.write_qdpx`)."""
        from .refi import write_qdpx

        return write_qdpx(self, path, **kwargs)


def attach_metadata(long: pd.DataFrame, excerpts: pd.DataFrame, id_col: str) -> pd.DataFrame:
    """Join excerpt metadata onto the long table by row position (``_pos``).

    Metadata columns whose names the long table already uses (``code``,
    ``score`` ...) get the prefix ``utdrag_`` instead of overwriting.
    """
    meta = excerpts.reset_index(drop=True).drop(columns=[id_col])
    clash = [c for c in meta.columns if c in long.columns]
    meta = meta.rename(columns={c: f"utdrag_{c}" for c in clash})
    meta["_pos"] = range(len(meta))
    return long.merge(meta, on="_pos", how="left").drop(columns="_pos")


def _as_code_list(val: Any) -> list[str]:
    if val is None:
        return []
    if isinstance(val, float) and np.isnan(val):
        return []
    if isinstance(val, str):
        parts = [p.strip() for p in val.replace(",", ";").split(";")]
        return [p for p in parts if p]
    if isinstance(val, (list, tuple, set, np.ndarray, pd.Series)):
        return [str(v).strip() for v in val if str(v).strip()]
    return [str(val)]
