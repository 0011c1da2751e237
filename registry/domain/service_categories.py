"""Who provides which service category: the ranking's ``serviceCategory`` filter, as data.

The eight items of DB2101/T 0050-2022 §5 are provided by the institutions of the matching
kinds, and by every one-stop quality service station (§3.3: it offers all of them, itself or
through a matched provider). A service-certification category is provided by the bodies
holding a valid accreditation whose scope names its standard (seed 004).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from registry.domain.vocabulary import InstitutionKind, ServiceCategory

__all__ = ["ANNEX_C_CATEGORIES", "PROVIDERS", "Providers"]

_STATION = InstitutionKind.QUALITY_SERVICE_STATION


@dataclass(frozen=True, slots=True)
class Providers:
    kinds: frozenset[InstitutionKind] = frozenset()
    standards: frozenset[str] = frozenset()  # accreditation scope entries


def _kinds(*kinds: InstitutionKind) -> Providers:
    return Providers(kinds=frozenset({_STATION, *kinds}))


def _accredited_for(*standards: str) -> Providers:
    return Providers(standards=frozenset(standards))


PROVIDERS: Mapping[ServiceCategory, Providers] = {
    ServiceCategory.QUALITY_MANAGEMENT: _kinds(),
    ServiceCategory.METROLOGY: _kinds(InstitutionKind.METROLOGY),
    ServiceCategory.STANDARDIZATION: _kinds(InstitutionKind.STANDARDIZATION),
    ServiceCategory.CERTIFICATION: _kinds(InstitutionKind.CERTIFICATION_BODY),
    ServiceCategory.ACCREDITATION: _kinds(),  # §5.5: advice on accreditation, not granting it
    ServiceCategory.INSPECTION_TESTING: _kinds(InstitutionKind.INSPECTION_TESTING),
    ServiceCategory.INTELLECTUAL_PROPERTY: _kinds(),
    ServiceCategory.CONSULTING: _kinds(),
    ServiceCategory.AFTER_SALES_SERVICE_CERTIFICATION: _accredited_for("GB/T 27922-2011"),
    ServiceCategory.CLEANING_SERVICE_CERTIFICATION: _accredited_for("SB/T 10595-2011"),
    ServiceCategory.SECURITY_SERVICE_CERTIFICATION: _accredited_for("GA/T 594-2006"),
    ServiceCategory.PROPERTY_SERVICE_CERTIFICATION: _accredited_for("GB/T 20647.9-2006"),
    ServiceCategory.INSPECTION_TESTING_SERVICE_CERTIFICATION: _accredited_for("CCSC-SC-JYJC-2017"),
}

# What the Annex C satisfaction form asks about: the eight items, not the certifications.
ANNEX_C_CATEGORIES = frozenset(
    {
        ServiceCategory.QUALITY_MANAGEMENT,
        ServiceCategory.METROLOGY,
        ServiceCategory.STANDARDIZATION,
        ServiceCategory.CERTIFICATION,
        ServiceCategory.ACCREDITATION,
        ServiceCategory.INSPECTION_TESTING,
        ServiceCategory.INTELLECTUAL_PROPERTY,
        ServiceCategory.CONSULTING,
    }
)
