"""A first load built as nodes and edges by position, with every property the logged writes
would have left (graph.bulk_format sends it).

Why a second way to write: the logged writes take 100k institutions and 1M certificates in
about ten minutes; a national golden copy must load in about one. A bulk load is only for an
empty store, so every record is new and each write statement reduces to "create the node
with its first step": that is what is built here, property for property (the fresh branch
of graph.cypher.institutions, certificates, credit, complaints), from the same row builders
and derived values (graph.tallies, graph.search_keys). A contract test writes the same data
both ways and compares every node and edge (tests/graph/test_bulk_load.py).

Each record gets the seq its change would have had through the API, in the API's order, so
status steps order as they would; the log itself is not kept (a load writes no ``Change``
nodes): the store starts from a checkpoint at the last seq, like a pruned log
(docs/design-notes.md, note 33).
"""

from __future__ import annotations

from collections.abc import Generator, Iterable, Iterator, Sequence

from graph.bulk_certificates import PLACEHOLDER, STEP_COLUMNS, BatchContext, BuiltBatch, patch
from graph.bulk_credit import LoadCredit, LoadedScores
from graph.bulk_data import (
    BulkCommand,
    BulkData,
    BulkReferenceError,
    CertificateBatch,
    CertificateSource,
)
from graph.bulk_derived import KeysMeanwhile
from graph.bulk_format import EdgeToken, encode_pairs, encoded_token
from graph.bulk_records import BulkRecords, Shared
from graph.bulk_workers import BatchBuilders, PreparedBatches, default_workers
from graph.clock import day_of
from graph.models import Accreditation, Organization

__all__ = ["BulkGraph"]

_EDGE_CHUNK = 250_000  # deferred edges per command
# Nodes and edges a command carries at least (but the last), by joining consecutive ones:
# the engine ends every command with work over its whole matrices (docs/design-notes.md,
# note 46). At 1M certificates, commands of 1,000 took 35.6 s of its CPU, joined 22.7 s.
ENTITIES_PER_COMMAND = 200_000


class BulkGraph(BulkRecords):
    """Turns a :class:`BulkData` into bulk commands, keeping the ids of what later records
    refer to, the seq each change would have had, and the region tallies."""

    def __init__(
        self,
        *,
        at: str,
        actor: str,
        first_id: int = 0,
        workers: int | None = None,
        per_command: int | None = None,
    ) -> None:
        super().__init__(at=at, actor=actor, first_id=first_id)
        self._workers = workers  # processes building certificates (None: by the load's size)
        self._per_command = ENTITIES_PER_COMMAND if per_command is None else per_command
        # Per certificate batch: its first id and its holders' positions (sent last).
        self._certifies: list[tuple[int, list[int]]] = []
        # Where the certificates start (node id, seq) and the institutions' ids, counted
        # before anything is built (the certificates are built from the start).
        self._planned: tuple[int, int, dict[str, int]] = (0, 0, {})
        self._credit: LoadCredit | None = None  # the facts gathered, when the load scores

    def commands(self, data: BulkData) -> Generator[BulkCommand, None, None]:
        """The commands in order, consecutive ones joined up to ``per_command`` nodes and
        edges; each is built when the one before has been taken."""
        steps = self._in_order(data)
        try:
            yield from _joined(steps, self._per_command)
        finally:
            steps.close()

    def _in_order(self, data: BulkData) -> Generator[BulkCommand, None, None]:
        # Holders are numbered now and sent last: their pinyin keys (pure Python, the
        # slowest part of a load) are worked out in another process meanwhile.
        holders = [o for batch in data.organizations for o in batch]
        accreditations = [list(batch) for batch in data.accreditations]  # counted, see below
        shared = Shared.of(data.institutions)
        self._credit = None if data.credit is None else LoadCredit(data.credit)
        keyed = KeysMeanwhile(holders)
        builders = self._certificate_builders(data, holders, accreditations, shared)
        try:
            yield self._regions(data.regions)
            yield self._institutions(data.institutions, shared)
            yield from self._after_holders(data, holders, accreditations, keyed, builders)
        finally:
            keyed.close()
            builders.close()

    def _certificate_builders(
        self,
        data: BulkData,
        holders: Sequence[Organization],
        accreditations: Sequence[Sequence[Accreditation]],
        shared: Shared,
    ) -> BatchBuilders:
        """The certificates' builders, started before anything else is built: the ids and
        seqs before the certificates' are counted from what precedes them (regions,
        institutions and what they share, holders, accreditations)."""
        institutions = data.institutions
        first = self._next_id + len(data.regions)
        after = first + len(institutions)
        issuers = {i.uscc: first + n for n, i in enumerate(institutions)}
        issuers |= {u: after + n for n, u in enumerate(shared.placeholders)}
        granted = sum(map(len, accreditations))
        self._planned = (
            after + len(shared.placeholders) + len(institutions) + len(shared.persons)
            + len(shared.addresses) + 2 * granted,
            self.seq + len(data.regions) + len(institutions) + len(holders) + granted,
            issuers,
        )  # fmt: skip
        source = data.certificates if isinstance(data.certificates, CertificateSource) else None
        batches: Iterable[tuple[int | CertificateBatch, int]] = (
            enumerate(source.sizes())
            if source is not None
            else ((b, len(b[0])) for b in data.certificates)
        )
        prepared = source if isinstance(source, PreparedBatches) else None
        if prepared is not None:
            source = prepared.source  # what the workers are sent: they hold the pools' batches
        context = BatchContext(
            self._at,
            day_of(self._at),
            self._actor,
            issuers=issuers,
            holders={o.uscc: (n, o.region) for n, o in enumerate(holders)},
            source=source,
            credit_day=None if self._credit is None else self._credit.day,
        )
        workers = self._workers
        builders = BatchBuilders(
            context,
            default_workers(data.certificate_count) if workers is None else workers,
            prepared,
        )
        builders.start(batches, self._planned[0], self._planned[1] + 1)
        return builders

    def _all_certificates(self, data: BulkData, builders: BatchBuilders) -> Iterator[BulkCommand]:
        """Every certificate batch (built by worker processes for a large load), then the
        later status steps; the seqs of those come after every certificate's."""
        first_id, first_seq, issuers = self._planned
        institutions = {key: n for (label, key), n in self._ids.items() if label == "Institution"}
        if (self._next_id, self.seq) != (first_id, first_seq) or institutions != issuers:
            raise RuntimeError("the certificates were placed where the load did not put them")
        source = data.certificates if isinstance(data.certificates, CertificateSource) else None
        later_seq = self.seq + data.certificate_count
        later: list[tuple[int, list[object]]] = []  # (certificate id, step) in seq order
        try:  # a batch that fails in a worker stops the load: the workers stop with it
            for built in builders.built():
                yield self._certificates(built, later_seq + len(later) + 1, later)
                if source is not None:
                    source.keep(built.kept)
            for buckets, credit in builders.added():
                self._buckets.merge(buckets)
                if credit is not None and self._credit is not None:
                    self._credit.certificates.merge(credit)
        finally:
            builders.close()
        if self.seq != first_seq + data.certificate_count:
            raise ValueError("certificate_count does not match the certificates loaded")
        self.seq = later_seq + len(later)
        self._count("StatusChange", len(later))
        yield self._later_steps(later)

    def _after_holders(
        self,
        data: BulkData,
        holders: Sequence[Organization],
        accreditations: Sequence[Sequence[Accreditation]],
        keyed: KeysMeanwhile,
        builders: BatchBuilders,
    ) -> Iterator[BulkCommand]:
        self.seq += len(holders)
        self._count("Organization", len(holders))
        for granted in accreditations:
            yield self._accreditations(granted)
        yield from self._all_certificates(data, builders)
        credit = self._credit
        for ratings in data.credit_ratings:
            yield self._ratings(ratings)
            if credit is not None:
                credit.ratings(ratings)
        for events in data.credit_events:
            yield self._events(events)
            if credit is not None:
                credit.events(events)
        for complaints in data.complaints:
            yield self._complaints(complaints)
            if credit is not None:
                credit.complaints(complaints)
        for start, keys in keyed:
            yield self._organizations(holders[start : start + len(keys)], start, keys)
        yield from self._certified()
        yield self._tallies()

    def credit_scores(self, data: BulkData) -> LoadedScores:
        """Once every command is built: the institutions' scores to store, if the load
        scores, each with the seq its change would have had (after every record's)."""
        if self._credit is None:
            return LoadedScores()
        scores = self._credit.scores(data.institutions, self.seq)
        self.seq += len(scores.rows)
        return scores

    # -- the pieces ---------------------------------------------------------------------

    def _certified(self) -> Iterator[BulkCommand]:
        """The certificates' holder edges, once the holders have their ids."""
        command, token = BulkCommand(), EdgeToken("CERTIFIES")
        for first, positions in self._certifies:
            ids = range(first, first + len(positions))
            holders = [self._first_holder + p for p in positions]
            token.extend(encode_pairs(ids, holders), len(positions))
            if token.count >= _EDGE_CHUNK:
                command.edges.append(token)
                yield command
                command, token = BulkCommand(), EdgeToken("CERTIFIES")
        if token.count:
            command.edges.append(token)
            yield command

    def _certificates(
        self, built: BuiltBatch, first_later_seq: int, later: list[tuple[int, list[object]]]
    ) -> BulkCommand:
        """A built batch as its command, its later steps' seqs filled in from
        ``first_later_seq`` and the steps kept in ``later`` (sent after every batch)."""
        if built.missing is not None:
            raise BulkReferenceError.of(*built.missing)
        first = self._next_id
        self._keep("Certificate", built.numbers, first)
        command = BulkCommand()
        if built.count:
            command.nodes += [
                encoded_token(patch(built, first_later_seq), built.count),
                encoded_token(built.steps, built.count),
            ]
            command.edges += [
                encoded_token(built.issued, built.count),
                encoded_token(built.has_status, built.count),
            ]
        if built.withdrawn:
            command.edges.append(encoded_token(built.withdrew, built.withdrawn))
        for k, row in built.later:
            row[6] = first_later_seq + int(str(row[6])) - PLACEHOLDER
            later.append((first + k, row))
        self._certifies.append((first, built.holders))
        self._next_id += 2 * built.count
        self.seq += built.count
        self._count("Certificate", built.count)
        return command

    def _later_steps(self, later: Sequence[tuple[int, list[object]]]) -> BulkCommand:
        tokens = self._begin()
        step = tokens.nodes("StatusChange", STEP_COLUMNS, (row for _, row in later))
        tokens.edges("HAS_STATUS", ((c, step + n) for n, (c, _) in enumerate(later)))
        return self._end(tokens)


def _joined(steps: Iterator[BulkCommand], budget: int) -> Iterator[BulkCommand]:
    """Consecutive commands as one until it holds ``budget`` nodes and edges. Joining keeps
    every id: the engine numbers a command's nodes in token order and adds its edges after
    all of them, as it would over the commands one by one."""
    joined, held = BulkCommand(), 0
    for step in steps:
        joined.nodes += step.nodes
        joined.edges += step.edges
        held += step.node_count + step.edge_count
        if held >= budget:
            yield joined
            joined, held = BulkCommand(), 0
    if joined.nodes or joined.edges:
        yield joined
