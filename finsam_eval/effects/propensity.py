"""Propensity score model and input checks shared by matching and weighting.

:func:`~finsam_eval.effects.match` and :func:`~finsam_eval.effects.weight`
read their input the same way (one row per person, a 0/1 treatment column,
complete cases with every exclusion counted) and fit the same logistic
regression of the treatment on the covariates; both live here so that the two
designs cannot drift apart.
"""

from __future__ import annotations

import contextlib
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..errors import EstimationError, MissingColumnError, SchemaError
from ..results import Exclusions

REASON_MISSING = "saknade värden i kovariater, behandling eller exakta variabler"


def _check_columns(data: pd.DataFrame, cols: list[str], what: str) -> None:
    missing = [c for c in cols if c not in data.columns]
    if missing:
        raise MissingColumnError(
            f"{what}: kolumnerna {missing} saknas i data. Tillgängliga kolumner: {list(data.columns)}."
        )


def _is_categorical(s: pd.Series) -> bool:
    return not (pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s))


def _design(data: pd.DataFrame, covariates: list[str], *, drop_first: bool) -> pd.DataFrame:
    """Numeric design matrix: numeric columns as they are, categoricals one-hot."""
    parts = []
    for c in covariates:
        s = data[c]
        if _is_categorical(s):
            d = pd.get_dummies(s.astype("category"), prefix=c, prefix_sep=": ", drop_first=drop_first, dtype=float)
            parts.append(d)
        else:
            parts.append(s.astype(float).rename(c))
    return pd.concat(parts, axis=1) if parts else pd.DataFrame(index=data.index)


def _one_blas_thread() -> Any:
    """BLAS on one thread for the tall, narrow products of the Newton steps: they are bound by memory, and
    waking BLAS threads on every product made the fit 1,6-4 times slower on a busy machine (threadpoolctl
    comes with scikit-learn; without it nothing changes)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover
        return contextlib.nullcontext()
    return threadpool_limits(1, user_api="blas")


def _newton_logit(y: np.ndarray, Xc: np.ndarray, *, maxiter: int = 100, tol: float = 1e-8,
                  ridge: float = 1e-10, start: np.ndarray | None = None) -> tuple[np.ndarray, bool, bool]:
    """Logit maximum likelihood by Newton-Raphson on the k x k cross-product: (params, converged, separated).

    The same iteration as statsmodels' ``Logit.fit(method="newton")`` (start at zero, mean score and Hessian,
    ridge 1e-10 on the diagonal, stop when no parameter moves more than ``tol``, perfect prediction checked
    after every step), so the coefficients agree with statsmodels to rounding, without its n x k QR, pandas
    wrapping and covariance step, which were most of the time at register scale. ``start`` (e.g. the
    intercept-only fit) saves iterations when participants are few; the maximum is the same. Each step is
    one pass over the rows in cache-sized blocks (linear predictor, score, Hessian and the separation check
    together), so no n x k temporary is made.
    """
    n, k = Xc.shape
    Xc = np.ascontiguousarray(Xc)
    new = np.zeros(k) if start is None else np.asarray(start, dtype=float).copy()
    old = np.full(k, np.inf)
    it = 0
    separated = False
    chunk = 1 << 15  # rows per block: the temporaries stay in cache, one pass over X per Newton step

    def moments(params: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
        """Sum of (L - y) x, sum of L (1 - L) x x' and max |L - y| at ``params``, L = 1 / (1 + exp(-X b))."""
        g = np.zeros(k)
        H = np.zeros((k, k))
        worst = []
        for lo in range(0, n, chunk):
            Xb = Xc[lo:lo + chunk]
            v = Xb @ params
            np.negative(v, out=v)
            np.exp(v, out=v)
            v += 1.0
            L = np.reciprocal(v, out=v)
            r = L - y[lo:lo + chunk]
            g += r @ Xb
            H += (Xb * (L * (1 - L))[:, None]).T @ Xb
            worst.append(np.abs(r).max())
        return g, H, float(np.max(worst))  # NaN stays NaN (no separation claimed), as allclose

    with np.errstate(over="ignore"):
        g, H, _ = moments(new)
        while it < maxiter and np.any(np.abs(new - old) > tol):
            H = H / n
            H[np.diag_indices(k)] += ridge
            old = new
            new = old - np.linalg.solve(H, g / n)
            g, H, worst = moments(new)
            if worst <= 1e-8:  # statsmodels' PerfectSeparationWarning: allclose(L - y, 0)
                separated = True
            it += 1
    return new, it < maxiter, separated


def _fit_logit(y: np.ndarray, X: pd.DataFrame) -> tuple[np.ndarray, list[str]]:
    """Logit fit with convergence problems turned into notes or clear errors."""
    notes: list[str] = []
    Xn = X.to_numpy(dtype=float)
    const_cols = [c for c, lo, hi in zip(X.columns, Xn.min(axis=0), Xn.max(axis=0), strict=True) if lo == hi]
    if const_cols:
        raise EstimationError(
            f"Kovariaterna {const_cols} är konstanta bland enheterna med fullständiga data och kan inte ingå "
            "i propensity score-modellen. Ta bort dem ur covariates (eller lägg dem i exact=)."
        )
    # Our own rank check on the standardised cross-product (k x k): statsmodels' check runs a QR of the whole
    # n x k design, which dominated the bootstrap's re-estimations.
    if Xn.shape[1]:
        # The correlation matrix Z'Z/n of the standardised columns, from the centred cross-product summed in
        # cache-sized blocks (no n x k temporaries: at millions of rows they cost as much as the fit).
        m = Xn.mean(axis=0)
        C = np.zeros((Xn.shape[1], Xn.shape[1]))
        for lo in range(0, len(Xn), 1 << 15):
            B = Xn[lo:lo + (1 << 15)] - m
            C += B.T @ B
        sd = np.sqrt(np.diag(C) / len(Xn))
        if np.linalg.matrix_rank(C / len(Xn) / np.outer(sd, sd), tol=1e-10) < Xn.shape[1]:
            raise EstimationError(
                "Propensity score-modellen kan inte skattas: kovariaterna är linjärt beroende (samma information "
                "finns i flera kolumner, t.ex. både 'kvinna' och 'man'). Ta bort den överflödiga kovariaten."
            )
    Xc = np.empty((len(Xn), Xn.shape[1] + 1))
    Xc[:, 0] = 1.0
    Xc[:, 1:] = Xn
    try:
        yf = np.asarray(y, dtype=float)
        start = np.zeros(Xc.shape[1])
        share = yf.mean()
        if 0 < share < 1:  # the intercept-only maximum: fewer Newton steps when participants are rare
            start[0] = np.log(share / (1 - share))
        with _one_blas_thread():
            params, converged, separated = _newton_logit(yf, Xc, start=start)
    except np.linalg.LinAlgError as exc:
        raise EstimationError(
            "Propensity score-modellen kunde inte skattas: perfekt separation eller singulär design "
            "(någon kovariat eller kombination skiljer deltagare och kontroller helt åt, dvs. ingen överlappning). "
            "Ta bort eller grovindela kovariaten, eller matcha exakt på den. "
            f"({type(exc).__name__})"
        ) from exc
    if separated or not np.all(np.isfinite(params)):
        raise EstimationError(
            "Propensity score-modellen visar (nästan) perfekt separation: några kovariatvärden finns bara hos "
            "deltagare eller bara hos kontroller, dvs. ingen överlappning där. Grovindela eller ta bort kovariaten, "
            "eller matcha exakt på den."
        )
    if not converged:
        # Name the likely culprits: dummies whose level occurs in only one group (quasi-separation).
        culprits = []
        for c in X.columns:
            x = X[c].to_numpy()
            if np.isin(x, (0.0, 1.0)).all():
                for level in (0.0, 1.0):
                    sel = x == level
                    if sel.any() and (y[sel].min() == y[sel].max()):
                        culprits.append(str(c))
                        break
        where = (f" Kategorier som bara finns bland deltagare eller bara bland kontroller: {', '.join(culprits)}; "
                 "slå ihop dem med en annan kategori eller matcha exakt på variabeln." if culprits else
                 " Kontrollera kovariater med få observationer i någon kategori.")
        msg = (
            "Propensity score-modellen konvergerade inte (Newton-Raphson, 100 iterationer); skattningarna kan "
            "vara osäkra." + where
        )
        warnings.warn(msg, RuntimeWarning, stacklevel=4)
        notes.append(msg)
    return params, notes


@dataclass
class _Prepared:
    """Complete cases of one analysis with what was left out and why."""

    data: pd.DataFrame  # complete cases only
    treat: np.ndarray  # bool, participants
    exclusions: Exclusions
    n_missing_t: int
    n_missing_c: int
    n_missing_other: int
    n_t_total: int
    n_c_total: int


def _prepare(
    data: pd.DataFrame, treatment: str, covariates: list[str], extra: list[str], *, unit: str | None, what: str
) -> _Prepared:
    """Check columns and the 0/1 treatment, keep complete cases and count every exclusion."""
    _check_columns(data, [treatment, *covariates, *extra], what)
    if unit is not None and unit in data.columns and data[unit].duplicated().any():
        n_dup = int(data[unit].duplicated().sum())
        raise SchemaError(
            f"{what}: kolumnen {unit!r} har {n_dup} upprepade id:n, så data ser ut som en panel (flera perioder per "
            "person). Analysen kräver en rad per person: välj en baslinjerad per person först, t.ex. med "
            "finsam_eval.effects.person_baseline(panel, ...) eller data[data['period'] == <baslinjeperiod>]."
        )
    if not data.index.is_unique:
        data = data.reset_index(drop=True)
    exclusions = Exclusions()
    tr_raw = data[treatment]
    used = [treatment, *covariates, *extra]
    complete = data[used].notna().all(axis=1)
    if not set(pd.unique(tr_raw[complete])) <= {0, 1}:
        raise SchemaError(f"{what}: behandlingskolumnen {treatment!r} måste vara 0/1 (1 = deltagare).")
    n_missing_t = int((~complete & (tr_raw == 1)).sum())
    n_missing_c = int((~complete & (tr_raw == 0)).sum())
    n_missing_other = int((~complete & tr_raw.isna()).sum())
    exclusions.add(f"deltagare: {REASON_MISSING}", n_missing_t, rows=data.index[~complete & (tr_raw == 1)])
    exclusions.add(f"kontroller: {REASON_MISSING}", n_missing_c, rows=data.index[~complete & (tr_raw == 0)])
    exclusions.add("saknar värde i behandlingskolumnen", n_missing_other, column=treatment)
    d = data.loc[complete]
    treat = d[treatment].to_numpy().astype(int) == 1
    if treat.sum() == 0:
        raise EstimationError(f"{what}: inga deltagare ({treatment} == 1) med fullständiga data.")
    if (~treat).sum() == 0:
        raise EstimationError(f"{what}: inga kontroller ({treatment} == 0) med fullständiga data.")
    return _Prepared(d, treat, exclusions, n_missing_t, n_missing_c, n_missing_other,
                     int((tr_raw == 1).sum()), int((tr_raw == 0).sum()))


def _propensity(d: pd.DataFrame, treat: np.ndarray, covariates: list[str]) -> tuple[
        np.ndarray, np.ndarray, pd.DataFrame, np.ndarray, list[str]]:
    """Logit propensity score: (linear predictor, score, design without constant, params, notes)."""
    X = _design(d, covariates, drop_first=True)
    params, notes = _fit_logit(treat.astype(float), X)
    lp = params[0] + X.to_numpy(dtype=float) @ params[1:]
    ps = 1.0 / (1.0 + np.exp(-lp))
    return lp, ps, X, params, notes
