"""Where a bulk load's CPU goes: the load's wall time, the loading process's CPU, that of the
processes it started and reaped (the certificate workers, the pinyin key process) and the
database server's (docs/design-notes.md, note 39), scoring every institution as `registry
generate` does. Run by hand, on a quiet machine:

    PYTHONPATH=. python -m bench.load_cpu --institutions 10000 --certificates 100000 --data DIR
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import shutil
import time
from pathlib import Path

from graph import native
from graph.clock import registry_today
from graph.falkordb_store import FalkorDBStore
from graph.open import open_store
from registry.operations.credit import bulk_scoring
from registry.synthetic import generate


def _cpu_of(pid: int) -> float:
    """User and system seconds of a running process (from /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _used(usage: resource.struct_rusage) -> float:
    return usage.ru_utime + usage.ru_stime


async def _measure(args: argparse.Namespace) -> str:
    shutil.rmtree(args.data, ignore_errors=True)
    args.data.mkdir(parents=True)
    store = await open_store(f"falkordb+embedded://{args.data}")
    server = store.server if isinstance(store, FalkorDBStore) else None
    pid = None if server is None else server.server_pid
    if pid is None:
        raise SystemExit("an embedded FalkorDB store is needed to read its server's CPU")
    server_before, started = _cpu_of(pid), time.perf_counter()
    mine = _used(resource.getrusage(resource.RUSAGE_SELF))
    children = _used(resource.getrusage(resource.RUSAGE_CHILDREN))
    try:
        report = await generate(
            store,
            institutions=args.institutions,
            certificates=args.certificates,
            seed=args.seed,
            progress=False,
            credit=bulk_scoring(registry_today()),
        )
        wall, server_cpu = time.perf_counter() - started, _cpu_of(pid) - server_before
        mine = _used(resource.getrusage(resource.RUSAGE_SELF)) - mine
    finally:
        await store.close()
    children = _used(resource.getrusage(resource.RUSAGE_CHILDREN)) - children
    return (
        f"{args.certificates} certificates: load {report.seconds:.1f} s ({wall:.1f} s wall), "
        f"loading process CPU {mine:.1f} s, its worker processes {children:.1f} s, "
        f"server {server_cpu:.1f} s; {report.rows} rows; "
        f"compiled modules {native.state()} (graph.native)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--institutions", type=int, default=10_000)
    parser.add_argument("--certificates", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--data", type=Path, required=True, help="emptied, then loaded into")
    print(asyncio.run(_measure(parser.parse_args())))


if __name__ == "__main__":  # the load's worker processes are spawned: they import this module
    main()
