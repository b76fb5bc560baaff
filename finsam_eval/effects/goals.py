"""Shares and goals as annual reports and evaluations present them.

A samordningsförbund's verksamhetsberättelse says "12 av 14 deltagare gick
vidare till arbete eller studier" and sets goals ("minst 40 % till arbete
eller studier"); an evaluation rates each insats against its goals as
"uppnått / delvis / ej". This module turns those into numbers with honest
uncertainty:

* :func:`andel` -- "12 av 14" with a Wilson interval; :func:`andelar` the
  same for several groups (per insats) at once;
* :func:`maluppfyllelse` -- a goal-attainment table (mål, indikator,
  målvärde, utfall, n) that judges each goal from its interval: *uppnått*
  when the whole interval lies on the right side of the target, *ej uppnått*
  when it lies wholly on the wrong side, *osäkert* otherwise;
* :func:`rating_matrix` -- the insats x criterion matrix of ratings
  (uppnått / delvis / ej) that evaluations use;
* :func:`share_change` -- before and after when only the two shares and the n
  of each year are published (Newcombe's interval for the difference, via
  :func:`~finsam_eval.effects.rates.compare_rates`).

Counts about persons below ``get_option("min_count")`` are masked in the
tables, and so is a share computed from a masked count (it would give the
count back); intervals, targets and judgements are kept.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .._config import get_option
from ..errors import MissingColumnError, SchemaError, UnknownLabelError
from ..sv import fmt_ci, fmt_num, fmt_pct
from .match import _Formatted
from .rates import RateComparison, _check_counts, _rate_axes, compare_rates, wilson_ci
from .rates import _count_label as _count_text
from .rates import _is_small as _small

__all__ = [
    "andel",
    "Share",
    "andelar",
    "Shares",
    "maluppfyllelse",
    "GoalAttainment",
    "rating_matrix",
    "RatingMatrix",
    "share_change",
    "VERDICTS",
    "RATINGS",
]

VERDICTS = ("uppnått", "osäkert", "ej uppnått")
RATINGS = ("uppnått", "delvis", "ej")
# verdict colours: Okabe-Ito bluish green, grey, vermillion (colour-blind safe; the text says it too)
_VERDICT_COLOURS = {"uppnått": "#009E73", "osäkert": "#999999", "ej uppnått": "#D55E00",
                    "delvis": "#E69F00", "ej": "#D55E00"}


def _marker() -> str:
    return get_option("suppressed_marker")


def _count_n(n: float) -> str:
    return _marker() if _small(n) else fmt_num(n, 0)


def _mask_counts(t: pd.DataFrame, x: str, n: str, share: str) -> pd.DataFrame:
    """Mask small counts and the share derived from them; intervals and targets stay."""
    from ..privacy import suppress_small

    return suppress_small(t, [x, n], derived={share: [x, n]})


# --------------------------------------------------------------------------- andel


@dataclass
class Share(_Formatted):
    """``x`` of ``n`` with a Wilson interval (see :func:`andel`)."""

    x: int
    n: int
    label: str
    alpha: float
    ci: tuple[float, float]
    source: str | None = None
    _decimals = {"andel": 1, "ki_nedre": 3, "ki_ovre": 3}

    @property
    def share(self) -> float:
        return self.x / self.n

    @property
    def title(self) -> str:
        return self.label

    @property
    def text(self) -> str:
        """``"12 av 14 (86 %)"``; small counts masked."""
        if _small(self.x) or _small(self.n):
            return _count_text(self.x, self.n)
        return f"{_count_text(self.x, self.n)} ({fmt_pct(self.share, 0)})"

    @property
    def caption(self) -> str:
        lvl = fmt_num(100 * (1 - self.alpha), 0)
        return f"{self.label}: {self.text}, {lvl} % KI {fmt_ci(*self.ci, 0, pct=True)} (Wilson)."

    @property
    def notes(self) -> list[str]:
        out = ["Wilsons intervall (score-intervall), som fungerar även för små n och för andelar nära 0 eller 100 %."]
        if _small(self.x) or _small(self.n):
            out.append("Intervallet redovisas även när antalet är för litet för att visas.")
        if self.source:
            out.append(f"Källa: {self.source}.")
        return out

    def table(self) -> pd.DataFrame:
        """One row: ``grupp``, ``antal``, ``n``, ``andel``, ``ki_nedre``, ``ki_ovre``."""
        t = pd.DataFrame([{"grupp": self.label, "antal": self.x, "n": self.n, "andel": self.share,
                           "ki_nedre": self.ci[0], "ki_ovre": self.ci[1]}])
        return _mask_counts(t, "antal", "n", "andel")

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        rows = pd.DataFrame([{"grupp": self.label, "lyckade": self.x, "n": self.n, "andel": self.share,
                              "ki_nedre": self.ci[0], "ki_ovre": self.ci[1]}])
        return _rate_axes(rows, kwargs.get("benchmark"), self.title, [self.caption], ax,
                          benchmark_label=kwargs.get("benchmark_label", "Jämförelse"))

    def __format__(self, spec: str) -> str:
        return self.text


def andel(x: int, n: int, *, label: str = "Andel", alpha: float = 0.05, source: str | None = None) -> Share:
    """A share as annual reports write it, ``"12 av 14"``, with a Wilson interval.

    Parameters
    ----------
    x, n
        How many of how many (whole numbers, ``0 <= x <= n``, ``n > 0``).
    label
        What is counted, shown as title ("Till arbete eller studier").
    alpha
        1 - confidence level.
    source
        Where the numbers come from (shown in the notes).

    Returns
    -------
    Share
        ``text`` ("12 av 14 (86 %)"), ``share``, ``ci``, ``.table()``,
        ``.plot()``, ``.summary()``.

    Raises
    ------
    SchemaError
        ``x`` or ``n`` not whole numbers, or ``x > n``.

    Examples
    --------
    >>> a = andel(12, 14, label="Till arbete eller studier")
    >>> a.text
    '12 av 14 (86\\xa0%)'
    >>> [round(v, 3) for v in a.ci]
    [0.601, 0.96]
    """
    _check_counts(x, n, f"andel({x}, {n}): ")
    if not 0 < alpha < 1:
        raise SchemaError(f"andel: alpha måste ligga mellan 0 och 1, fick {alpha!r}.")
    return Share(int(x), int(n), label, alpha, wilson_ci(int(x), int(n), alpha), source)


@dataclass
class Shares(_Formatted):
    """Several shares side by side, one per group (see :func:`andelar`)."""

    rows: pd.DataFrame  # grupp, antal, n, andel, ki_nedre, ki_ovre
    alpha: float
    label: str
    source: str | None = None
    _decimals = {"andel": 1, "ki_nedre": 3, "ki_ovre": 3}

    @property
    def title(self) -> str:
        return self.label

    @property
    def caption(self) -> str:
        parts = [f"{r['grupp']} {_count_text(r['antal'], r['n'])}" for _, r in self.rows.iterrows()]
        return f"{self.label}: " + ", ".join(parts) + f"; {fmt_num(100 * (1 - self.alpha), 0)} % KI (Wilson)."

    @property
    def notes(self) -> list[str]:
        out = ["Wilsons intervall (score-intervall) per grupp."]
        if self.table().attrs.get("n_suppressed"):
            out.append("Intervallen redovisas även där antalet är för litet för att visas.")
        if self.source:
            out.append(f"Källa: {self.source}.")
        return out

    def table(self) -> pd.DataFrame:
        return _mask_counts(self.rows, "antal", "n", "andel")

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        rows = self.rows.rename(columns={"antal": "lyckade"})
        return _rate_axes(rows, kwargs.get("benchmark"), self.title, [self.caption], ax,
                          benchmark_label=kwargs.get("benchmark_label", "Jämförelse"))


def andelar(
    table: pd.DataFrame,
    *,
    group: str = "insats",
    antal: str = "antal",
    n: str = "n",
    label: str = "Andel",
    alpha: float = 0.05,
    source: str | None = None,
) -> Shares:
    """Shares for several groups at once ("12 av 14" per insats), each with a Wilson interval.

    Parameters
    ----------
    table
        One row per group with the count ``antal`` and the base ``n``.
    group, antal, n
        Column names.

    Raises
    ------
    MissingColumnError
        A column is absent.
    SchemaError
        A count that is not a whole number between 0 and n; the message names
        the line (header = line 1).

    Examples
    --------
    >>> t = pd.DataFrame({"insats": ["Steget", "Unga in"], "antal": [12, 8], "n": [14, 20]})
    >>> andelar(t, label="Till arbete eller studier").table()[["grupp", "antal", "n"]].values.tolist()
    [['Steget', 12, 14], ['Unga in', 8, 20]]
    """
    missing = [c for c in (group, antal, n) if c not in table.columns]
    if missing:
        raise MissingColumnError(f"andelar: kolumnerna {missing} saknas; tabellen har {list(table.columns)}.")
    rows = []
    for i, (_, r) in enumerate(table.iterrows()):
        x, m = pd.to_numeric(pd.Series([r[antal], r[n]]), errors="coerce")
        if pd.isna(x) or pd.isna(m):
            raise SchemaError(f"andelar: rad {i + 2} saknar {antal!r} eller {n!r} (rad 1 = rubrikraden).")
        _check_counts(x, m, f"andelar, rad {i + 2}: ")
        lo, hi = wilson_ci(int(x), int(m), alpha)
        rows.append({"grupp": r[group], "antal": int(x), "n": int(m), "andel": x / m, "ki_nedre": lo, "ki_ovre": hi})
    return Shares(pd.DataFrame(rows), alpha, label, source)


# --------------------------------------------------------------------------- goals

_DIRECTIONS = {"minst": "minst", ">=": "minst", "hög": "minst", "hog": "minst", "öka": "minst", "oka": "minst",
               "högst": "högst", "hogst": "högst", "<=": "högst", "låg": "högst", "lag": "högst",
               "minska": "högst"}


@dataclass
class GoalAttainment(_Formatted):
    """Goals judged from their intervals (see :func:`maluppfyllelse`).

    Attributes
    ----------
    goals
        One row per goal: ``mal``, ``indikator``, ``malvarde``, ``riktning``,
        ``antal``, ``n``, ``utfall``, ``ki_nedre``, ``ki_ovre``,
        ``bedomning`` (uppnått / osäkert / ej uppnått).
    """

    goals: pd.DataFrame
    alpha: float
    notes_extra: list[str] = field(default_factory=list)
    source: str | None = None
    title: str = "Måluppfyllelse"
    _decimals = {"malvarde": 3, "utfall": 3, "ki_nedre": 3, "ki_ovre": 3}

    @property
    def counts(self) -> dict[str, int]:
        """How many goals got each verdict."""
        vc = self.goals["bedomning"].value_counts()
        return {v: int(vc.get(v, 0)) for v in VERDICTS}

    @property
    def caption(self) -> str:
        c = self.counts
        return (f"{len(self.goals)} mål: {c['uppnått']} uppnådda, {c['ej uppnått']} ej uppnådda och "
                f"{c['osäkert']} osäkra, bedömda från {fmt_num(100 * (1 - self.alpha), 0)} % KI (Wilson).")

    @property
    def notes(self) -> list[str]:
        out = ["Uppnått: hela konfidensintervallet ligger på rätt sida av målvärdet. Ej uppnått: hela intervallet "
               "ligger på fel sida. Osäkert: intervallet omfattar målvärdet, så underlaget räcker inte för att "
               "avgöra.",
               "Riktning 'minst': högre utfall är bättre; 'högst': lägre utfall är bättre."]
        out.extend(self.notes_extra)
        if self.table().attrs.get("n_suppressed"):
            out.append("Intervall och bedömning redovisas även där antalet är för litet för att visas.")
        if self.source:
            out.append(f"Källa: {self.source}.")
        return out

    column_labels = {"mal": "Mål", "indikator": "Indikator", "malvarde": "Målvärde", "riktning": "Riktning",
                     "utfall": "Utfall", "bedomning": "Bedömning"}

    def table(self) -> pd.DataFrame:
        return _mask_counts(self.goals, "antal", "n", "utfall")

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """Point and interval per goal, the goal's target as a vertical tick, colour and text by verdict."""
        from matplotlib.lines import Line2D

        from ..plots import decimal_comma, figure, finish, house_style

        t = self.table()
        k = len(t)
        with house_style():
            if ax is None:
                fig, ax = figure((6.3, 1.5 + 0.55 * k))
            else:
                fig = ax.figure
            y = np.arange(k)[::-1]
            for yi, (_, r), (_, raw) in zip(y, t.iterrows(), self.goals.iterrows()):
                col = _VERDICT_COLOURS[r["bedomning"]]
                p, lo, hi = 100 * raw["utfall"], 100 * r["ki_nedre"], 100 * r["ki_ovre"]
                ax.plot([lo, hi], [yi, yi], color=col, lw=2.2, solid_capstyle="butt")
                if pd.notna(r["utfall"]):
                    ax.plot([p], [yi], "o", color=col, ms=7)
                ax.plot([100 * r["malvarde"]] * 2, [yi - 0.32, yi + 0.32], color="black", lw=1.6)
                ax.annotate(r["bedomning"], (min(max(hi, 100 * r["malvarde"]), 100), yi), xytext=(6, 0),
                            textcoords="offset points",
                            va="center", fontsize=8, color=col if r["bedomning"] != "osäkert" else "#555555")
            ax.set_yticks(y)
            ax.set_yticklabels([f"{r['mal']} (mål: {r['riktning']} {fmt_pct(r['malvarde'], 0)})\n{r['indikator']}, "
                                f"{_count_text(raw['antal'], raw['n'])}"
                                for (_, r), (_, raw) in zip(t.iterrows(), self.goals.iterrows())], fontsize=8)
            ax.set_ylim(-0.7, k - 0.3)
            ax.set_xlim(0, 112)
            ax.set_xticks(range(0, 101, 20))
            ax.set_xlabel(f"Utfall (%) med {fmt_num(100 * (1 - self.alpha), 0)} % KI")
            ax.spines["left"].set_visible(False)
            ax.tick_params(axis="y", length=0)
            decimal_comma(ax, "x", percent=True)
            handles = [Line2D([], [], color="black", lw=1.6, label="Målvärde")] + [
                Line2D([], [], color=_VERDICT_COLOURS[v], marker="o", lw=2.2, label=v.capitalize())
                for v in VERDICTS if v in set(t["bedomning"])]
            ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.35 / max(k, 1) - 0.12),
                      ncol=len(handles), frameon=False, fontsize=8)
            fig.tight_layout(rect=(0, 0, 1, 0.93))
            finish(fig, title=self.title, note=[self.caption])
        return ax


def _verdict(lo: float, hi: float, target: float, direction: str) -> str:
    if direction == "minst":
        return "uppnått" if lo >= target else "ej uppnått" if hi < target else "osäkert"
    return "uppnått" if hi <= target else "ej uppnått" if lo > target else "osäkert"


def maluppfyllelse(
    goals: pd.DataFrame | list[dict[str, Any]],
    *,
    mal: str = "mal",
    indikator: str = "indikator",
    malvarde: str = "malvarde",
    antal: str | None = "antal",
    utfall: str | None = "utfall",
    n: str = "n",
    riktning: str | None = "riktning",
    alpha: float = 0.05,
    source: str | None = None,
) -> GoalAttainment:
    """A goal-attainment table that judges each goal from its confidence interval.

    Parameters
    ----------
    goals
        One row per goal (DataFrame or list of dicts) with the goal text
        ``mal``, the indicator ``indikator``, the target share ``malvarde``
        (0-1), the base ``n`` and the outcome as a count ``antal`` or a share
        ``utfall`` (0-1; then the count ``utfall * n`` is reconstructed and
        must be a whole number within half a percentage point). Optional
        ``riktning``: ``"minst"`` (default; higher is better) or
        ``"högst"`` (lower is better, e.g. avbrott).
    mal, indikator, malvarde, antal, utfall, n, riktning
        Column names.
    alpha
        1 - confidence level of the Wilson intervals.
    source
        Where the numbers come from.

    Returns
    -------
    GoalAttainment
        ``.table()`` with ``bedomning`` per goal: ``"uppnått"`` when the whole
        interval lies on the right side of the target, ``"ej uppnått"`` when it
        lies wholly on the wrong side, ``"osäkert"`` otherwise.

    Raises
    ------
    MissingColumnError
        A required column is absent.
    SchemaError
        A target or share outside 0-1, a count that does not fit ``n``, an
        unknown direction; the message names the row (first goal = row 2, as
        in a file with a header line).

    Examples
    --------
    >>> g = maluppfyllelse([
    ...     {"mal": "Arbete eller studier", "indikator": "till arbete/studier", "malvarde": 0.30,
    ...      "antal": 41, "n": 80},
    ...     {"mal": "Få avbrott", "indikator": "avbrutit", "malvarde": 0.20, "antal": 9, "n": 80,
    ...      "riktning": "högst"},
    ...     {"mal": "Hälsa", "indikator": "bättre hälsa", "malvarde": 0.50, "antal": 3, "n": 14},
    ... ])
    >>> g.table()["bedomning"].tolist()
    ['uppnått', 'osäkert', 'ej uppnått']
    """
    fn = "maluppfyllelse"
    df = pd.DataFrame(goals) if not isinstance(goals, pd.DataFrame) else goals
    if df.empty:
        raise SchemaError(f"{fn}: tabellen med mål är tom.")
    have_count = antal is not None and antal in df.columns
    have_share = utfall is not None and utfall in df.columns
    need = [mal, indikator, malvarde, n]
    missing = [c for c in need if c not in df.columns]
    if missing or not (have_count or have_share):
        what = missing + ([] if (have_count or have_share) else [f"{antal} eller {utfall}"])
        raise MissingColumnError(f"{fn}: kolumnerna {what} saknas; tabellen har {list(df.columns)}. Ange "
                                 "mal=..., indikator=..., malvarde=..., n=... och antal=... (antal) eller "
                                 "utfall=... (andel 0-1).")
    rows, notes = [], []
    for i, (_, r) in enumerate(df.iterrows()):
        line = i + 2
        where = f"{fn}: målet {str(r[mal])!r} (rad {line})"
        target = pd.to_numeric(pd.Series([r[malvarde]]), errors="coerce").iloc[0]
        if pd.isna(target) or not 0 <= target <= 1:
            raise SchemaError(f"{where}: målvärdet i {malvarde!r} ska vara en andel 0-1 (skriv 0.4, inte 40).")
        nn = pd.to_numeric(pd.Series([r[n]]), errors="coerce").iloc[0]
        if pd.isna(nn) or nn <= 0 or nn != int(nn):
            raise SchemaError(f"{where}: {n!r} ska vara ett heltal > 0 (antalet i underlaget); ett mål utan n kan "
                              "inte bedömas med intervall.")
        nn = int(nn)
        x = pd.to_numeric(pd.Series([r[antal]]), errors="coerce").iloc[0] if have_count else np.nan
        if pd.isna(x):
            p = pd.to_numeric(pd.Series([r[utfall]]), errors="coerce").iloc[0] if have_share else np.nan
            if pd.isna(p):
                raise SchemaError(f"{where}: utfall saknas; ange {antal!r} (antal) eller {utfall!r} (andel 0-1).")
            if not 0 <= p <= 1:
                raise SchemaError(f"{where}: utfallet i {utfall!r} ska vara en andel 0-1 (skriv 0.45, inte 45).")
            x = round(p * nn)
            if abs(x / nn - p) > 0.005 + 1e-12:
                raise SchemaError(f"{where}: andelen {fmt_pct(p)} går inte att få med n = {nn} (närmast "
                                  f"{fmt_pct(x / nn)}); kontrollera andel och n.")
            notes.append(f"{r[mal]}: antalet ({fmt_num(x, 0) if not _small(x) else _marker()}) är beräknat från "
                         f"andelen {fmt_pct(p, 0)} och n = {fmt_num(nn, 0) if not _small(nn) else _marker()}.")
        if x != int(x) or not 0 <= x <= nn:
            raise SchemaError(f"{where}: antalet i {antal!r} ska vara ett heltal mellan 0 och n ({nn}).")
        x = int(x)
        d_raw = r[riktning] if riktning is not None and riktning in df.columns else None
        d_key = "minst" if d_raw is None or (not isinstance(d_raw, str) and pd.isna(d_raw)) else \
            str(d_raw).strip().lower()
        if d_key not in _DIRECTIONS:
            raise SchemaError(f"{where}: okänd riktning {str(d_raw)!r} i {riktning!r}; skriv 'minst' (högre är "
                              "bättre) eller 'högst' (lägre är bättre).")
        direction = _DIRECTIONS[d_key]
        lo, hi = wilson_ci(x, nn, alpha)
        rows.append({"mal": r[mal], "indikator": r[indikator], "malvarde": float(target), "riktning": direction,
                     "antal": x, "n": nn, "utfall": x / nn, "ki_nedre": lo, "ki_ovre": hi,
                     "bedomning": _verdict(lo, hi, float(target), direction)})
    return GoalAttainment(pd.DataFrame(rows), alpha, notes, source)


# --------------------------------------------------------------------------- rating matrix

_RATING_ALIASES = {"uppnått": "uppnått", "uppnatt": "uppnått", "ja": "uppnått", "helt": "uppnått",
                   "helt uppnått": "uppnått", "delvis": "delvis", "delvis uppnått": "delvis",
                   "delvis uppnatt": "delvis", "ej": "ej", "ej uppnått": "ej", "ej uppnatt": "ej", "nej": "ej",
                   "inte uppnått": "ej", "inte": "ej"}


@dataclass
class RatingMatrix(_Formatted):
    """Insatser x criteria with ratings uppnått / delvis / ej (see :func:`rating_matrix`)."""

    matrix: pd.DataFrame  # rows x criteria, values in RATINGS or None
    row_name: str
    source: str | None = None
    notes_extra: list[str] = field(default_factory=list)
    title: str = "Bedömning per insats"
    _decimals = 0

    @property
    def counts(self) -> pd.DataFrame:
        """Per row: how many criteria are uppnått, delvis, ej and not rated."""
        out = pd.DataFrame({r: (self.matrix == r).sum(axis=1) for r in RATINGS})
        out["ej_bedomt"] = self.matrix.isna().sum(axis=1)
        return out

    @property
    def caption(self) -> str:
        c = self.counts[list(RATINGS)].sum()
        rows = {"insats": "insatser", "projekt": "projekt", "forbund": "förbund"}.get(self.row_name, self.row_name)
        return (f"{len(self.matrix)} {rows} bedömda mot {self.matrix.shape[1]} kriterier: "
                f"{c['uppnått']} uppnått, {c['delvis']} delvis och {c['ej']} ej.")

    @property
    def notes(self) -> list[str]:
        return [*self.notes_extra, *([f"Källa: {self.source}."] if self.source else [])]

    @property
    def column_labels(self) -> dict[str, str]:
        return {self.row_name: self.row_name.capitalize(), "antal_uppnatt": "Uppnått (antal)",
                "antal_delvis": "Delvis (antal)", "antal_ej": "Ej (antal)", "antal_ej_bedomt": "Ej bedömt (antal)"}

    def table(self) -> pd.DataFrame:
        """The matrix with one row per insats and the counts per rating at the end.

        The counts are criteria, not persons, so nothing is suppressed (the
        table says so with an empty suppression mask).
        """
        t = self.matrix.copy()
        t = t.where(t.notna(), "")
        t = pd.concat([t, self.counts.rename(columns={"uppnått": "antal_uppnatt", "delvis": "antal_delvis",
                                                      "ej": "antal_ej", "ej_bedomt": "antal_ej_bedomt"})], axis=1)
        t = t.rename_axis(self.row_name).reset_index()
        t.attrs["suppressed_mask"] = pd.DataFrame(False, index=t.index, columns=t.columns)
        t.attrs["n_suppressed"] = 0
        return t

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """Coloured grid with the rating written in each cell."""
        from matplotlib.patches import Patch, Rectangle

        from ..plots import figure, finish, house_style

        m = self.matrix
        nr, nc = m.shape
        with house_style():
            if ax is None:
                fig, ax = figure((6.3, 1.6 + 0.45 * nr))
            else:
                fig = ax.figure
            for i, (_, row) in enumerate(m.iterrows()):
                for j, v in enumerate(row):
                    colour = _VERDICT_COLOURS.get(v, "#FFFFFF") if isinstance(v, str) else "#FFFFFF"
                    ax.add_patch(Rectangle((j, nr - 1 - i), 1, 1, facecolor=colour, edgecolor="white", lw=2,
                                           alpha=0.85 if isinstance(v, str) else 1))
                    ax.text(j + 0.5, nr - 0.5 - i, v if isinstance(v, str) else "–", ha="center", va="center",
                            fontsize=8, color="white" if v in ("uppnått", "ej") else "black")
            ax.set_xlim(0, nc)
            ax.set_ylim(0, nr)
            ax.set_xticks(np.arange(nc) + 0.5)
            ax.set_xticklabels([str(c) for c in m.columns], fontsize=8)
            ax.xaxis.tick_top()
            ax.set_yticks(np.arange(nr) + 0.5)
            ax.set_yticklabels([str(r) for r in m.index[::-1]], fontsize=8)
            ax.tick_params(length=0)
            for s in ax.spines.values():
                s.set_visible(False)
            ax.legend(handles=[Patch(color=_VERDICT_COLOURS[r], label=r.capitalize()) for r in RATINGS],
                      loc="upper center", bbox_to_anchor=(0.5, -0.02), ncol=3, frameon=False, fontsize=8)
            fig.tight_layout(rect=(0, 0.02, 1, 0.9))
            finish(fig, title=self.title, note=[self.caption])
        return ax


def rating_matrix(
    ratings: pd.DataFrame,
    *,
    row: str = "insats",
    criterion: str = "kriterium",
    rating: str = "bedomning",
    criteria: list[str] | None = None,
    source: str | None = None,
) -> RatingMatrix:
    """The insats x criterion matrix of ratings (uppnått / delvis / ej) evaluations use.

    Parameters
    ----------
    ratings
        Long table, one row per (insats, kriterium) with the rating. Ratings
        are read case-insensitively; "ej uppnått", "nej", "delvis uppnått",
        "helt" and "ja" are accepted and written as uppnått / delvis / ej.
        An empty rating means not rated and is shown as "–".
    row, criterion, rating
        Column names.
    criteria
        Order of the criteria columns (default: as they first appear).

    Returns
    -------
    RatingMatrix

    Raises
    ------
    MissingColumnError
        A column is absent.
    UnknownLabelError
        A rating outside uppnått / delvis / ej; the message lists the lines
        (header = line 1) and the valid ratings.
    SchemaError
        The same insats and criterion rated twice.

    Examples
    --------
    >>> r = pd.DataFrame({"insats": ["Steget", "Steget", "Unga in", "Unga in"],
    ...                   "kriterium": ["Målgrupp nådd", "Arbete/studier"] * 2,
    ...                   "bedomning": ["uppnått", "delvis", "Ej uppnått", "uppnått"]})
    >>> rating_matrix(r).matrix
    kriterium Målgrupp nådd Arbete/studier
    insats
    Steget          uppnått         delvis
    Unga in              ej        uppnått
    """
    from ..errors import describe_rows

    fn = "rating_matrix"
    missing = [c for c in (row, criterion, rating) if c not in ratings.columns]
    if missing:
        raise MissingColumnError(f"{fn}: kolumnerna {missing} saknas; tabellen har {list(ratings.columns)}. "
                                 "Ange row=..., criterion=... och rating=....")
    raw = ratings[rating]
    empty = raw.isna() | (raw.astype(str).str.strip() == "")
    norm = raw.astype(str).str.strip().str.lower().map(_RATING_ALIASES)
    bad = norm.isna() & ~empty
    if bad.any():
        pos = np.nonzero(bad.to_numpy())[0]
        raise UnknownLabelError(f"{fn}: kolumnen {rating!r} har okända bedömningar på {describe_rows(pos + 2)}; "
                                f"giltiga är {', '.join(RATINGS)} (även 'ej uppnått', 'delvis uppnått').")
    dup = ratings.duplicated([row, criterion])
    if dup.any():
        pos = np.nonzero(dup.to_numpy())[0]
        raise SchemaError(f"{fn}: samma {row} och {criterion} är bedömda flera gånger ({describe_rows(pos + 2)}); "
                          "en bedömning per par.")
    long = pd.DataFrame({row: ratings[row].to_numpy(), criterion: ratings[criterion].to_numpy(),
                         "v": norm.where(~empty, None).to_numpy()})
    cols = criteria or list(dict.fromkeys(long[criterion].tolist()))
    rows_order = list(dict.fromkeys(long[row].tolist()))
    m = long.pivot(index=row, columns=criterion, values="v").reindex(index=rows_order, columns=cols)
    m = m.astype(object).where(m.notna(), None)
    notes = []
    recoded = int((raw.astype(str).str.strip() != norm.fillna("")).sum() - empty.sum())
    if recoded:
        notes.append(f"{recoded} bedömningar skrivna på annat sätt (t.ex. 'Ej uppnått') har lästs som "
                     "uppnått / delvis / ej.")
    if int(empty.sum()):
        notes.append(f"{int(empty.sum())} par utan bedömning visas som '–'.")
    return RatingMatrix(m, row, source, notes)


# --------------------------------------------------------------------------- before / after from shares


def share_change(
    before: tuple[float, int],
    after: tuple[float, int],
    *,
    labels: tuple[str, str] = ("Före", "Efter"),
    alpha: float = 0.05,
    tolerance: float = 0.005,
) -> RateComparison:
    """Before and after when only the two shares and the n of each year are published.

    The counts are reconstructed (``round(share * n)``; the share must follow
    from a whole count within ``tolerance``, half a percentage point by
    default, i.e. shares rounded to whole percent), the difference gets
    Newcombe's hybrid score interval (method 10) and the test is chi-square or
    Fisher via :func:`~finsam_eval.effects.rates.compare_rates`. The years are
    treated as independent groups (different or unknown persons).

    Parameters
    ----------
    before, after
        ``(share, n)``, share 0-1.
    labels
        Names of the two times.

    Returns
    -------
    RateComparison
        ``difference`` is after minus before.

    Examples
    --------
    >>> r = share_change((0.45, 120), (0.58, 131), labels=("2023", "2024"))
    >>> round(r.difference, 3), [round(v, 3) for v in r.diff_ci]
    (0.13, [0.007, 0.248])
    """
    xs = []
    for (p, n), lab in ((before, labels[0]), (after, labels[1])):
        if n != int(n) or n <= 0:
            raise SchemaError(f"share_change: n för {lab} ska vara ett heltal > 0, fick {n!r}.")
        if not 0 <= p <= 1:
            raise SchemaError(f"share_change: andelen för {lab} ska ligga mellan 0 och 1 (skriv 0.45, inte 45), "
                              f"fick {p!r}.")
        x = round(p * n)
        if abs(x / n - p) > tolerance + 1e-12:
            raise SchemaError(f"share_change: andelen {fmt_pct(p)} för {lab} går inte att få med n = {int(n)} "
                              f"(närmast {fmt_pct(x / n)}); kontrollera andel och n.")
        xs.append(int(x))
    r = compare_rates(xs[1], int(after[1]), xs[0], int(before[1]), labels=(labels[1], labels[0]), alpha=alpha)
    r.extra_notes.append(
        f"Antalen är beräknade från de publicerade andelarna och n ({labels[0]}: {fmt_pct(before[0], 0)} av "
        f"{_count_n(before[1])}, {labels[1]}: {fmt_pct(after[0], 0)} av {_count_n(after[1])}). Åren behandlas "
        "som oberoende grupper; Newcombes intervall för skillnaden.")
    return r
