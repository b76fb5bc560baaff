"""Automatic codes against reference (human) codes: precision, recall and F1 per code."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..results import ResultMixin
from ..sv import fmt_num

__all__ = ["CodeComparison"]


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
