"""The reference dataset: a large generated dataset loaded into chdb with the project's tables, queried
deterministically (one thread, no background merges) to compare a mutant's answers with the original's."""

from __future__ import annotations

import hashlib
import json
import queue
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import chdb
from localtarget import QUERY_SETTINGS, Engine, Project, QueryError, render_pipe

# Rows go in as this many parts, line i into part i % PARTS: a table then holds several sorted parts, so a
# query whose answer depends on the physical order of rows (groupArray without arraySort) shows it.
PARTS = 8


@dataclass(frozen=True)
class Answer:
    """What a pipe answered: column names and rows (JSON values), or the error ClickHouse gave."""
    columns: tuple[str, ...] = ()
    rows: tuple = ()
    error: str | None = None


def render(pipe, parameters: dict[str, str]) -> str:
    """The pipe's SQL for these parameters, rendered as the local target renders it; QueryError when the
    template refuses them."""
    return render_pipe(pipe, parameters)


def _one_line(message: str) -> str:
    return " ".join(message.split())[:300]


class ReferenceError(Exception):
    """The reference dataset could not be generated or loaded."""


def dataset(starling: Path, scenario: Path, events: int, cache: Path) -> Path:
    """A folder with `<datasource>.ndjson` from `starling generate`, cached by scenario, size and binary."""
    stat = starling.stat()
    key = hashlib.sha256(scenario.read_bytes() + f"|{events}|{stat.st_size}|{stat.st_mtime_ns}".encode()).hexdigest()
    folder = cache / f"reference-{scenario.stem}-{events}-{key[:12]}"
    if (folder / "complete").exists():
        return folder
    staging = cache / f"{folder.name}.partial"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    result = subprocess.run([str(starling), "generate", str(scenario), "--events", str(events), "--out", str(staging)],
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise ReferenceError(f"starling generate {scenario.name} failed (exit {result.returncode}): "
                             f"{result.stderr.strip()[-500:]}")
    (staging / "complete").write_text("")
    shutil.rmtree(folder, ignore_errors=True)
    staging.rename(folder)
    return folder


class ReferenceDatabase:
    """One chdb database (one per process: chdb allows one path) with the project's tables; the local target's
    Engine creates and fills them, `connections` more connections answer queries on one thread each."""

    def __init__(self, folder: Path, project: Project, connections: int = 1) -> None:
        self.engine = Engine(folder, connections=1)
        self.engine.install(project)
        url = f"{self.engine.path}?session_timezone=UTC&max_threads=1&{QUERY_SETTINGS}"
        self._pool: queue.Queue = queue.Queue()
        self._connections = [chdb.connect(url) for _ in range(max(1, connections))]
        for conn in self._connections:
            self._pool.put(conn)
        self.rows: dict[str, int] = {}

    def load(self, datasource: str, ndjson: Path) -> int:
        """Insert the file's rows as PARTS parts, merges stopped so the parts stay as they are."""
        self.engine.execute(f"SYSTEM STOP MERGES `{datasource}`")
        lines = [line for line in ndjson.read_bytes().split(b"\n") if line.strip()]
        for part in range(PARTS):
            self.engine.insert_json_lines(datasource, b"\n".join(lines[part::PARTS]))
        self.rows[datasource] = self.engine.count_rows(datasource)
        if self.rows[datasource] != len(lines):
            raise ReferenceError(f"{ndjson}: {len(lines)} lines but {self.rows[datasource]} rows in {datasource}"
                                 " (rows that do not fit the schema?)")
        return self.rows[datasource]

    def _execute(self, sql: str, fmt: str) -> bytes:
        conn = self._pool.get()
        try:
            return conn.query(sql, fmt).bytes()
        except Exception as error:
            # chdb hands what a failed query had already written (a JSON header) to the next query on the same
            # connection: a throw-away query takes it
            conn.query("SELECT 1", "TSV")
            raise QueryError(_one_line(str(error).split(". Stack trace")[0])) from error
        finally:
            self._pool.put(conn)

    def answer(self, sql: str) -> Answer:
        """The answer to a rendered pipe query."""
        try:
            parsed = json.loads(self._execute(sql, "JSONCompact"))
        except QueryError as error:
            return Answer(error=_one_line(str(error)))
        return Answer(tuple(c["name"] for c in parsed["meta"]), tuple(tuple(row) for row in parsed["data"]))

    def check(self, pipe, parameters: dict[str, str]) -> str | None:
        """None when the pipe renders and ClickHouse accepts its SQL (analysed, not run); else why not."""
        try:
            self._execute(f"DESCRIBE ({render(pipe, parameters)})", "TSV")
        except QueryError as error:
            return _one_line(str(error))
        return None

    def values(self, sql: str) -> list[list]:
        """Rows of a helper query (JSONCompact data)."""
        return json.loads(self._execute(sql, "JSONCompact"))["data"]

    def close(self) -> None:
        for conn in self._connections:
            conn.close()
        self.engine.close()
