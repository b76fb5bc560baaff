"""Pillar A: thematic coding of interview excerpts.

A :class:`Codebook` of themes with Swedish vocabulary, a matcher that handles
Swedish inflection, compounds, phrases, negation and hedging
(:func:`code_excerpts`), result objects with matrices, co-occurrence, quotes
and prevalence words, inter-coder reliability, learned code suggestions, and
exchange with other QDA tools through REFI-QDA.
"""

from .codebook import FRAMEWORKS, Code, Codebook, unused_terms
from .comparison import CodeComparison
from .framework import FrameworkMatrix, framework_matrix
from .guide import GuideMatch, GuideQuestion, Intervjuguide
from .hierarchy import ancestors, descendants, roll_up, roll_up_codes
from .kwic import SWEDISH_STOPWORDS, KwicResult, WordFrequencies, kwic, word_frequencies
from .matching import CompiledCodebook, code_excerpts, code_text
from .matrix import CodeMatrix, Cooccurrence
from .prevalence import QUANTIFIER_RULES, Prevalence, quantifier_table, small_n_quantifier
from .quotes import Quotes
from .refi import qdpx_bytes, read_qdc, read_qdpx, validate_qdpx, write_qdc, write_qdpx
from .reliability import (
    Estimate,
    ReliabilityResult,
    cohen_kappa,
    fleiss_kappa,
    intercoder_reliability,
    krippendorff_alpha,
    light_kappa,
)
from .results import CODE_SOURCES, CodingResult
from .suggest import CodeSuggester, SuggestionEvaluation, baseline_model, evaluate_suggester
from .text import normalise, stem, tokenize

__all__ = [
    "Code",
    "Codebook",
    "FRAMEWORKS",
    "unused_terms",
    "kwic",
    "word_frequencies",
    "KwicResult",
    "WordFrequencies",
    "SWEDISH_STOPWORDS",
    "CompiledCodebook",
    "code_excerpts",
    "code_text",
    "CodingResult",
    "CodeMatrix",
    "Cooccurrence",
    "Quotes",
    "Prevalence",
    "CodeComparison",
    "CODE_SOURCES",
    "FrameworkMatrix",
    "framework_matrix",
    "Intervjuguide",
    "GuideQuestion",
    "GuideMatch",
    "ancestors",
    "descendants",
    "roll_up",
    "roll_up_codes",
    "small_n_quantifier",
    "quantifier_table",
    "QUANTIFIER_RULES",
    "read_qdc",
    "read_qdpx",
    "validate_qdpx",
    "write_qdc",
    "write_qdpx",
    "qdpx_bytes",
    "normalise",
    "stem",
    "tokenize",
    "Estimate",
    "ReliabilityResult",
    "cohen_kappa",
    "fleiss_kappa",
    "intercoder_reliability",
    "krippendorff_alpha",
    "light_kappa",
    "CodeSuggester",
    "SuggestionEvaluation",
    "baseline_model",
    "evaluate_suggester",
]
