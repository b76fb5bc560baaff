"""Excel workbooks (.xlsx, .xlsm) read cell by cell with openpyxl, rows numbered as Excel shows them.

Before openpyxl sees the file, the zip directory is checked: a workbook that
would decompress to more than :data:`MAX_UNCOMPRESSED` bytes, or a member
compressed more than :data:`MAX_RATIO` times, is refused at once (a
decompression bomb otherwise ends in a ``MemoryError`` half a minute later).
Formulas without a cached value (files written by programs that do not
calculate) are an error naming the sheet and the cell, not empty cells.
"""

from __future__ import annotations

import datetime as _dt
import zipfile
import zlib
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import EmptyFileError, FinsamError, InputFileError, MissingDependencyError
from ._csv import MAGIC

#: Largest total uncompressed size of a workbook's zip members (bytes).
MAX_UNCOMPRESSED = 200 * 1024**2
#: Largest compression ratio of one member (uncompressed / compressed) ...
MAX_RATIO = 100
#: ... checked for members larger than this when uncompressed (bytes): small XML parts compress well.
RATIO_FLOOR = 5 * 1024**2


def _mb(n: int) -> str:
    return f"{n / 1024**2:,.0f}".replace(",", " ") + " MB"


def check_zip(path: Path, name: str) -> None:
    """Refuse a workbook whose zip directory promises gigabytes (only the directory is read)."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as e:
        raise InputFileError(
            f"Filen {name!r} verkar avkortad eller skadad och kan inte öppnas som Excel-fil ({type(e).__name__}). "
            "Kopiera eller exportera filen på nytt och kontrollera att den går att öppna i Excel."
        ) from None
    total = sum(i.file_size for i in infos)
    fix = (
        "Filen kan vara skadad eller skadlig (en så kallad zip-bomb). Öppna den inte; be avsändaren om en ny export, "
        "eller spara tabellen som CSV."
    )
    if total > MAX_UNCOMPRESSED:
        raise InputFileError(
            f"Filen {name!r} skulle packas upp till {_mb(total)} (gränsen är {_mb(MAX_UNCOMPRESSED)}) och läses "
            f"därför inte. {fix}"
        )
    for i in infos:
        ratio = i.file_size / max(i.compress_size, 1)
        if i.file_size > RATIO_FLOOR and ratio > MAX_RATIO:
            raise InputFileError(
                f"Filen {name!r} har en del som är komprimerad {ratio:,.0f} gånger (gränsen är {MAX_RATIO}) och "
                f"skulle packas upp till {_mb(i.file_size)}; den läses därför inte. {fix}".replace(",", " ")
            )


def _col_letter(i: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(i)


def _nonempty(ws: Any) -> bool:
    for row in ws.iter_rows(values_only=True):
        if any(v is not None and not (isinstance(v, str) and not v.strip()) for v in row):
            return True
    return False


def read_excel(path: Path, name: str, sheet: Any) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The sheet as a frame of cell values plus line bookkeeping (real sheet rows)."""
    with open(path, "rb") as fh:
        head = fh.read(8)
    if not head:
        raise EmptyFileError(f"Filen {name!r} är tom (0 byte). Kontrollera att exporten blev klar.")
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise InputFileError(
            f"Filen {name!r} är i det gamla Excel-formatet (.xls) som inte stöds. Öppna den i Excel och spara som .xlsx."
        )
    if not head.startswith(b"PK"):
        what = next((what for magic, what in MAGIC if head.startswith(magic)), "en textfil")
        raise InputFileError(
            f"Filen {name!r} heter .xlsx men är ingen Excel-fil (den ser ut som {what}). "
            "Byt filändelse (t.ex. till .csv) eller spara om den från Excel."
        )
    check_zip(path, name)
    try:
        import openpyxl
    except ImportError:  # pragma: no cover - openpyxl is a hard dependency
        raise MissingDependencyError("Excel-filer kräver paketet openpyxl: pip install openpyxl") from None
    broken = (zipfile.BadZipFile, EOFError, KeyError, OSError, ValueError, TypeError, IndexError, zlib.error)
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except broken as e:
        raise InputFileError(
            f"Filen {name!r} verkar avkortad eller skadad och kan inte öppnas som Excel-fil ({type(e).__name__}). "
            "Kopiera eller exportera filen på nytt och kontrollera att den går att öppna i Excel."
        ) from None
    try:
        return _read_sheet(path, name, sheet, wb, openpyxl, broken)
    except FinsamError:
        raise
    except broken as e:
        raise InputFileError(
            f"Filen {name!r} verkar avkortad eller skadad ({type(e).__name__}). Kopiera eller exportera den på nytt."
        ) from None
    finally:
        wb.close()


def _read_sheet(path: Path, name: str, sheet: Any, wb: Any, openpyxl: Any, broken: Any) -> tuple[pd.DataFrame, dict]:
    from .tables import close_matches

    sheets = list(wb.sheetnames)
    worksheets = [s for s in sheets if hasattr(wb[s], "iter_rows")]
    if sheet is None:
        used = [s for s in worksheets if _nonempty(wb[s])]
        if len(used) > 1:
            raise InputFileError(
                f"Filen {name!r} har {len(used)} blad med data: {', '.join(repr(s) for s in used)}. Ange vilket som "
                f"ska läsas med sheet= (t.ex. sheet={used[0]!r} eller numret, sheet={sheets.index(used[0])}; i "
                f"kommandoraden --blad)."
            )
        use = used[0] if used else (worksheets[0] if worksheets else None)
        if use is None:
            raise EmptyFileError(f"Filen {name!r} har inga kalkylblad med data. Kontrollera att exporten blev klar.")
    elif isinstance(sheet, str):
        if sheet not in sheets:
            close = close_matches(sheet, sheets)
            raise InputFileError(
                f"Filen {name!r} har inget blad som heter {sheet!r}."
                + (f" Menade du {' eller '.join(repr(c) for c in close)}?" if close else "")
                + f" Bladen är: {', '.join(repr(s) for s in sheets)}. Ange ett av dem med sheet=."
            )
        use = sheet
    elif isinstance(sheet, int) and not isinstance(sheet, bool):
        if not 0 <= sheet < len(sheets):
            raise InputFileError(
                f"Filen {name!r} har {len(sheets)} blad ({', '.join(repr(s) for s in sheets)}); sheet={sheet} finns "
                "inte (räkna från 0)."
            )
        use = sheets[sheet]
    else:
        raise InputFileError(f"sheet= ska vara ett bladnamn eller ett nummer, inte {type(sheet).__name__}.")
    ws = wb[use]
    if not hasattr(ws, "iter_rows"):
        raise InputFileError(f"Bladet {use!r} i filen {name!r} är ett diagramblad utan celler. Ange ett annat blad.")

    rows: list[tuple[int, list[Any]]] = []
    formulas: list[tuple[int, int]] = []
    for r, row in enumerate(ws.iter_rows(), start=1):
        vals = []
        for c, cell in enumerate(row, start=1):
            v = getattr(cell, "value", None)
            if getattr(cell, "data_type", None) == "f":
                formulas.append((r, c))
            vals.append(v)
        rows.append((r, vals))
    if formulas:
        # The formulas' cached values live in the same cells when the workbook is opened with data_only=True.
        cached = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            values = {r: [getattr(c, "value", None) for c in row] for r, row in enumerate(cached[use].iter_rows(), 1)}
        finally:
            cached.close()
        missing = []
        for r, c in formulas:
            v = values.get(r, [])
            val = v[c - 1] if c - 1 < len(v) else None
            rows[r - 1][1][c - 1] = val
            if val is None:
                missing.append(f"{_col_letter(c)}{r}")
        if missing:
            more = f" (och {len(missing) - 5} till)" if len(missing) > 5 else ""
            raise InputFileError(
                f"Filen {name!r}, blad {use!r}: {len(missing)} {'cell' if len(missing) == 1 else 'celler'} med formel "
                f"saknar sparat värde ({', '.join(missing[:5])}{more}); filen har skrivits av ett program som inte "
                "räknar ut formler. Öppna och spara filen i Excel (eller LibreOffice) så sparas värdena, och läs den "
                "sedan igen."
            )

    def blank(vals: list[Any]) -> bool:
        return all(v is None or (isinstance(v, str) and not v.strip()) for v in vals)

    content = [(r, v) for r, v in rows if not blank(v)]
    if not content:
        raise EmptyFileError(f"Filen {name!r}: bladet {use!r} är tomt. Kontrollera att exporten blev klar.")
    # Titles above the table (one filled cell, as LibreOffice and report exports write them) are not the header:
    # the header is the first row with at least two filled cells when the rows below are that wide.
    def filled(vals: list[Any]) -> int:
        return sum(v is not None and not (isinstance(v, str) and not v.strip()) for v in vals)

    start = 0
    widest = max(filled(v) for _, v in content)
    if widest >= 2:
        while start < len(content) - 1 and filled(content[start][1]) == 1:
            start += 1
    titles = [r for r, _ in content[:start]]
    content = content[start:]
    header_row, header = content[0]
    last_row = content[-1][0]
    body = [(r, v) for r, v in rows if header_row < r <= last_row]
    width = max(max((i + 1 for i, x in enumerate(v) if x is not None), default=0) for _, v in [content[0], *body])
    names = [
        (str(h) if h is not None else f"Unnamed: {i}") for i, h in enumerate(list(header) + [None] * width)
    ][:width]
    blank_rows = [r for r, v in body if blank(v)]
    data_rows = [v for r, v in body if not blank(v)]
    data = np.empty((len(data_rows), width), dtype=object)
    for i, v in enumerate(data_rows):
        v = list(v[:width]) + [None] * (width - len(v))
        data[i, :] = [None if (isinstance(x, str) and x == "") else x for x in v]
    df = pd.DataFrame(data, columns=pd.Index(names, dtype=object), dtype=object)
    meta = {
        "sheet": use,
        "sheets": tuple(sheets),
        "data_offset": header_row + 1,
        "skipped_lines": tuple(blank_rows),
        "blank_lines": tuple(blank_rows),
        "header_line": header_row,
        "title_lines": tuple(titles),
    }
    return df, meta


def excel_cells_to_text(s: pd.Series) -> tuple[pd.Series, str]:
    """Type a column of Excel cell values: ``("num"|"date"|"bool"|"text", series)`` decided by the cells."""
    vals = s.to_numpy(dtype=object)
    present = [v for v in vals if v is not None]
    if not present:
        return pd.Series([np.nan] * len(vals), index=s.index, name=s.name, dtype=float), "num"
    if all(isinstance(v, bool) for v in present):
        return s, "bool"
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in present):
        return pd.to_numeric(pd.Series(vals, index=s.index, name=s.name), errors="coerce"), "num"
    if all(isinstance(v, _dt.datetime | _dt.date) for v in present):
        return pd.to_datetime(pd.Series(vals, index=s.index, name=s.name), errors="coerce"), "date"
    out = []
    for v in vals:
        if v is None or isinstance(v, str):
            out.append(v)
        elif isinstance(v, float) and v.is_integer():
            out.append(str(int(v)))
        elif isinstance(v, _dt.datetime | _dt.date):
            out.append(v.isoformat()[:10] if not isinstance(v, _dt.datetime) or v.time() == _dt.time() else
                       v.isoformat(sep=" "))
        else:
            out.append(str(v))
    return pd.Series(out, index=s.index, name=s.name, dtype=object), "text"
