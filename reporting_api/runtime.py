"""What the running service holds besides settings: the data sealer and the verifier pool
(its processes and their limits: worker_pool.py).

Built once by `create_app` (`Runtime.from_settings`) and kept in `app.state.runtime`;
controllers hand it to the services through `Ctx.runtime` or `Visit.runtime`.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import random
import socket
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable, Coroutine
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from reporting_api.clock import Clock, utcnow
from reporting_api.sealing import Sealer, generate_key
from reporting_api.settings import Settings
from reporting_api.worker_pool import JobLimits, WorkerPool

log = logging.getLogger(__name__)
T = TypeVar("T")


def new_instance_id() -> str:
    return f"{socket.gethostname()[:32]}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


class DataKeyMissing(RuntimeError):
    """No data key on PostgreSQL: sealed data would be unreadable after a restart."""


def load_sealer(settings: Settings) -> Sealer:
    """The sealer from `DATA_KEYS`; on SQLite without it, a key kept in `DATA_KEY_FILE`."""
    if settings.checkin.data_keys:
        return Sealer.from_setting(settings.checkin.data_keys)
    if not settings.is_sqlite:
        raise DataKeyMissing(
            "DATA_KEYS is not set: give the service a data key (`id:base64`, 32 bytes; "
            "`python -c 'from reporting_api.sealing import generate_key; print(generate_key())'`)"
        )
    path = Path(settings.checkin.data_key_file)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # Created readable by the owner only; exclusive, so two processes cannot both write.
        try:
            handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(handle, "w") as file:
                file.write(generate_key("dev1") + "\n")
    return Sealer.from_setting(path.read_text().strip())


WORKER_NICENESS = 5
"""Verification yields the CPU to the API's event loop: a busy pool must not slow every page."""


def _warm_up() -> None:
    """Lower the worker's priority and load the face models once, before the first job."""
    from liveness import faces

    try:
        os.nice(WORKER_NICENESS)
    except OSError:  # not permitted here: run at normal priority
        pass
    faces.models()


class Verifier:
    """The pool of processes for face work (`worker_pool.WorkerPool`), started on first use,
    each job under `limits`; results of deterministic jobs are remembered."""

    MEMO_SIZE = 64

    def __init__(self, workers: int, limits: JobLimits | None = None) -> None:
        self.workers = max(1, workers)
        self.limits = limits or JobLimits()
        self._pool: WorkerPool | None = None
        self._lock = threading.Lock()  # apps on several threads may share one verifier (tests)
        # Results of deterministic jobs by their input's hash (the same ID photo uploaded
        # again is not encoded again).
        self._memo: OrderedDict[str, Any] = OrderedDict()

    @classmethod
    def from_settings(cls, settings: Settings) -> Verifier:
        checkin = settings.checkin
        limits = JobLimits(
            seconds=checkin.verify_job_seconds, memory_mb=checkin.verify_job_memory_mb
        )
        return cls(checkin.verify_workers, limits)

    def _workers(self) -> WorkerPool:
        with self._lock:
            if self._pool is None:
                self._pool = WorkerPool(self.workers, self.limits, warm_up=_warm_up)
            return self._pool

    async def run(self, function: Callable[..., T], *args: Any) -> T:
        """``function(*args)`` in a worker; `JobFailed` if the worker was killed (past the time
        or memory limit) or died, and replaced."""
        result: T = await asyncio.wrap_future(self.submit(function, *args))
        return result

    def submit(self, function: Callable[..., Any], *args: Any) -> Future[Any]:
        """``function(*args)`` queued for a worker, as a concurrent Future: ``running()``
        once a worker has taken it; ``cancel()`` succeeds only while it still waits."""
        return self._workers().submit(function, *args)

    async def run_memo(self, data: bytes, function: Callable[[bytes], T]) -> T:
        """`run(function, data)` for a deterministic function, remembered by data's hash."""
        key = f"{function.__module__}.{function.__qualname__}:{hashlib.sha256(data).hexdigest()}"
        if key in self._memo:
            self._memo.move_to_end(key)
            return self._memo[key]
        result = await self.run(function, data)
        self._memo[key] = result
        while len(self._memo) > self.MEMO_SIZE:
            self._memo.popitem(last=False)
        return result

    def pids(self) -> list[int]:
        """The worker processes alive now."""
        pool = self._pool
        return pool.pids() if pool is not None else []

    def close(self) -> None:
        """End every worker and wait for it (a later job starts a fresh pool)."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.close()


@dataclass
class Runtime:
    settings: Settings
    verifier: Verifier
    # Challenges are drawn from the system's CSPRNG; tests pass a seeded one to know them.
    challenge_rng: random.Random = field(default_factory=random.SystemRandom)
    clock: Clock = utcnow
    """What the service's operations take as now (tests pass a fixed clock)."""
    _sealer: Sealer | None = None
    instance_id: str = field(default_factory=lambda: new_instance_id())
    """This process's name on the leases it holds (host, pid and a random part: a restarted
    process with the same pid is another holder)."""
    verifying: dict[int, Future[Any]] = field(default_factory=dict)
    """Attempt id -> its job in the verifier, while this process verifies it."""
    _tasks: set[asyncio.Task[Any]] = field(default_factory=set)
    _lasting: set[asyncio.Task[Any]] = field(default_factory=set)
    _owns_verifier: bool = True
    _stopping: asyncio.Event | None = None

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        challenge_rng: random.Random | None = None,
        verifier: Verifier | None = None,
        clock: Clock = utcnow,
    ) -> Runtime:
        """``verifier``: a pool shared by several apps (tests), which then do not close it."""
        return cls(
            settings=settings,
            verifier=verifier or Verifier.from_settings(settings),
            challenge_rng=challenge_rng or random.SystemRandom(),
            clock=clock,
            _owns_verifier=verifier is None,
        )

    @property
    def sealer(self) -> Sealer:
        """Loaded on first use: without a data key the rest of the service still runs, and
        what needs the key answers 503 saying how to set it (DataKeyMissing)."""
        if self._sealer is None:
            self._sealer = load_sealer(self.settings)
        return self._sealer

    def spawn(self, coroutine: Coroutine[Any, Any, Any], *, lasting: bool = False) -> None:
        """Run ``coroutine`` in the background, keeping a reference until it ends.
        ``lasting``: a loop that runs until shutdown, not counted by `working`."""
        task = asyncio.get_running_loop().create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        if lasting:
            self._lasting.add(task)
            task.add_done_callback(self._lasting.discard)

    def working(self) -> int:
        """How many pieces of passing background work (a verification, an import) run now;
        safe to read from another thread."""
        return max(0, len(self._tasks) - len(self._lasting))

    @property
    def stopping(self) -> asyncio.Event:
        """Set when the service shuts down: background loops end at their next pause."""
        if self._stopping is None:
            self._stopping = asyncio.Event()
        return self._stopping

    async def pause(self, seconds: float) -> bool:
        """Wait ``seconds`` or until shutdown; True if the service is shutting down."""
        try:
            await asyncio.wait_for(self.stopping.wait(), timeout=seconds)
        except TimeoutError:
            return False
        return True

    async def close(self, grace_seconds: float = 15.0) -> None:
        """Let running work finish (a verification takes about a second), then cancel what is
        left: an attempt cut short keeps its lease and is verified again after a restart (its
        lapsed lease counts a try); the verifier's processes end here."""
        self.stopping.set()
        if self._tasks:
            _, late = await asyncio.wait(list(self._tasks), timeout=grace_seconds)
            for task in late:
                task.cancel()
            if late:
                await asyncio.gather(*late, return_exceptions=True)
        if self._owns_verifier:
            self.verifier.close()
