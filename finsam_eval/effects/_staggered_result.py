"""The result object of :func:`~finsam_eval.effects.staggered.staggered_did`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..results import Exclusions, ResultMixin
from ..sv import fmt_ci, fmt_num
from .inference import comma_axis, p_text, summary_text

__all__ = ["StaggeredResult", "AGG_NAMES"]

#: Swedish names of the four aggregations (R ``aggte`` types).
AGG_NAMES = {
    "group": "totalt (kohortviktat)",
    "simple": "totalt (alla celler)",
    "dynamic": "totalt (medel över tid sedan start)",
    "calendar": "totalt (medel över kalenderperioder)",
}
_METHOD_NAMES = {"dr": "dubbelt robust", "ipw": "inverst sannolikhetsviktad", "reg": "utfallsregression"}


def _lab(g: Any) -> str:
    return str(int(g)) if isinstance(g, float | np.floating) and float(g).is_integer() else str(g)


@dataclass
class StaggeredResult(ResultMixin):
    """Group-time effects and their aggregations (Callaway & Sant'Anna).

    Attributes
    ----------
    attgt
        One row per cohort and period: ``grupp``, ``period``, ``event_time``,
        ``estimat``, ``se``, ``ci_lag``, ``ci_hog``, ``p``, ``efter`` (post
        period), ``n_grupp``, ``n_kontroll``.
    influence
        Influence function of every ATT(g,t) cell, shape (units, cells).
    aggregates
        ``{"group", "simple", "dynamic", "calendar"}`` → ``{"estimat",
        "se", "ci", "p", "se_analytic"}``: the overall number of each R
        ``aggte`` type (cohort-weighted mean of the cohort effects; all post
        cells weighted by cohort size; mean of the event-time effects
        ``e >= 0``; mean of the calendar-period effects).
    overall
        The aggregation chosen with ``aggregate=`` (default ``"group"``).
    simple, dynamic_overall
        Shortcuts to ``aggregates["simple"]`` and ``aggregates["dynamic"]``.
    dynamic, by_group, calendar
        Effects by time since start, by start cohort and by calendar period.
    pretest
        ``{"W", "df", "p"}``: Wald test that all pre-period cells are zero
        (as printed by R ``summary(att_gt(...))``), with the analytic
        covariance.
    """

    outcome: str
    attgt: pd.DataFrame
    aggregates: dict[str, dict[str, Any]]
    aggregate: str
    dynamic: pd.DataFrame
    by_group: pd.DataFrame
    calendar: pd.DataFrame
    control: str
    est_method: str
    data_kind: str  # "panel", "unbalanced" or "rc"
    n_units: int
    n_treated: int
    n_control: int
    n_clusters: int
    n_boot: int
    alpha: float
    cband: bool
    bstrap: bool
    pretest: dict[str, Any] = field(default_factory=dict)
    time_label: str = "Kvartal i förhållande till start"
    notes: list[str] = field(default_factory=list)
    exclusions: Exclusions = field(default_factory=Exclusions)
    influence: np.ndarray | None = field(default=None, repr=False)
    labels: dict[Any, str] = field(default_factory=dict)
    base_period: str = "varying"
    dynamic_influence: np.ndarray | None = field(default=None, repr=False)

    # The event-study interface (coefficients, vcov, ref) that honest_did() reads.
    ref: int = -1

    @property
    def coefficients(self) -> pd.DataFrame:
        """Effects by time since start (the dynamic table), for :func:`~finsam_eval.effects.honest.honest_did`."""
        return self.dynamic

    @property
    def vcov(self) -> np.ndarray | None:
        """Analytic covariance of the dynamic effects except the reference ``e = -1`` (clustered if
        ``cluster=``), from their influence functions as R ``did``'s HonestDiD route does. Only with
        ``base_period="universal"``: with a varying base the pre-period effects are not an event study
        relative to one reference period, and ``None`` is returned."""
        if self.base_period != "universal" or self.dynamic_influence is None:
            return None
        keep = (self.dynamic["event_time"] != self.ref).to_numpy()
        inf = self.dynamic_influence[:, keep]
        n = self.n_units
        return inf.T @ inf / n**2

    @property
    def overall(self) -> dict[str, Any]:
        return self.aggregates[self.aggregate]

    @property
    def simple(self) -> dict[str, Any]:
        return self.aggregates["simple"]

    @property
    def dynamic_overall(self) -> dict[str, Any]:
        return self.aggregates["dynamic"]

    @property
    def se_analytic(self) -> np.ndarray:
        """Analytic standard errors of the ATT(g,t) cells, ``sqrt(sum psi^2) / n`` (no bootstrap)."""
        return np.sqrt((self.influence**2).sum(axis=0)) / self.influence.shape[0]

    @property
    def att(self) -> float:
        return float(self.overall["estimat"])

    @property
    def se(self) -> float:
        return float(self.overall["se"])

    @property
    def ci(self) -> tuple[float, float]:
        return self.overall["ci"]

    @property
    def pvalue(self) -> float:
        return float(self.overall["p"])

    @property
    def title(self) -> str:
        from ..sv import label_lower

        return f"Effekt på {label_lower(self.outcome)} vid stegvis start (Callaway och Sant'Anna)"

    def _controls(self) -> str:
        return "aldrig behandlade" if self.control == "never" else "aldrig eller ännu inte behandlade"

    @property
    def caption(self) -> str:
        o = self.overall
        lvl = round(100 * (1 - self.alpha))
        what = {"group": "Genomsnittlig effekt", "simple": "Genomsnittlig effekt över alla celler",
                "dynamic": "Genomsnittlig effekt över tid sedan start",
                "calendar": "Genomsnittlig effekt över kalenderperioder"}[self.aggregate]
        tail = f"{fmt_num(self.n_treated, 0)} behandlade och {fmt_num(self.n_control, 0)} {self._controls()} enheter."
        if not np.isfinite(o["estimat"]):
            return f"{what} kunde inte skattas (inga celler efter start i det valda urvalet); {tail}"
        if np.isfinite(o["se"]):
            stat = f"{lvl} % KI {fmt_ci(*o['ci'], 3)}, {p_text(o['p'])}"
        else:
            stat = "standardfelet kunde inte skattas"
        return f"{what} {fmt_num(o['estimat'], 3)}, {stat}; {tail}"

    def summary(self) -> str:
        from ..sv import fmt_quarter

        t = self.table()
        for c in ("grupp", "period"):  # period labels, not numbers with thousands separators ("2 004")
            t[c] = [("" if pd.isna(v) else fmt_quarter(self.labels.get(v, _lab(v)))) for v in t[c]]
        return summary_text(self, t)

    def table(self, kind: str = "all") -> pd.DataFrame:
        """Tidy estimates: ``kind`` is ``"all"`` (overall numbers, by cohort, by event time, by calendar
        period), ``"dynamic"``, ``"group"``, ``"calendar"`` or ``"attgt"``. Cells resting on fewer than
        ``min_count`` treated units are masked."""
        from ..privacy import suppress_small

        derived = ["estimat", "se", "ci_lag", "ci_hog", "p"]
        if kind == "attgt":
            t = self.attgt
        elif kind == "dynamic":
            t = self.dynamic
        elif kind == "group":
            t = self.by_group
        elif kind == "calendar":
            t = self.calendar
        elif kind == "all":
            rows = []
            for key, name in AGG_NAMES.items():
                d = self.aggregates[key]
                rows.append({"aggregering": name, "grupp": np.nan, "event_time": np.nan, "period": np.nan,
                             "estimat": d["estimat"], "se": d["se"], "ci_lag": d["ci"][0], "ci_hog": d["ci"][1],
                             "p": d["p"], "n_behandlade": self.n_treated})
            g = self.by_group.assign(aggregering="startkohort", event_time=np.nan, period=np.nan)
            e = self.dynamic.assign(aggregering="tid sedan start", grupp=np.nan, period=np.nan)
            c = self.calendar.assign(aggregering="kalenderperiod", grupp=np.nan, event_time=np.nan)
            cols = ["aggregering", "grupp", "event_time", "period", "estimat", "se", "ci_lag", "ci_hog", "p",
                    "n_behandlade"]
            t = pd.concat([pd.DataFrame(rows)[cols], g[cols], e[cols], c[cols]], ignore_index=True)
        else:
            raise ValueError(f"Okänt kind={kind!r}: välj 'all', 'dynamic', 'group', 'calendar' eller 'attgt'.")
        base = "n_grupp" if "n_grupp" in t.columns else "n_behandlade"
        return suppress_small(t.reset_index(drop=True), counts=[base], base=base,
                              row_derived=[c for c in derived if c in t.columns])

    def plot(self, ax: Any = None, *, kind: str = "dynamic", title: str | None = None, min_e: int | None = None,
             max_e: int | None = None, **kwargs: Any) -> Any:
        """Effects by time since start (``kind="dynamic"``, optionally only ``min_e..max_e``), by start
        cohort (``"group"``) or by calendar period (``"calendar"``), with their bands."""
        from ..plots import categorical, figure, finish

        fig, ax = figure("full") if ax is None else (ax.figure, ax)
        cols = categorical(2)
        band = "simultana" if self.cband else "punktvisa"
        lvl = round(100 * (1 - self.alpha))
        if kind in ("dynamic", "calendar"):
            xcol = "event_time" if kind == "dynamic" else "period"
            d = self.table(kind).dropna(subset=["estimat"])
            if kind == "dynamic":
                lo = -np.inf if min_e is None else min_e
                hi = np.inf if max_e is None else max_e
                d = d[(d[xcol] >= lo) & (d[xcol] <= hi)]
                pre = d[xcol] < 0
                parts = [(pre, cols[0], "Före start"), (~pre, cols[1], "Efter start")]
            else:
                parts = [(np.ones(len(d), dtype=bool), cols[1], "Behandlade kohorter")]
            for mask, c, lab in parts:
                s = d[mask]
                ax.errorbar(s[xcol], s["estimat"], yerr=[s["estimat"] - s["ci_lag"], s["ci_hog"] - s["estimat"]],
                            fmt="o", color=c, ecolor=c, elinewidth=1.2, capsize=2.5, ms=4, label=lab)
            if kind == "dynamic":
                from ..plots import mark_start

                mark_start(ax, 0, text="Start")
                ax.set_xlabel(self.time_label)
                ev = d[xcol].astype(int).tolist()
                step = 1 if len(ev) <= 16 else (2 if len(ev) <= 32 else 4)
                ticks = [v for v in ev if v % step == 0]
                ax.set_xticks(ticks)
                ax.set_xticklabels([str(v).replace("-", "\u2212") for v in ticks])
                ax.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncol=2, fontsize=8)
            else:
                from ..plots import calendar_axis
                from ..sv import fmt_quarter

                ticks = d[xcol].tolist()
                if not calendar_axis(ax, {v: fmt_quarter(self.labels[v]) for v in ticks if v in self.labels}, ticks):
                    ax.set_xlabel("Period")
                    ax.set_xticks(ticks)
                    ax.set_xticklabels([self.labels.get(v, _lab(v)) for v in ticks])
            ax.set_ylabel("Skattad effekt")
            ax.axhline(0, color="#666666", lw=0.8)
            comma_axis(ax, "y")
        elif kind == "group":
            d = self.table("group").dropna(subset=["estimat"])
            y = np.arange(len(d))
            ax.errorbar(d["estimat"], y, xerr=[d["estimat"] - d["ci_lag"], d["ci_hog"] - d["estimat"]], fmt="o",
                        color=cols[1], capsize=2.5, ms=4)
            ax.set_yticks(y)
            from ..sv import fmt_quarter

            ax.set_yticklabels([f"Start {fmt_quarter(self.labels.get(g, _lab(g)))}" for g in d["grupp"]])
            ax.invert_yaxis()
            ax.axvline(0, color="#666666", lw=0.8)
            ax.set_xlabel("Skattad effekt")
            comma_axis(ax, "x")
        else:
            raise ValueError(f"Okänt kind={kind!r}: välj 'dynamic', 'group' eller 'calendar'.")
        se_txt = (f"multiplikatorbootstrap, {self.n_boot} dragningar" if self.bstrap
                  else "analytiska standardfel")
        note = (
            f"Callaway och Sant'Anna ({_METHOD_NAMES[self.est_method]}), {self._controls()} som jämförelsegrupp. "
            f"Staplar: {lvl}\u00a0% {band} konfidensband ({se_txt}). n\u00a0=\u00a0{fmt_num(self.n_treated, 0)} "
            f"behandlade och {fmt_num(self.n_control, 0)} i jämförelsegruppen."
        )
        o = self.overall
        if np.isfinite(o["estimat"]):
            note += f" Genomsnittlig effekt {fmt_num(o['estimat'], 3)}"
            note += f" {fmt_ci(*o['ci'], 3)}." if np.isfinite(o["se"]) else "."
        finish(fig, title=title, note=note)
        return ax
