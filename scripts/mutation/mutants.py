"""Mutants of a project's endpoint pipes: one textual change each, with a stable id and a description."""

from __future__ import annotations

import hashlib
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

from localtarget import DatafileError, Pipe, Project, read_pipe
from pipefile import NodeSource, apply, node_sources
from pipeinfo import id_columns
from rules import Change, NodeContext, changes


@dataclass(frozen=True)
class Mutant:
    id: str
    pipe: str
    node: str
    rule: str
    line: int  # line of the change in the .pipe file
    description: str
    before: str  # the text around the change, as written
    after: str  # the same text with the change
    pipe_text: str  # the whole mutated .pipe file
    mutated: Pipe  # the mutated pipe as the project reader reads it

    def summary(self) -> dict:
        return {"id": self.id, "pipe": self.pipe, "node": self.node, "rule": self.rule, "line": self.line,
                "description": self.description, "before": self.before, "after": self.after}


def _shorten(text: str, limit: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def pipe_mutants(pipe: Pipe, project: Project) -> list[Mutant]:
    """Every distinct mutant of one pipe (before the render and dry-run check), in the order of the file."""
    assert pipe.path is not None
    text = pipe.path.read_text(encoding="utf-8")
    sources = node_sources(pipe, text)
    mutants: list[Mutant] = []
    seen_ids: set[str] = set()
    seen_texts: set[str] = {text}
    with tempfile.TemporaryDirectory(prefix="starling-mutant-") as scratch:
        for index, source in enumerate(sources):
            ctx = NodeContext(id_columns(pipe, project, source.sql))
            for change in changes(source.sql, ctx):
                mutated_text = apply(text, source, change.start, change.end, change.replacement)
                if mutated_text in seen_texts:
                    continue  # two rules proposing the same text: keep the first
                seen_texts.add(mutated_text)
                mutant = _mutant(pipe, index, source, change, mutated_text, seen_ids, Path(scratch))
                if mutant is not None:
                    mutants.append(mutant)
    return mutants


def _mutant(pipe: Pipe, index: int, source: NodeSource, change: Change, mutated_text: str, seen_ids: set[str],
            scratch: Path) -> Mutant | None:
    sql = source.sql
    mutated_sql = sql[:change.start] + change.replacement + sql[change.end:]
    shown_start, shown_end = min(change.subject[0], change.start), max(change.subject[1], change.end)
    before = sql[shown_start:shown_end]
    after = mutated_sql[shown_start:shown_end + len(change.replacement) - (change.end - change.start)]
    path = scratch / f"{pipe.name}.pipe"
    path.write_text(mutated_text, encoding="utf-8")
    try:
        reread = read_pipe(path, pipe.folder)
    except DatafileError:
        return None
    if reread.nodes[index].sql != mutated_sql.strip("\n"):
        raise DatafileError(f"{pipe.path}: a change to node '{source.name}' did not land where it was meant to")
    mutated = replace(reread, path=pipe.path)
    context = f"{source.name}|{change.rule}|{sql[max(0, change.start - 40):change.start]}|{before}|{after}|" \
              f"{sql[change.end:change.end + 40]}"
    digest = hashlib.sha256(context.encode()).hexdigest()
    mutant_id, n = f"{pipe.name}.{change.rule}.{digest[:6]}", 1
    while mutant_id in seen_ids:
        n += 1
        mutant_id = f"{pipe.name}.{change.rule}.{digest[:6]}-{n}"
    seen_ids.add(mutant_id)
    description = change.what if "`" in change.what and before in change.what else \
        f"{change.what} in `{_shorten(before)}`"
    return Mutant(mutant_id, pipe.name, source.name, change.rule, source.file_line(change.start),
                  f"{source.name}: {description}", _shorten(before, 200), _shorten(after, 200), mutated_text, mutated)
