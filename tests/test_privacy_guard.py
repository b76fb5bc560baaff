"""One privacy guard on every way out (issue 9, item 5).

Property tests put valid personnummer and samordningsnummer, in every separator
form, into texts, ids, the index, numeric columns, column names and file names,
run every writer (write_csv, Report to docx/html/md, save_figure, write_qdpx) and
error paths, then read back everything written (docx and qdpx unzipped) and the
exception text: the number may come out in no form. And the guard must not cry
wolf: numbers with a wrong check digit (counts, amounts) are never flagged.
"""

from __future__ import annotations

import re
import warnings
import zipfile
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import finsam_eval as fe  # noqa: E402
from finsam_eval._warn import warn  # noqa: E402
from finsam_eval.errors import FinsamError, PrivacyError, SchemaError  # noqa: E402
from finsam_eval.io.export import format_number, write_csv  # noqa: E402
from finsam_eval.privacy import (  # noqa: E402
    FILE_MASK,
    MASK,
    check_output,
    contains_personnummer,
    holds_personnummer,
    mask_text,
    pseudonymise,
    safe_name,
    scan_frame,
    suppress_small,
    suppressed_mask,
)
from finsam_eval.privacy.suppression import is_stat_parameter  # noqa: E402
from finsam_eval.results import Exclusions  # noqa: E402

# -- generating personnummer -------------------------------------------------------------------


def _check_digit(nine: str) -> str:
    # Skatteverket's Luhn rule, written independently of the package.
    s = 0
    for i, ch in enumerate(nine):
        d = int(ch) * (2 - i % 2)
        s += d // 10 + d % 10
    return str((10 - s % 10) % 10)


@st.composite
def numbers(draw) -> tuple[str, str]:
    """(century, ten digits) of a valid personnummer or samordningsnummer."""
    year = draw(st.integers(1920, 2015))
    month = draw(st.integers(1, 12))
    day = draw(st.integers(1, 28))
    if draw(st.booleans()):
        day += 60  # samordningsnummer
    serial = draw(st.integers(0, 999))
    nine = f"{year % 100:02d}{month:02d}{day:02d}{serial:03d}"
    return str(year // 100), nine + _check_digit(nine)


SEPARATORS = ["", "-", "+", " ", "\u2013", "\u2014", "\u2212", "\u00a0", "\u202f", "\u2011", " - ", " \u2013 "]
GROUP_SEPS = [" ", "\u00a0", "\u202f", ",", "."]


@st.composite
def written(draw) -> tuple[str, str]:
    """A valid number written in one of the forms people and programs use; returns (text, ten digits)."""
    century, ten = draw(numbers())
    twelve = century + ten
    kind = draw(st.sampled_from(["sep10", "sep12", "group10", "group12"]))
    if kind == "sep10":
        return ten[:6] + draw(st.sampled_from(SEPARATORS)) + ten[6:], ten
    if kind == "sep12":
        return twelve[:8] + draw(st.sampled_from(SEPARATORS)) + twelve[8:], ten
    g = draw(st.sampled_from(GROUP_SEPS))
    if kind == "group10":  # 8 503 121 231, as a formatted 10-digit number shows it
        return g.join([ten[0], ten[1:4], ten[4:7], ten[7:]]), ten
    return g.join([twelve[0:3], twelve[3:6], twelve[6:9], twelve[9:]]), ten


def _leak_re(ten: str) -> re.Pattern[str]:
    # The ten digits with any (or no) separator of up to three characters between them.
    return re.compile(r"\D{0,3}".join(ten))


_GUID = re.compile(r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}")


def _leaks(text: str, ten: str) -> bool:
    """The number in any form, or anything the guard would call a personnummer (QDPX GUIDs aside)."""
    text = _GUID.sub("GUID", text)
    return bool(_leak_re(ten).search(text)) or contains_personnummer(text, require_checksum=None)


def _read_back(folder: Path) -> str:
    """Everything written under ``folder``: text files, and the XML/text inside docx and qdpx zips."""
    out = []
    for p in sorted(folder.rglob("*")):
        out.append(p.name)
        if not p.is_file():
            continue
        if p.suffix in (".docx", ".qdpx"):
            with zipfile.ZipFile(p) as z:
                for n in z.namelist():
                    out.append(n)
                    if n.endswith((".xml", ".qde", ".txt", ".rels")):
                        out.append(z.read(n).decode("utf-8", "replace"))
        elif p.suffix in (".csv", ".md", ".html", ".svg", ".txt"):
            out.append(p.read_text(encoding="utf-8-sig", errors="replace"))
    return "\n".join(out)


# -- the finder and the mask -------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(written(), st.sampled_from(["{}", "pnr: {}.", "Annat: {}", "({})", "id={};", "R{}x", "{} och mer"]))
def test_every_form_is_found_and_masked(form, template):
    text, ten = form
    s = template.format(text)
    assert contains_personnummer(s) and holds_personnummer(s)
    masked = mask_text(s)
    assert MASK in masked and not _leaks(masked, ten)
    # One number, one mask: the text around it is untouched.
    assert masked == template.format(MASK)


@settings(max_examples=200, deadline=None)
@given(written())
def test_numbers_as_numbers(form):
    _, ten = form
    if int(ten) < 10**7:  # born 2000 January-September: too few digits left to tell from a count
        return
    assert holds_personnummer(int(ten)) and holds_personnummer(float(ten))
    assert holds_personnummer(int("19" + ten)) or holds_personnummer(int("20" + ten)) or holds_personnummer(
        int("18" + ten))


def test_known_forms():
    for s in ["19850312-1231", "850312-1231", "850312+1231", "19850312\u20131231", "850312\u00a01231",
              "850312\u20111231", "19850312 - 1231", "198 503 121 231", "198\u00a0503\u00a0121\u00a0231",
              "198,503,121,231", "8 503 121 231", "198503121231", "8503121231", "850372-1237"]:
        assert mask_text(f"x {s} y") == f"x {MASK} y", s
    # Samordningsnummer: day + 60 (19850372 = 12 March 1985 + 60).
    assert contains_personnummer("850372-1237")
    assert safe_name("/data/enkat_19911224-4562.csv") == FILE_MASK
    assert safe_name(Path("intervju_8503121231.txt")) == FILE_MASK
    assert safe_name("enkat_2024.csv") == "enkat_2024.csv"


# -- no crying wolf ------------------------------------------------------------------------------


@settings(max_examples=400, deadline=None)
@given(st.integers(10**9, 10**10 - 1), st.sampled_from(["plain", "int", "float", "space", "group"]))
def test_wrong_check_digit_is_never_flagged(n, how):
    ten = f"{n:010d}"
    if _check_digit(ten[:9]) == ten[9]:
        ten = ten[:9] + str((int(ten[9]) + 1) % 10)  # make the check digit wrong
    v = int(ten)
    if how == "int":
        assert not holds_personnummer(v)
        check_output(pd.DataFrame({"belopp": [v, 12]}), where="t")
    elif how == "float":
        assert not holds_personnummer(float(v))
    elif how == "plain":
        assert not contains_personnummer(f"summa {ten} kr", require_checksum=None)
        assert mask_text(f"summa {ten} kr") == f"summa {ten} kr"
    elif how == "space":
        assert mask_text(f"{ten[:6]} {ten[6:]}") == f"{ten[:6]} {ten[6:]}"
    else:
        grouped = f"{ten[0]} {ten[1:4]} {ten[4:7]} {ten[7:]}"
        assert mask_text(grouped) == grouped


def test_ordinary_numbers_and_text_pass():
    t = pd.DataFrame({
        "antal": [12, 1_234_567, 2_000_000_000], "belopp": [1.5e9, 2_500_000.75, 6.93e-16],
        "ar": [2023, 2024, 2025], "text": ["tel 08-123 456 78", "dnr 2024-01-15 1030", "år 2019-2023"],
    }, index=pd.Index([10, 20, 30], name="rad"))
    check_output(t, where="t")
    check_output("Org.nr 556677-8899 och 1 234 567 890 kr", where="t")  # month 66: no date


def test_false_positive_rate_on_sample_register():
    """Integer columns of the sample register: how many values the guard flags (reported in the PR)."""
    reg = fe.load_sample("register")
    ints = [c for c in reg.columns if pd.api.types.is_integer_dtype(reg[c])]
    assert ints, "the sample register has integer columns"
    values = pd.concat([reg[c] for c in ints], ignore_index=True)
    flagged = sum(holds_personnummer(int(v)) for v in values.dropna().unique())
    rate = flagged / max(values.nunique(), 1)
    assert rate == 0.0
    check_output(reg[ints], where="registret")  # no false alarm on the whole table


# -- check_output on every part of a table and a figure ------------------------------------------


def _assert_refused(obj, ten: str, where: str = "utdata") -> str:
    with pytest.raises(PrivacyError) as ei:
        check_output(obj, where=where)
    msg = str(ei.value)
    assert not _leaks(msg, ten) and where in msg
    return msg


@settings(max_examples=120, deadline=None)
@given(written(), st.sampled_from(["cell", "id", "index", "multiindex", "column", "multicolumn", "numeric10",
                                   "numeric12", "float", "attrs", "list", "dict", "path", "series"]))
def test_check_output_finds_it_everywhere(form, place):
    text, ten = form
    df = pd.DataFrame({"forbund": ["Botkyrka", "Huddinge"], "antal": [12, 7], "andel": [0.4, 0.6]})
    if place == "cell":
        df.loc[1, "forbund"] = f"citat: {text}"
        obj = df
    elif place == "id":
        df["respondent_id"] = ["R01", text]
        obj = df
    elif place == "index":
        obj = df.set_index(pd.Index(["a", text]))
    elif place == "multiindex":
        obj = df.set_index(pd.MultiIndex.from_tuples([("x", "a"), ("y", text)]))
    elif place == "column":
        obj = df.rename(columns={"antal": text})
    elif place == "multicolumn":
        obj = df.copy()
        obj.columns = pd.MultiIndex.from_tuples([("a", "b"), ("c", text), ("d", "e")])
    elif place == "numeric10":
        if int(ten) < 10**7:
            return
        df["id"] = [1, int(ten)]
        obj = df
    elif place == "numeric12":
        df["id"] = [1, int(("19" if ten[0] in "3456789" else "20") + ten)]
        obj = df
    elif place == "float":
        if int(ten) < 10**7:
            return
        df["id"] = [1.0, float(ten)]
        obj = df
    elif place == "attrs":
        df.attrs["note"] = f"källa {text}"
        obj = df
    elif place == "list":
        obj = ["ok", ["inne", text]]
    elif place == "dict":
        obj = {"a": 1, "b": {"c": text}}
    elif place == "path":
        obj = Path(f"/tmp/ut/enkat_{text}.csv")
    else:
        obj = pd.Series([1, 2], index=["a", text])
    if place == "numeric12" and not holds_personnummer(obj["id"].iloc[1]):
        return  # a century that does not fit the date: not a personnummer in 12-digit form
    _assert_refused(obj, ten)


@pytest.mark.parametrize("where", ["title", "xlabel", "ticks", "legend", "annotation", "table", "suptitle"])
def test_check_output_figure_texts(where):
    pnr = "19850312-1231"
    fig, ax = plt.subplots()
    cats = ["Botkyrka", pnr] if where == "ticks" else ["Botkyrka", "Huddinge"]
    ax.bar(cats, [3, 4], label=pnr if where == "legend" else "staplar")
    if where == "legend":
        ax.legend()
    if where == "title":
        ax.set_title(f"Svar {pnr}")
    if where == "xlabel":
        ax.set_xlabel(pnr)
    if where == "annotation":
        ax.annotate(pnr, (0, 3))
    if where == "table":
        ax.table(cellText=[["a", pnr]], loc="bottom")
    if where == "suptitle":
        fig.suptitle(pnr)
    _assert_refused(fig, "8503121231", where="figuren")
    plt.close(fig)


# -- every writer --------------------------------------------------------------------------------

_S4 = "Stämmer inte alls|Stämmer ganska dåligt|Stämmer ganska bra|Stämmer helt"
PLACES = ["text", "id", "index", "numeric", "column", "filename", "figure", "quote"]


def _table(place: str, text: str, ten: str) -> tuple[pd.DataFrame, str]:
    df = pd.DataFrame({"forbund": ["Botkyrka", "Huddinge", "Södertälje"], "antal": [12, 7, 9],
                       "andel": [0.4, 0.35, 0.25]})
    name = "tabell.csv"
    if place in ("text", "quote"):
        df.loc[2, "forbund"] = f"Han sa {text} i telefon"
    elif place == "id":
        df["respondent_id"] = ["R01", text, "R03"]
    elif place == "index":
        df.index = pd.Index(["a", "b", text])
    elif place == "numeric":
        df["person"] = [1, int(ten) if int(ten) >= 10**7 else int("20" + ten), 3]
    elif place == "column":
        df = df.rename(columns={"andel": text})
    elif place == "filename":
        name = f"enkat_{text}.csv"
    return df, name


def _figure(text: str | None):
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.bar(["Botkyrka", "Huddinge"], [12, 7])
    ax.set_title(f"Svar {text}" if text else "Svar")
    return fig


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(written(), st.sampled_from(PLACES))
def test_no_writer_lets_it_out(tmp_path_factory, form, place):
    text, ten = form
    out = tmp_path_factory.mktemp("ut")
    df, name = _table(place, text, ten)
    refused = 0

    def run(f):
        nonlocal refused
        try:
            f()
        except PrivacyError as exc:
            assert not _leaks(str(exc), ten), str(exc)
            refused += 1

    # write_csv
    run(lambda: write_csv(df, out / "csv" / name))
    # save_figure
    fig_name = f"figur_{text}.png" if place == "filename" else "figur.png"
    run(lambda: fe.save_figure(_figure(text if place == "figure" else None), out / "fig" / fig_name))
    plt.close("all")
    # Report: table, text and figure; then all three formats
    rep_dir = out / ("rapport_" + text if place == "filename" else "rapport")

    def report():
        rep = fe.Report("Utvärdering 2025")
        rep.add_section("Resultat", "Texten är fri från nummer.")
        if place == "quote":
            rep.add_text(f"\u201dJag ringde {text}\u201d", style="quote")
        rep.add_table(df, caption="Tabell")
        rep.add_figure(_figure(text if place == "figure" else None), caption="Figur")
        rep.to_docx(rep_dir / "r.docx")
        rep.to_html(rep_dir / "r.html")
        rep.to_markdown(rep_dir / "md")

    run(report)
    plt.close("all")
    # QDPX
    ex = pd.DataFrame({
        "excerpt_id": ["U1", "U2", text if place == "id" else "U3"],
        "respondent_id": ["R1", "R2", "R3"],
        "forbund": ["Botkyrka", "Huddinge", "Södertälje"],
        "text": ["Vi har en gemensam bild.", "Samverkan fungerar.",
                 f"Mitt nummer är {text}." if place in ("text", "quote") else "Ingen kontakt."],
        "codes_a": [["samsyn"], ["samverkan"], ["samsyn"]],
    })
    coded = fe.coding.CodingResult.from_codes(ex, "codes_a", fe.Codebook.default())
    qd_name = f"projekt_{text}.qdpx" if place == "filename" else "projekt.qdpx"
    (out / "qdpx").mkdir()
    run(lambda: fe.write_qdpx(coded, out / "qdpx" / qd_name))

    written_text = _read_back(out)
    assert not _leaks(written_text, ten)
    assert refused >= 1  # the guard said no somewhere, with a masked message


def test_report_block_added_by_hand_is_checked_by_the_writer(tmp_path):
    from finsam_eval.report.document import Paragraph, TableBlock

    rep = fe.Report("R")
    rep.blocks.append(Paragraph("ring 850312-1231"))
    with pytest.raises(PrivacyError):
        rep.to_html(tmp_path / "r.html")
    rep = fe.Report("R")
    rep.blocks.append(TableBlock(pd.DataFrame({"id": [8503121231]}), "T", number=1))
    with pytest.raises(PrivacyError):
        rep.to_docx(tmp_path / "r.docx")
    assert not list(tmp_path.iterdir())


# -- error paths, warnings, exclusions --------------------------------------------------------


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(written(), st.sampled_from(["name", "header", "label"]))
def test_error_paths_mask_it(tmp_path_factory, form, where):
    text, ten = form
    folder = tmp_path_factory.mktemp("in")
    if where == "name":
        p = folder / f"enkat_{text}.csv"
        p.write_text("", encoding="utf-8")  # empty file: an error that names the file
        call = lambda: fe.read_table(p)  # noqa: E731
    elif where == "header":
        p = folder / "enkat.csv"
        p.write_text(f"id;{text};{text}\n1;2;3\n", encoding="utf-8")  # duplicated header
        call = lambda: fe.read_table(p)  # noqa: E731
    else:
        df = pd.DataFrame({"f1": ["Stämmer helt", "Stämmer inte alls", f"Annat: {text}"] * 3})  # unknown label
        call = lambda: fe.likert_summary(df, ["f1"], _S4)  # noqa: E731
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            res = call()
        except FinsamError as exc:
            assert not _leaks(str(exc), ten), str(exc)
            assert not _leaks(repr(exc.args), ten)
            res = None
    for w in caught:
        assert not _leaks(str(w.message), ten)
    if res is not None:  # read: the notes must not show it either
        ex = res.attrs.get("exclusions") if isinstance(res, pd.DataFrame) else getattr(res, "exclusions", None)
        if ex:
            assert not _leaks(ex.describe(), ten)


def test_finsam_error_and_warning_mask_their_message():
    e = SchemaError("Okänt svar 'Annat: 19850312\u20111231' i kolumnen '850312 1231'")
    assert "1231" not in str(e) and MASK in str(e) and "1231" not in repr(e.args)
    with pytest.warns(UserWarning) as rec:
        warn("fil enkat_19911224-4562.csv")
    assert "4562" not in str(rec[0].message)
    assert str(fe.MissingColumnError("kolumnen '198 503 121 231' saknas")) == f"kolumnen '{MASK}' saknas"


def test_exclusion_notes_are_masked():
    ex = Exclusions()
    ex.add("fil intervju_19850312-1231.txt utan talare", 2, rows=["19850312-1231", 7], column="8503121231")
    text = ex.describe() + ex.table().to_string()
    assert "1231" not in text and MASK in text


# -- CSV: formulas and numbers -----------------------------------------------------------------


def test_csv_injection_and_numbers(tmp_path):
    t = pd.DataFrame({
        "text": ['=HYPERLINK("http://x","klick")', "+SUM(A1:A3)", "-0,5", "@cmd", "\tflik", "-12", "vanlig"],
        "varde": [6.93889e-16, 40.0, -0.5, 1 / 3, 1234567.891, 2.0, np.nan],
        "antal": [12, 40, 7, 9, 100, 5, 6],
    })
    p = write_csv(t, tmp_path / "t.csv", decimals=4)
    rows = [r.split(";") for r in p.read_text(encoding="utf-8-sig").splitlines()]
    cells = [r[0] for r in rows[1:]]
    assert cells[0].startswith("\"'=HYPERLINK") and cells[1] == "'+SUM(A1:A3)" and cells[3] == "'@cmd"
    assert cells[4].startswith("'") and cells[2] == "-0,5" and cells[5] == "-12" and cells[6] == "vanlig"
    assert [r[1] for r in rows[1:]] == ["0", "40", "-0,5", "0,3333", "1234567,891", "2", ""]
    assert [r[2] for r in rows[1:]] == ["12", "40", "7", "9", "100", "5", "6"]
    assert format_number(6.93889e-16) == "0" and format_number(0.000123456789) == "0,000123457"
    assert "e" not in format_number(2.5e-9) and format_number(1e20) == "100000000000000000000"


def test_csv_without_suppression_gets_it(tmp_path):
    """A result table nobody suppressed: person counts below 5 become '..' in the CSV, df never."""
    t = pd.DataFrame({"grupp": ["a", "b"], "n_respondents": [3, 12], "antal": [2, 30], "df": [2, 2],
                      "ar": [2024, 2024]})
    rows = write_csv(t, tmp_path / "t.csv").read_text(encoding="utf-8-sig").splitlines()
    assert rows[1] == "a;..;..;2;2024" and rows[2] == "b;12;30;2;2024"


# -- suppression: parameters, quantifiers, Likert respondents ------------------------------------


def test_statistical_parameters_are_never_suppressed():
    test_table = pd.DataFrame({"item": ["f1"], "n": [4], "groups": [3], "H": [2.1], "df": [2], "p": [0.35]})
    s = suppress_small(test_table)
    assert not suppressed_mask(s).to_numpy().any()
    assert is_stat_parameter("n_kluster") and is_stat_parameter("df_resid") and not is_stat_parameter("antal")
    rep = fe.Report("R")
    rep.add_table(test_table, caption="Kruskal-Wallis")
    assert "df" in rep.tables[0].data and rep.tables[0].data["df"].tolist() == [2]
    assert rep.tables[0].formatted().iloc[0].tolist().count("..") == 0


def test_likert_respondents_and_population_suppressed_in_table():
    rng = np.random.default_rng(3)
    labels = ["Stämmer inte alls", "Stämmer ganska dåligt", "Stämmer ganska bra", "Stämmer helt"]
    df = pd.DataFrame({"forbund": ["A"] * 30 + ["B"] * 3, "f1": rng.choice(labels, 33)})
    res = fe.likert_summary(df, ["f1"], "|".join(labels), by="forbund", population=pd.DataFrame(
        {"forbund": ["A", "B"], "population": [60, 4]}))
    t = res.table()
    b = t[t["forbund"] == "B"].iloc[0]
    assert pd.isna(b["n_respondents"]) and pd.isna(b["population"]) and pd.isna(b["response_rate"])
    a = t[t["forbund"] == "A"].iloc[0]
    assert a["n_respondents"] == 30 and a["population"] == 60


def test_quantifier_does_not_reveal_a_suppressed_count():
    ex = pd.DataFrame({
        "excerpt_id": [f"U{i}" for i in range(20)],
        "respondent_id": [f"R{i}" for i in range(20)],
        "text": ["text"] * 20,
        "codes_a": [["samsyn"]] * 12 + [["hinder"]] * 1 + [[]] * 7,
    })
    cb = fe.Codebook.default()
    codes = [c.id for c in cb]
    if "samsyn" not in codes or "hinder" not in codes:
        pytest.skip("default codebook without samsyn/hinder")
    prev = fe.coding.CodingResult.from_codes(ex, "codes_a", cb).prevalence().table()
    row = prev[prev["kod"] == "hinder"].iloc[0]
    assert pd.isna(row["antal"]) and row["kvantifierare"] == "färre än 5"  # not "någon" (= exactly one)
    assert prev[prev["kod"] == "samsyn"].iloc[0]["kvantifierare"] not in ("", "färre än 5")


# -- the report: empty quotes, pseudonymisation statement -------------------------------------


def test_empty_quotes_and_pseudonymisation_statement(tmp_path):
    from finsam_eval.coding import Quotes

    empty = Quotes(quotes=pd.DataFrame(columns=["excerpt_id", "text", "forbund"]), code="samsyn", label="Samsyn")
    rep = fe.Report("R")
    rep.add(empty)
    md = (rep.to_markdown(tmp_path / "a")).read_text(encoding="utf-8")
    assert "inga citat" in md.lower()
    assert "pseudonymiserade" not in md  # nothing was pseudonymised

    ps = pseudonymise(pd.Series(["Ring 19850312-1231", "Inget"]), key="hemlig")
    assert ps.texts.attrs["pseudonymiserad"] is True
    rep2 = fe.Report("R")
    rep2.add_table(pd.DataFrame({"citat": ps.texts}).assign(antal=[10, 12]).pipe(
        lambda d: d.set_axis(d.index, axis=0)), caption="Citat")
    rep2.tables[0].data.attrs["pseudonymiserad"] = True
    rep2.mark_pseudonymised()
    md2 = (rep2.to_markdown(tmp_path / "b")).read_text(encoding="utf-8")
    assert "Citaten är pseudonymiserade" in md2


def test_scan_frame_gains_the_new_forms():
    df = pd.DataFrame({"a": ["19850312\u20131231", "x"], "b": ["850312\u00a01231", "y"], "c": ["ok", "ok"]})
    assert scan_frame(df)["kolumn"].tolist() == ["a", "b"]
    r = pseudonymise(pd.Series(["ring 19850312\u20111231 eller 850312-1231"]), key="k")
    assert not fe.find_personnummer(r.texts[0])
    pn = r.table().query("typ == 'personnummer'")
    assert len(pn) == 1 and int(pn["antal"].iloc[0]) == 2  # one person, two forms


def test_amount_columns_and_lost_zero_id_columns():
    rng = np.random.default_rng(11)
    amounts = pd.DataFrame({"kostnad_kr": rng.integers(10**7, 10**9, 500)})
    check_output(amounts, where="kostnader")  # about 0,7 % read as a date + check digit by chance
    nines = [f"0{y}{m:02d}{d:02d}{s:03d}" for y, m, d, s in [(3, 4, 5, 12), (5, 11, 30, 456), (8, 1, 2, 789)]]
    ids = [int(n + _check_digit(n)) for n in nines]  # 2003-2009 births: Excel dropped the leading zero
    assert all(len(str(i)) == 9 for i in ids)
    _assert_refused(pd.DataFrame({"person": ids}), str(ids[0]).zfill(10))
