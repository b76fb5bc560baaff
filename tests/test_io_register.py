"""read_register: panel schema, and no personnummer surviving anywhere."""

from __future__ import annotations

import logging
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from finsam_eval.errors import DuplicateIdError, FinsamError, MissingColumnError, SchemaError
from finsam_eval.io import personnummer_mask, read_register
from finsam_eval.privacy import is_valid_personnummer, pseudonym


def _pnr(date: str, serial: int) -> str:
    """A Luhn-valid 12-digit personnummer for test data (date YYYYMMDD)."""
    body = date[2:] + f"{serial:03d}"
    total = 0
    for i, ch in enumerate(body):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return f"{date}-{serial:03d}{(10 - total % 10) % 10}"


PNRS = [
    _pnr(f"19{y:02d}0{m}1{d}", 100 + i) for i, (y, m, d) in enumerate([(81, 3, 4), (90, 7, 1), (75, 1, 9), (88, 5, 2)])
]
DIGITS = [re.sub(r"\D", "", p) for p in PNRS]


def _panel(ids=PNRS) -> pd.DataFrame:
    rows = []
    for i, pid in enumerate(ids):
        for period in (1, 2, 3):
            rows.append(
                {
                    "person_id": pid,
                    "period": period,
                    "forbund": "Södertälje",
                    "deltagare": int(i < 2),
                    "start_period": 2 if i < 2 else None,
                    "kommun": "Södertälje",
                    "alder": 30 + i,
                    "arbete_studier": int(period == 3 and i == 0),
                    "anteckning": f"kontakt {ids[(i + 1) % len(ids)]}" if period == 1 else "inget",
                }
            )
    return pd.DataFrame(rows)


def _no_pnr(text: str) -> None:
    for p, d in zip(PNRS, DIGITS):
        assert p not in text and d not in text and d[2:] not in text and p[2:] not in text


def test_generated_numbers_are_valid():
    assert all(is_valid_personnummer(p) for p in PNRS)


def test_personnummer_replaced_and_dropped(tmp_path):
    path = tmp_path / "register.csv"
    _panel().to_csv(path, sep=";", index=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        reg = read_register(path, key="projektnyckel")
    assert reg["person_id"].nunique() == 4 and reg["person_id"].str.startswith("ID-").all()
    # the pseudonym is the documented keyed hash of the personnummer
    assert reg["person_id"].iloc[0] == pseudonym(PNRS[0], "projektnyckel", prefix="ID", length=8)
    assert "anteckning" not in reg.columns
    assert reg["deltagare"].dtype == "Int64" and reg["period"].dtype == "Int64"
    _no_pnr(reg.to_csv())
    ex = reg.attrs["exclusions"]
    _no_pnr(ex.describe() + ex.table().to_string())
    tab = ex.table().set_index("kolumn")
    assert tab.loc["anteckning", "atgard"] == "borttagen kolumn" and tab.loc["anteckning", "antal"] == 4
    assert tab.loc["anteckning", "rader"] == "2, 5, 8, 11"
    assert tab.loc["person_id", "atgard"] == "pseudonymiserad" and tab.loc["person_id", "antal"] == 12


def test_same_key_same_pseudonyms_different_key_differs():
    a = read_register(_panel(), key="k1")["person_id"]
    b = read_register(_panel(), key="k1")["person_id"]
    c = read_register(_panel(), key="k2")["person_id"]
    assert a.tolist() == b.tolist() and a.tolist() != c.tolist()


def test_no_key_random_pseudonyms_warned_and_recorded(caplog):
    caplog.set_level(logging.DEBUG)
    with pytest.warns(UserWarning, match="ingen nyckel angavs") as w:
        a = read_register(_panel())
    with pytest.warns(UserWarning):
        b = read_register(_panel())
    assert a["person_id"].tolist() != b["person_id"].tolist()
    assert "slumpad nyckel" in a.attrs["exclusions"].describe()
    _no_pnr(" ".join(str(x.message) for x in w) + caplog.text + a.to_csv())


def test_numeric_personnummer_columns(tmp_path):
    df = _panel(ids=[f"p{i}" for i in range(4)]).drop(columns="anteckning")
    df["pnr_tal"] = np.repeat([int(d) for d in DIGITS], 3)  # 12 digits as integers
    df["pnr_kort"] = 101011234  # 010101-1234 after Excel dropped the leading zero
    path = tmp_path / "reg.csv"
    df.to_csv(path, index=False)
    reg = read_register(path)
    assert "pnr_tal" not in reg.columns and "pnr_kort" not in reg.columns
    assert reg["person_id"].tolist()[:3] == ["p0", "p0", "p0"]  # no personnummer: ids untouched
    assert "alder" in reg.columns


def test_leading_zero_ids_survive_csv(tmp_path):
    df = _panel(ids=["0012", "0013", "0014", "0015"]).drop(columns="anteckning")
    path = tmp_path / "reg.csv"
    df.to_csv(path, index=False)
    assert read_register(path)["person_id"].iloc[0] == "0012"


def test_errors_never_show_personnummer():
    df = _panel()
    df.loc[4, "period"] = 1  # second person has period 1 twice (lines 5 and 6)
    with pytest.raises(DuplicateIdError) as e:
        read_register(df, key="k")
    assert "(rad 5, 6)" in str(e.value)
    _no_pnr(str(e.value))
    df = _panel()
    df.loc[1, "deltagare"] = 2
    with pytest.raises(SchemaError) as e:
        read_register(df, key="k")
    assert "'deltagare' har 1 värde som inte är ja/nej eller 1/0 (rad 3; värden: 2)" in str(e.value)
    _no_pnr(str(e.value))


def test_deltagare_constant_within_person():
    df = _panel(ids=["a", "b", "c", "d"])
    df.loc[2, "deltagare"] = 0
    with pytest.raises(SchemaError, match=r"'deltagare' ska vara densamma .* varierar för 1 person \(rad 2, 3, 4\)"):
        read_register(df)


def test_missing_columns_and_periods():
    df = _panel(ids=["a", "b", "c", "d"]).drop(columns="deltagare")
    with pytest.raises(MissingColumnError, match=r"saknar kolumnen 'deltagare'"):
        read_register(df)
    df = _panel(ids=["a", "b", "c", "d"])
    df.loc[3, "period"] = None
    with pytest.raises(SchemaError, match=r"saknar värde i kolumnen 'period' på 1 rad \(rad 5\)"):
        read_register(df)


def test_string_periods_kept_and_binary_outcomes():
    df = _panel(ids=["a", "b", "c", "d"])
    df["period"] = np.tile(["2023Q1", "2023Q2", "2023Q3"], 4)
    df["start_period"] = np.where(df["deltagare"] == 1, "2023Q2", None)
    df["arbete_studier"] = df["arbete_studier"].map({0: "0", 1: "1"})
    df.loc[5, "arbete_studier"] = None
    reg = read_register(df)
    # text periods become running quarter numbers (Period.ordinal), start on the same scale
    assert reg["period"].iloc[0] == pd.Period("2023Q1").ordinal and reg["period"].dtype == "Int64"
    assert (reg["start_period"].dropna() == pd.Period("2023Q2").ordinal).all()
    assert reg["arbete_studier"].dtype == "Int64" and reg["arbete_studier"].isna().sum() == 1


def test_personnummer_mask_numbers_and_text():
    s = pd.Series([PNRS[0], DIGITS[1], "nej", None, f"tel 08-123 och {PNRS[2][2:]}"])
    assert personnummer_mask(s).tolist() == [True, True, False, False, True]
    assert personnummer_mask(pd.Series([1.5, 2.0, np.nan])).tolist() == [False, False, False]


def test_all_io_errors_are_finsam_errors():
    with pytest.raises(FinsamError):
        read_register(pd.DataFrame({"x": [1]}))


SAMPLES = Path(__file__).resolve().parents[1] / "data_samples"


@pytest.mark.skipif(not (SAMPLES / "register.csv.gz").exists(), reason="data_samples/ saknas")
def test_sample_register_file():
    reg = read_register(SAMPLES / "register.csv.gz")
    assert not reg.duplicated(["person_id", "period"]).any()
    assert set(reg["deltagare"].unique()) <= {0, 1} and reg["period"].dtype == "Int64"
    # the sample holds no personnummer: nothing pseudonymised or dropped, only the 'kvartal' texts read as periods
    assert [e.action for e in reg.attrs["exclusions"].items] == ["omkodad"]
    assert str(reg["kvartal"].iloc[0]) == "2020Q1"
