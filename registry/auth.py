"""Principals and API keys: a bearer key maps to a role, maybe bound to one institution."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from graph.changelog import utc_now
from graph.models import ApiKey
from graph.port import GraphStore
from registry.domain.vocabulary import ChangeEntity, Role

__all__ = [
    "ANONYMOUS",
    "InvalidCredentials",
    "Principal",
    "authenticate",
    "create_api_key",
    "key_digest",
]

_KEY_PREFIX = "qr_"
# Roles that act for one institution, so their keys must name it.
_BOUND = frozenset({Role.CERTIFICATION_BODY, Role.ASSOCIATION, Role.ACCREDITATION_BODY})
FEED_ENTITIES = frozenset(e.value for e in ChangeEntity)


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is asking: a role, the institution a certification body acts for, the key's id."""

    role: Role
    institution: str | None = None
    key_id: str | None = None
    entities: tuple[str, ...] | None = None  # a scoped partner key: what its feed may show
    regions: tuple[str, ...] | None = None

    @property
    def actor(self) -> str:
        """How the change log names this caller."""
        return f"{self.role.value.lower()}:{self.key_id or 'anonymous'}"


ANONYMOUS = Principal(role=Role.PUBLIC)


class InvalidCredentials(Exception):
    """A credential was presented and is not one we issued."""


def key_digest(key: str) -> str:
    """Keys are 256-bit random, so a plain SHA-256 is enough to store them safely."""
    return hashlib.sha256(key.encode()).hexdigest()


async def create_api_key(
    store: GraphStore,
    *,
    role: Role,
    institution: str | None,
    label: str | None,
    actor: str,
    entities: Sequence[str] | None = None,
    regions: Sequence[str] | None = None,
) -> str:
    """Make a key, store only its digest, and return the key (shown once). A partner key may
    be scoped to entity types and regions: its change feed shows nothing else."""
    if role in _BOUND and institution is None:
        raise ValueError(f"a {role.value} key must be bound to its institution")
    if institution is not None and not await store.get_institutions([institution]):
        raise ValueError(f"no institution with USCC {institution}")
    if (entities is not None or regions is not None) and role is not Role.PARTNER:
        raise ValueError("only PARTNER keys are scoped to entities and regions")
    if entities is not None and (unknown := set(entities) - FEED_ENTITIES):
        raise ValueError(f"unknown entities {sorted(unknown)}; one of {sorted(FEED_ENTITIES)}")
    if regions is not None:
        known = {r.code for r in await store.get_regions(list(regions))}
        if missing := sorted(set(regions) - known):
            raise ValueError(f"no regions {missing}")
    key = _KEY_PREFIX + secrets.token_urlsafe(32)
    record = ApiKey(
        digest=key_digest(key),
        role=role.value,
        institution=institution,
        label=label,
        created_at=utc_now(),
        entities=None if entities is None else tuple(entities),
        regions=None if regions is None else tuple(regions),
    )
    await store.save_api_key(record, actor=actor)
    return key


async def authenticate(store: GraphStore, authorization: str | None) -> Principal:
    """The principal for an ``Authorization`` header; no header means the public."""
    if not authorization:
        return ANONYMOUS
    scheme, _, key = authorization.partition(" ")
    if scheme.lower() != "bearer" or not key.startswith(_KEY_PREFIX):
        raise InvalidCredentials("expected 'Authorization: Bearer <key>'")
    digest = key_digest(key.strip())
    found = await store.find_api_key(digest)
    if found is None:
        raise InvalidCredentials("unknown API key")
    return Principal(
        role=Role(found.role),
        institution=found.institution,
        key_id=digest[:12],
        entities=found.entities,
        regions=found.regions,
    )
