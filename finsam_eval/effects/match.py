"""Propensity score matching and subclassification of participants and non-participants.

The workflow follows R's MatchIt and cobalt: :func:`match` estimates a
propensity score by logistic regression, pairs every unit of the focal group
with its nearest unit(s) of the other group on the score (optionally within
exact strata such as förbund and kön, and within a caliper), or forms
subclasses on the score, and returns a :class:`MatchResult` that knows its
balance table, love plot and overlap plot. The outcome analysis is a separate,
explicit step: :meth:`MatchResult.effect`.

Design choices, so a reader of the method appendix can check them:

- Estimands as MatchIt defines them: nearest-neighbour matching targets the
  ATT (participants get controls) or the ATC (controls get participants, in
  ``m_order="smallest"`` by default as MatchIt); it cannot target the ATE, and
  asking for it is an error that points to subclassification or
  :func:`~finsam_eval.effects.weight`. Subclassification
  (``method="subclass"``) targets the ATT, ATC or ATE: subclass limits are
  quantiles of the score among participants, controls or everyone, every
  subclass gets at least ``min_n`` units of each group (MatchIt's
  ``subclass_scoot``) and the weights are MatchIt's
  ``get_weights_from_subclass``, normalised to mean 1 in each group.
- Distance: the linear predictor (logit) of the propensity score by default,
  or the score itself (``distance="ps"``, MatchIt's ``distance="glm"``); the
  caliper is ``caliper`` standard deviations of the distance over all units
  with complete data (as MatchIt's ``std.caliper=TRUE``).
- Greedy matching without replacement processes the focal units in the order of
  ``m_order`` (default ``"largest"`` score first for the ATT, MatchIt's
  default), and with ``ratio > 1`` in rounds: every focal unit gets its first
  match before anyone gets a second one. Free units are found with two "next
  free neighbour" union-find arrays over the score-sorted candidates, so each
  look-up is almost constant time; there is no loop over pairs.
- Matching with replacement is fully vectorised: ``np.searchsorted`` finds each
  focal unit's place among the sorted candidates and the ``ratio`` nearest are
  taken from the ``2 * ratio`` neighbours around it.
- Exact strata cost no more than one: the candidates are sorted once by
  stratum and score, every stratum is a contiguous block of that order and
  each focal unit is matched inside its own block (the union-find arrays
  span all blocks), so the time grows with the number of units, not with
  the number of strata. A stratum with fewer candidates than ``ratio`` gives
  fewer matches (never the same unit twice).
- The logit is fitted by Newton-Raphson on the k x k cross-product, the
  iteration of statsmodels' ``Logit(...).fit(method="newton")``, with the
  same coefficients.
- Balance follows cobalt's ``bal.tab`` (:mod:`~finsam_eval.effects.balance`):
  SMD with the standardiser cobalt uses for the estimand, variance ratios,
  KS statistics and thresholds with a verdict per covariate.
- Standard errors (:mod:`~finsam_eval.effects.outcome`): cluster-robust on the
  matched set by default (it does not account for the estimated propensity
  score), or ``se="bootstrap"``, which re-estimates the score and re-matches
  in every replicate and so does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from ..errors import ConfigError, EstimationError
from ..results import Exclusions
from ..sv import column_label, fmt_num
from .balance import _BalanceMixin, _weighted_mean_var
from .outcome import EffectResult, _EffectMixin, _Formatted, _p_eq
from .propensity import REASON_MISSING as _REASON_MISSING
from .propensity import _check_columns, _design, _fit_logit, _is_categorical, _prepare, _propensity

__all__ = ["match", "MatchResult", "EffectResult", "person_baseline"]

# Re-exported for modules and tests that imported them from here before the split.
_shared = (_Formatted, _p_eq, _check_columns, _design, _fit_logit, _is_categorical, _weighted_mean_var)

_REASON_STRATUM = "ingen kontroll i samma exakta stratum"
_REASON_CALIPER = "ingen kontroll inom caliper"
_ESTIMANDS = {"nearest": ("ATT", "ATC"), "subclass": ("ATT", "ATC", "ATE")}

# --------------------------------------------------------------------------- matching cores


def _find(parent: list[int], i: int) -> int:
    root = i
    while parent[root] != root:
        root = parent[root]
    while parent[i] != root:  # path compression
        parent[i], i = root, parent[i]
    return root


def _find_sparse(parent: dict[int, int], i: int) -> int:
    """:func:`_find` on a dict that holds only the entries that differ from the identity."""
    root = i
    while (nxt := parent.get(root, root)) != root:
        root = nxt
    while (nxt := parent.get(i, i)) != root:  # path compression
        parent[i], i = root, nxt
    return root


def _blocks_with_replacement(t_lp: np.ndarray, c_sorted: np.ndarray, pos: np.ndarray, lo: np.ndarray,
                             hi: np.ndarray, ratio: int, width: float) -> np.ndarray:
    """The ``ratio`` nearest candidates of every focal unit inside its own block ``[lo, hi)`` of the sorted
    candidates (``pos``: its ``searchsorted`` place there); (n_f, ratio) indices, -1 where none within
    ``width`` (or fewer than ``ratio`` candidates in the block). All strata at once, fully vectorised."""
    offsets = np.arange(-ratio, ratio)
    cand = pos[:, None] + offsets[None, :]
    valid = (cand >= lo[:, None]) & (cand < hi[:, None])
    cand_c = np.clip(cand, lo[:, None], hi[:, None] - 1)
    dist = np.abs(c_sorted[cand_c] - t_lp[:, None])
    dist[~valid] = np.inf
    order = np.argsort(dist, axis=1, kind="stable")[:, :ratio]
    picked = np.take_along_axis(cand_c, order, axis=1)
    pdist = np.take_along_axis(dist, order, axis=1)
    picked[~(pdist <= width) | ~np.isfinite(pdist)] = -1
    return picked


def _blocks_without_replacement(t_lp: np.ndarray, c_sorted: np.ndarray, pos: np.ndarray, lo: np.ndarray,
                                hi: np.ndarray, ratio: int, width: float, order: np.ndarray) -> np.ndarray:
    """Greedy nearest neighbour without replacement inside each focal unit's block ``[lo, hi)``.

    One pair of "next free neighbour" union-find arrays over all sorted candidates serves every stratum: a
    look-up that leaves the unit's block means nothing is free on that side. Strata share no candidates, so
    visiting all focal units in the global matching order gives, stratum by stratum, the order (and the
    rounds for ``ratio > 1``) of matching each stratum on its own. Returns (n_f, ratio) indices, -1 = none.
    """
    n_c = len(c_sorted)
    out = np.full((len(t_lp), ratio), -1, dtype=np.int64)
    p_l, lo_l, hi_l = pos.tolist(), lo.tolist(), hi.tolist()
    t = t_lp.tolist()
    inf = float("inf")
    # right[i]: next free candidate at index >= i; left[i+1]: next free at index <= i (left is shifted by one).
    # Many more candidates than look-ups (50 000 participants among 5 M controls): sparse dicts holding only
    # the touched entries, and the scores read from the array, instead of three lists of n_c entries.
    find: Any
    if n_c > 8 * len(t_lp) * ratio:
        right, left, find, c = {}, {}, _find_sparse, c_sorted
    else:
        right, left, find, c = list(range(n_c + 1)), list(range(n_c + 1)), _find, c_sorted.tolist()
    alive = [True] * len(t_lp)
    order_l = order.tolist()
    for r in range(ratio):
        for i in order_l:
            if not alive[i]:
                continue
            p = p_l[i]
            ri = find(right, p)
            li = find(left, p) - 1
            d_r = c[ri] - t[i] if ri < hi_l[i] else inf
            d_l = t[i] - c[li] if li >= lo_l[i] else inf
            j = ri if d_r < d_l else li  # ties go left (lower score), deterministic
            d = min(d_r, d_l)
            if d == inf or not d <= width:
                alive[i] = False  # nothing free within the caliper now, nor in later rounds
                continue
            out[i, r] = j
            right[j] = j + 1
            left[j + 1] = j
    return out


def _match_strata(codes: np.ndarray, focal: np.ndarray, dist: np.ndarray, rank_of: np.ndarray, ratio: int,
                  replace: bool, width: float, maha: np.ndarray | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Nearest neighbours within exact strata in one pass, linear in the number of strata.

    The candidates are sorted once by (stratum, distance, row), so every stratum is a contiguous block, and
    each focal unit is matched inside its block; no stratum builds a full-length mask. Returns the focal rows
    (each repeated ``ratio`` times), their matched rows (-1 = none) and the focal rows whose stratum has no
    candidate, focal rows ordered by stratum (first appearance) and then data order, as the per-stratum loop
    this replaced (so sums over the links add up in the same order).
    """
    def small(a: np.ndarray) -> np.ndarray:  # 16-bit keys take numpy's radix sort (linear) for kind="stable"
        return a.astype(np.uint16) if len(a) and a.max() < 2**16 else a

    pos_f = np.flatnonzero(focal)
    pos_o = np.flatnonzero(~focal)
    key = small(pd.factorize(codes)[0])  # stratum numbers 0..S-1 (hashing, no sort); block order is immaterial
    appearance = small(pd.factorize(key[pos_f])[0])
    pos_f = pos_f[np.argsort(appearance, kind="stable")]
    key_o = key[pos_o]
    by_stratum = np.argsort(key_o, kind="stable")
    key_sorted = key_o[by_stratum]
    lo = np.searchsorted(key_sorted, key[pos_f], side="left")
    hi = np.searchsorted(key_sorted, key[pos_f], side="right")
    has = hi > lo
    no_stratum = pos_f[~has]
    pos_f, lo, hi = pos_f[has], lo[has], hi[has]
    if len(pos_f) == 0:
        empty = np.array([], dtype=np.int64)
        return empty, empty, no_stratum
    starts = np.flatnonzero(np.r_[True, lo[1:] != lo[:-1]])  # groups of focal rows sharing a stratum
    ends = np.r_[starts[1:], len(pos_f)]
    if maha is not None:  # exact nearest neighbours in the whitened covariates (with replacement only)
        from scipy.spatial import cKDTree

        o_rows = pos_o[by_stratum]  # data order inside each block, as the k-d tree was built before
        picked_rows = np.full((len(pos_f), ratio), -1, dtype=np.int64)
        for a, b in zip(starts.tolist(), ends.tolist(), strict=True):
            o_pos = o_rows[lo[a]:hi[a]]
            k = min(ratio, len(o_pos))
            _, ii = cKDTree(maha[o_pos]).query(maha[pos_f[a:b]], k=k)
            picked_rows[a:b, :k] = o_pos[np.asarray(ii).reshape(b - a, k)]
        return np.repeat(pos_f, ratio), picked_rows.ravel(), no_stratum
    # Within each block by distance, ties in data order (both sorts are stable).
    by_dist = np.argsort(dist[pos_o], kind="stable")
    o_sort = pos_o[by_dist[np.argsort(key_o[by_dist], kind="stable")]]
    o_d = dist[o_sort]
    t_d = dist[pos_f]
    pos = np.empty(len(pos_f), dtype=np.int64)
    for a, b in zip(starts.tolist(), ends.tolist(), strict=True):
        pos[a:b] = lo[a] + np.searchsorted(o_d[lo[a]:hi[a]], t_d[a:b])
    if replace:
        picked = _blocks_with_replacement(t_d, o_d, pos, lo, hi, ratio, width)
    else:
        order = np.argsort(rank_of[pos_f], kind="stable")
        picked = _blocks_without_replacement(t_d, o_d, pos, lo, hi, ratio, width, order)
    flat = picked.ravel()
    return np.repeat(pos_f, ratio), np.where(flat >= 0, o_sort[np.clip(flat, 0, None)], -1), no_stratum


def _subclass_scoot(sub: np.ndarray, treat: np.ndarray, x: np.ndarray, min_n: int) -> np.ndarray:
    """Move units into subclasses lacking a group until each has ``min_n`` of both (MatchIt's subclass_scootC)."""
    uniq = np.unique(sub)
    sub = np.searchsorted(uniq, sub)
    nsub = len(uniq)
    for tv in (treat[0], not treat[0]):  # MatchIt loops over unique(treat) in order of appearance
        indt = np.flatnonzero(treat == tv)
        tab = np.bincount(sub[indt], minlength=nsub).astype(float)
        for _ in range(min_n):
            while tab.min() <= 0:
                s = int(np.flatnonzero(tab == 0)[0])
                if s == nsub - 1:
                    left = True
                elif s == 0:
                    left = False
                else:
                    score = sum((tab[s2] - 1) / (s2 - s) for s2 in range(nsub) if tab[s2] > 1 and s2 != s)
                    left = score <= 0
                rng = range(s - 1, -1, -1) if left else range(s + 1, nsub)
                s2 = next(k for k in rng if tab[k] > 0)
                cand = indt[sub[indt] == s2]
                # The unit closest to s: largest x when taking from the left, smallest from the right; ties
                # go to the last in data order, as the C++ loop (which replaces on >= / <=).
                vals = x[cand]
                best = cand[np.flatnonzero(vals == (vals.max() if left else vals.min()))[-1]]
                sub[best] = s
                tab[s] += 1
                tab[s2] -= 1
            tab -= 1
    return uniq[sub]


@dataclass
class MatchResult(_BalanceMixin, _EffectMixin, _Formatted):
    """What :func:`match` returns: the matched sample, balance and counts.

    Attributes
    ----------
    matched
        One row per matched unit with the original columns plus ``ps``
        (propensity score), ``logit_ps``, ``subclass`` (= ``pair_id``, the
        matched set; a unit used in several sets keeps the first) and
        ``weights`` (focal units 1, a matched unit ``1/k`` summed over its uses;
        subclassification: MatchIt's subclass weights).
    pairs
        Long form used for effects: one row per unit per matched set; with
        replacement a unit appears once for every focal unit it serves.
    counts
        Participants and controls: total, matched and left out, by reason.
    exclusions
        The same left-out units as an :class:`~finsam_eval.results.Exclusions`.
    """

    data: pd.DataFrame = field(repr=False)
    treatment: str
    covariates: list[str]
    exact: list[str]
    ratio: int
    replace: bool
    caliper: float | None
    caliper_width: float
    estimand: str
    m_order: str
    random_state: int
    ps: pd.Series = field(repr=False)
    logit_ps: pd.Series = field(repr=False)
    matched: pd.DataFrame = field(repr=False)
    pairs: pd.DataFrame = field(repr=False)
    counts: pd.DataFrame
    exclusions: Exclusions
    params: pd.Series = field(repr=False)
    fit_notes: list[str] = field(default_factory=list)
    thresholds: dict[str, float] = field(default_factory=lambda: {"m": 0.1})
    method: str = "nearest"
    distance: str = "logit"
    subclass: int = 6
    min_n: int = 1
    _decimals = 3

    # ------------------------------------------------------------------ contract
    @property
    def title(self) -> str:
        return "Balans före och efter " + ("subklassificering" if self.method == "subclass" else "matchning")

    @property
    def _adjust_word(self) -> str:  # type: ignore[override]
        return "subklassificering" if self.method == "subclass" else "matchning"

    @property
    def _method_label(self) -> str:  # type: ignore[override]
        return "Subklassificering" if self.method == "subclass" else "Matchning"

    @property
    def _default_se(self) -> str:  # type: ignore[override]
        return "robust" if self.method == "subclass" else "cluster"

    @property
    def threshold(self) -> float:
        """The SMD threshold (``thresholds["m"]``), kept for older code."""
        return self.thresholds.get("m", 0.1)

    @property
    def caption(self) -> str:
        n_t = int(self.n_treated_matched)
        n_c = int(((self.matched[self.treatment] == 0) & (self.matched["weights"] > 0)).sum())
        score = "propensity score" if self.distance == "ps" else "logit av propensity score"
        if self.method == "subclass":
            return (f"Subklassificering på {score} i {self.pairs['subclass'].nunique()} subklasser "
                    f"({self.estimand}): {fmt_num(n_t, 0)} deltagare och {fmt_num(n_c, 0)} i jämförelsegruppen.")
        return (
            ("Mahalanobis" if self.distance == "mahalanobis" else "Propensity score")
            + f"-matchning 1:{self.ratio} {'med' if self.replace else 'utan'} återläggning"
            + (" (ATC: jämförelsegruppen matchas till deltagare)" if self.estimand == "ATC" else "")
            + (f", caliper {fmt_num(self.caliper, 2)} SD" if self.caliper is not None else "")
            + (f", exakt på {', '.join(column_label(e).lower() for e in self.exact)}" if self.exact else "")
            + f": {fmt_num(n_t, 0)} deltagare och {fmt_num(n_c, 0)} i jämförelsegruppen."
        )

    @property
    def n_treated_matched(self) -> int:
        return int(((self.matched[self.treatment] == 1) & (self.matched["weights"] > 0)).sum())

    @property
    def notes(self) -> list[str]:
        out = [self.caption]
        if self.exclusions:
            out.append("Ej matchade: " + "; ".join(e.describe() for e in self.exclusions.items) + ".")
        out.extend(self._balance_notes())
        out.extend(self.fit_notes)
        return out

    def table(self) -> pd.DataFrame:
        return self.balance()

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        return self.love_plot(ax=ax, **kwargs)

    def _distance_column(self) -> pd.Series | None:
        if self.distance == "mahalanobis":
            return None
        if self.distance == "ps":
            return self.ps.rename("Propensity score")
        return self.logit_ps.rename("Propensity score (logit)")

    # ------------------------------------------------------------------ weights and effect
    @property
    def unit_weights(self) -> pd.Series:
        """Matching weight per row of the input data (0 for unmatched units)."""
        w = pd.Series(0.0, index=self.data.index)
        w.loc[self.matched.index] = self.matched["weights"].to_numpy()
        return w

    def _effect_sample(self) -> pd.DataFrame:
        return self.pairs

    def _refit(self, frame: pd.DataFrame) -> MatchResult:
        return match(frame, self.treatment, self.covariates, exact=self.exact or None, ratio=self.ratio,
                     replace=self.replace, caliper=self.caliper, estimand=self.estimand, m_order=self.m_order,
                     unit=None, random_state=self.random_state, method=self.method, distance=self.distance,
                     subclass=self.subclass, min_n=self.min_n)


# --------------------------------------------------------------------------- public API


def match(
    data: pd.DataFrame,
    treatment: str,
    covariates: list[str] | tuple[str, ...],
    *,
    exact: str | list[str] | None = None,
    ratio: int = 1,
    replace: bool = False,
    caliper: float | None = 0.2,
    estimand: Literal["ATT", "ATC", "ATE"] = "ATT",
    m_order: Literal["largest", "smallest", "random", "data"] | None = None,
    unit: str | None = "person_id",
    random_state: int = 0,
    method: Literal["nearest", "subclass"] = "nearest",
    distance: Literal["logit", "ps", "mahalanobis"] = "logit",
    subclass: int = 6,
    min_n: int = 1,
    thresholds: float | dict[str, float] | None = None,
) -> MatchResult:
    """Propensity score matching (nearest neighbour) or subclassification.

    Parameters
    ----------
    data
        One row per unit (person). A person-period panel must first be reduced
        to one baseline row per person, e.g. with :func:`person_baseline`.
    treatment
        0/1 column: 1 = participant.
    covariates
        Columns in the propensity score model; text/categorical columns are
        one-hot coded (first level dropped in the model, all levels in the
        balance table).
    exact
        Column(s) to match exactly on (e.g. ``["forbund", "kon"]``); nearest
        neighbour only.
    ratio
        Matches per focal unit (1:k).
    replace
        Match with replacement (a unit may serve several focal units).
    caliper
        Maximum distance in SD of the distance measure (default 0.2); ``None``
        disables it (MatchIt's default).
    estimand
        ``"ATT"`` (participants get controls), ``"ATC"`` (controls get
        participants) or, with ``method="subclass"`` only, ``"ATE"``.
    m_order
        Order in which focal units pick matches without replacement:
        ``"largest"`` score first (default for the ATT), ``"smallest"``
        (default for the ATC), ``"random"`` (seeded by ``random_state``) or
        ``"data"`` (row order).
    unit
        Id column checked for duplicates (panel input); ``None`` skips the check.
    random_state
        Seed for ``m_order="random"``; results are deterministic either way.
    method
        ``"nearest"`` (greedy nearest neighbour) or ``"subclass"``
        (subclassification on the score, MatchIt's ``method="subclass"``).
    distance
        Match on the logit of the score (default), on the score itself
        (``"ps"``, as MatchIt's default ``distance="glm"``) or on the
        Mahalanobis distance of the covariates (``"mahalanobis"``, pooled
        within-group covariance as MatchIt; with ``replace=True`` and
        ``caliper=None`` only, found exactly with a k-d tree).
    subclass, min_n
        Number of subclasses and the least number of participants and of
        controls in each (``method="subclass"``).
    thresholds
        Balance thresholds for the verdicts, e.g. ``dict(m=0.1, v=2, ks=0.05)``.

    Returns
    -------
    MatchResult

    Raises
    ------
    SchemaError
        Panel input (repeated ``unit`` ids) or a treatment column that is not 0/1.
    EstimationError
        No participants or controls, no overlap (separation, nothing within
        the caliper), no match in any exact stratum, or an estimand the method
        cannot target (the ATE with nearest neighbour).
    ConfigError
        Invalid arguments.

    Examples
    --------
    >>> from finsam_eval.effects.match import _simulate
    >>> d = _simulate(2000, seed=1)
    >>> m = match(d, "deltagare", ["alder", "kon", "utbildning"], exact="forbund")
    >>> bool((m.balance()["smd_efter"].abs() < 0.1).all())
    True
    >>> int(m.counts.query("grupp == 'Deltagare' and status == 'Totalt'")["antal"].iloc[0])
    200
    >>> s = match(d, "deltagare", ["alder", "kon", "utbildning"], method="subclass", estimand="ATE")
    >>> s.pairs["subclass"].nunique()
    6
    """
    from .balance import _thresholds

    covariates = list(covariates)
    exact_cols = [exact] if isinstance(exact, str) else list(exact or [])
    if method not in _ESTIMANDS:
        raise ConfigError(f"method måste vara 'nearest' eller 'subclass', fick {method!r}.")
    if estimand not in ("ATT", "ATC", "ATE"):
        raise ConfigError(f"estimand måste vara 'ATT', 'ATC' eller 'ATE', fick {estimand!r}.")
    if estimand not in _ESTIMANDS[method]:
        raise EstimationError(
            f"match: method={method!r} kan inte skatta {estimand} (som i MatchIt: närmaste granne ger ATT eller "
            "ATC). Använd method='subclass' eller finsam_eval.effects.weight(..., estimand='ATE')."
        )
    if not isinstance(ratio, int | np.integer) or ratio < 1:
        raise ConfigError(f"ratio måste vara ett heltal >= 1, fick {ratio!r}.")
    if caliper is not None and caliper <= 0:
        raise ConfigError(f"caliper måste vara positiv eller None, fick {caliper!r}.")
    if m_order is None:
        m_order = "smallest" if estimand == "ATC" else "largest"
    if m_order not in ("largest", "smallest", "random", "data"):
        raise ConfigError(f"m_order måste vara 'largest', 'smallest', 'random' eller 'data', fick {m_order!r}.")
    if distance not in ("logit", "ps", "mahalanobis"):
        raise ConfigError(f"distance måste vara 'logit', 'ps' eller 'mahalanobis', fick {distance!r}.")
    if distance == "mahalanobis" and (method != "nearest" or not replace or caliper is not None):
        raise ConfigError(
            "distance='mahalanobis' kräver method='nearest', replace=True och caliper=None (matchning utan "
            "återläggning och caliper finns bara för propensity score-avståndet)."
        )
    if not covariates:
        raise ConfigError("Ange minst en kovariat i covariates.")
    if method == "subclass":
        if exact_cols:
            raise ConfigError("match: exact= går inte med method='subclass' (som i MatchIt); ta med variablerna "
                              "i covariates eller använd method='nearest'.")
        if not isinstance(subclass, int | np.integer) or subclass < 2:
            raise ConfigError(f"subclass måste vara ett heltal >= 2, fick {subclass!r}.")
        if not isinstance(min_n, int | np.integer) or min_n < 0:
            raise ConfigError(f"min_n måste vara ett heltal >= 0, fick {min_n!r}.")
    thr = _thresholds(thresholds, {"m": 0.1})
    from .._progress import progress

    bar = progress(total=3, desc="Matchning", unit="steg")  # drawn only if the call lasts over a second
    with bar:
        return _match(data, treatment, covariates, exact_cols, ratio, replace, caliper, estimand, m_order, unit,
                      random_state, method, distance, subclass, min_n, thr, bar)


def _match(data: pd.DataFrame, treatment: str, covariates: list[str], exact_cols: list[str], ratio: int,
           replace: bool, caliper: float | None, estimand: str, m_order: str, unit: str | None, random_state: int,
           method: str, distance: str, subclass: int, min_n: int, thr: dict[str, float], bar: Any) -> MatchResult:
    bar.set_postfix_str("propensity score")
    prep = _prepare(data, treatment, covariates, exact_cols, unit=unit, what="match")
    d, treat = prep.data, prep.treat
    lp, ps, X, params, fit_notes = _propensity(d, treat, covariates)
    bar.update(1)
    dist = ps if distance == "ps" else lp  # the score still orders, subclassifies and is plotted
    width = np.inf if caliper is None else float(caliper * np.std(dist, ddof=1))
    idx = d.index
    common = dict(data=d, treatment=treatment, covariates=covariates, exact=exact_cols, ratio=int(ratio),
                  replace=replace, caliper=caliper, caliper_width=width, estimand=estimand, m_order=m_order,
                  random_state=random_state, ps=pd.Series(ps, index=idx, name="ps"),
                  logit_ps=pd.Series(lp, index=idx, name="logit_ps"),
                  params=pd.Series(params, index=["const", *X.columns]), fit_notes=fit_notes, thresholds=thr,
                  method=method, distance=distance, subclass=int(subclass), min_n=int(min_n))
    bar.set_postfix_str("matchning")
    if method == "subclass":
        return _subclassify(prep, dist, common)
    return _nearest(prep, dist, width, common, bar)


def _subclassify(prep: Any, dist: np.ndarray, common: dict[str, Any]) -> MatchResult:
    d, treat, exclusions = prep.data, prep.treat, prep.exclusions
    estimand, k, min_n, treatment = common["estimand"], common["subclass"], common["min_n"], common["treatment"]
    base = {"ATT": dist[treat], "ATC": dist[~treat]}.get(estimand, dist)
    qu = np.quantile(base, np.linspace(0, 1, k + 1))  # R's quantile type 7
    sub = np.clip(np.searchsorted(qu, dist, side="right"), 1, len(qu) - 1)  # findInterval(all.inside = TRUE)
    notes = list(common["fit_notes"])
    if len(np.unique(sub)) < k:
        notes.append(f"Diskret propensity score: färre subklasser ({len(np.unique(sub))}) än begärt ({k}).")
    keep = np.ones(len(d), dtype=bool)
    if min_n == 0:
        both = np.intersect1d(sub[treat], sub[~treat])
        keep = np.isin(sub, both)
    else:
        if min(treat.sum(), (~treat).sum()) < min_n * len(np.unique(sub)):
            raise EstimationError(
                f"match: för få deltagare eller kontroller för {len(np.unique(sub))} subklasser med minst {min_n} "
                "av varje; minska subclass eller min_n."
            )
        sub = _subclass_scoot(sub, treat, dist, min_n)
    _, sub_codes = np.unique(sub[keep], return_inverse=True)
    sub_full = np.zeros(len(d), dtype=np.int64)
    sub_full[keep] = sub_codes + 1
    nt = np.bincount(sub_full[keep & treat], minlength=sub_full.max() + 1).astype(float)
    nc = np.bincount(sub_full[keep & ~treat], minlength=sub_full.max() + 1).astype(float)
    w = np.zeros(len(d))
    s_t, s_c = sub_full[keep & treat], sub_full[keep & ~treat]
    t_over_c = nt / np.where(nc > 0, nc, 1)  # subclass 0 (dropped units) is empty in both groups
    c_over_t = nc / np.where(nt > 0, nt, 1)
    if estimand == "ATT":
        w[keep & treat], w[keep & ~treat] = 1.0, t_over_c[s_c]
    elif estimand == "ATC":
        w[keep & treat], w[keep & ~treat] = c_over_t[s_t], 1.0
    else:
        w[keep & treat] = 1 + c_over_t[s_t]
        w[keep & ~treat] = 1 + t_over_c[s_c]
    for g in (treat, ~treat):  # MatchIt's normalize = TRUE: mean 1 among nonzero weights per group
        nz = g & (w > 0)
        w[nz] /= w[nz].mean()
    idx = d.index
    lost_t, lost_c = idx[treat & ~keep], idx[~treat & ~keep]
    exclusions.add("deltagare: ingen kontroll i samma subklass", len(lost_t), rows=lost_t)
    exclusions.add("kontroller: ingen deltagare i samma subklass", len(lost_c), rows=lost_c)
    pairs = pd.DataFrame({"subclass": sub_full[keep], "row": idx[keep], "treated": treat[keep].astype(int),
                          "weights": w[keep]})
    matched = d.loc[keep].copy()
    matched["ps"] = common["ps"].loc[matched.index]
    matched["logit_ps"] = common["logit_ps"].loc[matched.index]
    matched["subclass"] = sub_full[keep]
    matched["pair_id"] = matched["subclass"]
    matched["weights"] = w[keep]
    counts = _counts(prep, treatment, int((keep & treat).sum()), int((keep & ~treat).sum()),
                     [("Deltagare", "Ej matchade: ingen kontroll i samma subklass", len(lost_t)),
                      ("Kontroller", "Ej matchade: ingen deltagare i samma subklass", len(lost_c))])
    common = {**common, "fit_notes": notes}
    return MatchResult(matched=matched, pairs=pairs, counts=counts, exclusions=exclusions, **common)


def _counts(prep: Any, treatment: str, n_t_used: int, n_c_used: int, extra: list[tuple[str, str, int]]) -> pd.DataFrame:
    """Counts table: total, matched and every reason for leaving a unit out, per group."""
    rows = [("Deltagare", "Totalt", prep.n_t_total), ("Deltagare", "Matchade", n_t_used),
            ("Deltagare", f"Ej matchade: {_REASON_MISSING}", prep.n_missing_t)]
    rows += [r for r in extra if r[0] == "Deltagare"]
    rows += [("Kontroller", "Totalt", prep.n_c_total), ("Kontroller", "Matchade", n_c_used),
             ("Kontroller", f"Ej använda: {_REASON_MISSING}", prep.n_missing_c)]
    rows += [r for r in extra if r[0] == "Kontroller"]
    if prep.n_missing_other:
        rows.append(("Okänd grupp", f"Saknar värde i {treatment!r}", prep.n_missing_other))
    return pd.DataFrame(rows, columns=["grupp", "status", "antal"])


def _whitened(d: pd.DataFrame, covariates: list[str], treat: np.ndarray) -> np.ndarray:
    """Covariates transformed so that Euclidean distance is the Mahalanobis distance (MatchIt's definition).

    MatchIt scales by the pooled within-group covariance matrix (divisor n - 2); categoricals enter as dummies
    less one level, which gives the same distances as all levels with a generalised inverse.
    """
    X = _design(d, covariates, drop_first=True).to_numpy(dtype=float)
    X = X[:, X.std(axis=0) > 0]
    centred = X.copy()
    for g in (treat, ~treat):
        centred[g] -= centred[g].mean(axis=0)
    S = centred.T @ centred / (len(X) - 2)
    L = np.linalg.cholesky(np.linalg.pinv(S) + 1e-12 * np.eye(len(S)))
    return X @ L


def _nearest(prep: Any, dist: np.ndarray, width: float, common: dict[str, Any], bar: Any = None) -> MatchResult:
    d, treat, exclusions = prep.data, prep.treat, prep.exclusions
    estimand, ratio, replace = common["estimand"], common["ratio"], common["replace"]
    m_order, treatment = common["m_order"], common["treatment"]
    focal = treat if estimand == "ATT" else ~treat
    f_name, o_name = ("deltagare", "kontroll") if estimand == "ATT" else ("kontroller", "deltagare")
    maha = _whitened(d, common["covariates"], treat) if common["distance"] == "mahalanobis" else None

    # Exact strata as integer codes.
    codes = np.zeros(len(d), dtype=np.int64)
    for c in common["exact"]:  # combined integer codes, column by column (no row-wise string work)
        cc, levels = pd.factorize(d[c], sort=True)
        codes = codes * len(levels) + cc

    rng = np.random.default_rng(common["random_state"])
    pos_f_all = np.flatnonzero(focal)
    if m_order == "random":
        global_order = rng.permutation(len(pos_f_all))
    elif m_order == "largest":
        global_order = np.argsort(-dist[pos_f_all], kind="stable")
    elif m_order == "smallest":
        global_order = np.argsort(dist[pos_f_all], kind="stable")
    else:
        global_order = np.arange(len(pos_f_all))
    rank = np.empty(len(pos_f_all), dtype=np.int64)
    rank[global_order] = np.arange(len(pos_f_all))
    rank_of = np.full(len(d), -1, dtype=np.int64)  # matching order of each focal row (array, not dict: speed)
    rank_of[pos_f_all] = rank

    f_all, o_all, no_stratum = _match_strata(codes, focal, dist, rank_of, ratio, replace, width, maha)
    if bar is not None:
        bar.update(1)
        bar.set_postfix_str("matchat urval")
    ok = o_all >= 0
    # Sets of rows via counts over all rows: np.unique hashes and is slow at register scale.
    n_links = np.bincount(f_all[ok], minlength=len(d))
    matched_f = np.flatnonzero(n_links > 0)
    caliper_lost = np.flatnonzero((np.bincount(f_all, minlength=len(d)) > 0) & (n_links == 0))
    idx = d.index
    r_stratum = f"ingen {o_name} i samma exakta stratum"
    # Without a caliper a focal unit is left out only when matching without replacement has used up the others.
    r_caliper = (f"ingen {o_name} inom caliper" if np.isfinite(width) else
                 f"ingen ledig {o_name} kvar (fler {f_name} än {'kontroller' if o_name == 'kontroll' else o_name})")
    exclusions.add(f"{f_name}: {r_stratum}", len(no_stratum), rows=idx[no_stratum])
    exclusions.add(f"{f_name}: {r_caliper}", len(caliper_lost), rows=idx[caliper_lost])
    if len(matched_f) == 0:
        why = (
            f"ingen {o_name} finns i de exakta strata" if len(f_all) == 0 else
            f"ingen {o_name} ligger inom caliper ({fmt_num(common['caliper'], 2)} SD) från någon"
        )
        raise EstimationError(
            f"match: ingen {'deltagare' if estimand == 'ATT' else 'kontroll'} kunde matchas: {why}. Deltagare och "
            "kontroller överlappar inte; kontrollera urvalet, öka caliper eller minska antalet exakta variabler."
        )

    # Long form: one row per focal set member and per (focal, match) link.
    f_ok, o_ok = f_all[ok], o_all[ok]
    subclass_of = np.zeros(len(d), dtype=np.int64)  # matched sets numbered in matching order
    subclass_of[matched_f[np.argsort(rank_of[matched_f], kind="stable")]] = np.arange(1, len(matched_f) + 1)
    sub_f = subclass_of[matched_f]
    sub_o = subclass_of[f_ok]
    w_o = 1.0 / n_links[f_ok]
    # Long form and per-unit weights with positional numpy arrays (pandas sorts and groupbys were most of the
    # time when a million controls are the focal group).
    sub_all = np.concatenate([sub_f, sub_o])
    pos_all = np.concatenate([matched_f, o_ok])
    tr_all = treat[pos_all].astype(int)
    w_all = np.concatenate([np.ones(len(matched_f)), w_o])
    order = np.lexsort((-tr_all, sub_all))  # by matched set, the focal participant first
    pairs = pd.DataFrame({"subclass": sub_all[order], "row": idx[pos_all[order]], "treated": tr_all[order],
                          "weights": w_all[order]})
    unit_w = np.bincount(pos_all, weights=w_all, minlength=len(d))
    first_sub = np.full(len(d), np.iinfo(np.int64).max)
    np.minimum.at(first_sub, pos_all, sub_all)
    used = np.flatnonzero(first_sub < np.iinfo(np.int64).max)
    matched = d.iloc[used].copy()
    matched["ps"] = common["ps"].to_numpy()[used]
    matched["logit_ps"] = common["logit_ps"].to_numpy()[used]
    matched["subclass"] = first_sub[used]
    matched["pair_id"] = matched["subclass"]
    matched["weights"] = unit_w[used]
    matched = matched.sort_values(["subclass", treatment], ascending=[True, False], kind="stable")

    n_t_used = int((matched[treatment] == 1).sum())
    n_c_used = int((matched[treatment] == 0).sum())
    g_focal, g_other = ("Deltagare", "Kontroller") if estimand == "ATT" else ("Kontroller", "Deltagare")
    n_o_total = prep.n_c_total if estimand == "ATT" else prep.n_t_total
    n_o_missing = prep.n_missing_c if estimand == "ATT" else prep.n_missing_t
    n_o_used = n_c_used if estimand == "ATT" else n_t_used
    o_single = "deltagare" if estimand == "ATT" else "kontroll"
    extra = [(g_focal, f"Ej matchade: {r_stratum}", len(no_stratum)),
             (g_focal, f"Ej matchade: {r_caliper}", len(caliper_lost)),
             (g_other, f"Ej använda: inte närmast någon {o_single}", n_o_total - n_o_used - n_o_missing)]
    counts = _counts(prep, treatment, n_t_used, n_c_used, extra)
    if len(caliper_lost) and not replace and not np.isfinite(width):
        common = {**common, "fit_notes": [*common["fit_notes"], (
            f"{len(caliper_lost)} {f_name} fick ingen match eftersom matchningen är utan återläggning; "
            f"skattningen avser de matchade {f_name}, inte alla ({estimand}). replace=True matchar alla.")]}
    return MatchResult(matched=matched, pairs=pairs, counts=counts, exclusions=exclusions, **common)


def person_baseline(
    panel: pd.DataFrame,
    *,
    outcomes: str | list[str] | None = None,
    unit: str = "person_id",
    period: str = "period",
    start: str = "start_period",
    treatment: str = "deltagare",
    post: int | None = None,
    pre: int = 8,
    random_state: int = 0,
) -> pd.DataFrame:
    """One baseline row per person from a person-period panel, with post-period outcomes.

    Participants get the row of the period before they started
    (``start - 1``). Never-treated controls get a pseudo start drawn (seeded)
    from the participants' start periods, so that controls are measured at the
    same calendar times as participants, and their row before that pseudo start.
    Outcomes are averaged over the periods from (pseudo) start on (``post``
    periods if given, otherwise to the end of the panel); the mean over the
    ``pre`` periods before start is kept as ``<outcome>_fore`` for use as a
    covariate (pre-start outcomes are the strongest confounders in register
    data), and the change ``<outcome>_forandring`` (after minus before) is
    the outcome of a matched difference-in-differences.

    When participants also differ from the comparison group in a stable
    unobserved way (a person effect), matching on ``<outcome>_fore`` leaves
    part of that difference (the mean before start is a noisy measure of it)
    and biases the effect towards the naive comparison. Matching on the
    baseline covariates *without* ``<outcome>_fore`` and estimating the
    effect on ``<outcome>_forandring`` differences the person effect away
    (matched difference-in-differences; do not also match on the pre-start
    outcome, which brings back regression to the mean). On the sample
    register this recovers the true ATT (see ``load_sample("register_truth")``):

    >>> from finsam_eval import load_sample
    >>> reg = load_sample("register")                                # doctest: +SKIP
    >>> bas = person_baseline(reg, outcomes="arbete_studier", post=9)  # doctest: +SKIP
    >>> m = match(bas, "deltagare", ["alder", "kon", "utbildning", "forsorjning_fore",
    ...                              "manader_stod"], exact=["forbund"])  # doctest: +SKIP
    >>> m.effect("arbete_studier_forandring", adjust=True)            # doctest: +SKIP

    Parameters
    ----------
    panel
        Person-period data with ``unit``, ``period``, ``treatment`` and
        ``start`` (missing for never-treated).
    outcomes
        Outcome column(s) to average over the post periods.
    post
        Number of post periods (from start) to average; ``None`` = all (to
        the end of the panel, so the window differs between start cohorts).
        ``post=9`` is the first nine quarters (event time 0 to 8), the window
        of the sample register's true effect.
    pre
        Number of periods before start averaged into ``<outcome>_fore``.
    random_state
        Seed for the pseudo start periods of the controls.

    Returns
    -------
    pandas.DataFrame
        One row per person (covariates at baseline, ``start_period`` and
        ``pseudo_start``, outcomes averaged over the post periods,
        ``<outcome>_fore`` and ``<outcome>_forandring``); ``attrs
        ["utfallsfonster"]`` records ``post`` and ``pre``.

    Examples
    --------
    >>> p = pd.DataFrame({"person_id": [1, 1, 1, 2, 2, 2], "period": [0, 1, 2] * 2,
    ...                   "deltagare": [1, 1, 1, 0, 0, 0], "start_period": [1, 1, 1, None, None, None],
    ...                   "y": [0, 1, 1, 0, 0, 1]})
    >>> person_baseline(p, outcomes="y")[["period", "y_fore", "y"]].values.tolist()
    [[0.0, 0.0, 1.0], [0.0, 0.0, 0.5]]
    """
    outs = [outcomes] if isinstance(outcomes, str) else list(outcomes or [])
    _check_columns(panel, [unit, period, start, treatment, *outs], "person_baseline")
    first = panel.groupby(unit, sort=True).first()
    treated_start = first.loc[first[treatment] == 1, start].dropna()
    if treated_start.empty:
        raise EstimationError("person_baseline: inga deltagare med startperiod i panelen.")
    rng = np.random.default_rng(random_state)
    pseudo = first[start].copy().astype(float)
    ctrl = pseudo.isna()
    pseudo[ctrl] = rng.choice(treated_start.to_numpy(dtype=float), size=int(ctrl.sum()), replace=True)
    ps_map = panel[unit].map(pseudo)
    base = panel[panel[period] == ps_map - 1].drop_duplicates(unit).set_index(unit)
    if len(base) < len(first):
        raise EstimationError(
            f"person_baseline: {len(first) - len(base)} personer saknar en rad i perioden före (pseudo)start; "
            "panelen måste omfatta minst en period före start."
        )
    res = base.copy()
    res["pseudo_start"] = pseudo.loc[res.index]
    if outs:
        rel = panel[period] - ps_map
        keep = rel >= 0
        if post is not None:
            keep &= rel < post
        avg = panel.loc[keep].groupby(unit)[outs].mean()
        before = panel.loc[(rel < 0) & (rel >= -pre)].groupby(unit)[outs].mean()
        for o in outs:
            res[f"{o}_fore"] = before[o].reindex(res.index).astype(float)
            res[o] = avg[o].reindex(res.index)
            res[f"{o}_forandring"] = res[o] - res[f"{o}_fore"]
        res.attrs["utfallsfonster"] = {"post": post, "pre": pre}
    return res.reset_index()


def _simulate(
    n: int = 2000, *, effect: float | dict[str, float] = 0.1, share: float = 0.1, seed: int = 0
) -> pd.DataFrame:
    """Small cross-section with selection on observables and a known ATT (tests and examples).

    ``effect`` may be a dict per förbund (Botkyrka, Huddinge, Södertälje).
    """
    rng = np.random.default_rng(seed)
    n_t = int(round(n * share))
    alder = rng.integers(18, 64, n).astype(float)
    kon = rng.choice(["kvinna", "man"], n)
    utb = rng.choice(["förgymnasial", "gymnasial", "eftergymnasial"], n, p=[0.3, 0.5, 0.2])
    forbund = rng.choice(["Botkyrka", "Huddinge", "Södertälje"], n)
    z = 0.04 * (alder - 40) + 0.4 * (kon == "kvinna") + 0.8 * (utb == "förgymnasial")
    # Exactly n_t participants, more likely with higher z (Gumbel top-k = sampling without replacement).
    g = z + rng.gumbel(size=n)
    deltagare = np.zeros(n, dtype=int)
    deltagare[np.argsort(-g)[:n_t]] = 1
    p0 = 1 / (1 + np.exp(-(-0.5 - 0.03 * (alder - 40) - 0.5 * (utb == "förgymnasial") + 0.3 * (kon == "man"))))
    eff = pd.Series(forbund).map(effect).to_numpy(dtype=float) if isinstance(effect, dict) else effect
    y = (rng.random(n) < np.clip(p0 + eff * deltagare, 0, 1)).astype(float)
    return pd.DataFrame(
        {"person_id": np.arange(n), "forbund": forbund, "kon": kon, "alder": alder, "utbildning": utb,
         "deltagare": deltagare, "arbete_studier": y}
    )


def _simulate_heterogeneous(n: int = 4000, *, seed: int = 0) -> pd.DataFrame:
    """Cross-section with an effect that grows with the covariates, so ATT, ATC and ATE differ (tests, examples).

    Participation rises with ``x1`` and ``x2``, the effect is ``2 + 2 x1 + x2``,
    so participants gain more than controls would. The sample truths are in
    ``attrs["truth"]`` (means of the unit-level effect over participants,
    controls and everyone).
    """
    rng = np.random.default_rng(seed)
    x1 = rng.normal(size=n)
    x2 = (rng.random(n) < 0.4).astype(float)
    grupp = rng.choice(["a", "b", "c"], n, p=[0.5, 0.3, 0.2])
    lin = -1.0 + 0.9 * x1 + 0.6 * x2 + 0.4 * (grupp == "c")
    t = (rng.random(n) < 1 / (1 + np.exp(-lin))).astype(int)
    tau = 2.0 + 2.0 * x1 + 1.0 * x2
    y0 = 1.0 + 1.5 * x1 + 0.8 * x2 + 0.5 * (grupp == "b") + rng.normal(size=n)
    d = pd.DataFrame({"person_id": np.arange(n), "x1": x1, "x2": x2, "grupp": grupp, "deltagare": t,
                      "y": y0 + t * tau})
    d.attrs["truth"] = {"ATT": float(tau[t == 1].mean()), "ATC": float(tau[t == 0].mean()), "ATE": float(tau.mean())}
    return d
