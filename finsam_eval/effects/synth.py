"""Synthetic control and synthetic difference-in-differences for a block of treated units.

:func:`synthdid` estimates the effect on units that all start at the same
time, against a weighted comparison of the never-treated units, as R
``synthdid`` (Arkhangelsky, Athey, Hirshberg, Imbens & Wager 2021, "Synthetic
Difference-in-Differences", *American Economic Review* 111(12)) does:

* ``method="sdid"``: unit weights ω (ridge-regularised with
  ζ = (N_tr·T_post)^¼ · σ, intercept) and time weights λ (intercept), then a
  weighted double difference;
* ``method="sc"``: synthetic control (Abadie, Diamond & Hainmueller 2010) in
  the same framework: unit weights without intercept and (almost) no
  regularisation, no time weights;
* ``method="did"``: plain difference-in-differences (uniform weights).

The weights come from the same Frank-Wolfe solver with exact line search,
stopping rule (a decrease below (10⁻⁵σ)²  or 10 000 steps) and
sparsification step (weights at most a quarter of the largest set to zero,
then a second round) as the R package, so the estimates agree with R to
rounding (see ``tests/test_effects_synth.py``).

The realistic case for a samordningsförbund is one förbund's kommuner against
all other kommuner on open kommun-level statistics (the share of the
population 16-64 with försörjningsstöd or sjukpenning per year): the
förbund's kommuner are the treated block, the year the förbund started (or
an insats was scaled up) the start.

Inference (Arkhangelsky et al., section 5):

* ``se_method="placebo"`` (Algorithm 4): controls are relabelled as treated at
  random and the estimator rerun; works with one treated unit, needs more
  controls than treated units;
* ``"jackknife"`` (Algorithm 3): leave one unit out with the weights held
  fixed; needs at least two treated units and is not recommended for SC;
* ``"bootstrap"`` (Algorithm 2): units resampled with replacement;
* ``"none"``.

Confidence intervals are estimate ± z·SE, as in the package.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import DuplicateIdError, EstimationError, MissingColumnError, SchemaError, describe_rows
from ..results import Exclusions, ResultMixin
from ..sv import fmt_ci, fmt_num
from . import _synth_solver as _S
from .inference import p_text, summary_text

__all__ = ["synthdid", "SynthResult", "METHOD_NAMES"]

#: Swedish names of the estimators, for tables and figures.
METHOD_NAMES = {
    "sdid": "syntetisk skillnad-i-skillnader",
    "sc": "syntetisk kontroll",
    "did": "skillnad-i-skillnader",
}
_SE_NAMES = {"placebo": "placebo", "jackknife": "jackknife", "bootstrap": "bootstrap", "none": "ingen"}


@dataclass
class SynthResult(ResultMixin):
    """Synthetic control / synthetic DiD estimate with unit and time weights.

    Attributes
    ----------
    estimate, se, ci, pvalue
        Average effect on the treated units in the post-periods, its standard
        error (from ``se_method``), the normal-approximation confidence interval
        and p-value.
    unit_weights
        One row per control unit: ``enhet``, ``vikt`` (ω, sum 1), sorted by weight.
    time_weights
        One row per pre-period: ``period``, ``vikt`` (λ, sum 1; all 0 for SC).
    Y
        The outcome matrix (units x periods; controls first) the weights refer to.
    replicates
        The placebo, bootstrap or jackknife estimates behind the SE.
    """

    outcome: str
    method: str
    estimate: float
    se: float
    ci: tuple[float, float]
    pvalue: float
    se_method: str
    replications: int
    alpha: float
    unit_weights: pd.DataFrame
    time_weights: pd.DataFrame
    Y: pd.DataFrame
    N0: int
    T0: int
    treated_units: list[Any]
    start: Any
    unit: str
    time: str
    replicates: np.ndarray = field(default_factory=lambda: np.empty(0), repr=False)
    noise_level: float = float("nan")
    notes: list[str] = field(default_factory=list)
    exclusions: Exclusions = field(default_factory=Exclusions)

    # -- derived numbers -------------------------------------------------------------------------
    @property
    def N1(self) -> int:
        return self.Y.shape[0] - self.N0

    @property
    def T1(self) -> int:
        return self.Y.shape[1] - self.T0

    @property
    def weights(self) -> dict[str, pd.DataFrame]:
        """Both weight tables: ``{"unit": unit_weights, "time": time_weights}``."""
        return {"unit": self.unit_weights, "time": self.time_weights}

    @property
    def effective_controls(self) -> float:
        """1 / Σω²: how many controls the synthetic control effectively averages."""
        w = self.unit_weights["vikt"].to_numpy()
        return float(1.0 / np.sum(w**2))

    @property
    def effective_periods(self) -> float:
        """1 / Σλ² (NaN for SC, which uses no time weights)."""
        w = self.time_weights["vikt"].to_numpy()
        s = np.sum(w**2)
        return float(1.0 / s) if s > 0 else float("nan")

    @property
    def title(self) -> str:
        return f"Effekt på {self.outcome}: {METHOD_NAMES[self.method]}"

    @property
    def caption(self) -> str:
        lvl = round(100 * (1 - self.alpha))
        ci = f", {lvl} % KI {fmt_ci(*self.ci, 2)}" if np.isfinite(self.se) else ""
        return (f"Effekt {fmt_num(self.estimate, 2)}{ci} ({_SE_NAMES[self.se_method]}); "
                f"{self.N1} {'behandlad' if self.N1 == 1 else 'behandlade'} och {self.N0} kontrollenheter, {self.T0} för- och {self.T1} efterperioder.")

    # -- contract ------------------------------------------------------------------------------
    def table(self) -> pd.DataFrame:
        """One row: estimate, SE, CI, p, method, inference and the dimensions of the panel.

        The counts are units (kommuner) and periods, statistical parameters
        rather than counts of persons, so nothing is suppressed.
        """
        return pd.DataFrame([{
            "utfall": self.outcome, "metod": self.method, "estimat": self.estimate, "se": self.se,
            "ci_lag": self.ci[0], "ci_hog": self.ci[1], "p": self.pvalue, "inferens": self.se_method,
            "replikeringar": self.replications if self.se_method in ("placebo", "bootstrap") else np.nan,
            "n_behandlade": self.N1, "n_kontroller": self.N0, "n_forperioder": self.T0,
            "n_efterperioder": self.T1, "effektivt_n_kontroller": self.effective_controls,
            "effektivt_n_forperioder": self.effective_periods,
        }])

    def summary(self) -> str:
        """Swedish text: the estimate in words, the table, the largest weights and the notes."""
        lvl = round(100 * (1 - self.alpha))
        names = ", ".join(map(str, self.treated_units[:6])) + (" m.fl." if self.N1 > 6 else "")
        lead = (f"{METHOD_NAMES[self.method].capitalize()}: effekten på {self.outcome} för {names} "
                f"från {self.start} skattas till {fmt_num(self.estimate, 3)}")
        if np.isfinite(self.se):
            lead += (f" (standardfel {fmt_num(self.se, 3)}, {lvl} % KI {fmt_ci(*self.ci, 3)}, "
                     f"{p_text(self.pvalue).replace(chr(0xa0), ' ')}).")
        else:
            lead += " (inget standardfel beräknat)."
        uw = self.unit_weights[self.unit_weights["vikt"] > 0].head(10)
        units = "; ".join(f"{r.enhet} {fmt_num(r.vikt, 3)}" for r in uw.itertuples())
        short = self.table()[["metod", "estimat", "se", "ci_lag", "ci_hog", "p", "inferens", "n_behandlade",
                              "n_kontroller", "n_forperioder", "n_efterperioder"]]
        parts = [summary_text(self, short), lead,
                 f"Största enhetsvikter (ω): {units}. Effektivt antal kontroller "
                 f"{fmt_num(self.effective_controls, 1)} av {self.N0}."]
        if self.method == "sdid":
            tw = self.time_weights[self.time_weights["vikt"] > 0]
            parts.append("Tidsvikter (λ): " + "; ".join(f"{r.period} {fmt_num(r.vikt, 3)}" for r in tw.itertuples())
                         + ".")
        return "\n\n".join(parts)

    # -- figures -------------------------------------------------------------------------------
    def _diagram(self) -> dict[str, Any]:
        """The numbers of R ``synthdid_plot`` (overlay 0): trajectories and the 2x2 diagram."""
        Y = self.Y.to_numpy(dtype=float)
        N0, T0, N1, T1 = self.N0, self.T0, self.N1, self.T1
        omega = self.unit_weights.set_index("enhet").loc[list(self.Y.index[:N0]), "vikt"].to_numpy()
        lam = self.time_weights["vikt"].to_numpy()
        lam_synth = np.concatenate([lam, np.zeros(T1)])
        lam_target = np.concatenate([np.zeros(T0), np.full(T1, 1.0 / T1)])
        om_synth = np.concatenate([omega, np.zeros(N1)])
        om_target = np.concatenate([np.zeros(N0), np.full(N1, 1.0 / N1)])
        times = _numeric_times(self.Y.columns)
        d = {
            "times": times, "obs": om_target @ Y, "syn": om_synth @ Y, "lam": lam, "is_sc": not lam.any(),
            "treated_post": om_target @ Y @ lam_target, "treated_pre": om_target @ Y @ lam_synth,
            "control_post": om_synth @ Y @ lam_target, "control_pre": om_synth @ Y @ lam_synth,
            "pre_time": lam_synth @ times, "post_time": lam_target @ times,
        }
        d["sdid_post"] = d["control_post"] + d["treated_pre"] - d["control_pre"]
        return d

    def plot(self, ax: Any = None, *, title: str | None = None, treated_name: str | None = None,
             xlabel: str | None = None, ylabel: str | None = None, **kwargs: Any) -> Any:
        """The synthdid plot: treated and synthetic trajectories, time weights and the effect arrow.

        As R ``synthdid_plot``: the treated units' mean and the ω-weighted
        controls over time, a vertical line at the last pre-period, the time
        weights λ as a ribbon at the bottom, the 2x2 diagram (λ-weighted
        pre-period and post-period means; the dashed line is the treated
        units' path had they changed like the synthetic control) and an arrow
        for the effect, with grey arrows for the confidence limits.
        """
        from matplotlib.patches import FancyArrowPatch

        from ..plots import OKABE_ITO, decimal_comma, figure, finish, house_style

        d = self._diagram()
        c_tr, c_sy = OKABE_ITO[0], OKABE_ITO[5]
        with house_style():
            fig, ax = figure("full") if ax is None else (ax.figure, ax)
            t = d["times"]
            label_tr = treated_name or (str(self.treated_units[0]) if self.N1 == 1 else
                                        f"Behandlade ({self.N1} enheter, medel)")
            ax.plot(t, d["obs"], color=c_tr, lw=1.6, label=label_tr)
            ax.plot(t, d["syn"], color=c_sy, lw=1.6, label="Syntetisk kontroll" if self.method != "did"
                    else "Kontroller (medel)")
            ax.axvline(t[self.T0 - 1], color="#888888", lw=0.8)
            lo = min(d["obs"].min(), d["syn"].min())
            hi = max(d["obs"].max(), d["syn"].max())
            height = (hi - lo) / 3
            bottom = lo - height
            if not d["is_sc"]:
                ax.fill_between(t[: self.T0], bottom, bottom + height * d["lam"] / d["lam"].max(), color=c_sy,
                                alpha=0.35, lw=0.6, edgecolor="#444444", step=None, label="Tidsvikter λ")
                pt, qt = d["pre_time"], d["post_time"]
                ax.plot([pt, qt], [d["control_pre"], d["control_post"]], color=c_sy, lw=1.1)
                ax.plot([pt, qt], [d["treated_pre"], d["treated_post"]], color=c_tr, lw=1.1)
                ax.plot([pt, qt], [d["treated_pre"], d["sdid_post"]], color="black", lw=1.0, ls="--", alpha=0.6)
                ax.plot([pt, pt], [d["control_pre"], d["treated_pre"]], color="black", lw=0.8, ls=":", alpha=0.5)
                ax.plot([qt, qt], [d["control_post"], d["sdid_post"]], color="black", lw=0.8, ls=":", alpha=0.5)
                ax.plot([pt, pt, qt], [d["control_pre"], d["treated_pre"], d["control_post"]], "o", ms=3.5,
                        color="#333333")
            qt = d["post_time"]
            ax.plot([qt], [d["treated_post"]], "o", ms=4, color=c_tr)
            ax.plot([qt], [d["sdid_post"]], "o", ms=4, mfc="white", mec=c_sy)
            z = stats.norm.ppf(1 - self.alpha / 2)
            starts = [(d["sdid_post"], "black", 1.3)]
            if np.isfinite(self.se):
                starts += [(d["sdid_post"] + s * z * self.se, "#9A9A9A", 0.9) for s in (-1, 1)]
            for y0, col, lw in starts:
                ax.add_patch(FancyArrowPatch((qt, y0), (qt, d["treated_post"]), connectionstyle="arc3,rad=0.3",
                                             arrowstyle="-|>", mutation_scale=9, color=col, lw=lw, zorder=4))
            ax.set_ylim(bottom - 0.05 * height if not d["is_sc"] else lo - 0.3 * height, hi + 0.3 * height)
            ax.set_xlabel(xlabel or self.time)
            ax.set_ylabel(ylabel or self.outcome)
            decimal_comma(ax, "y")
            ax.legend(loc="best")
            lvl = round(100 * (1 - self.alpha))
            note = (f"{METHOD_NAMES[self.method].capitalize()}: effekt {fmt_num(self.estimate, 2)}"
                    + (f", {lvl} % KI {fmt_ci(*self.ci, 2)} ({_SE_NAMES[self.se_method]})" if np.isfinite(self.se)
                       else "")
                    + ". Svart pil: effekten; grå pilar: konfidensgränserna. "
                    + ("Streckad linje: de behandlades väg om de hade förändrats som den syntetiska kontrollen; "
                       "ytan nertill: tidsvikterna λ. " if not d["is_sc"] else "")
                    + f"Lodrät linje: sista förperioden ({self.Y.columns[self.T0 - 1]}). "
                    f"{self.N0} kontrollenheter (effektivt {fmt_num(self.effective_controls, 1)}).")
            fig.tight_layout()
            finish(fig, title=title, note=note)
        return ax

    def plot_units(self, ax: Any = None, *, title: str | None = None, threshold: float = 0.001) -> Any:
        """Unit contributions (R ``synthdid_units_plot``): the double difference against each control.

        One point per control unit at the estimate the diagram gives against
        that unit alone, sized by its weight ω; units with weight at or below
        ``threshold`` as small crosses. The black line is the estimate, the
        grey lines its confidence limits.
        """
        from ..plots import GREY, OKABE_ITO, decimal_comma, figure, finish, house_style

        Y = self.Y.to_numpy(dtype=float)
        N0, T1 = self.N0, self.T1
        lam = self.time_weights["vikt"].to_numpy()
        contrast = np.concatenate([-lam, np.full(T1, 1.0 / T1)])
        difs = Y[N0:].mean(axis=0) @ contrast - Y[:N0] @ contrast
        names = [str(u) for u in self.Y.index[:N0]]
        w = self.unit_weights.set_index("enhet").loc[list(self.Y.index[:N0]), "vikt"].to_numpy()
        order = np.argsort(names, kind="stable")
        with house_style():
            width = max(6.3, min(12.0, 0.16 * N0 + 1.5))
            fig, ax = figure((width, 3.9)) if ax is None else (ax.figure, ax)
            x = np.arange(N0)
            big = w[order] > threshold
            ax.scatter(x[big], difs[order][big], s=20 + 400 * w[order][big], color=OKABE_ITO[0], alpha=0.8,
                       edgecolor="white", lw=0.5, zorder=3, label="Kontrollenhet (storlek = vikt ω)")
            ax.scatter(x[~big], difs[order][~big], marker="x", s=12, color=GREY, alpha=0.6, zorder=2,
                       label=f"Vikt ≤ {fmt_num(threshold, 3)}")
            ax.axhline(self.estimate, color="black", lw=1.1)
            if np.isfinite(self.se):
                for v in self.ci:
                    ax.axhline(v, color=GREY, lw=0.8)
            ax.set_xticks(x)
            ax.set_xticklabels([names[i] for i in order], rotation=90, fontsize=6 if N0 > 40 else 7)
            ax.set_xlim(-0.8, N0 - 0.2)
            ax.set_ylabel(f"Skillnad mot enheten ({self.outcome})")
            decimal_comma(ax, "y")
            ax.legend(loc="best", fontsize=7)
            fig.tight_layout()
            finish(fig, title=title, note=(
                f"Varje punkt: den dubbla skillnaden mellan de behandlade och en kontrollenhet med tidsvikterna λ. "
                f"Svart linje: skattningen {fmt_num(self.estimate, 2)} (det ω-viktade medelvärdet av punkterna)"
                + ("; grå linjer: konfidensgränserna." if np.isfinite(self.se) else ".")))
        return ax


def _numeric_times(cols: pd.Index) -> np.ndarray:
    """Period labels as numbers for the x axis (positions when they are not numeric)."""
    try:
        return np.asarray(pd.to_numeric(pd.Series(cols)), dtype=float)
    except (ValueError, TypeError):
        pass
    try:
        return pd.to_datetime(pd.Series(cols)).map(pd.Timestamp.toordinal).to_numpy(dtype=float)
    except (ValueError, TypeError):
        return np.arange(len(cols), dtype=float)


def _rng(seed: Any) -> Any:
    """A numpy Generator from a seed; any object with ``permutation`` and ``integers`` is used as is."""
    if hasattr(seed, "permutation") and hasattr(seed, "integers"):
        return seed
    return np.random.default_rng(seed)


def _panel(df: pd.DataFrame, unit: str, time: str, outcome: str, treated: str | None,
           treated_units: Any, start: Any) -> tuple[pd.DataFrame, int, int, Any]:
    """Wide outcome matrix with controls first and treated last (R ``panel.matrices``), N0, T0, start."""
    from ..privacy import holds_personnummer

    if not isinstance(df, pd.DataFrame):
        raise SchemaError("synthdid behöver en pandas DataFrame i långt format (en rad per enhet och period).")
    if (treated is None) == (treated_units is None):
        raise SchemaError("Ange antingen treated= (en kolumn med 1 för behandlade enheter och perioder) eller "
                          "treated_units= tillsammans med start= (de behandlade enheterna och första behandlade "
                          "perioden).")
    cols = [unit, time, outcome] + ([treated] if treated is not None else [])
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise MissingColumnError(
            f"Kolumnen/kolumnerna {', '.join(map(repr, missing))} saknas i data. Tillgängliga kolumner: "
            f"{', '.join(map(str, df.columns[:20]))}. Ange rätt namn i anropet.")
    d = df[cols].reset_index(drop=True)
    if d[unit].map(holds_personnummer).any():
        from ..errors import PrivacyError

        raise PrivacyError(f"Kolumnen {unit!r} innehåller personnummer. synthdid är till för aggregerade "
                           "paneler (t.ex. kommuner); enhetsnamnen hamnar i vikttabeller och figurer. "
                           "Aggregera eller pseudonymisera först.")
    for c in cols:
        bad = np.flatnonzero(d[c].isna().to_numpy())
        if len(bad):
            raise SchemaError(f"Kolumnen {c!r} saknar värden på {describe_rows(bad, offset=2)} (räknat som rader "
                              "i en fil med rubrikrad). synthdid kräver en balanserad panel utan saknade värden: "
                              "fyll i eller ta bort enheten i sin helhet.")
    if not pd.api.types.is_numeric_dtype(d[outcome]):
        raise SchemaError(f"Kolumnen {outcome!r} är inte numerisk. Läs in filen med decimalkomma "
                          "(finsam_eval.io.read_table) eller konvertera kolumnen till tal.")
    dup = np.flatnonzero(d.duplicated([unit, time], keep="first").to_numpy())
    if len(dup):
        raise DuplicateIdError(f"Samma enhet och period förekommer flera gånger ({describe_rows(dup, offset=2)}). "
                               f"Varje kombination av {unit!r} och {time!r} ska finnas exakt en gång.")
    Yw = d.pivot(index=unit, columns=time, values=outcome).sort_index(axis=1)
    if Yw.isna().any().any():
        holes = Yw.isna().sum(axis=1)
        holes = holes[holes > 0]
        raise SchemaError(f"Panelen är inte balanserad: {len(holes)} enheter saknar perioder "
                          f"(t.ex. {', '.join(map(str, holes.index[:5]))}). synthdid kräver att varje enhet finns "
                          "med i varje period: ta bort enheterna eller perioderna som saknas.")
    times = list(Yw.columns)
    if treated is not None:
        vals = pd.to_numeric(d[treated], errors="coerce")
        bad = np.flatnonzero(~vals.isin([0, 1]).to_numpy())
        if len(bad):
            raise SchemaError(f"Kolumnen {treated!r} ska innehålla 0 eller 1 ({describe_rows(bad, offset=2)} har "
                              "andra värden).")
        W = d.assign(**{treated: vals}).pivot(index=unit, columns=time, values=treated).sort_index(axis=1)
    else:
        tu = list(treated_units) if isinstance(treated_units, list | tuple | set | pd.Index | np.ndarray | pd.Series) \
            else [treated_units]
        unknown = [u for u in tu if u not in Yw.index]
        if unknown:
            raise SchemaError(f"treated_units: {len(unknown)} enheter finns inte i kolumnen {unit!r} "
                              f"(t.ex. {', '.join(map(str, unknown[:5]))}). Kontrollera stavningen.")
        if start is None or start not in times:
            raise SchemaError(f"start={start!r} är inte en av perioderna i kolumnen {time!r} "
                              f"({times[0]}–{times[-1]}). Ange den första behandlade perioden.")
        W = pd.DataFrame(0, index=Yw.index, columns=Yw.columns)
        W.loc[tu, [t for t in times if t >= start]] = 1
    Wm = W.to_numpy()
    is_tr = Wm.any(axis=1)
    if not is_tr.any():
        raise EstimationError("Ingen enhet är behandlad: ange vilka enheter som började och när.")
    if is_tr.all():
        raise EstimationError("Alla enheter är behandlade: synthdid behöver obehandlade kontrollenheter.")
    first = int(np.flatnonzero(Wm.any(axis=0))[0])
    if first == 0:
        raise EstimationError("Behandlingen börjar i första perioden: det finns ingen förperiod att väga ihop "
                              "kontrollerna på.")
    if not (Wm[~is_tr].sum() == 0 and Wm[:, :first].sum() == 0 and Wm[is_tr, first:].all()):
        raise EstimationError("De behandlade enheterna börjar inte samtidigt (eller slutar). synthdid kräver att alla "
                              "behandlade börjar i samma period och förblir behandlade; för förskjuten start, använd "
                              "staggered_did, eller skatta varje startkohort för sig mot de aldrig behandlade.")
    order = list(Yw.index[~is_tr]) + list(Yw.index[is_tr])
    return Yw.loc[order], int((~is_tr).sum()), first, times[first]


def synthdid(
    df: pd.DataFrame,
    unit: str,
    time: str,
    outcome: str,
    treated: str | None = None,
    *,
    treated_units: Any = None,
    start: Any = None,
    method: str = "sdid",
    se_method: str = "placebo",
    replications: int = 200,
    seed: Any = None,
    alpha: float = 0.05,
    eta_omega: float | None = None,
    eta_lambda: float = 1e-6,
    omega_intercept: bool | None = None,
    lambda_intercept: bool = True,
    max_iter: int = 10_000,
    sparsify: bool = True,
) -> SynthResult:
    """Synthetic difference-in-differences, synthetic control or DiD for a block of treated units.

    Parameters
    ----------
    df
        Balanced long panel: one row per unit (e.g. kommun) and period, no
        missing values.
    unit, time, outcome
        Column names.
    treated
        Column with 1 for treated units in treated periods and 0 otherwise
        (R ``panel.matrices``). Alternatively give ``treated_units`` and ``start``.
    treated_units, start
        The treated units (e.g. the kommuner of one förbund) and the first
        treated period.
    method
        ``"sdid"`` (default), ``"sc"`` or ``"did"``, as R ``synthdid_estimate``,
        ``sc_estimate`` and ``did_estimate``.
    se_method
        ``"placebo"`` (default; one treated unit is fine), ``"jackknife"``,
        ``"bootstrap"`` or ``"none"``.
    replications
        Placebo or bootstrap replications (R's default 200).
    seed
        Seed (int) or numpy Generator for placebo and bootstrap draws.
    alpha
        1 - confidence level.
    eta_omega, eta_lambda, omega_intercept, lambda_intercept, max_iter, sparsify
        Tuning as in R ``synthdid_estimate`` (defaults: η_ω = (N_tr·T_post)^¼
        for SDID and 10⁻⁶ for SC, η_λ = 10⁻⁶, intercepts except for SC's unit
        weights, 10 000 Frank-Wolfe steps, sparsification on).

    Returns
    -------
    SynthResult

    Raises
    ------
    MissingColumnError, SchemaError, DuplicateIdError
        Missing columns, missing values, an unbalanced panel or duplicate
        unit-periods, a treatment column that is not 0/1.
    EstimationError
        No controls or no pre-period, treated units that do not start together,
        or an inference method that the design does not allow.

    Examples
    --------
    >>> from finsam_eval.samples import load_sample
    >>> panel = load_sample("kommun_panel")
    >>> res = synthdid(panel, "kommun", "ar", "andel_stod", treated="behandlad", se_method="none")
    >>> res.table()[["metod", "n_behandlade", "n_kontroller"]].iloc[0].tolist()
    ['sdid', 3, 47]
    >>> round(float(res.unit_weights["vikt"].sum()), 6), round(float(res.time_weights["vikt"].sum()), 6)
    (1.0, 1.0)
    """
    if method not in METHOD_NAMES:
        raise SchemaError(f"method={method!r} finns inte. Välj 'sdid', 'sc' eller 'did'.")
    if se_method not in _SE_NAMES:
        raise SchemaError(f"se_method={se_method!r} finns inte. Välj 'placebo', 'jackknife', 'bootstrap' eller "
                          "'none'.")
    if not 0 < alpha < 1:
        raise SchemaError(f"alpha={alpha} måste ligga mellan 0 och 1.")
    if se_method in ("placebo", "bootstrap") and int(replications) < 2:
        raise SchemaError(f"replications={replications}: minst 2 replikeringar behövs (200 är standard).")
    Yw, N0, T0, start_period = _panel(df, unit, time, outcome, treated, treated_units, start)
    Y = Yw.to_numpy(dtype=float)
    N1 = Y.shape[0] - N0
    if not np.isfinite(Y).all():
        raise SchemaError(f"Kolumnen {outcome!r} innehåller oändliga värden.")
    opts = _S.default_opts(Y, N0, T0, method, eta_omega=eta_omega, eta_lambda=eta_lambda,
                           omega_intercept=omega_intercept, lambda_intercept=lambda_intercept, max_iter=max_iter,
                           sparsify_weights=sparsify)
    omega0 = np.full(N0, 1.0 / N0) if method == "did" else None
    lam0 = {"sdid": None, "sc": np.zeros(T0), "did": np.full(T0, 1.0 / T0)}[method]
    fit = _S.fit_weights(Y, N0, T0, opts, omega0, lam0)

    notes: list[str] = []
    reps = np.empty(0)
    se = float("nan")
    if se_method == "placebo":
        if N0 <= N1:
            raise EstimationError(f"Placebo-standardfel kräver fler kontroller ({N0}) än behandlade enheter ({N1}). "
                                  "Använd se_method='jackknife' eller 'bootstrap'.")
        se, reps = _S.placebo_se(Y, fit, int(replications), _rng(seed))
        notes.append(f"Standardfel enligt placebometoden (Arkhangelsky m.fl. 2021, algoritm 4): i {replications} "
                     f"replikeringar fick {N1} slumpvis {'vald kontrollenhet' if N1 == 1 else 'valda kontrollenheter'} "
                     "spela behandlad och skattningen "
                     "gjordes om; standardfelet är spridningen i placeboskattningarna. Det förutsätter att "
                     "effekten inte beror på vilka enheter som behandlas.")
    elif se_method == "jackknife":
        if N1 < 2:
            raise EstimationError("Jackknife-standardfel kräver minst två behandlade enheter. Med en behandlad enhet, "
                                  "använd se_method='placebo'.")
        if np.count_nonzero(fit.omega) <= 1:
            raise EstimationError("Jackknife-standardfel går inte att beräkna när bara en kontrollenhet har vikt. "
                                  "Använd se_method='placebo'.")
        se, reps = _S.jackknife_se(Y, fit)
        notes.append("Standardfel med jackknife (lämna en enhet utanför i taget, vikterna fasta; Arkhangelsky m.fl. "
                     "2021, algoritm 3).")
        if method == "sc":
            notes.append("Varning: jackknife rekommenderas inte för syntetisk kontroll (Arkhangelsky m.fl. 2021, "
                         "avsnitt 5); använd placebo.")
    elif se_method == "bootstrap":
        if N1 < 2:
            raise EstimationError("Bootstrap-standardfel kräver minst två behandlade enheter. Med en behandlad enhet, "
                                  "använd se_method='placebo'.")
        se, reps = _S.bootstrap_se(Y, fit, int(replications), _rng(seed))
        notes.append(f"Standardfel med bootstrap över enheter ({replications} replikeringar, vikterna skattade om i "
                     "varje; Arkhangelsky m.fl. 2021, algoritm 2).")
    z = stats.norm.ppf(1 - alpha / 2)
    ci = (float(fit.tau - z * se), float(fit.tau + z * se))
    pval = float(2 * stats.norm.sf(abs(fit.tau / se))) if np.isfinite(se) and se > 0 else float("nan")

    unit_w = pd.DataFrame({"enhet": list(Yw.index[:N0]), "vikt": fit.omega})
    unit_w = unit_w.sort_values("vikt", ascending=False, kind="stable").reset_index(drop=True)
    time_w = pd.DataFrame({"period": list(Yw.columns[:T0]), "vikt": fit.lam})
    desc = {
        "sdid": "enhetsvikter ω (regulariserade, med intercept) och tidsvikter λ",
        "sc": "enhetsvikter ω utan intercept och utan tidsvikter (syntetisk kontroll)",
        "did": "lika vikter för alla kontroller och förperioder (vanlig skillnad-i-skillnader)",
    }[method]
    notes.insert(0, f"Estimator: {METHOD_NAMES[method]} (Arkhangelsky m.fl. 2021, som R-paketet synthdid) med {desc}; "
                    f"{N1} {'behandlad' if N1 == 1 else 'behandlade'} och {N0} kontrollenheter, {T0} förperioder och {Y.shape[1] - T0} efterperioder "
                    f"från {start_period}.")
    if method != "did":
        notes.append(f"Effektivt antal kontroller (1/Σω²): {fmt_num(1 / np.sum(fit.omega**2), 1)} av {N0}.")
    return SynthResult(
        outcome=outcome, method=method, estimate=fit.tau, se=se, ci=ci, pvalue=pval, se_method=se_method,
        replications=int(replications), alpha=alpha, unit_weights=unit_w, time_weights=time_w, Y=Yw, N0=N0, T0=T0,
        treated_units=list(Yw.index[N0:]), start=start_period, unit=unit, time=time, replicates=reps,
        noise_level=fit.noise_level, notes=notes,
    )
