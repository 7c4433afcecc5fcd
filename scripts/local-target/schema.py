"""The SCHEMA block of a `.datasource`: one column per comma-separated entry.

    `name` Type [DEFAULT expr] [CODEC(...)] [`json:$.path`]      (DEFAULT, CODEC and the path in any order)

`-- comments` run to the end of the line. What Tinybird's parser refuses is refused here too (MATERIALIZED,
ALIAS, TTL and NULL / NOT NULL after the type). Errors name the file and the line of the column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from chtypes import COMMENT, TypeExpr, UnclosedQuote, char_depths
from jsonpath import JsonPath


class DatafileError(ValueError):
    """A datafile that this reader cannot understand; the message is one line naming file and line."""


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # as written, e.g. "LowCardinality(Nullable(String))"
    json_path: str  # e.g. "$.location.country"; `$.<name>` when the schema gives none
    default: str | None = None  # the DEFAULT expression
    codec: str | None = None  # the CODEC arguments, e.g. "(ZSTD(1))"
    line: int = 0

    @cached_property
    def path(self) -> JsonPath:
        return JsonPath.parse(self.json_path)


_NAME = re.compile(r"`((?:[^`\\]|\\.)+)`|([^\s`,]+)")
_CLAUSE = re.compile(r"(DEFAULT|CODEC|MATERIALIZED|ALIAS|TTL|NOT\s+NULL|NULL)(?![A-Za-z0-9_])|`json:", re.IGNORECASE)
_SYNTAX = "`name` Type [DEFAULT expr] [CODEC(...)] [`json:$.path`]"


def parse_schema(path: Path, block: tuple[tuple[int, str], ...]) -> tuple[Column, ...]:
    columns = [_parse_column(path, line, text) for line, text in _entries(path, block)]
    if not columns:
        line = block[0][0] if block else 0
        raise DatafileError(f"{path}:{line}: SCHEMA has no columns; expected lines like {_SYNTAX}")
    seen: dict[str, int] = {}
    for column in columns:
        if column.name in seen:
            raise DatafileError(f"{path}:{column.line}: column '{column.name}' is already defined"
                                f" on line {seen[column.name]}")
        seen[column.name] = column.line
    return tuple(columns)


def _entries(path: Path, block: tuple[tuple[int, str], ...]) -> list[tuple[int, str]]:
    """Split the block at top-level commas, without comments; each entry with the line it starts on."""
    text = "\n".join(line_text for _, line_text in block)
    line_at = [number for number, line_text in block for _ in range(len(line_text) + 1)]  # offset -> line
    try:
        depths = char_depths(text, comments=True)
    except UnclosedQuote as error:
        raise DatafileError(f"{path}:{line_at[error.offset]}: unclosed {error.quote} in SCHEMA;"
                            " expected the quote closed") from error
    code = "".join(" " if d == COMMENT else ch for ch, d in zip(text, depths, strict=True))
    cuts = [i for i, ch in enumerate(code) if ch == "," and depths[i] == 0]
    entries = []
    for start, end in zip([-1] + cuts, cuts + [len(code)], strict=True):
        piece = code[start + 1:end]
        offset = start + 1 + len(piece) - len(piece.lstrip())
        entries.append((line_at[min(offset, len(line_at) - 1)], piece.strip()))
    if entries and not entries[-1][1]:
        entries.pop()  # nothing after the last comma
    opens = sum(1 for ch, d in zip(code, depths, strict=True) if d >= 0 and ch in "([")
    closes = sum(1 for ch, d in zip(code, depths, strict=True) if d >= 0 and ch in ")]")
    if opens != closes:
        raise DatafileError(f"{path}:{entries[-1][0] if entries else block[-1][0]}: unbalanced parentheses in SCHEMA")
    empty = [line for line, piece in entries if not piece]
    if empty:
        raise DatafileError(f"{path}:{empty[0]}: empty column in SCHEMA (two commas in a row?); expected {_SYNTAX}")
    return entries


def _parse_column(path: Path, line: int, text: str) -> Column:
    match = _NAME.match(text)
    if not match:
        raise DatafileError(f"{path}:{line}: cannot read a column name in {_one_line(text)!r}; expected {_SYNTAX}")
    name = match.group(1) if match.group(1) is not None else match.group(2)
    rest = text[match.end():]
    cuts = _clause_starts(rest)
    type_text = rest[: cuts[0] if cuts else len(rest)].strip()
    if not type_text:
        raise DatafileError(f"{path}:{line}: column '{name}' has no type; expected {_SYNTAX}")
    try:
        TypeExpr.parse(type_text)
    except ValueError as error:
        raise DatafileError(f"{path}:{line}: column '{name}': {error}; expected a ClickHouse type") from error
    default = codec = json_path = None
    for i, cut in enumerate(cuts):
        clause = rest[cut: cuts[i + 1] if i + 1 < len(cuts) else len(rest)].strip()
        match = re.match(r"`json:|NOT\s+NULL|\w+", clause, re.IGNORECASE)
        if match is None:
            raise DatafileError(f"{path}:{line}: column '{name}': cannot read `{clause}`; expected DEFAULT, CODEC or `json:`")
        found = match.group(0)
        keyword, body = " ".join(found.upper().split()), clause[len(found):].strip()
        if keyword == "`JSON:":
            if not clause.endswith("`") or "`" in clause[6:-1]:
                raise DatafileError(f"{path}:{line}: column '{name}': expected `json:$.path` in backticks")
            json_path = clause[6:-1].strip()
        elif keyword == "DEFAULT" and body:
            default = body
        elif keyword == "CODEC" and body.startswith("("):
            codec = body
        elif keyword in ("DEFAULT", "CODEC"):
            raise DatafileError(f"{path}:{line}: column '{name}': {keyword} needs a value; expected {_SYNTAX}")
        else:
            raise DatafileError(f"{path}:{line}: column '{name}': {keyword} is not supported in Tinybird schemas;"
                                f" expected {_SYNTAX}")
    column = Column(name, type_text, json_path or f"$.{name}", default, codec, line)
    try:
        _ = column.path  # parsed on first use: a malformed json path is this line's error
    except ValueError as error:
        raise DatafileError(f"{path}:{line}: column '{name}': {error}") from error
    if column.path.whole_row and not re.match(r"JSON\b", type_text):
        raise DatafileError(f"{path}:{line}: column '{name}': the whole row `json:$` is only read into a JSON column"
                            f" (not {type_text}); expected `json:$.key`")
    return column


def _clause_starts(rest: str) -> list[int]:
    """Offsets in `rest` (after the name) where DEFAULT, CODEC, a `json:` path, or a refused clause starts.

    Only at parenthesis depth 0, outside quotes, at the start of a word. Inside a DEFAULT expression a bare NULL
    is part of the expression (`DEFAULT NULL`), not a clause.
    """
    depths = char_depths(rest)
    cuts: list[int] = []
    in_default, after = False, 0
    for i, depth in enumerate(depths):
        if i < after or depth != 0 or (i > 0 and (rest[i - 1].isalnum() or rest[i - 1] == "_")):
            continue
        match = _CLAUSE.match(rest, i)
        if match and not (in_default and match.group(0).upper() == "NULL"):
            cuts.append(i)
            in_default, after = match.group(0).upper() == "DEFAULT", match.end()
    return cuts


def _one_line(text: str) -> str:
    return " ".join(text.split())
