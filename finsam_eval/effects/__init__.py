"""Pillar C: effects of insatser against control groups and benchmarks.

- :mod:`~finsam_eval.effects.match`: propensity score matching (ATT, ATC) and
  subclassification (ATT, ATC, ATE) as MatchIt, with balance tables, love and
  overlap plots and pair-clustered or bootstrap effect estimates;
- :mod:`~finsam_eval.effects.weighting`: inverse probability weights and entropy
  balancing (WeightIt style) with M-estimation standard errors;
- :mod:`~finsam_eval.effects.balance`: cobalt-style balance tables (SMD,
  variance ratios, KS, thresholds) shared by matching and weighting;
- :mod:`~finsam_eval.effects.did`, :mod:`~finsam_eval.effects.event_study`,
  :mod:`~finsam_eval.effects.staggered`: difference-in-differences, event
  studies and staggered adoption (Callaway & Sant'Anna);
- :mod:`~finsam_eval.effects.synth`: synthetic control and synthetic
  difference-in-differences for one förbund's kommuner against the others;
- :mod:`~finsam_eval.effects.inference`: wild cluster bootstrap and
  randomisation inference for few clusters;
- :mod:`~finsam_eval.effects.compare`: the same estimator per förbund and pooled;
- :mod:`~finsam_eval.effects.regression`: difference in means (Welch, Hedges' g)
  and OLS regression tables with robust or clustered standard errors;
- :mod:`~finsam_eval.effects.rates`: rates from published counts (benchmarks,
  two rates, pooled rates, before/after);
- :mod:`~finsam_eval.effects.goals`: shares as "12 av 14" with Wilson intervals,
  goal attainment judged from the interval, rating matrices, before/after shares;
- :mod:`~finsam_eval.effects.costbenefit`: cost per participant and a simple
  socio-economic estimate.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import attach

if TYPE_CHECKING:  # the names as static tools see them; at run time they load on first use
    from .balance import balance_table, effective_sample_size
    from .compare import ForbundComparison, compare_forbund, heterogeneity
    from .costbenefit import CostPerParticipant, SocioeconomicEstimate, cost_per_participant, socioeconomic_estimate
    from .did import DidResult, did
    from .event_study import EventStudyResult, event_study
    from .goals import (
        GoalAttainment,
        RatingMatrix,
        Share,
        Shares,
        andel,
        andelar,
        maluppfyllelse,
        rating_matrix,
        share_change,
    )
    from .honest import HonestResult, honest_did
    from .inference import (
        FewClustersWarning,
        RandomisationResult,
        WildBootstrapResult,
        randomisation_inference,
        wild_cluster_bootstrap,
    )
    from .match import EffectResult, MatchResult, match, person_baseline
    from .rates import (
        PooledRate,
        RateComparison,
        RateResult,
        before_after_rates,
        compare_rates,
        exact_ci,
        newcombe_ci,
        pooled_rate,
        rate_vs_benchmark,
        wilson_ci,
    )
    from .regression import MeanDifference, RegressionTable, difference_in_means, hedges_g, regression_table
    from .staggered import StaggeredResult, staggered_did
    from .synth import SynthResult, synthdid
    from .weighting import WeightResult, weight

# Exported name -> submodule that defines it. Nothing is imported with the package (issue 13): a name
# loads its submodule, and only the dependencies that one needs, on first use (finsam_eval._lazy).
# A new export goes in three places: the TYPE_CHECKING imports, _LAZY and __all__ (tests/test_speed_contract.py
# checks that they agree); a plain import here would load its module, and what it imports, with the package.
_LAZY: dict[str, str] = {
    "balance_table": "balance",
    "effective_sample_size": "balance",
    "ForbundComparison": "compare",
    "compare_forbund": "compare",
    "heterogeneity": "compare",
    "CostPerParticipant": "costbenefit",
    "SocioeconomicEstimate": "costbenefit",
    "cost_per_participant": "costbenefit",
    "socioeconomic_estimate": "costbenefit",
    "DidResult": "did",
    "did": "did",
    "EventStudyResult": "event_study",
    "event_study": "event_study",
    "GoalAttainment": "goals",
    "RatingMatrix": "goals",
    "Share": "goals",
    "Shares": "goals",
    "andel": "goals",
    "andelar": "goals",
    "maluppfyllelse": "goals",
    "rating_matrix": "goals",
    "share_change": "goals",
    "HonestResult": "honest",
    "honest_did": "honest",
    "FewClustersWarning": "inference",
    "RandomisationResult": "inference",
    "WildBootstrapResult": "inference",
    "randomisation_inference": "inference",
    "wild_cluster_bootstrap": "inference",
    "EffectResult": "match",
    "MatchResult": "match",
    "match": "match",
    "person_baseline": "match",
    "PooledRate": "rates",
    "RateComparison": "rates",
    "RateResult": "rates",
    "before_after_rates": "rates",
    "compare_rates": "rates",
    "exact_ci": "rates",
    "newcombe_ci": "rates",
    "pooled_rate": "rates",
    "rate_vs_benchmark": "rates",
    "wilson_ci": "rates",
    "MeanDifference": "regression",
    "RegressionTable": "regression",
    "difference_in_means": "regression",
    "hedges_g": "regression",
    "regression_table": "regression",
    "StaggeredResult": "staggered",
    "staggered_did": "staggered",
    "SynthResult": "synth",
    "synthdid": "synth",
    "WeightResult": "weighting",
    "weight": "weighting",
}

__all__ = [
    "match",
    "weight",
    "WeightResult",
    "balance_table",
    "effective_sample_size",
    "person_baseline",
    "MatchResult",
    "EffectResult",
    "compare_forbund",
    "ForbundComparison",
    "heterogeneity",
    "rate_vs_benchmark",
    "compare_rates",
    "pooled_rate",
    "before_after_rates",
    "wilson_ci",
    "exact_ci",
    "newcombe_ci",
    "RateResult",
    "RateComparison",
    "PooledRate",
    "cost_per_participant",
    "socioeconomic_estimate",
    "CostPerParticipant",
    "SocioeconomicEstimate",
    "did",
    "DidResult",
    "event_study",
    "EventStudyResult",
    "staggered_did",
    "StaggeredResult",
    "synthdid",
    "SynthResult",
    "honest_did",
    "HonestResult",
    "wild_cluster_bootstrap",
    "randomisation_inference",
    "WildBootstrapResult",
    "RandomisationResult",
    "FewClustersWarning",
    "difference_in_means",
    "regression_table",
    "hedges_g",
    "MeanDifference",
    "RegressionTable",
    "andel",
    "andelar",
    "maluppfyllelse",
    "rating_matrix",
    "share_change",
    "Share",
    "Shares",
    "GoalAttainment",
    "RatingMatrix",
]

__getattr__, __dir__ = attach(__name__, _LAZY)
