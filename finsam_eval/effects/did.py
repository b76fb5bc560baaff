"""Difference-in-differences on person-period (or kommun-year) panels.

:func:`did` estimates the effect of taking part (``deltagare``) on an outcome
by comparing the change over time for participants with the change for
controls. Two designs:

- ``fe="twfe"`` (default): two-way fixed effects, one intercept per unit and
  per period, absorbed by the within transformation (no dummy columns, so a
  register panel of 200 000 rows and 9 000 persons takes a fraction of a
  second);
- ``fe="2x2"``: the classic treated-group × post design with a group dummy
  and period dummies.

Standard errors are cluster-robust (CR1, the same small-sample correction
as Stata and statsmodels), by default clustered on the person. Clustering
on förbund or kommun gives only a handful of clusters: the function then
warns (:class:`~finsam_eval.effects.inference.FewClustersWarning`) and
``inference="wild"`` or ``inference="ri"`` give p-values that hold up.

With staggered starts and effects that change over time or differ between
start cohorts, the TWFE estimate is a weighted average with possibly
negative weights; use :func:`finsam_eval.effects.staggered.staggered_did`
then (the notes say so).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import DuplicateIdError, EstimationError, MissingColumnError, SchemaError
from ..results import Exclusions, ResultMixin
from ..sv import fmt_ci, fmt_num
from ._fe import compact, constant_within, factor
from .inference import (
    FewClustersWarning,
    cluster_vcov,
    comma_axis,
    demean,
    p_text,
    randomisation_inference,
    summary_text,
    t_pvalue,
    warn_few_clusters,
    wild_cluster_bootstrap,
)

__all__ = ["did", "DidResult", "simulate_panel", "FewClustersWarning"]


# ---------------------------------------------------------------------------
# Data preparation shared with event_study and randomisation inference
# ---------------------------------------------------------------------------


@dataclass
class _Prep:
    frame: pd.DataFrame
    outcome: str
    unit: str
    time: str
    treat: str
    mode: str  # "post" (group x post column) or "start" (time >= start)
    post: str | None
    covariates: list[str]
    cluster: str
    fe: str
    weights: str | None
    exclusions: Exclusions
    notes: list[str]
    ssc: str = "nested"
    cache: dict[str, Any] = field(default_factory=dict)


_GRP = "_finsam_grp"
_START = "_finsam_start"
_ROW = "_finsam_rad"


def _require(data: pd.DataFrame, cols: list[str]) -> None:
    missing = [c for c in cols if c not in data.columns]
    if missing:
        raise MissingColumnError(
            f"Kolumnen/kolumnerna {', '.join(map(repr, missing))} saknas i data. "
            f"Tillgängliga kolumner: {', '.join(map(str, data.columns[:20]))}. Ange rätt namn i anropet."
        )


def _prepare(
    data: pd.DataFrame,
    outcome: str,
    *,
    unit: str | None = "person_id",
    time: str = "period",
    treat: str = "deltagare",
    post: str | None = None,
    covariates: list[str] | None = None,
    cluster: str | None = None,
    fe: str = "twfe",
    weights: str | None = None,
    extra: list[str] | None = None,
    ssc: str = "nested",
) -> _Prep:
    if ssc not in ("nested", "dummies"):
        raise EstimationError(f"Okänt ssc={ssc!r}: välj 'nested' eller 'dummies'.")
    if fe not in ("twfe", "2x2"):
        raise EstimationError(f"Okänt fe={fe!r}: välj 'twfe' (enhets- och periodeffekter) eller '2x2'.")
    covariates = list(covariates or [])
    if unit is None:  # repeated cross-sections without a person id: every row its own unit
        data = data.assign(**{_ROW: np.arange(len(data))})
        unit = _ROW
    cluster = cluster or unit
    need = [outcome, unit, time, treat, *covariates, cluster] + ([post] if post else []) + ([weights] if weights else [])
    _require(data, need + list(extra or []))
    cols = list(dict.fromkeys(need + list(extra or []) + (["start_period"] if post is None and
                                                            "start_period" in data.columns else [])))
    frame = data[cols].copy()
    frame.index = pd.RangeIndex(len(frame))
    ex = Exclusions()
    notes: list[str] = []

    # Integer codes of unit, period and cluster, computed once (missing values get a code of their own here,
    # so the duplicate check treats them as pandas' duplicated does; those rows are dropped below).
    uc, u_uni = factor(frame[unit])
    tc, t_uni = factor(frame[time])
    n_u, n_t = len(u_uni) + 1, len(t_uni) + 1
    uc = np.where(uc < 0, n_u - 1, uc)
    tc = np.where(tc < 0, n_t - 1, tc)
    if cluster == unit:
        cc, n_c = uc, n_u
    else:
        cc, c_uni = factor(frame[cluster])
        n_c = len(c_uni) + 1
        cc = np.where(cc < 0, n_c - 1, cc)
    dup = None if unit == _ROW else _duplicated_pairs(uc, n_u, tc, n_t)
    if dup is not None and dup.any():
        rows = np.flatnonzero(dup)
        raise DuplicateIdError(
            f"Panelen har {len(rows)} upprepade kombinationer av {unit!r} och {time!r} "
            f"(första rader {', '.join(str(r + 2) for r in rows[:5])}). Varje enhet får ha en rad per period."
        )
    tr = pd.to_numeric(frame[treat], errors="coerce")
    bad = ~tr.isin([0, 1]) & frame[treat].notna()
    if bad.any():
        raise SchemaError(
            f"Kolumnen {treat!r} ska vara 0/1 (1 = deltagare); {int(bad.sum())} rader har andra värden "
            f"(första rader {', '.join(str(r + 2) for r in np.flatnonzero(bad.to_numpy())[:5])})."
        )
    frame[treat] = tr

    # Rows that cannot enter the regression are counted, never dropped silently.
    for col, why in [(outcome, "utfallet saknas"), (time, "perioden saknas"), (unit, "enhetens id saknas"),
                     (treat, "behandlingsstatus saknas"), (cluster, "klustervariabeln saknas")] + \
            [(c, "kovariaten saknas") for c in covariates] + ([(weights, "vikten saknas")] if weights else []):
        miss = frame[col].isna()
        if miss.any():
            ex.add(why, int(miss.sum()), rows=(np.flatnonzero(miss.to_numpy()) + 2)[:10], column=col)
            keep = ~miss.to_numpy()
            frame = frame[keep]
            uc, tc, cc = uc[keep], tc[keep], (uc[keep] if cc is uc else cc[keep])
    if weights:
        nonpos = frame[weights] <= 0
        if nonpos.any():
            ex.add("vikten är noll eller negativ", int(nonpos.sum()), column=weights)
            keep = ~nonpos.to_numpy()
            frame = frame[keep]
            uc, tc, cc = uc[keep], tc[keep], (uc[keep] if cc is uc else cc[keep])
    if frame.empty:
        raise EstimationError("Inga rader kvar att skatta på efter att rader med saknade värden tagits bort.")
    y = pd.to_numeric(frame[outcome], errors="coerce")
    if y.isna().any():
        raise SchemaError(f"Utfallet {outcome!r} ska vara numeriskt (0/1 eller tal); {int(y.isna().sum())} rader är "
                          f"text. Gör om kolumnen till tal först.")
    if y.min() == y.max():
        raise EstimationError(
            f"Utfallet {outcome!r} är konstant ({y.iloc[0]:g} i alla {len(frame)} rader): det finns ingen skillnad att "
            f"skatta. Kontrollera att rätt utfallskolumn är vald och att den inte har fyllts med ett standardvärde."
        )
    trv = frame[treat].to_numpy(dtype=float)
    rows_u = np.bincount(uc, minlength=n_u)
    tr_u = np.bincount(uc, weights=trv, minlength=n_u)  # treated rows per unit
    n_tr_units = int((tr_u > 0).sum())
    if n_tr_units == 0:
        raise EstimationError(
            f"Inga deltagare: kolumnen {treat!r} är 0 i alla rader. Ange kolumnen som markerar deltagarna (1 = deltagare)."
        )
    if n_tr_units == int((rows_u > 0).sum()) and post is not None:
        pv = pd.to_numeric(frame[post], errors="coerce")
        if pv.dropna().isin([0, 1]).all():
            raise EstimationError(
                f"Inga kontroller: kolumnen {treat!r} är 1 för alla enheter. Skillnad-i-skillnader behöver enheter "
                f"som inte deltar (0 i {treat!r})."
            )
    # (unit, period) pairs are unique, so a unit's number of periods is its number of rows.
    if fe == "twfe" and int((np.bincount(tc, minlength=n_t) > 0).sum()) > 1 and rows_u.max() <= 1:
        # Each unit is seen once: unit effects would absorb the treatment. The 2x2 form (group and period
        # effects) is the TWFE estimator for repeated cross-sections.
        fe = "2x2"
        notes.append(f"Upprepade tvärsnitt (varje {unit!r} finns i en period): enhetseffekter går inte att skatta, så "
                     f"2x2-formen med grupp- och periodeffekter används (samma estimator som TWFE för tvärsnitt).")

    # Unit-level treatment group: ever treated.
    ever = tr_u > 0
    frame[_GRP] = ever[uc].astype(float)
    varies = bool(np.any(ever & (tr_u < rows_u)))
    if post is None:
        if varies:
            # treat switches on within units: read it as absorbing treatment, start = first treated period.
            if pd.api.types.is_numeric_dtype(frame[time]):
                tv1 = frame[time].to_numpy(dtype=float)
                first_u = np.full(n_u, np.inf)
                on = trv == 1
                np.minimum.at(first_u, uc[on], tv1[on])
                frame[_START] = np.where(ever[uc], first_u[uc], np.nan)
            else:
                first = frame[frame[treat] == 1].groupby(unit)[time].min()
                frame[_START] = frame[unit].map(first).astype(float)
            mode = "start"
            notes.append(f"Behandlingen läses från {treat!r} som varaktig från första behandlade period.")
        elif "start_period" in frame.columns:
            frame[_START] = pd.to_numeric(frame["start_period"], errors="coerce").where(frame[_GRP] == 1)
            mode = "start"
        else:
            raise EstimationError(
                f"Ange post= : en 0/1-kolumn för perioden efter start, eller en kolumn med startperiod "
                f"(t.ex. 'start_period'). {treat!r} är konstant inom enheterna och ingen 'start_period' finns."
            )
    else:
        pv = pd.to_numeric(frame[post], errors="coerce")
        if pv.dropna().isin([0, 1]).all() and pv.notna().all():
            frame[post] = pv
            mode = "post"
        else:
            frame[_START] = pv.where(frame[_GRP] == 1)
            mode = "start"
    if mode == "start":
        scol = post if post is not None else ("start_period" if not varies and "start_period" in frame.columns else None)
        if pd.to_numeric(frame[time], errors="coerce").isna().any():
            raise SchemaError(
                f"Kolumnen {time!r} ska vara ett tal (år eller löpnummer) när behandlingen anges med en startperiod: "
                f"händelsetiden är period minus start. Läs perioder som '2021K3' med "
                f"finsam_eval.io.parse_period(..., as_index=True), för både {time!r} och startkolumnen."
            )
        if scol and (pd.to_numeric(frame[scol], errors="coerce").isna() & frame[scol].notna()).any():
            raise SchemaError(
                f"Startkolumnen {scol!r} har värden som inte är tal: ange start i samma enhet som {time!r} (år eller "
                f"löpnummer; '2021K3' läses med finsam_eval.io.parse_period(..., as_index=True))."
            )
        st = frame.loc[(frame[_GRP] == 1) & frame[_START].notna(), _START].astype(float)
        tv = pd.to_numeric(frame[time]).astype(float)
        lo, hi = float(tv.min()), float(tv.max())
        if len(st) and not ((st >= lo - (hi - lo + 1)) & (st <= hi + 1)).any():
            raise SchemaError(
                f"Startperioderna i {scol or 'startkolumnen'!r} ({st.min():g}–{st.max():g}) ligger utanför perioderna i "
                f"{time!r} ({lo:g}–{hi:g}): kolumnerna är på olika skalor (till exempel år mot kvartalsindex, eller "
                f"kvartal mot månader). Ange start i samma enhet som {time!r}."
            )
        nostart = (frame[_GRP] == 1) & frame[_START].isna()
        if nostart.any():
            n_units = frame.loc[nostart, unit].nunique()
            ex.add("deltagare utan startperiod", int(nostart.sum()), column=post or "start_period")
            notes.append(f"{n_units} deltagare utan startperiod har uteslutits.")
            keep = ~nostart.to_numpy()
            frame = frame[keep]
            uc, tc, cc = uc[keep], tc[keep], (uc[keep] if cc is uc else cc[keep])

    for c in covariates:
        if not pd.api.types.is_numeric_dtype(frame[c]):
            dummies = pd.get_dummies(frame[c], prefix=c, drop_first=True, dtype=float)
            frame = pd.concat([frame.drop(columns=[c]), dummies], axis=1)
            covariates = [x for x in covariates if x != c] + list(dummies.columns)
    prep = _Prep(frame, outcome, unit, time, treat, mode, post, covariates, cluster, fe, weights, ex, notes, ssc)
    ucd = compact(uc, n_u)
    prep.cache["codes"] = {"unit": ucd, "time": compact(tc, n_t), "cluster": ucd if cc is uc else compact(cc, n_c)}
    return prep


def _duplicated_pairs(uc: np.ndarray, n_u: int, tc: np.ndarray, n_t: int) -> np.ndarray | None:
    """Rows repeating an earlier (unit, period) pair, as ``DataFrame.duplicated``; ``None`` when there are none."""
    key = uc.astype(np.int64) * n_t + tc
    if n_u * n_t <= 8 * len(key) + 1024:
        if np.bincount(key, minlength=n_u * n_t).max(initial=0) <= 1:
            return None
    elif not pd.Series(key).duplicated().any():
        return None
    return pd.Series(key).duplicated().to_numpy()


def _codes(prep: _Prep, col: str, frame: pd.DataFrame | None = None) -> tuple[np.ndarray, int]:
    """Sorted integer codes of ``col`` on the prepared rows (cached for unit, period and cluster)."""
    named = {prep.unit: "unit", prep.time: "time", prep.cluster: "cluster"}
    cached = prep.cache.get("codes", {})
    if col in named and named[col] in cached:
        return cached[named[col]]
    key = ("col", col)
    if key not in prep.cache or frame is not None and frame is not prep.frame:
        codes, uniq = factor((frame if frame is not None else prep.frame)[col])
        if frame is not None and frame is not prep.frame:
            return codes, len(uniq)
        prep.cache[key] = (codes, len(uniq))
    return prep.cache[key]


def _group_counts(prep: _Prep) -> tuple[int, int]:
    """Participating and control units (the group of each unit is constant)."""
    uc, n_u = _codes(prep, prep.unit)
    g_u = np.full(n_u, np.nan)
    g_u[uc] = prep.frame[_GRP].to_numpy(dtype=float)
    return int((g_u == 1).sum()), int((g_u == 0).sum())


def _trends(prep: _Prep) -> pd.DataFrame:
    """Mean outcome per period and group (columns ``period``, ``grupp``, ``medel``), sorted as a groupby."""
    fr = prep.frame
    tc, n_t = _codes(prep, prep.time)
    g = fr[_GRP].to_numpy(dtype=float)
    key = tc * 2 + (g == 1)
    cnt = np.bincount(key, minlength=2 * n_t)
    tot = np.bincount(key, weights=fr[prep.outcome].to_numpy(dtype=float), minlength=2 * n_t)
    last = np.zeros(n_t, dtype=np.intp)
    last[tc] = np.arange(len(tc))
    tvals = fr[prep.time].to_numpy()[last]
    cells = np.flatnonzero(cnt)
    return pd.DataFrame({"period": tvals[cells // 2], "grupp": (cells % 2).astype(float),
                         "medel": tot[cells] / cnt[cells]})


def _profile_columns(prep: _Prep) -> list[str]:
    return [_GRP] if prep.mode == "post" else [_GRP, _START]


def _treatment(prep: _Prep, frame: pd.DataFrame) -> np.ndarray:
    g = frame[_GRP].to_numpy(dtype=float)
    if prep.mode == "post":
        return g * frame[prep.post].to_numpy(dtype=float)
    start = frame[_START].to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        return ((g == 1) & (frame[prep.time].to_numpy(dtype=float) >= start)).astype(float)


def _fe_codes(prep: _Prep, frame: pd.DataFrame) -> tuple[list[np.ndarray], int]:
    """Integer codes of the absorbed effects and the number of parameters they count for in CR1.

    With ``ssc="dummies"`` every dummy counts, as in a regression with all
    dummy columns (statsmodels, Stata ``areg``). With ``ssc="nested"`` (the
    default) the count is R fixest's ``ssc(adj=TRUE, fixef.K="nested")``:
    all fixed-effect levels less one per extra dimension, minus the levels
    of each dimension nested in the clusters, plus one for each such
    dimension (its constant stays estimated; fixest issue #554). With person
    effects nested in person clusters and P periods that is ``P`` (as Stata
    ``xtreg, fe``, which reports a constant), not ``P - 1``. Nested effects
    use up no cluster-level information, and counting 9 000 person dummies
    would inflate the variance by (N-1)/(N-K), about 20 % with six periods.
    """
    t_codes, n_t = _codes(prep, prep.time, frame)
    outer = prep.unit if prep.fe == "twfe" else _GRP
    o_codes, n_o = _codes(prep, outer, frame)
    sizes = [n_o, n_t]
    k = sum(sizes) - 1
    if prep.ssc == "nested":
        cl_codes, n_cl = _codes(prep, prep.cluster, frame)
        for (codes, size) in ((o_codes, n_o), (t_codes, n_t)):
            if constant_within(codes, size, cl_codes, n_cl):
                k += 1 - size
    return [o_codes, t_codes], k


def _base(prep: _Prep) -> dict[str, Any]:
    """Demeaned outcome and covariates (they do not change between permutations)."""
    if "y" not in prep.cache:
        fr = prep.frame
        fe, k_abs = _fe_codes(prep, fr)
        w = fr[prep.weights].to_numpy(dtype=float) if prep.weights else None
        Z = fr[[prep.outcome, *prep.covariates]].to_numpy(dtype=float)
        Zt = demean(Z, fe, w)
        keep = []
        for i, c in enumerate(prep.covariates):
            if np.abs(Zt[:, i + 1]).max() < 1e-9 * max(1.0, np.abs(Z[:, i + 1]).max()):
                prep.notes.append(f"Kovariaten {c!r} är konstant inom enheterna och absorberas av de fixa effekterna.")
            else:
                keep.append(i + 1)
        prep.cache.update(y=Zt[:, 0], X=Zt[:, keep], covs=[prep.covariates[i - 1] for i in keep], fe=fe,
                          k_abs=k_abs, w=w, sw=np.sqrt(w) if w is not None else None)
    return prep.cache


def _design(prep: _Prep, frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
    b = _base(prep)
    d = _treatment(prep, frame)
    dt = demean(d, b["fe"], b["w"])
    if np.abs(dt).max() < 1e-12:
        raise EstimationError(
            "Behandlingsvariabeln saknar variation efter de fixa effekterna: det behövs både deltagare och "
            "kontroller, och perioder före och efter start. Kontrollera också att startperioden är i samma enhet "
            "som perioden (till exempel båda kvartal, inte år mot kvartalsindex)."
        )
    X = np.column_stack([dt, b["X"]])
    y = b["y"]
    if b["sw"] is not None:
        X = X * b["sw"][:, None]
        y = y * b["sw"]
    return y, X, b


def _fast_estimate(prep: _Prep, d: np.ndarray) -> float:
    """Treatment coefficient for a new treatment column ``d`` (Frisch-Waugh-Lovell; no SE).

    Used by randomisation inference, where only the treatment changes: the
    demeaned outcome and covariates are cached, so each reassignment costs
    one demeaning of ``d`` and a few dot products.
    """
    b = _base(prep)
    if "fwl" not in b:
        sw = b["sw"]
        y = b["y"] * sw if sw is not None else b["y"]
        Xc = b["X"] * sw[:, None] if sw is not None else b["X"]
        Q = np.linalg.qr(Xc)[0] if Xc.shape[1] else None
        b["fwl"] = (Q, y if Q is None else y - Q @ (Q.T @ y))
    Q, y_res = b["fwl"]
    dt = demean(d, b["fe"], b["w"])
    if b["sw"] is not None:
        dt = dt * b["sw"]
    if Q is not None:
        dt = dt - Q @ (Q.T @ dt)
    denom = float(dt @ dt)
    return float(dt @ y_res) / denom if denom > 1e-12 else float("nan")


def _wild_design(prep: _Prep, frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, int, bool]:
    """Design for the wild bootstrap: absorb only effects nested in the clusters, the rest as columns.

    Flipping residuals cluster by cluster leaves effects nested in the
    clusters orthogonal to the bootstrap errors, but not the period effects;
    projecting those out beforehand would leave their share in the bootstrap
    residuals and make the bootstrap standard errors too large. So period
    (and non-nested group) dummies enter as ordinary columns. Returns y, X,
    the absorbed parameter count for CR1, and whether the design is exact.
    """
    b = _base(prep)
    outer = prep.unit if prep.fe == "twfe" else _GRP
    o_codes, n_o = _codes(prep, outer, frame)
    cl_codes, n_cl = _codes(prep, prep.cluster, frame)
    nested = constant_within(o_codes, n_o, cl_codes, n_cl)
    if not nested and prep.fe == "twfe":
        y, X, _ = _design(prep, frame)
        return y, X, b["k_abs"], False
    t_codes, n_t = _codes(prep, prep.time, frame)
    t_uni = range(n_t)
    cols = [_treatment(prep, frame)[:, None], frame[b["covs"]].to_numpy(dtype=float)]
    cols.append((t_codes[:, None] == np.arange(1, len(t_uni))[None, :]).astype(float))
    if not nested:  # 2x2 with clusters mixing the groups: intercept and group dummy as columns
        cols.append(np.ones((len(frame), 1)))
        cols.append((o_codes == 1).astype(float)[:, None])
    Z = np.column_stack([frame[prep.outcome].to_numpy(dtype=float), *cols])
    w = b["w"]
    if nested:
        Z = demean(Z, [o_codes], w)
    if b["sw"] is not None:
        Z = Z * b["sw"][:, None]
    k_abs = n_o if (nested and prep.ssc == "dummies") else 0
    return Z[:, 0], Z[:, 1:], k_abs, True


def _solve(prep: _Prep, frame: pd.DataFrame) -> tuple[float, float]:
    """Estimate and CR1 SE of the treatment coefficient (used by permutation inference)."""
    y, X, b = _design(prep, frame)
    XtX_inv = np.linalg.inv(X.T @ X)
    beta = XtX_inv @ (X.T @ y)
    V, _ = cluster_vcov(X, y - X @ beta, frame[prep.cluster].to_numpy(), k_absorbed=b["k_abs"], bread=XtX_inv,
                        codes=_codes(prep, prep.cluster, frame))
    return float(beta[0]), float(math.sqrt(V[0, 0]))


# ---------------------------------------------------------------------------
# Result
# ---------------------------------------------------------------------------


@dataclass
class DidResult(ResultMixin):
    """Difference-in-differences estimate with cluster-robust (or bootstrap/permutation) inference.

    Attributes
    ----------
    att, se, ci, pvalue
        Effect on the treated, its standard error (CR1), confidence interval
        and p-value (from the chosen ``inference``).
    n_treated, n_control, n_obs, n_clusters
        Units in each group, rows used and clusters.
    coefficients
        All estimated coefficients (treatment and covariates) with CR1 SEs.
    trends
        Mean outcome per period for participants and controls (for the plot).
    """

    outcome: str
    att: float
    se: float
    ci: tuple[float, float]
    pvalue: float
    tstat: float
    df: int
    n_obs: int
    n_treated: int
    n_control: int
    n_clusters: int
    cluster: str
    estimator: str
    inference: str
    alpha: float
    coefficients: pd.DataFrame
    trends: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    exclusions: Exclusions = field(default_factory=Exclusions)
    bootstrap: Any = None
    period_labels: dict[Any, str] = field(default_factory=dict)
    start_span: tuple[float, float] | None = None

    @property
    def title(self) -> str:
        from ..sv import label_lower

        return f"Skattad effekt på {label_lower(self.outcome)} (difference-in-differences)"

    @property
    def caption(self) -> str:
        lvl = round(100 * (1 - self.alpha))
        # Only statistics that exist are printed (randomisation inference has no interval): never "KI [; ]".
        parts = [f"Effekt {fmt_num(self.att, 3)}"]
        if all(np.isfinite(self.ci)):
            parts.append(f"{lvl} % KI {fmt_ci(*self.ci, 3)}")
        if np.isfinite(self.pvalue):
            parts.append(p_text(self.pvalue))
        return (", ".join(parts) + f"; {fmt_num(self.n_treated, 0)} deltagare och {fmt_num(self.n_control, 0)} "
                f"i jämförelsegruppen.")

    def summary(self) -> str:
        return summary_text(self, self.table())

    def table(self) -> pd.DataFrame:
        """One row: estimate, SE, CI, p and the counts (small counts suppressed)."""
        from ..privacy import suppress_small

        t = pd.DataFrame(
            [{
                "utfall": self.outcome, "estimator": self.estimator, "estimat": self.att, "se": self.se,
                "ci_lag": self.ci[0], "ci_hog": self.ci[1], "p": self.pvalue, "inferens": self.inference,
                "n_behandlade": self.n_treated, "n_kontroller": self.n_control, "n_obs": self.n_obs,
                "n_kluster": self.n_clusters,
            }]
        )
        return suppress_small(t, counts=["n_behandlade", "n_kontroller"])

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """Mean outcome per period for participants and controls."""
        from ..plots import categorical, figure, finish

        fig, ax = figure("full") if ax is None else (ax.figure, ax)
        cols = categorical(2)
        from ..plots import calendar_axis, mark_start
        from ..sv import label_lower

        for g, label, c in [(1, "Deltagare", cols[1]), (0, "Jämförelsegrupp", cols[0])]:
            s = self.trends[self.trends["grupp"] == g]
            ax.plot(s["period"], s["medel"], marker="o", ms=3, color=c, label=label)
        if not calendar_axis(ax, self.period_labels, self.trends["period"].tolist()):
            ax.set_xlabel("Period")
        if self.start_span is not None:
            mark_start(ax, *self.start_span, text="Start" if self.start_span[0] == self.start_span[1] else "Deltagarna börjar")
        ax.set_ylabel(f"Medelvärde, {label_lower(self.outcome)}")
        ax.legend(fontsize=8)
        comma_axis(ax, "y")
        finish(fig, note=[self.caption] + [n for n in self.notes if n.startswith("Varning")])
        return ax


# ---------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------


def did(
    data: pd.DataFrame,
    outcome: str,
    *,
    unit: str | None = "person_id",
    time: str = "period",
    treat: str = "deltagare",
    post: str | None = None,
    covariates: list[str] | None = None,
    cluster: str | None = None,
    fe: str = "twfe",
    weights: str | None = None,
    inference: str = "cluster",
    n_boot: int = 999,
    random_state: int | None = 0,
    alpha: float = 0.05,
    ssc: str = "nested",
) -> DidResult:
    """Difference-in-differences estimate of the effect on participants.

    Parameters
    ----------
    data
        Long panel, one row per unit and period.
    outcome
        Outcome column (0/1 or numeric).
    unit, time
        Unit id and period columns. ``unit=None`` for repeated
        cross-sections without a person id (each row its own unit).
    treat
        0/1: participant (constant within unit), or switching on at start.
    post
        ``None``: use ``start_period`` if present (or the switch in
        ``treat``). A 0/1 column: common post period for all (2x2 logic).
        A column of start periods (missing for controls): treated from that
        period on (staggered).
    covariates
        Time-varying controls (time-invariant ones are absorbed by the unit
        effects and dropped with a note). Text columns become dummies.
    cluster
        Cluster column for CR1 standard errors (default ``None``: the unit).
    fe
        ``"twfe"`` (unit and period effects) or ``"2x2"`` (group and period
        effects). Repeated cross-sections (each unit in one period) get
        the 2x2 form under ``"twfe"`` too, with a note: unit effects would
        absorb the treatment there, and group plus period effects are what
        TWFE means for cross-sections.
    weights
        Optional weight column (WLS).
    inference
        ``"cluster"`` (CR1, t with G-1 df), ``"wild"`` (restricted wild
        cluster bootstrap p-value and CI) or ``"ri"`` (randomisation
        inference over the cluster column; no CI).
    n_boot, random_state
        Draws and seed for ``"wild"`` / ``"ri"``.
    ssc
        Small-sample correction of CR1, ``G/(G-1) (N-1)/(N-K)``:
        ``"nested"`` (default; R fixest's ``ssc(adj=TRUE, fixef.K="nested",
        cluster.adj=TRUE)``: fixed effects nested in the clusters, such as
        person effects with person or förbund clusters, count as one
        parameter instead of one per level, as in Stata ``xtreg, fe``) or ``"dummies"``
        (every dummy counts, identical to OLS with dummy columns in
        statsmodels; more conservative in short panels).

    Returns
    -------
    DidResult

    Examples
    --------
    >>> df = simulate_panel(n_units=200, n_periods=8, effect=0.5, seed=1)
    >>> res = did(df, "y")
    >>> round(res.att, 1), res.n_treated, res.n_control
    (0.5, 100, 100)
    >>> res.ci[0] < 0.5 < res.ci[1]
    True
    """
    if inference not in ("cluster", "wild", "ri"):
        raise EstimationError(f"Okänd inference={inference!r}: välj 'cluster', 'wild' eller 'ri'.")
    prep = _prepare(data, outcome, unit=unit, time=time, treat=treat, post=post, covariates=covariates,
                    cluster=cluster, fe=fe, weights=weights, ssc=ssc)
    unit, cluster, fe = prep.unit, prep.cluster, prep.fe
    frame = prep.frame
    y, X, b = _design(prep, frame)
    XtX_inv = np.linalg.inv(X.T @ X)
    beta = XtX_inv @ (X.T @ y)
    resid = y - X @ beta
    clusters = frame[cluster].to_numpy()
    V, G = cluster_vcov(X, resid, clusters, k_absorbed=b["k_abs"], bread=XtX_inv, codes=_codes(prep, cluster))
    se = float(math.sqrt(max(V[0, 0], 0.0)))
    att = float(beta[0])
    # Zero up to rounding: an outcome fully explained by the fixed effects (no change to compare).
    if not np.isfinite(se) or se <= 1e-10 * max(float(np.std(frame[outcome].to_numpy(dtype=float))), 1e-300):
        raise EstimationError(
            f"Standardfelet för effekten på {outcome!r} blev noll: utfallet varierar inte efter de fixa effekterna "
            f"(till exempel samma värde före och efter för alla). Kontrollera utfallskolumnen och perioderna."
        )
    tstat = att / se
    df = G - 1
    crit = stats.t.ppf(1 - alpha / 2, df)
    ci = (att - crit * se, att + crit * se)
    pvalue = t_pvalue(tstat, df)
    notes = list(prep.notes)

    if inference == "cluster" and cluster != unit:
        msg = warn_few_clusters(G, cluster, stacklevel=3)
        if msg:
            notes.append("Varning: " + msg)
    boot = None
    if inference == "wild":
        yw, Xw, kw, exact = _wild_design(prep, frame)
        boot = wild_cluster_bootstrap(yw, Xw, clusters, column=0, n_boot=n_boot, random_state=random_state,
                                      alpha=alpha, k_absorbed=kw)
        if not exact:
            notes.append("Enhetseffekterna är inte kapslade i klustren: bootstrapen görs på de transformerade "
                         "data (en approximation).")
        pvalue, ci = boot.pvalue, boot.ci
        notes.append(f"p-värde och KI från vild klusterbootstrap (WCR, {boot.weights}-vikter, "
                     f"{boot.n_boot} dragningar, {G} kluster).")
        notes.extend(boot.notes)
    elif inference == "ri":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FewClustersWarning)
            boot = randomisation_inference(data, outcome, level=cluster, n_perm=n_boot, random_state=random_state,
                                           unit=unit, time=time, treat=treat, post=post, covariates=covariates,
                                           cluster=cluster, fe=fe, weights=weights, ssc=ssc)
        pvalue = boot.pvalue
        ci = (float("nan"), float("nan"))
        notes.extend(boot.notes)
        notes.append("Randomiseringsinferens ger ett p-värde men inget konfidensintervall.")

    names = ["behandling", *b["covs"]]
    se_all = np.sqrt(np.diag(V))
    coefs = pd.DataFrame({"term": names, "estimat": beta, "se": se_all, "t": beta / se_all,
                          "p": [t_pvalue(t, df) for t in beta / se_all]})
    n_treated, n_control = _group_counts(prep)
    trends = _trends(prep)
    est_name = "tvåvägs fixa effekter (TWFE)" if fe == "twfe" else "2x2 (grupp × efter, periodeffekter)"
    from ..sv import label_lower

    notes.insert(0, f"Skattningsmetod: {est_name}; {fmt_num(len(frame), 0)} observationer, {fmt_num(n_treated, 0)} "
                    f"deltagare och {fmt_num(n_control, 0)} i jämförelsegruppen; standardfel klustrade på "
                    f"{label_lower(cluster)} ({fmt_num(G, 0)} kluster, CR1).")
    if prep.exclusions:
        notes.append("Exkluderat: " + prep.exclusions.describe().replace("\n", "; "))
    if prep.mode == "start" and frame.loc[frame[_GRP] == 1, _START].nunique() > 1 and fe == "twfe":
        notes.append(
            "Starten sker vid olika tidpunkter: om effekten varierar över tid eller mellan startkohorter kan "
            "TWFE-skattningen bli missvisande; jämför med Callaway och Sant'Annas skattning för stegvis start."
        )
    return DidResult(
        outcome=outcome, att=att, se=se, ci=(float(ci[0]), float(ci[1])), pvalue=float(pvalue), tstat=float(tstat),
        df=df, n_obs=len(frame), n_treated=n_treated, n_control=n_control, n_clusters=G, cluster=cluster,
        estimator=fe, inference=inference, alpha=alpha, coefficients=coefs, trends=trends, notes=notes,
        exclusions=prep.exclusions, bootstrap=boot, period_labels=_calendar(data, time),
        start_span=_start_span(frame, prep),
    )


def _calendar(data: pd.DataFrame, time: str) -> dict[Any, str]:
    """Calendar labels ("2023 K1") of the running periods, for figures (empty without a calendar column)."""
    from ..plots import calendar_labels

    try:
        return calendar_labels(data, time)
    except Exception:  # a figure aid: never let it stop an estimate
        return {}


def _start_span(frame: pd.DataFrame, prep: Any) -> tuple[float, float] | None:
    if getattr(prep, "mode", None) != "start" or _START not in frame.columns:
        return None
    st = pd.to_numeric(frame.loc[frame[_GRP] == 1, _START], errors="coerce").dropna()
    return (float(st.min()), float(st.max())) if len(st) else None


def simulate_panel(
    n_units: int = 200,
    n_periods: int = 8,
    *,
    effect: float = 0.5,
    share_treated: float = 0.5,
    start: int | None = None,
    n_clusters: int | None = None,
    cluster_sd: float = 0.0,
    cluster_treatment: bool = False,
    seed: int | None = 0,
) -> pd.DataFrame:
    """Simulate a balanced panel with a known constant effect (for examples and tests).

    Columns: ``unit``, ``period``, ``treated`` (0/1 group), ``start`` (start
    period for treated, NaN otherwise), ``post`` (period >= start),
    ``x`` (time-varying covariate), ``kluster``, ``y``. Unit and period
    effects, a covariate effect of 0.3, and optional cluster-by-period shocks
    (``cluster_sd``) that make clustering matter. With
    ``cluster_treatment=True`` whole clusters are treated.
    """
    rng = np.random.default_rng(seed)
    start = start if start is not None else n_periods // 2
    n_cl = n_clusters or n_units
    cl = rng.integers(0, n_cl, n_units) if n_clusters else np.arange(n_units)
    if cluster_treatment:
        tr_cl = rng.permutation(n_cl) < max(1, round(share_treated * n_cl))
        treated = tr_cl[cl].astype(int)
    else:
        treated = (rng.permutation(n_units) < round(share_treated * n_units)).astype(int)
    unit = np.repeat(np.arange(n_units), n_periods)
    period = np.tile(np.arange(n_periods), n_units)
    tr = treated[unit]
    post = (period >= start).astype(int)
    alpha_i = rng.normal(0, 1, n_units)[unit] + 0.3 * tr
    lam = 0.1 * np.arange(n_periods)[period]
    x = rng.normal(0, 1, len(unit))
    shock = rng.normal(0, cluster_sd, (n_cl, n_periods))[cl[unit], period] if cluster_sd else 0.0
    y = alpha_i + lam + 0.3 * x + effect * tr * post + shock + rng.normal(0, 1, len(unit))
    return pd.DataFrame({
        "unit": unit, "period": period, "treated": tr, "start": np.where(tr == 1, start, np.nan),
        "post": post, "x": x, "kluster": cl[unit], "y": y,
    }).rename(columns={"unit": "person_id", "treated": "deltagare", "start": "start_period"})
