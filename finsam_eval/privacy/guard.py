"""One privacy guard on every way out.

Everything finsam_eval writes (CSV files, report documents and their tables,
figures, QDPX projects, file names) passes :func:`check_output`, and every
message it shows (errors, warnings, exclusion notes) passes :func:`mask_text`.
Both use the one finder in :mod:`finsam_eval.privacy.personnummer`, in the
guard's mode: dash and plus forms need a plausible date, forms that an
ordinary count or amount can also take (no separator, a space, digit groups,
a number cell) must also pass the Luhn check, so the guard does not cry wolf
on numbers.

What the guard looks at in a table: every cell (text, lists, numbers read as
digit strings: integers and integer-valued floats; 8- or 9-digit integers
also as 10-digit numbers that lost their leading zeros, when most of them in
the column read so, as in an id column), every level of the index,
the column names (every level), and the notes in ``attrs``. In a matplotlib
figure: every text artist (titles, axis labels, tick labels, legend,
annotations, table cells). A message never shows the value it found.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import PurePath
from typing import Any

import numpy as np
import pandas as pd

from ..errors import PrivacyError
from .personnummer import _CANDIDATE, _date_ok, _split, find_personnummer, luhn_ok

__all__ = ["MASK", "FILE_MASK", "mask_text", "safe_name", "check_output", "holds_personnummer"]

MASK = "ÅÅÅÅMMDD-XXXX"
FILE_MASK = "fil med personnummer i namnet"

_FIX = (
    "Ta bort värdet eller ersätt det med en pseudonym och försök igen: på kommandoraden med en nyckel "
    "(miljövariabeln FINSAM_NYCKEL eller --nyckel-fil), i Python med finsam_eval.pseudonymise(texter, key=...) "
    "för texter och finsam_eval.privacy.pseudonymise_ids för id-kolumner."
)
_SKIP_ATTRS = {"suppressed_mask"}


def mask_text(text: str) -> str:
    """Replace every personnummer and samordningsnummer in ``text`` by ``ÅÅÅÅMMDD-XXXX``.

    Every separator form is found (hyphen, plus, en/em dash, minus sign,
    no-break hyphen, ``" - "``, space, no-break space, none, digit groups).

    Examples
    --------
    >>> mask_text("Annat: 19850312\\u20131231 och 850312 1231")
    'Annat: ÅÅÅÅMMDD-XXXX och ÅÅÅÅMMDD-XXXX'
    >>> mask_text("198 503 121 231 kr, men 1 234 567 890 kr står kvar")
    'ÅÅÅÅMMDD-XXXX kr, men 1 234 567 890 kr står kvar'
    """
    if not isinstance(text, str):
        text = str(text)
    hits = find_personnummer(text, require_checksum=None)
    if not hits:
        return text
    out, last = [], 0
    for s, e in hits:
        out += [text[last:s], MASK]
        last = e
    out.append(text[last:])
    return "".join(out)


def _text_hit(text: str) -> bool:
    return bool(find_personnummer(text, require_checksum=None))


def _number_hit(v: Any) -> bool:
    """An integer (or integer-valued float) that reads as a valid personnummer."""
    if isinstance(v, bool | np.bool_):
        return False
    try:
        f = float(v)
    except (TypeError, ValueError, OverflowError):
        return False
    if not np.isfinite(f) or f % 1 != 0:
        return False
    a = abs(int(v)) if isinstance(v, int | np.integer) else abs(int(f))
    if not 10**7 <= a < 10**12:
        return False
    digits = str(a)
    if len(digits) in (8, 9):  # 0101011234 or 0010011234 that lost leading zeros in Excel
        digits = digits.zfill(10)
    if len(digits) == 11:
        return False
    m = _CANDIDATE.fullmatch(digits)
    if m is None:
        return False
    _, century, date, tail = _split(m)
    return _date_ok(date, century, True)[0] and luhn_ok(date + tail)


def holds_personnummer(value: Any) -> bool:
    """True if one value (text, number or path) holds a personnummer or samordningsnummer.

    Examples
    --------
    >>> holds_personnummer(198503121231), holds_personnummer(8503121231.0), holds_personnummer(8503121234)
    (True, True, False)
    >>> holds_personnummer("enkat_19911224\\u20114562.csv")
    True
    """
    if value is None:
        return False
    if isinstance(value, str):
        return _text_hit(value)
    if isinstance(value, os.PathLike):
        return _text_hit(os.fspath(value))
    if isinstance(value, int | float | np.integer | np.floating):
        return _number_hit(value)
    if isinstance(value, bytes):
        return _text_hit(value.decode("utf-8", "replace"))
    return _text_hit(str(value))


def safe_name(path_or_name: str | os.PathLike[str] | None) -> str:
    """The file name for a message, or ``"fil med personnummer i namnet"``.

    Examples
    --------
    >>> safe_name("/data/enkat_2024.csv")
    'enkat_2024.csv'
    >>> safe_name("/data/enkat_19911224-4562.csv")
    'fil med personnummer i namnet'
    """
    if path_or_name is None:
        return ""
    name = PurePath(os.fspath(path_or_name)).name if isinstance(path_or_name, os.PathLike) else str(path_or_name)
    if isinstance(path_or_name, str) and ("/" in name or "\\" in name):
        name = PurePath(name.replace("\\", "/")).name
    return FILE_MASK if _text_hit(name) else name


def _label(v: Any) -> str:
    return mask_text(str(v))


def _series_hits(s: pd.Series) -> np.ndarray:
    """Boolean array: which values of ``s`` hold a personnummer (work on unique values)."""
    out = np.zeros(len(s), dtype=bool)
    if len(s) == 0 or pd.api.types.is_bool_dtype(s) or pd.api.types.is_datetime64_any_dtype(s):
        return out
    if isinstance(s.dtype, pd.CategoricalDtype):
        s = s.astype(object)
    if pd.api.types.is_numeric_dtype(s):
        v = pd.to_numeric(s, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        cand = np.isfinite(v) & (np.abs(v) >= 1e7) & (np.abs(v) < 1e12) & (np.mod(v, 1) == 0)
        if cand.any():
            vals = s.to_numpy()[cand]
            hits = np.array([_number_hit(x) for x in vals], dtype=bool)
            # 8-9 digits are read as a personnummer that lost leading zeros (born 2000-2009) only
            # when most such values in the column are one: an id column passes 100 %, a column of
            # amounts in kronor about 0,7 % by chance, and must not raise false alarms.
            short = np.abs(v[cand]) < 1e9
            if short.any() and hits[short].mean() < 0.5:
                hits[short] = False
            out[np.flatnonzero(cand)] = hits
        return out
    vals = s.to_numpy(dtype=object)
    cache: dict[Any, bool] = {}
    for i, x in enumerate(vals):
        try:
            hit = cache.get(x)
        except TypeError:  # unhashable: a list or dict in a cell
            out[i] = _deep_hit(x)
            continue
        if hit is None:
            hit = _deep_hit(x)
            cache[x] = hit
        out[i] = hit
    return out


def _deep_hit(x: Any, depth: int = 0) -> bool:
    if x is None or depth > 6:
        return False
    if isinstance(x, float) and np.isnan(x):
        return False
    if isinstance(x, str | int | float | np.integer | np.floating | bytes | os.PathLike):
        return holds_personnummer(x)
    if isinstance(x, Mapping):
        return any(_deep_hit(k, depth + 1) or _deep_hit(v, depth + 1) for k, v in x.items())
    if isinstance(x, list | tuple | set | frozenset | np.ndarray | pd.Series | pd.Index):
        return any(_deep_hit(v, depth + 1) for v in list(x))
    if x is pd.NA or x is pd.NaT:
        return False
    return holds_personnummer(str(x))


def _index_problem(idx: pd.Index, what: str) -> str | None:
    levels = range(idx.nlevels)
    for lev in levels:
        vals = idx.get_level_values(lev) if idx.nlevels > 1 else idx
        hits = _series_hits(pd.Series(vals, dtype=vals.dtype if not isinstance(vals, pd.MultiIndex) else object))
        if hits.any():
            pos = int(np.flatnonzero(hits)[0]) + 1
            lvl = f", nivå {lev + 1}" if idx.nlevels > 1 else ""
            return f"{what}{lvl} (position {pos} av {len(idx)})"
    return None


def _frame_problem(df: pd.DataFrame) -> str | None:
    p = _index_problem(df.columns, "kolumnnamnen")
    if p:
        return p
    p = _index_problem(df.index, "radindex")
    if p:
        return p
    for j in range(df.shape[1]):
        hits = _series_hits(df.iloc[:, j])
        if hits.any():
            rows = np.flatnonzero(hits) + 1
            more = f" och {len(rows) - 1} rad till" if len(rows) == 2 else f" och {len(rows) - 1} rader till" if len(rows) > 2 else ""
            return f"kolumnen {_label(df.columns[j])!r}, rad {rows[0]}{more} i tabellen (räknat från 1)"
    return _attrs_problem(df.attrs)


def _attrs_problem(attrs: Mapping[str, Any]) -> str | None:
    for k, v in attrs.items():
        if k in _SKIP_ATTRS:
            continue
        if _find(v, depth=1) is not None:
            return f"anteckningen attrs[{_label(k)!r}]"
    return None


def _figure_problem(fig: Any) -> str | None:
    from matplotlib.text import Text

    try:
        fig.draw_without_rendering()  # tick labels of category axes exist only after a draw
    except Exception:  # noqa: BLE001 - a figure that cannot draw is checked as it is
        pass
    texts = fig.findobj(Text)
    for ax in fig.get_axes():
        tab = getattr(ax, "tables", None) or []
        for t in tab:
            texts += [c.get_text() for c in t.get_celld().values()]
    for t in texts:
        if _text_hit(t.get_text() or ""):
            return f"en text i figuren ({type(t).__name__}, position {t.get_position()!r})"
    return None


def _find(obj: Any, depth: int = 0) -> str | None:
    """Where ``obj`` holds a personnummer (a description without the value), or ``None``."""
    if obj is None or depth > 8:
        return None
    if isinstance(obj, pd.DataFrame):
        return _frame_problem(obj)
    if isinstance(obj, pd.Series):
        if obj.name is not None and holds_personnummer(obj.name):
            return "seriens namn"
        p = _index_problem(obj.index, "radindex")
        if p:
            return p
        hits = _series_hits(obj)
        if hits.any():
            return f"värde nummer {int(np.flatnonzero(hits)[0]) + 1} i serien"
        return _attrs_problem(obj.attrs)
    if isinstance(obj, pd.Index):
        return _index_problem(obj, "indexet")
    if isinstance(obj, str | bytes | int | float | np.integer | np.floating):
        return "texten" if isinstance(obj, str | bytes) and holds_personnummer(obj) else (
            "talet" if holds_personnummer(obj) else None)
    if isinstance(obj, os.PathLike):
        return "filnamnet" if holds_personnummer(obj) else None
    if _is_figure(obj):
        return _figure_problem(obj)
    if _is_axes(obj):
        return _figure_problem(obj.figure)
    if isinstance(obj, Mapping):
        for k, v in obj.items():
            if holds_personnummer(k) if isinstance(k, str | int | float) else False:
                return f"nyckeln nummer {list(obj).index(k) + 1}"
            p = _find(v, depth + 1)
            if p:
                return f"{p} under nyckeln {_label(k)!r}"
        return None
    if isinstance(obj, list | tuple | set | frozenset | np.ndarray):
        for i, v in enumerate(list(obj)):
            p = _find(v, depth + 1)
            if p:
                return f"{p} (element {i + 1})"
        return None
    items = getattr(obj, "items", None)  # Exclusions
    if isinstance(items, list) and hasattr(obj, "describe"):
        return "anteckningarna om exkluderingar" if _text_hit(obj.describe()) else None
    if hasattr(obj, "reason") and hasattr(obj, "rows"):  # one Exclusion
        return "en exkluderingsanteckning" if _text_hit(obj.describe()) else None
    return None


def _is_figure(obj: Any) -> bool:
    try:
        from matplotlib.figure import Figure, SubFigure
    except ImportError:  # pragma: no cover - matplotlib is a dependency
        return False
    return isinstance(obj, Figure | SubFigure)


def _is_axes(obj: Any) -> bool:
    try:
        from matplotlib.axes import Axes
    except ImportError:  # pragma: no cover
        return False
    return isinstance(obj, Axes)


def check_output(obj: Any, *, where: str) -> None:
    """Refuse to write ``obj`` if it holds a personnummer or samordningsnummer.

    Parameters
    ----------
    obj
        What is about to be written or shown: a DataFrame (cells, every index
        level, column names, numbers read as digit strings, ``attrs`` notes),
        a Series, a string, a list or dict of those, a file path, or a
        matplotlib Figure/Axes (every text artist).
    where
        What is written, for the message, e.g. ``"CSV-filen tabell.csv"``.

    Raises
    ------
    PrivacyError
        Naming ``where`` and the column/row position, never the value, and the fix.

    Examples
    --------
    >>> check_output(pd.DataFrame({"antal": [12, 1234567890]}), where="tabellen")
    >>> try:
    ...     check_output(pd.DataFrame({"id": [8503121231]}), where="tabellen")
    ... except PrivacyError as e:
    ...     print(str(e).split(". ")[0])
    Något som liknar ett personnummer eller samordningsnummer finns i tabellen: kolumnen 'id', rad 1 i tabellen (räknat från 1)
    """
    problem = _find(obj)
    if problem is None:
        return
    fix = "Välj ett namn på filen och mappen utan personnummer." if problem == "filnamnet" else _FIX
    raise PrivacyError(
        f"Något som liknar ett personnummer eller samordningsnummer finns i {mask_text(where)}: {problem}. "
        f"Inget skrevs. {fix}"
    )
