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

    Call it inside the transaction that changed the rows, after taking the month's lock
    (sales.services.claim_month or lock_month), so no other writer's change is missed.
    Steps:
    1. Sum the month's rows by product type, at each level, in one GROUP BY query.
    2. Replace the month's MonthTotal rows with those sums (delete, then bulk insert).
    3. Count one more version of the province's totals of the year (one upsert), so the
       national pages' cache (reports.versions) is stale from this commit on.
    Four queries whatever the size of the month.
    """
    from sales.models import MonthlySale

    sums = _sums(
        MonthlySale.objects.filter(district=district, fiscal_year=fiscal_year, month=month).values(
            "product_type"
        )
    )
    totals = [
        MonthTotal(
            district_id=district.pk,
            province_id=district.province_id,
            fiscal_year=fiscal_year,
            month=month,
            product_type=row["product_type"],
            **_values(row),
        )
        for row in sums
    ]
    MonthTotal.objects.filter(district=district, fiscal_year=fiscal_year, month=month).delete()
    MonthTotal.objects.bulk_create(totals)
    bump_version(district.province_id, fiscal_year)


def bump_version(province_code, fiscal_year):
    """Add one to the version of a province's running totals of a year, creating it at 1.

    One INSERT ... ON CONFLICT (PostgreSQL and SQLite alike): it locks only this province's
    row of the year until the writer commits.
    """
    table = TotalsVersion._meta.db_table
    connection = connections[router.db_for_write(TotalsVersion)]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (province_id, fiscal_year, version) VALUES (%s, %s, 1) "
            f"ON CONFLICT (province_id, fiscal_year) "
            f"DO UPDATE SET version = {table}.version + 1",
            [province_code, fiscal_year],
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
