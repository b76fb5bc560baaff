"""Exception types of finsam_eval.

Every error the library raises on bad input is a :class:`FinsamError`, so a
script can catch them all at once. Messages name the file, the column, the
first offending rows and what to do about it; :func:`describe_rows` builds the
row part the same way everywhere. Messages never contain cell values from
columns that may hold personnummer: callers pass row numbers, not values.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

__all__ = [
    "FinsamError",
    "InputFileError",
    "EmptyFileError",
    "SchemaError",
    "MissingColumnError",
    "DuplicateIdError",
    "UnknownLabelError",
    "CodebookError",
    "ScaleError",
    "EstimationError",
    "ConfigError",
    "MissingDependencyError",
    "PrivacyError",
    "describe_rows",
]


class FinsamError(Exception):
    """Base class of every error finsam_eval raises on the user's input.

    The message is masked when the error is made: any personnummer or
    samordningsnummer in it becomes ``ÅÅÅÅMMDD-XXXX``, so no error path can
    echo one (a label, a header or a file name that holds one).

    Examples
    --------
    >>> str(FinsamError("Okänt svar 'Annat: 19850312-1231' i kolumnen 'f1'"))
    "Okänt svar 'Annat: ÅÅÅÅMMDD-XXXX' i kolumnen 'f1'"
    """

    def __init__(self, *args: object) -> None:
        super().__init__(*(_mask(a) if isinstance(a, str) else a for a in args))

    def __str__(self) -> str:
        return _mask(super().__str__())


class InputFileError(FinsamError, ValueError):
    """A file cannot be read: wrong format, binary, truncated or unknown encoding."""


class EmptyFileError(InputFileError):
    """A file (or sheet) holds no data rows."""


class SchemaError(FinsamError, ValueError):
    """Data does not follow the documented schema (types, allowed values, keys)."""


class MissingColumnError(SchemaError, KeyError):
    """A required column is absent."""

    def __str__(self) -> str:  # KeyError would otherwise repr() the message
        return _mask(str(self.args[0])) if self.args else ""


class DuplicateIdError(SchemaError):
    """Ids that must be unique (one row per respondent / person-period) repeat."""


class UnknownLabelError(SchemaError):
    """A label is not one of the allowed answers or categories."""


class CodebookError(FinsamError, ValueError):
    """A codebook is invalid (duplicate ids, unknown parent, dead terms)."""


class ScaleError(FinsamError, ValueError):
    """A Likert scale definition or the answers given to it do not fit."""


class EstimationError(FinsamError, ValueError):
    """An estimator cannot be computed on the given data (no overlap, no controls...)."""


class ConfigError(FinsamError, ValueError):
    """A report configuration file has a missing or malformed key."""


class MissingDependencyError(FinsamError, ImportError):
    """An optional package needed for a file format or feature is not installed."""


class PrivacyError(FinsamError, ValueError):
    """An operation would publish personal data (e.g. personnummer in output)."""


def _mask(text: str) -> str:
    # Imported late: privacy imports this module.
    from .privacy.guard import mask_text

    return mask_text(text)


def describe_rows(rows: Iterable[int] | Sequence[int], *, first: int = 5, offset: int = 0) -> str:
    """Describe row numbers for an error message: ``"rad 3, 7, 12 (och 4 till)"``.

    Parameters
    ----------
    rows
        Zero-based positions (or already human numbers with ``offset=0``).
    first
        How many row numbers to list before summarising the rest.
    offset
        Added to every number, e.g. 2 to turn a zero-based data position into
        the line number of a CSV file with one header line.

    Examples
    --------
    >>> describe_rows([0, 4, 9], offset=2)
    'rad 2, 6, 11'
    >>> describe_rows(range(8))
    'rad 0, 1, 2, 3, 4 (och 3 till)'
    """
    rows = list(dict.fromkeys(int(r) for r in rows))  # a reshaped wide file repeats each line per period
    shown = ", ".join(str(int(r) + offset) for r in rows[:first])
    rest = len(rows) - first
    word = "rad" if len(rows) == 1 else "rad"
    return f"{word} {shown}" + (f" (och {rest} till)" if rest > 0 else "")
