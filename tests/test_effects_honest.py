"""Tests for finsam_eval.effects.honest: sensitivity to parallel trends (Rambachan & Roth 2023).

Published numbers: R package HonestDiD 0.2.8 (github.com/asheshrambachan/HonestDiD, commit 6813f02), README.md,
"Sensitivity Analysis Using Smoothness Restrictions": ``createSensitivityResults(betahat, sigma, numPrePeriods = 5,
numPostPeriods = 2, Mvec = seq(0, 0.05, by = 0.01))`` on the Medicaid example, printed (3 significant digits):

    M     lb       ub
    0     0.0259   0.0607
    0.01  0.0132   0.0787
    0.02  0.00286  0.0907
    0.03 -0.00714  0.101
    0.04 -0.0171   0.111
    0.05 -0.0271   0.121

betahat and sigma are the README's ``feols(dins ~ i(year, D, ref = 2013) | stfips + year, cluster = "stfips")``
on ``tests/data/effects/ehec_data.csv`` (years < 2016, the 2015 cohort dropped), recomputed below with fixest's
small-sample correction (G/(G-1) * (n-1)/(n-K), K = 7 coefficients + 7 year effects + 1).
"""

from __future__ import annotations

from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest

from finsam_eval.effects.honest import HonestResult, _qfolded_exact, _qfolded_r, honest_did
from finsam_eval.errors import EstimationError, SchemaError

matplotlib.use("Agg")

PUBLISHED = {0.0: (0.0259, 0.0607), 0.01: (0.0132, 0.0787), 0.02: (0.00286, 0.0907), 0.03: (-0.00714, 0.101),
             0.04: (-0.0171, 0.111), 0.05: (-0.0271, 0.121)}


@pytest.fixture(scope="module")
def medicaid() -> tuple[np.ndarray, np.ndarray]:
    df = pd.read_csv(Path(__file__).parent / "data" / "effects" / "ehec_data.csv")
    df = df[(df.year < 2016) & (df.yexp2.isna() | (df.yexp2 != 2015))].copy()
    df["D"] = (df.yexp2 == 2014).astype(float)
    ev = [y for y in sorted(df.year.unique()) if y != 2013]
    X = np.column_stack([(df.year == y) * df.D for y in ev]).astype(float)

    def within(v):  # balanced panel: two-way demeaning is the within transformation
        g = pd.DataFrame({"v": v, "s": df.stfips.values, "t": df.year.values})
        return (g.v - g.groupby("s").v.transform("mean") - g.groupby("t").v.transform("mean") + g.v.mean()).to_numpy()

    Xd = np.column_stack([within(X[:, j]) for j in range(X.shape[1])])
    yd = within(df.dins.to_numpy())
    bread = np.linalg.inv(Xd.T @ Xd)
    b = bread @ Xd.T @ yd
    e = yd - Xd @ b
    scores = [Xd[m].T @ e[m] for m in (df.stfips.values == s for s in df.stfips.unique())]
    G, n = len(scores), len(yd)
    V = bread @ sum(np.outer(s, s) for s in scores) @ bread * G / (G - 1) * (n - 1) / (n - 15)
    return b, V


def _sig3(x: float) -> str:
    return f"{x:.3g}"


def test_medicaid_flci_matches_honestdid_readme(medicaid):
    b, V = medicaid
    # the event study itself: README figure, 2014 effect about 0.046
    assert b[5] == pytest.approx(0.0464, abs=5e-4)
    res = honest_did(betahat=b, sigma=V, num_pre=5, M=[0.0, 0.02, 0.05], folded_quantile="R", breakdown=False)
    for row in res.intervals.itertuples():
        lb, ub = PUBLISHED[row.M]
        assert _sig3(row.ci_hog) == _sig3(ub)
        if row.M == 0.0:
            # 0.025951 here; R prints 0.0259: R's conic solver (ECOS) stops a hair above the minimum variance
            assert row.ci_lag == pytest.approx(lb, abs=6e-5)
        else:
            assert _sig3(row.ci_lag) == _sig3(lb)


def test_exact_quantile_close_to_r_simulation():
    for mu in (0.0, 0.5, 2.0):
        assert _qfolded_r(0.95, mu) == pytest.approx(_qfolded_exact(0.95, mu), rel=3e-3)
    assert _qfolded_exact(0.95, 0.0) == pytest.approx(1.959964, abs=1e-6)
    assert _qfolded_exact(0.95, 5.0) == pytest.approx(5 + 1.644854, abs=1e-5)


def test_known_truth_linear_pretrend():
    # A linear pre-trend continued after the start: M = 0 extrapolates it and removes the bias.
    rng = np.random.default_rng(0)
    slope, tau, se = 0.02, 0.05, 0.004
    t = np.array([-5, -4, -3, -2, 0, 1])  # reference -1 left out
    V = np.diag(np.full(6, se**2))
    hits = 0
    for _ in range(40):
        b = slope * (t + 1) + np.where(t >= 0, tau, 0.0) + rng.normal(0, se, 6)
        res = honest_did(betahat=b, sigma=V, num_pre=4, M=[0.0], breakdown=False)
        hits += res.intervals.ci_lag.iloc[0] <= tau <= res.intervals.ci_hog.iloc[0]
    assert hits >= 35  # 95 % intervals
    b0 = slope * (t + 1) + np.where(t >= 0, tau, 0.0)
    naive = honest_did(betahat=b0, sigma=V, num_pre=4, M=[0.0], breakdown=False).original
    assert naive["ci_lag"] > tau  # without noise the ordinary interval misses tau by the trend (5 SE)


def test_result_contract_and_breakdown(tmp_path):
    b = np.array([0.001, -0.002, 0.0, 0.05, 0.06])
    V = np.diag([0.01, 0.01, 0.01, 0.012, 0.014]) ** 2
    res = honest_did(betahat=b, sigma=V, num_pre=3, M=[0, 0.01, 0.02, 0.04])
    assert isinstance(res, HonestResult)
    t = res.table()
    assert t["metod"].tolist() == ["ursprungligt", "FLCI", "FLCI", "FLCI", "FLCI"]
    assert (np.diff(res.intervals["ci_hog"] - res.intervals["ci_lag"]) > 0).all()  # wider as M grows
    # breakdown: just below it the interval excludes 0, at it it touches 0
    from finsam_eval.effects.honest import flci

    lo_below, _, _ = flci(b, V, 3, res.breakdown * 0.98)
    lo_at, _, _ = flci(b, V, 3, res.breakdown * 1.001)
    assert lo_below > 0 >= lo_at
    assert "brytpunkt" in res.caption and "Känslighet" in res.summary()
    ax = res.plot()
    ax.figure.savefig(tmp_path / "honest.png")
    assert ax.get_xticklabels()[0].get_text() == "Orig."


def test_errors():
    b = np.zeros(4)
    with pytest.raises(SchemaError, match="4×4"):
        honest_did(betahat=b, sigma=np.eye(3), num_pre=2)
    with pytest.raises(EstimationError, match="förperiod"):
        honest_did(betahat=b, sigma=np.eye(4), num_pre=0)
    with pytest.raises(SchemaError, match="relative_magnitude"):
        honest_did(betahat=b, sigma=np.eye(4), num_pre=2, restriction="relativ")
    with pytest.raises(SchemaError, match="Mbar="):
        honest_did(betahat=b, sigma=np.eye(4), num_pre=2, restriction="relative_magnitude", M=[1])
    with pytest.raises(SchemaError, match="Mbar hör till"):
        honest_did(betahat=b, sigma=np.eye(4), num_pre=2, Mbar=[1])
    with pytest.raises(SchemaError, match="'C-LF' eller 'Conditional'"):
        honest_did(betahat=b, sigma=np.eye(4), num_pre=2, restriction="relative_magnitude", method="FLCI")
    with pytest.raises(SchemaError, match="l_vec"):
        honest_did(betahat=b, sigma=np.eye(4), num_pre=2, l_vec=[1, 0, 0])
    with pytest.raises(EstimationError, match="semidefinit"):
        honest_did(betahat=b, sigma=-np.eye(4), num_pre=2)
