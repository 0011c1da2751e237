"""``registry mirror``: a local replica of the registry, from a snapshot plus the change feed.

The replica is one SQLite file, ``DIR/replica.sqlite3``: every exported document as the
server sent it (canonical JSON), and where the mirror is. It works in two phases and can be
killed at any moment:

1. **Snapshot.** The first entity's response fixes the seq (``X-Registry-As-Of``); every
   exported entity is then fetched at that same seq and marked done when complete. A
   restart refetches the unfinished entity at the same seq (writing a document twice is
   harmless) and goes on.
2. **Follow.** Read the change feed after the cursor (``/export/changes.ndjson``) up to its
   head ``H``; for every exported entity it touched, fetch the documents changed since the
   cursor as at ``H`` (``?asOf=H&changedAfter=cursor``); store them, then move the cursor to
   ``H``. After each round the replica equals the registry at ``H``. A round cut short is
   simply done again; a cursor the registry no longer keeps starts a fresh snapshot.

Only the entities the key may read are mirrored (the others answer OUT_OF_SCOPE).
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import orjson

from graph.cypher.exports import EXPORTED
from registry.operations.snapshots import SNAPSHOT_ENTITIES, content_digest

__all__ = ["Mirror", "MirrorError", "ReplicaSummary"]

REPLICA = "replica.sqlite3"
_TIMEOUT = httpx.Timeout(30.0, read=300.0)
_COMMIT_EVERY = 1000
_SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    entity TEXT NOT NULL, key TEXT NOT NULL, doc TEXT NOT NULL, PRIMARY KEY (entity, key));
CREATE TABLE IF NOT EXISTS state (name TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


class MirrorError(Exception):
    """The registry refused the mirror (bad key, unknown URL) or sent something malformed."""


class _Expired(Exception):
    """The registry no longer keeps the changes the mirror needs."""


@dataclass(frozen=True, slots=True)
class ReplicaSummary:
    entity: str
    count: int
    sha256: str


class Mirror:
    """One replica directory and the registry it copies."""

    def __init__(self, source: str, key: str, directory: Path) -> None:
        self._source = source.rstrip("/")
        self._headers = {"Authorization": f"Bearer {key}"}
        directory.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(directory / REPLICA, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(_SCHEMA)
        self._http = httpx.Client(timeout=_TIMEOUT, headers=self._headers)

    def close(self) -> None:
        self._http.close()
        self._db.close()

    # state ------------------------------------------------------------------------------------
    def _get(self, name: str) -> str | None:
        row = self._db.execute("SELECT value FROM state WHERE name = ?", (name,)).fetchone()
        return None if row is None else str(row[0])

    def _set(self, name: str, value: str) -> None:
        self._db.execute(
            "INSERT INTO state (name, value) VALUES (?, ?) "
            "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
            (name, value),
        )

    @property
    def cursor(self) -> int | None:
        """The seq the replica equals the registry at (None until the snapshot is complete)."""
        value = self._get("cursor")
        return None if value is None else int(value)

    # running ---------------------------------------------------------------------------------
    def run(self, *, poll_seconds: float = 1.0, until_idle: bool = False) -> int:
        """Snapshot if needed, then follow; with ``until_idle``, stop after the first round
        that finds nothing new. Returns the cursor reached."""
        while True:
            try:
                if self.cursor is None:
                    self._snapshot()
                moved = self._follow_once()
            except _Expired:
                self._reset()
                continue
            if not moved:
                if until_idle:
                    return self.cursor or 0
                time.sleep(poll_seconds)

    def _reset(self) -> None:
        self._db.execute("BEGIN")
        self._db.execute("DELETE FROM documents")
        self._db.execute("DELETE FROM state")
        self._db.execute("COMMIT")

    def _snapshot(self) -> None:
        as_of = self._get("snapshotAsOf")
        for entity in SNAPSHOT_ENTITIES:
            if self._get(f"done:{entity}") is not None:
                continue
            query = "" if as_of is None else f"?asOf={as_of}"
            with self._stream(f"/export/{entity}.ndjson{query}") as (response, lines):
                if response is None:  # out of this key's scope
                    self._set(f"done:{entity}", "skipped")
                    continue
                if as_of is None:
                    as_of = response.headers["x-registry-as-of"]
                    self._set("snapshotAsOf", as_of)
                self._store_documents(entity, lines)
            self._set(f"done:{entity}", "complete")
        if as_of is None:
            raise MirrorError("this key may read none of the exported entities")
        self._set("cursor", str(as_of))

    def _follow_once(self) -> bool:
        """One round of the feed; whether the cursor moved."""
        cursor = self.cursor or 0
        touched: set[str] = set()
        with self._stream(f"/export/changes.ndjson?after={cursor}") as (response, lines):
            if response is None:
                raise MirrorError("this key may not read the change feed")
            head = int(response.headers["x-registry-head-seq"])
            for line in lines:
                touched.add(str(orjson.loads(line)["entity"]))
        if head <= cursor:
            return False
        for entity in SNAPSHOT_ENTITIES:
            if entity in touched and self._get(f"done:{entity}") == "complete":
                path = f"/export/{entity}.ndjson?asOf={head}&changedAfter={cursor}"
                with self._stream(path) as (_, lines):
                    self._store_documents(entity, lines)
        self._set("cursor", str(head))
        return True

    def _store_documents(self, entity: str, lines: Iterator[bytes]) -> None:
        key_field = EXPORTED[entity].key
        batch: list[tuple[str, str, str]] = []
        for line in lines:
            doc = orjson.loads(line)
            batch.append((entity, str(doc[key_field]), line.decode()))
            if len(batch) >= _COMMIT_EVERY:
                self._upsert(batch)
                batch = []
        self._upsert(batch)

    def _upsert(self, batch: list[tuple[str, str, str]]) -> None:
        if not batch:
            return
        self._db.execute("BEGIN")
        self._db.executemany(
            "INSERT INTO documents (entity, key, doc) VALUES (?, ?, ?) "
            "ON CONFLICT (entity, key) DO UPDATE SET doc = excluded.doc",
            batch,
        )
        self._db.execute("COMMIT")

    # the wire --------------------------------------------------------------------------------
    @contextmanager
    def _stream(self, path: str) -> Iterator[tuple[httpx.Response | None, Iterator[bytes]]]:
        """The response and its lines; (None, nothing) when the key's scope excludes it."""
        with self._http.stream("GET", self._source + path) as response:
            if response.status_code == 200:
                yield response, _lines(response)
                return
            body = orjson.loads(response.read() or b"{}")
            code = _code(body)
            if code == "OUT_OF_SCOPE":
                yield None, iter(())
                return
            if code == "CURSOR_EXPIRED":
                raise _Expired(str(body))
            raise MirrorError(f"{response.status_code} {code}: {body}")

    # checking ----------------------------------------------------------------------------------
    def summary(self) -> list[ReplicaSummary]:
        """Each mirrored entity's document count and content digest."""
        found: list[ReplicaSummary] = []
        for entity in SNAPSHOT_ENTITIES:
            rows = self._db.execute(
                "SELECT doc FROM documents WHERE entity = ?", (entity,)
            ).fetchall()
            lines = [str(row[0]).encode() + b"\n" for row in rows]
            found.append(ReplicaSummary(entity, len(lines), content_digest(lines)))
        return found

    def source_summary(self, as_of: int) -> list[ReplicaSummary]:
        """The same, computed from the registry's snapshot at ``as_of``."""
        found: list[ReplicaSummary] = []
        for entity in SNAPSHOT_ENTITIES:
            with self._stream(f"/export/{entity}.ndjson?asOf={as_of}") as (_, lines):
                docs = [line + b"\n" for line in lines]
            found.append(ReplicaSummary(entity, len(docs), content_digest(docs)))
        return found


def _lines(response: httpx.Response) -> Iterator[bytes]:
    """The stream's lines; an error line (the log pruned mid-stream) raises."""
    pending = b""
    for chunk in response.iter_bytes():
        pending += chunk
        *complete, pending = pending.split(b"\n")
        for line in complete:
            if line.startswith(b'{"error"'):
                raise _Expired(line.decode())
            if line:
                yield line
    if pending:
        raise MirrorError("the stream ended in the middle of a line")


def _code(body: object) -> str:
    try:
        return str(body["errors"][0]["extensions"]["code"])  # type: ignore[index]
    except (KeyError, IndexError, TypeError):
        return "UNKNOWN"
