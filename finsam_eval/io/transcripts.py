"""Transcripts (``.txt``, ``.docx``) as speaker turns: labels, headings, questions, annotations.

How a transcript becomes turns
------------------------------
- **Speaker labels** at the start of a line (an optional time stamp such as
  ``[00:12:31]`` before them is skipped). A label is a speaker if it is

  * a known interviewer label: ``I:``, ``I2:``, ``Int:``, ``Intervjuare:``,
    ``Moderator:``, ``F:``, ``Fråga:``, ``Utvärderare:`` (see
    :data:`INTERVIEWER_LABELS`);
  * a known respondent label: ``IP:``, ``R:``, ``R1:``, ``Respondent:``,
    ``Respondent 2:``, ``Deltagare 3:``, ``Informant:``, ``Intervjuperson:``,
    ``D1:``, ``B2:``, ``P4:``, ``S:``, ``Svar:``;
  * a label in brackets (``[Förbundschef]:``) or a name the user gives
    (``talare=["Anna", "Ola"]``);
  * a name of one or two capitalised words (``Anna:``, ``Anna S:``) that
    starts at least two lines of the same file, in a file whose labelled
    lines alternate between speakers (a dialogue). A capitalised word with a
    colon that occurs once, or that repeats without any dialogue around it
    (``Samverkansresurs: 2,5 mnkr`` in text copied from a PDF report), or
    heads less than half of the lines of a file without any known label, or
    reads as a report heading (:data:`NOT_SPEAKERS`), is text.

- **Not excerpts** (recorded as skipped, with the file line or the Word
  paragraph number): Word paragraphs with a Heading/Rubrik/Title style,
  section lines (``TEMA 2 SAMVERKAN``, ``Del 3 – Resultat``, ``## Bakgrund``); date
  and metadata lines (``Intervju 2024-03-12``, ``Datum: 12 mars``,
  ``Plats: ...``, ``Transkriberad av: ...``); page numbers (``Sida 3 av 7``,
  ``- 4 -``); short lines without a speaker in front of the first turn (a
  title such as ``Intervju med styrelseledamot``); other text before the
  first turn (a preamble written by the interviewer).
- **Annotations:** time stamps anywhere in a line are removed from the text.
  Non-verbal annotations in brackets or parentheses (``(skratt)``,
  ``[paus]``, ``(suckar)``, ``[telefonen ringer]``) are taken **out** of the
  text and listed in the column ``anteckningar``, so that coding is not
  triggered by them. Gap markers (``[ohörbart]``, ``[otydligt]``) and
  ``...``/``…`` stay **in** the text as written: they show that something is
  missing from the quote. Anonymisation placeholders such as ``[namn]`` or
  ``[kommunen]`` are text.
- **Questions:** each answer keeps the text of the interviewer's preceding
  turn in ``fraga``.

Word tables (NVivo-style exports: ``talare | text``, or ``tid | talare |
text``) give one turn per row; a header row (``Talare | Text``) is skipped.
"""

from __future__ import annotations

import codecs
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputFileError, MissingDependencyError

__all__ = [
    "INTERVIEWER_LABELS",
    "NOT_SPEAKERS",
    "Line",
    "Turn",
    "Skipped",
    "read_lines",
    "split_turns",
    "parse_transcript",
]

#: Speaker labels that mark the interviewer (compared case-insensitively, spaces ignored).
INTERVIEWER_LABELS: tuple[str, ...] = (
    "i",
    "i1",
    "i2",
    "int",
    "intervjuare",
    "intervjuare1",
    "intervjuare2",
    "intervjuaren",
    "interviewer",
    "moderator",
    "mod",
    "f",
    "fråga",
    "utvärderare",
)
#: Capitalised words that head lines in reports and forms; never taken for a speaker's name.
NOT_SPEAKERS: frozenset[str] = frozenset(
    """
    aktivitet aktiviteter ansvarig bakgrund bilaga budget datum deltagare diskussion exempel figur finansiering
    frågor källa kommentar kommentarer kontakt kostnad kostnader mål målgrupp målsättning metod not notering obs
    ort period plats resultat sammanfattning samverkansresurs samverkansresurser slutsats status syfte tabell
    tema tid uppdrag utfall varaktighet ämne ärende insats insatser beslut åtgärd åtgärder förslag svar fråga
    """.split()
)

_STAMP_CORE = r"\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d+)?"
_STAMP = rf"(?:[\[(]?{_STAMP_CORE}[\])]?\s*[-–]?\s*)?"
_STAMP_ANY = re.compile(rf"[\[(]{_STAMP_CORE}[\])]\s*|^\s*{_STAMP_CORE}\s*[-–]?\s*")
_INTERVIEWER_KW = r"I\s?\d?|Int|Intervjuaren?(?:\s?\d)?|Interviewer|Moderator|Mod|F|Fråga|Utvärderare"
_RESPONDENT_KW = (
    r"IP\s?\d{0,3}|R\s?\d{0,3}|Respondent(?:\s?\d{1,3})?|Deltagare(?:\s?\d{1,3})?|Informant(?:\s?\d{1,3})?"
    r"|Intervjuperson(?:\s?\d{1,3})?|[DBP]\d{1,3}|S|Svar"
)
_NAME = r"[A-ZÅÄÖÉ][a-zåäöéü]+(?:[ -][A-ZÅÄÖÉ][a-zåäöéü]*\.?)?"
_LABEL = re.compile(
    rf"^\s*{_STAMP}(?:\[(?P<br>[^\]\n\d:]{{1,40}})\]|(?P<kw>(?i:{_INTERVIEWER_KW}|{_RESPONDENT_KW}))|(?P<name>{_NAME}))"
    r"\s*:(?:\s+|$)(?P<rest>.*)$"
)
_MONTHS = r"jan(?:uari)?|feb(?:ruari)?|mars?|apr(?:il)?|maj|juni?|juli?|aug(?:usti)?|sep(?:tember)?|okt(?:ober)?|nov(?:ember)?|dec(?:ember)?"
_DATE = rf"(?:\d{{4}}-\d{{1,2}}-\d{{1,2}}|\d{{1,2}}/\d{{1,2}}(?:\s?\d{{2,4}})?|\d{{1,2}}\s+(?:{_MONTHS})\.?\s+\d{{4}}|\d{{6}}(?!\d))"
_DATE_LINE = re.compile(
    rf"^\s*(?:(?:intervju|samtal|fokusgrupp|gruppintervju|transkription|utskrift|möte)\b[^.?!]{{0,60}}{_DATE}"
    rf"[^.?!]{{0,40}}|{_DATE}(?:\s*,?\s*(?:kl\.?\s*)?\d{{1,2}}[.:]\d{{2}})?|(?:mån|tis|ons|tors|fre|lör|sön)dag(?:en)?\s+{_DATE})\s*$",
    re.IGNORECASE,
)
_META_LINE = re.compile(
    r"^\s*(?:datum|date|tid|plats|ort|längd|varaktighet|transkriberad av|transkribent|transkriberat av|ljudfil|"
    r"inspelning|intervju-?id|intervjudatum|närvarande)\s*:",
    re.IGNORECASE,
)
_PAGE_LINE = re.compile(r"^\s*(?:(?:sida|sid\.|s\.|page)\s*\d{1,3}(?:\s*(?:av|/|of)\s*\d{1,3})?|[-–]\s*\d{1,3}\s*[-–]|\d{1,3}\s*/\s*\d{1,3}|\d{1,3})\s*$", re.IGNORECASE)
_SECTION_LINE = re.compile(r"^\s*(?:#{1,6}\s+\S|(?:del|tema|avsnitt|block|frågeområde|område)\s+\d{1,2}\b[^.?!]{0,60}$)",
                           re.IGNORECASE)
_NONVERBAL = (
    r"skratt|skrattar(?: till)?|skrattar lite|ler|paus|lång paus|kort paus|tystnad|suck|suckar|harklar sig|hostar|"
    r"avbrott|avbryts|avbryter|telefon(?:en)? ringer|knackning|knackar|störning|gråter|fnissar|mumlar|mummel|"
    r"applåd|applåder|bläddrar|prasslar|ohörbart skratt|skratt i rummet|båda skrattar|alla skrattar"
)
_ANNOTATION = re.compile(rf"\s*[\[(]\s*(?:{_NONVERBAL})\s*[\])]", re.IGNORECASE)
_TABLE_HEADER = {"talare", "speaker", "person", "namn", "vem", "tid", "time", "tidskod", "text", "innehåll",
                 "transkription", "utskrift", "yttrande", "replik"}
_END_PUNCT = re.compile(r"[.?!…:;]\s*[\"'”’)]*\s*$")


@dataclass
class Line:
    """One line of a transcript: its number in the file (or Word paragraph), text, style and table speaker."""

    no: int
    text: str
    heading: bool = False
    speaker: str | None = None  # from a Word table row
    table: bool = False


@dataclass
class Turn:
    """One speaker turn: label (None without labels), text, first line, non-verbal annotations."""

    speaker: str | None
    first_line: int
    parts: list[str] = field(default_factory=list)
    annotations: list[str] = field(default_factory=list)
    lines: list[int] = field(default_factory=list, repr=False)  # every line number of the turn

    @property
    def text(self) -> str:
        return " ".join(x.strip() for x in self.parts if x.strip())


@dataclass
class Skipped:
    """A line that is not an excerpt (heading, date, page number, preamble)."""

    no: int
    reason: str


# --------------------------------------------------------------------------- reading files
def _decode_text(raw: bytes, name: str) -> str:
    """UTF-8 (with or without BOM), UTF-16 (with or without BOM), else cp1252 (old Windows Notepad)."""
    for magic, what in ((b"%PDF", "en PDF-fil"), (b"{\\rtf", "en RTF-fil"), (b"PK\x03\x04", "en Word- eller zip-fil")):
        if raw.startswith(magic):
            raise InputFileError(
                f"Filen {name!r} heter .txt men är {what}. Öppna den i Word och spara som .docx eller "
                "som oformaterad text (.txt)."
            )
    if raw.startswith(codecs.BOM_UTF8):
        return raw[3:].decode("utf-8", errors="replace")
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return raw.decode("utf-16").lstrip("\ufeff")
    head = raw[:4096]
    if head and b"\x00" in head:
        even, odd = head[0::2].count(0), head[1::2].count(0)
        half = len(head) / 2
        if odd > 0.3 * half and even < 0.05 * half:
            return raw.decode("utf-16-le", errors="replace")
        if even > 0.3 * half and odd < 0.05 * half:
            return raw.decode("utf-16-be", errors="replace")
        raise InputFileError(
            f"Filen {name!r} är ingen textfil (binära data). Spara utskriften som .txt eller .docx."
        )
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def _lines_txt(path: Path, name: str) -> list[Line]:
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise InputFileError(f"Filen {name!r} kunde inte läsas ({type(e).__name__}).") from None
    text = _decode_text(raw, name)
    return [Line(i, ln.replace("\u00a0", " ")) for i, ln in enumerate(text.splitlines(), start=1)]


def _is_heading_style(paragraph: object) -> bool:
    try:
        style = paragraph.style  # type: ignore[attr-defined]
        names = []
        while style is not None and len(names) < 5:
            names.append(str(style.name or "").casefold())
            style = style.base_style
    except (AttributeError, KeyError, ValueError):
        return False
    return any(n.startswith(("heading", "rubrik", "title", "rubrik", "subtitle", "underrubrik")) for n in names)


def _lines_docx(path: Path, name: str) -> list[Line]:
    import zipfile

    try:
        import docx
        from docx.opc.exceptions import PackageNotFoundError
        from docx.table import Table
        from docx.text.paragraph import Paragraph
    except ImportError:  # pragma: no cover - python-docx is a dependency
        raise MissingDependencyError("Word-utskrifter kräver paketet python-docx: pip install python-docx") from None
    try:
        document = docx.Document(str(path))
    except (zipfile.BadZipFile, PackageNotFoundError, KeyError, ValueError, OSError) as e:
        raise InputFileError(
            f"Filen {name!r} kunde inte öppnas som Word-fil; den verkar avkortad eller skadad ({type(e).__name__}). "
            "Öppna den i Word och spara den på nytt som .docx."
        ) from None
    out: list[Line] = []
    no = 0  # paragraph number as Word counts them (table rows count one each)
    for child in document.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            no += 1
            par = Paragraph(child, document)
            heading = _is_heading_style(par)
            for ln in par.text.replace("\u00a0", " ").split("\n"):
                out.append(Line(no, ln, heading=heading))
            out.append(Line(no, ""))  # a paragraph ends a block
        elif tag == "tbl":
            for row in Table(child, document).rows:
                no += 1
                cells: list[str] = []
                for c in row.cells:  # merged cells repeat: keep each once
                    t = c.text.strip()
                    if not cells or t != cells[-1]:
                        cells.append(t)
                while cells and _STAMP_ANY.fullmatch(cells[0] + " ") is not None or (cells and not cells[0]):
                    cells = cells[1:]  # a time-code column or an empty first cell
                cells = [c for c in cells if c]
                if not cells:
                    continue
                if all(c.casefold().rstrip(":") in _TABLE_HEADER for c in cells):
                    out.append(Line(no, " | ".join(cells), heading=True, table=True))  # "Tid | Talare | Text"
                    continue
                if len(cells) >= 2 and len(cells[0]) <= 40 and "\n" not in cells[0]:
                    spk = cells[0].rstrip(":").strip()
                    text = " ".join(cells[1:])
                    out.append(Line(no, text.replace("\n", " "), speaker=spk, table=True))
                else:
                    out.append(Line(no, " ".join(cells).replace("\n", " "), table=True))
            out.append(Line(no, ""))
    return out


# WebVTT (Teams, Zoom, Webex) and SubRip (.srt) cue timings; "00:01:02.500 --> ..." or "00:01:02,500 --> ...".
_CUE_TIME = re.compile(r"^\s*((?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3})\s*-->\s*((?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3})")
_VOICE = re.compile(r"<v(?:\.[^\s>]*)?\s+([^>]+)>")
_TAG = re.compile(r"</?[A-Za-z][^>]*>|<\d[^>]*>")
#: A pause longer than this between two unvoiced cues starts a new paragraph.
CUE_PAUSE_SECONDS = 2.0


def _seconds(stamp: str) -> float:
    parts = stamp.replace(",", ".").split(":")
    return sum(float(x) * 60**i for i, x in enumerate(reversed(parts)))


def _lines_cues(path: Path, name: str) -> list[Line]:
    """Cue text of a WebVTT or SRT file: the voice tag (``<v Anna>``) is the speaker, file lines kept.

    Cue numbers, timings, the WEBVTT header and NOTE/STYLE/REGION blocks are
    not text. Cues of one voice join into one turn in :func:`split_turns`;
    unvoiced cues join into paragraphs broken at pauses longer than
    :data:`CUE_PAUSE_SECONDS` (captions cut speech every few seconds).
    """
    import html

    try:
        raw = path.read_bytes()
    except OSError as e:
        raise InputFileError(f"Filen {name!r} kunde inte läsas ({type(e).__name__}).") from None
    text = _decode_text(raw, name)
    out: list[Line] = []
    in_cue, voice, prev_end, n_cues = False, None, None, 0
    for no, ln in enumerate(text.splitlines(), start=1):
        ln = ln.replace("\u00a0", " ")
        m = _CUE_TIME.match(ln)
        if m:
            start, end = _seconds(m.group(1)), _seconds(m.group(2))
            if prev_end is not None and start - prev_end > CUE_PAUSE_SECONDS:
                out.append(Line(no, ""))
            prev_end, in_cue, voice, n_cues = end, True, None, n_cues + 1
            continue
        if not ln.strip():
            in_cue = False
            continue
        if not in_cue:
            continue  # header, cue number, NOTE/STYLE blocks
        v = _VOICE.search(ln)
        if v:
            voice = v.group(1).strip()
        body = html.unescape(_TAG.sub("", ln)).strip()
        if body:
            out.append(Line(no, body, speaker=voice))
    if n_cues == 0:
        raise InputFileError(
            f"Filen {name!r} har inga tidskodade repliker ('00:00:01.000 --> 00:00:04.000'), så den är ingen "
            "WebVTT- eller SRT-utskrift. Spara utskriften som .txt eller .docx."
        )
    return out


def read_lines(path: str | Path, *, name: str | None = None) -> list[Line]:
    """The lines of a ``.txt``, ``.docx``, ``.vtt`` or ``.srt`` transcript with their numbers.

    ``.txt``: file lines (1 = first line), UTF-8, UTF-16 or cp1252. ``.docx``:
    Word paragraph numbers (a table row counts as one paragraph), with the
    heading style of each paragraph and the speaker of table rows. ``.vtt``
    (Teams, Zoom, Webex) and ``.srt``: the file lines of the cue text, the
    voice tag as speaker.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "a.txt"
    >>> _ = p.write_bytes("I: Hej\\nIP: Hallå".encode("utf-16"))
    >>> [(ln.no, ln.text) for ln in read_lines(p)]
    [(1, 'I: Hej'), (2, 'IP: Hallå')]
    """
    path = Path(path)
    name = name or path.name
    suffix = path.suffix.lower()
    if suffix == ".docx":
        return _lines_docx(path, name)
    if suffix in (".vtt", ".srt"):
        return _lines_cues(path, name)
    return _lines_txt(path, name)


# --------------------------------------------------------------------------- turns
def is_role_label(label: str) -> bool:
    """True for a speaker label that names a role, not a person ("IP2", "Respondent 3", "Intervjuare").

    Examples
    --------
    >>> is_role_label("IP 2"), is_role_label("Deltagare 3"), is_role_label("Anna Svensson")
    (True, True, False)
    """
    return re.fullmatch(rf"(?i:{_RESPONDENT_KW}|{_INTERVIEWER_KW})", label.strip()) is not None


def norm_label(label: str) -> str:
    """A label compared case- and space-insensitively."""
    return re.sub(r"\s+", "", label).casefold()


def _clean(text: str) -> tuple[str, list[str]]:
    """Text without time stamps and non-verbal annotations (returned separately)."""
    text = _STAMP_ANY.sub(" ", text)
    notes = [m.group(0).strip() for m in _ANNOTATION.finditer(text)]
    text = _ANNOTATION.sub("", text)
    return re.sub(r"[ \t]+", " ", text).strip(), notes


def _skip_reason(line: Line) -> str | None:
    t = line.text.strip()
    if line.heading:
        return "rubrik (tabellhuvud)" if line.table else "rubrik (formatmall i Word)"
    if _PAGE_LINE.match(t):
        return "sidnummer"
    if _META_LINE.match(t):
        return "datum- eller uppgiftsrad"
    if _DATE_LINE.match(t):
        return "datumrad"
    if _SECTION_LINE.match(t) or (
        t.isupper() and sum(c.isalpha() for c in t) >= 4 and not _END_PUNCT.search(t) and not _LABEL.match(t)
    ):
        return "rubrik"
    return None


def _looks_like_title(text: str) -> bool:
    t = text.strip()
    return 0 < len(t) <= 80 and len(t.split()) <= 10 and not _END_PUNCT.search(t)


def _accepted_labels(lines: Sequence[Line], matches: Sequence[re.Match[str] | None], talare: set[str]) -> set[str]:
    """Normalised labels that mark speakers in this file (see the module docstring)."""
    accepted: set[str] = set()
    names: Counter[str] = Counter()
    seq: list[tuple[str, bool]] = []  # labelled lines in order: (label, is_name_candidate)
    for ln, m in zip(lines, matches):
        if ln.speaker:
            accepted.add(norm_label(ln.speaker))
            seq.append((norm_label(ln.speaker), False))
        elif m is not None:
            if m.group("br") or m.group("kw"):
                lab = norm_label(m.group("br") or m.group("kw"))
                accepted.add(lab)
                seq.append((lab, False))
            else:
                lab = norm_label(m.group("name"))
                if lab in talare:
                    accepted.add(lab)
                    seq.append((lab, False))
                else:
                    names[lab] += 1
                    seq.append((lab, True))
    candidates = {
        n
        for n, k in names.items()
        if k >= 2
        and all(len(w) <= 12 for w in re.split(r"[ -]", n))
        and re.split(r"[ -]", n)[0].rstrip(".") not in NOT_SPEAKERS
    }
    if candidates:
        labelled = [lab for lab, cand in seq if not cand or lab in candidates]
        switches = sum(a != b for a, b in zip(labelled, labelled[1:]))
        dialogue = len(set(labelled)) >= 2 and switches >= 0.5 * (len(labelled) - 1)
        # Without any known label, names must carry the file: most lines start with one (not a report
        # copied from a PDF where "Insatsledare: ..." heads a few of many wrapped lines).
        n_text = sum(1 for ln in lines if ln.text.strip())
        carries = bool(accepted) or len(labelled) >= 0.5 * n_text
        if dialogue and carries:
            accepted |= candidates
    return accepted


def split_turns(
    lines: Sequence[Line], *, talare: Iterable[str] = ()
) -> tuple[list[Turn], list[Skipped]]:
    """Turns of one transcript and the lines that are not excerpts.

    Parameters
    ----------
    lines
        From :func:`read_lines`.
    talare
        Extra speaker names to recognise (``Anna``, ``Förbundschefen``).

    Returns
    -------
    (turns, skipped)
        Consecutive lines of one speaker are one turn; without any speaker
        labels each paragraph is a turn with speaker None.

    Examples
    --------
    >>> lines = [Line(i, t) for i, t in enumerate(
    ...     ["Intervju 2024-03-12", "", "I: Hur började det? (skratt)", "IP: Vi hade ett möte.", "Sedan ett till."], 1)]
    >>> turns, skipped = split_turns(lines)
    >>> [(t.speaker, t.text, t.annotations) for t in turns]
    [('I', 'Hur började det?', ['(skratt)']), ('IP', 'Vi hade ett möte. Sedan ett till.', [])]
    >>> skipped
    [Skipped(no=1, reason='datumrad')]
    """
    names = {norm_label(t) for t in talare}
    skipped: list[Skipped] = []
    kept: list[Line] = []
    for ln in lines:
        if not ln.text.strip():
            kept.append(ln)
            continue
        reason = _skip_reason(ln)
        if reason:
            skipped.append(Skipped(ln.no, reason))
        elif _STAMP_ANY.sub("", ln.text).strip() == "":
            continue  # a time stamp alone on its line
        else:
            kept.append(ln)
    matches = [None if (ln.speaker or not ln.text.strip()) else _LABEL.match(ln.text) for ln in kept]
    accepted = _accepted_labels(kept, matches, names)

    def label_of(ln: Line, m: re.Match[str] | None) -> tuple[str | None, str]:
        if ln.speaker:
            return ln.speaker, ln.text
        if m is not None:
            lab = (m.group("br") or m.group("kw") or m.group("name")).strip()
            if norm_label(lab) in accepted:
                return lab, m.group("rest")
        return None, ln.text

    labelled = [label_of(ln, m) for ln, m in zip(kept, matches)]
    turns: list[Turn] = []
    if not accepted:  # paragraphs
        cur: Turn | None = None
        for ln, (_, text) in zip(kept, labelled):
            if not text.strip():
                cur = None
                continue
            if cur is None:
                cur = Turn(None, ln.no)
                turns.append(cur)
            cur.parts.append(text)
            cur.lines.append(ln.no)
        out = []
        for t in turns:
            if not out and all(_looks_like_title(p) for p in t.parts):
                skipped += [Skipped(no, "rubrik eller titel") for no in t.lines]
                continue
            out.append(t)
        turns = out
    else:
        started = False
        for ln, (lab, text) in zip(kept, labelled):
            if not ln.text.strip():
                continue
            if lab is not None:
                started = True
                if turns and turns[-1].speaker is not None and norm_label(turns[-1].speaker) == norm_label(lab):
                    turns[-1].parts.append(text)
                else:
                    turns.append(Turn(lab, ln.no, [text]))
            elif not started:
                why = "rubrik eller titel" if _looks_like_title(text) else "text före första repliken (ingen talare)"
                skipped.append(Skipped(ln.no, why))
            else:
                turns[-1].parts.append(text)
    for t in turns:
        clean, notes = _clean(" ".join(t.parts))
        t.parts, t.annotations = [clean], notes
    skipped.sort(key=lambda s: s.no)
    return [t for t in turns if t.text], skipped


def parse_transcript(blocks: Sequence[Sequence[str]] | str, *, talare: Iterable[str] = ()) -> list[tuple[str | None, str]]:
    """Split a transcript into speaker turns ``(label, text)``.

    Parameters
    ----------
    blocks
        The text, or paragraphs as lists of lines.
    talare
        Extra speaker names to recognise.

    Returns
    -------
    list of (label or None, text)
        One entry per turn, consecutive lines of one speaker merged; without
        any speaker labels one entry per paragraph, with label ``None``.
        Headings, date lines and page numbers are left out.

    Examples
    --------
    >>> parse_transcript("I: Hur började det?\\nIP: Vi hade ett möte.\\nSedan en till.\\nIP: Och så vidare.")
    [('I', 'Hur började det?'), ('IP', 'Vi hade ett möte. Sedan en till. Och så vidare.')]
    >>> parse_transcript("Första stycket.\\n\\nAndra stycket\\npå två rader.")
    [(None, 'Första stycket.'), (None, 'Andra stycket på två rader.')]
    """
    if isinstance(blocks, str):
        raw = blocks.splitlines()
    else:
        raw = []
        for b in blocks:
            raw += [*b, ""]
    lines = [Line(i, t) for i, t in enumerate(raw, start=1)]
    turns, _ = split_turns(lines, talare=talare)
    return [(t.speaker, t.text) for t in turns]
