"""Coding throughput: ``code_excerpts`` against a naive one-regex-per-term loop.

Generates ``--n`` excerpts by recombining sentences of the bundled sample
excerpts (or of a small built-in list when the sample is missing), codes
them with the built-in codebook and compares with what a user would write by
hand: one compiled, case-insensitive regular expression per term of the
codebook, searched in every excerpt. The naive loop is timed on ``--naive-n``
excerpts (it is slow) and both are reported as excerpts per second, so the
ratio does not depend on the subset size.

Run::

    python benchmarks/bench_coding.py [--n 100000] [--naive-n 10000] [--seed 1]
"""

from __future__ import annotations

import argparse
import re
import sys
import time

import numpy as np
import pandas as pd

from finsam_eval.coding import Codebook, code_excerpts

_FALLBACK = [
    "Samverkan mellan myndigheterna har blivit bättre.",
    "Det finns ingen samsyn om målgruppen.",
    "Insatsen är inte riktigt förankrad i linjen.",
    "Ingen vill ta över när projektet tar slut.",
    "Vi saknar resurser och tid.",
    "Sekretessen är ett hinder.",
    "Styrelsen fattar beslut utan underlag.",
    "Hälften gick vidare till arbete eller studier.",
    "Vi har lärt oss mycket av varandra.",
    "Det är ett öppet klimat och stort förtroende.",
]


def sentences() -> list[str]:
    try:
        from finsam_eval.samples import load_sample

        texts = load_sample("excerpts")["text"].dropna().tolist()
    except Exception:  # the sample is optional for the benchmark
        texts = _FALLBACK
    out = []
    for t in texts:
        out += [s.strip() for s in re.split(r"(?<=[.!?])\s+", t) if len(s.strip()) > 3]
    return out


def generate(n: int, seed: int = 1) -> pd.DataFrame:
    """``n`` excerpts of 1-4 recombined sentences, with respondent and förbund columns."""
    rng = np.random.default_rng(seed)
    pool = np.array(sentences(), dtype=object)
    k = rng.integers(1, 5, size=n)
    idx = rng.integers(0, len(pool), size=k.sum())
    parts = np.split(pool[idx], np.cumsum(k)[:-1])
    forbund = np.array(["Botkyrka", "Huddinge", "Södertälje", "Östra Södertörn", "Uppsala"])
    return pd.DataFrame({
        "excerpt_id": np.arange(n),
        "respondent_id": [f"R{i:05d}" for i in rng.integers(0, max(n // 5, 1), size=n)],
        "forbund": forbund[rng.integers(0, 5, size=n)],
        "text": [" ".join(p) for p in parts],
    })


def naive(df: pd.DataFrame, codebook: Codebook) -> set[tuple[int, str]]:
    """One compiled regex per term (word start, any ending), searched in every excerpt."""
    pats = [(c.id, re.compile(r"\b" + re.escape(t.rstrip("*")), re.IGNORECASE)) for c in codebook for t in c.include]
    hits = set()
    for eid, text in zip(df["excerpt_id"], df["text"]):
        for code, p in pats:
            if p.search(text):
                hits.add((eid, code))
    return hits


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--naive-n", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args(argv)

    cb = Codebook.default()
    n_terms = sum(len(c.include) for c in cb)
    df = generate(a.n, a.seed)
    words = int(df["text"].str.split().str.len().sum())
    print(f"{a.n} utdrag, {words} ord, {len(cb)} koder med {n_terms} termer (Python {sys.version.split()[0]})")

    t0 = time.perf_counter()
    res = code_excerpts(df, cb)
    t_fast = time.perf_counter() - t0
    rate_fast = a.n / t_fast
    print(f"code_excerpts: {t_fast:.1f} s för {a.n} utdrag = {rate_fast:,.0f} utdrag/s, {len(res.long)} kodningar")

    sub = df.iloc[: min(a.naive_n, a.n)]
    t0 = time.perf_counter()
    hits = naive(sub, cb)
    t_naive = time.perf_counter() - t0
    rate_naive = len(sub) / t_naive
    print(f"naiv regex per term: {t_naive:.1f} s för {len(sub)} utdrag = {rate_naive:,.0f} utdrag/s, {len(hits)} träffar "
          f"(uppskattat {a.n / rate_naive:.0f} s för {a.n})")
    print(f"kvot: code_excerpts är {rate_fast / rate_naive:.1f} gånger snabbare än den naiva loopen")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
