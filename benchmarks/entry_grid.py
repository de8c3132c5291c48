"""Print the CPU time and the size of the entry page's GET at 130 and 500 rows.

Usage: .venv/bin/python benchmarks/entry_grid.py [--repeat N] [--sqlite-only]

The entry grid is drawn in the browser from one JSON document (issue 16, point 1); this
prints what the server spends to send it, at 1, 130 and 500 rows: the process CPU time of
the whole request through the test client (middleware, view, template, the database
driver's own work), the wall time beside it, the page's bytes and the bytes each row adds.
The month has last month's rows too (the grid shows them) and a few rows sent back. Runs
on a fresh SQLite file and on a fresh PostgreSQL database when one answers at
127.0.0.1:5432, each in its own interpreter.
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
SIZES = (1, 130, 500)  # 1 row: about the page's fixed cost


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--sqlite-only", action="store_true")
    parser.add_argument("--run", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run:
        return measure(args.run, args.repeat)
    with tempfile.TemporaryDirectory() as tmp:
        run_child(f"sqlite:///{tmp}/bench.sqlite3", "SQLite", args.repeat)
    if args.sqlite_only:
        return None
    if subprocess.run(["pg_isready", "-h", "127.0.0.1", "-q"]).returncode != 0:
        print("PostgreSQL: not reachable at 127.0.0.1:5432, skipped")
        return None
    name = f"otop_bench_grid_{os.getpid()}"
    psql(f"CREATE DATABASE {name}")
    try:
        run_child(f"postgres://postgres@127.0.0.1:5432/{name}", "PostgreSQL", args.repeat)
    finally:
        psql(f"DROP DATABASE IF EXISTS {name}")
    return None


def psql(sql):
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-c", sql], check=True)


def run_child(url, label, repeat):
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "otopdoc.test_settings"}
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
    from django.test import Client
    from entry_setup import fill_month

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

    print(f"{label}: GET {url}, median of {repeat} runs after one warm-up")
    sizes = {}
    for size in SIZES:
        # Last month's rows too (the grid shows them), and every 20th row sent back.
        fill_month(district, month, size, last_month="900.00", sent_back_every=20)
        assert client.get(url).status_code == 200  # warm-up: templates, connections
        cpu, wall = [], []
        for _ in range(repeat):
            start_cpu, start_wall = time.process_time(), time.perf_counter()
            response = client.get(url)
            cpu.append(time.process_time() - start_cpu)
            wall.append(time.perf_counter() - start_wall)
            assert response.status_code == 200
        sizes[size] = len(response.content)
        print(
            f"  {size:>4} rows: CPU {statistics.median(cpu) * 1000:6.1f} ms   "
            f"wall {statistics.median(wall) * 1000:6.1f} ms   page {sizes[size] / 1024:7.1f} KiB"
        )
    _, small, large = SIZES
    per_row = (sizes[large] - sizes[small]) / (large - small)
    print(f"  each row adds {per_row:.0f} bytes to the page")


if __name__ == "__main__":
    main()
