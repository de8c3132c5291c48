"""The national list of ค่าที่ควรตรวจสอบ at national scale on PostgreSQL (issue 15 point 1).

Usage:
    .venv/bin/python benchmarks/outliers.py [--database NAME] [--prepare] [--repeat N]

The database must hold `seed_demo --scale national` (about 100,000 producers, 110,000 rows
a month over 13 months). --prepare makes it a full test of the 24-month history:
- copies the seed's first fiscal year one year back (amounts scaled by a fixed pseudo-random
  factor per row), so the latest month has 24 months of history: about 2.6 million rows;
- marks the latest month province-confirmed (the department's list counts only those) and
  turns one row in 300 of it into a typo of a thousand times;
- rebuilds the running totals of the years it touched.

Then it prints, for the latest month:
- the first build of the month's baselines for the whole nation (wall and CPU time), which a
  deployment does once per month (the first reader, or `ensure_baselines` after the close);
- the department's national list page and its Excel file (median of N, server time through
  Django's test client), and after one district's history changed (one district recomputed);
- beside them, the minimal SQL of the same work done from scratch: median and MAD over each
  row's 24 months of history with PostgreSQL's percentile_cont, flagging by the same test.
"""

import argparse
import os
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

EXTEND = """
INSERT INTO sales_monthlysale (producer_id, district_id, product_type, producer_type,
    fiscal_year, month, domestic, export, district_confirmed_at, province_confirmed_at,
    created_at, updated_at, version, returned_reason)
SELECT producer_id, district_id, product_type, producer_type, fiscal_year - 1, month,
    ROUND(domestic * (0.6 + ((id * 7919) %% 800) / 1000.0), 2), export,
    district_confirmed_at, province_confirmed_at, created_at, updated_at, 1, ''
FROM sales_monthlysale WHERE fiscal_year = %s
"""
CONFIRM = """
UPDATE sales_monthlysale SET district_confirmed_at = now(), province_confirmed_at = now(),
    domestic = CASE WHEN id %% 300 = 0 THEN domestic * 1000 ELSE domestic END
WHERE fiscal_year = %s AND month = %s AND province_confirmed_at IS NULL
"""
# The same work from scratch: each confirmed row of the month against the median and MAD of
# its producer's 24 months of the same product type, flagged by the modified z-score.
BARE_SQL = """
WITH cur AS (
  SELECT id, producer_id, product_type, total FROM sales_monthlysale
  WHERE fiscal_year = %(fy)s AND month = %(month)s AND province_confirmed_at IS NOT NULL
), hist AS (
  SELECT h.producer_id, h.product_type, h.total FROM sales_monthlysale h
  WHERE (h.fiscal_year * 12 + (h.month + 2) %% 12) BETWEEN %(first)s AND %(last)s
), med AS (
  SELECT producer_id, product_type, COUNT(*) AS n,
         percentile_cont(0.5) WITHIN GROUP (ORDER BY total) AS median
  FROM hist GROUP BY producer_id, product_type
), mad AS (
  SELECT h.producer_id, h.product_type, m.n, m.median,
         percentile_cont(0.5) WITHIN GROUP (ORDER BY ABS(h.total - m.median)) AS mad
  FROM hist h JOIN med m USING (producer_id, product_type)
  GROUP BY h.producer_id, h.product_type, m.n, m.median
)
SELECT c.id, c.total - m.median AS deviation FROM cur c JOIN mad m USING (producer_id, product_type)
WHERE m.n >= 6 AND m.mad > 0 AND 0.6745 * ABS(c.total - m.median) > 3.5 * m.mad
ORDER BY ABS(c.total - m.median) DESC
"""


def cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="otop_bench_national")
    parser.add_argument("--prepare", action="store_true")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--keep", action="store_true", help="keep the month's baselines (skip the first build)"
    )
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{args.database}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "otopdoc.test_settings")

    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from otopdoc.fiscal import FiscalMonth
    from otopdoc.models import Officer
    from otopdoc.officers import create_officer
    from quality.outliers import ensure_baselines, window
    from reports.totals import rebuild, refresh_month
    from sales.models import District, MonthlySale

    months = set(MonthlySale.objects.values_list("fiscal_year", "month").distinct())
    latest = max((FiscalMonth(y, m) for y, m in months), key=lambda fm: fm.first_day)
    if args.prepare:
        prepare(connection, latest, months, rebuild)
        months = set(MonthlySale.objects.values_list("fiscal_year", "month").distinct())
    fy, month = latest.fiscal_year, latest.month
    rows = MonthlySale.objects.count()
    this_month = MonthlySale.objects.filter(fiscal_year=fy, month=month).count()
    history = window(latest)
    print(
        f"PostgreSQL database {args.database}: {rows:,} monthly rows; {latest.label} "
        f"(FY {fy} month {month}) has {this_month:,} rows and "
        f"{sum((m.fiscal_year, m.month) in months for m in history)} of its 24 history months"
    )

    officer = Officer.objects.filter(role="department").select_related("user").first()
    user = officer.user if officer else create_officer("bench_cdd", "x-bench-1", "department").user
    client = Client()
    client.force_login(user)
    url = f"/reports/outliers/all/{fy}/{month}/"

    if not args.keep:
        first_build(fy, month, latest)
    else:
        ensure_baselines(latest)

    def page(target):
        times, cpus, response = [], [], None
        for _ in range(args.repeat):
            wall, started = time.perf_counter(), cpu()
            response = client.get(target)
            times.append(time.perf_counter() - wall)
            cpus.append(cpu() - started)
            assert response.status_code == 200, (target, response.status_code)
        return statistics.median(times), statistics.median(cpus), response

    page_s, page_cpu, response = page(url)
    count = response.content.decode().count('href="/sales/notes/')
    print(
        f"  national list page: {page_s * 1000:7.1f} ms (CPU {page_cpu * 1000:6.1f} ms);"
        f" {count} rows shown; target < 1000 ms: {'meets' if page_s < 1 else 'MISSES'}"
    )
    xlsx_s, xlsx_cpu, _ = page(url + "?format=xlsx")
    print(f"  national list Excel: {xlsx_s * 1000:7.1f} ms (CPU {xlsx_cpu * 1000:6.1f} ms)")

    # One district's history changes (a writer refreshes its totals): one district recomputed.
    district = District.objects.get(pk="5701")
    previous = latest.previous
    refresh_month(district, previous.fiscal_year, previous.month)
    wall = time.perf_counter()
    response = client.get(url)
    print(
        "  national list after one district's history changed:",
        f"{(time.perf_counter() - wall) * 1000:7.1f} ms",
    )

    first, last = history[-1], history[0]
    params = {"fy": fy, "month": month, "first": key(first), "last": key(last)}
    times = []
    for _ in range(max(1, args.repeat // 2)):
        with connection.cursor() as cursor:
            wall = time.perf_counter()
            cursor.execute(BARE_SQL, params)
            bare = cursor.fetchall()
            times.append(time.perf_counter() - wall)
    bare_s = statistics.median(times)
    print(
        f"  bare SQL from scratch (median and MAD over 24 months, percentile_cont):"
        f" {bare_s * 1000:7.1f} ms, {len(bare)} rows; page / bare SQL = {page_s / bare_s:.3f}"
    )


def first_build(fy, month, latest):
    """Time the first build of the month's baselines and flags for the whole nation."""
    from quality.models import Baseline, BaselineStamp, FlaggedRow
    from quality.outliers import ensure_baselines

    BaselineStamp.objects.filter(fiscal_year=fy, month=month).delete()
    wall, started = time.perf_counter(), cpu()
    ensure_baselines(latest)
    built = Baseline.objects.filter(fiscal_year=fy, month=month).count()
    flagged = FlaggedRow.objects.filter(fiscal_year=fy, month=month).count()
    print(
        f"  first build of the month's baselines (nation): {time.perf_counter() - wall:6.2f} s"
        f" wall, {cpu() - started:6.2f} s CPU in Python; {built:,} baselines, {flagged:,} flagged"
    )


def key(fiscal_month):
    """Match the bare SQL's month key: fiscal_year * 12 + (month + 2) mod 12 (October 0)."""
    return fiscal_month.fiscal_year * 12 + (fiscal_month.month + 2) % 12


def prepare(connection, latest, months, rebuild):
    """Give the latest month 24 months of history, confirm it and put typos into it."""
    first_year = min(fy for fy, _ in months)
    if not any(fy == first_year - 1 for fy, _ in months):
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(EXTEND, [first_year])
            print(
                f"copied FY {first_year} to FY {first_year - 1}: {cursor.rowcount:,} rows", end=""
            )
        print(f" in {time.perf_counter() - started:.1f} s")
        rebuild(first_year - 1)
    with connection.cursor() as cursor:
        cursor.execute(CONFIRM, [latest.fiscal_year, latest.month])
        print(f"confirmed {cursor.rowcount:,} rows of {latest.label}, one in 300 a typo")
    rebuild(latest.fiscal_year)
    with connection.cursor() as cursor:
        # As autovacuum would after a month's writes: the UPDATE above left dead rows.
        cursor.execute("VACUUM ANALYZE sales_monthlysale")
        cursor.execute("VACUUM ANALYZE reports_monthtotal")


if __name__ == "__main__":
    main()
