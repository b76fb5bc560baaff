"""Matrix-question stems as survey tools export them (Webropol/Netigate, Google Forms, colon style)."""

from finsam_eval.likert.stems import split_stems

STEM = "Hur väl stämmer följande påståenden om samverkan i ert förbund?"


def test_dash_style_shared_stem_is_split():
    texts = {"q1": f"{STEM} - Parterna har en gemensam bild av målgruppen",
             "q2": f"{STEM} – Jag vet vad förbundet finansierar",
             "q3": "Hur nöjd är du med förbundets kansli?"}
    out = split_stems(texts)
    assert out["q1"] == (STEM, "Parterna har en gemensam bild av målgruppen")
    assert out["q2"] == (STEM, "Jag vet vad förbundet finansierar")
    assert out["q3"] == (None, "Hur nöjd är du med förbundets kansli?")


def test_google_forms_brackets_and_colon_style():
    g = split_stems({"a": "I vilken grad har insatsen gett dig [nya kontakter]",
                     "b": "I vilken grad har insatsen gett dig [bättre hälsa]"})
    assert g["a"] == ("I vilken grad har insatsen gett dig", "nya kontakter")
    c = split_stems({"a": "Samverkan i styrelsen: Vi har tydliga mål", "b": "Samverkan i styrelsen: Vi följer upp"})
    assert c["b"] == ("Samverkan i styrelsen", "Vi följer upp")


def test_numbering_and_unshared_prefixes_are_not_stems():
    # "Fråga 1" and "Fråga 2" differ and are too short to be a question.
    out = split_stems({"a": "Fråga 1: Jag känner till förbundet", "b": "Fråga 2: Förbundet är viktigt"})
    assert out == {"a": (None, "Fråga 1: Jag känner till förbundet"), "b": (None, "Fråga 2: Förbundet är viktigt")}
    # A stem needs two items: one item with a colon keeps its whole text.
    assert split_stems({"a": "Samverkan i styrelsen: Vi har tydliga mål", "b": "Annat"})["a"][0] is None


def test_longest_shared_stem_wins_when_stems_nest():
    t = {"a": "Om förbundet: styrelsen - Vi har mål", "b": "Om förbundet: styrelsen - Vi följer upp",
         "c": "Om förbundet: kansliet - Stödet är bra", "d": "Om förbundet: kansliet - Det är lätt att nå"}
    out = split_stems(t, min_length=5)
    assert out["a"] == ("Om förbundet: styrelsen", "Vi har mål")
    assert out["d"] == ("Om förbundet: kansliet", "Det är lätt att nå")


def _matrix_summary():
    import pandas as pd

    from finsam_eval.likert import likert_summary

    labels = ["Stämmer inte alls", "Stämmer inte så bra", "Varken ja eller nej", "Stämmer delvis", "Stämmer helt"]
    cols = {f"{STEM} - {s}": [labels[(i * k) % 5] for i in range(40)] for k, s in enumerate(
        ["Parterna har en gemensam bild av målgruppen och av vad förbundet ska åstadkomma på sikt",
         "Jag vet vad förbundet finansierar", "Det är svårt att få tid för samverkan"], start=1)}
    df = pd.DataFrame(cols)
    return likert_summary(df, list(cols), "stammer5")


def test_likert_figure_prints_the_stem_once_and_rows_by_statement():
    import matplotlib.pyplot as plt

    from finsam_eval.likert import plot_likert

    fig = plot_likert(_matrix_summary())
    texts = [t.get_text() for t in fig.findobj(plt.Text)]
    assert sum(STEM in t for t in texts) == 1  # the title, nowhere else
    ax = fig.axes[0]
    ticks = [t.get_text().replace("\n", " ") for t in ax.get_yticklabels()]
    assert "Jag vet vad förbundet finansierar" in ticks
    # wrapped labels of neighbouring rows do not overlap
    fig.canvas.draw()
    boxes = sorted((t.get_window_extent() for t in ax.get_yticklabels() if t.get_text()), key=lambda b: b.y0)
    assert all(a.y1 <= b.y0 + 0.5 for a, b in zip(boxes, boxes[1:]))
    plt.close(fig)
    fig = plot_likert(_matrix_summary(), title="Egen rubrik")
    assert any(f"Frågan: {STEM}" in t.get_text().replace("\n", " ") for t in fig.findobj(plt.Text))
    plt.close(fig)
