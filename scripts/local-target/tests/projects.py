"""Small Tinybird projects written into a temp folder by the tests (datafile text kept next to its use)."""

from __future__ import annotations

import textwrap
from pathlib import Path

TYPED_DATASOURCE = """
    DESCRIPTION >
        One column per supported type; nested, array and array-of-object JSONPaths; DEFAULTs.

    SCHEMA >
        `id` UInt32 `json:$.id`,
        `i8` Int8 `json:$.ints.i8`,
        `u64` UInt64 `json:$.ints.u64`,
        `i128` Int128 `json:$.ints.i128`,
        `u256` UInt256 `json:$.ints.u256`,
        `f32` Float32 `json:$.f32`,
        `dec` Decimal(6, 2) `json:$.dec`,
        `flag` Bool `json:$.flag`,
        `uid` UUID `json:$.uid`,
        `day` Date `json:$.day`,
        `ts` DateTime `json:$.ts`,
        `ts64` DateTime64(3) `json:$.ts64`,
        `level` Enum8('low' = 1, 'high' = 2) `json:$.level`,
        `lc` LowCardinality(String) `json:$.lc`,
        `tags` Array(String) `json:$.tags[:]`,
        `scores` Array(Int32) `json:$.scores[:]`,
        `attrs` Map(String, UInt16) `json:$.attrs`,
        `note` Nullable(String) `json:$.note`,
        `lc_note` LowCardinality(Nullable(String)) `json:$.meta.note`,
        `code` FixedString(2) `json:$.code`,
        `skus` Array(String) `json:$.items[:].sku`,
        `qtys` Array(UInt8) `json:$.items[:].qty`,
        `country` String DEFAULT 'unknown' `json:$.geo.country`,  -- a comment, with a comma
        `created` Date DEFAULT toDate(ts) `json:$.created`,
        `weird-name` String `json:$['odd-key']`,
        `ints` String DEFAULT 'none' `json:$.ints_label`

    ENGINE "MergeTree"
    ENGINE_SORTING_KEY "id"
    ENGINE_PARTITION_KEY "toYYYYMM(ts)"
"""

# One good row for TYPED_DATASOURCE; the tests vary one value at a time.
TYPED_ROW = {
    "id": 1, "ints": {"i8": -5, "u64": 2**64 - 1, "i128": -(2**100), "u256": 2**200}, "f32": 1.5, "dec": 1234.5,
    "flag": True, "uid": "61f0c404-5cb3-11e7-907b-a6006ad3dba0", "day": "2025-05-12", "ts": "2025-05-12 10:00:00",
    "ts64": "2025-05-12 10:00:00.123", "level": "high", "lc": "web", "tags": ["a", "b"], "scores": [1, -2],
    "attrs": {"x": 1, "y": 65535}, "note": "hello", "meta": {"note": "m"}, "code": "FR",
    "items": [{"sku": "s1", "qty": 2}, {"sku": "s2", "qty": 3}], "geo": {"country": "ES"}, "created": "2025-01-02",
    "odd-key": "odd",
}


# `$.meta` and `$.meta.id` both: one JSON key read as a value and as an object (rebuilt in Python, not staged).
OVERLAP_DATASOURCE = """
    SCHEMA >
        `id` UInt32 `json:$.id`,
        `meta` Map(String, String) `json:$.meta`,
        `meta_id` String `json:$.meta.id`,
        `first_tag` Nullable(String) DEFAULT 'none' `json:$.tags.first`

    ENGINE "MergeTree"
    ENGINE_SORTING_KEY "id"
"""


def write_project(root: Path, files: dict[str, str]) -> Path:
    """Write `files` (relative path -> datafile text, dedented) under `root`; returns `root`."""
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"))
    return root

# A materialized pipe feeding an AggregatingMergeTree, one feeding a plain MergeTree (one row per inserted block),
# endpoints in endpoints/ and pipes/, a `TYPE standard` pipe and a copy pipe that are not endpoints.
ANALYTICS_PROJECT = {
    "datasources/events.datasource": """
        SCHEMA >
            `ts` DateTime `json:$.ts`,
            `user` String `json:$.user.id`,
            `country` LowCardinality(String) `json:$.user.country`,
            `amount` UInt32 `json:$.amount`,
            `kind` String `json:$.kind`

        ENGINE "MergeTree"
        ENGINE_SORTING_KEY "ts"
    """,
    "datasources/daily_country.datasource": """
        DESCRIPTION >
            Target of materializations/daily_country_mv.pipe: no JSONPaths, aggregate states.

        SCHEMA >
            `day` Date,
            `country` LowCardinality(String),
            `purchases` AggregateFunction(count),
            `revenue` AggregateFunction(sum, UInt32),
            `buyers` AggregateFunction(uniqExact, String),
            `max_amount` SimpleAggregateFunction(max, UInt32)

        ENGINE "AggregatingMergeTree"
        ENGINE_SORTING_KEY "day, country"
    """,
    "datasources/batch_sizes.datasource": """
        SCHEMA >
            `rows` UInt64,
            `purchases` UInt64

        ENGINE "MergeTree"
    """,
    "materializations/daily_country_mv.pipe": """
        DESCRIPTION >
            Purchases per day and country, as aggregate states.

        NODE purchases
        SQL >
            SELECT toDate(ts) AS day, country, amount, user FROM events WHERE kind = 'purchase'

        NODE aggregate
        SQL >
            SELECT day, country, countState() AS purchases, sumState(amount) AS revenue,
                uniqExactState(user) AS buyers, max(amount) AS max_amount
            FROM purchases
            GROUP BY day, country

        TYPE materialized
        DATASOURCE daily_country
    """,
    "materializations/batch_sizes_mv.pipe": """
        NODE sizes
        SQL >
            SELECT count() AS rows, countIf(kind = 'purchase') AS purchases FROM events

        TYPE MATERIALIZED
        DATASOURCE batch_sizes
    """,
    "endpoints/daily_country_stats.pipe": """
        NODE stats
        SQL >
            %
            SELECT day, country, countMerge(purchases) AS purchases, sumMerge(revenue) AS revenue,
                uniqExactMerge(buyers) AS buyers, max(max_amount) AS max_amount
            FROM daily_country
            {% if defined(country) %}
            WHERE country = {{String(country)}}
            {% end %}
            GROUP BY day, country
            ORDER BY day, country

        TYPE endpoint
    """,
    "pipes/kinds.pipe": """
        NODE kinds
        SQL >
            SELECT kind, count() AS events FROM events GROUP BY kind ORDER BY kind

        TYPE endpoint
    """,
    "pipes/helper.pipe": """
        NODE helper
        SQL >
            SELECT 1 AS one

        TYPE standard
    """,
    "copies/snapshot.pipe": """
        NODE snapshot
        SQL >
            SELECT count() AS rows, 0 AS purchases FROM events

        TYPE copy
        TARGET_DATASOURCE batch_sizes
        COPY_SCHEDULE @on-demand
    """,
    "fixtures/ignored.datasource": "this is not a datafile and lives where tb keeps fixtures\n",
    "tests/ignored.pipe": "neither is this\n",
    ".hidden/ignored.pipe": "nor this\n",
}

# The engines Tinybird enables, each with its options; `landing` (Null) only feeds a materialized view.
ENGINES_PROJECT = {
    "datasources/latest.datasource": """
        SCHEMA >
            `key` String `json:$.key`,
            `value` String `json:$.value`,
            `version` UInt32 `json:$.version`

        ENGINE "ReplacingMergeTree"
        ENGINE_SORTING_KEY "key"
        ENGINE_VER "version"
    """,
    "datasources/totals.datasource": """
        SCHEMA >
            `key` String `json:$.key`,
            `hits` UInt64 `json:$.hits`,
            `bytes` UInt64 `json:$.bytes`

        ENGINE "SummingMergeTree"
        ENGINE_SORTING_KEY "key"
        ENGINE_COLUMNS "hits, bytes"
    """,
    "datasources/sessions.datasource": """
        SCHEMA >
            `session` String `json:$.session`,
            `pages` UInt32 `json:$.pages`,
            `sign` Int8 `json:$.sign`

        ENGINE "CollapsingMergeTree"
        ENGINE_SIGN "sign"
        ENGINE_SORTING_KEY "session"
    """,
    "datasources/expiring.datasource": """
        SCHEMA >
            `ts` DateTime `json:$.ts`,
            `key` String `json:$.key`

        ENGINE "MergeTree"
        ENGINE_PARTITION_KEY "toYYYYMM(ts)"
        ENGINE_SORTING_KEY "key, ts"
        ENGINE_PRIMARY_KEY "key"
        ENGINE_TTL "ts + toIntervalDay(3650)"
        ENGINE_SETTINGS "index_granularity = 1024"
    """,
    "datasources/landing.datasource": """
        SCHEMA >
            `key` String `json:$.key`,
            `n` UInt32 `json:$.n`

        ENGINE "Null"
    """,
    "datasources/landed.datasource": """
        SCHEMA >
            `key` String,
            `n2` UInt32

        ENGINE "MergeTree"
        ENGINE_SORTING_KEY "key"
    """,
    "materializations/land.pipe": """
        NODE land
        SQL >
            SELECT key, n * 2 AS n2 FROM landing

        TYPE materialized
        DATASOURCE landed
    """,
}

# Pipes reading pipes (at depth 3, with params passed through, node names repeated across pipes), a classic endpoint
# (no TYPE anywhere), a materialized view and a copy pipe reading a pipe, a vendored datasource of another workspace
# read by an endpoint and a materialized view, copies in append and replace mode.
PIPES_PROJECT = {
    "datasources/hits_raw.datasource": """
        SCHEMA >
            `ts` DateTime `json:$.ts`,
            `path` String `json:$.path`,
            `kind` String `json:$.kind`

        ENGINE "MergeTree"
        ENGINE_SORTING_KEY "ts"
    """,
    "datasources/daily_paths.datasource": """
        SCHEMA >
            `day` Date,
            `path` String,
            `hits` AggregateFunction(count)

        ENGINE "AggregatingMergeTree"
        ENGINE_SORTING_KEY "day, path"
        ENGINE_TTL "day + toIntervalDay(36500)"
    """,
    "datasources/path_counts.datasource": """
        SCHEMA >
            `path` String,
            `hits` UInt64

        ENGINE "MergeTree"
        ENGINE_SORTING_KEY "path"
    """,
    "datasources/tags.datasource": """
        SCHEMA >
            `tag` String,
            `rows` UInt64,
            `unused` String DEFAULT 'x'

        ENGINE "MergeTree"
    """,
    "datasources/vendor_counts.datasource": """
        SCHEMA >
            `user` String,
            `n` UInt64

        ENGINE "MergeTree"
    """,
    "vendor/shared_ws/datasources/events.datasource": """
        SCHEMA >
            `user` String `json:$.user`,
            `n` UInt32 `json:$.n`

        ENGINE "MergeTree"
    """,
    "pipes/hits.pipe": """
        DESCRIPTION >
        Classic: no TYPE anywhere, so the last node is published (and served).

        NODE parsed
        SQL >
            SELECT ts, lower(path) AS path, kind FROM hits_raw

        NODE hits
        SQL >
            SELECT * FROM parsed WHERE path != ''
    """,
    "endpoints/top_paths.pipe": """
        NODE parsed
        SQL >
        %
        SELECT path FROM hits WHERE kind = {{ String(kind, 'view') }}

        NODE endpoint
        SQL >
        %
        with {{ Int32(limit, 10) }} as lim
        SELECT path, count() AS hits FROM parsed GROUP BY path ORDER BY hits DESC, path LIMIT lim

        TYPE endpoint
    """,
    "endpoints/top_path.pipe": """
        NODE first
        SQL >
            SELECT path, hits FROM top_paths LIMIT 1

        TYPE endpoint
    """,
    "endpoints/daily.pipe": """
        NODE daily
        SQL >
            SELECT day, path, countMerge(hits) AS hits FROM daily_paths GROUP BY day, path ORDER BY day, path

        TYPE endpoint
    """,
    "endpoints/shared.pipe": """
        NODE shared
        SQL >
            SELECT user, sum(n) AS n FROM shared_ws.events GROUP BY user ORDER BY user

        TYPE endpoint
    """,
    "materializations/daily_paths_mv.pipe": """
        NODE daily
        SQL >
            SELECT toDate(ts) AS day, path, countState() AS hits FROM hits GROUP BY day, path

        TYPE materialized
        DATASOURCE daily_paths
    """,
    "materializations/vendor_counts_mv.pipe": """
        NODE counts
        SQL >
            SELECT user, toUInt64(n) AS n FROM shared_ws.events

        TYPE materialized
        DATASOURCE vendor_counts
    """,
    "copies/path_counts_copy.pipe": """
        NODE counts
        SQL >
            SELECT count() AS hits, path FROM hits GROUP BY path

        TYPE copy
        TARGET_DATASOURCE path_counts
        COPY_MODE replace
        COPY_SCHEDULE @on-demand
    """,
    "copies/tag_copy.pipe": """
        NODE tagged
        SQL >
            %
            SELECT {{ String(tag, 'default') }} AS tag, count() AS rows FROM hits_raw

        TYPE copy
        TARGET_DATASOURCE tags
    """,
}

# The datafile reference's other types and settings: the whole row into a JSON column, Map, DateTime64(9), CODEC,
# INDEXES, ENGINE_TTL, and a Join engine read with joinGet (not in Tinybird's parser of this version: kept apart).
REFERENCE_TYPES_DATASOURCE = """
    SCHEMA >
        `id` UInt32 `json:$.id`,
        `ts` DateTime64(9) `json:$.ts`,
        `labels` Map(String, String) `json:$.labels`,
        `note` String CODEC(ZSTD(1)) `json:$.note`,
        `doc` JSON `json:$`

    INDEXES >
        idx_note note TYPE bloom_filter GRANULARITY 4

    ENGINE "MergeTree"
    ENGINE_SORTING_KEY "id"
    ENGINE_TTL "toDateTime(ts) + toIntervalDay(3650)"
"""
JOIN_DATASOURCE = """
    SCHEMA >
        `sku` String `json:$.sku`,
        `name` String `json:$.name`

    ENGINE "Join"
    ENGINE_JOIN_STRICTNESS "ANY"
    ENGINE_JOIN_TYPE "LEFT"
    ENGINE_KEY_COLUMNS "sku"
"""
