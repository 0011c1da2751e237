"""Institutions as the roster plans them: names by kind and place, addresses, legal
representatives (some shared), founding dates and statuses.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Final

from graph.models import Institution, Person
from registry.domain.persons import person_key
from registry.domain.vocabulary import InstitutionStatus
from registry.synthetic.catalogue import (
    ASSOCIATION,
    CB,
    FIELDS,
    FOREIGN,
    GROUP,
    METROLOGY,
    PRIVATE,
    PUBLIC,
    REGULATOR,
    STANDARDIZATION,
    STATION,
)
from registry.synthetic.common import BATCH, draw_brand, random_stream
from registry.synthetic.places import PLACE_BY_CODE, Place
from registry.synthetic.roster import CNAS, CNCA, Roster

__all__ = ["iter_institution_batches"]

_PERSON_SECRET: Final = b"synthetic"
_SHARED_ADDRESS_RATE: Final = 0.02
_SHARED_PERSON_RATE: Final = 0.03
_SURNAMES: Final = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹"
_GIVEN_NAMES: Final = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红文辉"
_ROADS: Final = (
    "人民路", "中山路", "解放路", "建设路", "长江路", "黄河路", "科技路", "创新大道",
    "高新大道", "工业路", "滨海路", "和平路", "学院路", "金融街", "开发区大道",
)  # fmt: skip
_ID_WEIGHTS: Final = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def iter_institution_batches(roster: Roster) -> Iterator[list[Institution]]:
    """Institutions in index order, which puts the groups before their members."""
    for number, start in enumerate(range(0, roster.institutions, BATCH)):
        rng = random_stream(roster.seed, "institutions", number)
        batch: list[Institution] = []
        addresses: dict[str, list[str]] = {}
        people: list[Person] = []
        for index in range(start, min(start + BATCH, roster.institutions)):
            uscc = roster.institution_usccs[index]
            place = PLACE_BY_CODE[roster.institution_regions[index]]
            nearby = addresses.setdefault(place.code, [])
            if nearby and rng.random() < _SHARED_ADDRESS_RATE:
                address = rng.choice(nearby)
            else:
                address = f"{place.address_prefix}{rng.choice(_ROADS)}{rng.randint(1, 999)}号"
                nearby.append(address)
            if people and rng.random() < _SHARED_PERSON_RATE:
                person = rng.choice(people)
            else:
                person = _person(rng, region=place.code, scope=uscc)
                people.append(person)
            group = roster.institution_groups[index]
            kinds, ownership = roster.institution_kinds[index], roster.institution_ownerships[index]
            batch.append(
                Institution(
                    uscc=uscc,
                    name=_institution_name(rng, roster, index, place),
                    kinds=kinds,
                    region=place.code,
                    address=address,
                    legal_representative=person,
                    founded=_founded(rng, kinds, ownership),
                    ownership=ownership,
                    status=_institution_status(rng) if index > CNCA else "ACTIVE",
                    group=None if group is None else roster.institution_usccs[group],
                )
            )
        yield batch


def _institution_name(rng: random.Random, roster: Roster, index: int, place: Place) -> str:
    if index == CNAS:
        return "中国合格评定国家认可委员会"
    if index == CNCA:
        return "国家认证认可监督管理委员会"
    kinds = roster.institution_kinds[index]
    field = FIELDS[roster.institution_fields[index]].name
    public = roster.institution_ownerships[index] == PUBLIC
    city, brand = place.short, draw_brand(rng)
    if GROUP in kinds:
        return f"{city}{brand}检验检测认证集团有限公司"
    if REGULATOR in kinds:
        return f"{place.locality}市场监督管理局" + ("" if rng.random() < 0.5 else f"{brand}分局")
    if ASSOCIATION in kinds:
        return city + rng.choice(("检验检测协会", "质量协会", "认证认可协会", f"{field}行业协会"))
    if STATION in kinds:
        return f"{city}{field}产业一站式质量服务站"
    if STANDARDIZATION in kinds:
        return city + rng.choice(("标准化研究院", "标准化研究中心", "标准化服务中心"))
    if CB in kinds:
        return brand + rng.choice(("认证有限公司", "质量认证中心有限公司", "检测认证有限公司"))
    if METROLOGY in kinds:
        if public:
            return city + rng.choice(("计量测试研究院", "计量检定测试所", "计量科学研究院"))
        return f"{city}{brand}计量校准有限公司"
    if public:
        return city + field + rng.choice(("产品质量监督检验所", "检验检测中心", "质量检验研究院"))
    return (
        city + brand + field + rng.choice(("检测技术有限公司", "检验检测有限公司", "检测有限公司"))
    )


def _person(rng: random.Random, *, region: str, scope: str) -> Person:
    name = rng.choice(_SURNAMES) + "".join(rng.choices(_GIVEN_NAMES, k=rng.randint(1, 2)))
    born = date(1955, 1, 1) + timedelta(days=rng.randrange(40 * 365))
    body = f"{region}{born:%Y%m%d}{rng.randrange(1000):03d}"
    check = "10X98765432"[sum(int(d) * w for d, w in zip(body, _ID_WEIGHTS, strict=True)) % 11]
    key = person_key(name, body + check, secret=_PERSON_SECRET, scope=scope)
    return Person(key=key, name=name)


def _founded(rng: random.Random, kinds: tuple[str, ...], ownership: str) -> date:
    first = 1995 if ownership in (PRIVATE, FOREIGN) else 1952
    last = 2007 if CB in kinds else 2024  # certifiers predate their first accreditation
    return date(first, 1, 1) + timedelta(days=rng.randrange((last - first) * 365))


def _institution_status(rng: random.Random) -> str:
    draw = rng.random()
    if draw < 0.975:
        return InstitutionStatus.ACTIVE.value
    if draw < 0.985:
        return InstitutionStatus.SUSPENDED.value
    if draw < 0.99:
        return InstitutionStatus.REVOKED.value
    return InstitutionStatus.CLOSED.value
