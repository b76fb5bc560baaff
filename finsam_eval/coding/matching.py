"""Code excerpts against a codebook, with Swedish morphology, negation and hedging.

The codebook is compiled once into lookup tables keyed on stems and surface
forms (:class:`CompiledCodebook`), so coding an excerpt is a single pass over
its tokens with dictionary look-ups, not one regular expression per term:

* words: the token's stem is looked up among the stems the term's inflected
  forms take (:func:`~finsam_eval.coding.text.term_keys`); short terms
  (``mål``, ``tid``) are looked up among their noun forms only;
* compounds: a term can be the head (``samverkan|s|former``) or the tail
  (``myndighets|samverkan``) of a compound, with guards against absurd hits
  (:func:`~finsam_eval.coding.text.plausible_head_rest`);
* phrases: a dictionary of first words, then the remaining words compared by
  stem, allowing one inserted word (``lyfta upp blicken``);
* ``prefix*`` terms and regular expressions for what words cannot express.

Each token's word and compound hits are cached, so the cost of a text grows
with its length and the vocabulary, not with the number of terms.

Compound splits never cut through a word of the lexicon of protected words
(:mod:`~finsam_eval.coding.lexicon`: *samordningsförbund*, *projekttid*,
*Försäkringskassan* ...), so ``samordning`` does not fire inside
"samordningsförbundet". A word that matches nothing through its stem is
looked up once more through its lemma (``tog`` -> ``ta``, ``förstod`` ->
``förstå``), from the lemma lexicon ``simplemma`` ships.

Negation is scoped to its clause and to the verb that governs the term:

* a hit preceded (within the clause, up to four words, not across a new
  subject such as "det måste ...") by a negation (``inte``, ``ingen``,
  ``saknar``, ``utan`` as a preposition) or followed by one (``saknas``,
  ``fungerar inte``) is kept but flagged ``negated``; a negation inside a
  phrase ("känner *inte* till") negates it;
* "inte X utan Y", "kan inte besluta själva, det måste förankras": the
  negation stays with X and its verb;
* two negations cancel ("det är inte så att vi saknar samsyn"), a negated
  question is rhetorical ("vem vill inte ha samsyn?"), and a negated term of
  negative polarity affirms ("ingen ifrågasätter förbundet");
* a hedge (``kanske``, ``delvis``, ``i viss mån``, ``inte riktigt``) flags
  ``hedged``.
"""

from __future__ import annotations

import gc
import re
import weakref
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import accumulate, compress
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..errors import MissingColumnError, SchemaError
from ..results import Exclusions
from . import lexicon
from .codebook import Codebook
from .text import (
    MIN_STEM,
    STOPWORDS,
    is_short,
    plausible_head_rest,
    plausible_tail_prefix,
    split_hyphen,
    stem,
    strict_forms,
    term_keys,
    tokenize,
)

if TYPE_CHECKING:
    from .results import CodingResult

__all__ = ["CompiledCodebook", "Hit", "code_excerpts", "code_text", "NEGATIONS", "HEDGES"]

#: Words that negate a following term (within the clause window).
NEGATIONS = frozenset(
    "inte ej icke ingen inget inga aldrig saknas saknar saknade saknat saknades brist bristen brister bristande "
    "utan varken knappast avsaknad frånvaro frånvarande".split()
)
#: Words after a term that negate it ("samsyn saknas", "förankringen brister").
NEGATIONS_AFTER = frozenset(
    "saknas saknades saknats saknar brister brast uteblev uteblir uteblivit fattas inte ej aldrig".split()
)
#: Hedging words; ``viss`` counts only in "i viss mån" / "till viss del".
HEDGES = frozenset(
    "kanske möjligen möjligtvis eventuellt troligen troligtvis antagligen sannolikt delvis ganska lite "
    "något nog tveksamt osäkert".split()
)
_HEDGE_NEXT = {"viss": {"mån", "del", "utsträckning", "grad"}, "riktigt": None, "helt": None}
_LINKING_VERBS = frozenset(
    "är var finns fanns fungerar fungerade fungerat har hade blir blev räcker räckte kommer kom funkar funkade "
    "riktigt heller alls längre vi man de det jag ni dom den".split()
)
_KNOW = frozenset({"vet", "visste", "vete", "undrar"})
_CLAUSE_BREAK = frozenset({"men", "fast", "däremot", "eftersom", "därför", "medan", "istället", "snarare"})
#: Words that open a new clause with its own verb: a negation before them does not reach past them.
_SUBJECTS = frozenset("det vi man de dom jag han hon ni den detta dessa som".split())
#: After "utan", these make it a conjunction ("inte X utan det måste ..."), not the preposition "without".
_UTAN_CONJ = _SUBJECTS | {"istället", "snarare", "också", "även", "att"}
#: Negators inside a phrase match negate it ("känner inte till").
_INNER_NEG = frozenset("inte ej aldrig icke".split())
#: "inte så att", "inte sant att": the clause that follows is negated as a whole.
_NEG_FRAME = frozenset({"så", "sant", "för"})
_WINDOW_BEFORE = 4
_WINDOW_AFTER = 3
_NO_INFO: tuple[tuple[tuple[int, str], ...], tuple[int, ...]] = ((), ())

_SCAN_RE = re.compile(r"(?P<w>[0-9a-zåäöéèüæøáà]+(?:-[0-9a-zåäöéèüæøáà]+)*)|(?P<p>[.!?;:,()\u2013\u2014])", re.I)
#: Words only, as one capturing group for ``re.split``: the words are the odd parts, the gaps between
#: them (with any marks) the even parts, and the running sum of the parts' lengths gives the offsets.
_WORD_SPLIT_RE = re.compile(r"([0-9a-zåäöéèüæøáà]+(?:-[0-9a-zåäöéèüæøáà]+)*)", re.I)
_MARKS = frozenset(".!?;:,()\u2013\u2014")
#: Every word that can make :func:`_flags` return anything but ``(False, False)``: a hit with none of
#: them from four tokens before it to three after it, and no "inte så att" frame starting up to nine
#: tokens before it, is neither negated nor hedged.
_TRIGGERS = NEGATIONS | NEGATIONS_AFTER | HEDGES | _INNER_NEG | {"inte", "aldrig", "viss"}
_FRAMERS = frozenset({"inte", "aldrig"})
_IS_TRIGGER = _TRIGGERS.__contains__
#: Words that can start a clause without a mark before them (see :func:`_boundaries`).
_BREAKERS = _CLAUSE_BREAK | {"utan"}
_IS_UTAN = "utan".__eq__

_FRAME_BEFORE = 9
_NO_ITEMS: frozenset[int] = frozenset()
_PAD = (_NO_ITEMS, _NO_ITEMS)
#: Cap of each per-token cache of a compiled codebook (entries); beyond it tokens are worked out afresh.
_CACHE_CAP = 500_000


class _ItemCache(dict):
    """token -> ids of the phrase words it fits (what :func:`_tok_ok` says, for all of them at once).

    A miss is computed and stored (below :data:`_CACHE_CAP`), so ``map(cache.__getitem__, tokens)``
    runs in C for every token seen before. It holds the compiled indexes, not the compiled codebook,
    so no reference cycle keeps a codebook and its caches alive after a call.
    """

    __slots__ = ("_strict", "_strict_keyed", "_keys", "_lemma_on")

    def __init__(self, strict: dict[str, set[int]], strict_keyed: dict[str, set[int]],
                 keys: dict[str, set[int]], lemma_on: bool) -> None:
        super().__init__()
        self._strict, self._strict_keyed, self._keys, self._lemma_on = strict, strict_keyed, keys, lemma_on

    def __missing__(self, w: str) -> frozenset[int]:
        got = set(self._strict.get(w, ()))
        if len(w) >= 4:
            got |= self._keys.get(stem(w), set())
        if self._lemma_on and len(w) >= 3 and "-" not in w and w not in STOPWORDS:
            lem = lexicon.lemma(w).lower()
            if lem != w:
                got |= self._strict_keyed.get(lem, set())
                if len(lem) >= 4:
                    got |= self._keys.get(stem(lem), set())
        res = frozenset(got)
        if len(self) < _CACHE_CAP:
            self[w] = res
        return res


class _InfoCache(dict):
    """token -> :meth:`CompiledCodebook._fast_info`, computed on a miss and stored below :data:`_CACHE_CAP`,
    so ``map(cache.__getitem__, tokens)`` runs in C for every token seen before. The codebook is held
    through a weak reference: no cycle keeps a codebook and its caches alive after a call."""

    __slots__ = ("_owner",)

    def __init__(self, owner: CompiledCodebook) -> None:
        super().__init__()
        self._owner = weakref.ref(owner)

    def __missing__(self, tok: str) -> tuple:
        got = self._owner()._fast_info(tok)
        if len(self) < _CACHE_CAP:
            self[tok] = got
        return got


# Score weights per kind of hit; a code needs ``min_score`` in an excerpt.
WEIGHTS = {"ord": 1.0, "fras": 1.5, "sammansättning": 1.0, "prefix": 0.75, "regex": 1.0, "lemma": 1.0}
_REPEAT_WEIGHT = 0.25


@dataclass(frozen=True)
class _Term:
    code: str
    term: str
    exclude: bool
    weight: float = 1.0
    negative: bool = False
    family: str = "term"
    near: tuple[str, ...] = ()
    near_weight: float = 1.0


@dataclass(frozen=True)
class Hit:
    """One match of a term in a text (token positions are inclusive)."""

    code: str
    term: str
    kind: str
    start: int
    end: int
    char_start: int
    char_end: int
    negated: bool
    hedged: bool
    exclude: bool = False
    weight: float = 1.0


class CompiledCodebook:
    """A codebook compiled into stem- and surface-keyed lookup tables.

    Build it once and reuse it (``code_excerpts`` does this for you); its
    per-token cache makes repeated words cost one dictionary look-up.

    Examples
    --------
    >>> cc = CompiledCodebook(Codebook.default())
    >>> sorted({h.code for h in cc.hits("Myndighetssamverkan är inte riktigt förankrad.")})
    ['forankring', 'samverkan']
    """

    def __init__(self, codebook: Codebook) -> None:
        self.codebook = codebook
        self.terms: list[_Term] = []
        self.word_keys: dict[str, list[int]] = {}
        self.word_strict: dict[str, list[int]] = {}
        self.heads: dict[str, list[int]] = {}
        self.prefixes: dict[str, list[int]] = {}
        self.phrase_first: dict[str, list[int]] = {}
        self.phrase_first_strict: dict[str, list[int]] = {}
        self.phrase_anchor: dict[int, int] = {}
        self.phrases: dict[int, list[tuple[frozenset[str], frozenset[str]]]] = {}
        self.regexes: list[tuple[int, re.Pattern[str]]] = []
        self._tail_starts: set[str] = set()
        self._cache: dict[str, tuple[tuple[int, str], ...]] = {}
        self._info: dict[str, tuple[tuple[tuple[int, str], ...], tuple[int, ...]]] = {}
        for code in codebook:
            for t, sp in code.term_specs().items():
                self._add(code.id, t, False, sp["weight"], sp["polarity"] == "negativ", sp["family"],
                          sp["near"], sp["near_weight"])
            for t in code.exclude:
                self._add(code.id, t, True, family="exkludering")
            for rx in code.regex:
                idx = self._new(code.id, rx, False, family="regex")
                self.regexes.append((idx, re.compile(rx, re.IGNORECASE)))

    def _new(self, code: str, term: str, exclude: bool, weight: float = 1.0, negative: bool = False,
             family: str = "term", near: tuple[str, ...] = (), near_weight: float = 1.0) -> int:
        self.terms.append(_Term(code, term, exclude, weight, negative, family, tuple(near), near_weight))
        return len(self.terms) - 1

    @staticmethod
    def _keys(w: str, phrase: bool = False) -> frozenset[str]:
        """Stems a term word's inflections take; inside a phrase, with the lemma lexicon, also those of
        its lemma ("förbundet behövs", which Snowball leaves whole, also meets "förbunden behövs").

        Single-word terms keep their own stems only: on the real-text set the lemma's stems drifted
        there (``styrd`` -> ``styra``, ``nyttan`` -> ``nytta``), while inside phrases the other words
        keep them on topic.
        """
        keys = term_keys(w)
        if phrase and lexicon.lemma_enabled():
            lem = lexicon.lemma(w).lower()
            if lem != w and len(lem) >= MIN_STEM and lem[:4] == w[:4] and not is_short(lem):
                keys = keys | term_keys(lem)
        return keys

    def term_kind(self, i: int) -> str:
        """What term ``i`` is: ``term``, ``exkludering``, ``regex`` or its indicator family."""
        return self.terms[i].family

    def term_indices(self, text: str) -> set[int]:
        """Indices (into :attr:`terms`) of every term that matches somewhere in ``text``."""
        if not isinstance(text, str) or not text:
            return set()
        return {i for i, _k, _a, _b in self._scan(text)[-1]}

    def _add(self, code: str, term: str, exclude: bool, weight: float = 1.0, negative: bool = False,
             family: str = "term", near: tuple[str, ...] = (), near_weight: float = 1.0) -> None:
        raw = term.strip()
        idx = self._new(code, raw, exclude, weight, negative, family, near, near_weight)
        if raw.endswith("*"):
            self.prefixes.setdefault(raw.rstrip("*").lower(), []).append(idx)
            return
        toks = tokenize(raw)
        if len(toks) == 1:
            w = toks[0]
            if is_short(w):
                for f in strict_forms(w):
                    self.word_strict.setdefault(f, []).append(idx)
            else:
                for k in self._keys(w):
                    self.word_keys.setdefault(k, []).append(idx)
            if len(w) >= 3 and w not in STOPWORDS:
                self._tail_starts.add(w[:3])
                self.heads.setdefault(w, []).append(idx)
                # Compounds often drop a final -a/-e of the first part (arbete -> arbetsplats).
                if len(w) >= 6 and w[-1] in "ae":
                    self.heads.setdefault(w[:-1], []).append(idx)
            return
        spec = []
        for w in toks:
            if is_short(w) or w in STOPWORDS:
                spec.append((frozenset(), strict_forms(w) | {w}))
            else:
                spec.append((self._keys(w, phrase=True), frozenset({w})))
        self.phrases[idx] = spec
        # Index the phrase on its rarest word: the first content word, else the longest
        # non-function word ("de yngre" on "yngre", "i mål" on "mål"), so that common
        # words like "i", "de", "på" do not start a phrase check at every occurrence.
        anchor = next((k for k, (keys, _) in enumerate(spec) if keys), None)
        if anchor is None:
            anchor = max(range(len(toks)), key=lambda k: (toks[k] not in STOPWORDS, len(toks[k]), -k))
        self.phrase_anchor[idx] = anchor
        keys, strict = spec[anchor]
        for k in keys:
            self.phrase_first.setdefault(k, []).append(idx)
        for f in strict:
            self.phrase_first_strict.setdefault(f, []).append(idx)

    # -- single tokens --------------------------------------------------------
    def _direct(self, p: str) -> list[int]:
        out = list(self.word_strict.get(p, ()))
        if len(p) >= 4:
            out += self.word_keys.get(stem(p), ())
        return out

    def _by_lemma(self, p: str) -> list[int]:
        """Terms reached only through the lemma of ``p`` (``tog`` -> ``ta``), when the lexicon is on."""
        if not lexicon.lemma_enabled() or len(p) < 3 or "-" in p:
            return []
        lem = lexicon.lemma(p)
        if lem == p or not lem:
            return []
        return self._direct(lem.lower())

    def token_hits(self, token: str) -> tuple[tuple[int, str], ...]:
        """``(term index, kind)`` for every word, compound and prefix term in one token (cached)."""
        got = self._cache.get(token)
        if got is not None:
            return got
        res = self._token_hits(token)
        if len(self._cache) < _CACHE_CAP:
            self._cache[token] = res
        return res

    def _token_hits(self, token: str) -> tuple[tuple[int, str], ...]:
        """:meth:`token_hits` without its cache."""
        found: dict[int, str] = {}
        parts = [token]
        if "-" in token:
            parts += split_hyphen(token)
        for p in parts:
            direct = self._direct(p)
            for i in direct:
                found.setdefault(i, "ord")
            if not direct:
                for i in self._by_lemma(p):
                    found.setdefault(i, "lemma")
            n = len(p)
            spans = lexicon.protected_spans(p) if n >= 7 else []

            def cut_ok(k: int, spans: list[tuple[int, int]] = spans) -> bool:
                return not any(a < k < b for a, b in spans)

            if self.prefixes:
                for k in range(4, n + 1):
                    got = self.prefixes.get(p[:k])
                    if got and (k == n or cut_ok(k)):
                        for i in got:
                            found.setdefault(i, "prefix")
            if n < 7:  # a compound needs two parts of three or more letters plus a rest
                continue
            for k in range(3, n - 3):
                heads = self.heads.get(p[:k])
                if heads and cut_ok(k):
                    rests = [p[k:]]
                    if p[k] == "s":
                        rests.append(p[k + 1:])
                    if any(plausible_head_rest(p, p[:k], r) for r in rests):
                        for i in heads:
                            found.setdefault(i, "sammansättning")
            for k in range(3, n - 2):
                rest = p[k:]
                if rest[:3] in self._tail_starts and cut_ok(k) and plausible_tail_prefix(p[:k]):
                    for i in self._direct(rest):
                        found.setdefault(i, "sammansättning")
        return tuple(found.items())

    def _token_info(self, tok: str) -> tuple[tuple[tuple[int, str], ...], tuple[int, ...]]:
        """Word/compound hits and the phrases that may start at this token (cached together)."""
        got = (self.token_hits(tok), self._phrase_candidates(tok))
        if not got[0] and not got[1]:
            got = _NO_INFO  # one shared object: such tokens need no look
        if len(self._info) < _CACHE_CAP:
            self._info[tok] = got
        return got

    def _phrase_candidates(self, tok: str) -> tuple[int, ...]:
        """Phrases whose anchor word ``tok`` can be (through its surface form, stem or lemma), in order."""
        cand = list(self.phrase_first_strict.get(tok, ()))
        if len(tok) >= 4:
            cand += self.phrase_first.get(stem(tok), ())
        if lexicon.lemma_enabled() and len(tok) >= 3 and "-" not in tok and tok not in STOPWORDS:
            lem = lexicon.lemma(tok).lower()
            if lem != tok:
                cand += self.phrase_first_strict.get(lem, ())
                if len(lem) >= 4:
                    cand += self.phrase_first.get(stem(lem), ())
        return tuple(dict.fromkeys(cand))

    def _fast_info(self, tok: str) -> tuple:
        """What :meth:`_code_into` needs of a token: ``()`` when it has no hit, starts no phrase, is no
        negation or hedge word and holds no anchor word (falsy, so ``compress`` skips it in C), else
        ``(hits as (term, kind, code, exclusion), phrase candidates grouped by the word next to the
        anchor (:meth:`_cand_groups`), the set of those words, flags)``; flags: bit 0 a word of
        :data:`_TRIGGERS`, the bits of :attr:`_near_bit` the anchor sets with a word inside the token."""
        t_code, t_excl = self._t_code, self._t_excl
        hits = tuple((i, kind, t_code[i], t_excl[i]) for i, kind in self._token_hits(tok))
        cand = self._phrase_candidates(tok)
        groups = self._cand_groups(cand) if cand else ()
        fl = 1 if tok in _TRIGGERS else 0
        for near, bit in self._near_bit.items():
            if any(n in tok for n in near):
                fl |= bit
        if not hits and not groups and not fl:
            return ()
        return hits, groups, frozenset(need for need, _m in groups), fl

    # -- texts -------------------------------------------------------------------
    def _scan(self, text: str) -> tuple[list[str], list[int], list[int], list[int], dict[int, str],
                                         list[tuple[int, str, int, int]]]:
        """Tokens, their offsets and clause ids, each clause's closing mark, and the raw hits."""
        toks: list[str] = []
        starts: list[int] = []
        ends: list[int] = []
        clause: list[int] = []
        closing: dict[int, str] = {}
        sentence: list[int] = []
        sent = 0
        low = text.lower()
        if len(low) != len(text):  # a rare character changed length when lower-cased; keep offsets exact
            low = text
        c = 0
        for m in _SCAN_RE.finditer(low):
            w = m.group("w")
            if w is None:
                closing.setdefault(c, m.group("p"))
                c += 1
                if m.group("p") in ".!?":
                    sent += 1
                continue
            if low is text:
                w = w.lower()
            if w in _CLAUSE_BREAK:
                c += 1
            if toks and toks[-1] == "utan" and w in _UTAN_CONJ and clause[-1] == c:
                # "inte X utan det ...": a conjunction that ends the negated clause
                c += 1
            toks.append(w)
            starts.append(m.start())
            ends.append(m.end())
            clause.append(c)
            sentence.append(sent)
        self._sentence = sentence
        raw: list[tuple[int, str, int, int]] = []
        phrases, anchors = self.phrases, self.phrase_anchor
        info = self._info
        for j, tok in enumerate(toks):
            got = info.get(tok)
            if got is None:
                got = self._token_info(tok)
            hits_, cand = got
            for i, kind in hits_:
                raw.append((i, kind, j, j))
            for i in cand:
                span = _match_phrase(phrases[i], anchors[i], toks, j)
                if span is not None:
                    raw.append((i, "fras", span[0], span[1]))
        for i, rx in self.regexes:
            for m in rx.finditer(text):
                if m.end() <= m.start():
                    continue
                a = max(bisect_right(starts, m.start()) - 1, 0)
                b = max(bisect_right(starts, m.end() - 1) - 1, a)
                raw.append((i, "regex", a, b))
        return toks, starts, ends, clause, closing, raw

    # -- the fast path of code_excerpts --------------------------------------------
    def _prepare_fast(self) -> None:
        """Per-term columns and interned phrase words for :meth:`_code_into` (built on first use).

        Each distinct phrase word (its stems and surface forms) gets an id; a token's set of ids
        (:meth:`_word_items`) answers every "does this token fit this phrase word" question of
        :func:`_tok_ok` with one set look-up.
        """
        terms = self.terms
        self._t_code = [t.code for t in terms]
        self._t_term = [t.term for t in terms]
        self._t_excl = [t.exclude for t in terms]
        self._t_weight = [t.weight for t in terms]
        self._t_negative = [t.negative for t in terms]
        self._t_near = [t.near for t in terms]
        self._t_near_weight = [t.near_weight for t in terms]
        ids: dict[tuple[frozenset[str], frozenset[str]], int] = {}
        strict_ix: dict[str, set[int]] = {}
        strict_keyed_ix: dict[str, set[int]] = {}
        keys_ix: dict[str, set[int]] = {}
        lr: dict[int, tuple[tuple[int, ...], tuple[int, ...]]] = {}
        for idx, spec in self.phrases.items():
            its = []
            for item in spec:
                k = ids.get(item)
                if k is None:
                    k = ids[item] = len(ids)
                    keys, strict = item
                    for f in strict:
                        strict_ix.setdefault(f, set()).add(k)
                        if keys:
                            strict_keyed_ix.setdefault(f, set()).add(k)
                    for st in keys:
                        keys_ix.setdefault(st, set()).add(k)
                its.append(k)
            anc = self.phrase_anchor[idx]
            lr[idx] = (tuple(reversed(its[:anc])), tuple(its[anc + 1:]))
        self._strict_ix, self._strict_keyed_ix, self._keys_ix, self._phrase_lr = (
            strict_ix, strict_keyed_ix, keys_ix, lr)
        self._items_cache: dict[bool, _ItemCache] = {
            on: _ItemCache(strict_ix, strict_keyed_ix, keys_ix, on) for on in (True, False)}
        # bit 0 of a token's flags marks a negation or hedge word (:meth:`_fast_info`)
        self._near_bit = {near: 2 << k for k, near in enumerate(dict.fromkeys(t.near for t in terms if t.near))}
        self._gap_cache: dict[str, str] = {}
        self._fast = _InfoCache(self)
        self._rounded: dict[float, float] = {}  # round(score, 4), a slow call, once per distinct sum

    def _cand_groups(self, cand: tuple[int, ...]) -> tuple:
        """Phrase candidates grouped by the phrase word next to the anchor: ``((need, members), ...)``."""
        groups: dict[int, list[tuple[int, int, tuple[int, ...], tuple[int, ...]]]] = {}
        for rank, i in enumerate(cand):
            left, right = self._phrase_lr[i]
            groups.setdefault(left[0] if left else right[0], []).append((rank, i, left, right))
        return tuple((need, tuple(m)) for need, m in groups.items())

    def _word_items(self, w: str, lemma_on: bool) -> frozenset[int]:
        """Ids of the phrase words that token ``w`` fits (what :func:`_tok_ok` says, for all of them)."""
        return self._items_cache[lemma_on][w]

    def _code_into(self, text: str, pos: int, out: list[tuple], order: dict[str, int],
                   keep: set[str] | None, min_score: float, lemma_on: bool) -> bool:
        """Append the coded rows of one text to ``out`` (one tuple a row); False when the text needs :meth:`hits`.

        Same results as :meth:`hits` + :func:`_code_hits` + :func:`_score`, without a per-hit object:
        raw hits stay tuples, flags and offsets are worked out only for the hits of codes that reach
        ``min_score``, and the clause structure only when a negation or hedge word is near a hit.
        """
        low = text.lower()
        lower_each = len(low) != len(text)
        if lower_each:  # a rare character changed length when lower-cased; keep offsets exact
            low = text
        # words only: marks stay in the gaps between them (parts[2k] precedes token k), found there
        # only when a clause or sentence boundary is needed (:meth:`_gap_marks`)
        parts = _WORD_SPLIT_RE.split(low)
        toks = parts[1::2]
        if lower_each:
            toks = [x.lower() for x in toks]
        if not toks:
            return False
        n_tok = len(toks)
        ic = self._items_cache[lemma_on]
        iv: list[frozenset[int]] | None = None
        t_code, t_excl = self._t_code, self._t_excl
        # Hits go straight into per-code lists, in the order of :meth:`_scan` (token by token: word
        # hits, then phrases; regular expressions last); exclusions aside, applied after.
        per_code: dict[str, list[tuple[int, str, int, int]]] = {}
        excl_hits: list[tuple[str, int, int]] = []
        # tokens that are a negation or hedge word (bit 0) or hold an anchor word (the other bits)
        fl_pos: list[int] = []
        fl_val: list[int] = []
        # every token's info in C (a miss is worked out by the cache); compress keeps the tokens with
        # something to look at, whose info is a non-empty tuple
        infos = list(map(self._fast.__getitem__, toks))
        for j in compress(range(n_tok), infos):
            hits_, groups, needs, fl = infos[j]
            for i, kind, code, ex in hits_:
                if ex:
                    excl_hits.append((code, j, j))
                    continue
                got_list = per_code.get(code)
                if got_list is None:
                    per_code[code] = [(i, kind, j, j)]
                else:
                    got_list.append((i, kind, j, j))
            if fl:
                fl_pos.append(j)
                fl_val.append(fl)
            if groups:
                if iv is None:
                    # The phrase-word ids of every token, padded with two empty sets at each end (token k
                    # at iv[k + 2]), looked up in C once per text; misses are computed by the cache.
                    iv = [_NO_ITEMS, _NO_ITEMS]
                    iv += map(ic.__getitem__, toks)
                    iv += _PAD
                # The phrase word next to the anchor must be one or two tokens away: one look at the
                # ids of those four tokens rules out most candidates before the full check.
                around = iv[j] | iv[j + 1] | iv[j + 3] | iv[j + 4]
                if needs.isdisjoint(around):
                    continue
                found = []
                for need, members in groups:
                    if need in around:
                        for rank, i, left, right in members:
                            span = _match_items(left, right, iv, j)
                            if span is not None:
                                found.append((rank, i, span[0], span[1]))
                if found:
                    if len(found) > 1:
                        found.sort()  # the order of `cand`, as in :meth:`_scan`
                    for _r, i, a, b in found:
                        code = t_code[i]
                        if t_excl[i]:
                            excl_hits.append((code, a, b))
                        else:
                            per_code.setdefault(code, []).append((i, "fras", a, b))
        cum: list[int] | None = None
        if self.regexes:
            for i, rx in self.regexes:
                for m in rx.finditer(text):
                    if m.end() <= m.start():
                        continue
                    if cum is None:
                        cum = list(accumulate(map(len, parts)))
                        starts = cum[0:2 * n_tok:2]
                    a = max(bisect_right(starts, m.start()) - 1, 0)
                    b = max(bisect_right(starts, m.end() - 1) - 1, a)
                    code = t_code[i]
                    if t_excl[i]:
                        excl_hits.append((code, a, b))
                    else:
                        per_code.setdefault(code, []).append((i, "regex", a, b))
        # every inclusion hit, before exclusions cancel any: where the hits start counts for negation
        all_hits = per_code
        if excl_hits:  # an exclusion cancels the hits of its code on the tokens it covers
            excl: dict[str, list[tuple[int, int]]] = {}
            for code, a, b in excl_hits:
                excl.setdefault(code, []).append((a, b))
            kept: dict[str, list[tuple[int, str, int, int]]] = {}
            for code, hs in per_code.items():
                spans = excl.get(code)
                if spans:
                    hs = [r for r in hs if not any(a <= r[3] and r[2] <= b for a, b in spans)]
                    if not hs:
                        continue
                kept[code] = hs
            per_code = kept
        if not per_code:
            return True
        t_term, t_weight, t_near = self._t_term, self._t_weight, self._t_near
        rounded = self._rounded
        # Clause and sentence structure only as boundaries (:func:`_boundaries`), worked out when a
        # flag or an anchor needs it: a clause is the run of tokens between two boundaries.
        bounds: list[int] | None = None
        sent_bounds: list[int] | None = None
        mw: list[int] | None = None  # the token position of every mark (words before it), and the marks
        marks: list[str] = []
        anchored: dict[tuple[str, ...], list[int]] = {}
        trig: list[int] | None = None
        frames: list[int] = []
        for code in sorted(per_code, key=order.__getitem__) if len(per_code) > 1 else per_code:
            if keep is not None and code not in keep:
                continue
            hs = per_code[code]
            if len(hs) == 1 and not t_near[hs[0][0]]:
                # one hit: its weight is the score (the sum below gives the same float: 0 + w + 0.0)
                total = WEIGHTS[hs[0][1]] * t_weight[hs[0][0]]
            else:
                best: dict[str, float] = {}
                extra = 0.0
                for i, kind, a, b in hs:
                    w = t_weight[i]
                    near = t_near[i]
                    if near:
                        where = anchored.get(near)
                        if where is None:  # positions of the tokens with an anchor word inside, once per anchor set
                            bit = self._near_bit[near]
                            where = anchored[near] = [k for k, v in zip(fl_pos, fl_val) if v & bit]
                        if where:
                            if sent_bounds is None:
                                if mw is None:
                                    mw, marks = self._gap_marks(parts)
                                sent_bounds = [p for p, x in zip(mw, marks) if x in ".!?"]
                            # an anchor word in the hit's sentence, outside the hit
                            q = bisect_right(sent_bounds, a)
                            lo = bisect_left(where, sent_bounds[q - 1] if q else 0)
                            hi = bisect_left(where, sent_bounds[q]) if q < len(sent_bounds) else len(where)
                            if any(k < a or k > b for k in where[lo:hi]):
                                w = self._t_near_weight[i]
                    w = WEIGHTS[kind] * w
                    term = t_term[i]
                    if term in best:
                        extra += _REPEAT_WEIGHT
                        best[term] = max(best[term], w)
                    else:
                        best[term] = w
                total = sum(best.values()) + extra
            score = rounded.get(total)
            if score is None:
                score = round(total, 4)
                if len(rounded) < 100_000:
                    rounded[total] = score
            if score < min_score:
                continue
            if cum is None:
                cum = list(accumulate(map(len, parts)))
            if trig is None:
                trig = [k for k, v in zip(fl_pos, fl_val) if v & 1]
                frames = [k for k in trig if toks[k] in _FRAMERS and k + 2 < n_tok
                          and toks[k + 1] in _NEG_FRAME and toks[k + 2] == "att"] if trig else []
            terms: dict[str, None] = {}
            words: dict[str, None] = {}
            spans_out = []
            negated = True
            hedged = False
            t_neg = self._t_negative
            for i, _kind, a, b in hs:
                if trig:
                    q = bisect_left(trig, a - _WINDOW_BEFORE)
                    f = bisect_left(frames, a - _FRAME_BEFORE) if frames else 0
                    if (q < len(trig) and trig[q] <= b + _WINDOW_AFTER) or (f < len(frames) and frames[f] < a - 1):
                        if bounds is None:
                            if mw is None:
                                mw, marks = self._gap_marks(parts)
                            bounds = _boundaries(toks, mw)
                        q = bisect_right(bounds, a)
                        end = bounds[q] if q < len(bounds) else n_tok
                        neg, hedge = _flags_fast(toks, bounds[q - 1] if q else 0, end, a, b, all_hits, frames, f)
                        if neg:
                            # a negated question is rhetorical ("vem vill inte ha samsyn?"): the first
                            # mark at the clause's end closes it
                            m = bisect_left(mw, end)
                            if m < len(mw) and mw[m] == end and marks[m] == "?":
                                neg = False
                    else:
                        neg = hedge = False
                else:
                    neg = hedge = False
                if t_neg[i]:
                    neg = not neg
                cs, ce = cum[2 * a], cum[2 * b + 1]
                terms[t_term[i]] = None
                words[text[cs:ce]] = None
                spans_out.append((cs, ce))
                negated = negated and neg
                hedged = hedged or hedge
            out.append((pos, code, score, len(hs), list(terms), list(words), negated, hedged, spans_out))
        return True

    def _gap_marks(self, parts: list[str]) -> tuple[list[int], list[str]]:
        """The marks in the gaps between the words of ``parts`` (:data:`_WORD_SPLIT_RE`), in order, and
        the token position of each (the number of words before it)."""
        gaps = parts[0::2]
        cache = self._gap_cache
        try:
            found = list(map(cache.__getitem__, gaps))  # the marks of each gap as one string
        except KeyError:  # a gap not seen yet
            found = []
            for g in gaps:
                got = cache.get(g)
                if got is None:
                    got = "".join(ch for ch in g if ch in _MARKS)
                    if len(cache) < 10_000:
                        cache[g] = got
                found.append(got)
        mw = list(compress(range(len(found)), found))
        marks = list(map(found.__getitem__, mw))
        if len("".join(marks)) == len(marks):  # one mark per gap, the usual case
            return mw, marks
        mw2: list[int] = []
        marks2: list[str] = []
        for k, ms in zip(mw, marks):
            mw2 += [k] * len(ms)
            marks2 += ms
        return mw2, marks2

    def hits(self, text: str) -> list[Hit]:
        """All hits (inclusion and exclusion) of the codebook in ``text``."""
        if not isinstance(text, str) or not text:
            return []
        toks, starts, ends, clause, closing, raw = self._scan(text)
        out = []
        starts_at = {a for i, _k, a, _b in raw if not self.terms[i].exclude}
        sentence = self._sentence
        anchored: dict[tuple[str, ...], dict[int, list[int]]] = {}
        for i, kind, a, b in raw:
            t = self.terms[i]
            neg, hedge = _flags(toks, clause, a, b, starts_at, closing)
            if t.negative:
                neg = not neg  # "förbundet är osynligt" denies the theme; "ingen ifrågasätter" affirms it
            cs = starts[a] if toks else 0
            ce = ends[b] if toks else 0
            w = t.weight
            if t.near and toks:
                where = anchored.get(t.near)
                if where is None:  # sentence -> positions of anchor words, once per text and anchor set
                    where = {}
                    for k, tok in enumerate(toks):
                        if any(n in tok for n in t.near):
                            where.setdefault(sentence[k], []).append(k)
                    anchored[t.near] = where
                if any(not a <= k <= b for k in where.get(sentence[a], ())):
                    w = t.near_weight
            out.append(Hit(t.code, t.term, kind, a, b, cs, ce, neg, hedge, t.exclude, w))
        return out


def _boundaries(toks: list[str], mw: list[int]) -> list[int]:
    """Clause boundaries: the sorted token positions ``p`` where a clause starts (after a mark, at a
    clause-break word such as "men", at an "utan" conjunction), so that token ``k`` is in clause
    ``bisect_right(bounds, k)`` of :meth:`CompiledCodebook._scan`. ``mw`` is the token position of
    every mark (:meth:`CompiledCodebook._gap_marks`); the first mark at a boundary closes the clause
    before it (``closing`` of :meth:`CompiledCodebook._scan`)."""
    if _BREAKERS.isdisjoint(toks):
        return mw
    n = len(toks)
    extra = list(compress(range(n), map(_CLAUSE_BREAK.__contains__, toks)))
    if "utan" in toks:
        at_mark = set(mw)
        for u in compress(range(n), map(_IS_UTAN, toks)):
            k = u + 1
            if k < n and toks[k] in _UTAN_CONJ and toks[k] not in _CLAUSE_BREAK and k not in at_mark:
                extra.append(k)  # "inte X utan det ...", not after a mark (then the clause is new anyway)
    return sorted(mw + extra) if extra else mw


def _flags_fast(toks: list[str], cs: int, ce: int, a: int, b: int,
                all_hits: dict[str, list[tuple[int, str, int, int]]], frames: list[int], f: int) -> tuple[bool, bool]:
    """:func:`_flags` for a hit ``a..b`` whose clause is tokens ``cs..ce - 1``, before the check of a
    closing question mark (the caller's); ``all_hits`` are the text's inclusion hits by code, before
    exclusions (their starts are ``starts_at`` of :func:`_flags`), ``frames`` the positions of "inte
    så att" frames and ``frames[f]`` the first at or after ``a - 9``."""
    n_neg = 0
    hedge = False
    scoped = True  # False once a new subject is crossed: negations before it govern another verb
    for k in range(a - 1, max(a - _WINDOW_BEFORE, cs) - 1, -1):
        w = toks[k]
        if w in NEGATIONS:
            nxt = toks[k + 1]
            if w == "inte" and (nxt == "om" or (k > 0 and toks[k - 1] in _KNOW)):
                hedge = True  # "vet inte om det blir jobb" is uncertainty, not negation
                continue
            if not scoped:
                continue
            n_neg += 1
            if nxt in ("riktigt", "helt", "alltid", "särskilt"):
                hedge = True
        elif w in HEDGES:
            hedge = True
        elif w == "viss" and toks[k + 1] in _HEDGE_NEXT["viss"]:
            hedge = True
        elif w in _SUBJECTS and k < a - 1 and k > 0 and toks[k - 1] not in NEGATIONS:
            if not (k > 1 and toks[k - 1] == "att"):
                scoped = False
    # "det är inte så att vi saknar ...": a frame in the clause, ending before the hit
    for k in frames[f:]:
        if k + 2 >= a:
            break
        if k >= cs:
            n_neg += 1
            break
    for k in range(a + 1, b):
        if toks[k] in _INNER_NEG:
            n_neg += 1
    n = len(toks)
    for k in range(b + 1, min(b + _WINDOW_AFTER, n - 1, ce - 1) + 1):
        w = toks[k]
        if w in NEGATIONS_AFTER:
            if w in ("inte", "ej", "aldrig"):
                if any(toks[m] not in _LINKING_VERBS for m in range(b + 1, k)):
                    continue
                lo, hi = k + 1, min(k + 4, n, ce)
                if any(lo <= r[2] < hi for hs in all_hits.values() for r in hs):
                    continue
            n_neg += 1
        elif w in ("kanske", "delvis", "möjligen", "eventuellt") or (
            w == "viss" and k + 1 < n and toks[k + 1] in _HEDGE_NEXT["viss"]
        ):
            hedge = True
    return n_neg % 2 == 1, hedge


def _match_items(left: tuple[int, ...], right: tuple[int, ...], iv: list[frozenset[int]],
                 j: int) -> tuple[int, int] | None:
    """:func:`_match_phrase` on interned phrase words: ``left`` (nearest first) and ``right`` of the
    anchor at token ``j``; ``iv[k + 2]`` holds the ids of the phrase words token ``k`` fits, with two
    empty sets of padding at each end (a probe can go at most two places past a matched token, and
    an empty set there fails it as the bounds check of :func:`_match_phrase` does)."""
    gaps = 0
    pos = j + 2
    for it in left:
        if it in iv[pos - 1]:
            pos -= 1
        elif gaps or it not in iv[pos - 2]:
            return None
        else:
            gaps = 1
            pos -= 2
    start = pos - 2
    pos = j + 2
    for it in right:
        if it in iv[pos + 1]:
            pos += 1
        elif gaps or it not in iv[pos + 2]:
            return None
        else:
            gaps = 1
            pos += 2
    return start, pos - 2


def _tok_ok(spec_item: tuple[frozenset[str], frozenset[str]], w: str) -> bool:
    keys, strict = spec_item
    if w in strict or (bool(keys) and len(w) >= 4 and stem(w) in keys):
        return True
    # Through the lemma only for content words: function words have lemmas that collide ("våra" -> "vi").
    if keys and lexicon.lemma_enabled() and len(w) >= 3 and "-" not in w and w not in STOPWORDS:
        lem = lexicon.lemma(w).lower()
        if lem != w:
            return lem in strict or (len(lem) >= 4 and stem(lem) in keys)
    return False


def _match_phrase(spec: Sequence[tuple[frozenset[str], frozenset[str]]], anchor: int, toks: Sequence[str], j: int,
                  max_gap: int = 1) -> tuple[int, int] | None:
    """Token span of phrase ``spec`` whose word ``anchor`` is at token ``j``, or None.

    The words before the anchor are matched leftwards, the words after it
    rightwards; one extra word may intervene in the whole phrase.
    """
    gaps = 0
    pos = j
    for item in reversed(spec[:anchor]):
        nxt = pos - 1
        while True:
            if nxt < 0:
                return None
            if _tok_ok(item, toks[nxt]):
                pos = nxt
                break
            if gaps >= max_gap:
                return None
            gaps += 1
            nxt -= 1
    start, pos = pos, j
    for item in spec[anchor + 1:]:
        nxt = pos + 1
        while True:
            if nxt >= len(toks):
                return None
            if _tok_ok(item, toks[nxt]):
                pos = nxt
                break
            if gaps >= max_gap:
                return None
            gaps += 1
            nxt += 1
    return start, pos


def _flags(toks: Sequence[str], clause: Sequence[int], a: int, b: int,
           starts_at: set[int] | frozenset[int] = frozenset(),
           closing: dict[int, str] | None = None) -> tuple[bool, bool]:
    """``(negated, hedged)`` for the hit spanning tokens ``a..b``.

    Negators are counted in the hit's scope: before it in its clause (up to
    four words, not across a new subject), inside a phrase hit, and after it
    ("X saknas", "X fungerar inte"). An odd count negates, an even count
    ("inte så att vi saknar") affirms; a negated question is rhetorical.
    """
    c = clause[a]
    n_neg = 0
    hedge = False
    lo = max(a - _WINDOW_BEFORE, 0)
    scoped = True  # False once a new subject is crossed: negations before it govern another verb
    for k in range(a - 1, lo - 1, -1):
        if clause[k] != c:
            break
        w = toks[k]
        if w in NEGATIONS:
            nxt = toks[k + 1] if k + 1 < len(toks) else ""
            if w == "inte" and (nxt == "om" or (k > 0 and toks[k - 1] in _KNOW)):
                hedge = True  # "vet inte om det blir jobb" is uncertainty, not negation
                continue
            if not scoped:
                continue
            n_neg += 1
            # "inte riktigt", "inte helt" soften the negation into a hedge too.
            if nxt in ("riktigt", "helt", "alltid", "särskilt"):
                hedge = True
        elif w in HEDGES:
            hedge = True
        elif w == "viss" and k + 1 < len(toks) and toks[k + 1] in _HEDGE_NEXT["viss"]:
            hedge = True
        elif w in _SUBJECTS and k < a - 1 and k > 0 and toks[k - 1] not in NEGATIONS:
            # a new subject with its own verb ("... själva det måste förankras"): the negation before it
            # belongs to that earlier verb. "att" frames ("inte så att vi") are handled below.
            if not (k > 1 and toks[k - 1] == "att"):
                scoped = False
    # "det är inte så att vi saknar ...": a framing negation over the whole following clause.
    for k in range(max(a - 9, 0), a - 1):
        if clause[k] == c and toks[k] in ("inte", "aldrig") and toks[k + 1] in _NEG_FRAME and \
                k + 2 < a and toks[k + 2] == "att":
            n_neg += 1
            break
    for k in range(a + 1, b):  # inside a phrase: "känner inte till", "vet inte vad förbundet gör"
        if toks[k] in _INNER_NEG:
            n_neg += 1
    hi = min(b + _WINDOW_AFTER, len(toks) - 1)
    for k in range(b + 1, hi + 1):
        if clause[k] != c:
            break
        w = toks[k]
        if w in NEGATIONS_AFTER:
            if w in ("inte", "ej", "aldrig"):
                # Only "X fungerar/finns/är inte": after another verb ("lagen tillåter oss inte")
                # the negation belongs to that verb, not to the theme.
                if any(toks[m] not in _LINKING_VERBS for m in range(b + 1, k)):
                    continue
                # "X är inte förankrad": a negator followed by another hit belongs to that hit.
                if any(m in starts_at and clause[m] == c for m in range(k + 1, min(k + 4, len(toks)))):
                    continue
            n_neg += 1
        elif w in ("kanske", "delvis", "möjligen", "eventuellt") or (
            w == "viss" and k + 1 < len(toks) and toks[k + 1] in _HEDGE_NEXT["viss"]
        ):
            hedge = True
    neg = n_neg % 2 == 1
    if neg and closing is not None and closing.get(c) == "?":
        neg = False  # "vem vill inte ha samsyn?" asks for it
    return neg, hedge


def _code_hits(hits: list[Hit]) -> dict[str, list[Hit]]:
    """Inclusion hits per code after exclusions (an exclusion cancels hits on the tokens it covers)."""
    excl: dict[str, list[tuple[int, int]]] = {}
    for h in hits:
        if h.exclude:
            excl.setdefault(h.code, []).append((h.start, h.end))
    out: dict[str, list[Hit]] = {}
    for h in hits:
        if h.exclude:
            continue
        spans = excl.get(h.code)
        if spans and any(a <= h.end and h.start <= b for a, b in spans):
            continue
        out.setdefault(h.code, []).append(h)
    return out


def _score(hits: list[Hit]) -> float:
    best: dict[str, float] = {}
    extra = 0.0
    for h in hits:
        w = WEIGHTS[h.kind] * h.weight
        if h.term in best:
            extra += _REPEAT_WEIGHT
            best[h.term] = max(best[h.term], w)
        else:
            best[h.term] = w
    return round(sum(best.values()) + extra, 4)


def _code_slow(compiled: CompiledCodebook, text: str, pos: int, out: list[tuple], order: dict[str, int],
               keep: set[str] | None, min_score: float) -> None:
    """Code one text through :meth:`CompiledCodebook.hits` (texts without words; the reference path)."""
    per_code = _code_hits(compiled.hits(text))
    for code in sorted(per_code, key=order.__getitem__):
        if keep is not None and code not in keep:
            continue
        hs = per_code[code]
        score = _score(hs)
        if score < min_score:
            continue
        out.append((pos, code, score, len(hs), list(dict.fromkeys(h.term for h in hs)),
                    list(dict.fromkeys(text[h.char_start:h.char_end] for h in hs)), all(h.negated for h in hs),
                    any(h.hedged for h in hs), [(h.char_start, h.char_end) for h in hs]))


def _resume_gc() -> None:
    """Turn the collector back on with every tracked object in the oldest generation.

    ``gc.freeze()`` + ``gc.unfreeze()`` moves the young generations (the result just built, millions of
    containers at a million excerpts) into the oldest one in constant time, instead of the next young
    collections walking them twice; they are collected as usual from there. Left alone when the caller
    has frozen objects of its own (``gc.freeze()`` before a fork, say), which ``unfreeze`` would release.
    """
    if gc.get_freeze_count() == 0:
        gc.freeze()
        gc.unfreeze()
    gc.enable()


def _long_table(rows: list[tuple], excerpts: pd.DataFrame, id_col: str, labels: dict[str, str]) -> pd.DataFrame:
    """The long table of :func:`code_excerpts` from its rows (position, code, score, n_hits, terms,
    texts, negated, hedged, spans), with the excerpts' metadata."""
    from .results import attach_metadata

    cols = ["_pos", id_col, "code", "label", "score", "n_hits", "matched_terms", "matched_text", "negated",
            "hedged", "spans"]
    if rows:
        out = list(zip(*rows))  # the columns
        rows.clear()  # the row tuples go now, not with the caller's list
        ids = excerpts[id_col].tolist()
        n_rows = len(out[0])
        # Typed arrays straight from the columns: the dtypes pandas infers from these lists (int64,
        # float64, bool, object for the lists), without its per-value inference.
        long = pd.DataFrame({
            "_pos": np.fromiter(out[0], dtype=np.int64, count=n_rows),
            id_col: [ids[p] for p in out[0]],
            "code": list(out[1]),
            "label": [labels[c] for c in out[1]],
            "score": np.fromiter(out[2], dtype=np.float64, count=n_rows),
            "n_hits": np.fromiter(out[3], dtype=np.int64, count=n_rows),
            "matched_terms": np.fromiter(out[4], dtype=object, count=n_rows),
            "matched_text": np.fromiter(out[5], dtype=object, count=n_rows),
            "negated": np.fromiter(out[6], dtype=bool, count=n_rows),
            "hedged": np.fromiter(out[7], dtype=bool, count=n_rows),
            "spans": np.fromiter(out[8], dtype=object, count=n_rows),
        }, columns=cols)
    else:
        long = pd.DataFrame([], columns=cols)
    long = attach_metadata(long, excerpts, id_col)
    long["negated"] = long["negated"].astype(bool)
    long["hedged"] = long["hedged"].astype(bool)
    return long


def code_text(text: str, codebook: Codebook | CompiledCodebook | None = None, *, min_score: float = 1.0) -> pd.DataFrame:
    """Code one text: one row per code with score, matched terms and flags.

    Examples
    --------
    >>> code_text("Det finns ingen samsyn, men målgruppen nås.")[["code", "negated"]].to_dict("records")
    [{'code': 'samsyn', 'negated': True}, {'code': 'malgrupp', 'negated': False}]
    """
    df = pd.DataFrame({"excerpt_id": [0], "text": [text]})
    res = code_excerpts(df, codebook, min_score=min_score, respondent_col=None)
    return res.long.drop(columns=["excerpt_id", "text"]).reset_index(drop=True)


def code_excerpts(
    excerpts: pd.DataFrame,
    codebook: Codebook | CompiledCodebook | None = None,
    *,
    text_col: str = "text",
    id_col: str = "excerpt_id",
    respondent_col: str | None = "respondent_id",
    min_score: float = 1.0,
    codes: Iterable[str] | None = None,
) -> CodingResult:
    """Code interview excerpts into themes.

    Parameters
    ----------
    excerpts
        One row per excerpt with an id column, a text column and any metadata
        (``forbund``, ``roll``, ``respondent_id`` ...), which is carried into
        the result.
    codebook
        A :class:`Codebook` (default: :meth:`Codebook.default`) or an already
        compiled one (faster when coding many batches).
    text_col, id_col, respondent_col
        Column names; ``respondent_col=None`` when there is no respondent id
        (then matrices count excerpts only).
    min_score
        Smallest score for a code to be given: one distinct word or compound
        hit scores 1, a phrase 1.5, a ``prefix*`` 0.75, each repeated hit 0.25,
        each multiplied by the weight of the term's indicator family (direct
        terms 1; ``indirekt`` and ``hallning`` 0.5, or their ``vikt_nara``
        in the same sentence as an anchor word such as "förbundet").
    codes
        Only these code ids (default: all).

    Returns
    -------
    CodingResult
        ``.long`` (one row per excerpt and code: score, matched terms,
        ``negated``, ``hedged`` and all excerpt metadata), ``.wide`` (0/1),
        ``.matrix()``, ``.cooccurrence()``, ``.quotes()``, ``.prevalence()``.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"excerpt_id": [1, 2], "respondent_id": ["R1", "R2"], "forbund": ["Botkyrka", "Uppsala"],
    ...                    "text": ["Myndighetssamverkan fungerar bra.", "Insatsen är inte riktigt förankrad."]})
    >>> res = code_excerpts(df)
    >>> res.long[["excerpt_id", "code", "negated", "hedged"]].to_dict("records")
    [{'excerpt_id': 1, 'code': 'samverkan', 'negated': False, 'hedged': False}, {'excerpt_id': 2, 'code': 'forankring', 'negated': True, 'hedged': True}]
    """
    from .results import CodingResult

    if not isinstance(excerpts, pd.DataFrame):
        raise SchemaError(f"code_excerpts: excerpts ska vara en DataFrame, fick {type(excerpts).__name__}.")
    for col in [text_col, id_col] + ([respondent_col] if respondent_col else []):
        if col not in excerpts.columns:
            raise MissingColumnError(
                f"code_excerpts: kolumnen {col!r} saknas; kolumner: {list(excerpts.columns)}. "
                f"Ange rätt namn med text_col=, id_col= eller respondent_col= (None om respondent-id saknas)."
            )
    if excerpts[id_col].duplicated().any():
        from ..errors import DuplicateIdError, describe_rows

        rows = list(excerpts.index[excerpts[id_col].duplicated(keep=False)])
        raise DuplicateIdError(
            f"code_excerpts: kolumnen {id_col!r} har dubbletter ({describe_rows(rows)}); varje utdrag behöver ett unikt id."
        )
    if codebook is None:
        codebook = Codebook.default()
    compiled = codebook if isinstance(codebook, CompiledCodebook) else CompiledCodebook(codebook)
    cb = compiled.codebook
    keep = set(codes) if codes is not None else None
    if keep is not None:
        unknown = sorted(keep - set(cb.ids))
        if unknown:
            from ..errors import CodebookError

            raise CodebookError(f"code_excerpts: koderna {unknown} finns inte i kodboken {cb.name!r}.")
    labels = cb.labels
    order = {c: i for i, c in enumerate(cb.ids)}

    exclusions = Exclusions()
    texts = excerpts[text_col]
    empty = texts.isna() | (texts.astype(str).str.strip() == "")
    if empty.any():
        exclusions.add("utdraget saknar text och kodas inte", int(empty.sum()),
                       rows=[int(i) for i in range(len(texts)) if empty.iloc[i]], column=text_col)

    # Rows as tuples, then columns; no per-hit objects. The collector is paused while the loop and the
    # table building only allocate (collecting the young hit tuples and lists was a fifth of the time),
    # and what they keep goes straight to the oldest generation afterwards (:func:`_resume_gc`), so it
    # is not traversed twice more on its way there.
    from .._progress import progress

    if not hasattr(compiled, "_t_code"):
        compiled._prepare_fast()
    lemma_on = lexicon.lemma_enabled()
    rows: list[tuple] = []  # one tuple a row: appending it is cheaper than nine appends to columns
    text_list = texts.tolist()
    gc_was = gc.isenabled()
    gc.disable()
    try:
        for pos, text in enumerate(progress(text_list, desc="Kodar utdrag", unit="utdrag")
                                   if len(text_list) >= 5000 else text_list):
            if not isinstance(text, str) or not text.strip():
                continue
            if not compiled._code_into(text, pos, rows, order, keep, min_score, lemma_on):
                _code_slow(compiled, text, pos, rows, order, keep, min_score)
        del text_list
        long = _long_table(rows, excerpts, id_col, labels)
        del rows
    finally:
        if gc_was:
            _resume_gc()
    return CodingResult(
        long=long,
        excerpts=excerpts.reset_index(drop=True),
        codebook=cb,
        text_col=text_col,
        id_col=id_col,
        respondent_col=respondent_col,
        method="automatisk",
        exclusions=exclusions,
        min_score=min_score,
        # codes= restricts every table and figure of the result, not only the matching.
        only=[c for c in cb.ids if c in keep] if keep is not None else None,
    )

