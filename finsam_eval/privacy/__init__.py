"""Privacy by default: personnummer, pseudonyms and small-count suppression."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import attach

if TYPE_CHECKING:  # the names as static tools see them; at run time they load on first use
    from .guard import FILE_MASK, MASK, check_output, holds_personnummer, mask_text, safe_name
    from .personnummer import (
        contains_personnummer,
        find_personnummer,
        is_samordningsnummer,
        is_valid_personnummer,
        luhn_ok,
        mask_personnummer,
        scan_frame,
    )
    from .pseudonymise import PseudonymisationResult, pseudonym, pseudonymise, pseudonymise_ids
    from .suppression import SuppressionMask, suppress_small, suppressed_mask, suppression_note

# Exported name -> submodule that defines it. Nothing is imported with the package (issue 13): a name
# loads its submodule, and only the dependencies that one needs, on first use (finsam_eval._lazy).
# A new export goes in three places: the TYPE_CHECKING imports, _LAZY and __all__ (tests/test_speed_contract.py
# checks that they agree); a plain import here would load its module, and what it imports, with the package.
_LAZY: dict[str, str] = {
    "FILE_MASK": "guard",
    "MASK": "guard",
    "check_output": "guard",
    "holds_personnummer": "guard",
    "mask_text": "guard",
    "safe_name": "guard",
    "contains_personnummer": "personnummer",
    "find_personnummer": "personnummer",
    "is_samordningsnummer": "personnummer",
    "is_valid_personnummer": "personnummer",
    "luhn_ok": "personnummer",
    "mask_personnummer": "personnummer",
    "scan_frame": "personnummer",
    "PseudonymisationResult": "pseudonymise",
    "pseudonym": "pseudonymise",
    "pseudonymise": "pseudonymise",
    "pseudonymise_ids": "pseudonymise",
    "SuppressionMask": "suppression",
    "suppress_small": "suppression",
    "suppressed_mask": "suppression",
    "suppression_note": "suppression",
}

__all__ = [
    "contains_personnummer",
    "find_personnummer",
    "is_samordningsnummer",
    "is_valid_personnummer",
    "luhn_ok",
    "mask_personnummer",
    "scan_frame",
    "check_output",
    "holds_personnummer",
    "mask_text",
    "safe_name",
    "MASK",
    "FILE_MASK",
    "PseudonymisationResult",
    "pseudonym",
    "pseudonymise",
    "pseudonymise_ids",
    "SuppressionMask",
    "suppress_small",
    "suppressed_mask",
    "suppression_note",
]

__getattr__, __dir__ = attach(__name__, _LAZY)
