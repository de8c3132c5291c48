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
