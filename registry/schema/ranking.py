"""The public credit ranking: best first, the unrated last, pages pinned to one change seq.

The cursor carries the pinned seq, when it was pinned, a digest of the filter it belongs to and
where the walk stands (key, USCC, position, rank), so later pages read the scores as they
stood when the walk began and number on from the previous page without counting.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

import orjson
import strawberry

from registry.domain.credit_score import CreditStatus
from registry.domain.ranking import PIN_RETENTION, RankState
from registry.schema.errors import PublicError
from registry.schema.institutions import Institution
from registry.schema.pagination import PageInfo

__all__ = [
    "RankCursor",
    "RankingConnection",
    "RankingEdge",
    "cursor_expired",
    "filter_digest",
]

_TAG = "r2"  # r1 cursors were not signed, so they are refused
_MAC_BYTES = 16


@strawberry.type(
    description="One ranked institution; tied scores share a rank (1, 1, 3); an UNRATED one "
    "has no score nor rank and comes after every rated one."
)
class RankingEdge:
    cursor: str
    rank: int | None
    score: float | None
    status: CreditStatus
    node: Institution


@strawberry.type
class RankingConnection:
    edges: list[RankingEdge]
    page_info: PageInfo
    as_of: int = strawberry.field(
        description="The change seq the walk is pinned at: every page of it reads the scores "
        "as they stood then (for 30 minutes; after that CURSOR_EXPIRED)."
    )
    counter: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field(description="How many are ranked over all pages, as of the pinned seq.")
    async def total_count(self) -> int:
        return await self.counter()


def filter_digest(*parts: object) -> str:
    """What a cursor is bound to: the filter it was issued for."""
    return hashlib.sha256(orjson.dumps(parts)).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class RankCursor:
    as_of: int
    pinned_at: float  # POSIX seconds
    filter: str
    uscc: str
    key: float  # the ranking key after which the next page starts
    state: RankState

    def encode(self, secret: bytes) -> str:
        """The walk's state as the client carries it, signed: the rank and position it
        continues from are the registry's word, so a client must not be able to set them
        (a forged position -10 made the next page rank real institutions -9 and -8)."""
        body = orjson.dumps(
            [
                _TAG,
                self.as_of,
                self.pinned_at,
                self.filter,
                self.uscc,
                self.key,
                self.state.position,
                self.state.rank,
                self.state.score,
            ]
        )
        return _b64(body) + "." + _b64(_mac(secret, body))

    def outlived(self, now: datetime) -> bool:
        """Pinned longer ago than the replaced scores are kept."""
        return now.timestamp() - self.pinned_at > PIN_RETENTION.total_seconds()

    @classmethod
    def decode(cls, cursor: str | None, *, filter: str, secret: bytes) -> RankCursor | None:
        """The walk a cursor continues: INVALID_CURSOR when it was not issued by this API
        (its signature) for this filter."""
        if cursor is None:
            return None
        try:
            encoded_body, _, encoded_mac = cursor.partition(".")
            body = _unb64(encoded_body)
            if not hmac.compare_digest(_unb64(encoded_mac), _mac(secret, body)):
                raise ValueError("not signed by this API")
            tag, as_of, pinned_at, digest, uscc, key, position, rank, score = orjson.loads(body)
            decoded = cls(
                int(as_of),
                float(pinned_at),
                str(digest),
                str(uscc),
                float(key),
                RankState(
                    int(position),
                    None if rank is None else int(rank),
                    None if score is None else float(score),
                ),
            )
        except (ValueError, TypeError, binascii.Error) as exc:
            raise PublicError("INVALID_CURSOR", "the cursor was not issued by this API") from exc
        if tag != _TAG:
            raise PublicError("INVALID_CURSOR", "the cursor was not issued by this API")
        if decoded.filter != filter:
            raise PublicError(
                "INVALID_CURSOR", "the cursor belongs to a ranking with other filters"
            )
        return decoded


def _mac(secret: bytes, body: bytes) -> bytes:
    return hmac.new(secret, b"ranking-cursor\n" + body, hashlib.sha256).digest()[:_MAC_BYTES]


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def cursor_expired() -> PublicError:
    minutes = int(PIN_RETENTION.total_seconds() // 60)
    return PublicError(
        "CURSOR_EXPIRED",
        f"the ranking this cursor walks was pinned more than {minutes} minutes ago and the "
        "scores have changed since: start again from the first page",
    )
