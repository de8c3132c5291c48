"""Get a national demo database ready for the deadline-day load test (benchmarks/load/run.py).

Usage (the same DATABASE_URL as the server under test):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/otop_load \\
        .venv/bin/python benchmarks/load/prepare.py --districts 300 --provinces 30 --department 10

Steps:
1. Choose the districts of the run: round robin over the provinces in code order (the first
   district of every province, then the second, ...), so that a few hundred districts cover
   the whole country; only districts that have rows in the month before the target month,
   which the entry page offers as the new month's list.
2. Create the load's officer accounts that are missing: load_d<district>, load_p<province>,
   load_dept<n>, all with the password LOAD_PASSWORD (a load database, never production).
   The password is hashed once with the server's hasher and the hash shared: the server
   checks it as usual, and preparing 300 accounts does not cost 300 PBKDF2 runs.
3. Put the target month of the chosen districts back as the demo seed left it (no rows, no
   revision) so that every run starts from the same point: the first save creates the rows
   from last month's list, the next saves change them. The audit trail is append-only and
   keeps its entries of earlier runs.

Run by run.py before each run; runnable alone to look at what a run will use.
"""

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LOAD_PASSWORD = "load-test-2569"


def setup_django():
    """Set Django up on the project in this process, for the ORM only."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "otopdoc.settings")
    # This process only reads and resets data; it signs nothing the server would read.
    os.environ.setdefault("SECRET_KEY", "load-test-client-only")
    import django

    django.setup()


def district_username(code):
    return f"load_d{code}"


def province_username(code):
    return f"load_p{code}"


def department_username(number):
    return f"load_dept{number}"


def choose_districts(count, fiscal_month):
    """Return `count` district codes, round robin over the provinces in code order.

    Only districts with rows in the month before `fiscal_month` count: their entry page
    offers those producers for the new month.
    """
    from sales.models import District, MonthlySale

    previous = fiscal_month.previous
    with_rows = set(
        MonthlySale.objects.filter(fiscal_year=previous.fiscal_year, month=previous.month)
        .values_list("district_id", flat=True)
        .distinct()
    )
    by_province = {}
    for code, province in District.objects.order_by("code").values_list("code", "province_id"):
        if code in with_rows:
            by_province.setdefault(province, []).append(code)
    chosen, depth = [], 0
    while len(chosen) < count and any(depth < len(codes) for codes in by_province.values()):
        for province in sorted(by_province):
            codes = by_province[province]
            if depth < len(codes) and len(chosen) < count:
                chosen.append(codes[depth])
        depth += 1
    if len(chosen) < count:
        raise SystemExit(
            f"Only {len(chosen)} districts have rows in {previous.label}: "
            "seed the database first (python manage.py seed_demo --scale national)."
        )
    return chosen


def choose_provinces(count, districts):
    """Return up to `count` province codes that have districts in the run, in code order."""
    from sales.models import District

    provinces = sorted(
        set(District.objects.filter(code__in=districts).values_list("province_id", flat=True))
    )
    if len(provinces) < count:
        raise SystemExit(
            f"The {len(districts)} districts of the run are in {len(provinces)} provinces only; "
            f"ask for fewer province officers than {count} or more districts."
        )
    return provinces[:count]


def ensure_accounts(districts, provinces, department):
    """Create the missing load accounts (one hash for all); return how many were created."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from otopdoc.models import Officer, Role

    wanted = (
        [(district_username(code), Role.DISTRICT, {"district_id": code}) for code in districts]
        + [(province_username(code), Role.PROVINCE, {"province_id": code}) for code in provinces]
        + [(department_username(n), Role.DEPARTMENT, {}) for n in range(1, department + 1)]
    )
    User = get_user_model()
    names = [name for name, _, _ in wanted]
    taken = set(User.objects.filter(username__in=names).values_list("username", flat=True))
    missing = [w for w in wanted if w[0] not in taken]
    if not missing:
        return 0
    password = make_password(LOAD_PASSWORD)
    with transaction.atomic():
        User.objects.bulk_create([User(username=name, password=password) for name, _, _ in missing])
        ids = dict(
            User.objects.filter(username__in=[w[0] for w in missing]).values_list("username", "id")
        )
        Officer.objects.bulk_create(
            [Officer(user_id=ids[name], role=role, **area) for name, role, area in missing]
        )
    return len(missing)


def refuse_real_database():
    """Stop unless the database is plainly a load or test database: the reset deletes rows."""
    from django.db import connection

    name = str(connection.settings_dict["NAME"])
    if not any(word in name for word in ("load", "test", "memory")):
        raise SystemExit(
            f"prepare: refusing to reset a month in database {name!r}: the load test deletes "
            "the month's rows of its districts. Use a database whose name has 'load' in it."
        )


def reset_month(districts, fiscal_month):
    """Remove the target month's rows and revision of the districts; return rows removed."""
    from django.db import transaction

    refuse_real_database()

    from reports.totals import refresh_month
    from sales.models import District, DistrictMonth, MonthlySale

    with transaction.atomic():
        where = {
            "district__in": districts,
            "fiscal_year": fiscal_month.fiscal_year,
            "month": fiscal_month.month,
        }
        removed, _ = MonthlySale.objects.filter(**where).delete()
        DistrictMonth.objects.filter(**where).delete()
        for district in District.objects.filter(code__in=districts):
            refresh_month(district, fiscal_month.fiscal_year, fiscal_month.month)
    return removed


def prepare(districts, provinces, department, fiscal_month, log=print):
    """Choose the areas, make the accounts, reset the month; return (districts, provinces)."""
    chosen = choose_districts(districts, fiscal_month)
    province_codes = choose_provinces(provinces, chosen)
    created = ensure_accounts(chosen, province_codes, department)
    removed = reset_month(chosen, fiscal_month)
    log(
        f"prepare: {len(chosen)} districts in {len({c[:2] for c in chosen})} provinces, "
        f"{len(province_codes)} province officers, {department} department users; "
        f"{created} accounts created; {removed} rows of {fiscal_month.label} "
        f"(FY {fiscal_month.fiscal_year} month {fiscal_month.month}) removed"
    )
    return chosen, province_codes


def target_month(fiscal_year=None, month=None):
    """Return the FiscalMonth of the run: the given one, or the current (open) month."""
    from otopdoc.fiscal import FiscalMonth

    if fiscal_year is None and month is None:
        return FiscalMonth.current()
    if fiscal_year is None or month is None:
        raise SystemExit("Give both --fiscal-year and --month, or neither.")
    return FiscalMonth(fiscal_year, month)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--districts", type=int, default=300)
    parser.add_argument("--provinces", type=int, default=30)
    parser.add_argument("--department", type=int, default=10)
    parser.add_argument("--fiscal-year", type=int, help="B.E. fiscal year (default: current)")
    parser.add_argument("--month", type=int, help="calendar month 1-12 (default: current)")
    args = parser.parse_args()
    if "DATABASE_URL" not in os.environ:
        raise SystemExit("Set DATABASE_URL to the database the server under test uses.")
    setup_django()
    prepare(
        args.districts,
        args.provinces,
        args.department,
        target_month(args.fiscal_year, args.month),
    )


if __name__ == "__main__":
    main()
