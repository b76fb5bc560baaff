"""Stable pseudonyms for excerpts and id columns (keyed hash).

A pseudonym is ``HMAC-SHA256(key, value)`` shortened to a readable tag, so the
same person gets the same pseudonym in every excerpt and every run that uses
the same key, while nobody without the key can go back. The key is the
evaluator's secret; keep it out of the project folder.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import pandas as pd

from ..errors import PrivacyError
from ..results import ResultMixin
from .personnummer import _CANDIDATE, find_personnummer, is_valid_personnummer

__all__ = ["pseudonym", "pseudonymise", "pseudonymise_ids", "PseudonymisationResult"]


def _key_bytes(key: str | bytes) -> bytes:
    if not key:
        raise PrivacyError(
            "Pseudonymisering kräver en nyckel (key). Välj en hemlig fras och förvara den utanför "
            "projektmappen; samma nyckel ger samma pseudonymer nästa gång."
        )
    return key.encode("utf-8") if isinstance(key, str) else key


def pseudonym(value: object, key: str | bytes, *, prefix: str = "P", length: int = 6) -> str:
    """Keyed pseudonym for one value: ``prefix-xxxxxx`` (hex from HMAC-SHA256).

    Examples
    --------
    >>> pseudonym("Anna Svensson", key="hemlig") == pseudonym("anna  svensson", key="hemlig")
    True
    >>> pseudonym("Anna Svensson", key="hemlig").startswith("P-")
    True
    """
    norm = " ".join(str(value).split()).casefold()
    if _CANDIDATE.fullmatch(str(value).strip()) or re.fullmatch(r"[\d\-+ ]+", norm):
        # Any separator form of one number is one person (en dash, no-break space, digit groups...).
        norm = re.sub(r"\D", "", norm) if _CANDIDATE.fullmatch(str(value).strip()) else re.sub(r"[-+ ]", "", norm)
        if len(norm) == 12 and is_valid_personnummer(norm):
            # 12- and 10-digit forms of one personnummer are one person.
            norm = norm[2:]
    digest = hmac.new(_key_bytes(key), norm.encode("utf-8"), hashlib.sha256).hexdigest()
    return f"{prefix}-{digest[:length]}"


@dataclass
class PseudonymisationResult(ResultMixin):
    """Pseudonymised texts and a count of what was replaced (never the originals)."""

    texts: pd.Series
    replacements: pd.DataFrame = field(repr=False)
    title: str = "Pseudonymisering"
    caption: str = ""
    notes: list[str] = field(default_factory=list)

    def table(self) -> pd.DataFrame:
        """Replacements per kind and pseudonym: ``typ``, ``pseudonym``, ``antal``, ``antal_texter``."""
        return self.replacements

    def plot(self, ax=None, **kwargs):  # noqa: D401 - nothing to draw
        raise NotImplementedError("Pseudonymisering har ingen figur.")

    @property
    def n_replaced(self) -> int:
        return int(self.replacements["antal"].sum()) if len(self.replacements) else 0


def pseudonymise(
    texts: str | Sequence[str] | pd.Series,
    key: str | bytes,
    *,
    names: Iterable[str] = (),
    personnummer: bool = True,
) -> PseudonymisationResult:
    """Replace personnummer and named persons in excerpts by stable pseudonyms.

    Parameters
    ----------
    texts
        One text, a list of texts or a Series (its index is kept).
    key
        The evaluator's secret key for the keyed hash.
    names
        Names to replace (whole words, any case; longer names first so that
        "Anna Svensson" wins over "Anna").
    personnummer
        Replace personnummer and samordningsnummer (also with a wrong check
        digit: a mistyped number is still personal data).

    Returns
    -------
    PseudonymisationResult
        ``.texts`` (a Series) and ``.table()`` with one row per pseudonym:
        kind, pseudonym, how many replacements, in how many texts.

    Examples
    --------
    >>> r = pseudonymise(["Anna (19121212-1212) ringde Anna."], key="k", names=["Anna"])
    >>> "1212" in r.texts[0], r.n_replaced
    (False, 3)
    """
    series = pd.Series([texts]) if isinstance(texts, str) else pd.Series(texts)
    _key_bytes(key)
    name_list = sorted({n.strip() for n in names if n and n.strip()}, key=len, reverse=True)
    name_re = (
        re.compile(r"(?<!\w)(" + "|".join(re.escape(n) for n in name_list) + r")(?!\w)", re.IGNORECASE)
        if name_list
        else None
    )
    counts: Counter[tuple[str, str]] = Counter()
    in_texts: Counter[tuple[str, str]] = Counter()

    def one(text: object) -> object:
        if not isinstance(text, str):
            return text
        seen: set[tuple[str, str]] = set()
        if personnummer:
            out, last = [], 0
            for s, e in find_personnummer(text):
                tag = pseudonym(text[s:e], key, prefix="PNR")
                out += [text[last:s], f"[{tag}]"]
                last = e
                counts[("personnummer", tag)] += 1
                seen.add(("personnummer", tag))
            out.append(text[last:])
            text = "".join(out)
        if name_re is not None:

            def repl(m: re.Match[str]) -> str:
                tag = pseudonym(m.group(0), key, prefix="Person")
                counts[("namn", tag)] += 1
                seen.add(("namn", tag))
                return f"[{tag}]"

            text = name_re.sub(repl, text)
        for k in seen:
            in_texts[k] += 1
        return text

    new = series.map(one)
    table = pd.DataFrame(
        [{"typ": t, "pseudonym": p, "antal": n, "antal_texter": in_texts[(t, p)]} for (t, p), n in counts.items()],
        columns=["typ", "pseudonym", "antal", "antal_texter"],
    )
    notes = [f"{int(table['antal'].sum()) if len(table) else 0} ersättningar i {int((new != series).sum())} texter."]
    # The record that pseudonymisation ran: a report states it only then.
    new.attrs["pseudonymiserad"] = True
    table.attrs["pseudonymiserad"] = True
    return PseudonymisationResult(texts=new, replacements=table, notes=notes)


def pseudonymise_ids(ids: pd.Series, key: str | bytes, *, prefix: str = "ID", length: int = 8) -> pd.Series:
    """Replace an id column (e.g. personnummer) by keyed pseudonyms; missing stays missing.

    The same id maps to the same pseudonym, so panels can still be joined.
    """
    _key_bytes(key)
    return ids.map(lambda v: v if pd.isna(v) else pseudonym(v, key, prefix=prefix, length=length))
