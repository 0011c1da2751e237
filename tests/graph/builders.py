"""Small, valid store models for contract tests."""

from __future__ import annotations

from datetime import date

from graph.models import Certificate, Institution, Organization, Person, Region
from registry.domain.uscc import make_uscc

LIAONING = Region("210000", "辽宁省", "PROVINCE")
DALIAN = Region("210200", "大连市", "CITY", "210000")
SHAHEKOU = Region("210204", "沙河口区", "DISTRICT", "210200")
GUANGDONG = Region("440000", "广东省", "PROVINCE")
REGIONS = [LIAONING, DALIAN, SHAHEKOU, GUANGDONG]


def uscc(serial: int, region: str = "210200") -> str:
    return make_uscc(authority="9", kind="1", region_code=region, serial=serial)


def institution(
    serial: int,
    *,
    region: str = "210204",
    kinds: tuple[str, ...] = ("INSPECTION_TESTING",),
    group: str | None = None,
    name: str | None = None,
    person: Person | None = None,
    address: str | None = None,
) -> Institution:
    return Institution(
        uscc=uscc(serial, region),
        name=name or f"检测机构{serial}",
        kinds=kinds,
        region=region,
        group=group,
        legal_representative=person,
        address=address,
    )


def organization(serial: int, *, region: str = "210204") -> Organization:
    return Organization(uscc=uscc(50_000 + serial, region), name=f"企业{serial}", region=region)


def certificate(
    number: str,
    *,
    issuer: str,
    holder: str,
    expires_on: date = date(2028, 1, 1),
    status: str = "VALID",
    family: str = "MANAGEMENT_SYSTEM",
    standard: str = "GB/T 19001-2016",
) -> Certificate:
    return Certificate(
        number=number,
        family=family,
        standard=standard,
        scope="设计和生产",
        issued_on=date(2024, 1, 1),
        expires_on=expires_on,
        issuer=issuer,
        holder=holder,
        status=status,
        status_reason=None if status == "VALID" else "given",
    )
