"""``finsam-eval enkat``: summarise a Likert survey into a table and figures.

Reads the survey (CSV, Excel, SPSS, parquet) with :func:`finsam_eval.io.read_table`,
summarises the items with :func:`finsam_eval.likert.likert_summary` and writes
a summary CSV (``;``, decimal comma, UTF-8 with BOM so Excel opens it right)
and diverging bar charts as PNG.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import pandas as pd

from .._config import get_option
from ..errors import SchemaError
from ..io.export import write_csv

__all__ = ["register", "run"]


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "enkat",
        help="sammanställ en Likertenkät: tabell (CSV) och stapeldiagram",
        description=(
            "Sammanställer enkätfrågor med en Likertskala: antal och andel per svarsalternativ, "
            "andel som instämmer med konfidensintervall, medelvärde och median, per grupp om så önskas. "
            "Små grupper döljs. Skriver en CSV-fil (semikolon, decimalkomma) och figurer."
        ),
    )
    p.add_argument("survey", metavar="ENKÄT", help="enkätfil (CSV, Excel, SPSS, parquet): en rad per svarande")
    p.add_argument("--scale", default="stammer5",
                   help="skala: stammer5, ja_absolut4, instammer5, numeric1_6, numeric1_7, numeric0_10 "
                        "(standard: stammer5)")
    p.add_argument("--items", help="frågekolumner, kommaseparerade (standard: alla kolumner som passar skalan)")
    p.add_argument("--by", help="gruppkolumn(er), kommaseparerade, t.ex. forbund eller forbund,ar")
    p.add_argument("--texts", help="fil med frågetexter (kolumnerna item och text), t.ex. survey_items")
    p.add_argument("--population", help="fil med målgruppens storlek (gruppkolumner och population)")
    p.add_argument("--weights", help="kolumn med vikter")
    p.add_argument("--neutral", choices=["split", "separate", "omit"], default="split",
                   help="mittenalternativet: delat kring noll (standard), i egen kolumn eller utelämnat")
    p.add_argument("--layout", choices=["rows", "panels"], default="rows",
                   help="grupper som rader under varje fråga (standard) eller som egna paneler")
    p.add_argument("--sort", choices=["none", "agree"], default="none",
                   help="frågornas ordning: som i filen (standard) eller efter andel som instämmer")
    p.add_argument("--min-count", type=int, default=None,
                   help=f"minsta antal svar som redovisas (standard {get_option('min_count')})")
    p.add_argument("--out", default="enkat_resultat", help="mapp för resultaten (standard: enkat_resultat)")
    p.add_argument("--title", help="rubrik på figuren")
    p.set_defaults(func=run)


def _split(arg: str | None) -> list[str]:
    return [x.strip() for x in arg.split(",") if x.strip()] if arg else []


def _guess_items(df: pd.DataFrame, scale: Any, skip: set[str]) -> list[str]:
    """Columns whose answers all fit the scale (and that hold some answer on it)."""
    items = []
    for c in df.columns:
        if c in skip:
            continue
        try:
            codes = scale.codes(df[c])
        except SchemaError:
            continue
        if ((codes >= 0) & (codes < len(scale.levels))).any():
            items.append(c)
    return items


def run(args: argparse.Namespace) -> int:
    from .._config import option_context
    from ..io import read_table
    from ..likert import get_scale, likert_summary, plot_likert
    from ..plots import save_figure

    scale = get_scale(args.scale)
    df = read_table(args.survey)
    by = _split(args.by)
    items = _split(args.items)
    if not items:
        skip = {*by, "respondent_id", "forbund", "ar", "respondentgrupp", "kon", "alder", "roll", "kommun", "datum"}
        if args.weights:
            skip.add(args.weights)
        items = _guess_items(df, scale, skip)
        if not items:
            raise SchemaError(f"Inga kolumner i {args.survey} passar skalan {scale.name!r}; ange --items eller en "
                              "annan --scale.")
    texts = read_table(args.texts) if args.texts else None
    population = read_table(args.population) if args.population else None
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    opts = {"min_count": args.min_count} if args.min_count is not None else {}
    with option_context(**opts):
        res = likert_summary(df, items, scale, by=by or None, weights=args.weights, population=population,
                             item_labels=texts, source=Path(args.survey).name)
        table = res.table()
        csv = write_csv(table, out / "enkat_sammanstallning.csv")
        ex = res.exclusions.table()
        if len(ex):
            write_csv(ex, out / "enkat_exkluderingar.csv")
        fig = plot_likert(res, neutral=args.neutral, layout=args.layout, sort=args.sort, title=args.title)
        pngs = save_figure(fig, out / "enkat_staplar.png")
    n_resp = len(df)
    print(f"{len(items)} frågor, {n_resp} svarande, skala {scale.name}.")
    print(f"Tabell: {csv}")
    for p in pngs:
        print(f"Figur: {p}")
    for note in res.notes:
        print(f"Not: {note}")
    return 0
