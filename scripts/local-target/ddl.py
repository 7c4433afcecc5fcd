"""ClickHouse DDL for a project: datasource tables, their quarantine tables, materialized views."""

from __future__ import annotations

from datafiles import ENGINE_OPTIONS, ENGINES, Datasource, Pipe

QUARANTINE_SUFFIX = "_quarantine"
MATERIALIZED_VIEW_PREFIX = "__mv_"
OPTION_SQL = {"partition_key": "PARTITION BY", "sorting_key": "ORDER BY", "primary_key": "PRIMARY KEY",
              "sampling_key": "SAMPLE BY", "ttl": "TTL", "settings": "SETTINGS"}


def quote_ident(name: str) -> str:
    return "`" + name.replace("\\", "\\\\").replace("`", "\\`") + "`"


def table_ident(name: str) -> str:
    """A datasource's table: `name`, or `workspace`.`name` for a vendored datasource named `workspace.name`."""
    database, dot, table = name.partition(".")
    return f"{quote_ident(database)}.{quote_ident(table)}" if dot else quote_ident(name)


def engine_clause(ds: Datasource) -> str:
    """What follows `ENGINE =`, written as Tinybird writes it (`tinybird.ch_utils.engine.engine_full_from_dict`),
    except SummingMergeTree's columns, which ClickHouse needs as one tuple argument."""
    if ds.engine == "Null":
        return "Null()"
    if ds.engine == "Join":
        keys = ", ".join(quote_ident(k.strip()) for k in ds.arg("key_columns").split(","))
        settings = f" SETTINGS {ds.arg('settings')}" if ds.arg("settings") else ""
        return f"Join({ds.arg('join_strictness').upper()}, {ds.arg('join_type').upper()}, {keys}){settings}"
    params = [ds.arg(name) for name in ENGINES[ds.engine] if ds.arg(name)]
    if ds.engine == "SummingMergeTree" and params and "," in params[0]:
        params = [f"({params[0]})"]
    options, settings = [], ""
    for name in ENGINE_OPTIONS:
        value = ds.arg(name, "tuple()" if name == "sorting_key" else "")
        if not value:
            continue
        if name == "settings":
            settings = f"SETTINGS {value}"
        elif name == "ttl":  # conditional TTLs break inside parentheses
            options.append(f"TTL {value}")
        else:
            options.append(f"{OPTION_SQL[name]} ({value})")
    if settings:
        options.append(settings)
    return f"{ds.engine}({', '.join(params)}) {' '.join(options)}".strip()


def create_table_sql(ds: Datasource) -> str:
    cols = []
    for c in ds.columns:
        parts = [quote_ident(c.name), c.type]
        if c.default is not None:
            parts.append(f"DEFAULT {c.default}")
        if c.codec is not None:
            parts.append(f"CODEC{c.codec}")
        cols.append(" ".join(parts))
    if ds.kafka:
        declared = {c.name for c in ds.columns}
        cols += [f"`{name}` {type_} DEFAULT {default}" for name, type_, default in KAFKA_COLUMNS if name not in declared]
    cols += [f"INDEX {index}" for index in ds.indexes]
    joined = ",\n    ".join(cols)
    return f"CREATE TABLE IF NOT EXISTS {table_ident(ds.name)} (\n    {joined}\n) ENGINE = {engine_clause(ds)}"


# The columns Tinybird adds to a Kafka connector's datasource (keys and sorting keys may name them); events sent
# to the Events API leave them to their defaults.
KAFKA_COLUMNS = (("__value", "String", "''"), ("__topic", "LowCardinality(String)", "''"), ("__partition", "Int16", "0"),
                 ("__offset", "Int64", "0"), ("__timestamp", "DateTime", "now()"), ("__key", "String", "''"))

QUARANTINE_COLUMNS = {"c__error_column": "Array(String)", "c__error": "Array(String)", "c__import_id": "Nullable(String)",
                      "insertion_date": "DateTime"}


def quarantine_extra_columns(ds: Datasource) -> list[str]:
    """The quarantine's own columns that the datasource does not already have (a datasource may have its own
    `insertion_date`: its value, as text, is kept then)."""
    names = {c.name for c in ds.columns}
    return [name for name in QUARANTINE_COLUMNS if name not in names]


def create_quarantine_sql(ds: Datasource) -> str:
    cols = [f"{quote_ident(c.name)} Nullable(String)" for c in ds.columns]
    extra = quarantine_extra_columns(ds)
    cols += [f"`{name}` {QUARANTINE_COLUMNS[name]}" for name in extra]
    joined = ",\n    ".join(cols)
    order = "insertion_date" if "insertion_date" in extra else "tuple()"
    return (
        f"CREATE TABLE IF NOT EXISTS {table_ident(ds.name + QUARANTINE_SUFFIX)} (\n    {joined}\n)"
        f" ENGINE = MergeTree ORDER BY {order}"
    )


def materialized_view_name(pipe: Pipe) -> str:
    return MATERIALIZED_VIEW_PREFIX + pipe.name


def create_materialized_view_sql(pipe: Pipe, select_sql: str) -> str:
    """ClickHouse runs `select_sql` on every block inserted into the table it reads first (the origin) and
    appends the result to the target: Tinybird's materialized pipes are ClickHouse materialized views."""
    target = pipe.nodes[pipe.output_index].datasource
    return (f"CREATE MATERIALIZED VIEW {quote_ident(materialized_view_name(pipe))} TO {table_ident(target)}"
            f" AS\n{select_sql}")
