"""Payload de-duplication of the Events API, as on Tinybird Cloud ("retries within 5 hours are de-duplicated by
payload hash"): a request whose (datasource, decompressed body) SHA-256 was already ingested within the window
is answered with the first request's counts and inserts nothing.

A hash is *durable* once its rows are inserted; only durable hashes are written to the ledger file, an
append-only log in the `--data` folder, so a target restarted on the same data (even after `kill -9`) still
recognises them. An insert and the line that records it cannot be written at once, so each insert is announced
first (`B`, with the table's row count before it): a target killed between the insert and its `H` line finds the
`B` unresolved at restart and asks the table — more rows than before means the insert landed, and its hashes are
remembered (inserts into one datasource are serialised, so the last `B` of a datasource is the only one that can
be unresolved). Without this, a retry of a request that landed just before a kill would be inserted twice. A hash whose rows wait in the flush buffer is *pending*: it de-duplicates in memory (the buffer
is flushed on every exit path the process lives through) but is not written until the flush, so rows lost with a
killed process are not wrongly remembered as ingested. Truncating a datasource forgets its hashes.

Ledger lines: `H <unix time> <sha256 hex> <successful_rows> <quarantined_rows> <datasource>`,
`B <unix time> <rows before> <datasource> <sha256 hex>:<successful>:<quarantined>[,…]` (an insert begins) and
`T <unix time> <datasource>` (a truncate). A torn last line (a kill mid-write) is ignored. In memory a
remembered request costs about 200 bytes (the window bounds how many there are).
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

LEDGER_FILE = "events-dedupe.log"
Result = tuple[int, int]  # (successful_rows, quarantined_rows) as first answered
_Seen = tuple[float, int, int, bool]  # (first seen at, successful, quarantined, durable): small on purpose


class DedupeLedger:
    def __init__(self, folder: Path, window_seconds: float, clock: Callable[[], float] = time.time,
                 count_rows: Callable[[str], int] | None = None) -> None:
        """`count_rows(datasource)` tells the rows a datasource's table holds now (to resolve an insert announced
        before a kill); without it an unresolved insert is forgotten (a retry of it is inserted again)."""
        self.window = window_seconds
        self.clock = clock
        self.path = folder / LEDGER_FILE
        self._seen: dict[str, dict[bytes, _Seen]] = {}  # per datasource, by digest
        self._inflight: dict[tuple[str, bytes], tuple[float, threading.Event, list[bool]]] = {}
        self._lock = threading.Lock()
        self._durable = threading.Condition(self._lock)  # notified when a hash becomes durable or is forgotten
        self._claims = 0
        self._load(count_rows)
        # Open for the ledger's life: appended at every settle, closed by `close`.
        self._file = open(self.path, "a", encoding="ascii")  # noqa: SIM115

    @staticmethod
    def digest(datasource: str, body: bytes) -> bytes:
        return hashlib.sha256(datasource.encode() + b"\0" + body).digest()

    # --- the request path ---------------------------------------------------------------------
    def claim(self, datasource: str, digest: bytes) -> tuple[Result, bool] | None:
        """None: the caller owns this body and must `settle` or `abandon` it. Else (the first request's result,
        durable) — waiting first when an identical request is being ingested right now."""
        while True:
            with self._lock:
                now = self.clock()
                self._claims += 1
                if self._claims % 1024 == 0:
                    self._prune(now)
                inflight = self._inflight.get((datasource, digest))
                if inflight is None:
                    seen = self._seen.get(datasource, {}).get(digest)
                    if seen is not None and now - seen[0] <= self.window:
                        return (seen[1], seen[2]), seen[3]
                    self._inflight[(datasource, digest)] = (now, threading.Event(), [False])
                    return None
                settled = inflight[1]
            settled.wait()

    def settle(self, datasource: str, digest: bytes, result: Result, durable: bool) -> None:
        with self._lock:
            inflight = self._inflight.pop((datasource, digest), None)
            if inflight is None:  # truncated meanwhile
                return
            at, settled, flushed = inflight
            durable = durable or flushed[0]  # its buffered rows may have been flushed already
            self._seen.setdefault(datasource, {})[digest] = (at, result[0], result[1], durable)
            if durable:
                self._append_hash(datasource, digest, at, result)
                self._durable.notify_all()
        settled.set()

    def begin(self, datasource: str, rows_before: int, own: tuple[bytes, Result] | None, buffered: list[bytes]) -> None:
        """Announces an insert into `datasource` (called under that datasource's insert lock, just before it):
        `own` is the request inserting its rows now, `buffered` the digests of the buffered rows going with them."""
        with self._lock:
            entries = [own] if own is not None else []
            seen = self._seen.get(datasource, {})
            for digest in buffered:
                entry = seen.get(digest)
                if entry is not None:
                    entries.append((digest, (entry[1], entry[2])))
            if not entries:
                return
            listed = ",".join(f"{d.hex()}:{r[0]}:{r[1]}" for d, r in entries)
            self._append(f"B {self.clock():.3f} {rows_before} {datasource} {listed}\n")

    def abandon(self, datasource: str, digest: bytes) -> None:
        """The owner failed before ingesting anything: forget the claim so a retry is ingested."""
        with self._lock:
            inflight = self._inflight.pop((datasource, digest), None)
        if inflight is not None:
            inflight[1].set()

    def persist(self, datasource: str, digests: list[bytes]) -> None:
        """Pending hashes whose buffered rows are now inserted become durable."""
        with self._lock:
            seen = self._seen.get(datasource, {})
            for digest in digests:
                inflight = self._inflight.get((datasource, digest))
                if inflight is not None:  # flushed before its owner recorded the answer: `settle` writes it
                    inflight[2][0] = True
                    continue
                entry = seen.get(digest)
                if entry is not None and not entry[3]:
                    seen[digest] = entry[:3] + (True,)
                    self._append_hash(datasource, digest, entry[0], (entry[1], entry[2]))
            self._durable.notify_all()

    def wait_durable(self, datasource: str, digest: bytes, timeout: float = 60.0) -> None:
        """Until the hash's rows are inserted (or the datasource was truncated)."""
        deadline = time.monotonic() + timeout
        with self._durable:
            while time.monotonic() < deadline:
                entry = self._seen.get(datasource, {}).get(digest)
                if entry is None or entry[3]:
                    return
                self._durable.wait(0.5)

    def forget(self, datasource: str) -> None:
        with self._lock:
            self._seen.pop(datasource, None)
            for key in [k for k in self._inflight if k[0] == datasource]:
                self._inflight.pop(key)[1].set()
            self._append(f"T {self.clock():.3f} {datasource}\n")
            self._durable.notify_all()

    def close(self) -> None:
        with self._lock:
            self._file.close()

    # --- the file -----------------------------------------------------------------------------
    def _append_hash(self, datasource: str, digest: bytes, at: float, result: Result) -> None:
        self._append(f"H {at:.3f} {digest.hex()} {result[0]} {result[1]} {datasource}\n")

    def _append(self, line: str) -> None:
        self._file.write(line)
        self._file.flush()  # in the OS's hands: survives the process being killed (not a power cut)

    def _load(self, count_rows: Callable[[str], int] | None) -> None:
        """Replay the ledger, resolve an insert a kill interrupted, keep what is inside the window, and rewrite the
        ledger with only that (atomically)."""
        now = self.clock()
        unresolved: dict[str, tuple[float, int, dict[bytes, Result]]] = {}  # the last announced insert per datasource
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
                    digest = bytes.fromhex(parts[2])
                    pending = unresolved.get(parts[5])
                    if pending is not None:
                        pending[2].pop(digest, None)
                    if now - at <= self.window:
                        entry = (at, int(parts[3]), int(parts[4]), True)
                        self._seen.setdefault(parts[5], {})[digest] = entry
                elif parts[0] == "B" and len(parts) == 5:
                    announced = {}
                    for item in parts[4].split(","):
                        hex_digest, successful_text, quarantined_text = item.split(":")
                        announced[bytes.fromhex(hex_digest)] = (int(successful_text), int(quarantined_text))
                    unresolved[parts[3]] = (float(parts[1]), int(parts[2]), announced)
                elif parts[0] == "T" and len(parts) == 3:
                    at, seen = float(parts[1]), self._seen.get(parts[2], {})
                    unresolved.pop(parts[2], None)
                    for digest in [d for d, entry in seen.items() if entry[0] <= at]:
                        del seen[digest]
            except ValueError:
                continue
        for datasource, (at, rows_before, announced) in unresolved.items():
            # Killed between an insert and its H lines: more rows than before means the insert landed.
            if announced and count_rows is not None and now - at <= self.window and count_rows(datasource) > rows_before:
                for digest, (successful, quarantined) in announced.items():
                    self._seen.setdefault(datasource, {})[digest] = (at, successful, quarantined, True)
        tmp = self.path.with_suffix(".tmp")
        with open(tmp, "w", encoding="ascii") as f:
            live = [(e[0], ds, d, e) for ds, seen in self._seen.items() for d, e in seen.items()]
            for at, datasource, digest, entry in sorted(live):
                f.write(f"H {at:.3f} {digest.hex()} {entry[1]} {entry[2]} {datasource}\n")
        os.replace(tmp, self.path)

    def _prune(self, now: float) -> None:
        for seen in self._seen.values():
            for digest in [d for d, entry in seen.items() if now - entry[0] > self.window]:
                del seen[digest]
