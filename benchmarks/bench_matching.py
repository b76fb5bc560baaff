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

A second part times the other estimands and the weighting estimators:

- ATC nearest neighbour (with replacement) against causalml 0.18
  ``NearestNeighborMatch(treatment_to_control=False)`` on the same logit score;
- subclassification for the ATE, IPW for the ATE (ours only: the peers have no
  such function);
- entropy balancing (ATT and ATE, means) against ebal 1.0.0 (``ebal_bin``,
  Newton with line search, ``PCA=False``) and empirical_calibration 0.12
  (``calibrate(objective=ENTROPY)``); the largest difference between our
  normalised weights and each peer's is printed next to the times, so a
  faster peer that balances differently would show.

Run::

    pip install --target /tmp/peer_psm psmpy==0.3.16 seaborn --no-deps
    pip install --target /tmp/peer_ebal ebal==1.0.0 --no-deps
    pip install --target /tmp/peer_ecal empirical-calibration==0.12 absl-py patsy six --no-deps
    pip install --target /tmp/peer_causalml causalml==0.18.0 --no-deps
    PYTHONPATH=/tmp/peer_psm:/tmp/peer_ebal:/tmp/peer_ecal:/tmp/peer_causalml MPLBACKEND=Agg \
        .venv/bin/python benchmarks/bench_matching.py

``--quick`` skips the full-size runs; ``--part matching|weighting`` runs one part.
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
import pandas as pd

from finsam_eval.effects import match, weight


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


def _peer(name: str) -> bool:
    try:
        __import__(name)
        return True
    except ImportError:
        print(f"{name} not importable: its timings are skipped (see the module docstring).")
        return False


def _timed(f, *args, **kwargs):
    t0 = time.perf_counter()
    out = f(*args, **kwargs)
    return time.perf_counter() - t0, out


def bench_weighting(quick: bool) -> list[dict]:
    """ATC, ATE and weighting estimators, with peers where one exists."""
    have = {p: _peer(p) for p in ("causalml", "ebal", "empirical_calibration")}
    rows: list[dict] = []
    sizes = [(1_000, 20_000), (10_000, 200_000)] + ([] if quick else [(10_000, 1_000_000)])
    for n_t, n_c in sizes:
        d = simulate(n_t, n_c, seed=3)
        t = d["deltagare"].to_numpy() == 1
        X = d[COVS].to_numpy(dtype=float)
        base = {"n_deltagare": n_t, "n_kontroller": n_c}

        s, m = _timed(match, d, "deltagare", COVS, unit=None, estimand="ATC", replace=True, caliper=100.0)
        row = {**base, "uppgift": "närmaste granne ATC (med återläggning)", "finsam_s": s}
        if have["causalml"] and n_c <= 200_000:
            from causalml.match import NearestNeighborMatch

            nn = NearestNeighborMatch(replace=True, ratio=1, caliper=100.0, treatment_to_control=False,
                                      random_state=0, n_jobs=1)
            pn, _ = _timed(nn.match, d.assign(score=m.logit_ps.to_numpy()), "deltagare", ["score"])
            row.update({"causalml_s": pn, "kvot_causalml_over_finsam": pn / s})  # caliper 100 SD = none (causalml needs one)
        rows.append(row)
        print(row, flush=True)

        s, _ = _timed(match, d, "deltagare", COVS, unit=None, method="subclass", estimand="ATE")
        rows.append({**base, "uppgift": "subklassificering ATE", "finsam_s": s})
        print(rows[-1], flush=True)
        s, _ = _timed(weight, d, "deltagare", COVS, unit=None, method="ipw", estimand="ATE")
        rows.append({**base, "uppgift": "IPW ATE", "finsam_s": s})
        print(rows[-1], flush=True)

        for est in ("ATT", "ATE"):
            s, w = _timed(weight, d, "deltagare", COVS, unit=None, method="entropy", estimand=est)
            ours = w.weights.to_numpy()
            row = {**base, "uppgift": f"entropibalansering {est}", "finsam_s": s}
            if have["ebal"]:
                from ebal import ebal_bin

                eb = ebal_bin(PCA=False, print_level=-1, effect=est, constraint_tolerance=1e-8)
                pe, res = _timed(eb.ebalance, t.astype(int), X, np.zeros(len(d)))
                diff = np.abs(res["w"][~t] / res["w"][~t].mean() - ours[~t] / ours[~t].mean()).max()
                row.update({"ebal_s": pe, "kvot_ebal_over_finsam": pe / s, "ebal_max_viktskillnad": diff})
            if have["empirical_calibration"] and est == "ATT":
                import empirical_calibration as ec

                pc, (wc, _) = _timed(ec.calibrate, X[~t], X[t], objective=ec.Objective.ENTROPY, max_weight=1.0)
                diff = np.abs(wc / wc.mean() - ours[~t] / ours[~t].mean()).max()
                row.update({"ecal_s": pc, "kvot_ecal_over_finsam": pc / s, "ecal_max_viktskillnad": diff})
            rows.append(row)
            print(row, flush=True)
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="skip the 10 000 x 1 000 000 runs")
    ap.add_argument("--part", choices=["matching", "weighting", "all"], default="all")
    args = ap.parse_args()
    if args.part in ("matching", "all"):
        bench_nearest(args.quick)
    if args.part in ("weighting", "all"):
        rows = bench_weighting(args.quick)
        print()
        print(pd.DataFrame(rows).to_string(index=False, float_format=lambda v: f"{v:.3g}"))


def bench_nearest(quick: bool) -> None:
    have_peer = _peer("psmpy")
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
    if not quick:
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
