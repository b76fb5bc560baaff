"""Inter-coder reliability: Cohen's kappa, Fleiss' kappa and Krippendorff's alpha.

Two or more coders code the same excerpts; before the codes are trusted the
evaluator reports how well they agree, per code and overall, and discusses
the excerpts where they disagree. The coefficients live in
modules by method family (:mod:`~finsam_eval.coding.alpha`,
:mod:`~finsam_eval.coding.kappa`, :mod:`~finsam_eval.coding.bootstrap`) and
are re-exported here; this module gives

* :func:`krippendorff_alpha` for a units x coders matrix (nominal, ordinal,
  interval or ratio values, missing ratings allowed), computed from the
  coincidence matrix (Krippendorff 2011);
* :func:`cohen_kappa` for two coders (unweighted, linear or quadratic
  weights) with the large-sample standard error of Fleiss, Cohen & Everitt
  (1969) or a bootstrap interval;
* :func:`fleiss_kappa` for a fixed number of coders per unit;
* :func:`intercoder_reliability` for multi-label coding: each code is a
  binary presence variable per excerpt; % agreement, kappa, alpha, F1 and
  positive agreement per code, pooled over codes and as a macro mean, with
  bootstrap intervals that resample excerpts (seeded).

All bootstrap intervals resample units (excerpts) with replacement and use
the percentile method. Every coefficient is a sum over units of per-unit
contributions, so a replicate is one matrix product and 1 000 replicates
take milliseconds.

References
----------
Krippendorff, K. (2011). Computing Krippendorff's alpha-reliability.
Annenberg School for Communication, University of Pennsylvania.
Fleiss, J. L., Cohen, J. & Everitt, B. S. (1969). Large sample standard
errors of kappa and weighted kappa. Psychological Bulletin 72, 323-327.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..errors import EstimationError, MissingColumnError, SchemaError
from ..results import Exclusions, ResultMixin
from ..sv import fmt_ci, fmt_num, fmt_pct, format_table
from .alpha import THRESHOLDS, krippendorff_alpha
from .bootstrap import Estimate, _boot_weights, _is_missing, _percentile, _quiet
from .kappa import _fleiss_from_sums, cohen_kappa, fleiss_kappa, light_kappa, pairwise_agreement

__all__ = [
    "Estimate",
    "ReliabilityResult",
    "cohen_kappa",
    "fleiss_kappa",
    "intercoder_reliability",
    "krippendorff_alpha",
    "light_kappa",
]


# --------------------------------------------------------------------------- multi-label coding


def _as_code_set(v: Any) -> frozenset | None:
    """A cell of a per-coder code column as a set; None when the coder did not code the unit."""
    if isinstance(v, str):
        parts = [p.strip() for p in v.replace(";", ",").split(",")]
        return frozenset(p for p in parts if p)
    if isinstance(v, Iterable) and not isinstance(v, bytes | dict):
        return frozenset(str(x) for x in v if not _is_missing(x))
    if _is_missing(v):
        return None
    return frozenset([str(v)])


def _default_coder_name(col: str) -> str:
    for prefix in ("codes_", "koder_", "kod_", "code_"):
        if col.startswith(prefix) and len(col) > len(prefix):
            return col[len(prefix):].upper() if len(col) - len(prefix) <= 2 else col[len(prefix):]
    return col


def _code_labels(codes: Sequence[str], labels: Mapping[str, str] | None) -> dict[str, str]:
    out = {c: c for c in codes}
    if labels is not None:
        out.update({k: v for k, v in labels.items() if k in out})
        return out
    try:  # the built-in codebook's Swedish labels, when the codebook module is there
        from .codebook import Codebook  # type: ignore[import-not-found]

        for code in Codebook.default():
            if code.id in out:
                out[code.id] = code.label
    except Exception:  # noqa: BLE001 - labels are cosmetic; ids are shown instead
        pass
    return out


@dataclass
class ReliabilityResult(ResultMixin):
    """Agreement between coders per code and overall (see :func:`intercoder_reliability`).

    Attributes
    ----------
    stats
        One row per code plus ``"(poolat)"`` and ``"(makromedel)"``: every
        coefficient with its interval, in machine-friendly form.
    coders
        Coder names in order; the first is the reference for F1.
    n_coded
        Units coded by each coder.
    """

    stats: pd.DataFrame
    coders: list[str]
    codes: list[str]
    labels: dict[str, str]
    n_coded: dict[str, int]
    units: pd.Index
    presence: np.ndarray  # units x coders x codes, NaN = not coded
    texts: pd.Series | None
    n_boot: int
    confidence: float
    exclusions: Exclusions = field(default_factory=Exclusions)
    notes: list[str] = field(default_factory=list)
    title: str = "Överensstämmelse mellan kodare"
    source: str | None = None
    single_label: pd.DataFrame | None = None

    POOLED = "(poolat)"
    MACRO = "(makromedel)"

    @property
    def caption(self) -> str:
        n = len(self.units)
        who = " och ".join(self.coders) if len(self.coders) == 2 else f"{len(self.coders)} kodare"
        pooled = self.stats.loc[self.POOLED]
        many = len(self.coders) > 2
        kappa_name = "Cohens kappa (medel parvis)" if many else "Cohens kappa"
        if self.single_label is not None:
            head = f"Hela kategorivariabeln: {kappa_name}"
            fleiss = (f", Fleiss kappa {fmt_num(pooled['fleiss_kappa'], 2)} "
                      f"{fmt_ci(pooled['fleiss_ci_lag'], pooled['fleiss_ci_hog'], 2)}"
                      if many and "fleiss_kappa" in pooled and pd.notna(pooled["fleiss_kappa"]) else "")
        else:
            head, fleiss = f"Poolat över koder: {kappa_name}", ""

        return (
            f"Överensstämmelse mellan {who} på {n} utdrag och {len(self.codes)} koder. "
            f"{head} {fmt_num(pooled['kappa'], 2)} "
            f"{fmt_ci(pooled['kappa_ci_lag'], pooled['kappa_ci_hog'], 2)}{fleiss}, Krippendorffs alfa "
            f"{fmt_num(pooled['alfa'], 2)} {fmt_ci(pooled['alfa_ci_lag'], pooled['alfa_ci_hog'], 2)} "
            f"({round(100 * self.confidence)} % bootstrapintervall, {fmt_num(self.n_boot, 0)} dragningar av utdrag)."
        )

    @property
    def kappa(self) -> float:
        """Cohen's kappa pooled over codes (mean pairwise for more than two coders)."""
        return float(self.stats.loc[self.POOLED, "kappa"])

    @property
    def alpha(self) -> float:
        """Krippendorff's alpha pooled over codes."""
        return float(self.stats.loc[self.POOLED, "alfa"])

    def _table_notes(self, t: pd.DataFrame) -> list[str]:
        extra = [t.attrs["suppression_note"]] if t.attrs.get("n_suppressed") else []
        return [*self.notes, *extra]

    def summary(self) -> str:
        """Title, the per-code table (coefficients with two decimals) and the notes."""
        t = self.table()
        body = format_table(t, decimals=2).to_string(index=False)
        return "\n\n".join([self.title, body, "\n".join(f"Not: {n}" for n in self._table_notes(t))])

    def _repr_html_(self) -> str:
        import html

        t = self.table()
        body = format_table(t, decimals=2).to_html(index=False, border=0)
        notes = "".join(f"<li>{html.escape(n)}</li>" for n in self._table_notes(t))
        return (f"<div class='finsam-result'><h4>{html.escape(self.title)}</h4><p><em>{html.escape(self.caption)}"
                f"</em></p>{body}<ul style='font-size:smaller'>{notes}</ul></div>")

    def table(self, *, suppress: bool = True) -> pd.DataFrame:
        """Tidy per-code table: counts, % agreement, kappa, alpha (with intervals), F1.

        Columns: ``kod``, ``etikett``, ``n_utdrag`` (units coded by at least
        two coders), ``n_<kodare>`` (units where that coder set the code),
        ``andel_overens``, ``kappa`` and its interval, ``fleiss_kappa`` (more
        than two coders), ``alfa`` and its interval, ``f1``,
        ``positiv_overens``. The last two rows are pooled over codes and the
        macro mean. Counts below the suppression threshold are masked when
        ``suppress`` (coefficients are kept: they describe coders, not persons).
        """
        from ..privacy import suppress_small

        t = self.stats.copy()
        t.insert(0, "etikett", [self.labels.get(c, c) if c not in (self.POOLED, self.MACRO) else
                               ("Samtliga koder (poolat)" if c == self.POOLED else "Medel över koder")
                               for c in t.index])
        t = t.rename_axis("kod").reset_index()
        if "fleiss_kappa" in t and t["fleiss_kappa"].isna().all():
            t = t.drop(columns=["fleiss_kappa", "fleiss_ci_lag", "fleiss_ci_hog"], errors="ignore")
        if suppress:
            counts = [c for c in t.columns if c.startswith("n_") and c != "n_utdrag"]
            t = suppress_small(t, counts)
        return t

    @property
    def column_labels(self) -> dict[str, str]:
        """Printed headers for :meth:`report_table`."""
        ci = f"[{round(100 * self.confidence)} % KI]"
        out = {"etikett": "Kod", "andel_overens": "Överensstämmelse", "kappa": f"Cohens kappa {ci}",
               "alfa": f"Krippendorffs alfa {ci}", "fleiss_kappa": f"Fleiss kappa {ci}", "f1": "F1"}
        out.update({f"n_{c}": f"Kodat av {c} (antal)" for c in self.coders})
        return out

    def report_table(self) -> pd.DataFrame:
        """Print-sized table: code, counts per coder, % agreement, kappa and alpha with intervals, F1.

        Coefficients are formatted with two decimals and the interval in
        brackets (strings); counts stay numbers so suppression shows.
        """
        t = self.table()
        coef = [c for c in ("kappa", "fleiss_kappa", "alfa") if c in t.columns]
        cols = ["etikett", *[f"n_{c}" for c in self.coders], "andel_overens", *coef, "f1"]
        out = t[cols].copy()
        out["andel_overens"] = [fmt_pct(v, 0) for v in t["andel_overens"]]
        for c in coef:
            lo = "fleiss" if c == "fleiss_kappa" else c
            out[c] = [
                "" if pd.isna(v) else f"{fmt_num(v, 2)} {fmt_ci(a, b, 2)}"
                for v, a, b in zip(t[c], t[f"{lo}_ci_lag"], t[f"{lo}_ci_hog"])
            ]
        out["f1"] = [fmt_num(v, 2) for v in t["f1"]]
        mask = t.attrs.get("suppressed_mask")
        out.attrs = {k: v for k, v in t.attrs.items() if k != "suppressed_mask"}
        if mask is not None:
            out.attrs["suppressed_mask"] = mask.reindex(columns=cols, fill_value=False)
        return out

    def disagreements(self) -> pd.DataFrame:
        """Excerpts and codes where the coders disagree, ready for a coder meeting.

        One row per (excerpt, code) where the coders who coded the excerpt
        did not all agree: what each coder said (True/False, missing when
        the coder did not code the excerpt), how many set the code and the
        excerpt text when available. Sorted by code (weakest kappa first),
        then excerpt.
        """
        rows = []
        order = self.stats.drop(index=[self.POOLED, self.MACRO]).sort_values("kappa", na_position="first").index
        pos = {c: i for i, c in enumerate(self.codes)}
        for code in order:
            x = self.presence[:, :, pos[code]]
            coded = ~np.isnan(x)
            yes = np.nansum(x, axis=1)
            n = coded.sum(axis=1)
            bad = (n >= 2) & (yes > 0) & (yes < n)
            for u in np.nonzero(bad)[0]:
                row = {"excerpt_id": self.units[u], "kod": code, "etikett": self.labels.get(code, code)}
                for j, c in enumerate(self.coders):
                    row[c] = pd.NA if np.isnan(x[u, j]) else bool(x[u, j])
                row["antal_ja"] = int(yes[u])
                row["antal_kodare"] = int(n[u])
                if self.texts is not None:
                    row["text"] = self.texts.get(self.units[u], None)
                rows.append(row)
        cols = ["excerpt_id", "kod", "etikett", *self.coders, "antal_ja", "antal_kodare"]
        if self.texts is not None:
            cols.append("text")
        out = pd.DataFrame(rows, columns=cols)
        for c in self.coders:
            out[c] = out[c].astype("boolean")
        return out

    def plot(self, ax: Any = None, *, measures: Sequence[str] = ("kappa", "alfa"), pooled: bool = True) -> Any:
        """Dot-and-whisker figure of kappa and alpha per code with intervals.

        Reference lines at 0,667 and 0,80 mark Krippendorff's thresholds for
        tentative and reliable conclusions.
        """
        from ..plots import categorical, decimal_comma, figure, finish

        t = self.stats.copy()
        order = t.drop(index=[self.POOLED, self.MACRO]).sort_values("alfa", na_position="first").index.tolist()
        rows = ([self.POOLED] if pooled else []) + order  # bottom to top: pooled, then weakest to strongest
        names = {"kappa": "Cohens kappa" if len(self.coders) == 2 else "Cohens kappa (medel parvis)",
                 "alfa": "Krippendorffs alfa", "fleiss_kappa": "Fleiss kappa"}
        created = ax is None
        if created:
            fig, ax = figure((6.3, max(2.6, 0.32 * len(rows) + 1.4)))
        else:
            fig = ax.figure
        colors = categorical(len(measures))
        y = np.arange(len(rows))
        off = np.linspace(-0.17, 0.17, len(measures)) if len(measures) > 1 else [0.0]
        lo_all = [0.0]
        for k, (meas, color) in enumerate(zip(measures, colors)):
            lo_col = {"kappa": "kappa_ci_lag", "alfa": "alfa_ci_lag", "fleiss_kappa": "fleiss_ci_lag"}[meas]
            hi_col = lo_col.replace("_lag", "_hog")
            val = t.loc[rows, meas].to_numpy(float)
            lo = t.loc[rows, lo_col].to_numpy(float)
            hi = t.loc[rows, hi_col].to_numpy(float)
            lo_all.extend(lo[~np.isnan(lo)].tolist())
            yy = y + off[k]
            ax.hlines(yy, lo, hi, color=color, lw=1.4)
            ax.plot(val, yy, "o", color=color, ms=5, label=names[meas], zorder=3)
        for thr, txt in zip(THRESHOLDS, ("0,667", "0,80")):
            ax.axvline(thr, color="#666666", ls="--", lw=0.8, zorder=0)
            ax.text(thr, len(rows) - 0.4, txt, ha="center", va="bottom", fontsize=7, color="#444444")
        ax.axvline(0, color="#BBBBBB", lw=0.6, zorder=0)
        if pooled:
            ax.axhline(0.5, color="#DDDDDD", lw=0.8)
        labels = [("Samtliga koder (poolat)" if r == self.POOLED else self.labels.get(r, r)) for r in rows]
        undefined = np.isnan(t.loc[rows, "alfa"].to_numpy(float))
        labels = [lab + (" (odef.)" if u else "") for lab, u in zip(labels, undefined)]
        ax.set_yticks(y, labels)
        ax.set_ylim(-0.6, len(rows) - 0.1)
        ax.set_xlim(min(-0.05, np.floor(min(lo_all) * 10) / 10), 1.02)
        ax.set_xlabel("Överensstämmelse utöver slumpen (1 = full överensstämmelse)")
        decimal_comma(ax, "x")
        ax.legend(loc="lower left", bbox_to_anchor=(0.0, 1.02), ncol=len(measures), fontsize=8,
                  borderaxespad=0.0, handletextpad=0.3)
        if created:
            note = (f"Punkter: skattning; linjer: {round(100 * self.confidence)} % bootstrapintervall "
                    f"({fmt_num(self.n_boot, 0)} dragningar av utdrag). Streckade linjer: Krippendorffs gränser "
                    f"0,667 (preliminära slutsatser) och 0,80 (tillförlitligt). n = {len(self.units)} utdrag.")
            fig.tight_layout(rect=(0, 0, 1, 0.94))
            finish(fig, title=self.title, note=note, source=self.source)
        return ax


def intercoder_reliability(
    data: pd.DataFrame,
    coders: Sequence[str] | Mapping[str, str] | None = None,
    codes: Sequence[str] | None = None,
    unit_col: str = "excerpt_id",
    level: str = "nominal",
    n_boot: int = 1000,
    random_state: int | np.random.Generator | None = 0,
    *,
    coder_col: str = "coder",
    code_col: str = "code",
    text_col: str | None = "text",
    labels: Mapping[str, str] | None = None,
    value_domain: Sequence[Any] | None = None,
    confidence: float = 0.95,
    source: str | None = None,
) -> ReliabilityResult:
    """Agreement between two or more coders on multi-label (or single-label) coding.

    Every code is a binary variable per unit (excerpt): did the coder set it?
    For each code, and pooled over all (unit, code) pairs, the result gives
    % agreement, Cohen's kappa (two coders; the mean of pairwise kappas and
    Fleiss' kappa for more), Krippendorff's alpha, F1 with the first coder
    as reference and positive (specific) agreement, with bootstrap intervals
    for kappa and alpha that resample units. A unit enters when at least
    two coders coded it; units a coder did not code are missing, not "no code".

    Parameters
    ----------
    data
        One of three tidy layouts:

        * **wide** (default): one row per unit, ``unit_col`` and one column
          per coder holding that coder's codes as a list (``["samsyn",
          "resultat"]``; ``[]`` = coded, no code; None/NaN = not coded).
          Strings ``"samsyn; resultat"`` are split on ``;`` and ``,``.
        * **long**: one row per (unit, coder, code) with ``unit_col``,
          ``coder_col`` and ``code_col``; a row with an empty code marks a
          unit coded with no code.
        * **single-label** ratings: wide, but each coder cell holds one value;
          the categories become the codes and the pooled row is replaced by
          the categorical kappa and alpha at ``level``.
    coders
        Coder columns (wide) or coder names (long) to compare, in order; a
        dict maps them to display names. Default: columns starting with
        ``codes_`` (``codes_a`` shows as ``A``) or every coder in the long table.
    codes
        Codes to report, including codes nobody used; default every code used.
    unit_col
        Unit (excerpt) id column.
    level
        Level of measurement for single-label ratings (``"nominal"``,
        ``"ordinal"``, ``"interval"``, ``"ratio"``); binary codes are nominal.
    n_boot, random_state, confidence
        Bootstrap replicates, seed and interval level.
    text_col
        Column with the excerpt text, shown in :meth:`~ReliabilityResult.disagreements`.
    labels
        Display labels for code ids (default: the built-in codebook's labels).
    value_domain
        Ordered categories for single-label ordinal ratings given as text.

    Returns
    -------
    ReliabilityResult

    Raises
    ------
    EstimationError
        Fewer than two coders, or no unit coded by two coders.
    MissingColumnError
        ``unit_col`` or a coder column is absent.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({
    ...     "excerpt_id": [1, 2, 3, 4, 5, 6],
    ...     "codes_a": [["samsyn"], ["samsyn", "resultat"], [], ["resultat"], ["samsyn"], []],
    ...     "codes_b": [["samsyn"], ["resultat"], [], ["resultat"], ["samsyn"], ["samsyn"]],
    ... })
    >>> res = intercoder_reliability(df, n_boot=200)
    >>> res.table()[["kod", "andel_overens", "kappa"]].round(3)
                kod  andel_overens  kappa
    0      resultat          1.000  1.000
    1        samsyn          0.667  0.333
    2      (poolat)          0.833  0.657
    3  (makromedel)          0.833  0.667
    """
    if not isinstance(data, pd.DataFrame):
        raise SchemaError("intercoder_reliability tar en pandas DataFrame (bred eller lång tabell).")
    if data.empty:
        raise EstimationError("Tabellen är tom; det finns inga kodade utdrag att jämföra.")
    if unit_col not in data.columns:
        raise MissingColumnError(
            f"Kolumnen {unit_col!r} med utdragens id saknas; tabellen har {list(data.columns)}. "
            "Ange unit_col=..."
        )
    exclusions = Exclusions()
    notes: list[str] = []
    texts = None
    long = coder_col in data.columns and code_col in data.columns
    if long:
        d = data
        names_all = list(dict.fromkeys(d[coder_col].dropna().tolist()))
        sel = list(coders) if coders is not None else names_all
        display = dict(coders) if isinstance(coders, Mapping) else {c: str(c) for c in sel}
        other = ~d[coder_col].isin(sel)
        exclusions.add("kodaren är inte vald för jämförelsen", int(other.sum()),
                       rows=np.nonzero(other.to_numpy())[0][:20].tolist(), column=coder_col)
        d = d[~other]
        units = pd.Index(list(dict.fromkeys(d[unit_col].tolist())))
        uix = {u: i for i, u in enumerate(units)}
        sets: list[list[frozenset | None]] = [[None] * len(units) for _ in sel]
        for ci_, c in enumerate(sel):
            sub = d[d[coder_col] == c]
            grouped: dict[Any, set] = {}
            for u, code in zip(sub[unit_col].tolist(), sub[code_col].tolist()):
                grouped.setdefault(u, set())
                if not _is_missing(code) and str(code).strip():
                    grouped[u].add(str(code))
            for u, s in grouped.items():
                sets[ci_][uix[u]] = frozenset(s)
        coder_names = [display.get(c, str(c)) for c in sel]
        single = False
    else:
        if coders is None:
            sel = [c for c in data.columns if str(c).startswith(("codes_", "koder_"))]
        else:
            sel = list(coders)
        missing = [c for c in sel if c not in data.columns]
        if missing:
            raise MissingColumnError(
                f"Kodarkolumnerna {missing} saknas; tabellen har {list(data.columns)}. Ange coders=[...]."
            )
        display = dict(coders) if isinstance(coders, Mapping) else {c: _default_coder_name(str(c)) for c in sel}
        coder_names = [display.get(c, str(c)) for c in sel]
        if data[unit_col].duplicated().any():
            from ..errors import DuplicateIdError, describe_rows

            dup = np.nonzero(data[unit_col].duplicated().to_numpy())[0]
            raise DuplicateIdError(
                f"Kolumnen {unit_col!r} har dubbletter ({describe_rows(dup)}); en rad per utdrag krävs."
            )
        units = pd.Index(data[unit_col].tolist())
        cells = [data[c].tolist() for c in sel]
        single = bool(sel) and all(
            _is_missing(v) or not (isinstance(v, Iterable) and not isinstance(v, str)) and not
            (isinstance(v, str) and (";" in v or "," in v))
            for col in cells for v in col
        ) and any(not _is_missing(v) for col in cells for v in col)
        if single:
            sets = [[None if _is_missing(v) else frozenset([str(v)]) for v in col] for col in cells]
        else:
            sets = [[_as_code_set(v) for v in col] for col in cells]
        if text_col and text_col in data.columns:
            texts = pd.Series(data[text_col].tolist(), index=units)
    if len(sel) < 2:
        raise EstimationError(
            f"Överensstämmelse kräver minst två kodare; fick {len(sel)} ({coder_names}). "
            "Ange coders=[...] med kolumnerna (eller namnen) för varje kodare."
        )
    used = sorted({code for s in sets for cell in s if cell for code in cell})
    code_list = list(codes) if codes is not None else used
    unknown_used = sorted(set(used) - set(code_list))
    if unknown_used:
        notes.append(f"Koder som inte ingår i codes= har lämnats utanför: {', '.join(unknown_used)}.")
    m, k = len(sel), len(code_list)
    cpos = {c: i for i, c in enumerate(code_list)}
    pres = np.full((len(units), m, k), np.nan)
    for j in range(m):
        for u, cell in enumerate(sets[j]):
            if cell is None:
                continue
            pres[u, j, :] = 0.0
            for code in cell:
                if code in cpos:
                    pres[u, j, cpos[code]] = 1.0
    coded = ~np.isnan(pres[:, :, 0]) if k else np.zeros((len(units), m), bool)
    n_coded = {coder_names[j]: int(coded[:, j].sum()) for j in range(m)}
    if k == 0:
        raise EstimationError("Inga koder att jämföra: ingen kodare har satt någon kod. Ange codes=[...].")
    enough = coded.sum(axis=1) >= 2
    if not enough.any():
        raise EstimationError(
            "Inget utdrag är kodat av minst två kodare, så överensstämmelse kan inte beräknas. "
            f"Utdrag per kodare: {n_coded}. Låt kodarna koda (en del av) samma utdrag."
        )
    only_one = ~enough
    if only_one.any():
        exclusions.add("utdraget är kodat av färre än två kodare", int(only_one.sum()),
                       rows=np.nonzero(only_one)[0][:20].tolist(), column=unit_col)
        notes.append(f"{int(only_one.sum())} utdrag är kodade av färre än två kodare och ingår inte.")
    units = units[enough]
    pres = pres[enough]
    coded = coded[enough]
    n = len(units)

    # Per-unit contributions, units x codes x features; every statistic is a ratio of their sums.
    x = pres
    yes = np.nansum(x, axis=1)  # n x k
    mm = coded.sum(axis=1)[:, None] * np.ones((1, k))
    no = mm - yes
    with np.errstate(divide="ignore", invalid="ignore"):
        o01 = yes * no / (mm - 1)  # per-unit coincidences (binary, nominal)
        o00 = no * (no - 1) / (mm - 1)
        o11 = yes * (yes - 1) / (mm - 1)
    coinc = np.stack([o00, o01, o01, o11], axis=-1)  # n x k x 4
    pa = np.stack([yes * (yes - 1), yes * (mm - 1)], axis=-1)  # positive agreement num/den
    pairs = [(i, j) for i in range(m) for j in range(i + 1, m)]
    tabs = np.zeros((len(pairs), n, k, 4))  # per pair: n00, n01, n10, n11
    for p_, (i, j) in enumerate(pairs):
        both = coded[:, i] & coded[:, j]
        a = np.nan_to_num(x[:, i, :]).astype(int)
        b = np.nan_to_num(x[:, j, :]).astype(int)
        cell = a * 2 + b
        for c in range(4):
            tabs[p_, :, :, c] = (cell == c) & both[:, None]
    full = coded.all(axis=1)
    fl_p = np.where(full[:, None], (yes**2 + no**2 - m) / (m * (m - 1)), 0.0)
    fl_c = np.stack([np.where(full[:, None], no, 0.0), np.where(full[:, None], yes, 0.0)], axis=-1)
    fl_n = np.where(full, 1.0, 0.0)

    def compute(w: np.ndarray) -> dict[str, np.ndarray]:
        """All statistics for unit weights ``w`` (r x n); arrays r x (k + 2): codes, pooled, macro."""
        def agg(arr: np.ndarray) -> np.ndarray:  # n x k x f -> r x (k+1) x f (last = pooled)
            per = np.einsum("rn,nkf->rkf", w, arr)
            return np.concatenate([per, per.sum(axis=1, keepdims=True)], axis=1)

        co = agg(coinc)
        n0 = co[..., 0] + co[..., 1]
        n1 = co[..., 2] + co[..., 3]
        tot = n0 + n1
        with np.errstate(divide="ignore", invalid="ignore"):
            alpha = np.where((n0 > 0) & (n1 > 0), 1 - (tot - 1) * (co[..., 1] + co[..., 2]) / (2 * n0 * n1), np.nan)
            pav = agg(pa)
            posagr = pav[..., 0] / pav[..., 1]
            kap, agr, f1 = [], [], []
            for p_, (i, _j) in enumerate(pairs):
                t = agg(tabs[p_])
                nn = t.sum(axis=-1)
                po = (t[..., 0] + t[..., 3]) / nn
                pa_ = (t[..., 2] + t[..., 3]) / nn
                pb_ = (t[..., 1] + t[..., 3]) / nn
                pe = pa_ * pb_ + (1 - pa_) * (1 - pb_)
                kap.append(np.where(pe < 1 - 1e-12, (po - pe) / (1 - pe), np.nan))
                agr.append(po)
                if i == 0:  # first coder as reference
                    f1.append(2 * t[..., 3] / (2 * t[..., 3] + t[..., 1] + t[..., 2]))
            kappa = np.mean(np.stack(kap), axis=0)  # NaN when any pair is undefined
            agree = np.mean(np.stack(agr), axis=0)
            f1v = np.mean(np.stack(f1), axis=0)
            if m > 2:
                ps = np.einsum("rn,nk->rk", w, fl_p)
                ps = np.concatenate([ps, ps.sum(axis=1, keepdims=True)], axis=1)
                cs = agg(fl_c)
                nu = (w @ fl_n)[:, None] * np.ones((1, k + 1))
                nu[:, -1] *= k
                fle = _fleiss_from_sums(ps, cs, nu, m)
            else:
                fle = np.full_like(alpha, np.nan)
        out = {"andel_overens": agree, "kappa": kappa, "alfa": alpha, "f1": f1v,
               "positiv_overens": posagr, "fleiss_kappa": fle}
        for key, v in out.items():  # append macro mean over codes
            with _quiet():
                macro = np.nanmean(v[:, :k], axis=1, keepdims=True)
            out[key] = np.concatenate([v, macro], axis=1)
        return out

    point = {key: v[0] for key, v in compute(np.ones((1, n))).items()}
    reps = compute(_boot_weights(n, n_boot, random_state))
    index = [*code_list, ReliabilityResult.POOLED, ReliabilityResult.MACRO]
    st = pd.DataFrame(index=pd.Index(index, name="kod"))
    st["n_utdrag"] = [int((coded.sum(axis=1) >= 2).sum())] * len(index)
    per_coder_yes = np.nansum(pres, axis=0)  # coders x codes
    for j, name in enumerate(coder_names):
        vals = per_coder_yes[j].tolist()
        st[f"n_{name}"] = [*vals, float(sum(vals)), np.nan]
    st["andel_overens"] = point["andel_overens"]
    for key, lo_name in (("kappa", "kappa"), ("alfa", "alfa"), ("fleiss_kappa", "fleiss")):
        low, high, _se = _percentile(reps[key], confidence)
        st[key] = point[key]
        st[f"{lo_name}_ci_lag"] = np.where(np.isnan(point[key]), np.nan, low)
        st[f"{lo_name}_ci_hog"] = np.where(np.isnan(point[key]), np.nan, high)
    st["f1"] = point["f1"]
    st["positiv_overens"] = point["positiv_overens"]
    if m == 2:
        st = st.drop(columns=["fleiss_kappa", "fleiss_ci_lag", "fleiss_ci_hog"])
    label_map = _code_labels(code_list, labels)
    never = [c for c in code_list if np.nansum(pres[:, :, cpos[c]]) == 0]
    if never:
        notes.append(
            ("Koden " if len(never) == 1 else "Koderna ") + ", ".join(label_map[c] for c in never)
            + " har inte använts av någon kodare; kappa och alfa är odefinierade (NaN)."
        )
    always = [c for c in code_list if c not in never and np.isnan(point["alfa"][cpos[c]])]
    if always:
        notes.append(
            "För " + ", ".join(label_map[c] for c in always) + " har alla kodare gett alla utdrag samma "
            "värde; kappa och alfa är odefinierade (NaN)."
        )
    rare = [c for c in code_list if c not in never and 0 < np.nansum(pres[:, :, cpos[c]]) < 10]
    if rare:
        notes.append(
            "Få utdrag med koden (färre än 10 markeringar): " + ", ".join(label_map[c] for c in rare)
            + "; intervallen är breda och kan vara missvisande."
        )
    notes.insert(0, f"n = {n} utdrag kodade av minst två av de {m} kodarna ({', '.join(coder_names)}); "
                    f"utdrag per kodare: " + ", ".join(f"{k_} {v}" for k_, v in n_coded.items()) + ".")
    notes.append(
        f"Intervall: {round(100 * confidence)} % percentilbootstrap, {fmt_num(n_boot, 0)} dragningar av utdrag "
        f"(slumpfrö {random_state!r}). Kappa för fler än två kodare är medel av parvisa Cohens kappa."
        if m > 2 else
        f"Intervall: {round(100 * confidence)} % percentilbootstrap, {fmt_num(n_boot, 0)} dragningar av utdrag "
        f"(slumpfrö {random_state!r}). F1 har {coder_names[0]} som referens och är för två kodare "
        "lika med positiv överensstämmelse."
    )
    single_df = None
    if single:
        # the categorical coefficients replace the pooled binary row
        lab = pd.DataFrame({name: data[c].tolist() for name, c in zip(coder_names, sel)}, index=pd.Index(data[unit_col]))
        lab = lab.loc[list(units)]
        a_est = krippendorff_alpha(lab, level, value_domain=value_domain, ci=True, n_boot=n_boot,
                                   random_state=random_state, confidence=confidence)
        # kappa (Cohen for two coders, Light's mean pairwise for more) and Fleiss on the categories,
        # not pooled over the 0/1 indicators of each category (issue 12)
        boot_kw = {"ci": True, "n_boot": n_boot, "random_state": random_state, "confidence": confidence}
        pooled_row = ReliabilityResult.POOLED
        st.loc[pooled_row, "andel_overens"] = pairwise_agreement(lab)
        try:
            k_est = light_kappa(lab, **boot_kw)
            st.loc[pooled_row, ["kappa", "kappa_ci_lag", "kappa_ci_hog"]] = [k_est.value, k_est.ci_low, k_est.ci_high]
        except EstimationError as exc:
            st.loc[pooled_row, ["kappa", "kappa_ci_lag", "kappa_ci_hog"]] = np.nan
            notes.append(f"Kappa för hela kategorivariabeln saknas: {exc}")
        if m > 2:
            try:
                f_est = fleiss_kappa(lab, **boot_kw)
                st.loc[pooled_row, ["fleiss_kappa", "fleiss_ci_lag", "fleiss_ci_hog"]] = [
                    f_est.value, f_est.ci_low, f_est.ci_high]
                if f_est.n_units < n:
                    notes.append(f"Fleiss kappa för hela kategorivariabeln bygger på de {f_est.n_units} utdrag som "
                                 f"alla {m} kodare har kodat.")
            except EstimationError as exc:
                st.loc[pooled_row, ["fleiss_kappa", "fleiss_ci_lag", "fleiss_ci_hog"]] = np.nan
                notes.append(f"Fleiss kappa för hela kategorivariabeln saknas: {exc}")
        st.loc[pooled_row, ["alfa", "alfa_ci_lag", "alfa_ci_hog"]] = [a_est.value, a_est.ci_low, a_est.ci_high]
        notes.append(f"En kod per utdrag: raden Samtliga koder visar överensstämmelse, kappa"
                     f"{', Fleiss kappa' if m > 2 else ''} och alfa för hela kategorivariabeln "
                     f"(alfa på nivån {level!r}); raderna per kod jämför koden mot alla andra.")
        single_df = lab
    if source:
        notes.append(f"Källa: {source}.")
    if exclusions:
        notes.append("Exkluderat: " + exclusions.describe().replace("\n", "; "))
    return ReliabilityResult(
        stats=st, coders=coder_names, codes=code_list, labels=label_map, n_coded=n_coded, units=units,
        presence=pres, texts=texts.loc[list(units)] if texts is not None else None, n_boot=n_boot,
        confidence=confidence, exclusions=exclusions, notes=notes, source=source, single_label=single_df,
    )
