"""The region tree (GB/T 2260): a region counts with every region below it."""

from __future__ import annotations

from collections.abc import Iterable

from graph.models import Region

__all__ = ["regions_below"]


def regions_below(regions: Iterable[Region], roots: Iterable[str]) -> frozenset[str]:
    """The named region codes and every code below them (unknown roots stand for
    themselves alone)."""
    children: dict[str, list[str]] = {}
    for region in regions:
        if region.parent is not None:
            children.setdefault(region.parent, []).append(region.code)
    found: set[str] = set()
    pending = list(roots)
    while pending:
        code = pending.pop()
        if code not in found:
            found.add(code)
            pending.extend(children.get(code, ()))
    return frozenset(found)
