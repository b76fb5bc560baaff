"""finsam_eval: evaluation of Swedish samordningsförbund (FINSAM).

Three pillars on a shared floor:

- ``finsam_eval.coding``: thematic coding of interview excerpts (pillar A);
- ``finsam_eval.likert``: Likert survey summaries, indices and comparisons (pillar B);
- ``finsam_eval.effects``: matching, difference-in-differences and comparisons
  of förbund against control groups and benchmarks (pillar C);
- shared: ``io`` (readers with validation), ``privacy`` (personnummer,
  pseudonyms, small-count suppression), ``plots`` (house style), ``report``
  (Word/HTML slutrapport), ``samples`` (sample data).

Everything a report reader sees is in Swedish with decimal comma; see
:func:`set_option` for the suppression threshold (default 5) and language.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
from ._config import get_option, option_context, reset_option, set_option
from .errors import (
    CodebookError,
    ConfigError,
    DuplicateIdError,
    EmptyFileError,
    EstimationError,
    FinsamError,
    InputFileError,
    MissingColumnError,
    MissingDependencyError,
    PrivacyError,
    ScaleError,
    SchemaError,
    UnknownLabelError,
)

if TYPE_CHECKING:  # the names as static tools see them; at run time they load on first use
    from .coding import (
        Codebook,
        CodeSuggester,
        Intervjuguide,
        code_excerpts,
        cohen_kappa,
        intercoder_reliability,
        krippendorff_alpha,
        read_qdc,
        read_qdpx,
        write_qdc,
        write_qdpx,
    )
    from .effects import (
        FewClustersWarning,
        andel,
        before_after_rates,
        compare_forbund,
        compare_rates,
        cost_per_participant,
        did,
        difference_in_means,
        event_study,
        honest_did,
        maluppfyllelse,
        match,
        person_baseline,
        pooled_rate,
        randomisation_inference,
        rate_vs_benchmark,
        regression_table,
        socioeconomic_estimate,
        staggered_did,
        synthdid,
        weight,
        wild_cluster_bootstrap,
    )
    from .io import parse_indicator, parse_period, parse_share, read_excerpts, read_register, read_survey, read_table
    from .likert import (
        SCALES,
        Scale,
        check_scale_labels,
        chi2_levels,
        compare_reference,
        cronbach_alpha,
        infer_scale,
        kruskal_wallis,
        likert_summary,
        likert_summary_from_counts,
        mann_whitney,
        ordinal_regression,
        plot_likert,
        scale_from_config,
        scale_index,
        topbox_change,
        wilcoxon_paired,
    )
    from .plots import save_figure
    from .privacy import (
        find_personnummer,
        is_valid_personnummer,
        pseudonymise,
        pseudonymise_ids,
        suppress_small,
    )
    from .report import Report
    from .results import Exclusion, Exclusions
    from .samples import list_samples, load_sample

# Exported name -> submodule that defines it. Nothing below is imported with the package: each
# pillar (and statsmodels, scikit-learn, matplotlib, python-docx, nltk behind it) loads when one of
# its names is first used, so `import finsam_eval` stays fast (issue 13).
_LAZY: dict[str, str] = {
    'Codebook': 'coding',
    'CodeSuggester': 'coding',
    'Intervjuguide': 'coding',
    'code_excerpts': 'coding',
    'cohen_kappa': 'coding',
    'intercoder_reliability': 'coding',
    'krippendorff_alpha': 'coding',
    'read_qdc': 'coding',
    'read_qdpx': 'coding',
    'write_qdc': 'coding',
    'write_qdpx': 'coding',
    'FewClustersWarning': 'effects',
    'andel': 'effects',
    'before_after_rates': 'effects',
    'compare_forbund': 'effects',
    'compare_rates': 'effects',
    'cost_per_participant': 'effects',
    'did': 'effects',
    'difference_in_means': 'effects',
    'event_study': 'effects',
    'honest_did': 'effects',
    'maluppfyllelse': 'effects',
    'match': 'effects',
    'person_baseline': 'effects',
    'pooled_rate': 'effects',
    'randomisation_inference': 'effects',
    'rate_vs_benchmark': 'effects',
    'regression_table': 'effects',
    'socioeconomic_estimate': 'effects',
    'staggered_did': 'effects',
    'synthdid': 'effects',
    'weight': 'effects',
    'wild_cluster_bootstrap': 'effects',
    'parse_indicator': 'io',
    'parse_period': 'io',
    'parse_share': 'io',
    'read_excerpts': 'io',
    'read_register': 'io',
    'read_survey': 'io',
    'read_table': 'io',
    'SCALES': 'likert',
    'Scale': 'likert',
    'check_scale_labels': 'likert',
    'chi2_levels': 'likert',
    'compare_reference': 'likert',
    'cronbach_alpha': 'likert',
    'infer_scale': 'likert',
    'kruskal_wallis': 'likert',
    'likert_summary': 'likert',
    'likert_summary_from_counts': 'likert',
    'mann_whitney': 'likert',
    'ordinal_regression': 'likert',
    'plot_likert': 'likert',
    'scale_from_config': 'likert',
    'scale_index': 'likert',
    'topbox_change': 'likert',
    'wilcoxon_paired': 'likert',
    'save_figure': 'plots',
    'find_personnummer': 'privacy',
    'is_valid_personnummer': 'privacy',
    'pseudonymise': 'privacy',
    'pseudonymise_ids': 'privacy',
    'suppress_small': 'privacy',
    'Report': 'report',
    'Exclusion': 'results',
    'Exclusions': 'results',
    'list_samples': 'samples',
    'load_sample': 'samples',
}
_SUBMODULES = frozenset({'_config', '_progress', '_warn', 'cli', 'coding', 'effects', 'errors', 'io', 'likert', 'plots', 'privacy', 'report', 'results', 'samples', 'sv'})

__all__ = [
    "__version__",
    "get_option",
    "option_context",
    "reset_option",
    "set_option",
    "CodebookError",
    "ConfigError",
    "DuplicateIdError",
    "EmptyFileError",
    "EstimationError",
    "FinsamError",
    "InputFileError",
    "MissingColumnError",
    "MissingDependencyError",
    "PrivacyError",
    "ScaleError",
    "SchemaError",
    "UnknownLabelError",
    # shared floor
    "read_table",
    "read_excerpts",
    "read_survey",
    "read_register",
    "parse_period",
    "parse_indicator",
    "parse_share",
    "save_figure",
    "find_personnummer",
    "is_valid_personnummer",
    "pseudonymise",
    "pseudonymise_ids",
    "suppress_small",
    "Exclusion",
    "Exclusions",
    "load_sample",
    "list_samples",
    "Report",
    # pillar A: coding
    "Codebook",
    "code_excerpts",
    "intercoder_reliability",
    "cohen_kappa",
    "krippendorff_alpha",
    "CodeSuggester",
    "Intervjuguide",
    "read_qdc",
    "write_qdc",
    "read_qdpx",
    "write_qdpx",
    # pillar B: Likert surveys
    "Scale",
    "SCALES",
    "infer_scale",
    "check_scale_labels",
    "scale_from_config",
    "likert_summary",
    "likert_summary_from_counts",
    "plot_likert",
    "cronbach_alpha",
    "scale_index",
    "mann_whitney",
    "kruskal_wallis",
    "chi2_levels",
    "ordinal_regression",
    "wilcoxon_paired",
    "topbox_change",
    "compare_reference",
    # pillar C: effects
    "match",
    "weight",
    "person_baseline",
    "did",
    "difference_in_means",
    "event_study",
    "staggered_did",
    "synthdid",
    "honest_did",
    "compare_forbund",
    "wild_cluster_bootstrap",
    "randomisation_inference",
    "FewClustersWarning",
    "rate_vs_benchmark",
    "andel",
    "maluppfyllelse",
    "regression_table",
    "compare_rates",
    "pooled_rate",
    "before_after_rates",
    "cost_per_participant",
    "socioeconomic_estimate",
]


def __getattr__(name: str) -> Any:
    """Load an exported name (or a submodule) on first access (PEP 562)."""
    module = _LAZY.get(name)
    if module is not None:
        value = getattr(importlib.import_module(f".{module}", __name__), name)
        globals()[name] = value
        return value
    if name in _SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY) | _SUBMODULES)
