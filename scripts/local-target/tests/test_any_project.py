"""Projects other than the seeds, over HTTP: nested JSONPaths, every supported type, DEFAULT and Nullable."""

from __future__ import annotations

import copy
import json
import random
from typing import Any

import pytest
from conftest import start_target
from datafiles import read_project
from projects import OVERLAP_DATASOURCE, TYPED_DATASOURCE, TYPED_ROW, write_project
from validation import RowValidator


@pytest.fixture(scope="module")
def typed(tmp_path_factory):
    root = write_project(tmp_path_factory.mktemp("typed"), {"datasources/typed.datasource": TYPED_DATASOURCE,
                                                            "datasources/overlap.datasource": OVERLAP_DATASOURCE})
    t = start_target(tmp_path_factory.mktemp("data"), "--project", str(root))
    yield t
    t.stop()


def varied(row_id: int, path: str, value) -> dict:
    """TYPED_ROW with `id` = row_id and the value at a dotted path replaced (or removed when value is DROP)."""
    row: dict[str, Any] = copy.deepcopy(TYPED_ROW)
    row["id"] = row_id
    *parents, last = path.split(".")
    node: Any = row
    for key in parents:
        node = node[key]
    if value is DROP:
        node.pop(last, None)
    else:
        node[last] = value
    return row


DROP = object()

# (dotted path in the JSON row, value, column, how ClickHouse shows the stored value with toString)
ACCEPTED = [
    ("ints.i8", "-128", "i8", "-128"),
    ("ints.u64", 0, "u64", "0"),
    ("ints.i128", str(2**127 - 1), "i128", str(2**127 - 1)),
    ("ints.u256", 2**256 - 1, "u256", str(2**256 - 1)),
    ("f32", "2.5", "f32", "2.5"),
    ("dec", "-9999.99", "dec", "-9999.99"),
    ("dec", 12.345, "dec", "12.34"),
    ("flag", 0, "flag", "false"),
    ("uid", "61F0C4045CB311E7907BA6006AD3DBA0", "uid", "61f0c404-5cb3-11e7-907b-a6006ad3dba0"),
    ("day", "2024-02-29", "day", "2024-02-29"),
    ("ts", "2025-05-12T10:00:00Z", "ts", "2025-05-12 10:00:00"),
    ("ts64", "2025-05-12 10:00:00.5", "ts64", "2025-05-12 10:00:00.500"),
    ("ts64", 1747044000.25, "ts64", "2025-05-12 10:00:00.250"),
    ("level", 1, "level", "low"),
    ("tags", [], "tags", "[]"),
    ("attrs", {}, "attrs", "{}"),
    ("note", None, "note", None),
    ("note", DROP, "note", None),
    ("meta", DROP, "lc_note", None),
    ("geo.country", DROP, "country", "unknown"),
    ("geo", None, "country", "unknown"),
    ("created", DROP, "created", "2025-05-12"),  # DEFAULT toDate(ts)
    ("created", None, "created", "2025-05-12"),
    ("items", [], "skus", "[]"),
    ("items", [{"sku": "only", "qty": 1}, {"sku": "x", "qty": 0, "extra": True}], "skus", "['only','x']"),
    ("code", "E", "code", "E"),
    ("ints_label", "labelled", "ints", "labelled"),
]
# (dotted path, value, the columns the quarantine names)
REFUSED = [
    ("ints.i8", 128, "i8"), ("ints.u64", -1, "u64"), ("ints.i8", 1.0, "i8"), ("ints.i8", True, "i8"),
    ("ints.u256", 2**256, "u256"), ("ints", DROP, "i8 u64 i128 u256"), ("ints", "flat", "i8 u64 i128 u256"),
    ("f32", "fast", "f32"), ("dec", 10000, "dec"), ("dec", "1e9", "dec"), ("flag", "true", "flag"), ("flag", 2, "flag"),
    ("uid", "not-a-uuid", "uid"), ("day", "2025-05-12 10:00:00", "day"), ("ts", "yesterday", "ts"),
    ("ts64", "12:00", "ts64"), ("level", "medium", "level"), ("level", 3, "level"),
    ("tags", "a,b", "tags"), ("tags", ["a", None], "tags"), ("scores", [1, "x"], "scores"),
    ("attrs", {"x": 70000}, "attrs"), ("attrs", ["x"], "attrs"), ("code", "FRA", "code"),
    ("items", [{"sku": "s"}], "qtys"), ("items", [{"qty": 1}], "skus"), ("items", DROP, "skus qtys"),
    ("odd-key", DROP, "weird-name"), ("geo", "Spain", "country"), ("ints", 5, "i8 u64 i128 u256"),
]


def test_nested_paths_no_longer_quarantine(typed):
    typed.request("POST", "/v0/datasources/typed/truncate")
    r = typed.ingest("typed", [TYPED_ROW])
    assert r.status == 200 and r.json() == {"successful_rows": 1, "quarantined_rows": 0}
    row = typed.sql("SELECT * FROM typed FORMAT JSON")["data"][0]
    assert (row["i8"], row["lc_note"], row["skus"], row["qtys"], row["country"], row["weird-name"]) == (
        -5, "m", ["s1", "s2"], [2, 3], "ES", "odd")
    assert row["created"] == "2025-01-02" and row["attrs"] == {"x": 1, "y": 65535}
    assert row["ints"] == "none"  # a column named like a JSON object it does not read


def test_a_key_read_as_value_and_object_is_rebuilt_in_python(typed):
    rows = [{"id": 1, "meta": {"id": "m1", "kind": "k"}, "tags": {"first": "t"}}, {"id": 2, "meta": {"id": "m2"}},
            {"id": 3, "meta": {"kind": "no id"}}, {"id": 4, "meta": {"id": "m4"}, "tags": {"first": None}}]
    r = typed.ingest("overlap", rows)
    assert r.json() == {"successful_rows": 3, "quarantined_rows": 1}
    stored = typed.sql("SELECT id, meta, meta_id, first_tag FROM overlap ORDER BY id FORMAT JSON")["data"]
    assert stored == [{"id": 1, "meta": {"id": "m1", "kind": "k"}, "meta_id": "m1", "first_tag": "t"},
                      {"id": 2, "meta": {"id": "m2"}, "meta_id": "m2", "first_tag": "none"},
                      {"id": 4, "meta": {"id": "m4"}, "meta_id": "m4", "first_tag": None}]


def test_each_type_accepts_what_clickhouse_stores(typed):
    rows = [varied(100 + i, path, value) for i, (path, value, _, _) in enumerate(ACCEPTED)]
    r = typed.ingest("typed", rows)
    assert r.json() == {"successful_rows": len(rows), "quarantined_rows": 0}, r.body
    for i, (path, value, column, shown) in enumerate(ACCEPTED):
        stored = typed.sql(f"SELECT toString(`{column}`) AS v FROM typed WHERE id = {100 + i} FORMAT JSON")["data"]
        assert stored == [{"v": shown}], (path, value, column)


def test_each_type_quarantines_what_does_not_fit(typed):
    rows = [varied(500 + i, path, value) for i, (path, value, _) in enumerate(REFUSED)]
    r = typed.ingest("typed", rows)
    assert r.json() == {"successful_rows": 0, "quarantined_rows": len(rows)}, r.body
    import_id = r.headers["x-request-id"]
    q = typed.sql("SELECT id, c__error_column FROM typed_quarantine "
                  f"WHERE c__import_id = '{import_id}' FORMAT JSON")["data"]
    named = {int(row["id"]): row["c__error_column"] for row in q}
    assert named == {500 + i: columns.split() for i, (_, _, columns) in enumerate(REFUSED)}


def test_an_object_or_array_read_into_a_string_column_is_its_json_text(typed):
    """As Tinybird stores `proxy_metadata String json:$.proxy_metadata` when the key holds an object (staged
    rows, and rows rebuilt in Python where another column reads inside that object)."""
    rows = [varied(700, "lc", {"a": 1, "b": [2]}), varied(701, "lc", ["x", 1])]
    assert typed.ingest("typed", rows).json() == {"successful_rows": 2, "quarantined_rows": 0}
    stored = typed.sql("SELECT id, replaceAll(toString(lc), ' ', '') AS v FROM typed WHERE id >= 700 ORDER BY id FORMAT JSON")
    assert stored["data"] == [{"id": 700, "v": '{"a":1,"b":[2]}'}, {"id": 701, "v": '["x",1]'}]


def test_a_string_column_holding_an_object_others_read_inside_is_rebuilt_with_its_json_text(tmp_path):
    root = write_project(tmp_path, {"datasources/o.datasource":
                                    "SCHEMA >\n    `meta` String `json:$.meta`,\n    `meta_id` String `json:$.meta.id`\n"})
    v = RowValidator(read_project(root).datasources["o"])
    line = json.dumps({"id": 9, "meta": {"id": "m9", "kind": "k"}}).encode()
    obj, _, errors = v.validate(line)
    assert errors == [] and obj is not None and json.loads(v.row(obj, line)) == {"meta": '{"id":"m9","kind":"k"}', "meta_id": "m9"}


def test_fast_path_agrees_with_detailed_check_on_nested_types():
    import tempfile
    from pathlib import Path

    root = write_project(Path(tempfile.mkdtemp()), {"datasources/typed.datasource": TYPED_DATASOURCE})
    v = RowValidator(read_project(root).datasources["typed"])
    assert v.fits(TYPED_ROW) and not v.verbatim
    rng = random.Random(5)
    values = [value for _, value, _, _ in ACCEPTED] + [value for _, value, _ in REFUSED] + [None, "x", 7, {}]
    paths = [p for p, _, _, _ in ACCEPTED] + [p for p, _, _ in REFUSED]
    fast_accepts = 0
    for _ in range(800):
        row = varied(1, rng.choice(paths), rng.choice(values))
        errors = v.validate(json.dumps(row).encode())[2]
        if v.fits(row):
            fast_accepts += 1
            assert errors == [], (row, errors)
    assert fast_accepts > 50


def test_a_datasource_with_its_own_insertion_date_keeps_it_in_quarantine(tmp_path):
    """The quarantine adds `insertion_date` only when the datasource has none (a products table with one
    stopped the target at start: 'column with this name already exists')."""
    root = write_project(tmp_path / "p", {"datasources/products.datasource":
                                          "SCHEMA >\n    `id` UInt32,\n    `insertion_date` DateTime\n"})
    target = start_target(tmp_path / "data", "--project", str(root))
    try:
        r = target.ingest("products", [{"id": 1, "insertion_date": "2025-01-01 00:00:00"},
                                       {"id": "x", "insertion_date": "2025-01-02 00:00:00"}])
        assert r.json() == {"successful_rows": 1, "quarantined_rows": 1}
        q = target.sql("SELECT id, insertion_date, c__error_column FROM products_quarantine FORMAT JSON")["data"]
        assert q == [{"id": "x", "insertion_date": "2025-01-02 00:00:00", "c__error_column": ["id"]}]
    finally:
        target.stop()


def test_a_kafka_datasource_has_the_connector_columns_its_keys_name(tmp_path):
    """Tinybird adds __timestamp, __topic, ... to a Kafka connector's datasource; its sorting key may use them."""
    root = write_project(tmp_path / "p", {"datasources/orders.datasource": (
        "SCHEMA >\n    `__value` String,\n    `order_id` Int32 `json:$.order_id`\n\n"
        "ENGINE_PARTITION_KEY \"toYYYYMM(__timestamp)\"\nENGINE_SORTING_KEY \"__timestamp\"\n\n"
        "KAFKA_CONNECTION_NAME 'c'\nKAFKA_TOPIC 'orders'\n")})
    target = start_target(tmp_path / "data", "--project", str(root))
    try:
        assert target.ingest("orders", [{"__value": "raw", "order_id": 7}]).json() == {"successful_rows": 1, "quarantined_rows": 0}
        row = target.sql("SELECT order_id, __topic, __timestamp > '2020-01-01' AS recent FROM orders FORMAT JSON")["data"]
        assert row == [{"order_id": 7, "__topic": "", "recent": 1}]
    finally:
        target.stop()
