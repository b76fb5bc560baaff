"""Swedish conventions for what a report reader sees.

Number formatting with decimal comma and a thin space between thousands, and
the quantifier words Swedish evaluation reports use for how many respondents
said something (samtliga, de flesta, flera, ...).

Examples
--------
>>> fmt_num(4.8)
'4,8'
>>> fmt_num(8600, 0) == "8\u00a0600"  # non-breaking space between thousands
True
>>> fmt_pct(0.505).replace("\u00a0", " ")
'50,5 %'
>>> quantifier(12, 14)
'de allra flesta'
"""

from __future__ import annotations

import math
from numbers import Real

import pandas as pd

from ._config import get_option

__all__ = ["fmt_num", "fmt_pct", "fmt_ci", "fmt_p", "quantifier", "QUANTIFIERS", "format_table"]

# Non-breaking space as thousands separator, as in Swedish print (Språkrådet).
_THOUSANDS = "\u00a0"


def fmt_num(x: object, decimals: int = 1, *, lang: str | None = None) -> str:
    """Format a number with decimal comma (``lang='sv'``) or point (``'en'``).

    Missing values give an empty string; integers keep no decimals when
    ``decimals=0``.
    """
    if x is None or (isinstance(x, Real) and math.isnan(float(x))):
        return ""
    if not isinstance(x, Real):
        return str(x)
    lang = lang or get_option("lang")
    s = f"{float(x):,.{decimals}f}"
    if lang == "sv":
        s = s.replace(",", "_").replace(".", ",").replace("_", _THOUSANDS)
        s = s.replace("-", "\u2212")  # typographic minus
    return s


def fmt_pct(share: object, decimals: int = 1, *, lang: str | None = None) -> str:
    """Format a share (0-1) as a percentage: ``0.19 -> '19,0 %'``."""
    if share is None or (isinstance(share, Real) and math.isnan(float(share))):
        return ""
    lang = lang or get_option("lang")
    sep = "\u00a0%" if lang == "sv" else "%"
    return fmt_num(100 * float(share), decimals, lang=lang) + sep


def fmt_ci(low: object, high: object, decimals: int = 1, *, pct: bool = False, lang: str | None = None) -> str:
    """Format a confidence interval: ``[0,12; 0,31]`` (Swedish uses ``;`` as separator)."""
    f = fmt_pct if pct else fmt_num
    lang = lang or get_option("lang")
    sep = "; " if lang == "sv" else ", "
    return f"[{f(low, decimals, lang=lang)}{sep}{f(high, decimals, lang=lang)}]"


def fmt_p(p: object, *, lang: str | None = None) -> str:
    """Format a p-value: three decimals, ``< 0,001`` below that."""
    if p is None or (isinstance(p, Real) and math.isnan(float(p))):
        return ""
    if float(p) < 0.001:
        return "< " + fmt_num(0.001, 3, lang=lang)
    return fmt_num(p, 3, lang=lang)


# Ordered from the strongest claim down; each word covers shares >= its lower bound.
# The bounds follow how Swedish evaluation reports use the words, with "samtliga"
# reserved for 100 % and "någon" for exactly one respondent.
QUANTIFIERS: list[tuple[str, float]] = [
    ("samtliga", 1.0),
    ("nästan alla", 0.9),
    ("de allra flesta", 0.8),
    ("de flesta", 0.6),
    ("många", 0.4),
    ("flera", 0.2),
    ("några", 0.1),
    ("ett fåtal", 0.0),
]


def quantifier(count: int, total: int, *, lang: str | None = None) -> str:
    """Return the Swedish quantifier word for ``count`` respondents out of ``total``.

    Examples
    --------
    >>> quantifier(14, 14), quantifier(1, 14), quantifier(0, 14), quantifier(3, 14)
    ('samtliga', 'någon', 'ingen', 'flera')
    """
    if total <= 0:
        raise ValueError("total måste vara större än 0")
    lang = lang or get_option("lang")
    if count <= 0:
        return "ingen" if lang == "sv" else "none"
    if count == 1 and total > 1:
        return "någon" if lang == "sv" else "one"
    share = count / total
    for word, low in QUANTIFIERS:
        if share >= low - 1e-12:
            if lang == "en":
                return {
                    "samtliga": "all", "nästan alla": "nearly all", "de allra flesta": "the great majority",
                    "de flesta": "most", "många": "many", "flera": "several", "några": "some",
                    "ett fåtal": "a few",
                }[word]
            return word
    return "ett fåtal"


def format_table(df: pd.DataFrame, decimals: int | dict[str, int] = 1, *, lang: str | None = None) -> pd.DataFrame:
    """Return a copy of ``df`` as strings for print: decimal comma, suppressed cells marked.

    Cells recorded as suppressed in ``df.attrs['suppressed_mask']`` (set by
    :func:`finsam_eval.privacy.suppress_small`) show the suppression marker;
    integer columns get no decimals.
    """
    lang = lang or get_option("lang")
    marker = get_option("suppressed_marker")
    mask = df.attrs.get("suppressed_mask")
    counts = set(df.attrs.get("count_columns", ()))
    out = pd.DataFrame(index=df.index)
    for col in df.columns:
        s = df[col]
        d = decimals.get(col, 1) if isinstance(decimals, dict) else decimals
        if pd.api.types.is_bool_dtype(s):
            vals = s.map(lambda v: ("ja" if v else "nej") if lang == "sv" else ("yes" if v else "no"))
        elif pd.api.types.is_integer_dtype(s):
            vals = s.map(lambda v: fmt_num(v, 0, lang=lang))
        elif pd.api.types.is_float_dtype(s):
            # Counts turned float by suppression (NaN) still print as whole numbers.
            nonnull = s.dropna()
            is_count = col in counts or (
                not nonnull.empty and nonnull.apply(float.is_integer).all() and str(col).startswith(("n", "antal"))
            )
            places = 0 if is_count else d
            vals = s.map(lambda v, places=places: fmt_num(v, places, lang=lang))
        else:
            vals = s.map(lambda v: "" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v))
        if mask is not None and col in getattr(mask, "columns", []):
            m = mask[col].reindex(df.index).fillna(False).astype(bool)
            vals = vals.where(~m, marker)
        out[col] = vals
    return out
