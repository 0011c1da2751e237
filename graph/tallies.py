"""Region tallies: per-region, per-month counters that statistics over time read instead of
scanning every certificate (docs/design-notes.md, note 31).

Each certificate and institution contributes dated events to the region it counts in:
- a certificate: ``issued`` +1 on its issue date; ``valid`` +1 on each day it becomes valid
  and -1 on the day after it stops (a status step, or its expiry), from its status timeline;
- an institution: ``institutions`` +1 on the day it is registered (its founding date, else
  its first status step) and -1 on the day a REVOKED or CLOSED step takes effect.
The number valid (or registered) on a day is the sum of the events up to it. A bucket per
(region, month) keeps each kind's monthly sum and, to answer an exact day within a month,
the sums per day of the month. Each entity keeps on its node the contribution last counted
(``tally``), so a rewrite adds exactly the difference.

The ranking's counts are tallied the same way (``RankTally``, one per region and kind, and
``*`` for every kind): an institution with a ranking key counts as ranked, and as rated
when its key is a score, in its region under each of its kinds.

The rule for the step in force ("latest by (effective date, seq)") is the one of
``registry.domain.timeline`` and ``graph.cypher.timelines``; the graph layer cannot import
the domain, so it is walked here once more, over the same stored step lists.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

__all__ = [
    "ALL_KINDS",
    "DAYS",
    "KINDS",
    "Buckets",
    "Contribution",
    "Ranks",
    "RegionMonth",
    "bucket_rows",
    "certificate_contribution",
    "encoded_ranks",
    "institution_contribution",
    "rank_contribution",
    "rank_rows",
    "stored_contribution",
    "stored_ranks",
]

KINDS = ("issued", "valid", "institutions")
DAYS = 31
_GONE = frozenset({"REVOKED", "CLOSED"})

Event = tuple[str, str, int]  # (ISO day, kind, delta)


@dataclass(frozen=True, slots=True)
class RegionMonth:
    """One month of a region's (and its sub-regions') events: each kind's sum over the
    month, and per day of the month (index 0 is the 1st)."""

    month: str  # YYYY-MM
    issued: int
    valid: int
    institutions: int
    issued_days: tuple[int, ...] = ()
    valid_days: tuple[int, ...] = ()
    institution_days: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Contribution:
    """What one entity adds to its region's buckets."""

    region: str | None
    events: tuple[Event, ...] = field(default=())

    def encoded(self) -> str | None:
        """As kept on the node: ``REGION|YYYYMMDDkN|…`` (k a kind's letter), a third of the
        JSON's length, for a region code and ISO days; JSON for anything else."""
        if self.region is None or not self.events:
            return None
        region, events = self.region, self.events
        if (
            region.isascii()
            and region.isalnum()
            and all(len(d) == 10 and d[4] == d[7] == "-" and k in _LETTERS for d, k, _ in events)
        ):
            return region + "".join(
                f"|{d[:4]}{d[5:7]}{d[8:]}{_LETTERS[k]}{n}" for d, k, n in events
            )
        return json.dumps({"region": region, "events": [list(e) for e in events]})


# One letter a kind in the compact form of a contribution (millions of nodes keep one).
_LETTERS = {"issued": "i", "valid": "v", "institutions": "n"}
_KIND_OF = {letter: kind for kind, letter in _LETTERS.items()}


def stored_contribution(encoded: object) -> Contribution:
    """The contribution kept on a node (``tally``), or none; in either form (stores written
    before the compact one keep JSON until the entity is counted again)."""
    if not isinstance(encoded, str) or not encoded:
        return Contribution(None)
    if encoded.startswith("{"):
        data = json.loads(encoded)
        events = tuple((str(d), str(k), int(n)) for d, k, n in data["events"])
        return Contribution(str(data["region"]), events)
    region, *compact = encoded.split("|")
    return Contribution(
        region, tuple((f"{e[:4]}-{e[4:6]}-{e[6:8]}", _KIND_OF[e[8]], int(e[9:])) for e in compact)
    )


def _steps(on: Sequence[object], seq: Sequence[object], status: Sequence[object]) -> list[Step]:
    steps = [
        (str(o), int(s) if isinstance(s, int | float) else 0, str(st))
        for o, s, st in zip(on, seq, status, strict=False)
    ]
    return sorted(steps)


Step = tuple[str, int, str]


def _spans(
    steps: list[Step], holds: frozenset[str] | None, *, lacks: frozenset[str]
) -> list[tuple[str, str | None]]:
    """The [from, to) day ranges in which the status in force is in ``holds`` (or, with
    ``holds`` None, not in ``lacks``); before the first step, the first step's status holds
    (as the node's cache answers). ``to`` None: open-ended."""

    def good(status: str) -> bool:
        return status in holds if holds is not None else status not in lacks

    spans: list[tuple[str, str | None]] = []
    if not steps:
        return spans
    # The status in force from each distinct day on: the last step (by seq) of that day.
    by_day: dict[str, str] = {}
    for on, _, status in steps:
        by_day[on] = status
    days = sorted(by_day)
    start: str | None = "0001-01-01" if good(by_day[days[0]]) else None
    for day in days:
        if good(by_day[day]):
            if start is None:
                start = day
        elif start is not None:
            if start < day:
                spans.append((start, day))
            start = None
    if start is not None:
        spans.append((start, None))
    return spans


def _next_day(iso: str) -> str:
    return (date.fromisoformat(iso) + timedelta(days=1)).isoformat()


def _clipped(spans: Iterable[tuple[str, str | None]], low: str, high: str | None) -> list[Event]:
    """+1/-1 events of each span cut to [low, high)."""
    events: list[Event] = []
    for start, end in spans:
        begin = max(start, low)
        finish = end if high is None else (high if end is None else min(end, high))
        if finish is not None and finish <= begin:
            continue
        events.append((begin, "", 1))
        if finish is not None:
            events.append((finish, "", -1))
    return events


def certificate_contribution(
    *,
    region: str | None,
    issued_on: str | None,
    expires_on: str | None,
    step_on: Sequence[object],
    step_seq: Sequence[object],
    step_status: Sequence[object],
) -> Contribution:
    """A certificate counts as issued on its issue date and as valid on each day from its
    issue date to its expiry date (inclusive) on which its status in force is VALID."""
    if region is None or issued_on is None or expires_on is None:
        return Contribution(None)
    events: list[Event] = [(issued_on, "issued", 1)]
    end = _next_day(expires_on)
    if len(step_on) == 1:  # most certificates: the one status holds from before the issue
        if str(step_status[0]) == "VALID" and end > issued_on:
            events += [(issued_on, "valid", 1), (end, "valid", -1)]
        return Contribution(region, tuple(events))
    spans = _spans(_steps(step_on, step_seq, step_status), frozenset({"VALID"}), lacks=frozenset())
    events += [(day, "valid", delta) for day, _, delta in _clipped(spans, issued_on, end)]
    return Contribution(region, tuple(events))


def institution_contribution(
    *,
    region: str | None,
    founded: str | None,
    step_on: Sequence[object],
    step_seq: Sequence[object],
    step_status: Sequence[object],
) -> Contribution:
    """An institution counts from its founding date (else its first status step: when it
    was registered) until a REVOKED or CLOSED step takes effect."""
    steps = _steps(step_on, step_seq, step_status)
    registered = founded or (steps[0][0] if steps else None)
    if region is None or registered is None:
        return Contribution(None)
    spans = _spans(steps, None, lacks=_GONE) if steps else [("0001-01-01", None)]
    events = _clipped(spans, registered, None)
    return Contribution(region, tuple((day, "institutions", d) for day, _, d in events))


class Buckets:
    """Sums of contributions per (region, month): each kind's events per day of the month."""

    def __init__(self) -> None:
        self._sums: dict[tuple[str, str], dict[str, list[int]]] = {}

    def add(self, contribution: Contribution, sign: int = 1) -> None:
        if contribution.region is None:
            return
        for day, kind, delta in contribution.events:
            key = (contribution.region, day[:7])
            bucket = self._sums.get(key)
            if bucket is None:
                bucket = self._sums[key] = {k: [0] * DAYS for k in KINDS}
            bucket[kind][int(day[8:10]) - 1] += sign * delta

    def merge(self, other: Buckets) -> None:
        """Add ``other``'s sums (buckets added up in another process)."""
        for key, theirs in other._sums.items():
            mine = self._sums.get(key)
            if mine is None:
                self._sums[key] = {kind: list(days) for kind, days in theirs.items()}
                continue
            for kind, days in theirs.items():
                mine[kind] = [a + b for a, b in zip(mine[kind], days, strict=True)]

    def rows(self) -> list[dict[str, object]]:
        """One ``RegionTally`` row per (region, month) whose sums are not all zero; a kind's
        days are null when all zero (most months of most regions: half the arrays)."""
        rows: list[dict[str, object]] = []
        for (region, month), bucket in sorted(self._sums.items()):
            if not any(any(days) for days in bucket.values()):
                continue
            rows.append(
                {
                    "key": f"{region}|{month}",
                    "region": region,
                    "month": month,
                    "issued": sum(bucket["issued"]),
                    "valid": sum(bucket["valid"]),
                    "institutions": sum(bucket["institutions"]),
                    "issuedDays": bucket["issued"] if any(bucket["issued"]) else None,
                    "validDays": bucket["valid"] if any(bucket["valid"]) else None,
                    "institutionDays": (
                        bucket["institutions"] if any(bucket["institutions"]) else None
                    ),
                }
            )
        return rows


def bucket_rows(changes: Iterable[tuple[Contribution, Contribution]]) -> list[dict[str, object]]:
    """The bucket increments that turn each old contribution into its new one, one row
    per (region, month) with a change (``RegionTally`` rows of graph.cypher.tallies)."""
    buckets = Buckets()
    for old, new in changes:
        if old != new:
            buckets.add(old, -1)
            buckets.add(new)
    return buckets.rows()


ALL_KINDS = "*"
Ranks = tuple[tuple[str, str, int], ...]  # (region, kind, rated) an institution counts in


def rank_contribution(*, region: str | None, kinds: Sequence[object], sort: object) -> Ranks:
    """The ranking counts an institution adds: (region, kind, rated) for each of its kinds
    and ``*``, when it has a ranking key (``creditSort``; at least 0 when rated)."""
    if region is None or not isinstance(sort, int | float):
        return ()
    rated = 1 if sort >= 0 else 0
    names = sorted({str(k) for k in kinds} | {ALL_KINDS})
    return tuple((region, kind, rated) for kind in names)


def stored_ranks(encoded: object) -> Ranks:
    """The ranking counts kept on an institution (``rankTally``), or none."""
    if not isinstance(encoded, str) or not encoded:
        return ()
    return tuple((str(r), str(k), int(n)) for r, k, n in json.loads(encoded))


def encoded_ranks(ranks: Ranks) -> str | None:
    return json.dumps([list(r) for r in ranks]) if ranks else None


def rank_rows(changes: Iterable[tuple[Ranks, Ranks]]) -> list[dict[str, object]]:
    """The ``RankTally`` increments that turn each old ranking contribution into its new one."""
    counts: dict[tuple[str, str], list[int]] = {}
    for old, new in changes:
        for ranks, sign in ((old, -1), (new, 1)):
            for region, kind, rated in ranks:
                into = counts.setdefault((region, kind), [0, 0])
                into[0] += sign
                into[1] += sign * rated
    return [
        {"key": f"{region}|{kind}", "region": region, "kind": kind, "ranked": n, "rated": r}
        for (region, kind), (n, r) in sorted(counts.items())
        if n or r
    ]
