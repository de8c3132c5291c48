"""Revenue targets of the provinces (เป้าหมายตัวชี้วัด)."""

from decimal import ROUND_HALF_UP, Decimal

from django.db import models

TARGET_PERCENT = 23
SCORE_PERCENTS = (15, 17, 19, 21, 23)


def level(base, percent):
    """Return base x (100 + percent) / 100 rounded half up to the baht."""
    value = Decimal(base) * (100 + percent) / 100
    return value.quantize(Decimal("1"), rounding=ROUND_HALF_UP)


class Target(models.Model):
    """The base of a province's target for a fiscal year: the previous year's sales."""

    province = models.ForeignKey(
        "sales.Province", models.PROTECT, related_name="targets", verbose_name="จังหวัด"
    )
    fiscal_year = models.PositiveSmallIntegerField("ปีงบประมาณ")
    base = models.DecimalField("ฐานยอดจำหน่ายปีก่อน (บาท)", max_digits=16, decimal_places=2)
    source = models.CharField("ที่มา", max_length=200, blank=True)
    loaded_at = models.DateTimeField("นำเข้าเมื่อ", auto_now=True)

    class Meta:
        ordering = ["fiscal_year", "province"]
        verbose_name = "เป้าหมายตัวชี้วัด"
        verbose_name_plural = "เป้าหมายตัวชี้วัด"
        constraints = [
            models.UniqueConstraint(fields=["province", "fiscal_year"], name="target_unique"),
        ]

    def __str__(self):
        return f"{self.province} {self.fiscal_year}"

    @property
    def target(self):
        return level(self.base, TARGET_PERCENT)

    @property
    def score_levels(self):
        return [level(self.base, p) for p in SCORE_PERCENTS]


class MonthTotal(models.Model):
    """Running totals of one district's month and product type, at each level of trust.

    Kept equal to the sums of the MonthlySale rows by the rows' one write path
    (sales.writes.MonthWrite, through reports.totals.refresh_months: one upsert from the
    rows) inside every writer's own transaction, so national pages
    read a few thousand of these instead of summing a million and a half rows, and never
    lag behind the rows. "district" and "province" count confirmed rows only.
    """

    district = models.ForeignKey(
        "sales.District", models.CASCADE, related_name="+", verbose_name="อำเภอ"
    )
    province = models.ForeignKey(
        "sales.Province", models.CASCADE, related_name="+", verbose_name="จังหวัด"
    )
    fiscal_year = models.PositiveSmallIntegerField("ปีงบประมาณ")
    month = models.PositiveSmallIntegerField("เดือน")
    product_type = models.CharField("ประเภทผลิตภัณฑ์", max_length=10)
    rows = models.PositiveIntegerField("จำนวนรายการ", default=0)
    domestic = models.DecimalField("ในประเทศ", max_digits=18, decimal_places=2, default=0)
    export = models.DecimalField("ต่างประเทศ", max_digits=18, decimal_places=2, default=0)
    district_rows = models.PositiveIntegerField("อำเภอยืนยัน (รายการ)", default=0)
    district_domestic = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    district_export = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    province_rows = models.PositiveIntegerField("จังหวัดยืนยัน (รายการ)", default=0)
    province_domestic = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    province_export = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    # The latest district confirmation among the rows: on time if by the month's deadline.
    district_confirmed_last = models.DateTimeField(null=True, blank=True)
    # The same among the province-confirmed rows only: what the department may see.
    province_district_confirmed_last = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "ยอดรวมรายเดือน"
        verbose_name_plural = "ยอดรวมรายเดือน"
        constraints = [
            models.UniqueConstraint(
                fields=["district", "fiscal_year", "month", "product_type"],
                name="month_total_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["fiscal_year", "month"], name="month_total_month"),
            models.Index(fields=["province", "fiscal_year"], name="month_total_province_year"),
        ]

    def __str__(self):
        return f"{self.district_id} {self.month}/{self.fiscal_year} {self.product_type}"


class TotalsVersion(models.Model):
    """How many times a province's running totals of a fiscal year have changed.

    reports.totals.refresh_months adds one in the writer's transaction; the national pages
    key their cache by the sum over the provinces (reports.versions). One row per province
    and year, not one for the nation: a district's save locks only its own province's row
    until it commits, so the 878 districts' saves at the deadline do not queue on one row.
    Counters only grow, so their sum changes with every committed write, whatever order
    concurrent writers commit in (a (max id, count) signature would miss a later commit of
    a lower id).
    """

    province = models.ForeignKey(
        "sales.Province", models.CASCADE, related_name="+", verbose_name="จังหวัด"
    )
    fiscal_year = models.PositiveSmallIntegerField("ปีงบประมาณ")
    version = models.PositiveBigIntegerField("รุ่นของยอดรวม", default=0)

    class Meta:
        verbose_name = "รุ่นของยอดรวมรายเดือน"
        verbose_name_plural = "รุ่นของยอดรวมรายเดือน"
        constraints = [
            models.UniqueConstraint(
                fields=["province", "fiscal_year"], name="totals_version_unique"
            ),
        ]

    def __str__(self):
        return f"{self.province_id} {self.fiscal_year}: {self.version}"
