"""Benchmark: wall time of ``python -c "import finsam_eval"`` in fresh interpreters.

Interleaves, round by round, a bare interpreter (``python -c pass``, the floor), ``import pandas`` (the
reference the issue measured against) and ``import finsam_eval``; with ``--before PATH`` also the
package found at ``PATH`` (for example a ``git archive`` of an older commit, extracted), so the
before/after ratio is measured under the same load. Also prints which heavy dependencies the import
loads (it should load none of statsmodels, scikit-learn, matplotlib, python-docx, nltk). The interpreters
start in the temporary directory, so ``-c`` does not put the checkout ahead of ``PYTHONPATH``. Then, per
public entry point (``from finsam_eval import did`` and so on), the time of that import after the package
and the heavy modules it loads, so a pillar that drags in another one's dependencies shows.

Run: ``.venv/bin/python benchmarks/bench_import.py [--rounds 7] [--before /tmp/before]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

HEAVY = ("statsmodels", "sklearn", "matplotlib", "docx", "nltk", "scipy", "pandas", "numpy")
# Per public entry point: `from finsam_eval import <name>` with the pillar packages lazy too.
ENTRY_POINTS = ("did", "event_study", "staggered_did", "match", "likert_summary", "read_survey",
                "code_excerpts", "Report")
ENTRY_HEAVY = ("statsmodels", "sklearn", "scipy.stats", "matplotlib", "docx", "nltk", "simplemma")


def wall(code: str, pythonpath: str | None = None) -> float:
    env = dict(os.environ)
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, env=env, cwd=tempfile.gettempdir())
    return time.perf_counter() - t0


def loaded(pythonpath: str | None = None) -> list[str]:
    env = dict(os.environ)
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    code = f"import sys, finsam_eval; print(' '.join(m for m in {HEAVY!r} if m in sys.modules))"
    return subprocess.run([sys.executable, "-c", code], check=True, env=env, capture_output=True, text=True,
                          cwd=tempfile.gettempdir()).stdout.split()


def entry_point(name: str, pythonpath: str | None = None) -> tuple[float, list[str]]:
    """Time of ``from finsam_eval import name`` inside a fresh interpreter and the heavy modules it loads."""
    env = dict(os.environ)
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    code = ("import sys, time; import finsam_eval; t = time.perf_counter()\n"
            f"from finsam_eval import {name}\n"
            f"print(time.perf_counter() - t, *[m for m in {ENTRY_HEAVY!r} if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], check=True, env=env, capture_output=True, text=True,
                         cwd=tempfile.gettempdir()).stdout.split()
    return float(out[0]), out[1:]


def entry_points(rounds: int, before: str | None) -> None:
    paths = {"now": None} | ({"before": before} if before else {})
    times: dict[tuple[str, str], list[float]] = {}
    heavy: dict[tuple[str, str], list[str]] = {}
    for _ in range(rounds):  # interleaved: every entry point, before and after, in each round
        for name in ENTRY_POINTS:
            for label, path in paths.items():
                t, mods = entry_point(name, path)
                times.setdefault((name, label), []).append(t)
                heavy[name, label] = mods
    print(f"\n{'from finsam_eval import':<24}" + "".join(f"{label + ' min s':>14}" for label in paths)
          + (f"{'before/now':>12}" if before else "") + "   heavy modules loaded (now)")
    for name in ENTRY_POINTS:
        row = [min(times[name, label]) for label in paths]
        ratio = f"{row[1] / row[0]:>12.1f}" if before else ""
        print(f"{name:<24}" + "".join(f"{t:>14.3f}" for t in row) + ratio + "   "
              + (" ".join(heavy[name, "now"]) or "-"))
        if before:
            print(f"{'':<24}{'':>{14 * len(paths) + 12}}   before: {' '.join(heavy[name, 'before']) or '-'}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--before", default=None, help="directory holding an older finsam_eval package")
    args = ap.parse_args()
    cases = {"python -c pass (floor)": ("pass", None), "import pandas": ("import pandas", None),
             "import finsam_eval": ("import finsam_eval", None)}
    if args.before:
        cases["import finsam_eval (before)"] = ("import finsam_eval", args.before)
    times: dict[str, list[float]] = {k: [] for k in cases}
    for _ in range(args.rounds):
        for name, (code, path) in cases.items():
            times[name].append(wall(code, path))
    lib = min(times["import finsam_eval"])
    print(f"{'':<32}{'min s':>8}{'median s':>10}{'/ library':>11}")
    for name, ts in times.items():
        print(f"{name:<32}{min(ts):>8.3f}{statistics.median(ts):>10.3f}{min(ts) / lib:>11.2f}")
    print("loaded by import finsam_eval:", " ".join(loaded()) or "none of " + ", ".join(HEAVY))
    if args.before:
        print("loaded by the package before:", " ".join(loaded(args.before)))
    entry_points(max(1, args.rounds // 2), args.before)


if __name__ == "__main__":
    main()
