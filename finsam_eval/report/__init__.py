"""Slutrapport: collect results into Word, HTML and Markdown reports."""

from .document import Report
from .markdown import write_csv

__all__ = ["Report", "write_csv"]
