"""Attacks: the photo printed on paper, or the photo or a genuine clip on a phone screen."""

from __future__ import annotations

import math
import random

import cv2
import numpy as np

from liveness.synth.camera import hand_motion, indoor_room, plane
from liveness.synth.genuine import render_genuine
from liveness.synth.head import Head
from liveness.types import Challenge


def _face_crop(head: Head, width_faces: float, aspect: float) -> tuple[int, int, int, int]:
    """(x0, y0, w, h) of a crop of the canvas around the face."""
    centre = head.landmarks[27:31].mean(axis=0) + 0.25 * head.half_width * head.down
    w = 2 * head.half_width * width_faces
    h = w * aspect
    return int(centre[0] - w / 2), int(centre[1] - h * 0.45), int(w), int(h)


def _crop(image: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
    x0, y0, w, h = box
    return cv2.warpAffine(
        image,
        np.array([[1, 0, -x0], [0, 1, -y0]], np.float32),
        (w, h),
        borderMode=cv2.BORDER_REFLECT_101,
    )


def render_print(
    head: Head, challenge: Challenge, t: np.ndarray, rng: random.Random, size: tuple[int, int]
) -> list[np.ndarray]:
    """The photo printed with a white margin on paper, held up and moved by hand."""
    width, height = size
    photo = _crop(head.still(), _face_crop(head, rng.uniform(1.9, 2.2), rng.uniform(1.15, 1.3)))
    photo = cv2.GaussianBlur(photo, (0, 0), 0.7).astype(np.float32)
    grey = photo.mean(axis=2, keepdims=True)
    photo = 18 + 0.84 * (0.85 * photo + 0.15 * grey)  # ink: no deep black, duller colour
    margin = int(rng.uniform(0.06, 0.1) * photo.shape[1])
    paper = np.full(
        (photo.shape[0] + 2 * margin, photo.shape[1] + 2 * margin, 3),
        [rng.uniform(236, 250), rng.uniform(236, 250), rng.uniform(228, 245)],
        np.float32,
    )
    paper[margin:-margin, margin:-margin] = photo
    grain = np.random.default_rng(rng.getrandbits(32))
    texture = (
        cv2.GaussianBlur(grain.normal(0, 1, paper.shape[:2]).astype(np.float32), (0, 0), 6) * 25
    )
    texture += grain.normal(0, 2.5, paper.shape[:2]).astype(np.float32)
    paper += texture[..., None]
    shading = np.linspace(
        rng.uniform(0.85, 0.95), rng.uniform(1.0, 1.08), paper.shape[1], dtype=np.float32
    )
    paper = np.clip(paper * shading[None, :, None], 0, 255)

    room = indoor_room(rng, size)
    motion = hand_motion(challenge, t, rng, tilts=rng.random() < 0.8)
    scale = rng.uniform(0.95, 1.05)
    base = (width / 2 + rng.uniform(-30, 30), height / 2 + rng.uniform(-10, 20))
    focal = 1.4 * width
    ph, pw = paper.shape[:2]
    frames = []
    for i in range(len(t)):
        homography = plane(
            pw * scale,
            ph * scale,
            (base[0] + motion["x"][i], base[1] + motion["y"][i]),
            motion["yaw"][i],
            motion["pitch"][i],
            motion["roll"][i],
            focal,
        )
        homography = homography @ np.diag([scale, scale, 1.0])
        lit = np.clip(
            paper * motion["light"][i] * (0.93 + 0.07 * math.cos(motion["yaw"][i] * 2)), 0, 255
        )
        frame = room.copy()
        cv2.warpPerspective(
            lit.astype(np.uint8),
            homography,
            size,
            dst=frame,
            flags=cv2.INTER_LINEAR,
            borderMode=cv2.BORDER_TRANSPARENT,
        )
        corner = np.array([[[0.0, ph * 0.8]]], np.float32)
        thumb = cv2.perspectiveTransform(corner, homography)[0, 0]
        cv2.ellipse(
            frame,
            (int(thumb[0]), int(thumb[1])),
            (18, 34),
            10,
            0,
            360,
            (196, 150, 125),
            -1,
            cv2.LINE_AA,
        )
        frames.append(frame)
    return frames


def _subpixel_mask(columns: int, rows: int) -> np.ndarray:
    """An LCD's pixel grid: each pixel three vertical R, G, B stripes and a dark row gap."""
    cell = np.zeros((3, 3, 3), np.uint8)
    for channel in range(3):
        cell[:2, channel, channel] = 255
        cell[2, channel, channel] = 110
    return np.tile(cell, (rows, columns, 1))


def render_screen(
    head: Head, challenge: Challenge, t: np.ndarray, rng: random.Random, size: tuple[int, int]
) -> list[np.ndarray]:
    """The photo, or a genuine clip answering the challenge, shown on a phone held in front
    of the camera: dark bezel, pixel-grid moire, a glare highlight, hand motion."""
    width, height = size
    plays_clip = rng.random() < 0.5
    sources = render_genuine(head, challenge, t, rng) if plays_clip else [head.still()] * len(t)
    box = _face_crop(head, rng.uniform(1.5, 1.75), 1.33)
    screen_w = box[2] * rng.uniform(0.92, 1.05)  # the face about as large as a real one
    screen_h = screen_w * 1.33
    bezel_side, bezel_end = rng.uniform(10, 18), rng.uniform(35, 55)
    phone_w, phone_h = screen_w + 2 * bezel_side, screen_h + 2 * bezel_end
    body = np.full((int(phone_h), int(phone_w), 3), rng.uniform(12, 30), np.uint8)
    cv2.rectangle(body, (0, 0), (body.shape[1] - 1, body.shape[0] - 1), (85, 85, 90), 3)
    # Screen pixels per camera pixel: near a whole number the grid beats into broad rainbow
    # bands that hide the face (an attacker would move the phone), so those are left out.
    density = rng.uniform(2.15, 2.85)
    mask = _subpixel_mask(int(screen_w * density) + 1, int(screen_h * density) + 1)
    mask_scale = 1 / (3 * density)
    contrast = rng.uniform(0.12, 0.3)  # how much of the pixel grid survives the camera's optics

    room = indoor_room(rng, size)
    motion = hand_motion(challenge, t, rng, tilts=not plays_clip and rng.random() < 0.7)
    base = (width / 2 + rng.uniform(-25, 25), height / 2 + rng.uniform(0, 30))
    focal = 1.4 * width
    stripe_period = rng.uniform(5, 12)
    stripe_angle = rng.uniform(0, np.pi)
    grid_x, grid_y = np.meshgrid(
        np.arange(width, dtype=np.float32), np.arange(height, dtype=np.float32)
    )
    along = (
        2
        * np.pi
        / stripe_period
        * (grid_x * math.cos(stripe_angle) + grid_y * math.sin(stripe_angle))
    )
    along_sin, along_cos = np.sin(along), np.cos(along)
    screen_corners = np.array(
        [[[0, 0]], [[screen_w, 0]], [[screen_w, screen_h]], [[0, screen_h]]], np.float32
    )
    glare_at = np.array([rng.uniform(0.2, 0.8) * screen_w, rng.uniform(0.15, 0.6) * screen_h])
    glare_size = rng.uniform(0.15, 0.3) * screen_w
    gy, gx = np.mgrid[0 : int(screen_h), 0 : int(screen_w)].astype(np.float32)
    glare = np.exp(
        -(((gx - glare_at[0]) / glare_size) ** 2 + ((gy - glare_at[1]) / (1.6 * glare_size)) ** 2)
    )
    glare = (glare * rng.uniform(70, 130)).astype(np.float32)
    tint = np.array([rng.uniform(0.88, 0.95), 1.0, rng.uniform(1.0, 1.08)], np.float32)
    frames = []
    for i in range(len(t)):
        phone = plane(
            phone_w,
            phone_h,
            (base[0] + motion["x"][i], base[1] + motion["y"][i]),
            motion["yaw"][i],
            motion["pitch"][i],
            motion["roll"][i],
            focal,
        )
        to_screen = phone @ np.array([[1, 0, bezel_side], [0, 1, bezel_end], [0, 0, 1]])
        frame = room.copy()
        cv2.warpPerspective(body, phone, size, dst=frame, borderMode=cv2.BORDER_TRANSPARENT)
        # Only the screen's bounding box is drawn (the rest of the frame is room and bezel).
        quad = cv2.perspectiveTransform(screen_corners, to_screen).reshape(-1, 2)
        x0, y0 = np.maximum(np.floor(quad.min(axis=0)).astype(int), 0)
        x1, y1 = np.minimum(np.ceil(quad.max(axis=0)).astype(int) + 1, (width, height))
        if x1 - x0 < 2 or y1 - y0 < 2:
            frames.append(frame)
            continue
        into_box = np.array([[1, 0, -x0], [0, 1, -y0], [0, 0, 1]]) @ to_screen
        if i == 0 or sources[i] is not sources[i - 1]:  # a still photo is prepared once
            content = cv2.resize(
                _crop(sources[i], box), (int(screen_w), int(screen_h)), interpolation=cv2.INTER_AREA
            ).astype(np.float32)
            content = (14 + 0.88 * content) * tint + glare[..., None]
        lit = cv2.warpPerspective(
            content,
            into_box,
            (x1 - x0, y1 - y0),
            flags=cv2.INTER_LINEAR,
            borderMode=cv2.BORDER_CONSTANT,
            borderValue=(-1, -1, -1),
        )
        grid = cv2.warpPerspective(
            mask,
            into_box @ np.diag([mask_scale, mask_scale, 1]),
            (x1 - x0, y1 - y0),
            flags=cv2.INTER_LINEAR,
            borderMode=cv2.BORDER_CONSTANT,
        )
        beat = 1 + 0.05 * (
            along_sin[y0:y1, x0:x1] * math.cos(0.7 * i)
            + along_cos[y0:y1, x0:x1] * math.sin(0.7 * i)
        )
        grid = grid.astype(np.float32) * (contrast * 3.4 / 255) + (1 - contrast)
        shown = cv2.GaussianBlur(lit * grid * beat[..., None], (0, 0), 0.7)
        on_screen = (lit[..., 0] >= 0).astype(np.uint8)
        cv2.copyTo(np.clip(shown, 0, 255).astype(np.uint8), on_screen, frame[y0:y1, x0:x1])
        frames.append(frame)
    return frames
