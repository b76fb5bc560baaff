"""``finsam-eval effekt`` end to end on a small simulated register panel."""

from __future__ import annotations

import numpy as np
import pandas as pd

from finsam_eval.cli import main


def _panel(path):
    rng = np.random.default_rng(7)
    n, T = 900, 12
    treated = (np.arange(n) < 120).astype(int)
    rows = pd.DataFrame({
        "person_id": [f"L{i:07d}" for i in range(n)],
        "forbund": rng.choice(["Botkyrka", "Huddinge", "Södertälje"], n),
        "kon": rng.choice(["Kvinna", "Man"], n),
        "alder": rng.integers(20, 60, n),
        "utbildning": rng.choice(["Förgymnasial", "Gymnasial", "Eftergymnasial"], n),
        "manader_stod": rng.integers(0, 24, n),
        "deltagare": treated,
        "start_period": np.where(treated == 1, 5 + np.arange(n) % 3, np.nan),
    })
    panel = rows.loc[rows.index.repeat(T)].reset_index(drop=True)
    panel["period"] = np.tile(np.arange(T), n)
    post = (panel.period >= panel.start_period).fillna(False)
    panel["arbete_studier"] = (rng.random(len(panel)) < 0.2 + 0.15 * post).astype(int)
    panel["start_period"] = panel["start_period"].astype("Int64")
    panel.to_csv(path, sep=";", index=False)
    return panel


def test_cli_effekt_writes_tables_and_figures(tmp_path, capsys):
    f = tmp_path / "register.csv"
    _panel(f)
    out = tmp_path / "ut"
    rc = main(["effekt", str(f), "--outcome", "arbete_studier", "--covariates", "kon,alder,utbildning,manader_stod",
               "--exact", "forbund,kon", "--by", "forbund", "--out", str(out)])
    assert rc == 0
    for name in ["balans.csv", "effekt.csv", "effekt_per_forbund.csv", "matchning_antal.csv", "love_plot.png",
                 "overlappning.png", "forest_plot.png", "sammanfattning.txt"]:
        assert (out / name).exists(), name
    raw = (out / "effekt.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM for Excel
    e = pd.read_csv(out / "effekt.csv", sep=";", decimal=",", encoding="utf-8-sig")
    # Swedish headers, counts as integers, p as text for Excel ("< 0,001"), no float noise
    assert e.loc[0, "Antal deltagare"] == 120 and "Antal deltagare;Antal kontroller" in raw.decode("utf-8-sig")
    assert 0.0 < e.loc[0, "Effekt (ATT)"] < 0.3 and e.loc[0, "p-värde"] == "< 0,001"
    assert "e-" not in raw.decode("utf-8-sig") and ",0000" not in raw.decode("utf-8-sig")
    per = pd.read_csv(out / "effekt_per_forbund.csv", sep=";", decimal=",", encoding="utf-8-sig")
    assert per["Förbund"].tolist() == ["Botkyrka", "Huddinge", "Södertälje", "Alla"]
    assert "Skattad effekt" in capsys.readouterr().out


def test_cli_effekt_clean_error(tmp_path, capsys):
    f = tmp_path / "register.csv"
    _panel(f)
    rc = main(["effekt", str(f), "--covariates", "finns_inte", "--out", str(tmp_path / "ut")])
    assert rc == 2
    assert "finns_inte" in capsys.readouterr().err


def test_cli_effekt_demo_default_covers_the_true_effect(tmp_path, capsys):
    """The default is the matched DiD on the change; on the sample register its interval covers the truth.

    Truth: ``data_samples/register_sanning.csv`` (ATT 0,068333 for arbete_studier, all förbund). Matching on the
    pre-start level instead (``--utfallsform niva``) keeps part of the simulated person effect and misses it.
    """
    truth = 0.068333
    rc = main(["effekt", "--demo", "--ut", str(tmp_path / "a")])
    assert rc == 0 and "matchad difference-in-differences" in capsys.readouterr().out
    e = pd.read_csv(tmp_path / "a" / "effekt.csv", sep=";", decimal=",", encoding="utf-8-sig")
    assert e.loc[0, "KI nedre"] < truth < e.loc[0, "KI övre"]
    assert main(["effekt", "--demo", "--utfallsform", "niva", "--grupp", "", "--ut", str(tmp_path / "b")]) == 0
    lvl = pd.read_csv(tmp_path / "b" / "effekt.csv", sep=";", decimal=",", encoding="utf-8-sig")
    assert lvl.loc[0, "KI övre"] < truth  # the level estimate is biased towards the naive comparison
