"""`registry export`, `registry import` and `registry mirror`: the golden copy from the
command line, and a replica that keeps itself up to date."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from graph.clock import registry_today
from graph.errors import NotFound
from graph.port import GraphStore
from registry.cli.options import add_store_options, settings_from, with_store
from registry.operations.golden_copy import EntityFile, ImportError_, export_to, import_from
from registry.operations.snapshots import SnapshotExpired

__all__ = ["add_sync_commands"]


def _export(args: argparse.Namespace) -> int:
    directory = Path(args.into)
    directory.mkdir(parents=True, exist_ok=True)

    async def work(store: GraphStore) -> tuple[int, list[EntityFile]]:
        return await export_to(store, directory, as_of=args.as_of)

    try:
        as_of, files = with_store(settings_from(args), work)
    except SnapshotExpired as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"snapshot at seq {as_of} in {directory}")
    for f in files:
        print(f"  {f.entity:<14} {f.count:>10,}  {f.sha256}")
    return 0


def _import(args: argparse.Namespace) -> int:
    directory = Path(args.source)

    async def work(store: GraphStore) -> dict[str, int]:
        return await import_from(store, directory, actor="cli:import", today=registry_today())

    try:
        written = with_store(settings_from(args), work)
    except (ImportError_, NotFound) as exc:  # NotFound: a record names one the export lacks
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"imported {directory}; documents written (those that differed):")
    for entity, count in written.items():
        print(f"  {entity:<14} {count:>10,}")
    return 0


def _mirror(args: argparse.Namespace) -> int:
    from registry.cli.mirror import Mirror, MirrorError

    key = args.key or os.environ.get("REGISTRY_MIRROR_KEY")
    if not key:
        print("error: give --key or set REGISTRY_MIRROR_KEY", file=sys.stderr)
        return 2
    mirror = Mirror(args.source, key, Path(args.into))
    try:
        if not args.verify_only:
            cursor = mirror.run(poll_seconds=args.poll, until_idle=args.until_idle)
            print(f"replica at seq {cursor}")
        if args.verify or args.verify_only:
            return _verify(mirror)
    except MirrorError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        mirror.close()
    return 0


def _verify(mirror: Any) -> int:
    cursor = mirror.cursor
    if cursor is None:
        print("error: the replica has no complete snapshot yet", file=sys.stderr)
        return 1
    local, remote = mirror.summary(), mirror.source_summary(cursor)
    same = True
    print(f"replica vs registry at seq {cursor}")
    for mine, theirs in zip(local, remote, strict=True):
        equal = (mine.count, mine.sha256) == (theirs.count, theirs.sha256)
        same = same and equal
        verdict = "equal" if equal else "DIFFERENT"
        print(f"  {mine.entity:<14} {mine.count:>10,} {theirs.count:>10,}  {verdict}")
    return 0 if same else 1


def add_sync_commands(commands: Any) -> None:
    export = commands.add_parser("export", help="write a snapshot exact at one seq (NDJSON)")
    add_store_options(export)
    export.add_argument("--into", required=True, help="directory for the files and manifest")
    export.add_argument("--as-of", type=int, help="the seq (default: the head)")
    export.set_defaults(run=_export)

    load = commands.add_parser("import", help="load an export into the store (idempotent)")
    add_store_options(load)
    load.add_argument("--from", dest="source", required=True, help="an export directory")
    load.set_defaults(run=_import)

    mirror = commands.add_parser("mirror", help="keep a local replica of a registry")
    mirror.add_argument("--from", dest="source", required=True, help="the registry's URL")
    mirror.add_argument("--key", help="a PARTNER API key (or REGISTRY_MIRROR_KEY)")
    mirror.add_argument("--into", required=True, help="the replica's directory")
    mirror.add_argument("--poll", type=float, default=1.0, help="seconds between rounds")
    mirror.add_argument(
        "--until-idle", action="store_true", help="stop once a round finds nothing new"
    )
    mirror.add_argument(
        "--verify", action="store_true", help="then compare counts and digests with the source"
    )
    mirror.add_argument("--verify-only", action="store_true", help="only compare, do not sync")
    mirror.set_defaults(run=_mirror)
