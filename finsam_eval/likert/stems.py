"""Matrix questions: split a shared question stem from each statement.

Survey tools export a matrix question (one question, several statements on
the same scale) as one column per statement whose header repeats the
question: Webropol and Netigate write ``"Fråga - Påstående"``, Google Forms
``"Fråga [Påstående]"``, others ``"Fråga: Påstående"``. Printed as row labels
the repeated question drowns the statements, so figures show the stem once
and each row by its statement. The table keeps the full text.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping

__all__ = ["split_stems"]

# Where a stem may end: a spaced dash, a colon, a question mark, a pipe, or
# the opening bracket of Google Forms' "[Påstående]".
_SEP = re.compile(r"\s+[-–—]\s+|:\s+|\?\s+|\s*\|\s*|\s*\[(?=[^\]]+\]\s*$)")


def _candidates(text: str) -> list[tuple[str, str]]:
    out = []
    for m in _SEP.finditer(text):
        stem = text[: m.start()].strip()
        if m.group(0).strip() == "?":
            stem += "?"  # the question mark belongs to the question
        rest = text[m.end():].strip().lstrip("-–—:| ").strip()
        if m.group(0).strip() == "[":
            rest = rest[:-1].strip() if rest.endswith("]") else rest
        if stem and rest:
            out.append((stem, rest))
    return out


def split_stems(texts: Mapping[str, str], min_items: int = 2, min_length: int = 12) -> dict[str, tuple[str | None, str]]:
    """Find the question stem each item shares with other items.

    Parameters
    ----------
    texts : mapping
        ``{item: question text}``.
    min_items : int, default 2
        A stem counts only when at least this many items share it.
    min_length : int, default 12
        Shorter shared prefixes ("Fråga 1", "Q3") are not stems.

    Returns
    -------
    dict
        ``{item: (stem or None, statement)}``; items without a shared stem keep
        their whole text as the statement. The longest shared stem wins.

    Examples
    --------
    >>> split_stems({"a": "Hur väl stämmer det? - Vi har en gemensam bild",
    ...              "b": "Hur väl stämmer det? - Vi når målgruppen",
    ...              "c": "Hur nöjd är du?"})["b"]
    ('Hur väl stämmer det?', 'Vi når målgruppen')
    """
    cands = {item: _candidates(str(text)) for item, text in texts.items()}
    count = Counter(stem for cs in cands.values() for stem in {s for s, _ in cs})
    out: dict[str, tuple[str | None, str]] = {}
    for item, text in texts.items():
        shared = [(s, r) for s, r in cands[item] if count[s] >= min_items and len(s) >= min_length]
        out[item] = max(shared, key=lambda sr: len(sr[0])) if shared else (None, str(text))
    return out
