"""Benchmark: Callaway & Sant'Anna group-time effects, finsam_eval against csdid.

Times :func:`finsam_eval.effects.staggered_did` and csdid (the Python port of
R ``did``; ``pip install csdid`` into the venv, it is not a dependency) on

1. R did's ``mpdta`` (500 counties x 5 years) with ``xformla = ~lpop``,
   doubly robust, analytic standard errors, then all four aggregations;
2. simulated panels of 2 000 and 10 000 units x 10 periods, three cohorts,
   one covariate, the same settings;
3. the same with the multiplier bootstrap (999 draws, R's default).

It also checks that both give the same ATT(g,t) (largest absolute
difference printed). Skips csdid with a message when it is not installed.

Run: ``MPLBACKEND=Agg .venv/bin/python benchmarks/bench_staggered.py [--units 2000 10000]``.
Ratios > 1 mean finsam_eval is faster.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from finsam_eval.effects.staggered import simulate_staggered, staggered_did

MPDTA = Path(__file__).resolve().parents[1] / "tests" / "data" / "effects" / "mpdta.csv"


def timed(fn, *args, repeat: int = 3) -> tuple[float, object]:
    best, out = np.inf, None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn(*args)
        best = min(best, time.perf_counter() - t0)
    return best, out


def ours(df: pd.DataFrame, y: str, unit: str, t: str, g: str, cov: str, bstrap: bool):
    return staggered_did(df, y, unit=unit, time=t, group=g, covariates=[cov], est_method="dr", bstrap=bstrap,
                         cband=bstrap, n_boot=999)


def theirs(df: pd.DataFrame, y: str, unit: str, t: str, g: str, cov: str, bstrap: bool):
    from csdid.att_gt import ATTgt

    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        a = ATTgt(yname=y, gname=g, idname=unit, tname=t, xformla=f"~{cov}", data=df).fit(est_method="dr",
                                                                                           bstrap=bstrap)
        for typ in ("simple", "group", "dynamic", "calendar"):
            a.aggte(typec=typ, bstrap=bstrap)
    return a


def simulated(n_units: int) -> pd.DataFrame:
    df = simulate_staggered(n_units=n_units, n_periods=10, cohorts=(3, 5, 7), seed=3)
    rng = np.random.default_rng(4)
    df["x"] = rng.normal(size=len(df))
    df["g"] = df["start"].fillna(0).astype(int)
    df["period"] = df["period"] + 1  # csdid needs never-treated coded 0 outside the periods
    df["g"] = np.where(df["g"] > 0, df["g"] + 1, 0)
    return df


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--units", type=int, nargs="+", default=[2000, 10000])
    args = ap.parse_args()
    try:
        import csdid  # noqa: F401

        have_peer = True
    except ImportError:
        have_peer = False
        print("csdid is not installed (pip install csdid into the venv): timing finsam_eval only.")
    cases = [("mpdta (500 x 5)", pd.read_csv(MPDTA), ("lemp", "countyreal", "year", "first_treat", "lpop"))]
    for n in args.units:
        cases.append((f"simulated ({n} x 10)", simulated(n), ("y", "unit", "period", "g", "x")))
    print(f"{'data':<24}{'SE':<11}{'finsam_eval s':>14}{'csdid s':>10}{'ratio':>8}{'max |ΔATT(g,t)|':>18}")
    for name, df, cols in cases:
        for bstrap in (False, True):
            t_ours, r = timed(ours, df, *cols, bstrap)
            line = f"{name:<24}{'bootstrap' if bstrap else 'analytic':<11}{t_ours:>14.3f}"
            if have_peer:
                t_peer, a = timed(theirs, df, *cols, bstrap, repeat=1 if len(df) > 50_000 else 3)
                diff = float(np.max(np.abs(r.attgt["estimat"].to_numpy() - np.asarray(a.results["att"], float))))
                line += f"{t_peer:>10.3f}{t_peer / t_ours:>8.1f}{diff:>18.1e}"
            print(line)


if __name__ == "__main__":
    main()
