"""The demo's remote verification attempts: one or more a remote check-in, with the machine's
verdict, the match distance, the phone's user agent and, for some, an officer's decision, so
that the verification quality page (docs/verification-quality.md) has something to measure.

Pure, and on random streams of its own (seeded by the demo's seed and the row's id), so the
rest of the demo is the same rows as before for the same seed.

The hidden effect the page should find: older people's ID photos are older, so the machine
refuses them more often (REFUSED_BY_AGE) and an officer then accepts the recording (a false
rejection); people on an unnamed browser fare a little worse too (OTHER_PHONE_EXTRA). Sex
plays no part. docs/reports.md ("The demo's remote verification attempts") gives the figures.

Rows read like the verifier's: reasons as it stores them (REASON_OF), tries 1, and every
attempt finished before its check-in was.
"""

from __future__ import annotations

import random
from dataclasses import asdict
from datetime import date, datetime, timedelta

from piccolo.utils.encoding import dump_json

from liveness.reasons import reason
from reporting_api.store.bulk_load import AttemptLoad, LoadBatch

ATTEMPT_DAYS = 400
"""Remote check-ins completed this many days before now or later get their attempts."""
REFUSED_BY_AGE = ((55, 0.22), (45, 0.10), (0, 0.05))
"""The chance that the machine refuses (rejects or sends to review) a genuine recording, by
the person's age at the check-in: (from this age, chance), oldest first."""
OTHER_PHONE_EXTRA = 0.03
"""Added to that chance on a browser that is neither Android nor iPhone."""
REVIEWED_REJECTION = 0.5
"""The share of machine-rejected genuine recordings an officer looks at afterwards (accepted)."""
IMPOSTOR = 0.02
"""The chance that a remote check-in is preceded by someone else's recording (rejected; an
officer confirms half of them)."""
FALSE_ACCEPTANCE = 0.01
"""The chance that a verified recording is later marked by an officer as someone else."""

USER_AGENTS = {
    "android": "Mozilla/5.0 (Linux; Android 13; SM-A145F) AppleWebKit/537.36 Chrome/120.0 Mobile",
    "iphone": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15",
    "other": "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
}
REASON_OF = {"verified": "verified", "review": "match_uncertain", "rejected": "face_mismatch"}
"""The reason code a demo attempt's verdict carries, stored as the verifier stores its reasons
(``asdict(reason(code))``: code, English, Thai), so the demo's rows read like real ones."""
PHONES = ("android", "iphone", "other")
PHONE_WEIGHTS = (0.72, 0.22, 0.06)
"""How often each phone type is used."""


def _age(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def refused_chance(age: int, phone: str) -> float:
    """The chance the machine refuses a genuine recording of a person of ``age``."""
    chance = next(p for low, p in REFUSED_BY_AGE if age >= low)
    return chance + (OTHER_PHONE_EXTRA if phone == "other" else 0.0)


def add_attempts(seed: int, batch: LoadBatch, now: datetime) -> None:
    """Attempts for the batch's remote check-ins (verified or waiting for review) in the last
    ``ATTEMPT_DAYS`` days."""
    born = {row[0]: row[7] for row in batch.defendant}
    person_of = {row[0]: row[1] for row in batch.bail_case}
    phones: dict[int, str] = {}
    officer_of: dict[int, int | None] = {}
    since = now - timedelta(days=ATTEMPT_DAYS)
    for row in batch.check_in:
        check_in_id, case_id, office_id = row[0], row[1], row[2]
        status, method, completed_at, updated_at = row[9], row[10], row[11], row[15]
        if method != "remote" or status not in ("verified", "pending_review"):
            continue
        at = completed_at or updated_at
        if at < since:
            continue
        person = person_of[case_id]
        if person not in phones:
            prng = random.Random(f"{seed}:phone:{person}")
            phones[person] = prng.choices(PHONES, PHONE_WEIGHTS)[0]
        officer = officer_of.setdefault(office_id, _officer(batch, office_id))
        rng = random.Random(f"{seed}:attempt:{check_in_id}")
        phone = phones[person]
        ctx = (batch, check_in_id, case_id, office_id, phone, officer)
        if status == "pending_review":
            _attempt(rng, ctx, "review", at - timedelta(minutes=2), None, 0.56)
            continue
        age = _age(born[person], at.date())
        start = at - timedelta(minutes=rng.randint(3, 20))
        if rng.random() < IMPOSTOR:
            review = "reject" if rng.random() < 0.5 else None
            _attempt(rng, ctx, "rejected", start, review, rng.gauss(0.78, 0.06))
        if rng.random() < refused_chance(age, phone):
            distance = rng.gauss(0.56 if age < 55 else 0.6, 0.05)
            if rng.random() < 0.6:  # to review, and the officer's acceptance verified it
                _attempt(rng, ctx, "review", at - timedelta(minutes=1), "accept", distance)
                continue
            review = "accept" if rng.random() < REVIEWED_REJECTION else None
            _attempt(rng, ctx, "rejected", start + timedelta(minutes=1), review, distance + 0.1)
        review = "someone_else" if rng.random() < FALSE_ACCEPTANCE else None
        _attempt(rng, ctx, "verified", at - timedelta(seconds=45), review, rng.gauss(0.36, 0.06))


def _officer(batch: LoadBatch, office_id: int) -> int | None:
    for row in batch.bail_case:
        if row[2] == office_id and row[3] is not None:
            return row[3]
    return None


def _attempt(
    rng: random.Random,
    ctx: tuple[LoadBatch, int, int, int, str, int | None],
    decision: str,
    created_at: datetime,
    review: str | None,
    distance: float,
) -> None:
    batch, check_in_id, case_id, office_id, phone, officer = ctx
    completed_at = created_at + timedelta(seconds=rng.randint(8, 40))
    reviewed_at = completed_at + timedelta(hours=rng.randint(1, 72)) if review else None
    outcome = {"verified": "verified", "review": "review"}.get(decision, "retry")
    row: AttemptLoad = (
        batch.next_id("verification_attempt"), check_in_id, case_id, office_id,
        f"demo-{check_in_id}-{rng.getrandbits(48):012x}", "done", "clip", decision, outcome,
        dump_json({"match_distance": round(max(0.05, distance), 4)}),
        dump_json({"user_agent": USER_AGENTS[phone]}), decision == "review", created_at,
        completed_at, completed_at, officer if review else None, reviewed_at, review,
        "ตรวจจากคลิปแล้ว" if review else None, dump_json([asdict(reason(REASON_OF[decision]))]), 1,
    )  # fmt: skip
    batch.verification_attempt.append(row)
