"""``finsam-eval kontrollera FIL``: read a file the way the analyses will, and show what happens to it.

Prints the size, the columns, every repair and exclusion with line numbers,
and whether any column holds personnummer (counts only, never values).
"""

from __future__ import annotations

import argparse
from pathlib import Path

_READERS = ("tabell", "enkat", "register", "utdrag")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "kontrollera",
        help="läs in en fil och visa reparationer, exkluderingar och personnummer",
        description="Läser en fil som analyserna gör och visar vad som rättades, uteslöts eller bör åtgärdas.",
    )
    p.add_argument("fil", type=Path, help="CSV, Excel, SPSS, parquet eller en mapp med utskrifter")
    p.add_argument("--typ", choices=_READERS, default="tabell",
                   help="hur filen ska läsas: tabell (standard), enkat, register eller utdrag")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..io import read_excerpts, read_register, read_survey, read_table
    from ..privacy import scan_frame

    reader = {"tabell": read_table, "enkat": read_survey, "register": read_register, "utdrag": read_excerpts}[args.typ]
    df = reader(args.fil)
    print(f"{args.fil}: {len(df)} rader, {len(df.columns)} kolumner")
    print("Kolumner: " + ", ".join(map(str, df.columns)))
    ex = df.attrs.get("exclusions")
    print("\nReparationer och exkluderingar:")
    print(ex.describe() if ex else "Inga.")
    hits = scan_frame(df)
    if len(hits):
        print("\nVARNING: kolumner med något som liknar personnummer (antal celler):")
        for _, row in hits.iterrows():
            print(f"  {row['kolumn']}: {row['antal']}")
        print("Ta bort kolumnerna eller pseudonymisera dem (finsam_eval.pseudonymise_ids) innan analysen.")
        return 1
    return 0
