"""Library-wide options: the suppression threshold, the output language and progress bars.

Examples
--------
>>> import finsam_eval as fe
>>> fe.get_option("min_count")
5
>>> with fe.option_context(min_count=3):
...     fe.get_option("min_count")
3
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from .errors import ConfigError

_DEFAULTS: dict[str, Any] = {
    # Published counts below this are suppressed (the common Swedish rule: fewer than 5).
    "min_count": 5,
    # Language of everything a report reader sees: "sv" or "en".
    "lang": "sv",
    # What a suppressed cell shows (SCB's convention for "too uncertain to publish").
    "suppressed_marker": "..",
    # Progress bars (tqdm) on long calls; shown only in a terminal or a notebook, never in logs or pipes.
    "progress": True,
}
_options: dict[str, Any] = dict(_DEFAULTS)

__all__ = ["get_option", "set_option", "reset_option", "option_context"]


def _check(name: str, value: Any) -> None:
    if name not in _DEFAULTS:
        raise ConfigError(f"Okänd inställning {name!r}; giltiga är {sorted(_DEFAULTS)}.")
    if name == "min_count" and (not isinstance(value, int) or value < 0):
        raise ConfigError(f"min_count måste vara ett heltal >= 0, fick {value!r}.")
    if name == "lang" and value not in ("sv", "en"):
        raise ConfigError(f"lang måste vara 'sv' eller 'en', fick {value!r}.")
    if name == "progress" and not isinstance(value, bool):
        raise ConfigError(f"progress måste vara True eller False, fick {value!r}.")


def get_option(name: str) -> Any:
    """Return the current value of option ``name``."""
    _check(name, _options.get(name, _DEFAULTS.get(name)))
    return _options[name]


def set_option(name: str, value: Any) -> None:
    """Set option ``name`` (``min_count``, ``lang``, ``suppressed_marker``, ``progress``)."""
    _check(name, value)
    _options[name] = value


def reset_option(name: str | None = None) -> None:
    """Restore one option (or all) to the default."""
    if name is None:
        _options.clear()
        _options.update(_DEFAULTS)
    else:
        _check(name, _DEFAULTS.get(name))
        _options[name] = _DEFAULTS[name]


@contextmanager
def option_context(**kwargs: Any) -> Iterator[None]:
    """Temporarily set options inside a ``with`` block."""
    old = {k: get_option(k) for k in kwargs}
    try:
        for k, v in kwargs.items():
            set_option(k, v)
        yield
    finally:
        _options.update(old)
