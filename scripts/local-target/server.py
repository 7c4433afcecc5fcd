"""starling-local-target: a Tinybird-compatible HTTP API over chdb (an in-process ClickHouse).

Run through `scripts/local-target/start`, which prepares the venv. See README.md for the contract.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import secrets
import shutil
import signal
import socket
import sys
import tempfile
import threading
import time
import uuid
import zlib
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from datafiles import DatafileError, read_project  # noqa: E402
from dedupe import DedupeLedger  # noqa: E402
from engine import CONTENT_TYPES, FORMATS, Engine, QueryError, ViewFailed, render_pipe  # noqa: E402
from ingest import Ingestor  # noqa: E402
from options import parse_args  # noqa: E402
from traffic import Faults, RateLimiter, retry_after_seconds  # noqa: E402

READY_PREFIX = "starling-local-target listening on "
JSON_SETTINGS = "output_format_json_quote_64bit_integers=0, output_format_json_pretty_print=0"
READ_ONLY_PREFIXES = ("SELECT", "WITH", "DESCRIBE", "DESC", "SHOW", "EXPLAIN", "EXISTS", "(")


class BodyTooLarge(Exception):
    pass


class App:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.token = args.token
        self.project = read_project(Path(args.project))
        self.datasources, self.pipes = self.project.datasources, self.project.pipes
        self.engine = Engine(Path(args.data), connections=args.connections)
        self.engine.install(self.project)
        ledger = DedupeLedger(Path(args.data), args.dedupe_window, count_rows=self.engine.count_rows) if args.dedupe_window > 0 else None
        self.ingestor = Ingestor(self.engine, self.datasources, args.flush_interval, args.fault_lose_rows,
                                 random.Random(args.fault_seed + 1), ledger, flush_rows=args.flush_rows)
        self.rate_limiter = RateLimiter(args.rate_limit) if args.rate_limit > 0 else None
        self.faults = Faults(args)
        self.active = 0
        self.closing = False
        self.active_cond = threading.Condition()

    def authorized(self, header: str | None, query: dict[str, list[str]]) -> bool:
        supplied = None
        if header and header.lower().startswith("bearer "):
            supplied = header[7:].strip()
        elif query.get("token"):
            supplied = query["token"][-1]
        return supplied is not None and secrets.compare_digest(supplied, self.token)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "starling-local-target"
    sys_version = ""
    disable_nagle_algorithm = True
    app: App  # set on the subclass made by serve()
    drop_response = False  # set per request by --fault-drop-after

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - silence per-request logs
        return

    # --- plumbing -----------------------------------------------------------------------------
    def _send(self, status: int, body: bytes, content_type: str = "application/json",
              headers: dict[str, str] | None = None) -> None:
        if self.drop_response:  # --fault-drop-after: the work is done, the answer never leaves
            self._close_without_answer()
            return
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("x-request-id", self.request_id)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _close_without_answer(self) -> None:
        self.close_connection = True
        with contextlib.suppress(OSError):  # the client may have gone already
            self.connection.shutdown(socket.SHUT_RDWR)

    def _json(self, status: int, obj: Any, headers: dict[str, str] | None = None) -> None:
        self._send(status, json.dumps(obj).encode(), headers=headers)

    def _error(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        self._json(status, {"error": message}, headers)

    def _read_raw_body(self, limit: int) -> bytes:
        """Read the request body (Content-Length or chunked). Over `limit` bytes: drain, raise."""
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            parts, total, too_big = [], 0, False
            while True:
                size_line = self.rfile.readline(65537)
                size = int(size_line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass
                    break
                chunk = self.rfile.read(size)
                self.rfile.readline(3)
                total += len(chunk)
                if total > limit:
                    too_big = True
                else:
                    parts.append(chunk)
            if too_big:
                raise BodyTooLarge()
            return b"".join(parts)
        length = int(self.headers.get("Content-Length") or 0)
        if length > limit:
            remaining = length
            while remaining > 0:
                got = self.rfile.read(min(remaining, 1 << 20))
                if not got:
                    break
                remaining -= len(got)
            raise BodyTooLarge()
        return self.rfile.read(length) if length else b""

    def _body(self) -> bytes:
        """Decoded body; the uncompressed size is capped at --max-body-bytes (BodyTooLarge)."""
        limit = self.app.args.max_body_bytes
        encoding = self.headers.get("Content-Encoding", "").lower().strip()
        if encoding in ("gzip", "x-gzip", "deflate"):
            raw = self._read_raw_body(max(limit, 1) * 4 + 1024)
            wbits = 16 + zlib.MAX_WBITS if encoding != "deflate" else zlib.MAX_WBITS
            d = zlib.decompressobj(wbits)
            try:
                out = d.decompress(raw, limit + 1)
            except zlib.error as error:
                raise ValueError(f"invalid {encoding} body: {error}") from error
            if len(out) > limit:
                raise BodyTooLarge()
            return out
        return self._read_raw_body(limit)

    def _params(self, split: Any, body: bytes | None) -> dict[str, list[str]]:
        params = parse_qs(split.query, keep_blank_values=True)
        ctype = self.headers.get("Content-Type", "")
        if body and "application/x-www-form-urlencoded" in ctype:
            for key, values in parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True).items():
                params.setdefault(key, []).extend(values)
        return params

    # --- dispatch -----------------------------------------------------------------------------
    def do_GET(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def do_HEAD(self) -> None:
        self._dispatch()

    def _dispatch(self) -> None:
        self.request_id = uuid.uuid4().hex
        self.drop_response = False
        app = self.app
        with app.active_cond:
            app.active += 1
            closing = app.closing
        try:
            if closing:
                self.close_connection = True
                self._error(503, "the local target is shutting down", {"Retry-After": "1"})
            else:
                self._route()
        except BrokenPipeError:
            self.close_connection = True
        except ConnectionResetError:
            self.close_connection = True
        except Exception as error:  # never kill the connection thread silently
            try:
                self.close_connection = True
                self._error(500, f"internal error: {error}")
            except OSError:
                pass
        finally:
            with app.active_cond:
                app.active -= 1
                app.active_cond.notify_all()

    def _route(self) -> None:
        split = urlsplit(self.path)
        path = split.path.rstrip("/") or "/"
        query = parse_qs(split.query, keep_blank_values=True)
        if path in ("/tokens", "/v0/tokens") and self.command in ("GET", "HEAD"):
            t = self.app.token
            self._json(200, {"user_token": t, "admin_token": t, "workspace_admin_token": t})
            return
        if path in ("/v0/health", "/health", "/") and self.command in ("GET", "HEAD"):
            self._json(200, {"status": "ok", "buffered_rows": self.app.ingestor.buffered_rows()})
            return
        if path.startswith("/v0/pipes/") and path.endswith("/copy"):  # not faulted: Starling runs copies to settle
            if self.command != "POST":
                return self._drain_and_error(405, "use POST to run a copy pipe")
            return self._copy(split, path[len("/v0/pipes/"):-len("/copy")])
        faultable = path == "/v0/events" or path.startswith("/v0/pipes/")
        if faultable and self._inject_fault():
            return
        if path == "/v0/events":
            if self.command != "POST":
                return self._drain_and_error(405, "use POST for /v0/events")
            return self._events(query)
        if path.startswith("/v0/pipes/"):
            return self._pipe(split, path[len("/v0/pipes/"):])
        if path == "/v0/sql":
            return self._sql(split)
        if path.startswith("/v0/datasources/") and path.endswith("/truncate"):
            if self.command != "POST":
                return self._drain_and_error(405, "use POST to truncate")
            return self._truncate(query, path[len("/v0/datasources/"):-len("/truncate")])
        self._drain_and_error(404, f"no such endpoint: {self.command} {split.path}")

    def _drain_and_error(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        try:
            self._read_raw_body(self.app.args.max_body_bytes * 4 + 1024)
        except (BodyTooLarge, ValueError):
            self.close_connection = True
        self._error(status, message, headers)

    def _inject_fault(self) -> bool:
        """Apply the drawn fault; True when the request is finished (dropped or answered with the fault)."""
        fault = self.app.faults.draw()
        if fault.stall_seconds > 0:
            time.sleep(fault.stall_seconds)
        if fault.drop_before:
            with contextlib.suppress(BodyTooLarge, ValueError):  # read what there is, then drop it unanswered
                self._read_raw_body(self.app.args.max_body_bytes * 4 + 1024)
            self._close_without_answer()
            return True
        if fault.status:
            headers = {"Retry-After": "1"} if fault.status in (429, 503) else None
            self._drain_and_error(fault.status, f"injected fault: status {fault.status}", headers)
            return True
        self.drop_response = fault.drop_after
        return False

    # --- endpoints ----------------------------------------------------------------------------
    def _events(self, query: dict[str, list[str]]) -> None:
        app = self.app
        if not app.authorized(self.headers.get("Authorization"), query):
            return self._drain_and_error(403, "invalid authentication token")
        name = (query.get("name") or [""])[-1]
        if not name:
            return self._drain_and_error(400, "missing the 'name' query parameter (the datasource)")
        if name not in app.datasources:
            return self._drain_and_error(400, f"datasource '{name}' does not exist")
        headers: dict[str, str] = {}
        if app.rate_limiter is not None:
            allowed, remaining, reset_at = app.rate_limiter.take(name)
            now = time.time()
            headers = {
                "X-RateLimit-Limit": str(app.rate_limiter.limit),
                "X-RateLimit-Remaining": str(remaining),
                "X-RateLimit-Reset": str(retry_after_seconds(reset_at, now)),
            }
            if not allowed:
                headers["Retry-After"] = str(retry_after_seconds(reset_at, now))
                return self._drain_and_error(429, f"rate limit exceeded for datasource '{name}'", headers)
        try:
            body = self._body()
        except BodyTooLarge:
            self.close_connection = True
            return self._error(413, f"request body exceeds {app.args.max_body_bytes} bytes (uncompressed); split the batch", headers)
        except ValueError as error:
            return self._error(400, str(error), headers)
        wait = (query.get("wait") or ["false"])[-1].lower() in ("true", "1")
        try:
            ok, bad = app.ingestor.ingest(name, body, wait, self.request_id)
        except ViewFailed as error:
            return self._error(422, f"partially ingested: the rows are in '{name}' but a materialized view"
                                    f" failed: {error}", headers)
        self._json(200 if wait else 202, {"successful_rows": ok, "quarantined_rows": bad}, headers)

    def _pipe(self, split: Any, rest: str) -> None:
        app = self.app
        name, _, fmt = rest.rpartition(".")
        if not name:
            name, fmt = rest, "json"
        found = self._pipe_and_variables(split, name, read_body=self.command == "POST")
        if found is None:
            return
        pipe, variables = found
        if not pipe.is_endpoint:
            kind = f"a {pipe.kind} pipe" if pipe.kind else "a pipe without TYPE endpoint"
            return self._error(404, f"pipe '{name}' is not an endpoint ({kind})")
        ch_format = FORMATS.get(fmt.lower())
        if ch_format is None:
            return self._error(400, f"unsupported format '{fmt}'; use one of {', '.join(sorted(FORMATS))}")
        try:
            sql = render_pipe(pipe, variables, app.pipes, app.datasources)
            settings = f"{JSON_SETTINGS}, max_execution_time={app.args.query_timeout:g}"
            out = app.engine.execute(f"{sql}\nFORMAT {ch_format} SETTINGS {settings}", ch_format)
        except QueryError as error:
            return self._error(_query_status(error), str(error))
        self._send(200, out, CONTENT_TYPES[ch_format])

    def _pipe_and_variables(self, split: Any, name: str, read_body: bool) -> tuple[Any, dict[str, str]] | None:
        """The pipe a /v0/pipes request names and its template variables (query string and form body, repeated keys
        joined with commas); None once an error has been answered (413, 403, 404)."""
        app = self.app
        try:
            body = self._body() if read_body else b""
        except BodyTooLarge:
            self.close_connection = True
            self._error(413, "request body too large")
            return None
        params = self._params(split, body)
        if not app.authorized(self.headers.get("Authorization"), params):
            self._error(403, "invalid authentication token")
            return None
        pipe = app.pipes.get(name)
        if pipe is None:
            self._error(404, f"pipe '{name}' does not exist")
            return None
        return pipe, {k: ",".join(v) for k, v in params.items() if k != "token"}

    def _copy(self, split: Any, name: str) -> None:
        """Run a copy pipe now (synchronously): its node rendered with the query string's parameters (and a form
        body's), appended to its TARGET_DATASOURCE or replacing its rows (COPY_MODE replace)."""
        app = self.app
        found = self._pipe_and_variables(split, name, read_body=True)
        if found is None:
            return
        pipe, variables = found
        if pipe.kind != "copy":
            kind = f"a {pipe.kind} pipe" if pipe.kind else "a pipe without TYPE copy"
            return self._error(400, f"pipe '{name}' is not a copy pipe ({kind})")
        app.ingestor.flush()  # rows waiting in a buffer are part of what the copy reads
        try:
            rows = app.engine.copy(pipe, variables, app.project, f"max_execution_time={app.args.query_timeout:g}")
        except ViewFailed as error:
            return self._error(422, str(error))
        except QueryError as error:
            return self._error(_query_status(error), str(error))
        job = str(uuid.uuid4())
        self._json(200, {"id": job, "job": {"kind": "copy", "id": job, "status": "done"}, "rows": rows})

    def _sql(self, split: Any) -> None:
        app = self.app
        try:
            body = self._body() if self.command == "POST" else b""
        except BodyTooLarge:
            self.close_connection = True
            return self._error(413, "request body too large")
        ctype = self.headers.get("Content-Type", "")
        params = self._params(split, body)
        if not app.authorized(self.headers.get("Authorization"), params):
            return self._error(403, "invalid authentication token")
        sql = (params.get("q") or [""])[-1]
        if not sql and body and "application/x-www-form-urlencoded" not in ctype:
            sql = body.decode("utf-8", "replace")
        sql = sql.strip().rstrip(";")
        if not sql:
            return self._error(400, "missing the SQL query: pass ?q=<SQL> or POST it as the body")
        if not sql.lstrip("( \n\t").upper().startswith(READ_ONLY_PREFIXES[:-1]):
            return self._error(400, "only read queries (SELECT, WITH, DESCRIBE, SHOW, EXPLAIN) are allowed")
        try:
            out = app.engine.execute(f"{sql}", "TabSeparated")
        except QueryError as error:
            return self._error(_query_status(error), str(error))
        ctype_out = "application/json" if " JSON" in sql.upper()[-40:] else "text/plain"
        self._send(200, out, ctype_out)

    def _truncate(self, query: dict[str, list[str]], name: str) -> None:
        app = self.app
        self._drain_and_error_if_body()
        if not app.authorized(self.headers.get("Authorization"), query):
            return self._error(403, "invalid authentication token")
        if name not in app.datasources:
            return self._error(404, f"datasource '{name}' does not exist")
        try:
            app.ingestor.truncate(name)
        except QueryError as error:
            return self._error(500, str(error))
        self._json(200, {"result": "ok", "datasource": name})

    def _drain_and_error_if_body(self) -> None:
        try:
            self._read_raw_body(self.app.args.max_body_bytes * 4 + 1024)
        except (BodyTooLarge, ValueError):
            self.close_connection = True


def _query_status(error: QueryError) -> int:
    text = str(error)
    return 408 if "TIMEOUT_EXCEEDED" in text or "Timeout exceeded" in text else error.status


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024
    allow_reuse_address = True


def watch_parent(pid: int, stop: Callable[[], None], interval: float = 0.25) -> None:
    """Calls `stop` once process `pid` is gone (checked every `interval` seconds)."""
    while True:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            stop()
            return
        except PermissionError:
            pass  # alive, and another user's
        time.sleep(interval)


def fresh_data_root() -> str | None:
    """Memory-backed /dev/shm when it is writable with at least 2 GiB free, else the temp dir (None): every insert
    writes a part of several files, and an insert of a few rows cost 4-10 ms of CPU on ext4, 3-4 ms on tmpfs.
    Starling's launcher (LocalTarget.freshDataRoot) chooses the same way."""
    shm = "/dev/shm"
    try:
        stats = os.statvfs(shm)
    except OSError:
        return None
    if os.access(shm, os.W_OK | os.X_OK) and stats.f_bavail * stats.f_frsize >= 2 << 30:
        return shm
    return None


def main(argv: list[str]) -> int:
    # A launcher may hand us SIGTERM/SIGINT blocked (a process spawned from a thread that blocks them,
    # as test runners' and libdispatch's threads do): unblock them, or a stop request would never
    # arrive and the launcher would have to SIGKILL us, losing buffered rows.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    args = parse_args(argv)
    temp_data = None
    if args.data is None:
        temp_data = tempfile.mkdtemp(prefix="starling-local-target-", dir=fresh_data_root())
        args.data = temp_data
    url: list[str] = []  # set once listening
    try:
        return serve(args, url)
    finally:  # every exit, a refused start too: a fresh data folder and our ready file are not left behind
        if temp_data or args.remove_data:
            shutil.rmtree(args.data, ignore_errors=True)
        if args.ready_file and url:
            with contextlib.suppress(OSError), open(args.ready_file) as f:
                ours = f.read() == url[0] + "\n"
            if ours:
                with contextlib.suppress(OSError):
                    os.remove(args.ready_file)


def serve(args: argparse.Namespace, url_out: list[str]) -> int:
    """Runs the server until a stop; the exit status. `url_out` gets the URL once listening."""
    try:
        app = App(args)
    except (DatafileError, QueryError, OSError) as error:
        reason = " ".join(str(error).split())
        print(f"starling-local-target: cannot start: {reason}", file=sys.stderr, flush=True)
        return 1
    except Exception as error:  # a bug of this reader on some project: still one line, naming the project
        reason = " ".join(f"{type(error).__name__}: {error}".split())
        print(f"starling-local-target: cannot start: {args.project}: internal error reading the project ({reason})",
              file=sys.stderr, flush=True)
        return 1
    handler = type("BoundHandler", (Handler,), {"app": app})
    Server.address_family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
    try:
        httpd = Server((args.host, args.port), handler)
    except OSError as error:
        print(f"starling-local-target: cannot listen on {args.host}:{args.port}: {error}", file=sys.stderr, flush=True)
        return 1
    host, port = str(httpd.server_address[0]), httpd.server_address[1]
    url = f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"
    url_out.append(url)

    stopping = threading.Event()

    def on_signal(signum: int, frame: Any) -> None:
        if not stopping.is_set():
            stopping.set()
            threading.Thread(target=httpd.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    if args.parent_pid is not None:
        threading.Thread(target=watch_parent, args=(args.parent_pid, lambda: on_signal(signal.SIGTERM, None)), daemon=True).start()
    if args.ready_file:
        tmp = args.ready_file + ".tmp"
        with open(tmp, "w") as f:
            f.write(url + "\n")
        os.replace(tmp, args.ready_file)
    print(READY_PREFIX + url, flush=True)
    try:
        httpd.serve_forever(poll_interval=0.05)
    finally:
        httpd.server_close()
        deadline = time.time() + 10
        with app.active_cond:
            app.closing = True  # keep-alive connections still open get 503 from now on
        with app.active_cond:  # let requests in flight finish (their rows are acknowledged)
            while app.active > 0 and time.time() < deadline:
                app.active_cond.wait(0.1)
        app.ingestor.close()
        app.engine.close()
    print("starling-local-target stopped", file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
