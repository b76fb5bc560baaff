"""Prevalence: how many interviewed people raise each theme, in numbers and in words."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .._config import get_option
from ..results import ResultMixin
from ..sv import fmt_num
from .matrix import _display, _heatmap, _pivot_masked

__all__ = ["Prevalence", "small_n_quantifier", "quantifier_table", "QUANTIFIER_RULES"]

#: How a count of interviewed people becomes a word (checked in this order).
#: Counts decide at small n, shares only for majorities, so that 2 of 10 is
#: "ett fåtal" (with share-based words "ett fåtal" needs at least 21 people).
QUANTIFIER_RULES: list[tuple[str, str]] = [
    ("ingen", "antal = 0"),
    ("samtliga", "antal = bas (bas minst 2)"),
    ("en", "antal = 1 (även 1 av 1)"),
    ("nästan alla", "andel minst 90 % och antal minst 3"),
    ("de allra flesta", "andel minst 80 % och antal minst 3"),
    ("de flesta", "andel över 50 %"),
    ("hälften", "andel exakt 50 % och antal minst 2"),
    ("ett fåtal", "antal 2–3 (och under hälften)"),
    ("några", "antal 4–5 (och under hälften)"),
    ("många", "antal minst 6 och andel minst 35 %"),
    ("flera", "antal minst 6 och andel under 35 %"),
]


def small_n_quantifier(count: int, total: int) -> str:
    """The Swedish quantifier word for ``count`` of ``total`` interviewed people, by counts at small n.

    The rules are :data:`QUANTIFIER_RULES` (table: :func:`quantifier_table`):
    one person is "en", two or three "ett fåtal", four or five "några",
    shares decide only above half ("de flesta", "de allra flesta", "nästan
    alla") and at exactly half ("hälften").

    Examples
    --------
    >>> [small_n_quantifier(k, 4) for k in range(5)]
    ['ingen', 'en', 'hälften', 'de flesta', 'samtliga']
    >>> small_n_quantifier(2, 10), small_n_quantifier(5, 20), small_n_quantifier(9, 20)
    ('ett fåtal', 'några', 'många')
    """
    if total <= 0:
        raise ValueError("small_n_quantifier: bas (antal intervjuade) måste vara större än 0.")
    if count < 0 or count > total:
        raise ValueError(f"small_n_quantifier: antal ({count}) ska ligga mellan 0 och basen ({total}).")
    share = count / total
    if count == 0:
        return "ingen"
    if count == total and total >= 2:
        return "samtliga"
    if count == 1:
        return "en"
    if share >= 0.9 and count >= 3:
        return "nästan alla"
    if share >= 0.8 and count >= 3:
        return "de allra flesta"
    if share > 0.5:
        return "de flesta"
    if share == 0.5:
        return "hälften"
    if count <= 3:
        return "ett fåtal"
    if count <= 5:
        return "några"
    return "många" if share >= 0.35 else "flera"


def quantifier_table(max_total: int = 12) -> pd.DataFrame:
    """The quantifier word for every count (rows) and number interviewed (columns), 1 to ``max_total``.

    For the method appendix: the reader sees which word stands for which
    count. Cells where the count exceeds the base are empty.

    Examples
    --------
    >>> t = quantifier_table(6)
    >>> t.loc[2].tolist()
    ['', 'samtliga', 'de flesta', 'hälften', 'ett fåtal', 'ett fåtal']
    >>> t.columns.name, t.index.name
    ('antal intervjuade', 'antal som tar upp temat')
    """
    if max_total < 1:
        raise ValueError("quantifier_table: max_total ska vara minst 1.")
    cols = list(range(1, max_total + 1))
    t = pd.DataFrame([[small_n_quantifier(k, n) if k <= n else "" for n in cols] for k in range(max_total + 1)],
                     index=range(max_total + 1), columns=cols)
    t.index.name = "antal som tar upp temat"
    t.columns.name = "antal intervjuade"
    t.attrs["suppression"] = "ej tillämplig"
    return t


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
        singular = {"respondenter": "respondent", "utdrag": "utdrag"}.get(self.unit, self.unit)
        definite = {"respondenter": "respondenterna", "utdrag": "utdragen"}.get(self.unit, self.unit)
        out = []
        for _, r in self.tidy.iterrows():
            where = f" i {r[self.by]}" if self.by else ""
            word = str(r["kvantifierare"])
            if word in ("en", "ingen"):
                who = f"{word} {singular}"
            elif word == "hälften":
                who = f"hälften av {definite}"
            else:
                who = f"{word} {self.unit}"
            out.append(f"{who[0].upper() + who[1:]}{where} tar upp {str(r['etikett']).lower()}.")
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
