"""The institution page's public record of how it serves: its data quality (``dataQuality``),
and, for a one-stop quality service station, its catalogue and performance (``stations``);
and any service benchmark that names it (``benchmarks``).

Everything is read through the GraphQL schema with the caller's key (``page_reads``), so
the page shows what the API would; each part takes the answer as it came.
"""

from __future__ import annotations

from typing import Any

from registry.domain.vocabulary import InstitutionKind, ServiceCategory
from registry.web.charts import Bar, bar_chart
from registry.web.page import bilingual, definitions, table, text
from registry.web.page_reads import PageReader
from registry.web.stars_view import star_grade_html
from registry.web.words import (
    QUALITY_FACTORS,
    SERVICE_CATEGORIES,
    STATION_ROLES,
    word,
)

__all__ = [
    "benchmarks_html",
    "benchmarks_naming",
    "data_quality_html",
    "station_html",
    "station_of",
]

NOTHING = "—"
MAX_LISTED = 100  # the API's own cap on stations(first:) and benchmarks(first:)
_STATIONS = """query StationOfInstitution($region: String!, $first: Int!) {
  stations(region: $region, first: $first) {
    uscc completionDays
    services { category providers { uscc name } }
    staff { role name }
    performance { firstDay lastDay requests done stagesMet stagesLate stagesOverdue
      compliance satisfaction surveys }
  }
}"""
_BENCHMARK_FIELDS = "uscc year category criteria designatedOn evidence { stars cpsq satisfaction }"
# One alias per category: ``benchmarks`` asks for a category, and a subject may be a
# benchmark of any.
_BENCHMARKS = (
    "query BenchmarksOfInstitution($region: String!, $first: Int!) {\n"
    + "\n".join(
        f"  {c.value}: benchmarks(category: {c.value}, region: $region, first: $first) "
        f"{{ {_BENCHMARK_FIELDS} }}"
        for c in ServiceCategory
    )
    + "\n}"
)


def _number(value: Any, suffix: str = "") -> str:
    return NOTHING if value is None else f"{float(value):g}{suffix}"


def data_quality_html(found: dict[str, Any]) -> str:
    """The score and each factor (``dataQuality``, asked for in the page's query): what was
    measured, its weight, the points it adds."""
    quality = found.get("dataQuality")
    if quality is None:
        none = bilingual("未颁发证书，无数据质量评分。", "No certificates issued: no score.")
        return f'<p id="data-quality-score">{none}</p>'
    meaning = bilingual("证书记录的及时、完整与准确", "records on time, complete and correct")
    score = (
        '<p class="grade-line" id="data-quality-score">'
        f'<span class="grade">{int(quality["score"])}</span>/100 {meaning}</p>'
    )
    not_applicable = bilingual("不适用", "n/a")
    rows = [
        [
            word(QUALITY_FACTORS, f["name"]),
            f"{int(f['count'])} / {int(f['outOf'])}" if f["applies"] else not_applicable,
            _number(round(float(f["weight"]) * 100), "%"),
            _number(f["points"]) if f["applies"] else NOTHING,
        ]
        for f in quality["factors"]
    ]
    heads = [("因素", "Factor"), ("计数", "Count"), ("权重", "Weight"), ("得分", "Points")]
    factors = table(
        heads,
        rows,
        table_id="data-quality-factors",
        label=("数据质量因素", "Data-quality factors"),
        numeric=frozenset({1, 2, 3}),
    )
    return f"{score}\n{factors}"


async def station_of(reader: PageReader, found: dict[str, Any]) -> dict[str, Any] | None:
    """The station's public record, when the institution is registered as a station and has
    a catalogue (``stations`` of its region lists it)."""
    region = found.get("region")
    if InstitutionKind.QUALITY_SERVICE_STATION not in found["kinds"] or region is None:
        return None
    answer = await reader.read(_STATIONS, {"region": region["code"], "first": MAX_LISTED})
    listed = answer.data.get("stations") or []
    return next((s for s in listed if s["uscc"] == found["uscc"]), None)


def station_html(station: dict[str, Any]) -> str:
    """Its service items with where it routes them, its staff roles and its performance."""
    services = [
        [
            word(SERVICE_CATEGORIES, s["category"]),
            "<br>".join(
                f'<a href="/institutions/{text(p["uscc"])}">{text(p["name"] or p["uscc"])}</a>'
                for p in s["providers"]
            )
            or bilingual("本站", "the station itself"),
        ]
        for s in station["services"]
    ]
    catalogue = table(
        [("服务项目", "Service"), ("服务机构", "Provided by")],
        services,
        table_id="station-services",
        label=("服务目录", "Service catalogue"),
    )
    staff = "".join(
        f"<li>{word(STATION_ROLES, s['role'])}{' · ' + text(s['name']) if s['name'] else ''}</li>"
        for s in station["staff"]
    )
    days = station.get("completionDays")
    promise = bilingual(
        f"承诺办结时限：{days}个工作日" if days else "办结时限：按默认规定",
        f"Committed to finish within {days} working days" if days else "Default time limit",
    )
    return (
        f"<p>{promise}</p>\n{catalogue}\n"
        f"<h3>{bilingual('人员配置', 'Staff roles')}</h3>\n"
        f'<ul class="plain" id="station-staff">{staff}</ul>\n'
        f"<h3>{bilingual('服务绩效', 'Performance')}</h3>\n{_performance(station['performance'])}"
    )


def _unit(value: Any, unit: str) -> str:
    """The unit beside a figure; nothing beside a dash (nothing was due, nobody answered)."""
    return "" if value is None else unit


def _performance(p: dict[str, Any]) -> str:
    window = f"{text(p['firstDay'])} {bilingual('至', 'to')} {text(p['lastDay'])}"
    stages = bilingual(
        f"按时 {p['stagesMet']} · 超时 {p['stagesLate']} · 逾期未办 {p['stagesOverdue']}",
        f"on time {p['stagesMet']} · late {p['stagesLate']} · overdue {p['stagesOverdue']}",
    )
    figures = definitions(
        [
            ("统计期间", "Window", window),
            ("受理需求", "Requests", str(p["requests"])),
            ("已办结", "Done", str(p["done"])),
            ("办理环节", "Stages", stages),
            ("满意度调查", "Surveys", str(p["surveys"])),
        ]
    )
    chart = bar_chart(
        [
            Bar("限时办结率", "Finished in time", p["compliance"], _unit(p["compliance"], "%")),
            Bar("满意度指数", "Satisfaction", p["satisfaction"], _unit(p["satisfaction"], "/100")),
        ],
        title_zh="服务绩效",
        title_en="Performance",
    )
    return f'<div id="station-performance">{figures}\n{chart}</div>'


async def benchmarks_naming(reader: PageReader, found: dict[str, Any]) -> list[dict[str, Any]]:
    """The benchmarks whose subject is this institution, in its region, every category."""
    region = found.get("region")
    if region is None:
        return []
    answer = await reader.read(_BENCHMARKS, {"region": region["code"], "first": MAX_LISTED})
    named = [
        b for listed in answer.data.values() for b in listed or [] if b["uscc"] == found["uscc"]
    ]
    return sorted(named, key=lambda b: (-int(b["year"]), b["category"]))


def benchmarks_html(named: list[dict[str, Any]]) -> str:
    rows = [
        [
            str(b["year"]),
            word(SERVICE_CATEGORIES, b["category"]),
            text(b["criteria"]),
            star_grade_html(b["evidence"]["stars"]),
            _number(b["evidence"]["cpsq"]),
            _number(b["evidence"]["satisfaction"]),
            text(b["designatedOn"]),
        ]
        for b in named
    ]
    heads = [
        ("年度", "Year"),
        ("类别", "Category"),
        ("评选依据", "Criteria"),
        ("服务认证星级", "Service stars"),
        ("顾客感知服务质量指数", "CPSQ"),
        ("满意度指数", "Satisfaction"),
        ("认定日期", "Designated on"),
    ]
    return table(
        heads,
        rows,
        table_id="benchmark-table",
        label=("服务标杆", "Service benchmarks"),
        numeric=frozenset({0, 4, 5}),
    )
