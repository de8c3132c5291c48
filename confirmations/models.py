"""The audit trail: who did what to a monthly row, when, from what to what, and why."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class Action(models.TextChoices):
    CREATE = "create", "เพิ่มรายการ"
    CHANGE = "change", "แก้ไขรายการ"
    DELETE = "delete", "ลบรายการ"
    DISTRICT_CONFIRM = "d_confirm", "อำเภอยืนยัน"
    DISTRICT_WITHDRAW = "d_withdraw", "อำเภอยกเลิกการยืนยัน"
    PROVINCE_CONFIRM = "p_confirm", "จังหวัดยืนยัน"
    PROVINCE_WITHDRAW = "p_withdraw", "จังหวัดยกเลิกการยืนยัน"
    SEND_BACK = "send_back", "จังหวัดส่งกลับให้แก้ไข"
    # Notes beside a row (quality.notes): they change no figure and no confirmation.
    EXPLAIN = "explain", "อำเภอเขียนคำอธิบาย"
    FOLLOW_UP = "follow_up", "ทำเครื่องหมายติดตาม"


class AuditImmutable(Exception):
    """Audit records are written once and never changed or deleted."""


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AuditImmutable("Audit records cannot be changed.")

    def delete(self):
        raise AuditImmutable("Audit records cannot be deleted.")

    def for_month(self, district, fiscal_month):
        return self.filter(
            district=district, fiscal_year=fiscal_month.fiscal_year, month=fiscal_month.month
        )


class AuditEntry(models.Model):
    """One thing that happened to one monthly row.

    `sale_id` is a plain number, not a foreign key: the history of a row outlives the row.
    Records are only ever inserted; the model, its queryset and the admin refuse changes
    and deletes, and on PostgreSQL a trigger refuses them in the database too.
    """

    sale_id = models.BigIntegerField("รหัสรายการ", db_index=True)
    district = models.ForeignKey(
        "sales.District", models.PROTECT, related_name="+", verbose_name="อำเภอ"
    )
    fiscal_year = models.PositiveSmallIntegerField("ปีงบประมาณ")
    month = models.PositiveSmallIntegerField("เดือน")
    action = models.CharField("การดำเนินการ", max_length=12, choices=Action.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="ผู้ดำเนินการ"
    )
    at = models.DateTimeField("เมื่อ", default=timezone.now, db_index=True)
    old = models.JSONField("ค่าเดิม", null=True, blank=True)
    new = models.JSONField("ค่าใหม่", null=True, blank=True)
    reason = models.TextField("เหตุผล", blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]
        verbose_name = "ประวัติการแก้ไข"
        verbose_name_plural = "ประวัติการแก้ไข"
        indexes = [
            models.Index(fields=["district", "fiscal_year", "month"], name="audit_district_month"),
        ]

    def __str__(self):
        at = timezone.localtime(self.at)  # Asia/Bangkok, as officers read times
        return f"{self.get_action_display()} #{self.sale_id} {at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditImmutable("Audit records cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditImmutable("Audit records cannot be deleted.")

    @classmethod
    def of(cls, row, action, user, at, old=None, new=None, reason=""):
        """Return the (unsaved) entry of `action` on a monthly row: every writer builds it here."""
        return cls(
            sale_id=row.pk,
            district_id=row.district_id,
            fiscal_year=row.fiscal_year,
            month=row.month,
            action=action,
            user=user,
            at=at,
            old=old,
            new=new,
            reason=reason,
        )


def snapshot(row, producer=None):
    """Return the audited values of a MonthlySale as JSON-safe data (amounts as strings)."""
    producer = producer or row.producer
    return {
        "producer": producer.name,
        "producer_type": row.producer_type or producer.producer_type,
        "product_type": row.product_type,
        "domestic": str(row.domestic),
        "export": str(row.export),
        "district_confirmed": row.district_confirmed_at is not None,
        "province_confirmed": row.province_confirmed_at is not None,
    }
