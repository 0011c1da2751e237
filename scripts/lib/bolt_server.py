"""Serve a throwaway ArcadeDB database over Bolt for the Neo4j backend's tests (not Neo4j).

Usage: python scripts/lib/bolt_server.py DIRECTORY PORTFILE. Starts ArcadeDB from the
arcadedb-embedded wheel with its Bolt plugin on a free local port, creates the ``registry``
database under DIRECTORY, writes the port to PORTFILE once it is ready, and serves until
stopped (SIGTERM or SIGINT).
"""

from __future__ import annotations

import os
import signal
import socket
import sys
import threading
from pathlib import Path

PASSWORD = "registry-test"  # noqa: S105 - a loopback server that lives for one test run
DATABASE = "registry"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def main() -> None:
    directory, portfile = Path(sys.argv[1]).resolve(), Path(sys.argv[2])
    directory.mkdir(parents=True, exist_ok=True)
    os.chdir(directory)  # ArcadeDB writes ./log relative to the working directory
    import arcadedb_embedded

    port = free_port()
    server = arcadedb_embedded.create_server(
        str(directory / "databases"),
        root_password=PASSWORD,
        config={
            "host": "127.0.0.1",
            "http_port": free_port(),
            "server_httpsIncomingPort": free_port(),
            "server_plugins": "Bolt:com.arcadedb.bolt.BoltProtocolPlugin",
            "bolt_port": port,
        },
    )
    server.start()
    server.create_database(DATABASE)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    portfile.write_text(f"{port}\n")
    stop.wait()
    server.stop()
    os._exit(0)  # the JVM's own threads would keep the process alive


if __name__ == "__main__":
    main()
