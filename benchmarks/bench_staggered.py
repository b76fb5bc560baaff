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

4. With ``--memory-units`` (issue 13): peak memory and time on the many-cohort panel of
   ``bench_did.py`` (units x 24 periods, 17 cohorts, 391 cells, one covariate, dr, 999 draws, uniform
   bands) for the library, the floor (the 391 cell estimates and one product of the draws) and csdid;
   with ``--before PATH`` also the library found at ``PATH`` (a ``git archive`` of an older commit). Each
   run is a fresh interpreter; memory is its peak resident size minus the resident size once the data
   are built, so the numbers are the call's own. Runs are interleaved round by round and the minimum is
   kept, so machine load changes the ratios little.

Run: ``MPLBACKEND=Agg .venv/bin/python benchmarks/bench_staggered.py [--units 2000 10000]
[--memory-units 5000 20000 --rounds 2 --before /tmp/before --no-csdid-above 5000]``.
Ratios > 1 mean finsam_eval is faster.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import subprocess
import sys
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


# One contestant on the many-cohort panel inside a fresh interpreter: prints seconds and MB.
_MEMORY_RUN = """
import json, resource, sys, time
sys.path.insert(0, {bench!r})
import bench_did as b
df = b.staggered_panel({n})
fn = {{"finsam_eval": b.lib_staggered, "floor": b.floor_staggered, "csdid": b.csdid_staggered}}[{who!r}]
if {who!r} == "finsam_eval":
    import finsam_eval.effects.staggered  # noqa: F401  (imports are not the call's memory)
else:
    from finsam_eval.effects import _drdid  # noqa: F401
    import threadpoolctl  # noqa: F401
    if {who!r} == "csdid":
        import csdid.att_gt  # noqa: F401
def rss_mb():
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS")) / 1024
base = rss_mb()
t0 = time.perf_counter()
fn(df)
dt = time.perf_counter() - t0
print(json.dumps([dt, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - base]))
"""


def memory_run(who: str, n: int, pythonpath: str | None = None) -> tuple[float, float]:
    """Seconds and peak MB above the data of one staggered run on ``n`` units x 24 periods (fresh process)."""
    env = dict(os.environ, MPLBACKEND="Agg")
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    code = _MEMORY_RUN.format(bench=str(Path(__file__).resolve().parent), n=n, who=who)
    out = subprocess.run([sys.executable, "-c", code], check=True, env=env, capture_output=True, text=True,
                         cwd="/tmp")
    t, mb = json.loads(out.stdout.strip().splitlines()[-1])
    return t, mb


def memory(units: list[int], rounds: int, before: str | None, have_peer: bool, peer_max: int) -> None:
    print("\nMany cohorts: units x 24 periods, 17 cohorts, 391 cells (dr, covariate, 999 draws, uniform bands);"
          "\nmin over interleaved rounds, each run a fresh interpreter; MB = peak resident size above the data")
    print(f"{'units':>8}  {'contestant':<20}{'s':>9}{'MB':>9}{'s / library':>13}{'MB / library':>14}")
    for n in units:
        who = {"finsam_eval": None} | ({"finsam_eval (before)": before} if before else {}) | {"floor": None}
        if have_peer and n <= peer_max:
            who["csdid"] = None
        res: dict[str, list[tuple[float, float]]] = {k: [] for k in who}
        for r in range(rounds):
            for name, path in who.items():
                if name == "csdid" and r > 0:  # minutes per run: once
                    continue
                res[name].append(memory_run(name.split(" ")[0], n, path))
        t_lib = min(t for t, _ in res["finsam_eval"])
        m_lib = min(m for _, m in res["finsam_eval"])
        for name, vals in res.items():
            t, m = min(t for t, _ in vals), min(m for _, m in vals)
            print(f"{n:>8}  {name:<20}{t:>9.2f}{m:>9.0f}{t / t_lib:>13.2f}{m / m_lib:>14.2f}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--units", type=int, nargs="*", default=[2000, 10000])
    ap.add_argument("--memory-units", type=int, nargs="*", default=[],
                    help="many-cohort panel sizes for the memory part (e.g. 5000 20000)")
    ap.add_argument("--rounds", type=int, default=2, help="interleaved rounds of the memory part")
    ap.add_argument("--before", default=None, help="directory holding an older finsam_eval package")
    ap.add_argument("--no-csdid-above", type=int, default=5000, help="largest panel csdid runs on")
    ap.add_argument("--skip-small", action="store_true", help="only the memory part")
    args = ap.parse_args()
    try:
        import csdid  # noqa: F401

        have_peer = True
    except ImportError:
        have_peer = False
        print("csdid is not installed (pip install csdid into the venv): timing finsam_eval only.")
    if args.memory_units:
        memory(args.memory_units, args.rounds, args.before, have_peer, args.no_csdid_above)
    if args.skip_small:
        return
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
