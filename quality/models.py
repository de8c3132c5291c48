"""Trust in the figures: notes on a row, outlier baselines, and the producer registry's trail."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from sales.models import user_field

# Median and deviations of amounts with two decimals need four to stay exact.
STAT_DIGITS = 20
STAT_PLACES = 4


class RowNote(models.Model):
    """The district's explanation of a row and the province's or department's follow-up mark.

    A row of its own beside the MonthlySale, so neither a save of the entry page nor a
    send-back touches it: the explanation and the mark survive both. Changes are audited in
    the row's AuditEntry trail (quality.notes).
    """

    sale = models.OneToOneField(
        "sales.MonthlySale", models.CASCADE, related_name="note", verbose_name="รายการ"
    )
    # Copied from the row, so the list of marked rows of an area reads one indexed table.
    district = models.ForeignKey(
        "sales.District", models.CASCADE, related_name="+", verbose_name="อำเภอ"
    )
    fiscal_year = models.PositiveSmallIntegerField("ปีงบประมาณ")
    month = models.PositiveSmallIntegerField("เดือน")
    explanation = models.CharField("คำอธิบาย", max_length=300, blank=True)
    explained_at = models.DateTimeField("อธิบายเมื่อ", null=True, blank=True)
    explained_by = user_field("อธิบายโดย")
    follow_up = models.BooleanField("ติดตาม", default=False)
    follow_up_note = models.CharField("หมายเหตุการติดตาม", max_length=300, blank=True)
    follow_up_at = models.DateTimeField("ทำเครื่องหมายติดตามเมื่อ", null=True, blank=True)
    follow_up_by = user_field("ทำเครื่องหมายติดตามโดย")

    class Meta:
        verbose_name = "คำอธิบายและการติดตาม"
        verbose_name_plural = "คำอธิบายและการติดตาม"
        indexes = [
            models.Index(fields=["follow_up", "fiscal_year", "month"], name="note_follow_up"),
        ]

    def __str__(self):
        return f"#{self.sale_id}"


class Baseline(models.Model):
    """A producer's history of one product type before a month: how many months, median, MAD.

    Computed from the rows of the 24 months before the month (quality.outliers), per
    district, and recomputed when the district's history changes, so a month's national
    list compares 120,000 rows with their baselines in one query instead of reading
    three million rows of history.
    """

    district = models.ForeignKey(
        "sales.District", models.CASCADE, related_name="+", verbose_name="อำเภอ"
    )
    producer_id = models.BigIntegerField("รหัสผู้ผลิต")
    product_type = models.CharField("ประเภทผลิตภัณฑ์", max_length=10)
    fiscal_year = models.PositiveSmallIntegerField("ปีงบประมาณ")
    month = models.PositiveSmallIntegerField("เดือน")
    months = models.PositiveSmallIntegerField("จำนวนเดือนในประวัติ")
    median = models.DecimalField("มัธยฐาน", max_digits=STAT_DIGITS, decimal_places=STAT_PLACES)
    mad = models.DecimalField("MAD", max_digits=STAT_DIGITS, decimal_places=STAT_PLACES)
    mean_ad = models.DecimalField(
        "ค่าเฉลี่ยของส่วนเบี่ยงเบน", max_digits=STAT_DIGITS, decimal_places=STAT_PLACES
    )
    last = models.DecimalField("ยอดเดือนล่าสุด", max_digits=STAT_DIGITS, decimal_places=2)

    class Meta:
        verbose_name = "ฐานประวัติยอดจำหน่าย"
        verbose_name_plural = "ฐานประวัติยอดจำหน่าย"
        constraints = [
            models.UniqueConstraint(
                fields=["producer_id", "product_type", "fiscal_year", "month"],
                name="baseline_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["district", "fiscal_year", "month"], name="baseline_district"),
            # The national list reads one month's baselines of every district.
            models.Index(fields=["fiscal_year", "month"], name="baseline_month"),
        ]

    def __str__(self):
        return f"{self.producer_id} {self.product_type} {self.month}/{self.fiscal_year}"


class FlaggedRow(models.Model):
    """A row of a month that stands out from its history, as judged when its district's
    baselines were last brought up to date (quality.outliers).

    Kept so the national list reads a few thousand flagged rows instead of judging 120,000;
    the district's stamp covers the month's own rows too, so any write to them (a save, a
    confirmation, a send-back: each refreshes the running totals) makes it stale.
    """

    sale_id = models.BigIntegerField("รหัสรายการ")
    district = models.ForeignKey(
        "sales.District", models.CASCADE, related_name="+", verbose_name="อำเภอ"
    )
    fiscal_year = models.PositiveSmallIntegerField("ปีงบประมาณ")
    month = models.PositiveSmallIntegerField("เดือน")
    product_type = models.CharField("ประเภทผลิตภัณฑ์", max_length=10)
    province_confirmed = models.BooleanField("จังหวัดยืนยันแล้ว")
    rule = models.CharField("เกณฑ์", max_length=10)
    direction = models.CharField("ทิศทาง", max_length=4)
    expected = models.DecimalField("ยอดปกติ", max_digits=STAT_DIGITS, decimal_places=STAT_PLACES)
    deviation = models.DecimalField("ส่วนต่าง", max_digits=STAT_DIGITS, decimal_places=STAT_PLACES)
    size = models.DecimalField("ขนาดของส่วนต่าง", max_digits=STAT_DIGITS, decimal_places=STAT_PLACES)
    score = models.DecimalField(
        "ค่า z", max_digits=STAT_DIGITS, decimal_places=STAT_PLACES, null=True
    )

    class Meta:
        verbose_name = "ค่าที่ควรตรวจสอบ"
        verbose_name_plural = "ค่าที่ควรตรวจสอบ"
        indexes = [
            models.Index(fields=["fiscal_year", "month", "size"], name="flagged_month"),
            models.Index(fields=["district", "fiscal_year", "month"], name="flagged_district"),
        ]

    def __str__(self):
        return f"#{self.sale_id}"


class BaselineStamp(models.Model):
    """Which state of a district's history the baselines of a month were computed from."""

    district = models.ForeignKey(
        "sales.District", models.CASCADE, related_name="+", verbose_name="อำเภอ"
    )
    fiscal_year = models.PositiveSmallIntegerField("ปีงบประมาณ")
    month = models.PositiveSmallIntegerField("เดือน")
    signature = models.CharField("ลายมือชื่อของประวัติ", max_length=100)

    class Meta:
        verbose_name = "สถานะฐานประวัติ"
        verbose_name_plural = "สถานะฐานประวัติ"
        constraints = [
            models.UniqueConstraint(
                fields=["district", "fiscal_year", "month"], name="baseline_stamp_unique"
            ),
        ]

    def __str__(self):
        return f"{self.district_id} {self.month}/{self.fiscal_year}"


class ProducerAction(models.TextChoices):
    RENAME = "rename", "เปลี่ยนชื่อ"
    MERGE = "merge", "รวมผู้ผลิต"
    INACTIVE = "inactive", "เลิกใช้งาน"
    ACTIVE = "active", "กลับมาใช้งาน"


class ProducerImmutable(Exception):
    """The registry's trail is written once and never changed."""


class ProducerEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ProducerImmutable("Producer events cannot be changed.")

    def delete(self):
        raise ProducerImmutable("Producer events cannot be deleted.")


class ProducerEvent(models.Model):
    """One change to a producer in the registry: renamed, merged, made inactive or active.

    `producer_id` and `other_id` are plain numbers: a merged producer is gone, its trail is
    not. Only ever inserted, like the rows' AuditEntry.
    """

    producer_id = models.BigIntegerField("รหัสผู้ผลิต", db_index=True)
    other_id = models.BigIntegerField("รหัสผู้ผลิตที่รวมเข้ามา", null=True, blank=True)
    district = models.ForeignKey(
        "sales.District", models.PROTECT, related_name="+", verbose_name="อำเภอ"
    )
    action = models.CharField("การดำเนินการ", max_length=10, choices=ProducerAction.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="ผู้ดำเนินการ"
    )
    at = models.DateTimeField("เมื่อ", default=timezone.now)
    old = models.JSONField("ค่าเดิม", null=True, blank=True)
    new = models.JSONField("ค่าใหม่", null=True, blank=True)

    objects = ProducerEventQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]
        verbose_name = "ประวัติทะเบียนผู้ผลิต"
        verbose_name_plural = "ประวัติทะเบียนผู้ผลิต"

    def __str__(self):
        return f"{self.get_action_display()} #{self.producer_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ProducerImmutable("Producer events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ProducerImmutable("Producer events cannot be deleted.")
