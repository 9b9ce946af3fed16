"""Face match against the ID-card photo, challenge-response liveness and attack cues.

Pure computer vision: NumPy arrays and dataclasses in, a verdict out. No web framework, no
database; models are loaded lazily from the installed face_recognition_models package.

    reference = encode_reference(id_photo_rgb)        # once, at enrolment
    challenge = new_challenge(random.SystemRandom())  # per attempt, sent to the page
    verdict = verify_clip(reference, clip_bytes, challenge)
    verdict.decision  # "verified" | "rejected" | "review", with reasons and scores

The command line (`python -m liveness --help`) wraps the same calls.
"""

from liveness.challenge import new_challenge
from liveness.reference import encode_reference
from liveness.types import (
    Action,
    Challenge,
    Decision,
    Frame,
    QualityReport,
    Reason,
    Reference,
    ReferenceRejected,
    Step,
    Thresholds,
    Verdict,
    VideoLimits,
    VideoRejected,
)
from liveness.verify import verify, verify_clip
from liveness.video import frames_from_images, frames_from_video

__all__ = [
    "Action",
    "Challenge",
    "Decision",
    "Frame",
    "QualityReport",
    "Reason",
    "Reference",
    "ReferenceRejected",
    "Step",
    "Thresholds",
    "Verdict",
    "VideoLimits",
    "VideoRejected",
    "encode_reference",
    "frames_from_images",
    "frames_from_video",
    "new_challenge",
    "verify",
    "verify_clip",
]
