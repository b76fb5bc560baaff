"""Covariate balance as cobalt's ``bal.tab``: SMD, variance ratios, KS, thresholds.

One table for every design (nearest-neighbour matching, subclassification,
inverse probability and entropy balancing weights), so matched and weighted
samples are judged by the same yardstick:

- Standardised mean differences use cobalt's standardiser per estimand,
  computed once in the full (unadjusted) sample: the participants' SD for the
  ATT, the controls' SD for the ATC and the pooled ``sqrt((s_t^2 + s_c^2) / 2)``
  for the ATE (cobalt ``s.d.denom``). Binary variables show the raw difference
  in proportions (cobalt's default ``binary = "raw"``); ``binary="std"``
  standardises them too (MatchIt's ``summary()``).
- Variance ratios (participants / controls) for continuous variables only,
  with weighted variances corrected as for reliability weights (cobalt's
  ``col_w_v``).
- Kolmogorov-Smirnov statistics: the largest distance between the weighted
  empirical CDFs (cobalt's ``col_w_ks``); for binary variables the absolute
  difference in proportions.
- Thresholds ``dict(m=0.1, v=2, ks=0.05)`` give a verdict per row in Swedish
  (``balanserad, <0,1`` / ``ej balanserad, >0,1``) as cobalt's
  ``M.Threshold``; a variance ratio is judged on ``max(vr, 1/vr)``.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import pandas as pd

from ..errors import ConfigError
from .propensity import _design

__all__ = ["balance_table", "effective_sample_size"]

_STAT_LABEL = {"m": "smd", "v": "vr", "ks": "ks"}


def _weighted_mean_var(x: np.ndarray, w: np.ndarray) -> tuple[float, float]:
    sw = w.sum()
    if sw <= 0:
        return np.nan, np.nan
    m = float(np.sum(w * x) / sw)
    # Reliability-weights correction, as cobalt's col_w_sd.
    v1, v2 = sw, np.sum(w**2)
    denom = v1 - v2 / v1
    v = float(np.sum(w * (x - m) ** 2) / denom) if denom > 0 else np.nan
    return m, v


def _ks(x: np.ndarray, treat: np.ndarray, w: np.ndarray) -> float:
    """Weighted two-sample KS statistic as cobalt's col_w_ks (continuous variables)."""
    keep = w > 0
    x, treat, w = x[keep], treat[keep], w[keep]
    wt, wc = w[treat].sum(), w[~treat].sum()
    if wt <= 0 or wc <= 0:
        return np.nan
    signed = np.where(treat, w / wt, -w / wc)
    order = np.argsort(x, kind="stable")
    xs = x[order]
    cum = np.abs(np.cumsum(signed[order]))
    last_of_value = np.append(np.diff(xs) != 0, True)
    return float(cum[last_of_value].max()) if last_of_value.any() else 0.0


def effective_sample_size(w: np.ndarray) -> float:
    """Kish's effective sample size ``(sum w)^2 / sum w^2`` (cobalt, WeightIt).

    Examples
    --------
    >>> effective_sample_size(np.array([1.0, 1.0, 2.0]))
    2.6666666666666665
    """
    w = np.asarray(w, dtype=float)
    s2 = float(np.sum(w**2))
    return float(np.sum(w) ** 2 / s2) if s2 > 0 else 0.0


def _denominator(estimand: str, s_d_denom: str | None) -> str:
    if s_d_denom is None:
        return {"ATT": "treated", "ATC": "control", "ATE": "pooled"}[estimand]
    if s_d_denom not in ("treated", "control", "pooled"):
        raise ConfigError(f"s_d_denom måste vara 'treated', 'control' eller 'pooled', fick {s_d_denom!r}.")
    return s_d_denom


def _thresholds(thresholds: float | dict[str, float] | None, default: dict[str, float]) -> dict[str, float]:
    if thresholds is None:
        return dict(default)
    if isinstance(thresholds, int | float):
        return {"m": float(thresholds)}
    bad = set(thresholds) - set(_STAT_LABEL)
    if bad:
        raise ConfigError(f"thresholds får bara ha nycklarna 'm', 'v' och 'ks', fick {sorted(bad)}.")
    for k, v in thresholds.items():
        if not (isinstance(v, int | float) and v > 0):
            raise ConfigError(f"thresholds[{k!r}] måste vara ett positivt tal, fick {v!r}.")
    return {k: float(v) for k, v in thresholds.items()}


def _fmt_thr(v: float) -> str:
    s = f"{v:.4f}".rstrip("0").rstrip(".")
    return s.replace(".", ",")


def balance_table(
    X: pd.DataFrame,
    treat: np.ndarray,
    weights: np.ndarray | None = None,
    *,
    estimand: Literal["ATT", "ATC", "ATE"] = "ATT",
    thresholds: float | dict[str, float] | None = None,
    binary: Literal["raw", "std"] = "raw",
    s_d_denom: Literal["treated", "control", "pooled"] | None = None,
    distance: tuple[str, ...] = (),
) -> pd.DataFrame:
    """Balance before and after adjustment for the columns of ``X`` (cobalt's ``bal.tab``).

    Parameters
    ----------
    X
        Covariates; text/categorical columns are expanded to one 0/1 column
        per level.
    treat
        Boolean array, True = participant.
    weights
        Adjustment weights per row (matching or weighting; 0 = not used).
        ``None`` gives the unadjusted table only.
    estimand
        Chooses the SMD standardiser: participants' SD (ATT), controls' SD
        (ATC), pooled (ATE).
    thresholds
        ``dict(m=0.1, v=2, ks=0.05)`` or a number (``m`` only). Default ``m=0.1``.
    binary
        ``"raw"`` difference in proportions (cobalt) or ``"std"`` (MatchIt).
    s_d_denom
        Override the standardiser.
    distance
        Columns that are distance measures (propensity score): shown first
        with ``typ == "avstånd"``, never judged against thresholds.

    Returns
    -------
    pandas.DataFrame
        ``variabel``, ``typ`` (``binär``/``kontinuerlig``/``avstånd``), means,
        ``smd``, ``vr`` and ``ks`` with the suffixes ``_fore`` and
        ``_efter``, one verdict column per threshold (``m_troskel``,
        ``v_troskel``, ``ks_troskel``) and ``obalans`` (any threshold missed
        after adjustment).

    Examples
    --------
    >>> X = pd.DataFrame({"x": [1.0, 2.0, 3.0, 0.0, 2.0, 4.0], "b": [1, 0, 1, 0, 0, 0]})
    >>> t = np.array([True, True, True, False, False, False])
    >>> b = balance_table(X, t, np.ones(6), thresholds=dict(m=0.1, ks=0.05))
    >>> b[["variabel", "smd_fore", "ks_fore"]].round(3).values.tolist()
    [['x', 0.0, 0.333], ['b', 0.667, 0.667]]
    >>> b["m_troskel"].tolist()
    ['balanserad, <0,1', 'ej balanserad, >0,1']
    >>> balance_table(pd.DataFrame({"kon": ["k", "m", "k", "m", "m", "m"]}), t)["variabel"].tolist()
    ['kon: k', 'kon: m']
    """
    thr = _thresholds(thresholds, {"m": 0.1})
    denom = _denominator(estimand, s_d_denom)
    if binary not in ("raw", "std"):
        raise ConfigError(f"binary måste vara 'raw' eller 'std', fick {binary!r}.")
    treat = np.asarray(treat, dtype=bool)
    if len(treat) != len(X):
        raise ConfigError(f"balance_table: treat har {len(treat)} värden men X har {len(X)} rader.")
    if weights is not None and len(weights) != len(X):
        raise ConfigError(f"balance_table: weights har {len(weights)} värden men X har {len(X)} rader.")
    X = _design(X, list(X.columns), drop_first=False)  # categoricals to one column per level
    ones = np.ones(len(treat))
    rows = []
    for col in X.columns:
        x = X[col].to_numpy(dtype=float)
        is_dist = col in distance
        is_bin = (not is_dist) and bool(np.isin(x, (0.0, 1.0)).all())
        mt, vt = _weighted_mean_var(x[treat], ones[treat])
        mc, vc = _weighted_mean_var(x[~treat], ones[~treat])
        if is_bin:  # cobalt's col.w.v: p(1 - p) for binary variables
            vt, vc = mt * (1 - mt), mc * (1 - mc)
        sd = {"treated": np.sqrt(vt), "control": np.sqrt(vc), "pooled": np.sqrt((vt + vc) / 2)}[denom]
        std = (not is_bin) or binary == "std"
        scale = sd if (std and sd > 0) else 1.0
        row: dict[str, Any] = {"variabel": col, "typ": "avstånd" if is_dist else ("binär" if is_bin else "kontinuerlig")}
        for suffix, w in (("fore", ones), ("efter", weights)):
            if w is None:
                continue
            w = np.asarray(w, dtype=float)
            m1, v1 = _weighted_mean_var(x[treat], w[treat])
            m0, v0 = _weighted_mean_var(x[~treat], w[~treat])
            row[f"medel_deltagare_{suffix}"] = m1
            row[f"medel_kontroller_{suffix}"] = m0
            row[f"smd_{suffix}"] = 0.0 if (std and not sd > 0) else (m1 - m0) / scale
            row[f"vr_{suffix}"] = np.nan if is_bin or not v0 else v1 / v0
            row[f"ks_{suffix}"] = abs(m1 - m0) if is_bin else _ks(x, treat, w)
        rows.append(row)
    out = pd.DataFrame(rows)
    if weights is None:
        return out
    judged = out["typ"] != "avstånd"
    bad = pd.Series(False, index=out.index)
    for key, value in thr.items():
        stat = out[f"{_STAT_LABEL[key]}_efter"]
        size = np.maximum(stat, 1 / stat) if key == "v" else stat.abs()
        ok = size < value
        verdict = np.where(ok, f"balanserad, <{_fmt_thr(value)}", f"ej balanserad, >{_fmt_thr(value)}")
        verdict = np.where(judged & stat.notna(), verdict, "")
        out[f"{key}_troskel"] = verdict
        bad |= judged & stat.notna() & ~ok
    out["obalans"] = bad.to_numpy()
    return out


class _BalanceMixin:
    """Balance table, love plot and overlap plot for an adjusted sample.

    Users set ``data`` (complete cases), ``treatment``, ``covariates``,
    ``estimand``, ``thresholds``, ``unit_weights`` (per row of ``data``) and
    ``_adjust_word`` ("matchning", "viktning", ...); ``_distance_column()``
    returns the propensity score column to show first (or None).
    """

    _adjust_word = "matchning"

    def _distance_column(self) -> pd.Series | None:  # pragma: no cover - overridden
        return None

    def _balance_design(self) -> pd.DataFrame:
        X = _design(self.data, self.covariates, drop_first=False)
        dist = self._distance_column()
        if dist is not None:
            X.insert(0, dist.name, dist.reindex(self.data.index).to_numpy())
        return X

    def balance(
        self,
        thresholds: float | dict[str, float] | None = None,
        *,
        binary: Literal["raw", "std"] = "raw",
        s_d_denom: Literal["treated", "control", "pooled"] | None = None,
    ) -> pd.DataFrame:
        """Balance table before and after adjustment (see :func:`balance_table`).

        Parameters
        ----------
        thresholds
            ``dict(m=0.1, v=2, ks=0.05)`` or a number for the SMD; default the
            object's ``thresholds``.
        binary
            ``"raw"`` difference in proportions for binary variables (cobalt)
            or ``"std"`` (MatchIt's ``summary()``).
        s_d_denom
            Override cobalt's standardiser for the estimand.

        Returns
        -------
        pandas.DataFrame
        """
        dist = self._distance_column()
        return balance_table(
            self._balance_design(), self.data[self.treatment].to_numpy() == 1,
            self.unit_weights.reindex(self.data.index).to_numpy(dtype=float), estimand=self.estimand,
            thresholds=self.thresholds if thresholds is None else thresholds, binary=binary, s_d_denom=s_d_denom,
            distance=() if dist is None else (dist.name,),
        )

    def sample_sizes(self) -> pd.DataFrame:
        """Units and effective sample sizes (Kish) before and after adjustment, per group."""
        treat = self.data[self.treatment].to_numpy() == 1
        w = self.unit_weights.reindex(self.data.index).to_numpy(dtype=float)
        return pd.DataFrame(
            {
                "kontroller": [float((~treat).sum()), effective_sample_size(w[~treat]), float((w[~treat] > 0).sum())],
                "deltagare": [float(treat.sum()), effective_sample_size(w[treat]), float((w[treat] > 0).sum())],
            },
            index=["Alla", f"Efter {self._adjust_word} (effektiv storlek)", f"Efter {self._adjust_word} (antal)"],
        )

    def _balance_notes(self) -> list[str]:
        from ..sv import fmt_num

        bal = self.balance()
        out = []
        for key in self.thresholds:
            col = f"{key}_troskel"
            bad = bal.loc[bal[col].str.startswith("ej"), "variabel"].tolist()
            name = {"m": "Medelvärdesskillnad", "v": "Varianskvot", "ks": "KS-statistika"}[key]
            thr = _fmt_thr(self.thresholds[key])
            if bad:
                out.append(f"{name} utanför gränsen {thr} efter {self._adjust_word}: " + ", ".join(bad) + ".")
            else:
                out.append(f"{name}: alla kovariater inom gränsen {thr} efter {self._adjust_word}.")
        denom = {"ATT": "deltagarnas SD", "ATC": "jämförelsegruppens SD", "ATE": "poolad SD"}[self.estimand]
        out.append(f"SMD för kontinuerliga variabler med {denom} i hela urvalet som nämnare (som cobalt för "
                   f"{self.estimand}); binära variabler som skillnad i andelar.")
        ess = self.sample_sizes()
        out.append(f"Effektiv urvalsstorlek efter {self._adjust_word}: {fmt_num(ess.iloc[1, 0], 1)} i jämförelsegruppen, "
                   f"{fmt_num(ess.iloc[1, 1], 1)} deltagare.")
        return out

    def love_plot(
        self, ax: Any = None, *, stats: tuple[str, ...] | list[str] = ("m",),
        thresholds: float | dict[str, float] | None = None, absolute: bool = True,
    ) -> Any:
        """Love plot: SMD (and with ``stats=("m", "ks")`` the KS statistic) before and after adjustment."""
        from ._plots import love_plot

        thr = _thresholds(thresholds, self.thresholds) if thresholds is not None else dict(self.thresholds)
        bad = set(stats) - {"m", "ks"}
        if bad or not stats:
            raise ConfigError(f"stats får innehålla 'm' och 'ks', fick {list(stats)!r}.")
        if len(stats) > 1 and ax is not None:
            raise ConfigError("love_plot: ax kan bara anges med en statistika (stats=('m',)).")
        return love_plot(self.balance(thr), ax=ax, threshold=thr.get("m", 0.1), absolute=absolute, note=self.caption,
                         stats=tuple(stats), ks_threshold=thr.get("ks"), adjust_word=self._adjust_word)

    def overlap_plot(self, *, bins: int = 40, scale: Literal["ps", "logit"] = "ps") -> Any:
        """Distributions of the propensity score for participants and controls, before and after adjustment."""
        from ._plots import overlap_plot

        if self.ps is None:
            raise ConfigError("overlap_plot: ingen propensity score finns för den här metoden (entropibalansering).")
        s = self.ps if scale == "ps" else self.logit_ps
        treat = self.data.loc[s.index, self.treatment].to_numpy() == 1
        w = self.unit_weights.reindex(s.index).to_numpy()
        return overlap_plot(s.to_numpy(), treat, w, bins=bins, logit=scale == "logit", note=self.caption,
                            adjust_word=self._adjust_word)
