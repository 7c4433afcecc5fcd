"""The ClickHouse side of the local target: tables, inserts, pipe rendering and queries (chdb)."""

from __future__ import annotations

import contextlib
import queue
import re
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import chdb
from datafiles import DatafileError, Datasource, Pipe, Project, target_from_pipe
from ddl import (  # create_table_sql and quote_ident are imported from here by scripts/ci/fixtures-load-check.py
    MATERIALIZED_VIEW_PREFIX,
    create_materialized_view_sql,
    create_quarantine_sql,
    create_table_sql,
    materialized_view_name,
    quote_ident,
    table_ident,
)
from staging import STAGE_PREFIX, StagedInsert
from staging import plan as staging_plan

RESERVED_PARAMS = {"token", "q", "format"}
FORMATS = {"json": "JSON", "csv": "CSVWithNames", "csvwithnames": "CSVWithNames", "ndjson": "JSONEachRow"}
CONTENT_TYPES = {"JSON": "application/json", "CSVWithNames": "text/csv", "JSONEachRow": "application/x-ndjson"}
QUERY_SETTINGS = "output_format_json_quote_64bit_integers=0"
INSERT_SETTINGS = ("input_format_skip_unknown_fields=1, date_time_input_format='best_effort',"
                   " input_format_json_read_objects_as_strings=1, input_format_json_read_arrays_as_strings=1")


class QueryError(Exception):
    """A query ClickHouse refused; `status` is the HTTP status to answer with."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


class TemplateError(QueryError):
    """Tinybird's template renderer refused the parameters (a missing required one, `error(...)`, a bad value)."""


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
        raise TemplateError(str(error)) from error
    except Exception as error:  # the renderer raises plain ValueErrors and others on bad input
        raise TemplateError(f"Template Syntax Error: {error}") from error
    return rendered


_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# A Tinybird classic release's database: `v<major>_<minor>_<patch>[_<more>...]`, as in `v0_0_1.copy_bots_snapshot`.
RELEASE = re.compile(r"v\d+(?:_\d+){2,}")
_RELEASE_REF = re.compile(r"\b(v\d+(?:_\d+){2,})`?\s*\.\s*`?([A-Za-z_][A-Za-z0-9_]*)")


def is_release_read(database: str, table: str, datasources) -> bool:
    """`database.table` names a datasource of an earlier release of this workspace that the project has: the local
    target has one release, so it reads the project's own `table` (a vendored workspace of that name wins)."""
    return (bool(RELEASE.fullmatch(database)) and table in datasources
            and f"{database}.{table}" not in datasources)


def release_reads(pipe: Pipe, datasources) -> list[str]:
    """`release.datasource` names in the pipe's SQL that `is_release_read` resolves to a project datasource."""
    found = {f"{database}.{table}" for node in pipe.nodes for database, table in _RELEASE_REF.findall(node.sql)
             if is_release_read(database, table, datasources)}
    return sorted(found)


class PipeCycle(QueryError):
    """Pipes reading each other in a circle."""


def render_pipe(pipe: Pipe, variables: dict[str, str], pipes: dict[str, Pipe] | None = None,
                datasources: dict[str, Datasource] | None = None, _stack: tuple[str, ...] = ()) -> str:
    """The SQL of the node the pipe publishes, rendered with `variables`, self-contained: a table name that is a node
    of this pipe becomes that node's SQL, and one that is another pipe of `pipes` becomes that pipe's published SQL
    (resolved the same way, with the same variables, at any depth), as subqueries placed by Tinybird's own
    `tinybird.sql_toolset.replace_tables` (which also orders replacements that read each other). Only the nodes a
    query reaches are rendered. `release.ds`, a datasource of an earlier release (`v0_0_1.ds`) that `datasources`
    has, becomes `ds` (see `is_release_read`). PipeCycle when pipes read each other in a circle."""
    output = pipe.output
    nodes = {node.name: node for node in pipe.nodes if node.name != output.name}
    stack = _stack + (pipe.name,)
    sql = _node_sql(output.sql, variables).strip().rstrip(";")
    releases = bool(datasources) and any(  # in the nodes as written, or made by the output's template
        is_release_read(database, table, datasources)
        for text in (sql, *(node.sql for node in pipe.nodes)) for database, table in _RELEASE_REF.findall(text))
    if not (releases or ((nodes or pipes) and any(word in nodes or (pipes and word in pipes)
                                                   for word in _WORD.findall(sql)))):
        return sql  # no name to resolve (the common one-node endpoint: no parse at all)
    replacements: dict[str | tuple[str, str], str | tuple[str, str]] = {}
    todo = [(output.name, sql)]
    while todo:
        reader, text = todo.pop()
        for database, table in _used_tables(text):
            if database:
                if datasources and is_release_read(database, table, datasources):
                    replacements[(database, table)] = ("", table)
                continue
            if table in replacements or table == reader:
                continue
            if table in nodes:
                rendered = _node_sql(nodes[table].sql, variables).strip().rstrip(";")
                replacements[table] = f"(\n{rendered}\n)"
                todo.append((table, rendered))
            elif pipes and table in pipes and table != pipe.name:
                if table in stack:
                    raise PipeCycle(f"pipes read each other in a circle: {' -> '.join(stack + (table,))}")
                replacements[table] = f"(\n{render_pipe(pipes[table], variables, pipes, datasources, stack)}\n)"
    if not replacements:
        return sql
    from tinybird.sql_toolset import replace_tables

    try:
        return replace_tables(sql, replacements)
    except Exception as error:  # a ClickHouse parser error, or nodes reading each other in a circle
        raise QueryError(f"cannot resolve the nodes and pipes of pipe '{pipe.name}': {_one_line(str(error))}") from error


def _used_tables(sql: str) -> list[tuple[str, str]]:
    """(database, table) read by `sql`, as Tinybird's SQL toolset finds them; [] when it cannot parse the SQL
    (ClickHouse then says what is wrong)."""
    from tinybird.sql_toolset import sql_get_used_tables

    try:
        used = sql_get_used_tables(sql, raising=True, table_functions=False)
    except Exception:
        return []
    return [(t[0], t[1]) for t in used if t[1]]


class Engine:
    """A pool of chdb connections to one database path; each connection is used by one thread at a time."""

    def __init__(self, data_dir: Path, connections: int = 2) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        self.path = data_dir / "chdb"
        self._pool: queue.Queue[Any] = queue.Queue()  # chdb connections (untyped)
        self._all: list[Any] = []
        for _ in range(max(1, connections)):
            # JSON columns' subcolumns are Dynamic: Tinybird groups and sorts by them (`GROUP BY event.data.plan`)
            conn = chdb.connect(f"{self.path}?session_timezone=UTC&allow_suspicious_types_in_group_by=1"
                                "&allow_suspicious_types_in_order_by=1")
            self._pool.put(conn)
            self._all.append(conn)
        self._closed = threading.Event()
        self.view_origins: set[str] = set()  # tables read by materialized views (set by `install`)
        self.staged: dict[str, StagedInsert] = {}  # datasources inserted through a staging table (`install`)

    @contextmanager
    def connection(self) -> Iterator[Any]:
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

    def copy(self, pipe: Pipe, variables: dict[str, str], project: Project, settings: str = "") -> int:
        """Run a copy pipe once: its published node (rendered with `variables`, pipes and nodes resolved) into its
        TARGET_DATASOURCE, the target's columns taken by name from the result (`INSERT INTO t (c...) SELECT c...`);
        COPY_MODE replace truncates the target first. Returns the rows the copy added to the target (ClickHouse's
        written_rows; the target's count before and after when materialized views read the target)."""
        node = pipe.output
        target = project.datasources[node.target_datasource]
        sql = render_pipe(pipe, variables, project.pipes, project.datasources)
        described = self.execute(f"DESCRIBE ({sql})", "TabSeparatedRaw").decode().split("\n")
        produced = {line.split("\t", 1)[0] for line in described if line}
        columns = [c.name for c in target.columns if c.name in produced]
        if not columns:
            raise QueryError(f"copy pipe '{pipe.name}' produces none of the columns of '{target.name}'"
                             f" ({', '.join(c.name for c in target.columns)})")
        names = ", ".join(quote_ident(c) for c in columns)
        insert = f"INSERT INTO {table_ident(target.name)} ({names}) SELECT {names} FROM (\n{sql}\n)"
        if settings:
            insert += f" SETTINGS {settings}"
        # ClickHouse's written_rows counts what views reading the target wrote too: count the target instead then
        counted = target.name in self.view_origins and target.engine != "Null"
        with self.connection() as conn:
            try:
                if node.copy_mode == "replace":
                    conn.query(f"TRUNCATE TABLE {table_ident(target.name)}")
                count = f"SELECT count() FROM {table_ident(target.name)}"
                before = int(conn.query(count, "TSV").bytes().strip() or b"0") if counted else 0
                result = conn.query(insert)
                if counted:
                    return int(conn.query(count, "TSV").bytes().strip() or b"0") - before
            except Exception as error:
                message = _clean_error(str(error))
                if "while pushing to view" in message:
                    raise ViewFailed(message, 422) from error
                raise QueryError(message) from error
        return int(result.rows_written()) if result is not None else 0

    def count_rows(self, table: str) -> int:
        """Rows in `table` now."""
        return int(self.execute(f"SELECT count() FROM {table_ident(table)}", "TSV").strip() or b"0")

    def insert_json_lines(self, table: str, payload: bytes) -> None:
        """Insert NDJSON bytes into `table`; QueryError when ClickHouse rejects any row (nothing inserted),
        ViewFailed when the table took the rows but a materialized view reading it failed."""
        if not payload:
            return
        sql = f"INSERT INTO {table_ident(table)} SETTINGS {INSERT_SETTINGS}"
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

    def _insert_staged(self, conn: Any, staged: StagedInsert, payload: bytes) -> None:
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
        for database in sorted({ds.name.partition(".")[0] for ds in project.datasources.values() if "." in ds.name}):
            self.execute(f"CREATE DATABASE IF NOT EXISTS {quote_ident(database)}")  # a vendored workspace
        for ds in project.datasources.values():
            try:
                self.execute(create_table_sql(ds))
                self.execute(create_quarantine_sql(ds))
            except QueryError as error:
                raise DatafileError(self._table_refusal(ds, error)) from error
        self._create_classic_targets(project)
        self._install_staging(project)
        materializations = self._release_note(project)
        current = {materialized_view_name(pipe) for pipe in materializations}
        for name in self._query_names(f"SELECT name FROM system.tables WHERE database = currentDatabase() AND"
                                      f" engine = 'MaterializedView' AND startsWith(name, '{MATERIALIZED_VIEW_PREFIX}')"):
            if name not in current:  # its pipe left the project since this --data was last used
                self.execute(f"DROP VIEW IF EXISTS {quote_ident(name)}")
        self.check_pipes(project)
        for pipe in materializations:
            node = pipe.nodes[pipe.output_index]
            try:
                select = render_pipe(pipe, {}, project.pipes, project.datasources)
                self.execute(f"DROP VIEW IF EXISTS {quote_ident(materialized_view_name(pipe))}")
                self.execute(create_materialized_view_sql(pipe, select))
            except QueryError as error:
                raise DatafileError(_pipe_refusal(pipe, f"materialized node '{node.name}' (to {node.datasource})",
                                                  error)) from error
        self.view_origins = set(self._query_names(
            "SELECT if(database = currentDatabase(), name, database || '.' || name) FROM system.tables"
            " WHERE notEmpty(dependencies_table) AND database NOT IN ('system', 'INFORMATION_SCHEMA',"
            " 'information_schema')"))

    @staticmethod
    def _release_note(project: Project) -> list[Pipe]:
        """Say once (one stderr line) which `release.datasource` names pipes read as the project's own datasource;
        returns the materialized pipes to create views for: not one reading its own target through a release (in
        Tinybird that fills the new release from the old one's table; here both are one table, which ClickHouse
        refuses to feed from itself on every insert)."""
        reads = {pipe.name: release_reads(pipe, project.datasources) for pipe in project.pipes.values()}
        reads = {name: names for name, names in reads.items() if names}
        if not reads:
            return project.materializations
        self_fed = [pipe for pipe in project.materializations
                    if any(name.partition(".")[2] == pipe.output.datasource for name in reads.get(pipe.name, ()))]
        by_name: dict[str, list[str]] = {}
        for pipe_name, names in sorted(reads.items()):
            for name in names:
                by_name.setdefault(name, []).append(pipe_name)
        said = "; ".join(f"{name} (read by {', '.join(pipes)}) is read as {name.partition('.')[2]}"
                         for name, pipes in sorted(by_name.items()))
        skipped = "".join(f"; materialized pipe {pipe.name} not created: it would feed {pipe.output.datasource}"
                          " from itself" for pipe in self_fed)
        print(f"starling-local-target: datasources of an earlier release are the project's own (the local target has"
              f" one release): {said}{skipped}", file=sys.stderr, flush=True)
        skip = {pipe.name for pipe in self_fed}
        return [pipe for pipe in project.materializations if pipe.name not in skip]

    def _create_classic_targets(self, project: Project) -> None:
        """A classic materialized pipe whose DATASOURCE has no .datasource but which gives ENGINE settings creates
        its target (as classic `tb push` did): the columns of the node's result (its defaults), that engine. The
        datasource joins the project (ingestible, truncatable, readable like the others)."""
        pending = [pipe for pipe in project.materializations if pipe.output.datasource not in project.datasources]
        while pending:  # a target may read another created target: as many passes as it takes
            failed: list[tuple[Pipe, QueryError]] = []
            for pipe in pending:
                try:
                    sql = render_pipe(pipe, {}, project.pipes, project.datasources)
                    described = self.execute(f"DESCRIBE ({sql})", "TabSeparatedRaw").decode().split("\n")
                except QueryError as error:
                    failed.append((pipe, error))
                    continue
                self._create_classic_target(project, pipe, described)
            if len(failed) == len(pending):
                first, first_error = failed[0]
                raise DatafileError(_pipe_refusal(first, f"materialized node '{first.output.name}' (to create"
                                                         f" {first.output.datasource})", first_error)) from first_error
            pending = [pipe for pipe, _ in failed]

    def _create_classic_target(self, project: Project, pipe: Pipe, described: list[str]) -> None:
        node = pipe.output
        columns = [(fields[0], fields[1]) for fields in (line.split("\t") for line in described if line)]
        ds = target_from_pipe(pipe, columns)
        try:
            self.execute(create_table_sql(ds))
            self.execute(create_quarantine_sql(ds))
        except QueryError as error:
            raise DatafileError(f"{pipe.path}:{node.line}: ClickHouse refused the target '{ds.name}' made from"
                                f" the node's columns and ENGINE settings: {_one_line(str(error))}") from error
        project.datasources[ds.name] = ds

    def check_pipes(self, project: Project) -> None:
        """Every endpoint, copy and materialized pipe, rendered with its default parameters, must resolve (no
        circle of pipes, every node and pipe name known) and be a query ClickHouse accepts (DESCRIBE analyses it
        without running it): else a DatafileError naming the file and line of the published node. A pipe whose
        template refuses its defaults (a required parameter) is checked at each request instead."""
        for pipe in project.pipes.values():
            if not (pipe.is_endpoint or pipe.kind in ("copy", "materialized")):
                continue
            node = pipe.output
            what = f"{pipe.kind or 'endpoint'} node '{node.name}'"
            try:
                sql = render_pipe(pipe, {}, project.pipes, project.datasources)
            except TemplateError:
                continue
            except QueryError as error:
                raise DatafileError(f"{pipe.path}:{node.line}: {what}: {_one_line(str(error))}") from error
            if pipe.kind == "materialized":
                continue  # ClickHouse checks it when the view is created
            try:
                self.execute(f"DESCRIBE ({sql})")
            except QueryError as error:
                raise DatafileError(_pipe_refusal(pipe, f"{what} (with its default parameters)", error)) from error

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
            with contextlib.suppress(Exception):  # closing at shutdown: one failure must not keep the others open
                conn.close()
        self._all.clear()


def _pipe_refusal(pipe: Pipe, what: str, error: QueryError) -> str:
    """One line: the published node's file and line, what ClickHouse refused and why; a database that does not
    exist is named as the feature it is (another workspace's or release's datasource, not vendored)."""
    where = f"{pipe.path}:{pipe.output.line}"
    missing = re.search(r"Database `?([^`\s]+?)`? does(?:n't| not) exist", str(error))
    if missing:
        database = missing.group(1)
        if RELEASE.fullmatch(database):
            return (f"{where}: {what} reads a datasource of '{database}', an earlier release, that is not a datasource"
                    " of the project (a release's datasource is read as the project's datasource of the same name)")
        return (f"{where}: {what} reads a datasource of '{database}', another workspace or release that the project"
                f" does not vendor (expected vendor/{database}/datasources/<name>.datasource); other workspaces' and"
                " releases' datasources are not supported otherwise")
    return f"{where}: ClickHouse refused {what}: {_one_line(str(error))}"


def _one_line(message: str, limit: int = 400) -> str:
    text = " ".join(message.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _clean_error(message: str) -> str:
    message = message.strip()
    cut = message.find(". Stack trace")
    if cut > 0:
        message = message[: cut + 1]
    return message[:2000]
