"""Read a survey export: one row per respondent, one column per question.

Web survey tools and hand-edited Excel files spell the same answer in several
ways (``"Stämmer helt"``, ``"stämmer  helt "``). :func:`read_survey` maps
them to the canonical labels the evaluator lists in ``allowed`` and reports
every repair; an answer that matches no allowed label is an error that names
the label, how often it occurs, the rows, and the allowed labels.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..errors import SchemaError, UnknownLabelError
from .schemas import SURVEY
from .tables import _n_rows, _rows_text, check_unique, read_table, require_columns, source_label

__all__ = ["read_survey", "normalise_labels"]

_WS = re.compile(r"\s+")
_PUNCT = re.compile(r"[^\w\s]")
# Columns that describe the respondent rather than answer a question.
_META = frozenset(
    {
        "kon",
        "alder",
        "kommun",
        "roll",
        "kalla",
        "datum",
        "starttid",
        "sluttid",
        "svarstid",
        "excerpt_id",
        "person_id",
        "utbildning",
    }
)


def _squash(value: Any) -> Any:
    """Strip and collapse inner whitespace (also non-breaking spaces)."""
    if not isinstance(value, str):
        return value
    return _WS.sub(" ", value.replace("\u00a0", " ")).strip()


def _key(value: Any) -> str:
    """Comparison key of a label: no case, punctuation or extra spaces (``"Ja absolut"`` = ``"Ja, absolut"``)."""
    return " ".join(_PUNCT.sub(" ", _squash(str(value))).split()).casefold()


def normalise_labels(values: pd.Series, allowed: Sequence[str] | None = None) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Map answer labels to their canonical spelling.

    Whitespace is stripped and collapsed; labels that differ only in case,
    spacing or punctuation (``"ja absolut"``, ``"Ja, absolut"``) are unified
    to the form in ``allowed`` (or, without ``allowed``, to the most common
    spelling).
    Works on the unique values, so it is fast on large surveys.

    Parameters
    ----------
    values
        One item column.
    allowed
        Canonical labels. Without them only whitespace and case are unified.

    Returns
    -------
    (normalised, repaired, unknown)
        The new Series (blank answers as NaN), a boolean mask of cells whose
        spelling was changed and a boolean mask of non-blank cells not in
        ``allowed``.

    Examples
    --------
    >>> s = pd.Series(["Stämmer helt", "stämmer  helt ", " ", "Kanske"])
    >>> new, rep, unk = normalise_labels(s, ["Stämmer helt", "Stämmer delvis"])
    >>> new.tolist(), rep.tolist(), unk.tolist()
    (['Stämmer helt', 'Stämmer helt', nan, 'Kanske'], [False, True, False, False], [False, False, False, True])
    """
    s = values.astype(object)
    uniq = pd.unique(s.dropna())
    squashed = {u: _squash(u) for u in uniq}
    if allowed is not None:
        canon = {_key(a): a for a in allowed}
    else:
        counts = s.map(squashed).value_counts()
        canon = {}
        for lab in counts.index:  # most common spelling first wins
            if isinstance(lab, str):
                canon.setdefault(_key(lab), lab)
    mapping: dict[Any, Any] = {}
    unknown_vals: set[Any] = set()
    for u, sq in squashed.items():
        if isinstance(sq, str):
            if sq == "":
                mapping[u] = np.nan
                continue
            target = canon.get(_key(sq))
        else:  # a number from Excel or SPSS codes
            target = next((a for a in (allowed or []) if not isinstance(a, str) and a == sq), None)
            if target is None and allowed is not None:
                target = canon.get(_key(sq))
            if target is None and allowed is None:
                target = sq
        if target is None:
            mapping[u] = sq
            unknown_vals.add(u)
        else:
            mapping[u] = target
    new = s.map(mapping)
    notna = s.notna().to_numpy()
    changed = np.zeros(len(s), dtype=bool)
    ch_vals = [u for u, t in mapping.items() if not (isinstance(t, float) and np.isnan(t)) and t != u]
    if ch_vals:
        changed = s.isin(ch_vals).to_numpy() & notna
    unknown = s.isin(list(unknown_vals)).to_numpy() if unknown_vals else np.zeros(len(s), dtype=bool)
    return (
        pd.Series(new.to_numpy(), index=values.index, name=values.name, dtype=object),
        pd.Series(changed, index=values.index),
        pd.Series(unknown, index=values.index),
    )


def _allowed_for(item: str, allowed: Sequence[str] | Mapping[str, Sequence[str]] | None) -> Sequence[str] | None:
    if allowed is None or isinstance(allowed, Sequence) and not isinstance(allowed, str):
        return allowed  # type: ignore[return-value]
    return allowed.get(item)  # type: ignore[union-attr]


def read_survey(
    source: str | os.PathLike[str] | pd.DataFrame,
    *,
    items: Iterable[str] | None = None,
    id_col: str = "respondent_id",
    group_cols: Sequence[str] = ("forbund", "ar", "respondentgrupp"),
    allowed: Sequence[str] | Mapping[str, Sequence[str]] | None = None,
    required: Iterable[str] | None = None,
    **read_kwargs: Any,
) -> pd.DataFrame:
    """Read and validate a survey export with one row per respondent.

        Schema (from :data:`finsam_eval.io.schemas.SURVEY`)::

    {schema}

        Parameters
        ----------
        source
            Any :func:`~finsam_eval.io.read_table` source (CSV, Excel, SPSS,
            parquet, DataFrame).
        items
            Question columns. Default: the keys of ``allowed`` when it is a dict,
            otherwise every column that is not the id, a group column or a known
            background column (kon, alder, kommun, datum, ...).
        id_col
            Respondent id; must be unique.
        group_cols
            Grouping columns; ``ar`` (if listed) must be integer-like.
        allowed
            Canonical answer labels: one list for all items or a dict item ->
            list. Spelling variants (case, extra spaces) are mapped to these; other
            labels raise :class:`~finsam_eval.errors.UnknownLabelError`. Include
            non-substantive answers such as ``"Vet ej"``.
        required
            Required columns; default ``id_col`` and ``group_cols``.
        **read_kwargs
            Passed to :func:`~finsam_eval.io.read_table` (``sheet``, ``sep``, ...).

        Returns
        -------
        pandas.DataFrame
            The survey with normalised labels (blank answers NaN), ``ar`` as
            ``Int64``; ``attrs["exclusions"]`` records every repair and the number
            of blank answers per item, ``attrs["items"]`` the item columns.

        Raises
        ------
        MissingColumnError, DuplicateIdError, UnknownLabelError, SchemaError

        Examples
        --------
        >>> df = pd.DataFrame({{
        ...     "respondent_id": ["r1", "r2", "r3"], "forbund": "Botkyrka", "ar": ["2024", "2024", "2024"],
        ...     "respondentgrupp": "styrelse", "f1": ["Stämmer helt", "stämmer  helt ", None]}})
        >>> s = read_survey(df, allowed=["Stämmer inte alls", "Stämmer helt", "Vet ej"])
        >>> s["f1"].tolist(), s["ar"].dtype
        (['Stämmer helt', 'Stämmer helt', nan], Int64Dtype())
        >>> print(s.attrs["exclusions"].describe())
        1 omkodad: svarsetikett normaliserad (mellanslag, versaler, skiljetecken) i kolumnen 'f1' (rad 3)
        1 saknas: tomt svar i kolumnen 'f1' (rad 4)
    """
    df = read_table(source, **read_kwargs)
    ex = df.attrs["exclusions"]
    label = source_label(df)
    group_cols = tuple(group_cols)
    req = list(dict.fromkeys([id_col, *(group_cols if required is None else required)]))
    require_columns(df, req, hint="Ange id_col=, group_cols= eller required= om kolumnerna heter något annat.")

    missing_id = df[id_col].isna().to_numpy()
    if missing_id.any():
        raise SchemaError(
            f"{label} saknar respondent-id i kolumnen '{id_col}' på {_n_rows(missing_id)} "
            f"({_rows_text(df, missing_id)}). Varje svar behöver ett id: fyll i det eller ta bort raderna."
        )
    check_unique(df, id_col, what="respondent")

    if "ar" in df.columns and ("ar" in group_cols or "ar" in req):
        df["ar"] = _integer_like(df, "ar", label)

    if items is None:
        if isinstance(allowed, Mapping):
            items = list(allowed)
        else:
            skip = {id_col, *group_cols, *req} | _META
            items = _guess_items(df, [c for c in df.columns if c not in skip], allowed)
            if not items:
                raise SchemaError(
                    f"{label} har inga kolumner som ser ut som frågor (med svar bland de tillåtna etiketterna). "
                    "Ange items= med frågekolumnerna."
                )
    items = list(items)
    require_columns(df, items, hint="Ange items= med frågekolumnerna.")

    problems = []
    for item in items:
        allowed_here = _allowed_for(item, allowed)
        new, repaired, unknown = normalise_labels(df[item], allowed_here)
        if unknown.any():
            bad = df.loc[unknown.to_numpy(), item].map(_squash)
            counts = bad.value_counts()
            descr = []
            for lab, n in counts.head(8).items():
                where = _rows_text(df, (df[item].map(_squash) == lab).to_numpy() & unknown.to_numpy(), first=3)
                close = difflib.get_close_matches(str(lab), [str(a) for a in allowed_here or []], n=1, cutoff=0.6)
                tip = f", likt {close[0]!r}" if close else ""
                descr.append(f"{lab!r} ({n} svar, {where}{tip})")
            more = f" och {len(counts) - 8} etiketter till" if len(counts) > 8 else ""
            problems.append(f"kolumnen '{item}': {'; '.join(descr)}{more}")
            continue
        ex.add(
            "svarsetikett normaliserad (mellanslag, versaler, skiljetecken)",
            int(repaired.sum()),
            rows=_lines(df, repaired),
            column=item,
            action="omkodad",
        )
        missing = new.isna().to_numpy()
        ex.add("tomt svar", int(missing.sum()), rows=_lines(df, missing), column=item, action="saknas")
        df[item] = new
    if problems:
        allowed_txt = (
            ", ".join(repr(a) for a in allowed)
            if allowed is not None and not isinstance(allowed, Mapping)
            else "se allowed= för respektive fråga"
        )
        raise UnknownLabelError(
            f"{label} har svar som inte finns bland de tillåtna etiketterna: "
            + " | ".join(problems)
            + f". Tillåtna svar: {allowed_txt}. Rätta svaren i filen eller lägg till etiketten i allowed=."
        )
    df.attrs["items"] = tuple(items)
    return df


def _guess_items(df: pd.DataFrame, candidates: list[str], allowed: Sequence[str] | None) -> list[str]:
    """Question columns: most answers are allowed labels (or, without ``allowed``, few distinct texts).

    Free-text comment columns and numeric background columns are left out.
    """
    keys = {_key(a) for a in allowed} if allowed is not None else None
    items = []
    for c in candidates:
        s = df[c].dropna()
        if s.empty:
            continue
        norm = {u: _key(u) for u in pd.unique(s)}
        sq = pd.Series(list(norm.values()))
        if keys is not None:
            share = s.map(norm).isin(keys).mean()
            if share >= 0.5 or (share > 0 and sq.nunique() <= 15):
                items.append(c)
        elif pd.api.types.infer_dtype(s, skipna=True) == "string" and sq.nunique() <= 15:
            items.append(c)
    return items


def _lines(df: pd.DataFrame, mask: Any, first: int = 10) -> list[int]:
    from .tables import file_rows

    return file_rows(df, np.flatnonzero(np.asarray(mask))[:first])


def _integer_like(df: pd.DataFrame, col: str, label: str) -> pd.Series:
    s = df[col]
    num = pd.to_numeric(s.map(_squash) if s.dtype == object or pd.api.types.is_string_dtype(s) else s, errors="coerce")
    bad = (num.isna() & s.notna()) | (num.notna() & (num % 1 != 0)) | s.isna()
    bad = bad.to_numpy()
    if bad.any():
        raise SchemaError(
            f"{label} har värden i kolumnen '{col}' som inte är heltal (eller saknas) på {_n_rows(bad)} "
            f"({_rows_text(df, bad)}). Ange året som heltal, t.ex. 2024."
        )
    return num.astype("Int64")


read_survey.__doc__ = (read_survey.__doc__ or "").format(schema=SURVEY.doc())
