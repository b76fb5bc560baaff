"""The report spec: the TOML config that decides everything a slutrapport contains.

One path from config to document: ``finsam-eval rapport --config FIL``,
``finsam-eval rapport --demo`` (``data_samples/rapport.toml`` on the built-in
sample data) and :meth:`Report.from_config` all read the config here and build
the report in :mod:`finsam_eval.report.build`.

Config keys (paths relative to the config file)::

    [rapport]      titel, undertitel, forfattare, forbund, datum = "2025-11-30", version = "1.0",
                   format = ["docx", "html", "md"], min_antal = 5, figurformat = ["png"] (+ "svg"),
                   dpi = 200, referenser = ["Egen, A. (2024). ..."]
    [text]         sammanfattning, bakgrund, syfte, avgransningar, slutsatser, rekommendationer,
                   metod: text inline, or the name of a Markdown file ("text/sammanfattning.md")
    [etiketter]    identifier = "Svensk etikett" (variables, groups, items: what the reader sees)
    [[fragestallning]]  fraga, rubrik, text, slutsats, analyser = ["kodning.teman", "samverkan.svar", ...]
    [kodning]      fil, kodbok, grupper = ["forbund", "roll"], kodare = ["codes_a", "codes_b"],
                   citat_per_tema = 2, teman_med_citat = 4, citat_minsta_grupp = 5,
                   nyckel_miljovariabel = "FINSAM_NYCKEL", nyckel_fil, namn = [...],
                   filnamn = "{forbund}_{roll}_{respondent}", respondent_global = false,
                   kolumner = {respondent = "IP", forbund = "Förbund", ...}
    [[enkat]]      namn, fil, skala (preset, "auto", "A|B|C" or a table: etiketter, neutral, ej_svar,
                   ordning, fragor, omvanda), fragor = [...], fragefil, grupp = "forbund", population,
                   per_grupp_fragor = [...], index_fragor = [...], omvanda = [...], rubrik,
                   kolumner = {id = "Svars-ID", forbund = ...}
    [effekt]       fil, utfall, kovariater = [...], exakt = [...], per = "forbund",
                   eventstudie = true, jamforelse_andel = 0.33, jamforelse_namn = "riket",
                   arlig_kostnad_stod = 500000, kostnad_per_deltagare = 0,
                   kolumner = {id = "lopnr", period = "kvartal", behandling = "deltar", ...}

``kolumner`` maps a column role to the column's name in your file. Roles:
id, respondent, forbund, roll, grupp, ar, text, fraga (excerpts and surveys);
id, period, behandling, start, forbund (register).

Analyses a frågeställning can list (``block.analys``; a bare block name means all
of the block's analyses; a survey block is named by its ``namn``, else ``enkat1``,
``enkat2`` ...)::

    kodning: teman, per_grupp, samforekomst, citat, reliabilitet
    enkät:   svar, per_grupp, index, skillnader
    effekt:  matchning, effekt, per_grupp, did, eventstudie, jamforelse, kalkyl

Without ``[[fragestallning]]`` every analysis runs, one chapter per block.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from ..errors import ConfigError

__all__ = ["SCHEMA", "ANALYSES", "FORMATS", "load_config", "check_config", "demo_config_path", "block_names",
           "read_text"]

# Keys each section accepts, and the type expected: a bad key is an error, not ignored.
SCHEMA: dict[str, dict[str, type | tuple[type, ...]]] = {
    "rapport": {"titel": str, "undertitel": str, "forfattare": str, "forbund": str, "datum": str, "version": str,
                "format": list, "min_antal": int, "figurformat": list, "dpi": int, "referenser": list},
    "text": {"sammanfattning": str, "bakgrund": str, "syfte": str, "avgransningar": str, "slutsatser": str,
             "rekommendationer": str, "metod": str},
    "etiketter": {},  # any key: identifier -> label
    "fragestallning": {"fraga": str, "rubrik": str, "text": str, "slutsats": str, "analyser": list},
    "kodning": {
        "fil": str, "kodbok": str, "grupper": list, "kodare": list, "citat_per_tema": int,
        "teman_med_citat": int, "citat_minsta_grupp": int, "nyckel_miljovariabel": str, "nyckel_fil": str,
        "namn": list, "kolumner": dict, "filnamn": str, "respondent_global": bool,
    },
    "enkat": {
        "namn": str, "fil": str, "skala": (str, dict), "fragor": list, "fragefil": str, "grupp": str,
        "population": str, "per_grupp_fragor": list, "index_fragor": list, "omvanda": list, "rubrik": str,
        "kolumner": dict,
    },
    "effekt": {
        "fil": str, "utfall": str, "kovariater": list, "exakt": list, "per": str, "eventstudie": bool,
        "jamforelse_andel": (float, int), "jamforelse_namn": str, "arlig_kostnad_stod": (float, int),
        "kostnad_per_deltagare": (float, int), "kolumner": dict,
    },
}
ANALYSES: dict[str, tuple[str, ...]] = {
    "kodning": ("teman", "per_grupp", "samforekomst", "citat", "reliabilitet"),
    "enkat": ("svar", "per_grupp", "index", "skillnader"),
    "effekt": ("matchning", "effekt", "per_grupp", "did", "eventstudie", "jamforelse", "kalkyl"),
}
_REQUIRED = {"kodning": ["fil"], "enkat": ["fil"], "effekt": ["fil", "utfall"], "fragestallning": ["fraga"]}
FORMATS = ("docx", "html", "md")
_TYPE_SV = {str: "text", list: "en lista", int: "ett heltal", bool: "true eller false", float: "ett tal",
            dict: "en tabell ({nyckel = \"värde\"})"}


def demo_config_path() -> Path:
    """``data_samples/rapport.toml``: the demo spec (and the example to copy).

    Looked up beside the package source (a checkout or an editable install),
    then in ``data_samples/`` under the working directory, then the copy the
    installed package carries (``demo_rapport.toml``, kept identical by a test).
    """
    for p in (Path(__file__).resolve().parents[2] / "data_samples" / "rapport.toml",
              Path.cwd() / "data_samples" / "rapport.toml",
              Path(__file__).resolve().parent / "demo_rapport.toml"):
        if p.exists():
            return p
    raise ConfigError("Demorapportens inställningar data_samples/rapport.toml finns inte här. Kör kommandot i "
                      "finsam_eval-mappen (där data_samples/ finns), eller ange en egen fil med --config.")


def load_config(path: str | Path) -> dict[str, Any]:
    """Read and check a report config; errors name the key and what was expected."""
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"Konfigurationsfilen {path} finns inte.") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: inte giltig TOML ({exc}). Kontrollera citattecken och hakparenteser.") from None
    return check_config(raw, source=str(path))


def block_names(cfg: dict[str, Any]) -> dict[str, tuple[str, dict[str, Any]]]:
    """Block name -> (kind, block config): ``kodning``, ``effekt`` and each survey's ``namn`` (or ``enkatN``)."""
    out: dict[str, tuple[str, dict[str, Any]]] = {}
    if "kodning" in cfg:
        out["kodning"] = ("kodning", cfg["kodning"])
    surveys = cfg.get("enkat", [])
    for i, s in enumerate(surveys if isinstance(surveys, list) else [surveys], start=1):
        out[s.get("namn", f"enkat{i}")] = ("enkat", s)
    if "effekt" in cfg:
        out["effekt"] = ("effekt", cfg["effekt"])
    return out


def check_config(cfg: dict[str, Any], source: str = "konfigurationen") -> dict[str, Any]:
    """Validate a config dict against the documented keys and types.

    Raises
    ------
    ConfigError
        Naming the section, the key and what was expected.
    """
    unknown = set(cfg) - set(SCHEMA)
    if unknown:
        raise ConfigError(f"{source}: okända avsnitt {sorted(unknown)}; giltiga är {sorted(SCHEMA)}.")
    if not any(k in cfg for k in ("kodning", "enkat", "effekt")):
        raise ConfigError(f"{source}: ange minst ett av avsnitten [kodning], [[enkat]] eller [effekt].")
    for section, keys in SCHEMA.items():
        if section not in cfg:
            continue
        blocks = cfg[section] if isinstance(cfg[section], list) else [cfg[section]]
        for i, block in enumerate(blocks):
            where = f"[{section}]" + (f" nr {i + 1}" if len(blocks) > 1 else "")
            if not isinstance(block, dict):
                raise ConfigError(f"{source}: {where} ska vara en tabell med nycklar.")
            if section == "etiketter":
                bad = [k for k, v in block.items() if not isinstance(v, str)]
                if bad:
                    raise ConfigError(f"{source}: etiketten för '{bad[0]}' i [etiketter] ska vara text.")
                continue
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
    meta = cfg.get("rapport", {})
    bad = [f for f in meta.get("format", list(FORMATS)) if f not in FORMATS]
    if bad:
        raise ConfigError(f"{source}: okänt format {bad} i [rapport]; välj bland {list(FORMATS)}.")
    bad = [f for f in meta.get("figurformat", ["png"]) if f not in ("png", "svg")]
    if bad:
        raise ConfigError(f"{source}: okänt figurformat {bad} i [rapport]; välj bland ['png', 'svg'].")
    names = block_names(cfg)
    for i, q in enumerate(cfg.get("fragestallning", []), start=1):
        for ref in q.get("analyser", []):
            block, _, analysis = str(ref).partition(".")
            if block not in names:
                raise ConfigError(f"{source}: analysen '{ref}' i [[fragestallning]] nr {i} hänvisar till blocket "
                                  f"'{block}', som inte finns; blocken heter {sorted(names)}.")
            valid = ANALYSES[names[block][0]]
            if analysis and analysis not in valid:
                raise ConfigError(f"{source}: '{ref}' i [[fragestallning]] nr {i}: blocket '{block}' har analyserna "
                                  f"{list(valid)}.")
    return cfg


def read_text(value: str | None, base: Path | None, key: str) -> str:
    """A narrative text: inline, or read from a Markdown file named relative to the config."""
    if not value:
        return ""
    v = value.strip()
    if "\n" not in v and v.lower().endswith((".md", ".txt")):
        path = Path(v) if Path(v).is_absolute() or base is None else base / v
        try:
            return path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise ConfigError(f"[text] '{key}': filen {path.name!r} finns inte (sökväg relativ till "
                              "konfigurationsfilen).") from None
    return value
