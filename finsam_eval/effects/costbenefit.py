"""Cost per participant and a simple socio-economic estimate.

The estimate follows the reasoning used in förbund reports, made explicit:
participants who (because of the insats) leave public support ×
the years the effect lasts × the yearly cost of that support, discounted,
against the cost of the insats. Every assumption is listed in the output, and
a sensitivity table shows how the answer moves with the effect (e.g. its CI
bounds), the duration and the yearly cost. The break-even effect is the
effect at which the gain equals the cost.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..plots import GREY, OKABE_ITO, decimal_comma, figure, finish, house_style
from ..sv import fmt_num, fmt_pct, fmt_pp
from .match import _Formatted

__all__ = ["cost_per_participant", "socioeconomic_estimate", "CostPerParticipant", "SocioeconomicEstimate"]


def _kr(x: float) -> str:
    return f"{fmt_num(x, 0)} kr"


def _msek(x: float) -> str:
    return f"{fmt_num(x / 1e6, 1)} MSEK"


def _years(y: float) -> str:
    return f"{fmt_num(y, 0 if float(y).is_integer() else 1)} år"


@dataclass
class CostPerParticipant(_Formatted):
    """Cost per participant."""

    cost: float
    n: int
    label: str = "Insatsen"
    _decimals = {"kostnad_kr": 0, "kostnad_per_deltagare_kr": 0}

    @property
    def value(self) -> float:
        return self.cost / self.n

    @property
    def title(self) -> str:
        return f"{self.label}: kostnad per deltagare"

    @property
    def caption(self) -> str:
        return f"{_kr(self.cost)} för {fmt_num(self.n, 0)} deltagare: {_kr(self.value)} per deltagare."

    @property
    def notes(self) -> list[str]:
        return ["Kostnaden är den redovisade totalkostnaden; overhead och andra parters kostnader ingår bara om de "
                "ingår i den."]

    def table(self) -> pd.DataFrame:
        return pd.DataFrame([{"insats": self.label, "kostnad_kr": float(self.cost), "n_deltagare": int(self.n),
                              "kostnad_per_deltagare_kr": self.value}])

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        with house_style():
            if ax is None:
                fig, ax = figure("half")
            ax.barh([self.label], [self.value], color=OKABE_ITO[0])
            ax.set_xlabel("Kronor per deltagare")
            decimal_comma(ax, "x")
            finish(ax.figure, title=self.title, note=self.caption)
        return ax


def cost_per_participant(cost: float, n: int, *, label: str = "Insatsen") -> CostPerParticipant:
    """Cost per participant.

    Examples
    --------
    >>> round(cost_per_participant(6_000_000, 197).value)
    30457
    """
    if n <= 0:
        raise ValueError(f"Antalet deltagare måste vara > 0, fick {n}.")
    if cost < 0:
        raise ValueError(f"Kostnaden kan inte vara negativ, fick {cost}.")
    return CostPerParticipant(float(cost), int(n), label)


def _gain(effect: float, n: int, years: float, yearly: float, rate: float) -> float:
    """Discounted gain: effect × n × yearly cost, summed over the years (part-years pro rata)."""
    full = int(np.floor(years))
    factors = [1 / (1 + rate) ** t for t in range(full)]
    if years > full:
        factors.append((years - full) / (1 + rate) ** full)
    return float(effect * n * yearly * sum(factors))


@dataclass
class SocioeconomicEstimate(_Formatted):
    """Socio-economic estimate with its assumptions, sensitivity table and break-even effect."""

    effect: float
    n_participants: int
    duration_years: float
    yearly_cost_public_support: float
    cost: float
    discount_rate: float
    effect_range: tuple[float, ...]
    duration_range: tuple[float, ...]
    yearly_cost_range: tuple[float, ...]
    effect_label: str
    source_notes: list[str] = field(default_factory=list)
    _decimals = {"break_even_pe": 1, "personer": 1, "effekt_pe": 1, "ar": 1, "arlig_kostnad_kr": 0,
                 "vinst_msek": 1, "kostnad_msek": 1, "netto_msek": 1, "kvot": 2}

    #: Print headers: one unit per column, stated in the header.
    column_labels = {
        "ar": "Varaktighet (år)", "effekt_pe": "Effekt (procentenheter)", "personer": "Personer (antal)",
        "arlig_kostnad_kr": "Årlig kostnad per person (kr)", "vinst_msek": "Vinst (MSEK)",
        "kostnad_msek": "Kostnad (MSEK)", "netto_msek": "Netto (MSEK)", "kvot": "Vinst per krona",
        "break_even_pe": "Effekt för att gå jämnt ut (procentenheter)", "antagande": "Antagande",
        "varde": "Värde", "kalla": "Underlag",
    }

    @property
    def gain(self) -> float:
        return _gain(self.effect, self.n_participants, self.duration_years, self.yearly_cost_public_support,
                     self.discount_rate)

    @property
    def net(self) -> float:
        return self.gain - self.cost

    @property
    def persons(self) -> float:
        """Persons (expected) who leave public support because of the insats."""
        return self.effect * self.n_participants

    @property
    def break_even_effect(self) -> float:
        """The effect (share of participants) at which the discounted gain equals the cost."""
        return self._break_even(self.duration_years)

    def _break_even(self, years: float) -> float:
        unit = _gain(1.0, self.n_participants, years, self.yearly_cost_public_support, self.discount_rate)
        return self.cost / unit if unit > 0 else np.inf

    @property
    def horizons(self) -> tuple[float, ...]:
        """Every duration the result shows: the chosen one and those of the sensitivity table, sorted."""
        return tuple(sorted({float(self.duration_years), *self.duration_range}))

    def _net_at(self, years: float) -> float:
        return _gain(self.effect, self.n_participants, years, self.yearly_cost_public_support,
                     self.discount_rate) - self.cost

    @property
    def title(self) -> str:
        return "Samhällsekonomisk kalkyl"

    @property
    def caption(self) -> str:
        nets = "; ".join(f"{_years(y)} {_msek(self._net_at(y))}" for y in self.horizons)
        positive = [y for y in self.horizons if self._net_at(y) > 0]
        verdict = (f"Kalkylen går med överskott om effekten varar minst {_years(positive[0])}"
                   if positive else "Kalkylen går inte jämnt upp inom någon av de visade varaktigheterna")
        return (f"Med en effekt på {fmt_pp(self.effect)} (andelen av {fmt_num(self.n_participants, 0)} deltagare "
                f"som lämnar offentlig försörjning) och kostnaden {_msek(self.cost)} blir nettot, diskonterat, "
                f"om effekten varar {nets}. {verdict}.")

    @property
    def notes(self) -> list[str]:
        be = "; ".join(f"{_years(y)} {fmt_pp(self._break_even(y))}" for y in self.horizons)
        return [
            "Räkneexempel, inte en skattning av faktisk samhällsnytta. Antagandena och känslighetsanalysen "
            "redovisas i egna tabeller.",
            f"Effekt som krävs för att gå jämnt ut, om effekten varar {be}.",
            f"Årlig kostnad för offentlig försörjning {_kr(self.yearly_cost_public_support)} per person; "
            f"diskonteringsränta {fmt_pct(self.discount_rate)}.",
            *self.source_notes,
        ]

    def extra_tables(self) -> list[tuple[str, pd.DataFrame, dict[str, str]]]:
        """Tables the caption refers to, for a report: (caption, table, column labels).

        The report adds them right after the result, so the assumptions and
        the sensitivity analysis are always printed with the estimate.
        """
        sens = self.sensitivity()
        return [
            ("Antaganden bakom den samhällsekonomiska kalkylen.", self.assumptions(), self.column_labels),
            ("Känslighetsanalys: nettot för andra antaganden om effekt, varaktighet och årlig kostnad.",
             sens, self.column_labels),
        ]

    def assumptions(self) -> pd.DataFrame:
        """Every assumption of the calculation, one row each."""
        rows = [
            ("Effekt (andel av deltagarna som lämnar offentlig försörjning tack vare insatsen)",
             fmt_pp(self.effect), self.effect_label),
            ("Antal deltagare", fmt_num(self.n_participants, 0), "angivet"),
            ("Effektens varaktighet", f"{fmt_num(self.duration_years, 1)} år", "antagande"),
            ("Årlig kostnad för offentlig försörjning per person", _kr(self.yearly_cost_public_support),
             "antagande (t.ex. ca 500 000 kr per år för långvarigt stöd)"),
            ("Insatsens kostnad", _kr(self.cost), "angivet"),
            ("Diskonteringsränta", fmt_pct(self.discount_rate), "antagande"),
            ("Effekten är lika stor varje år och upphör sedan helt", "", "antagande"),
            ("Ingen undanträngning: platserna på arbetsmarknaden tas inte från andra", "", "antagande"),
            ("Personernas egna inkomster och skatter räknas inte in", "", "förenkling"),
        ]
        return pd.DataFrame(rows, columns=["antagande", "varde", "kalla"])

    def sensitivity(self) -> pd.DataFrame:
        """Net result over the grid of effects × durations × yearly costs (effect in procentenheter, money in MSEK)."""
        rows = []
        for e in self.effect_range:
            for y in self.duration_range:
                for c in self.yearly_cost_range:
                    g = _gain(e, self.n_participants, y, c, self.discount_rate)
                    rows.append({"effekt_pe": 100 * e, "ar": y, "arlig_kostnad_kr": c, "vinst_msek": g / 1e6,
                                 "kostnad_msek": self.cost / 1e6, "netto_msek": (g - self.cost) / 1e6,
                                 "kvot": g / self.cost if self.cost else np.inf})
        return pd.DataFrame(rows)

    def table(self) -> pd.DataFrame:
        """One row per varaktighet (every line of the figure): gain, cost and net in MSEK, break-even effect."""
        rows = []
        for y in self.horizons:
            g = _gain(self.effect, self.n_participants, y, self.yearly_cost_public_support, self.discount_rate)
            rows.append({"ar": y, "effekt_pe": 100 * self.effect, "personer": self.persons, "vinst_msek": g / 1e6,
                         "kostnad_msek": self.cost / 1e6, "netto_msek": (g - self.cost) / 1e6,
                         "kvot": g / self.cost if self.cost else np.inf,
                         "break_even_pe": 100 * self._break_even(y)})
        return pd.DataFrame(rows)

    def summary(self) -> str:
        from ..sv import reader_table

        return "\n\n".join([
            self.title, self.caption, reader_table(self.table(), self._decimals, labels=self.column_labels),
            "Antaganden:\n" + reader_table(self.assumptions(), labels=self.column_labels),
            "Känslighetsanalys:\n" + reader_table(self.sensitivity(), self._decimals, labels=self.column_labels),
            "\n".join(f"Not: {n}" for n in self.notes),
        ])

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """Net result against the effect, one line per duration, with the break-even point."""
        with house_style():
            if ax is None:
                fig, ax = figure("full")
            grid = np.linspace(0, max(max(self.effect_range), self.break_even_effect * 1.3, 0.01), 100)
            for i, y in enumerate(self.duration_range):
                net = [(_gain(e, self.n_participants, y, self.yearly_cost_public_support, self.discount_rate)
                        - self.cost) / 1e6 for e in grid]
                ax.plot(100 * grid, net, color=OKABE_ITO[i % 8], label=_years(y))
            ax.axhline(0, color=GREY, lw=0.8, ls="--")
            ax.axvline(100 * self.effect, color="#333333", lw=0.8)
            ax.annotate(f"Skattad effekt {fmt_pp(self.effect)}", (100 * self.effect, ax.get_ylim()[1]),
                        xytext=(3, -10), textcoords="offset points", fontsize=8)
            ax.set_xlabel("Effekt (procentenheter: andel av deltagarna som lämnar offentlig försörjning)")
            ax.set_ylabel("Netto (MSEK)")
            ax.legend(title="Varaktighet", loc="upper left")
            decimal_comma(ax, "both")
            ax.figure.tight_layout()
            finish(ax.figure, title=self.title, note=[self.caption])
        return ax


def socioeconomic_estimate(
    effect: float,
    n_participants: int,
    duration_years: float = 1.0,
    yearly_cost_public_support: float = 500_000,
    *,
    cost: float = 0.0,
    discount_rate: float = 0.035,
    effect_range: tuple[float, ...] | None = None,
    duration_range: tuple[float, ...] = (1.0, 3.0, 5.0),
    yearly_cost_range: tuple[float, ...] = (250_000, 500_000),
    effect_label: str = "angivet",
) -> SocioeconomicEstimate:
    """A simple socio-economic estimate: effect × participants × years × yearly cost, against the cost.

    Parameters
    ----------
    effect
        Effect as a share of participants (e.g. an ATT of 0,08 on
        arbete/studier: 8 of 100 participants leave public support).
    n_participants
        Participants the effect applies to.
    duration_years
        Years the effect lasts (part-years count pro rata).
    yearly_cost_public_support
        Yearly cost of public support per person (default 500 000 kr, a figure
        used for long-term benefit recipients).
    cost
        The cost of the insats (kr) for these participants.
    discount_rate
        Yearly discount rate (default 3,5 %, as in Swedish guidance on
        socio-economic analyses); year 1 is not discounted.
    effect_range
        Effects for the sensitivity table, e.g. the CI bounds; default the
        effect and half and 1,5 times it.
    duration_range, yearly_cost_range
        Durations and yearly costs for the sensitivity table.
    effect_label
        Where the effect comes from (shown in the table of assumptions).

    Returns
    -------
    SocioeconomicEstimate
        ``gain``, ``net``, ``break_even_effect``, ``assumptions()``,
        ``sensitivity()``, ``table()``, ``plot()``.

    Examples
    --------
    >>> s = socioeconomic_estimate(0.08, 197, 3, cost=6_000_000, discount_rate=0.0)
    >>> round(s.gain / 1e6, 2), round(s.break_even_effect, 4)
    (23.64, 0.0203)
    """
    if n_participants <= 0:
        raise ValueError(f"n_participants måste vara > 0, fick {n_participants}.")
    if duration_years <= 0:
        raise ValueError(f"duration_years måste vara > 0, fick {duration_years}.")
    if not -1 <= effect <= 1:
        raise ValueError(f"effect är en andel av deltagarna (-1 till 1), fick {effect} (skriv 0.08, inte 8).")
    if effect_range is None:
        effect_range = (0.5 * effect, effect, 1.5 * effect)
    return SocioeconomicEstimate(float(effect), int(n_participants), float(duration_years),
                                 float(yearly_cost_public_support), float(cost), float(discount_rate),
                                 tuple(float(e) for e in effect_range), tuple(float(y) for y in duration_range),
                                 tuple(float(c) for c in yearly_cost_range), effect_label)
