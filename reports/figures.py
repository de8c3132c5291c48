"""Sums of the running totals (reports.MonthTotal) that RT.3 and RT.4 print.

Every figure is read from MonthTotal at the reader's Level (reports.scope): the fields
named by Level.prefix, so the department's pages count province-confirmed rows only, and
a national page sums a few thousand running totals instead of a million and a half
monthly rows. Each function is one grouped query whatever the size of the data. Amounts
come back as Decimal to the satang, rounded half up: SQLite sums decimals in floating
point, and a report must print the same figure on every database.
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import DecimalField, F, Q, Sum

from otopdoc.fiscal import FISCAL_ORDER, fiscal_months
from reports.models import MonthTotal
from sales.models import ProductType

ZERO = Decimal("0.00")
SATANG = Decimal("0.01")
# Wide enough for a nation's year: 18 digits before the point.
MONEY = DecimalField(max_digits=20, decimal_places=2)


def money(value):
    """Return a summed amount as a Decimal to the satang; an empty sum (None) is zero."""
    if value is None:
        return ZERO
    return Decimal(value).quantize(SATANG, rounding=ROUND_HALF_UP)


def months_to_date(fiscal_month):
    """Return the calendar months of the fiscal year from ตุลาคม up to and including this one."""
    return FISCAL_ORDER[: fiscal_month.order]


def _totals(fiscal_year, district=None, province=None):
    """Return the fiscal year's MonthTotal rows of an area (no area: the nation)."""
    totals = MonthTotal.objects.filter(fiscal_year=fiscal_year)
    if district is not None:
        totals = totals.filter(district=district)
    if province is not None:
        totals = totals.filter(province=province)
    return totals


# RT.3: by product type ----------------------------------------------------------------


@dataclass
class TypeLine:
    """One line of RT.3: a product type's month and its fiscal year to date."""

    label: str
    domestic: Decimal = ZERO
    export: Decimal = ZERO
    rows: int = 0
    year_domestic: Decimal = ZERO
    year_export: Decimal = ZERO

    @property
    def total(self):
        return self.domestic + self.export

    @property
    def year_total(self):
        return self.year_domestic + self.year_export

    def add(self, other):
        self.domestic += other.domestic
        self.export += other.export
        self.rows += other.rows
        self.year_domestic += other.year_domestic
        self.year_export += other.year_export


def by_product_type(level, fiscal_month, district=None, province=None):
    """Return RT.3's five product-type lines, in ProductType order, and their total line.

    One query: the area's totals of the months ตุลาคม..this month, grouped by product type,
    with the month's own figures picked out by a filtered sum.
    """
    prefix = level.prefix
    this_month = Q(month=fiscal_month.month)
    sums = (
        _totals(fiscal_month.fiscal_year, district, province)
        .filter(month__in=months_to_date(fiscal_month))
        .values("product_type")
        .annotate(
            m_domestic=Sum(f"{prefix}domestic", filter=this_month, output_field=MONEY),
            m_export=Sum(f"{prefix}export", filter=this_month, output_field=MONEY),
            m_rows=Sum(f"{prefix}rows", filter=this_month),
            y_domestic=Sum(f"{prefix}domestic", output_field=MONEY),
            y_export=Sum(f"{prefix}export", output_field=MONEY),
        )
        .order_by()
    )
    found = {row["product_type"]: row for row in sums}
    lines = []
    total = TypeLine("รวมทั้งสิ้น")
    for value, label in ProductType.choices:
        row = found.get(value, {})
        line = TypeLine(
            label,
            domestic=money(row.get("m_domestic")),
            export=money(row.get("m_export")),
            rows=row.get("m_rows") or 0,
            year_domestic=money(row.get("y_domestic")),
            year_export=money(row.get("y_export")),
        )
        total.add(line)
        lines.append(line)
    return lines, total


# RT.4: twelve months by district or by province ----------------------------------------


@dataclass
class MonthLine:
    """One line of RT.4: an area's sales (domestic and export, all types) in each month."""

    label: str
    number: int | None = None
    code: str = ""
    url: str = ""
    # Twelve amounts in fiscal order, ตุลาคม first.
    amounts: list = field(default_factory=lambda: [ZERO] * 12)

    @property
    def total(self):
        return sum((amount for amount in self.amounts if amount is not None), ZERO)

    def add(self, other):
        self.amounts = [a + b for a, b in zip(self.amounts, other.amounts, strict=True)]

    def blank_months_to_come(self, begun):
        """Leave the months after the first `begun` empty: no sales yet is no shortfall."""
        self.amounts = [
            amount if index < begun else None for index, amount in enumerate(self.amounts)
        ]


def months_begun(fiscal_year):
    """Return how many months of a fiscal year have begun (0 to 12), ตุลาคม first."""
    return sum(1 for fm in fiscal_months(fiscal_year) if fm.has_started())


def monthly_sales(level, fiscal_year, by, district=None, province=None):
    """Return {district or province code: twelve Decimals in fiscal order} for a year.

    `by` is "district" or "province". One query: the year's totals of the area grouped by
    that and by month; areas without a total are absent (the caller shows them as zero).
    """
    prefix = level.prefix
    sums = (
        _totals(fiscal_year, district, province)
        .values(by, "month")
        .annotate(amount=Sum(F(f"{prefix}domestic") + F(f"{prefix}export"), output_field=MONEY))
        .order_by()
    )
    found = {}
    for row in sums:
        amounts = found.setdefault(row[by], [ZERO] * 12)
        amounts[FISCAL_ORDER.index(row["month"])] = money(row["amount"])
    return found


def month_lines(areas, amounts, start=1):
    """Return a MonthLine per area (District or Province), numbered from `start`, and their
    total line; `amounts` is what monthly_sales returned."""
    lines = []
    total = MonthLine("รวม")
    for number, area in enumerate(areas, start=start):
        line = MonthLine(area.name_th, number=number, code=area.pk)
        if area.pk in amounts:
            line.amounts = list(amounts[area.pk])
        total.add(line)
        lines.append(line)
    return lines, total
