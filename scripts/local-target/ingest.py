"""Events API ingestion: validate NDJSON rows against a datasource, quarantine misfits, buffer, flush.

A row is acknowledged only once it is either inserted or held in a buffer that every exit path
(flush timer, wait=true, truncate, shutdown) flushes, so an acknowledged row is never lost while the
process lives to shut down. Rows that pass the Python checks but that ClickHouse still rejects are
found by bisecting the batch and moved to the quarantine table.
"""

from __future__ import annotations

import json
import math
import random
import re
import sys
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable

from datafiles import Column, Datasource
from engine import QUARANTINE_SUFFIX, Engine, QueryError

_INT_RANGES = {
    "Int8": (-(2**7), 2**7 - 1), "Int16": (-(2**15), 2**15 - 1), "Int32": (-(2**31), 2**31 - 1),
    "Int64": (-(2**63), 2**63 - 1), "UInt8": (0, 2**8 - 1), "UInt16": (0, 2**16 - 1),
    "UInt32": (0, 2**32 - 1), "UInt64": (0, 2**64 - 1),
}
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?)?$")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def _check_int(lo: int, hi: int) -> Callable[[Any], str | None]:
    def check(v: Any) -> str | None:
        if isinstance(v, bool):
            return "is a boolean, not an integer"
        if isinstance(v, float):
            if not v.is_integer():
                return f"{v!r} is not an integer"
            v = int(v)
        elif isinstance(v, str):
            try:
                v = int(v.strip())
            except ValueError:
                return f"{v!r} is not an integer"
        elif not isinstance(v, int):
            return f"{type(v).__name__} is not an integer"
        return None if lo <= v <= hi else f"{v} is out of range [{lo}, {hi}]"

    return check


def _check_float(v: Any) -> str | None:
    if isinstance(v, bool):
        return "is a boolean, not a number"
    if isinstance(v, (int, float)):
        return None
    if isinstance(v, str) and (_NUMBER.match(v.strip()) or v.strip().lower() in ("nan", "inf", "-inf")):
        return None
    return f"{v!r} is not a number"


def _check_string(v: Any) -> str | None:
    return None if isinstance(v, (str, int, float)) and not isinstance(v, bool) else f"{type(v).__name__} is not a string"


def _check_datetime(v: Any) -> str | None:
    if isinstance(v, bool):
        return "is a boolean, not a DateTime"
    if isinstance(v, int):
        return None if 0 <= v < 2**32 else f"{v} is out of the DateTime range"
    if isinstance(v, str) and _DATETIME.match(v):
        return None
    return f"{v!r} is not a DateTime ('YYYY-MM-DD HH:MM:SS')"


def _checker(type_name: str) -> tuple[Callable[[Any], str | None], bool]:
    """(check, nullable) for a ClickHouse type name."""
    t = type_name.strip()
    nullable = False
    if t.startswith("LowCardinality(") and t.endswith(")"):
        t = t[len("LowCardinality("):-1]
    if t.startswith("Nullable(") and t.endswith(")"):
        t, nullable = t[len("Nullable("):-1], True
    if t.startswith("Array(") and t.endswith(")"):
        inner, _ = _checker(t[len("Array("):-1])

        def check_array(v: Any) -> str | None:
            if not isinstance(v, list):
                return f"{type(v).__name__} is not an array"
            for item in v:
                problem = inner(item)
                if problem:
                    return f"array element {problem}"
            return None

        return check_array, nullable
    if t in _INT_RANGES:
        return _check_int(*_INT_RANGES[t]), nullable
    if t in ("Float32", "Float64") or t.startswith("Decimal"):
        return _check_float, nullable
    if t in ("DateTime", "Date", "Date32") or t.startswith("DateTime"):
        return _check_datetime, nullable
    if t in ("Bool", "Boolean"):
        return (lambda v: None if isinstance(v, (bool, int)) else f"{v!r} is not a boolean"), nullable
    return _check_string, nullable


def _fast_path_source(columns: tuple[Column, ...]) -> tuple[str, dict[str, Any]]:
    """Python source of `fits(o) -> bool`: True when the object certainly fits (the common case, fast)."""
    env: dict[str, Any] = {"DT": _DATETIME.match}
    body = ["def fits(o):", "    if type(o) is not dict: return False", "    g = o.get"]
    for i, column in enumerate(columns):
        t = column.type.strip()
        nullable = t.startswith("Nullable(")
        if nullable:
            t = t[len("Nullable("):-1]
        if t.startswith("LowCardinality("):
            t = t[len("LowCardinality("):-1]
        body.append(f"    v = g({column.json_key!r})")
        if t == "String":
            bad = "type(v) is not str"
        elif t in _INT_RANGES:
            lo, hi = _INT_RANGES[t]
            bad = f"type(v) is not int or not ({lo} <= v <= {hi})"
        elif t in ("Float32", "Float64"):
            bad = "(type(v) is not float and type(v) is not int)"
        elif t == "DateTime":
            bad = "type(v) is not str or DT(v) is None"
        elif t == "Array(String)":
            bad = "type(v) is not list or any(type(x) is not str for x in v)"
        else:
            env[f"C{i}"] = _checker(t)[0]
            bad = f"v is None or C{i}(v) is not None"
        body.append(f"    if {'v is not None and ' if nullable else ''}({bad}): return False")
    body.append("    return True")
    return "\n".join(body), env


@dataclass
class RowValidator:
    datasource: Datasource

    def __post_init__(self) -> None:
        self._checks = [(c, *_checker(c.type)) for c in self.datasource.columns]
        source, env = _fast_path_source(self.datasource.columns)
        exec(compile(source, f"<validator {self.datasource.name}>", "exec"), env)  # generated from the schema
        self.fits = env["fits"]

    def validate(self, line: bytes) -> tuple[dict[str, Any] | None, list[str], list[str]]:
        """(parsed object, bad columns, errors); no errors means the row fits the schema."""
        try:
            obj = json.loads(line)
        except ValueError as error:
            return None, [], [f"invalid JSON: {error}"]
        if not isinstance(obj, dict):
            return None, [], ["a row must be a JSON object"]
        bad_cols: list[str] = []
        errors: list[str] = []
        for column, check, nullable in self._checks:
            value = obj.get(column.json_key)
            if value is None:
                if not nullable:
                    bad_cols.append(column.name)
                    errors.append(f"column '{column.name}' ({column.type}): missing value for {column.json_path}")
                continue
            problem = check(value)
            if problem:
                bad_cols.append(column.name)
                errors.append(f"column '{column.name}' ({column.type}): {problem}")
        return obj, bad_cols, errors


def _parse_all(lines: list[bytes]) -> list[Any] | None:
    """Parse all lines in one json.loads call (2-3x faster than one call per line).

    Only used when every line looks like one object; a count mismatch or any error means "parse each line".
    """
    if not lines or not all(line[:1] == b"{" and line[-1:] == b"}" for line in lines):
        return None
    try:
        objects = json.loads(b"[" + b",".join(lines) + b"]")
    except ValueError:
        return None
    return objects if len(objects) == len(lines) else None


def quarantine_row(ds: Datasource, obj: dict[str, Any] | None, bad_cols: list[str], errors: list[str],
                   import_id: str) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for column in ds.columns:
        value = None if obj is None else obj.get(column.json_key)
        row[column.name] = value if value is None or isinstance(value, str) else json.dumps(value)
    row["c__error_column"] = bad_cols
    row["c__error"] = errors
    row["c__import_id"] = import_id
    row["insertion_date"] = int(time.time())
    return row


class Ingestor:
    """Validates, buffers and inserts rows for all datasources of a project."""

    def __init__(self, engine: Engine, datasources: dict[str, Datasource], flush_interval: float,
                 lose_rows: float = 0.0, rng: random.Random | None = None) -> None:
        self.engine = engine
        self.datasources = datasources
        self.validators = {name: RowValidator(ds) for name, ds in datasources.items()}
        self.flush_interval = flush_interval
        self.lose_rows = lose_rows
        self.rng = rng or random.Random(1)
        self._rng_lock = threading.Lock()
        self._buffers: dict[str, list[bytes]] = {name: [] for name in datasources}
        self._buffer_lock = threading.Lock()
        self._ds_locks = {name: threading.Lock() for name in datasources}
        self._stop = threading.Event()
        self._flusher: threading.Thread | None = None
        if flush_interval > 0:
            self._flusher = threading.Thread(target=self._flush_loop, name="flusher", daemon=True)
            self._flusher.start()

    # --- request path -------------------------------------------------------------------------
    def ingest(self, name: str, body: bytes, wait: bool, import_id: str) -> tuple[int, int]:
        ds = self.datasources[name]
        validator = self.validators[name]
        good: list[bytes] = []
        quarantined: list[dict[str, Any]] = []
        lines = [line.strip() for line in body.split(b"\n")]
        lines = [line for line in lines if line]
        objects = _parse_all(lines)
        fits = validator.fits
        for i, line in enumerate(lines):
            if objects is not None and fits(objects[i]):
                good.append(line)
                continue
            obj, bad_cols, errors = validator.validate(line)
            if errors:
                quarantined.append(quarantine_row(ds, obj, bad_cols, errors, import_id))
            else:
                good.append(line)
        if quarantined:
            self._insert_quarantine(name, quarantined)
        successful = len(good)
        if self.lose_rows > 0 and good:
            with self._rng_lock:
                good = [line for line in good if self.rng.random() >= self.lose_rows]
        if wait or self.flush_interval <= 0:
            with self._buffer_lock:
                pending = self._buffers[name]
                self._buffers[name] = []
            rejected = self._insert_rows(name, pending + good, import_id)
            # rows of this request that ClickHouse itself rejected are quarantined, not successful
            own = set(good)
            own_rejected = sum(1 for line in rejected if line in own)
            return successful - own_rejected, len(quarantined) + own_rejected
        with self._buffer_lock:
            self._buffers[name].extend(good)
        return successful, len(quarantined)

    # --- flushing ---------------------------------------------------------------------------
    def flush(self, name: str | None = None) -> None:
        for ds_name in [name] if name else list(self.datasources):
            with self._buffer_lock:
                pending = self._buffers[ds_name]
                self._buffers[ds_name] = []
            if pending:
                self._insert_rows(ds_name, pending, "buffer-flush")

    def buffered_rows(self) -> int:
        with self._buffer_lock:
            return sum(len(b) for b in self._buffers.values())

    def _flush_loop(self) -> None:
        while not self._stop.wait(self.flush_interval):
            try:
                self.flush()
            except Exception as error:  # keep flushing; the rows stay counted in the log
                print(f"starling-local-target: flush failed: {error}", file=sys.stderr, flush=True)

    def close(self) -> None:
        self._stop.set()
        if self._flusher is not None:
            self._flusher.join(timeout=10)
        self.flush()

    def truncate(self, name: str) -> None:
        with self._ds_locks[name]:
            with self._buffer_lock:
                self._buffers[name] = []
            self.engine.execute(f"TRUNCATE TABLE `{name}`")

    # --- inserts ----------------------------------------------------------------------------
    def _insert_rows(self, name: str, lines: list[bytes], import_id: str) -> list[bytes]:
        """Insert lines; returns the lines ClickHouse rejected (they are quarantined)."""
        if not lines:
            return []
        rejected: list[tuple[bytes, str]] = []
        with self._ds_locks[name]:
            self._insert_bisect(name, lines, rejected)
        if rejected:
            ds = self.datasources[name]
            rows = []
            for line, error in rejected:
                try:
                    obj = json.loads(line)
                except ValueError:
                    obj = None
                rows.append(quarantine_row(ds, obj if isinstance(obj, dict) else None, [], [error], import_id))
            self._insert_quarantine(name, rows)
        return [line for line, _ in rejected]

    def _insert_bisect(self, name: str, lines: list[bytes], rejected: list[tuple[bytes, str]]) -> None:
        try:
            self.engine.insert_json_lines(name, b"\n".join(lines) + b"\n")
        except QueryError as error:
            if len(lines) == 1:
                rejected.append((lines[0], str(error)[:500]))
                return
            mid = len(lines) // 2
            self._insert_bisect(name, lines[:mid], rejected)
            self._insert_bisect(name, lines[mid:], rejected)

    def _insert_quarantine(self, name: str, rows: list[dict[str, Any]]) -> None:
        payload = "".join(json.dumps(r) + "\n" for r in rows).encode()
        self.engine.insert_json_lines(name + QUARANTINE_SUFFIX, payload)


def retry_after_seconds(reset_at: float, now: float) -> int:
    return max(1, math.ceil(reset_at - now))
