"""Simulated kommun-level panel: the share of the population 16-64 on försörjningsstöd or sjukpenning.

The kind of open statistics an evaluator of a samordningsförbund actually has:
one row per kommun and year, 2012-2024, for 50 kommuner (real names, invented
numbers). The förbund "Södertörn" (Botkyrka, Huddinge, Södertälje) scales up
its insatser from 2019 on; that lowers the share in its three kommuner by
exactly :data:`TRUE_EFFECT` percentage points in every year from 2019.

How the numbers are made (so that estimators can be checked against a truth):

* ``andel_stod`` (percent) = kommun level + common year effect
  + loading x common factor + noise (SD 0.12) + the effect. The common factor
  is a decline that flattens out with a bump in 2020-2021 (the pandemic);
  kommuner with a high level load more on it, so they fall faster.
* The Södertörn kommuner have high levels and high loadings. Plain
  difference-in-differences against all other kommuner therefore mistakes
  part of their faster decline for an effect (it is biased away from zero);
  synthetic control and synthetic DiD weight the kommuner that look like them
  before 2019 and get close to the truth.
* ``sann_effekt`` holds the true effect of each row (0 outside the förbund
  and before 2019); its mean over the treated kommun-years is the estimand of
  :func:`finsam_eval.effects.synth.synthdid`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["make_kommun_panel", "TRUE_EFFECT", "KOMMUN_FORBUND", "KOMMUN_START", "KOMMUN_TREATED"]

#: Effect of the förbund's insatser on the share (percentage points) from :data:`KOMMUN_START` on.
TRUE_EFFECT = -0.8
#: The treated förbund and its kommuner.
KOMMUN_FORBUND = "Södertörn"
KOMMUN_TREATED = ["Botkyrka", "Huddinge", "Södertälje"]
#: First treated year.
KOMMUN_START = 2019
YEARS = list(range(2012, 2025))

# (kommun, förbund, population 16-64 in 2012, level of the share in 2012, %)
_KOMMUNER = [
    ("Botkyrka", "Södertörn", 56_000, 13.4), ("Huddinge", "Södertörn", 67_000, 9.8),
    ("Södertälje", "Södertörn", 61_000, 14.1),
    ("Haninge", "Haninge-Nynäshamn", 52_000, 11.6), ("Nynäshamn", "Haninge-Nynäshamn", 17_000, 10.9),
    ("Tyresö", "Tyresö-Nacka-Värmdö", 28_000, 7.9), ("Nacka", "Tyresö-Nacka-Värmdö", 62_000, 6.8),
    ("Värmdö", "Tyresö-Nacka-Värmdö", 25_000, 7.4),
    ("Järfälla", "Nordväst", 45_000, 10.7), ("Sollentuna", "Nordväst", 44_000, 7.3),
    ("Upplands Väsby", "Nordväst", 27_000, 10.2), ("Sigtuna", "Nordväst", 30_000, 12.2),
    ("Upplands-Bro", "Nordväst", 16_000, 10.4),
    ("Sundbyberg", "Sundbyberg-Solna", 30_000, 10.5), ("Solna", "Sundbyberg-Solna", 52_000, 7.6),
    ("Norrtälje", "Norrtälje", 33_000, 11.2), ("Salem", "Salem-Nykvarn", 10_000, 8.6),
    ("Nykvarn", "Salem-Nykvarn", 6_000, 8.9),
    ("Uppsala", "Uppsala", 140_000, 8.7), ("Enköping", "Enköping-Håbo", 25_000, 10.0),
    ("Eskilstuna", "Eskilstuna", 60_000, 14.6), ("Strängnäs", "Strängnäs", 20_000, 10.1),
    ("Nyköping", "Sörmland Öst", 31_000, 10.8), ("Katrineholm", "Katrineholm-Vingåker", 19_000, 13.2),
    ("Västerås", "Västerås", 92_000, 11.3), ("Köping", "Västra Mälardalen", 15_000, 12.6),
    ("Örebro", "Örebro", 95_000, 11.0), ("Norrköping", "Norrköping", 86_000, 13.0),
    ("Linköping", "Linköping", 100_000, 8.5), ("Motala", "Motala", 26_000, 12.9),
    ("Gävle", "Gävle", 62_000, 12.7), ("Sandviken", "Sandviken", 23_000, 13.0),
    ("Borlänge", "Södra Dalarna", 32_000, 14.4), ("Falun", "Falun", 36_000, 9.9),
    ("Karlstad", "Karlstad", 59_000, 10.3), ("Jönköping", "Jönköping", 86_000, 9.4),
    ("Växjö", "Växjö", 57_000, 8.8), ("Kalmar", "Kalmar", 40_000, 10.0),
    ("Halmstad", "Halmstad", 60_000, 10.6), ("Borås", "Borås", 65_000, 11.8),
    ("Trollhättan", "Trollhättan", 36_000, 13.8), ("Landskrona", "Landskrona-Svalöv", 28_000, 15.1),
    ("Helsingborg", "Helsingborg", 88_000, 12.4), ("Lund", "Lund", 82_000, 6.9),
    ("Kristianstad", "Kristianstad", 51_000, 12.3), ("Luleå", "Luleå", 51_000, 9.1),
    ("Umeå", "Umeå", 80_000, 8.2), ("Sundsvall", "Sundsvall", 62_000, 11.1),
    ("Östersund", "Östersund", 39_000, 9.6), ("Skellefteå", "Skellefteå", 45_000, 10.4),
]


def make_kommun_panel(seed: int = 2025) -> pd.DataFrame:
    """The kommun-year panel 2012-2024 with a known effect for the förbund Södertörn from 2019.

    Parameters
    ----------
    seed : int, default 2025
        Seed of the noise, the loadings and the population changes.

    Returns
    -------
    pandas.DataFrame
        One row per kommun and year (50 x 13 = 650 rows), sorted by kommun and
        year: ``kommun``, ``forbund``, ``ar``, ``befolkning_16_64``,
        ``antal_stod`` (persons with försörjningsstöd or sjukpenning during the
        year), ``andel_stod`` (their share of the population 16-64, percent,
        two decimals), ``behandlad`` (1 for the förbund's kommuner from 2019)
        and ``sann_effekt`` (the true effect of the row, percentage points).

    Examples
    --------
    >>> df = make_kommun_panel()
    >>> df.shape, int(df["behandlad"].sum())
    ((650, 8), 18)
    >>> float(df.loc[df["behandlad"] == 1, "sann_effekt"].mean())
    -0.8
    """
    rng = np.random.default_rng(seed)
    years = np.array(YEARS)
    k = len(_KOMMUNER)
    level = np.array([r[3] for r in _KOMMUNER])
    # Common factor: a decline 2012-2019 that flattens, a pandemic bump in 2020-2021.
    s = (years - years[0]) / (KOMMUN_START - years[0])
    factor = -1.6 * np.minimum(s, 1.0) - 0.4 * np.maximum(s - 1.0, 0.0)
    factor = factor + np.where(years == 2020, 0.9, 0.0) + np.where(years == 2021, 0.5, 0.0)
    year_effect = 0.15 * np.sin(years / 1.7)
    # High-share kommuner fall faster: the loading rises with the level (plus kommun-specific noise).
    loading = 0.45 + 0.2 * (level - 8.0) + rng.normal(0.0, 0.12, k)
    treated = np.array([r[0] in KOMMUN_TREATED for r in _KOMMUNER])
    noise = rng.normal(0.0, 0.12, (k, len(years)))
    effect = np.where(treated[:, None] & (years[None, :] >= KOMMUN_START), TRUE_EFFECT, 0.0)
    share = level[:, None] + year_effect[None, :] + loading[:, None] * factor[None, :] + noise + effect
    pop0 = np.array([r[2] for r in _KOMMUNER], dtype=float)
    growth = rng.normal(0.008, 0.004, k)
    pop = np.rint(pop0[:, None] * (1 + growth[:, None]) ** (years - years[0])[None, :]).astype(int)
    share = np.round(share, 2)
    rows = []
    for i, (name, forbund, _, _) in enumerate(_KOMMUNER):
        for j, y in enumerate(years):
            rows.append({
                "kommun": name, "forbund": forbund, "ar": int(y), "befolkning_16_64": int(pop[i, j]),
                "antal_stod": int(round(pop[i, j] * share[i, j] / 100)), "andel_stod": float(share[i, j]),
                "behandlad": int(effect[i, j] != 0), "sann_effekt": float(effect[i, j]),
            })
    return pd.DataFrame(rows).sort_values(["kommun", "ar"], kind="stable").reset_index(drop=True)
