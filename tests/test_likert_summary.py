"""Likert scales and summaries: labels, counting, intervals, weights, suppression, published counts."""

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from finsam_eval import option_context
from finsam_eval.errors import ScaleError, UnknownLabelError
from finsam_eval.likert import (
    SCALES,
    Scale,
    get_scale,
    likert_summary,
    likert_summary_from_counts,
    numeric,
)

S5 = SCALES["stammer5"]
S4 = SCALES["ja_absolut4"]


def _survey(n=400, seed=1):
    rng = np.random.default_rng(seed)
    cats = list(S5.levels) + ["Vet ej"]
    return pd.DataFrame({
        "forbund": rng.choice(["Botkyrka", "Huddinge", "Uppsala"], n, p=[0.5, 0.49, 0.01]),
        "s01": rng.choice(cats + [None], n, p=[0.05, 0.15, 0.2, 0.3, 0.2, 0.05, 0.05]),
        "s02": rng.choice(cats, n, p=[0.1, 0.1, 0.2, 0.3, 0.25, 0.05]),
        "w": rng.uniform(0.5, 2.0, n),
    })


# ---------------------------------------------------------------- scales
def test_presets_and_direction():
    assert S5.levels[0] == "Stämmer inte alls" and S5.neutral == "Varken ja eller nej"
    assert S5.bottom == ("Stämmer inte alls", "Stämmer inte så bra")
    assert S5.top == ("Stämmer delvis", "Stämmer helt")
    # Positive end first in the questionnaire; the scale still runs negative -> positive.
    assert S4.labels[0] == "Ja, absolut"
    assert S4.levels == ("Inte alls", "Inte särskilt", "Ja, ganska", "Ja, absolut")
    assert S4.level_values == (1.0, 2.0, 3.0, 4.0) and S4.neutral is None
    assert SCALES["instammer5"].levels[-1] == "Instämmer helt"
    assert numeric(1, 7).neutral == "4" and numeric(1, 6).neutral is None
    assert SCALES["numeric0_10"].level_values[0] == 0.0
    assert get_scale("skala1_6").levels == tuple("123456")
    with pytest.raises(ScaleError, match="Okänd skala"):
        get_scale("stammer7")


def test_normalise_variants():
    raw = pd.Series(["stämmer  helt", " STÄMMER DELVIS ", "Stämmer inte så bra ", "vet inte", "Vet ej", "", None, "5"])
    out = S5.normalise(raw)
    assert out.iloc[:5].tolist() == ["Stämmer helt", "Stämmer delvis", "Stämmer inte så bra", "Vet ej", "Vet ej"]
    assert out.iloc[5:7].isna().all() and out.iloc[7] == "Stämmer helt"
    assert S4.normalise(pd.Series(["Ja absolut", "ja, ganska", "inte  alls"])).tolist() == [
        "Ja, absolut", "Ja, ganska", "Inte alls"]
    assert numeric(1, 6).normalise(pd.Series([4, "5", "6.0", "3,0"])).tolist() == ["4", "5", "6", "3"]
    assert S5.to_numeric(pd.Series(["Stämmer helt", "Vet ej", None, "stämmer inte alls"])).tolist()[::3] == [5.0, 1.0]


def test_unknown_label_message():
    raw = pd.Series(["Stämmer helt", "Kanske", "Kanske", "Stämmer delvis", "7", "Kanske"], name="s03")
    with pytest.raises(UnknownLabelError) as ei:
        S5.normalise(raw)
    msg = str(ei.value)
    # file lines (header = line 1), as everywhere (issue 9 item 4)
    assert "'Kanske' (3 st, rad 3, 4, 7)" in msg
    assert "'7' (1 st, rad 6)" in msg
    assert "kolumnen 's03'" in msg
    assert "'Stämmer inte alls', 'Stämmer inte så bra', 'Varken ja eller nej', 'Stämmer delvis', 'Stämmer helt'" in msg
    assert "'Vet ej'" in msg


def test_coerce_records_unknown():
    from finsam_eval.results import Exclusions

    ex = Exclusions()
    out = S5.normalise(pd.Series(["Stämmer helt", "Kanske", "stämmer helt"]), errors="coerce", exclusions=ex)
    assert out.isna().tolist() == [False, True, False]
    reasons = {e.reason: e.count for e in ex.items}
    assert reasons["okänt svar, räknas som saknat"] == 1
    assert any(e.action == "omkodad" and e.count == 1 for e in ex.items)


def test_scale_validation():
    with pytest.raises(ScaleError):
        Scale(["a", "b"], neutral="c")
    with pytest.raises(ScaleError):
        Scale(["a", "b", "a"])
    s = Scale(["Nej", "Ja"], top=["Ja"], bottom=["Nej"], non_substantive=["Vet ej"])
    assert s.categories == ("Nej", "Ja", "Vet ej")


# ---------------------------------------------------------------- summary
def test_counts_zero_levels_and_vet_ej_outside_base():
    df = pd.DataFrame({"s01": ["Stämmer helt"] * 6 + ["Stämmer delvis"] * 2 + ["Vet ej"] * 3 + [None]})
    t = likert_summary(df, ["s01"], S5).table(suppress=False).iloc[0]
    assert t["n_valid"] == 8 and t["n_non_substantive"] == 3 and t["n_Vet ej"] == 3 and t["n_missing"] == 1
    assert t["n_Stämmer inte alls"] == 0 and t["pct_Stämmer inte alls"] == 0.0
    assert t["pct_Stämmer helt"] == pytest.approx(75.0)  # 6 of 8, not of 11
    assert t["pct_top"] == pytest.approx(100.0)
    assert t["pct_non_substantive"] == pytest.approx(100 * 3 / 11)
    assert t["n_respondents"] == 12


def test_summary_against_independent_computation():
    df = _survey()
    res = likert_summary(df, ["s01", "s02"], S5, by="forbund", ci=0.9)
    t = res.table(suppress=False)
    for _, row in t.iterrows():
        part = df[df["forbund"] == row["forbund"]][row["item"]]
        vals = S5.to_numeric(part).dropna()
        n = len(vals)
        assert row["n_valid"] == n
        assert row["n_missing"] == part.isna().sum()
        assert row["n_Vet ej"] == (part == "Vet ej").sum()
        for lab, v in zip(S5.levels, S5.level_values):
            assert row[f"n_{lab}"] == (vals == v).sum()
        k_top = vals.isin([4.0, 5.0]).sum()
        k_bot = vals.isin([1.0, 2.0]).sum()
        lo, hi = proportion_confint(k_top, n, alpha=0.1, method="wilson")
        assert row["pct_top"] == pytest.approx(100 * k_top / n)
        assert row["pct_top_lo"] == pytest.approx(100 * lo) and row["pct_top_hi"] == pytest.approx(100 * hi)
        assert row["net"] == pytest.approx(100 * (k_top - k_bot) / n)
        assert row["mean"] == pytest.approx(vals.mean())
        assert row["sd"] == pytest.approx(vals.std(ddof=1))
        half = stats.t.ppf(0.95, n - 1) * vals.std(ddof=1) / math.sqrt(n)
        assert row["mean_lo"] == pytest.approx(vals.mean() - half)
        assert row["mean_hi"] == pytest.approx(vals.mean() + half)
        assert row["median"] == pytest.approx(vals.median())
        assert row["q1"] == pytest.approx(vals.quantile(0.25)) and row["q3"] == pytest.approx(vals.quantile(0.75))


def test_small_group_suppressed():
    df = _survey()
    n_upp = int((df["forbund"] == "Uppsala").sum())
    assert 0 < n_upp < 5
    res = likert_summary(df, ["s02"], S5, by="forbund")
    t = res.table()
    upp = t[t["forbund"] == "Uppsala"].iloc[0]
    assert pd.isna(upp["n_valid"]) and pd.isna(upp["pct_top"]) and pd.isna(upp["mean"])
    assert pd.isna(upp["n_Stämmer helt"])
    assert t.attrs["suppressed_mask"].loc[upp.name, "pct_top"]
    big = t[t["forbund"] == "Botkyrka"].iloc[0]
    assert big["n_valid"] > 100 and not pd.isna(big["pct_top"])
    assert any("färre än 5" in n for n in res.notes)
    with option_context(min_count=1):
        assert not likert_summary(df, ["s02"], S5, by="forbund").table()["n_valid"].isna().any()


def test_weights_and_kish():
    df = _survey()
    res = likert_summary(df, ["s02"], S5, weights="w")
    row = res.table(suppress=False).iloc[0]
    vals = S5.to_numeric(df["s02"])
    ok = vals.notna()
    w, v = df.loc[ok, "w"].to_numpy(), vals[ok].to_numpy()
    p_top = w[v >= 4].sum() / w.sum()
    n_eff = w.sum() ** 2 / (w**2).sum()
    lo, hi = proportion_confint(p_top * n_eff, n_eff, method="wilson")
    assert row["pct_top"] == pytest.approx(100 * p_top)
    assert row["n_eff"] == pytest.approx(n_eff)
    assert row["pct_top_lo"] == pytest.approx(100 * lo)
    assert row["mean"] == pytest.approx(np.average(v, weights=w))
    assert row["n_valid"] == ok.sum()  # counts stay people
    # Equal weights give the unweighted shares.
    eq = likert_summary(df.assign(w=2.0), ["s02"], S5, weights="w").table(suppress=False).iloc[0]
    un = likert_summary(df, ["s02"], S5).table(suppress=False).iloc[0]
    assert eq["pct_top"] == pytest.approx(un["pct_top"]) and eq["n_eff"] == pytest.approx(un["n_valid"])


def test_population_response_rate_and_exclusions():
    df = _survey()
    pop = pd.DataFrame({"forbund": ["Botkyrka", "Huddinge", "Uppsala"], "population": [400, 500, 10]})
    t = likert_summary(df, ["s01"], S5, by="forbund", population=pop).table(suppress=False)
    bot = t[t["forbund"] == "Botkyrka"].iloc[0]
    assert bot["response_rate"] == pytest.approx(100 * (df["forbund"] == "Botkyrka").sum() / 400)
    res = likert_summary(df, ["s01"], S5)
    reasons = {e.reason: e.count for e in res.exclusions.items}
    assert reasons["saknat svar"] == df["s01"].isna().sum()


def test_long_form_and_summary_text():
    df = _survey()
    res = likert_summary(df, ["s01"], S5, item_labels={"s01": "Parterna litar på varandra"})
    long = res.long()
    assert list(long["level"].astype(str))[:5] == list(S5.levels)
    assert long.loc[long["substantive"], "pct"].sum() == pytest.approx(100.0)
    text = res.summary()
    assert "Parterna litar på varandra" in text and "," in text


# ---------------------------------------------------------------- from counts
def test_from_counts_uppsala_published_figures():
    # Uppsala 2017: the board (14 of 22 answered) - 12 of 14 agree that structures for relations exist;
    # the lokusgrupp (20 answered) - 7 of 20 say "Inte särskilt" about a clear remit.
    counts = pd.DataFrame({
        "item": ["strukturer", "remiss_tydlig"],
        "Ja, absolut": [5, 4], "Ja, ganska": [7, 9], "Inte särskilt": [2, 7], "Inte alls": [0, 0],
    })
    res = likert_summary_from_counts(counts, S4, population=pd.DataFrame({"population": [22]}))
    t = res.table().set_index("item")
    z = stats.norm.ppf(0.975)

    def wilson(k, n):
        p = k / n
        centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
        half = z / (1 + z**2 / n) * math.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
        return 100 * (centre - half), 100 * (centre + half)

    s = t.loc["strukturer"]
    assert s["n_valid"] == 14 and s["pct_top"] == pytest.approx(100 * 12 / 14)
    lo, hi = wilson(12, 14)
    assert s["pct_top_lo"] == pytest.approx(lo) and s["pct_top_hi"] == pytest.approx(hi)
    assert s["response_rate"] == pytest.approx(100 * 14 / 22)
    r = t.loc["remiss_tydlig"]
    assert r["n_valid"] == 20 and r["pct_bottom"] == pytest.approx(35.0)
    lo, hi = wilson(7, 20)
    assert r["pct_bottom_lo"] == pytest.approx(lo) and r["pct_bottom_hi"] == pytest.approx(hi)


def test_from_counts_matches_raw_and_long_format():
    df = _survey()
    raw = likert_summary(df, ["s01"], S5).table(suppress=False).iloc[0]
    vc = df["s01"].fillna("saknas").value_counts()
    long = pd.DataFrame({"svar": vc.index, "antal": vc.to_numpy()})
    fc = likert_summary_from_counts(long, S5).table(suppress=False).iloc[0]
    for col in ["n_valid", "n_missing", "n_Vet ej", "pct_top", "pct_top_lo", "mean", "sd", "median", "q1", "mean_hi"]:
        assert fc[col] == pytest.approx(raw[col]), col
    with pytest.raises(UnknownLabelError, match="Kanske"):
        likert_summary_from_counts(pd.DataFrame({"item": ["a"], "Stämmer helt": [3], "Kanske": [1]}), S5)


def test_scale_rejects_a_string_for_labels():
    from finsam_eval.errors import ScaleError
    from finsam_eval.likert import Scale

    with pytest.raises(ScaleError, match="ska vara en lista"):
        Scale("egen", ["a", "b"])
