"""`registry keys create | list | revoke`: API keys, each bound to whom it acts for."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from typing import Any

from graph.changelog import utc_stamp
from graph.models import ApiKey
from graph.port import GraphStore
from registry.auth import create_api_key, revoke_api_key
from registry.cli.options import add_store_options, settings_from, with_store
from registry.domain.identifiers import normalise_identifier
from registry.domain.vocabulary import ChangeEntity, Role, change_entity

__all__ = ["add_key_commands", "key_listing"]


def _listed(value: str | None) -> list[str] | None:
    return None if value is None else [item.strip() for item in value.split(",") if item.strip()]


def _usccs(value: str) -> list[str]:
    """USCCs as people type them (full width, lower case), comma-separated."""
    return [normalise_identifier(item) for item in _listed(value) or []]


def _entities(value: str) -> list[str]:
    """Entity names in either spelling (Certificate, CERTIFICATE), as the feed spells them."""
    names = _listed(value) or []
    entities = [change_entity(name) for name in names]
    unknown = [name for name, entity in zip(names, entities, strict=True) if entity is None]
    if unknown:
        known = ", ".join(e.value for e in ChangeEntity)
        raise argparse.ArgumentTypeError(f"unknown entities {', '.join(unknown)}; one of {known}")
    return [entity.value for entity in entities if entity is not None]


def _keys_create(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    role = Role(args.role)

    async def work(store: GraphStore) -> str:
        return await create_api_key(
            store,
            role=role,
            institutions=args.institution,
            label=args.label,
            actor="cli:keys",
            entities=args.entities,
            regions=_listed(args.regions),
            expires_in_days=args.expires_in,
        )

    try:
        key = with_store(settings, work)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"created a {role.value} key; it is shown only once:")
    print(key)
    return 0


def key_listing(key: ApiKey, *, now: str) -> dict[str, Any]:
    """What a listing shows of a key: never the secret, nor more of its digest than the id."""
    state = "active"
    if key.revoked_at is not None:
        state = "revoked"
    elif key.expires_at is not None and key.expires_at <= now:
        state = "expired"
    return {
        "id": key.key_id,
        "role": key.role,
        "label": key.label,
        "state": state,
        "institutions": list(key.institutions),
        "entities": None if key.entities is None else list(key.entities),
        "regions": None if key.regions is None else list(key.regions),
        "created": key.created_at,
        "lastUsed": key.last_used_at,
        "expires": key.expires_at,
        "revoked": key.revoked_at,
    }


def _cell(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, list):
        return ",".join(str(v) for v in value) or "-"
    return str(value)


def _keys_list(args: argparse.Namespace) -> int:
    keys = with_store(settings_from(args), lambda store: store.list_api_keys())
    now = utc_stamp(datetime.now(UTC))
    rows = [key_listing(key, now=now) for key in keys]
    if args.json:
        for row in rows:
            print(json.dumps(row, ensure_ascii=False))
        return 0
    columns = ["id", "role", "state", "label", "institutions", "regions", "entities"]
    columns += ["created", "lastUsed", "expires"]
    table = [columns] + [[_cell(row[c]) for c in columns] for row in rows]
    widths = [max(len(line[i]) for line in table) for i in range(len(columns))]
    for line in table:
        print("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)))
    return 0


def _keys_revoke(args: argparse.Namespace) -> int:
    async def work(store: GraphStore) -> ApiKey | None:
        return await revoke_api_key(store, args.key, actor="cli:keys")

    try:
        revoked = with_store(settings_from(args), work)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if revoked is None:
        print(f"{args.key} was revoked already")
    else:
        print(f"revoked {revoked.key_id} ({revoked.role}, {revoked.label or 'no label'})")
    return 0


def add_key_commands(key_commands: Any) -> None:
    create = key_commands.add_parser("create", help="create an API key")
    add_store_options(create)
    create.add_argument(
        "--role",
        required=True,
        choices=[r.value for r in Role if r is not Role.PUBLIC],
        help="what the key may read and write (see the README's table of roles)",
    )
    create.add_argument(
        "--institution",
        type=_usccs,
        default=[],
        help="USCC[,USCC…] the key acts for: a CERTIFICATION_BODY's, an ACCREDITATION_BODY's or "
        "an ASSOCIATION's own (one); the institutions a PARTNER writes for (none: it writes "
        "nothing)",
    )
    create.add_argument("--label", help="a note saying whose key this is")
    create.add_argument(
        "--entities",
        type=_entities,
        help="PARTNER keys: the only entities it reads and writes, e.g. Certificate,Institution",
    )
    create.add_argument(
        "--regions",
        "--region",
        dest="regions",
        help="CODE[,CODE…] with their sub-regions: a PARTNER's scope (optional), a "
        "REGULATOR's jurisdiction (required)",
    )
    create.add_argument(
        "--expires-in", type=int, metavar="DAYS", help="refuse the key after this many days"
    )
    create.set_defaults(run=_keys_create)

    listing = key_commands.add_parser("list", help="list API keys (never their secrets)")
    add_store_options(listing)
    listing.add_argument("--json", action="store_true", help="one JSON object per key")
    listing.set_defaults(run=_keys_list)

    revoke = key_commands.add_parser("revoke", help="revoke an API key for good")
    add_store_options(revoke)
    revoke.add_argument("key", metavar="ID_OR_LABEL", help="the key's id (as listed) or label")
    revoke.set_defaults(run=_keys_revoke)
