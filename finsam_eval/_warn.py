"""Warnings that cannot leak a personnummer.

Every warning finsam_eval gives goes through :func:`warn`, which masks any
personnummer or samordningsnummer in the message (``ÅÅÅÅMMDD-XXXX``) before
Python's :func:`warnings.warn` sees it.
"""

from __future__ import annotations

import warnings

__all__ = ["warn"]


def warn(message: str, category: type[Warning] = UserWarning, stacklevel: int = 2) -> None:
    """Issue a warning with personnummer masked; same arguments as :func:`warnings.warn`.

    ``stacklevel`` counts from the caller of this function, as in :func:`warnings.warn`.

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as w:
    ...     warnings.simplefilter("always")
    ...     warn("okänd etikett 'Annat: 850312-1231'")
    >>> str(w[0].message)
    "okänd etikett 'Annat: ÅÅÅÅMMDD-XXXX'"
    """
    from .privacy.guard import mask_text

    warnings.warn(mask_text(str(message)), category, stacklevel=stacklevel + 1)
