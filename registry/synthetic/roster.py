"""The roster: the small plan of who exists (institutions, certification bodies, holders),
decided up front so every batch can be built on its own from it.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Final

from registry.domain.uscc import make_uscc
from registry.domain.vocabulary import CertificateFamily
from registry.synthetic.catalogue import (
    AB,
    ASSOCIATION,
    CB,
    FIELDS,
    FOREIGN,
    GROUP,
    INDUSTRIES,
    IT,
    METROLOGY,
    PRIVATE,
    PRODUCT,
    PUBLIC,
    REGULATOR,
    SERVICE,
    SOCIAL,
    STANDARDIZATION,
    STANDARDS,
    STATE,
    STATION,
    SYSTEM,
)
from registry.synthetic.common import random_stream
from registry.synthetic.places import PLACE_CUM_WEIGHTS, PLACES

__all__ = [
    "CNAS",
    "CNCA",
    "MIN_INSTITUTIONS",
    "REFERENCE_DAY",
    "CertificationBody",
    "Roster",
    "plan_roster",
]

REFERENCE_DAY: Final = date(2026, 11, 22)
MIN_INSTITUTIONS: Final = 10
CNAS, CNCA = 0, 1  # institution indices of the two bodies every roster starts with
_GROUP_SIZE: Final = 6
_METROLOGY_FIELD: Final = len(FIELDS) - 1

_KIND_MIX: Final[tuple[tuple[tuple[str, ...], int], ...]] = (
    ((IT,), 76), ((IT, METROLOGY), 4), ((IT, CB), 1), ((CB,), 2), ((METROLOGY,), 4),
    ((STANDARDIZATION,), 2), ((STATION,), 5), ((ASSOCIATION,), 3), ((REGULATOR,), 3),
)  # fmt: skip
_GROUPABLE: Final = frozenset({IT, CB, METROLOGY, STANDARDIZATION})
# GB 32100 registration authority and entity type of each ownership.
_USCC_TYPE: Final = {
    PUBLIC: ("1", "2"),
    STATE: ("9", "1"),
    PRIVATE: ("9", "1"),
    FOREIGN: ("9", "1"),
    SOCIAL: ("5", "1"),
}
_FAMILY_MIXES: Final = (
    ((SYSTEM,), 35), ((PRODUCT,), 20), ((SERVICE,), 10),
    ((SYSTEM, PRODUCT), 20), ((SYSTEM, SERVICE), 10), ((SYSTEM, PRODUCT, SERVICE), 5),
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class CertificationBody:
    """An institution that certifies, and the standards it certifies against per family."""

    index: int
    ordinal: int
    uscc: str
    families: tuple[CertificateFamily, ...]
    standards: Mapping[CertificateFamily, tuple[str, ...]]


@dataclass(frozen=True, slots=True)
class Roster:
    """Who exists: the small plan every batch is derived from (one entry per institution and
    holder, never per certificate)."""

    seed: int
    today: date
    certificates: int
    institution_kinds: tuple[tuple[str, ...], ...]
    institution_regions: tuple[str, ...]
    institution_ownerships: tuple[str, ...]
    institution_fields: tuple[int, ...]
    institution_groups: tuple[int | None, ...]
    institution_usccs: tuple[str, ...]
    certification_bodies: tuple[CertificationBody, ...]
    body_cum_weights: tuple[float, ...]
    organization_regions: tuple[str, ...]
    organization_industries: tuple[int, ...]
    organization_usccs: tuple[str, ...]

    @property
    def institutions(self) -> int:
        return len(self.institution_usccs)

    @property
    def organizations(self) -> int:
        return len(self.organization_usccs)

    def indices_of(self, kinds: frozenset[str]) -> list[int]:
        """Institutions having any of ``kinds``, in index order."""
        return [i for i, own in enumerate(self.institution_kinds) if not kinds.isdisjoint(own)]


def _institution_serial(index: int) -> int:
    # An affine permutation of 0..39,999,999 (the multiplier is coprime to it): codes look
    # scattered yet never collide, and stay apart from holder serials.
    return 10_000_000 + (index * 7_368_787) % 40_000_000


def _organization_serial(index: int) -> int:
    return 50_000_000 + (index * 3_952_613) % 50_000_000


def plan_roster(
    *, seed: int, institutions: int, certificates: int, today: date = REFERENCE_DAY
) -> Roster:
    """Decide every institution's kind, place and code, the certification bodies' specialities
    and the holders, so batches can be built independently of each other."""
    if not MIN_INSTITUTIONS <= institutions <= 40_000_000:
        raise ValueError(f"institutions must be between {MIN_INSTITUTIONS} and 40,000,000")
    if not 0 <= certificates <= 250_000_000:
        raise ValueError("certificates must be between 0 and 250,000,000")
    rng = random_stream(seed, "roster")
    group_count = max(1, institutions // 100)
    kinds: list[tuple[str, ...]] = [(AB,), (REGULATOR,)]
    kinds += [(GROUP,)] * group_count + [(CB,), (ASSOCIATION,)]
    mixes, mix_weights = zip(*_KIND_MIX, strict=True)
    kinds += rng.choices(mixes, weights=mix_weights, k=institutions - len(kinds))
    codes = [place.code for place in PLACES]
    regions = [
        "110105",
        "110108",
        *rng.choices(codes, cum_weights=PLACE_CUM_WEIGHTS, k=institutions - 2),
    ]

    groups: list[int | None] = [None] * institutions
    candidates = [
        i for i in range(2 + group_count, institutions) if _GROUPABLE.issuperset(kinds[i])
    ]
    members = rng.sample(candidates, min(len(candidates) // 4, _GROUP_SIZE * group_count))
    for member in sorted(members):
        group = 2 + rng.randrange(group_count)
        groups[member] = group
        regions[member] = regions[group]

    ownerships = [_ownership(rng, own) for own in kinds]
    fields = [
        _METROLOGY_FIELD if METROLOGY in own else rng.randrange(len(FIELDS) - 1) for own in kinds
    ]
    usccs = [
        make_uscc(
            authority="1" if own == (REGULATOR,) else _USCC_TYPE[ownership][0],
            kind="1" if own == (REGULATOR,) else _USCC_TYPE[ownership][1],
            region_code=region,
            serial=_institution_serial(i),
        )
        for i, (own, ownership, region) in enumerate(zip(kinds, ownerships, regions, strict=True))
    ]

    bodies = [
        _certification_body(rng, index=i, ordinal=ordinal, uscc=usccs[i])
        for ordinal, i in enumerate(i for i, own in enumerate(kinds) if CB in own)
    ]
    # A few large bodies issue most certificates, as in the real market.
    shares = [1.0 / (rank + 1) ** 0.8 for rank in range(len(bodies))]
    rng.shuffle(shares)

    organization_count = max(1, certificates // 5)
    organization_regions = rng.choices(codes, cum_weights=PLACE_CUM_WEIGHTS, k=organization_count)
    industries = rng.choices(range(len(INDUSTRIES)), k=organization_count)
    organization_usccs = [
        make_uscc(authority="9", kind="1", region_code=region, serial=_organization_serial(j))
        for j, region in enumerate(organization_regions)
    ]
    return Roster(
        seed=seed,
        today=today,
        certificates=certificates,
        institution_kinds=tuple(kinds),
        institution_regions=tuple(regions),
        institution_ownerships=tuple(ownerships),
        institution_fields=tuple(fields),
        institution_groups=tuple(groups),
        institution_usccs=tuple(usccs),
        certification_bodies=tuple(bodies),
        body_cum_weights=tuple(itertools.accumulate(shares)),
        organization_regions=tuple(organization_regions),
        organization_industries=tuple(industries),
        organization_usccs=tuple(organization_usccs),
    )


def _ownership(rng: random.Random, kinds: tuple[str, ...]) -> str:
    if REGULATOR in kinds or GROUP in kinds:
        return STATE
    if ASSOCIATION in kinds:
        return SOCIAL
    if AB in kinds or STATION in kinds or STANDARDIZATION in kinds:
        return PUBLIC
    if CB in kinds:
        return rng.choices((PRIVATE, STATE, FOREIGN), weights=(50, 35, 15))[0]
    if METROLOGY in kinds:
        return rng.choices((PUBLIC, PRIVATE), weights=(70, 30))[0]
    return rng.choices((PRIVATE, PUBLIC, STATE, FOREIGN), weights=(55, 30, 10, 5))[0]


def _certification_body(
    rng: random.Random, *, index: int, ordinal: int, uscc: str
) -> CertificationBody:
    mixes, weights = zip(*_FAMILY_MIXES, strict=True)
    families: tuple[CertificateFamily, ...] = rng.choices(mixes, weights=weights)[0]
    standards: dict[CertificateFamily, tuple[str, ...]] = {}
    for family in families:
        codes = [s.code for s in STANDARDS if s.family is family]
        chosen = rng.sample(codes, rng.randint(1, len(codes)))
        if family is SYSTEM and codes[0] not in chosen:
            chosen.insert(0, codes[0])  # every system certifier offers ISO 9001
        standards[family] = tuple(sorted(chosen, key=codes.index))
    return CertificationBody(index, ordinal, uscc, families, standards)
