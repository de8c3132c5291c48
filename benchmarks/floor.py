"""The deadline hour's requests beside the database's floor: the minimal SQL of the same work.

Usage:
    .venv/bin/python benchmarks/floor.py [--database NAME] [--repeat N] [--keep]

Makes a fresh PostgreSQL database NAME (default otop_bench_floor; dropped afterwards unless
--keep) with the geography, a district month of 130 rows and one of 500 rows, and the running
totals and targets of a whole nation (878 districts × 12 months × 5 product types, written
directly: the national pages read only the running totals). Then, for each request, it prints
the median over N runs of:
- the request through Django's test client in this process (middleware, view, template,
  queries): CPU time of this process (the Python side, the part the server's cores spend on
  the request) and wall time (which adds PostgreSQL's own work and the socket);
- the minimal SQL of the same work on the same database, by a raw cursor: reading the month
  with its names; claiming the revision, UPDATE from VALUES, one audit INSERT, the totals
  upsert and COMMIT; and so on;
- the ratio request / floor, in CPU and in wall time.
Requests: entry GET and POST (every row changed) at 130 and 500 rows, the district
confirmation of 100 rows, the national KPI page, and a sign-in with the production password
hasher. The targets (issue 16) are beside each line. The machine is shared: compare ratios
measured side by side in one run, not one wall time across runs.
"""

import argparse
import logging
import os
import statistics
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PASSWORD = "bench-floor-password-57"
FORM = "application/x-www-form-urlencoded"
TARGET_MS = {
    "entry GET 130": 10,
    "entry GET 500": 30,
    "entry POST 130": 20,
    "entry POST 500": 60,
    "confirm 100": 10,
    "KPI nation": 15,
    "sign-in": 40,
}

READ_MONTH_SQL = """
SELECT s.id, s.version, p.name, s.product_type, p.producer_type, s.domestic, s.export,
       s.district_confirmed_at, s.province_confirmed_at, s.returned_at, s.returned_reason
FROM sales_monthlysale s JOIN sales_producer p ON p.id = s.producer_id
WHERE s.district_id = %s AND s.fiscal_year = %s AND s.month = %s
ORDER BY p.name, s.product_type
"""
CLAIM_SQL = """
UPDATE sales_districtmonth SET revision = revision + 1, saved_at = now()
WHERE district_id = %s AND fiscal_year = %s AND month = %s AND revision = %s
"""
TOTALS_UPSERT_SQL = """
INSERT INTO reports_monthtotal (district_id, province_id, fiscal_year, month, product_type,
    rows, domestic, export, district_rows, district_domestic, district_export,
    province_rows, province_domestic, province_export, district_confirmed_last)
SELECT s.district_id, %s, s.fiscal_year, s.month, s.product_type, COUNT(*),
    SUM(s.domestic), SUM(s.export),
    COUNT(*) FILTER (WHERE s.district_confirmed_at IS NOT NULL),
    COALESCE(SUM(s.domestic) FILTER (WHERE s.district_confirmed_at IS NOT NULL), 0),
    COALESCE(SUM(s.export) FILTER (WHERE s.district_confirmed_at IS NOT NULL), 0),
    COUNT(*) FILTER (WHERE s.province_confirmed_at IS NOT NULL),
    COALESCE(SUM(s.domestic) FILTER (WHERE s.province_confirmed_at IS NOT NULL), 0),
    COALESCE(SUM(s.export) FILTER (WHERE s.province_confirmed_at IS NOT NULL), 0),
    MAX(s.district_confirmed_at)
FROM sales_monthlysale s
WHERE s.district_id = %s AND s.fiscal_year = %s AND s.month = %s
GROUP BY s.district_id, s.fiscal_year, s.month, s.product_type
ON CONFLICT (district_id, fiscal_year, month, product_type) DO UPDATE SET
    rows = EXCLUDED.rows, domestic = EXCLUDED.domestic, export = EXCLUDED.export,
    district_rows = EXCLUDED.district_rows, district_domestic = EXCLUDED.district_domestic,
    district_export = EXCLUDED.district_export, province_rows = EXCLUDED.province_rows,
    province_domestic = EXCLUDED.province_domestic,
    province_export = EXCLUDED.province_export,
    district_confirmed_last = EXCLUDED.district_confirmed_last
"""
KPI_SQL = """
SELECT t.province_id, t.month, SUM(t.province_domestic + t.province_export)
FROM reports_monthtotal t WHERE t.fiscal_year = %s GROUP BY t.province_id, t.month
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="otop_bench_floor")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    psql(f"DROP DATABASE IF EXISTS {args.database}")
    psql(f"CREATE DATABASE {args.database}")
    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{args.database}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "otopdoc.test_settings"
    try:
        run(args.repeat)
    finally:
        if not args.keep:
            from django.db import connections

            connections.close_all()
            psql(f"DROP DATABASE IF EXISTS {args.database}")


def psql(sql):
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-c", sql], check=True)


def run(repeat):
    import django

    django.setup()
    from django.conf import settings

    # Not setup_test_environment(): it instruments every template's rendering for the test
    # client (a signal and a copy of the context a template), which production never runs.
    logging.getLogger("axes").setLevel(logging.WARNING)  # a line per sign-in otherwise
    settings.PASSWORD_HASHERS = __import__("otopdoc.settings").settings.PASSWORD_HASHERS
    data = prepare()
    print(
        f"PostgreSQL, median of {repeat} runs; CPU = this process, wall = with the database\n"
        f"{'request':<16}{'CPU ms':>8}{'wall ms':>9}   {'floor CPU':>9}{'floor wall':>11}"
        f"   {'ratio CPU':>9}{'ratio wall':>11}   target (CPU ms)"
    )
    for name, request, floor in cases(data):
        page = measure(request, repeat)
        bare = measure(floor, repeat)
        target = TARGET_MS.get(name)
        verdict = (
            "" if target is None else f"≤ {target}: {'met' if page[0] <= target else 'NOT met'}"
        )
        print(
            f"{name:<16}{page[0]:8.1f}{page[1]:9.1f}   {bare[0]:9.2f}{bare[1]:11.2f}"
            f"   {ratio(page[0], bare[0]):>9}{ratio(page[1], bare[1]):>11}   {verdict}"
        )


def ratio(page, bare):
    return f"{page / bare:.0f}×" if bare > 0.005 else "—"


def measure(work, repeat):
    """Return the median (CPU ms, wall ms) of `work` over `repeat` runs, after one warm-up.

    `work` is a callable of the run's number, or a pair (body, send): body(run) builds what
    the officer's browser already holds (the posted form) before the clock starts, and
    send(run, body) is what is measured.
    """
    body, send = work if isinstance(work, tuple) else (lambda run: None, work)
    cpu, wall = [], []
    for run in range(repeat + 1):
        posted = body(run)
        start_cpu, start_wall = time.process_time(), time.perf_counter()
        send(run) if posted is None else send(run, posted)
        if run:  # run 0 warms up
            cpu.append((time.process_time() - start_cpu) * 1000)
            wall.append((time.perf_counter() - start_wall) * 1000)
    return statistics.median(cpu), statistics.median(wall)


def prepare():
    """Load the geography, the officers, two district months and national running totals."""
    import io

    from django.core.management import call_command
    from entry_setup import fill_month

    from otopdoc.fiscal import FiscalMonth
    from otopdoc.officers import create_officer
    from reports.models import MonthTotal, Target
    from sales.models import District, Province

    call_command("migrate", verbosity=0)
    call_command("load_geography", stdout=io.StringIO())
    month = FiscalMonth.current()
    small, large = District.objects.get(pk="5701"), District.objects.get(pk="5702")
    for district, size in ((small, 130), (large, 500)):
        fill_month(
            district,
            month,
            size,
            name="กลุ่มวิสาหกิจชุมชน",
            domestic=lambda i: Decimal("1000.00") + i,
            clear=False,
        )
    from reports.totals import rebuild

    rebuild(month.fiscal_year)
    types = ["food", "beverage", "textile", "household", "herb"]
    MonthTotal.objects.bulk_create(
        MonthTotal(
            district_id=d.pk,
            province_id=d.province_id,
            fiscal_year=month.fiscal_year,
            month=m,
            product_type=t,
            rows=20,
            domestic=Decimal("250000.00"),
            export=Decimal("1000.00"),
            district_rows=20,
            district_domestic=Decimal("250000.00"),
            district_export=Decimal("1000.00"),
            province_rows=20,
            province_domestic=Decimal("250000.00"),
            province_export=Decimal("1000.00"),
        )
        for d in District.objects.exclude(pk__in=[small.pk, large.pk])
        for m in (10, 11, 12, 1, 2, 3, 4, 5, 6, 7, 8, 9)
        for t in types
    )
    Target.objects.bulk_create(
        Target(province=p, fiscal_year=month.fiscal_year - 1, base=Decimal("150000000.00"))
        for p in Province.objects.all()
    )
    officers = {
        "small": create_officer("bench_d1", PASSWORD, "district", small.pk).user,
        "large": create_officer("bench_d2", PASSWORD, "district", large.pk).user,
        "department": create_officer("bench_dep", PASSWORD, "department").user,
    }
    return {"month": month, "small": small, "large": large, "officers": officers}


def cases(data):
    """Yield (name, request, floor): two callables taking the run's number."""
    from django.contrib.auth.hashers import check_password
    from django.db import connection
    from django.test import Client
    from entry_setup import entry_post

    month = data["month"]
    for key, size in (("small", 130), ("large", 500)):
        district, user = data[key], data["officers"][key]
        client = Client()
        client.force_login(user)
        url = f"/sales/{district.pk}/{month.fiscal_year}/{month.month}/"

        def get(run, client=client, url=url):
            response = client.get(url)
            assert response.status_code == 200, response.status_code

        def read_floor(run, district=district):
            with connection.cursor() as cursor:
                cursor.execute(READ_MONTH_SQL, [district.pk, month.fiscal_year, month.month])
                cursor.fetchall()

        def post(run, body, client=client, url=url):
            response = form_post(client, url, body)
            assert response.status_code == 302, response.status_code

        def post_body(run, district=district):
            return encoded(entry_post(district, month, lambda i: f"{2000 + i + run * 7}.25"))

        def save_floor(run, district=district, user=user):
            save_sql(district, month, user, run)

        yield f"entry GET {size}", get, read_floor
        yield f"entry POST {size}", (post_body, post), save_floor

    district, user = data["small"], data["officers"]["small"]
    client = Client()
    client.force_login(user)
    confirm_url = f"/confirm/district/{district.pk}/{month.fiscal_year}/{month.month}/"

    def confirm(run, body):
        response = form_post(client, confirm_url, body)
        assert response.status_code == 302, response.status_code

    def confirm_body(run):
        return encoded(confirm_post(district, month, run))

    def confirm_floor(run):
        confirm_sql(district, month, user, run)

    yield "confirm 100", (confirm_body, confirm), confirm_floor

    department = Client()
    department.force_login(data["officers"]["department"])

    def kpi(run):
        response = department.get(f"/reports/kpi/{month.fiscal_year}/")
        assert response.status_code == 200, response.status_code

    def kpi_floor(run):
        with connection.cursor() as cursor:
            cursor.execute(KPI_SQL, [month.fiscal_year])
            cursor.fetchall()
            cursor.execute("SELECT province_id, base FROM reports_target")
            cursor.fetchall()

    yield "KPI nation", kpi, kpi_floor

    anonymous = Client()
    hashed = data["officers"]["department"].password

    def sign_in(run):
        response = form_post(
            anonymous, "/accounts/login/", {"username": "bench_dep", "password": PASSWORD}
        )
        assert response.status_code == 302, response.status_code
        anonymous.cookies.clear()

    def sign_in_floor(run):
        assert check_password(PASSWORD, hashed)

    yield "sign-in", sign_in, sign_in_floor


def encoded(data):
    """Return a form's fields urlencoded, as a browser sends a form (the client's work)."""
    return urlencode(data, doseq=True)


def form_post(client, url, data):
    """POST a form urlencoded, as a browser sends it; `data` is a dict or encoded already.

    The test client's default is multipart/form-data, whose encoding (here, in this
    process) and parsing cost about 1 ms a row of the entry grid: measuring it would
    charge the server for work no officer's browser asks of it. The posted pages' bodies
    are encoded before the clock starts (measure's `body`).
    """
    body = data if isinstance(data, str) else encoded(data)
    return client.post(url, body, content_type=FORM)


def confirm_post(district, month, run):
    """The first batch of 100 rows, every row ticked on odd runs and none on even ones."""
    from sales.models import MonthlySale

    rows = list(
        MonthlySale.objects.for_month(district, month)
        .order_by("producer__name", "product_type")
        .values_list("id", "version")[:100]
    )
    return {
        "batch": "1",
        "row": [f"{pk}:{version}" for pk, version in rows],
        "tick": [str(pk) for pk, _ in rows] if run % 2 else [],
    }


def save_sql(district, month, user, run):
    """The minimal SQL of a full re-save: claim, UPDATE from VALUES, audit INSERT, totals."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT revision FROM sales_districtmonth "
            "WHERE district_id = %s AND fiscal_year = %s AND month = %s",
            [district.pk, month.fiscal_year, month.month],
        )
        (revision,) = cursor.fetchone()
        cursor.execute(CLAIM_SQL, [district.pk, month.fiscal_year, month.month, revision])
        cursor.execute(
            "SELECT id FROM sales_monthlysale WHERE district_id = %s AND fiscal_year = %s "
            "AND month = %s ORDER BY id",
            [district.pk, month.fiscal_year, month.month],
        )
        ids = [pk for (pk,) in cursor.fetchall()]
        values = [(pk, Decimal(f"{3000 + i + run * 7}.25")) for i, pk in enumerate(ids)]
        cursor.execute(
            "UPDATE sales_monthlysale s SET domestic = v.domestic, version = s.version + 1, "
            "updated_by_id = %s, updated_at = now(), district_confirmed_at = NULL, "
            "district_confirmed_by_id = NULL "
            "FROM (VALUES " + ", ".join(["(%s::bigint, %s::numeric)"] * len(values)) + ") "
            "AS v(id, domestic) WHERE s.id = v.id",
            [user.pk, *[x for pair in values for x in pair]],
        )
        audit_insert(cursor, district, month, user, ids, "change")
        cursor.execute(
            TOTALS_UPSERT_SQL,
            [district.province_id, district.pk, month.fiscal_year, month.month],
        )


def confirm_sql(district, month, user, run):
    """The minimal SQL of a batch's district ticks: lock, UPDATE, audit INSERT, totals."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT id FROM sales_districtmonth WHERE district_id = %s AND fiscal_year = %s "
            "AND month = %s FOR UPDATE",
            [district.pk, month.fiscal_year, month.month],
        )
        cursor.execute(
            "SELECT s.id FROM sales_monthlysale s JOIN sales_producer p ON p.id = s.producer_id "
            "WHERE s.district_id = %s AND s.fiscal_year = %s AND s.month = %s "
            "ORDER BY p.name, s.product_type LIMIT 100",
            [district.pk, month.fiscal_year, month.month],
        )
        ids = [pk for (pk,) in cursor.fetchall()]
        confirmed = "now()" if run % 2 else "NULL"
        cursor.execute(
            f"UPDATE sales_monthlysale SET district_confirmed_at = {confirmed}, "
            "district_confirmed_by_id = %s WHERE id = ANY(%s)",
            [user.pk if run % 2 else None, ids],
        )
        audit_insert(cursor, district, month, user, ids, "d_confirm" if run % 2 else "d_withdraw")
        cursor.execute(
            TOTALS_UPSERT_SQL,
            [district.province_id, district.pk, month.fiscal_year, month.month],
        )


def audit_insert(cursor, district, month, user, ids, action):
    cursor.execute(
        "INSERT INTO confirmations_auditentry "
        "(sale_id, district_id, fiscal_year, month, action, user_id, at, reason) "
        "SELECT unnest(%s::bigint[]), %s, %s, %s, %s, %s, now(), ''",
        [ids, district.pk, month.fiscal_year, month.month, action, user.pk],
    )


if __name__ == "__main__":
    main()
