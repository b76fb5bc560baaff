"""Read interview excerpts: from a table, or from a folder of transcripts.

A transcript (``.txt`` or Word ``.docx``) becomes one excerpt per speaker
turn. These speaker labels are recognised at the start of a line (an optional
time stamp such as ``[00:12:31]`` before them is skipped):

- interviewer: ``I:``, ``Int:``, ``Intervjuare:``, ``Moderator:``, ``F:``,
  ``Fråga:`` (see ``interviewer_labels``);
- respondent: ``IP:``, ``R:``, ``R1:``, ``Respondent:``, ``Respondent 2:``,
  ``Deltagare 3:``, ``D1:``, ``B2:``, ``P4:``, ``S:``, ``Svar:``;
- anything in brackets: ``[Namn]:``, ``[Förbundschef]:``;
- a name of one or two capitalised words (``Anna:``, ``Anna S:``), but only
  if the same label occurs at least twice in the file (so that a sentence
  such as ``Bakgrund: ...`` is not taken for a speaker).

Lines without a label continue the current speaker's turn; consecutive turns
of the same speaker are merged. A file without any labels is split into
paragraphs (blank lines in ``.txt``, paragraphs in ``.docx``), one excerpt
each. Interviewer turns are left out by default and counted.
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DuplicateIdError, InputFileError, SchemaError, UnknownLabelError
from ..results import Exclusions
from .schemas import EXCERPTS, KALLOR, ROLLER
from .tables import _decode, _n_rows, file_rows, read_table, require_columns, source_label

__all__ = ["read_excerpts", "parse_code_list", "parse_transcript", "DEFAULT_NAME_PATTERN", "INTERVIEWER_LABELS"]

#: File-name pattern for transcripts: ``Botkyrka_styrelse_R03.docx``.
DEFAULT_NAME_PATTERN = "{forbund}_{roll}_{respondent_id}"
#: Speaker labels that mark the interviewer (compared case-insensitively, spaces ignored).
INTERVIEWER_LABELS: tuple[str, ...] = (
    "i",
    "int",
    "intervjuare",
    "intervjuaren",
    "interviewer",
    "moderator",
    "mod",
    "f",
    "fråga",
    "utvärderare",
)
OUTPUT_COLUMNS = ("excerpt_id", "text", "forbund", "respondent_id", "roll", "kalla", "datum", "fil", "tur", "talare")

_STAMP = r"(?:[\[(]?\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d+)?[\])]?\s*[-–]?\s*)?"
_KEYWORD = (
    r"IP\s?\d{0,3}|I|Int|Intervjuaren?|Interviewer|Moderator|Mod|F|Fråga|Utvärderare|S|Svar"
    r"|R\s?\d{0,3}|Respondent(?:\s?\d{1,3})?|Deltagare(?:\s?\d{1,3})?|[DBP]\d{1,3}"
)
_NAME = r"[A-ZÅÄÖÉ][a-zåäöéü]+(?:[ -][A-ZÅÄÖÉ][a-zåäöéü]*\.?)?"
_LABEL = re.compile(
    rf"^\s*{_STAMP}(?:\[(?P<br>[^\]\n]{{1,40}})\]|(?P<kw>(?i:{_KEYWORD}))|(?P<name>{_NAME}))\s*:(?:\s+|$)(?P<rest>.*)$"
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


# --------------------------------------------------------------------------- transcripts
@dataclass
class _Turn:
    speaker: str | None
    lines: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return " ".join(x.strip() for x in self.lines if x.strip())


def _norm_label(label: str) -> str:
    return re.sub(r"\s+", "", label).casefold()


def _blocks_txt(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    if b"\x00" in raw[:4096] and not raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputFileError(
            f"Filen {path.name!r} är ingen textfil (binära data). Spara utskriften som .txt eller .docx."
        )
    text, _ = _decode(raw, path.name, None)
    blocks, cur = [], []
    for line in text.splitlines():
        if line.strip():
            cur.append(line)
        elif cur:
            blocks.append(cur)
            cur = []
    if cur:
        blocks.append(cur)
    return blocks


def _blocks_docx(path: Path) -> list[list[str]]:
    import zipfile

    try:
        import docx
        from docx.table import Table
        from docx.text.paragraph import Paragraph
    except ImportError:  # pragma: no cover - python-docx is a dependency
        from .tables import MissingDependencyError

        raise MissingDependencyError("Word-utskrifter kräver paketet python-docx: pip install python-docx") from None
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(str(path))
    except (zipfile.BadZipFile, PackageNotFoundError, KeyError, ValueError, OSError) as e:
        raise InputFileError(
            f"Filen {path.name!r} kunde inte öppnas som Word-fil; den verkar avkortad eller skadad ({type(e).__name__}). "
            "Öppna den i Word och spara den på nytt som .docx."
        ) from None
    blocks = []
    for child in document.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            lines = [ln for ln in Paragraph(child, document).text.split("\n") if ln.strip()]
            if lines:
                blocks.append(lines)
        elif tag == "tbl":  # transcripts kept as a table: speaker | text
            for row in Table(child, document).rows:
                cells = list(dict.fromkeys(c.text.strip() for c in row.cells))
                cells = [c for c in cells if c]
                if len(cells) == 2 and len(cells[0]) <= 40:
                    blocks.append([f"{cells[0]}: {cells[1]}"])
                elif cells:
                    blocks.append([" ".join(cells)])
    return blocks


def parse_transcript(blocks: Sequence[Sequence[str]] | str) -> list[tuple[str | None, str]]:
    """Split a transcript into speaker turns ``(label, text)``.

    Parameters
    ----------
    blocks
        The text, or paragraphs as lists of lines (how ``.docx`` files arrive).

    Returns
    -------
    list of (label or None, text)
        One entry per turn, consecutive lines of one speaker merged; without
        any speaker labels one entry per paragraph, with label ``None``.

    Examples
    --------
    >>> parse_transcript("I: Hur började det?\\nIP: Vi hade ett möte.\\nSedan en till.\\nIP: Och så vidare.")
    [('I', 'Hur började det?'), ('IP', 'Vi hade ett möte. Sedan en till. Och så vidare.')]
    >>> parse_transcript("Första stycket.\\n\\nAndra stycket\\npå två rader.")
    [(None, 'Första stycket.'), (None, 'Andra stycket på två rader.')]
    """
    if isinstance(blocks, str):
        out, cur = [], []
        for line in blocks.splitlines():
            if line.strip():
                cur.append(line)
            elif cur:
                out.append(cur)
                cur = []
        blocks = [*out, cur] if cur else out
    matches = [[_LABEL.match(line) for line in block] for block in blocks]
    names = Counter(_norm_label(m.group("name")) for ms in matches for m in ms if m and m.group("name"))

    def label_of(m: re.Match[str] | None) -> str | None:
        if m is None:
            return None
        if m.group("br"):
            return m.group("br").strip()
        if m.group("kw"):
            return m.group("kw").strip()
        name = m.group("name")
        return name if names[_norm_label(name)] >= 2 else None

    labels = [[label_of(m) for m in ms] for ms in matches]
    if not any(lab for labs in labels for lab in labs):
        return [(None, " ".join(x.strip() for x in block)) for block in blocks if any(x.strip() for x in block)]
    turns: list[_Turn] = []
    for block, ms, labs in zip(blocks, matches, labels):
        for line, m, lab in zip(block, ms, labs):
            if lab is not None:
                rest = m.group("rest")  # type: ignore[union-attr]
                if turns and turns[-1].speaker is not None and _norm_label(turns[-1].speaker) == _norm_label(lab):
                    turns[-1].lines.append(rest)
                else:
                    turns.append(_Turn(lab, [rest]))
            elif turns:
                turns[-1].lines.append(line)
            else:
                turns.append(_Turn(None, [line]))
    return [(t.speaker, t.text) for t in turns if t.text]


def _pattern_regex(pattern: str) -> re.Pattern[str]:
    parts = re.split(r"\{(\w+)\}", pattern)
    last = len(parts) - 2  # the last field takes the rest of the name, underscores included
    rx = "".join(
        re.escape(p) if i % 2 == 0 else (rf"(?P<{p}>.+)" if i == last else rf"(?P<{p}>[^_]+?)")
        for i, p in enumerate(parts)
    )
    return re.compile(rf"^{rx}$", re.IGNORECASE)


def _sidecar(metadata: Any) -> tuple[pd.DataFrame, str, str]:
    meta = read_table(metadata)
    key = next((c for c in ("fil", "file", "filnamn", "filename") if c in meta.columns), None)
    if key is None:
        require_columns(meta, ["fil"], hint="Metadatatabellen behöver en kolumn 'fil' med utskriftens filnamn.")
    return meta, key, source_label(meta)  # type: ignore[return-value]


def _normalise_meta(meta: dict[str, Any]) -> dict[str, Any]:
    for col, known in (("roll", ROLLER), ("kalla", KALLOR)):
        v = meta.get(col)
        if isinstance(v, str):
            low = v.strip().casefold()
            meta[col] = next((k for k in known if k == low), v.strip())
    return meta


def _read_folder(
    folder: Path,
    *,
    metadata: Any,
    name_pattern: str | None,
    include_interviewer: bool,
    interviewer_labels: Iterable[str],
    kalla: str | None,
    ex: Exclusions,
) -> pd.DataFrame:
    files = sorted(
        p
        for p in folder.iterdir()
        if p.is_file() and p.suffix.lower() in (".txt", ".docx") and not p.name.startswith(("~$", "."))
    )
    skipped = sorted(
        p.name
        for p in folder.iterdir()
        if p.is_file() and p.suffix.lower() in (".doc", ".rtf", ".odt", ".pdf") and not p.name.startswith(("~$", "."))
    )
    if skipped:
        ex.add(
            f"utskrift i ett format som inte läses (spara som .docx eller .txt): {_names(skipped)}",
            len(skipped),
            column="fil",
        )
    if not files:
        there = sorted(p.name for p in folder.iterdir())[:10]
        raise InputFileError(
            f"Mappen {folder.name!r} innehåller inga utskrifter (.txt eller .docx). "
            f"Det som finns: {', '.join(repr(t) for t in there) or 'ingenting'}. Spara intervjuerna som .docx eller .txt."
        )
    meta_of: dict[str, dict[str, Any]] = {}
    missing: list[str] = []
    if metadata is not None:
        meta, key, where = _sidecar(metadata)
        lookup: dict[str, dict[str, Any]] = {}
        for rec in meta.to_dict("records"):
            k = str(rec.pop(key)).strip().casefold()
            lookup[k] = rec
            lookup.setdefault(Path(k).stem, rec)
        for p in files:
            rec = lookup.get(p.name.casefold()) or lookup.get(p.stem.casefold())
            if rec is None:
                missing.append(p.name)
            else:
                meta_of[p.name] = {k: v for k, v in rec.items() if not (isinstance(v, float) and np.isnan(v))}
        fix = f"Lägg till en rad per utskrift i metadatatabellen ({where}, kolumnen '{key}')."
    elif name_pattern is not None:
        rx = _pattern_regex(name_pattern)
        for p in files:
            m = rx.match(p.stem)
            if m is None:
                missing.append(p.name)
            else:
                meta_of[p.name] = {k: v.replace("-", " ") if k == "forbund" else v for k, v in m.groupdict().items()}
        fix = (
            f"Döp om filen enligt mönstret {name_pattern!r} (t.ex. 'Botkyrka_styrelse_R03.docx'), ange ett annat "
            "name_pattern= eller ge metadata= med en tabell (kolumnen 'fil' plus forbund, roll, respondent_id)."
        )
    else:
        missing = [p.name for p in files]
        fix = "Ange metadata= (en tabell med kolumnen 'fil') eller name_pattern=."
    if missing:
        shown = ", ".join(repr(m) for m in missing[:10]) + (
            f" (och {len(missing) - 10} till)" if len(missing) > 10 else ""
        )
        raise SchemaError(f"Utskrifter utan metadata i mappen {folder.name!r}: {shown}. {fix}")

    interviewer = {_norm_label(x) for x in interviewer_labels}
    rows = []
    n_interviewer = 0
    empty_files = []
    for p in files:
        blocks = _blocks_docx(p) if p.suffix.lower() == ".docx" else _blocks_txt(p)
        turns = parse_transcript(blocks)
        if not turns:
            empty_files.append(p.name)
            continue
        meta = _normalise_meta(dict(meta_of[p.name]))
        for tur, (speaker, text) in enumerate(turns, start=1):
            if speaker is not None and _norm_label(speaker) in interviewer and not include_interviewer:
                n_interviewer += 1
                continue
            rows.append({**meta, "text": text, "fil": p.name, "tur": tur, "talare": speaker, "_stem": p.stem})
    ex.add("intervjuarens repliker (include_interviewer=False)", n_interviewer, column="talare")
    if empty_files:
        ex.add(f"tom utskrift: {_names(empty_files)}", len(empty_files), column="fil")
    if not rows:
        raise InputFileError(
            f"Mappen {folder.name!r} gav inga utdrag (utskrifterna är tomma eller har bara intervjuarens repliker)."
        )
    df = pd.DataFrame(rows)
    df.insert(0, "excerpt_id", [f"{s}-t{t:03d}" for s, t in zip(df["_stem"], df["tur"])])
    df = df.drop(columns="_stem")
    if kalla is not None:
        df["kalla"] = df["kalla"].fillna(kalla) if "kalla" in df.columns else kalla
    df.attrs = {"source": folder.name, "exclusions": ex}
    return df


def _names(names: Sequence[str], first: int = 5) -> str:
    more = f" och {len(names) - first} till" if len(names) > first else ""
    return ", ".join(names[:first]) + more


def _stable_ids(texts: pd.Series, prefix: str) -> list[str]:
    seen: Counter[str] = Counter()
    out = []
    for t in texts:
        h = hashlib.sha1(" ".join(str(t).split()).encode("utf-8")).hexdigest()[:10]
        base = f"{prefix}{h}"
        seen[base] += 1
        out.append(base if seen[base] == 1 else f"{base}-{seen[base]}")
    return out


# --------------------------------------------------------------------------- public
def read_excerpts(
    source: str | os.PathLike[str] | pd.DataFrame,
    *,
    text_col: str = "text",
    metadata: str | os.PathLike[str] | pd.DataFrame | None = None,
    id_col: str = "excerpt_id",
    name_pattern: str | None = DEFAULT_NAME_PATTERN,
    include_interviewer: bool = False,
    interviewer_labels: Iterable[str] = INTERVIEWER_LABELS,
    kalla: str | None = "intervju",
    code_cols: str | Sequence[str] | None = "auto",
    **read_kwargs: Any,
) -> pd.DataFrame:
    """Read interview excerpts from a table or from a folder of transcripts.

        Output schema (from :data:`finsam_eval.io.schemas.EXCERPTS`)::

    {schema}

        Parameters
        ----------
        source
            A table (any :func:`~finsam_eval.io.read_table` source) with one
            excerpt per row, or a folder of transcripts (``.txt``, ``.docx``).
        text_col
            Column with the text (tables); renamed to ``text``.
        metadata
            Folder: a table (path or DataFrame) with a column ``fil`` (file name
            or stem) and metadata columns (forbund, respondent_id, roll, kalla,
            datum, ...). Tables: merged on ``respondent_id``.
        id_col
            Column with excerpt ids (tables). If absent, stable ids are made from
            the text (``E`` + 10 hex digits of SHA-1; repeats get ``-2``, ``-3``).
            Transcript excerpts get ``<file stem>-t<turn>``, e.g. ``Botkyrka_styrelse_R03-t004``.
        name_pattern
            Used when ``metadata`` is not given: the file stem must match, with
            ``{{field}}`` parts separated by ``_`` (the last field takes the rest
            of the name, underscores included). Default
            ``"{{forbund}}_{{roll}}_{{respondent_id}}"``, so ``Botkyrka_styrelse_R03.docx``
            gives forbund ``Botkyrka``, roll ``styrelse``, respondent_id ``R03``
            (a ``-`` in forbund becomes a space: ``Östra-Södertörn``).
        include_interviewer
            Keep interviewer turns (default: leave them out and count them).
        interviewer_labels
            Labels that mark the interviewer (case and spaces ignored).
        kalla
            Value of ``kalla`` for transcripts whose metadata lacks it.
        code_cols
            Columns holding code lists to parse with :func:`parse_code_list`;
            ``"auto"``: every text column whose name starts with ``codes``.
        **read_kwargs
            Passed to :func:`~finsam_eval.io.read_table` (tables only).

        Returns
        -------
        pandas.DataFrame
            Columns ``excerpt_id, text, forbund, respondent_id, roll, kalla, datum,
            fil, tur, talare`` and any extra metadata; ``attrs["exclusions"]``
            counts empty texts, interviewer turns and empty files.

        Raises
        ------
        SchemaError
            A transcript without metadata (named), missing ids.
        DuplicateIdError
            Repeated excerpt ids (line numbers given).

        Examples
        --------
        >>> import tempfile, pathlib
        >>> d = pathlib.Path(tempfile.mkdtemp())
        >>> _ = (d / "Huddinge_samordnare_R07.txt").write_text(
        ...     "I: Hur fungerar samverkan?\\nIP: Vi träffas varje månad.\\nDet har blivit bättre.", encoding="utf-8")
        >>> ex = read_excerpts(d)
        >>> ex[["excerpt_id", "forbund", "roll", "tur", "text"]].to_dict("records")
        [{{'excerpt_id': 'Huddinge_samordnare_R07-t002', 'forbund': 'Huddinge', 'roll': 'samordnare', 'tur': 2, 'text': 'Vi träffas varje månad. Det har blivit bättre.'}}]
        >>> print(ex.attrs["exclusions"].describe())
        1 exkluderad: intervjuarens repliker (include_interviewer=False) i kolumnen 'talare'
    """
    ex = Exclusions()
    if not isinstance(source, pd.DataFrame) and Path(source).is_dir():
        df = _read_folder(
            Path(source),
            metadata=metadata,
            name_pattern=name_pattern,
            include_interviewer=include_interviewer,
            interviewer_labels=interviewer_labels,
            kalla=kalla,
            ex=ex,
        )
    else:
        df = _read_table_excerpts(source, text_col=text_col, metadata=metadata, id_col=id_col, **read_kwargs)
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
    return df


def _read_table_excerpts(source: Any, *, text_col: str, metadata: Any, id_col: str, **read_kwargs: Any) -> pd.DataFrame:
    df = read_table(source, **read_kwargs)
    ex = df.attrs["exclusions"]
    label = source_label(df)
    require_columns(df, [text_col], hint="Ange text_col= med namnet på textkolumnen.")
    if text_col != "text":
        if "text" in df.columns:
            raise SchemaError(f"{label} har både 'text' och '{text_col}'; byt namn på den ena.")
        df = df.rename(columns={text_col: "text"})
    texts = df["text"]
    empty = (texts.isna() | texts.astype(str).str.strip().eq("")).to_numpy()
    if empty.any():
        ex.add("tom text", int(empty.sum()), rows=file_rows(df, np.flatnonzero(empty)[:10]), column="text")
    # Keep file line numbers valid after dropping: record the dropped lines as skipped.
    attrs = dict(df.attrs)
    kept = np.flatnonzero(~empty)
    lines_kept = file_rows(df, kept)
    df = df.loc[~empty].reset_index(drop=True)
    df["text"] = df["text"].astype(str).str.strip()
    df.attrs = attrs
    if id_col in df.columns:
        ids = df[id_col]
        miss = ids.isna().to_numpy()
        if miss.any():
            raise SchemaError(
                f"{label} saknar id i kolumnen '{id_col}' på {_n_rows(miss)} "
                f"({_rows_lines(lines_kept, miss)}). Fyll i id eller ta bort kolumnen så skapas id automatiskt."
            )
        dup = ids.duplicated(keep=False).to_numpy()
        if dup.any():
            raise DuplicateIdError(
                f"{label} har {int(dup.sum())} utdrag med samma id i '{id_col}' ({_rows_lines(lines_kept, dup)}). "
                "Varje utdrag ska ha ett eget id: rätta dubbletterna eller ta bort kolumnen så skapas id automatiskt."
            )
        df = df.rename(columns={id_col: "excerpt_id"})
        df["excerpt_id"] = df["excerpt_id"].astype(str)
    else:
        df.insert(0, "excerpt_id", _stable_ids(df["text"], "E"))
        ex.add("excerpt_id saknades och skapades från texten", len(df), column="excerpt_id", action="skapad")
    if "fil" not in df.columns and attrs.get("source") not in (None, "<DataFrame>"):
        df["fil"] = attrs["source"]
    if metadata is not None:
        meta = read_table(metadata)
        require_columns(meta, ["respondent_id"], hint="Metadata till en tabell kopplas på 'respondent_id'.")
        require_columns(df, ["respondent_id"], hint="Metadata till en tabell kopplas på 'respondent_id'.")
        extra = [c for c in meta.columns if c == "respondent_id" or c not in df.columns]
        df = df.merge(
            meta[extra].drop_duplicates("respondent_id"), on="respondent_id", how="left", validate="many_to_one"
        )
        df.attrs = attrs
    return df


def _rows_lines(lines: Sequence[int], mask: Any, first: int = 5) -> str:
    pos = np.flatnonzero(np.asarray(mask))
    shown = ", ".join(str(lines[p]) for p in pos[:first])
    return f"rad {shown}" + (f" (och {len(pos) - first} till)" if len(pos) > first else "")


read_excerpts.__doc__ = (read_excerpts.__doc__ or "").format(schema=EXCERPTS.doc())
