"""Swedish personnummer and samordningsnummer: validate, find and mask.

A personnummer is ``YYMMDD-NNNC`` (10 digits) or ``YYYYMMDDNNNC`` (12 digits);
the last digit ``C`` is a Luhn check digit over the 10-digit form. A
samordningsnummer is built the same way with 60 added to the day. People aged
100 or more write ``+`` instead of ``-`` in the 10-digit form.

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

# A candidate: optional century, six date digits, optional separator, four digits.
# Lookarounds instead of \b so that "pnr:19121212-1212," still matches.
_CANDIDATE = re.compile(r"(?<![\d])((?:18|19|20)?)(\d{6})[-+ ]?(\d{4})(?![\d])")


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
    return m.group(1), m.group(2), m.group(3)


def is_valid_personnummer(value: object, *, allow_coordination: bool = True) -> bool:
    """True if ``value`` is a valid personnummer (or samordningsnummer).

    Parameters
    ----------
    value
        10 or 12 digits, with or without ``-``/``+`` separator.
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


def find_personnummer(text: str, *, require_checksum: bool = False) -> list[tuple[int, int]]:
    """Positions ``(start, end)`` of personnummer-like strings in ``text``.

    By default a plausible date is enough and the check digit is not required:
    a mistyped number is still personal data and must not be published.
    """
    hits = []
    for m in _CANDIDATE.finditer(text or ""):
        century, date, tail = m.groups()
        ok, _ = _date_ok(date, century, True)
        if not ok:
            continue
        if require_checksum and not luhn_ok(date + tail):
            continue
        hits.append((m.start(), m.end()))
    return hits


def contains_personnummer(text: str, *, require_checksum: bool = False) -> bool:
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
    columns with at least one hit.
    """
    rows = []
    for col in columns if columns is not None else df.columns:
        s = df[col]
        if not (pd.api.types.is_object_dtype(s) or pd.api.types.is_string_dtype(s) or pd.api.types.is_integer_dtype(s)):
            continue
        hit = s.astype("string").fillna("").map(lambda v: contains_personnummer(v))
        if hit.any():
            rows.append({"kolumn": col, "antal": int(hit.sum()), "rader": list(df.index[hit.to_numpy()][:5])})
    return pd.DataFrame(rows, columns=["kolumn", "antal", "rader"])
