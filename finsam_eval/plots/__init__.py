"""House style for report figures and saving them for print."""

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
    "categorical",
    "decimal_comma",
    "diverging",
    "figure",
    "finish",
    "house_style",
    "save_figure",
    "sequential_cmap",
]
