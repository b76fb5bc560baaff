"""Krippendorff's alpha for two or more coders, and the ratings matrix it and the kappas read.

:func:`krippendorff_alpha` takes a units x coders matrix (nominal, ordinal,
interval or ratio values, missing ratings allowed) and computes alpha from
the coincidence matrix (Krippendorff 2011).

References
----------
Krippendorff, K. (2011). Computing Krippendorff's alpha-reliability.
Annenberg School for Communication, University of Pennsylvania.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..errors import EstimationError, MissingColumnError, SchemaError
from .bootstrap import Estimate, _boot_weights, _is_missing, _percentile

__all__ = ["krippendorff_alpha", "LEVELS", "THRESHOLDS"]

LEVELS = ("nominal", "ordinal", "interval", "ratio")
# Krippendorff (2004, p. 241): alpha >= 0.800 reliable, >= 0.667 tentative conclusions only.
THRESHOLDS = (0.667, 0.800)

def _check_level(level: str) -> None:
    if level not in LEVELS:
        raise SchemaError(f"Okänd mätnivå {level!r}; välj en av {', '.join(LEVELS)}.")


def _ratings_matrix(
    data: Any,
    *,
    unit_col: str | None,
    coder_col: str | None,
    value_col: str | None,
) -> pd.DataFrame:
    """A units x coders DataFrame from a matrix, an array or a long table."""
    if isinstance(data, pd.DataFrame) and coder_col is not None:
        need = [c for c in (unit_col, coder_col, value_col) if c is None or c not in data.columns]
        if need:
            raise MissingColumnError(
                f"Lång tabell kräver kolumnerna unit_col, coder_col och value_col; saknas: {need}. "
                f"Tabellen har {list(data.columns)}."
            )
        dup = data.duplicated([unit_col, coder_col])
        if dup.any():
            raise SchemaError(
                f"Samma kodare har gett samma enhet flera värden ({int(dup.sum())} rader). "
                "Ange ett värde per enhet och kodare."
            )
        return data.pivot(index=unit_col, columns=coder_col, values=value_col)
    if isinstance(data, pd.DataFrame):
        return data.set_index(unit_col) if unit_col is not None and unit_col in data.columns else data
    arr = np.asarray(data, dtype=object)
    if arr.ndim != 2:
        raise SchemaError("Data måste vara en matris med en rad per enhet och en kolumn per kodare.")
    return pd.DataFrame(arr)


def _encode(
    matrix: pd.DataFrame, level: str, value_domain: Sequence[Any] | None
) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes (-1 missing) and the ordered value domain."""
    vals = matrix.to_numpy(dtype=object)
    missing = np.vectorize(_is_missing, otypes=[bool])(vals) if vals.size else np.zeros(vals.shape, bool)
    present = vals[~missing]
    if value_domain is None:
        cats = [c.dtype for _, c in matrix.items()]
        ordered = [d for d in cats if isinstance(d, pd.CategoricalDtype) and d.ordered]
        if ordered:
            value_domain = list(ordered[0].categories)
        elif level in ("nominal",):
            try:
                value_domain = sorted(set(present.tolist()))
            except TypeError:
                value_domain = list(dict.fromkeys(present.tolist()))
        else:
            try:
                value_domain = sorted({float(v) for v in present.tolist()})
            except (TypeError, ValueError) as err:
                raise SchemaError(
                    f"Mätnivån {level!r} kräver numeriska värden eller en ordnad value_domain; "
                    "ange value_domain=[...] i rätt ordning eller använd level='nominal'."
                ) from err
    domain = np.asarray(list(value_domain), dtype=object)
    lookup = {v: i for i, v in enumerate(domain.tolist())}
    if level != "nominal":
        # numeric data may come as int in the matrix and float in the domain
        for i, v in enumerate(domain.tolist()):
            if isinstance(v, int | float | np.number):
                lookup.setdefault(float(v), i)
    codes = np.full(vals.shape, -1, dtype=int)
    unknown = []
    for idx in zip(*np.nonzero(~missing)):
        v = vals[idx]
        key = v if v in lookup else (float(v) if isinstance(v, int | float | np.number) else v)
        if key not in lookup:
            unknown.append(v)
            continue
        codes[idx] = lookup[key]
    if unknown:
        raise SchemaError(
            f"{len(unknown)} värden finns inte i value_domain; lägg till dem eller rätta data."
        )
    return codes, domain


def _value_counts(codes: np.ndarray, n_values: int) -> np.ndarray:
    """Units x values: how many coders gave each value to each unit."""
    out = np.zeros((codes.shape[0], n_values))
    for j in range(codes.shape[1]):
        ok = codes[:, j] >= 0
        np.add.at(out, (np.nonzero(ok)[0], codes[ok, j]), 1)
    return out


def _unit_coincidences(counts: np.ndarray) -> np.ndarray:
    """Per-unit coincidence matrices (units x V x V); units with fewer than two values give zeros."""
    m = counts.sum(axis=1)
    o = counts[:, :, None] * counts[:, None, :]
    idx = np.arange(counts.shape[1])
    o[:, idx, idx] -= counts
    with np.errstate(divide="ignore", invalid="ignore"):
        o = o / (m - 1)[:, None, None]
    o[m < 2] = 0.0
    return o


def _delta(level: str, domain: np.ndarray, n_c: np.ndarray) -> np.ndarray:
    """Squared difference function; shape (..., V, V) (ordinal depends on the marginals ``n_c``)."""
    v = len(domain)
    if level == "nominal":
        return 1.0 - np.eye(v)
    if level == "ordinal":
        cum = np.concatenate([np.zeros(n_c.shape[:-1] + (1,)), np.cumsum(n_c, axis=-1)], axis=-1)
        i = np.arange(v)
        lo = np.minimum(i[:, None], i[None, :])
        hi = np.maximum(i[:, None], i[None, :])
        between = cum[..., hi + 1] - cum[..., lo]
        return (between - (n_c[..., :, None] + n_c[..., None, :]) / 2) ** 2
    x = domain.astype(float)
    d = x[:, None] - x[None, :]
    if level == "interval":
        return d**2
    s = x[:, None] + x[None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.where(s == 0, 0.0, (d / s) ** 2)
    return r


def _alpha_from_coincidence(o: np.ndarray, level: str, domain: np.ndarray) -> np.ndarray:
    """Alpha from coincidence matrices of shape (..., V, V)."""
    n_c = o.sum(axis=-1)
    n = n_c.sum(axis=-1)
    d = _delta(level, domain, n_c)
    with np.errstate(divide="ignore", invalid="ignore"):
        d_o = (o * d).sum(axis=(-2, -1))
        d_e = (n_c[..., :, None] * n_c[..., None, :] * d).sum(axis=(-2, -1))
        a = 1.0 - (n - 1) * d_o / d_e
    return np.where(d_e > 0, a, np.nan)


# --------------------------------------------------------------------------- Krippendorff


def krippendorff_alpha(
    data: Any,
    level: str = "nominal",
    *,
    value_domain: Sequence[Any] | None = None,
    unit_col: str | None = None,
    coder_col: str | None = None,
    value_col: str | None = None,
    ci: bool = False,
    n_boot: int = 1000,
    confidence: float = 0.95,
    random_state: int | np.random.Generator | None = 0,
) -> float | Estimate:
    """Krippendorff's alpha for two or more coders, with missing ratings allowed.

    Parameters
    ----------
    data
        A units x coders matrix (DataFrame, array or nested list; ``None`` or
        NaN where a coder did not rate the unit), or a long table with
        ``unit_col``, ``coder_col`` and ``value_col``.
    level
        Level of measurement: ``"nominal"``, ``"ordinal"``, ``"interval"`` or
        ``"ratio"``.
    value_domain
        The possible values in order (needed for ordinal text labels; an
        ordered pandas Categorical also gives the order).
    ci
        Also return a bootstrap confidence interval (units resampled).
    n_boot, confidence, random_state
        Bootstrap replicates, interval level and seed.

    Returns
    -------
    float or Estimate
        Alpha, or with ``ci=True`` an :class:`Estimate` (value, ci_low,
        ci_high, se, n_units, method).

    Raises
    ------
    EstimationError
        Fewer than two coders, no unit rated by two coders, or a single
        value in all data (alpha is then undefined).

    Examples
    --------
    Krippendorff's (2011) example: four observers, twelve units.

    >>> import numpy as np
    >>> nan = np.nan
    >>> x = np.array([[1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
    ...               [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],
    ...               [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan],
    ...               [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan]]).T
    >>> round(krippendorff_alpha(x, "nominal"), 3), round(krippendorff_alpha(x, "interval"), 3)
    (0.743, 0.849)
    """
    _check_level(level)
    matrix = _ratings_matrix(data, unit_col=unit_col, coder_col=coder_col, value_col=value_col)
    if matrix.shape[1] < 2:
        raise EstimationError(
            f"Krippendorffs alfa kräver minst två kodare; data har {matrix.shape[1]} kolumn(er). "
            "Ge en kolumn per kodare (enheter i rader)."
        )
    codes, domain = _encode(matrix, level, value_domain)
    counts = _value_counts(codes, len(domain))
    pairable = counts.sum(axis=1) >= 2
    if not pairable.any():
        raise EstimationError(
            "Ingen enhet har bedömts av minst två kodare, så kodarnas överensstämmelse kan inte beräknas. "
            "Låt kodarna bedöma samma enheter."
        )
    if (counts[pairable] > 0).any(axis=0).sum() < 2:
        raise EstimationError(
            "Alla bedömningar har samma värde; Krippendorffs alfa är odefinierat (ingen variation att "
            "jämföra med). Rapportera andel överensstämmelse i stället."
        )
    o_u = _unit_coincidences(counts[pairable])
    value = float(_alpha_from_coincidence(o_u.sum(axis=0), level, domain))
    if not ci:
        return value
    w = _boot_weights(o_u.shape[0], n_boot, random_state)
    v = len(domain)
    o_b = (w @ o_u.reshape(len(o_u), v * v)).reshape(n_boot, v, v)
    reps = _alpha_from_coincidence(o_b, level, domain)
    low, high, se = _percentile(reps, confidence)
    return Estimate(value, float(low), float(high), float(se), int(pairable.sum()), "bootstrap (percentil)", confidence)


# --------------------------------------------------------------------------- Cohen / Fleiss
