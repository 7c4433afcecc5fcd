"""The ClickHouse side of the local target: tables, inserts, pipe rendering and queries (chdb)."""

from __future__ import annotations

import queue
import re
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import chdb

from datafiles import Datasource, Pipe

QUARANTINE_SUFFIX = "_quarantine"
RESERVED_PARAMS = {"token", "q", "format"}
FORMATS = {"json": "JSON", "csv": "CSVWithNames", "csvwithnames": "CSVWithNames", "ndjson": "JSONEachRow"}
CONTENT_TYPES = {"JSON": "application/json", "CSVWithNames": "text/csv", "JSONEachRow": "application/x-ndjson"}
QUERY_SETTINGS = "output_format_json_quote_64bit_integers=0"


class QueryError(Exception):
    """A query ClickHouse refused; `status` is the HTTP status to answer with."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def quote_ident(name: str) -> str:
    return "`" + name.replace("\\", "\\\\").replace("`", "\\`") + "`"


def create_table_sql(ds: Datasource) -> str:
    cols = ",\n    ".join(f"{quote_ident(c.name)} {c.type}" for c in ds.columns)
    partition = f"\nPARTITION BY {ds.partition_key}" if ds.partition_key else ""
    return (
        f"CREATE TABLE IF NOT EXISTS {quote_ident(ds.name)} (\n    {cols}\n) ENGINE = MergeTree"
        f"{partition}\nORDER BY ({ds.sorting_key})"
    )


def create_quarantine_sql(ds: Datasource) -> str:
    cols = [f"{quote_ident(c.name)} Nullable(String)" for c in ds.columns]
    cols += [
        "`c__error_column` Array(String)",
        "`c__error` Array(String)",
        "`c__import_id` Nullable(String)",
        "`insertion_date` DateTime",
    ]
    joined = ",\n    ".join(cols)
    return (
        f"CREATE TABLE IF NOT EXISTS {quote_ident(ds.name + QUARANTINE_SUFFIX)} (\n    {joined}\n)"
        " ENGINE = MergeTree ORDER BY insertion_date"
    )


def _node_sql(sql: str, variables: dict[str, str]) -> str:
    """Render one node's SQL with Tinybird's own template renderer when it is a template."""
    lines = sql.split("\n")
    is_template = bool(lines) and lines[0].strip() == "%"
    if is_template:
        sql = "\n".join(lines[1:])
    if not (is_template or "{{" in sql or "{%" in sql):
        return sql
    from tinybird.sql_template import SQLTemplateException, render_sql_template

    try:
        rendered, _, _ = render_sql_template(sql, dict(variables))
    except SQLTemplateException as error:
        raise QueryError(str(error)) from error
    except Exception as error:  # the renderer raises plain ValueErrors and others on bad input
        raise QueryError(f"Template Syntax Error: {error}") from error
    return rendered


_WITH = re.compile(r"^\s*WITH\s", re.IGNORECASE)


def render_pipe(pipe: Pipe, variables: dict[str, str]) -> str:
    """The pipe's SQL: earlier nodes become CTEs (`WITH node AS (...)`) of the last node."""
    rendered = [(node.name, _node_sql(node.sql, variables).strip().rstrip(";")) for node in pipe.nodes]
    *earlier, (_, last) = rendered
    if not earlier:
        return last
    ctes = ",\n".join(f"{quote_ident(name)} AS (\n{sql}\n)" for name, sql in earlier)
    match = _WITH.match(last)
    if match:
        return f"WITH {ctes},\n{last[match.end():]}"
    return f"WITH {ctes}\n{last}"


class Engine:
    """A pool of chdb connections to one database path; each connection is used by one thread at a time."""

    def __init__(self, data_dir: Path, connections: int = 2) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        self.path = data_dir / "chdb"
        self._pool: queue.Queue[object] = queue.Queue()
        self._all = []
        for _ in range(max(1, connections)):
            conn = chdb.connect(f"{self.path}?session_timezone=UTC")
            self._pool.put(conn)
            self._all.append(conn)
        self._closed = threading.Event()

    @contextmanager
    def connection(self) -> Iterator[object]:
        conn = self._pool.get()
        try:
            yield conn
        finally:
            self._pool.put(conn)

    def execute(self, sql: str, fmt: str = "CSV") -> bytes:
        with self.connection() as conn:
            try:
                result = conn.query(sql, fmt)
            except Exception as error:
                raise QueryError(_clean_error(str(error))) from error
        return result.bytes() if result is not None else b""

    def insert_json_lines(self, table: str, payload: bytes) -> int:
        """Insert NDJSON bytes into `table`; raises QueryError when ClickHouse rejects any row."""
        if not payload:
            return 0
        sql = (
            f"INSERT INTO {quote_ident(table)} SETTINGS input_format_skip_unknown_fields=1,"
            " date_time_input_format='best_effort' FORMAT JSONEachRow"
        )
        with self.connection() as conn:
            try:
                with conn.send_insert(sql.replace(" FORMAT JSONEachRow", ""), "JSONEachRow") as ins:
                    ins.append(payload)
                    res = ins.finish()
                return int(getattr(res, "rows_written", 0) or 0)
            except Exception as error:
                raise QueryError(_clean_error(str(error))) from error

    def close(self) -> None:
        for conn in self._all:
            try:
                conn.close()
            except Exception:
                pass
        self._all.clear()


def _clean_error(message: str) -> str:
    message = message.strip()
    cut = message.find(". Stack trace")
    if cut > 0:
        message = message[: cut + 1]
    return message[:2000]
