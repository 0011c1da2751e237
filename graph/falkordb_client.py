"""The FalkorDB client the store talks through: a bounded pool whose statements wait for a
free connection instead of failing.

The client library's own pool raises "Too many connections" once all are busy. One request
whose page of 100 rows each starts a statement of its own (a region's statistics, an
issuer's certificates) then failed as if the database were down, and so did the other
requests running beside it. With a blocking pool those statements queue: a busy server is
slower for everyone, never reported unavailable.
"""

from __future__ import annotations

from falkordb.asyncio import FalkorDB
from redis.asyncio import BlockingConnectionPool
from redis.asyncio.connection import Connection, UnixDomainSocketConnection

__all__ = ["POOL_EXHAUSTED", "POOL_SIZE", "POOL_WAIT", "client"]

POOL_SIZE = 64
# Seconds a statement waits for a connection: a request's own limit (registry.settings'
# request timeout) ends it sooner.
POOL_WAIT = 30.0
# What the pool raises when the wait ran out: busy, not lost (no restart is asked for).
POOL_EXHAUSTED = "No connection available."


def client(
    *,
    unix_socket_path: str | None = None,
    host: str = "localhost",
    port: int = 6379,
    password: str | None = None,
) -> FalkorDB:
    """A client on the embedded server's socket, or on ``host:port``."""
    if unix_socket_path is not None:
        pool = BlockingConnectionPool(
            max_connections=POOL_SIZE,
            timeout=POOL_WAIT,
            connection_class=UnixDomainSocketConnection,
            path=unix_socket_path,
            decode_responses=True,
        )
    else:
        pool = BlockingConnectionPool(
            max_connections=POOL_SIZE,
            timeout=POOL_WAIT,
            connection_class=Connection,
            host=host,
            port=port,
            password=password,
            decode_responses=True,
        )
    return FalkorDB(connection_pool=pool)
