"""Writing tables for Swedish Excel.

One writer for every CSV the library produces (CLI commands, the report's
table appendix): ``;`` as separator, decimal comma, UTF-8 with BOM (so Excel
shows å/ä/ö), suppressed cells as the suppression marker, lists joined with
", ", and numbers at full precision unless ``decimals`` is given.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .._config import get_option

__all__ = ["write_csv"]


def _num(v: float, decimals: int | None) -> str:
    if decimals is not None:
        s = f"{v:.{decimals}f}"
    elif float(v).is_integer() and abs(v) < 1e15:
        s = f"{v:.0f}"
    else:
        s = f"{v:.6g}"
    return s.replace(".", ",")


def write_csv(table: pd.DataFrame, path: str | Path, decimals: int | None = None, *, index: bool | None = None) -> Path:
    """Write ``table`` as a CSV that Swedish Excel opens correctly.

    Parameters
    ----------
    table
        Any DataFrame; cells masked by :func:`finsam_eval.privacy.suppress_small`
        are written as the suppression marker (``..``).
    path
        Target file (folders are created).
    decimals
        Fixed number of decimals for floats; ``None`` keeps six significant digits.
    index
        Write the index as the first column; default: when it is not a plain RangeIndex.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from finsam_eval.privacy import suppress_small
    >>> t = suppress_small(pd.DataFrame({"tema": ["Samsyn", "Hinder"], "antal": [12, 3], "andel": [0.4, 0.1]}),
    ...                    ["antal"], derived={"andel": "antal"})
    >>> p = write_csv(t, pathlib.Path(tempfile.mkdtemp()) / "t.csv")
    >>> p.read_text(encoding="utf-8-sig").splitlines()
    ['tema;antal;andel', 'Samsyn;12;0,4', 'Hinder;..;..']
    """
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
    for col in t.columns:
        s = t[col]
        if pd.api.types.is_bool_dtype(s):
            txt = s.map(lambda v: "" if pd.isna(v) else ("ja" if v else "nej"))
        elif pd.api.types.is_numeric_dtype(s):
            txt = s.map(lambda v: "" if pd.isna(v) else _num(float(v), decimals))
        else:
            txt = s.map(
                lambda v: ", ".join(map(str, v)) if isinstance(v, list | tuple | set | np.ndarray)
                else "" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v)
            )
        if mask is not None and col in m.columns:
            txt = txt.where(~m[col], marker)
        out[str(col)] = txt
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    out.to_csv(path, sep=";", index=False, encoding="utf-8-sig")
    return path
