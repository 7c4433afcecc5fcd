"""Hold Starling's two datafile readers to Tinybird's own parser.

    scripts/ci/conformance DIR [--starling BIN]

Every `.datasource` and `.pipe` under DIR (hidden folders, fixtures/, tests/ and node_modules/ skipped; a
`vendor/<ws>/datasources/<ds>.datasource` is named `<ws>.<ds>`) is read three ways:

  tinybird  `tinybird.datafile.parse_datasource` / `parse_pipe` (the pinned `tinybird` package, Tinybird Forward)
  python    the local target's reader, `scripts/local-target/datafiles.py` (`read_project`)
  swift     Starling's reader, `BIN inspect --project DIR` (JSON); skipped, with a note, when the verb is missing

and each is normalised to one shape (see `_empty_*`). Fields are compared one by one; a reader that does not
model a field leaves it out and is not compared on it (listed in NOT_MODELLED and in docs/datafile-features.md).
One line per disagreement, `file: field: tinybird=... python=... swift=...`, then `N files, M disagreements`.
Exit 0 when none, 1 otherwise, 2 when Tinybird itself rejects a file (printed, not counted).

Two classic-CLI features the pinned Tinybird Forward parser refuses are bridged before its parser sees the file,
the way the classic CLI does it (the Starling readers see the file as written):
  * `INCLUDE "file.incl" "VAR=value" ...` (Forward: "INCLUDE is not supported yet"): the line is replaced by the
    included file (relative to the including file) with `$VAR` / `${VAR}` substituted (string.Template).
  * ENGINE / ENGINE_* lines in a .pipe (classic materialized pipes could create their target; Forward: "ENGINE
    is not a valid option in pipe files"): dropped. No reader models an engine on a pipe, so nothing is compared.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from io import StringIO
from pathlib import Path
from string import Template
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
TARGET = ROOT / "scripts" / "local-target"

SKIPPED = {"fixtures", "tests", "node_modules", "__pycache__"}
NOT_ENDPOINT_FOLDERS = {"materializations", "copies", "sinks"}
READERS = ("tinybird", "python", "swift")

# What a reader does not model, so it is not compared there (the field is simply absent from its shape):
#   python: template parameter names (the local target renders the SQL it is given and reads no parameter list);
#           a column's CODEC is read but Tinybird keeps it in a field of its own, not compared by anyone.
#   swift:  INDEXES (not printed by `inspect`).
#   all:    TOKEN, TAGS, KAFKA_* / IMPORT_* connector settings, FORWARD_QUERY, SHARED_WITH, node DESCRIPTION,
#           COPY_SCHEDULE / COPY_MODE, EXPORT_*: accepted by the readers (or not) but not part of the shape.
NOT_MODELLED = {"python": {"params"}, "swift": {"indexes"}}


# ---------------------------------------------------------------------------------------------------------- files

def project_files(folder: Path) -> list[tuple[str, str, Path]]:
    """(kind, name, path) of every datafile under `folder`, in path order."""
    out = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in SKIPPED)
        for name in sorted(files):
            path = Path(root) / name
            parts = path.relative_to(folder).parts
            if name.endswith(".datasource"):
                if "vendor" in parts:
                    i = parts.index("vendor")
                    if parts[i + 2:i + 3] != ("datasources",) or len(parts) != i + 4:
                        continue  # only vendor/<ws>/datasources/<ds>.datasource is a shared datasource
                    out.append(("datasource", f"{parts[i + 1]}.{path.stem}", path))
                else:
                    out.append(("datasource", path.stem, path))
            elif name.endswith(".pipe") and "vendor" not in parts:
                out.append(("pipe", path.stem, path))
    return out


def is_endpoint(nodes: list[dict], relative: Path) -> bool:
    """The rule both Starling readers use: the published node has TYPE endpoint, or no node has a TYPE at all and
    the file is not under materializations/, copies/ or sinks/."""
    types = [n["type"] for n in nodes]
    if "endpoint" in types:
        return True
    return not any(types) and not NOT_ENDPOINT_FOLDERS & set(relative.parts[:-1])


def ws(text: str | None) -> str:
    return " ".join((text or "").split())


def index_line(text: str) -> str:
    """Tinybird's `name expr TYPE t GRANULARITY n` (its `[INDEX]` word dropped), whitespace-normalised."""
    return ws(text).rstrip(",").strip()


# ------------------------------------------------------------------------------------------------------- tinybird

_INCLUDE = re.compile(r"^INCLUDE\s", re.IGNORECASE)
_PIPE_ENGINE = re.compile(r"^ENGINE(_[A-Z_]+)?\s", re.IGNORECASE)


def classic_bridge(path: Path, text: str, kind: str, depth: int = 0) -> str:
    """The file as the classic CLI saw it: INCLUDEs expanded, ENGINE lines of a pipe dropped (see the docstring)."""
    import shlex

    out = []
    for line in StringIO(text, newline=None):
        if _INCLUDE.match(line) and depth < 10:
            args = shlex.split(line)[1:]
            included = path.parent / args[0]
            attrs = dict(a.split("=", 1) for a in args[1:])
            body = Template(included.read_text(encoding="utf-8")).safe_substitute(attrs)
            out.append(classic_bridge(included, body, kind, depth + 1))
            if not out[-1].endswith("\n"):
                out.append("\n")
        elif kind == "pipe" and _PIPE_ENGINE.match(line):
            out.append("\n")  # keep the line numbers of Tinybird's errors
        else:
            out.append(line)
    return "".join(out)


def tinybird_datasource(path: Path) -> dict[str, Any]:
    from tinybird.datafile.parse_datasource import parse_datasource

    text = classic_bridge(path, path.read_text(encoding="utf-8"), "datasource")
    # ignore_secrets: a `{{ tb_secret("name") }}` setting stays as written (no workspace secrets here)
    doc = parse_datasource(str(path), content=text, skip_eval=True, ignore_secrets=True).datafile
    node = doc.nodes[0]
    columns = []
    for c in node["columns"]:
        default = c.get("default_value")
        if default and default.upper().startswith("DEFAULT "):
            default = default[len("DEFAULT "):].strip()
        columns.append({"name": c["name"], "type": f"Nullable({c['type']})" if c.get("nullable") else c["type"],
                        "jsonpath": c.get("jsonpath") or f"$.{c['name']}", "default": default or None})
    engine = node.get("engine") or {"type": "MergeTree", "args": []}
    settings = {f"ENGINE_{k.upper()}": str(v) for k, v in engine["args"]}
    return {"description": ws(doc.description), "columns": columns,
            "engine": {"type": engine["type"] or "MergeTree", "settings": settings},
            "indexes": [index_line(i.to_datafile()) for i in node.get("indexes", [])]}


def template_params(sql: str, node: str) -> set[str]:
    """The request parameters a `%` node reads: the typed ones Tinybird's API lists (`get_var_names_and_types`)
    and the bare `{{ x }}` ones (`get_var_names`, less the template's own functions and builtins)."""
    from tinybird import sql_template as st

    if not sql.strip().startswith("%"):
        return set()
    template, variables, _ = st.get_template_and_variables(sql.strip()[1:], name=node)
    # the functions Template.generate puts in the namespace besides these tables (sql_template.py, `generate`)
    generate_functions = {"max_threads", "tb_secret", "tb_var", "backend_hint", "cache_ttl", "activate", "disable"}
    functions = (set(st._namespace) | st.reserved_vars | set(st.type_fns) | set(st.function_list)
                 | generate_functions)
    return ({v["name"] for v in st.get_var_names_and_types(template, node)}
            | {v["name"] for v in variables if v["name"] not in functions})


def tinybird_pipe(path: Path, relative: Path) -> dict[str, Any]:
    from tinybird.datafile.parse_pipe import parse_pipe

    text = classic_bridge(path, path.read_text(encoding="utf-8"), "pipe")
    doc = parse_pipe(str(path), content=text, skip_eval=True, ignore_secrets=True).datafile
    nodes, params = [], set()
    for n in doc.nodes:
        nodes.append({"name": n["name"], "sql": n.get("sql", ""), "type": (n.get("type") or "").lower(),
                      "datasource": n.get("datasource") or n.get("target_datasource") or ""})
        params |= template_params(n.get("sql", ""), n["name"])
    return {"description": ws(doc.description), "nodes": nodes, "endpoint": is_endpoint(nodes, relative),
            "params": sorted(params)}


# --------------------------------------------------------------------------------------------------------- python

def _python_datasource(ds: Any) -> dict[str, Any]:
    return {"description": ws(ds.description),
            "columns": [{"name": c.name, "type": c.type, "jsonpath": c.json_path, "default": c.default}
                        for c in ds.columns],
            "engine": {"type": ds.engine, "settings": {f"ENGINE_{k.upper()}": v for k, v in ds.engine_args}},
            # kept as the reader stores it: its DDL writes `INDEX <this>`, so a leading INDEX word is a bug there
            "indexes": [ws(i).rstrip(",").strip() for i in getattr(ds, "indexes", ())]}


def _python_pipe(pipe: Any) -> dict[str, Any]:
    return {"description": ws(pipe.description),
            # DATASOURCE of a materialized node, TARGET_DATASOURCE of a copy node (one field, as for Tinybird)
            "nodes": [{"name": n.name, "sql": n.sql, "type": n.type,
                       "datasource": n.datasource or getattr(n, "target_datasource", "")} for n in pipe.nodes],
            "endpoint": bool(pipe.is_endpoint)}


def python_project(folder: Path, files: list[tuple[str, str, Path]]) -> tuple[dict, str | None, dict[Path, str]]:
    """({path: shape}, project-level error, {path: error}). The project is read whole with `read_project`; when
    that fails, each file is read on its own so one refused file does not hide the others."""
    if str(TARGET) not in sys.path:
        sys.path.insert(0, str(TARGET))
    import datafiles  # noqa: E402

    shapes: dict[Path, dict] = {}
    errors: dict[Path, str] = {}
    try:
        project = datafiles.read_project(folder)
    except Exception as error:  # noqa: BLE001 - any failure is reported, not raised
        project_error = one_line(error)
    else:
        for kind, name, path in files:
            found = (project.datasources if kind == "datasource" else project.pipes).get(name)
            if found is None:
                errors[path] = f"no {kind} named {name!r}"
            else:
                shapes[path] = _python_datasource(found) if kind == "datasource" else _python_pipe(found)
        return shapes, None, errors
    for kind, name, path in files:
        try:
            if kind == "datasource":
                try:
                    ds = datafiles.read_datasource(path, name)  # the name argument: vendored `<ws>.<ds>`
                except TypeError:
                    ds = datafiles.read_datasource(path)
                shapes[path] = _python_datasource(ds)
            else:
                relative = path.relative_to(folder).parts
                shapes[path] = _python_pipe(datafiles.read_pipe(path, relative[0] if len(relative) > 1 else ""))
        except Exception as error:  # noqa: BLE001
            errors[path] = one_line(error)
    return shapes, project_error, errors


# ---------------------------------------------------------------------------------------------------------- swift

def swift_project(folder: Path, binary: Path) -> tuple[dict[Path, dict] | None, str | None, bool]:
    """({path: shape} or None, error, counts): `counts` is False when `inspect` is unavailable (a missing binary
    or verb is a note, not a disagreement) and True when the reader refused the project."""
    if not binary.exists():
        return None, f"{binary} does not exist (build it with `swift build -c release`)", False
    try:
        run = subprocess.run([str(binary), "inspect", "--project", str(folder)], capture_output=True, text=True,
                             timeout=120)
    except (OSError, subprocess.TimeoutExpired) as error:
        return None, f"`{binary} inspect` did not run: {one_line(error)}", False
    output = (run.stderr or "") + (run.stdout or "")
    if run.returncode != 0 or not run.stdout.strip().startswith("{"):
        missing = "unknown command" in output  # a binary built before the verb existed
        reason = one_line(output.strip() or f"exit {run.returncode}")
        return None, reason, not missing
    try:
        data = json.loads(run.stdout)
    except json.JSONDecodeError as error:
        return None, f"`inspect` printed invalid JSON: {error}", True
    shapes: dict[Path, dict] = {}
    for ds in data.get("datasources", []):
        engine = ds.get("engine") or {}
        shapes[folder / ds["path"]] = {
            "description": ws(ds.get("description")),
            "columns": [{"name": c.get("name"), "type": c.get("type"), "jsonpath": c.get("jsonpath"),
                         "default": c.get("default")} for c in ds.get("columns", [])],
            "engine": {"type": engine.get("type"), "settings": dict(engine.get("settings") or {})}}
    for pipe in data.get("pipes", []):
        shapes[folder / pipe["path"]] = {
            "description": ws(pipe.get("description")),
            "nodes": [{"name": n.get("name"), "sql": n.get("sql"), "type": (n.get("type") or "").lower(),
                       "datasource": n.get("datasource") or ""} for n in pipe.get("nodes", [])],
            "endpoint": bool(pipe.get("endpoint")), "params": sorted(pipe.get("params") or [])}
    return shapes, None, True


# -------------------------------------------------------------------------------------------------------- compare

def one_line(value: Any, limit: int = 300) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _fields(kind: str, shape: dict) -> dict[str, Any]:
    """Flatten a shape into (field name -> comparable value)."""
    out: dict[str, Any] = {}
    if "description" in shape:
        out["description"] = shape["description"]
    if kind == "datasource":
        columns = shape["columns"]
        out["columns"] = [c["name"] for c in columns]
        for c in columns:
            out[f"column {c['name']}: type"] = ws(c["type"])
            out[f"column {c['name']}: jsonpath"] = c["jsonpath"]
            out[f"column {c['name']}: default"] = None if c["default"] is None else ws(c["default"])
        engine = shape["engine"]
        out["engine type"] = (engine["type"] or "").lower()  # ClickHouse engine names, as Tinybird folds them
        for key, value in engine["settings"].items():
            out[f"engine {key}"] = ws(value)
        out["engine settings"] = sorted(engine["settings"])
        if "indexes" in shape:
            out["indexes"] = shape["indexes"]
    else:
        nodes = shape["nodes"]
        out["nodes"] = [n["name"] for n in nodes]
        for n in nodes:
            out[f"node {n['name']}: sql"] = ws(n["sql"])
            out[f"node {n['name']}: type"] = n["type"]
            out[f"node {n['name']}: datasource"] = n["datasource"]
        out["endpoint"] = shape["endpoint"]
        if "params" in shape:
            out["params"] = shape["params"]
    return out


def show(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, str):
        return json.dumps(value) if value == "" or value != value.strip() or len(value.split()) > 1 else value
    return json.dumps(value)


def compare(kind: str, shapes: dict[str, dict | None], errors: dict[str, str]) -> list[tuple[str, dict[str, str]]]:
    """[(field, {reader: shown value})] for every field on which the readers that model it disagree."""
    out = []
    readers = [r for r in READERS if r in shapes or r in errors]
    refused = {r: errors[r] for r in readers if r in errors}
    if refused:
        out.append(("read", {r: (f"refused: {refused[r]}" if r in refused else "ok") for r in readers}))
    fields = {r: _fields(kind, shape) for r in readers if (shape := shapes.get(r)) is not None}
    if "tinybird" not in fields:
        return out
    names = list(fields["tinybird"])
    for f in fields.values():
        names += [n for n in f if n not in names]
    for name in names:
        per_item = name.startswith(("column ", "node "))  # compared among the readers that have that item
        values = {}
        for r, f in fields.items():
            if name in NOT_MODELLED.get(r, ()) or per_item and name not in f:
                continue
            values[r] = show(f[name]) if name in f else "<absent>"
        if len(set(values.values())) > 1:
            out.append((name, values))
    return out


def run(folder: Path, binary: Path | None, out=sys.stdout, err=sys.stderr,
        readers: tuple[str, ...] = ("python", "swift")) -> int:
    """Compare Tinybird with `readers` (a subset of python, swift; swift also needs `binary`); the exit code."""
    folder = folder.resolve()
    files = project_files(folder)
    tinybird: dict[Path, dict] = {}
    rejected: list[Path] = []
    for kind, _name, path in files:
        relative = path.relative_to(folder)
        try:
            tinybird[path] = tinybird_datasource(path) if kind == "datasource" else tinybird_pipe(path, relative)
        except BaseException as error:  # noqa: BLE001 - click raises SystemExit-free exceptions; keep going
            if isinstance(error, KeyboardInterrupt):
                raise
            rejected.append(path)
            message = getattr(error, "message", None) or str(error)
            print(f"{relative}: rejected by tinybird: {one_line(message)}", file=out)
    python: dict = {}
    python_project_error: str | None = None
    python_errors: dict[Path, str] = {}
    if "python" in readers:
        python, python_project_error, python_errors = python_project(folder, files)
    prefix = f"{folder}{os.sep}"  # readers' messages name files by absolute path: keep them short
    python_errors = {p: e.replace(prefix, "") for p, e in python_errors.items()}
    python_project_error = python_project_error and python_project_error.replace(prefix, "")
    swift: dict[Path, dict] | None = None
    swift_error: str | None = "not asked for"
    swift_counts = False
    if "swift" in readers and binary is not None:
        swift, swift_error, swift_counts = swift_project(folder, binary)
    disagreements = 0
    if "swift" not in readers or binary is None:
        pass
    elif swift is None and not swift_counts:
        print(f"note: swift not compared: {swift_error}", file=err)
    elif swift is None:
        print(f"{folder.name}/: read: tinybird=ok swift=refused: {swift_error}", file=out)
        disagreements += 1
    if python_project_error and not python_errors:
        print(f"{folder.name}/: read: tinybird=ok python=refused: {python_project_error}", file=out)
        disagreements += 1
    for kind, _name, path in files:
        if path not in tinybird:
            continue
        relative = path.relative_to(folder)
        shapes: dict[str, dict | None] = {"tinybird": tinybird[path]}
        errors = {}
        if "python" in readers:
            shapes["python"] = python.get(path)
        if path in python_errors:
            errors["python"] = python_errors[path]
        if swift is not None:
            shapes["swift"] = swift.get(path)
            if path not in swift:
                errors["swift"] = "not in `inspect` output"
        for field, values in compare(kind, shapes, errors):
            disagreements += 1
            print(f"{relative}: {field}: " + " ".join(f"{r}={v}" for r, v in values.items()), file=out)
    counted = len(files) - len(rejected)
    print(f"{counted} files, {disagreements} disagreements"
          + (f" ({len(rejected)} rejected by tinybird, not counted)" if rejected else ""), file=out)
    if rejected:
        return 2
    return 1 if disagreements else 0


def main(argv: list[str] | None = None) -> int:
    global TARGET
    parser = argparse.ArgumentParser(prog="scripts/ci/conformance", description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path, help="a Tinybird project folder")
    parser.add_argument("--starling", type=Path, default=ROOT / ".build" / "release" / "starling",
                        help="the starling binary whose `inspect` verb is compared (default: %(default)s)")
    parser.add_argument("--local-target", type=Path, default=TARGET,
                        help="the folder whose datafiles.py is the Python reader (default: %(default)s)")
    args = parser.parse_args(argv)
    TARGET = args.local_target.resolve()
    if not args.folder.is_dir():
        print(f"conformance: {args.folder} is not a folder", file=sys.stderr)
        return 2
    return run(args.folder, args.starling)


if __name__ == "__main__":
    sys.exit(main())
