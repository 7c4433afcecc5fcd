"""Row validation for the Events API: does an NDJSON row fit a datasource's schema, and if not, why.

`RowValidator.fits` is generated from the schema and answers the common case fast; `validate` gives the
detailed verdict (bad columns and messages) used for quarantined rows. The tests check that `fits`
never accepts a row that `validate` rejects. `row` gives the NDJSON line ClickHouse inserts: the line as sent
when every column reads its own top-level key, else one rebuilt with a key per column (nested JSONPaths).
A missing or null value is allowed for Nullable columns and for columns with a DEFAULT (ClickHouse then
stores NULL or the default).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from chtypes import DATETIME, INT_RANGES, value_check
from datafiles import Column, Datasource
from ddl import quarantine_extra_columns
from jsonpath import MISSING, NOT_AN_OBJECT, JsonPath


def _access_lines(i: int, path: JsonPath, env: dict[str, Any]) -> list[str]:
    """Source lines that set `v` to the value at `path` in `o` (None when missing; return False when a key
    is read inside a value that is neither an object nor null)."""
    if not path.keys_only:
        env[f"X{i}"] = lambda o, extract=path.extract: None if (v := extract(o)) is MISSING else v
        return [f"    v = X{i}(o)", "    if v is NA: return False"]
    keys = [step for step in path.steps if step is not None]
    lines = [f"    v = g({keys[0]!r})"]
    for key in keys[1:]:
        lines += ["    if v is not None:", "        if type(v) is not dict: return False", f"        v = v.get({key!r})"]
    return lines


def _fast_path_source(columns: tuple[Column, ...]) -> tuple[str, dict[str, Any]]:
    """Python source of `fits(o) -> bool`: True when the object certainly fits (the common case, fast)."""
    env: dict[str, Any] = {"DT": DATETIME.match, "NA": NOT_AN_OBJECT}
    body = ["def fits(o):", "    if type(o) is not dict: return False", "    g = o.get"]
    for i, column in enumerate(columns):
        check = value_check(column.type)
        optional = check.nullable or column.default is not None
        body += _access_lines(i, column.path, env)
        t = str(check.base)
        # the inlined checks below refuse None by themselves; the generic one needs `v is None or`
        if t == "String":
            bad = "type(v) is not str"
        elif t in INT_RANGES and t not in ("Int128", "Int256", "UInt128", "UInt256"):
            lo, hi = INT_RANGES[t]
            bad = f"type(v) is not int or not ({lo} <= v <= {hi})"
        elif t in ("Float32", "Float64"):
            bad = "(type(v) is not float and type(v) is not int)"
        elif t == "DateTime":
            bad = "type(v) is not str or DT(v) is None"
        elif t == "Array(String)":
            bad = "type(v) is not list or any(type(x) is not str for x in v)"
        else:
            env[f"C{i}"] = check.check
            bad = f"C{i}(v) is not None" if optional else f"v is None or C{i}(v) is not None"
        body.append(f"    if {'v is not None and ' if optional else ''}({bad}): return False")
    body.append("    return True")
    return "\n".join(body), env


@dataclass
class RowValidator:
    datasource: Datasource

    def __post_init__(self) -> None:
        self._checks = []
        for column in self.datasource.columns:
            check = value_check(column.type)
            self._checks.append((column, check.check, check.nullable or column.default is not None))
        source, env = _fast_path_source(self.datasource.columns)
        exec(compile(source, f"<validator {self.datasource.name}>", "exec"), env)  # generated from the schema
        self.fits = env["fits"]
        self.verbatim = self.datasource.reads_own_keys
        self._paths = [(c.name, c.path.extract) for c in self.datasource.columns]
        # String columns whose value may be an object or array: inserted as its JSON text
        self._text = {c.name for c in self.datasource.columns if str(value_check(c.type).base) == "String"}

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
        for column, check, optional in self._checks:
            value = column.path.extract(obj)
            if value is NOT_AN_OBJECT:
                bad_cols.append(column.name)
                errors.append(f"column '{column.name}' ({column.type}): {column.json_path} reads a key inside a"
                              " value that is not an object")
                continue
            if value is None or value is MISSING:
                if not optional:
                    bad_cols.append(column.name)
                    errors.append(f"column '{column.name}' ({column.type}): missing value for {column.json_path}")
                continue
            problem = check(value)
            if problem:
                bad_cols.append(column.name)
                errors.append(f"column '{column.name}' ({column.type}): {problem}")
        return obj, bad_cols, errors

    def row(self, obj: dict[str, Any], line: bytes) -> bytes:
        """The JSONEachRow line to insert for a row that fits."""
        if self.verbatim:
            return line
        out = {}
        for name, extract in self._paths:
            value = extract(obj)
            if value is not MISSING:
                out[name] = json.dumps(value, separators=(",", ":")) if name in self._text and isinstance(value, (dict, list)) else value
        return json.dumps(out, separators=(",", ":")).encode()


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
                   import_id: str, rebuilt: bool = False) -> dict[str, Any]:
    """The quarantine table's row; `rebuilt`: `obj` is a row made by `RowValidator.row` (keys = columns)."""
    row: dict[str, Any] = {}
    for column in ds.columns:
        if obj is None:
            value = None
        else:
            value = obj.get(column.name) if rebuilt else column.path.extract(obj)
        value = None if value is MISSING or value is NOT_AN_OBJECT else value
        row[column.name] = value if value is None or isinstance(value, str) else json.dumps(value)
    own = {"c__error_column": bad_cols, "c__error": errors, "c__import_id": import_id, "insertion_date": int(time.time())}
    for name in quarantine_extra_columns(ds):
        row[name] = own[name]
    return row
