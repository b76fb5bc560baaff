"""``finsam-eval enkat``: summarise a Likert survey into a table and figures.

Reads the survey (CSV, Excel, SPSS, parquet) with :func:`finsam_eval.io.read_survey`
and a scale (recognised from the answers with ``--skala auto``, the default; a
preset; the labels given on the command line; or a TOML file with
``--skala-fil``), summarises the items with
:func:`finsam_eval.likert.likert_summary` and writes a summary CSV with Swedish
headers (``;``, decimal comma, UTF-8 with BOM so Excel opens it right), the
recodings and exclusions, and diverging bar charts as PNG.

Column roles have Swedish flags as in the other commands (``--respondent``/
``--id``, ``--forbund``, ``--ar``, ``--grupp``, ``--fragor``); the older
English flags (``--items``, ``--by``, ``--scale`` ...) still work but are not
shown in the help.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._config import get_option
from ..errors import ConfigError, PrivacyError
from ..io.export import write_csv

__all__ = ["register", "run", "swedish_table"]

# Old values of --neutral (how the middle is drawn) from before --neutral named the neutral label.
_MIDDLE = {"delad": "split", "egen": "separate", "utelamnad": "omit", "split": "split", "separate": "separate",
           "omit": "omit"}
_LAYOUT = {"rader": "rows", "paneler": "panels", "rows": "rows", "panels": "panels"}
_SORT = {"fil": "none", "andel": "agree", "none": "none", "agree": "agree"}


def _hidden(p: argparse.ArgumentParser, *flags: str, dest: str, **kw: Any) -> None:
    """An old (English) spelling of a flag: accepted, not shown in the help."""
    p.add_argument(*flags, dest=dest, help=argparse.SUPPRESS, default=argparse.SUPPRESS, **kw)


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "enkat",
        help="sammanställ en Likertenkät: tabell (CSV) och stapeldiagram",
        description=(
            "Sammanställer enkätfrågor med en svarsskala: antal och andel per svarsalternativ, "
            "andel positiva med konfidensintervall, medelvärde och median, per grupp om så önskas. "
            "Skalan känns igen från svaren (--skala auto) eller anges. Små grupper döljs. Skriver en "
            "CSV-fil (semikolon, decimalkomma), omkodningar och exkluderingar, och figurer."
        ),
    )
    p.add_argument("survey", metavar="ENKÄT", help="enkätfil (CSV, Excel, SPSS, parquet): en rad per svarande")
    g = p.add_argument_group("skala")
    g.add_argument("--skala", dest="scale", default=None, metavar="SKALA",
                   help="'auto' (standard: känns igen från svaren), ett inbyggt namn (stammer5, stammer_ganska5, "
                        "stammer_ganska4, instammer5, instammer_avstand5, grad5, bra5, nojd5, ja_helt3, ja_absolut4, 1-6 ...) eller "
                        "svarsalternativen i enkätens ordning: \"Stämmer inte alls|...|Stämmer helt\"")
    g.add_argument("--skala-fil", dest="scale_file", metavar="FIL",
                   help="TOML-fil med [skala]: etiketter, neutral, ej_svar, ordning, fragor, omvanda")
    g.add_argument("--neutral", dest="neutral", metavar="ETIKETT",
                   help="skalans mittenalternativ (med --skala \"A|B|C\")")
    g.add_argument("--ej-svar", dest="ej_svar", action="append", metavar="ETIKETT",
                   help="svar utanför procentbasen, t.ex. \"Vet ej\" (kan upprepas eller skrivas \"Vet ej|Ej aktuellt\")")
    _hidden(g, "--scale", dest="scale")
    c = p.add_argument_group("kolumner")
    c.add_argument("--fragor", dest="items", metavar="KOLUMNER",
                   help="frågekolumner, kommaseparerade (standard: alla kolumner vars svar passar skalan)")
    c.add_argument("--respondent", "--id", dest="respondent", metavar="KOLUMN",
                   help="kolumnen med svarandes id (standard: respondent_id om den finns); måste vara unik")
    c.add_argument("--forbund", dest="forbund", metavar="KOLUMN",
                   help="kolumnen med förbund (standard: forbund om den finns)")
    c.add_argument("--ar", dest="ar", metavar="KOLUMN", help="kolumnen med år (standard: ar om den finns)")
    c.add_argument("--grupp", "--per", dest="by", metavar="KOLUMNER",
                   help="redovisa per grupp: kolumn(er), kommaseparerade, t.ex. forbund eller forbund,ar")
    c.add_argument("--vikter", dest="weights", metavar="KOLUMN", help="kolumn med vikter")
    _hidden(c, "--items", dest="items")
    _hidden(c, "--by", dest="by")
    _hidden(c, "--weights", dest="weights")
    o = p.add_argument_group("utdata")
    o.add_argument("--fragetexter", dest="texts", metavar="FIL",
                   help="fil med frågetexter (kolumnerna item och text), t.ex. enkat_fragor.csv")
    o.add_argument("--population", metavar="FIL", help="fil med målgruppens storlek (gruppkolumner och population)")
    o.add_argument("--mitten", dest="middle", choices=sorted(_MIDDLE), default="delad",
                   help="mittenalternativet i figuren: delad kring noll (standard), egen kolumn eller utelämnad")
    o.add_argument("--uppstallning", dest="layout", choices=sorted(_LAYOUT), default="rader",
                   help="grupper som rader under varje fråga (standard) eller som egna paneler")
    o.add_argument("--sortera", dest="sort", choices=sorted(_SORT), default="fil",
                   help="frågornas ordning: som i filen (standard) eller efter andel positiva")
    o.add_argument("--min-antal", dest="min_count", type=int, default=None,
                   help=f"minsta antal svar som redovisas (standard {get_option('min_count')})")
    o.add_argument("--ut", dest="out", default="enkat_resultat", metavar="MAPP",
                   help="mapp för resultaten (standard: enkat_resultat)")
    o.add_argument("--rubrik", dest="title", help="rubrik på figuren")
    o.add_argument("--nyckel-fil", dest="nyckel_fil", metavar="FIL",
                   help="fil med den hemliga nyckeln som ersätter personnummer i gruppkolumner med pseudonymer "
                        "(annars miljövariabeln FINSAM_NYCKEL)")
    _hidden(o, "--texts", dest="texts")
    _hidden(o, "--layout", dest="layout", choices=sorted(_LAYOUT))
    _hidden(o, "--sort", dest="sort", choices=sorted(_SORT))
    _hidden(o, "--min-count", dest="min_count", type=int)
    _hidden(o, "--out", dest="out")
    _hidden(o, "--title", dest="title")
    p.set_defaults(func=run)


def _split(arg: str | None) -> list[str]:
    return [x.strip() for x in arg.split(",") if x.strip()] if arg else []


# Swedish headers of the summary CSV; level columns get "<label> (antal)" / "<label> (%)".
_HEADERS = {
    "item": "Fråga", "text": "Frågetext", "n_respondents": "Svarande", "n_valid": "Antal svar på skalan",
    "n_missing": "Ej besvarad", "n_non_substantive": "Utanför basen (antal)",
    "pct_non_substantive": "Utanför basen (%)",
    "pct_bottom": "Negativa (%)", "pct_bottom_lo": "Negativa KI nedre", "pct_bottom_hi": "Negativa KI övre",
    "pct_neutral": "Mitten (%)", "pct_neutral_lo": "Mitten KI nedre", "pct_neutral_hi": "Mitten KI övre",
    "pct_top": "Positiva (%)", "pct_top_lo": "Positiva KI nedre", "pct_top_hi": "Positiva KI övre",
    "net": "Netto (procentenheter)", "mean": "Medelvärde", "sd": "Standardavvikelse", "mean_lo": "Medelvärde KI nedre",
    "mean_hi": "Medelvärde KI övre", "median": "Median", "q1": "Kvartil 1", "q3": "Kvartil 3",
    "iqr": "Kvartilavstånd", "n_eff": "Effektivt n", "population": "Population", "response_rate": "Svarsfrekvens (%)",
    "forbund": "Förbund", "ar": "År", "respondentgrupp": "Respondentgrupp", "roll": "Roll",
}
_EXCLUSION_HEADERS = {"orsak": "Orsak", "kolumn": "Kolumn", "atgard": "Åtgärd", "antal": "Antal",
                      "rader": "Rader i filen"}


def swedish_table(table: pd.DataFrame, scale: Any) -> pd.DataFrame:
    """The summary table with Swedish headers, counts as integers and sensible rounding.

    Percentages and their intervals get one decimal, means and spreads two;
    counts are whole numbers (``Int64``; suppressed cells stay marked).

    Examples
    --------
    >>> from finsam_eval.likert import likert_summary
    >>> df = pd.DataFrame({"f1": ["Ja, absolut"] * 4 + ["Inte alls"] * 2})
    >>> t = swedish_table(likert_summary(df, "f1", "ja_absolut4").table(suppress=False), None)
    >>> list(t.columns[:4]), int(t.loc[0, "Antal svar på skalan"]), float(t.loc[0, "Positiva (%)"])
    (['Fråga', 'Frågetext', 'Svarande', 'Antal svar på skalan'], 6, 66.7)
    """
    t = table.copy()
    mask = table.attrs.get("suppressed_mask")
    names: dict[str, str] = {}
    for col in t.columns:
        c = str(col)
        if c in _HEADERS:
            names[c] = _HEADERS[c]
        elif c.startswith("n_"):
            names[c] = f"{c[2:]} (antal)"
        elif c.startswith("pct_"):
            names[c] = f"{c[4:]} (%)"
        else:
            names[c] = c
        s = t[col]
        if not pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s):
            continue
        if c.startswith("n_") or c in ("population",):
            t[col] = pd.array(np.round(s.to_numpy(dtype=float)), dtype="Int64")
        elif c.startswith("pct_") or c in ("net", "response_rate"):
            t[col] = s.astype(float).round(1)
        elif c in ("mean", "sd", "mean_lo", "mean_hi", "median", "q1", "q3", "iqr", "n_eff"):
            t[col] = s.astype(float).round(2)
    t = t.rename(columns=names)
    t.attrs = {}
    if mask is not None:
        t.attrs["suppressed_mask"] = mask.rename(columns=names)
    return t


def _scale_arg(args: argparse.Namespace) -> tuple[Any, str | None, list[str] | None]:
    """The scale as given, the neutral label, the non-substantive labels; old --neutral values move to --mitten."""
    neutral = args.neutral
    if neutral is not None and neutral in _MIDDLE and args.scale is None and not args.scale_file:
        args.middle, neutral = neutral, None  # `--neutral split` from before the scale flags
    ns = None
    if args.ej_svar:
        ns = [x.strip() for part in args.ej_svar for x in part.split("|") if x.strip()]
    if args.scale_file and args.scale not in (None, "auto"):
        raise ConfigError("Ange skalan antingen med --skala eller med --skala-fil, inte båda.")
    value: Any = args.scale_file or args.scale or "auto"
    if (neutral is not None or ns is not None) and value == "auto":
        raise ConfigError("--neutral och --ej-svar gäller en skala som anges med --skala \"A|B|C\" (eller ett "
                          "inbyggt namn); med --skala auto känns mittenalternativ och 'Vet ej' igen från svaren.")
    return value, neutral, ns


def _protect_groups(df: Any, by: list[str], args: argparse.Namespace) -> Any:
    """Group columns that hold personnummer get keyed pseudonyms (the groups stay the same), or the command stops."""
    from ..privacy import pseudonymise_ids, scan_frame
    from ._keys import KEY_FIX, read_key

    hit = scan_frame(df, [c for c in by if c in df.columns])["kolumn"].tolist()
    if not hit:
        return df
    key, origin = read_key(args)
    names = ", ".join(repr(c) for c in hit)
    if key is None:
        raise PrivacyError(
            f"Gruppkolumnen {names} innehåller personnummer; grupperna skulle bli personnummer i tabell och figur. "
            f"Inget skrevs. Gruppera på en annan kolumn, eller ersätt personnumren med pseudonymer: {KEY_FIX}."
        )
    attrs = dict(df.attrs)
    df = df.copy()
    for c in hit:
        df[c] = pseudonymise_ids(df[c].astype(object), key)
    df.attrs = attrs
    print(f"Personnummer i {names} ersattes med pseudonymer (nyckel från {origin}).")
    return df


def run(args: argparse.Namespace) -> int:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from .._config import option_context
    from ..io import read_survey, read_table
    from ..likert import likert_summary, plot_likert, scale_from_config
    from ..plots import save_figure
    from ..results import Exclusions

    value, neutral, ns = _scale_arg(args)
    header = read_table(args.survey)
    cols = set(header.columns)
    roles = {"forbund": args.forbund or ("forbund" if "forbund" in cols else None),
             "ar": args.ar or ("ar" if "ar" in cols else None)}
    for role, col in roles.items():
        if col is not None and col not in cols:
            raise ConfigError(f"--{role} {col!r}: kolumnen finns inte i {Path(args.survey).name}. "
                              f"Kolumner som finns: {', '.join(map(repr, list(header.columns)[:30]))}.")
    # --grupp may name the roles ("forbund", "ar") or any column.
    by = [roles.get(b) or b for b in _split(args.by)]
    respondent = args.respondent or ("respondent_id" if "respondent_id" in cols else None)
    groups = [c for c in dict.fromkeys([*by, *(v for v in roles.values() if v)]) if c]
    background = [c for c in ("respondentgrupp", "roll", "kon", "alder", "kommun", "datum") if c in cols]
    if args.weights:
        background.append(args.weights)
    items = _split(args.items) or None
    scale: Any = "auto"
    if value != "auto":
        spec = scale_from_config(value, neutral=neutral, non_substantive=ns)
        scale = spec.scale
        items = items or list(spec.items) or None
    df = read_survey(header, items=items, id_col=respondent, group_cols=[*groups, *background], required=groups,
                     scale=scale)
    df = _protect_groups(df, by, args)
    items = list(df.attrs["items"])
    sc = df.attrs["scale"]
    texts = read_table(args.texts) if args.texts else None
    population = read_table(args.population) if args.population else None
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    opts = {"min_count": args.min_count} if args.min_count is not None else {}
    with option_context(**opts):
        res = likert_summary(df, items, sc, by=by or None, weights=args.weights, population=population,
                             item_labels=texts, source=Path(args.survey).name)
        csv = write_csv(swedish_table(res.table(), sc), out / "enkat_sammanstallning.csv")
        ex = Exclusions()
        # Blank answers are recorded again, per item, by the summary.
        ex.items.extend(e for e in df.attrs["exclusions"].items if e.action != "saknas")
        ex.extend(res.exclusions)
        written_ex = None
        if len(ex):
            written_ex = write_csv(ex.table().rename(columns=_EXCLUSION_HEADERS), out / "enkat_omkodningar.csv")
        fig = plot_likert(res, neutral=_MIDDLE[args.middle], layout=_LAYOUT[args.layout], sort=_SORT[args.sort],
                          title=args.title)
        pngs = save_figure(fig, out / "enkat_staplar.png")
        plt.close(fig)
    print(f"{len(items)} frågor, {len(df)} svarande.")
    print(f"Skala: {sc.describe()}")
    recoded = sum(e.count for e in ex.items if e.action == "omkodad")
    if recoded:
        print(f"{recoded} svar omkodades till skalans etiketter (per etikett i {written_ex}).")
    print(f"Tabell: {csv}")
    for png in pngs:
        print(f"Figur: {png}")
    for note in res.notes:
        print(f"Not: {note}")
    return 0
