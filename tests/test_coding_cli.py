"""``finsam-eval koda`` end to end in a temporary folder."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pandas as pd
import pytest

from finsam_eval.cli import main
from finsam_eval.coding import Codebook


def _write_excerpts(path):
    rows = []
    for i in range(30):
        f = ["Botkyrka", "Huddinge", "Uppsala"][i % 3]
        rows.append({"excerpt_id": f"E{i:02d}", "respondent_id": f"R{i % 15:02d}", "forbund": f,
                     "roll": ["styrelse", "samordnare"][i % 2],
                     "text": ["Vi har ingen samsyn om målgruppen.", "Myndighetssamverkan fungerar bra.",
                              "Det saknas resurser och tid för förankring i linjen."][i % 3]})
    pd.DataFrame(rows).to_csv(path, index=False)


def test_koda_writes_tables_and_figures(tmp_path, capsys):
    src = tmp_path / "utdrag.csv"
    _write_excerpts(src)
    out = tmp_path / "ut"
    code = main(["koda", str(src), "--out", str(out), "--qdpx", "--format", "png"])
    assert code == 0
    msg = capsys.readouterr().out
    assert "Kodade 30 utdrag" in msg
    for name in ["kodning_lang.csv", "kodning_bred.csv", "teman.csv", "forekomst.csv", "samforekomst.csv",
                 "matris_forbund_antal.csv", "matris_forbund_andel.csv", "matris_roll_antal.csv", "citat.csv",
                 "teman.png", "matris_forbund.png", "kodning.qdpx"]:
        assert (out / name).exists(), name
    raw = (out / "forekomst.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM so Excel reads UTF-8
    t = pd.read_csv(out / "forekomst.csv", sep=";", decimal=",", encoding="utf-8-sig")
    assert list(t.columns) == ["kod", "etikett", "antal", "bas", "andel", "kvantifierare"]
    row = t.set_index("kod").loc["samverkan"]
    assert row["antal"] == 5 and row["andel"] == pytest.approx(1 / 3, abs=1e-3)
    assert "Förankring" in (out / "teman.csv").read_text(encoding="utf-8-sig")
    # decimal comma in shares
    assert "0,3333" in raw.decode("utf-8-sig")


def test_koda_with_codebook_file_and_framework(tmp_path):
    src = tmp_path / "utdrag.csv"
    _write_excerpts(src)
    kb = tmp_path / "kb.yaml"
    cb = Codebook.default()
    cb.remove("hinder")
    cb.to_yaml(kb)
    assert main(["koda", str(src), "--codebook", str(kb), "--out", str(tmp_path / "a"), "--format", "png",
                 "--citat", "0"]) == 0
    t = pd.read_csv(tmp_path / "a" / "teman.csv", sep=";", decimal=",", encoding="utf-8-sig")
    assert "hinder" not in set(t["kod"])
    assert main(["koda", str(src), "--ramverk", "boklund", "--out", str(tmp_path / "b"), "--format", "png",
                 "--by", "roll"]) == 0
    assert (tmp_path / "b" / "matris_roll.png").exists() and not (tmp_path / "b" / "matris_forbund.png").exists()


def test_koda_reports_a_bad_codebook_cleanly(tmp_path, capsys):
    src = tmp_path / "utdrag.csv"
    _write_excerpts(src)
    kb = tmp_path / "kb.yaml"
    kb.write_text("codes: [{id: a, label: A, include: ['och']}]", encoding="utf-8")
    assert main(["koda", str(src), "--codebook", str(kb), "--out", str(tmp_path / "x")]) == 2
    assert "termen 'och' kan aldrig ge en meningsfull träff" in capsys.readouterr().err
