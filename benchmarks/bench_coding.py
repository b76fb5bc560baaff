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
(library / floor, library / peer), from wall time and from process CPU time
(which load from other processes on a shared machine moves much less).
``--before DIR`` also times an older copy of the library (the package
``finsam_eval_before`` in ``DIR``) in the same rounds, on the same codebook
file, and checks that both give the same long table on 3 000 excerpts::

    mkdir -p /tmp/before_pkg && git archive <commit> finsam_eval | tar -x -C /tmp/before_pkg \
        && mv /tmp/before_pkg/finsam_eval /tmp/before_pkg/finsam_eval_before

Memory: each size (or ``--memory-sizes``) is coded again in a fresh process
that reports the growth of its resident set over the call (peak), with the
result, after ``del result; gc.collect()`` and after a second call, the
traced peak of Python allocations (tracemalloc) and the entries of the
module caches; ``--new-words K`` adds K invented words to every excerpt so
the vocabulary grows with the size and the token caches fill up.

Run::

    python benchmarks/bench_coding.py [--sizes 10000 100000] [--rounds 3] [--seed 1] [--no-memory]
    python benchmarks/bench_coding.py --n 100000 --naive-n 3000   # also the old one-regex-per-term loop
    python benchmarks/bench_coding.py --n 100000 --rounds 5 --before /tmp/before_pkg --no-memory
    python benchmarks/bench_coding.py --rounds 0 --memory-sizes 10000 100000 300000 [--new-words 3]
"""

from __future__ import annotations

import argparse
import gc
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

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


_SYLLABLES = ["sam", "ver", "kan", "för", "ank", "ring", "myn", "dig", "het", "ar", "be", "te", "stöd", "lots",
              "in", "sats", "mål", "grupp", "re", "hab", "lit", "er", "ing", "ste", "pen", "ning", "kom", "mun"]


def generate(n: int, seed: int = 1, new_words: int = 0) -> pd.DataFrame:
    """``n`` excerpts of 1-4 recombined sentences, with respondent and förbund columns.

    ``new_words``: each excerpt also gets a sentence with this many invented words (random syllables,
    mostly unseen before), so the vocabulary grows with ``n`` as in real transcripts and every cache
    keyed on tokens fills up (the recombined sentences alone have about 1 200 distinct words).
    """
    rng = np.random.default_rng(seed)
    pool = np.array(sentences(), dtype=object)
    k = rng.integers(1, 5, size=n)
    idx = rng.integers(0, len(pool), size=k.sum())
    parts = np.split(pool[idx], np.cumsum(k)[:-1])
    forbund = np.array(["Botkyrka", "Huddinge", "Södertälje", "Östra Södertörn", "Uppsala"])
    texts = [" ".join(p) for p in parts]
    if new_words:
        syl = np.array(_SYLLABLES, dtype=object)
        picks = syl[rng.integers(0, len(syl), size=(n, new_words, 4))]
        texts = [t + " Vi pratade om " + " ".join("".join(w) for w in ws) + "." for t, ws in zip(texts, picks)]
    return pd.DataFrame({
        "excerpt_id": np.arange(n),
        "respondent_id": [f"R{i:05d}" for i in rng.integers(0, max(n // 5, 1), size=n)],
        "forbund": forbund[rng.integers(0, 5, size=n)],
        "text": texts,
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
def _status_mb(field: str) -> float:
    """A field of ``/proc/self/status`` (``VmRSS``, ``VmHWM``) in MB; NaN off Linux."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:  # not Linux
        pass
    return float("nan")


def _reset_peak() -> None:
    """Reset the peak resident set (``VmHWM``) of this process (Linux >= 4.0); silently a no-op elsewhere."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
    except OSError:
        pass


def _cache_sizes() -> str:
    from finsam_eval.coding import lexicon, text

    sizes = {"stem": text.stem, "term_keys": text.term_keys, "lemma": lexicon.lemma,
             "protected_spans": lexicon.protected_spans}
    return ", ".join(f"{k} {f.cache_info().currsize}" for k, f in sizes.items())


def memory(n: int, seed: int, new_words: int = 0) -> None:
    """Run in a fresh process: peak and resident memory of one call, what stays after the result is freed.

    * RSS: growth of the resident set over the call (peak, ``VmHWM`` reset before it), with the result
      held, after ``del result; gc.collect()``, and after a second call and ``del`` (no growth from
      call to call = nothing accumulates);
    * the traced peak of Python allocations in a third call (``tracemalloc``; separate, as tracing
      itself takes resident memory);
    * the entries of the module caches of stems, lemmas and protected words (each a bounded LRU).
    """
    import tracemalloc

    df = generate(n, seed, new_words)
    cb = Codebook.default()
    code_excerpts(df.iloc[:200], cb)  # load simplemma, nltk, pandas paths
    gc.collect()
    base = _status_mb("VmRSS")
    _reset_peak()
    res = code_excerpts(df, cb)
    peak_rss = _status_mb("VmHWM") - base
    held = _status_mb("VmRSS") - base
    rows = len(res.long)
    del res
    gc.collect()
    after = _status_mb("VmRSS") - base
    res = code_excerpts(df, cb)
    del res
    gc.collect()
    after2 = _status_mb("VmRSS") - base
    caches = _cache_sizes()
    tracemalloc.start()
    res = code_excerpts(df, cb)
    _cur, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del res
    words = f", {new_words} nya ord per utdrag" if new_words else ""
    print(f"  minne {n} utdrag{words}: traced topp {peak / 2**20:.0f} MB ({peak / n / 1000:.2f} kB/utdrag); RSS topp "
          f"+{peak_rss:.0f} MB ({peak_rss * 2**20 / n / 1000:.2f} kB/utdrag), med resultatet +{held:.0f} MB "
          f"({rows} rader), kvar efter del +{after:.0f} MB, efter ett anrop till +{after2:.0f} MB; "
          f"modulcacher: {caches}")


# -- main -----------------------------------------------------------------------------------------
def _fmt(xs: list[float]) -> str:
    return f"min {min(xs):.2f} s, median {statistics.median(xs):.2f} s"


def _before(path: str | None):  # noqa: ANN202 - (code_excerpts, Codebook) of the older copy, or None
    """``code_excerpts`` and ``Codebook`` of an older copy of the library, importable as ``finsam_eval_before``."""
    if not path:
        return None
    sys.path.insert(0, path)
    from finsam_eval_before.coding import Codebook as OldCodebook
    from finsam_eval_before.coding import code_excerpts as old_code

    return old_code, OldCodebook


def _same(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    """Same long tables: columns, dtypes and every value (lists and floats compared exactly)."""
    return list(a.columns) == list(b.columns) and list(map(str, a.dtypes)) == list(map(str, b.dtypes)) and all(
        a[c].tolist() == b[c].tolist() for c in a.columns)


def bench(n: int, rounds: int, seed: int, before: str | None = None, new_words: int = 0) -> None:
    cb = Codebook.default()
    df = generate(n, seed, new_words)
    texts = df["text"].tolist()
    words = sum(len(t.split()) for t in texts)
    peers = {"re-alternation": regex_peer(cb)}
    try:
        peers["pyahocorasick"] = aho_peer(cb)
    except ImportError:
        pass
    old = _before(before)
    if old is not None:
        # the same codebook file for both, so only the matcher differs
        old_code, old_cb = old[0], old[1].from_yaml(Path(sys.modules[Codebook.__module__].__file__).parent
                                                     / "codebooks" / "default.yaml")
        same = _same(old_code(df.iloc[:3000], old_cb).long, code_excerpts(df.iloc[:3000], cb).long)
    code_excerpts(df.iloc[:500], cb)  # warm: simplemma's dictionary, nltk, pandas
    times: dict[str, list[float]] = {"golv (tokenize)": [], "code_excerpts": [], **{p: [] for p in peers}}
    if old is not None:
        times["före (--before)"] = []
    cpu: dict[str, list[float]] = {k: [] for k in times}  # process CPU time: what load on a shared machine moves least
    n_long = 0
    for _ in range(rounds):
        gc.collect()
        t0, c0 = time.perf_counter(), time.process_time()
        floor(texts)
        times["golv (tokenize)"].append(time.perf_counter() - t0)
        cpu["golv (tokenize)"].append(time.process_time() - c0)
        gc.collect()
        t0, c0 = time.perf_counter(), time.process_time()
        res = code_excerpts(df, cb)
        times["code_excerpts"].append(time.perf_counter() - t0)
        cpu["code_excerpts"].append(time.process_time() - c0)
        n_long = len(res.long)
        del res
        if old is not None:
            gc.collect()
            t0, c0 = time.perf_counter(), time.process_time()
            res = old_code(df, old_cb)
            times["före (--before)"].append(time.perf_counter() - t0)
            cpu["före (--before)"].append(time.process_time() - c0)
            del res
        for name, run in peers.items():
            gc.collect()
            t0 = time.perf_counter()
            run(texts)
            scale = n / min(n, _RE_PEER_MAX) if name == "re-alternation" else 1.0
            times[name].append((time.perf_counter() - t0) * scale)
    extra = f", {new_words} nya ord per utdrag" if new_words else ""
    print(f"{n} utdrag, {words} ord{extra}, {len(cb)} koder, {n_long} kodningar, {rounds} omgångar "
          f"(Python {sys.version.split()[0]})")
    for name, xs in times.items():
        note = f" (uppskattat från {_RE_PEER_MAX} utdrag)" if name == "re-alternation" and n > _RE_PEER_MAX else ""
        print(f"  {name:18s} {_fmt(xs)}{note}")
    fl, fl_cpu = times["golv (tokenize)"], cpu["golv (tokenize)"]
    for name in ["code_excerpts"] + (["före (--before)"] if old is not None else []):
        lib = times[name]
        per_round = [x / f for x, f in zip(lib, fl)]
        per_cpu = [x / f for x, f in zip(cpu[name], fl_cpu)]
        print(f"  {name} / golv: {min(lib) / min(fl):.2f} (min/min), per omgång min {min(per_round):.2f}, "
              f"median {statistics.median(per_round):.2f}; CPU-tid per omgång min {min(per_cpu):.2f}, "
              f"median {statistics.median(per_cpu):.2f}")
    lib = times["code_excerpts"]
    if old is not None:
        pr = [o / x for o, x in zip(times["före (--before)"], lib)]
        print(f"  före / code_excerpts: {min(times['före (--before)']) / min(lib):.2f} (min/min), median per omgång "
              f"{statistics.median(pr):.2f}; samma resultat på 3 000 utdrag: {'ja' if same else 'NEJ'}")
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
    ap.add_argument("--memory-sizes", type=int, nargs="+", default=None,
                    help="sizes for the memory runs (default: --sizes)")
    ap.add_argument("--new-words", type=int, default=0,
                    help="invented words per excerpt, so the vocabulary grows with n (fills the token caches)")
    ap.add_argument("--before", default=None,
                    help="directory with an older copy of the library as package finsam_eval_before (timed in "
                         "the same rounds)")
    a = ap.parse_args(argv)
    if a.memory_only is not None:
        memory(a.memory_only, a.seed, a.new_words)
        return 0
    sizes = [a.n] if a.n else a.sizes
    for n in sizes:
        if a.rounds > 0:
            bench(n, a.rounds, a.seed, a.before, a.new_words)
        if not a.no_memory and a.memory_sizes is None:
            subprocess.run([sys.executable, __file__, "--memory-only", str(n), "--seed", str(a.seed),
                            "--new-words", str(a.new_words)], check=False)
    for n in a.memory_sizes or []:
        subprocess.run([sys.executable, __file__, "--memory-only", str(n), "--seed", str(a.seed),
                        "--new-words", str(a.new_words)], check=False)
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
