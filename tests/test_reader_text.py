"""No identifiers in what a reader sees (issue 10): Likert and effects results on the sample data.

Every caption, title, note, ``summary()``, printed table header (``column_label``
with the result's ``column_labels``) and figure text is scanned for snake_case
tokens, ``name=value``, ``call()``, quoted column names and the sample's item
codes. Results are run as a report runs them: with the question texts and
register labels in force (:func:`finsam_eval.sv.labels_context`).
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import matplotlib
import pandas as pd
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from finsam_eval import effects as E  # noqa: E402
from finsam_eval import likert as L  # noqa: E402
from finsam_eval import load_sample  # noqa: E402
from finsam_eval.sv import column_label, labels_context  # noqa: E402

BAD = [
    (re.compile(r"\b[a-zåäö]+(?:_[a-zåäö0-9]+)+\b"), "snake_case"),
    (re.compile(r"\b[a-z_][a-z0-9_]*=\S"), "name=value"),
    (re.compile(r"\b[a-z_][a-z0-9_]*\((?:\)|\.\.\.)"), "call()"),
    (re.compile(r"'[a-z_][a-z0-9_]*'"), "quoted column name"),
    (re.compile(r"\b[sd]\d\d(?:_fore|_efter)?\b"), "item code"),
]
COVS = ["alder", "kon", "utbildning", "forsorjning_fore", "manader_stod"]


def identifiers(text: str) -> list[str]:
    return [f"{what}: {m.group(0)!r}" for rx, what in BAD for m in rx.finditer(text)]


def figure_texts(obj: Any) -> list[str]:
    fig = obj if hasattr(obj, "savefig") else obj.figure
    out = [t.get_text() for t in fig.texts]
    if getattr(fig, "_suptitle", None) is not None:
        out.append(fig._suptitle.get_text())
    for ax in fig.axes:
        out += [ax.get_title(loc=loc) for loc in ("left", "center", "right")]
        out += [ax.get_xlabel(), ax.get_ylabel(), *(t.get_text() for t in ax.texts)]
        out += [t.get_text() for t in (*ax.get_xticklabels(), *ax.get_yticklabels())]
        if ax.get_legend() is not None:
            out += [t.get_text() for t in ax.get_legend().get_texts()]
    for lg in fig.legends:
        out += [t.get_text() for t in lg.get_texts()]
    plt.close(fig)
    return [t for t in out if t]


def reader_texts(res: Any) -> dict[str, list[str]]:
    """Everything of a result a reader sees, by place."""
    out: dict[str, list[str]] = {}
    for attr in ("title", "caption"):
        v = getattr(res, attr, None)
        if isinstance(v, str):
            out[attr] = [v]
    notes = getattr(res, "notes", None) or []
    out["notes"] = [notes] if isinstance(notes, str) else list(notes)
    out["summary"] = [res.summary()]
    labels = getattr(res, "column_labels", None)
    labels = labels if isinstance(labels, dict) else None
    tables = [res.table()]
    if hasattr(res, "report_table"):
        tables.append(res.report_table())
    for _cap, extra, lab in getattr(res, "extra_tables", lambda: [])():
        tables.append(extra)
        labels = {**(labels or {}), **lab}
    out["headers"] = [column_label(c, labels) for t in tables for c in t.columns]
    out["figure"] = figure_texts(res.plot())
    return out


def _results() -> Iterator[tuple[str, Callable[[], Any]]]:
    enk = load_sample("survey_samverkan")
    q = load_sample("survey_items")
    dl = load_sample("survey_deltagare")
    items = [f"s{i:02d}" for i in range(1, 11)]
    yield "likert_summary", lambda: L.likert_summary(enk, items, "stammer5", item_labels=q)
    yield "likert_summary per förbund", lambda: L.likert_summary(enk, ["s01", "s09"], "stammer5", by="forbund",
                                                                 item_labels=q)
    yield "cronbach_alpha", lambda: L.cronbach_alpha(enk, items, "stammer5", reverse=["s09"], item_labels=q)
    yield "kruskal_wallis", lambda: L.kruskal_wallis(enk, "s04", "forbund", "stammer5")
    yield "chi2_levels", lambda: L.chi2_levels(enk, "s04", "forbund", "stammer5")
    two = enk[enk["forbund"].isin(["Botkyrka", "Huddinge"])]
    yield "mann_whitney", lambda: L.mann_whitney(two, "s04", "forbund", "stammer5")
    yield "wilcoxon_paired", lambda: L.wilcoxon_paired(dl, "d07_fore", "d07_efter", "ja_absolut4")

    reg = load_sample("register")
    bas = E.person_baseline(reg, outcomes="arbete_studier", post=9)
    m = E.match(bas, "deltagare", COVS, exact=["forbund"])
    yield "match", lambda: m
    yield "effect (matched DiD)", lambda: m.effect("arbete_studier_forandring", adjust=True)
    yield "effect (level)", lambda: m.effect("arbete_studier")
    w = E.weight(bas, "deltagare", COVS, method="ipw")
    yield "weight", lambda: w
    yield "weight effect", lambda: w.effect("arbete_studier")
    yield "compare_forbund", lambda: E.compare_forbund(bas, "arbete_studier_forandring", by="forbund",
                                                       estimator="match", covariates=COVS, adjust=True)
    yield "did", lambda: E.did(reg, "arbete_studier", cluster="person_id")
    yield "event_study", lambda: E.event_study(reg, "arbete_studier", cluster="person_id")
    yield "staggered_did", lambda: E.staggered_did(reg, "arbete_studier", period_label="kvartal", n_boot=199)
    yield "rate_vs_benchmark", lambda: E.rate_vs_benchmark(31, 164, 0.33)
    yield "compare_rates", lambda: E.compare_rates(31, 164, 50, 180)
    yield "pooled_rate", lambda: E.pooled_rate(pd.DataFrame({"insats": ["Unga", "Resursråd", "Övriga"],
                                                             "n": [5300, 1800, 1500], "andel": [0.65, 0.25, 0.30]}),
                                               published=0.45)
    yield "socioeconomic_estimate", lambda: E.socioeconomic_estimate(
        0.065, 1000, 1.0, 500_000, cost=60_000_000, effect_range=(0.053, 0.076),
        effect_label="difference-in-differences")
    yield "difference_in_means", lambda: E.difference_in_means(bas, "arbete_studier", "deltagare")
    yield "regression_table", lambda: E.regression_table(bas, "arbete_studier ~ deltagare + alder + C(forbund)")
    yield "andel", lambda: E.andel(12, 14)
    yield "share_change", lambda: E.share_change((0.45, 120), (0.58, 131))


_CASES = list(_results())


@pytest.fixture(scope="module")
def labels() -> dict[str, str]:
    # What a report puts in force: the question file's texts (and its [etiketter]; the built-in table
    # already names the register's columns).
    q = load_sample("survey_items")
    return dict(zip(q["item"].astype(str), q["text"].astype(str), strict=True))


@pytest.mark.parametrize("name,make", _CASES, ids=[c[0] for c in _CASES])
def test_no_identifiers_in_reader_text(name: str, make: Callable[[], Any], labels: dict[str, str]) -> None:
    with labels_context(labels), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        texts = reader_texts(make())
    found = {place: sorted({hit for t in ts for hit in identifiers(t)}) for place, ts in texts.items()}
    found = {k: v for k, v in found.items() if v}
    assert not found, f"{name}: {found}"


def test_scanner_finds_what_the_report_showed() -> None:
    # The strings the issue found in the demo report, so the scan cannot silently pass everything.
    for text in ("Effekt på arbete_studier", "klustrade på 'person_id'", "random_state=0", "jämför med staggered_did()",
                 "aggregate='dynamic'", "Källa: exempeldata 'survey_samverkan'", "s01 per forbund"):
        assert identifiers(text), text
    assert not identifiers("Effekt på arbete eller studier, 95 % KI [0,058; 0,093], p < 0,001; n = 1 000.")


def test_negatively_worded_item_is_marked_and_reversible() -> None:
    enk = load_sample("survey_samverkan")
    q = load_sample("survey_items")
    assert q.loc[q["item"] == "s09", "reverse"].astype(str).str.lower().isin(["true", "1"]).all()
    s = L.likert_summary(enk, ["s01", "s09"], "stammer5", item_labels=q)
    text = dict(zip(s.data["item"], s.data["text"], strict=True))
    assert text["s09"].endswith("(omvänt formulerad)") and "omvänt" not in text["s01"]
    assert "Positiva" not in " ".join(s.column_labels.values())
    assert any("negativt formulerade" in n for n in s.notes)
    # Reversed: the top box of s09 is the bottom box of the raw answers (independent count).
    r = L.likert_summary(enk, ["s09"], "stammer5", item_labels=q, reverse_answers=True)
    raw = enk["s09"].astype(str).str.split().str.join(" ").str.lower()
    valid = raw.isin(["stämmer inte alls", "stämmer inte så bra", "varken ja eller nej", "stämmer delvis",
                      "stämmer helt"])
    disagree = raw.isin(["stämmer inte alls", "stämmer inte så bra"])
    assert float(r.data["pct_top"].iloc[0]) == pytest.approx(100 * disagree.sum() / valid.sum(), abs=1e-9)
    assert r.data["text"].iloc[0].endswith("(omvänd skala)")


def test_vet_ej_same_measure_in_table_and_figure() -> None:
    enk = load_sample("survey_samverkan")
    s = L.likert_summary(enk, ["s01"], "stammer5")
    t = s.report_table()
    head = s.column_labels["pct_non_substantive"]
    assert head.startswith("Vet ej") and "% av alla svar" in head
    d = s.data.iloc[0]
    assert float(t["pct_non_substantive"].iloc[0]) == pytest.approx(
        100 * d["n_non_substantive"] / (d["n_valid"] + d["n_non_substantive"]))
    fig = s.plot()
    assert any(x.startswith("Vet ej") for x in figure_texts(fig))


def test_costbenefit_text_matches_table_and_shows_every_horizon() -> None:
    s = E.socioeconomic_estimate(0.065, 1000, 1.0, 500_000, cost=60_000_000, effect_range=(0.053, 0.076))
    t = s.table()
    assert t["ar"].tolist() == [1.0, 3.0, 5.0]  # every line of the figure has a row
    cap = s.caption.replace("\u00a0", " ")
    assert "procentenheter" in cap and "6,5 %" not in cap
    for _, row in t.iterrows():
        # Independent computation of the discounted net, 3,5 % a year, year 1 undiscounted.
        gain = sum(0.065 * 1000 * 500_000 / 1.035**k for k in range(int(row["ar"])))
        assert row["netto_msek"] == pytest.approx((gain - 60_000_000) / 1e6)
        assert f"{int(row['ar'])} år {row['netto_msek']:.1f}".replace(".", ",").replace("-", "\u2212") in cap
    assert "minst 3 år" in cap  # 1 year is negative, 3 and 5 years positive: the text says so
    caps = [c for c, _t, _l in s.extra_tables()]
    assert any("Antaganden" in c for c in caps) and any("Känslighetsanalys" in c for c in caps)


def test_event_study_and_did_axes_in_calendar_quarters() -> None:
    reg = load_sample("register")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        d = E.did(reg, "arbete_studier", cluster="person_id")
    texts = figure_texts(d.plot())
    assert "2021 K1" in texts and "Kvartal" in texts
    assert any(t in ("Start", "Deltagarna börjar") for t in texts)
    assert not any(re.fullmatch(r"\d{1,2}", t) for t in texts)


def test_titles_clear_the_axes() -> None:
    s = E.socioeconomic_estimate(0.065, 1000, 1.0, 500_000, cost=60_000_000)
    fig = s.plot().figure
    r = fig.canvas.get_renderer()
    title = fig._suptitle.get_window_extent(r)
    for ax in fig.axes:
        assert ax.get_tightbbox(r).y1 <= title.y0 + 1
    plt.close(fig)
