"""The ClickHouse side of the local target: tables, inserts, pipe rendering and queries (chdb)."""

from __future__ import annotations

import queue
import re
import sys
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import chdb

from datafiles import DatafileError, Datasource, Pipe, Project
from ddl import (  # create_table_sql and quote_ident are imported from here by scripts/fixtures-load-check.py
    MATERIALIZED_VIEW_PREFIX, create_materialized_view_sql, create_quarantine_sql, create_table_sql,
    materialized_view_name, quote_ident,
)
from staging import STAGE_PREFIX, StagedInsert
from staging import plan as staging_plan

RESERVED_PARAMS = {"token", "q", "format"}
FORMATS = {"json": "JSON", "csv": "CSVWithNames", "csvwithnames": "CSVWithNames", "ndjson": "JSONEachRow"}
CONTENT_TYPES = {"JSON": "application/json", "CSVWithNames": "text/csv", "JSONEachRow": "application/x-ndjson"}
QUERY_SETTINGS = "output_format_json_quote_64bit_integers=0"
INSERT_SETTINGS = "input_format_skip_unknown_fields=1, date_time_input_format='best_effort'"


class QueryError(Exception):
    """A query ClickHouse refused; `status` is the HTTP status to answer with."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


class ViewFailed(QueryError):
    """The rows went into the table, but a materialized view reading it failed on them (Tinybird: 422)."""


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
    """The SQL of the node the pipe publishes; the nodes before it become CTEs (`WITH node AS (...)`)."""
    nodes = pipe.nodes[: pipe.output_index + 1]
    rendered = [(node.name, _node_sql(node.sql, variables).strip().rstrip(";")) for node in nodes]
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
        self.view_origins: set[str] = set()  # tables read by materialized views (set by `install`)
        self.staged: dict[str, StagedInsert] = {}  # datasources inserted through a staging table (`install`)

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

    def count_rows(self, table: str) -> int:
        """Rows in `table` now."""
        return int(self.execute(f"SELECT count() FROM {quote_ident(table)}", "TSV").strip() or b"0")

    def insert_json_lines(self, table: str, payload: bytes) -> None:
        """Insert NDJSON bytes into `table`; QueryError when ClickHouse rejects any row (nothing inserted),
        ViewFailed when the table took the rows but a materialized view reading it failed."""
        if not payload:
            return
        sql = f"INSERT INTO {quote_ident(table)} SETTINGS {INSERT_SETTINGS}"
        with self.connection() as conn:
            try:
                staged = self.staged.get(table)
                if staged is not None:
                    return self._insert_staged(conn, staged, payload)
                if table in self.view_origins:
                    # chdb's streaming insert swallows the errors of materialized views; a plain INSERT raises them
                    conn.query(f"{sql} FORMAT JSONEachRow\n{payload.decode('utf-8', 'replace')}")
                    return
                with conn.send_insert(sql, "JSONEachRow") as ins:
                    ins.append(payload)
                    ins.finish()
            except Exception as error:
                message = _clean_error(str(error))
                if "while pushing to view" in message:
                    raise ViewFailed(message, 422) from error
                raise QueryError(message) from error

    def _insert_staged(self, conn: object, staged: StagedInsert, payload: bytes) -> None:
        """Rows as sent into the Memory table shaped like the JSON, then one INSERT ... SELECT (see staging.py);
        the caller serialises inserts into one datasource, so its staging table has one user at a time."""
        try:
            with conn.send_insert(f"INSERT INTO {quote_ident(staged.stage)} SETTINGS {INSERT_SETTINGS}",
                                  "JSONEachRow") as ins:
                ins.append(payload)
                ins.finish()
            conn.query(staged.insert_sql)
        finally:
            conn.query(f"TRUNCATE TABLE {quote_ident(staged.stage)}")

    def install(self, project: Project) -> None:
        """Create the project's tables (kept when they exist) and its materialized views (made anew: a changed
        pipe takes effect, the target's rows stay). A refusal is a DatafileError naming the file and line."""
        for ds in project.datasources.values():
            try:
                self.execute(create_table_sql(ds))
                self.execute(create_quarantine_sql(ds))
            except QueryError as error:
                raise DatafileError(self._table_refusal(ds, error)) from error
        self._install_staging(project)
        current = {materialized_view_name(pipe) for pipe in project.materializations}
        for name in self._query_names(f"SELECT name FROM system.tables WHERE database = currentDatabase() AND"
                                      f" engine = 'MaterializedView' AND startsWith(name, '{MATERIALIZED_VIEW_PREFIX}')"):
            if name not in current:  # its pipe left the project since this --data was last used
                self.execute(f"DROP VIEW IF EXISTS {quote_ident(name)}")
        for pipe in project.materializations:
            node = pipe.nodes[pipe.output_index]
            try:
                select = render_pipe(pipe, {})
                self.execute(f"DROP VIEW IF EXISTS {quote_ident(materialized_view_name(pipe))}")
                self.execute(create_materialized_view_sql(pipe, select))
            except QueryError as error:
                raise DatafileError(f"{pipe.path}:{node.line}: ClickHouse refused materialized node '{node.name}'"
                                    f" (to {node.datasource}): {_one_line(str(error))}") from error
        self.view_origins = set(self._query_names(
            "SELECT name FROM system.tables WHERE database = currentDatabase() AND notEmpty(dependencies_table)"))

    def _install_staging(self, project: Project) -> None:
        """A staging table for each datasource whose JSONPaths are not its columns' own top-level keys."""
        for name in self._query_names(f"SELECT name FROM system.tables WHERE database = currentDatabase()"
                                      f" AND startsWith(name, '{STAGE_PREFIX}')"):
            self.execute(f"DROP TABLE IF EXISTS {quote_ident(name)}")
        for ds in project.datasources.values():
            if ds.reads_own_keys:
                continue
            staged = staging_plan(ds)
            if staged is None:
                continue
            try:
                self.execute(staged.create_sql)
                self.execute(f"DESCRIBE ({staged.select_sql})")  # type-checks the SELECT, inserts nothing
            except QueryError as error:  # a shape ClickHouse cannot stage: Python rebuilds those rows instead
                print(f"starling-local-target: {ds.name}: rows rebuilt in Python ({_one_line(str(error), 200)})",
                      file=sys.stderr, flush=True)
                self.execute(f"DROP TABLE IF EXISTS {quote_ident(staged.stage)}")
                continue
            self.staged[ds.name] = staged

    def _query_names(self, sql: str) -> list[str]:
        return [line for line in self.execute(sql, "TabSeparatedRaw").decode().split("\n") if line]

    def _table_refusal(self, ds: Datasource, error: QueryError) -> str:
        """Which column ClickHouse refused, when it is a type it does not know; else the table."""
        for column in ds.columns:
            literal = column.type.replace("\\", "\\\\").replace("'", "\\'")
            try:
                self.execute(f"SELECT defaultValueOfTypeName('{literal}')")
            except QueryError as type_error:
                return (f"{ds.path}:{column.line}: column '{column.name}': ClickHouse refused the type"
                        f" {column.type!r}: {_one_line(str(type_error))}")
        return f"{ds.path}:1: ClickHouse refused the table '{ds.name}': {_one_line(str(error))}"

    def close(self) -> None:
        for conn in self._all:
            try:
                conn.close()
            except Exception:
                pass
        self._all.clear()


def _one_line(message: str, limit: int = 400) -> str:
    text = " ".join(message.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _clean_error(message: str) -> str:
    message = message.strip()
    cut = message.find(". Stack trace")
    if cut > 0:
        message = message[: cut + 1]
    return message[:2000]
