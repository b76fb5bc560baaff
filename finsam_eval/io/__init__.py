"""Reading evaluation data with validation: tables, excerpts, surveys, registers."""

from .schemas import EXCERPTS, REGISTER, SURVEY, schema_table
from .tables import MissingDependencyError, check_unique, file_rows, read_table, require_columns

__all__ = [
    "read_table",
    "require_columns",
    "check_unique",
    "file_rows",
    "schema_table",
    "MissingDependencyError",
    "EXCERPTS",
    "SURVEY",
    "REGISTER",
]
