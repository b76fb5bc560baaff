"""Which scale do the answers use? Recognise it from the labels, or say why not.

:func:`infer_scale` looks at every distinct answer of the items together and
recognises the common Swedish families: "Stämmer inte alls ... Stämmer helt",
"Stämmer helt och hållet / Stämmer ganska bra / Stämmer delvis / Stämmer
ganska dåligt / Stämmer inte alls" (and its 4-point form without "delvis"),
"Instämmer helt ... Instämmer inte alls", "I mycket hög grad ... Inte alls",
"Mycket bra ... Mycket dålig", "Mycket nöjd ... Mycket missnöjd", "Ja, helt /
Ja, delvis / Nej", "Ja, absolut ... Inte alls", numbers with end labels
("1 = Inte alls" ... "5 = Helt") and SPSS value labels. "Vet ej", "Ej
aktuellt", "Ingen åsikt", "Vill ej svara", "Kan ej bedöma" and their usual
spellings are kept out of the base, each under its own label.

A label belongs to a family only if it *is* one of the family's labels (after
normalising case, blanks and punctuation, or as an inflection); nothing is
placed by resemblance. Answers that fit no family, or fit two families equally
well, are an error that lists the labels and shows how to define the scale.

:func:`check_scale_labels` reports, without raising, how every raw label of the
items would be read on a scale (for ``finsam-eval kontrollera --typ enkat``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..errors import FinsamError, MissingColumnError, ScaleError
from .scales import (
    NS_VARIANTS,
    SCALES,
    LabelMatch,
    Scale,
    _conflicts,
    _lead_num,
    _line_numbers,
    _mask,
    _num_key,
    _polarity,
    _show,
    _squash,
    label_key,
)

__all__ = ["FAMILIES", "NON_SUBSTANTIVE_LABELS", "infer_scale", "check_scale_labels", "ScaleCheck"]

#: The presets :func:`infer_scale` recognises, most specific first.
FAMILIES: tuple[str, ...] = (
    "stammer5", "stammer_ganska5", "stammer_ganska4", "instammer5", "instammer_avstand5", "grad5", "bra5", "nojd5",
    "ja_helt3",
    "ja_absolut4",
)

#: Non-substantive answers an inferred scale keeps out of the base, with their usual spellings.
NON_SUBSTANTIVE_LABELS: dict[str, tuple[str, ...]] = {
    "Vet ej": ("vet ej", "vet inte", "vetej", "ingen uppfattning", "vet ej/ingen uppfattning"),
    "Ej aktuellt": NS_VARIANTS["Ej aktuellt"],
    "Ingen åsikt": ("ingen åsikt", "har ingen åsikt"),
    "Vill ej svara": NS_VARIANTS["Vill ej svara"],
    "Kan ej bedöma": ("kan ej bedöma", "kan inte bedöma", "vet ej / kan ej bedöma"),
}
_NS_KEYS: dict[str, str] = {label_key(v): canon for canon, vs in NON_SUBSTANTIVE_LABELS.items()
                            for v in (canon, *vs)}

def _family_keys(sc: Scale) -> dict[str, str]:
    keys = {label_key(x): x for x in sc.levels}
    for v, canon in sc.variants.items():
        keys.setdefault(label_key(v), canon)
    return keys


def _spellings(values: pd.Series) -> tuple[dict[str, str], dict[str, int]]:
    """Most common spelling and total count per label key."""
    counts = values.map(lambda v: _squash(v) if isinstance(v, str) else v).value_counts(sort=True)
    spelling: dict[str, str] = {}
    total: dict[str, int] = {}
    for raw, n in counts.items():
        k = label_key(raw)
        if not k:
            continue
        spelling.setdefault(k, str(raw))
        total[k] = total.get(k, 0) + int(n)
    return spelling, total


def _number_text(raw: Any) -> tuple[float, str | None] | None:
    """``(code, end label or None)`` for "4", 4.0, "1 = Inte alls"; None for other text."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, (int, float, np.integer, np.floating)):
        return float(raw), None
    n = _num_key(raw)
    if n is not None:
        return n, None
    lead = _lead_num(raw)
    return (lead[0], _squash(lead[1])) if lead else None


def _fmt_code(c: float) -> str:
    return str(int(c)) if float(c).is_integer() else str(c).replace(".", ",")


def _ns_labels(spelling: dict[str, str], ns_keys: Sequence[str]) -> tuple[str, ...]:
    order = list(NON_SUBSTANTIVE_LABELS)
    return tuple(spelling[k] for k in sorted(ns_keys, key=lambda k: (order.index(_NS_KEYS[k]), k)))


def _numeric_scale(numbers: dict[str, tuple[float, str | None]], ns: tuple[str, ...],
                   value_labels: Mapping[float, str] | None = None) -> Scale:
    codes = sorted({c for c, _ in numbers.values()})
    texts: dict[float, set[str]] = {}
    for c, t in numbers.values():
        if t is not None:
            texts.setdefault(c, set()).add(t)
    for c, t in (value_labels or {}).items():
        texts.setdefault(float(c), set()).add(_squash(t))
    if not texts or len(texts) < 2:
        lo, hi = _fmt_code(min(codes)), _fmt_code(max(codes))
        raise ScaleError(
            f"Svaren är siffror ({lo}-{hi}) utan etiketter för båda ändarna, så skalans längd och riktning går inte "
            f"att se. Ange skalan: t.ex. scale='numeric{lo}_{hi}' (--skala {lo}-{hi}) om den går från {lo} till {hi}, "
            "eller definiera den med Scale.from_spec({'etiketter': ['1 = ...', '2', ..., '5 = ...']})."
        )
    lo, hi = min(texts), max(texts)
    outside = [c for c in codes if c < lo or c > hi]
    if outside or any(not float(c).is_integer() for c in codes):
        raise ScaleError(
            f"Svaren {', '.join(_fmt_code(c) for c in outside) or 'med decimaler'} ligger utanför skalan "
            f"{_fmt_code(lo)}-{_fmt_code(hi)} som ändetiketterna anger. Rätta svaren eller definiera skalan med "
            "Scale.from_spec({...})."
        )
    one = {c: next(iter(t)) for c, t in texts.items() if len(t) == 1}
    pol_lo, pol_hi = (_polarity(one.get(lo, "")), _polarity(one.get(hi, "")))
    if (pol_lo > 0 and pol_hi >= 0) or (pol_hi < 0 and pol_lo <= 0):
        raise ScaleError(
            f"Ändetiketterna {one.get(lo)!r} och {one.get(hi)!r} visar inte vilken ände som är positiv. "
            "Definiera skalan med Scale.from_spec({'etiketter': [...], 'ordning': 'stigande'}) eller 'fallande'."
        )
    descending = pol_lo > 0 or pol_hi < 0
    labels, variants = [], {}
    for c in range(int(lo), int(hi) + 1):
        t = one.get(float(c))
        labels.append(f"{c} = {t}" if t else str(c))
        if t and value_labels and float(c) in {float(k) for k in value_labels}:
            variants[t] = labels[-1]  # SPSS shows the label alone
    k = len(labels)
    neutral = labels[k // 2] if k % 2 == 1 else None
    name = f"numeric{int(lo)}_{int(hi)}"
    if descending:
        return Scale(labels, direction="descending", neutral=neutral, non_substantive=ns, name=name,
                     variants=variants)
    return Scale(labels, values=list(range(int(lo), int(hi) + 1)), neutral=neutral, non_substantive=ns, name=name,
                 variants=variants)


def _spss_scale(value_labels: Mapping[float, str], ns: tuple[str, ...]) -> Scale:
    """A scale from SPSS value labels whose words fit no family: order from the codes, direction from the ends."""
    items = sorted((float(c), _squash(t)) for c, t in value_labels.items() if label_key(t) not in _NS_KEYS)
    labels = [t for _, t in items]
    pol_lo, pol_hi = _polarity(labels[0]), _polarity(labels[-1])
    if pol_lo == pol_hi or (pol_lo > 0 and pol_hi > 0) or (pol_lo < 0 and pol_hi < 0):
        raise ScaleError(
            f"SPSS-filens värdeetiketter {labels} passar ingen inbyggd skala, och ändarna visar inte vilken som är "
            "positiv. Definiera skalan med Scale.from_spec({'etiketter': [...], 'ordning': 'stigande' eller "
            "'fallande'}) eller --skala 'A|B|C'."
        )
    k = len(labels)
    neutral = labels[k // 2] if k % 2 == 1 and _polarity(labels[k // 2]) == 0 else None
    codes = [c for c, _ in items]
    if pol_lo < 0 or pol_hi > 0:
        return Scale(labels, values=codes, neutral=neutral, non_substantive=ns, name="spss")
    return Scale(labels, direction="descending", neutral=neutral, non_substantive=ns, name="spss")


def _fitting_families(values: Sequence[Any]) -> list[str]:
    """The presets of :data:`FAMILIES` that hold every substantive label among ``values`` (text labels only)."""
    keys = {label_key(v) for v in values if isinstance(v, str) and label_key(v)}
    keys -= set(_NS_KEYS)
    if not keys or any(_number_text(k) is not None for k in keys):
        return []
    return [n for n in FAMILIES if keys <= set(_family_keys(SCALES[n]))]


def _describe_fit(name: str) -> str:
    return f"{name} ({' / '.join(SCALES[name].labels)})"


def _infer_labels(values: pd.Series, value_labels: Mapping[float, str] | None = None) -> Scale:
    """The scale of a set of raw answers (all items together); ScaleError when none or two fit."""
    values = values[~values.map(lambda v: isinstance(v, str) and not v.strip())]
    spelling, total = _spellings(values)
    if not spelling:
        raise ScaleError("Frågorna har inga svar, så skalan går inte att känna igen. Ange skalan (scale=...).")
    ns_keys = [k for k in spelling if k in _NS_KEYS]
    if value_labels:
        ns_keys += [label_key(t) for t in value_labels.values()
                    if label_key(t) in _NS_KEYS and label_key(t) not in ns_keys]
        for t in value_labels.values():
            spelling.setdefault(label_key(t), _squash(t))
    ns = _ns_labels(spelling, ns_keys)
    subst = {k: v for k, v in spelling.items() if k not in _NS_KEYS}
    if not subst:
        raise ScaleError(f"Frågorna har bara ickesubstantiella svar ({', '.join(map(repr, ns))}); ange skalan "
                         "(scale=...).")
    vl_subst = {float(c): _squash(t) for c, t in (value_labels or {}).items() if label_key(t) not in _NS_KEYS}
    # Numbers, with or without end labels; SPSS labels of some codes count as end labels.
    inverse = {label_key(t): c for c, t in vl_subst.items()}
    numbers: dict[str, tuple[float, str | None]] = {}
    for k, raw in subst.items():
        nt = (inverse[k], vl_subst[inverse[k]]) if k in inverse else _number_text(raw)
        if nt is None:
            break
        numbers[k] = nt
    else:
        # SPSS labels on every code of a range are a word scale (checked against the families below),
        # unless the answers themselves are numbers.
        codes = sorted(vl_subst)
        word_scale = (len(codes) >= 3 and all(float(c) in vl_subst for c in range(int(codes[0]), int(codes[-1]) + 1))
                      and all(k in inverse for k in subst))
        if not word_scale:
            return _numeric_scale(numbers, ns, vl_subst or None)
    keys = set(subst)
    if vl_subst:
        keys |= {label_key(t) for t in vl_subst.values()}
    fits, full = [], []
    best: tuple[int, str] = (-1, "")
    for name in FAMILIES:
        fam = SCALES[name]
        fk = _family_keys(fam)
        inside = keys & set(fk)
        if len(inside) > best[0]:
            best = (len(inside), name)
        if inside == keys:
            fits.append(name)
            if {fk[k] for k in inside} == set(fam.levels):
                full.append(name)
    if len(fits) == 1 or len(full) == 1:
        name = fits[0] if len(fits) == 1 else full[0]
        fam = SCALES[name]
        return Scale(**{**_fields(fam), "non_substantive": ns or fam.non_substantive})
    if len(fits) > 1:
        raise ScaleError(
            "Svaren passar flera skalor: " + " och ".join(_describe_fit(n) for n in fits[:3])
            + ", och de placerar etiketterna olika. Ange skalan (scale='" + fits[0] + "', --skala " + fits[0]
            + ") eller definiera den med Scale.from_spec({...})."
        )
    if vl_subst and len(vl_subst) >= 2:
        return _spss_scale({**vl_subst, **{c: t for c, t in (value_labels or {}).items()
                                           if label_key(t) in _NS_KEYS}}, ns)
    near = SCALES[best[1]]
    outside = sorted(keys - set(_family_keys(near)) if best[0] > 0 else keys, key=lambda k: -total.get(k, 0))
    shown = ", ".join(f"{_show(spelling[k])} ({total.get(k, 0)} svar)" for k in outside[:6])
    more = f" och {len(outside) - 6} till" if len(outside) > 6 else ""
    where = (f"Närmast är {_describe_fit(near.name)}, men {shown}{more} finns inte i den" if best[0] > 0 else
             f"{shown}{more} finns inte i någon av de inbyggda skalorna ({', '.join(FAMILIES)})")
    raise ScaleError(_mask(
        f"Svaren passar ingen känd skala. {where}. "
        "Rätta svaren eller definiera skalan: Scale.from_spec({'etiketter': [...], 'neutral': ..., 'ej_svar': "
        "['Vet ej']}), i rapportens konfiguration [enkat.skala] med etiketter = [...], eller på kommandoraden "
        "--skala 'A|B|C|D|E' --neutral C --ej-svar 'Vet ej'."
    ))


def _fields(sc: Scale) -> dict[str, Any]:
    return {"labels": sc.labels, "values": sc.values, "neutral": sc.neutral, "non_substantive": sc.non_substantive,
            "direction": sc.direction, "bottom": sc.bottom, "top": sc.top, "name": sc.name,
            "aliases": sc.aliases, "variants": sc.variants}


def _items(df: pd.DataFrame, items: Sequence[str] | str | None) -> list[str]:
    if items is None:
        items = df.attrs.get("items")
        if not items:
            raise ScaleError("Ange frågekolumnerna (items=...) som skalan ska kännas igen från.")
    items = [items] if isinstance(items, str) else list(items)
    missing = [c for c in items if c not in df.columns]
    if missing:
        raise MissingColumnError(f"Kolumnerna {missing} finns inte. Tillgängliga kolumner: {list(df.columns)}.")
    return items


def _value_labels(df: pd.DataFrame, items: Sequence[str]) -> dict[float, str] | None:
    """The SPSS value labels shared by the items (from ``df.attrs``), or None."""
    vl = df.attrs.get("value_labels") or df.attrs.get("variable_value_labels")
    if not isinstance(vl, Mapping):
        return None
    sets = [vl.get(c) for c in items if vl.get(c)]
    if not sets:
        return None
    merged: dict[float, str] = {}
    for s in sets:
        for code, lab in dict(s).items():
            c = _num_key(code)
            if c is None:
                continue
            if c in merged and label_key(merged[c]) != label_key(lab):
                raise ScaleError(
                    f"Frågorna har olika värdeetiketter för koden {_fmt_code(c)} ({merged[c]!r} och {lab!r}), så "
                    "de har inte samma skala. Sammanfatta dem var för sig eller ange skalan."
                )
            merged[c] = str(lab)
    return merged


def infer_scale(df: pd.DataFrame, items: Sequence[str] | str | None = None) -> Scale:
    """Recognise the answer scale the items use from their labels.

    Parameters
    ----------
    df
        One row per respondent. SPSS value labels in ``df.attrs["value_labels"]``
        (``{column: {code: label}}``) are used when present.
    items
        The item columns (together: they must share one scale). Default:
        ``df.attrs["items"]``.

    Returns
    -------
    Scale
        A preset of :data:`~finsam_eval.likert.SCALES` (named as there), a
        numeric scale with end labels (``"1 = Inte alls"`` ... ``"5 = Helt"``)
        or a scale from SPSS value labels. Its non-substantive answers are the
        ones found in the data ("Vet ej", "Ingen åsikt", ...), each kept apart.

    Raises
    ------
    ScaleError
        When the labels fit no family (the message lists the labels outside
        the nearest one and shows how to define the scale) or fit two
        families that place them differently.

    Examples
    --------
    >>> df = pd.DataFrame({"f1": ["Stämmer helt och hållet", "Stämmer delvis", "Stämmer ganska bra", "Vet ej"],
    ...                    "f2": ["Stämmer inte alls", "Stämmer ganska dåligt", "Ingen åsikt", None]})
    >>> s = infer_scale(df, ["f1", "f2"])
    >>> s.name, s.neutral, s.top, s.non_substantive
    ('stammer_ganska5', 'Stämmer delvis', ('Stämmer ganska bra', 'Stämmer helt och hållet'), ('Vet ej', 'Ingen åsikt'))
    >>> infer_scale(pd.DataFrame({"q": ["1 = Inte alls", "3", "5 = Helt", "4"]}), "q").labels
    ('1 = Inte alls', '2', '3', '4', '5 = Helt')
    """
    cols = _items(df, items)
    vals = pd.concat([df[c].astype(object) for c in cols], ignore_index=True).dropna()
    try:
        return _infer_labels(vals, _value_labels(df, cols))
    except ScaleError as e:
        where = f"Frågorna {', '.join(repr(c) for c in cols[:8])}" + (" m.fl." if len(cols) > 8 else "")
        src = df.attrs.get("source")
        head = f"Filen {src!r}: " if src and src != "<DataFrame>" else ""
        raise ScaleError(_mask(f"{head}{where}: {e}")) from None


@dataclass
class ScaleCheck:
    """How every raw label of the items reads on a scale; returned by :func:`check_scale_labels`.

    Attributes
    ----------
    scale : Scale or None
        The scale checked (None when it could not be inferred).
    labels : pandas.DataFrame
        One row per item and raw label: ``fraga``, ``svar`` (masked), ``skalsteg``
        (the level or non-substantive label, empty when unknown), ``hur``
        (exakt, stavning, ej_svar, variant, alias, kod, okand), ``antal`` and
        ``rader`` (first file lines).
    problems : list of str
        Unknown labels, merged answers, a scale that could not be inferred.
    """

    scale: Scale | None
    labels: pd.DataFrame
    problems: list[str] = field(default_factory=list)
    source: str | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    def table(self) -> pd.DataFrame:
        return self.labels.copy()

    def summary(self) -> str:
        head = (f"Skala: {self.scale.describe()}" if self.scale is not None else "Skala: kunde inte bestämmas")
        lines = [head]
        rec = self.labels[self.labels["hur"].isin(["stavning", "ej_svar", "variant", "alias", "kod"])]
        if len(rec):
            lines.append("Omkodningar (svar i filen -> skalsteg):")
            for _, r in rec.iterrows():
                lines.append(f"  {r['fraga']}: {r['svar']} -> {r['skalsteg']!r} ({r['hur']}, {r['antal']} svar, "
                             f"rad {r['rader']})")
        if self.problems:
            lines.append("Problem:")
            lines += [f"  {p}" for p in self.problems]
        else:
            lines.append("Alla svar passar skalan.")
        return _mask("\n".join(lines))

    def __str__(self) -> str:
        return self.summary()


def check_scale_labels(df: pd.DataFrame, items: Sequence[str] | str | None = None,
                       scale: Scale | str | Mapping[str, Any] | None = "auto") -> ScaleCheck:
    """Report how each raw label of the items would be read on ``scale``, without raising on label problems.

    Parameters
    ----------
    df
        The survey as read (``read_table`` / ``read_survey``): file lines in
        the report follow its ``attrs``.
    items
        Item columns; default ``df.attrs["items"]``.
    scale
        A scale, a preset name, ``"A|B|C"``, a definition table, a ``.toml``
        file, or ``"auto"``/None to infer it.

    Returns
    -------
    ScaleCheck
        ``.ok``, ``.problems``, ``.labels`` (one row per item and raw label),
        ``.summary()`` for printing.

    Examples
    --------
    >>> df = pd.DataFrame({"f1": ["Stämmer helt", "Stämmer ganska bra", "Stämmer delvis"]})
    >>> chk = check_scale_labels(df, ["f1"], "stammer5")
    >>> chk.ok
    False
    >>> print(chk.problems[0][:60])
    Skalan stammer5 skulle slå ihop olika svar till ett skalsteg
    """
    cols = _items(df, items)
    problems: list[str] = []
    sc: Scale | None
    if scale is None or (isinstance(scale, str) and scale == "auto"):
        try:
            sc = infer_scale(df, cols)
        except FinsamError as e:
            sc, problems = None, [str(e)]
    elif isinstance(scale, Scale):
        sc = scale
    else:  # a preset, "A|B|C", a definition table or a .toml file
        from .scale_config import scale_from_config

        sc = scale_from_config(scale, df=df, items=cols).scale
    rows = []
    all_matches: list[LabelMatch] = []
    for c in cols:
        s = df[c]
        codes, uniques = pd.factorize(s.astype(object), use_na_sentinel=True)
        counts = np.bincount(codes[codes >= 0], minlength=len(uniques))
        for i, u in enumerate(uniques):
            m = sc.match(u) if sc is not None else LabelMatch(u, None, "okand")
            if m.how == "saknas":
                continue
            all_matches.append(m)
            pos = np.flatnonzero(codes == i)
            rows.append({"fraga": c, "svar": _show(u), "skalsteg": m.label or "", "hur": m.how,
                         "antal": int(counts[i]), "rader": ", ".join(map(str, _line_numbers(s, pos[:5])))})
            if sc is not None and m.label is None:
                problems.append(_mask(f"Kolumnen {c!r}: svaret {_show(u)} ({counts[i]} st, rad "
                                      f"{rows[-1]['rader']}) finns inte i skalan {sc.name or 'utan namn'}."))
    if sc is not None:
        conf = _conflicts(all_matches)
        if conf:
            problems.insert(0, sc._conflict_message(conf, [m.raw for m in all_matches], ""))
        else:
            other = sc._other_family(all_matches, "")
            if other:
                problems.insert(0, other)
    labels = pd.DataFrame(rows, columns=["fraga", "svar", "skalsteg", "hur", "antal", "rader"])
    return ScaleCheck(sc, labels, problems, source=df.attrs.get("source"))
