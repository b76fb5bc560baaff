"""Reading evaluation data with validation: tables, excerpts, surveys, registers.

Every reader returns a DataFrame whose ``attrs["source"]`` names the file and
whose ``attrs["exclusions"]`` (:class:`~finsam_eval.results.Exclusions`)
records each repair and exclusion with counts and line numbers. Bad input is
an error from :mod:`finsam_eval.errors` naming the file, column, first lines
(header = line 1) and the fix.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import attach

if TYPE_CHECKING:  # the names as static tools see them; at run time they load on first use
    from .convert import parse_indicator, parse_period, parse_share
    from .excerpts import DEFAULT_NAME_PATTERN, INTERVIEWER_LABELS, parse_code_list, parse_transcript, read_excerpts
    from .export import write_csv
    from .register import personnummer_mask, read_register, register_columns
    from .schemas import EXCERPTS, REGISTER, SURVEY, schema_table
    from .survey import normalise_labels, read_survey
    from .tables import MissingDependencyError, check_unique, file_rows, read_table, require_columns

# Exported name -> submodule that defines it. Nothing is imported with the package (issue 13): a name
# loads its submodule, and only the dependencies that one needs, on first use (finsam_eval._lazy).
# A new export goes in three places: the TYPE_CHECKING imports, _LAZY and __all__ (tests/test_speed_contract.py
# checks that they agree); a plain import here would load its module, and what it imports, with the package.
_LAZY: dict[str, str] = {
    "parse_indicator": "convert",
    "parse_period": "convert",
    "parse_share": "convert",
    "DEFAULT_NAME_PATTERN": "excerpts",
    "INTERVIEWER_LABELS": "excerpts",
    "parse_code_list": "excerpts",
    "parse_transcript": "excerpts",
    "read_excerpts": "excerpts",
    "write_csv": "export",
    "personnummer_mask": "register",
    "read_register": "register",
    "register_columns": "register",
    "EXCERPTS": "schemas",
    "REGISTER": "schemas",
    "SURVEY": "schemas",
    "schema_table": "schemas",
    "normalise_labels": "survey",
    "read_survey": "survey",
    "MissingDependencyError": "tables",
    "check_unique": "tables",
    "file_rows": "tables",
    "read_table": "tables",
    "require_columns": "tables",
}

__all__ = [
    "read_table",
    "write_csv",
    "read_excerpts",
    "read_survey",
    "read_register",
    "register_columns",
    "parse_period",
    "parse_indicator",
    "parse_share",
    "parse_code_list",
    "parse_transcript",
    "normalise_labels",
    "personnummer_mask",
    "require_columns",
    "check_unique",
    "file_rows",
    "schema_table",
    "MissingDependencyError",
    "DEFAULT_NAME_PATTERN",
    "INTERVIEWER_LABELS",
    "EXCERPTS",
    "SURVEY",
    "REGISTER",
]

__getattr__, __dir__ = attach(__name__, _LAZY)
