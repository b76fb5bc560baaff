"""CodingResult: matrices against crosstab, suppression, co-occurrence, quotes, prevalence, manual codes."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest

from finsam_eval import option_context
from finsam_eval.coding import Code, Codebook, CodingResult, code_excerpts
from finsam_eval.errors import CodebookError, MissingColumnError
from finsam_eval.privacy import suppressed_mask

CB = Codebook([
    Code("samsyn", "Samsyn", include=["samsyn"]),
    Code("resurser", "Resurser", include=["resurser", "pengar"]),
    Code("hinder", "Hinder", include=["sekretess"]),
], name="liten")


def _frame(seed: int = 3, n: int = 120) -> pd.DataFrame:
    """Simulated excerpts: respondents with several excerpts, random themes from a small vocabulary."""
    rng = np.random.default_rng(seed)
    forbund = ["Botkyrka", "Huddinge", "Uppsala"]
    roller = ["styrelse", "samordnare", "insatspersonal"]
    resp = [f"R{i:02d}" for i in range(30)]
    resp_forbund = {r: forbund[i % 3] for i, r in enumerate(resp)}
    resp_roll = {r: roller[(i // 3) % 3] for i, r in enumerate(resp)}
    phrases = {"samsyn": "Vi har samsyn.", "resurser": "Det saknas pengar.", "hinder": "Sekretessen stoppar oss."}
    rows = []
    for i in range(n):
        r = resp[int(rng.integers(0, 30))]
        chosen = [c for c in phrases if rng.random() < 0.35]
        text = " ".join(phrases[c] for c in chosen) or "Det var en bra dag."
        rows.append({"excerpt_id": f"E{i:03d}", "respondent_id": r, "forbund": resp_forbund[r], "roll": resp_roll[r],
                     "text": text, "truth": chosen})
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def res() -> CodingResult:
    return code_excerpts(_frame(), CB)


def test_automatic_codes_equal_the_simulated_truth(res):
    df = _frame()
    truth = CodingResult.from_codes(df, "truth", CB)
    pd.testing.assert_frame_equal(res.wide, truth.wide)


def test_wide_is_zero_one_with_every_excerpt(res):
    w = res.wide
    assert w.shape == (120, 3) and set(np.unique(w.to_numpy())) <= {0, 1}
    assert list(w.columns) == CB.ids


def test_matrix_respondents_counted_once_per_group(res):
    df = _frame()
    long = res.long
    # hand computation with crosstab on distinct (respondent, forbund, code)
    distinct = long[["respondent_id", "forbund", "code"]].drop_duplicates()
    expected = pd.crosstab(distinct["code"], distinct["forbund"]).reindex(CB.ids)
    with option_context(min_count=1):
        m = res.matrix("forbund", value="respondents")
        got = m.table()
    assert got.to_numpy().tolist() == expected.to_numpy().tolist()
    assert list(got.index) == ["Samsyn", "Resurser", "Hinder"]
    # shares: over distinct respondents per förbund
    base = df.groupby("forbund")["respondent_id"].nunique()
    with option_context(min_count=1):
        share = res.matrix("forbund", value="share").table()
    np.testing.assert_allclose(share.to_numpy(), (expected / base).to_numpy())
    # excerpts: plain crosstab of the long table
    with option_context(min_count=1):
        ex = res.matrix("forbund", value="excerpts").table()
    assert ex.to_numpy().tolist() == pd.crosstab(long["code"], long["forbund"]).reindex(CB.ids).to_numpy().tolist()
    assert m.title == "Antal respondenter per tema och förbund"


def test_respondent_in_two_groups_counts_in_each_but_once():
    df = pd.DataFrame({
        "excerpt_id": [1, 2, 3], "respondent_id": ["R1", "R1", "R1"],
        "forbund": ["Botkyrka", "Botkyrka", "Uppsala"], "text": ["samsyn", "samsyn igen", "samsyn här"]})
    with option_context(min_count=1):
        t = code_excerpts(df, CB).matrix("forbund", value="respondents").table()
    assert t.loc["Samsyn"].tolist() == [1, 1]


def test_matrix_suppresses_small_counts_and_their_shares(res):
    with option_context(min_count=5):
        m = res.matrix("roll", value="share")
        counts = m.tidy.attrs["raw"]
        tab = m.table()
    mask = suppressed_mask(tab)
    small = counts[(counts.antal > 0) & (counts.antal < 5)]
    for _, r in small.iterrows():
        assert np.isnan(tab.loc[CB.get(r.kod).label, r.roll])
        assert mask.loc[CB.get(r.kod).label, r.roll]
    big = counts[counts.antal >= 5]
    assert len(big) and not any(mask.loc[CB.get(r.kod).label, r.roll] for _, r in big.iterrows())
    with option_context(min_count=50):  # every group has fewer than 50 respondents: all masked
        tab = res.matrix("roll", value="respondents").table()
    assert suppressed_mask(tab).to_numpy().all() or tab.isna().to_numpy().all()


def test_matrix_notes_excerpts_without_group():
    df = _frame()
    df.loc[[0, 1], "roll"] = None
    m = code_excerpts(df, CB).matrix("roll")
    assert "2 utdrag saknar värde i kolumnen 'roll' och ingår inte i matrisen." in m.notes


def test_matrix_errors(res):
    with pytest.raises(MissingColumnError, match="kolumnen 'kon' finns inte"):
        res.matrix("kon")
    with pytest.raises(ValueError, match="value ska vara en av"):
        res.matrix("forbund", value="procent")


def test_cooccurrence_matches_hand_computation(res):
    w = res.wide
    expected = w.T @ w
    with option_context(min_count=1):
        c = res.cooccurrence("count").table()
        j = res.cooccurrence("jaccard").table()
    assert c.to_numpy().tolist() == expected.to_numpy().tolist()
    a, b = w["samsyn"], w["resurser"]
    jac = ((a & b).sum()) / ((a | b).sum())
    assert j.loc["Samsyn", "Resurser"] == pytest.approx(jac)
    assert np.allclose(np.diag(j.to_numpy()), 1.0)
    # jaccard agrees with scikit-learn's definition on binary vectors
    from sklearn.metrics import jaccard_score

    assert j.loc["Resurser", "Hinder"] == pytest.approx(jaccard_score(w["resurser"], w["hinder"]))


def test_cooccurrence_suppression():
    df = pd.DataFrame({"excerpt_id": range(8), "respondent_id": [f"R{i}" for i in range(8)],
                       "text": ["samsyn och pengar"] * 2 + ["samsyn"] * 6})
    with option_context(min_count=5):
        t = code_excerpts(df, CB).cooccurrence().table()
    assert np.isnan(t.loc["Samsyn", "Resurser"]) and t.loc["Samsyn", "Samsyn"] == 8
    assert suppressed_mask(t).loc["Samsyn", "Resurser"]


def test_quotes_are_varied_and_reproducible(res):
    q = res.quotes("samsyn", n=3).table()
    assert len(q) == 3
    assert q.equals(res.quotes("samsyn", n=3).table())
    # three different förbund exist among the candidates, so all three are used
    assert q["forbund"].nunique() == 3
    df = _frame()
    resp = df.set_index("excerpt_id").loc[q["excerpt_id"], "respondent_id"]
    assert resp.nunique() == 3


def test_quotes_prefer_different_respondents_over_score():
    df = pd.DataFrame({
        "excerpt_id": ["a", "b", "c"], "respondent_id": ["R1", "R1", "R2"], "forbund": ["X", "X", "X"],
        "text": ["Samsyn, samsyn och samsyn är det viktigaste vi har i förbundet enligt mig.",
                 "Samsyn och åter samsyn i hela förbundet, det är vad vi pratar om.",
                 "Lite samsyn finns."]})
    q = code_excerpts(df, CB).quotes("samsyn", n=2).table()
    assert set(q.excerpt_id) == {"a", "c"}


def test_quotes_by_group_and_negated_filter():
    df = pd.DataFrame({
        "excerpt_id": range(6), "respondent_id": [f"R{i}" for i in range(6)],
        "forbund": ["A", "A", "A", "B", "B", "B"],
        "text": ["Ingen samsyn alls.", "Vi har samsyn.", "Samsyn finns.", "Samsyn saknas.", "God samsyn.",
                 "Samsyn råder."]})
    res = code_excerpts(df, CB)
    q = res.quotes("samsyn", n=1, by="forbund").table()
    assert q["forbund"].tolist() == ["A", "B"]
    q = res.quotes("samsyn", n=6, exclude_negated=True).table()
    assert not q["negated"].any() and len(q) == 4
    with pytest.raises(CodebookError):
        res.quotes("finnsinte")


def test_prevalence_counts_respondents_and_gives_quantifiers():
    from finsam_eval.coding import small_n_quantifier as quantifier

    df = pd.DataFrame({
        "excerpt_id": range(12), "respondent_id": [f"R{i % 10}" for i in range(12)],
        "text": ["samsyn"] * 12})
    df.loc[[0, 1, 2], "text"] = "samsyn och pengar"
    with option_context(min_count=1):
        p = code_excerpts(df, CB).prevalence().table().set_index("kod")
    # R0, R1, R2 mention pengar (R0 and R1 twice but counted once); all ten mention samsyn
    assert p.loc["samsyn", "antal"] == 10 and p.loc["samsyn", "kvantifierare"] == "samtliga"
    assert p.loc["resurser", "antal"] == 3 and p.loc["resurser", "kvantifierare"] == quantifier(3, 10)
    assert p.loc["hinder", "antal"] == 0 and p.loc["hinder", "kvantifierare"] == "ingen"
    assert p.loc["resurser", "andel"] == pytest.approx(0.3)


def test_prevalence_suppression_keeps_the_word(res):
    with option_context(min_count=50):
        p = res.prevalence(by="forbund").table()
    assert p["antal"].isna().all() and p["andel"].isna().all()
    assert p["kvantifierare"].notna().all()
    assert p.attrs["suppression_note"].startswith("Uppgifter som bygger på färre än 50")


def test_prevalence_sentences(res):
    s = res.prevalence().sentences()
    assert len(s) == 3 and s[0].endswith("respondenter tar upp samsyn.")


def test_table_is_suppressed_summary(res):
    with option_context(min_count=5):
        t = res.table()
    assert list(t.columns) == ["kod", "etikett", "utdrag", "andel_utdrag", "respondenter", "andel_respondenter",
                               "negerade", "osakra"]
    assert t.set_index("kod").loc["samsyn", "utdrag"] == int(res.wide["samsyn"].sum())


def test_from_codes_accepts_strings_and_rejects_unknown_codes():
    df = pd.DataFrame({"excerpt_id": [1, 2], "respondent_id": ["R1", "R2"], "text": ["x", "y"],
                       "codes": ["samsyn; hinder", ""]})
    r = CodingResult.from_codes(df, "codes", CB)
    assert r.wide.loc[1].tolist() == [1, 0, 1] and r.wide.loc[2].sum() == 0
    assert r.method == "manuell (codes)"
    df.loc[1, "codes"] = "samsyn; legitimitet"
    with pytest.raises(CodebookError, match="innehåller koder som inte finns i kodboken 'liten': \\['legitimitet'\\]"):
        CodingResult.from_codes(df, "codes", CB)


def test_compare_against_reference_codes(res):
    df = _frame()
    cmp = res.compare("truth")
    assert cmp.macro_f1 == pytest.approx(1.0)
    noisy = df.copy()
    noisy["truth"] = [[] for _ in range(len(df))]
    assert CodingResult.from_codes(noisy, "truth", CB).wide.to_numpy().sum() == 0


def test_summary_notes_and_html(res):
    n_resp = _frame()["respondent_id"].nunique()
    assert f"n = 120 utdrag från {n_resp} respondenter." in res.notes
    assert "Teman i intervjuutdragen" in res.summary()
    assert "<table" in res._repr_html_()


def test_figures_render(res, tmp_path):
    from finsam_eval.plots import save_figure

    for name, fig in [("bar", res.plot()), ("heat", res.plot(kind="heatmap", by="roll")),
                      ("co", res.cooccurrence("jaccard").plot()), ("prev", res.prevalence(by="forbund").plot()),
                      ("cmp", res.compare("truth").plot())]:
        paths = save_figure(fig, tmp_path / name, ["png"])
        assert paths[0].stat().st_size > 5000
    import matplotlib.pyplot as plt

    plt.close("all")
