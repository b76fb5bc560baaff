"""Exchange codebooks and codings with other QDA tools through REFI-QDA.

REFI-QDA (www.qdasoftware.org) is the open exchange standard that QualCoder,
NVivo, ATLAS.ti and MAXQDA read and write:

* a **QDC** file is a codebook (``urn:QDA-XML:codebook:1.0``):
  :func:`write_qdc` / :func:`read_qdc`;
* a **QDPX** file is a project: a zip with ``project.qde``
  (``urn:QDA-XML:project:1.0``) and the sources as text files. It carries the
  codebook, the excerpts as text sources, respondents as cases with the
  variables ``forbund`` and ``roll``, and each coding as a text selection
  with character offsets: :func:`write_qdpx` / :func:`read_qdpx`.

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

import pandas as pd

from ..errors import CodebookError, InputFileError, MissingDependencyError
from .codebook import Code, Codebook

if TYPE_CHECKING:
    from .results import CodingResult

__all__ = [
    "CODEBOOK_NS",
    "PROJECT_NS",
    "write_qdc",
    "read_qdc",
    "write_qdpx",
    "read_qdpx",
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


# -- projects -----------------------------------------------------------------------------
_CASE_VARS = ("forbund", "roll")
_SOURCE_VARS = ("forbund", "roll", "kalla", "datum")


def _guard_qdpx(result: CodingResult, path: str | Path | None, name: str, codebook: Codebook,
                cols: list[str]) -> None:
    """The privacy guard on everything a QDPX export holds: texts, ids, variables, codes, names."""
    from ..privacy.guard import check_output, safe_name

    if path is not None:
        check_output(Path(path), where=f"sökvägen till QDPX-filen {safe_name(path)}")
    rc = result.respondent_col if result.respondent_col in result.excerpts.columns else None
    keep = [c for c in dict.fromkeys([*cols, rc]) if c is not None and c in result.excerpts.columns]
    check_output(result.excerpts[keep].reset_index(drop=True), where="utdragen som exporteras till QDPX")
    check_output([name, *[[c.id, c.label, _description(c)] for c in codebook]],
                 where="projektnamnet eller kodboken i QDPX-exporten")


def write_qdpx(
    result: CodingResult,
    path: str | Path | None = None,
    *,
    name: str = "finsam_eval-kodning",
    selection: str = "excerpt",
    case_variables: tuple[str, ...] = _CASE_VARS,
    source_variables: tuple[str, ...] = _SOURCE_VARS,
) -> bytes:
    """Export coded excerpts as a REFI-QDA project (QDPX) that QDA tools can open.

    Parameters
    ----------
    result
        A :class:`~finsam_eval.coding.CodingResult` (automatic or manual codes).
    path
        Where to write the ``.qdpx``; the bytes are returned either way.
    name
        Project name shown in the QDA tool.
    selection
        ``"excerpt"``: each coding selects the whole excerpt;
        ``"match"``: one selection per matched word or phrase (automatic
        codes only; manual codes fall back to the whole excerpt).
    case_variables, source_variables
        Excerpt columns exported as case variables (one case per respondent)
        and as variables on each source; missing columns are skipped.

    Returns
    -------
    bytes
        The zip archive: ``project.qde`` and ``Sources/<GUID>.txt`` per excerpt.

    Raises
    ------
    PrivacyError
        A text, id, variable, code or the file name holds a personnummer:
        pseudonymise first (:func:`finsam_eval.pseudonymise`); nothing is written.
    """
    if selection not in ("excerpt", "match"):
        raise ValueError("selection ska vara 'excerpt' eller 'match'.")
    ex = result.excerpts
    idc, txt = result.id_col, result.text_col
    codebook = result.codebook or Codebook([Code(c, c) for c in result.codes])
    P = f"{{{PROJECT_NS}}}"
    root = ET.Element(f"{P}Project", {"name": name, "origin": _origin()})
    user = guid("user", "finsam_eval")
    users = ET.SubElement(root, f"{P}Users")
    ET.SubElement(users, f"{P}User", {"guid": user, "name": "finsam_eval"})
    cb_el = ET.SubElement(root, f"{P}CodeBook")
    codes_el = ET.SubElement(cb_el, f"{P}Codes")
    code_guid = _code_elements(codes_el, codebook, PROJECT_NS)

    case_vars = [v for v in case_variables if v in ex.columns]
    src_vars = [v for v in source_variables if v in ex.columns]
    all_vars = list(dict.fromkeys([*case_vars, *src_vars]))
    _guard_qdpx(result, path, name, codebook, [idc, txt, *all_vars])
    var_guid = {v: guid("variable", v) for v in all_vars}
    if all_vars:
        vars_el = ET.SubElement(root, f"{P}Variables")
        for v in all_vars:
            ET.SubElement(vars_el, f"{P}Variable", {"guid": var_guid[v], "name": v, "typeOfVariable": "Text"})

    def var_value(parent: ET.Element, var: str, value: Any) -> None:
        vv = ET.SubElement(parent, f"{P}VariableValue")
        ET.SubElement(vv, f"{P}VariableRef", {"targetGUID": var_guid[var]})
        ET.SubElement(vv, f"{P}TextValue").text = "" if pd.isna(value) else str(value)

    src_guid = {eid: guid("source", eid) for eid in ex[idc]}
    rc = result.respondent_col if result.respondent_col in ex.columns else None
    if rc:
        cases_el = ET.SubElement(root, f"{P}Cases")
        for resp, grp in ex.groupby(rc, sort=True):
            case = ET.SubElement(cases_el, f"{P}Case", {"guid": guid("case", resp), "name": str(resp)})
            for v in case_vars:
                vals = [str(x) for x in dict.fromkeys(grp[v].dropna())]
                var_value(case, v, ", ".join(vals))
            for eid in grp[idc]:
                ET.SubElement(case, f"{P}SourceRef", {"targetGUID": src_guid[eid]})

    files: dict[str, bytes] = {}
    long = result.long
    by_excerpt = {k: g for k, g in long.groupby(idc, sort=False)} if len(long) else {}
    sources = ET.SubElement(root, f"{P}Sources")
    for _, row in ex.iterrows():
        eid = row[idc]
        text = "" if pd.isna(row[txt]) else str(row[txt])
        sg = src_guid[eid]
        files[f"Sources/{sg}.txt"] = text.encode("utf-8")
        src = ET.SubElement(sources, f"{P}TextSource",
                            {"guid": sg, "name": str(eid), "plainTextPath": f"internal://{sg}.txt"})
        rows = by_excerpt.get(eid)
        if rows is not None:
            for _, r in rows.iterrows():
                spans = [(0, len(text))]
                if selection == "match" and isinstance(r.get("spans"), list) and r["spans"]:
                    spans = sorted({(int(a), int(b)) for a, b in r["spans"]})
                for a, b in spans:
                    sel = ET.SubElement(src, f"{P}PlainTextSelection", {
                        "guid": guid("selection", eid, r["code"], a, b), "name": text[a:b][:60],
                        "startPosition": str(a), "endPosition": str(b), "creatingUser": user})
                    coding = ET.SubElement(sel, f"{P}Coding", {"guid": guid("coding", eid, r["code"], a, b),
                                                               "creatingUser": user})
                    ET.SubElement(coding, f"{P}CodeRef", {"targetGUID": code_guid[r["code"]]})
        for v in src_vars:
            var_value(src, v, row[v])
    files["project.qde"] = _to_bytes(root, PROJECT_NS)

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for fname in ["project.qde", *sorted(k for k in files if k != "project.qde")]:
            info = zipfile.ZipInfo(fname, date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, files[fname])
    data = buf.getvalue()
    if path is not None:
        Path(path).write_bytes(data)
    return data


def _open_qdpx(source: str | Path | bytes) -> tuple[zipfile.ZipFile, str]:
    if isinstance(source, bytes):
        return zipfile.ZipFile(io.BytesIO(source)), ""
    p = Path(source)
    if not p.exists():
        raise InputFileError(f"Filen {p} finns inte.")
    try:
        return zipfile.ZipFile(p), f" {p.name}"
    except zipfile.BadZipFile:
        raise InputFileError(f"{p.name} är ingen QDPX-fil (inte ett zip-arkiv).") from None


def read_qdpx(source: str | Path | bytes, *, codebook: Codebook | None = None) -> CodingResult:
    """Read the codings of a REFI-QDA project (QDPX) into a :class:`CodingResult`.

    Each text source becomes an excerpt (``excerpt_id`` = the source name,
    ``text`` from the archive or the inline content), case names become
    ``respondent_id``, and variables on sources and cases become columns.
    Every coded selection gives the source its code, so ``.long``,
    ``.matrix()`` and ``.quotes()`` work on codings made in NVivo, ATLAS.ti,
    MAXQDA or QualCoder.

    Parameters
    ----------
    codebook
        Map the project's codes to this codebook (by finsam_eval id, or by
        label); default: the project's own codebook.
    """
    from .results import CodingResult

    zf, where = _open_qdpx(source)
    with zf:
        qde = [n for n in zf.namelist() if n.lower().endswith(".qde")]
        if not qde:
            raise InputFileError(f"QDPX-filen{where} saknar project.qde.")
        root = _parse_xml(zf.read(qde[0]), where)
        if root.tag != f"{{{PROJECT_NS}}}Project":
            raise InputFileError(f"QDPX-filen{where}: rotelementet är {root.tag!r}, väntat Project i {PROJECT_NS}.")
        P = f"{{{PROJECT_NS}}}"
        codes_el = root.find(f"{P}CodeBook/{P}Codes")
        if codes_el is None:
            raise CodebookError(f"QDPX-filen{where} saknar en kodbok (<CodeBook><Codes>).")
        codes, by_guid = _codes_from(codes_el, PROJECT_NS, where)
        own = Codebook(codes, name=Path(str(source)).stem if not isinstance(source, bytes) else "refi-projekt",
                       validate=False)
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
                    f"QDPX-filen{where}: koderna {missing} finns inte i kodboken {codebook.name!r} (varken id eller etikett)."
                )
            by_guid = {g: remap[c] for g, c in by_guid.items()}
            target = codebook
        else:
            target = own
        var_name = {(v.get("guid") or "").upper(): v.get("name") for v in root.iter(f"{P}Variable")}

        def values(el: ET.Element) -> dict[str, str]:
            out = {}
            for vv in el.findall(f"{P}VariableValue"):
                ref = vv.find(f"{P}VariableRef")
                name = var_name.get((ref.get("targetGUID") or "").upper()) if ref is not None else None
                val = next((c.text for c in vv if c.tag != f"{P}VariableRef"), None)
                if name:
                    out[name] = val
            return out

        case_of: dict[str, tuple[str, dict[str, str]]] = {}
        for case in root.iter(f"{P}Case"):
            cv = values(case)
            for sr in case.findall(f"{P}SourceRef"):
                case_of[(sr.get("targetGUID") or "").upper()] = (case.get("name") or case.get("guid"), cv)
        rows = []
        for src in root.iter(f"{P}TextSource"):
            g = (src.get("guid") or "").upper()
            content = src.find(f"{P}PlainTextContent")
            if content is not None and content.text is not None:
                text = content.text
            else:
                ptp = src.get("plainTextPath") or ""
                fname = "Sources/" + ptp.split("internal://", 1)[1] if ptp.startswith("internal://") else ptp
                try:
                    text = zf.read(fname).decode("utf-8-sig")
                except KeyError:
                    raise InputFileError(f"QDPX-filen{where}: källtexten {fname} saknas i arkivet.") from None
            codes_here: list[str] = []
            for sel in src.findall(f"{P}PlainTextSelection"):
                for coding in sel.findall(f"{P}Coding"):
                    ref = coding.find(f"{P}CodeRef")
                    cid = by_guid.get((ref.get("targetGUID") or "").upper()) if ref is not None else None
                    if cid and cid not in codes_here:
                        codes_here.append(cid)
            row: dict[str, Any] = {"excerpt_id": src.get("name") or g, "text": text}
            if g in case_of:
                row["respondent_id"] = case_of[g][0]
                row.update({k: v for k, v in case_of[g][1].items() if k not in row})
            row.update(values(src))
            row["_codes"] = codes_here
            rows.append(row)
    excerpts = pd.DataFrame(rows)
    resp = "respondent_id" if "respondent_id" in excerpts.columns else None
    res = CodingResult.from_codes(excerpts, "_codes", target, respondent_col=resp)
    res.excerpts = res.excerpts.drop(columns="_codes")
    res.long = res.long.drop(columns="_codes")
    res.method = "importerad (REFI-QDA)"
    return res


def project_schema_path() -> Path:
    """Path of the bundled REFI-QDA ``Project.xsd`` (MIT licence, REFI 2019)."""
    return Path(str(resources.files(__package__).joinpath("schemas").joinpath("Project.xsd")))


def validate_qdpx(source: str | Path | bytes) -> None:
    """Validate the ``project.qde`` of a QDPX against the REFI-QDA project schema.

    Needs the ``xmlschema`` package; raises :class:`InputFileError` naming
    the first problem.
    """
    try:
        import xmlschema
    except ImportError as exc:  # pragma: no cover
        raise MissingDependencyError(
            "validate_qdpx kräver paketet xmlschema: pip install 'finsam_eval[refi]'."
        ) from exc
    zf, where = _open_qdpx(source)
    with zf:
        data = zf.read("project.qde")
    schema = xmlschema.XMLSchema(str(project_schema_path()))
    errors = list(schema.iter_errors(data.decode("utf-8")))
    if errors:
        raise InputFileError(f"QDPX-filen{where} följer inte REFI-QDA-schemat: {errors[0].reason} "
                             f"(vid {errors[0].path}).")
