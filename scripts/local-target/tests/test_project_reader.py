"""Any Tinybird project: our datafile reader against Tinybird's own parser, project layout, and start errors."""

from __future__ import annotations

import subprocess
import warnings

import pytest
from conftest import TARGET
from datafiles import DatafileError, read_project
from ddl import engine_clause
from projects import ANALYTICS_PROJECT, ENGINES_PROJECT, OVERLAP_DATASOURCE, PIPES_PROJECT, TYPED_DATASOURCE, write_project

warnings.filterwarnings("ignore")

PROJECTS = {
    "typed": {"datasources/typed.datasource": TYPED_DATASOURCE, "datasources/overlap.datasource": OVERLAP_DATASOURCE},
    "analytics": ANALYTICS_PROJECT,
    "engines": ENGINES_PROJECT,
    "pipes": PIPES_PROJECT,
}


@pytest.fixture(scope="module")
def projects(tmp_path_factory):
    return {name: write_project(tmp_path_factory.mktemp(name), files) for name, files in PROJECTS.items()}


def datasource_cases():
    return [(p, f) for p, files in PROJECTS.items() for f in files if f.startswith("datasources/")]


def pipe_cases():
    return [(p, f) for p, files in PROJECTS.items() for f in files
            if f.endswith(".pipe") and not f.startswith(("tests/", ".hidden/"))]


@pytest.mark.parametrize("project,relative", datasource_cases(), ids=lambda x: x)
def test_datasource_agrees_with_tinybird(projects, project, relative):
    from tinybird.ch_utils.engine import engine_full_from_dict
    from tinybird.datafile.parse_datasource import parse_datasource

    path = projects[project] / relative
    node = parse_datasource(str(path)).datafile.nodes[0]
    ours = read_project(projects[project]).datasources[path.stem]
    theirs = []
    for c in node["columns"]:
        default = c["default_value"][len("DEFAULT "):] if c["default_value"] else None
        theirs.append((c["name"], f"Nullable({c['type']})" if c["nullable"] else c["type"],
                       c["jsonpath"] or f"$.{c['name']}", default))
    assert [(c.name, c.type, c.json_path, c.default) for c in ours.columns] == theirs
    engine = node.get("engine", {"type": "MergeTree", "args": []})
    assert ours.engine.lower() == engine["type"].lower()
    assert dict(ours.engine_args) == dict(engine["args"])
    expected = engine_full_from_dict(engine["type"], dict(engine["args"]), columns=node["columns"])
    if ours.engine == "SummingMergeTree":  # ClickHouse takes the summed columns as one tuple
        expected = expected.replace(f"({ours.arg('columns')})", f"(({ours.arg('columns')}))", 1)
    assert engine_clause(ours) == expected


@pytest.mark.parametrize("project,relative", pipe_cases(), ids=lambda x: x)
def test_pipe_agrees_with_tinybird(projects, project, relative):
    from tinybird.datafile.parse_pipe import parse_pipe

    path = projects[project] / relative
    nodes = parse_pipe(str(path)).datafile.nodes
    ours = read_project(projects[project]).pipes[path.stem]
    assert [n.name for n in ours.nodes] == [n["name"] for n in nodes]
    for mine, theirs in zip(ours.nodes, nodes, strict=True):
        assert " ".join(mine.sql.split()) == " ".join(theirs["sql"].split())
        assert mine.type == theirs.get("type", "").lower()
        assert mine.datasource == theirs.get("datasource", "")


def test_project_layout_finds_pipes_anywhere_but_fixtures_tests_and_hidden(projects):
    project = read_project(projects["analytics"])
    assert set(project.datasources) == {"events", "daily_country", "batch_sizes"}
    assert set(project.pipes) == {"daily_country_mv", "batch_sizes_mv", "daily_country_stats", "kinds", "helper",
                                  "snapshot"}
    assert set(project.endpoints) == {"daily_country_stats", "kinds"}  # TYPE endpoint, in endpoints/ or pipes/
    assert sorted(p.name for p in project.materializations) == ["batch_sizes_mv", "daily_country_mv"]
    assert project.pipes["snapshot"].kind == "copy" and project.pipes["helper"].kind == ""


def test_pipes_without_type_under_endpoints_are_endpoints(tmp_path):
    root = write_project(tmp_path, {
        "datasources/d.datasource": "SCHEMA >\n    `a` String\n",
        "endpoints/untyped.pipe": "NODE n\nSQL >\n    SELECT a FROM d\n",
        "pipes/untyped_elsewhere.pipe": "NODE n\nSQL >\n    SELECT a FROM d\n",
        "materializations/untyped_mv.pipe": "NODE n\nSQL >\n    SELECT a FROM d\n",
        "x/copies/untyped_copy.pipe": "NODE n\nSQL >\n    SELECT a FROM d\n",
        "pipes/standard.pipe": "NODE n\nSQL >\n    SELECT a FROM d\nTYPE standard\n",
    })
    # classic layout: no TYPE anywhere publishes the last node, except under materializations/, copies/, sinks/
    assert set(read_project(root).endpoints) == {"untyped", "untyped_elsewhere"}


GOOD_DS = "datasources/d.datasource"
ERRORS = [
    ({GOOD_DS: "SCHEMA >\n    `a` String,\n    `b` Strange Type(,\n"}, "d.datasource:3:", "parentheses"),
    ({GOOD_DS: "SCHEMA >\n    `a` String,\n    `b` Int32 MATERIALIZED a\n"}, "d.datasource:3:", "MATERIALIZED"),
    ({GOOD_DS: "SCHEMA >\n    `a` String,\n    `b` DEFAULT 1\n"}, "d.datasource:3:", "has no type"),
    ({GOOD_DS: "SCHEMA >\n    `a` String `json:$.x[0]`\n"}, "d.datasource:2:", "supported: .key"),
    ({GOOD_DS: "SCHEMA >\n    `a` String `json:$`\n"}, "d.datasource:2:", "whole row"),
    ({GOOD_DS: "SCHEMA >\n    `a` String,,\n    `b` String\n"}, "d.datasource:2:", "two commas"),
    ({GOOD_DS: "SCHEMA >\n    `a` String,\n    `a` Int8\n"}, "d.datasource:3:", "already defined on line 2"),
    ({GOOD_DS: "SCHEMA >\n    `a` String\n\nENGINE \"Log\"\n"}, "d.datasource:4:", "not supported"),
    ({GOOD_DS: "SCHEMA >\n    `a` String\n\nENGINE \"CollapsingMergeTree\"\nENGINE_SORTING_KEY \"a\"\n"},
     "d.datasource:4:", "needs ENGINE_SIGN"),
    ({GOOD_DS: "SCHEMA >\n    `a` String\n\nENGINE \"ReplacingMergeTree\"\nENGINE_VER \"v\"\n"
               "ENGINE_SORTING_KEY \"a\"\n"}, "d.datasource:5:", "not a column"),
    ({GOOD_DS: "WHATEVER 1\nSCHEMA >\n    `a` String\n"}, "d.datasource:1:", "unsupported keyword WHATEVER"),
    # not a keyword of a .datasource: the line belongs to the SCHEMA block (Tinybird's rule), and is a bad column
    ({GOOD_DS: "SCHEMA >\n    `a` String,\nWHATEVER 1\n"}, "d.datasource:3:", "'WHATEVER'"),
    ({GOOD_DS: "SCHEMA >\n    `a` String\n", "pipes/p.pipe": "NODE n\nSQL >\n    SELECT 1\nINCLUDE \"x.incl\"\n"},
     "p.pipe:4:", "no such file"),
    ({GOOD_DS: "SCHEMA >\n    `a` String\n", "pipes/p.pipe": "INCLUDE \"p.incl\"\n", "pipes/p.incl": "INCLUDE \"p.incl\"\n"},
     "p.pipe:1:", "more than 100 INCLUDEs"),
    ({GOOD_DS: "SCHEMA >\n    `a` String\n", "pipes/p.pipe": "NODE n\nSQL >\n    SELECT 1\nTYPE copy\n"},
     "p.pipe:1:", "has no TARGET_DATASOURCE"),
    ({GOOD_DS: "SCHEMA >\n    `a` String\n", "pipes/p.pipe": "ENGINE MergeTree\nNODE n\nSQL >\n    SELECT 1\n"},
     "p.pipe:1:", "ENGINE before any NODE"),
    ({GOOD_DS: "SCHEMA >\n    `a` String\n", "pipes/p.pipe": "NODE n\nSQL >\n    SELECT 1\nTYPE copy\n"
      "TARGET_DATASOURCE d\nCOPY_MODE upsert\n"}, "p.pipe:6:", "COPY_MODE 'upsert' is unknown"),
    ({GOOD_DS: "DESCRIPTION >\n    x\n"}, "d.datasource:1:", "no SCHEMA"),
    ({GOOD_DS: "SCHEMA >\n    `a` String\n", "pipes/p.pipe": "SQL >\n    SELECT 1\n"}, "p.pipe:1:", "before any NODE"),
    ({GOOD_DS: "SCHEMA >\n    `a` String\n", "pipes/p.pipe": "NODE n\nSQL >\n    SELECT 1\nTYPE endpoint\n"
      "NODE m\nSQL >\n    SELECT 2\nTYPE endpoint\n"}, "p.pipe:8:", "a second node with a TYPE"),
    ({GOOD_DS: "SCHEMA >\n    `a` String\n", "pipes/p.pipe": "NODE n\nSQL >\n    SELECT 1\nTYPE materialized\n"},
     "p.pipe:1:", "has no DATASOURCE"),
    ({GOOD_DS: "SCHEMA >\n    `a` String\n", "pipes/p.pipe": "NODE n\nSQL >\n    SELECT 1\nTYPE materialized\n"
      "DATASOURCE nowhere\n"}, "p.pipe:1:", "not a .datasource"),
    ({GOOD_DS: "SCHEMA >\n    `a` String\n", "pipes/p.pipe": "NODE n\nTYPE endpoint\n"}, "p.pipe:1:", "has no SQL"),
    ({GOOD_DS: "SCHEMA >\n    `a` String\n", "pipes/p.pipe": "NODE n\nSQL >\n    SELECT 1\nTYPE api\n"},
     "p.pipe:4:", "TYPE 'api' is unknown"),
    ({GOOD_DS: "SCHEMA >\n    `a` String\n", "pipes/d.pipe": "NODE n\nSQL >\n    SELECT 1\n"}, "d.pipe:1:",
     "already used"),
]


@pytest.mark.parametrize("files,where,what", ERRORS, ids=[e[2] for e in ERRORS])
def test_unreadable_datafiles_name_file_line_and_what(tmp_path, files, where, what):
    with pytest.raises(DatafileError) as raised:
        read_project(write_project(tmp_path, files))
    message = str(raised.value)
    assert "\n" not in message and where in message and what in message, message


def test_start_fails_with_one_line_naming_the_datafile(tmp_path):
    root = write_project(tmp_path / "project", {GOOD_DS: "SCHEMA >\n    `a` String,\n    `b` Strng `json:$.b`\n"})
    result = subprocess.run([str(TARGET / "start"), "--port", "0", "--project", str(root),
                             "--data", str(tmp_path / "data")], capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "d.datasource:3:" in lines[0] and "'b'" in lines[0] and "Strng" in lines[0]


BLOCKS_PIPE = """\
DESCRIPTION >
Prose at column 0 belongs to the description,
    and so does this line.

NODE paged
DESCRIPTION >
    a node's own description
SQL >
%
with {{ Int32(page, 0) * 10 }} as page_start
SELECT a, page_start
FROM d
  -- comment at column 2
WHERE a != 'select'
TYPE endpoint
"""


def test_block_ends_only_at_a_column_0_keyword(tmp_path):
    from tinybird.datafile.parse_pipe import parse_pipe

    root = write_project(tmp_path, {GOOD_DS: "SCHEMA >\n    `a` String\n", "pipes/paged.pipe": BLOCKS_PIPE})
    (tmp_path / "pipes/paged.pipe").write_text(BLOCKS_PIPE)  # as written: no dedent
    pipe = read_project(root).pipes["paged"]
    theirs = parse_pipe(str(tmp_path / "pipes/paged.pipe")).datafile.nodes[0]
    assert pipe.nodes[0].sql == theirs["sql"]  # `%` kept first, the template as written (Tinybird: sql.strip())
    assert pipe.nodes[0].sql.startswith("%\nwith {{ Int32(page, 0) * 10 }} as page_start\nSELECT")
    assert pipe.kind == "endpoint" and "Prose at column 0" in pipe.description and "this line" in pipe.description


def test_block_errors_keep_their_line_numbers(tmp_path):
    text = "DESCRIPTION >\nsome prose\n\nSCHEMA >\n\n`a` String,\n# a comment inside the block\n    `b` Strange(,\n"
    with pytest.raises(DatafileError) as raised:
        read_project(write_project(tmp_path, {GOOD_DS: text}))
    assert "d.datasource:8:" in str(raised.value)


def test_comment_lines_inside_blocks_are_dropped(tmp_path):
    text = "SCHEMA >\n    `a` String `json:$.a`,\n    `b` String DEFAULT 'x'\n\n\n# it's a comment, quote and all\n\n" \
           "ENGINE \"MergeTree\"\n"
    ds = read_project(write_project(tmp_path, {GOOD_DS: text})).datasources["d"]
    assert [c.name for c in ds.columns] == ["a", "b"] and ds.columns[1].default == "'x'"


def test_classic_materialized_pipe_with_engine_lines_is_read(tmp_path):
    root = write_project(tmp_path, {
        GOOD_DS: "SCHEMA >\n    `a` String\n",
        "datasources/t.datasource": "SCHEMA >\n    `a` String,\n    `n` AggregateFunction(count)\n\n"
                                    "ENGINE AggregatingMergeTree\nENGINE_SORTING_KEY a\n",
        "pipes/mv.pipe": "NODE mv\nSQL >\n\n    SELECT a, countState() AS n FROM d GROUP BY a\n\nTYPE materialized\n"
                         "DATASOURCE t\nENGINE \"AggregatingMergeTree\"\nENGINE_SORTING_KEY \"a\"\n"
                         "ENGINE_TTL \"now() + 1\"\n\nTOKEN read_pipes READ\n",
    })
    pipe = read_project(root).pipes["mv"]
    assert pipe.kind == "materialized" and pipe.output.datasource == "t" and not pipe.is_endpoint


def test_include_inserts_the_file_with_its_variables(tmp_path):
    root = write_project(tmp_path, {
        GOOD_DS: "SCHEMA >\n    `a` String\n",
        "includes/filter.incl": "NODE filtered\nSQL >\n    SELECT a FROM d WHERE a = '$value'\n",
        "pipes/p.pipe": "INCLUDE \"../includes/filter.incl\" value=x\n\nNODE endpoint\nSQL >\n"
                        "    SELECT count() AS n FROM filtered\nTYPE endpoint\n",
    })
    pipe = read_project(root).pipes["p"]
    assert [n.name for n in pipe.nodes] == ["filtered", "endpoint"]
    assert pipe.nodes[0].sql == "SELECT a FROM d WHERE a = 'x'" and pipe.nodes[0].line == 1
    assert pipe.nodes[1].line == 3 and pipe.is_endpoint
