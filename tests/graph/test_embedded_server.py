"""Specification of the embedded FalkorDB server manager (graph.embedded)."""

from __future__ import annotations

import asyncio
import fcntl
import os
import signal
import sys
import tempfile
import textwrap
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from falkordb.asyncio import FalkorDB

from graph.embedded import EmbeddedServer, EmbeddedServerError, socket_path_for
from tests.processes import alive

PROJECT_ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow

Attach = Callable[..., Awaitable[EmbeddedServer]]

SHARING_CHILD = textwrap.dedent(
    """
    import asyncio, sys
    from pathlib import Path
    from graph.embedded import EmbeddedServer

    async def main():
        server = await EmbeddedServer.attach(Path(sys.argv[1]))
        print(server.server_pid, flush=True)
        await asyncio.to_thread(sys.stdin.readline)
        await server.release()
        print("released", flush=True)

    asyncio.run(main())
    """
)

KILLED_CHILD = textwrap.dedent(
    """
    import asyncio, sys
    from pathlib import Path
    from falkordb.asyncio import FalkorDB
    from graph.embedded import EmbeddedServer

    async def main():
        server = await EmbeddedServer.attach(Path(sys.argv[1]), appendfsync="always")
        db = FalkorDB(unix_socket_path=str(server.socket_path))
        await db.select_graph("t").query("CREATE (:N {v: 42})")
        await db.connection.aclose()
        print(server.server_pid, "ready", flush=True)
        await asyncio.sleep(3600)

    asyncio.run(main())
    """
)


@pytest.fixture
async def attach() -> AsyncIterator[Attach]:
    """EmbeddedServer.attach, with every handle released at teardown (no server survives)."""
    handles: list[EmbeddedServer] = []

    async def _attach(data_dir: Path, **options: Any) -> EmbeddedServer:
        handle = await EmbeddedServer.attach(data_dir, **options)
        handles.append(handle)
        return handle

    yield _attach
    for handle in reversed(handles):
        await handle.release()


async def query(server: EmbeddedServer, cypher: str) -> list[list[Any]]:
    db = FalkorDB(unix_socket_path=str(server.socket_path))
    try:
        result = await db.select_graph("t").query(cypher)
        return list(result.result_set)
    finally:
        await db.connection.aclose()


async def wait_until_dead(pid: int, within: float) -> float:
    """Seconds until ``pid`` is gone; fails the test after ``within`` seconds."""
    started = time.monotonic()
    while alive(pid):
        assert time.monotonic() - started < within, f"process {pid} still alive"
        await asyncio.sleep(0.05)
    return time.monotonic() - started


def directory_is_free(data_dir: Path) -> bool:
    """No watchdog or redis-server holds the directory."""
    with (data_dir / "watchdog.lock").open("a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True


async def spawn_python(script: str, *args: str) -> asyncio.subprocess.Process:
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        script,
        *args,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        cwd=PROJECT_ROOT,
        env=env,
    )


async def read_line(process: asyncio.subprocess.Process) -> str:
    assert process.stdout is not None
    line = await asyncio.wait_for(process.stdout.readline(), timeout=20)
    assert line, f"child exited early with status {await process.wait()}"
    return line.decode().strip()


async def test_attach_starts_a_server_that_answers_cypher(attach: Attach, tmp_path: Path) -> None:
    data_dir = tmp_path / "new" / "data"

    server = await attach(data_dir)

    assert data_dir.is_dir()
    assert server.socket_path == data_dir / "falkordb.sock"
    assert server.server_pid is not None
    assert alive(server.server_pid)
    await query(server, "CREATE (:N {v: 1})")
    assert await query(server, "MATCH (n:N) RETURN n.v") == [[1]]


async def test_the_server_runs_with_an_uncompressed_base_and_sleeping_openmp_threads(
    attach: Attach, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # What a bulk load's speed rests on (design note 44): compressing each rewrite's
    # snapshot and spinning GraphBLAS threads took the cores the load's workers need.
    monkeypatch.delenv("OMP_WAIT_POLICY", raising=False)
    server = await attach(tmp_path)
    assert server.server_pid is not None

    db = FalkorDB(unix_socket_path=str(server.socket_path))
    try:
        setting = await db.connection.config_get("rdbcompression")
    finally:
        await db.connection.aclose()
    # redis-server writes its title over its own environment; it inherits its watchdog's.
    stat = await asyncio.to_thread(Path(f"/proc/{server.server_pid}/stat").read_text)
    watchdog = stat.rsplit(")", 1)[1].split()[1]
    environ = await asyncio.to_thread(Path(f"/proc/{watchdog}/environ").read_bytes)

    assert setting == {"rdbcompression": "no"}
    assert b"OMP_WAIT_POLICY=PASSIVE" in environ.split(b"\0")


async def test_second_attach_shares_the_running_server(attach: Attach, tmp_path: Path) -> None:
    first = await attach(tmp_path)
    second = await attach(tmp_path)
    assert second.server_pid == first.server_pid

    child = await spawn_python(SHARING_CHILD, str(tmp_path))
    assert int(await read_line(child)) == first.server_pid
    assert child.stdin is not None
    child.stdin.write(b"release\n")
    assert await read_line(child) == "released"
    assert await child.wait() == 0

    await second.release()
    assert first.server_pid is not None
    assert alive(first.server_pid)  # still served: `first` is attached
    await query(first, "CREATE (:N)")


async def test_concurrent_attaches_start_only_one_server(attach: Attach, tmp_path: Path) -> None:
    servers = await asyncio.gather(*(attach(tmp_path) for _ in range(5)))

    assert len({server.server_pid for server in servers}) == 1


async def test_last_release_stops_the_server(tmp_path: Path) -> None:
    server = await EmbeddedServer.attach(tmp_path)
    pid = server.server_pid
    assert pid is not None

    await server.release()

    assert not alive(pid)
    assert directory_is_free(tmp_path)
    assert not server.socket_path.exists()
    assert server.server_pid is None
    await server.release()  # idempotent


async def test_an_attach_that_does_not_wait_keeps_the_starting_server_for_the_next(
    tmp_path: Path,
) -> None:
    """`registry serve` starts the load first (wait=False) and its store attaches later."""
    early = await EmbeddedServer.attach(tmp_path, wait=False)
    assert not directory_is_free(tmp_path)

    server = await EmbeddedServer.attach(tmp_path)  # waits until the server answers
    await query(server, "CREATE (:N {v: 1})")
    await server.release()

    assert not directory_is_free(tmp_path)  # the early handle keeps it up
    await early.release()
    assert directory_is_free(tmp_path)


async def test_data_survives_a_restart(attach: Attach, tmp_path: Path) -> None:
    async with await EmbeddedServer.attach(tmp_path) as server:
        first_pid = server.server_pid
        await query(server, "CREATE (:N {v: 7})")

    restarted = await attach(tmp_path)

    assert restarted.server_pid != first_pid
    assert await query(restarted, "MATCH (n:N) RETURN n.v") == [[7]]


async def test_sigkill_of_the_app_leaves_no_orphan_and_next_start_recovers(
    attach: Attach, tmp_path: Path
) -> None:
    app = await spawn_python(KILLED_CHILD, str(tmp_path))
    pid_text, ready = (await read_line(app)).split()
    assert ready == "ready"

    app.send_signal(signal.SIGKILL)
    assert await app.wait() == -signal.SIGKILL

    assert await wait_until_dead(int(pid_text), within=10) < 10
    server = await attach(tmp_path)
    assert server.server_pid != int(pid_text)
    assert await query(server, "MATCH (n:N) RETURN n.v") == [[42]]


async def test_a_crashed_server_is_replaced_despite_its_stale_socket_and_pidfile(
    attach: Attach, tmp_path: Path
) -> None:
    crashed = await attach(tmp_path, appendfsync="always")
    await query(crashed, "CREATE (:N {v: 3})")
    pid = crashed.server_pid
    assert pid is not None

    os.kill(pid, signal.SIGKILL)
    await wait_until_dead(pid, within=5)
    assert crashed.socket_path.exists()
    assert crashed.server_pid == pid  # stale pidfile

    replacement = await attach(tmp_path)

    assert replacement.server_pid not in (None, pid)
    assert await query(replacement, "MATCH (n:N) RETURN n.v") == [[3]]


async def test_a_too_long_data_dir_gets_a_hashed_socket_in_the_temp_dir(
    attach: Attach, tmp_path: Path
) -> None:
    data_dir = tmp_path / ("d" * 100)
    expected = socket_path_for(data_dir)
    assert expected.parent == Path(tempfile.gettempdir())
    assert len(os.fsencode(expected)) <= 107
    assert socket_path_for(tmp_path / "." / ("d" * 100)) == expected  # deterministic

    server = await attach(data_dir)
    assert server.socket_path == expected
    assert await query(server, "RETURN 1") == [[1]]
    assert (await attach(data_dir)).server_pid == server.server_pid


async def test_a_server_that_cannot_start_raises_with_its_log_tail(tmp_path: Path) -> None:
    manifest = tmp_path / "appendonlydir" / "appendonly.aof.manifest"
    manifest.parent.mkdir()
    manifest.write_text("not a manifest\n")

    with pytest.raises(EmbeddedServerError, match="Invalid AOF manifest"):
        await EmbeddedServer.attach(tmp_path)

    assert directory_is_free(tmp_path)


async def test_attach_rejects_an_unknown_appendfsync_policy(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="appendfsync"):
        await EmbeddedServer.attach(tmp_path, appendfsync="sometimes")


async def test_attach_gives_up_after_the_startup_timeout_and_leaves_no_server(
    tmp_path: Path,
) -> None:
    # An AOF whose replay takes 5 s stands in for a large data set that loads too slowly.
    aof_dir = tmp_path / "appendonlydir"
    aof_dir.mkdir()
    (aof_dir / "appendonly.aof.manifest").write_text(
        "file appendonly.aof.1.incr.aof seq 1 type i\n"
    )
    (aof_dir / "appendonly.aof.1.incr.aof").write_bytes(
        b"*3\r\n$5\r\nDEBUG\r\n$5\r\nSLEEP\r\n$1\r\n5\r\n"
    )

    with pytest.raises(EmbeddedServerError, match="did not answer PING"):
        await EmbeddedServer.attach(tmp_path, startup_timeout=0.5)

    assert directory_is_free(tmp_path)
    assert not (tmp_path / "falkordb.pid").exists()
