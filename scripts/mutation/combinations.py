"""Parameter combinations for comparing a mutant with the original pipe, drawn from the reference data.

Each parameter (or start/end pair on one column) is a group of values: ids that exist (frequent, middle,
rare, seeded picks) and one that does not; date bounds on seconds that hold rows and windows of 1 s, 1 min,
1 h, half and all of the data, and empty ones; limits 0/1/5/large; thresholds 1/2/5... The plan is the
defaults, then every value of every group alone, then seeded pairs of groups, up to a limit.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import combinations as pairs_of

from localtarget import Pipe, Project
from pipeinfo import Parameter, literal_predicates, parameters
from reference import ReferenceDatabase

NO_SUCH_VALUE = "__no_such_value__"
LARGE_LIMIT = "1000000"
Combination = dict[str, str]


@dataclass(frozen=True)
class Group:
    name: str
    values: tuple[Combination, ...]


def _timestamp(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%d %H:%M:%S")


def typical_value(parameter: Parameter) -> str:
    """A value of the parameter's type, for checking that a mutant renders and type-checks."""
    if parameter.is_integer:
        return "5"
    return {"DateTime": "2025-05-12 10:00:00", "DateTime64": "2025-05-12 10:00:00", "Date": "2025-05-12",
            "Float32": "1.5", "Float64": "1.5", "Boolean": "1"}.get(parameter.type, "x")


def validity_sets(pipe: Pipe) -> list[Combination]:
    """The parameters a mutant must render and type-check with: defaults (required ones given) and all given."""
    params = parameters(pipe).values()
    base = {p.name: typical_value(p) for p in params if p.required}
    return [base, {p.name: typical_value(p) for p in params}]


def plan(pipe: Pipe, project: Project, db: ReferenceDatabase, seed: int, limit: int) -> list[Combination]:
    """Defaults, each group's values alone, ids with date bounds on their own rows' seconds, then seeded pairs
    of groups; distinct, at most `limit`."""
    params = parameters(pipe)
    groups = _groups(pipe, params, project, db, seed)
    base: Combination = {}
    for group in groups:
        if any(params[name].required for name in group.values[0]):
            base.update(group.values[0])
    found: list[Combination] = [base]
    for group in groups:
        found += [{**base, **value} for value in group.values]
    found += [{**base, **value} for value in _ids_with_their_times(params, project, db, seed)]
    paired = [{**base, **a, **b} for g, h in pairs_of(groups, 2) for a in g.values for b in h.values]
    random.Random(seed).shuffle(paired)
    unique: dict[tuple, Combination] = {}
    for combination in found + paired:
        unique.setdefault(tuple(sorted(combination.items())), combination)
    return list(unique.values())[:limit]


def _groups(pipe: Pipe, params: dict[str, Parameter], project: Project, db: ReferenceDatabase,
            seed: int) -> list[Group]:
    groups: list[Group] = []
    done: set[str] = set()
    for p in params.values():
        if p.name in done:
            continue
        if _is_time(p) and p.table in project.datasources:
            lower, upper = _bounds(p, params)
            done.update(b.name for b in (lower, upper) if b)
            seconds = _seconds(db, p, seed, "1")
            for n, predicate in enumerate(literal_predicates(pipe, project, p.table or "")[:4]):
                singled_out = _seconds(db, p, seed, predicate)
                if singled_out:
                    seconds.update({f"pick_{n}_first": singled_out["lo"], f"pick_{n}": singled_out["pick0"]})
            groups.append(Group(p.name, tuple(_time_values(lower, upper, seconds))))
            continue
        done.add(p.name)
        groups.append(Group(p.name, tuple({p.name: v} for v in _values(p, project, db, seed))))
    return [g for g in groups if g.values]


def _is_time(p: Parameter) -> bool:
    return p.type.startswith("DateTime") and p.column is not None


def _bounds(p: Parameter, params: dict[str, Parameter]) -> tuple[Parameter | None, Parameter | None]:
    """(lower, upper) bounds on p's column: p and the other DateTime parameter bounding it the other way."""
    lower = p.op in (">=", ">")
    partner = next((o for o in params.values() if o is not p and _is_time(o) and o.column == p.column
                    and (o.op in ("<=", "<")) == lower), None)
    return (p, partner) if lower else (partner, p)


def _values(p: Parameter, project: Project, db: ReferenceDatabase, seed: int) -> list[str]:
    if p.is_integer:
        default = int(p.default) if p.default and p.default.lstrip("-").isdigit() else None
        if "limit" in p.name:  # around the default too: a changed default shows only then
            near = [default - 1, default + 1] if default is not None else []
            return [str(v) for v in dict.fromkeys([0, 1, 2, 5, *near, int(LARGE_LIMIT)]) if v >= 0]
        return [str(v) for v in dict.fromkeys([0, 1, 2, 3, 5, 10, *([default] if default is not None else [])])]
    if p.column and p.table in project.datasources:
        return _existing(p, db, seed) + [NO_SUCH_VALUE]
    return [p.default if p.default is not None else typical_value(p)]


def _existing(p: Parameter, db: ReferenceDatabase, seed: int) -> list[str]:
    """Values of p's column: all when there are few, else the most and least frequent, the middle one and
    three seeded picks."""
    counted = db.values(f"SELECT toString(`{p.column}`) AS v, count() AS n FROM `{p.table}` GROUP BY v"
                        " ORDER BY n DESC, v")
    names = [row[0] for row in counted]
    if len(names) <= 12:
        return names
    picks = random.Random(f"{seed}:{p.name}").sample(names, 3)
    return list(dict.fromkeys([names[0], names[1], names[len(names) // 2], names[-1], *picks]))


def _seconds(db: ReferenceDatabase, p: Parameter, seed: int, where: str) -> dict[str, int]:
    """Seconds (Unix) of p's column in rows matching `where`: first, last, the one with the most rows, the
    middle of the range and up to four seeded picks of seconds that hold rows; {} when no row matches."""
    col, table = f"`{p.column}`", f"`{p.table}`"
    rows, lo, hi = db.values(f"SELECT count(), toUnixTimestamp(min({col})), toUnixTimestamp(max({col}))"
                             f" FROM {table} WHERE {where}")[0]
    if rows == 0:
        return {}
    busiest = db.values(f"SELECT toUnixTimestamp({col}) AS t FROM {table} WHERE {where} GROUP BY t"
                        " ORDER BY count() DESC, t LIMIT 1")[0][0]
    picked = [row[0] for row in db.values(f"SELECT DISTINCT toUnixTimestamp({col}) AS t FROM {table} WHERE {where}"
                                          f" ORDER BY cityHash64(t, {int(seed)}) LIMIT 4")]
    return {"lo": lo, "hi": hi, "mid": lo + (hi - lo) // 2, "busiest": busiest,
            **{f"pick{k}": t for k, t in enumerate(picked)}}


def _time_values(lower: Parameter | None, upper: Parameter | None, s: dict[str, int]) -> list[Combination]:
    """Each bound alone on seconds that hold rows, and windows: 1 s, 1 min and 1 h from (and up to) such a
    second; with the middle of the range known, the first and second half, all, and empty windows before and
    after the rows."""
    held = [t for name, t in s.items() if name != "mid"]
    values: list[Combination] = []
    for bound in (lower, upper):
        if bound is not None:
            values += [{bound.name: _timestamp(t)} for t in dict.fromkeys(held)]
    if lower is None or upper is None:
        return values
    inner = list(dict.fromkeys(t for name, t in s.items() if name == "busiest" or name.startswith("pick")))
    windows = [(t, t + width) for t in inner for width in (0, 59, 3599)] + [(t - 59, t) for t in inner]
    if "mid" in s:
        windows += [(s["lo"], s["mid"]), (s["mid"] + 1, s["hi"]), (s["lo"], s["hi"]), (s["hi"] + 1, s["hi"] + 3600),
                    (s["lo"] - 3600, s["lo"] - 1)]
    return values + [{lower.name: _timestamp(a), upper.name: _timestamp(b)} for a, b in dict.fromkeys(windows)]


def _ids_with_their_times(params: dict[str, Parameter], project: Project, db: ReferenceDatabase,
                          seed: int) -> list[Combination]:
    """For an id filter and a time filter on the same table: a frequent, a middle and a rare id, each with
    bounds and 1 s / 1 min windows on seconds holding that id's rows (whole-table seconds rarely do)."""
    found: list[Combination] = []
    for p in params.values():
        if p.is_integer or _is_time(p) or not p.column or p.table not in project.datasources:
            continue
        times = [t for t in params.values() if _is_time(t) and t.table == p.table]
        if not times:
            continue
        lower, upper = _bounds(times[0], params)
        existing = _existing(p, db, seed)
        for value in dict.fromkeys([existing[0], existing[len(existing) // 2], existing[-1]]):
            literal = value.replace("\\", "\\\\").replace("'", "\\'")
            s = _seconds(db, times[0], seed, f"toString(`{p.column}`) = '{literal}'")
            picked = {k: t for k, t in s.items() if k in ("lo", "hi", "busiest", "pick0")}
            for combination in _time_values(lower, upper, picked):
                found.append({p.name: value, **combination})
    return found
