"""Jobs mapped over spawned worker processes (one OpenCV thread each), results in order."""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor

import cv2


def parallel(function, jobs: list, workers: int):
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
