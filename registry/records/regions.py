"""Administrative divisions (GB/T 2260)."""

from __future__ import annotations

from registry.domain.vocabulary import RegionLevel
from registry.records.base import Record, RegionCode, ShortText

__all__ = ["RegionRecord"]


class RegionRecord(Record):
    code: RegionCode
    name: ShortText
    level: RegionLevel
    parent: RegionCode | None = None
