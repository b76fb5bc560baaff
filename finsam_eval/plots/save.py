"""Write figures for print and screen."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from matplotlib.figure import Figure

__all__ = ["save_figure"]

_FORMATS = ("png", "svg", "pdf")


def save_figure(fig: Figure, path: str | Path, formats: Iterable[str] | None = None, *, dpi: int = 300) -> list[Path]:
    """Save ``fig`` as PNG (300 dpi), SVG and PDF.

    Parameters
    ----------
    fig
        A matplotlib Figure (an Axes is accepted and its figure used).
    path
        File name. With a suffix (``.png``, ``.svg``, ``.pdf``) and no
        ``formats``, only that format is written; without a suffix, all three.
    formats
        Formats to write, e.g. ``("png",)``.

    Returns
    -------
    list of Path
        The files written.

    Raises
    ------
    PrivacyError
        A text in the figure (title, labels, tick labels, legend, annotations,
        table cells) or the file name holds a personnummer; nothing is written.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> _ = ax.bar(["Botkyrka", "Huddinge"], [12, 7])
    >>> [p.name for p in save_figure(fig, pathlib.Path(tempfile.mkdtemp()) / "staplar.png")]
    ['staplar.png']
    >>> plt.close(fig)
    """
    from ..privacy.guard import check_output, safe_name

    fig = getattr(fig, "figure", fig)  # an Axes -> its Figure
    path = Path(path)
    check_output(path, where=f"sökvägen till figurfilen {safe_name(path)}")
    check_output(fig, where=f"figuren till {path.name}")
    if formats is None:
        suffix = path.suffix.lower().lstrip(".")
        formats = [suffix] if suffix in _FORMATS else list(_FORMATS)
    stem = path.with_suffix("") if path.suffix.lower().lstrip(".") in _FORMATS else path
    stem.parent.mkdir(parents=True, exist_ok=True)
    written = []
    for fmt in formats:
        fmt = fmt.lower()
        if fmt not in _FORMATS:
            raise ValueError(f"Okänt bildformat {fmt!r}; välj bland {_FORMATS}.")
        out = stem.with_name(stem.name + "." + fmt)
        fig.savefig(out, format=fmt, dpi=dpi, bbox_inches="tight", metadata={"Software": None} if fmt == "png" else None)
        written.append(out)
    return written
