"""Pillar A: thematic coding of interview excerpts.

A :class:`Codebook` of themes with Swedish vocabulary, a matcher that handles
Swedish inflection, compounds, phrases, negation and hedging
(:func:`code_excerpts`), result objects with matrices, co-occurrence, quotes
and prevalence words, and exchange with other QDA tools through REFI-QDA.
"""

from .codebook import FRAMEWORKS, Code, Codebook
from .matching import CompiledCodebook, code_excerpts, code_text
from .results import CodeComparison, CodeMatrix, CodingResult, Cooccurrence, Prevalence, Quotes
from .text import normalise, stem, tokenize

__all__ = [
    "Code",
    "Codebook",
    "FRAMEWORKS",
    "CompiledCodebook",
    "code_excerpts",
    "code_text",
    "CodingResult",
    "CodeMatrix",
    "Cooccurrence",
    "Quotes",
    "Prevalence",
    "CodeComparison",
    "normalise",
    "stem",
    "tokenize",
]
