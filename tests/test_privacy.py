"""Personnummer validation, pseudonymisation and small-count suppression."""

import numpy as np
import pandas as pd
import pytest

import finsam_eval as fe
from finsam_eval.errors import PrivacyError
from finsam_eval.privacy import (
    find_personnummer,
    is_samordningsnummer,
    is_valid_personnummer,
    luhn_ok,
    mask_personnummer,
    pseudonym,
    pseudonymise,
    pseudonymise_ids,
    scan_frame,
    suppress_small,
    suppressed_mask,
)
from finsam_eval.sv import format_table


def _luhn_digit(nine: str) -> str:
    # Independent computation of the check digit (Skatteverket's description).
    s = 0
    for i, ch in enumerate(nine):
        d = int(ch) * (2 - i % 2)
        s += d // 10 + d % 10
    return str((10 - s % 10) % 10)


@pytest.mark.parametrize(
    "pnr",
    ["19121212-1212", "191212121212", "121212-1212", "1212121212", "121212+1212", "20121212-1212"[:0] + "19121212 1212"],
)
def test_valid_forms(pnr):
    assert is_valid_personnummer(pnr)


@pytest.mark.parametrize("pnr", ["121212-1213", "19121212-1211", "121312-1212", "120230-1234", "12121-21212", "abc", None, ""])
def test_invalid(pnr):
    assert not is_valid_personnummer(pnr)


def test_check_digit_matches_independent_luhn():
    rng = np.random.default_rng(1)
    for _ in range(200):
        date = f"{rng.integers(30, 99):02d}{rng.integers(1, 13):02d}{rng.integers(1, 29):02d}"
        serial = f"{rng.integers(0, 1000):03d}"
        good = date + serial + _luhn_digit(date + serial)
        assert is_valid_personnummer(good)
        bad = good[:-1] + str((int(good[-1]) + 1) % 10)
        assert not is_valid_personnummer(bad)
        assert luhn_ok(good) and not luhn_ok(bad)


def test_samordningsnummer_day_plus_60():
    nine = "701063239"
    s = nine + _luhn_digit(nine)
    assert is_valid_personnummer(s) and is_samordningsnummer(s)
    assert not is_valid_personnummer(s, allow_coordination=False)
    assert not is_samordningsnummer("19121212-1212")
    # day 92 = 32 + 60 is not a date
    nine = "701092239"
    assert not is_valid_personnummer(nine + _luhn_digit(nine))


def test_find_in_text_with_and_without_checksum():
    text = "Deltagaren (pnr 19121212-1212) och 121212-1213, tel 08-123 456 78, år 2024."
    assert len(find_personnummer(text)) == 2  # a mistyped number is still personal data
    assert len(find_personnummer(text, require_checksum=True)) == 1
    masked, n = mask_personnummer(text)
    assert n == 2 and "1212" not in masked and "08-123 456 78" in masked


def test_pseudonymise_replaces_everything_and_is_stable():
    texts = pd.Series(
        ["Anna Svensson (19121212-1212) sa att Anna ville börja.", "Inget personligt här.", "Ring 121212-1212 eller Erik."],
        index=[10, 11, 12],
    )
    r = pseudonymise(texts, key="hemlig nyckel", names=["Anna Svensson", "Anna", "Erik"])
    assert list(r.texts.index) == [10, 11, 12]
    assert not any(find_personnummer(t) for t in r.texts)
    for name in ("Anna", "Erik", "Svensson"):
        assert all(name not in t for t in r.texts)
    # The same personnummer in two forms gets the same pseudonym.
    pn = r.table().query("typ == 'personnummer'")
    assert len(pn) == 1 and int(pn["antal"].iloc[0]) == 2 and int(pn["antal_texter"].iloc[0]) == 2
    assert r.texts[11] == "Inget personligt här."
    # Stable across runs with the same key, different with another key.
    again = pseudonymise(texts, key="hemlig nyckel", names=["Anna Svensson", "Anna", "Erik"])
    assert again.texts.equals(r.texts)
    other = pseudonymise(texts, key="annan", names=["Anna"])
    assert other.texts[10] != r.texts[10]
    # The report of replacements holds no originals.
    assert "1212" not in r.table().to_string() and "Anna" not in r.summary()


def test_pseudonymise_requires_key():
    with pytest.raises(PrivacyError, match="nyckel"):
        pseudonymise("text", key="")


def test_pseudonymise_ids_and_scan():
    df = pd.DataFrame({"id": ["19121212-1212", "121212-1212", None], "x": [1, 2, 3]})
    assert scan_frame(df)["kolumn"].tolist() == ["id"]
    ids = pseudonymise_ids(df["id"], key="k")
    assert ids[0] == ids[1] and pd.isna(ids[2])
    assert ids[0] == pseudonym("1212121212", "k", prefix="ID", length=8) and ids[0].startswith("ID-")
    assert scan_frame(df.assign(id=ids)).empty


def test_suppress_counts_and_derived():
    t = pd.DataFrame(
        {"grupp": ["Botkyrka", "Huddinge", "Södertälje"], "n": [14, 3, 20], "n_ja": [12, 2, 3], "n_nej": [2, 1, 17]}
    )
    t["andel_ja"] = t["n_ja"] / t["n"]
    t["medel"] = [4.1, 3.0, 3.9]
    s = suppress_small(t, ["n_ja", "n_nej"], base="n", derived={"andel_ja": "n_ja"}, row_derived=["medel"])
    m = suppressed_mask(s)
    # Row with base 3: everything numeric masked.
    assert m.loc[1, ["n", "n_ja", "n_nej", "andel_ja", "medel"]].all()
    # Row 0: n_nej=2 masked, n_ja shown.
    assert m.loc[0, "n_nej"] and not m.loc[0, "n_ja"] and not m.loc[0, "andel_ja"]
    # Row 2: n_ja=3 masked and its share too; mean stays.
    assert m.loc[2, "n_ja"] and m.loc[2, "andel_ja"] and not m.loc[2, "medel"]
    assert np.isnan(s.loc[2, "andel_ja"]) and s.loc[2, "medel"] == 3.9
    assert s.attrs["n_suppressed"] == int(m.to_numpy().sum()) == 8
    assert "färre än 5" in s.attrs["suppression_note"]
    # Printed form shows the marker, decimal comma and keeps text columns.
    f = format_table(s)
    assert f.loc[1, "n"] == ".." and f.loc[0, "medel"] == "4,1" and f.loc[2, "grupp"] == "Södertälje"
    # Input untouched.
    assert t.loc[1, "n"] == 3


def test_suppress_zero_not_masked_by_default_and_threshold_option():
    t = pd.DataFrame({"k": ["a", "b"], "antal": [0, 6]})
    assert suppress_small(t)["antal"].tolist() == [0, 6]
    assert np.isnan(suppress_small(t, suppress_zero=True)["antal"][0])
    with fe.option_context(min_count=7):
        assert np.isnan(suppress_small(t)["antal"][1])
    assert suppress_small(t, threshold=3)["antal"][1] == 6


def test_secondary_suppression_protects_row_total():
    t = pd.DataFrame({"n": [30], "a": [2], "b": [8], "c": [20]})
    s = suppress_small(t, ["a", "b", "c"], base="n", secondary=True)
    m = suppressed_mask(s)
    assert m.loc[0, "a"] and m.loc[0, "b"] and not m.loc[0, "c"]
    # Without it the masked 2 would be 30 - 8 - 20.
    assert not suppressed_mask(suppress_small(t, ["a", "b", "c"], base="n"))["b"].any()


def test_suppress_missing_column_error():
    with pytest.raises(fe.MissingColumnError, match="finns inte"):
        suppress_small(pd.DataFrame({"a": [1]}), ["b"])


def test_suppressed_tables_concatenate():
    a = suppress_small(pd.DataFrame({"g": ["a", "b"], "antal": [2, 9]}))
    b = suppress_small(pd.DataFrame({"g": ["c", "d"], "antal": [12, 3]}))
    both = pd.concat([a, b], ignore_index=True)  # failed when the mask compared element-wise
    assert both["antal"].isna().tolist() == [True, False, False, True]
    same = pd.concat([a, a])
    assert same["antal"].isna().sum() == 2
    assert suppressed_mask(a)["antal"].tolist() == [True, False]
