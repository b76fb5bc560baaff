"""Inter-coder reliability checked against scikit-learn, statsmodels, the krippendorff
package and Krippendorff's published example."""

from __future__ import annotations

import itertools
import warnings

import krippendorff
import matplotlib
import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import cohen_kappa_score, f1_score
from statsmodels.stats import inter_rater

from finsam_eval.coding.reliability import (
    Estimate,
    ReliabilityResult,
    cohen_kappa,
    fleiss_kappa,
    intercoder_reliability,
    krippendorff_alpha,
    light_kappa,
)
from finsam_eval.errors import EstimationError, MissingColumnError, SchemaError

matplotlib.use("Agg")
nan = np.nan

# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C:
# four observers (rows) x twelve units (columns), missing values as NaN.
K2011 = np.array(
    [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],
        [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan],
    ]
)

CODES = ["samsyn", "legitimitet", "resultat", "hinder", "forankring"]


@pytest.mark.parametrize(("level", "published"), [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849),
                                                  ("ratio", 0.797)])
def test_alpha_published_example(level, published):
    assert round(krippendorff_alpha(K2011.T, level), 3) == published
    # the same data as a long table
    long = pd.DataFrame(
        [(u, c, K2011[c, u]) for c in range(4) for u in range(12) if not np.isnan(K2011[c, u])],
        columns=["unit", "coder", "value"],
    )
    assert krippendorff_alpha(long, level, unit_col="unit", coder_col="coder", value_col="value") == pytest.approx(
        krippendorff_alpha(K2011.T, level)
    )


@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval", "ratio"])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_alpha_matches_krippendorff_package(level, seed):
    rng = np.random.default_rng(seed)
    truth = rng.integers(1, 6, size=40)
    x = np.array([np.clip(truth + rng.integers(-1, 2, size=40) * (rng.random(40) < 0.4), 1, 5) for _ in range(3)],
                 dtype=float)
    x[rng.random(x.shape) < 0.15] = np.nan
    ref = krippendorff.alpha(reliability_data=x, level_of_measurement=level)
    assert krippendorff_alpha(x.T, level) == pytest.approx(ref, abs=1e-10)


def test_alpha_ordinal_text_labels_need_domain():
    x = pd.DataFrame({"a": ["låg", "hög", "mitt", "låg"], "b": ["låg", "hög", "hög", "mitt"]})
    with pytest.raises(SchemaError, match="value_domain"):
        krippendorff_alpha(x, "ordinal")
    dom = ["låg", "mitt", "hög"]
    num = x.replace({"låg": 1, "mitt": 2, "hög": 3}).astype(float)
    assert krippendorff_alpha(x, "ordinal", value_domain=dom) == pytest.approx(krippendorff_alpha(num, "ordinal"))


def test_alpha_bootstrap_ci_is_seeded_and_brackets_estimate():
    est = krippendorff_alpha(K2011.T, "interval", ci=True, n_boot=500, random_state=7)
    assert isinstance(est, Estimate)
    assert est.ci_low <= est.value <= est.ci_high
    assert est.n_units == 11  # unit 12 has a single value and is not pairable
    again = krippendorff_alpha(K2011.T, "interval", ci=True, n_boot=500, random_state=7)
    other = krippendorff_alpha(K2011.T, "interval", ci=True, n_boot=500, random_state=8)
    assert again == est
    assert other.ci_low != est.ci_low


def test_alpha_errors():
    with pytest.raises(EstimationError, match="minst två kodare"):
        krippendorff_alpha(np.array([[1.0], [2.0]]))
    with pytest.raises(EstimationError, match="minst två kodare"):
        krippendorff_alpha(np.array([[1.0, nan], [nan, 2.0]]))  # no overlap
    with pytest.raises(EstimationError, match="samma värde"):
        krippendorff_alpha(np.array([[1.0, 1.0], [1.0, 1.0], [1.0, nan]]))
    with pytest.raises(SchemaError, match="mätnivå"):
        krippendorff_alpha(K2011.T, "kvot")


@pytest.mark.parametrize("weights", [None, "linear", "quadratic"])
def test_cohen_kappa_matches_sklearn_and_statsmodels(weights):
    rng = np.random.default_rng(3)
    a = rng.integers(0, 4, size=120)
    b = np.where(rng.random(120) < 0.6, a, rng.integers(0, 4, size=120))
    ours = cohen_kappa(a, b, weights=weights, ci=True)
    assert ours.value == pytest.approx(cohen_kappa_score(a, b, weights=weights), abs=1e-12)
    table = pd.crosstab(a, b).to_numpy()
    wt = {None: None, "linear": "linear", "quadratic": "quadratic"}[weights]
    sm = inter_rater.cohens_kappa(table, wt=wt) if weights else inter_rater.cohens_kappa(table)
    assert ours.value == pytest.approx(sm.kappa, abs=1e-12)
    assert ours.se == pytest.approx(sm.std_kappa, rel=1e-9)
    assert ours.ci_low == pytest.approx(sm.kappa_low, rel=1e-9)
    assert ours.ci_high == pytest.approx(sm.kappa_upp, rel=1e-9)


def test_cohen_kappa_bootstrap_and_missing_pairs():
    a = ["ja", "ja", "nej", None, "nej", "ja", "nej", "ja", "ja", "nej"]
    b = ["ja", "nej", "nej", "ja", "nej", "ja", "nej", "ja", nan, "ja"]
    keep = [i for i in range(10) if a[i] is not None and b[i] == b[i]]
    ref = cohen_kappa_score([a[i] for i in keep], [b[i] for i in keep])
    est = cohen_kappa(a, b, ci=True, ci_method="bootstrap", n_boot=300, random_state=1)
    assert est.value == pytest.approx(ref)
    assert est.n_units == 8
    assert est.ci_low <= est.value <= est.ci_high
    with pytest.raises(EstimationError, match="samma värde"):
        cohen_kappa(["ja"] * 4, ["ja"] * 4)
    with pytest.raises(EstimationError, match="båda kodarna"):
        cohen_kappa(["ja", None], [None, "nej"])
    with pytest.raises(SchemaError, match="olika många"):
        cohen_kappa(["ja"], ["ja", "nej"])


def test_fleiss_kappa_matches_statsmodels():
    rng = np.random.default_rng(5)
    truth = rng.integers(0, 3, size=60)
    x = np.array([np.where(rng.random(60) < 0.7, truth, rng.integers(0, 3, size=60)) for _ in range(4)]).T
    table, _ = inter_rater.aggregate_raters(x)
    est = fleiss_kappa(x, ci=True, n_boot=300)
    assert est.value == pytest.approx(inter_rater.fleiss_kappa(table, method="fleiss"), abs=1e-12)
    assert est.ci_low < est.value < est.ci_high


# --------------------------------------------------------------------------- multi-label


def simulate(n=150, coders=2, error=0.1, seed=0, prevalence=None):
    """Coders who see the same true codes and each miss/add a code with probability ``error``."""
    rng = np.random.default_rng(seed)
    prevalence = prevalence or dict(zip(CODES, [0.4, 0.3, 0.25, 0.2, 0.1]))
    truth = {c: rng.random(n) < p for c, p in prevalence.items()}
    cols = {}
    for j in range(coders):
        cols[f"codes_{'abcd'[j]}"] = [
            [c for c in prevalence if truth[c][i] != (rng.random() < error)] for i in range(n)
        ]
    df = pd.DataFrame({"excerpt_id": [f"u{i:03d}" for i in range(n)], "text": [f"utdrag {i}" for i in range(n)],
                       **cols})
    return df


def binary(df, col, code):
    return np.array([int(v is not None and code in v) for v in df[col]])


def test_per_code_and_pooled_match_independent_computations():
    df = simulate()
    res = intercoder_reliability(df, n_boot=300)
    st = res.stats
    assert res.coders == ["A", "B"]
    for code in CODES:
        a, b = binary(df, "codes_a", code), binary(df, "codes_b", code)
        assert st.loc[code, "kappa"] == pytest.approx(cohen_kappa_score(a, b))
        assert st.loc[code, "alfa"] == pytest.approx(
            krippendorff.alpha(reliability_data=np.vstack([a, b]), level_of_measurement="nominal"))
        assert st.loc[code, "andel_overens"] == pytest.approx(np.mean(a == b))
        assert st.loc[code, "f1"] == pytest.approx(f1_score(a, b))
        # positive agreement 2a / (2a + b + c) equals F1 for two coders
        assert st.loc[code, "positiv_overens"] == pytest.approx(f1_score(a, b))
        assert st.loc[code, "n_A"] == a.sum()
        assert st.loc[code, "kappa_ci_lag"] < st.loc[code, "kappa"] < st.loc[code, "kappa_ci_hog"]
    fa = np.concatenate([binary(df, "codes_a", c) for c in CODES])
    fb = np.concatenate([binary(df, "codes_b", c) for c in CODES])
    assert res.kappa == pytest.approx(cohen_kappa_score(fa, fb))
    assert res.alpha == pytest.approx(krippendorff.alpha(reliability_data=np.vstack([fa, fb]),
                                                         level_of_measurement="nominal"))
    assert st.loc["(makromedel)", "kappa"] == pytest.approx(st.loc[CODES, "kappa"].mean())
    assert res.n_coded == {"A": 150, "B": 150}


def test_known_truth_kappa_recovered():
    # two coders flip each true code with probability e: kappa has a closed form
    e, p = 0.1, 0.4
    df = simulate(n=3000, error=e, seed=11, prevalence={"samsyn": p})
    q = p * (1 - e) + (1 - p) * e
    po = (1 - e) ** 2 + e**2
    pe = q**2 + (1 - q) ** 2
    res = intercoder_reliability(df, n_boot=200)
    assert res.stats.loc["samsyn", "kappa"] == pytest.approx((po - pe) / (1 - pe), abs=0.04)


def test_three_coders_fleiss_and_pairwise_mean():
    df = simulate(n=120, coders=3, seed=4)
    # coder C did not code some excerpts: missing, not "no codes"
    df.loc[df.index[:10], "codes_c"] = None
    res = intercoder_reliability(df, n_boot=200)
    st = res.stats
    cols = ["codes_a", "codes_b", "codes_c"]
    for code in CODES:
        mats = [binary(df, c, code).astype(float) for c in cols]
        mats[2][:10] = np.nan
        pair_k = []
        for i, j in itertools.combinations(range(3), 2):
            ok = ~np.isnan(mats[i]) & ~np.isnan(mats[j])
            pair_k.append(cohen_kappa_score(mats[i][ok], mats[j][ok]))
        assert st.loc[code, "kappa"] == pytest.approx(np.mean(pair_k))
        assert st.loc[code, "alfa"] == pytest.approx(
            krippendorff.alpha(reliability_data=np.vstack(mats), level_of_measurement="nominal"))
        full = np.vstack(mats)[:, 10:].T.astype(int)
        table, _ = inter_rater.aggregate_raters(full, n_cat=2)
        assert st.loc[code, "fleiss_kappa"] == pytest.approx(inter_rater.fleiss_kappa(table))
    assert "fleiss_kappa" in res.table().columns
    assert res.n_coded["C"] == 110


def test_long_format_gives_same_numbers_as_wide():
    df = simulate(n=60, seed=2)
    rows = []
    for col, coder in (("codes_a", "Anna"), ("codes_b", "Bo")):
        for uid, codes in zip(df["excerpt_id"], df[col]):
            rows += [(uid, coder, c) for c in codes] or [(uid, coder, None)]
    long = pd.DataFrame(rows, columns=["excerpt_id", "coder", "code"])
    wide = intercoder_reliability(df, n_boot=100)
    lng = intercoder_reliability(long, n_boot=100)
    assert lng.coders == ["Anna", "Bo"]
    for c in ["kappa", "alfa", "andel_overens", "f1"]:
        np.testing.assert_allclose(lng.stats.loc[CODES, c].to_numpy(), wide.stats.loc[CODES, c].to_numpy())


def test_disagreements_table():
    df = simulate(n=80, seed=3)
    res = intercoder_reliability(df, n_boot=100)
    dis = res.disagreements()
    n_expected = sum(int((binary(df, "codes_a", c) != binary(df, "codes_b", c)).sum()) for c in CODES)
    assert len(dis) == n_expected
    assert list(dis.columns) == ["excerpt_id", "kod", "etikett", "A", "B", "antal_ja", "antal_kodare", "text"]
    assert (dis["A"] != dis["B"]).all()
    first = dis.iloc[0]
    row = df.set_index("excerpt_id").loc[first["excerpt_id"]]
    assert bool(first["A"]) == (first["kod"] in row["codes_a"])
    assert first["text"] == row["text"]
    # weakest code (lowest kappa) first
    assert dis["kod"].iloc[0] == res.stats.loc[CODES, "kappa"].idxmin()


def test_single_label_ratings():
    rng = np.random.default_rng(8)
    truth = rng.integers(1, 6, size=50)
    a = truth.astype(float)
    b = np.where(rng.random(50) < 0.7, truth, rng.integers(1, 6, size=50)).astype(float)
    df = pd.DataFrame({"excerpt_id": range(50), "kodare_1": a, "kodare_2": b})
    res = intercoder_reliability(df, coders=["kodare_1", "kodare_2"], level="ordinal", n_boot=100)
    assert res.alpha == pytest.approx(krippendorff.alpha(reliability_data=np.vstack([a, b]),
                                                         level_of_measurement="ordinal"))
    assert res.kappa == pytest.approx(cohen_kappa_score(a, b))


def test_edge_cases_errors_and_notes():
    df = simulate(n=40, seed=1)
    with pytest.raises(EstimationError, match="minst två kodare"):
        intercoder_reliability(df, coders=["codes_a"])
    with pytest.raises(MissingColumnError, match="codes_x"):
        intercoder_reliability(df, coders=["codes_a", "codes_x"])
    with pytest.raises(MissingColumnError, match="excerpt_id"):
        intercoder_reliability(df.drop(columns="excerpt_id"))
    no_overlap = df.copy()
    no_overlap.loc[:19, "codes_a"] = None
    no_overlap.loc[20:, "codes_b"] = None
    with pytest.raises(EstimationError, match="minst två kodare"):
        intercoder_reliability(no_overlap)
    # a code nobody used: NaN with a note, no crash
    res = intercoder_reliability(df, codes=[*CODES, "hallbarhet"], n_boot=50)
    assert np.isnan(res.stats.loc["hallbarhet", "kappa"]) and np.isnan(res.stats.loc["hallbarhet", "alfa"])
    assert any("inte använts" in n for n in res.notes)
    assert not np.isnan(res.kappa)
    # all excerpts identical for every coder: undefined, noted
    same = pd.DataFrame({"excerpt_id": range(5), "codes_a": [["samsyn"]] * 5, "codes_b": [["samsyn"]] * 5})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r2 = intercoder_reliability(same, n_boot=50)
    assert np.isnan(r2.alpha) and r2.stats.loc["samsyn", "andel_overens"] == 1.0
    assert any("samma värde" in n for n in r2.notes)
    # partial overlap is recorded as an exclusion
    part = df.copy()
    part.loc[:4, "codes_b"] = None
    r3 = intercoder_reliability(part, n_boot=50)
    assert r3.exclusions.total == 5 and len(r3.units) == 35


def test_result_contract_table_plot_and_seed(tmp_path):
    df = simulate(n=100, seed=6)
    res = intercoder_reliability(df, n_boot=200, random_state=3)
    assert isinstance(res, ReliabilityResult)
    t = res.table()
    assert t["kod"].tolist()[-2:] == ["(poolat)", "(makromedel)"]
    assert t["etikett"].iloc[-2] == "Samtliga koder (poolat)"
    assert "Krippendorffs alfa" in res.caption and "," in res.caption
    assert "Överensstämmelse" in res.summary()
    again = intercoder_reliability(df, n_boot=200, random_state=3)
    pd.testing.assert_frame_equal(res.stats, again.stats)
    ax = res.plot()
    labels = [t_.get_text() for t_ in ax.get_yticklabels()]
    assert labels[0] == "Samtliga koder (poolat)"
    assert all("." not in t_.get_text() for t_ in ax.get_xticklabels())
    ax.figure.savefig(tmp_path / "rel.png")
    assert (tmp_path / "rel.png").stat().st_size > 1000


def test_docstring_examples():
    import doctest

    from finsam_eval.coding import reliability

    res = doctest.testmod(reliability, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert res.failed == 0


def test_sample_excerpts_two_coders():
    from finsam_eval.samples import load_sample

    ex = load_sample("excerpts")
    res = intercoder_reliability(ex, coders=["codes_a", "codes_b"], n_boot=200)
    codes = sorted({c for col in ("codes_a", "codes_b") for cs in ex[col] for c in cs})
    assert res.codes == codes
    fa = np.concatenate([binary(ex, "codes_a", c) for c in codes])
    fb = np.concatenate([binary(ex, "codes_b", c) for c in codes])
    assert res.kappa == pytest.approx(cohen_kappa_score(fa, fb))
    assert 0.6 < res.kappa < 0.95
    dis = res.disagreements()
    assert len(dis) == int((fa != fb).sum())
    assert dis["text"].notna().all()
    assert res.labels["forankring"] == "Förankring"


def test_small_counts_suppressed_in_table_not_coefficients():
    df = pd.DataFrame({
        "excerpt_id": range(8),
        "codes_a": [["x"], ["x"], [], [], ["y"], ["y"], ["y"], ["y"]],
        "codes_b": [["x"], [], [], ["x"], ["y"], ["y"], ["y"], []],
    })
    res = intercoder_reliability(df, n_boot=100)
    t = res.table()
    assert np.isnan(t.loc[0, "n_A"]) and t.attrs["suppressed_mask"].loc[0, "n_A"]
    assert t.loc[0, "kappa"] == pytest.approx(cohen_kappa_score([1, 1, 0, 0, 0, 0, 0, 0], [1, 0, 0, 1, 0, 0, 0, 0]))
    assert "redovisas inte" in res.summary()
    raw = res.table(suppress=False)
    assert raw.loc[0, "n_A"] == 2


def test_report_table_is_print_ready():
    res = intercoder_reliability(simulate(n=80, seed=9), n_boot=100)
    t = res.report_table()
    assert list(t.columns) == ["etikett", "n_A", "n_B", "andel_overens", "kappa", "alfa", "f1"]
    k = res.stats.loc["(poolat)"]
    assert t["kappa"].iloc[-2].startswith(f"{k['kappa']:.2f}".replace(".", ",") + " [")
    assert t["andel_overens"].iloc[0].endswith("%")
    assert res.column_labels["alfa"] == "Krippendorffs alfa [95 % KI]"


@pytest.mark.slow
def test_bootstrap_interval_coverage_known_truth():
    """Percentile intervals for alpha cover the population value about 95 % of the time."""
    e, p, n, reps = 0.1, 0.3, 200, 150
    q = p * (1 - e) + (1 - p) * e
    po = (1 - e) ** 2 + e**2
    pe = q**2 + (1 - q) ** 2
    truth = (po - pe) / (1 - pe)  # equal marginals: alpha, pi and kappa share the population value
    rng = np.random.default_rng(2024)
    hits = 0
    for r in range(reps):
        z = rng.random(n) < p
        x = np.column_stack([z ^ (rng.random(n) < e), z ^ (rng.random(n) < e)]).astype(float)
        est = krippendorff_alpha(x, ci=True, n_boot=300, random_state=r)
        hits += est.ci_low <= truth <= est.ci_high
    assert 0.88 <= hits / reps <= 0.99


# Fleiss (1971), Psychological Bulletin 76, 378-382: 30 patients, 6 psychiatrists, 5 diagnoses.
# The ratings as R irr::diagnoses (also statsmodels/stats/tests/test_inter_rater.py, statsmodels 0.14);
# irr 0.84.1 kappam.fleiss(diagnoses) prints Kappa = 0.43 (0.4302445 unrounded, statsmodels' test).
FLEISS_1971 = np.array([
    [4, 4, 4, 4, 4, 4], [2, 2, 2, 5, 5, 5], [2, 3, 3, 3, 3, 5], [5, 5, 5, 5, 5, 5], [2, 2, 2, 4, 4, 4],
    [1, 1, 3, 3, 3, 3], [3, 3, 3, 3, 5, 5], [1, 1, 3, 3, 3, 4], [1, 1, 4, 4, 4, 4], [5, 5, 5, 5, 5, 5],
    [1, 4, 4, 4, 4, 4], [1, 2, 4, 4, 4, 4], [2, 2, 2, 3, 3, 3], [1, 4, 4, 4, 4, 4], [2, 2, 4, 4, 4, 5],
    [3, 3, 3, 3, 3, 5], [1, 1, 1, 4, 5, 5], [1, 1, 1, 1, 1, 2], [2, 2, 4, 4, 4, 4], [1, 3, 3, 5, 5, 5],
    [5, 5, 5, 5, 5, 5], [2, 4, 4, 4, 4, 4], [2, 2, 4, 5, 5, 5], [1, 1, 4, 4, 4, 4], [1, 4, 4, 4, 4, 5],
    [2, 2, 2, 2, 2, 4], [1, 1, 1, 1, 5, 5], [2, 2, 4, 4, 4, 4], [1, 3, 3, 3, 3, 3], [5, 5, 5, 5, 5, 5],
])
DIAGNOSES = ["depression", "personlighetsstorning", "schizofreni", "neuros", "annat"]


def _single_label_frame(ratings, names=DIAGNOSES):
    lab = np.asarray(names, dtype=object)[ratings - 1]
    return pd.DataFrame({"excerpt_id": range(len(ratings)),
                         **{f"kodare_{j + 1}": lab[:, j] for j in range(ratings.shape[1])}})


def test_single_label_many_coders_pooled_row_is_the_categorical_variable():
    # issue 12: the pooled row gave kappa = fleiss = 0.4444 (pooled over 0/1 code indicators)
    # although its note says it is the categorical variable; Fleiss' kappa is 0.4302.
    df = _single_label_frame(FLEISS_1971)
    coders = [c for c in df.columns if c.startswith("kodare_")]
    res = intercoder_reliability(df, coders=coders, n_boot=200, random_state=1)
    pooled = res.stats.loc["(poolat)"]
    table, _ = inter_rater.aggregate_raters(FLEISS_1971)
    assert inter_rater.fleiss_kappa(table) == pytest.approx(0.4302445, abs=1e-7)  # published, see above
    assert pooled["fleiss_kappa"] == pytest.approx(0.4302445, abs=1e-7)
    assert pooled["fleiss_kappa"] == pytest.approx(fleiss_kappa(df[coders]), abs=1e-12)
    # kappa for more than two coders = mean of pairwise Cohen's kappas (Light 1971), on the categories
    pair = [cohen_kappa_score(FLEISS_1971[:, i], FLEISS_1971[:, j])
            for i, j in itertools.combinations(range(6), 2)]
    assert pooled["kappa"] == pytest.approx(np.mean(pair), abs=1e-12)
    assert pooled["kappa"] == pytest.approx(light_kappa(df[coders]), abs=1e-12)
    # irr 0.84.1, example of ?kappam.light: kappam.light(diagnoses) prints Kappa = 0.459
    assert pooled["kappa"] == pytest.approx(0.459, abs=5e-4)
    agree = [np.mean(FLEISS_1971[:, i] == FLEISS_1971[:, j]) for i, j in itertools.combinations(range(6), 2)]
    assert pooled["andel_overens"] == pytest.approx(np.mean(agree), abs=1e-12)
    assert pooled["alfa"] == pytest.approx(
        krippendorff.alpha(reliability_data=FLEISS_1971.T, level_of_measurement="nominal"), abs=1e-12)
    for lo, hi, v in (("kappa_ci_lag", "kappa_ci_hog", "kappa"), ("fleiss_ci_lag", "fleiss_ci_hog", "fleiss_kappa")):
        assert pooled[lo] < pooled[v] < pooled[hi]
    # the per-category rows stay binary (one category against the rest)
    dep = (FLEISS_1971 == 1).astype(int)
    t1, _ = inter_rater.aggregate_raters(dep, n_cat=2)
    assert res.stats.loc["depression", "fleiss_kappa"] == pytest.approx(inter_rater.fleiss_kappa(t1))


def test_single_label_many_coders_with_missing_ratings():
    x = FLEISS_1971.astype(float)
    x[:4, 5] = np.nan  # coder 6 did not rate four patients
    df = _single_label_frame(np.nan_to_num(x, nan=1).astype(int))
    df.loc[df.index[:4], "kodare_6"] = None
    coders = [c for c in df.columns if c.startswith("kodare_")]
    res = intercoder_reliability(df, coders=coders, n_boot=100)
    pooled = res.stats.loc["(poolat)"]
    table, _ = inter_rater.aggregate_raters(FLEISS_1971[4:])
    # Fleiss' kappa needs every coder on every unit: the four incomplete units are left out
    assert pooled["fleiss_kappa"] == pytest.approx(inter_rater.fleiss_kappa(table), abs=1e-12)
    pair = []
    for i, j in itertools.combinations(range(6), 2):
        ok = ~np.isnan(x[:, i]) & ~np.isnan(x[:, j])
        pair.append(cohen_kappa_score(x[ok, i], x[ok, j]))
    assert pooled["kappa"] == pytest.approx(np.mean(pair), abs=1e-12)
    assert pooled["alfa"] == pytest.approx(
        krippendorff.alpha(reliability_data=x.T, level_of_measurement="nominal"), abs=1e-12)


def test_split_modules_keep_public_names_and_doctests():
    import doctest

    from finsam_eval.coding import alpha, bootstrap, kappa, reliability

    for name in ("Estimate", "cohen_kappa", "fleiss_kappa", "krippendorff_alpha", "intercoder_reliability"):
        assert hasattr(reliability, name)
    for mod in (alpha, bootstrap, kappa):
        assert doctest.testmod(mod, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE).failed == 0
