"""The coding of a set of excerpts, and what a report derives from it.

:class:`CodingResult` holds the codes given to each excerpt (automatically by
:func:`~finsam_eval.coding.code_excerpts`, by hand through
:meth:`CodingResult.from_codes`, from an interview guide through
:meth:`~finsam_eval.coding.Intervjuguide.code`) and derives what an
evaluation report needs: a code × group matrix counting respondents once per
group (:meth:`~CodingResult.matrix`, in :mod:`.matrix`), code co-occurrence
(:meth:`~CodingResult.cooccurrence`), strong and varied quotes, each text
once (:meth:`~CodingResult.quotes`, in :mod:`.quotes`), prevalence with the
Swedish quantifier words (:meth:`~CodingResult.prevalence`, in
:mod:`.prevalence`), a framework matrix of cases × codes
(:meth:`~CodingResult.framework`, in :mod:`.framework`) and agreement with
reference codes (:meth:`~CodingResult.compare`, in :mod:`.comparison`).

Sub-codes roll up into their parents (``recursive=True``, the default) and
``codes=`` restricts every table and figure to the codes asked for. Counts of
interviewed professionals are shown as they are (``suppress="auto"``): the
protection of people interviewed in their professional role lies in how
quotes are attributed, not in hiding small numbers; counts from participants
(``roll`` = deltagare) and from material whose source is unknown are
suppressed below ``min_count`` as register counts are.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from ..errors import CodebookError, MissingColumnError, SchemaError
from ..privacy import suppress_small, suppression_note
from ..results import Exclusions, ResultMixin
from ..sv import fmt_num
from .codebook import Codebook
from .comparison import CodeComparison
from .hierarchy import ancestors, has_hierarchy, roll_up_long, tree_order
from .matrix import _SHARE_NOTE, _VALUES, DISPLAY_NAMES, CodeMatrix, Cooccurrence, _display, _labels_for
from .prevalence import Prevalence, small_n_quantifier
from .quotes import Quotes, pick_varied, rank_candidates

__all__ = ["CodingResult", "CodeMatrix", "Cooccurrence", "Quotes", "Prevalence", "CodeComparison", "DISPLAY_NAMES",
           "CODE_SOURCES", "OPEN_SOURCES"]

#: Where a code came from (column ``kodkalla`` of :attr:`CodingResult.long`).
CODE_SOURCES: dict[str, str] = {
    "intervjuguide": "strukturell kod från intervjuguidens fråga",
    "kodbok": "kodbokens ord och fraser (code_excerpts)",
    "forslag": "inlärd förslagsmodell (CodeSuggester)",
    "manuell": "kodad av en människa",
}
#: Sources (column ``kalla``) whose counts of interviewed professionals are shown unsuppressed.
OPEN_SOURCES: frozenset[str] = frozenset({"intervju", "fokusgrupp", "gruppintervju", "workshop", "observation"})
#: Roles whose counts are always suppressed below ``min_count`` (participants, not professionals).
_PROTECTED_ROLES = frozenset({"deltagare"})
_OPEN_NOTE = ("Intervjuade yrkesverksamma redovisas med antal personer även när de är få; skyddet ligger i att "
              "citat inte tillskrivs enskilda (se metodbilagan).")


@dataclass
class CodingResult(ResultMixin):
    """Codes given to excerpts, and what a report derives from them.

    Attributes
    ----------
    long
        One row per excerpt, code and source: the id column, ``code``,
        ``label``, ``score``, ``n_hits``, ``matched_terms``,
        ``matched_text``, ``negated`` (every hit of the code is negated:
        "ingen samsyn"), ``hedged`` (some hit is hedged: "i viss mån
        förankrad"), ``spans`` (character offsets), ``kodkalla`` (where the
        code came from: see :data:`CODE_SOURCES`) and all excerpt metadata.
    excerpts
        The excerpts that were coded (all of them, coded or not).
    codebook
        The codebook used; ``parent`` links make sub-codes roll up.
    only
        Code ids this result is restricted to (:meth:`select`); None = all.
    suppress
        ``"auto"`` (default): counts of interviewed professionals are shown
        as they are, and counts are suppressed below ``min_count`` when
        ``roll`` has *deltagare* or the source (``kalla``) is not an
        interview, focus group, workshop or observation; True: always
        suppress; False: never.
    """

    long: pd.DataFrame
    excerpts: pd.DataFrame
    codebook: Codebook | None = None
    text_col: str = "text"
    id_col: str = "excerpt_id"
    respondent_col: str | None = "respondent_id"
    method: str = "automatisk"
    exclusions: Exclusions = field(default_factory=Exclusions)
    min_score: float | None = None
    source: str | None = None
    only: list[str] | None = None
    suppress: bool | str = "auto"

    def __post_init__(self) -> None:
        if "kodkalla" not in self.long.columns:
            src = "manuell" if str(self.method).startswith("manuell") else "kodbok"
            self.long = self.long.assign(kodkalla=src)
        if self.only is not None:
            self.only = self._check_codes(self.only, "only")
        if self.suppress not in ("auto", True, False):
            raise ValueError(f"suppress ska vara 'auto', True eller False, fick {self.suppress!r}.")

    # -- construction from human codes -------------------------------------------
    @classmethod
    def from_codes(
        cls,
        excerpts: pd.DataFrame,
        codes_col: str = "codes_a",
        codebook: Codebook | None = None,
        *,
        text_col: str = "text",
        id_col: str = "excerpt_id",
        respondent_col: str | None = "respondent_id",
        negated_col: str | None = None,
        kodkalla: str = "manuell",
    ) -> CodingResult:
        """Wrap manual codes (a column of lists of code ids) so matrices, quotes and prevalence work on them.

        Codes may be lists, tuples or strings separated by ``;`` or ``,``.
        Codes not in ``codebook`` raise :class:`~finsam_eval.errors.CodebookError`.
        ``kodkalla`` names where the codes came from (:data:`CODE_SOURCES`:
        ``"manuell"`` for a human coder, ``"forslag"`` for accepted
        suggestions of a :class:`~finsam_eval.coding.CodeSuggester`).

        Examples
        --------
        >>> df = pd.DataFrame({"excerpt_id": [1, 2], "respondent_id": ["R1", "R2"], "text": ["a", "b"],
        ...                    "codes_a": [["samsyn"], ["samsyn", "hinder"]]})
        >>> CodingResult.from_codes(df, "codes_a").wide.sum().loc[["samsyn", "hinder"]].tolist()
        [2, 1]
        """
        for col in [codes_col, id_col] + ([respondent_col] if respondent_col else []):
            if col not in excerpts.columns:
                raise MissingColumnError(f"from_codes: kolumnen {col!r} saknas; kolumner: {list(excerpts.columns)}.")
        codebook = codebook if codebook is not None else Codebook.default()
        known = set(codebook.ids)
        rows = []
        unknown: dict[str, list[int]] = {}
        ex = excerpts.reset_index(drop=True)
        for pos, (eid, val) in enumerate(zip(ex[id_col], ex[codes_col])):
            codes = _as_code_list(val)
            neg = set(_as_code_list(ex[negated_col].iloc[pos])) if negated_col else set()
            for c in codes:
                if c not in known:
                    unknown.setdefault(c, []).append(pos)
                    continue
                rows.append({"_pos": pos, id_col: eid, "code": c, "label": codebook.labels[c], "score": np.nan,
                             "n_hits": 0, "matched_terms": [], "matched_text": [], "negated": c in neg,
                             "hedged": False, "spans": []})
        if unknown:
            from ..errors import CodebookError, describe_rows

            first = sorted(unknown)[0]
            raise CodebookError(
                f"from_codes: kolumnen {codes_col!r} innehåller koder som inte finns i kodboken {codebook.name!r}: "
                f"{sorted(unknown)} (t.ex. {first!r} på {describe_rows(unknown[first])}). Lägg till dem i kodboken."
            )
        cols = ["_pos", id_col, "code", "label", "score", "n_hits", "matched_terms", "matched_text", "negated",
                "hedged", "spans"]
        long = pd.DataFrame(rows, columns=cols)
        order = {c: i for i, c in enumerate(codebook.ids)}
        long = long.assign(_o=long["code"].map(order)).sort_values(["_pos", "_o"]).drop(columns="_o")
        long = attach_metadata(long, ex, id_col).reset_index(drop=True)
        long["negated"] = long["negated"].astype(bool)
        long["hedged"] = long["hedged"].astype(bool)
        if kodkalla not in CODE_SOURCES:
            raise ValueError(f"kodkalla ska vara en av {list(CODE_SOURCES)}, fick {kodkalla!r}.")
        long["kodkalla"] = kodkalla
        return cls(long=long, excerpts=ex, codebook=codebook, text_col=text_col, id_col=id_col,
                   respondent_col=respondent_col, method=f"manuell ({codes_col})")

    # -- the contract ------------------------------------------------------------
    @property
    def all_codes(self) -> list[str]:
        """Every code of the codebook (or every code used, without one); each parent followed by its sub-codes."""
        if self.codebook is not None:
            if has_hierarchy(self.codebook):
                return tree_order(self.codebook)
            return self.codebook.ids
        return list(dict.fromkeys(self.long["code"]))

    @property
    def codes(self) -> list[str]:
        """The codes tables and figures show: :attr:`all_codes`, restricted by :meth:`select`."""
        if self.only is not None:
            return [c for c in self.all_codes if c in set(self.only)]
        return self.all_codes

    @property
    def labels(self) -> dict[str, str]:
        return _labels_for(self.codebook, self.all_codes)

    @property
    def n_excerpts(self) -> int:
        return len(self.excerpts)

    @property
    def n_respondents(self) -> int | None:
        if self.respondent_col and self.respondent_col in self.excerpts:
            return int(self.excerpts[self.respondent_col].nunique())
        return None

    @property
    def title(self) -> str:
        return "Teman i intervjuutdragen"

    @property
    def caption(self) -> str:
        cb = f" med kodboken {self.codebook.name} {self.codebook.version}" if self.codebook else ""
        return f"Kodning ({self.method}){cb}. Ett utdrag kan ha flera teman."

    @property
    def notes(self) -> list[str]:
        n = [f"n = {self.n_excerpts} utdrag" + (f" från {self.n_respondents} respondenter" if self.n_respondents else "")
             + "."]
        if self._fallback_note:
            n.append(self._fallback_note)
        if self.method == "automatisk" and self.min_score is not None:
            n.append(f"Automatisk kodning med svensk ordstamning; minsta poäng {fmt_num(self.min_score, 2)}.")
        long = self._long(codes=self.codes, recursive=False)
        if len(long) and long["negated"].any():
            n.append(f"{int(long['negated'].sum())} kodningar är negerade (t.ex. \u201dingen samsyn\u201d) "
                     "och räknas med; se kolumnen negated.")
        srcs = self.long["kodkalla"].value_counts()
        if len(srcs) > 1 or (len(srcs) == 1 and srcs.index[0] == "intervjuguide"):
            n.append("Kodernas källa: " + ", ".join(f"{k} {v}" for k, v in srcs.items()) + " kodningar.")
        if self.only is not None:
            n.append(f"Visar {len(self.codes)} av {len(self.all_codes)} koder.")
        if self.exclusions:
            n.append(self.exclusions.describe())
        if self.source:
            n.append(f"Källa: {self.source}.")
        n.append(self._suppression_note())
        return n

    @property
    def wide(self) -> pd.DataFrame:
        """0/1 per excerpt (rows, indexed by id, every excerpt) and code (columns, codebook order)."""
        return self._wide(self.codes, recursive=False)

    def _wide(self, codes: list[str], recursive: bool) -> pd.DataFrame:
        long = self._long(codes=codes, recursive=recursive)
        ids = self.excerpts[self.id_col]
        w = pd.crosstab(long[self.id_col], long["code"]) if len(long) else pd.DataFrame()
        w = (w.reindex(index=ids, columns=codes, fill_value=0) > 0).astype(int)
        w.index.name = self.id_col
        w.columns.name = None
        return w

    @property
    def _fallback_note(self) -> str:
        """The reader's sentence when each excerpt counts as its own respondent (no respondent column)."""
        if not self.excerpts.attrs.get("respondent_fallback"):
            return ""
        from ..io.excerpt_columns import FALLBACK_NOTE

        return FALLBACK_NOTE

    def _unit(self, value: str = "respondents") -> str:
        return "respondenter" if (value != "excerpts" and self.respondent_col) else "utdrag"

    # -- codes, hierarchy, suppression ------------------------------------------------
    def _check_codes(self, codes: Iterable[str] | str, what: str = "codes") -> list[str]:
        if isinstance(codes, str):
            codes = [codes]
        codes = list(dict.fromkeys(codes))
        known = self.all_codes
        unknown = [c for c in codes if c not in known]
        if unknown:
            name = f" {self.codebook.name!r}" if self.codebook is not None else ""
            raise CodebookError(f"{what}=: koderna {unknown} finns inte i kodboken{name}; välj bland {known}.")
        return [c for c in known if c in set(codes)]

    def _codes_for(self, codes: Iterable[str] | str | None) -> list[str]:
        return self.codes if codes is None else self._check_codes(codes)

    def select(self, codes: Iterable[str] | str) -> CodingResult:
        """The same coding restricted to ``codes``: every table, figure and note then shows only them.

        Examples
        --------
        >>> df = pd.DataFrame({"excerpt_id": [1, 2], "respondent_id": ["R1", "R2"], "text": ["a", "b"],
        ...                    "codes_a": [["samsyn"], ["samsyn", "hinder"]]})
        >>> CodingResult.from_codes(df, "codes_a").select(["hinder"]).table()["kod"].tolist()
        ['hinder']
        """
        return replace(self, only=self._check_codes(codes, "select"))

    def with_sources(self, *sources: str) -> CodingResult:
        """The same coding with only the codes from ``sources`` (see :data:`CODE_SOURCES`).

        With structural codes from an interview guide, prevalence counts
        everyone who was asked the question and answered; ``with_sources("kodbok",
        "manuell")`` counts only what was said.

        Examples
        --------
        >>> df = pd.DataFrame({"excerpt_id": [1], "respondent_id": ["R1"], "text": ["a"], "codes_a": [["samsyn"]]})
        >>> len(CodingResult.from_codes(df, "codes_a").with_sources("kodbok").long)
        0
        """
        bad = [s for s in sources if s not in CODE_SOURCES]
        if bad or not sources:
            raise ValueError(f"with_sources: ange en eller flera av {list(CODE_SOURCES)}, fick {list(sources)}.")
        long = self.long[self.long["kodkalla"].isin(sources)].reset_index(drop=True)
        return replace(self, long=long, method=f"{self.method}, bara {' + '.join(sources)}")

    def _structural_note(self) -> str:
        if not (self.long["kodkalla"] == "intervjuguide").any():
            return ""
        return ("Strukturella koder från intervjuguiden räknas med: ett tema räknas för den som fick frågan och "
                "svarade. Bara det som sades: .with_sources('kodbok', 'manuell').")

    def _long(self, *, codes: list[str] | None = None, recursive: bool = True,
              exclude_negated: bool = False) -> pd.DataFrame:
        """One row per excerpt and code (sources merged in ``kodkalla``), sub-codes rolled up when ``recursive``."""
        long = self.long
        if len(long) and long.duplicated([self.id_col, "code"]).any():
            src = long.groupby([self.id_col, "code"], sort=False)["kodkalla"].agg(
                lambda s: " + ".join(dict.fromkeys(s)))
            # a structural code says what was asked, not how: negation comes from the content codes only
            said = long.assign(_neg=long["negated"].astype(bool) & (long["kodkalla"] != "intervjuguide"),
                               _said=long["kodkalla"] != "intervjuguide")
            agg = said.groupby([self.id_col, "code"], sort=False).agg(
                score=("score", "max"), _neg=("_neg", "sum"), _said=("_said", "sum"), hedged=("hedged", "any"))
            agg["negated"] = (agg["_said"] > 0) & (agg["_neg"] == agg["_said"])
            agg = agg[["score", "negated", "hedged"]]
            long = long.drop_duplicates([self.id_col, "code"]).set_index([self.id_col, "code"])
            long["kodkalla"] = src
            long[["score", "negated", "hedged"]] = agg
            long = long.reset_index()
        if recursive and has_hierarchy(self.codebook):
            long = roll_up_long(long, self.codebook, self.id_col)
        if exclude_negated:
            long = long[~long["negated"].astype(bool)]
        if codes is not None:
            long = long[long["code"].isin(codes)]
        return long

    def _suppressing(self) -> bool:
        if self.suppress is not True and self.suppress is not False:
            ex = self.excerpts
            if "kalla" not in ex.columns or ex["kalla"].isna().all():
                return True
            src = {str(v).strip().lower() for v in ex["kalla"].dropna()}
            if not src <= OPEN_SOURCES:
                return True
            if "roll" in ex.columns:
                roles = {str(v).strip().lower() for v in ex["roll"].dropna()}
                if roles & _PROTECTED_ROLES:
                    return True
            return False
        return bool(self.suppress)

    def _suppression_note(self) -> str:
        return suppression_note() if self._suppressing() else _OPEN_NOTE

    def _suppress(self, table: pd.DataFrame, counts: list[str], **kwargs: Any) -> pd.DataFrame:
        if self._suppressing():
            return suppress_small(table, counts, **kwargs)
        out = suppress_small(table, counts, threshold=1, **kwargs)
        out.attrs["suppression_note"] = _OPEN_NOTE
        out.attrs["suppression"] = "ej tillämplig"
        return out

    def _hierarchy_note(self, recursive: bool, codes: list[str]) -> str:
        if not (recursive and has_hierarchy(self.codebook)):
            return ""
        parents = [c for c in codes if any(k.parent == c for k in self.codebook)]
        if not parents:
            return ""
        return ("Underkoder räknas också under sin huvudkod (" + ", ".join(self.labels[c] for c in parents)
                + "); ett utdrag räknas en gång per kod.")

    # -- tables ------------------------------------------------------------------
    def table(self, *, exclude_negated: bool = False, codes: Iterable[str] | str | None = None,
              recursive: bool = True) -> pd.DataFrame:
        """Per code: excerpts, respondents and their shares, negated and hedged hits.

        Parameters
        ----------
        exclude_negated
            Leave out codings flagged as negated.
        codes
            Only these codes (default: :attr:`codes`).
        recursive
            Count an excerpt with a sub-code under its parent too.
        """
        codes = self._codes_for(codes)
        long = self._long(codes=codes, recursive=recursive, exclude_negated=exclude_negated)
        rows = []
        n_ex = self.n_excerpts
        n_resp = self.n_respondents
        for c in codes:
            sub = long[long["code"] == c]
            r = {"kod": c, "etikett": self.labels[c], "utdrag": int(sub[self.id_col].nunique()),
                 "andel_utdrag": sub[self.id_col].nunique() / n_ex if n_ex else np.nan}
            if n_resp:
                k = int(sub[self.respondent_col].nunique())
                r.update(respondenter=k, andel_respondenter=k / n_resp)
            r.update(negerade=int(sub["negated"].sum()), osakra=int(sub["hedged"].sum()))
            rows.append(r)
        t = pd.DataFrame(rows, columns=["kod", "etikett", "utdrag", "andel_utdrag"]
                         + (["respondenter", "andel_respondenter"] if n_resp else []) + ["negerade", "osakra"])
        counts = ["utdrag", "negerade", "osakra"] + (["respondenter"] if n_resp else [])
        derived = {"andel_utdrag": "utdrag"}
        if n_resp:
            derived["andel_respondenter"] = "respondenter"
        return self._suppress(t, counts, derived=derived)

    def plot(self, ax: Any = None, *, kind: str = "bar", by: str | None = None,
             codes: Iterable[str] | str | None = None, **kwargs: Any) -> Any:
        """``kind="bar"``: share of respondents per theme; ``kind="heatmap"``: share per theme and ``by``."""
        if kind == "heatmap":
            return self.matrix(by or "forbund", value="share", codes=codes).plot(ax=ax, **kwargs)
        if kind != "bar":
            raise ValueError("kind ska vara 'bar' eller 'heatmap'.")
        return self.prevalence(by=by, codes=codes).plot(ax=ax, **kwargs)

    # -- matrices ------------------------------------------------------------------
    def _check_col(self, col: str, what: str) -> None:
        if col not in self.excerpts.columns:
            raise MissingColumnError(
                f"{what}: kolumnen {col!r} finns inte bland utdragens kolumner ({list(self.excerpts.columns)})."
            )

    def matrix(self, by: str = "forbund", value: str = "respondents", *, exclude_negated: bool = False,
               codes: Iterable[str] | str | None = None, recursive: bool = True) -> CodeMatrix:
        """Codes × groups of ``by``.

        Parameters
        ----------
        by
            A column of the excerpts: ``"forbund"``, ``"roll"``, ``"kalla"`` ...
        value
            ``"excerpts"`` (number of excerpts), ``"respondents"`` (number of
            distinct respondents, each counted once per group however many
            excerpts they gave) or ``"share"`` (respondents raising the theme
            / all respondents in the group; excerpts when there is no
            respondent column).
        exclude_negated
            Leave out codings flagged as negated ("ingen samsyn").
        codes
            Only these codes (default: :attr:`codes`).
        recursive
            Count a respondent with a sub-code under its parent too (once).

        Returns
        -------
        CodeMatrix
            ``.table()`` is codes × groups. Interviews with professionals
            show every count; otherwise counts and shares based on fewer
            than ``min_count`` respondents are suppressed, and so are whole
            groups with fewer members (see ``suppress``).

        Examples
        --------
        >>> df = pd.DataFrame({"excerpt_id": [1, 2, 3], "respondent_id": ["H:R1", "H:R2", "B:R1"],
        ...                    "forbund": ["H", "H", "B"], "kalla": "intervju", "text": ["a", "b", "c"],
        ...                    "codes_a": [["samsyn"], ["samsyn"], []]})
        >>> CodingResult.from_codes(df, "codes_a").matrix(codes=["samsyn"]).table()
                B  H
        Samsyn  0  2
        """
        if value not in _VALUES:
            raise ValueError(f"value ska vara en av {_VALUES}, fick {value!r}.")
        self._check_col(by, "matrix")
        if value == "respondents" and not self.respondent_col:
            raise SchemaError("matrix(value='respondents') kräver en respondentkolumn; använd value='excerpts'.")
        codes = self._codes_for(codes)
        use_resp = value != "excerpts" and bool(self.respondent_col)
        unit_col = self.respondent_col if use_resp else self.id_col
        long = self._long(codes=codes, recursive=recursive, exclude_negated=exclude_negated)
        ex = self.excerpts
        groups = [g for g in pd.unique(ex[by].dropna())]
        try:
            groups = sorted(groups)
        except TypeError:
            pass
        base = ex.groupby(by)[unit_col].nunique()
        cnt = long.groupby(["code", by])[unit_col].nunique() if len(long) else pd.Series(dtype=int)
        rows = []
        for c in codes:
            for g in groups:
                k = int(cnt.get((c, g), 0))
                b = int(base.get(g, 0))
                rows.append({"kod": c, "etikett": self.labels[c], by: g, "antal": k, "bas": b,
                             "andel": k / b if b else np.nan})
        raw = pd.DataFrame(rows, columns=["kod", "etikett", by, "antal", "bas", "andel"])
        tidy = self._suppress(raw, ["antal"], base="bas", derived={"andel": "antal"})
        tidy.attrs["raw"] = raw
        unit = "respondenter" if use_resp else "utdrag"
        notes = [f"n = {self.n_excerpts} utdrag" + (f", {self.n_respondents} respondenter" if self.n_respondents else "")
                 + f"; {unit} räknas en gång per grupp.", _SHARE_NOTE if value == "share" else "", self._fallback_note,
                 self._hierarchy_note(recursive, codes), self._structural_note()]
        if exclude_negated:
            notes.append("Negerade kodningar är borttagna.")
        missing = int(ex[by].isna().sum())
        if missing:
            notes.append(f"{missing} utdrag saknar värde i kolumnen {by!r} och ingår inte i matrisen.")
        notes.append(tidy.attrs["suppression_note"])
        shown = dict(self.labels)
        if has_hierarchy(self.codebook):  # sub-codes indented under their parent
            shown.update({c: "– " * len(ancestors(self.codebook, c)) + shown[c] for c in codes})
        return CodeMatrix(tidy=tidy, by=by, value=value, unit=unit, codes=codes, groups=groups,
                          labels=shown, notes=[n for n in notes if n])

    def cooccurrence(self, measure: str = "count", *, codes: Iterable[str] | str | None = None,
                     recursive: bool = False) -> Cooccurrence:
        """Codes × codes: excerpts carrying both codes (``"count"``) or the Jaccard index (``"jaccard"``).

        ``count`` is ``wide.T @ wide`` (the diagonal is each code's number of
        excerpts); Jaccard is that count over the excerpts with either code.
        ``recursive`` is off by default: a parent always co-occurs with its
        own sub-codes, which says nothing.
        """
        if measure not in ("count", "jaccard"):
            raise ValueError("measure ska vara 'count' eller 'jaccard'.")
        w = self._wide(self._codes_for(codes), recursive=recursive)
        m = w.T @ w
        return Cooccurrence(counts=m, measure=measure, labels=self.labels,
                            notes=[f"n = {self.n_excerpts} utdrag.", suppression_note()])

    # -- quotes ------------------------------------------------------------------------
    def quotes(
        self,
        code: str,
        n: int = 3,
        by: str | None = None,
        *,
        exclude_negated: bool = False,
        min_chars: int = 40,
        max_chars: int = 400,
        random_state: int = 0,
        recursive: bool = True,
    ) -> Quotes:
        """Choose ``n`` strong and varied quotes for ``code`` (``n`` per group when ``by`` is given).

        Candidates are ranked by score and by a length near the middle of
        ``min_chars``–``max_chars``; then quotes are taken greedily so that
        each new one comes from a respondent not yet quoted and, where
        possible, from a förbund (and role) not yet quoted. The same text is
        quoted once, also when it appears under two groups (the same answer
        filed under two förbund). With ``recursive`` the quotes of a parent
        include those of its sub-codes. Ties are broken with
        ``random_state``, so the choice is reproducible.
        """
        self._check_codes([code], "quotes")
        if by is not None:
            self._check_col(by, "quotes")
        sub = self._long(codes=[code], recursive=recursive, exclude_negated=exclude_negated)
        sub = rank_candidates(sub, self.text_col, min_chars=min_chars, max_chars=max_chars,
                              random_state=random_state)
        taken: set[str] = set()
        if by is None:
            idx = pick_varied(sub, n, text_col=self.text_col, respondent_col=self.respondent_col, taken=taken)
        else:
            idx = []
            for _, g in sub.groupby(by, sort=True):
                idx += pick_varied(g, n, text_col=self.text_col, respondent_col=self.respondent_col, taken=taken)
        out = sub.loc[idx]
        keep = [self.id_col, self.text_col] + [c for c in ("forbund", "roll", "kalla") if c in out.columns]
        keep += ["score", "negated", "hedged", "kodkalla"]
        if by and by not in keep:
            keep.insert(2, by)
        out = out[keep].reset_index(drop=True)
        label = self.labels.get(code, code)
        n_texts = sub[self.text_col].map(lambda t: " ".join(str(t).split()).lower()).nunique()
        notes = [f"{len(out)} citat valda av {len(sub)} utdrag med temat ({n_texts} olika texter)."]
        if exclude_negated:
            notes.append("Negerade utdrag är uteslutna.")
        h = self._hierarchy_note(recursive, [code])
        if h:
            notes.append(h)
        return Quotes(quotes=out, code=code, label=label, notes=notes)

    # -- prevalence ------------------------------------------------------------------
    def prevalence(self, by: str | None = None, *, exclude_negated: bool = False,
                   codes: Iterable[str] | str | None = None, recursive: bool = True) -> Prevalence:
        """Respondents (or excerpts) raising each theme, share and the Swedish quantifier word.

        The word follows :func:`~finsam_eval.coding.small_n_quantifier`
        (counts decide at small n: en, ett fåtal, några; shares only above
        half); the table of words is :func:`~finsam_eval.coding.quantifier_table`.
        When counts are suppressed (participants, unknown source) a
        suppressed count hides its word too (it would reveal the count next
        to a shown base): it reads "färre än 5" instead.

        Examples
        --------
        >>> df = pd.DataFrame({"excerpt_id": range(4), "respondent_id": ["R1", "R2", "R3", "R4"],
        ...                    "kalla": "intervju", "text": ["a"] * 4,
        ...                    "codes_a": [["samsyn"], ["samsyn"], ["hinder"], []]})
        >>> p = CodingResult.from_codes(df, "codes_a").prevalence(codes=["samsyn", "hinder"]).table()
        >>> p[["kod", "antal", "bas", "kvantifierare"]].values.tolist()
        [['samsyn', 2, 4, 'hälften'], ['hinder', 1, 4, 'en']]
        """
        codes = self._codes_for(codes)
        unit_col = self.respondent_col or self.id_col
        unit = "respondenter" if self.respondent_col else "utdrag"
        long = self._long(codes=codes, recursive=recursive, exclude_negated=exclude_negated)
        ex = self.excerpts
        if by is not None:
            self._check_col(by, "prevalence")
            groups = sorted(pd.unique(ex[by].dropna()))
        else:
            groups = [None]
        rows = []
        for g in groups:
            exg = ex if g is None else ex[ex[by] == g]
            lg = long if g is None else long[long[by] == g]
            total = int(exg[unit_col].nunique())
            for c in codes:
                k = int(lg.loc[lg["code"] == c, unit_col].nunique())
                r = {} if g is None else {by: g}
                r.update(kod=c, etikett=self.labels[c], antal=k, bas=total, andel=k / total if total else np.nan,
                         kvantifierare=small_n_quantifier(k, total) if total else "")
                rows.append(r)
        raw = pd.DataFrame(rows)
        tidy = self._suppress(raw, ["antal"], base="bas", derived={"andel": "antal"})
        hidden = tidy.attrs["suppressed_mask"]["antal"].to_numpy(dtype=bool)
        if hidden.any():
            tidy["kvantifierare"] = tidy["kvantifierare"].astype(object)
            tidy.loc[hidden, "kvantifierare"] = f"färre än {tidy.attrs['suppression_threshold']}"
        notes = [f"Bas: {unit} i " + ("hela materialet" if by is None else f"varje {_display(by)}") + ".",
                 "Kvantifierarna bestäms av antal vid få intervjuade: en (1), ett fåtal (2–3), några (4–5), "
                 "hälften, de flesta (över hälften), de allra flesta, nästan alla, samtliga (tabellen i metodkapitlet).",
                 self._hierarchy_note(recursive, codes), self._structural_note(), tidy.attrs["suppression_note"],
                 self._fallback_note]
        if exclude_negated:
            notes.insert(1, "Negerade kodningar är borttagna.")
        return Prevalence(tidy=tidy, by=by, unit=unit, notes=[n for n in notes if n])

    # -- framework matrix ------------------------------------------------------------
    def framework(self, cases: str | list[str] = "forbund", codes: Iterable[str] | str | None = None, *,
                  summaries: pd.DataFrame | dict | None = None, n_quotes: int = 2, recursive: bool = True,
                  **kwargs: Any) -> Any:
        """Cases × codes with the evaluator's summary or the strongest quotes in each cell.

        See :func:`~finsam_eval.coding.framework_matrix` for the parameters.
        """
        from .framework import framework_matrix

        return framework_matrix(self, cases=cases, codes=codes, summaries=summaries, n_quotes=n_quotes,
                                recursive=recursive, **kwargs)

    # -- agreement with reference codes -------------------------------------------------
    def compare(self, reference: CodingResult | str) -> CodeComparison:
        """Precision, recall and F1 per code against reference codes (e.g. coder A).

        ``reference`` is another :class:`CodingResult` on the same excerpts
        or the name of a column of the excerpts holding lists of code ids.
        """
        if isinstance(reference, str):
            ref = CodingResult.from_codes(self.excerpts, reference, self.codebook, text_col=self.text_col,
                                          id_col=self.id_col, respondent_col=self.respondent_col)
            name = reference
        else:
            ref, name = reference, reference.method
        a = self.wide
        b = ref._wide(self.codes, recursive=False).reindex(index=a.index, columns=a.columns, fill_value=0)
        rows = []
        for c in a.columns:
            tp = int(((a[c] == 1) & (b[c] == 1)).sum())
            fp = int(((a[c] == 1) & (b[c] == 0)).sum())
            fn = int(((a[c] == 0) & (b[c] == 1)).sum())
            p = tp / (tp + fp) if tp + fp else np.nan
            r = tp / (tp + fn) if tp + fn else np.nan
            f1 = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else np.nan
            rows.append({"kod": c, "etikett": self.labels[c], "tp": tp, "fp": fp, "fn": fn,
                         "precision": p, "recall": r, "f1": f1})
        t = pd.DataFrame(rows)
        cmp = CodeComparison(tidy=t, reference=name, notes=[f"n = {len(a)} utdrag."])
        cmp.notes.append(f"Makro-F1 {fmt_num(cmp.macro_f1, 2)}, mikro-F1 {fmt_num(cmp.micro_f1, 2)}.")
        return cmp

    # -- combining sources -------------------------------------------------------------
    def combine(self, other: CodingResult) -> CodingResult:
        """This coding and ``other`` (same excerpts) in one result; ``kodkalla`` keeps each code's source.

        Used to put structural codes from the interview guide next to the
        content codes from the codebook. The codebooks are merged (codes of
        ``other`` not in this one are added).

        Examples
        --------
        >>> df = pd.DataFrame({"excerpt_id": [1, 2], "respondent_id": ["R1", "R2"], "text": ["a", "b"],
        ...                    "kalla": "intervju", "a": [["samsyn"], []], "b": [["samsyn"], ["hinder"]]})
        >>> both = CodingResult.from_codes(df, "a").combine(CodingResult.from_codes(df, "b", kodkalla="forslag"))
        >>> both.long[["excerpt_id", "code", "kodkalla"]].values.tolist()
        [[1, 'samsyn', 'manuell'], [1, 'samsyn', 'forslag'], [2, 'hinder', 'forslag']]
        >>> int(both.table().set_index("kod").loc["samsyn", "utdrag"])  # one excerpt, two sources
        1
        """
        if self.id_col != other.id_col or set(self.excerpts[self.id_col]) != set(other.excerpts[other.id_col]):
            raise SchemaError(
                "combine: de två kodningarna gäller inte samma utdrag (jämför kolumnen "
                f"{self.id_col!r}); koda samma utdrag med båda."
            )
        cb = self.codebook
        if cb is not None and other.codebook is not None and other.codebook is not cb:
            cb = cb.copy()
            for c in other.codebook:
                if c.id not in cb:
                    cb.add(c)
        long = pd.concat([self.long, other.long], ignore_index=True)
        order = {c: i for i, c in enumerate(cb.ids)} if cb is not None else {}
        pos = {e: i for i, e in enumerate(self.excerpts[self.id_col])}
        long = long.assign(_p=long[self.id_col].map(pos), _o=long["code"].map(order).fillna(len(order)))
        long = long.sort_values(["_p", "_o"], kind="stable").drop(columns=["_p", "_o"]).reset_index(drop=True)
        ex = Exclusions()
        ex.extend(self.exclusions)
        ex.extend(other.exclusions)
        return replace(self, long=long, codebook=cb, method=f"{self.method} + {other.method}", exclusions=ex,
                       only=None)

    # -- exchange ------------------------------------------------------------------------
    def to_qdpx(self, path: Any = None, **kwargs: Any) -> Any:
        """Export as a REFI-QDA project and return the file's path.

        Without ``path`` the project is written as ``<name>.qdpx`` in the
        working directory (see :func:`finsam_eval.coding.refi.write_qdpx`).
        """
        from .refi import write_qdpx

        return write_qdpx(self, path, **kwargs)


def attach_metadata(long: pd.DataFrame, excerpts: pd.DataFrame, id_col: str) -> pd.DataFrame:
    """Join excerpt metadata onto the long table by row position (``_pos``).

    Metadata columns whose names the long table already uses (``code``,
    ``score`` ...) get the prefix ``utdrag_`` instead of overwriting.
    """
    meta = excerpts.reset_index(drop=True).drop(columns=[id_col])
    clash = [c for c in meta.columns if c in long.columns]
    meta = meta.rename(columns={c: f"utdrag_{c}" for c in clash})
    meta["_pos"] = range(len(meta))
    return long.merge(meta, on="_pos", how="left").drop(columns="_pos")


def _as_code_list(val: Any) -> list[str]:
    if val is None:
        return []
    if isinstance(val, float) and np.isnan(val):
        return []
    if isinstance(val, str):
        parts = [p.strip() for p in val.replace(",", ";").split(";")]
        return [p for p in parts if p]
    if isinstance(val, (list, tuple, set, np.ndarray, pd.Series)):
        return [str(v).strip() for v in val if str(v).strip()]
    return [str(val)]
