"""`registry serve | seed | generate | export-schema | keys create`."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TypeVar

from graph.port import GraphStore
from registry.auth import create_api_key
from registry.cli_options import add_store_options, settings_from, with_store
from registry.context import registry_today
from registry.domain.vocabulary import Role
from registry.seeding import load_seeds_and_score, store_is_empty
from registry.settings import Settings
from registry.sync_cli import add_sync_commands
from registry.trust_cli import add_trust_commands

__all__ = ["main"]

T = TypeVar("T")


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from registry.logs import log_config

    settings = settings_from(args)
    # Workers build their own app from the environment, so pass the flags on through it.
    if settings.data_dir is not None:
        os.environ["REGISTRY_DATA_DIR"] = str(settings.data_dir.resolve())
    os.environ["REGISTRY_STORE_URL"] = settings.store_url
    uvicorn.run(
        "registry.app:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level=args.log_level,
        log_config=log_config(args.log_level),
        access_log=False,  # the app writes its own access lines, with the request id
    )
    return 0


def _seed(args: argparse.Namespace) -> int:
    settings = settings_from(args)

    async def work(store: GraphStore) -> int:
        if args.reset:
            await store.clear()
        elif not await store_is_empty(store):
            print("the store already holds data; use --reset to replace it", file=sys.stderr)
            return 1
        counts = await load_seeds_and_score(
            store, settings.seeds_dir, secret=settings.secret, today=registry_today()
        )
        for name, count in counts.items():
            print(f"{name:16} {count:>8}")
        return 0

    return with_store(settings, work)


def _generate(args: argparse.Namespace) -> int:
    from registry.synthetic import generate

    settings = settings_from(args)

    async def work(store: GraphStore) -> int:
        if args.reset:
            await store.clear()
        report = await generate(
            store, institutions=args.institutions, certificates=args.certificates, seed=args.seed
        )
        print(report)
        return 0

    return with_store(settings, work)


def _export_schema(args: argparse.Namespace) -> int:
    from registry.schema.root import build_schema

    text = str(build_schema(Settings())) + "\n"
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


def _credit_recompute(args: argparse.Namespace) -> int:
    from graph.models import InstitutionQuery
    from registry.operations.credit import recompute_credit

    settings = settings_from(args)
    today = registry_today()

    async def work(store: GraphStore) -> int:
        usccs = list(args.uscc)
        if args.all:
            after: str | None = None
            while page := await store.list_institutions(
                InstitutionQuery(), after=after, limit=1000
            ):
                usccs.extend(i.uscc for i in page)
                after = page[-1].uscc
        return await recompute_credit(store, usccs, today, actor="cli:credit")

    written = with_store(settings, work)
    print(f"credit assessments written: {written}")
    return 0


def _changes_prune(args: argparse.Namespace) -> int:
    """Drop changes older than the retention window; cursors before it get CURSOR_EXPIRED."""
    from datetime import UTC, datetime, timedelta

    settings = settings_from(args)
    cutoff = datetime.now(UTC) - timedelta(days=args.older_than_days)

    async def work(store: GraphStore) -> tuple[int, int]:
        through = await store.last_change_before(cutoff.strftime("%Y-%m-%dT%H:%M:%S.%fZ"))
        return through, await store.prune_changes(through=through) if through else 0

    through, deleted = with_store(settings, work)
    print(f"changes pruned through seq {through}: {deleted} deleted")
    return 0


def _listed(value: str | None) -> list[str] | None:
    return None if value is None else [item.strip() for item in value.split(",") if item.strip()]


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
            entities=_listed(args.entities),
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


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="registry", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the GraphQL service")
    add_store_options(serve)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument("--log-level", default="info")
    serve.set_defaults(run=_serve)

    seed = commands.add_parser("seed", help="load the seed dataset into an empty store")
    add_store_options(seed)
    seed.add_argument("--reset", action="store_true", help="delete everything first")
    seed.set_defaults(run=_seed)

    generate = commands.add_parser("generate", help="write a reproducible synthetic dataset")
    add_store_options(generate)
    generate.add_argument("--institutions", type=int, default=1000)
    generate.add_argument("--certificates", type=int, default=10000)
    generate.add_argument("--seed", type=int, default=1)
    generate.add_argument("--reset", action="store_true", help="delete everything first")
    generate.set_defaults(run=_generate)

    export = commands.add_parser("export-schema", help="print the GraphQL schema (SDL)")
    export.add_argument("--output", help="write to this file instead of stdout")
    export.set_defaults(run=_export_schema)

    credit = commands.add_parser("credit", help="credit scores")
    credit_commands = credit.add_subparsers(dest="credit_command", required=True)
    recompute = credit_commands.add_parser(
        "recompute", help="recompute and store credit scores (1,000 per write)"
    )
    add_store_options(recompute)
    recompute.add_argument("uscc", nargs="*", help="institutions to recompute")
    recompute.add_argument("--all", action="store_true", help="every institution")
    recompute.set_defaults(run=_credit_recompute)

    changes = commands.add_parser("changes", help="the change log")
    change_commands = changes.add_subparsers(dest="changes_command", required=True)
    prune = change_commands.add_parser(
        "prune", help="delete changes past the retention window (the chain stays verifiable)"
    )
    add_store_options(prune)
    prune.add_argument("--older-than-days", type=int, required=True, metavar="DAYS")
    prune.set_defaults(run=_changes_prune)

    keys = commands.add_parser("keys", help="manage API keys")
    key_commands = keys.add_subparsers(dest="keys_command", required=True)
    create = key_commands.add_parser("create", help="create an API key")
    add_store_options(create)
    create.add_argument(
        "--role", required=True, choices=[r.value for r in Role if r is not Role.PUBLIC]
    )
    create.add_argument("--institution", help="USCC the key acts for (certification bodies)")
    create.add_argument("--label", help="a note saying whose key this is")
    create.add_argument(
        "--entities", help="PARTNER keys: the only entities its feed shows, e.g. Certificate"
    )
    create.add_argument(
        "--regions", help="PARTNER keys: the only regions (with sub-regions), e.g. 210000,440000"
    )
    create.set_defaults(run=_keys_create)
    add_trust_commands(commands, key_commands)
    add_sync_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    result: int = args.run(args)
    return result


if __name__ == "__main__":
    raise SystemExit(main())
