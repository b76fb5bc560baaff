"""Wide register files (one row per person, one column per period) read as a long panel."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from finsam_eval.effects import did
from finsam_eval.errors import FinsamError, SchemaError
from finsam_eval.io import read_register
from finsam_eval.io.wide import wide_periods

FOREIGN = Path(__file__).parent / "data" / "foreign" / "register"
SAMPLE = Path(__file__).parents[1] / "data_samples" / "register.csv.gz"


def test_wide_file_becomes_one_row_per_person_and_quarter():
    reg = read_register(FOREIGN / "brett_en_kolumn_per_kvartal.csv")
    assert len(reg) == 20 and reg["person_id"].nunique() == 5
    # person 0003 (file line 4): Arbete/studier 0,1,1,1 and sjukpenningdagar 90,20,0,0 over 2022K1-K4
    p3 = reg[reg["person_id"] == "0003"].sort_values("period")
    assert p3["arbete_studier"].tolist() == [0, 1, 1, 1]
    assert p3["sjukpenningdagar"].tolist() == [90, 20, 0, 0]
    assert p3["period"].diff().dropna().eq(1).all()  # consecutive quarters
    assert (p3["start_period"] == p3["period"].iloc[1]).all()  # starts 2022K2
    shaped = [e for e in reg.attrs["exclusions"].items if e.action == "omformad"]
    assert len(shaped) == 1 and shaped[0].count == 5 and "2 variabler" in shaped[0].reason


def test_error_in_a_wide_cell_names_the_persons_file_line(tmp_path):
    text = (FOREIGN / "brett_en_kolumn_per_kvartal.csv").read_text(encoding="utf-8-sig").splitlines()
    text[3] = text[3].replace(";1;1;1;", ";1;saknas;1;", 1)  # line 4 of the file
    p = tmp_path / "brett.csv"
    p.write_text("\n".join(text) + "\n", encoding="utf-8")
    with pytest.raises(FinsamError, match=r"rad 4\b"):
        read_register(p, numeric=["arbete_studier"])


def test_mixed_period_lengths_are_refused():
    with pytest.raises(SchemaError, match="blandar periodlängder"):
        read_register(FOREIGN / "brett_blandade_perioder.csv")


def test_long_files_and_too_few_period_columns_are_left_alone():
    assert wide_periods(["id", "inkomst 2020", "inkomst 2021", "kon"]) == {}
    assert list(wide_periods(["x_2021-01", "x_2021-02", "x_2021-03"])) == ["x"]


def test_did_on_the_reshaped_file_equals_did_on_the_long_file(tmp_path):
    long = pd.read_csv(SAMPLE, sep=";", encoding="utf-8-sig", decimal=",")
    ids = long["person_id"].drop_duplicates().iloc[:600]
    long = long[long["person_id"].isin(ids)]
    base = long.groupby("person_id")[["forbund", "deltagare", "start_period"]].first()
    wide = base.join(long.pivot(index="person_id", columns="kvartal", values="arbete_studier")
                     .add_prefix("arbete_studier_")).reset_index()
    # start as a quarter label, as the wide file would carry it
    q = wide["start_period"].map(lambda s: "" if pd.isna(s) else f"{2020 + int(s) // 4}K{int(s) % 4 + 1}")
    wide["start_period"] = q
    f = tmp_path / "brett.csv"
    wide.to_csv(f, sep=";", index=False, encoding="utf-8-sig")
    reshaped = read_register(f)
    long_read = read_register(long[["person_id", "forbund", "deltagare", "start_period", "kvartal", "arbete_studier"]]
                              .assign(start_period=lambda d: d["person_id"].map(dict(zip(wide["person_id"], q))))
                              .rename(columns={"kvartal": "period"}))
    a = did(reshaped, "arbete_studier")
    b = did(long_read, "arbete_studier")
    assert np.isclose(a.att, b.att, rtol=0, atol=1e-12)
    assert np.isclose(a.se, b.se, rtol=0, atol=1e-12)
    assert a.n_obs == b.n_obs == 600 * 24 and a.n_treated == b.n_treated
