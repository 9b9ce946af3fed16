"""The ID photo's face template: made in the verifier pool, sealed at rest, opened to verify."""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypedDict

from reporting_api.errors import Conflict, InvalidInput
from reporting_api.runtime import Runtime
from reporting_api.sealing import SealError
from reporting_api.store import defendants as store
from reporting_api.verification import encode_photo


class EncodedFace(TypedDict):
    """A photo's face template (128 numbers as bytes) and how good the face was."""

    template: bytes
    quality: dict[str, Any]


def template_context(defendant_id: int) -> str:
    return f"defendant:{defendant_id}:face_template"


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
    row = await store.get_face_source(defendant_id)
    if row is None:
        raise Conflict("defendant", "no such defendant", "ไม่พบข้อมูลบุคคล")
    if row["face_template"] is not None:
        try:
            return runtime.sealer.open(row["face_template"], template_context(defendant_id))
        except SealError:
            pass  # remade from the photo below
    if row["id_photo"] is None:
        raise Conflict(
            "photo",
            "there is no ID-card photo on file to compare with; please report at the office",
            "ยังไม่มีรูปถ่ายบัตรประชาชนในระบบ โปรดรายงานตัวที่สำนักงาน",
        )
    try:
        encoded = await encode(runtime, row["id_photo"])
    except InvalidInput as refused:
        raise Conflict(
            "photo",
            "the ID-card photo on file cannot be used to compare faces "
            f"({refused.reason}); please report at the office",
            "รูปถ่ายบัตรประชาชนในระบบใช้เปรียบเทียบใบหน้าไม่ได้ โปรดรายงานตัวที่สำนักงาน",
        ) from None
    await store_template(runtime, defendant_id, encoded, now)
    return encoded["template"]
