"""What a pipe reads and which parameters its templates take (name, type, default, the column it filters)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from localtarget import Pipe, Project
from sqltokens import Scan

_TEMPLATE_CALL = re.compile(r"^\{\{\s*(\w+)\(\s*(\w+)\s*(?:,(.*))?\)\s*\}\}$", re.DOTALL)
_DEFINED = re.compile(r"\bdefined\(\s*(\w+)\s*\)")
COMPARISON_OPS = {"=", "==", "!=", "<>", ">=", "<=", ">", "<"}


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str  # the template function: String, Int32, DateTime, ...
    default: str | None  # the default as written (quotes removed), None when there is none
    required: bool
    column: str | None  # the column it is compared with (`timestamp >= {{DateTime(start_date)}}`)
    op: str | None  # that comparison
    table: str | None  # the table or node the comparison's node reads (its FROM)

    @property
    def is_integer(self) -> bool:
        return re.fullmatch(r"U?Int(8|16|32|64|128|256)?", self.type) is not None


def tables_read(pipe: Pipe, project: Project) -> list[str]:
    """The datasources the pipe's nodes read (FROM / JOIN), in order of first appearance."""
    found: list[str] = []
    for node in pipe.nodes:
        scan = Scan(node.sql)
        for i, token in enumerate(scan.tokens[:-1]):
            if token.is_keyword("FROM", "JOIN") and scan[i + 1].kind in ("ident", "qident"):
                name = scan[i + 1].text.strip("`\"")
                if name in project.datasources and name not in found:
                    found.append(name)
    return found


def parameters(pipe: Pipe) -> dict[str, Parameter]:
    """Every template parameter of the pipe, by name; the first occurrence that names a column wins."""
    found: dict[str, Parameter] = {}
    for node in pipe.nodes:
        scan = Scan(node.sql)
        table = _from_table(scan)
        for i, token in enumerate(scan.tokens):
            if token.kind == "tpl_tag":
                for name in _DEFINED.findall(token.text):
                    found.setdefault(name, Parameter(name, "String", None, False, None, None, None))
            match = _TEMPLATE_CALL.match(token.text) if token.kind == "tpl_expr" else None
            if match is None or match.group(1) in ("defined", "column", "columns", "symbol"):
                continue
            kind, name, rest = match.group(1), match.group(2), match.group(3) or ""
            default, required = _default_and_required(rest)
            column = op = None
            if i >= 2 and scan[i - 1].text in COMPARISON_OPS and scan[i - 2].kind in ("ident", "qident"):
                column, op = scan[i - 2].text.strip("`\""), scan[i - 1].text
            known = found.get(name)
            if known is None or known.column is None or (known.default is None and default is not None):
                found[name] = Parameter(name, kind, default, required, column or (known.column if known else None),
                                        op or (known.op if known else None), table)
    return found


def _default_and_required(rest: str) -> tuple[str | None, bool]:
    default, required = None, False
    for part in (p.strip() for p in _split_arguments(rest)):
        if not part:
            continue
        key, eq, value = part.partition("=")
        if eq and re.fullmatch(r"\w+", key.strip()):
            if key.strip() == "required":
                required = value.strip() == "True"
            continue
        if default is None:
            default = part[1:-1] if len(part) >= 2 and part[0] == part[-1] and part[0] in "'\"" else part
    return default, required


def _split_arguments(text: str) -> list[str]:
    parts, depth, quote, current = [], 0, "", ""
    for ch in text:
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(current)
            current = ""
            continue
        current += ch
    parts.append(current)
    return parts


def _from_table(scan: Scan) -> str | None:
    for i, token in enumerate(scan.tokens[:-1]):
        if token.is_keyword("FROM") and scan[i + 1].kind in ("ident", "qident"):
            return scan[i + 1].text.strip("`\"")
    return None


def id_columns(pipe: Pipe, project: Project, node_sql: str) -> tuple[str, ...]:
    """Columns named `id` or `*_id` of the pipe's datasources, those appearing in `node_sql` first, then the rest of the
    pipe's (for count() → uniqExact(column))."""
    columns = {c.name for ds in tables_read(pipe, project) for c in project.datasources[ds].columns}
    def appearing(sql: str) -> list[str]:
        names = [t.text for t in Scan(sql).tokens
                 if t.kind == "ident" and (t.text == "id" or t.text.endswith("_id")) and t.text in columns]
        return list(dict.fromkeys(names))
    ordered = appearing(node_sql)
    for node in pipe.nodes:
        ordered += [name for name in appearing(node.sql) if name not in ordered]
    return tuple(ordered)


def literal_predicates(pipe: Pipe, project: Project, table: str) -> list[str]:
    """`column = literal` conditions of the pipe on columns of `table` (`conversion = 1`,
    `event_type = 'purchase'`), as SQL: rows they single out are worth putting a time bound on."""
    columns = {c.name for c in project.datasources[table].columns} if table in project.datasources else set()
    found: list[str] = []
    for node in pipe.nodes:
        scan = Scan(node.sql)
        for i in range(1, len(scan) - 1):
            left, op, right = scan[i - 1], scan[i], scan[i + 1]
            if op.text == "=" and left.kind == "ident" and left.text in columns and right.kind in ("string", "number") \
                    and (i < 2 or scan[i - 2].text != "."):
                found.append(f"`{left.text}` = {right.text}")
    return list(dict.fromkeys(found))
