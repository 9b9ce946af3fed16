"""Jobs mapped over spawned worker processes (one OpenCV thread each), results in order."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import TypeVar

import cv2

Job = TypeVar("Job")
Result = TypeVar("Result")


def parallel(function: Callable[[Job], Result], jobs: list[Job], workers: int) -> Iterator[Result]:
    """function(job) for each job, results in order; in spawned processes if workers > 1."""
    if workers <= 1 or len(jobs) <= 1:
        yield from map(function, jobs)
        return
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_quiet_worker) as pool:
        yield from pool.map(function, jobs)


def _quiet_worker() -> None:
    # One OpenCV thread per process: the workers already use every core.
    cv2.setNumThreads(1)
