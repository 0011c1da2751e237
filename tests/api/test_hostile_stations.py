"""Hostile review of the station reads: a region that is no region code is a coded error,
not a NOT_FOUND repeating whatever was sent (100 KB, bidi overrides) in its message."""

from __future__ import annotations

from tests.api.conftest import GraphQLClient


async def test_a_malformed_region_for_stations_or_benchmarks_is_a_coded_error_not_an_echo(
    reader: GraphQLClient,
) -> None:
    odd = "\u202e" + "a" * 100_000  # a bidi override and 100 KB the message must not repeat

    stations = await reader("query($r: String) { stations(region: $r) { uscc } }", {"r": odd})
    benchmarks = await reader(
        "query($r: String) { benchmarks(category: INSPECTION_TESTING, region: $r) { id } }",
        {"r": odd},
    )

    for body in (stations, benchmarks):
        [error] = body["errors"]
        assert error["extensions"]["code"] == "INVALID_FORMAT"
        assert odd not in error["message"]
        assert len(error["message"]) < 200
