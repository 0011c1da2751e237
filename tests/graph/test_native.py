"""The compiled copies of the bulk load's modules (graph.native): used only while they match
the source, and they build the same bytes as the plain Python they were compiled from."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from graph import native

ROOT = Path(__file__).resolve().parents[2]
# One bulk load's commands, built in a process of their own: whether the compiled copies were
# used, then a digest of every command's arguments in order and the load's last seq.
_SAMPLE = """
import hashlib
from graph import bulk_format, native
from graph.bulk_graph import BulkGraph
from graph.falkordb_bulk import _payload
from graph.search_keys import holder_keys
from registry.synthetic import bulk_data, plan_roster

built = BulkGraph(at="2026-12-04T00:00:00Z", actor="t", first_id=1, workers=2)
digest = hashlib.sha256()
for command in built.commands(bulk_data(plan_roster(seed=8, institutions=40, certificates=4000))):
    for part in _payload(command):
        digest.update(part if isinstance(part, bytes) else part.encode())
for name in ("中国ABC有限公司", "\\uff41\\uff42\\uff43\\uff11", "重庆长安汽车", "😀测试", "x"):
    digest.update(repr(holder_keys(name)).encode())
compiled = native.active() and not bulk_format.__file__.endswith(".py")
print("compiled" if compiled else "plain", digest.hexdigest(), built.seq)
"""


def _require_built() -> None:
    """CI builds them (REGISTRY_NATIVE_REQUIRED=1); elsewhere a machine may have no compiler."""
    if native.active():
        return
    if os.environ.get("REGISTRY_NATIVE_REQUIRED") == "1":
        pytest.fail("compiled modules are not built or stale, and REGISTRY_NATIVE_REQUIRED=1")
    pytest.skip("compiled modules not built here (scripts/install builds them)")


def _sample(*, compiled: bool) -> list[str]:
    env = {**os.environ, "REGISTRY_NATIVE": "1" if compiled else "0"}
    done = subprocess.run(
        [sys.executable, "-c", _SAMPLE],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return done.stdout.split()


def test_every_listed_module_is_loaded_compiled_when_built() -> None:
    _require_built()
    for name in native.COMPILED:
        file = importlib.import_module(name).__file__
        assert file is not None, name
        assert Path(file).is_relative_to(native.NATIVE_DIR), name


def test_the_compiled_modules_build_the_same_commands_as_the_plain_ones() -> None:
    _require_built()
    compiled, plain = _sample(compiled=True), _sample(compiled=False)
    assert (compiled[0], plain[0]) == ("compiled", "plain")
    assert compiled[1:] == plain[1:]


def test_an_edited_source_or_another_interpreter_turns_the_compiled_modules_off(
    tmp_path: Path,
) -> None:
    for package in ("graph", "registry"):
        (tmp_path / package / "sub").mkdir(parents=True)
        (tmp_path / package / "sub" / "a.py").write_text("A = 1\n")
    digest = native.source_digest(tmp_path)
    built = {"python": "cpython-311", "sources": digest, "modules": list(native.COMPILED)}
    manifest = json.dumps(built)
    assert native.is_fresh(manifest, digest=digest, tag="cpython-311")
    assert not native.is_fresh(manifest, digest=digest, tag="cpython-312")
    fewer = json.dumps({**built, "modules": []})
    assert not native.is_fresh(fewer, digest=digest, tag="cpython-311")
    assert not native.is_fresh("[1]", digest=digest, tag="cpython-311")
    assert not native.is_fresh("{", digest=digest, tag="cpython-311")
    (tmp_path / "registry" / "sub" / "a.py").write_text("A = 2\n")  # any module, not only those
    edited = native.source_digest(tmp_path)
    assert edited != digest
    assert not native.is_fresh(manifest, digest=edited, tag="cpython-311")
    (tmp_path / "graph" / "b.py").write_text("")  # a module added
    assert native.source_digest(tmp_path) not in (digest, edited)
