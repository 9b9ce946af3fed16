"""Genuine clips: the head's mesh turned, blinking and opening its mouth, warped per triangle."""

from __future__ import annotations

import math
import random

import cv2
import numpy as np

from liveness.synth.head import CREASE_BROWS, CREASE_LIDS, Head
from liveness.synth.motion import challenge_script, rotation, wobble
from liveness.types import Challenge

PIVOT_DEPTH = 0.6  # the neck's turning axis, behind the face outline, in half face widths
CAMERA_DISTANCE = 8.0  # in half face widths: a phone at arm's length
FRONTALISE = 0.7  # at rest the head faces the camera: undo this share of the photo's own yaw

# Eyelids: (upper, lower) landmark pairs; mouth: landmarks moved down, with weights.
_LIDS = ((37, 41), (38, 40), (43, 47), (44, 46))
_JAW = {
    65: 1.0,
    66: 1.0,
    67: 1.0,
    60: 0.4,
    64: 0.4,
    55: 0.8,
    56: 1.0,
    57: 1.0,
    58: 1.0,
    59: 0.8,
    8: 1.0,
    7: 0.95,
    9: 0.95,
    6: 0.8,
    10: 0.8,
    5: 0.55,
    11: 0.55,
    4: 0.3,
    12: 0.3,
    3: 0.1,
    13: 0.1,
}
_JAW_INDEX = np.array(list(_JAW))
_JAW_WEIGHT = np.array(list(_JAW.values()))


def render_genuine(
    head: Head, challenge: Challenge, t: np.ndarray, rng: random.Random
) -> list[np.ndarray]:
    fps = round(1 / (t[1] - t[0])) if len(t) > 1 else 15
    script = challenge_script(challenge, t, rng, fps)
    turning = np.abs(script.yaw) / 30
    pitch = wobble(rng, t, 2.0) + turning * rng.uniform(-4, 4)
    roll = wobble(rng, t, 1.5) + turning * rng.uniform(-3, 3)
    # Face the camera at rest, mostly: undoing all of the photo's own yaw would leave too far
    # to turn on one side for a warp of one photo.
    yaw = script.yaw - FRONTALISE * head.yaw + wobble(rng, t, 1.5)
    drift = np.column_stack([wobble(rng, t, 4.0), wobble(rng, t, 3.0)])
    zoom = 1 + wobble(rng, t, 0.02, 0.05, 0.3)
    shake = np.column_stack([wobble(rng, t, 1.5, 0.8, 3.0), wobble(rng, t, 1.5, 0.8, 3.0)])
    warp = _MeshWarp(head)
    return [
        warp.frame(
            math.radians(yaw[i]),
            math.radians(pitch[i]),
            math.radians(roll[i]),
            drift[i],
            zoom[i],
            shake[i],
            script.blink[i],
            script.mouth[i],
        )
        for i in range(len(t))
    ]


class _MeshWarp:
    """Moves the head's mesh in 3-D and warps the canvas triangle by triangle (one remap)."""

    def __init__(self, head: Head) -> None:
        self.head = head
        height, width = head.canvas.shape[:2]
        self.grid_x, self.grid_y = np.meshgrid(
            np.arange(width, dtype=np.float32), np.arange(height, dtype=np.float32)
        )
        marks = head.landmarks
        half = head.half_width
        self.pivot = np.array(
            [*((marks[0] + marks[16]) / 2 + 0.3 * half * head.down), -PIVOT_DEPTH * half]
        )
        gap = np.mean([(marks[66 + k] - marks[62 + k]) @ head.down for k in (-1, 0, 1)])
        self.mouth_gap0 = max(0.0, float(gap))
        self.mouth_width = float(np.linalg.norm(marks[54] - marks[48]))
        self.index = np.zeros((height, width), np.int32)

    def frame(
        self,
        yaw: float,
        pitch: float,
        roll: float,
        drift: np.ndarray,
        zoom: float,
        shake: np.ndarray,
        blink: float,
        mouth: float,
    ) -> np.ndarray:
        head = self.head
        source = head.points
        moved = source.copy()
        # At rest the lips close to at most slightly parted (a photo may be mid-word), then
        # open to about half the mouth's width.
        rest = min(self.mouth_gap0, 0.12 * self.mouth_width)
        opening = rest + mouth * (0.55 * self.mouth_width - rest) - self.mouth_gap0
        moved[_JAW_INDEX, :2] += np.outer(_JAW_WEIGHT * opening, head.down)
        pose = (rotation(yaw, pitch, roll), drift, zoom, shake)
        if blink > 0:
            for upper, lower in _LIDS:
                meet = source[lower] + 0.3 * (source[upper] - source[lower])
                moved[upper] += blink * (meet - source[upper])
                moved[lower] += blink * (meet - source[lower])
            for k, lid in enumerate(CREASE_LIDS):
                moved[68 + k] += 0.3 * (moved[lid] - source[lid])
        xy, depth = self._project(moved, *pose)
        image = self._warp(xy, source[:, :2], depth, shake)

        inner = xy[60:68]
        if mouth > 0.05 and cv2.contourArea(inner.astype(np.float32)) > 4:
            cv2.fillPoly(
                image, [np.round(inner * 16).astype(np.int32)], (52, 22, 24), cv2.LINE_AA, 4
            )
        if blink > 0.5:
            _skin_lids(image, xy, (blink - 0.5) * 2)
        if blink > 0.6:  # the lashes where the lids meet
            for a, b, c, d in ((36, 37, 38, 39), (42, 43, 44, 45)):
                line = np.round(xy[[a, b, c, d]] * 16).astype(np.int32)
                cv2.polylines(image, [line], False, (40, 30, 30), 1, cv2.LINE_AA, 4)
        if head.dress is not None:
            head.dress.draw(image, xy[:68])
        return image

    def _project(
        self,
        points: np.ndarray,
        rotation: np.ndarray,
        drift: np.ndarray,
        zoom: float,
        shake: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Frame positions of the mesh points, and their depth (background far behind)."""
        head = self.head
        rotated = (points - self.pivot) @ rotation.T + self.pivot
        distance = CAMERA_DISTANCE * head.half_width
        perspective = (distance - head.points[:, 2]) / (distance - rotated[:, 2])
        centre = self.pivot[:2]
        xy_head = centre + zoom * perspective[:, None] * (rotated[:, :2] - centre) + drift
        follow = head.follow[:, None]
        xy = follow * xy_head + (1 - follow) * head.points[:, :2] + shake
        return xy, np.where(head.follow > 0, rotated[:, 2], -1e6)

    def _warp(
        self, dst: np.ndarray, src: np.ndarray, depth: np.ndarray, shake: np.ndarray
    ) -> np.ndarray:
        """Piecewise-affine warp: each pixel samples the canvas through its triangle's inverse map."""
        tris = self.head.triangles
        order = np.argsort(depth[tris].mean(axis=1))  # far triangles first, near ones drawn over
        d = dst[tris]  # (K, 3, 2)
        s = src[tris]
        ones = np.ones((len(tris), 3, 1))
        a = np.concatenate([d, ones], axis=2)  # (K, 3, 3)
        det = np.linalg.det(a)
        ok = np.abs(det) > 1e-3
        maps = np.zeros((len(tris) + 1, 3, 2))
        maps[0] = [[1, 0], [0, 1], [-shake[0], -shake[1]]]
        maps[1:][ok] = np.linalg.solve(a[ok], s[ok])
        maps[1:][~ok] = maps[0]
        index = self.index
        index[:] = 0
        corners = np.round(d * 16).astype(np.int32)
        for k in order:
            if ok[k]:
                cv2.fillConvexPoly(index, corners[k], int(k + 1), cv2.LINE_8, 4)
        coeffs = maps.astype(np.float32).reshape(-1, 6)[index]  # (H, W, 6)
        map_x = coeffs[..., 0] * self.grid_x + coeffs[..., 2] * self.grid_y + coeffs[..., 4]
        map_y = coeffs[..., 1] * self.grid_x + coeffs[..., 3] * self.grid_y + coeffs[..., 5]
        return cv2.remap(
            self.head.canvas, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT_101
        )


def _skin_lids(image: np.ndarray, xy: np.ndarray, amount: float) -> None:
    """Give the closed upper lids skin. The warp stretches whatever lay between lid and brow
    over the eye; for deep-set eyes that is shadow, where a real lid unrolls lighter skin. So
    where that band is darker than the skin under the eye, the skin under the eye, mirrored,
    is blended in (in proportion to the shadow) from near the brow down to the lash line."""
    height, width = image.shape[:2]
    for first in (0, 4):  # the four upper-lid points of each eye and the brow points above
        lid = xy[[CREASE_LIDS[first + k] for k in range(4)]]
        brow = xy[[CREASE_BROWS[first + k] for k in range(4)]]
        polygon = np.concatenate([lid + 0.75 * (brow - lid), lid[::-1]])
        x0, y0 = np.floor(polygon.min(axis=0)).astype(int) - 2
        x1, y1 = np.ceil(polygon.max(axis=0)).astype(int) + 2
        h = y1 - y0
        below = int(np.ceil(lid[:, 1].max())) + 2
        if x0 < 0 or y0 < 0 or x1 > width or below + h > height or x1 - x0 < 6 or h < 4:
            continue
        skin = image[below : below + h, x0:x1][::-1].astype(np.float32) * 0.9
        mask = np.zeros((h, x1 - x0), np.float32)
        cv2.fillPoly(
            mask, [np.round((polygon - (x0, y0)) * 16).astype(np.int32)], 1.0, cv2.LINE_8, 4
        )
        region = image[y0:y1, x0:x1].astype(np.float32)
        inside = mask > 0
        shadow = (skin[inside].mean() - region[inside].mean()) / max(skin[inside].mean(), 1.0)
        alpha = amount * float(np.clip(shadow / 0.5, 0, 1)) * cv2.GaussianBlur(mask, (0, 0), 1.5)
        image[y0:y1, x0:x1] = (alpha[..., None] * skin + (1 - alpha[..., None]) * region).astype(
            np.uint8
        )
