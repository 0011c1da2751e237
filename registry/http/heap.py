"""The served process's heap: what is alive once the app has started is kept out of the
garbage collector's walks."""

from __future__ import annotations

import gc

__all__ = ["freeze_startup_heap"]


def freeze_startup_heap() -> int:
    """Move every object alive now (modules, the schema, the store's client) into the
    collector's permanent generation, and return how many are there.

    A full collection walks every tracked object; in a started app most of them are
    startup's and live as long as the process. Reading a page of 1,000 institutions makes
    enough objects to set off collections that walked them all: freezing them made an
    export a third cheaper per record (design note 36). Frozen objects are never
    collected, so only a process that serves calls this, once its startup is done."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
