"""Exported documents as NDJSON lines: the canonical form (sorted keys, one line each) that
snapshots stream, golden copies keep and digests are taken over, and a page of them as it
travels from the store (possibly from a worker process, graph.falkordb_export_workers) to
the stream.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import orjson

from graph.log_models import ExportDoc

__all__ = ["LINE", "LinePage", "document_line", "document_lines"]

# The canonical line: sorted keys, then a newline.
LINE = orjson.OPT_SORT_KEYS | orjson.OPT_APPEND_NEWLINE


def document_line(doc: ExportDoc) -> bytes:
    """One NDJSON line: the document as canonical JSON (sorted keys), so equal documents
    are equal bytes on every side of a sync."""
    return orjson.dumps(doc.doc, option=LINE)


def document_lines(docs: Iterable[ExportDoc]) -> bytes:
    """The documents' lines as one chunk. Written into one buffer as each is encoded: a
    thousand encodings kept alive at once cost ten times as much (orjson's buffers)."""
    chunk = bytearray()
    for doc in docs:
        chunk += orjson.dumps(doc.doc, option=LINE)
    return bytes(chunk)


@dataclass(frozen=True, slots=True)
class LinePage:
    """A page of documents already encoded: line ``i`` of ``text`` is the document of
    ``keys[i]``, whose scope is ``regions[i]``. A line never holds a newline of its own (JSON
    escapes it), so the text splits back into its lines."""

    text: bytes
    keys: tuple[str, ...]
    regions: tuple[str | None, ...]

    @classmethod
    def of(cls, docs: Sequence[ExportDoc]) -> LinePage:
        return cls(document_lines(docs), tuple(d.key for d in docs), tuple(d.region for d in docs))

    def lines(self) -> list[bytes]:
        """Each document's line, its newline included."""
        return [line + b"\n" for line in self.text.split(b"\n")[:-1]]

    def docs(self) -> list[ExportDoc]:
        """The documents again (as exported: decoding a line gives back its document)."""
        return [
            ExportDoc(key, region, orjson.loads(line))
            for key, region, line in zip(self.keys, self.regions, self.lines(), strict=True)
        ]
