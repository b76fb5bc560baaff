"""Invented interview excerpts about samordningsförbund, with two independent codings.

The texts and codings live as data in ``excerpt_texts*.yaml`` beside this module
(one record per excerpt), so that they can be read and corrected without touching
code. Every sentence is invented for the project; no real person is quoted.
"""

from __future__ import annotations

from importlib import resources

import numpy as np
import pandas as pd
import yaml

from ..errors import SchemaError

__all__ = ["make_excerpts", "EXCERPT_COLUMNS"]

#: Column order of the frame returned by :func:`make_excerpts`.
EXCERPT_COLUMNS = [
    "excerpt_id",
    "text",
    "forbund",
    "respondent_id",
    "roll",
    "kalla",
    "datum",
    "codes_a",
    "codes_b",
    "negated_themes",
    "innehaller_personuppgift",
]

# YAML field -> output column.
_FIELDS = {
    "id": "excerpt_id",
    "text": "text",
    "forbund": "forbund",
    "respondent": "respondent_id",
    "roll": "roll",
    "kalla": "kalla",
    "datum": "datum",
    "codes_a": "codes_a",
    "codes_b": "codes_b",
    "negated": "negated_themes",
    "personuppgift": "innehaller_personuppgift",
}


def _read_records() -> list[dict]:
    """All records of the packaged ``excerpt_texts*.yaml`` files, in file order."""
    folder = resources.files(__package__)
    files = sorted(
        (f for f in folder.iterdir() if f.name.startswith("excerpt_texts") and f.name.endswith(".yaml")),
        key=lambda f: f.name,
    )
    records: list[dict] = []
    for f in files:
        data = yaml.safe_load(f.read_text(encoding="utf-8")) or []
        if not isinstance(data, list):
            raise SchemaError(f"Filen {f.name} ska innehålla en lista med utdrag (en post per utdrag).")
        for i, rec in enumerate(data):
            missing = [k for k in _FIELDS if k not in rec and k != "personuppgift"]
            if missing:
                raise SchemaError(
                    f"Post {i + 1} i {f.name} saknar fälten {', '.join(missing)}. "
                    "Lägg till dem; varje utdrag behöver id, förbund, respondent, roll, källa, datum, text och kodningar."
                )
            records.append(rec)
    if not records:
        raise SchemaError(
            "Hittade inga filer excerpt_texts*.yaml i finsam_eval/samples; paketet är ofullständigt installerat."
        )
    return records


def make_excerpts(seed: int = 2025) -> pd.DataFrame:
    """Invented interview excerpts about samordningsförbund, coded by two coders.

    About 230 short Swedish excerpts from interviews, focus groups, free-text
    survey answers and workshops in five förbund (Botkyrka, Huddinge,
    Södertälje, Östra Södertörn and a few from Uppsala), spoken by about 50
    invented respondents in seven roles. Each excerpt is coded independently by
    coder A and coder B with the built-in theme ids (legitimitet, samsyn,
    implementering, forankring, samverkan, styrning, malgrupp, resultat,
    hallbarhet, larande, resurser, samarbetsklimat, hinder). The coders agree on
    most excerpts but not all, so reliability measures have something to find.

    Parameters
    ----------
    seed : int, default 2025
        Seeds the row order only (a deterministic shuffle); texts, codes and
        dates never change. Same seed, same frame.

    Returns
    -------
    pandas.DataFrame
        One row per excerpt with columns ``excerpt_id``, ``text``, ``forbund``,
        ``respondent_id``, ``roll`` (styrelse, beredningsgrupp, ledningsgrupp,
        samordnare, insatspersonal, deltagare, remittent), ``kalla`` (intervju,
        fokusgrupp, enkätsvar, workshop), ``datum`` (datetime64, 2024-2025),
        ``codes_a`` and ``codes_b`` (lists of code ids, 0-4 per excerpt),
        ``negated_themes`` (themes in ``codes_a`` that the speaker says are
        missing, e.g. "det finns ingen samsyn") and
        ``innehaller_personuppgift`` (True where the text holds an invented
        first name or personnummer-like string, for pseudonymisation tests).

    Notes
    -----
    The data are stored in ``finsam_eval/samples/excerpt_texts*.yaml``. All
    names and personnummer-like strings are invented; a few texts deliberately
    contain them so that :func:`finsam_eval.privacy.pseudonymise` has
    something to remove.

    Examples
    --------
    >>> from finsam_eval.samples.excerpts import make_excerpts
    >>> df = make_excerpts()
    >>> len(df) >= 220
    True
    >>> sorted(df["forbund"].unique())
    ['Botkyrka', 'Huddinge', 'Södertälje', 'Uppsala', 'Östra Södertörn']
    >>> df.equals(make_excerpts(seed=2025))
    True
    >>> agree = (df["codes_a"].map(sorted) == df["codes_b"].map(sorted)).mean()
    >>> bool(0.6 < agree < 0.95)
    True
    >>> df.groupby("roll")["respondent_id"].nunique().loc[["styrelse", "deltagare"]].tolist()
    [9, 9]
    """
    records = _read_records()
    df = pd.DataFrame([{col: rec.get(key) for key, col in _FIELDS.items()} for rec in records])
    for col in ("codes_a", "codes_b", "negated_themes"):
        df[col] = df[col].map(lambda v: list(v) if v else [])
    df["innehaller_personuppgift"] = df["innehaller_personuppgift"].fillna(False).astype(bool)
    df["datum"] = pd.to_datetime(df["datum"].astype(str), format="%Y-%m-%d")
    if df["excerpt_id"].duplicated().any():
        raise SchemaError("Utdragens id i excerpt_texts*.yaml är inte unika; ge varje utdrag ett eget id.")
    order = np.random.default_rng(seed).permutation(len(df))
    return df.iloc[order][EXCERPT_COLUMNS].reset_index(drop=True)
