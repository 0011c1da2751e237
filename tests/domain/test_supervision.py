"""Classified supervision and 'double random' plans as a specification."""

from __future__ import annotations

import hashlib
import json
import random
from collections import Counter
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from registry.domain.credit_score import CreditAssessment, CreditInputs, assess_credit, grade_for
from registry.domain.supervision import (
    Evidence,
    Inspector,
    PlanInstitution,
    Reason,
    SupervisionClass,
    SupervisionReasonCode,
    draw_supervision_plan,
    is_supervised,
    supervision_class,
)

TODAY = date(2026, 6, 30)
C = SupervisionClass
INSTITUTIONS = [
    PlanInstitution(f"I{n:03d}", class_, group="G1" if n % 7 == 0 else None)
    for n, class_ in enumerate([C.A] * 40 + [C.B] * 30 + [C.C] * 20 + [C.D] * 5)
]
INSPECTORS = [
    Inspector(f"P{n:02d}", employer=f"I{n:03d}", group="G1" if n % 3 == 0 else None)
    for n in range(25)
]


def _assessment(score: float | None) -> CreditAssessment:
    grade = None if score is None else grade_for(score)
    return CreditAssessment("X", score, grade, "2026.2", TODAY, ())


RULE = Reason(SupervisionReasonCode.SERIOUS_VIOLATION, "listed", (Evidence("CreditEvent", "CE-1"),))
OTHER_RULE = Reason(
    SupervisionReasonCode.ISSUED_OUTSIDE_SCOPE, "outside", (Evidence("Certificate", "N1"),)
)


@pytest.mark.parametrize(
    ("score", "expected"), [(92.0, C.A), (85.0, C.A), (70.0, C.B), (55.0, C.C), (54.9, C.D)]
)
def test_class_follows_the_score_without_hard_rules(score: float, expected: C) -> None:
    decision = supervision_class(_assessment(score), ())
    assert decision.class_ is expected
    assert [r.code for r in decision.reasons] == [SupervisionReasonCode.SCORE]
    assert f"credit score {score:.1f}" in decision.reasons[0].text


def test_a_hard_rule_forces_d_whatever_the_score_and_keeps_its_evidence() -> None:
    decision = supervision_class(_assessment(99.0), (RULE,))

    assert decision.class_ is C.D
    assert decision.reasons[0] == RULE
    assert str(decision.reasons[0].evidence[0]) == "CreditEvent:CE-1"
    assert decision.reasons[-1].code is SupervisionReasonCode.SCORE
    assert "class A, overruled" in decision.reasons[-1].text


def test_every_hard_rule_is_a_reason_before_the_score() -> None:
    decision = supervision_class(_assessment(60.0), (RULE, OTHER_RULE))

    assert [r.code for r in decision.reasons] == [
        SupervisionReasonCode.SERIOUS_VIOLATION,
        SupervisionReasonCode.ISSUED_OUTSIDE_SCOPE,
        SupervisionReasonCode.SCORE,
    ]


def test_no_evidence_is_class_unrated_unless_a_hard_rule_applies() -> None:
    unrated = supervision_class(assess_credit(CreditInputs(uscc="X"), today=TODAY), ())
    forced = supervision_class(_assessment(None), (RULE,))

    assert unrated.class_ is C.UNRATED
    assert [r.code for r in unrated.reasons] == [SupervisionReasonCode.NO_EVIDENCE]
    assert forced.class_ is C.D
    assert forced.reasons[-1].code is SupervisionReasonCode.NO_EVIDENCE


@pytest.mark.parametrize(
    ("kinds", "supervised"),
    [
        (["INSPECTION_TESTING"], True),
        (["CERTIFICATION_BODY"], True),
        (["METROLOGY", "INSPECTION_TESTING"], True),
        (["STANDARDIZATION"], True),
        (["QUALITY_SERVICE_STATION"], True),
        (["REGULATOR"], False),
        (["ACCREDITATION_BODY"], False),
        (["ASSOCIATION"], False),
        (["GROUP"], False),
        (["REGULATOR", "INSPECTION_TESTING"], False),
        ([], False),
    ],
)
def test_only_market_institutions_are_supervised(kinds: list[str], supervised: bool) -> None:
    assert is_supervised(kinds) is supervised


def test_the_unrated_are_drawn_at_their_own_rate() -> None:
    unrated = [PlanInstitution(f"U{n:02d}", C.UNRATED) for n in range(20)]

    plan = draw_supervision_plan([*INSTITUTIONS, *unrated], INSPECTORS, seed=7)

    assert Counter(d.class_ for d in plan.draws)[C.UNRATED] == 2  # 10 % of 20
    assert dict(plan.population)[C.UNRATED] == 20


def test_rates_are_respected_rounding_up() -> None:
    plan = draw_supervision_plan(INSTITUTIONS, INSPECTORS, seed=7)
    drawn = Counter(d.class_ for d in plan.draws)
    assert drawn == {C.A: 2, C.B: 3, C.C: 6, C.D: 5}  # 5 % of 40, 10 % of 30, 30 % of 20, all D
    assert dict(plan.population) == {C.A: 40, C.B: 30, C.C: 20, C.D: 5, C.UNRATED: 0}


def test_a_non_empty_class_with_a_positive_rate_gets_at_least_one() -> None:
    plan = draw_supervision_plan(INSTITUTIONS[:3], INSPECTORS, seed=1, rates={C.A: 0.01})
    assert len(plan.draws) == 1


def test_a_zero_rate_skips_the_class_and_bad_rates_are_refused() -> None:
    plan = draw_supervision_plan(INSTITUTIONS, INSPECTORS, seed=1, rates={C.D: 0.0})
    assert all(d.class_ is not C.D for d in plan.draws)
    with pytest.raises(ValueError, match="rate"):
        draw_supervision_plan(INSTITUTIONS, INSPECTORS, seed=1, rates={C.A: 1.5})


def test_same_seed_same_plan_whatever_the_input_order() -> None:
    plan = draw_supervision_plan(INSTITUTIONS, INSPECTORS, seed=2026)
    shuffled_institutions, shuffled_inspectors = INSTITUTIONS[:], INSPECTORS[:]
    random.Random(3).shuffle(shuffled_institutions)
    random.Random(4).shuffle(shuffled_inspectors)
    again = draw_supervision_plan(shuffled_institutions, shuffled_inspectors, seed=2026)
    assert again == plan
    assert again.digest == plan.digest


def test_another_seed_gives_another_plan() -> None:
    one = draw_supervision_plan(INSTITUTIONS, INSPECTORS, seed=1)
    two = draw_supervision_plan(INSTITUTIONS, INSPECTORS, seed=2)
    assert one.draws != two.draws
    assert one.digest != two.digest


def test_digest_is_the_sha256_of_the_canonical_json() -> None:
    plan = draw_supervision_plan(INSTITUTIONS, INSPECTORS, seed=5)
    text = plan.canonical_json()
    assert plan.digest == hashlib.sha256(text.encode()).hexdigest()
    assert json.loads(text)["seed"] == 5


def test_shortfall_is_recorded_instead_of_breaking_the_rules() -> None:
    institution = PlanInstitution("I1", C.D, group="G")
    inspectors = [
        Inspector("own", employer="I1"),
        Inspector("sister", employer="I2", group="G"),
        Inspector("last-time"),
        Inspector("free"),
    ]
    plan = draw_supervision_plan(
        [institution], inspectors, seed=1, previous={"I1": frozenset({"last-time"})}
    )
    (draw,) = plan.draws
    assert draw.inspectors == ("free",)
    assert draw.shortfall == 1
    assert plan.shortfalls == (draw,)


@st.composite
def _worlds(
    draw: st.DrawFn,
) -> tuple[list[PlanInstitution], list[Inspector], dict[str, frozenset[str]]]:
    groups = st.sampled_from([None, "G1", "G2"])
    n = draw(st.integers(1, 12))
    institutions = [
        PlanInstitution(f"I{i}", draw(st.sampled_from(list(C))), draw(groups)) for i in range(n)
    ]
    employers = st.sampled_from([None, *(f"I{i}" for i in range(n))])
    inspectors = [
        Inspector(f"P{i}", draw(employers), draw(groups)) for i in range(draw(st.integers(0, 8)))
    ]
    ids = [i.id for i in inspectors]
    previous = {
        i.uscc: frozenset(draw(st.lists(st.sampled_from(ids), max_size=3))) if ids else frozenset()
        for i in institutions
    }
    return institutions, inspectors, previous


@settings(max_examples=60, deadline=None)
@given(world=_worlds(), seed=st.integers(0, 2**32))
def test_no_inspector_from_the_own_group_or_the_previous_plan(
    world: tuple[list[PlanInstitution], list[Inspector], dict[str, frozenset[str]]], seed: int
) -> None:
    institutions, inspectors, previous = world
    plan = draw_supervision_plan(institutions, inspectors, seed=seed, previous=previous)
    by_id = {i.id: i for i in inspectors}
    by_uscc = {i.uscc: i for i in institutions}
    assert {d.uscc for d in plan.draws} >= {i.uscc for i in institutions if i.class_ is C.D}
    for d in plan.draws:
        institution = by_uscc[d.uscc]
        assert len(d.inspectors) + d.shortfall == 2
        assert len(set(d.inspectors)) == len(d.inspectors)
        for inspector_id in d.inspectors:
            inspector = by_id[inspector_id]
            assert inspector_id not in previous[d.uscc]
            theirs = {inspector.employer, inspector.group} - {None}
            assert not theirs & {institution.uscc, institution.group}


def test_the_plan_example_in_docs_credit_method_md_is_stable() -> None:
    """A published plan must redraw to the same digest; this pins docs/credit-method.md."""
    institutions = [
        PlanInstitution(f"I{n:02d}", class_, group="G1" if n < 4 else None)
        for n, class_ in enumerate([C.A] * 10 + [C.B] * 6 + [C.C] * 3 + [C.D])
    ]
    inspectors = [
        Inspector("P1", employer="I00", group="G1"),
        Inspector("P2"),
        Inspector("P3"),
        Inspector("P4", employer="I12"),
    ]
    plan = draw_supervision_plan(
        institutions, inspectors, seed=20260701, previous={"I19": frozenset({"P2"})}
    )
    assert [(d.uscc, d.inspectors) for d in plan.draws] == [
        ("I04", ("P1", "P3")),
        ("I14", ("P1", "P4")),
        ("I16", ("P1", "P3")),
        ("I19", ("P3", "P4")),
    ]
    assert plan.digest == "9aa988161f1d9009b3681200d572873d1ca5663e1ff95333d62b4c870b9bb1b4"
    published = json.loads(plan.canonical_json())["inspectors"]
    assert [(i["id"], i["employer"], i["group"]) for i in published] == [
        ("P1", "I00", "G1"),
        ("P2", None, None),
        ("P3", None, None),
        ("P4", "I12", None),
    ]
