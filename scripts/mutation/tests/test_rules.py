"""Each rule proposes the expected change on a small snippet, and nothing inside comments, strings or tags."""

from __future__ import annotations

import pytest
from rules import NodeContext, changes

CTX = NodeContext(id_columns=("customer_id",))


def mutated(sql: str, ctx: NodeContext = CTX) -> dict[str, set[str]]:
    """Mutated SQL texts by rule."""
    found: dict[str, set[str]] = {}
    for change in changes(sql, ctx):
        found.setdefault(change.rule, set()).add(sql[:change.start] + change.replacement + sql[change.end:])
    return found


@pytest.mark.parametrize("sql, rule, expected", [
    ("SELECT a FROM t WHERE a >= 1", "comparison", "SELECT a FROM t WHERE a > 1"),
    ("SELECT a FROM t WHERE a <= 1", "comparison", "SELECT a FROM t WHERE a < 1"),
    ("SELECT a FROM t WHERE a = 1", "comparison", "SELECT a FROM t WHERE a != 1"),
    ("SELECT a FROM t WHERE a != 1", "comparison", "SELECT a FROM t WHERE a = 1"),
    ("SELECT a FROM t WHERE a < 1", "comparison", "SELECT a FROM t WHERE a > 1"),
    ("SELECT a FROM t WHERE a < 1", "comparison", "SELECT a FROM t WHERE a <= 1"),
    ("SELECT a FROM t WHERE a > 1", "comparison", "SELECT a FROM t WHERE a < 1"),
    ("SELECT a FROM t WHERE 1=1", "comparison", "SELECT a FROM t WHERE 1!=1"),
    ("SELECT x FROM t GROUP BY x HAVING journeys >= {{Int32(min_count, 1)}}", "comparison",
     "SELECT x FROM t GROUP BY x HAVING journeys > {{Int32(min_count, 1)}}"),
    ("SELECT a FROM t LIMIT 10", "number", "SELECT a FROM t LIMIT 9"),
    ("SELECT a FROM t LIMIT 10", "number", "SELECT a FROM t LIMIT 11"),
    ("SELECT a FROM t LIMIT 10", "number", "SELECT a FROM t LIMIT 100"),
    ("SELECT toStartOfInterval(ts, INTERVAL 15 MINUTE) AS b FROM t", "number",
     "SELECT toStartOfInterval(ts, INTERVAL 16 MINUTE) AS b FROM t"),
    ("SELECT a FROM t LIMIT {{Int32(limit, 10)}}", "template_default", "SELECT a FROM t LIMIT {{Int32(limit, 9)}}"),
    ("SELECT a FROM t LIMIT {{Int32(limit, 10)}}", "template_default", "SELECT a FROM t LIMIT {{Int32(limit, 11)}}"),
    ("SELECT sum(x) FROM t", "aggregate", "SELECT avg(x) FROM t"),
    ("SELECT avg(x) FROM t", "aggregate", "SELECT sum(x) FROM t"),
    ("SELECT min(x) FROM t", "aggregate", "SELECT max(x) FROM t"),
    ("SELECT max(x) FROM t", "aggregate", "SELECT min(x) FROM t"),
    ("SELECT uniqExact(x) FROM t", "aggregate", "SELECT uniq(x) FROM t"),
    ("SELECT uniqExact(x) FROM t", "aggregate", "SELECT count() FROM t"),
    ("SELECT count() FROM t", "aggregate", "SELECT uniqExact(customer_id) FROM t"),
    ("SELECT sumIf(x, c = 1) FROM t", "aggregate", "SELECT avgIf(x, c = 1) FROM t"),
    ("SELECT sumIf(x, c = 1) FROM t", "aggregate", "SELECT sum(x) FROM t"),
    ("SELECT countIf(c = 1) FROM t", "aggregate", "SELECT count() FROM t"),
    ("SELECT a FROM t ORDER BY a ASC, b DESC", "order", "SELECT a FROM t ORDER BY a DESC, b DESC"),
    ("SELECT a FROM t ORDER BY a ASC, b DESC", "order", "SELECT a FROM t ORDER BY a ASC, b ASC"),
    ("SELECT a FROM t ORDER BY a ASC, b DESC", "order", "SELECT a FROM t ORDER BY a ASC"),
    ("SELECT a FROM t ORDER BY a", "order", "SELECT a FROM t ORDER BY a DESC"),
    ("SELECT round(x, 2) FROM t", "rounding", "SELECT round(x, 1) FROM t"),
    ("SELECT round(x, 2) FROM t", "rounding", "SELECT x FROM t"),
    ("SELECT arraySort(groupArray(x)) FROM t", "array", "SELECT arrayReverseSort(groupArray(x)) FROM t"),
    ("SELECT arraySort(groupArray(x)) FROM t", "array", "SELECT groupArray(x) FROM t"),
    ("SELECT arraySort(groupArray(x)) FROM t", "array", "SELECT arraySort(groupUniqArray(x)) FROM t"),
    ("SELECT arraySlice(s, 1, n) FROM t", "array", "SELECT arraySlice(s, 1, n - 1) FROM t"),
    ("SELECT arraySlice(s, 1, n) FROM t", "array", "SELECT arraySlice(s, 1, n + 1) FROM t"),
    ("SELECT arraySlice(s, 1, n) FROM t", "number", "SELECT arraySlice(s, 2, n) FROM t"),
    ("SELECT arrayFirstIndex(x -> x = 1, s) FROM t", "array", "SELECT arrayLastIndex(x -> x = 1, s) FROM t"),
    ("SELECT a FROM t WHERE b = 1 AND c = 2", "condition", "SELECT a FROM t WHERE b = 1"),
    ("SELECT a FROM t WHERE b = 1 AND c = 2", "condition", "SELECT a FROM t WHERE 1 AND c = 2"),
    ("SELECT x FROM t GROUP BY x HAVING count() > 1", "condition", "SELECT x FROM t GROUP BY x HAVING 1"),
    ("SELECT a FROM t WHERE 1=1 {% if defined(x) %} AND b = {{String(x)}} {% end %} GROUP BY a", "template_block",
     "SELECT a FROM t WHERE 1=1  GROUP BY a"),
    ("SELECT a FROM t WHERE b = 1 AND c = 2", "logic", "SELECT a FROM t WHERE b = 1 OR c = 2"),
    ("SELECT a + b, a * b FROM t", "arithmetic", "SELECT a - b, a * b FROM t"),
    ("SELECT a + b, a * b FROM t", "arithmetic", "SELECT a + b, a / b FROM t"),
    ("SELECT toStartOfHour(ts) FROM t", "date", "SELECT toStartOfDay(ts) FROM t"),
    ("SELECT toHour(ts) FROM t", "date", "SELECT toMinute(ts) FROM t"),
    ("SELECT toDate(ts) FROM t", "date", "SELECT toStartOfMonth(ts) FROM t"),
    ("SELECT toStartOfInterval(ts, INTERVAL 15 MINUTE) AS b FROM t", "date",
     "SELECT toStartOfInterval(ts, INTERVAL 15 HOUR) AS b FROM t"),
    ("SELECT DISTINCT a FROM t", "distinct", "SELECT a FROM t"),
    ("SELECT a FROM t", "distinct", "SELECT DISTINCT a FROM t"),
    ("SELECT toInt64(a) - toInt64(b) FROM t", "cast", "SELECT a - toInt64(b) FROM t"),
    ("SELECT countIf(x IN ('a', 'b')) FROM t", "membership", "SELECT countIf(x NOT IN ('a', 'b')) FROM t"),
    ("SELECT countIf(x IN ('a', 'b')) FROM t", "membership", "SELECT countIf(x IN ('b')) FROM t"),
    ("SELECT indexOf(['a', 'b', 'c'], x) FROM t", "array_literal", "SELECT indexOf(['b', 'a', 'c'], x) FROM t"),
    ("SELECT lagInFrame(c, 1, c) OVER (ORDER BY s ASC) FROM t", "window", "SELECT leadInFrame(c, 1, c) OVER (ORDER BY s ASC) FROM t"),
])
def test_rule_makes_the_expected_mutant(sql, rule, expected):
    assert expected in mutated(sql).get(rule, set())


@pytest.mark.parametrize("sql, rule", [
    ("SELECT a FROM t -- a >= 1 AND b < 2\nWHERE c", "comparison"),
    ("SELECT 'a >= 1 AND b' FROM t", "comparison"),
    ("SELECT 'a >= 1 AND b' FROM t", "logic"),
    ("SELECT a FROM t WHERE x BETWEEN 1 AND 2", "logic"),
    ("SELECT -a FROM t", "arithmetic"),
    ("SELECT * FROM t", "arithmetic"),
    ("SELECT round(x, 2) FROM t", "number"),
    ("SELECT a FROM t WHERE 1=1 {% if defined(x) %} AND b = {{String(x, 'z')}} {% end %}", "condition"),
    ("SELECT a, count() FROM t GROUP BY a", "distinct"),
    ("SELECT {{DateTime(start_date, '2023-01-01 00:00:00')}} FROM t", "number"),
])
def test_rule_leaves_alone(sql, rule):
    assert rule not in mutated(sql)


def test_where_one_equals_one_gets_only_its_negation():
    found = mutated("SELECT a FROM t WHERE 1=1")
    assert found == {"comparison": {"SELECT a FROM t WHERE 1!=1"}, "distinct": {"SELECT DISTINCT a FROM t WHERE 1=1"}}


def test_the_template_line_is_not_sql():
    assert all(text.startswith("%\n") for texts in mutated("%\nSELECT a FROM t WHERE a % 2 = 1").values() for text in texts)


def test_changes_come_in_order_of_position():
    sql = "SELECT sum(a) FROM t WHERE b >= 1 ORDER BY c ASC LIMIT 10"
    starts = [c.start for c in changes(sql, CTX)]
    assert starts == sorted(starts) and len(starts) >= 6
