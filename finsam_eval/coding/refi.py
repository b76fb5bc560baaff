"""Exchange codebooks and codings with other QDA tools through REFI-QDA.

REFI-QDA (www.qdasoftware.org) is the open exchange standard that QualCoder,
NVivo, ATLAS.ti and MAXQDA read and write:

* a **QDC** file is a codebook (``urn:QDA-XML:codebook:1.0``):
  :func:`write_qdc` / :func:`read_qdc`;
* a **QDPX** file is a project: a zip with ``project.qde``
  (``urn:QDA-XML:project:1.0``) and the sources as text files. It carries the
  codebook, the excerpts as text sources, respondents as cases with the
  variables ``forbund`` and ``roll``, and each coding as a text selection
  with character offsets, its negation and hedging flags as the coding
  memo: :func:`write_qdpx` (writes a file, returns its path) /
  :func:`qdpx_bytes` and :func:`read_qdpx` (also MAXQDA's dialect and a
  bare ``.qde``); these live in ``refi_export`` and ``refi_import``.

GUIDs are derived from the ids (``uuid5``), no time stamps are written and
the zip entries carry a fixed date, so exporting the same codebook or coding
twice gives byte-identical files (easy to diff and to version). The
finsam_eval-specific parts of a code (id, terms, examples) travel as one
marked JSON line at the end of the code's ``Description``, which other tools
show as text and keep; a codebook made in another tool is read from names
and descriptions alone.

The project schema ``schemas/Project.xsd`` (REFI, MIT licence) ships with
the package; :func:`validate_qdpx` checks a project against it.
"""

from __future__ import annotations

import io
import json
import re
import unicodedata
import uuid
import xml.etree.ElementTree as ET
import zipfile
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import CodebookError, InputFileError, MissingDependencyError
from .codebook import Code, Codebook

if TYPE_CHECKING:
    pass

__all__ = [
    "CODEBOOK_NS",
    "PROJECT_NS",
    "write_qdc",
    "read_qdc",
    "write_qdpx",
    "qdpx_bytes",
    "read_qdpx",
    "coding_note",
    "DIALECTS",
    "validate_qdpx",
    "project_schema_path",
    "guid",
]

CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
PROJECT_NS = "urn:QDA-XML:project:1.0"
_GUID_NS = uuid.UUID("6f1c2a52-9b7e-5d1e-8a53-46696e53616d")  # fixed namespace of finsam_eval GUIDs
_MARK = "[finsam_eval] "
_COLOURS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)


def guid(*parts: object) -> str:
    """A deterministic REFI GUID (upper-case UUID5) for the given parts.

    Examples
    --------
    >>> guid("code", "samsyn") == guid("code", "samsyn")
    True
    >>> len(guid("code", "samsyn"))
    36
    """
    return str(uuid.uuid5(_GUID_NS, "\x1f".join(str(p) for p in parts))).upper()


def _origin() -> str:
    try:
        from .. import __version__
    except ImportError:  # pragma: no cover
        __version__ = "0"
    return f"finsam_eval {__version__}"


def _slug(text: str) -> str:
    s = unicodedata.normalize("NFKD", text.lower())
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    s = re.sub(r"[^a-z0-9]+", "_", s).strip("_")
    return s or "kod"


def _description(code: Code) -> str:
    extra = {k: v for k, v in {"id": code.id, "include": code.include, "exclude": code.exclude,
                               "regex": code.regex, "examples": code.examples,
                               "indicators": getattr(code, "indicators", {})}.items() if v}
    body = code.definition.strip()
    return (body + "\n\n" if body else "") + _MARK + json.dumps(extra, ensure_ascii=False, sort_keys=True)


def _parse_description(text: str | None) -> tuple[str, dict[str, Any]]:
    text = text or ""
    lines = text.rstrip().split("\n")
    if lines and lines[-1].startswith(_MARK):
        try:
            extra = json.loads(lines[-1][len(_MARK):])
        except json.JSONDecodeError:
            extra = {}
        return "\n".join(lines[:-1]).strip(), extra
    return text.strip(), {}


def _code_elements(parent_el: ET.Element, codebook: Codebook, ns: str) -> dict[str, str]:
    """Add nested <Code> elements; return {code id: GUID}."""
    guids: dict[str, str] = {}
    tops = [c for c in codebook if c.parent is None]
    colour = {c.id: _COLOURS[i % len(_COLOURS)] for i, c in enumerate(tops)}

    def add(el: ET.Element, code: Code, col: str) -> None:
        g = guid("code", code.id)
        guids[code.id] = g
        ce = ET.SubElement(el, f"{{{ns}}}Code", {"guid": g, "name": code.label, "isCodable": "true", "color": col})
        ET.SubElement(ce, f"{{{ns}}}Description").text = _description(code)
        for child in codebook.children(code.id):
            add(ce, child, col)

    for c in tops:
        add(parent_el, c, colour[c.id])
    return guids


def _to_bytes(root: ET.Element, ns: str) -> bytes:
    ET.register_namespace("", ns)
    ET.indent(root, space="  ")
    buf = io.BytesIO()
    ET.ElementTree(root).write(buf, encoding="utf-8", xml_declaration=True)
    return buf.getvalue().replace(b"<?xml version='1.0' encoding='utf-8'?>", b'<?xml version="1.0" encoding="utf-8"?>')


def write_qdc(codebook: Codebook, path: str | Path | None = None) -> bytes:
    """Export a codebook as a REFI-QDA codebook (QDC); returns the bytes, writes ``path`` when given.

    Sub-codes are nested under their parent; each top-level code gets a
    colour from the house palette that its sub-codes share.

    Examples
    --------
    >>> data = write_qdc(Codebook.default())
    >>> data[:38]
    b'<?xml version="1.0" encoding="utf-8"?>'
    >>> read_qdc(data).ids == Codebook.default().ids
    True
    """
    root = ET.Element(f"{{{CODEBOOK_NS}}}CodeBook", {"origin": _origin()})
    codes = ET.SubElement(root, f"{{{CODEBOOK_NS}}}Codes")
    _code_elements(codes, codebook, CODEBOOK_NS)
    data = _to_bytes(root, CODEBOOK_NS)
    if path is not None:
        Path(path).write_bytes(data)
    return data


def _codes_from(codes_el: ET.Element, ns: str, where: str) -> tuple[list[Code], dict[str, str]]:
    out: list[Code] = []
    by_guid: dict[str, str] = {}
    used: set[str] = set()

    def walk(el: ET.Element, parent: str | None) -> None:
        for ce in el.findall(f"{{{ns}}}Code"):
            name = ce.get("name") or ""
            desc_el = ce.find(f"{{{ns}}}Description")
            definition, extra = _parse_description(desc_el.text if desc_el is not None else "")
            cid = str(extra.get("id") or _slug(name))
            base, k = cid, 2
            while cid in used:  # two codes with the same name in another tool
                cid, k = f"{base}_{k}", k + 1
            used.add(cid)
            by_guid[(ce.get("guid") or "").upper()] = cid
            out.append(Code(id=cid, label=name or cid, definition=definition,
                            include=list(extra.get("include", [])), exclude=list(extra.get("exclude", [])),
                            regex=list(extra.get("regex", [])), examples=list(extra.get("examples", [])),
                            parent=parent, indicators=dict(extra.get("indicators") or {})))
            walk(ce, cid)

    walk(codes_el, None)
    if not out:
        raise CodebookError(f"REFI-filen{where} innehåller inga koder (elementet <Codes> är tomt).")
    return out, by_guid


def _parse_xml(data: bytes, where: str) -> ET.Element:
    try:
        return ET.fromstring(data)
    except ET.ParseError as exc:
        raise InputFileError(f"REFI-filen{where} är inte giltig XML ({exc}).") from None


def read_qdc(source: str | Path | bytes, *, name: str | None = None) -> Codebook:
    """Read a REFI-QDA codebook (QDC) into a :class:`Codebook`.

    Codes exported by finsam_eval come back with their ids and terms; codes
    from other tools get an id made from the name (``"Förankring i linjen"``
    -> ``forankring_i_linjen``) and no terms, ready to be filled in.
    """
    if isinstance(source, bytes):
        data, where = source, ""
    else:
        p = Path(source)
        if not p.exists():
            raise InputFileError(f"Filen {p} finns inte.")
        data, where = p.read_bytes(), f" {p.name}"
    root = _parse_xml(data, where)
    if root.tag != f"{{{CODEBOOK_NS}}}CodeBook":
        raise InputFileError(
            f"REFI-filen{where} är ingen QDC-kodbok: rotelementet är {root.tag!r}, väntat CodeBook i {CODEBOOK_NS}."
        )
    codes_el = root.find(f"{{{CODEBOOK_NS}}}Codes")
    if codes_el is None:
        raise CodebookError(f"REFI-filen{where} saknar elementet <Codes>.")
    codes, _ = _codes_from(codes_el, CODEBOOK_NS, where)
    nm = name or (Path(source).stem if not isinstance(source, bytes) else "refi-kodbok")
    return Codebook(codes, name=nm)


def project_schema_path() -> Path:
    """Path of the bundled REFI-QDA ``Project.xsd`` (MIT licence, REFI 2019)."""
    return Path(str(resources.files(__package__).joinpath("schemas").joinpath("Project.xsd")))


def validate_qdpx(source: str | Path | bytes) -> None:
    """Validate the ``project.qde`` of a QDPX (or a bare ``.qde``) against the REFI-QDA project schema.

    Needs the ``xmlschema`` package (``pip install 'finsam_eval[refi]'``);
    raises :class:`InputFileError` naming the first problem and where it is.

    Examples
    --------
    >>> import pytest; _ = pytest.importorskip("xmlschema")
    >>> from finsam_eval.samples import load_sample
    >>> from finsam_eval.coding import code_excerpts
    >>> validate_qdpx(qdpx_bytes(code_excerpts(load_sample("excerpts").head(5))))  # no error: valid
    """
    try:
        import xmlschema
    except ImportError as exc:  # pragma: no cover
        raise MissingDependencyError(
            "validate_qdpx kräver paketet xmlschema: pip install 'finsam_eval[refi]'."
        ) from exc
    raw = source if isinstance(source, bytes) else None
    where = ""
    if raw is None:
        p = Path(source)
        if not p.exists():
            raise InputFileError(f"Filen {p} finns inte.")
        raw, where = p.read_bytes(), f" {p.name}"
    if raw[:2] == b"PK":
        try:
            with zipfile.ZipFile(io.BytesIO(raw)) as zf:
                qde = [n for n in zf.namelist() if n.lower().endswith(".qde")]
                if not qde:
                    raise InputFileError(f"QDPX-filen{where} saknar project.qde.")
                data = zf.read(qde[0])
        except zipfile.BadZipFile:
            raise InputFileError(f"{where.strip() or 'Filen'} är ingen QDPX-fil (trasigt zip-arkiv).") from None
    else:
        data = raw
    schema = xmlschema.XMLSchema(str(project_schema_path()))
    errors = list(schema.iter_errors(data.decode("utf-8-sig")))
    if errors:
        raise InputFileError(f"REFI-projektet{where} följer inte REFI-QDA-schemat: {errors[0].reason} "
                             f"(vid {errors[0].path}). Rätta elementet, eller exportera på nytt.")


# The project (QDPX) half lives in refi_export / refi_import; the public names stay here.
from .refi_export import DIALECTS, coding_note, qdpx_bytes, write_qdpx  # noqa: E402
from .refi_import import read_qdpx  # noqa: E402
