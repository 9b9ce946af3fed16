"""The risk report's backtest on a seeded database, with the score's AUC (issue 18).

    .venv/bin/python bench/demo_backtest.py [--database postgresql://...] [--days 3650]

Reads, never writes: the cases closed as absconded or concluded in the last ``--days`` days
(default: all of the demo's), scored as of closing by the report's own queries
(`store/backtest.py`, `services/report_figures.backtest`). Prints the table the report shows
(cases and absconded per band, precision and recall with "this band or above" as the alarm),
the base rate, the AUC of the score (the chance an absconder outscores a concluded case, ties
counting half) and how many scores hold both outcomes. Seed the database first, e.g.
`bail-checkin seed-demo --defendants 100000` with ``DATABASE_URL`` set.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections import defaultdict
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from reporting_api.clock import utcnow  # noqa: E402
from reporting_api.db import bind_tables, engine_from_url  # noqa: E402
from reporting_api.demo.hidden import auc  # noqa: E402
from reporting_api.services import report_figures  # noqa: E402
from reporting_api.store import backtest  # noqa: E402


async def figures(url: str, days: int) -> int:
    bind_tables(engine_from_url(url))
    until = utcnow() + timedelta(days=1)
    since = until - timedelta(days=days + 1)
    table = report_figures.backtest(await backtest.backtest_bands(None, since, until))
    cases = await backtest.scored_closed_cases(None, since, until)
    if not cases:
        print("demo_backtest: no closed cases in that range; seed the database first")
        return 1
    print(f"closed cases {table['cases']:,}, absconded {table['absconded']:,}", end="")
    print(f" (base rate {table['base_rate']:.1%})")
    print(f"{'band':<8}{'cases':>8}{'absconded':>11}{'flagged':>9}{'precision':>11}{'recall':>8}")
    for row in table["bands"]:
        precision = "-" if row["precision"] is None else f"{row['precision']:.1%}"
        recall = "-" if row["recall"] is None else f"{row['recall']:.1%}"
        print(
            f"{row['band']:<8}{row['cases']:>8,}{row['absconded']:>11,}{row['flagged']:>9,}"
            f"{precision:>11}{recall:>8}"
        )
    gone = [c["score"] for c in cases if c["status"] == backtest.ABSCONDED]
    stayed = [c["score"] for c in cases if c["status"] == backtest.CONCLUDED]
    outcomes: dict[int, set[str]] = defaultdict(set)
    for c in cases:
        outcomes[c["score"]].add(c["status"])
    mixed = sorted(score for score, seen in outcomes.items() if len(seen) == 2)
    print(f"AUC of the score {auc(gone, stayed):.3f}")
    print(f"scores holding both outcomes: {len(mixed)} of {len(outcomes)} ({mixed[:12]})")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--days", type=int, default=3650, help="closed this many days back")
    args = parser.parse_args()
    if not args.database:
        parser.error("--database (or DATABASE_URL) is required")
    if args.days < 1:
        parser.error("--days must be 1 or more")
    try:
        return asyncio.run(figures(args.database, args.days))
    except Exception as error:  # no connection, no such database, not migrated: say which
        print(
            f"demo_backtest: cannot read {args.database}: {type(error).__name__}: {error}",
            file=sys.stderr,
        )
        return 2


if __name__ == "__main__":
    sys.exit(main())
