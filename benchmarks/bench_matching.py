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

``--quick`` skips the full-size runs; ``--part matching|weighting|strata`` runs one part.

``--part strata`` (issue 13) times, in interleaved rounds (``--rounds``, min and median), ``match`` with 1
and with 10 000 exact strata at 10 000 × 1 000 000, with and without replacement, next to the best peer
(scikit-learn logit + ``NearestNeighbors`` KD-tree on the logit score, one tree per stratum; also on our
score alone; causalml's ``NearestNeighborMatch`` at ``--quick`` size) and the floor (1:1 nearest neighbour
with replacement on precomputed scores by one sort and ``np.searchsorted``), and the logit fit alone
(ours against statsmodels). Ratios are of medians. To time an older version in the same rounds::

    mkdir -p /tmp/before_pkg && git archive 4039419 finsam_eval | tar -x -C /tmp/before_pkg \
        && mv /tmp/before_pkg/finsam_eval /tmp/before_pkg/finsam_eval_before
    MPLBACKEND=Agg .venv/bin/python benchmarks/bench_matching.py --part strata --before /tmp/before_pkg
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
    ap.add_argument("--part", choices=["matching", "weighting", "strata", "all"], default="all")
    ap.add_argument("--rounds", type=int, default=3, help="interleaved rounds for --part strata")
    ap.add_argument("--before", help="directory with an older copy of the library as package finsam_eval_before")
    args = ap.parse_args()
    if args.part in ("strata", "all"):
        bench_strata(args.quick, args.rounds, args.before)
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


# --------------------------------------------------------------------------- issue 13: library, peer, floor

def _strata_data(n_t: int, n_c: int, n_strata: int, seed: int = 4) -> pd.DataFrame:
    d = simulate(n_t, n_c, seed=seed)
    d["stratum"] = np.random.default_rng(seed + 1).integers(0, n_strata, len(d))
    return d


def _peer_kdtree(d: pd.DataFrame, exact: bool, ratio: int = 1, score: np.ndarray | None = None) -> int:
    """Best KD-tree peer: scikit-learn logit (lbfgs, no penalty, standardised covariates, default tolerance)
    + ``NearestNeighbors`` (KD-tree) on the logit score, with replacement, one tree per stratum; given
    ``score`` it skips the logit (matching alone). Returns the number of links."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.neighbors import NearestNeighbors

    t = d["deltagare"].to_numpy() == 1
    if score is None:
        X = d[COVS].to_numpy(dtype=float)
        X = (X - X.mean(axis=0)) / X.std(axis=0)
        s = LogisticRegression(C=np.inf, solver="lbfgs", max_iter=1000).fit(X, t).decision_function(X)
    else:
        s = score
    codes = d["stratum"].to_numpy() if exact else np.zeros(len(d), dtype=np.int64)
    order = np.argsort(codes, kind="stable")
    bounds = np.flatnonzero(np.r_[True, codes[order][1:] != codes[order][:-1], True])
    links = 0
    for a, b in zip(bounds[:-1], bounds[1:], strict=True):
        rows = order[a:b]
        tt, cc = rows[t[rows]], rows[~t[rows]]
        if len(tt) == 0 or len(cc) == 0:
            continue
        nn = NearestNeighbors(n_neighbors=min(ratio, len(cc)), algorithm="kd_tree").fit(s[cc, None])
        _, ii = nn.kneighbors(s[tt, None])
        links += ii.size
    return links


def _peer_causalml(d: pd.DataFrame, score: np.ndarray) -> int:
    """causalml 0.18 ``NearestNeighborMatch`` (KD-tree inside) on our score, with replacement, one stratum."""
    from causalml.match import NearestNeighborMatch

    nn = NearestNeighborMatch(replace=True, ratio=1, caliper=100.0, random_state=0, n_jobs=1)
    return len(nn.match(d.assign(score=score), "deltagare", ["score"]))


def _floor(score: np.ndarray, t: np.ndarray, codes: np.ndarray) -> int:
    """Floor: 1:1 nearest neighbour with replacement on precomputed scores, within strata, by one sort and
    ``np.searchsorted`` (a monotone key stratum * span + score; no logit fit, no bookkeeping)."""
    span = float(score.max() - score.min()) + 1.0
    key = codes * span + (score - score.min())
    kc = np.sort(key[~t])
    kt = key[t]
    p = np.searchsorted(kc, kt)
    lo, hi = np.clip(p - 1, 0, len(kc) - 1), np.clip(p, 0, len(kc) - 1)
    pick = np.where(np.abs(kc[lo] - kt) <= np.abs(kc[hi] - kt), lo, hi)
    same = np.floor(kc[pick] / span) == np.floor(kt / span)
    return int(same.sum())


def bench_strata(quick: bool, rounds: int, before: str | None = None) -> None:
    """Library, best peer and floor in one run, interleaved rounds, min/median and ratios (issue 13).

    ``before``: a directory holding an older copy of the library as the package ``finsam_eval_before``
    (see the module docstring); its ``match`` is then timed in the same rounds.
    """
    from finsam_eval.effects.propensity import _design, _fit_logit

    old_match = None
    if before:
        import sys

        sys.path.insert(0, before)
        from finsam_eval_before.effects import match as old_match
    have_cml = _peer("causalml")
    n_t, n_c = (2_000, 200_000) if quick else (10_000, 1_000_000)
    cases = []
    for n_strata in (1, 10_000):
        d = _strata_data(n_t, n_c, n_strata)
        ex = "stratum" if n_strata > 1 else None
        m = match(d, "deltagare", COVS, unit=None, caliper=None, replace=True)
        score = m.logit_ps.to_numpy()
        t = d["deltagare"].to_numpy() == 1
        codes = d["stratum"].to_numpy() if ex else np.zeros(len(d), dtype=np.int64)
        tasks = {
            "finsam utan återläggning": lambda d=d, ex=ex: match(d, "deltagare", COVS, unit=None, caliper=None,
                                                                 exact=ex),
            "finsam med återläggning": lambda d=d, ex=ex: match(d, "deltagare", COVS, unit=None, caliper=None,
                                                                exact=ex, replace=True),
            "peer sklearn KD-tree (logit + NN)": lambda d=d, ex=ex: _peer_kdtree(d, ex is not None),
            "peer sklearn KD-tree, NN på vår score": lambda d=d, ex=ex, s=score: _peer_kdtree(d, ex is not None,
                                                                                             score=s),
            "golv sort + searchsorted": lambda s=score, t=t, c=codes: _floor(s, t, c),
        }
        if old_match is not None:
            tasks["före: utan återläggning"] = lambda d=d, ex=ex: old_match(d, "deltagare", COVS, unit=None,
                                                                         caliper=None, exact=ex)
            tasks["före: med återläggning"] = lambda d=d, ex=ex: old_match(d, "deltagare", COVS, unit=None,
                                                                        caliper=None, exact=ex, replace=True)
        if have_cml and n_strata == 1 and n_c <= 200_000:  # causalml is slow beyond that
            tasks["peer causalml NN (vår score)"] = lambda d=d, s=score: _peer_causalml(d, s)
        if n_strata == 1:
            X = _design(d, COVS, drop_first=True)
            y = t.astype(float)
            tasks["logit: finsam Newton k x k"] = lambda y=y, X=X: _fit_logit(y, X)

            def _sm(y=y, X=X):
                import statsmodels.api as sm

                return sm.Logit(y, sm.add_constant(X.to_numpy(dtype=float)), check_rank=False).fit(
                    method="newton", maxiter=100, disp=0)
            tasks["logit: statsmodels Newton"] = _sm
        cases.append((n_strata, tasks))
    times: dict[tuple[int, str], list[float]] = {}
    for r in range(rounds):  # interleaved: every task once per round, so machine load hits all alike
        for n_strata, tasks in cases:
            for name, f in tasks.items():
                s, _ = _timed(f)
                times.setdefault((n_strata, name), []).append(s)
        print(f"omgång {r + 1}/{rounds} klar", flush=True)
    rows = []
    for n_strata, tasks in cases:
        floor = np.median(times[(n_strata, "golv sort + searchsorted")])
        peer = np.median(times[(n_strata, "peer sklearn KD-tree (logit + NN)")])
        for name in tasks:
            ts = times[(n_strata, name)]
            rows.append({"strata": n_strata, "uppgift": name, "min_s": min(ts), "median_s": float(np.median(ts)),
                         "kvot_mot_golv": float(np.median(ts)) / floor, "kvot_mot_peer": float(np.median(ts)) / peer})
    print(f"\n{n_t} deltagare x {n_c} kontroller, {rounds} omgångar (kvoter på medianer)")
    print(pd.DataFrame(rows).to_string(index=False, float_format=lambda v: f"{v:.3f}"))


if __name__ == "__main__":
    main()
