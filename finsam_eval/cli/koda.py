"""``finsam-eval koda``: code interview excerpts into themes and write tables and figures.

Before anything is written, excerpt texts (and id columns) are checked for
personnummer and for the names in ``--namnlista``: if there are any, they are
replaced by keyed pseudonyms (key from the environment variable
``FINSAM_NYCKEL`` or ``--nyckel-fil``), or the command stops and says how to
give a key. Respondents are counted as people (``--respondent`` names the
column); without a respondent column each excerpt counts as its own
respondent and the command says so.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InputFileError, PrivacyError
from ..io.export import write_csv
from ._keys import KEY_ENV
from ._keys import KEY_FIX as _KEY_FIX
from ._keys import read_key as _read_key

__all__ = ["register", "run", "KEY_ENV"]

# Swedish headers for the excerpt-level tables (tables with suppression already have Swedish headers).
_SV_HEADERS = {
    "excerpt_id": "utdrag_id",
    "code": "kod",
    "label": "etikett",
    "score": "poang",
    "n_hits": "antal_traffar",
    "matched_terms": "termer",
    "matched_text": "traffade_ord",
    "negated": "negerad",
    "hedged": "osaker",
    "respondent_id": "respondent",
    "text": "citat",
}


def _alias(p: argparse.ArgumentParser, flag: str, dest: str, **kw: Any) -> None:
    """An older flag that still works but is not shown in --help."""
    p.add_argument(flag, dest=dest, help=argparse.SUPPRESS, default=argparse.SUPPRESS, **kw)


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "koda",
        help="koda intervjuutdrag i teman (kodbok, matriser, citat)",
        description=(
            "Kodar intervjuutdrag automatiskt i teman med en svensk kodbok (böjningar, sammansättningar, "
            "fraser, negationer) och skriver tabeller (CSV för svensk Excel) och figurer. Personnummer och "
            f"namn i --namnlista pseudonymiseras med en nyckel ({KEY_ENV} eller --nyckel-fil) innan något skrivs."
        ),
    )
    p.add_argument("excerpts", metavar="UTDRAG",
                   help="tabell med ett utdrag per rad (CSV, Excel ...) eller mapp med utskrifter (.txt, .docx, Teams/Zoom-textning .vtt, .srt)")
    p.add_argument("--kodbok", dest="codebook", metavar="FIL",
                   help="kodbok som YAML, JSON eller REFI-QDA (.qdc); standard: den inbyggda")
    _alias(p, "--codebook", "codebook")
    p.add_argument("--ramverk", metavar="NAMN",
                   help="inbyggt ramverk i stället för kodbok: teman, organiserande_funktioner, boklund, huxham")
    roles = p.add_argument_group("kolumner (standard: kända namn som IP, Respondent, Förbund, Citat, Fråga)")
    roles.add_argument("--id", dest="id_col", metavar="KOLUMN", help="kolumnen med utdragets id")
    _alias(p, "--id-col", "id_col")
    roles.add_argument("--text", dest="text_col", metavar="KOLUMN", help="kolumnen med texten")
    _alias(p, "--text-col", "text_col")
    roles.add_argument("--respondent", metavar="KOLUMN",
                       help="kolumnen med respondentens id (utan den räknas varje utdrag som en egen respondent)")
    roles.add_argument("--forbund", metavar="KOLUMN", help="kolumnen med förbundet")
    roles.add_argument("--roll", metavar="KOLUMN", help="kolumnen med den intervjuades roll")
    roles.add_argument("--fraga", metavar="KOLUMN", help="kolumnen med intervjuarens fråga")
    roles.add_argument("--respondent-global", action="store_true",
                       help="respondent-id är unika i hela materialet (annars räknas R01 i två förbund som två personer)")
    tr = p.add_argument_group("utskrifter (en mapp med .txt/.docx)")
    tr.add_argument("--filnamn", metavar="MÖNSTER",
                    help="tolka filnamnen, t.ex. \"{forbund}_{roll}_{respondent}\" (standard: filnamnen tolkas inte)")
    tr.add_argument("--metadata", metavar="FIL", help="tabell med kolumnen fil och förbund, roll, respondent per utskrift")
    tr.add_argument("--talare", metavar="NAMN", help="fler talaretiketter att känna igen, kommaseparerade (t.ex. Anna,Ola)")
    tr.add_argument("--intervjuare", metavar="NAMN",
                    help="fler etiketter för intervjuaren, kommaseparerade (t.ex. Lena); standard: I, Int, Intervjuare ...")
    priv = p.add_argument_group("integritet")
    priv.add_argument("--nyckel-fil", metavar="FIL",
                      help=f"fil med den hemliga nyckeln för pseudonymer (annars miljövariabeln {KEY_ENV})")
    priv.add_argument("--namnlista", metavar="FIL", help="fil med namn (ett per rad) som ska pseudonymiseras i citaten")
    p.add_argument("--per", dest="by", action="append", metavar="KOLUMN",
                   help="gruppera matriser per kolumn (kan upprepas); standard: forbund och roll om de finns")
    _alias(p, "--by", "by", action="append")
    p.add_argument("--ut", dest="out", default="kodning", metavar="MAPP", help="mapp för resultaten (standard: kodning)")
    _alias(p, "--out", "out")
    p.add_argument("--minsta-poang", dest="min_score", type=float, default=1.0,
                   help="minsta poäng för att ett tema ska ges (standard 1)")
    _alias(p, "--min-score", "min_score", type=float)
    p.add_argument("--citat", type=int, default=3, metavar="N", help="antal citat per tema (standard 3; 0 = inga)")
    p.add_argument("--jamfor", metavar="KOLUMN", help="jämför med manuella koder i denna kolumn (t.ex. codes_a)")
    p.add_argument("--qdpx", action="store_true", help="skriv också ett REFI-QDA-projekt (kodning.qdpx)")
    p.add_argument("--format", dest="formats", default="png,svg", help="figurformat, kommaseparerade (standard: png,svg)")
    p.set_defaults(func=run)


# --------------------------------------------------------------------------- privacy
def _read_names(path: str | None) -> list[str]:
    if not path:
        return []
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as e:
        raise InputFileError(f"Namnlistan kunde inte läsas ({type(e).__name__}). Spara den som UTF-8-text, ett namn per rad.") from None
    return [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]


def _protect(df: pd.DataFrame, args: argparse.Namespace) -> tuple[pd.DataFrame, str | None]:
    """Pseudonymise personnummer (and listed names) in texts and ids, or refuse. Returns a message or None."""
    import re

    from ..privacy import pseudonymise, pseudonymise_ids
    from ..privacy.guard import holds_personnummer

    names = _read_names(args.namnlista)
    text_cols = [c for c in ("text", "fraga") if c in df.columns]
    name_re = (
        re.compile(r"(?<!\w)(" + "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)) + r")(?!\w)",
                   re.IGNORECASE)
        if names else None
    )

    def personal(v: Any) -> bool:
        return isinstance(v, str) and (holds_personnummer(v) or (name_re is not None and bool(name_re.search(v))))

    hit_rows = np.zeros(len(df), dtype=bool)
    for c in text_cols:
        hit_rows |= df[c].map(personal).to_numpy(dtype=bool)
    # speaker labels and respondent ids can be names ("Karin:") too
    label_cols = [c for c in ("talare", "respondent_id") if c in df.columns and name_re is not None
                  and df[c].map(lambda v: isinstance(v, str) and bool(name_re.search(v))).any()]
    id_cols = [c for c in df.columns if c not in text_cols and df[c].dtype == object
               and df[c].map(lambda v: isinstance(v, str | int | float) and holds_personnummer(v)).any()]
    if not hit_rows.any() and not id_cols and not label_cols:
        return df, None
    key, origin = _read_key(args)
    if key is None:
        what = []
        if hit_rows.any():
            what.append(f"{int(hit_rows.sum())} utdrag innehåller personnummer eller namn ur namnlistan")
        if id_cols:
            what.append(f"kolumnerna {', '.join(repr(c) for c in id_cols)} innehåller personnummer")
        if label_cols:
            what.append(f"kolumnerna {', '.join(repr(c) for c in label_cols)} innehåller namn ur namnlistan")
        raise PrivacyError(
            f"{'; '.join(what)}. Inget skrevs. Pseudonymisera med en hemlig nyckel: {_KEY_FIX} "
            "(en fil med en hemlig fras, förvarad utanför projektmappen; samma nyckel ger samma pseudonymer)."
        )
    df = df.copy()
    attrs = dict(df.attrs)
    n = 0
    for c in text_cols:
        res = pseudonymise(df[c].where(df[c].notna(), None), key, names=names)
        df[c] = res.texts.where(df[c].notna(), None)
        n += res.n_replaced
    for c in id_cols:
        df[c] = pseudonymise_ids(df[c].astype(object), key, prefix="ID")
    for c in label_cols:
        if c not in id_cols:
            df[c] = pseudonymise(df[c].where(df[c].notna(), None), key, names=names).texts.where(df[c].notna(), None)
    df.attrs = attrs
    parts = [f"{n} personnummer och namn i {int(hit_rows.sum())} utdrag"] if hit_rows.any() else []
    parts += [f"kolumnen {c!r}" for c in dict.fromkeys([*id_cols, *label_cols])]
    return df, f"Pseudonymiserade {' och '.join(parts)} med nyckeln från {origin}."


# --------------------------------------------------------------------------- output
def _tidy(t: pd.DataFrame, *, rename: bool = False, index_name: str | None = None) -> pd.DataFrame:
    """Swedish headers, counts as integers, floats rounded to 3 decimals, missing as empty."""
    attrs = dict(t.attrs)
    t = t.copy()
    for c in t.columns:
        s = t[c]
        if pd.api.types.is_float_dtype(s):
            v = s.to_numpy(dtype=float, na_value=np.nan)
            fin = v[np.isfinite(v)]
            t[c] = s.round(0).astype("Int64") if len(fin) and np.all(fin == np.round(fin)) else s.round(3)
        elif s.dtype == object:
            t[c] = s.map(lambda x: None if x is pd.NA else x)
    if rename:
        t = t.rename(columns=_SV_HEADERS)
        if t.index.name in _SV_HEADERS:
            t.index.name = _SV_HEADERS[t.index.name]
    if index_name is not None:
        t.index.name = index_name
        mask = attrs.get("suppressed_mask")
        if mask is not None:
            mask = mask.copy()
            mask.index.name = index_name
            attrs["suppressed_mask"] = mask
    t.attrs = attrs
    return t


def _write(table: pd.DataFrame, path: Path, written: list[Path], **kw: Any) -> None:
    from ..privacy.guard import check_output

    check_output(table, where=f"CSV-filen {path.name}")
    written.append(write_csv(table, path, **kw))


def run(args: argparse.Namespace) -> int:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from ..coding import Codebook, code_excerpts
    from ..io import INTERVIEWER_LABELS, read_excerpts
    from ..io.excerpt_columns import FALLBACK_NOTE
    from ..plots import save_figure
    from ..privacy.guard import check_output, mask_text, safe_name

    if args.codebook and args.ramverk:
        print("finsam-eval koda: ange antingen --kodbok eller --ramverk, inte båda.", file=sys.stderr)
        return 2
    src = Path(args.excerpts)
    kolumner = {role: getattr(args, dest) for role, dest in
                (("id", "id_col"), ("text", "text_col"), ("respondent", "respondent"), ("forbund", "forbund"),
                 ("roll", "roll"), ("fraga", "fraga")) if getattr(args, dest, None)}
    talare = [t.strip() for t in (args.talare or "").split(",") if t.strip()]
    interviewers = [*INTERVIEWER_LABELS, *(t.strip() for t in (args.intervjuare or "").split(",") if t.strip())]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        df = read_excerpts(src, kolumner=kolumner, filnamn=args.filnamn, metadata=args.metadata,
                           respondent_global=args.respondent_global, talare=talare, interviewer_labels=interviewers)
    for w in caught:
        if "personnummer" not in str(w.message):  # handled below, with the fix that applies to the CLI
            print(f"finsam-eval koda: varning: {w.message}", file=sys.stderr)
    df, pseudo_msg = _protect(df, args)

    if args.codebook:
        cb = Codebook.read(args.codebook)
    elif args.ramverk:
        cb = Codebook.framework(args.ramverk)
    else:
        cb = Codebook.default()

    fallback = bool(df.attrs.get("respondent_fallback"))
    resp = None if fallback else "respondent_id"
    res = code_excerpts(df, cb, text_col="text", id_col="excerpt_id", respondent_col=resp, min_score=args.min_score)
    res.source = safe_name(src.name)

    out = Path(args.out)
    check_output(out, where="utmappens namn")
    out.mkdir(parents=True, exist_ok=True)
    formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    written: list[Path] = []

    long = res.long.drop(columns=["spans", "text", "_pos"], errors="ignore")
    _write(_tidy(long, rename=True), out / "kodning_lang.csv", written)
    _write(_tidy(res.wide, rename=True), out / "kodning_bred.csv", written, index=True)
    _write(_tidy(res.table()), out / "teman.csv", written)
    _write(_tidy(res.prevalence().table()), out / "forekomst.csv", written)
    _write(_tidy(res.cooccurrence().table(), index_name="tema"), out / "samforekomst.csv", written, index=True)
    fig = res.prevalence().plot()
    check_output(fig, where="figuren teman")
    written += save_figure(fig, out / "teman", formats)
    plt.close(fig)

    by_cols = args.by or [c for c in ("forbund", "roll") if c in df.columns and df[c].notna().any()]
    for by in by_cols:
        for value in ("respondents", "share") if resp else ("excerpts",):
            m = res.matrix(by, value=value)
            suffix = {"respondents": "antal", "share": "andel", "excerpts": "utdrag"}[value]
            _write(_tidy(m.table(), index_name="tema"), out / f"matris_{by}_{suffix}.csv", written, index=True)
        m = res.matrix(by, value="share" if resp else "excerpts")
        fig = m.plot()
        check_output(fig, where=f"figuren matris_{by}")
        written += save_figure(fig, out / f"matris_{by}", formats)
        plt.close(fig)
        _write(_tidy(res.prevalence(by=by).table()), out / f"forekomst_{by}.csv", written)

    if args.citat > 0:
        quotes = []
        for code in cb.ids:
            q = res.quotes(code, n=args.citat).table()
            q.insert(0, "tema", cb.get(code).label)
            quotes.append(q)
        _write(_tidy(pd.concat(quotes, ignore_index=True), rename=True), out / "citat.csv", written)
    if args.jamfor:
        cmp = res.compare(args.jamfor)
        _write(_tidy(cmp.table()), out / f"jamforelse_{args.jamfor}.csv", written)
    if args.qdpx:
        p = out / "kodning.qdpx"
        res.to_qdpx(p)
        written.append(p)

    notes = [*res.notes, *(n for n in df.attrs.get("notes", []) if n not in res.notes and "personnummer" not in n)]
    read_ex = df.attrs.get("exclusions")
    if read_ex:
        notes += ["Inläsning:", *read_ex.describe().splitlines()]
    notes.append(pseudo_msg or "Ingen pseudonymisering behövdes: inga personnummer (eller namn ur --namnlista) "
                 "hittades i utdragen.")
    check_output(notes, where="om_kodningen.txt")
    (out / "om_kodningen.txt").write_text("\n".join(notes) + "\n", encoding="utf-8")
    written.append(out / "om_kodningen.txt")

    n_codes = int(res.wide.to_numpy().sum())
    who = "" if fallback else f" från {res.n_respondents} respondenter"
    print(f"Kodade {res.n_excerpts} utdrag{who}: {n_codes} teman gavs ({len(cb)} koder i kodboken {cb.name}).")
    if fallback:
        print(f"Obs: {FALLBACK_NOTE} Tabellerna räknar därför utdrag.")
    if pseudo_msg:
        print(pseudo_msg)
    for note in df.attrs.get("notes", []):
        if note != FALLBACK_NOTE and "personnummer" not in note:
            print(f"Not: {note}")
    print(f"Skrev {len(written)} filer till {mask_text(str(out))}/")
    return 0
