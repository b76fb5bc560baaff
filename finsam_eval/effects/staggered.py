"""Staggered adoption: group-time effects in the manner of Callaway & Sant'Anna (2021).

When units start at different times (participants entering an insats in
different quarters, kommuner joining a förbund in different years) and the
effect differs between start cohorts or grows with time since start, the
two-way fixed-effects estimate is a weighted average that uses already
treated units as controls and can even get the sign wrong (Goodman-Bacon
2021). :func:`staggered_did` avoids that by estimating one simple
difference-in-differences per start cohort ``g`` and period ``t``,

``ATT(g, t) = E[Y_t - Y_b | G = g] - E[Y_t - Y_b | control]``,

with ``b = g - 1 - anticipation`` for periods after start and ``b = t - 1``
before start ("varying" base period, as the R package ``did``), and
controls that are never treated (``control="never"``) or not yet treated
by ``t`` (``control="notyet"``). The cells are then aggregated:

- ``overall``: the mean effect per cohort over its post periods, averaged
  over cohorts with weights proportional to cohort size (the summary
  Callaway & Sant'Anna recommend; R ``aggte(type="group")``);
- ``simple``: all post-period cells weighted by cohort size;
- ``dynamic``: by time since start ``e`` (an event study free of the TWFE
  weighting problem), cohorts weighted by size;
- ``group``: by start cohort.

Standard errors come from the influence function of every cell (including
the estimation of the aggregation weights) and a multiplier bootstrap with
Rademacher weights over units, or over clusters with ``cluster=``. The
tables of ``ATT(g, t)``, ``dynamic`` and ``group`` carry simultaneous
(uniform) 95 % bands by default (``cband=True``: the critical value is the
bootstrap quantile of the largest standardised deviation over the table's
rows, so the whole band covers all effects at once); the overall numbers use
pointwise intervals. ``cband=False`` gives pointwise intervals everywhere.

With ``covariates``, each cell uses outcome-regression adjustment
(Heckman, Ichimura & Todd 1997; ``est_method="reg"`` in R ``did``): the
change among controls is predicted from the covariates measured in the
base period, so the comparison holds for treated and controls with the same
covariates.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from .._warn import warn
from ..errors import EstimationError, MissingColumnError
from ..results import Exclusions, ResultMixin
from ..sv import fmt_ci, fmt_num
from .inference import FEW_CLUSTERS, FewClustersWarning, comma_axis, p_text, summary_text

__all__ = ["staggered_did", "StaggeredResult", "simulate_staggered"]

_Z = stats.norm.ppf(0.75) - stats.norm.ppf(0.25)


@dataclass
class StaggeredResult(ResultMixin):
    """Group-time effects and their aggregations (Callaway & Sant'Anna).

    Attributes
    ----------
    attgt
        One row per cohort and period: ``grupp``, ``period``, ``event_time``,
        ``estimat``, ``se``, ``ci_lag``, ``ci_hog``, ``efter`` (post period),
        ``n_grupp``, ``n_kontroll``.
    influence
        Influence function of every ATT(g,t) cell, shape (units, cells).
    overall, simple
        ``{"estimat", "se", "ci", "p", "se_analytic"}``: cohort-size weighted mean effect
        (over cohorts, and over all post cells).
    dynamic_overall
        Plain mean of the dynamic effects over ``e = 0..max_e``.
    dynamic, by_group
        Effects by time since start and by start cohort.
    """

    outcome: str
    attgt: pd.DataFrame
    overall: dict[str, Any]
    simple: dict[str, Any]
    dynamic_overall: dict[str, Any]
    dynamic: pd.DataFrame
    by_group: pd.DataFrame
    control: str
    n_units: int
    n_treated: int
    n_control: int
    n_clusters: int
    n_boot: int
    alpha: float
    cband: bool
    time_label: str = "Kvartal i förhållande till start"
    notes: list[str] = field(default_factory=list)
    exclusions: Exclusions = field(default_factory=Exclusions)
    influence: np.ndarray | None = field(default=None, repr=False)
    labels: dict[Any, str] = field(default_factory=dict)

    @property
    def se_analytic(self) -> np.ndarray:
        """Analytic standard errors of the ATT(g,t) cells, ``sqrt(sum psi^2) / n`` (no bootstrap)."""
        return np.sqrt((self.influence**2).sum(axis=0)) / self.influence.shape[0]

    @property
    def att(self) -> float:
        return float(self.overall["estimat"])

    @property
    def se(self) -> float:
        return float(self.overall["se"])

    @property
    def ci(self) -> tuple[float, float]:
        return self.overall["ci"]

    @property
    def pvalue(self) -> float:
        return float(self.overall["p"])

    @property
    def title(self) -> str:
        return f"Effekt på {self.outcome} vid stegvis start (Callaway & Sant'Anna)"

    @property
    def caption(self) -> str:
        o = self.overall
        lvl = round(100 * (1 - self.alpha))
        return (f"Genomsnittlig effekt {fmt_num(o['estimat'], 3)}, {lvl} % KI {fmt_ci(*o['ci'], 3)}, "
                f"{p_text(o['p'])}; {fmt_num(self.n_treated, 0)} behandlade och {fmt_num(self.n_control, 0)} "
                f"{'aldrig behandlade' if self.control == 'never' else 'aldrig eller ännu inte behandlade'} enheter.")

    def summary(self) -> str:
        return summary_text(self, self.table())

    def table(self, kind: str = "all") -> pd.DataFrame:
        """Tidy estimates: ``kind`` is ``"all"`` (overall, by cohort, by event time), ``"dynamic"``,
        ``"group"`` or ``"attgt"``. Cells resting on fewer than ``min_count`` treated units are masked."""
        from ..privacy import suppress_small

        derived = ["estimat", "se", "ci_lag", "ci_hog", "p"]
        if kind == "attgt":
            t = self.attgt
        elif kind == "dynamic":
            t = self.dynamic
        elif kind == "group":
            t = self.by_group
        elif kind == "all":
            rows = []
            for name, d in [("totalt (kohortviktat)", self.overall), ("totalt (alla celler)", self.simple),
                            ("totalt (medel över tid sedan start)", self.dynamic_overall)]:
                rows.append({"aggregering": name, "grupp": np.nan, "event_time": np.nan, "estimat": d["estimat"],
                             "se": d["se"], "ci_lag": d["ci"][0], "ci_hog": d["ci"][1], "p": d["p"],
                             "n_behandlade": self.n_treated})
            g = self.by_group.assign(aggregering="startkohort", event_time=np.nan)
            e = self.dynamic.assign(aggregering="tid sedan start", grupp=np.nan)
            t = pd.concat([pd.DataFrame(rows), g, e], ignore_index=True)[
                ["aggregering", "grupp", "event_time", "estimat", "se", "ci_lag", "ci_hog", "p", "n_behandlade"]]
        else:
            raise ValueError(f"Okänt kind={kind!r}: välj 'all', 'dynamic', 'group' eller 'attgt'.")
        base = "n_grupp" if "n_grupp" in t.columns else "n_behandlade"
        return suppress_small(t.reset_index(drop=True), counts=[base], base=base,
                              row_derived=[c for c in derived if c in t.columns])

    def plot(self, ax: Any = None, *, kind: str = "dynamic", title: str | None = None, min_e: int | None = None,
             max_e: int | None = None, **kwargs: Any) -> Any:
        """Effects by time since start (``kind="dynamic"``, optionally only ``min_e..max_e``) or by
        start cohort (``"group"``), with their bands."""
        from ..plots import categorical, figure, finish

        fig, ax = figure("full") if ax is None else (ax.figure, ax)
        cols = categorical(2)
        band = "simultana" if self.cband else "punktvisa"
        lvl = round(100 * (1 - self.alpha))
        if kind == "dynamic":
            d = self.table("dynamic").dropna(subset=["estimat"])
            lo = -np.inf if min_e is None else min_e
            hi = np.inf if max_e is None else max_e
            d = d[(d["event_time"] >= lo) & (d["event_time"] <= hi)]
            pre = d["event_time"] < 0
            for mask, c, lab in [(pre, cols[0], "Före start"), (~pre, cols[1], "Efter start")]:
                s = d[mask]
                ax.errorbar(s["event_time"], s["estimat"], yerr=[s["estimat"] - s["ci_lag"], s["ci_hog"] - s["estimat"]],
                            fmt="o", color=c, ecolor=c, elinewidth=1.2, capsize=2.5, ms=4, label=lab)
            ax.axvline(-0.5, color="#666666", lw=0.8, ls="--")
            ax.set_xlabel(self.time_label)
            ax.set_ylabel("Skattad effekt")
            ev = d["event_time"].astype(int).tolist()
            step = 1 if len(ev) <= 16 else (2 if len(ev) <= 32 else 4)
            ticks = [v for v in ev if v % step == 0]
            ax.set_xticks(ticks)
            ax.set_xticklabels([str(v).replace("-", "\u2212") for v in ticks])
            ax.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncol=2, fontsize=8)
            comma_axis(ax, "y")
        elif kind == "group":
            d = self.table("group").dropna(subset=["estimat"])
            y = np.arange(len(d))
            ax.errorbar(d["estimat"], y, xerr=[d["estimat"] - d["ci_lag"], d["ci_hog"] - d["estimat"]], fmt="o",
                        color=cols[1], capsize=2.5, ms=4)
            ax.set_yticks(y)
            ax.set_yticklabels([f"Start {self.labels.get(g, _lab(g))}" for g in d["grupp"]])
            ax.invert_yaxis()
            ax.axvline(0, color="#666666", lw=0.8)
            ax.set_xlabel("Skattad effekt")
            comma_axis(ax, "x")
        else:
            raise ValueError(f"Okänt kind={kind!r}: välj 'dynamic' eller 'group'.")
        if kind == "dynamic":
            ax.axhline(0, color="#666666", lw=0.8)
        note = (
            f"Callaway & Sant'Anna, {'aldrig behandlade' if self.control == 'never' else 'ännu inte behandlade'} "
            f"som kontroller. Staplar: {lvl}\u00a0% {band} konfidensband (multiplikatorbootstrap, "
            f"{self.n_boot} dragningar). n\u00a0=\u00a0{fmt_num(self.n_treated, 0)} behandlade och "
            f"{fmt_num(self.n_control, 0)} kontrollenheter. Genomsnittlig effekt {fmt_num(self.overall['estimat'], 3)} "
            f"{fmt_ci(*self.overall['ci'], 3)}."
        )
        finish(fig, title=title, note=note)
        return ax


def _lab(g: Any) -> str:
    return str(int(g)) if isinstance(g, float | np.floating) and float(g).is_integer() else str(g)


def _wif(G: np.ndarray, keep_groups: np.ndarray, pg: np.ndarray) -> np.ndarray:
    """Influence of estimating the cohort-size weights (as R ``did``'s ``wif``), shape (n, K)."""
    S = pg.sum()
    ind = (G[:, None] == keep_groups[None, :]).astype(float) - pg[None, :]
    if1 = ind / S
    if2 = ind.sum(axis=1, keepdims=True) * (pg / S**2)[None, :]
    return if1 - if2


def staggered_did(
    data: pd.DataFrame,
    outcome: str,
    *,
    unit: str = "person_id",
    time: str = "period",
    group: str = "start_period",
    control: str = "never",
    covariates: list[str] | None = None,
    anticipation: int = 0,
    n_boot: int = 999,
    random_state: int | None = 0,
    cluster: str | None = None,
    alpha: float = 0.05,
    cband: bool = True,
    max_e: int | None = None,
    period_label: str | None = None,
    time_label: str = "Kvartal i förhållande till start",
) -> StaggeredResult:
    """Group-time average treatment effects with staggered starts (Callaway & Sant'Anna 2021).

    Parameters
    ----------
    data
        Long balanced panel (units missing a period are left out and
        counted).
    outcome, unit, time
        Outcome, unit id and period columns (periods sortable; quarters
        0..23 or years).
    group
        First treated period per unit (one of the period values); missing
        for never-treated units. Units whose start lies after the last
        period count as never treated; units treated from the first period
        have no pre-period and are dropped (counted in the notes).
    control
        ``"never"`` (never-treated only) or ``"notyet"`` (also units not yet
        treated by the period and the base period).
    covariates
        Optional covariates for outcome-regression adjustment; each cell uses
        their values in its base period (as R ``did``).
    anticipation
        Periods before start in which units may already react.
    n_boot, random_state
        Multiplier bootstrap draws and seed.
    cluster
        Cluster column (constant within unit) for the bootstrap; default
        units.
    cband
        Simultaneous bands for the ATT(g,t), dynamic and group tables.
    max_e
        Last event time in :attr:`StaggeredResult.dynamic_overall`, the
        plain mean of the dynamic effects for ``e = 0..max_e`` (R ``aggte``
        with ``type="dynamic", max_e=``); default all event times.
    period_label
        Optional column with a printable name per period (``"kvartal"``:
        "2022K1"), used for the start cohorts in tables and figures.
    time_label
        x-axis label of the dynamic figure.

    Returns
    -------
    StaggeredResult

    Examples
    --------
    >>> df = simulate_staggered(n_units=600, seed=1)
    >>> res = staggered_did(df, "y", unit="unit", time="period", group="start", n_boot=199)
    >>> round(res.att, 1)
    2.8
    >>> res.table("dynamic")[["event_time", "estimat"]].round(1).tail(2).to_dict("list")
    {'event_time': [5, 6], 'estimat': [6.7, 7.7]}
    """
    if control not in ("never", "notyet"):
        raise EstimationError(f"Okänt control={control!r}: välj 'never' eller 'notyet'.")
    covariates = list(covariates or [])
    need = [outcome, unit, time, group, *covariates] + ([cluster] if cluster else []) + \
        ([period_label] if period_label else [])
    missing = [c for c in dict.fromkeys(need) if c not in data.columns]
    if missing:
        raise MissingColumnError(
            f"Kolumnen/kolumnerna {', '.join(map(repr, missing))} saknas i data. Ange rätt namn i anropet."
        )
    ex = Exclusions()
    notes: list[str] = []
    df = data[list(dict.fromkeys(need))].copy()
    miss = df[[outcome, unit, time]].isna().any(axis=1)
    if miss.any():
        ex.add("utfall, enhet eller period saknas", int(miss.sum()), rows=(np.flatnonzero(miss.to_numpy()) + 2)[:10],
               column=outcome)
        df = df[~miss]
    if df.duplicated([unit, time]).any():
        from ..errors import DuplicateIdError

        raise DuplicateIdError(f"Upprepade kombinationer av {unit!r} och {time!r}: en rad per enhet och period krävs.")
    periods = np.sort(df[time].unique())
    T = len(periods)
    per_unit = df.groupby(unit)[time].count()
    unbal = per_unit.index[per_unit < T]
    if len(unbal):
        rows = df[unit].isin(unbal)
        ex.add("enheten saknar utfall i någon period (metoden kräver balanserad panel)", int(rows.sum()), column=unit)
        notes.append(f"{len(unbal)} enheter utan utfall i alla {T} perioder har uteslutits (obalanserad panel).")
        df = df[~rows]
    if covariates:
        bad_units = df.loc[df[covariates].isna().any(axis=1), unit].unique()
        if len(bad_units):
            rows = df[unit].isin(bad_units)
            ex.add("kovariat saknas i någon period", int(rows.sum()), column=covariates[0])
            notes.append(f"{len(bad_units)} enheter med saknade kovariatvärden har uteslutits.")
            df = df[~rows]
    wide = df.pivot(index=unit, columns=time, values=outcome).reindex(columns=periods)
    units = wide.index
    Y = wide.to_numpy(dtype=float)
    n = len(units)
    if n == 0:
        raise EstimationError("Inga enheter kvar efter att obalanserade enheter uteslutits.")
    ginfo = df.groupby(unit)[group].first().reindex(units)
    if (df.groupby(unit)[group].nunique() > 1).any():
        raise EstimationError(f"{group!r} varierar inom enheter: startperioden ska vara densamma i alla rader.")
    gval = pd.to_numeric(ginfo, errors="coerce").to_numpy(dtype=float)
    pos = {p: i for i, p in enumerate(periods)}
    # Cohort index in the period grid; never treated -> inf.
    gidx = np.full(n, np.inf)
    for i, g in enumerate(gval):
        if not np.isnan(g):
            if g in pos:
                gidx[i] = pos[g]
            elif g > periods[-1]:
                gidx[i] = np.inf
            else:
                raise EstimationError(
                    f"Startperioden i {group!r} måste vara en av periodvärdena i {time!r} (eller efter sista perioden)."
                )
    late = (~np.isnan(gval)) & (gval > periods[-1])
    if late.any():
        notes.append(f"{int(late.sum())} enheter som startar efter sista perioden räknas som aldrig behandlade.")
    always = gidx <= anticipation
    if always.any():
        ex.add("behandlad redan i första perioden (ingen förperiod)", int(always.sum()) * T, column=group)
        notes.append(f"{int(always.sum())} enheter behandlade redan i första perioden har uteslutits.")
        keep = ~always
        Y, gidx, units = Y[keep], gidx[keep], units[keep]
        n = len(units)
    Xw = None
    if covariates:
        # (n, T, 1 + p): intercept and covariates per period; each cell uses its base period (as R did).
        Xw = np.stack([np.ones((n, T))] + [
            df.pivot(index=unit, columns=time, values=c).reindex(index=units, columns=periods).to_numpy(dtype=float)
            for c in covariates], axis=2)
    never = np.isinf(gidx)
    if control == "never" and not never.any():
        raise EstimationError("Det finns inga aldrig behandlade enheter: använd control='notyet'.")
    cohorts = np.unique(gidx[~never]).astype(int)
    if len(cohorts) == 0:
        raise EstimationError("Det finns inga behandlade enheter med startperiod inom panelen.")

    # --- group-time cells ---------------------------------------------------
    cells, infs = [], []
    for g in cohorts:
        treated = gidx == g
        n_g = int(treated.sum())
        for t in range(1, T):
            post = t >= g - anticipation
            b = g - 1 - anticipation if post else t - 1
            if b < 0 or b == t:
                continue
            if control == "never":
                ctrl = never.copy()
            else:
                ctrl = never | ((gidx > max(t, b) + anticipation) & (gidx != g))
            n_c = int(ctrl.sum())
            if n_c == 0:
                continue
            dy = Y[:, t] - Y[:, b]
            att, psi = _cell(dy, treated, ctrl, None if Xw is None else Xw[:, b, :], n)
            cells.append({"grupp": periods[g], "period": periods[t], "event_time": t - g, "estimat": att,
                          "efter": post, "n_grupp": n_g, "n_kontroll": n_c, "_g": g})
            infs.append(psi)
    if not cells:
        raise EstimationError("Inga grupp-tid-celler kunde skattas (för få perioder eller kontroller).")
    att_gt = pd.DataFrame(cells)
    psi = np.column_stack(infs)  # (n, K), scaled so that att - truth ~ mean(psi)
    K = len(att_gt)
    est = att_gt["estimat"].to_numpy()
    pg = att_gt["n_grupp"].to_numpy() / n
    keep_groups = att_gt["_g"].to_numpy().astype(float)

    # --- aggregations (estimate, influence function) -------------------------
    def agg(idx: np.ndarray, w: np.ndarray | None = None, with_wif: bool = True) -> tuple[float, np.ndarray]:
        if w is None:
            w = pg[idx] / pg[idx].sum()
        val = float(est[idx] @ w)
        inf = psi[:, idx] @ w
        if with_wif:
            inf = inf + _wif(gidx, keep_groups[idx], pg[idx]) @ est[idx]
        return val, inf

    postm = att_gt["efter"].to_numpy() & (att_gt["event_time"].to_numpy() >= 0)
    simple = agg(np.flatnonzero(postm))
    grp_rows, grp_inf, grp_val = [], [], []
    for g in cohorts:
        idx = np.flatnonzero(postm & (att_gt["_g"].to_numpy() == g))
        if not len(idx):
            continue
        v, inf = agg(idx, np.full(len(idx), 1 / len(idx)), with_wif=False)
        grp_rows.append({"grupp": periods[g], "n_behandlade": int((gidx == g).sum()), "_g": g})
        grp_val.append(v)
        grp_inf.append(inf)
    grp_val_a = np.array(grp_val)
    grp_inf_a = np.column_stack(grp_inf)
    pgg = np.array([r["n_behandlade"] for r in grp_rows]) / n
    overall_val = float(grp_val_a @ (pgg / pgg.sum()))
    overall_inf = grp_inf_a @ (pgg / pgg.sum()) + _wif(gidx, np.array([r["_g"] for r in grp_rows], float), pgg) @ grp_val_a
    dyn_rows, dyn_inf, dyn_val = [], [], []
    for e in np.sort(att_gt["event_time"].unique()):
        idx = np.flatnonzero(att_gt["event_time"].to_numpy() == e)
        v, inf = agg(idx)
        dyn_rows.append({"event_time": int(e), "n_behandlade": int(att_gt["n_grupp"].to_numpy()[idx].sum())})
        dyn_val.append(v)
        dyn_inf.append(inf)

    # --- multiplier bootstrap --------------------------------------------------
    rng = np.random.default_rng(random_state)
    if cluster:
        cl = df.groupby(unit)[cluster].first().reindex(units)
        if (df.groupby(unit)[cluster].nunique() > 1).any():
            raise EstimationError(f"{cluster!r} varierar inom enheter: klustret måste vara konstant per enhet.")
        codes, uniq = pd.factorize(cl, sort=True)
        n_cl = len(uniq)
        if n_cl < FEW_CLUSTERS:
            msg = (f"Endast {n_cl} kluster i {cluster!r}: bootstrapen över kluster är opålitlig med färre än cirka "
                   f"{FEW_CLUSTERS} kluster; tolka osäkerheten försiktigt.")
            warn(msg, FewClustersWarning, stacklevel=2)
            notes.append("Varning: " + msg)
    else:
        codes, n_cl = np.arange(n), n
    dyn_e = np.array([r["event_time"] for r in dyn_rows])
    sel = np.flatnonzero((dyn_e >= 0) & (dyn_e <= (max_e if max_e is not None else np.inf)))
    dyn_all_val = float(np.mean(np.array(dyn_val)[sel]))
    dyn_all_inf = np.column_stack(dyn_inf)[:, sel].mean(axis=1)
    all_inf = np.column_stack([psi, simple[1], overall_inf, *dyn_inf, *grp_inf, dyn_all_inf])
    summed = np.zeros((n_cl, all_inf.shape[1]))
    np.add.at(summed, codes, all_inf)
    boot = np.empty((n_boot, all_inf.shape[1]))
    chunk = 200
    for s in range(0, n_boot, chunk):
        v = rng.choice([-1.0, 1.0], size=(min(chunk, n_boot - s), n_cl))
        boot[s:s + len(v)] = v @ summed / n
    q75, q25 = np.quantile(boot, [0.75, 0.25], axis=0)
    se_all = (q75 - q25) / _Z
    se_all[se_all <= np.sqrt(np.finfo(float).eps) * 10] = np.nan
    z = stats.norm.ppf(1 - alpha / 2)

    def crit(cols: slice) -> float:
        if not cband:
            return z
        s = se_all[cols]
        ok = np.isfinite(s)
        if not ok.any():
            return z
        tmax = np.max(np.abs(boot[:, cols][:, ok]) / s[ok], axis=1)
        return float(np.quantile(tmax, 1 - alpha))

    o_gt = slice(0, K)
    o_simple, o_overall = K, K + 1
    o_dyn = slice(K + 2, K + 2 + len(dyn_val))
    o_grp = slice(K + 2 + len(dyn_val), K + 2 + len(dyn_val) + len(grp_val))
    o_dynall = K + 2 + len(dyn_val) + len(grp_val)

    def fill(frame: pd.DataFrame, vals: np.ndarray, cols: slice) -> pd.DataFrame:
        c = crit(cols)
        se = se_all[cols]
        frame = frame.copy()
        frame["estimat"] = vals
        frame["se"] = se
        frame["ci_lag"] = vals - c * se
        frame["ci_hog"] = vals + c * se
        frame["p"] = 2 * stats.norm.sf(np.abs(vals / se))
        return frame

    att_gt = fill(att_gt.drop(columns=["estimat"]), est, o_gt)
    att_gt = att_gt[["grupp", "period", "event_time", "estimat", "se", "ci_lag", "ci_hog", "p", "efter", "n_grupp",
                     "n_kontroll"]]
    dynamic = fill(pd.DataFrame(dyn_rows), np.array(dyn_val), o_dyn)[
        ["event_time", "estimat", "se", "ci_lag", "ci_hog", "p", "n_behandlade"]]
    by_group = fill(pd.DataFrame(grp_rows).drop(columns=["_g"]), grp_val_a, o_grp)[
        ["grupp", "estimat", "se", "ci_lag", "ci_hog", "p", "n_behandlade"]]

    def single(val: float, col: int) -> dict[str, Any]:
        se = float(se_all[col])
        se_an = float(np.sqrt((all_inf[:, col] ** 2).sum()) / n)
        return {"estimat": val, "se": se, "ci": (val - z * se, val + z * se),
                "p": float(2 * stats.norm.sf(abs(val / se))) if se > 0 else float("nan"), "se_analytic": se_an}

    n_treated = int((~never).sum())
    labels = {}
    if period_label:
        labels = df.drop_duplicates(time).set_index(time)[period_label].astype(str).to_dict()
        by_group.insert(1, "start", by_group["grupp"].map(labels))
    n_control = int(never.sum())
    notes.insert(0, (
        f"Estimator: Callaway & Sant'Anna (2021), {K} grupp-tid-celler, {len(cohorts)} startkohorter, "
        f"{fmt_num(n_treated, 0)} behandlade enheter och {fmt_num(int(never.sum()), 0)} aldrig behandlade; kontroller: "
        f"{'aldrig behandlade' if control == 'never' else 'aldrig eller ännu inte behandlade'}"
        f"{', ' + str(anticipation) + ' periods förväntanseffekt' if anticipation else ''}."
    ))
    notes.append(
        f"Standardfel: multiplikatorbootstrap med Rademachervikter över "
        f"{'kluster (' + str(n_cl) + ')' if cluster else 'enheter'}, {n_boot} dragningar; "
        f"{'simultana' if cband else 'punktvisa'} {round(100 * (1 - alpha))} % band för tabellerna per cell, "
        f"kohort och tid sedan start, punktvisa intervall för totaleffekten."
    )
    if covariates:
        notes.append(f"Utfallsregression på kovariaterna {', '.join(covariates)} (värden i varje cells basperiod).")
    if ex:
        notes.append("Exkluderat: " + ex.describe().replace("\n", "; "))
    return StaggeredResult(
        outcome=outcome, attgt=att_gt, overall=single(overall_val, o_overall), simple=single(simple[0], o_simple),
        dynamic_overall=single(dyn_all_val, o_dynall),
        dynamic=dynamic, by_group=by_group, control=control, n_units=n, n_treated=n_treated,
        n_control=n_control, n_clusters=n_cl, n_boot=n_boot, alpha=alpha,
        cband=cband, time_label=time_label, notes=notes, exclusions=ex, influence=psi, labels=labels,
    )


def _cell(dy: np.ndarray, treated: np.ndarray, ctrl: np.ndarray, X: np.ndarray | None, n: int
          ) -> tuple[float, np.ndarray]:
    """ATT of one cell and its influence function over all n units (zero outside the cell)."""
    n_g, n_c = treated.sum(), ctrl.sum()
    psi = np.zeros(n)
    if X is None:
        mu_g, mu_c = dy[treated].mean(), dy[ctrl].mean()
        psi[treated] = n / n_g * (dy[treated] - mu_g)
        psi[ctrl] = -n / n_c * (dy[ctrl] - mu_c)
        return float(mu_g - mu_c), psi
    # Outcome regression (DRDID reg_did_panel): predict the control change for the treated.
    Xc, yc = X[ctrl], dy[ctrl]
    XtX = Xc.T @ Xc
    if np.linalg.matrix_rank(XtX) < XtX.shape[0]:
        raise EstimationError("Kovariaterna är kollineära bland kontrollerna i en grupp-tid-cell.")
    beta = np.linalg.solve(XtX, Xc.T @ yc)
    fit_t = X[treated] @ beta
    att = float((dy[treated] - fit_t).mean())
    psi[treated] = n / n_g * (dy[treated] - fit_t - att)
    # Estimation error in beta, propagated through the treated mean of X.
    m1 = X[treated].mean(axis=0)
    lin = (Xc * (yc - Xc @ beta)[:, None]) @ np.linalg.solve(XtX / n, m1)
    psi[ctrl] -= lin
    return att, psi


def simulate_staggered(
    n_units: int = 600,
    n_periods: int = 10,
    *,
    cohorts: tuple[int, ...] = (3, 5, 7),
    share_never: float = 0.3,
    seed: int | None = 0,
) -> pd.DataFrame:
    """Simulate staggered adoption with effects that differ by cohort and grow with time since start.

    The effect for cohort ``g`` at event time ``e >= 0`` is
    ``(1 + 0.5 e) * (1 + (g == first cohort))``: early starters gain more,
    and everyone gains more the longer they have been treated, which is the
    setting where TWFE is biased. Columns ``unit``, ``period``, ``start``
    (NaN for never treated), ``treated`` (ever), ``effect`` (true effect in
    that row) and ``y``.
    """
    rng = np.random.default_rng(seed)
    k = len(cohorts)
    probs = [share_never] + [(1 - share_never) / k] * k
    choice = rng.choice(k + 1, size=n_units, p=probs)
    start = np.array([np.nan, *cohorts], dtype=float)[choice]
    unit = np.repeat(np.arange(n_units), n_periods)
    period = np.tile(np.arange(n_periods), n_units)
    g = start[unit]
    e = period - g
    with np.errstate(invalid="ignore"):
        on = np.nan_to_num(e, nan=-1) >= 0
    eff = np.where(on, (1 + 0.5 * np.nan_to_num(e)) * (1 + (g == cohorts[0])), 0.0)
    y = rng.normal(0, 1, n_units)[unit] + 0.2 * period + eff + rng.normal(0, 1, len(unit))
    return pd.DataFrame({"unit": unit, "period": period, "start": g, "treated": (~np.isnan(g)).astype(int),
                         "effect": eff, "y": y})
