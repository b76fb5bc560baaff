"""Answer scales of Swedish surveys, as data, and labels that cannot be misplaced.

A :class:`Scale` knows its levels (from most negative to most positive), the
numbers behind them, its neutral point (or that it has none), which answers
are *non-substantive* ("Vet ej", "Ej aktuellt", "Vill ej svara": answers, but
not points on the scale) and what the bottom and top boxes are.

How a raw answer finds its level, in this order:

1. the same label after normalising case, whitespace and punctuation
   ("stämmer  helt" is "Stämmer helt", "Ja absolut" is "Ja, absolut");
2. a usual spelling of a non-substantive answer ("vet inte" is "Vet ej");
3. a *variant* of the scale (another spelling of the same answer:
   "Mycket dåligt" for "Mycket dålig");
4. an *alias* (another wording mapped onto a level: "Stämmer ganska bra" onto
   "Stämmer delvis"), **only if** no other raw label of the same column, or of
   the items summarised together, lands on that level. Otherwise the scale
   would merge two different answers ("Stämmer ganska bra" and "Stämmer
   delvis" are different points of the "Stämmer helt och hållet" scale) and
   a :class:`~finsam_eval.errors.ScaleError` names the labels and proposes
   the scale that fits (:func:`~finsam_eval.likert.infer_scale`);
5. a number: the code of a level ("4", "4,0", 4.0; "1 = Inte alls" on a
   numeric scale).

Every answer not written exactly as the scale's label is counted per raw label
and level in the exclusion record (action ``omkodad``), with its file lines.

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

from ..errors import ScaleError, UnknownLabelError
from ..results import Exclusions

__all__ = ["Scale", "SCALES", "NON_SUBSTANTIVE", "numeric", "get_scale", "label_key"]

# The non-substantive answers of the presets and the ways people write them.
NON_SUBSTANTIVE: tuple[str, ...] = ("Vet ej", "Ej aktuellt", "Vill ej svara")
#: Usual spellings of non-substantive answers, by the label a preset shows them under.
NS_VARIANTS: dict[str, tuple[str, ...]] = {
    "Vet ej": ("vet ej", "vet inte", "vetej", "ingen uppfattning", "ingen åsikt", "kan ej bedöma",
               "kan inte bedöma", "vet ej/ingen uppfattning", "vet ej / kan ej bedöma", "ej svar vet ej"),
    "Ej aktuellt": ("ej aktuellt", "inte aktuellt", "ej relevant", "inte relevant", "ej tillämpligt",
                    "ej aktuell", "inte tillämpligt", "gäller inte mig", "ej tillämplig"),
    "Vill ej svara": ("vill ej svara", "vill inte svara", "avstår"),
}

_NONWORD = re.compile(r"[\W_]+")
_WS = re.compile(r"\s+")
# "1 = Inte alls", "5 - Helt", "1. Mycket dåligt", "7 (Instämmer helt)": a code followed by its text.
_LEAD_NUM = re.compile(r"\s*(\d{1,2})\s*(?:[=:.)\-\u2013\u2014(]|\s)\s*(\S.*?)\)?\s*$")

# What kind of match moved a raw answer onto a label (shown in the exclusion record).
_HOW_TEXT = {
    "stavning": "samma etikett, annan stavning (versaler, mellanslag, skiljetecken)",
    "ej_svar": "vanlig stavning av ett ickesubstantiellt svar",
    "variant": "variant av skalans etikett",
    "alias": "alias i skalan",
    "kod": "sifferkod",
}


def _squash(value: Any) -> str:
    """Text with blanks (also no-break spaces) collapsed and stripped."""
    return _WS.sub(" ", str(value).replace("\u00a0", " ")).strip()


def label_key(text: Any) -> str:
    """Comparison key of a label: case-folded, punctuation and runs of blanks collapsed.

    Examples
    --------
    >>> label_key(" Ja,  absolut! ") == label_key("ja absolut")
    True
    >>> label_key("1 = Inte alls") == label_key("1 - inte alls")
    True
    """
    return _NONWORD.sub(" ", str(text).replace("\u00a0", " ").casefold()).strip()


_key = label_key  # short name used inside the package


def _num_key(text: Any) -> float | None:
    """A number written as text ("4", "4,0", "4.0"), or None."""
    t = str(text).strip().replace(",", ".")
    try:
        v = float(t)
    except ValueError:
        return None
    return v if math.isfinite(v) else None


def _lead_num(text: Any) -> tuple[float, str] | None:
    """``(code, text)`` of a label written as code and text ("1 = Inte alls"), else None."""
    m = _LEAD_NUM.fullmatch(str(text))
    if not m or _num_key(m.group(2)) is not None:
        return None
    return float(m.group(1)), m.group(2)


# Words that tell which end of a scale a label sits at; negative words are checked first
# ("Mycket dålig" is negative although "mycket" is not).
_NEGATIVE = ("inte", "ej", "nej", "dålig", "missnöjd", "aldrig", "liten", "låg", "lite", "ingen", "avstånd",
             "oviktig", "sällan", "svag", "sämre", "oenig", "missnöjda", "dåligt", "minst", "tar")
_POSITIVE = ("helt", "mycket", "bra", "nöjd", "ja", "hög", "stor", "alltid", "absolut", "instämmer", "viktig",
             "ofta", "stark", "bättre", "fullständigt", "mest", "precis")


def _polarity(text: str) -> int:
    """+1 for a label from the positive end ("Mycket bra"), -1 for the negative end, 0 unknown."""
    words = label_key(text).split()
    if any(w in _NEGATIVE for w in words):
        return -1
    if any(w in _POSITIVE for w in words):
        return 1
    return 0


def _is_missing(raw: Any) -> bool:
    if raw is None or raw is pd.NA or raw is pd.NaT:
        return True
    if isinstance(raw, float) and math.isnan(raw):
        return True
    return isinstance(raw, str) and not raw.strip()


def _mask(text: str) -> str:
    """Mask personnummer in a message (the privacy guard, or the plain masker before the guard exists)."""
    try:
        from ..privacy.guard import mask_text  # type: ignore[import-not-found]
    except ImportError:
        from ..privacy.personnummer import mask_personnummer

        return mask_personnummer(text)[0]
    out = mask_text(text)
    return out[0] if isinstance(out, tuple) else out


def _show(raw: Any) -> str:
    """A raw answer quoted for a message, masked."""
    return _mask(repr(_squash(raw) if isinstance(raw, str) else raw))


def _line_numbers(obj: pd.Series | pd.DataFrame, positions: Sequence[int] | np.ndarray) -> list[int]:
    """File lines (header = line 1) of rows at 0-based ``positions`` of ``obj``.

    A frame from :func:`~finsam_eval.io.read_table` knows its lines; a frame
    filtered from it keeps its integer index, which still gives the lines; any
    other frame is numbered as if it were saved with one header line.
    """
    from ..io.tables import file_rows

    pos = np.asarray(positions, dtype=np.int64)
    idx = obj.index
    if pd.api.types.is_integer_dtype(idx) and not isinstance(idx, pd.RangeIndex) and len(idx):
        pos = np.asarray(idx[pos], dtype=np.int64)
    elif isinstance(idx, pd.RangeIndex) and len(idx):
        pos = np.asarray(idx[pos], dtype=np.int64)
    return file_rows(obj, pos)  # type: ignore[arg-type]


def _rows(obj: pd.Series | pd.DataFrame, positions: Sequence[int] | np.ndarray, first: int = 5) -> str:
    pos = np.asarray(positions)
    lines = _line_numbers(obj, pos[:first])
    rest = len(pos) - first
    return "rad " + ", ".join(map(str, lines)) + (f" (och {rest} till)" if rest > 0 else "")


@dataclass(frozen=True)
class LabelMatch:
    """How one distinct raw answer was matched: the label it became and by which rule."""

    raw: Any
    label: str | None  # None: unknown
    how: str  # "exakt", "stavning", "ej_svar", "variant", "alias", "kod", "okand"

    @property
    def recoded(self) -> bool:
        return self.label is not None and self.how != "exakt"


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
        Other wordings mapped onto a level: ``{wording: label}``. An alias is
        used only when no other raw label of the same items lands on that
        level (otherwise :class:`~finsam_eval.errors.ScaleError`).
    variants
        Other spellings of the *same* answer (inflections: "Mycket dåligt"
        for "Mycket dålig"): ``{spelling: label}``; they may occur together.

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
    variants: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if isinstance(self.labels, str):  # Scale("namn", [...]) is a common slip; a string is not a list
            raise ScaleError(
                f"Scale: labels ska vara en lista med svarsalternativ, fick texten {self.labels!r}. "
                "Skriv Scale([...], name='...')."
            )
        labels = tuple(_squash(x) for x in self.labels)
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
            try:
                vals = [float(v) for v in self.values]
            except (TypeError, ValueError):
                raise ScaleError(f"Skalans värden ska vara en lista med tal, ett per svarsalternativ, fick "
                                 f"{self.values!r}.") from None
            if len(vals) != len(labels):
                raise ScaleError(f"Skalan har {len(labels)} svarsalternativ men {len(vals)} värden.")
            lv = tuple(vals if self.direction == "ascending" else vals[::-1])
            if any(b <= a for a, b in zip(lv, lv[1:])):
                raise ScaleError("Skalans värden måste öka från det mest negativa till det mest positiva alternativet.")
        neutral = None if self.neutral is None else _squash(self.neutral)
        if neutral is not None and neutral not in levels:
            by_key = {_key(x): x for x in levels}
            if _key(neutral) not in by_key:
                raise ScaleError(f"Neutralt alternativ {neutral!r} finns inte bland {list(labels)}.")
            neutral = by_key[_key(neutral)]
        ns = tuple(_squash(x) for x in self.non_substantive)
        clash = [x for x in ns if _key(x) in set(map(_key, labels))]
        if clash:
            raise ScaleError(f"{clash} kan inte både vara skalsteg och ickesubstantiella svar.")
        if len(set(map(_key, ns))) != len(ns):
            raise ScaleError(f"Ickesubstantiella svar upprepas: {list(ns)}.")
        object.__setattr__(self, "labels", labels)
        object.__setattr__(self, "neutral", neutral)
        object.__setattr__(self, "non_substantive", ns)
        object.__setattr__(self, "levels", levels)
        object.__setattr__(self, "level_values", lv)
        for attr in ("aliases", "variants"):
            table = getattr(self, attr)
            if not isinstance(table, Mapping):
                raise ScaleError(f"{attr} ska vara en tabell {{stavning: etikett}}, fick {type(table).__name__}.")
            object.__setattr__(self, attr, {str(k): str(v) for k, v in table.items()})
        k = len(levels)
        if neutral is not None:
            mid = levels.index(neutral)
            low, high = levels[:mid], levels[mid + 1:]
        else:
            low, high = levels[: k // 2], levels[k - k // 2:]
        object.__setattr__(self, "negative", low)
        object.__setattr__(self, "positive", high)
        by_key = {_key(x): x for x in levels}
        for attr, default in (("bottom", low), ("top", high)):
            given = getattr(self, attr)
            box = tuple(default if given is None else (by_key.get(_key(x), _squash(x)) for x in given))
            bad = [x for x in box if x not in levels]
            if bad:
                raise ScaleError(f"{attr}-boxen innehåller {bad}, som inte är skalsteg ({list(levels)}).")
            object.__setattr__(self, attr, tuple(x for x in levels if x in box))
        # The code of a level: the number it is written with ("1 = Inte alls" -> 1), else its value.
        codes = []
        for lab, v in zip(levels, lv):
            n = _num_key(lab)
            lead = _lead_num(lab)
            codes.append(n if n is not None else lead[0] if lead else v)
        if len(set(codes)) != len(codes):
            codes = list(lv)
        object.__setattr__(self, "level_codes", tuple(codes))
        object.__setattr__(self, "_lookup", self._build_lookup())

    # Declared for type checkers; set in __post_init__.
    levels: tuple[str, ...] = field(init=False, repr=False)
    level_values: tuple[float, ...] = field(init=False, repr=False)
    level_codes: tuple[float, ...] = field(init=False, repr=False, compare=False)
    negative: tuple[str, ...] = field(init=False, repr=False)
    positive: tuple[str, ...] = field(init=False, repr=False)
    _lookup: dict[str, tuple[str, str]] = field(init=False, repr=False, compare=False)

    # ------------------------------------------------------------------ construction from data
    @classmethod
    def from_spec(cls, spec: Mapping[str, Any] | str) -> Scale:
        """A scale from a plain definition (a TOML table, a dict, or ``"A|B|C"``).

        Parameters
        ----------
        spec
            Keys (Swedish or English): ``etiketter``/``labels`` (required: the
            labels in questionnaire order, a list or one string ``"A|B|C"``),
            ``neutral``, ``ej_svar``/``non_substantive`` (list or ``"A|B"``),
            ``varden``/``values``, ``ordning``/``direction`` (``"stigande"`` =
            negative first, ``"fallande"`` = positive first; default: read off
            the words at the ends, "Inte alls ..." is negative, "Mycket ..."
            positive, and an error when they do not tell), ``topp``/``top``,
            ``botten``/``bottom``,
            ``namn``/``name``, ``alias``/``aliases``, ``varianter``/``variants``.
            ``fragor`` and ``omvanda`` (which items use the scale, which are
            reverse-worded) are accepted and ignored here: see
            :func:`~finsam_eval.likert.scale_from_config`.

        Examples
        --------
        >>> s = Scale.from_spec({"etiketter": "Inte alls|Lite|Ganska mycket|Mycket", "ej_svar": ["Vet ej"],
        ...                      "namn": "egen4"})
        >>> s.levels, s.top, s.non_substantive
        (('Inte alls', 'Lite', 'Ganska mycket', 'Mycket'), ('Ganska mycket', 'Mycket'), ('Vet ej',))
        """
        if isinstance(spec, str):
            spec = {"etiketter": spec}
        if not isinstance(spec, Mapping):
            raise ScaleError(f"En skaldefinition ska vara en tabell (dict) eller texten 'A|B|C', fick {type(spec).__name__}.")
        names = {
            "etiketter": "labels", "labels": "labels", "skala": "labels",
            "neutral": "neutral", "mitt": "neutral",
            "ej_svar": "non_substantive", "non_substantive": "non_substantive", "ejsvar": "non_substantive",
            "varden": "values", "values": "values",
            "ordning": "direction", "direction": "direction",
            "topp": "top", "top": "top", "botten": "bottom", "bottom": "bottom",
            "namn": "name", "name": "name",
            "alias": "aliases", "aliases": "aliases", "varianter": "variants", "variants": "variants",
        }
        ignored = {"fragor", "items", "omvanda", "reverse", "fil", "file"}
        unknown = [k for k in spec if str(k) not in names and str(k) not in ignored]
        if unknown:
            raise ScaleError(
                f"Okända nycklar i skaldefinitionen: {unknown}. Tillåtna: etiketter, neutral, ej_svar, varden, "
                "ordning, topp, botten, namn, alias, varianter (samt fragor och omvanda för vilka frågor som använder "
                "skalan)."
            )
        kw: dict[str, Any] = {}
        for k, v in spec.items():
            if str(k) in names:
                kw[names[str(k)]] = v
        if "labels" not in kw:
            raise ScaleError("Skaldefinitionen saknar 'etiketter': svarsalternativen i enkätens ordning, t.ex. "
                             "etiketter = [\"Stämmer inte alls\", ..., \"Stämmer helt\"].")
        for k in ("labels", "non_substantive", "top", "bottom"):
            if isinstance(kw.get(k), str):
                kw[k] = [x.strip() for x in kw[k].split("|") if x.strip()]
            elif kw.get(k) is not None and (isinstance(kw[k], Mapping) or not isinstance(kw[k], Sequence)):
                raise ScaleError(f"{k!r} i skaldefinitionen ska vara en lista eller texten 'A|B|C', fick "
                                 f"{type(kw[k]).__name__}.")
        if "non_substantive" not in kw:
            kw["non_substantive"] = ()
        d = kw.get("direction")
        if d is None and len(kw["labels"]) >= 2:
            # Labels are written in questionnaire order, which may start at either end: read it off the words.
            labs = [str(x) for x in kw["labels"]]
            first, last = _polarity(labs[0]), _polarity(labs[-1])
            nums = [_num_key(x) for x in labs]
            if all(n is not None for n in nums):  # numbers: the larger the more positive
                first, last = (-1, 1) if nums[0] < nums[-1] else (1, -1)
            if first > 0 and last <= 0 or first == 0 and last < 0:
                d = "fallande"
            elif not (first < 0 or last > 0):
                raise ScaleError(
                    f"Skalans ändar {labs[0]!r} och {labs[-1]!r} visar inte vilken som är positiv. Ange ordning = "
                    "'stigande' (negativa änden först) eller 'fallande' (positiva änden först)."
                )
        if d is not None:
            dirs = {"stigande": "ascending", "ascending": "ascending", "fallande": "descending",
                    "descending": "descending"}
            if str(d).casefold() not in dirs:
                raise ScaleError(f"ordning ska vara 'stigande' (negativa änden först) eller 'fallande' (positiva "
                                 f"änden först), fick {d!r}.")
            kw["direction"] = dirs[str(d).casefold()]
        if kw.get("neutral") in ("", None):
            kw.pop("neutral", None)
        kw.setdefault("name", "egen")
        return cls(**kw)

    def to_spec(self) -> dict[str, Any]:
        """The definition as a plain dict (Swedish keys), the inverse of :meth:`from_spec`.

        Examples
        --------
        >>> Scale.from_spec(SCALES["ja_absolut4"].to_spec()) == SCALES["ja_absolut4"]
        True
        """
        out: dict[str, Any] = {"namn": self.name, "etiketter": list(self.labels)}
        if self.neutral is not None:
            out["neutral"] = self.neutral
        out["ej_svar"] = list(self.non_substantive)
        if self.values is not None:
            out["varden"] = [float(v) for v in self.values]
        if self.direction == "descending":
            out["ordning"] = "fallande"
        out["topp"] = list(self.top)
        out["botten"] = list(self.bottom)
        if self.aliases:
            out["alias"] = dict(self.aliases)
        if self.variants:
            out["varianter"] = dict(self.variants)
        return out

    def describe(self) -> str:
        """One line for a method text: name, labels in order, neutral, non-substantive answers."""
        neutral = f"; mittenalternativ {self.neutral!r}" if self.neutral else "; inget mittenalternativ"
        ns = (f"; utanför basen: {', '.join(repr(x) for x in self.non_substantive)}"
              if self.non_substantive else "")
        return f"{self.name or 'skala'}: {' / '.join(self.labels)}{neutral}{ns}"

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

    def _build_lookup(self) -> dict[str, tuple[str, str]]:
        lk: dict[str, tuple[str, str]] = {}
        for lab in self.categories:
            lk[_key(lab)] = (lab, "stavning")
        ns_keys = {_key(x) for x in self.non_substantive}
        for canon, spellings in NS_VARIANTS.items():
            target = canon if canon in self.non_substantive else None
            if target is None:  # a scale with its own non-substantive labels: "Vet inte" for "Vet ej"
                fam = {_key(canon), *map(_key, spellings)}
                hits = [x for x in self.non_substantive if _key(x) in fam]
                target = hits[0] if len(hits) == 1 else None
            if target is None:
                continue
            for v in (canon, *spellings):
                if _key(v) not in ns_keys:
                    lk.setdefault(_key(v), (target, "ej_svar"))
        for kind, table in (("variant", self.variants), ("alias", self.aliases)):
            for variant, canon in table.items():
                target = next((c for c in self.categories if _key(c) == _key(canon)), None)
                if target is None:
                    raise ScaleError(f"{'Varianten' if kind == 'variant' else 'Aliaset'} {variant!r} pekar på "
                                     f"{canon!r}, som inte finns i skalan {list(self.categories)}.")
                lk.setdefault(_key(variant), (target, kind))
        return lk

    def match(self, raw: Any) -> LabelMatch:
        """How one raw answer is matched (no checks across answers; see :meth:`resolve`).

        Examples
        --------
        >>> SCALES["stammer5"].match("stämmer ganska bra")
        LabelMatch(raw='stämmer ganska bra', label='Stämmer delvis', how='alias')
        >>> numeric(1, 5).match("5 = Helt").how
        'kod'
        """
        if _is_missing(raw):
            return LabelMatch(raw, None, "saknas")
        if isinstance(raw, str) and raw in self.categories:
            return LabelMatch(raw, raw, "exakt")
        hit = self._lookup.get(_key(raw))
        if hit is not None:
            return LabelMatch(raw, hit[0], hit[1])
        num = _num_key(raw) if not isinstance(raw, bool) else None
        lead = _lead_num(raw) if num is None and isinstance(raw, str) else None
        if lead is not None:
            num = lead[0]
        if num is not None:
            for lab, code in zip(self.levels, self.level_codes):
                if abs(code - num) < 1e-9:
                    if lead is not None and _num_key(lab) is None:
                        # "5 - Stämmer helt" is the level "Stämmer helt"; "1 = Helt" is not "1 = Inte alls".
                        text_key = _key(_lead_num(lab)[1]) if _lead_num(lab) else _key(lab)
                        if text_key == _key(lead[1]):
                            return LabelMatch(raw, lab, "kod")
                        break
                    # A number on a numeric scale is the label itself, not a recoding.
                    exact = lead is None and _num_key(lab) is not None
                    return LabelMatch(raw, lab, "exakt" if exact else "kod")
        return LabelMatch(raw, None, "okand")

    def _canonical(self, raw: Any) -> str | None | float:
        """Label of one raw answer (a count column's name, a reference level); NaN missing, None unknown."""
        m = self.match(raw)
        return np.nan if m.how == "saknas" else m.label

    def resolve(self, values: Iterable[Any], *, where: str = "") -> dict[Any, LabelMatch]:
        """Match distinct raw answers together, refusing an alias that would merge two answers.

        Parameters
        ----------
        values
            Raw answers (all answers of the items summarised together).
        where
            Where the answers come from, for the message ("i kolumnen 'f1'").

        Returns
        -------
        dict
            Raw answer -> :class:`LabelMatch` (missing answers left out).

        Raises
        ------
        ScaleError
            When two different raw labels (not the same label spelled
            differently) would land on one level through an alias; the message
            names them and proposes the scale that fits.

        Examples
        --------
        >>> m = SCALES["stammer5"].resolve(["Stämmer helt", "Stämmer ganska bra"])
        >>> m["Stämmer ganska bra"].label
        'Stämmer delvis'
        >>> SCALES["stammer5"].resolve(["Stämmer ganska bra", "Stämmer delvis"])
        Traceback (most recent call last):
        ...
        finsam_eval.errors.ScaleError: Skalan stammer5 skulle slå ihop olika svar till ett skalsteg: ...
        """
        uniq = pd.unique(pd.Series(list(values), dtype=object).dropna())
        out = {u: self.match(u) for u in uniq if not _is_missing(u)}
        conflicts = _conflicts(out.values())
        if conflicts:
            raise ScaleError(self._conflict_message(conflicts, out.keys(), where))
        other = self._other_family(out.values(), where)
        if other:
            raise ScaleError(other)
        return out

    def _other_family(self, matches: Iterable[LabelMatch], where: str) -> str | None:
        """A message when aliases would read answers that all belong to another known scale.

        "Stämmer helt och hållet / Stämmer delvis / Stämmer inte alls" fit the
        "helt och hållet" scale, where "Stämmer delvis" is the middle; read on
        stammer5 through its aliases, the middle would count as agreement.
        Aliases are for stray wordings, not for moving a whole scale onto another.
        """
        from .infer import _fitting_families

        matches = [m for m in matches if m.label is not None]  # unknown answers are reported on their own
        aliased = [m for m in matches if m.how == "alias"]
        # Aliases the evaluator wrote into an own scale are trusted; the presets' aliases are guesses.
        if not aliased or SCALES.get(self.name) is None or SCALES[self.name].aliases != self.aliases:
            return None
        fits = _fitting_families([m.raw for m in matches])
        if not fits or self.name in fits:
            return None
        moved = ", ".join(f"{_show(m.raw)} som {m.label!r}" for m in aliased[:4])
        names = " eller ".join(f"{n} ({' / '.join(SCALES[n].labels)})" for n in fits[:2])
        return _mask(
            f"Svaren{where} hör till skalan {names}, inte till {self.name}: {self.name} skulle läsa {moved} "
            f"(alias), fast skalorna placerar svaren olika. Ange scale={fits[0]!r} (--skala {fits[0]})"
            + (" eller den andra" if len(fits) > 1 else "") + ", scale='auto' (--skala auto) eller definiera "
            "skalan med Scale.from_spec({...})."
        )

    def _conflict_message(self, conflicts: list[tuple[str, list[LabelMatch]]], raws: Iterable[Any],
                          where: str) -> str:
        parts = []
        for level, ms in conflicts:
            names = " och ".join(f"{_show(m.raw)}" + (" (alias)" if m.how == "alias" else "") for m in ms)
            parts.append(f"{names} hamnar båda på {level!r}")
        tip = propose_scale(raws, exclude=self.name)
        return _mask(
            f"Skalan {self.name or 'utan namn'} skulle slå ihop olika svar till ett skalsteg{where}: "
            + "; ".join(parts) + ". Det skulle ge fel andelar, så inget räknas. " + tip
        )

    def normalise(
        self,
        series: pd.Series | Iterable[Any],
        *,
        errors: Literal["raise", "coerce"] = "raise",
        exclusions: Exclusions | None = None,
        column: str | None = None,
        matches: Mapping[Any, LabelMatch] | None = None,
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
            Where recodings (one entry per raw label and level) and exclusions
            are recorded, with file lines.
        column
            Column name used in messages.
        matches
            Matches already resolved over several items (:meth:`resolve`);
            by default the answers of this column are resolved here.

        Returns
        -------
        pandas.Series
            Categorical with categories :attr:`categories` (levels, then the
            non-substantive answers), same index as the input.

        Raises
        ------
        UnknownLabelError
            Lists each unknown label with its count, the first file lines
            (header = line 1) and the valid labels.
        ScaleError
            An alias would put two different raw labels on one level.
        """
        s = series if isinstance(series, pd.Series) else pd.Series(list(series), dtype=object)
        name = column if column is not None else s.name
        where = f" i kolumnen {name!r}" if name is not None else ""
        codes, uniques = pd.factorize(s.astype(object), use_na_sentinel=True)
        if matches is None:
            matches = self.resolve(uniques, where=where)
        canon: list[LabelMatch] = [matches.get(u) or self.match(u) for u in uniques]
        counts = np.bincount(codes[codes >= 0], minlength=len(uniques))
        unknown = [i for i, m in enumerate(canon) if m.label is None and m.how != "saknas"]
        if unknown:
            if errors == "raise":
                parts = []
                for i in sorted(unknown, key=lambda j: -counts[j])[:8]:
                    rows = np.flatnonzero(codes == i)
                    parts.append(f"{_show(uniques[i])} ({counts[i]} st, {_rows(s, rows, 3)})")
                more = f" och {len(unknown) - 8} etiketter till" if len(unknown) > 8 else ""
                valid = ", ".join(repr(x) for x in self.levels)
                ns = ", ".join(repr(x) for x in self.non_substantive)
                tip = propose_scale(uniques, exclude=self.name)
                raise UnknownLabelError(_mask(
                    f"Okända svar{where} för skalan {self.name or 'utan namn'}: {'; '.join(parts)}{more}. "
                    f"Giltiga svar är {valid}" + (f" samt {ns}" if ns else "") + ". "
                    "Rätta svaren, lägg till en stavning med Scale(aliases=...) eller välj en annan skala. " + tip
                ))
            if exclusions is not None:
                n_bad = int(sum(counts[i] for i in unknown))
                rows = np.flatnonzero(np.isin(codes, unknown))
                exclusions.add("okänt svar, räknas som saknat", n_bad, rows=_line_numbers(s, rows[:10]), column=name)
        if exclusions is not None:
            record_recodings(exclusions, s, codes, uniques, canon, column=name)
        cats = self.categories
        pos = {c: i for i, c in enumerate(cats)}
        table = np.array([pos[m.label] if m.label is not None else -1 for m in canon] + [-1], dtype=np.int64)
        new_codes = table[codes]  # codes == -1 (missing) picks the trailing -1
        return pd.Series(pd.Categorical.from_codes(new_codes, categories=list(cats)), index=s.index, name=s.name)

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


def _conflicts(matches: Iterable[LabelMatch]) -> list[tuple[str, list[LabelMatch]]]:
    """Levels reached by two different raw labels when at least one came through an alias."""
    by_level: dict[str, dict[str, LabelMatch]] = {}
    for m in matches:
        if m.label is None:
            continue
        # Raw labels that are the same text after normalising are one label.
        by_level.setdefault(m.label, {}).setdefault(_key(m.raw), m)
    out = []
    for level, ms in by_level.items():
        if len(ms) > 1 and any(m.how == "alias" for m in ms.values()):
            out.append((level, sorted(ms.values(), key=lambda m: (m.how == "alias", _key(m.raw)), reverse=True)))
    return out


def record_recodings(
    exclusions: Exclusions,
    s: pd.Series,
    codes: np.ndarray,
    uniques: Any,
    matches: Sequence[LabelMatch],
    *,
    column: str | None,
) -> None:
    """One ``omkodad`` entry per raw label that was not written exactly as the scale's label.

    Raw labels that differ only in blanks count as one ("stämmer  helt " and
    "stämmer helt"). Lines are file lines.
    """
    groups: dict[tuple[str, str, str], list[int]] = {}
    shown: dict[tuple[str, str, str], Any] = {}
    for i, m in enumerate(matches):
        if not m.recoded:
            continue
        k = (_squash(m.raw) if isinstance(m.raw, str) else str(m.raw), m.label or "", m.how)
        groups.setdefault(k, []).append(i)
        shown.setdefault(k, m.raw)
    for k, idx in groups.items():
        rows = np.flatnonzero(np.isin(codes, idx))
        raw_txt = _show(shown[k])
        exclusions.add(f"{raw_txt} → {k[1]!r} ({_HOW_TEXT.get(k[2], k[2])})", len(rows),
                       rows=_line_numbers(s, rows[:10]), column=column, action="omkodad")


def propose_scale(values: Iterable[Any], *, exclude: str | None = None) -> str:
    """A sentence proposing the scale that fits ``values`` (or how to define one) for an error message."""
    from .infer import _infer_labels

    define = ("definiera skalan själv: Scale.from_spec({'etiketter': [...], 'neutral': ..., 'ej_svar': ['Vet ej']}) "
              "eller på kommandoraden --skala 'A|B|C|D|E' --neutral C --ej-svar 'Vet ej' (eller --skala-fil skala.toml).")
    try:
        sc = _infer_labels(pd.Series(list(values), dtype=object).dropna())
    except ScaleError:
        return "Svaren passar ingen inbyggd skala entydigt: " + define
    if sc.name and sc.name == exclude:
        return "Ange skalan med scale='auto' (--skala auto) eller " + define
    preset = f"scale={sc.name!r} (--skala {sc.name})" if sc.name in SCALES else "scale='auto' (--skala auto)"
    return f"Svaren passar skalan {sc.describe()}: ange {preset}, eller " + define


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
        variants={"Varken eller": "Varken ja eller nej"},
        # Wordings of the "helt och hållet" family, placed by position; refused when they would merge answers.
        aliases={"Stämmer ganska dåligt": "Stämmer inte så bra", "Stämmer inte": "Stämmer inte alls",
                 "Stämmer ganska bra": "Stämmer delvis", "Stämmer precis": "Stämmer helt",
                 "Stämmer helt och hållet": "Stämmer helt"},
    ),
    # Skolenkäten-style scales: "Stämmer delvis" is the middle here, not agreement.
    "stammer_ganska5": Scale(
        ["Stämmer helt och hållet", "Stämmer ganska bra", "Stämmer delvis", "Stämmer ganska dåligt",
         "Stämmer inte alls"],
        direction="descending",
        neutral="Stämmer delvis",
        name="stammer_ganska5",
    ),
    "stammer_ganska4": Scale(
        ["Stämmer helt och hållet", "Stämmer ganska bra", "Stämmer ganska dåligt", "Stämmer inte alls"],
        direction="descending",
        name="stammer_ganska4",
    ),
    # The questionnaire lists the positive end first.
    "ja_absolut4": Scale(
        ["Ja, absolut", "Ja, ganska", "Inte särskilt", "Inte alls"],
        direction="descending",
        name="ja_absolut4",
        variants={"Ja absolut": "Ja, absolut", "Ja, ganska mycket": "Ja, ganska",
                  "Inte särskilt mycket": "Inte särskilt", "Nej, inte alls": "Inte alls"},
        aliases={"Ja, i hög grad": "Ja, absolut"},
    ),
    "instammer5": Scale(
        ["Instämmer inte alls", "Instämmer inte", "Varken eller", "Instämmer delvis", "Instämmer helt"],
        neutral="Varken eller",
        name="instammer5",
        variants={"Varken instämmer eller inte": "Varken eller", "Instämmer helt och hållet": "Instämmer helt",
                  "Instämmer fullständigt": "Instämmer helt"},
        aliases={"Instämmer i liten grad": "Instämmer inte", "Instämmer till stor del": "Instämmer delvis",
                 "Instämmer i hög grad": "Instämmer delvis", "Tar helt avstånd": "Instämmer inte alls"},
    ),
    "instammer_avstand5": Scale(
        ["Instämmer helt", "Instämmer delvis", "Varken instämmer eller tar avstånd", "Tar delvis avstånd",
         "Tar helt avstånd"],
        direction="descending",
        neutral="Varken instämmer eller tar avstånd",
        name="instammer_avstand5",
        variants={"Varken eller": "Varken instämmer eller tar avstånd",
                  "Instämmer helt och hållet": "Instämmer helt", "Tar helt och hållet avstånd": "Tar helt avstånd"},
    ),
    "grad5": Scale(
        ["I mycket hög grad", "I hög grad", "I viss mån", "I liten grad", "Inte alls"],
        direction="descending",
        neutral="I viss mån",
        name="grad5",
        variants={"I viss grad": "I viss mån", "I låg grad": "I liten grad"},
    ),
    "bra5": Scale(
        ["Mycket bra", "Ganska bra", "Varken bra eller dålig", "Ganska dålig", "Mycket dålig"],
        direction="descending",
        neutral="Varken bra eller dålig",
        name="bra5",
        variants={"Mycket dåligt": "Mycket dålig", "Ganska dåligt": "Ganska dålig", "Bra": "Ganska bra",
                  "Dålig": "Ganska dålig", "Dåligt": "Ganska dålig",
                  "Varken bra eller dåligt": "Varken bra eller dålig", "Varken eller": "Varken bra eller dålig"},
    ),
    "nojd5": Scale(
        ["Mycket nöjd", "Ganska nöjd", "Varken nöjd eller missnöjd", "Ganska missnöjd", "Mycket missnöjd"],
        direction="descending",
        neutral="Varken nöjd eller missnöjd",
        name="nojd5",
        variants={"Nöjd": "Ganska nöjd", "Missnöjd": "Ganska missnöjd", "Varken eller": "Varken nöjd eller missnöjd"},
    ),
    # "Ja, delvis" is a yes: the top box holds both yes answers.
    "ja_helt3": Scale(
        ["Ja, helt", "Ja, delvis", "Nej"],
        direction="descending",
        top=["Ja, helt", "Ja, delvis"],
        bottom=["Nej"],
        name="ja_helt3",
        variants={"Ja helt och hållet": "Ja, helt", "Nej, inte alls": "Nej", "Ja, till viss del": "Ja, delvis"},
    ),
    "numeric1_5": numeric(1, 5, name="numeric1_5"),
    "numeric1_6": numeric(1, 6, name="numeric1_6"),
    "numeric1_7": numeric(1, 7, name="numeric1_7"),
    "numeric1_10": numeric(1, 10, name="numeric1_10"),
    "numeric0_10": numeric(0, 10, name="numeric0_10"),
}


def get_scale(scale: str | Scale | Mapping[str, Any]) -> Scale:
    """A :class:`Scale` from a name in :data:`SCALES`, ``"1-6"``, ``"A|B|C"``, a definition dict, or the scale.

    ``"auto"`` needs the data: use :func:`~finsam_eval.likert.infer_scale`.

    Examples
    --------
    >>> get_scale("1-5").levels
    ('1', '2', '3', '4', '5')
    >>> get_scale("Nej|Delvis|Ja").top
    ('Ja',)
    """
    if isinstance(scale, Scale):
        return scale
    if isinstance(scale, Mapping):
        return Scale.from_spec(scale)
    if not isinstance(scale, str):
        raise ScaleError(f"En skala anges som namn, 'A|B|C', en tabell eller Scale(...), inte {type(scale).__name__}.")
    try:
        return SCALES[scale]
    except KeyError:
        m = re.fullmatch(r"(?:numeric|skala)?(\d+)[-_](\d+)", scale.strip())
        if m:
            return numeric(int(m.group(1)), int(m.group(2)))
        if "|" in scale:
            return Scale.from_spec({"etiketter": scale})
        hint = " Skalan följer svaren: ange data till infer_scale(df, items)." if scale.strip() == "auto" else ""
        raise ScaleError(f"Okänd skala {scale!r}; välj bland {sorted(SCALES)}, 'auto', '1-6' eller 'A|B|C', eller "
                         f"skapa en Scale(...).{hint}") from None
