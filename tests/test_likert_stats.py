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
