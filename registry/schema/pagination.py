"""Relay-style connections with opaque keyset cursors (the sort key, never an offset)."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

import orjson
import strawberry

from registry.schema.errors import PublicError
from registry.schema.guards import is_uncarriable

__all__ = [
    "Connection",
    "Edge",
    "PageInfo",
    "decode_cursor",
    "decode_seq_cursor",
    "encode_cursor",
    "page_size",
    "seq_from_text",
]

NodeT = TypeVar("NodeT")
ModelT = TypeVar("ModelT")
_LONGEST_CURSOR = 1024  # characters; the longest key (a score and a USCC) takes under 100
_LONGEST_SEQ = 18  # digits


_URL_SAFE = bytes.maketrans(b"+/", b"-_")


def encode_cursor(key: str) -> str:
    """URL-safe base64 of ``["k", key]``, unpadded (as ``base64.urlsafe_b64encode``, in
    one C call: a feed page encodes a thousand)."""
    encoded = binascii.b2a_base64(orjson.dumps(["k", key]), newline=False)
    return encoded.translate(_URL_SAFE).rstrip(b"=").decode()


def decode_cursor(cursor: str | None) -> str | None:
    """The key after which the next page starts; anything this API did not issue (not
    base64 of ``["k", key]``, or a key no store can be sent) is INVALID_CURSOR."""
    if cursor is None:
        return None
    if len(cursor) > _LONGEST_CURSOR:
        raise _foreign()
    try:
        tag, key = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, TypeError, binascii.Error) as exc:
        raise _foreign() from exc
    if tag != "k" or not isinstance(key, str) or is_uncarriable(key):
        raise _foreign()
    return key


def seq_from_text(text: str) -> int | None:
    """A change seq written in ASCII digits (at most 18 of them, so it fits the stores'
    64-bit integers); None when ``text`` is not one."""
    if not (text.isascii() and text.isdigit()) or len(text) > _LONGEST_SEQ:
        return None
    return int(text)


def decode_seq_cursor(cursor: str | None) -> int:
    """The change seq a feed cursor stands for (0 without a cursor)."""
    key = decode_cursor(cursor)
    if key is None:
        return 0
    seq = seq_from_text(key)
    if seq is None:
        raise PublicError("INVALID_CURSOR", "not a change-feed cursor")
    return seq


def _foreign() -> PublicError:
    return PublicError("INVALID_CURSOR", "the cursor was not issued by this API")


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
