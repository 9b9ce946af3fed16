"""The ID-card photo and its face template, both sealed at rest (AES-256-GCM, each bound to
its person), opened only to be shown, exported or compared.

The template is made from the photo in the verifier pool. Photos stored before photos were
sealed are sealed at their first read (`stored_photo`), and the nightly housekeeping seals
the rest (`seal_clear_photos`), so no photo stays clear past the night after an upgrade.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypedDict

from reporting_api.errors import Conflict, InvalidInput
from reporting_api.runtime import Runtime
from reporting_api.sealing import Sealer, SealError
from reporting_api.store import defendants as store
from reporting_api.store.defendants import PhotoRow
from reporting_api.verification import encode_photo

SEAL_BATCH = 200
"""Clear photos sealed per query by the housekeeping."""


class EncodedFace(TypedDict):
    """A photo's face template (128 numbers as bytes) and how good the face was."""

    template: bytes
    quality: dict[str, Any]


def template_context(defendant_id: int) -> str:
    return f"defendant:{defendant_id}:face_template"


def photo_context(defendant_id: int) -> str:
    return f"defendant:{defendant_id}:id_photo"


def seal_photo(runtime: Runtime, defendant_id: int, photo: bytes) -> bytes:
    return runtime.sealer.seal(photo, photo_context(defendant_id))


def card_photo_context(defendant_id: int) -> str:
    return f"defendant:{defendant_id}:card_photo"


def seal_card_photo(runtime: Runtime, defendant_id: int, photo: bytes) -> bytes:
    """The ID-card photo kept beside an office photo, for a person's eyes only."""
    return runtime.sealer.seal(photo, card_photo_context(defendant_id))


def open_card_photo(runtime: Runtime, defendant_id: int, sealed: bytes) -> bytes:
    try:
        return runtime.sealer.open(sealed, card_photo_context(defendant_id))
    except SealError:
        raise Conflict(
            "card_photo",
            "the ID-card photo was sealed with a data key this service no longer has; "
            "add the old key to DATA_KEYS",
            "รูปถ่ายบัตรประชาชนถูกเข้ารหัสด้วยกุญแจที่ระบบไม่มีแล้ว",
        ) from None


async def stored_photo(runtime: Runtime, row: PhotoRow) -> bytes | None:
    """The photo's bytes (None when there is none). A sealed photo is opened; a clear one,
    stored before photos were sealed, is sealed now, at its first read."""
    if row["id_photo_sealed"] is not None:
        try:
            return runtime.sealer.open(row["id_photo_sealed"], photo_context(row["id"]))
        except SealError:
            raise Conflict(
                "photo",
                "the ID-card photo was sealed with a data key this service no longer has; "
                "add the old key to DATA_KEYS, or upload the photo again",
                "รูปถ่ายบัตรประชาชนถูกเข้ารหัสด้วยกุญแจที่ระบบไม่มีแล้ว โปรดอัปโหลดรูปถ่ายใหม่",
            ) from None
    if row["id_photo"] is not None:
        await _seal_clear(runtime.sealer, row["id"], row["id_photo"])
        return row["id_photo"]
    return None


async def _seal_clear(sealer: Sealer, defendant_id: int, photo: bytes) -> bool:
    sealed = sealer.seal(photo, photo_context(defendant_id))
    return await store.save_sealed_photo(defendant_id, sealed, only_if_clear=True)


async def seal_clear_photos(sealer: Sealer, max_batches: int = 1000) -> int:
    """Seal every photo still stored in clear; how many were sealed."""
    sealed, after_id = 0, 0
    for _ in range(max_batches):
        rows = await store.clear_photos(after_id, SEAL_BATCH)
        for row in rows:
            if row["id_photo"] is not None and await _seal_clear(
                sealer, row["id"], row["id_photo"]
            ):
                sealed += 1
        if len(rows) < SEAL_BATCH:
            break
        after_id = rows[-1]["id"]
    return sealed


async def encode(runtime: Runtime, photo: bytes, field: str = "photo") -> EncodedFace:
    """The template of a photo (off the event loop), or InvalidInput with the library's reason."""
    result = await runtime.verifier.run_memo(photo, encode_photo)
    if not result["ok"]:
        reason = result["reason"]
        raise InvalidInput(field, reason["en"], reason["th"])
    return EncodedFace(template=result["template"], quality=result["quality"])


async def store_template(
    runtime: Runtime, defendant_id: int, encoded: EncodedFace, now: datetime
) -> None:
    sealed = runtime.sealer.seal(encoded["template"], template_context(defendant_id))
    await store.save_face_template(defendant_id, sealed, encoded["quality"], now)


async def template_for(runtime: Runtime, defendant_id: int, now: datetime) -> bytes:
    """The defendant's template, made now from the stored photo if there is none yet (or it
    was sealed with a key that is gone); Conflict when there is no usable photo."""
    row = await store.get_face_template(defendant_id)
    if row is None:
        raise Conflict("defendant", "no such defendant", "ไม่พบข้อมูลบุคคล")
    if row["reporting_mode"] == "in_person":
        raise Conflict(
            "photo",
            "you report in person at the office; please come to the office",
            "ท่านต้องรายงานตัวที่สำนักงาน โปรดมารายงานตัวที่สำนักงาน",
        )
    if row["face_template"] is not None:
        try:
            return runtime.sealer.open(row["face_template"], template_context(defendant_id))
        except SealError:
            pass  # remade from the photo below
    photo_row = await store.get_photo(defendant_id)
    photo = None if photo_row is None else await stored_photo(runtime, photo_row)
    if photo is None:
        raise Conflict(
            "photo",
            "there is no ID-card photo on file to compare with; please report at the office",
            "ยังไม่มีรูปถ่ายบัตรประชาชนในระบบ โปรดรายงานตัวที่สำนักงาน",
        )
    try:
        encoded = await encode(runtime, photo)
    except InvalidInput as refused:
        raise Conflict(
            "photo",
            "the ID-card photo on file cannot be used to compare faces "
            f"({refused.reason}); please report at the office",
            "รูปถ่ายบัตรประชาชนในระบบใช้เปรียบเทียบใบหน้าไม่ได้ โปรดรายงานตัวที่สำนักงาน",
        ) from None
    await store_template(runtime, defendant_id, encoded, now)
    return encoded["template"]
