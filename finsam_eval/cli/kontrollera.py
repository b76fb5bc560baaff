"""``finsam-eval kontrollera FIL ...``: read files the way the analyses will, and show what happens to them.

For one file: the size, the columns, every repair and exclusion with line
numbers, scale labels (``--typ enkat``) and whether any column holds
personnummer (counts only, never values). For several files or a folder: one
verdict line per file, so that a whole delivery can be checked with one
command. Exit code 2 if any file has an error, else 1 if any holds
personnummer, else 0. Every message passes the privacy guard: a file named
with a personnummer is shown as "fil med personnummer i namnet".
"""

from __future__ import annotations

import argparse
import inspect
import warnings
from pathlib import Path
from typing import Any

_READERS = ("tabell", "enkat", "register", "utdrag", "population")
#: Role flags shared with the other commands: flag -> role name.
ROLE_FLAGS: dict[str, str] = {
    "id": "id",
    "respondent": "respondent",
    "forbund": "forbund",
    "roll": "roll",
    "grupp": "grupp",
    "ar": "ar",
    "text": "text",
    "fraga": "fraga",
    "period": "period",
    "behandling": "behandling",
    "start": "start",
}
_ROLE_HELP = {
    "id": "id (utdrag, person i register)", "respondent": "respondenten", "forbund": "förbundet",
    "roll": "respondentens roll", "grupp": "respondentgruppen", "ar": "året", "text": "utdragets text",
    "fraga": "intervjuarens fråga", "period": "perioden (kvartal, månad, löpnummer)",
    "behandling": "deltagare 1/0, Ja/Nej eller x/tom", "start": "startperiod eller inskrivningsdatum",
}
_UNEXPECTED = "oväntat fel i finsam_eval"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "kontrollera",
        help="läs in filer och visa reparationer, exkluderingar och personnummer",
        description=(
            "Läser filer som analyserna gör och visar vad som rättades, uteslöts eller bör åtgärdas. "
            "Flera filer eller en mapp: en rad per fil med utlåtandet (OK, PERSONNUMMER eller FEL). "
            "Slutkod 0 = allt läsbart, 1 = personnummer hittades, 2 = någon fil har fel."
        ),
    )
    p.add_argument("fil", type=Path, nargs="+", metavar="FIL", help="CSV, Excel, SPSS, parquet, en mapp med filer eller utskrifter")
    p.add_argument("--typ", choices=_READERS, default="tabell",
                   help="hur filen ska läsas: tabell (standard), enkat, register, utdrag eller population "
                        "(målgruppens storlek per grupp)")
    p.add_argument("--blad", metavar="BLAD", help="Excel-blad att läsa (namn eller nummer från 0)")
    p.add_argument("--skala", default="auto", help="--typ enkat: svarsskalan som etiketterna kontrolleras mot "
                                                   "(förinställt namn, .toml-fil eller auto = känn igen; standard auto)")
    p.add_argument("--population", type=Path, metavar="FIL", help="--typ enkat: fil med målgruppens storlek att kontrollera mot enkäten")
    p.add_argument("--kolumner", metavar="ROLL=KOLUMN,...", help="kolumnroller, t.ex. 'period=kvartal,behandling=deltagare,id=lopnr'")
    for flag, role in ROLE_FLAGS.items():
        p.add_argument(f"--{flag}", dest=f"roll_{role}", metavar="KOLUMN", help=f"kolumnen med {_ROLE_HELP[role]}")
    p.set_defaults(func=run)


def _roles(args: argparse.Namespace) -> dict[str, str]:
    from ..errors import ConfigError

    roles: dict[str, str] = {}
    for part in (args.kolumner or "").split(","):
        if not part.strip():
            continue
        if "=" not in part:
            raise ConfigError(
                f"--kolumner ska vara roll=kolumn, kommaseparerade (t.ex. 'period=kvartal,id=lopnr'); "
                f"'{part.strip()}' saknar '='."
            )
        role, col = (x.strip() for x in part.split("=", 1))
        roles[role] = col
    for role in ROLE_FLAGS.values():
        v = getattr(args, f"roll_{role}", None)
        if v:
            roles[role] = v
    return roles


def _files(paths: list[Path], typ: str) -> list[Path]:
    from ..errors import InputFileError
    from ..io.tables import SUPPORTED_EXTENSIONS, safe_file_name

    out: list[Path] = []
    for p in paths:
        if p.is_dir() and typ != "utdrag":
            found = sorted(
                f for f in p.rglob("*")
                if f.is_file() and any(f.name.lower().endswith(e) for e in SUPPORTED_EXTENSIONS)
            )
            if not found:
                raise InputFileError(
                    f"Mappen {safe_file_name(p.name)!r} innehåller inga tabellfiler ({', '.join(SUPPORTED_EXTENSIONS)})."
                )
            out.extend(found)
        else:
            out.append(p)
    return out


def _sheet(value: str | None) -> str | int | None:
    if value is None:
        return None
    return int(value) if value.isdigit() else value


def _read(path: Path, args: argparse.Namespace, roles: dict[str, str]) -> Any:
    from ..io import read_excerpts, read_register, read_survey, read_table

    kw: dict[str, Any] = {}
    if args.blad is not None:
        kw["sheet"] = _sheet(args.blad)
    if args.typ == "tabell":
        return read_table(path, **kw)
    if args.typ == "register":
        return read_register(path, kolumner=roles or None, **kw)
    if args.typ == "utdrag":
        return read_excerpts(path, kolumner=roles or None, **({} if path.is_dir() else kw))
    if args.typ == "population":
        return _population(path, kw)
    # enkat: the survey reader may take roles itself; otherwise rename the columns to its names first.
    if roles and "kolumner" in inspect.signature(read_survey).parameters:
        return read_survey(path, kolumner=roles, **kw)
    df = read_table(path, **kw)
    if roles:
        from ..io.survey import SURVEY_ROLES
        from ..io.tables import require_columns

        require_columns(df, list(roles.values()), hint="Rätta kolumnnamnet i flaggan (t.ex. --grupp, --id).")
        attrs = df.attrs
        df = df.rename(columns={col: SURVEY_ROLES.get(str(role).casefold(), role) for role, col in roles.items()})
        df.attrs = attrs
    return read_survey(df)


def _population(path: Path, kw: dict[str, Any]) -> Any:
    from ..io import read_table
    from ..io.tables import require_columns

    df = read_table(path, **kw)
    require_columns(
        df, ["population", "respondentgrupp"],
        hint="En populationsfil behöver kolumnen 'population' (antal i målgruppen) och 'respondentgrupp' (samma "
             "grupper som i enkäten), gärna också 'forbund' och 'ar'; utan 'respondentgrupp' kan svarsfrekvensen "
             "inte räknas per grupp.",
    )
    return df


def _scale_problems(df: Any, args: argparse.Namespace) -> list[str]:
    try:
        from ..likert import check_scale_labels
    except ImportError:  # pragma: no cover - the scales engineer's function arrives in parallel
        return []
    items = df.attrs.get("items")
    if not items:
        return []
    chk = check_scale_labels(df, items, args.skala)
    return list(chk.problems)


def _check_one(path: Path, args: argparse.Namespace, roles: dict[str, str], detail: bool) -> tuple[int, str]:
    """Read one file; print details if asked. Returns (exit code, verdict text)."""
    from ..errors import FinsamError
    from ..privacy import scan_frame
    from ..privacy.guard import mask_text

    caught: list[str] = []
    try:
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            df = _read(path, args, roles)
            problems = _scale_problems(df, args) if args.typ == "enkat" else []
            if args.typ == "enkat" and args.population:
                pop = _population(args.population, {})
                missing = [c for c in ("forbund", "ar") if c in df.columns and c not in pop.columns]
                if missing:
                    problems.append(
                        f"Populationsfilen saknar {', '.join(repr(c) for c in missing)}, som enkäten har: "
                        "svarsfrekvensen räknas då över alla sådana grupper tillsammans."
                    )
        caught = [mask_text(str(x.message)) for x in w]
    except FinsamError as exc:
        return 2, "FEL: " + mask_text(str(exc))
    except Exception as exc:  # noqa: BLE001 - a bug must still not print a traceback with data in it
        return 2, f"FEL: {_UNEXPECTED} ({type(exc).__name__}); rapportera det till utvecklarna med filtypen."
    ex = df.attrs.get("exclusions")
    hits = scan_frame(df)
    if detail:
        print(f"{len(df)} rader, {len(df.columns)} kolumner")
        print("Kolumner: " + mask_text(", ".join(map(str, df.columns))))
        roles_used = df.attrs.get("kolumner")
        if roles_used:
            print("Kolumnroller: " + mask_text(", ".join(f"{k} = {v!r}" for k, v in roles_used.items() if k != v)
                                               or "namnen i filen"))
        print("\nReparationer och exkluderingar:")
        print(mask_text(ex.describe()) if ex else "Inga.")
        for text in caught:
            print("Varning: " + text)
        for text in problems:
            print("Skala: " + text)
    if len(hits):
        if detail:
            print("\nVARNING: kolumner med något som liknar personnummer (antal celler):")
            for _, row in hits.iterrows():
                print(f"  {mask_text(str(row['kolumn']))}: {row['antal']}")
            print("Ta bort kolumnerna eller pseudonymisera dem (finsam_eval.pseudonymise_ids) innan analysen.")
        n = int(hits["antal"].sum())
        return 1, f"PERSONNUMMER: {n} celler i {len(hits)} kolumner; ta bort eller pseudonymisera dem"
    n_ex = len(ex.items) if ex else 0
    verdict = f"OK: {len(df)} rader, {len(df.columns)} kolumner" + (
        f", {n_ex} {'reparation/exkludering' if n_ex == 1 else 'reparationer/exkluderingar'}" if n_ex else ""
    )
    if problems:
        return 2, "FEL: " + mask_text(problems[0])
    return 0, verdict


def run(args: argparse.Namespace) -> int:
    from ..io.tables import safe_file_name

    roles = _roles(args)
    files = _files(list(args.fil), args.typ)
    detail = len(files) == 1
    worst = 0
    counts = {0: 0, 1: 0, 2: 0}
    for path in files:
        name = safe_file_name(path.name)
        if detail:
            print(f"{name}:")
        code, verdict = _check_one(path, args, roles, detail)
        counts[code] += 1
        worst = max(worst, code)
        print(verdict if detail and code == 0 else f"{name}: {verdict}")
    if not detail:
        print(f"\n{len(files)} filer: {counts[0]} OK, {counts[1]} med personnummer, {counts[2]} med fel.")
    return worst
