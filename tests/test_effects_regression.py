"""difference_in_means and regression_table against scipy, statsmodels and hand computations."""

from __future__ import annotations

import warnings

import matplotlib
import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.weightstats import CompareMeans, DescrStatsW

from finsam_eval import get_option, option_context
from finsam_eval.effects import FewClustersWarning
from finsam_eval.effects.regression import difference_in_means, hedges_g, regression_table
from finsam_eval.errors import EstimationError, FinsamError, MissingColumnError, SchemaError

matplotlib.use("Agg")


def experiment(n1=40, n2=55, effect=0.5, sd2=2.0, seed=0):
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"deltagare": [1] * n1 + [0] * n2,
                         "inkomst": np.r_[rng.normal(10 + effect, 1.0, n1), rng.normal(10, sd2, n2)]})


@pytest.mark.parametrize("method", ["welch", "pooled"])
def test_difference_in_means_matches_scipy_and_statsmodels(method):
    d = experiment()
    r = difference_in_means(d, "inkomst", "deltagare", method=method)
    a = d.loc[d.deltagare == 1, "inkomst"]
    b = d.loc[d.deltagare == 0, "inkomst"]
    ref = stats.ttest_ind(a, b, equal_var=method == "pooled")
    lo, hi = ref.confidence_interval(0.95)
    assert r.difference == pytest.approx(a.mean() - b.mean(), abs=1e-12)
    assert r.t == pytest.approx(ref.statistic, abs=1e-10)
    assert r.pvalue == pytest.approx(ref.pvalue, abs=1e-12)
    assert r.df == pytest.approx(ref.df, abs=1e-10)
    assert r.ci == pytest.approx((lo, hi), abs=1e-10)
    cm = CompareMeans(DescrStatsW(a.to_numpy()), DescrStatsW(b.to_numpy()))
    usevar = "unequal" if method == "welch" else "pooled"
    assert r.ci == pytest.approx(cm.tconfint_diff(usevar=usevar), abs=1e-10)
    t = r.table()
    assert t["n"].tolist() == [40, 55]
    assert t.loc[0, "medel"] == pytest.approx(a.mean()) and t.loc[1, "sd"] == pytest.approx(b.std(ddof=1))


def test_welch_equals_ols_dummy_with_hc2():
    # a known identity: OLS on a group dummy with HC2 standard errors gives Welch's standard error
    d = experiment(seed=3)
    r = difference_in_means(d, "inkomst", "deltagare")
    reg = regression_table(d, "inkomst ~ deltagare", robust="HC2")
    row = reg.table().set_index("term").loc["deltagare"]
    assert row["koef"] == pytest.approx(r.difference, abs=1e-10)
    assert row["se"] == pytest.approx(r.se, abs=1e-10)


def test_hedges_g_hand_computation_and_known_truth():
    a, b = np.array([5, 6, 7, 8, 9.0]), np.array([3, 4, 5, 6, 7.0])
    # d = 2 / sqrt(2.5) = 1.2649; J = 1 - 3 / (4 * 10 - 9) = 28/31
    g, lo, hi = hedges_g(a, b)
    assert g == pytest.approx(2 / np.sqrt(2.5) * 28 / 31, abs=1e-12)
    se = np.sqrt(10 / 25 + g**2 / 20)
    assert (lo, hi) == pytest.approx((g - 1.959963985 * se, g + 1.959963985 * se), abs=1e-8)
    # pingouin (compute_effsize, compute_esci) uses the same correction and standard error; its interval
    # takes a t quantile with n1 + n2 - 2 df where ours (Hedges & Olkin) takes the normal one
    import pingouin as pg

    rng = np.random.default_rng(1)
    x1, x2 = rng.normal(1, 2, 25), rng.normal(0, 1, 40)
    g2, lo2, hi2 = hedges_g(x1, x2)
    assert g2 == pytest.approx(pg.compute_effsize(x1, x2, eftype="hedges"), abs=1e-12)
    plo, phi = pg.compute_esci(g2, 25, 40, eftype="hedges", decimals=12)
    se_pg = (phi - plo) / (2 * stats.t.ppf(0.975, 63))
    assert (hi2 - lo2) / (2 * stats.norm.ppf(0.975)) == pytest.approx(se_pg, abs=1e-9)
    # known truth: standardised difference 0.5 with equal SD 1
    rng = np.random.default_rng(7)
    d = pd.DataFrame({"grupp": ["a"] * 4000 + ["b"] * 4000,
                      "y": np.r_[rng.normal(0.5, 1, 4000), rng.normal(0, 1, 4000)]})
    r = difference_in_means(d, "y", "grupp", treated="a")
    assert r.g == pytest.approx(0.5, abs=0.05)
    assert r.g_ci[0] < 0.5 < r.g_ci[1]
    assert r.labels == ("a", "b")


def test_welch_interval_coverage_known_truth():
    rng = np.random.default_rng(11)
    hits = 0
    for _ in range(300):
        d = pd.DataFrame({"g": [1] * 12 + [0] * 30, "y": np.r_[rng.normal(1, 3, 12), rng.normal(0, 1, 30)]})
        lo, hi = difference_in_means(d, "y", "g").ci
        hits += lo < 1 < hi
    assert 0.91 < hits / 300 < 0.98


def test_difference_in_means_exclusions_errors_and_groups():
    d = experiment(n1=10, n2=10)
    d.loc[[2, 15], "inkomst"] = np.nan
    d.loc[5, "deltagare"] = np.nan
    r = difference_in_means(d, "inkomst", "deltagare")
    assert r.groups["n"].tolist() == [8, 9]
    assert r.exclusions.total == 3
    assert any("saknar utfall" in n for n in r.notes)
    # file line numbers: header = line 1, so index 2 is line 4
    assert 4 in [row for e in r.exclusions.items for row in e.rows]
    with pytest.raises(MissingColumnError, match="inkomst2"):
        difference_in_means(d, "inkomst2", "deltagare")
    t = d.astype({"inkomst": object})
    t.loc[3, "inkomst"] = "tolv"
    with pytest.raises(SchemaError, match="rad 5"):
        difference_in_means(t, "inkomst", "deltagare")
    three = pd.DataFrame({"g": list("aabbcc") * 3, "y": np.arange(18.0)})
    with pytest.raises(SchemaError, match="två grupper"):
        difference_in_means(three, "y", "g")
    r3 = difference_in_means(three, "y", "g", treated="c", control="a")
    assert r3.difference == pytest.approx(4.0)
    assert r3.exclusions.total == 6
    with pytest.raises(EstimationError):
        difference_in_means(pd.DataFrame({"g": [1, 0, 0], "y": [1.0, 2, 3]}), "y", "g")
    with pytest.raises(SchemaError):
        difference_in_means(d, "inkomst", "deltagare", method="student")


def test_difference_in_means_small_group_suppressed_parameters_kept():
    d = experiment(n1=3, n2=30)
    r = difference_in_means(d, "inkomst", "deltagare")
    t = r.table()
    assert get_option("min_count") == 5
    assert pd.isna(t.loc[0, "n"]) and pd.isna(t.loc[0, "medel"]) and pd.isna(t.loc[0, "skillnad"])
    assert t.loc[1, "n"] == 30 and t.loc[0, "df"] == pytest.approx(r.df)
    assert t.attrs["n_suppressed"] > 0
    assert "för liten" in r.caption
    assert not any("33" in n for n in r.notes)  # the total n would give the small group's 3 back
    with option_context(min_count=3):
        assert r.table().loc[0, "n"] == 3


def test_difference_in_means_contract_and_plot(tmp_path):
    d = experiment(seed=2)
    r = difference_in_means(d, "inkomst", "deltagare", labels=("Deltagare", "Kontroll"), truth=0.5)
    s = r.summary()
    assert "Welch" in s and "Hedges" in s and "," in s
    assert "<table" in r._repr_html_()
    fig = r.plot()
    fig.savefig(tmp_path / "dim.png", dpi=90, bbox_inches="tight")
    assert (tmp_path / "dim.png").stat().st_size > 5000


# --------------------------------------------------------------------------- regression table


def panel(G=40, per=25, seed=0):
    rng = np.random.default_rng(seed)
    g = np.repeat(np.arange(G), per)
    u = rng.normal(0, 1, G)[g]  # common shock in the error
    x = rng.normal(0, 1, G * per) + rng.normal(0, 1, G)[g]  # a regressor that also varies by cluster
    forbund = np.array(["Botkyrka", "Huddinge", "Södertälje"])[rng.integers(0, 3, G * per)]
    y = 1 + 2 * x + u + rng.normal(0, 1 + 0.5 * np.abs(x), G * per)
    return pd.DataFrame({"y": y, "x": x, "kommun": g, "forbund": forbund})


def sandwich(X, e, meat_groups=None, hc1=True):
    XtXi = np.linalg.inv(X.T @ X)
    n, k = X.shape
    if meat_groups is None:
        meat = (X * e[:, None] ** 2).T @ X
        c = n / (n - k) if hc1 else 1.0
    else:
        meat = np.zeros((k, k))
        for gval in np.unique(meat_groups):
            s = X[meat_groups == gval].T @ e[meat_groups == gval]
            meat += np.outer(s, s)
        G = len(np.unique(meat_groups))
        c = G / (G - 1) * (n - 1) / (n - k)
    return c * XtXi @ meat @ XtXi


def test_regression_hc1_and_cluster_match_hand_sandwich():
    d = panel()
    X = np.column_stack([np.ones(len(d)), d["x"]])
    beta = np.linalg.lstsq(X, d["y"].to_numpy(), rcond=None)[0]
    e = d["y"].to_numpy() - X @ beta
    r = regression_table(d, "y ~ x")
    t = r.table()
    assert t["koef"].to_numpy() == pytest.approx(beta, abs=1e-10)
    assert t["se"].to_numpy() == pytest.approx(np.sqrt(np.diag(sandwich(X, e))), abs=1e-10)
    q = stats.t.ppf(0.975, len(d) - 2)
    assert t["ki_nedre"].to_numpy() == pytest.approx(beta - q * t["se"].to_numpy(), abs=1e-10)
    rc = regression_table(d, "y ~ x", cluster="kommun")
    tc = rc.table()
    se_c = np.sqrt(np.diag(sandwich(X, e, d["kommun"].to_numpy())))
    assert tc["se"].to_numpy() == pytest.approx(se_c, abs=1e-10)
    qc = stats.t.ppf(0.975, 40 - 1)  # G - 1 df as Stata and fixest
    assert tc["ki_ovre"].to_numpy() == pytest.approx(beta + qc * se_c, abs=1e-10)
    assert tc["p"].to_numpy() == pytest.approx(2 * stats.t.sf(np.abs(beta / se_c), 39), abs=1e-12)
    assert rc.n_clusters == 40 and rc.n == 1000
    # clustering matters here: the common shock u makes clustered SE larger
    assert tc.loc[1, "se"] > t.loc[1, "se"]


def test_regression_classical_and_y_X_form_and_known_truth():
    d = panel(seed=4)
    import statsmodels.api as sm

    ref = sm.OLS(d["y"], sm.add_constant(d[["x"]])).fit()
    r = regression_table(d, y="y", X=["x"], robust=None)
    assert r.table()["se"].to_numpy() == pytest.approx(ref.bse.to_numpy(), abs=1e-10)
    assert r.table()["term"].tolist() == ["Intercept", "x"]
    assert r.r2 == pytest.approx(ref.rsquared)
    assert r.table().loc[1, "ki_nedre"] < 2 < r.table().loc[1, "ki_ovre"]


def test_regression_categorical_labels_missing_rows_and_errors():
    d = panel(seed=5)
    d.loc[[0, 7, 9], "x"] = np.nan
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = regression_table(d, "y ~ x + C(forbund)")
    assert r.n == len(d) - 3
    assert r.exclusions.total == 3
    assert r.table()["etikett"].tolist() == ["Konstant", "Förbund: Huddinge", "Förbund: Södertälje", "X"]
    with pytest.warns(FewClustersWarning, match="3 kluster"):
        rf = regression_table(d, "y ~ x", cluster="forbund")
    assert any("3 kluster" in n for n in rf.notes)
    with pytest.raises(MissingColumnError, match="saknas"):
        regression_table(d, y="y", X=["z"])
    with pytest.raises(SchemaError, match="robust"):
        regression_table(d, "y ~ x", robust="HC9")
    with pytest.raises(SchemaError):
        regression_table(d)
    t = d.astype({"y": object})
    t.loc[12, "y"] = "okänt"  # line 14 of the file (header = line 1), after rows 0, 7 and 9 lack x
    with pytest.raises(SchemaError, match="rad 14"):
        regression_table(t, "y ~ x")
    d["x2"] = 2 * d["x"]
    with pytest.raises(EstimationError, match="kollinjära"):
        regression_table(d, "y ~ x + x2")
    with pytest.raises(FinsamError):
        regression_table(d, "y ~ finns_inte")


def test_regression_contract_and_plot(tmp_path):
    d = panel(seed=6)
    r = regression_table(d, "y ~ x + C(forbund)", cluster="kommun")
    s = r.summary()
    assert "klusterrobusta" in s and "R²" in s
    assert "<table" in r._repr_html_()
    ax = r.plot()
    ax.figure.savefig(tmp_path / "reg.png", dpi=90, bbox_inches="tight")
    assert (tmp_path / "reg.png").stat().st_size > 5000
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Förbund: Huddinge", "Förbund: Södertälje", "X"]


def test_docstring_examples():
    import doctest

    from finsam_eval.effects import regression

    assert doctest.testmod(regression, optionflags=doctest.NORMALIZE_WHITESPACE).failed == 0
