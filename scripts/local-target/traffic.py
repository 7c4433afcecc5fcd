"""Traffic controls of the local target: the per-datasource rate limit and injected faults."""

from __future__ import annotations

import argparse
import math
import random
import threading
import time
from dataclasses import dataclass
from typing import Any


class RateLimiter:
    """Fixed one-second windows, one counter per key (datasource)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._lock = threading.Lock()
        self._windows: dict[str, tuple[int, int]] = {}

    def take(self, key: str) -> tuple[bool, int, float]:
        """(allowed, remaining, window reset time)."""
        now = time.time()
        window = int(now)
        with self._lock:
            start, count = self._windows.get(key, (window, 0))
            if start != window:
                start, count = window, 0
            allowed = count < self.limit
            if allowed:
                count += 1
            self._windows[key] = (start, count)
        return allowed, max(0, self.limit - count), float(window + 1)


@dataclass(frozen=True)
class FaultDraw:
    """What happens to one request: a stall first, then at most one of the three outcomes below."""

    stall_seconds: float = 0.0
    drop_before: bool = False  # close the connection without processing or answering
    status: int = 0  # answer this status without processing
    drop_after: bool = False  # process completely, then close the connection without answering


class Faults:
    """Injected failures for reliability tests: statuses, stalls, dropped connections, lost rows.

    One seeded generator draws, per request and in this order, drop-before, status, drop-after; a fault whose
    probability is 0 draws nothing, so adding one kind of fault leaves the others' sequences unchanged.
    """

    def __init__(self, args: argparse.Namespace) -> None:
        self.status_code: int
        self.status_prob: float
        self.stall_seconds: float
        self.stall_every: int
        self.status_code, self.status_prob = parse_pair(args.fault_status, int, float) if args.fault_status else (0, 0.0)
        self.stall_seconds, self.stall_every = parse_pair(args.fault_stall, float, int) if args.fault_stall else (0.0, 0)
        self.drop_prob = args.fault_drop
        self.drop_after_prob = args.fault_drop_after
        self.rng = random.Random(args.fault_seed)
        self._lock = threading.Lock()
        self._count = 0

    def draw(self) -> FaultDraw:
        with self._lock:
            self._count += 1
            stall = self.stall_seconds if self.stall_every > 0 and self._count % self.stall_every == 0 else 0.0
            drop = self.drop_prob > 0 and self.rng.random() < self.drop_prob
            status = self.status_code if self.status_prob > 0 and self.rng.random() < self.status_prob else 0
            drop_after = self.drop_after_prob > 0 and self.rng.random() < self.drop_after_prob
        if drop:
            return FaultDraw(stall, drop_before=True)
        if status:
            return FaultDraw(stall, status=status)
        return FaultDraw(stall, drop_after=drop_after)


def parse_pair(text: str, first: type, second: type) -> tuple[Any, Any]:
    left, sep, right = text.partition(":")
    if not sep:
        raise argparse.ArgumentTypeError(f"expected A:B, got {text!r}")
    return first(left), second(right)


def retry_after_seconds(reset_at: float, now: float) -> int:
    return max(1, math.ceil(reset_at - now))
