"""The list scripts/lint-cypher lints: it must hold what the Neo4j backend can send."""

from __future__ import annotations

import importlib
import inspect
import json
import logging
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from graph.cypher import certificates, changes, institutions, scores, search
from graph.dialects import FALKORDB, NEO4J
from graph.neo4j_statements import FRAGMENTS, neo4j_statements
from graph.neo4j_store import CLEAR
from tests.cypher_log import StatementLog

LISTED = {statement for _, statement in neo4j_statements()}
EVERY = {statement for _, statement in neo4j_statements(every_combination=True)}


def test_each_fragment_left_out_is_a_public_string_of_the_catalogue() -> None:
    for name in FRAGMENTS:
        module, attribute = name.split(".")
        catalogue = importlib.import_module(f"graph.cypher.{module}")
        assert attribute in catalogue.__all__
        assert isinstance(getattr(catalogue, attribute), str)
        assert getattr(catalogue, attribute) not in LISTED


@pytest.mark.parametrize(
    ("builder", "filters"),
    [
        (certificates.certificate_listing, certificates.LISTING_FILTERS),
        (institutions.institution_listing, institutions.LISTING_FILTERS),
        (changes.changes_after, changes.CHANGE_FILTERS),
        (scores.ranking, scores.RANKING_FILTERS),
    ],
)
def test_every_filter_a_builder_tests_for_is_enumerated(
    builder: Callable[..., str], filters: frozenset[str]
) -> None:
    tested = set(re.findall(r'"(\w+)" in present', inspect.getsource(builder)))
    assert tested <= filters, f"{builder.__name__} tests {tested - filters} not enumerated"


def test_the_neo4j_dialect_and_neo4j_only_statements_are_listed() -> None:
    assert {NEO4J.head_for_update, NEO4J.region_statistics, CLEAR} <= LISTED
    assert NEO4J.name_candidates + search.CANDIDATE_NAMES in LISTED
    assert search.of_holders(NEO4J.name_candidates) in LISTED
    assert {*NEO4J.index_statements(), *NEO4J.search_schema} <= LISTED
    assert FALKORDB.head_for_update not in LISTED
    assert FALKORDB.region_statistics not in LISTED


def test_the_covering_list_is_part_of_every_combination() -> None:
    assert LISTED <= EVERY
    assert len(EVERY) > len(LISTED)


def _wire_log_record(statement: str) -> logging.LogRecord:
    """As the driver logs a RUN: the statement, its parameters and extras, as reprs."""
    fields = " ".join(map(repr, (statement, {"x": "it's"}, {"db": "registry"})))
    return logging.LogRecord(
        "neo4j.io", logging.DEBUG, __file__, 1, "[#%04X]  C: RUN %s", (1234, fields), None
    )


def test_statements_the_backend_sends_are_recorded_once(tmp_path: Path) -> None:
    sent = StatementLog(tmp_path / "sent.json")
    # Both quotes, backslashes, a tab, Latin-1 and CJK: every kind of escape a repr makes.
    statement = (
        "MATCH (o:Organization {name: '质量'})\nWHERE o.note =~ 'é\\\\d\t\"'\nRETURN o.uscc AS uscc"
    )
    # A caller outside tests/, as the store's own modules are.
    backend: dict[str, Callable[[StatementLog, logging.LogRecord], None]] = {}
    exec(compile("def send(log, record): log.emit(record)", "graph/store.py", "exec"), backend)  # noqa: S102
    backend["send"](sent, _wire_log_record(statement))
    backend["send"](sent, _wire_log_record(statement))
    sent.emit(_wire_log_record("MATCH (c:Certificate) SET c.expiresOn = 'not a date'"))
    sent.write()
    assert json.loads((tmp_path / "sent.json").read_text(encoding="utf-8")) == [statement]
