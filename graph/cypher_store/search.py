"""The public certificate search for the GraphStore port, and the search keys' backfill."""

from __future__ import annotations

import abc
import asyncio
from collections.abc import Mapping

from graph.cypher import search as search_cypher
from graph.cypher_store.base import Row, _mapping, as_int
from graph.dialects import Dialect
from graph.mapping import from_row
from graph.models import Certificate, CertificateMatch
from graph.search_keys import holder_keys, typo_halves, within_one_edit
from graph.search_models import CertificateSearch, MatchRank, SearchHit
from graph.text import normalise_text, search_grams

__all__ = ["SearchQueries"]

_BACKFILL_CHUNK = 1000
# Holders a query reads at most in one way of matching; a typo's candidates at most.
_HOLDERS = 100
_TYPO_CANDIDATES = 300


class SearchQueries(abc.ABC):
    """Mixed into CypherStore: each way a query can match is one bounded, indexed statement."""

    dialect: Dialect

    @abc.abstractmethod
    async def _query(
        self, name: str, statement: str, params: Mapping[str, object]
    ) -> list[Row]: ...

    @abc.abstractmethod
    async def _housekeeping(self, statement: str, params: Mapping[str, object]) -> list[Row]: ...

    async def search_certificates(
        self, search: CertificateSearch, *, limit: int
    ) -> list[SearchHit]:
        hits: list[SearchHit] = []
        bounds = {"limit": limit, "holders": _HOLDERS}
        if search.identifier:
            found = {"identifier": search.identifier, **bounds}
            for name, statement in (
                ("search_by_number", search_cypher.BY_NUMBER),
                ("search_by_holder_uscc", search_cypher.BY_HOLDER_USCC),
            ):
                hits += _hits(await self._query(name, statement, found), MatchRank.EXACT)
            # Past every ASCII continuation: FalkorDB's index compares a bound with a character
            # beyond ASCII wrongly (it found nothing), and identifiers are ASCII.
            prefix = {**found, "beyond": search.identifier + "\x7f"}
            rows = await self._query(
                "search_by_number_prefix", search_cypher.BY_NUMBER_PREFIX, prefix
            )
            hits += _hits(rows, MatchRank.PART)
        grams = search_grams(search.text)
        if len(normalise_text(search.text)) >= 2 and grams:
            params = {"anchor": grams[0], "grams": grams, "phrase": _phrase(search.text), **bounds}
            statement = search_cypher.of_holders(self.dialect.name_candidates)
            named = _hits(await self._query("search_by_name", statement, params), MatchRank.PART)
            whole = normalise_text(search.text)
            # A name holding every pair of the query need not hold the query ("验检" and
            # "检验" are in "检验检测", "检验检验检" is not): the part must be a run of it.
            for hit in named:
                name = normalise_text(hit.match.holder_name)
                if name == whole:
                    hits.append(SearchHit(MatchRank.EXACT, hit.match))
                elif whole in name:
                    hits.append(hit)
        for reading in search.pinyin:
            params = {
                "anchor": reading.anchor,
                "words": list(reading.words),
                "initials": reading.initials,
                **bounds,
            }
            rows = await self._query("search_by_pinyin", search_cypher.BY_PINYIN, params)
            hits += _hits(rows, MatchRank.PINYIN)
        if len({h.match.certificate.number for h in hits}) < limit:
            hits += await self._typo_hits(search.text, limit=limit)
        return hits

    async def _typo_hits(self, text: str, *, limit: int) -> list[SearchHit]:
        """Holders named by ``text`` with one character wrong (see graph.search_keys)."""
        candidates: dict[str, str] = {}
        for half in typo_halves(text):
            grams = search_grams(half)
            params = {
                "anchor": grams[0],
                "grams": grams,
                "phrase": _phrase(half),
                "candidates": _TYPO_CANDIDATES,
            }
            statement = self.dialect.name_candidates + search_cypher.CANDIDATE_NAMES
            for row in await self._query("search_typo_candidates", statement, params):
                candidates[str(row["uscc"])] = str(row["name"])
        usccs = [u for u, name in candidates.items() if within_one_edit(text, name)][:_HOLDERS]
        if not usccs:
            return []
        params = {"usccs": usccs, "limit": limit, "holders": _HOLDERS}
        rows = await self._query("search_by_holders", search_cypher.BY_HOLDERS, params)
        return _hits(rows, MatchRank.TYPO)

    async def _backfill_search_keys(self) -> int:
        """Give holders written before the pinyin keys existed their keys (idempotent, a
        chunk at a time; nothing to do on a store written since)."""
        marked = await self._housekeeping(search_cypher.BACKFILLED, {})
        if marked and marked[0]["done"]:
            return 0
        filled = 0
        while True:
            rows = await self._query(
                "keyless_holders", search_cypher.KEYLESS_HOLDERS, {"limit": _BACKFILL_CHUNK}
            )
            if not rows:
                break
            names = [(str(r["uscc"]), str(r["name"] or "")) for r in rows]
            # pypinyin is pure Python: a thread keeps the event loop answering meanwhile.
            keyed = await asyncio.to_thread(_key_rows, names)
            done = await self._housekeeping(search_cypher.SET_KEYS, {"rows": keyed})
            filled += as_int(done[0]["updated"]) if done else 0
        await self._housekeeping(search_cypher.BACKFILL_DONE, {})
        return filled


def _phrase(text: str) -> str:
    """``text`` as one phrase of Neo4j's full-text query language."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _key_rows(names: list[tuple[str, str]]) -> list[dict[str, object]]:
    return [{"uscc": uscc, **holder_key_props(name)} for uscc, name in names]


def holder_key_props(name: str) -> dict[str, object]:
    """The properties the holder's node keeps for pinyin search (``SET_KEYS`` names them)."""
    keys = holder_keys(name)
    return {"pinyin": keys.pinyin, "initials": keys.initials, "pinyinKeys": list(keys.keys)}


def _hits(rows: list[Row], rank: MatchRank) -> list[SearchHit]:
    return [
        SearchHit(
            rank,
            CertificateMatch(
                certificate=from_row(Certificate, _mapping(row["certificate"])),
                holder_name=str(row["holderName"]),
                issuer_name=None if row["issuerName"] is None else str(row["issuerName"]),
            ),
        )
        for row in rows
    ]
