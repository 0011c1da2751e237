"""`registry keys create | list | revoke` beside two serving processes that share one data
directory: a revoked key is refused by both within a second, and listings show whom each key
acts for, never its secret."""

from __future__ import annotations

import json
import time
from pathlib import Path

import httpx
import pytest

from registry.auth import key_digest
from tests.e2e.serving import start_registry, stop_registry
from tests.e2e.test_serve import _registry

pytestmark = pytest.mark.slow

CCSC = "91110101940807760M"
CQC = "121101064193791361"
LOOKUP = {"query": '{ region(code: "210200") { name } }'}


def _created(*args: str, data: Path) -> str:
    created = _registry("keys", "create", *args, data=data)
    assert created.returncode == 0, created.stderr
    return created.stdout.strip().splitlines()[-1]


def _status(base: str, key: str) -> int:
    headers = {"Authorization": f"Bearer {key}"}
    return httpx.post(f"{base}/graphql", json=LOOKUP, headers=headers, timeout=10).status_code


def test_a_revoked_key_is_refused_by_every_serving_process_within_a_second(
    tmp_path: Path,
) -> None:
    data = tmp_path / "registry-data"
    first, one = start_registry(data)
    try:
        second, two = start_registry(data)  # a second process on the same database
        try:
            key = _created(
                "--role", "PARTNER", "--institution", f"{CCSC},{CQC}", "--label", "platform",
                "--regions", "210000", "--expires-in", "30", data=data,
            )  # fmt: skip
            regulator = _created("--role", "REGULATOR", "--region", "210200", data=data)
            assert (_status(first, key), _status(second, key)) == (200, 200)

            listed = _registry("keys", "list", "--json", data=data)
            revoked = _registry("keys", "revoke", "platform", data=data)
            started = time.monotonic()
            refusals = (_status(first, key), _status(second, key))
            waited = time.monotonic() - started
        finally:
            stop_registry(two)
    finally:
        stop_registry(one)

    assert revoked.returncode == 0, revoked.stderr
    assert refusals == (401, 401)
    assert waited < 1.0
    rows = {row["label"]: row for row in map(json.loads, listed.stdout.splitlines())}
    platform = rows["platform"]
    assert (platform["role"], platform["institutions"], platform["regions"]) == (
        "PARTNER",
        [CCSC, CQC],
        ["210000"],
    )
    assert platform["state"] == "active"
    assert platform["expires"] > platform["created"]
    assert platform["lastUsed"] is not None
    assert platform["id"] == key_digest(key)[:12]
    for secret in (key, regulator):
        assert secret not in listed.stdout
        assert key_digest(secret) not in listed.stdout
    assert [row["regions"] for row in rows.values() if row["role"] == "REGULATOR"] == [["210200"]]


def test_keys_must_name_whom_they_act_for(tmp_path: Path) -> None:
    data = tmp_path / "registry-data"  # the command opens the store itself

    regulator = _registry("keys", "create", "--role", "REGULATOR", data=data)
    body = _registry("keys", "create", "--role", "CERTIFICATION_BODY", data=data)
    unknown = _registry("keys", "revoke", "nobody", data=data)
    table = _registry("keys", "list", data=data)

    assert regulator.returncode == 2
    assert "--region" in regulator.stderr
    assert body.returncode == 2
    assert "bound to its institution" in body.stderr
    assert unknown.returncode == 2
    assert table.returncode == 0
    assert table.stdout.split()[:4] == ["id", "role", "state", "label"]
