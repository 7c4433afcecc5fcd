"""The project's datafiles parse with Tinybird's own parser, and our reader agrees with it."""

from __future__ import annotations

import warnings

import pytest
from conftest import PROJECT
from datafiles import read_datasource, read_pipe

warnings.filterwarnings("ignore")

EXPECTED_SCHEMAS = {
    "store_visits": [
        ("visit_id", "String"), ("store_id", "String"), ("timestamp", "DateTime"), ("visitor_id", "String"),
        ("entry_point", "String"), ("exit_point", "String"), ("dwell_time_seconds", "Int32"), ("tags", "Array(String)"),
    ],
    "ecommerce_events": [
        ("event_time", "DateTime"), ("event_type", "String"), ("user_id", "String"), ("product_id", "String"),
        ("category", "String"), ("price", "Float64"), ("quantity", "Int64"), ("session_id", "String"),
        ("country", "String"),
    ],
    "customer_touchpoints": [
        ("customer_id", "String"), ("session_id", "String"), ("timestamp", "DateTime"), ("touchpoint_id", "String"),
        ("touchpoint_type", "String"), ("channel", "String"), ("device", "String"), ("campaign_id", "String"),
        ("conversion", "UInt8"), ("transaction_amount", "Float64"), ("referrer", "String"), ("page_url", "String"),
        ("time_spent", "Int32"), ("action", "String"), ("metadata", "String"),
    ],
}
EXPECTED_KEYS = {
    "store_visits": ("toYYYYMM(timestamp)", "store_id, timestamp"),
    "ecommerce_events": ("toYYYYMM(event_time)", "event_time, product_id"),
    "customer_touchpoints": ("toYYYYMM(timestamp)", "customer_id, timestamp"),
}
PIPES = {
    "visitor_details", "hourly_traffic_patterns", "visits_by_store", "top_products", "events_by_country",
    "total_revenue", "customer_journey_details", "touchpoint_time_analysis", "device_channel_analysis",
    "touchpoint_funnel", "customer_journey_summary", "journey_paths", "channel_performance", "campaign_performance",
}

DATASOURCE_FILES = sorted((PROJECT / "datasources").glob("*.datasource"))
PIPE_FILES = sorted((PROJECT / "endpoints").glob("*.pipe"))


def test_project_has_exactly_the_seed_resources():
    assert {p.stem for p in DATASOURCE_FILES} == set(EXPECTED_SCHEMAS)
    assert {p.stem for p in PIPE_FILES} == PIPES


@pytest.mark.parametrize("path", DATASOURCE_FILES, ids=lambda p: p.stem)
def test_datasource_parses_with_tinybird_and_matches_the_seed(path):
    from tinybird.datafile.parse_datasource import parse_datasource

    node = parse_datasource(str(path)).datafile.nodes[0]
    columns = [(c["name"], c["type"]) for c in node["columns"]]
    assert columns == EXPECTED_SCHEMAS[path.stem]
    assert all(c["jsonpath"] == f"$.{c['name']}" + ("[:]" if c["type"].startswith("Array") else "")
               for c in node["columns"])
    assert node["engine"]["type"] == "MergeTree"
    args = dict(node["engine"]["args"])
    assert (args["partition_key"], args["sorting_key"]) == EXPECTED_KEYS[path.stem]
    ours = read_datasource(path)
    assert [(c.name, c.type, c.json_path) for c in ours.columns] == [
        (c["name"], c["type"], c["jsonpath"]) for c in node["columns"]]
    assert (ours.partition_key, ours.sorting_key) == EXPECTED_KEYS[path.stem]


@pytest.mark.parametrize("path", PIPE_FILES, ids=lambda p: p.stem)
def test_pipe_parses_with_tinybird_and_matches_our_reader(path):
    from tinybird.datafile.parse_pipe import parse_pipe

    datafile = parse_pipe(str(path)).datafile
    assert datafile.description and "Order" in datafile.description or path.stem in (
        "top_products", "events_by_country", "total_revenue")
    nodes = datafile.nodes
    assert nodes[-1].get("type", "").lower() == "endpoint"
    ours = read_pipe(path)
    assert [n.name for n in ours.nodes] == [n["name"] for n in nodes]
    for mine, theirs in zip(ours.nodes, nodes, strict=True):
        assert " ".join(mine.sql.split()) == " ".join(theirs["sql"].split())
    assert "ORDER BY" in ours.nodes[-1].sql


def test_fixtures_load_check_script_still_finds_its_helpers(tmp_path):
    """scripts/ci/fixtures-load-check.py (run by the Swift tests) imports create_table_sql from engine.py."""
    import json
    import subprocess
    import sys

    import fixture_data
    from conftest import ROOT

    rows = fixture_data.store_visits(n=3)
    (tmp_path / "store_visits.ndjson").write_text("".join(json.dumps(r) + "\n" for r in rows))
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "ci" / "fixtures-load-check.py"), str(PROJECT),
                             str(tmp_path)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.split() == ["store_visits", "3", "3"]
