"""Every verdict, warning and word a page shows has its Chinese and its English text."""

from __future__ import annotations

import re
from collections.abc import Mapping
from enum import StrEnum

import pytest

from registry.domain.credit_score import FactorName
from registry.domain.data_quality import QualityFactorName
from registry.domain.supervision import SupervisionClass, SupervisionReasonCode
from registry.domain.verification import Verdict, VerificationWarning
from registry.domain.vocabulary import (
    AccreditationScheme,
    AccreditationStatus,
    AssessmentElement,
    CertificateFamily,
    CertificateStatus,
    InstitutionKind,
    InstitutionStatus,
    RegionLevel,
    ServiceCategory,
    StationRole,
)
from registry.domain.warning_texts import WARNING_TEXT
from registry.web import words
from registry.web.verification_view import verdict_words

CHINESE = re.compile(r"[\u4e00-\u9fff]")
LATIN = re.compile(r"[A-Za-z]")


@pytest.mark.parametrize("verdict", list(Verdict))
def test_every_verdict_reads_in_chinese_then_english(verdict: Verdict) -> None:
    chinese, _, english = verdict_words(verdict).partition(" ")
    assert CHINESE.search(chinese)
    assert not LATIN.search(chinese)
    assert LATIN.search(english)


@pytest.mark.parametrize("warning", list(VerificationWarning))
def test_every_warning_has_both_texts(warning: VerificationWarning) -> None:
    english, chinese = WARNING_TEXT[warning]
    assert CHINESE.search(chinese)
    assert LATIN.search(english)
    assert not CHINESE.search(english)


TABLES: list[tuple[Mapping[str, tuple[str, str]], type[StrEnum]]] = [
    (words.FAMILIES, CertificateFamily),
    (words.CERTIFICATE_STATUSES, CertificateStatus),
    (words.INSTITUTION_STATUSES, InstitutionStatus),
    (words.ACCREDITATION_STATUSES, AccreditationStatus),
    (words.KINDS, InstitutionKind),
    (words.SCHEMES, AccreditationScheme),
    (words.SERVICE_CATEGORIES, ServiceCategory),
    (words.LEVELS, RegionLevel),
    (words.SUPERVISION_CLASSES, SupervisionClass),
    (words.SUPERVISION_REASONS, SupervisionReasonCode),
    (words.FACTORS, FactorName),
    (words.QUALITY_FACTORS, QualityFactorName),
    (words.ASSESSMENT_ELEMENTS, AssessmentElement),
    (words.STATION_ROLES, StationRole),
]


@pytest.mark.parametrize(("table", "vocabulary"), TABLES, ids=lambda v: getattr(v, "__name__", ""))
def test_every_value_a_page_shows_has_words_in_both_languages(
    table: Mapping[str, tuple[str, str]], vocabulary: type[StrEnum]
) -> None:
    assert set(table) == {member.value for member in vocabulary}
    for chinese, english in table.values():
        assert CHINESE.search(chinese)
        assert LATIN.search(english)
        assert not CHINESE.search(english)


def test_a_value_without_words_is_still_shown() -> None:
    assert "NEW_KIND" in words.word(words.KINDS, "NEW_KIND")
