"""REFI-QDA exchange: QDC codebooks and QDPX projects, round trips, stable GUIDs, schema validation."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
import zipfile

import pandas as pd
import pytest

from finsam_eval.coding import Code, Codebook, CodingResult, code_excerpts
from finsam_eval.coding.refi import (
    CODEBOOK_NS,
    PROJECT_NS,
    guid,
    project_schema_path,
    qdpx_bytes,
    read_qdc,
    read_qdpx,
    validate_qdpx,
    write_qdc,
    write_qdpx,
)
from finsam_eval.errors import CodebookError, InputFileError

GUID_RE = re.compile(r"^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$")


def _excerpts() -> pd.DataFrame:
    return pd.DataFrame({
        "excerpt_id": ["BOT-1", "BOT-2", "UPP-1", "UPP-2"],
        "respondent_id": ["R1", "R1", "R2", "R3"],
        "forbund": ["Botkyrka", "Botkyrka", "Uppsala", "Uppsala"],
        "roll": ["styrelse", "styrelse", "samordnare", "deltagare"],
        "kalla": ["intervju"] * 4,
        "datum": ["2024-03-01"] * 4,
        "text": ["Myndighetssamverkan är inte riktigt förankrad i linjen.", "Vi saknar resurser & tid <nu>.",
                 "Åtta av tio fick jobb efter insatsen.", "Det finns ingen samsyn."],
        "codes_a": [["samverkan", "forankring"], ["resurser"], ["resultat"], ["samsyn"]],
    })


def test_qdc_round_trip_keeps_everything():
    for cb in (Codebook.default(), Codebook.framework("huxham")):
        back = read_qdc(write_qdc(cb))
        assert back.codes == cb.codes


def test_qdc_is_byte_identical_on_re_export(tmp_path):
    a = write_qdc(Codebook.default(), tmp_path / "a.qdc")
    b = write_qdc(Codebook.default().copy())
    assert a == b == (tmp_path / "a.qdc").read_bytes()
    # a GUID depends on the code id only: editing another code leaves it unchanged
    cb = Codebook.default()
    cb.update("hinder", add_include=["låsningar i systemet"])
    root = ET.fromstring(write_qdc(cb))
    g = {c.get("name"): c.get("guid") for c in root.iter(f"{{{CODEBOOK_NS}}}Code")}
    assert g["Samsyn"] == guid("code", "samsyn")


def test_qdc_structure():
    root = ET.fromstring(write_qdc(Codebook.framework("huxham")))
    assert root.tag == f"{{{CODEBOOK_NS}}}CodeBook"
    assert root.get("origin").startswith("finsam_eval")
    codes = root.find(f"{{{CODEBOOK_NS}}}Codes")
    tops = codes.findall(f"{{{CODEBOOK_NS}}}Code")
    assert [c.get("name") for c in tops] == ["Gemensamma mål", "Makt och tillit", "Ledarskap", "Struktur och resurser"]
    kids = tops[0].findall(f"{{{CODEBOOK_NS}}}Code")
    assert [k.get("name") for k in kids] == ["Gemensamma mål – möjlighet", "Gemensamma mål – hinder"]
    for c in root.iter(f"{{{CODEBOOK_NS}}}Code"):
        assert GUID_RE.match(c.get("guid")) and c.get("isCodable") == "true"
        assert re.match(r"^#[0-9A-F]{6}$", c.get("color"))
    # sub-codes share their parent's colour
    assert {k.get("color") for k in kids} == {tops[0].get("color")}


def test_qdc_from_another_tool_gets_ids_from_names():
    xml = f"""<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns="{CODEBOOK_NS}" origin="QualCoder">
  <Codes>
    <Code guid="1FF58B12-6F6F-4B0C-8BE5-BBDC91F55294" name="Förankring i linjen" isCodable="true">
      <Description>Hur väl arbetet är känt hos cheferna.</Description>
      <Code guid="2FF58B12-6F6F-4B0C-8BE5-BBDC91F55294" name="Förankring i linjen" isCodable="true"/>
    </Code>
    <Code guid="3FF58B12-6F6F-4B0C-8BE5-BBDC91F55294" name="Hinder" isCodable="true"/>
  </Codes>
</CodeBook>""".encode()
    cb = read_qdc(xml)
    assert cb.ids == ["forankring_i_linjen", "forankring_i_linjen_2", "hinder"]
    assert cb.get("forankring_i_linjen").definition == "Hur väl arbetet är känt hos cheferna."
    assert cb.get("forankring_i_linjen_2").parent == "forankring_i_linjen"
    assert cb.get("hinder").include == []


def test_qdc_errors(tmp_path):
    with pytest.raises(InputFileError, match="inte giltig XML"):
        read_qdc(b"<CodeBook")
    with pytest.raises(InputFileError, match="ingen QDC-kodbok"):
        read_qdc(f'<Project xmlns="{PROJECT_NS}" name="x"/>'.encode())
    with pytest.raises(CodebookError, match="innehåller inga koder"):
        read_qdc(f'<CodeBook xmlns="{CODEBOOK_NS}"><Codes/></CodeBook>'.encode())
    p = tmp_path / "kb.qdc"
    write_qdc(Codebook.default(), p)
    assert Codebook.read(p).ids == Codebook.default().ids


def test_qdpx_structure_and_offsets():
    df = _excerpts()
    res = code_excerpts(df)
    data = qdpx_bytes(res, selection="match")
    zf = zipfile.ZipFile(io.BytesIO(data))
    names = zf.namelist()
    assert names[0] == "project.qde" and len(names) == 1 + len(df)
    root = ET.fromstring(zf.read("project.qde"))
    P = f"{{{PROJECT_NS}}}"
    assert [c.tag for c in root] == [f"{P}Users", f"{P}CodeBook", f"{P}Variables", f"{P}Cases", f"{P}Sources"]
    cases = root.findall(f"{P}Cases/{P}Case")
    assert [c.get("name") for c in cases] == ["R1", "R2", "R3"]
    assert len(cases[0].findall(f"{P}SourceRef")) == 2
    var_names = {v.get("guid"): v.get("name") for v in root.iter(f"{P}Variable")}
    vv = cases[1].find(f"{P}VariableValue")
    assert var_names[vv.find(f"{P}VariableRef").get("targetGUID")] == "forbund"
    assert vv.find(f"{P}TextValue").text == "Uppsala"
    # each selection's offsets point at the matched words in the stored source text
    code_name = {c.get("guid"): c.get("name") for c in root.iter(f"{P}Code")}
    for src in root.iter(f"{P}TextSource"):
        text = zf.read("Sources/" + src.get("plainTextPath").split("internal://")[1]).decode("utf-8")
        assert text == df.set_index("excerpt_id").loc[src.get("name"), "text"]
        for sel in src.findall(f"{P}PlainTextSelection"):
            a, b = int(sel.get("startPosition")), int(sel.get("endPosition"))
            assert 0 <= a < b <= len(text)
            code = code_name[sel.find(f"{P}Coding/{P}CodeRef").get("targetGUID")]
            if src.get("name") == "BOT-1" and code == "Samverkan":
                assert text[a:b] == "Myndighetssamverkan"


def test_qdpx_validates_against_refi_schema():
    pytest.importorskip("xmlschema")
    assert project_schema_path().exists()
    res = code_excerpts(_excerpts())
    validate_qdpx(qdpx_bytes(res))
    validate_qdpx(qdpx_bytes(res, selection="match"))
    validate_qdpx(qdpx_bytes(res, dialect="maxqda"))
    validate_qdpx(qdpx_bytes(CodingResult.from_codes(_excerpts(), "codes_a")))
    validate_qdpx(qdpx_bytes(code_excerpts(_excerpts(), Codebook.framework("huxham"))))


def test_schema_validation_catches_a_broken_project():
    pytest.importorskip("xmlschema")
    data = qdpx_bytes(code_excerpts(_excerpts()))
    zin = zipfile.ZipFile(io.BytesIO(data))
    qde = zin.read("project.qde").replace(b'startPosition="0"', b'startPosition="noll"', 1)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zout:
        zout.writestr("project.qde", qde)
    with pytest.raises(InputFileError, match="följer inte REFI-QDA-schemat"):
        validate_qdpx(buf.getvalue())


def test_qdpx_is_byte_identical_on_re_export(tmp_path):
    a = write_qdpx(code_excerpts(_excerpts()), tmp_path / "a.qdpx").read_bytes()
    b = qdpx_bytes(code_excerpts(_excerpts()))
    assert a == b


@pytest.mark.parametrize("manual", [False, True])
def test_qdpx_round_trip_of_codings(manual):
    df = _excerpts()
    res = CodingResult.from_codes(df, "codes_a") if manual else code_excerpts(df)
    back = read_qdpx(qdpx_bytes(res))
    pd.testing.assert_frame_equal(back.wide, res.wide, check_names=False)
    assert back.codebook.codes == res.codebook.codes
    ex = back.excerpts.set_index("excerpt_id")
    assert ex.loc["UPP-1", "text"] == "Åtta av tio fick jobb efter insatsen."
    assert ex.loc["BOT-2", "text"] == "Vi saknar resurser & tid <nu>."
    assert ex.loc["UPP-2", "respondent_id"] == "R3" and ex.loc["UPP-2", "roll"] == "deltagare"
    assert back.long["forbund"].notna().all()
    # and matrices work on the imported codings
    assert back.matrix("forbund", value="excerpts").counts.to_numpy().sum() == res.wide.to_numpy().sum()


def test_read_qdpx_maps_to_a_given_codebook_and_reports_missing_codes(tmp_path):
    p = tmp_path / "proj.qdpx"
    write_qdpx(CodingResult.from_codes(_excerpts(), "codes_a"), p)
    back = read_qdpx(p, codebook=Codebook.default())
    assert back.codebook == Codebook.default()
    small = Codebook([Code("samsyn", "Samsyn", include=["samsyn"])])
    with pytest.raises(CodebookError, match="finns inte i kodboken"):
        read_qdpx(p, codebook=small)
    bad = tmp_path / "bad.qdpx"
    bad.write_text("ingen zip", encoding="utf-8")
    with pytest.raises(InputFileError, match="ingen QDPX-fil"):
        read_qdpx(bad)
