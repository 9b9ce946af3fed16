"""ID-card photos for an import: a ZIP of images, each named by the person's national ID
(``1101700000010.jpg``), read one entry at a time and never trusted.

A ZIP can claim anything in its directory: an entry's real size is only known by reading it,
so each is read through a bounded read (at most `max_bytes` + 1), and the archive as a whole
is bounded in entries, in declared size and in compression ratio before anything is read.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

from reporting_api.errors import InvalidInput

MAX_ENTRIES = 20_000
MAX_RATIO = 50
"""An entry that claims to expand more than this many times is refused unread: JPEG and PNG
are compressed already, so a real photo shrinks by little in a ZIP."""
MAX_TOTAL_BYTES = 4 * 1024**3
"""What the entries may claim in all (4 GB): more is refused before any is read."""
_NAME = re.compile(r"(?:.*/)?([0-9]{13})\.(jpe?g|png)", re.IGNORECASE)
_SKIPPED = re.compile(r"(?:^|/)(__MACOSX/|\.|Thumbs\.db$|desktop\.ini$)", re.IGNORECASE)


class ZipRefused(Exception):
    def __init__(self, reason: str, reason_th: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.reason_th = reason_th


@dataclass(frozen=True)
class PhotoEntry:
    """One entry of the ZIP: the national ID its name gives (None if the name gives none)
    and, when it was read, its bytes; ``problem`` when it cannot be used."""

    name: str
    national_id: str | None
    data: bytes | None
    problem: InvalidInput | None


def _refused(entry: str, reason: str, reason_th: str) -> InvalidInput:
    return InvalidInput("photos", f"{entry}: {reason}", f"{entry}: {reason_th}")


def read_photos(stream: IO[bytes], max_bytes: int) -> Iterator[PhotoEntry]:
    """Each entry of the ZIP in turn, read within its bounds; ZipRefused when the archive as
    a whole cannot be read or claims too much."""
    try:
        archive = zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ZipRefused("the photos file is not a ZIP archive", "ไฟล์รูปถ่ายไม่ใช่ไฟล์ ZIP") from None
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_ENTRIES:
            raise ZipRefused(
                f"the ZIP holds more than {MAX_ENTRIES:,} files",
                f"ไฟล์ ZIP มีเกิน {MAX_ENTRIES:,} ไฟล์",
            )
        if sum(i.file_size for i in infos) > MAX_TOTAL_BYTES:
            raise ZipRefused("the ZIP expands to more than 4 GB", "ไฟล์ ZIP เมื่อแตกไฟล์ใหญ่เกิน 4 GB")
        for info in infos:
            if info.is_dir() or _SKIPPED.search(info.filename):
                continue
            yield _entry(archive, info, max_bytes)


def _entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo, max_bytes: int) -> PhotoEntry:
    name = info.filename[-120:]
    match = _NAME.fullmatch(info.filename)
    if match is None:
        return PhotoEntry(
            name,
            None,
            None,
            _refused(
                name,
                "the name must be the person's 13-digit national ID and .jpg or .png",
                "ชื่อไฟล์ต้องเป็นเลขประจำตัวประชาชน 13 หลัก และเป็น .jpg หรือ .png",
            ),
        )
    national_id = match.group(1)
    too_big = _refused(
        name,
        f"the photo is larger than {max_bytes // (1024 * 1024)} MB",
        f"รูปใหญ่เกิน {max_bytes // (1024 * 1024)} MB",
    )
    if info.file_size > max_bytes:
        return PhotoEntry(name, national_id, None, too_big)
    if info.compress_size and info.file_size / info.compress_size > MAX_RATIO:
        return PhotoEntry(
            name,
            national_id,
            None,
            _refused(
                name,
                "the entry expands far more than a photo can (a ZIP bomb?)",
                "ไฟล์ขยายตัวมากเกินกว่าที่รูปถ่ายจะเป็นได้",
            ),
        )
    try:
        with archive.open(info) as entry:
            data = entry.read(max_bytes + 1)
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError, EOFError):
        return PhotoEntry(
            name,
            national_id,
            None,
            _refused(
                name,
                "the entry cannot be read (damaged or encrypted)",
                "อ่านไฟล์นี้ไม่ได้ (เสียหายหรือเข้ารหัสไว้)",
            ),
        )
    if len(data) > max_bytes:
        return PhotoEntry(name, national_id, None, too_big)
    return PhotoEntry(name, national_id, data, None)
