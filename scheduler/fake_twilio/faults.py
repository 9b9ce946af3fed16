"""Faults the fake injects into create calls: 429, 500, slow answers, and connections dropped
before or after the message is created."""

from __future__ import annotations

import random
import threading
from collections import deque
from dataclasses import dataclass, field

FAULTS = ("429", "500", "slow", "drop_before", "drop_after")


@dataclass
class FaultPlan:
    """How often each fault happens (0 to 1, drawn per create call) and what comes next.

    ``script`` is consumed first, one fault (or None for a normal answer) per create call;
    then each fault fires with its rate.
    """

    rates: dict[str, float] = field(default_factory=dict)
    slow_seconds: float = 2.0
    script: deque[str | None] = field(default_factory=deque)
    seed: int = 2569

    def __post_init__(self) -> None:
        unknown = set(self.rates) - set(FAULTS)
        if unknown:
            raise ValueError(f"unknown faults {sorted(unknown)}; known: {FAULTS}")
        self._rng = random.Random(self.seed)
        self._lock = threading.Lock()

    @classmethod
    def transient(cls, rate: float, seed: int = 2569, slow_seconds: float = 2.0) -> FaultPlan:
        """``rate`` of all create calls fail, spread evenly over the five kinds of fault."""
        return cls({f: rate / len(FAULTS) for f in FAULTS}, slow_seconds=slow_seconds, seed=seed)

    def draw(self) -> str | None:
        with self._lock:
            if self.script:
                return self.script.popleft()
            roll = self._rng.random()
            for fault in FAULTS:
                roll -= self.rates.get(fault, 0.0)
                if roll < 0:
                    return fault
            return None
