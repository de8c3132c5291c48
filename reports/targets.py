"""Load the provinces' target bases (เป้าหมายตัวชี้วัด) from a CSV file.

The seed's KPI table (fixtures/kpi_fy2562_seed.csv, rows 53 to 66 of the original sheet) is
real data: the FY 2562 bases of 14 provinces, as the province of Chiang Rai sent them.
"""

import csv
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.conf import settings
from django.db import transaction

from reports.models import SCORE_PERCENTS, TARGET_PERCENT, Target, level
from sales.models import Province

SEED_TARGETS = Path(settings.BASE_DIR) / "fixtures" / "kpi_fy2562_seed.csv"
SEED_SOURCE = "หนังสือจังหวัดเชียงราย 31 ม.ค. 2562 (สิ่งที่ส่งมาด้วย ๑)"

# Optional columns of the seed's sheet, checked against the rule that makes them.
LEVEL_COLUMNS = {"target_23": TARGET_PERCENT} | {
    f"level{n}_{percent}": percent for n, percent in enumerate(SCORE_PERCENTS, start=1)
}


class TargetError(Exception):
    """A reason a target file cannot be loaded, said so an administrator can fix it."""


def read_targets(path):
    """Return [(line, province_code, fiscal_year, base)] from a target CSV.

    Steps:
    1. Read the rows; each needs province_code, fiscal_year and a base, either in a `base`
       column or in `base_fy<previous year>` as the seed's sheet names it.
    2. Refuse a base that is not a non-negative amount to the satang.
    3. Refuse a row whose target or score levels, when given, disagree with the base.
    """
    with open(path, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    targets = []
    for line, row in enumerate(rows, start=2):
        try:
            fiscal_year = int(row["fiscal_year"])
            code = row["province_code"].strip()
        except (KeyError, TypeError, ValueError) as exc:
            raise TargetError(f"{path}, line {line}: no province_code or fiscal_year") from exc
        raw = row.get("base") or row.get(f"base_fy{fiscal_year - 1}")
        try:
            base = Decimal(raw.strip().replace(",", ""))
        except (AttributeError, InvalidOperation) as exc:
            raise TargetError(f"{path}, line {line}: no base amount") from exc
        if not base.is_finite() or base < 0 or base != base.quantize(Decimal("0.01")):
            raise TargetError(f"{path}, line {line}: base {raw!r} is not an amount in baht")
        for column, percent in LEVEL_COLUMNS.items():
            if row.get(column) and Decimal(row[column]) != level(base, percent):
                raise TargetError(
                    f"{path}, line {line}: {column} is {row[column]}, "
                    f"but base + {percent} % is {level(base, percent)}"
                )
        targets.append((line, code, fiscal_year, base.quantize(Decimal("0.01"))))
    return targets


@transaction.atomic
def load_targets(path, source):
    """Create or update the targets a CSV lists; return counts of created, updated, unchanged.

    Steps:
    1. Read and check every row (read_targets); refuse a province that is not in the geography.
    2. Create the targets that are missing, update those whose base or source differ, and
       leave the others untouched, so running it twice changes nothing.
    """
    rows = read_targets(path)
    known = set(Province.objects.values_list("code", flat=True))
    for line, code, _fiscal_year, _base in rows:
        if code not in known:
            raise TargetError(
                f"{path}, line {line}: no province has code {code!r}; "
                "run `python manage.py load_geography` first."
            )
    existing = {
        (t.province_id, t.fiscal_year): t
        for t in Target.objects.filter(fiscal_year__in={row[2] for row in rows})
    }
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    for _line, code, fiscal_year, base in rows:
        target = existing.get((code, fiscal_year))
        if target is None:
            Target.objects.create(
                province_id=code, fiscal_year=fiscal_year, base=base, source=source
            )
            counts["created"] += 1
        elif target.base != base or target.source != source:
            target.base, target.source = base, source
            target.save(update_fields=["base", "source", "loaded_at"])
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1
    return counts


def load_seed_targets():
    """Load the seed's FY 2562 bases of 14 provinces (real data, not demo data)."""
    return load_targets(SEED_TARGETS, SEED_SOURCE)
