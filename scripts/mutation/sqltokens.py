"""Tokens of a pipe node's SQL, Tornado template tags included, with their offsets in the node's text.

Template expressions (`{{Int32(limit, 10)}}`) and tags (`{% if defined(x) %}`) are single tokens; the SQL
between the tags is tokenized as SQL. Comments and string literals are single tokens, so no rule ever
changes text inside them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

KEYWORDS = {
    "SELECT", "FROM", "WHERE", "GROUP", "BY", "HAVING", "ORDER", "LIMIT", "OFFSET", "SETTINGS", "UNION", "ALL",
    "AND", "OR", "NOT", "IN", "AS", "ON", "JOIN", "CROSS", "INNER", "LEFT", "RIGHT", "FULL", "OUTER", "ARRAY",
    "DISTINCT", "ASC", "DESC", "BETWEEN", "LIKE", "ILIKE", "IS", "NULL", "CASE", "WHEN", "THEN", "ELSE", "END",
    "INTERVAL", "OVER", "PARTITION", "ROWS", "RANGE", "UNBOUNDED", "PRECEDING", "FOLLOWING", "CURRENT", "ROW",
    "WITH", "FORMAT", "FINAL", "PREWHERE", "USING", "GLOBAL", "ANY", "SEMI", "ANTI", "NULLS", "FIRST", "LAST",
}
# Keywords that end a clause (WHERE, HAVING, ORDER BY...) at the clause's own parenthesis depth.
CLAUSE_STARTS = {"SELECT", "FROM", "WHERE", "PREWHERE", "GROUP", "HAVING", "ORDER", "LIMIT", "OFFSET", "SETTINGS",
                 "UNION", "FORMAT", "WINDOW", "ROWS", "RANGE", "QUALIFY"}

_TOKEN = re.compile(r"""
    (?P<ws>\s+)
  | (?P<comment>--[^\n]*|/\*.*?\*/)
  | (?P<tpl_expr>\{\{.*?\}\})
  | (?P<tpl_tag>\{%.*?%\}|\{\#.*?\#\})
  | (?P<string>'(?:[^'\\]|\\.|'')*')
  | (?P<qident>`(?:[^`\\]|\\.)*`|"(?:[^"\\]|\\.)*")
  | (?P<number>(?:0[xX][0-9a-fA-F]+|\d+(?:\.\d*)?(?:[eE][+-]?\d+)?)(?![A-Za-z_]))
  | (?P<ident>[A-Za-z_][A-Za-z_0-9]*|\d+[A-Za-z_][A-Za-z_0-9]*)
  | (?P<op>->|>=|<=|!=|<>|==|\|\||::|[-+*/%=<>(),.\[\];:?{}])
""", re.VERBOSE | re.DOTALL)


class TokenizeError(ValueError):
    """Text the tokenizer cannot read (an unclosed string, template tag or comment)."""


@dataclass(frozen=True)
class Token:
    kind: str  # ws, comment, tpl_expr, tpl_tag, string, qident, number, ident, op
    text: str
    start: int
    end: int

    @property
    def upper(self) -> str:
        return self.text.upper()

    def is_keyword(self, *words: str) -> bool:
        return self.kind == "ident" and self.upper in words

    @property
    def is_significant(self) -> bool:
        return self.kind not in ("ws", "comment")


def template_body_start(sql: str) -> int:
    """Offset where a node's SQL starts: after its first line when that line is `%` (a template)."""
    first, newline, _ = sql.partition("\n")
    return len(first) + 1 if newline and first.strip() == "%" else 0


def tokenize(sql: str, start: int = 0) -> list[Token]:
    """All tokens of `sql[start:]`, offsets relative to `sql`."""
    tokens: list[Token] = []
    pos = start
    while pos < len(sql):
        match = _TOKEN.match(sql, pos)
        if match is None:
            raise TokenizeError(f"cannot read the SQL at offset {pos}: {sql[pos:pos + 30]!r}")
        tokens.append(Token(match.lastgroup or "", match.group(), pos, match.end()))
        pos = match.end()
    return tokens


class Scan:
    """The significant tokens of one node's SQL with the structure the rules need: matching brackets,
    the template block each token is in, and clause boundaries."""

    def __init__(self, sql: str) -> None:
        self.sql = sql
        self.tokens = [t for t in tokenize(sql, template_body_start(sql)) if t.is_significant]
        self.partner: dict[int, int] = {}  # index of an opening bracket <-> index of its closing one
        self.depth: list[int] = []  # bracket depth of each token (a bracket itself is at the outer depth)
        self.block_of: list[int | None] = []  # index of the `{% if %}` tag whose block holds the token
        self.block_end: dict[int, int] = {}  # index of a `{% if %}` tag -> index of its `{% end %}`
        self._match_brackets()
        self._match_blocks()

    def __len__(self) -> int:
        return len(self.tokens)

    def __getitem__(self, index: int) -> Token:
        return self.tokens[index]

    def _match_brackets(self) -> None:
        stack: list[int] = []
        pairs = {")": "(", "]": "["}
        for i, token in enumerate(self.tokens):
            if token.kind == "op" and token.text in ")]":
                if not stack or self.tokens[stack[-1]].text != pairs[token.text]:
                    raise TokenizeError(f"unbalanced {token.text!r} at offset {token.start}")
                opening = stack.pop()
                self.partner[opening], self.partner[i] = i, opening
            self.depth.append(len(stack))
            if token.kind == "op" and token.text in "([":
                stack.append(i)
        if stack:
            raise TokenizeError(f"unclosed {self.tokens[stack[-1]].text!r} at offset {self.tokens[stack[-1]].start}")

    def _match_blocks(self) -> None:
        stack: list[int] = []  # open `{% if|for %}` tags
        for i, token in enumerate(self.tokens):
            word = tag_word(token)
            if word == "end" and stack:
                self.block_end[stack.pop()] = i
            self.block_of.append(stack[-1] if stack else None)
            if word in ("if", "for", "while", "try"):
                stack.append(i)

    def next_index(self, i: int) -> int | None:
        return i + 1 if i + 1 < len(self.tokens) else None

    def prev_index(self, i: int) -> int | None:
        return i - 1 if i > 0 else None

    def is_call(self, i: int) -> bool:
        """Token i is a function name followed by `(`."""
        j = self.next_index(i)
        return self.tokens[i].kind == "ident" and j is not None and self.tokens[j].text == "("

    def call_arguments(self, i: int) -> list[tuple[int, int]]:
        """(first, last) token indexes of each argument of the call whose name is token i."""
        opening = i + 1
        closing = self.partner[opening]
        return self.split(opening + 1, closing, ",")

    def split(self, first: int, stop: int, separator: str) -> list[tuple[int, int]]:
        """Split tokens [first, stop) at `separator` tokens of the depth of `first`; (first, last) pairs."""
        parts: list[tuple[int, int]] = []
        if first >= stop:
            return parts
        depth = self.depth[first]
        begin = first
        for k in range(first, stop):
            token = self.tokens[k]
            if self.depth[k] == depth and token.kind == "op" and token.text == separator:
                parts.append((begin, k - 1))
                begin = k + 1
        parts.append((begin, stop - 1))
        return parts

    def clause_end(self, keyword_index: int) -> int:
        """Index just past the clause starting at token `keyword_index` (WHERE, HAVING, ORDER BY...): the next
        clause keyword or closing bracket at the same depth, or the end. Template tags do not end a clause."""
        depth = self.depth[keyword_index]
        for k in range(keyword_index + 1, len(self.tokens)):
            token = self.tokens[k]
            if token.kind == "op" and token.text in ")]" and self.partner[k] < keyword_index:
                return k  # the bracket around the clause's own query closes
            if self.depth[k] == depth and token.kind == "ident" and token.upper in CLAUSE_STARTS:
                return k
        return len(self.tokens)

    def text(self, first: int, last: int) -> str:
        """The node's text from token `first` to token `last`, inclusive."""
        return self.sql[self.tokens[first].start:self.tokens[last].end]


def tag_word(token: Token) -> str:
    """The first word inside a `{% ... %}` tag (`if`, `end`, `else`...), else ''."""
    if token.kind != "tpl_tag" or not token.text.startswith("{%"):
        return ""
    words = token.text[2:-2].split()
    return words[0] if words else ""
