"""Read the codings of a REFI-QDA project: a QDPX archive or a bare ``.qde`` file (:func:`read_qdpx`).

Written for the projects that NVivo, MAXQDA, ATLAS.ti and QualCoder export,
whose dialects differ:

* the folder of the source texts is ``Sources/`` (NVivo, QualCoder) or
  ``sources/`` (MAXQDA); both are found, whatever the case;
* a source's text is inline (``PlainTextContent``) or in a file named by
  ``plainTextPath``: ``internal://`` (in the archive, or beside a bare
  ``.qde``), ``relative://`` (against the project's ``basePath`` or the
  ``.qde``'s folder) or an absolute path / ``file://`` URL;
* codes nest (sub-codes get ``parent``);
* respondents are named cases; MAXQDA also writes nameless cases with one
  ``SourceRef`` that only carry that document's variables;
* Sets of ``MemberSource`` (MAXQDA's document sets) become the column
  ``dokumentset``;
* the selection's ``Description`` is the coding memo: finsam_eval's own
  flag line becomes ``negated`` / ``hedged`` again, and any other memo is
  kept in the column ``anteckning`` of ``CodingResult.long``.

What cannot become an excerpt (PDF, picture, audio and video sources,
selections without a code, codes of unknown GUID) is counted in
``CodingResult.exclusions``, not dropped silently.
"""

from __future__ import annotations

import io
import json
import re
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlparse

import pandas as pd

from ..errors import CodebookError, InputFileError
from .codebook import Codebook
from .refi import _MARK, PROJECT_NS, _codes_from, _parse_xml

if TYPE_CHECKING:
    from .results import CodingResult

__all__ = ["read_qdpx"]

_P = f"{{{PROJECT_NS}}}"
_VALUE_TAGS = {f"{_P}{t}" for t in ("TextValue", "BooleanValue", "IntegerValue", "FloatValue", "DateValue",
                                     "DateTimeValue")}
_OTHER_SOURCES = {"PDFSource": "PDF", "PictureSource": "bild", "AudioSource": "ljud", "VideoSource": "video"}
# A memo written by a person in another tool that states the flags in words.
_NEG_WORDS = re.compile(r"^\s*(negerad|negated|negation)\b", re.IGNORECASE)
_HEDGE_WORDS = re.compile(r"^\s*(garderad|osäker|hedged|hedging)\b", re.IGNORECASE | re.MULTILINE)


class _Files:
    """The source texts of a project: inside a QDPX archive or beside a bare ``.qde``."""

    def __init__(self, zf: zipfile.ZipFile | None, base: Path | None, base_path: str | None, where: str) -> None:
        self.zf, self.base, self.base_path, self.where = zf, base, base_path, where
        self.names = {n.lower(): n for n in zf.namelist()} if zf is not None else {}

    def _from_zip(self, rel: str) -> bytes | None:
        for cand in (f"sources/{rel}", rel):  # Sources/ or sources/, any case
            name = self.names.get(cand.lower())
            if name is not None:
                return self.zf.read(name)  # type: ignore[union-attr]
        return None

    def _from_disk(self, candidates: list[Path]) -> bytes | None:
        for c in candidates:
            if c.is_file():
                return c.read_bytes()
        return None

    def read(self, ptp: str) -> str:
        data: bytes | None = None
        tried: list[str] = []
        if ptp.startswith("internal://"):
            rel = unquote(ptp[len("internal://"):]).lstrip("/")
            if self.zf is not None:
                data = self._from_zip(rel)
                tried.append(f"sources/{rel} i arkivet")
            elif self.base is not None:
                cands = [self.base / d / rel for d in ("sources", "Sources")] + [self.base / rel]
                data = self._from_disk(cands)
                tried += [str(c) for c in cands[:2]]
        elif ptp.startswith("relative://"):
            rel = unquote(ptp[len("relative://"):]).lstrip("/")
            roots = [Path(self.base_path)] if self.base_path else []
            roots += [self.base] if self.base is not None else []
            cands = [r / rel for r in roots]
            data = self._from_disk(cands)
            if data is None and self.zf is not None:
                data = self._from_zip(rel)
            tried += [str(c) for c in cands] or [rel]
        else:
            url = urlparse(ptp)
            p = Path(unquote(url.path)) if url.scheme == "file" else Path(ptp)
            data = self._from_disk([p] + ([self.base / p] if self.base is not None and not p.is_absolute() else []))
            tried.append(str(p))
        if data is None:
            raise InputFileError(
                f"REFI-projektet{self.where}: källtexten {ptp!r} hittades inte (sökte {', '.join(tried)}). "
                "Läs hela QDPX-arkivet, eller lägg textfilerna i mappen sources/ bredvid .qde-filen."
            )
        return data.decode("utf-8-sig")


def _flags(desc: str | None) -> tuple[bool | None, bool | None, str]:
    """(negated, hedged, the rest of the memo) from a selection's Description; None = not stated."""
    if not desc or not desc.strip():
        return None, None, ""
    lines = desc.strip().split("\n")
    neg = hedge = None
    if lines[-1].startswith(_MARK):
        try:
            d = json.loads(lines[-1][len(_MARK):])
            neg, hedge = bool(d.get("negated", False)), bool(d.get("hedged", False))
            # our own readable lines say the same as the flag line
            lines = [ln for ln in lines[:-1] if not ln.startswith(("Negerad:", "Garderad:"))]
        except json.JSONDecodeError:
            pass
    rest = "\n".join(lines).strip()
    if neg is None and rest:
        if _NEG_WORDS.search(rest):
            neg = True
        if _HEDGE_WORDS.search(rest):
            hedge = True
    return neg, hedge, rest


def _load(source: str | Path | bytes) -> tuple[ET.Element, _Files, str, str]:
    """(root element, source files, ' name' for messages, project name) from a QDPX, a .qde or their bytes."""
    if isinstance(source, bytes):
        if source[:2] == b"PK":
            zf = zipfile.ZipFile(io.BytesIO(source))
            return _from_zip(zf, "", "refi-projekt")
        root = _parse_xml(source, "")
        return root, _Files(None, None, root.get("basePath"), ""), "", "refi-projekt"
    p = Path(source)
    if not p.exists():
        raise InputFileError(f"Filen {p} finns inte.")
    where = f" {p.name}"
    head = p.read_bytes()[:4]
    if head[:2] == b"PK":
        try:
            zf = zipfile.ZipFile(p)
        except zipfile.BadZipFile:
            raise InputFileError(f"{p.name} är ingen QDPX-fil (trasigt zip-arkiv).") from None
        return _from_zip(zf, where, p.stem)
    if p.suffix.lower() == ".qde" or head.lstrip()[:1] == b"<":
        root = _parse_xml(p.read_bytes(), where)
        return root, _Files(None, p.parent, root.get("basePath"), where), where, p.stem
    raise InputFileError(f"{p.name} är ingen QDPX-fil (inte ett zip-arkiv) och ingen .qde-fil (inte XML).")


def _from_zip(zf: zipfile.ZipFile, where: str, stem: str) -> tuple[ET.Element, _Files, str, str]:
    qde = [n for n in zf.namelist() if n.lower().endswith(".qde")]
    if not qde:
        raise InputFileError(f"QDPX-filen{where} saknar project.qde.")
    root = _parse_xml(zf.read(qde[0]), where)
    return root, _Files(zf, None, root.get("basePath"), where), where, stem


def read_qdpx(source: str | Path | bytes, *, codebook: Codebook | None = None) -> CodingResult:
    """Read the codings of a REFI-QDA project (QDPX archive or bare ``.qde``) into a :class:`CodingResult`.

    Each text source becomes an excerpt (``excerpt_id`` = the source name,
    made unique when two sources share a name; ``text`` inline, from the
    archive or from the files beside a ``.qde``), case names become
    ``respondent_id``, variables on sources and cases become columns, Sets
    of sources become ``dokumentset``. Every coded selection gives the
    source its code, so ``.long``, ``.matrix()`` and ``.quotes()`` work on
    codings made in NVivo, ATLAS.ti, MAXQDA or QualCoder. The flags written
    by :func:`~finsam_eval.coding.refi.write_qdpx` come back in ``negated``
    and ``hedged``; other coding memos in ``anteckning``.

    Parameters
    ----------
    source
        Path of a ``.qdpx`` or ``.qde`` file, or the bytes of either.
    codebook
        Map the project's codes to this codebook (by finsam_eval id, or by
        label); default: the project's own codebook.

    Examples
    --------
    >>> from finsam_eval.samples import load_sample
    >>> from finsam_eval.coding import code_excerpts
    >>> from finsam_eval.coding.refi import qdpx_bytes
    >>> res = code_excerpts(load_sample("excerpts").head(20))
    >>> back = read_qdpx(qdpx_bytes(res))
    >>> bool((back.wide.values == res.wide.values).all())
    True
    """
    from ..results import Exclusions
    from .results import CodingResult

    root, files, where, stem = _load(source)
    with files.zf if files.zf is not None else _Null():
        if root.tag != f"{_P}Project":
            raise InputFileError(f"REFI-projektet{where}: rotelementet är {root.tag!r}, väntat Project i {PROJECT_NS}.")
        codes_el = root.find(f"{_P}CodeBook/{_P}Codes")
        if codes_el is None:
            raise CodebookError(f"REFI-projektet{where} saknar en kodbok (<CodeBook><Codes>).")
        codes, by_guid = _codes_from(codes_el, PROJECT_NS, where)
        own = Codebook(codes, name=stem, validate=False)
        if codebook is not None:
            by_label = {c.label.lower(): c.id for c in codebook}
            remap = {}
            for c in codes:
                if c.id in codebook:
                    remap[c.id] = c.id
                elif c.label.lower() in by_label:
                    remap[c.id] = by_label[c.label.lower()]
            missing = sorted(c.label for c in codes if c.id not in remap)
            if missing:
                raise CodebookError(
                    f"REFI-projektet{where}: koderna {missing} finns inte i kodboken {codebook.name!r} "
                    "(varken id eller etikett). Lägg till dem i kodboken eller läs utan codebook=."
                )
            by_guid = {g: remap[c] for g, c in by_guid.items()}
            target = codebook
        else:
            target = own
        var_name = {(v.get("guid") or "").upper(): v.get("name") for v in root.iter(f"{_P}Variable")}

        def values(el: ET.Element) -> dict[str, str]:
            out = {}
            for vv in el.findall(f"{_P}VariableValue"):
                ref = vv.find(f"{_P}VariableRef")
                name = var_name.get((ref.get("targetGUID") or "").upper()) if ref is not None else None
                val = next((c.text for c in vv if c.tag in _VALUE_TAGS), None)
                if name:
                    out[name] = val.strip() if isinstance(val, str) else val
            return out

        case_of: dict[str, tuple[str, dict[str, str]]] = {}
        file_vars: dict[str, dict[str, str]] = {}
        for case in root.iter(f"{_P}Case"):
            cv = values(case)
            refs = [(sr.get("targetGUID") or "").upper() for sr in case.findall(f"{_P}SourceRef")]
            if case.get("name") is None:
                # MAXQDA, Quirkos: a nameless case that only carries the variables of its document(s)
                for g in refs:
                    file_vars.setdefault(g, {}).update(cv)
                continue
            for g in refs:
                case_of[g] = (case.get("name") or case.get("guid"), cv)
        set_of: dict[str, list[str]] = {}
        code_sets = 0
        for st in root.iter(f"{_P}Set"):
            for ms in st.findall(f"{_P}MemberSource"):
                set_of.setdefault((ms.get("targetGUID") or "").upper(), []).append(st.get("name") or "")
            code_sets += len(st.findall(f"{_P}MemberCode"))

        exclusions = Exclusions()
        sources_el = root.find(f"{_P}Sources")
        others: dict[str, int] = {}
        if sources_el is not None:
            for el in sources_el:
                kind = el.tag.replace(_P, "")
                if kind in _OTHER_SOURCES:
                    others[_OTHER_SOURCES[kind]] = others.get(_OTHER_SOURCES[kind], 0) + 1
        for kind, n in others.items():
            exclusions.add(f"källor av typen {kind} (bara textkällor blir utdrag)", n)
        rows: list[dict[str, Any]] = []
        flags: dict[tuple[str, str], dict[str, Any]] = {}
        used_ids: set[str] = set()
        renamed = no_code = unknown = 0
        for src in root.iter(f"{_P}TextSource"):
            g = (src.get("guid") or "").upper()
            content = src.find(f"{_P}PlainTextContent")
            if content is not None and content.text is not None:
                text = content.text
            else:
                ptp = src.get("plainTextPath") or ""
                if not ptp:
                    raise InputFileError(f"REFI-projektet{where}: textkällan {src.get('name')!r} har varken "
                                         "PlainTextContent eller plainTextPath.")
                text = files.read(ptp)
            eid = src.get("name") or g
            base, k = eid, 2
            while eid in used_ids:  # MAXQDA can hold two documents with the same name
                eid, k = f"{base} ({k})", k + 1
            renamed += eid != base
            used_ids.add(eid)
            codes_here: list[str] = []
            for sel in src.findall(f"{_P}PlainTextSelection"):
                desc_el = sel.find(f"{_P}Description")
                neg, hedge, memo = _flags(desc_el.text if desc_el is not None else None)
                codings = sel.findall(f"{_P}Coding")
                if not codings:
                    no_code += 1  # MAXQDA: a comment on a passage without a code
                for coding in codings:
                    ref = coding.find(f"{_P}CodeRef")
                    cid = by_guid.get((ref.get("targetGUID") or "").upper()) if ref is not None else None
                    if not cid:
                        unknown += 1
                        continue
                    if cid not in codes_here:
                        codes_here.append(cid)
                    f = flags.setdefault((eid, cid), {"negated": [], "hedged": [], "memo": []})
                    f["negated"].append(bool(neg))
                    f["hedged"].append(bool(hedge))
                    if memo and memo not in f["memo"]:
                        f["memo"].append(memo)
            row: dict[str, Any] = {"excerpt_id": eid, "text": text}
            if g in case_of:
                row["respondent_id"] = case_of[g][0]
                row.update({k: v for k, v in case_of[g][1].items() if k not in row})
            row.update({k: v for k, v in file_vars.get(g, {}).items() if k not in row})
            row.update(values(src))
            if set_of:
                row["dokumentset"] = "; ".join(set_of.get(g, [])) or None
            row["_codes"] = codes_here
            rows.append(row)
        exclusions.add("markeringar utan kod (kommentarer till textställen)", no_code)
        exclusions.add("kodningar som pekar på en kod som saknas i kodboken", unknown)
        exclusions.add("källor med samma namn fick ett löpnummer i excerpt_id", renamed, action="omdöpt")
        exclusions.add("kodmängder (Sets av koder) lästes inte in", code_sets, action="ej inläst")
    excerpts = pd.DataFrame(rows) if rows else pd.DataFrame(columns=["excerpt_id", "text", "_codes"])
    resp = "respondent_id" if "respondent_id" in excerpts.columns else None
    res = CodingResult.from_codes(excerpts, "_codes", target, respondent_col=resp)
    res.excerpts = res.excerpts.drop(columns="_codes")
    long = res.long.drop(columns="_codes")
    keys = list(zip(long["excerpt_id"], long["code"]))
    long["negated"] = [all(flags[k]["negated"]) if k in flags else False for k in keys]
    long["hedged"] = [any(flags[k]["hedged"]) if k in flags else False for k in keys]
    if any(f["memo"] for f in flags.values()):
        long["anteckning"] = ["\n".join(flags[k]["memo"]) if k in flags and flags[k]["memo"] else None for k in keys]
    res.long = long
    res.exclusions.extend(exclusions)
    res.method = "importerad (REFI-QDA)"
    return res


class _Null:
    """A do-nothing context manager (a bare .qde has no archive to close)."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None
