"""Benchmark: TWFE difference-in-differences, event study and staggered DiD against peers and the floor.

Prints, in one run with the contestants interleaved round by round (so machine load hits all of them
alike), the minimum and median time of each and the ratios:

1. ``did`` (TWFE, one covariate, CR1 clustered on the person) on a balanced panel of ``--units`` persons
   x 10 periods (default 500 000 x 10 = 5 M rows), against pyfixest ``feols("y ~ D + x | person_id +
   period", vcov={"CRV1": "person_id"})``, linearmodels ``PanelOLS(entity_effects, time_effects,
   cov_type="clustered")`` and the floor: integer codes by ``pd.factorize``, alternating projections by
   ``np.bincount``, OLS and CR1 scores by ``np.bincount``, nothing else (no checks, no tables). The
   estimates and SEs of the peers are compared with the library's (largest absolute difference).
2. ``event_study`` (leads 3, lags 4, same panel), against pyfixest with the same event-time dummies and
   the same floor with those columns.
3. ``staggered_did`` (doubly robust, one covariate, 999 multiplier-bootstrap draws with uniform bands)
   on ``--stag-units`` units x 24 periods with 17 start cohorts (391 group-time cells), against csdid
   0.4.3 (``pip install csdid`` into the venv; one round, it is slow) and the floor: the 391 two-period
   DR estimates (``_drdid.panel_att``, the estimator itself) plus one dense product of the 999 draws with
   the influence-function matrix. The cells run with one BLAS thread in both (tiny products; a threaded
   BLAS only adds synchronisation, which on a loaded machine costs far more than the arithmetic).

Install the peers into the venv only: ``.venv/bin/pip install pyfixest linearmodels csdid``.

Run: ``MPLBACKEND=Agg .venv/bin/python benchmarks/bench_did.py [--units 500000] [--stag-units 20000]
[--rounds 3] [--parts did es staggered]``. Ratios are peer (or library) time over the other; "× floor"
is the library's time over the floor's.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import io
import statistics
import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

import finsam_eval

did_mod = importlib.import_module("finsam_eval.effects.did")
es_mod = importlib.import_module("finsam_eval.effects.event_study")
st_mod = importlib.import_module("finsam_eval.effects.staggered")


# ---------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------


def twfe_panel(n_units: int) -> pd.DataFrame:
    df = did_mod.simulate_panel(n_units=n_units, n_periods=10, effect=0.5, start=5, seed=1)
    df["D"] = ((df["deltagare"] == 1) & (df["period"] >= df["start_period"])).astype(float)
    return df


def staggered_panel(n_units: int) -> pd.DataFrame:
    df = st_mod.simulate_staggered(n_units=n_units, n_periods=24, cohorts=tuple(range(4, 21)), seed=3)
    df["x"] = np.random.default_rng(4).normal(size=len(df))
    df["period"] = df["period"] + 1  # csdid wants never-treated coded 0, outside the periods
    df["start"] = df["start"] + 1
    df["g"] = df["start"].fillna(0).astype(int)
    return df


# ---------------------------------------------------------------------------
# Floors
# ---------------------------------------------------------------------------


def _demean(M: np.ndarray, facs: list[tuple[np.ndarray, int, np.ndarray]], tol: float = 1e-12) -> np.ndarray:
    M = np.array(M, dtype=float, order="F")
    scale = np.maximum(np.abs(M).max(axis=0), 1.0)
    while True:
        delta = 0.0
        for codes, g, cnt in facs:
            for j in range(M.shape[1]):
                step = (np.bincount(codes, weights=M[:, j], minlength=g) / cnt)[codes]
                M[:, j] -= step
                delta = max(delta, float(np.abs(step).max() / scale[j]))
        if delta < tol:
            return M


def floor_twfe(df: pd.DataFrame, regressors: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Coefficients and CR1 SEs (person clusters, fixest's nested count) with nothing but codes and bincount."""
    facs = []
    for col in ("person_id", "period"):
        codes, uniq = pd.factorize(df[col])
        facs.append((codes, len(uniq), np.bincount(codes, minlength=len(uniq)).astype(float)))
    Z = _demean(df[["y", *regressors]].to_numpy(float), facs)
    y, X = Z[:, 0], Z[:, 1:]
    A = np.linalg.inv(X.T @ X)
    beta = A @ (X.T @ y)
    e = y - X @ beta
    ucodes, G = facs[0][0], facs[0][1]
    S = np.column_stack([np.bincount(ucodes, weights=X[:, j] * e, minlength=G) for j in range(X.shape[1])])
    n, k = X.shape
    c = G / (G - 1) * (n - 1) / (n - k - facs[1][1])
    V = c * A @ (S.T @ S) @ A
    return beta, np.sqrt(np.diag(V))


def floor_staggered(df: pd.DataFrame, n_boot: int = 999) -> tuple[np.ndarray, np.ndarray]:
    """The 391 DR cell estimates and one dense bootstrap product: what any implementation must do."""
    from finsam_eval.effects._drdid import panel_att

    wide = df.pivot(index="unit", columns="period", values="y")
    xw = df.pivot(index="unit", columns="period", values="x").to_numpy()
    Y = wide.to_numpy()
    periods = wide.columns.to_numpy()
    g_unit = df.groupby("unit")["g"].first().reindex(wide.index).to_numpy()
    gpos = np.searchsorted(periods, g_unit)
    gpos[g_unit == 0] = -1
    n, T = Y.shape
    never = gpos < 0
    cohorts = np.unique(gpos[~never])
    psi = np.zeros((n, len(cohorts) * (T - 1)), order="F")
    att, k = [], 0
    with threadpool_limits(1, user_api="blas"):  # as the library: small products gain nothing from threads
        for g in cohorts:
            for t in range(1, T):
                b = g - 1 if t >= g else t - 1
                sel = (gpos == g) | never
                X = np.column_stack([np.ones(int(sel.sum())), xw[sel, b]])
                a, inf = panel_att(Y[sel, t] - Y[sel, b], (gpos[sel] == g).astype(float), X, "dr")
                psi[sel, k] = n / sel.sum() * inf
                att.append(a)
                k += 1
    psi = psi[:, :k]
    rng = np.random.default_rng(0)
    v = np.array([-1.0, 1.0])[rng.integers(0, 2, size=(n_boot, n))]
    boot = v @ psi / n
    return np.array(att), boot


# ---------------------------------------------------------------------------
# Contestants
# ---------------------------------------------------------------------------


def lib_did(df: pd.DataFrame) -> tuple[float, float]:
    r = finsam_eval.did(df, "y", covariates=["x"])
    return r.att, r.se


def pyfixest_did(df: pd.DataFrame, rhs: str = "D + x") -> Any:
    import pyfixest as pf

    return pf.feols(f"y ~ {rhs} | person_id + period", data=df, vcov={"CRV1": "person_id"})


def linearmodels_did(df: pd.DataFrame) -> Any:
    from linearmodels.panel import PanelOLS

    d = df.set_index(["person_id", "period"])
    return PanelOLS(d["y"], d[["D", "x"]], entity_effects=True, time_effects=True).fit(
        cov_type="clustered", cluster_entity=True)


def es_columns(df: pd.DataFrame, leads: int = 3, lags: int = 4) -> list[str]:
    e = np.clip(df["period"] - df["start_period"], -leads, lags)
    names = []
    for k in range(-leads, lags + 1):
        if k == -1:
            continue
        name = f"e_m{-k}" if k < 0 else f"e_{k}"
        df[name] = (e == k).astype(float)
        names.append(name)
    return names


def lib_es(df: pd.DataFrame) -> Any:
    return finsam_eval.event_study(df, "y", leads=3, lags=4, covariates=["x"])


def lib_staggered(df: pd.DataFrame) -> Any:
    return finsam_eval.staggered_did(df, "y", unit="unit", time="period", group="start", covariates=["x"],
                                     n_boot=999)


def csdid_staggered(df: pd.DataFrame) -> Any:
    from csdid.att_gt import ATTgt

    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        a = ATTgt(yname="y", gname="g", idname="unit", tname="period", xformla="~x", data=df).fit(
            est_method="dr", bstrap=True)
        for typ in ("simple", "group", "dynamic", "calendar"):
            a.aggte(typec=typ, bstrap=True)
    return a


def _have(mod: str) -> bool:
    try:
        importlib.import_module(mod)
        return True
    except ImportError:
        print(f"({mod} is not installed: skipped; .venv/bin/pip install {mod})")
        return False


def race(contestants: dict[str, Callable[[], Any]], rounds: int, once: set[str] = frozenset()
         ) -> tuple[dict[str, list[float]], dict[str, Any]]:
    times: dict[str, list[float]] = {k: [] for k in contestants}
    out: dict[str, Any] = {}
    for r in range(rounds):
        for name, fn in contestants.items():
            if name in once and r > 0:
                continue
            t0 = time.perf_counter()
            out[name] = fn()
            times[name].append(time.perf_counter() - t0)
    return times, out


def report(title: str, times: dict[str, list[float]], lib: str, floor: str) -> None:
    print(f"\n{title}")
    print(f"{'':<16}{'min s':>9}{'median s':>10}{'vs library':>12}")
    best = min(times[lib])
    for name, ts in times.items():
        m = min(ts)
        rel = "" if name == lib else f"{m / best:>11.2f}x"
        print(f"{name:<16}{m:>9.3f}{statistics.median(ts):>10.3f}{rel:>12}")
    peers = [k for k in times if k not in (lib, floor)]
    if peers:
        bp = min(peers, key=lambda k: min(times[k]))
        print(f"best peer: {bp}, {min(times[bp]) / best:.2f} times the library's time")
    print(f"library / floor: {best / min(times[floor]):.2f}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--units", type=int, default=500_000)
    ap.add_argument("--stag-units", type=int, default=20_000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--parts", nargs="+", default=["did", "es", "staggered"])
    args = ap.parse_args()
    with contextlib.suppress(Exception):  # versions before issue 13 have no such option
        finsam_eval.set_option("progress", False)
    print(f"finsam_eval from {finsam_eval.__file__}")

    if "did" in args.parts or "es" in args.parts:
        df = twfe_panel(args.units)
        print(f"TWFE panel: {len(df):,} rows, {args.units:,} persons x 10 periods")
    if "did" in args.parts:
        c = {"finsam_eval": lambda: lib_did(df), "floor": lambda: floor_twfe(df, ["D", "x"])}
        if _have("pyfixest"):
            c["pyfixest"] = lambda: pyfixest_did(df)
        if _have("linearmodels"):
            c["linearmodels"] = lambda: linearmodels_did(df)
        times, out = race(c, args.rounds)
        report("did (TWFE, CR1 by person)", times, "finsam_eval", "floor")
        att, se = out["finsam_eval"]
        b, s = out["floor"]
        print(f"|Δ| to floor: estimate {abs(att - b[0]):.1e}, SE {abs(se - s[0]):.1e}")
        if "pyfixest" in out:
            f = out["pyfixest"]
            print(f"|Δ| to pyfixest: estimate {abs(att - f.coef()['D']):.1e}, SE {abs(se - f.se()['D']):.1e}")
        if "linearmodels" in out:
            m = out["linearmodels"]
            print(f"|Δ| to linearmodels: estimate {abs(att - m.params['D']):.1e}, SE {abs(se - m.std_errors['D']):.1e}"
                  " (linearmodels counts the absorbed effects differently in its small-sample factor)")
    if "es" in args.parts:
        cols = es_columns(df)
        c = {"finsam_eval": lambda: lib_es(df), "floor": lambda: floor_twfe(df, [*cols, "x"])}
        if _have("pyfixest"):
            c["pyfixest"] = lambda: pyfixest_did(df, " + ".join(cols) + " + x")
        times, out = race(c, args.rounds)
        report("event_study (leads 3, lags 4)", times, "finsam_eval", "floor")
        co = out["finsam_eval"].coefficients
        ours = co[co["event_time"] != -1]["estimat"].to_numpy()
        print(f"|Δ| to floor: estimates {np.max(np.abs(ours - out['floor'][0][:len(ours)])):.1e}")
        if "pyfixest" in out:
            print(f"|Δ| to pyfixest: estimates {np.max(np.abs(ours - out['pyfixest'].coef()[cols].to_numpy())):.1e}")
    if "staggered" in args.parts:
        sdf = staggered_panel(args.stag_units)
        print(f"\nStaggered panel: {args.stag_units:,} units x 24 periods, 17 cohorts")
        c = {"finsam_eval": lambda: lib_staggered(sdf), "floor": lambda: floor_staggered(sdf)}
        if _have("csdid"):
            c["csdid"] = lambda: csdid_staggered(sdf)
        times, out = race(c, args.rounds, once={"csdid"})
        report("staggered_did (dr, 391 cells, 999 draws, uniform bands)", times, "finsam_eval", "floor")
        ours = out["finsam_eval"].attgt
        print(f"cells: {len(ours)}; |Δ ATT(g,t)| to floor "
              f"{np.max(np.abs(np.sort(ours['estimat'].to_numpy()) - np.sort(out['floor'][0]))):.1e}")
        if "csdid" in out:
            d = np.max(np.abs(ours["estimat"].to_numpy() - np.asarray(out["csdid"].results["att"], float)))
            print(f"|Δ ATT(g,t)| to csdid {d:.1e}")


if __name__ == "__main__":
    main()
