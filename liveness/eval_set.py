"""The standard evaluation set: the ID photo cropped like a card's chip photo, and the clips
of every species rendered from the sample photos, with their manifest."""

from __future__ import annotations

import json
import random
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any, NamedTuple

import cv2
import numpy as np

from liveness.challenge import ACTIONS, new_challenge
from liveness.eval_workers import parallel
from liveness.synth.head import photo_landmarks
from liveness.synth.looks import GROUPS, Look, age_card_photo, shift_skin
from liveness.types import Challenge

ATTACKS = ("impostor", "static", "print", "screen", "replay")
SPECIES = ("genuine", *ATTACKS)
ID_PHOTO_SIZE = (120, 150)  # width, height of a Thai ID card's chip photo
ID_PHOTO_QUALITY = 60
# Which sample photo each clip of a species is made from, in turn. The ID photo is obama.jpg.
SOURCES = {
    "genuine": ("obama2", "obama3"),
    "impostor": ("biden", "astronaut"),
    "static": ("obama2", "obama3"),
    "print": ("obama2", "obama3"),
    "screen": ("obama2", "obama3"),
    "replay": ("obama2", "obama3"),
}


def id_photo_jpeg(path: Path, look: Look | None = None) -> bytes:
    """The photo's largest face cropped like an ID card's chip photo: 120x150 px, JPEG q60;
    with ``look``, its skin tone shifted and, for an old card, the photo aged."""
    from liveness import faces
    from liveness.synth import read_photo

    image = read_photo(path)
    look = look or Look()
    if look.skin:
        image = shift_skin(image, photo_landmarks(image), look.skin)
    boxes = faces.detect(image, scale=min(1.0, 800 / max(image.shape[:2])))
    if not boxes:
        raise ValueError(f"no face in {path}")
    box = max(boxes, key=lambda b: b.width)
    width = box.width / 0.55  # the face takes a little over half the card photo's width
    height = width * ID_PHOTO_SIZE[1] / ID_PHOTO_SIZE[0]
    cx, cy = box.center
    scale = ID_PHOTO_SIZE[0] / width
    crop = np.array(
        [[scale, 0, -(cx - width / 2) * scale], [0, scale, -(cy - height / 2) * scale]],
        np.float32,
    )
    photo = cv2.warpAffine(
        cv2.GaussianBlur(image, (0, 0), 0.5 / scale),
        crop,
        ID_PHOTO_SIZE,
        flags=cv2.INTER_AREA,
        borderMode=cv2.BORDER_REPLICATE,
    )
    if look.old_photo:
        photo = age_card_photo(photo, random.Random(0))
    ok, data = cv2.imencode(
        ".jpg", cv2.cvtColor(photo, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, ID_PHOTO_QUALITY]
    )
    if not ok:
        raise ValueError("could not encode the ID photo")
    return data.tobytes()


# The ID photo each group's clips are matched against: the card shows the person's own skin
# tone, and an old card is aged; glasses, beards, scarves and masks are what changed since.
GROUP_ID_LOOKS = {"dark_skin": Look(skin=-0.5), "old_photo": Look(old_photo=True)}


def make_id_photo(path: Path, look: Look | None = None) -> np.ndarray:
    """`id_photo_jpeg` decoded: the RGB array an enrolment would see."""
    data = np.frombuffer(id_photo_jpeg(path, look), np.uint8)
    image = cv2.imdecode(data, cv2.IMREAD_COLOR)
    if image is None:
        raise ValueError("could not decode the ID photo")
    return cv2.cvtColor(image, cv2.COLOR_BGR2RGB)


class RenderJob(NamedTuple):
    """One clip to render in a worker process (plain values: it is pickled)."""

    photo: str
    other_photo: str | None
    kind: str
    challenge_json: str
    seed: int
    out: str
    look_json: str = "{}"


def generate(
    directory: Path, per_kind: int, seed: int, workers: int, groups: tuple[str, ...] = ("plain",)
) -> Path:
    """Write the ID photos, per_kind clips of each species for each group of looks
    (`liveness.synth.looks.GROUPS`) and DIR/manifest.json; return its path.

    The plain group's clips are the standard set (named `clips/<species>_NNN.mp4`, seeds as
    before groups existed); another group's are `clips/<group>/<species>_NNN.mp4`, each with a
    look drawn for it, matched against the group's own ID photo where it has one.
    """
    from liveness.samples import sample_photos

    unknown = [g for g in groups if g not in GROUPS]
    if unknown:
        raise ValueError(f"unknown group {unknown[0]!r}; use some of {', '.join(GROUPS)}")
    photos = sample_photos()
    (directory / "clips").mkdir(parents=True, exist_ok=True)
    (directory / "id_photo.jpg").write_bytes(id_photo_jpeg(photos["obama"]))
    entries: list[dict[str, object]] = []
    jobs: list[RenderJob] = []
    for group in groups:
        folder = directory / "clips" if group == "plain" else directory / "clips" / group
        folder.mkdir(parents=True, exist_ok=True)
        prefix = "" if group == "plain" else f"{group}/"
        id_look = GROUP_ID_LOOKS.get(group)
        if id_look is not None:
            id_name = f"id_photo_{group}.jpg"
            (directory / id_name).write_bytes(id_photo_jpeg(photos["obama"], id_look))
        offset = 0 if group == "plain" else 100_000 * (list(GROUPS).index(group))
        for k, species in enumerate(SPECIES):
            for i in range(per_kind):
                clip_seed = seed + offset + 1000 * k + i
                challenge = new_challenge(random.Random(clip_seed))
                look = GROUPS[group](random.Random(clip_seed))
                name = f"{prefix}{species}_{i:03d}"
                (directory / "clips" / f"{name}.json").write_text(
                    challenge.to_json(), encoding="utf-8"
                )
                source = SOURCES[species][i % 2]
                entry: dict[str, object] = {
                    "species": species,
                    "clip": f"clips/{name}.mp4",
                    "challenge": f"clips/{name}.json",
                    "source": source,
                    "seed": clip_seed,
                }
                if group != "plain":
                    entry["group"] = group
                    entry["look"] = json.loads(look.to_json())
                if id_look is not None:
                    entry["id_photo"] = id_name
                entries.append(entry)
                other = str(photos[source]) if species == "impostor" else None
                jobs.append(
                    RenderJob(
                        str(photos[source]),
                        other,
                        species,
                        challenge.to_json(),
                        clip_seed,
                        str(directory / "clips" / f"{name}.mp4"),
                        look.to_json(),
                    )
                )
    started = time.perf_counter()
    seconds = []
    for done, (entry, (spent, left_out)) in enumerate(
        zip(entries, parallel(_render_job, jobs, workers), strict=True), 1
    ):
        seconds.append(spent)
        if left_out:
            entry["left_out"] = left_out
        if done % 10 == 0 or done == len(jobs):
            print(
                f"rendered {done}/{len(jobs)} clips ({time.perf_counter() - started:.0f} s)",
                file=sys.stderr,
            )
    print(
        f"render time per clip: median {np.median(seconds):.2f} s, max {max(seconds):.2f} s",
        file=sys.stderr,
    )
    manifest = directory / "manifest.json"
    manifest.write_text(json.dumps({"id_photo": "id_photo.jpg", "clips": entries}, indent=1))
    return manifest


def _render_job(job: RenderJob) -> tuple[float, dict[str, str]]:
    """Render one clip; return the seconds it took and the actions left out of its challenge.

    As the check-in page does, the challenge is fitted to the face the camera shows before the
    recording (`liveness.occlusion.look_at` on the clip's first frame): when it finds actions
    it cannot measure reliably, the challenge is drawn again from the same seed without them,
    the clip rendered again for it, and its JSON file rewritten.
    """
    from liveness.occlusion import look_at
    from liveness.synth import read_photo, render, write_clip

    started = time.perf_counter()
    photo = read_photo(Path(job.photo))
    other = read_photo(Path(job.other_photo)) if job.other_photo else None
    look = Look.from_json(job.look_json)
    challenge = Challenge.from_json(job.challenge_json)
    frames = render(
        photo, challenge, job.kind, random.Random(job.seed), other_photo=other, look=look
    )
    seen = look_at(frames[0].image)
    left_out = {} if seen is None else seen.unreliable
    if left_out:
        allowed = [action for action in ACTIONS if action not in left_out]
        challenge = new_challenge(random.Random(job.seed), allowed)
        frames = render(
            photo, challenge, job.kind, random.Random(job.seed), other_photo=other, look=look
        )
        Path(job.out).with_suffix(".json").write_text(challenge.to_json(), encoding="utf-8")
    spent = time.perf_counter() - started
    write_clip(frames, Path(job.out))
    return spent, {str(action): why for action, why in left_out.items()}


# What each request asks off, and the look the person's next recording has without it.
REQUESTS = {"mask_on": "mask", "dark_glasses": "glasses", "glasses_off": "glasses"}
RETRY_SEED = 500_000  # times (recording - 1), added to a clip's seed for a later recording
MAX_TRIES = 3  # recordings a check-in allows before an officer decides (CHECKIN_MAX_TRIES)


def without(look: Look, request: str | None) -> Look:
    """``look`` with what ``request`` (a key of REQUESTS) asked off taken off; None: as is."""
    if request is None:
        return look
    if REQUESTS[request] == "mask":
        return replace(look, mask=False)
    return replace(look, glasses="", glare=0.0)


def first_name(name: str) -> str:
    """The first recording's clip name of a later recording's (`<stem>_try<k>.mp4`)."""
    stem, _, k = name.removesuffix(".mp4").rpartition("_try")
    return f"{stem}.mp4" if stem and k.isdigit() else name


def retries(
    clips: list[dict[str, Any]], requests: list[str | None], attempt: int, workers: int
) -> list[dict[str, Any]]:
    """The person's next recording (number ``attempt``) after each rejected genuine clip, as
    the check-in page offers: the same person and look, without what the rejection asked off
    (its entry in ``requests``, or None), a new challenge (seed + (attempt - 1) * RETRY_SEED)
    fitted to the face as the first was, rendered beside the first clip as
    `<first>_try<attempt>.mp4`; returned as `load_manifest` entries."""
    from liveness.samples import sample_photos

    photos = sample_photos()
    entries: list[dict[str, Any]] = []
    jobs: list[RenderJob] = []
    for clip, request in zip(clips, requests, strict=True):
        first = first_name(str(clip["name"]))
        seed = int(clip.get("first_seed", clip["seed"])) + (attempt - 1) * RETRY_SEED
        challenge = new_challenge(random.Random(seed))
        out = Path(str(clip["clip"])).with_name(f"{Path(first).stem}_try{attempt}.mp4")
        out.with_suffix(".json").write_text(challenge.to_json(), encoding="utf-8")
        look = without(Look(**(clip.get("look") or {})), request)
        jobs.append(
            RenderJob(
                str(photos[str(clip["source"])]),
                None,
                "genuine",
                challenge.to_json(),
                seed,
                str(out),
                look.to_json(),
            )
        )
        entries.append(
            dict(
                clip,
                clip=str(out),
                name=first.removesuffix(".mp4") + f"_try{attempt}.mp4",
                seed=seed,
                first_seed=int(clip.get("first_seed", clip["seed"])),
                look=json.loads(look.to_json()),
                attempt=attempt,
            )
        )
    for entry, _ in zip(entries, parallel(_render_job, jobs, workers), strict=True):
        entry["challenge"] = Path(str(entry["clip"])).with_suffix(".json").read_text("utf-8")
    return entries
