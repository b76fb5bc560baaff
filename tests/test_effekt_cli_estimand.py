"""finsam-eval effekt: --estimand, --metod, --se and --n-boot (issue 10)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from finsam_eval.cli import main


def test_weighting_ate_and_matching_atc(tmp_path: Path) -> None:
    out = tmp_path / "ipw"
    assert main(["effekt", "--demo", "--metod", "ipw", "--estimand", "ATE", "--exakt", "", "--grupp", "",
                 "--ut", str(out)]) == 0
    text = (out / "sammanfattning.txt").read_text(encoding="utf-8")
    assert "Skattad effekt (ATE)" in text and "IPW" in text
    out2 = tmp_path / "atc"
    assert main(["effekt", "--demo", "--estimand", "ATC", "--se", "robust", "--grupp", "", "--ut", str(out2)]) == 0
    e = pd.read_csv(out2 / "effekt.csv", sep=";", decimal=",", encoding="utf-8-sig")
    assert any("ATC" in str(c) for c in e.columns)


def test_weighting_refuses_exact_with_the_fix(tmp_path: Path, capsys) -> None:
    rc = main(["effekt", "--demo", "--metod", "entropy", "--ut", str(tmp_path / "x")])
    assert rc != 0
    assert '--exakt ""' in capsys.readouterr().err
