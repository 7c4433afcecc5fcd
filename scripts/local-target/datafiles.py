"""Reader for the `.datasource` and `.pipe` files of a Tinybird project folder.

What the local target needs: schema columns (type, JSONPath, DEFAULT), the engine and its keys, and pipe nodes
with their SQL and TYPE. Anything it cannot understand is a `DatafileError` naming file, line and what was
expected. The test suite cross-checks this reader against Tinybird's own parser (`tinybird.datafile`).
"""

from __future__ import annotations

import os
import re
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

from schema import Column, DatafileError, parse_schema

__all__ = ["Column", "Datasource", "DatafileError", "Node", "Pipe", "Project", "Statement", "pipe_statements",
           "read_datasource", "read_pipe", "read_project"]

# Engines and their parameters, as Tinybird's `tinybird.ch_utils.engine` enables them.
ENGINES = {
    "MergeTree": (), "ReplacingMergeTree": ("ver", "is_deleted"), "SummingMergeTree": ("columns",),
    "AggregatingMergeTree": (), "CollapsingMergeTree": ("sign",), "VersionedCollapsingMergeTree": ("sign", "version"),
    "Null": (),
    "Join": ("join_strictness", "join_type", "key_columns"),  # read with joinGet('<ds>', 'col', key) or JOIN
}
COLUMN_PARAMS = ("ver", "is_deleted", "columns", "sign", "version", "key_columns")  # parameters that name columns
JOIN_STRICTNESS = ("ANY", "ALL", "SEMI", "ANTI")
JOIN_TYPES = ("LEFT", "INNER", "RIGHT", "FULL")
REQUIRED_PARAMS = {"CollapsingMergeTree": ("sign",), "VersionedCollapsingMergeTree": ("sign", "version"),
                   "Join": ("join_strictness", "join_type", "key_columns")}
NEEDS_SORTING_KEY = ("ReplacingMergeTree", "CollapsingMergeTree")
ENGINE_OPTIONS = ("partition_key", "sorting_key", "primary_key", "sampling_key", "ttl", "settings")
# Accepted and ignored: access tokens, tags, connector and deployment settings.
IGNORED_DATASOURCE = ("TOKEN", "TAGS", "FORWARD_QUERY", "SHARED_WITH", "VERSION", "BACKFILL")
IGNORED_DATASOURCE_PREFIXES = ("KAFKA_", "IMPORT_")
PIPE_NODE_KEYWORDS = ("SQL", "TYPE", "DATASOURCE", "TARGET_DATASOURCE", "COPY_MODE", "MODE")
NODE_TYPES = ("endpoint", "materialized", "copy", "sink", "stream", "standard")
IGNORED_PIPE = ("TOKEN", "TAGS", "CACHE", "VERSION", "DEPLOYMENT_METHOD", "COPY_SCHEDULE", "ON_DEMAND_COMPUTE",
                "FILTER", "FORWARD_QUERY", "SCOPE")
# ENGINE / ENGINE_* in a pipe: the classic materialized pipe's target table settings (used when the target has no
# .datasource); EXPORT_*: sinks, never run.
IGNORED_PIPE_PREFIXES = ("EXPORT_",)
SKIPPED_FOLDERS = {"fixtures", "tests", "vendor", "node_modules", "__pycache__"}
NOT_ENDPOINT_FOLDERS = frozenset(("materializations", "copies", "sinks"))


@dataclass(frozen=True)
class Datasource:
    name: str
    description: str
    columns: tuple[Column, ...]
    engine: str = "MergeTree"
    engine_args: tuple[tuple[str, str], ...] = ()  # (parameter or option name, value), in the order above
    indexes: tuple[str, ...] = ()
    path: Path | None = None
    kafka: bool = False  # a Kafka connector's datasource: Tinybird adds its __timestamp, __topic, ... columns

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
    type: str = ""  # "" (no TYPE line) or one of NODE_TYPES
    datasource: str = ""  # the target of a materialized node
    line: int = 0
    target_datasource: str = ""  # the target of a copy node
    copy_mode: str = "append"  # a copy node's COPY_MODE: append or replace
    engine: tuple[tuple[str, str, int], ...] = ()  # classic ENGINE / ENGINE_* lines: (keyword, value, line)


@dataclass(frozen=True)
class Pipe:
    name: str
    description: str
    nodes: tuple[Node, ...] = field(default_factory=tuple)
    path: Path | None = None
    folders: tuple[str, ...] = ()  # the folders between the project folder and the file

    @property
    def output_index(self) -> int:
        """The node the pipe publishes: the one with a TYPE other than standard (Tinybird allows one), else the
        last (classic `tb push` publishes the last node)."""
        typed = [i for i, node in enumerate(self.nodes) if node.type not in ("", "standard")]
        return typed[0] if typed else len(self.nodes) - 1

    @property
    def folder(self) -> str:
        """The top-level folder inside the project ("endpoints", "materializations", ...), "" at the top."""
        return self.folders[0] if self.folders else ""

    @property
    def output(self) -> Node:
        return self.nodes[self.output_index]

    @property
    def kind(self) -> str:
        kind = self.output.type
        return "" if kind == "standard" else kind

    @property
    def is_endpoint(self) -> bool:
        """The published node has TYPE endpoint, or no node has a TYPE line at all and the file is not inside a
        `materializations/`, `copies/` or `sinks/` folder (at any depth): classic projects publish the last node."""
        if self.kind == "endpoint":
            return True
        return all(node.type == "" for node in self.nodes) and not NOT_ENDPOINT_FOLDERS.intersection(self.folders)


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


# The first words that end a `KEYWORD >` block, per file kind: the commands of Tinybird's datafile parser
# (`tinybird.datafile.common.parse`), plus the Join engine's and (in pipes) the classic materialized pipe's ENGINE_*.
ENGINE_KEYWORDS = ("engine", "engine_partition_key", "engine_sorting_key", "engine_primary_key",
                   "engine_sampling_key", "engine_ttl", "engine_settings", "engine_ver", "engine_is_deleted",
                   "engine_sign", "engine_version", "engine_columns", "engine_join_strictness", "engine_join_type",
                   "engine_key_columns")
DATASOURCE_KEYWORDS = frozenset((
    "description", "token", "source", "schema", "indexes", "partition_key", "sorting_key", "primary_key",
    "sampling_key", "ttl", "tags", "include", "version", "kafka_connection_name", "kafka_topic", "kafka_group_id",
    "kafka_auto_offset_reset", "kafka_store_raw_value", "kafka_store_headers", "kafka_store_binary_headers",
    "kafka_key_format", "kafka_value_format", "kafka_target_partitions", "import_connection_name", "import_schedule",
    "import_strategy", "import_bucket_uri", "import_format", "import_from_timestamp", "import_service",
    "import_external_datasource", "import_query", "import_table_arn", "import_export_bucket", "pg_connection_name",
    "pg_table", "shared_with", "export_service", "forward_query", "backfill") + ENGINE_KEYWORDS)
PIPE_KEYWORDS = frozenset((
    "node", "scope", "description", "type", "datasource", "tags", "target_datasource", "copy_schedule", "copy_mode",
    "mode", "on_demand_compute", "filter", "token", "include", "sql", "version", "deployment_method",
    "export_service", "export_connection_name", "export_schedule", "export_bucket_uri", "export_file_template",
    "export_format", "export_strategy", "export_compression", "export_write_strategy", "export_kafka_topic")
    + ENGINE_KEYWORDS)


@dataclass(frozen=True)
class Statement:
    line: int
    keyword: str
    value: str
    block: tuple[tuple[int, str], ...] = ()  # the lines after `KEYWORD >`, dedented, numbered

    @property
    def text(self) -> str:
        return "\n".join(text for _, text in self.block).strip("\n")


def pipe_statements(path: Path, text: str | None = None) -> list[Statement]:
    """The statements of a .pipe file (of `text` when given, as if it were the file's content), its blocks cut as
    `read_pipe` cuts them; scripts/mutation maps the SQL blocks back to the file with it."""
    return _statements(path, PIPE_KEYWORDS, text)


def _statements(path: Path, keywords: frozenset[str], text: str | None = None) -> list[Statement]:
    """Split a datafile into statements: `KEYWORD value` lines and `KEYWORD >` followed by a block.

    The block rule is Tinybird's: inside a block, a line ends it only when it does not start with whitespace and its
    first word (any case) is one of `keywords`; every other line, at column 0 or not, belongs to the block. Blocks
    are dedented (a line at column 0 leaves the block as written) and a leading `%` line stripped: Tinybird keeps a
    `%` block as `sql.strip()`, the same SQL up to its lines' common indentation (which scripts/mutation relies on). Lines that are only a `# comment` are dropped everywhere, as Tinybird's parser does.
    Outside blocks, lines are statements whether indented or not (as in Tinybird's parser). `INCLUDE "file"
    [key=value ...]` (where a statement may start) is replaced by the file's lines (relative to this file's folder,
    `$key` substituted, as Tinybird does); their errors name the INCLUDE line. `text`: read instead of the file.
    """
    lines = _read_lines(path) if text is None else text.splitlines()
    numbers = list(range(1, len(lines) + 1))  # the line of this file each line comes from
    includes = 0

    def ends_block(line: str) -> bool:
        return bool(line) and not line[0].isspace() and line.split(None, 1)[0].lower() in keywords

    out: list[Statement] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.strip() or line.lstrip().startswith("#"):
            i += 1
            continue
        keyword, _, rest = line.strip().partition(" ")
        rest = rest.strip()
        if keyword.upper() == "INCLUDE":
            includes += 1
            if includes > 100:
                raise DatafileError(f"{path}:{numbers[i]}: more than 100 INCLUDEs (an include including itself?)")
            included = _included_lines(path, numbers[i], rest)
            lines[i:i + 1] = included
            numbers[i:i + 1] = [numbers[i]] * len(included)
            continue
        if rest != ">":
            out.append(Statement(numbers[i], keyword.upper(), rest))
            i += 1
            continue
        j = i + 1
        while j < len(lines) and not ends_block(lines[j]):
            j += 1
        # lines that are only a `# comment` are dropped, inside blocks too (Tinybird's shlex finds no word in them)
        kept = [(numbers[k], lines[k]) for k in range(i + 1, j) if not lines[k].lstrip().startswith("#")]
        body = textwrap.dedent("\n".join(text for _, text in kept)).split("\n")
        block = tuple((number, text) for (number, _), text in zip(kept, body, strict=True))
        while block and not block[0][1].strip():
            block = block[1:]
        while block and not block[-1][1].strip():
            block = block[:-1]
        if block and block[0][1].lstrip().startswith("%"):
            block = ((block[0][0], block[0][1].lstrip()),) + block[1:]
        out.append(Statement(numbers[i], keyword.upper(), "", block))
        i = j
    return out


def _read_lines(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise DatafileError(f"{path}: cannot read the file: {error}") from error


def _included_lines(path: Path, line: int, args: str) -> list[str]:
    """The lines an `INCLUDE "file" [key=value ...]` stands for."""
    import shlex
    from string import Template

    try:
        words = shlex.split(args)
    except ValueError as error:
        raise DatafileError(f"{path}:{line}: INCLUDE {args}: {error}") from error
    if not words:
        raise DatafileError(f"{path}:{line}: INCLUDE without a file; expected INCLUDE \"path/to/file.incl\"")
    attrs = {}
    for word in words[1:]:
        key, eq, value = word.partition("=")
        if not eq:
            raise DatafileError(f"{path}:{line}: INCLUDE argument {word!r}; expected key=value")
        attrs[key] = value
    target = path.parent / words[0]
    if not target.is_file():
        raise DatafileError(f"{path}:{line}: INCLUDE {words[0]!r}: no such file {target}")
    text = "\n".join(_read_lines(target))
    return [""] + Template(text).safe_substitute(attrs).split("\n")


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def read_datasource(path: Path, ds_name: str = "") -> Datasource:
    """`ds_name`: the datasource's name (default the file stem; `workspace.stem` for a vendored one)."""
    description, columns, schema_line = "", None, 0
    engine, engine_line, args, indexes = "MergeTree", 0, {}, []
    kafka = False
    for st in _statements(path, DATASOURCE_KEYWORDS):
        kafka = kafka or st.keyword.startswith("KAFKA_")
        if st.keyword == "DESCRIPTION":
            description = st.text or st.value
        elif st.keyword == "SCHEMA":
            columns, schema_line = parse_schema(path, st.block), st.line
        elif st.keyword == "INDEXES":
            # Tinybird accepts each line with or without a leading INDEX word; the DDL adds its own.
            indexes = [re.sub(r"(?i)^INDEX\s+", "", text.strip().rstrip(",")) for _, text in st.block if text.strip()]
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
    return Datasource(ds_name or path.stem, description, columns, engine, engine_args, tuple(indexes), path, kafka)


def _engine_arg_names() -> list[str]:
    return list(dict.fromkeys([p for params in ENGINES.values() for p in params] + list(ENGINE_OPTIONS)))


def _check_engine(path: Path | str | None, engine: str, line: int, args: dict[str, tuple[str, int]], columns: set[str],
                  schema_line: int) -> str:
    canonical = {name.lower(): name for name in ENGINES}.get(engine.lower())
    if canonical is None:
        raise DatafileError(f"{path}:{line}: ENGINE {engine!r} is not supported; expected one of {', '.join(ENGINES)}")
    for name, (value, arg_line) in args.items():
        if name in ENGINE_OPTIONS:
            continue
        if name not in ENGINES[canonical]:
            raise DatafileError(f"{path}:{arg_line}: ENGINE_{name.upper()} does not apply to {canonical}")
        allowed = {"join_strictness": JOIN_STRICTNESS, "join_type": JOIN_TYPES}.get(name)
        if allowed and value.upper() not in allowed:
            raise DatafileError(f"{path}:{arg_line}: ENGINE_{name.upper()} {value!r}; expected one of {', '.join(allowed)}")
        if name not in COLUMN_PARAMS:
            continue
        for column in (c.strip() for c in value.split(",")):
            if column not in columns:
                raise DatafileError(f"{path}:{arg_line}: ENGINE_{name.upper()} names '{column}', which is not a"
                                    f" column of the SCHEMA (line {schema_line})")
    if canonical == "Join":
        for name, (_, arg_line) in args.items():
            if name in ENGINE_OPTIONS and name != "settings":
                raise DatafileError(f"{path}:{arg_line}: ENGINE_{name.upper()} does not apply to the Join engine"
                                    " (it has no keys, partitions or TTL); expected ENGINE_SETTINGS at most")
    for name in REQUIRED_PARAMS.get(canonical, ()):
        if name not in args:
            raise DatafileError(f"{path}:{line}: ENGINE {canonical} needs ENGINE_{name.upper()}")
    if canonical in NEEDS_SORTING_KEY and args.get("sorting_key", ("tuple()", 0))[0] in ("", "tuple()"):
        raise DatafileError(f"{path}:{line}: ENGINE {canonical} needs an ENGINE_SORTING_KEY other than tuple()")
    return canonical


def read_pipe(path: Path, folders: tuple[str, ...] | str = ()) -> Pipe:
    if isinstance(folders, str):  # the top-level folder only (older callers)
        folders = (folders,) if folders else ()
    description = ""
    nodes: list[dict] = []
    type_lines: dict[str, int] = {}  # node name -> line of its TYPE
    for st in _statements(path, PIPE_KEYWORDS):
        node: dict = nodes[-1] if nodes else {}  # the node being read ({}: none yet, refused below where one is needed)
        if st.keyword == "DESCRIPTION":
            if not nodes:
                description = st.text or st.value
        elif st.keyword == "NODE":
            if not st.value:
                raise DatafileError(f"{path}:{st.line}: NODE without a name; expected `NODE <name>`")
            nodes.append({"name": _unquote(st.value), "line": st.line, "sql": None, "type": "", "datasource": "",
                          "target_datasource": "", "copy_mode": "append", "engine": {}})
        elif not nodes and (st.keyword in PIPE_NODE_KEYWORDS or st.keyword.startswith("ENGINE")):
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
        elif st.keyword == "TARGET_DATASOURCE":
            node["target_datasource"] = _unquote(st.value)
        elif st.keyword in ("COPY_MODE", "MODE"):
            mode = _unquote(st.value).lower()
            if mode not in ("append", "replace"):
                raise DatafileError(f"{path}:{st.line}: {st.keyword} {st.value!r} is unknown; expected append or replace")
            node["copy_mode"] = mode
        elif st.keyword == "ENGINE" or st.keyword.startswith("ENGINE_"):
            node["engine"][st.keyword] = (_unquote(st.value), st.line)
        elif st.keyword in IGNORED_PIPE or st.keyword.startswith(IGNORED_PIPE_PREFIXES):
            continue
        else:
            raise DatafileError(f"{path}:{st.line}: unsupported keyword {st.keyword} in a .pipe; expected one of"
                                " DESCRIPTION, NODE, SQL, TYPE, DATASOURCE, TARGET_DATASOURCE, COPY_MODE, TOKEN, TAGS")
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
        if n["type"] == "copy" and not n["target_datasource"]:
            raise DatafileError(f"{path}:{n['line']}: copy node '{n['name']}' has no TARGET_DATASOURCE;"
                                " expected `TARGET_DATASOURCE <target datasource>`")
    built = tuple(Node(n["name"], n["sql"], n["type"], n["datasource"], n["line"], n["target_datasource"],
                       n["copy_mode"], tuple((k, v, line) for k, (v, line) in n["engine"].items())) for n in nodes)
    return Pipe(path.stem, description, built, path, folders)


def target_from_pipe(pipe: Pipe, columns: list[tuple[str, str]]) -> Datasource:
    """The target of a classic materialized pipe that has no .datasource: the node's result columns (name, type),
    each read from `$.<name>` by the Events API, with the node's ENGINE / ENGINE_* settings (checked as a
    .datasource's; errors name the pipe's lines)."""
    node, path = pipe.output, pipe.path
    engine, engine_line, args = "MergeTree", node.line, {}
    for keyword, value, line in node.engine:
        if keyword == "ENGINE":
            engine, engine_line = value, line
        else:
            name = keyword[len("ENGINE_"):].lower()
            if name not in ENGINE_OPTIONS and not any(name in params for params in ENGINES.values()):
                raise DatafileError(f"{path}:{line}: unknown {keyword}; expected one of "
                                    + ", ".join(f"ENGINE_{n.upper()}" for n in _engine_arg_names()))
            args[name] = (value, line)
    built = tuple(Column(name, type_, f"$.{name}", line=node.line) for name, type_ in columns)
    engine = _check_engine(path, engine, engine_line, args, {c.name for c in built}, node.line)
    order = ENGINES[engine] + ENGINE_OPTIONS
    engine_args = tuple((name, args[name][0]) for name in order if name in args)
    return Datasource(node.datasource, f"created from {pipe.name}", built, engine, engine_args, (), path)


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


def vendored_datasources(folder: Path) -> list[tuple[str, Path]]:
    """`vendor/<workspace>/datasources/<ds>.datasource`: the datasource `<workspace>.<ds>` shared by another
    workspace (a table `<ds>` in the database `<workspace>`; pipes read it as `FROM <workspace>.<ds>`)."""
    vendor = folder / "vendor"
    if not vendor.is_dir():
        return []
    found = []
    for workspace in sorted(p for p in vendor.iterdir() if p.is_dir() and not p.name.startswith(".")):
        for path in sorted((workspace / "datasources").glob("*.datasource")):
            found.append((f"{workspace.name}.{path.stem}", path))
    return found


def read_project(folder: Path) -> Project:
    if not folder.is_dir():
        raise DatafileError(f"project folder {folder} does not exist")
    datasource_files, pipe_files = project_files(folder)
    if not datasource_files and not vendored_datasources(folder):
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
    for name, path in vendored_datasources(folder):
        claim(name, path)
        datasources[name] = read_datasource(path, name)
    pipes: dict[str, Pipe] = {}
    for path in pipe_files:
        claim(path.stem, path)
        pipes[path.stem] = read_pipe(path, path.relative_to(folder).parts[:-1])
    for pipe in pipes.values():
        node = pipe.output
        if pipe.kind == "materialized" and node.datasource not in datasources and not node.engine:
            raise DatafileError(f"{pipe.path}:{node.line}: materialized node '{node.name}' writes to"
                                f" '{node.datasource}', which is not a .datasource of the project (nor does the"
                                " node give ENGINE settings to create it from)")
        if pipe.kind == "copy" and node.target_datasource not in datasources:
            raise DatafileError(f"{pipe.path}:{node.line}: copy node '{node.name}' writes to"
                                f" '{node.target_datasource}', which is not a .datasource of the project")
    return Project(folder, datasources, pipes)
