"""`python -m liveness evaluate-pairs PAIRS.csv`: labelled pairs of the fund's own consented
photos and clips through the library, and FRR, FAR and the share sent to review.

Each distinct ID-card photo is enrolled once (`encode_reference`, as at enrolment); a card
the library refuses is reported with its reason and its pairs left out of the rates. Then:

- a photo probe is checked as a still (`still`): its one face encoded as a clip frame is
  (one jitter) and its distance to the card's template judged by the match's bands alone
  (accepted at or under `match_accept`, review up to `match_review`, refused above);
- a clip probe (`clip`) goes through `verify_clip` with its challenge: the whole decision;
- with ``--clips``, a photo probe also becomes a genuine clip (`rendered`): rendered from the
  photo by `liveness.synth` for a random challenge fitted to the face as the service fits it,
  written as mp4 and verified with `verify_clip`, as `python -m liveness evaluate` does.

The CSV is read by `liveness.pairs_csv`, the rates by `liveness.pair_stats`, the report by
`liveness.pairs_report`.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal, NamedTuple, TextIO

import numpy as np

from liveness import faces
from liveness.eval_workers import parallel
from liveness.pairs_csv import Pair, PairsError, load_pairs
from liveness.reference import as_rgb, encode_reference, one_face, working_copy
from liveness.types import Challenge, Reason, Reference, ReferenceRejected, Thresholds

Mode = Literal["still", "clip", "rendered"]
Outcome = Literal["accepted", "review", "refused"]
OUTCOMES: dict[str, Outcome] = {"verified": "accepted", "review": "review", "rejected": "refused"}


@dataclass(frozen=True)
class Enrolment:
    """An ID-card photo enrolled, or refused with the library's reason."""

    card: Path
    reference: Reference | None
    reason: Reason | None


@dataclass(frozen=True)
class PairResult:
    """How one pair came out in one mode."""

    line: int
    card: str  # as written in the CSV
    probe: str
    same: bool
    age_group: str
    sex: str
    mode: Mode
    outcome: Outcome
    distance: float | None  # the match distance; None when no face was compared
    reasons: tuple[str, ...]  # reason codes; empty when accepted

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The `evaluate-pairs` subcommand's arguments."""
    parser.add_argument("pairs", type=Path, metavar="PAIRS.csv")
    parser.add_argument(
        "--clips",
        action="store_true",
        help="also render a genuine clip from each photo probe and verify it (about 2 s a pair)",
    )
    parser.add_argument(
        "--json",
        type=Path,
        default=None,
        metavar="PATH",
        help="also write the summary and every pair's result as JSON",
    )
    parser.add_argument("--workers", type=int, default=1, metavar="N", help="processes (default 1)")
    parser.add_argument("--seed", type=int, default=0, metavar="S", help="for --clips' challenges")
    parser.add_argument(
        "--threshold",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override one Thresholds field, e.g. match_accept=0.5",
    )


def main(args: argparse.Namespace) -> int:
    """Check every pair, print the report; 2 (with the reason on stderr) for unusable input."""
    from liveness.evaluate import parse_thresholds
    from liveness.pairs_report import format_report, summarise

    try:
        thresholds = parse_thresholds(args.threshold)
        if args.json is not None and not args.json.parent.is_dir():
            raise PairsError(f"--json {args.json}: no folder {args.json.parent}")
        pairs = load_pairs(args.pairs)
    except ValueError as error:  # PairsError too
        print(f"evaluate-pairs: {error}", file=sys.stderr)
        return 2
    enrolments, results = run(
        pairs, thresholds, clips=args.clips, workers=max(1, args.workers), seed=args.seed
    )
    summary = summarise(pairs, enrolments, results, thresholds)
    print(format_report(summary, str(args.pairs)))
    if args.json is not None:
        document = {
            "csv": str(args.pairs),
            "thresholds": asdict(thresholds),
            **summary.to_dict(),
            "pairs": [r.to_dict() for r in results],
        }
        args.json.write_text(json.dumps(document, indent=1, ensure_ascii=False), encoding="utf-8")
    return 0


class Check(NamedTuple):
    """One pair in one mode, for a worker process (pickled)."""

    pair: Pair
    mode: Mode
    reference: Reference
    thresholds: Thresholds
    seed: int


def run(
    pairs: list[Pair],
    thresholds: Thresholds,
    *,
    clips: bool = False,
    workers: int = 1,
    seed: int = 0,
    progress: TextIO | None = None,
) -> tuple[list[Enrolment], list[PairResult]]:
    """Enrol each card once, then check every pair (progress on stderr, results in order)."""
    out = progress or sys.stderr
    started = time.perf_counter()
    cards = list(dict.fromkeys(pair.card for pair in pairs))
    enrolments = []
    for done, enrolment in enumerate(parallel(enrol, cards, workers), 1):
        enrolments.append(enrolment)
        what = enrolment.reason.code if enrolment.reason else "enrolled"
        print(f"card {done} of {len(cards)}: {enrolment.card.name}: {what}", file=out)
    references = {e.card: e.reference for e in enrolments}
    jobs: list[Check] = []
    for pair in pairs:
        reference = references[pair.card]
        if reference is None:
            continue
        modes: list[Mode] = ["clip"] if pair.kind == "clip" else ["still"]
        if pair.kind == "photo" and clips:
            modes.append("rendered")
        jobs.extend(Check(pair, mode, reference, thresholds, seed) for mode in modes)
    results = []
    for done, result in enumerate(parallel(check, jobs, workers), 1):
        results.append(result)
        distance = "no face" if result.distance is None else f"{result.distance:.3f}"
        print(
            f"check {done} of {len(jobs)} (line {result.line}, {result.mode}): "
            f"{result.outcome}, distance {distance} "
            f"[{time.perf_counter() - started:.0f} s]",
            file=out,
        )
    return enrolments, results


def enrol(card: Path) -> Enrolment:
    """The card's template, or the reason the library refuses it."""
    try:
        return Enrolment(card, encode_reference(card.read_bytes()), None)
    except ReferenceRejected as rejected:
        return Enrolment(card, None, rejected.reason)


def encode_still(data: bytes) -> np.ndarray:
    """The encoding of a photo's one face, made as a clip frame's is (one jitter);
    ReferenceRejected (unreadable_image, no_face, several_faces) otherwise."""
    work, _ = working_copy(as_rgb(data))
    gray = faces.to_gray(work)
    box, _ = one_face(gray)
    return faces.encode(work, faces.landmarks(gray, box))


def still_outcome(distance: float, thresholds: Thresholds) -> tuple[Outcome, tuple[str, ...]]:
    """The match's bands alone, with the reason codes `verify` gives for them."""
    if distance <= thresholds.match_accept:
        return "accepted", ()
    if distance <= thresholds.match_review:
        return "review", ("match_uncertain",)
    return "refused", ("face_mismatch",)


def check(job: Check) -> PairResult:
    """One pair in one mode; never raises (an internal error is `analysis_failed`, review)."""
    pair = job.pair
    distance: float | None = None
    try:
        if job.mode == "still":
            try:
                distance = faces.distance(
                    job.reference.encoding, encode_still(pair.probe.read_bytes())
                )
            except ReferenceRejected as rejected:
                outcome: Outcome = "refused"
                reasons: tuple[str, ...] = (rejected.reason.code,)
            else:
                outcome, reasons = still_outcome(distance, job.thresholds)
        else:
            outcome, reasons, distance = _clip(job)
    except Exception as error:  # one odd file must not end a run of thousands
        print(f"line {pair.line} ({job.mode}): {error!r}", file=sys.stderr)
        outcome, reasons = "review", ("analysis_failed",)
    return PairResult(
        line=pair.line,
        card=pair.card_text,
        probe=pair.probe_text,
        same=pair.same,
        age_group=pair.age_group,
        sex=pair.sex,
        mode=job.mode,
        outcome=outcome,
        distance=None if distance is None else round(distance, 4),
        reasons=reasons,
    )


def _clip(job: Check) -> tuple[Outcome, tuple[str, ...], float | None]:
    from liveness.verify import verify_clip

    pair = job.pair
    if job.mode == "clip":
        assert pair.challenge is not None  # load_pairs requires one for a clip
        verdict = verify_clip(
            job.reference, pair.probe.read_bytes(), pair.challenge, job.thresholds
        )
    else:
        clip, challenge = _rendered_clip(pair, job.seed)
        if clip is None:
            return "refused", ("no_face_to_render",), None
        verdict = verify_clip(job.reference, clip, challenge, job.thresholds)
    reasons = tuple(r.code for r in verdict.reasons if r.code != "verified")
    distance = verdict.scores.get("match_distance")
    return OUTCOMES[verdict.decision], reasons, distance


def _rendered_clip(pair: Pair, seed: int) -> tuple[bytes | None, Challenge]:
    """A genuine mp4 clip of the probe photo for a random challenge (seeded by the line),
    fitted to the face as `python -m liveness evaluate` fits it; None for a photo whose face
    the renderer cannot find."""
    from liveness.challenge import new_challenge
    from liveness.eval_set import RenderJob, _render_job

    clip_seed = seed * 1_000_003 + pair.line
    challenge = new_challenge(random.Random(clip_seed))
    with tempfile.TemporaryDirectory(prefix="liveness-pairs-") as folder:
        out = Path(folder) / "clip.mp4"
        out.with_suffix(".json").write_text(challenge.to_json(), encoding="utf-8")
        job = RenderJob(str(pair.probe), None, "genuine", challenge.to_json(), clip_seed, str(out))
        try:
            _render_job(job)
        except ValueError:
            return None, challenge
        fitted = Challenge.from_json(out.with_suffix(".json").read_bytes())
        return out.read_bytes(), fitted
