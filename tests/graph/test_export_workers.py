"""Snapshot pages read and encoded in worker processes (graph/falkordb_export_workers.py):
the same bytes, keys and scopes as pages made in the store's process, in the same order,
whatever a worker cannot read or however it dies."""

from __future__ import annotations

import os
import signal
from collections.abc import AsyncIterator
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from pathlib import Path

import pytest

from graph.cypher.exports import EXPORTED, LIST_SEPARATOR
from graph.errors import BackendUnavailable
from graph.export_lines import LinePage
from graph.falkordb_export_workers import ExportWorkers
from graph.falkordb_store import FalkorDBStore
from graph.models import Accreditation
from graph.open import open_store
from registry.operations.seeding import load_seeds
from tests.conftest import SECRET, TODAY, embedded_url

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
IN_PROCESS = 10**12  # a threshold no label reaches


@pytest.fixture
async def seeded(falkordb_dir: Path) -> AsyncIterator[FalkorDBStore]:
    store = await open_store(embedded_url(falkordb_dir))
    assert isinstance(store, FalkorDBStore)
    try:
        await load_seeds(store, SEEDS, secret=SECRET, today=TODAY)
        yield store
    finally:
        await store.close()


def _workers(store: FalkorDBStore) -> ExportWorkers:
    workers = store._export_workers
    if workers is None:
        pytest.skip("one core: the store exports without worker processes")
    return workers


async def _pages(store: FalkorDBStore, entity: str, *, threshold: int, limit: int) -> LinePage:
    """Every page of ``entity``, joined in the order they came."""
    store.export_worker_threshold = threshold
    text, keys, regions = b"", (), ()
    async for page in store.line_pages(entity, limit=limit):
        text, keys, regions = text + page.text, keys + page.keys, regions + page.regions
    return LinePage(text, keys, regions)


async def test_every_entity_comes_out_of_the_workers_as_out_of_the_store(
    seeded: FalkorDBStore,
) -> None:
    _workers(seeded)
    compared = 0
    for entity in EXPORTED:
        here = await _pages(seeded, entity, threshold=IN_PROCESS, limit=7)
        there = await _pages(seeded, entity, threshold=0, limit=7)
        assert there == here, entity
        assert len(set(there.keys)) == len(there.keys), f"a {entity} document came twice"
        compared += len(here.keys)
    assert compared > 100  # the seeds hold every kind of entity the test compares
    assert _workers(seeded)._pool is not None  # and the workers made the pages


async def test_a_window_the_plain_reply_cannot_carry_is_read_by_the_store(
    seeded: FalkorDBStore,
) -> None:
    _workers(seeded)
    [held] = [
        doc async for page in seeded.line_pages("Accreditation", limit=1) for doc in page.docs()
    ][:1]
    odd = Accreditation(
        "A-SEPARATOR",
        "CNAS_LAB_17025",
        str(held.doc["body"]),
        str(held.doc["holder"]),
        (f"分隔{LIST_SEPARATOR}符", "GB/T 2"),
        date(2020, 1, 1),
        date(2030, 1, 1),
    )
    await seeded.upsert_accreditations([odd], actor="tests")

    there = await _pages(seeded, "Accreditation", threshold=0, limit=5)

    assert there == await _pages(seeded, "Accreditation", threshold=IN_PROCESS, limit=5)
    [doc] = [d for d in there.docs() if d.key == "A-SEPARATOR"]
    assert doc.doc["scope"] == [f"分隔{LIST_SEPARATOR}符", "GB/T 2"]


async def test_an_export_whose_worker_dies_finishes_in_the_store(seeded: FalkorDBStore) -> None:
    workers = _workers(seeded)
    expected = await _pages(seeded, "Certificate", threshold=IN_PROCESS, limit=3)
    seeded.export_worker_threshold = 0
    text, keys = b"", ()
    async for page in seeded.line_pages("Certificate", limit=3):
        if not keys:  # after the first page, every worker is killed
            pool = workers._pool
            assert pool is not None
            for process in list(pool._processes.values()):  # type: ignore[union-attr]
                os.kill(process.pid, signal.SIGKILL)
        text, keys = text + page.text, keys + page.keys

    assert (text, keys) == (expected.text, expected.keys)
    assert await _pages(seeded, "Certificate", threshold=0, limit=3) == expected  # new workers


async def test_workers_are_started_ahead_only_for_a_large_label(seeded: FalkorDBStore) -> None:
    workers = _workers(seeded)
    await seeded.prepare_exports()  # the seeds are far below the threshold
    assert workers._pool is None

    seeded.export_worker_threshold = 10
    await seeded.prepare_exports()
    pool = workers._pool
    assert pool is not None
    pids = [process.pid for process in pool._processes.values()]  # type: ignore[union-attr]
    assert len(pids) == workers.workers

    await seeded.close()
    for pid in pids:  # stopped with the store
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


async def test_a_server_a_worker_cannot_reach_is_the_store_unavailable(
    seeded: FalkorDBStore, tmp_path: Path
) -> None:
    workers = _workers(seeded)
    lost = ExportWorkers(
        {"unix_socket_path": str(tmp_path / "gone.sock")}, "registry", workers=workers.workers
    )
    seeded._export_workers = lost
    seeded.export_worker_threshold = 0
    try:
        with pytest.raises(BackendUnavailable):
            async for _ in seeded.line_pages("Certificate", limit=3):
                pass
    finally:
        seeded._export_workers = workers
        await lost.close()


async def test_workers_that_cannot_be_started_leave_exports_to_the_store(
    seeded: FalkorDBStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    workers = _workers(seeded)
    expected = await _pages(seeded, "Certificate", threshold=IN_PROCESS, limit=3)

    def refused(*args: object, **kwargs: object) -> None:
        raise OSError("Resource temporarily unavailable")  # fork refused: no process

    monkeypatch.setattr(ProcessPoolExecutor, "submit", refused)
    seeded.export_worker_threshold = 0
    await seeded.prepare_exports()  # logs it, raises nothing

    assert workers._pool is None
    assert await _pages(seeded, "Certificate", threshold=0, limit=3) == expected
