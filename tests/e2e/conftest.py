"""A served registry with a PARTNER and an ADMIN key, for the end-to-end sync tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.serving import start_registry, stop_registry
from tests.e2e.test_serve import _registry


@pytest.fixture
def served_with_keys(tmp_path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    """The base URL of `registry serve` on fresh seeded data, and a key per role."""
    data = tmp_path / "registry-data"
    base, process = start_registry(data)
    try:
        keys = {}
        for role in ("PARTNER", "ADMIN"):
            created = _registry("keys", "create", "--role", role, data=data)
            assert created.returncode == 0, created.stderr
            keys[role] = created.stdout.strip().splitlines()[-1]
        yield base, keys
    finally:
        stop_registry(process)
