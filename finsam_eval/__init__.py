"""finsam_eval: evaluation of Swedish samordningsförbund (FINSAM).

Three pillars on a shared floor:

- ``finsam_eval.coding``: thematic coding of interview excerpts (pillar A);
- ``finsam_eval.likert``: Likert survey summaries, indices and comparisons (pillar B);
- ``finsam_eval.effects``: matching, difference-in-differences and comparisons
  of förbund against control groups and benchmarks (pillar C);
- shared: ``io`` (readers with validation), ``privacy`` (personnummer,
  pseudonyms, small-count suppression), ``plots`` (house style), ``report``
  (Word/HTML slutrapport), ``samples`` (sample data).

Everything a report reader sees is in Swedish with decimal comma; see
:func:`set_option` for the suppression threshold (default 5) and language.
"""

from __future__ import annotations

__version__ = "0.1.0"

from ._config import get_option, option_context, reset_option, set_option
from .errors import (
    CodebookError,
    ConfigError,
    DuplicateIdError,
    EmptyFileError,
    EstimationError,
    FinsamError,
    InputFileError,
    MissingColumnError,
    PrivacyError,
    ScaleError,
    SchemaError,
    UnknownLabelError,
)
from .plots import save_figure
from .privacy import (
    is_valid_personnummer,
    pseudonymise,
    suppress_small,
)
from .results import Exclusion, Exclusions

__all__ = [
    "__version__",
    "get_option",
    "option_context",
    "reset_option",
    "set_option",
    "CodebookError",
    "ConfigError",
    "DuplicateIdError",
    "EmptyFileError",
    "EstimationError",
    "FinsamError",
    "InputFileError",
    "MissingColumnError",
    "PrivacyError",
    "ScaleError",
    "SchemaError",
    "UnknownLabelError",
    "save_figure",
    "is_valid_personnummer",
    "pseudonymise",
    "suppress_small",
    "Exclusion",
    "Exclusions",
]
