"""Swedish text normalisation for coding: tokens, stems, inflected forms, compounds.

Swedish is hard on naive keyword search: words inflect (*förankra*,
*förankrad*, *förankringen*), glue together into compounds
(*myndighetssamverkan*, *samverkansformer*) and carry meaning in fixed
expressions (*ordinarie verksamhet*, *falla mellan stolarna*). This module
holds the small, dependency-free pieces the matcher and the code suggester
share:

* :func:`tokenize` splits text into lower-cased word tokens (å/ä/ö kept,
  hyphenated words such as ``finsam-insatser`` kept whole);
* :func:`stem` is nltk's Swedish Snowball stemmer, cached;
* :func:`normalise` is the stems of :func:`tokenize`;
* :func:`term_keys` gives the stems a term can take when it is inflected, so
  ``resurs`` and ``resurserna`` (whose Snowball stems differ) meet;
* :func:`is_short` marks terms too short to stem safely (``mål`` must not
  match ``måla``), which are matched on their noun forms instead
  (:func:`strict_forms`);
* :func:`plausible_head_rest` and :func:`plausible_tail_prefix` are the
  guards that keep compound matching from absurd hits (``styr`` in
  ``styrka``, ``mål`` in ``målning``).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

__all__ = [
    "TOKEN_RE",
    "STOPWORDS",
    "tokenize",
    "stem",
    "normalise",
    "term_keys",
    "strict_forms",
    "is_short",
    "is_stopword",
    "plausible_head_rest",
    "plausible_tail_prefix",
    "split_hyphen",
    "MIN_STEM",
]

_LETTER = "0-9a-zåäöéèüæøáà"
#: A word: letters/digits, optionally joined by single hyphens (``finsam-insatser``).
TOKEN_RE = re.compile(rf"[{_LETTER}]+(?:-[{_LETTER}]+)*", re.IGNORECASE)

#: Stems shorter than this are matched on surface forms, not on the stem.
MIN_STEM = 4

# Common Swedish function words; a term made only of these can never be a
# meaningful code term (the codebook validator rejects it).
STOPWORDS: frozenset[str] = frozenset(
    """
    alla allt att av blev bli blir de dem den denna deras dess dessa det detta dig din dina ditt du där då efter
    ej eller en er era ert ett från för ha hade han hans har hon honom hur här i icke in inom inte jag ju kan
    kunde man med mellan men mig min mina mitt mot mycket ni nu när någon något några och om oss på samma sedan
    sig sin sina sitta själv skulle som så sådan sådana till under upp ut utan vad var vara varit varje vars
    vem vi vid vilka vilken vilket vår våra vårt än är åt över också bara även dock nog väl inför genom kring
    hos bland sen ens
    """.split()
)

# Inflectional endings used to generate the stems a term can take. Broad on
# purpose (nouns, adjectives, verbs): each form is stemmed, so only the
# resulting stems matter.
_KEY_SUFFIXES = (
    "", "s", "n", "ns", "t", "ts", "en", "ens", "et", "ets", "na", "nas", "er", "ers", "erna", "ernas",
    "ar", "arna", "arnas", "or", "orna", "ornas", "e", "es", "a", "as", "ade", "ades", "at", "ats", "ad",
    "ad", "ande", "r", "d", "de", "des", "da", "are", "aste", "re", "ast",
)

# Noun-only endings for short terms (no verb endings: ``mål`` must not become ``måla``).
_STRICT_SUFFIXES = ("", "s", "et", "ets", "en", "ens", "n", "ns", "t", "na", "nas", "er", "erna", "or", "orna")

# A compound's second part cannot start like a derivational suffix of the
# first: ``mål|ning``, ``styr|ka``, ``sam|verkande`` are not compounds.
_DERIVATION_STARTS = (
    "ning", "ing", "ande", "ende", "are", "arn", "ares", "else", "lig", "het", "isk", "eri", "era", "ism",
    "ist", "ad", "at", "ka", "kan", "kor", "dom", "skap", "bar", "sam",
)
_VOWELS = set("aeiouyåäöé")



@lru_cache(maxsize=1)
def _swedish() -> Any:
    """nltk's Swedish Snowball stemmer, loaded on first use (importing nltk takes 1-4 s)."""
    from nltk.stem.snowball import SnowballStemmer

    return SnowballStemmer("swedish")


def tokenize(text: object) -> list[str]:
    """Split ``text`` into lower-cased word tokens.

    Letters include å, ä, ö (and é, ü); hyphenated words stay one token, a
    hanging hyphen (``samverkans- och utvecklingsarbete``) is dropped.
    Missing values give an empty list.

    Examples
    --------
    >>> tokenize("Samverkan med FINSAM-insatser, och ÅTERKOPPLING!")
    ['samverkan', 'med', 'finsam-insatser', 'och', 'återkoppling']
    >>> tokenize(None)
    []
    """
    if not isinstance(text, str):
        return []
    return [m.group(0).lower() for m in TOKEN_RE.finditer(text)]


# 50 000 stems cover the vocabulary of a large evaluation; at 200 000 a growing vocabulary
# (bench_coding.py --new-words 3, 100 000 excerpts) kept 26 MB more resident after the call, for no
# gain within it (the per-call token caches of the compiled codebook hold what a call needs).
@lru_cache(maxsize=50_000)
def stem(token: str) -> str:
    """The Swedish Snowball stem of one token (cached, at most 50 000 of them).

    Examples
    --------
    >>> stem("förankringen"), stem("samverkansformer"), stem("lyfter")
    ('förankring', 'samverkansform', 'lyft')
    """
    return _swedish().stem(token)


def normalise(text: object) -> list[str]:
    """The stems of the tokens of ``text``.

    Examples
    --------
    >>> normalise("Den ordinarie verksamheten lyfter blicken")
    ['den', 'ordinari', 'verksam', 'lyft', 'blick']
    """
    return [stem(t) for t in tokenize(text)]


def is_stopword(token: str) -> bool:
    """True for a Swedish function word (``och``, ``inte``, ``mellan`` ...)."""
    return token in STOPWORDS


def is_short(token: str) -> bool:
    """True when a term word is too short to be matched through its stem.

    Short stems (``mål``, ``styr``, ``tid``) collide with unrelated words
    after stemming (``måla`` stems to ``mål``), so they are matched on noun
    forms only (:func:`strict_forms`).

    Examples
    --------
    Also treated this way: terms whose stem is a function word
    (``överens`` -> ``över``, ``införa`` -> ``inför``) or loses three or
    more letters to the stemmer (``svårighet`` -> ``svår``, which would match
    ``svårare``).

    >>> is_short("mål"), is_short("samsyn"), is_short("överens"), is_short("svårighet")
    (True, False, True, True)
    """
    s = stem(token)
    return len(s) < MIN_STEM or len(token) < MIN_STEM or s in STOPWORDS or len(token) - len(s) >= 3


@lru_cache(maxsize=50_000)
def term_keys(word: str) -> frozenset[str]:
    """Stems that the inflected forms of ``word`` take.

    Snowball does not always give one stem per lemma (``resurs`` -> ``resur``
    but ``resurser`` -> ``resurs``; ``målet`` keeps its ``-et``), so a term
    is keyed on the stems of its common inflections. Only stems that extend
    the term's own stem (and are at least :data:`MIN_STEM` letters) are kept,
    so no generated key drifts into another word.

    Examples
    --------
    >>> {"resur", "resurs"} <= term_keys("resurs")
    True
    >>> "målet" in term_keys("mål")
    True
    """
    word = word.lower()
    base = stem(word)
    keys = {base}
    for suf in _KEY_SUFFIXES:
        s = stem(word + suf)
        if len(s) >= MIN_STEM and s.startswith(base):
            keys.add(s)
    return frozenset(keys)


@lru_cache(maxsize=50_000)
def strict_forms(word: str) -> frozenset[str]:
    """Surface forms of a short term: the word with noun endings only.

    Examples
    --------
    >>> sorted(strict_forms("mål"))[:4]
    ['mål', 'målen', 'målens', 'måler']
    >>> "måla" in strict_forms("mål"), "målet" in strict_forms("mål")
    (False, True)
    """
    word = word.lower()
    return frozenset(word + s for s in _STRICT_SUFFIXES)


def _has_vowel(s: str) -> bool:
    return any(ch in _VOWELS for ch in s)


def plausible_head_rest(token: str, head: str, rest: str) -> bool:
    """Whether ``token`` = ``head`` + linking + ``rest`` looks like a real compound.

    ``rest`` is what follows the head (after an optional linking *-s-*). It
    must be a plausible word of its own (at least four letters, a vowel), not
    start like a derivational suffix (``mål|ning``, ``styr|ka``), and the
    token's stem must reach at least three letters past the head (so an
    inflected form of a longer word, ``styrkorna``, is not read as
    ``styr`` + ``korna``).

    Examples
    --------
    >>> plausible_head_rest("samverkansformer", "samverkan", "former")
    True
    >>> plausible_head_rest("målning", "mål", "ning"), plausible_head_rest("styrkan", "styr", "kan")
    (False, False)
    """
    if len(rest) < 4 or not _has_vowel(rest):
        return False
    if rest.startswith(_DERIVATION_STARTS):
        return False
    return len(stem(token)) >= len(head) + 3


def plausible_tail_prefix(prefix: str) -> bool:
    """Whether ``prefix`` can be the first part of a compound ending in a term.

    At least four letters with a vowel (three-letter prefixes such as
    ``beh|över`` are too often not words), and not a bare derivational prefix
    (``be``, ``för``, ``o``, ``miss``) that would change the word's meaning.

    Examples
    --------
    >>> plausible_tail_prefix("myndighets"), plausible_tail_prefix("be"), plausible_tail_prefix("för")
    (True, False, False)
    """
    p = prefix.rstrip("-")
    if len(p) < 4 or not _has_vowel(p):
        return False
    return p not in {"för", "miss", "sam", "upp", "till", "ut", "in", "mot", "van", "ur", "bi", "gen", "åter", "över", "under"}


def split_hyphen(token: str) -> list[str]:
    """The parts of a hyphenated token (``finsam-insatser`` -> ``['finsam', 'insatser']``)."""
    return [p for p in token.split("-") if p]
