"""Who answers for a regulator: a case about a regulator (a complaint against it, a dispute
about its own record) is not its own to decide, but its superior's, a regulator of a wider
region, or ADMIN's. A city regulator rejected the complaint filed against itself."""

from __future__ import annotations

from collections.abc import Sequence

from graph.models import Institution
from registry.domain.vocabulary import InstitutionKind, Role

__all__ = ["own_case"]


def own_case(role: Role, key_regions: Sequence[str] | None, subject: Institution) -> bool:
    """Whether a regulator's key would decide a case about a regulator of its own level: one
    whose region is among the key's own (not merely within them)."""
    return (
        role is Role.REGULATOR
        and InstitutionKind.REGULATOR.value in subject.kinds
        and subject.region in (key_regions or ())
    )
