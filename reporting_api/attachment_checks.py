"""Checking a file a person attaches to a request (a medical certificate, an employer's
letter) before an officer may open it.

The type is decided from the content, never from the name: `puremagic` reads the file's
magic bytes, and each accepted type is then checked for what it claims to be, whole:

- JPEG, PNG, GIF: decoded (at most `MAX_PIXELS`), turned upright and written again, so
  nothing but the pixels survives (EXIF, GPS, comments, text chunks).
- PDF: a header, an end (a truncated file has none), no scripts, launch actions, embedded
  files or encryption (names written with `#xx` escapes are read as the names they spell).
- DOCX, XLSX: a ZIP that opens, whose parts all decompress (CRC checked) to at most
  `MAX_EXPANDED` bytes and `MAX_RATIO` times their size, and that holds no macros
  (`vbaProject.bin`, a macro-enabled content type), ActiveX controls, embedded macro
  documents or a template fetched from elsewhere.
- DOC: a Word OLE file with no `Macros` or VBA storage and not encrypted.
- MP4: boxes that cover the file exactly (a truncated file does not) with a `moov`; the
  location a phone writes (ISO 6709, in `©xyz` or Apple's keys) is blanked in place.
- TXT: UTF-8, or Thai Windows-874, with no NUL bytes; stored as UTF-8.

`inspect` reads from a seekable stream and writes what is to be stored to ``out`` when the
file was rewritten; it raises `AttachmentRefused` naming the reason in English and Thai.
Nothing here touches the database; it runs in a worker thread.
"""

from __future__ import annotations

import codecs
import io
import mmap
import re
import struct
import zipfile
from dataclasses import dataclass
from typing import BinaryIO

import olefile
import puremagic
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 50 * 1024 * 1024
"""The Citizen Portal's limit for one attachment."""
MAX_PIXELS = 50_000_000
MAX_EXPANDED = 200 * 1024 * 1024
"""What all the parts of a DOCX or XLSX may decompress to."""
MAX_RATIO = 200
"""How many times its compressed size one part may expand to (beyond 1 MB)."""
MAX_ENTRIES = 5_000
BLOCK = 1024 * 1024

KINDS = ("pdf", "jpeg", "png", "gif", "txt", "doc", "docx", "xlsx", "mp4")
MEDIA_TYPES = {
    "pdf": "application/pdf",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "gif": "image/gif",
    "txt": "text/plain; charset=utf-8",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "mp4": "video/mp4",
}
EXTENSIONS = {"jpeg": "jpg"}
ACCEPTED_EN = "PDF, JPEG, PNG, GIF, text, Word (DOC, DOCX), Excel (XLSX) or MP4"
ACCEPTED_TH = "PDF, JPEG, PNG, GIF, ข้อความ, Word (DOC, DOCX), Excel (XLSX) หรือ MP4"


class AttachmentRefused(Exception):
    """A file that is not stored: ``code`` names the reason for logs and tests."""

    def __init__(self, code: str, reason: str, reason_th: str) -> None:
        super().__init__(f"{code}: {reason}")
        self.code = code
        self.reason = reason
        self.reason_th = reason_th


@dataclass(frozen=True)
class Checked:
    kind: str
    rewritten: bool
    """True when ``out`` holds what is to be stored instead of the file as sent."""


def _damaged(what: str) -> AttachmentRefused:
    return AttachmentRefused(
        "damaged",
        f"the {what} file is incomplete or damaged; send it again from the original",
        f"ไฟล์ {what} ไม่สมบูรณ์หรือเสียหาย โปรดส่งใหม่จากไฟล์ต้นฉบับ",
    )


def _macros(what: str) -> AttachmentRefused:
    return AttachmentRefused(
        "macros",
        f"the {what} document contains macros; save it without macros (as DOCX, XLSX or "
        "PDF) and send it again",
        f"เอกสาร {what} นี้มีมาโคร โปรดบันทึกเป็นไฟล์ที่ไม่มีมาโคร (DOCX, XLSX หรือ PDF) แล้วส่งใหม่",
    )


def _encrypted(what: str) -> AttachmentRefused:
    return AttachmentRefused(
        "encrypted",
        f"the {what} file is protected by a password; the officer cannot open it. Save it "
        "without a password and send it again",
        f"ไฟล์ {what} นี้ตั้งรหัสผ่านไว้ เจ้าหน้าที่จะเปิดไม่ได้ โปรดบันทึกโดยไม่ตั้งรหัสผ่านแล้วส่งใหม่",
    )


def _unknown(name: str | None) -> AttachmentRefused:
    what = f" (it looks like: {name})" if name else ""
    return AttachmentRefused(
        "type",
        f"this file is not one of the accepted types{what}; send {ACCEPTED_EN}",
        f"ไฟล์นี้ไม่ใช่ชนิดที่รับ{f' (ดูเหมือนเป็น {name})' if name else ''} โปรดส่งเป็น {ACCEPTED_TH}",
    )


def inspect(stream: BinaryIO, size: int, out: BinaryIO) -> Checked:
    """Decide and check the type of ``size`` bytes in ``stream``; see the module's doc."""
    if size <= 0:
        raise AttachmentRefused("empty", "the file is empty", "ไฟล์ว่างเปล่า")
    if size > MAX_BYTES:
        raise AttachmentRefused("too_large", "the file is larger than 50 MB", "ไฟล์ใหญ่เกิน 50 MB")
    stream.seek(0)
    head = stream.read(8192)
    kind, looks_like = _kind_of(head)
    stream.seek(0)
    if kind in ("jpeg", "png", "gif"):
        return _image(stream, kind, out)
    if kind == "pdf":
        return _pdf(stream, size)
    if kind == "zip":
        return _office_xml(stream)
    if kind == "ole":
        return _ole(stream)
    if kind == "mp4":
        return _mp4(stream, size, out)
    if kind is None and looks_like is None:
        return _text(stream, out)
    raise _unknown(looks_like)


def _kind_of(head: bytes) -> tuple[str | None, str | None]:
    """Our kind of the file by its first bytes, or None and what puremagic calls it."""
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg", None
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png", None
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif", None
    if b"%PDF-" in head[:1024]:
        return "pdf", None
    if head.startswith(b"PK\x03\x04"):
        return "zip", None
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole", None
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in (b"heic", b"heix", b"mif1", b"msf1", b"avif", b"hevc"):
            raise AttachmentRefused(
                "type",
                "this is a HEIC or AVIF photo; choose 'Most compatible' (JPEG) in the phone's "
                "camera settings, or send a screenshot of it",
                "ไฟล์นี้เป็นภาพ HEIC หรือ AVIF โปรดตั้งกล้องให้บันทึกเป็น JPEG "
                "(โหมด 'เข้ากันได้มากที่สุด') หรือส่งภาพหน้าจอแทน",
            )
        return "mp4", None
    if head.startswith(b"MZ"):
        return None, "a Windows program"
    if head.startswith(b"\x7fELF"):
        return None, "a Linux program"
    try:
        matches = puremagic.magic_string(head)
    except (puremagic.PureError, ValueError):
        matches = []
    named = sorted((m for m in matches if m.confidence >= 0.4), key=lambda m: -m.confidence)
    if named:
        return None, named[0].name
    return None, None


def _image(stream: BinaryIO, kind: str, out: BinaryIO) -> Checked:
    what = kind.upper()
    try:
        with Image.open(stream) as image:
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise AttachmentRefused(
                    "too_many_pixels",
                    f"the {what} image is {width}x{height}, more than 50 million pixels",
                    f"ภาพ {what} มีขนาด {width}x{height} เกิน 50 ล้านพิกเซล",
                )
            if kind == "gif":
                frames, durations = [], []
                for index in range(getattr(image, "n_frames", 1)):
                    image.seek(index)
                    frame = image.convert("RGBA")
                    frame.info.clear()  # comments and extensions stay behind
                    frames.append(frame)
                    durations.append(int(image.info.get("duration", 100)))
                    if len(frames) > 500:
                        raise _damaged(what)
                several = {"save_all": True, "append_images": frames[1:], "duration": durations}
                frames[0].save(out, format="GIF", loop=0, **(several if len(frames) > 1 else {}))
            else:
                image.load()
                upright = ImageOps.exif_transpose(image)
                if kind == "jpeg":
                    rgb = (
                        upright if upright.mode in ("RGB", "L", "CMYK") else upright.convert("RGB")
                    )
                    rgb.save(out, format="JPEG", quality=90)
                else:
                    upright.save(out, format="PNG")
    except AttachmentRefused:
        raise
    except (OSError, UnidentifiedImageError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise _damaged(what) from None
    return Checked(kind, rewritten=True)


PDF_NAME = re.compile(rb"/[^\s/<>\[\]()%{}]+")
PDF_ACTIVE = {
    b"/JavaScript": "scripts",
    b"/JS": "scripts",
    b"/Launch": "an action that starts a program",
    b"/EmbeddedFile": "embedded files",
    b"/RichMedia": "embedded media",
    b"/XFA": "an XFA form",
}
PDF_ACTIVE_TH = {
    "scripts": "สคริปต์",
    "an action that starts a program": "คำสั่งเปิดโปรแกรม",
    "embedded files": "ไฟล์แฝง",
    "embedded media": "สื่อแฝง",
    "an XFA form": "แบบฟอร์ม XFA",
}


def _pdf_names(data: bytes | mmap.mmap, start: int, end: int) -> set[bytes]:
    """The names written between ``start`` and ``end``, their `#xx` escapes read."""
    names = set()
    for match in PDF_NAME.finditer(data, start, end):
        name = match.group()
        if b"#" in name:
            name = re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), name)
        names.add(name)
    return names


PDF_STREAM = re.compile(rb"(?<!end)stream\r?\n")


def _pdf(stream: BinaryIO, size: int) -> Checked:
    """The names of a PDF's objects, outside their streams' data: a scan's compressed image
    may hold any bytes, `/JS ` among them, and must not be refused for it."""
    with _whole(stream, size) as data:
        if b"%%EOF" not in data[max(0, size - 2048) : size]:
            raise _damaged("PDF")
        at = 0
        while at < size:
            opened = PDF_STREAM.search(data, at)
            end = opened.start() if opened else size
            names = _pdf_names(data, at, end)
            if b"/Encrypt" in names:
                raise _encrypted("PDF")
            for name, what in PDF_ACTIVE.items():
                if name in names:
                    raise AttachmentRefused(
                        "active_content",
                        f"the PDF contains {what}; print it to a new PDF, or photograph the "
                        "paper, and send that",
                        f"PDF นี้มี{PDF_ACTIVE_TH[what]} โปรดพิมพ์เป็น PDF ใหม่ หรือถ่ายภาพเอกสารแล้วส่งแทน",
                    )
            if opened is None:
                break
            closed = data.find(b"endstream", opened.end())
            if closed < 0:
                break  # the rest is one stream's data
            at = closed + len(b"endstream")
    return Checked("pdf", rewritten=False)


class _whole:
    """The file as one buffer without reading it into memory: a memory map of the temporary
    file the service checks from (a small in-memory file in tests is read)."""

    def __init__(self, stream: BinaryIO, size: int) -> None:
        self.stream, self.size = stream, size
        self.map: mmap.mmap | None = None

    def __enter__(self) -> bytes | mmap.mmap:
        try:
            fileno = self.stream.fileno()
        except (OSError, AttributeError, io.UnsupportedOperation):
            self.stream.seek(0)
            return self.stream.read(self.size)
        self.stream.flush()
        self.map = mmap.mmap(fileno, 0, access=mmap.ACCESS_READ)
        return self.map

    def __exit__(self, *_: object) -> None:
        if self.map is not None:
            self.map.close()


MACRO_PARTS = re.compile(r"(^|/)(vbaproject\.bin|vbadata\.xml)$|\.(docm|xlsm|xlsb|pptm|dotm)$")
EXTERNAL_TEMPLATE = re.compile(
    rb"attachedTemplate[^>]*TargetMode=\"External\"|"
    rb"TargetMode=\"External\"[^>]*attachedTemplate"
)


def _office_xml(stream: BinaryIO) -> Checked:
    try:
        archive = zipfile.ZipFile(stream)
        entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise _damaged("ZIP/DOCX/XLSX") from None
    names = {entry.filename for entry in entries}
    if "word/document.xml" in names:
        kind = "docx"
    elif "xl/workbook.xml" in names:
        kind = "xlsx"
    else:
        raise _unknown("a ZIP archive" if "[Content_Types].xml" not in names else "an Office file")
    what = kind.upper()
    if len(entries) > MAX_ENTRIES:
        raise _bomb(what)
    declared = 0
    for entry in entries:
        declared += entry.file_size
        ratio_breaks = entry.file_size > BLOCK and entry.file_size > MAX_RATIO * max(
            entry.compress_size, 1
        )
        if declared > MAX_EXPANDED or ratio_breaks:
            raise _bomb(what)
        lowered = entry.filename.lower()
        if MACRO_PARTS.search(lowered):
            raise _macros(what)
        if "/activex/" in f"/{lowered}":
            raise AttachmentRefused(
                "active_content",
                f"the {what} document contains ActiveX controls; save it as PDF and send that",
                f"เอกสาร {what} นี้มีตัวควบคุม ActiveX โปรดบันทึกเป็น PDF แล้วส่งแทน",
            )
    expanded = 0
    try:
        for entry in entries:
            with archive.open(entry) as part:
                tail = b""
                while block := part.read(BLOCK):
                    expanded += len(block)
                    if expanded > MAX_EXPANDED:
                        raise _bomb(what)
                    lowered = entry.filename.lower()
                    if lowered == "[content_types].xml" and (
                        b"macroEnabled" in block or b"vbaProject" in block
                    ):
                        raise _macros(what)
                    if lowered.endswith(".rels") and EXTERNAL_TEMPLATE.search(tail + block):
                        raise AttachmentRefused(
                            "active_content",
                            f"the {what} document loads a template from another place; save "
                            "it as PDF and send that",
                            f"เอกสาร {what} นี้ดึงแม่แบบจากที่อื่น โปรดบันทึกเป็น PDF แล้วส่งแทน",
                        )
                    tail = block[-256:]
    except AttachmentRefused:
        raise
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError):
        raise _damaged(what) from None
    return Checked(kind, rewritten=False)


def _bomb(what: str) -> AttachmentRefused:
    return AttachmentRefused(
        "zip_bomb",
        f"the {what} file expands to far more than a document does (over 200 MB, or more "
        "than 200 times its size); it is not accepted",
        f"ไฟล์ {what} นี้ขยายตัวเกินกว่าเอกสารปกติมาก (เกิน 200 MB หรือเกิน 200 เท่า) จึงไม่รับ",
    )


def _ole(stream: BinaryIO) -> Checked:
    try:
        ole = olefile.OleFileIO(stream)
    except (OSError, ValueError, struct.error, IndexError):
        raise _damaged("DOC") from None
    try:
        streams = {"/".join(path).lower() for path in ole.listdir(streams=True, storages=True)}
    finally:
        ole.close()
    if "encryptedpackage" in streams:
        raise _encrypted("DOCX/XLSX")
    if "worddocument" not in streams:
        if "workbook" in streams or "book" in streams:
            raise _unknown("an old Excel file (XLS); save it as XLSX")
        raise _unknown("an OLE file that is not a Word document")
    if any(
        name == "macros" or name.startswith("macros/") or "_vba_project" in name for name in streams
    ):
        raise _macros("DOC")
    return Checked("doc", rewritten=False)


ISO6709 = re.compile(
    rb"[+-][0-9]{2}(?:\.[0-9]+)?[+-][0-9]{3}(?:\.[0-9]+)?(?:[+-][0-9.]+)?(?:CRS[A-Za-z0-9_:]+)?/"
)


def _boxes(stream: BinaryIO, size: int) -> list[tuple[bytes, int, int]]:
    """The top-level boxes as (type, offset, size); refuses a file they do not cover."""
    boxes, at = [], 0
    while at < size:
        stream.seek(at)
        header = stream.read(16)
        if len(header) < 8:
            raise _damaged("MP4")
        length, kind = struct.unpack(">I4s", header[:8])
        if length == 1:
            if len(header) < 16:
                raise _damaged("MP4")
            length = struct.unpack(">Q", header[8:16])[0]
        elif length == 0:
            length = size - at
        if length < 8 or at + length > size:
            raise _damaged("MP4")
        boxes.append((kind, at, length))
        at += length
    return boxes


def _mp4(stream: BinaryIO, size: int, out: BinaryIO) -> Checked:
    boxes = _boxes(stream, size)
    moov = [b for b in boxes if b[0] == b"moov"]
    if not moov or not any(b[0] == b"mdat" for b in boxes):
        raise _damaged("MP4")
    _, moov_at, moov_size = moov[0]
    if moov_size > 16 * BLOCK:
        raise _damaged("MP4")
    stream.seek(moov_at)
    body = stream.read(moov_size)
    blanked = ISO6709.sub(lambda m: re.sub(rb"[0-9]", b"0", m.group()), body)
    if blanked == body:
        return Checked("mp4", rewritten=False)
    stream.seek(0)
    _copy(stream, out, moov_at)
    out.write(blanked)
    stream.seek(moov_at + moov_size)
    _copy(stream, out, size - moov_at - moov_size)
    return Checked("mp4", rewritten=True)


def _copy(stream: BinaryIO, out: BinaryIO, count: int) -> None:
    while count > 0:
        block = stream.read(min(BLOCK, count))
        if not block:
            raise _damaged("MP4")
        out.write(block)
        count -= len(block)


def _text(stream: BinaryIO, out: BinaryIO) -> Checked:
    for encoding in ("utf-8-sig", "cp874"):
        stream.seek(0)
        out.seek(0)
        out.truncate()
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            while block := stream.read(BLOCK):
                text = decoder.decode(block)
                if "\x00" in text or _controls(text):
                    raise _unknown("a binary file")
                out.write(text.encode())
            out.write(decoder.decode(b"", final=True).encode())
        except UnicodeDecodeError:
            continue
        return Checked("txt", rewritten=True)
    raise _unknown(None)


CONTROLS = re.compile("[\x01-\x08\x0e-\x1a\x1c-\x1f\x7f]")


def _controls(text: str) -> bool:
    return CONTROLS.search(text) is not None
