"""Coding throughput: ``code_excerpts`` against its floor and the best peer, in one run.

Generates excerpts by recombining sentences of the bundled sample excerpts
(or of a small built-in list when the sample is missing) and, for each size
(default 10 000 and 100 000 excerpts), times in interleaved rounds:

* **floor** - tokenising each text once with the library's own scanner
  (:func:`finsam_eval.coding.text.tokenize`); no matcher can do less;
* **library** - ``code_excerpts(df, Codebook.default())`` as a user calls it
  (the codebook is compiled inside the call);
* **peer** - what one would write without the library: every include term
  of the codebook searched at word starts, with ``pyahocorasick`` when it is
  installed and with one ``re`` alternation of all terms otherwise (both
  when available; the faster is the best peer). The peers see only the
  direct terms: no inflection, compounds, phrases, negation or scores.

Each round runs the three back to back, so machine load moves them
together; min and median over the rounds are printed with the ratios
(library / floor, library / peer). Memory: each size is coded once more in
a fresh process that reports the peak of its traced allocations and its
resident-set growth with the result and after the result is freed (tracemalloc, ``/proc``), per excerpt.

Run::

    python benchmarks/bench_coding.py [--sizes 10000 100000] [--rounds 3] [--seed 1] [--no-memory]
    python benchmarks/bench_coding.py --n 100000 --naive-n 3000   # also the old one-regex-per-term loop
"""

from __future__ import annotations

import argparse
import gc
import re
import statistics
import subprocess
import sys
import time

import numpy as np
import pandas as pd

from finsam_eval.coding import Codebook, code_excerpts
from finsam_eval.coding.text import tokenize

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
#: The ``re`` peer is slow (a 570-way alternation): it codes at most this many excerpts per round and
#: its time is scaled to the full size (printed as such).
_RE_PEER_MAX = 2000
_LETTERS = set("0123456789abcdefghijklmnopqrstuvwxyzåäöéèüæøáà")


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


# -- floor and peers ------------------------------------------------------------------------------
def floor(texts: list[str]) -> int:
    """Tokenise every text once with the library's scanner."""
    n = 0
    for t in texts:
        n += len(tokenize(t))
    return n


def _term_codes(codebook: Codebook) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for c in codebook:
        for t in c.include:
            out.setdefault(t.rstrip("*").lower(), set()).add(c.id)
    return out


def regex_peer(codebook: Codebook):
    """One ``re`` alternation of all include terms (longest first) at word starts -> (excerpt, code) pairs."""
    terms = _term_codes(codebook)
    rx = re.compile(r"\b(?:" + "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)) + ")",
                    re.IGNORECASE)

    def run(texts: list[str]) -> int:
        n = 0
        for t in texts[:_RE_PEER_MAX]:
            found = set()
            for m in rx.finditer(t):
                found |= terms.get(m.group(0).lower(), set())
            n += len(found)
        return n

    return run


def aho_peer(codebook: Codebook):
    """``pyahocorasick`` over the lower-cased text, hits kept at word starts -> (excerpt, code) pairs."""
    import ahocorasick

    terms = _term_codes(codebook)
    auto = ahocorasick.Automaton()
    for t, codes in terms.items():
        auto.add_word(t, (len(t), frozenset(codes)))
    auto.make_automaton()

    def run(texts: list[str]) -> int:
        n = 0
        for t in texts:
            low = t.lower()
            found: set[str] = set()
            for end, (k, codes) in auto.iter(low):
                s = end - k + 1
                if s == 0 or low[s - 1] not in _LETTERS:
                    found |= codes
            n += len(found)
        return n

    return run


def naive(df: pd.DataFrame, codebook: Codebook) -> set[tuple[int, str]]:
    """One compiled regex per term (word start, any ending), searched in every excerpt."""
    pats = [(c.id, re.compile(r"\b" + re.escape(t.rstrip("*")), re.IGNORECASE)) for c in codebook for t in c.include]
    hits = set()
    for eid, text in zip(df["excerpt_id"], df["text"]):
        for code, p in pats:
            if p.search(text):
                hits.add((eid, code))
    return hits


# -- memory ---------------------------------------------------------------------------------------
def _rss_mb() -> float:
    try:
        with open("/proc/self/statm") as fh:
            import os

            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:  # not Linux
        return float("nan")


def memory(n: int, seed: int) -> None:
    """Run in a fresh process: traced peak of Python allocations in the call, resident growth after it."""
    import tracemalloc

    df = generate(n, seed)
    code_excerpts(df.iloc[:200], Codebook.default())  # load simplemma, nltk, pandas paths
    gc.collect()
    base = _rss_mb()
    tracemalloc.start()
    res = code_excerpts(df, Codebook.default())
    _cur, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    held = _rss_mb() - base
    rows = len(res.long)
    del res
    gc.collect()
    after = _rss_mb() - base
    print(f"  minne {n} utdrag: topp {peak / 2**20:.0f} MB ({peak / n / 1000:.2f} kB/utdrag, tracemalloc), "
          f"RSS med resultatet +{held:.0f} MB ({rows} rader), kvar efter del +{after:.0f} MB")


# -- main -----------------------------------------------------------------------------------------
def _fmt(xs: list[float]) -> str:
    return f"min {min(xs):.2f} s, median {statistics.median(xs):.2f} s"


def bench(n: int, rounds: int, seed: int) -> None:
    cb = Codebook.default()
    df = generate(n, seed)
    texts = df["text"].tolist()
    words = sum(len(t.split()) for t in texts)
    peers = {"re-alternation": regex_peer(cb)}
    try:
        peers["pyahocorasick"] = aho_peer(cb)
    except ImportError:
        pass
    code_excerpts(df.iloc[:500], cb)  # warm: simplemma's dictionary, nltk, pandas
    times: dict[str, list[float]] = {"golv (tokenize)": [], "code_excerpts": [], **{p: [] for p in peers}}
    n_long = 0
    for _ in range(rounds):
        gc.collect()
        t0 = time.perf_counter()
        floor(texts)
        times["golv (tokenize)"].append(time.perf_counter() - t0)
        gc.collect()
        t0 = time.perf_counter()
        res = code_excerpts(df, cb)
        times["code_excerpts"].append(time.perf_counter() - t0)
        n_long = len(res.long)
        del res
        for name, run in peers.items():
            gc.collect()
            t0 = time.perf_counter()
            run(texts)
            scale = n / min(n, _RE_PEER_MAX) if name == "re-alternation" else 1.0
            times[name].append((time.perf_counter() - t0) * scale)
    print(f"{n} utdrag, {words} ord, {len(cb)} koder, {n_long} kodningar, {rounds} omgångar (Python {sys.version.split()[0]})")
    for name, xs in times.items():
        note = f" (uppskattat från {_RE_PEER_MAX} utdrag)" if name == "re-alternation" and n > _RE_PEER_MAX else ""
        print(f"  {name:18s} {_fmt(xs)}{note}")
    lib, fl = times["code_excerpts"], times["golv (tokenize)"]
    per_round = [a / b for a, b in zip(lib, fl)]
    print(f"  code_excerpts / golv: {min(lib) / min(fl):.2f} (min/min), median per omgång {statistics.median(per_round):.2f}")
    best = min(peers, key=lambda p: min(times[p]))
    pr = [a / b for a, b in zip(lib, times[best])]
    print(f"  code_excerpts / bästa peer ({best}): {min(lib) / min(times[best]):.2f} (min/min), "
          f"median per omgång {statistics.median(pr):.2f}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--n", type=int, default=None, help="one size (instead of --sizes)")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--naive-n", type=int, default=0, help="also time the naive one-regex-per-term loop")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--no-memory", action="store_true")
    ap.add_argument("--memory-only", type=int, default=None, help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.memory_only is not None:
        memory(a.memory_only, a.seed)
        return 0
    sizes = [a.n] if a.n else a.sizes
    for n in sizes:
        bench(n, a.rounds, a.seed)
        if not a.no_memory:
            subprocess.run([sys.executable, __file__, "--memory-only", str(n), "--seed", str(a.seed)], check=False)
    if a.naive_n:
        cb = Codebook.default()
        sub = generate(a.naive_n, a.seed)
        t0 = time.perf_counter()
        hits = naive(sub, cb)
        t_naive = time.perf_counter() - t0
        print(f"naiv regex per term: {t_naive:.1f} s för {len(sub)} utdrag = {len(sub) / t_naive:,.0f} utdrag/s, "
              f"{len(hits)} träffar")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
