"""The ``finsam-eval`` command: a thin layer over the library.

Each subcommand lives in its own module with ``register(subparsers)``; this
module only builds the parser and turns the library's errors into a clear
message and exit code 2 instead of a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from .. import __version__
from ..errors import FinsamError

# Subcommand modules, in the order shown by --help.
_COMMANDS = ("rapport", "koda", "enkat", "effekt", "kontrollera")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="finsam-eval",
        description=(
            "Verktyg för utvärdering av samordningsförbund: tematisk kodning av intervjuer, "
            "Likertenkäter och effektskattning med jämförelsegrupper. Resultat som tabeller "
            "och figurer för slutrapporten."
        ),
    )
    parser.add_argument("--version", action="version", version=f"finsam-eval {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="KOMMANDO", title="kommandon")
    for name in _COMMANDS:
        try:
            mod = importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as exc:  # a pillar not yet present in this version
            if exc.name != f"{__name__}.{name}":
                raise
            continue
        mod.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 1
    try:
        return int(args.func(args) or 0)
    except FinsamError as exc:
        print(f"finsam-eval: fel: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
