"""A national month read through the JSON API, and the national totals, on PostgreSQL.

Usage:
    .venv/bin/python benchmarks/api_national.py [--database NAME] [--load] [--rows N]
        [--page-size N] [--repeat N]

--load makes a fresh database NAME (default otop_api_bench): the geography (878 districts)
and one synthetic national month, FY 2570 month 11, of about N rows (default 120,000, the
national month of SPEC section 7) spread over every district, all confirmed by district
and province, with the running totals rebuilt. It is synthetic because `seed_demo --scale
national` (1.4 million rows) is too heavy for a shared 2-core machine; one month of rows
is what this benchmark reads. Then it prints:
- the department's read of the whole month through /api/v1/sales/ page by page (server
  time through Django's test client: wall and CPU, per page and in all, queries per page),
  beside the bare SQL that reads the same rows in one cursor;
- the national totals of the month (/api/v1/totals/ at nation and district level) beside
  the bare SQL sum over the raw rows they replace, and whether the figures agree.

Measured on 29 November 2026 on the shared 2-core machine, load average about 15 (so wall
times are inflated several fold; CPU times are the figures to compare), PostgreSQL 15:
- month read: 120,000 rows in 60 pages of 2,000, 2 queries a page; CPU 16.1 s in Django
  (0.13 ms a row), wall 164 s; the bare SQL of the same rows: CPU 1.2 s, wall 13.2 s.
  Per page the SQL itself takes about 45 ms (keyset on the primary key, EXPLAIN ANALYZE).
- national totals of the month: level=nation wall 80 ms, CPU 13 ms, against 203 ms for the
  bare SQL sum over the 120,000 rows (ratio 0.40); level=district (4,390 rows) CPU 243 ms;
  the figures agree with the raw rows to the satang.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
FY, MONTH = 2570, 11

ROWS_SQL = """
SELECT s.id, s.district_id, s.fiscal_year, s.month, p.id, p.name, p.producer_type,
       s.product_type, s.domestic, s.export, s.total, s.district_confirmed_at,
       s.province_confirmed_at, s.version, s.updated_at
FROM sales_monthlysale s JOIN sales_producer p ON p.id = s.producer_id
WHERE s.fiscal_year = %s AND s.month = %s AND s.province_confirmed_at IS NOT NULL
ORDER BY s.id
"""
TOTALS_SQL = """
SELECT s.product_type, COUNT(*), SUM(s.domestic), SUM(s.export)
FROM sales_monthlysale s
WHERE s.fiscal_year = %s AND s.month = %s AND s.province_confirmed_at IS NOT NULL
GROUP BY s.product_type ORDER BY s.product_type
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="otop_api_bench")
    parser.add_argument("--load", action="store_true")
    parser.add_argument("--rows", type=int, default=120_000)
    parser.add_argument("--page-size", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{args.database}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "otopdoc.test_settings")
    os.environ["API_THROTTLE_RATE"] = "100000/minute"
    if args.load:
        create_database(args.database)

    import django

    django.setup()
    if args.load:
        seed(args.rows)
    read_month(args.page_size, args.repeat)
    national_totals(args.repeat)


def create_database(name):
    psql = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-c"]
    subprocess.run([*psql, f"DROP DATABASE IF EXISTS {name}"], check=True)
    subprocess.run([*psql, f"CREATE DATABASE {name}"], check=True)


def seed(count):
    """Migrate, load the geography and write one confirmed national month of `count` rows."""
    import datetime

    from django.core.management import call_command
    from django.db import connection, transaction

    from otopdoc.fiscal import BANGKOK
    from reports.totals import rebuild
    from sales.models import District, MonthlySale, Producer

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("load_geography", verbosity=0)
    districts = list(District.objects.values_list("code", flat=True))
    kinds = ["food", "beverage", "textile", "household", "herb"]
    owners = ["group", "single", "sme"]
    confirmed = datetime.datetime(2026, 12, 3, 9, 0, tzinfo=BANGKOK)
    with transaction.atomic():
        producers = Producer.objects.bulk_create(
            (
                Producer(
                    name=f"ผู้ผลิต {i:06d}",
                    district_id=districts[i % len(districts)],
                    producer_type=owners[i % 3],
                )
                for i in range(count)
            ),
            batch_size=5000,
        )
        MonthlySale.objects.bulk_create(
            (
                MonthlySale(
                    producer=producer,
                    district_id=producer.district_id,
                    product_type=kinds[i % 5],
                    fiscal_year=FY,
                    month=MONTH,
                    domestic=Decimal(1000 + (i * 37) % 90_000) + Decimal("0.25"),
                    export=Decimal((i * 11) % 5_000),
                    district_confirmed_at=confirmed,
                    province_confirmed_at=confirmed,
                )
                for i, producer in enumerate(producers)
            ),
            batch_size=5000,
        )
        rebuild(FY)
    with connection.cursor() as cursor:
        # Fresh statistics, as autovacuum would gather: without them the planner guesses
        # one row a month and sorts the whole month for every page.
        cursor.execute("ANALYZE")
    took = time.perf_counter() - started
    print(f"seeded {count:,} rows in {len(districts)} districts: {took:.1f} s")


def client_for_department():
    from django.test import Client

    from api.clients import create_api_client
    from api.models import ApiClient

    ApiClient.objects.filter(name="bench-department").delete()
    from django.contrib.auth import get_user_model

    get_user_model().objects.filter(username="api-bench-department").delete()
    _client, token = create_api_client("bench-department", "department")
    return Client(headers={"Authorization": f"Bearer {token}"})


def read_month(page_size, repeat):
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    client = client_for_department()
    url = f"/api/v1/sales/?fiscal_year={FY}&month={MONTH}&page_size={page_size}"
    runs = []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        rows, pages, queries, next_url = 0, 0, [], url
        while next_url:
            with CaptureQueriesContext(connection) as captured:
                response = client.get(next_url)
            assert response.status_code == 200, response.content[:300]
            body = response.json()
            rows += len(body["results"])
            pages += 1
            queries.append(len(captured))
            next_url = body["next"]
        runs.append((time.perf_counter() - wall, time.process_time() - cpu, rows, pages, queries))
        reset_queries()
    wall, cpu, rows, pages, queries = min(runs)
    bare, bare_cpu = [], []
    for _ in range(repeat):
        started, cpu_started = time.perf_counter(), time.process_time()
        with connection.cursor() as cursor:
            cursor.execute(ROWS_SQL, [FY, MONTH])
            fetched = len(cursor.fetchall())
        bare.append(time.perf_counter() - started)
        bare_cpu.append(time.process_time() - cpu_started)
    print(
        f"\nnational month through the API: {rows:,} rows in {pages} pages of {page_size} "
        f"(best of {repeat})\n"
        f"  API  wall {wall:.2f} s, CPU {cpu:.2f} s, {wall / pages * 1000:.0f} ms a page, "
        f"{rows / wall:,.0f} rows/s, queries a page {min(queries)}-{max(queries)}\n"
        f"  bare SQL of the same rows in one cursor: wall {min(bare):.2f} s, CPU "
        f"{min(bare_cpu):.2f} s ({fetched:,} rows); API / bare SQL = {wall / min(bare):.1f} "
        f"(wall)\n  load average while measuring: {os.getloadavg()[0]:.1f} on "
        f"{os.cpu_count()} cores"
    )


def national_totals(repeat):
    from django.db import connection

    client = client_for_department()
    results = {}
    for level in ("nation", "district"):
        url = f"/api/v1/totals/?fiscal_year={FY}&month={MONTH}&level={level}&page_size=5000"
        times, cpus = [], []
        for _ in range(repeat):
            started, cpu_started = time.perf_counter(), time.process_time()
            response = client.get(url)
            times.append(time.perf_counter() - started)
            cpus.append(time.process_time() - cpu_started)
            assert response.status_code == 200
        results[level] = (statistics.median(times), response.json()["results"])
        results[f"{level} cpu"] = statistics.median(cpus)
    bare = []
    for _ in range(repeat):
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(TOTALS_SQL, [FY, MONTH])
            sums = cursor.fetchall()
        bare.append(time.perf_counter() - started)
    api_sums = [
        (r["product_type"], r["rows"], Decimal(r["domestic"]), Decimal(r["export"]))
        for r in results["nation"][1]
    ]
    agree = sorted(api_sums) == sorted((t, n, d, e) for t, n, d, e in sums)
    nation_time, district_time = results["nation"][0], results["district"][0]
    print(
        f"\nnational totals of the month (median of {repeat}):\n"
        f"  API level=nation   wall {nation_time * 1000:.0f} ms, CPU "
        f"{results['nation cpu'] * 1000:.0f} ms ({len(results['nation'][1])} rows)\n"
        f"  API level=district wall {district_time * 1000:.0f} ms, CPU "
        f"{results['district cpu'] * 1000:.0f} ms ({len(results['district'][1]):,} rows)\n"
        f"  bare SQL sum over the raw rows: {statistics.median(bare) * 1000:.0f} ms; "
        f"nation / bare SQL = {nation_time / statistics.median(bare):.2f}\n"
        f"  figures agree with the raw rows to the satang: {agree}"
    )


if __name__ == "__main__":
    main()
