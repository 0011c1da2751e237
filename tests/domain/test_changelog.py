"""The hash chain of the change log, without a store."""

from __future__ import annotations

from dataclasses import replace

from graph.changelog import (
    GENESIS_HASH,
    ChangeDraft,
    canonical_json,
    chain_changes,
    first_broken_link,
)
from graph.log_models import ChangeHead


def _chain(n: int) -> list:  # type: ignore[type-arg]
    drafts = [ChangeDraft("Institution", f"K{i}", "UPSERT", {"name": f"机构{i}"}) for i in range(n)]
    return chain_changes(ChangeHead(0, GENESIS_HASH), drafts, actor="t", at="2026-11-22T00:00:00Z")


def test_canonical_json_is_independent_of_key_order() -> None:
    assert canonical_json({"b": 1, "a": "大连"}) == canonical_json({"a": "大连", "b": 1})
    assert canonical_json({"a": "大连"}) == '{"a":"大连"}'


def test_an_intact_chain_verifies() -> None:
    changes = _chain(5)
    assert [c.seq for c in changes] == [1, 2, 3, 4, 5]
    assert first_broken_link(changes) is None


def test_continuing_from_a_head_links_to_it() -> None:
    first = _chain(3)
    more = chain_changes(
        ChangeHead(3, first[-1].hash), [ChangeDraft("Region", "1", "UPSERT", {})], actor="t", at="x"
    )
    assert more[0].seq == 4
    assert first_broken_link(first + more) is None


def test_any_rewritten_field_is_found_at_its_entry() -> None:
    changes = _chain(5)
    for field, value in [("actor", "mallory"), ("data", "{}"), ("key", "K9"), ("at", "y")]:
        tampered = [*changes[:2], replace(changes[2], **{field: value}), *changes[3:]]
        assert first_broken_link(tampered) == 3


def test_a_removed_entry_is_found() -> None:
    changes = _chain(5)
    assert first_broken_link(changes[:2] + changes[3:]) == 3
