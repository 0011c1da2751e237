"""A served app keeps what its startup left out of the garbage collector's walks (design
note 36). Run in a child process: freezing is for a process that serves, not for pytest's."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

_STARTED = """
import asyncio, gc, sys
from registry.app import create_app
from registry.settings import Settings

async def main():
    app = create_app(Settings(data_dir=sys.argv[1], load_seeds_when_empty=False))
    before = gc.get_freeze_count()
    async with app.router.lifespan_context(app):
        print(before, gc.get_freeze_count())

if __name__ == "__main__":
    asyncio.run(main())
"""


def test_the_started_app_freezes_what_its_startup_left(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", _STARTED, str(tmp_path / "data")],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    before, after = (int(count) for count in done.stdout.split())
    assert before == 0
    # The schema, the modules and the store's client: tens of thousands of objects.
    assert after > 10_000
