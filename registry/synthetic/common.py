"""What more than one generator module uses: the batch size, the seeded random streams, and a
few small draws and date helpers.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterable, Iterator
from datetime import date
from typing import Final, TypeVar

from graph.port import MAX_WRITE_BATCH

__all__ = ["BATCH", "BRAND_SYLLABLES", "chunks", "draw_brand", "random_stream", "years_later"]

T = TypeVar("T")

BATCH: Final = MAX_WRITE_BATCH
BRAND_SYLLABLES: Final = "华恒信达通盛泰安宏远新科源嘉瑞德鑫正广天海中金明兴博力佳汇誉"


def random_stream(seed: int, stream: str, batch: int = 0) -> random.Random:
    """An independent, reproducible stream per (seed, entity, batch)."""
    return random.Random(f"{seed}/{stream}/{batch}")  # noqa: S311 - synthetic data, not secrets


def chunks(items: Iterable[T], size: int = BATCH) -> Iterator[list[T]]:
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def draw_brand(rng: random.Random) -> str:
    return "".join(rng.sample(BRAND_SYLLABLES, 2))


def years_later(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)
