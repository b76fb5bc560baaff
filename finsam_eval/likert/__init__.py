"""Pillar B: Likert surveys (enkäter).

Scales as data (:mod:`.scales`), counting without drawing (:mod:`.summary`),
indices and reliability (:mod:`.reliability`), comparisons (:mod:`.compare`)
and diverging bar charts (:mod:`.plot`).

Examples
--------
>>> import pandas as pd
>>> from finsam_eval.likert import likert_summary
>>> df = pd.DataFrame({"s01": ["Stämmer helt", "Stämmer delvis", "Vet ej", "Stämmer inte alls", "Stämmer helt"]})
>>> t = likert_summary(df, "s01", "stammer5").table(suppress=False)
>>> int(t.loc[0, "n_valid"]), float(t.loc[0, "pct_top"])
(4, 75.0)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import attach

if TYPE_CHECKING:  # the names as static tools see them; at run time they load on first use
    from .compare import (
        TERM_LABELS,
        LikertTest,
        chi2_levels,
        compare_reference,
        kruskal_wallis,
        mann_whitney,
        ordinal_regression,
        topbox_change,
        wilcoxon_paired,
    )
    from .infer import FAMILIES, ScaleCheck, check_scale_labels, infer_scale
    from .plot import level_colors, plot_likert
    from .reliability import CronbachAlphaResult, cronbach_alpha, item_matrix, scale_index
    from .scale_config import ScaleSpec, scale_from_config
    from .scales import NON_SUBSTANTIVE, SCALES, Scale, get_scale, numeric
    from .summary import LikertSummary, level_column, likert_summary, likert_summary_from_counts

# Exported name -> submodule that defines it. Nothing is imported with the package (issue 13): a name
# loads its submodule, and only the dependencies that one needs, on first use (finsam_eval._lazy).
# A new export goes in three places: the TYPE_CHECKING imports, _LAZY and __all__ (tests/test_speed_contract.py
# checks that they agree); a plain import here would load its module, and what it imports, with the package.
_LAZY: dict[str, str] = {
    "TERM_LABELS": "compare",
    "LikertTest": "compare",
    "chi2_levels": "compare",
    "compare_reference": "compare",
    "kruskal_wallis": "compare",
    "mann_whitney": "compare",
    "ordinal_regression": "compare",
    "topbox_change": "compare",
    "wilcoxon_paired": "compare",
    "FAMILIES": "infer",
    "ScaleCheck": "infer",
    "check_scale_labels": "infer",
    "infer_scale": "infer",
    "level_colors": "plot",
    "plot_likert": "plot",
    "CronbachAlphaResult": "reliability",
    "cronbach_alpha": "reliability",
    "item_matrix": "reliability",
    "scale_index": "reliability",
    "ScaleSpec": "scale_config",
    "scale_from_config": "scale_config",
    "NON_SUBSTANTIVE": "scales",
    "SCALES": "scales",
    "Scale": "scales",
    "get_scale": "scales",
    "numeric": "scales",
    "LikertSummary": "summary",
    "level_column": "summary",
    "likert_summary": "summary",
    "likert_summary_from_counts": "summary",
}

__all__ = [
    "NON_SUBSTANTIVE",
    "SCALES",
    "Scale",
    "get_scale",
    "numeric",
    "infer_scale",
    "check_scale_labels",
    "ScaleCheck",
    "FAMILIES",
    "scale_from_config",
    "ScaleSpec",
    "LikertSummary",
    "level_column",
    "likert_summary",
    "likert_summary_from_counts",
    "CronbachAlphaResult",
    "cronbach_alpha",
    "item_matrix",
    "scale_index",
    "LikertTest",
    "TERM_LABELS",
    "chi2_levels",
    "compare_reference",
    "kruskal_wallis",
    "mann_whitney",
    "ordinal_regression",
    "topbox_change",
    "wilcoxon_paired",
    "level_colors",
    "plot_likert",
]

__getattr__, __dir__ = attach(__name__, _LAZY)
