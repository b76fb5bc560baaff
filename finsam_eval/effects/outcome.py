"""The outcome step after matching or weighting: effect, standard error, result object.

:class:`EffectResult` is what ``MatchResult.effect`` and
``WeightResult.effect`` return. The estimate is a weighted least squares
regression of the outcome on the treatment in the adjusted sample; with
``adjust`` the covariates and their interactions with the treatment enter,
centred at the (weighted) means of the target group, so the coefficient on the
treatment is the g-computation estimate for the estimand (ATT: participants,
ATC: controls, ATE: everyone), as MatchIt's vignette does it with
``marginaleffects::avg_comparisons``.

Standard errors (``se=``):

- ``"cluster"``: cluster-robust on the matched set (``subclass``), the default
  after nearest-neighbour matching (Austin 2011; Abadie & Spiess 2022);
- ``"robust"``: HC3, the default after subclassification (MatchIt);
- ``"m"``: M-estimation (stacked estimating equations of the weights model and
  the outcome regression, HC0 sandwich), the default after weighting: it
  accounts for the estimation of the propensity score or entropy balancing
  weights, as WeightIt's ``lm_weightit``; with ``adjust`` the target group's
  covariate means are held fixed (as ``marginaleffects`` does after
  ``lm_weightit``), so the SE is for the effect in this sample's covariate
  distribution;
- ``"bootstrap"``: resampling participants and controls separately (so every
  replicate has the same group sizes), re-estimating the propensity score and
  re-matching or re-weighting in each replicate, ``n_boot`` replicates seeded
  by ``random_state``; the SE is the SD of the replicate estimates and the
  interval is normal-based. This accounts for the estimated propensity score
  (Austin & Small 2014 for matching without replacement); for matching with
  replacement the bootstrap is known to be invalid (Abadie & Imbens 2008) and a
  note says so.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..errors import ConfigError, EstimationError, FinsamError
from ..results import ResultMixin
from ..sv import fmt_ci, fmt_num, fmt_p, fmt_p_eq
from .propensity import _check_columns, _design

_p_eq = fmt_p_eq  # caption phrase, shared with compare and rates

_SE_LABEL = {
    "cluster": "Standardfel klustrade på matchade par och grupper.",
    "robust": "Robusta standardfel (HC3) som behandlar vikterna som fixa.",
    "m": "Standardfel med M-skattning (HC0) som tar hänsyn till att vikterna är skattade.",
}


class _Formatted(ResultMixin):
    """ResultMixin with per-column decimals in ``summary()`` and ``_repr_html_``."""

    _decimals: int | dict[str, int] = 3

    def _formatted(self, t: pd.DataFrame) -> pd.DataFrame:
        from ..sv import format_table

        out = format_table(t, self._decimals)
        if "p" in t.columns:  # p-values as "< 0,001", suppressed cells keep their marker
            keep = out["p"] == ""
            out["p"] = [fmt_p(v) if not k else "" for v, k in zip(t["p"], keep)]
            mask = t.attrs.get("suppressed_mask")
            if mask is not None and "p" in mask.columns:
                from .._config import get_option

                out.loc[mask["p"].reindex(t.index).fillna(False).astype(bool).to_numpy(), "p"] = get_option(
                    "suppressed_marker")
        return out

    def _reader(self, t: pd.DataFrame) -> pd.DataFrame:
        """Formatted table with Swedish headers and labelled outcome names."""
        from ..sv import column_label, label

        out = self._formatted(t)
        for c in ("utfall", "variabel"):
            if c in out.columns:
                out[c] = [label(v) if isinstance(v, str) else v for v in out[c]]
        labels = getattr(self, "column_labels", None)
        out.columns = [column_label(c, labels if isinstance(labels, dict) else None) for c in out.columns]
        return out

    def summary(self) -> str:
        t = self.table()
        body = self._reader(t).to_string(index=False)
        parts = [self.title or type(self).__name__, body]
        if self.caption:
            parts.insert(1, self.caption)
        notes = self._notes()
        if notes:
            parts.append("\n".join(f"Not: {n}" for n in notes))
        return "\n\n".join(parts)

    def _repr_html_(self) -> str:
        import html

        t = self.table()
        body = self._reader(t).to_html(index=False, border=0)
        notes = "".join(f"<li>{html.escape(n)}</li>" for n in self._notes())
        cap = f"<p><em>{html.escape(self.caption)}</em></p>" if self.caption else ""
        return (f"<div class='finsam-result'><h4>{html.escape(self.title)}</h4>{cap}{body}"
                + (f"<ul style='font-size:smaller'>{notes}</ul>" if notes else "") + "</div>")


def _window_note(outcome: str, window: dict[str, Any] | None) -> list[str]:
    """What the outcome of a :func:`person_baseline` row measures, in words (the window and, for a change, the base)."""
    if not window:
        return []
    from ..sv import label_lower

    post, pre = window.get("post"), window.get("pre")
    after = (f"de {post} första perioderna från start" if post else "alla perioder från start till panelens slut")
    if outcome.endswith("_forandring"):
        base = outcome[: -len("_forandring")]
        return [f"Utfallet är förändringen i {label_lower(base)}: medelvärdet under {after} minus medelvärdet "
                f"under de {pre} perioderna före start (matchad difference-in-differences); jämförelsegruppen mäts "
                "vid samma kalendertid som deltagarna."]
    return [f"Utfallet är medelvärdet under {after}."]


@dataclass
class EffectResult(_Formatted):
    """Effect estimate from a matched or weighted sample (or another estimator).

    Attributes
    ----------
    att, se, ci_low, ci_high, pvalue
        Estimate for ``estimand`` (the attribute keeps its historical name
        ``att``; :attr:`estimate` is an alias), standard error, 95 % (or
        ``1 - alpha``) CI and two-sided p-value.
    estimand
        ``"ATT"``, ``"ATC"`` or ``"ATE"``; the table column is named after it.
    n_treated, n_control
        Participants and distinct controls behind the estimate.
    se_method
        ``"cluster"``, ``"robust"``, ``"m"`` or ``"bootstrap"``.
    """

    outcome: str
    att: float
    se: float
    ci_low: float
    ci_high: float
    pvalue: float
    n_treated: int
    n_control: int
    method: str = "Matchning"
    alpha: float = 0.05
    mean_treated: float = np.nan
    mean_control: float = np.nan
    truth: float | None = None
    notes: list[str] = field(default_factory=list)
    model: Any = field(default=None, repr=False)
    estimand: str = "ATT"
    se_method: str = "cluster"
    replicates: np.ndarray | None = field(default=None, repr=False)

    @property
    def estimate(self) -> float:
        return self.att

    @property
    def ci(self) -> tuple[float, float]:
        return (self.ci_low, self.ci_high)

    @property
    def title(self) -> str:
        from ..sv import label_lower

        return f"Effekt på {label_lower(self.outcome)} ({self.method.lower()})"

    @property
    def caption(self) -> str:
        lvl = fmt_num(100 * (1 - self.alpha), 0)
        return (
            f"Skattad effekt ({self.estimand}) {fmt_num(self.att, 3)}, {lvl} % KI {fmt_ci(self.ci_low, self.ci_high, 3)}, "
            f"{_p_eq(self.pvalue)}; {fmt_num(self.n_treated, 0)} deltagare och {fmt_num(self.n_control, 0)} i "
            "jämförelsegruppen."
        )

    def table(self) -> pd.DataFrame:
        from ..privacy import suppress_small

        est = self.estimand.lower()
        t = pd.DataFrame(
            [
                {
                    "utfall": self.outcome,
                    "metod": self.method,
                    "medel_deltagare": self.mean_treated,
                    "medel_kontroller": self.mean_control,
                    est: self.att,
                    "se": self.se,
                    "ki_nedre": self.ci_low,
                    "ki_ovre": self.ci_high,
                    "p": self.pvalue,
                    "n_deltagare": int(self.n_treated),
                    "n_kontroller": int(self.n_control),
                }
            ]
        )
        return suppress_small(
            t, ["n_deltagare", "n_kontroller"], base="n_deltagare",
            row_derived=["medel_deltagare", "medel_kontroller", est, "se", "ki_nedre", "ki_ovre", "p"],
        )

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        from ..sv import label_lower
        from ._plots import forest_plot

        rows = pd.DataFrame(
            [{"etikett": self.method, "att": self.att, "ki_nedre": self.ci_low, "ki_ovre": self.ci_high,
              "n_deltagare": self.n_treated, "n_kontroller": self.n_control}]
        )
        return forest_plot(rows, ax=ax, title=self.title, xlabel=f"Effekt ({self.estimand}) på {label_lower(self.outcome)}",
                           truth=self.truth, **kwargs)


def _target_mask(t: np.ndarray, estimand: str) -> np.ndarray:
    return {"ATT": t == 1, "ATC": t == 0}.get(estimand, np.ones(len(t), dtype=bool))


def _outcome_design(
    data: pd.DataFrame, long: pd.DataFrame, treatment: str, adjust_cols: list[str], estimand: str
) -> pd.DataFrame:
    """[const, t, Z - zbar, t * (Z - zbar)] with zbar the weighted mean of the target group."""
    t = long["treated"].to_numpy(dtype=float)
    X = pd.DataFrame({"const": 1.0, treatment: t})
    if not adjust_cols:
        return X
    Z = _design(data.loc[long["row"], adjust_cols], adjust_cols, drop_first=True).reset_index(drop=True)
    Z = Z.loc[:, Z.std() > 0]
    w = long["weights"].to_numpy(dtype=float)
    tgt = _target_mask(t, estimand) & (w > 0)
    zbar = (Z.to_numpy() * w[:, None])[tgt].sum(axis=0) / w[tgt].sum()
    Zc = Z - zbar
    inter = Zc.mul(t, axis=0).add_prefix(f"{treatment} x ")
    return pd.concat([X, Zc, inter], axis=1)


class _EffectMixin:
    """``effect(outcome)`` for any adjusted sample (matching, subclassification, weighting).

    Users provide ``data``, ``treatment``, ``covariates``, ``estimand``,
    ``caption``, ``_effect_sample()`` (long form: row, treated, weights,
    subclass), ``_method_label``, ``_default_se``, ``_allowed_se`` and
    ``_refit(frame)`` (the same design on a bootstrap sample); weighting also
    ``_m_cov(y, X)``.
    """

    _method_label = "Matchning"
    _default_se = "cluster"
    _allowed_se: tuple[str, ...] = ("cluster", "robust", "bootstrap")

    def _point(self, outcome: str, adjust_cols: list[str]) -> tuple[float, pd.DataFrame, np.ndarray, np.ndarray]:
        long = self._effect_sample()
        y = self.data.loc[long["row"], outcome].to_numpy(dtype=float)
        if np.isnan(y).any():
            raise EstimationError(
                f"Utfallet {outcome!r} saknas för {int(np.isnan(y).sum())} enheter i det justerade urvalet. "
                "Komplettera utfallet eller välj bort enheterna före matchningen/viktningen."
            )
        X = _outcome_design(self.data, long, self.treatment, adjust_cols, self.estimand)
        w = long["weights"].to_numpy(dtype=float)
        keep = w > 0
        Xk, yk, wk = X.to_numpy()[keep], y[keep], w[keep]
        beta = np.linalg.lstsq(Xk * np.sqrt(wk)[:, None], yk * np.sqrt(wk), rcond=None)[0]
        return float(beta[1]), X, y, w

    def effect(
        self,
        outcome: str,
        *,
        adjust: bool | list[str] = False,
        se: str | None = None,
        cluster: str | None = None,
        n_boot: int = 499,
        random_state: int = 0,
        alpha: float = 0.05,
        truth: float | None = None,
    ) -> EffectResult:
        """Effect of the treatment on ``outcome`` for the object's estimand.

        Parameters
        ----------
        outcome
            Column of ``data`` with the outcome (one value per unit).
        adjust
            ``True`` adds all covariates and their interactions with the
            treatment (g-computation for the estimand; robust against residual
            imbalance); a list adds those columns.
        se
            ``"cluster"`` (matched sets), ``"robust"`` (HC3), ``"m"``
            (M-estimation, weighting only) or ``"bootstrap"`` (re-estimates
            the score and re-matches/re-weights, seeded); default by design:
            cluster after nearest-neighbour matching, robust after
            subclassification, M-estimation after weighting.
        cluster
            Older spelling: ``"pair"`` = ``se="cluster"``, ``"none"`` = ``se="robust"``.
        n_boot, random_state
            Bootstrap replicates and seed.
        alpha
            1 - confidence level.
        truth
            A known true effect (simulations, sample data), shown in the plot.

        Returns
        -------
        EffectResult

        Examples
        --------
        >>> from finsam_eval.effects.match import _simulate, match
        >>> d = _simulate(2000, effect=0.1, seed=1)
        >>> m = match(d, "deltagare", ["alder", "kon", "utbildning"])
        >>> e = m.effect("arbete_studier")
        >>> round(e.att, 1), e.estimand
        (0.1, 'ATT')
        """
        import statsmodels.api as sm
        from scipy import stats

        if cluster is not None:
            if cluster not in ("pair", "none"):
                raise ConfigError(f"cluster måste vara 'pair' eller 'none', fick {cluster!r}.")
            se = se or ("cluster" if cluster == "pair" else "robust")
        se = se or self._default_se
        if se not in self._allowed_se:
            raise ConfigError(f"se={se!r} går inte här; välj bland {list(self._allowed_se)}.")
        if not 0 < alpha < 1:
            raise ConfigError(f"alpha måste ligga mellan 0 och 1, fick {alpha!r}.")
        _check_columns(self.data, [outcome], "effect")
        cols: list[str] = []
        notes: list[str] = []
        if adjust:
            cols = list(self.covariates) if adjust is True else list(adjust)
            _check_columns(self.data, cols, "effect(adjust=...)")
            from ..sv import label_lower

            notes.append(f"Regressionsjusterad (g-beräkning för {self.estimand}) för "
                         f"{', '.join(label_lower(c) for c in cols)}.")
        notes.extend(_window_note(outcome, getattr(self.data, "attrs", {}).get("utfallsfonster")))
        est, X, y, w = self._point(outcome, cols)
        long = self._effect_sample()
        keep = w > 0
        model = sm.WLS(y[keep], X[keep], weights=w[keep])
        tr = long["treated"].to_numpy()[keep] == 1
        z = stats.norm.ppf(1 - alpha / 2)
        replicates = None
        fit = None
        if se == "cluster":
            fit = model.fit(cov_type="cluster", cov_kwds={"groups": long["subclass"].to_numpy()[keep]})
            s = float(fit.bse[self.treatment])
            lo, hi = (float(v) for v in fit.conf_int(alpha=alpha).loc[self.treatment])
            p = float(fit.pvalues[self.treatment])
            notes.append(_SE_LABEL["cluster"])
            if getattr(self, "replace", False):
                notes.append("Matchning med återläggning: kluster efter den matchade enhetens grupp; kontroller som "
                             "används flera gånger gör standardfelet ungefärligt (Abadie & Imbens).")
            notes.append("Standardfelet tar inte hänsyn till att propensity score är skattad (det gör en bootstrap "
                         "som skattar om modellen och matchar om).")
        elif se == "robust":
            fit = model.fit(cov_type="HC3")
            s = float(fit.bse[self.treatment])
            lo, hi = (float(v) for v in fit.conf_int(alpha=alpha).loc[self.treatment])
            p = float(fit.pvalues[self.treatment])
            notes.append(_SE_LABEL["robust"])
        elif se == "m":
            fit = model.fit()
            cov = self._m_cov(y, X.to_numpy(), cols)
            s = float(np.sqrt(cov[1, 1]))
            lo, hi = est - z * s, est + z * s
            p = float(2 * stats.norm.sf(abs(est / s))) if s > 0 else np.nan
            notes.append(_SE_LABEL["m"])
            if cols:
                notes.append("Målgruppens kovariatmedelvärden behandlas som fixa (effekten i urvalets "
                             "kovariatfördelning); en bootstrap tar också med deras osäkerhet.")
        else:
            replicates, failed = self._bootstrap(outcome, cols, n_boot, random_state)
            s = float(np.std(replicates, ddof=1))
            lo, hi = est - z * s, est + z * s
            p = float(2 * stats.norm.sf(abs(est / s))) if s > 0 else np.nan
            notes.append(
                f"Bootstrap-standardfel: {len(replicates)} replikat (frö {random_state}) där deltagare och kontroller "
                "dras om var för sig och propensity score skattas om och matchningen/viktningen görs om i varje "
                "replikat; normalfördelat intervall."
                + (f" {failed} replikat kunde inte skattas och ingår inte." if failed else "")
            )
            if getattr(self, "replace", False):
                notes.append("Bootstrap efter matchning med återläggning är inte teoretiskt giltig (Abadie & Imbens "
                             "2008); tolka standardfelet med försiktighet.")
        ww = w[keep]
        mt = float(np.average(y[keep][tr], weights=ww[tr]))
        mc = float(np.average(y[keep][~tr], weights=ww[~tr]))
        used = long.loc[keep]
        n_t = int(used.loc[used["treated"] == 1, "row"].nunique())
        n_c = int(used.loc[used["treated"] == 0, "row"].nunique())
        return EffectResult(
            outcome=outcome, att=est, se=s, ci_low=float(lo), ci_high=float(hi), pvalue=p, n_treated=n_t,
            n_control=n_c, method=self._method_label + (" + regression" if adjust else ""), alpha=alpha,
            mean_treated=mt, mean_control=mc, truth=truth, notes=[self.caption, *notes], model=fit,
            estimand=self.estimand, se_method=se, replicates=replicates,
        )

    def _bootstrap(self, outcome: str, cols: list[str], n_boot: int, random_state: int) -> tuple[np.ndarray, int]:
        if not isinstance(n_boot, int | np.integer) or n_boot < 2:
            raise ConfigError(f"n_boot måste vara ett heltal >= 2, fick {n_boot!r}.")
        rng = np.random.default_rng(random_state)
        d = self.data
        treat = d[self.treatment].to_numpy() == 1
        pos_t, pos_c = np.flatnonzero(treat), np.flatnonzero(~treat)
        ests: list[float] = []
        failed = 0
        from .._config import option_context
        from .._progress import progress

        # One bar for the replicates; the re-estimations inside stay silent.
        for _ in progress(range(int(n_boot)), desc="Bootstrap", unit="replikat"):
            idx = np.concatenate([rng.choice(pos_t, len(pos_t)), rng.choice(pos_c, len(pos_c))])
            frame = d.iloc[idx].reset_index(drop=True)
            try:
                with warnings.catch_warnings(), option_context(progress=False):
                    warnings.simplefilter("ignore")
                    ests.append(self._refit(frame)._point(outcome, cols)[0])
            except FinsamError:
                failed += 1
        if len(ests) < 2:
            raise EstimationError("Bootstrap: färre än två replikat kunde skattas; urvalet är för litet eller "
                                  "överlappningen för dålig för bootstrap.")
        return np.asarray(ests), failed
