"""Options every store-using command shares, for `registry` and its trust commands alike."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

from graph.open import open_store
from graph.port import GraphStore
from registry.settings import Settings

__all__ = ["add_store_options", "settings_from", "with_store"]

T = TypeVar("T")


def add_store_options(command: argparse.ArgumentParser) -> None:
    command.add_argument("--data", help="embedded store directory (REGISTRY_DATA_DIR)")
    command.add_argument("--store", help="store URL (REGISTRY_STORE_URL)")


def settings_from(args: argparse.Namespace) -> Settings:
    """Flags win over REGISTRY_* variables; both end up in one Settings."""
    overrides: dict[str, object] = {}
    if getattr(args, "data", None):
        overrides["data_dir"] = Path(args.data)
    if getattr(args, "store", None):
        overrides["store_url"] = args.store
    return Settings(**overrides)  # type: ignore[arg-type]


def with_store(settings: Settings, work: Callable[[GraphStore], Awaitable[T]]) -> T:
    """Open the configured store, run ``work`` on it, close it."""

    async def run() -> T:
        store = await open_store(settings.resolved_store_url)
        try:
            return await work(store)
        finally:
            await store.close()

    return asyncio.run(run())
