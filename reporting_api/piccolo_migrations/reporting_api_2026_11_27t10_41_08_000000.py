"""Search terms already in the audit log masked (docs/privacy.md).

Before this, a search's `q` was stored as typed; from now on an ID or phone number is stored
masked (`reporting_api.masking`, `services.audit.search_terms`). This masks the rows written
before, once: every run of 4 or more digits (an ID number or its first digits, a phone
number) keeps its first digit and loses the rest. The masking is written out here, not
imported, so that this migration does the same thing whatever the code becomes.
"""

import json
import re

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder
from piccolo.querystring import QueryString

ID = "2026-11-27T10:41:08:000000"
VERSION = "1.38.0"
DESCRIPTION = "Mask ID and phone numbers in audited search terms"

SEARCH_ACTIONS = ("defendant.search", "admin.caseload")
DIGITS = re.compile(r"\+?\d(?:[ -]?\d){3,}")
BATCH = 500


def _mask(text):
    return DIGITS.sub(lambda m: m.group()[0] + "x" * (len(re.sub(r"\D", "", m.group())) - 1), text)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="reporting_api", description=DESCRIPTION)

    async def mask_search_terms():
        engine = engine_finder()
        after = 0
        while True:
            rows = await engine.run_querystring(
                QueryString(
                    "SELECT id, CAST(detail AS TEXT) AS detail FROM audit_log"
                    " WHERE id > {} AND action IN ({}, {}) ORDER BY id LIMIT {}",
                    after,
                    *SEARCH_ACTIONS,
                    BATCH,
                )
            )
            for row in rows:
                detail = json.loads(row["detail"] or "{}")
                q = detail.get("q")
                if isinstance(q, str) and _mask(q) != q:
                    detail["q"] = _mask(q)
                    await engine.run_querystring(
                        QueryString(
                            "UPDATE audit_log SET detail = {} WHERE id = {}",
                            json.dumps(detail, ensure_ascii=False),
                            row["id"],
                        )
                    )
            if len(rows) < BATCH:
                break
            after = rows[-1]["id"]

    manager.add_raw(mask_search_terms)
    return manager
