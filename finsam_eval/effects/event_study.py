"""Event study: effects by time relative to start, with a pre-trend test.

:func:`event_study` regresses the outcome on indicators for each quarter
(or year) before and after a participant's start, with unit and period
fixed effects (TWFE), never-treated units as controls and the quarter
before start (``ref=-1``) as reference. The endpoints are binned: every
period more than ``leads`` before start shares one coefficient, and every
period ``lags`` or more after start shares one. The lead coefficients should
be close to zero if participants and controls were on parallel paths before
start; :attr:`EventStudyResult.pretrend` holds the joint Wald test of all
leads with the cluster-robust covariance.

With staggered starts and effects that differ between start cohorts, TWFE
event-study coefficients mix cohorts with weights that can be odd (Sun &
Abraham 2021); :func:`finsam_eval.effects.staggered.staggered_did` with
``aggregate="dynamic"`` is the robust alternative.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import EstimationError, SchemaError
from ..results import Exclusions, ResultMixin
from ..sv import fmt_num
from .did import _GRP, _START, _base, _codes, _group_counts, _prepare
from .inference import cluster_vcov, comma_axis, demean, p_text, summary_text, warn_few_clusters

__all__ = ["event_study", "EventStudyResult"]


@dataclass
class EventStudyResult(ResultMixin):
    """Event-study coefficients by time relative to start, with a joint pre-trend test.

    Attributes
    ----------
    coefficients
        One row per event time: ``event_time``, ``estimat``, ``se``,
        ``ci_lag``, ``ci_hog``, ``p``, ``n_deltagare`` (participants observed
        at that event time). The reference period has estimate 0 and no SE.
    pretrend
        ``{"wald", "df", "F", "p_F", "p_chi2", "leads"}``: joint test that
        all lead coefficients are zero.
    """

    outcome: str
    coefficients: pd.DataFrame
    pretrend: dict[str, Any]
    ref: int
    n_obs: int
    n_treated: int
    n_control: int
    n_clusters: int
    cluster: str
    alpha: float
    time_label: str = "Kvartal i förhållande till start"
    notes: list[str] = field(default_factory=list)
    exclusions: Exclusions = field(default_factory=Exclusions)
    vcov: np.ndarray | None = field(default=None, repr=False)

    @property
    def title(self) -> str:
        from ..sv import label_lower

        return f"Effekt på {label_lower(self.outcome)} före och efter start (händelsestudie)"

    @property
    def caption(self) -> str:
        return f"{_pretrend_text(self.pretrend, self.n_clusters)}. Referensperiod {str(self.ref).replace('-', chr(0x2212))}."


    def summary(self) -> str:
        return summary_text(self, self.table())

    def table(self) -> pd.DataFrame:
        """Coefficients by event time; rows resting on fewer than ``min_count`` participants are masked."""
        from ..privacy import suppress_small

        return suppress_small(self.coefficients, counts=["n_deltagare"], base="n_deltagare",
                              row_derived=["estimat", "se", "ci_lag", "ci_hog", "p"])

    def plot(self, ax: Any = None, *, title: str | None = None, **kwargs: Any) -> Any:
        """Coefficients with CIs, zero line, a dashed line at start, Swedish labels and n in the note."""
        from ..plots import categorical, figure, finish

        fig, ax = figure("full") if ax is None else (ax.figure, ax)
        c = self.table()
        ok = c["estimat"].notna()
        col = categorical(1)[0]
        est = c.loc[ok & (c["event_time"] != self.ref)]
        ax.errorbar(est["event_time"], est["estimat"],
                    yerr=[est["estimat"] - est["ci_lag"], est["ci_hog"] - est["estimat"]],
                    fmt="o", color=col, ecolor=col, elinewidth=1.2, capsize=2.5, ms=4)
        ax.plot([self.ref], [0.0], "o", mfc="white", mec=col, ms=4)
        ax.axhline(0, color="#666666", lw=0.8)
        from ..plots import mark_start

        mark_start(ax, 0, text="Start")
        ax.set_xlabel(self.time_label)
        ax.set_ylabel("Skattad effekt")
        ticks = c["event_time"].tolist()
        ax.set_xticks(ticks)
        labels = [str(t) for t in ticks]
        labels[0] = f"≤{ticks[0]}".replace("-", "\u2212")
        labels[-1] = f"≥{ticks[-1]}"
        ax.set_xticklabels([lbl.replace("-", "\u2212") for lbl in labels])
        comma_axis(ax, "y")
        lvl = round(100 * (1 - self.alpha))
        ref_txt = str(self.ref).replace("-", "\u2212")
        note = (
            f"Punkter: skattad effekt med {lvl}\u00a0% konfidensintervall (klusterrobusta standardfel, "
            f"{fmt_num(self.n_clusters, 0)} kluster). Ofylld punkt: referensperiod ({ref_txt}). "
            f"n\u00a0=\u00a0{fmt_num(self.n_treated, 0)} deltagare och {fmt_num(self.n_control, 0)} i jämförelsegruppen, "
            f"{fmt_num(self.n_obs, 0)} observationer. "
            + (f"Förtrendtest: {p_text(self.pretrend['p_F'])}." if np.isfinite(self.pretrend["p_F"])
               else "Förtrendtestet kunde inte beräknas.")
        )
        finish(fig, title=title, note=note)
        return ax


def _lab_lower(name: str) -> str:
    from ..sv import label_lower

    return label_lower(name)


def _pretrend_text(p: dict[str, Any], n_clusters: int) -> str:
    """The pre-trend test as a phrase; never prints an empty statistic (NaN F or p)."""
    if not p["df"]:
        return "Inga förperioder att testa"
    if not (np.isfinite(p["F"]) and np.isfinite(p["p_F"])):
        return (f"Gemensamt test av förperioderna kunde inte beräknas ({p['df']} förperioder, "
                f"{fmt_num(n_clusters, 0)} kluster)")
    return f"Gemensamt test av förperioderna: F({p['df']}, {n_clusters - 1}) = {fmt_num(p['F'], 2)}, {p_text(p['p_F'])}"


def event_study(
    data: pd.DataFrame,
    outcome: str,
    *,
    unit: str = "person_id",
    time: str = "period",
    treat: str = "deltagare",
    treat_start: str = "start_period",
    leads: int = 4,
    lags: int = 8,
    ref: int = -1,
    covariates: list[str] | None = None,
    cluster: str | None = None,
    alpha: float = 0.05,
    ssc: str = "nested",
    time_label: str = "Kvartal i förhållande till start",
) -> EventStudyResult:
    """Event-study (dynamic difference-in-differences) estimates with TWFE.

    Parameters
    ----------
    data
        Long panel, one row per unit and period.
    outcome, unit, time, treat
        As for :func:`~finsam_eval.effects.did.did`.
    treat_start
        Start period per participant (missing for never-treated controls).
    leads, lags
        Event times ``-leads .. lags``; the endpoints bin everything beyond.
    ref
        Reference event time (omitted; its coefficient is 0 by definition).
    covariates, cluster
        Time-varying controls and the cluster column for CR1 SEs (default
        the unit).
    ssc
        Small-sample correction, as in :func:`~finsam_eval.effects.did.did`
        (default ``"nested"``: fixest's ``ssc(adj=TRUE, fixef.K="nested",
        cluster.adj=TRUE)``, so ``vcov`` equals ``feols(... | unit + period,
        cluster=)``; checked on the HonestDiD Medicaid example).
    time_label
        x-axis label of the figure (``"År i förhållande till start"`` for
        yearly data).

    Returns
    -------
    EventStudyResult

    Examples
    --------
    >>> from finsam_eval.effects.did import simulate_panel
    >>> df = simulate_panel(n_units=2000, n_periods=10, effect=0.5, start=5, seed=3)
    >>> es = event_study(df, "y", leads=3, lags=4)
    >>> es.table()["event_time"].tolist()
    [-3, -2, -1, 0, 1, 2, 3, 4]
    >>> bool((es.table()["estimat"].iloc[:3].abs() < 0.1).all()), round(float(es.table()["estimat"].iloc[3:].mean()), 1)
    (True, 0.5)
    >>> es.pretrend["p_F"] > 0.05
    True
    """
    if not -leads <= ref <= lags or leads < 1 or lags < 0:
        raise EstimationError(f"ref={ref} måste ligga mellan -leads={-leads} och lags={lags}, och leads ≥ 1.")
    cluster = cluster or unit
    prep = _prepare(data, outcome, unit=unit, time=time, treat=treat, post=treat_start, covariates=covariates,
                    cluster=cluster, fe="twfe", ssc=ssc)
    frame = prep.frame
    b = _base(prep)
    grid = [k for k in range(-leads, lags + 1) if k != ref]
    tvals = frame[time].to_numpy(dtype=float)
    start = frame[_START].to_numpy(dtype=float) if _START in frame else np.full(len(frame), np.nan)
    treated = frame[_GRP].to_numpy() == 1
    e = np.where(treated, tvals - start, np.nan)
    empty = _check_scales(tvals, start, treated, grid, leads, lags, time, treat_start)
    if empty:  # no participant at these event times: their coefficients are not identified
        grid = [k for k in grid if k not in empty]
        prep.notes.append("Händelsetid " + ", ".join(str(k) for k in empty).replace("-", "\u2212")
                          + " saknar deltagare i data och ingår inte i modellen.")
    eb = np.clip(e, -leads, lags)
    X = np.empty((len(frame), len(grid) + b["X"].shape[1]), order="F")
    for i, kk in enumerate(grid):
        X[:, i] = eb == kk
    X[:, :len(grid)] = demean(X[:, :len(grid)], b["fe"], b["w"])
    X[:, len(grid):] = b["X"]
    y = b["y"]
    XtX_inv = np.linalg.pinv(X.T @ X)
    beta = XtX_inv @ (X.T @ y)
    V, G = cluster_vcov(X, y - X @ beta, frame[cluster].to_numpy(), k_absorbed=b["k_abs"], bread=XtX_inv,
                        codes=_codes(prep, cluster))
    df = G - 1
    crit = stats.t.ppf(1 - alpha / 2, df)
    k = len(grid)
    se = np.sqrt(np.diag(V)[:k])
    coef = beta[:k]
    n_by_e = _units_by_event_time(_codes(prep, unit), treated, eb, leads, lags)
    rows = []
    for i, kk in enumerate(grid):
        rows.append({"event_time": kk, "estimat": coef[i], "se": se[i], "ci_lag": coef[i] - crit * se[i],
                     "ci_hog": coef[i] + crit * se[i], "p": float(2 * stats.t.sf(abs(coef[i] / se[i]), df)),
                     "n_deltagare": int(n_by_e.get(float(kk), 0))})
    rows.append({"event_time": ref, "estimat": 0.0, "se": np.nan, "ci_lag": np.nan, "ci_hog": np.nan, "p": np.nan,
                 "n_deltagare": int(n_by_e.get(float(ref), 0))})
    table = pd.DataFrame(rows).sort_values("event_time").reset_index(drop=True)

    lead_idx = [i for i, kk in enumerate(grid) if kk < 0]
    notes_pre: list[str] = []
    if lead_idx:
        bl = coef[lead_idx]
        Vl = V[np.ix_(lead_idx, lead_idx)]
        q = len(lead_idx)
        # With G clusters the cluster covariance has rank at most G-1: fewer clusters than leads, no test.
        if np.linalg.matrix_rank(Vl) < q:
            wald = float("nan")
            notes_pre = [f"Förtrendtestet kan inte beräknas: klusterkovariansen har lägre rang än antalet "
                         f"förperioder ({q}), vilket händer med {G} kluster."]
        else:
            wald = float(bl @ np.linalg.solve(Vl, bl))
        F = wald / q
        pretrend = {"wald": wald, "df": q, "F": F, "p_F": float(stats.f.sf(F, q, df)),
                    "p_chi2": float(stats.chi2.sf(wald, q)), "leads": [grid[i] for i in lead_idx]}
    else:
        pretrend = {"wald": np.nan, "df": 0, "F": np.nan, "p_F": np.nan, "p_chi2": np.nan, "leads": []}

    n_treated, n_control = _group_counts(prep)
    notes = [
        f"Skattningsmetod: händelsestudie med enhets- och periodeffekter (tvåvägs fixa effekter), "
        f"{fmt_num(len(frame), 0)} observationer, {fmt_num(n_treated, 0)} deltagare och {fmt_num(n_control, 0)} "
        f"som aldrig deltog (jämförelsegrupp); referensperiod {ref}; "
        f"ändpunkterna ≤{-leads} och ≥{lags} samlar alla perioder bortom dem.".replace("-", "\u2212"),
        f"Standardfel klustrade på {_lab_lower(cluster)} ({fmt_num(G, 0)} kluster, CR1 med fixests "
        "småprovskorrektion). "
        f"{_pretrend_text(pretrend, G)}.",
        *prep.notes,
    ]
    if cluster != unit:
        msg = warn_few_clusters(G, cluster, stacklevel=2)
        if msg:
            notes.append("Varning: " + msg)
    if frame.loc[treated, _START].nunique() > 1:
        notes.append("Starten sker vid olika tidpunkter: om effekterna skiljer sig mellan startkohorter kan "
                     "koefficienterna bli missvisande; jämför med Callaway och Sant'Annas skattning per kvartal från start.")
    if prep.exclusions:
        notes.append("Exkluderat: " + prep.exclusions.describe().replace("\n", "; "))
    notes.extend(notes_pre)
    return EventStudyResult(
        outcome=outcome, coefficients=table, pretrend=pretrend, ref=ref, n_obs=len(frame), n_treated=n_treated,
        n_control=n_control, n_clusters=G, cluster=cluster, alpha=alpha, time_label=time_label, notes=notes,
        exclusions=prep.exclusions, vcov=V[:k, :k],
    )


def _units_by_event_time(unit_codes: tuple[np.ndarray, int], treated: np.ndarray, eb: np.ndarray, leads: int,
                         lags: int) -> pd.Series:
    """Distinct participants observed at each (binned) event time, indexed by event time as float."""
    uc, n_u = unit_codes
    u = uc[treated]
    e = eb[treated]
    ok = np.isfinite(e) & (e == np.rint(e))  # only whole event times are reported
    u, ei = u[ok], (e[ok] + leads).astype(np.intp)
    n_e = leads + lags + 1
    if n_u * n_e <= 50_000_000:
        seen = np.bincount(u * n_e + ei, minlength=n_u * n_e).reshape(n_u, n_e) > 0
        counts = seen.sum(axis=0)
    else:
        counts = np.bincount(np.unique(u.astype(np.int64) * n_e + ei) % n_e, minlength=n_e)
    idx = np.arange(-leads, lags + 1, dtype=float)
    return pd.Series(counts, index=idx)[counts > 0]


def _check_scales(tvals: np.ndarray, start: np.ndarray, treated: np.ndarray, grid: list[int], leads: int, lags: int,
                  time: str, treat_start: str) -> list[int]:
    """Stop with a clear error when start and period cannot be on the same scale; return empty event times.

    A start coded as a year against a quarter index (or months against
    quarters) puts every participant far outside ``-leads..lags``: the
    event-time columns are then empty and the regression and the pre-trend
    test undefined.
    """
    st = start[treated]
    if not treated.any() or not np.isfinite(st).any():
        raise EstimationError(
            f"Inga deltagare med startperiod i {treat_start!r}: händelsestudien behöver deltagare (1 i "
            f"behandlingskolumnen) med en start i samma enhet som {time!r}."
        )
    lo, hi = np.nanmin(tvals), np.nanmax(tvals)
    inside = (st >= lo - leads) & (st <= hi + 1)
    if not inside.any():
        raise SchemaError(
            f"Startperioderna i {treat_start!r} ({np.nanmin(st):g}–{np.nanmax(st):g}) ligger "
            f"utanför perioderna i {time!r} ({lo:g}–{hi:g}): kolumnerna är på olika skalor "
            f"(till exempel år mot kvartalsindex, eller kvartal mot månader). Ange start i samma enhet som {time!r}."
        )
    e = tvals[treated] - st
    eb = np.clip(e, -leads, lags)
    empty = [k for k in grid if not np.any(eb == k)]
    if all(k in empty for k in grid if k < 0) or all(k in empty for k in grid if k >= 0):
        side = "före" if all(k in empty for k in grid if k < 0) else "efter"
        raise SchemaError(
            f"Inga deltagare observeras {side} start (period i {time!r} minus start i {treat_start!r}), så effekterna "
            f"och förtrendtestet går inte att skatta. Kontrollera att start och period är i samma enhet (till "
            f"exempel båda kvartal, inte kvartal mot månader eller år) och att panelen har perioder både före och "
            f"efter start."
        )
    return empty
