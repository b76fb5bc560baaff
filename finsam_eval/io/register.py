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
from .convert import _parse_indicator, _parse_period, numeric_or_error
from .schemas import REGISTER, REGISTER_ALIASES, REGISTER_ROLES, normalise_column_name
from .tables import _n_rows, _rows_text, check_unique, file_rows, read_table, require_columns, source_label
from .wide import check_one_frequency, wide_periods, wide_to_long

__all__ = ["read_register", "personnummer_mask", "register_columns"]

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


def register_columns(columns: Iterable[str], kolumner: dict[str, str] | None = None) -> dict[str, str]:
    """Which file column plays which register role: ``{canonical name: file column}``.

    Explicit ``kolumner`` (Swedish role names such as ``period``,
    ``behandling``, ``start``, ``id``, or canonical names) come first; then
    the Swedish names register extracts use (``personnummer``, ``lopnr``,
    ``kvartal``, ``inskrivningsdatum``, ``försörjning före`` ...) are matched
    after folding case, å/ä/ö and punctuation. A canonical column already in
    the file keeps its place.

    Examples
    --------
    >>> register_columns(["Löpnr", "Kvartal", "Förbund", "Deltagare", "Försörjning före"])
    {'person_id': 'Löpnr', 'period': 'Kvartal', 'forbund': 'Förbund', 'deltagare': 'Deltagare', \
'forsorjning_fore': 'Försörjning före'}
    >>> register_columns(["pnr", "kv", "grupp"], {"period": "kv", "behandling": "grupp"})
    {'period': 'kv', 'deltagare': 'grupp', 'person_id': 'pnr'}
    """
    cols = [str(c) for c in columns]
    out: dict[str, str] = {}
    for role, col in (kolumner or {}).items():
        canon = REGISTER_ROLES.get(normalise_column_name(role), role)
        if col not in cols:
            continue  # reported by require_columns with the list of columns and close matches
        out[canon] = col
    taken = set(out.values())
    by_norm: dict[str, list[str]] = {}
    for c in cols:
        by_norm.setdefault(normalise_column_name(c), []).append(c)
    for canon, aliases in REGISTER_ALIASES.items():
        if canon in out:
            continue
        for alias in (canon, *aliases):
            hits = [c for c in by_norm.get(normalise_column_name(alias), []) if c not in taken]
            if hits:
                out[canon] = hits[0]
                taken.add(hits[0])
                break
    return out


def read_register(
    source: str | os.PathLike[str] | pd.DataFrame,
    *,
    id_col: str = "person_id",
    period_col: str = "period",
    required: Iterable[str] | None = None,
    key: str | bytes | None = None,
    kolumner: dict[str, str] | None = None,
    numeric: Iterable[str] = (),
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
        kolumner
            Which file column plays which role, e.g.
            ``{{"period": "kvartal", "behandling": "deltagare_ja_nej",
            "start": "inskrivningsdatum", "id": "lopnr"}}`` (roles: ``id``,
            ``period``, ``behandling``, ``start``, ``forbund`` or any canonical
            column name). Without it, the Swedish names register extracts use
            are recognised (:func:`register_columns`); the columns are renamed
            to the canonical names the effect estimators expect, and
            ``attrs["kolumner"]`` records ``{{canonical: file column}}``.
        numeric
            Further columns that must be numbers (e.g. the outcome): a stray
            text such as ``saknas`` is an error naming the line.
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
            The panel: 0/1 columns as ``Int64`` (Ja/Nej, Sant/Falskt, x/tom
            read as 1/0 and recorded), periods as ``Int64`` (integers unchanged;
            texts such as ``2021K3``, ``2021-07`` or ``juli 2021`` as running
            numbers, :func:`~finsam_eval.io.parse_period` with ``as_index=True``,
            start dates as the period they fall in), no personnummer anywhere. ``attrs["exclusions"]`` lists pseudonymised
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
        ids = {id_col} | {v for k, v in (kolumner or {}).items() if REGISTER_ROLES.get(normalise_column_name(k)) ==
                          "person_id"}
        read_kwargs["dtype"] = {c: str for c in ids}
    df = read_table(source, **read_kwargs)
    ex = df.attrs["exclusions"]
    label = source_label(df)
    # Swedish register names (and the caller's kolumner=) onto the canonical names.
    roles = register_columns(df.columns, kolumner)
    if "period" not in roles and period_col not in df.columns:
        groups = wide_periods(df.columns)
        if groups:  # one row per person, one column per period: turn it long, say so
            check_one_frequency(groups, label)
            n_rows, n_periods = len(df), len({p for g in groups.values() for p in g})
            df = wide_to_long(df, groups, period_col)
            ex.add(
                f"brett format: {len(groups)} {'variabel' if len(groups) == 1 else 'variabler'} med en kolumn per "
                f"period ({', '.join(repr(g) for g in groups)}) omformade till en rad per person och period "
                f"({n_rows} rader x {n_periods} perioder = {len(df)} rader, perioden i kolumnen '{period_col}')",
                n_rows, column=", ".join(groups), action="omformad",
            )
            roles = register_columns(df.columns, kolumner)
    explicit = {"person_id": id_col, "period": period_col}
    rename = {}
    for canon, col in roles.items():
        target = explicit.get(canon, canon)
        if col != target and target not in df.columns:
            rename[col] = target
    missing_mapped = [c for c in (kolumner or {}).values() if c not in df.columns]
    if missing_mapped:
        require_columns(df, missing_mapped, hint="Rätta kolumnnamnet i kolumner= (eller flaggan i kommandoraden).")
    if rename:
        attrs = df.attrs
        df = df.rename(columns=rename)
        df.attrs = attrs
    df.attrs["kolumner"] = {rename.get(c, c): c for c in roles.values()}
    req = list(dict.fromkeys([id_col, period_col, *(required if required is not None else REGISTER.required[2:])]))
    require_columns(
        df, req,
        hint="Ange vilken kolumn som är vad med kolumner= (t.ex. kolumner={'period': 'kvartal', "
             "'behandling': 'deltagare'}; i kommandoraden --period, --behandling, --id, --start, --forbund), "
             "eller id_col=, period_col=, required=.",
    )

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
    missing_period = df[period_col].isna().to_numpy()
    if missing_period.any():
        raise SchemaError(
            f"{label} saknar värde i kolumnen '{period_col}' på {_n_rows(missing_period)} "
            f"({_rows_text(df, missing_period)}). Varje rad är en person under en period: fyll i perioden eller ta "
            "bort raderna."
        )
    _periods(df, period_col, ex, label)
    check_unique(df, [id_col, period_col], what="person och period")

    binary = {"deltagare", *REGISTER.of_type("binary")}
    for col in sorted(binary):
        if col in df.columns:
            new, note, n = _parse_indicator(df[col], column=col, allow_missing=col != "deltagare")
            if note:
                ex.add(f"{note}", n, column=col, action="omkodad")
            df[col] = new
    for col in dict.fromkeys([*REGISTER.of_type("float"), *numeric]):
        if col in df.columns:
            df[col] = numeric_or_error(df[col], column=col)

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


def _periods(df: pd.DataFrame, period_col: str, ex: Any, label: str) -> None:
    """Period and start on one scale: integers stay, texts and dates become running numbers of one frequency."""
    out, note, changed = _parse_period(df[period_col], column=period_col, as_index=True)
    if note:
        ex.add(note, len(changed), rows=file_rows(df, changed[:10]), column=period_col, action="omkodad")
    freq = _freq(note)
    df[period_col] = out
    if "start_period" not in df.columns:
        return
    start = df["start_period"]
    sout, snote, schanged = _parse_period(start, column="start_period", as_index=True)
    sfreq = _freq(snote)
    if sfreq == "M" and freq == "Q" and snote and ("DD" in snote or "datum" in snote):
        # a start date (inskrivningsdatum) on a quarterly panel: the quarter the date falls in
        sout = pd.Series(
            [pd.NA if pd.isna(v) else pd.Period(ordinal=int(v), freq="M").asfreq("Q").ordinal for v in sout],
            index=sout.index, dtype="Int64",
        )
        snote = "startdatum omräknade till kvartalet de infaller i; " + (note or "")
        sfreq = "Q"
    if sfreq != freq and sout.notna().any():
        scale = {None: "heltal", "Q": "kvartal", "M": "månader"}
        raise SchemaError(
            f"{label}: perioden ('{period_col}') är {scale[freq]} men starten ('start_period') är {scale[sfreq]}; "
            "händelsetid (period - start) blir då fel. Skriv båda på samma sätt, t.ex. 2021K3 i båda kolumnerna "
            "eller löpnummer i båda."
        )
    if snote:
        ex.add(snote, len(schanged), rows=file_rows(df, schanged[:10]), column="start_period", action="omkodad")
    df["start_period"] = sout


def _freq(note: str | None) -> str | None:
    if not note:
        return None
    return "Q" if "kvartal sedan" in note else "M"


read_register.__doc__ = (read_register.__doc__ or "").format(schema=REGISTER.doc())
