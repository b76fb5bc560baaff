"""REFI-QDA without loss: flags in the round trip, MAXQDA and NVivo dialects, bare .qde, file paths, privacy."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from finsam_eval.coding import CodingResult, code_excerpts
from finsam_eval.coding.refi import PROJECT_NS, qdpx_bytes, read_qdpx, validate_qdpx, write_qdpx
from finsam_eval.errors import InputFileError, PrivacyError

DATA = Path(__file__).parent / "data" / "refi"
P = f"{{{PROJECT_NS}}}"


def _zip_dir(folder: Path, dest: Path) -> Path:
    """Zip a fixture folder into a .qdpx the way the tools do (project.qde at the root)."""
    with zipfile.ZipFile(dest, "w") as zf:
        for f in sorted(folder.rglob("*")):
            if f.is_file() and f.name != "README.md":
                zf.write(f, f.relative_to(folder).as_posix())
    return dest


def _flagged() -> pd.DataFrame:
    return pd.DataFrame({
        "excerpt_id": ["A-1", "A-2", "B-1", "B-2"],
        "respondent_id": ["R1", "R1", "R2", "R3"],
        "forbund": ["Alfa", "Alfa", "Beta", "Beta"],
        "roll": ["styrelse", "styrelse", "samordnare", "chef"],
        "text": ["Det finns ingen samsyn mellan parterna.", "Insatsen är i viss mån förankrad i linjen.",
                 "Samverkan fungerar bra.", "Vi saknar resurser."],
    })


def _keyed(long: pd.DataFrame) -> pd.DataFrame:
    return long.set_index(["excerpt_id", "code"])[["negated", "hedged"]].sort_index()


@pytest.mark.parametrize("dialect", ["refi", "maxqda"])
@pytest.mark.parametrize("selection", ["excerpt", "match"])
def test_negation_and_hedging_survive_the_round_trip(dialect, selection):
    res = code_excerpts(_flagged())
    assert res.long["negated"].any() and res.long["hedged"].any()  # the fixture exercises both flags
    back = read_qdpx(qdpx_bytes(res, dialect=dialect, selection=selection))
    pd.testing.assert_frame_equal(_keyed(back.long), _keyed(res.long))
    assert "anteckning" not in back.long.columns  # our own flag lines are not kept as free-text memos
    # and the result reports the negated codings as the original does
    assert any("negerade" in n for n in back.notes)


def test_flags_are_a_readable_coding_memo_and_valid_refi():
    pytest.importorskip("xmlschema")
    res = code_excerpts(_flagged())
    data = qdpx_bytes(res)
    validate_qdpx(data)
    root = ET.fromstring(zipfile.ZipFile(io.BytesIO(data)).read("project.qde"))
    memos = [d.text for d in root.iter(f"{P}Description") if d.text and "[finsam_eval] {" in d.text
             and "negated" in d.text]
    assert any(m.startswith("Negerad:") for m in memos) and any(m.startswith("Garderad:") for m in memos)
    # unflagged codings carry no memo
    n_sel = len(list(root.iter(f"{P}PlainTextSelection")))
    assert len(memos) < n_sel


def test_maxqda_dialect_layout_and_sets():
    res = code_excerpts(_flagged())
    data = qdpx_bytes(res, dialect="maxqda")
    zf = zipfile.ZipFile(io.BytesIO(data))
    assert all(n == "project.qde" or n.startswith("sources/") for n in zf.namelist())
    root = ET.fromstring(zf.read("project.qde"))
    sets = root.findall(f"{P}Sets/{P}Set")
    assert [s.get("name") for s in sets] == ["Alfa", "Beta"]
    assert [len(s.findall(f"{P}MemberSource")) for s in sets] == [2, 2]
    back = read_qdpx(data)
    ex = back.excerpts.set_index("excerpt_id")
    assert ex["dokumentset"].tolist() == ["Alfa", "Alfa", "Beta", "Beta"]
    assert (ex["dokumentset"] == ex["forbund"]).all()
    # the standard dialect writes Sources/ and no Sets unless asked
    std = zipfile.ZipFile(io.BytesIO(qdpx_bytes(res)))
    assert all(n == "project.qde" or n.startswith("Sources/") for n in std.namelist())
    assert b"<Sets>" not in std.read("project.qde")
    assert b"<Sets>" in zipfile.ZipFile(io.BytesIO(qdpx_bytes(res, sets="roll"))).read("project.qde")
    with pytest.raises(ValueError, match="dialect"):
        qdpx_bytes(res, dialect="nvivo12")


def _check_maxqda(back: CodingResult) -> None:
    ex = back.excerpts.set_index("excerpt_id")
    # two documents named "Intervju 2": both kept, the second renamed, and the renaming reported
    assert list(ex.index) == ["Intervju 1", "Intervju 2", "Intervju 2 (2)", "Intervju 4"]
    assert any(e.action == "omdöpt" for e in back.exclusions.items)
    assert ex.loc["Intervju 1", "text"].startswith("Förbundet är inte känt alls")
    # variables on MAXQDA's nameless cases become columns of their document; no respondent made up
    assert "respondent_id" not in ex.columns
    assert ex.loc["Intervju 1", "Förbund"] == "Södra" and ex.loc["Intervju 1", "Intervjuår"] == "2024"
    assert ex.loc["Intervju 2 (2)", "Förbund"] == "Norra" and pd.isna(ex.loc["Intervju 2", "Förbund"])
    assert ex["dokumentset"].tolist() == ["Södra förbundet", "Södra förbundet", "Norra förbundet",
                                          "Norra förbundet"]
    # nested codes
    cb = back.codebook
    assert cb.get("kand_i_linjen").parent == "legitimitet" and cb.get("prioriterad").parent == "legitimitet"
    assert cb.get("legitimitet").definition == "Förbundets ställning hos medlemmarna."
    long = back.long.set_index(["excerpt_id", "code"])
    assert bool(long.loc[("Intervju 1", "kand_i_linjen"), "negated"])      # a person's memo "Negerad. ..."
    assert bool(long.loc[("Intervju 2", "samsyn"), "hedged"])               # our flag line, kept by MAXQDA
    assert not bool(long.loc[("Intervju 2", "samsyn"), "negated"])
    assert bool(long.loc[("Intervju 2 (2)", "implementering"), "negated"])
    assert not bool(long.loc[("Intervju 4", "prioriterad"), "negated"])    # two selections, one coding
    assert long.loc[("Intervju 1", "kand_i_linjen"), "anteckning"].startswith("Negerad. Temat")
    # what could not be read is counted, not dropped
    reasons = " ".join(e.reason for e in back.exclusions.items)
    assert "PDF" in reasons and "utan kod" in reasons
    assert any("PDF" in n for n in back.notes)
    # sub-codes roll up into their parent
    assert back.wide.shape[0] == 4


def test_read_maxqda_qdpx(tmp_path):
    _check_maxqda(read_qdpx(_zip_dir(DATA / "maxqda", tmp_path / "maxqda.qdpx")))


def test_read_bare_qde_with_sources_beside_it():
    _check_maxqda(read_qdpx(DATA / "maxqda" / "project.qde"))
    # the bytes of a .qde hold no texts: say where they were looked for and what to do
    with pytest.raises(InputFileError, match="hittades inte.*sources/"):
        read_qdpx((DATA / "maxqda" / "project.qde").read_bytes())


def test_bare_qde_without_its_texts_names_the_fix(tmp_path):
    qde = tmp_path / "projekt.qde"
    qde.write_bytes((DATA / "maxqda" / "project.qde").read_bytes())
    with pytest.raises(InputFileError, match="projekt.qde.*hittades inte.*mappen sources/"):
        read_qdpx(qde)


def test_read_nvivo_project(tmp_path):
    back = read_qdpx(_zip_dir(DATA / "nvivo", tmp_path / "nvivo.qdpx"))
    ex = back.excerpts.set_index("excerpt_id")
    assert ex.loc["Intervju A del 1", "text"] == "Samverkan fungerar bättre nu än för två år sedan."  # BOM dropped
    assert (ex["respondent_id"] == "Respondent A").all() and (ex["forbund"] == "Östra").all()
    assert "dokumentset" not in ex.columns
    long = back.long.set_index(["excerpt_id", "code"])
    assert long.loc[("Intervju A del 2", "samsyn"), "anteckning"] == "Jämför med styrelsens svar."
    assert not long["negated"].any() and not long["hedged"].any()
    assert not back.exclusions


def test_fixtures_follow_the_refi_schema():
    pytest.importorskip("xmlschema")
    validate_qdpx(DATA / "maxqda" / "project.qde")
    validate_qdpx(DATA / "nvivo" / "project.qde")


def test_write_qdpx_returns_a_path_and_has_a_default(tmp_path, monkeypatch):
    res = code_excerpts(_flagged())
    p = write_qdpx(res, tmp_path / "ut.qdpx")
    assert isinstance(p, Path) and p.read_bytes() == qdpx_bytes(res)
    assert not isinstance(res.to_qdpx(tmp_path / "b.qdpx"), bytes)
    monkeypatch.chdir(tmp_path)
    d = write_qdpx(res, name="Södra kodning")
    assert d == tmp_path / "sodra-kodning.qdpx" and d.exists()


def test_privacy_guard_on_every_write(tmp_path):
    df = _flagged()
    df.loc[1, "text"] = "Kontakta 19121212-1212 om detta."
    res = CodingResult.from_codes(df.assign(k=[["samsyn"], [], [], []]), "k")
    target = tmp_path / "x.qdpx"
    with pytest.raises(PrivacyError):
        write_qdpx(res, target)
    assert not target.exists()
    with pytest.raises(PrivacyError):
        qdpx_bytes(res)
    ok = CodingResult.from_codes(_flagged().assign(k=[["samsyn"], [], [], []]), "k")
    with pytest.raises(PrivacyError):
        write_qdpx(ok, tmp_path / "19121212-1212.qdpx")
    with pytest.raises(PrivacyError):
        qdpx_bytes(ok, dialect="maxqda", sets="roll", name="19121212-1212")
