"""The local target's modules (project reader, chdb engine, pipe rendering), imported from scripts/local-target."""

from __future__ import annotations

import sys
from pathlib import Path

SCRIPTS = Path(__file__).resolve().parent.parent
REPO = SCRIPTS.parent
LOCAL_TARGET = SCRIPTS / "local-target"
if str(LOCAL_TARGET) not in sys.path:
    sys.path.insert(0, str(LOCAL_TARGET))

from datafiles import DatafileError, Pipe, Project, pipe_statements, read_pipe, read_project  # noqa: E402
from engine import QUERY_SETTINGS, Engine, QueryError, render_pipe  # noqa: E402

__all__ = ["DatafileError", "Engine", "LOCAL_TARGET", "Pipe", "Project", "QUERY_SETTINGS", "QueryError", "REPO",
           "pipe_statements", "read_pipe", "read_project", "render_pipe"]
