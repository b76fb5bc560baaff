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
    # decimal comma in shares, rounded to three decimals
    assert "0,333;" in raw.decode("utf-8-sig") and "0,3333" not in raw.decode("utf-8-sig")


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


# --------------------------------------------------------------------------- own files (issue 9)
def _table(path, header, rows, sep=";"):
    path.write_text("\n".join([sep.join(header), *(sep.join(r) for r in rows)]) + "\n", encoding="utf-8")
    return path


_SAYINGS = [
    "Vi har fått en helt annan samsyn kring målgruppen sedan vi började träffas.",
    "Samverkan med Arbetsförmedlingen fungerar bra nu, det gjorde den inte förut.",
    "Det saknas resurser, ärligt talat, vi är två personer på hela kommunen.",
    "Förankringen i linjen är svag, cheferna vet knappt vad vi gör.",
]


def test_koda_counts_respondents_from_a_column_called_respondent(tmp_path, capsys):
    # 20 excerpts from 4 people in each of two förbund; R01-R04 reused in both (8 people).
    rows = [[f"{f[:3]}-{i}", f"R0{i % 4 + 1}", f, _SAYINGS[i % 4]] for f in ("Botkyrka", "Huddinge") for i in range(10)]
    src = _table(tmp_path / "utdrag.csv", ["id", "respondent", "Förbund", "Citat"], rows)
    out = tmp_path / "ut"
    assert main(["koda", str(src), "--id", "id", "--ut", str(out), "--format", "png", "--citat", "1"]) == 0
    msg = capsys.readouterr().out
    assert "Kodade 20 utdrag från 8 respondenter" in msg
    t = pd.read_csv(out / "forekomst.csv", sep=";", decimal=",", encoding="utf-8-sig")
    assert (t["bas"] == 8).all()  # people, not excerpts, and R01 in Botkyrka is not R01 in Huddinge
    lang = pd.read_csv(out / "kodning_lang.csv", sep=";", encoding="utf-8-sig")
    assert list(lang.columns[:4]) == ["utdrag_id", "kod", "etikett", "poang"]
    assert set(lang["respondent"]) <= {f"{f}:R0{k}" for f in ("Botkyrka", "Huddinge") for k in range(1, 5)}
    assert "<NA>" not in (out / "kodning_lang.csv").read_text(encoding="utf-8-sig")
    cit = pd.read_csv(out / "citat.csv", sep=";", encoding="utf-8-sig")
    assert list(cit.columns[:3]) == ["tema", "utdrag_id", "citat"]


def test_koda_states_the_fallback_without_a_respondent_column(tmp_path, capsys):
    rows = [[f, _SAYINGS[i % 4]] for f in ("Botkyrka", "Huddinge") for i in range(10)]
    src = _table(tmp_path / "utdrag.csv", ["forbund", "text"], rows)
    out = tmp_path / "ut"
    assert main(["koda", str(src), "--ut", str(out), "--format", "png"]) == 0
    msg = capsys.readouterr().out
    assert "varje utdrag räknas därför som en egen respondent" in msg and "Tabellerna räknar därför utdrag" in msg
    assert "respondenter:" not in msg.split("\n")[0]
    assert (out / "matris_forbund_utdrag.csv").exists() and not (out / "matris_forbund_antal.csv").exists()
    t = pd.read_csv(out / "forekomst.csv", sep=";", decimal=",", encoding="utf-8-sig")
    assert (t["bas"] == 20).all()


def test_koda_refuses_personnummer_without_a_key_and_pseudonymises_with_one(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("FINSAM_NYCKEL", raising=False)
    pnr = "19811218-9876"  # invented, valid check digit
    rows = [[f"R{i}", "Uppsala", _SAYINGS[i % 4]] for i in range(12)]
    rows[3][2] = f"Hon ringde mig, hennes nummer är {pnr}, och sa att samverkan fungerar bra nu."
    rows[5][2] = "Karin på socialtjänsten tycker att samverkan fungerar bra, säger hon."
    src = _table(tmp_path / "utdrag.csv", ["respondent_id", "forbund", "text"], rows)
    out = tmp_path / "ut"
    assert main(["koda", str(src), "--ut", str(out), "--format", "png"]) == 2
    err = capsys.readouterr().err
    assert "sätt FINSAM_NYCKEL=... eller ange --nyckel-fil" in err and "1 utdrag" in err
    assert pnr not in err and not out.exists()  # nothing written
    names = tmp_path / "namn.txt"
    names.write_text("Karin\n", encoding="utf-8")
    key = tmp_path / "nyckel.txt"
    key.write_text("en hemlig fras\n", encoding="utf-8")
    assert main(["koda", str(src), "--ut", str(out), "--format", "png", "--namnlista", str(names)]) == 2
    assert "2 utdrag" in capsys.readouterr().err
    assert main(["koda", str(src), "--ut", str(out), "--format", "png", "--namnlista", str(names),
                 "--nyckel-fil", str(key), "--citat", "12"]) == 0
    assert "Pseudonymiserade 2 personnummer och namn i 2 utdrag med nyckeln från --nyckel-fil" in capsys.readouterr().out
    every = "".join(p.read_text(encoding="utf-8-sig") for p in out.glob("*.csv"))
    assert "9876" not in every and "Karin" not in every and "[PNR-" in every and "[Person-" in every
    monkeypatch.setenv("FINSAM_NYCKEL", "en hemlig fras")  # the same key from the environment
    assert main(["koda", str(src), "--ut", str(tmp_path / "b"), "--format", "png", "--namnlista", str(names),
                 "--citat", "12"]) == 0
    assert "med nyckeln från FINSAM_NYCKEL" in capsys.readouterr().out
    b = "".join(p.read_text(encoding="utf-8-sig") for p in (tmp_path / "b").glob("*.csv"))
    assert b == every  # same key, same pseudonyms


def test_koda_swedish_flags_old_flags_hidden_and_transcripts(tmp_path, capsys):
    with pytest.raises(SystemExit):
        main(["koda", "--help"])
    helptext = capsys.readouterr().out
    for flag in ("--respondent", "--forbund", "--roll", "--fraga", "--filnamn", "--nyckel-fil", "--kodbok", "--ut"):
        assert flag in helptext, flag
    for old in ("--text-col", "--id-col", "--codebook", "--min-score"):
        assert old not in helptext, old
    src = _table(tmp_path / "u.csv", ["nr", "svarstext", "IP"], [[str(i), _SAYINGS[i % 4], f"p{i % 3}"]
                                                              for i in range(9)])
    assert main(["koda", str(src), "--text-col", "svarstext", "--id-col", "nr", "--out", str(tmp_path / "o"),
                 "--format", "png"]) == 0
    assert "Kodade 9 utdrag från 3 respondenter" in capsys.readouterr().out
    folder = tmp_path / "intervjuer"
    folder.mkdir()
    for f, r in (("Botkyrka", "R01"), ("Huddinge", "R01")):
        (folder / f"{f}_styrelse_{r}.txt").write_text(
            "Intervju 2024-03-12\n\nI: Hur fungerar samverkan?\nIP: " + _SAYINGS[1] + "\nI: Och resurserna?\nIP: "
            + _SAYINGS[2] + "\n", encoding="utf-8")
    out = tmp_path / "t"
    assert main(["koda", str(folder), "--filnamn", "{forbund}_{roll}_{respondent}", "--ut", str(out),
                 "--format", "png"]) == 0
    assert "Kodade 4 utdrag från 2 respondenter" in capsys.readouterr().out
    lang = pd.read_csv(out / "kodning_lang.csv", sep=";", encoding="utf-8-sig")
    assert set(lang["fraga"]) == {"Hur fungerar samverkan?", "Och resurserna?"}
    # an interviewer who writes her name as the label
    (folder / "Uppsala_styrelse_R02.txt").write_text(
        "Lena: Hur ser det ut hos er?\nIP: " + _SAYINGS[0] + "\n", encoding="utf-8")
    assert main(["koda", str(folder), "--filnamn", "{forbund}_{roll}_{respondent}", "--intervjuare", "Lena",
                 "--ut", str(out), "--format", "png"]) == 0
    assert "Kodade 5 utdrag från 3 respondenter" in capsys.readouterr().out
    lang = pd.read_csv(out / "kodning_lang.csv", sep=";", encoding="utf-8-sig")
    assert "Hur ser det ut hos er?" in set(lang["fraga"])
