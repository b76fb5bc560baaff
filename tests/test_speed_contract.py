"""Issue 13: a light package import, progress bars that can be switched off, same numbers.

No timed assertions here: speed is measured in ``benchmarks/`` as ratios against peers and the floor.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys

import numpy as np
import pytest

import finsam_eval
from finsam_eval import _progress
from finsam_eval.errors import ConfigError

HEAVY = ("statsmodels", "sklearn", "docx", "matplotlib", "nltk")


def _run(code: str) -> str:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=True)
    return out.stdout


def test_import_does_not_load_heavy_dependencies():
    code = (
        "import json, sys\n"
        "import finsam_eval\n"
        f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))\n"
    )
    assert json.loads(_run(code)) == []


def test_every_name_in_all_resolves_and_dir_lists_them():
    code = (
        "import json, finsam_eval\n"
        "bad = [n for n in finsam_eval.__all__ if getattr(finsam_eval, n, None) is None]\n"
        "missing = [n for n in finsam_eval.__all__ if n not in dir(finsam_eval)]\n"
        "print(json.dumps([bad, missing]))\n"
    )
    bad, missing = json.loads(_run(code))
    assert bad == [] and missing == []


def test_from_import_and_attribute_access_still_work():
    from finsam_eval import did, staggered_did

    assert callable(did) and callable(staggered_did)
    assert finsam_eval.effects.did is did
    assert finsam_eval.coding.code_excerpts is finsam_eval.code_excerpts
    with pytest.raises(AttributeError):
        finsam_eval.no_such_name  # noqa: B018


def test_progress_option_default_and_validation():
    assert finsam_eval.get_option("progress") is True
    with finsam_eval.option_context(progress=False):
        assert finsam_eval.get_option("progress") is False
    with pytest.raises(ConfigError):
        finsam_eval.set_option("progress", "ja")


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_only_when_interactive_and_switched_on(monkeypatch):
    # Under pytest stderr is captured (not a terminal): no bar, but the iterable passes through.
    bar = _progress.progress(range(3), desc="Test")
    assert type(bar).__name__ == "_Silent" and list(bar) == [0, 1, 2]
    tty = _Tty()
    monkeypatch.setattr(sys, "stderr", tty)
    bar = _progress.progress(range(3), desc="Test")
    assert type(bar).__module__.startswith("tqdm") and list(bar) == [0, 1, 2]
    bar.close()
    with finsam_eval.option_context(progress=False):
        assert type(_progress.progress(range(3))).__name__ == "_Silent"
    with _progress.progress(total=4) as b:  # manual updates
        b.update(4)


def test_staggered_results_do_not_depend_on_progress(monkeypatch):
    from finsam_eval.effects.staggered import simulate_staggered, staggered_did

    df = simulate_staggered(n_units=300, n_periods=6, seed=2)
    off = staggered_did(df, "y", unit="unit", time="period", group="start", n_boot=99)
    monkeypatch.setattr(sys, "stderr", _Tty())
    on = staggered_did(df, "y", unit="unit", time="period", group="start", n_boot=99)
    assert np.array_equal(off.attgt["estimat"], on.attgt["estimat"])
    assert np.array_equal(off.attgt["se"], on.attgt["se"], equal_nan=True)


def test_stems_are_nltk_snowball_swedish():
    from nltk.stem.snowball import SnowballStemmer

    from finsam_eval.coding.text import stem

    ref = SnowballStemmer("swedish")
    words = ["förankringen", "samverkansformer", "lyfter", "arbetet", "målet", "resurserna", "huset",
             "legitimitet", "implementeringen", "deltagarna", "samordningsförbundet", "styrgruppen"]
    assert [stem(w) for w in words] == [ref.stem(w) for w in words]


def test_factor_matches_pandas_factorize():
    import pandas as pd

    from finsam_eval.effects._fe import factor

    rng = np.random.default_rng(0)
    cases = [rng.integers(-5, 1000, 500), rng.integers(0, 3, 50).astype(float),
             np.where(rng.random(40) < 0.2, np.nan, rng.integers(2019, 2024, 40).astype(float)),
             np.array(["b", "a", "c", "a"], dtype=object), rng.normal(size=30), np.array([10**15, 3, 7])]
    for a in cases:
        codes, uniq = factor(a)
        ref_codes, ref_uniq = pd.factorize(a, sort=True)
        assert codes.tolist() == list(ref_codes)
        assert list(uniq) == list(ref_uniq)
