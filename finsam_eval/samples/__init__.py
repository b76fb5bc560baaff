"""Sample data: invented excerpts, simulated surveys and a simulated register panel.

Everything is generated from a seed by code in this package; the files in the
repository's ``data_samples/`` folder are exactly what :func:`write_samples`
writes. :func:`load_sample` reads those files when they sit beside the package
(a checkout or editable install) and otherwise regenerates the data in memory,
so it returns the same frame either way.

========================  ==========================  ==============================================
name                      file                        content
========================  ==========================  ==============================================
``excerpts``              ``intervjuutdrag.csv``      interview excerpts coded by two coders
``survey_samverkan``      ``enkat_samverkan.csv``     samverkan survey (5-point "Stämmer ..." scale)
``survey_deltagare``      ``enkat_deltagare.csv``     participant survey (4-point "Ja, absolut ...")
``survey_items``          ``enkat_fragor.csv``        question texts, scales, reverse-coded items
``survey_population``     ``enkat_population.csv``    number invited per förbund, year and group
``register``              ``register.csv.gz``         person-quarter register panel 2020K1-2025K4
``register_truth``        ``register_sanning.csv``    true effects (sample ATT) in the panel
``kommun_panel``          ``kommun_panel.csv``        share on försörjningsstöd/sjukpenning per kommun and year
========================  ==========================  ==============================================
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .._warn import warn
from ..errors import FinsamError
from . import _io
from .kommun import make_kommun_panel
from .register import make_register
from .survey import make_survey

__all__ = [
    "load_sample",
    "list_samples",
    "write_samples",
    "make_survey",
    "make_register",
    "make_excerpts",
    "make_kommun_panel",
    "SAMPLE_NAMES",
]

SEED = 2025


@dataclass(frozen=True)
class _Spec:
    file: str
    encoding: str
    schema: dict[str, str]
    description: str


_T, _I, _F = "text", "int", "float"
_SPECS: dict[str, _Spec] = {
    "excerpts": _Spec(
        "intervjuutdrag.csv",
        "utf-8-sig",
        {
            "excerpt_id": _T,
            "text": _T,
            "forbund": _T,
            "respondent_id": _T,
            "roll": _T,
            "kalla": _T,
            "datum": "date",
            "codes_a": "list",
            "codes_b": "list",
            "negated_themes": "list",
            "innehaller_personuppgift": "bool",
        },
        "Påhittade intervjuutdrag om samverkan, kodade av två kodare (koder åtskilda med |).",
    ),
    "survey_samverkan": _Spec(
        "enkat_samverkan.csv",
        "utf-8-sig",
        {"respondent_id": _T, "forbund": _T, "ar": _I, "respondentgrupp": _T, "kon": _T}
        | {f"s{i:02d}": _T for i in range(1, 11)},
        "Simulerad samverkansenkät 2023-2025 till insatspersonal, styrelse, chefer och remittenter "
        "(femgradig skala Stämmer inte alls - Stämmer helt, Vet ej).",
    ),
    "survey_deltagare": _Spec(
        "enkat_deltagare.csv",
        "cp1252",
        {"respondent_id": _T, "forbund": _T, "ar": _I, "respondentgrupp": _T, "kon": _T}
        | {f"d{i:02d}": _T for i in range(1, 7)}
        | {"d07_fore": _T, "d07_efter": _T, "d08_fore": _F, "d08_efter": _F},
        "Simulerad deltagarenkät 2023-2025 (fyrgradig skala Ja, absolut - Inte alls, Vet ej; "
        "före/efter-par på samma personer).",
    ),
    "survey_items": _Spec(
        "enkat_fragor.csv",
        "utf-8-sig",
        {"item": _T, "text": _T, "scale": _T, "respondentgrupper": _T, "reverse": "bool", "tema": _T},
        "Enkätfrågornas lydelse, svarsskala, tillfrågade grupper och omvänt formulerade frågor.",
    ),
    "survey_population": _Spec(
        "enkat_population.csv",
        "utf-8-sig",
        {"forbund": _T, "ar": _I, "respondentgrupp": _T, "population": _I},
        "Antal som fick enkäten per förbund, år och respondentgrupp (för svarsfrekvens).",
    ),
    "register": _Spec(
        "register.csv.gz",
        "utf-8-sig",
        {
            "person_id": _T,
            "kommun": _T,
            "forbund": _T,
            "deltagare": _I,
            "insats": _T,
            "start_period": _F,
            "period": _I,
            "kvartal": _T,
            "event_time": _F,
            "kon": _T,
            "alder": _I,
            "utbildning": _T,
            "forsorjning_fore": _T,
            "manader_stod": _I,
            "arbete_studier": _I,
            "sjukpenningdagar": _I,
            "forsorjningsstod_kr": _I,
        },
        "Simulerad registerpanel per person och kvartal 2020K1-2025K4: deltagare i insatser och "
        "icke-deltagare i Botkyrka, Huddinge och Södertälje.",
    ),
    "register_truth": _Spec(
        "register_sanning.csv",
        "utf-8-sig",
        {"forbund": _T, "outcome": _T, "estimand": _T, "event_time": _F, "value": _F, "n_personer": _I},
        "Sanna effekter i registerpanelen (stickprovets ATT), per förbund och totalt, i medel och per event_time.",
    ),
    "kommun_panel": _Spec(
        "kommun_panel.csv",
        "utf-8-sig",
        {"kommun": _T, "forbund": _T, "ar": _I, "befolkning_16_64": _I, "antal_stod": _I, "andel_stod": _F,
         "behandlad": _I, "sann_effekt": _F},
        "Simulerad kommunpanel 2012-2024: andel av befolkningen 16-64 år med försörjningsstöd eller sjukpenning "
        "i 50 kommuner; förbundet Södertörn (Botkyrka, Huddinge, Södertälje) har en känd effekt från 2019.",
    ),
}

#: Names accepted by :func:`load_sample`.
SAMPLE_NAMES = tuple(_SPECS)


def _check_name(name: str) -> _Spec:
    if name not in _SPECS:
        raise FinsamError(f"Okänt exempeldataset '{name}'. Välj ett av: {', '.join(SAMPLE_NAMES)}.")
    return _SPECS[name]


@functools.lru_cache(maxsize=2)
def _survey(seed: int) -> dict[str, pd.DataFrame]:
    return make_survey(seed)


@functools.lru_cache(maxsize=2)
def _register(seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    return make_register(seed, return_truth=True)


def _excerpts_maker():
    """``make_excerpts`` if that module is installed, else None."""
    try:
        from .excerpts import make_excerpts
    except ImportError:
        return None
    return make_excerpts


def __getattr__(name: str):
    # make_excerpts lives in its own module with packaged YAML; import it on first use.
    if name == "make_excerpts":
        maker = _excerpts_maker()
        if maker is not None:
            return maker
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _generate(name: str, seed: int = SEED) -> pd.DataFrame:
    """The sample frame straight from the generator (typed like the file)."""
    spec = _check_name(name)
    if name == "excerpts":
        maker = _excerpts_maker()
        if maker is None:
            raise FinsamError(
                "Intervjuutdragen finns inte i den här versionen av finsam_eval (modulen samples.excerpts saknas)."
            )
        df = maker(seed=seed)
    elif name.startswith("survey_"):
        df = _survey(seed)[name]
    elif name == "kommun_panel":
        df = make_kommun_panel(seed)
    else:
        panel, truth = _register(seed)
        df = panel if name == "register" else truth
    return _io.coerce(df, spec.schema, name)


@functools.cache
def _load(name: str) -> pd.DataFrame:
    spec = _check_name(name)
    path = _io.repo_data_dir() / spec.file
    if path.is_file():
        return _io.read_file(path, spec.schema, spec.encoding, name)
    return _generate(name)


def load_sample(name: str) -> pd.DataFrame:
    """Load one of the bundled sample data sets.

    Parameters
    ----------
    name : str
        One of "excerpts", "survey_samverkan", "survey_deltagare",
        "survey_items", "survey_population", "register", "register_truth",
        "kommun_panel" (see :func:`list_samples`).

    Returns
    -------
    pandas.DataFrame
        A fresh copy: reading ``data_samples/`` when it sits beside the package,
        otherwise regenerated from seed 2025 (the same frame, dtypes included).
        Survey answers are raw text labels as a survey tool exports them,
        including "Vet ej", missing answers (NaN) and a few spelling variants
        to normalise.

    Raises
    ------
    FinsamError
        For an unknown name.

    Examples
    --------
    >>> from finsam_eval.samples import load_sample
    >>> sv = load_sample("survey_samverkan")
    >>> list(sv.columns[:5])
    ['respondent_id', 'forbund', 'ar', 'respondentgrupp', 'kon']
    >>> pop = load_sample("survey_population")
    >>> int(pop.query("forbund == 'Uppsala' and ar == 2024 and respondentgrupp == 'styrelse'")["population"].iloc[0]) > 10
    True
    """
    return _load(name).copy()


def list_samples() -> pd.DataFrame:
    """Describe the sample data sets.

    Returns
    -------
    pandas.DataFrame
        Columns ``name`` (for :func:`load_sample`), ``file`` (in ``data_samples/``),
        ``rows``, ``columns`` and ``description`` (Swedish). Data sets that
        cannot be built in this installation are left out.

    Examples
    --------
    >>> from finsam_eval.samples import list_samples
    >>> "register" in list_samples()["name"].tolist()
    True
    """
    rows = []
    for name, spec in _SPECS.items():
        try:
            df = _load(name)
        except FinsamError:
            continue
        rows.append((name, spec.file, len(df), df.shape[1], spec.description))
    return pd.DataFrame(rows, columns=["name", "file", "rows", "columns", "description"])


def write_samples(folder: str | Path = "data_samples", seed: int = SEED) -> list[Path]:
    """Write every sample file and ``README.md`` into ``folder``.

    Parameters
    ----------
    folder : str or Path, default "data_samples"
        Target folder (created if missing). Existing sample files are overwritten.
    seed : int, default 2025
        Seed of the generators. The repository's ``data_samples/`` holds seed 2025.

    Returns
    -------
    list of Path
        The files written.

    Examples
    --------
    >>> import tempfile
    >>> from finsam_eval.samples import write_samples
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     paths = write_samples(tmp)
    ...     sorted(p.name for p in paths)[:3]
    ['README.md', 'enkat_deltagare.csv', 'enkat_fragor.csv']
    """
    from ._readme import readme_text

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, spec in _SPECS.items():
        try:
            df = _generate(name, seed)
        except FinsamError as err:
            warn(f"{spec.file} skrevs inte: {err}", stacklevel=2)
            continue
        path = folder / spec.file
        _io.write_file(path, df, spec.schema, spec.encoding)
        written.append(path)
    readme = folder / "README.md"
    readme.write_text(readme_text(seed), encoding="utf-8")
    written.append(readme)
    return written
