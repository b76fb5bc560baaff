"""Write coded excerpts as a REFI-QDA project (QDPX): :func:`write_qdpx`, :func:`qdpx_bytes`.

The project holds the codebook (nested codes), the excerpts as text sources
(``Sources/<GUID>.txt``, or ``sources/`` in the MAXQDA dialect),
respondents as cases with the variables ``forbund`` and ``roll``, variables
on each source, optional Sets of MemberSource (MAXQDA's document sets) and
each coding as a text selection with character offsets.

Negation and hedging flags travel with the coding, as the selection's
``Description`` (the coding memo / segment comment in QualCoder, MAXQDA and
NVivo): a readable Swedish sentence ("Negerad: temat sägs saknas ...") and
one marked JSON line that :func:`~finsam_eval.coding.refi.read_qdpx` reads
back into the ``negated`` and ``hedged`` columns of ``CodingResult.long``.
"""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from .codebook import Code, Codebook
from .refi import _MARK, _ZIP_DATE, PROJECT_NS, _code_elements, _description, _origin, _slug, _to_bytes, guid

if TYPE_CHECKING:
    from .results import CodingResult

__all__ = ["write_qdpx", "qdpx_bytes", "DIALECTS"]

_CASE_VARS = ("forbund", "roll")
_SOURCE_VARS = ("forbund", "roll", "kalla", "datum")
#: Dialects of the project layout: the folder of the source texts and the default Sets.
DIALECTS: dict[str, dict[str, Any]] = {
    "refi": {"folder": "Sources", "sets": None},     # the standard, NVivo, QualCoder
    "maxqda": {"folder": "sources", "sets": "forbund"},  # MAXQDA: lowercase folder, document sets
}
_FLAG_TEXT = {
    "negated": "Negerad: temat nämns som något som saknas eller inte gäller (t.ex. \u201dingen samsyn\u201d).",
    "hedged": "Garderad: temat nämns med reservation (t.ex. \u201di viss mån förankrad\u201d).",
}


def coding_note(negated: bool, hedged: bool) -> str | None:
    """The selection ``Description`` that carries the flags of one coding, or None when it has none.

    Examples
    --------
    >>> print(coding_note(True, False))
    Negerad: temat nämns som något som saknas eller inte gäller (t.ex. ”ingen samsyn”).
    [finsam_eval] {"hedged": false, "negated": true}
    >>> coding_note(False, False) is None
    True
    """
    if not (negated or hedged):
        return None
    lines = [t for k, t in _FLAG_TEXT.items() if {"negated": negated, "hedged": hedged}[k]]
    return "\n".join([*lines, _MARK + json.dumps({"hedged": bool(hedged), "negated": bool(negated)},
                                                 sort_keys=True)])


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


def qdpx_bytes(
    result: CodingResult,
    *,
    name: str = "finsam_eval-kodning",
    selection: str = "excerpt",
    case_variables: tuple[str, ...] = _CASE_VARS,
    source_variables: tuple[str, ...] = _SOURCE_VARS,
    dialect: str = "refi",
    sets: str | None = "auto",
    _path_for_guard: str | Path | None = None,
) -> bytes:
    """The QDPX archive of :func:`write_qdpx` as bytes, without writing a file (for tests and web apps).

    Examples
    --------
    >>> from finsam_eval.samples import load_sample
    >>> from finsam_eval.coding import code_excerpts
    >>> data = qdpx_bytes(code_excerpts(load_sample("excerpts").head(5)))
    >>> data[:2]
    b'PK'
    """
    if selection not in ("excerpt", "match"):
        raise ValueError("selection ska vara 'excerpt' eller 'match'.")
    if dialect not in DIALECTS:
        raise ValueError(f"dialect ska vara en av {list(DIALECTS)}, fick {dialect!r}.")
    folder = DIALECTS[dialect]["folder"]
    set_col = DIALECTS[dialect]["sets"] if sets == "auto" else sets
    ex = result.excerpts
    if set_col is not None and set_col not in ex.columns:
        if sets != "auto":
            from ..errors import MissingColumnError

            raise MissingColumnError(f"sets={set_col!r}: kolumnen saknas bland utdragen ({list(ex.columns)}).")
        set_col = None
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
    _guard_qdpx(result, _path_for_guard, name, codebook, [idc, txt, *all_vars, *([set_col] if set_col else [])])
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
        files[f"{folder}/{sg}.txt"] = text.encode("utf-8")
        src = ET.SubElement(sources, f"{P}TextSource",
                            {"guid": sg, "name": str(eid), "plainTextPath": f"internal://{sg}.txt"})
        rows = by_excerpt.get(eid)
        if rows is not None:
            for _, r in rows.iterrows():
                spans = [(0, len(text))]
                if selection == "match" and isinstance(r.get("spans"), list) and r["spans"]:
                    spans = sorted({(int(a), int(b)) for a, b in r["spans"]})
                note = coding_note(bool(r.get("negated", False)), bool(r.get("hedged", False)))
                for a, b in spans:
                    sel = ET.SubElement(src, f"{P}PlainTextSelection", {
                        "guid": guid("selection", eid, r["code"], a, b), "name": text[a:b][:60],
                        "startPosition": str(a), "endPosition": str(b), "creatingUser": user})
                    if note:
                        ET.SubElement(sel, f"{P}Description").text = note
                    coding = ET.SubElement(sel, f"{P}Coding", {"guid": guid("coding", eid, r["code"], a, b),
                                                               "creatingUser": user})
                    ET.SubElement(coding, f"{P}CodeRef", {"targetGUID": code_guid[r["code"]]})
        for v in src_vars:
            var_value(src, v, row[v])
    if set_col is not None:
        sets_el = ET.SubElement(root, f"{P}Sets")
        for value, grp in ex.groupby(set_col, sort=True):
            st = ET.SubElement(sets_el, f"{P}Set", {"guid": guid("set", set_col, value), "name": str(value)})
            ET.SubElement(st, f"{P}Description").text = f"{set_col} = {value}"
            for eid in grp[idc]:
                ET.SubElement(st, f"{P}MemberSource", {"targetGUID": src_guid[eid]})
    files["project.qde"] = _to_bytes(root, PROJECT_NS)

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for fname in ["project.qde", *sorted(k for k in files if k != "project.qde")]:
            info = zipfile.ZipInfo(fname, date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, files[fname])
    return buf.getvalue()


def write_qdpx(
    result: CodingResult,
    path: str | Path | None = None,
    *,
    name: str = "finsam_eval-kodning",
    selection: str = "excerpt",
    case_variables: tuple[str, ...] = _CASE_VARS,
    source_variables: tuple[str, ...] = _SOURCE_VARS,
    dialect: str = "refi",
    sets: str | None = "auto",
) -> Path:
    """Export coded excerpts as a REFI-QDA project (QDPX) file that QDA tools can open; returns its path.

    Parameters
    ----------
    result
        A :class:`~finsam_eval.coding.CodingResult` (automatic or manual codes).
    path
        Where to write the ``.qdpx``. Default: ``<name>.qdpx`` (the project
        name as a file name, e.g. ``finsam-eval-kodning.qdpx``) in the
        current working directory. The path is returned, never the bytes
        (a notebook cell would print hundreds of kilobytes); use
        :func:`qdpx_bytes` for the bytes.
    name
        Project name shown in the QDA tool.
    selection
        ``"excerpt"``: each coding selects the whole excerpt;
        ``"match"``: one selection per matched word or phrase (automatic
        codes only; manual codes fall back to the whole excerpt).
    case_variables, source_variables
        Excerpt columns exported as case variables (one case per respondent)
        and as variables on each source; missing columns are skipped.
    dialect
        ``"refi"`` (the standard; NVivo, QualCoder, ATLAS.ti: source texts in
        ``Sources/``) or ``"maxqda"`` (``sources/`` and one document set per
        förbund).
    sets
        Column whose values become Sets of MemberSource (document sets);
        ``"auto"`` = the dialect's default (``forbund`` for MAXQDA, none
        otherwise), ``None`` = no Sets.

    Returns
    -------
    pathlib.Path
        The file written: a zip with ``project.qde`` and one text file per
        excerpt. Negated and hedged codings carry their flags as the
        selection's description (the coding memo).

    Raises
    ------
    PrivacyError
        A text, id, variable, code or the file name holds a personnummer:
        pseudonymise first (:func:`finsam_eval.pseudonymise`); nothing is written.

    Examples
    --------
    >>> import tempfile
    >>> from finsam_eval.samples import load_sample
    >>> from finsam_eval.coding import code_excerpts
    >>> res = code_excerpts(load_sample("excerpts").head(5))
    >>> p = write_qdpx(res, Path(tempfile.mkdtemp()) / "kodning.qdpx")
    >>> p.name, p.stat().st_size > 1000
    ('kodning.qdpx', True)
    """
    target = Path(path) if path is not None else Path.cwd() / f"{_slug(name).replace('_', '-')}.qdpx"
    data = qdpx_bytes(result, name=name, selection=selection, case_variables=case_variables,
                      source_variables=source_variables, dialect=dialect, sets=sets, _path_for_guard=target)
    target.write_bytes(data)
    return target
