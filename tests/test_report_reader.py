"""Reader text in the report tables (issue 10): no codes where a board member reads the report."""

from __future__ import annotations

import pandas as pd

from finsam_eval.report import Report


class _Result:
    """A minimal result: the contract Report.add knows (title, caption, table)."""

    def __init__(self, title: str, table: pd.DataFrame) -> None:
        self.title, self.caption, self._t = title, title, table

    def table(self) -> pd.DataFrame:
        return self._t


def test_exclusion_columns_count_questions_and_use_labels():
    rep = Report("T")
    rep.labels = {"forsorjning_fore": "Försörjning före start"}
    assert rep._columns_text(pd.Series(["s01", "s02", "s10", "s02"])) == "3 frågor"
    assert rep._columns_text(pd.Series(["d04"])) == "1 fråga"
    assert rep._columns_text(pd.Series(["forsorjning_fore", "kon", None])) == "Försörjning före start, Kön"
    long = rep._columns_text(pd.Series([f"variabel_nummer_{i}" for i in range(12)]))
    assert len(long) <= 82 and long.endswith("…") and "  " not in long  # cut between words


def test_estimator_identifiers_print_in_words():
    rep = Report("T")
    t = pd.DataFrame({"utfall": ["arbete"], "estimator": ["twfe"], "estimat": [0.065], "inferens": ["cluster"]})
    rep.add(_Result("Före och efter", t))
    printed = rep.tables[0].formatted()
    cells = " ".join(str(v) for v in printed.to_numpy().ravel())
    assert "twfe" not in cells and "cluster" not in cells
    assert "Tvåvägs fixa effekter" in cells and "Klustrade medelfel" in cells


def test_code_column_dropped_when_a_label_column_says_the_same():
    rep = Report("T")
    t = pd.DataFrame({"kod": ["legitimitet", "samsyn"], "etikett": ["Legitimitet", "Samsyn"], "antal": [18, 15]})
    rep.add(_Result("Hur vanliga är temana?", t))
    assert "kod" not in rep.tables[0].data.columns
    assert rep.tables[0].data["antal"].tolist() == [18, 15]  # numbers kept, not shifted


def test_caption_after_a_question_mark_has_no_extra_full_stop():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    class WithFigure(_Result):
        def plot(self):
            fig, ax = plt.subplots()
            ax.bar(["a", "b"], [18, 15])
            return fig

    rep = Report("T")
    rep.add(WithFigure("Hur vanliga är temana?", pd.DataFrame({"etikett": ["A", "B"], "antal": [18, 15]})))
    assert rep.tables[0].caption == "Underlag till figur 1: hur vanliga är temana?"


def test_a_cell_with_a_control_character_still_writes(tmp_path):
    from docx import Document

    rep = Report("T")
    rep.add_table(pd.DataFrame({"forbund": ["Botkyrka\x0c", "Huddinge"], "antal": [12, 30]}), "Antal")
    doc = Document(rep.to_docx(tmp_path / "r.docx"))
    cells = [c.text for t in doc.tables for r in t.rows for c in r.cells]
    assert "Botkyrka" in cells and "30" in cells


def test_csv_of_a_matrix_has_no_index_header(tmp_path):
    rep = Report("T")
    rep.add_table(pd.DataFrame({"Botkyrka": [8, 3], "Huddinge": [6, 7]}, index=["Legitimitet", "Samsyn"]), "Teman")
    rep.to_markdown(tmp_path)
    lines = (tmp_path / "tabeller" / "tabell_01.csv").read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == ";Botkyrka;Huddinge"
    assert lines[2] == "Samsyn;..;7"  # 3 < 5 suppressed, the row's other count kept
