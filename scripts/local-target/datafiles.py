"""Reader for the `.datasource` and `.pipe` files of a Tinybird project folder.

What the local target needs: schema columns (type, JSONPath, DEFAULT), the engine and its keys, and pipe nodes
with their SQL and TYPE. Anything it cannot understand is a `DatafileError` naming file, line and what was
expected. The test suite cross-checks this reader against Tinybird's own parser (`tinybird.datafile`).
"""

from __future__ import annotations

import os
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

from schema import Column, DatafileError, parse_schema

__all__ = ["Column", "Datasource", "DatafileError", "Node", "Pipe", "Project", "read_datasource", "read_pipe",
           "read_project"]

# Engines and their parameters, as Tinybird's `tinybird.ch_utils.engine` enables them.
ENGINES = {
    "MergeTree": (), "ReplacingMergeTree": ("ver", "is_deleted"), "SummingMergeTree": ("columns",),
    "AggregatingMergeTree": (), "CollapsingMergeTree": ("sign",), "VersionedCollapsingMergeTree": ("sign", "version"),
    "Null": (),
}
REQUIRED_PARAMS = {"CollapsingMergeTree": ("sign",), "VersionedCollapsingMergeTree": ("sign", "version")}
NEEDS_SORTING_KEY = ("ReplacingMergeTree", "CollapsingMergeTree")
ENGINE_OPTIONS = ("partition_key", "sorting_key", "primary_key", "sampling_key", "ttl", "settings")
# Accepted and ignored: access tokens, tags, connector and deployment settings.
IGNORED_DATASOURCE = ("TOKEN", "TAGS", "FORWARD_QUERY", "SHARED_WITH", "VERSION", "BACKFILL")
IGNORED_DATASOURCE_PREFIXES = ("KAFKA_", "IMPORT_")
NODE_TYPES = ("endpoint", "materialized", "copy", "sink", "stream", "standard")
IGNORED_PIPE = ("TOKEN", "TAGS", "CACHE", "VERSION", "DEPLOYMENT_METHOD", "TARGET_DATASOURCE", "COPY_SCHEDULE",
                "COPY_MODE", "MODE", "ON_DEMAND_COMPUTE", "FILTER")
IGNORED_PIPE_PREFIXES = ("EXPORT_",)
SKIPPED_FOLDERS = {"fixtures", "tests", "vendor", "node_modules", "__pycache__"}


@dataclass(frozen=True)
class Datasource:
    name: str
    description: str
    columns: tuple[Column, ...]
    engine: str = "MergeTree"
    engine_args: tuple[tuple[str, str], ...] = ()  # (parameter or option name, value), in the order above
    indexes: tuple[str, ...] = ()
    path: Path | None = None

    def arg(self, name: str, default: str = "") -> str:
        return dict(self.engine_args).get(name, default)

    @property
    def reads_own_keys(self) -> bool:
        """Every column reads the top-level JSON key of its own name: rows can be inserted as sent."""
        return all(c.path.is_top_level(c.name) for c in self.columns)

    @property
    def partition_key(self) -> str:
        return self.arg("partition_key")

    @property
    def sorting_key(self) -> str:
        return self.arg("sorting_key", "tuple()")


@dataclass(frozen=True)
class Node:
    name: str
    sql: str
    type: str = ""  # "" (a plain node) or one of NODE_TYPES
    datasource: str = ""  # the target of a materialized node
    line: int = 0


@dataclass(frozen=True)
class Pipe:
    name: str
    description: str
    nodes: tuple[Node, ...] = field(default_factory=tuple)
    path: Path | None = None
    folder: str = ""  # top-level folder inside the project ("endpoints", "materializations", ...)

    @property
    def output_index(self) -> int:
        """The node the pipe publishes: the one with a TYPE (Tinybird allows one), else the last."""
        typed = [i for i, node in enumerate(self.nodes) if node.type not in ("", "standard")]
        return typed[0] if typed else len(self.nodes) - 1

    @property
    def kind(self) -> str:
        kind = self.nodes[self.output_index].type
        return "" if kind == "standard" else kind

    @property
    def is_endpoint(self) -> bool:
        return self.kind == "endpoint" or (self.kind == "" and self.folder == "endpoints")


@dataclass(frozen=True)
class Project:
    folder: Path
    datasources: dict[str, Datasource]
    pipes: dict[str, Pipe]

    @property
    def endpoints(self) -> dict[str, Pipe]:
        return {name: pipe for name, pipe in self.pipes.items() if pipe.is_endpoint}

    @property
    def materializations(self) -> list[Pipe]:
        return [pipe for pipe in self.pipes.values() if pipe.kind == "materialized"]


@dataclass(frozen=True)
class Statement:
    line: int
    keyword: str
    value: str
    block: tuple[tuple[int, str], ...] = ()  # the indented lines after `KEYWORD >`, dedented, with line numbers

    @property
    def text(self) -> str:
        return "\n".join(text for _, text in self.block).strip("\n")


def _statements(path: Path) -> list[Statement]:
    """Split a datafile into statements: `KEYWORD value` lines and `KEYWORD >` followed by an indented block."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise DatafileError(f"{path}: cannot read the file: {error}") from error
    out: list[Statement] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.strip() or line.lstrip().startswith("#"):
            i += 1
            continue
        if line[0].isspace():
            raise DatafileError(f"{path}:{i + 1}: unexpected indented line outside a block;"
                                " expected a KEYWORD at the start of the line (or `KEYWORD >` before the block)")
        keyword, _, rest = line.strip().partition(" ")
        rest = rest.strip()
        if rest != ">":
            out.append(Statement(i + 1, keyword.upper(), rest))
            i += 1
            continue
        j = i + 1
        while j < len(lines) and (not lines[j].strip() or lines[j][0].isspace()):
            j += 1
        body = textwrap.dedent("\n".join(lines[i + 1:j])).split("\n")
        block = tuple((i + 2 + k, text) for k, text in enumerate(body))
        while block and not block[-1][1].strip():
            block = block[:-1]
        out.append(Statement(i + 1, keyword.upper(), "", block))
        i = j
    return out


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def read_datasource(path: Path) -> Datasource:
    description, columns, schema_line = "", None, 0
    engine, engine_line, args, indexes = "MergeTree", 0, {}, []
    for st in _statements(path):
        if st.keyword == "DESCRIPTION":
            description = st.text or st.value
        elif st.keyword == "SCHEMA":
            columns, schema_line = parse_schema(path, st.block), st.line
        elif st.keyword == "INDEXES":
            indexes = [text.strip().rstrip(",") for _, text in st.block if text.strip()]
        elif st.keyword == "ENGINE":
            engine, engine_line = _unquote(st.value), st.line
        elif st.keyword.startswith("ENGINE_"):
            name = st.keyword[len("ENGINE_"):].lower()
            if name not in ENGINE_OPTIONS and not any(name in params for params in ENGINES.values()):
                raise DatafileError(f"{path}:{st.line}: unknown {st.keyword}; expected one of "
                                    + ", ".join(f"ENGINE_{n.upper()}" for n in _engine_arg_names()))
            args[name] = (_unquote(st.value), st.line)
        elif st.keyword in IGNORED_DATASOURCE or st.keyword.startswith(IGNORED_DATASOURCE_PREFIXES):
            continue
        else:
            raise DatafileError(f"{path}:{st.line}: unsupported keyword {st.keyword} in a .datasource; expected one of"
                                " DESCRIPTION, SCHEMA, INDEXES, ENGINE, ENGINE_*, TOKEN, TAGS")
    if columns is None:
        raise DatafileError(f"{path}:1: no SCHEMA; expected a `SCHEMA >` block with the columns")
    engine = _check_engine(path, engine, engine_line, args, {c.name for c in columns}, schema_line)
    order = ENGINES[engine] + ENGINE_OPTIONS
    engine_args = tuple((name, args[name][0]) for name in order if name in args)
    return Datasource(path.stem, description, columns, engine, engine_args, tuple(indexes), path)


def _engine_arg_names() -> list[str]:
    return list(dict.fromkeys([p for params in ENGINES.values() for p in params] + list(ENGINE_OPTIONS)))


def _check_engine(path: Path, engine: str, line: int, args: dict[str, tuple[str, int]], columns: set[str],
                  schema_line: int) -> str:
    canonical = {name.lower(): name for name in ENGINES}.get(engine.lower())
    if canonical is None:
        raise DatafileError(f"{path}:{line}: ENGINE {engine!r} is not supported; expected one of {', '.join(ENGINES)}")
    for name, (value, arg_line) in args.items():
        if name in ENGINE_OPTIONS:
            continue
        if name not in ENGINES[canonical]:
            raise DatafileError(f"{path}:{arg_line}: ENGINE_{name.upper()} does not apply to {canonical}")
        for column in (c.strip() for c in value.split(",")):
            if column not in columns:
                raise DatafileError(f"{path}:{arg_line}: ENGINE_{name.upper()} names '{column}', which is not a"
                                    f" column of the SCHEMA (line {schema_line})")
    for name in REQUIRED_PARAMS.get(canonical, ()):
        if name not in args:
            raise DatafileError(f"{path}:{line}: ENGINE {canonical} needs ENGINE_{name.upper()}")
    if canonical in NEEDS_SORTING_KEY and args.get("sorting_key", ("tuple()", 0))[0] in ("", "tuple()"):
        raise DatafileError(f"{path}:{line}: ENGINE {canonical} needs an ENGINE_SORTING_KEY other than tuple()")
    return canonical


def read_pipe(path: Path, folder: str = "") -> Pipe:
    description = ""
    nodes: list[dict] = []
    type_lines: dict[str, int] = {}  # node name -> line of its TYPE
    for st in _statements(path):
        node = nodes[-1] if nodes else None
        if st.keyword == "DESCRIPTION":
            if node is None:
                description = st.text or st.value
        elif st.keyword == "NODE":
            if not st.value:
                raise DatafileError(f"{path}:{st.line}: NODE without a name; expected `NODE <name>`")
            nodes.append({"name": _unquote(st.value), "line": st.line, "sql": None, "type": "", "datasource": ""})
        elif node is None and st.keyword in ("SQL", "TYPE", "DATASOURCE"):
            raise DatafileError(f"{path}:{st.line}: {st.keyword} before any NODE; expected `NODE <name>` first")
        elif st.keyword == "SQL":
            if not st.block or not st.text.strip():
                raise DatafileError(f"{path}:{st.line}: SQL needs an indented block; expected `SQL >` then the query")
            node["sql"] = st.text
        elif st.keyword == "TYPE":
            kind = _unquote(st.value).lower()
            if kind not in NODE_TYPES:
                raise DatafileError(f"{path}:{st.line}: TYPE {st.value!r} is unknown;"
                                    f" expected one of {', '.join(NODE_TYPES)}")
            node["type"] = kind
            type_lines[node["name"]] = st.line
        elif st.keyword == "DATASOURCE":
            node["datasource"] = _unquote(st.value)
        elif st.keyword in IGNORED_PIPE or st.keyword.startswith(IGNORED_PIPE_PREFIXES):
            continue
        else:
            raise DatafileError(f"{path}:{st.line}: unsupported keyword {st.keyword} in a .pipe; expected one of"
                                " DESCRIPTION, NODE, SQL, TYPE, DATASOURCE, TOKEN, TAGS")
    if not nodes:
        raise DatafileError(f"{path}:1: no NODE; expected `NODE <name>` followed by `SQL >`")
    typed = [n for n in nodes if n["type"] not in ("", "standard")]
    if len(typed) > 1:
        raise DatafileError(f"{path}:{type_lines[typed[1]['name']]}: a second node with a TYPE ({typed[1]['type']}); a pipe"
                            f" publishes one node (node '{typed[0]['name']}' already has TYPE {typed[0]['type']})")
    for n in nodes:
        if n["sql"] is None:
            raise DatafileError(f"{path}:{n['line']}: node '{n['name']}' has no SQL; expected `SQL >` after NODE")
        if n["type"] == "materialized" and not n["datasource"]:
            raise DatafileError(f"{path}:{n['line']}: materialized node '{n['name']}' has no DATASOURCE;"
                                " expected `DATASOURCE <target datasource>`")
    return Pipe(path.stem, description, tuple(Node(**n) for n in nodes), path, folder)


def project_files(folder: Path) -> tuple[list[Path], list[Path]]:
    """(.datasource files, .pipe files) anywhere under `folder`, skipping hidden folders and SKIPPED_FOLDERS."""
    datasources, pipes = [], []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in SKIPPED_FOLDERS)
        for name in sorted(files):
            if name.endswith(".datasource"):
                datasources.append(Path(root) / name)
            elif name.endswith(".pipe"):
                pipes.append(Path(root) / name)
    return datasources, pipes


def read_project(folder: Path) -> Project:
    if not folder.is_dir():
        raise DatafileError(f"project folder {folder} does not exist")
    datasource_files, pipe_files = project_files(folder)
    if not datasource_files:
        raise DatafileError(f"project folder {folder} has no .datasource files")
    defined: dict[str, Path] = {}

    def claim(name: str, path: Path) -> None:
        if name in defined:
            raise DatafileError(f"{path}:1: the name '{name}' is already used by {defined[name]}; expected unique names")
        defined[name] = path

    datasources: dict[str, Datasource] = {}
    for path in datasource_files:
        claim(path.stem, path)
        datasources[path.stem] = read_datasource(path)
    pipes: dict[str, Pipe] = {}
    for path in pipe_files:
        claim(path.stem, path)
        relative = path.relative_to(folder).parts
        pipes[path.stem] = read_pipe(path, relative[0] if len(relative) > 1 else "")
    for pipe in pipes.values():
        node = pipe.nodes[pipe.output_index]
        if pipe.kind == "materialized" and node.datasource not in datasources:
            raise DatafileError(f"{pipe.path}:{node.line}: materialized node '{node.name}' writes to"
                                f" '{node.datasource}', which is not a .datasource of the project")
    return Project(folder, datasources, pipes)
