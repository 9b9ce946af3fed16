"""Keeping personal data only as long as its purpose needs it (PDPA; docs/privacy.md).

After `EVIDENCE_RETENTION_DAYS` (28): evidence frames (except of attempts still waiting for
an officer), identification tries, the client details of recordings (user agent, screen,
location, address) and the client address on the check-in link's audit rows. At once:
expired link sessions and unused challenges. After `MESSAGE_RETENTION_DAYS` (90): the text
of finished messages (it carries the link code) and the number they went to. After
`SEARCH_RETENTION_DAYS` (90): what staff searched for, in the audit log. After
`CASE_RETENTION_DAYS` (5 years) from its close: a closed case with everything on it, unless
its person is on legal hold; a person left with no case is then anonymised (photo and face
template included, and the files they attached to requests). After a day: files uploaded on
a link and never sent with a request. After a month: the ids of LINE's webhook events. Uploaded recordings are never kept: each is dropped when its verdict is
stored.

Run nightly by the scheduler's housekeeping and by `bail-checkin purge-evidence`; each run
that removes something writes one audit row with the counts, and each person anonymised
one of their own.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from reporting_api import metrics
from reporting_api.services.links import ACTOR as LINK_ACTOR
from reporting_api.settings import RetentionSettings, Settings
from reporting_api.store import attachments as attachment_store
from reporting_api.store import attempts, audit, imports, line_events, links, outbox, privacy

CASE_BATCH = 200
"""Closed cases deleted, or people anonymised, per query."""
ACTOR = "retention"


@dataclass
class PurgeReport:
    """What one purge removed, by kind."""

    evidence_frames: int = 0
    identify_attempts: int = 0
    sessions_and_challenges: int = 0
    client_details: int = 0
    """Recordings whose client details (user agent, screen, location, address) went."""
    link_addresses: int = 0
    """Audit rows of the check-in link whose client address went."""
    message_texts: int = 0
    """Messages whose text and phone number went."""
    search_terms: int = 0
    """Audit rows whose search terms went."""
    closed_cases: int = 0
    people_anonymised: int = 0
    import_jobs: int = 0
    """Bulk imports (their rows' cells and photos) done or left unfinished a week ago."""
    unattached_files: int = 0
    """Files uploaded on a link and never sent with a request (or refused), after a day."""
    line_events: int = 0
    """LINE webhook events' ids (kept to take each in once), after a month."""

    def lines(self) -> list[str]:
        """One line a count, as `bail-checkin purge-evidence` prints them."""
        return [
            f"{self.evidence_frames} evidence frames",
            f"{self.identify_attempts} identification records",
            f"{self.client_details} recordings' client details (user agent, location, address)",
            f"{self.link_addresses} client addresses in the check-in link's audit rows",
            f"{self.sessions_and_challenges} expired link sessions and challenges",
            f"{self.message_texts} message texts and phone numbers",
            f"{self.search_terms} search terms in the audit log",
            f"{self.closed_cases} closed cases past retention",
            f"{self.people_anonymised} people anonymised (no case left)",
            f"{self.import_jobs} bulk imports' kept rows and photos",
            f"{self.unattached_files} uploaded files never sent with a request",
            f"{self.line_events} LINE webhook event ids",
        ]


UNATTACHED_FILES_KEPT = timedelta(days=1)
"""How long a file uploaded on a link waits to be sent with a request (the page sends it
within minutes); attached, it lives as long as its request."""
IMPORT_KEPT = timedelta(days=7)
"""How long an import's rows (their cells sealed) and photos stay after it is done or was
left after its dry run: long enough to download its report again."""
LINE_EVENTS_KEPT = timedelta(days=30)
"""How long a LINE webhook event's id is kept, so that a redelivery of it changes nothing:
LINE redelivers only an event it could not hand over, and long before a month is out."""


async def purge(now: datetime, settings: Settings, days: int | None = None) -> PurgeReport:
    """Purge what is past retention at ``now``; ``days`` overrides `EVIDENCE_RETENTION_DAYS`
    (evidence, identification tries and client details)."""
    keep = timedelta(days=settings.checkin.evidence_retention_days if days is None else days)
    kept = settings.retention
    report = PurgeReport(
        evidence_frames=await attempts.purge_frames(now - keep),
        identify_attempts=await links.delete_identify_attempts(now - keep),
        sessions_and_challenges=await links.delete_expired(now),
        client_details=await attempts.purge_client_details(now - keep),
        link_addresses=await audit.drop_client_addresses(LINK_ACTOR, now - keep),
        message_texts=await outbox.purge_sent_text(now - timedelta(days=kept.message_days)),
        search_terms=await audit.drop_search_terms(now - timedelta(days=kept.search_days)),
        import_jobs=await imports.delete_finished_before(now - IMPORT_KEPT),
        unattached_files=await attachment_store.purge_unattached(now - UNATTACHED_FILES_KEPT),
        line_events=await line_events.purge_before(now - LINE_EVENTS_KEPT),
    )
    case_cutoff = now - timedelta(days=kept.closed_case_days)
    while cases := await privacy.closed_cases_before(case_cutoff, CASE_BATCH):
        report.closed_cases += await privacy.delete_cases([c["id"] for c in cases])
        left = sorted({c["defendant"] for c in cases})
        report.people_anonymised += await _anonymise_left(now, case_cutoff, left, kept)
    report.people_anonymised += await _anonymise_left(now, case_cutoff, [], kept)
    counts = {k: v for k, v in asdict(report).items() if k != "sessions_and_challenges"}
    if any(counts.values()):
        await audit.record_system(
            "retention.purge",
            "retention",
            None,
            now,
            {"counts": counts, "older_than_days": keep.days},
            actor=ACTOR,
        )
    metrics.purge_ran(now)
    return report


async def _anonymise_left(
    now: datetime, cutoff: datetime, among: list[int], kept: RetentionSettings
) -> int:
    """Anonymise the people left with no case: ``among`` (whose last case just went) and
    anyone enrolled before ``cutoff``; each one audited."""
    done = 0
    while people := await privacy.people_without_cases(cutoff, CASE_BATCH, among):
        for defendant_id in people:
            await privacy.anonymise(defendant_id, now)
            await audit.record_system(
                "defendant.anonymise",
                "defendant",
                defendant_id,
                now,
                {"mode": "anonymise", "older_than_days": kept.closed_case_days},
                actor=ACTOR,
            )
        done += len(people)
    return done
