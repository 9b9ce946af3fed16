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
A rejected genuine video clip that names its `seed` and `source` (as generated ones do) is
recorded again, as a person would, up to three recordings, without what it was asked to take
off; the table then ends with the check-ins verified on each recording (`_retry`).

`--generate DIR` first writes the standard set: the ID photo (obama.jpg cropped to a 120x150
JPEG of quality 60, like a Thai ID card's chip photo) and N clips per species, each with its
own random challenge, from the face_recognition 1.3.0 sample photos and scikit-image's
astronaut (see docs/liveness.md).

This module reads the manifest and runs it; the standard set (and the ID photo crop) is made in
`liveness.eval_set`, the summary and table in `liveness.eval_report`, the worker processes in
`liveness.eval_workers`. Their public names are importable from here too.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from dataclasses import fields, replace
from pathlib import Path
from typing import Any, NamedTuple

from liveness.eval_report import ClipResult, format_table, summarise, summarise_check_ins
from liveness.eval_set import (
    ATTACKS,
    ID_PHOTO_QUALITY,
    ID_PHOTO_SIZE,
    MAX_TRIES,
    REQUESTS,
    SOURCES,
    SPECIES,
    generate,
    id_photo_jpeg,
    make_id_photo,
    retries,
)
from liveness.eval_workers import parallel
from liveness.synth.looks import GROUPS, Look
from liveness.types import Challenge, Reference, Thresholds

__all__ = [
    "ATTACKS",
    "ClipResult",
    "ID_PHOTO_QUALITY",
    "ID_PHOTO_SIZE",
    "SOURCES",
    "SPECIES",
    "add_arguments",
    "format_table",
    "generate",
    "id_photo_jpeg",
    "load_manifest",
    "main",
    "make_id_photo",
    "parse_groups",
    "parse_thresholds",
    "run",
    "summarise",
]


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
        "--groups",
        default="plain",
        metavar="G,G,...",
        help=(
            "groups of looks to generate, comma-separated, or 'all' (default plain): "
            + ", ".join(GROUPS)
        ),
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
                Path(args.generate),
                per_kind,
                int(getattr(args, "seed", 0) or 0),
                workers,
                parse_groups(str(getattr(args, "groups", None) or "plain")),
            )
        if manifest is None:
            raise ValueError("give a MANIFEST.json, or --generate DIR to make the standard set")
        manifest = Path(manifest)
        id_photo, clips = load_manifest(manifest)
        reference = _reference(id_photo)
        references = {
            path: _reference(Path(path).read_bytes())
            for path in sorted({str(c["id_photo"]) for c in clips if c.get("id_photo")})
        }
    except (OSError, ValueError) as error:
        print(f"evaluate: {error}", file=sys.stderr)
        return 2
    results = run(reference, clips, thresholds, workers, references)
    again = _retry(reference, clips, results, thresholds, workers, references)
    summary = summarise(results, thresholds)
    if again:
        summary["check_ins"] = summarise_check_ins(results, again)
    print(format_table(summary))
    out = Path(getattr(args, "out", None) or manifest.with_name(manifest.stem + ".results.json"))
    out.write_text(
        json.dumps(
            {
                "manifest": str(manifest),
                "thresholds": _asdict(thresholds),
                "summary": summary,
                "clips": results,
                "retries": again,
            },
            indent=1,
            ensure_ascii=False,
        )
    )
    print(f"every verdict: {out}")
    return 0


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


def parse_groups(text: str) -> tuple[str, ...]:
    """'all' or comma-separated group names; ValueError names an unknown one."""
    if text.strip() == "all":
        return tuple(GROUPS)
    groups = tuple(g.strip() for g in text.split(",") if g.strip())
    for group in groups:
        if group not in GROUPS:
            raise ValueError(f"unknown group {group!r}; known: {', '.join(GROUPS)}")
    return groups or ("plain",)


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
            if entry.get("id_photo"):
                clip["id_photo"] = str(base / entry["id_photo"])
            if "look" in entry:
                Look(**entry["look"])  # refuse an unknown field now
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


def _retry(
    reference: Reference,
    clips: list[dict[str, Any]],
    results: list[ClipResult],
    thresholds: Thresholds,
    workers: int,
    references: dict[str, Reference],
) -> list[ClipResult]:
    """As a person would, up to `MAX_TRIES` recordings in all: each rendered genuine clip that
    was rejected is recorded again (`eval_set.retries`), without what it was asked to take off
    (a mask, dark glasses, clear glasses on an uncertain match), and verified; a recording
    sent to review ends there, as in the service. The verdicts of the later recordings."""
    later: list[ClipResult] = []
    pending = [
        (clip, result)
        for clip, result in zip(clips, results, strict=True)
        if result["species"] == "genuine"
        and result["decision"] == "rejected"
        and "clip" in clip
        and {"seed", "source"} <= clip.keys()
    ]
    for attempt in range(2, MAX_TRIES + 1):
        if not pending:
            break
        print(
            f"recording {len(pending)} rejected genuine clips again (recording {attempt})",
            file=sys.stderr,
        )
        requests = [
            next((code for code in result["reasons"] if code in REQUESTS), None)
            for _, result in pending
        ]
        entries = retries([clip for clip, _ in pending], requests, attempt, workers)
        verdicts = run(reference, entries, thresholds, workers, references)
        for verdict in verdicts:
            verdict["attempt"] = attempt
        later += verdicts
        pending = [
            (entry, verdict)
            for entry, verdict in zip(entries, verdicts, strict=True)
            if verdict["decision"] == "rejected"
        ]
    return later


def _reference(id_photo: bytes) -> Reference:
    from liveness.reference import encode_reference
    from liveness.types import ReferenceRejected

    try:
        return encode_reference(id_photo)
    except ReferenceRejected as rejected:
        raise ValueError(f"the ID photo was refused: {rejected}") from None


class VerifyJob(NamedTuple):
    """One clip to verify in a worker process (pickled)."""

    reference: Reference
    clip: dict[str, Any]  # a manifest entry as load_manifest returns it
    thresholds: Thresholds


def run(
    reference: Reference,
    clips: list[dict[str, Any]],
    thresholds: Thresholds,
    workers: int,
    references: dict[str, Reference] | None = None,
) -> list[ClipResult]:
    """Verify every clip (in ``workers`` processes); one result per clip, in order. A clip
    that names its own ID photo is matched against ``references[that path]``."""
    references = references or {}
    jobs = [
        VerifyJob(references.get(str(clip.get("id_photo")), reference), clip, thresholds)
        for clip in clips
    ]
    results: list[ClipResult] = []
    started = time.perf_counter()
    for done, result in enumerate(parallel(_verify_job, jobs, workers), 1):
        results.append(result)
        reasons = ",".join(result["reasons"])
        print(
            f"[{done}/{len(jobs)}] {result['species']:<8} {Path(result['name']).stem}: "
            f"{result['decision']} ({reasons}) {time.perf_counter() - started:.0f} s",
            file=sys.stderr,
        )
    return results


def _verify_job(job: VerifyJob) -> ClipResult:
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
            look=Look(**clip.get("look", {})),
        )
        verdict = verify(reference, frames, challenge, thresholds)
    return ClipResult(
        name=clip["name"],
        species=clip["species"],
        group=str(clip.get("group", "plain")),
        source=clip.get("source"),
        challenge=[step["action"] for step in json.loads(clip["challenge"])["steps"]],
        decision=verdict.decision,
        reasons=[r.code for r in verdict.reasons],
        scores={k: round(float(v), 4) for k, v in verdict.scores.items()},
        timings_ms={k: round(float(v), 1) for k, v in verdict.timings_ms.items()},
    )


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
