"""`python -m liveness evaluate`: a labelled set of clips through `verify`, and its error rates.

A manifest is JSON; paths in it are relative to its own folder:

    {"id_photo": "id_photo.jpg",
     "clips": [
       {"species": "genuine", "clip": "clips/genuine_000.mp4",
        "challenge": "clips/genuine_000.json", "source": "obama2"},
       {"species": "print", "render": {"photo": "/path/obama3.jpg", "seed": 7},
        "challenge": {"id": "...", "steps": [...]}}]}

`species` is `genuine` (should be verified) or an attack: `impostor` (another person),
`static`, `print`, `screen`, `replay`. A clip is a video file, decoded and verified as the
service does (`verify_clip`), or a `render` spec drawn in memory by `liveness.synth` (its kind
is the species; an impostor spec also names `other_photo`). `challenge` is the path of a
challenge JSON file or the challenge itself.

Printed, per species: how many clips were verified, sent to review or rejected, with APCER
(attacks verified) or BPCER (genuine clips not verified); then the face match alone: FAR
(impostor clips whose distance is at or under the accept edge) and FRR (genuine clips above it
or without a distance). Every clip's verdict and scores go to a JSON file beside the manifest.

`--generate DIR` first writes the standard set: the ID photo (obama.jpg cropped to a 120x150
JPEG of quality 60, like a Thai ID card's chip photo) and N clips per species, each with its
own random challenge, from the face_recognition 1.3.0 sample photos and scikit-image's
astronaut (see docs/liveness.md).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import random
import sys
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import fields, replace
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from liveness.types import Challenge, Reference, Thresholds

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


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The `evaluate` subcommand's arguments (used by `liveness.cli` and by this module)."""
    parser.add_argument("manifest", nargs="?", default=None, metavar="MANIFEST.json")
    parser.add_argument("--workers", type=int, default=2, metavar="N")
    parser.add_argument(
        "--generate",
        default=None,
        metavar="DIR",
        help="first write the standard set into DIR (DIR/manifest.json)",
    )
    parser.add_argument(
        "--per-kind",
        type=int,
        default=30,
        metavar="N",
        help="clips per species when generating (default 30)",
    )
    parser.add_argument(
        "--seed", type=int, default=0, metavar="S", help="first seed when generating (default 0)"
    )
    parser.add_argument(
        "--out",
        default=None,
        metavar="RESULTS.json",
        help="where to write every verdict (default: beside the manifest)",
    )
    parser.add_argument(
        "--threshold",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override one Thresholds field, e.g. match_accept=0.55",
    )


def main(args: argparse.Namespace) -> int:
    """Generate (optionally), evaluate, print the table; 2 if the arguments are unusable."""
    workers = max(1, int(getattr(args, "workers", None) or 1))
    try:
        thresholds = parse_thresholds(getattr(args, "threshold", None) or [])
        manifest = getattr(args, "manifest", None)
        if getattr(args, "generate", None):
            per_kind = int(getattr(args, "per_kind", None) or 30)
            if per_kind < 1:
                raise ValueError("--per-kind must be at least 1")
            manifest = generate(
                Path(args.generate), per_kind, int(getattr(args, "seed", 0) or 0), workers
            )
        if manifest is None:
            raise ValueError("give a MANIFEST.json, or --generate DIR to make the standard set")
        manifest = Path(manifest)
        id_photo, clips = load_manifest(manifest)
        reference = _reference(id_photo)
    except (OSError, ValueError) as error:
        print(f"evaluate: {error}", file=sys.stderr)
        return 2
    results = run(reference, clips, thresholds, workers)
    summary = summarise(results, thresholds)
    print(format_table(summary))
    out = Path(getattr(args, "out", None) or manifest.with_name(manifest.stem + ".results.json"))
    out.write_text(
        json.dumps(
            {
                "manifest": str(manifest),
                "thresholds": _asdict(thresholds),
                "summary": summary,
                "clips": results,
            },
            indent=1,
            ensure_ascii=False,
        )
    )
    print(f"every verdict: {out}")
    return 0


# --- The ID photo -----------------------------------------------------------------------


def id_photo_jpeg(path: Path) -> bytes:
    """The photo's largest face cropped like an ID card's chip photo: 120x150 px, JPEG q60."""
    from liveness import faces
    from liveness.synth import read_photo

    image = read_photo(path)
    boxes = faces.detect(image, scale=min(1.0, 800 / max(image.shape[:2])))
    if not boxes:
        raise ValueError(f"no face in {path}")
    box = max(boxes, key=lambda b: b.width)
    width = box.width / 0.55  # the face takes a little over half the card photo's width
    height = width * ID_PHOTO_SIZE[1] / ID_PHOTO_SIZE[0]
    cx, cy = box.center
    scale = ID_PHOTO_SIZE[0] / width
    crop = np.float32(
        [[scale, 0, -(cx - width / 2) * scale], [0, scale, -(cy - height / 2) * scale]]
    )
    photo = cv2.warpAffine(
        cv2.GaussianBlur(image, (0, 0), 0.5 / scale),
        crop,
        ID_PHOTO_SIZE,
        flags=cv2.INTER_AREA,
        borderMode=cv2.BORDER_REPLICATE,
    )
    ok, data = cv2.imencode(
        ".jpg", cv2.cvtColor(photo, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, ID_PHOTO_QUALITY]
    )
    if not ok:
        raise ValueError("could not encode the ID photo")
    return data.tobytes()


def make_id_photo(path: Path) -> np.ndarray:
    """`id_photo_jpeg` decoded: the RGB array an enrolment would see."""
    data = np.frombuffer(id_photo_jpeg(path), np.uint8)
    return cv2.cvtColor(cv2.imdecode(data, cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)


# --- Generating the standard set --------------------------------------------------------


def generate(directory: Path, per_kind: int, seed: int, workers: int) -> Path:
    """Write the ID photo, per_kind clips of each species and DIR/manifest.json; return its path."""
    from liveness.challenge import new_challenge
    from liveness.samples import sample_photos

    photos = sample_photos()
    (directory / "clips").mkdir(parents=True, exist_ok=True)
    (directory / "id_photo.jpg").write_bytes(id_photo_jpeg(photos["obama"]))
    entries, jobs = [], []
    for k, species in enumerate(SPECIES):
        for i in range(per_kind):
            clip_seed = seed + 1000 * k + i
            challenge = new_challenge(random.Random(clip_seed))
            name = f"{species}_{i:03d}"
            (directory / "clips" / f"{name}.json").write_text(challenge.to_json(), encoding="utf-8")
            source = SOURCES[species][i % 2]
            entries.append(
                {
                    "species": species,
                    "clip": f"clips/{name}.mp4",
                    "challenge": f"clips/{name}.json",
                    "source": source,
                    "seed": clip_seed,
                }
            )
            other = str(photos[source]) if species == "impostor" else None
            jobs.append(
                (
                    str(photos[source]),
                    other,
                    species,
                    challenge.to_json(),
                    clip_seed,
                    str(directory / "clips" / f"{name}.mp4"),
                )
            )
    started = time.perf_counter()
    seconds = []
    for done, spent in enumerate(_parallel(_render_job, jobs, workers), 1):
        seconds.append(spent)
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


def _render_job(job: tuple) -> float:
    from liveness.synth import read_photo, render, write_clip

    photo, other, kind, challenge_json, seed, out = job
    started = time.perf_counter()
    frames = render(
        read_photo(Path(photo)),
        Challenge.from_json(challenge_json),
        kind,
        random.Random(seed),
        other_photo=read_photo(Path(other)) if other else None,
    )
    spent = time.perf_counter() - started
    write_clip(frames, Path(out))
    return spent


# --- Running a manifest -----------------------------------------------------------------


def parse_thresholds(overrides: list[str]) -> Thresholds:
    """Thresholds with NAME=VALUE overrides; ValueError names an unknown or non-numeric one."""
    known = {f.name for f in fields(Thresholds)}
    values: dict[str, float] = {}
    for item in overrides:
        name, _, value = item.partition("=")
        if name not in known:
            raise ValueError(f"unknown threshold {name!r}; known: {', '.join(sorted(known))}")
        try:
            values[name] = float(value)
        except ValueError:
            raise ValueError(f"threshold {name} needs a number, not {value!r}") from None
    return replace(Thresholds(), **values)


def load_manifest(path: Path) -> tuple[bytes, list[dict[str, Any]]]:
    """The ID photo's bytes and the clips, with paths resolved and challenges parsed to JSON."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        base = path.parent
        id_photo = (base / data["id_photo"]).read_bytes()
        clips = []
        for n, entry in enumerate(data["clips"]):
            species = entry["species"]
            if species not in SPECIES:
                raise ValueError(f"clip {n}: species must be one of {', '.join(SPECIES)}")
            challenge = entry["challenge"]
            text = (
                json.dumps(challenge)
                if isinstance(challenge, dict)
                else (base / challenge).read_text(encoding="utf-8")
            )
            Challenge.from_json(text)  # refuse a bad one now, not in a worker
            clip = dict(entry, challenge=text, name=entry.get("clip") or f"render_{n:03d}")
            if "clip" in entry:
                clip["clip"] = str(base / entry["clip"])
            elif "render" not in entry:
                raise ValueError(f"clip {n}: needs 'clip' (a video file) or 'render' (a spec)")
            clips.append(clip)
    except (KeyError, TypeError, json.JSONDecodeError) as error:
        raise ValueError(f"{path} is not a manifest: {error!r}") from None
    if not clips:
        raise ValueError(f"{path} lists no clips")
    return id_photo, clips


def _reference(id_photo: bytes) -> Reference:
    from liveness.reference import encode_reference
    from liveness.types import ReferenceRejected

    try:
        return encode_reference(id_photo)
    except ReferenceRejected as rejected:
        raise ValueError(f"the ID photo was refused: {rejected}") from None


def run(
    reference: Reference, clips: list[dict[str, Any]], thresholds: Thresholds, workers: int
) -> list[dict[str, Any]]:
    """Verify every clip (in ``workers`` processes); one result dict per clip, in order."""
    jobs = [(reference, clip, thresholds) for clip in clips]
    results = []
    started = time.perf_counter()
    for done, result in enumerate(_parallel(_verify_job, jobs, workers), 1):
        results.append(result)
        reasons = ",".join(result["reasons"])
        print(
            f"[{done}/{len(jobs)}] {result['species']:<8} {Path(result['name']).stem}: "
            f"{result['decision']} ({reasons}) {time.perf_counter() - started:.0f} s",
            file=sys.stderr,
        )
    return results


def _verify_job(job: tuple) -> dict[str, Any]:
    from liveness.verify import verify, verify_clip

    reference, clip, thresholds = job
    challenge = Challenge.from_json(clip["challenge"])
    if "clip" in clip:
        verdict = verify_clip(reference, Path(clip["clip"]).read_bytes(), challenge, thresholds)
    else:
        from liveness.synth import read_photo, render

        spec = clip["render"]
        other = spec.get("other_photo")
        frames = render(
            read_photo(Path(spec["photo"])),
            challenge,
            clip["species"],
            random.Random(int(spec.get("seed", 0))),
            other_photo=read_photo(Path(other)) if other else None,
        )
        verdict = verify(reference, frames, challenge, thresholds)
    return {
        "name": clip["name"],
        "species": clip["species"],
        "source": clip.get("source"),
        "challenge": [step["action"] for step in json.loads(clip["challenge"])["steps"]],
        "decision": verdict.decision,
        "reasons": [r.code for r in verdict.reasons],
        "scores": {k: round(float(v), 4) for k, v in verdict.scores.items()},
        "timings_ms": {k: round(float(v), 1) for k, v in verdict.timings_ms.items()},
    }


def _parallel(function, jobs: list, workers: int):
    """function(job) for each job, results in order; in spawned processes if workers > 1."""
    if workers <= 1 or len(jobs) <= 1:
        yield from map(function, jobs)
        return
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_quiet_worker) as pool:
        yield from pool.map(function, jobs)


def _quiet_worker() -> None:
    # One OpenCV thread per process: the workers already use every core.
    cv2.setNumThreads(1)


# --- The table --------------------------------------------------------------------------


def summarise(results: list[dict[str, Any]], thresholds: Thresholds) -> dict[str, Any]:
    """Counts and rates per species, and the match's FAR and FRR at the accept edge."""
    summary: dict[str, Any] = {"species": {}}
    for species in SPECIES:
        rows = [r for r in results if r["species"] == species]
        if not rows:
            continue
        n = len(rows)
        counts = Counter(r["decision"] for r in rows)
        item = {
            "n": n,
            "verified": counts["verified"],
            "review": counts["review"],
            "rejected": counts["rejected"],
            "reasons": dict(Counter(code for r in rows for code in r["reasons"]).most_common()),
        }
        if species == "genuine":
            item["bpcer"] = (n - counts["verified"]) / n
            item["bpcer_rejected"] = counts["rejected"] / n
            item["bpcer_review"] = counts["review"] / n
        else:
            item["apcer"] = counts["verified"] / n
        item["verify_ms_median"] = float(
            np.median([r["timings_ms"].get("total", 0.0) for r in rows])
        )
        summary["species"][species] = item
    accept = thresholds.match_accept
    impostors = [r for r in results if r["species"] == "impostor"]
    genuine = [r for r in results if r["species"] == "genuine"]
    summary["match"] = {
        "accept": accept,
        "far_n": len(impostors),
        "false_accepts": sum(1 for r in impostors if _distance(r) <= accept),
        "frr_n": len(genuine),
        "false_rejects": sum(1 for r in genuine if not _distance(r) <= accept),
        "genuine_distances": sorted(round(_distance(r), 3) for r in genuine),
        "impostor_distances": sorted(round(_distance(r), 3) for r in impostors),
    }
    for rate, count, n in (("far", "false_accepts", "far_n"), ("frr", "false_rejects", "frr_n")):
        total = summary["match"][n]
        summary["match"][rate] = summary["match"][count] / total if total else None
    return summary


def _distance(result: dict[str, Any]) -> float:
    """The clip's match distance; infinity if no face was compared (so never a match)."""
    return float(result["scores"].get("match_distance", float("inf")))


def format_table(summary: dict[str, Any]) -> str:
    lines = [
        f"{'species':<9} {'n':>4} {'verified':>9} {'review':>7} {'rejected':>9}   rate",
        "-" * 72,
    ]
    for species, item in summary["species"].items():
        if species == "genuine":
            rate = (
                f"BPCER {item['bpcer']:.1%} (rejected {item['bpcer_rejected']:.1%}, "
                f"review {item['bpcer_review']:.1%})"
            )
        else:
            rate = f"APCER {item['apcer']:.1%}"
        lines.append(
            f"{species:<9} {item['n']:>4} {item['verified']:>9} {item['review']:>7} "
            f"{item['rejected']:>9}   {rate}"
        )
    lines.append("-" * 72)
    match = summary["match"]
    if match["far_n"]:
        lines.append(
            f"match FAR {match['false_accepts']}/{match['far_n']} = {match['far']:.1%} "
            f"(impostor clips at distance <= {match['accept']:.2f})"
        )
    if match["frr_n"]:
        lines.append(
            f"match FRR {match['false_rejects']}/{match['frr_n']} = {match['frr']:.1%} "
            f"(genuine clips above {match['accept']:.2f} or without a face)"
        )
    lines.append("reasons given:")
    for species, item in summary["species"].items():
        top = ", ".join(f"{code} {count}" for code, count in item["reasons"].items())
        lines.append(f"  {species:<9} {top}")
    return "\n".join(lines)


def _asdict(thresholds: Thresholds) -> dict[str, float]:
    return {f.name: getattr(thresholds, f.name) for f in fields(thresholds)}


if __name__ == "__main__":
    _parser = argparse.ArgumentParser(
        prog="python -m liveness.evaluate",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_arguments(_parser)
    sys.exit(main(_parser.parse_args()))
