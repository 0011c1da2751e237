"""What a bulk load takes and gives (graph.bulk_graph builds it, graph.falkordb_bulk sends
it): the records of a first load, the commands they become, and the report."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from graph.bulk_format import EdgeToken, NodeToken, Token
from graph.errors import NotFound
from graph.models import (
    Accreditation,
    Certificate,
    Complaint,
    CreditEvent,
    CreditFacts,
    CreditRating,
    Institution,
    Organization,
    Region,
    StatusChange,
    StoredCredit,
)

__all__ = [
    "BulkCommand",
    "BulkData",
    "BulkReferenceError",
    "BulkReport",
    "CertificateBatch",
    "CertificateSource",
    "CreditScoring",
    "Tokens",
]

# Certificates to issue together, and the later status steps of some of them.
CertificateBatch = tuple[Sequence[Certificate], Sequence[StatusChange]]


class BulkReferenceError(NotFound):
    """A record names one that is not in the load (the logged write would refuse it)."""

    @classmethod
    def of(cls, label: str, key: str) -> BulkReferenceError:
        return cls(f"{label} {key} is not in the load", label=label, keys=[key])


class CertificateSource(ABC):
    """Certificate batches any process can rebuild alone, by number: a load sends the source
    once to each of its worker processes (so it is small and picklable), and the batches are
    made there instead of in the loading process. Iterated, it gives the batches in order."""

    @abstractmethod
    def sizes(self) -> Sequence[int]:
        """The number of certificates in each batch, known before any is made."""

    @abstractmethod
    def batch(self, number: int) -> CertificateBatch:
        """Batch ``number`` (from 0)."""

    def kept_of(self, certificates: Sequence[Certificate]) -> list[Certificate]:
        """What the loading process keeps of a batch (a worker sends it back with it)."""
        return []

    def keep(self, kept: list[Certificate]) -> None:  # noqa: B027 - a hook, empty by default
        """Called in the loading process with what was kept of each batch, in order."""

    def __iter__(self) -> Iterator[CertificateBatch]:
        for number in range(len(self.sizes())):
            batch = self.batch(number)
            self.keep(self.kept_of(batch[0]))
            yield batch


@dataclass(frozen=True, slots=True)
class CreditScoring:
    """Asked of a load: score its institutions on ``day`` with ``score`` (the registry's
    method, which the graph does not know), given their facts; the assessments it returns
    are stored, those it leaves out (not supervised) are not (graph.bulk_credit). Stars
    count only from the certificates in ``assessed``: those whose assessment, confirmed by
    ``day``, follows the load through the port, as the store's query reads them once it
    has."""

    day: date
    score: Callable[[Sequence[CreditFacts]], Sequence[StoredCredit]]
    assessed: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class BulkData:
    """Everything a first load holds, in the order the logged writes would take it.
    Certificates come in batches, each with the later status steps of its certificates.
    With ``credit``, the load also scores its institutions (graph.bulk_credit)."""

    regions: Sequence[Region]
    institutions: Sequence[Institution]
    organizations: Iterable[Sequence[Organization]]
    accreditations: Iterable[Sequence[Accreditation]]
    certificates: Iterable[CertificateBatch] | CertificateSource
    certificate_count: int  # the later steps are numbered after every certificate
    credit_ratings: Iterable[Sequence[CreditRating]] = ()
    credit_events: Iterable[Sequence[CreditEvent]] = ()
    complaints: Iterable[Sequence[Complaint]] = ()
    credit: CreditScoring | None = None


@dataclass(frozen=True, slots=True)
class BulkReport:
    """What a bulk load wrote: records per entity, the seq the store starts from, its hash
    (of every byte loaded), and the seconds it took: all of it, and the part after the last
    record was sent (waiting for the indexes, storing the scores, setting the counter, the
    compaction); and how many credit scores it stored (None: it was not asked to score)."""

    counts: Mapping[str, int]
    seq: int
    hash: str
    seconds: float
    schema_seconds: float
    credit_scores: int | None = None


@dataclass(slots=True)
class BulkCommand:
    """One ``GRAPH.BULK`` call: its node tokens (in id order), then its edge tokens."""

    nodes: list[Token] = field(default_factory=list)
    edges: list[Token] = field(default_factory=list)

    @property
    def node_count(self) -> int:
        return sum(t.count for t in self.nodes)

    @property
    def edge_count(self) -> int:
        return sum(t.count for t in self.edges)


@dataclass(slots=True)
class Tokens:
    """The command being built, and the id the next node will get."""

    next_id: int
    command: BulkCommand = field(default_factory=BulkCommand)

    def nodes(self, labels: str, columns: Sequence[str], rows: Iterable[Sequence[object]]) -> int:
        """Append nodes; the id of the first (they are numbered in order)."""
        token = NodeToken(labels, columns)
        for row in rows:
            token.add(row)
        first = self.next_id
        self.next_id += token.count
        if token.count:
            self.command.nodes.append(token)
        return first

    def edges(self, relation: str, pairs: Iterable[tuple[int, int]]) -> None:
        token = EdgeToken(relation)
        for source, destination in pairs:
            token.add(source, destination)
        if token.count:
            self.command.edges.append(token)
