"""Print what a nationwide reminder round costs, beside the bare SQL of the same inserts.

Usage: DATABASE_URL=postgres://postgres@127.0.0.1:5432/SCRATCH \
           .venv/bin/python benchmarks/notifications.py

On a scratch database (it migrates it and loads the geography if it has none): the worker's
round 3 days before the deadline (a reminder to each of the 878 districts, no officers, so
no deliveries), the same round again (nothing new: what every later round of the day costs),
and one INSERT ... SELECT of 878 events, the least SQL that queues the same rows. Each runs in
a transaction that is rolled back, so the database is left as it was.

Measured on the shared 2-core machine (PostgreSQL 15): the round queued 879 events in 7,042
statements, 5.6 s CPU, 32 s wall; again the same day 8 statements, 0.03 s CPU; the bare
INSERT ... SELECT 0.06 s. A round is a background job once or twice a day, so the eight
statements per district (a savepoint, the event, its officers, notices, contacts,
deliveries) are kept for clarity; batching them is the way down if it ever matters.
"""

import datetime
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "otopdoc.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from notifications.worker import run_once  # noqa: E402
from otopdoc.fiscal import BANGKOK  # noqa: E402
from sales.models import District  # noqa: E402

AT = datetime.datetime(2026, 12, 2, 8, 0, tzinfo=BANGKOK)
BARE_SQL = """
INSERT INTO notifications_event (key, kind, district_id, subject, body, path, created_at)
SELECT 'bare:' || code, 'reminder', code, 'เตือน', 'ยังไม่ยืนยัน', '/sales/' || code || '/', %s
FROM sales_district
"""


class Rollback(Exception):
    pass


def timed(label, work):
    cpu, wall = time.process_time(), time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        result = work()
    print(
        f"{label:<46} {len(queries.captured_queries):>6} statements  "
        f"CPU {time.process_time() - cpu:6.2f} s  wall {time.perf_counter() - wall:6.2f} s"
        f"  {result}"
    )


def main():
    call_command("migrate", verbosity=0)
    if not District.objects.exists():
        call_command("load_geography", verbosity=0)
    districts = District.objects.count()
    print(f"{connection.vendor}: {districts} districts")
    try:
        with transaction.atomic():
            timed("worker round, reminders due", lambda: f"queued {run_once(AT)[0]}")
            timed("worker round again, nothing new", lambda: f"queued {run_once(AT)[0]}")
            raise Rollback
    except Rollback:
        pass
    try:
        with transaction.atomic():

            def bare():
                with connection.cursor() as cursor:
                    cursor.execute(BARE_SQL, [AT])
                    return f"inserted {cursor.rowcount}"

            timed("bare INSERT ... SELECT of the same events", bare)
            raise Rollback
    except Rollback:
        pass


if __name__ == "__main__":
    main()
