"""A suspension that lands between a body's checks and its write: the write expects the
versions of every record its checks read, so it reads and checks again, and the sanction
holds. The regulator's (or ADMIN's) step is made to land inside the body's request by
running it just before the store write that request makes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from graph.models import StatusChange
from graph.port import GraphStore
from registry.auth import actor_prefix
from registry.domain.vocabulary import Role
from tests.api.conftest import GraphQLClient
from tests.api.operations import CCSC, CNAS, CQC_PRODUCT_GRANT, certificate_row, mutate
from tests.api.test_write_access import partner
from tests.conftest import TODAY

CCSC_KEY = {"role": Role.CERTIFICATION_BODY, "institution": CCSC}


def _meanwhile(
    monkeypatch: pytest.MonkeyPatch,
    store: GraphStore,
    write: str,
    step: Callable[[], Awaitable[object]],
) -> list[bool]:
    """Run ``step`` once, just before the first call of the store's ``write``."""
    store_write = getattr(store, write)
    raced: list[bool] = []

    async def racing(*args: Any, **kwargs: Any) -> Any:
        if not raced:
            raced.append(True)
            await step()
        return await store_write(*args, **kwargs)

    monkeypatch.setattr(store, write, racing)
    return raced


def _suspension(store: GraphStore, number: str, *, certificate: bool = True) -> Callable[[], Any]:
    step = StatusChange(number, "SUSPENDED", "监督抽查不合格", TODAY, "", "")
    if certificate:
        actor = f"{actor_prefix(Role.REGULATOR)}r"
        return lambda: store.change_certificate_statuses([step], actor=actor)
    actor = f"{actor_prefix(Role.ADMIN)}a"
    return lambda: store.change_accreditation_statuses([step], actor=actor)


async def test_a_re_send_checked_before_a_suspension_landed_is_checked_again(
    api: GraphQLClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A body's re-send to expire sooner and its regulator's suspension, sent at once, both
    landed: the re-send had been checked against a read from before the suspension
    (twenty-fourth session's review)."""
    row = certificate_row("CCSC26Q55010")
    issued = await mutate(api, "issueCertificates", [row], **CCSC_KEY)
    assert issued["__typename"] == "IssueCertificatesSuccess", issued
    suspension = _suspension(api.store, "CCSC26Q55010")
    raced = _meanwhile(monkeypatch, api.store, "issue_certificates", suspension)

    shortened = await mutate(
        api, "issueCertificates", [{**row, "expiresOn": "2026-11-25"}], **CCSC_KEY
    )

    assert raced == [True]
    assert (shortened["code"], shortened["field"]) == ("NOT_AUTHORIZED", "input[0].expiresOn")


async def test_a_new_number_checked_before_a_suspension_landed_is_checked_again(
    api: GraphQLClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same certificate under a new number, checked while the first was not yet
    suspended, was written after the suspension landed: the holder held both, the new one
    VALID (twenty-fourth session's noted race)."""
    issued = await mutate(api, "issueCertificates", [certificate_row("CCSC26Q55020")], **CCSC_KEY)
    assert issued["__typename"] == "IssueCertificatesSuccess", issued
    raced = _meanwhile(
        monkeypatch, api.store, "issue_certificates", _suspension(api.store, "CCSC26Q55020")
    )
    again = await mutate(api, "issueCertificates", [certificate_row("CCSC26Q55021")], **CCSC_KEY)

    assert raced == [True]
    assert (again["code"], again["field"]) == ("NOT_AUTHORIZED", "input[0].standard"), again
    assert (await api.store.get_certificates(["CCSC26Q55021"])) == []


@pytest.mark.parametrize(
    ("sent", "field"),
    [
        ({**CQC_PRODUCT_GRANT, "validUntil": "2026-11-23"}, "input[0].validUntil"),
        (
            {**CQC_PRODUCT_GRANT, "number": "CNAS-C001-P2", "validFrom": "2026-11-22"},
            "input[0].scheme",
        ),
    ],
    ids=["shortened", "granted-again"],
)
async def test_a_grant_checked_before_a_suspension_landed_is_checked_again(
    api: GraphQLClient, monkeypatch: pytest.MonkeyPatch, sent: dict[str, Any], field: str
) -> None:
    """What holds for certificates holds for accreditations: CNAS's re-send to end the grant
    sooner, or its new grant of the same scheme, checked before ADMIN's suspension landed,
    is checked again after it."""
    cnas = await partner(api, CNAS)
    suspension = _suspension(api.store, "CNAS-C001-P", certificate=False)
    raced = _meanwhile(monkeypatch, api.store, "upsert_accreditations", suspension)

    payload = await mutate(api, "upsertAccreditations", [sent], bearer=cnas)

    assert raced == [True]
    assert (payload["code"], payload["field"]) == ("NOT_AUTHORIZED", field), payload
