"""``finsam-eval effekt``: matched comparison of participants and non-participants from a register panel.

Reads the person-period register with :func:`finsam_eval.io.read_register`,
takes one baseline row per person (the quarter before start; controls get a
pseudo start), matches participants to controls on the propensity score
(:func:`finsam_eval.effects.match`), estimates the effect on the outcome and
compares förbund (:func:`finsam_eval.effects.compare_forbund`). Writes the
balance table, the counts and the estimates as CSV (``;``, decimal comma,
UTF-8 with BOM) and the love plot, overlap plot and forest plot as PNG.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

__all__ = ["register", "run"]

DEFAULT_COVARIATES = ["kon", "alder", "utbildning", "forsorjning_fore", "manader_stod"]


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "effekt",
        help="matchad jämförelse av deltagare och icke-deltagare i en registerpanel, per förbund",
        description=(
            "Matchar deltagare mot icke-deltagare på propensity score (närmaste granne, caliper, exakt "
            "matchning på valda variabler) med bakgrund från kvartalet före start, skattar effekten på "
            "utfallet (ATT med parklustrade standardfel) och jämför förbunden. Skriver balanstabell, "
            "antal och skattningar som CSV (semikolon, decimalkomma) och figurer (love plot, "
            "överlappning, forest plot)."
        ),
    )
    p.add_argument("register_file", metavar="REGISTER", nargs="?",
                   help="registerpanel (CSV, Excel, parquet): en rad per person och kvartal")
    p.add_argument("--demo", action="store_true", help="använd exempelregistret i paketet i stället för en fil")
    p.add_argument("--outcome", default="arbete_studier", help="utfallskolumn (standard: arbete_studier)")
    p.add_argument("--covariates",
                   help="kovariater, kommaseparerade (standard: kon,alder,utbildning,forsorjning_fore,manader_stod "
                        "och utfallets medel före start)")
    p.add_argument("--exact", default="forbund",
                   help="variabler för exakt matchning, kommaseparerade (standard: forbund; tom sträng = ingen)")
    p.add_argument("--by", default="forbund", help="jämför grupper i denna kolumn (standard: forbund; tom = ingen)")
    p.add_argument("--ratio", type=int, default=1, help="antal kontroller per deltagare (standard: 1)")
    p.add_argument("--caliper", type=float, default=0.2,
                   help="caliper i standardavvikelser av logit-score (standard: 0,2; 0 = ingen)")
    p.add_argument("--replace", action="store_true", help="matcha med återläggning")
    p.add_argument("--adjust", action="store_true", help="regressionsjustera effekten med kovariaterna")
    p.add_argument("--post", type=int, help="antal kvartal från start som utfallet medelvärdesbildas över "
                                            "(standard: alla)")
    p.add_argument("--pre", type=int, default=8, help="antal kvartal före start för utfallets förevärde (standard: 8)")
    p.add_argument("--seed", type=int, default=0, help="slumpfrö för kontrollernas pseudostart (standard: 0)")
    p.add_argument("--out", default="effekt_resultat", help="utkatalog (standard: effekt_resultat)")
    p.set_defaults(func=run)


def _split(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


def run(args: argparse.Namespace) -> int:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from ..effects import compare_forbund, match, person_baseline
    from ..errors import ConfigError
    from ..io.export import write_csv
    from ..plots import save_figure

    if args.demo:
        from ..samples import load_sample

        panel = load_sample("register")
        source = "exempelregistret (simulerat)"
    elif args.register_file:
        from ..io import read_register

        panel = read_register(args.register_file)
        source = Path(args.register_file).name
    else:
        raise ConfigError("Ange en registerfil (REGISTER) eller --demo.")

    outcome = args.outcome
    base = person_baseline(panel, outcomes=outcome, post=args.post, pre=args.pre, random_state=args.seed)
    covariates = _split(args.covariates) or [c for c in DEFAULT_COVARIATES if c in base.columns] + [f"{outcome}_fore"]
    exact = _split(args.exact)
    caliper = None if not args.caliper else args.caliper
    m = match(base, "deltagare", covariates, exact=exact or None, ratio=args.ratio, replace=args.replace,
              caliper=caliper)
    eff = m.effect(outcome, adjust=args.adjust)

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    written = [
        write_csv(m.balance(), out / "balans.csv", decimals=3),
        write_csv(m.counts, out / "matchning_antal.csv"),
        write_csv(eff.table(), out / "effekt.csv", decimals=4),
    ]
    figs = {"love_plot": m.love_plot().figure, "overlappning": m.overlap_plot()}
    texts = [f"Källa: {source}", m.summary(), eff.summary()]
    by = (args.by or "").strip()
    if by:
        comp = compare_forbund(base, outcome, by=by, covariates=covariates,
                               exact=[c for c in exact if c != by] or None, ratio=args.ratio, replace=args.replace,
                               caliper=caliper, adjust=args.adjust)
        written.append(write_csv(comp.table(), out / f"effekt_per_{by}.csv", decimals=4))
        figs["forest_plot"] = comp.plot().figure
        texts.append(comp.summary())
    for name, fig in figs.items():
        written.extend(save_figure(fig, out / f"{name}.png"))
        plt.close(fig)
    summary = "\n\n".join(texts)
    (out / "sammanfattning.txt").write_text(summary + "\n", encoding="utf-8")
    written.append(out / "sammanfattning.txt")
    print(eff.caption)
    print("Skrev: " + ", ".join(str(p) for p in written))
    return 0
