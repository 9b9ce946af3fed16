"""The command line: `python -m liveness {verify,challenge,synth,evaluate,evaluate-pairs}`.

verify   --id-photo PHOTO --clip CLIP --challenge CHALLENGE.json
         Prints one JSON object, the verdict: decision, reasons, scores, timings_ms,
         evidence_frames. Exit 0 whatever the decision (a clip that cannot be read is a
         rejected verdict, not an error).
         Exit 2 when the arguments cannot be used: a missing or unreadable file, a malformed
         challenge, or an ID photo the library refuses (no face, blurry...). Then stderr says
         why, and stdout still carries one JSON object, {"error": {"code", "en", "th"}}, so a
         caller that always parses stdout can show the reason (for a refused ID photo the code
         is the library's reason code, e.g. "no_face").
challenge --seed N
         Prints a challenge as JSON (without --seed, from the system's secure random source).
synth    --photo PHOTO --challenge CHALLENGE.json --kind KIND --out CLIP.mp4 [--seed N]
         [--other-photo PHOTO] [--fps 15] [--size 640x480]
         [--look '{"glasses": "thick", "beard": 0.8}']          (liveness.synth)
evaluate MANIFEST.json [--workers N] [more options of liveness.evaluate, e.g. --generate DIR]
evaluate-pairs PAIRS.csv [--clips] [--json PATH] [--workers N] [--threshold NAME=VALUE]
         Labelled pairs of ID-card photos and photos or clips (liveness.pairs): FRR, FAR and
         review by group with Wilson intervals, a threshold sweep, refused enrolments.
         Exit 2 with the line and column on stderr when the CSV cannot be used.

Argument mistakes that argparse itself catches (an unknown option, a missing one) exit 2 with
argparse's usage message only.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

KINDS = ("genuine", "static", "print", "screen", "replay", "impostor")

USAGE_ERRORS = {
    "missing_file": ("The file does not exist or cannot be read.", "ไม่พบไฟล์หรือไม่สามารถอ่านไฟล์ได้"),
    "bad_challenge": ("The challenge file is not a valid challenge.", "ไฟล์คำสั่งท้าทายไม่ถูกต้อง"),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m liveness",
        description="Face match against an ID photo, liveness and attack checks.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    verify = commands.add_parser("verify", help="verify a check-in clip against an ID photo")
    verify.add_argument("--id-photo", required=True, type=Path, metavar="PHOTO")
    verify.add_argument("--clip", required=True, type=Path, metavar="CLIP")
    verify.add_argument("--challenge", required=True, type=Path, metavar="CHALLENGE.json")
    verify.set_defaults(run=_verify)

    challenge = commands.add_parser("challenge", help="print a random challenge as JSON")
    challenge.add_argument("--seed", type=int, default=None, metavar="N")
    challenge.set_defaults(run=_challenge)

    synth = commands.add_parser("synth", help="render a synthetic test clip from a photo")
    synth.add_argument("--photo", required=True, metavar="PHOTO")
    synth.add_argument("--challenge", required=True, metavar="CHALLENGE.json")
    synth.add_argument("--kind", required=True, choices=KINDS)
    synth.add_argument("--out", required=True, metavar="CLIP.mp4")
    synth.add_argument("--seed", type=int, default=None, metavar="N")
    synth.add_argument(
        "--other-photo", default=None, metavar="PHOTO", help="the other person's photo (impostor)"
    )
    synth.add_argument("--fps", type=int, default=15)
    synth.add_argument("--size", default="640x480", metavar="WxH")
    synth.add_argument(
        "--look",
        default=None,
        metavar="JSON",
        help="how the person looks (liveness.synth.looks.Look fields), e.g. '{\"mask\": true}'",
    )
    synth.set_defaults(run=_synth)

    evaluate = commands.add_parser("evaluate", help="run a labelled set and print the error rates")
    _evaluate_arguments(evaluate)
    evaluate.set_defaults(run=_evaluate)

    pairs = commands.add_parser(
        "evaluate-pairs", help="FRR and FAR on labelled pairs of ID-card photos and probes"
    )
    from liveness.pairs import add_arguments as pair_arguments

    pair_arguments(pairs)
    pairs.set_defaults(run=_evaluate_pairs)
    return parser


def _evaluate_arguments(parser: argparse.ArgumentParser) -> None:
    """MANIFEST.json [--workers N], plus whatever more liveness.evaluate offers (--generate...)."""
    try:
        from liveness.evaluate import add_arguments
    except ImportError:
        parser.add_argument("manifest", metavar="MANIFEST.json")
        parser.add_argument("--workers", type=int, default=1, metavar="N")
    else:
        add_arguments(parser)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.run(args) or 0)


class _Unusable(Exception):
    def __init__(self, code: str, en: str, th: str, detail: str) -> None:
        super().__init__(detail)
        self.error = {"code": code, "en": en, "th": th}


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise _Unusable(
            "missing_file", *USAGE_ERRORS["missing_file"], f"{path}: {error.strerror}"
        ) from None


def _verify(args: argparse.Namespace) -> int:
    from liveness.reference import encode_reference
    from liveness.types import Challenge, ReferenceRejected
    from liveness.verify import verify_clip

    try:
        photo = _read(args.id_photo)
        clip = _read(args.clip)
        try:
            challenge = Challenge.from_json(_read(args.challenge))
        except ValueError as error:
            raise _Unusable(
                "bad_challenge", *USAGE_ERRORS["bad_challenge"], f"{args.challenge}: {error}"
            ) from None
        try:
            reference = encode_reference(photo)
        except ReferenceRejected as rejected:
            r = rejected.reason
            raise _Unusable(r.code, r.en, r.th, f"{args.id_photo}: {r.code}: {r.en}") from None
    except _Unusable as unusable:
        print(f"verify: {unusable}", file=sys.stderr)
        print(json.dumps({"error": unusable.error}, ensure_ascii=False))
        return 2
    verdict = verify_clip(reference, clip, challenge)
    print(verdict.to_json())
    return 0


def _challenge(args: argparse.Namespace) -> int:
    from liveness.challenge import new_challenge

    rng = random.SystemRandom() if args.seed is None else random.Random(args.seed)
    print(new_challenge(rng).to_json())
    return 0


def _synth(args: argparse.Namespace) -> int:
    import liveness.synth

    return liveness.synth.main(args)


def _evaluate(args: argparse.Namespace) -> int:
    import liveness.evaluate

    return liveness.evaluate.main(args)


def _evaluate_pairs(args: argparse.Namespace) -> int:
    import liveness.pairs

    return liveness.pairs.main(args)
