"""The credit inputs of a body: its certificates counted one by one, against its degree and
its WITHDREW edges.

    python -m bench.credit_inputs --data /tmp/gen1m --repeat 5 [--all]

On an existing store (opened by this version, so it has its WITHDREW edges), for the three
busiest issuers it reads the inputs of the credit score once with the counts as they were
read before (a comprehension over every ISSUED certificate, and one checking each of them
for a withdrawal on the day) and once as the dialect reads them now (``outdegree`` and the
WITHDREW edges), in turn, A B A B, so the machine's load slows both alike. ``--all`` adds
the read for every institution, in batches as a recompute makes them, once each in turn.
Each row gives both medians in milliseconds and their ratio; the counts must be equal, or
it stops (design note 42).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from graph.cypher.scores import credit_inputs
from graph.cypher_store import CypherStore
from graph.dialects import FALKORDB
from graph.open import open_store
from graph.port import MAX_WRITE_BATCH

__all__ = ["main"]

_BUSIEST = """
MATCH (i:Institution)
WITH i.uscc AS uscc, outdegree(i, 'ISSUED') AS certificates
RETURN uscc, certificates ORDER BY certificates DESC, uscc LIMIT 3
"""
_ALL = "MATCH (i:Institution) RETURN i.uscc AS uscc"
# The read before: both counts walk every certificate the body issued.
_EVERY_CERTIFICATE = credit_inputs(
    issued="size([(i)-[:ISSUED]->(c:Certificate) | c.number])"
).replace("(i)-[:WITHDREW]->(gone:Certificate)", "(i)-[:ISSUED]->(gone:Certificate)")
_COUNTS = ("certificatesIssued", "certificatesWithdrawn")


async def _read(
    store: CypherStore, statement: str, keys: list[str]
) -> tuple[list[tuple[int, int]], float]:
    """Each batch's counts and the milliseconds all batches took."""
    params = {"today": date.today().isoformat(), "evaluatedSince": "2000-01-01"}
    counts: list[tuple[int, int]] = []
    started = time.perf_counter()
    for start in range(0, len(keys), MAX_WRITE_BATCH):
        batch = keys[start : start + MAX_WRITE_BATCH]
        rows = await store._read(statement, {**params, "keys": batch})  # a bench reads directly
        counts += [(int(str(r[_COUNTS[0]])), int(str(r[_COUNTS[1]]))) for r in rows]
    return counts, (time.perf_counter() - started) * 1000


async def measure(data: Path, repeat: int, every: bool) -> list[tuple[str, int, float, float]]:
    store = await open_store(f"falkordb+embedded://{data}")
    assert isinstance(store, CypherStore)
    try:
        cases = [
            (f"body of {r['certificates']:,} certificates", [str(r["uscc"])], repeat)
            for r in await store._read(_BUSIEST, {})
        ]
        if every:
            keys = [str(r["uscc"]) for r in await store._read(_ALL, {})]
            cases.append((f"all {len(keys):,} institutions", keys, 1))
        rows = []
        for label, keys, runs in cases:
            before, after = [], []
            for _ in range(runs):
                a_counts, a_ms = await _read(store, _EVERY_CERTIFICATE, keys)
                b_counts, b_ms = await _read(store, FALKORDB.credit_inputs, keys)
                if a_counts != b_counts:
                    raise SystemExit(f"{label}: the counts differ")
                before.append(a_ms)
                after.append(b_ms)
            withdrawn = sum(w for _, w in a_counts)
            rows.append((label, withdrawn, statistics.median(before), statistics.median(after)))
        return rows
    finally:
        await store.close()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.credit_inputs", description=__doc__)
    parser.add_argument("--data", type=Path, required=True, help="an existing store's directory")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs of each, in turn")
    parser.add_argument("--all", action="store_true", help="also every institution, once")
    args = parser.parse_args(argv)
    rows = asyncio.run(measure(args.data, args.repeat, args.all))
    print(f"{'credit inputs read for':36} {'withdrawn':>9} {'before ms':>10} {'now ms':>10} ratio")
    for label, withdrawn, before, now in rows:
        print(f"{label:36} {withdrawn:>9,} {before:>10.1f} {now:>10.1f} {before / now:5.1f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
