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


PILLARS = ("effects", "coding", "likert", "io", "report", "privacy", "plots")


def test_pillar_packages_are_lazy():
    # Importing a pillar package runs only its __init__: no submodule, no heavy dependency.
    code = (
        "import json, sys\n"
        f"import {', '.join('finsam_eval.' + p for p in PILLARS)}\n"
        "subs = sorted(m for m in sys.modules if m.count('.') >= 2 and m.startswith('finsam_eval.'))\n"
        f"print(json.dumps([subs, [m for m in {HEAVY!r} + ('scipy',) if m in sys.modules]]))\n"
    )
    subs, heavy = json.loads(_run(code))
    # A submodule here means an __init__ imports it eagerly: export through _LAZY and TYPE_CHECKING instead.
    assert subs == [] and heavy == [], (subs, heavy)


# Entry point -> heavy dependencies it must not pull in (what it needs itself is allowed: DiD needs
# scipy.stats for t quantiles, the report python-docx and matplotlib).
ENTRY_POINTS = {
    "did": ("sklearn", "matplotlib", "docx", "nltk", "statsmodels"),
    "event_study": ("sklearn", "matplotlib", "docx", "nltk", "statsmodels"),
    "staggered_did": ("sklearn", "matplotlib", "docx", "nltk", "statsmodels"),
    "match": ("sklearn", "matplotlib", "docx", "nltk", "statsmodels", "scipy"),
    "code_excerpts": ("sklearn", "matplotlib", "docx", "nltk", "statsmodels", "scipy"),
    "read_survey": ("sklearn", "matplotlib", "docx", "nltk", "statsmodels", "scipy"),
    "likert_summary": ("sklearn", "matplotlib", "docx", "nltk"),
    "Report": ("sklearn", "nltk", "statsmodels"),
}


@pytest.mark.parametrize("name", sorted(ENTRY_POINTS))
def test_entry_point_loads_only_what_it_needs(name):
    code = (
        "import json, sys\n"
        f"from finsam_eval import {name}\n"
        f"print(json.dumps([callable({name}), [m for m in {ENTRY_POINTS[name]!r} if m in sys.modules]]))\n"
    )
    ok, loaded = json.loads(_run(code))
    assert ok and loaded == []


def test_every_pillar_name_resolves_and_dir_lists_it():
    code = (
        "import importlib, json\n"
        "out = {}\n"
        f"for p in {PILLARS!r}:\n"
        "    m = importlib.import_module('finsam_eval.' + p)\n"
        "    out[p] = [[n for n in m.__all__ if n not in dir(m)],\n"
        "              [n for n in m.__all__ if getattr(m, n, None) is None],\n"
        "              sorted(set(m._LAZY) - set(m.__all__))]\n"
        "print(json.dumps(out))\n"
    )
    for pillar, (not_in_dir, unresolved, unlisted) in json.loads(_run(code)).items():
        assert not_in_dir == [] and unresolved == [] and unlisted == [], pillar


def test_lazy_names_are_the_objects_of_their_submodules():
    # Independent check against the defining modules, including names that equal their module's
    # name (effects.did, coding.kwic, privacy.pseudonymise), which the import system would otherwise
    # overwrite with the module once anything imports it.
    import importlib

    import finsam_eval.effects.event_study  # noqa: F401  (imports .did: binds the submodule on the package)

    for pillar in PILLARS:
        pkg = importlib.import_module(f"finsam_eval.{pillar}")
        for name, sub in pkg._LAZY.items():
            target = sub if sub.startswith(".") else f".{sub}"
            assert getattr(pkg, name) is getattr(importlib.import_module(target, pkg.__name__), name)
    assert callable(finsam_eval.effects.did) and callable(finsam_eval.coding.kwic)
    assert callable(finsam_eval.privacy.pseudonymise) and callable(finsam_eval.did)
    assert finsam_eval.effects.inference.__name__ == "finsam_eval.effects.inference"  # submodule by attribute
    assert "inference" in dir(finsam_eval.effects)
    with pytest.raises(AttributeError):
        finsam_eval.effects.no_such_name  # noqa: B018


def test_type_checking_imports_match_the_lazy_tables():
    # What static tools see (the `if TYPE_CHECKING:` imports) is what loads at run time (_LAZY).
    import ast
    import importlib
    from pathlib import Path

    for pillar in PILLARS:
        pkg = importlib.import_module(f"finsam_eval.{pillar}")
        tree = ast.parse(Path(pkg.__file__).read_text(encoding="utf-8"))
        block = next(n for n in tree.body if isinstance(n, ast.If) and ast.unparse(n.test) == "TYPE_CHECKING")
        static = {(a.asname or a.name): "." * n.level + n.module
                  for n in block.body if isinstance(n, ast.ImportFrom) for a in n.names}
        lazy = {k: v if v.startswith(".") else f".{v}" for k, v in pkg._LAZY.items()}
        assert static == lazy, (pillar, set(static.items()) ^ set(lazy.items()))


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
