"""Fixtures for the browser tests: Debian's Chromium driven by Playwright, a mobile page whose
camera plays a clip file, and a folder for each test's screenshots.

Playwright's sync API keeps an asyncio loop registered on the test's thread while it runs, so
it is started only inside the test body (`mobile_page(...)` is a context manager) and stopped
before anything calls `asyncio.run` again. Chromium is never downloaded: `make test` installs
Debian's package, and without it these tests skip (or fail when `CI` is set).
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from liveness.types import Challenge
from tests.conftest import ROOT
from tests.e2e.clips import camera_clip, thumbnails, write_y4m

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
OUTPUT = ROOT / "test-output" / "e2e"
# A cheap Android phone: 360x640 CSS pixels, touch, Chrome for Android.
MOBILE = {
    "viewport": {"width": 360, "height": 640},
    "screen": {"width": 360, "height": 640},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "user_agent": (
        "Mozilla/5.0 (Linux; Android 11; SM-A032F) AppleWebKit/537.36 "
        "(KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36"
    ),
    "locale": "th-TH",
    "timezone_id": "Asia/Bangkok",
}
LAUNCH_FLAGS = [
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-quic",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    if not CHROMIUM.exists():
        message = f"no Chromium at {CHROMIUM}: `make test` installs Debian's chromium package"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return CHROMIUM


@dataclass(frozen=True)
class CameraFile:
    path: Path  # the .y4m Chromium's fake camera plays
    thumbnails: np.ndarray  # of its frames, for clips.content_offset


@pytest.fixture(scope="session")
def camera_file(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., CameraFile]:
    """``camera_file(challenge, kind, lead_s)``: the clip for the fake camera (see
    tests/e2e/clips.py), rendered once per session and kept under pytest's tmp folder."""
    made: dict[tuple[Challenge, str, float], CameraFile] = {}

    def make(challenge: Challenge, kind: str, lead_s: float) -> CameraFile:
        key = (challenge, kind, lead_s)
        if key not in made:
            frames = camera_clip(challenge, kind, lead_s)
            path = tmp_path_factory.mktemp("camera") / f"{kind}.y4m"
            write_y4m(frames, path)
            made[key] = CameraFile(path, thumbnails(frames))
        return made[key]

    return make


@pytest.fixture
def output_dir(request: pytest.FixtureRequest) -> Path:
    """test-output/e2e/<test name>/, emptied first (the folder is git-ignored)."""
    folder = OUTPUT / re.sub(r"[^A-Za-z0-9_.-]+", "-", request.node.name).strip("-")
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


@pytest.fixture
def mobile_page(
    chromium_path: Path, database_url: str
) -> Callable[[Path | None], AbstractContextManager]:
    """``with mobile_page(clip) as page:`` a page in a phone-sized context of a fresh headless
    Chromium whose fake camera plays ``clip`` (.y4m or .mjpeg) from its start when opened
    (``None``: no clip, for tests that never open the camera)."""

    @contextmanager
    def open_page(clip: Path | None) -> Iterator:
        from playwright.sync_api import sync_playwright

        camera = [f"--use-file-for-fake-video-capture={clip}"] if clip else []
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(chromium_path),
                headless=True,
                args=[*LAUNCH_FLAGS, *camera],
            )
            try:
                context = browser.new_context(**MOBILE)
                context.set_default_timeout(30_000)
                yield context.new_page()
            finally:
                browser.close()

    return open_page
