"""The records of a bulk load other than certificates, built as nodes and edges by position
(graph.bulk_graph orders them with the certificates): regions, institutions with what they
share, holders, accreditations, credit, complaints and region tallies, each property the
fresh branch of the logged write would have set; and the state a load keeps while it is
built (the ids of what later records refer to, the seq of each change, the tallies).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from operator import attrgetter

from graph.bulk_certificates import STEP_COLUMNS, TIMELINE_COLUMNS
from graph.bulk_data import BulkCommand, BulkReferenceError, Tokens
from graph.bulk_derived import NO_NEXT
from graph.clock import day_of
from graph.cypher_store.institutions import (
    ACCREDITATION_KEPT,
    INSTITUTION_KEPT,
    LINK_KEY_PROPS,
    address_key,
    link_keys,
)
from graph.errors import Conflict
from graph.mapping import stored_fields
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

__all__ = ["BulkRecords", "Shared"]

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


@dataclass(frozen=True, slots=True)
class Shared:
    """What institutions name beyond themselves: the groups and associations not in the
    load (placeholders), and the shared ``Person`` and ``Address`` nodes."""

    placeholders: list[str]
    persons: dict[str, str]
    addresses: dict[str, str]

    @classmethod
    def of(cls, institutions: Sequence[Institution]) -> Shared:
        named = {g for i in institutions for g in (i.group, *i.associations) if g}
        persons: dict[str, str] = {}
        addresses: dict[str, str] = {}
        for i in institutions:
            if i.legal_representative is not None:
                persons[i.legal_representative.key] = i.legal_representative.name
            if i.address is not None:
                addresses[address_key(i.address)] = i.address
        return cls(sorted(named - {i.uscc for i in institutions}), persons, addresses)


def _stored(
    items: Sequence[object], exclude: frozenset[str]
) -> tuple[tuple[str, ...], list[tuple[object, ...]]]:
    """The names of the properties ``to_props`` gives each of ``items`` (all of one type),
    and each item's values by position: the encoder writes a date as its ISO text and a
    tuple as an array, as ``to_props`` leaves them, without a dict per item."""
    if not items:
        return (), []
    fields = stored_fields(type(items[0]), exclude)  # type: ignore[arg-type]
    values = attrgetter(*(name for name, _ in fields), "__class__")
    return tuple(prop for _, prop in fields), [values(item)[:-1] for item in items]


class BulkRecords:
    """The records other than certificates as commands, and the state of a load."""

    def __init__(self, *, at: str, actor: str, first_id: int = 0) -> None:
        self._at, self._actor, self._day = at, actor, day_of(at)
        self._next_id = first_id  # the ids before it hold what the store made itself
        self.seq = 0
        self._ids: dict[tuple[str, str], int] = {}
        self._first_holder = 0  # the holders' first id (they are numbered in order)
        self._buckets = Buckets()
        self.counts: dict[str, int] = {}

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

    def _institutions(self, institutions: Sequence[Institution], shared: Shared) -> BulkCommand:
        tokens = self._begin()
        names, props = _stored(institutions, INSTITUTION_KEPT)
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
            for i, on, s in zip(institutions, firsts, seqs, strict=True)
        )
        columns = (*names, *LINK_KEY_PROPS, "version", *TIMELINE_COLUMNS, "tally")
        rows = (
            [*p, *link_keys(i), 1, i.status, on, NO_NEXT, [on], [s], [i.status], t]
            for i, p, on, s, t in zip(institutions, props, firsts, seqs, tallies, strict=True)
        )
        first = tokens.nodes("Institution", columns, rows)
        usccs = [i.uscc for i in institutions]
        self._keep("Institution", usccs, first)
        placeholders = shared.placeholders
        self._keep(
            "Institution",
            placeholders,
            tokens.nodes("Institution", ("uscc",), ([u] for u in placeholders)),
        )
        step = tokens.nodes(
            "StatusChange",
            STEP_COLUMNS,
            (
                self._step(i.uscc, i.status, "registered", on, s)
                for i, on, s in zip(institutions, firsts, seqs, strict=True)
            ),
        )
        persons, addresses = shared.persons, shared.addresses
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
        names, props = _stored(organizations, frozenset({"version"}))
        columns = (*names, "nameGrams", *keys[0], "version") if props else ()
        rows = (
            [*p, search_grams(o.name), *k.values(), 1]
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

    def _accreditations(self, accreditations: Sequence[Accreditation]) -> BulkCommand:
        tokens = self._begin()
        names, props = _stored(accreditations, ACCREDITATION_KEPT)
        seqs = range(self.seq + 1, self.seq + 1 + len(accreditations))
        columns = (*names, "version", *TIMELINE_COLUMNS)
        rows = (
            [*p, 1, a.status, on, NO_NEXT, [on], [s], [a.status]]
            for a, p, s in zip(accreditations, props, seqs, strict=True)
            for on in (a.valid_from.isoformat(),)
        )
        first = tokens.nodes("Accreditation", columns, rows)
        self._keep("Accreditation", [a.number for a in accreditations], first)
        step = tokens.nodes(
            "StatusChange",
            STEP_COLUMNS,
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
        names, props = _stored(items, _STORE_MANAGED)
        first = tokens.nodes(label, (*names, "version"), ([*p, 1] for p in props))
        self._keep(label, [item.id for item in items], first)
        self.seq += len(items)
        self._count(label, len(items))
        return first

    def _tallies(self) -> BulkCommand:
        tokens = self._begin()
        rows = ([b[c] for c in _TALLY_COLUMNS] for b in self._buckets.rows())
        tokens.nodes("RegionTally", _TALLY_COLUMNS, rows)
        return self._end(tokens)
