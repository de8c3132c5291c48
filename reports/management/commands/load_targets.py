from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reports.targets import TargetError, check_targets, save_targets


class Command(BaseCommand):
    help = (
        "Load the provinces' KPI target bases (เป้าหมายตัวชี้วัด) from a CSV file with the "
        "columns province_code, fiscal_year and base (baht, at most 2 decimals), in UTF-8 "
        "with or without a BOM. Every row is checked first: if any row is bad, each bad row "
        "is listed with its line and nothing is loaded. Otherwise all rows are created or "
        "updated in one transaction. Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="the target CSV")
        parser.add_argument(
            "--source",
            help="where the bases come from, shown on the KPI page (default: the file name)",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="check the file and say what would change, but write nothing",
        )

    def handle(self, *args, file, source, dry_run, **options):
        source = (source or file.name)[:200]
        try:
            rows, problems = check_targets(file)
        except (TargetError, OSError) as exc:
            raise CommandError(f"Nothing loaded: {exc}") from exc
        if problems:
            lines = "\n".join(f"  {problem}" for problem in problems)
            raise CommandError(f"Nothing loaded: {len(problems)} problem(s) in {file}:\n{lines}")
        counts = save_targets(rows, source, dry_run=dry_run)
        years = ", ".join(str(year) for year in sorted({row.fiscal_year for row in rows}))
        summary = (
            "{created} created, {updated} updated, {unchanged} unchanged".format(**counts)
            + f" ({len(rows)} rows, fiscal year {years})."
        )
        if dry_run:
            self.stdout.write(f"Dry run, nothing written: would be {summary}")
        else:
            self.stdout.write(self.style.SUCCESS(f"Targets: {summary}"))
