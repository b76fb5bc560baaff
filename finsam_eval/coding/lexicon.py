"""Swedish lexicon for matching: compounds that must not be split, and lemmas.

Three small resources the matcher (:mod:`finsam_eval.coding.matching`) uses
on top of stems:

* :data:`PROTECTED` - words that are names or fixed terms and must not be
  split into their parts: *samordningsförbund* contains *samordning*,
  *projekttid* contains *tid*, *Försäkringskassan* contains *kassa*. Inside
  such a word no compound split is made (a term still matches the whole word,
  and a compound built on it, *samordningsförbundsmedel*, still splits after
  it). :func:`protect` adds words for a project.
* :func:`lemma` - the Swedish lemma of a word from ``simplemma`` (which ships
  its data; nothing is downloaded), used by the matcher only where a word is
  not matched through its stem; :func:`set_lemma` turns it off.

Examples
--------
>>> protected_spans("samordningsförbundet")
[(0, 18)]
>>> protected_spans("myndighetssamverkan")
[]
>>> lemma("tog"), lemma("förankrades")
('ta', 'förankra')
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from ..errors import CodebookError

__all__ = ["PROTECTED", "protect", "unprotect", "protected_spans", "split_allowed", "lemma", "set_lemma", "lemma_enabled"]

#: Words (base forms, lower case) that are never split into compound parts.
#: Organisation names, the names of insatser and roles that recur in FINSAM
#: material, and fixed terms whose parts are theme words.
PROTECTED: set[str] = set(
    """
    samordningsförbund finsamförbund försäkringskassa arbetsförmedling länsarbetsnämnd
    socialförvaltning socialtjänst arbetsmarknadsenhet arbetsmarknadsförvaltning primärvård vårdcentral
    projekttid projektledare projektledning projektgrupp
    resursråd resursmodell resursperson resursteam
    samverkanskoordinator samordnare samordningsteam
    förbundschef förbundsordning förbundsstyrelse
    arbetsmarknad arbetsliv arbetsträning arbetsgivare
    förtroendevald förtroendeuppdrag förtroendeläkare förtroendeman
    remissinstans remissvar remissrunda tillitsbaserad tillitsbaserat
    länsstyrelse
    """.split()
)

_use_lemma = True


def protect(words: Iterable[str]) -> None:
    """Add words that must not be split (e.g. the name of a local insats).

    Examples
    --------
    >>> protect(["navigatorcentrum"])
    >>> protected_spans("navigatorcentrumet")
    [(0, 16)]
    >>> unprotect(["navigatorcentrum"])
    >>> protected_spans("navigatorcentrumet")
    []
    """
    if isinstance(words, str):
        raise CodebookError("protect: ange en lista av ord, t.ex. protect(['navigatorcentrum']), inte en sträng.")
    for w in words:
        w = str(w).strip().lower()
        if len(w) < 4 or " " in w:
            raise CodebookError(f"protect: {w!r} ska vara ett enda ord med minst fyra bokstäver.")
        PROTECTED.add(w)
    protected_spans.cache_clear()


def unprotect(words: Iterable[str]) -> None:
    """Remove words from :data:`PROTECTED` (a built-in name that is a real compound in your material)."""
    if isinstance(words, str):
        raise CodebookError("unprotect: ange en lista av ord, t.ex. unprotect(['målgrupp']), inte en sträng.")
    for w in words:
        PROTECTED.discard(str(w).strip().lower())
    protected_spans.cache_clear()


@lru_cache(maxsize=50_000)
def protected_spans(token: str) -> list[tuple[int, int]]:
    """Character spans ``[start, end)`` of protected words inside ``token``.

    A protected word counts where it starts the token or follows a plausible
    first part (at least three letters), and where what follows it is an
    inflection ending or the rest of a longer compound.
    """
    token = token.lower()
    out: list[tuple[int, int]] = []
    n = len(token)
    for w in PROTECTED:
        i = token.find(w)
        while i >= 0:
            if i == 0 or i >= 3:
                out.append((i, i + len(w)))
            i = token.find(w, i + 1)
    out.sort()
    merged: list[tuple[int, int]] = []
    for a, b in out:
        if merged and a < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, min(b, n)))
    return merged


def split_allowed(token: str, k: int) -> bool:
    """Whether ``token`` may be split into compound parts at position ``k``.

    Examples
    --------
    >>> split_allowed("samordningsförbundet", 10), split_allowed("samordningsförbundsmedel", 19)
    (False, True)
    """
    return not any(a < k < b for a, b in protected_spans(token))


def set_lemma(on: bool) -> None:
    """Turn the lemma look-up on or off (for comparisons; it is on by default)."""
    global _use_lemma
    _use_lemma = bool(on)


def lemma_enabled() -> bool:
    """Whether the matcher consults the lemma lexicon."""
    return _use_lemma


@lru_cache(maxsize=50_000)
def lemma(word: str) -> str:
    """The Swedish lemma of ``word`` (``simplemma``'s shipped data), or the word itself.

    The first call loads the Swedish dictionary (a few seconds).
    """
    try:
        import simplemma
    except ImportError:  # pragma: no cover - simplemma is a dependency
        return word
    try:
        return str(simplemma.lemmatize(word, lang="sv"))
    except Exception:  # pragma: no cover - a broken data file must not stop coding
        return word
