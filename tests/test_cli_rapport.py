"""`finsam-eval rapport`: the demo report end to end, config checking, and no personnummer in any output."""

import re
import zipfile
from pathlib import Path

import pytest
from docx import Document

from finsam_eval.cli import main
from finsam_eval.cli.rapport import check_config, demo_config, load_config
from finsam_eval.errors import ConfigError
from finsam_eval.privacy import find_personnummer

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("rapport")
    assert main(["rapport", "--demo", "--out", str(out), "--tyst"]) == 0
    return out


def _all_text(out: Path) -> str:
    parts = []
    for p in out.rglob("*"):
        if p.suffix == ".docx":
            with zipfile.ZipFile(p) as z:
                parts += [z.read(n).decode("utf-8", "ignore") for n in z.namelist() if n.endswith(".xml")]
        elif p.suffix in (".html", ".md", ".csv", ".svg"):
            # Embedded PNG data is base64, where any digit run can occur; figure texts are checked in the report.
            parts.append(re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", p.read_text(encoding="utf-8-sig")))
    return "\n".join(parts)


def test_demo_report_has_all_sections(demo):
    doc = Document(demo / "rapport.docx")
    heads = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    for h in ("1 Inledning", "2 Metod och material", "3 Samverkan enligt parterna", "4 Deltagarnas erfarenheter",
              "5 Effekter för deltagarna", "Referenser", "Bilaga 1. Kodbok"):
        assert h in heads, h
    text = "\n".join(p.text for p in doc.paragraphs)
    n_fig = len(re.findall(r"^Figur \d+\. ", text, re.M))
    n_tab = len(re.findall(r"^Tabell \d+\. ", text, re.M))
    assert n_fig >= 10 and n_tab >= 10
    # Numbering is consecutive.
    nums = [int(m) for m in re.findall(r"^Tabell (\d+)\. ", text, re.M)]
    assert nums == list(range(1, len(nums) + 1))
    assert len(doc.tables) >= n_tab
    assert "färre än 5" in text or any("färre än 5" in c.text for t in doc.tables for r in t.rows for c in r.cells)
    assert (demo / "rapport.html").stat().st_size > 100_000
    assert len(list((demo / "figurer").glob("*.png"))) == n_fig


def test_no_personnummer_in_any_output(demo):
    # The sample excerpts contain invented personnummer and first names; none may survive into the report.
    text = _all_text(demo)
    assert find_personnummer(text) == []
    for name in demo_config()["kodning"]["namn"]:
        assert not re.search(rf"\b{name}\b", text), name


def test_config_example_is_valid():
    cfg = load_config(ROOT / "data_samples" / "rapport.toml")
    assert {"rapport", "kodning", "enkat", "effekt", "fragestallning", "text"} <= set(cfg)


@pytest.mark.parametrize(
    "cfg,msg",
    [
        ({"rapport": {"titel": "x"}}, "minst ett"),
        ({"kodning": {"fil": "a.csv", "gruper": ["roll"]}}, "okänd nyckel 'gruper' i \\[kodning\\]"),
        ({"kodning": {"fil": "a.csv", "citat_per_tema": "två"}}, "'citat_per_tema' i \\[kodning\\] ska vara ett heltal"),
        ({"enkat": [{"skala": "stammer5"}]}, "saknar nyckeln 'fil'"),
        ({"enkat": [{"fil": "a.csv"}], "fragestallning": [{"fraga": "Hur?", "analyser": ["enkat1.per_roll"]}]},
         "har analyserna"),
        ({"enkat": [{"fil": "a.csv"}], "fragestallning": [{"fraga": "Hur?", "analyser": ["kodning"]}]},
         "blocket 'kodning', som inte finns"),
        ({"effekt": {"fil": "r.csv", "utfall": "y"}, "rapport": {"format": ["pdf"]}}, "okänt format"),
        ({"analys": {}}, "okända avsnitt"),
    ],
)
def test_config_errors_name_the_key(cfg, msg):
    with pytest.raises(ConfigError, match=msg):
        check_config(cfg, "test.toml")


def test_bad_toml_and_missing_file(tmp_path, capsys):
    bad = tmp_path / "r.toml"
    bad.write_text("[kodning\nfil = 'x'", encoding="utf-8")
    with pytest.raises(ConfigError, match="inte giltig TOML"):
        load_config(bad)
    assert main(["rapport", "--config", str(tmp_path / "saknas.toml"), "--out", str(tmp_path)]) == 2
    assert "finns inte" in capsys.readouterr().err


def test_config_run_on_files(tmp_path):
    # The evaluator's path: files on disk, relative to the config.
    from finsam_eval.samples import load_sample

    load_sample("survey_deltagare").to_csv(tmp_path / "enkat.csv", sep=";", index=False, encoding="utf-8-sig")
    (tmp_path / "r.toml").write_text(
        '[rapport]\ntitel = "Test"\nformat = ["docx"]\n\n[[enkat]]\nfil = "enkat.csv"\nskala = "ja_absolut4"\n'
        'fragor = ["d01", "d02"]\ngrupp = "forbund"\n',
        encoding="utf-8",
    )
    assert main(["rapport", "--config", str(tmp_path / "r.toml"), "--out", str(tmp_path / "ut"), "--tyst"]) == 0
    doc = Document(tmp_path / "ut" / "rapport.docx")
    assert any("enkat.csv" in p.text for p in doc.paragraphs)


def test_kontrollera_reports_repairs_and_personnummer(tmp_path, capsys):
    p = tmp_path / "lista.csv"
    p.write_text("id;namn;varde\n19121212-1212;a;1,5\n121212-1212;b;2,5\n", encoding="cp1252")
    assert main(["kontrollera", str(p)]) == 1
    out = capsys.readouterr().out
    assert "2 rader, 3 kolumner" in out and "id: 2" in out and "1212" not in out.replace("lista.csv", "")
    q = tmp_path / "ok.csv"
    q.write_text("a;b\n1;2\n", encoding="utf-8")
    assert main(["kontrollera", str(q)]) == 0
