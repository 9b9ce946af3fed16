"""A person whose ID-card photo is too blurry is enrolled in headless Chromium by taking a
reference photo at the office (issue 13): the officer fills in the enrolment form, the card
photo is refused by the face check and the page opens the ways on, the office camera (Chromium's
fake camera playing a still of a face) takes the photo, the reason is written, and the person's
page shows the office photo with the card photo beside it and why. Screenshots:
test-output/e2e-admin/<test>/NN-step.png.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import cv2
import pytest

from liveness.samples import sample_photos
from liveness.synth import read_photo
from liveness.types import Frame
from reporting_api.tables import Defendant
from reporting_api.thai_dates import input_date_text
from tests.admin.test_reference_photo import blurry_card_photo
from tests.api.helpers import new_national_id
from tests.e2e.admin_data import admin_server
from tests.e2e.clips import FPS, write_y4m
from tests.e2e.conftest import LAUNCH_FLAGS
from tests.e2e.test_admin_browser import DESKTOP, log_in, text_of
from tests.e2e.test_admin_browser import shots as shots  # noqa: F401 (the fixture)
from tests.e2e.waits import wait_until

pytestmark = [pytest.mark.db, pytest.mark.browser, pytest.mark.camera, pytest.mark.timeout(600)]

REASON = "รูปบนบัตรเบลอ ถ่ายรูปใหม่ที่สำนักงาน"


def face_still(path: Path) -> Path:
    """Two seconds of a still face (obama.jpg fitted into 640x480) for the fake camera."""
    photo = read_photo(sample_photos()["obama"])
    scale = 480 / photo.shape[0]
    face = cv2.resize(photo, (round(photo.shape[1] * scale), 480), interpolation=cv2.INTER_AREA)
    canvas = cv2.copyMakeBorder(
        face, 0, 0, 0, 640 - face.shape[1], cv2.BORDER_CONSTANT, value=(230, 230, 230)
    )
    write_y4m([Frame(i / FPS, canvas) for i in range(2 * FPS)], path)
    return path


@contextmanager
def desktop_with_camera(chromium_path: Path, clip: Path) -> Iterator[Any]:
    """A desktop page whose camera plays ``clip`` (the office's webcam)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(chromium_path),
            headless=True,
            args=[*LAUNCH_FLAGS, f"--use-file-for-fake-video-capture={clip}"],
        )
        try:
            context = browser.new_context(**DESKTOP)
            context.set_default_timeout(30_000)
            yield context.new_page()
        finally:
            browser.close()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_enrols_a_person_whose_card_photo_is_too_blurry_with_an_office_photo(
    api, database_url, chromium_path, shots, tmp_path
):
    clip = face_still(tmp_path / "office-camera.y4m")
    national_id = new_national_id()
    with admin_server(database_url) as base, desktop_with_camera(chromium_path, clip) as page:
        log_in(page, base, "officer_bkk", shots, "/admin/")
        page.goto(f"{base}/admin/enrol")
        page.fill("input[name=national_id]", national_id)
        page.fill("input[name=title_th]", "นาย")
        page.fill("input[name=first_name_th]", "สมปอง")
        page.fill("input[name=last_name_th]", "ดีใจ")
        page.fill("input[name=date_of_birth]", input_date_text(date(1990, 5, 17)))
        page.fill("input[name=phone]", "081-234-5699")
        page.check("input[name=consent]")
        page.fill("input[name=court]", "ศาลอาญา")
        page.fill("input[name=black_case_number]", "อ.4321/2569")
        page.fill("textarea[name=charge]", "ลักทรัพย์")
        page.fill("input[name=bail_amount]", "50,000")

        # 1. The card photo is too blurry: refused with the reason, and the ways on open.
        page.set_input_files(
            "input[name=photo]",
            {"name": "card.jpg", "mimeType": "image/jpeg", "buffer": blurry_card_photo()},
        )
        page.wait_for_selector("#photo-check .refused")
        assert "sharp" in text_of(page.locator("#photo-check"))
        wait_until(page, "() => document.getElementById('photo-ways').open")
        shots.take(page, "card-photo-refused")

        # 2. The office camera takes a reference photo.
        page.click("#photo-ways .camera-start")
        page.wait_for_selector("#photo-ways .camera-take:not([disabled])")
        shots.take(page, "camera-open")
        page.click("#photo-ways .camera-take")
        wait_until(page, "() => document.querySelector('input[name=office_photo]').files.length")
        assert page.is_checked("input[name=route][value=office_camera]")
        size = page.evaluate(
            "() => document.querySelector('input[name=office_photo]').files[0].size"
        )
        assert size > 5_000
        page.fill("textarea[name=reference_reason]", REASON)
        shots.take(page, "office-photo-taken")

        # 3. Enrolled: the page shows the office photo, the card photo beside it, and why.
        with page.expect_navigation():
            page.click("form.enrol button[type=submit]")
        assert "/admin/defendants/" in page.url, page.content()[:3000]
        assert REASON in text_of(page.locator("#reference"))
        wait_until(
            page,
            "() => [...document.querySelectorAll('.id-photo img')]"
            ".every(i => i.complete && i.naturalWidth > 0)",
        )
        assert page.locator("#card-photo img").count() == 1
        shots.take(page, "person-page")

    person = Defendant.select().where(Defendant.national_id == national_id).first().run_sync()
    assert person["reference_source"] == "office_camera"
    assert person["face_template"] is not None and person["card_photo_sealed"] is not None
    assert person["reference_reason"] == REASON
    shots.write()
