"""The sample reader's fast paths (typed integer columns, pyarrow for large files) give what the text path gave."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from finsam_eval.samples import _io

SCHEMA = {"id": "text", "n": "int", "x": "float", "kod": "list", "d": "date", "ok": "bool", "grupp": "text"}


def _text_path(data: bytes, schema: dict[str, str], name: str = "t") -> pd.DataFrame:
    # The reader before the fast paths: every column as text, then coerce.
    import io

    df = pd.read_csv(io.BytesIO(data), sep=_io.SEP, encoding="utf-8-sig", dtype=str, keep_default_na=False,
                     na_values=[""])
    return _io.coerce(df, schema, name)


def _frame(n: int = 50) -> pd.DataFrame:
    rng = np.random.default_rng(1)
    return pd.DataFrame({
        "id": [f"P{i:04d}" for i in range(n)],
        "n": rng.integers(-5, 10_000, n),
        "x": np.where(rng.random(n) < 0.3, np.nan, rng.normal(size=n)),
        "kod": [["a", "b"] if i % 3 else [] for i in range(n)],
        "d": pd.to_datetime("2024-01-01") + pd.to_timedelta(rng.integers(0, 300, n), unit="D"),
        "ok": rng.random(n) < 0.5,
        "grupp": [None if i % 7 == 0 else "Botkyrka" for i in range(n)],
    })


@pytest.mark.parametrize("arrow", [False, True])
def test_fast_paths_equal_text_path(monkeypatch, arrow):
    monkeypatch.setattr(_io, "_ARROW_MIN_BYTES", 0 if arrow else 10**12)
    data = _io.to_csv_bytes(_frame(), SCHEMA, "utf-8-sig")
    got = _io.read_csv_bytes(data, SCHEMA, "utf-8-sig", "t")
    want = _text_path(data, SCHEMA)
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    assert [repr(t) for t in got.dtypes] == [repr(t) for t in want.dtypes]


@pytest.mark.parametrize("arrow", [False, True])
def test_integer_column_the_typed_reader_declines(monkeypatch, arrow):
    """A decimal in an integer column goes through the text path as before (to_numeric, then int64)."""
    monkeypatch.setattr(_io, "_ARROW_MIN_BYTES", 0 if arrow else 10**12)
    schema = {"id": "text", "n": "int"}
    data = "id;n\nA;3\nB;4,0\n".encode("utf-8-sig")
    pd.testing.assert_frame_equal(_io.read_csv_bytes(data, schema, "utf-8-sig", "t"), _text_path(data, schema))
    blank = "id;n\nA;3\nB;\n".encode("utf-8-sig")
    with pytest.raises(ValueError):  # a missing integer fails as it did on the text path
        _text_path(blank, schema)
    with pytest.raises(ValueError):
        _io.read_csv_bytes(blank, schema, "utf-8-sig", "t")
