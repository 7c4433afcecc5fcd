"""Mutants of whole pipes: deterministic, one change in the SQL only, re-readable, renderable."""

from __future__ import annotations

import difflib

import pytest
from combinations import validity_sets
from localtarget import REPO, read_pipe, read_project, render_pipe
from mutants import pipe_mutants
from pipeinfo import parameters, tables_read


def test_mutants_are_deterministic(project):
    pipe = project.endpoints["by_kind"]
    first, second = pipe_mutants(pipe, project), pipe_mutants(pipe, project)
    assert [(m.id, m.description, m.pipe_text) for m in first] == [(m.id, m.description, m.pipe_text) for m in second]
    assert len({m.id for m in first}) == len(first) > 10


def test_each_mutant_changes_only_sql_lines(project, tiny_project):
    pipe = project.endpoints["by_kind"]
    original = pipe.path.read_text().splitlines()
    description_lines = {1, 2}  # DESCRIPTION > and its text
    comment_line = next(i for i, line in enumerate(original) if "-- a comment" in line)
    for mutant in pipe_mutants(pipe, project):
        changed = {i for tag, i1, i2, _, _ in difflib.SequenceMatcher(None, original, mutant.pipe_text.splitlines())
                   .get_opcodes() if tag != "equal" for i in range(i1, max(i2, i1 + 1))}
        assert changed, mutant.id
        assert not changed & {0, *description_lines, comment_line}, (mutant.id, changed)
        assert mutant.line - 1 in changed or mutant.rule == "template_block", mutant.id


def test_the_mutated_file_reads_back_as_the_mutant(project, tmp_path):
    pipe = project.endpoints["by_kind"]
    for mutant in pipe_mutants(pipe, project):
        path = tmp_path / "by_kind.pipe"
        path.write_text(mutant.pipe_text)
        assert read_pipe(path).nodes[0].sql == mutant.mutated.nodes[0].sql != pipe.nodes[0].sql


def test_expected_mutants_of_the_tiny_pipe(project):
    descriptions = {m.description for m in pipe_mutants(project.endpoints["by_kind"], project)}
    assert "by_kind_node: `>=` → `>` in `ts >= {{DateTime(start_date, '2025-01-01 00:00:00')}}`" in descriptions
    assert "by_kind_node: block `{% if defined(id) %}` removed" in {d.split(" in `")[0] for d in descriptions}
    assert "by_kind_node: default of limit 10 → 9 in `{{Int32(limit, 10)}}`" in descriptions
    assert "by_kind_node: tie-breaker `kind ASC` dropped" in {d.split(" in `")[0] for d in descriptions}
    assert "by_kind_node: `count()` → `uniqExact(id)`" in descriptions


def test_parameters_and_tables(project):
    pipe = project.endpoints["by_kind"]
    params = parameters(pipe)
    assert sorted(params) == ["id", "limit", "start_date"]
    assert (params["start_date"].column, params["start_date"].op, params["start_date"].table) == ("ts", ">=", "events")
    assert (params["limit"].type, params["limit"].default) == ("Int32", "10")
    assert tables_read(pipe, project) == ["events"]


@pytest.mark.parametrize("name", sorted(read_project(REPO / "scenarios" / "tinybird").endpoints))
def test_seed_pipe_mutants_still_render(name):
    """Every mutant of the project's own pipes still renders with Tinybird's renderer (defaults and every
    parameter given): no rule breaks a template block."""
    project = read_project(REPO / "scenarios" / "tinybird")
    pipe = project.endpoints[name]
    mutants = pipe_mutants(pipe, project)
    assert mutants
    for mutant in mutants:
        for given in validity_sets(pipe):
            render_pipe(mutant.mutated, given)


# Tinybird's block rule (as the project reader follows it): `%`, SQL and a `# comment` at column 0 stay inside
# the `SQL >` block; only a column-0 pipe keyword (NODE, TYPE, ...) ends it.
COLUMN_0_PIPE = """\
NODE base
SQL >
%
    SELECT kind, amount, id
    FROM events
WHERE amount >= {{Float64(min_amount, 1)}}
# a comment line, dropped by the reader
    AND kind != 'x'

NODE agg
SQL >
    SELECT kind, count() AS n
    FROM base
GROUP BY kind
    ORDER BY n DESC, kind ASC
LIMIT 10

TYPE endpoint
"""


def test_mutants_of_a_pipe_with_sql_at_column_0_are_written_back_where_they_belong(tmp_path):
    from conftest import DATASOURCE
    from pipefile import node_sources

    (tmp_path / "datasources").mkdir()
    (tmp_path / "datasources" / "events.datasource").write_text(DATASOURCE)
    (tmp_path / "col0.pipe").write_text(COLUMN_0_PIPE)
    project = read_project(tmp_path)
    pipe = project.endpoints["col0"]
    assert "WHERE amount >=" in pipe.nodes[0].sql and "LIMIT 10" in pipe.nodes[1].sql  # the reader keeps them
    sources = node_sources(pipe, COLUMN_0_PIPE)
    assert [s.sql for s in sources] == [n.sql for n in pipe.nodes]
    lines = COLUMN_0_PIPE.splitlines()
    assert [sources[0].file_line(sources[0].sql.index(word)) for word in ("%", "WHERE", "AND")] == [3, 6, 8]
    mutants = pipe_mutants(pipe, project)
    by_line = {lines[m.line - 1].split()[0] for m in mutants}
    assert {"WHERE", "LIMIT", "AND"} <= by_line, by_line  # changes on column-0 lines too
    for mutant in mutants:
        path = tmp_path / "reread" / "col0.pipe"
        path.parent.mkdir(exist_ok=True)
        path.write_text(mutant.pipe_text)
        reread = read_pipe(path)
        assert [n.sql for n in reread.nodes] == [n.sql for n in mutant.mutated.nodes], mutant.id
        changed = {i + 1 for tag, i1, i2, _, _ in difflib.SequenceMatcher(None, lines, mutant.pipe_text.splitlines())
                   .get_opcodes() if tag != "equal" for i in range(i1, max(i2, i1 + 1))}
        assert changed and not changed & {1, 2, 3, 10, 11, 18}, (mutant.id, changed)  # NODE, SQL >, %, TYPE
        # the line where the change starts (a dropped conjunct starts at the end of the line before it)
        assert min(changed) - 1 <= mutant.line <= max(changed), (mutant.id, changed)
