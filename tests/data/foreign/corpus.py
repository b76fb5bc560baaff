"""The foreign-file corpus: files written the way other tools and people write them.

Each area folder (``enkat``, ``tabeller``, ``register``, ``utdrag``) holds small
files and a manifest ``expected.toml`` with one ``[[fil]]`` table per file:
which public reader to call, with which arguments, and the expected outcome
(``utfall = "las"``: a correct read with ``behallna`` rows kept out of ``rader``,
every row-level exclusion recorded with its file line; ``utfall = "fel"``: a
:class:`~finsam_eval.errors.FinsamError` subclass named ``fel`` whose message
contains every string in ``meddelande``).

Run ``python tests/data/foreign/corpus.py`` for the counts (files, correct
reads, clear errors, failures); ``tests/test_foreign_corpus.py`` asserts them.
"""

from __future__ import annotations

import contextlib
import io
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


@dataclass
class Case:
    area: str
    spec: dict[str, Any]

    @property
    def name(self) -> str:
        return self.spec["namn"]

    @property
    def path(self) -> Path:
        return HERE / self.area / self.name

    @property
    def id(self) -> str:
        return f"{self.area}/{self.name}"


@dataclass
class Outcome:
    case: Case
    verdict: str  # "las", "fel", "FEL_UTFALL" (wrong outcome), "KRASCH" (non-project exception)
    problems: list[str] = field(default_factory=list)
    kontrollera_rc: int | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


def cases() -> list[Case]:
    out = []
    for manifest in sorted(HERE.glob("*/expected.toml")):
        with manifest.open("rb") as fh:
            for spec in tomllib.load(fh).get("fil", []):
                out.append(Case(manifest.parent.name, spec))
    return out


def _row_exclusions(result: Any) -> set[Any]:
    attrs = getattr(result, "attrs", {}) or {}
    ex = attrs.get("exclusions") if isinstance(attrs, dict) else None
    if ex is None:
        ex = getattr(result, "exclusions", None)
    rows: set[Any] = set()
    for item in getattr(ex, "items", []) or []:
        if item.action == "exkluderad" and item.column is None:
            rows.update(item.rows)
    return rows


def _leaks(text: str) -> bool:
    from finsam_eval.privacy import contains_personnummer

    return bool(contains_personnummer(text))


def run_case(case: Case, *, kontrollera: bool = True) -> Outcome:
    import finsam_eval
    from finsam_eval.errors import FinsamError

    spec = case.spec
    reader = getattr(finsam_eval, spec["lasare"])
    expected = spec["utfall"]
    problems: list[str] = []
    verdict = "las"
    try:
        result = reader(case.path, **spec.get("argument", {}))
    except FinsamError as exc:
        verdict = "fel"
        msg = str(exc)
        if expected != "fel":
            problems.append(f"väntade korrekt läsning, fick {type(exc).__name__}: {msg[:300]}")
        else:
            if spec.get("fel") and type(exc).__name__ != spec["fel"] and spec["fel"] not in {
                c.__name__ for c in type(exc).__mro__
            }:
                problems.append(f"väntade {spec['fel']}, fick {type(exc).__name__}: {msg[:300]}")
            for part in spec.get("meddelande", []):
                if part not in msg:
                    problems.append(f"meddelandet saknar {part!r}: {msg[:300]}")
        if _leaks(msg):
            problems.append("felmeddelandet innehåller ett personnummer")
    except Exception as exc:  # noqa: BLE001 - the point is to catch what escapes
        verdict = "KRASCH"
        problems.append(f"{type(exc).__name__} slapp ut: {str(exc)[:300]}")
    else:
        if expected != "las":
            verdict = "FEL_UTFALL"
            problems.append(f"väntade {spec.get('fel', 'ett fel')}, men filen lästes")
        else:
            n = len(result)
            if "behallna" in spec and n != spec["behallna"]:
                problems.append(f"{n} rader behölls, väntade {spec['behallna']}")
            if "rader" in spec:
                excluded = len(_row_exclusions(result))
                if n + excluded != spec["rader"]:
                    problems.append(f"behållna {n} + exkluderade {excluded} != {spec['rader']} rader i filen")
    rc = None
    if kontrollera and "kontrollera" in spec:
        from finsam_eval.cli import main

        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                rc = main(["kontrollera", str(case.path), *spec["kontrollera"]])
            except SystemExit as exc:
                rc = exc.code if isinstance(exc.code, int) else 2
            except Exception as exc:  # noqa: BLE001
                rc = -1
                problems.append(f"kontrollera: {type(exc).__name__} slapp ut: {str(exc)[:200]}")
        text = out.getvalue() + err.getvalue()
        if "Traceback" in text:
            problems.append("kontrollera skrev en traceback")
        if _leaks(text):
            problems.append("kontrollera skrev ut ett personnummer")
    return Outcome(case, verdict, problems, rc)


def main() -> int:
    outcomes = [run_case(c) for c in cases()]
    for o in outcomes:
        flag = "ok " if o.ok else "FEL"
        print(f"{flag} {o.verdict:10s} {o.case.id}" + ("" if o.ok else "  <- " + "; ".join(o.problems)))
    n = len(outcomes)
    reads = sum(o.verdict == "las" and o.ok for o in outcomes)
    errors = sum(o.verdict == "fel" and o.ok for o in outcomes)
    crashes = sum(o.verdict == "KRASCH" for o in outcomes)
    wrong = n - reads - errors - crashes
    print(f"\n{n} filer: {reads} korrekta läsningar, {errors} tydliga fel, {crashes} krascher, {wrong} fel utfall")
    return 0 if reads + errors == n else 1


if __name__ == "__main__":
    sys.exit(main())
