"""Swedish personnummer and samordningsnummer: validate, find and mask.

A personnummer is ``YYMMDD-NNNC`` (10 digits) or ``YYYYMMDDNNNC`` (12 digits);
the last digit ``C`` is a Luhn check digit over the 10-digit form. A
samordningsnummer is built the same way with 60 added to the day. People aged
100 or more write ``+`` instead of ``-`` in the 10-digit form.

Numbers reach us written in many ways: with a hyphen, plus, en or em dash,
minus sign, no-break hyphen, " - ", a space or no-break space, no separator,
or digit-grouped as a formatted number shows them (``198 503 121 231``,
``8 503 121 231``, ``198,503,121,231``). All are found. A form with a dash or
plus is unambiguous, so a plausible date is enough there (a mistyped number is
still personal data); forms that an ordinary count or amount can also take
(digit groups always; no separator and space when ``require_checksum=None``,
the mode of the output guard) must also pass the Luhn check.

Nothing in this module returns, logs or puts a number it found into an error
message: callers get positions, counts and masked text.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

__all__ = [
    "is_valid_personnummer",
    "is_samordningsnummer",
    "find_personnummer",
    "mask_personnummer",
    "contains_personnummer",
    "scan_frame",
    "luhn_ok",
]

# A candidate: optional century, six date digits, a separator, four digits; or
# the 10/12 digits grouped by threes as a formatted number. Lookarounds instead
# of \b so that "pnr:19121212-1212," still matches. Each form is a named group:
# ``dash`` (any hyphen, dash, minus or plus, optionally spaced), ``grp12`` and
# ``grp10`` (thousands groups, one separator character repeated), ``space``
# (one space of any kind) and ``plain`` (no separator).
_SPACES = "[ \u00a0\u202f\u2009\u2007]"
_DASHES = "[-+\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d]"
_GROUP_SEP = "[ \u00a0\u202f\u2009\u2007,.'\u2019]"
_CANDIDATE = re.compile(
    r"(?<!\d)(?:"
    rf"(?P<dash>(?:18|19|20)?\d{{6}}{_SPACES}?{_DASHES}{_SPACES}?\d{{4}})"
    rf"|(?P<grp12>(?:18|19|20)\d(?P<s12>{_GROUP_SEP})\d{{3}}(?P=s12)\d{{3}}(?P=s12)\d{{3}}(?!(?P=s12)\d))"
    rf"|(?P<grp10>\d(?P<s10>{_GROUP_SEP})\d{{3}}(?P=s10)\d{{3}}(?P=s10)\d{{3}}(?!(?P=s10)\d))"
    rf"|(?P<space>(?:18|19|20)?\d{{6}}{_SPACES}\d{{4}})"
    r"|(?P<plain>(?:18|19|20)?\d{6}\d{4})"
    r")(?!\d)"
)
_FORMS = ("dash", "grp12", "grp10", "space", "plain")
# Every form holds six digits in a row or three-digit groups: a cheap first test.
_QUICK = re.compile(rf"\d(?:\d{{5}}|{_GROUP_SEP}\d{{3}}{_GROUP_SEP}\d{{3}})")


def _split(m: re.Match[str]) -> tuple[str, str, str, str]:
    """(form, century, six date digits, four tail digits) of a candidate match."""
    form = next(f for f in _FORMS if m.group(f) is not None)
    digits = re.sub(r"\D", "", m.group(form))
    century = digits[:-10]
    return form, century, digits[-10:-4], digits[-4:]


def luhn_ok(digits: str) -> bool:
    """Luhn check over a string of digits (weights 2,1,2,1,... from the left)."""
    total = 0
    for i, ch in enumerate(digits):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def _date_ok(yymmdd: str, century: str, allow_coordination: bool) -> tuple[bool, bool]:
    """Return (plausible date, is samordningsnummer)."""
    yy, mm, dd = int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:6])
    coord = dd > 60
    if coord:
        if not allow_coordination:
            return False, False
        dd -= 60
    year = int(century + yymmdd[:2]) if century else 2000 + yy  # any leap-year-consistent century
    try:
        _dt.date(year, mm, dd)
    except ValueError:
        if not century and mm == 2 and dd == 29:  # 29 Feb in a century we cannot know
            return (yy % 4 == 0), coord
        return False, coord
    return True, coord


def _parse(value: object) -> tuple[str, str, str] | None:
    if value is None:
        return None
    s = str(value).strip()
    m = _CANDIDATE.fullmatch(s)
    if not m:
        return None
    _, century, date, tail = _split(m)
    return century, date, tail


def is_valid_personnummer(value: object, *, allow_coordination: bool = True) -> bool:
    """True if ``value`` is a valid personnummer (or samordningsnummer).

    Parameters
    ----------
    value
        10 or 12 digits, with or without a separator (any of the forms above).
    allow_coordination
        Accept samordningsnummer (day + 60).

    Examples
    --------
    >>> is_valid_personnummer("19121212-1212"), is_valid_personnummer("121212-1213")
    (True, False)
    >>> is_valid_personnummer("701063-2391")  # samordningsnummer, day 63 = 3 + 60
    True
    """
    p = _parse(value)
    if p is None:
        return False
    century, date, tail = p
    ok, _ = _date_ok(date, century, allow_coordination)
    return ok and luhn_ok(date + tail)


def is_samordningsnummer(value: object) -> bool:
    """True if ``value`` is a valid samordningsnummer (day + 60)."""
    p = _parse(value)
    return p is not None and int(p[1][4:6]) > 60 and is_valid_personnummer(value)


@dataclass(frozen=True)
class _Hit:
    start: int
    end: int
    valid: bool


def find_personnummer(text: str, *, require_checksum: bool | None = False) -> list[tuple[int, int]]:
    """Positions ``(start, end)`` of personnummer-like strings in ``text``.

    Parameters
    ----------
    text
        Any text.
    require_checksum
        ``False`` (default): a plausible date is enough, except for digit
        groups (``198 503 121 231``), which must pass the Luhn check; a
        mistyped number is still personal data and must not be published.
        ``None``: the output guard's mode: forms an ordinary number can take
        (no separator, a space, digit groups) must pass the Luhn check, dash
        and plus forms need a plausible date only. ``True``: always Luhn.

    Examples
    --------
    >>> find_personnummer("pnr 19121212\u20131212 och 121212 1212")
    [(4, 17), (22, 33)]
    >>> find_personnummer("belopp 1 212 121 213 kr")  # wrong check digit: an amount
    []
    >>> find_personnummer("198 503 121 231")
    [(0, 15)]
    """
    hits: list[tuple[int, int]] = []
    if not text or not _QUICK.search(text):
        return hits
    for m in _CANDIDATE.finditer(text):
        form, century, date, tail = _split(m)
        ok, _ = _date_ok(date, century, True)
        if not ok:
            continue
        luhn = (
            require_checksum is True
            or form in ("grp12", "grp10")
            or (require_checksum is None and form in ("space", "plain"))
        )
        if luhn and not luhn_ok(date + tail):
            continue
        hits.append((m.start(), m.end()))
    return hits


def contains_personnummer(text: str, *, require_checksum: bool | None = False) -> bool:
    """True if ``text`` holds anything that looks like a personnummer."""
    return bool(find_personnummer(str(text), require_checksum=require_checksum))


def mask_personnummer(text: str, replacement: str = "[personnummer]") -> tuple[str, int]:
    """Replace every personnummer-like string; return the new text and the count."""
    hits = find_personnummer(text)
    out, last = [], 0
    for s, e in hits:
        out.append(text[last:s])
        out.append(replacement)
        last = e
    out.append(text[last:])
    return "".join(out), len(hits)


def scan_frame(df: pd.DataFrame, columns: Iterable[str] | None = None) -> pd.DataFrame:
    """Count personnummer-like values per column (no values are returned).

    Returns a table with ``kolumn``, ``antal`` and the first row labels, for
    columns with at least one hit. Number columns (integers and
    integer-valued floats, as Excel stores a personnummer) count too.

    Examples
    --------
    >>> df = pd.DataFrame({"pnr": [198503121231.0, 5.0], "txt": ["ring 850312\u20131231", "nej"], "n": [12, 40]})
    >>> scan_frame(df)[["kolumn", "antal"]].values.tolist()
    [['pnr', 1], ['txt', 1]]
    """
    from .guard import _series_hits

    rows = []
    for col in columns if columns is not None else df.columns:
        s = df[col]
        if pd.api.types.is_bool_dtype(s):
            continue
        if pd.api.types.is_numeric_dtype(s):  # 198503121231 or 8503121231.0 from Excel: Luhn required
            hit = pd.Series(_series_hits(s), index=s.index)
        elif pd.api.types.is_object_dtype(s) or pd.api.types.is_string_dtype(s):
            hit = s.astype("string").fillna("").map(lambda v: contains_personnummer(v))
        else:
            continue
        if hit.any():
            rows.append({"kolumn": col, "antal": int(hit.sum()), "rader": list(df.index[hit.to_numpy()][:5])})
    return pd.DataFrame(rows, columns=["kolumn", "antal", "rader"])
