"""How long a served registry takes to refuse the fragment fan-out, and whether /healthz
keeps answering meanwhile (issue 12, item 3).

    PYTHONPATH=. python -m bench.bounded                        # this checkout
    PYTHONPATH=. python -m bench.bounded --baseline 3d346f4     # and a commit, same run

The fan-out of ``k`` levels is about 40 bytes a level and expands to 2^k fields:
``query { ...F0 } fragment F0 on Query { ...F1 ...F1 } … fragment Fk on Query { __typename }``.
Each tree (this checkout; ``--baseline REF`` exported with ``git archive`` into a temporary
directory) is served by ``registry serve`` in production settings on fresh seeded data. For
each level the bench posts the document once while another task asks ``/healthz`` every
20 ms, and prints the answer's code, its time, and the longest ``/healthz`` wait. A level
whose time, at the growth a level measured between the last two levels sent, would pass
``--budget`` seconds is not sent; its row gives that estimate instead. Then ``--concurrent``
different documents of the deepest level at once, and as many of the heaviest documents the
limits still let through to validation (it is quadratic in fields sharing a response name).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import secrets
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench.processes import PROJECT_ROOT, free_port, stop_api, wait_ready

__all__ = ["fan_out", "main"]

PROBE_EVERY = 0.02


def fan_out(levels: int, leaf: str = "__typename", *, prefix: str = "F") -> str:
    """``levels`` fragments each spreading the next one twice: 2^levels copies of ``leaf``
    (another ``prefix`` makes another document, which no cache has seen)."""
    parts = [f"query {{ ...{prefix}0 }}"]
    parts += [
        f"fragment {prefix}{i} on Query {{ ...{prefix}{i + 1} ...{prefix}{i + 1} }}"
        for i in range(levels)
    ]
    parts.append(f"fragment {prefix}{levels} on Query {{ {leaf} }}")
    return "\n".join(parts)


def conflicting_arguments(fields: int, *, code: int = 0) -> str:
    """``fields`` selections of one response name with different arguments: every pair is
    compared by GraphQL's overlapping-fields validation."""
    same_name = " ".join(f'region(code: "{code}{n:05}") {{ name }}' for n in range(fields))
    return "{ " + same_name + " }"


@dataclass(frozen=True)
class Outcome:
    label: str
    size: int
    answer: str
    seconds: float | None
    healthz_worst: float | None
    note: str = ""


@contextlib.contextmanager
def served(tree: Path, data: Path, log: Path) -> Iterator[str]:
    """`registry serve` from ``tree`` on ``data``, in production settings."""
    port = free_port()
    env = dict(os.environ)
    env.update(
        PYTHONPATH=str(tree),
        PYTHONDONTWRITEBYTECODE="1",
        REGISTRY_ENV="production",
        REGISTRY_SECRET_KEY=secrets.token_urlsafe(30),
        REGISTRY_SIGNING_KEYS_DIR=str(data.parent / "signing-keys"),
    )
    command = [
        sys.executable, "-m", "registry.cli", "serve", "--data", str(data),
        "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning",
    ]  # fmt: skip
    with log.open("ab") as output:
        process = subprocess.Popen(
            command, cwd=tree, env=env, stdin=subprocess.DEVNULL, stdout=output,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        asyncio.run(_ready(base, process))
        yield base
    finally:
        stop_api(process)


async def _ready(base: str, process: subprocess.Popen[bytes]) -> None:
    async with httpx.AsyncClient(base_url=base) as client:
        await asyncio.wait_for(wait_ready(client, process), timeout=300)
        for _ in range(1500):  # the store is seeded before it is ready: up to 5 minutes
            if (await client.get("/readyz", timeout=10)).status_code == 200:
                return
            await asyncio.sleep(0.2)
        raise RuntimeError("the registry did not become ready")


async def _probe(client: httpx.AsyncClient, stop: asyncio.Event) -> float:
    """The longest /healthz wait until ``stop`` is set."""
    worst = 0.0
    while not stop.is_set():
        started = time.perf_counter()
        await client.get("/healthz", timeout=120)
        worst = max(worst, time.perf_counter() - started)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), PROBE_EVERY)
    return worst


async def _post(client: httpx.AsyncClient, document: str) -> str:
    response = await client.post("/graphql", json={"query": document}, timeout=600)
    try:
        errors = response.json().get("errors") or []
    except ValueError:
        return f"HTTP {response.status_code} (not JSON)"
    code = errors[0].get("extensions", {}).get("code", "no code") if errors else "answered"
    return f"{response.status_code} {code}"


async def timed(base: str, label: str, documents: Sequence[str]) -> Outcome:
    """Post ``documents`` at once while probing /healthz."""
    async with httpx.AsyncClient(base_url=base) as client:
        stop = asyncio.Event()
        probe = asyncio.create_task(_probe(client, stop))
        await asyncio.sleep(PROBE_EVERY)
        started = time.perf_counter()
        answers = await asyncio.gather(*(_post(client, d) for d in documents))
        seconds = time.perf_counter() - started
        stop.set()
        worst = await probe
    return Outcome(label, len(documents[0]), " / ".join(sorted(set(answers))), seconds, worst)


def measure(base: str, args: argparse.Namespace) -> list[Outcome]:
    warm_up = ["{ __typename }", fan_out(4, prefix="W"), conflicting_arguments(3)]
    asyncio.run(timed(base, "warm-up", warm_up))
    outcomes: list[Outcome] = []
    measured: list[tuple[int, float]] = []  # (level, seconds) of the levels sent
    for levels in args.levels:
        document = fan_out(levels, prefix=f"L{levels}F")
        estimate = _extrapolated(measured, levels)
        if estimate is not None and estimate[0] > args.budget:
            seconds, growth = estimate
            note = f"not sent: ≈ {_duration(seconds)} (x{growth:.1f} a level, as measured)"
            outcomes.append(Outcome(f"fan-out k={levels}", len(document), "-", None, None, note))
            continue
        outcome = asyncio.run(timed(base, f"fan-out k={levels}", [document]))
        outcomes.append(outcome)
        if outcome.seconds is not None:
            measured.append((levels, outcome.seconds))
    deepest = max(args.levels)
    if measured and measured[-1][0] == deepest:
        label = f"{args.concurrent} x fan-out k={deepest} at once"
        documents = [fan_out(deepest, prefix=f"C{n}F") for n in range(args.concurrent)]
        outcomes.append(asyncio.run(timed(base, label, documents)))
    label = f"{args.concurrent} x {args.conflicts} conflicting fields"
    heavy = [conflicting_arguments(args.conflicts, code=n) for n in range(args.concurrent)]
    outcomes.append(asyncio.run(timed(base, label, heavy)))
    return outcomes


def _extrapolated(measured: list[tuple[int, float]], levels: int) -> tuple[float, float] | None:
    """The time ``levels`` would take at the growth a level between the last two levels
    sent (at least x1), and that growth; None before two levels of 50 ms or more."""
    slow = [(k, t) for k, t in measured if t >= 0.05]
    if len(slow) < 2:
        return None
    (k1, t1), (k2, t2) = slow[-2:]
    growth = max(1.0, (t2 / t1) ** (1 / (k2 - k1)))
    return t2 * growth ** (levels - k2), growth


def _duration(seconds: float) -> str:
    if seconds >= 3600:
        return f"{seconds / 3600:,.1f} h"
    return f"{seconds:,.1f} s" if seconds >= 1 else f"{seconds * 1000:,.0f} ms"


def table(rows: Sequence[tuple[str, Outcome]]) -> str:
    header = ("tree", "request", "bytes", "answer", "time", "worst /healthz", "note")
    lines = [
        (
            tree,
            o.label,
            f"{o.size:,}",
            o.answer,
            "-" if o.seconds is None else _duration(o.seconds),
            "-" if o.healthz_worst is None else _duration(o.healthz_worst),
            o.note,
        )
        for tree, o in rows
    ]
    widths = [max(len(str(row[i])) for row in (header, *lines)) for i in range(len(header))]
    out = ["  ".join(f"{cell:<{w}}" for cell, w in zip(header, widths, strict=True))]
    out.append("  ".join("-" * w for w in widths))
    out += ["  ".join(f"{c:<{w}}" for c, w in zip(row, widths, strict=True)) for row in lines]
    return "\n".join(out)


def _export(ref: str, into: Path) -> Path:
    """The tree of ``ref`` (a commit of this repository) written out, untouched by the run."""
    archive = subprocess.run(
        ["git", "-C", str(PROJECT_ROOT), "archive", "--format=tar", ref],
        check=True,
        capture_output=True,
    ).stdout
    into.mkdir(parents=True)
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.bounded", description=__doc__)
    parser.add_argument("--baseline", help="a commit to measure too, e.g. main")
    parser.add_argument(
        "--levels",
        type=lambda text: [int(n) for n in text.split(",")],
        default=[10, 14, 16, 18, 20, 22, 30, 60],
        help="fan-out depths to send (default 10,14,16,18,20,22,30,60)",
    )
    parser.add_argument("--budget", type=float, default=30.0, help="seconds a request may take")
    parser.add_argument("--concurrent", type=int, default=4)
    parser.add_argument("--conflicts", type=int, default=180)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse(argv)
    rows: list[tuple[str, Outcome]] = []
    with tempfile.TemporaryDirectory(prefix="bench-bounded-") as temporary:
        work = Path(temporary)
        trees = [("this checkout", PROJECT_ROOT)]
        if args.baseline:
            trees.insert(0, (args.baseline, _export(args.baseline, work / "baseline")))
        for name, tree in trees:
            slot = work / f"run-{len(rows)}"
            slot.mkdir()
            print(f"serving {name} ...", file=sys.stderr, flush=True)
            with served(tree, slot / "data", slot.with_suffix(".log")) as base:
                rows += [(name, outcome) for outcome in measure(base, args)]
    print(table(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
