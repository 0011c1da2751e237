"""The executor that reads plain fields directly answers exactly as strawberry's own: the
same data in the same order, the same errors at the same paths."""

from __future__ import annotations

from enum import Enum
from typing import Any

import pytest
import strawberry

from registry.schema.execution import LeafReadingExecutionContext


@strawberry.enum
class Colour(Enum):
    RED = "red"
    BLUE = "blue"


@strawberry.type
class Owner:
    name: str
    broken: str  # None in every owner: an error inside an object read directly

    @strawberry.field
    async def later_name(self) -> str:
        return self.name


@strawberry.type
class Item:
    owner: Owner | None
    number: int
    name: str
    colour: Colour
    note: str | None
    required: str  # some items break it: None where the schema promises a value
    ratio: float

    @strawberry.field
    def shout(self, times: int = 1) -> str:
        return self.name.upper() * times


@strawberry.type
class Edge:
    cursor: str
    node: Item


def _items() -> list[Edge]:
    def item(n: int, required: Any) -> Item:
        note = None if n % 2 else f"note {n}"
        owner = Owner(name=f"o{n}", broken=None) if n % 3 else None  # type: ignore[arg-type]
        return Item(
            owner=owner,
            number=n,
            name=f"n{n}",
            colour=Colour.RED,
            note=note,
            required=required,
            ratio=n / 3,
        )

    return [Edge(cursor=f"c{n}", node=item(n, None if n == 2 else "ok")) for n in range(4)]


@strawberry.type
class Query:
    @strawberry.field
    def edges(self) -> list[Edge | None]:
        return list(_items())

    @strawberry.field
    async def later(self) -> list[Edge]:
        return [e for e in _items() if e.node.required]


QUERIES = [
    "{ edges { cursor node { number name colour note ratio } } }",
    "{ edges { node { required number } } }",  # a null in a non-null field nulls the edge
    "{ edges { c: cursor node { a: name b: name shout(times: 2) __typename } } }",
    "{ later { node { ...F shout } } } fragment F on Item { number colour note }",
    "{ edges { node { number @skip(if: true) name @include(if: false) note } } }",
    "{ edges { node { owner { name laterName } number } } }",  # awaited inside an object
    "{ edges { node { owner { broken name } } } }",  # a nullable object nulled by its error
    "{ later { n: node { o: owner { laterName } } cursor } }",
]


@pytest.mark.parametrize("query", QUERIES)
async def test_answers_are_those_of_the_normal_executor(query: str) -> None:
    normal = strawberry.Schema(query=Query)
    direct = strawberry.Schema(query=Query, execution_context_class=LeafReadingExecutionContext)

    expected = await normal.execute(query)
    got = await direct.execute(query)

    assert got.data == expected.data
    assert list(str(got.data)) == list(str(expected.data))  # the same key order
    assert [(e.message, e.path) for e in got.errors or []] == [
        (e.message, e.path) for e in expected.errors or []
    ]


async def test_a_null_in_a_non_null_field_is_still_an_error_at_its_path() -> None:
    direct = strawberry.Schema(query=Query, execution_context_class=LeafReadingExecutionContext)

    got = await direct.execute("{ edges { node { required } } }")

    assert got.errors is not None
    assert got.errors[0].path == ["edges", 2, "node", "required"]
    assert got.data == {
        "edges": [{"node": {"required": "ok"}}] * 2 + [None, {"node": {"required": "ok"}}]
    }
