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

import difflib
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import (
    DuplicateIdError,
    EmptyFileError,
    FinsamError,
    InputFileError,
    MissingColumnError,
    MissingDependencyError,
    SchemaError,
    describe_rows,
)
from ..results import Exclusions
from ._csv import decode, read_csv, sniff_binary, sniff_sep
from ._excel import excel_cells_to_text, read_excel
from .convert import infer_column

__all__ = [
    "read_table",
    "require_columns",
    "check_unique",
    "file_rows",
    "source_label",
    "safe_file_name",
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

_DATA_OFFSET = 2  # header is line 1, first data row line 2
# Column names read as text whatever they hold: ids keep leading zeros and never become floats.
_ID_NAMES = frozenset(
    {"id", "personnummer", "pnr", "lopnr", "löpnr", "lopnummer", "löpnummer", "respondent", "respondentid",
     "respondent_id", "person_id", "personid", "samordningsnummer", "deltagar_id", "deltagarid"}
)  # fmt: skip


def _is_id_name(name: str) -> bool:
    low = name.casefold().replace(" ", "_").replace("-", "_")
    return low in _ID_NAMES or low.endswith("_id") or low.startswith("id_")


# --------------------------------------------------------------------------- helpers
def safe_file_name(name: Any) -> str:
    """A file name fit for messages: one holding a personnummer is replaced by a description.

    Uses :func:`finsam_eval.privacy.guard.safe_name` (the one privacy guard).

    Examples
    --------
    >>> safe_file_name("enkat.csv")
    'enkat.csv'
    >>> "4562" in safe_file_name("enkat_19911224-4562.csv")
    False
    """
    text = str(name)
    try:
        from ..privacy.guard import safe_name
    except ImportError:  # the guard module is being written in parallel; same rule meanwhile
        from ..privacy import contains_personnummer

        return "fil med personnummer i namnet" if contains_personnummer(text) else text
    return str(safe_name(text))


def source_label(df_or_name: Any) -> str:
    """``"Filen 'x.csv'"`` for a frame read from a file, else ``"Tabellen"`` (file names pass the privacy guard)."""
    name = df_or_name.attrs.get("source") if isinstance(df_or_name, pd.DataFrame | pd.Series) else df_or_name
    if not name or name == "<DataFrame>":
        return "Tabellen"
    return f"Filen {safe_file_name(name)!r}"


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
    lines = df.attrs.get("file_lines")
    if lines is not None and len(lines) == len(df):  # a reshaped file (wide to long) keeps each row's line
        return [int(lines[int(p)]) for p in positions]
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


def close_matches(name: str, candidates: Sequence[str], n: int = 3) -> list[str]:
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
        close = close_matches(m, [h for h in have if h not in required])
        parts.append(f"'{m}'" + (f" (menade du {', '.join(repr(c) for c in close)}?)" if close else ""))
    if len(missing) == 1:
        close = close_matches(missing[0], [h for h in have if h not in required])
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


# --------------------------------------------------------------------------- readers
# Kept under their old names: excerpts.py decodes transcripts with _decode.
_decode = decode
_sniff_binary = sniff_binary
_sniff_sep = sniff_sep


def _read_spss(path: Path, name: str) -> tuple[pd.DataFrame, dict[str, Any]]:
    try:
        import pyreadstat
    except ImportError:
        raise MissingDependencyError(
            f"Att läsa SPSS-filen {name!r} kräver paketet pyreadstat. Installera det med "
            "pip install finsam_eval[spss] (eller pip install pyreadstat), eller exportera filen som .xlsx/.csv."
        ) from None
    try:
        df, meta = pyreadstat.read_sav(str(path), apply_value_formats=True, formats_as_category=False)
    except Exception as e:  # pyreadstat raises its own ReadstatError / PyreadstatError
        raise InputFileError(
            f"Filen {name!r} kunde inte läsas som SPSS-fil; den verkar avkortad eller skadad ({type(e).__name__}). "
            "Exportera den på nytt från SPSS."
        ) from None
    labels = {c: lab for c, lab in zip(meta.column_names, meta.column_labels or []) if lab}
    values = {
        c: {(int(k) if isinstance(k, float) and k.is_integer() else k): str(v) for k, v in m.items()}
        for c, m in (meta.variable_value_labels or {}).items()
    }
    # SPSS cases are numbered like file lines: case 1 = line 2.
    return df, {"column_labels": labels, "value_labels": values}


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


def _clean_columns(df: pd.DataFrame, label: str, ex: Exclusions, header_line: int | None = None) -> pd.DataFrame:
    try:
        from ..privacy.guard import holds_personnummer as contains_personnummer
    except ImportError:  # pragma: no cover - the guard arrived in parallel
        from ..privacy import contains_personnummer

    new = [_clean_name(c) for c in df.columns]
    new = [c or f"Unnamed: {i}" for i, c in enumerate(new)]  # several empty headers must stay distinct
    where = f"rubrikraden (rad {header_line})" if header_line else "rubrikraden"
    pnr = [i + 1 for i, c in enumerate(new) if contains_personnummer(c)]
    if pnr:
        # Never echo the header: it is a personnummer, and the file probably has no header row at all.
        raise InputFileError(
            f"{label}: {where} innehåller något som liknar ett personnummer (kolumn "
            f"{', '.join(map(str, pnr[:5]))}). Filen saknar troligen rubrikrad: lägg till en rad med kolumnnamn "
            "överst (t.ex. personnummer;period;...) och läs filen igen."
        )
    positions: dict[str, list[int]] = {}
    for i, c in enumerate(new, start=1):
        positions.setdefault(c, []).append(i)
    dup = {c: pos for c, pos in positions.items() if len(pos) > 1 and c}
    if dup:
        parts = [
            f"{c!r} ({' och '.join(f'kolumn {p} ({_col_letter(p)})' for p in pos)})" for c, pos in dup.items()
        ]
        raise SchemaError(
            f"{label} har flera kolumner som heter {', '.join(parts)} i {where}. Ge kolumnerna unika namn "
            "(t.ex. fraga_a och fraga_b); annars vet ingen vilken av dem analysen ska använda."
        )
    df.columns = new
    # Excel exports often end every line with a separator: an empty column without a name.
    unnamed = [c for c in df.columns if (c == "" or c.startswith("Unnamed: ")) and df[c].isna().all()]
    if unnamed:
        df = df.drop(columns=unnamed)
        ex.add("tom kolumn utan rubrik borttagen", len(unnamed), action="borttagen")
    nameless = [i + 1 for i, c in enumerate(df.columns) if c.startswith("Unnamed: ")]
    if nameless and header_line is not None:
        cols = ", ".join(f"{p} ({_col_letter(p)})" for p in nameless[:5])
        raise SchemaError(
            f"{label}: {'kolumn' if len(nameless) == 1 else 'kolumnerna'} {cols} har värden men ingen rubrik i "
            f"{where}. Skriv en rubrik för varje kolumn (står rubrikerna på två rader, slå ihop dem till en)."
        )
    return df


def _col_letter(i: int) -> str:
    """Excel's column letter for 1-based column ``i`` (1 -> A, 27 -> AA)."""
    out = ""
    while i > 0:
        i, r = divmod(i - 1, 26)
        out = chr(65 + r) + out
    return out


def _blank_mask(df: pd.DataFrame) -> np.ndarray:
    """Rows whose every cell is empty or whitespace; only rows still blank are looked at in each column."""
    blank = np.ones(len(df), dtype=bool)
    for c in df.columns:
        s = df[c]
        na = s.isna().to_numpy()
        still = blank & ~na
        if still.any() and (pd.api.types.is_object_dtype(s) or pd.api.types.is_string_dtype(s)):
            vals = s.to_numpy(dtype=object)[still]
            is_str = np.array([isinstance(v, str) for v in vals], dtype=bool) if vals.dtype == object else None
            space = np.zeros(len(vals), dtype=bool)
            if is_str is not None and is_str.any():
                space[is_str] = np.char.str_len(np.char.strip(vals[is_str].astype(str))) == 0
            na = na.copy()
            na[np.flatnonzero(still)[space]] = True
        blank &= na
        if not blank.any():
            break
    return blank


def _type_columns(
    df: pd.DataFrame, ex: Exclusions, *, decimal_comma: bool, dtype: Any, excel: bool,
    typed: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Give every text column its type (numbers, shares, periods, ids as text), recording each conversion."""
    text_cols = set(df.columns) if dtype is str or dtype == "str" else set()
    if isinstance(dtype, dict):
        text_cols |= {c for c, t in dtype.items() if t is str or t in ("str", "string", "object")}
    units: dict[str, str] = {}
    cols = {}
    for j, c in enumerate(df.columns):
        s = df[c]
        if excel:
            raw = s
            s, kind = excel_cells_to_text(s)
            if kind != "text":
                if c in text_cols or (_is_id_name(c) and kind == "num"):
                    # ids typed as numbers in Excel: text, and 7.0 is "7"
                    cols[c] = pd.Series(
                        [None if v is None else str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)
                         for v in raw.to_numpy(dtype=object)],
                        index=df.index, name=c, dtype="str",
                    )
                else:
                    cols[c] = s
                continue
        keep = c in text_cols or _is_id_name(c)
        s.attrs = df.attrs
        t = typed.iloc[:, j] if typed is not None else None
        out, notes = infer_column(s, decimal_comma=decimal_comma, keep_text=keep, typed=t)
        for action, reason, mask in notes:
            pos = np.flatnonzero(mask)
            ex.add(reason, len(pos), rows=file_rows(df, pos[:10]), column=c, action=action)
            if reason.startswith("procent"):
                units[c] = "andel (0-1), läst från procent"
        cols[c] = out
    out_df = pd.DataFrame(cols, index=df.index)
    out_df.attrs = df.attrs
    if isinstance(dtype, dict):
        for c, t in dtype.items():
            if c in out_df.columns and c not in text_cols:
                try:
                    out_df[c] = out_df[c].astype(t)
                except (TypeError, ValueError):
                    raise SchemaError(
                        f"{source_label(df)}: kolumnen '{c}' kan inte läsas som {t}. Rätta värdena eller ta bort dtype=."
                    ) from None
    if units:
        out_df.attrs["units"] = units
    return out_df


def _finish(
    df: pd.DataFrame, name: str, ex: Exclusions, meta: dict[str, Any], decimal: str | None, dtype: Any
) -> pd.DataFrame:
    label = source_label(name)
    df = _clean_columns(df, label, ex, meta.pop("header_line", None))
    offset = meta.pop("data_offset", _DATA_OFFSET)
    skipped = tuple(meta.pop("skipped_lines", ()))
    blank_lines = list(meta.pop("blank_lines", ()))
    titles = meta.pop("title_lines", ())
    if titles:
        ex.add(f"rader ovanför rubrikraden (rad {offset - 1}) lästes som rubrik/titel, inte som data", len(titles),
               rows=titles, action="borttagen")
    df.attrs = {"source": name, "exclusions": ex, "data_offset": offset, "skipped_lines": skipped}
    if len(df) == 0 and blank_lines:
        raise EmptyFileError(f"{label} innehåller bara tomma rader. Kontrollera att exporten blev klar.")
    if len(df.columns) == 0 or len(df) == 0:
        raise EmptyFileError(
            f"{label} innehåller inga datarader (bara rubrikraden eller ingenting). Kontrollera att exporten blev klar."
        )
    blank = _blank_mask(df)
    if blank.any():
        lines = file_rows(df, np.flatnonzero(blank))
        blank_lines += lines
        skipped = tuple(sorted({*skipped, *lines}))
        df = df.loc[~blank].reset_index(drop=True)
        df.attrs = {"source": name, "exclusions": ex, "data_offset": offset, "skipped_lines": skipped}
        if len(df) == 0:
            raise EmptyFileError(f"{label} innehåller bara tomma rader. Kontrollera att exporten blev klar.")
    if blank_lines:
        blank_lines = sorted(set(blank_lines))
        ex.add("tomma rader borttagna", len(blank_lines), rows=blank_lines[:10], action="borttagen")
    fmt = meta.get("format")
    typed = meta.pop("typed", None)
    if typed is not None and len(typed) != len(df):
        typed = None  # blank rows were dropped after parsing: positions no longer match
    if typed is not None:
        typed.index = df.index
    if fmt in ("csv", "excel"):
        df = _type_columns(df, ex, decimal_comma=decimal != ".", dtype=dtype, excel=fmt == "excel", typed=typed)
    df.attrs.update(meta)
    return df


def _kind(name: str, shown: str | None = None) -> str:
    low = name.lower()
    for ext in sorted(SUPPORTED_EXTENSIONS, key=len, reverse=True):
        if low.endswith(ext):
            return SUPPORTED_EXTENSIONS[ext]
    ext = safe_file_name("".join(Path(name).suffixes[-2:]) or "(ingen)")
    raise InputFileError(
        f"Filen {shown or name!r} har en filändelse som inte stöds: {ext}. Tillåtna: "
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
        Excel sheet name or 0-based number. Default: the only sheet with data;
        a workbook with several is an error naming them (no guessing).
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
        ``str`` (all columns as text) or ``{column: type}``; ``{"x": str}``
        keeps a column as text. Keys are the cleaned column names. Id-like
        columns (``id``, ``*_id``, ``lopnr``, ``personnummer`` ...) and any
        integer column with a leading zero (``0001``) are text anyway.

    Returns
    -------
    pandas.DataFrame
        Text columns typed from what they hold: numbers (decimal comma and
        space thousands when the separator is not a comma), percentages as
        shares (``"65 %"`` -> 0.65, unit in ``attrs["units"]``), period texts
        (``2021K3``, ``2021 Q3``, ``Q3 2021``, ``2021-07``, ``juli 2021``) as
        pandas periods; full dates stay text (see
        :func:`~finsam_eval.io.parse_period`). A column of numbers with a few
        other cells stays text and the cells are recorded ("läst som text")
        with their lines. ``attrs["source"]`` is the file name (through the
        privacy guard), ``attrs["exclusions"]``
        (:class:`~finsam_eval.results.Exclusions`) records every conversion,
        blank row, title row and dropped empty column with counts and file
        lines (header = line 1; Excel rows are sheet rows; SPSS case 1 =
        line 2); depending on format ``attrs["encoding"]``, ``attrs["sep"]``,
        ``attrs["sheet"]``, ``attrs["column_labels"]`` and
        ``attrs["value_labels"]`` (SPSS: column -> {code: label}).

    Raises
    ------
    InputFileError
        File missing, unknown ending, binary or truncated, unreadable
        encoding; a row with fewer or more fields than the header (its file
        line); Excel formulas without cached values (sheet and cells); several
        sheets with data and no ``sheet=``; an xlsx that would decompress to
        more than ``MAX_UNCOMPRESSED`` bytes or with a compression ratio over
        ``MAX_RATIO`` (:mod:`finsam_eval.io._excel`); a header that holds a
        personnummer (a file without header row; the value is never shown).
    SchemaError
        Duplicate column names (both positions), a column with data but no
        header, quarters and months mixed in one column (the lines).
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
        raise InputFileError(
            f"read_table vill ha en sökväg eller en DataFrame, inte {type(source).__name__}. Ange filens sökväg."
        )
    path = Path(source)
    name = safe_file_name(path.name)
    if not path.exists():
        near = close_matches(path.name, [p.name for p in path.parent.iterdir()]) if path.parent.is_dir() else []
        near = [safe_file_name(n) for n in near]
        raise InputFileError(
            f"Filen {name!r} finns inte (sökväg: {_safe_path(path)!r})."
            + (f" Menade du {' eller '.join(repr(n) for n in near)}?" if near else "")
            + " Kontrollera sökvägen och arbetskatalogen (os.getcwd())."
        )
    if path.is_dir():
        raise InputFileError(
            f"{_safe_path(path)!r} är en mapp, inte en fil. Ange en tabellfil (.csv, .xlsx, .sav, .parquet)."
        )
    kind = _kind(name if name == path.name else path.name, name)
    try:
        if path.stat().st_size == 0:
            raise EmptyFileError(
                f"Filen {name!r} är tom (0 byte). Kontrollera att exporten eller kopieringen blev klar."
            )
        if kind == "csv":
            df, meta = read_csv(path, name, sep, encoding)
            if decimal is None and meta["sep"] == ",":
                decimal = "."
        elif kind == "excel":
            try:
                df, meta = read_excel(path, name, sheet)
            except FinsamError as exc:
                raise _masked(exc) from None
        elif kind == "spss":
            df, meta = _read_spss(path, name)
        else:
            df, meta = _read_parquet(path, name)
    except OSError as e:  # permission denied, a file locked by Excel, a vanished network drive
        raise InputFileError(
            f"Filen {name!r} kunde inte läsas ({type(e).__name__}). Stäng filen i Excel och kontrollera behörigheten."
        ) from None
    meta["format"] = kind
    try:
        return _finish(df, name, ex, meta, decimal, dtype)
    except FinsamError as exc:
        raise _masked(exc) from None


def _masked(exc: FinsamError) -> FinsamError:
    """The same error with any personnummer in its message masked (sheet names, headers, values)."""
    text = str(exc)
    safe = _safe_path(text)
    return exc if safe == text else type(exc)(safe)


def _safe_path(path: Path) -> str:
    try:
        from ..privacy.guard import mask_text
    except ImportError:
        from ..privacy import mask_personnummer

        return mask_personnummer(str(path), "ÅÅÅÅMMDD-XXXX")[0]
    return str(mask_text(str(path)))
