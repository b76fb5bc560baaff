"""Slutrapport: collect results into Word, HTML and Markdown reports."""

from ..io.export import write_csv
from .document import Report

__all__ = ["Report", "write_csv"]
