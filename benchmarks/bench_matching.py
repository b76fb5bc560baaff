"""Benchmark: propensity score matching at register scale, against psmpy.

finsam_eval's :func:`~finsam_eval.effects.match` (statsmodels logit, sorted
controls + ``np.searchsorted``, union-find "next free neighbour" for greedy
matching without replacement) is timed at 10 000 participants × 1 000 000
controls. The peer, psmpy 0.3.16 (``PsmPy.logistic_ps`` + ``kdtree_matched``),
queries *all* controls for every participant (an n_t × n_c distance matrix and
Python loops over it), so it cannot run at that size; both are therefore timed
at sizes psmpy handles, and the ratio is reported at equal sizes, next to our
time at full size.

Same task for both: logit propensity score on the same numeric covariates,
1:1 nearest neighbour on the logit score, without replacement, no caliper.

Run::

    pip install --target /tmp/peer_psm psmpy==0.3.16 seaborn --no-deps
    PYTHONPATH=/tmp/peer_psm MPLBACKEND=Agg .venv/bin/python benchmarks/bench_matching.py

``--quick`` skips the full-size run.
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
import pandas as pd

from finsam_eval.effects import match


def simulate(n_treated: int, n_control: int, seed: int = 0) -> pd.DataFrame:
    """Numeric covariates, participants selected on them (logit model)."""
    rng = np.random.default_rng(seed)
    n = n_treated + n_control
    d = pd.DataFrame({
        "person_id": np.arange(n),
        "alder": rng.integers(18, 65, n).astype(float),
        "kvinna": rng.integers(0, 2, n).astype(float),
        "forgymnasial": (rng.random(n) < 0.3).astype(float),
        "manader_stod": rng.exponential(12, n),
        "forbund": rng.integers(0, 3, n),
    })
    z = -0.03 * (d.alder - 40) + 0.3 * d.kvinna + 0.5 * d.forgymnasial + 0.03 * d.manader_stod
    g = z.to_numpy() + rng.gumbel(size=n)  # exactly n_treated participants, favouring high z
    t = np.zeros(n, dtype=int)
    t[np.argsort(-g)[:n_treated]] = 1
    d["deltagare"] = t
    return d


COVS = ["alder", "kvinna", "forgymnasial", "manader_stod"]


def time_ours(d: pd.DataFrame, **kw) -> tuple[float, int]:
    t0 = time.perf_counter()
    m = match(d, "deltagare", COVS, unit=None, **kw)
    return time.perf_counter() - t0, m.n_treated_matched


def time_psmpy(d: pd.DataFrame) -> tuple[float, int]:
    from psmpy import PsmPy

    t0 = time.perf_counter()
    psm = PsmPy(d.drop(columns=["forbund"]), treatment="deltagare", indx="person_id", exclude=[])
    psm.logistic_ps(balance=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        psm.kdtree_matched(matcher="propensity_logit", replacement=False, caliper=None)
    n = int(psm.matched_ids.dropna().shape[0])
    return time.perf_counter() - t0, n


def best(f, d, repeat: int) -> tuple[float, int]:
    runs = [f(d) for _ in range(repeat)]
    return min(r[0] for r in runs), runs[0][1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="skip the 10 000 x 1 000 000 run")
    args = ap.parse_args()
    try:
        import psmpy  # noqa: F401

        have_peer = True
    except ImportError:
        have_peer = False
        print("psmpy not importable: peer timings skipped (see the module docstring).")

    rows = []
    for n_t, n_c in [(200, 5_000), (500, 10_000), (1_000, 20_000)]:
        d = simulate(n_t, n_c, seed=1)
        ours, n_ours = best(lambda x: time_ours(x, caliper=None), d, 3)
        row = {"n_deltagare": n_t, "n_kontroller": n_c, "finsam_s": ours, "finsam_matchade": n_ours}
        if have_peer:
            peer, n_peer = best(time_psmpy, d, 1)
            row.update({"psmpy_s": peer, "psmpy_matchade": n_peer, "ratio_psmpy_over_finsam": peer / ours})
        rows.append(row)
        print(row, flush=True)
    if not args.quick:
        d = simulate(10_000, 1_000_000, seed=2)
        for label, kw in [("no caliper", {"caliper": None}), ("caliper 0.2", {}),
                          ("caliper 0.2, exact forbund", {"exact": "forbund"}),
                          ("with replacement, 1:3", {"replace": True, "ratio": 3})]:
            s, n = best(lambda x, kw=kw: time_ours(x, **kw), d, 1)
            rows.append({"n_deltagare": 10_000, "n_kontroller": 1_000_000, "finsam_s": s, "finsam_matchade": n,
                         "variant": label})
            print(rows[-1], flush=True)
    print()
    print(pd.DataFrame(rows).to_string(index=False, float_format=lambda v: f"{v:.3f}"))


if __name__ == "__main__":
    main()
