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


# -- hierarchy: sub-codes roll up -----------------------------------------------------------

HCB = Codebook([
    Code("processer", "Samarbetsprocesser", include=["möte"]),
    Code("klimat", "Samarbetsklimat", include=["tillit"], parent="processer"),
    Code("sprak", "Språk och begrepp", include=["begrepp"], parent="processer"),
    Code("resurser", "Resurser", include=["pengar"]),
], name="hierarki")


def _hframe() -> pd.DataFrame:
    return pd.DataFrame({
        "excerpt_id": [1, 2, 3, 4, 5, 6],
        "respondent_id": ["H:R1", "H:R1", "H:R2", "B:R1", "B:R2", "B:R3"],
        "forbund": ["Huddinge", "Huddinge", "Huddinge", "Botkyrka", "Botkyrka", "Botkyrka"],
        "kalla": "intervju",
        "text": ["Det finns tillit och samma begrepp.", "Ett möte i veckan.", "Olika begrepp.",
                 "Tillit.", "Pengar saknas.", "Inget särskilt."],
    })


def test_subcodes_roll_up_into_parents():
    res = code_excerpts(_hframe(), HCB)
    assert res.codes == ["processer", "klimat", "sprak", "resurser"]
    t = res.table().set_index("kod")
    # processer: excerpt 2 directly, 1 (two sub-codes: counted once), 3 and 4 through sub-codes
    assert t.loc["processer", "utdrag"] == 4 and t.loc["processer", "respondenter"] == 3
    flat = res.table(recursive=False).set_index("kod")
    assert flat.loc["processer", "utdrag"] == 1 and flat.loc["klimat", "utdrag"] == 2
    m = res.matrix("forbund").table()
    assert m.loc["Samarbetsprocesser"].tolist() == [1, 2]  # Botkyrka, Huddinge
    assert list(m.index) == ["Samarbetsprocesser", "– Samarbetsklimat", "– Språk och begrepp", "Resurser"]
    assert any("Underkoder räknas också under sin huvudkod" in n for n in res.matrix("forbund").notes)
    p = res.prevalence(by="forbund").table().set_index(["forbund", "kod"])
    assert p.loc[("Huddinge", "processer"), "antal"] == 2 and p.loc[("Huddinge", "processer"), "kvantifierare"] == "samtliga"
    q = res.quotes("processer", n=5)
    assert sorted(q.table()["excerpt_id"]) == [1, 2, 3, 4]
    assert res.wide["processer"].sum() == 1  # wide stays the codes as given
    assert res.cooccurrence().counts.loc["processer", "klimat"] == 0


def test_roll_up_for_reliability():
    from finsam_eval.coding import intercoder_reliability, roll_up

    df = pd.DataFrame({"excerpt_id": range(6),
                       "codes_a": [["klimat"], ["sprak"], ["klimat"], [], ["resurser"], ["sprak"]],
                       "codes_b": [["sprak"], ["sprak"], ["klimat"], [], ["resurser"], ["klimat"]]})
    up = roll_up(df, HCB)
    assert up["codes_a"].tolist()[0] == ["processer", "klimat"] and up["codes_a"].tolist()[3] == []
    rel = intercoder_reliability(up, codes=HCB.ids, n_boot=50).table().set_index("kod")
    # sub-codes disagree on 2 of 6 excerpts; the parent agrees on all 6
    assert rel.loc["processer", "andel_overens"] == pytest.approx(1.0)
    assert rel.loc["klimat", "andel_overens"] == pytest.approx(4 / 6)


def test_organising_functions_carry_subcodes():
    from finsam_eval.coding import ancestors, descendants

    cb = Codebook.framework("organiserande_funktioner")
    for sub in ("samarbetsklimat", "implementering", "status_i_myndigheterna", "sprak_begrepp"):
        assert ancestors(cb, sub) == ["samarbetsprocesser"]
    # the six sub-headings a förbund comparison reports under samarbetsprocesser (Övrigt left out)
    assert len(descendants(cb, "samarbetsprocesser")) == 6
    assert all(cb.get(c).definition for c in cb.ids)


# -- small n: counts of interviewed people, words by counts ----------------------------------

def test_quantifier_table_by_counts():
    from finsam_eval.coding import QUANTIFIER_RULES, quantifier_table, small_n_quantifier

    t = quantifier_table(10)
    assert t.loc[1, 10] == "en" and t.loc[2, 10] == "ett fåtal" and t.loc[3, 10] == "ett fåtal"
    assert t.loc[4, 10] == "några" and t.loc[5, 10] == "hälften" and t.loc[6, 10] == "de flesta"
    assert t.loc[2, 4] == "hälften" and t.loc[3, 4] == "de flesta" and t.loc[4, 4] == "samtliga"
    assert t.loc[5, 4] == ""
    # "ett fåtal" is reached with few respondents (with shares alone it needed at least 21)
    assert min(n for n in range(1, 11) if "ett fåtal" in set(t[n])) == 5
    assert small_n_quantifier(6, 30) == "flera" and small_n_quantifier(12, 30) == "många"
    assert small_n_quantifier(27, 30) == "nästan alla" and small_n_quantifier(24, 30) == "de allra flesta"
    assert [w for w, _ in QUANTIFIER_RULES][:3] == ["ingen", "samtliga", "en"]
    with pytest.raises(ValueError, match="mellan 0 och basen"):
        small_n_quantifier(5, 4)


def test_four_interviewed_per_forbund_are_shown():
    res = code_excerpts(_hframe(), HCB)
    with option_context(min_count=5):
        m = res.matrix("forbund").table()
        p = res.prevalence(by="forbund").table()
    assert not suppressed_mask(m).to_numpy().any() and m.notna().to_numpy().all()
    assert p["antal"].notna().all() and "färre än" not in " ".join(p["kvantifierare"])
    assert any("Intervjuade yrkesverksamma" in n for n in res.matrix("forbund").notes)
    # participants' counts (and material of unknown source) are still suppressed
    part = _hframe().assign(roll="deltagare")
    with option_context(min_count=5):
        assert suppressed_mask(code_excerpts(part, HCB).matrix("forbund").table()).to_numpy().any()
        unknown = code_excerpts(_hframe().drop(columns="kalla"), HCB).matrix("forbund").table()
        forced = code_excerpts(_hframe(), HCB)
        forced.suppress = True
        assert suppressed_mask(unknown).to_numpy().any()
        assert suppressed_mask(forced.matrix("forbund").table()).to_numpy().any()


def test_prevalence_sentences_read_in_swedish():
    res = code_excerpts(_hframe(), HCB)
    s = res.prevalence(codes=["resurser", "klimat"]).sentences()
    # tillit: H:R1 and B:R1; pengar: B:R2
    assert s == ["Ett fåtal respondenter tar upp samarbetsklimat.", "En respondent tar upp resurser."]
    s = res.prevalence(by="forbund", codes=["processer"]).sentences()
    assert s == ["En respondent i Botkyrka tar upp samarbetsprocesser.",
                 "Samtliga respondenter i Huddinge tar upp samarbetsprocesser."]
    s = code_excerpts(_hframe().assign(forbund="X"), HCB).prevalence(codes=["klimat"]).sentences()
    assert s == ["Ett fåtal respondenter tar upp samarbetsklimat."]
    half = pd.DataFrame({"excerpt_id": [1, 2, 3, 4], "respondent_id": ["R1", "R2", "R3", "R4"], "kalla": "intervju",
                         "text": ["tillit", "inget", "tillit", "inget"]})
    assert code_excerpts(half, HCB).prevalence(codes=["klimat"]).sentences() == [
        "Hälften av respondenterna tar upp samarbetsklimat."]


# -- the same text is one quote; codes= restricts everything ----------------------------------

def test_identical_text_under_two_groups_is_one_quote():
    df = pd.DataFrame({
        "excerpt_id": [1, 2, 3, 4], "respondent_id": ["H:R1", "B:R1", "H:R2", "B:R2"],
        "forbund": ["Huddinge", "Botkyrka", "Huddinge", "Botkyrka"],
        "text": ["Vi har samsyn om målgruppen nu, efter mycket arbete.", "Vi har samsyn om målgruppen nu, efter mycket arbete.",
                 "Samsyn finns i styrelsen men inte ute i verksamheten.", "Ingen samsyn alls om vad som är problemet."]})
    res = code_excerpts(df, CB)
    q = res.quotes("samsyn", n=2, by="forbund").table()
    assert q["text"].nunique() == len(q) == 3
    q1 = res.quotes("samsyn", n=4).table()
    assert len(q1) == 3  # four excerpts, three different texts


def test_codes_restrict_every_table_and_figure(res, tmp_path):
    only = ["hinder"]
    assert res.table(codes=only)["kod"].tolist() == only
    assert list(res.matrix("forbund", codes=only).table().index) == ["Hinder"]
    assert res.prevalence(by="forbund", codes=only).table()["kod"].unique().tolist() == only
    assert list(res.cooccurrence(codes=["hinder", "samsyn"]).table().index) == ["Samsyn", "Hinder"]
    fig = res.plot(codes=only)
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["Hinder"]
    fig = res.plot(kind="heatmap", codes=only)
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["Hinder"]
    sel = res.select(["samsyn", "hinder"])
    assert sel.codes == ["samsyn", "hinder"] and list(sel.wide.columns) == ["samsyn", "hinder"]
    assert sel.table()["kod"].tolist() == ["samsyn", "hinder"]
    assert any("Visar 2 av 3 koder" in n for n in sel.notes)
    with pytest.raises(CodebookError, match="'kon'"):
        res.matrix("forbund", codes=["kon"])
    import matplotlib.pyplot as plt

    plt.close("all")


@pytest.mark.parametrize("module", ["results", "prevalence", "hierarchy", "quotes", "matrix", "comparison"])
def test_docstring_examples(module):
    import doctest
    import importlib

    mod = importlib.import_module(f"finsam_eval.coding.{module}")
    r = doctest.testmod(mod, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert r.failed == 0


def test_codes_argument_restricts_every_table():
    # code_excerpts(codes=...) must not draw the other themes with zeros (issue 11).
    from finsam_eval import Codebook, code_excerpts, load_sample

    ex = load_sample("excerpts")
    res = code_excerpts(ex, Codebook.default(), codes=iter(["samsyn", "legitimitet"]))
    assert res.prevalence().table().iloc[:, 0].tolist() == ["legitimitet", "samsyn"]
    assert len(res.matrix("forbund").table()) == 2
