"""Mutation operators: each rule looks at one node's tokens and proposes single textual changes.

A rule yields `Change`s: one contiguous edit of the node's SQL (`start:end` replaced by `replacement`) and
the token range shown to a reader as before/after. Rules never touch comments, string literals or the
inside of template tags, except the default of an integer template parameter (`{{Int32(limit, 10)}}`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from sqltokens import KEYWORDS, Scan, tag_word


@dataclass(frozen=True)
class Change:
    rule: str
    start: int  # offsets in the node's SQL
    end: int
    replacement: str
    subject: tuple[int, int]  # offsets of the text shown before/after (contains start:end)
    what: str  # what the rule did, e.g. "`>=` → `>`"


@dataclass(frozen=True)
class NodeContext:
    """What some rules need beyond the tokens: columns a count() can be replaced with."""
    id_columns: tuple[str, ...] = ()


Rule = Callable[[Scan, NodeContext], Iterator[Change]]


def _change(scan: Scan, rule: str, first: int, last: int, replacement: str, subject: tuple[int, int] | None = None,
            what: str = "") -> Change:
    """Replace tokens first..last (inclusive) by `replacement`; the subject defaults to that range."""
    subject = subject or (first, last)
    start, end = scan[first].start, scan[last].end
    shown = (scan[subject[0]].start, scan[subject[1]].end)
    before = scan.text(first, last)
    return Change(rule, start, end, replacement, shown, what or f"`{before}` → `{replacement}`")


def _around(scan: Scan, i: int) -> tuple[int, int]:
    """The token before and after i (for showing an operator with its operands)."""
    return max(0, i - 1), min(len(scan) - 1, i + 1)


def _in_sql(scan: Scan, i: int) -> bool:
    return scan[i].kind not in ("tpl_expr", "tpl_tag")


# --- comparison operators ------------------------------------------------------------------------------

COMPARISONS = {">=": [">"], "<=": ["<"], ">": [">=", "<"], "<": ["<=", ">"], "=": ["!="], "==": ["!="],
               "!=": ["="], "<>": ["="]}


def comparison(scan: Scan, ctx: NodeContext) -> Iterator[Change]:
    for i, token in enumerate(scan.tokens):
        if token.kind != "op" or token.text not in COMPARISONS:
            continue
        for replacement in COMPARISONS[token.text]:
            yield _change(scan, "comparison", i, i, replacement, _around(scan, i))


def _is_tautology(scan: Scan, i: int) -> bool:
    """`1=1`, the `WHERE 1=1` idiom that lets every filter start with AND: its numbers are not worth changing
    (`=` → `!=` is)."""
    return (0 < i < len(scan) - 1 and scan[i].text == "=" and scan[i - 1].text == "1" and scan[i + 1].text == "1")


def membership(scan: Scan, ctx: NodeContext) -> Iterator[Change]:
    """`x IN (a, b)` → `x NOT IN (a, b)`, and each element of the list dropped."""
    for i, token in enumerate(scan.tokens):
        if not token.is_keyword("IN") or i + 1 >= len(scan) or scan[i + 1].text != "(":
            continue
        if i > 0 and scan[i - 1].is_keyword("NOT"):
            yield _change(scan, "membership", i - 1, i, "IN", (i - 1, scan.partner[i + 1]))
            continue
        closing = scan.partner[i + 1]
        yield _change(scan, "membership", i, i, "NOT IN", (i, closing))
        elements = scan.split(i + 2, closing, ",")
        if len(elements) < 2:
            continue
        for k, (first, last) in enumerate(elements):
            kept = ", ".join(scan.text(a, b) for j, (a, b) in enumerate(elements) if j != k)
            yield _change(scan, "membership", i + 2, closing - 1, kept, (i, closing),
                          f"drop `{scan.text(first, last)}` from the IN list")


# --- numbers ---------------------------------------------------------------------------------------------

def number(scan: Scan, ctx: NodeContext) -> Iterator[Change]:
    """Integer literals ±1 and ×10 (LIMIT n, INTERVAL n, factors, tuple and array indexes, offsets)."""
    for i, token in enumerate(scan.tokens):
        if token.kind != "number" or not token.text.isdigit() or _skip_number(scan, i):
            continue
        value = int(token.text)
        for candidate in _number_variants(value):
            yield _change(scan, "number", i, i, str(candidate), _around(scan, i))


def _number_variants(value: int) -> list[int]:
    variants = [value - 1, value + 1] if value > 0 else [value + 1]
    if value > 1:
        variants.append(value * 10)
    return variants


def _skip_number(scan: Scan, i: int) -> bool:
    if _is_tautology(scan, i - 1) or _is_tautology(scan, i + 1):
        return True
    # the precision of round(x, 2) belongs to the rounding rule
    return i >= 2 and scan[i - 1].text == "," and _enclosing_call(scan, i) == "round"


def _enclosing_call(scan: Scan, i: int) -> str:
    """Name of the function whose argument list holds token i, else ''."""
    for k in range(i - 1, -1, -1):
        if scan[k].text == "(" and scan.partner.get(k, -1) > i:
            return scan[k - 1].text if k > 0 and scan[k - 1].kind == "ident" else ""
    return ""


_INT_TEMPLATE = re.compile(r"^\{\{\s*(U?Int(?:8|16|32|64|128|256)?)\(\s*(\w+)\s*,\s*(-?\d+)\s*([,)])")


def template_default(scan: Scan, ctx: NodeContext) -> Iterator[Change]:
    """The default of an integer template parameter ±1: `{{Int32(limit, 10)}}` → 9 and 11."""
    for token in scan.tokens:
        match = _INT_TEMPLATE.match(token.text) if token.kind == "tpl_expr" else None
        if match is None:
            continue
        value = int(match.group(3))
        start = token.start + match.start(3)
        for candidate in (value - 1, value + 1):
            yield Change("template_default", start, start + len(match.group(3)), str(candidate), (token.start, token.end),
                         f"default of {match.group(2)} {value} → {candidate}")


# --- aggregates, arrays, dates, casts: function renames ---------------------------------------------------

AGGREGATES = {"sum": ["avg"], "avg": ["sum"], "min": ["max"], "max": ["min"], "uniqExact": ["uniq"],
              "uniq": ["uniqExact"]}
ARRAYS = {"arraySort": ["arrayReverseSort"], "arrayReverseSort": ["arraySort"], "groupArray": ["groupUniqArray"],
          "groupUniqArray": ["groupArray"], "arrayFirstIndex": ["arrayLastIndex"],
          "arrayLastIndex": ["arrayFirstIndex"], "arrayPopBack": ["arrayPopFront"], "arrayPopFront": ["arrayPopBack"]}
DATES = {"toStartOfHour": ["toStartOfDay"], "toStartOfDay": ["toStartOfHour"], "toHour": ["toMinute"],
         "toMinute": ["toHour"], "toDate": ["toStartOfMonth"], "toStartOfMonth": ["toDate"],
         "toDayOfWeek": ["toDayOfMonth"], "toStartOfMinute": ["toStartOfHour"]}
WINDOWS = {"lagInFrame": ["leadInFrame"], "leadInFrame": ["lagInFrame"]}
INTERVAL_UNITS = ["SECOND", "MINUTE", "HOUR", "DAY", "WEEK", "MONTH"]


def _renames(table: dict[str, list[str]], rule: str, with_if: bool = False) -> Rule:
    def apply(scan: Scan, ctx: NodeContext) -> Iterator[Change]:
        for i, token in enumerate(scan.tokens):
            if not scan.is_call(i):
                continue
            name, suffix = token.text, ""
            if with_if and name not in table and name.endswith("If") and name[:-2] in table:
                name, suffix = name[:-2], "If"
            for other in table.get(name, []):
                yield _change(scan, rule, i, i, other + suffix, (i, scan.partner[i + 1]))
    return apply


aggregate = _renames(AGGREGATES, "aggregate", with_if=True)
array_function = _renames(ARRAYS, "array")
date_function = _renames(DATES, "date")
window_function = _renames(WINDOWS, "window")


def count_distinct(scan: Scan, ctx: NodeContext) -> Iterator[Change]:
    """count() ↔ uniqExact(column); countIf(c) → count() and uniqExactIf(x, c) → uniqExact(x) (condition dropped)."""
    for i, token in enumerate(scan.tokens):
        if not scan.is_call(i):
            continue
        closing = scan.partner[i + 1]
        args = scan.call_arguments(i)
        if token.text == "count" and closing == i + 2 and ctx.id_columns:
            yield _change(scan, "aggregate", i, closing, f"uniqExact({ctx.id_columns[0]})")
        elif token.text in ("uniqExact", "uniq") and len(args) == 1 or token.text == "countIf" and len(args) == 1:
            yield _change(scan, "aggregate", i, closing, "count()")
        elif token.text.endswith("If") and token.text[:-2] in AGGREGATES and len(args) == 2:
            first, last = args[0]
            yield _change(scan, "aggregate", i, closing, f"{token.text[:-2]}({scan.text(first, last)})")


def unwrap(names: tuple[str, ...], rule: str) -> Rule:
    """f(x, ...) → x for the functions named (rounding, sorting, casts removed)."""
    def apply(scan: Scan, ctx: NodeContext) -> Iterator[Change]:
        for i, token in enumerate(scan.tokens):
            if token.text in names and scan.is_call(i):
                args = scan.call_arguments(i)
                first, last = args[0]
                yield _change(scan, rule, i, scan.partner[i + 1], scan.text(first, last),
                              what=f"`{token.text}(…)` removed")
    return apply


def rounding(scan: Scan, ctx: NodeContext) -> Iterator[Change]:
    """round(x, 2) → round(x, 1)."""
    for i, token in enumerate(scan.tokens):
        if token.text != "round" or not scan.is_call(i):
            continue
        args = scan.call_arguments(i)
        if len(args) == 2 and args[1][0] == args[1][1] and scan[args[1][0]].text.isdigit():
            digits = int(scan[args[1][0]].text)
            if digits > 0:
                k = args[1][0]
                yield _change(scan, "rounding", k, k, str(digits - 1), (i, scan.partner[i + 1]),
                              f"round to {digits - 1} decimals instead of {digits}")


def array_slice(scan: Scan, ctx: NodeContext) -> Iterator[Change]:
    """arraySlice(a, offset, length): a length that is an expression ±1 (literal bounds: the number rule)."""
    for i, token in enumerate(scan.tokens):
        if token.text != "arraySlice" or not scan.is_call(i):
            continue
        args = scan.call_arguments(i)
        if len(args) != 3 or (args[2][0] == args[2][1] and scan[args[2][0]].kind == "number"):
            continue
        first, last = args[2]
        for sign in ("- 1", "+ 1"):
            yield _change(scan, "array", first, last, f"{scan.text(first, last)} {sign}", (i, scan.partner[i + 1]))


def interval_unit(scan: Scan, ctx: NodeContext) -> Iterator[Change]:
    """INTERVAL n UNIT → the next smaller and larger unit."""
    for i, token in enumerate(scan.tokens):
        if not token.is_keyword("INTERVAL") or i + 2 >= len(scan):
            continue
        unit = scan[i + 2].upper
        if unit not in INTERVAL_UNITS:
            continue
        k = INTERVAL_UNITS.index(unit)
        for other in INTERVAL_UNITS[max(0, k - 1):k] + INTERVAL_UNITS[k + 1:k + 2]:
            yield _change(scan, "date", i + 2, i + 2, other, (i, i + 2))


# --- ORDER BY --------------------------------------------------------------------------------------------

def order_by(scan: Scan, ctx: NodeContext) -> Iterator[Change]:
    """Each ORDER BY item ASC ↔ DESC; each tie-breaker (an item after the first) dropped."""
    for i, token in enumerate(scan.tokens):
        if not (token.is_keyword("ORDER") and i + 1 < len(scan) and scan[i + 1].is_keyword("BY")):
            continue
        stop = scan.clause_end(i)
        stop = next((k for k in range(i + 2, stop) if scan[k].kind == "tpl_tag"), stop)  # a block after the list
        items = scan.split(i + 2, stop, ",")
        for n, (first, last) in enumerate(items):
            direction = scan[last].upper
            if direction in ("ASC", "DESC"):
                flipped = "DESC" if direction == "ASC" else "ASC"
                yield _change(scan, "order", last, last, flipped, (first, last))
            else:
                yield Change("order", scan[last].end, scan[last].end, " DESC", (scan[first].start, scan[last].end),
                             f"`{scan.text(first, last)}` → `{scan.text(first, last)} DESC`")
            if n > 0:
                yield Change("order", scan[items[n - 1][1]].end, scan[last].end, "",
                             (scan[first].start, scan[last].end), f"tie-breaker `{scan.text(first, last)}` dropped")


# --- conditions ------------------------------------------------------------------------------------------

def dropped_condition(scan: Scan, ctx: NodeContext) -> Iterator[Change]:
    """One conjunct of a WHERE/HAVING (outside template blocks) dropped: `AND c` removed, a first one made `1`."""
    for i, token in enumerate(scan.tokens):
        if not token.is_keyword("WHERE", "HAVING", "PREWHERE"):
            continue
        stop = scan.clause_end(i)
        depth = scan.depth[i]
        top = [k for k in range(i + 1, stop) if scan.depth[k] == depth]
        if any(scan[k].is_keyword("OR") for k in top):
            continue  # AND binds tighter than OR: conjuncts are not the top-level parts here
        for first, last, joined_by in _conjuncts(scan, i + 1, stop):
            text = scan.text(first, last)
            if scan.block_of[first] is not None or text.replace(" ", "") in ("1=1", "1"):
                continue  # inside a template block: the block rule removes it
            if joined_by is None:
                yield _change(scan, "condition", first, last, "1", what=f"condition `{text}` dropped (made `1`)")
            else:
                cut = scan[joined_by - 1].end if joined_by > 0 else scan[joined_by].start
                yield Change("condition", cut, scan[last].end, "", (scan[first].start, scan[last].end),
                             f"condition `AND {text}` dropped")


def _conjuncts(scan: Scan, first: int, stop: int) -> Iterator[tuple[int, int, int | None]]:
    """(first, last, index of the AND before it or None) for the top-level AND parts of tokens [first, stop);
    template tags end a part, as do BETWEEN ... AND pairs' second AND (kept inside the part)."""
    depth = scan.depth[first] if first < stop else 0
    begin, joined_by, between = first, None, False
    k = first
    while k <= stop:
        at_end = k == stop
        token = scan[k] if not at_end else None
        boundary = token is None or (scan.depth[k] == depth and (token.kind == "tpl_tag" or (token.is_keyword("AND") and not between)))
        if token is not None and token.is_keyword("BETWEEN"):
            between = True
        elif token is not None and token.is_keyword("AND") and between:
            between = False
        if boundary:
            if begin < k:
                yield begin, k - 1, joined_by
            joined_by = k if token is not None and token.is_keyword("AND") else None
            begin = k + 1
        k += 1


def logic(scan: Scan, ctx: NodeContext) -> Iterator[Change]:
    """AND ↔ OR (not the AND of BETWEEN ... AND)."""
    between = False
    for i, token in enumerate(scan.tokens):
        if token.is_keyword("BETWEEN"):
            between = True
        elif token.is_keyword("AND"):
            if between:
                between = False
                continue
            yield _change(scan, "logic", i, i, "OR", (i, min(len(scan) - 1, i + 3)))
        elif token.is_keyword("OR"):
            yield _change(scan, "logic", i, i, "AND", (i, min(len(scan) - 1, i + 3)))


def template_block(scan: Scan, ctx: NodeContext) -> Iterator[Change]:
    """One `{% if ... %} … {% end %}` block removed (a filter, or an ORDER BY/LIMIT kept for some parameters)."""
    for opening, closing in sorted(scan.block_end.items()):
        if tag_word(scan[opening]) != "if":
            continue
        yield Change("template_block", scan[opening].start, scan[closing].end, "",
                     (scan[opening].start, scan[opening].end), f"block `{scan[opening].text}` removed")


# --- arithmetic, DISTINCT ----------------------------------------------------------------------------------

ARITHMETIC = {"+": "-", "-": "+", "*": "/", "/": "*"}


def arithmetic(scan: Scan, ctx: NodeContext) -> Iterator[Change]:
    """Binary `+` ↔ `-`, `*` ↔ `/`."""
    for i, token in enumerate(scan.tokens):
        if token.kind != "op" or token.text not in ARITHMETIC or not _binary(scan, i):
            continue
        yield _change(scan, "arithmetic", i, i, ARITHMETIC[token.text], _around(scan, i))


def _binary(scan: Scan, i: int) -> bool:
    """An operator between two operands (not unary minus, not `SELECT *`)."""
    if i == 0 or i + 1 >= len(scan):
        return False
    left, right = scan[i - 1], scan[i + 1]
    left_ok = left.kind in ("number", "string", "qident", "tpl_expr") or left.text in (")", "]") or (
        left.kind == "ident" and left.upper not in KEYWORDS)
    right_ok = right.kind in ("number", "string", "qident", "tpl_expr", "ident") or right.text in ("(", "[")
    return left_ok and right_ok and not (right.kind == "ident" and right.upper in KEYWORDS - {"CASE", "INTERVAL", "NOT"})


def distinct(scan: Scan, ctx: NodeContext) -> Iterator[Change]:
    """DISTINCT removed; DISTINCT added to a SELECT without it and without GROUP BY (whose rows are distinct
    already when it selects its keys, as these pipes do: only equivalent mutants would come of it)."""
    for i, token in enumerate(scan.tokens):
        if token.is_keyword("DISTINCT"):
            yield Change("distinct", token.start, scan[i + 1].start if i + 1 < len(scan) else token.end, "",
                         (scan[max(0, i - 1)].start, token.end), "DISTINCT removed")
        elif token.is_keyword("SELECT") and not (i + 1 < len(scan) and scan[i + 1].is_keyword("DISTINCT")) \
                and not _groups(scan, i):
            yield Change("distinct", token.end, token.end, " DISTINCT", (token.start, token.end), "DISTINCT added")


def _groups(scan: Scan, select: int) -> bool:
    """The SELECT at token `select` has a GROUP BY at its own level."""
    depth = scan.depth[select]
    for k in range(select + 1, len(scan)):
        if scan[k].kind == "op" and scan[k].text in ")]" and scan.partner[k] < select:
            return False
        if scan.depth[k] == depth and scan[k].is_keyword("SELECT", "UNION"):
            return False
        if scan.depth[k] == depth and scan[k].is_keyword("GROUP"):
            return True
    return False


def array_literal(scan: Scan, ctx: NodeContext) -> Iterator[Change]:
    """Two neighbouring elements of a constant array literal swapped (an order that means something): the first
    pair, a middle one and the last (every pair of a long list would be many runs for one idea)."""
    for i, token in enumerate(scan.tokens):
        if token.text != "[" or (i > 0 and (scan[i - 1].kind in ("ident", "qident") or scan[i - 1].text in (")", "]"))):
            continue  # `x[1]` is an index, not a literal
        elements = scan.split(i + 1, scan.partner[i], ",")
        if len(elements) < 2 or any(a != b or scan[a].kind not in ("string", "number") for a, b in elements):
            continue
        texts = [scan[a].text for a, _ in elements]
        for k in sorted({0, (len(texts) - 1) // 2, len(texts) - 2}):
            swapped = texts[:k] + [texts[k + 1], texts[k]] + texts[k + 2:]
            yield _change(scan, "array_literal", elements[0][0], elements[-1][1], ", ".join(swapped), (i, scan.partner[i]),
                          f"{texts[k]} and {texts[k + 1]} swapped in the array literal")


# The rules in the order their mutants are listed for one position of the SQL.
RULES: tuple[Rule, ...] = (
    comparison, membership, number, template_default, aggregate, count_distinct, rounding,
    unwrap(("round",), "rounding"), array_function, unwrap(("arraySort", "arrayReverseSort"), "array"), array_slice,
    date_function, interval_unit, window_function, unwrap(("toInt64", "toInt32", "toUInt64", "toFloat64"), "cast"),
    order_by, dropped_condition, logic, template_block, arithmetic, distinct, array_literal,
)
RULE_NAMES = ("comparison", "membership", "number", "template_default", "aggregate", "rounding", "array", "date",
              "window", "cast", "order", "condition", "logic", "template_block", "arithmetic", "distinct",
              "array_literal")


def changes(sql: str, ctx: NodeContext) -> list[Change]:
    """Every change the rules propose for one node's SQL, ordered by position, then by rule order."""
    scan = Scan(sql)
    found: list[tuple[int, int, int, Change]] = []
    for order, rule in enumerate(RULES):
        for n, change in enumerate(rule(scan, ctx)):
            found.append((change.start, order, n, change))
    found.sort(key=lambda item: item[:3])
    return [change for *_, change in found]
