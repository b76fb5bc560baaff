"""Benchmark: Likert summary of 1 000 000 answers (50 000 respondents x 20 items, 80 förbund).

Compares :func:`finsam_eval.likert.likert_summary` (label normalisation,
counts of every level, boxes with Wilson CIs, mean/SD/t-CI, median/IQR per
item and förbund) with

1. the straightforward pandas approach: for every item
   ``groupby("forbund")[item].value_counts().unstack()`` plus percentages
   (counting only, no normalisation, no intervals);
2. plot-likert's counting, ``plot_likert.likert_counts`` called once per
   förbund (it has no grouping). plot-likert 0.5 calls ``DataFrame.applymap``,
   which pandas 3 removed, so it runs in a separate interpreter with pandas 2
   (``PLOT_LIKERT_PYTHON``, default ``/tmp/plvenv/bin/python``; create it with
   ``python3 -m venv /tmp/plvenv && /tmp/plvenv/bin/pip install "pandas<2.2" "numpy<2" plot-likert``).
   Skipped with a message when that interpreter is missing.

Run: ``MPLBACKEND=Agg .venv/bin/python benchmarks/bench_likert.py [--respondents 50000]``.
Ratios > 1 mean finsam_eval is faster.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from finsam_eval.likert import SCALES, likert_summary

LABELS = [*SCALES["stammer5"].levels, "Vet ej"]
N_ITEMS = 20
N_FORBUND = 80


def make_codes(n_resp: int, seed: int = 2025) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    forbund = rng.integers(0, N_FORBUND, n_resp)
    p = np.array([0.06, 0.12, 0.2, 0.3, 0.22, 0.06, 0.04])  # five levels, Vet ej, blank
    answers = rng.choice(len(p), size=(n_resp, N_ITEMS), p=p)
    return forbund, answers


def make_frame(forbund: np.ndarray, answers: np.ndarray) -> pd.DataFrame:
    lab = np.array([*LABELS, None], dtype=object)
    df = pd.DataFrame({f"s{j + 1:02d}": lab[answers[:, j]] for j in range(answers.shape[1])})
    df.insert(0, "forbund", np.array([f"Förbund {i + 1:02d}" for i in range(N_FORBUND)], dtype=object)[forbund])
    return df


def naive_pandas(df: pd.DataFrame, items: list[str]) -> pd.DataFrame:
    levels = list(SCALES["stammer5"].levels)
    parts = []
    for item in items:
        c = df.groupby("forbund")[item].value_counts().unstack(fill_value=0)
        c = c.reindex(columns=levels + ["Vet ej"], fill_value=0)
        n = c[levels].sum(axis=1)
        pct = c[levels].div(n, axis=0) * 100
        parts.append(pd.concat([c.add_prefix("n_"), pct.add_prefix("pct_")], axis=1).assign(item=item))
    return pd.concat(parts)


def best_of(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


_PLOT_LIKERT_CHILD = r"""
import json, sys, time
import numpy as np, pandas as pd, plot_likert
d = np.load(sys.argv[1]); labels = json.loads(sys.argv[2]); repeat = int(sys.argv[3])
lab = np.array(labels + [None], dtype=object)
answers, forbund = d["answers"], d["forbund"]
df = pd.DataFrame({f"s{j + 1:02d}": lab[answers[:, j]] for j in range(answers.shape[1])})
df.insert(0, "forbund", forbund)
items = [c for c in df.columns if c != "forbund"]
best = float("inf")
for _ in range(repeat):
    t0 = time.perf_counter()
    out = {g: plot_likert.likert_counts(part[items], labels) for g, part in df.groupby("forbund")}
    best = min(best, time.perf_counter() - t0)
total = int(sum(v.to_numpy().sum() for v in out.values()))
print(json.dumps({"seconds": best, "counted": total, "pandas": pd.__version__}))
"""


def plot_likert_time(forbund: np.ndarray, answers: np.ndarray, repeat: int) -> dict | str:
    py = os.environ.get("PLOT_LIKERT_PYTHON", "/tmp/plvenv/bin/python")
    if not Path(py).exists():
        return f"hoppar över plot-likert: {py} saknas (se modulens docstring)"
    with tempfile.TemporaryDirectory() as tmp:
        f = Path(tmp) / "data.npz"
        np.savez(f, answers=answers, forbund=forbund)
        proc = subprocess.run([py, "-c", _PLOT_LIKERT_CHILD, str(f), json.dumps(LABELS), str(repeat)],
                              capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        return "plot-likert misslyckades: " + proc.stderr.strip().splitlines()[-1]
    return json.loads(proc.stdout)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--respondents", type=int, default=50_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    forbund, answers = make_codes(args.respondents)
    df = make_frame(forbund, answers)
    items = [c for c in df.columns if c != "forbund"]
    n_answers = df[items].size
    print(f"{n_answers:,} svar ({args.respondents:,} svarande x {len(items)} frågor), {N_FORBUND} förbund")

    res = likert_summary(df, items, "stammer5", by="forbund")
    naive = naive_pandas(df, items)
    # Same counts both ways.
    t = res.table(suppress=False).set_index(["item", "forbund"]).sort_index()
    nv = naive.reset_index().set_index(["item", "forbund"]).sort_index()
    assert (t["n_Stämmer helt"].to_numpy() == nv["n_Stämmer helt"].to_numpy()).all()

    t_fe = best_of(lambda: likert_summary(df, items, "stammer5", by="forbund"), args.repeat)
    t_pd = best_of(lambda: naive_pandas(df, items), args.repeat)
    print(f"finsam_eval.likert_summary (allt, med KI):   {t_fe:8.3f} s")
    print(f"pandas groupby + value_counts per fråga:     {t_pd:8.3f} s   kvot {t_pd / t_fe:6.1f}")
    pl = plot_likert_time(forbund, answers, max(1, args.repeat - 1))
    if isinstance(pl, dict):
        print(f"plot-likert likert_counts per förbund:       {pl['seconds']:8.3f} s   kvot "
              f"{pl['seconds'] / t_fe:6.1f}   (pandas {pl['pandas']}, egen process)")
    else:
        print(pl)


if __name__ == "__main__":
    main(sys.argv[1:])
