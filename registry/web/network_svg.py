"""``/institutions/{uscc}/network.svg``: an institution's neighbourhood drawn for a regulator.

Authorised like the GraphQL ``network`` field (a bearer key of a REGULATOR or ADMIN). The
layout is radial and deterministic: one ring per hop, nodes in id order around each ring.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from html import escape
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from graph.network_models import Network
from graph.network_queries import RELATIONS
from registry.auth import InvalidCredentials, access_of, authenticate
from registry.domain.identifiers import normalise_identifier
from registry.domain.permissions import may_see_confidential
from registry.domain.supervision import SupervisionClass
from registry.domain.uscc import is_valid_uscc
from registry.http.responses import error_response
from registry.operations.scans import scan_for_key_holder
from registry.operations.supervision import supervision_classes
from registry.schema.network import (
    MAX_NETWORK_DEPTH,
    MAX_NETWORK_NODES,
    may_explore_networks,
    screened,
)

if TYPE_CHECKING:
    from registry.http.runtime import Runtime

__all__ = ["CLASS_COLOURS", "KIND_COLOURS", "network_svg", "routes"]

KIND_COLOURS = {
    "INSTITUTION": "#1f77b4",
    "ORGANIZATION": "#2ca02c",
    "PERSON": "#ff7f0e",
    "ADDRESS": "#9467bd",
    "COMPLAINT": "#d62728",
}
# The ring around an institution: its supervision class, green (A, low risk) to red (D),
# grey when unrated.
CLASS_COLOURS = {
    SupervisionClass.A: "#2ca02c",
    SupervisionClass.B: "#bcbd22",
    SupervisionClass.C: "#ff7f0e",
    SupervisionClass.D: "#d62728",
    SupervisionClass.UNRATED: "#7f7f7f",
}
_RING = 160
_RADIUS = 10


def routes() -> list[Route]:
    return [Route("/institutions/{uscc}/network.svg", network_picture, methods=["GET"])]


_DEPTHS = frozenset(str(depth) for depth in range(1, MAX_NETWORK_DEPTH + 1))


async def network_picture(request: Request) -> Response:
    runtime: Runtime = request.app.state.runtime
    store = runtime.open_store
    try:
        principal = await authenticate(store, request.headers.get("authorization"))
    except InvalidCredentials as exc:
        return error_response(401, "UNAUTHENTICATED", str(exc))
    if not may_explore_networks(principal.role):
        return error_response(403, "NOT_AUTHORIZED", "networks are shown to regulators only")
    scan_for_key_holder(True)  # its classes are read in the lane of callers with a key
    uscc = normalise_identifier(request.path_params["uscc"])
    depth = request.query_params.get("depth", "2")
    # Compared as text: "²" passed isdigit() and then failed int() with a bare 500.
    if not is_valid_uscc(uscc) or depth not in _DEPTHS:
        return error_response(400, "INVALID_INPUT", "a valid USCC and a depth of 1 to 3")
    # The centre is an institution or a certified holder: either is judged by its region.
    regions = [i.region for i in await store.get_institutions([uscc])]
    regions += [o.region for o in await store.get_organizations([uscc])]
    access = await access_of(store, principal)
    if not regions:
        return error_response(404, "NOT_FOUND", "unknown institution")
    if not may_see_confidential(access, regions[0]):
        return error_response(403, "OUT_OF_SCOPE", "outside this key's jurisdiction")
    network = await store.get_network(
        uscc, depth=int(depth), relations=RELATIONS, max_nodes=MAX_NETWORK_NODES
    )
    if network is None:
        return error_response(404, "NOT_FOUND", "unknown institution")
    network = screened(access, network)
    institutions = [n.id for n in network.nodes if n.kind == "INSTITUTION"]
    today = runtime.today()
    classes = await supervision_classes(store, institutions, today, today=today)
    return Response(network_svg(network, classes), media_type="image/svg+xml", headers=_HEADERS)


# Confidential and for one key: never kept by a cache, never read as anything but an image.
_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
    "X-Content-Type-Options": "nosniff",
}


def network_svg(network: Network, classes: Mapping[str, SupervisionClass] | None = None) -> str:
    """The drawing: edges first, then nodes filled by kind and ringed by supervision class
    (institutions), labels escaped."""
    classes = classes or {}
    rings: dict[int, list[str]] = {}
    for node in sorted(network.nodes, key=lambda n: (n.depth, n.kind, n.id)):
        rings.setdefault(node.depth, []).append(node.id)
    size = 2 * (_RING * (max(rings, default=0) + 1))
    centre = size / 2
    places: dict[str, tuple[float, float]] = {}
    for depth, ids in rings.items():
        for index, node_id in enumerate(ids):
            angle = 2 * math.pi * index / len(ids) + depth * 0.3
            places[node_id] = (
                round(centre + depth * _RING * math.cos(angle), 1),
                round(centre + depth * _RING * math.sin(angle), 1),
            )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" '
        f'viewBox="0 0 {size} {size}" font-family="sans-serif" font-size="11">'
    ]
    for edge in network.edges:
        (x1, y1), (x2, y2) = places[edge.source], places[edge.target]
        parts.append(
            f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="#999">'
            f"<title>{escape(edge.kind)} ({edge.count})</title></line>"
        )
    for node in network.nodes:
        x, y = places[node.id]
        colour = KIND_COLOURS.get(node.kind, "#7f7f7f")
        class_ = classes.get(node.id)
        ring = "" if class_ is None else f' stroke="{CLASS_COLOURS[class_]}" stroke-width="4"'
        title = node.id if class_ is None else f"{node.id}, supervision class {class_}"
        parts.append(
            f'<g class="{escape(node.kind.lower())}"><circle cx="{x}" cy="{y}" r="{_RADIUS}" '
            f'fill="{colour}"{ring}><title>{escape(title)}</title></circle>'
            f'<text x="{x}" y="{y + 2 * _RADIUS}" text-anchor="middle">'
            f"{escape(node.label[:40])}</text></g>"
        )
    if network.truncated:
        parts.append('<text x="4" y="14">truncated</text>')
    parts.append("</svg>")
    return "".join(parts)
