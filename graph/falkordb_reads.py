"""FalkorDB reads decoded from its plain reply: documents for exports and digests, and
rows of values (graph.falkordb_replies), where the client library's typed decoding cost
several times as much Python time."""

from __future__ import annotations

import abc
from collections.abc import Mapping

from graph.cypher import exports as export_cypher
from graph.cypher.exports import EXPORTED, ExportSpec, Statement
from graph.cypher_literals import cypher_header
from graph.cypher_store import CypherStore, Row, as_int
from graph.falkordb_replies import compact_rows, plain_documents
from graph.log_models import ExportDoc

__all__ = ["PlainReplyReads"]


class PlainReplyReads(CypherStore):
    """The FalkorDB store's document and value reads, in the reply formats fastest to
    decode."""

    _graph_name: str

    @abc.abstractmethod
    async def _command(self, *args: str | bytes) -> object: ...

    async def export_page(
        self, entity: str, *, cursor: str | None, limit: int
    ) -> tuple[list[ExportDoc], str | None]:
        """A window of node ids (cursor ``start/last/width``): FalkorDB scans it directly,
        where ordering by key would sort the whole label for every page. The window is
        sized from the label's density to hold about ``limit`` documents."""
        spec = EXPORTED[entity]
        if cursor is None:
            found = await self._read(export_cypher.label_extent(spec), {})
            if not as_int(found[0]["total"]):
                return [], None
            first, last = as_int(found[0]["first"]), as_int(found[0]["last"])
            start, width = (
                first,
                max(limit, limit * (last - first + 1) // as_int(found[0]["total"])),
            )
        else:
            start, last, width = (int(part) for part in cursor.split("/"))
        end = start + width
        params = {"from": start, "to": end}
        with self._timed("export_page"):
            docs = await self._documents(spec, export_cypher.id_window, params)
        return docs, (f"{end}/{last}/{width}" if end <= last else None)

    async def _documents(
        self, spec: ExportSpec, statement: Statement, params: Mapping[str, object]
    ) -> list[ExportDoc]:
        """Flat documents, and those whose lists are all text, straight from the plain reply
        (a third of the Python time of an export of certificates went into rows made only
        to be taken apart, and the typed reply of a page of institutions cost twice the
        plain one)."""
        if spec.flat or spec.text_lists:
            read = statement(spec, joined=bool(spec.text_lists), grouped=False)
            query = cypher_header(params) + read
            reply = await self._command("GRAPH.RO_QUERY", self._graph_name, query)
            docs = plain_documents(spec, reply)
            if docs is not None:
                return docs
        return await super()._documents(spec, statement, params)

    async def _read_values(self, statement: str, params: Mapping[str, object]) -> list[Row]:
        query = cypher_header(params) + statement
        return compact_rows(
            await self._command("GRAPH.RO_QUERY", self._graph_name, query, "--compact")
        )

    async def _read_flat(
        self, statement: str, params: Mapping[str, object], floats: frozenset[str] = frozenset()
    ) -> list[Row]:
        """In the server's plain reply format, several times faster to decode than the typed
        (compact) one the client library parses."""
        query = cypher_header(params) + statement
        reply = await self._command("GRAPH.RO_QUERY", self._graph_name, query)
        header, rows = reply[0], reply[1]  # type: ignore[index]
        names = [str(name) for name in header]
        found = [dict(zip(names, values, strict=True)) for values in rows]
        for row in found:
            for name in floats:
                if row[name] is not None:
                    row[name] = float(str(row[name]))
        return found

    async def _documents_by_key(self, spec: ExportSpec, keys: list[str]) -> list[ExportDoc]:
        """As exports read them (plain replies for flat documents): digests kept from these
        are compared with documents exports read."""
        return await self._documents(spec, export_cypher.docs_by_key, {"keys": keys})
