"""Figure titles and axis labels stay on the canvas (issue 10): measured with the renderer."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from finsam_eval.plots.style import figure, finish, keep_inside

LONG = ("Effekt på förändring i arbete eller studier per förbund (matchning + regressionsjustering), "
        "deltagare jämförda med en matchad jämförelsegrupp under nio kvartal efter start")


def _inside(fig, text, axis: str = "both") -> bool:
    """The text's extent lies inside the figure box (along ``axis``: the width, the height or both)."""
    fig.canvas.draw()
    bb = text.get_window_extent(fig.canvas.get_renderer())
    box = fig.bbox
    across = bb.x0 >= box.x0 - 0.5 and bb.x1 <= box.x1 + 0.5
    up = bb.y0 >= box.y0 - 0.5 and bb.y1 <= box.y1 + 0.5
    return {"x": across, "y": up, "both": across and up}[axis]


@pytest.mark.parametrize("size", ["half", "full", "wide"])
def test_long_title_wraps_inside_the_figure(size):
    fig, ax = figure(size)
    ax.plot([0, 1], [0, 1])
    # Unwrapped, the title is wider than the figure: the test would catch a finisher that does nothing.
    probe = fig.text(0.01, 0.5, LONG, fontsize=10, fontweight="bold")
    fig.canvas.draw()
    assert probe.get_window_extent().x1 > fig.bbox.x1
    probe.remove()
    finish(fig, title=LONG, source="registerdata")
    st = fig.get_suptitle()
    assert "\n" in st
    assert " ".join(st.split()) == LONG  # words kept, in order, none broken
    assert _inside(fig, fig._suptitle)
    # The title does not overlap the axes either.
    r = fig.canvas.get_renderer()
    assert ax.get_tightbbox(r).y1 <= fig._suptitle.get_window_extent(r).y0 + 1
    plt.close(fig)


def test_short_title_is_left_alone():
    fig, ax = figure("full")
    finish(fig, title="Effekt per förbund")
    assert fig.get_suptitle() == "Effekt per förbund"
    plt.close(fig)


def test_axis_labels_and_axes_titles_wrap_inside():
    fig, ax = figure("half")
    ax.plot([0, 1], [0, 1])
    ax.set_xlabel("Skattad effekt på förändring i arbete eller studier, i procentenheter av alla deltagare")
    ax.set_ylabel("Andel av deltagarna som lämnat offentlig försörjning efter nio kvartal, procent")
    ax.set_title("Deltagare jämförda med en matchad jämförelsegrupp, per förbund och år", loc="left")
    keep_inside(fig)
    # Wrapping fixes the run along the text; the height below the axes is the layout's (tight bbox) job.
    for t, axis in ((ax.xaxis.label, "x"), (ax.yaxis.label, "y"), (ax._left_title, "x")):
        assert "\n" in t.get_text()
        assert _inside(fig, t, axis)
    plt.close(fig)


def test_forest_plot_title_inside():
    from finsam_eval.effects._plots import _forest_plot

    t = pd.DataFrame({"etikett": ["Botkyrka", "Huddinge", "Alla"], "att": [0.04, 0.03, 0.05],
                      "ki_nedre": [0.01, -0.01, 0.03], "ki_ovre": [0.07, 0.06, 0.07],
                      "n_deltagare": [340, 300, 640], "n_kontroller": [340, 300, 640]})
    ax = _forest_plot(t, pooled="Alla", title=LONG)
    fig = ax.figure
    assert _inside(fig, fig._suptitle)
    plt.close(fig)


def test_figures_checked_in_the_background_still_refuse_a_personnummer(tmp_path):
    """The privacy guard runs where the figure is rendered (a worker process from the third figure);
    a personnummer in a figure still stops every writer, and the message never holds it."""
    from finsam_eval.errors import PrivacyError
    from finsam_eval.report import Report

    rep = Report("Utvärdering")
    for k in range(4):
        fig, ax = figure("half")
        ax.bar(["Botkyrka", "Huddinge"], [12, 7])
        ax.set_title("Svar från 19850312-1234" if k == 3 else f"Svar {k}")
        rep.add_figure(fig, f"Figur {k}")
    with pytest.raises(PrivacyError) as err:
        rep.to_docx(tmp_path / "r.docx")
    assert "1234" not in str(err.value) and "Figur 3" in str(err.value)
    assert not (tmp_path / "r.docx").exists()


def test_figure_workers_fork_only_in_a_single_threaded_linux_process(monkeypatch):
    import sys
    import threading
    import time

    from finsam_eval.report.document import _can_fork

    monkeypatch.setattr(sys, "platform", "darwin")
    assert not _can_fork()  # macOS: not fork-safe
    monkeypatch.setattr(sys, "platform", "linux")
    stop = threading.Event()
    t = threading.Thread(target=stop.wait, daemon=True)  # e.g. a Jupyter kernel's threads
    t.start()
    try:
        assert not _can_fork()
    finally:
        stop.set()
        t.join()
    time.sleep(0.01)
    assert _can_fork() == all(type(x).__name__ == "TMonitor" for x in threading.enumerate()
                              if x is not threading.main_thread())
