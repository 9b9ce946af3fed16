"""Synthetic check-in clips rendered from one still photo, for the tests and the evaluation.

No third-party video may be shipped with the project, so the test clips are made here. A
`genuine` clip is a stand-in for a consented recording: the photo's 68 landmarks are lifted
onto a generic 3-D face (curved across, with a nose, brows and lips standing out) and each
triangle of the mesh is warped on its own, so a head turn shows real parallax (the nose moves
further than the cheeks), which a flat photo or screen cannot show. Blinks close the eyelid
landmarks, an open mouth moves the lower lip and jaw down. Attacks: `static` (the photo held still),
`print` (the photo on a sheet of paper moved by hand), `screen` (the photo or a genuine clip on
a phone screen: bezel, moire, glare), `replay` (a genuine clip made for another challenge) and
`impostor` (a genuine clip of another person).

The modules:
- `clips`: `render` (one clip of a kind), `replay_challenge`, `write_clip`, `read_photo` and
  the `python -m liveness synth` command (`main`);
- `head`: the photo's landmarks, placed on the canvas, lifted onto a 3-D mesh, triangulated;
- `motion`: the challenge as a per-frame script of yaw, blink and mouth, smooth bumps and
  wobble, 3-D rotation;
- `genuine`: the mesh moved and warped triangle by triangle (genuine, replay, impostor);
- `attacks`: the photo on paper (print) or a phone screen (screen);
- `camera`: the room behind an attack, the hand-held plane and its motion, and the camera's
  noise, blur and JPEG compression on every frame (dimmed for low light, or backlit);
- `looks`: how the person looks (`Look`): glasses, beards, a headscarf, a mask, skin tone,
  light and an older ID photo, and the evaluation's groups of looks (`GROUPS`).
"""

from liveness.synth.clips import KINDS, main, read_photo, render, replay_challenge, write_clip
from liveness.synth.looks import GROUPS, Look
from liveness.synth.motion import TURN_YAW

__all__ = [
    "GROUPS",
    "KINDS",
    "TURN_YAW",
    "Look",
    "main",
    "read_photo",
    "render",
    "replay_challenge",
    "write_clip",
]
