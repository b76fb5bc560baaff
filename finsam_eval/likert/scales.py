"""Answer scales of Swedish surveys, as data.

A :class:`Scale` knows its levels (from most negative to most positive), the
numbers behind them, its neutral point (or that it has none), which answers
are *non-substantive* ("Vet ej", "Ej aktuellt", "Vill ej svara": answers, but
not points on the scale) and what the bottom and top boxes are.
:meth:`Scale.normalise` turns what respondents and survey tools actually
write ("stämmer  helt", "Ja absolut", "4", "vet inte") into the canonical
labels, and refuses labels it does not know with a message that lists them.

The presets in :data:`SCALES` are the scales seen in förbund reports.

Examples
--------
>>> s = SCALES["ja_absolut4"]
>>> s.levels
('Inte alls', 'Inte särskilt', 'Ja, ganska', 'Ja, absolut')
>>> s.top
('Ja, ganska', 'Ja, absolut')
>>> s.normalise(pd.Series(["ja absolut", " Inte alls", "vet inte", None])).tolist()
['Ja, absolut', 'Inte alls', 'Vet ej', nan]
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from ..errors import ScaleError, UnknownLabelError, describe_rows
from ..results import Exclusions

__all__ = ["Scale", "SCALES", "NON_SUBSTANTIVE", "numeric", "get_scale"]

# The non-substantive answers and the ways people write them.
NON_SUBSTANTIVE: tuple[str, ...] = ("Vet ej", "Ej aktuellt", "Vill ej svara")
_NS_VARIANTS: dict[str, tuple[str, ...]] = {
    "Vet ej": ("vet ej", "vet inte", "vetej", "ingen uppfattning", "ingen åsikt", "kan ej bedöma",
               "kan inte bedöma", "vet ej/ingen uppfattning"),
    "Ej aktuellt": ("ej aktuellt", "inte aktuellt", "ej relevant", "inte relevant", "ej tillämpligt",
                    "ej aktuell"),
    "Vill ej svara": ("vill ej svara", "vill inte svara", "avstår"),
}

_PUNCT = re.compile(r"[\s,.;:!?\-–—/()\"']+")


def _key(text: str) -> str:
    """Comparison key: case-folded, punctuation and runs of blanks collapsed."""
    return _PUNCT.sub(" ", str(text).casefold()).strip()


def _num_key(text: str) -> float | None:
    """A number written as text ("4", "4,0", "4.0"), or None."""
    t = str(text).strip().replace(",", ".")
    try:
        v = float(t)
    except ValueError:
        return None
    return v if math.isfinite(v) else None


@dataclass(frozen=True)
class Scale:
    """An ordered answer scale.

    Parameters
    ----------
    labels
        The scale points in the order the questionnaire shows them.
    values
        Numbers for the labels, in the same order as ``labels``. Default: 1, 2,
        ... from the most negative to the most positive level.
    neutral
        The neutral label ("Varken ja eller nej"), or None for a scale without one.
    non_substantive
        Answers that are not scale points; they are counted and shown but kept
        out of the percentage base.
    direction
        ``"ascending"`` when ``labels`` run from negative to positive,
        ``"descending"`` when the questionnaire lists the positive end first
        ("Ja, absolut" ... "Inte alls").
    bottom, top
        The labels of the bottom and top boxes. Default: the levels below and
        above the neutral point (the lower and upper half without one).
    name
        Short name (the key in :data:`SCALES`).
    aliases
        Extra spellings: ``{variant: canonical label}``.

    Attributes
    ----------
    levels : tuple of str
        The scale points from most negative to most positive.
    level_values : tuple of float
        Their numbers, in the same order.

    Examples
    --------
    >>> s = Scale(["Nej", "Delvis", "Ja"], name="nej_ja3")
    >>> s.levels, s.level_values, s.neutral
    (('Nej', 'Delvis', 'Ja'), (1.0, 2.0, 3.0), None)
    >>> s.to_numeric(pd.Series(["ja", "nej", "Vet ej"])).tolist()
    [3.0, 1.0, nan]
    """

    labels: Sequence[str]
    values: Sequence[float] | None = None
    neutral: str | None = None
    non_substantive: Sequence[str] = NON_SUBSTANTIVE
    direction: Literal["ascending", "descending"] = "ascending"
    bottom: Sequence[str] | None = None
    top: Sequence[str] | None = None
    name: str = ""
    aliases: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if isinstance(self.labels, str):  # Scale("namn", [...]) is a common slip; a string is not a list
            raise ScaleError(
                f"Scale: labels ska vara en lista med svarsalternativ, fick texten {self.labels!r}. "
                "Skriv Scale([...], name='...')."
            )
        labels = tuple(str(x) for x in self.labels)
        if len(labels) < 2:
            raise ScaleError(f"En skala behöver minst två svarsalternativ, fick {list(labels)}.")
        if len(set(map(_key, labels))) != len(labels):
            raise ScaleError(f"Skalans svarsalternativ upprepas: {list(labels)}.")
        if self.direction not in ("ascending", "descending"):
            raise ScaleError(f"direction måste vara 'ascending' eller 'descending', fick {self.direction!r}.")
        levels = labels if self.direction == "ascending" else labels[::-1]
        if self.values is None:
            lv = tuple(float(i + 1) for i in range(len(levels)))
        else:
            vals = [float(v) for v in self.values]
            if len(vals) != len(labels):
                raise ScaleError(f"Skalan har {len(labels)} svarsalternativ men {len(vals)} värden.")
            lv = tuple(vals if self.direction == "ascending" else vals[::-1])
            if any(b <= a for a, b in zip(lv, lv[1:])):
                raise ScaleError("Skalans värden måste öka från det mest negativa till det mest positiva alternativet.")
        if self.neutral is not None and self.neutral not in levels:
            raise ScaleError(f"Neutralt alternativ {self.neutral!r} finns inte bland {list(labels)}.")
        ns = tuple(str(x) for x in self.non_substantive)
        clash = [x for x in ns if _key(x) in set(map(_key, labels))]
        if clash:
            raise ScaleError(f"{clash} kan inte både vara skalsteg och ickesubstantiella svar.")
        object.__setattr__(self, "labels", labels)
        object.__setattr__(self, "non_substantive", ns)
        object.__setattr__(self, "levels", levels)
        object.__setattr__(self, "level_values", lv)
        k = len(levels)
        if self.neutral is not None:
            mid = levels.index(self.neutral)
            low, high = levels[:mid], levels[mid + 1:]
        else:
            low, high = levels[: k // 2], levels[k - k // 2:]
        object.__setattr__(self, "negative", low)
        object.__setattr__(self, "positive", high)
        for attr, default in (("bottom", low), ("top", high)):
            given = getattr(self, attr)
            box = tuple(default if given is None else (str(x) for x in given))
            bad = [x for x in box if x not in levels]
            if bad:
                raise ScaleError(f"{attr}-boxen innehåller {bad}, som inte är skalsteg ({list(levels)}).")
            object.__setattr__(self, attr, tuple(x for x in levels if x in box))
        object.__setattr__(self, "_lookup", self._build_lookup())

    # Declared for type checkers; set in __post_init__.
    levels: tuple[str, ...] = field(init=False, repr=False)
    level_values: tuple[float, ...] = field(init=False, repr=False)
    negative: tuple[str, ...] = field(init=False, repr=False)
    positive: tuple[str, ...] = field(init=False, repr=False)
    _lookup: dict[str, str] = field(init=False, repr=False, compare=False)

    # ------------------------------------------------------------------ labels
    @property
    def categories(self) -> tuple[str, ...]:
        """Levels followed by the non-substantive answers: the categories of :meth:`normalise`."""
        return self.levels + tuple(self.non_substantive)

    @property
    def is_numeric(self) -> bool:
        """True when the labels themselves are numbers (1-6, 0-10)."""
        return all(_num_key(x) is not None for x in self.levels)

    @property
    def min(self) -> float:
        return self.level_values[0]

    @property
    def max(self) -> float:
        return self.level_values[-1]

    def _build_lookup(self) -> dict[str, str]:
        lk: dict[str, str] = {}
        for lab in self.categories:
            lk[_key(lab)] = lab
        for canon, variants in _NS_VARIANTS.items():
            if canon in self.non_substantive:
                for v in variants:
                    lk.setdefault(_key(v), canon)
        for variant, canon in dict(self.aliases).items():
            if canon not in self.categories:
                raise ScaleError(f"Aliaset {variant!r} pekar på {canon!r}, som inte finns i skalan.")
            lk[_key(variant)] = canon
        return lk

    def _canonical(self, raw: Any) -> str | None | float:
        """Canonical label of one distinct raw answer; NaN for missing; None when unknown."""
        if raw is None or (isinstance(raw, float) and math.isnan(raw)) or raw is pd.NA:
            return np.nan
        if isinstance(raw, str) and not raw.strip():
            return np.nan
        hit = self._lookup.get(_key(raw))
        if hit is not None:
            return hit
        num = _num_key(raw)
        if num is not None:  # a code: match on the level values
            for lab, v in zip(self.levels, self.level_values):
                if abs(v - num) < 1e-9:
                    return lab
        return None

    def normalise(
        self,
        series: pd.Series | Iterable[Any],
        *,
        errors: Literal["raise", "coerce"] = "raise",
        exclusions: Exclusions | None = None,
        column: str | None = None,
    ) -> pd.Series:
        """Map raw answers to canonical labels.

        Case, runs of blanks, punctuation ("Ja absolut" for "Ja, absolut"),
        numbers as text ("4", "4,0") and the usual ways of writing "Vet ej"
        ("vet inte", "ingen uppfattning") are recognised. Blank cells are missing.

        Parameters
        ----------
        series
            Raw answers.
        errors
            ``"raise"`` (default): an unknown label raises
            :class:`~finsam_eval.errors.UnknownLabelError`. ``"coerce"``: unknown
            labels become missing and are recorded in ``exclusions``.
        exclusions
            Where repairs and exclusions are recorded.
        column
            Column name used in messages.

        Returns
        -------
        pandas.Series
            Categorical with categories :attr:`categories` (levels, then the
            non-substantive answers), same index as the input.

        Raises
        ------
        UnknownLabelError
            Lists each unknown label with its count, the first rows (0-based
            positions) and the valid labels.
        """
        s = series if isinstance(series, pd.Series) else pd.Series(list(series))
        name = column if column is not None else s.name
        codes, uniques = pd.factorize(s, use_na_sentinel=True)
        canon = [self._canonical(u) for u in uniques]
        unknown = [i for i, c in enumerate(canon) if c is None]
        if unknown:
            counts = np.bincount(codes[codes >= 0], minlength=len(uniques))
            if errors == "raise":
                parts = []
                for i in sorted(unknown, key=lambda j: -counts[j]):
                    rows = np.flatnonzero(codes == i)
                    parts.append(f"{str(uniques[i])!r} ({counts[i]} st, {describe_rows(rows)})")
                where = f" i kolumnen {name!r}" if name is not None else ""
                valid = ", ".join(repr(x) for x in self.levels)
                ns = ", ".join(repr(x) for x in self.non_substantive)
                raise UnknownLabelError(
                    f"Okända svar{where} för skalan {self.name or 'utan namn'}: {'; '.join(parts)}. "
                    f"Giltiga svar är {valid}" + (f" samt {ns}" if ns else "") + ". "
                    "Rätta svaren, lägg till en stavning med Scale(aliases=...) eller välj en annan skala."
                )
            if exclusions is not None:
                n_bad = int(sum(counts[i] for i in unknown))
                rows = np.flatnonzero(np.isin(codes, unknown))
                exclusions.add("okänt svar, räknas som saknat", n_bad, rows=s.index[rows[:10]], column=name)
        if exclusions is not None:
            respelled = [i for i, c in enumerate(canon) if isinstance(c, str) and c != uniques[i]]
            if respelled:
                rows = np.flatnonzero(np.isin(codes, respelled))
                exclusions.add("svar skrivet på annat sätt, omkodat till skalans etikett", len(rows),
                               rows=s.index[rows[:10]], column=name, action="omkodad")
        cats = self.categories
        pos = {c: i for i, c in enumerate(cats)}
        table = np.array([pos[c] if isinstance(c, str) else -1 for c in canon] + [-1], dtype=np.int64)
        new_codes = table[codes]  # codes == -1 (missing) picks the trailing -1
        out = pd.Series(pd.Categorical.from_codes(new_codes, categories=list(cats)), index=s.index, name=s.name)
        return out

    def codes(self, series: pd.Series, **kwargs: Any) -> np.ndarray:
        """Integer codes: 0 .. k-1 for the levels, k .. for non-substantive answers, -1 missing."""
        s = series if isinstance(series.dtype, pd.CategoricalDtype) and tuple(series.cat.categories) == self.categories \
            else self.normalise(series, **kwargs)
        return np.asarray(s.cat.codes, dtype=np.int64)

    def to_numeric(self, series: pd.Series | Iterable[Any], **kwargs: Any) -> pd.Series:
        """Numbers of the answers; non-substantive and missing answers give NaN.

        Examples
        --------
        >>> SCALES["stammer5"].to_numeric(pd.Series(["Stämmer helt", "stämmer  delvis", "Vet ej"])).tolist()
        [5.0, 4.0, nan]
        """
        s = series if isinstance(series, pd.Series) else pd.Series(list(series))
        c = self.codes(s, **kwargs)
        vals = np.append(np.asarray(self.level_values, dtype=float), np.nan)
        idx = np.where((c >= 0) & (c < len(self.levels)), c, len(self.levels))
        return pd.Series(vals[idx], index=s.index, name=s.name)

    def reverse_values(self, values: pd.Series | np.ndarray) -> Any:
        """Reverse-code numbers on this scale: min + max - value."""
        return self.min + self.max - values

    def __repr__(self) -> str:
        return (f"Scale(name={self.name!r}, levels={list(self.levels)}, neutral={self.neutral!r}, "
                f"non_substantive={list(self.non_substantive)})")


def numeric(lo: int, hi: int, *, neutral: bool | None = None, name: str | None = None, **kwargs: Any) -> Scale:
    """A numeric scale ``lo`` .. ``hi`` ("1" ... "6"); odd lengths get the middle as neutral.

    Examples
    --------
    >>> s = numeric(1, 6)
    >>> s.bottom, s.top, s.neutral
    (('1', '2', '3'), ('4', '5', '6'), None)
    >>> numeric(0, 10).neutral
    '5'
    """
    if hi <= lo:
        raise ScaleError(f"numeric(lo, hi) kräver hi > lo, fick {lo}, {hi}.")
    labels = [str(v) for v in range(lo, hi + 1)]
    if neutral is None:
        neutral = len(labels) % 2 == 1
    mid = labels[len(labels) // 2] if neutral and len(labels) % 2 == 1 else None
    return Scale(labels, values=list(range(lo, hi + 1)), neutral=mid, name=name or f"numeric{lo}_{hi}", **kwargs)


SCALES: dict[str, Scale] = {
    "stammer5": Scale(
        ["Stämmer inte alls", "Stämmer inte så bra", "Varken ja eller nej", "Stämmer delvis", "Stämmer helt"],
        neutral="Varken ja eller nej",
        name="stammer5",
        aliases={"Varken eller": "Varken ja eller nej", "Stämmer ganska dåligt": "Stämmer inte så bra",
                 "Stämmer inte": "Stämmer inte alls", "Stämmer ganska bra": "Stämmer delvis",
                 "Stämmer precis": "Stämmer helt", "Stämmer helt och hållet": "Stämmer helt"},
    ),
    # The questionnaire lists the positive end first.
    "ja_absolut4": Scale(
        ["Ja, absolut", "Ja, ganska", "Inte särskilt", "Inte alls"],
        direction="descending",
        name="ja_absolut4",
        aliases={"Ja, ganska mycket": "Ja, ganska", "Ja, i hög grad": "Ja, absolut", "Nej, inte alls": "Inte alls",
                 "Inte särskilt mycket": "Inte särskilt", "Ja absolut": "Ja, absolut"},
    ),
    "instammer5": Scale(
        ["Instämmer inte alls", "Instämmer inte", "Varken eller", "Instämmer delvis", "Instämmer helt"],
        neutral="Varken eller",
        name="instammer5",
        aliases={"Varken instämmer eller inte": "Varken eller", "Instämmer i liten grad": "Instämmer inte",
                 "Instämmer till stor del": "Instämmer delvis", "Instämmer fullständigt": "Instämmer helt",
                 "Instämmer i hög grad": "Instämmer delvis", "Tar helt avstånd": "Instämmer inte alls"},
    ),
    "numeric1_6": numeric(1, 6, name="numeric1_6"),
    "numeric1_7": numeric(1, 7, name="numeric1_7"),
    "numeric1_10": numeric(1, 10, name="numeric1_10"),
    "numeric0_10": numeric(0, 10, name="numeric0_10"),
}


def get_scale(scale: str | Scale) -> Scale:
    """A :class:`Scale` from a name in :data:`SCALES` (or the scale itself)."""
    if isinstance(scale, Scale):
        return scale
    try:
        return SCALES[scale]
    except KeyError:
        m = re.fullmatch(r"(?:numeric|skala)?(\d+)[-_](\d+)", str(scale))
        if m:
            return numeric(int(m.group(1)), int(m.group(2)))
        raise ScaleError(f"Okänd skala {scale!r}; välj bland {sorted(SCALES)} eller skapa en Scale(...).") from None
