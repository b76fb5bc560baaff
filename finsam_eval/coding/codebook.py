"""Codebooks: themes with definitions and the words that signal them.

A :class:`Codebook` is an ordered list of :class:`Code` objects. Each code
has an id (ASCII, used in data), a Swedish label (shown in reports), a
definition (for coders), inclusion terms (words, compounds, multi-word
phrases; a trailing ``*`` makes a prefix term such as ``samverk*``),
exclusion terms (a match of these cancels the code's hits on the same
words), regular expressions for what terms cannot express, examples and an
optional parent for sub-codes.

A theme is a concept, rarely named: besides its direct terms (``include``) a
code can carry *indicator families* (``indicators``), each a list of terms
with a weight and a polarity: indirect indicators (what people describe when
they talk about the theme without naming it), typical images ("vid sidan
av", "en i gänget") and stance words. A code is given when the weighted hits
in an excerpt reach ``min_score``, so two weak indicators count as one direct
term. Terms of a family with ``polarity: negativ`` speak of the theme's
absence ("förbundet är osynligt"): their hits are flagged ``negated``, and a
negated one ("ingen ifrågasätter förbundet") affirms the theme.

The built-in codebook (:meth:`Codebook.default`) is a starting point that the
evaluator edits (:meth:`Codebook.add`, :meth:`Codebook.update`,
:meth:`Codebook.remove`) and saves as YAML or JSON. Other frameworks ship as
ready alternatives (:meth:`Codebook.framework`).
"""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field, fields, replace
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from ..errors import CodebookError
from .text import STOPWORDS, tokenize

__all__ = ["Code", "Codebook", "FRAMEWORKS", "FAMILY_WEIGHTS", "unused_terms"]

#: Default weight of an indicator family by name (a family may set its own ``weight``).
FAMILY_WEIGHTS: dict[str, float] = {"direkt": 1.0, "indirekt": 0.5, "bilder": 1.0, "hallning": 0.5}
_POLARITIES = ("positiv", "negativ")
_TERM_SPLIT_RE = re.compile(r"\s*[,;\n]\s*")

_ID_RE = re.compile(r"^[a-z0-9_]+$")

#: Built-in frameworks: name -> (file, aliases).
FRAMEWORKS: dict[str, tuple[str, tuple[str, ...]]] = {
    "teman": ("default.yaml", ("default", "finsam", "standard")),
    "organiserande_funktioner": ("organiserande_funktioner.yaml", ("organising_functions", "funktioner")),
    "boklund": ("boklund.yaml", ("samverkanstrappan", "kontinuum", "continuum")),
    "huxham": ("huxham.yaml", ("samverkansfaktorer", "collaboration_factors")),
}


@dataclass
class Code:
    """One code of a codebook.

    Parameters
    ----------
    id
        Identifier used in data (lower-case ASCII, digits, ``_``).
    label
        Swedish label shown in tables and figures.
    definition
        What the code covers, for coders.
    include
        Inclusion terms: words (any inflection matches), compounds, multi-word
        phrases, ``prefix*`` terms.
    exclude
        Exclusion terms: where one matches, the code's hits on the same words
        are dropped (``handledning`` keeps ``ledning`` out of *styrning*).
    regex
        Regular expressions (case-insensitive) searched in the raw text.
    examples
        Short example phrases, for coders and documentation.
    parent
        Id of the parent code for a sub-code, else ``None``.
    indicators
        Indicator families beyond the direct terms: ``{name: {"terms": [...],
        "weight": 0.5, "polarity": "positiv" | "negativ", "beskrivning": ...,
        "nara": ["förbund"], "vikt_nara": 1.0}}``; with ``nara`` a hit in the
        same sentence as an anchor word weighs ``vikt_nara``.
        Weights default to :data:`FAMILY_WEIGHTS` (``indirekt`` 0,5,
        ``bilder`` 1, ``hallning`` 0,5; other names 1).

    Examples
    --------
    >>> c = Code("samsyn", "Samsyn", include=["samsyn", "gemensam bild"],
    ...          indicators={"indirekt": {"terms": ["drar åt samma håll"]}})
    >>> c.terms
    ['samsyn', 'gemensam bild']
    >>> c.all_terms
    ['samsyn', 'gemensam bild', 'drar åt samma håll']
    >>> c.term_weights()["drar åt samma håll"]
    (0.5, 'positiv')
    """

    id: str
    label: str
    definition: str = ""
    include: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    regex: list[str] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)
    parent: str | None = None
    indicators: dict[str, dict[str, Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # A string where a list belongs would be iterated letter by letter: split it (with a warning) instead.
        for k in ("include", "exclude"):
            v = getattr(self, k)
            if isinstance(v, str) or not isinstance(v, list):
                setattr(self, k, _term_list(v, f"{k} i koden {self.id!r}", "", split=True))
        for k in ("regex", "examples"):
            v = getattr(self, k)
            if isinstance(v, str) or not isinstance(v, list):
                setattr(self, k, _term_list(v, f"{k} i koden {self.id!r}", "", split=False))
        if not isinstance(self.indicators, dict):
            raise CodebookError(
                f"Koden {self.id!r}: indicators ska vara en mappning familj -> {{terms: [...], weight: 0.5}}, "
                f"fick {type(self.indicators).__name__}."
            )

    @property
    def terms(self) -> list[str]:
        """The inclusion terms (alias of ``include``)."""
        return list(self.include)

    @property
    def all_terms(self) -> list[str]:
        """Direct terms and the terms of every indicator family, in order, without repeats."""
        out = list(self.include)
        for fam in self.indicators.values():
            out += list(fam.get("terms") or [])
        return list(dict.fromkeys(out))

    def describe(self) -> str:
        """The code for an evaluator: definition, term families with weights, examples.

        Examples
        --------
        >>> print(Code("samsyn", "Samsyn", definition="Gemensam syn.", include=["samsyn"],
        ...            indicators={"indirekt": {"terms": ["synsätt"], "beskrivning": "ord för synsätt"}}).describe())
        Samsyn (samsyn)
        Gemensam syn.
        Direkta termer (vikt 1): samsyn
        indirekt (vikt 0,5; ord för synsätt): synsätt
        """
        from ..sv import fmt_num

        lines = [f"{self.label} ({self.id})"]
        if self.definition:
            lines.append(self.definition)
        if self.include:
            lines.append("Direkta termer (vikt 1): " + ", ".join(self.include))
        for name, fam in self.indicators.items():
            w = float(fam.get("weight", FAMILY_WEIGHTS.get(name, 1.0)))
            bits = [f"vikt {fmt_num(w, 1 if w % 1 else 0)}"]
            if fam.get("polarity") == "negativ":
                bits.append("negativ: talar om att temat saknas")
            if fam.get("nara"):
                bits.append(f"vikt {fmt_num(float(fam.get('vikt_nara', 1.0)), 0)} i samma mening som "
                            + "/".join(fam["nara"]))
            if fam.get("beskrivning"):
                bits.append(str(fam["beskrivning"]))
            lines.append(f"{name} ({'; '.join(bits)}): " + ", ".join(fam.get("terms") or []))
        if self.exclude:
            lines.append("Exkluderas: " + ", ".join(self.exclude))
        if self.examples:
            lines.append("Exempel: " + " | ".join(self.examples))
        return "\n".join(lines)

    def term_specs(self) -> dict[str, dict[str, Any]]:
        """``{term: {weight, polarity, family, near, near_weight}}`` for every inclusion term.

        ``near`` are the family's anchor words (``nara``): when one of them is
        in the same sentence as the hit, the hit weighs ``near_weight``
        (``vikt_nara``, default 1) instead of the family's weight.
        """
        out: dict[str, dict[str, Any]] = {
            t: {"weight": 1.0, "polarity": "positiv", "family": "term", "near": (), "near_weight": 1.0}
            for t in self.include
        }
        for name, fam in self.indicators.items():
            spec = {"weight": float(fam.get("weight", FAMILY_WEIGHTS.get(name, 1.0))),
                    "polarity": str(fam.get("polarity", "positiv")), "family": name,
                    "near": tuple(str(x).lower() for x in fam.get("nara") or ()),
                    "near_weight": float(fam.get("vikt_nara", 1.0))}
            for t in fam.get("terms") or []:
                out.setdefault(t, spec)
        return out

    def term_weights(self) -> dict[str, tuple[float, str]]:
        """``{term: (weight, polarity)}`` for every inclusion term (direct terms: 1, positiv)."""
        out: dict[str, tuple[float, str]] = {t: (1.0, "positiv") for t in self.include}
        for name, fam in self.indicators.items():
            w = float(fam.get("weight", FAMILY_WEIGHTS.get(name, 1.0)))
            pol = str(fam.get("polarity", "positiv"))
            for t in fam.get("terms") or []:
                out.setdefault(t, (w, pol))
        return out

    def to_dict(self) -> dict[str, Any]:
        """Plain dict (for YAML/JSON), empty lists and ``parent=None`` left out."""
        d = asdict(self)
        return {k: v for k, v in d.items() if v not in ([], None, "", {}) or k in ("id", "label")}

    @classmethod
    def from_dict(cls, d: dict[str, Any], *, where: str = "") -> Code:
        """Build a code from a dict, with a clear error for unknown or missing keys."""
        if not isinstance(d, dict):
            raise CodebookError(f"Kodboken{where}: varje kod ska vara en mappning med nycklarna id, label ..., fick {type(d).__name__}.")
        known = {f.name for f in fields(cls)}
        aliases = {"terms": "include", "namn": "label", "etikett": "label", "definition_sv": "definition"}
        d = {aliases.get(k, k): v for k, v in d.items()}
        unknown = sorted(set(d) - known)
        if unknown:
            raise CodebookError(
                f"Kodboken{where}: okända nycklar {unknown} i koden {d.get('id')!r}; tillåtna är {sorted(known)}."
            )
        if "id" not in d or "label" not in d:
            raise CodebookError(f"Kodboken{where}: en kod saknar 'id' eller 'label' ({sorted(d)}).")
        kw = dict(d)
        for k in ("include", "exclude", "regex", "examples"):
            kw[k] = _term_list(kw.get(k), f"{k} i koden {d.get('id')!r}", where, split=k in ("include", "exclude"))
        ind = kw.get("indicators") or {}
        if not isinstance(ind, dict):
            raise CodebookError(
                f"Kodboken{where}: 'indicators' i koden {d.get('id')!r} ska vara en mappning "
                f"familj -> {{terms: [...], weight: 0.5}}, fick {type(ind).__name__}."
            )
        fams: dict[str, dict[str, Any]] = {}
        for name, fam in ind.items():
            if isinstance(fam, (list, str)):
                fam = {"terms": fam}
            if not isinstance(fam, dict):
                raise CodebookError(
                    f"Kodboken{where}: familjen {name!r} i koden {d.get('id')!r} ska vara en lista av termer "
                    f"eller en mappning med terms, weight, polarity."
                )
            bad = sorted(set(fam) - {"terms", "weight", "polarity", "beskrivning", "nara", "vikt_nara"})
            if bad:
                raise CodebookError(
                    f"Kodboken{where}: okända nycklar {bad} i familjen {name!r} i koden {d.get('id')!r}; "
                    f"tillåtna är terms, weight, polarity, beskrivning, nara, vikt_nara."
                )
            fam = dict(fam)
            fam["terms"] = _term_list(fam.get("terms"), f"familjen {name!r} i koden {d.get('id')!r}", where, split=True)
            if "nara" in fam:
                fam["nara"] = _term_list(fam.get("nara"), f"nara i familjen {name!r} i koden {d.get('id')!r}", where,
                                         split=True)
            fams[str(name)] = fam
        kw["indicators"] = fams
        kw["id"] = str(kw["id"])
        kw["label"] = str(kw["label"])
        kw["definition"] = str(kw.get("definition") or "").strip()
        kw["parent"] = None if kw.get("parent") in (None, "") else str(kw["parent"])
        return cls(**kw)


class Codebook:
    """An ordered, editable set of codes.

    Parameters
    ----------
    codes
        The codes, in the order tables and figures show them.
    name, version, description
        Shown in reports and stored in exports.
    validate
        Check the codebook at once (default) and raise :class:`CodebookError`.

    Examples
    --------
    >>> cb = Codebook.default()
    >>> len(cb), cb.ids[:3]
    (13, ['legitimitet', 'samsyn', 'implementering'])
    >>> cb.get("forankring").label
    'Förankring'
    >>> cb.add(Code("ekonomi", "Ekonomi", include=["budget", "kostnader"]))
    >>> cb.remove("ekonomi")
    >>> Codebook.framework("boklund").ids
    ['specialisering', 'koordination', 'kollaboration', 'integrering']
    """

    def __init__(
        self,
        codes: Iterable[Code | dict[str, Any]] = (),
        *,
        name: str = "kodbok",
        version: str = "1.0",
        description: str = "",
        validate: bool = True,
    ) -> None:
        self._codes: list[Code] = [c if isinstance(c, Code) else Code.from_dict(c) for c in codes]
        self.name = name
        self.version = str(version)
        self.description = description
        if validate:
            self.validate()

    # -- container protocol -------------------------------------------------
    @property
    def codes(self) -> list[Code]:
        return list(self._codes)

    @property
    def ids(self) -> list[str]:
        return [c.id for c in self._codes]

    @property
    def labels(self) -> dict[str, str]:
        """``{id: label}`` in codebook order."""
        return {c.id: c.label for c in self._codes}

    def get(self, id: str) -> Code:
        for c in self._codes:
            if c.id == id:
                return c
        raise CodebookError(f"Koden {id!r} finns inte i kodboken {self.name!r}; koder: {', '.join(self.ids)}.")

    def __contains__(self, id: object) -> bool:
        return id in self.ids

    def __iter__(self) -> Iterator[Code]:
        return iter(list(self._codes))

    def __len__(self) -> int:
        return len(self._codes)

    def __getitem__(self, id: str) -> Code:
        return self.get(id)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Codebook):
            return NotImplemented
        return (self._codes, self.name, self.version, self.description) == (
            other._codes, other.name, other.version, other.description)

    def __repr__(self) -> str:
        return f"Codebook(name={self.name!r}, version={self.version!r}, codes={self.ids})"

    def children(self, id: str) -> list[Code]:
        """Sub-codes whose parent is ``id``."""
        return [c for c in self._codes if c.parent == id]

    def copy(self) -> Codebook:
        return Codebook([replace(c, include=list(c.include), exclude=list(c.exclude), regex=list(c.regex),
                                 examples=list(c.examples),
                                 indicators={k: {**v, "terms": list(v.get("terms") or [])}
                                             for k, v in c.indicators.items()}) for c in self._codes],
                        name=self.name, version=self.version, description=self.description, validate=False)

    # -- editing -------------------------------------------------------------
    def add(self, code: Code | dict[str, Any], *, after: str | None = None) -> None:
        """Add a code (at the end, or after the code ``after``); the codebook is re-validated."""
        code = code if isinstance(code, Code) else Code.from_dict(code)
        new = list(self._codes)
        pos = len(new) if after is None else self.ids.index(self.get(after).id) + 1
        new.insert(pos, code)
        self._check_and_set(new)

    def remove(self, id: str) -> None:
        """Remove a code; sub-codes pointing to it must be removed or re-parented first."""
        self.get(id)
        kids = [c.id for c in self._codes if c.parent == id]
        if kids:
            raise CodebookError(f"Koden {id!r} har underkoder ({', '.join(kids)}); ta bort eller flytta dem först.")
        self._codes = [c for c in self._codes if c.id != id]

    def update(self, id: str, /, **changes: Any) -> None:
        """Change fields of a code, e.g. ``update("samsyn", include=[...], label="Samsyn och mål")``.

        ``add_include=[...]`` / ``add_exclude=[...]`` append terms instead of replacing them.
        """
        old = self.get(id)
        extra = {k: changes.pop(k) for k in ("add_include", "add_exclude") if k in changes}
        known = {f.name for f in fields(Code)}
        unknown = sorted(set(changes) - known)
        if unknown:
            raise CodebookError(f"update: okända fält {unknown}; tillåtna är {sorted(known)} och add_include/add_exclude.")
        new_code = replace(old, **changes)
        if "add_include" in extra:
            new_code.include = list(new_code.include) + _term_list(extra["add_include"], "add_include", "", split=True)
        if "add_exclude" in extra:
            new_code.exclude = list(new_code.exclude) + _term_list(extra["add_exclude"], "add_exclude", "", split=True)
        new = [new_code if c.id == id else c for c in self._codes]
        if "id" in changes and changes["id"] != id:  # keep children attached
            new = [replace(c, parent=changes["id"]) if c.parent == id else c for c in new]
        self._check_and_set(new)

    def _check_and_set(self, new: list[Code]) -> None:
        Codebook(new, name=self.name, version=self.version, validate=True)
        self._codes = new

    # -- validation ----------------------------------------------------------
    def validate(self) -> Codebook:
        """Check ids, parents and terms; raise :class:`CodebookError` naming the code and term.

        Checked: ids are lower-case ASCII and unique, labels are not empty,
        parents exist and do not form a cycle, and every term can match
        something (not empty, not only stop-words or punctuation, a valid
        regular expression).

        Examples
        --------
        >>> Codebook([Code("a", "A", include=["och"])])
        Traceback (most recent call last):
        ...
        finsam_eval.errors.CodebookError: Koden 'a': termen 'och' kan aldrig ge en meningsfull träff (den består bara av småord som 'och'); använd ett innehållsord eller en fras.
        """
        seen: set[str] = set()
        for c in self._codes:
            if not c.id or not _ID_RE.match(c.id):
                raise CodebookError(
                    f"Ogiltigt kod-id {c.id!r}: använd små bokstäver a-z, siffror och understreck (t.ex. 'styrning')."
                )
            if c.id in seen:
                raise CodebookError(f"Kod-id {c.id!r} förekommer flera gånger i kodboken; varje kod behöver ett unikt id.")
            seen.add(c.id)
            if not str(c.label).strip():
                raise CodebookError(f"Koden {c.id!r} saknar etikett (label).")
        for c in self._codes:
            if c.parent is not None and c.parent not in seen:
                raise CodebookError(
                    f"Koden {c.id!r} har föräldern {c.parent!r}, som inte finns i kodboken; lägg till den eller ta bort parent."
                )
            if c.parent == c.id:
                raise CodebookError(f"Koden {c.id!r} kan inte vara sin egen förälder.")
        parents = {c.id: c.parent for c in self._codes}
        for c in self._codes:
            path, p = [c.id], c.parent
            while p is not None:
                if p in path:
                    raise CodebookError(f"Föräldrarna bildar en cirkel: {' -> '.join([*path, p])}.")
                path.append(p)
                p = parents.get(p)
        for c in self._codes:
            for kind, terms in (("termen", c.include), ("exkluderingstermen", c.exclude)):
                for t in terms:
                    _check_term(c.id, kind, t)
            for name, fam in c.indicators.items():
                for t in fam.get("terms") or []:
                    _check_term(c.id, f"termen (familjen {name!r})", t)
                w = fam.get("weight", FAMILY_WEIGHTS.get(name, 1.0))
                if not isinstance(w, (int, float)) or isinstance(w, bool) or not 0 < float(w) <= 5:
                    raise CodebookError(
                        f"Koden {c.id!r}: familjen {name!r} har vikten {w!r}; ange ett tal större än 0 och högst 5."
                    )
                wn = fam.get("vikt_nara", 1.0)
                if not isinstance(wn, (int, float)) or isinstance(wn, bool) or not 0 < float(wn) <= 5:
                    raise CodebookError(
                        f"Koden {c.id!r}: familjen {name!r} har vikt_nara {wn!r}; ange ett tal större än 0 och högst 5."
                    )
                for a in fam.get("nara") or []:
                    if len(str(a).strip()) < 4 or " " in str(a).strip():
                        raise CodebookError(
                            f"Koden {c.id!r}: ankarordet {a!r} i familjen {name!r} ska vara ett ord med minst fyra "
                            f"bokstäver (det räcker att ordet finns i en längre ord, t.ex. 'förbund')."
                        )
                if fam.get("polarity", "positiv") not in _POLARITIES:
                    raise CodebookError(
                        f"Koden {c.id!r}: familjen {name!r} har polariteten {fam.get('polarity')!r}; "
                        f"ange 'positiv' eller 'negativ'."
                    )
            for rx in c.regex:
                if not str(rx).strip():
                    raise CodebookError(f"Koden {c.id!r}: ett tomt reguljärt uttryck kan aldrig ge en meningsfull träff.")
                try:
                    re.compile(rx)
                except re.error as exc:
                    raise CodebookError(f"Koden {c.id!r}: det reguljära uttrycket {rx!r} är ogiltigt ({exc}).") from None
                if re.compile(rx, re.IGNORECASE).fullmatch(""):
                    raise CodebookError(f"Koden {c.id!r}: det reguljära uttrycket {rx!r} matchar tom text och skulle ge träff överallt.")
        return self

    def merge(self, other: Codebook, *, on_conflict: str = "error", name: str | None = None) -> Codebook:
        """A new codebook with the codes of this one and then those of ``other``.

        Parameters
        ----------
        other
            The codebook to add.
        on_conflict
            What to do with a code id that is in both: ``"error"`` (default:
            :class:`CodebookError` naming the ids), ``"union"`` (one code whose
            terms, exclusions, expressions, examples and indicator families
            are the union; label and definition from this codebook), ``"self"``
            or ``"other"`` (keep that side's code whole).
        name
            Name of the result (default: ``"<this>+<other>"``).

        Examples
        --------
        >>> a = Codebook([Code("ekonomi", "Ekonomi", include=["budget"])], name="a")
        >>> b = Codebook([Code("ekonomi", "Ekonomi", include=["kostnad"]), Code("tid", "Tid", include=["tidsbrist"])],
        ...              name="b")
        >>> m = a.merge(b, on_conflict="union")
        >>> m.ids, m["ekonomi"].include
        (['ekonomi', 'tid'], ['budget', 'kostnad'])
        >>> a.merge(b)
        Traceback (most recent call last):
        ...
        finsam_eval.errors.CodebookError: merge: koden 'ekonomi' finns i båda kodböckerna ('a' och 'b'); välj on_conflict='union', 'self' eller 'other'.
        """
        if not isinstance(other, Codebook):
            raise CodebookError(f"merge: other ska vara en Codebook, fick {type(other).__name__}.")
        if on_conflict not in ("error", "union", "self", "other"):
            raise CodebookError(f"merge: on_conflict={on_conflict!r}; välj 'error', 'union', 'self' eller 'other'.")
        mine = self.copy()._codes
        theirs = {c.id: c for c in other.copy()._codes}
        both = [c.id for c in mine if c.id in theirs]
        if both and on_conflict == "error":
            raise CodebookError(
                f"merge: koden {both[0]!r} finns i båda kodböckerna ({self.name!r} och {other.name!r})"
                + (f" liksom {', '.join(repr(b) for b in both[1:])}" if len(both) > 1 else "")
                + "; välj on_conflict='union', 'self' eller 'other'."
            )
        out: list[Code] = []
        for c in mine:
            o = theirs.get(c.id)
            if o is None or on_conflict == "self":
                out.append(c)
            elif on_conflict == "other":
                out.append(o)
            else:
                fams = {k: dict(v) for k, v in c.indicators.items()}
                for k, v in o.indicators.items():
                    if k in fams:
                        fams[k]["terms"] = list(dict.fromkeys(list(fams[k].get("terms") or []) + list(v.get("terms") or [])))
                    else:
                        fams[k] = dict(v)

                def u(a: list[str], b: list[str]) -> list[str]:
                    return list(dict.fromkeys(list(a) + list(b)))

                out.append(replace(c, include=u(c.include, o.include), exclude=u(c.exclude, o.exclude),
                                   regex=u(c.regex, o.regex), examples=u(c.examples, o.examples),
                                   definition=c.definition or o.definition, parent=c.parent or o.parent,
                                   indicators=fams))
        ids = {c.id for c in out}
        out += [c for c in other.copy()._codes if c.id not in ids]
        desc = "\n".join(x for x in (self.description, other.description) if x)
        return Codebook(out, name=name or f"{self.name}+{other.name}", version=self.version, description=desc)

    def unused_terms(self, texts: Iterable[str]) -> pd.DataFrame:
        """Every term of this codebook that matches nothing in ``texts`` (see :func:`unused_terms`)."""
        return unused_terms(self, texts)

    # -- built-ins ------------------------------------------------------------
    @classmethod
    def default(cls) -> Codebook:
        """The built-in codebook of 13 themes for evaluations of samordningsförbund."""
        return cls.framework("teman")

    @classmethod
    def frameworks(cls) -> list[str]:
        """Names of the built-in frameworks."""
        return list(FRAMEWORKS)

    @classmethod
    def framework(cls, name: str) -> Codebook:
        """A built-in framework as a codebook.

        ``"teman"`` (default themes), ``"organiserande_funktioner"``
        (problemdefiniering, prioritering, resursmobilisering,
        samarbetsprocesser, utvärdering), ``"boklund"`` (specialisering,
        koordination, kollaboration, integrering) and ``"huxham"`` (four
        collaboration factors, each with sub-codes for möjligheter and hinder).
        """
        key = str(name).lower().replace("-", "_").replace(" ", "_")
        for fw, (fname, aliases) in FRAMEWORKS.items():
            if key == fw or key in aliases:
                text = resources.files(__package__).joinpath("codebooks").joinpath(fname).read_text(encoding="utf-8")
                return cls._from_mapping(yaml.safe_load(text), where=f" {fname}")
        raise CodebookError(f"Okänt ramverk {name!r}; välj bland {', '.join(FRAMEWORKS)}.")

    # -- serialisation ----------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "version": self.version,
            "description": self.description,
            "codes": [c.to_dict() for c in self._codes],
        }

    @classmethod
    def _from_mapping(cls, data: Any, *, where: str = "") -> Codebook:
        if isinstance(data, list):
            data = {"codes": data}
        if not isinstance(data, dict) or "codes" not in data:
            raise CodebookError(f"Kodboken{where} ska ha nyckeln 'codes' med en lista av koder (id, label, include ...).")
        codes = [Code.from_dict(d, where=where) for d in (data.get("codes") or [])]
        return cls(codes, name=str(data.get("name") or "kodbok"), version=str(data.get("version") or "1.0"),
                   description=str(data.get("description") or "").strip())

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Codebook:
        return cls._from_mapping(data)

    def to_yaml(self, path: str | Path | None = None) -> str:
        """YAML text (UTF-8, å/ä/ö kept); written to ``path`` when given."""
        text = yaml.safe_dump(self.to_dict(), allow_unicode=True, sort_keys=False, width=100)
        if path is not None:
            Path(path).write_text(text, encoding="utf-8")
        return text

    @classmethod
    def from_yaml(cls, source: str | Path) -> Codebook:
        """Read a codebook from a YAML file (or YAML text)."""
        text, where = _read_source(source)
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise CodebookError(f"Kodboken{where} är inte giltig YAML: {exc}") from None
        return cls._from_mapping(data, where=where)

    def to_json(self, path: str | Path | None = None) -> str:
        text = json.dumps(self.to_dict(), ensure_ascii=False, indent=2)
        if path is not None:
            Path(path).write_text(text, encoding="utf-8")
        return text

    @classmethod
    def from_json(cls, source: str | Path) -> Codebook:
        text, where = _read_source(source)
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise CodebookError(f"Kodboken{where} är inte giltig JSON: {exc}") from None
        return cls._from_mapping(data, where=where)

    @classmethod
    def read(cls, path: str | Path) -> Codebook:
        """Read YAML, JSON or REFI-QDA QDC by file extension."""
        p = Path(path)
        suf = p.suffix.lower()
        if suf in (".yaml", ".yml"):
            return cls.from_yaml(p)
        if suf == ".json":
            return cls.from_json(p)
        if suf == ".qdc":
            from .refi import read_qdc

            return read_qdc(p)
        raise CodebookError(f"Kodboken {p.name}: okänt filformat {suf!r}; använd .yaml, .json eller .qdc.")

    def table(self) -> pd.DataFrame:
        """One row per code: id, etikett, förälder, definition, antal termer, indikatorfamiljer.

        :meth:`Code.describe` gives one code in full for an evaluator.
        """
        return pd.DataFrame(
            [
                {"kod": c.id, "etikett": c.label, "foralder": c.parent, "definition": c.definition,
                 "antal_termer": len(c.all_terms) + len(c.regex), "exempel_termer": ", ".join(c.include[:6]),
                 "indikatorfamiljer": ", ".join(c.indicators)}
                for c in self._codes
            ],
            columns=["kod", "etikett", "foralder", "definition", "antal_termer", "exempel_termer", "indikatorfamiljer"],
        )


def _read_source(source: str | Path) -> tuple[str, str]:
    if isinstance(source, Path) or (isinstance(source, str) and "\n" not in source and len(source) < 1000
                                    and Path(source).suffix.lower() in (".yaml", ".yml", ".json", ".txt")):
        p = Path(source)
        if not p.exists():
            raise CodebookError(f"Kodboksfilen {p} finns inte.")
        return p.read_text(encoding="utf-8-sig"), f" {p.name}"
    return str(source), ""


def unused_terms(codebook: Codebook, texts: Iterable[str]) -> pd.DataFrame:
    """The terms of ``codebook`` that match nothing in ``texts``.

    A term that never matches is either not used by the people interviewed or
    written so that it cannot match (a typo, a phrase in the wrong order):
    both are worth a look before the coding is trusted. Exclusion terms and
    regular expressions are listed too.

    Parameters
    ----------
    codebook
        The codebook.
    texts
        The material: a list or Series of texts (missing values are skipped).

    Returns
    -------
    pandas.DataFrame
        One row per unused term: ``kod``, ``term``, ``typ`` (``term``,
        ``exkludering``, ``regex`` or the name of the indicator family).

    Examples
    --------
    >>> cb = Codebook([Code("samsyn", "Samsyn", include=["samsyn", "gemensam målbild", "samsyyn"])])
    >>> unused_terms(cb, ["Vi har en tydlig samsyn.", "Målbilden är gemensam."])["term"].tolist()
    ['gemensam målbild', 'samsyyn']
    """
    from .matching import CompiledCodebook

    if isinstance(texts, str):
        raise CodebookError("unused_terms: texts ska vara en lista eller kolumn av texter, inte en enda sträng.")
    cc = CompiledCodebook(codebook)
    used: set[int] = set()
    for t in texts:
        if isinstance(t, str) and t.strip():
            used.update(cc.term_indices(t))
    rows = []
    for i, term in enumerate(cc.terms):
        if i not in used:
            rows.append({"kod": term.code, "term": term.term, "typ": cc.term_kind(i)})
    return pd.DataFrame(rows, columns=["kod", "term", "typ"])


def _term_list(value: Any, what: str, where: str, *, split: bool) -> list[str]:
    """A list of terms from YAML: a string with commas or semicolons is split, with a warning."""
    if value is None or value == "":
        return []
    if isinstance(value, str):
        parts = [p for p in _TERM_SPLIT_RE.split(value.strip()) if p] if split else [value]
        if len(parts) > 1:
            warnings.warn(
                f"Kodboken{where}: {what} är skriven som en sträng ({value[:60]!r}); den delas vid kommatecken "
                f"till {len(parts)} termer. Skriv en lista (en term per rad med '- ') så blir det entydigt.",
                UserWarning, stacklevel=4,
            )
        return parts
    if isinstance(value, dict):
        raise CodebookError(f"Kodboken{where}: {what} ska vara en lista av termer, fick en mappning.")
    if not isinstance(value, (list, tuple)):
        value = [value]
    out = []
    for x in value:
        if isinstance(x, (list, dict, tuple)):
            raise CodebookError(f"Kodboken{where}: {what} innehåller {x!r}, som inte är en term; skriv en term per rad.")
        out.append(str(x))
    return out


def _check_term(code_id: str, kind: str, term: str) -> None:
    t = str(term).strip()
    if not t or t == "*":
        raise CodebookError(f"Koden {code_id!r}: {kind} {term!r} är tom och kan aldrig ge träff; ta bort den.")
    toks = tokenize(t.rstrip("*"))
    if not toks:
        raise CodebookError(
            f"Koden {code_id!r}: {kind} {term!r} kan aldrig ge träff (den innehåller inga bokstäver eller siffror)."
        )
    if all(tok in STOPWORDS for tok in toks):
        raise CodebookError(
            f"Koden {code_id!r}: {kind} {term!r} kan aldrig ge en meningsfull träff (den består bara av småord som "
            f"'{toks[0]}'); använd ett innehållsord eller en fras."
        )
    if t.endswith("*") and len(t.rstrip("*")) < 4:
        raise CodebookError(
            f"Koden {code_id!r}: prefixtermen {term!r} är för kort (minst fyra bokstäver före '*'), annars ger den träff på alltför många ord."
        )
