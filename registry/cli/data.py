"""`registry seed | generate | export-schema | credit recompute | changes prune`: what fills,
describes and maintains the store's data."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from graph.clock import registry_today
from graph.port import GraphStore
from registry.cli.options import add_store_options, settings_from, with_store
from registry.domain.identifiers import normalise_identifier
from registry.operations.seeding import load_seeds_and_score, store_is_empty
from registry.settings import load_settings

__all__ = ["add_data_commands"]


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
        from registry.operations.credit import bulk_scoring, recompute_all

        if args.reset:
            await store.clear()
        today = registry_today()
        report = await generate(
            store,
            institutions=args.institutions,
            certificates=args.certificates,
            seed=args.seed,
            credit=bulk_scoring(today),
        )
        print(report)
        # The generator writes below the use cases that score: a bulk load scored as it
        # loaded, otherwise score now, so the ranking is there from the first request.
        scored = report.credit_scores
        if scored is None:
            scored = await recompute_all(store, today)
        print(f"credit assessments written: {scored}")
        return 0

    return with_store(settings, work)


def _export_schema(args: argparse.Namespace) -> int:
    from registry.resolvers.root import build_schema

    text = str(build_schema(load_settings())) + "\n"
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


def _credit_recompute(args: argparse.Namespace) -> int:
    from registry.operations.credit import recompute_all, recompute_credit

    settings = settings_from(args)
    today = registry_today()

    async def work(store: GraphStore) -> int:
        if args.all:
            return await recompute_all(store, today, actor="cli:credit")
        return await recompute_credit(store, list(args.uscc), today, actor="cli:credit")

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


def add_data_commands(commands: Any) -> None:
    seed = commands.add_parser("seed", help="load the seed dataset into an empty store")
    add_store_options(seed)
    seed.add_argument("--reset", action="store_true", help="delete everything first")
    seed.set_defaults(run=_seed)

    generate = commands.add_parser("generate", help="write a reproducible synthetic dataset")
    add_store_options(generate)
    generate.add_argument(
        "--institutions", type=int, default=1000, help="how many institutions to write"
    )
    generate.add_argument(
        "--certificates", type=int, default=10000, help="how many certificates to write"
    )
    generate.add_argument(
        "--seed", type=int, default=1, help="the random seed: the same seed, the same data"
    )
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
    recompute.add_argument(
        "uscc", nargs="*", type=normalise_identifier, help="USCCs of institutions to recompute"
    )
    recompute.add_argument("--all", action="store_true", help="every institution")
    recompute.set_defaults(run=_credit_recompute)

    changes = commands.add_parser("changes", help="the change log")
    change_commands = changes.add_subparsers(dest="changes_command", required=True)
    prune = change_commands.add_parser(
        "prune", help="delete changes past the retention window (the chain stays verifiable)"
    )
    add_store_options(prune)
    prune.add_argument(
        "--older-than-days",
        type=int,
        required=True,
        metavar="DAYS",
        help="delete the changes recorded more than this many days ago",
    )
    prune.set_defaults(run=_changes_prune)
