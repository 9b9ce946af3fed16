"""Keeping sensitive check-in data only as long as the retention setting says (PDPA).

Evidence frames go `EVIDENCE_RETENTION_DAYS` after they were taken, unless their attempt still
waits for an officer; identification tries (client addresses) go after the same period;
expired link sessions and unused challenges go at once. Uploaded recordings are never kept:
each is dropped when its verdict is stored. Run nightly by the scheduler's housekeeping and by
`bail-checkin purge-evidence`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from reporting_api.settings import Settings
from reporting_api.store import attempts, audit, links


@dataclass
class PurgeReport:
    evidence_frames: int = 0
    identify_attempts: int = 0
    sessions_and_challenges: int = 0


async def purge(now: datetime, settings: Settings, days: int | None = None) -> PurgeReport:
    """Purge what is past retention at ``now`` (``days`` overrides the setting)."""
    keep = timedelta(days=settings.checkin.evidence_retention_days if days is None else days)
    report = PurgeReport(
        evidence_frames=await attempts.purge_frames(now - keep),
        identify_attempts=await links.delete_identify_attempts(now - keep),
        sessions_and_challenges=await links.delete_expired(now),
    )
    if report.evidence_frames or report.identify_attempts:
        await audit.record_system(
            "retention.purge",
            "evidence_frame",
            None,
            now,
            {
                "evidence_frames": report.evidence_frames,
                "identify_attempts": report.identify_attempts,
                "older_than_days": keep.days,
            },
            actor="retention",
        )
    return report
