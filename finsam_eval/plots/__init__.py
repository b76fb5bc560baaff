"""House style for report figures and saving them for print."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import attach

if TYPE_CHECKING:  # the names as static tools see them; at run time they load on first use
    from .calendar import calendar_axis, calendar_labels, mark_start
    from .save import save_figure
    from .style import (
        GREY,
        NON_SUBSTANTIVE,
        OKABE_ITO,
        RC,
        SIZES,
        categorical,
        decimal_comma,
        diverging,
        figure,
        finish,
        house_style,
        sequential_cmap,
    )

# Exported name -> submodule that defines it. Nothing is imported with the package (issue 13): a name
# loads its submodule, and only the dependencies that one needs, on first use (finsam_eval._lazy).
# A new export goes in three places: the TYPE_CHECKING imports, _LAZY and __all__ (tests/test_speed_contract.py
# checks that they agree); a plain import here would load its module, and what it imports, with the package.
_LAZY: dict[str, str] = {
    "calendar_axis": "calendar",
    "calendar_labels": "calendar",
    "mark_start": "calendar",
    "save_figure": "save",
    "GREY": "style",
    "NON_SUBSTANTIVE": "style",
    "OKABE_ITO": "style",
    "RC": "style",
    "SIZES": "style",
    "categorical": "style",
    "decimal_comma": "style",
    "diverging": "style",
    "figure": "style",
    "finish": "style",
    "house_style": "style",
    "sequential_cmap": "style",
}

__all__ = [
    "GREY",
    "NON_SUBSTANTIVE",
    "OKABE_ITO",
    "RC",
    "SIZES",
    "calendar_axis",
    "calendar_labels",
    "categorical",
    "decimal_comma",
    "diverging",
    "figure",
    "finish",
    "house_style",
    "mark_start",
    "save_figure",
    "sequential_cmap",
]

__getattr__, __dir__ = attach(__name__, _LAZY)
