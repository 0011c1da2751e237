"""The public certificate search at scale, as the resolver runs it: every way a query can
match, ranked and bounded (``registry.operations.search.ranked_search``).

    python -m bench.search --data /tmp/bench1m --holders 50 --repeat 3

It opens the store (a store written before the pinyin keys gets them then: the time to open
is printed), samples ``--holders`` holders with a certificate, and for each asks ten kinds of
query built from it: its certificate's number, the number's beginning and its first four
characters, its USCC, a part of its name, its whole name, the name with one character wrong,
two words of its pinyin, four of its initials, and the common "有限公司". Each kind: p50 and
p99 latency over all its queries and rounds, and how often the sampled holder's certificate
was among the results ("found").
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import time
from collections.abc import Sequence

from graph.falkordb_store import FalkorDBStore
from graph.open import open_store
from graph.search_keys import holder_keys
from graph.text import normalise_text
from registry.operations.search import ranked_search

__all__ = ["main"]

_SAMPLE = """
MATCH (o:Organization) WITH o SKIP $skip LIMIT 1
MATCH (o)<-[:CERTIFIES]-(c:Certificate)
RETURN o.uscc AS uscc, o.name AS name, c.number AS number
LIMIT 1
"""
_COUNT = "MATCH (o:Organization) RETURN count(o) AS n"


def _queries(uscc: str, name: str, number: str) -> dict[str, str]:
    normal = normalise_text(name)
    keys = holder_keys(name)
    middle = len(normal) // 2
    typo = normal[:middle] + ("错" if normal[middle] != "错" else "对") + normal[middle + 1 :]
    syllables = _syllables(name)
    return {
        "number": number,
        "number prefix": number[: max(4, len(number) - 3)],
        "number, first 4": number[:4],
        "holder USCC": uscc,
        "name part": normal[2:8],
        "whole name": name,
        "name, one typo": typo,
        "pinyin, two words": " ".join(["".join(syllables[0:2]), "".join(syllables[2:4])]),
        "pinyin initials": keys.initials[:4],
        "common: 有限公司": "有限公司",
    }


def _syllables(name: str) -> list[str]:
    from graph.search_keys import _syllables_of

    return _syllables_of(normalise_text(name))


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def run(args: argparse.Namespace) -> None:
    started = time.perf_counter()
    store = await open_store(f"falkordb+embedded://{args.data}")
    print(
        f"store opened (search keys backfilled if missing) in {time.perf_counter() - started:.1f} s"
    )
    assert isinstance(store, FalkorDBStore)
    try:
        total = int(str((await store._query("bench_count", _COUNT, {}))[0]["n"]))
        rng = random.Random(args.seed)
        samples: list[tuple[str, str, str]] = []
        while len(samples) < args.holders:
            rows = await store._query("bench_sample", _SAMPLE, {"skip": rng.randrange(total)})
            if rows:
                samples.append((str(rows[0]["uscc"]), str(rows[0]["name"]), str(rows[0]["number"])))
        latencies: dict[str, list[float]] = {}
        found: dict[str, int] = {}
        results: dict[str, list[int]] = {}
        for round_ in range(args.repeat + 1):
            for uscc, name, number in samples:
                for kind, query in _queries(uscc, name, number).items():
                    start = time.perf_counter()
                    ranked = await ranked_search(store, query)
                    elapsed = (time.perf_counter() - start) * 1000
                    if round_ == 0:  # warm-up round: counts what was found
                        numbers = {r.hit.match.certificate.number for r in ranked}
                        found[kind] = found.get(kind, 0) + (number in numbers)
                        results.setdefault(kind, []).append(len(ranked))
                        continue
                    latencies.setdefault(kind, []).append(elapsed)
        print(f"{total:,} holders; {args.holders} sampled, {args.repeat} rounds after a warm-up")
        head = f"{'query kind':22} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}"
        print(f"{head} {'results':>8} {'found':>7}")
        every: list[float] = []
        for kind, values in latencies.items():
            every += values
            mean_results = statistics.mean(results[kind])
            print(
                f"{kind:22} {statistics.median(values):>8.1f} {_percentile(values, 0.99):>8.1f} "
                f"{max(values):>8.1f} {mean_results:>8.1f} {found[kind]:>4}/{args.holders}"
            )
        print(
            f"{'all':22} {statistics.median(every):>8.1f} {_percentile(every, 0.99):>8.1f} "
            f"{max(every):>8.1f}"
        )
    finally:
        await store.close()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.search", description=__doc__)
    parser.add_argument("--data", required=True, help="an embedded store (registry generate)")
    parser.add_argument("--holders", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    asyncio.run(run(parser.parse_args(argv)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
