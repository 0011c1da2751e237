"""Filtering by the status on a day: the folded timeline against the cache-first filter.

    python -m bench.status_filters --data /tmp/bench100k --repeat 10

On an existing store, for the busiest issuer's certificates and for every certificate, it
counts those whose status on a day is one of a few, once with ``status_on(c, day) IN S``
(the expression, which folds every certificate's timeline: FalkorDB evaluates every branch
of a CASE) and once with ``status_in(c, day, S)`` (the filter that stops at the cached step
when it answers), in turn, A B A B, so the machine's load slows both alike. Each row gives
both medians in milliseconds and their ratio; the counts must be equal, or it stops.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections.abc import Sequence
from pathlib import Path

from graph.cypher.timelines import status_in, status_on
from graph.cypher_store import CypherStore
from graph.open import open_store

__all__ = ["main"]

_BUSIEST = """
MATCH (i:Institution)-[:ISSUED]->(c:Certificate)
WITH i.uscc AS uscc, count(c) AS certificates
RETURN uscc, certificates ORDER BY certificates DESC, uscc LIMIT 1
"""
_OF_ISSUER = (
    "MATCH (:Institution {{uscc: $issuer}})-[:ISSUED]->(c:Certificate) WHERE {condition} "
    "RETURN count(c) AS found"
)
_ALL = "MATCH (c:Certificate) WHERE {condition} RETURN count(c) AS found"
_DAYS = ("2026-12-04", "2019-06-01")  # inside most cache windows, and before most of them
_STATUSES = ("['VALID']", "['WITHDRAWN']")


async def _count(
    store: CypherStore, statement: str, params: dict[str, object]
) -> tuple[int, float]:
    started = time.perf_counter()
    rows = await store._read(statement, params)  # a bench reads the store directly
    return int(str(rows[0]["found"])), (time.perf_counter() - started) * 1000


async def measure(data: Path, repeat: int) -> list[tuple[str, int, float, float]]:
    store = await open_store(f"falkordb+embedded://{data}")
    assert isinstance(store, CypherStore)
    try:
        [busiest] = await store._read(_BUSIEST, {})
        rows = []
        for scope, shape in ((f"issuer of {busiest['certificates']}", _OF_ISSUER), ("all", _ALL)):
            for day in _DAYS:
                for statuses in _STATUSES:
                    folded = shape.format(condition=f"{status_on('c', '$day')} IN {statuses}")
                    cached = shape.format(condition=status_in("c", "$day", statuses))
                    params: dict[str, object] = {"day": day, "issuer": busiest["uscc"]}
                    a_times, b_times = [], []
                    for _ in range(repeat):
                        a_found, a_ms = await _count(store, folded, params)
                        b_found, b_ms = await _count(store, cached, params)
                        if a_found != b_found:
                            raise SystemExit(f"{scope} {day} {statuses}: {a_found} != {b_found}")
                        a_times.append(a_ms)
                        b_times.append(b_ms)
                    label = f"{scope}, {statuses} on {day}"
                    rows.append(
                        (label, a_found, statistics.median(a_times), statistics.median(b_times))
                    )
        return rows
    finally:
        await store.close()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.status_filters", description=__doc__)
    parser.add_argument("--data", type=Path, required=True, help="an existing store's directory")
    parser.add_argument("--repeat", type=int, default=10, help="timed runs of each, in turn")
    args = parser.parse_args(argv)
    rows = asyncio.run(measure(args.data, args.repeat))
    print(f"{'certificates counted':52} {'found':>7} {'folded ms':>10} {'cached ms':>10} ratio")
    for label, found, folded, cached in rows:
        print(f"{label:52} {found:>7,} {folded:>10.1f} {cached:>10.1f} {folded / cached:5.1f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
