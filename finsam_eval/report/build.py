"""From report spec to Report: run the analyses the config lists and place them in chapters.

The chapters of a Swedish slutrapport, in order: Sammanfattning,
Innehållsförteckning (written by the writers), 1 Inledning, 2 Metod och
material (generated from the analyses that ran), 3.. one chapter per
frågeställning with the analyses that answer it, Slutsatser och
rekommendationer, Referenser and Bilagor.

Each data block of the config (``[kodning]``, each ``[[enkat]]``, ``[effekt]``)
becomes a :class:`_Block` whose analyses are run lazily, in the order the
frågeställningar list them; the data are read once, when the first analysis
needs them.
"""

from __future__ import annotations

import datetime as _dt
import gc
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .. import __version__
from .._config import option_context
from ..errors import ConfigError
from .document import Heading, Paragraph, Report, TableBlock
from .references import METHODS, sv_sorted
from .spec import ANALYSES, block_names, check_config, demo_config_path, load_config, read_text

__all__ = ["build_from_config", "build_report"]

_BY_SV = {"forbund": "förbund", "roll": "roll", "kalla": "källa", "ar": "år", "respondentgrupp": "respondentgrupp"}
_BY_PLURAL = {"forbund": "förbunden", "roll": "rollerna", "kalla": "källorna", "ar": "åren",
              "respondentgrupp": "respondentgrupperna"}
# The pseudonymisation key of the demo: fixed, so the demo is reproducible. Real reports take the key
# from an environment variable or a key file, never from the config itself.
_DEMO_KEY = "finsam-eval-demo"
# Default titles of the chapters when the config has no frågeställningar.
_BLOCK_TITLES = {"kodning": "Tematisk analys av intervjuer", "effekt": "Effekter för deltagarna"}


# -- reading data --------------------------------------------------------------------------------

@dataclass
class _Loader:
    """Reads files named relative to the config; with ``samples`` the built-in sample data instead."""

    base: Path
    samples: bool = False

    def path(self, name: str) -> Path:
        p = Path(name)
        return p if p.is_absolute() else self.base / p

    def label(self, name: str) -> str:
        return Path(name).name

    def _sample_name(self, name: str) -> str:
        from ..samples import _SPECS, SAMPLE_NAMES

        by_file = {spec.file: key for key, spec in _SPECS.items()}
        fname = Path(name).name
        if fname in by_file:
            return by_file[fname]
        if name in SAMPLE_NAMES:
            return name
        raise ConfigError(f"--demo: filen {fname!r} finns inte bland exempeldata ({', '.join(sorted(by_file))}).")

    def table(self, name: str) -> pd.DataFrame:
        if self.samples:
            from ..samples import load_sample

            return load_sample(self._sample_name(name))
        from ..io import read_table

        return read_table(self.path(name))

    def excerpts(self, cfg: dict[str, Any]) -> pd.DataFrame:
        if self.samples:
            return self.table(cfg["fil"])
        from ..io import read_excerpts

        return read_excerpts(self.path(cfg["fil"]), kolumner=cfg.get("kolumner"), filnamn=cfg.get("filnamn"),
                             respondent_global=cfg.get("respondent_global", False))

    def survey(self, cfg: dict[str, Any], items: list[str] | None, skala: Any) -> pd.DataFrame:
        """The survey read with its scale: answers checked and recoded label by label, roles renamed."""
        from ..io import read_survey
        from ..io.survey import SURVEY_ROLES

        df = self.table(cfg["fil"])
        roles = dict(cfg.get("kolumner") or {})
        missing = [c for c in roles.values() if c not in df.columns]
        if missing:
            raise ConfigError(f"[[enkat]] {self.label(cfg['fil'])}: kolumnen {missing[0]!r} i 'kolumner' finns inte "
                              f"i filen; filen har {', '.join(map(str, df.columns[:12]))}.")
        renamed = {SURVEY_ROLES.get(str(r).casefold(), r): c for r, c in roles.items()}
        has = set(df.columns) - set(roles.values()) | set(renamed)
        id_col = "respondent_id" if "respondent_id" in has else None
        groups = tuple(c for c in ("forbund", "ar", "respondentgrupp", "kon") if c in has)
        return read_survey(df, items=items, scale=skala, kolumner=roles or None, id_col=id_col, group_cols=groups)

    def register(self, cfg: dict[str, Any]) -> pd.DataFrame:
        if self.samples:
            return self.table(cfg["fil"])
        from ..io import read_register

        return read_register(self.path(cfg["fil"]), key=os.environ.get("FINSAM_NYCKEL"),
                             kolumner=cfg.get("kolumner"))


def _drop_recorded(df: pd.DataFrame) -> None:
    """Take the loader's exclusions off a frame once the report has recorded them.

    pandas deep-copies ``attrs`` on every column access and every operation; the
    exclusion record (line numbers of every repair) made that a second of the demo.
    """
    df.attrs.pop("exclusions", None)


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


# -- the context an analysis writes into ---------------------------------------------------------

@dataclass
class _Context:
    """The report being built, heading numbers, and what the method chapter will say."""

    rep: Report
    labels: dict[str, str]
    chapter: int = 0
    section: int = 0
    methods: list[str] = field(default_factory=list)  # keys of METHODS, in order of first use
    data: list[str] = field(default_factory=list)  # data sources and periods
    sample: list[str] = field(default_factory=list)  # urval och svarsfrekvens
    coding: list[str] = field(default_factory=list)  # kodning och reliabilitet

    def h1(self, title: str) -> str:
        self.chapter += 1
        self.section = 0
        return f"{self.chapter} {title}"

    def h2(self, title: str) -> str:
        self.section += 1
        return f"{self.chapter}.{self.section} {title}"

    def use(self, *keys: str) -> None:
        for k in keys:
            if k not in self.methods:
                self.methods.append(k)
            self.rep.cite(*METHODS[k].refs)

    def label(self, name: str) -> str:
        """The name in running text: 'förbund', 'roll', or the config label with a lower-case first letter."""
        if name in _BY_SV:
            return _BY_SV[name]
        text = self.labels.get(name, name.replace("_", " "))
        return text[:1].lower() + text[1:] if text[1:2].islower() else text


# -- blocks -------------------------------------------------------------------------------------

class _Block:
    """One data block of the config and its analyses (run lazily, each once)."""

    kind = ""

    def __init__(self, name: str, cfg: dict[str, Any], load: _Loader, ctx: _Context, demo: bool) -> None:
        self.name, self.cfg, self.load, self.ctx, self.demo = name, cfg, load, ctx, demo
        self._ready = False

    def title(self) -> str:
        return _BLOCK_TITLES.get(self.kind, self.name)

    def prepare(self) -> None:  # read the data
        raise NotImplementedError

    def run(self, analysis: str) -> None:
        if not self._ready:
            self.prepare()
            self._ready = True
        getattr(self, f"a_{analysis}")()


class _Coding(_Block):
    kind = "kodning"

    def prepare(self) -> None:
        from ..coding import Codebook, code_excerpts
        from ..errors import PrivacyError
        from ..privacy import contains_personnummer, pseudonymise

        cfg, load, rep = self.cfg, self.load, self.ctx.rep
        excerpts = load.excerpts(cfg)
        key = _pseudonymisation_key(cfg, load, self.demo)
        if key:
            ps = pseudonymise(excerpts["text"], key=key, names=cfg.get("namn", []))
            excerpts = excerpts.assign(text=ps.texts)
            rep.add_method("pseudonymisering", f"Intervjuutdrag: {ps.n_replaced} personnummer och namn har ersatts "
                                               "med pseudonymer (nyckelad hash) innan citaten valdes.")
        elif excerpts["text"].astype("string").fillna("").map(contains_personnummer).any():
            var = cfg.get("nyckel_miljovariabel", "FINSAM_NYCKEL")
            raise PrivacyError(
                f"Intervjuutdragen i {load.label(cfg['fil'])} innehåller något som liknar personnummer, och ingen "
                f"nyckel för pseudonymisering finns. Sätt miljövariabeln {var} (till exempel "
                f"export {var}=en-hemlig-fras) eller ange nyckel_fil = \"nyckel.txt\" under [kodning], och kör igen."
            )
        self.codebook = Codebook.from_yaml(load.path(cfg["kodbok"])) if cfg.get("kodbok") else Codebook.default()
        n_resp = excerpts["respondent_id"].nunique() if "respondent_id" in excerpts else 0
        fallback = " (varje utdrag räknas som en egen respondent: filen saknar respondentkolumn)" \
            if excerpts.attrs.get("respondent_fallback") else ""
        period = ""
        if "datum" in excerpts.columns:
            d = pd.to_datetime(excerpts["datum"], errors="coerce").dropna()
            if len(d):
                period = f", insamlade {d.min():%Y-%m-%d}–{d.max():%Y-%m-%d}"
        rep.add_method("data", f"Intervjuutdrag: {load.label(cfg['fil'])}, {len(excerpts)} utdrag från "
                               f"{n_resp} respondenter{fallback}.")
        self.ctx.data.append(f"Intervjuer: {_n(len(excerpts))} utdrag från {_n(n_resp)} intervjuade personer{period} "
                             f"({load.label(cfg['fil'])}).")
        if "roll" in excerpts.columns:
            per_role = excerpts.groupby("roll")["respondent_id"].nunique() if "respondent_id" in excerpts else None
            if per_role is not None:
                parts = [f"{self.ctx.label(str(r))} {n}" for r, n in per_role.items()]
                self.ctx.sample.append("Intervjuade personer per roll: " + ", ".join(sv_sorted(parts)) + ".")
        for note in excerpts.attrs.get("notes", []):
            rep.add_method("data", f"Intervjuutdrag: {note}")
        cb = self.codebook
        rep.add_method("kodbok", f"{getattr(cb, 'name', 'kodbok')} version {getattr(cb, 'version', '?')} "
                                 f"med {len(cb)} koder.")
        self.ctx.coding.append(f"Kodboken ({getattr(cb, 'name', 'kodbok')}, version {getattr(cb, 'version', '?')}) "
                               f"har {len(cb)} teman; den finns med definitioner i bilaga 1.")
        ex = excerpts.attrs.get("exclusions")
        if ex:
            rep.add_exclusions(f"Inläsning av {load.label(cfg['fil'])}", ex)
        _drop_recorded(excerpts)
        self.excerpts = excerpts
        self.coded = code_excerpts(excerpts, cb)
        self.ctx.use("tematisk")
        rows = [{"Tema": c.label, "Definition": getattr(c, "description", "") or getattr(c, "definition", "")}
                for c in cb]
        rep.appendices.append(("Kodbok", [
            Paragraph(f"Kodboken {getattr(cb, 'name', '')} version {getattr(cb, 'version', '?')}: tema och "
                      "definition. Ord och uttryck per tema finns i kodboksfilen."),
            TableBlock(pd.DataFrame(rows), "Kodbokens teman och definitioner", [], 0, False),
        ]))
        self._framework_appendix()

    def _framework_appendix(self) -> None:
        """Bilaga: the framework matrix, themes x förbund, each cell the evaluator's summary or the strongest quotes.

        A förbund column points to the people interviewed there, so only förbund with at least
        ``citat_minsta_grupp`` interviewed people get a column; the others are named in a note.
        """
        cfg, rep = self.cfg, self.ctx.rep
        case = cfg.get("ramverk_fall", "forbund")
        if cfg.get("ramverksmatris") is False or case not in self.excerpts.columns:
            return
        k = int(cfg.get("citat_minsta_grupp", 5))
        people = self.excerpts.dropna(subset=["respondent_id"]).groupby(case)["respondent_id"].nunique()
        keep = [c for c in people.index if people[c] >= k]
        left_out = [str(c) for c in people.index if people[c] < k]
        if not keep:
            return
        summaries = self.load.table(cfg["sammanfattningar"]) if cfg.get("sammanfattningar") else None
        coded = self.coded
        if left_out:  # the same coding, without the excerpts of the förbund left out (no second coding run)
            from dataclasses import replace

            ex = coded.excerpts[coded.excerpts[case].isin(keep)].reset_index(drop=True)
            ids = set(ex[coded.id_col])
            coded = replace(coded, excerpts=ex,
                            long=coded.long[coded.long[coded.id_col].isin(ids)].reset_index(drop=True))
        fm = coded.framework(cases=case, summaries=summaries, n_quotes=int(cfg.get("citat_per_cell", 1)),
                             attribution=None, exclude_negated=True, max_chars=220)
        table = fm.report_table()
        notes = ["Varje cell visar utvärderarens sammanfattning av vad som sägs om temat i förbundet, eller, där "
                 "ingen sammanfattning finns, det starkaste citatet; \u2013 betyder att temat inte togs upp."]
        if left_out:
            notes.append(f"Förbund med färre än {k} intervjuade visas inte, så att citaten inte kan knytas till "
                         f"enskilda personer: {', '.join(sorted(left_out))}.")
        rep.appendices.append(("Ramverksmatris", [
            Paragraph("Ramverksmatrisen (ramverksmetoden enligt Ritchie och Spencer) ställer temana mot förbunden, "
                      "så att förbunden kan jämföras tema för tema."),
            TableBlock(table, "Ramverksmatris: teman per förbund", notes, 0, True),
        ]))

    def a_teman(self) -> None:
        self.ctx.rep.add(self.coded.prevalence(), heading=self.ctx.h2("Hur vanliga är temana?"))

    def a_per_grupp(self) -> None:
        for by in self.cfg.get("grupper", ["forbund", "roll"]):
            if by in self.excerpts.columns:
                self.ctx.rep.add(self.coded.matrix(by=by, value="respondents"),
                                 heading=self.ctx.h2(f"Teman per {self.ctx.label(by)}"))

    def a_samforekomst(self) -> None:
        self.ctx.rep.add(self.coded.cooccurrence("jaccard"), heading=self.ctx.h2("Teman som förekommer tillsammans"))

    def a_citat(self) -> None:
        rep, cfg, cb = self.ctx.rep, self.cfg, self.codebook
        k = int(cfg.get("citat_minsta_grupp", 5))
        counts = self.coded.wide.drop(columns=[c for c in self.coded.wide.columns if c not in cb.ids],
                                      errors="ignore").sum()
        counts = counts[counts > 0]  # a theme nobody raised has no quote to show
        top = list(counts.sort_values(ascending=False).index)[: cfg.get("teman_med_citat", 4)]
        rep.add_section(self.ctx.h2("Citat"), level=2)
        rep.add_text(f"Citaten anges med roll och förbund bara när minst {k} intervjuade har samma roll i samma "
                     f"förbund; annars med enbart roll eller förbund, eller utan uppgift, så att ingen kan pekas ut.",
                     style="note")
        attribution = _Attribution(self.excerpts, k)
        shown = 0
        for code in top:
            q = self.coded.quotes(code, n=cfg.get("citat_per_tema", 2), exclude_negated=True)
            table = q.table()
            if table.attrs.get("pseudonymiserad"):
                rep.pseudonymised = True
            if table.empty:  # only negated or hedged mentions: no heading without a quote under it
                continue
            shown += 1
            rep.add_text(f"{cb.get(code).label}:", style="normal")
            for _, row in table.iterrows():
                who = attribution(row.get("roll"), row.get("forbund"))
                rep.add_text(f"\u201d{row['text']}\u201d" + (f" ({who})" if who else ""), style="quote")
        if not shown:
            rep.add_text("Inget tema har ett citat att visa: temana nämns bara förnekat eller med osäkerhet, eller inte "
                         "alls.", style="normal")

    def a_reliabilitet(self) -> None:
        from ..coding.reliability import intercoder_reliability

        coders = [c for c in self.cfg.get("kodare", []) if c in self.excerpts.columns]
        if len(coders) < 2:
            return
        rel = intercoder_reliability(self.excerpts, coders=coders, labels={c.id: c.label for c in self.codebook})
        self.ctx.rep.add(rel, heading=self.ctx.h2("Samstämmighet mellan kodare"))
        self.ctx.use("reliabilitet")
        self.ctx.coding.append(f"Två kodare har kodat utdragen oberoende av varandra; samstämmigheten redovisas "
                               f"i avsnitt {self.ctx.chapter}.{self.ctx.section}.")


class _Attribution:
    """Quote attribution that never points to fewer than ``k`` people.

    Role × förbund when at least ``k`` interviewed persons share both; else the
    role alone or the förbund alone (whichever has at least ``k``); else nothing.
    """

    def __init__(self, excerpts: pd.DataFrame, k: int) -> None:
        self.k = k
        ids = excerpts["respondent_id"] if "respondent_id" in excerpts else pd.Series(range(len(excerpts)))
        df = pd.DataFrame({"id": ids.astype(str).values,
                           "roll": excerpts.get("roll", pd.Series([None] * len(excerpts))).values,
                           "forbund": excerpts.get("forbund", pd.Series([None] * len(excerpts))).values})
        self.both = df.groupby(["roll", "forbund"])["id"].nunique().to_dict()
        self.role = df.groupby("roll")["id"].nunique().to_dict()
        self.forbund = df.groupby("forbund")["id"].nunique().to_dict()

    def __call__(self, roll: Any, forbund: Any) -> str:
        r = None if roll is None or pd.isna(roll) else str(roll)
        f = None if forbund is None or pd.isna(forbund) else str(forbund)
        if r and f and self.both.get((r, f), 0) >= self.k:
            return f"{r}, {f}"
        if r and self.role.get(r, 0) >= self.k:
            return r
        if f and self.forbund.get(f, 0) >= self.k:
            return f
        return ""


class _Survey(_Block):
    kind = "enkat"

    def title(self) -> str:
        # Without a heading of its own a survey is named by its config name, never by its file name.
        if self.cfg.get("rubrik"):
            return str(self.cfg["rubrik"])
        return "Enkäten" if self.name.casefold() in ("", "enkat", "enkät") else f"Enkät: {self.name}"

    def prepare(self) -> None:
        from ..likert import scale_from_config

        cfg, load, rep = self.cfg, self.load, self.ctx.rep
        labels = load.table(cfg["fragefil"]) if cfg.get("fragefil") else None
        skala = cfg.get("skala", "auto")
        if isinstance(skala, str) and skala.endswith(".toml") and not load.samples:
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
                raise ConfigError(f"[[enkat]] {load.label(cfg['fil'])}: inga frågekolumner passar skalan; "
                                  "ange 'fragor'.")
        missing = [i for i in items if i not in df.columns]
        if missing:
            raise ConfigError(f"[[enkat]] {load.label(cfg['fil'])}: frågorna {missing[:5]} i 'fragor' finns inte "
                              "i filen.")
        spec = scale_from_config(skala, df=df, items=items, base_dir=None if load.samples else load.base)
        self.scale = spec.scale
        self.reverse = list(dict.fromkeys([*cfg.get("omvanda", []), *spec.reverse]))
        ex = df.attrs.get("exclusions")
        if ex:
            rep.add_exclusions(f"Inläsning av {load.label(cfg['fil'])}", ex)
        _drop_recorded(df)
        self.population = load.table(cfg["population"]) if cfg.get("population") else None
        title = self.title()
        source = load.label(cfg["fil"])
        period = ""
        if "ar" in df.columns and df["ar"].notna().any():
            years = sorted({int(y) for y in df["ar"].dropna()})
            period = f", {years[0]}–{years[-1]}" if len(years) > 1 else f", {years[0]}"
        rep.add_method("data", f"{title}: {source}, {len(df)} respondenter, {len(items)} frågor.")
        self.ctx.data.append(f"{title}{period}: {_n(len(df))} svar på {len(items)} frågor ({source}).")
        labels_text = " / ".join(str(x) for x in getattr(self.scale, "labels", []))
        rep.add_method("skalor", f"{title}: svarsskalan {labels_text}. Svar som \u201dVet ej\u201d och liknande "
                                 "visas men ingår inte i procentbasen.")
        if self.population is not None and "population" in self.population.columns:
            pop = self._population_total(df)
            if pop:
                self.ctx.sample.append(f"{title}: {_n(len(df))} av {_n(pop)} tillfrågade svarade "
                                       f"({_pct(len(df) / pop)}).")
        else:
            self.ctx.sample.append(f"{title}: {_n(len(df))} svar; antalet tillfrågade är inte känt, så svarsfrekvensen "
                                   "kan inte anges.")
        if self.reverse:
            self.ctx.sample.append(f"{title}: negativt formulerade frågor ({len(self.reverse)} st.) har vänts i "
                                   "indexet; i tabeller och figurer visas de som de ställdes.")
        self.df, self.items, self.labels = df, items, labels
        for item in items:  # item codes (s01) print as their question text in tables and notes
            text = _item_text(labels, item)
            if text != item:
                rep.labels.setdefault(item, text)
        self.source = source
        self.ctx.use("likert")

    def _population_total(self, df: pd.DataFrame) -> int:
        pop = self.population
        assert pop is not None
        if "respondentgrupp" in pop.columns and "respondentgrupp" in df.columns:
            pop = pop[pop["respondentgrupp"].isin(df["respondentgrupp"].dropna().unique())]
        if "ar" in pop.columns and "ar" in df.columns:
            pop = pop[pop["ar"].isin(df["ar"].dropna().unique())]
        return int(pop["population"].sum())

    def a_svar(self) -> None:
        from ..likert import likert_summary

        summ = likert_summary(self.df, self.items, self.scale, item_labels=self.labels, source=self.source)
        self.ctx.rep.add(summ, heading=self.ctx.h2(f"{self.title()}: svar per fråga"))

    def a_per_grupp(self) -> None:
        from ..likert import likert_summary

        grp = self.cfg.get("grupp")
        if not grp or grp not in self.df.columns:
            return
        pop = _population(self.population, self.df, grp, self.cfg, self.load)
        items = list(self.cfg.get("per_grupp_fragor") or self.items)
        # Every listed item is broken down; three items per figure so each figure fits a page.
        chunks = [items[i:i + 3] for i in range(0, len(items), 3)]
        for j, chunk in enumerate(chunks, start=1):
            by = likert_summary(self.df, chunk, self.scale, by=grp, item_labels=self.labels, population=pop,
                                source=self.source)
            part = f" ({j} av {len(chunks)})" if len(chunks) > 1 else ""
            # The numbers behind each figure go to the table appendix: the figures carry the comparison.
            self.ctx.rep.add(by, heading=self.ctx.h2(f"{self.title()}: svar per {self.ctx.label(grp)}{part}"),
                             table="bilaga")

    def a_index(self) -> None:
        from ..likert import cronbach_alpha

        if not self.cfg.get("index_fragor"):
            return
        idx_items = list(self.cfg["index_fragor"])
        alpha = cronbach_alpha(self.df, idx_items, self.scale, reverse=[r for r in self.reverse if r in idx_items],
                               item_labels=self.labels)  # question texts, not codes, on the figure
        self.ctx.rep.add(alpha, heading=self.ctx.h2(f"{self.title()}: index och intern konsistens"))
        self.ctx.use("cronbach")

    def a_skillnader(self) -> None:
        from ..likert import kruskal_wallis

        grp = self.cfg.get("grupp")
        if not grp or grp not in self.df.columns:
            return
        rows = []
        for item in self.items:
            test = kruskal_wallis(self.df, item, grp, self.scale)
            d = test.table()
            row = d.iloc[0].to_dict() if len(d) else {}
            rows.append({"fraga": _item_text(self.labels, item), **{k: v for k, v in row.items()
                                                                   if k in ("H", "df", "p", "n", "epsilon2")}})
        table = pd.DataFrame(rows)
        heading = self.ctx.h2(f"{self.title()}: skillnader mellan {_BY_PLURAL.get(grp, grp)}")
        self.ctx.rep.add_section(heading, level=2)
        self.ctx.rep.add_table(table, f"Kruskal-Wallis test av skillnader mellan {_BY_PLURAL.get(grp, grp)}, "
                                      "per fråga.", ["H = testvärde, df = frihetsgrader, p = p-värde."],
                               suppress=False, labels={"fraga": "Fråga"})
        self.ctx.use("kruskal")


def _item_text(labels: pd.DataFrame | None, item: str) -> str:
    if labels is not None and {"item", "text"} <= set(labels.columns):
        hit = labels.loc[labels["item"].astype(str) == item, "text"]
        if len(hit):
            return str(hit.iloc[0])
    return item


def _pct(share: float) -> str:
    return f"{100 * share:.0f} %".replace(".", ",")


def _n(x: int) -> str:
    """A count as printed in Swedish: 8 000, 1 574 (thin no-break space between thousands)."""
    return f"{int(x):,}".replace(",", "\u00a0")


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


class _Effects(_Block):
    kind = "effekt"

    def prepare(self) -> None:
        from ..effects import person_baseline

        cfg, load, rep = self.cfg, self.load, self.ctx.rep
        panel = load.register(cfg)
        self.outcome = cfg["utfall"]
        self.n_part = int(panel.loc[panel["deltagare"] == 1, "person_id"].nunique())
        self.n_ctrl = int(panel.loc[panel["deltagare"] == 0, "person_id"].nunique())
        period = ""
        if "kvartal" in panel.columns:
            q = sorted(panel["kvartal"].dropna().astype(str).unique())
            period = f", {q[0].replace('K', ' kvartal ')} till {q[-1].replace('K', ' kvartal ')}" if q else ""
        rep.add_method("data", f"Registerpanel: {load.label(cfg['fil'])}, {_n(len(panel))} person-kvartal.")
        self.ctx.data.append(f"Register: {_n(self.n_part)} deltagare och {_n(self.n_ctrl)} personer som inte deltog, "
                             f"uppföljda kvartalsvis{period} ({load.label(cfg['fil'])}).")
        self.ctx.sample.append(f"Jämförelsegruppen väljs bland de {_n(self.n_ctrl)} personer i registret som inte "
                               "deltog; hur många som matchades framgår av balanstabellen.")
        ex = panel.attrs.get("exclusions")
        if ex:
            rep.add_exclusions(f"Inläsning av {load.label(cfg['fil'])}", ex)
        _drop_recorded(panel)
        self.panel = panel
        # Nine quarters from start, and the change after minus before as the matched outcome: participants are also
        # selected on a person effect that matching on the pre-start level only partly removes (matched DiD).
        self.base = person_baseline(panel, outcomes=self.outcome, post=9)
        self.covs = list(cfg.get("kovariater", []))
        change = f"{self.outcome}_forandring"
        self.matched_outcome = change if change in self.base.columns else self.outcome
        self._match = None
        self._did = None

    @property
    def m(self):
        from ..effects import match

        if self._match is None:
            self._match = match(self.base, "deltagare", self.covs, exact=self.cfg.get("exakt") or None)
        return self._match

    @property
    def d(self):
        from ..effects import did

        if self._did is None:
            self._did = did(self.panel, self.outcome, cluster="person_id")
        return self._did

    def a_matchning(self) -> None:
        rep = self.ctx.rep
        rep.add(self.m, heading=self.ctx.h2("Matchad jämförelsegrupp: balans"))
        rep.add_figure(self.m.overlap_plot(), "Fördelning av sannolikheten att delta (propensity score) före och "
                                              "efter matchning.")
        self.ctx.use("matchning")

    def a_effekt(self) -> None:
        eff = self.m.effect(self.matched_outcome, adjust=True)
        self.ctx.rep.add(eff, heading=self.ctx.h2("Effekt efter matchning"))
        self.ctx.use("matchning")

    def a_per_grupp(self) -> None:
        from ..effects import compare_forbund

        per = self.cfg.get("per")
        if not per or per not in self.base.columns:
            return
        comp = compare_forbund(self.base, self.matched_outcome, by=per, estimator="match", covariates=self.covs,
                               exact=[e for e in self.cfg.get("exakt", []) if e != per] or None, adjust=True)
        self.ctx.rep.add(comp, heading=self.ctx.h2(f"Effekt per {self.ctx.label(per)}"))
        self.ctx.use("per_forbund")

    def a_did(self) -> None:
        self.ctx.rep.add(self.d, heading=self.ctx.h2("Före och efter, mot jämförelsegruppen (difference-in-differences)"))
        self.ctx.use("did")

    def a_eventstudie(self) -> None:
        from ..effects import event_study

        if not self.cfg.get("eventstudie", True):
            return
        es = event_study(self.panel, self.outcome, cluster="person_id")
        self.ctx.rep.add(es, heading=self.ctx.h2("Effekten över tid"))
        self.ctx.use("eventstudie")

    def a_jamforelse(self) -> None:
        from ..effects import rate_vs_benchmark

        cfg, panel = self.cfg, self.panel
        if "jamforelse_andel" not in cfg or "event_time" not in panel.columns:
            return
        at = panel[(panel["deltagare"] == 1) & (panel["event_time"] == 4)]
        x, n = int(at[self.outcome].sum()), int(len(at))
        if not n:
            return
        name = cfg.get("jamforelse_namn", "jämförelsevärde")
        rr = rate_vs_benchmark(x, n, float(cfg["jamforelse_andel"]), label="Deltagare ett år efter start",
                               benchmark_label=name)
        self.ctx.rep.add(rr, heading=self.ctx.h2(f"Jämförelse med {name}"))
        self.ctx.use("andel")

    def a_kalkyl(self) -> None:
        from ..effects import socioeconomic_estimate

        cfg = self.cfg
        if "arlig_kostnad_stod" not in cfg:
            return
        d = self.d
        cost = float(cfg.get("kostnad_per_deltagare", 0)) * self.n_part
        se = socioeconomic_estimate(d.att, self.n_part, 1.0, float(cfg["arlig_kostnad_stod"]), cost=cost,
                                    effect_range=tuple(float(v) for v in d.ci),
                                    effect_label="difference-in-differences")
        self.ctx.rep.add(se, heading=self.ctx.h2("Samhällsekonomisk kalkyl"))
        # The caption refers to the assumptions and the sensitivity analysis: print both with the estimate.
        for caption, table, labels in se.extra_tables():
            if isinstance(table, pd.DataFrame) and len(table):
                self.ctx.rep.add_table(table, caption, labels=labels, suppress=False)
        self.ctx.use("kalkyl")


_KINDS: dict[str, type[_Block]] = {"kodning": _Coding, "enkat": _Survey, "effekt": _Effects}


# -- text ---------------------------------------------------------------------------------------

def _add_markdown(rep: Report, text: str) -> None:
    """Narrative text: paragraphs separated by blank lines, '- ' lines as bullets."""
    for para in re.split(r"\n\s*\n", text.strip()):
        lines = [ln.strip() for ln in para.strip().splitlines() if ln.strip()]
        if lines and all(ln.startswith(("- ", "* ")) for ln in lines):
            for ln in lines:
                rep.add_text(ln[2:].strip(), style="bullet")
        elif lines:
            rep.add_text(" ".join(lines))


# -- the report ---------------------------------------------------------------------------------

def build_report(cfg: dict[str, Any], base: Path | None, *, progress: bool = True, demo: bool = False) -> Report:
    """Run the analyses the config lists and return the Report (nothing written yet).

    Parameters
    ----------
    cfg
        A checked config (:func:`~finsam_eval.report.spec.check_config`).
    base
        Folder the config's paths are relative to. ``None`` (or ``demo=True``):
        the data files are read from the built-in sample data, text files from
        beside ``data_samples/rapport.toml``.
    progress
        Show a progress bar.
    """

    demo = demo or base is None
    if base is None:
        base = demo_config_path().parent
    meta = cfg.get("rapport", {})
    texts = {k: read_text(v, base, k) for k, v in cfg.get("text", {}).items()}
    date = _dt.date.fromisoformat(meta["datum"]) if meta.get("datum") else None
    rep = Report(meta.get("titel", "Slutrapport"), subtitle=meta.get("undertitel"), author=meta.get("forfattare"),
                 forbund=meta.get("forbund"), version=meta.get("version"), date=date,
                 figure_formats=tuple(meta.get("figurformat", ["png"])), dpi=int(meta.get("dpi", 200)))
    rep.structured = True
    rep.min_count = int(meta.get("min_antal", 5))
    rep.labels = dict(cfg.get("etiketter", {}))
    rep.own_references = list(meta.get("referenser", []))
    rep.add_method("programvara", f"finsam-eval {__version__}.")
    ctx = _Context(rep, rep.labels)
    load = _Loader(base, samples=demo)
    blocks = {name: _KINDS[kind](name, bcfg, load, ctx, demo) for name, (kind, bcfg) in block_names(cfg).items()}

    # Chapters: frågeställningar from the config, else one per block with all its analyses.
    questions = cfg.get("fragestallning") or [
        {"fraga": "", "rubrik": blk.title(), "analyser": [name]} for name, blk in blocks.items()]
    plan: list[tuple[dict[str, Any], list[tuple[_Block, str]]]] = []
    for q in questions:
        runs = []
        for ref in q.get("analyser", []):
            name, _, analysis = str(ref).partition(".")
            blk = blocks[name]
            runs += [(blk, a) for a in ([analysis] if analysis else ANALYSES[blk.kind])]
        plan.append((q, runs))

    # The objects alive now (modules, data) are frozen for the collector while the analyses run: statsmodels'
    # Holm correction calls gc.collect() on every test, and each full collection walked all of them. Frozen
    # objects are also not touched by the collector in the forked figure workers (no copy-on-write).
    gc.freeze()
    try:
        return _build(rep, cfg, ctx, blocks, questions, plan, texts, base, progress)
    finally:
        gc.unfreeze()


def _build(rep: Report, cfg: dict[str, Any], ctx: _Context, blocks: dict[str, _Block], questions: list[Any],
           plan: list[Any], texts: dict[str, str], base: Path, progress: bool) -> Report:
    from .._progress import _Silent as _silent
    from .._progress import progress as progress_bar

    with option_context(min_count=rep.min_count):
        if texts.get("sammanfattning"):
            rep.add_section("Sammanfattning", level=1)
            _add_markdown(rep, texts["sammanfattning"])
        asked = [q for q in questions if q.get("fraga")]
        if asked or any(texts.get(k) for k in ("bakgrund", "syfte", "avgransningar")):
            rep.add_section(ctx.h1("Inledning"), level=1)
        if texts.get("bakgrund"):
            rep.add_section(ctx.h2("Bakgrund"), level=2)
            _add_markdown(rep, texts["bakgrund"])
        if texts.get("syfte") or asked:
            rep.add_section(ctx.h2("Syfte och frågeställningar" if asked else "Syfte"), level=2)
        if texts.get("syfte"):
            _add_markdown(rep, texts["syfte"])
        if asked:
            rep.add_text("Utvärderingen besvarar följande frågor:")
            for i, q in enumerate(asked, start=1):
                rep.add_text(f"{i}. {q['fraga']}", style="item")
        if texts.get("avgransningar"):
            rep.add_section(ctx.h2("Avgränsningar"), level=2)
            _add_markdown(rep, texts["avgransningar"])
        method_at = len(rep.blocks)
        ctx.chapter += 1  # chapter 2 is the method chapter, written when the analyses have run
        method_no = ctx.chapter

        steps = [(q, blk, a) for q, runs in plan for blk, a in runs]
        # The shared helper: no bar when the option is off or nobody watches (piped output, CI logs).
        bar = progress_bar(total=len(steps), desc="Rapport", unit="analys") if progress else _silent(None)
        for q, runs in plan:
            rep.add_section(ctx.h1(q.get("rubrik") or q.get("fraga") or "Resultat"), level=1)
            if q.get("fraga") and q.get("rubrik"):
                rep.add_text(f"Frågeställning: {q['fraga']}", style="note")
            if q.get("text"):
                _add_markdown(rep, read_text(q["text"], base, "fragestallning.text"))
            for blk, a in runs:
                bar.set_postfix_str(f"{blk.name}.{a}")
                gc.freeze()  # what the last analysis imported and built joins the frozen objects (see build_report)
                blk.run(a)
                bar.update()
            if q.get("slutsats"):
                rep.add_section(ctx.h2("Sammanfattande bedömning"), level=2)
                _add_markdown(rep, read_text(q["slutsats"], base, "fragestallning.slutsats"))
        bar.close()

        if texts.get("slutsatser") or texts.get("rekommendationer"):
            rep.add_section(ctx.h1("Slutsatser och rekommendationer"), level=1)
            if texts.get("slutsatser"):
                rep.add_section(ctx.h2("Slutsatser"), level=2)
                _add_markdown(rep, texts["slutsatser"])
            if texts.get("rekommendationer"):
                rep.add_section(ctx.h2("Rekommendationer"), level=2)
                _add_markdown(rep, texts["rekommendationer"])

        method = _method_chapter(rep, ctx, method_no, texts.get("metod", ""))
        rep.blocks[method_at:method_at] = method
    return rep


def _method_chapter(rep: Report, ctx: _Context, no: int, extra: str) -> list[Any]:
    """Chapter 2, from what the analyses recorded: sources, sample, dropout, coding, methods."""
    out: list[Any] = [Heading(f"{no} Metod och material", 1)]
    sub = 0

    def h2(title: str) -> None:
        nonlocal sub
        sub += 1
        out.append(Heading(f"{no}.{sub} {title}", 2))

    if extra:
        tmp = Report("x")
        _add_markdown(tmp, extra)
        out.extend(tmp.blocks)
    h2("Datakällor och perioder")
    out.extend(Paragraph(t, "bullet") for t in ctx.data)
    if ctx.sample:
        h2("Urval och svarsfrekvens")
        out.extend(Paragraph(t) for t in ctx.sample)
    h2("Bortfall och exkluderade uppgifter")
    if rep.exclusions:
        total = sum(int(ex.table()["antal"].sum()) for _, ex in rep.exclusions if len(ex.table()))
        out.append(Paragraph(f"Vid inläsningen rättades eller uteslöts sammanlagt {_n(total)} uppgifter "
                             f"i {len(rep.exclusions)} steg. Varje rättelse och uteslutning redovisas med "
                             "orsak i bilagan om exkluderade uppgifter. Små grupper (färre än "
                             f"{rep.min_count} personer) redovisas inte i tabeller och figurer."))
    else:
        out.append(Paragraph(f"Inga uppgifter har uteslutits vid inläsningen. Små grupper (färre än {rep.min_count} "
                             "personer) redovisas inte i tabeller och figurer."))
    if ctx.coding:
        h2("Kodning och reliabilitet")
        out.extend(Paragraph(t) for t in ctx.coding)
    if ctx.methods:
        h2("Analysmetoder")
        for k in ctx.methods:
            m = METHODS[k]
            out.append(Heading(m.heading, 3))
            out.append(Paragraph(m.text))
    h2("Programvara")
    out.append(Paragraph(f"Analyserna är gjorda med programbiblioteket finsam-eval version {__version__}. Alla tabeller finns som "
                         "CSV-filer i tabellbilagan, så att siffrorna kan kontrolleras och användas vidare."))
    for b in out:
        if isinstance(b, Heading | Paragraph):
            rep._check_private(b.text, "metodkapitlet")
    return out


def build_from_config(config: str | Path | dict[str, Any], *, demo: bool = False, progress: bool = False) -> Report:
    """:meth:`Report.from_config`: read and check the config, then :func:`build_report`."""
    if isinstance(config, str | Path):
        path = Path(config)
        cfg, base = load_config(path), path.resolve().parent
    else:
        cfg, base = check_config(dict(config), "konfigurationen"), Path.cwd()
    return build_report(cfg, base, progress=progress, demo=demo)
