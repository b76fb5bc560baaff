"""plot_likert variants and the ``finsam-eval enkat`` command."""

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest
from matplotlib.patches import Rectangle

from finsam_eval.cli import main
from finsam_eval.likert import SCALES, likert_summary, plot_likert

S5 = SCALES["stammer5"]


@pytest.fixture(scope="module")
def survey():
    rng = np.random.default_rng(5)
    n = 120
    cats = list(S5.levels) + ["Vet ej"]
    return pd.DataFrame({
        "respondent_id": [f"r{i}" for i in range(n)],
        "forbund": rng.choice(["Botkyrka", "Huddinge", "Uppsala"], n, p=[0.5, 0.47, 0.03]),
        "s01": rng.choice(cats, n, p=[0.05, 0.1, 0.2, 0.35, 0.2, 0.1]),
        "s02": rng.choice(cats, n, p=[0.1, 0.1, 0.2, 0.3, 0.3, 0.0]),
    })


def _texts(fig):
    return [t.get_text() for ax in fig.axes for t in ax.texts] + [t.get_text() for t in fig.texts]


def _bar_extents(ax):
    return [(p.get_x(), p.get_x() + p.get_width()) for p in ax.patches
            if isinstance(p, Rectangle) and p.get_width() > 0 and p.get_facecolor()[:3] != (1, 1, 1)]


def test_split_neutral_centred_and_n_on_bars(survey):
    res = likert_summary(survey, ["s01"], S5)
    fig = plot_likert(res)
    ax = fig.axes[0]
    row = res.table().iloc[0]
    left = -min(x0 for x0, _ in _bar_extents(ax))
    right = max(x1 for _, x1 in _bar_extents(ax))
    assert left == pytest.approx(row["pct_bottom"] + row["pct_neutral"] / 2)
    assert right == pytest.approx(row["pct_top"] + row["pct_neutral"] / 2)
    texts = _texts(fig)
    assert f"n = {int(row['n_valid'])}" in texts
    assert any("Vet ej" in t and "procentbasen" in t for t in texts)
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert labels == [*S5.levels, "Vet ej"]
    assert "%" in ax.get_xticklabels()[0].get_text()


def test_separate_and_omit_neutral(survey):
    res = likert_summary(survey, ["s01", "s02"], S5)
    fig = plot_likert(res, neutral="separate")
    assert len(fig.axes) == 3  # bars, neutral column, Vet ej column
    assert -min(x0 for x0, _ in _bar_extents(fig.axes[0])) == pytest.approx(res.table()["pct_bottom"].max())
    fig2 = plot_likert(res, neutral="omit", non_substantive=False)
    assert len(fig2.axes) == 1
    assert any("summerar därför inte" in t for t in _texts(fig2))
    with pytest.raises(ValueError):
        plot_likert(res, neutral="middle")


def test_sort_groups_and_suppression(survey):
    res = likert_summary(survey, ["s01", "s02"], S5, by="forbund")
    fig = plot_likert(res, layout="rows")
    bar_axes = [ax for ax in fig.axes if ax.get_yticklabels() and ax.get_yticklabels()[0].get_text()]
    assert [t.get_text() for t in bar_axes[0].get_yticklabels()] == ["Botkyrka", "Huddinge", "Uppsala"]
    texts = _texts(fig)
    assert ".." in texts and "n < 5" in texts
    assert any("färre än 5" in t for t in texts)
    panels = plot_likert(res, layout="panels", sort="agree")
    titles = [ax.get_title(loc="left") for ax in panels.axes if ax.get_title(loc="left")]
    assert titles == ["Botkyrka", "Huddinge", "Uppsala"]
    t = res.table()  # sorting uses the published (suppressed) shares
    agree = t.groupby("item")["pct_top"].mean().sort_values(ascending=False)
    first_label = panels.axes[0].get_yticklabels()[0].get_text()
    assert first_label == agree.index[0]


def test_four_point_and_raw_data(survey):
    s4 = SCALES["ja_absolut4"]
    df = pd.DataFrame({"d01": ["Ja, absolut"] * 5 + ["Inte alls"] * 2 + ["Ja, ganska"] * 3})
    fig = plot_likert(df, ["d01"], s4, title="Bemötande")
    ax = fig.axes[0]
    assert -min(x0 for x0, _ in _bar_extents(ax)) == pytest.approx(20.0)
    assert max(x1 for _, x1 in _bar_extents(ax)) == pytest.approx(80.0)
    assert [t.get_text() for t in fig.legends[0].get_texts()] == list(s4.levels)


def test_cli_enkat(tmp_path, survey, capsys):
    path = tmp_path / "enkat.csv"
    survey.to_csv(path, index=False, sep=";")
    code = main(["enkat", str(path), "--scale", "stammer5", "--by", "forbund", "--out", str(tmp_path / "ut")])
    assert code == 0
    csv = tmp_path / "ut" / "enkat_sammanstallning.csv"
    raw = csv.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    # Swedish headers for Swedish Excel (issue 9 item 7)
    back = pd.read_csv(csv, sep=";", decimal=",", encoding="utf-8-sig", dtype={"Antal svar på skalan": str})
    assert set(back["Fråga"]) == {"s01", "s02"}  # items guessed from the scale
    upp = back[back["Förbund"] == "Uppsala"]
    assert (upp["Antal svar på skalan"] == "..").all()
    bot = back[back["Förbund"] == "Botkyrka"].iloc[0]
    assert float(str(bot["Positiva (%)"]).replace(",", ".")) > 0
    assert (tmp_path / "ut" / "enkat_staplar.png").exists()
    assert "2 frågor" in capsys.readouterr().out
    assert main(["enkat", str(path), "--scale", "ja_absolut4", "--items", "s01", "--out", str(tmp_path)]) == 2
