"""The public certificate search: one query read every way it can mean something, the
matches ranked (exact first) and bounded, since a search is a lookup, not a listing."""

from __future__ import annotations

import re
from dataclasses import dataclass

from graph.port import GraphStore
from graph.search_keys import pinyin_query
from graph.search_models import CertificateSearch, SearchHit
from registry.domain.identifiers import normalise_identifier

__all__ = ["MAX_SEARCH_WALK", "RankedHit", "plan_search", "ranked_search"]

# Every page of one query comes from these first matches: an anonymous caller cannot walk
# every holder whose name has "有限公司" in it, and no query sorts all of them.
MAX_SEARCH_WALK = 100
# What a certificate number or a USCC can look like; anything else is not looked up by key.
_IDENTIFIER = re.compile(r"[0-9A-Z][0-9A-Z\-/()]{1,63}")


@dataclass(frozen=True, slots=True)
class RankedHit:
    """A match in its place: ``key`` orders the results and is what a cursor holds."""

    hit: SearchHit

    @property
    def key(self) -> tuple[int, str, str]:
        match = self.hit.match
        return (int(self.hit.rank), match.holder_name, match.certificate.number)


def plan_search(query: str) -> CertificateSearch:
    identifier = normalise_identifier(query)
    return CertificateSearch(
        text=query,
        identifier=identifier if _IDENTIFIER.fullmatch(identifier) else "",
        pinyin=tuple(pinyin_query(query)),
    )


async def ranked_search(store: GraphStore, query: str) -> list[RankedHit]:
    """The first ``MAX_SEARCH_WALK`` certificates the query names, each once, at its best
    rank, then by holder name and number."""
    hits = await store.search_certificates(plan_search(query), limit=MAX_SEARCH_WALK + 1)
    best: dict[str, SearchHit] = {}
    for hit in hits:
        number = hit.match.certificate.number
        if number not in best or hit.rank < best[number].rank:
            best[number] = hit
    ranked = sorted((RankedHit(hit) for hit in best.values()), key=lambda r: r.key)
    return ranked[:MAX_SEARCH_WALK]
