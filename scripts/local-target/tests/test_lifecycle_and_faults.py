"""Start/stop contract, buffered ingestion and flushing, persistence, and fault injection."""

from __future__ import annotations

import http.client
import json
import re
import signal
import subprocess
import sys
import time

import fixture_data
import pytest
from conftest import TARGET, TOKEN, start_target

ROWS = fixture_data.ecommerce_events(n=100)



def test_ready_line_and_ready_file(tmp_path):
    ready = tmp_path / "ready"
    t = start_target(tmp_path / "data", "--ready-file", str(ready))
    try:
        assert re.fullmatch(r"starling-local-target listening on http://127\.0\.0\.1:\d+\n", t.stdout_line)
        assert ready.read_text().strip() == t.url
        assert t.request("GET", "/v0/health", auth=False).status == 200
    finally:
        assert t.stop() == 0
    assert t.process.stdout is None or t.process.stdout.closed
    # Its own ready file goes with it: a launcher that died before reading it leaves nothing behind.
    assert not ready.exists()


def test_a_refused_start_leaves_no_data_folder(tmp_path):
    data = tmp_path / "data"
    data.mkdir()  # a fresh folder its launcher made, handed over with --remove-data
    proc = subprocess.run([sys.executable, str(TARGET / "server.py"), "--port", "0", "--project", str(tmp_path / "missing"),
                           "--data", str(data), "--remove-data"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1 and "cannot start" in proc.stderr, proc.stderr
    assert not data.exists()


def test_sigint_stops_cleanly(tmp_path):
    t = start_target(tmp_path / "data")
    assert t.stop(signal.SIGINT) == 0


def test_bad_flags_fail(tmp_path):
    result = subprocess.run([str(TARGET / "start"), "--port", "0", "--fault-status", "nonsense"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0 and "fault" in result.stderr
    missing = subprocess.run([str(TARGET / "start"), "--port", "0", "--project", str(tmp_path / "none")],
                             capture_output=True, text=True, timeout=60)
    assert missing.returncode == 1 and "does not exist" in missing.stderr and missing.stdout == ""


def test_buffered_rows_survive_sigterm_and_restart(tmp_path):
    data = tmp_path / "data"
    t = start_target(data, "--flush-interval", "3600")
    r = t.ingest("ecommerce_events", ROWS, wait=False)
    assert r.status == 202 and r.json()["successful_rows"] == len(ROWS)
    assert t.count("ecommerce_events") == 0  # still buffered: the flush interval is an hour
    assert t.stop(signal.SIGTERM) == 0
    again = start_target(data)
    try:
        assert again.count("ecommerce_events") == len(ROWS)
    finally:
        again.stop()


def test_wait_true_and_truncate_flush_the_buffer(fresh_target):
    t = fresh_target("--flush-interval", "3600")
    assert t.ingest("ecommerce_events", ROWS[:10], wait=False).status == 202
    assert t.count("ecommerce_events") == 0
    assert t.ingest("ecommerce_events", ROWS[10:15], wait=True).status == 200
    assert t.count("ecommerce_events") == 15
    assert t.ingest("ecommerce_events", ROWS[15:20], wait=False).status == 202
    assert t.request("POST", "/v0/datasources/ecommerce_events/truncate").status == 200
    assert t.ingest("ecommerce_events", ROWS[20:22], wait=True).status == 200
    assert t.count("ecommerce_events") == 2


def test_a_full_buffer_is_inserted_by_the_request_that_filled_it(fresh_target):
    # By size as well as by time: with an hour's interval, the request that brings a datasource's buffer to
    # --flush-rows rows inserts them all before it answers.
    t = fresh_target("--flush-interval", "3600", "--flush-rows", "25")
    assert t.ingest("ecommerce_events", ROWS[:20], wait=False).status == 202
    assert t.count("ecommerce_events") == 0
    assert t.ingest("ecommerce_events", ROWS[20:30], wait=False).status == 202
    assert t.count("ecommerce_events") == 30
    assert t.ingest("ecommerce_events", ROWS[30:35], wait=False).status == 202
    assert t.count("ecommerce_events") == 30  # below the size again: waits for its interval


def test_flush_interval_makes_rows_visible(fresh_target):
    t = fresh_target("--flush-interval", "0.2")
    assert t.ingest("ecommerce_events", ROWS, wait=False).status == 202
    deadline = time.time() + 10
    while t.count("ecommerce_events") < len(ROWS) and time.time() < deadline:
        time.sleep(0.1)
    assert t.count("ecommerce_events") == len(ROWS)


def test_buffered_rows_become_visible_one_interval_after_arrival(fresh_target):
    t = fresh_target("--flush-interval", "1.0")
    sent = time.monotonic()
    assert t.ingest("ecommerce_events", ROWS, wait=False).status == 202
    assert t.count("ecommerce_events") == 0
    while t.count("ecommerce_events") < len(ROWS) and time.monotonic() - sent < 30:
        time.sleep(0.02)
    visible_after = time.monotonic() - sent
    assert t.count("ecommerce_events") == len(ROWS)
    # Not before the interval. (How soon after is not asserted: the flusher checks every 100 ms, but
    # scripts/test runs this suite niced beside the build and the other lanes, where a starved
    # process saw 8 s; that the rows do become visible is the assertion above.)
    assert visible_after >= 1.0, visible_after


def test_fault_status_always(fresh_target):
    t = fresh_target("--fault-status", "503:1.0")
    r = t.ingest("ecommerce_events", ROWS[:5])
    assert r.status == 503 and r.headers["retry-after"] == "1" and "error" in r.json()
    assert t.pipe("top_products").status == 503
    assert t.request("GET", "/tokens", auth=False).status == 200
    assert t.count("ecommerce_events") == 0  # nothing inserted by a faulted request


def test_fault_status_sometimes(fresh_target):
    t = fresh_target("--fault-status", "500:0.5", "--fault-seed", "3")
    statuses = [t.ingest("ecommerce_events", ROWS[i:i + 1]).status for i in range(30)]
    assert set(statuses) == {200, 500}
    assert t.count("ecommerce_events") == statuses.count(200)


def test_fault_stall_every_n(fresh_target):
    t = fresh_target("--fault-stall", "1.5:3")
    took = []
    for _ in range(6):
        start = time.monotonic()
        assert t.pipe("events_by_country").status == 200
        took.append(time.monotonic() - start)
    # Every third request is held 1.5 s: those two take at least that, and some other one does not (an
    # upper bound on each, or their ranking, fails on a starved machine: scripts/test runs this suite
    # niced beside the Swift lanes, where an unstalled request took 2.5 s).
    assert took[2] >= 1.45 and took[5] >= 1.45, took
    assert min(took[i] for i in (0, 1, 3, 4)) < 1.45, took


def test_fault_drop_closes_without_answer(fresh_target):
    t = fresh_target("--fault-drop", "1.0")
    host, port = t.host_port
    conn = http.client.HTTPConnection(host, port, timeout=10)
    body = b"".join(json.dumps(r).encode() + b"\n" for r in ROWS[:5])
    with pytest.raises((http.client.RemoteDisconnected, ConnectionError, http.client.BadStatusLine)):
        conn.request("POST", "/v0/events?name=ecommerce_events&wait=true", body=body,
                     headers={"Authorization": f"Bearer {TOKEN}"})
        conn.getresponse()
    conn.close()
    assert t.count("ecommerce_events") == 0


def test_fault_drop_after_inserts_then_closes_without_answer(fresh_target):
    t = fresh_target("--fault-drop-after", "1.0")
    body = b"".join(json.dumps(r).encode() + b"\n" for r in ROWS[:5])
    assert t.status_or_drop(body) is None
    assert t.count("ecommerce_events") == 5  # processed completely before the connection was closed
    with pytest.raises((http.client.RemoteDisconnected, ConnectionError, http.client.BadStatusLine)):
        t.pipe("events_by_country")


def test_fault_drop_after_is_seeded(fresh_target):
    patterns = []
    for _ in range(2):
        t = fresh_target("--fault-drop-after", "0.5", "--fault-seed", "9")
        pattern = [t.status_or_drop(json.dumps(row).encode() + b"\n") for row in ROWS[:16]]
        assert set(pattern) == {None, 200}
        assert t.count("ecommerce_events") == 16  # answered or not, every request was processed
        patterns.append(pattern)
    assert patterns[0] == patterns[1]


def test_fault_lose_rows_acknowledges_but_drops(fresh_target):
    t = fresh_target("--fault-lose-rows", "0.5", "--fault-seed", "5")
    r = t.ingest("ecommerce_events", ROWS)
    assert r.status == 200 and r.json()["successful_rows"] == len(ROWS)
    stored = t.count("ecommerce_events")
    assert 0 < stored < len(ROWS)


def test_venv_script_prints_its_python():
    result = subprocess.run([str(TARGET / "venv")], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert len(lines) == 1 and lines[0].endswith("/.venv/bin/python")
    check = subprocess.run([lines[0], "-c", "import chdb, tornado, hdrh, pytest, tinybird.sql_template"],
                           capture_output=True, timeout=60)
    assert check.returncode == 0, check.stderr


def test_concurrent_buffered_ingest_loses_nothing_across_sigterm(tmp_path):
    import threading

    data = tmp_path / "data"
    t = start_target(data, "--flush-interval", "0.05")
    rows = fixture_data.customer_touchpoints(customers=40)[:100]
    acked = []
    lock = threading.Lock()

    def worker(w: int) -> None:
        for k in range(10):
            shift = w * 10 + k  # a different body each time (identical ones would be de-duplicated)
            r = t.ingest("customer_touchpoints", rows[shift:] + rows[:shift], wait=False)
            assert r.status == 202
            with lock:
                acked.append(r.json()["successful_rows"])

    threads = [threading.Thread(target=worker, args=(w,)) for w in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert t.stop() == 0
    again = start_target(data)
    try:
        assert sum(acked) == 4000
        assert again.count("customer_touchpoints") == 4000
    finally:
        again.stop()


def test_expect_100_continue(target):
    host, port = target.host_port
    conn = http.client.HTTPConnection(host, port, timeout=10)
    body = b"".join(json.dumps(r).encode() + b"\n" for r in ROWS[:50])
    conn.request("POST", "/v0/events?name=ecommerce_events&wait=true", body=body,
                 headers={"Authorization": f"Bearer {TOKEN}", "Expect": "100-continue"})
    resp = conn.getresponse()
    assert resp.status == 200 and json.loads(resp.read())["successful_rows"] == 50
    conn.close()


def test_a_blocked_sigterm_is_unblocked_so_stop_requests_arrive(tmp_path):
    """Spawned with SIGTERM blocked (as from a test runner's worker thread), the server still stops on it."""
    import signal as _signal
    import subprocess
    import sys
    import time
    from pathlib import Path as _Path

    here = _Path(__file__).resolve().parent.parent
    ready = tmp_path / "ready"

    def block() -> None:
        _signal.pthread_sigmask(_signal.SIG_BLOCK, {_signal.SIGTERM, _signal.SIGINT})

    proc = subprocess.Popen([sys.executable, str(here / "server.py"), "--port", "0", "--ready-file", str(ready)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, preexec_fn=block)
    try:
        deadline = time.time() + 60
        while not ready.exists() and time.time() < deadline:
            time.sleep(0.05)
        assert ready.exists()
        proc.send_signal(_signal.SIGTERM)
        assert proc.wait(timeout=15) == 0
    finally:
        if proc.poll() is None:
            proc.kill()


def test_the_target_stops_and_removes_its_data_when_its_launcher_is_gone(tmp_path):
    # A launcher killed with SIGKILL (or crashing) cannot stop the target: it stops by itself,
    # flushing, and removes the data folder it was given with --remove-data.
    launcher = subprocess.Popen(["sleep", "60"])
    data = tmp_path / "data"
    t = start_target(data, "--parent-pid", str(launcher.pid), "--remove-data")
    try:
        assert t.request("GET", "/v0/health", auth=False).status == 200
        assert data.exists()
        launcher.kill()
        launcher.wait()
        assert t.process.wait(timeout=20) == 0
        assert not data.exists()
    finally:
        if t.process.poll() is None:
            t.stop()
