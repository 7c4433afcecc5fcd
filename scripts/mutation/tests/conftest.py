"""A tiny Tinybird project and its reference database, shared by the tests (chdb: one database per process)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PACKAGE))

from localtarget import read_project  # noqa: E402

DATASOURCE = """\
DESCRIPTION >
    Events of a tiny project.

SCHEMA >
    `id` String `json:$.id`,
    `kind` String `json:$.kind`,
    `amount` Float64 `json:$.amount`,
    `ts` DateTime `json:$.ts`

ENGINE "MergeTree"
ENGINE_SORTING_KEY "id, ts"
"""

PIPE = """\
DESCRIPTION >
    Per kind: rows and amount. Never mutated: a >= b, sum(x), ORDER BY y ASC.

NODE by_kind_node
SQL >
    %
    SELECT kind, count() AS n, round(sum(amount), 2) AS total
    FROM events
    WHERE 1=1
    {% if defined(id) %}
        AND id = {{String(id, '')}}
    {% end %}
    {% if defined(start_date) %}
        AND ts >= {{DateTime(start_date, '2025-01-01 00:00:00')}}
    {% end %}
    -- a comment: amount >= 1
    GROUP BY kind
    ORDER BY n DESC, kind ASC
    LIMIT {{Int32(limit, 10)}}

TYPE endpoint
"""


def rows() -> list[dict]:
    """30 rows: ids id_0..id_4 (id_0 the most frequent), kinds a/b/c, amounts with cents, one per minute."""
    out = []
    for i in range(30):
        out.append({"id": f"id_{min(i % 7, 4)}", "kind": "abc"[i % 3] if i % 5 else "a", "amount": round(1.25 * i + 0.1, 2),
                    "ts": f"2025-05-12 10:{i:02d}:00"})
    return out


@pytest.fixture(scope="session")
def tiny_project(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("project")
    (folder / "datasources").mkdir()
    (folder / "endpoints").mkdir()
    (folder / "datasources" / "events.datasource").write_text(DATASOURCE)
    (folder / "endpoints" / "by_kind.pipe").write_text(PIPE)
    return folder


@pytest.fixture(scope="session")
def project(tiny_project):
    return read_project(tiny_project)


@pytest.fixture(scope="session")
def db(project, tmp_path_factory):
    from reference import ReferenceDatabase
    database = ReferenceDatabase(tmp_path_factory.mktemp("db"), project, connections=2)
    ndjson = tmp_path_factory.mktemp("data") / "events.ndjson"
    ndjson.write_text("".join(json.dumps(r) + "\n" for r in rows()))
    database.load("events", ndjson)
    yield database
    database.close()
