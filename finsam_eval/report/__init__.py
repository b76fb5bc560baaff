"""Slutrapport: collect results into Word, HTML and Markdown reports."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import attach

if TYPE_CHECKING:  # the names as static tools see them; at run time they load on first use
    from ..io.export import write_csv
    from .document import Report

# Exported name -> submodule that defines it. Nothing is imported with the package (issue 13): a name
# loads its submodule, and only the dependencies that one needs, on first use (finsam_eval._lazy).
# A new export goes in three places: the TYPE_CHECKING imports, _LAZY and __all__ (tests/test_speed_contract.py
# checks that they agree); a plain import here would load its module, and what it imports, with the package.
_LAZY: dict[str, str] = {
    "write_csv": "..io.export",
    "Report": "document",
}

__all__ = ["Report", "write_csv"]

__getattr__, __dir__ = attach(__name__, _LAZY)
