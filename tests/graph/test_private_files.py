"""The embedded store's data directory is its owner's only: the append-only file holds
complaint details and names, the log and the snapshots the same data."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from graph.falkordb_store import FalkorDBStore
from tests.graph.builders import REGIONS

pytestmark = pytest.mark.slow


def modes(data: Path) -> dict[str, int]:
    """Permission bits of the directory and of everything in it, by relative path."""
    found = {".": stat.S_IMODE(data.stat().st_mode)}
    for path in data.rglob("*"):
        found[str(path.relative_to(data))] = stat.S_IMODE(path.lstat().st_mode)
    return found


def assert_private(data: Path) -> None:
    found = modes(data)
    for name, mode in found.items():
        expected = 0o700 if (data / name).is_dir() else 0o600
        assert mode == expected, f"{name} is {oct(mode)}, expected {oct(expected)}"


async def write_everything(store: FalkorDBStore) -> None:
    """Data in the append-only file, a rewritten snapshot base, and an RDB dump."""
    await store.upsert_regions(REGIONS, actor="t")
    await store.compact()
    await store._command("SAVE")


async def test_the_directory_and_every_file_the_store_writes_are_the_owners_only(
    tmp_path: Path,
) -> None:
    data = tmp_path / "new" / "data"
    previous = os.umask(0o022)  # what a shell usually leaves: files readable by all
    try:
        store = await FalkorDBStore.open_embedded(str(data))
    finally:
        os.umask(previous)
    try:
        await write_everything(store)
        found = modes(data)
        assert {"falkordb.sock", "falkordb.log", "falkordb.pid", "dump.rdb"} <= set(found)
        assert any(name.endswith(".base.rdb") for name in found)
        assert any(name.endswith(".incr.aof") for name in found)
        assert_private(data)
    finally:
        await store.close()
    assert_private(data)


async def test_what_an_older_version_left_readable_is_made_private_on_start(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    store = await FalkorDBStore.open_embedded(str(data))
    try:
        await write_everything(store)
    finally:
        await store.close()
    for path in [data, *data.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)

    store = await FalkorDBStore.open_embedded(str(data))
    try:
        assert_private(data)
    finally:
        await store.close()
