"""Batches, the kill rule and the score, with a fake `starling` standing in for real runs."""

from __future__ import annotations

import json
import stat
import sys
from pathlib import Path

from killing import Check, Run, Runner, batches
from mutants import pipe_mutants
from score import EQUIVALENT, KILLED, SURVIVED, UNJUDGED, Outcome, _judge, kill, sample, score

FAKE_STARLING = """\
#!{python}
# Fails the by_kind check when the project's by_kind.pipe differs from the original (and always fails the
# settle check, which must not count); exits 3 (invalid) with no summary when the limit default is 9.
import json, pathlib, shlex, sys
args = sys.argv[1:]
out = pathlib.Path(args[args.index("--out") + 1])
project = pathlib.Path(shlex.split(args[args.index("--local-target-args") + 1])[1])
text = (project / "endpoints" / "by_kind.pipe").read_text()
with open(pathlib.Path(__file__).parent / "calls.log", "a") as log:
    log.write(" ".join(args) + "\\n")
if "Int32(limit, 9)" in text:
    sys.exit(3)
out.mkdir(parents=True)
changed = text != pathlib.Path({original!r}).read_text()
checks = [{{"pipe": "settle", "parameters": "", "status": "failed", "reason": "always"}},
          {{"pipe": "by_kind", "parameters": "(defaults)", "status": "failed" if changed else "passed"}},
          {{"pipe": "by_kind", "parameters": "limit=2", "status": "passed"}}]
(out / "summary.json").write_text(json.dumps({{"checks": checks, "elapsed_seconds": 1.5}}))
sys.exit(2 if changed else 0)
"""


def fake_starling(folder: Path, original: Path) -> Path:
    path = folder / "starling"
    path.write_text(FAKE_STARLING.format(python=sys.executable, original=str(original)))
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def test_a_batch_holds_one_mutant_per_pipe():
    by_pipe = {"b": ["b1", "b2", "b3"], "a": ["a1"], "c": ["c1", "c2"]}
    assert batches(by_pipe, one_per_run=False) == [["a1", "b1", "c1"], ["b2", "c2"], ["b3"]]
    assert batches(by_pipe, one_per_run=True) == [["a1"], ["b1"], ["b2"], ["b3"], ["c1"], ["c2"]]


def test_the_run_command_holds_the_load_lock(tmp_path):
    runner = Runner(Path("/x/starling"), Path("/s/ci-smoke.json"), "30s", tmp_path, Path("/tmp/l.lock"))
    assert runner.command(Path("/p with space"), Path("/o")) == [
        "flock", "/tmp/l.lock", "/x/starling", "run", "/s/ci-smoke.json", "--duration", "30s", "--no-progress",
        "--out", "/o", "--local-target-args", "--project '/p with space'"]


def test_kill_rule(project):
    mutant = pipe_mutants(project.endpoints["by_kind"], project)[0]
    failed = Check("by_kind", "(defaults)", "failed", "1 of 3 rows differ")
    passed = Check("by_kind", "limit=2", "passed")
    other = Check("other", "(defaults)", "failed")
    settle = Check("settle", "", "failed")
    cases = [
        (Run("r", 2, 1, 1, Path("."), [failed, passed]), KILLED),
        (Run("r", 2, 1, 1, Path("."), [passed, other, settle]), SURVIVED),  # another pipe's and settle's failures
        (Run("r", 0, 1, 1, Path("."), [passed]), SURVIVED),
        (Run("r", 3, 1, 2, Path("."), [failed]), UNJUDGED),
        (Run("r", 2, 1, 1, Path("."), [other]), SURVIVED),  # no check of this pipe ran
        (Run("r", 2, 1, 1, Path("."), [Check("by_kind", "", "skipped"), other]), UNJUDGED),
    ]
    for run, status in cases:
        outcome = Outcome(mutant)
        _judge(outcome, run)
        assert outcome.status == status, (run, outcome)


def test_score_leaves_out_equivalent_mutants_and_counts_unjudged_ones(project):
    mutants = pipe_mutants(project.endpoints["by_kind"], project)[:5]
    statuses = [KILLED, KILLED, EQUIVALENT, SURVIVED, UNJUDGED]
    outcomes = [Outcome(m, s) for m, s in zip(mutants, statuses, strict=True)]
    assert score(outcomes) == (2, 4, 0.5)
    assert score([Outcome(mutants[0], EQUIVALENT)]) == (0, 0, None)


def test_sample_spreads_over_pipes_and_is_seeded(project):
    mutants = pipe_mutants(project.endpoints["by_kind"], project)
    other = [m.__class__(**{**m.__dict__, "id": "other." + m.id, "pipe": "other"}) for m in mutants[:3]]
    chosen = sample(mutants + other, 4, seed=7)
    assert len(chosen) == 4 and sum(m.pipe == "other" for m in chosen) == 2
    assert chosen == sample(mutants + other, 4, seed=7) and chosen != sample(mutants + other, 4, seed=8)


def test_kill_runs_a_baseline_then_one_batch_per_mutant_of_the_pipe(project, tmp_path):
    pipe = project.endpoints["by_kind"]
    mutants = [m for m in pipe_mutants(pipe, project) if m.rule in ("template_default", "order")]
    starling = fake_starling(tmp_path, pipe.path)
    outcomes = [Outcome(m) for m in mutants]
    runner = Runner(starling, tmp_path / "scenario.json", None, tmp_path, tmp_path / "lock")
    baseline, runs = kill(outcomes, project, runner, tmp_path / "work", one_per_run=False)
    assert baseline.exit == 0 and [c.status for c in baseline.ran("by_kind")] == ["passed", "passed"]
    assert len(runs) == len(mutants)
    by_text = {o.mutant.after: o for o in outcomes}
    assert by_text["{{Int32(limit, 9)}}"].status == UNJUDGED and runs[[o.mutant for o in outcomes].index(
        by_text["{{Int32(limit, 9)}}"].mutant)].attempts == 2
    assert all(o.status == KILLED for o in outcomes if o.mutant.after != "{{Int32(limit, 9)}}")
    assert json.loads((runs[0].out / "summary.json").read_text())["elapsed_seconds"] == 1.5
    calls = (tmp_path / "calls.log").read_text().splitlines()
    assert len(calls) == 1 + len(mutants) + 1  # the baseline, each batch, the invalid one's retry
