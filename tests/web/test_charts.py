"""The inline SVG charts, against hand-made points: well-formed, scaled, described, safe."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from registry.web.charts import Bar, YearPoint, bar_chart, column_chart, growth_words
from registry.web.region_page import YearOfRegion, year_points, year_rows_of

SVG = "{http://www.w3.org/2000/svg}"


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - our own output, not untrusted input


def test_bars_are_as_long_as_their_values_on_the_scale() -> None:
    svg = bar_chart(
        [Bar("甲", "first", 50.0), Bar("乙", "second", 100.0), Bar("丙", "third", None)],
        title_zh="构成",
        title_en="Parts",
    )
    root = _parse(svg)
    width = float(root.attrib["viewBox"].split()[2])
    bars = [r for r in root.iter(f"{SVG}rect") if r.attrib.get("class") == "bar"]
    assert [float(b.attrib["width"]) for b in bars] == [width / 2, width, 0.0]


def test_a_value_beyond_the_scale_stops_at_its_end() -> None:
    root = _parse(bar_chart([Bar("甲", "a", 250.0)], title_zh="t", title_en="t", maximum=100))
    bar = next(r for r in root.iter(f"{SVG}rect") if r.attrib.get("class") == "bar")
    assert float(bar.attrib["width"]) == float(root.attrib["viewBox"].split()[2])


def test_a_chart_is_an_image_named_and_described_for_screen_readers() -> None:
    svg = column_chart(
        [YearPoint(2024, 100), YearPoint(2025, 150, 0.5)], title_zh="有效证书", title_en="Valid"
    )
    root = _parse(svg)
    assert root.attrib["role"] == "img"
    title_id, desc_id = root.attrib["aria-labelledby"].split()
    title = root.find(f"{SVG}title")
    desc = root.find(f"{SVG}desc")
    assert title is not None
    assert desc is not None
    assert (title.attrib["id"], desc.attrib["id"]) == (title_id, desc_id)
    assert title.text == "有效证书 Valid"
    assert desc.text == "2024: 100 (—); 2025: 150 (+50.0%)"


def test_the_tallest_column_fills_the_height_and_the_others_scale() -> None:
    root = _parse(
        column_chart(
            [YearPoint(2023, 50), YearPoint(2024, 200), YearPoint(2025, 100)],
            title_zh="t",
            title_en="t",
        )
    )
    heights = [float(r.attrib["height"]) for r in root.iter(f"{SVG}rect")]
    assert heights[1] == 2 * heights[2] == 4 * heights[0]
    labels = [t.text for t in root.iter(f"{SVG}text")]
    assert labels[:3] == ["50", "2023", "—"]


def test_labels_are_escaped_and_nothing_in_a_chart_could_run() -> None:
    svg = bar_chart(
        [Bar("<script>alert(1)</script>", 'x" onload="alert(1)', 10.0, note="&")],
        title_zh="<b>",
        title_en="t",
    )
    _parse(svg)  # still well-formed
    assert "<script" not in svg
    assert 'onload="' not in svg
    assert "style" not in svg


def test_growth_reads_as_a_signed_percentage() -> None:
    assert growth_words(0.123) == "+12.3%"
    assert growth_words(-0.035) == "\N{MINUS SIGN}3.5%"
    assert growth_words(None) == "—"


def test_yearly_figures_from_the_api_become_points_with_their_own_growth() -> None:
    region = {
        "statistics": {
            "yearOverYear": [
                {"year": 2025, "institutions": 3, "validCertificates": 150,
                 "certificatesIssued": 60, "growth": 0.5},
                {"year": 2024, "institutions": 2, "validCertificates": 100,
                 "certificatesIssued": 40, "growth": None},
                {"year": 2022, "institutions": 1, "validCertificates": 80,
                 "certificatesIssued": 10, "growth": None},
            ]
        }
    }  # fmt: skip
    rows = year_rows_of(region)
    assert [r.year for r in rows] == [2022, 2024, 2025]
    assert rows[-1] == YearOfRegion(2025, 3, 150, 60, 0.5)
    # 2024 follows a gap (no 2023), so it has no growth; 2025 grew by half on 2024.
    assert year_points(rows) == [
        YearPoint(2022, 80, None),
        YearPoint(2024, 100, None),
        YearPoint(2025, 150, 0.5),
    ]
    assert year_rows_of({"statistics": {}}) == []
