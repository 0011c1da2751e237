"""Principals and API keys: a bearer key maps to a role and to whom it acts for.

A key names, when it is made, the parties it may act for (a certification body or an
association its institution, a partner the institutions it writes for) and the regions it
covers (a partner's scope, a regulator's jurisdiction). Authentication reads the key from
the store on every request, so a revoked or expired key is refused by every process at once.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from graph.changelog import utc_stamp
from graph.errors import GraphError
from graph.models import ApiKey
from graph.port import GraphStore
from registry.domain.permissions import Access
from registry.domain.regions import regions_below
from registry.domain.vocabulary import ChangeEntity, InstitutionKind, Role

__all__ = [
    "ANONYMOUS",
    "KEY_USE_INTERVAL",
    "MAX_KEY_DAYS",
    "MAX_KEY_INSTITUTIONS",
    "InvalidCredentials",
    "Principal",
    "access_of",
    "actor_prefix",
    "authenticate",
    "connection_authorization",
    "create_api_key",
    "key_digest",
    "revoke_api_key",
]

_KEY_PREFIX = "qr_"
FEED_ENTITIES = frozenset(e.value for e in ChangeEntity) - {ChangeEntity.API_KEY.value}
MAX_KEY_INSTITUTIONS = 1000
MAX_KEY_DAYS = 3650
KEY_USE_INTERVAL = timedelta(minutes=1)  # "last used" is written at most this often per key
# A certification body's, an accreditation body's or an association's key acts for one
# institution of that kind.
_BOUND_KIND = {
    Role.CERTIFICATION_BODY: InstitutionKind.CERTIFICATION_BODY,
    Role.ASSOCIATION: InstitutionKind.ASSOCIATION,
    Role.ACCREDITATION_BODY: InstitutionKind.ACCREDITATION_BODY,  # e.g. CNAS (issue 13)
    Role.STATION: InstitutionKind.QUALITY_SERVICE_STATION,  # its staff (DB2101/T 0050-2022)
}


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is asking: a role, the institutions it acts for, the regions and entities its key
    covers (see ``registry.domain.permissions``), and the key's id."""

    role: Role
    institutions: tuple[str, ...] = ()
    key_id: str | None = None
    entities: tuple[str, ...] | None = None  # a partner's scope: the entities it may touch
    regions: tuple[str, ...] | None = None  # a partner's scope, a regulator's jurisdiction

    @property
    def institution(self) -> str | None:
        """The institution a certification body or an association acts for."""
        return self.institutions[0] if len(self.institutions) == 1 else None

    @property
    def actor(self) -> str:
        """How the change log names this caller."""
        return f"{actor_prefix(self.role)}{self.key_id or 'anonymous'}"


def actor_prefix(role: Role) -> str:
    """How the change log's actor names of ``role``'s callers begin (who recorded a step)."""
    return f"{role.value.lower()}:"


ANONYMOUS = Principal(role=Role.PUBLIC)


class InvalidCredentials(Exception):
    """A credential was presented and is not one we issued, or no longer holds."""


def key_digest(key: str) -> str:
    """Keys are 256-bit random, so a plain SHA-256 is enough to store them safely."""
    return hashlib.sha256(key.encode()).hexdigest()


async def _check_binding(
    store: GraphStore,
    role: Role,
    institutions: Sequence[str],
    entities: Sequence[str] | None,
    regions: Sequence[str] | None,
) -> None:
    """Refuse a key whose bindings do not fit its role, or name what does not exist."""
    if role is Role.PUBLIC:
        raise ValueError("the public needs no key")
    if role in _BOUND_KIND and len(institutions) != 1:
        raise ValueError(f"a {role.value} key must be bound to its institution (one)")
    if role in (Role.REGULATOR, Role.ADMIN) and institutions:
        raise ValueError(f"a {role.value} key acts for no institution")
    if role is Role.REGULATOR and not regions:
        raise ValueError("a REGULATOR key names its region: --region CODE")
    if entities is not None and role is not Role.PARTNER:
        raise ValueError("only PARTNER keys are scoped to entities")
    if regions is not None and role not in (Role.PARTNER, Role.REGULATOR):
        raise ValueError("only PARTNER (scope) and REGULATOR (jurisdiction) keys name regions")
    if len(institutions) > MAX_KEY_INSTITUTIONS or len(set(institutions)) != len(institutions):
        raise ValueError(f"name at most {MAX_KEY_INSTITUTIONS} institutions, each once")
    if entities is not None and (unknown := set(entities) - FEED_ENTITIES):
        raise ValueError(f"unknown entities {sorted(unknown)}; one of {sorted(FEED_ENTITIES)}")
    found = {i.uscc: i for i in await store.get_institutions(list(institutions))}
    if missing := [u for u in institutions if u not in found]:
        raise ValueError(f"no institution with USCC {', '.join(missing)}")
    if (kind := _BOUND_KIND.get(role)) is not None and kind not in found[institutions[0]].kinds:
        raise ValueError(f"{institutions[0]} is not a {kind.value}")
    if regions is not None:
        known = {r.code for r in await store.get_regions(list(regions))}
        if missing := sorted(set(regions) - known):
            raise ValueError(f"no regions {missing}")


async def create_api_key(
    store: GraphStore,
    *,
    role: Role,
    institutions: Sequence[str] = (),
    label: str | None,
    actor: str,
    entities: Sequence[str] | None = None,
    regions: Sequence[str] | None = None,
    expires_in_days: int | None = None,
) -> str:
    """Make a key, store only its digest, and return the key (shown once). ValueError when
    the bindings do not fit the role (see ``_check_binding``)."""
    await _check_binding(store, role, institutions, entities, regions)
    if expires_in_days is not None and not 1 <= expires_in_days <= MAX_KEY_DAYS:
        raise ValueError(f"--expires-in is 1 to {MAX_KEY_DAYS} days")
    now = datetime.now(UTC)
    key = _KEY_PREFIX + secrets.token_urlsafe(32)
    record = ApiKey(
        digest=key_digest(key),
        role=role.value,
        institutions=tuple(institutions),
        label=label,
        created_at=utc_stamp(now),
        entities=None if entities is None else tuple(entities),
        regions=None if regions is None else tuple(regions),
        expires_at=None
        if expires_in_days is None
        else utc_stamp(now + timedelta(days=expires_in_days)),
    )
    await store.save_api_key(record, actor=actor)
    return key


def connection_authorization(params: Mapping[str, object] | None) -> str | None:
    """The ``Authorization`` a WebSocket sent in its connection_init payload (None when it
    sent none, or something that is no text)."""
    given = (params or {}).get("Authorization", (params or {}).get("authorization"))
    return given if isinstance(given, str) else None


async def authenticate(store: GraphStore, authorization: str | None) -> Principal:
    """The principal for an ``Authorization`` header; no header means the public. The key
    is read from the store every time: a revoked or expired key is refused at once."""
    if not authorization:
        return ANONYMOUS
    scheme, _, key = authorization.partition(" ")
    if scheme.lower() != "bearer" or not key.startswith(_KEY_PREFIX):
        raise InvalidCredentials("expected 'Authorization: Bearer <key>'")
    found = await store.find_api_key(key_digest(key.strip()))
    if found is None:
        raise InvalidCredentials("unknown API key")
    now = datetime.now(UTC)
    if found.revoked_at is not None:
        raise InvalidCredentials("this API key was revoked")
    if found.expires_at is not None and found.expires_at <= utc_stamp(now):
        raise InvalidCredentials("this API key has expired")
    await _note_use(store, found, now)
    return Principal(
        role=Role(found.role),
        institutions=found.institutions,
        key_id=found.key_id,
        entities=found.entities,
        regions=found.regions,
    )


async def _note_use(store: GraphStore, key: ApiKey, now: datetime) -> None:
    """Record when the key was last used, at most once a minute: never a write per request.
    Failing to note it never refuses the caller."""
    stale_before = utc_stamp(now - KEY_USE_INTERVAL)
    if key.last_used_at is not None and key.last_used_at >= stale_before:
        return
    try:
        await store.record_api_key_use(key.digest, at=utc_stamp(now), stale_before=stale_before)
    except GraphError:
        return


async def revoke_api_key(store: GraphStore, id_or_label: str, *, actor: str) -> ApiKey | None:
    """Revoke the key with this id (as listed) or label, for good. None when it was revoked
    already; ValueError when nothing, or more than one key, answers to the name."""
    named = [k for k in await store.list_api_keys() if id_or_label in (k.key_id, k.label)]
    if not named:
        raise ValueError(f"no API key with id or label {id_or_label!r}")
    if len(named) > 1:
        ids = ", ".join(k.key_id for k in named)
        raise ValueError(f"{len(named)} keys are labelled {id_or_label!r} ({ids}): name one id")
    [key] = named
    if key.revoked_at is not None:
        return None
    await store.revoke_api_key(key.digest, at=utc_stamp(datetime.now(UTC)), actor=actor)
    return key


async def access_of(store: GraphStore, principal: Principal) -> Access:
    """What the principal's key may touch, its regions expanded to their sub-regions."""
    regions = None
    if principal.regions is not None:
        regions = regions_below(await store.get_regions(), principal.regions)
    return Access(
        role=principal.role,
        institutions=frozenset(principal.institutions),
        entities=None if principal.entities is None else frozenset(principal.entities),
        regions=regions,
    )
