"""``finsam-eval rapport``: the whole slutrapport from a config file (or the demo).

The command only parses arguments: the config is the report spec, read and run
by :mod:`finsam_eval.report.spec` and :mod:`finsam_eval.report.build` (the same
path as :meth:`finsam_eval.Report.from_config`). ``--demo`` is
``data_samples/rapport.toml`` run on the built-in sample data.

Config keys: see :mod:`finsam_eval.report.spec` and ``data_samples/rapport.toml``.
``kolumner`` maps a column role to the column's name in your file. Roles:
id, respondent, forbund, roll, grupp, ar, text, fraga (excerpts and surveys);
id, period, behandling, start, forbund (register).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from .._config import option_context
from ..errors import ConfigError
from ..report.build import build_report
from ..report.spec import FORMATS, check_config, demo_config_path, load_config

__all__ = ["register", "build_report", "check_config", "load_config", "demo_config"]


def demo_config() -> dict[str, Any]:
    """The demo spec: ``data_samples/rapport.toml``."""
    return load_config(demo_config_path())


def __getattr__(name: str) -> Any:  # DEMO_CONFIG, read when first asked for
    if name == "DEMO_CONFIG":
        return demo_config()
    raise AttributeError(name)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "rapport",
        help="skriv hela slutrapporten (Word, HTML, Markdown)",
        description="Kör analyserna i rapportinställningarna och skriv slutrapporten.",
    )
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--demo", action="store_true",
                     help="data_samples/rapport.toml på de inbyggda exempeldata")
    src.add_argument("--config", type=Path, metavar="FIL", help="rapportinställningar i TOML (se data_samples/rapport.toml)")
    p.add_argument("--ut", "--out", dest="out", type=Path, default=Path("rapport"), metavar="MAPP",
                   help="mapp för rapporten (standard: rapport)")
    p.add_argument("--format", default=None, metavar="LISTA", help="t.ex. docx,html,md (standard: alla)")
    p.add_argument("--tyst", action="store_true", help="inga förloppsindikatorer")
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    path = demo_config_path() if args.demo else args.config
    cfg = load_config(path)
    base = Path(path).resolve().parent
    fmts = args.format.split(",") if args.format else cfg.get("rapport", {}).get("format", list(FORMATS))
    bad = [f for f in fmts if f not in FORMATS]
    if bad:
        raise ConfigError(f"--format: okänt format {bad}; välj bland {list(FORMATS)}.")
    rep = build_report(cfg, base, progress=not args.tyst, demo=args.demo)
    with option_context(min_count=rep.min_count or 5):
        written = rep.write(args.out, fmts)
    for p in written:
        print(f"Skrev {p}")
    return 0
