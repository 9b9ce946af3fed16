"""Checking an uploaded ID-card photo before it is stored."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

from reporting_api.errors import InvalidInput

ACCEPTED_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png"}
MIN_SIDE = 64
JPEG_MAGIC = b"\xff\xd8\xff"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@dataclass(frozen=True)
class CheckedPhoto:
    data: bytes
    mime: str
    width: int
    height: int


def _size_unreadable(field: str) -> InvalidInput:
    return InvalidInput(
        field,
        "the file is not a readable JPEG or PNG image: its size cannot be read from its "
        "header; save it again as JPEG or PNG",
        "ไฟล์นี้ไม่ใช่ภาพ JPEG หรือ PNG ที่อ่านได้ อ่านขนาดของภาพจากส่วนหัวของไฟล์ไม่ได้ "
        "โปรดบันทึกภาพใหม่เป็น JPEG หรือ PNG",
    )


def check_photo(
    data: bytes, *, max_bytes: int, max_pixels: int, field: str = "photo"
) -> CheckedPhoto:
    """Decode the whole image to prove it is a real JPEG or PNG of sane size.

    The pixel count is read from the header before decoding, so a small file that would
    expand to gigabytes (a decompression bomb) is refused without being decoded; so is an
    image whose header does not tell its size.
    """
    if not data:
        raise InvalidInput(field, "the file is empty", "ไฟล์ว่างเปล่า")
    if len(data) > max_bytes:
        raise InvalidInput(
            field,
            f"the file is larger than {max_bytes // (1024 * 1024)} MB",
            f"ไฟล์ใหญ่เกิน {max_bytes // (1024 * 1024)} MB",
        )
    width = height = 0
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            fmt = image.format
            width, height = image.size
            if width <= 0 or height <= 0:
                raise _size_unreadable(field)
            if width * height > max_pixels:
                raise InvalidInput(
                    field,
                    f"the image is {width}x{height} pixels, more than {max_pixels} allowed",
                    f"ภาพมีขนาด {width}x{height} พิกเซล เกินกว่าที่รับได้",
                )
            if fmt not in ACCEPTED_FORMATS:
                raise InvalidInput(
                    field, "only JPEG or PNG photos are accepted", "รับเฉพาะไฟล์ภาพ JPEG หรือ PNG"
                )
            image.load()
    except InvalidInput:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        # Pillow's own guard fired while reading the header.
        raise InvalidInput(
            field,
            f"the image decodes to too many pixels (more than {max_pixels} allowed)",
            "ภาพมีจำนวนพิกเซลเกินกว่าที่รับได้",
        ) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        if not width and (data[:3] == JPEG_MAGIC or data[:8] == PNG_MAGIC):
            # Looks like a photo, but its size cannot be read: never decoded.
            raise _size_unreadable(field) from None
        raise InvalidInput(
            field,
            "the file is not a readable JPEG or PNG image",
            "ไฟล์นี้ไม่ใช่ภาพ JPEG หรือ PNG ที่อ่านได้",
        ) from None
    if min(width, height) < MIN_SIDE:
        raise InvalidInput(
            field,
            f"the image is {width}x{height} pixels; at least {MIN_SIDE} pixels a side is needed",
            f"ภาพเล็กเกินไป ({width}x{height}) ต้องมีอย่างน้อย {MIN_SIDE} พิกเซลต่อด้าน",
        )
    return CheckedPhoto(data=data, mime=ACCEPTED_FORMATS[fmt], width=width, height=height)
