"""Compile the modules of ``graph.native.COMPILED`` with mypyc into ``.native/``.

Usage: ``.venv/bin/python scripts/build_native.py [--if-stale]`` from anywhere. The C files
and objects go to a scratch directory; ``.native/`` gets only the extensions and a manifest
naming the interpreter and the digest of the sources they were built from (graph.native
uses them only while that digest matches). ``--if-stale`` does nothing when they match.
Exit status 1 when the build fails (no C compiler, say): the registry then runs as plain
Python, which ``scripts/install`` says.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from graph import native  # noqa: E402 - the project's root is put on the path just above


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--if-stale", action="store_true", help="skip a build that matches")
    args = parser.parse_args()
    digest = native.source_digest()
    tag = sys.implementation.cache_tag
    manifest = native.NATIVE_DIR / native.MANIFEST
    if args.if_stale and manifest.is_file():
        if native.is_fresh(manifest.read_text(encoding="utf-8"), digest=digest, tag=tag):
            print(f"compiled modules: up to date in {native.NATIVE_DIR}")
            return 0
    shutil.rmtree(native.NATIVE_DIR, ignore_errors=True)
    log = io.StringIO()
    with tempfile.TemporaryDirectory() as scratch:
        try:
            with contextlib.redirect_stdout(log), contextlib.redirect_stderr(log):
                _build(Path(scratch))
        except (Exception, SystemExit) as exc:
            shutil.rmtree(native.NATIVE_DIR, ignore_errors=True)
            print(log.getvalue()[-4000:], file=sys.stderr)
            print(f"compiled modules: build failed ({exc!r})", file=sys.stderr)
            return 1
    if native.source_digest() != digest:
        shutil.rmtree(native.NATIVE_DIR, ignore_errors=True)
        print("compiled modules: the sources changed during the build", file=sys.stderr)
        return 1
    built = {"python": tag, "sources": digest, "modules": list(native.COMPILED)}
    manifest.write_text(json.dumps(built, indent=1) + "\n", encoding="utf-8")
    print(f"compiled modules: {len(native.COMPILED)} built into {native.NATIVE_DIR}")
    return 0


def _build(scratch: Path) -> None:
    """mypyc's own build (it type-checks with the project's mypy settings, from ROOT)."""
    from mypyc.build import mypycify
    from setuptools import setup

    paths = [str(ROOT.joinpath(*name.split("."))) + ".py" for name in native.COMPILED]
    with contextlib.chdir(ROOT):
        extensions = mypycify(
            paths, opt_level="3", group_name=native.GROUP, target_dir=str(scratch / "c")
        )
        setup(
            name="registry-native",
            ext_modules=extensions,
            script_args=[
                "build_ext",
                "--build-lib",
                str(native.NATIVE_DIR),
                "--build-temp",
                str(scratch / "objects"),
            ],
        )


if __name__ == "__main__":
    sys.exit(main())
