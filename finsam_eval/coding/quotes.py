"""Quotes for a code: strong, varied, each text once (:class:`Quotes`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..results import ResultMixin

__all__ = ["Quotes", "text_key", "rank_candidates", "pick_varied"]


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


def text_key(text: Any) -> str:
    """The form under which two quotes count as the same text (case, spaces and end punctuation ignored).

    Examples
    --------
    >>> text_key("  Vi har  samsyn. ") == text_key("vi har samsyn")
    True
    """
    s = " ".join(str(text).split()).lower()
    return s.rstrip(".!?…,;: ")


def rank_candidates(sub: pd.DataFrame, text_col: str, *, min_chars: int, max_chars: int,
                    random_state: int) -> pd.DataFrame:
    """Order candidate quotes by score and by a length near the middle of ``min_chars``–``max_chars``."""
    sub = sub.copy()
    length = sub[text_col].astype(str).str.len()
    mid = (min_chars + max_chars) / 2
    length_fit = 1 - (np.abs(length - mid) / mid).clip(0, 1)
    length_fit[(length < min_chars) | (length > max_chars)] -= 0.5
    score = sub["score"].astype(float).fillna(1.0) if "score" in sub else pd.Series(1.0, index=sub.index)
    rng = np.random.default_rng(random_state)
    sub["_rank"] = score / max(float(score.max()) if len(score) else 1.0, 1e-9) + 0.5 * length_fit \
        + rng.uniform(0, 1e-3, len(sub))
    return sub.sort_values("_rank", ascending=False)


def pick_varied(frame: pd.DataFrame, k: int, *, text_col: str, respondent_col: str | None,
                taken: set[str] | None = None) -> list[Any]:
    """Greedy choice of ``k`` rows: a new respondent first, then a new förbund and role; each text once.

    ``taken`` holds the :func:`text_key` of texts already quoted (under
    another group); it is updated, so the same words are never quoted twice.
    """
    taken = set() if taken is None else taken
    chosen: list[Any] = []
    seen: dict[str, set] = {"resp": set(), "forbund": set(), "roll": set()}
    rc = respondent_col if respondent_col and respondent_col in frame else None
    keys = {idx: text_key(t) for idx, t in zip(frame.index, frame[text_col])}
    while len(chosen) < k:
        best, best_val = None, -np.inf
        for idx, r in frame.iterrows():
            if idx in chosen or keys[idx] in taken:
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
        if best is None:
            break
        chosen.append(best)
        taken.add(keys[best])
        r = frame.loc[best]
        if rc:
            seen["resp"].add(r[rc])
        for c in ("forbund", "roll"):
            if c in r:
                seen[c].add(r[c])
    return chosen
