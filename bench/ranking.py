"""The first page of the credit ranking at scale, as the ranking resolver reads it.

    python -m bench.ranking --data /tmp/bench1m

Needs stored scores: run ``registry credit recompute --all --data DIR`` once after generating.
Times the two store calls a first page costs (the page, and the count that numbers it) for
the whole country, a province, a city and a province restricted to one kind.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections.abc import Sequence

from graph.models import RankingQuery
from graph.open import open_store

__all__ = ["main"]

TARGET_P50_MS = 50.0
QUERIES = {
    "whole country": RankingQuery(),
    "Guangdong 440000": RankingQuery(region="440000"),
    "Dalian 210200": RankingQuery(region="210200"),
    "Liaoning labs": RankingQuery(region="210000", kind="INSPECTION_TESTING"),
}


async def run(args: argparse.Namespace) -> list[tuple[str, float, float, int]]:
    store = await open_store(f"falkordb+embedded://{args.data}")
    try:
        rows = []
        for name, query in QUERIES.items():
            latencies = []
            found = 0
            for round_ in range(args.repeat + 3):
                start = time.perf_counter()
                page = await store.rank_institutions(query, after=None, limit=21)
                if page:
                    await store.count_ranked_before(
                        query, score=page[0].score, uscc=page[0].institution.uscc
                    )
                if round_ >= 3:  # the first rounds warm up
                    latencies.append((time.perf_counter() - start) * 1000)
                found = len(page)
            latencies.sort()
            rows.append((name, statistics.median(latencies), latencies[-1], found))
        return rows
    finally:
        await store.close()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.ranking", description=__doc__)
    parser.add_argument("--data", required=True)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args(argv)
    rows = asyncio.run(run(args))
    print(f"{'first ranking page':20} {'p50 ms':>8} {'max ms':>8} {'rows':>5}  target")
    for name, p50, worst, found in rows:
        verdict = "pass" if p50 <= TARGET_P50_MS else "FAIL"
        print(f"{name:20} {p50:>8.1f} {worst:>8.1f} {found:>5}  p50 <= 50 ms: {verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
