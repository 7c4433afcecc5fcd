"""ClickHouse column types as written in a SCHEMA block, and whether one JSON value fits a type.

`value_check(type_text)` answers for the Events API: a JSON value either fits (None) or gets a reason (the row
goes to quarantine). The checks follow what ClickHouse's JSONEachRow input accepts (measured on chdb 26.9),
stricter in two places where ClickHouse would store a wrong value silently: integers out of range (ClickHouse
wraps them) and booleans into numbers and strings. An object or array read into a String column is its JSON text. Types with no check here
(Tuple, Nested, IPv4/IPv6, JSON, Variant, AggregateFunction, ...) accept any value: ClickHouse decides, and a
row it refuses is quarantined after the insert.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

Check = Callable[[Any], "str | None"]

INT_RANGES = {
    f"{sign}Int{bits}": ((0, 2**bits - 1) if sign else (-(2 ** (bits - 1)), 2 ** (bits - 1) - 1))
    for sign in ("", "U") for bits in (8, 16, 32, 64, 128, 256)
}
DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?)?$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_UUID = re.compile(r"^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{32})$", re.IGNORECASE)
_DECIMAL_SIZES = {"Decimal32": 9, "Decimal64": 18, "Decimal128": 38, "Decimal256": 76}
_WRAPPERS = ("LowCardinality", "Nullable")


QUOTED, COMMENT = -1, -2


class UnclosedQuote(ValueError):
    def __init__(self, quote: str, offset: int) -> None:
        super().__init__(f"unclosed {quote} at offset {offset}")
        self.quote, self.offset = quote, offset


def char_depths(text: str, comments: bool = False) -> list[int]:
    """Per character of `text`: its parenthesis/bracket depth; QUOTED inside '...', "..." or `...` (the
    opening quote itself gets its depth, so a quoted item's start can be found), and, with `comments`, COMMENT
    from `--` to the end of the line. A quote left open raises UnclosedQuote."""
    out: list[int] = []
    depth, quote, i = 0, "", 0
    opened = 0
    while i < len(text):
        ch = text[i]
        if quote:
            out.append(QUOTED)
            if ch == "\\" and i + 1 < len(text):
                out.append(QUOTED)
                i += 2
                continue
            if ch == quote:
                quote = ""
        elif comments and ch == "-" and text.startswith("--", i):
            end = text.find("\n", i)
            end = len(text) if end < 0 else end
            out.extend([COMMENT] * (end - i))
            i = end
            continue
        else:
            if ch in ")]":
                depth = max(depth - 1, 0)  # a stray closer: the type or expression around it will not parse
            out.append(depth)
            if ch in "'\"`":
                quote, opened = ch, i
            elif ch in "([":
                depth += 1
        i += 1
    if quote:
        raise UnclosedQuote(quote, opened)
    return out


def split_top_level(text: str, sep: str = ",") -> list[str]:
    """Split on `sep` outside parentheses, brackets and quotes; parts are stripped."""
    depths = char_depths(text)
    cuts = [i for i, ch in enumerate(text) if ch == sep and depths[i] == 0]
    bounds = zip([-1] + cuts, cuts + [len(text)], strict=True)
    return [text[a + 1:b].strip() for a, b in bounds]


def _one_group(text: str) -> bool:
    """The first ( of `text` closes at its last character, and every bracket outside quotes is paired."""
    try:
        depths = char_depths(text)
    except UnclosedQuote:
        return False
    code = [(ch, d) for ch, d in zip(text, depths, strict=True) if d >= 0]
    if sum(ch in "([" for ch, _ in code) != sum(ch in ")]" for ch, _ in code):
        return False
    first_close = next(i for i, (ch, d) in enumerate(zip(text, depths, strict=True)) if ch in ")]" and d == 0)
    return first_close == len(text) - 1


@dataclass(frozen=True)
class TypeExpr:
    """`Name(arg, arg...)`: the arguments are kept as text (a type, a number, a quoted name, an enum pair)."""

    name: str
    args: tuple[str, ...] = ()

    @classmethod
    def parse(cls, text: str) -> TypeExpr:
        text = text.strip()
        match = re.fullmatch(r"([A-Za-z_][A-Za-z0-9_]*)\s*(?:\((.*)\))?", text, re.DOTALL)
        if not match or (match.group(2) is not None and not _one_group(text)):
            raise ValueError(f"cannot read the type {text!r}")
        inner = match.group(2)
        args = tuple(split_top_level(inner)) if inner is not None and inner.strip() else ()
        return cls(match.group(1), args)

    def arg_type(self, index: int) -> TypeExpr:
        return TypeExpr.parse(self.args[index])

    def without_wrappers(self) -> tuple[TypeExpr, bool]:
        """(the type under LowCardinality/Nullable wrappers, nullable)."""
        t, nullable = self, False
        while t.name in _WRAPPERS and len(t.args) == 1:
            nullable = nullable or t.name == "Nullable"
            t = t.arg_type(0)
        return t, nullable

    def unwrapped(self) -> tuple[TypeExpr, bool]:
        """As `without_wrappers`, and SimpleAggregateFunction(f, T) as T (the type its values are written in)."""
        t, nullable = self.without_wrappers()
        if t.name == "SimpleAggregateFunction" and len(t.args) == 2:
            inner, inner_nullable = t.arg_type(1).unwrapped()
            return inner, nullable or inner_nullable
        return t, nullable

    def __str__(self) -> str:
        return f"{self.name}({', '.join(self.args)})" if self.args else self.name


@dataclass(frozen=True)
class ValueCheck:
    """How a JSON value is checked against a column type. `check` is only called on non-null values."""

    check: Check
    nullable: bool
    base: TypeExpr  # the type under LowCardinality/Nullable (the generated fast path inlines the common ones)


def value_check(type_text: str) -> ValueCheck:
    base, nullable = TypeExpr.parse(type_text).unwrapped()
    return ValueCheck(_check_for(base), nullable, base)


def _check_for(t: TypeExpr) -> Check:
    name = t.name
    if name in INT_RANGES:
        return check_int(*INT_RANGES[name])
    if name in ("Float32", "Float64"):
        return _check_float
    if name == "Decimal" or name in _DECIMAL_SIZES:
        precision = int(t.args[0]) if name == "Decimal" else _DECIMAL_SIZES[name]
        scale = int(t.args[-1]) if (name == "Decimal" and len(t.args) == 2) or name in _DECIMAL_SIZES else 0
        return _check_decimal(precision - scale)
    if name in ("Bool", "Boolean"):
        return _check_bool
    if name == "String":
        return check_string
    if name == "FixedString":
        return _check_fixed_string(int(t.args[0]))
    if name == "UUID":
        return _check_uuid
    if name in ("Date", "Date32"):
        return _check_date
    if name == "DateTime":
        return check_datetime
    if name == "DateTime64":
        return _check_datetime64
    if name in ("Enum8", "Enum16", "Enum"):
        return _check_enum(t)
    if name == "Array" and len(t.args) == 1:
        return _check_array(value_check(t.args[0]))
    if name == "Map" and len(t.args) == 2:
        return _check_map(value_check(t.args[0]), value_check(t.args[1]))
    return _accept


def _accept(v: Any) -> str | None:
    return None


def check_int(lo: int, hi: int) -> Check:
    def check(v: Any) -> str | None:
        if isinstance(v, bool):
            return "is a boolean, not an integer"
        if isinstance(v, str):
            try:
                v = int(v.strip())
            except ValueError:
                return f"{v!r} is not an integer"
        elif not isinstance(v, int):
            return f"{v!r} is not an integer" if isinstance(v, float) else f"{type(v).__name__} is not an integer"
        return None if lo <= v <= hi else f"{v} is out of range [{lo}, {hi}]"

    return check


def _check_float(v: Any) -> str | None:
    if isinstance(v, bool):
        return "is a boolean, not a number"
    if isinstance(v, (int, float)):
        return None
    if isinstance(v, str) and (_NUMBER.match(v.strip()) or v.strip().lower() in ("nan", "inf", "-inf")):
        return None
    return f"{v!r} is not a number"


def _check_decimal(integer_digits: int) -> Check:
    limit = Decimal(10) ** integer_digits

    def check(v: Any) -> str | None:
        if isinstance(v, bool) or not isinstance(v, (int, float, str)):
            return f"{v!r} is not a decimal number"
        if isinstance(v, str) and not _NUMBER.match(v.strip()):
            return f"{v!r} is not a decimal number"
        try:
            value = Decimal(str(v).strip())
        except InvalidOperation:
            return f"{v!r} is not a decimal number"
        return None if abs(value) < limit else f"{v} has more than {integer_digits} integer digits"

    return check


def _check_bool(v: Any) -> str | None:
    return None if isinstance(v, bool) or (type(v) is int and v in (0, 1)) else f"{v!r} is not a boolean"


def check_string(v: Any) -> str | None:
    """Strings and numbers; an object or array is kept as its JSON text (Tinybird stores a path that reads
    an object into a String column as the object's JSON, e.g. `proxy_metadata String json:$.proxy_metadata`)."""
    return None if isinstance(v, (str, int, float, dict, list)) and not isinstance(v, bool) else f"{type(v).__name__} is not a string"


def _check_fixed_string(size: int) -> Check:
    def check(v: Any) -> str | None:
        if not isinstance(v, str):
            return f"{type(v).__name__} is not a string"
        return None if len(v.encode()) <= size else f"{v!r} is longer than {size} bytes"

    return check


def _check_uuid(v: Any) -> str | None:
    return None if isinstance(v, str) and _UUID.match(v) else f"{v!r} is not a UUID"


def _check_date(v: Any) -> str | None:
    if type(v) is int:
        return None if 0 <= v < 2**16 else f"{v} is out of the Date range"
    return None if isinstance(v, str) and _DATE.match(v) else f"{v!r} is not a Date ('YYYY-MM-DD')"


def check_datetime(v: Any) -> str | None:
    if isinstance(v, bool):
        return "is a boolean, not a DateTime"
    if isinstance(v, int):
        return None if 0 <= v < 2**32 else f"{v} is out of the DateTime range"
    if isinstance(v, str) and DATETIME.match(v):
        return None
    return f"{v!r} is not a DateTime ('YYYY-MM-DD HH:MM:SS')"


def _check_datetime64(v: Any) -> str | None:
    if isinstance(v, bool):
        return "is a boolean, not a DateTime64"
    if isinstance(v, (int, float)) or (isinstance(v, str) and DATETIME.match(v)):
        return None
    return f"{v!r} is not a DateTime64 ('YYYY-MM-DD HH:MM:SS[.fff]')"


def _check_enum(t: TypeExpr) -> Check:
    names, values = set(), set()
    for pair in t.args:
        name, _, value = pair.rpartition("=")
        name = name.strip()
        if len(name) >= 2 and name[0] == name[-1] == "'":
            names.add(name[1:-1].replace("\\'", "'").replace("''", "'"))
            values.add(int(value))

    def check(v: Any) -> str | None:
        if isinstance(v, str) and (v in names or (v.strip().lstrip("-").isdigit() and int(v) in values)):
            return None
        if type(v) is int and v in values:
            return None
        return f"{v!r} is not one of {sorted(names)}"

    return check


def _check_array(element: ValueCheck) -> Check:
    def check(v: Any) -> str | None:
        if not isinstance(v, list):
            return f"{type(v).__name__} is not an array"
        for item in v:
            if item is None:
                if not element.nullable:
                    return "array element is null"
                continue
            problem = element.check(item)
            if problem:
                return f"array element {problem}"
        return None

    return check


def _check_map(key: ValueCheck, value: ValueCheck) -> Check:
    def check(v: Any) -> str | None:
        if not isinstance(v, dict):
            return f"{type(v).__name__} is not an object (Map)"
        for k, item in v.items():
            problem = key.check(k)
            if problem:
                return f"map key {problem}"
            if item is None:
                if not value.nullable:
                    return f"map value of {k!r} is null"
                continue
            problem = value.check(item)
            if problem:
                return f"map value of {k!r}: {problem}"
        return None

    return check
