"""Tests for finsam_eval.effects.synth: synthetic control and synthetic difference-in-differences.

Published numbers come from R ``synthdid`` 0.0.9 (github.com/synth-inference/synthdid, commit 70c1ce3) on
its ``data/california_prop99.csv`` (copied to ``tests/data/effects/``):

* Arkhangelsky, Athey, Hirshberg, Imbens & Wager (2021), "Synthetic Difference-in-Differences", AER 111(12),
  Table 1, made by ``vignettes/paper-results.Rmd``: estimates DID -27.3, SC -19.6, SDID -15.6 and placebo
  standard errors 17.7, 9.9, 8.4 (``set.seed(12345)`` before each ``vcov(estimate, method='placebo')``).
* ``vignettes/synthdid.Rmd`` / README: ``sprintf('point estimate: %1.2f', tau.hat)`` = -15.60; the print method
  reports "Effective N0/N0 = 16.4/38", "Effective T0/T0 = 2.8/19".

The placebo standard errors depend on R's random draws; :class:`RRandom` reproduces R's default generator
(Mersenne-Twister seeded by ``set.seed``, ``sample()`` with rejection sampling, R >= 3.6) so the same
permutations are drawn as in the paper.
"""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest
from scipy import optimize

from finsam_eval.effects import _synth_solver as S
from finsam_eval.effects.synth import SynthResult, synthdid
from finsam_eval.errors import (
    DuplicateIdError,
    EstimationError,
    FinsamError,
    MissingColumnError,
    PrivacyError,
    SchemaError,
)
from finsam_eval.samples import load_sample
from finsam_eval.samples.kommun import KOMMUN_START, KOMMUN_TREATED, TRUE_EFFECT

matplotlib.use("Agg")

DATA = Path(__file__).parent / "data" / "effects" / "california_prop99.csv"


class RRandom:
    """R's default RNG: ``set.seed(seed)`` then ``runif``/``sample`` (Mersenne-Twister, rejection sampling)."""

    def __init__(self, seed: int) -> None:
        s = seed & 0xFFFFFFFF
        for _ in range(50):  # R's initial scrambling (RNG_Init)
            s = (69069 * s + 1) & 0xFFFFFFFF
        key = []
        for _ in range(625):
            s = (69069 * s + 1) & 0xFFFFFFFF
            key.append(s)
        self.bg = np.random.MT19937()
        # key[0] is mti, which FixupSeeds sets to 624 (= regenerate on the first draw)
        self.bg.state = {"bit_generator": "MT19937", "state": {"key": np.array(key[1:], dtype=np.uint32), "pos": 624}}

    def unif_rand(self) -> float:
        x = int(self.bg.random_raw()) * 2.3283064365386963e-10
        return min(max(x, 0.5 * 2.328306437080797e-10), 1.0 - 0.5 * 2.328306437080797e-10)

    def _unif_index(self, dn: int) -> int:
        bits = int(math.ceil(math.log2(dn)))
        while True:
            v = 0
            for _ in range(0, bits + 1, 16):
                v = 65536 * v + int(math.floor(self.unif_rand() * 65536))
            dv = v & ((1 << bits) - 1)
            if dn > dv:
                return dv

    def permutation(self, n: int) -> np.ndarray:
        x, out = list(range(n)), []
        for _ in range(n):
            j = self._unif_index(n)
            out.append(x[j])
            n -= 1
            x[j] = x[n]
        return np.array(out)

    def integers(self, low: int, high: int, size: int) -> np.ndarray:
        return np.array([low + self._unif_index(high - low) for _ in range(size)])


@pytest.fixture(scope="module")
def prop99() -> pd.DataFrame:
    return pd.read_csv(DATA, sep=";")


@pytest.fixture(scope="module")
def cal_sdid(prop99) -> SynthResult:
    return synthdid(prop99, "State", "Year", "PacksPerCapita", "treated", seed=RRandom(12345))


@pytest.fixture(scope="module")
def kommun() -> pd.DataFrame:
    return load_sample("kommun_panel")


# ---------------------------------------------------------------- R's random numbers


def test_rrandom_reproduces_r():
    # R 4.x: set.seed(123); runif(3) -> 0.2875775 0.7883051 0.4089769; set.seed(42); runif(1) -> 0.914806
    r = RRandom(123)
    assert [round(r.unif_rand(), 7) for _ in range(3)] == [0.2875775, 0.7883051, 0.4089769]
    assert round(RRandom(42).unif_rand(), 6) == 0.914806
    # R >= 3.6: set.seed(123); sample(1:10) -> 3 10 2 8 6 9 1 7 5 4
    assert (RRandom(123).permutation(10) + 1).tolist() == [3, 10, 2, 8, 6, 9, 1, 7, 5, 4]


# ---------------------------------------------------------------- published California numbers


def test_prop99_sdid_matches_synthdid(cal_sdid):
    # README/vignette: sprintf('point estimate: %1.2f') -> -15.60; AER Table 1: -15.6 (8.4)
    assert f"{cal_sdid.estimate:.2f}" == "-15.60"
    assert f"{cal_sdid.se:.1f}" == "8.4"
    # print(tau.hat): Effective N0/N0 = 16.4/38, Effective T0/T0 = 2.8/19, N1,T1 = 1,12
    assert (f"{cal_sdid.effective_controls:.1f}", cal_sdid.N0) == ("16.4", 38)
    assert (f"{cal_sdid.effective_periods:.1f}", cal_sdid.T0) == ("2.8", 19)
    assert (cal_sdid.N1, cal_sdid.T1) == (1, 12)
    # the time weights sit on the last pre-treatment years only
    tw = cal_sdid.time_weights.set_index("period")["vikt"]
    assert set(tw[tw > 0].index) <= {1984, 1985, 1986, 1987, 1988}


def test_prop99_sc_matches_synthdid(prop99):
    res = synthdid(prop99, "State", "Year", "PacksPerCapita", "treated", method="sc", seed=RRandom(12345))
    assert (f"{res.estimate:.1f}", f"{res.se:.1f}") == ("-19.6", "9.9")  # AER Table 1, SC column
    assert not res.time_weights["vikt"].any()


def test_prop99_did_matches_synthdid(prop99):
    res = synthdid(prop99, "State", "Year", "PacksPerCapita", "treated", method="did", seed=RRandom(12345))
    assert (f"{res.estimate:.1f}", f"{res.se:.1f}") == ("-27.3", "17.7")  # AER Table 1, DID column
    # independent check: the plain 2x2 difference of means
    post = prop99["Year"] >= 1989
    ca = prop99["State"] == "California"
    m = prop99.groupby([ca, post])["PacksPerCapita"].mean()
    assert res.estimate == pytest.approx((m[True, True] - m[True, False]) - (m[False, True] - m[False, False]))


def test_prop99_sc_against_a_generic_solver(prop99):
    # synthdid's tests/testthat/test_against_reference.R compares with a CVXR solution at relative tol .03;
    # here scipy's Lawson-Hanson NNLS solves the same simplex least squares (sc.reference), the sum-to-one
    # constraint as a heavily weighted extra row.
    Y = prop99.pivot(index="State", columns="Year", values="PacksPerCapita")
    ctrl = Y.drop(index="California")
    A, b = ctrl.loc[:, :1988].to_numpy().T, Y.loc["California", :1988].to_numpy()
    big = 1e4
    w, _ = optimize.nnls(np.vstack([A, np.full(A.shape[1], big)]), np.append(b, big), maxiter=10_000)
    ref = Y.loc["California", 1989:].mean() - w @ ctrl.loc[:, 1989:].mean(axis=1).to_numpy()
    res = synthdid(prop99, "State", "Year", "PacksPerCapita", "treated", method="sc", se_method="none")
    assert res.estimate == pytest.approx(ref, rel=0.03)


def test_placebo_se_is_spread_of_placebo_estimates(cal_sdid):
    assert len(cal_sdid.replicates) == 200
    assert cal_sdid.se == pytest.approx(np.std(cal_sdid.replicates))
    assert cal_sdid.ci[0] == pytest.approx(cal_sdid.estimate - 1.959964 * cal_sdid.se, abs=1e-4)


# ---------------------------------------------------------------- the solver


def test_frank_wolfe_reaches_the_simplex_optimum():
    rng = np.random.default_rng(1)
    A = rng.normal(size=(30, 8))
    w_true = np.array([0.5, 0.3, 0.2, 0, 0, 0, 0, 0])
    b = A @ w_true + rng.normal(0, 0.01, 30)
    Y = np.column_stack([A, b])[None]
    w = S._sc_weight_fw(Y, zeta=0.0, intercept=False, lam=None, min_decrease=1e-12, max_iter=20_000)[0]
    assert w.sum() == pytest.approx(1.0) and (w >= 0).all()
    assert np.abs(w - w_true).max() < 0.02


def test_sparsify_matches_r():
    # R: sparsify_function(c(.5, .1, .3, .1)) -> v[v <= max/4] = 0; v/sum(v)
    assert S.sparsify(np.array([0.5, 0.1, 0.3, 0.1])).tolist() == pytest.approx([0.625, 0, 0.375, 0])


@pytest.mark.parametrize("method", ["sdid", "did"])
def test_invariances_as_in_synthdid_tests(prop99, method):
    # tests/testthat/test_synthdid.R: adding a period effect or a unit effect leaves the estimate unchanged;
    # adding c to the treated post-period cells adds c.
    base = synthdid(prop99, "State", "Year", "PacksPerCapita", "treated", method=method, se_method="none").estimate
    d = prop99.copy()
    d["PacksPerCapita"] += 2.0 * (d["Year"] - 1970) + 2.5 * d["State"].rank(method="dense")
    shifted = synthdid(d, "State", "Year", "PacksPerCapita", "treated", method=method, se_method="none").estimate
    assert shifted == pytest.approx(base, abs=1e-6)
    d = prop99.copy()
    d.loc[d["treated"] == 1, "PacksPerCapita"] += 7.0
    assert synthdid(d, "State", "Year", "PacksPerCapita", "treated", method=method,
                    se_method="none").estimate == pytest.approx(base + 7.0, abs=1e-6)


# ---------------------------------------------------------------- known truth


def test_kommun_panel_truth_recovered(kommun):
    truth = kommun.loc[kommun["behandlad"] == 1, "sann_effekt"].mean()
    assert truth == pytest.approx(TRUE_EFFECT)
    sdid = synthdid(kommun, "kommun", "ar", "andel_stod", "behandlad", replications=50, seed=3)
    did = synthdid(kommun, "kommun", "ar", "andel_stod", "behandlad", method="did", se_method="none")
    assert abs(sdid.estimate - truth) < 0.1
    assert sdid.ci[0] < truth < sdid.ci[1]
    # the förbund's high-share kommuner fall faster: DiD against all kommuner is biased away from zero
    assert did.estimate < truth - 0.15
    assert sorted(sdid.treated_units) == sorted(KOMMUN_TREATED) and sdid.start == KOMMUN_START


def test_treated_units_and_start_same_as_column(kommun):
    a = synthdid(kommun, "kommun", "ar", "andel_stod", "behandlad", se_method="none")
    b = synthdid(kommun, "kommun", "ar", "andel_stod", treated_units=KOMMUN_TREATED, start=KOMMUN_START,
                 se_method="none")
    assert a.estimate == b.estimate
    pd.testing.assert_frame_equal(a.unit_weights, b.unit_weights)


def _low_rank(seed: int, tau: float = 1.0, n0: int = 40, n1: int = 5, t0: int = 20, t1: int = 5):
    """A factor model as synthdid's random.low.rank(): unit and time effects, rank 2, AR noise."""
    rng = np.random.default_rng(seed)
    n, t = n0 + n1, t0 + t1
    U = rng.poisson(np.sqrt(np.arange(1, n + 1) / n)[:, None], (n, 2))
    V = rng.poisson(np.sqrt(np.arange(1, t + 1) / t)[:, None], (t, 2))
    mu = U @ V.T + 10 * rng.permutation(n)[:, None] / n + 10 * np.arange(1, t + 1)[None, :] / t
    W = (np.arange(n)[:, None] >= n0) & (np.arange(t)[None, :] >= t0)
    Y = mu + tau * W + 0.5 * rng.normal(size=(n, t))
    return pd.DataFrame({"unit": np.repeat(np.arange(n), t), "time": np.tile(np.arange(t), n),
                         "y": Y.ravel(), "w": W.ravel().astype(int)})


def test_block_of_treated_units_jackknife_and_bootstrap():
    df = _low_rank(7, n0=20, n1=4, t0=10, t1=3)
    jk = synthdid(df, "unit", "time", "y", "w", se_method="jackknife", max_iter=500)
    bs = synthdid(df, "unit", "time", "y", "w", se_method="bootstrap", replications=20, seed=5, max_iter=500)
    assert jk.estimate == bs.estimate
    assert abs(jk.estimate - 1.0) < 3 * jk.se
    assert 0.4 < bs.se / jk.se < 2.5
    assert len(jk.replicates) == 24 and len(bs.replicates) == 20
    # the same seed gives the same bootstrap; another seed another
    again = synthdid(df, "unit", "time", "y", "w", se_method="bootstrap", replications=20, seed=5, max_iter=500)
    other = synthdid(df, "unit", "time", "y", "w", se_method="bootstrap", replications=20, seed=6, max_iter=500)
    assert again.se == bs.se and other.se != bs.se


def test_sdid_unbiased_over_simulations():
    est = [synthdid(_low_rank(s, tau=2.0), "unit", "time", "y", "w", se_method="none", max_iter=2000).estimate
           for s in range(8)]
    assert abs(np.mean(est) - 2.0) < 0.15


# ---------------------------------------------------------------- result contract


def test_result_contract(cal_sdid, tmp_path):
    t = cal_sdid.table()
    assert list(t.columns[:8]) == ["utfall", "metod", "estimat", "se", "ci_lag", "ci_hog", "p", "inferens"]
    assert t["n_kontroller"].iloc[0] == 38 and t["replikeringar"].iloc[0] == 200
    assert set(cal_sdid.weights) == {"unit", "time"}
    assert cal_sdid.unit_weights["vikt"].sum() == pytest.approx(1.0)
    assert cal_sdid.unit_weights["vikt"].is_monotonic_decreasing
    s = cal_sdid.summary()
    assert "Syntetisk skillnad-i-skillnader" in s and "−15,604" in s and "Tidsvikter (λ)" in s
    assert "syntetisk skillnad-i-skillnader" in cal_sdid.title
    assert "<table" in cal_sdid._repr_html_()
    assert "KI" in cal_sdid.caption
    ax = cal_sdid.plot()
    ax.figure.savefig(tmp_path / "synthdid.png")
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["California", "Syntetisk kontroll", "Tidsvikter λ"]
    ax2 = cal_sdid.plot_units()
    assert len(ax2.get_xticklabels()) == 38
    ax2.figure.savefig(tmp_path / "units.png")
    assert (tmp_path / "synthdid.png").stat().st_size > 10_000


def test_no_se(kommun):
    res = synthdid(kommun, "kommun", "ar", "andel_stod", "behandlad", method="sc", se_method="none")
    assert np.isnan(res.se) and np.isnan(res.table()["p"].iloc[0])
    res.plot()  # a figure without confidence arrows


# ---------------------------------------------------------------- bad input


def test_errors(kommun):
    with pytest.raises(MissingColumnError, match="'andel'"):
        synthdid(kommun, "kommun", "ar", "andel", "behandlad")
    with pytest.raises(SchemaError, match="balanserad"):
        synthdid(kommun.iloc[1:], "kommun", "ar", "andel_stod", "behandlad")
    d = kommun.copy()
    d.loc[5, "andel_stod"] = np.nan
    with pytest.raises(SchemaError, match="rad 7"):
        synthdid(d, "kommun", "ar", "andel_stod", "behandlad")
    with pytest.raises(DuplicateIdError):
        synthdid(pd.concat([kommun, kommun.iloc[:1]]), "kommun", "ar", "andel_stod", "behandlad")
    d = kommun.copy()
    d.loc[(d["kommun"] == "Botkyrka") & (d["ar"] == 2018), "behandlad"] = 1
    with pytest.raises(EstimationError, match="samtidigt"):
        synthdid(d, "kommun", "ar", "andel_stod", "behandlad")
    with pytest.raises(EstimationError, match="två behandlade"):
        synthdid(kommun, "kommun", "ar", "andel_stod", treated_units=["Botkyrka"], start=2019, se_method="jackknife")
    with pytest.raises(SchemaError, match="start"):
        synthdid(kommun, "kommun", "ar", "andel_stod", treated_units=["Botkyrka"], start=2030)
    with pytest.raises(SchemaError, match="method"):
        synthdid(kommun, "kommun", "ar", "andel_stod", "behandlad", method="abc")
    small = kommun[kommun["kommun"].isin(KOMMUN_TREATED + ["Lund", "Umeå"])]
    with pytest.raises(EstimationError, match="fler kontroller"):
        synthdid(small, "kommun", "ar", "andel_stod", "behandlad")


def test_personnummer_units_refused_without_echo():
    df = _low_rank(1, n0=6, n1=1, t0=4, t1=2)
    df["unit"] = df["unit"].map(lambda u: f"19850312-123{u}" if u == 0 else f"enhet{u}")
    with pytest.raises(PrivacyError) as err:
        synthdid(df, "unit", "time", "y", "w", se_method="none")
    assert "19850312" not in str(err.value)
    assert isinstance(err.value, FinsamError)
