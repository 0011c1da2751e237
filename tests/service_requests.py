"""A station's service request that tests write through the port: one closed past a stage
limit, which counts against the station's time limits in its credit score."""

from __future__ import annotations

from datetime import date

from graph.station_models import ServiceRequest


def late_request(request_id: str, station: str) -> ServiceRequest:
    """Done, two stages within their limits and one late; its requester confirmed by the
    station's regulator, so its stages count."""
    return ServiceRequest(
        id=request_id,
        station=station,
        category="INSPECTION_TESTING",
        status="DONE",
        submitted_on=date(2026, 11, 2),
        submitted_at="2026-11-02T01:00:00.000000Z",
        stages_met=2,
        stages_late=1,
        confirmed_on=date(2026, 11, 3),
        confirmation="CALL_BACK",
    )
