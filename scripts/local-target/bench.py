"""Benchmark the local target: HTTP ingestion rows/s (10k-row NDJSON batches) and queries/s per pipe on 1M rows.

Usage:  scripts/local-target/venv  # ensures the venv
        "$(scripts/local-target/venv)" scripts/local-target/bench.py [--rows 1000000] [--seconds 2] [--clients 1]
Each phase is bounded in time; the whole run takes well under a minute on 2 cores.
"""

from __future__ import annotations

import argparse
import gzip
import http.client
import json
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

HERE = Path(__file__).resolve().parent
READY = "starling-local-target listening on "
TOKEN = "bench-token"

POPULATE = """
INSERT INTO store_visits SELECT
  concat('visit_', toString(number)), concat('store_', toString(number % 20 + 1)),
  toDateTime('2025-05-01 00:00:00', 'UTC') + (number * 7) % (30 * 86400),
  concat('visitor_', toString(cityHash64(number) % 100000)),
  ['main entrance','side door','back door','patio entrance','parking entrance'][number % 5 + 1],
  ['main entrance','side door','back door','patio entrance','parking entrance'][cityHash64(number, 1) % 5 + 1],
  toInt32(cityHash64(number, 2) % 3600),
  arraySlice(['loyalty member','weekday shopper','weekend shopper','purchasing','first visit'], 1, number % 4)
FROM numbers({rows});
INSERT INTO ecommerce_events SELECT
  toDateTime('2025-05-01 00:00:00', 'UTC') + (number * 3) % (30 * 86400),
  ['view','view','view','view','add_to_cart','add_to_cart','remove_from_cart','purchase'][number % 8 + 1],
  concat('user_', toString(cityHash64(number) % 50000)), concat('prod_', toString(cityHash64(number, 1) % 1000)),
  ['Books','Toys','Garden','Electronics'][number % 4 + 1], toFloat64(cityHash64(number, 2) % 200 + 1),
  toInt64(cityHash64(number, 3) % 4 + 1), concat('session_', toString(intDiv(number, 5))),
  ['US','France','Spain','Germany','Japan','Brazil','India'][cityHash64(number, 4) % 7 + 1]
FROM numbers({rows});
INSERT INTO customer_touchpoints SELECT
  concat('cust_', toString(number % 50000)), concat('sess_', toString(number % 50000), '_', toString(intDiv(number, 150000))),
  toDateTime('2025-05-01 00:00:00', 'UTC') + intDiv(number, 50000) * 3600 + cityHash64(number) % 3600,
  concat('tp_', toString(number)), t,
  ['website','mobile_app','email','social','search','display','affiliate','referral'][cityHash64(number, 1) % 8 + 1],
  ['desktop','mobile','tablet'][cityHash64(number, 2) % 3 + 1],
  ['', 'summer_sale', 'spring_promo', 'retarget_1', 'brand'][cityHash64(number, 3) % 5 + 1],
  toUInt8(t = 'purchase'), if(t = 'purchase', toFloat64(cityHash64(number, 4) % 300 + 1), 0.),
  'google.com', 'https://example.com/p', toInt32(cityHash64(number, 5) % 300), 'view', '{{}}'
FROM (SELECT number, ['ad_impression','ad_click','email_open','email_click','social_engagement','search','page_view',
  'product_view','add_to_cart','checkout','purchase','support_chat'][intDiv(number, 50000) % 12 + 1] AS t FROM numbers({rows}));
"""

PIPE_PARAMS = {
    "customer_journey_details": lambda r: {"customer_id": f"cust_{r.randrange(50000)}"},
    "visitor_details": lambda r: {"visitor_id": f"visitor_{r.randrange(100000)}"} if r.random() < 0.5 else {},
    "customer_journey_summary": lambda r: {"limit": "50"},
    "campaign_performance": lambda r: {"campaign_id": "summer_sale"} if r.random() < 0.5 else {},
    "touchpoint_funnel": lambda r: {"channel": "email"} if r.random() < 0.5 else {},
    "journey_paths": lambda r: {"min_count": "2", "limit": "20"},
}


def start(data: Path, *flags: str) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen([str(HERE / "start"), "--port", "0", "--data", str(data), "--token", TOKEN, *flags],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None  # stdout=PIPE
    line = proc.stdout.readline()
    if not line.startswith(READY):
        proc.kill()
        raise SystemExit(f"local target did not start: {line!r}")
    return proc, line[len(READY):].strip()


def conn_for(url: str) -> http.client.HTTPConnection:
    split = urlsplit(url)
    return http.client.HTTPConnection(split.hostname or "127.0.0.1", split.port, timeout=120)


def synthetic_batch(i: int, n: int) -> bytes:
    rows = []
    for k in range(n):
        x = i * n + k
        rows.append(json.dumps({
            "event_time": f"2025-05-{1 + x % 28:02d} {x % 24:02d}:{x % 60:02d}:{(x * 7) % 60:02d}",
            "event_type": ("view", "add_to_cart", "remove_from_cart", "purchase")[x % 4], "user_id": f"user_{x % 5000}",
            "product_id": f"prod_{x % 1000}", "category": "Books", "price": float(x % 200 + 1), "quantity": x % 4 + 1,
            "session_id": f"session_{x // 5}", "country": ("US", "France", "Spain")[x % 3]}))
    return ("\n".join(rows) + "\n").encode()


def unique_body(batch: bytes, i: int) -> bytes:
    """The batch with its first row's user_id made unique, so payload de-duplication does not skip it."""
    first, rest = batch.split(b"\n", 1)
    return first.replace(b'"user_id": "', b'"user_id": "bench%d_' % i, 1) + b"\n" + rest


def bench_ingest(url: str, seconds: float, clients: int, use_gzip: bool, first_id: int) -> tuple[float, int]:
    """(rows/s, requests sent); request k carries body id first_id + k, all different (see unique_body)."""
    batches = [synthetic_batch(i, 10_000) for i in range(4)]
    pool: list[bytes] = []
    if use_gzip:  # compressed before the clock starts, as the other run sends prepared bytes too
        pool = [gzip.compress(unique_body(batches[k % 4], first_id + k), 1) for k in range(int(seconds * 40) + 8)]
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/x-ndjson"}
    if use_gzip:
        headers["Content-Encoding"] = "gzip"
    total, sent = [0], [0]
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def worker(w: int) -> None:
        c = conn_for(url)
        k = w
        while time.monotonic() < deadline and (not pool or k < len(pool)):
            body = pool[k] if pool else unique_body(batches[k % 4], first_id + k)
            c.request("POST", "/v0/events?name=ecommerce_events&wait=true", body, headers)
            resp = c.getresponse()
            answer = json.loads(resp.read())
            assert resp.status == 200, answer
            with lock:
                total[0] += answer["successful_rows"]
                sent[0] += 1
            k += clients
        c.close()

    start_t = time.monotonic()
    threads = [threading.Thread(target=worker, args=(w,)) for w in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return total[0] / (time.monotonic() - start_t), sent[0]


def bench_pipe(url: str, pipe: str, seconds: float, clients: int) -> tuple[float, float, float, int]:
    latencies: list[float] = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def worker(w: int) -> None:
        rng = random.Random(w)
        c = conn_for(url)
        while time.monotonic() < deadline:
            params = PIPE_PARAMS.get(pipe, lambda r: {})(rng)
            q = urlencode(params)
            t0 = time.monotonic()
            c.request("GET", f"/v0/pipes/{pipe}.json" + (f"?{q}" if q else ""),
                      headers={"Authorization": f"Bearer {TOKEN}"})
            resp = c.getresponse()
            body = resp.read()
            assert resp.status == 200, body[:300]
            with lock:
                latencies.append(time.monotonic() - t0)
        c.close()

    start_t = time.monotonic()
    threads = [threading.Thread(target=worker, args=(w,)) for w in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - start_t
    latencies.sort()
    p50 = statistics.median(latencies)
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    return len(latencies) / elapsed, p50 * 1000, p99 * 1000, len(latencies)


class _Skip(Exception):
    pass


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--rows", type=int, default=1_000_000, help="rows per datasource for the query benchmark")
    p.add_argument("--seconds", type=float, default=2.0, help="seconds per pipe")
    p.add_argument("--ingest-seconds", type=float, default=5.0)
    p.add_argument("--clients", type=int, default=1)
    p.add_argument("--only", choices=("ingest", "queries"), default=None)
    p.add_argument("--pipes", default="", help="comma-separated pipes to query (default: all)")
    p.add_argument("--server-flag", action="append", default=[], help="extra flag for start, e.g. --connections=1")
    args = p.parse_args()
    with tempfile.TemporaryDirectory(prefix="starling-bench-") as tmp:
        data = Path(tmp) / "data"
        proc, url = start(data, *args.server_flag)
        try:
            if args.only == "queries":
                raise _Skip()
            print("== ingestion (10k-row NDJSON batches, wait=true, ecommerce_events) ==")
            first_id = 0
            for clients in (1, 2):
                for gz in (False, True):
                    rate, sent = bench_ingest(url, args.ingest_seconds, clients, gz, first_id)
                    first_id += sent + clients
                    print(f"clients={clients} gzip={gz!s:5}  {rate:>10,.0f} rows/s", flush=True)
            c = conn_for(url)
            c.request("POST", "/v0/datasources/ecommerce_events/truncate", headers={"Authorization": f"Bearer {TOKEN}"})
            c.getresponse().read()
            c.close()
        except _Skip:
            pass
        finally:
            proc.terminate()
            proc.wait()
        if args.only == "ingest":
            return 0
        # populate 1M rows per datasource straight into the data dir (server stopped), then query
        t0 = time.monotonic()
        code = (
            f"import sys; sys.path.insert(0, {str(HERE)!r})\n"
            "from pathlib import Path\nfrom engine import Engine\n"
            f"e = Engine(Path({str(data)!r}), 1)\n"
            f"for stmt in {POPULATE.format(rows=args.rows)!r}.split(';\\n'):\n"
            "    if stmt.strip(): e.execute(stmt)\n"
            "e.close()\n"
        )
        subprocess.run([sys.executable, "-c", code], check=True)
        print(f"\npopulated {args.rows:,} rows per datasource in {time.monotonic() - t0:.1f} s")
        proc, url = start(data, *args.server_flag)
        try:
            print(f"== queries on {args.rows:,} rows/datasource, clients={args.clients}, {args.seconds}s each ==")
            print(f"{'pipe':28} {'q/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'n':>5}")
            pipes = sorted(p.stem for p in (HERE.parent.parent / "scenarios/tinybird/endpoints").glob("*.pipe"))
            for pipe in [x for x in pipes if not args.pipes or x in args.pipes.split(",")]:
                qps, p50, p99, n = bench_pipe(url, pipe, args.seconds, args.clients)
                print(f"{pipe:28} {qps:8.1f} {p50:8.1f} {p99:8.1f} {n:5d}", flush=True)
        finally:
            proc.terminate()
            proc.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
