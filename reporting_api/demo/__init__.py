"""`bail-checkin seed-demo`: synthetic defendants, bail cases, plans, check-ins and flags.

Person ``index`` is drawn from ``random.Random(f"{seed}:{index}")`` alone, so the data is
deterministic per index and a run is idempotent: indices whose national ID is already stored
are skipped, and a larger ``--defendants`` adds only the difference. Rows bypass the ORM and
go in chunks, one transaction each, through the bulk writers of `reporting_api.store.bulk_load`
(COPY on PostgreSQL, ``executemany`` on SQLite). That loads 100,000 people with a million
check-ins in about a minute and a half (bench/seed_demo.py).

    catalog.py   what the rows are drawn from: caseloads, courts, charges, words, profiles
    world.py     a run's world (offices, name pools, ID permutation) and each person's stream
    hidden.py    the hidden hazard: the monthly chance a person absconds (issue 18; the score
                 and everything outside this package must not import it)
    fate.py      how one case unfolds: check-ins, phone, hearings, conclusion or absconding
    generate.py  one chunk's rows: people, cases, plans, check-ins, flags (pure)
    logins.py    the demo staff logins, created through the staff store, and how they print
    seed.py      run_seed_demo: the run, chunk by chunk, with a progress line

Names, ID numbers and phone numbers are made up, but a phone number may belong to a real
person: demo data must only ever go through the fake SMS sender, never through Twilio.
"""

from reporting_api.demo.logins import ADMIN, MANAGER, officer_username
from reporting_api.demo.seed import run_seed_demo

__all__ = ["ADMIN", "MANAGER", "officer_username", "run_seed_demo"]
