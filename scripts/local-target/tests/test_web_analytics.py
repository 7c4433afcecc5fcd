"""scenarios/examples/web-analytics: each endpoint against plain Python on handmade rows; its twin differs."""

from __future__ import annotations

import warnings
from collections import defaultdict
from typing import Any
from urllib.parse import urlsplit

import pytest
from conftest import ROOT, start_target
from datafiles import read_project

EXAMPLE = ROOT / "scenarios" / "examples" / "web-analytics"
TWIN = ROOT / "scenarios" / "examples" / "web-analytics-twin"
DEFAULT_WINDOW = ("2025-01-01 00:00:00", "2026-01-01 00:00:00")


def view(ts: str, session: str, user: str, path: str, referrer: str | None = None, utm: dict | None = None,
         city: str | None = "Madrid", duration: int = 1000, country: str = "ES") -> dict:
    row: dict[str, Any] = {"timestamp": ts, "session_id": session, "user_id": user, "pathname": path, "device": "desktop",
           "location": {"country": country}, "duration_ms": duration}
    if referrer is not None:
        row["referrer"] = referrer
    if utm is not None:
        row["utm"] = utm
    if city is not None:
        row["location"]["city"] = city
    return row


# Ties on purpose: "/" and "/blog/launch" both have 3 views in 3 sessions, three sources have 1 session of 2
# views; s3 opens two pages in the same second; s5 starts exactly at 2025-03-12 00:00:00 (a window bound).
FIRST_BATCH = [
    view("2025-03-10 09:00:00", "s1", "u1", "/", "https://www.google.com/search?q=tinybird", duration=1200),
    view("2025-03-10 09:01:00", "s1", "u1", "/pricing", "https://example.com/", duration=30000),
    view("2025-03-10 09:05:00", "s1", "u1", "/signup", duration=4000),
    view("2025-03-10 10:00:00", "s2", "u2", "/blog/launch", "",
         {"source": "newsletter", "medium": "email", "campaign": "march"}, duration=65000),
    view("2025-03-10 23:59:59", "s7", "u2", "/pricing", utm={"source": "newsletter"}, city=None),
    view("2025-03-11 08:00:00", "s3", "u1", "/pricing", duration=500),
    view("2025-03-11 08:00:00", "s3", "u1", "/", duration=700),
]
SECOND_BATCH = [
    view("2025-03-11 12:00:00", "s4", "u3", "/blog/launch", "https://news.ycombinator.com/item?id=1",
         {"source": "", "medium": None}, duration=90000),
    view("2025-03-11 15:00:00", "s9", "u3", "/blog/launch", "https://www.bing.com/", duration=8000, country="FR"),
    view("2025-03-11 15:02:00", "s9", "u3", "/pricing", duration=12000, country="US"),
    view("2025-03-12 00:00:00", "s5", "u4", "/", "https://twitter.com/someone", {"source": None}),
    view("2025-03-12 00:10:00", "s5", "u4", "/docs", duration=2500),
    view("2025-03-12 18:30:00", "s6", "u5", "/docs", "https://www.google.com/", city=None, duration=15000, country="FR"),
]
NOT_A_VIEW = {"timestamp": "2025-03-12 19:00:00", "session_id": "s8", "user_id": "u6", "pathname": "/",
              "device": "mobile", "duration_ms": 1}  # no location.country: quarantined
VIEWS = FIRST_BATCH + SECOND_BATCH


def windowed(p: dict) -> list[dict]:
    start, end = p.get("start_date", DEFAULT_WINDOW[0]), p.get("end_date", DEFAULT_WINDOW[1])
    return [r for r in VIEWS if start <= r["timestamp"] < end]


def sessions(rows: list[dict]) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        out[r["session_id"]].append(r)
    return out


def first_view(views: list[dict]) -> dict:
    return min(views, key=lambda r: (r["timestamp"], r["pathname"]))


def source_of(r: dict) -> str:
    utm = (r.get("utm") or {}).get("source")
    if utm:
        return utm
    referrer = r.get("referrer", "")
    return "direct" if referrer == "" else urlsplit(referrer).netloc.removeprefix("www.")


def trending_pages(p: dict) -> list[dict]:
    groups: dict[str, list[dict]] = defaultdict(list)
    for r in windowed(p):
        groups[r["pathname"]].append(r)
    out: list[dict[str, Any]] = [{"pathname": path, "views": len(rs), "sessions": len({r["session_id"] for r in rs}),
            "visitors": len({r["user_id"] for r in rs})} for path, rs in groups.items()]
    out.sort(key=lambda x: (-x["views"], -x["sessions"], x["pathname"]))
    return out[: int(p.get("limit", 10))]


def sessions_by_source(p: dict) -> list[dict]:
    groups: dict[str, list[int]] = defaultdict(list)
    countries = p["countries"].split(",") if "countries" in p else None
    rows = [r for r in windowed(p) if countries is None or r["location"]["country"] in countries]
    for views in sessions(rows).values():
        groups[source_of(first_view(views))].append(len(views))
    out: list[dict[str, Any]] = [{"source": s, "sessions": len(counts), "pageviews": sum(counts)} for s, counts in groups.items()]
    out.sort(key=lambda x: (-x["sessions"], -x["pageviews"], x["source"]))
    return out[: int(p.get("limit", 20))]


def bounce_rate(p: dict) -> list[dict]:
    groups: dict[str, list[int]] = defaultdict(list)
    for views in sessions(windowed(p)).values():
        groups[first_view(views)["pathname"]].append(len(views))
    out: list[dict[str, Any]] = [{"landing_page": page, "sessions": len(counts), "bounces": counts.count(1),
            "bounce_rate": counts.count(1) / len(counts)}
           for page, counts in groups.items() if "pathname" not in p or page == p["pathname"]]
    out.sort(key=lambda x: (-x["sessions"], x["landing_page"]))
    return out[: int(p.get("limit", 50))]


def daily_pageviews(p: dict) -> list[dict]:
    start, end = p.get("start_day", "2025-01-01"), p.get("end_day", "2025-12-31")
    groups: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for r in VIEWS:
        day = r["timestamp"][:10]
        if start <= day <= end and p.get("pathname", r["pathname"]) == r["pathname"]:
            groups[(day, r["pathname"])].append(r)
    out = [{"day": day, "pathname": path, "views": len(rs), "visitors": len({r["user_id"] for r in rs}),
            "total_duration_ms": sum(r["duration_ms"] for r in rs)} for (day, path), rs in groups.items()]
    out.sort(key=lambda x: (x["day"], -x["views"], x["pathname"]))
    return out


ORACLES = {"trending_pages": trending_pages, "sessions_by_source": sessions_by_source, "bounce_rate": bounce_rate,
           "daily_pageviews": daily_pageviews}
DAY_11 = {"start_date": "2025-03-11 00:00:00", "end_date": "2025-03-12 00:00:00"}
FROM_12 = {"start_date": "2025-03-12 00:00:00"}
CASES = [
    ("trending_pages", {}), ("trending_pages", {"limit": "2"}), ("trending_pages", DAY_11),
    ("trending_pages", FROM_12),
    ("sessions_by_source", {}), ("sessions_by_source", {"limit": "1"}), ("sessions_by_source", DAY_11),
    ("sessions_by_source", {"end_date": "2025-03-10 09:00:01"}),
    # s9 starts in FR and goes on in US: with only US, its source is its second view's.
    ("sessions_by_source", {"countries": "FR"}), ("sessions_by_source", {"countries": "US,FR"}),
    ("sessions_by_source", {"countries": "US"}), ("sessions_by_source", {"countries": "XX"}),
    ("bounce_rate", {}), ("bounce_rate", {"pathname": "/"}), ("bounce_rate", {"pathname": "/nowhere"}),
    ("bounce_rate", DAY_11), ("bounce_rate", FROM_12), ("bounce_rate", {"limit": "1"}),
    ("daily_pageviews", {}), ("daily_pageviews", {"start_day": "2025-03-11", "end_day": "2025-03-11"}),
    ("daily_pageviews", {"pathname": "/docs"}),
]


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    t = start_target(tmp_path_factory.mktemp("web"), "--project", str(EXAMPLE))
    first = t.ingest("page_views", FIRST_BATCH + [NOT_A_VIEW])
    assert first.json() == {"successful_rows": len(FIRST_BATCH), "quarantined_rows": 1}
    assert t.ingest("page_views", SECOND_BATCH).json() == {"successful_rows": len(SECOND_BATCH), "quarantined_rows": 0}
    yield t
    t.stop()


@pytest.mark.parametrize("pipe,params", CASES, ids=[f"{n}-{'&'.join(f'{k}={v}' for k, v in p.items())}" for n, p in CASES])
def test_endpoint_matches_plain_python(loaded, pipe, params):
    expected = ORACLES[pipe](params)
    assert expected or params.get("pathname") == "/nowhere" or params.get("countries") == "XX"
    assert loaded.pipe_data(pipe, params) == expected


def test_nested_and_default_columns_are_stored(loaded):
    rows = loaded.sql("SELECT session_id, utm_source, utm_medium, referrer, city FROM page_views "
                      "WHERE session_id IN ('s2', 's4', 's6', 's7') ORDER BY session_id FORMAT JSON")["data"]
    assert rows == [
        {"session_id": "s2", "utm_source": "newsletter", "utm_medium": "email", "referrer": "", "city": "Madrid"},
        {"session_id": "s4", "utm_source": "", "utm_medium": None, "referrer": "https://news.ycombinator.com/item?id=1",
         "city": "Madrid"},
        {"session_id": "s6", "utm_source": None, "utm_medium": None, "referrer": "https://www.google.com/", "city": ""},
        {"session_id": "s7", "utm_source": "newsletter", "utm_medium": None, "referrer": "", "city": ""},
    ]


def test_example_parses_with_tinybird_like_ours():
    from tinybird.datafile.parse_datasource import parse_datasource
    from tinybird.datafile.parse_pipe import parse_pipe

    warnings.filterwarnings("ignore")
    project = read_project(EXAMPLE)
    assert set(project.endpoints) == set(ORACLES) and [p.name for p in project.materializations] == ["daily_pages_mv"]
    for ds in project.datasources.values():
        columns = parse_datasource(str(ds.path)).datafile.nodes[0]["columns"]
        assert [(c.name, c.json_path) for c in ds.columns] == [
            (c["name"], c["jsonpath"] or f"$.{c['name']}") for c in columns]
    for pipe in project.pipes.values():
        nodes = parse_pipe(str(pipe.path)).datafile.nodes
        assert [(n.name, " ".join(n.sql.split())) for n in pipe.nodes] == [
            (n["name"], " ".join(n["sql"].split())) for n in nodes]
        assert "ORDER BY" in pipe.nodes[-1].sql or pipe.kind == "materialized"


def test_twin_differs_only_in_the_trending_start_bound(tmp_path):
    # The original also holds its Starling scenario (scenario.json), which is not part of the project.
    ours = {p.relative_to(EXAMPLE): p.read_text() for p in EXAMPLE.rglob("*") if p.is_file() and p.name != "scenario.json"}
    twin = {p.relative_to(TWIN): p.read_text() for p in TWIN.rglob("*") if p.is_file()}
    assert set(ours) == set(twin)
    changed = [path for path in ours if ours[path] != twin[path]]
    assert sorted(map(str, changed)) == ["README.md", "endpoints/trending_pages.pipe"]
    t = start_target(tmp_path / "data", "--project", str(TWIN))
    try:
        t.ingest("page_views", VIEWS)
        assert t.pipe_data("trending_pages", DAY_11) == trending_pages(DAY_11)  # no view on that bound
        assert t.pipe_data("trending_pages", FROM_12) != trending_pages(FROM_12)  # s5's view at the bound is lost
        assert t.pipe_data("bounce_rate", FROM_12) == bounce_rate(FROM_12)
    finally:
        t.stop()
