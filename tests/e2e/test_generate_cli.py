"""`registry generate` as a real process: the ranking answers without a recompute."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest

from graph.models import InstitutionQuery, RankingQuery
from graph.open import open_store
from registry.domain.supervision import is_supervised

pytestmark = pytest.mark.slow


async def test_generate_leaves_every_supervised_institution_ranked(tmp_path: Path) -> None:
    data = tmp_path / "generated"
    process = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "registry.cli", "generate", "--data", str(data)),
        *("--institutions", "60", "--certificates", "300", "--seed", "7"),
        env={k: v for k, v in os.environ.items() if not k.startswith("REGISTRY_")},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(process.communicate(), timeout=300)
    assert process.returncode == 0, output.decode()

    store = await open_store(f"falkordb+embedded://{data}")
    try:
        institutions = await store.list_institutions(InstitutionQuery(), after=None, limit=1000)
        ranked = await store.rank_institutions(RankingQuery(), after=None, limit=1000)
    finally:
        await store.close()
    supervised = {i.uscc for i in institutions if is_supervised(i.kinds)}
    assert {r.institution.uscc for r in ranked} == supervised
    assert any(r.score is not None for r in ranked)
    assert "credit assessments written" in output.decode()
