"""Comparing names as people type them: full/half width, spaces and punctuation do not count.

The store searches in the same normal form, so the rule is defined once, in ``graph.text``.
"""

from __future__ import annotations

from graph.text import normalise_text

__all__ = ["normalise_name"]

normalise_name = normalise_text
