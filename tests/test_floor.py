"""Shared floor: options, Swedish formatting, result contract, house style, CLI entry, README/CI sync."""

import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

import finsam_eval as fe  # noqa: E402
from finsam_eval import plots  # noqa: E402
from finsam_eval.errors import ConfigError, describe_rows  # noqa: E402
from finsam_eval.results import Exclusions, ResultMixin  # noqa: E402
from finsam_eval.sv import fmt_ci, fmt_num, fmt_p, fmt_pct, quantifier  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def test_number_formats_swedish_and_english():
    assert fmt_num(4.8) == "4,8"
    assert fmt_num(8600, 0) == "8\u00a0600"
    assert fmt_num(-0.25, 2) == "\u22120,25"
    assert fmt_num(float("nan")) == ""
    assert fmt_pct(0.505) == "50,5\u00a0%"
    assert fmt_ci(0.12, 0.31, 2) == "[0,12; 0,31]"
    assert fmt_p(0.0004) == "< 0,001" and fmt_p(0.0312) == "0,031"
    with fe.option_context(lang="en"):
        assert fmt_num(8600.5, 1) == "8,600.5" and fmt_pct(0.19) == "19.0%"


@pytest.mark.parametrize(
    "count,total,word",
    [(14, 14, "samtliga"), (13, 14, "nästan alla"), (12, 14, "de allra flesta"), (9, 14, "de flesta"),
     (6, 14, "många"), (3, 14, "flera"), (2, 14, "några"), (1, 14, "någon"), (0, 14, "ingen"), (2, 40, "ett fåtal")],
)
def test_quantifier_words(count, total, word):
    assert quantifier(count, total) == word


def test_quantifier_order_is_monotone():
    order = ["ingen", "någon", "ett fåtal", "några", "flera", "många", "de flesta", "de allra flesta", "nästan alla",
             "samtliga"]
    ranks = [order.index(quantifier(k, 50)) for k in range(51)]
    assert ranks == sorted(ranks)


def test_options_validate_and_restore():
    with pytest.raises(ConfigError):
        fe.set_option("min_count", -1)
    with pytest.raises(ConfigError):
        fe.set_option("okänd", 1)
    fe.set_option("min_count", 3)
    assert fe.get_option("min_count") == 3
    fe.reset_option("min_count")
    assert fe.get_option("min_count") == 5


def test_describe_rows():
    assert describe_rows([0, 1, 2, 3, 4, 5, 6], offset=2) == "rad 2, 3, 4, 5, 6 (och 2 till)"


def test_exclusions_record_and_table():
    ex = Exclusions()
    ex.add("tomt svar", 3, rows=[2, 5, 9], column="s01")
    ex.add("etikett normaliserad", 4, column="s02", action="reparerad")
    ex.add("inget", 0)
    assert len(ex) == 2 and ex.total == 3
    t = ex.table()
    assert t["antal"].tolist() == [3, 4] and t.loc[0, "rader"] == "2, 5, 9"


@dataclass
class _Demo(ResultMixin):
    data: pd.DataFrame
    title: str = "Demo"
    caption: str = "En tabell"
    notes: list[str] = field(default_factory=lambda: ["n = 12"])

    def table(self):
        return fe.suppress_small(self.data, ["n"])

    def plot(self, ax=None):
        fig, ax = plots.figure("half")
        ax.bar(self.data["grupp"], self.data["n"])
        return ax


def test_result_contract_text_and_html():
    r = _Demo(pd.DataFrame({"grupp": ["a", "b"], "n": [12, 2], "medel": [3.25, 4.0]}))
    s = r.summary()
    assert "Demo" in s and ".." in s and "3,2" in s and "Not: n = 12" in s
    h = r._repr_html_()
    assert "<table" in h and "En tabell" in h and ".." in h


def test_house_style_decimal_comma_and_save(tmp_path):
    fig, ax = plots.figure("full")
    ax.plot([0, 0.5, 1.0], [0.1, 0.25, 0.4])
    plots.decimal_comma(ax, percent=False)
    fig.canvas.draw()
    labels = [t.get_text() for t in ax.get_yticklabels() if t.get_text()]
    assert any("," in lab for lab in labels) and not any("." in lab for lab in labels)
    plots.finish(fig, title="Andel i arbete", note="n = 164", source="Uppföljning Finsam")
    written = plots.save_figure(fig, tmp_path / "figur")
    assert sorted(p.suffix for p in written) == [".pdf", ".png", ".svg"]
    assert all(p.stat().st_size > 1000 for p in written)
    only = plots.save_figure(fig, tmp_path / "en.png")
    assert [p.name for p in only] == ["en.png"]
    plt.close(fig)


def test_palettes():
    assert len(set(plots.categorical(8))) == 8
    five = plots.diverging(2, 2, neutral=True)
    assert len(five) == 5 and five[2] == "#E0E0E0"
    assert len(plots.diverging(5, 5)) == 10


def test_cli_version_and_help():
    out = subprocess.run([sys.executable, "-m", "finsam_eval", "--version"], capture_output=True, text=True)
    assert out.returncode == 0 and fe.__version__ in out.stdout
    out = subprocess.run([sys.executable, "-m", "finsam_eval", "--help"], capture_output=True, text=True)
    assert out.returncode == 0 and "samordningsförbund" in out.stdout


def _quick_start_lines():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    m = re.search(r"^## Quick start\n(.*?)(?=^## )", text, re.S | re.M)
    block = re.search(r"```sh\n(.*?)```", m.group(1), re.S).group(1)
    return [line for line in block.splitlines() if line.strip() and not line.startswith("#")]


def test_readme_quick_start_has_two_lines_and_ci_runs_the_second():
    lines = _quick_start_lines()
    assert len(lines) == 2
    assert "rapport --demo" in lines[0]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert lines[1] in ci, "the test line of the README and .ci/run have drifted apart"


def test_format_table_counts_and_shares():
    from finsam_eval.sv import format_table

    t = fe.suppress_small(pd.DataFrame({"Botkyrka": [3, 7], "andel": [0.235, 0.5], "medel": [4.0, 3.25]},
                                       index=["a", "b"]), ["Botkyrka"])
    f = format_table(t)
    # A count column made float by suppression prints whole; shares print as percent.
    assert f["Botkyrka"].tolist() == ["..", "7"]
    assert [v.replace("\u00a0", " ") for v in f["andel"]] == ["23,5 %", "50,0 %"]
    assert f["medel"].tolist() == ["4,0", "3,2"]


def test_cli_speaks_swedish():
    out = subprocess.run([sys.executable, "-m", "finsam_eval", "rapport"], capture_output=True, text=True)
    assert out.returncode == 2
    assert "användning:" in out.stderr and "ett av argumenten --demo --config krävs" in out.stderr
    out = subprocess.run([sys.executable, "-m", "finsam_eval", "koda", "--help"], capture_output=True, text=True)
    assert "visa den här hjälpen och avsluta" in out.stdout and "flaggor:" in out.stdout
