"""The seed dataset loads through the API's validation and write rules."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from graph.changelog import first_broken_link
from graph.cypher_store import CypherStore
from graph.models import CertificateQuery, InstitutionQuery
from registry.operations.seeding import SeedError, load_seeds, store_is_empty
from tests.conftest import SECRET, TODAY

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def _rows(name: str) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = json.loads((SEEDS / name).read_text(encoding="utf-8"))
    return rows


async def test_seeds_load_completely_into_an_empty_store(store: CypherStore) -> None:
    assert await store_is_empty(store)
    counts = await load_seeds(store, SEEDS, secret=SECRET, today=TODAY)
    assert counts["institutions"] == len(_rows("institutions.json"))
    assert await store.count_institutions(InstitutionQuery()) == len(_rows("institutions.json"))
    assert await store.count_certificates(CertificateQuery(today=TODAY)) == len(
        _rows("certificates.json")
    )
    assert not await store_is_empty(store)
    changes = await store.get_changes(after=0, limit=100)
    assert first_broken_link(changes) is None


async def test_seeded_status_changes_form_each_certificates_history(store: CypherStore) -> None:
    await load_seeds(store, SEEDS, secret=SECRET, today=TODAY)
    changes = _rows("status_changes.json")
    number = str(changes[0]["number"])
    history = await store.get_status_histories([number])
    expected = [c["status"] for c in changes if c["number"] == number]
    assert [h.status for h in history] == ["VALID", *expected]


async def test_a_broken_seed_file_is_refused_naming_the_file(
    store: CypherStore, tmp_path: Path
) -> None:
    for source in SEEDS.glob("*.json"):
        (tmp_path / source.name).write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    broken = _rows("institutions.json")
    broken[3]["uscc"] = "91110000100000000X"
    (tmp_path / "institutions.json").write_text(json.dumps(broken), encoding="utf-8")
    with pytest.raises(
        SeedError, match=r"institutions\.json.*INVALID_USCC|institutions\.json\[3\]"
    ):
        await load_seeds(store, tmp_path, secret=SECRET, today=TODAY)
    assert await store_is_empty(store)
