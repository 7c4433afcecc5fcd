"""Minimal reader for Tinybird `.datasource` and `.pipe` datafiles.

Only what the local target needs: schema columns with their JSON paths, engine keys, and pipe
nodes with their SQL. The test suite cross-checks this reader against Tinybird's own parser.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass, field
from pathlib import Path


class DatafileError(ValueError):
    """A datafile that this reader cannot understand; the message names file and line."""


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    json_path: str  # e.g. "$.tags[:]"

    @property
    def json_key(self) -> str:
        """Top-level JSON key read by this column (nested paths are not supported)."""
        path = self.json_path
        if path.startswith("$."):
            path = path[2:]
        if path.endswith("[:]"):
            path = path[:-3]
        return path


@dataclass(frozen=True)
class Datasource:
    name: str
    description: str
    columns: tuple[Column, ...]
    engine: str = "MergeTree"
    partition_key: str = ""
    sorting_key: str = "tuple()"


@dataclass(frozen=True)
class Node:
    name: str
    sql: str


@dataclass(frozen=True)
class Pipe:
    name: str
    description: str
    nodes: tuple[Node, ...] = field(default_factory=tuple)


def _blocks(path: Path) -> list[tuple[int, str, str, str]]:
    """Split a datafile into (line, KEYWORD, inline value, indented block) entries."""
    lines = path.read_text(encoding="utf-8").splitlines()
    out: list[tuple[int, str, str, str]] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.strip() or line.lstrip().startswith("#"):
            i += 1
            continue
        if line[0].isspace():
            raise DatafileError(f"{path}:{i + 1}: unexpected indented line outside a block")
        keyword, _, rest = line.strip().partition(" ")
        rest = rest.strip()
        block = ""
        if rest == ">":
            rest = ""
            j = i + 1
            body: list[str] = []
            while j < len(lines) and (not lines[j].strip() or lines[j][0].isspace()):
                body.append(lines[j])
                j += 1
            block = textwrap.dedent("\n".join(body)).strip("\n")
            out.append((i + 1, keyword.upper(), rest, block))
            i = j
            continue
        out.append((i + 1, keyword.upper(), rest, block))
        i += 1
    return out


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


_COLUMN = re.compile(r"^`?(?P<name>[A-Za-z_][A-Za-z0-9_]*)`?\s+(?P<type>.+?)(?:\s+`json:(?P<path>[^`]+)`)?$")


def _parse_schema(path: Path, text: str) -> tuple[Column, ...]:
    columns: list[Column] = []
    for raw in text.splitlines():
        line = raw.strip().rstrip(",").strip()
        if not line:
            continue
        match = _COLUMN.match(line)
        if not match:
            raise DatafileError(f"{path}: cannot read schema line {raw.strip()!r}")
        name = match.group("name")
        columns.append(Column(name, match.group("type").strip(), match.group("path") or f"$.{name}"))
    if not columns:
        raise DatafileError(f"{path}: SCHEMA has no columns")
    return tuple(columns)


def read_datasource(path: Path) -> Datasource:
    description, columns = "", None
    engine, partition, sorting = "MergeTree", "", "tuple()"
    for line, keyword, value, block in _blocks(path):
        if keyword == "DESCRIPTION":
            description = block or value
        elif keyword == "SCHEMA":
            columns = _parse_schema(path, block)
        elif keyword == "ENGINE":
            engine = _unquote(value)
        elif keyword == "ENGINE_PARTITION_KEY":
            partition = _unquote(value)
        elif keyword == "ENGINE_SORTING_KEY":
            sorting = _unquote(value)
        elif keyword in ("TOKEN", "TAGS", "ENGINE_TTL", "ENGINE_SETTINGS", "FORWARD_QUERY"):
            continue
        else:
            raise DatafileError(f"{path}:{line}: unsupported keyword {keyword}")
    if columns is None:
        raise DatafileError(f"{path}: no SCHEMA")
    if engine != "MergeTree":
        raise DatafileError(f"{path}: only ENGINE \"MergeTree\" is supported, not {engine!r}")
    return Datasource(path.stem, description, columns, engine, partition, sorting)


def read_pipe(path: Path) -> Pipe:
    description = ""
    nodes: list[Node] = []
    current: str | None = None
    for line, keyword, value, block in _blocks(path):
        if keyword == "DESCRIPTION":
            if current is None:
                description = block or value
        elif keyword == "NODE":
            current = value.strip()
        elif keyword == "SQL":
            if current is None:
                raise DatafileError(f"{path}:{line}: SQL before any NODE")
            nodes.append(Node(current, block))
        elif keyword == "TYPE":
            if value.strip().lower() != "endpoint":
                raise DatafileError(f"{path}:{line}: only TYPE endpoint is supported")
        elif keyword in ("TOKEN", "TAGS", "CACHE"):
            continue
        else:
            raise DatafileError(f"{path}:{line}: unsupported keyword {keyword}")
    if not nodes:
        raise DatafileError(f"{path}: no NODE with SQL")
    return Pipe(path.stem, description, tuple(nodes))


def read_project(folder: Path) -> tuple[dict[str, Datasource], dict[str, Pipe]]:
    if not folder.is_dir():
        raise DatafileError(f"project folder {folder} does not exist")
    datasources = {p.stem: read_datasource(p) for p in sorted(folder.rglob("*.datasource"))}
    pipes = {p.stem: read_pipe(p) for p in sorted(folder.rglob("*.pipe"))}
    if not datasources:
        raise DatafileError(f"project folder {folder} has no .datasource files")
    return datasources, pipes
