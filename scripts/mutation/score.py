"""The mutation score of a scenario's checks: mutants of its pipes, equivalent ones set aside by ClickHouse on
reference data, the rest judged by end-to-end `starling run`s."""

from __future__ import annotations

import hashlib
import json
import random
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from combinations import plan, validity_sets
from equivalence import Comparator, Verdict
from killing import Run, Runner, batches, write_project
from localtarget import Pipe, Project
from mutants import Mutant, pipe_mutants
from pipeinfo import tables_read
from reference import ReferenceDatabase

KILLED, SURVIVED, EQUIVALENT, UNJUDGED = "killed", "survived", "equivalent", "unjudged"
PROGRESS_EVERY = 60  # seconds between progress lines of a long phase
VERDICT_VERSION = "1"  # part of every cached verdict's key: raise it when the comparison changes


@dataclass
class Outcome:
    """What became of one mutant."""
    mutant: Mutant
    status: str = ""
    verdict: Verdict | None = None  # the comparison on the reference data
    run: str = ""  # the run that judged it
    failed: list[dict] = field(default_factory=list)  # the mutated pipe's failed checks in that run
    note: str = ""  # why it is unjudged, or why no check could see it


@dataclass
class Stillborn:
    mutant: Mutant
    reason: str


def log(message: str) -> None:
    print(f"mutation-score: {message}", file=sys.stderr, flush=True)


def endpoint_pipes(project: Project, datasources: list[str], wanted: list[str] | None) -> list[Pipe]:
    """The endpoints that read a datasource of the scenario, by name (all of `wanted` must be among them)."""
    reading = {name: pipe for name, pipe in sorted(project.endpoints.items())
               if set(tables_read(pipe, project)) & set(datasources)}
    if wanted is None:
        return list(reading.values())
    unknown = [name for name in wanted if name not in reading]
    if unknown:
        raise ValueError(f"--pipes: {', '.join(unknown)} not among the scenario's endpoints ({', '.join(reading)})")
    return [reading[name] for name in sorted(set(wanted))]


def viable(pipes: list[Pipe], project: Project, db: ReferenceDatabase) -> tuple[list[Mutant], list[Stillborn]]:
    """Every mutant that renders and that ClickHouse accepts (DESCRIBE) with the defaults and with every
    parameter given; the others are stillborn."""
    alive: list[Mutant] = []
    stillborn: list[Stillborn] = []
    for pipe in pipes:
        sets = [s for s in validity_sets(pipe) if db.check(pipe, s) is None]
        for mutant in pipe_mutants(pipe, project):
            reason = next((r for r in (db.check(mutant.mutated, s) for s in sets) if r), None)
            if reason:
                stillborn.append(Stillborn(mutant, reason))
            else:
                alive.append(mutant)
    return alive, stillborn


def sample(mutants: list[Mutant], count: int, seed: int) -> list[Mutant]:
    """`count` mutants drawn round-robin over the pipes (each pipe's order shuffled by the seed), listed in
    their original order."""
    rng = random.Random(seed)
    by_pipe: dict[str, list[Mutant]] = {}
    for mutant in mutants:
        by_pipe.setdefault(mutant.pipe, []).append(mutant)
    queues = {pipe: rng.sample(ms, len(ms)) for pipe, ms in sorted(by_pipe.items())}
    chosen: set[str] = set()
    while len(chosen) < min(count, len(mutants)):
        for pipe in sorted(queues):
            if queues[pipe] and len(chosen) < count:
                chosen.add(queues[pipe].pop(0).id)
    return [m for m in mutants if m.id in chosen]


class VerdictCache:
    """Equivalence verdicts by (original pipe, mutant, combinations, dataset), kept across invocations."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self.entries: dict[str, dict] = json.loads(path.read_text())
        except (OSError, ValueError):
            self.entries = {}

    @staticmethod
    def key(original: Pipe, mutant: Mutant, combinations: list[dict[str, str]]) -> str:
        assert original.path is not None
        text = "\0".join([VERDICT_VERSION, original.path.read_text(), mutant.pipe_text,
                          json.dumps(combinations, sort_keys=True)])
        return hashlib.sha256(text.encode()).hexdigest()

    def get(self, key: str) -> Verdict | None:
        entry = self.entries.get(key)
        return Verdict(**entry) if entry else None

    def put(self, key: str, verdict: Verdict) -> None:
        self.entries[key] = verdict.__dict__

    def save(self) -> None:
        partial = self.path.with_suffix(".partial")
        partial.write_text(json.dumps(self.entries, sort_keys=True))
        partial.replace(self.path)


def judge_equivalence(mutants: list[Mutant], pipes: dict[str, Pipe], comparator: Comparator, cache: VerdictCache,
                      jobs: int) -> dict[str, Verdict]:
    def judge(mutant: Mutant) -> tuple[str, Verdict]:
        key = VerdictCache.key(pipes[mutant.pipe], mutant, comparator.plans[mutant.pipe])
        verdict = cache.get(key)
        if verdict is None:
            verdict = comparator.judge(pipes[mutant.pipe], mutant.mutated)
            cache.put(key, verdict)
        return mutant.id, verdict

    verdicts: dict[str, Verdict] = {}
    last_note = time.monotonic()
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        for mutant_id, verdict in pool.map(judge, mutants):
            verdicts[mutant_id] = verdict
            if time.monotonic() - last_note > PROGRESS_EVERY:
                last_note = time.monotonic()
                log(f"equivalence: {len(verdicts)} of {len(mutants)} mutants compared")
    cache.save()
    return verdicts


@dataclass
class Scoring:
    """Everything the report needs."""
    outcomes: list[Outcome]
    stillborn: list[Stillborn]
    runs: list[Run]
    baseline: Run | None
    combinations: dict[str, int]
    reference_rows: dict[str, int]
    seconds: dict[str, float]


def kill(outcomes: list[Outcome], project: Project, runner: Runner, workdir: Path, one_per_run: bool) -> tuple[Run, list[Run]]:
    """A baseline run of the unmutated copy, then one run per batch; fills in each outcome's status."""
    pipe_paths = {name: pipe.path for name, pipe in project.pipes.items()}
    baseline_dir = workdir / "baseline"
    baseline_dir.mkdir(parents=True)
    log("baseline run of the unmutated project")
    baseline = runner.run("baseline", write_project(project.folder, baseline_dir / "project", [], pipe_paths), baseline_dir)
    log(f"baseline: exit {baseline.exit} ({baseline.run_seconds:.0f} s run, {baseline.seconds:.0f} s with the lock wait)")
    if not baseline.judged:
        raise RuntimeError(f"the unmutated project gives no verdict (exit {baseline.exit}): {baseline.message}")
    broken = {c.pipe for c in baseline.checks if c.status == "failed"}
    pending = [o for o in outcomes if o.status == ""]
    for outcome in pending:
        if outcome.mutant.pipe in broken:
            outcome.status, outcome.note = UNJUDGED, "the unmutated pipe already fails a check"
    by_pipe: dict[str, list[Outcome]] = {}
    for outcome in pending:
        if outcome.status == "":
            by_pipe.setdefault(outcome.mutant.pipe, []).append(outcome)
    groups = batches({p: [o.mutant for o in os] for p, os in by_pipe.items()}, one_per_run)
    index = {o.mutant.id: o for o in pending}
    runs: list[Run] = []
    for n, group in enumerate(groups, 1):
        folder = workdir / f"batch{n:03d}"
        folder.mkdir()
        run = runner.run(f"batch{n:03d}", write_project(project.folder, folder / "project", group, pipe_paths), folder)
        runs.append(run)
        killed = 0
        for mutant in group:
            killed += _judge(index[mutant.id], run)
        log(f"run {n}/{len(groups)}: {len(group)} mutants, exit {run.exit}, {killed} killed"
            f" ({run.run_seconds:.0f} s run, {run.seconds:.0f} s with the lock wait)")
    return baseline, runs


def _judge(outcome: Outcome, run: Run) -> bool:
    pipe = outcome.mutant.pipe
    outcome.run = run.name
    ran = run.ran(pipe)
    if not run.judged:
        outcome.status, outcome.note = UNJUDGED, f"run gave no verdict (exit {run.exit}, twice): {run.message}"
    elif not ran:
        outcome.status, outcome.note = SURVIVED, "no check of this pipe ran"
    elif run.exit == 2 and run.failed(pipe):
        outcome.status = KILLED
        outcome.failed = [{"parameters": c.parameters, "reason": c.reason[:300]} for c in run.failed(pipe)]
    elif all(c.status == "skipped" for c in ran):
        outcome.status, outcome.note = UNJUDGED, "every check of this pipe was skipped"
    else:
        outcome.status = SURVIVED
    return outcome.status == KILLED


def score(outcomes: list[Outcome]) -> tuple[int, int, float | None]:
    """(killed, counted, killed / counted): equivalent mutants are not counted, unjudged ones count as not
    killed (a run that cannot judge must not raise the score)."""
    counted = [o for o in outcomes if o.status != EQUIVALENT]
    killed = sum(o.status == KILLED for o in counted)
    return killed, len(counted), (killed / len(counted) if counted else None)


def reference_database(project: Project, folder: Path, datasources: list[str], db_folder: Path,
                       connections: int) -> ReferenceDatabase:
    """The project's tables in a new chdb database, filled with the dataset's files for `datasources`."""
    db = ReferenceDatabase(db_folder, project, connections)
    for name in datasources:
        path = folder / f"{name}.ndjson"
        if path.exists():
            db.load(name, path)
    return db


def equivalence_phase(mutants: list[Mutant], pipes: list[Pipe], project: Project, db: ReferenceDatabase,
                      cache: VerdictCache, seed: int, limit: int, jobs: int) -> tuple[dict[str, Verdict], dict[str, int]]:
    """Each mutant's verdict, and how many parameter combinations each pipe's plan has."""
    by_name = {pipe.name: pipe for pipe in pipes}
    plans = {pipe.name: plan(pipe, project, db, seed, limit) for pipe in pipes}
    comparator = Comparator(db, plans)
    started = time.monotonic()
    verdicts = judge_equivalence(mutants, by_name, comparator, cache, jobs)
    log(f"equivalence: {sum(v.equivalent for v in verdicts.values())} of {len(mutants)} mutants equivalent"
        f" ({time.monotonic() - started:.0f} s)")
    return verdicts, {name: len(p) for name, p in plans.items()}
