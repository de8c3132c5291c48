"""Print the server time of the entry page's GET and POST at 50 and 500 rows.

Usage: .venv/bin/python benchmarks/entry_page.py [--repeat N]

Runs once on a fresh SQLite file and once on a fresh PostgreSQL database (when one answers
at 127.0.0.1:5432), each in its own interpreter. "Server time" is Django's whole request
handling through the test client (middleware, view, template), without the network.
"""

import argparse
import io
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--run", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run:
        return measure(args.run, args.repeat)
    with tempfile.TemporaryDirectory() as tmp:
        run_child(f"sqlite:///{tmp}/bench.sqlite3", "SQLite", args.repeat)
    if postgres_up():
        name = f"otop_bench_{os.getpid()}"
        psql(f"CREATE DATABASE {name}")
        try:
            run_child(f"postgres://postgres@127.0.0.1:5432/{name}", "PostgreSQL", args.repeat)
        finally:
            psql(f"DROP DATABASE IF EXISTS {name}")
    else:
        print("PostgreSQL: not reachable at 127.0.0.1:5432, skipped")


def postgres_up():
    return subprocess.run(["pg_isready", "-h", "127.0.0.1", "-q"]).returncode == 0


def psql(sql):
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-c", sql], check=True)


def run_child(url, label, repeat):
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "otopdoc.test_settings",
        "BENCH_LABEL": label,
    }
    subprocess.run(
        [sys.executable, __file__, "--run", label, "--repeat", str(repeat)],
        env=env,
        cwd=ROOT,
        check=True,
    )


def measure(label, repeat):
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from entry_setup import entry_post, fill_month

    from otopdoc.fiscal import FiscalMonth
    from otopdoc.officers import create_officer
    from sales.models import District

    call_command("migrate", verbosity=0)
    call_command("load_geography", stdout=io.StringIO())
    user = create_officer("bench", "bench-password-1", "district", "5701").user
    district = District.objects.get(pk="5701")
    month = FiscalMonth.current()
    url = f"/sales/{district.code}/{month.fiscal_year}/{month.month}/"
    client = Client()
    client.force_login(user)

    print(f"{label}: entry page {url}, median of {repeat} runs")
    for size in (50, 500):
        fill_month(district, month, size)
        gets, posts = [], []
        for run in range(repeat):
            start = time.perf_counter()
            response = client.get(url)
            gets.append(time.perf_counter() - start)
            assert response.status_code == 200
            data = entry_post(district, month, lambda i, run=run: f"{1000 + run + 1}.25")
            with CaptureQueriesContext(connection) as queries:
                start = time.perf_counter()
                response = client.post(url, data)
                posts.append(time.perf_counter() - start)
            assert response.status_code == 302, response.status_code
        print(
            f"  {size:>4} rows: GET {statistics.median(gets) * 1000:7.1f} ms   "
            f"POST (every row changed) {statistics.median(posts) * 1000:7.1f} ms   "
            f"POST queries {len(queries.captured_queries)}"
        )


if __name__ == "__main__":
    main()
