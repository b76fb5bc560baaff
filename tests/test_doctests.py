"""The Examples sections of public docstrings run and give what they show."""

import doctest
import importlib

import pytest

MODULES = [
    "finsam_eval._config",
    "finsam_eval.errors",
    "finsam_eval.results",
    "finsam_eval.sv",
    "finsam_eval.privacy.personnummer",
    "finsam_eval.privacy.pseudonymise",
    "finsam_eval.privacy.suppression",
    "finsam_eval.likert",
    "finsam_eval.likert.scales",
    "finsam_eval.likert.summary",
    "finsam_eval.likert.reliability",
    "finsam_eval.likert.compare",
    "finsam_eval.likert.plot",
    "finsam_eval.report.document",
    "finsam_eval.io.export",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    mod = importlib.import_module(name)
    result = doctest.testmod(mod, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, verbose=False)
    assert result.failed == 0, f"{result.failed} doctest(s) failed in {name}"
