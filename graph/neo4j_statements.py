"""Every statement the Neo4j backend can send, for linting with Neo4j's own Cypher tooling.

The shared catalogue (graph.cypher), its builders, the Neo4j dialect and the statements only
Neo4jStore sends. A builder joins independent AND-ed conditions, one per filter it is given,
so by default it runs with no filter, each filter alone and all of them (every fragment in
every clause it can land in); ``every_combination`` runs each builder over every subset of
its filters instead (some 2,700 statements; Neo4j's linter takes about half an hour on them).
"""

from __future__ import annotations

import importlib
import itertools
import pkgutil
from collections.abc import Iterable, Iterator

import graph.cypher
from graph.cypher import certificates, changes, exports, institutions, scores, search
from graph.cypher_store.base import PING
from graph.dialects import NEO4J
from graph.neo4j_store import CLEAR

__all__ = ["FRAGMENTS", "Statement", "neo4j_statements"]

Statement = tuple[str, str]  # (where it comes from, the statement)

# Public string constants of the catalogue that are pieces of statements, not statements, and
# the statements only FalkorDB is sent (node-id windows: Neo4j pages by key instead).
FRAGMENTS = frozenset(
    {
        "certificates.CERTIFICATE_MAP",
        "exports.COUNT_SUFFIX",
        "exports.LIST_SEPARATOR",
        "timelines.NO_NEXT",
        "search.CANDIDATE_NAMES",
        "tallies.CERTIFICATE_WINDOW",
        "tallies.INSTITUTION_WINDOW",
    }
)


def neo4j_statements(*, every_combination: bool = False) -> list[Statement]:
    """Each distinct statement once, under the first name that produces it."""
    seen: dict[str, str] = {}
    builders = _builders(every_combination)
    for name, statement in itertools.chain(_catalogue(), builders, _neo4j_only()):
        seen.setdefault(statement, name)
    return [(name, statement) for statement, name in seen.items()]


def _catalogue() -> Iterator[Statement]:
    """Public string constants of graph.cypher (and string-valued dicts), fragments aside."""
    for module_info in pkgutil.iter_modules(graph.cypher.__path__):
        module = importlib.import_module(f"graph.cypher.{module_info.name}")
        for attribute in getattr(module, "__all__", ()):
            name = f"{module_info.name}.{attribute}"
            value = getattr(module, attribute)
            if isinstance(value, str) and name not in FRAGMENTS:
                yield name, value
            elif isinstance(value, dict):
                for key, item in value.items():
                    if isinstance(item, str):
                        yield f"{name}[{key}]", item


def _all_subsets(names: Iterable[str]) -> Iterator[frozenset[str]]:
    ordered = sorted(names)
    for size in range(len(ordered) + 1):
        for chosen in itertools.combinations(ordered, size):
            yield frozenset(chosen)


def _covering_subsets(names: Iterable[str]) -> Iterator[frozenset[str]]:
    ordered = sorted(names)
    yield frozenset()
    yield from (frozenset({name}) for name in ordered)
    yield frozenset(ordered)


def _label(present: frozenset[str]) -> str:
    return ",".join(sorted(present)) or "-"


def _certificate_options(
    every_combination: bool,
) -> Iterator[tuple[frozenset[str], str | None]]:
    filters, statuses = certificates.LISTING_FILTERS, certificates.LISTING_STATUSES
    if every_combination:
        yield from itertools.product(_all_subsets(filters), (None, *statuses))
        return
    yield from ((present, None) for present in _covering_subsets(filters))
    # The status filter is one more condition: each status with no other filter and with all.
    yield from itertools.product((frozenset(), filters), statuses)


def _builders(every_combination: bool) -> Iterator[Statement]:
    subsets = _all_subsets if every_combination else _covering_subsets
    for (present, status), count in itertools.product(
        _certificate_options(every_combination), (False, True)
    ):
        statement = certificates.certificate_listing(present, status=status, count=count)
        yield f"certificate_listing({_label(present)}, {status}, count={count})", statement
    for present, count in itertools.product(subsets(institutions.LISTING_FILTERS), (False, True)):
        statement = institutions.institution_listing(present, count=count)
        yield f"institution_listing({_label(present)}, count={count})", statement
    for present, count in itertools.product(subsets(changes.CHANGE_FILTERS), (False, True)):
        yield (
            f"changes_after({_label(present)}, count={count})",
            changes.changes_after(present, count=count),
        )
    for source, present, count in itertools.product(
        scores.RANKING_SOURCES, subsets(scores.RANKING_FILTERS), (False, True)
    ):
        statement = scores.ranking(source, present, count=count)
        yield f"ranking({source}, {_label(present)}, count={count})", statement
    for entity, spec in exports.EXPORTED.items():
        # id_window and label_extent page FalkorDB's node ids: Neo4jStore never sends them.
        yield f"docs_by_key({entity})", exports.docs_by_key(spec)
        yield f"key_page({entity})", exports.key_page(spec)


def _neo4j_only() -> Iterator[Statement]:
    for statement in NEO4J.drop_statements():
        yield "NEO4J.drop_statements", statement
    for statement in NEO4J.index_statements():
        yield "NEO4J.index_statements", statement
    for statement in NEO4J.search_schema:
        yield "NEO4J.search_schema", statement
    yield "NEO4J.head_for_update", NEO4J.head_for_update
    # Holders found by the full-text index, then their certificates or their names.
    yield "search.of_holders(NEO4J.name_candidates)", search.of_holders(NEO4J.name_candidates)
    yield "NEO4J.name_candidates + CANDIDATE_NAMES", NEO4J.name_candidates + search.CANDIDATE_NAMES
    yield "NEO4J.region_statistics", NEO4J.region_statistics
    yield "NEO4J.credit_inputs", NEO4J.credit_inputs
    yield "neo4j_store.CLEAR", CLEAR
    yield "cypher_store.PING", PING
