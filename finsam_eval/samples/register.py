"""Simulated register panel: participants in insatser and non-participants, per quarter.

Three förbund (Botkyrka, Huddinge, Södertälje), calendar quarters 2020K1 to
2025K4 (``period`` 0..23). Participants start an insats in cohorts from
2022K1 to 2023K4; non-participants from the same kommuner are never treated.

How the data are made (so that estimators can be checked against a known truth):

* Covariates per person: kon, alder (at 2020K1), utbildning, forsorjning_fore
  (main income source before 2020K1), manader_stod (months on public support
  in the 24 months before 2020K1) and an unobserved person effect.
* Selection: within each förbund, participants are drawn without replacement
  with probability proportional to exp(logit), where the logit rises with
  försörjningsstöd, aktivitetsersättning and months on support, falls with age
  and education, and falls a little with the unobserved person effect (coefficient -0.15 per SD). So
  participants are younger, more often on försörjningsstöd, longer on support
  and work less before the start: a naive comparison is biased, matching on
  covariates alone leaves a small bias, and difference-in-differences
  (person effect differenced away) is unbiased.
* Untreated outcomes are additive in a person term and a common calendar-time
  term (linear probability for arbete_studier; probability of any sick leave
  or social assistance in a quarter times an amount drawn independently of
  everything else), so parallel trends hold exactly in expectation.
* Treated outcomes: from ``start_period`` on, the probability of arbete_studier
  rises by ``effect[forbund] * ramp(e) * u_i`` with ``ramp(e) = min(1, (e + 1) / 4)``
  (full effect from the fourth quarter) and ``u_i ~ U(0.5, 1.5)``; the
  probabilities of sjukpenning and försörjningsstöd fall in the same way.
  Both potential outcomes are drawn with the same uniform numbers, so the
  sample effect ``Y(1) - Y(0)`` is known for every participant-quarter.

The truth (``return_truth=True``) is the *sample* ATT: the mean of
``Y(1) - Y(0)`` over participants and their quarters with event_time 0..8
(every participant has all nine), per förbund and pooled ("Alla"); and the
same mean per event_time from -8 to 8 (exactly 0 before the start).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["REGISTER_FORBUND", "TRUE_EFFECTS", "make_register", "quarter_labels"]

REGISTER_FORBUND = ["Botkyrka", "Huddinge", "Södertälje"]
N_PERIODS = 24
FIRST_YEAR = 2020
START_PERIODS = range(8, 16)  # 2022K1 .. 2023K4
POST_MAX = 8  # the truth averages event_time 0..POST_MAX
PRE_MIN = -8

#: Effect at full ramp (average participant, u_i = 1) per förbund: change in the
#: probability of arbete_studier, of any sjukpenning in the quarter and of any
#: försörjningsstöd in the quarter.
TRUE_EFFECTS = {
    "arbete_studier": {"Botkyrka": 0.08, "Huddinge": 0.04, "Södertälje": 0.12},
    "sjukpenning": {"Botkyrka": -0.03, "Huddinge": -0.02, "Södertälje": -0.05},
    "forsorjningsstod": {"Botkyrka": -0.06, "Huddinge": -0.03, "Södertälje": -0.08},
}
OUTCOMES = ["arbete_studier", "sjukpenningdagar", "forsorjningsstod_kr"]

_SHARE = {"Botkyrka": 0.34, "Huddinge": 0.30, "Södertälje": 0.36}
_INSATSER = {
    "Botkyrka": (["Arbetsträning", "Jobbcoach"], [0.6, 0.4]),
    "Huddinge": (["Samverksteam", "Jobbcoach"], [0.55, 0.45]),
    "Södertälje": (["Stöd till unga", "Arbetsträning"], [0.5, 0.5]),
}
UTBILDNING = ["Förgymnasial", "Gymnasial", "Eftergymnasial"]
FORSORJNING = ["Försörjningsstöd", "Sjukpenning", "Aktivitetsersättning", "Aktivitetsstöd", "Ingen ersättning"]

COLUMNS = [
    "person_id",
    "kommun",
    "forbund",
    "deltagare",
    "insats",
    "start_period",
    "period",
    "kvartal",
    "event_time",
    "kon",
    "alder",
    "utbildning",
    "forsorjning_fore",
    "manader_stod",
    "arbete_studier",
    "sjukpenningdagar",
    "forsorjningsstod_kr",
]


def quarter_labels(n: int = N_PERIODS) -> list[str]:
    """Labels "2020K1", "2020K2", ... for periods 0..n-1.

    Examples
    --------
    >>> quarter_labels()[:2], quarter_labels()[-1]
    (['2020K1', '2020K2'], '2025K4')
    """
    return [f"{FIRST_YEAR + p // 4}K{p % 4 + 1}" for p in range(n)]


def _split(total: int) -> dict[str, int]:
    counts = {f: int(round(total * _SHARE[f])) for f in REGISTER_FORBUND}
    counts[REGISTER_FORBUND[-1]] += total - sum(counts.values())
    return counts


def _persons(rng: np.random.Generator, n_participants: int, n_controls: int) -> pd.DataFrame:
    part, ctrl = _split(n_participants), _split(n_controls)
    forbund = np.concatenate([np.repeat(f, part[f] + ctrl[f]) for f in REGISTER_FORBUND])
    n = len(forbund)
    kon = np.where(rng.uniform(size=n) < 0.5, "Kvinna", "Man")
    alder = 18 + np.floor(rng.beta(1.5, 2.0, size=n) * 45).astype(int)
    utb = rng.choice(3, size=n, p=[0.25, 0.45, 0.30])
    fors = rng.choice(5, size=n, p=[0.22, 0.18, 0.08, 0.12, 0.40])
    # Aktivitetsersättning is paid only to people under 30.
    fors[(fors == 2) & (alder >= 30)] = 1
    share_on_support = np.where(fors == 4, rng.beta(1.0, 8.0, size=n), rng.beta(3.0, 2.0, size=n))
    manader = rng.binomial(24, share_on_support)
    person_effect = rng.normal(size=n)

    fs, sjp, ae, akt, ingen = (fors == k for k in range(5))
    logit = (
        -0.035 * (alder - 35)
        + 0.9 * fs
        + 0.3 * sjp
        + 0.7 * ae
        + 0.4 * akt
        - 0.8 * ingen
        + 0.04 * manader
        + 0.2 * (utb == 0)
        - 0.5 * (utb == 2)
        - 0.15 * person_effect
    )
    # Sampling without replacement proportional to exp(logit) (Gumbel top-k), a fixed number per förbund.
    key = logit + rng.gumbel(size=n)
    deltagare = np.zeros(n, dtype=int)
    for f in REGISTER_FORBUND:
        idx = np.flatnonzero(forbund == f)
        deltagare[idx[np.argsort(-key[idx], kind="stable")[: part[f]]]] = 1

    kommun = forbund.astype(object).copy()
    in_sdt = forbund == "Södertälje"
    kommun[in_sdt & (rng.uniform(size=n) < 0.15)] = "Nykvarn"

    start = np.full(n, np.nan)
    start[deltagare == 1] = rng.integers(START_PERIODS.start, START_PERIODS.stop, size=int(deltagare.sum()))
    insats = np.full(n, np.nan, dtype=object)
    for f in REGISTER_FORBUND:
        names, p = _INSATSER[f]
        idx = np.flatnonzero((forbund == f) & (deltagare == 1))
        insats[idx] = rng.choice(names, size=len(idx), p=p)
    # The youth insats takes people under 30 in Södertälje.
    young = (forbund == "Södertälje") & (deltagare == 1) & (alder < 27)
    insats[young] = "Stöd till unga"
    insats[(insats == "Stöd till unga") & (alder >= 30)] = "Arbetsträning"

    # Serial ids in random order, so row order says nothing about participation.
    order = rng.permutation(n)
    person_id = np.array([f"L{i + 1:07d}" for i in range(n)], dtype=object)[np.argsort(order)]
    return pd.DataFrame(
        {
            "person_id": person_id,
            "kommun": kommun,
            "forbund": forbund,
            "deltagare": deltagare,
            "insats": insats,
            "start_period": start,
            "kon": kon,
            "alder": alder,
            "utbildning": np.asarray(UTBILDNING, dtype=object)[utb],
            "forsorjning_fore": np.asarray(FORSORJNING, dtype=object)[fors],
            "manader_stod": manader,
            "_person_effect": person_effect,
        }
    )


def _panel(rng: np.random.Generator, persons: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    n, T = len(persons), N_PERIODS
    t = np.arange(T)
    q = t % 4  # 0 = K1
    covid = ((t >= 1) & (t <= 4)).astype(float)

    fors = persons["forsorjning_fore"].to_numpy()
    utb = persons["utbildning"].to_numpy()
    alder = persons["alder"].to_numpy()
    manader = persons["manader_stod"].to_numpy()
    pe = persons["_person_effect"].to_numpy()
    forbund = persons["forbund"].to_numpy()
    fs, sjp, ae, akt = (fors == k for k in FORSORJNING[:4])
    f_emp = np.select([forbund == "Botkyrka", forbund == "Huddinge"], [-0.02, 0.02], 0.0)

    # Person terms (time-invariant) and common time terms; the sums stay inside [0, 1].
    emp_i = np.clip(
        0.36
        + 0.07 * (utb == "Gymnasial")
        + 0.14 * (utb == "Eftergymnasial")
        - 0.14 * fs
        - 0.10 * sjp
        - 0.20 * ae
        - 0.06 * akt
        - 0.006 * manader
        - 0.002 * np.abs(alder - 38)
        + f_emp
        + 0.07 * pe,
        0.04,
        0.65,
    )
    emp_t = 0.003 * t - 0.035 * covid + 0.012 * (q == 2)
    sick_i = np.clip(0.06 + 0.40 * sjp + 0.02 * ae + 0.004 * manader + 0.002 * (alder - 35) - 0.03 * pe, 0.03, 0.7)
    sick_t = -0.001 * t + 0.02 * covid + 0.01 * (q == 0)
    fsst_i = np.clip(0.03 + 0.55 * fs + 0.05 * akt + 0.004 * manader - 0.04 * pe, 0.05, 0.85)
    fsst_t = -0.002 * t

    start = persons["start_period"].to_numpy()
    treated = persons["deltagare"].to_numpy() == 1
    e = t[None, :] - np.where(treated, start, 0)[:, None]
    post = treated[:, None] & (e >= 0)
    ramp = np.where(post, np.minimum(1.0, (e + 1) / 4.0), 0.0)
    u = np.where(treated, rng.uniform(0.5, 1.5, size=n), 0.0)
    scale = ramp * u[:, None]

    def eff(outcome: str) -> np.ndarray:
        return np.array([TRUE_EFFECTS[outcome][f] for f in forbund])[:, None] * scale

    p0 = emp_i[:, None] + emp_t[None, :]
    p1 = np.clip(p0 + eff("arbete_studier"), 0.0, 1.0)
    s0 = sick_i[:, None] + sick_t[None, :]
    s1 = np.clip(s0 + eff("sjukpenning"), 0.0, 1.0)
    r0 = fsst_i[:, None] + fsst_t[None, :]
    r1 = np.clip(r0 + eff("forsorjningsstod"), 0.0, 1.0)

    # Common random numbers: Y(1) and Y(0) differ only where the probability shift matters.
    u_emp, u_sick, u_fs = (rng.uniform(size=(n, T)) for _ in range(3))
    days = np.clip(np.rint(92 * rng.beta(1.2, 1.0, size=(n, T))), 1, 92).astype(int)
    kr = (np.rint(rng.gamma(4.0, 24_000 / 4.0, size=(n, T)) / 10) * 10).astype(int)
    y = {
        "arbete_studier": ((u_emp < p0).astype(int), (u_emp < p1).astype(int)),
        "sjukpenningdagar": ((u_sick < s0) * days, (u_sick < s1) * days),
        "forsorjningsstod_kr": ((u_fs < r0) * kr, (u_fs < r1) * kr),
    }

    kvartal = np.asarray(quarter_labels(T), dtype=object)
    panel = persons.drop(columns="_person_effect").loc[np.repeat(np.arange(n), T)].reset_index(drop=True)
    panel["period"] = np.tile(t, n)
    panel["kvartal"] = np.tile(kvartal, n)
    panel["event_time"] = (panel["period"] - panel["start_period"]).astype(float)
    for name, (y0, y1) in y.items():
        panel[name] = np.where(post, y1, y0).ravel()
    panel = panel[COLUMNS].sort_values(["person_id", "period"], kind="stable").reset_index(drop=True)
    return panel, _truth(persons, e, treated, y)


def _truth(persons: pd.DataFrame, e: np.ndarray, treated: np.ndarray, y: dict) -> pd.DataFrame:
    rows = []
    groups = [("Alla", treated)] + [(f, treated & (persons["forbund"].to_numpy() == f)) for f in REGISTER_FORBUND]
    for outcome, (y0, y1) in y.items():
        diff = (y1 - y0).astype(float)
        for label, who in groups:
            d, ev = diff[who], e[who]
            n_pers = int(who.sum())
            window = (ev >= 0) & (ev <= POST_MAX)
            rows.append((label, outcome, "ATT, medel efter start", np.nan, round(float(d[window].mean()), 6), n_pers))
            for k in range(PRE_MIN, POST_MAX + 1):
                rows.append(
                    (label, outcome, "ATT per event_time", float(k), round(float(d[ev == k].mean()), 6), n_pers)
                )
    return pd.DataFrame(rows, columns=["forbund", "outcome", "estimand", "event_time", "value", "n_personer"])


def make_register(
    seed: int = 2025,
    n_participants: int = 1000,
    n_controls: int = 8000,
    return_truth: bool = False,
) -> pd.DataFrame | tuple[pd.DataFrame, pd.DataFrame]:
    """Simulate a person-quarter register panel with a known treatment effect.

    Parameters
    ----------
    seed : int, default 2025
        Seed of the random generator; same seed, identical frames.
    n_participants, n_controls : int
        Number of participants (split about 34/30/36 % over Botkyrka,
        Huddinge, Södertälje) and of never-treated non-participants.
    return_truth : bool, default False
        Also return the true effects (see Notes).

    Returns
    -------
    panel : pandas.DataFrame
        Balanced panel, one row per person and quarter (24 quarters), sorted
        by person_id and period, with columns ``person_id`` ("L0000123"),
        ``kommun``, ``forbund``, ``deltagare`` (0/1), ``insats`` (NaN for
        non-participants), ``start_period`` (float, NaN = never treated),
        ``period`` (0..23), ``kvartal`` ("2020K1".."2025K4"), ``event_time``
        (period - start_period, NaN for non-participants), ``kon``, ``alder``
        (at 2020K1), ``utbildning``, ``forsorjning_fore``, ``manader_stod``,
        and the outcomes ``arbete_studier`` (0/1), ``sjukpenningdagar`` (0-92)
        and ``forsorjningsstod_kr`` (kronor in the quarter).
    truth : pandas.DataFrame, only if ``return_truth``
        Long table with ``forbund`` (a förbund or "Alla"), ``outcome``,
        ``estimand``, ``event_time``, ``value``, ``n_personer``. Estimand
        "ATT, medel efter start" (event_time NaN) is the mean of
        Y(1) - Y(0) over all participants and their quarters with
        event_time 0..8; "ATT per event_time" is the same mean for one
        event_time (-8..8; exactly 0 before the start).

    Notes
    -----
    Selection into participation depends on the covariates and weakly on an
    unobserved, time-invariant person effect; untreated outcomes follow
    parallel trends. Difference-in-differences against the never-treated
    recovers the truth; a naive post-period comparison of participants with
    non-participants is strongly biased downwards for arbete_studier. See
    the module docstring for the full data-generating process.

    Examples
    --------
    >>> from finsam_eval.samples.register import make_register
    >>> panel, truth = make_register(n_participants=100, n_controls=300, return_truth=True)
    >>> panel.shape
    (9600, 17)
    >>> sorted(truth["estimand"].unique())
    ['ATT per event_time', 'ATT, medel efter start']
    """
    rng = np.random.default_rng(seed)
    persons = _persons(rng, n_participants, n_controls)
    panel, truth = _panel(rng, persons)
    return (panel, truth) if return_truth else panel
