"""The report config on an evaluator's own files: column roles, scales defined in the config, keys.

Files here are written the way other tools write them (other column names, a
scale family the presets do not hold), not the way data_samples/ is.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from finsam_eval.cli.rapport import build_report, check_config
from finsam_eval.errors import ConfigError, FinsamError, PrivacyError
from finsam_eval.privacy import contains_personnummer

LEVELS = ["Stämmer helt och hållet", "Stämmer ganska bra", "Stämmer delvis", "Stämmer ganska dåligt",
          "Stämmer inte alls"]


def _survey(tmp: Path) -> Path:
    # 15 substantive answers: 4 + 4 agree (8/15 = 53 %); "Stämmer delvis" is the middle of this family.
    answers = [LEVELS[0]] * 4 + [LEVELS[1]] * 4 + [LEVELS[2]] * 5 + [LEVELS[3], LEVELS[4], "Vet ej"]
    df = pd.DataFrame({
        "Svars-ID": [f"{i:04d}" for i in range(1, 17)],
        "Förbund": ["Botkyrka"] * 8 + ["Huddinge"] * 8,
        "Samverkan fungerar": answers,
        "Målen är tydliga": list(reversed(answers)),
    })
    path = tmp / "netigate_export.csv"
    df.to_csv(path, sep=";", index=False, encoding="utf-8-sig")
    return path


def _config(path: Path, **survey: object) -> dict:
    block = {"fil": path.name, "fragor": ["Samverkan fungerar", "Målen är tydliga"],
             "skala": {"etiketter": LEVELS, "ordning": "fallande", "neutral": "Stämmer delvis", "ej_svar": ["Vet ej"]},
             "kolumner": {"id": "Svars-ID", "forbund": "Förbund"}, "grupp": "forbund"}
    block.update(survey)
    return check_config({"rapport": {"titel": "Test"}, "enkat": [block]})


@pytest.fixture
def added(monkeypatch) -> list:
    """Every result the report builder adds, in order (the Report keeps only rendered blocks)."""
    from finsam_eval.report import Report

    seen: list = []
    original = Report.add

    def spy(self, result, *args, **kwargs):
        seen.append(result)
        return original(self, result, *args, **kwargs)

    monkeypatch.setattr(Report, "add", spy)
    return seen


def _summary_table(added: list) -> pd.DataFrame:
    from finsam_eval.likert.summary import LikertSummary

    found = [r for r in added if isinstance(r, LikertSummary)]
    assert found, "no Likert summary in the report"
    return found[0].table()


def test_scale_defined_in_config_gives_the_true_top_two(tmp_path: Path, added: list) -> None:
    path = _survey(tmp_path)
    build_report(_config(path), tmp_path, progress=False)
    t = _summary_table(added).set_index("item")
    # Hand count: 8 of 15 substantive answers are the two agreeing levels.
    assert t.loc["Samverkan fungerar", "pct_top"] == pytest.approx(100 * 8 / 15)
    assert t.loc["Samverkan fungerar", "n_non_substantive"] == 1


def test_preset_that_would_merge_two_labels_is_refused(tmp_path: Path) -> None:
    from finsam_eval.errors import ScaleError

    path = _survey(tmp_path)
    with pytest.raises(ScaleError) as err:
        build_report(_config(path, skala="stammer5"), tmp_path, progress=False)
    assert "Stämmer ganska bra" in str(err.value)


def test_scale_auto_recognises_the_family(tmp_path: Path, added: list) -> None:
    path = _survey(tmp_path)
    build_report(_config(path, skala="auto"), tmp_path, progress=False)
    t = _summary_table(added).set_index("item")
    assert t.loc["Samverkan fungerar", "pct_top"] == pytest.approx(100 * 8 / 15)


def test_unknown_column_role_and_missing_column_are_config_errors(tmp_path: Path) -> None:
    path = _survey(tmp_path)
    with pytest.raises(FinsamError, match="person"):
        build_report(_config(path, kolumner={"person": "Svars-ID"}), tmp_path, progress=False)
    with pytest.raises(ConfigError, match="'Forbund'"):
        build_report(_config(path, kolumner={"forbund": "Forbund"}), tmp_path, progress=False)


def test_population_without_respondentgrupp_in_survey_is_an_error(tmp_path: Path) -> None:
    path = _survey(tmp_path)
    pd.DataFrame({"forbund": ["Botkyrka", "Huddinge"] * 2, "respondentgrupp": ["styrelse"] * 2 + ["chefer"] * 2,
                  "population": [10, 12, 30, 31]}).to_csv(tmp_path / "pop.csv", sep=";", index=False)
    with pytest.raises(ConfigError, match="respondentgrupp"):
        build_report(_config(path, population="pop.csv"), tmp_path, progress=False)


def _excerpts(tmp: Path, with_pnr: bool) -> Path:
    texts = [
        "Vi träffas varje månad och det har blivit bättre med åren, tycker jag.",
        "Nej, inte alls. Det fungerar bra nu när alla vet vem man ringer.",
        "Förbundet är ganska okänt hos oss, det är mest chefer som vet vad det gör.",
        "Man får förankra allt i den egna ledningen innan något händer.",
    ]
    if with_pnr:
        texts[2] += " Hon heter Anna, 19850312-1238 om ni vill kolla."
    df = pd.DataFrame({"Utdrag": texts, "IP": ["A", "B", "A", "C"], "Förbund": ["Botkyrka"] * 2 + ["Huddinge"] * 2})
    path = tmp / "nvivo_export.csv"
    df.to_csv(path, sep=";", index=False, encoding="utf-8-sig")
    return path


def _coding_config(path: Path, **extra: object) -> dict:
    block = {"fil": path.name, "kolumner": {"text": "Utdrag", "respondent": "IP", "forbund": "Förbund"},
             "grupper": ["forbund"]}
    block.update(extra)
    return check_config({"rapport": {"titel": "Test"}, "kodning": block})


def test_excerpt_columns_from_config_count_respondents_per_forbund(tmp_path: Path) -> None:
    rep = build_report(_coding_config(_excerpts(tmp_path, False)), tmp_path, progress=False)
    data = " ".join(m.text for m in rep.method if m.kind == "data")
    # "A" in Botkyrka and "A" in Huddinge are two people: 4 respondents, not 3 and never 0.
    assert "4 utdrag från 4 respondenter" in data


def test_personnummer_in_excerpts_without_key_names_the_cli_fix(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("FINSAM_NYCKEL", raising=False)
    with pytest.raises(PrivacyError) as err, pytest.warns(UserWarning, match="personnummer"):
        build_report(_coding_config(_excerpts(tmp_path, True)), tmp_path, progress=False)
    msg = str(err.value)
    assert "FINSAM_NYCKEL" in msg and "nyckel_fil" in msg
    assert "finsam_eval." not in msg  # a CLI user is not told to call a Python function
    assert not contains_personnummer(msg)


def test_key_file_pseudonymises_and_the_appendix_says_so(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("FINSAM_NYCKEL", raising=False)
    (tmp_path / "nyckel.txt").write_text("en hemlig fras\n", encoding="utf-8")
    with pytest.warns(UserWarning, match="personnummer"):
        rep = build_report(_coding_config(_excerpts(tmp_path, True), nyckel_fil="nyckel.txt"), tmp_path,
                           progress=False)
    kinds = {m.kind: m.text for m in rep.method}
    assert "1 personnummer" in kinds["pseudonymisering"]
    out = rep.to_markdown(tmp_path / "md")
    text = "".join(p.read_text(encoding="utf-8") for p in Path(out).parent.rglob("*.md")) if Path(out).is_file() \
        else "".join(p.read_text(encoding="utf-8") for p in Path(out).rglob("*.md"))
    assert not contains_personnummer(text)


def test_no_pseudonymisation_statement_when_none_ran(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("FINSAM_NYCKEL", raising=False)
    rep = build_report(_coding_config(_excerpts(tmp_path, False)), tmp_path, progress=False)
    assert all(m.kind != "pseudonymisering" for m in rep.method)
