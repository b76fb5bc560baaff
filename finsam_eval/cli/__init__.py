"""The ``finsam-eval`` command: a thin layer over the library.

Each subcommand lives in its own module with ``register(subparsers)``; this
module only builds the parser and turns the library's errors into a clear
message and exit code 2 instead of a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import re
import sys
from collections.abc import Sequence
from typing import NoReturn

from .. import __version__
from ..errors import FinsamError

# Subcommand modules, in the order shown by --help.
_COMMANDS = ("rapport", "koda", "enkat", "effekt", "kontrollera")


class _SvFormatter(argparse.HelpFormatter):
    """argparse in Swedish where it prints its own words."""

    def add_usage(self, usage, actions, groups, prefix=None):  # noqa: ANN001 - argparse signature
        return super().add_usage(usage, actions, groups, prefix="användning: " if prefix is None else prefix)


_ERRORS_SV = [
    (re.compile(r"the following arguments are required: (.*)"), r"dessa argument krävs: \1"),
    (re.compile(r"one of the arguments (.*) is required"), r"ett av argumenten \1 krävs"),
    (re.compile(r"unrecognized arguments: (.*)"), r"okända argument: \1"),
    (re.compile(r"argument (.*): invalid choice: (.*) \(choose from (.*)\)"), r"argumentet \1: ogiltigt val \2 (välj bland \3)"),
    (re.compile(r"argument (.*): expected one argument"), r"argumentet \1: ett värde behövs"),
    (re.compile(r"argument (.*): invalid (\w+) value: (.*)"), r"argumentet \1: ogiltigt värde \3"),
    (re.compile(r"argument (.*): not allowed with argument (.*)"), r"argumentet \1 kan inte kombineras med \2"),
]


class _SvParser(argparse.ArgumentParser):
    """ArgumentParser whose usage errors are in Swedish (subcommand parsers inherit the class)."""

    def error(self, message: str) -> NoReturn:
        for pattern, repl in _ERRORS_SV:
            message = pattern.sub(repl, message)
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: fel: {message}\n")


def _swedish(parser: argparse.ArgumentParser) -> None:
    """Swedish titles and help texts for argparse's built-in parts, recursively."""
    parser.formatter_class = _SvFormatter
    parser._positionals.title = "argument"
    parser._optionals.title = "flaggor"
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction):
            action.help = "visa den här hjälpen och avsluta"
        elif isinstance(action, argparse._VersionAction):
            action.help = "visa versionen och avsluta"
        elif isinstance(action, argparse._SubParsersAction):
            for sub in set(action.choices.values()):
                _swedish(sub)


def build_parser() -> argparse.ArgumentParser:
    parser = _SvParser(
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
    _swedish(parser)
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
