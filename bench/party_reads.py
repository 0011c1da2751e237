"""How fast the reads that find certificates by their issuer or holder answer.

    python -m bench.party_reads --data /tmp/bench100k --repeat 100

For an existing store, it times through the store's port: a listing page (20) and its count
by holder and by issuer, the issuers of a batch of holders (what write access checks), the
verification facts of a batch of numbers, credit inputs, data-quality counts and issue
groups of a batch of issuers, and a network of one institution over its certificates. Each
is run for the busiest parties (the most certificates) and for a spread of ordinary ones;
the table gives the median and the 95th percentile in milliseconds. Run it from two trees
(``git archive`` the older one) on copies of the same store to compare statements.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import date, timedelta
from pathlib import Path

from graph.cypher_store import CypherStore
from graph.models import CertificateQuery
from graph.open import open_store

__all__ = ["main"]

_BUSIEST = """
MATCH (p:{label})-[:{edge}]-(c:Certificate)
WITH p.uscc AS uscc, count(c) AS certificates
RETURN uscc ORDER BY certificates DESC, uscc LIMIT $limit
"""
_SOME = "MATCH (p:{label}) WHERE (p)-[:{edge}]-(:Certificate) RETURN p.uscc AS uscc LIMIT 2000"
_NUMBERS = "MATCH (c:Certificate) RETURN c.number AS number LIMIT 5000"


async def _parties(store: CypherStore, label: str, edge: str, seed: int) -> list[str]:
    """The 5 busiest parties, then 45 others picked at random."""
    read = store._read  # a bench reads the store directly
    busiest_rows = await read(_BUSIEST.format(label=label, edge=edge), {"limit": 5})
    busiest = [str(r["uscc"]) for r in busiest_rows]
    others = [str(r["uscc"]) for r in await read(_SOME.format(label=label, edge=edge), {})]
    rng = random.Random(seed)
    rest = [u for u in others if u not in busiest]
    return busiest + rng.sample(rest, min(45, len(rest)))


async def _timed(repeat: int, work: Callable[[int], Awaitable[object]]) -> list[float]:
    times = []
    for i in range(repeat):
        started = time.perf_counter()
        await work(i)
        times.append((time.perf_counter() - started) * 1000)
    return times


async def measure(data: Path, repeat: int, seed: int) -> list[tuple[str, list[float]]]:
    store = await open_store(f"falkordb+embedded://{data}")
    try:
        holders = await _parties(store, "Organization", "CERTIFIES", seed)
        issuers = await _parties(store, "Institution", "ISSUED", seed)
        numbers = [str(r["number"]) for r in await store._read(_NUMBERS, {})]
        today = date(2026, 6, 1)
        since = today - timedelta(days=365)

        def pick(parties: list[str], i: int) -> str:
            return parties[i % len(parties)]

        def batch(parties: list[str], i: int, size: int = 20) -> list[str]:
            return [parties[(i + k) % len(parties)] for k in range(size)]

        reads: list[tuple[str, Callable[[int], Awaitable[object]]]] = [
            ("list page of 20 by holder", lambda i: store.list_certificates(
                CertificateQuery(today=today, holder=pick(holders, i)), after=None, limit=20)),
            ("count by holder", lambda i: store.count_certificates(
                CertificateQuery(today=today, holder=pick(holders, i)))),
            ("list page of 20 by issuer", lambda i: store.list_certificates(
                CertificateQuery(today=today, issuer=pick(issuers, i)), after=None, limit=20)),
            ("list page of 20 by issuer, VALID", lambda i: store.list_certificates(
                CertificateQuery(today=today, issuer=pick(issuers, i), status="VALID"),
                after=None, limit=20)),
            ("count by issuer", lambda i: store.count_certificates(
                CertificateQuery(today=today, issuer=pick(issuers, i)))),
            ("issuers of 20 holders", lambda i: store.get_issuers_of_holders(batch(holders, i))),
            ("verification facts of 20", lambda i: store.get_verification_facts(
                batch(numbers, i * 20))),
            ("credit inputs of 20 issuers", lambda i: store.get_credit_inputs(
                batch(issuers, i), today=today.isoformat(), evaluated_since=since.isoformat())),
            ("data-quality counts of 20 issuers", lambda i: store.get_data_quality_counts(
                batch(issuers, i), since=since, late_after_days=30)),
            ("issue groups of 20 issuers", lambda i: store.get_issue_groups(
                batch(issuers, i), since=since)),
            ("network of an issuer (ISSUED)", lambda i: store.get_network(
                pick(issuers, i), depth=1, relations={"ISSUED"}, max_nodes=200)),
        ]  # fmt: skip
        results = []
        for name, work in reads:
            await _timed(3, work)  # warm the plan cache
            results.append((name, await _timed(repeat, work)))
        return results
    finally:
        await store.close()


def report(results: Sequence[tuple[str, list[float]]]) -> str:
    lines = [f"{'read':<36}  {'median ms':>10}  {'p95 ms':>10}"]
    for name, times in results:
        p95 = statistics.quantiles(times, n=20)[18] if len(times) >= 2 else times[0]
        lines.append(f"{name:<36}  {statistics.median(times):>10.2f}  {p95:>10.2f}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.party_reads", description=__doc__)
    parser.add_argument("--data", type=Path, required=True, help="an existing store")
    parser.add_argument("--repeat", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    print(report(asyncio.run(measure(args.data.resolve(), args.repeat, args.seed))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
