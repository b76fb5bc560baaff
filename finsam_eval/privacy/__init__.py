"""Privacy by default: personnummer, pseudonyms and small-count suppression."""

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
