"""A folder of transcripts as an excerpt table: metadata, file-name patterns, ids, privacy.

Metadata (förbund, roll, respondent, datum ...) come from a sidecar table
(``metadata=``, a column ``fil``) or from the file names, but only with an
explicit pattern (``filnamn="{forbund}_{roll}_{respondent}"``); names that
do not fit are named in a warning and get no metadata. Without either, the
metadata stay empty and the notes say so.

A file name that holds a personnummer is never used: its excerpts get ids
from a hash of the file's content (``T`` + 10 hex digits), the column
``fil`` holds that id, and messages say "fil med personnummer i namnet".
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._warn import warn
from ..errors import InputFileError, SchemaError
from ..privacy.guard import FILE_MASK, holds_personnummer, safe_name
from ..results import Exclusions
from .excerpt_columns import apply_roles, finish_respondents, resolve_columns
from .schemas import KALLOR, ROLLER
from .transcripts import is_role_label, norm_label, read_lines, split_turns

__all__ = ["read_transcript_folder", "pattern_regex"]

#: Transcript formats read from a folder: plain text, Word, and the WebVTT/SRT captions Teams and Zoom save.
TRANSCRIPT_SUFFIXES = (".txt", ".docx", ".vtt", ".srt")
_FIELD_ALIASES = {"respondent_id": "respondent", "förbund": "forbund", "år": "ar", "källa": "kalla"}
ANNOTATION_NOTE = (
    "Tidsstämplar och icke-verbala anteckningar som (skratt) och [paus] är borttagna ur texten och står i "
    "kolumnen anteckningar; [ohörbart], [otydligt] och ... står kvar i texten som i utskriften."
)


def pattern_regex(pattern: str) -> re.Pattern[str]:
    """A regex for a file-name pattern such as ``"{forbund}_{roll}_{respondent}"``.

    Fields are separated by the literal text between them; the last field
    takes the rest of the name, underscores included; ``{_}`` matches a part
    that is ignored.

    Examples
    --------
    >>> pattern_regex("{forbund}_{roll}_{respondent}").match("Botkyrka_styrelse_R03").groupdict()
    {'forbund': 'Botkyrka', 'roll': 'styrelse', 'respondent': 'R03'}
    """
    parts = re.split(r"\{([\wåäöÅÄÖ]*)\}", pattern)
    if len(parts) < 3:
        raise SchemaError(
            f"Filnamnsmönstret {pattern!r} har inga fält. Skriv t.ex. filnamn='{{forbund}}_{{roll}}_{{respondent}}'."
        )
    last = len(parts) - 2
    rx, seen = [], set()
    for i, p in enumerate(parts):
        if i % 2 == 0:
            rx.append(re.escape(p))
            continue
        name = _FIELD_ALIASES.get(p, p)
        if name not in ("", "_") and not name.isidentifier():
            raise SchemaError(
                f"Filnamnsmönstret {pattern!r} har fältet {{{p}}}, som inte kan vara ett kolumnnamn. Använd "
                "bokstäver och understreck, t.ex. filnamn='{forbund}_{roll}_{respondent}'."
            )
        if name in ("", "_"):
            rx.append(".+" if i == last else "[^_]+?")
            continue
        if name in seen:
            raise SchemaError(f"Filnamnsmönstret {pattern!r} har fältet {{{p}}} två gånger.")
        seen.add(name)
        rx.append(rf"(?P<{name}>.+)" if i == last else rf"(?P<{name}>[^_]+?)")
    return re.compile(rf"^{''.join(rx)}$", re.IGNORECASE)


def _normalise_meta(meta: dict[str, Any]) -> dict[str, Any]:
    for col, known in (("roll", ROLLER), ("kalla", KALLOR)):
        v = meta.get(col)
        if isinstance(v, str):
            low = v.strip().casefold()
            meta[col] = next((k for k in known if k == low), v.strip())
    return meta


def _sidecar(metadata: Any, kolumner: Mapping[str, str | None] | None) -> tuple[dict[str, dict[str, Any]], str, str]:
    from .tables import read_table, require_columns, source_label

    meta = read_table(metadata)
    where = source_label(meta)
    key = next((c for c in meta.columns if str(c).casefold() in ("fil", "file", "filnamn", "filename", "dokument")), None)
    if key is None:
        require_columns(meta, ["fil"], hint="Metadatatabellen behöver en kolumn 'fil' med utskriftens filnamn.")
    roles = resolve_columns(
        meta.drop(columns=[key]),
        {k: v for k, v in (kolumner or {}).items() if str(k).casefold() in ("respondent", "forbund", "förbund", "roll")},
        roles=("respondent", "forbund", "roll"),
        where=where,
    )
    meta = apply_roles(meta, roles, where=where)
    lookup: dict[str, dict[str, Any]] = {}
    for rec in meta.to_dict("records"):
        k = str(rec.pop(key)).strip().casefold()
        clean = {c: v for c, v in rec.items() if not (isinstance(v, float) and np.isnan(v))}
        lookup[k] = clean
        lookup.setdefault(Path(k).stem, clean)
    return lookup, key, where


#: Words that name the document, not a förbund: "intervju_styrelse_1.txt" gives no förbund.
_GENERIC = frozenset(
    "intervju intervjuer intervjun utskrift transkript transkription samtal fokusgrupp gruppintervju fil dokument "
    "ljudfil inspelning anteckningar interview transcript".split()
)
_BACKCHANNEL = re.compile(r"^(?:mm+|m+|mhm|aha|ja+|jaha|jaså|okej|ok|precis|just det|jo|nej|visst|absolut|"
                          r"javisst|ah|ok[ej]+ då|tack|ja precis|hm+)[.!,… ]*$", re.IGNORECASE)


def _generic(forbund: Any) -> bool:
    return isinstance(forbund, str) and forbund.strip().casefold() in _GENERIC


def _backchannel(text: str) -> bool:
    return bool(_BACKCHANNEL.match(text.strip())) or (len(text.split()) <= 2 and "?" not in text)


def _anonymise_voices(turns: list[Any], interviewer: set[str]) -> tuple[list[Any], str | None]:
    """Teams/Zoom captions name speakers by their display names: keep roles, never the names.

    The interviewer is a voice named in ``interviewer`` or, when none is, the
    voice of a dialogue whose turns are mostly questions (at least half end in
    '?' against at most a quarter for every other voice). Other voices that
    are not role labels ("IP2") become "Talare 1", "Talare 2" ... in order of
    appearance. Returns the turns and how the interviewer was found.
    """
    voices = list(dict.fromkeys(t.speaker for t in turns if t.speaker))
    how = None
    if voices and not any(norm_label(v) in interviewer for v in voices) and len(voices) >= 2:
        share = {v: np.mean([t.text.rstrip().endswith("?") for t in turns if t.speaker == v]) for v in voices}
        top = max(voices, key=lambda v: share[v])
        if share[top] >= 0.5 and all(share[v] <= 0.25 for v in voices if v != top):
            interviewer = {*interviewer, norm_label(top)}
            how = "frågor"
    names: dict[str, str] = {}
    for v in voices:
        if norm_label(v) in interviewer:
            names[v] = "Intervjuare"
        elif is_role_label(v):
            names[v] = v
        else:
            names[v] = f"Talare {sum(1 for x in names.values() if x.startswith('Talare ')) + 1}"
    for t in turns:
        if t.speaker:
            t.speaker = names[t.speaker]
    return turns, how


def _file_key(path: Path) -> str:
    return "T" + hashlib.sha1(path.read_bytes()).hexdigest()[:10]


def _names(names: list[str], first: int = 5) -> str:
    more = f" och {len(names) - first} till" if len(names) > first else ""
    return ", ".join(names[:first]) + more


def read_transcript_folder(
    folder: Path,
    *,
    metadata: Any,
    filnamn: str | None,
    include_interviewer: bool,
    interviewer_labels: Iterable[str],
    talare: Iterable[str],
    kalla: str | None,
    kolumner: Mapping[str, str | None] | None,
    respondent_global: bool,
    ex: Exclusions,
    single: Path | None = None,
) -> pd.DataFrame:
    """Read every ``.txt``/``.docx``/``.vtt``/``.srt`` transcript in ``folder``, or only ``single`` (see :func:`~finsam_eval.io.read_excerpts`)."""
    folder_label = safe_name(folder.resolve().name or str(folder))
    if single is not None:
        visible = [single]
    else:
        visible = [p for p in folder.iterdir() if p.is_file() and not p.name.startswith(("~$", "."))]
    files = sorted(p for p in visible if p.suffix.lower() in TRANSCRIPT_SUFFIXES)
    other = sorted(safe_name(p.name) for p in visible if p.suffix.lower() in (".doc", ".rtf", ".odt", ".pdf"))
    if other:
        ex.add(f"utskrift i ett format som inte läses (spara som .docx eller .txt): {_names(other)}", len(other),
               column="fil")
    if not files:
        there = sorted(safe_name(p.name) for p in folder.iterdir())[:10]
        raise InputFileError(
            f"Mappen {folder_label!r} innehåller inga utskrifter (.txt, .docx, .vtt eller .srt). "
            f"Det som finns: {', '.join(repr(t) for t in there) or 'ingenting'}. Spara intervjuerna som .docx eller .txt."
        )
    notes: list[str] = []
    private = [p for p in files if holds_personnummer(p.name)]
    key_of = {p: (_file_key(p) if p in private else p.stem) for p in files}
    seen: dict[str, int] = {}
    for p in files:  # two files with the same content (copies) still get two keys
        k = key_of[p]
        seen[k] = seen.get(k, 0) + 1
        if seen[k] > 1:
            key_of[p] = f"{k}-{seen[k]}"
    shown_of = {p: (key_of[p] + p.suffix.lower() if p in private else p.name) for p in files}
    if private:
        notes.append(
            f"{len(private)} filnamn innehöll personnummer; namnen används inte, filerna heter "
            "T + ett kontrollvärde av innehållet i kolumnerna fil och excerpt_id."
        )

    meta_of: dict[Path, dict[str, Any]] = {p: {} for p in files}
    if metadata is not None:
        lookup, key, where = _sidecar(metadata, kolumner)
        missing = []
        for p in files:
            rec = lookup.get(p.name.casefold()) or lookup.get(p.stem.casefold())
            if rec is None:
                missing.append(safe_name(p.name))
            else:
                meta_of[p] = dict(rec)
        if missing:
            raise SchemaError(
                f"Utskrifter utan metadata i mappen {folder_label!r}: {', '.join(repr(m) for m in missing[:10])}"
                + (f" (och {len(missing) - 10} till)" if len(missing) > 10 else "")
                + f". Lägg till en rad per utskrift i metadatatabellen ({where}, kolumnen '{key}')."
            )
        notes.append(f"Metadata om utskrifterna kommer från {where}.")
    elif filnamn is not None:
        rx = pattern_regex(filnamn)
        unfit = []
        for p in files:
            m = rx.match(p.stem)
            rec = {k: v.replace("-", " ") if k == "forbund" else v for k, v in m.groupdict().items()} if m else {}
            if m is None or _generic(rec.get("forbund")):
                unfit.append(shown_of[p])
                continue
            meta_of[p] = {k: v for k, v in rec.items() if not holds_personnummer(v)}
        if unfit:
            warn(
                f"{len(unfit)} {'utskrift' if len(unfit) == 1 else 'utskrifter'} i mappen {folder_label!r} följer "
                f"inte filnamnsmönstret {filnamn!r} och får "
                f"ingen metadata ur namnet (ett förbund som 'intervju' räknas inte): {_names(unfit)}. Döp om filerna "
                "eller ge metadata= (CLI: --metadata).",
                UserWarning,
                stacklevel=4,
            )
            notes.append(f"{len(unfit)} filnamn följde inte mönstret {filnamn!r} och gav ingen metadata.")
        fitting = [shown_of[p] for p in files if shown_of[p] not in unfit]
        notes.append("Förbund, roll och respondent är tolkade ur filnamnen"
                     + (f" (till exempel {fitting[0]})." if fitting else "."))
    else:
        notes.append(
            "Filnamnen tolkades inte (inget filnamnsmönster och ingen metadatatabell angavs), så förbund och roll "
            "saknas. Ange filnamn='{forbund}_{roll}_{respondent}' (CLI: --filnamn) eller metadata=."
        )

    interviewer = {norm_label(x) for x in interviewer_labels}
    talare = [*talare, *interviewer_labels]  # an interviewer named by the user is a speaker from the first line
    rows: list[dict[str, Any]] = []
    n_interviewer, n_skipped, empty_files = 0, 0, []
    by_file_respondent = False
    interviewer.add(norm_label("Intervjuare"))  # the role name caption voices are renamed to
    n_cue_files, n_guessed = 0, 0
    for p in files:
        fil = shown_of[p]
        turns, skipped = split_turns(read_lines(p, name=safe_name(p.name)), talare=talare)
        if p.suffix.lower() in (".vtt", ".srt"):
            turns, how = _anonymise_voices(turns, interviewer)
            n_cue_files += 1
            n_guessed += how is not None
        if skipped:
            n_skipped += len(skipped)
            reasons = sorted({s.reason for s in skipped})
            ex.add(
                f"inte utdrag ({', '.join(reasons)}) i {fil}", len(skipped), rows=[s.no for s in skipped],
                column="text", action="överhoppad",
            )
        if not turns:
            empty_files.append(fil)
            continue
        meta = _normalise_meta(dict(meta_of[p]))
        if "respondent" in meta:
            meta["respondent_id"] = meta.pop("respondent")
        speakers = {norm_label(t.speaker) for t in turns if t.speaker and norm_label(t.speaker) not in interviewer}
        question = None
        for tur, t in enumerate(turns, start=1):
            is_int = t.speaker is not None and norm_label(t.speaker) in interviewer
            if is_int:
                if not _backchannel(t.text):  # "Mm.", "Okej." do not replace the question
                    question = t.text
                if not include_interviewer:
                    n_interviewer += 1
                    continue
            resp = meta.get("respondent_id")
            if resp is None or (isinstance(resp, str) and not resp.strip()):
                by_file_respondent = True
                resp = key_of[p] if len(speakers) <= 1 or t.speaker is None else f"{key_of[p]}:{t.speaker}"
            if is_int:
                resp = pd.NA  # the interviewer is no respondent
            rows.append({
                **{k: v for k, v in meta.items() if k != "respondent_id"},
                "excerpt_id": f"{key_of[p]}-t{tur:03d}",
                "text": t.text,
                "respondent_id": resp,
                "fraga": None if is_int else question,
                "fil": fil,
                "tur": tur,
                "rad": t.first_line,
                "talare": t.speaker,
                "anteckningar": "; ".join(t.annotations) if t.annotations else None,
            })
    if n_cue_files:
        notes.append(
            f"{n_cue_files} {'utskrift' if n_cue_files == 1 else 'utskrifter'} i WebVTT/SRT (Teams, Zoom): talarnas "
            "visningsnamn används inte; intervjuaren heter Intervjuare och övriga Talare 1, 2 ... i varje fil."
            + (f" I {n_guessed} av dem var intervjuaren inte angiven och togs som den talare vars repliker till "
               "största delen är frågor." if n_guessed else "")
        )
    ex.add("intervjuarens repliker (räknas inte som utdrag)", n_interviewer, column="talare")
    if empty_files:
        ex.add(f"tom utskrift: {_names(empty_files)}", len(empty_files), column="fil")
    if not rows:
        raise InputFileError(
            f"Mappen {folder_label!r} gav inga utdrag (utskrifterna är tomma eller har bara intervjuarens repliker)."
        )
    df = pd.DataFrame(rows)
    if kalla is not None:
        df["kalla"] = df["kalla"].fillna(kalla) if "kalla" in df.columns else kalla
    if n_skipped:
        notes.append(
            f"{n_skipped} {'rad' if n_skipped == 1 else 'rader'} med rubrik, datum eller sidnummer räknades inte "
            "som utdrag (se exkluderingarna)."
        )
    if df["fraga"].notna().any():
        notes.append(
            "Varje svar har intervjuarens föregående fråga i kolumnen fraga (korta medhåll som 'Mm.' räknas inte "
            "som fråga)."
        )
    if df["anteckningar"].notna().any():
        notes.append(ANNOTATION_NOTE)
    if by_file_respondent:
        notes.append(
            "Respondent = utskriftsfilen (en intervju, en person); i filer med flera talare (fokusgrupper) räknas "
            "varje talaretikett i filen som en person."
        )
    interviewer_rows = df["talare"].map(lambda s: s is not None and norm_label(str(s)) in interviewer).to_numpy()
    body = finish_respondents(
        df.loc[~interviewer_rows], has_column=True, ex=ex, notes=notes, respondent_global=respondent_global,
        scope="förbund (och fil när respondenten är en talaretikett)",
    )
    df.loc[~interviewer_rows, "respondent_id"] = body["respondent_id"]
    df.attrs = {
        **body.attrs,
        "source": shown_of[single] if single is not None else folder_label,
        "exclusions": ex,
        "notes": notes,
        "private_file_names": len(private),
        "file_mask": FILE_MASK,
    }
    return df
