"""Indices from several items, and how reliable they are.

:func:`scale_index` averages items into one index per respondent (flipping
reverse-coded items on the scale first) and :func:`cronbach_alpha` reports
internal consistency with Feldt's confidence interval, alpha if an item is
deleted and corrected item-rest correlations, as pingouin does.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import EstimationError, MissingColumnError
from ..results import Exclusions, ResultMixin
from ..sv import fmt_ci, fmt_num
from .scales import Scale, _line_numbers, get_scale

__all__ = ["scale_index", "cronbach_alpha", "CronbachAlphaResult", "item_matrix"]


def item_matrix(df: pd.DataFrame, items: Sequence[str], scale: Scale | str | None = None,
                reverse: Sequence[str] = (), *, exclusions: Exclusions | None = None) -> pd.DataFrame:
    """Numbers of the items (respondents x items), reverse-coded items flipped.

    With ``scale=None`` the columns must already be numeric; reverse coding then
    uses the observed minimum and maximum of all items.
    """
    missing = [c for c in [*items, *reverse] if c not in df.columns]
    if missing:
        raise MissingColumnError(f"Kolumnerna {missing} finns inte i data ({list(df.columns)}).")
    bad_rev = [r for r in reverse if r not in items]
    if bad_rev:
        raise MissingColumnError(f"Omvända frågor {bad_rev} finns inte bland items {list(items)}.")
    if scale is None:
        x = df[list(items)].apply(pd.to_numeric, errors="coerce").astype(float)
        lo, hi = np.nanmin(x.to_numpy()), np.nanmax(x.to_numpy())
        for r in reverse:
            x[r] = lo + hi - x[r]
        return x
    if isinstance(scale, str) and scale == "auto":
        from .infer import infer_scale

        sc = infer_scale(df, list(items))
    else:
        sc = get_scale(scale)
    # All items together: an alias may not put two different raw labels of the items on one level.
    matches = sc.resolve(pd.concat([df[c].astype(object) for c in items], ignore_index=True))
    x = pd.DataFrame({c: sc.to_numeric(df[c], exclusions=exclusions, column=c, matches=matches) for c in items},
                     index=df.index)
    for r in reverse:
        x[r] = sc.reverse_values(x[r])
    return x


def scale_index(
    df: pd.DataFrame,
    items: Sequence[str],
    scale: Scale | str | None = None,
    *,
    reverse: Sequence[str] = (),
    min_items: int | None = None,
    name: str = "index",
) -> pd.Series:
    """Mean of the items per respondent, on the scale's values.

    Parameters
    ----------
    df
        One row per respondent.
    items
        Item columns forming the index.
    scale
        Scale of the items (labels are converted with :meth:`Scale.to_numeric`;
        "Vet ej" counts as not answered). None: the columns are numeric.
    reverse
        Items worded the other way round; flipped as ``min + max - value``.
    min_items
        Fewest answered items for an index value (default: all items, except
        that with four or more items one may be missing).
    name
        Name of the returned Series.

    Returns
    -------
    pandas.Series
        The index, NaN where fewer than ``min_items`` items were answered.
        ``attrs['n_too_few']`` counts those respondents and
        ``attrs['exclusions']`` records them.

    Examples
    --------
    >>> df = pd.DataFrame({"a": ["Stämmer helt", "Stämmer inte alls"], "b": ["Stämmer inte alls", "Vet ej"]})
    >>> scale_index(df, ["a", "b"], "stammer5", reverse=["b"], min_items=1).tolist()
    [5.0, 1.0]
    """
    ex = Exclusions()
    x = item_matrix(df, items, scale, reverse, exclusions=ex)
    k = len(items)
    if min_items is None:
        min_items = k if k < 4 else k - 1
    answered = x.notna().sum(axis=1)
    idx = x.mean(axis=1).where(answered >= min_items)
    too_few = np.flatnonzero((answered < min_items).to_numpy())
    ex.add(f"färre än {min_items} av {k} frågor besvarade, inget indexvärde", len(too_few),
           rows=_line_numbers(df, too_few[:10]))
    idx.name = name
    idx.attrs["n_too_few"] = int(len(too_few))
    idx.attrs["min_items"] = int(min_items)
    idx.attrs["exclusions"] = ex
    return idx


@dataclass
class CronbachAlphaResult(ResultMixin):
    """Cronbach's alpha with Feldt's CI and item statistics.

    Attributes
    ----------
    alpha, ci_low, ci_high : float
    n : int
        Respondents used (complete answers on all items).
    k : int
        Number of items.
    items : pandas.DataFrame
        Per item: ``item``, ``mean``, ``sd``, ``r_item_rest`` (corrected
        item-total correlation) and ``alpha_if_deleted``.
    """

    alpha: float
    ci_low: float
    ci_high: float
    n: int
    k: int
    items: pd.DataFrame
    ci: float = 0.95
    exclusions: Exclusions = field(default_factory=Exclusions)
    title: str = "Intern konsistens (Cronbachs alfa)"
    item_labels: dict[str, str] = field(default_factory=dict)

    column_labels = {"item": "Fråga", "reversed": "Omvänd", "mean": "Medel", "sd": "SD",
                     "r_item_rest": "Korrelation med övriga", "alpha_if_deleted": "Alfa utan frågan"}

    def _text(self, item: str) -> str:
        from ..sv import label

        return label(item, self.item_labels)

    @property
    def caption(self) -> str:  # type: ignore[override]
        return (f"Cronbachs alfa = {fmt_num(self.alpha, 2)} {fmt_ci(self.ci_low, self.ci_high, 2)}, "
                f"{self.k} frågor, n = {self.n}.")

    @property
    def notes(self) -> list[str]:  # type: ignore[override]
        out = [f"{int(round(self.ci * 100))} % konfidensintervall enligt Feldt. Svarande med något obesvarat "
               "eller ”Vet ej” ingår inte."]
        if self.exclusions:
            # Each exclusion with its file lines belongs in the method appendix (``exclusions.describe()``).
            out.append(f"{self.exclusions.total} svar räknas inte (obesvarade frågor och svar utanför skalan).")
        if bool(self.items["reversed"].any()):
            out.append("Negativt formulerade frågor är vända innan alfa beräknas.")
        return out

    def table(self) -> pd.DataFrame:
        return self.items.copy()

    def summary(self) -> str:
        from ..sv import reader_table

        t = self.items.copy()
        t["item"] = t["item"].map(self._text)
        body = reader_table(t, {"mean": 2, "sd": 2, "r_item_rest": 2, "alpha_if_deleted": 2},
                            labels=self.column_labels, index=False)
        return "\n\n".join([self.title, self.caption, body,
                             "\n".join(f"Not: {x}" for x in self.notes)])

    def overall(self) -> pd.DataFrame:
        """One row: alpha, CI, n, k (pingouin's layout)."""
        return pd.DataFrame([{"alpha": self.alpha, "ci_low": self.ci_low, "ci_high": self.ci_high,
                              "n": self.n, "k": self.k}])

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """Alpha if item deleted per item, with the overall alpha as a line."""
        from ..plots import decimal_comma, figure

        if ax is None:
            _, ax = figure((6.3, 0.35 * self.k + 1.2))
        from ..sv import wrap_label

        t = self.items
        names = [self._text(i) + (" (vänd)" if r else "") for i, r in zip(t["item"], t["reversed"], strict=True)]
        ax.barh([wrap_label(n, 45) for n in names], t["alpha_if_deleted"], color="#0072B2", height=0.6)
        ax.axvline(self.alpha, color="#D55E00", linewidth=1, label=f"alfa = {fmt_num(self.alpha, 2)}")
        ax.invert_yaxis()
        ax.set_xlabel("Alfa om frågan tas bort")
        ax.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), frameon=False)
        decimal_comma(ax, "x")
        return ax


def _alpha(x: np.ndarray) -> float:
    k = x.shape[1]
    item_var = x.var(axis=0, ddof=1).sum()
    total_var = x.sum(axis=1).var(ddof=1)
    return float(k / (k - 1) * (1 - item_var / total_var))


def cronbach_alpha(
    df: pd.DataFrame,
    items: Sequence[str],
    scale: Scale | str | None = None,
    *,
    reverse: Sequence[str] = (),
    ci: float = 0.95,
    item_labels: Mapping[str, str] | pd.DataFrame | None = None,
) -> CronbachAlphaResult:
    """Cronbach's alpha of a set of items, with Feldt's confidence interval.

    Respondents with any item unanswered (or "Vet ej") are left out (listwise)
    and counted in ``exclusions``.

    Parameters
    ----------
    df, items, scale, reverse
        As in :func:`scale_index`.
    ci
        Confidence level.
    item_labels
        Question texts (``{item: text}`` or a table with ``item`` and
        ``text``) for the table and the figure; without them the labels set
        with :func:`finsam_eval.sv.set_labels`.

    Returns
    -------
    CronbachAlphaResult

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> f = rng.normal(size=200)
    >>> df = pd.DataFrame({f"q{i}": np.clip(np.round(3 + f + rng.normal(size=200)), 1, 5) for i in range(4)})
    >>> res = cronbach_alpha(df, ["q0", "q1", "q2", "q3"])
    >>> round(res.alpha, 2), res.n
    (0.81, 200)
    """
    ex = Exclusions()
    x = item_matrix(df, items, scale, reverse, exclusions=ex)
    incomplete = np.flatnonzero(x.isna().any(axis=1).to_numpy())
    ex.add("minst en fråga obesvarad eller 'Vet ej' (listvis bortfall)", len(incomplete),
           rows=_line_numbers(df, incomplete[:10]))
    xv = x.dropna().to_numpy(dtype=float)
    n, k = xv.shape
    if k < 2:
        raise EstimationError("Cronbachs alfa kräver minst två frågor.")
    if n < 3:
        raise EstimationError(f"För få fullständiga svar ({n}) för att beräkna Cronbachs alfa.")
    alpha = _alpha(xv)
    # Feldt (1965), as in pingouin.cronbach_alpha.
    df1, df2 = n - 1, (n - 1) * (k - 1)
    lo = 1 - (1 - alpha) * stats.f.isf((1 - ci) / 2, df1, df2)
    hi = 1 - (1 - alpha) * stats.f.isf(1 - (1 - ci) / 2, df1, df2)
    total = xv.sum(axis=1)
    rows = []
    for j, it in enumerate(items):
        rest = total - xv[:, j]
        r = np.corrcoef(xv[:, j], rest)[0, 1] if xv[:, j].std() > 0 and rest.std() > 0 else np.nan
        a_del = _alpha(np.delete(xv, j, axis=1)) if k > 2 else np.nan
        rows.append({"item": it, "reversed": it in reverse, "mean": xv[:, j].mean(), "sd": xv[:, j].std(ddof=1),
                     "r_item_rest": r, "alpha_if_deleted": a_del})
    from .summary import _item_labels

    return CronbachAlphaResult(alpha, float(lo), float(hi), int(n), int(k), pd.DataFrame(rows), ci=ci, exclusions=ex,
                               item_labels=_item_labels(item_labels))
