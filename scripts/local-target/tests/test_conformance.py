"""Starling's datafile readers agree with Tinybird's own parser (scripts/conformance.py), field by field.

Run on the handwritten corpus (scripts/conformance-corpus/, one file per datafile feature), on the bundled
project (scenarios/tinybird/) and on every example project (scenarios/examples/*/). The Python half always runs;
the Swift half needs `.build/release/starling` with its `inspect` verb and is skipped, saying why, without it.
"""

from __future__ import annotations

import io
import sys

import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT / "scripts"))
import conformance  # noqa: E402

STARLING = ROOT / ".build" / "release" / "starling"
FOLDERS = [ROOT / "scripts" / "conformance-corpus", ROOT / "scenarios" / "tinybird"] + sorted(
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
