"""Statistics over time at scale (issue 14, item 7): ``region { statistics { yearOverYear } }``
as its resolver reads it, next to today's ``statistics`` counts, which scan the region.

    python -m bench.region_trends --data /tmp/bench100k

The year rows come from the per-region, per-month tallies counted on write (design note 31):
the read is the region's subtree and its months, then a sum per year in Python. With
``--writes N`` it also times N status-change batches of 1,000 certificates and the part of
each spent counting them into the tallies (the write path's extra cost). Those steps stay in
the store: use a copy you do not mind changing.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import date

from graph.cypher_store import CypherStore
from graph.models import StatusChange
from graph.open import open_store
from registry.domain.region_trends import year_over_year

__all__ = ["main"]

REGIONS = {
    "Guangdong 440000 (province)": "440000",
    "Jiangsu 320000 (province)": "320000",
    "Liaoning 210000 (province)": "210000",
    "Dalian 210200 (city)": "210200",
}
TODAY = date(2026, 12, 4)


async def _time(call: Callable[[], Awaitable[int]], repeat: int) -> tuple[float, float, int]:
    latencies, found = [], 0
    for round_ in range(repeat + 2):
        start = time.perf_counter()
        found = await call()
        if round_ >= 2:  # the first rounds warm up
            latencies.append((time.perf_counter() - start) * 1000)
    latencies.sort()
    return statistics.median(latencies), latencies[-1], found


async def _writes(store: CypherStore, batches: int) -> list[tuple[str, float, float, int]]:
    """Status steps on 1,000 certificates a batch: the whole write and its tally count."""
    rows = await store._read(
        "MATCH (c:Certificate) RETURN c.number AS n ORDER BY c.number LIMIT $limit",
        {"limit": 1000 * batches},
    )
    numbers = [str(r["n"]) for r in rows]
    counting: list[float] = []
    original = store._count_tallies

    async def timed() -> None:
        start = time.perf_counter()
        await original()
        counting.append((time.perf_counter() - start) * 1000)

    store._count_tallies = timed  # type: ignore[method-assign]
    whole: list[float] = []
    for index in range(batches):
        steps = [
            StatusChange(n, "SUSPENDED", "bench", date(2025, 6, 1), "", "")
            for n in numbers[index * 1000 : (index + 1) * 1000]
        ]
        start = time.perf_counter()
        await store.change_certificate_statuses(steps, actor="bench")
        whole.append((time.perf_counter() - start) * 1000)
    store._count_tallies = original  # type: ignore[method-assign]
    return [
        ("status batch of 1,000, whole write", statistics.median(whole), max(whole), batches),
        ("  of which counting the tallies", statistics.median(counting), max(counting), batches),
    ]


async def run(args: argparse.Namespace) -> list[tuple[str, float, float, int]]:
    store = await open_store(f"falkordb+embedded://{args.data}")
    assert isinstance(store, CypherStore)
    try:
        rows = []
        for name, code in REGIONS.items():

            async def trends(code: str = code) -> int:
                months = await store.region_months(code, today=TODAY.isoformat())
                return len(year_over_year(months, TODAY))

            async def scan(code: str = code) -> int:
                [counts] = await store.region_statistics([code], today=TODAY.isoformat())
                return counts.valid_certificates

            p50, worst, found = await _time(trends, args.repeat)
            rows.append((f"{name}: yearOverYear", p50, worst, found))
            p50, worst, found = await _time(scan, max(3, args.repeat // 5))
            rows.append((f"{name}: statistics (scan)", p50, worst, found))
        if args.writes:
            rows += await _writes(store, args.writes)
        return rows
    finally:
        await store.close()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.region_trends", description=__doc__)
    parser.add_argument("--data", required=True)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--writes", type=int, default=0, help="status batches to time")
    args = parser.parse_args(argv)
    rows = asyncio.run(run(args))
    print(f"{'read':50} {'p50 ms':>8} {'max ms':>8} {'rows':>8}")
    for name, p50, worst, found in rows:
        print(f"{name:50} {p50:>8.1f} {worst:>8.1f} {found:>8}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
