"""What every `registry` command shares: its parser (each option's default shown in
``--help``), the store options, and settings from flags and REGISTRY_* variables."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from graph.open import open_store
from registry.settings import DEFAULT_STORE_URL, Settings, load_settings

if TYPE_CHECKING:  # kept out of `registry serve`'s first imports (registry.cli.main)
    from graph.port import GraphStore

__all__ = ["CommandParser", "add_store_options", "settings_from", "with_store"]

T = TypeVar("T")


class HelpWithDefaults(argparse.ArgumentDefaultsHelpFormatter):
    """Each option's default after its help; an unset option (None) or a switch that is off
    shows none, since its help says what happens then."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        if action.default is None or action.default is False:
            return action.help
        return super()._get_help_string(action)


class CommandParser(argparse.ArgumentParser):
    """The parser of `registry` and, since subcommands take their parent's class, of every
    subcommand: ``--help`` shows each option's default."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", HelpWithDefaults)
        super().__init__(*args, **kwargs)


def add_store_options(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--data",
        metavar="DIR",
        help="the embedded store in this directory (default: $REGISTRY_DATA_DIR, else --store)",
    )
    command.add_argument(
        "--store",
        metavar="URL",
        help=f"the graph store (default: $REGISTRY_STORE_URL, else {DEFAULT_STORE_URL})",
    )


def settings_from(args: argparse.Namespace) -> Settings:
    """Flags win over REGISTRY_* variables; both end up in one Settings (or one
    ConfigurationError)."""
    overrides: dict[str, object] = {}
    if getattr(args, "data", None):
        overrides["data_dir"] = Path(args.data)
    if getattr(args, "store", None):
        overrides["store_url"] = args.store
    return load_settings(**overrides)


def with_store(settings: Settings, work: Callable[[GraphStore], Awaitable[T]]) -> T:
    """Open the configured store, run ``work`` on it, close it."""

    async def run() -> T:
        store = await open_store(settings.resolved_store_url)
        try:
            return await work(store)
        finally:
            await store.close()

    return asyncio.run(run())
