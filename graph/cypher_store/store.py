"""CypherStore: the core and every area mixin composed into the one class both backends
subclass."""

from __future__ import annotations

from graph.cypher_store.base import CypherStoreBase
from graph.cypher_store.certificates import CertificateQueries
from graph.cypher_store.changes import ChangeQueries
from graph.cypher_store.complaints import ComplaintQueries
from graph.cypher_store.credit import CreditQueries
from graph.cypher_store.disputes import DisputeQueries
from graph.cypher_store.institutions import InstitutionQueries
from graph.cypher_store.regions import RegionQueries
from graph.cypher_store.scores import ScoreQueries
from graph.cypher_store.search import SearchQueries
from graph.cypher_store.service_assessments import ServiceAssessmentQueries
from graph.cypher_store.stations import StationQueries
from graph.cypher_store.tallies import TallyQueries
from graph.cypher_store.timelines import TimelineQueries
from graph.network_queries import NetworkQueries
from graph.snapshot_queries import SnapshotQueries
from graph.supervision_queries import SupervisionQueries

__all__ = ["CypherStore"]


class CypherStore(
    # The core comes first, so its primitives win over the mixins' abstract declarations.
    CypherStoreBase,
    # The tallies next: other areas read them through abstract declarations of their own.
    TallyQueries,
    RegionQueries,
    InstitutionQueries,
    CertificateQueries,
    SearchQueries,
    CreditQueries,
    ServiceAssessmentQueries,
    DisputeQueries,
    ComplaintQueries,
    ScoreQueries,
    ChangeQueries,
    TimelineQueries,
    NetworkQueries,
    SupervisionQueries,
    StationQueries,
    SnapshotQueries,
):
    """The GraphStore port implemented once over the shared Cypher catalogue."""
