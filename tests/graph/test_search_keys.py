"""Holders' pinyin is converted word by word with a cache (graph.search_keys): it must be
what pypinyin gives for the whole name, which converts each word of it alone."""

from __future__ import annotations

from pypinyin import Style, lazy_pinyin

from graph.search_keys import _as_itself, _word_syllables, _words
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
