"""Keyword in context and word frequencies per group, with Swedish stop words.

Every QDA tool has these two views; here they follow the project's result
contract (``.table()``, ``.plot()``, ``.summary()``):

* :func:`kwic` finds a word, a phrase or every term of a code in the
  excerpts with the same Swedish matching as the coding (inflections,
  compounds, protected names, negation flags) and shows each hit with the
  words before and after it (:class:`KwicResult`);
* :func:`word_frequencies` counts words per group (förbund, roll ...), without
  Swedish stop words (:data:`SWEDISH_STOPWORDS`, the Snowball list shipped in
  the package, plus a few fillers of interview speech), optionally by lemma
  (:class:`WordFrequencies`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from importlib import resources
from typing import Any

import pandas as pd

from ..errors import CodebookError, MissingColumnError, SchemaError
from ..results import ResultMixin
from .codebook import Code, Codebook
from .text import tokenize

__all__ = ["SWEDISH_STOPWORDS", "KwicResult", "WordFrequencies", "kwic", "word_frequencies"]


def _load_stopwords() -> frozenset[str]:
    text = resources.files(__package__).joinpath("codebooks").joinpath("stoppord_sv.txt").read_text(encoding="utf-8")
    return frozenset(w.strip() for w in text.splitlines() if w.strip() and not w.startswith("#"))


#: Swedish stop words: the Snowball list (as nltk's ``stopwords.words("swedish")``, which needs a download)
#: and a few fillers of interview speech; the file is ``coding/codebooks/stoppord_sv.txt``.
SWEDISH_STOPWORDS: frozenset[str] = _load_stopwords()


def _check(excerpts: Any, text_col: str, cols: list[str | None], fn: str) -> None:
    if not isinstance(excerpts, pd.DataFrame):
        raise SchemaError(f"{fn}: excerpts ska vara en DataFrame med en textkolumn, fick {type(excerpts).__name__}.")
    for c in [text_col, *cols]:
        if c is not None and c not in excerpts.columns:
            raise MissingColumnError(
                f"{fn}: kolumnen {c!r} saknas; kolumner: {list(excerpts.columns)}. Ange rätt namn med text_col= "
                f"eller group_col=."
            )


@dataclass
class KwicResult(ResultMixin):
    """Hits of a word, phrase or code with their context, one row per hit."""

    hits: pd.DataFrame
    query: str
    window: int
    n_excerpts: int
    notes: list[str] = field(default_factory=list)

    @property
    def title(self) -> str:  # type: ignore[override]
        return f"Nyckelord i kontext: {self.query}"

    @property
    def caption(self) -> str:  # type: ignore[override]
        n = self.hits["excerpt_id"].nunique() if len(self.hits) else 0
        return f"{len(self.hits)} träffar i {n} av {self.n_excerpts} utdrag; {self.window} ord på var sida."

    def table(self) -> pd.DataFrame:
        """One row per hit: excerpt id, group (if any), left context, hit, right context, flags."""
        return self.hits.copy()

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """Bar chart of hits per group (or per matched word form when there are no groups)."""
        from ..plots.style import figure, finish

        col = "grupp" if "grupp" in self.hits.columns else "traff"
        counts = self.hits[col].astype(str).value_counts().sort_values()
        if ax is None:
            fig, ax = figure("half")
        else:
            fig = ax.figure
        ax.barh(counts.index, counts.to_numpy())
        ax.set_xlabel("Antal träffar")
        finish(fig, title=kwargs.pop("title", self.title), note=[self.caption, *self.notes])
        return ax

    def summary(self) -> str:
        lines = [self.title, self.caption]
        for _, r in self.hits.iterrows():
            flag = " [negerad]" if r.get("negerad") else ""
            lines.append(f"{str(r['vanster'])[-50:]:>50} [{r['traff']}] {str(r['hoger'])[:50]}{flag}")
        from ..privacy.guard import mask_text

        return mask_text("\n".join(lines + [f"Not: {n}" for n in self.notes]))


def kwic(
    excerpts: pd.DataFrame,
    query: str | list[str],
    *,
    codebook: Codebook | None = None,
    text_col: str = "text",
    id_col: str = "excerpt_id",
    group_col: str | None = None,
    window: int = 6,
) -> KwicResult:
    """Keyword in context: every hit of ``query`` with the words around it.

    Parameters
    ----------
    excerpts
        One row per excerpt with a text column.
    query
        A word or phrase (any inflection and compound matches, as in coding),
        a list of them, or the id of a code in ``codebook`` (all its terms).
    codebook
        Where a code id is looked up (default: the built-in codebook).
    text_col, id_col, group_col
        Column names; ``group_col`` (e.g. ``"forbund"``) is carried into the table.
    window
        Words shown on each side.

    Returns
    -------
    KwicResult
        ``.table()`` with ``excerpt_id``, ``grupp``, ``vanster``, ``traff``,
        ``hoger``, ``term``, ``negerad``.

    Examples
    --------
    >>> df = pd.DataFrame({"excerpt_id": [1, 2], "forbund": ["A", "B"],
    ...                    "text": ["Förankringen i linjen är svag hos oss.", "Vi har inte förankrat insatsen."]})
    >>> r = kwic(df, ["förankring", "förankra"], group_col="forbund", window=2)
    >>> r.table()[["grupp", "traff", "negerad"]].to_dict("records")
    [{'grupp': 'A', 'traff': 'Förankringen', 'negerad': False}, {'grupp': 'B', 'traff': 'förankrat', 'negerad': True}]
    """
    from .matching import CompiledCodebook

    _check(excerpts, text_col, [group_col], "kwic")
    if id_col not in excerpts.columns:
        excerpts = excerpts.assign(**{id_col: range(len(excerpts))})
    cb = codebook if codebook is not None else None
    if isinstance(query, str) and (cb or Codebook.default()).__contains__(query.strip()):
        cb = cb or Codebook.default()
        code = cb.get(query.strip())
        probe = Codebook([replace(code, parent=None)])
        label = f"{code.label} (alla termer)"
    else:
        terms = [query] if isinstance(query, str) else list(query)
        if not terms or not all(isinstance(t, str) and t.strip() for t in terms):
            raise CodebookError("kwic: ange ett ord, en fras, en lista av dem eller ett kod-id, t.ex. kwic(df, 'samsyn').")
        probe = Codebook([Code("kwic", "kwic", include=[t.strip() for t in terms])])
        label = ", ".join(terms)
    cc = CompiledCodebook(probe)
    rows = []
    for _, r in excerpts.iterrows():
        text = r[text_col]
        if not isinstance(text, str) or not text.strip():
            continue
        hs = [h for h in cc.hits(text) if not h.exclude]
        excl = [(h.start, h.end) for h in cc.hits(text) if h.exclude]
        for h in sorted(hs, key=lambda h: h.char_start):
            if any(a <= h.end and h.start <= b for a, b in excl):
                continue
            left = " ".join(text[:h.char_start].split()[-window:])
            right = " ".join(text[h.char_end:].split()[:window])
            row = {"excerpt_id": r[id_col]}
            if group_col is not None:
                row["grupp"] = r[group_col]
            row.update({"vanster": left, "traff": text[h.char_start:h.char_end], "hoger": right, "term": h.term,
                        "negerad": h.negated})
            rows.append(row)
    cols = ["excerpt_id"] + (["grupp"] if group_col else []) + ["vanster", "traff", "hoger", "term", "negerad"]
    hits = pd.DataFrame(rows, columns=cols)
    hits = hits.drop_duplicates(subset=["excerpt_id", "vanster", "traff", "hoger"]).reset_index(drop=True)
    return KwicResult(hits=hits, query=label, window=window, n_excerpts=len(excerpts))


@dataclass
class WordFrequencies(ResultMixin):
    """Word counts per group, stop words removed."""

    counts: pd.DataFrame
    group_col: str | None
    top: int
    notes: list[str] = field(default_factory=list)

    @property
    def title(self) -> str:  # type: ignore[override]
        return "Vanligaste orden" + (f" per {self.group_col}" if self.group_col else "")

    @property
    def caption(self) -> str:  # type: ignore[override]
        return (f"De {self.top} vanligaste orden" + (" i varje grupp" if self.group_col else "")
                + "; svenska stoppord borttagna. Per 1 000 ord = antal per 1 000 ord i gruppen.")

    def table(self) -> pd.DataFrame:
        """``grupp`` (if grouped), ``ord``, ``antal``, ``per_1000_ord``, ``antal_utdrag``."""
        return self.counts.copy()

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """Horizontal bars of the most frequent words, one panel per group (at most six)."""
        from ..plots.style import figure, finish

        t = self.counts
        groups = list(dict.fromkeys(t["grupp"])) if "grupp" in t.columns else [None]
        groups = groups[:6]
        if ax is None:
            fig, axes = figure("full", 1, len(groups), squeeze=False)
            axes = list(axes[0])
        else:
            fig, axes = ax.figure, [ax]
            groups = groups[:1]
        for a, g in zip(axes, groups):
            part = t if g is None else t[t["grupp"] == g]
            part = part.head(kwargs.get("n", 15)).iloc[::-1]
            a.barh(part["ord"], part["antal"])
            a.set_xlabel("Antal")
            if g is not None:
                a.set_title(str(g))
        finish(fig, title=kwargs.pop("title", self.title), note=[self.caption, *self.notes])
        return axes[0] if len(axes) == 1 else axes

    def summary(self) -> str:
        return ResultMixin.summary(self)


def word_frequencies(
    excerpts: pd.DataFrame,
    *,
    text_col: str = "text",
    group_col: str | None = None,
    top: int = 20,
    stopwords: bool | set[str] | frozenset[str] = True,
    extra_stopwords: list[str] | None = None,
    lemma: bool = False,
    min_length: int = 2,
) -> WordFrequencies:
    """The most frequent words, overall or per group, without Swedish stop words.

    Parameters
    ----------
    excerpts
        One row per excerpt with a text column.
    text_col, group_col
        Column names; ``group_col`` (e.g. ``"forbund"`` or ``"roll"``) gives one list per group.
    top
        Words kept per group.
    stopwords
        ``True`` (default): :data:`SWEDISH_STOPWORDS`; ``False``: none; or your own set.
    extra_stopwords
        Words to drop as well (e.g. the förbund's own name).
    lemma
        Count lemmas (``förankrade`` and ``förankrar`` as ``förankra``) instead of word forms.
    min_length
        Shorter words are skipped.

    Returns
    -------
    WordFrequencies
        ``.table()`` with ``grupp``, ``ord``, ``antal``, ``per_1000_ord``, ``antal_utdrag``.

    Examples
    --------
    >>> df = pd.DataFrame({"roll": ["chef", "chef", "handläggare"],
    ...                    "text": ["Samsyn saknas och samsyn behövs.", "Vi har samsyn.", "Tiden räcker inte."]})
    >>> word_frequencies(df, group_col="roll", top=1).table()[["grupp", "ord", "antal"]].to_dict("records")
    [{'grupp': 'chef', 'ord': 'samsyn', 'antal': 3}, {'grupp': 'handläggare', 'ord': 'räcker', 'antal': 1}]
    """
    _check(excerpts, text_col, [group_col], "word_frequencies")
    if isinstance(stopwords, bool):
        stop = set(SWEDISH_STOPWORDS) if stopwords else set()
    else:
        stop = {str(w).lower() for w in stopwords}
    stop |= {str(w).lower() for w in (extra_stopwords or [])}
    if lemma:
        from .lexicon import lemma as to_lemma
    rows = []
    groups = excerpts.groupby(group_col, sort=True, dropna=False) if group_col else [(None, excerpts)]
    for g, part in groups:
        counts: Counter[str] = Counter()
        docs: Counter[str] = Counter()
        total = 0
        for text in part[text_col]:
            toks = tokenize(text)
            total += len(toks)
            words = [t for t in toks if len(t) >= min_length and t not in stop and not t.isdigit()]
            if lemma:
                words = [to_lemma(w).lower() for w in words]
                words = [w for w in words if w not in stop]
            counts.update(words)
            docs.update(set(words))
        for w, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:top]:
            row = {} if group_col is None else {"grupp": g}
            row.update({"ord": w, "antal": n, "per_1000_ord": round(1000 * n / total, 1) if total else 0.0,
                        "antal_utdrag": docs[w]})
            rows.append(row)
    cols = (["grupp"] if group_col else []) + ["ord", "antal", "per_1000_ord", "antal_utdrag"]
    notes = [f"Stoppord: {'Snowballs svenska lista och vanliga utfyllnadsord' if stopwords is True else 'egna'}"
             + (f" och {len(extra_stopwords)} egna" if extra_stopwords else "") + "."]
    return WordFrequencies(counts=pd.DataFrame(rows, columns=cols), group_col=group_col, top=top, notes=notes)
