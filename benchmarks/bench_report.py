"""Benchmark: the demo slutrapport (``finsam-eval rapport --demo``), wall and CPU time, per phase.

Each round runs the CLI in a fresh interpreter and measures its wall time and its CPU time (user + system,
the figure-rendering worker processes included: they are waited for, so ``RUSAGE_CHILDREN`` counts them).
With ``--before PATH`` the package found at ``PATH`` (a ``git archive`` of an older commit, extracted) runs
in the same rounds, interleaved, so both are measured under the same load. ``--phases`` then runs the
demo once in this process and splits the time into import, analyses (per analysis), waiting for the
figures and each writer.

Run: ``.venv/bin/python benchmarks/bench_report.py [--rounds 3] [--before /tmp/before] [--phases]``.

Make a "before" tree with, for example::

    mkdir /tmp/before && git archive b664edf finsam_eval | tar -x -C /tmp/before
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

CODE = ("import sys; from finsam_eval.cli import main; "
        "sys.exit(main(['rapport', '--demo', '--out', sys.argv[1], '--tyst']))")


def run_cli(pythonpath: str | None) -> tuple[float, float]:
    """(wall, cpu) seconds of one demo report in a fresh interpreter."""
    env = dict(os.environ)
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    out = tempfile.mkdtemp(prefix="bench_report_")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", CODE, out], check=True, env=env, cwd=tempfile.gettempdir(),
                   stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def phases() -> None:
    """One demo report in this process, timed phase by phase (wall, CPU of this process, CPU of workers)."""

    def clock() -> tuple[float, float, float]:
        ch = resource.getrusage(resource.RUSAGE_CHILDREN)
        return time.perf_counter(), time.process_time(), ch.ru_utime + ch.ru_stime

    def show(name: str, start: tuple[float, float, float]) -> None:
        now = clock()
        print(f"  {name:34s} wall {now[0] - start[0]:6.2f}  cpu {now[1] - start[1]:6.2f}  "
              f"workers {now[2] - start[2]:6.2f}")

    t = clock()
    from pathlib import Path

    from finsam_eval._config import option_context
    from finsam_eval.report import build as B
    from finsam_eval.report.spec import demo_config_path, load_config
    show("import", t)

    times: list[tuple[str, float, float]] = []
    run = B._Block.run

    def timed(self, analysis: str) -> None:  # noqa: ANN001 - the builder's block
        w, c = time.perf_counter(), time.process_time()
        run(self, analysis)
        times.append((f"{self.name}.{analysis}", time.perf_counter() - w, time.process_time() - c))

    B._Block.run = timed
    try:
        t = clock()
        cfg = load_config(demo_config_path())
        rep = B.build_report(cfg, Path(demo_config_path()).resolve().parent, progress=False, demo=True)
        show("analyses (all)", t)
    finally:
        B._Block.run = run
    for name, w, c in times:
        print(f"    {name:32s} wall {w:6.2f}  cpu {c:6.2f}")
    out = Path(tempfile.mkdtemp(prefix="bench_report_"))
    with option_context(min_count=rep.min_count or 5):
        t = clock()
        rep.render_figures()
        show("figures (wait for workers)", t)
        for name, write in (("docx", lambda: rep.to_docx(out / "rapport.docx")),
                            ("html", lambda: rep.to_html(out / "rapport.html")),
                            ("md + csv", lambda: rep.to_markdown(out))):
            t = clock()
            write()
            show(name, t)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--before", default=None, help="folder holding an older finsam_eval package")
    ap.add_argument("--phases", action="store_true", help="also time the phases in this process")
    args = ap.parse_args()
    print(f"cores: {os.cpu_count()}, load average before: {os.getloadavg()[0]:.1f}")
    variants = [("now", None)] + ([("before", args.before)] if args.before else [])
    res: dict[str, list[tuple[float, float]]] = {name: [] for name, _ in variants}
    for _ in range(args.rounds):
        for name, path in variants:
            res[name].append(run_cli(path))
    for name, rows in res.items():
        walls, cpus = [r[0] for r in rows], [r[1] for r in rows]
        print(f"{name:7s} wall median {statistics.median(walls):6.2f} s (min {min(walls):6.2f})   "
              f"cpu median {statistics.median(cpus):6.2f} s (min {min(cpus):6.2f})   rounds {len(rows)}")
    print(f"load average after: {os.getloadavg()[0]:.1f}")
    if args.phases:
        print("phases (this process):")
        phases()


if __name__ == "__main__":
    main()
