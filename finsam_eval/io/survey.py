"""Read a survey export: one row per respondent, one column per question.

Web survey tools and hand-edited Excel files spell the same answer in several
ways (``"Stämmer helt"``, ``"stämmer  helt "``). :func:`read_survey` maps
them to the labels of a scale (``scale=``: a preset, ``"auto"`` to recognise
it, or a definition; see :mod:`finsam_eval.likert.scales`) or to the labels
the evaluator lists in ``allowed``, and reports every recoding per raw label
with its file lines. An answer that matches no label is an error that names
the label, how often it occurs, the lines, and the labels that are allowed; an
alias that would merge two different answers is a
:class:`~finsam_eval.errors.ScaleError`.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..errors import ScaleError, SchemaError, UnknownLabelError
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
    id_col: str | None = "respondent_id",
    group_cols: Sequence[str] = ("forbund", "ar", "respondentgrupp"),
    allowed: Sequence[str] | Mapping[str, Sequence[str]] | None = None,
    scale: Any = None,
    kolumner: Mapping[str, str] | None = None,
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
            Respondent id; must be unique. None: the file has no id column
            (each row is one respondent, known by its line).
        group_cols
            Grouping columns; ``ar`` (if listed) must be integer-like.
        allowed
            Canonical answer labels: one list for all items or a dict item ->
            list. Spelling variants (case, extra spaces) are mapped to these; other
            labels raise :class:`~finsam_eval.errors.UnknownLabelError`. Include
            non-substantive answers such as ``"Vet ej"``.
        scale
            Instead of ``allowed``: the answer scale of the items, as a
            :class:`~finsam_eval.likert.Scale`, a preset name (``"stammer5"``),
            ``"auto"`` (recognised from the labels with
            :func:`~finsam_eval.likert.infer_scale`), a definition dict or a
            ``.toml`` file (:func:`~finsam_eval.likert.scale_from_config`).
            Answers become the scale's labels; each recoding is recorded per
            raw label and level; an alias that would put two different raw
            labels of the items on one level raises ScaleError. The scale is
            kept in ``attrs["scale"]``. Without ``items``, the items are the
            columns whose answers fit the scale.
        kolumner
            Which file column plays which role, by Swedish role name:
            ``{{"respondent": "RespondentID", "forbund": "Förbund", "ar": "År",
            "grupp": "Målgrupp", "roll": "Befattning"}}`` (``id`` is the same as
            ``respondent``; ``grupp`` is the respondent group). The columns are
            renamed to ``respondent_id``, ``forbund``, ``ar``,
            ``respondentgrupp``, ``roll``; ``attrs["kolumner"]`` records
            ``{{name: file column}}``. With roles named, the default
            ``group_cols`` are those of forbund, ar, respondentgrupp the file has.
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
        MissingColumnError, DuplicateIdError, UnknownLabelError, SchemaError, ScaleError

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
    if scale is not None and allowed is not None:
        raise ScaleError("Ange antingen allowed= (en lista med etiketter) eller scale= (en skala), inte båda.")
    id_col = id_col or None  # "" from a TOML file means no id column
    df = read_table(source, **read_kwargs)
    group_cols = tuple(group_cols)
    if kolumner:
        df = _apply_roles(df, kolumner)
        if group_cols == ("forbund", "ar", "respondentgrupp"):  # roles named: the groups are those the file has
            group_cols = tuple(g for g in group_cols if g in df.columns)
    df = _second_header_row(df, id_col)
    ex = df.attrs["exclusions"]
    label = source_label(df)
    req = [c for c in dict.fromkeys([id_col, *(group_cols if required is None else required)]) if c is not None]
    require_columns(df, req, hint="Ange id_col=, group_cols= eller required= om kolumnerna heter något annat "
                                  "(id_col=None om filen saknar id-kolumn, group_cols=() utan gruppkolumner).")

    if id_col is not None:
        missing_id = df[id_col].isna().to_numpy()
        if missing_id.any():
            raise SchemaError(
                f"{label} saknar respondent-id i kolumnen '{id_col}' på {_n_rows(missing_id)} "
                f"({_rows_text(df, missing_id)}). Varje svar behöver ett id: fyll i det eller ta bort raderna."
            )
        check_unique(df, id_col, what="respondent")

    if "ar" in df.columns and ("ar" in group_cols or "ar" in req):
        df["ar"] = _integer_like(df, "ar", label)

    if scale is not None:
        skip = {id_col, *group_cols, *req} | _META
        return _read_with_scale(df, scale, items, [c for c in df.columns if c not in skip], label)

    if items is None:
        if isinstance(allowed, Mapping):
            items = list(allowed)
        else:
            skip = {id_col, *group_cols, *req} | _META
            cands = [c for c in df.columns if c not in skip]
            # Without labels to go by, columns answered on a known scale are the items when there are any.
            known = [c for c in cands if _recognisable(df[c], "auto")] if allowed is None else []
            items = known or _guess_items(df, cands, allowed)
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


#: Role names of ``read_survey(kolumner=...)`` and the column each becomes.
SURVEY_ROLES: dict[str, str] = {
    "id": "respondent_id", "respondent": "respondent_id", "respondent_id": "respondent_id",
    "forbund": "forbund", "förbund": "forbund", "ar": "ar", "år": "ar",
    "grupp": "respondentgrupp", "respondentgrupp": "respondentgrupp", "roll": "roll",
}


def _apply_roles(df: pd.DataFrame, kolumner: Mapping[str, str]) -> pd.DataFrame:
    if not isinstance(kolumner, Mapping):
        raise SchemaError("kolumner= ska vara en ordlista roll -> kolumnnamn, t.ex. kolumner={'respondent': "
                          "'RespondentID', 'forbund': 'Förbund'}.")
    label = source_label(df)
    unknown = [r for r in kolumner if str(r).casefold() not in SURVEY_ROLES]
    if unknown:
        raise SchemaError(f"Okända roller i kolumner=: {unknown}. Enkätens roller: respondent (id), forbund, ar, "
                          "grupp (respondentgrupp), roll. Frågorna anges med items= (kommandoraden --fragor).")
    require_columns(df, [c for c in kolumner.values() if c],
                    hint="Rätta kolumnnamnet i kolumner= (eller flaggan på kommandoraden, t.ex. --respondent).")
    rename = {col: SURVEY_ROLES[str(r).casefold()] for r, col in kolumner.items() if col}
    for col, new in rename.items():
        if new in df.columns and new != col and new not in rename:
            raise SchemaError(f"{label} har både kolumnen {col!r} och {new!r}; den ena ska ha rollen. Byt namn på "
                              "den andra kolumnen eller ange rollerna med kolumner=.")
    attrs = dict(df.attrs)
    out = df.rename(columns=rename)
    attrs["kolumner"] = {new: col for col, new in rename.items()}
    out.attrs = attrs
    return out


_RESPONSE_WORDS = frozenset({"response", "open ended response", "svar", "öppet svar", "other please specify",
                             "annat vänligen ange"})


def _second_header_row(df: pd.DataFrame, id_col: str | None) -> pd.DataFrame:
    """Fold SurveyMonkey's second header row ("Response", sub-questions) into the column names.

    SurveyMonkey writes the question on line 1 and "Response" (or the row of a
    matrix question) on line 2. The row is removed, recorded, and the numbering
    of file lines moves on by one.
    """
    if len(df) < 2:
        return df
    first = df.iloc[0]
    texts = {c: _key(v) for c, v in first.items() if isinstance(v, str) and v.strip()}
    if not any(t in _RESPONSE_WORDS for t in texts.values()):
        return df
    if id_col is not None and id_col in df.columns and pd.notna(first[id_col]) and str(first[id_col]).strip():
        return df
    label = source_label(df)
    line = _lines(df, [True] + [False] * (len(df) - 1))[0]
    new_names = []
    for c in df.columns:
        sub = first[c]
        if isinstance(sub, str) and sub.strip() and _key(sub) not in _RESPONSE_WORDS:
            new_names.append(f"{c} - {_squash(sub)}")
        else:
            new_names.append(c)
    if len(set(new_names)) != len(new_names):
        raise SchemaError(
            f"{label}: rad {line} ser ut som en andra rubrikrad (SurveyMonkey), men kolumnnamnen blir inte unika när "
            "den slås ihop med rad 1. Slå ihop rubrikraderna till en rad med unika namn och läs filen igen."
        )
    attrs = dict(df.attrs)
    out = df.iloc[1:].reset_index(drop=True)
    out.columns = new_names
    attrs["data_offset"] = int(attrs.get("data_offset", 2)) + 1
    out.attrs = attrs
    ex = attrs["exclusions"]
    ex.add("andra rubrikraden (SurveyMonkey: 'Response' och delfrågor) slogs ihop med kolumnnamnen", 1,
           rows=[line], action="borttagen")
    for c in ("Respondent ID", "Collector ID"):  # SurveyMonkey's ids are long numbers: keep them as text
        if c in out.columns:
            out[c] = out[c].map(lambda v: v if not isinstance(v, float) or not v.is_integer() else str(int(v)))
    return out


def _recognisable(values: pd.Series, scale: Any) -> bool:
    """Whether a column looks like an item on ``scale`` (or, for ``"auto"``, on any known family)."""
    from ..likert.infer import _NS_KEYS, FAMILIES
    from ..likert.scales import SCALES, _lead_num

    s = values.dropna()
    s = s[~s.map(lambda v: isinstance(v, str) and not v.strip())]
    if s.empty:
        return False
    uniq = pd.unique(s.astype(object))
    if scale == "auto":
        known = set(_NS_KEYS)
        for name in FAMILIES:
            sc = SCALES[name]
            known |= {_key(x) for x in sc.levels} | {_key(x) for x in sc.variants}
        hits = [u for u in uniq if isinstance(u, str) and (_key(u) in known or _lead_num(u) is not None)]
        texts = [u for u in uniq if isinstance(u, str) and _key(u) not in _NS_KEYS]
        if not hits or not texts:
            return False
        numberish = [u for u in uniq if _lead_num(u) is not None or str(u).strip().isdigit()]
        return (len(set(hits) | set(numberish))) >= 0.5 * len(uniq)
    matched = [scale.match(u) for u in uniq]
    on_level = [m for m in matched if m.label in scale.levels]
    return bool(on_level) and sum(m.label is not None for m in matched) >= 0.5 * len(uniq)


def _answer_like(values: pd.Series) -> bool:
    """Text with few distinct short values, repeated across rows: a closed question."""
    s = values.dropna()
    if s.empty or not all(isinstance(v, str) for v in s):
        return False
    uniq = pd.unique(s.map(_key))
    return (2 <= len(uniq) <= 12 and len(uniq) <= 0.5 * len(s) and max(len(str(u)) for u in uniq) <= 60
            and not any(str(u).replace(" ", "").isdigit() for u in uniq))


def _read_with_scale(df: pd.DataFrame, scale: Any, items: Iterable[str] | None, candidates: list[str],
                     label: str) -> pd.DataFrame:
    from ..likert.scale_config import scale_from_config
    from ..likert.scales import Scale, _rows, _show, get_scale, propose_scale, record_recodings

    ex = df.attrs["exclusions"]
    probe = scale
    if isinstance(scale, str) and scale != "auto" and not scale.strip().lower().endswith(".toml"):
        probe = get_scale(scale)
    elif isinstance(scale, Scale):
        probe = scale
    elif isinstance(scale, Mapping) and ("etiketter" in scale or "labels" in scale):
        probe = Scale.from_spec(scale)
    else:
        probe = None
    if items is None and isinstance(scale, Mapping) and (scale.get("fragor") or scale.get("items")):
        items = list(scale.get("fragor") or scale.get("items"))
    if items is None:
        vl = df.attrs.get("value_labels") or {}
        items = [c for c in candidates
                 if (probe is None and vl.get(c)) or _recognisable(df[c], probe if probe is not None else "auto")]
        if not items and probe is None:
            # No known labels anywhere: the columns that look like answer alternatives, so that
            # infer_scale can say which labels it does not know.
            items = [c for c in candidates if _answer_like(df[c])]
        if not items:
            what = f"skalan {probe.name!r}" if probe is not None else "någon känd svarsskala"
            raise SchemaError(
                f"{label} har inga kolumner vars svar passar {what}. Ange frågekolumnerna med items= "
                "(kommandoraden: --fragor) och skalan med scale= (--skala)."
            )
    items = list(items)
    require_columns(df, items, hint="Ange items= med frågekolumnerna.")
    try:
        spec = scale_from_config(scale, df=df, items=items)
    except ScaleError as e:
        raise ScaleError(f"{label}: {e}" if not str(e).startswith("Filen") else str(e)) from None
    sc = spec.scale
    where = f" i frågorna {', '.join(repr(i) for i in items[:6])}" + (" m.fl." if len(items) > 6 else "")
    allvals = pd.concat([df[i].astype(object) for i in items], ignore_index=True)
    try:
        matches = sc.resolve(allvals, where=where)
    except ScaleError as e:
        raise ScaleError(f"{label}: {e}") from None
    problems = []
    for item in items:
        s = df[item]
        codes, uniques = pd.factorize(s.astype(object), use_na_sentinel=True)
        found = [matches.get(u) or sc.match(u) for u in uniques]
        unknown = [i for i, m in enumerate(found) if m.label is None and m.how != "saknas"]
        if unknown:
            counts = np.bincount(codes[codes >= 0], minlength=len(uniques))
            parts = [f"{_show(uniques[i])} ({counts[i]} svar, {_rows(s, np.flatnonzero(codes == i), 3)})"
                     for i in sorted(unknown, key=lambda j: -counts[j])[:8]]
            more = f" och {len(unknown) - 8} etiketter till" if len(unknown) > 8 else ""
            problems.append(f"kolumnen {item!r}: {'; '.join(parts)}{more}")
            continue
        record_recodings(ex, s, codes, uniques, found, column=item)
        new = np.array([m.label if m.label is not None else np.nan for m in found] + [np.nan], dtype=object)[codes]
        missing = codes < 0
        ex.add("tomt svar", int(missing.sum()), rows=_lines(df, missing), column=item, action="saknas")
        df[item] = pd.Series(new, index=df.index, dtype=object)
    if problems:
        from ..likert.scales import _mask

        valid = ", ".join(repr(x) for x in sc.categories)
        raise UnknownLabelError(_mask(
            f"{label} har svar som inte finns i skalan {sc.name or 'utan namn'}: " + " | ".join(problems)
            + f". Skalans svar: {valid}. Rätta svaren i filen eller ange en annan skala. " + propose_scale(allvals)
        ))
    df.attrs["items"] = tuple(items)
    df.attrs["scale"] = sc
    df.attrs["reverse"] = spec.reverse
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
