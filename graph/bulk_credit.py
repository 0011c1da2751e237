"""Credit scores written by a bulk load itself (docs/design-notes.md, note 48).

Why: after a first load, ``registry generate`` and ``registry import`` scored every
institution through the port, reading back the facts the load had just sent (about 30 s at
100,000 institutions, against a 60 s target for the whole command). The load holds those
facts already: the certificates' workers count what each issuer issued and withdrew and the
best service certificate each holder holds, the loading process sees the ratings, events
and complaints. So the facts are worked out here, as ``get_credit_inputs`` would read them
on the scoring day right after the load (a load holds no evaluations nor service requests),
scored by the caller's function, and set on the institutions before the load takes the
store's place, each with the seq its logged ``CREDIT`` change would have had.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from graph.bulk_data import CreditScoring
from graph.bulk_derived import Timeline
from graph.cypher_store.scores import ranking_key
from graph.models import Certificate, Complaint, CreditEvent, CreditFacts, CreditRating, Institution
from graph.tallies import Ranks, encoded_ranks, rank_contribution, rank_rows

__all__ = [
    "CREATE_RANK_TALLIES",
    "STORE_LOADED_CREDIT",
    "CertificateCredit",
    "LoadCredit",
    "LoadedScores",
]

_VALID, _WITHDRAWN, _SERVICE = "VALID", "WITHDRAWN", "SERVICE"

# The fresh branch of graph.cypher.scores.STORE_CREDIT: an institution just loaded has no
# score, so no CreditHistory is kept and the key moves with the change that set it.
# With the ranking counts the change would have been tallied into (graph.tallies).
STORE_LOADED_CREDIT = """
UNWIND $rows AS row
MATCH (i:Institution {uscc: row.uscc})
SET i.creditScore = row.score, i.creditGrade = row.grade, i.creditFactors = row.factors,
    i.creditComputedOn = row.computedOn, i.creditMethod = row.method, i.creditSort = row.sort,
    i.creditSeq = row.seq, i.rankTally = row.rankTally
"""
CREATE_RANK_TALLIES = """
UNWIND $ranks AS r
CREATE (:RankTally {key: r.key, region: r.region, kind: r.kind, ranked: r.ranked,
                    rated: r.rated})
"""


def status_on(timeline: Timeline, day: str) -> object:
    """A certificate's status on ``day`` from its timeline, as graph.cypher.timelines
    ``status_on`` reads it from the stored node: the cached status inside its window, else
    the latest step by date and seq on or before ``day``, else the status."""
    since = timeline.since
    if since is not None and str(since) <= day < str(timeline.until):
        return timeline.status
    due = [
        (str(on), int(str(seq)), status)
        for on, seq, status in zip(
            timeline.step_on, timeline.step_seq, timeline.step_status, strict=True
        )
        if str(on) <= day
    ]
    return max(due)[2] if due else timeline.status


@dataclass(slots=True)
class CertificateCredit:
    """What the certificates add to their issuers' and holders' facts, kept by each worker
    and added up: certificates issued and withdrawn (on the day) per issuer, and per holder
    the stars and number of each service certificate valid on the day that another body
    issued (whether it was assessed is known only to the loading process)."""

    day: str
    issued: Counter[str] = field(default_factory=Counter)
    withdrawn: Counter[str] = field(default_factory=Counter)
    stars: dict[str, list[tuple[int, str]]] = field(default_factory=dict)

    def add(self, certificates: Sequence[Certificate], timelines: Sequence[Timeline]) -> None:
        day = self.day
        self.issued.update(c.issuer for c in certificates)
        for c, timeline in zip(certificates, timelines, strict=True):
            withdrawn = c.status == _WITHDRAWN or _WITHDRAWN in timeline.step_status
            if withdrawn and status_on(timeline, day) == _WITHDRAWN:
                self.withdrawn[c.issuer] += 1
            if (
                c.family == _SERVICE
                and c.stars is not None
                and c.issuer != c.holder  # a body's stars for itself are no evidence
                and c.issued_on.isoformat() <= day <= c.expires_on.isoformat()
                and status_on(timeline, day) == _VALID
            ):
                self.stars.setdefault(c.holder, []).append((c.stars, c.number))

    def merge(self, other: CertificateCredit) -> None:
        self.issued.update(other.issued)
        self.withdrawn.update(other.withdrawn)
        for holder, stars in other.stars.items():
            self.stars.setdefault(holder, []).extend(stars)

    def best_stars(self, holder: str, assessed: frozenset[str]) -> int | None:
        """The most stars among ``holder``'s certificates whose assessment is recorded."""
        return max(
            (s for s, number in self.stars.get(holder, ()) if number in assessed), default=None
        )


class LoadCredit:
    """The facts a load gathers outside the certificates, and the scores' rows at its end."""

    def __init__(self, scoring: CreditScoring) -> None:
        self.scoring = scoring
        self.day = scoring.day.isoformat()
        self.certificates = CertificateCredit(self.day)
        self._ratings: dict[str, list[CreditRating]] = {}
        self._events: dict[str, list[CreditEvent]] = {}
        self._complaints: Counter[str] = Counter()
        self._substantiated: Counter[str] = Counter()

    def ratings(self, ratings: Iterable[CreditRating]) -> None:
        day = self.scoring.day
        for r in ratings:
            if r.published_on <= day <= r.valid_until:
                self._ratings.setdefault(r.institution, []).append(r)

    def events(self, events: Iterable[CreditEvent]) -> None:
        for e in events:
            self._events.setdefault(e.institution, []).append(e)

    def complaints(self, complaints: Iterable[Complaint]) -> None:
        day = self.scoring.day
        for c in complaints:
            if c.filed_on > day:  # not yet filed on the scoring day
                continue
            self._complaints[c.against] += 1
            if c.substantiated is True:
                self._substantiated[c.against] += 1

    def facts(self, institutions: Sequence[Institution]) -> list[CreditFacts]:
        """Each institution's facts, in the order of their keys (as a rescore reads them)."""
        certificates = self.certificates
        return [
            CreditFacts(
                uscc=i.uscc,
                ratings=tuple(self._ratings.get(i.uscc, ())),
                events=tuple(self._events.get(i.uscc, ())),
                complaints_total=self._complaints[i.uscc],
                complaints_substantiated=self._substantiated[i.uscc],
                certificates_issued=certificates.issued[i.uscc],
                certificates_withdrawn=certificates.withdrawn[i.uscc],
                best_service_stars=certificates.best_stars(i.uscc, self.scoring.assessed),
                kinds=tuple(i.kinds),
            )
            for i in sorted(institutions, key=lambda i: i.uscc)
        ]

    def scores(self, institutions: Sequence[Institution], after: int) -> LoadedScores:
        """The scores to store, the first with seq ``after + 1`` (a rescore writes them in
        the order of their keys, one change each), and the ranking counts they make. Scored
        here, not in another process while the load ends: on two cores that slowed the load
        by as much as it saved (design note 48)."""
        scored = sorted(self.scoring.score(self.facts(institutions)), key=lambda s: s.uscc)
        by_key = {i.uscc: i for i in institutions}
        rows: list[dict[str, object]] = []
        ranks: list[tuple[Ranks, Ranks]] = []
        for n, s in enumerate(scored, start=1):
            sort = ranking_key(s.score, s.uscc)
            institution = by_key[s.uscc]
            counted = rank_contribution(
                region=institution.region, kinds=institution.kinds, sort=sort
            )
            ranks.append(((), counted))
            rows.append(
                {
                    "uscc": s.uscc,
                    "score": s.score,
                    "grade": s.grade,
                    "factors": s.factors,
                    "computedOn": s.computed_on.isoformat(),
                    "method": s.method,
                    "sort": sort,
                    "seq": after + n,
                    "rankTally": encoded_ranks(counted),
                }
            )
        return LoadedScores(rows, rank_rows(ranks))


@dataclass(frozen=True, slots=True)
class LoadedScores:
    """The scores a load stores (rows of ``STORE_LOADED_CREDIT``) and its ``RankTally``
    nodes (rows of ``CREATE_RANK_TALLIES``)."""

    rows: list[dict[str, object]] = field(default_factory=list)
    ranks: list[dict[str, object]] = field(default_factory=list)
