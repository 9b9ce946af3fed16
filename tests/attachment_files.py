"""Files of every type a person may attach, and disguised or broken ones, generated here (no
third-party file is committed): small, but each what its type says, or deliberately not."""

from __future__ import annotations

import io
import os
import struct
import zipfile

from PIL import Image
from PIL.PngImagePlugin import PngInfo

GPS_IFD = 0x8825
BANGKOK_GPS = {1: "N", 2: (13.0, 45.0, 0.0), 3: "E", 4: (100.0, 30.0, 0.0)}


def pdf(size: int = 0, extra: bytes = b"") -> bytes:
    """A one-page PDF; ``size`` pads it with an incompressible stream to about that size."""
    padding = os.urandom(max(0, size - 600))
    body = (
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
        b"3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >> endobj\n"
        + extra
        + b"4 0 obj << /Length " + str(len(padding)).encode() + b" >> stream\n"
        + padding
        + b"\nendstream endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    )  # fmt: skip
    return body


def jpeg_with_gps(size: tuple[int, int] = (64, 48), orientation: int = 1) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    image.paste((20, 20, 200), (0, 0, size[0] // 2, size[1] // 4))
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "PhoneMaker"
    exif[GPS_IFD] = BANGKOK_GPS
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes(), quality=90)
    return out.getvalue()


def png_with_text() -> bytes:
    info = PngInfo()
    info.add_text("Location", "13.75,100.50")
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (0, 128, 0)).save(out, format="PNG", pnginfo=info)
    return out.getvalue()


def gif() -> bytes:
    out = io.BytesIO()
    frames = [Image.new("RGB", (20, 20), (i * 100, 50, 200 - i * 60)) for i in range(3)]
    frames[0].save(
        out, format="GIF", save_all=True, append_images=frames[1:], comment=b"secret note"
    )
    return out.getvalue()


def _zip(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return out.getvalue()


CONTENT_TYPES = (
    b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    b'content-types"><Override PartName="/word/document.xml" ContentType="application/'
    b'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)


def docx(extra: dict[str, bytes] | None = None, content_types: bytes = CONTENT_TYPES) -> bytes:
    return _zip(
        {
            "[Content_Types].xml": content_types,
            "_rels/.rels": b'<?xml version="1.0"?><Relationships/>',
            "word/document.xml": b'<?xml version="1.0"?><w:document><w:body>'
            b"<w:p><w:r><w:t>medical certificate</w:t></w:r></w:p></w:body></w:document>",
            **(extra or {}),
        }
    )


def docx_with_macros() -> bytes:
    return docx(
        {"word/vbaProject.bin": b"\xd0\xcf\x11\xe0" + b"\0" * 100},
        CONTENT_TYPES.replace(b"document.main+xml", b"document.macroEnabled.main+xml"),
    )


def docx_with_remote_template() -> bytes:
    return docx(
        {
            "word/_rels/settings.xml.rels": b'<?xml version="1.0"?><Relationships><Relationship '
            b'Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            b'relationships/attachedTemplate" Target="http://198.51.100.7/t.dotm" '
            b'TargetMode="External"/></Relationships>'
        }
    )


def docx_with_zip_bomb(expanded_mb: int = 300) -> bytes:
    """A docx whose one image part expands to ``expanded_mb`` MB of zeros (about 1,000 to 1)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("word/document.xml", b"<w:document/>")
        with archive.open("word/media/image1.png", "w", force_zip64=True) as part:
            block = b"\0" * (1024 * 1024)
            for _ in range(expanded_mb):
                part.write(block)
    return out.getvalue()


def xlsx() -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["วันที่", "ชั่วโมงทำงาน"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _ole(entries: list[tuple[str, int, bytes]]) -> bytes:
    """A minimal compound file (OLE2, 512-byte sectors): a root and ``entries`` as (name,
    type: 1 storage / 2 stream, data), all siblings under the root; streams are padded to
    4096 bytes so none lives in the mini stream."""
    sector = 512
    streams = [(name, kind, data.ljust(4096, b"\0")) for name, kind, data in entries]
    data_sectors = sum(len(d) // sector for _, k, d in streams if k == 2)
    fat_index, dir_index, first_data = 0, 1, 2
    fat = [0xFFFFFFFD, 0xFFFFFFFE]  # the FAT's own sector, the directory's (one sector)
    starts = []
    at = first_data
    for _, kind, data in streams:
        if kind != 2:
            starts.append(0)
            continue
        count = len(data) // sector
        starts.append(at)
        fat.extend(list(range(at + 1, at + count)) + [0xFFFFFFFE])
        at += count
    assert len(fat) <= sector // 4 and len(streams) <= 3, "keep the test file small"
    fat += [0xFFFFFFFF] * (sector // 4 - len(fat))
    header = bytearray(sector)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHH", header, 24, 0x3E, 3, 0xFFFE, 9)
    struct.pack_into("<H", header, 32, 6)
    struct.pack_into("<I", header, 44, 1)  # FAT sectors
    struct.pack_into("<I", header, 48, dir_index)
    struct.pack_into("<I", header, 56, 4096)
    struct.pack_into("<IIII", header, 60, 0xFFFFFFFE, 0, 0xFFFFFFFE, 0)
    struct.pack_into("<I", header, 76, fat_index)
    for i in range(1, 109):
        struct.pack_into("<I", header, 76 + 4 * i, 0xFFFFFFFF)

    def entry(name: str, kind: int, right: int, child: int, start: int, size: int) -> bytes:
        raw = bytearray(128)
        encoded = (name + "\0").encode("utf-16-le")
        raw[0 : len(encoded)] = encoded
        struct.pack_into("<HBB", raw, 64, len(encoded), kind, 1)
        struct.pack_into("<III", raw, 68, 0xFFFFFFFF, right, child)
        struct.pack_into("<II", raw, 116, start, size)
        return bytes(raw)

    directory = entry("Root Entry", 5, 0xFFFFFFFF, 1 if streams else 0xFFFFFFFF, 0xFFFFFFFE, 0)
    for index, (name, kind, data) in enumerate(streams):
        right = index + 2 if index + 1 < len(streams) else 0xFFFFFFFF
        size = len(data) if kind == 2 else 0
        directory += entry(name, kind, right, 0xFFFFFFFF, starts[index], size)
    directory = directory.ljust(sector, b"\0")
    fat_sector = b"".join(struct.pack("<I", v) for v in fat)
    body = b"".join(d for _, k, d in streams if k == 2)
    assert len(body) // sector == data_sectors
    return bytes(header) + fat_sector + directory + body


def doc() -> bytes:
    return _ole([("WordDocument", 2, b"\xec\xa5" + b"\0" * 10), ("1Table", 2, b"\0" * 10)])


def doc_with_macros() -> bytes:
    return _ole([("WordDocument", 2, b"\xec\xa5"), ("Macros", 1, b"")])


def xls_old() -> bytes:
    return _ole([("Workbook", 2, b"\x09\x08")])


def _box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def mp4(location: bytes | None = b"+13.7563+100.5018+012.000/") -> bytes:
    """Boxes as a phone writes them (not playable): ftyp, moov (with the place in udta's
    ©xyz when ``location``), mdat."""
    udta = _box(b"udta", _box(b"\xa9xyz", b"\x00\x12\x15\xc7" + location)) if location else b""
    moov = _box(b"moov", _box(b"mvhd", b"\0" * 100) + udta)
    return _box(b"ftyp", b"isom\0\0\2\0isomiso2mp41") + moov + _box(b"mdat", os.urandom(2000))


def heic() -> bytes:
    return _box(b"ftyp", b"heic\0\0\0\0mif1heic") + _box(b"meta", b"\0" * 40)


def windows_program() -> bytes:
    """The start of a Windows executable (MZ, then the PE header it points to)."""
    head = bytearray(b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00")
    head += b"\0" * (0x3C - len(head)) + struct.pack("<I", 0x80)
    head += b"\0" * (0x80 - len(head)) + b"PE\0\0" + os.urandom(400)
    return bytes(head)


def elf_program() -> bytes:
    return b"\x7fELF\x02\x01\x01" + b"\0" * 9 + os.urandom(200)
