"""Coding quality on real Swedish evaluation text: precision, recall and F1 per theme.

The text is not ours to ship. This script reads the four real evaluation
reports from a directory given on the command line (in the development setup
``../shared/seeds``) and labels their paragraphs by the reports' own headings
and theme chapters, as written down in :data:`LABELS` below (file prefix ->
line ranges -> themes). A paragraph inherits the themes of the chapter or
section it sits in; paragraphs outside every labelled range are not used.
The labels are therefore the authors' structure, not a line-by-line coding:
a paragraph in the implementation chapter that also talks about resources is
counted as "about implementering" only. Recall is the robust number; the
share of paragraphs about other things on which a theme fires ("fel-larm")
is an upper bound of the false-alarm rate.

One report is held out (:data:`HELD_OUT`, the Göteborg Nordost manager
interviews): tune on the others, and print the held-out rows with
``--held-out`` only at the end.

Run::

    .venv/bin/python benchmarks/bench_coding_realtext.py ../shared/seeds
    .venv/bin/python benchmarks/bench_coding_realtext.py ../shared/seeds --held-out
    .venv/bin/python benchmarks/bench_coding_realtext.py ../shared/seeds --no-lemma   # without simplemma
    .venv/bin/python benchmarks/bench_coding_realtext.py ../shared/seeds --codebook old.yaml
    .venv/bin/python benchmarks/bench_coding_realtext.py ../shared/seeds --ram organiserande_funktioner

With ``--ram organiserande_funktioner`` the organising-functions framework is
measured instead: each section's themes are mapped to the function the
Botkyrka/Huddinge/Södertälje comparison files that topic under
(:data:`FUNCTION_OF_THEME`, with the few sections whose heading names a
function directly in :data:`FUNCTION_OF_SECTION`), sub-codes roll up into
their function, and the share of paragraphs that get no function at all
("okodat") and the mean number of functions per paragraph (flooding) are
printed next to precision and recall.

Quoted speech (paragraphs that open with a quotation mark or a speech dash,
mostly in the Haninge report) is also shown on its own.

Columns: ``n`` paragraphs labelled with the theme, ``precision``, ``recall``,
``F1``, ``fel-larm`` = share of the labelled paragraphs about other things on
which the theme fires.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import pandas as pd

# file prefix -> [(first line, last line, themes)], 1-based inclusive line numbers of the source text.
# The themes are the built-in codebook's ids; "ovrigt" marks a labelled section about none of them.
LABELS: dict[str, list[tuple[int, int, tuple[str, ...]]]] = {
    # Sydöstra Skåne (ASKing 2020): chapter 2 is organised by the four mechanism themes, chapter 3 by lessons.
    "001": [
        (156, 402, ("malgrupp",)),                              # 1.1 Kort om insatserna
        (1136, 1368, ("samsyn", "samarbetsklimat")),            # 2.1 Grunden: kunskap, förståelse och samsyn
        (1369, 1830, ("samverkan",)),                           # 2.2 Samverkansformer som leder till resultat
        (1831, 1905, ("forankring", "implementering")),         # 2.3 Förankring och implementering (intro)
        (1906, 2063, ("forankring",)),                          # 2.3.1 Förankring
        (2064, 2247, ("implementering",)),                      # 2.3.2 Implementering
        (2248, 2350, ("samverkan",)),                           # 2.4 Bred samverkan mellan kommunerna
        (2470, 2554, ("ovrigt",)),                              # 3.2 Problemanalyser och förändringsteorier
        (2624, 2683, ("samverkan", "implementering")),          # 3.4 Samverkansformer som ska implementeras
        (2684, 2764, ("larande",)),                             # 3.5 Samverkanskompetens och arbetssätt
        (2765, 2910, ("implementering",)),                      # 3.6 Förutsättningar för implementering
        (2911, 2957, ("samverkan",)),                           # 3.7 Bred samverkan mellan kommunerna
    ],
    # Uppsala (universitetets slutrapport Långsiktig samverkan, 2018), themed sub-headings.
    "002": [
        (2981, 3024, ("ovrigt",)),                              # internat: inställning, lokusgruppernas arbete
        (3025, 3038, ("malgrupp",)),                            # Målgrupper och insatser
        (3068, 3083, ("resurser",)),                            # Ekonomi
        (3424, 3464, ("styrning",)),                            # Tydliga mål / tydligt uppdrag
        (3465, 3523, ("samsyn",)),                              # Samsyn kring mål och uppdrag
        (3784, 3837, ("styrning",)),                            # Roll som samverkanskoordinator
        (3906, 3991, ("hinder",)),                              # Utmaningar (juni 2016)
        (4063, 4092, ("hinder",)),                              # Utmaningar (januari 2017)
        (4255, 4272, ("hinder",)),                              # Workshop: de viktigaste hindren
        (4667, 4693, ("styrning",)),                            # Roll som tilläggsresurs
        (4756, 4790, ("hinder",)),                              # Utmaningar (tilläggsresurser 2016)
        (5423, 5512, ("hinder",)),                              # 4.2 Hinder för långsiktig samverkan
        (5513, 5562, ("malgrupp",)),                            # 4.3 Utmaningar avseende målgrupper
    ],
    # Göteborg Nordost (chefsintervjuer 2007): HELD OUT.
    "003": [
        (167, 227, ("legitimitet", "styrning")),                # Chefernas relation till aktiviteterna
        (228, 294, ("styrning",)),                              # Styr- och ledningsgruppen; idévägen
        (295, 368, ("malgrupp",)),                              # 3 Målgrupp
        (369, 388, ("resultat",)),                              # 4 För tidigt för en värdering av resultat
        (389, 466, ("larande", "forankring")),                  # Förändrade arbetssätt och lärande; förankring
        (467, 489, ("samverkan",)),                             # Ringar på vattnet, spridningseffekter
        (495, 524, ("ovrigt",)),                                # 5 Förslag till nya aktiviteter
        (544, 570, ("styrning",)),                              # 6 Sammanfattning: ledning och styrning
        (571, 590, ("malgrupp",)),
        (591, 617, ("resultat",)),
    ],
    # Haninge / Östra Södertörn (jubileumsskrift 2017), chapters and their capitalised sub-headings.
    "004": [
        (49, 150, ("samverkan", "malgrupp")),                   # Kap 1 Måste de ramla mellan stolarna?
        (151, 223, ("samsyn",)),                                # Att odla ett nytt tänkande
        (224, 332, ("legitimitet",)),                           # Från kulisser till rampljus; kännedomen ökar;
                                                                # utbildningar sätter förbundet i centrum; frukostmöten
        (333, 367, ("ovrigt",)),                                # Förbundet med och bildar NNS
        (368, 413, ("legitimitet",)),                           # En stark och synlig aktör
        (414, 560, ("larande",)),                               # Förbundet som föregångare
        (561, 599, ("larande", "resultat")),                    # Kap 5 Insatser som satt spår (inledning)
        (600, 667, ("implementering", "hallbarhet")),           # Tidiga projekt som lämnat spår; framgångskoncept
                                                                # som fått växa
        (668, 942, ("resultat", "malgrupp")),                   # Resursråden, ungdomsinsatserna, socialt företagande,
                                                                # övriga insatser; deltagarröster
        (943, 956, ("legitimitet", "hallbarhet")),              # Kap 6 En viktig aktör – även i framtiden
        (957, 985, ("larande",)),                               # Utvärdera – dra lärdom och ta nya steg
        (986, 1007, ("legitimitet", "hallbarhet")),             # Står för stabilitet
        (1008, 1035, ("implementering",)),                      # En del av vardagen – men hur?
        (1036, 1052, ("samverkan",)),                           # På väg mot mer samarbete i länet
        (1053, 1084, ("legitimitet", "hallbarhet")),            # Samordningsförbunden har kommit för att stanna
    ],
}
HELD_OUT = "003"
#: Theme -> organising function, as the comparative evaluation of Botkyrka, Huddinge and Södertälje files the
#: topics: samsyn on the problem and goal under problemdefiniering; target groups, the förbund's task and
#: influence under prioritering; climate, language, methods, implementation and the förbund's standing inside
#: the agencies under samarbetsprocesser; outcomes, lessons and obstacles under utvärdering.
FUNCTION_OF_THEME: dict[str, str] = {
    "samsyn": "problemdefiniering", "malgrupp": "prioritering", "styrning": "prioritering",
    "resurser": "resursmobilisering", "samverkan": "samarbetsprocesser", "samarbetsklimat": "samarbetsprocesser",
    "implementering": "samarbetsprocesser", "forankring": "samarbetsprocesser", "legitimitet": "samarbetsprocesser",
    "larande": "samarbetsprocesser", "hallbarhet": "samarbetsprocesser", "resultat": "utvardering",
    "hinder": "utvardering",
}
#: Sections whose heading names a function directly: (file prefix, first line) -> functions.
FUNCTION_OF_SECTION: dict[tuple[str, int], tuple[str, ...]] = {
    ("001", 2470): ("problemdefiniering",),   # 3.2 Problemanalyser och förändringsteorier
    ("002", 3424): ("problemdefiniering",),   # Tydliga mål / tydligt uppdrag
    ("004", 957): ("utvardering",),           # Utvärdera – dra lärdom och ta nya steg
}
FUNCTIONS = ["problemdefiniering", "prioritering", "resursmobilisering", "samarbetsprocesser", "utvardering"]
THEMES = ["legitimitet", "samsyn", "implementering", "forankring", "samverkan", "styrning", "malgrupp",
          "resultat", "hallbarhet", "larande", "resurser", "samarbetsklimat", "hinder"]
MIN_WORDS = 12
#: A paragraph of quoted speech starts with a quotation mark or a speech dash.
_QUOTE_RE = re.compile(r"^\s*[”“\"»–-]\s*\S")


def _paragraphs(lines: list[str], first: int, last: int) -> list[tuple[int, str]]:
    """Paragraphs (first line number, text) of lines ``first..last`` (1-based).

    Files where every other line is empty mark paragraphs with a line holding
    only spaces; other files with an empty line. Hyphenated line breaks are
    joined.
    """
    empties = sum(1 for x in lines if x == "")
    alternating = empties > 0.4 * len(lines)
    out: list[tuple[int, str]] = []
    buf: list[str] = []
    start = first

    def flush() -> None:
        text = ""
        for part in buf:
            part = part.strip()
            if not part:
                continue
            if text.endswith("-") and part[:1].islower():
                text = text[:-1] + part
            else:
                text = (text + " " + part).strip()
        if len(text.split()) >= MIN_WORDS:
            out.append((start, re.sub(r"\s+", " ", text)))

    for no in range(first, min(last, len(lines)) + 1):
        line = lines[no - 1]
        brk = (line.strip() == "" and line != "") if alternating else line.strip() == ""
        if brk:
            flush()
            buf, start = [], no + 1
        else:
            if not buf:
                start = no
            buf.append(line)
    flush()
    return out


def load(path: Path) -> pd.DataFrame:
    """All labelled paragraphs of the reports in ``path``: rapport, rad, text, teman."""
    rows = []
    for prefix, ranges in LABELS.items():
        files = sorted(path.glob(f"{prefix}_*.txt"))
        if not files:
            continue
        lines = files[0].read_text(encoding="utf-8").splitlines()
        for a, b, themes in ranges:
            funcs = set(FUNCTION_OF_SECTION.get((prefix, a), ())) or {FUNCTION_OF_THEME[t] for t in themes
                                                                       if t in FUNCTION_OF_THEME}
            for no, text in _paragraphs(lines, a, b):
                rows.append({"rapport": prefix, "rad": no, "text": text, "teman": set(themes) - {"ovrigt"},
                             "funktioner": funcs, "citat": bool(_QUOTE_RE.match(text))})
    df = pd.DataFrame(rows)
    df["excerpt_id"] = range(len(df))
    return df


def _top(codebook, code: str) -> str:
    """The top-level ancestor of ``code`` (sub-codes roll up into their function)."""
    seen = set()
    while code in codebook and codebook[code].parent and code not in seen:
        seen.add(code)
        code = codebook[code].parent
    return code


def evaluate(df: pd.DataFrame, codebook, themes=THEMES, label_col: str = "teman") -> pd.DataFrame:
    """Precision, recall, F1 and false-alarm share per theme; sub-codes count for their top-level code.

    The result's ``attrs`` hold ``okodat`` (share of paragraphs that get none of ``themes``) and
    ``per_stycke`` (mean number of ``themes`` per paragraph).
    """
    from finsam_eval.coding import code_excerpts

    res = code_excerpts(df[["excerpt_id", "text"]], codebook, respondent_col=None)
    fired: dict[str, set[int]] = {}
    for eid, code in zip(res.long["excerpt_id"], res.long["code"]):
        fired.setdefault(_top(codebook, code), set()).add(int(eid))
    rows = []
    for t in themes:
        pos = {int(e) for e, s in zip(df["excerpt_id"], df[label_col]) if t in s}
        neg = set(df["excerpt_id"].astype(int)) - pos
        f = fired.get(t, set())
        tp = len(f & pos)
        p = tp / len(f) if f else float("nan")
        r = tp / len(pos) if pos else float("nan")
        # F1 is 0 when the theme has paragraphs but no hit among them; undefined only without paragraphs
        f1 = (2 * p * r / (p + r) if f and p + r > 0 else 0.0) if pos else float("nan")
        rows.append({"tema": t, "n": len(pos), "precision": p, "recall": r, "F1": f1,
                     "fel-larm": len(f & neg) / len(neg) if neg else float("nan")})
    out = pd.DataFrame(rows).set_index("tema")
    coded = set().union(*(fired.get(t, set()) for t in themes)) if themes else set()
    out.attrs["okodat"] = 1 - len(coded) / len(df) if len(df) else float("nan")
    out.attrs["per_stycke"] = sum(len(fired.get(t, set())) for t in themes) / len(df) if len(df) else float("nan")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("path", help="katalog med de fyra rapporterna i textform (t.ex. ../shared/seeds)")
    ap.add_argument("--held-out", action="store_true", help="visa även den undanhållna rapporten (003)")
    ap.add_argument("--codebook", help="kodbok (YAML/JSON) i stället för den inbyggda")
    ap.add_argument("--no-lemma", action="store_true", help="matcha utan simplemmas lemman")
    ap.add_argument("--themes", default=",".join(THEMES))
    ap.add_argument("--ram", help="mät ett inbyggt ramverk i stället, t.ex. organiserande_funktioner")
    args = ap.parse_args(argv)

    path = Path(args.path)
    if not path.is_dir() or not any(path.glob("00[1-4]_*.txt")):
        print(f"Katalogen {path} finns inte eller saknar rapporterna (001_*.txt ... 004_*.txt). "
              "Texten följer inte med projektet: ange katalogen där den ligger, t.ex. ../shared/seeds.",
              file=sys.stderr)
        return 2
    from finsam_eval.coding import Codebook

    label_col = "teman"
    if args.ram:
        cb = Codebook.read(args.codebook) if args.codebook else Codebook.framework(args.ram)
        args.themes, label_col = ",".join(FUNCTIONS), "funktioner"
    else:
        cb = Codebook.read(args.codebook) if args.codebook else Codebook.default()
    if args.no_lemma:
        try:
            from finsam_eval.coding import lexicon
            lexicon.set_lemma(False)
        except (ImportError, AttributeError):
            pass
    themes = [t for t in args.themes.split(",") if t in cb]
    df = load(path)
    tune = df[df["rapport"] != HELD_OUT]
    pd.set_option("display.width", 120)
    fmt = {"precision": "{:.2f}", "recall": "{:.2f}", "F1": "{:.2f}", "fel-larm": "{:.2f}"}

    def show(title: str, part: pd.DataFrame) -> None:
        part = part[part[label_col].map(bool) | (label_col == "teman")]  # a framework scores labelled sections only
        tab = evaluate(part, cb, themes, label_col)
        print(f"\n{title}: {len(part)} stycken")
        print(tab.to_string(formatters={k: v.format for k, v in fmt.items()}))
        print(f"okodat {tab.attrs['okodat']:.2f}; koder per stycke {tab.attrs['per_stycke']:.2f}")
        if args.ram:
            print(f"makro-F1 {tab['F1'].mean():.2f}")
            return
        top3 = tab.loc[[t for t in ("legitimitet", "samsyn", "implementering") if t in tab.index]]
        print(f"makro-F1 {tab['F1'].mean():.2f}; legitimitet/samsyn/implementering recall "
              + " / ".join(f"{x:.2f}" for x in top3["recall"]) + ", fel-larm "
              + " / ".join(f"{x:.2f}" for x in top3["fel-larm"]))

    show("Utvecklingsdel (001, 002, 004)", tune)
    show("Utvecklingsdel, bara citerat tal (stycken som börjar med citattecken eller talstreck)", tune[tune["citat"]])
    if args.held_out:
        show(f"Undanhållen rapport ({HELD_OUT})", df[df["rapport"] == HELD_OUT])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
