"""Identifiers typed full width, in lower case or with spaces name the stored identifier."""

from __future__ import annotations

import pytest

from registry.domain.identifiers import normalise_identifier
from registry.records import AccreditationRecord
from tests.input_methods import full_width

DALIAN_CERTIFICATE = "CCSC23SC0102R2"
CCSC = "91110101940807760M"
CNAS = "12110105777699279Y"


@pytest.mark.parametrize(
    "typed",
    [
        DALIAN_CERTIFICATE,
        full_width(DALIAN_CERTIFICATE),
        DALIAN_CERTIFICATE.lower(),
        full_width(DALIAN_CERTIFICATE.lower()),
        f"  {DALIAN_CERTIFICATE}\t",
        f"\u3000{full_width(DALIAN_CERTIFICATE)}\u3000",  # ideographic spaces around
    ],
)
def test_a_certificate_number_as_people_type_it_is_the_stored_one(typed: str) -> None:
    assert normalise_identifier(typed) == DALIAN_CERTIFICATE


def test_normalising_twice_changes_nothing() -> None:
    once = normalise_identifier(full_width(" ccsc23sc0102r2 "))
    assert normalise_identifier(once) == once


def test_input_records_store_identifiers_in_their_normal_form() -> None:
    accreditation = AccreditationRecord.model_validate(
        {
            "number": full_width("cnas-c001-m"),
            "scheme": "CNAS_MANAGEMENT_SYSTEM_17021",
            "body": full_width(CNAS).lower(),
            "holder": f" {full_width(CCSC)} ",
            "scope": ["ISO 9001"],
            "validFrom": "2024-01-01",
            "validUntil": "2030-01-01",
        }
    )
    assert (accreditation.number, accreditation.body) == ("CNAS-C001-M", CNAS)
    assert accreditation.holder == CCSC
