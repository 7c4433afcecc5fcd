"""The command line: bad input exits 1 with one line; --list prints the mutants of a project."""

from __future__ import annotations

import json
import subprocess

import pytest
from cli import main
from localtarget import SCRIPTS


@pytest.mark.parametrize("argv, message", [
    (["no-such-scenario", "--list"], "no scenario file or scenario named 'no-such-scenario'"),
    (["ci-smoke", "--list", "--pipes", "nope"], "--pipes: nope not among the scenario's endpoints"),
    (["ci-smoke", "--list", "--starling", "/no/such/starling"], "no starling binary"),
])
def test_bad_input_exits_1(argv, message, capsys):
    assert main(argv) == 1
    assert message in capsys.readouterr().err


@pytest.mark.parametrize("option", [["--min-score", "1.5"], ["--sample", "0"], ["--duration", "soon"]])
def test_bad_option_values_are_usage_errors(option):
    with pytest.raises(SystemExit) as exit_info:
        main(["ci-smoke", *option])
    assert exit_info.value.code == 2  # argparse's usage error, before anything runs


def test_list_prints_each_mutant_once_with_id_line_and_description(tiny_project, tmp_path):
    scenario = tmp_path / "tiny.json"
    scenario.write_text(json.dumps({"format": 1, "datasources": {"events": {}}}))
    command = [str(SCRIPTS / "mutation-score"), str(scenario), "--project", str(tiny_project), "--list",
               "--starling", "/bin/true"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    ids = [line.split("\t")[0] for line in lines]
    assert len(ids) == len(set(ids)) > 10 and all(i.startswith("by_kind.") for i in ids)
    assert all(line.split("\t")[1].startswith("line ") for line in lines)
    assert "mutants of 1 pipes" in result.stderr
    again = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert again.stdout == result.stdout
    sampled = subprocess.run(command + ["--sample", "3"], capture_output=True, text=True, timeout=60)
    assert len(sampled.stdout.splitlines()) == 3 and set(sampled.stdout.splitlines()) <= set(lines)
