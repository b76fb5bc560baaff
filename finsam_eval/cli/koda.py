"""``finsam-eval koda``: code interview excerpts into themes and write tables and figures."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import pandas as pd

from ..io.export import write_csv

__all__ = ["register", "run"]


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "koda",
        help="koda intervjuutdrag i teman (kodbok, matriser, citat)",
        description=(
            "Kodar intervjuutdrag automatiskt i teman med en svensk kodbok (böjningar, sammansättningar, "
            "fraser, negationer) och skriver tabeller (CSV för svensk Excel) och figurer."
        ),
    )
    p.add_argument("excerpts", metavar="UTDRAG", help="tabell med ett utdrag per rad (CSV, Excel ...) eller mapp med transkript")
    p.add_argument("--codebook", "--kodbok", dest="codebook", metavar="FIL",
                   help="kodbok som YAML, JSON eller REFI-QDA (.qdc); standard: den inbyggda")
    p.add_argument("--ramverk", metavar="NAMN",
                   help="inbyggt ramverk i stället för kodbok: teman, organiserande_funktioner, boklund, huxham")
    p.add_argument("--by", "--per", dest="by", action="append", metavar="KOLUMN",
                   help="gruppera matriser per kolumn (kan upprepas); standard: forbund och roll om de finns")
    p.add_argument("--out", "--ut", dest="out", default="kodning", metavar="MAPP", help="mapp för resultaten (standard: kodning)")
    p.add_argument("--min-score", "--minsta-poang", dest="min_score", type=float, default=1.0,
                   help="minsta poäng för att ett tema ska ges (standard 1)")
    p.add_argument("--text-col", default="text", help="kolumnen med texten (standard: text)")
    p.add_argument("--id-col", default="excerpt_id", help="kolumnen med utdragets id (standard: excerpt_id)")
    p.add_argument("--citat", type=int, default=3, metavar="N", help="antal citat per tema (standard 3; 0 = inga)")
    p.add_argument("--jamfor", metavar="KOLUMN", help="jämför med manuella koder i denna kolumn (t.ex. codes_a)")
    p.add_argument("--qdpx", action="store_true", help="skriv också ett REFI-QDA-projekt (kodning.qdpx)")
    p.add_argument("--format", dest="formats", default="png,svg", help="figurformat, kommaseparerade (standard: png,svg)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from ..coding import Codebook, code_excerpts
    from ..plots import save_figure

    try:
        from ..io import read_excerpts
    except ImportError:  # pragma: no cover - io always present in released versions
        read_excerpts = None
    src = Path(args.excerpts)
    if read_excerpts is not None:
        df = read_excerpts(src, text_col=args.text_col, id_col=args.id_col)
        text_col, id_col = "text", "excerpt_id"
    else:  # pragma: no cover
        df = pd.read_csv(src, sep=None, engine="python")
        text_col, id_col = args.text_col, args.id_col

    if args.codebook and args.ramverk:
        print("finsam-eval koda: ange antingen --codebook eller --ramverk, inte båda.")
        return 2
    if args.codebook:
        cb = Codebook.read(args.codebook)
    elif args.ramverk:
        cb = Codebook.framework(args.ramverk)
    else:
        cb = Codebook.default()

    resp = "respondent_id" if "respondent_id" in df.columns and df["respondent_id"].notna().all() else None
    res = code_excerpts(df, cb, text_col=text_col, id_col=id_col, respondent_col=resp, min_score=args.min_score)
    res.source = src.name

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    written: list[Path] = []

    long = res.long.drop(columns=["spans", text_col], errors="ignore")
    written.append(write_csv(long, out / "kodning_lang.csv"))
    written.append(write_csv(res.wide.reset_index(), out / "kodning_bred.csv"))
    written.append(write_csv(res.table(), out / "teman.csv"))
    written.append(write_csv(res.prevalence().table(), out / "forekomst.csv"))
    written.append(write_csv(res.cooccurrence().table(), out / "samforekomst.csv", index=True))
    fig = res.prevalence().plot()
    written += save_figure(fig, out / "teman", formats)
    plt.close(fig)

    by_cols = args.by or [c for c in ("forbund", "roll") if c in df.columns]
    for by in by_cols:
        for value in ("respondents", "share") if resp else ("excerpts",):
            m = res.matrix(by, value=value)
            suffix = {"respondents": "antal", "share": "andel", "excerpts": "utdrag"}[value]
            written.append(write_csv(m.table(), out / f"matris_{by}_{suffix}.csv", index=True))
        m = res.matrix(by, value="share" if resp else "excerpts")
        fig = m.plot()
        written += save_figure(fig, out / f"matris_{by}", formats)
        plt.close(fig)
        written.append(write_csv(res.prevalence(by=by).table(), out / f"forekomst_{by}.csv"))

    if args.citat > 0:
        quotes = []
        for code in cb.ids:
            q = res.quotes(code, n=args.citat).table()
            q.insert(0, "tema", cb.get(code).label)
            quotes.append(q)
        written.append(write_csv(pd.concat(quotes, ignore_index=True), out / "citat.csv"))
    if args.jamfor:
        cmp = res.compare(args.jamfor)
        written.append(write_csv(cmp.table(), out / f"jamforelse_{args.jamfor}.csv"))
    if args.qdpx:
        p = out / "kodning.qdpx"
        res.to_qdpx(p)
        written.append(p)

    n_codes = int(res.wide.to_numpy().sum())
    print(f"Kodade {res.n_excerpts} utdrag: {n_codes} teman gavs ({len(cb)} koder i kodboken {cb.name}).")
    print(f"Skrev {len(written)} filer till {out}/")
    return 0
