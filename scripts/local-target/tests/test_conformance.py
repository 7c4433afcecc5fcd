"""Starling's datafile readers agree with Tinybird's own parser (scripts/ci/conformance.py), field by field.

Run on the handwritten corpus (scripts/ci/conformance-corpus/, one file per datafile feature), on the bundled
project (scenarios/tinybird/) and on every example project (scenarios/examples/*/). The Python half always runs;
the Swift half needs `.build/release/starling` with its `inspect` verb and is skipped, saying why, without it.
"""

from __future__ import annotations

import io
import sys

import pytest
from conftest import ROOT

sys.path.insert(0, str(ROOT / "scripts" / "ci"))
import conformance  # noqa: E402

STARLING = ROOT / ".build" / "release" / "starling"
FOLDERS = [ROOT / "scripts" / "ci" / "conformance-corpus", ROOT / "scenarios" / "tinybird"] + sorted(
    p for p in (ROOT / "scenarios" / "examples").iterdir() if p.is_dir() and not p.name.startswith("."))


def _ids(path):
    return str(path.relative_to(ROOT))


def _check(folder, readers, binary=None):
    out, err = io.StringIO(), io.StringIO()
    code = conformance.run(folder, binary, out=out, err=err, readers=readers)
    report = out.getvalue() + err.getvalue()
    print(report)
    assert code == 0, f"{_ids(folder)} ({' and '.join(readers)} against tinybird):\n{report}"


def test_the_corpus_is_read_whole_by_tinybird_including_the_vendor_datasource():
    files = conformance.project_files(FOLDERS[0])
    assert ("datasource", "partner_ws.partner_clicks") in {(kind, name) for kind, name, _ in files}
    out = io.StringIO()
    assert conformance.run(FOLDERS[0], None, out=out, err=out, readers=()) == 0, out.getvalue()


@pytest.mark.parametrize("folder", FOLDERS, ids=_ids)
def test_python_reader_agrees_with_tinybird(folder):
    _check(folder, ("python",))


def _swift_unavailable() -> str | None:
    if not STARLING.exists():
        return f"{STARLING} is not built"
    shapes, error, counts = conformance.swift_project(FOLDERS[1], STARLING)
    if shapes is None and not counts:
        return f"`starling inspect` is unavailable: {error}"
    return None


@pytest.mark.parametrize("folder", FOLDERS, ids=_ids)
def test_swift_reader_agrees_with_tinybird(folder):
    reason = _swift_unavailable()
    if reason:
        print(f"skipping the Swift half: {reason}")
        pytest.skip(reason)
    _check(folder, ("swift",), STARLING)


# The check itself, on small projects: a file Tinybird rejects, and a Swift reader that disagrees.

def test_a_file_tinybird_rejects_is_printed_not_counted_and_exits_2(tmp_path):
    from projects import write_project

    root = write_project(tmp_path, {"datasources/d.datasource": "TOKEN t CREATE\nSCHEMA >\n    `a` String\n"})
    out = io.StringIO()
    assert conformance.run(root, None, out=out, err=out, readers=("python",)) == 2
    assert "datasources/d.datasource: rejected by tinybird:" in out.getvalue()
    assert out.getvalue().rstrip().endswith("0 files, 0 disagreements (1 rejected by tinybird, not counted)")


def test_a_swift_disagreement_is_one_line_naming_file_field_and_values(tmp_path):
    import json
    import stat

    from projects import write_project

    root = write_project(tmp_path / "p", {
        "datasources/d.datasource": "SCHEMA >\n    `a` String `json:$.x.a`\n",
        "endpoints/e.pipe": "NODE n\nSQL >\n    %\n    SELECT a FROM d WHERE a = {{ String(country, 'z') }}\n",
    })
    printed = {"datasources": [{"name": "d", "path": "datasources/d.datasource", "description": "",
                                "columns": [{"name": "a", "type": "String", "jsonpath": "$.a", "default": None}],
                                "engine": {"type": "MergeTree", "settings": {}}}],
               "pipes": [{"name": "e", "path": "endpoints/e.pipe", "description": "", "endpoint": True,
                          "nodes": [{"name": "n", "sql": "%\nSELECT a FROM d WHERE a = {{ String(country, 'z') }}",
                                     "type": "", "datasource": ""}], "params": ["country"]}]}
    fake = tmp_path / "starling"
    fake.write_text(f"#!/bin/sh\ncat <<'JSON'\n{json.dumps(printed)}\nJSON\n")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    out = io.StringIO()
    assert conformance.run(root, fake, out=out, err=out, readers=("swift",)) == 1
    assert out.getvalue().splitlines() == [
        "datasources/d.datasource: column a: jsonpath: tinybird=$.x.a swift=$.a", "2 files, 1 disagreements"]


def test_the_local_target_serves_the_corpus_and_every_endpoint_answers(tmp_path):
    """What the readers agree on, the target also serves: it starts on the corpus (vendored datasource,
    INCLUDE, classic ENGINE lines, copy pipe, column-0 lines) and every endpoint answers 200."""
    from conftest import start_target
    from datafiles import read_project

    corpus = ROOT / "scripts" / "ci" / "conformance-corpus"
    target = start_target(tmp_path / "data", "--project", str(corpus))
    try:
        for name in sorted(read_project(corpus).endpoints):
            response = target.request("GET", f"/v0/pipes/{name}.json")
            assert response.status == 200, (name, response.body[:300])
        assert target.request("POST", "/v0/pipes/session_snapshot_copy/copy").status == 200
    finally:
        target.stop()
