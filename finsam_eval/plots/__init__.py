"""House style for report figures and saving them for print."""

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
