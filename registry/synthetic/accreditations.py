"""Accreditations: certification bodies' CNCA approvals and CNAS accreditations over
consecutive cycles, and laboratories' CMA and CNAS accreditations.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Final

from graph.models import Accreditation
from registry.domain.vocabulary import AccreditationScheme, AccreditationStatus
from registry.synthetic.catalogue import FIELDS, IT, METROLOGY, PRODUCT, REGULATOR, SERVICE, SYSTEM
from registry.synthetic.common import BATCH, chunks, random_stream, years_later
from registry.synthetic.roster import CNAS, CNCA, CertificationBody, Roster

__all__ = ["iter_accreditation_batches"]

_ACCREDITATION_YEARS: Final = 6
# The CNAS accreditation a certifier of each family needs, and its number's suffix.
_CNAS_SCHEMES: Final = {
    PRODUCT: (AccreditationScheme.CNAS_PRODUCT_17065, "P"),
    SERVICE: (AccreditationScheme.CNAS_SERVICE_17065, "S"),
    SYSTEM: (AccreditationScheme.CNAS_MANAGEMENT_SYSTEM_17021, "M"),
}


def iter_accreditation_batches(roster: Roster) -> Iterator[list[Accreditation]]:
    """Certification bodies' CNCA approvals and CNAS accreditations over consecutive six-year
    cycles (so every certificate falls in one), and labs' current CMA and CNAS accreditations."""
    return chunks(_accreditations(roster))


def _accreditations(roster: Roster) -> Iterator[Accreditation]:
    bodies = {body.index: body for body in roster.certification_bodies}
    regulators: dict[str, int] = {}
    for index in roster.indices_of(frozenset({REGULATOR})):
        regulators.setdefault(roster.institution_regions[index][:2], index)
    for number, start in enumerate(range(0, roster.institutions, BATCH)):
        rng = random_stream(roster.seed, "accreditations", number)
        for index in range(start, min(start + BATCH, roster.institutions)):
            body = bodies.get(index)
            if body is not None:
                yield from _certifier_accreditations(rng, roster, body)
            kinds = roster.institution_kinds[index]
            if IT in kinds or METROLOGY in kinds:
                province = roster.institution_regions[index][:2]
                yield from _lab_accreditations(
                    rng, roster, index, cma_body=regulators.get(province, CNCA)
                )


def _certifier_accreditations(
    rng: random.Random, roster: Roster, body: CertificationBody
) -> Iterator[Accreditation]:
    first = date(rng.randint(2008, 2014), rng.randint(1, 12), rng.randint(1, 28))
    grants: list[tuple[AccreditationScheme, int, str, tuple[str, ...]]] = [
        (
            AccreditationScheme.CNCA_APPROVAL,
            CNCA,
            f"CNCA-R-{first.year}-{body.ordinal:04d}",
            tuple(code for family in body.families for code in body.standards[family]),
        )
    ]
    for family in body.families:
        scheme, suffix = _CNAS_SCHEMES[family]
        number = f"CNAS-C{body.ordinal:04d}-{suffix}"
        grants.append((scheme, CNAS, number, body.standards[family]))
    for scheme, granter, number, scope in grants:
        valid_from, cycle = first, 1
        while True:
            valid_until = years_later(valid_from, _ACCREDITATION_YEARS) - timedelta(days=1)
            yield Accreditation(
                number=f"{number}/{cycle}",
                scheme=scheme.value,
                body=roster.institution_usccs[granter],
                holder=body.uscc,
                scope=scope,
                valid_from=valid_from,
                valid_until=valid_until,
                status=AccreditationStatus.VALID.value,  # EXPIRED follows from validUntil
            )
            if valid_until >= roster.today:
                break
            valid_from, cycle = valid_until + timedelta(days=1), cycle + 1


def _lab_accreditations(
    rng: random.Random, roster: Roster, index: int, *, cma_body: int
) -> Iterator[Accreditation]:
    methods = FIELDS[roster.institution_fields[index]].methods
    uscc = roster.institution_usccs[index]
    grants: list[tuple[AccreditationScheme, int, str]] = []
    if rng.random() < 0.9:  # CMA numbers: year granted, province, serial
        grants.append((AccreditationScheme.CMA, cma_body, "{yy:02d}{province}{index:08d}"))
    if rng.random() < 0.4:
        grants.append((AccreditationScheme.CNAS_LAB_17025, CNAS, "CNAS-L{index:05d}"))
    if rng.random() < 0.05:
        grants.append((AccreditationScheme.CNAS_INSPECTION_17020, CNAS, "CNAS-IB{index:05d}"))
    province = roster.institution_regions[index][:2]
    for scheme, granter, template in grants:
        valid_from = roster.today - timedelta(days=rng.randrange(7 * 365))
        number = template.format(yy=valid_from.year % 100, province=province, index=index)
        valid_until = years_later(valid_from, _ACCREDITATION_YEARS) - timedelta(days=1)
        status = AccreditationStatus.VALID.value  # EXPIRED follows from validUntil
        if valid_until >= roster.today and rng.random() < 0.02:
            status = AccreditationStatus.SUSPENDED.value
        yield Accreditation(
            number=number,
            scheme=scheme.value,
            body=roster.institution_usccs[granter],
            holder=uscc,
            scope=tuple(rng.sample(methods, rng.randint(2, len(methods)))),
            valid_from=valid_from,
            valid_until=valid_until,
            status=status,
        )
