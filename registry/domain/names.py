"""Comparing names as people type them: full/half width, spaces and punctuation do not count."""

from __future__ import annotations

import unicodedata

__all__ = ["normalise_name"]

_IGNORED = ("P", "Z", "S", "C")  # punctuation, separators, symbols, controls


def normalise_name(name: str) -> str:
    """NFKC (full-width letters and digits become half-width), case-folded, with every space,
    punctuation mark and symbol removed: "大连（集团）有限公司" equals "大连(集团) 有限公司"."""
    folded = unicodedata.normalize("NFKC", name).casefold()
    return "".join(ch for ch in folded if not unicodedata.category(ch).startswith(_IGNORED))
