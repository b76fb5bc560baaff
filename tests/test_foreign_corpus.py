"""Every file of the foreign corpus ends as a correct read or a clear project error.

The corpus (tests/data/foreign/) is written the way other survey tools,
spreadsheet programs, QDA tools and register extracts write files; the
manifests say what each must give. ``python tests/data/foreign/corpus.py``
prints the same verdicts with counts.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "data" / "foreign"))
import corpus  # noqa: E402

CASES = corpus.cases()


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_foreign_file(case: corpus.Case) -> None:
    outcome = corpus.run_case(case)
    assert outcome.ok, "; ".join(outcome.problems)


def test_corpus_is_large_and_varied() -> None:
    areas = {c.area for c in CASES}
    assert len(CASES) >= 40, f"only {len(CASES)} foreign files"
    assert {"enkat", "tabeller", "register", "utdrag"} <= areas
    # Both outcomes are represented: files that must be read and files that must be refused.
    assert sum(c.spec["utfall"] == "las" for c in CASES) >= 15
    assert sum(c.spec["utfall"] == "fel" for c in CASES) >= 10
    for c in CASES:
        assert c.path.exists(), f"{c.id} is in a manifest but not on disk"
