"""Tests for the invented interview excerpts (finsam_eval.samples.excerpts)."""

import re

import pandas as pd
import pytest
from sklearn.metrics import cohen_kappa_score

from finsam_eval.privacy import find_personnummer
from finsam_eval.samples.excerpts import EXCERPT_COLUMNS, make_excerpts

THEMES = [
    "legitimitet",
    "samsyn",
    "implementering",
    "forankring",
    "samverkan",
    "styrning",
    "malgrupp",
    "resultat",
    "hallbarhet",
    "larande",
    "resurser",
    "samarbetsklimat",
    "hinder",
]
ROLES = ["styrelse", "beredningsgrupp", "ledningsgrupp", "samordnare", "insatspersonal", "deltagare", "remittent"]
SOURCES = ["intervju", "fokusgrupp", "enkätsvar", "workshop"]
MAIN_FORBUND = ["Botkyrka", "Huddinge", "Södertälje", "Östra Södertörn"]


@pytest.fixture(scope="module")
def df() -> pd.DataFrame:
    return make_excerpts()


def test_columns_and_types(df):
    assert list(df.columns) == EXCERPT_COLUMNS
    assert pd.api.types.is_datetime64_any_dtype(df["datum"])
    assert df["datum"].dt.year.between(2024, 2025).all()
    assert df["innehaller_personuppgift"].dtype == bool
    for col in ("codes_a", "codes_b", "negated_themes"):
        assert df[col].map(lambda v: isinstance(v, list)).all()


def test_size_and_unique_ids(df):
    assert len(df) >= 220
    assert df["excerpt_id"].is_unique
    assert df["text"].is_unique
    assert df["text"].str.strip().str.lower().is_unique


def test_forbund_roles_sources(df):
    counts = df["forbund"].value_counts()
    for f in MAIN_FORBUND:
        assert counts[f] >= 40, f
    assert 1 <= counts["Uppsala"] < 40
    assert set(df["forbund"]) == set(MAIN_FORBUND) | {"Uppsala"}
    assert set(df["roll"]) == set(ROLES)
    assert df["roll"].value_counts().min() >= 10
    assert set(df["kalla"]) == set(SOURCES)
    assert df["kalla"].value_counts().idxmax() == "intervju"


def test_respondents(df):
    n = df["respondent_id"].nunique()
    assert 45 <= n <= 60
    assert df["respondent_id"].str.fullmatch(r"(BOT|HUD|SOD|OST|UPP)-R\d{2}").all()
    per_resp = df.groupby("respondent_id").size()
    assert per_resp.median() >= 3
    # A respondent has one role, and a few sit in two förbund.
    assert (df.groupby("respondent_id")["roll"].nunique() == 1).all()
    assert (df.groupby("respondent_id")["forbund"].nunique() == 2).sum() >= 2


def test_codes_allowed_and_counts(df):
    for col in ("codes_a", "codes_b", "negated_themes"):
        used = {c for codes in df[col] for c in codes}
        assert used <= set(THEMES), col
        assert df[col].map(lambda v: len(v) == len(set(v))).all()
    assert df["codes_a"].map(len).max() <= 4
    assert df["codes_b"].map(len).max() <= 4
    for t in THEMES:
        assert df["codes_a"].map(lambda c, t=t: t in c).sum() >= 10, t
    n_codes = df["codes_a"].map(len)
    assert (n_codes == 0).sum() >= 10
    assert (n_codes >= 3).sum() >= 5


def test_negated_subset_of_codes_a(df):
    assert all(set(n) <= set(a) for n, a in zip(df["negated_themes"], df["codes_a"]))
    assert (df["negated_themes"].map(len) > 0).sum() >= 15


def test_coder_agreement(df):
    agree = (df["codes_a"].map(sorted) == df["codes_b"].map(sorted)).mean()
    assert 0.60 <= agree <= 0.95
    kappas = {}
    for t in THEMES:
        a = df["codes_a"].map(lambda c, t=t: t in c)
        b = df["codes_b"].map(lambda c, t=t: t in c)
        kappas[t] = cohen_kappa_score(a, b)
    assert all(0.6 <= k <= 0.95 for k in kappas.values()), kappas
    # Reliability should differ between codes, otherwise it teaches nothing.
    assert max(kappas.values()) - min(kappas.values()) >= 0.1


def test_kappa_matches_hand_calculation(df):
    a = df["codes_a"].map(lambda c: "samsyn" in c)
    b = df["codes_b"].map(lambda c: "samsyn" in c)
    n = len(df)
    po = (a == b).mean()
    pe = (a.sum() * b.sum() + (n - a.sum()) * (n - b.sum())) / n**2
    assert cohen_kappa_score(a, b) == pytest.approx((po - pe) / (1 - pe))


def test_deterministic_and_seed_only_shuffles(df):
    again = make_excerpts(seed=2025)
    pd.testing.assert_frame_equal(df, again)
    other = make_excerpts(seed=7)
    assert not df["excerpt_id"].equals(other["excerpt_id"])
    key = ["excerpt_id"]
    pd.testing.assert_frame_equal(
        df.sort_values(key).reset_index(drop=True), other.sort_values(key).reset_index(drop=True)
    )


def test_swedish_text(df):
    text = " ".join(df["text"])
    for ch in "åäöÅÄÖ":
        if ch.isupper():
            continue
        assert ch in text
    # Morphology a matcher must cope with.
    for word in ("förankrat", "förankring", "ordinarie verksamhet", "mellan stolarna", "samverkan"):
        assert word in text.lower(), word
    assert df["text"].str.contains(r"\b(?:ingen|inte|saknas)\b", regex=True).mean() > 0.2


def test_personnummer_found_by_privacy(df):
    hits = df["text"].map(lambda t: len(find_personnummer(t)))
    assert 3 <= (hits > 0).sum() <= 4
    # Every text with a personnummer-like string is flagged as holding personal data.
    assert df.loc[hits > 0, "innehaller_personuppgift"].all()
    assert df["innehaller_personuppgift"].sum() > (hits > 0).sum()
    # No accidental matches: ids and dates stay clean.
    assert not df["excerpt_id"].map(lambda t: bool(find_personnummer(t))).any()
    assert not any(re.search(r"\d{10}", t) for t in df["text"] if not find_personnummer(t))
