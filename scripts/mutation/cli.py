"""`scripts/mutation/score [scenario] [options]`: options, the phases in order, exit codes."""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import shlex
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from killing import Runner
from localtarget import REPO, DatafileError, read_project
from reference import ReferenceDatabase, ReferenceError, dataset
from report import console, document, markdown
from score import (
    EQUIVALENT,
    Outcome,
    Scoring,
    VerdictCache,
    endpoint_pipes,
    equivalence_phase,
    kill,
    log,
    reference_database,
    sample,
    viable,
)

EXIT_PASSED, EXIT_BAD_INPUT, EXIT_BELOW = 0, 1, 2

DESCRIPTION = """\
Mutation score of a scenario's checks. Mutants are made from the SQL of every endpoint pipe that reads a
datasource of the scenario (one textual change each: comparison operators, constants, aggregates, ORDER BY,
rounding, array and date functions, dropped conditions and template blocks, AND/OR, arithmetic, DISTINCT...).
Mutants that do not render or type-check are stillborn. Each mutant is compared with the original pipe on a
reference dataset in chdb over a few hundred parameter combinations: the same answers everywhere means
equivalent (not counted). Every other mutant is judged end to end: `starling run <scenario>` against a copy of
the project holding one mutant per pipe (holding /tmp/starling-load.lock); a failed check of the mutated pipe
kills it. Score = killed / (mutants - equivalent); unjudged mutants (runs that stay invalid) count as not killed.
"""

EPILOG = """\
exit codes: 0 score >= --min-score; 2 below it; 1 bad input or no verdict possible.
writes mutation-score.json and mutation-score.md to --out.
"""


def _positive(value: str) -> int:
    if not value.isdigit() or int(value) <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive integer, found {value!r}")
    return int(value)


def _fraction(value: str) -> float:
    try:
        number = float(value.rstrip("%")) / (100 if value.endswith("%") else 1)
    except ValueError:
        number = -1.0
    if not 0 <= number <= 1:
        raise argparse.ArgumentTypeError(f"expected a fraction in 0...1 (or a percentage like 95%), found {value!r}")
    return number


def _duration(value: str) -> str:
    if not re.fullmatch(r"\d+(\.\d+)?(ms|s|m|h)", value):
        raise argparse.ArgumentTypeError(f"expected a duration like 30s, 2m, found {value!r}")
    return value


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="scripts/mutation/score", description=DESCRIPTION, epilog=EPILOG,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("scenario", nargs="?", default="ci-smoke", help="a scenario file or the name of one in"
                   " scenarios/ (default ci-smoke)")
    p.add_argument("--duration", type=_duration, help="load phase of each run (default: the scenario's own)")
    p.add_argument("--sample", type=_positive, metavar="N", help="judge only N mutants, drawn with --seed round-robin"
                   " over the pipes")
    p.add_argument("--seed", type=int, default=1, help="seed of --sample and of the parameter combinations (default 1)")
    p.add_argument("--pipes", help="only these pipes (comma-separated)")
    p.add_argument("--reference-events", type=_positive, default=300_000, metavar="N",
                   help="events of the reference dataset (default 300000)")
    p.add_argument("--combinations", type=_positive, default=240, metavar="N",
                   help="parameter combinations compared per pipe, at most (default 240)")
    p.add_argument("--min-score", type=_fraction, default=0.95, help="exit 2 below this score (default 0.95)")
    p.add_argument("--list", action="store_true", help="print the mutants and exit")
    p.add_argument("--one-per-run", action="store_true", help="one mutant per run instead of one per pipe per run")
    p.add_argument("--keep", action="store_true", help="keep the temporary folder (mutated projects, runs)")
    p.add_argument("--out", type=Path, help="report folder (default results/mutation-score-<scenario>-<UTC time>)")
    p.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "starling-mutation-cache",
                   help="reference datasets and equivalence verdicts (default $TMPDIR/starling-mutation-cache)")
    p.add_argument("--project", type=Path, default=REPO / "scenarios" / "tinybird", help="the Tinybird project"
                   " (default scenarios/tinybird)")
    p.add_argument("--starling", type=Path, default=REPO / ".build" / "release" / "starling",
                   help="the starling binary (default .build/release/starling)")
    p.add_argument("--jobs", type=_positive, default=2, help="threads comparing answers (default 2)")
    return p


class BadInput(Exception):
    pass


def _scenario(value: str) -> tuple[Path, list[str]]:
    path = Path(value)
    if not path.is_file():
        path = REPO / "scenarios" / f"{value}.json"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in (REPO / "scenarios").glob("*.json")))
        raise BadInput(f"no scenario file or scenario named {value!r} (scenarios/: {known})")
    try:
        datasources = list(json.loads(path.read_text())["datasources"])
    except (ValueError, KeyError, TypeError) as error:
        raise BadInput(f"{path}: not a scenario with \"datasources\" ({error})") from error
    return path.resolve(), datasources


def _project_digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.suffix in (".pipe", ".datasource"):
            digest.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return _main(args, argv if argv is not None else sys.argv[1:])
    except (BadInput, DatafileError, ReferenceError) as error:
        print(f"mutation-score: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT


def _snapshot_scenario(source: Path, target: Path) -> Path:
    """The scenario as it is now, asking each checked combination once: the query cost's repeated
    queries (`checks.cost_queries`) measure the server, not the checks, and would lengthen every run."""
    try:
        doc = json.loads(source.read_text())
    except (OSError, ValueError) as error:
        raise BadInput(f"{source}: {error}") from None
    checks = doc.setdefault("run", {}).setdefault("checks", {})
    if isinstance(checks, dict):
        checks["cost_queries"] = 1
    target.write_text(json.dumps(doc, indent=2) + "\n")
    return target


def _main(args: argparse.Namespace, argv: list[str]) -> int:
    started, clock = datetime.now(UTC), time.monotonic()
    scenario, datasources = _scenario(args.scenario)
    if not args.starling.is_file():
        raise BadInput(f"{args.starling}: no starling binary (swift build -c release)")
    if not args.project.is_dir():
        raise BadInput(f"{args.project}: no such project folder")
    workdir = Path(tempfile.mkdtemp(prefix="starling-mutation-"))
    # snapshots: the project, the scenario and the binary may be edited or rebuilt while the runs go on; every
    # run must see the same pipes and the same checks
    snapshot = workdir / "project"
    shutil.copytree(args.project, snapshot, ignore=shutil.ignore_patterns(".*", "__pycache__"))
    starling = workdir / "starling"
    shutil.copy2(args.starling, starling)
    (workdir / "scenario").mkdir()
    scenario = _snapshot_scenario(scenario, workdir / "scenario" / scenario.name)
    try:
        return _score(args, argv, scenario, datasources, snapshot, starling, workdir, started, clock)
    finally:
        if args.keep:
            log(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def _score(args: argparse.Namespace, argv: list[str], scenario: Path, datasources: list[str], snapshot: Path,
           starling: Path, workdir: Path, started: datetime, clock: float) -> int:
    project = read_project(snapshot)
    try:
        pipes = endpoint_pipes(project, datasources, args.pipes.split(",") if args.pipes else None)
    except ValueError as error:
        raise BadInput(str(error)) from error
    if not pipes:
        raise BadInput(f"no endpoint of {args.project} reads {', '.join(datasources)}")
    db: ReferenceDatabase | None = None
    seconds: dict[str, float] = {}
    try:
        if args.list:
            db = ReferenceDatabase(workdir / "db", project)
            alive, stillborn = viable(pipes, project, db)
            alive = sample(alive, args.sample, args.seed) if args.sample else alive
            for mutant in alive:
                print(f"{mutant.id}\tline {mutant.line}\t{mutant.description}")
            print(f"{len(alive)} mutants of {len(pipes)} pipes ({len(stillborn)} stillborn)", file=sys.stderr)
            return EXIT_PASSED
        lap = time.monotonic()
        args.cache.mkdir(parents=True, exist_ok=True)
        folder = dataset(starling, scenario, args.reference_events, args.cache)
        db = reference_database(project, folder, datasources, workdir / "db", args.jobs)
        seconds["reference"] = time.monotonic() - lap
        log(f"reference data: {db.rows} rows ({seconds['reference']:.0f} s)")
        lap = time.monotonic()
        alive, stillborn = viable(pipes, project, db)
        if args.sample:
            alive = sample(alive, args.sample, args.seed)
        seconds["mutants"] = time.monotonic() - lap
        log(f"{len(alive)} mutants of {len(pipes)} pipes, {len(stillborn)} stillborn ({seconds['mutants']:.0f} s)")
        lap = time.monotonic()
        verdicts, combinations = equivalence_phase(alive, pipes, project, db, VerdictCache(folder / "verdicts.json"),
                                                   args.seed, args.combinations, args.jobs)
        seconds["equivalence"] = time.monotonic() - lap
        outcomes = [Outcome(m, EQUIVALENT if verdicts[m.id].equivalent else "", verdicts[m.id]) for m in alive]
        lap = time.monotonic()
        runner = Runner(starling, scenario, args.duration, REPO)
        try:
            baseline, runs = kill(outcomes, project, runner, workdir / "runs", args.one_per_run)
        except RuntimeError as error:
            raise BadInput(str(error)) from error
        seconds["runs"] = time.monotonic() - lap
        seconds["total"] = time.monotonic() - clock
        scoring = Scoring(outcomes, stillborn, runs, baseline, combinations, db.rows, seconds)
        header = {"scenario": scenario.stem, "scenario_file": str(_scenario(args.scenario)[0]), "project": str(args.project.resolve()),
                  "project_sha256": _project_digest(project.folder), "starling": str(args.starling),
                  "starling_sha256": hashlib.sha256(starling.read_bytes()).hexdigest(),
                  "started_at": started.strftime("%Y-%m-%dT%H:%M:%SZ"),
                  "command": "scripts/mutation/score " + " ".join(shlex.quote(a) for a in argv),
                  "options": {"duration": args.duration, "sample": args.sample, "seed": args.seed, "pipes": args.pipes,
                              "reference_events": args.reference_events, "combinations": args.combinations,
                              "one_per_run": args.one_per_run}}
        doc = document(scoring, header, args.min_score)
        out = args.out or REPO / "results" / f"mutation-score-{scenario.stem}-{started.strftime('%Y-%m-%dT%H%M%SZ')}"
        out.mkdir(parents=True, exist_ok=True)
        (out / "mutation-score.json").write_text(json.dumps(doc, indent=2, sort_keys=True) + "\n")
        (out / "mutation-score.md").write_text(markdown(doc))
        print(console(doc))
        log(f"report: {out} ({seconds['total']:.0f} s)")
        return EXIT_PASSED if doc["passed"] else EXIT_BELOW
    finally:
        if db is not None:
            db.close()
