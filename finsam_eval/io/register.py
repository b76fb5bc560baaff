"""Read a register extract as a person-period panel, with personnummer removed.

Register data (the follow-up system, FK, AF, SCB) come as one row per person
and period. :func:`read_register` checks the panel schema and makes sure no
personnummer survives: an id column with personnummer is replaced by keyed
pseudonyms, any other column holding them is dropped, and neither the
numbers nor anything derived from them without the key appear in messages.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from .._warn import warn
from ..errors import SchemaError
from ..privacy import contains_personnummer, pseudonymise_ids
from .schemas import REGISTER
from .tables import _n_rows, _rows_text, check_unique, file_rows, read_table, require_columns, source_label

__all__ = ["read_register", "personnummer_mask"]

_PREFILTER = re.compile(r"\d{6}[-+ ]?\d{4}")


def personnummer_mask(s: pd.Series) -> np.ndarray:
    """Boolean mask of cells that hold something personnummer-like.

    Text cells are searched anywhere in the text; integer-valued numbers are
    checked as 10 digits (a leading zero lost in Excel) or 12 digits. The
    check digit is not required: a mistyped number is still personal data.
    Only unique candidate values go through the exact test, so it is fast.

    Examples
    --------
    >>> personnummer_mask(pd.Series(["19121212-1212", "abc", None, "ring 121212-1212"])).tolist()
    [True, False, False, True]
    >>> personnummer_mask(pd.Series([191212121212, 5, 101011234])).tolist()  # 0101011234 lost its zero
    [True, False, True]
    """
    out = np.zeros(len(s), dtype=bool)
    if pd.api.types.is_bool_dtype(s):
        return out
    if pd.api.types.is_numeric_dtype(s):
        v = pd.to_numeric(s, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        cand = (v >= 1e8) & (v < 1e12) & (np.mod(v, 1) == 0)
        if not cand.any():
            return out
        strs = pd.Series(v[cand].astype(np.int64).astype(str)).str.zfill(10)
        hit = strs.map({u: contains_personnummer(u) for u in strs.unique()}).to_numpy(dtype=bool)
        out[np.flatnonzero(cand)[hit]] = True
        return out
    notna = s.notna().to_numpy()
    if not notna.any():
        return out
    vals = s[notna]
    # Work on the distinct values: ids repeat per period, categories repeat everywhere.
    hits = [u for u in pd.unique(vals) if _PREFILTER.search(str(u)) and contains_personnummer(str(u))]
    if hits:
        out[notna] = vals.isin(hits).to_numpy(dtype=bool)
    return out


def _binary(df: pd.DataFrame, col: str, label: str, *, allow_missing: bool) -> pd.Series:
    s = df[col]
    mapping = {0: 0, 1: 1, "0": 0, "1": 1, "0.0": 0, "1.0": 1}  # True == 1 and 0.0 == 0 as keys
    vals = s.astype(object)
    uniq = pd.unique(vals.dropna())
    code = {u: mapping.get(u.strip() if isinstance(u, str) else u, -1) for u in uniq}
    new = vals.map(code).astype(float)
    bad = (new == -1).to_numpy() | ((not allow_missing) & new.isna().to_numpy())
    if bad.any():
        found = sorted({repr(v) for v in vals[bad].head(50)})[:5]
        raise SchemaError(
            f"{label} har värden i kolumnen '{col}' som inte är 0 eller 1 på {_n_rows(bad)} "
            f"({_rows_text(df, bad)}; värden: {', '.join(found)}). Koda kolumnen som 0/1"
            + (" utan tomma celler." if not allow_missing else ".")
        )
    return new.astype("Int64")


def _period(df: pd.DataFrame, col: str, label: str, *, allow_missing: bool) -> pd.Series:
    s = df[col]
    missing = s.isna().to_numpy()
    if missing.any() and not allow_missing:
        raise SchemaError(
            f"{label} saknar värde i kolumnen '{col}' på {_n_rows(missing)} ({_rows_text(df, missing)}). "
            "Varje rad är en person under en period: fyll i perioden eller ta bort raderna."
        )
    num = pd.to_numeric(s, errors="coerce")
    if (num.notna() | s.isna()).all() and (num.dropna() % 1 == 0).all():
        return num.astype("Int64")
    return s.astype(object).map(lambda v: v.strip() if isinstance(v, str) else v)


def read_register(
    source: str | os.PathLike[str] | pd.DataFrame,
    *,
    id_col: str = "person_id",
    period_col: str = "period",
    required: Iterable[str] | None = None,
    key: str | bytes | None = None,
    **read_kwargs: Any,
) -> pd.DataFrame:
    """Read and validate a person-period register panel, pseudonymising personnummer.

        Schema (from :data:`finsam_eval.io.schemas.REGISTER`)::

    {schema}

        Parameters
        ----------
        source
            Any :func:`~finsam_eval.io.read_table` source. From files the id column
            is read as text, so leading zeros survive.
        id_col, period_col
            Names of the person id and period columns.
        required
            Required columns; default ``id_col``, ``period_col``, ``forbund``,
            ``deltagare``.
        key
            Secret key for the pseudonyms (see
            :func:`finsam_eval.privacy.pseudonymise_ids`). If the id column holds
            personnummer and no key is given, a random key is used for this call:
            the pseudonyms then differ between runs (recorded as a repair and
            warned about). Pass the same ``key=`` to get the same pseudonyms every
            time and to join extracts.
        **read_kwargs
            Passed to :func:`~finsam_eval.io.read_table`.

        Returns
        -------
        pandas.DataFrame
            The panel: 0/1 columns as ``Int64``, integer-like periods as ``Int64``,
            no personnummer anywhere. ``attrs["exclusions"]`` lists pseudonymised
            ids and dropped columns.

        Raises
        ------
        MissingColumnError, DuplicateIdError, SchemaError
            Messages give line numbers, never id values.

        Examples
        --------
        >>> df = pd.DataFrame({{"person_id": ["19121212-1212", "19121212-1212"], "period": [1, 2],
        ...                     "forbund": "Huddinge", "deltagare": [1, 1], "arbete_studier": [0, 1]}})
        >>> reg = read_register(df, key="hemlig")
        >>> reg["person_id"].str.startswith("ID-").all(), reg["person_id"].nunique()
        (np.True_, 1)
        >>> "1212" in reg.to_string()
        False
    """
    if not isinstance(source, pd.DataFrame) and "dtype" not in read_kwargs:
        read_kwargs["dtype"] = {id_col: str}
    df = read_table(source, **read_kwargs)
    ex = df.attrs["exclusions"]
    label = source_label(df)
    req = list(dict.fromkeys([id_col, period_col, *(required if required is not None else REGISTER.required[2:])]))
    require_columns(df, req, hint="Ange id_col=, period_col= eller required= om kolumnerna heter något annat.")

    # Privacy first, so that nothing below can show a personnummer.
    for col in list(df.columns):
        hit = personnummer_mask(df[col])
        if not hit.any():
            continue
        if col == id_col:
            use_key = key
            if not use_key:
                use_key = secrets.token_hex(16)
                ex.add(
                    "personnummer ersatta med pseudonymer med en slumpad nyckel: pseudonymerna blir andra vid nästa "
                    "körning; ange key= för stabila id",
                    len(df),
                    column=col,
                    action="pseudonymiserad",
                )
                warn(
                    f"{label}: kolumnen '{col}' innehåller personnummer och ingen nyckel angavs; "
                    "en slumpad nyckel användes. Ange key= för samma pseudonymer mellan körningar.",
                    UserWarning,
                    stacklevel=2,
                )
            else:
                ex.add(
                    "personnummer ersatta med nyckelbaserade pseudonymer", len(df), column=col, action="pseudonymiserad"
                )
            ids = df[col].astype(object)
            uniq = pd.Series(pd.unique(ids.dropna()), dtype=object)
            mapping = dict(zip(uniq, pseudonymise_ids(uniq, use_key)))
            df[col] = ids.map(mapping)
        else:
            ex.add(
                "kolumnen innehåller personnummer och har tagits bort",
                int(hit.sum()),
                rows=file_rows(df, np.flatnonzero(hit)[:10]),
                column=col,
                action="borttagen kolumn",
            )
            df = df.drop(columns=col)
    req = [c for c in req if c in df.columns]

    missing_id = df[id_col].isna().to_numpy()
    if missing_id.any():
        raise SchemaError(
            f"{label} saknar person-id i kolumnen '{id_col}' på {_n_rows(missing_id)} "
            f"({_rows_text(df, missing_id)}). Fyll i id eller ta bort raderna."
        )
    df[period_col] = _period(df, period_col, label, allow_missing=False)
    check_unique(df, [id_col, period_col], what="person och period")

    binary = {"deltagare", *REGISTER.of_type("binary")}
    for col in binary:
        if col in df.columns:
            df[col] = _binary(df, col, label, allow_missing=col != "deltagare")
    if "start_period" in df.columns:
        df["start_period"] = _period(df, "start_period", label, allow_missing=True)

    for col in ("deltagare", "start_period"):
        if col not in df.columns:
            continue
        n_values = df.groupby(id_col, sort=False)[col].nunique(dropna=False)
        varies = df[id_col].isin(n_values.index[n_values > 1]).to_numpy(dtype=bool)
        if varies.any():
            n_people = int(df.loc[varies, id_col].nunique())
            raise SchemaError(
                f"{label}: kolumnen '{col}' ska vara densamma för alla perioder hos en person, men varierar för "
                f"{n_people} {'person' if n_people == 1 else 'personer'} ({_rows_text(df, varies)}). Sätt värdet per person (t.ex. deltagare = 1 för "
                "alla perioder hos den som någon gång deltog)."
            )
    df.attrs["schema"] = "register"
    return df


read_register.__doc__ = (read_register.__doc__ or "").format(schema=REGISTER.doc())
