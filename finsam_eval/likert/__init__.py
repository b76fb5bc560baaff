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
