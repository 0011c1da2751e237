"""Compiled copies of the bulk load's hottest modules (mypyc), used only while they match the
source.

Why: a 1M load is bound by CPU (design note 52), and most of its Python time is spent in a
few typed loops: encoding the bulk format, the region tallies, the holders' search keys, the
synthetic certificates. mypyc compiles those same modules, unchanged, to C extensions
(``scripts/build_native.py``, run by ``scripts/install`` where a C compiler is found).

The ``.py`` files stay the only source of truth. A build records a digest of every source
file of ``graph/`` and ``registry/``, since the compiler read the types of what the compiled
modules import. A process then finds the modules of :data:`COMPILED` (and their shared
library) in ``.native/`` only if that digest still matches: after any edit, until the next
build, every module is the plain Python one. ``REGISTRY_NATIVE=0`` turns the copies off
(the tests compare both). ``graph`` and ``registry`` install the finder on import, before
any of their modules is loaded. This module is never compiled itself.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import logging
import os
import sys
from collections.abc import Sequence
from functools import cache
from importlib.abc import MetaPathFinder
from importlib.machinery import EXTENSION_SUFFIXES, ModuleSpec
from pathlib import Path
from types import ModuleType

__all__ = [
    "COMPILED",
    "GROUP",
    "MANIFEST",
    "NATIVE_DIR",
    "ROOT",
    "active",
    "install",
    "is_fresh",
    "source_digest",
    "state",
]

# A compiled class cannot be subclassed by plain Python, so a base class goes with its
# subclasses (bulk_records with bulk_graph).
COMPILED = (
    "graph.bulk_certificates",
    "graph.bulk_credit",
    "graph.bulk_format",
    "graph.bulk_graph",
    "graph.bulk_records",
    "graph.search_keys",
    "graph.tallies",
    "graph.text",
    "registry.synthetic.accreditations",
    "registry.synthetic.certificates",
    "registry.synthetic.common",
    "registry.synthetic.institutions",
)
GROUP = "registry_native"  # the compiled modules' shared library: GROUP + "__mypyc"
ROOT = Path(__file__).resolve().parent.parent
NATIVE_DIR = ROOT / ".native"
MANIFEST = "manifest.json"
_SOURCES = ("graph", "registry")
_log = logging.getLogger(__name__)


def source_digest(root: Path = ROOT) -> str:
    """One digest of every Python source file the compiled modules were checked against."""
    digest = hashlib.sha256()
    for package in _SOURCES:
        for path in sorted((root / package).rglob("*.py")):
            digest.update(path.relative_to(root).as_posix().encode() + b"\x00")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def is_fresh(manifest: str, *, digest: str, tag: str | None) -> bool:
    """Whether a build's manifest was made from these sources, for this interpreter."""
    try:
        built = json.loads(manifest)
    except ValueError:
        return False
    return (
        isinstance(built, dict)
        and built.get("python") == tag
        and built.get("sources") == digest
        and built.get("modules") == list(COMPILED)
    )


@cache
def active() -> bool:
    """Whether this process uses the compiled copies (decided once, on first import)."""
    if os.environ.get("REGISTRY_NATIVE", "1") == "0":
        return False
    try:
        manifest = (NATIVE_DIR / MANIFEST).read_text(encoding="utf-8")
    except OSError:
        return False
    if is_fresh(manifest, digest=source_digest(), tag=sys.implementation.cache_tag):
        return True
    _log.info("compiled modules in %s are stale: plain Python until scripts/install", NATIVE_DIR)
    return False


def state() -> str:
    """``on`` or ``off``: what a bench prints beside its figures."""
    return "on" if active() else "off"


class _Finder(MetaPathFinder):
    """Finds the modules of :data:`COMPILED` and their shared library in ``.native/``."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        if fullname not in _NAMES or not active():
            return None
        base = NATIVE_DIR.joinpath(*fullname.split("."))
        for suffix in EXTENSION_SUFFIXES:
            file = base.with_name(base.name + suffix)
            if file.is_file():
                return importlib.util.spec_from_file_location(fullname, file)
        return None


_NAMES = frozenset((*COMPILED, GROUP + "__mypyc"))
_FINDER = _Finder()


def install() -> None:
    """Put the finder first, once per process (before the package's own modules load)."""
    if _FINDER not in sys.meta_path:
        sys.meta_path.insert(0, _FINDER)
