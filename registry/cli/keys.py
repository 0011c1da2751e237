"""`registry keys ...`: API keys, each bound to the party it acts for."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from graph.port import GraphStore
from registry.auth import create_api_key
from registry.cli.options import add_store_options, settings_from, with_store
from registry.domain.identifiers import normalise_identifier
from registry.domain.vocabulary import ChangeEntity, Role, change_entity

__all__ = ["add_key_commands"]


def _listed(value: str | None) -> list[str] | None:
    return None if value is None else [item.strip() for item in value.split(",") if item.strip()]


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
            institution=args.institution,
            label=args.label,
            actor="cli:keys",
            entities=args.entities,
            regions=_listed(args.regions),
        )

    try:
        key = with_store(settings, work)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"created a {role.value} key; it is shown only once:")
    print(key)
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
        type=normalise_identifier,
        help="USCC the key acts for (certification bodies, associations)",
    )
    create.add_argument("--label", help="a note saying whose key this is")
    create.add_argument(
        "--entities",
        type=_entities,
        help="PARTNER keys: the only entities its feed shows, e.g. Certificate,Institution",
    )
    create.add_argument(
        "--regions", help="PARTNER keys: the only regions (with sub-regions), e.g. 210000,440000"
    )
    create.set_defaults(run=_keys_create)
