"""Back up the PostgreSQL database, restore a backup, and prove that a backup restores.

    python deploy/pgbackup.py dump              # BACKUP_DIR/otop-YYYYmmdd-HHMMSS.dump
    python deploy/pgbackup.py restore FILE DB   # into a new database DB on the same server
    python deploy/pgbackup.py check [FILE]      # restore the latest (or FILE) into a scratch
                                                # database, compare row counts, drop it

`dump` runs `pg_dump -Fc` inside a snapshot in which it also counts the rows of every table,
and writes the counts beside the dump (.counts.json), so `check` can compare the restored
database with the database exactly as it was dumped, while officers go on writing. Dumps
older than BACKUP_KEEP_DAYS (30) are deleted after a dump succeeds, so the newest is never
lost. The server and database are DATABASE_URL's; BACKUP_DIR defaults to /var/backups/otop.
Needs only psycopg2 and the PostgreSQL client programs, not Django.
"""

import argparse
import json
import os
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import psycopg2
from psycopg2 import sql
from psycopg2.extensions import ISOLATION_LEVEL_AUTOCOMMIT, make_dsn, parse_dsn

PREFIX = "otop-"
SCRATCH = "otop_restore_check"


def database_url():
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("Set DATABASE_URL to the PostgreSQL database, e.g. postgres://otop@127.0.0.1/otop")
    return url


def dsn_for(url, dbname):
    """Return a libpq connection string to another database on the same server."""
    params = parse_dsn(url)
    params["dbname"] = dbname
    return make_dsn(**params)


def count_rows(cursor):
    """Return {table: rows} for every table of the public schema, read in one snapshot."""
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
    counts = {}
    for (table,) in cursor.fetchall():
        cursor.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table)))
        counts[table] = cursor.fetchone()[0]
    return counts


def dump(args):
    """Dump the database and its row counts from one snapshot; prune old dumps.

    Steps:
    1. Open a REPEATABLE READ transaction, export its snapshot and count every table in it.
    2. Run pg_dump -Fc on that same snapshot into a .partial file, then rename it.
    3. Write the counts beside it and delete the dumps older than BACKUP_KEEP_DAYS.
    """
    url = database_url()
    folder = Path(os.environ.get("BACKUP_DIR", "/var/backups/otop"))
    keep_days = int(os.environ.get("BACKUP_KEEP_DAYS", "30"))
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{PREFIX}{datetime.now():%Y%m%d-%H%M%S}.dump"
    target, partial = folder / name, folder / f".{name}.partial"
    started = time.monotonic()
    with psycopg2.connect(url) as connection, connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        counts = count_rows(cursor)
        subprocess.run(
            ["pg_dump", "-Fc", f"--snapshot={snapshot}", f"--file={partial}", url], check=True
        )
    partial.rename(target)
    target.with_suffix(".counts.json").write_text(json.dumps(counts, indent=1, sort_keys=True))
    seconds = time.monotonic() - started
    pruned = prune(folder, keep_days, keep=target)
    print(
        f"{target}: {target.stat().st_size / 1e6:.1f} MB, {len(counts)} tables, "
        f"{sum(counts.values())} rows, {seconds:.1f} s; deleted {pruned} dumps "
        f"older than {keep_days} days"
    )


def prune(folder, keep_days, keep):
    """Delete dumps (and their counts) older than keep_days, never `keep`; return how many."""
    cutoff = time.time() - timedelta(days=keep_days).total_seconds()
    deleted = 0
    for path in folder.glob(f"{PREFIX}*.dump"):
        if path != keep and path.stat().st_mtime < cutoff:
            path.unlink()
            path.with_suffix(".counts.json").unlink(missing_ok=True)
            deleted += 1
    return deleted


def restore(dump_file, dbname, url):
    """Create `dbname` (it must not exist) and restore the dump into it; return the seconds."""
    started = time.monotonic()
    server = psycopg2.connect(dsn_for(url, "postgres"))
    server.set_isolation_level(ISOLATION_LEVEL_AUTOCOMMIT)
    with server.cursor() as cursor:
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dbname)))
    server.close()
    # --no-owner: the restoring user owns what it restores; production grants come after.
    subprocess.run(
        [
            "pg_restore",
            "--no-owner",
            "--exit-on-error",
            f"--jobs={os.cpu_count() or 1}",
            f"--dbname={dsn_for(url, dbname)}",
            str(dump_file),
        ],
        check=True,
    )
    return time.monotonic() - started


def drop(dbname, url):
    server = psycopg2.connect(dsn_for(url, "postgres"))
    server.set_isolation_level(ISOLATION_LEVEL_AUTOCOMMIT)
    with server.cursor() as cursor:
        cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(dbname)))
    server.close()


def latest_dump():
    folder = Path(os.environ.get("BACKUP_DIR", "/var/backups/otop"))
    dumps = sorted(folder.glob(f"{PREFIX}*.dump"))
    if not dumps:
        sys.exit(f"No {PREFIX}*.dump in {folder}.")
    return dumps[-1]


def restore_command(args):
    seconds = restore(args.file, args.database, database_url())
    print(f"Restored {args.file} into {args.database} in {seconds:.1f} s.")


def check(args):
    """Restore a dump into a scratch database and compare its row counts with the dump's."""
    url = database_url()
    dump_file = Path(args.file) if args.file else latest_dump()
    expected = json.loads(dump_file.with_suffix(".counts.json").read_text())
    drop(SCRATCH, url)
    try:
        seconds = restore(dump_file, SCRATCH, url)
        with psycopg2.connect(dsn_for(url, SCRATCH)) as connection:
            actual = count_rows(connection.cursor())
        connection.close()
    finally:
        if not args.keep:
            drop(SCRATCH, url)
    print(f"{'table':<40} {'dumped':>10} {'restored':>10}")
    for table in sorted(set(expected) | set(actual)):
        mark = "" if expected.get(table) == actual.get(table) else "  DIFFERS"
        print(f"{table:<40} {expected.get(table, '-'):>10} {actual.get(table, '-'):>10}{mark}")
    same = expected == actual
    print(
        f"{dump_file.name}: {dump_file.stat().st_size / 1e6:.1f} MB restored in {seconds:.1f} s; "
        f"{len(actual)} tables, {sum(actual.values())} rows: "
        + ("every count matches." if same else "COUNTS DIFFER.")
    )
    if not same:
        sys.exit(1)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(required=True)
    commands.add_parser("dump", help="dump DATABASE_URL to BACKUP_DIR").set_defaults(run=dump)
    restoring = commands.add_parser("restore", help="restore a dump into a new database")
    restoring.add_argument("file")
    restoring.add_argument("database", help="name of the new database (must not exist)")
    restoring.set_defaults(run=restore_command)
    checking = commands.add_parser("check", help="restore into a scratch database and compare")
    checking.add_argument("file", nargs="?", help="a dump; the latest in BACKUP_DIR if left out")
    checking.add_argument("--keep", action="store_true", help="keep the scratch database")
    checking.set_defaults(run=check)
    args = parser.parse_args()
    args.run(args)


if __name__ == "__main__":
    main()
