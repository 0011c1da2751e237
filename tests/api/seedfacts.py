"""What the seed files say, worked out from the JSON alone (never through the registry).

Tests compare the API's answers with these facts, so an answer is checked against an
independent reading of the data rather than against the code that produced it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from tests.conftest import TODAY

__all__ = [
    "accreditations_of",
    "certificate",
    "certificates",
    "effective_status",
    "history",
    "institution",
    "institutions",
    "organization",
    "region_statistics",
    "region_subtree",
    "seed",
    "usccs_of_institutions",
]

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
FINAL = {"WITHDRAWN", "CANCELLED"}


@cache
def _load(name: str) -> tuple[dict[str, Any], ...]:
    return tuple(json.loads((SEEDS / name).read_text(encoding="utf-8")))


def seed(name: str) -> list[dict[str, Any]]:
    """The rows of ``seeds/<name>.json`` (a fresh list; the rows are shared, do not mutate)."""
    return list(_load(f"{name}.json"))


def region_subtree(code: str) -> set[str]:
    """``code`` and every region below it."""
    children: dict[str | None, list[str]] = {}
    for region in seed("regions"):
        children.setdefault(region.get("parent"), []).append(region["code"])
    found, todo = set(), [code]
    while todo:
        current = todo.pop()
        found.add(current)
        todo.extend(children.get(current, []))
    return found


def institutions(where: Callable[[dict[str, Any]], bool] = lambda _: True) -> list[dict[str, Any]]:
    return [row for row in seed("institutions") if where(row)]


def usccs_of_institutions(where: Callable[[dict[str, Any]], bool]) -> set[str]:
    return {row["uscc"] for row in institutions(where)}


def institution(uscc: str) -> dict[str, Any]:
    return next(row for row in seed("institutions") if row["uscc"] == uscc)


def organization(uscc: str) -> dict[str, Any]:
    return next(row for row in seed("organizations") if row["uscc"] == uscc)


def accreditations_of(uscc: str) -> list[dict[str, Any]]:
    return sorted(
        (row for row in seed("accreditations") if row["holder"] == uscc),
        key=lambda row: row["number"],
    )


def history(number: str) -> list[dict[str, Any]]:
    """The seeded status changes of one certificate, in the order they were applied."""
    return [row for row in seed("status_changes") if row["number"] == number]


def _stored_status(row: dict[str, Any]) -> str:
    changes = history(row["number"])
    return changes[-1]["status"] if changes else row.get("status", "VALID")


def effective_status(row: dict[str, Any], *, today: date = TODAY) -> str:
    """The certificate's status today: final statuses stay, otherwise expiry wins."""
    stored = _stored_status(row)
    if stored in FINAL:
        return stored
    if date.fromisoformat(row["expiresOn"]) < today:
        return "EXPIRED"
    return stored


def certificate(number: str) -> dict[str, Any]:
    return next(row for row in seed("certificates") if row["number"] == number)


def certificates(where: Callable[[dict[str, Any]], bool] = lambda _: True) -> set[str]:
    """Numbers of the seeded certificates for which ``where`` holds."""
    return {row["number"] for row in seed("certificates") if where(row)}


def holder_region(row: dict[str, Any]) -> str:
    region: str = organization(row["holder"])["region"]
    return region


def region_statistics(code: str) -> dict[str, int]:
    """The figures ``region(code) { statistics }`` must report, from the seed files alone."""
    subtree = region_subtree(code)
    valid = [
        row
        for row in seed("certificates")
        if holder_region(row) in subtree and effective_status(row) == "VALID"
    ]
    return {
        "institutions": len(institutions(lambda row: row["region"] in subtree)),
        "validCertificates": len(valid),
        "certifiedOrganizations": len({row["holder"] for row in valid}),
    }
