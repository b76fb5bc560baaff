"""Shares, goal attainment, rating matrices and before/after from published shares."""

from __future__ import annotations

import matplotlib
import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint

from finsam_eval import option_context
from finsam_eval.effects.goals import andel, andelar, maluppfyllelse, rating_matrix, share_change
from finsam_eval.effects.rates import compare_rates, newcombe_ci, wilson_ci
from finsam_eval.errors import MissingColumnError, SchemaError, UnknownLabelError

matplotlib.use("Agg")

# Newcombe, R. G. (1998a). Two-sided confidence intervals for the single proportion: comparison of
# seven methods. Statistics in Medicine 17, 857-872, Table II, method 3 (Wilson score, no correction).
WILSON_PUBLISHED = [((81, 263), (0.2553, 0.3662)), ((15, 148), (0.0624, 0.1605)),
                    ((0, 20), (0.0000, 0.1611)), ((1, 29), (0.0061, 0.1718))]
# Newcombe, R. G. (1998b). Interval estimation for the difference between independent proportions:
# comparison of eleven methods. Statistics in Medicine 17, 873-890, Table II, method 10 (hybrid score).
NEWCOMBE_PUBLISHED = [((56, 70, 48, 80), (0.0524, 0.3339)), ((9, 10, 3, 10), (0.1705, 0.8090)),
                      ((6, 7, 2, 7), (0.0582, 0.8062)), ((5, 56, 0, 29), (-0.0381, 0.1926)),
                      ((0, 10, 0, 20), (-0.1611, 0.2775)), ((0, 10, 0, 10), (-0.2775, 0.2775)),
                      ((10, 10, 0, 20), (0.6791, 1.0000)), ((10, 10, 0, 10), (0.6075, 1.0000))]


@pytest.mark.parametrize(("counts", "published"), WILSON_PUBLISHED)
def test_andel_wilson_matches_newcombe_1998a(counts, published):
    a = andel(*counts)
    assert a.ci == pytest.approx(published, abs=5e-5)
    assert a.ci == pytest.approx(proportion_confint(*counts, method="wilson"), abs=1e-12)


@pytest.mark.parametrize(("counts", "published"), NEWCOMBE_PUBLISHED)
def test_newcombe_difference_matches_newcombe_1998b(counts, published):
    assert newcombe_ci(*counts) == pytest.approx(published, abs=5e-5)


def test_andel_text_table_and_contract(tmp_path):
    a = andel(12, 14, label="Till arbete eller studier", source="Verksamhetsberättelse 2024")
    assert a.text == "12 av 14 (86\u00a0%)"
    assert f"{a}" == a.text
    t = a.table()
    assert t.loc[0, "antal"] == 12 and t.loc[0, "n"] == 14
    assert t.loc[0, "andel"] == pytest.approx(12 / 14)
    assert "12 av 14" in a.summary() and "Wilson" in a.summary() and "[60 %; 96 %]" in a.caption.replace(
        "\u00a0", " ")
    assert "<table" in a._repr_html_()
    ax = a.plot()
    ax.figure.savefig(tmp_path / "andel.png")
    assert [t_.get_text() for t_ in ax.get_yticklabels()] == ["Till arbete eller studier\n(12 av 14)"]


def test_andel_small_counts_masked_interval_kept():
    a = andel(3, 14)
    t = a.table()
    assert pd.isna(t.loc[0, "antal"]) and pd.isna(t.loc[0, "andel"])  # 3/14 would give the 3 back
    assert t.loc[0, "n"] == 14
    assert t.loc[0, "ki_nedre"] == pytest.approx(wilson_ci(3, 14)[0])
    assert "3 av" not in a.text and ".. av 14" in a.text
    ax = a.plot()
    labels = [t_.get_text() for t_ in ax.get_yticklabels()] + [t_.get_text() for t_ in ax.texts]
    assert not any("3 av" in s or "21" in s for s in labels)
    with option_context(min_count=3):
        assert andel(3, 14).table().loc[0, "antal"] == 3
    with pytest.raises(SchemaError):
        andel(15, 14)
    with pytest.raises(SchemaError):
        andel(2.5, 14)


def test_wilson_coverage_known_truth():
    rng = np.random.default_rng(3)
    x = rng.binomial(40, 0.3, size=2000)
    lo, hi = proportion_confint(x, 40, method="wilson")
    ours = np.array([andel(int(v), 40).ci for v in x[:50]])
    assert ours == pytest.approx(np.column_stack([lo[:50], hi[:50]]), abs=1e-12)
    assert 0.93 < np.mean((lo < 0.3) & (0.3 < hi)) < 0.97


GOALS = [
    {"mal": "Arbete eller studier", "indikator": "till arbete/studier", "malvarde": 0.30, "antal": 41, "n": 80},
    {"mal": "Få avbrott", "indikator": "avbrutit", "malvarde": 0.20, "antal": 9, "n": 80, "riktning": "högst"},
    {"mal": "Bättre hälsa", "indikator": "bättre hälsa", "malvarde": 0.50, "antal": 3, "n": 14},
    {"mal": "Nöjda", "indikator": "nöjda", "malvarde": 0.80, "utfall": 0.9, "n": 40},
    {"mal": "Färre i försörjningsstöd", "indikator": "försörjningsstöd", "malvarde": 0.40, "antal": 30, "n": 50,
     "riktning": "högst"},
]


def test_maluppfyllelse_judges_from_the_interval():
    g = maluppfyllelse(GOALS)
    t = g.goals.set_index("mal")
    for mal, row in t.iterrows():
        lo, hi = proportion_confint(row["antal"], row["n"], method="wilson")
        assert (row["ki_nedre"], row["ki_ovre"]) == pytest.approx((lo, hi), abs=1e-12)
        up = lo >= row["malvarde"] if row["riktning"] == "minst" else hi <= row["malvarde"]
        down = hi < row["malvarde"] if row["riktning"] == "minst" else lo > row["malvarde"]
        assert row["bedomning"] == ("uppnått" if up else "ej uppnått" if down else "osäkert"), mal
    assert t["bedomning"].tolist() == ["uppnått", "osäkert", "ej uppnått", "osäkert", "ej uppnått"]
    assert t.loc["Nöjda", "antal"] == 36  # reconstructed from 90 % of 40
    assert g.counts == {"uppnått": 1, "osäkert": 2, "ej uppnått": 2}
    assert any("beräknat från andelen" in n for n in g.notes)


def test_maluppfyllelse_boundary_and_direction():
    lo, hi = wilson_ci(20, 40)
    at_low = maluppfyllelse([{"mal": "a", "indikator": "i", "malvarde": lo, "antal": 20, "n": 40}])
    assert at_low.goals.loc[0, "bedomning"] == "uppnått"  # the whole interval is >= the target
    at_high = maluppfyllelse([{"mal": "a", "indikator": "i", "malvarde": hi, "antal": 20, "n": 40,
                               "riktning": "högst"}])
    assert at_high.goals.loc[0, "bedomning"] == "uppnått"
    same = [{"mal": "a", "indikator": "i", "malvarde": 0.6, "antal": 10, "n": 100, "riktning": r}
            for r in ("minst", "högst")]
    assert maluppfyllelse(same).goals["bedomning"].tolist() == ["ej uppnått", "uppnått"]


def test_maluppfyllelse_suppression_keeps_interval_and_verdict(tmp_path):
    g = maluppfyllelse(GOALS)
    t = g.table()
    row = t[t["mal"] == "Bättre hälsa"].iloc[0]
    assert pd.isna(row["antal"]) and pd.isna(row["utfall"])
    assert row["n"] == 14 and row["bedomning"] == "ej uppnått" and pd.notna(row["ki_ovre"])
    assert any("för litet för att visas" in n for n in g.notes)
    ax = g.plot()
    ax.figure.savefig(tmp_path / "mal.png", dpi=80, bbox_inches="tight")
    texts = [t_.get_text() for t_ in ax.get_yticklabels()]
    assert any(".. av 14" in s for s in texts) and not any("3 av 14" in s for s in texts)
    assert "4 av" not in " ".join(texts[:1])
    assert (tmp_path / "mal.png").stat().st_size > 10000


def test_maluppfyllelse_errors_name_the_row():
    with pytest.raises(SchemaError, match="rad 3.*0.4, inte 40"):
        maluppfyllelse([GOALS[0], {**GOALS[0], "malvarde": 40}])
    with pytest.raises(SchemaError, match="rad 2.*riktning"):
        maluppfyllelse([{**GOALS[0], "riktning": "uppåt"}])
    with pytest.raises(SchemaError, match="utan n"):
        maluppfyllelse([{**GOALS[0], "n": None}])
    with pytest.raises(SchemaError, match="går inte att få"):
        maluppfyllelse([{"mal": "a", "indikator": "i", "malvarde": 0.5, "utfall": 0.333, "n": 10}])
    with pytest.raises(MissingColumnError, match="malvarde"):
        maluppfyllelse(pd.DataFrame([GOALS[0]]).drop(columns="malvarde"))
    with pytest.raises(SchemaError, match="heltal mellan 0 och n"):
        maluppfyllelse([{**GOALS[0], "antal": 90}])


def test_rating_matrix_normalises_and_counts(tmp_path):
    r = pd.DataFrame({"insats": ["Steget"] * 3 + ["Unga in"] * 3,
                      "kriterium": ["Målgrupp", "Arbete/studier", "Samverkan"] * 2,
                      "bedomning": ["Uppnått", "delvis uppnått", "uppnått", "Ej uppnått", "", "delvis"]})
    m = rating_matrix(r)
    assert m.matrix.loc["Unga in", "Målgrupp"] == "ej"
    assert m.matrix.loc["Steget", "Arbete/studier"] == "delvis"
    assert m.matrix.loc["Unga in", "Arbete/studier"] is None
    assert m.counts.loc["Steget"].tolist() == [2, 1, 0, 0]
    assert m.counts.loc["Unga in"].tolist() == [0, 1, 1, 1]
    assert "2 insatser" in m.caption
    t = m.table()
    assert t.columns[:4].tolist() == ["insats", "Målgrupp", "Arbete/studier", "Samverkan"]
    ax = m.plot()
    ax.figure.savefig(tmp_path / "matris.png")
    assert sorted(t_.get_text() for t_ in ax.texts if t_.get_text() in ("uppnått", "delvis", "ej", "–")) == [
        "delvis", "delvis", "ej", "uppnått", "uppnått", "–"]
    bad = r.assign(bedomning=["uppnått", "kanske", "ja", "nej", "delvis", "ej"])
    with pytest.raises(UnknownLabelError, match="rad 3.*uppnått, delvis, ej"):
        rating_matrix(bad)
    with pytest.raises(SchemaError, match="flera gånger"):
        rating_matrix(pd.concat([r, r.iloc[:1]]))


def test_share_change_reuses_newcombe():
    r = share_change((0.45, 120), (0.58, 131), labels=("2023", "2024"))
    ref = compare_rates(76, 131, 54, 120, labels=("2024", "2023"))
    assert r.difference == pytest.approx(76 / 131 - 54 / 120)
    assert r.diff_ci == pytest.approx(confint_proportions_2indep(76, 131, 54, 120, method="newcomb"), abs=1e-12)
    assert r.diff_ci == ref.diff_ci and r.pvalue == ref.pvalue
    assert any("beräknade från de publicerade andelarna" in n for n in r.notes)
    with pytest.raises(SchemaError, match="går inte att få"):
        share_change((0.333, 10), (0.5, 10))
    with pytest.raises(SchemaError, match="inte 45"):
        share_change((45, 120), (0.5, 100))


def test_docstring_examples():
    import doctest

    from finsam_eval.effects import goals

    assert doctest.testmod(goals, optionflags=doctest.NORMALIZE_WHITESPACE).failed == 0


def test_andelar_per_insats(tmp_path):
    t = pd.DataFrame({"insats": ["Steget", "Unga in", "Resursrådet"], "antal": [12, 3, 40], "n": [14, 20, 64]})
    r = andelar(t, label="Till arbete eller studier")
    tab = r.table()
    for (_, row), (x, n) in zip(tab.iterrows(), [(12, 14), (3, 20), (40, 64)]):
        assert (row["ki_nedre"], row["ki_ovre"]) == pytest.approx(proportion_confint(x, n, method="wilson"))
    assert pd.isna(tab.loc[1, "antal"]) and pd.isna(tab.loc[1, "andel"]) and tab.loc[1, "n"] == 20
    assert "Unga in .. av 20" in r.caption and "Steget 12 av 14" in r.caption
    ax = r.plot()
    ax.figure.savefig(tmp_path / "andelar.png")
    assert [x.get_text() for x in ax.get_yticklabels()][1] == "Unga in\n(.. av 20)"
    with pytest.raises(SchemaError, match="rad 3"):
        andelar(t.assign(antal=[12, 30, 40]))
    with pytest.raises(MissingColumnError):
        andelar(t, antal="lyckade")
