"""The contract every analysis result follows, and the exclusion report.

A result is a small dataclass that carries its numbers and knows how to show
them: ``.table()`` (a tidy DataFrame, suppressed for publication),
``.plot()`` (a matplotlib Axes or Figure in the house style), ``.summary()``
(text for people), ``_repr_html_`` (Jupyter) and the attributes ``title``,
``caption`` and ``notes`` (n, source, exclusions, suppression) that a report
uses without knowing which analysis made the result.

:class:`Exclusions` is how nothing gets lost: every loader and analysis that
leaves rows out records what, how many and which rows, and the record travels
on the result into the report's method appendix.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

__all__ = ["ResultMixin", "Exclusions", "Exclusion"]


def _shown(row: Any) -> str:
    """A row label for a note, masked if it is (or holds) a personnummer."""
    from .privacy.guard import MASK, holds_personnummer, mask_text

    return MASK if not isinstance(row, str) and holds_personnummer(row) else mask_text(str(row))


@dataclass(frozen=True)
class Exclusion:
    """One kind of exclusion or repair: why, how many rows, and which."""

    reason: str
    count: int
    rows: tuple[Any, ...] = ()
    column: str | None = None
    action: str = "exkluderad"  # or "reparerad", "omkodad", ...

    def __post_init__(self) -> None:
        # Notes travel into reports and messages: a personnummer in a reason, a
        # column name or a file name never survives (rows are masked when shown).
        from .privacy.guard import mask_text

        object.__setattr__(self, "reason", mask_text(self.reason))
        if isinstance(self.column, str):
            object.__setattr__(self, "column", mask_text(self.column))

    def describe(self, first: int = 5) -> str:
        where = f" i kolumnen {self.column!r}" if self.column else ""
        rows = ""
        if self.rows:
            shown = ", ".join(_shown(r) for r in self.rows[:first])
            more = f" och {len(self.rows) - first} till" if len(self.rows) > first else ""
            rows = f" (rad {shown}{more})"
        return f"{self.count} {self.action}: {self.reason}{where}{rows}"


@dataclass
class Exclusions:
    """What a step left out or repaired, kind by kind.

    Examples
    --------
    >>> ex = Exclusions()
    >>> ex.add("svaret 'Vet ej' räknas inte in i basen", 3, rows=[4, 9, 17], column="f1")
    >>> ex.total
    3
    >>> print(ex.describe())
    3 exkluderad: svaret 'Vet ej' räknas inte in i basen i kolumnen 'f1' (rad 4, 9, 17)
    """

    items: list[Exclusion] = field(default_factory=list)

    def add(
        self,
        reason: str,
        count: int,
        *,
        rows: Any = (),
        column: str | None = None,
        action: str = "exkluderad",
    ) -> None:
        """Record ``count`` rows left out (or repaired) for ``reason``; zero counts are skipped."""
        if count:
            # each file line once (a wide file turned long repeats its lines per period)
            self.items.append(Exclusion(reason, int(count), tuple(dict.fromkeys(rows)), column, action))

    def extend(self, other: Exclusions) -> None:
        self.items.extend(other.items)

    @property
    def total(self) -> int:
        """Rows excluded (repairs not counted)."""
        return sum(e.count for e in self.items if e.action == "exkluderad")

    def table(self) -> pd.DataFrame:
        """One row per kind of exclusion: reason, column, action, count, first rows.

        A log of the data work, not a table of persons: ``write_csv`` does not
        suppress its counts (``attrs["suppression"] = "ej tillämplig"``), like the
        report's method appendix.
        """
        out = pd.DataFrame(
            [
                {
                    "orsak": e.reason,
                    "kolumn": e.column,
                    "atgard": e.action,
                    "antal": e.count,
                    "rader": ", ".join(_shown(r) for r in e.rows[:10]),
                }
                for e in self.items
            ],
            columns=["orsak", "kolumn", "atgard", "antal", "rader"],
        )
        out.attrs["suppression"] = "ej tillämplig"
        return out

    def describe(self) -> str:
        return "\n".join(e.describe() for e in self.items) if self.items else "Inga exkluderingar."

    def __bool__(self) -> bool:
        return bool(self.items)

    def __len__(self) -> int:
        return len(self.items)


class ResultMixin:
    """Shared behaviour of result objects.

    Subclasses are dataclasses that implement :meth:`table` and :meth:`plot`
    and set ``title``, ``caption`` and ``notes`` (as fields or properties).
    ``summary()`` and ``_repr_html_`` come for free and can be overridden.
    """

    title: str = ""
    caption: str = ""
    notes: list[str]

    def table(self) -> pd.DataFrame:  # pragma: no cover - abstract
        raise NotImplementedError

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def _notes(self) -> list[str]:
        return list(getattr(self, "notes", None) or [])

    def summary(self) -> str:
        """Text for people: title, the table with Swedish number format, notes."""
        from .sv import reader_table

        t = self.table()
        labels = getattr(self, "column_labels", None)
        body = reader_table(t, labels=labels if isinstance(labels, dict) else None)
        parts = [self.title or type(self).__name__, body]
        notes = self._notes()
        if notes:
            parts.append("\n".join(f"Not: {n}" for n in notes))
        from .privacy.guard import mask_text

        return mask_text("\n\n".join(parts))  # printed and written (CLI sammanfattning.txt): never a personnummer

    def __str__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        from .sv import column_label, format_table

        t = self.table()
        labels = getattr(self, "column_labels", None)
        ft = format_table(t)
        ft.columns = [column_label(c, labels if isinstance(labels, dict) else None) for c in ft.columns]
        body = ft.to_html(index=not isinstance(t.index, pd.RangeIndex), border=0)
        notes = "".join(f"<li>{html.escape(n)}</li>" for n in self._notes())
        cap = f"<p><em>{html.escape(self.caption)}</em></p>" if self.caption else ""
        from .privacy.guard import mask_text

        return mask_text(
            f"<div class='finsam-result'><h4>{html.escape(self.title or type(self).__name__)}</h4>"
            f"{cap}{body}" + (f"<ul style='font-size:smaller'>{notes}</ul>" if notes else "") + "</div>"
        )
