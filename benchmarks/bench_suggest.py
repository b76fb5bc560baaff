"""Code suggestions and reliability on the sample excerpts: the numbers for the README, and timings.

1. Leave-one-förbund-out evaluation of :class:`CodeSuggester` against the plain
   TF-IDF + logistic regression baseline (and the codebook alone), Cohen's
   kappa pooled over (excerpt, code) and macro-F1, against ``codes_a``.
2. Inter-coder reliability of the two sample coders (``codes_a`` vs ``codes_b``).
3. Timings: fitting on all sample excerpts, suggesting for ``--n`` generated
   excerpts (sentences of the sample recombined), and the reliability
   bootstrap (1 000 replicates) on ``--units`` simulated excerpts x 13 codes.

Run::

    MPLBACKEND=Agg .venv/bin/python benchmarks/bench_suggest.py [--n 5000] [--units 5000]
"""

from __future__ import annotations

import argparse
import re
import time
import warnings

import numpy as np
import pandas as pd

from finsam_eval.coding.reliability import intercoder_reliability
from finsam_eval.coding.suggest import CodeSuggester, evaluate_suggester
from finsam_eval.samples import load_sample


def generated(ex: pd.DataFrame, n: int, seed: int) -> list[str]:
    sentences = [s for t in ex["text"] for s in re.split(r"(?<=[.!?])\s+", t) if s]
    rng = np.random.default_rng(seed)
    return [" ".join(rng.choice(sentences, size=rng.integers(1, 4))) for _ in range(n)]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=5000)
    ap.add_argument("--units", type=int, default=5000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    warnings.simplefilter("ignore")
    ex = load_sample("excerpts")

    t0 = time.perf_counter()
    ev = evaluate_suggester(ex, codes_col="codes_a", groups="forbund", random_state=0)
    t_eval = time.perf_counter() - t0
    print(ev.summary())
    print(f"\nutvärdering (5 förbund, två modeller + kodbok): {t_eval:.1f} s\n")

    rel = intercoder_reliability(ex, coders=["codes_a", "codes_b"], n_boot=1000, random_state=0)
    print(rel.summary())

    t0 = time.perf_counter()
    sug = CodeSuggester(random_state=0).fit(ex, ex["codes_a"])
    t_fit = time.perf_counter() - t0
    texts = generated(ex, args.n, args.seed)
    t0 = time.perf_counter()
    table = sug.suggest(texts, top_k=3)
    t_sug = time.perf_counter() - t0
    print(f"\nfit på {len(ex)} utdrag: {t_fit:.1f} s; suggest(top_k=3) för {args.n} utdrag: {t_sug:.1f} s "
          f"({args.n / t_sug:.0f} utdrag/s, {len(table)} rader)")

    rng = np.random.default_rng(args.seed)
    codes = [f"k{i}" for i in range(13)]
    truth = rng.random((args.units, 13)) < 0.2
    flip = lambda: truth ^ (rng.random(truth.shape) < 0.05)  # noqa: E731
    a, b = flip(), flip()
    df = pd.DataFrame({
        "excerpt_id": range(args.units),
        "codes_a": [[c for c, v in zip(codes, r) if v] for r in a],
        "codes_b": [[c for c, v in zip(codes, r) if v] for r in b],
    })
    t0 = time.perf_counter()
    intercoder_reliability(df, n_boot=1000)
    print(f"intercoder_reliability: {args.units} utdrag x 13 koder, 1 000 bootstrapdragningar: "
          f"{time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()
