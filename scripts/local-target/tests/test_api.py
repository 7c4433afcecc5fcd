"""HTTP API behaviour: events, quarantine, errors, pipes formats and params, sql, truncate, tokens."""

from __future__ import annotations

import http.client
import json
from urllib.parse import urlencode

import fixture_data
from conftest import TOKEN

ROW = {"event_time": "2024-10-27 10:00:00", "event_type": "purchase", "user_id": "user123", "product_id": "p456",
       "category": "electronics", "price": 100.0, "quantity": 1, "session_id": "s789", "country": "US"}


def ecommerce(n: int, country: str = "US") -> list[dict]:
    return [dict(ROW, user_id=f"user_{i}", country=country) for i in range(n)]


def test_tokens_and_health_need_no_auth(target):
    r = target.request("GET", "/tokens", auth=False)
    assert r.status == 200
    assert r.json() == {"user_token": TOKEN, "admin_token": TOKEN, "workspace_admin_token": TOKEN}
    assert target.request("GET", "/v0/health", auth=False).status == 200
    assert r.headers.get("x-request-id")


def test_events_wait_true_is_200_and_visible(target):
    target.request("POST", "/v0/datasources/ecommerce_events/truncate")
    r = target.ingest("ecommerce_events", ecommerce(5), wait=True)
    assert r.status == 200
    assert r.json() == {"successful_rows": 5, "quarantined_rows": 0}
    assert r.headers["x-request-id"]
    assert target.count("ecommerce_events") == 5


def test_events_default_is_202_and_unknown_params_are_ignored(target):
    target.request("POST", "/v0/datasources/ecommerce_events/truncate")
    r = target.ingest("ecommerce_events", ecommerce(3), wait=False, extra_query="&from=starling&x=1")
    assert r.status == 202
    assert r.json() == {"successful_rows": 3, "quarantined_rows": 0}
    assert target.count("ecommerce_events") == 3


def test_events_token_in_query_string(target):
    body = json.dumps(ROW).encode() + b"\n"
    r = target.request("POST", f"/v0/events?name=ecommerce_events&wait=true&token={TOKEN}", body, auth=False)
    assert r.status == 200 and r.json()["successful_rows"] == 1


def test_events_gzip_body(target):
    target.request("POST", "/v0/datasources/store_visits/truncate")
    rows = fixture_data.store_visits(n=50)
    r = target.ingest("store_visits", rows, gzip_body=True)
    assert r.status == 200 and r.json() == {"successful_rows": 50, "quarantined_rows": 0}
    assert target.count("store_visits") == 50


def test_events_errors(target):
    body = json.dumps(ROW).encode()
    assert target.request("POST", "/v0/events?wait=true", body).status == 400
    r = target.request("POST", "/v0/events?name=nope", body)
    assert r.status == 400 and "nope" in r.json()["error"]
    assert target.request("POST", "/v0/events?name=ecommerce_events", body, auth=False).status == 403
    bad = target.request("POST", "/v0/events?name=ecommerce_events", body, {"Authorization": "Bearer wrong"})
    assert bad.status == 403 and bad.headers["x-request-id"]
    bad_gzip = target.request("POST", "/v0/events?name=ecommerce_events", b"not gzip", {"Content-Encoding": "gzip"})
    assert bad_gzip.status == 400


def test_events_quarantine_counts_and_table(target):
    target.request("POST", "/v0/datasources/ecommerce_events/truncate")
    before = target.count("ecommerce_events_quarantine")
    good = ecommerce(4)
    missing = dict(ROW)
    del missing["country"]
    wrong_type = dict(ROW, quantity="many")
    not_json = b"{not json"
    bad_calendar = dict(ROW, event_time="2024-13-45 99:99:99")  # passes the shape check, ClickHouse rejects it
    body = b"\n".join([json.dumps(r).encode() for r in good] + [json.dumps(missing).encode(),
                      json.dumps(wrong_type).encode(), not_json, json.dumps(bad_calendar).encode()]) + b"\n\n"
    r = target.request("POST", "/v0/events?name=ecommerce_events&wait=true", body)
    assert r.status == 200
    assert r.json() == {"successful_rows": 4, "quarantined_rows": 4}
    assert target.count("ecommerce_events") == 4
    assert target.count("ecommerce_events_quarantine") == before + 4
    q = target.sql("SELECT country, quantity, c__error_column, c__error, c__import_id FROM ecommerce_events_quarantine "
                   f"WHERE c__import_id = '{r.headers['x-request-id']}' ORDER BY length(c__error_column) FORMAT JSON")
    cols = sorted(tuple(row["c__error_column"]) for row in q["data"])
    assert ("country",) in cols and ("quantity",) in cols
    assert any(row["quantity"] == "many" for row in q["data"])
    assert all(row["c__error"] for row in q["data"])


def test_events_body_too_large_is_413(fresh_target):
    t = fresh_target("--max-body-bytes", "1000")
    rows = ecommerce(20)
    r = t.ingest("ecommerce_events", rows)
    assert r.status == 413
    gz = t.ingest("ecommerce_events", rows, gzip_body=True)  # compressed it is small; uncompressed it is not
    assert gz.status == 413
    assert t.ingest("ecommerce_events", rows[:3]).status == 200
    assert t.count("ecommerce_events") == 3


def test_rate_limit_429_with_headers(fresh_target):
    t = fresh_target("--rate-limit", "3")
    statuses, limited = [], None
    for _ in range(8):
        r = t.ingest("ecommerce_events", ecommerce(1))
        statuses.append(r.status)
        if r.status == 429 and limited is None:
            limited = r
    assert statuses.count(429) >= 1 and statuses.count(200) >= 3
    assert limited is not None
    assert int(limited.headers["retry-after"]) >= 1
    assert limited.headers["x-ratelimit-limit"] == "3"
    assert limited.headers["x-ratelimit-remaining"] == "0"
    assert int(limited.headers["x-ratelimit-reset"]) >= 1
    # other datasources have their own budget
    assert t.ingest("store_visits", fixture_data.store_visits(n=1)).status == 200


def test_keep_alive_and_chunked_body(target):
    host, port = target.host_port
    conn = http.client.HTTPConnection(host, port, timeout=10)
    try:
        for _ in range(3):
            conn.request("GET", "/v0/pipes/events_by_country.json", headers={"Authorization": f"Bearer {TOKEN}"})
            resp = conn.getresponse()
            assert resp.status == 200
            resp.read()
        chunks = iter([json.dumps(ROW).encode() + b"\n", json.dumps(ROW).encode() + b"\n"])
        conn.request("POST", "/v0/events?name=ecommerce_events&wait=true", body=chunks,
                     headers={"Authorization": f"Bearer {TOKEN}", "Transfer-Encoding": "chunked"},
                     encode_chunked=True)
        resp = conn.getresponse()
        assert resp.status == 200 and json.loads(resp.read())["successful_rows"] == 2
    finally:
        conn.close()


def test_pipe_formats(target):
    target.request("POST", "/v0/datasources/ecommerce_events/truncate")
    target.ingest("ecommerce_events", ecommerce(2, "US") + ecommerce(1, "FR"))
    js = target.pipe("events_by_country").json()
    assert js["data"] == [{"country": "US", "event_count": 2}, {"country": "FR", "event_count": 1}]
    assert js["rows"] == 2 and js["meta"] == [{"name": "country", "type": "String"},
                                              {"name": "event_count", "type": "UInt64"}]
    csv = target.pipe("events_by_country", fmt="csv")
    assert csv.status == 200 and csv.body.decode().splitlines() == ['"country","event_count"', '"US",2', '"FR",1']
    nd = target.pipe("events_by_country", fmt="ndjson")
    assert [json.loads(x) for x in nd.body.splitlines()] == js["data"]
    assert target.pipe("events_by_country", fmt="xml").status == 400


def test_pipe_errors(target):
    r = target.pipe("visitor_details", {"limit": "abc"})
    assert r.status == 400
    assert r.json()["error"] == "Template Syntax Error: Error validating 'abc' to type Int32"
    missing = target.pipe("customer_journey_details")
    assert missing.status == 400 and "Required parameter" in missing.json()["error"]
    empty_int = target.pipe("visits_by_store", {"limit": ""})
    assert empty_int.status == 400
    assert target.pipe("no_such_pipe").status == 404
    assert target.request("GET", "/v0/pipes/top_products.json", auth=False).status == 403
    assert target.request("GET", f"/v0/pipes/top_products.json?token={TOKEN}", auth=False).status == 200
    bad_date = target.pipe("visits_by_store", {"start_date": "yesterday"})
    assert bad_date.status == 400 and "DateTime" in bad_date.json()["error"]


def test_pipe_params_by_post_form(target):
    target.request("POST", "/v0/datasources/store_visits/truncate")
    rows = fixture_data.store_visits(n=30)
    target.ingest("store_visits", rows)
    form = urlencode({"limit": "2"}).encode()
    r = target.request("POST", "/v0/pipes/visits_by_store.json", form,
                       {"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status == 200 and r.json()["rows"] == 2
    assert r.json()["rows_before_limit_at_least"] == len({row["store_id"] for row in rows})


def test_sql_get_and_post(target):
    target.request("POST", "/v0/datasources/ecommerce_events/truncate")
    target.ingest("ecommerce_events", ecommerce(7))
    q = urlencode({"q": "SELECT count() AS c FROM ecommerce_events FORMAT JSON"})
    r = target.request("GET", f"/v0/sql?{q}")
    assert r.status == 200 and r.json()["data"] == [{"c": 7}]
    assert target.sql("SELECT count() AS c FROM ecommerce_events FORMAT JSON")["data"] == [{"c": 7}]
    form = target.request("POST", "/v0/sql", urlencode({"q": "SELECT 1 AS one FORMAT JSON"}).encode(),
                          {"Content-Type": "application/x-www-form-urlencoded"})
    assert form.status == 200 and form.json()["data"] == [{"one": 1}]
    assert target.request("POST", "/v0/sql", b"DROP TABLE ecommerce_events").status == 400
    assert target.request("POST", "/v0/sql", b"SELECT nonsense(").status == 400
    assert target.request("GET", "/v0/sql?q=SELECT%201", auth=False).status == 403
    assert target.count("ecommerce_events") == 7


def test_truncate(target):
    target.ingest("ecommerce_events", ecommerce(2))
    assert target.count("ecommerce_events") > 0
    r = target.request("POST", "/v0/datasources/ecommerce_events/truncate")
    assert r.status == 200
    assert target.count("ecommerce_events") == 0
    assert target.request("POST", "/v0/datasources/nope/truncate").status == 404
    assert target.request("POST", "/v0/datasources/ecommerce_events/truncate", auth=False).status == 403


def test_unknown_path_is_404(target):
    assert target.request("GET", "/v1/whatever").status == 404


def test_query_timeout_is_408(target):
    q = "SELECT count() FROM numbers(100000000000) SETTINGS max_execution_time=0.3 FORMAT JSON"
    r = target.request("POST", "/v0/sql", q.encode())
    assert r.status == 408 and "TIMEOUT_EXCEEDED" in r.json()["error"]
