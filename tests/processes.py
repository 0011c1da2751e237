"""Whether a process is still running, read from ``/proc``: the one check the tests share."""

from __future__ import annotations

from pathlib import Path


def alive(pid: int) -> bool:
    """A zombie counts as dead. A process reaped between opening its ``stat`` and reading it
    makes the read fail with ESRCH rather than ENOENT: both mean it is gone."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split()[2]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"
