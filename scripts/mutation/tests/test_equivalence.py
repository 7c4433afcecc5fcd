"""Equivalence decided by ClickHouse (chdb) on a tiny dataset, and the parameter combinations it uses."""

from __future__ import annotations

from dataclasses import replace

import pytest
from combinations import NO_SUCH_VALUE, plan
from equivalence import Comparator, difference, same_value
from mutants import pipe_mutants
from reference import Answer


def with_sql(pipe, sql: str):
    return replace(pipe, nodes=(replace(pipe.nodes[0], sql=sql),))


def judge(db, project, original_sql: str, mutant_sql: str):
    pipe = with_sql(project.endpoints["by_kind"], original_sql)
    comparator = Comparator(db, {pipe.name: plan(pipe, project, db, seed=1, limit=240)})
    return comparator.judge(pipe, with_sql(pipe, mutant_sql))


def test_order_by_asc_is_the_default_order(db, project):
    verdict = judge(db, project, "SELECT kind, count() AS n FROM events GROUP BY kind ORDER BY kind ASC",
                    "SELECT kind, count() AS n FROM events GROUP BY kind ORDER BY kind")
    assert verdict.equivalent and verdict.compared == 1


def test_order_by_desc_differs(db, project):
    verdict = judge(db, project, "SELECT kind, count() AS n FROM events GROUP BY kind ORDER BY kind ASC",
                    "SELECT kind, count() AS n FROM events GROUP BY kind ORDER BY kind DESC")
    assert not verdict.equivalent
    assert verdict.combination == {} and verdict.difference == "row 1 kind: 'c' instead of 'a'"


def test_an_error_where_the_original_answers_differs(db, project):
    verdict = judge(db, project, "SELECT kind FROM events GROUP BY kind ORDER BY kind",
                    "SELECT kind FROM events GROUP BY kind ORDER BY no_such_column")
    assert not verdict.equivalent and verdict.difference.startswith("the mutant fails: ")


def test_a_bound_on_a_second_holding_rows_tells_apart_ge_from_gt(db, project):
    template = ("%\nSELECT kind, count() AS n FROM events WHERE 1=1\n{% if defined(start_date) %}\n"
                "AND ts OP {{DateTime(start_date, '2025-01-01 00:00:00')}}\n{% end %}\nGROUP BY kind ORDER BY kind")
    verdict = judge(db, project, template.replace("OP", ">="), template.replace("OP", ">"))
    assert not verdict.equivalent and "start_date" in verdict.combination


def test_the_tiny_pipe_has_equivalent_and_other_mutants(db, project):
    pipe = project.endpoints["by_kind"]
    comparator = Comparator(db, {pipe.name: plan(pipe, project, db, seed=1, limit=240)})
    verdicts = {m.description: comparator.judge(pipe, m.mutated).equivalent for m in pipe_mutants(pipe, project)}
    assert verdicts["by_kind_node: `>=` → `>` in `ts >= {{DateTime(start_date, '2025-01-01 00:00:00')}}`"] is False
    assert verdicts["by_kind_node: default of limit 10 → 11 in `{{Int32(limit, 10)}}`"] is True  # 3 kinds only
    assert verdicts["by_kind_node: default of limit 10 → 9 in `{{Int32(limit, 10)}}`"] is True


def test_plan_starts_with_the_defaults_and_draws_values_from_the_data(db, project):
    combinations = plan(project.endpoints["by_kind"], project, db, seed=1, limit=240)
    assert combinations[0] == {}
    ids = {c["id"] for c in combinations if set(c) == {"id"}}
    assert ids == {"id_0", "id_1", "id_2", "id_3", "id_4", NO_SUCH_VALUE}
    limits = {c["limit"] for c in combinations if set(c) == {"limit"}}
    assert {"0", "1", "5", "9", "11", "1000000"} <= limits
    windows = [c for c in combinations if "start_date" in c]
    assert {"start_date": "2025-05-12 10:00:00"} in windows  # the first second holding rows
    assert any("id" in c and "start_date" in c for c in combinations)
    assert combinations == plan(project.endpoints["by_kind"], project, db, seed=1, limit=240)
    assert len(plan(project.endpoints["by_kind"], project, db, seed=1, limit=7)) == 7


@pytest.mark.parametrize("a, b, same", [
    (1.0, 1.0 + 1e-12, True), (1.0, 1.0 + 1e-6, False), (0.0, 0.0, True), (1e-300, 0.0, False),
    (5, 5, True), (5, 6, False), ([1, 2.0], [1, 2.0 * (1 + 1e-12)], True), ([1, 2], [2, 1], False),
    (None, None, True), ("a", "a", True),
])
def test_values_compare_within_a_relative_tolerance(a, b, same):
    assert same_value(a, b) is same


def test_difference_names_the_first_differing_cell():
    original = Answer(("a", "b"), ((1, 2.0), (3, 4.0)))
    assert difference(original, Answer(("a", "b"), ((1, 2.0), (3, 4.0)))) is None
    assert difference(original, Answer(("a", "b"), ((1, 2.0),))) == "1 rows instead of 2"
    assert difference(original, Answer(("a", "c"), ((1, 2.0), (3, 4.0)))) == "columns ['a', 'c'] instead of ['a', 'b']"
    assert difference(original, Answer(("a", "b"), ((1, 2.0), (3, 4.5)))) == "row 2 b: 4.5 instead of 4.0"
