"""The score as `mutation-score.json`, `mutation-score.md` and the console summary."""

from __future__ import annotations

from collections import Counter

from score import EQUIVALENT, KILLED, SURVIVED, UNJUDGED, Outcome, Scoring, score

SCHEMA = "starling.mutation-score.v1"


def _percent(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.1f} %"


def per_pipe(scoring: Scoring) -> list[dict]:
    by_pipe: dict[str, list[Outcome]] = {}
    for outcome in scoring.outcomes:
        by_pipe.setdefault(outcome.mutant.pipe, []).append(outcome)
    rows = []
    for pipe in sorted(set(by_pipe) | set(scoring.combinations)):
        outcomes = by_pipe.get(pipe, [])
        killed, counted, value = score(outcomes)
        statuses = Counter(o.status for o in outcomes)
        checks = [c.parameters for c in scoring.baseline.ran(pipe)] if scoring.baseline else []
        rows.append({"pipe": pipe, "mutants": len(outcomes), "equivalent": statuses[EQUIVALENT], "killed": killed,
                     "survived": statuses[SURVIVED], "unjudged": statuses[UNJUDGED], "counted": counted,
                     "score": value, "combinations": scoring.combinations.get(pipe, 0), "checks": checks})
    return rows


def _outcome(outcome: Outcome, scoring: Scoring) -> dict:
    entry = {**outcome.mutant.summary(), "status": outcome.status}
    if outcome.verdict is not None:
        entry["reference"] = {"compared": outcome.verdict.compared, "combination": outcome.verdict.combination,
                              "difference": outcome.verdict.difference}
    if outcome.run:
        entry["run"] = outcome.run
        run = next((r for r in scoring.runs if r.name == outcome.run), None)
        if run is not None:
            entry["checks"] = [c.parameters for c in run.ran(outcome.mutant.pipe)]
    if outcome.failed:
        entry["failed_checks"] = outcome.failed
    if outcome.note:
        entry["note"] = outcome.note
    return entry


def document(scoring: Scoring, header: dict, min_score: float) -> dict:
    killed, counted, value = score(scoring.outcomes)
    statuses = Counter(o.status for o in scoring.outcomes)
    return {
        "schema": SCHEMA, **header,
        "score": value, "killed": killed, "counted": counted, "min_score": min_score,
        "passed": value is not None and value >= min_score,
        "counts": {"mutants": len(scoring.outcomes), "stillborn": len(scoring.stillborn),
                   **{s: statuses[s] for s in (EQUIVALENT, KILLED, SURVIVED, UNJUDGED)}},
        "seconds": {k: round(v, 1) for k, v in scoring.seconds.items()},
        "reference_rows": scoring.reference_rows,
        "pipes": per_pipe(scoring),
        "runs": [{"name": r.name, "exit": r.exit, "seconds": round(r.seconds, 1), "run_seconds": round(r.run_seconds, 1),
                  "attempts": r.attempts,
                  "out": str(r.out), "mutants": [o.mutant.id for o in scoring.outcomes if o.run == r.name]}
                 for r in ([scoring.baseline] if scoring.baseline else []) + scoring.runs],
        "mutants": [_outcome(o, scoring) for o in scoring.outcomes],
        "stillborn": [{"id": s.mutant.id, "pipe": s.mutant.pipe, "line": s.mutant.line,
                       "description": s.mutant.description, "reason": s.reason} for s in scoring.stillborn],
    }


def _md_cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def markdown(doc: dict) -> str:
    lines = [f"# Mutation score: {doc['scenario']}", "",
             f"**{_percent(doc['score'])}** — {doc['killed']} killed of {doc['counted']} counted mutants"
             f" (minimum {_percent(doc['min_score'])}: {'passed' if doc['passed'] else 'FAILED'}).",
             f"{doc['counts']['equivalent']} equivalent (not counted), {doc['counts']['unjudged']} unjudged (counted as"
             f" not killed), {doc['counts']['stillborn']} stillborn (did not render or type-check).", "",
             f"Command: `{doc['command']}`  ", f"Project: `{doc['project']}` ({doc['project_sha256'][:12]}),"
             f" reference: {doc['options']['reference_events']} events, {doc['started_at']}", "",
             "| pipe | killed / counted | score | equivalent | unjudged | combinations compared | checks in a run |",
             "|---|---|---|---|---|---|---|"]
    for p in doc["pipes"]:
        lines.append(f"| {p['pipe']} | {p['killed']} / {p['counted']} | {_percent(p['score'])} | {p['equivalent']} |"
                     f" {p['unjudged']} | {p['combinations']} | {len(p['checks'])} |")
    survivors = [m for m in doc["mutants"] if m["status"] in (SURVIVED, UNJUDGED)]
    lines += ["", f"## Surviving and unjudged mutants ({len(survivors)})", "",
              "| id | status | line | change | reference data tells it apart with | checks that ran |",
              "|---|---|---|---|---|---|"]
    for m in survivors:
        ref = m.get("reference", {})
        told = f"`{_query(ref.get('combination'))}`: {ref.get('difference')}" if ref.get("combination") is not None else ""
        checks = "; ".join(f"`{c}`" for c in m.get("checks", [])) or m.get("note", "")
        lines.append(f"| {m['id']} | {m['status']} | {m['line']} | {_md_cell(m['description'])} |"
                     f" {_md_cell(told)} | {_md_cell(checks)} |")
    equivalent = [m for m in doc["mutants"] if m["status"] == EQUIVALENT]
    lines += ["", f"## Equivalent mutants ({len(equivalent)})", "",
              "Same answers as the original on every parameter combination of the reference data.", ""]
    lines += [f"- {m['id']} (line {m['line']}): {_md_cell(m['description'])}"
              f" — {m.get('reference', {}).get('compared', 0)} combinations" for m in equivalent]
    killed = [m for m in doc["mutants"] if m["status"] == KILLED]
    lines += ["", f"## Killed mutants ({len(killed)})", ""]
    lines += [f"- {m['id']}: {_md_cell(m['description'])} — failed `{m['failed_checks'][0]['parameters']}`"
              for m in killed]
    rules = Counter(s["id"].split(".")[1] for s in doc["stillborn"])
    lines += ["", "## Stillborn mutants by rule", "", ", ".join(f"{r} {n}" for r, n in sorted(rules.items())) or "none", ""]
    return "\n".join(lines)


def _query(combination: dict | None) -> str:
    if not combination:
        return "(defaults)"
    return "&".join(f"{k}={v}" for k, v in sorted(combination.items()))


def console(doc: dict) -> str:
    lines = [f"mutation score of {doc['scenario']}: {_percent(doc['score'])} ({doc['killed']} killed of"
             f" {doc['counted']}; {doc['counts']['equivalent']} equivalent, {doc['counts']['unjudged']} unjudged,"
             f" {doc['counts']['stillborn']} stillborn) — minimum {_percent(doc['min_score'])}:"
             f" {'passed' if doc['passed'] else 'FAILED'}"]
    width = max((len(p["pipe"]) for p in doc["pipes"]), default=4)
    for p in doc["pipes"]:
        lines.append(f"  {p['pipe']:<{width}}  {p['killed']:>3} / {p['counted']:<3} {_percent(p['score']):>8}"
                     f"   equivalent {p['equivalent']}, unjudged {p['unjudged']}")
    survivors = [m for m in doc["mutants"] if m["status"] in (SURVIVED, UNJUDGED)]
    if survivors:
        lines.append("surviving and unjudged mutants:")
    checks_by_pipe = {p["pipe"]: p["checks"] for p in doc["pipes"]}
    shown: set[str] = set()
    for m in survivors:
        if m["pipe"] not in shown:
            shown.add(m["pipe"])
            lines.append(f"  {m['pipe']} — checks: " + ("; ".join(checks_by_pipe.get(m["pipe"], [])) or "none"))
        ref = m.get("reference", {})
        told = f" [told apart by {_query(ref.get('combination'))}: {ref.get('difference')}]" if ref.get("combination") is not None else ""
        note = f" ({m['note']})" if m.get("note") else ""
        lines.append(f"    {m['status']:<8} {m['id']} line {m['line']}: {m['description']}{note}{told}")
    equivalent = [m for m in doc["mutants"] if m["status"] == EQUIVALENT]
    if equivalent:
        lines.append(f"equivalent mutants ({len(equivalent)}):")
        lines += [f"    {m['id']} line {m['line']}: {m['description']}" for m in equivalent]
    return "\n".join(lines)
