"""Framework matrix: cases × codes, each cell a summary or the strongest quotes.

The framework method (Ritchie & Spencer) charts the material into a matrix
of cases (rows: förbund, respondents, roles) by themes (columns); each cell
holds the evaluator's summary of what the case says about the theme, or,
before summaries are written, the strongest quotes with attribution. NVivo
calls it a framework matrix; a förbund comparison puts one in its appendix.

:func:`framework_matrix` (or :meth:`CodingResult.framework
<finsam_eval.coding.CodingResult.framework>`) builds a
:class:`FrameworkMatrix`: ``.table()`` is cases × codes with the cell texts
(for the report's appendix: ``.report_table()``, codes × cases when there are
few cases, which reads better on a page), ``.counts()`` the respondents per
cell, ``.plot()`` a heat map of them, ``.to_excel(path)`` a workbook with
wrapped text and ``.to_docx(path)`` a readable Word table.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import MissingColumnError, SchemaError
from ..results import ResultMixin
from .matrix import _display, _heatmap
from .quotes import pick_varied, rank_candidates, text_key

__all__ = ["FrameworkMatrix", "framework_matrix"]

#: Columns shown after a quote, in this order, when present (who said it).
DEFAULT_ATTRIBUTION = ("roll", "forbund")


def _case_label(vals: tuple[Any, ...]) -> str:
    return ", ".join(str(v) for v in vals)


def framework_matrix(
    result: Any,
    cases: str | list[str] = "forbund",
    codes: Iterable[str] | str | None = None,
    *,
    summaries: pd.DataFrame | Mapping[tuple[Any, str], str] | None = None,
    n_quotes: int = 2,
    recursive: bool = True,
    attribution: Iterable[str] | None = DEFAULT_ATTRIBUTION,
    max_chars: int = 300,
    exclude_negated: bool = False,
    random_state: int = 0,
) -> FrameworkMatrix:
    """Chart a coding into a framework matrix (cases × codes).

    Parameters
    ----------
    result
        A :class:`~finsam_eval.coding.CodingResult`.
    cases
        Column(s) that define a case: ``"forbund"``, ``"roll"``,
        ``["forbund", "respondent_id"]`` ...
    codes
        Codes as columns (default: the result's codes); sub-codes roll up
        into their parents when ``recursive``.
    summaries
        The evaluator's summaries: a DataFrame with the case column(s),
        ``kod`` and ``sammanfattning``, or a dict ``{(case, kod): text}``
        (case a value, or a tuple of values for several case columns). A
        cell with a summary shows it; the others show quotes.
    n_quotes
        Quotes per cell without a summary (the strongest, from different
        respondents; each text once per code, also across cases).
    attribution
        Columns named after each quote, e.g. ``("roll", "forbund")``; None
        or ``()`` for no attribution. Respondent ids are never shown unless
        asked for here.
    max_chars
        Quotes longer than this are shortened with "…" in the cell.

    Returns
    -------
    FrameworkMatrix

    Examples
    --------
    >>> from finsam_eval.coding import CodingResult
    >>> df = pd.DataFrame({"excerpt_id": [1, 2, 3], "respondent_id": ["H:R1", "H:R2", "B:R1"],
    ...                    "forbund": ["Huddinge", "Huddinge", "Botkyrka"], "roll": ["styrelse"] * 3,
    ...                    "kalla": "intervju", "text": ["Vi ser samma problem.", "Samma bild.", "Olika bilder."],
    ...                    "codes_a": [["samsyn"], ["samsyn"], ["samsyn"]]})
    >>> fm = framework_matrix(CodingResult.from_codes(df, "codes_a"), codes=["samsyn"], n_quotes=1,
    ...                       summaries={("Botkyrka", "samsyn"): "Olika bilder av problemet."})
    >>> fm.table().loc["Botkyrka", "Samsyn"]
    'Olika bilder av problemet.'
    >>> int(fm.counts().loc["Huddinge", "Samsyn"])
    2
    """
    from .results import CodingResult

    if not isinstance(result, CodingResult):
        raise SchemaError(f"framework_matrix: result ska vara ett CodingResult, fick {type(result).__name__}.")
    case_cols = [cases] if isinstance(cases, str) else list(cases)
    if not case_cols:
        raise SchemaError("framework_matrix: ange minst en kolumn som definierar fallen (cases=).")
    for c in case_cols:
        if c not in result.excerpts.columns:
            raise MissingColumnError(
                f"framework_matrix: kolumnen {c!r} finns inte bland utdragens kolumner ({list(result.excerpts.columns)}).")
    attribution = [a for a in (attribution or ()) if a in result.excerpts.columns and a not in case_cols]
    code_ids = result._codes_for(codes)
    labels = result.labels
    ex = result.excerpts
    missing = int(ex[case_cols].isna().any(axis=1).sum())
    case_keys = sorted({tuple(r) for r in ex[case_cols].dropna().itertuples(index=False, name=None)},
                       key=lambda t: tuple(str(x) for x in t))
    long = result._long(codes=code_ids, recursive=recursive, exclude_negated=exclude_negated)
    long = long.dropna(subset=case_cols)
    summ = _summaries(summaries, case_cols, code_ids)
    unit_col = result.respondent_col or result.id_col
    rows = []
    for code in code_ids:
        sub = long[long["code"] == code]
        ranked = rank_candidates(sub, result.text_col, min_chars=20, max_chars=max_chars, random_state=random_state)
        taken: set[str] = set()
        by_case = {(k if isinstance(k, tuple) else (k,)): g for k, g in ranked.groupby(case_cols, sort=False)}
        for key in case_keys:
            g = by_case.get(key, ranked.iloc[0:0])
            quotes: list[dict[str, Any]] = []
            text = summ.get((key, code))
            if text is None and len(g):
                for i in pick_varied(g, n_quotes, text_col=result.text_col, respondent_col=result.respondent_col,
                                     taken=taken):
                    r = g.loc[i]
                    quotes.append({"text": str(r[result.text_col]), "vem": ", ".join(
                        str(r[a]) for a in attribution if pd.notna(r[a])), result.id_col: r[result.id_col]})
            cell = text if text is not None else "\n".join(_quote_line(q, max_chars) for q in quotes)
            rows.append({**dict(zip(case_cols, key)), "kod": code, "etikett": labels[code],
                         "antal": int(g[unit_col].nunique()), "utdrag": int(g[result.id_col].nunique()),
                         "kalla": "sammanfattning" if text is not None else ("citat" if quotes else ""),
                         "cell": cell, "citat": quotes})
    tidy = pd.DataFrame(rows)
    unit = "respondenter" if result.respondent_col else "utdrag"
    notes = [f"{len(case_keys)} fall ({', '.join(_display(c) for c in case_cols)}) × {len(code_ids)} koder; "
             f"n = {result.n_excerpts} utdrag" + (f" från {result.n_respondents} respondenter" if result.n_respondents
                                                  else "") + "."]
    n_sum = int((tidy["kalla"] == "sammanfattning").sum()) if len(tidy) else 0
    notes.append(f"{n_sum} celler har utvärderarens sammanfattning, övriga upp till {n_quotes} citat "
                 "(starkast träff, olika respondenter, varje text en gång per kod).")
    unused = sorted(set(summ) - {(k, c) for k in case_keys for c in code_ids})
    if unused:
        notes.append(f"{len(unused)} sammanfattningar matchar inget fall och ingen kod och visas inte: "
                     + "; ".join(f"{_case_label(k)} / {c}" for k, c in unused[:5]) + ".")
    if missing:
        notes.append(f"{missing} utdrag saknar värde i {', '.join(case_cols)} och ingår inte.")
    h = result._hierarchy_note(recursive, code_ids)
    if h:
        notes.append(h)
    if attribution:
        notes.append("Citaten anges med " + " och ".join(_display(a) for a in attribution) + ", aldrig med namn.")
    notes.append(result._suppression_note())
    return FrameworkMatrix(tidy=tidy, cases=case_cols, codes=code_ids, labels=labels, unit=unit, notes=notes,
                           suppressed=result._suppressing())


def _quote_line(q: dict[str, Any], max_chars: int) -> str:
    t = " ".join(q["text"].split())
    if len(t) > max_chars:
        t = t[: max_chars - 1].rsplit(" ", 1)[0] + " …"
    return f"”{t}”" + (f" ({q['vem']})" if q["vem"] else "")


def _summaries(summaries: Any, case_cols: list[str], codes: list[str]) -> dict[tuple[tuple[Any, ...], str], str]:
    if summaries is None:
        return {}
    out: dict[tuple[tuple[Any, ...], str], str] = {}
    if isinstance(summaries, pd.DataFrame):
        need = [*case_cols, "kod", "sammanfattning"]
        miss = [c for c in need if c not in summaries.columns]
        if miss:
            raise MissingColumnError(
                f"framework_matrix: sammanfattningarna saknar kolumnerna {miss}; de behöver {need}.")
        for r in summaries.itertuples(index=False):
            d = r._asdict()
            txt = d["sammanfattning"]
            if isinstance(txt, str) and txt.strip():
                out[(tuple(d[c] for c in case_cols), str(d["kod"]))] = txt.strip()
        return out
    if isinstance(summaries, Mapping):
        for k, txt in summaries.items():
            if not (isinstance(k, tuple) and len(k) == 2):
                raise SchemaError(
                    f"framework_matrix: nyckeln {k!r} i summaries ska vara (fall, kod), t.ex. ('Huddinge', 'samsyn').")
            case, code = k
            case = case if isinstance(case, tuple) else (case,)
            if len(case) != len(case_cols):
                raise SchemaError(f"framework_matrix: fallet {case!r} ska ha ett värde per kolumn i {case_cols}.")
            out[(case, str(code))] = str(txt).strip()
        return out
    raise SchemaError("framework_matrix: summaries ska vara en DataFrame eller en dict {(fall, kod): text}.")


@dataclass
class FrameworkMatrix(ResultMixin):
    """Cases × codes: the evaluator's summary or the strongest quotes per cell, and the counts behind them.

    ``tidy`` has one row per case and code: the case column(s), ``kod``,
    ``etikett``, ``antal`` (respondents), ``utdrag``, ``kalla``
    (sammanfattning / citat / empty), ``cell`` (the text shown) and
    ``citat`` (the chosen quotes as dicts).
    """

    tidy: pd.DataFrame
    cases: list[str]
    codes: list[str]
    labels: dict[str, str]
    unit: str = "respondenter"
    notes: list[str] = field(default_factory=list)
    suppressed: bool = False

    @property
    def title(self) -> str:
        return "Ramverksmatris: " + " och ".join(_display(c) for c in self.cases) + " × teman"

    @property
    def caption(self) -> str:
        return ("Varje cell sammanfattar vad fallet säger om temat, med utvärderarens sammanfattning "
                "eller de starkaste citaten (ramverksmetoden).")

    def _wide(self, col: str) -> pd.DataFrame:
        t = self.tidy.copy()
        t["_fall"] = [_case_label(tuple(r)) for r in t[self.cases].itertuples(index=False, name=None)]
        order = list(dict.fromkeys(t["_fall"]))
        w = t.pivot(index="_fall", columns="kod", values=col).reindex(index=order, columns=self.codes)
        w.columns = [self.labels[c] for c in w.columns]
        w.index.name = " / ".join(_display(c) for c in self.cases)
        w.columns.name = None
        return w

    def table(self) -> pd.DataFrame:
        """Cases (rows) × codes (columns), each cell its summary or quotes (text)."""
        t = self._wide("cell").fillna("")
        t.attrs["suppression"] = "ej tillämplig"
        return t

    def counts(self) -> pd.DataFrame:
        """Respondents (or excerpts) per case and code, the numbers behind the cells."""
        t = self._wide("antal").fillna(0).astype(int)
        if self.suppressed:
            from ..privacy import suppress_small

            t = suppress_small(t.reset_index(), list(t.columns)).set_index(t.index.name)
        return t

    def report_table(self) -> pd.DataFrame:
        """The table for a report's appendix: codes as rows and cases as columns when there are at most 4 cases.

        Empty cells read "–". Nothing is suppressed: the cells are text, and
        the counts behind them are in :meth:`counts`.
        """
        t = self.table().replace("", "–")
        if len(t) <= 4:
            t = t.T
            t.index.name = "Tema"
            t.attrs["suppression"] = "ej tillämplig"
            t.attrs["suppressed_mask"] = pd.DataFrame(False, index=t.index, columns=t.columns)
        else:
            t.attrs["suppressed_mask"] = pd.DataFrame(False, index=t.index, columns=t.columns)
        return t

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """Heat map of respondents per case and code."""
        c = self.counts()
        mask = c.attrs.get("suppressed_mask")
        if mask is not None:
            mask = mask.reindex(index=c.index, columns=c.columns).fillna(False)
        note = [f"Antal {self.unit} per fall och tema.", *self.notes[-1:]]
        return _heatmap(c, mask, ax=ax, title=kwargs.pop("title", self.title), note=note, decimals=0)

    def summary(self) -> str:
        lines = [self.title, ""]
        t = self.tidy
        for key, g in t.groupby(self.cases, sort=False):
            key = key if isinstance(key, tuple) else (key,)
            lines.append(f"== {_case_label(key)} ==")
            for _, r in g.iterrows():
                body = r["cell"] or "(inget)"
                lines.append(f"{r['etikett']} [{r['antal']} {self.unit}]: " + body.replace("\n", "\n    "))
            lines.append("")
        lines += [f"Not: {n}" for n in self.notes]
        from ..privacy.guard import mask_text

        return mask_text("\n".join(lines))

    # -- files -------------------------------------------------------------------------
    def to_excel(self, path: str | Path) -> Path:
        """Workbook with the matrix (wrapped text, wide columns), the counts and the notes; returns the path."""
        from openpyxl.styles import Alignment, Font

        path = Path(path)
        t = self.table()
        with pd.ExcelWriter(path, engine="openpyxl") as xw:
            t.to_excel(xw, sheet_name="Ramverksmatris")
            self.counts().to_excel(xw, sheet_name="Antal")
            pd.DataFrame({"not": self.notes}).to_excel(xw, sheet_name="Noter", index=False)
            ws = xw.sheets["Ramverksmatris"]
            ws.column_dimensions["A"].width = 22
            for j in range(len(t.columns)):
                ws.column_dimensions[ws.cell(row=1, column=j + 2).column_letter].width = 48
            for row in ws.iter_rows(min_row=1):
                for cell in row:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
            for cell in ws[1]:
                cell.font = Font(bold=True)
            ws.freeze_panes = "B2"
        return path

    def to_docx(self, path: str | Path, *, transpose: bool | None = None) -> Path:
        """A Word document with the matrix as a readable table (landscape, small type); returns the path.

        ``transpose``: codes as rows (default when there are at most 4 cases).
        """
        from docx import Document
        from docx.enum.section import WD_ORIENT
        from docx.shared import Cm, Pt

        t = self.table().replace("", "–")
        if transpose is None:
            transpose = len(t) <= 4
        if transpose:
            t = t.T
            t.index.name = "Tema"
        doc = Document()
        sec = doc.sections[0]
        sec.orientation = WD_ORIENT.LANDSCAPE
        sec.page_width, sec.page_height = sec.page_height, sec.page_width
        for m in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
            setattr(sec, m, Cm(1.5))
        doc.add_heading(self.title, level=2)
        doc.add_paragraph(self.caption)
        tab = doc.add_table(rows=len(t) + 1, cols=len(t.columns) + 1)
        tab.style = "Table Grid"
        hdr = tab.rows[0].cells
        hdr[0].text = str(t.index.name or "")
        for j, c in enumerate(t.columns):
            hdr[j + 1].text = str(c)
        for i, (idx, row) in enumerate(t.iterrows()):
            cells = tab.rows[i + 1].cells
            cells[0].text = str(idx)
            for j, v in enumerate(row):
                cells[j + 1].text = str(v)
        for r_i, row in enumerate(tab.rows):
            for cell in row.cells:
                for p in cell.paragraphs:
                    for run in p.runs:
                        run.font.size = Pt(8)
                        run.font.bold = r_i == 0 or cell is row.cells[0]
        for n in self.notes:
            doc.add_paragraph(n).runs[0].font.size = Pt(8)
        path = Path(path)
        doc.save(path)
        return path

    def cell(self, case: Any, code: str) -> str:
        """The text of one cell (``case`` a value, or a tuple for several case columns)."""
        key = case if isinstance(case, tuple) else (case,)
        t = self.tidy
        m = (t["kod"] == code)
        for c, v in zip(self.cases, key):
            m &= t[c] == v
        if not m.any():
            raise KeyError(f"Ingen cell för fallet {case!r} och koden {code!r}.")
        return str(t.loc[m, "cell"].iloc[0])

    def texts_once(self) -> bool:
        """True when no quote text appears in two cells of the same code (checked by tests and users)."""
        for _, g in self.tidy.groupby("kod"):
            keys = [text_key(q["text"]) for qs in g["citat"] for q in qs]
            if len(keys) != len(set(keys)):
                return False
        return True
