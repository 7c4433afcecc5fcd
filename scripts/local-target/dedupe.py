"""Payload de-duplication of the Events API, as on Tinybird Cloud ("retries within 5 hours are de-duplicated by
payload hash"): a request whose (datasource, decompressed body) SHA-256 was already ingested within the window
is answered with the first request's counts and inserts nothing.

A hash is *durable* once its rows are inserted; only durable hashes are written to the ledger file, an
append-only log in the `--data` folder, so a target restarted on the same data (even after `kill -9`) still
recognises them. A hash whose rows wait in the flush buffer is *pending*: it de-duplicates in memory (the buffer
is flushed on every exit path the process lives through) but is not written until the flush, so rows lost with a
killed process are not wrongly remembered as ingested. Truncating a datasource forgets its hashes.

Ledger lines: `H <unix time> <sha256 hex> <successful_rows> <quarantined_rows> <datasource>` and
`T <unix time> <datasource>` (a truncate). A torn last line (a kill mid-write) is ignored.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

LEDGER_FILE = "events-dedupe.log"
Result = tuple[int, int]  # (successful_rows, quarantined_rows) as first answered


@dataclass
class _Entry:
    at: float
    result: Result | None = None  # None while the first request is still being ingested
    durable: bool = False
    settled: threading.Event = field(default_factory=threading.Event)


class DedupeLedger:
    def __init__(self, folder: Path, window_seconds: float, clock: Callable[[], float] = time.time) -> None:
        self.window = window_seconds
        self.clock = clock
        self.path = folder / LEDGER_FILE
        self._entries: dict[tuple[str, str], _Entry] = {}
        self._lock = threading.Lock()
        self._durable = threading.Condition(self._lock)  # notified when a hash becomes durable or is forgotten
        self._claims = 0
        self._load()
        self._file = open(self.path, "a", encoding="ascii")

    @staticmethod
    def digest(datasource: str, body: bytes) -> str:
        return hashlib.sha256(datasource.encode() + b"\0" + body).hexdigest()

    # --- the request path ---------------------------------------------------------------------
    def claim(self, datasource: str, digest: str) -> tuple[Result, bool] | None:
        """None: the caller owns this body and must `settle` or `abandon` it. Else (the first request's result,
        durable) — waiting first when an identical request is being ingested right now."""
        key = (datasource, digest)
        while True:
            with self._lock:
                now = self.clock()
                self._claims += 1
                if self._claims % 1024 == 0:
                    self._prune(now)
                entry = self._entries.get(key)
                if entry is not None and entry.result is not None and now - entry.at > self.window:
                    entry = None
                if entry is None:
                    self._entries[key] = _Entry(now)
                    return None
                if entry.result is not None:
                    return entry.result, entry.durable
                settled = entry.settled
            settled.wait()

    def settle(self, datasource: str, digest: str, result: Result, durable: bool) -> None:
        with self._lock:
            entry = self._entries.get((datasource, digest))
            if entry is None:  # truncated meanwhile
                return
            entry.result = result
            entry.durable = durable or entry.durable  # its buffered rows may have been flushed already
            if entry.durable:
                self._append(f"H {entry.at:.3f} {digest} {result[0]} {result[1]} {datasource}\n")
                self._durable.notify_all()
        entry.settled.set()

    def abandon(self, datasource: str, digest: str) -> None:
        """The owner failed before ingesting anything: forget the claim so a retry is ingested."""
        with self._lock:
            entry = self._entries.pop((datasource, digest), None)
        if entry is not None:
            entry.settled.set()

    def persist(self, datasource: str, digests: list[str]) -> None:
        """Pending hashes whose buffered rows are now inserted become durable."""
        with self._lock:
            for digest in digests:
                entry = self._entries.get((datasource, digest))
                if entry is None or entry.durable:
                    continue
                entry.durable = True
                if entry.result is not None:  # else `settle`, still to come, writes it
                    self._append(f"H {entry.at:.3f} {digest} {entry.result[0]} {entry.result[1]} {datasource}\n")
            self._durable.notify_all()

    def wait_durable(self, datasource: str, digest: str, timeout: float = 60.0) -> None:
        """Until the hash's rows are inserted (or the datasource was truncated)."""
        deadline = time.monotonic() + timeout
        with self._durable:
            while True:
                entry = self._entries.get((datasource, digest))
                if entry is None or entry.durable or time.monotonic() > deadline:
                    return
                self._durable.wait(0.5)

    def forget(self, datasource: str) -> None:
        with self._lock:
            for key in [k for k in self._entries if k[0] == datasource]:
                self._entries.pop(key).settled.set()
            self._append(f"T {self.clock():.3f} {datasource}\n")
            self._durable.notify_all()

    def close(self) -> None:
        with self._lock:
            self._file.close()

    # --- the file -----------------------------------------------------------------------------
    def _append(self, line: str) -> None:
        self._file.write(line)
        self._file.flush()  # in the OS's hands: survives the process being killed (not a power cut)

    def _load(self) -> None:
        """Replay the ledger, keep what is inside the window, and rewrite it with only that (atomically)."""
        now = self.clock()
        try:
            text = self.path.read_text(encoding="ascii", errors="replace")
        except FileNotFoundError:
            text = ""
        lines = text.split("\n")
        if lines and lines[-1]:
            lines = lines[:-1]  # torn by a kill in the middle of a write
        for line in lines:
            parts = line.split(" ")
            try:
                if parts[0] == "H" and len(parts) == 6 and len(parts[2]) == 64:
                    at = float(parts[1])
                    if now - at <= self.window:
                        self._entries[(parts[5], parts[2])] = _Entry(at, (int(parts[3]), int(parts[4])), True)
                elif parts[0] == "T" and len(parts) == 3:
                    at, datasource = float(parts[1]), parts[2]
                    for key in [k for k, e in self._entries.items() if k[0] == datasource and e.at <= at]:
                        del self._entries[key]
            except ValueError:
                continue
        for entry in self._entries.values():
            entry.settled.set()
        tmp = self.path.with_suffix(".tmp")
        with open(tmp, "w", encoding="ascii") as f:
            for (datasource, digest), e in sorted(self._entries.items(), key=lambda item: item[1].at):
                f.write(f"H {e.at:.3f} {digest} {e.result[0]} {e.result[1]} {datasource}\n")
        os.replace(tmp, self.path)

    def _prune(self, now: float) -> None:
        for key in [k for k, e in self._entries.items() if e.result is not None and now - e.at > self.window]:
            del self._entries[key]
