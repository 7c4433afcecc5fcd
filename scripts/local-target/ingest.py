"""Events API ingestion: validate NDJSON rows against a datasource, quarantine misfits, buffer, flush.

A row is acknowledged only once it is either inserted or held in a buffer that every exit path
(flush timer, wait=true, truncate, shutdown) flushes, so an acknowledged row is never lost while the
process lives to shut down. Rows that pass the Python checks but that ClickHouse still rejects are
found by bisecting the batch and moved to the quarantine table.
"""

from __future__ import annotations

import json
import random
import sys
import threading
import time
from dataclasses import dataclass
from typing import Any

from datafiles import Datasource
from ddl import QUARANTINE_SUFFIX, table_ident
from dedupe import DedupeLedger
from engine import Engine, QueryError, ViewFailed
from validation import RowValidator, _parse_all, quarantine_row


@dataclass
class Chunk:
    """The rows of one buffered request; it becomes visible one flush interval after it arrived."""

    arrived: float
    rows: list[bytes]
    digest: bytes | None = None  # its payload hash, made durable when the chunk is inserted


class Ingestor:
    """Validates, buffers and inserts rows for all datasources of a project; de-duplicates payloads."""

    def __init__(self, engine: Engine, datasources: dict[str, Datasource], flush_interval: float,
                 lose_rows: float = 0.0, rng: random.Random | None = None,
                 ledger: DedupeLedger | None = None, flush_rows: int = 1_000_000) -> None:
        self.engine = engine
        self.ledger = ledger
        self.datasources = datasources
        self.validators = {name: RowValidator(ds) for name, ds in datasources.items()}
        self.flush_interval = flush_interval
        # A buffer this full is inserted by the request that filled it: by size as well as by time, so
        # that a rate above what the interval drains cannot grow it without bound.
        self.flush_rows = flush_rows
        self.lose_rows = lose_rows
        self.rng = rng or random.Random(1)
        self._rng_lock = threading.Lock()
        # Per datasource, chunks in arrival order, as with Tinybird's buffered ingestion.
        self._buffers: dict[str, list[Chunk]] = {name: [] for name in datasources}
        self._buffer_lock = threading.Lock()
        self._ds_locks = {name: threading.Lock() for name in datasources}
        self._stop = threading.Event()
        self._flusher: threading.Thread | None = None
        if flush_interval > 0:
            self._flusher = threading.Thread(target=self._flush_loop, name="flusher", daemon=True)
            self._flusher.start()

    # --- request path -------------------------------------------------------------------------
    def ingest(self, name: str, body: bytes, wait: bool, import_id: str) -> tuple[int, int]:
        """(successful_rows, quarantined_rows); a body already ingested within the window gets its first answer."""
        if self.ledger is None:
            return self._ingest(name, body, wait, import_id, None)[0]
        digest = self.ledger.digest(name, body)
        seen = self.ledger.claim(name, digest)
        if seen is not None:
            result, durable = seen
            if wait and not durable:  # the first copy's rows are buffered: wait=true promises them inserted
                self.flush(name)
                self.ledger.wait_durable(name, digest)
            return result
        try:
            result, durable = self._ingest(name, body, wait, import_id, digest)
        except BaseException:
            self.ledger.abandon(name, digest)
            raise
        self.ledger.settle(name, digest, result, durable)
        return result

    def _ingest(self, name: str, body: bytes, wait: bool, import_id: str,
                digest: bytes | None) -> tuple[tuple[int, int], bool]:
        """((successful, quarantined), inserted already) for one body."""
        ds = self.datasources[name]
        validator = self.validators[name]
        good: list[bytes] = []
        quarantined: list[dict[str, Any]] = []
        lines = [line.strip() for line in body.split(b"\n")]
        lines = [line for line in lines if line]
        objects = _parse_all(lines)
        fits = validator.fits
        rebuild = validator.row if self._rebuilt(name) else None
        for i, line in enumerate(lines):
            if objects is not None and fits(objects[i]):
                good.append(line if rebuild is None else rebuild(objects[i], line))
                continue
            obj, bad_cols, errors = validator.validate(line)
            if errors:
                quarantined.append(quarantine_row(ds, obj, bad_cols, errors, import_id))
            else:
                assert obj is not None  # no errors: the line parsed
                good.append(line if rebuild is None else rebuild(obj, line))
        if quarantined:
            self._insert_quarantine(name, quarantined)
        successful = len(good)
        if self.lose_rows > 0 and good:
            with self._rng_lock:
                good = [line for line in good if self.rng.random() >= self.lose_rows]
        if wait or self.flush_interval <= 0:
            with self._buffer_lock:
                chunks, self._buffers[name] = self._buffers[name], []
            pending = [line for chunk in chunks for line in chunk.rows]
            own = (digest, (successful, len(quarantined))) if digest is not None else None
            try:
                rejected = self._insert_rows(name, pending + good, import_id, own=own, buffered=chunks)
            finally:  # also on ViewFailed (answered 422): the rows are in the table
                self._persist(name, chunks)
            # rows of this request that ClickHouse itself rejected are quarantined, not successful
            sent = set(good)
            own_rejected = sum(1 for line in rejected if line in sent)
            return (successful - own_rejected, len(quarantined) + own_rejected), True
        if not good:
            return (successful, len(quarantined)), True  # nothing to buffer
        with self._buffer_lock:
            self._buffers[name].append(Chunk(time.monotonic(), good, digest))
            full = sum(len(chunk.rows) for chunk in self._buffers[name]) >= self.flush_rows
        if full:
            self.flush(name)  # its hash is made durable by whichever flush inserts its chunk
        return (successful, len(quarantined)), False

    # --- flushing ---------------------------------------------------------------------------
    def flush(self, name: str | None = None, due_only: bool = False) -> None:
        """Insert buffered rows: all of them, or (`due_only`) those buffered one interval ago or more."""
        deadline = time.monotonic() - self.flush_interval
        for ds_name in [name] if name else list(self.datasources):
            with self._buffer_lock:
                chunks = self._buffers[ds_name]
                cut = len(chunks)
                if due_only:
                    cut = 0
                    while cut < len(chunks) and chunks[cut].arrived <= deadline:
                        cut += 1
                chunks, self._buffers[ds_name] = chunks[:cut], chunks[cut:]
            pending = [line for chunk in chunks for line in chunk.rows]
            try:
                if pending:
                    self._insert_rows(ds_name, pending, "buffer-flush", buffered=chunks)
            except ViewFailed as error:  # the rows are in; nobody waits for an answer
                print(f"starling-local-target: flushing {ds_name}: {error}", file=sys.stderr, flush=True)
            finally:
                self._persist(ds_name, chunks)

    def _persist(self, name: str, chunks: list[Chunk]) -> None:
        digests = [chunk.digest for chunk in chunks if chunk.digest is not None]
        if self.ledger is not None and digests:
            self.ledger.persist(name, digests)

    def buffered_rows(self) -> int:
        with self._buffer_lock:
            return sum(len(chunk.rows) for chunks in self._buffers.values() for chunk in chunks)

    def _flush_loop(self) -> None:
        # Check often (a tenth of the interval, at most every 100 ms) for chunks that are due.
        while not self._stop.wait(min(self.flush_interval / 10, 0.1)):
            try:
                self.flush(due_only=True)
            except Exception as error:  # keep flushing; the rows stay counted in the log
                print(f"starling-local-target: flush failed: {error}", file=sys.stderr, flush=True)

    def close(self) -> None:
        self._stop.set()
        if self._flusher is not None:
            self._flusher.join(timeout=10)
        self.flush()
        if self.ledger is not None:
            self.ledger.close()

    def truncate(self, name: str) -> None:
        with self._ds_locks[name]:
            with self._buffer_lock:
                self._buffers[name] = []
            self.engine.execute(f"TRUNCATE TABLE {table_ident(name)}")
            if self.ledger is not None:
                self.ledger.forget(name)

    # --- inserts ----------------------------------------------------------------------------
    def _rebuilt(self, name: str) -> bool:
        """Rows are rebuilt in Python with one key per column: nested JSONPaths that ClickHouse cannot read
        through a staging table (see staging.py). Otherwise the lines are inserted as sent."""
        return not self.validators[name].verbatim and name not in self.engine.staged

    def _insert_rows(self, name: str, lines: list[bytes], import_id: str,
                     own: tuple[bytes, tuple[int, int]] | None = None, buffered: list[Chunk] | None = None) -> list[bytes]:
        """Insert lines; returns the lines ClickHouse rejected (they are quarantined). With de-duplication on, the
        insert is announced first with the table's row count, so a kill between it and its record is resolved."""
        if not lines:
            return []
        rejected: list[tuple[bytes, str]] = []
        with self._ds_locks[name]:
            digests = [chunk.digest for chunk in buffered or [] if chunk.digest is not None]
            if self.ledger is not None and (own is not None or digests):
                self.ledger.begin(name, self.engine.count_rows(name), own, digests)
            self._insert_bisect(name, lines, rejected)
        if rejected:
            ds = self.datasources[name]
            rows = []
            for line, error in rejected:
                try:
                    obj = json.loads(line)
                except ValueError:
                    obj = None
                rows.append(quarantine_row(ds, obj if isinstance(obj, dict) else None, [], [error], import_id,
                                           rebuilt=self._rebuilt(name)))
            self._insert_quarantine(name, rows)
        return [line for line, _ in rejected]

    def _insert_bisect(self, name: str, lines: list[bytes], rejected: list[tuple[bytes, str]]) -> None:
        try:
            self.engine.insert_json_lines(name, b"\n".join(lines) + b"\n")
        except ViewFailed:
            raise  # the rows are in: splitting and retrying would insert them twice
        except QueryError as error:
            if len(lines) == 1:
                rejected.append((lines[0], str(error)[:500]))
                return
            mid = len(lines) // 2
            self._insert_bisect(name, lines[:mid], rejected)
            self._insert_bisect(name, lines[mid:], rejected)

    def _insert_quarantine(self, name: str, rows: list[dict[str, Any]]) -> None:
        payload = "".join(json.dumps(r) + "\n" for r in rows).encode()
        self.engine.insert_json_lines(name + QUARANTINE_SUFFIX, payload)
