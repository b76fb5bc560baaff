"""A slutrapport built from an evaluator's own files, written the way other tools write them.

The demo runs on our samples; this report runs on a Webropol-style workbook (7-point scale with end labels only,
'Vet inte', a 'Förbund' column, matrix-question headers "Fråga - Påstående"), Teams captions (.vtt) and no
register, with a config that gives no headings. A board member reading it must not meet file names in headings,
code ids in tables, analyst advice with option names in the appendix, or empty quote headings.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from docx import Document

from finsam_eval import Report

_SNAKE = re.compile(r"(?<![\w./-])[a-zåäö]+(?:_[a-zåäö0-9]+)+(?![\w.]*\.(?:csv|gz|png|svg|md|yaml|toml|txt|xlsx|xls|sav|vtt|srt|docx|parquet))\b")
_CALL = re.compile(r"\b[a-z_]+\(\)")
_ASSIGN = re.compile(r"\b[a-z_]+=[\w'\"]")
_QUOTED = re.compile(r"'[a-z]+(?:_[a-z0-9]+)*'")


def _identifiers(text: str) -> set[str]:  # as in test_report_structure
    return {m.group(0) for rx in (_SNAKE, _CALL, _ASSIGN, _QUOTED) for m in rx.finditer(text)}


def _body_text(docx: Path) -> str:
    doc = Document(docx)
    return "\n".join([p.text for p in doc.paragraphs] + [c.text for t in doc.tables for r in t.rows for c in r.cells])

STEM = "Hur väl stämmer följande påståenden om samverkan i ert förbund?"
STATEMENTS = ["Parterna har en gemensam bild av målgruppen", "Jag vet vad förbundet finansierar",
              "Det är svårt att få tid för samverkan"]
VTT = """WEBVTT

00:00:02.000 --> 00:00:06.000
<v Karin Ek>Hur ser du på förbundets roll hos er?</v>

00:00:06.500 --> 00:00:14.000
<v {name}>Cheferna känner till förbundet, men det ligger lite vid sidan om det vanliga arbetet.</v>

00:00:15.000 --> 00:00:18.000
<v Karin Ek>Har ni en gemensam bild av målgruppen?</v>

00:00:18.500 --> 00:00:26.000
<v {name}>Nej, vi drar åt olika håll. Kommunen ser försörjning, vi ser arbetsmarknad.</v>
"""


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> tuple[Report, Path]:
    d = tmp_path_factory.mktemp("egen")
    rng = np.random.default_rng(5)
    labels = ["1 Instämmer inte alls", "2", "3", "4", "5", "6", "7 Instämmer helt", "Vet inte"]
    rows = []
    for i in range(60):
        r = {"Svars-ID": 1000 + i, "Förbund": ["Botkyrka", "Huddinge", "Södertälje"][i % 3]}
        for s in STATEMENTS:
            r[f"{STEM} - {s}"] = labels[int(rng.integers(0, 8))]
        rows.append(r)
    pd.DataFrame(rows).to_excel(d / "webropol_export.xlsx", index=False)
    (d / "teams").mkdir()
    for f, name in [("Botkyrka_styrelse_R1.vtt", "Olle Berg"), ("Huddinge_samordnare_R2.vtt", "Lisa Holm")]:
        (d / "teams" / f).write_text(VTT.format(name=name), encoding="utf-8")
    (d / "egen.toml").write_text("""
[rapport]
titel = "Utvärdering av samverkan"
forbund = "Samordningsförbundet Nacka"
forfattare = "Utvärderaren"
datum = "2026-11-27"

[text]
sammanfattning = "Kort sammanfattning."

[[fragestallning]]
fraga = "Hur ser parterna på samverkan?"
analyser = ["parter.svar", "parter.per_grupp", "kodning.teman", "kodning.citat"]

[kodning]
fil = "teams"
filnamn = "{forbund}_{roll}_{respondent}"

[[enkat]]
namn = "parter"
fil = "webropol_export.xlsx"
grupp = "Förbund"
""", encoding="utf-8")
    out = d / "rapport"
    rep = Report.from_config(d / "egen.toml")
    rep.write(out, ["docx", "html", "md"])
    return rep, out


def _texts(out: Path) -> dict[str, str]:
    html = re.sub(r"<[^>]+>", " ", re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "",
                                          (out / "rapport.html").read_text(encoding="utf-8")))
    return {"docx": _body_text(out / "rapport.docx"), "html": html,
            "md": (out / "rapport.md").read_text(encoding="utf-8")}


def test_display_names_from_captions_never_reach_the_report(report):
    for kind, text in _texts(report[1]).items():
        for name in ("Olle", "Berg", "Lisa Holm", "Karin"):
            assert name not in text, (kind, name)


def test_no_identifiers_or_option_advice_in_reader_text(report):
    found = {k: sorted(_identifiers(v)) for k, v in _texts(report[1]).items()}
    assert not any(found.values()), found
    for kind, text in _texts(report[1]).items():
        for code in ("CLI:", "=True", "{forbund}", "--respondent", "interviewer_labels"):
            assert code not in text, (kind, code)


def test_headings_do_not_carry_file_names(report):
    doc = Document(report[1] / "rapport.docx")
    heads = [p.text for p in doc.paragraphs if p.style.name.lower().startswith(("heading", "rubrik"))]
    assert heads and not [h for h in heads if re.search(r"\.(xlsx|csv|vtt)\b", h)], heads


def test_reader_tables_show_labels_not_code_ids(report):
    from finsam_eval.coding import Codebook

    cb = Codebook.default()
    ids = {c.id for c in cb.codes} - {c.label.lower() for c in cb.codes}
    doc = Document(report[1] / "rapport.docx")
    cells = {c.text.strip() for t in doc.tables for r in t.rows for c in r.cells}
    assert not (ids & cells), sorted(ids & cells)


def test_no_empty_quote_headings(report):
    md = (report[1] / "rapport.md").read_text(encoding="utf-8")
    lines = [ln.strip() for ln in md.splitlines()]
    # a line naming a theme ("Legitimitet:") must be followed by a quote, not by the next theme or nothing
    for i, ln in enumerate(lines):
        if re.fullmatch(r"\*{0,2}[A-ZÅÄÖ][a-zåäö ]+:\*{0,2}", ln):
            nxt = next((x for x in lines[i + 1:] if x), "")
            assert not re.fullmatch(r"\*{0,2}[A-ZÅÄÖ][a-zåäö ]+:\*{0,2}", nxt) and nxt, (ln, nxt)
