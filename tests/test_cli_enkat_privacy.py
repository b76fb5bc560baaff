"""``finsam-eval enkat`` with personnummer in a group column: refuse without a key, pseudonymise with one."""

import pandas as pd
import pytest

from finsam_eval.cli import main

PNR = ["19850423-1146", "811218-9876", "196408233234"]


@pytest.fixture()
def survey(tmp_path):
    n = 30
    df = pd.DataFrame({
        "Svars-ID": range(1, n + 1),
        "Handläggare": [PNR[i % 3] for i in range(n)],
        "Samverkan fungerar bra": [["Stämmer helt", "Stämmer delvis", "Stämmer inte alls"][i % 3] for i in range(n)],
    })
    p = tmp_path / "enkat.csv"
    df.to_csv(p, sep=";", index=False, encoding="utf-8-sig")
    return p


def _written(folder):
    return "".join(p.read_bytes().decode("utf-8", "replace") for p in folder.iterdir() if p.suffix == ".csv")


def test_refuses_without_key_and_writes_nothing(survey, tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("FINSAM_NYCKEL", raising=False)
    out = tmp_path / "ut"
    assert main(["enkat", str(survey), "--grupp", "Handläggare", "--ut", str(out)]) == 2
    err = capsys.readouterr().err
    assert "'Handläggare'" in err and "--nyckel-fil" in err and "1146" not in err
    assert not out.exists() or not any(out.iterdir())


def test_key_file_gives_stable_pseudonyms(survey, tmp_path, monkeypatch):
    monkeypatch.delenv("FINSAM_NYCKEL", raising=False)
    key = tmp_path / "nyckel.txt"
    key.write_text("en hemlig fras\n", encoding="utf-8")
    runs = []
    for name in ("a", "b"):
        out = tmp_path / name
        assert main(["enkat", str(survey), "--grupp", "Handläggare", "--nyckel-fil", str(key), "--ut", str(out)]) == 0
        text = _written(out)
        assert not any(p.split("-")[-1] in text for p in PNR) and "9876" not in text
        t = pd.read_csv(out / "enkat_sammanstallning.csv", sep=";", encoding="utf-8-sig")
        runs.append(sorted(t["Handläggare"].unique()))
    assert runs[0] == runs[1] and len(runs[0]) == 3 and all(g.startswith("ID-") for g in runs[0])
