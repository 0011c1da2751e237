"""Identifiers as people type them, for the tests of normalisation at the edge."""

from __future__ import annotations

__all__ = ["full_width"]

_FULL_WIDTH_OFFSET = 0xFEE0  # "!" (U+0021) .. "~" (U+007E) -> U+FF01 .. U+FF5E


def full_width(text: str) -> str:
    """``text`` in full-width forms, as Chinese input methods type Latin letters and digits."""
    return "".join(
        chr(ord(c) + _FULL_WIDTH_OFFSET) if "!" <= c <= "~" else "\u3000" if c == " " else c
        for c in text
    )
