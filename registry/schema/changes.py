"""The change log as partners and operators read it."""

from __future__ import annotations

import strawberry

from graph import models
from registry.schema.pagination import encode_cursor

__all__ = ["Change"]


@strawberry.type(description="One entry of the hash-chained change log.")
class Change:
    seq: int
    entity: str
    key: str
    op: str
    at: str
    actor: str
    data: str = strawberry.field(description="The written record as canonical JSON.")
    hash: str
    region: str | None = strawberry.field(
        description="The region code the change concerns (not part of the hash)."
    )

    @strawberry.field(description="Resume the feed (or a subscription) after this change.")
    def cursor(self) -> str:
        return encode_cursor(str(self.seq))

    @classmethod
    def of(cls, m: models.Change) -> Change:
        return cls(
            seq=m.seq,
            entity=m.entity,
            key=m.key,
            op=m.op,
            at=m.at,
            actor=m.actor,
            data=m.data,
            hash=m.hash,
            region=m.region,
        )
