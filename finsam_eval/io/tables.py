"""Read a table from CSV, Excel, SPSS or parquet, and check it like a careful colleague.

:func:`read_table` is the one door every reader in :mod:`finsam_eval.io`
goes through. It guesses what Swedish exports usually get wrong (semicolon
separator, decimal comma, cp1252 from old Excel, a UTF-8 byte order mark,
blank rows at the end) and repairs it openly: every repair is recorded in
``df.attrs["exclusions"]`` with counts and line numbers. What it cannot
repair (a PNG renamed ``.csv``, an ``.xlsx`` cut in half, a header only) is
an :class:`~finsam_eval.errors.InputFileError` that names the file, the line
and what to do.

Line numbers in messages are those of the file: the header is line 1, so the
first data row is line 2 (as Excel shows it). A DataFrame passed in is
numbered the same way, as if it were saved to a file.
"""

from __future__ import annotations

import codecs
import csv
import difflib
import gzip
import io
import os
import re
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import (
    DuplicateIdError,
    EmptyFileError,
    InputFileError,
    MissingColumnError,
    MissingDependencyError,
    SchemaError,
    describe_rows,
)
from ..results import Exclusions

__all__ = [
    "read_table",
    "require_columns",
    "check_unique",
    "file_rows",
    "source_label",
    "MissingDependencyError",
    "SUPPORTED_EXTENSIONS",
]


#: File endings :func:`read_table` understands, and the reader used for each.
SUPPORTED_EXTENSIONS: dict[str, str] = {
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".csv.gz": "csv",
    ".tsv.gz": "csv",
    ".txt.gz": "csv",
    ".xlsx": "excel",
    ".xlsm": "excel",
    ".sav": "spss",
    ".zsav": "spss",
    ".parquet": "parquet",
    ".pq": "parquet",
}

# First bytes of formats people save with the wrong ending.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG", "en PNG-bild"),
    (b"\xff\xd8\xff", "en JPEG-bild"),
    (b"GIF8", "en GIF-bild"),
    (b"%PDF", "en PDF-fil"),
    (b"PK\x03\x04", "en zip-arkiv (t.ex. .xlsx, .docx eller .zip)"),
    (b"\xd0\xcf\x11\xe0", "en äldre Office-fil (.xls eller .doc)"),
    (b"$FL2", "en SPSS-fil (.sav)"),
    (b"$FL3", "en SPSS-fil (.zsav)"),
    (b"PAR1", "en parquet-fil"),
)

_SEPARATORS = (";", "\t", ",", "|")
_SEP_NAMES = {";": "semikolon", "\t": "tabb", ",": "komma", "|": "lodstreck"}
# A number written the Swedish way: optional sign, digits with optional space
# or non-breaking-space thousand groups, optional decimal comma.
_SPACES = (" ", "\u00a0", "\u202f")
_SV_NUMBER = re.compile(r"[-+\u2212]?(?:\d+|\d{1,3}(?:[ \u00a0\u202f]\d{3})+)(?:,\d+)?")
_DATA_OFFSET = 2  # header is line 1, first data row line 2
_BLANK_LINE = re.compile(r"\n[ \t\r]*(?=\n)")


# --------------------------------------------------------------------------- helpers
def source_label(df_or_name: Any) -> str:
    """``"Filen 'x.csv'"`` for a frame read from a file, else ``"Tabellen"``."""
    name = df_or_name.attrs.get("source") if isinstance(df_or_name, pd.DataFrame) else df_or_name
    if not name or name == "<DataFrame>":
        return "Tabellen"
    return f"Filen {name!r}"


def file_rows(df: pd.DataFrame, positions: Iterable[int]) -> list[int]:
    """Line numbers in the source file of the rows at ``positions`` (0-based).

    The header is line 1. Lines :func:`read_table` removed (blank rows) are
    skipped over, so the numbers match what the user sees in the file.

    Examples
    --------
    >>> df = pd.DataFrame({"a": [1, 2, 3]})
    >>> df.attrs["skipped_lines"] = (3,)
    >>> file_rows(df, [0, 1, 2])
    [2, 4, 5]
    """
    offset = int(df.attrs.get("data_offset", _DATA_OFFSET))
    skipped = sorted(df.attrs.get("skipped_lines", ()))
    out = []
    for p in positions:
        line = int(p) + offset
        for s in skipped:
            if s <= line:
                line += 1
            else:
                break
        out.append(line)
    return out


def _rows_text(df: pd.DataFrame, mask_or_positions: Any, first: int = 5) -> str:
    """``"rad 2, 5 (och 3 till)"`` with line numbers of the file."""
    arr = np.asarray(mask_or_positions)
    pos = np.flatnonzero(arr) if arr.dtype == bool else arr
    text = describe_rows(file_rows(df, pos[:first]), first=first)
    rest = len(pos) - first
    return text + (f" (och {rest} till)" if rest > 0 else "")


def _n_rows(mask: Any) -> str:
    """``"1 rad"`` / ``"3 rader"`` for a boolean mask or a count."""
    n = int(np.asarray(mask).sum()) if not isinstance(mask, int | np.integer) else int(mask)
    return f"{n} rad" if n == 1 else f"{n} rader"


def _close(name: str, candidates: Sequence[str], n: int = 3) -> list[str]:
    lower = {str(c).casefold(): str(c) for c in candidates}
    hits = difflib.get_close_matches(name.casefold(), list(lower), n=n, cutoff=0.6)
    return [lower[h] for h in hits]


def require_columns(
    df: pd.DataFrame,
    required: Iterable[str],
    *,
    hint: str = "",
) -> None:
    """Raise :class:`MissingColumnError` if any of ``required`` is not a column.

    The message names the file, lists the columns that are there and suggests
    close matches (``difflib``), e.g. ``'Respondent ID'`` for ``respondent_id``.

    Examples
    --------
    >>> df = pd.DataFrame({"respondentid": [1], "forbund": ["Botkyrka"]})
    >>> require_columns(df, ["respondent_id", "forbund"])
    Traceback (most recent call last):
    ...
    finsam_eval.errors.MissingColumnError: Tabellen saknar kolumnen 'respondent_id'. Menade du 'respondentid'? ...
    """
    have = [str(c) for c in df.columns]
    missing = [c for c in required if c not in df.columns]
    if not missing:
        return
    parts = []
    for m in missing:
        close = _close(m, [h for h in have if h not in required])
        parts.append(f"'{m}'" + (f" (menade du {', '.join(repr(c) for c in close)}?)" if close else ""))
    if len(missing) == 1:
        close = _close(missing[0], [h for h in have if h not in required])
        head = f"{source_label(df)} saknar kolumnen '{missing[0]}'."
        if close:
            head += f" Menade du {' eller '.join(repr(c) for c in close)}?"
    else:
        head = f"{source_label(df)} saknar kolumnerna {', '.join(parts)}."
    shown = ", ".join(repr(h) for h in have[:30]) + (f" (och {len(have) - 30} till)" if len(have) > 30 else "")
    fix = (
        hint
        or "Byt namn på kolumnen i filen (eller med df.rename(columns={...})) eller ange rätt kolumnnamn som argument."
    )
    raise MissingColumnError(f"{head} Kolumner som finns: {shown}. {fix}")


def check_unique(df: pd.DataFrame, columns: str | Sequence[str], *, what: str = "rad") -> None:
    """Raise :class:`DuplicateIdError` if ``columns`` do not identify rows uniquely.

    The message gives line numbers of the repeated rows, never the id values
    (an id may be a personnummer).

    Examples
    --------
    >>> df = pd.DataFrame({"respondent_id": ["a", "b", "a"]})
    >>> check_unique(df, "respondent_id", what="respondent")
    Traceback (most recent call last):
    ...
    finsam_eval.errors.DuplicateIdError: Tabellen har 2 rader med samma värde i 'respondent_id' (rad 2, 4); ...
    """
    cols = [columns] if isinstance(columns, str) else list(columns)
    dup = df.duplicated(subset=cols, keep=False).to_numpy()
    if not dup.any():
        return
    n_groups = int(df.loc[dup, cols].drop_duplicates().shape[0])
    key = " + ".join(f"'{c}'" for c in cols)
    raise DuplicateIdError(
        f"{source_label(df)} har {int(dup.sum())} rader med samma värde i {key} ({_rows_text(df, dup)}); "
        f"{n_groups} {'id förekommer' if len(cols) == 1 else 'kombinationer förekommer'} mer än en gång. "
        f"Varje {what} ska ha exakt en rad: ta bort dubbletterna eller kontrollera att rätt id-kolumn används."
    )


# --------------------------------------------------------------------------- decoding
def _sniff_binary(raw: bytes, name: str, expected: str) -> None:
    for magic, what in _MAGIC:
        if raw.startswith(magic):
            fix = "Spara filen som CSV (semikolonavgränsad) eller ge den rätt filändelse"
            if magic == b"PK\x03\x04":
                fix = "Är det en Excel-fil? Byt filändelse till .xlsx. Annars: packa upp arkivet och läs filen inuti"
            raise InputFileError(f"Filen {name!r} är inte en {expected} utan {what}. {fix}.")
    head = raw[:8192]
    if b"\x00" in head and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise InputFileError(
            f"Filen {name!r} innehåller binära data och är ingen textfil ({expected}). "
            "Kontrollera att det är rätt fil; exportera tabellen som CSV eller .xlsx."
        )


def _decode(raw: bytes, name: str, encoding: str | None) -> tuple[str, str]:
    """Text and the encoding used: strict UTF-8 first, then cp1252 (old Excel)."""
    if encoding:
        try:
            return raw.decode(encoding).lstrip("\ufeff"), encoding
        except (UnicodeDecodeError, LookupError) as e:
            line = raw[: getattr(e, "start", 0)].count(b"\n") + 1
            raise InputFileError(
                f"Filen {name!r} kunde inte läsas med teckenkodningen {encoding!r} (rad {line}). "
                "Ange encoding=None så prövas UTF-8 och cp1252 automatiskt."
            ) from None
    if raw.startswith(codecs.BOM_UTF8):
        raw, enc = raw[len(codecs.BOM_UTF8) :], "utf-8-sig"
    elif raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return raw.decode("utf-16").lstrip("\ufeff"), "utf-16"
    else:
        enc = "utf-8"
    try:
        return raw.decode("utf-8"), enc
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise InputFileError(
            f"Filen {name!r} har en okänd teckenkodning (varken UTF-8 eller cp1252; första felet på rad {line}). "
            "Spara om filen som 'CSV UTF-8' eller ange encoding=."
        ) from None


def _sniff_sep(text: str) -> str:
    sample = text[:65536]
    lines = [ln for ln in sample.splitlines()[:60] if ln.strip()]
    if len(text) > len(sample) and len(lines) > 1:
        lines = lines[:-1]  # the last one may be cut
    if not lines:
        return ","
    best, best_score = ",", (-1.0, 0)
    for cand in _SEPARATORS:
        rows = list(csv.reader(lines, delimiter=cand))
        n = len(rows[0])
        if n < 2:
            continue
        score = (sum(len(r) == n for r in rows) / len(rows), 0)
        if score > best_score:
            best, best_score = cand, score
    return best


# --------------------------------------------------------------------------- readers
def _read_bytes(path: Path, name: str) -> bytes:
    raw = path.read_bytes()
    if name.lower().endswith(".gz"):
        if not raw.startswith(b"\x1f\x8b"):
            raise InputFileError(f"Filen {name!r} heter .gz men är inte gzip-komprimerad. Ta bort '.gz' ur filnamnet.")
        try:
            raw = gzip.decompress(raw)
        except (EOFError, OSError, zlib_error()):
            raise InputFileError(
                f"Filen {name!r} verkar avkortad eller skadad (gzip-arkivet tar slut för tidigt). "
                "Hämta eller kopiera filen på nytt."
            ) from None
    return raw


def zlib_error() -> type[Exception]:
    import zlib

    return zlib.error


def _read_csv(
    path: Path, name: str, sep: str | None, encoding: str | None, dtype: Any, ex: Exclusions
) -> tuple[pd.DataFrame, dict[str, Any]]:
    raw = _read_bytes(path, name)
    if not raw or raw.isspace():
        raise EmptyFileError(
            f"Filen {name!r} är tom (0 byte eller bara blanktecken). Kontrollera att exporten blev klar."
        )
    _sniff_binary(raw, name, "textfil (CSV)")
    text, enc = _decode(raw, name, encoding)
    used_sep = sep or _sniff_sep(text)
    first_line = text.lstrip("\r\n").split("\n", 1)[0].rstrip("\r")
    header = next(csv.reader([first_line], delimiter=used_sep))
    clean = [_clean_name(h) for h in header]
    if isinstance(dtype, dict):  # keys are clean names; map to what pandas sees
        raw_of = dict(zip(clean, header))
        dtype = {raw_of.get(k, k): v for k, v in dtype.items()}
    try:
        df = pd.read_csv(
            io.StringIO(text),
            sep=used_sep,
            dtype=dtype,
            skip_blank_lines=True,
            engine="c",
            low_memory=False,
        )
    except pd.errors.EmptyDataError:
        raise EmptyFileError(f"Filen {name!r} är tom. Kontrollera att exporten blev klar.") from None
    except pd.errors.ParserError as e:
        msg = str(e)
        m = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", msg)
        if m:
            raise InputFileError(
                f"Filen {name!r} kunde inte läsas: rad {m.group(2)} har {m.group(3)} fält men rubrikraden har "
                f"{m.group(1)} (avgränsare: {_SEP_NAMES.get(used_sep, repr(used_sep))}). Kontrollera citattecken och "
                "avgränsare på raden, eller ange sep=."
            ) from None
        m = re.search(r"EOF inside string starting at row (\d+)", msg)
        if m:
            raise InputFileError(
                f"Filen {name!r} verkar avkortad: ett citattecken som öppnas på rad {int(m.group(1)) + 1} stängs aldrig. "
                "Kontrollera att hela filen kom med (exportera eller kopiera den på nytt)."
            ) from None
        raise InputFileError(f"Filen {name!r} kunde inte läsas som CSV ({msg}). Ange sep= och encoding=.") from None
    # A last line with fewer fields than the header: the file was cut off.
    body = text.rstrip("\r\n")
    last = body.rsplit("\n", 1)[-1].rstrip("\r")
    n_lines = body.count("\n") + 1
    if n_lines > 1 and last.strip():
        n_last = len(next(csv.reader([last], delimiter=used_sep)))
        if n_last < len(header) and last.count('"') % 2 == 0:
            raise InputFileError(
                f"Filen {name!r} verkar avkortad: sista raden (rad {n_lines}) har {n_last} fält men rubrikraden har "
                f"{len(header)}. Kontrollera att hela filen kom med (exportera eller kopiera den på nytt)."
            )
    # Blank lines pandas skipped: remember their numbers so that row numbers match the file.
    lead = text[: len(text) - len(text.lstrip("\r\n \t"))].count("\n")
    blank, line, last_pos = [], 1, 0
    for m in _BLANK_LINE.finditer(text, len(text) - len(text.lstrip("\r\n \t"))):
        line += text.count("\n", last_pos, m.start() + 1)
        last_pos = m.start() + 1
        blank.append(line)
    return df, {"encoding": enc, "sep": used_sep, "data_offset": lead + _DATA_OFFSET, "skipped_lines": tuple(blank)}


def _read_excel(path: Path, name: str, sheet: Any, dtype: Any) -> tuple[pd.DataFrame, dict[str, Any]]:
    with open(path, "rb") as fh:
        head = fh.read(8)
    if not head:
        raise EmptyFileError(f"Filen {name!r} är tom (0 byte). Kontrollera att exporten blev klar.")
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise InputFileError(
            f"Filen {name!r} är i det gamla Excel-formatet (.xls) som inte stöds. Öppna den i Excel och spara som .xlsx."
        )
    if not head.startswith(b"PK"):
        what = next((what for magic, what in _MAGIC if head.startswith(magic)), "en textfil")
        raise InputFileError(
            f"Filen {name!r} heter .xlsx men är ingen Excel-fil (den ser ut som {what}). "
            "Byt filändelse (t.ex. till .csv) eller spara om den från Excel."
        )
    try:
        import openpyxl  # noqa: F401
    except ImportError:  # pragma: no cover - openpyxl is a hard dependency
        raise MissingDependencyError("Excel-filer kräver paketet openpyxl: pip install openpyxl") from None
    try:
        xl = pd.ExcelFile(path, engine="openpyxl")
    except (zipfile.BadZipFile, EOFError, KeyError, OSError, zlib_error()) as e:
        raise InputFileError(
            f"Filen {name!r} verkar avkortad eller skadad och kan inte öppnas som Excel-fil ({type(e).__name__}). "
            "Kopiera eller exportera filen på nytt och kontrollera att den går att öppna i Excel."
        ) from None
    with xl:
        sheets = list(xl.sheet_names)
        use = 0 if sheet is None else sheet
        if isinstance(use, str) and use not in sheets:
            close = _close(use, sheets)
            raise InputFileError(
                f"Filen {name!r} har inget blad som heter {use!r}."
                + (f" Menade du {' eller '.join(repr(c) for c in close)}?" if close else "")
                + f" Bladen är: {', '.join(repr(s) for s in sheets)}."
            )
        if isinstance(use, int) and not 0 <= use < len(sheets):
            raise InputFileError(f"Filen {name!r} har {len(sheets)} blad; sheet={use} finns inte (räkna från 0).")
        try:
            df = pd.read_excel(xl, sheet_name=use, dtype=dtype)
        except (zipfile.BadZipFile, EOFError, KeyError, zlib_error()) as e:
            raise InputFileError(
                f"Filen {name!r} verkar avkortad eller skadad ({type(e).__name__}). Kopiera eller exportera den på nytt."
            ) from None
    return df, {"sheet": sheets[use] if isinstance(use, int) else use, "sheets": tuple(sheets)}


def _read_spss(path: Path, name: str) -> tuple[pd.DataFrame, dict[str, Any]]:
    try:
        import pyreadstat
    except ImportError:
        raise MissingDependencyError(
            f"Att läsa SPSS-filen {name!r} kräver paketet pyreadstat. Installera det med "
            "pip install finsam_eval[spss] (eller pip install pyreadstat), eller exportera filen som .xlsx/.csv."
        ) from None
    reader = pyreadstat.read_sav
    try:
        df, meta = reader(str(path), apply_value_formats=True, formats_as_category=False)
    except Exception as e:  # pyreadstat raises its own ReadstatError / PyreadstatError
        raise InputFileError(
            f"Filen {name!r} kunde inte läsas som SPSS-fil; den verkar avkortad eller skadad ({e}). "
            "Exportera den på nytt från SPSS."
        ) from None
    labels = {c: lab for c, lab in zip(meta.column_names, meta.column_labels or []) if lab}
    return df, {"column_labels": labels}


def _read_parquet(path: Path, name: str) -> tuple[pd.DataFrame, dict[str, Any]]:
    try:
        return pd.read_parquet(path), {}
    except ImportError:
        raise MissingDependencyError(
            f"Att läsa parquet-filen {name!r} kräver paketet pyarrow: pip install finsam_eval[parquet]"
        ) from None
    except Exception as e:  # pyarrow.ArrowInvalid, OSError
        raise InputFileError(
            f"Filen {name!r} kunde inte läsas som parquet-fil; den verkar avkortad eller skadad ({type(e).__name__}). "
            "Skriv ut filen på nytt."
        ) from None


# --------------------------------------------------------------------------- cleaning
def _clean_name(name: Any) -> str:
    return str(name).replace("\ufeff", "").strip()


def _clean_columns(df: pd.DataFrame, label: str, ex: Exclusions) -> pd.DataFrame:
    new = [_clean_name(c) for c in df.columns]
    seen: dict[str, int] = {}
    for c in new:
        seen[c] = seen.get(c, 0) + 1
    dup = [c for c, n in seen.items() if n > 1]
    if dup:
        raise SchemaError(
            f"{label} har flera kolumner som heter {', '.join(repr(d) for d in dup)}. Ge kolumnerna unika namn."
        )
    df.columns = new
    # Excel exports often end every line with a separator: an empty column without a name.
    unnamed = [c for c in df.columns if (c == "" or c.startswith("Unnamed: ")) and df[c].isna().all()]
    if unnamed:
        df = df.drop(columns=unnamed)
        ex.add("tom kolumn utan rubrik borttagen", len(unnamed), action="borttagen")
    return df


def _blank_mask(df: pd.DataFrame) -> np.ndarray:
    blank = np.ones(len(df), dtype=bool)
    for c in df.columns:
        s = df[c]
        col_blank = s.isna().to_numpy().copy()
        if not col_blank.all() and (pd.api.types.is_object_dtype(s) or pd.api.types.is_string_dtype(s)):
            nonnull = ~col_blank
            strs = s[nonnull]
            if pd.api.types.infer_dtype(strs, skipna=True) == "string":
                col_blank[nonnull] = strs.str.strip().eq("").to_numpy()
        blank &= col_blank
        if not blank.any():
            break
    return blank


def _decimal_comma(df: pd.DataFrame, ex: Exclusions) -> pd.DataFrame:
    """Turn text columns written as Swedish numbers (``1 234,5``) into floats.

    Vectorised: literal replacements and ``pd.to_numeric``; the regular
    expression only checks a sample and the (few) cells with spaces, so that a
    postnummer such as ``123 45`` is not read as a number.
    """
    for c in df.columns:
        s = df[c]
        if not (pd.api.types.is_object_dtype(s) or pd.api.types.is_string_dtype(s)):
            continue
        nn = s.dropna()
        if nn.empty or pd.api.types.infer_dtype(nn.head(200), skipna=True) != "string":
            continue
        if not all(_SV_NUMBER.fullmatch(v.strip()) for v in nn.head(100)):
            continue
        if pd.api.types.infer_dtype(nn, skipna=True) != "string":
            continue
        st = nn.str.strip()
        has_comma = st.str.contains(",", regex=False).to_numpy(dtype=bool)
        has_space = np.zeros(len(st), dtype=bool)
        for sp in _SPACES:
            has_space |= st.str.contains(sp, regex=False).to_numpy(dtype=bool)
        if not (has_comma.any() or has_space.any()):
            continue
        if has_space.any() and not all(_SV_NUMBER.fullmatch(v) for v in st[has_space]):
            continue
        t = st
        for sp in _SPACES:
            t = t.str.replace(sp, "", regex=False)
        t = t.str.replace("\u2212", "-", regex=False).str.replace(",", ".", regex=False)
        num = pd.to_numeric(t, errors="coerce")
        if num.isna().any():
            continue
        out = np.full(len(s), np.nan)
        notna = s.notna().to_numpy()
        out[notna] = num.to_numpy(dtype=float)
        df[c] = out
        pos = np.flatnonzero(notna)[has_comma | has_space]
        ex.add("decimalkomma tolkat", len(pos), rows=file_rows(df, pos[:10]), column=c, action="omkodad")
    return df


def _finish(df: pd.DataFrame, name: str, ex: Exclusions, meta: dict[str, Any], decimal: str | None) -> pd.DataFrame:
    label = source_label(name)
    df = _clean_columns(df, label, ex)
    offset = meta.pop("data_offset", _DATA_OFFSET)
    skipped = tuple(meta.pop("skipped_lines", ()))
    df.attrs = {"source": name, "exclusions": ex, "data_offset": offset, "skipped_lines": skipped}
    if len(df.columns) == 0 or len(df) == 0:
        raise EmptyFileError(
            f"{label} innehåller inga datarader (bara rubrikraden eller ingenting). Kontrollera att exporten blev klar."
        )
    blank = _blank_mask(df)
    if blank.any():
        skipped = tuple(sorted({*skipped, *file_rows(df, np.flatnonzero(blank))}))
        df = df.loc[~blank].reset_index(drop=True)
        df.attrs = {"source": name, "exclusions": ex, "data_offset": offset, "skipped_lines": skipped}
        if len(df) == 0:
            raise EmptyFileError(f"{label} innehåller bara tomma rader. Kontrollera att exporten blev klar.")
    if skipped:
        ex.add("tomma rader borttagna", len(skipped), rows=skipped[:10], action="borttagen")
    if decimal != ".":
        df = _decimal_comma(df, ex)
    df.attrs.update(meta)
    return df


def _kind(name: str) -> str:
    low = name.lower()
    for ext in sorted(SUPPORTED_EXTENSIONS, key=len, reverse=True):
        if low.endswith(ext):
            return SUPPORTED_EXTENSIONS[ext]
    ext = "".join(Path(name).suffixes[-2:]) or "(ingen)"
    raise InputFileError(
        f"Filen {name!r} har en filändelse som inte stöds: {ext}. Tillåtna: "
        f"{', '.join(SUPPORTED_EXTENSIONS)}. Exportera tabellen som .xlsx eller .csv."
    )


# --------------------------------------------------------------------------- public
def read_table(
    source: str | os.PathLike[str] | pd.DataFrame,
    *,
    sheet: str | int | None = None,
    sep: str | None = None,
    encoding: str | None = None,
    decimal: str | None = None,
    dtype: Any = None,
) -> pd.DataFrame:
    """Read a table from CSV, Excel, SPSS or parquet, repairing the usual export problems openly.

    Parameters
    ----------
    source
        A path (``.csv``, ``.tsv``, ``.txt``, ``.csv.gz``, ``.xlsx``, ``.xlsm``,
        ``.sav``, ``.zsav``, ``.parquet``) or a DataFrame (returned as a copy
        with stripped column names).
    sheet
        Excel sheet name or 0-based number; default the first sheet.
    sep
        CSV separator; default detected among ``;``, tab, ``,`` and ``|``.
    encoding
        Text encoding; default strict UTF-8 (a byte order mark is removed),
        then cp1252 (what older Excel writes on Swedish Windows).
    decimal
        ``","`` to read text numbers with decimal comma as floats, ``"."`` to
        leave text alone; default: decimal comma is recognised when the
        separator is not a comma.
    dtype
        Passed to pandas (CSV and Excel), e.g. ``{"person_id": str}`` so that
        ids with leading zeros stay intact. Keys are the cleaned column names.

    Returns
    -------
    pandas.DataFrame
        With ``attrs["source"]`` (the file name), ``attrs["exclusions"]``
        (:class:`~finsam_eval.results.Exclusions`: decimal comma read, blank
        rows removed, empty unnamed columns removed, with counts and line
        numbers) and, depending on format, ``attrs["encoding"]``,
        ``attrs["sep"]``, ``attrs["sheet"]``, ``attrs["column_labels"]`` (SPSS).

    Raises
    ------
    InputFileError
        File missing, unknown ending, binary or truncated, unreadable encoding.
    EmptyFileError
        0 bytes, header only or only blank rows.
    MissingDependencyError
        ``pyreadstat`` (SPSS) or ``pyarrow`` (parquet) not installed.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "enkat.csv"
    >>> _ = p.write_bytes("förbund;andel\\nHuddinge;0,25\\n\\n".encode("cp1252"))
    >>> df = read_table(p)
    >>> df["andel"].tolist(), df.attrs["encoding"]
    ([0.25], 'cp1252')
    >>> print(df.attrs["exclusions"].describe())
    1 borttagen: tomma rader borttagna (rad 3)
    1 omkodad: decimalkomma tolkat i kolumnen 'andel' (rad 2)
    """
    ex = Exclusions()
    if isinstance(source, pd.DataFrame):
        df = source.copy()
        name = source.attrs.get("source", "<DataFrame>")
        df = _clean_columns(df, source_label(name), ex)
        old = source.attrs.get("exclusions")
        if isinstance(old, Exclusions):
            ex.items[:0] = old.items
        df.attrs = {**source.attrs, "source": name, "exclusions": ex}
        df.attrs.setdefault("data_offset", _DATA_OFFSET)
        df.attrs.setdefault("skipped_lines", ())
        return df
    if not isinstance(source, str | os.PathLike):
        raise TypeError(f"read_table vill ha en sökväg eller en DataFrame, inte {type(source).__name__}.")
    path = Path(source)
    name = path.name
    if not path.exists():
        near = _close(name, [p.name for p in path.parent.iterdir()]) if path.parent.is_dir() else []
        raise InputFileError(
            f"Filen {name!r} finns inte (sökväg: {str(path)!r})."
            + (f" Menade du {' eller '.join(repr(n) for n in near)}?" if near else "")
            + " Kontrollera sökvägen och arbetskatalogen (os.getcwd())."
        )
    if path.is_dir():
        raise InputFileError(f"{str(path)!r} är en mapp, inte en fil. Ange en tabellfil (.csv, .xlsx, .sav, .parquet).")
    kind = _kind(name)
    if path.stat().st_size == 0:
        raise EmptyFileError(f"Filen {name!r} är tom (0 byte). Kontrollera att exporten eller kopieringen blev klar.")
    if kind == "csv":
        df, meta = _read_csv(path, name, sep, encoding, dtype, ex)
        if decimal is None and meta["sep"] == ",":
            decimal = "."
    elif kind == "excel":
        df, meta = _read_excel(path, name, sheet, dtype)
    elif kind == "spss":
        df, meta = _read_spss(path, name)
    else:
        df, meta = _read_parquet(path, name)
    meta["format"] = kind
    return _finish(df, name, ex, meta, decimal)
