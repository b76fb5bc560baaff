"""``finsam-eval rapport``: the whole slutrapport from a config file (or the demo data).

The command reads the files named in a TOML config, runs the three pillars
and writes the report as Word, HTML and Markdown. ``--demo`` runs the same
steps on the built-in sample data, with the config in
``data_samples/rapport.toml`` as the example to copy.

Config keys (all paths relative to the config file)::

    [rapport]      titel, undertitel, forfattare, format = ["docx", "html", "md"], min_antal = 5
    [kodning]      fil, kodbok, grupper = ["forbund", "roll"], kodare = ["codes_a", "codes_b"],
                   citat_per_tema = 2, teman_med_citat = 4, nyckel_miljovariabel = "FINSAM_NYCKEL",
                   nyckel_fil, namn = [...], filnamn = "{forbund}_{roll}_{respondent}",
                   respondent_global = false, kolumner = {respondent = "IP", forbund = "Förbund", ...}
    [[enkat]]      fil, skala (preset, "auto", "A|B|C" or a table: etiketter, neutral, ej_svar, ordning,
                   fragor, omvanda), fragor = [...], fragefil, grupp = "forbund", population,
                   index_fragor = [...], omvanda = [...], rubrik, kolumner = {id = "Svars-ID", forbund = ...}
    [effekt]       fil, utfall, kovariater = [...], exakt = [...], per = "forbund",
                   eventstudie = true, jamforelse_andel = 0.33, jamforelse_namn = "riket",
                   arlig_kostnad_stod = 500000, kostnad_per_deltagare = 0,
                   kolumner = {id = "lopnr", period = "kvartal", behandling = "deltar", ...}

``kolumner`` maps a column role to the column's name in your file. Roles:
id, respondent, forbund, roll, grupp, ar, text, fraga (excerpts and surveys);
id, period, behandling, start, forbund (register). The same role names are the
flags of the other commands (``--respondent``, ``--forbund``, ...).
"""

from __future__ import annotations

import argparse
import os
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from tqdm import tqdm

from .. import __version__
from .._config import option_context
from ..errors import ConfigError
from ..report import Report

# Keys each section accepts, and the type expected: a bad key is an error, not ignored.
_SCHEMA: dict[str, dict[str, type | tuple[type, ...]]] = {
    "rapport": {"titel": str, "undertitel": str, "forfattare": str, "format": list, "min_antal": int},
    "kodning": {
        "fil": str, "kodbok": str, "grupper": list, "kodare": list, "citat_per_tema": int,
        "teman_med_citat": int, "nyckel_miljovariabel": str, "nyckel_fil": str, "namn": list,
        "kolumner": dict, "filnamn": str, "respondent_global": bool,
    },
    "enkat": {
        "fil": str, "skala": (str, dict), "fragor": list, "fragefil": str, "grupp": str, "population": str,
        "index_fragor": list, "omvanda": list, "rubrik": str, "kolumner": dict,
    },
    "effekt": {
        "fil": str, "utfall": str, "kovariater": list, "exakt": list, "per": str, "eventstudie": bool,
        "jamforelse_andel": (float, int), "jamforelse_namn": str, "arlig_kostnad_stod": (float, int),
        "kostnad_per_deltagare": (float, int), "kolumner": dict,
    },
}
# Column roles of a survey table and the column name the analyses use for each.
_SURVEY_ROLES = {"id": "respondent_id", "respondent": "respondent_id", "forbund": "forbund", "roll": "roll",
                 "ar": "ar", "grupp": "respondentgrupp", "respondentgrupp": "respondentgrupp"}
_REQUIRED = {"kodning": ["fil"], "enkat": ["fil"], "effekt": ["fil", "utfall"]}
_FORMATS = ("docx", "html", "md")

DEMO_CONFIG: dict[str, Any] = {
    "rapport": {
        "titel": "Samverkan och resultat i fem samordningsförbund",
        "undertitel": "Exempelrapport på påhittade data (finsam_eval --demo)",
        "forfattare": "finsam_eval",
        "format": list(_FORMATS),
    },
    "kodning": {"fil": "excerpts", "grupper": ["forbund", "roll"], "kodare": ["codes_a", "codes_b"],
                "citat_per_tema": 2, "teman_med_citat": 4,
                # Invented first names that occur in the sample excerpts: pseudonymised before quoting.
                "namn": ["Samira", "Mirela", "Ahmed", "Johan", "Leila", "Petra"]},
    "enkat": [
        {"fil": "survey_samverkan", "skala": "stammer5", "fragefil": "survey_items", "grupp": "forbund",
         "population": "survey_population", "index_fragor": ["s01", "s02", "s03", "s04", "s05", "s06", "s07", "s08",
                                                             "s09", "s10"],
         "omvanda": ["s09"], "rubrik": "Enkät till samverkansparterna"},
        {"fil": "survey_deltagare", "skala": "ja_absolut4", "fragefil": "survey_items", "grupp": "forbund",
         "population": "survey_population", "fragor": ["d01", "d02", "d03", "d04", "d05", "d06"],
         "rubrik": "Enkät till deltagare"},
    ],
    "effekt": {"fil": "register", "utfall": "arbete_studier",
               "kovariater": ["alder", "kon", "utbildning", "forsorjning_fore", "manader_stod"],
               "exakt": ["forbund"], "per": "forbund", "eventstudie": True,
               "jamforelse_andel": 0.33, "jamforelse_namn": "riksgenomsnittet", "arlig_kostnad_stod": 500000,
               "kostnad_per_deltagare": 60000},
}
# The demo's pseudonymisation key: fixed, so the demo is reproducible. Real reports take the key from
# an environment variable (nyckel_miljovariabel) so that it never sits in a file.
_DEMO_KEY = "finsam-eval-demo"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "rapport",
        help="skriv hela slutrapporten (Word, HTML, Markdown)",
        description="Kör kodning, enkätsammanställning och effektskattning och skriv slutrapporten.",
    )
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--demo", action="store_true", help="använd de inbyggda exempeldata")
    src.add_argument("--config", type=Path, metavar="FIL", help="rapportinställningar i TOML (se data_samples/rapport.toml)")
    p.add_argument("--out", type=Path, default=Path("rapport"), metavar="MAPP", help="mapp för rapporten (standard: rapport)")
    p.add_argument("--format", default=None, metavar="LISTA", help="t.ex. docx,html,md (standard: alla)")
    p.add_argument("--tyst", action="store_true", help="inga förloppsindikatorer")
    p.set_defaults(func=_run)


# -- config -------------------------------------------------------------------------------------

def load_config(path: Path) -> dict[str, Any]:
    """Read and check a report config; errors name the key and what was expected."""
    try:
        raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"Konfigurationsfilen {path} finns inte.") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: inte giltig TOML ({exc}). Kontrollera citattecken och hakparenteser.") from None
    return check_config(raw, source=str(path))


def check_config(cfg: dict[str, Any], source: str = "konfigurationen") -> dict[str, Any]:
    """Validate a config dict against the documented keys and types."""
    unknown = set(cfg) - set(_SCHEMA)
    if unknown:
        raise ConfigError(f"{source}: okända avsnitt {sorted(unknown)}; giltiga är {sorted(_SCHEMA)}.")
    if not any(k in cfg for k in ("kodning", "enkat", "effekt")):
        raise ConfigError(f"{source}: ange minst ett av avsnitten [kodning], [[enkat]] eller [effekt].")
    for section, keys in _SCHEMA.items():
        if section not in cfg:
            continue
        blocks = cfg[section] if isinstance(cfg[section], list) else [cfg[section]]
        for i, block in enumerate(blocks):
            where = f"[{section}]" + (f" nr {i + 1}" if len(blocks) > 1 else "")
            if not isinstance(block, dict):
                raise ConfigError(f"{source}: {where} ska vara en tabell med nycklar.")
            for key, value in block.items():
                if key not in keys:
                    raise ConfigError(f"{source}: okänd nyckel '{key}' i {where}; giltiga är {sorted(keys)}.")
                if not isinstance(value, keys[key]) or (keys[key] is int and isinstance(value, bool)):
                    want = keys[key] if isinstance(keys[key], type) else keys[key][0]
                    raise ConfigError(
                        f"{source}: '{key}' i {where} ska vara {_TYPE_SV.get(want, want.__name__)}, "
                        f"fick {type(value).__name__} ({value!r})."
                    )
            for key in _REQUIRED.get(section, []):
                if key not in block:
                    raise ConfigError(f"{source}: {where} saknar nyckeln '{key}'.")
    fmts = cfg.get("rapport", {}).get("format", list(_FORMATS))
    bad = [f for f in fmts if f not in _FORMATS]
    if bad:
        raise ConfigError(f"{source}: okänt format {bad} i [rapport]; välj bland {list(_FORMATS)}.")
    return cfg


_TYPE_SV = {str: "text", list: "en lista", int: "ett heltal", bool: "true eller false", float: "ett tal",
            dict: "en tabell ({nyckel = \"värde\"})"}


# -- data ---------------------------------------------------------------------------------------

@dataclass
class _Loader:
    """Reads a named file relative to the config (or a sample name in demo mode)."""

    base: Path | None  # None: demo, names are sample names

    def path(self, name: str) -> Path:
        assert self.base is not None
        p = Path(name)
        return p if p.is_absolute() else self.base / p

    def label(self, name: str) -> str:
        return f"exempeldata '{name}'" if self.base is None else str(self.path(name).name)

    def table(self, name: str) -> pd.DataFrame:
        if self.base is None:
            from ..samples import load_sample

            return load_sample(name)
        from ..io import read_table

        return read_table(self.path(name))

    def excerpts(self, cfg: dict[str, Any]) -> pd.DataFrame:
        if self.base is None:
            return self.table(cfg["fil"])
        from ..io import read_excerpts

        return read_excerpts(self.path(cfg["fil"]), kolumner=cfg.get("kolumner"), filnamn=cfg.get("filnamn"),
                             respondent_global=cfg.get("respondent_global", False))

    def survey(self, cfg: dict[str, Any], items: list[str] | None, skala: Any) -> pd.DataFrame:
        """The survey read with its scale: answers checked and recoded label by label, roles renamed."""
        df = self.table(cfg["fil"])
        if self.base is None:
            return df
        from ..io import read_survey

        roles = dict(cfg.get("kolumner") or {})
        missing = [c for c in roles.values() if c not in df.columns]
        if missing:
            raise ConfigError(f"[[enkat]] {self.label(cfg['fil'])}: kolumnen {missing[0]!r} i 'kolumner' finns inte "
                              f"i filen; filen har {', '.join(map(str, df.columns[:12]))}.")
        renamed = {_SURVEY_ROLES.get(str(r).casefold(), r): c for r, c in roles.items()}
        has = set(df.columns) - set(roles.values()) | set(renamed)
        id_col = "respondent_id" if "respondent_id" in has else None
        groups = tuple(c for c in ("forbund", "ar", "respondentgrupp") if c in has)
        return read_survey(df, items=items, scale=skala, kolumner=roles or None, id_col=id_col, group_cols=groups)

    def register(self, cfg: dict[str, Any]) -> pd.DataFrame:
        if self.base is None:
            return self.table(cfg["fil"])
        from ..io import read_register

        return read_register(self.path(cfg["fil"]), key=os.environ.get("FINSAM_NYCKEL"),
                             kolumner=cfg.get("kolumner"))


def _pseudonymisation_key(cfg: dict[str, Any], load: _Loader, demo: bool) -> str | None:
    """The key from the environment variable or the key file named in [kodning]; never from the config itself."""
    if demo:
        return _DEMO_KEY
    if cfg.get("nyckel_fil"):
        path = load.path(cfg["nyckel_fil"])
        if not path.exists():
            raise ConfigError(f"[kodning]: nyckelfilen {path.name!r} i 'nyckel_fil' finns inte.")
        key = path.read_text(encoding="utf-8").strip()
        if not key:
            raise ConfigError(f"[kodning]: nyckelfilen {path.name!r} är tom.")
        return key
    return os.environ.get(cfg.get("nyckel_miljovariabel", "FINSAM_NYCKEL")) or None


# -- sections -----------------------------------------------------------------------------------

def _coding_section(rep: Report, cfg: dict[str, Any], load: _Loader, demo: bool) -> None:
    from ..coding import Codebook, code_excerpts
    from ..coding.reliability import intercoder_reliability
    from ..errors import PrivacyError
    from ..privacy import contains_personnummer, pseudonymise

    excerpts = load.excerpts(cfg)
    key = _pseudonymisation_key(cfg, load, demo)
    if key:
        ps = pseudonymise(excerpts["text"], key=key, names=cfg.get("namn", []))
        excerpts = excerpts.assign(text=ps.texts)
        rep.add_method("pseudonymisering", f"Intervjuutdrag: {ps.n_replaced} personnummer/namn ersatta med "
                                           "pseudonymer (nyckelad hash) innan citaten valdes.")
    elif excerpts["text"].astype("string").fillna("").map(contains_personnummer).any():
        var = cfg.get("nyckel_miljovariabel", "FINSAM_NYCKEL")
        raise PrivacyError(
            f"Intervjuutdragen i {load.label(cfg['fil'])} innehåller något som liknar personnummer, och ingen "
            f"nyckel för pseudonymisering finns. Sätt miljövariabeln {var} (till exempel "
            f"export {var}=en-hemlig-fras) eller ange nyckel_fil = \"nyckel.txt\" under [kodning], och kör igen."
        )
    codebook = Codebook.from_yaml(load.path(cfg["kodbok"])) if cfg.get("kodbok") else Codebook.default()
    n_resp = excerpts["respondent_id"].nunique() if "respondent_id" in excerpts else 0
    fallback = " (varje utdrag räknas som en egen respondent: filen saknar respondentkolumn)" \
        if excerpts.attrs.get("respondent_fallback") else ""
    rep.add_method("data", f"Intervjuutdrag: {load.label(cfg['fil'])}, {len(excerpts)} utdrag från "
                           f"{n_resp} respondenter{fallback}.")
    for note in excerpts.attrs.get("notes", []):
        rep.add_method("data", f"Intervjuutdrag: {note}")
    rep.add_method("kodbok", f"{getattr(codebook, 'name', 'kodbok')} version {getattr(codebook, 'version', '?')} "
                             f"med {len(codebook)} koder.")
    ex = excerpts.attrs.get("exclusions")
    if ex:
        rep.add_exclusions(f"Inläsning av {load.label(cfg['fil'])}", ex)

    rep.add_section("Tematisk analys av intervjuer", (
        "Intervjuutdragen har kodats i teman med kodboken ovan. Automatisk kodning med svensk "
        "ordstamning, sammansättningar och flerordsuttryck; negerade omnämnanden (till exempel "
        "'ingen samsyn') räknas som träffar men redovisas särskilt. Antal räknas i respondenter, inte i utdrag."
    ))
    coded = code_excerpts(excerpts, codebook)
    rep.add(coded.prevalence(), heading="Hur vanliga är temana?")
    for by in cfg.get("grupper", ["forbund", "roll"]):
        if by in excerpts.columns:
            rep.add(coded.matrix(by=by, value="respondents"), heading=f"Teman per {_BY_SV.get(by, by)}")
    rep.add(coded.cooccurrence("jaccard"), heading="Teman som förekommer tillsammans")
    counts = coded.wide.drop(columns=[c for c in coded.wide.columns if c not in codebook.ids], errors="ignore").sum()
    top = [c for c in counts.sort_values(ascending=False).index][: cfg.get("teman_med_citat", 4)]
    rep.add_section("Citat", level=2)
    for code in top:
        q = coded.quotes(code, n=cfg.get("citat_per_tema", 2), exclude_negated=True)
        label = codebook.get(code).label
        rep.add_text(f"{label}:", style="normal")
        for _, row in q.table().iterrows():
            who = ", ".join(str(row[c]) for c in ("roll", "forbund") if c in row and pd.notna(row[c]))
            rep.add_text(f"\u201d{row['text']}\u201d ({who})", style="quote")

    coders = [c for c in cfg.get("kodare", []) if c in excerpts.columns]
    if len(coders) >= 2:
        rel = intercoder_reliability(excerpts, coders=coders, labels={c.id: c.label for c in codebook})
        rep.add(rel, heading="Samstämmighet mellan kodare")
        rep.add_method("reliabilitet", "Cohens kappa och Krippendorffs alfa per kod med bootstrapintervall "
                                       "(1 000 omdragningar av utdrag).")


_BY_SV = {"forbund": "förbund", "roll": "roll", "kalla": "källa", "ar": "år", "respondentgrupp": "respondentgrupp"}


def _survey_section(rep: Report, cfg: dict[str, Any], load: _Loader) -> None:
    from ..likert import cronbach_alpha, kruskal_wallis, likert_summary, scale_from_config

    labels = load.table(cfg["fragefil"]) if cfg.get("fragefil") else None
    skala = cfg.get("skala", "auto")
    if isinstance(skala, str) and skala.endswith(".toml") and load.base is not None:
        skala = str(load.path(skala))
    if cfg.get("fragor"):
        items: list[str] | None = list(cfg["fragor"])
    elif isinstance(skala, dict) and skala.get("fragor"):
        items = list(skala["fragor"])
    elif labels is not None and isinstance(skala, str) and "scale" in labels.columns:
        items = [str(i) for i, sc in zip(labels["item"], labels["scale"], strict=True) if sc == skala]
    else:
        items = None  # the columns whose answers fit the scale
    df = load.survey(cfg, items, skala)
    if items is None:
        items = list(df.attrs.get("items") or [])
        if not items:
            raise ConfigError(f"[[enkat]] {load.label(cfg['fil'])}: inga frågekolumner passar skalan; ange 'fragor'.")
    missing = [i for i in items if i not in df.columns]
    if missing:
        raise ConfigError(f"[[enkat]] {load.label(cfg['fil'])}: frågorna {missing[:5]} i 'fragor' finns inte i filen.")
    spec = scale_from_config(skala, df=df, items=items, base_dir=load.base)
    scale = spec.scale
    reverse = list(dict.fromkeys([*cfg.get("omvanda", []), *spec.reverse]))
    ex = df.attrs.get("exclusions")
    if ex:
        rep.add_exclusions(f"Inläsning av {load.label(cfg['fil'])}", ex)
    population = load.table(cfg["population"]) if cfg.get("population") else None
    title = cfg.get("rubrik", f"Enkät: {load.label(cfg['fil'])}")
    rep.add_section(title, (
        f"{len(df)} svar. Svarsskala: {', '.join(scale.labels)}. Svaren 'Vet ej' och liknande visas men "
        "ingår inte i procentbasen."
    ))
    rep.add_method("data", f"{title}: {load.label(cfg['fil'])}, {len(df)} respondenter, {len(items)} frågor.")
    rep.add_method("skalor", f"{title}: {scale.describe() if hasattr(scale, 'describe') else scale.name}")
    summ = likert_summary(df, items, scale, item_labels=labels, source=load.label(cfg["fil"]))
    rep.add(summ, heading="Svar per fråga")
    grp = cfg.get("grupp")
    if grp and grp in df.columns:
        pop = _population(population, df, grp, cfg, load)
        by = likert_summary(df, items[:1], scale, by=grp, item_labels=labels, population=pop,
                            source=load.label(cfg["fil"]))
        rep.add(by, heading=f"Första frågan per {_BY_SV.get(grp, grp)}")
    if cfg.get("index_fragor"):
        idx_items = list(cfg["index_fragor"])
        alpha = cronbach_alpha(df, idx_items, scale, reverse=[r for r in reverse if r in idx_items])
        rep.add(alpha, heading="Index och intern konsistens")
    if grp and grp in df.columns:
        test = kruskal_wallis(df, items[0], grp, scale)
        rep.add(test, heading=f"Skillnader mellan {_BY_SV.get(grp, grp)} i första frågan")


def _population(population: pd.DataFrame | None, df: pd.DataFrame, grp: str, cfg: dict[str, Any],
                load: _Loader) -> pd.DataFrame | None:
    """Population per group for response rates; a file that cannot be matched to the survey is an error."""
    if population is None:
        return None
    where = f"[[enkat]] {load.label(cfg['fil'])}: populationsfilen {load.label(cfg['population'])}"
    for col in (grp, "population"):
        if col not in population.columns:
            raise ConfigError(f"{where} saknar kolumnen {col!r} (den behövs för svarsfrekvensen per "
                              f"{_BY_SV.get(grp, grp)}); filen har {', '.join(map(str, population.columns))}.")
    if "respondentgrupp" in population.columns:
        if "respondentgrupp" not in df.columns:
            raise ConfigError(f"{where} delar upp populationen per respondentgrupp, men enkätfilen har ingen "
                              "kolumn respondentgrupp. Lägg till den (eller ange kolumner = {respondentgrupp = "
                              "\"...\"}), eller ta bort 'population' så redovisas inga svarsfrekvenser.")
        groups = df["respondentgrupp"].dropna().unique()
        population = population[population["respondentgrupp"].isin(groups)]
    return population.groupby(grp, as_index=False)["population"].sum()


def _effects_section(rep: Report, cfg: dict[str, Any], load: _Loader, demo: bool) -> None:
    from ..effects import (
        compare_forbund,
        did,
        event_study,
        match,
        person_baseline,
        rate_vs_benchmark,
        socioeconomic_estimate,
    )

    panel = load.register(cfg)
    outcome = cfg["utfall"]
    covs = cfg.get("kovariater", [])
    n_part = int(panel.loc[panel["deltagare"] == 1, "person_id"].nunique())
    n_ctrl = int(panel.loc[panel["deltagare"] == 0, "person_id"].nunique())
    rep.add_section("Effekter för deltagarna", (
        f"Registerdata med {n_part} deltagare och {n_ctrl} personer som inte deltog, per kvartal. "
        "Deltagarna jämförs med en matchad jämförelsegrupp (propensity score) och med "
        "difference-in-differences, där varje person jämförs med sig själv före och efter start."
    ))
    rep.add_method("data", f"Registerpanel: {load.label(cfg['fil'])}, {len(panel)} person-kvartal.")
    ex = panel.attrs.get("exclusions")
    if ex:
        rep.add_exclusions(f"Inläsning av {load.label(cfg['fil'])}", ex)

    base = person_baseline(panel, outcomes=outcome)
    # The outcome before start is the strongest confounder in register data.
    covs = [*covs, f"{outcome}_fore"] if f"{outcome}_fore" in base.columns else covs
    m = match(base, "deltagare", covs, exact=cfg.get("exakt") or None)
    rep.add(m, heading="Matchad jämförelsegrupp: balans")
    rep.add_figure(m.overlap_plot(), "Fördelning av propensity score före och efter matchning.")
    post_col = outcome  # person_baseline averages the outcome over the periods from start
    eff = m.effect(post_col, adjust=True)
    rep.add(eff, heading="Effekt efter matchning")
    rep.add_method("skattning", "Matchning: logistisk propensity score, närmaste granne 1:1 utan återläggning, "
                                "caliper 0,2 SD av logit; effekt med parklustrade standardfel, regressionsjusterad.")

    per = cfg.get("per")
    if per and per in base.columns:
        comp = compare_forbund(base, post_col, by=per, estimator="match", covariates=covs,
                               exact=[e for e in cfg.get("exakt", []) if e != per] or None, adjust=True)
        rep.add(comp, heading=f"Effekt per {_BY_SV.get(per, per)}")

    d = did(panel, outcome, cluster="person_id")
    rep.add(d, heading="Difference-in-differences")
    rep.add_method("skattning", "Difference-in-differences med person- och kvartalsfixa effekter, "
                                "klusterrobusta standardfel per person.")
    if cfg.get("eventstudie", True):
        es = event_study(panel, outcome, cluster="person_id")
        rep.add(es, heading="Effekten över tid (event study)")

    if "jamforelse_andel" in cfg and "event_time" in panel.columns:
        at = panel[(panel["deltagare"] == 1) & (panel["event_time"] == 4)]
        x, n = int(at[outcome].sum()), int(len(at))
        if n:
            rr = rate_vs_benchmark(x, n, float(cfg["jamforelse_andel"]), label="Deltagare ett år efter start",
                                   benchmark_label=cfg.get("jamforelse_namn", "jämförelsevärde"))
            rep.add(rr, heading="Jämförelse med riksgenomsnittet")
    if "arlig_kostnad_stod" in cfg:
        est = d.att
        cost = float(cfg.get("kostnad_per_deltagare", 0)) * n_part
        se = socioeconomic_estimate(est, n_part, 1.0, float(cfg["arlig_kostnad_stod"]), cost=cost,
                                    effect_range=tuple(float(v) for v in d.ci), effect_label="DiD-skattning")
        rep.add(se, heading="Samhällsekonomisk kalkyl")


# -- run ----------------------------------------------------------------------------------------

def build_report(cfg: dict[str, Any], base: Path | None, *, progress: bool = True) -> Report:
    """Run every configured section and return the Report (nothing written yet)."""
    meta = cfg.get("rapport", {})
    rep = Report(meta.get("titel", "Slutrapport"), subtitle=meta.get("undertitel"), author=meta.get("forfattare"))
    rep.add_method("programvara", f"finsam_eval {__version__}.")
    load = _Loader(base)
    demo = base is None
    steps: list[tuple[str, Callable[[], None]]] = []
    if "kodning" in cfg:
        steps.append(("kodning", lambda: _coding_section(rep, cfg["kodning"], load, demo)))
    surveys = cfg.get("enkat", [])
    for s in surveys if isinstance(surveys, list) else [surveys]:
        steps.append((f"enkät {s['fil']}", lambda s=s: _survey_section(rep, s, load)))
    if "effekt" in cfg:
        steps.append(("effekter", lambda: _effects_section(rep, cfg["effekt"], load, demo)))
    with tqdm(steps, desc="Rapport", unit="avsnitt", disable=not progress) as bar:
        for name, step in bar:
            bar.set_postfix_str(name)
            step()
    return rep


def _run(args: argparse.Namespace) -> int:
    if args.demo:
        cfg, base = check_config(DEMO_CONFIG, "demo"), None
    else:
        cfg, base = load_config(args.config), args.config.resolve().parent
    fmts = args.format.split(",") if args.format else cfg.get("rapport", {}).get("format", list(_FORMATS))
    bad = [f for f in fmts if f not in _FORMATS]
    if bad:
        raise ConfigError(f"--format: okänt format {bad}; välj bland {list(_FORMATS)}.")
    min_count = cfg.get("rapport", {}).get("min_antal", 5)
    with option_context(min_count=min_count):
        rep = build_report(cfg, base, progress=not args.tyst)
        out: Path = args.out
        out.mkdir(parents=True, exist_ok=True)
        written = []
        if "docx" in fmts:
            written.append(rep.to_docx(out / "rapport.docx"))
        if "html" in fmts:
            written.append(rep.to_html(out / "rapport.html"))
        if "md" in fmts:
            written.append(rep.to_markdown(out))
    for p in written:
        print(f"Skrev {p}")
    return 0
