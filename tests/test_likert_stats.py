"""Likert indices, reliability and comparisons against pingouin, scipy and statsmodels."""

import warnings

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
from scipy import stats
from statsmodels.miscmodels.ordinal_model import OrderedModel
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import confint_proportions_2indep

from finsam_eval.errors import EstimationError, SchemaError
from finsam_eval.likert import (
    SCALES,
    chi2_levels,
    compare_reference,
    cronbach_alpha,
    kruskal_wallis,
    mann_whitney,
    ordinal_regression,
    scale_index,
    topbox_change,
    wilcoxon_paired,
)

S5 = SCALES["stammer5"]
LEV = np.array(S5.levels)


@pytest.fixture(scope="module")
def survey():
    rng = np.random.default_rng(7)
    n = 400
    f = rng.normal(size=n)
    df = pd.DataFrame({
        "forbund": rng.choice(["Botkyrka", "Huddinge", "Uppsala"], n),
        "ar": rng.choice([2024, 2025], n),
        "kon": rng.choice(["Kvinna", "Man"], n),
        "alder": rng.integers(20, 65, n),
    })
    shift = 0.6 * (df["forbund"] == "Uppsala") + 0.4 * (df["ar"] == 2025)
    for j in range(5):
        x = np.clip(np.round(3 + f + shift + rng.normal(scale=0.9, size=n)), 1, 5).astype(int)
        df[f"q{j}"] = LEV[x - 1]
    # q4 is worded the other way round.
    df["q4"] = LEV[5 - S5.to_numeric(df["q4"]).astype(int)]
    return df


# ---------------------------------------------------------------- reliability
def test_cronbach_alpha_matches_pingouin(survey):
    items = ["q0", "q1", "q2", "q3", "q4"]
    res = cronbach_alpha(survey, items, S5, reverse=["q4"])
    num = pd.DataFrame({c: S5.to_numeric(survey[c]) for c in items})
    num["q4"] = 6 - num["q4"]
    a, ci = pg.cronbach_alpha(num)
    assert res.alpha == pytest.approx(a)
    assert (res.ci_low, res.ci_high) == pytest.approx(tuple(ci), abs=5e-4)  # pingouin rounds to 3 decimals
    assert res.n == len(survey) and res.k == 5
    # alpha if deleted and item-rest correlation, by hand for the first item
    a_del, _ = pg.cronbach_alpha(num.drop(columns="q0"))
    assert res.items.loc[0, "alpha_if_deleted"] == pytest.approx(a_del)
    r = np.corrcoef(num["q0"], num.drop(columns="q0").sum(axis=1))[0, 1]
    assert res.items.loc[0, "r_item_rest"] == pytest.approx(r)
    # forgetting to reverse q4 lowers alpha
    assert cronbach_alpha(survey, items, S5).alpha < res.alpha - 0.1
    assert "Cronbachs alfa = 0," in res.caption


def test_cronbach_alpha_listwise_exclusion(survey):
    df = survey.copy()
    df.loc[[0, 1, 2], "q1"] = "Vet ej"
    res = cronbach_alpha(df, ["q0", "q1", "q2"], S5)
    assert res.n == len(df) - 3 and res.exclusions.total >= 3
    with pytest.raises(EstimationError):
        cronbach_alpha(df.head(2), ["q0", "q1"], S5)


def test_scale_index(survey):
    df = survey.head(6).copy()
    df.loc[0, ["q0", "q1"]] = ["Vet ej", None]
    idx = scale_index(df, ["q0", "q1", "q2", "q3", "q4"], S5, reverse=["q4"], min_items=4)
    num = pd.DataFrame({c: S5.to_numeric(df[c]) for c in ["q0", "q1", "q2", "q3", "q4"]})
    num["q4"] = 6 - num["q4"]
    assert np.isnan(idx.iloc[0]) and idx.attrs["n_too_few"] == 1
    assert idx.iloc[1:].tolist() == pytest.approx(num.iloc[1:].mean(axis=1).tolist())
    idx3 = scale_index(df, ["q0", "q1", "q2", "q3", "q4"], S5, reverse=["q4"], min_items=3)
    assert idx3.iloc[0] == pytest.approx(num.iloc[0].mean())


# ---------------------------------------------------------------- comparisons
def test_mann_whitney_vs_scipy_and_pingouin(survey):
    res = mann_whitney(survey, "q0", "forbund", S5, groups=["Uppsala", "Botkyrka"])
    row = res.table().iloc[0]
    x = S5.to_numeric(survey.loc[survey.forbund == "Uppsala", "q0"])
    y = S5.to_numeric(survey.loc[survey.forbund == "Botkyrka", "q0"])
    u, p = stats.mannwhitneyu(x, y, alternative="two-sided")
    assert row["U"] == pytest.approx(u) and row["p"] == pytest.approx(p)
    ref = pg.mwu(x, y)
    assert row["rbc"] == pytest.approx(float(ref["RBC"].iloc[0]))
    assert row["rbc"] > 0  # Uppsala answers higher by construction
    with pytest.raises(SchemaError):
        mann_whitney(survey, "q0", "forbund", S5)


def test_kruskal_wallis_and_holm(survey):
    res = kruskal_wallis(survey, "q1", "forbund", S5)
    groups = sorted(survey.forbund.unique())
    samples = [S5.to_numeric(survey.loc[survey.forbund == g, "q1"]) for g in groups]
    h, p = stats.kruskal(*samples)
    assert res.table().iloc[0]["H"] == pytest.approx(h) and res.table().iloc[0]["p"] == pytest.approx(p)
    pw = res.pairwise
    assert len(pw) == 3
    raw = [stats.mannwhitneyu(samples[i], samples[j]).pvalue for i, j in [(0, 1), (0, 2), (1, 2)]]
    assert pw["p"].tolist() == pytest.approx(raw)
    assert pw["p_holm"].tolist() == pytest.approx(multipletests(raw, method="holm")[1].tolist())
    assert "Holm" in res.summary()


def test_chi2_levels_vs_scipy_and_warning(survey):
    res = chi2_levels(survey, "q2", "forbund", S5)
    tab = pd.crosstab(survey["forbund"], survey["q2"])
    chi2, p, dof, _ = stats.chi2_contingency(tab, correction=False)
    row = res.table().iloc[0]
    assert row["chi2"] == pytest.approx(chi2) and row["p"] == pytest.approx(p) and row["df"] == dof
    assert row["cramers_v"] == pytest.approx(np.sqrt(chi2 / (len(survey) * (min(tab.shape) - 1))))
    with pytest.warns(UserWarning, match="förväntade antalen"):
        chi2_levels(survey.head(20), "q2", "forbund", S5)


def test_ordinal_regression_matches_direct_fit(survey):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = ordinal_regression(survey, "q0", S5, ["forbund", "kon", "alder"])
        y = pd.Series(pd.Categorical(S5.to_numeric(survey["q0"]), ordered=True))
        X = pd.get_dummies(survey[["forbund", "kon", "alder"]], columns=["forbund", "kon"], drop_first=True,
                           dtype=float)
        direct = OrderedModel(y, X, distr="logit").fit(method="bfgs", disp=False, maxiter=2000)
    t = res.table().set_index("term")
    for term in X.columns:
        assert t.loc[term, "coef"] == pytest.approx(direct.params[term], abs=1e-4)
        assert t.loc[term, "odds_ratio"] == pytest.approx(np.exp(direct.params[term]), rel=1e-3)
    assert t.loc["forbund_Uppsala", "label"] == "Förbund: Uppsala (jfr Botkyrka)"
    assert t.loc["alder", "label"] == "Ålder"
    assert t.loc["forbund_Uppsala", "odds_ratio"] > 1.5  # simulated effect of Uppsala
    ax = res.plot()
    assert ax.get_xlabel().startswith("Oddskvot")


def test_wilcoxon_paired_vs_scipy_and_pingouin():
    rng = np.random.default_rng(3)
    before = rng.integers(1, 6, 60)
    after = np.clip(before + rng.choice([-1, 0, 1, 2], 60, p=[0.15, 0.3, 0.35, 0.2]), 1, 6)
    df = pd.DataFrame({"fore": before, "efter": after})
    res = wilcoxon_paired(df, "fore", "efter", "numeric1_6")
    row = res.table().iloc[0]
    w, p = stats.wilcoxon(after, before, zero_method="wilcox")
    assert row["W"] == pytest.approx(w) and row["p"] == pytest.approx(p)
    assert row["rbc"] == pytest.approx(float(pg.wilcoxon(after, before)["RBC"].iloc[0]))
    assert row["mean_change"] == pytest.approx((after - before).mean())
    assert row["n_zero"] == int((after == before).sum())


def test_topbox_change_newcombe(survey):
    res = topbox_change(survey, "q3", S5, year="ar")
    row = res.table().iloc[0]
    v = S5.to_numeric(survey["q3"])
    top = v >= 4
    k1, n1 = int(top[survey.ar == 2024].sum()), int((survey.ar == 2024).sum())
    k2, n2 = int(top[survey.ar == 2025].sum()), int((survey.ar == 2025).sum())
    lo, hi = confint_proportions_2indep(k2, n2, k1, n1, method="newcomb", compare="diff")
    assert row["diff"] == pytest.approx(100 * (k2 / n2 - k1 / n1))
    assert row["diff_lo"] == pytest.approx(100 * lo) and row["diff_hi"] == pytest.approx(100 * hi)
    by = topbox_change(survey, "q3", S5, year="ar", by="forbund").table()
    assert len(by) == 3 and set(by["forbund"]) == {"Botkyrka", "Huddinge", "Uppsala"}


def test_compare_reference(survey):
    ref = {"Stämmer inte alls": 0.1, "Stämmer inte så bra": 0.2, "Varken ja eller nej": 0.3,
           "Stämmer delvis": 0.25, "Stämmer helt": 0.15}
    res = compare_reference(survey, "q0", S5, ref, group="forbund", value="Uppsala")
    t = res.table()
    v = S5.to_numeric(survey.loc[survey.forbund == "Uppsala", "q0"])
    obs = np.array([(v == k).sum() for k in range(1, 6)])
    chi2, p = stats.chisquare(obs, obs.sum() * np.array(list(ref.values())))
    assert t.iloc[0]["statistic"] == pytest.approx(chi2) and t.iloc[0]["p"] == pytest.approx(p)
    bt = stats.binomtest(int(obs[3:].sum()), int(obs.sum()), 0.4)
    assert t.iloc[1]["p"] == pytest.approx(bt.pvalue)
    assert "Uppsala" in res.caption


# ---------------------------------------------------------------- issue 12: alternative, weights, reference, no scale
def test_wilcoxon_paired_alternative_matches_scipy():
    rng = np.random.default_rng(12)
    before = rng.integers(1, 6, 50)
    after = np.clip(before + rng.choice([-1, 0, 1, 2], 50, p=[0.2, 0.3, 0.3, 0.2]), 1, 6)
    df = pd.DataFrame({"fore": before, "efter": after})
    for alt in ("two-sided", "greater", "less"):
        row = wilcoxon_paired(df, "fore", "efter", "numeric1_6", alternative=alt).table().iloc[0]
        ref = stats.wilcoxon(after, before, zero_method="wilcox", alternative=alt)
        assert row["p"] == pytest.approx(ref.pvalue, abs=1e-12) and row["W"] == pytest.approx(ref.statistic)
        assert row["alternative"] == alt
    up = wilcoxon_paired(df, "fore", "efter", alternative="greater")  # scale=None: plain numbers
    down = wilcoxon_paired(df, "fore", "efter", alternative="less")
    assert up.table().loc[0, "p"] < 0.05 < down.table().loc[0, "p"]
    assert "ensidigt" in up.caption
    with pytest.raises(SchemaError, match="alternative"):
        wilcoxon_paired(df, "fore", "efter", alternative="större")


# MASS::housing (Madsen 1976; R package MASS 7.3, data(housing)), the Freq column in R's row order:
# Sat fastest, then Infl, Type, Cont. Published: polr(Sat ~ Infl + Type + Cont, weights = Freq,
# data = housing) prints InflMedium 0.5663937, InflHigh 1.2888191, TypeApartment -0.5723501,
# TypeAtrium -0.3661866, TypeTerrace -1.0910149, ContHigh 0.3602841 (Venables & Ripley 2002, MASS 4th ed.,
# section 7.3; MASS ?polr example), standard errors 0.1046528, 0.1271561, 0.1192380, 0.1551733,
# 0.1514860, 0.0955358 (vcov of the same fit).
HOUSING_FREQ = [21, 21, 28, 34, 22, 36, 10, 11, 36, 61, 23, 17, 43, 35, 40, 26, 18, 54, 13, 9, 10, 8, 8, 12,
                6, 7, 9, 18, 6, 7, 15, 13, 13, 7, 5, 11, 14, 19, 37, 17, 23, 40, 3, 5, 23, 78, 46, 43, 48, 45,
                86, 15, 25, 62, 20, 23, 20, 10, 22, 24, 7, 10, 21, 57, 23, 13, 31, 21, 13, 5, 6, 13]
POLR = {"Infl_Medium": (0.5663937, 0.1046528), "Infl_High": (1.2888191, 0.1271561),
        "Type_Apartment": (-0.5723501, 0.1192380), "Type_Atrium": (-0.3661866, 0.1551733),
        "Type_Terrace": (-1.0910149, 0.1514860), "Cont_High": (0.3602841, 0.0955358)}


def housing():
    lv = ["Low", "Medium", "High"]
    rows = [(s, i, t, c) for c in ["Low", "High"] for t in ["Tower", "Apartment", "Atrium", "Terrace"]
            for i in lv for s in lv]
    d = pd.DataFrame(rows, columns=["Sat", "Infl", "Type", "Cont"])
    d["Freq"] = HOUSING_FREQ
    d["sat"] = d["Sat"].map({"Low": 1, "Medium": 2, "High": 3})
    return d


def test_ordinal_regression_frequency_weights_and_reference_match_polr_on_housing():
    d = housing()
    assert d["Freq"].sum() == 1681
    ref = {"Infl": "Low", "Type": "Tower", "Cont": "Low"}
    res = ordinal_regression(d, "sat", None, ["Infl", "Type", "Cont"], weights="Freq", reference=ref)
    t = res.table().set_index("term")
    for term, (coef, se) in POLR.items():
        assert t.loc[term, "coef"] == pytest.approx(coef, abs=2e-6), term  # printed to 7 decimals
        assert t.loc[term, "se"] == pytest.approx(se, abs=5e-7), term
    assert t.loc["Type_Terrace", "label"] == "Type: Terrace (jfr Tower)"
    assert "n = 1\u00a0681" in res.caption
    # the same fit on the expanded data (one row per respondent), statsmodels OrderedModel directly
    long = d.loc[d.index.repeat(d["Freq"])].reset_index(drop=True)
    X = pd.get_dummies(long[["Infl", "Type", "Cont"]].astype(
        {"Infl": pd.CategoricalDtype(["Low", "Medium", "High"]),
         "Type": pd.CategoricalDtype(["Tower", "Apartment", "Atrium", "Terrace"]),
         "Cont": pd.CategoricalDtype(["Low", "High"])}), drop_first=True, dtype=float)
    y = pd.Series(pd.Categorical(long["sat"], ordered=True))
    direct = OrderedModel(y, X, distr="logit").fit(method="bfgs", disp=False, maxiter=2000, gtol=1e-8)
    for term in X.columns:
        assert t.loc[term, "coef"] == pytest.approx(direct.params[term], abs=1e-5)
        assert t.loc[term, "se"] == pytest.approx(direct.bse[term], rel=1e-3)


def test_ordinal_regression_weight_and_reference_errors():
    d = housing()
    with pytest.raises(SchemaError, match="referensnivån 'Villa'"):
        ordinal_regression(d, "sat", None, ["Type"], weights="Freq", reference={"Type": "Villa"})
    with pytest.raises(SchemaError, match="inte är kategoriska"):
        ordinal_regression(d, "sat", None, ["Type"], reference={"Freq": 1})
    bad = d.assign(Freq=d["Freq"].astype(float))
    bad.loc[3, "Freq"] = -2
    with pytest.raises(SchemaError, match="vikterna.*rad 5"):
        ordinal_regression(bad, "sat", None, ["Type"], weights="Freq")
    zero = d.assign(Freq=d["Freq"].where(d.index != 0, 0))
    r = ordinal_regression(zero, "sat", None, ["Type"], weights="Freq")
    assert r.exclusions.total == 1


def test_comparisons_accept_plain_numbers_without_scale(survey, tmp_path):
    num = survey.assign(**{f"n{j}": S5.to_numeric(survey[f"q{j}"]) for j in range(2)})
    for fn, args in ((mann_whitney, ("forbund",)), (kruskal_wallis, ("forbund",)), (chi2_levels, ("forbund",))):
        if fn is mann_whitney:
            a = fn(num[num.forbund != "Uppsala"], "n0", *args)
            b = fn(survey[survey.forbund != "Uppsala"], "q0", *args, S5)
        else:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                a = fn(num, "n0", *args)
                b = fn(survey, "q0", *args, S5)
        cols = [c for c in a.table().columns if c not in ("item",)]
        pd.testing.assert_frame_equal(a.table()[cols], b.table()[cols])
        assert any("ingen skala angiven" in n for n in a.notes)
    # continuous numbers (an index 0-100): used as they are; the figure is a box plot per group
    rng = np.random.default_rng(1)
    idx = pd.DataFrame({"g": ["a"] * 30 + ["b"] * 30, "index": np.r_[rng.normal(60, 10, 30), rng.normal(50, 10, 30)]})
    r = mann_whitney(idx, "index", "g")
    u = stats.mannwhitneyu(idx["index"][:30], idx["index"][30:])
    assert r.table().loc[0, "p"] == pytest.approx(u.pvalue)
    ax = r.plot()
    ax.figure.savefig(tmp_path / "box.png")
    assert [t.get_text() for t in ax.get_yticklabels()] == ["a (n = 30)", "b (n = 30)"]
    with pytest.raises(SchemaError, match="inga skalsteg"):
        chi2_levels(idx, "index", "g")
    txt = idx.astype({"index": object})
    txt.loc[4, "index"] = "sextio"
    with pytest.raises(SchemaError, match="rad 6"):
        kruskal_wallis(txt, "index", "g")


def test_topbox_comparisons_without_scale_say_why(survey):
    from finsam_eval.errors import ScaleError

    with pytest.raises(ScaleError, match="behöver skalan"):
        topbox_change(survey, "q0", None)
    with pytest.raises(ScaleError, match="behöver skalan"):
        compare_reference(survey, "q0", None, {"Stämmer helt": 1.0})
