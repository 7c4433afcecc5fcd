"""Where each node's SQL sits in a `.pipe` file, so a change to the SQL becomes a change to the file.

The blocks are cut by the project reader itself (datafiles.py's `pipe_statements`, Tinybird's rule: a `SQL >`
block ends only at a column-0 line whose first word is a pipe keyword; `%` or SQL at column 0 belongs to it),
which dedents them; this module keeps, for every line of that dedented SQL, the file line it came from and
where its text starts in the file, and maps offsets back.
"""

from __future__ import annotations

from dataclasses import dataclass

from localtarget import DatafileError, Pipe, pipe_statements


@dataclass(frozen=True)
class NodeSource:
    """One node's SQL as the reader sees it (`sql`) and, per SQL line, the file offset of its first character
    (after the removed indentation) and its 1-based file line."""
    name: str
    sql: str
    line_offsets: tuple[int, ...]  # file offset where each dedented SQL line starts
    line_numbers: tuple[int, ...]  # 1-based file line of each SQL line (comment-only lines are not SQL lines)

    @property
    def first_line(self) -> int:
        return self.line_numbers[0]

    def file_offset(self, sql_offset: int) -> int:
        line = self.sql.count("\n", 0, sql_offset)
        line_start = self.sql.rfind("\n", 0, sql_offset) + 1
        return self.line_offsets[line] + (sql_offset - line_start)

    def file_line(self, sql_offset: int) -> int:
        return self.line_numbers[self.sql.count("\n", 0, sql_offset)]


def node_sources(pipe: Pipe, text: str) -> list[NodeSource]:
    """The SQL block of every node of `pipe` (read from `text`, the file's content), in node order."""
    assert pipe.path is not None
    raw = text.splitlines(keepends=True)  # numbered as the reader numbers them
    starts = [0]
    for line in raw:
        starts.append(starts[-1] + len(line))
    raw = [line.splitlines()[0] if line.splitlines() else "" for line in raw]
    blocks: list = []  # per node, the last `SQL >` block after its NODE line (as the reader keeps it)
    for st in pipe_statements(pipe.path, text):
        if st.keyword == "NODE":
            blocks.append(None)
        elif st.keyword == "SQL" and blocks:
            blocks[-1] = st
    if len(blocks) != len(pipe.nodes):
        raise DatafileError(f"{pipe.path}: found {len(blocks)} nodes in the file, the pipe has {len(pipe.nodes)}")
    sources = []
    for node, st in zip(pipe.nodes, blocks, strict=True):
        if st is None or not st.block:
            raise DatafileError(f"{pipe.path}:{node.line}: cannot locate the SQL of node '{node.name}' in the file")
        numbers = tuple(number for number, _ in st.block)
        offsets = []
        for number, line in st.block:
            whole = raw[number - 1]
            if not whole.endswith(line) or numbers.count(number) > 1:  # an INCLUDEd line: not in this file
                raise DatafileError(f"{pipe.path}:{number}: cannot locate the SQL of node '{node.name}' in the"
                                    " file (included from another file?)")
            offsets.append(starts[number - 1] + len(whole) - len(line))
        source = NodeSource(node.name, "\n".join(line for _, line in st.block), tuple(offsets), numbers)
        if source.sql.strip("\n") != node.sql:
            raise DatafileError(f"{pipe.path}:{node.line}: cannot locate the SQL of node '{node.name}' in the file")
        sources.append(source)
    return sources


def apply(text: str, source: NodeSource, start: int, end: int, replacement: str) -> str:
    """`text` with the node SQL's `start:end` replaced (replacements are single-line)."""
    file_start, file_end = source.file_offset(start), source.file_offset(end)
    return text[:file_start] + replacement + text[file_end:]
