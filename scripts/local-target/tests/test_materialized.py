"""Materialized pipes (applied to each inserted block, not the table), endpoints reading their targets, engines."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pytest
from conftest import start_target
from projects import ANALYTICS_PROJECT, ENGINES_PROJECT, write_project

COUNTRIES = ["ES", "FR", "US"]
KINDS = ["view", "purchase", "purchase", "refund"]


def events(first: int, n: int) -> list[dict]:
    """Rows for `events`; every 7th has a negative amount (UInt32: quarantined, so never materialized)."""
    rows = []
    for i in range(first, first + n):
        rows.append({"ts": f"2025-05-{10 + i % 3:02d} {i % 24:02d}:00:00", "kind": KINDS[i % len(KINDS)],
                     "user": {"id": f"u{i % 5}", "country": COUNTRIES[i % len(COUNTRIES)]},
                     "amount": -1 if i % 7 == 0 else (i * 37) % 100})
    return rows


def expected_daily_country(rows: list[dict], country: str | None = None) -> list[dict]:
    groups: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for r in rows:
        if r["kind"] == "purchase" and r["amount"] >= 0 and (country is None or r["user"]["country"] == country):
            groups[(r["ts"][:10], r["user"]["country"])].append(r)
    return [{"day": day, "country": c, "purchases": len(g), "revenue": sum(r["amount"] for r in g),
             "buyers": len({r["user"]["id"] for r in g}), "max_amount": max(r["amount"] for r in g)}
            for (day, c), g in sorted(groups.items())]


def accepted(rows: list[dict]) -> list[dict]:
    return [r for r in rows if r["amount"] >= 0]


@pytest.fixture(scope="module")
def analytics(tmp_path_factory):
    root = write_project(tmp_path_factory.mktemp("analytics"), ANALYTICS_PROJECT)
    data = tmp_path_factory.mktemp("data")
    t = start_target(data, "--project", str(root))
    yield t, root, data
    t.stop()


def test_materialized_pipe_feeds_an_aggregating_target_read_by_an_endpoint(analytics, tmp_path):
    t, root, data = analytics
    first, second = events(0, 40), events(40, 25)
    sent = []
    for batch in (first, second):
        r = t.ingest("events", batch)
        assert r.json() == {"successful_rows": len(accepted(batch)), "quarantined_rows": len(batch) - len(accepted(batch))}
        sent += batch
    assert t.pipe_data("daily_country_stats") == expected_daily_country(sent)
    assert t.pipe_data("daily_country_stats", {"country": "FR"}) == expected_daily_country(sent, "FR")
    # one row per inserted block, not a running total over the table: the view sees the block only
    sizes = t.sql("SELECT rows, purchases FROM batch_sizes ORDER BY rows FORMAT JSON")["data"]
    per_batch = [{"rows": len(accepted(b)), "purchases": sum(r["kind"] == "purchase" for r in accepted(b))}
                 for b in (first, second)]
    assert sizes == sorted(per_batch, key=lambda x: x["rows"])

    # a restart on the same data re-creates the views without replaying the origin, and they keep working;
    # a materialized pipe removed from the project meanwhile no longer runs
    assert t.stop() == 0
    smaller = {path: text for path, text in ANALYTICS_PROJECT.items() if path != "materializations/batch_sizes_mv.pipe"}
    again = start_target(data, "--project", str(write_project(tmp_path / "smaller", smaller)))
    try:
        assert again.pipe_data("daily_country_stats") == expected_daily_country(sent)
        third = events(65, 10)
        assert again.ingest("events", third).status == 200
        assert again.pipe_data("daily_country_stats") == expected_daily_country(sent + third)
        assert again.count("batch_sizes") == 2
    finally:
        again.stop()


def test_only_endpoints_are_served(tmp_path):
    root = write_project(tmp_path / "p", ANALYTICS_PROJECT)
    t = start_target(tmp_path / "data", "--project", str(root))
    try:
        assert t.pipe("kinds").status == 200  # TYPE endpoint under pipes/
        for name, kind in [("daily_country_mv", "materialized"), ("snapshot", "copy"), ("helper", "without TYPE")]:
            r = t.pipe(name)
            assert r.status == 404 and "not an endpoint" in r.json()["error"] and kind in r.json()["error"]
        assert t.ingest("events", events(0, 8)).status == 200
        assert t.count("batch_sizes") == 1  # the copy pipe (same target) did not run
    finally:
        t.stop()


@pytest.fixture(scope="module")
def engines(tmp_path_factory):
    root = write_project(tmp_path_factory.mktemp("engines"), ENGINES_PROJECT)
    t = start_target(tmp_path_factory.mktemp("data"), "--project", str(root))
    yield t
    t.stop()


def test_replacing_merge_tree_keeps_the_highest_version(engines):
    for version, value in [(2, "second"), (1, "first"), (3, "third")]:
        engines.ingest("latest", [{"key": "k", "value": value, "version": version}])
    final = engines.sql("SELECT key, value, version FROM latest FINAL FORMAT JSON")["data"]
    assert final == [{"key": "k", "value": "third", "version": 3}]


def test_summing_merge_tree_sums_the_named_columns(engines):
    rows: list[dict[str, Any]] = [{"key": "a", "hits": 1, "bytes": 10}, {"key": "b", "hits": 2, "bytes": 5}, {"key": "a", "hits": 4, "bytes": 1}]
    for row in rows:
        engines.ingest("totals", [row])
    final = engines.sql("SELECT key, hits, bytes FROM totals FINAL ORDER BY key FORMAT JSON")["data"]
    sums: dict[str, dict] = {}
    for row in rows:
        s = sums.setdefault(row["key"], {"key": row["key"], "hits": 0, "bytes": 0})
        s["hits"] += row["hits"]
        s["bytes"] += row["bytes"]
    assert final == [sums[k] for k in sorted(sums)]


def test_collapsing_merge_tree_cancels_sign_pairs(engines):
    engines.ingest("sessions", [{"session": "s1", "pages": 1, "sign": 1}, {"session": "s2", "pages": 4, "sign": 1}])
    engines.ingest("sessions", [{"session": "s1", "pages": 1, "sign": -1}, {"session": "s1", "pages": 3, "sign": 1}])
    final = engines.sql("SELECT session, pages FROM sessions FINAL ORDER BY session FORMAT JSON")["data"]
    assert final == [{"session": "s1", "pages": 3}, {"session": "s2", "pages": 4}]


def test_engine_keys_ttl_and_settings_reach_clickhouse(engines):
    table = engines.sql("SELECT partition_key, sorting_key, primary_key, engine_full FROM system.tables "
                        "WHERE name = 'expiring' FORMAT JSON")["data"][0]
    keys = [table[k].removeprefix("(").removesuffix(")") for k in ("partition_key", "sorting_key", "primary_key")]
    assert keys == ["toYYYYMM(ts)", "key, ts", "key"]
    assert "TTL ts + toIntervalDay(3650)" in table["engine_full"]
    assert "index_granularity = 1024" in table["engine_full"]


def test_null_engine_keeps_nothing_but_feeds_its_materialized_view(engines):
    r = engines.ingest("landing", [{"key": "a", "n": 2}, {"key": "b", "n": 5}])
    assert r.json() == {"successful_rows": 2, "quarantined_rows": 0}
    assert engines.count("landing") == 0
    assert engines.sql("SELECT key, n2 FROM landed ORDER BY key FORMAT JSON")["data"] == [
        {"key": "a", "n2": 4}, {"key": "b", "n2": 10}]


def test_a_failing_materialized_view_is_a_422_with_the_rows_kept(tmp_path):
    root = write_project(tmp_path / "p", {
        "datasources/readings.datasource": "SCHEMA >\n    `sensor` String `json:$.sensor`,\n    `v` UInt32 `json:$.v`\n",
        "datasources/checked.datasource": "SCHEMA >\n    `sensor` String,\n    `v` UInt32\n",
        "materializations/check.pipe": "NODE check\nSQL >\n    SELECT sensor, v + throwIf(v = 13, 'unlucky') AS v"
                                       " FROM readings\n\nTYPE materialized\nDATASOURCE checked\n",
    })
    t = start_target(tmp_path / "data", "--project", str(root))
    try:
        ok = t.ingest("readings", [{"sensor": "a", "v": 1}, {"sensor": "b", "v": 2}])
        assert ok.status == 200 and t.count("checked") == 2
        bad = t.ingest("readings", [{"sensor": "c", "v": 3}, {"sensor": "d", "v": 13}])
        assert bad.status == 422 and "unlucky" in bad.json()["error"]
        assert t.count("readings") == 4 and t.count("checked") == 2  # in the origin once, not in the target
    finally:
        t.stop()
