"""Worker processes for face work, each job under a wall-time and a memory limit.

A job runs in one of N spawned processes (spawned, not forked: the parent holds database
connections and an event loop that a fork would copy). The limits are the operating system's,
not the job's good manners:

- memory: after loading its models a worker caps its own address space (`RLIMIT_AS`) at its
  size then plus `JobLimits.memory_mb`; an allocation past it fails (`MemoryError`), and the
  worker reports it and exits;
- time: the parent's thread for that worker waits at most `JobLimits.seconds` from the moment
  the worker takes the job, then kills the process (SIGKILL).

Either way the job fails with `JobFailed` (as it does when the worker dies of anything else) and
a fresh worker takes the killed one's place; the other workers go on with their jobs. No
worker outlives the pool: `close` ends them all and waits for them, and a worker whose parent
died (even killed outright) ends too, by the kernel's parent-death signal and by a thread that
watches its parent.
"""

from __future__ import annotations

import ctypes
import logging
import os
import queue
import signal
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from multiprocessing import get_context
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from typing import Any, Literal

log = logging.getLogger(__name__)

FailureKind = Literal["time_limit", "memory_limit", "worker_died"]

WARM_UP_SECONDS = 120.0
"""A new worker has this long to load its models before the job it was handed times out."""
PARENT_CHECK_SECONDS = 0.5
"""How often a worker looks whether its parent is still there."""
STOP_SECONDS = 3.0
"""How long a worker asked to stop (SIGTERM) may take before it is killed."""
MALLOC_ARENAS = 2
"""glibc reserves 64 MB of address space per malloc arena (one per thread by default): with
few arenas the address-space limit measures memory in use, not threads' reservations."""
_PR_SET_PDEATHSIG = 1
_M_ARENA_MAX = -8


@dataclass(frozen=True)
class JobLimits:
    """What one job may use (`VERIFY_JOB_SECONDS`, `VERIFY_JOB_MEMORY_MB`)."""

    seconds: float = 30.0
    """Wall time from when a worker takes the job until it is killed."""
    memory_mb: int = 512
    """Address space a job may add to a worker that has its models loaded."""


class JobFailed(Exception):
    """A job ended without a result: its worker ran past the time or the memory limit and was
    killed, or died; a fresh worker has taken its place."""

    def __init__(self, kind: FailureKind, detail: str) -> None:
        super().__init__(f"{kind}: {detail}")
        self.kind: FailureKind = kind
        self.detail = detail


class PoolClosed(RuntimeError):
    """The pool was closed (the service is stopping) before the job could finish."""


# --- inside a worker --------------------------------------------------------------------


def _address_space_mb() -> int | None:
    """This process's address space in MB (Linux), or None where /proc cannot tell."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) // 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def _limit_memory(extra_mb: int) -> int | None:
    """Cap the address space at its present size plus ``extra_mb``; the cap in MB, or None."""
    import resource

    present = _address_space_mb()
    if present is None:
        return None
    limit = (present + extra_mb) * 1024 * 1024
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    # The hard limit too: nothing running here may raise it again.
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    return limit // (1024 * 1024)


def _libc() -> Any:
    try:
        return ctypes.CDLL(None, use_errno=True)
    except OSError:
        return None


def _follow_parent(parent_pid: int) -> None:
    """End this worker when its parent ends, however the parent ends."""
    libc = _libc()
    if sys.platform.startswith("linux") and libc is not None and hasattr(libc, "prctl"):
        # The kernel kills this process when the parent's thread that started it exits (the
        # pool's thread for this worker, which lives until the pool closes) or the parent dies.
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent_pid:  # the parent died before the line above
        os._exit(0)

    def watch() -> None:
        # Also where the signal is missing (not Linux): reparented means orphaned.
        while os.getppid() == parent_pid:
            time.sleep(PARENT_CHECK_SECONDS)
        os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _worker_main(
    conn: Connection, parent_pid: int, memory_mb: int, warm_up: Callable[[], None] | None
) -> None:
    """A worker's life: follow the parent, warm up, cap memory, then run jobs one at a time."""
    # Ctrl-C reaches the whole process group; the parent decides when workers stop.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _follow_parent(parent_pid)
    libc = _libc()
    if libc is not None and hasattr(libc, "mallopt"):
        libc.mallopt(_M_ARENA_MAX, MALLOC_ARENAS)
    if warm_up is not None:
        warm_up()
    conn.send(("ready", _address_space_mb(), _limit_memory(memory_mb)))
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return  # the parent is gone
        if message is None:
            return
        job_id, function, args = message
        conn.send(("start", job_id))
        out_of_memory = False
        try:
            reply: tuple[Any, ...] = ("ok", job_id, function(*args))
        except MemoryError:
            out_of_memory = True  # answered below, once the failed job's frames are freed
        except Exception as error:
            reply = ("error", job_id, error)
        if out_of_memory:
            conn.send(("memory", job_id))
            return  # the parent replaces this worker: its heap may be in pieces
        try:
            conn.send(reply)
        except Exception as error:  # a result or an error that does not pickle
            conn.send(("error", job_id, RuntimeError(f"{type(error).__name__}: {error}")))


# --- in the parent ------------------------------------------------------------------------


class _Slot:
    """One worker process and the parent's thread that feeds it jobs and watches its limits."""

    def __init__(self, pool: WorkerPool, index: int) -> None:
        self.pool = pool
        self.index = index
        self.process: BaseProcess | None = None
        self.conn: Connection | None = None
        self.ready = False
        self.lock = threading.Lock()
        self.jobs_started = 0
        self.thread = threading.Thread(
            target=self._serve, name=f"verifier-slot-{index}", daemon=True
        )

    def start(self) -> bool:
        """Start a fresh worker (the old one, if any, is ended first); False once closed."""
        with self.lock:
            self._end()
            if self.pool.closed:
                return False
            ours, theirs = self.pool.context.Pipe(duplex=True)
            process = self.pool.context.Process(
                target=_worker_main,
                args=(theirs, os.getpid(), self.pool.limits.memory_mb, self.pool.warm_up),
                name=f"verifier-{self.index}",
                daemon=True,
            )
            process.start()
            theirs.close()
            self.process, self.conn, self.ready = process, ours, False
            return True

    def _end(self) -> None:
        """End the worker now and reap it (called with the lock held)."""
        process, conn = self.process, self.conn
        self.process, self.conn, self.ready = None, None, False
        if conn is not None:
            conn.close()
        if process is None:
            return
        if process.is_alive():
            process.kill()
        process.join(STOP_SECONDS)
        if process.exitcode is not None:
            process.close()

    def stop(self) -> None:
        """Ask the worker to stop (SIGTERM), kill it if it does not, and reap it."""
        with self.lock:
            if self.process is not None and self.process.is_alive():
                self.process.terminate()
                self.process.join(STOP_SECONDS)
            self._end()

    def pid(self) -> int | None:
        process = self.process
        return process.pid if process is not None and process.is_alive() else None

    def _serve(self) -> None:
        # Started from this thread, which lives as long as the pool: the parent-death signal
        # follows the thread that started the worker.
        self.start()  # the models load in the background, before the first job
        while True:
            item = self.pool.jobs.get()
            if item is None:
                return
            future, function, args = item
            if not future.set_running_or_notify_cancel():
                continue
            try:
                result = self._run(function, args)
            except BaseException as error:
                future.set_exception(error)
            else:
                future.set_result(result)

    def _run(self, function: Callable[..., Any], args: tuple[Any, ...]) -> Any:
        if self.process is None or not self.process.is_alive():
            if not self.start():
                raise PoolClosed("the verifier is closed")
        process, conn = self.process, self.conn
        assert process is not None and conn is not None
        self.jobs_started += 1
        job_id = self.jobs_started
        try:
            conn.send((job_id, function, args))
        except OSError:
            return self._failed("worker_died", "the worker was gone before the job")
        limit = self.pool.limits.seconds
        deadline = time.monotonic() + (limit if self.ready else WARM_UP_SECONDS + limit)
        while True:
            ready = wait([conn, process.sentinel], max(0.0, deadline - time.monotonic()))
            if not ready:
                return self._failed("time_limit", f"the job ran past {limit:g} s")
            if conn not in ready:
                return self._failed("worker_died", f"exit code {process.exitcode}")
            try:
                message = conn.recv()
            except (EOFError, OSError):
                return self._failed("worker_died", f"exit code {process.exitcode}")
            kind = message[0]
            if kind == "ready":
                self.ready = True
                log.info(
                    "verifier worker %s: %s MB with its models, capped at %s MB",
                    process.pid,
                    message[1],
                    message[2],
                )
            elif kind == "start" and message[1] == job_id:
                deadline = time.monotonic() + limit
            elif kind == "ok" and message[1] == job_id:
                return message[2]
            elif kind == "error" and message[1] == job_id:
                raise message[2]
            elif kind == "memory" and message[1] == job_id:
                memory = self.pool.limits.memory_mb
                return self._failed("memory_limit", f"the job needed more than {memory} MB")

    def _failed(self, kind: FailureKind, detail: str) -> Any:
        """End the worker, start its replacement (unless closing), and fail the job."""
        if self.pool.closed:
            with self.lock:
                self._end()
            raise PoolClosed("the verifier closed while the job ran")
        log.error("verifier worker %s: %s (%s); replacing it", self.pid(), kind, detail)
        self.start()
        raise JobFailed(kind, detail)


class WorkerPool:
    """N worker processes taking jobs from one queue; `submit` gives a concurrent Future, so
    the pool serves any thread and any event loop."""

    def __init__(
        self, workers: int, limits: JobLimits, warm_up: Callable[[], None] | None = None
    ) -> None:
        self.limits = limits
        self.warm_up = warm_up
        self.context = get_context("spawn")
        self.jobs: queue.SimpleQueue[tuple[Future[Any], Callable[..., Any], tuple[Any, ...]] | None]
        self.jobs = queue.SimpleQueue()
        self.closed = False
        self.slots = [_Slot(self, index) for index in range(max(1, workers))]
        for slot in self.slots:
            slot.thread.start()

    def submit(self, function: Callable[..., Any], *args: Any) -> Future[Any]:
        future: Future[Any] = Future()
        if self.closed:
            future.set_exception(PoolClosed("the verifier is closed"))
        else:
            self.jobs.put((future, function, args))
        return future

    def pids(self) -> list[int]:
        """The worker processes alive now."""
        return [pid for pid in (slot.pid() for slot in self.slots) if pid is not None]

    def close(self) -> None:
        """End every worker and wait for it; jobs still queued are cancelled."""
        self.closed = True
        while True:
            try:
                item = self.jobs.get_nowait()
            except queue.Empty:
                break
            if item is not None:
                item[0].cancel()
        for _ in self.slots:
            self.jobs.put(None)
        for slot in self.slots:
            slot.stop()
        for slot in self.slots:
            slot.thread.join(STOP_SECONDS)
