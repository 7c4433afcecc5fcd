"""Each of the 14 pipes answers exactly what plain Python computes from the same fixture rows."""

from __future__ import annotations

from collections import Counter

import fixture_data
import oracles
import pytest
from conftest import start_target

DATA = {
    "store_visits": fixture_data.store_visits(),
    "ecommerce_events": fixture_data.ecommerce_events(),
    "customer_touchpoints": fixture_data.customer_touchpoints(),
}
SOURCE = {
    "visitor_details": "store_visits", "hourly_traffic_patterns": "store_visits", "visits_by_store": "store_visits",
    "top_products": "ecommerce_events", "events_by_country": "ecommerce_events", "total_revenue": "ecommerce_events",
    **{name: "customer_touchpoints" for name in (
        "customer_journey_details", "touchpoint_time_analysis", "device_channel_analysis", "touchpoint_funnel",
        "customer_journey_summary", "journey_paths", "channel_performance", "campaign_performance")},
}
DAY2 = {"start_date": "2025-05-13 00:00:00", "end_date": "2025-05-13 23:59:59"}
CASES = [
    ("visitor_details", {}), ("visitor_details", {"limit": "5"}), ("visitor_details", {"visitor_id": "visitor_3"}),
    ("visitor_details", DAY2), ("visitor_details", {"visitor_id": "nobody"}),
    ("hourly_traffic_patterns", {}), ("hourly_traffic_patterns", {"store_id": "store_2"}),
    ("hourly_traffic_patterns", DAY2),
    ("visits_by_store", {}), ("visits_by_store", {"limit": "3"}), ("visits_by_store", {"store_id": "store_1"}),
    ("visits_by_store", DAY2),
    ("top_products", {}), ("events_by_country", {}), ("total_revenue", {}),
    ("customer_journey_details", {"customer_id": "cust_3"}),
    ("customer_journey_details", {"customer_id": "cust_3", "limit": "2"}),
    ("customer_journey_details", {"customer_id": "cust_5", "start_date": "2025-05-12 12:00:00"}),
    ("touchpoint_time_analysis", {}), ("touchpoint_time_analysis", {"channel": "website"}),
    ("touchpoint_time_analysis", {"start_date": "2025-05-12 00:00:00", "end_date": "2025-05-12 23:59:59"}),
    ("device_channel_analysis", {}), ("device_channel_analysis", DAY2),
    ("touchpoint_funnel", {}), ("touchpoint_funnel", {"channel": "email"}), ("touchpoint_funnel", DAY2),
    ("customer_journey_summary", {}), ("customer_journey_summary", {"limit": "5"}),
    ("customer_journey_summary", {"customer_id": "cust_3"}), ("customer_journey_summary", DAY2),
    ("journey_paths", {}), ("journey_paths", {"min_count": "2"}), ("journey_paths", {"limit": "3"}),
    ("journey_paths", {"start_date": "2025-05-12 00:00:00", "end_date": "2025-05-12 23:59:59"}),
    ("channel_performance", {}), ("channel_performance", DAY2),
    ("campaign_performance", {}), ("campaign_performance", {"campaign_id": "summer_sale"}),
    ("campaign_performance", {"limit": "2"}), ("campaign_performance", DAY2),
]
MAY_BE_EMPTY = {("visitor_details", "nobody")}
ARRAY_COLUMNS = ("visited_stores", "entry_points", "visit_tags")


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    t = start_target(tmp_path_factory.mktemp("pipes"))
    for name, rows in DATA.items():
        response = t.ingest(name, rows)
        assert response.status == 200
        assert response.json() == {"successful_rows": len(rows), "quarantined_rows": 0}
    yield t
    t.stop()


def same_value(actual, expected) -> bool:
    if isinstance(expected, float) or isinstance(actual, float):
        return abs(float(actual) - float(expected)) <= 0.005 + 1e-9 * abs(float(expected))
    return actual == expected


def assert_rows(name: str, actual: list[dict], expected: list[dict]) -> None:
    assert len(actual) == len(expected), (name, actual, expected)
    for i, (a, e) in enumerate(zip(actual, expected, strict=True)):
        assert list(a) == list(e), (name, i, list(a), list(e))
        if name == "visitor_details":
            # groupArray order is undefined: the three arrays must hold the same visits, element-aligned
            def visits(row: dict) -> Counter:
                return Counter(zip(row["visited_stores"], row["entry_points"], map(tuple, row["visit_tags"]), strict=True))
            assert visits(a) == visits(e), (name, i)
        for key in e:
            if name == "visitor_details" and key in ARRAY_COLUMNS:
                continue
            assert same_value(a[key], e[key]), (name, i, key, a[key], e[key])


@pytest.mark.parametrize("name,params", CASES, ids=[f"{n}-{'&'.join(f'{k}={v}' for k, v in p.items())}" for n, p in CASES])
def test_pipe_matches_python(loaded, name, params):
    expected = getattr(oracles, name)(DATA[SOURCE[name]], params)
    if (name, params.get("visitor_id")) not in MAY_BE_EMPTY:
        assert expected, "the fixture must give this case a non-empty answer"
    actual = loaded.pipe_data(name, params)
    assert_rows(name, actual, expected)


def test_every_pipe_has_cases():
    assert {name for name, _ in CASES} == set(SOURCE)


def test_limits_really_cut(loaded):
    assert len(oracles.visitor_details(DATA["store_visits"], {})) > 5
    assert len(oracles.top_products(DATA["ecommerce_events"], {})) == 10
    assert len(oracles.journey_paths(DATA["customer_touchpoints"], {})) > 3
    body = loaded.pipe("visits_by_store", {"limit": "3"}).json()
    assert body["rows"] == 3 and body["rows_before_limit_at_least"] == 6


def test_journey_paths_has_a_repeated_path(loaded):
    top = loaded.pipe_data("journey_paths", {"min_count": "2"})
    assert top and top[0]["journey_path"] == "ad_click > product_view > purchase" and top[0]["journeys"] >= 4


def test_json_meta_names_and_types(loaded):
    body = loaded.pipe("journey_paths").json()
    assert [m["name"] for m in body["meta"]] == [
        "journey_path", "path_length", "journeys", "avg_seconds_to_conversion", "total_revenue"]
    assert set(body) >= {"meta", "data", "rows", "statistics"}
    assert set(body["statistics"]) == {"elapsed", "rows_read", "bytes_read"}
    assert "rows_before_limit_at_least" not in loaded.pipe("events_by_country").json()


def _touchpoint(customer: str, second: int, kind: str, conversion: int = 0, amount: float = 0.0) -> dict:
    return {"customer_id": customer, "session_id": f"s_{customer}", "timestamp": f"2025-05-12 10:00:{second:02d}",
            "touchpoint_id": f"tp_{customer}_{second}", "touchpoint_type": kind, "channel": "website", "device": "mobile",
            "campaign_id": "", "conversion": conversion, "transaction_amount": amount, "referrer": "", "page_url": "/",
            "time_spent": 1, "action": "view", "metadata": "{}"}


def test_a_customer_converting_twice_makes_two_journeys(fresh_target):
    """A journey ends at each conversion; what follows the last conversion belongs to no journey."""
    t = fresh_target()
    rows = [_touchpoint("c1", 0, "search"), _touchpoint("c1", 5, "purchase", 1, 10.0),
            _touchpoint("c1", 9, "product_view"), _touchpoint("c1", 20, "purchase", 1, 5.5),
            _touchpoint("c1", 30, "page_view"),
            _touchpoint("c2", 1, "product_view"), _touchpoint("c2", 4, "purchase", 1, 2.25)]
    t.ingest("customer_touchpoints", rows)
    got = t.pipe_data("journey_paths", {})
    assert got == oracles.journey_paths(rows, {})
    assert {(r["journey_path"], r["journeys"]) for r in got} == {("search > purchase", 1), ("product_view > purchase", 2)}
    assert next(r for r in got if r["journey_path"] == "product_view > purchase")["avg_seconds_to_conversion"] == 7.0


def test_journey_details_has_no_default_row_cap(fresh_target):
    t = fresh_target()
    rows = [_touchpoint("c1", s, "page_view") for s in range(60)]
    t.ingest("customer_touchpoints", rows)
    assert len(t.pipe_data("customer_journey_details", {"customer_id": "c1"})) == 60
    assert len(t.pipe_data("customer_journey_details", {"customer_id": "c1", "limit": "7"})) == 7
