"""Relay-style connections with opaque keyset cursors (the sort key, never an offset)."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

import orjson
import strawberry

from registry.schema.errors import PublicError

__all__ = ["Connection", "Edge", "PageInfo", "decode_cursor", "encode_cursor", "page_size"]

NodeT = TypeVar("NodeT")
ModelT = TypeVar("ModelT")


def encode_cursor(key: str) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(["k", key])).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> str | None:
    """The key after which the next page starts; a foreign cursor is a clear error."""
    if cursor is None:
        return None
    try:
        tag, key = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, TypeError, binascii.Error) as exc:
        raise PublicError("INVALID_CURSOR", "the cursor was not issued by this API") from exc
    if tag != "k" or not isinstance(key, str):
        raise PublicError("INVALID_CURSOR", "the cursor was not issued by this API")
    return key


def page_size(first: int | None, *, maximum: int, default: int = 20) -> int:
    """``first`` checked against the cap; omitted or null means ``default``."""
    if first is None:
        return min(default, maximum)
    if not 1 <= first <= maximum:
        raise PublicError("PAGE_SIZE_EXCEEDED", f"first must be between 1 and {maximum}")
    return first


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class Edge(Generic[NodeT]):
    cursor: str
    node: NodeT


@strawberry.type
class Connection(Generic[NodeT]):
    edges: list[Edge[NodeT]]
    page_info: PageInfo
    counter: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field(description="How many items match, over all pages.")
    async def total_count(self) -> int:
        return await self.counter()

    @classmethod
    def of(
        cls,
        models: Sequence[ModelT],
        *,
        limit: int,
        key: Callable[[ModelT], str],
        node: Callable[[ModelT], NodeT],
        counter: Callable[[], Awaitable[int]],
    ) -> Connection[NodeT]:
        """Build a page from up to ``limit + 1`` models (the extra one says a next page exists)."""
        page = list(models[:limit])
        edges = [Edge(cursor=encode_cursor(key(m)), node=node(m)) for m in page]
        return cls(
            edges=edges,
            page_info=PageInfo(
                has_next_page=len(models) > limit,
                end_cursor=edges[-1].cursor if edges else None,
            ),
            counter=counter,
        )
