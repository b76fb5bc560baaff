"""Converters for what exports really contain: periods, shares, indicators, stray text.

:func:`read_table` uses these on every text column it reads; the register
reader applies them to the columns it knows the role of; users of
:func:`~finsam_eval.effects.did` and :func:`~finsam_eval.effects.event_study`
can call :func:`parse_period` and :func:`parse_indicator` on their own frames.

Every conversion is recorded. The public converters put a short Swedish
description in ``result.attrs["omkodning"]``; errors name the column and the
file lines (header = line 1, taken from the frame's ``attrs`` when the series
comes from :func:`read_table`) and never echo cell values.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from ..errors import SchemaError, describe_rows

__all__ = ["parse_period", "parse_indicator", "parse_share", "PERIOD_FORMATS", "INDICATOR_VALUES"]

# --------------------------------------------------------------------------- periods
_MONTHS = {
    "januari": 1, "jan": 1, "februari": 2, "feb": 2, "mars": 3, "mar": 3, "april": 4, "apr": 4,
    "maj": 5, "may": 5, "juni": 6, "jun": 6, "juli": 7, "jul": 7, "augusti": 8, "aug": 8,
    "september": 9, "sept": 9, "sep": 9, "oktober": 10, "okt": 10, "oct": 10, "november": 11, "nov": 11,
    "december": 12, "dec": 12,
}  # fmt: skip
_Q_YEAR_FIRST = re.compile(r"(\d{4})\s*[-_ ]?\s*([KQ])\s*([1-4])", re.IGNORECASE)
_Q_YEAR_LAST = re.compile(r"([KQ])\s*([1-4])\s*[-_ ]?\s*(\d{4})", re.IGNORECASE)
_YM = re.compile(r"(\d{4})-(\d{1,2})")
_MONTH_NAME = re.compile(r"([a-zåäö]+)\.?\s+(\d{4})", re.IGNORECASE)
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[ T]00:00(?::00)?)?")

#: Period formats understood by :func:`parse_period` (description, example).
PERIOD_FORMATS: tuple[tuple[str, str], ...] = (
    ("kvartal ÅÅÅÅKn / ÅÅÅÅ Kn / ÅÅÅÅQn / ÅÅÅÅ Qn", "2021K3"),
    ("kvartal Kn ÅÅÅÅ / Qn ÅÅÅÅ", "Q3 2021"),
    ("månad ÅÅÅÅ-MM", "2021-07"),
    ("månad med namn", "juli 2021, jul 2021"),
    ("datum ÅÅÅÅ-MM-DD (blir månaden)", "2021-07-01"),
    ("heltal (löpnummer eller ÅÅÅÅMM, lämnas orörda)", "202107"),
)


def _one_period(v: str, *, dates: bool) -> tuple[str, int, int, str] | None:
    """``(freq, year, sub, format)`` for one stripped text, or None."""
    m = _Q_YEAR_FIRST.fullmatch(v)
    if m:
        sep = "" if m.group(0)[4].isalpha() else " "
        return "Q", int(m.group(1)), int(m.group(3)), f"ÅÅÅÅ{sep}{m.group(2).upper()}n"
    m = _Q_YEAR_LAST.fullmatch(v)
    if m:
        return "Q", int(m.group(3)), int(m.group(2)), f"{m.group(1).upper()}n ÅÅÅÅ"
    m = _YM.fullmatch(v)
    if m and 1 <= int(m.group(2)) <= 12:
        return "M", int(m.group(1)), int(m.group(2)), "ÅÅÅÅ-MM"
    m = _MONTH_NAME.fullmatch(v)
    if m and m.group(1).casefold() in _MONTHS:
        return "M", int(m.group(2)), _MONTHS[m.group(1).casefold()], "månadsnamn ÅÅÅÅ"
    if dates:
        m = _DATE.fullmatch(v)
        if m and 1 <= int(m.group(2)) <= 12:
            return "M", int(m.group(1)), int(m.group(2)), "ÅÅÅÅ-MM-DD"
    return None


def _lines(series: pd.Series, positions: Any) -> list[int]:
    from .tables import file_rows

    return file_rows(series, np.asarray(positions, dtype=int))


def _where(series: pd.Series, mask: Any, first: int = 5) -> str:
    pos = np.flatnonzero(np.asarray(mask, dtype=bool))
    text = describe_rows(_lines(series, pos[:first]))
    return text + (f" (och {len(pos) - first} till)" if len(pos) > first else "")


def _label(series: pd.Series) -> str:
    from .tables import source_label

    return source_label(series.attrs.get("source"))


def _column(series: pd.Series, column: str | None) -> str:
    return str(column if column is not None else series.name)


def _parse_unique(v: Any, dates: bool) -> Any:
    """``(freq, year, sub, format)``, ``"int"`` for an integer, NaN for empty, None for not a period."""
    if isinstance(v, pd.Period):
        f = "Q" if v.freqstr.startswith("Q") else "M" if v.freqstr.startswith("M") else None
        return (f, v.year, v.quarter if f == "Q" else v.month, "period") if f else None
    if isinstance(v, str):
        t = v.strip()
        if not t or t in NA_TOKENS:
            return np.nan
        if t.lstrip("+-").isdigit():
            return "int"
        return _one_period(t, dates=dates)
    if isinstance(v, int | np.integer) and not isinstance(v, bool):
        return "int"
    if isinstance(v, float | np.floating):
        return "int" if float(v).is_integer() else None
    if hasattr(v, "year") and hasattr(v, "month"):
        ts = pd.Timestamp(v)
        return ("M", ts.year, ts.month, "datum") if dates else None
    return None


def _parse_period(
    series: pd.Series, *, column: str | None = None, as_index: bool = False, dates: bool = True
) -> tuple[pd.Series, str | None, list[int]]:
    """The work of :func:`parse_period`: ``(result, note or None, changed positions)``.

    Each distinct value is parsed once; masks are expanded to rows by the factorize codes.
    """
    col = _column(series, column)
    label = _label(series)
    if pd.api.types.is_bool_dtype(series):
        raise SchemaError(f"{label}: kolumnen '{col}' är sant/falskt, inte perioder. Ange rätt periodkolumn.")
    if pd.api.types.is_numeric_dtype(series):
        num = pd.to_numeric(series, errors="coerce")
        frac = (num.notna() & (num % 1 != 0)).to_numpy()
        if frac.any():
            raise SchemaError(
                f"{label}: kolumnen '{col}' har perioder som inte är heltal på {_where(series, frac)}. "
                "Ange perioden som heltal (löpnummer eller ÅÅÅÅMM) eller som t.ex. 2021K3."
            )
        return num.astype("Int64"), None, []
    if isinstance(series.dtype, pd.PeriodDtype):
        if not as_index:
            return series, None, []
        freq = series.dtype.freq.freqstr[0]
        ordinals = pd.Series(series.array.asi8, index=series.index, name=series.name).astype("Int64")
        miss = series.isna().to_numpy()
        ordinals[miss] = pd.NA
        return ordinals, _index_note(freq), list(np.flatnonzero(~miss))
    codes, uniq = pd.factorize(series.to_numpy(dtype=object), use_na_sentinel=True)
    parsed = [_parse_unique(v, dates) for v in uniq]
    ukind = np.array(
        ["na" if isinstance(p, float) else "int" if p == "int" else "bad" if p is None else p[0] for p in parsed]
        + ["na"],
        dtype=object,
    )
    kind = ukind[np.where(codes < 0, len(parsed), codes)]
    is_int, bad = kind == "int", kind == "bad"
    is_q, is_m = kind == "Q", kind == "M"
    is_per = is_q | is_m
    fix = (
        "Skriv alla perioder i samma form, t.ex. 2021K3 för kvartal eller 2021-07 för månader "
        "(eller heltal), och rätta raderna."
    )
    if bad.any():
        raise SchemaError(f"{label}: kolumnen '{col}' har värden som inte är perioder på {_where(series, bad)}. {fix}")
    if is_int.any() and is_per.any():
        few = is_int if is_int.sum() <= is_per.sum() else is_per
        raise SchemaError(
            f"{label}: kolumnen '{col}' blandar heltal och perioder i textform; avvikande form på "
            f"{_where(series, few)}. {fix}"
        )
    if not is_per.any():
        num = pd.to_numeric(pd.Series(np.where(is_int, series.to_numpy(dtype=object), None), index=series.index),
                            errors="coerce")
        out = num.astype("Int64")
        out.name = series.name
        return out, None, []
    if is_q.any() and is_m.any():
        few = is_q if is_q.sum() <= is_m.sum() else is_m
        other = "kvartal" if few is is_q else "månader"
        raise SchemaError(
            f"{label}: kolumnen '{col}' blandar kvartal och månader; {other} på {_where(series, few)}. "
            "En kolumn ska ha en frekvens: skriv om raderna (t.ex. 2021-07 som 2021K3) eller dela upp filen."
        )
    freq = "Q" if is_q.any() else "M"
    uord = np.array(
        [
            ((p[1] - 1970) * (4 if freq == "Q" else 12) + p[2] - 1) if isinstance(p, tuple) else -1
            for p in parsed
        ]
        + [-1],
        dtype=np.int64,
    )
    ordinals = uord[np.where(codes < 0, len(parsed), codes)]
    missing = ordinals < 0
    formats = sorted({p[3] for p in parsed if isinstance(p, tuple)})
    what = "kvartal" if freq == "Q" else "månader"
    note = f"perioder ({', '.join(formats)}) tolkade som {what}"
    if as_index:
        res = pd.Series(ordinals, index=series.index, name=series.name).astype("Int64")
        res[missing] = pd.NA
        note += "; " + _index_note(freq)
    else:
        arr = pd.arrays.PeriodArray(np.where(missing, np.iinfo(np.int64).min, ordinals), dtype=pd.PeriodDtype(freq))
        res = pd.Series(arr, index=series.index, name=series.name)
    res.attrs = dict(series.attrs)
    return res, note, list(np.flatnonzero(is_per))


def _index_note(freq: str) -> str:
    return (
        "lagrade som löpnummer (kvartal sedan 1970K1: 2021K3 = 206)"
        if freq == "Q"
        else "lagrade som löpnummer (månader sedan januari 1970: 2021-07 = 618)"
    )


def parse_period(series: pd.Series, *, as_index: bool = False, column: str | None = None) -> pd.Series:
    """Read periods as exports write them: ``2021K3``, ``2021 Q3``, ``2021-07``, ``juli 2021``, ``2021-07-01``.

    Parameters
    ----------
    series
        Text, dates, pandas periods or integers. Integers (a running index or
        ``ÅÅÅÅMM``) are returned unchanged as ``Int64``.
    as_index
        Return a consecutive integer index (``Period.ordinal``: quarters since
        1970K1, months since January 1970) instead of pandas periods, so that
        ``period - start`` is the event time :func:`~finsam_eval.effects.did`
        and :func:`~finsam_eval.effects.event_study` need. Convert the period
        and the start column the same way.
    column
        Column name for messages (default ``series.name``).

    Returns
    -------
    pandas.Series
        ``period[Q]`` / ``period[M]`` (or ``Int64`` with ``as_index=True``);
        ``attrs["omkodning"]`` says which formats were read and how.

    Raises
    ------
    SchemaError
        A value that is not a period, integers mixed with text periods, or
        quarters mixed with months; the message names the column and the
        file lines (for a column of :func:`read_table`) and never the values.

    Examples
    --------
    >>> s = parse_period(pd.Series(["2021K3", "2021 Q4", "Q1 2022"], name="kvartal"))
    >>> [str(p) for p in s]
    ['2021Q3', '2021Q4', '2022Q1']
    >>> parse_period(pd.Series(["juli 2021", "2021-08", "2021-09-01"]), as_index=True).tolist()
    [618, 619, 620]
    >>> parse_period(pd.Series(["2021K3", "2021-08"], name="period"))
    Traceback (most recent call last):
    ...
    finsam_eval.errors.SchemaError: Tabellen: kolumnen 'period' blandar kvartal och månader; kvartal på rad 2. ...
    """
    res, note, _ = _parse_period(series, column=column, as_index=as_index)
    if note:
        res.attrs = {**dict(series.attrs), "omkodning": note}
    return res


# --------------------------------------------------------------------------- indicators
#: Text values :func:`parse_indicator` reads as 1 and 0 (after case folding and stripping).
INDICATOR_VALUES: dict[str, int] = {
    "1": 1, "0": 0, "1.0": 1, "0.0": 0, "1,0": 1, "0,0": 0,
    "ja": 1, "nej": 0, "sant": 1, "falskt": 0, "true": 1, "false": 0, "yes": 1, "no": 0, "j": 1, "n": 0,
}  # fmt: skip


def _parse_indicator(
    series: pd.Series, *, column: str | None = None, allow_missing: bool = True
) -> tuple[pd.Series, str | None, int]:
    col = _column(series, column)
    label = _label(series)
    vals = series.to_numpy(dtype=object)
    missing = np.array(pd.isna(vals), dtype=bool)
    keys = np.array(
        [
            "" if m else (v.strip().casefold() if isinstance(v, str) else
                          str(int(v)) if isinstance(v, bool | np.bool_) or (isinstance(v, int | float | np.number)
                                                                           and float(v) in (0.0, 1.0)) else "?")
            for v, m in zip(vals, missing)
        ],
        dtype=object,
    )
    missing |= keys == ""
    present = ~missing
    xs = np.isin(keys, ["x"])
    fix = "Koda kolumnen som Ja/Nej, 1/0, Sant/Falskt eller x/tom och rätta raderna."
    if xs.any():
        bad = present & ~xs
        if bad.any():
            raise SchemaError(
                f"{label}: kolumnen '{col}' har både 'x' och andra värden ({_where(series, bad)}); med x-markering "
                f"ska övriga celler vara tomma. {fix}"
            )
        out = pd.Series(xs.astype(int), index=series.index, name=series.name, dtype="Int64")
        return out, f"'x' = 1 och tom cell = 0 ({int(xs.sum())} x, {int((~xs).sum())} tomma)", len(series)
    code = np.array([INDICATOR_VALUES.get(k, -1) if k else -2 for k in keys])
    bad = present & (code == -1)
    if bad.any():
        nb = int(bad.sum())
        raise SchemaError(
            f"{label}: kolumnen '{col}' har {nb} {'värde' if nb == 1 else 'värden'} som inte är ja/nej eller 1/0 "
            f"({_where(series, bad)}{_shown_values(vals[bad])}). {fix}"
        )
    if missing.any() and not allow_missing:
        raise SchemaError(
            f"{label}: kolumnen '{col}' saknar värde på {_where(series, missing)}. Fyll i 1/0 (ja/nej) på raderna."
        )
    out = pd.Series(np.where(present, code, 0), index=series.index, name=series.name).astype("Int64")
    out[missing] = pd.NA
    words = sorted({str(v).strip() for v, k in zip(vals, keys) if k and k not in ("1", "0")})
    note = None
    if words:
        ones = sorted({w for w in words if INDICATOR_VALUES.get(w.casefold()) == 1})
        zeros = sorted({w for w in words if INDICATOR_VALUES.get(w.casefold()) == 0})
        note = f"{'/'.join(ones) or '-'} = 1 och {'/'.join(zeros) or '-'} = 0"
    n_changed = int(sum(1 for k in keys if k and k not in ("1", "0")))
    return out, note, n_changed


def _shown_values(values: Iterable[Any], first: int = 5) -> str:
    """``"; värden: 2, vet ej"`` for short values that cannot be personal data, else nothing."""
    from ..privacy import contains_personnummer

    shown = []
    for v in dict.fromkeys(str(v).strip() for v in values):
        if len(v) > 20 or contains_personnummer(v) or sum(ch.isdigit() for ch in v) > 4:
            return ""  # a long or number-like value may identify a person: show none
        shown.append(v)
    return "; värden: " + ", ".join(shown[:first]) if shown else ""


def parse_indicator(series: pd.Series, *, column: str | None = None, allow_missing: bool = True) -> pd.Series:
    """Read a treatment or indicator column as 0/1: Ja/Nej, Sant/Falskt, True/False, 1/0, x/blank.

    Parameters
    ----------
    series
        The column. When any cell is ``x`` (any case), ``x`` is 1 and an empty
        cell 0 (a tick list); otherwise empty cells stay missing.
    column
        Column name for messages (default ``series.name``).
    allow_missing
        If False, an empty cell is an error.

    Returns
    -------
    pandas.Series
        ``Int64`` 0/1 with ``attrs["omkodning"]`` giving the mapping used.

    Raises
    ------
    SchemaError
        Any other value; the message gives column and lines, not the values.

    Examples
    --------
    >>> parse_indicator(pd.Series(["Ja", "nej", "JA", None])).tolist()
    [1, 0, 1, <NA>]
    >>> s = parse_indicator(pd.Series(["x", None, "X", ""]))
    >>> s.tolist(), s.attrs["omkodning"]
    ([1, 0, 1, 0], "'x' = 1 och tom cell = 0 (2 x, 2 tomma)")
    """
    res, note, _ = _parse_indicator(series, column=column, allow_missing=allow_missing)
    res.attrs = dict(series.attrs)
    if note:
        res.attrs["omkodning"] = note
    return res


# --------------------------------------------------------------------------- shares and numbers
_PCT = re.compile(r"([-+\u2212]?\d+(?:[.,]\d+)?)\s*%")
_INT = re.compile(r"[-+]?\d+")
_LEADING_ZERO = re.compile(r"[-+]?0\d")
_SV_NUMBER = re.compile(r"[-+\u2212]?(?:\d+|\d{1,3}(?:[ \u00a0\u202f]\d{3})+)(?:,\d+)?")
_DOT_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_SPACES = (" ", "\u00a0", "\u202f")
#: Cells read as missing, as pandas does (plus nothing Swedish: "saknas" is reported, not guessed).
NA_TOKENS = frozenset(
    {"", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN", "<NA>", "N/A",
     "NA", "NULL", "NaN", "None", "n/a", "nan", "null"}
)  # fmt: skip


# Answers that sit next to numeric codes in survey items without being stray text.
_NON_SUBSTANTIVE = frozenset(
    {"vet ej", "vet inte", "ej aktuellt", "inte aktuellt", "ingen åsikt", "vill ej svara", "vill inte svara",
     "ej svar", "kan ej bedöma", "kan inte bedöma"}
)


def parse_share(series: pd.Series, *, column: str | None = None) -> pd.Series:
    """Read ``"65 %"``, ``"65,0%"`` and ``"65%"`` as the share 0.65.

    Numbers without a percent sign are taken as shares already (0.65) if all
    are between 0 and 1; any other mix is an error naming the lines.

    Examples
    --------
    >>> s = parse_share(pd.Series(["65 %", "65,0%", "7,5 %", None]))
    >>> s.round(3).tolist()[:3], s.attrs["omkodning"]
    ([0.65, 0.65, 0.075], 'procent omräknade till andelar (65 % = 0,65)')
    """
    col = _column(series, column)
    vals = series.to_numpy(dtype=object)
    out = np.full(len(vals), np.nan)
    pct = np.zeros(len(vals), dtype=bool)
    bad = np.zeros(len(vals), dtype=bool)
    for i, v in enumerate(vals):
        if v is None or (isinstance(v, float) and np.isnan(v)) or (isinstance(v, str) and v.strip() in NA_TOKENS):
            continue
        if isinstance(v, int | float | np.number) and not isinstance(v, bool):
            out[i] = float(v)
            continue
        t = str(v).strip()
        m = _PCT.fullmatch(t)
        if m:
            out[i] = float(m.group(1).replace(",", ".").replace("\u2212", "-")) / 100
            pct[i] = True
            continue
        try:
            out[i] = float(t.replace(",", "."))
        except ValueError:
            bad[i] = True
    plain = ~pct & ~np.isnan(out)
    if pct.any() and plain.any():
        bad |= plain & ((out < 0) | (out > 1))
    if bad.any():
        raise SchemaError(
            f"{_label(series)}: kolumnen '{col}' har värden som inte är andelar eller procent på "
            f"{_where(series, bad)}. Skriv andelar som '65 %' eller 0,65 i hela kolumnen."
        )
    res = pd.Series(out, index=series.index, name=series.name)
    res.attrs = dict(series.attrs)
    if pct.any():
        res.attrs["omkodning"] = "procent omräknade till andelar (65 % = 0,65)"
    return res


def _stripped(values: np.ndarray) -> np.ndarray:
    return np.array([v.strip() if isinstance(v, str) else v for v in values], dtype=object)


def _factorize(series: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Codes, stripped unique values and their missing flags: all work below is on the distinct values."""
    codes, uniq = pd.factorize(series.to_numpy(dtype=object), use_na_sentinel=True)
    st = _stripped(np.asarray(uniq, dtype=object))
    na = np.array([not isinstance(v, str) or v in NA_TOKENS for v in st], dtype=bool)
    return codes, st, na


def infer_column(
    series: pd.Series, *, decimal_comma: bool, keep_text: bool = False, typed: pd.Series | None = None
) -> tuple[pd.Series, list[tuple[str, str, np.ndarray]]]:
    """Type one text column as read from a file; returns the column and notes ``(action, reason, mask)``.

    Rules (in order): empty and NA cells are missing; ids with a leading zero
    stay text; integers and decimals (decimal comma when ``decimal_comma``)
    become numbers; percentages become shares; period texts become pandas
    periods; a column that is numbers except for a few cells stays text and
    the cells are reported ("läst som text") with their lines. The work is
    done once per distinct value, so a register of 200 000 rows is quick.
    """
    if not keep_text:
        fast = _numeric_fast(series, typed)
        if fast is not None:
            return fast, []
    codes, st, una = _factorize(series)
    una_ext = np.append(una, True)  # code -1 (empty cell) looks up the last entry
    isna = una_ext[np.where(codes < 0, len(una), codes)]
    notes: list[tuple[str, str, np.ndarray]] = []
    vals = series.to_numpy(dtype=object)
    if typed is not None and isinstance(typed.dtype, pd.StringDtype):
        # pandas' parser already made this text column (same NA words): reuse it rather than convert again
        text = pd.Series(typed.array, index=series.index, name=series.name)
    else:
        text = pd.Series(np.where(isna, None, vals), index=series.index, name=series.name, dtype="str")
    text.attrs = series.attrs
    present = ~isna
    if keep_text or not present.any():
        return text, notes
    ukind = np.array(["" if n else _kind_of(v, decimal_comma) for v, n in zip(st, una)] + [""], dtype=object)
    kind = ukind[np.where(codes < 0, len(una), codes)]
    present_kinds = set(ukind[:-1][~una])
    numeric = {"int", "int0", "float", "svnum"}
    if "int0" in present_kinds and present_kinds <= {"int", "int0"}:
        return text, notes  # ids such as 0001 keep their zeros
    if present_kinds <= {"bool"}:
        ub = np.array([isinstance(v, str) and v.casefold() == "true" for v in st], dtype=object)
        out = pd.Series(np.where(present, ub[np.maximum(codes, 0)], None), index=series.index, name=series.name)
        return (out.astype(bool) if present.all() else out), notes
    if present_kinds <= numeric:
        unum = _to_float(st, ~una, ukind[:-1])
        nums = np.where(present, unum[np.maximum(codes, 0)], np.nan)
        if present.all() and present_kinds <= {"int", "int0"} and np.all(np.abs(nums) < 2**53):
            out = pd.Series(nums.astype(np.int64), index=series.index, name=series.name)
        else:
            out = pd.Series(nums, index=series.index, name=series.name)
        comma = kind == "svnum"
        if comma.any():
            notes.append(("omkodad", "decimalkomma tolkat", comma))
        return out, notes
    if present_kinds <= {"pct"}:
        unum = np.full(len(st), np.nan)
        for i, (v, k) in enumerate(zip(st, ukind)):
            if k == "pct":
                m = _PCT.fullmatch(v)
                unum[i] = float(m.group(1).replace(",", ".").replace("\u2212", "-")) / 100  # type: ignore[union-attr]
        nums = np.where(present, unum[np.maximum(codes, 0)], np.nan)
        notes.append(("omkodad", "procent omräknade till andelar (65 % = 0,65)", present.copy()))
        return pd.Series(nums, index=series.index, name=series.name), notes
    if present_kinds <= {"period"}:
        res, note, _ = _parse_period(text, dates=False)
        notes.append(("omkodad", note or "perioder tolkade", present.copy()))
        return res, notes
    # Mostly numbers (or periods or percentages) with a few other cells: keep text, report the cells.
    counts = pd.Series(kind[present]).value_counts()
    major = "num" if sum(counts.get(k, 0) for k in numeric) >= counts.max() else counts.index[0]
    in_major = np.isin(kind, list(numeric)) if major == "num" else kind == major
    odd = present & ~in_major
    n_odd, n_major = int(odd.sum()), int((present & in_major).sum())
    odd_values = {str(v).strip().casefold() for v in vals[odd]}
    answers = odd_values <= _NON_SUBSTANTIVE  # 1-5 with "Vet ej": a survey item, nothing to report
    if (major in ("num", "pct", "period") and n_major >= 2 * n_odd and n_odd <= max(2, 0.1 * present.sum())
            and not answers):
        what = {"num": "tal", "pct": "procent", "period": "perioder"}[major]
        notes.append(("läst som text", f"kolumnen har {what} utom i {n_odd} {'cell' if n_odd == 1 else 'celler'} "
                      "och lästes därför som text; är det ett skrivfel, rätta cellen (en tom cell blir saknat "
                      "värde)", odd))
    return text, notes


def has_leading_zero(values: Any) -> bool:
    """True if any text value is an integer written with a leading zero (``0001``), checked in C.

    Examples
    --------
    >>> has_leading_zero(np.array(["12", "0.5", "0012", None], dtype=object))
    True
    >>> has_leading_zero(np.array(["0", "0.25", "10"], dtype=object))
    False
    """
    arr = np.asarray(values, dtype=object)
    arr = arr[[isinstance(v, str) for v in arr]] if arr.size and not isinstance(arr[0], str) else arr
    if not arr.size:
        return False
    first2 = np.char.lstrip(arr.astype("U3"), " +-")
    first2 = first2.astype("U2")
    return bool((np.char.startswith(first2, "0") & (np.char.str_len(first2) == 2) & np.char.isdigit(first2)).any())


def _numeric_fast(series: pd.Series, typed: pd.Series | None = None) -> pd.Series | None:
    """Plain numbers (dot decimals, no leading zeros) converted in C; None when the slow path is needed.

    ``typed`` is the same column as pandas' C parser inferred it (CSV files without quotes): when that is
    numeric, only the leading-zero check is left to do.
    """
    obj = series.to_numpy(dtype=object)
    if typed is not None and pd.api.types.is_numeric_dtype(typed) and not pd.api.types.is_bool_dtype(typed):
        num = typed
    elif typed is not None:
        return None  # what pandas' parser could not read as numbers, to_numeric cannot either
    else:
        try:
            num = pd.to_numeric(pd.Series(obj), errors="raise")
        except (ValueError, TypeError):
            return None
        if not pd.api.types.is_numeric_dtype(num) or pd.api.types.is_bool_dtype(num):
            return None
    if has_leading_zero(obj[pd.notna(obj)]):
        return None  # ids such as 0001 keep their zeros
    return pd.Series(num.to_numpy(), index=series.index, name=series.name)


def _kind_of(u: str, decimal_comma: bool) -> str:
    if _INT.fullmatch(u):
        return "int0" if _LEADING_ZERO.match(u) else "int"
    if _DOT_NUMBER.fullmatch(u):
        return "float"
    if decimal_comma and _SV_NUMBER.fullmatch(u):
        return "svnum"
    if _PCT.fullmatch(u) and (decimal_comma or "," not in u):
        return "pct"
    if u in ("True", "False", "TRUE", "FALSE", "true", "false"):
        return "bool"
    if _one_period(u, dates=False) is not None:
        return "period"
    return "other"


def _to_float(st: np.ndarray, present: np.ndarray, kind: np.ndarray) -> np.ndarray:
    s = pd.Series(np.where(present, st, None), dtype=object)
    sv = np.array([k == "svnum" for k in kind], dtype=bool)
    if sv.any():
        t = s[sv].astype(str)
        for sp in _SPACES:
            t = t.str.replace(sp, "", regex=False)
        s[sv] = t.str.replace("\u2212", "-", regex=False).str.replace(",", ".", regex=False)
    return pd.to_numeric(s, errors="coerce").to_numpy(dtype=float)


def numeric_or_error(series: pd.Series, *, column: str | None = None, fix: str = "") -> pd.Series:
    """A column that must be numeric: numbers pass, text numbers are converted, anything else is an error.

    Used for outcome columns of a register: a stray ``saknas`` or ``Q3 2024``
    is reported with its lines instead of turning the column into text.

    Examples
    --------
    >>> numeric_or_error(pd.Series(["1", "2,5", None], name="utfall")).tolist()
    [1.0, 2.5, nan]
    """
    if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
        return series
    if pd.api.types.is_bool_dtype(series):
        return series.astype(int)
    col = _column(series, column)
    st = _stripped(series.to_numpy(dtype=object))
    present = np.array([not (v is None or (isinstance(v, float) and np.isnan(v)) or
                             (isinstance(v, str) and v in NA_TOKENS)) for v in st], dtype=bool)
    kind = np.array([_kind_of(v, True) if p else "" for v, p in zip(st, present)], dtype=object)
    bad = present & ~np.isin(kind, ["int", "int0", "float", "svnum"])
    if bad.any():
        raise SchemaError(
            f"{_label(series)}: kolumnen '{col}' ska innehålla tal men har text på {_where(series, bad)}. "
            + (fix or "Rätta eller töm cellerna (tom cell = saknat värde).")
        )
    out = pd.Series(_to_float(st, present, kind), index=series.index, name=series.name)
    out.attrs = dict(series.attrs)
    return out


def _positions(mask: Iterable[bool]) -> np.ndarray:
    return np.flatnonzero(np.asarray(list(mask), dtype=bool))
