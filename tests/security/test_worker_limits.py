"""Finding 4: the verification workers have limits, give up, and end with the server.

- A job past its wall time or its memory limit is killed with its worker process, which is
  replaced; the other worker goes on serving (the jobs are the hostile ones in hostile_jobs.py,
  run by the real pool, not a mock of it).
- A recording whose runs all end that way goes to an officer after VERIFY_MAX_TRIES as
  `analysis_failed`, with a flag, and the person is told; one whose lease lapsed that often is
  not handed out again.
- Frames are measured from their headers before anything decodes them: too many pixels in all,
  or a header that does not tell the size, is refused naming the field.
- No worker outlives the app, nor a parent that was killed outright.
"""

from __future__ import annotations

import asyncio
import io
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest
from PIL import Image

from liveness.reasons import reason
from liveness.types import VideoRejected
from liveness.video import frames_from_images
from reporting_api.errors import InvalidInput
from reporting_api.photos import check_photo
from reporting_api.runtime import Verifier
from reporting_api.tables import VerificationAttempt
from reporting_api.verification import verify_upload
from reporting_api.worker_pool import JobFailed, JobLimits
from tests.checkin.helpers import (
    attempts_of,
    audit_rows,
    check_in_row,
    db,
    flags_of,
    identify,
    link_client,
    open_check_in,
    upload,
    wait_done,
)
from tests.conftest import ROOT, shared_verifier
from tests.security import hostile_jobs

# --- hostile images -----------------------------------------------------------------------


def _jpeg(width: int, height: int) -> bytes:
    ok, data = cv2.imencode(".jpg", np.full((height, width, 3), 128, np.uint8))
    assert ok
    return data.tobytes()


def sizeless_jpeg(width: int = 640, height: int = 480) -> bytes:
    """A JPEG with a TEM marker straight after its start: Pillow cannot read its header (so
    not its size), yet OpenCV decodes the whole image."""
    data = _jpeg(width, height)
    return data[:2] + b"\xff\x01" + data[2:]


def test_the_sizeless_jpeg_is_really_decodable():
    """The premise: such a frame is not garbage, it decodes (to whatever size it likes)."""
    image = cv2.imdecode(np.frombuffer(sizeless_jpeg(), np.uint8), cv2.IMREAD_COLOR)
    assert image is not None and image.shape == (480, 640, 3)
    with pytest.raises(Exception):  # noqa: B017 (Pillow's own error type is the point)
        Image.open(io.BytesIO(sizeless_jpeg())).size  # noqa: B018


def test_the_worker_never_decodes_a_frame_whose_size_cannot_be_read():
    frames = [(i / 12, _jpeg(640, 480)) for i in range(10)]
    frames[3] = (3 / 12, sizeless_jpeg())
    with pytest.raises(VideoRejected) as refused:
        frames_from_images(frames)
    assert refused.value.reason.code == "unreadable_video"


def test_the_worker_bounds_the_pixels_of_all_frames_before_decoding_any():
    # 20 frames of 1920x1920 (each within the size limit): 74 million pixels, 1.2 MB of JPEG.
    frames = [(i / 12, _jpeg(1920, 1920)) for i in range(20)]
    with pytest.raises(VideoRejected) as refused:
        frames_from_images(frames, max_pixels=60_000_000)
    assert refused.value.reason.code == "video_too_large"


def test_an_id_photo_whose_size_cannot_be_read_is_refused_naming_the_field():
    with pytest.raises(InvalidInput) as refused:
        check_photo(sizeless_jpeg(), max_bytes=10 * 1024 * 1024, max_pixels=25_000_000)
    assert refused.value.field == "photo"
    assert "size cannot be read" in refused.value.reason
    assert "อ่านขนาดของภาพ" in refused.value.reason_th


def _challenge_id(client: Any, world: dict[str, Any]) -> str:
    response = client.post(f"/c/{world['code']}/challenge")
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _refused(response: Any, status: int, field: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    [extra] = response.json()["extra"]
    assert extra["key"] == field and extra["message"] and extra["message_th"]
    return dict(extra)


def test_frames_that_decode_to_too_many_pixels_are_refused_at_upload(api):
    world = open_check_in(api)
    assert identify(api.client, world).status_code == 200
    frames = [(f"frame-{i * 83}.jpg", _jpeg(1920, 1920)) for i in range(20)]
    response = upload(
        api.client, world["code"], _challenge_id(api.client, world), None, frames=frames
    )
    extra = _refused(response, 413, "frames")
    assert "74 million pixels" in extra["message"] and "ล้านพิกเซล" in extra["message_th"]
    assert attempts_of(world["check_in"]["id"]) == []


def test_a_frame_whose_size_cannot_be_read_is_refused_at_upload(api):
    world = open_check_in(api)
    assert identify(api.client, world).status_code == 200
    frames = [(f"frame-{i * 83}.jpg", _jpeg(640, 480)) for i in range(12)]
    frames[5] = ("frame-415.jpg", sizeless_jpeg())
    response = upload(
        api.client, world["code"], _challenge_id(api.client, world), None, frames=frames
    )
    extra = _refused(response, 400, "frames")
    assert "size of frame 6 cannot be read" in extra["message"]
    assert attempts_of(world["check_in"]["id"]) == []


# --- the pool's limits --------------------------------------------------------------------


def ended(pid: int) -> bool:
    """The process is gone (or a zombie nobody has reaped yet: it runs nothing)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return True
    return stat.rsplit(")", 1)[1].split()[0] in ("Z", "X")


def still_running(pids: list[int], seconds: float) -> list[int]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not all(ended(pid) for pid in pids):
        time.sleep(0.1)
    return [pid for pid in pids if not ended(pid)]


@pytest.fixture
def pool() -> Iterator[Callable[..., Verifier]]:
    """Verifiers of their own (never the shared one: these kill its workers), closed after."""
    made: list[Verifier] = []

    def make(workers: int = 2, **limits: Any) -> Verifier:
        made.append(Verifier(workers, JobLimits(**limits)))
        return made[-1]

    yield make
    for verifier in made:
        verifier.close()


async def _both_workers_ready(verifier: Verifier) -> set[int]:
    """Run quick jobs until both workers have answered (their models are loaded)."""
    seen: set[int] = set()
    deadline = time.monotonic() + 120
    while len(seen) < 2 and time.monotonic() < deadline:
        seen |= set(await asyncio.gather(*(verifier.run(hostile_jobs.worker_pid) for _ in "ab")))
    assert len(seen) == 2
    return seen


def _replaced_one(verifier: Verifier, before: set[int]) -> int:
    """The worker that was killed (gone from the pool, ended); the pool is whole again."""
    after = set(verifier.pids())
    [killed] = before - after
    assert len(after) == 2 and ended(killed)
    return killed


def test_a_job_past_its_time_limit_is_killed_and_the_pool_keeps_serving(pool):
    verifier = pool(seconds=2)

    async def scenario() -> None:
        before = await _both_workers_ready(verifier)
        started = time.monotonic()
        stuck, fine = await asyncio.gather(
            verifier.run(hostile_jobs.sleep_past_any_limit),
            verifier.run(hostile_jobs.worker_pid),
            return_exceptions=True,
        )
        assert isinstance(stuck, JobFailed) and stuck.kind == "time_limit", stuck
        assert 2 <= time.monotonic() - started < 15
        assert fine in before  # the other worker answered meanwhile
        killed = _replaced_one(verifier, before)
        assert await verifier.run(hostile_jobs.worker_pid) != killed

    asyncio.run(scenario())


def test_a_job_past_its_memory_limit_is_killed_and_the_pool_keeps_serving(pool):
    verifier = pool(memory_mb=256)

    async def scenario() -> None:
        before = await _both_workers_ready(verifier)
        hog, fine = await asyncio.gather(
            verifier.run(hostile_jobs.allocate_gigabytes),
            verifier.run(hostile_jobs.worker_pid),
            return_exceptions=True,
        )
        assert isinstance(hog, JobFailed) and hog.kind == "memory_limit", hog
        assert fine in before
        killed = _replaced_one(verifier, before)
        assert await verifier.run(hostile_jobs.worker_pid) != killed

    asyncio.run(scenario())


def test_a_job_that_kills_its_worker_fails_alone(pool):
    verifier = pool()

    async def scenario() -> None:
        before = await _both_workers_ready(verifier)
        crashed, fine = await asyncio.gather(
            verifier.run(hostile_jobs.die),
            verifier.run(hostile_jobs.worker_pid),
            return_exceptions=True,
        )
        assert isinstance(crashed, JobFailed) and crashed.kind == "worker_died", crashed
        assert fine in before
        _replaced_one(verifier, before)

    asyncio.run(scenario())


# --- a hostile upload, end to end ---------------------------------------------------------


class HostileVerifier(Verifier):
    """The real pool under real limits, but every recording's verification runs ``job`` (what
    a hostile upload makes the decoder do); ID photos are encoded as usual."""

    def __init__(self, job: Callable[..., Any], limits: JobLimits) -> None:
        super().__init__(1, limits)
        self.job = job

    def submit(self, function: Callable[..., Any], *args: Any) -> Future[Any]:
        return super().submit(self.job if function is verify_upload else function, *args)


@pytest.mark.parametrize(
    ("job", "limits", "failure", "words"),
    [
        (hostile_jobs.sleep_past_any_limit, {"seconds": 2}, "time_limit", "2 seconds"),
        (hostile_jobs.allocate_gigabytes, {"memory_mb": 256}, "memory_limit", "256 MB"),
    ],
    ids=["time", "memory"],
)
def test_an_upload_that_kills_every_worker_goes_to_an_officer(
    api, database_url, job, limits, failure, words
):
    world = open_check_in(api)
    check_in_id = world["check_in"]["id"]
    verifier = HostileVerifier(job, JobLimits(**limits))
    settings = {"verify_job_seconds": limits.get("seconds", 30)}
    settings["verify_job_memory_mb"] = limits.get("memory_mb", 512)
    try:
        with link_client(database_url, verifier=verifier, **settings) as client:
            assert identify(client, world).status_code == 200
            response = upload(client, world["code"], _challenge_id(client, world))
            assert response.status_code == 202, response.text
            attempt_id = response.json()["attempt_id"]
            thai = wait_done(client, world["code"], attempt_id, lang="th", timeout=150)
            english = wait_done(client, world["code"], attempt_id, lang="en")
    finally:
        verifier.close()
    # The person is told plainly, in both languages, that an officer will look at it.
    told = reason("analysis_failed")
    assert thai["outcome"] == "review" and "retries_left" not in thai
    assert [r["code"] for r in thai["reasons"]] == ["analysis_failed"]
    assert thai["message_th"] == told.th and english["message"] == told.en
    [attempt] = attempts_of(check_in_id)
    assert attempt["tries"] == 3  # VERIFY_MAX_TRIES, and no more
    assert attempt["state"] == "done" and attempt["decision"] == "review"
    assert attempt["needs_review"] and attempt["media"] is None
    assert check_in_row(check_in_id)["status"] == "pending_review"
    [flag] = flags_of(check_in_id, "failed_verification")
    assert "analysis_failed" in flag["detail"] and words in flag["detail"]
    assert "3 ครั้ง" in flag["detail"] and "3 times" in flag["detail"]
    tries = audit_rows(attempt_id, "checkin.verify_failed", entity="verification_attempt")
    assert [(row["detail"]["failure"], row["detail"]["tries"]) for row in tries] == [
        (failure, 1),
        (failure, 2),
        (failure, 3),
    ]
    [verdict] = audit_rows(check_in_id, "checkin.verdict")
    assert verdict["detail"]["reasons"] == ["analysis_failed"]
    assert verdict["detail"]["tries"] == 3


class _ProcessDies(Verifier):
    """Encodes ID photos with the shared pool; verifying a recording ends as if the whole
    process died mid-way (no verdict, the lease still held)."""

    def __init__(self) -> None:
        super().__init__(1)

    async def run_memo(self, data: bytes, function: Callable[[bytes], Any]) -> Any:
        return await shared_verifier().run_memo(data, function)

    def submit(self, function: Callable[..., Any], *args: Any) -> Future[Any]:
        job: Future[Any] = Future()
        job.set_exception(RuntimeError("the process died"))
        return job


class _Counting(Verifier):
    """The shared pool, counting the recordings it is handed."""

    def __init__(self) -> None:
        super().__init__(1)
        self.recordings = 0

    async def run_memo(self, data: bytes, function: Callable[[bytes], Any]) -> Any:
        return await shared_verifier().run_memo(data, function)

    def submit(self, function: Callable[..., Any], *args: Any) -> Future[Any]:
        self.recordings += function is verify_upload
        return shared_verifier().submit(function, *args)


def test_an_attempt_whose_lease_lapsed_too_often_is_not_handed_out_again(api, database_url):
    world = open_check_in(api)
    check_in_id = world["check_in"]["id"]
    with link_client(database_url, verifier=_ProcessDies()) as client:
        assert identify(client, world).status_code == 200
        response = upload(client, world["code"], _challenge_id(client, world))
        assert response.status_code == 202, response.text
        attempt_id = response.json()["attempt_id"]
    # Two earlier takers died on it too; now its lease has lapsed once more in a process that
    # died holding it (its owner still named: a lease handed back would cost no try).
    past = db(VerificationAttempt.select(VerificationAttempt.created_at).first())["created_at"]
    A = VerificationAttempt
    db(
        A.update({A.tries: 2, A.lease_until: past, A.lease_owner: "gone:1:dead"}).where(
            A.id == attempt_id
        )
    )
    counting = _Counting()
    with link_client(database_url, verifier=counting) as client:
        assert identify(client, world).status_code == 200
        result = wait_done(client, world["code"], attempt_id)
    assert counting.recordings == 0  # given up on, not verified a fourth time
    assert [r["code"] for r in result["reasons"]] == ["analysis_failed"]
    [attempt] = attempts_of(check_in_id)
    assert attempt["tries"] == 3 and attempt["needs_review"] and attempt["media"] is None
    [flag] = flags_of(check_in_id, "failed_verification")
    assert "was not finished" in flag["detail"]


# --- no worker outlives its server --------------------------------------------------------


def test_no_worker_outlives_the_app(database_url):
    from dataclasses import replace

    from litestar.testing import TestClient

    from reporting_api.app import create_app
    from tests.conftest import settings_for_test

    base = settings_for_test(database_url)
    app = create_app(replace(base, checkin=replace(base.checkin, verify_workers=2)))
    verifier = app.state.runtime.verifier  # the app's own pool, closed with it
    with TestClient(app=app) as client:
        assert client.get("/healthz").status_code == 200
        asyncio.run(_both_workers_ready(verifier))
        pids = verifier.pids()
        assert len(pids) == 2
    assert still_running(pids, 0) == []  # ended and reaped when the app stopped
    assert verifier.pids() == []


PARENT = """
import asyncio, os, signal
from reporting_api.runtime import Verifier
from tests.security import hostile_jobs

async def main():
    verifier = Verifier(2)
    await verifier.run(hostile_jobs.worker_pid)
    asyncio.ensure_future(verifier.run(hostile_jobs.sleep_past_any_limit))
    await asyncio.sleep(1)
    print(" ".join(str(pid) for pid in verifier.pids()), flush=True)
    os.kill(os.getpid(), signal.SIGKILL)  # no shutdown, no atexit: the parent just vanishes

if __name__ == "__main__":
    asyncio.run(main())
"""


def test_no_worker_outlives_a_parent_that_was_killed(tmp_path):
    script = tmp_path / "parent.py"
    script.write_text(PARENT)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, str(script)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == -9, done.stderr
    pids = [int(pid) for pid in done.stdout.split()]
    assert len(pids) == 2, done.stdout + done.stderr
    assert still_running(pids, 10) == []  # one idle, one busy with a job: both gone
