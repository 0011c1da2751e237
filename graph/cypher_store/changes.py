"""The change log, API keys and idempotency records for the GraphStore port: the store's
bookkeeping rather than registry entities."""

from __future__ import annotations

import abc
import contextlib
from collections.abc import Mapping, Sequence

from graph.changelog import GENESIS_HASH, ChangeDraft
from graph.cypher import changes as change_cypher
from graph.cypher import keys as key_cypher
from graph.cypher_store.base import Reader, ReferenceCheck, Row, _present, as_int
from graph.errors import NotFound
from graph.log_models import Change, ChangeFilter, ChangeHead, IdempotencyRecord, WriteResult
from graph.mapping import from_row, to_props
from graph.models import ApiKey

__all__ = ["ChangeQueries"]


class ChangeQueries(abc.ABC):
    """Mixed into CypherStore: change feed reads and pruning, API keys, idempotency purges."""

    @abc.abstractmethod
    async def _query(
        self, name: str, statement: str, params: Mapping[str, object]
    ) -> list[Row]: ...

    @abc.abstractmethod
    async def _read_flat(
        self, statement: str, params: Mapping[str, object], floats: frozenset[str] = frozenset()
    ) -> list[Row]: ...

    @abc.abstractmethod
    async def _housekeeping(self, statement: str, params: Mapping[str, object]) -> list[Row]: ...

    @abc.abstractmethod
    def _timed(self, name: str) -> contextlib.AbstractContextManager[None]: ...

    @abc.abstractmethod
    async def _logged(
        self,
        name: str,
        statement: str,
        rows: list[Row],
        drafts: list[ChangeDraft],
        *,
        actor: str,
        check: ReferenceCheck | None = None,
    ) -> WriteResult: ...

    async def find_api_key(self, digest: str) -> ApiKey | None:
        rows = await self._query("find_api_key", key_cypher.FIND_API_KEY, {"digest": digest})
        return from_row(ApiKey, rows[0]) if rows else None

    async def list_api_keys(self) -> list[ApiKey]:
        rows = await self._query("list_api_keys", key_cypher.LIST_API_KEYS, {})
        return [from_row(ApiKey, row) for row in rows]

    async def record_api_key_use(self, digest: str, *, at: str, stale_before: str) -> bool:
        params = {"digest": digest, "at": at, "staleBefore": stale_before}
        with self._timed("record_api_key_use"):
            return bool(await self._housekeeping(key_cypher.RECORD_KEY_USE, params))

    async def purge_idempotency_keys(self, *, now: str, limit: int = 10_000) -> int:
        params = {"now": now, "limit": limit}
        rows = await self._housekeeping(change_cypher.PURGE_IDEMPOTENCY, params)
        return as_int(rows[0]["purged"]) if rows else 0

    async def get_idempotency_record(self, key: str, *, now: str) -> IdempotencyRecord | None:
        rows = await self._query(
            "get_idempotency_record", change_cypher.IDEMPOTENCY_RECORD, {"key": key, "now": now}
        )
        return from_row(IdempotencyRecord, rows[0]) if rows else None

    async def change_head(self) -> ChangeHead:
        return _head_of(await self._query("change_head", change_cypher.HEAD, {}))

    async def get_changes(
        self, *, after: int, limit: int, narrow: ChangeFilter | None = None
    ) -> list[Change]:
        params = {**_change_filter_params(narrow), "after": after, "limit": limit}
        if params.get("upTo") is None and narrow is None:
            # Seqs are gap-free, so the next page lies in (after, after + limit]: a bounded
            # index range, where an open one makes FalkorDB sort the whole rest of the log.
            params["upTo"] = after + limit
        statement = change_cypher.changes_after(_present(params))
        with self._timed("get_changes"):
            rows = await self._read_flat(statement, params)
        return [Change(**row) for row in rows]  # type: ignore[arg-type]

    async def count_changes(self, *, after: int, narrow: ChangeFilter | None = None) -> int:
        params = {**_change_filter_params(narrow), "after": after}
        statement = change_cypher.changes_after(_present(params), count=True)
        rows = await self._query("count_changes", statement, params)
        return as_int(rows[0]["matching"]) if rows else 0

    async def change_log_start(self) -> ChangeHead:
        return _head_of(
            await self._query(
                "change_log_start", change_cypher.LOG_START, {"genesis": GENESIS_HASH}
            )
        )

    async def last_change_before(self, at: str) -> int:
        rows = await self._query(
            "last_change_before", change_cypher.LAST_CHANGE_BEFORE, {"before": at}
        )
        return as_int(rows[0]["seq"] or 0) if rows else 0

    async def prune_changes(self, *, through: int, chunk: int = 10_000) -> int:
        found = await self._query("prune_changes", change_cypher.CHANGE_HASH, {"seq": through})
        if not found:
            return 0
        params = {"through": through, "hash": str(found[0]["hash"])}
        if not await self._housekeeping(change_cypher.MARK_PRUNED, params):
            return 0
        deleted = 0
        while True:
            rows = await self._housekeeping(
                change_cypher.DELETE_PRUNED, {"through": through, "limit": chunk}
            )
            batch = as_int(rows[0]["deleted"]) if rows else 0
            deleted += batch
            if batch < chunk:
                return deleted

    async def save_api_key(self, key: ApiKey, *, actor: str) -> WriteResult:
        row = to_props(key)
        public = {
            "role": key.role,
            "institutions": key.institutions,
            "label": key.label,
            "entities": key.entities,
            "regions": key.regions,
            "expiresAt": key.expires_at,
        }
        draft = ChangeDraft("ApiKey", key.key_id, "CREATE", public)
        return await self._logged(
            "save_api_key", key_cypher.SAVE_API_KEY, [row], [draft], actor=actor
        )

    async def revoke_api_key(self, digest: str, *, at: str, actor: str) -> WriteResult:
        row: Row = {"digest": digest, "revokedAt": at}
        draft = ChangeDraft("ApiKey", digest[:12], "REVOKE", {"revokedAt": at})

        async def check(read: Reader) -> None:
            if not await read(key_cypher.FIND_API_KEY, {"digest": digest}):
                raise NotFound("no such API key", label="ApiKey", keys=[digest[:12]])

        return await self._logged(
            "revoke_api_key", key_cypher.REVOKE_API_KEY, [row], [draft], actor=actor, check=check
        )


def _head_of(rows: Sequence[Row]) -> ChangeHead:
    """A position in the change log from a ``seq, hash`` row (the genesis when there is none)."""
    if not rows:
        return ChangeHead(seq=0, hash=GENESIS_HASH)
    return ChangeHead(seq=as_int(rows[0]["seq"]), hash=str(rows[0]["hash"]))


def _change_filter_params(narrow: ChangeFilter | None) -> dict[str, object]:
    if narrow is None:
        return {}
    return {
        "entities": None if narrow.entities is None else list(narrow.entities),
        "regions": None if narrow.regions is None else list(narrow.regions),
        "hidden": list(narrow.hidden) or None,
        "upTo": narrow.up_to,
    }
