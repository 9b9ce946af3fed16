"""Whole clips: `render` one kind, `write_clip` to a file, `read_photo`, and the `synth` command."""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

import cv2
import numpy as np

from liveness.synth.attacks import render_print, render_screen
from liveness.synth.camera import Camera
from liveness.synth.genuine import render_genuine
from liveness.synth.head import build_head, dressed
from liveness.synth.looks import Look
from liveness.types import Challenge, Frame

KINDS = ("genuine", "static", "print", "screen", "replay", "impostor")


def render(
    photo_rgb: np.ndarray,
    challenge: Challenge,
    kind: str,
    rng: random.Random,
    *,
    other_photo: np.ndarray | None = None,
    fps: int = 15,
    size: tuple[int, int] = (640, 480),
    look: Look | None = None,
) -> list[Frame]:
    """Frames (RGB, ``size`` = (width, height)) of a clip of ``kind`` answering ``challenge``,
    the person (or the attacker's picture of them) looking as ``look`` says.

    Raises ValueError for an unknown kind, a missing ``other_photo`` (impostor) or a photo
    without a face.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; use one of {', '.join(KINDS)}")
    if kind == "impostor":
        if other_photo is None:
            raise ValueError("an impostor clip needs other_photo (another person's photo)")
        photo_rgb = other_photo
    if kind == "replay":
        challenge = replay_challenge(challenge, rng)
    n = round((challenge.duration_s + 0.5) * fps)
    times = np.arange(n) / fps
    head = build_head(photo_rgb, rng, size)
    look = look or Look()
    if not look.plain:
        head = dressed(head, look, random.Random(rng.getrandbits(64)))
    if kind in ("genuine", "replay", "impostor"):
        images = render_genuine(head, challenge, times, rng)
    elif kind == "static":
        images = [head.still()] * n
    elif kind == "print":
        images = render_print(head, challenge, times, rng, size)
    else:
        images = render_screen(head, challenge, times, rng, size)
    camera = Camera(rng, size, still=kind == "static", light=look.light)
    return [Frame(float(t), camera.capture(image)) for t, image in zip(times, images, strict=True)]


def replay_challenge(challenge: Challenge, rng: random.Random) -> Challenge:
    """Another random challenge whose actions come in a different order (what a replay answers)."""
    from liveness.challenge import new_challenge

    wanted = tuple(step.action for step in challenge.steps)
    while True:
        other = new_challenge(rng)
        if tuple(step.action for step in other.steps) != wanted:
            return other


def write_clip(frames: list[Frame], path: Path, fps: int = 15) -> None:
    """Encode RGB frames as .mp4 ('mp4v') or .webm ('VP80'); raises OSError if that fails."""
    if not frames:
        raise ValueError("no frames to write")
    codec = "VP80" if Path(path).suffix.lower() == ".webm" else "mp4v"
    height, width = frames[0].image.shape[:2]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*codec), fps, (width, height))
    if not writer.isOpened():
        raise OSError(f"OpenCV cannot write {path} with codec {codec}")
    try:
        for frame in frames:
            writer.write(cv2.cvtColor(frame.image, cv2.COLOR_RGB2BGR))
    finally:
        writer.release()


def read_photo(path: Path) -> np.ndarray:
    """An RGB image from a file; raises ValueError if it cannot be read."""
    if not Path(path).is_file():
        raise ValueError(f"no such file: {path}")
    image = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if image is None:
        raise ValueError(f"cannot read an image from {path}")
    return cv2.cvtColor(image, cv2.COLOR_BGR2RGB)


def parse_look(text: str | None) -> Look:
    """A `Look` from JSON (``None``: the plain look); ValueError says what is wrong."""
    if not text:
        return Look()
    try:
        data = json.loads(text)
        if not isinstance(data, dict):
            raise TypeError("not an object")
        return Look(**data)
    except (TypeError, json.JSONDecodeError) as error:
        raise ValueError(f"--look must be a JSON object of Look fields: {error}") from None


def main(args: argparse.Namespace) -> int:
    """`python -m liveness synth`: render one clip to a file."""
    try:
        width, height = (int(v) for v in str(getattr(args, "size", "640x480")).lower().split("x"))
        if not (64 <= width <= 3840 and 64 <= height <= 3840):
            raise ValueError("size must be between 64x64 and 3840x3840")
        fps = int(getattr(args, "fps", 15))
        if not 1 <= fps <= 60:
            raise ValueError("fps must be 1 to 60")
        photo = read_photo(Path(args.photo))
        challenge = Challenge.from_json(Path(args.challenge).read_text(encoding="utf-8"))
        other_path = getattr(args, "other_photo", None)
        other = read_photo(Path(other_path)) if other_path else None
        seed = getattr(args, "seed", None)
        look = parse_look(getattr(args, "look", None))
        frames = render(
            photo,
            challenge,
            args.kind,
            random.Random(0 if seed is None else seed),
            other_photo=other,
            fps=fps,
            size=(width, height),
            look=look,
        )
        write_clip(frames, Path(args.out), fps)
    except (OSError, ValueError) as error:
        print(f"synth: {error}", file=sys.stderr)
        return 2
    print(f"{args.out}: {len(frames)} frames, {args.kind}")
    return 0
