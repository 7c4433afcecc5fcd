"""Inserting rows whose columns read nested JSONPaths, in ClickHouse rather than Python.

The rows go, as sent, into a Memory table shaped like the JSON (`location Tuple(country String, ...)`,
`items Array(Tuple(sku String, ...))`), parsed by the same JSONEachRow reader as flat rows; one
`INSERT INTO ds SELECT __s.location.country AS country, ...` then moves them into the datasource, where its
materialized views see them. A column with a DEFAULT reads a Nullable leaf: missing or null takes the default
(`ifNull(leaf, default)`), computed from the other columns of the row as ClickHouse does.

`plan` answers None where a staging table cannot keep ClickHouse's own semantics: a key read both as a value
and as an object (`$.a` and `$.a.b`), the same key read by two columns, nested arrays of objects, and a DEFAULT
on a column whose "missing" and "null" differ (Nullable: missing takes the default, null stays NULL) or whose
leaf cannot be Nullable (arrays, maps). The ingestor then rebuilds those rows in Python (slower, same result).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from chtypes import TypeExpr
from datafiles import Column, Datasource
from ddl import quote_ident, table_ident

STAGE_PREFIX = "__stage_"
_NOT_NULLABLE = {"Array", "Map", "Tuple", "Nested", "AggregateFunction", "SimpleAggregateFunction", "JSON",
                 "Object", "Variant", "Dynamic", "LowCardinality", "Nullable"}


@dataclass(frozen=True)
class StagedInsert:
    stage: str  # the Memory table
    create_sql: str
    select_sql: str  # reads the staging table as the datasource's columns
    insert_sql: str  # INSERT INTO the datasource that SELECT


@dataclass
class _Object:
    keys: dict[str, _Object | _Array | str] = field(default_factory=dict)  # a leaf is its type text

    def structure(self) -> str:
        return ", ".join(f"{quote_ident(k)} {_structure(v)}" for k, v in self.keys.items())


@dataclass
class _Array:
    element: _Object


def _structure(node: _Object | _Array | str) -> str:
    if isinstance(node, _Object):
        return f"Tuple({node.structure()})"
    if isinstance(node, _Array):
        return f"Array({_structure(node.element)})"
    return node


class _Conflict(Exception):
    pass


def plan(ds: Datasource) -> StagedInsert | None:
    root = _Object()
    selects = []
    try:
        for column in ds.columns:
            selects.append(f"{_place(root, column)} AS {quote_ident(column.name)}")
    except _Conflict:
        return None
    stage = STAGE_PREFIX + ds.name.replace(".", "__")  # a vendored `workspace.name` too
    columns = ", ".join(quote_ident(c.name) for c in ds.columns)
    select = f"SELECT {', '.join(selects)} FROM {quote_ident(stage)} AS __s"
    return StagedInsert(
        stage,
        f"CREATE OR REPLACE TABLE {quote_ident(stage)} ({root.structure()}) ENGINE = Memory",
        select,
        f"INSERT INTO {table_ident(ds.name)} ({columns}) {select}",
    )


def _place(root: _Object, column: Column) -> str:
    """Add the column's path to the JSON shape; returns the SELECT expression that reads it."""
    steps = column.path.steps
    if not steps:  # `$`: the whole row, rebuilt in Python
        raise _Conflict()
    base, nullable = TypeExpr.parse(column.type).without_wrappers()
    if column.default is not None and (nullable or not _can_be_nullable(base)):
        raise _Conflict()
    node: _Object = root
    expr = "__s"
    in_array = False
    i = 0
    while i < len(steps):
        key = steps[i]
        assert key is not None  # a None step (`[:]`) follows a key and is skipped with it below
        expr += "." + quote_ident(key)
        last = i == len(steps) - 1 or (i == len(steps) - 2 and steps[-1] is None)
        if last:
            leaf = _leaf_type(column, base, nullable, in_array)
            if key in node.keys:
                raise _Conflict()
            node.keys[key] = leaf
            break
        if steps[i + 1] is None:  # `key[:].more`: an array of objects
            existing = node.keys.setdefault(key, _Array(_Object()))
            if not isinstance(existing, _Array) or in_array:
                raise _Conflict()
            node, in_array = existing.element, True
            i += 2
            continue
        existing = node.keys.setdefault(key, _Object())
        if not isinstance(existing, _Object):
            raise _Conflict()
        node = existing
        i += 1
    if column.default is not None:
        if in_array:
            raise _Conflict()
        return f"ifNull({expr}, ({column.default}))"
    return expr


def _leaf_type(column: Column, base: TypeExpr, nullable: bool, in_array: bool) -> str:
    if in_array:  # `$.items[:].sku` into Array(T): the leaf inside each object is T
        if base.name != "Array" or len(base.args) != 1:
            raise _Conflict()
        element, element_nullable = TypeExpr.parse(base.args[0]).without_wrappers()
        return f"Nullable({element})" if element_nullable and _can_be_nullable(element) else str(element)
    wants_null = nullable or column.default is not None
    return f"Nullable({base})" if wants_null and _can_be_nullable(base) else str(base)


def _can_be_nullable(t: TypeExpr) -> bool:
    return t.name not in _NOT_NULLABLE
