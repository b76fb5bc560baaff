"""Pillar A: thematic coding of interview excerpts.

A :class:`Codebook` of themes with Swedish vocabulary, a matcher that handles
Swedish inflection, compounds, phrases, negation and hedging
(:func:`code_excerpts`), result objects with matrices, co-occurrence, quotes
and prevalence words, inter-coder reliability, learned code suggestions, and
exchange with other QDA tools through REFI-QDA.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import attach

if TYPE_CHECKING:  # the names as static tools see them; at run time they load on first use
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

# Exported name -> submodule that defines it. Nothing is imported with the package (issue 13): a name
# loads its submodule, and only the dependencies that one needs, on first use (finsam_eval._lazy).
# A new export goes in three places: the TYPE_CHECKING imports, _LAZY and __all__ (tests/test_speed_contract.py
# checks that they agree); a plain import here would load its module, and what it imports, with the package.
_LAZY: dict[str, str] = {
    "FRAMEWORKS": "codebook",
    "Code": "codebook",
    "Codebook": "codebook",
    "unused_terms": "codebook",
    "CodeComparison": "comparison",
    "FrameworkMatrix": "framework",
    "framework_matrix": "framework",
    "GuideMatch": "guide",
    "GuideQuestion": "guide",
    "Intervjuguide": "guide",
    "ancestors": "hierarchy",
    "descendants": "hierarchy",
    "roll_up": "hierarchy",
    "roll_up_codes": "hierarchy",
    "SWEDISH_STOPWORDS": "kwic",
    "KwicResult": "kwic",
    "WordFrequencies": "kwic",
    "kwic": "kwic",
    "word_frequencies": "kwic",
    "CompiledCodebook": "matching",
    "code_excerpts": "matching",
    "code_text": "matching",
    "CodeMatrix": "matrix",
    "Cooccurrence": "matrix",
    "QUANTIFIER_RULES": "prevalence",
    "Prevalence": "prevalence",
    "quantifier_table": "prevalence",
    "small_n_quantifier": "prevalence",
    "Quotes": "quotes",
    "qdpx_bytes": "refi",
    "read_qdc": "refi",
    "read_qdpx": "refi",
    "validate_qdpx": "refi",
    "write_qdc": "refi",
    "write_qdpx": "refi",
    "Estimate": "reliability",
    "ReliabilityResult": "reliability",
    "cohen_kappa": "reliability",
    "fleiss_kappa": "reliability",
    "intercoder_reliability": "reliability",
    "krippendorff_alpha": "reliability",
    "light_kappa": "reliability",
    "CODE_SOURCES": "results",
    "CodingResult": "results",
    "CodeSuggester": "suggest",
    "SuggestionEvaluation": "suggest",
    "baseline_model": "suggest",
    "evaluate_suggester": "suggest",
    "normalise": "text",
    "stem": "text",
    "tokenize": "text",
}

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

__getattr__, __dir__ = attach(__name__, _LAZY)
