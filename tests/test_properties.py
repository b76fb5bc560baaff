"""Property-based checks (hypothesis) of the invariants every published table relies on."""


import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from finsam_eval.likert import likert_summary
from finsam_eval.privacy import find_personnummer, is_valid_personnummer, pseudonymise, suppress_small, suppressed_mask
from finsam_eval.sv import fmt_num

COUNTS = st.lists(st.integers(min_value=0, max_value=60), min_size=1, max_size=12)


@settings(max_examples=60, deadline=None)
@given(COUNTS, COUNTS, st.integers(min_value=1, max_value=10))
def test_no_small_count_survives_suppression(a, b, threshold):
    n = min(len(a), len(b))
    t = pd.DataFrame({"g": range(n), "x": a[:n], "y": b[:n]})
    t["andel_x"] = t["x"] / (t["x"] + t["y"]).replace(0, np.nan)
    s = suppress_small(t, ["x", "y"], derived={"andel_x": "x"}, threshold=threshold)
    m = suppressed_mask(s)
    for col in ("x", "y"):
        shown = s[col].dropna()
        assert ((shown == 0) | (shown >= threshold)).all()
        # Exactly the small non-zero counts are masked.
        assert (m[col] == t[col].between(1, threshold - 1)).all()
    assert (m["andel_x"] >= m["x"]).all()
    assert s.shape == t.shape and s["g"].tolist() == t["g"].tolist()


def _check_digit(nine: str) -> str:
    s = sum(d // 10 + d % 10 for d in (int(c) * (2 - i % 2) for i, c in enumerate(nine)))
    return str((10 - s % 10) % 10)


@st.composite
def personnummer(draw):
    year = draw(st.integers(1930, 2010))
    month = draw(st.integers(1, 12))
    day = draw(st.integers(1, 28)) + (60 if draw(st.booleans()) else 0)
    serial = draw(st.integers(0, 999))
    nine = f"{year % 100:02d}{month:02d}{day:02d}{serial:03d}"
    ten = nine + _check_digit(nine)
    form = draw(st.sampled_from(["10", "10-", "12", "12-"]))
    head = (str(year // 100) if form.startswith("12") else "") + ten[:6]
    return head + ("-" if form.endswith("-") else "") + ten[6:]


@settings(max_examples=80, deadline=None)
@given(personnummer(), st.text(alphabet="abcåäö ,.:()", max_size=30), st.text(alphabet="abcåäö ,.:()", max_size=30))
def test_any_valid_personnummer_is_found_and_pseudonymised(pnr, before, after):
    assert is_valid_personnummer(pnr)
    text = f"{before}{pnr}{after}"
    assert find_personnummer(text)
    out = pseudonymise(text, key="k").texts[0]
    assert not find_personnummer(out) and pnr not in out and pnr[-4:] not in out.split("PNR-")[0]


@settings(max_examples=100, deadline=None)
@given(st.floats(min_value=-1e7, max_value=1e7, allow_nan=False), st.integers(0, 3))
def test_swedish_number_format_round_trips(x, decimals):
    s = fmt_num(x, decimals)
    back = float(s.replace("\u00a0", "").replace("\u2212", "-").replace(",", "."))
    assert abs(back - round(x, decimals)) <= 10 ** -decimals


LEVELS = ["Stämmer inte alls", "Stämmer inte så bra", "Varken ja eller nej", "Stämmer delvis", "Stämmer helt", "Vet ej"]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(LEVELS + [None]), min_size=1, max_size=80))
def test_likert_shares_sum_to_100_and_counts_add_up(answers):
    df = pd.DataFrame({"s01": answers})
    t = likert_summary(df, ["s01"], "stammer5").table(suppress=False).iloc[0]
    n_valid = sum(a in LEVELS[:5] for a in answers)
    assert t["n_valid"] == n_valid
    assert t["n_non_substantive"] == answers.count("Vet ej") and t["n_missing"] == answers.count(None)
    if n_valid:
        pct = sum(t[f"pct_{lv}"] for lv in LEVELS[:5])
        assert abs(pct - 100) < 1e-9
