"""Writing and reading the sample files in ``data_samples/``.

The sample files imitate an export from Swedish Excel: ``;`` as separator,
decimal comma, UTF-8 with BOM (one file in cp1252). Every sample has a small
schema (column -> kind) and both the file reader and the in-memory generator
pass their frame through :func:`coerce`, so that
``load_sample(name)`` returns the same frame, dtypes included, whether it was
read from disk or regenerated from the seed.
"""

from __future__ import annotations

import gzip
import io
import math
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import SchemaError

__all__ = ["SEP", "coerce", "to_csv_bytes", "read_csv_bytes", "write_file", "read_file", "repo_data_dir"]

SEP = ";"
LIST_SEP = "|"

# The dtype pandas gives to text columns: "str" (NaN-aware StringDtype) from
# pandas 3 on, object before. Using it everywhere keeps file and memory equal.
_TEXT_DTYPE = pd.Series(["a"]).dtype


# Files larger than this are read with pyarrow's CSV reader (below it, its start-up costs more than it saves).
_ARROW_MIN_BYTES = 1_000_000


def repo_data_dir() -> Path:
    """``data_samples/`` beside the package (a checkout or editable install)."""
    return Path(__file__).resolve().parents[2] / "data_samples"


def _text(s: pd.Series) -> pd.Series:
    if s.dtype == _TEXT_DTYPE:  # read from a file: already the text dtype, NaN for empty cells
        return s
    obj = s.astype(object)
    obj = obj.where(obj.notna(), np.nan)
    return obj.astype(_TEXT_DTYPE)


def _number(s: pd.Series, dtype: str) -> pd.Series:
    if s.dtype == object or pd.api.types.is_string_dtype(s.dtype):
        s = s.str.strip().str.replace(",", ".", regex=False)
        s = pd.to_numeric(s)
    return s.astype(dtype)


def _boolean(s: pd.Series) -> pd.Series:
    if s.dtype == bool:
        return s
    mapping = {"True": True, "False": False, "true": True, "false": False, "1": True, "0": False}
    return s.astype(object).map(lambda v: v if isinstance(v, bool | np.bool_) else mapping[str(v).strip()]).astype(bool)


def _date(s: pd.Series) -> pd.Series:
    # Same call as the generators use, so the resolution (ns or us) matches.
    if pd.api.types.is_datetime64_any_dtype(s):
        return s
    return pd.to_datetime(s.astype(object), format="%Y-%m-%d")


def _codes(s: pd.Series) -> pd.Series:
    def one(v):
        if isinstance(v, list | tuple | np.ndarray):
            return [str(x) for x in v]
        if v is None or (isinstance(v, float) and math.isnan(v)) or str(v).strip() == "":
            return []
        return [x for x in str(v).split(LIST_SEP) if x]

    return s.astype(object).map(one).astype(object)


_COERCE = {
    "text": _text,
    "int": lambda s: _number(s, "int64"),
    "float": lambda s: _number(s, "float64"),
    "bool": _boolean,
    "date": _date,
    "list": _codes,
}


def coerce(df: pd.DataFrame, schema: dict[str, str], name: str) -> pd.DataFrame:
    """Return ``df`` with exactly the columns of ``schema``, in order, with their dtypes."""
    missing = [c for c in schema if c not in df.columns]
    if missing:
        raise SchemaError(
            f"Exempeldata '{name}' saknar kolumnerna {', '.join(missing)}. "
            "Skriv om filerna med finsam_eval.samples.write_samples()."
        )
    out = pd.DataFrame({col: _COERCE[kind](df[col]) for col, kind in schema.items()})
    return out.reset_index(drop=True)


def _format_float(x: float) -> str:
    if math.isnan(x):
        return ""
    if float(x).is_integer():
        return str(int(x))
    # repr is the shortest string that reads back to the same float.
    return repr(float(x)).replace(".", ",")


def _as_strings(df: pd.DataFrame, schema: dict[str, str]) -> pd.DataFrame:
    out = {}
    for col, kind in schema.items():
        s = df[col]
        if kind == "float":
            values = s.to_numpy(dtype=float)
            if np.all(np.isnan(values) | (values == np.round(values))):
                # Whole numbers (periods, ratings): no decimals, empty for missing.
                out[col] = np.where(np.isnan(values), "", np.nan_to_num(values).astype(np.int64).astype(str))
            else:
                out[col] = s.map(_format_float)
        elif kind == "date":
            out[col] = s.dt.strftime("%Y-%m-%d")
        elif kind == "list":
            out[col] = s.map(lambda v: LIST_SEP.join(v))
        elif kind == "bool":
            out[col] = s.map(lambda v: "True" if v else "False")
        elif kind == "int":
            out[col] = s.astype("int64").astype(str)
        else:
            out[col] = s.astype(object).where(s.notna(), "")
    return pd.DataFrame(out).astype(object)


def to_csv_bytes(df: pd.DataFrame, schema: dict[str, str], encoding: str) -> bytes:
    """The file content for one sample frame (Swedish Excel style)."""
    text = _as_strings(df, schema).to_csv(sep=SEP, index=False, lineterminator="\n")
    return text.encode(encoding)


def read_csv_bytes(data: bytes, schema: dict[str, str], encoding: str, name: str) -> pd.DataFrame:
    """Read bytes written by :func:`to_csv_bytes` back into the typed frame."""

    def read(dtype: object, engine: str = "c") -> pd.DataFrame:
        return pd.read_csv(io.BytesIO(data), sep=SEP, encoding=encoding, dtype=dtype, keep_default_na=False,
                           na_values=[""], engine=engine)

    # Integer columns parsed by the reader (exact for integers; a third of the register's load time
    # went to to_numeric on strings). A file it cannot read that way (a blank, a decimal, a stray
    # character) is read as text and goes through coerce as before, with the same result or error.
    typed = {col: "int64" if kind == "int" else str for col, kind in schema.items()}
    if len(data) > _ARROW_MIN_BYTES:
        # The register (20 MB): pyarrow's reader makes the text columns' Arrow strings directly, half
        # the C reader's time (which builds Python strings first). Anything it declines goes on below.
        try:
            return coerce(read(typed, "pyarrow"), schema, name)
        except Exception:  # noqa: BLE001 - no pyarrow, or a file it parses differently: the C reader decides
            pass
    try:
        df = read(typed)
    except (ValueError, TypeError, OverflowError):
        df = read(str)
    return coerce(df, schema, name)


def write_file(path: Path, df: pd.DataFrame, schema: dict[str, str], encoding: str) -> None:
    """Write one sample file; ``.gz`` files get a fixed gzip header so the bytes are reproducible."""
    data = to_csv_bytes(df, schema, encoding)
    if path.suffix == ".gz":
        buf = io.BytesIO()
        with gzip.GzipFile(filename="", mode="wb", fileobj=buf, compresslevel=6, mtime=0) as gz:
            gz.write(data)
        data = buf.getvalue()
    path.write_bytes(data)


def read_file(path: Path, schema: dict[str, str], encoding: str, name: str) -> pd.DataFrame:
    """Read one sample file written by :func:`write_file`."""
    data = path.read_bytes()
    if path.suffix == ".gz":
        data = gzip.decompress(data)
    return read_csv_bytes(data, schema, encoding, name)
