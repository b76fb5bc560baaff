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
                   help="registerpanel (CSV, Excel, SPSS, parquet): en rad per person och kvartal")
    p.add_argument("--demo", action="store_true", help="använd exempelregistret i paketet i stället för en fil")
    roles = p.add_argument_group("kolumnroller (standard: namnen i registerutdrag känns igen, t.ex. lopnr, kvartal)")
    roles.add_argument("--id", metavar="KOLUMN", help="personens id (löpnummer, personnummer pseudonymiseras)")
    roles.add_argument("--forbund", metavar="KOLUMN", help="kolumnen med förbundet")
    roles.add_argument("--period", metavar="KOLUMN", help="perioden (kvartal, månad eller löpnummer)")
    roles.add_argument("--ar", metavar="KOLUMN", help="år, används som period när panelen är årsvis och --period saknas")
    roles.add_argument("--behandling", metavar="KOLUMN", help="deltagare 1/0 (Ja/Nej, x/tom går också)")
    roles.add_argument("--start", metavar="KOLUMN", help="startperiod eller inskrivningsdatum för deltagare")
    p.add_argument("--utfall", metavar="KOLUMN", default="arbete_studier", help="utfallskolumn (standard: arbete_studier)")
    p.add_argument("--utfallsform", choices=["forandring", "niva"], default="forandring",
                   help="forandring (standard): effekten på förändringen i utfallet, efter minus före start, med "
                        "matchning utan utfallets förevärde (matchad difference-in-differences: stabila skillnader "
                        "mellan personerna som matchningen inte ser tas bort); niva: effekten på nivån efter start, "
                        "med utfallets förevärde bland kovariaterna")
    p.add_argument("--kovariater", metavar="KOLUMNER",
                   help="kovariater, kommaseparerade (standard: kon,alder,utbildning,forsorjning_fore,manader_stod; "
                        "med --utfallsform niva också utfallets medel före start)")
    p.add_argument("--exakt", metavar="KOLUMNER", default="forbund",
                   help="variabler för exakt matchning, kommaseparerade (standard: forbund; tom sträng = ingen)")
    p.add_argument("--grupp", metavar="KOLUMN", default="forbund", help="jämför grupper i denna kolumn (standard: forbund; tom = ingen)")
    p.add_argument("--kvot", metavar="ANTAL", type=int, default=1, help="antal kontroller per deltagare (standard: 1)")
    p.add_argument("--caliper", metavar="SD", type=_float_sv, default=0.2,
                   help="caliper i standardavvikelser av logit-score (standard: 0,2; 0 = ingen)")
    p.add_argument("--aterlaggning", action="store_true", help="matcha med återläggning")
    p.add_argument("--justera", action="store_true", help="regressionsjustera effekten med kovariaterna")
    p.add_argument("--estimand", choices=["ATT", "ATC", "ATE"], default="ATT",
                   help="effekt för deltagarna (ATT, standard), för jämförelsegruppen (ATC) eller för alla (ATE)")
    p.add_argument("--metod", choices=["nearest", "subclass", "ipw", "entropy"], default="nearest",
                   help="närmaste granne (standard), subklassificering, inversa sannolikhetsvikter eller "
                        "entropibalansering")
    p.add_argument("--se", choices=["cluster", "robust", "m", "bootstrap"], default=None,
                   help="standardfel: kluster på matchade par, robust (HC3), M-skattning (viktning) eller bootstrap "
                        "(standard: efter metod)")
    p.add_argument("--n-boot", dest="n_boot", metavar="ANTAL", type=int, default=499,
                   help="antal bootstrapdragningar med --se bootstrap (standard: 499)")
    p.add_argument("--efter", metavar="KVARTAL", type=int, help="antal kvartal från start som utfallet medelvärdesbildas över "
                                             "(standard: alla)")
    p.add_argument("--fore", metavar="KVARTAL", type=int, default=8, help="antal kvartal före start för utfallets förevärde (standard: 8)")
    p.add_argument("--fro", metavar="HELTAL", type=int, default=0, help="slumpfrö för kontrollernas pseudostart (standard: 0)")
    p.add_argument("--ut", metavar="MAPP", default="effekt_resultat", help="utkatalog (standard: effekt_resultat)")
    # The English flags of earlier versions keep working but are not shown in --help.
    for old, new, kw in [("--outcome", "utfall", {}), ("--covariates", "kovariater", {}), ("--exact", "exakt", {}),
                         ("--by", "grupp", {}), ("--ratio", "kvot", {"type": int}),
                         ("--replace", "aterlaggning", {"action": "store_true"}),
                         ("--adjust", "justera", {"action": "store_true"}), ("--post", "efter", {"type": int}),
                         ("--pre", "fore", {"type": int}), ("--seed", "fro", {"type": int}),
                         ("--out", "ut", {})]:
        p.add_argument(old, dest=new, help=argparse.SUPPRESS, default=argparse.SUPPRESS, **kw)
    p.set_defaults(func=run)


def _float_sv(text: str) -> float:
    """A number with decimal comma or point (``0,2`` or ``0.2``)."""
    return float(text.replace(",", "."))


# Swedish headers for the CSVs (what a report reader sees in Excel).
_HEADERS = {
    "variabel": "Variabel", "typ": "Typ", "medel_deltagare_fore": "Medel deltagare före",
    "medel_kontroller_fore": "Medel kontroller före", "smd_fore": "SMD före", "vr_fore": "Varianskvot före",
    "ks_fore": "KS före", "medel_deltagare_efter": "Medel deltagare efter",
    "medel_kontroller_efter": "Medel kontroller efter", "smd_efter": "SMD efter", "vr_efter": "Varianskvot efter",
    "ks_efter": "KS efter", "m_troskel": "Tröskel", "obalans": "Obalans", "utfall": "Utfall", "metod": "Metod",
    "medel_deltagare": "Medel deltagare", "medel_kontroller": "Medel kontroller", "att": "Effekt (ATT)", "atc": "Effekt (ATC)", "ate": "Effekt (ATE)",
    "se": "Standardfel", "ki_nedre": "KI nedre", "ki_ovre": "KI övre", "p": "p-värde",
    "n_deltagare": "Antal deltagare", "n_kontroller": "Antal kontroller", "grupp": "Grupp", "status": "Status",
    "antal": "Antal",
}  # fmt: skip
_COUNTS = ("Antal deltagare", "Antal kontroller", "Antal")
# Effects and their uncertainty get four decimals (0,0528), means and balance statistics three.
_EFFECT_DECIMALS = {"Effekt (ATT)": 4, "Standardfel": 4, "KI nedre": 4, "KI övre": 4}


def _publish(table: Any, decimals: dict[str, int], *, group: str | None = None) -> Any:
    """Swedish headers, counts as integers (small ones suppressed), each column rounded to what it needs."""
    import numpy as np
    import pandas as pd

    from ..privacy import suppress_small

    names = {"forbund": "Förbund", "kon": "Kön", "alder": "Ålder", "ar": "År"}
    t = table.rename(columns={**_HEADERS, **({"grupp": names.get(group, group.capitalize())} if group else {})})
    for c in _COUNTS:
        if c in t.columns and pd.api.types.is_numeric_dtype(t[c]):
            t[c] = pd.to_numeric(t[c]).round().astype("Int64")
    for c in t.columns:
        if pd.api.types.is_float_dtype(t[c]):
            v = t[c].to_numpy(dtype=float)
            v = np.where(np.abs(v) < 1e-12, 0.0, v)  # 6,93889e-16 is a rounding error, not a number
            t[c] = np.round(v, decimals.get(c, 3))
    if "p-värde" in t.columns:
        p = pd.to_numeric(t["p-värde"], errors="coerce")
        t["p-värde"] = [("" if pd.isna(x) else "< 0,001" if x < 0.001 else f"{x:.3f}".replace(".", ","))
                        for x in p]
    counts = [c for c in _COUNTS if c in t.columns]
    return suppress_small(t, counts) if counts else t


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
        from ..io.tables import safe_file_name

        kolumner = {role: getattr(args, role) for role in ("id", "forbund", "period", "behandling", "start")
                    if getattr(args, role, None)}
        if args.ar and not args.period:
            kolumner["period"] = args.ar
        panel = read_register(args.register_file, kolumner=kolumner or None, numeric=[args.utfall])
        source = safe_file_name(Path(args.register_file).name)
    else:
        raise ConfigError("Ange en registerfil (REGISTER) eller --demo.")

    level = getattr(args, "utfallsform", "forandring") == "niva"
    base = person_baseline(panel, outcomes=args.utfall, post=args.efter, pre=args.fore, random_state=args.fro)
    # Matching on the pre-start outcome leaves part of a stable person effect (the mean before start measures it
    # with noise) and pulls the estimate towards the naive comparison; the change after minus before removes it.
    outcome = args.utfall if level else f"{args.utfall}_forandring"
    covariates = _split(args.kovariater) or [c for c in DEFAULT_COVARIATES if c in base.columns] + (
        [f"{args.utfall}_fore"] if level else [])
    exact = _split(args.exakt)
    caliper = None if not args.caliper else args.caliper
    estimand, metod = getattr(args, "estimand", "ATT"), getattr(args, "metod", "nearest")
    se, n_boot = getattr(args, "se", None), getattr(args, "n_boot", 499)
    weighting = metod in ("ipw", "entropy")
    if weighting:
        from ..effects import weight

        if exact:
            raise ConfigError(f"--metod {metod} viktar och matchar inte exakt: ange --exakt \"\" (tom), eller "
                              "lägg variablerna i --kovariater.")
        m = weight(base, "deltagare", covariates, method=metod, estimand=estimand)
    else:
        m = match(base, "deltagare", covariates, exact=exact or None, ratio=args.kvot, replace=args.aterlaggning,
                  caliper=caliper, estimand=estimand, method=metod)
    eff = m.effect(outcome, adjust=args.justera, se=se, n_boot=n_boot)

    out = Path(args.ut)
    out.mkdir(parents=True, exist_ok=True)
    written = [
        write_csv(_publish(m.balance(), {}), out / "balans.csv"),
        write_csv(_publish(m.counts, {}), out / "matchning_antal.csv"),
        write_csv(_publish(eff.table(), _EFFECT_DECIMALS), out / "effekt.csv"),
    ]
    figs = {"love_plot": m.love_plot().figure, "overlappning": m.overlap_plot()}
    form = ("Utfall: nivån efter start; matchat på utfallets medel före start." if level else
            "Utfall: förändringen efter minus före start (matchad difference-in-differences); matchat utan utfallets "
            "förevärde, så att stabila skillnader mellan personerna tas bort.")
    texts = [f"Källa: {source}", form, m.summary(), eff.summary()]
    by = (args.grupp or "").strip()
    if by:
        if weighting:
            def _weighted(sub, y, **_kw):  # noqa: ANN001, ANN202 - compare_forbund's estimator protocol
                return weight(sub, "deltagare", covariates, method=metod, estimand=estimand).effect(
                    y, adjust=args.justera, se=se, n_boot=n_boot)

            comp = compare_forbund(base, outcome, by=by, estimator=_weighted)
        else:
            comp = compare_forbund(base, outcome, by=by, covariates=covariates,
                                   exact=[c for c in exact if c != by] or None, ratio=args.kvot,
                                   replace=args.aterlaggning, caliper=caliper, adjust=args.justera,
                                   estimand=estimand, method=metod)
        written.append(write_csv(_publish(comp.table(), _EFFECT_DECIMALS, group=by), out / f"effekt_per_{by}.csv"))
        figs["forest_plot"] = comp.plot().figure
        texts.append(comp.summary())
    for name, fig in figs.items():
        written.extend(save_figure(fig, out / f"{name}.png"))
        plt.close(fig)
    summary = "\n\n".join(texts)
    (out / "sammanfattning.txt").write_text(summary + "\n", encoding="utf-8")
    written.append(out / "sammanfattning.txt")
    print(eff.caption)
    print(form)
    print("Skrev: " + ", ".join(str(p) for p in written))
    return 0
