"""The golden copy on disk: an export is exact at one seq, loads into an empty store to give
the same documents, and loading it again writes nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import orjson
import pytest

from graph.cypher_store import CypherStore
from graph.models import CreditEvent, StatusChange, SupervisionPlan
from graph.station_models import ServiceRequest
from registry.operations import golden_copy
from registry.operations.credit import recompute_credit
from registry.operations.export_files import CheckedFile
from registry.operations.golden_copy import MANIFEST, ImportError_, export_to, import_from
from tests.conftest import TODAY, open_backend
from tests.service_requests import late_request


@pytest.fixture
async def empty(falkordb_dir: Path) -> AsyncIterator[CypherStore]:
    """A second store to import into (FalkorDB: the first one may be the Neo4j database)."""
    opened = await open_backend("falkordb", falkordb_dir)
    try:
        yield opened
    finally:
        await opened.close()


async def _a_spot_check_with_its_plan(store: CypherStore) -> None:
    """Seeds have no supervision plans; a spot check names its plan, so import must bring
    the plan first."""
    dalian_institute = "12210211760664248H"
    plan = SupervisionPlan(
        id="a" * 64,
        region="210200",
        date=date(2026, 11, 1),
        seed=20261101,
        rates="{}",
        canonical="{}",
        created_at="2026-11-01T00:00:00.000000Z",
    )
    await store.store_supervision_plan(plan, actor="test")
    event = CreditEvent(
        id="SPOT-2026-11",
        institution=dalian_institute,
        kind="SPOT_CHECK",
        date=date(2026, 11, 5),
        authority="大连市市场监督管理局",
        weight=1.0,
        description="双随机抽查：合格",
        outcome="PASSED",
        plan=plan.id,
    )
    await store.record_credit_events([event], actor="test")


async def test_an_export_loads_into_an_empty_store_as_the_same_documents(
    seeded_store: CypherStore, empty: CypherStore, tmp_path: Path
) -> None:
    for name in ("copy", "again"):
        (tmp_path / name).mkdir()
    await _a_spot_check_with_its_plan(seeded_store)
    await _a_service_request(seeded_store)
    as_of, exported = await export_to(seeded_store, tmp_path / "copy")

    written = await import_from(empty, tmp_path / "copy", actor="test:import", today=TODAY)
    _, again = await export_to(empty, tmp_path / "again")
    rewritten = await import_from(empty, tmp_path / "copy", actor="test:import", today=TODAY)

    assert as_of == (await seeded_store.change_head()).seq
    assert {f.entity: f.count for f in exported} == written
    assert all(f.count for f in exported)
    # the same documents but for the version, which every store numbers itself
    assert [(f.entity, f.count) for f in again] == [(f.entity, f.count) for f in exported]
    assert _without_versions(tmp_path / "again") == _without_versions(tmp_path / "copy")
    assert set(rewritten.values()) == {0}
    institutions = [
        orjson.loads(x) for x in (tmp_path / "copy/Institution.ndjson").read_bytes().splitlines()
    ]
    assert all(isinstance(doc["representative"], str | None) for doc in institutions)  # no names
    copied = (tmp_path / "copy/ServiceRequest.ndjson").read_text(encoding="utf-8")
    assert "SR-00000000000000aa" in copied
    assert "13800000000" not in copied  # who asked stays with the station


async def _a_service_request(store: CypherStore) -> None:
    """A demand to the Heping station, written through the port as the operation does."""
    request = ServiceRequest(
        id="SR-00000000000000aa",
        station="1221010232988047XL",
        category="METROLOGY",
        status="SUBMITTED",
        submitted_on=TODAY,
        submitted_at="2026-11-22T01:00:00.000000Z",
        demand="压力表校准",
        enterprise="沈阳某机械厂",
        contact="13800000000",
        token_digest="0" * 64,
        stage_since=TODAY,
        due_by=TODAY,
    )
    await store.put_service_requests([request], actor="test")


def _without_versions(directory: Path) -> dict[str, list[bytes]]:
    found: dict[str, list[bytes]] = {}
    for path in sorted(directory.glob("*.ndjson")):
        docs = [orjson.loads(line) for line in path.read_bytes().splitlines()]
        found[path.stem] = sorted(
            orjson.dumps(
                {k: v for k, v in d.items() if k != "version"}, option=orjson.OPT_SORT_KEYS
            )
            for d in docs
        )
    return found


async def test_an_import_refuses_a_damaged_export_and_writes_nothing(
    seeded_store: CypherStore, empty: CypherStore, tmp_path: Path
) -> None:
    await export_to(seeded_store, tmp_path)
    certificates = tmp_path / "Certificate.ndjson"
    certificates.write_bytes(certificates.read_bytes().replace(b"VALID", b"WITHDRAWN", 1))

    with pytest.raises(ImportError_, match=r"Certificate\.ndjson"):
        await import_from(empty, tmp_path, actor="test:import", today=TODAY)
    (tmp_path / MANIFEST).unlink()
    with pytest.raises(ImportError_, match=r"manifest\.json"):
        await import_from(empty, tmp_path, actor="test:import", today=TODAY)

    assert (await empty.change_head()).seq == 0


@pytest.mark.parametrize("workers", [0, 2])
async def test_a_bulk_import_refuses_certificates_changed_after_their_check(
    seeded_store: CypherStore,
    empty: CypherStore,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    workers: int,
) -> None:
    """The load reads the certificates again where it builds them: bytes changed after the
    manifest's check are refused there, and the store stays empty. With workers, those
    that start on the first runs before the load (which then makes them again)."""
    monkeypatch.setattr(golden_copy, "default_workers", lambda certificates: workers)
    await export_to(seeded_store, tmp_path)
    certificates = tmp_path / "Certificate.ndjson"
    checked = golden_copy.checked_lines

    def then_changed(directory: Path) -> dict[str, CheckedFile]:
        files = checked(directory)
        certificates.write_bytes(certificates.read_bytes().replace(b"VALID", b"REVOKD", 1))
        return files

    monkeypatch.setattr(golden_copy, "checked_lines", then_changed)
    with pytest.raises(ImportError_, match=r"Certificate\.ndjson changed"):
        await import_from(empty, tmp_path, actor="test:import", today=TODAY)

    assert (await empty.change_head()).seq == 0
    assert await empty.get_institutions(["12210211760664248H"]) == []


async def test_an_import_leaves_the_scores_computed(
    seeded_store: CypherStore, empty: CypherStore, tmp_path: Path
) -> None:
    """The ranking answers right after `registry import`, with the exporter's institutions
    (scores may differ: complaints and service evaluations are not exported)."""
    from graph.models import RankingQuery

    await export_to(seeded_store, tmp_path)

    await import_from(empty, tmp_path, actor="test:import", today=TODAY)

    everyone = RankingQuery()
    assert await empty.count_ranked(everyone) == await seeded_store.count_ranked(everyone) > 0
    ranked = await empty.rank_institutions(everyone, after=None, limit=100)
    exporter = await seeded_store.rank_institutions(everyone, after=None, limit=100)
    assert {r.institution.uscc for r in ranked} == {r.institution.uscc for r in exporter}
    assert any(r.score is not None for r in ranked)


async def test_a_reimport_with_a_new_service_request_rescores_its_station(
    seeded_store: CypherStore, empty: CypherStore, tmp_path: Path
) -> None:
    """The station itself is unchanged, so only its request says it must be scored again:
    a request closed past its stage limits counts against the station's time limits."""
    for name in ("first", "second"):
        (tmp_path / name).mkdir()
    await export_to(seeded_store, tmp_path / "first")
    await import_from(empty, tmp_path / "first", actor="test:import", today=TODAY)
    station = "1221010232988047XL"
    [before] = await empty.get_stored_credit([station])
    late = late_request("SR-00000000000000bb", station)
    await seeded_store.put_service_requests([late], actor="test")
    await export_to(seeded_store, tmp_path / "second")

    written = await import_from(empty, tmp_path / "second", actor="test:import", today=TODAY)

    assert written["ServiceRequest"] == 1
    assert written["Institution"] == 0
    [after] = await empty.get_stored_credit([station])
    assert after != before  # the late stage counted
    assert await recompute_credit(empty, [station], TODAY) == 0  # nothing left to rescore


async def test_an_import_refuses_to_roll_a_later_status_back_and_writes_nothing(
    seeded_store: CypherStore, tmp_path: Path
) -> None:
    """An export says what a status was, not since when: imported after the certificate
    was withdrawn (final), it made it SUSPENDED again, as a step dated the day of the import."""
    (tmp_path / "copy").mkdir()
    number = "CCSC23SC0102R2"
    await export_to(seeded_store, tmp_path / "copy")
    withdrawal = StatusChange(number, "WITHDRAWN", "监督审核不通过", TODAY, "", "")
    await seeded_store.change_certificate_statuses([withdrawal], actor="test")
    head = await seeded_store.change_head()

    with pytest.raises(ImportError_, match=f"Certificate {number}: WITHDRAWN here, VALID in it"):
        await import_from(seeded_store, tmp_path / "copy", actor="test:import", today=TODAY)

    assert await seeded_store.change_head() == head
    [certificate] = await seeded_store.get_certificates([number])
    assert certificate.status == "WITHDRAWN"
