"""`registry serve | seed | generate | export-schema | credit | changes | keys | audit |
verify-token | export | import | mirror`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from graph.errors import BackendUnavailable, CompactionFailed, StoreNotDurable
from registry.cli.options import CommandParser
from registry.cli.serve import add_serve_command, database_started_early
from registry.settings import ConfigurationError

__all__ = ["build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    # The other commands' modules import most of the app: here, so that `registry serve` has
    # its database loading before they are imported (database_started_early).
    from registry.cli.data import add_data_commands
    from registry.cli.keys import add_key_commands
    from registry.cli.sync import add_sync_commands
    from registry.cli.trust import add_trust_commands

    parser: argparse.ArgumentParser = CommandParser(prog="registry", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    add_serve_command(commands)
    add_data_commands(commands)
    keys = commands.add_parser("keys", help="manage API keys")
    key_commands = keys.add_subparsers(dest="keys_command", required=True)
    add_key_commands(key_commands)
    add_trust_commands(commands, key_commands)
    add_sync_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; a configuration it cannot use is one line on stderr and exit 2, a
    store that cannot serve it one line with the store's code and exit 1."""
    with database_started_early(sys.argv[1:] if argv is None else list(argv)):
        args = build_parser().parse_args(argv)
        try:
            result: int = args.run(args)
        except ConfigurationError as exc:
            print(f"registry: configuration error: {exc}", file=sys.stderr)
            return 2
        except (BackendUnavailable, CompactionFailed, StoreNotDurable) as exc:
            print(f"registry: {exc.code}: {exc}", file=sys.stderr)  # the store's, not a bug
            return 1
        return result


if __name__ == "__main__":
    raise SystemExit(main())
