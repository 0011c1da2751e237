"""Holders' pinyin is converted word by word with a cache (graph.search_keys): it must be
what pypinyin gives for the whole name, which converts each word of it alone."""

from __future__ import annotations

import random

from pypinyin import Style, lazy_pinyin

from graph.search_keys import _as_itself, _word_syllables, _words, within_one_edit
from graph.text import normalise_text
from registry.synthetic import iter_organization_batches, plan_roster

_ODD = [
    "中国ABC有限公司",
    "\uff41\uff42\uff43\uff11\uff12\uff13",  # full-width abc123
    "重庆长安汽车",
    "银行行长",
    "乐乐音乐",
    "〇一二",
    "😀测试",
    "x",
]


def test_names_convert_word_by_word_as_pypinyin_converts_them_whole() -> None:
    roster = plan_roster(seed=3, institutions=200, certificates=2000)
    names = [o.name for batch in iter_organization_batches(roster) for o in batch] + _ODD
    for name in names:
        text = normalise_text(name)
        whole = lazy_pinyin(text, style=Style.TONE, errors=_as_itself)  # type: ignore[arg-type]
        assert [s for word in _words(text) for s in _word_syllables(word)] == whole, name
    assert _word_syllables.cache_info().hits > 0  # names share words


def _edits_to_a_part(query: str, name: str) -> int:
    """The fewest edits that make ``query`` some part of ``name`` (Sellers' table): the
    reference ``within_one_edit`` must agree with."""
    q, t = normalise_text(query), normalise_text(name)
    previous = list(range(len(q) + 1))
    best = previous[-1]
    for ch in t:
        current = [0]
        for i, qc in enumerate(q, start=1):
            current.append(min(previous[i - 1] + (qc != ch), previous[i] + 1, current[i - 1] + 1))
        best = min(best, current[-1])
        previous = current
    return best


def test_one_edit_from_a_part_of_a_name_agrees_with_the_edit_distance() -> None:
    """The bit-parallel check against the table it replaced (which held the event loop 0.7
    to 6 s a search), on every kind of edit and on random strings of a small alphabet."""
    name = "大连产品质量检验检测研究院"
    assert within_one_edit("质量检验检测", name)  # a part
    assert within_one_edit("质量检验捡测", name)  # one substituted
    assert within_one_edit("质量检验检检测", name)  # one inserted
    assert within_one_edit("质量检检测", name)  # one deleted
    assert not within_one_edit("质量捡验捡测", name)  # two
    assert not within_one_edit("", name)
    rng = random.Random(23)
    for _ in range(20_000):
        query = "".join(rng.choice("ab检验测") for _ in range(rng.randint(1, 7)))
        text = "".join(rng.choice("ab检验测") for _ in range(rng.randint(0, 9)))
        expected = len(normalise_text(query)) <= 1 or _edits_to_a_part(query, text) <= 1
        assert within_one_edit(query, text) is expected, (query, text)
