"""Simulated survey answers modelled on the national FINSAM indicator survey.

Two questionnaires, as in the national indicator instrument (NNS,
"Indikatorer för finansiell samordning"): one on samverkan for
insatspersonal, styrelse, chefer and remittenter (5-point "Stämmer ..."
scale) and one for deltagare (4-point "Ja, absolut ..." scale, with a
before/after pair on the same respondents). Five förbund, 2023-2025.

Every answer is drawn from a latent attitude per respondent, so items
correlate (a samverkan index has Cronbach's alpha about 0.8); förbund differ,
attitudes improve slightly over the years, styrelse groups are small, about
3 % of answers are missing and about 5 % are "Vet ej" (more among
remittenter). A few answers carry spelling variants of the labels
("stämmer helt", "Stämmer  helt ", "STÄMMER DELVIS", "Ja absolut") that a
reader has to normalise. All question texts are written for this project.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = [
    "FORBUND",
    "YEARS",
    "STAMMER5",
    "JA_ABSOLUT4",
    "VET_EJ",
    "LABEL_VARIANTS",
    "make_survey",
    "survey_items",
]

FORBUND = ["Botkyrka", "Huddinge", "Södertälje", "Östra Södertörn", "Uppsala"]
YEARS = [2023, 2024, 2025]
#: Scale points from lowest to highest.
STAMMER5 = ["Stämmer inte alls", "Stämmer inte så bra", "Varken ja eller nej", "Stämmer delvis", "Stämmer helt"]
JA_ABSOLUT4 = ["Inte alls", "Inte särskilt", "Ja, ganska", "Ja, absolut"]
VET_EJ = "Vet ej"
SAMVERKAN_GROUPS = ["insatspersonal", "styrelse", "chefer", "remittenter"]
KON = ["Kvinna", "Man", "Annat/vill ej svara"]

#: Spelling variants that appear in the raw answers (canonical label -> variants).
LABEL_VARIANTS = {
    "Stämmer helt": ["stämmer helt", "Stämmer  helt "],
    "Stämmer delvis": ["STÄMMER DELVIS", "stämmer delvis"],
    "Stämmer inte så bra": ["Stämmer inte så bra "],
    "Ja, absolut": ["Ja absolut", "ja, absolut"],
    "Ja, ganska": ["Ja ganska"],
    "Inte särskilt": ["inte särskilt"],
    VET_EJ: ["vet ej", "Vet ej "],
}

# item, text, scale, groups, reverse, theme (built-in code id), loading, shift of the cut points
_SAMVERKAN_ITEMS = [
    ("s01", "Jag vet vilka mål samordningsförbundet arbetar mot.", "samsyn", 0.61, 0.3),
    ("s02", "Förbundet och dess insatser är väl kända i min egen organisation.", "forankring", 0.55, -0.3),
    ("s03", "Jag har det mandat som behövs för att driva frågor i samverkan.", "styrning", 0.53, 0.0),
    ("s04", "Parterna i förbundet litar på varandra.", "samarbetsklimat", 0.63, 0.2),
    ("s05", "Resultaten av insatserna följs upp på ett sätt som vi har nytta av.", "resultat", 0.57, -0.4),
    ("s06", "Deltagarnas behov styr hur insatserna utformas.", "malgrupp", 0.59, 0.1),
    ("s07", "Vi lär av varandra och utvecklar arbetssätt tillsammans.", "larande", 0.63, 0.0),
    ("s08", "Det som fungerar i insatserna förs över till ordinarie verksamhet.", "implementering", 0.55, -0.5),
    ("s09", "Samverkan tar mer tid än den ger.", "resurser", -0.52, -0.3),
    ("s10", "Jag vet vem jag ska vända mig till hos de andra parterna.", "samverkan", 0.55, 0.4),
]
_DELTAGARE_ITEMS = [
    ("d01", "Jag blev väl bemött när jag började i insatsen.", "samarbetsklimat", 0.62, 0.6),
    ("d02", "Jag har fått vara med och bestämma om min planering.", "malgrupp", 0.66, 0.2),
    ("d03", "Personalen ser hela min situation och inte bara en del av den.", "samverkan", 0.68, 0.1),
    ("d04", "Myndigheterna har samarbetat kring mitt ärende.", "samverkan", 0.60, -0.3),
    ("d05", "Insatsen har gjort att jag mår bättre.", "resultat", 0.64, 0.0),
    ("d06", "Jag har kommit närmare arbete eller studier.", "resultat", 0.66, -0.2),
]
_D07_TEXT = "Jag tror att jag kan få ett arbete eller börja studera"
_D08_TEXT = "Hur väl klarar du din vardag, på en skala från 1 (mycket dåligt) till 6 (mycket bra)?"

# Cut points on the latent scale (N(0, 1)-ish), before the item shift.
_CUTS5 = np.array([-1.7, -0.95, -0.35, 0.55])
_CUTS4 = np.array([-1.55, -0.7, 0.35])

_FORBUND_EFFECT = {"Botkyrka": 0.0, "Huddinge": -0.3, "Södertälje": 0.2, "Östra Södertörn": -0.1, "Uppsala": 0.3}
_YEAR_EFFECT = {2023: 0.0, 2024: 0.2, 2025: 0.4}
_GROUP_EFFECT = {"insatspersonal": 0.0, "styrelse": 0.35, "chefer": 0.15, "remittenter": -0.3, "deltagare": 0.0}
# Mean number of respondents per förbund and year (styrelse is drawn 10-20).
_GROUP_SIZE = {"insatspersonal": 18, "chefer": 14, "remittenter": 14, "deltagare": 40}
_FORBUND_SIZE = {"Botkyrka": 1.0, "Huddinge": 0.9, "Södertälje": 1.0, "Östra Södertörn": 1.05, "Uppsala": 1.1}


def survey_items() -> pd.DataFrame:
    """The question texts of both questionnaires.

    Returns
    -------
    pandas.DataFrame
        One row per item column: ``item`` (column name in the answer frames),
        ``text`` (the statement in Swedish), ``scale`` ("stammer5",
        "ja_absolut4" or "skala1_6"), ``respondentgrupper`` (groups asked,
        joined by "|"), ``reverse`` (True for negatively worded items to
        reverse-code before building an index) and ``tema`` (built-in code id
        the item is closest to).

    Examples
    --------
    >>> from finsam_eval.samples.survey import survey_items
    >>> items = survey_items()
    >>> items.loc[items["reverse"], "item"].tolist()
    ['s09']
    """
    rows = []
    for item, text, tema, _, _ in _SAMVERKAN_ITEMS:
        rows.append((item, text, "stammer5", "|".join(SAMVERKAN_GROUPS), item == "s09", tema))
    for item, text, tema, _, _ in _DELTAGARE_ITEMS:
        rows.append((item, text, "ja_absolut4", "deltagare", False, tema))
    rows.append(
        ("d07_fore", _D07_TEXT + " (när jag började i insatsen).", "ja_absolut4", "deltagare", False, "resultat")
    )
    rows.append(("d07_efter", _D07_TEXT + " (i dag).", "ja_absolut4", "deltagare", False, "resultat"))
    rows.append(("d08_fore", _D08_TEXT + " Före insatsen.", "skala1_6", "deltagare", False, "resultat"))
    rows.append(("d08_efter", _D08_TEXT + " I dag.", "skala1_6", "deltagare", False, "resultat"))
    return pd.DataFrame(rows, columns=["item", "text", "scale", "respondentgrupper", "reverse", "tema"])


def _cut(latent: np.ndarray, cuts: np.ndarray, labels: list[str]) -> np.ndarray:
    return np.asarray(labels, dtype=object)[np.searchsorted(cuts, latent)]


def _respondents(rng: np.random.Generator, groups: list[str]) -> tuple[pd.DataFrame, list[tuple]]:
    """Respondent frame (forbund, ar, respondentgrupp, kon, theta) and population rows."""
    frames, pop = [], []
    for ar in YEARS:
        for f in FORBUND:
            for g in groups:
                if g == "styrelse":
                    n = int(rng.integers(10, 21))
                    population = n + int(rng.integers(2, 10))
                else:
                    n = int(rng.poisson(_GROUP_SIZE[g] * _FORBUND_SIZE[f]))
                    rate = rng.uniform(0.4, 0.65) if g == "deltagare" else rng.uniform(0.45, 0.8)
                    population = int(np.ceil(n / rate))
                pop.append((f, ar, g, population))
                mean = _FORBUND_EFFECT[f] + _YEAR_EFFECT[ar] + _GROUP_EFFECT[g]
                kon_p = [0.55, 0.42, 0.03] if g == "deltagare" else [0.62, 0.36, 0.02]
                frames.append(
                    pd.DataFrame(
                        {
                            "forbund": f,
                            "ar": ar,
                            "respondentgrupp": g,
                            "kon": rng.choice(KON, size=n, p=kon_p),
                            "theta": mean + rng.normal(0.0, 1.0, size=n),
                        }
                    )
                )
    return pd.concat(frames, ignore_index=True), pop


def _nonresponse(
    rng: np.random.Generator, answers: np.ndarray, vet_ej_p: np.ndarray, variants: dict[str, list[str]]
) -> np.ndarray:
    """Add "Vet ej", missing answers and label variants to a column of labels."""
    out = answers.astype(object).copy()
    u = rng.uniform(size=len(out))
    out[u < vet_ej_p] = VET_EJ
    out[(u >= vet_ej_p) & (u < vet_ej_p + 0.03)] = np.nan
    v = rng.uniform(size=len(out))
    pick = rng.integers(0, 2, size=len(out))
    for i in np.flatnonzero(v < 0.02):
        label = out[i]
        if isinstance(label, str) and label in variants:
            options = variants[label]
            out[i] = options[pick[i] % len(options)]
    return out


def _samverkan(rng: np.random.Generator) -> tuple[pd.DataFrame, list[tuple]]:
    resp, pop = _respondents(rng, SAMVERKAN_GROUPS)
    n = len(resp)
    theta = resp["theta"].to_numpy()
    vet_ej_p = np.where(resp["respondentgrupp"].eq("remittenter"), 0.11, 0.035)
    out = resp[["forbund", "ar", "respondentgrupp", "kon"]].copy()
    for item, _, _, loading, shift in _SAMVERKAN_ITEMS:
        latent = loading * theta + np.sqrt(1 - loading**2) * rng.normal(size=n)
        labels = _cut(latent, _CUTS5 + shift, STAMMER5)
        # Follow-up and transfer to ordinary work are less visible from outside.
        p = vet_ej_p * (1.6 if item in ("s05", "s08") else 1.0)
        out[item] = _nonresponse(rng, labels, p, LABEL_VARIANTS)
    return out, pop


def _deltagare(rng: np.random.Generator) -> tuple[pd.DataFrame, list[tuple]]:
    resp, pop = _respondents(rng, ["deltagare"])
    n = len(resp)
    theta = resp["theta"].to_numpy()
    out = resp[["forbund", "ar", "respondentgrupp", "kon"]].copy()
    vet_ej_p = np.full(n, 0.04)
    for item, _, _, loading, shift in _DELTAGARE_ITEMS:
        latent = loading * theta + np.sqrt(1 - loading**2) * rng.normal(size=n)
        out[item] = _nonresponse(rng, _cut(latent, _CUTS4 + shift, JA_ABSOLUT4), vet_ej_p, LABEL_VARIANTS)
    # Before/after pair on the same respondents: belief in getting a job rises.
    person = 0.6 * theta + 0.8 * rng.normal(size=n)
    fore = person - 0.55 + 0.6 * rng.normal(size=n)
    efter = person + 0.15 + 0.6 * rng.normal(size=n)
    out["d07_fore"] = _nonresponse(rng, _cut(fore, _CUTS4, JA_ABSOLUT4), vet_ej_p, LABEL_VARIANTS)
    out["d07_efter"] = _nonresponse(rng, _cut(efter, _CUTS4, JA_ABSOLUT4), vet_ej_p, LABEL_VARIANTS)
    # Numeric 1-6 self-rating before/after (reports show e.g. 3,0 -> 4,3).
    base = 0.7 * theta + rng.normal(0.0, 0.7, size=n)
    d08_fore = np.clip(np.rint(3.0 + base + rng.normal(0.0, 0.6, size=n)), 1, 6)
    d08_efter = np.clip(np.rint(4.2 + base + rng.normal(0.0, 0.6, size=n)), 1, 6)
    d08_fore[rng.uniform(size=n) < 0.03] = np.nan
    d08_efter[rng.uniform(size=n) < 0.03] = np.nan
    out["d08_fore"] = d08_fore
    out["d08_efter"] = d08_efter
    return out, pop


def _finish(df: pd.DataFrame, prefix: str) -> pd.DataFrame:
    df = df.sort_values(["ar", "forbund", "respondentgrupp"], kind="stable").reset_index(drop=True)
    df.insert(0, "respondent_id", [f"{prefix}{i + 1:05d}" for i in range(len(df))])
    return df


def make_survey(seed: int = 2025) -> dict[str, pd.DataFrame]:
    """Simulate the two survey questionnaires, their items and populations.

    Parameters
    ----------
    seed : int, default 2025
        Seed of the random generator; same seed, identical frames.

    Returns
    -------
    dict of str to pandas.DataFrame
        ``survey_samverkan`` (about 900 respondents in the groups
        insatspersonal, styrelse, chefer, remittenter; items ``s01``-``s10``
        as raw text labels on the 5-point "Stämmer ..." scale or "Vet ej",
        missing answers as NaN; ``s09`` is negatively worded),
        ``survey_deltagare`` (about 600 deltagare; ``d01``-``d06`` and the
        before/after pair ``d07_fore``/``d07_efter`` on the 4-point
        "Ja, absolut ..." scale, ``d08_fore``/``d08_efter`` as numbers 1-6),
        ``survey_items`` (see :func:`survey_items`) and ``survey_population``
        (forbund, ar, respondentgrupp, population = number invited).
        Answer frames start with ``respondent_id``, ``forbund``, ``ar``,
        ``respondentgrupp``, ``kon``.

    Examples
    --------
    >>> from finsam_eval.samples.survey import make_survey
    >>> s = make_survey()
    >>> sorted(s)
    ['survey_deltagare', 'survey_items', 'survey_population', 'survey_samverkan']
    >>> s["survey_samverkan"]["respondentgrupp"].unique().tolist()
    ['chefer', 'insatspersonal', 'remittenter', 'styrelse']
    """
    rng = np.random.default_rng(seed)
    samverkan, pop_s = _samverkan(rng)
    deltagare, pop_d = _deltagare(rng)
    population = pd.DataFrame(pop_s + pop_d, columns=["forbund", "ar", "respondentgrupp", "population"])
    population = population.sort_values(["ar", "forbund", "respondentgrupp"], kind="stable").reset_index(drop=True)
    return {
        "survey_samverkan": _finish(samverkan, "SV"),
        "survey_deltagare": _finish(deltagare, "DT"),
        "survey_items": survey_items(),
        "survey_population": population,
    }
