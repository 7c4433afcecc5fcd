"""Shared helpers: start the local target as a subprocess on port 0 and talk HTTP to it."""

from __future__ import annotations

import gzip
import http.client
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest

HERE = Path(__file__).resolve().parent
TARGET = HERE.parent
ROOT = TARGET.parent.parent
PROJECT = ROOT / "scenarios" / "tinybird"
TOKEN = "test-admin-token"
READY = "starling-local-target listening on "

sys.path.insert(0, str(TARGET))


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Target:
    url: str
    process: subprocess.Popen
    data: Path
    stdout_line: str
    token: str = TOKEN
    extra: dict = field(default_factory=dict)

    @property
    def host_port(self) -> tuple[str, int]:
        split = urlsplit(self.url)
        return split.hostname or "127.0.0.1", split.port or 80

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None,
                auth: bool = True, timeout: float = 30) -> Response:
        host, port = self.host_port
        conn = http.client.HTTPConnection(host, port, timeout=timeout)
        try:
            hdrs = dict(headers or {})
            if auth:
                hdrs.setdefault("Authorization", f"Bearer {self.token}")
            conn.request(method, path, body=body, headers=hdrs)
            resp = conn.getresponse()
            data = resp.read()
            return Response(resp.status, {k.lower(): v for k, v in resp.getheaders()}, data)
        finally:
            conn.close()

    def ingest(self, datasource: str, rows: list[dict] | bytes, wait: bool = True, gzip_body: bool = False,
               extra_query: str = "") -> Response:
        body = rows if isinstance(rows, bytes) else ndjson(rows)
        headers = {"Content-Type": "application/x-ndjson"}
        if gzip_body:
            body = gzip.compress(body)
            headers["Content-Encoding"] = "gzip"
        query = f"name={datasource}" + ("&wait=true" if wait else "") + extra_query
        return self.request("POST", f"/v0/events?{query}", body, headers)

    def status_or_drop(self, body: bytes, datasource: str = "ecommerce_events") -> int | None:
        """Status of one wait=true events request, or None when the target closed the connection unanswered."""
        host, port = self.host_port
        conn = http.client.HTTPConnection(host, port, timeout=10)
        try:
            conn.request("POST", f"/v0/events?name={datasource}&wait=true", body=body,
                         headers={"Authorization": f"Bearer {self.token}"})
            response = conn.getresponse()
            response.read()
            return response.status
        except (http.client.RemoteDisconnected, ConnectionError, http.client.BadStatusLine):
            return None
        finally:
            conn.close()

    def pipe(self, name: str, params: dict[str, Any] | None = None, fmt: str = "json") -> Response:
        qs = urlencode(params or {})
        return self.request("GET", f"/v0/pipes/{name}.{fmt}" + (f"?{qs}" if qs else ""))

    def pipe_data(self, name: str, params: dict[str, Any] | None = None) -> list[dict]:
        response = self.pipe(name, params)
        assert response.status == 200, (name, params, response.body[:500])
        return response.json()["data"]

    def sql(self, query: str) -> Any:
        response = self.request("POST", "/v0/sql", query.encode(), {"Content-Type": "text/plain"})
        assert response.status == 200, response.body[:500]
        return response.json()

    def count(self, table: str) -> int:
        return int(self.sql(f"SELECT count() AS c FROM {table} FORMAT JSON")["data"][0]["c"])

    def stderr_text(self) -> str:
        """What the target wrote to stderr (read to the end: call after `stop`)."""
        assert self.process.stderr is not None  # started with stderr=PIPE
        return self.process.stderr.read()

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            return self.process.wait(timeout=timeout)
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()
            if self.process.stdout:
                self.process.stdout.close()


def ndjson(rows: list[dict]) -> bytes:
    return b"".join(json.dumps(r).encode() + b"\n" for r in rows)


def start_target(data: Path, *flags: str, token: str | None = TOKEN, timeout: float = 60,
                 env: dict[str, str] | None = None) -> Target:
    """Start `scripts/local-target/start --port 0` and wait for its ready line.

    `token=None` passes no --token (the target takes its token from `env` or makes one; `Target.token` is then
    read from GET /tokens). `env` entries are added to this process's environment.
    """
    cmd = [str(TARGET / "start"), "--port", "0", "--data", str(data), *(["--token", token] if token else []), *flags]
    child_env = {k: v for k, v in os.environ.items() if k != "STARLING_TARGET_TOKEN"}
    child_env.update(env or {})
    process = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT, env=child_env)
    deadline = time.time() + timeout
    line = ""
    assert process.stdout is not None and process.stderr is not None  # both PIPE
    while time.time() < deadline:
        line = process.stdout.readline()
        if line or process.poll() is not None:
            break
    if not line.startswith(READY):
        err = process.stderr.read() if process.poll() is not None else ""
        process.kill()
        raise RuntimeError(f"local target did not start: {line!r} {err}")
    target = Target(line[len(READY):].strip(), process, data, line)
    if token is None:
        target.token = target.request("GET", "/tokens", auth=False).json()["admin_token"]
    return target


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory):
    t = start_target(tmp_path_factory.mktemp("data"))
    yield t
    t.stop()


@pytest.fixture
def fresh_target(tmp_path: Path):
    started: list[Target] = []

    def make(*flags: str) -> Target:
        t = start_target(tmp_path / f"data{len(started)}", *flags)
        started.append(t)
        return t

    yield make
    for t in started:
        t.stop()
