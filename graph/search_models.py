"""What the public certificate search asks the store, and what it gets back."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from graph.models import CertificateMatch
from graph.search_keys import PinyinQuery

__all__ = ["CertificateSearch", "MatchRank", "SearchHit"]


class MatchRank(IntEnum):
    """How a certificate matched, best first: the order results come in."""

    EXACT = 0  # its number, its holder's USCC, or its holder's whole name
    PART = 1  # a prefix of its number, or a part of its holder's name
    PINYIN = 2  # its holder's name in pinyin, full or initials
    TYPO = 3  # a part of its holder's name with one character wrong


@dataclass(frozen=True, slots=True)
class CertificateSearch:
    """One query, read every way it can mean something ('' or () where it cannot)."""

    text: str  # as typed: holder name parts, exact name, one typo
    identifier: str  # a certificate number or a holder's USCC, in identifier normal form
    pinyin: tuple[PinyinQuery, ...]


@dataclass(frozen=True, slots=True)
class SearchHit:
    rank: MatchRank
    match: CertificateMatch
