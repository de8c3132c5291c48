"""Print what refusing each kind of hostile .xlsx costs: CPU time, wall time, peak memory.

Usage: .venv/bin/python benchmarks/hostile_uploads.py

Each file is read by sales.importing.read_rows (what the upload form runs) in a fresh
interpreter, so that the peak resident size (ru_maxrss) is the file's own; the Python
peak is tracemalloc's. A good 2,000-row file is measured beside them as the reference.
The files are built by tests/hostile_files.py at the size of the attack (hundreds of
megabytes once inflated), plus the variants that pass the size bounds and are stopped
further on (a row past the last, a cell longer than its field, too many rows).
"""

import argparse
import os
import resource
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def variants():
    from tests import hostile_files as hostile

    return {
        **hostile.KINDS,
        "empty row in the trillions": hostile.empty_row_far_away,
        "cell of 300,000 chars": lambda: hostile.long_cell(300_000),
        "4,000 rows (limit 2,000)": lambda: hostile.many_rows(4000),
        "good file, 2,000 rows": lambda: hostile.many_rows(2000),
    }


def measure(kind):
    from django import forms
    from django.core.files.uploadedfile import SimpleUploadedFile

    from sales.importing import read_rows

    content = variants()[kind]()
    upload = SimpleUploadedFile("hostile.xlsx", content)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    cpu, wall = time.process_time(), time.perf_counter()
    try:
        rows = read_rows(upload)
        outcome = f"accepted, {len(rows):,} rows"
    except forms.ValidationError as error:
        outcome = error.code or "refused"
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    print(
        f"| {kind} | {len(content) / 1024:,.0f} KB | {outcome} | {cpu * 1000:,.1f} ms "
        f"| {wall * 1000:,.1f} ms | {peak / 1024 / 1024:,.2f} MB | {grown / 1024:,.1f} MB |"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kind", help=argparse.SUPPRESS)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "otopdoc.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()
    if args.kind:
        return measure(args.kind)
    print("| file | size | outcome | CPU | wall | Python peak | RSS growth |")
    print("|---|---|---|---|---|---|---|")
    for kind in variants():
        subprocess.run([sys.executable, __file__, "--kind", kind], check=True)


if __name__ == "__main__":
    main()
