"""The active coding loop, simulated: does coding in the order of ``next_to_code`` pay off sooner than random order?

An evaluator codes in batches of ``--batch`` (20) excerpts. After every
batch :class:`~finsam_eval.coding.CodeSuggester` is fitted on everything
coded so far and scored on a held-out group (leave-one-group-out: every
förbund / report in turn; its excerpts are never in the pool), Cohen's kappa
pooled over (excerpt, code) pairs and over all held-out groups. Two orders
of coding the pool:

* ``aktiv``: the first batch from an unfitted suggester (typical excerpts
  spread over the pool), then ``next_to_code`` (uncertainty + novelty);
* ``slump``: random order.

Both for ``--seeds`` seeds (the seed drives the random order, the tie-breaks
and the suggester's internal folds). The table shows the mean kappa over
seeds and its range, and the TF-IDF + logistic regression baseline fitted on
the same random batches.

Data:

* always the sample excerpts (``finsam_eval.load_sample("excerpts")``,
  codes ``codes_a``, groups ``forbund``);
* with a path (``../shared/seeds``), also the paragraphs of the real
  evaluation reports, labelled by their own theme chapters and read through
  ``benchmarks/bench_coding_realtext.py``'s loader (groups = report). That
  text is not ours: it is read from the path and never stored.

End points (``--lofo``), each against TF-IDF + logistic regression and the
codebook alone in the same run, Cohen's kappa pooled over (excerpt, code)
and macro-F1:

* leave-one-group-out: sample förbund; real reports (``group_col="rapport"``:
  the suggester judges its codebook switch leave-one-report-out);
* real text, within reports (``tredjedelar``): every labelled section is cut
  into three consecutive thirds; train on two thirds of every section of
  every report, test on the third. This is the closest we have to the
  held-out set of the issue (one evaluation whose coders coded all three
  förbund with the same sub-sections), where every code has examples in
  every fold. Neighbouring paragraphs share words, so it is optimistic.

``--fit-time N`` times ``CodeSuggester.fit`` on N distinct texts made from the
sample excerpts (two excerpts of one förbund joined, seeded; with the
``forbund`` column, so the switch is judged leave-one-förbund-out).

Run::

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/bench_active_coding.py
    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/bench_active_coding.py ../shared/seeds --seeds 3
    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/bench_active_coding.py ../shared/seeds --lofo   # end points only
    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/bench_active_coding.py ../shared/seeds --no-sample --within --seeds 1
    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/bench_active_coding.py --no-sample --fit-time 5000
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from finsam_eval.coding.suggest import CodeSuggester, _binarize_fit, baseline_model, evaluate_suggester
from finsam_eval.coding.suggest_eval import _scores
from finsam_eval.samples import load_sample


def simulate(ex: pd.DataFrame, codes_col: str, group_col: str, *, batch: int, max_coded: int, seeds: list[int],
             diversity: float) -> pd.DataFrame:
    """Learning curves: one row per (seed, order, n coded) with pooled held-out kappa."""
    ex = ex.reset_index(drop=True).copy()
    if "excerpt_id" not in ex:
        ex["excerpt_id"] = range(len(ex))
    Y, classes = _binarize_fit(ex[codes_col], None)
    codes = list(classes)
    groups = ex[group_col].astype(str).to_numpy()
    levels = list(dict.fromkeys(groups))
    rows = []
    for seed in seeds:
        preds: dict[tuple[str, int], np.ndarray] = {}
        for lev in levels:
            test = np.flatnonzero(groups == lev)
            pool = np.flatnonzero(groups != lev)
            steps = list(range(batch, min(max_coded, len(pool)) + 1, batch))
            rng = np.random.default_rng(seed)
            random_order = rng.permutation(pool)
            for order in ("aktiv", "slump", "baslinje"):
                if order == "baslinje":
                    for n in steps:
                        tr = random_order[:n]
                        b = baseline_model()
                        with warnings.catch_warnings():
                            warnings.simplefilter("ignore")
                            b.fit(ex["text"].iloc[tr].tolist(), Y[tr])
                            preds[(order, n, lev)] = b.predict(ex["text"].iloc[test].tolist())
                    continue
                coded: list[int] = []
                est = CodeSuggester(codes=codes, random_state=seed)
                for n in steps:
                    if order == "slump":
                        coded = list(random_order[:n])
                    else:
                        left = ex.iloc[[i for i in pool if i not in set(coded)]]
                        pick = est.next_to_code(left, n - len(coded), diversity=diversity, random_state=seed)
                        coded += list(pick.index)
                    est = CodeSuggester(codes=codes, random_state=seed).fit(ex.iloc[coded], Y[coded])
                    preds[(order, n, lev)] = est.predict(ex.iloc[test])
        for order in ("aktiv", "slump", "baslinje"):
            ns = sorted({k[1] for k in preds if k[0] == order})
            for n in ns:
                # pooled over the held-out groups that have a model at this n (groups whose pool is large enough)
                have = [lev for lev in levels if (order, n, lev) in preds]
                idx = np.concatenate([np.flatnonzero(groups == lev) for lev in have])
                P = np.vstack([preds[(order, n, lev)] for lev in have])
                k, f1 = _scores(Y[idx], P)
                rows.append({"seed": seed, "ordning": order, "n_kodade": n, "kappa": k, "makro_f1": f1,
                             "grupper": len(have)})
    return pd.DataFrame(rows)


def thirds(real: pd.DataFrame) -> pd.Series:
    """Fold 0-2 of each paragraph: which consecutive third of its labelled section it lies in."""
    from bench_coding_realtext import LABELS

    section = [next(f"{p}:{a}" for a, b, _ in LABELS[p] if a <= r <= b) for p, r in zip(real["rapport"], real["rad"])]
    df = pd.DataFrame({"section": section, "rad": real["rad"].to_numpy()}, index=real.index)
    rank = df.groupby("section")["rad"].rank(method="first") - 1
    size = df.groupby("section")["rad"].transform("size")
    return (3 * rank // size).astype(int).map({0: "tredjedel 1", 1: "tredjedel 2", 2: "tredjedel 3"})


def end_points(title: str, df: pd.DataFrame, codes_col: str, group_col: str, suggester_group: str | None) -> None:
    """Leave-one-group-out: suggester, TF-IDF + logistic regression and the codebook alone, per group and pooled."""
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est = CodeSuggester(random_state=0, group_col=suggester_group)
        ev = evaluate_suggester(df, codes_col=codes_col, groups=group_col, estimator=est, random_state=0)
    print(f"\n{title} ({time.perf_counter() - t0:.0f} s)")
    print(ev.scores.round(3).to_string(index=False))


def fit_time(n: int, seed: int = 0) -> None:
    """Seconds for one CodeSuggester.fit on n distinct texts made from the sample excerpts."""
    ex = load_sample("excerpts").reset_index(drop=True)
    rng = np.random.default_rng(seed)
    # n distinct texts: two sample excerpts of the same förbund joined, with the union of their codes
    a = rng.integers(0, len(ex), n)
    same = {f: np.flatnonzero(ex["forbund"].to_numpy() == f) for f in ex["forbund"].unique()}
    b = np.array([rng.choice(same[ex["forbund"].iloc[i]]) for i in a])
    big = pd.DataFrame({
        "excerpt_id": range(n), "forbund": ex["forbund"].to_numpy()[a],
        "text": [f"{ex['text'].iloc[i]} {ex['text'].iloc[j]} ({k})" for k, (i, j) in enumerate(zip(a, b))],
        "codes_a": [sorted(set(ex["codes_a"].iloc[i]) | set(ex["codes_a"].iloc[j])) for i, j in zip(a, b)],
    })
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        CodeSuggester(random_state=seed).fit(big, big["codes_a"])
    t1 = time.perf_counter() - t0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        Y, _ = _binarize_fit(big["codes_a"], None)
        t2 = time.perf_counter()
        baseline_model().fit(big["text"].tolist(), Y)
    print(f"\nCodeSuggester.fit på {n} utdrag: {t1:.1f} s (TF-IDF + logistisk regression: "
          f"{time.perf_counter() - t2:.1f} s)")


def curve_table(runs: pd.DataFrame) -> pd.DataFrame:
    """Mean (min-max) kappa over seeds per n coded and order."""
    g = runs.groupby(["n_kodade", "ordning"])["kappa"].agg(["mean", "min", "max"]).reset_index()
    out = g.pivot(index="n_kodade", columns="ordning", values="mean")
    for o in out.columns:
        sub = g[g.ordning == o].set_index("n_kodade")
        out[o] = [f"{m:.2f} ({lo:.2f}-{hi:.2f})" for m, lo, hi in zip(sub["mean"], sub["min"], sub["max"])]
    out["grupper"] = runs.groupby("n_kodade")["grupper"].min()
    return out.reset_index()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("path", nargs="?", help="katalog med de verkliga rapporterna (t.ex. ../shared/seeds)")
    ap.add_argument("--batch", type=int, default=20)
    ap.add_argument("--max-coded", type=int, default=200)
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--diversity", type=float, default=0.5)
    ap.add_argument("--no-sample", action="store_true", help="hoppa över exempelutdragen")
    ap.add_argument("--lofo", action="store_true",
                    help="bara slutpunkterna: tränad på alla övriga grupper (och tredjedelar inom rapporterna), mot "
                         "TF-IDF + logistisk regression och kodboken ensam")
    ap.add_argument("--within", action="store_true",
                    help="verklig text: lärkurvan inom rapporterna (pröva en tredjedel av varje avsnitt, koda ur resten)")
    ap.add_argument("--fit-time", type=int, default=0, metavar="N",
                    help="tid för CodeSuggester.fit på N olika texter av exempelutdragen")
    args = ap.parse_args(argv)
    if args.fit_time:
        fit_time(args.fit_time)
    seeds = list(range(args.seeds))
    sets = []
    if not args.no_sample:
        sets.append(("Exempelutdragen (codes_a, lämna-ett-förbund-utanför)", load_sample("excerpts"), "codes_a",
                     "forbund"))
    if args.path:
        p = Path(args.path)
        if not p.is_dir():
            print(f"Katalogen {p} finns inte; kör utan verklig text.", file=sys.stderr)
        else:
            sys.path.insert(0, str(Path(__file__).resolve().parent))
            try:
                from bench_coding_realtext import load
            except ImportError:
                print("benchmarks/bench_coding_realtext.py saknas; kan inte läsa den verkliga texten.", file=sys.stderr)
            else:
                real = load(p)
                real["teman"] = [sorted(t) for t in real["teman"]]
                real["tredjedel"] = thirds(real)
                if args.within and not args.lofo:
                    sets.append((f"Verklig text ({p}, stycken märkta efter rapporternas kapitel, inom rapporterna: "
                                 "en tredjedel av varje avsnitt prövas, resten är poolen)", real, "teman", "tredjedel"))
                else:
                    sets.append((f"Verklig text ({p}, stycken märkta efter rapporternas kapitel, "
                                 "lämna-en-rapport-utanför)", real, "teman", "rapport"))
    else:
        print("Ingen sökväg till verklig text angiven: bara exempelutdragen.", file=sys.stderr)
    for title, df, codes_col, group_col in sets:
        t0 = time.perf_counter()
        if args.lofo:
            end_points(f"{title}: lämna-en-grupp-utanför", df, codes_col, group_col, group_col)
            if "tredjedel" in df:
                end_points("Verklig text inom rapporterna: två tredjedelar av varje avsnitt tränar, den tredje prövas",
                           df, codes_col, "tredjedel", "tredjedel")
            continue
        runs = simulate(df, codes_col, group_col, batch=args.batch, max_coded=args.max_coded, seeds=seeds,
                        diversity=args.diversity)
        print(f"\n{title}: n = {len(df)}, {df[group_col].nunique()} grupper, seeds {seeds}, "
              f"batch {args.batch}, diversity {args.diversity} ({time.perf_counter() - t0:.0f} s)")
        print("Cohens kappa mot facit, poolat över utelämnade grupper: medel (min-max) över seeds")
        print(curve_table(runs).to_string(index=False))
        last = runs.groupby(["ordning", "seed"]).apply(lambda d: d.sort_values("n_kodade")["kappa"].mean(),
                                                       include_groups=False)
        print("Medel-kappa över hela kurvan (yta under kurvan / antal steg):",
              {o: round(float(last[o].mean()), 3) for o in ("aktiv", "slump", "baslinje")})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
