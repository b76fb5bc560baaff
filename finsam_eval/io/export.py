"""Writing tables for Swedish Excel.

One writer for every CSV the library produces (CLI commands, the report's
table appendix): ``;`` as separator, decimal comma, UTF-8 with BOM (so Excel
shows å/ä/ö), suppressed cells as the suppression marker, lists joined with
", ". Numbers are written as people read them: integers as integers, at most
six significant digits (or ``decimals``) without trailing zeros or exponents,
rounding noise (``6,93889e-16``) as 0.

Nothing leaves without the privacy guard
(:func:`finsam_eval.privacy.check_output` on the cells, the index, the column
names, the notes and the file name), small counts of persons are suppressed
when the table was not suppressed already, and text cells that Excel would run
as a formula (starting with ``=``, ``+``, ``-``, ``@``, tab or carriage
return) get a leading apostrophe (OWASP CSV injection).
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pandas as pd

from .._config import get_option

__all__ = ["write_csv", "format_number", "neutralise_formula"]

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[-+]?(\d[\d\s\u00a0\u202f]*)?([.,]\d+)?([eE][-+]?\d+)?\s*%?")
_COUNT_NAME = re.compile(r"^(n|antal|n_.+|antal_.+)$", re.IGNORECASE)
_TINY = 1e-10


def format_number(v: float, decimals: int | None = None) -> str:
    """A number as Swedish Excel reads it: decimal comma, no exponent, no trailing zeros.

    Parameters
    ----------
    v
        The number.
    decimals
        Round to this many decimals; ``None``: six significant digits.

    Examples
    --------
    >>> format_number(40.0, 4), format_number(6.93889e-16), format_number(0.1234567), format_number(1234567.891)
    ('40', '0', '0,123457', '1234568')
    >>> format_number(-0.5), format_number(2.5e-7), format_number(-1e-17, 3)
    ('-0,5', '0,00000025', '0')
    """
    v = float(v)
    if math.isnan(v):
        return ""
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    if abs(v) < _TINY:
        return "0"
    if decimals is not None:
        s = f"{round(v, decimals):.{max(decimals, 0)}f}"
    elif v.is_integer() and abs(v) < 1e15:
        s = f"{v:.0f}"
    else:
        digits = max(0, 6 - (int(math.floor(math.log10(abs(v)))) + 1))
        s = f"{round(v, digits):.{digits}f}"
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    if s in ("-0", ""):
        s = "0"
    return s.replace(".", ",")


def neutralise_formula(text: str) -> str:
    """Prefix a text cell that Excel would run as a formula with an apostrophe.

    Numbers written as text (``-0,5``, ``+3``) are left alone.

    Examples
    --------
    >>> neutralise_formula("=1+1"), neutralise_formula("+SUM(A1:A3)"), neutralise_formula("-0,5")
    ("'=1+1", "'+SUM(A1:A3)", '-0,5')
    """
    if text and text.startswith(_FORMULA_START) and not _NUMBER.fullmatch(text.strip()):
        return "'" + text
    return text


def _safety_suppress(table: pd.DataFrame) -> pd.DataFrame:
    """Suppress counts of persons in a table that nobody suppressed (columns n, antal, n_*, antal_*)."""
    if "suppressed_mask" in table.attrs or table.attrs.get("suppression") == "ej tillämplig":
        return table
    from ..privacy.suppression import is_stat_parameter, suppress_small

    counts = [
        c for c in table.columns
        if _COUNT_NAME.match(str(c)) and pd.api.types.is_integer_dtype(table[c]) and not is_stat_parameter(c, table)
    ]
    return suppress_small(table, counts) if counts else table


def write_csv(
    table: pd.DataFrame,
    path: str | Path,
    decimals: int | None = None,
    *,
    index: bool | None = None,
    suppress: bool = True,
) -> Path:
    """Write ``table`` as a CSV that Swedish Excel opens correctly.

    Parameters
    ----------
    table
        Any DataFrame; cells masked by :func:`finsam_eval.privacy.suppress_small`
        are written as the suppression marker (``..``).
    path
        Target file (folders are created). Its name may not hold a personnummer.
    decimals
        Round floats to this many decimals (trailing zeros dropped);
        ``None`` keeps six significant digits.
    index
        Write the index as the first column; default: when it is not a plain RangeIndex.
    suppress
        For a table that carries no suppression mask, suppress integer count
        columns named ``n``, ``antal``, ``n_*`` or ``antal_*`` below
        ``min_count`` (statistical parameters such as the n of a test excepted).

    Raises
    ------
    PrivacyError
        The table (cells, index, column names, notes) or the file name holds a personnummer.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from finsam_eval.privacy import suppress_small
    >>> t = suppress_small(pd.DataFrame({"tema": ["Samsyn", "=Hinder"], "antal": [12, 3], "andel": [0.4, 0.1]}),
    ...                    ["antal"], derived={"andel": "antal"})
    >>> p = write_csv(t, pathlib.Path(tempfile.mkdtemp()) / "t.csv")
    >>> p.read_text(encoding="utf-8-sig").splitlines()
    ['tema;antal;andel', 'Samsyn;12;0,4', "'=Hinder;..;.."]
    """
    from ..privacy.guard import check_output, safe_name

    path = Path(path)
    check_output(path, where=f"sökvägen till CSV-filen {safe_name(path)}")
    check_output(table, where=f"tabellen till CSV-filen {path.name}")
    if suppress:
        table = _safety_suppress(table)
    if index is None:
        index = not isinstance(table.index, pd.RangeIndex)
    t = table.reset_index() if index else table
    mask = table.attrs.get("suppressed_mask")
    if mask is not None:
        m = mask.reindex(index=table.index, columns=t.columns, fill_value=False)
        m = m.reset_index(drop=True).astype(bool) if index else m.astype(bool)
        m.index = t.index
    marker = get_option("suppressed_marker")
    out = pd.DataFrame(index=t.index)
    for j, col in enumerate(t.columns):
        s = t.iloc[:, j]
        if pd.api.types.is_bool_dtype(s):
            txt = s.map(lambda v: "" if pd.isna(v) else ("ja" if v else "nej"))
        elif pd.api.types.is_numeric_dtype(s):
            txt = s.map(lambda v: "" if pd.isna(v) else format_number(v, decimals))
        else:
            txt = s.map(
                lambda v: neutralise_formula(", ".join(map(str, v))) if isinstance(v, list | tuple | set | np.ndarray)
                else "" if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA or v is pd.NaT
                else format_number(v, decimals) if isinstance(v, float | np.floating)
                else neutralise_formula(str(v))
            )
        if mask is not None and col in m.columns:
            txt = txt.where(~m[col].to_numpy(), marker)
        name = col if not isinstance(col, tuple) else " ".join(str(c) for c in col if str(c))
        out[j] = txt
        out = out.rename(columns={j: neutralise_formula(str(name))})
    path.parent.mkdir(parents=True, exist_ok=True)
    out.to_csv(path, sep=";", index=False, encoding="utf-8-sig")
    return path
