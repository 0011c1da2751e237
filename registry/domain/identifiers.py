"""Identifiers as people type them: certificate numbers, USCCs and accreditation numbers.

Chinese input methods type Latin letters and digits in full width (U+FF21..), and people
paste with spaces around and type in lower case: all of these name the stored identifier,
so every edge that accepts one (GraphQL, the pages, the QR route, the CLI, the input
records) passes it through this one function before it checks or looks anything up.
"""

from __future__ import annotations

import unicodedata

__all__ = ["normalise_identifier"]


def normalise_identifier(value: str) -> str:
    """NFKC (full width becomes half width, an ideographic space a plain one), trimmed, and
    upper case: the form identifiers are stored in."""
    return unicodedata.normalize("NFKC", value).strip().upper()
