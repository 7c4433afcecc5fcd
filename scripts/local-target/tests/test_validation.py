"""Row validation: the generated fast path never accepts a row the detailed check rejects."""

from __future__ import annotations

import json
import random

import fixture_data
import pytest
from conftest import PROJECT
from datafiles import read_project
from validation import RowValidator, _parse_all

DATASOURCES = read_project(PROJECT).datasources
GOOD = {
    "store_visits": fixture_data.store_visits(n=20),
    "ecommerce_events": fixture_data.ecommerce_events(n=20),
    "customer_touchpoints": fixture_data.customer_touchpoints(customers=4),
}
WEIRD = [None, True, 1, -1, 2**40, 1.5, "x", "", "12", "2025-01-01 00:00:00", "2025-01-01T00:00:00Z", [], ["a"], [1],
         {"a": 1}, 300, -(2**31) - 1]


@pytest.mark.parametrize("name", sorted(GOOD))
def test_good_rows_fit(name):
    v = RowValidator(DATASOURCES[name])
    for row in GOOD[name]:
        assert v.fits(row)
        assert v.validate(json.dumps(row).encode())[2] == []


@pytest.mark.parametrize("name", sorted(GOOD))
def test_fast_path_agrees_with_detailed_check(name):
    v = RowValidator(DATASOURCES[name])
    rng = random.Random(3)
    rejected = 0
    for _ in range(600):
        row = dict(rng.choice(GOOD[name]))
        key = rng.choice(list(row))
        if rng.random() < 0.2:
            del row[key]
        else:
            row[key] = rng.choice(WEIRD)
        errors = v.validate(json.dumps(row).encode())[2]
        if v.fits(row):
            assert errors == [], (row, errors)
        rejected += bool(errors)
    assert rejected > 100


def test_detailed_check_names_the_columns():
    v = RowValidator(DATASOURCES["customer_touchpoints"])
    row = dict(GOOD["customer_touchpoints"][0], conversion=300, time_spent="soon")
    del row["channel"]
    _, columns, errors = v.validate(json.dumps(row).encode())
    assert columns == ["channel", "conversion", "time_spent"] and len(errors) == 3


def test_parse_all_falls_back_on_anything_odd():
    assert _parse_all([b'{"a":1}', b'{"b":2}']) == [{"a": 1}, {"b": 2}]
    assert _parse_all([b'{"a":1}', b"nope"]) is None
    assert _parse_all([b'{"a":1},{"b":2}', b'{"c":3}']) is None  # one line, two objects: count differs
    assert _parse_all([b'{"a":1']) is None
