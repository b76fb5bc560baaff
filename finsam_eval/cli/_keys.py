"""The pseudonymisation key of the commands that write data about persons (``koda``, ``enkat``)."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from ..errors import ConfigError, InputFileError

__all__ = ["KEY_ENV", "KEY_FIX", "read_key"]

#: Environment variable holding the pseudonymisation key.
KEY_ENV = "FINSAM_NYCKEL"
#: The fix named in every refusal for want of a key.
KEY_FIX = f"sätt {KEY_ENV}=... eller ange --nyckel-fil FIL"


def read_key(args: argparse.Namespace) -> tuple[str | None, str]:
    """The key from ``--nyckel-fil`` or the environment, and where it came from; ``(None, KEY_ENV)`` without one."""
    if getattr(args, "nyckel_fil", None):
        path = Path(args.nyckel_fil)
        try:
            key = path.read_text(encoding="utf-8-sig").strip()
        except (OSError, UnicodeDecodeError) as e:
            raise InputFileError(f"Nyckelfilen kunde inte läsas ({type(e).__name__}). Kontrollera sökvägen till --nyckel-fil.") from None
        if not key:
            raise ConfigError("Nyckelfilen är tom. Skriv en hemlig fras i filen (en rad) och försök igen.")
        return key, "--nyckel-fil"
    key = os.environ.get(KEY_ENV, "").strip()
    return (key or None), KEY_ENV
