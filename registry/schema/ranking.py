"""The public credit ranking: stored scores descending, ties by USCC, competition ranks."""

from __future__ import annotations

import math

import strawberry

from graph.models import RankedInstitution
from registry.schema.errors import PublicError
from registry.schema.institutions import Institution
from registry.schema.pagination import PageInfo, decode_cursor, encode_cursor

__all__ = ["RankingConnection", "RankingEdge", "decode_rank_cursor", "rank_cursor", "ranks"]


@strawberry.type(description="One ranked institution; tied scores share a rank (1, 1, 3).")
class RankingEdge:
    cursor: str
    rank: int
    score: float
    node: Institution


@strawberry.type
class RankingConnection:
    edges: list[RankingEdge]
    page_info: PageInfo


def rank_cursor(item: RankedInstitution) -> str:
    return encode_cursor(f"{item.score!r}|{item.institution.uscc}")


def decode_rank_cursor(cursor: str | None) -> tuple[float, str] | None:
    key = decode_cursor(cursor)
    if key is None:
        return None
    score, _, uscc = key.partition("|")
    try:
        value = float(score)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):  # and no store takes inf or NaN as a parameter
        raise PublicError("INVALID_CURSOR", "the cursor was not issued by this API")
    return value, uscc


def ranks(page: list[RankedInstitution], *, above: int, tied_before: int) -> list[int]:
    """Competition ranks for a page whose first item has ``above`` strictly better scores and
    ``tied_before`` equal scores ranked before it."""
    result: list[int] = []
    for index, item in enumerate(page):
        if index == 0:
            result.append(1 + above)
        elif item.score == page[index - 1].score:
            result.append(result[-1])
        else:
            result.append(1 + above + tied_before + index)
    return result
