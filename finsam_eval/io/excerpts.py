"""Read interview excerpts: from a table, or from a folder of transcripts.

Tables (CSV, Excel, SPSS ... from NVivo, MAXQDA, Excel or a colleague): each
column plays a role (``id``, ``text``, ``respondent``, ``forbund``, ``roll``,
``fraga``), named by ``kolumner=`` or found among recognised aliases
(:data:`~finsam_eval.io.excerpt_columns.ROLE_ALIASES`: ``IP``,
``Respondent``, ``Intervjuperson``, ``Förbund``, ``Citat``, ``Fråga`` ...).

Transcript folders (``.txt``, ``.docx``): one excerpt per speaker turn, with
the interviewer's preceding question in ``fraga``; see
:mod:`finsam_eval.io.transcripts` for labels, headings and annotations and
:mod:`finsam_eval.io.transcript_folder` for metadata and file names.

Who the respondents are is never left empty: see
:func:`~finsam_eval.io.excerpt_columns.finish_respondents`. What was assumed
is in ``attrs["notes"]`` (sentences a method chapter can print) and on the
exclusions record.
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._warn import warn
from ..errors import DuplicateIdError, InputFileError, SchemaError, UnknownLabelError
from ..privacy.guard import holds_personnummer, safe_name
from ..results import Exclusions
from .excerpt_columns import ROLE_COLUMN, apply_roles, finish_respondents, resolve_columns
from .schemas import EXCERPTS
from .tables import file_rows, read_table, require_columns, source_label
from .transcript_folder import read_transcript_folder
from .transcripts import INTERVIEWER_LABELS, parse_transcript

__all__ = ["read_excerpts", "parse_code_list", "parse_transcript", "DEFAULT_NAME_PATTERN", "INTERVIEWER_LABELS"]

#: An example file-name pattern for transcripts (``Botkyrka_styrelse_R03.docx``); never applied unless given.
DEFAULT_NAME_PATTERN = "{forbund}_{roll}_{respondent}"
OUTPUT_COLUMNS = (
    "excerpt_id", "text", "forbund", "respondent_id", "roll", "fraga", "kalla", "datum", "fil", "tur", "talare",
)
_CODE_SPLIT = re.compile(r"[|;,\n]")


# --------------------------------------------------------------------------- code lists
def parse_code_list(value: Any, *, valid: Iterable[str] | None = None) -> Any:
    """Parse a list of codes stored in one cell.

    Accepts ``"samsyn|legitimitet"``, ``"samsyn; legitimitet"``,
    ``"samsyn, legitimitet"``, a JSON list (``'["samsyn"]'``), the text of a
    Python list (``"['samsyn']"``, what a list column looks like after a CSV
    round trip) or an actual list. Blank cells give ``[]``. Codes are
    stripped, empty ones dropped, repeats removed (first order kept). A
    Series gives a Series of lists.

    Parameters
    ----------
    value
        A cell, or a Series of cells.
    valid
        Allowed code ids; others raise :class:`~finsam_eval.errors.UnknownLabelError`.

    Examples
    --------
    >>> parse_code_list("samsyn| legitimitet|samsyn")
    ['samsyn', 'legitimitet']
    >>> parse_code_list('["samsyn", "hinder"]'), parse_code_list(float("nan"))
    (['samsyn', 'hinder'], [])
    >>> parse_code_list(pd.Series(["samsyn; styrning", "['hinder']"])).tolist()
    [['samsyn', 'styrning'], ['hinder']]
    """
    if isinstance(value, pd.Series):
        cache: dict[Any, list[str]] = {}

        def one(v: Any) -> list[str]:
            if isinstance(v, str):
                if v not in cache:
                    cache[v] = parse_code_list(v, valid=valid)
                return list(cache[v])
            return parse_code_list(v, valid=valid)

        return value.map(one)
    if value is None:
        return []
    if isinstance(value, list | tuple | set | np.ndarray | pd.Index):
        items = [str(v) for v in value if v is not None and not (isinstance(v, float) and np.isnan(v))]
    elif isinstance(value, str):
        s = value.strip()
        items = None
        if s.startswith("[") and s.endswith("]"):
            for parse in (json.loads, ast.literal_eval):
                try:
                    parsed = parse(s)
                except (ValueError, SyntaxError, TypeError):
                    continue
                if isinstance(parsed, list | tuple):
                    items = [str(v) for v in parsed]
                    break
            if items is None:
                s = s[1:-1]
        if items is None:
            items = [p.strip().strip("'\"") for p in _CODE_SPLIT.split(s)]
    else:
        try:
            if pd.isna(value):
                return []
        except (TypeError, ValueError):
            pass
        items = [str(value)]
    out = list(dict.fromkeys(i.strip() for i in items if i and i.strip()))
    if valid is not None:
        ok = set(valid)
        bad = [c for c in out if c not in ok]
        if bad:
            raise UnknownLabelError(
                f"Okända koder: {', '.join(repr(b) for b in bad)}. Tillåtna koder: {', '.join(sorted(ok))}."
            )
    return out



def _stable_ids(texts: pd.Series, prefix: str) -> list[str]:
    seen: Counter[str] = Counter()
    out = []
    for t in texts:
        h = hashlib.sha1(" ".join(str(t).split()).encode("utf-8")).hexdigest()[:10]
        base = f"{prefix}{h}"
        seen[base] += 1
        out.append(base if seen[base] == 1 else f"{base}-{seen[base]}")
    return out


def _rows_lines(lines: Sequence[int], mask: Any, first: int = 5) -> str:
    pos = np.flatnonzero(np.asarray(mask))
    shown = ", ".join(str(lines[p]) for p in pos[:first])
    return f"rad {shown}" + (f" (och {len(pos) - first} till)" if len(pos) > first else "")


# --------------------------------------------------------------------------- public
def read_excerpts(
    source: str | os.PathLike[str] | pd.DataFrame,
    *,
    kolumner: Mapping[str, str | None] | None = None,
    respondent_global: bool = False,
    filnamn: str | None = None,
    metadata: str | os.PathLike[str] | pd.DataFrame | None = None,
    include_interviewer: bool = False,
    interviewer_labels: Iterable[str] = INTERVIEWER_LABELS,
    talare: Iterable[str] = (),
    kalla: str | None = "intervju",
    code_cols: str | Sequence[str] | None = "auto",
    text_col: str | None = None,
    id_col: str | None = None,
    name_pattern: str | None = None,
    **read_kwargs: Any,
) -> pd.DataFrame:
    """Read interview excerpts from a table or from a folder of transcripts.

        Output schema (from :data:`finsam_eval.io.schemas.EXCERPTS`)::

    {schema}

        Parameters
        ----------
        source
            A table (any :func:`~finsam_eval.io.read_table` source) with one
            excerpt per row, a folder of transcripts (``.txt``, ``.docx``) or
            one transcript (a ``.docx``, or a ``.txt`` whose first line is not
            a delimited header with a text column).
        kolumner
            Which column plays which role: ``{{"id": ..., "text": ...,
            "respondent": ..., "forbund": ..., "roll": ..., "fraga": ...}}``
            (``förbund``/``fråga`` also work as keys; ``None`` = no such
            column). Roles not given are found among recognised names
            (``IP``, ``Respondent``, ``Intervjuperson``, ``Informant``,
            ``Förbund``, ``Citat``, ``Fråga`` ...); two candidates for one
            role are an error. Transcripts: only ``respondent``, ``forbund``,
            ``roll`` of the metadata table.
        respondent_global
            True if respondent ids are unique across förbund. Default: an id
            is qualified by förbund (``R01`` in Botkyrka and ``R01`` in
            Huddinge are two people, written ``Botkyrka:R01``), and for
            transcripts without a respondent in the metadata the respondent
            is the file (each speaker label of a focus group a person).
        filnamn
            Transcripts: a pattern that reads metadata from the file names,
            e.g. ``"{{forbund}}_{{roll}}_{{respondent}}"`` (``{{_}}`` skips a part; a
            ``-`` in forbund becomes a space). Names that do not fit are named
            in a warning and get no metadata. Never applied unless given.
        metadata
            Transcripts: a table with a column ``fil`` (file name or stem) and
            metadata columns. Tables: merged on ``respondent_id``.
        include_interviewer
            Keep interviewer turns as excerpts (default: leave them out,
            count them and keep each as ``fraga`` of the answers after it).
        interviewer_labels
            Labels that mark the interviewer (case and spaces ignored).
        talare
            Extra speaker names to recognise in transcripts (``["Anna", "Ola"]``).
        kalla
            Value of ``kalla`` for transcripts whose metadata lacks it.
        code_cols
            Columns holding code lists to parse with :func:`parse_code_list`;
            ``"auto"``: every text column whose name starts with ``codes``.
        text_col, id_col
            Older names for ``kolumner={{"text": ..., "id": ...}}``.
        name_pattern
            Older name for ``filnamn``.
        **read_kwargs
            Passed to :func:`~finsam_eval.io.read_table` (tables only).

        Returns
        -------
        pandas.DataFrame
            Columns ``excerpt_id, text, forbund, respondent_id, roll, fraga,
            kalla, datum, fil, tur, talare`` and any extra metadata
            (transcripts also ``rad``, the first line of the turn, and
            ``anteckningar``). ``attrs["exclusions"]`` records empty texts,
            interviewer turns, skipped headings and the respondent rule;
            ``attrs["notes"]`` says in sentences what was assumed;
            ``attrs["respondent_fallback"]`` is True when each excerpt counts
            as its own respondent.

        Raises
        ------
        SchemaError
            Two columns for one role, an unknown role, a transcript missing
            from the metadata table, missing ids.
        DuplicateIdError
            Repeated excerpt ids (line numbers given).

        Examples
        --------
        >>> import tempfile, pathlib
        >>> d = pathlib.Path(tempfile.mkdtemp())
        >>> _ = (d / "Huddinge_samordnare_R07.txt").write_text(
        ...     "I: Hur fungerar samverkan?\\nIP: Vi träffas varje månad.\\nDet har blivit bättre.", encoding="utf-8")
        >>> ex = read_excerpts(d, filnamn="{{forbund}}_{{roll}}_{{respondent}}")
        >>> ex[["excerpt_id", "forbund", "respondent_id", "fraga", "text"]].to_dict("records")
        [{{'excerpt_id': 'Huddinge_samordnare_R07-t002', 'forbund': 'Huddinge', 'respondent_id': 'R07', 'fraga': 'Hur fungerar samverkan?', 'text': 'Vi träffas varje månad. Det har blivit bättre.'}}]
        >>> t = pd.DataFrame({{"IP": ["A", "A", "B"], "Förbund": ["Botkyrka", "Botkyrka", "Botkyrka"],
        ...                   "Citat": ["Bra möten.", "Tydligt mandat.", "Svag förankring."]}})
        >>> read_excerpts(t)["respondent_id"].nunique()
        2
    """
    ex = Exclusions()
    if not isinstance(source, pd.DataFrame | str | os.PathLike):
        raise InputFileError(
            f"read_excerpts vill ha en sökväg (fil eller mapp) eller en DataFrame, inte {type(source).__name__}."
        )
    if kolumner is not None and not isinstance(kolumner, Mapping):
        raise SchemaError(
            "kolumner= ska vara en ordlista roll -> kolumnnamn, t.ex. kolumner={'respondent': 'IP', 'text': 'Citat'}."
        )
    if name_pattern is not None and filnamn is None:
        filnamn = name_pattern
    roles = dict(kolumner or {})
    if text_col is not None:
        roles.setdefault("text", text_col)
    if id_col is not None:
        roles.setdefault("id", id_col)
    single = _single_transcript(source)
    if single is not None or (not isinstance(source, pd.DataFrame) and Path(source).is_dir()):
        df = read_transcript_folder(
            Path(source).parent if single is not None else Path(source),
            single=single,
            metadata=metadata,
            filnamn=filnamn,
            include_interviewer=include_interviewer,
            interviewer_labels=interviewer_labels,
            talare=talare,
            kalla=kalla,
            kolumner=roles,
            respondent_global=respondent_global,
            ex=ex,
        )
    else:
        df = _read_table_excerpts(
            source, roles=roles, metadata=metadata, respondent_global=respondent_global, **read_kwargs
        )
        ex = df.attrs["exclusions"]
    for col in OUTPUT_COLUMNS:
        if col not in df.columns:
            df[col] = pd.Series(pd.NA, index=df.index, dtype="Int64" if col == "tur" else object)
    df["tur"] = df["tur"].astype("Int64")
    cols = [*OUTPUT_COLUMNS, *[c for c in df.columns if c not in OUTPUT_COLUMNS]]
    if code_cols == "auto":
        code_cols = [c for c in df.columns if str(c).startswith("codes")]
    for c in code_cols or ():
        if c in df.columns:
            df[c] = parse_code_list(df[c])
    attrs = df.attrs
    df = df[cols].reset_index(drop=True)
    df.attrs = {**attrs, "exclusions": ex}
    _warn_personal(df)
    return df


def _single_transcript(source: Any) -> Path | None:
    """A single ``.docx``, or a ``.txt`` that is not a delimited table with a text column: a transcript."""
    if isinstance(source, pd.DataFrame) or not isinstance(source, str | os.PathLike):
        return None
    p = Path(source)
    if not p.is_file():
        return None
    if p.suffix.lower() in (".docx", ".vtt", ".srt"):
        return p
    if p.suffix.lower() != ".txt":
        return None
    from .excerpt_columns import _ALIAS_OF, _norm
    from .transcripts import _decode_text

    try:
        head = _decode_text(p.read_bytes()[:65536], p.name)
    except Exception:  # noqa: BLE001 - let the table reader give its own clear error
        return None
    first = next((ln for ln in head.splitlines() if ln.strip()), "")
    for sep in ("\t", ";", ",", "|"):
        if any(_ALIAS_OF.get(_norm(f)) == "text" for f in first.split(sep)) and len(first.split(sep)) >= 2:
            return None
    return p


def _warn_personal(df: pd.DataFrame) -> None:
    """Say (without the value) when texts hold something like a personnummer."""
    hits = df["text"].map(lambda t: isinstance(t, str) and holds_personnummer(t)).to_numpy(dtype=bool)
    if hits.any():
        msg = (
            f"{int(hits.sum())} utdrag innehåller något som liknar ett personnummer. Pseudonymisera före "
            "publicering: finsam_eval.pseudonymise(texter, key=...) eller i CLI: sätt FINSAM_NYCKEL=... "
            "eller ange --nyckel-fil."
        )
        df.attrs.setdefault("notes", []).append(msg)
        warn(msg, UserWarning, stacklevel=3)


def _read_table_excerpts(
    source: Any, *, roles: dict[str, str | None], metadata: Any, respondent_global: bool, **read_kwargs: Any
) -> pd.DataFrame:
    df = read_table(source, **read_kwargs)
    ex = df.attrs["exclusions"]
    if df.attrs.get("source") not in (None, "<DataFrame>"):
        df.attrs["source"] = safe_name(df.attrs["source"])  # a file named by a personnummer is never shown
    label = source_label(df)
    found = resolve_columns(df, roles, where=label)
    if found["text"] is None:
        require_columns(
            df, ["text"],
            hint="Ange textkolumnen med kolumner={'text': ...} (CLI: --text); kända namn är t.ex. text, citat, utdrag, segment.",
        )
    df = apply_roles(df, found, where=label)
    notes: list[str] = []
    used = {r: c for r, c in found.items() if c is not None and c != ROLE_COLUMN[r]}
    if used:
        from ..privacy.guard import mask_text

        notes.append("Kolumner: " + ", ".join(f"{mask_text(str(c))!r} som {ROLE_COLUMN[r]}" for r, c in used.items()) + ".")
    texts = df["text"]
    empty = (texts.isna() | texts.astype(str).str.strip().eq("")).to_numpy()
    lines_all = file_rows(df, range(len(df)))
    if empty.any():
        ex.add("tom text", int(empty.sum()), rows=[lines_all[i] for i in np.flatnonzero(empty)])
    attrs = dict(df.attrs)
    lines_kept = [lines_all[i] for i in np.flatnonzero(~empty)]
    df = df.loc[~empty].reset_index(drop=True)
    df["text"] = df["text"].map(lambda v: str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)).str.strip()
    df.attrs = attrs
    if found["id"] is not None:
        ids = df["excerpt_id"]
        miss = ids.isna().to_numpy()
        if miss.any():
            raise SchemaError(
                f"{label} saknar id i kolumnen '{found['id']}' på {int(miss.sum())} rader "
                f"({_rows_lines(lines_kept, miss)}). Fyll i id eller ta bort kolumnen så skapas id automatiskt."
            )
        ids = ids.map(lambda v: str(int(v)) if isinstance(v, float) and v.is_integer() else str(v).strip())
        dup = ids.duplicated(keep=False).to_numpy()
        if dup.any():
            raise DuplicateIdError(
                f"{label} har {int(dup.sum())} utdrag med samma id i '{found['id']}' ({_rows_lines(lines_kept, dup)}). "
                "Varje utdrag ska ha ett eget id: rätta dubbletterna eller ta bort kolumnen så skapas id automatiskt. "
                "Är kolumnen respondentens id? Ange då kolumner={'respondent': ...} (CLI: --respondent)."
            )
        df["excerpt_id"] = ids
    else:
        df.insert(0, "excerpt_id", _stable_ids(df["text"], "E"))
        ex.add("excerpt_id saknades och skapades från texten", len(df), column="excerpt_id", action="skapad")
    if "fil" not in df.columns and attrs.get("source") not in (None, "<DataFrame>"):
        df["fil"] = safe_name(attrs["source"])
    if metadata is not None:
        meta = read_table(metadata)
        mroles = resolve_columns(meta, {}, roles=("respondent", "forbund", "roll"), where=source_label(meta))
        meta = apply_roles(meta, mroles, where=source_label(meta))
        require_columns(meta, ["respondent_id"], hint="Metadata till en tabell kopplas på 'respondent_id'.")
        require_columns(df, ["respondent_id"], hint="Metadata till en tabell kopplas på 'respondent_id' (kolumner={'respondent': ...}).")
        extra = [c for c in meta.columns if c == "respondent_id" or c not in df.columns]
        m = meta[extra].drop_duplicates("respondent_id")
        m = m.assign(respondent_id=m["respondent_id"].map(lambda v: str(v).strip()))
        df = df.assign(_k=df["respondent_id"].map(lambda v: pd.NA if pd.isna(v) else str(v).strip()))
        df = df.merge(m.rename(columns={"respondent_id": "_k"}), on="_k", how="left", validate="many_to_one")
        df = df.drop(columns="_k")
        df.attrs = attrs
    df = finish_respondents(
        df, has_column=found["respondent"] is not None, ex=ex, notes=notes,
        respondent_global=respondent_global, rows=lines_kept,
    )
    from ..privacy.guard import mask_text

    df.attrs.update(
        exclusions=ex, notes=notes, kolumner={r: None if c is None else mask_text(str(c)) for r, c in found.items()}
    )
    return df


read_excerpts.__doc__ = (read_excerpts.__doc__ or "").format(schema=EXCERPTS.doc())
