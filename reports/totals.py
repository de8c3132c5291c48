"""Keep reports.MonthTotal equal to the sums of the monthly rows, in the writer's transaction."""

from django.db import connections, router, transaction
from django.db.models import Count, F, Max, Q, Sum

from reports.models import MonthTotal, TotalsVersion

ZERO_FIELDS = (
    "rows",
    "domestic",
    "export",
    "district_rows",
    "district_domestic",
    "district_export",
    "province_rows",
    "province_domestic",
    "province_export",
)


def _sums(rows):
    district_confirmed = Q(district_confirmed_at__isnull=False)
    province_confirmed = Q(province_confirmed_at__isnull=False)
    return rows.annotate(
        t_rows=Count("id"),
        t_domestic=Sum("domestic"),
        t_export=Sum("export"),
        t_district_rows=Count("id", filter=district_confirmed),
        t_district_domestic=Sum("domestic", filter=district_confirmed),
        t_district_export=Sum("export", filter=district_confirmed),
        t_province_rows=Count("id", filter=province_confirmed),
        t_province_domestic=Sum("domestic", filter=province_confirmed),
        t_province_export=Sum("export", filter=province_confirmed),
        t_district_confirmed_last=Max("district_confirmed_at"),
        t_province_district_confirmed_last=Max("district_confirmed_at", filter=province_confirmed),
    ).order_by()


def refresh_month(district, fiscal_year, month):
    """Recompute the running totals of one district's month from its rows.

    Call it inside the transaction that changed the rows, after taking the month's lock,
    so no other writer's change is missed. The writers do (sales.writes.MonthWrite); this
    is for the tests, the benchmarks' loads and repairs.
    """
    refresh_months(district, [(fiscal_year, month)])


# The sums of a district's months by product type, at each level of trust, written over
# the months' running totals in one statement (PostgreSQL and SQLite 3.30+ alike).
LEVELS = {
    "district": "s.district_confirmed_at IS NOT NULL",
    "province": "s.province_confirmed_at IS NOT NULL",
}
UPSERT_SQL = """INSERT INTO "reports_monthtotal" (district_id, province_id, fiscal_year, month,
    product_type, rows, domestic, export, district_rows, district_domestic, district_export,
    province_rows, province_domestic, province_export,
    district_confirmed_last, province_district_confirmed_last)
SELECT s.district_id, %s, s.fiscal_year, s.month, s.product_type,
    COUNT(*), SUM(s.domestic), SUM(s.export),
    COUNT(*) FILTER (WHERE {district}),
    COALESCE(SUM(s.domestic) FILTER (WHERE {district}), 0),
    COALESCE(SUM(s.export) FILTER (WHERE {district}), 0),
    COUNT(*) FILTER (WHERE {province}),
    COALESCE(SUM(s.domestic) FILTER (WHERE {province}), 0),
    COALESCE(SUM(s.export) FILTER (WHERE {province}), 0),
    MAX(s.district_confirmed_at),
    MAX(s.district_confirmed_at) FILTER (WHERE {province})
FROM sales_monthlysale s
WHERE s.district_id = %s AND ({rows_months})
GROUP BY s.district_id, s.fiscal_year, s.month, s.product_type
ON CONFLICT (district_id, fiscal_year, month, product_type) DO UPDATE SET
    rows = excluded.rows, domestic = excluded.domestic, export = excluded.export,
    district_rows = excluded.district_rows, district_domestic = excluded.district_domestic,
    district_export = excluded.district_export, province_rows = excluded.province_rows,
    province_domestic = excluded.province_domestic, province_export = excluded.province_export,
    district_confirmed_last = excluded.district_confirmed_last,
    province_district_confirmed_last = excluded.province_district_confirmed_last
"""
VANISHED_SQL = """DELETE FROM "reports_monthtotal"
WHERE district_id = %s AND ({months}) AND NOT EXISTS (
    SELECT 1 FROM sales_monthlysale s
    WHERE s.district_id = reports_monthtotal.district_id
      AND s.fiscal_year = reports_monthtotal.fiscal_year
      AND s.month = reports_monthtotal.month
      AND s.product_type = reports_monthtotal.product_type)
"""


def refresh_months(district, months, using=None):
    """Bring the running totals of a district's months, [(fiscal year, month)], up to date.

    Call it inside the transaction that changed the rows, under the months' locks.
    Steps, three statements whatever the size of the months:
    1. Remove the totals of product types the months no longer have a row of. Only a
       delete or a change of type can make one vanish, but it runs for every write: one
       indexed statement that mostly deletes nothing, and a point where the fault tests
       (tests/test_faults.py) fail each writer.
    2. Sum the months' rows by product type, at each level, and write the sums over the
       running totals (INSERT ... SELECT ... GROUP BY ... ON CONFLICT DO UPDATE).
    3. Count one more version of the province's totals of each year touched (one upsert),
       so the national pages' cache (reports.versions) is stale from this commit on.
    """
    months = list(months)
    if not months:
        return
    using = using or router.db_for_write(MonthTotal)
    connection = connections[using]
    pairs = [value for pair in months for value in pair]
    with connection.cursor() as cursor:
        cursor.execute(VANISHED_SQL.format(months=_months(months, "")), [district.pk, *pairs])
        cursor.execute(
            UPSERT_SQL.format(rows_months=_months(months, "s."), **LEVELS),
            [district.province_id, district.pk, *pairs],
        )
    bump_versions(district.province_id, sorted({year for year, _ in months}), using=using)


def _months(months, alias):
    return " OR ".join([f"({alias}fiscal_year = %s AND {alias}month = %s)"] * len(months))


def bump_version(province_code, fiscal_year):
    """Add one to the version of a province's running totals of a year, creating it at 1."""
    bump_versions(province_code, [fiscal_year])


def bump_versions(province_code, fiscal_years, using=None):
    """Add one to the versions of a province's running totals of some years, creating at 1.

    One INSERT ... ON CONFLICT (PostgreSQL and SQLite alike): it locks only this province's
    rows of those years until the writer commits.
    """
    table = TotalsVersion._meta.db_table
    connection = connections[using or router.db_for_write(TotalsVersion)]
    values = ", ".join(["(%s, %s, 1)"] * len(fiscal_years))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (province_id, fiscal_year, version) VALUES {values} "
            f"ON CONFLICT (province_id, fiscal_year) "
            f"DO UPDATE SET version = {table}.version + 1",
            [value for year in fiscal_years for value in (province_code, year)],
        )


@transaction.atomic
def rebuild(fiscal_year=None):
    """Recompute every running total (of one fiscal year, or all) from the rows.

    For bulk loads (seed_demo) and repair; the pages never need it. Returns the number of
    MonthTotal rows written.
    """
    from sales.models import MonthlySale

    rows = MonthlySale.objects.all()
    totals = MonthTotal.objects.all()
    if fiscal_year is not None:
        rows = rows.filter(fiscal_year=fiscal_year)
        totals = totals.filter(fiscal_year=fiscal_year)
    sums = _sums(
        rows.values("district", "district__province", "fiscal_year", "month", "product_type")
    )
    totals.delete()
    created = MonthTotal.objects.bulk_create(
        (
            MonthTotal(
                district_id=row["district"],
                province_id=row["district__province"],
                fiscal_year=row["fiscal_year"],
                month=row["month"],
                product_type=row["product_type"],
                **_values(row),
            )
            for row in sums.iterator(chunk_size=5000)
        ),
        batch_size=5000,
    )
    _bump_every_version(fiscal_year)
    return len(created)


def _bump_every_version(fiscal_year):
    """Count a new version of every province's totals (of one year, or all) after a rebuild."""
    from sales.models import MonthlySale

    versions = TotalsVersion.objects.all()
    pairs = MonthlySale.objects.values_list("district__province", "fiscal_year").distinct()
    if fiscal_year is not None:
        versions = versions.filter(fiscal_year=fiscal_year)
        pairs = pairs.filter(fiscal_year=fiscal_year)
    versions.update(version=F("version") + 1)
    TotalsVersion.objects.bulk_create(
        (
            TotalsVersion(province_id=province, fiscal_year=year, version=1)
            for province, year in pairs.order_by()
        ),
        ignore_conflicts=True,
    )


def _values(row):
    values = {field: row[f"t_{field}"] or 0 for field in ZERO_FIELDS}
    values["district_confirmed_last"] = row["t_district_confirmed_last"]
    values["province_district_confirmed_last"] = row["t_province_district_confirmed_last"]
    return values
