"""Is a mutant equivalent to its pipe? Decided by ClickHouse on the reference data: the same answers (column
names, rows in order, floats within 1e-9 relative) for every parameter combination of the plan.

A combination where the original pipe errors is not compared (no client gets an answer there); a mutant that
errors where the original answers differs. The first differing combination ends the comparison.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass

from localtarget import Pipe, QueryError
from reference import Answer, ReferenceDatabase, render

RELATIVE_TOLERANCE = 1e-9


@dataclass(frozen=True)
class Verdict:
    equivalent: bool
    compared: int  # combinations compared (where the original answered)
    combination: dict[str, str] | None = None  # the first one that told them apart
    difference: str | None = None


def same_value(a: object, b: object) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        if isinstance(a, int) and isinstance(b, int):
            return a == b
        return a == b or math.isclose(a, b, rel_tol=RELATIVE_TOLERANCE, abs_tol=0.0)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(same_value(x, y) for x, y in zip(a, b, strict=True))
    return a == b


def difference(original: Answer, mutant: Answer) -> str | None:
    """None when the answers are the same, else a one-line account of the first difference."""
    if mutant.error is not None:
        return f"the mutant fails: {mutant.error[:160]}"
    if original.columns != mutant.columns:
        return f"columns {list(mutant.columns)} instead of {list(original.columns)}"
    if len(original.rows) != len(mutant.rows):
        return f"{len(mutant.rows)} rows instead of {len(original.rows)}"
    for r, (expected, actual) in enumerate(zip(original.rows, mutant.rows, strict=True)):
        for name, a, b in zip(original.columns, expected, actual, strict=True):
            if not same_value(a, b):
                return f"row {r + 1} {name}: {_short(b)} instead of {_short(a)}"
    return None


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:59] + "…"


class Comparator:
    """Answers of the original pipes, computed once per combination, compared with each mutant's. A mutant
    whose SQL renders exactly as the original's for a combination has its answer without a query."""

    def __init__(self, db: ReferenceDatabase, plans: dict[str, list[dict[str, str]]]) -> None:
        self.db = db
        self.plans = plans
        self._originals: dict[str, list[tuple[str, Answer] | None]] = {name: [None] * len(plan)
                                                                       for name, plan in plans.items()}
        self._locks = {name: threading.Lock() for name in plans}  # judge() runs on several threads

    def original(self, pipe: Pipe, index: int) -> tuple[str, Answer]:
        """(rendered SQL, answer) of the original pipe for combination `index`."""
        answers = self._originals[pipe.name]
        with self._locks[pipe.name]:
            if answers[index] is None:
                sql, answer = _render(pipe, self.plans[pipe.name][index])
                answers[index] = (sql, answer or self.db.answer(sql))
            cached = answers[index]
            assert cached is not None  # set above when it was not
            return cached

    def judge(self, original: Pipe, mutant: Pipe) -> Verdict:
        compared = 0
        for index, combination in enumerate(self.plans[original.name]):
            original_sql, expected = self.original(original, index)
            if expected.error is not None:
                continue
            compared += 1
            sql, answer = _render(mutant, combination)
            if sql == original_sql:
                continue
            found = difference(expected, answer or self.db.answer(sql))
            if found is not None:
                return Verdict(False, compared, combination, found)
        return Verdict(True, compared)


def _render(pipe: Pipe, combination: dict[str, str]) -> tuple[str, Answer | None]:
    """The rendered SQL, and an error answer when the template refuses the parameters."""
    try:
        return render(pipe, combination), None
    except QueryError as error:
        return "", Answer(error=" ".join(str(error).split())[:300])
