"""Options every store-using command shares, for `registry` and its trust commands alike."""

from __future__ import annotations

import argparse
from pathlib import Path

from registry.settings import Settings

__all__ = ["add_store_options", "settings_from"]


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
