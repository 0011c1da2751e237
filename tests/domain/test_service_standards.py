"""The service-certification standards as data, and the rules an assessment is held to."""

from __future__ import annotations

import pytest

from registry.domain.service_standards import (
    ASSUMED,
    SERVICE_STANDARDS,
    certificate_disagreement,
    scheme_problems,
    service_standard,
    stars_from_score,
    weighted_total,
)
from registry.domain.vocabulary import AssessmentElement

DALIAN = "CCSC-SC-JYJC-2017"
FOUR = [e.value for e in AssessmentElement]


@pytest.mark.parametrize(
    ("total", "stars"),
    [(100, 5), (90, 5), (89.99, 4), (80, 4), (79.99, 3), (70, 3), (60, 2), (50, 1), (49.99, None)],
)
def test_the_bands_turn_a_total_into_stars(total: float, stars: int | None) -> None:
    standard = SERVICE_STANDARDS[DALIAN]

    assert stars_from_score(standard, total) == stars


def test_every_standard_lists_its_bands_highest_first_and_says_they_are_assumed() -> None:
    for standard in SERVICE_STANDARDS.values():
        floors = [band.min_score for band in standard.bands]
        assert floors == sorted(floors, reverse=True), standard.code
        assert [band.stars for band in standard.bands] == [5, 4, 3, 2, 1]
        assert standard.bands_source == ASSUMED  # no document gives a threshold
        assert standard.cpsq_source == ASSUMED


def test_what_the_documents_give_is_cited_not_assumed() -> None:
    ga = SERVICE_STANDARDS["GA/T 594-2006"]
    scheme = SERVICE_STANDARDS[DALIAN]

    assert {t.source for t in ga.indicator_classes} == {"seed 004: service-certification explainer"}
    assert len(scheme.characteristics) == 9
    assert all(t.source.startswith("seed 000") for t in scheme.characteristics)
    assert scheme.elements_source.startswith("seed 000")


def test_the_total_weighs_each_score() -> None:
    assert weighted_total([94, 92, 90, 91], [0.4, 0.2, 0.2, 0.2]) == 92.2


def test_an_assessment_with_the_schemes_elements_and_its_cpsq_fits() -> None:
    assert scheme_problems(SERVICE_STANDARDS[DALIAN], FOUR, 80.0) == []


def test_a_missing_element_and_a_low_cpsq_are_named() -> None:
    problems = scheme_problems(SERVICE_STANDARDS[DALIAN], FOUR[:3], 79.9)

    assert [(field, code) for field, code, _ in problems] == [
        ("elements", "MISSING_ELEMENT"),
        ("cpsq", "CPSQ_BELOW_THRESHOLD"),
    ]


def test_an_element_the_scheme_does_not_assess_is_named_where_it_stands() -> None:
    problems = scheme_problems(SERVICE_STANDARDS[DALIAN], [*FOUR, "SURVEY"], 85.0)

    assert [(field, code) for field, code, _ in problems] == [
        ("elements[4].element", "ELEMENT_NOT_IN_SCHEME")
    ]


@pytest.mark.parametrize(
    ("standard", "stars", "code"),
    [
        (DALIAN, 5, None),
        (DALIAN, 4, "STARS_DISAGREE_WITH_ASSESSMENT"),
        (DALIAN, None, "STARS_DISAGREE_WITH_ASSESSMENT"),
        ("GB/T 27922-2011", 5, "STANDARD_DISAGREES_WITH_ASSESSMENT"),
    ],
)
def test_a_certificate_must_carry_what_its_assessment_earns(
    standard: str, stars: int | None, code: str | None
) -> None:
    found = certificate_disagreement(DALIAN, 92.2, standard=standard, stars=stars)

    assert (None if found is None else found[0]) == code


def test_an_unknown_code_is_no_standard() -> None:
    assert service_standard("GB/T 20647.9-2006") is None
