"""The demo slutrapport read as a deliverable: chapters, TOC, page numbers, tables that fit, clean reader text."""

from __future__ import annotations

import hashlib
import re
import zipfile
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from docx import Document  # noqa: E402
from docx.oxml.ns import qn  # noqa: E402

from finsam_eval.errors import ConfigError  # noqa: E402
from finsam_eval.report import Report  # noqa: E402
from finsam_eval.report.build import _Attribution  # noqa: E402
from finsam_eval.report.layout import text_width_pt  # noqa: E402
from finsam_eval.report.references import sv_sorted  # noqa: E402
from finsam_eval.report.spec import demo_config_path  # noqa: E402

SAMPLES = Path(__file__).resolve().parents[1] / "data_samples"

CHAPTERS = ["Sammanfattning", "1 Inledning", "2 Metod och material", "3 Samverkan enligt parterna",
            "4 Deltagarnas erfarenheter", "5 Effekter för deltagarna", "6 Kostnader och nytta",
            "7 Slutsatser och rekommendationer", "Referenser", "Bilaga 1. Kodbok"]


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> tuple[Report, Path]:
    out = tmp_path_factory.mktemp("demo")
    rep = Report.from_config(demo_config_path(), demo=True)
    rep.write(out, ["docx", "html", "md"])
    return rep, out


def _body_text(docx: Path) -> str:
    doc = Document(docx)
    parts = [p.text for p in doc.paragraphs]
    parts += [c.text for t in doc.tables for r in t.rows for c in r.cells]
    return "\n".join(parts)


def test_chapters_present_and_in_order(demo):
    _, out = demo
    doc = Document(out / "rapport.docx")
    heads = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    positions = [heads.index(c) for c in CHAPTERS]
    assert positions == sorted(positions), heads
    # Built-in heading styles (Rubrik 1-3 in Swedish Word), so the navigation pane works.
    assert {p.style.name for p in doc.paragraphs if p.style.name.startswith("Heading")} <= {
        "Heading 1", "Heading 2", "Heading 3"}
    # Inledning has bakgrund, syfte och frågeställningar, avgränsningar; the method chapter its parts.
    h2 = [p.text for p in doc.paragraphs if p.style.name == "Heading 2"]
    for h in ("1.1 Bakgrund", "1.2 Syfte och frågeställningar", "1.3 Avgränsningar", "2.1 Datakällor och perioder",
              "2.2 Urval och svarsfrekvens", "2.3 Bortfall och exkluderade uppgifter", "2.4 Kodning och reliabilitet",
              "2.5 Analysmetoder"):
        assert h in h2, h


def test_title_page_header_and_page_field(demo):
    rep, out = demo
    doc = Document(out / "rapport.docx")
    first = [p.text for p in doc.paragraphs[:20] if p.text]
    assert first[0] == rep.title and "Version: 1.0" in first and any("Östra Södertörn" in t for t in first)
    with zipfile.ZipFile(out / "rapport.docx") as z:
        footers = [z.read(n).decode("utf-8") for n in z.namelist() if re.match(r"word/footer\d*\.xml", n)]
        headers = [z.read(n).decode("utf-8") for n in z.namelist() if re.match(r"word/header\d*\.xml", n)]
    assert any(re.search(r"<w:instrText[^>]*>\s*PAGE\s*</w:instrText>", f) for f in footers)
    assert any(rep.title in h for h in headers)
    assert doc.sections[0].different_first_page_header_footer  # no page number on the title page


def test_toc_entries_are_text_with_page_numbers(demo):
    _, out = demo
    doc = Document(out / "rapport.docx")
    toc = [p.text for p in doc.paragraphs if p.style.name.startswith("TOC")]
    heads = [p.text for p in doc.paragraphs if p.style.name in ("Heading 1", "Heading 2")]
    assert len(toc) == len(heads)
    for line, head in zip(toc, heads, strict=True):
        title, _, page = line.rpartition("\t")
        assert title == head and page.isdigit()
    pages = [int(t.rpartition("\t")[2]) for t in toc]
    assert pages == sorted(pages) and pages[0] >= 2
    xml = zipfile.ZipFile(out / "rapport.docx").read("word/document.xml").decode("utf-8")
    assert "TOC \\o" in xml and "PAGEREF _Toc" in xml  # Word and LibreOffice can update it


def _sections_of_tables(doc) -> list[tuple[object, int]]:
    """(table element, text width in twips of its section) for every table in the body."""
    body = doc.element.body
    pending, out = [], []
    for child in body.iterchildren():
        if child.tag == qn("w:tbl"):
            pending.append(child)
        sect = child.find(qn("w:pPr") + "/" + qn("w:sectPr")) if child.tag == qn("w:p") else \
            (child if child.tag == qn("w:sectPr") else None)
        if sect is not None:
            size, mar = sect.find(qn("w:pgSz")), sect.find(qn("w:pgMar"))
            width = int(size.get(qn("w:w"))) - int(mar.get(qn("w:left"))) - int(mar.get(qn("w:right")))
            out += [(t, width) for t in pending]
            pending = []
    return out


def test_every_table_fits_its_section_and_no_word_is_broken(demo):
    _, out = demo
    doc = Document(out / "rapport.docx")
    tables = _sections_of_tables(doc)
    assert len(tables) == len(doc.tables) and tables
    for tbl, width in tables:
        grid = [int(g.get(qn("w:w"))) for g in tbl.find(qn("w:tblGrid")).findall(qn("w:gridCol"))]
        assert sum(grid) <= width, (sum(grid), width)
        mar = tbl.find(qn("w:tblPr") + "/" + qn("w:tblCellMar"))
        pad = sum(int(mar.find(qn(f"w:{s}")).get(qn("w:w"))) for s in ("left", "right"))
        for r, tr in enumerate(tbl.findall(qn("w:tr"))):
            for j, tc in enumerate(tr.findall(qn("w:tc"))):
                for run in tc.iter(qn("w:r")):
                    text = "".join(t.text or "" for t in run.iter(qn("w:t")))
                    sz = run.find(qn("w:rPr") + "/" + qn("w:sz"))
                    size = int(sz.get(qn("w:val"))) / 2
                    for word in text.replace("/", "/ ").split():
                        need = text_width_pt(word, size, bold=r == 0) * 20 + pad
                        assert need <= grid[j] + 1, (word, need, grid[j])


def test_no_figure_twice_and_every_item_broken_down(demo):
    rep, out = demo
    with zipfile.ZipFile(out / "rapport.docx") as z:
        media = [hashlib.sha256(z.read(n)).hexdigest() for n in z.namelist() if n.startswith("word/media/")]
    assert len(media) == len(set(media)) == len(rep.figures)
    # All ten items of the partner survey and all six of the participant survey per förbund, not the first.
    text = _body_text(out / "rapport.docx")
    assert text.count("svar per förbund (") >= 2 * 4 + 2 * 2  # heading and TOC line per figure
    cells = [b for b in rep.appendix_tables if "svar per förbund" in b.caption]
    items = {str(v) for b in cells for v in b.data.get("text", b.data.get("item", pd.Series(dtype=str)))}
    assert len(items) == 16


def test_no_statistical_parameter_suppressed(demo):
    _, out = demo
    doc = Document(out / "rapport.docx")
    params = ("Frihetsgrader", "p-värde", "Medelfel", "Skattning", "Effekt (ATT)", "H", "KI nedre", "KI övre")
    for t in doc.tables:
        head = [c.text for c in t.rows[0].cells]
        for j, h in enumerate(head):
            if h in params:
                assert all(r.cells[j].text != ".." for r in t.rows[1:]), h
        if head[:2] == ["Mått", "Värde"]:
            for r in t.rows[1:]:
                if r.cells[0].text in params:
                    assert r.cells[1].text != "..", r.cells[0].text


def test_references_collected_from_the_analyses(demo):
    rep, out = demo
    text = _body_text(out / "rapport.docx")
    refs = text[text.index("\nReferenser\n"):text.index("Bilaga 1. Kodbok", text.index("\nReferenser\n"))]
    for author in ("Wilson, E. B. (1927)", "Krippendorff, K. (2004)", "Austin, P. C. (2011)",
                   "Callaway, B. & Sant'Anna", "Cronbach, L. J. (1951)", "Kruskal, W. H."):
        assert author in refs, author
    cited = [ln for ln in refs.splitlines()[2:] if ln.strip()]
    assert cited == sv_sorted(cited)
    assert "Newcombe" not in refs  # not used by any analysis in the demo: not listed


def test_quotes_never_point_to_fewer_than_k_people():
    ex = pd.DataFrame({
        "respondent_id": [f"R{i}" for i in range(12)],
        "roll": ["styrelse"] * 6 + ["samordnare"] * 2 + ["deltagare"] * 4,
        "forbund": ["Botkyrka"] * 5 + ["Huddinge"] + ["Huddinge"] * 2 + ["Huddinge"] * 4,
    })
    who = _Attribution(ex, k=5)
    assert who("styrelse", "Botkyrka") == "styrelse, Botkyrka"  # five board members in Botkyrka
    assert who("styrelse", "Huddinge") == "styrelse"  # one in Huddinge: role only (six in all)
    assert who("samordnare", "Huddinge") == "Huddinge"  # two coordinators: förbund only (seven there)
    assert who("deltagare", None) == ""  # four participants, no förbund: no attribution
    assert _Attribution(ex, k=8)("styrelse", "Botkyrka") == ""


def test_swedish_collation():
    assert sv_sorted(["Östra Södertörn", "Ärla", "Åby", "Uppsala", "Zeta", "Botkyrka"]) == [
        "Botkyrka", "Uppsala", "Zeta", "Åby", "Ärla", "Östra Södertörn"]


_SNAKE = re.compile(r"(?<![\w./-])[a-zåäö]+(?:_[a-zåäö0-9]+)+(?![\w.]*\.(?:csv|gz|png|svg|md|yaml|toml|txt))\b")
_CALL = re.compile(r"\b[a-z_]+\(\)")
_ASSIGN = re.compile(r"\b[a-z_]+=[\w'\"]")
_QUOTED = re.compile(r"'[a-z]+(?:_[a-z0-9]+)*'")


def _identifiers(text: str) -> set[str]:
    return {m.group(0) for rx in (_SNAKE, _CALL, _ASSIGN, _QUOTED) for m in rx.finditer(text)}


def test_no_identifiers_in_the_reports_own_text(demo):
    """Headings and paragraphs the report writes itself (chapters, method text, narrative) are clean."""
    from finsam_eval.report.document import Heading, Paragraph

    rep, _ = demo
    own = [b.text for b in [*rep.blocks, *rep.appendix_blocks()]
           if isinstance(b, Heading) or (isinstance(b, Paragraph) and b.style != "quote")]
    found = sorted({i for t in own for i in _identifiers(t)} - {"finsam_eval"})  # the program's name
    assert not found, found


def test_no_identifiers_anywhere_in_reader_text(demo):
    _, out = demo
    html = re.sub(r"<[^>]+>", " ", re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "",
                                          (out / "rapport.html").read_text(encoding="utf-8")))
    texts = {"docx": _body_text(out / "rapport.docx"), "html": html,
             "md": (out / "rapport.md").read_text(encoding="utf-8")}
    found = {k: sorted(_identifiers(v)) for k, v in texts.items()}
    assert not any(found.values()), found


def test_from_config_dict_is_the_same_path(tmp_path):
    from finsam_eval.samples import load_sample

    load_sample("survey_deltagare").to_csv(tmp_path / "enkat.csv", sep=";", index=False, encoding="utf-8-sig")
    (tmp_path / "inledning.md").write_text("Bakgrunden står i en egen fil.\n\n- en punkt\n- en till\n",
                                           encoding="utf-8")
    cfg = {"rapport": {"titel": "Test", "version": "0.9"},
           "text": {"bakgrund": str(tmp_path / "inledning.md")},
           "enkat": [{"namn": "d", "fil": str(tmp_path / "enkat.csv"), "skala": "ja_absolut4",
                      "fragor": ["d01", "d02"], "grupp": "forbund"}],
           "fragestallning": [{"fraga": "Hur nöjda är deltagarna?", "rubrik": "Deltagarna",
                               "analyser": ["d.svar", "d.per_grupp"]}]}
    rep = Report.from_config(cfg)
    heads = [b.text for b in rep.blocks if type(b).__name__ == "Heading" and b.level == 1]
    assert heads == ["1 Inledning", "2 Metod och material", "3 Deltagarna"]
    bullets = [b.text for b in rep.blocks if getattr(b, "style", "") == "bullet"]
    assert "en punkt" in bullets
    cfg["fragestallning"][0]["analyser"] = ["d.per_roll"]
    with pytest.raises(ConfigError, match="har analyserna"):
        Report.from_config(cfg)
    cfg["fragestallning"][0]["analyser"] = ["d"]
    cfg["text"]["bakgrund"] = "saknas.md"
    with pytest.raises(ConfigError, match="saknas.md"):
        Report.from_config(cfg)


def test_framework_matrix_in_the_appendix_only_for_forbund_with_k_people(demo):
    """Bilaga: themes x förbund; a förbund column appears only when at least k people were interviewed there."""
    rep, out = demo
    md = (out / "rapport.md").read_text(encoding="utf-8")
    assert "Bilaga 2. Ramverksmatris" in md
    block = md.split("**Ramverksmatris: teman per förbund**", 1)[1].split("\n\n", 2)[1]
    header = [h.strip() for h in block.splitlines()[0].strip("|").split("|")]
    ex = pd.read_csv(SAMPLES / "intervjuutdrag.csv", sep=None, engine="python", encoding="utf-8-sig")
    people = ex.groupby("forbund")["respondent_id"].nunique()
    assert header[0] == "Tema" and set(header[1:]) == set(people.index[people >= 5])
    assert "Legitimitet" in block and "Samsyn" in block
    left_out = sorted(people.index[people < 5])
    assert f"Förbund med färre än 5 intervjuade visas inte, så att citaten inte kan knytas till enskilda personer: " \
           f"{', '.join(left_out)}." in md
