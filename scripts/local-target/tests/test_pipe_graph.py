"""Pipes reading pipes (resolved with Tinybird's sql_toolset), classic endpoints, vendored datasources, copy pipes."""

from __future__ import annotations

import subprocess

import pytest
from conftest import TARGET, start_target
from datafiles import read_project
from projects import PIPES_PROJECT, write_project

HITS = [{"ts": "2025-05-12 10:00:00", "path": "/A", "kind": "view"}, {"ts": "2025-05-12 11:00:00", "path": "/a", "kind": "view"},
        {"ts": "2025-05-13 10:00:00", "path": "/b", "kind": "view"}, {"ts": "2025-05-13 10:00:00", "path": "/b", "kind": "click"},
        {"ts": "2025-05-13 12:00:00", "path": "", "kind": "view"}]


@pytest.fixture(scope="module")
def graph(tmp_path_factory):
    root = write_project(tmp_path_factory.mktemp("graph"), PIPES_PROJECT)
    t = start_target(tmp_path_factory.mktemp("data"), "--project", str(root))
    assert t.ingest("hits_raw", HITS).json() == {"successful_rows": 5, "quarantined_rows": 0}
    yield t
    t.stop()


def test_endpoint_rule(tmp_path):
    project = read_project(write_project(tmp_path, PIPES_PROJECT))
    assert set(project.endpoints) == {"hits", "top_paths", "top_path", "daily", "shared"}
    assert project.pipes["path_counts_copy"].kind == "copy" and project.pipes["tag_copy"].output.copy_mode == "append"
    assert project.pipes["path_counts_copy"].output.copy_mode == "replace"
    assert "shared_ws.events" in project.datasources


def test_pipes_read_pipes_at_any_depth_with_parameters(graph):
    assert graph.pipe_data("hits") == [{"ts": h["ts"], "path": h["path"].lower(), "kind": h["kind"]} for h in HITS if h["path"]]
    assert graph.pipe_data("top_paths") == [{"path": "/a", "hits": 2}, {"path": "/b", "hits": 1}]
    assert graph.pipe_data("top_paths", {"kind": "click"}) == [{"path": "/b", "hits": 1}]
    assert graph.pipe_data("top_path") == [{"path": "/a", "hits": 2}]
    assert graph.pipe_data("top_path", {"kind": "click"}) == [{"path": "/b", "hits": 1}]  # params reach the pipe read
    assert graph.pipe_data("top_paths", {"limit": 1}) == [{"path": "/a", "hits": 2}]


def test_materialized_view_reading_a_pipe_sees_inserted_rows(graph):
    assert graph.pipe_data("daily") == [{"day": "2025-05-12", "path": "/a", "hits": 2},
                                        {"day": "2025-05-13", "path": "/b", "hits": 2}]


def test_vendored_datasource_ingests_and_is_read_by_pipes_and_views(graph):
    r = graph.ingest("shared_ws.events", [{"user": "u1", "n": 2}, {"user": "u1", "n": 3}, {"user": "u2"}])
    assert r.json() == {"successful_rows": 2, "quarantined_rows": 1}
    assert graph.pipe_data("shared") == [{"user": "u1", "n": 5}]
    assert graph.count("vendor_counts") == 2
    assert graph.count("shared_ws.events_quarantine") == 1
    assert graph.request("POST", "/v0/datasources/shared_ws.events/truncate").status == 200
    assert graph.count("shared_ws.events") == 0


def test_copy_pipes_run_on_request(graph):
    r = graph.request("POST", "/v0/pipes/path_counts_copy/copy")
    assert r.status == 200, r.body
    body = r.json()
    assert body["rows"] == 2 and body["job"] == {"kind": "copy", "id": body["id"], "status": "done"}
    again = graph.request("POST", "/v0/pipes/path_counts_copy/copy").json()  # replace: the same two rows
    assert again["rows"] == 2 and again["id"] != body["id"]
    assert graph.sql("SELECT path, hits FROM path_counts ORDER BY path FORMAT JSON")["data"] == [
        {"path": "/a", "hits": 2}, {"path": "/b", "hits": 2}]
    assert graph.request("POST", "/v0/pipes/tag_copy/copy").json()["rows"] == 1
    assert graph.request("POST", "/v0/pipes/tag_copy/copy?tag=second").json()["rows"] == 1  # append, with a param
    assert graph.sql("SELECT tag, rows, unused FROM tags ORDER BY tag FORMAT JSON")["data"] == [
        {"tag": "default", "rows": 5, "unused": "x"}, {"tag": "second", "rows": 5, "unused": "x"}]


def test_copy_errors(graph):
    assert graph.request("POST", "/v0/pipes/tag_copy/copy", auth=False).status == 403
    assert graph.request("GET", "/v0/pipes/tag_copy/copy").status == 405
    assert graph.request("POST", "/v0/pipes/nope/copy").status == 404
    r = graph.request("POST", "/v0/pipes/top_paths/copy")
    assert r.status == 400 and "not a copy pipe" in r.json()["error"]
    r = graph.request("POST", "/v0/pipes/tag_copy/copy?tag=" + "%27")
    assert r.status in (200, 400)  # a quoted string either way: never a 500
    assert graph.pipe("tag_copy").status == 404  # a copy pipe is not an endpoint


BASE = {"datasources/d.datasource": "SCHEMA >\n    `a` String\n"}
START_ERRORS = [
    ({"pipes/a.pipe": "NODE a\nSQL >\n    SELECT * FROM b\nTYPE endpoint\n",
      "pipes/b.pipe": "NODE b\nSQL >\n    SELECT * FROM c\n",
      "pipes/c.pipe": "NODE c\nSQL >\n    SELECT * FROM a\n"}, "a.pipe:1:", "a -> b -> c -> a"),
    ({"pipes/p.pipe": "NODE n\nSQL >\n    SELECT * FROM nowhere\nTYPE endpoint\n"}, "p.pipe:1:", "nowhere"),
    ({"pipes/p.pipe": "NODE n\nSQL >\n    SELECT * FROM other_ws.t\nTYPE endpoint\n"}, "p.pipe:1:", "does not vendor"),
    ({"pipes/p.pipe": "NODE n\nSQL >\n    SELECT * FROM v0_0_1.gone\nTYPE endpoint\n"}, "p.pipe:1:",
     "'v0_0_1', an earlier release, that is not a datasource of the project"),
    ({"pipes/p.pipe": "NODE n\nSQL >\n    SELECT * FROM v0_0.d\nTYPE endpoint\n"}, "p.pipe:1:", "does not vendor"),
    ({"materializations/m.pipe": "NODE n\nSQL >\n    SELECT a FROM d\nTYPE materialized\nDATASOURCE gone\n"},
     "m.pipe:1:", "nor does the node give ENGINE settings"),
    ({"materializations/m.pipe": "NODE n\nSQL >\n    SELECT a FROM d\nTYPE materialized\nDATASOURCE gone\n"
      "ENGINE \"ReplacingMergeTree\"\nENGINE_SORTING_KEY \"a\"\nENGINE_VER \"v\"\n"}, "m.pipe:8:", "not a column"),
    ({"copies/c.pipe": "NODE n\nSQL >\n    SELECT a FROM d\nTYPE copy\nTARGET_DATASOURCE gone\n"}, "c.pipe:1:",
     "not a .datasource"),
]


@pytest.mark.parametrize("files,where,what", START_ERRORS, ids=[e[2] for e in START_ERRORS])
def test_start_refuses_with_one_line(tmp_path, files, where, what):
    root = write_project(tmp_path / "project", {**BASE, **files})
    result = subprocess.run([str(TARGET / "start"), "--port", "0", "--project", str(root),
                             "--data", str(tmp_path / "data")], capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and where in lines[0] and what in lines[0], result.stderr


# Classic releases: `v0_0_1.snapshot` is the `snapshot` datasource of the workspace's release 0.0.1 (the shape of
# use-case-examples' change_copy_pipe_time_granularity, written anew here): read as the project's own datasource.
RELEASES_PROJECT = {
    "datasources/hits.datasource": "SCHEMA >\n    `ts` DateTime,\n    `path` String\n",
    "datasources/snapshot.datasource": "SCHEMA >\n    `day` DateTime,\n    `path` String,\n    `hits` UInt64\n",
    "datasources/per_path.datasource": "SCHEMA >\n    `path` String,\n    `hits` UInt64\n",
    "datasources/archive.datasource": "SCHEMA >\n    `path` String,\n    `hits` UInt64\n",
    "pipes/snapshot_copy.pipe": """
        NODE per_day
        SQL >
            SELECT toStartOfDay(ts) AS day, path, count() AS hits FROM hits GROUP BY day, path
        TYPE copy
        TARGET_DATASOURCE snapshot
    """,
    # in Tinybird: fills the new release's table from the old one's; here the same table: not created
    "pipes/backfill.pipe": """
        NODE migrate
        SQL >
            SELECT toStartOfDay(day) AS day, path, sum(hits) AS hits FROM v0_0_1.snapshot GROUP BY day, path
        TYPE materialized
        DATASOURCE snapshot
    """,
    "pipes/per_path_mv.pipe": """
        NODE n
        SQL >
            SELECT path, hits FROM `v0_0_1`.`snapshot`
        TYPE materialized
        DATASOURCE per_path
    """,
    "pipes/archive_copy.pipe": """
        NODE a
        SQL >
            SELECT path, sum(hits) AS hits FROM v1_2_3_4.snapshot GROUP BY path
        NODE b
        SQL >
            SELECT * FROM a
        TYPE copy
        TARGET_DATASOURCE archive
    """,
    "pipes/templated.pipe": """
        NODE t
        SQL >
            %
            SELECT count() AS n FROM {{ symbol(String(release, 'v0_0_1')) }}.snapshot
    """,
    "pipes/daily.pipe": """
        NODE read_old
        SQL >
            %
            SELECT path, sum(hits) AS hits FROM v0_0_1.snapshot
            WHERE path != {{ String(skip, '') }}
            GROUP BY path ORDER BY path
    """,
}


def test_a_release_datasource_is_read_as_the_projects_own(tmp_path):
    root = write_project(tmp_path / "project", RELEASES_PROJECT)
    t = start_target(tmp_path / "data", "--project", str(root))
    try:
        rows = [{"ts": "2025-05-12 10:00:00", "path": "/a"}, {"ts": "2025-05-12 11:00:00", "path": "/a"},
                {"ts": "2025-05-13 10:00:00", "path": "/b"}]
        assert t.ingest("hits", rows).status == 200
        assert t.pipe_data("daily") == []
        assert t.request("POST", "/v0/pipes/snapshot_copy/copy").json()["rows"] == 2
        assert t.count("snapshot") == 2  # the backfill view into its own source was not created
        assert t.pipe_data("daily") == [{"path": "/a", "hits": 2}, {"path": "/b", "hits": 1}]
        assert t.pipe_data("daily", {"skip": "/a"}) == [{"path": "/b", "hits": 1}]
        assert t.pipe_data("templated") == [{"n": 2}]  # a release name the template writes
        assert t.sql("SELECT path, hits FROM per_path ORDER BY path FORMAT JSON")["data"] == [
            {"path": "/a", "hits": 2}, {"path": "/b", "hits": 1}]  # a view reading a release's table is fed
        assert t.request("POST", "/v0/pipes/archive_copy/copy").json()["rows"] == 2
        assert t.request("POST", "/v0/events?name=v0_0_1.snapshot&wait=true", b"{}").status == 400
    finally:
        assert t.stop() == 0
    lines = [line for line in t.stderr_text().splitlines() if "release" in line]
    assert len(lines) == 1, lines
    assert ("v0_0_1.snapshot (read by backfill, daily, per_path_mv) is read as snapshot; v1_2_3_4.snapshot (read by"
            " archive_copy) is read as snapshot; materialized pipe backfill not created" in lines[0]), lines


def test_a_vendored_workspace_named_like_a_release_is_that_workspace(tmp_path):
    root = write_project(tmp_path / "project", {
        "datasources/d.datasource": "SCHEMA >\n    `a` String\n",
        "vendor/v0_0_1/datasources/d.datasource": "SCHEMA >\n    `a` String\n",
        "pipes/p.pipe": "NODE n\nSQL >\n    SELECT a FROM v0_0_1.d\n"})
    t = start_target(tmp_path / "data", "--project", str(root))
    try:
        assert t.ingest("v0_0_1.d", [{"a": "vendored"}]).status == 200 and t.ingest("d", [{"a": "own"}]).status == 200
        assert t.pipe_data("p") == [{"a": "vendored"}]
    finally:
        t.stop()
    assert "release" not in t.stderr_text()


def test_a_template_needing_a_parameter_still_starts(tmp_path):
    root = write_project(tmp_path / "project", {**BASE, "pipes/p.pipe": "NODE n\nSQL >\n%\n"
                         "SELECT a FROM d WHERE a = {{ String(x, required=True) }}\nTYPE endpoint\n"})
    t = start_target(tmp_path / "data", "--project", str(root))
    try:
        assert t.pipe("p").status == 400 and t.pipe("p", {"x": "1"}).status == 200
    finally:
        t.stop()


def test_reference_types_json_whole_row_and_join_engine(tmp_path):
    from projects import JOIN_DATASOURCE, REFERENCE_TYPES_DATASOURCE

    root = write_project(tmp_path / "project", {
        "datasources/docs.datasource": REFERENCE_TYPES_DATASOURCE,
        "datasources/products.datasource": JOIN_DATASOURCE,
        "endpoints/named.pipe": "NODE n\nSQL >\n    SELECT id, joinGet('products', 'name', toString(doc.sku)) AS name,"
                                " toString(doc.sku) AS sku, labels['k'] AS k, toString(ts) AS ts\n    FROM docs ORDER BY id\n"
                                "TYPE endpoint\n",
    })
    t = start_target(tmp_path / "data", "--project", str(root))
    try:
        assert t.ingest("products", [{"sku": "s1", "name": "Shoe"}, {"sku": "s2", "name": "Hat"}]).status == 200
        rows = [{"id": 1, "ts": "2025-05-12 10:00:00.123456789", "labels": {"k": "v"}, "note": "n", "sku": "s2"},
                {"id": 2, "ts": "2025-05-12 10:00:01", "labels": {}, "note": "m", "sku": "s9", "nested": {"a": [1]}}]
        assert t.ingest("docs", rows).json() == {"successful_rows": 2, "quarantined_rows": 0}
        assert t.pipe_data("named") == [
            {"id": 1, "name": "Hat", "sku": "s2", "k": "v", "ts": "2025-05-12 10:00:00.123456789"},
            {"id": 2, "name": "", "sku": "s9", "k": "", "ts": "2025-05-12 10:00:01.000000000"}]
        doc = t.sql("SELECT toString(doc.nested.a) AS a FROM docs WHERE id = 2 FORMAT JSON")["data"]
        assert doc == [{"a": "[1]"}]
        assert t.count("products") == 2
        assert t.request("POST", "/v0/datasources/products/truncate").status == 200 and t.count("products") == 0
    finally:
        t.stop()


@pytest.mark.parametrize("schema,what", [
    ("SCHEMA >\n    `a` String `json:$`\n", "only read into a JSON column"),
    ("SCHEMA >\n    `a` String\n\nENGINE \"Join\"\nENGINE_JOIN_STRICTNESS \"ANY\"\nENGINE_JOIN_TYPE \"LEFT\"\n"
     "ENGINE_KEY_COLUMNS \"a\"\nENGINE_SORTING_KEY \"a\"\n", "does not apply to the Join engine"),
    ("SCHEMA >\n    `a` String\n\nENGINE \"Join\"\nENGINE_JOIN_STRICTNESS \"SOME\"\nENGINE_JOIN_TYPE \"LEFT\"\n"
     "ENGINE_KEY_COLUMNS \"a\"\n", "expected one of ANY"),
    ("SCHEMA >\n    `a` String\n\nENGINE \"Join\"\nENGINE_JOIN_TYPE \"LEFT\"\nENGINE_KEY_COLUMNS \"a\"\n",
     "needs ENGINE_JOIN_STRICTNESS"),
])
def test_reference_refusals(tmp_path, schema, what):
    from datafiles import DatafileError

    with pytest.raises(DatafileError) as raised:
        read_project(write_project(tmp_path, {"datasources/d.datasource": schema}))
    assert what in str(raised.value) and "d.datasource:" in str(raised.value), raised.value


CLASSIC_PROJECT = {
    "datasources/logs.datasource": "SCHEMA >\n    `ts` DateTime `json:$.ts`,\n    `ip` String `json:$.ip`\n",
    # classic: ENGINE settings in the materialized pipe, no .datasource for the target; a second view reads it
    "pipes/per_minute_mv.pipe": """
        NODE mv
        SQL >

            SELECT toStartOfMinute(ts) AS minute, ip, countState() AS total
            FROM logs
            GROUP BY ip, minute

        TYPE materialized
        DATASOURCE per_minute
        ENGINE "AggregatingMergeTree"
        ENGINE_PARTITION_KEY "tuple()"
        ENGINE_SORTING_KEY "minute, ip"
        ENGINE_TTL "minute + toIntervalDay(3650)"

        TOKEN read_pipes READ
    """,
    "pipes/per_ip.pipe": """
        NODE endpoint
        SQL >
            SELECT ip, countMerge(total) AS calls FROM per_minute GROUP BY ip ORDER BY ip
    """,
}


def test_classic_materialized_pipe_creates_its_target_from_engine_lines(tmp_path):
    root = write_project(tmp_path / "project", CLASSIC_PROJECT)
    t = start_target(tmp_path / "data", "--project", str(root))
    try:
        rows = [{"ts": "2025-05-12 10:00:00", "ip": "a"}, {"ts": "2025-05-12 10:00:30", "ip": "a"},
                {"ts": "2025-05-12 10:01:00", "ip": "b"}]
        assert t.ingest("logs", rows).status == 200
        assert t.pipe_data("per_ip") == [{"ip": "a", "calls": 2}, {"ip": "b", "calls": 1}]
        create = t.sql("SELECT engine_full FROM system.tables WHERE name = 'per_minute' FORMAT JSON")["data"][0]
        assert create["engine_full"].startswith("AggregatingMergeTree") and "TTL minute + toIntervalDay(3650)" in create["engine_full"]
        assert t.request("POST", "/v0/datasources/per_minute/truncate").status == 200
    finally:
        t.stop()
    again = start_target(tmp_path / "data", "--project", str(root))  # the created table is kept and reused
    try:
        assert again.pipe_data("per_ip") == []
    finally:
        again.stop()
