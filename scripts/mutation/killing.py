"""Judging mutants end to end: a copy of the project with the mutants written in, one `starling run` against
it (holding the load lock), and the run's failed checks.

A mutant is killed when the run exits 2 and `summary.json` has a failed check of the mutated pipe (the settle
check does not count). Mutants of different pipes cannot change each other's answers (a pipe reads
datasources, never another pipe), so a batch holds at most one mutant per pipe and one run judges them all.
"""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from mutants import Mutant

LOCK = Path("/tmp/starling-load.lock")
EXIT_FAILED, EXIT_INVALID = 2, 3


@dataclass(frozen=True)
class Check:
    pipe: str
    parameters: str
    status: str
    reason: str = ""


@dataclass
class Run:
    """One `starling run` (the last attempt when it was retried)."""
    name: str
    exit: int
    seconds: float
    attempts: int
    out: Path
    checks: list[Check] = field(default_factory=list)
    message: str = ""  # the last lines of the console when the run did not give a verdict
    run_seconds: float = 0.0  # the run itself (summary.json's elapsed_seconds), without waiting for the lock

    @property
    def judged(self) -> bool:
        return self.exit in (0, EXIT_FAILED) and bool(self.checks)

    def failed(self, pipe: str) -> list[Check]:
        return [c for c in self.checks if c.pipe == pipe and c.status == "failed"]

    def ran(self, pipe: str) -> list[Check]:
        return [c for c in self.checks if c.pipe == pipe]


def batches(by_pipe: dict[str, list[Mutant]], one_per_run: bool) -> list[list[Mutant]]:
    """The k-th batch holds the k-th mutant of every pipe that has one (or one mutant per batch)."""
    if one_per_run:
        return [[m] for pipe in sorted(by_pipe) for m in by_pipe[pipe]]
    depth = max((len(ms) for ms in by_pipe.values()), default=0)
    return [[by_pipe[pipe][k] for pipe in sorted(by_pipe) if k < len(by_pipe[pipe])] for k in range(depth)]


def write_project(source: Path, destination: Path, mutants: list[Mutant], pipe_paths: dict[str, Path]) -> Path:
    """A full copy of the project folder with each mutant's .pipe file written over the original."""
    shutil.copytree(source, destination, ignore=shutil.ignore_patterns(".*", "__pycache__"))
    for mutant in mutants:
        (destination / pipe_paths[mutant.pipe].relative_to(source)).write_text(mutant.pipe_text, encoding="utf-8")
    return destination


@dataclass(frozen=True)
class Runner:
    starling: Path
    scenario: Path
    duration: str | None
    cwd: Path
    lock: Path = LOCK  # held for each run: two load runs on this machine never overlap

    def command(self, project: Path, out: Path) -> list[str]:
        command = ["flock", str(self.lock), str(self.starling), "run", str(self.scenario)]
        if self.duration:
            command += ["--duration", self.duration]
        return command + ["--no-progress", "--out", str(out), "--local-target-args", f"--project {shlex.quote(str(project))}"]

    def run(self, name: str, project: Path, folder: Path) -> Run:
        """Run once; an invalid run (exit 3) or one without a verdict (no checks: exit 1, 4, a crash) is
        retried once."""
        attempt, started = 0, time.monotonic()
        while True:
            attempt += 1
            out = folder / f"run{attempt}"
            console = folder / f"console{attempt}.txt"
            with console.open("w") as log:
                exit_code = subprocess.run(self.command(project, out), cwd=self.cwd, stdout=log,
                                           stderr=subprocess.STDOUT).returncode
            checks, elapsed = _summary(out / "summary.json")
            result = Run(name, exit_code, time.monotonic() - started, attempt, out, checks, run_seconds=elapsed)
            if result.judged or attempt == 2:
                if not result.judged:
                    result.message = _tail(console)
                return result


def _summary(summary: Path) -> tuple[list[Check], float]:
    """The checks of a run's summary.json and its elapsed seconds; nothing when there is no summary."""
    try:
        data = json.loads(summary.read_text())
    except (OSError, ValueError):
        return [], 0.0
    checks = [Check(c.get("pipe", ""), c.get("parameters", ""), c.get("status", ""), c.get("reason", ""))
              for c in data.get("checks", [])]
    return checks, float(data.get("elapsed_seconds") or 0.0)


def _tail(console: Path, lines: int = 3) -> str:
    try:
        return " | ".join(console.read_text(errors="replace").strip().splitlines()[-lines:])
    except OSError:
        return ""
