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
from graph.bulk_data import (
    BulkCommand,
    BulkData,
    BulkReferenceError,
    CertificateBatch,
    CertificateSource,
    Tokens,
)
from graph.bulk_derived import NO_NEXT, KeysMeanwhile
from graph.bulk_format import EdgeToken, encode_pairs, encoded_token
from graph.bulk_workers import BatchBuilders, default_workers
from graph.cypher_store.institutions import ACCREDITATION_KEPT, INSTITUTION_KEPT, address_key
from graph.errors import Conflict
from graph.mapping import to_props
from graph.models import (
    Accreditation,
    Complaint,
    CreditEvent,
    CreditRating,
    Institution,
    Organization,
    Region,
)
from graph.tallies import Buckets, Contribution, institution_contribution
from graph.text import search_grams

__all__ = ["BulkGraph"]

_STEP_COLUMNS = STEP_COLUMNS
_TIMELINE_COLUMNS = ("status", "statusSince", "statusUntil", "stepOn", "stepSeq", "stepStatus")
_EDGE_CHUNK = 250_000  # deferred edges per command
_STORE_MANAGED = frozenset({"version", "steps"})
_TALLY_COLUMNS = (
    "key",
    "region",
    "month",
    "issued",
    "valid",
    "institutions",
    "issuedDays",
    "validDays",
    "institutionDays",
)


_Upserted = CreditRating | CreditEvent | Complaint


class BulkGraph:
    """Turns a :class:`BulkData` into bulk commands, keeping the ids of what later records
    refer to, the seq each change would have had, and the region tallies."""

    def __init__(
        self, *, at: str, actor: str, first_id: int = 0, workers: int | None = None
    ) -> None:
        self._at, self._actor, self._day = at, actor, at[:10]
        self._next_id = first_id  # the ids before it hold what the store made itself
        self._workers = workers  # processes building certificates (None: by the load's size)
        self.seq = 0
        self._ids: dict[tuple[str, str], int] = {}
        # Per certificate batch: its first id and its holders' positions (sent last).
        self._certifies: list[tuple[int, list[int]]] = []
        self._first_holder = 0
        self._buckets = Buckets()
        self.counts: dict[str, int] = {}

    def commands(self, data: BulkData) -> Generator[BulkCommand, None, None]:
        """The commands in order; each is built when the one before has been taken."""
        yield self._regions(data.regions)
        yield self._institutions(data.institutions)
        # Holders are numbered now and sent last: their pinyin keys (pure Python, the
        # slowest part of a load) are worked out in another process meanwhile.
        holders = [o for batch in data.organizations for o in batch]
        keyed = KeysMeanwhile(holders)
        try:
            yield from self._after_holders(data, holders, keyed)
        finally:
            keyed.close()

    def _all_certificates(
        self, data: BulkData, holders: Sequence[Organization]
    ) -> Iterator[BulkCommand]:
        """Every certificate batch (built by worker processes for a large load), then the
        later status steps; the seqs of those come after every certificate's."""
        source = data.certificates if isinstance(data.certificates, CertificateSource) else None
        batches: Iterable[tuple[int | CertificateBatch, int]] = (
            enumerate(source.sizes())
            if source is not None
            else ((b, len(b[0])) for b in data.certificates)  # type: ignore[union-attr]
        )
        issuers = {key: n for (label, key), n in self._ids.items() if label == "Institution"}
        context = BatchContext(
            self._at,
            self._actor,
            issuers=issuers,
            holders={o.uscc: (n, o.region) for n, o in enumerate(holders)},
            source=source,
        )
        workers = self._workers
        builders = BatchBuilders(
            context, default_workers(data.certificate_count) if workers is None else workers
        )
        first_cert_seq, later_seq = self.seq, self.seq + data.certificate_count
        later: list[tuple[int, list[object]]] = []  # (certificate id, step) in seq order
        try:
            for built in builders.built(batches, self._next_id, self.seq + 1):
                yield self._certificates(built, later_seq + len(later) + 1, later)
                if source is not None:
                    source.keep(built.kept)
            for buckets in builders.buckets():
                self._buckets.merge(buckets)
        finally:
            builders.close()
        if self.seq != first_cert_seq + data.certificate_count:
            raise ValueError("certificate_count does not match the certificates loaded")
        self.seq = later_seq + len(later)
        self._count("StatusChange", len(later))
        yield self._later_steps(later)

    def _after_holders(
        self, data: BulkData, holders: Sequence[Organization], keyed: KeysMeanwhile
    ) -> Iterator[BulkCommand]:
        self.seq += len(holders)
        self._count("Organization", len(holders))
        for granted in data.accreditations:
            yield self._accreditations(granted)
        yield from self._all_certificates(data, holders)
        for ratings in data.credit_ratings:
            yield self._ratings(ratings)
        for events in data.credit_events:
            yield self._events(events)
        for complaints in data.complaints:
            yield self._complaints(complaints)
        for start, keys in keyed:
            yield self._organizations(holders[start : start + len(keys)], start, keys)
        yield from self._certified()
        yield self._tallies()

    # -- the pieces ---------------------------------------------------------------------

    def _begin(self) -> Tokens:
        return Tokens(self._next_id)

    def _end(self, tokens: Tokens) -> BulkCommand:
        self._next_id = tokens.next_id
        return tokens.command

    def _id(self, label: str, key: str) -> int:
        try:
            return self._ids[(label, key)]
        except KeyError:
            raise BulkReferenceError.of(label, key) from None

    def _keep(self, label: str, keys: Sequence[str], first: int) -> None:
        """Remember each record's id by its key; a key seen before is refused (the engine's
        bulk command does not enforce unique constraints)."""
        for n, key in enumerate(keys):
            if self._ids.setdefault((label, key), first + n) != first + n:
                raise Conflict(f"{label} {key} appears twice in the load")

    def _count(self, entity: str, n: int) -> None:
        self.counts[entity] = self.counts.get(entity, 0) + n

    def _tally(self, contributions: Iterable[Contribution]) -> list[str | None]:
        """Each contribution added to the region tallies, and as its node keeps it."""
        found = list(contributions)
        for contribution in found:
            self._buckets.add(contribution)
        return [c.encoded() for c in found]

    def _step(
        self, number: str, status: str, reason: str | None, on: str, seq: int
    ) -> list[object]:
        return [number, status, reason, on, self._at, self._actor, seq]

    def _regions(self, regions: Sequence[Region]) -> BulkCommand:
        tokens = self._begin()
        first = tokens.nodes(
            "Region",
            ("code", "name", "level", "parent"),
            ([r.code, r.name, r.level, r.parent] for r in regions),
        )
        self._keep("Region", [r.code for r in regions], first)
        codes = {r.code for r in regions}
        tokens.edges(
            "PARENT_OF",
            (
                (self._id("Region", r.parent), self._id("Region", r.code))
                for r in regions
                if r.parent in codes
            ),
        )
        self.seq += len(regions)
        self._count("Region", len(regions))
        return self._end(tokens)

    def _institutions(self, institutions: Sequence[Institution]) -> BulkCommand:
        tokens = self._begin()
        props = [to_props(i, exclude=INSTITUTION_KEPT) for i in institutions]
        seqs = range(self.seq + 1, self.seq + 1 + len(institutions))
        firsts = [(i.founded.isoformat() if i.founded else self._day) for i in institutions]
        tallies = self._tally(
            institution_contribution(
                region=i.region,
                founded=i.founded.isoformat() if i.founded else None,
                step_on=[on],
                step_seq=[s],
                step_status=[i.status],
            )
            for i, p, on, s in zip(institutions, props, firsts, seqs, strict=True)
        )
        columns = (*props[0], "version", *_TIMELINE_COLUMNS, "tally") if props else ()
        rows = (
            [*p.values(), 1, i.status, on, NO_NEXT, [on], [s], [i.status], t]
            for i, p, on, s, t in zip(institutions, props, firsts, seqs, tallies, strict=True)
        )
        first = tokens.nodes("Institution", columns, rows)
        usccs = [i.uscc for i in institutions]
        self._keep("Institution", usccs, first)
        named = {g for i in institutions for g in (i.group, *i.associations) if g}
        placeholders = sorted(named - set(usccs))
        self._keep(
            "Institution",
            placeholders,
            tokens.nodes("Institution", ("uscc",), ([u] for u in placeholders)),
        )
        step = tokens.nodes(
            "StatusChange",
            _STEP_COLUMNS,
            (
                self._step(i.uscc, i.status, "registered", on, s)
                for i, on, s in zip(institutions, firsts, seqs, strict=True)
            ),
        )
        persons: dict[str, str] = {}
        addresses: dict[str, str] = {}
        for i in institutions:
            if i.legal_representative is not None:
                persons[i.legal_representative.key] = i.legal_representative.name
            if i.address is not None:
                addresses[address_key(i.address)] = i.address
        self._keep(
            "Person", list(persons), tokens.nodes("Person", ("key", "name"), persons.items())
        )
        self._keep(
            "Address", list(addresses), tokens.nodes("Address", ("key", "text"), addresses.items())
        )
        ids = [first + n for n in range(len(institutions))]
        tokens.edges("HAS_STATUS", ((n, step + k) for k, n in enumerate(ids)))
        tokens.edges(
            "IN_REGION",
            ((n, self._id("Region", i.region)) for n, i in zip(ids, institutions, strict=True)),
        )
        tokens.edges(
            "MEMBER_OF",
            (
                (n, self._id("Institution", i.group))
                for n, i in zip(ids, institutions, strict=True)
                if i.group
            ),
        )
        tokens.edges(
            "BELONGS_TO",
            (
                (n, self._id("Institution", a))
                for n, i in zip(ids, institutions, strict=True)
                for a in dict.fromkeys(i.associations)
            ),
        )
        tokens.edges(
            "REPRESENTED_BY",
            (
                (n, self._id("Person", i.legal_representative.key))
                for n, i in zip(ids, institutions, strict=True)
                if i.legal_representative
            ),
        )
        tokens.edges(
            "LOCATED_AT",
            (
                (n, self._id("Address", address_key(i.address)))
                for n, i in zip(ids, institutions, strict=True)
                if i.address is not None
            ),
        )
        self.seq += len(institutions)
        self._count("Institution", len(institutions))
        return self._end(tokens)

    def _organizations(
        self, organizations: Sequence[Organization], start: int, keys: list[dict[str, object]]
    ) -> BulkCommand:
        tokens = self._begin()
        props = [to_props(o, exclude=frozenset({"version"})) for o in organizations]
        columns = (*props[0], "nameGrams", *keys[0], "version") if props else ()
        rows = (
            [*p.values(), search_grams(o.name), *k.values(), 1]
            for o, p, k in zip(organizations, props, keys, strict=True)
        )
        first = tokens.nodes("Organization", columns, rows)
        if start == 0:
            self._first_holder = first  # the holders are numbered in order, from it
        self._keep("Organization", [o.uscc for o in organizations], first)
        tokens.edges(
            "IN_REGION",
            ((first + n, self._id("Region", o.region)) for n, o in enumerate(organizations)),
        )
        return self._end(tokens)

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

    def _accreditations(self, accreditations: Sequence[Accreditation]) -> BulkCommand:
        tokens = self._begin()
        props = [to_props(a, exclude=ACCREDITATION_KEPT) for a in accreditations]
        seqs = range(self.seq + 1, self.seq + 1 + len(accreditations))
        columns = (*props[0], "version", *_TIMELINE_COLUMNS) if props else ()
        rows = (
            [*p.values(), 1, a.status, on, NO_NEXT, [on], [s], [a.status]]
            for a, p, s in zip(accreditations, props, seqs, strict=True)
            for on in (a.valid_from.isoformat(),)
        )
        first = tokens.nodes("Accreditation", columns, rows)
        self._keep("Accreditation", [a.number for a in accreditations], first)
        step = tokens.nodes(
            "StatusChange",
            _STEP_COLUMNS,
            (
                self._step(a.number, a.status, "granted", a.valid_from.isoformat(), s)
                for a, s in zip(accreditations, seqs, strict=True)
            ),
        )
        ids = range(first, first + len(accreditations))
        pairs = list(zip(ids, accreditations, strict=True))
        tokens.edges("HAS_STATUS", ((n, step + k) for k, n in enumerate(ids)))
        tokens.edges("ACCREDITED", ((self._id("Institution", a.body), n) for n, a in pairs))
        tokens.edges("HOLDS", ((self._id("Institution", a.holder), n) for n, a in pairs))
        self.seq += len(accreditations)
        self._count("Accreditation", len(accreditations))
        return self._end(tokens)

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
        step = tokens.nodes("StatusChange", _STEP_COLUMNS, (row for _, row in later))
        tokens.edges("HAS_STATUS", ((c, step + n) for n, (c, _) in enumerate(later)))
        return self._end(tokens)

    def _ratings(self, ratings: Sequence[CreditRating]) -> BulkCommand:
        tokens = self._begin()
        first = self._upserts(tokens, "CreditRating", ratings)
        tokens.edges(
            "RATED",
            ((self._id("Institution", r.association), first + n) for n, r in enumerate(ratings)),
        )
        tokens.edges(
            "OF",
            ((first + n, self._id("Institution", r.institution)) for n, r in enumerate(ratings)),
        )
        return self._end(tokens)

    def _events(self, events: Sequence[CreditEvent]) -> BulkCommand:
        tokens = self._begin()
        for e in events:
            if e.plan:  # plans are not part of a load: they follow it through the port
                raise BulkReferenceError.of("SupervisionPlan", e.plan)
        first = self._upserts(tokens, "CreditEvent", events)
        tokens.edges(
            "RECORDED",
            ((self._id("Institution", e.institution), first + n) for n, e in enumerate(events)),
        )
        return self._end(tokens)

    def _complaints(self, complaints: Sequence[Complaint]) -> BulkCommand:
        tokens = self._begin()
        first = self._upserts(tokens, "Complaint", complaints)
        tokens.edges(
            "AGAINST",
            ((first + n, self._id("Institution", c.against)) for n, c in enumerate(complaints)),
        )
        tokens.edges(
            "CONCERNS",
            (
                (first + n, self._id("Certificate", c.certificate))
                for n, c in enumerate(complaints)
                if c.certificate
            ),
        )
        return self._end(tokens)

    def _upserts(self, tokens: Tokens, label: str, items: Sequence[_Upserted]) -> int:
        props = [to_props(item, exclude=_STORE_MANAGED) for item in items]
        columns = (*props[0], "version") if props else ()
        first = tokens.nodes(label, columns, ([*p.values(), 1] for p in props))
        self._keep(label, [item.id for item in items], first)
        self.seq += len(items)
        self._count(label, len(items))
        return first

    def _tallies(self) -> BulkCommand:
        tokens = self._begin()
        rows = ([b[c] for c in _TALLY_COLUMNS] for b in self._buckets.rows())
        tokens.nodes("RegionTally", _TALLY_COLUMNS, rows)
        return self._end(tokens)
