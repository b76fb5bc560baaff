"""Two-period difference-in-differences estimators of Sant'Anna & Zhao (2020).

The building blocks of :func:`~finsam_eval.effects.staggered.staggered_did`:
each group-time cell ``ATT(g, t)`` is one 2x2 comparison, estimated by

- ``"reg"``: outcome regression (Heckman, Ichimura & Todd 1997), the change
  among controls predicted from the covariates;
- ``"ipw"``: normalised inverse probability weighting (Abadie 2005), the
  controls reweighted by the odds of the logit propensity score;
- ``"dr"``: doubly robust, both at once; consistent if either the outcome
  model or the propensity score model is right.

Each comes in a panel form (one change ``Y_t - Y_b`` per unit) and a
repeated cross-section form (different people in the two periods, R
``panel=FALSE``). The formulas and their influence functions follow R
``DRDID`` 1.2 (``reg_did_panel``, ``std_ipw_did_panel``, ``drdid_panel`` and
the ``*_rc`` versions), the functions R ``did`` calls, so estimates and
analytic standard errors agree with R to rounding. Every function returns
the estimate and the influence function over the rows it was given, scaled
so that ``sqrt(sum(psi ** 2)) / n`` is the standard error.
"""

from __future__ import annotations

import numpy as np

from ..errors import EstimationError

__all__ = ["panel_att", "rc_att", "logit"]

_TRIM = 0.995  # DRDID's trim.level: controls with a propensity score above it get no weight


def _solve_ls(X: np.ndarray, y: np.ndarray, what: str) -> np.ndarray:
    XtX = X.T @ X
    if X.shape[0] == 0 or np.linalg.cond(XtX) > 1 / np.finfo(float).eps:
        raise EstimationError(
            f"Kovariaterna är kollineära eller konstanta bland {what} i en grupp-tid-cell: ta bort en kovariat "
            "eller använd färre."
        )
    return np.linalg.solve(XtX, X.T @ y)


def logit(X: np.ndarray, d: np.ndarray, *, max_iter: int = 50) -> np.ndarray:
    """Maximum-likelihood logit coefficients by Newton-Raphson (``X`` holds the intercept).

    Examples
    --------
    >>> X = np.column_stack([np.ones(4), [0.0, 1.0, 2.0, 3.0]])
    >>> logit(X, np.array([0.0, 1.0, 0.0, 1.0])).round(3).tolist()  # statsmodels Logit gives the same
    [-1.362, 0.908]
    """
    beta = np.zeros(X.shape[1])
    for _ in range(max_iter):
        p = 1 / (1 + np.exp(-(X @ beta)))
        W = p * (1 - p)
        H = X.T @ (X * W[:, None])
        step = np.linalg.lstsq(H, X.T @ (d - p), rcond=None)[0]
        beta = beta + step
        if np.max(np.abs(step)) < 1e-10:
            break
    if not np.all(np.isfinite(beta)):
        raise EstimationError("Propensitetsmodellen (logit) konvergerade inte i en grupp-tid-cell: kovariaterna "
                              "skiljer behandlade och kontroller helt åt. Använd est_method='reg' eller färre kovariater.")
    return beta


def _pscore(X: np.ndarray, D: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Fitted score (capped below 1), trimming indicator, and the score's asymptotic linear representation."""
    n = len(D)
    beta = logit(X, D)
    ps = np.minimum(1 / (1 + np.exp(-(X @ beta))), 1 - 1e-6)
    trim = np.where(D == 1, True, ps < _TRIM)
    W = ps * (1 - ps)
    H = X.T @ (X * W[:, None])
    try:
        Hinv = np.linalg.inv(H) * n
    except np.linalg.LinAlgError as err:
        raise EstimationError("Propensitetsmodellen är singulär i en grupp-tid-cell: ta bort kollineära "
                              "kovariater.") from err
    lin_ps = ((D - ps)[:, None] * X) @ Hinv
    return ps, trim.astype(float), lin_ps


def _ols_lin(X: np.ndarray, y: np.ndarray, mask: np.ndarray, what: str) -> tuple[np.ndarray, np.ndarray]:
    """OLS on the rows in ``mask``: fitted values for all rows and the asymptotic linear representation."""
    n = len(y)
    beta = _solve_ls(X[mask], y[mask], what)
    fit = X @ beta
    m = mask.astype(float)
    XpX = (X * m[:, None]).T @ X / n
    lin = ((m * (y - fit))[:, None] * X) @ np.linalg.inv(XpX)
    return fit, lin


def panel_att(dy: np.ndarray, D: np.ndarray, X: np.ndarray, method: str = "dr") -> tuple[float, np.ndarray]:
    """ATT and influence function from panel data (one change ``dy`` per unit).

    Parameters
    ----------
    dy
        ``Y_t - Y_b`` per unit (treated and controls of one cell).
    D
        1 for treated, 0 for controls.
    X
        Covariates in the base period, first column the intercept.
    method
        ``"dr"``, ``"ipw"`` or ``"reg"``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=400); D = (rng.random(400) < 0.4).astype(float)
    >>> dy = 1 + 0.5 * x + 2 * D + rng.normal(size=400)
    >>> X = np.column_stack([np.ones(400), x])
    >>> [round(panel_att(dy, D, X, m)[0], 2) for m in ("dr", "ipw", "reg")]
    [2.08, 2.08, 2.08]
    """
    D = D.astype(float)
    if method == "reg":
        fit, lin = _ols_lin(X, dy, D == 0, "kontrollerna")
        w_t = D
        att = float(np.mean(w_t * (dy - fit)) / np.mean(w_t))
        inf_t = (w_t * dy - w_t * np.mean(w_t * dy) / np.mean(w_t)) / np.mean(w_t)
        eta_c = np.mean(w_t * fit) / np.mean(w_t)
        inf_c = (w_t * fit - w_t * eta_c + lin @ (w_t[:, None] * X).mean(axis=0)) / np.mean(w_t)
        return att, inf_t - inf_c
    ps, trim, lin_ps = _pscore(X, D)
    w_t = trim * D
    w_c = trim * ps * (1 - D) / (1 - ps)
    if method == "ipw":
        eta_t = np.mean(w_t * dy) / np.mean(w_t)
        eta_c = np.mean(w_c * dy) / np.mean(w_c)
        inf_t = (w_t * dy - w_t * eta_t) / np.mean(w_t)
        M2 = (w_c * (dy - eta_c))[:, None] * X
        inf_c = (w_c * dy - w_c * eta_c + lin_ps @ M2.mean(axis=0)) / np.mean(w_c)
        return float(eta_t - eta_c), inf_t - inf_c
    if method != "dr":
        raise EstimationError(f"Okänd est_method={method!r}: välj 'dr', 'ipw' eller 'reg'.")
    fit, lin = _ols_lin(X, dy, D == 0, "kontrollerna")
    r = dy - fit
    eta_t = np.mean(w_t * r) / np.mean(w_t)
    eta_c = np.mean(w_c * r) / np.mean(w_c)
    inf_t = (w_t * r - w_t * eta_t - lin @ (w_t[:, None] * X).mean(axis=0)) / np.mean(w_t)
    M2 = ((w_c * (r - eta_c))[:, None] * X).mean(axis=0)
    M3 = (w_c[:, None] * X).mean(axis=0)
    inf_c = (w_c * r - w_c * eta_c + lin_ps @ M2 - lin @ M3) / np.mean(w_c)
    return float(eta_t - eta_c), inf_t - inf_c


def rc_att(y: np.ndarray, post: np.ndarray, D: np.ndarray, X: np.ndarray, method: str = "dr"
           ) -> tuple[float, np.ndarray]:
    """ATT and influence function from repeated cross-sections (one row per observation and period).

    Parameters
    ----------
    y
        Outcome per row.
    post
        1 for rows in the later period of the cell, 0 for the base period.
    D
        1 for rows of the treated cohort, 0 for controls.
    X
        Covariates of each row (measured in its own period), first column the intercept.
    method
        ``"dr"`` (R ``DRDID::drdid_rc``, the locally efficient form), ``"ipw"`` or ``"reg"``.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> n = 4000; x = rng.normal(size=n); D = (rng.random(n) < 0.4).astype(float)
    >>> post = (rng.random(n) < 0.5).astype(float)
    >>> y = x + D + post + 1.5 * D * post + rng.normal(size=n)
    >>> X = np.column_stack([np.ones(n), x])
    >>> round(rc_att(y, post, D, X, "dr")[0], 1)
    1.5
    """
    D = D.astype(float)
    post = post.astype(float)
    for mask, what in [((D == 0) & (post == 0), "kontrollerna i basperioden"),
                       ((D == 0) & (post == 1), "kontrollerna i perioden"),
                       ((D == 1) & (post == 0), "de behandlade i basperioden"),
                       ((D == 1) & (post == 1), "de behandlade i perioden")]:
        if not mask.any():
            raise EstimationError(f"Inga observationer bland {what} i en grupp-tid-cell.")
    if method == "reg":
        fit_pre, lin_pre = _ols_lin(X, y, (D == 0) & (post == 0), "kontrollerna i basperioden")
        fit_post, lin_post = _ols_lin(X, y, (D == 0) & (post == 1), "kontrollerna i perioden")
        w_tpre, w_tpost, w_c = D * (1 - post), D * post, D
        e_tpre = np.mean(w_tpre * y) / np.mean(w_tpre)
        e_tpost = np.mean(w_tpost * y) / np.mean(w_tpost)
        reg_c = w_c * (fit_post - fit_pre)
        e_c = np.mean(reg_c) / np.mean(w_c)
        inf_t = ((w_tpost * y - w_tpost * e_tpost) / np.mean(w_tpost)
                 - (w_tpre * y - w_tpre * e_tpre) / np.mean(w_tpre))
        M1 = (w_c[:, None] * X).mean(axis=0)
        inf_c = (reg_c - w_c * e_c + lin_post @ M1 - lin_pre @ M1) / np.mean(w_c)
        return float((e_tpost - e_tpre) - e_c), inf_t - inf_c
    ps, trim, lin_ps = _pscore(X, D)
    w_tpre = trim * D * (1 - post)
    w_tpost = trim * D * post
    w_cpre = trim * ps * (1 - D) * (1 - post) / (1 - ps)
    w_cpost = trim * ps * (1 - D) * post / (1 - ps)
    if method == "ipw":
        parts = []
        for w in (w_tpre, w_tpost, w_cpre, w_cpost):
            eta = w * y / np.mean(w)
            att_k = np.mean(eta)
            parts.append((eta, att_k, eta - w * att_k / np.mean(w)))
        (_, a_tpre, i_tpre), (_, a_tpost, i_tpost), (_, a_cpre, i_cpre), (_, a_cpost, i_cpost) = parts
        M2_pre = ((w_cpre * (y - a_cpre))[:, None] * X).mean(axis=0) / np.mean(w_cpre)
        M2_post = ((w_cpost * (y - a_cpost))[:, None] * X).mean(axis=0) / np.mean(w_cpost)
        inf_c = (i_cpost - i_cpre) + lin_ps @ (M2_post - M2_pre)
        att = (a_tpost - a_tpre) - (a_cpost - a_cpre)
        return float(att), (i_tpost - i_tpre) - inf_c
    if method != "dr":
        raise EstimationError(f"Okänd est_method={method!r}: välj 'dr', 'ipw' eller 'reg'.")
    fit_cpre, lin_cpre = _ols_lin(X, y, (D == 0) & (post == 0), "kontrollerna i basperioden")
    fit_cpost, lin_cpost = _ols_lin(X, y, (D == 0) & (post == 1), "kontrollerna i perioden")
    fit_c = post * fit_cpost + (1 - post) * fit_cpre
    fit_tpre, lin_tpre = _ols_lin(X, y, (D == 1) & (post == 0), "de behandlade i basperioden")
    fit_tpost, lin_tpost = _ols_lin(X, y, (D == 1) & (post == 1), "de behandlade i perioden")
    w_d = trim * D
    w_dt1 = trim * D * post
    w_dt0 = trim * D * (1 - post)

    def eta(w: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, float]:
        e = w * v / np.mean(w)
        return e, float(np.mean(e))

    e_tpre, a_tpre = eta(w_tpre, y - fit_c)
    e_tpost, a_tpost = eta(w_tpost, y - fit_c)
    e_cpre, a_cpre = eta(w_cpre, y - fit_c)
    e_cpost, a_cpost = eta(w_cpost, y - fit_c)
    e_dpost, a_dpost = eta(w_d, fit_tpost - fit_cpost)
    e_dt1, a_dt1 = eta(w_dt1, fit_tpost - fit_cpost)
    e_dpre, a_dpre = eta(w_d, fit_tpre - fit_cpre)
    e_dt0, a_dt0 = eta(w_dt0, fit_tpre - fit_cpre)
    att = (a_tpost - a_tpre) - (a_cpost - a_cpre) + (a_dpost - a_dt1) - (a_dpre - a_dt0)

    def cm(v: np.ndarray) -> np.ndarray:
        return (v[:, None] * X).mean(axis=0)

    i_tpre = e_tpre - w_tpre * a_tpre / np.mean(w_tpre)
    i_tpost = e_tpost - w_tpost * a_tpost / np.mean(w_tpost)
    M1_post = -cm(w_tpost * post) / np.mean(w_tpost)
    M1_pre = -cm(w_tpre * (1 - post)) / np.mean(w_tpre)
    inf_treat_or = lin_cpost @ M1_post + lin_cpre @ M1_pre
    i_cpre = e_cpre - w_cpre * a_cpre / np.mean(w_cpre)
    i_cpost = e_cpost - w_cpost * a_cpost / np.mean(w_cpost)
    M2_pre = cm(w_cpre * (y - fit_c - a_cpre)) / np.mean(w_cpre)
    M2_post = cm(w_cpost * (y - fit_c - a_cpost)) / np.mean(w_cpost)
    inf_cont_ps = lin_ps @ (M2_post - M2_pre)
    M3_post = -cm(w_cpost * post) / np.mean(w_cpost)
    M3_pre = -cm(w_cpre * (1 - post)) / np.mean(w_cpre)
    inf_cont_or = lin_cpost @ M3_post + lin_cpre @ M3_pre
    inf_eff = ((e_dpost - w_d * a_dpost / np.mean(w_d)) - (e_dt1 - w_dt1 * a_dt1 / np.mean(w_dt1))
               - ((e_dpre - w_d * a_dpre / np.mean(w_d)) - (e_dt0 - w_dt0 * a_dt0 / np.mean(w_dt0))))
    mom_post = cm(w_d / np.mean(w_d) - w_dt1 / np.mean(w_dt1))
    mom_pre = cm(w_d / np.mean(w_d) - w_dt0 / np.mean(w_dt0))
    inf_or = (lin_tpost - lin_cpost) @ mom_post - (lin_tpre - lin_cpre) @ mom_pre
    inf_treat = i_tpost - i_tpre + inf_treat_or
    inf_cont = i_cpost - i_cpre + inf_cont_ps + inf_cont_or
    return float(att), inf_treat - inf_cont + inf_eff + inf_or
