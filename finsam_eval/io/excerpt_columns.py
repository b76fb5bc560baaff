"""Column roles of an excerpt table and who the respondents are.

An excerpt table from NVivo, MAXQDA, Excel or a colleague names its columns
in many ways (``IP``, ``Respondent``, ``Förbund``, ``Citat``, ``Fråga``). Each
column plays a *role*: ``id``, ``respondent``, ``forbund``, ``roll``,
``text``, ``fraga``. :func:`resolve_columns` finds the column of each role,
from the user's mapping (``kolumner={"respondent": "IP"}``) or from the
recognised aliases (:data:`ROLE_ALIASES`, compared without case, accents,
spaces and punctuation), and never guesses between two candidates.

:func:`finish_respondents` makes ``respondent_id`` trustworthy: a missing
respondent column is never an empty column; the fallback (each excerpt is
its own respondent) is applied and stated, and ids are qualified by förbund
(``R01`` in Botkyrka and ``R01`` in Huddinge are two people) unless the data
declares them global.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ..errors import SchemaError
from ..results import Exclusions

__all__ = [
    "ROLES",
    "ROLE_COLUMN",
    "ROLE_ALIASES",
    "FALLBACK_NOTE",
    "resolve_columns",
    "apply_roles",
    "finish_respondents",
    "fallback_used",
]

#: Column roles of an excerpt table and the output column each becomes.
ROLE_COLUMN: dict[str, str] = {
    "id": "excerpt_id",
    "text": "text",
    "respondent": "respondent_id",
    "forbund": "forbund",
    "roll": "roll",
    "fraga": "fraga",
}
ROLES: tuple[str, ...] = tuple(ROLE_COLUMN)
#: Column names recognised for each role (compared without case, accents, spaces and punctuation).
ROLE_ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("excerpt_id", "excerptid", "utdrag_id", "utdragsid", "utdragsnummer", "utdrag_nr", "citat_id",
           "citatid", "segment_id", "segmentid", "segmentnummer", "quote_id"),
    "text": ("text", "utdrag", "utdragstext", "citat", "citattext", "segment", "kodat segment", "coded segment",
             "innehåll", "quote", "yttrande", "replik", "svarstext", "content", "transkription"),
    "respondent": ("respondent_id", "respondent", "respondentid", "respondentnummer", "resp_id", "resp", "respnr",
                   "ip", "ip_id", "ipnr", "intervjuperson", "intervjupersonid", "informant", "informant_id",
                   "person", "person_id", "intervjuad", "intervjuad_id", "deltagar_id", "case", "fall"),
    "forbund": ("forbund", "förbund", "samordningsförbund", "förbundsnamn", "förbund_namn", "finsam"),
    "roll": ("roll", "role", "funktion", "befattning", "yrkesroll", "uppdrag_roll"),
    "fraga": ("fraga", "fråga", "frågetext", "intervjufråga", "question", "intervjuarens fråga", "fråga_text"),
}
#: The sentence a method chapter prints when no respondent column exists.
FALLBACK_NOTE = (
    "Utdragen saknar respondentkolumn; varje utdrag räknas därför som en egen respondent, så antalet "
    "respondenter är antalet utdrag (ange respondentkolumnen med kolumner={'respondent': ...} eller "
    "--respondent för att räkna personer)."
)
_KEY_ALIASES = {"förbund": "forbund", "fråga": "fraga", "excerpt_id": "id", "respondent_id": "respondent",
                "utdrag": "id", "utdrag_id": "id"}


def _norm(name: Any) -> str:
    s = unicodedata.normalize("NFKD", str(name).casefold())
    s = "".join(c for c in s if not unicodedata.combining(c))
    return re.sub(r"[^0-9a-z]+", "", s)


_ALIAS_OF = {_norm(a): role for role, names in ROLE_ALIASES.items() for a in names}


def _label(name: Any) -> str:
    from ..privacy.guard import mask_text

    return repr(mask_text(str(name)))


def resolve_columns(
    df: pd.DataFrame,
    kolumner: Mapping[str, str | None] | None,
    *,
    roles: tuple[str, ...] = ROLES,
    where: str = "Tabellen",
) -> dict[str, str | None]:
    """Which column of ``df`` plays each role (None: no such column).

    Parameters
    ----------
    df
        The table as read.
    kolumner
        The user's mapping ``{role: column}``; roles ``id``, ``text``,
        ``respondent``, ``forbund`` (or ``förbund``), ``roll``, ``fraga`` (or
        ``fråga``); a value ``None`` says the table has no such column.
    roles
        The roles to look for.
    where
        ``"Filen 'x.csv'"`` for messages.

    Raises
    ------
    SchemaError
        An unknown role, two columns that could both be the respondent (or
        another role), a named column that does not exist.

    Examples
    --------
    >>> df = pd.DataFrame(columns=["Utdrag ID", "IP", "Förbund", "Citat", "Fråga"])
    >>> resolve_columns(df, None)
    {'id': 'Utdrag ID', 'text': 'Citat', 'respondent': 'IP', 'forbund': 'Förbund', 'roll': None, 'fraga': 'Fråga'}
    >>> resolve_columns(df, {"respondent": None})["respondent"] is None
    True
    """
    given: dict[str, str | None] = {}
    for key, col in (kolumner or {}).items():
        k = _KEY_ALIASES.get(str(key).casefold(), str(key).casefold())
        if k not in ROLE_COLUMN:
            raise SchemaError(
                f"kolumner= har en okänd roll {str(key)!r}. Roller som finns: {', '.join(ROLES)} "
                "(t.ex. kolumner={'respondent': 'IP', 'forbund': 'Förbund'})."
            )
        given[k] = col
    out: dict[str, str | None] = {}
    cols = [c for c in df.columns]
    for role in roles:
        if role in given:
            col = given[role]
            if col is not None and col not in df.columns:
                from .tables import require_columns

                flag = {"forbund": "forbund", "fraga": "fraga"}.get(role, role)
                require_columns(df, [col], hint=f"Ange rätt kolumnnamn i kolumner={{'{role}': ...}} (CLI: --{flag}).")
            out[role] = col
            continue
        canonical = ROLE_COLUMN[role]
        if canonical in df.columns:
            out[role] = canonical
            continue
        hits = [c for c in cols if _ALIAS_OF.get(_norm(c)) == role and c not in given.values()]
        if len(hits) > 1:
            raise SchemaError(
                f"{where} har flera kolumner som kan vara rollen '{role}': {', '.join(_label(h) for h in hits)}. "
                f"Ange vilken med kolumner={{'{role}': ...}} (CLI: --{role})."
            )
        out[role] = hits[0] if hits else None
    used: dict[str, str] = {}
    for role, col in out.items():
        if col is None:
            continue
        if col in used:
            raise SchemaError(
                f"{where}: kolumnen {_label(col)} kan inte vara både '{used[col]}' och '{role}'. Ange rollerna med kolumner=."
            )
        used[col] = role
    return out


def apply_roles(df: pd.DataFrame, roles: Mapping[str, str | None], *, where: str = "Tabellen") -> pd.DataFrame:
    """Rename the role columns to their output names; a clash with an existing column is an error.

    Examples
    --------
    >>> df = pd.DataFrame(columns=["IP", "Citat"])
    >>> list(apply_roles(df, resolve_columns(df, None)).columns)
    ['respondent_id', 'text']
    """
    rename = {col: ROLE_COLUMN[r] for r, col in roles.items() if col is not None and col != ROLE_COLUMN[r]}
    for col, new in rename.items():
        if new in df.columns and new not in rename:
            raise SchemaError(
                f"{where} har både {_label(col)} och {new!r}; den ena ska ha rollen. Byt namn på den andra "
                "kolumnen eller ange rollerna med kolumner=."
            )
    attrs = dict(df.attrs)
    out = df.rename(columns=rename)
    out.attrs = attrs
    return out


def _as_id(v: Any) -> Any:
    if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA:
        return pd.NA
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    s = str(v).strip()
    return s if s else pd.NA


def finish_respondents(
    df: pd.DataFrame,
    *,
    has_column: bool,
    ex: Exclusions,
    notes: list[str],
    respondent_global: bool = False,
    rows: list[int] | None = None,
    scope: str = "förbund",
) -> pd.DataFrame:
    """Fill and qualify ``respondent_id``; record what was done in ``ex`` and ``notes``.

    Parameters
    ----------
    df
        Excerpts with ``excerpt_id`` and, if ``has_column``, ``respondent_id``.
    has_column
        False: the fallback (``respondent_id = excerpt_id``), stated.
    ex, notes
        Where the record goes.
    respondent_global
        True: ids are unique across förbund (no qualification).
    rows
        File line of each row (for empty respondent cells).
    scope
        What ids are qualified by in the note.

    Examples
    --------
    >>> df = pd.DataFrame({"excerpt_id": ["a", "b", "c"], "respondent_id": ["R01", "R01", "R01"],
    ...                    "forbund": ["Botkyrka", "Botkyrka", "Huddinge"]})
    >>> ex, notes = Exclusions(), []
    >>> finish_respondents(df, has_column=True, ex=ex, notes=notes)["respondent_id"].tolist()
    ['Botkyrka:R01', 'Botkyrka:R01', 'Huddinge:R01']
    """
    df = df.copy()
    attrs = dict(df.attrs)
    if has_column and len(df) and df["respondent_id"].map(_as_id).isna().all():
        has_column = False  # an all-empty column is no respondent column: the stated fallback, not 0 respondents
    if not has_column:
        df["respondent_id"] = df["excerpt_id"].astype(str)
        ex.add(
            "respondentkolumn saknas: varje utdrag räknas som en egen respondent (respondent_id = excerpt_id)",
            len(df),
            column="respondent_id",
            action="skapad",
        )
        notes.append(FALLBACK_NOTE)
        attrs.update(respondent_fallback=True, respondent_scope="utdrag")
        df.attrs = attrs
        return df
    ids = df["respondent_id"].map(_as_id).astype(object)
    empty = ids.isna().to_numpy()
    if empty.any():
        ids[empty] = ["utdrag:" + str(e) for e in df.loc[empty, "excerpt_id"]]
        where = [rows[i] for i in np.flatnonzero(empty)] if rows is not None else []
        ex.add(
            "tom respondentcell: utdraget räknas som en egen respondent", int(empty.sum()), rows=where,
            column="respondent_id", action="ifylld",
        )
        notes.append(
            f"{int(empty.sum())} utdrag saknar respondent och räknas som var sin respondent."
        )
    df["respondent_id"] = ids
    attrs["respondent_fallback"] = False
    if respondent_global:
        notes.append("Respondent-id räknas som unika i hela materialet (så angavs det vid inläsningen).")
        attrs["respondent_scope"] = "global"
    elif "forbund" in df.columns and df["forbund"].notna().any():
        fb = df["forbund"].map(lambda v: "(förbund saknas)" if pd.isna(v) or not str(v).strip() else str(v).strip())
        n_fb = pd.DataFrame({"r": ids, "f": fb}).groupby("r")["f"].nunique()
        shared = set(n_fb.index[n_fb > 1])
        if shared:
            hit = ids.isin(shared).to_numpy()
            df.loc[hit, "respondent_id"] = [f"{f}:{r}" for f, r in zip(fb[hit], ids[hit])]
            ex.add(
                f"samma respondent-id i flera förbund räknas som olika personer ({len(shared)} id, skrivs 'förbund:id')",
                int(hit.sum()), column="respondent_id", action="omkodad",
            )
        notes.append(
            f"Respondent-id gäller inom {scope}: samma id i två förbund räknas som två personer"
            + (f" ({len(shared)} id förekom i flera förbund)" if shared else "")
            + ". Ange respondent_global=True (CLI: --respondent-global) om id:n är unika i hela materialet."
        )
        attrs["respondent_scope"] = scope
    else:
        attrs["respondent_scope"] = "global"
    df.attrs = attrs
    return df


def fallback_used(df: pd.DataFrame) -> bool:
    """True if ``df`` (excerpts) uses the each-excerpt-its-own-respondent fallback.

    Examples
    --------
    >>> from finsam_eval.io import read_excerpts
    >>> fallback_used(read_excerpts(pd.DataFrame({"text": ["Bra.", "Sämre."]})))
    True
    """
    return bool(getattr(df, "attrs", {}).get("respondent_fallback"))

