"""Load the provinces' target bases (เป้าหมายตัวชี้วัด) from a CSV file.

A target file has the columns province_code, fiscal_year and base (baht, to the satang),
in UTF-8 with or without a byte order mark. The seed's KPI table
(fixtures/kpi_fy2562_seed.csv, rows 53 to 66 of the original sheet) is real data: the
FY 2562 bases of 14 provinces, as the province of Chiang Rai sent them; it names its base
column base_fy2561 and carries the target and the five score levels, which are checked.

A file loads whole or not at all: every row is checked first, and one bad row stops the
load with the line and reason of every bad row.
"""

import csv
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from otopdoc.fiscal import MAX_FISCAL_YEAR, MIN_FISCAL_YEAR
from reports.models import SCORE_PERCENTS, TARGET_PERCENT, Target, level
from sales.models import Province

SEED_TARGETS = Path(settings.BASE_DIR) / "fixtures" / "kpi_fy2562_seed.csv"
SEED_SOURCE = "หนังสือจังหวัดเชียงราย 31 ม.ค. 2562 (สิ่งที่ส่งมาด้วย ๑)"

REQUIRED_COLUMNS = ("province_code", "fiscal_year")
# Target.base: 16 digits, 2 after the point.
MAX_BASE = Decimal("99999999999999.99")
SATANG = Decimal("0.01")

# Optional columns of the seed's sheet, checked against the rule that makes them.
LEVEL_COLUMNS = {"target_23": TARGET_PERCENT} | {
    f"level{n}_{percent}": percent for n, percent in enumerate(SCORE_PERCENTS, start=1)
}


class TargetError(Exception):
    """A reason a target file cannot be loaded, said so an administrator can fix it.

    `problems` lists every bad row (BadRow), when the file could be read at all.
    """

    def __init__(self, message, problems=()):
        super().__init__(message)
        self.problems = list(problems)


@dataclass(frozen=True)
class BadRow:
    line: int
    reason: str

    def __str__(self):
        return f"line {self.line}: {self.reason}"


@dataclass(frozen=True)
class TargetRow:
    line: int
    province_code: str
    fiscal_year: int
    base: Decimal


def _base_column(row, fiscal_year):
    if "base" in row:
        return "base"
    return f"base_fy{fiscal_year - 1}"


def _decimal(text):
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def _check_base(raw):
    """Return (base, None) for a good amount, or (None, reason)."""
    if raw is None or not raw.strip():
        return None, "no base amount"
    text = raw.strip().replace(",", "")
    try:
        base = Decimal(text)
    except InvalidOperation:
        return None, f"base {raw!r} is not a number"
    if not base.is_finite():
        return None, f"base {raw!r} is not a number"
    if base < 0:
        return None, f"base {raw!r} is negative"
    if base != base.quantize(SATANG):
        return None, f"base {raw!r} has more than 2 decimals (baht to the satang)"
    if base > MAX_BASE:
        return None, f"base {raw!r} is too large"
    return base.quantize(SATANG), None


def _check_row(row, line, known):
    """Return (TargetRow, []) or (None, [reasons]) for one CSV row."""
    reasons = []
    if None in row:
        reasons.append("more fields than the header has columns")
    code = (row.get("province_code") or "").strip()
    if not code:
        reasons.append("no province_code")
    elif code not in known:
        reasons.append(f"no province has code {code!r}")
    raw_year = (row.get("fiscal_year") or "").strip()
    fiscal_year = int(raw_year) if raw_year.isdigit() else None
    if fiscal_year is None or not MIN_FISCAL_YEAR <= fiscal_year <= MAX_FISCAL_YEAR:
        reasons.append(
            f"fiscal_year {raw_year!r} is not a B.E. fiscal year "
            f"({MIN_FISCAL_YEAR} to {MAX_FISCAL_YEAR}, e.g. 2562)"
        )
        fiscal_year = None
    base = None
    if fiscal_year is not None or "base" in row:
        column = _base_column(row, fiscal_year or 0)
        if column not in row:
            reasons.append(f"no column {column!r} for the base")
        else:
            base, reason = _check_base(row[column])
            if reason:
                reasons.append(reason)
    if base is not None:
        for column, percent in LEVEL_COLUMNS.items():
            given = (row.get(column) or "").strip().replace(",", "")
            if given and _decimal(given) != level(base, percent):
                reasons.append(
                    f"{column} is {row[column]}, but base + {percent} % is {level(base, percent)}"
                )
    if reasons:
        return None, reasons
    return TargetRow(line, code, fiscal_year, base), []


def check_targets(path, known=None):
    """Read a target CSV; return (rows, problems): the good rows and every bad one.

    Steps:
    1. Read the file as UTF-8 (a byte order mark is allowed); refuse other encodings.
    2. Refuse a header without province_code, fiscal_year and a base column (`base`, or
       `base_fy<previous year>` as the seed's sheet names it).
    3. Check each row: a province in the geography, a B.E. fiscal year, a base that is a
       non-negative amount with at most 2 decimals, and the seed's target and level
       columns, when given, equal to what the base makes.
    4. Refuse a province and year given twice, naming the line of the first.
    `known` is the set of province codes (read from the database when not given).
    """
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            columns = reader.fieldnames or []
            records = []
            for row in reader:
                records.append((reader.line_num, row))
    except UnicodeDecodeError as exc:
        raise TargetError(f"{path} is not UTF-8 text: save it as CSV UTF-8") from exc
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    if "base" not in columns and not any(name.startswith("base_fy") for name in columns):
        missing.append("base")
    if missing:
        problem = BadRow(1, f"missing column(s): {', '.join(missing)}")
        return [], [problem]
    if not records:
        return [], [BadRow(1, "the file has a header but no rows")]
    if known is None:
        known = set(Province.objects.values_list("code", flat=True))

    rows, problems, seen = [], [], {}
    for line, row in records:
        target, reasons = _check_row(row, line, known)
        if target is not None:
            key = (target.province_code, target.fiscal_year)
            if key in seen:
                reasons = [
                    f"province {key[0]} and fiscal year {key[1]} are already on line {seen[key]}"
                ]
                target = None
            else:
                seen[key] = line
        problems.extend(BadRow(line, reason) for reason in reasons)
        if target is not None:
            rows.append(target)
    return rows, problems


def read_targets(path):
    """Return the rows of a target CSV, or raise TargetError naming every bad row."""
    rows, problems = check_targets(path)
    if problems:
        raise TargetError(
            f"{path}: {len(problems)} problem(s), nothing loaded:\n"
            + "\n".join(f"  {problem}" for problem in problems),
            problems,
        )
    return rows


def load_targets(path, source, dry_run=False):
    """Load a target CSV whole or not at all; return counts of created, updated, unchanged.

    Raises TargetError naming every bad row, and then writes nothing.
    """
    return save_targets(read_targets(path), source, dry_run=dry_run)


@transaction.atomic
def save_targets(rows, source, dry_run=False):
    """Create or update the targets of checked rows; return counts of each.

    Steps:
    1. Read the targets already there for the rows' fiscal years (one query).
    2. Create the targets that are missing, update those whose base or source differ, and
       leave the others untouched (their loaded_at too), so loading a file twice changes
       nothing; all in one transaction.
    With dry_run=True count what would change and write nothing.
    """
    existing = {
        (t.province_id, t.fiscal_year): t
        for t in Target.objects.filter(fiscal_year__in={row.fiscal_year for row in rows})
    }
    now = timezone.now()
    created, updated, unchanged = [], [], 0
    for row in rows:
        target = existing.get((row.province_code, row.fiscal_year))
        if target is None:
            created.append(
                Target(
                    province_id=row.province_code,
                    fiscal_year=row.fiscal_year,
                    base=row.base,
                    source=source,
                )
            )
        elif target.base != row.base or target.source != source:
            target.base, target.source, target.loaded_at = row.base, source, now
            updated.append(target)
        else:
            unchanged += 1
    if not dry_run:
        Target.objects.bulk_create(created)
        Target.objects.bulk_update(updated, ["base", "source", "loaded_at"])
    return {
        "created": len(created),
        "updated": len(updated),
        "unchanged": unchanged,
    }


def load_seed_targets():
    """Load the seed's FY 2562 bases of 14 provinces (real data, not demo data)."""
    return load_targets(SEED_TARGETS, SEED_SOURCE)
