"""Search keys of a holder's name, computed when the name is written, and the same keys of a
query: the index finds a few candidates, the exact rule then checks only those.

- Part of the name: character bigrams (``nameGrams``, see ``graph.text``).
- Pinyin: the name's syllables (``pinyin``: ``daliantongyong...``) and their initials
  (``initials``: ``dlty...``); the indexed ``pinyinKeys`` hold each pair of adjacent syllables
  (``p:dalian``) and each run of three initials (``i:dlt``). A query word of two syllables or
  more is found by its first pair, an initials query by its first three letters; then every
  word must be in ``pinyin`` (or the initials in ``initials``).
- A one-character typo: a substitution, insertion or deletion breaks at most two adjacent
  bigrams of the query, so a holder the query names with one typo contains one of its two
  halves (:func:`typo_halves`) whole. Holders containing a half (the name-part lookup) are
  the candidates, a few hundred at most, and :func:`within_one_edit` decides.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from graph.text import normalise_text

__all__ = [
    "HolderKeys",
    "PinyinQuery",
    "holder_keys",
    "pinyin_query",
    "typo_halves",
    "within_one_edit",
]

_WORD = re.compile(r"[a-z]+")
_LONGEST_SYLLABLE = 6  # zhuang, shuang, chuang


@dataclass(frozen=True, slots=True)
class HolderKeys:
    pinyin: str
    initials: str
    keys: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PinyinQuery:
    """An indexed key to find candidates by, and what each must then contain."""

    anchor: str
    words: tuple[str, ...]  # each in the holder's ``pinyin`` (full pinyin) ...
    initials: str  # ... or this in its ``initials`` ('' when not an initials query)


def _syllables_of(text: str) -> list[str]:
    # Tone marks, then each distinct syllable toneless once: the same as Style.NORMAL at
    # two thirds of the time (a national load keys 200,000 names). Each other character (a
    # letter, a digit) stands for itself, marked so that it stays as it is.
    found = [s for word in _words(text) for s in _word_syllables(word)]
    return [
        s[1:] if s[0] == _ITSELF else _toneless(s) if not s.isascii() else s for s in found if s
    ]


@lru_cache(maxsize=1)
def _pinyin() -> Any:
    from pypinyin.converter import UltimateConverter  # ~1 s to load: only where names are written
    from pypinyin.core import Pinyin

    return Pinyin(UltimateConverter(v_to_u=False, neutral_tone_with_five=False, tone_sandhi=False))


def _words(text: str) -> list[str]:
    """``text`` cut into words as pypinyin's ``lazy_pinyin`` cuts it."""
    return list(_pinyin().seg(text))


@lru_cache(maxsize=65_536)
def _word_syllables(word: str) -> tuple[str, ...]:
    """One word's syllables with tone marks, as ``lazy_pinyin(text, style=Style.TONE)``
    gives them for that word of ``text``: it converts word by word, and names share most of
    their words (a city, an industry, 有限公司), so each is converted once."""
    from pypinyin import Style

    converted = _pinyin()._converter.convert(word, Style.TONE, False, _as_itself, strict=True)
    return tuple(s for readings in converted for s in readings)


_ITSELF = "\x00"


def _as_itself(chars: str) -> list[str]:
    return [_ITSELF + c for c in chars]


@lru_cache(maxsize=4096)
def _toneless(syllable: str) -> str:
    from pypinyin.contrib.tone_convert import to_normal

    return str(to_normal(syllable))


@lru_cache(maxsize=1)
def _known_syllables() -> frozenset[str]:
    from pypinyin.contrib.tone_convert import to_normal
    from pypinyin.pinyin_dict import pinyin_dict

    readings = {r for value in pinyin_dict.values() for r in value.split(",")}
    return frozenset(to_normal(r) for r in readings)


def holder_keys(name: str) -> HolderKeys:
    """The pinyin search keys of a holder's name (its normal form, so widths and case agree
    with the query's)."""
    syllables = _syllables_of(normalise_text(name))
    initials = "".join(s[0] for s in syllables)
    pairs = {f"p:{a}{b}" for a, b in itertools.pairwise(syllables)}
    runs = {f"i:{initials[i : i + 3]}" for i in range(len(initials) - 2)}
    return HolderKeys("".join(syllables), initials, tuple(sorted(pairs | runs)))


def _segment(word: str) -> list[str] | None:
    """``word`` as the fewest pinyin syllables (``xian`` rather than ``xi an``), or None."""
    known = _known_syllables()
    best: list[list[str] | None] = [[]] + [None] * len(word)
    for end in range(1, len(word) + 1):
        for start in range(max(0, end - _LONGEST_SYLLABLE), end):
            before = best[start]
            if before is not None and word[start:end] in known:
                candidate = [*before, word[start:end]]
                current = best[end]
                if current is None or len(candidate) < len(current):
                    best[end] = candidate
    return best[len(word)]


def pinyin_query(text: str) -> list[PinyinQuery]:
    """How ``text`` could be pinyin: full syllables (``dalian chanpin``) and, for one word of
    three letters or more, initials (``dlcp``). Empty when it is neither."""
    folded = text.strip().casefold()
    words = tuple(folded.split())
    if not words or not all(_WORD.fullmatch(w) for w in words):
        return []
    found: list[PinyinQuery] = []
    segmented = [_segment(w) for w in words]
    anchored = [s for s in segmented if s is not None and len(s) >= 2]
    if all(s is not None for s in segmented) and anchored:
        longest = max(anchored, key=lambda s: len("".join(s)))
        found.append(PinyinQuery(f"p:{longest[0]}{longest[1]}", words, ""))
    if len(words) == 1 and len(words[0]) >= 3:
        found.append(PinyinQuery(f"i:{words[0][:3]}", (), words[0]))
    return found


def typo_halves(text: str) -> tuple[str, ...]:
    """Two parts of the query, one of which a holder it names with one typo contains whole;
    ``()`` when the query is too short to tell (under four characters).

    A typo breaks at most two adjacent bigrams of the query (a substitution or an inserted
    character two, a deleted one a single one). Leave the middle bigram out and split the
    rest in two: no two adjacent bigrams lie in both halves, so one half is intact."""
    normal = normalise_text(text)
    bigrams = len(normal) - 1
    if bigrams < 3:
        return ()
    gap = (bigrams - 1) // 2  # the bigram left out: characters gap and gap + 1
    return (normal[: gap + 1], normal[gap + 1 :])


def within_one_edit(query: str, name: str) -> bool:
    """Whether some part of ``name`` is ``query`` with at most one character substituted,
    inserted or deleted (normal forms compared).

    Bit-parallel (Wu and Manber's Shift-And with one error): bit ``i`` of ``exact`` says the
    query's first ``i + 1`` characters end at the current character of the name, and of
    ``one`` the same with one edit. So each character of the name costs a few integer
    operations, not one step per query character: the table walk this replaces took 0.7 s
    of the event loop for a search of 600 candidates, and 6 s with 200-character names
    (twenty-third session's review)."""
    q, t = normalise_text(query), normalise_text(name)
    if len(q) <= 1:
        return bool(q)
    if len(t) < len(q) - 1:  # a part of it would need two deletions or more
        return False
    masks: dict[str, int] = {}
    for i, ch in enumerate(q):
        masks[ch] = masks.get(ch, 0) | 1 << i
    found, every = 1 << (len(q) - 1), (1 << len(q)) - 1
    exact, one = 0, 1  # the first character may be left out before any is read
    for ch in t:
        mask = masks.get(ch, 0)
        matched = ((exact << 1) | 1) & mask
        one = (
            (((one << 1) | 1) & mask)  # the next character matches
            | exact  # this character of the name is one too many
            | (exact << 1)
            | 1  # it stands for the query's next character
            | (matched << 1)
            | 1  # the query's next character is missing
        ) & every
        exact = matched
        if one & found:
            return True
    return False
