"""Code hierarchy: sub-codes that roll up into their parents.

A code with ``parent`` is a sub-code. Rolled up (``recursive=True``, as in
QualCoder and the R package qc), an excerpt coded with a sub-code also counts
for its parent, its grandparent and so on: a respondent who speaks of
*samarbetsklimat* is counted under *samarbetsprocesser* too, once however
many of its sub-codes the excerpt carries.

:func:`ancestors` gives the chain above a code, :func:`roll_up_codes` adds the
ancestors to a list of codes and :func:`roll_up` does it for code-list
columns of a table (two coders' columns before
:func:`~finsam_eval.coding.intercoder_reliability`, so agreement is also
measured on the parent level).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..errors import CodebookError, MissingColumnError
from .codebook import Codebook

__all__ = ["ancestors", "descendants", "roll_up_codes", "roll_up", "has_hierarchy", "tree_order"]


def has_hierarchy(codebook: Codebook | None) -> bool:
    """True when some code of ``codebook`` has a parent."""
    return codebook is not None and any(c.parent for c in codebook)


def ancestors(codebook: Codebook, code: str) -> list[str]:
    """Parent, grandparent ... of ``code`` (nearest first).

    Examples
    --------
    >>> cb = Codebook.framework("organiserande_funktioner")
    >>> ancestors(cb, "samarbetsklimat")
    ['samarbetsprocesser']
    >>> ancestors(cb, "samarbetsprocesser")
    []
    """
    out: list[str] = []
    parents = {c.id: c.parent for c in codebook}
    if code not in parents:
        raise CodebookError(f"Koden {code!r} finns inte i kodboken {codebook.name!r}.")
    p = parents[code]
    while p is not None and p not in out:
        out.append(p)
        p = parents.get(p)
    return out


def descendants(codebook: Codebook, code: str) -> list[str]:
    """Every sub-code below ``code`` (children, grandchildren ...), in codebook order.

    Examples
    --------
    >>> cb = Codebook.framework("organiserande_funktioner")
    >>> "samarbetsklimat" in descendants(cb, "samarbetsprocesser")
    True
    """
    below = {c.id for c in codebook if code in ancestors(codebook, c.id)}
    return [c for c in codebook.ids if c in below]


def tree_order(codebook: Codebook) -> list[str]:
    """Code ids with each parent followed by its sub-codes (depth first, codebook order among siblings).

    Examples
    --------
    >>> tree_order(Codebook.framework("organiserande_funktioner"))[:3]
    ['problemdefiniering', 'samsyn_problembild', 'prioritering']
    """
    ids = codebook.ids
    kids: dict[str | None, list[str]] = {}
    for c in codebook:
        kids.setdefault(c.parent if c.parent in set(ids) else None, []).append(c.id)
    out: list[str] = []

    def walk(p: str | None) -> None:
        for k in kids.get(p, []):
            if k not in out:
                out.append(k)
                walk(k)

    walk(None)
    return out + [c for c in ids if c not in out]


def roll_up_codes(codes: Iterable[str], codebook: Codebook) -> list[str]:
    """``codes`` with every ancestor added once, in codebook order.

    Codes not in the codebook are kept (at the end) so that nothing is lost
    silently; the reliability functions report them as codes of their own.

    Examples
    --------
    >>> cb = Codebook.framework("organiserande_funktioner")
    >>> roll_up_codes(["samarbetsklimat", "sprak_begrepp"], cb)
    ['samarbetsprocesser', 'samarbetsklimat', 'sprak_begrepp']
    """
    codes = list(codes)
    known = set(codebook.ids)
    got = set(codes)
    for c in codes:
        if c in known:
            got.update(ancestors(codebook, c))
    ordered = [c for c in codebook.ids if c in got]
    return ordered + [c for c in dict.fromkeys(codes) if c not in known]


def roll_up(data: pd.DataFrame, codebook: Codebook, columns: str | Sequence[str] | None = None) -> pd.DataFrame:
    """A copy of ``data`` whose code-list columns also hold every parent of their codes.

    Parameters
    ----------
    data
        One row per excerpt, code-list columns such as ``codes_a`` and
        ``codes_b`` (lists, or strings separated by ``;``/``,``/``|``).
    codebook
        The codebook whose ``parent`` links define the hierarchy.
    columns
        Columns to roll up; default every column whose name starts with ``codes``.

    Returns
    -------
    pandas.DataFrame
        Same rows; missing cells (not coded) stay missing, ``[]`` stays ``[]``.

    Examples
    --------
    >>> cb = Codebook.framework("organiserande_funktioner")
    >>> df = pd.DataFrame({"excerpt_id": [1, 2], "codes_a": [["samarbetsklimat"], []],
    ...                    "codes_b": [["sprak_begrepp"], ["prioritering"]]})
    >>> roll_up(df, cb)["codes_b"].tolist()
    [['samarbetsprocesser', 'sprak_begrepp'], ['prioritering']]
    """
    if columns is None:
        columns = [c for c in data.columns if str(c).startswith("codes")]
    elif isinstance(columns, str):
        columns = [columns]
    for c in columns:
        if c not in data.columns:
            raise MissingColumnError(f"roll_up: kolumnen {c!r} saknas; kolumner: {list(data.columns)}.")
    out = data.copy()
    for c in columns:
        out[c] = [None if _missing(v) else roll_up_codes(_codes(v), codebook) for v in data[c]]
    return out


def _missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and np.isnan(v))


def _codes(v: Any) -> list[str]:
    if isinstance(v, str):
        return [p.strip() for p in v.replace("|", ";").replace(",", ";").split(";") if p.strip()]
    return [str(x) for x in v]


def roll_up_long(long: pd.DataFrame, codebook: Codebook, id_col: str) -> pd.DataFrame:
    """Add a row per excerpt and ancestor to a long coding table (one row per excerpt and code).

    An ancestor row takes the strongest score of the sub-codes under it, is
    ``negated`` only when every one of them is, ``hedged`` when any is, and
    notes the sub-codes in ``via``. An excerpt coded directly with the
    parent keeps its own row (``via`` empty).
    """
    if not has_hierarchy(codebook) or long.empty:
        return long.assign(via=[[] for _ in range(len(long))]) if "via" not in long else long
    base = long.assign(via=[[] for _ in range(len(long))])
    labels = codebook.labels
    extra = []
    direct = set(zip(base[id_col], base["code"]))
    for (eid, anc), grp in _ancestor_groups(base, codebook, id_col):
        if (eid, anc) in direct:
            continue
        row = grp.iloc[0].copy()
        row["code"] = anc
        row["label"] = labels.get(anc, anc)
        row["score"] = grp["score"].max() if grp["score"].notna().any() else np.nan
        row["negated"] = bool(grp["negated"].all())
        row["hedged"] = bool(grp["hedged"].any())
        row["via"] = list(dict.fromkeys(grp["code"]))
        extra.append(row)
    if not extra:
        return base
    out = pd.concat([base, pd.DataFrame(extra)], ignore_index=True)
    order = {c: i for i, c in enumerate(codebook.ids)}
    pos = {e: i for i, e in enumerate(dict.fromkeys(base[id_col]))}
    out = out.assign(_p=out[id_col].map(pos), _o=out["code"].map(order).fillna(len(order)))
    return out.sort_values(["_p", "_o"], kind="stable").drop(columns=["_p", "_o"]).reset_index(drop=True)


def _ancestor_groups(long: pd.DataFrame, codebook: Codebook, id_col: str) -> Iterable[tuple[Any, pd.DataFrame]]:
    known = set(codebook.ids)
    rows: dict[tuple[Any, str], list[int]] = {}
    for i, (eid, code) in enumerate(zip(long[id_col], long["code"])):
        if code not in known:
            continue
        for a in ancestors(codebook, code):
            rows.setdefault((eid, a), []).append(i)
    for key, idx in rows.items():
        yield key, long.iloc[idx]
