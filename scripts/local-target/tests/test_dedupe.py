"""Payload de-duplication (--dedupe-window): same body once, its ledger across a kill -9, retries after a drop."""

from __future__ import annotations

import signal

import fixture_data
from conftest import ndjson, start_target
from dedupe import LEDGER_FILE, DedupeLedger

ROWS = fixture_data.ecommerce_events(n=60)
BODY_A, BODY_B, BODY_C = ndjson(ROWS[:20]), ndjson(ROWS[20:40]), ndjson(ROWS[40:60])


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def owned(ledger: DedupeLedger, ds: str, body: bytes) -> bytes:
    digest = ledger.digest(ds, body)
    assert ledger.claim(ds, digest) is None
    return digest


def test_ledger_window_truncate_and_reload(tmp_path):
    clock = Clock()
    ledger = DedupeLedger(tmp_path, 100, clock)
    a = owned(ledger, "ds", BODY_A)
    ledger.settle("ds", a, (20, 1), durable=True)
    assert ledger.claim("ds", a) == ((20, 1), True)
    assert ledger.claim("other", ledger.digest("other", BODY_A)) is None  # the datasource is part of the key
    b = owned(ledger, "ds", BODY_B)
    ledger.settle("ds", b, (20, 0), durable=False)  # buffered: de-duplicates, but is not on disk yet
    assert ledger.claim("ds", b) == ((20, 0), False)
    ledger.close()
    reloaded = DedupeLedger(tmp_path, 100, clock)
    assert reloaded.claim("ds", a) == ((20, 1), True)
    assert reloaded.claim("ds", b) is None  # never flushed: a retry after the restart is ingested
    reloaded.forget("ds")
    assert reloaded.claim("ds", a) is None  # truncated: forgotten
    reloaded.settle("ds", a, (20, 1), durable=True)
    clock.now += 101
    assert reloaded.claim("ds", a) is None  # out of the window
    reloaded.close()


def test_ledger_survives_a_torn_last_line_and_compacts(tmp_path):
    clock = Clock()
    ledger = DedupeLedger(tmp_path, 100, clock)
    for i, body in enumerate((BODY_A, BODY_B)):
        ledger.settle("ds", owned(ledger, "ds", body), (i, 0), durable=True)
    ledger.forget("gone")
    ledger.close()
    with open(tmp_path / LEDGER_FILE, "a") as f:
        f.write("H 1000000.000 abc")  # a kill in the middle of a write
    clock.now += 50
    again = DedupeLedger(tmp_path, 100, clock)
    assert again.claim("ds", again.digest("ds", BODY_B)) == ((1, 0), True)
    assert (tmp_path / LEDGER_FILE).read_text().count("\n") == 2  # compacted: two live hashes, no T, no torn tail
    again.close()


def test_pending_hash_becomes_durable_when_flushed_even_before_settle(tmp_path):
    ledger = DedupeLedger(tmp_path, 100, Clock())
    d = owned(ledger, "ds", BODY_C)
    ledger.persist("ds", [d])  # a flush inserted the chunk before the owner recorded its answer
    ledger.settle("ds", d, (20, 0), durable=False)
    assert ledger.claim("ds", d) == ((20, 0), True)
    assert d.hex() in (tmp_path / LEDGER_FILE).read_text()
    ledger.close()


def test_same_body_is_inserted_once_and_answered_alike(fresh_target):
    t = fresh_target()
    body = BODY_A + b'{"not": "valid"}\n'
    first = t.ingest("ecommerce_events", body)
    again = t.ingest("ecommerce_events", body)
    assert first.status == again.status == 200
    assert first.json() == again.json() == {"successful_rows": 20, "quarantined_rows": 1}
    assert t.count("ecommerce_events") == 20 and t.count("ecommerce_events_quarantine") == 1
    assert t.ingest("ecommerce_events", body, wait=False).status == 202  # the status follows this request's wait
    assert t.ingest("ecommerce_events", BODY_B).json()["successful_rows"] == 20  # another body is another payload
    assert t.count("ecommerce_events") == 40
    assert t.ingest("store_visits", ndjson(fixture_data.store_visits(n=3))).status == 200
    assert t.request("POST", "/v0/datasources/ecommerce_events/truncate").status == 200
    assert t.ingest("ecommerce_events", body).json() == {"successful_rows": 20, "quarantined_rows": 1}
    assert t.count("ecommerce_events") == 20  # truncating forgot the hash


def test_buffered_then_waited_copies_are_consistent(fresh_target):
    t = fresh_target("--flush-interval", "3600")
    assert t.ingest("ecommerce_events", BODY_A, wait=False).json()["successful_rows"] == 20
    assert t.ingest("ecommerce_events", BODY_A, wait=False).status == 202  # pending: already in the buffer
    assert t.count("ecommerce_events") == 0
    waited = t.ingest("ecommerce_events", BODY_A, wait=True)
    assert waited.status == 200 and waited.json() == {"successful_rows": 20, "quarantined_rows": 0}
    assert t.count("ecommerce_events") == 20  # a wait=true answer means the rows are in, once


def test_window_zero_turns_it_off(fresh_target):
    t = fresh_target("--dedupe-window", "0")
    t.ingest("ecommerce_events", BODY_A)
    t.ingest("ecommerce_events", BODY_A)
    assert t.count("ecommerce_events") == 40
    assert not (t.data / LEDGER_FILE).exists()


def test_hashes_and_acknowledged_rows_survive_kill_9(tmp_path):
    data = tmp_path / "data"
    t = start_target(data, "--flush-interval", "3600")
    assert t.ingest("ecommerce_events", BODY_A, wait=True).status == 200
    assert t.ingest("ecommerce_events", BODY_B, wait=True).status == 200
    assert t.ingest("ecommerce_events", BODY_C, wait=False).status == 202  # buffered only: lost with the process
    assert t.stop(signal.SIGKILL) == -signal.SIGKILL
    again = start_target(data, "--flush-interval", "3600")  # same folder, no lock left behind
    try:
        assert again.count("ecommerce_events") == 40  # every wait=true row acknowledged before the kill
        for body in (BODY_A, BODY_B):
            assert again.ingest("ecommerce_events", body).json() == {"successful_rows": 20, "quarantined_rows": 0}
        assert again.count("ecommerce_events") == 40  # still de-duplicated after the restart
        assert again.ingest("ecommerce_events", BODY_C).status == 200
        assert again.count("ecommerce_events") == 60  # the lost buffered body was not remembered as ingested
    finally:
        again.stop()


def test_retrying_after_a_dropped_answer_inserts_once(fresh_target):
    t = fresh_target("--fault-drop-after", "0.6", "--fault-seed", "4")
    outcomes: list = []
    for body in (BODY_A, BODY_B):
        while (status := t.status_or_drop(body)) is None:
            outcomes.append(None)
        outcomes.append(status)
    assert None in outcomes and outcomes.count(200) == 2
    assert t.count("ecommerce_events") == 40


def test_concurrent_copies_wait_for_the_first(fresh_target):
    import threading

    t = fresh_target()
    big = ndjson(fixture_data.ecommerce_events(seed=3, n=3000))
    answers = []

    def send() -> None:
        answers.append(t.ingest("ecommerce_events", big).json())

    threads = [threading.Thread(target=send) for _ in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert answers == [{"successful_rows": 3000, "quarantined_rows": 0}] * 4
    assert t.count("ecommerce_events") == 3000


def test_lost_rows_stay_lost_when_the_body_is_resent(fresh_target):
    t = fresh_target("--fault-lose-rows", "0.5", "--fault-seed", "2")
    first = t.ingest("ecommerce_events", BODY_A).json()
    kept = t.count("ecommerce_events")
    assert first == {"successful_rows": 20, "quarantined_rows": 0} and 0 < kept < 20
    assert t.ingest("ecommerce_events", BODY_A).json() == first  # de-duplicated: not a second chance
    assert t.count("ecommerce_events") == kept


def test_an_insert_killed_before_its_record_is_resolved_from_the_table(tmp_path):
    """Killed between an insert and its H line: at restart the B line and the table's row count decide."""
    digest_landed, digest_lost = DedupeLedger.digest("ds", b"a\n"), DedupeLedger.digest("other", b"b\n")
    ledger = DedupeLedger(tmp_path, 3600, count_rows=lambda ds: 0)
    ledger.begin("ds", 10, (digest_landed, (1, 0)), [])  # the insert went in: the table grew past 10
    ledger.begin("other", 5, (digest_lost, (1, 0)), [])  # this one did not: still 5 rows
    ledger.close()  # a kill: no settle, no H line
    counts = {"ds": 11, "other": 5}
    reloaded = DedupeLedger(tmp_path, 3600, count_rows=lambda ds: counts[ds])
    assert reloaded.claim("ds", digest_landed) == ((1, 0), True), "landed: a retry is answered, not inserted"
    assert reloaded.claim("other", digest_lost) is None, "not landed: a retry is inserted"
    # The resolution is written back, so a second restart agrees even if the table changed since.
    reloaded.close()
    again = DedupeLedger(tmp_path, 3600, count_rows=lambda ds: 0)
    assert again.claim("ds", digest_landed) == ((1, 0), True)
