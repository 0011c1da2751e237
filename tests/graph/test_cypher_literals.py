"""Parameters survive the trip through FalkorDB's CYPHER header unchanged."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph.cypher_literals import cypher_header, cypher_literal
from graph.cypher_store import CypherStore

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**53), max_value=2**53)
    # FalkorDB answers doubles with 15 significant digits; scores and weights need far fewer.
    | st.floats(min_value=-1e6, max_value=1e6).map(lambda x: round(x, 3))
    | st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=30)
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.from_regex(r"[a-z][A-Za-z0-9]{0,8}", fullmatch=True), inner, max_size=4
        )
    ),
    max_leaves=12,
)


def test_literals_escape_quotes_and_backslashes() -> None:
    assert cypher_literal('say "hi" \\ 你好') == '"say \\"hi\\" \\\\ 你好"'
    assert cypher_literal({"a": [1, None, True]}) == "{a:[1,null,true]}"
    assert cypher_header({}) == ""


def test_unsupported_values_are_refused() -> None:
    with pytest.raises(TypeError):
        cypher_literal(object())


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(value=values)
async def test_the_database_reads_back_what_was_sent(store: CypherStore, value: object) -> None:
    [row] = await store._read("RETURN $value AS value", {"value": value})
    assert row["value"] == value
