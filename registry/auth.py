"""Principals and API keys: a bearer key maps to a role, maybe bound to one institution."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from graph.changelog import utc_now
from graph.models import ApiKey
from graph.port import GraphStore
from registry.domain.vocabulary import Role

__all__ = [
    "ANONYMOUS",
    "InvalidCredentials",
    "Principal",
    "authenticate",
    "create_api_key",
    "key_digest",
]

_KEY_PREFIX = "qr_"


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is asking: a role, the institution a certification body acts for, the key's id."""

    role: Role
    institution: str | None = None
    key_id: str | None = None

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
    store: GraphStore, *, role: Role, institution: str | None, label: str | None, actor: str
) -> str:
    """Make a key, store only its digest, and return the key (shown once)."""
    if role in (Role.CERTIFICATION_BODY, Role.ASSOCIATION) and institution is None:
        raise ValueError(f"a {role.value} key must be bound to its institution")
    if institution is not None and not await store.get_institutions([institution]):
        raise ValueError(f"no institution with USCC {institution}")
    key = _KEY_PREFIX + secrets.token_urlsafe(32)
    record = ApiKey(
        digest=key_digest(key),
        role=role.value,
        institution=institution,
        label=label,
        created_at=utc_now(),
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
    return Principal(role=Role(found.role), institution=found.institution, key_id=digest[:12])
