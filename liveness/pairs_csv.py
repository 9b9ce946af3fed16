"""The labelled pairs of `python -m liveness evaluate-pairs`: a CSV read and checked in full
before anything is matched, so a mistake on the last line is found in a second, not after an
hour.

    card,probe,same,age_group,sex,challenge
    cards/0001.jpg,probes/0001.jpg,yes,35-49,F,
    cards/0001.jpg,clips/0001.webm,yes,35-49,F,clips/0001.json
    cards/0001.jpg,probes/0002.jpg,no,35-49,F,

`card` is the ID-card photo, `probe` a second photo (.jpg, .jpeg, .png) or a check-in clip
(.mp4, .webm) of the same person or another; `same` is yes/no, 1/0 or true/false; `age_group`
and `sex` are optional labels to group the rates by; `challenge` is the challenge JSON a clip
was recorded for (`python -m liveness challenge`), required for a clip and only for one. Paths
are relative to the CSV's folder. Every mistake is a PairsError naming the line and column.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import cv2
import numpy as np

from liveness.types import Challenge

COLUMNS = ("card", "probe", "same", "age_group", "sex", "challenge")
REQUIRED = ("card", "probe", "same")
PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png")
CLIP_SUFFIXES = (".mp4", ".webm")
YES = ("yes", "1", "true")
NO = ("no", "0", "false")

ProbeKind = Literal["photo", "clip"]


class PairsError(ValueError):
    """The CSV cannot be used; the message names the file, line and column and what to fix."""


@dataclass(frozen=True)
class Pair:
    """One labelled pair, its paths resolved against the CSV's folder."""

    line: int  # the CSV line the pair is on (the header is line 1)
    card: Path
    probe: Path
    card_text: str  # the paths as the CSV gives them, for the report
    probe_text: str
    kind: ProbeKind
    same: bool
    age_group: str = ""
    sex: str = ""
    challenge: Challenge | None = None  # a clip's challenge


def load_pairs(path: Path) -> list[Pair]:
    """Every pair of the CSV at ``path``, or PairsError on the first mistake."""
    try:
        text = path.read_text(encoding="utf-8-sig")  # a spreadsheet's export may start with a BOM
    except FileNotFoundError:
        raise PairsError(f"{path}: no such file") from None
    except UnicodeDecodeError:
        raise PairsError(f"{path}: not UTF-8 text; save the sheet as CSV UTF-8") from None
    except OSError as error:
        raise PairsError(f"{path}: cannot be read ({error.strerror})") from None
    reader = csv.reader(text.splitlines())
    header = next(reader, None)
    if header is None or not any(cell.strip() for cell in header):
        raise PairsError(f"{path}: empty; the first line names the columns: {', '.join(COLUMNS)}")
    names = [cell.strip() for cell in header]
    _check_header(path, names)
    base = path.parent
    images: dict[Path, None] = {}  # photos already found readable
    pairs = []
    for cells in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) > len(names):
            raise PairsError(
                f"{path}, line {line}: {len(cells)} values for {len(names)} columns "
                "(a comma inside a value needs the value in double quotes)"
            )
        row = dict(zip(names, (cell.strip() for cell in cells), strict=False))
        pairs.append(_pair(path, base, line, row, images))
    if not pairs:
        raise PairsError(f"{path}: a header but no pairs")
    return pairs


def _check_header(path: Path, names: list[str]) -> None:
    where = f"{path}, line 1"
    for name in names:
        if name not in COLUMNS:
            raise PairsError(
                f"{where}: unknown column {name!r}; the columns are {', '.join(COLUMNS)}"
            )
        if names.count(name) > 1:
            raise PairsError(f"{where}: column {name!r} appears twice")
    for name in REQUIRED:
        if name not in names:
            raise PairsError(f"{where}: no column {name!r}; {', '.join(REQUIRED)} are required")


def _pair(path: Path, base: Path, line: int, row: dict[str, str], images: dict[Path, None]) -> Pair:
    def mistake(column: str, what: str) -> PairsError:
        return PairsError(f"{path}, line {line}, column {column!r}: {what}")

    def existing(column: str) -> Path:
        value = row.get(column, "")
        if not value:
            raise mistake(column, "empty; give a file's path, relative to the CSV's folder")
        file = base / value
        if not file.is_file():
            raise mistake(column, f"no file {value!r} (looked for {file})")
        return file

    card = existing("card")
    _readable_image(card, images, lambda what: mistake("card", what))
    probe = existing("probe")
    suffix = probe.suffix.lower()
    kind: ProbeKind
    if suffix in PHOTO_SUFFIXES:
        kind = "photo"
        _readable_image(probe, images, lambda what: mistake("probe", what))
    elif suffix in CLIP_SUFFIXES:
        kind = "clip"
    else:
        raise mistake(
            "probe",
            f"{probe.name!r} is neither a photo ({', '.join(PHOTO_SUFFIXES)}) "
            f"nor a clip ({', '.join(CLIP_SUFFIXES)})",
        )
    same_text = row.get("same", "").lower()
    if same_text not in YES + NO:
        raise mistake(
            "same", f"{row.get('same', '')!r} is not yes/no, 1/0 or true/false (same person?)"
        )
    challenge = None
    if kind == "clip":
        file = existing("challenge") if row.get("challenge") else None
        if file is None:
            raise mistake("challenge", "a clip needs the challenge JSON it was recorded for")
        try:
            challenge = Challenge.from_json(file.read_bytes())
        except (OSError, ValueError) as error:
            raise mistake("challenge", f"{file.name!r} is not a challenge ({error})") from None
    elif row.get("challenge"):
        raise mistake("challenge", "only a clip has a challenge; leave it empty for a photo")
    return Pair(
        line=line,
        card=card,
        probe=probe,
        card_text=row["card"],
        probe_text=row["probe"],
        kind=kind,
        same=same_text in YES,
        age_group=row.get("age_group", ""),
        sex=row.get("sex", ""),
        challenge=challenge,
    )


def _readable_image(
    file: Path, seen: dict[Path, None], mistake: Callable[[str], PairsError]
) -> None:
    """Decode the image once (a card appears on many lines) to refuse an unreadable one now."""
    if file in seen:
        return
    try:
        data = np.frombuffer(file.read_bytes(), dtype=np.uint8)
        image = cv2.imdecode(data, cv2.IMREAD_COLOR) if data.size else None
    except (OSError, cv2.error):
        image = None
    if image is None:
        raise mistake(f"{file.name!r} cannot be read as an image (JPEG or PNG)")
    seen[file] = None
