"""Finding 5: the ID-card photo is sealed at rest like the face template (AES-256-GCM, bound
to its person); a photo stored in clear before that is sealed at its first read, and the
nightly housekeeping seals the rest; every reader opens it sealed."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from reporting_api.clock import utcnow
from reporting_api.runtime import Runtime
from reporting_api.sealing import Sealer, SealError
from reporting_api.services.faces import photo_context, template_for
from reporting_api.services.housekeeping import housekeeping
from reporting_api.tables import Defendant
from tests.api.helpers import enrol
from tests.conftest import (
    TEST_DATA_KEY,
    id_photo_bytes,
    jpeg_bytes,
    settings_for_test,
    shared_verifier,
)


def _row(defendant_id: int) -> dict[str, Any]:
    async def read() -> dict[str, Any]:
        return (
            await Defendant.select(
                Defendant.id_photo, Defendant.id_photo_sealed, Defendant.face_template
            )
            .where(Defendant.id == defendant_id)
            .first()
        )

    return asyncio.run(read())


def _set(defendant_id: int, values: dict[Any, Any]) -> None:
    async def write() -> None:
        await Defendant.update(values).where(Defendant.id == defendant_id)

    asyncio.run(write())


def _as_before_sealing(defendant_id: int, photo: bytes) -> None:
    """The row as a photo enrolled before photos were sealed left it: clear bytes only."""
    _set(defendant_id, {Defendant.id_photo: photo, Defendant.id_photo_sealed: None})


def test_an_enrolled_photo_is_stored_sealed_and_bound_to_its_person(api):
    photo = id_photo_bytes()
    person = enrol(api).json()
    row = _row(person["id"])
    assert row["id_photo"] is None
    sealed = row["id_photo_sealed"]
    assert sealed and photo not in sealed and photo[:64] not in sealed
    sealer = Sealer.from_setting(TEST_DATA_KEY)
    assert sealer.open(sealed, photo_context(person["id"])) == photo
    with pytest.raises(SealError):
        sealer.open(sealed, photo_context(person["id"] + 1))
    # The photo endpoint opens it: the bytes uploaded, not the sealed blob.
    shown = api.request("officer_bkk", "GET", f"/api/v1/defendants/{person['id']}/photo")
    assert shown.status_code == 200 and shown.content == photo


def test_a_replaced_photo_is_sealed_too(api):
    person = enrol(api).json()
    other = jpeg_bytes(240, 300, (120, 90, 60))
    _as_before_sealing(person["id"], other)  # whatever was there, clear or not
    replaced = api.request(
        "officer_bkk",
        "PUT",
        f"/api/v1/defendants/{person['id']}/photo",
        files={"photo": ("id.jpg", id_photo_bytes(), "image/jpeg")},
    )
    assert replaced.status_code == 200, replaced.text
    row = _row(person["id"])
    assert row["id_photo"] is None and id_photo_bytes() not in row["id_photo_sealed"]


def test_a_photo_blob_copied_to_another_person_does_not_open_there(api):
    first, second = enrol(api).json(), enrol(api).json()
    _set(second["id"], {Defendant.id_photo_sealed: _row(first["id"])["id_photo_sealed"]})
    shown = api.request("officer_bkk", "GET", f"/api/v1/defendants/{second['id']}/photo")
    assert shown.status_code == 409
    assert shown.json()["extra"][0]["key"] == "photo"


def test_a_photo_stored_in_clear_is_sealed_at_its_first_read(api):
    photo = id_photo_bytes()
    person = enrol(api).json()
    _as_before_sealing(person["id"], photo)
    shown = api.request("officer_bkk", "GET", f"/api/v1/defendants/{person['id']}/photo")
    assert shown.status_code == 200 and shown.content == photo
    row = _row(person["id"])
    assert row["id_photo"] is None
    assert (
        Sealer.from_setting(TEST_DATA_KEY).open(row["id_photo_sealed"], photo_context(person["id"]))
        == photo
    )


def test_housekeeping_seals_every_photo_still_in_clear(api, database_url):
    people = [enrol(api).json()["id"] for _ in range(3)]
    for defendant_id in people[:2]:
        _as_before_sealing(defendant_id, id_photo_bytes())
    report = asyncio.run(housekeeping(utcnow(), settings_for_test(database_url)))
    assert report.photos_sealed == 2
    for defendant_id in people:
        row = _row(defendant_id)
        assert row["id_photo"] is None and row["id_photo_sealed"] is not None
    again = asyncio.run(housekeeping(utcnow(), settings_for_test(database_url)))
    assert again.photos_sealed == 0


def test_the_face_template_is_rebuilt_from_the_sealed_photo(api, database_url):
    person = enrol(api).json()
    _set(person["id"], {Defendant.face_template: None})
    runtime = Runtime.from_settings(settings_for_test(database_url), verifier=shared_verifier())
    template = asyncio.run(template_for(runtime, person["id"], utcnow()))
    assert template
    assert _row(person["id"])["face_template"] is not None
