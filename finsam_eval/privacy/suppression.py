"""Small-count suppression for published tables.

Counts greater than zero but below the threshold (default 5, see
``finsam_eval.set_option('min_count', ...)``) are masked, and so is every cell
derived from them (percentages, means, CIs). A masked cell becomes ``NaN`` and
is recorded in ``table.attrs['suppressed_mask']`` so that
:func:`finsam_eval.sv.format_table`, figures and the report show the marker
(``..``) and the note instead of a blank.

Optional secondary suppression masks one more cell in a row where exactly one
count is masked and the row total is shown, because the masked count could
otherwise be recovered by subtraction.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from .._config import get_option

__all__ = ["suppress_small", "suppression_note", "suppressed_mask", "SuppressionMask", "is_stat_parameter"]

# Integer columns that are not counts of persons: statistical parameters (degrees of
# freedom, number of groups, clusters, periods, parameters) and labels (years, periods,
# positions). They are never suppressed, so a reader never sees "df = ..".
STAT_PARAMETERS = frozenset({
    "df", "df1", "df2", "df_num", "df_den", "df_resid", "df_model", "q_df", "frihetsgrader", "fg",
    "groups", "n_groups", "grupper", "n_grupper", "antal_grupper", "k",
    "clusters", "n_clusters", "kluster", "n_kluster", "antal_kluster",
    "n_cells", "celler", "n_params", "parametrar", "leads", "lags", "n_perioder", "n_periods",
    "n_items", "n_fragor", "antal_fragor", "n_kodare", "kodare", "n_codes", "n_koder", "antal_koder",
    "bootstrap", "n_boot", "replikat", "iterationer",
    "ar", "år", "year", "period", "tid", "event_time", "relativ_tid", "kvartal", "manad", "månad",
    "rad", "line", "nr", "ordning", "rank", "niva", "nivå", "level",
    # Counts of words in one excerpt, not of persons.
    "n_hits", "antal_traffar", "antal_träffar", "traffar", "träffar", "n_ord", "antal_ord", "n_tecken",
    "antal_tecken", "tur",
})
# In a test's table (one with a p-value column) the n is a parameter of the test.
_TEST_N = frozenset({"n", "n_test", "n_obs"})
_P_COLUMNS = frozenset({"p", "pvalue", "p_value", "p_varde", "p_värde", "p_holm", "p_adj", "p_f", "p_chi2"})


def is_stat_parameter(column: object, table: pd.DataFrame | None = None) -> bool:
    """True for columns that hold statistical parameters or labels, never suppressed.

    Degrees of freedom, number of groups or clusters, periods and years are
    not counts of persons; neither is the n of a test (a column ``n`` in a
    table that has a p-value column).

    Examples
    --------
    >>> is_stat_parameter("df"), is_stat_parameter("n_kluster"), is_stat_parameter("antal")
    (True, True, False)
    >>> is_stat_parameter("n", pd.DataFrame({"n": [4], "H": [2.1], "df": [2], "p": [0.3]}))
    True
    """
    name = str(column).strip().lower()
    if name in STAT_PARAMETERS or name.startswith(("df_", "frihetsgrad")):
        return True
    if table is not None and name in _TEST_N:
        cols = {str(c).strip().lower() for c in table.columns}
        return bool(cols & _P_COLUMNS) or any(c.startswith("p_") for c in cols)
    return False


class SuppressionMask(pd.DataFrame):
    """Boolean mask of suppressed cells, kept in ``table.attrs['suppressed_mask']``.

    It compares as a whole (``==`` gives one bool), because pandas compares
    ``attrs`` when it concatenates frames and an element-wise comparison would
    make ``pd.concat`` fail. Everything else behaves as a DataFrame.
    """

    def __eq__(self, other: object) -> bool:  # type: ignore[override]
        return isinstance(other, pd.DataFrame) and pd.DataFrame(self).equals(pd.DataFrame(other))

    def __ne__(self, other: object) -> bool:  # type: ignore[override]
        return not self.__eq__(other)

    __hash__ = None  # type: ignore[assignment]


def suppression_note(threshold: int | None = None, *, lang: str | None = None) -> str:
    """The note a reader sees under a suppressed table or figure."""
    t = get_option("min_count") if threshold is None else threshold
    marker = get_option("suppressed_marker")
    if (lang or get_option("lang")) == "en":
        return f"Cells based on fewer than {t} observations are suppressed ('{marker}')."
    return f"Uppgifter som bygger på färre än {t} observationer redovisas inte ('{marker}')."


def suppressed_mask(table: pd.DataFrame) -> pd.DataFrame:
    """The boolean mask of suppressed cells (all False when nothing was suppressed)."""
    mask = table.attrs.get("suppressed_mask")
    if mask is None:
        return pd.DataFrame(False, index=table.index, columns=table.columns)
    return mask.reindex(index=table.index, columns=table.columns, fill_value=False).astype(bool)


def suppress_small(
    table: pd.DataFrame,
    counts: Iterable[str] | None = None,
    *,
    base: str | None = None,
    derived: Mapping[str, str | Iterable[str]] | None = None,
    row_derived: Iterable[str] = (),
    threshold: int | None = None,
    secondary: bool = False,
    suppress_zero: bool = False,
) -> pd.DataFrame:
    """Mask small counts and what is derived from them.

    Parameters
    ----------
    table
        The table to publish (not modified).
    counts
        Count columns. Default: every integer column except statistical
        parameters and labels (:func:`is_stat_parameter`: df, number of
        groups or clusters, years, periods, the n of a test).
    base
        Column holding the row's base (n). A base below the threshold masks
        the whole row: its counts, derived cells and ``row_derived``.
    derived
        ``{derived column: count column(s)}``: the derived cell is masked when
        any of its counts is.
    row_derived
        Columns computed from the whole row (mean, SD, CI bounds, median):
        masked when ``base`` is masked.
    threshold
        Smallest count that may be shown; default ``get_option('min_count')`` (5).
    secondary
        Also mask the next-smallest count in a row where exactly one count is
        masked, so it cannot be recovered from the row total.
    suppress_zero
        Treat 0 as small too (by default a zero reveals nobody and is shown).

    Returns
    -------
    pandas.DataFrame
        A copy with masked cells set to NaN; ``attrs['suppressed_mask']``
        (bool DataFrame), ``attrs['n_suppressed']`` and
        ``attrs['suppression_note']`` describe what was done.

    Examples
    --------
    >>> t = pd.DataFrame({"grupp": ["a", "b"], "n": [14, 3], "n_ja": [12, 2], "andel_ja": [12/14, 2/3]})
    >>> s = suppress_small(t, ["n", "n_ja"], base="n", derived={"andel_ja": "n_ja"})
    >>> s["n_ja"].tolist()[1], int(s.attrs["n_suppressed"])
    (nan, 3)
    """
    t = get_option("min_count") if threshold is None else int(threshold)
    out = table.copy()
    count_cols = list(counts) if counts is not None else [
        c for c in out.columns if pd.api.types.is_integer_dtype(out[c]) and not is_stat_parameter(c, out)
    ]
    if base is not None and base not in count_cols:
        count_cols.append(base)
    missing = [c for c in [*count_cols, *(derived or {}), *row_derived] if c not in out.columns]
    if missing:
        from ..errors import MissingColumnError

        raise MissingColumnError(f"suppress_small: kolumnerna {missing} finns inte i tabellen ({list(out.columns)}).")

    prev = table.attrs.get("suppressed_mask")
    mask = pd.DataFrame(False, index=out.index, columns=out.columns)
    if prev is not None:
        mask |= prev.reindex(index=out.index, columns=out.columns, fill_value=False).astype(bool)

    def small(s: pd.Series) -> pd.Series:
        v = pd.to_numeric(s, errors="coerce")
        lo = v >= 0 if suppress_zero else v > 0
        return (lo & (v < t)).fillna(False)

    for c in count_cols:
        mask[c] |= small(out[c])

    if base is not None:
        row_small = small(out[base]) | (pd.to_numeric(out[base], errors="coerce") == 0 if suppress_zero else False)
        for c in [*count_cols, *(derived or {}), *row_derived]:
            mask[c] |= row_small

    if secondary and base is not None:
        inner = [c for c in count_cols if c != base]
        vals = out[inner].apply(pd.to_numeric, errors="coerce")
        for idx in out.index[(mask.loc[:, inner].sum(axis=1) == 1) & ~mask[base]]:
            candidates = vals.loc[idx][~mask.loc[idx, inner] & (vals.loc[idx] > 0)]
            if len(candidates):
                mask.loc[idx, candidates.astype(float).idxmin()] = True

    for d, src in (derived or {}).items():
        srcs = [src] if isinstance(src, str) else list(src)
        for s in srcs:
            mask[d] |= mask[s]

    for c in out.columns:
        if mask[c].any():
            if pd.api.types.is_integer_dtype(out[c]) or pd.api.types.is_bool_dtype(out[c]):
                out[c] = out[c].astype(float)
            if pd.api.types.is_numeric_dtype(out[c]):
                out.loc[mask[c], c] = np.nan
            else:
                out[c] = out[c].astype(object)
                out.loc[mask[c], c] = None
    out.attrs = dict(table.attrs)
    out.attrs["suppressed_mask"] = SuppressionMask(mask)
    out.attrs["count_columns"] = list(count_cols)
    out.attrs["n_suppressed"] = int(mask.to_numpy().sum())
    out.attrs["suppression_threshold"] = t
    out.attrs["suppression_note"] = suppression_note(t)
    return out
