"""Text as people type it: the normal form names are compared and searched in.

The store keeps each holder's name as character bigrams of its normal form, so a search for
any part of a Chinese name (which has no spaces to split words on) is an index lookup.
"""

from __future__ import annotations

import unicodedata

__all__ = ["COMMON_GRAMS", "normalise_text", "search_grams"]

_IGNORED = ("P", "Z", "S", "C")  # punctuation, separators, symbols, controls

# Bigrams in most company names: useless as the first, indexed filter of a search.
COMMON_GRAMS = frozenset(
    {"有限", "限公", "公司", "责任", "任公", "股份", "份有", "集团", "科技", "技有", "中国", "国有"}
)


def normalise_text(text: str) -> str:
    """NFKC (full-width letters and digits become half-width), case-folded, with every space,
    punctuation mark and symbol removed."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in folded if not unicodedata.category(ch).startswith(_IGNORED))


def search_grams(text: str) -> list[str]:
    """The distinct character bigrams of the normal form, in order (the text itself when it
    is a single character); distinctive ones first, so callers can index on ``[0]``."""
    normal = normalise_text(text)
    grams = [normal] if len(normal) == 1 else [normal[i : i + 2] for i in range(len(normal) - 1)]
    unique = list(dict.fromkeys(grams))
    return [g for g in unique if g not in COMMON_GRAMS] + [g for g in unique if g in COMMON_GRAMS]
