import argparse
import time

from django.core.management.base import BaseCommand, CommandError

from otopdoc import demo


class Command(BaseCommand):
    help = (
        "Fill an empty database with demo data: realistic producers and their monthly sales "
        "for a fiscal year and the one before, the demo sign-ins, and the seed's real KPI "
        "bases of FY 2562. All in one transaction. For developer machines only."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--fiscal-year",
            type=int,
            help="B.E. fiscal year, e.g. 2569 (default: the current one)",
        )
        parser.add_argument(
            "--scale",
            choices=demo.SCALES,
            default="small",
            help="small: Chiang Rai and a few producers elsewhere (default); "
            "national: about 100,000 producers in all 878 districts",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="if the database has producers already, print the sign-ins and stop",
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=demo.DEFAULT_SEED,
            help=f"random seed; the same seed gives the same data (default {demo.DEFAULT_SEED})",
        )
        parser.add_argument(
            "--host",
            help="the address the printed links use, as make run's HOST=... "
            f"(default: $HOST, else {demo.DEFAULT_HOST})",
        )
        # For tests and trials of the national code path at a smaller size.
        parser.add_argument("--producers", type=int, help=argparse.SUPPRESS)

    def handle(self, *args, fiscal_year, scale, if_empty, seed, producers, host, **options):
        if if_empty and demo.has_data():
            self.stdout.write("Demo data is already there: nothing made.")
            self.stdout.write(demo.sign_in_block(host))
            return
        started = time.monotonic()

        def log(line):
            self.stdout.write(f"{time.monotonic() - started:7.1f} s  {line}")

        try:
            summary = demo.seed_demo(
                fiscal_year=fiscal_year, scale=scale, seed=seed, producers=producers, log=log
            )
        except demo.DemoError as exc:
            raise CommandError(str(exc)) from exc
        # Timed after seed_demo's commit, which runs PostgreSQL's deferred foreign key checks.
        self.stdout.write(
            self.style.SUCCESS(
                "Demo data for FY {fiscal_year}: {producers:,} producers, {rows:,} monthly rows "
                "over {months} months, in {seconds:.1f} s.".format(
                    **summary, seconds=time.monotonic() - started
                )
            )
        )
        self.stdout.write(demo.sign_in_block(host))
