"""Text tables (CSV, TSV, "Unicode text") read with the csv module, so that every row keeps its file line.

pandas' parser pads a short row with empty cells (the answers shift one
column left without a word) and cannot say which physical line a record with
a quoted newline started on. Here each record is read with its first line,
short and long rows are errors naming those lines, blank lines are
remembered, and no ``_csv.Error`` escapes.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import sys
import zlib
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import EmptyFileError, InputFileError

# First bytes of formats people save with the wrong ending.
MAGIC: tuple[tuple[bytes, str], ...] = (
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
SEPARATORS = (";", "\t", ",", "|")
SEP_NAMES = {";": "semikolon", "\t": "tabb", ",": "komma", "|": "lodstreck"}
_FIELD_LIMIT = min(sys.maxsize, 2**31 - 1)


def sniff_binary(raw: bytes, name: str, expected: str) -> None:
    for magic, what in MAGIC:
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


def decode(raw: bytes, name: str, encoding: str | None) -> tuple[str, str]:
    """Text and the encoding used: a BOM decides, else strict UTF-8, then cp1252 (old Excel)."""
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
        try:
            return raw.decode("utf-16").lstrip("\ufeff"), "utf-16"
        except UnicodeDecodeError:
            raise InputFileError(
                f"Filen {name!r} börjar som UTF-16 men är avkortad eller skadad. Exportera den på nytt."
            ) from None
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


def sniff_sep(text: str) -> str:
    sample = text[:65536]
    lines = [ln for ln in sample.splitlines()[:60] if ln.strip()]
    if len(text) > len(sample) and len(lines) > 1:
        lines = lines[:-1]  # the last one may be cut
    if not lines:
        return ","
    best, best_score = ",", (-1.0, 0)
    for cand in SEPARATORS:
        try:
            rows = list(csv.reader(lines, delimiter=cand))
        except csv.Error:
            continue
        counts = [len(r) for r in rows]
        # the usual number of fields, not the first line's: a title line above the header must not decide
        n = max(set(counts), key=lambda k: (counts.count(k), k))
        if n < 2:
            continue
        score = (sum(c == n for c in counts) / len(counts), n)
        if score > best_score:
            best, best_score = cand, score
    return best


def read_bytes(path: Path, name: str) -> bytes:
    raw = path.read_bytes()
    if name.lower().endswith(".gz"):
        if not raw.startswith(b"\x1f\x8b"):
            raise InputFileError(f"Filen {name!r} heter .gz men är inte gzip-komprimerad. Ta bort '.gz' ur filnamnet.")
        try:
            raw = gzip.decompress(raw)
        except (EOFError, OSError, zlib.error):
            raise InputFileError(
                f"Filen {name!r} verkar avkortad eller skadad (gzip-arkivet tar slut för tidigt). "
                "Hämta eller kopiera filen på nytt."
            ) from None
    return raw


def _is_blank(rec: list[str]) -> bool:
    return not "".join(rec).strip()


def read_csv(path: Path, name: str, sep: str | None, encoding: str | None) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The file as a frame of text cells (None for empty) plus line bookkeeping in ``meta``."""
    raw = read_bytes(path, name)
    if not raw or raw.isspace():
        raise EmptyFileError(
            f"Filen {name!r} är tom (0 byte eller bara blanktecken). Kontrollera att exporten blev klar."
        )
    sniff_binary(raw, name, "textfil (CSV)")
    text, enc = decode(raw, name, encoding)
    if csv.field_size_limit() < _FIELD_LIMIT:
        csv.field_size_limit(_FIELD_LIMIT)  # a long excerpt is one field, not an error
    used_sep = sep or sniff_sep(text)
    sep_name = SEP_NAMES.get(used_sep, repr(used_sep))
    if '"' not in text and "\r" not in text.replace("\r\n", "\n"):
        fast = _read_unquoted(text, name, used_sep, sep_name, enc)
        if fast is not None:
            return fast
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=used_sep, strict=False)
    header: list[str] | None = None
    header_line = 0
    rows: list[list[str]] = []
    starts: list[int] = []
    blank: list[int] = []
    continuation: list[int] = []
    short: list[tuple[int, int]] = []
    long: list[tuple[int, int]] = []
    prev = 0
    try:
        for rec in reader:
            start, end = prev + 1, reader.line_num
            prev = end
            if header is None:
                if _is_blank(rec):
                    continue
                header, header_line = rec, start
                header_end = end
                continue
            if _is_blank(rec):
                blank.append(start)
                continuation.extend(range(start + 1, end + 1))
                continue
            continuation.extend(range(start + 1, end + 1))
            n = len(header)
            if len(rec) < n:
                short.append((start, len(rec)))
            elif len(rec) > n:
                if _is_blank(rec[n:]):
                    rec = rec[:n]  # trailing separators: nothing is lost
                else:
                    long.append((start, len(rec)))
            rows.append(rec)
            starts.append(start)
    except csv.Error as e:  # e.g. a NUL byte; never let _csv.Error escape
        raise InputFileError(
            f"Filen {name!r} kunde inte läsas som CSV nära rad {reader.line_num} ({e}). "
            "Kontrollera raden i en textredigerare, eller ange sep= och encoding=."
        ) from None
    if header is None:
        raise EmptyFileError(f"Filen {name!r} är tom. Kontrollera att exporten blev klar.")
    n = len(header)
    if rows and text.count('"') % 2 == 1:
        # an unclosed quote swallows the rest of the file into one field
        raise InputFileError(
            f"Filen {name!r} verkar avkortad: ett citattecken som öppnas på rad {starts[-1]} stängs aldrig. "
            "Kontrollera att hela filen kom med (exportera eller kopiera den på nytt)."
        )
    if rows and [ln for ln, _ in short] == [starts[-1]] and not long:
        raise InputFileError(
            f"Filen {name!r} verkar avkortad: sista raden (rad {starts[-1]}) har {len(rows[-1])} fält men "
            f"rubrikraden har {n}. Kontrollera att hela filen kom med (exportera eller kopiera den på nytt)."
        )
    if short or long:
        raise _bad_rows_error(name, n, short, long, sep_name)
    data = np.array(rows, dtype=object).reshape(len(rows), n)
    data[data == ""] = None
    df = pd.DataFrame(data, columns=pd.Index(header, dtype=object), dtype=object)
    meta = {
        "encoding": enc,
        "sep": used_sep,
        "data_offset": header_end + 1,
        "skipped_lines": tuple(sorted({*blank, *continuation})),
        "blank_lines": tuple(blank),
        "header_line": header_line,
    }
    return df, meta


def _bad_rows_error(name: str, n: int, short: list, long: list, sep_name: str) -> InputFileError:
    bad = sorted(short + long)
    if len(bad) == 1:
        what = f"rad {bad[0][0]} har {bad[0][1]} fält men rubrikraden har {n}"
    else:
        shown = ", ".join(f"rad {ln} ({k} fält)" for ln, k in bad[:5])
        what = f"{len(bad)} rader har ett annat antal fält än rubrikraden ({n}): {shown}" + _more(bad)
    title = (
        "Rubrikraden har bara ett fält: står en titel eller en kommentar överst? Ta bort raderna ovanför "
        "kolumnnamnen. " if n == 1 and long else ""
    )
    return InputFileError(
        f"Filen {name!r} kunde inte läsas: {what} (avgränsare: {sep_name}). {title}"
        + ("En rad med för få fält skulle flytta svaren till fel kolumn. " if short else "")
        + "Öppna filen i en textredigerare och rätta raderna: ett fält saknas eller finns för mycket, ofta en "
        "avgränsare eller ett citattecken inne i en text (sätt sådana texter inom citattecken). "
        "Ange sep= om avgränsaren är fel."
    )


def _read_unquoted(text: str, name: str, sep: str, sep_name: str, enc: str) -> tuple[pd.DataFrame, dict] | None:
    """Fast path for files without quotes (register extracts): one record per line, pandas' C parser.

    Field counts are checked per line first, so pandas never pads a short row. Returns None
    (use the csv module) when a line has extra empty fields, which the C parser would reject.
    """
    lines = text.replace("\r\n", "\n").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    strip = sep + " \t"
    blank = [not ln.strip(strip) for ln in lines]
    try:
        h = blank.index(False)
    except ValueError:
        raise EmptyFileError(f"Filen {name!r} är tom. Kontrollera att exporten blev klar.") from None
    header = lines[h].split(sep)
    n = len(header)
    counts = [ln.count(sep) + 1 for ln in lines]
    keep = [i for i in range(h + 1, len(lines)) if not blank[i]]
    blank_lines = [i + 1 for i in range(h + 1, len(lines)) if blank[i]]
    short, long = [], []
    for i in (i for i in keep if counts[i] != n):  # only the odd lines are looked at one by one
        if counts[i] > n and not lines[i].split(sep, n)[-1].strip(strip):
            return None
        (short if counts[i] < n else long).append((i + 1, counts[i]))
    if short and not long and [ln for ln, _ in short] == [keep[-1] + 1]:
        raise InputFileError(
            f"Filen {name!r} verkar avkortad: sista raden (rad {keep[-1] + 1}) har {short[0][1]} fält men "
            f"rubrikraden har {n}. Kontrollera att hela filen kom med (exportera eller kopiera den på nytt)."
        )
    if short or long:
        raise _bad_rows_error(name, n, short, long, sep_name)
    if keep:
        body = "\n".join(lines[i] for i in keep)
        try:
            df = pd.read_csv(io.StringIO(body), sep=sep, header=None, names=list(range(n)), dtype=object,
                             quoting=csv.QUOTE_NONE, skip_blank_lines=False, engine="c")
        except (pd.errors.ParserError, ValueError):
            return None  # let the csv module read it and name the line
        if len(df) != len(keep):
            return None
        # pandas' own inference, used only for columns it reads as numbers (the slow part of typing)
        try:
            typed = pd.read_csv(io.StringIO(body), sep=sep, header=None, names=list(range(n)),
                                quoting=csv.QUOTE_NONE, skip_blank_lines=False, engine="c", low_memory=False)
        except (pd.errors.ParserError, ValueError, OverflowError):
            typed = None
        if typed is not None and len(typed) != len(df):
            typed = None
        df.columns = pd.Index(header, dtype=object)
    else:
        df = pd.DataFrame(columns=pd.Index(header, dtype=object), dtype=object)
        typed = None
    meta = {"encoding": enc, "sep": sep, "data_offset": h + 2, "skipped_lines": tuple(blank_lines),
            "blank_lines": tuple(blank_lines), "header_line": h + 1, "typed": typed}
    return df, meta


def _more(lines: list[Any]) -> str:
    return f" (och {len(lines) - 5} till)" if len(lines) > 5 else ""

