"""Open a store from a URL, so configuration picks the backend and nothing else changes.

- ``falkordb+embedded://./.registry`` or ``falkordb+embedded:///abs/dir``: own server, default
- ``falkordb://[:password@]host:port``: a running FalkorDB server
- ``neo4j://``, ``neo4j+s://``, ``bolt://``, ``bolt+s://`` (``user:password@``): Neo4j 5
Query parameters: ``graph`` (FalkorDB graph name), ``appendfsync`` (embedded),
``database`` (Neo4j).
"""

from __future__ import annotations

from urllib.parse import parse_qs, unquote, urlsplit

from graph.cypher_store import CypherStore

__all__ = ["NEO4J_SCHEMES", "open_store"]

NEO4J_SCHEMES = frozenset({"neo4j", "neo4j+s", "neo4j+ssc", "bolt", "bolt+s", "bolt+ssc"})


async def open_store(url: str) -> CypherStore:
    """Connect to (or start) the store ``url`` names and make sure its schema exists."""
    parts = urlsplit(url)
    options = {name: values[-1] for name, values in parse_qs(parts.query).items()}
    graph = options.get("graph", "registry")
    if parts.scheme == "falkordb+embedded":
        from graph.falkordb_store import FalkorDBStore

        directory = unquote(parts.netloc + parts.path) or "./.registry"
        return await FalkorDBStore.open_embedded(
            directory, graph=graph, appendfsync=options.get("appendfsync", "everysec")
        )
    if parts.scheme == "falkordb":
        from graph.falkordb_store import FalkorDBStore

        return await FalkorDBStore.open_remote(
            host=parts.hostname or "localhost",
            port=parts.port or 6379,
            graph=graph,
            password=unquote(parts.password) if parts.password else None,
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
