"""Where each node's SQL sits in a `.pipe` file, so a change to the SQL becomes a change to the file.

The project reader (datafiles.py) dedents a `SQL >` block; this module keeps, for every line of that dedented
SQL, the file line it came from and how much indentation was removed, and maps offsets back.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

from localtarget import DatafileError, Pipe


@dataclass(frozen=True)
class NodeSource:
    """One node's SQL as the reader sees it (`sql`) and, per SQL line, (file offset of the line's first
    character after the removed indentation)."""
    name: str
    sql: str
    line_offsets: tuple[int, ...]  # file offset where each dedented SQL line starts
    first_line: int  # 1-based file line of the SQL's first line

    def file_offset(self, sql_offset: int) -> int:
        line = self.sql.count("\n", 0, sql_offset)
        line_start = self.sql.rfind("\n", 0, sql_offset) + 1
        return self.line_offsets[line] + (sql_offset - line_start)

    def file_line(self, sql_offset: int) -> int:
        return self.first_line + self.sql.count("\n", 0, sql_offset)


def node_sources(pipe: Pipe, text: str) -> list[NodeSource]:
    """The SQL block of every node of `pipe` (read from `text`, the file's content), in node order."""
    lines = text.split("\n")
    starts = [0]
    for line in lines[:-1]:
        starts.append(starts[-1] + len(line) + 1)
    sources = []
    for node in pipe.nodes:
        sql_line = _sql_keyword_line(lines, node.line)
        end = sql_line + 1
        while end < len(lines) and (not lines[end].strip() or lines[end][0].isspace()):
            end += 1
        block = lines[sql_line + 1:end]
        dedented = textwrap.dedent("\n".join(block)).split("\n")
        first = 0
        while first < len(dedented) and not dedented[first]:
            first += 1
        offsets = []
        for k in range(first, len(dedented)):
            raw = block[k]
            removed = len(raw) - len(dedented[k]) if dedented[k] else len(raw)
            offsets.append(starts[sql_line + 1 + k] + removed)
        source = NodeSource(node.name, "\n".join(dedented[first:]).rstrip("\n"), tuple(offsets), sql_line + 2 + first)
        if source.sql.strip("\n") != node.sql:
            raise DatafileError(f"{pipe.path}:{node.line}: cannot locate the SQL of node '{node.name}' in the file")
        sources.append(source)
    return sources


def _sql_keyword_line(lines: list[str], node_line: int) -> int:
    """0-based index of the `SQL >` line that follows the `NODE` at 1-based `node_line`."""
    for k in range(node_line, len(lines)):
        words = lines[k].split()
        if words[:2] == ["SQL", ">"] and len(words) == 2:
            return k
        if k > node_line and words[:1] == ["NODE"]:
            break
    raise DatafileError(f"node at line {node_line} has no `SQL >` block")


def apply(text: str, source: NodeSource, start: int, end: int, replacement: str) -> str:
    """`text` with the node SQL's `start:end` replaced (replacements are single-line)."""
    file_start, file_end = source.file_offset(start), source.file_offset(end)
    return text[:file_start] + replacement + text[file_end:]
