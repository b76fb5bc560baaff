"""Benchmark: wall time of ``python -c "import finsam_eval"`` in fresh interpreters.

Interleaves, round by round, a bare interpreter (``python -c pass``, the floor), ``import pandas`` (the
reference the issue measured against) and ``import finsam_eval``; with ``--before PATH`` also the
package found at ``PATH`` (for example a ``git archive`` of an older commit, extracted), so the
before/after ratio is measured under the same load. Also prints which heavy dependencies the import
loads (it should load none of statsmodels, scikit-learn, matplotlib, python-docx, nltk). The interpreters
start in the temporary directory, so ``-c`` does not put the checkout ahead of ``PYTHONPATH``.

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


if __name__ == "__main__":
    main()
