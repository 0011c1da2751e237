"""Open a store from a URL, so configuration picks the backend and nothing else changes.

- ``falkordb+embedded://./.registry`` or ``falkordb+embedded:///abs/dir``: own server, default
- ``falkordb://[:password@]host:port``: a running FalkorDB server
- ``neo4j://``, ``neo4j+s://``, ``bolt://``, ``bolt+s://`` (``user:password@``): Neo4j 5
Query parameters: ``graph`` (FalkorDB graph name), ``database`` (Neo4j), ``appendfsync``
(FalkorDB; default ``always``): the embedded server fsyncs that often; a remote server must
fsync at least that often or the store refuses to open (``everysec`` accepts a server that
may lose the last second of acknowledged writes, with a warning).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, unquote, urlsplit

from graph.embedded import DEFAULT_APPENDFSYNC, EmbeddedServer

if TYPE_CHECKING:  # the stores are imported when one is opened: prestart stays light
    from graph.cypher_store import CypherStore

__all__ = ["NEO4J_SCHEMES", "open_store", "prestart"]

NEO4J_SCHEMES = frozenset({"neo4j", "neo4j+s", "neo4j+ssc", "bolt", "bolt+s", "bolt+ssc"})


def _embedded_directory(netloc: str, path: str) -> str:
    return unquote(netloc + path) or "./.registry"


async def prestart(url: str) -> EmbeddedServer | None:
    """For an embedded store, start its server loading the data now, without waiting: the
    caller's own start-up (imports, the schema) then overlaps the load, and its
    :func:`open_store` waits for the rest. The handle keeps the server up until released;
    None for any other store."""
    parts = urlsplit(url)
    if parts.scheme != "falkordb+embedded":
        return None
    options = {name: values[-1] for name, values in parse_qs(parts.query).items()}
    return await EmbeddedServer.attach(
        Path(_embedded_directory(parts.netloc, parts.path)),
        appendfsync=options.get("appendfsync", DEFAULT_APPENDFSYNC),
        wait=False,
    )


async def open_store(url: str) -> CypherStore:
    """Connect to (or start) the store ``url`` names and make sure its schema exists."""
    parts = urlsplit(url)
    options = {name: values[-1] for name, values in parse_qs(parts.query).items()}
    graph = options.get("graph", "registry")
    appendfsync = options.get("appendfsync", DEFAULT_APPENDFSYNC)
    if parts.scheme == "falkordb+embedded":
        from graph.falkordb_store import FalkorDBStore

        directory = _embedded_directory(parts.netloc, parts.path)
        return await FalkorDBStore.open_embedded(directory, graph=graph, appendfsync=appendfsync)
    if parts.scheme == "falkordb":
        from graph.falkordb_store import FalkorDBStore

        return await FalkorDBStore.open_remote(
            host=parts.hostname or "localhost",
            port=parts.port or 6379,
            graph=graph,
            password=unquote(parts.password) if parts.password else None,
            appendfsync=appendfsync,
        )
    if parts.scheme in NEO4J_SCHEMES:
        from graph.neo4j_store import Neo4jStore

        address = f"{parts.scheme}://{parts.hostname}:{parts.port or 7687}"
        return await Neo4jStore.open(
            address,
            user=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            database=options.get("database"),
        )
    raise ValueError(f"unsupported store URL scheme {parts.scheme!r}")
