"""Notifications: what happened (Event), who reads it in the app, and each delivery outside.

An Event is written in the same transaction as what caused it, so a save that rolls back
leaves no notice behind; the worker (send_notifications) only ever sees committed events.
Each event has a unique key: a reminder's key names its office, month and kind, so however
often the worker runs or crashes, the office gets it once.
"""

import re
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

LINE_ID = re.compile(r"[UCR][0-9a-f]{32}")


def validate_line_id(value):
    """Accept a LINE user (U...), group (C...) or room (R...) ID: a letter and 32 hex digits."""
    if not LINE_ID.fullmatch(value):
        raise ValidationError(
            "LINE ID ไม่ถูกต้อง: ต้องขึ้นต้นด้วย U (ผู้ใช้) หรือ C (กลุ่ม) ตามด้วยตัวอักษร 0-9 a-f "
            "อีก 32 ตัว เช่น U4af4980629... (ไม่ใช่ชื่อที่แสดงใน LINE หรือ LINE ID ที่ใช้ค้นหาเพื่อน)",
            code="line_id",
        )


class Kind(models.TextChoices):
    REMINDER = "reminder", "เตือนกำหนดยืนยันข้อมูลของอำเภอ"
    OPEN_DISTRICTS = "open_districts", "อำเภอที่ยังยืนยันไม่ครบก่อนกำหนด"
    SENT_BACK = "sent_back", "รายการที่จังหวัดส่งกลับให้แก้ไข"
    DISTRICT_DONE = "district_done", "อำเภอยืนยันข้อมูลครบแล้ว"
    EXCEPTION = "exception", "การเปิดระบบเป็นกรณีพิเศษ"
    WEEKLY = "weekly", "สรุปความครบถ้วนประจำสัปดาห์"


# The kinds each role can receive, for its settings page.
KINDS_OF_ROLE = {
    "district": [Kind.REMINDER, Kind.SENT_BACK, Kind.EXCEPTION],
    "province": [Kind.OPEN_DISTRICTS, Kind.DISTRICT_DONE, Kind.EXCEPTION],
    "department": [Kind.WEEKLY],
}


def all_kinds():
    return list(Kind.values)


class Contact(models.Model):
    """Where an officer, or an office as a whole, wants notices by e-mail and LINE.

    An officer's own row has `user`; an office's (set by the department or an admin, e.g.
    the office's shared mailbox or LINE group) has its district or province. `kinds` lists
    the kinds sent by e-mail and LINE; the in-app list always keeps every notice.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="contact",
        verbose_name="เจ้าหน้าที่",
    )
    district = models.OneToOneField(
        "sales.District",
        models.CASCADE,
        null=True,
        blank=True,
        related_name="contact",
        verbose_name="สำนักงานอำเภอ",
    )
    province = models.OneToOneField(
        "sales.Province",
        models.CASCADE,
        null=True,
        blank=True,
        related_name="contact",
        verbose_name="สำนักงานจังหวัด",
    )
    email = models.EmailField(
        "อีเมล",
        blank=True,
        error_messages={"invalid": "รูปแบบอีเมลไม่ถูกต้อง เช่น somchai@cdd.go.th"},
    )
    line_id = models.CharField(
        "LINE user ID หรือ group ID", max_length=33, blank=True, validators=[validate_line_id]
    )
    kinds = models.JSONField("เรื่องที่ต้องการรับทางอีเมลและ LINE", default=all_kinds, blank=True)
    updated_at = models.DateTimeField("แก้ไขล่าสุดเมื่อ", auto_now=True)

    class Meta:
        verbose_name = "ช่องทางรับการแจ้งเตือน"
        verbose_name_plural = "ช่องทางรับการแจ้งเตือน"
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False, district__isnull=True, province__isnull=True)
                | Q(user__isnull=True, district__isnull=False, province__isnull=True)
                | Q(user__isnull=True, district__isnull=True, province__isnull=False),
                name="contact_one_owner",
                violation_error_message=(
                    "ระบุเจ้าหน้าที่ สำนักงานอำเภอ หรือสำนักงานจังหวัด อย่างใดอย่างหนึ่งเท่านั้น"
                ),
            ),
        ]

    def __str__(self):
        return str(self.user or self.district or self.province)

    def wants(self, kind):
        return kind in (self.kinds or [])


class Event(models.Model):
    """One thing worth telling: its text, the page it links to, and the office concerned."""

    key = models.CharField("รหัสเหตุการณ์", max_length=150, unique=True)
    kind = models.CharField("เรื่อง", max_length=20, choices=Kind.choices)
    district = models.ForeignKey(
        "sales.District", models.CASCADE, null=True, blank=True, related_name="+"
    )
    province = models.ForeignKey(
        "sales.Province", models.CASCADE, null=True, blank=True, related_name="+"
    )
    subject = models.CharField("หัวข้อ", max_length=200)
    body = models.TextField("ข้อความ")
    path = models.CharField("หน้าที่เกี่ยวข้อง", max_length=300)
    created_at = models.DateTimeField("เมื่อ", db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "เหตุการณ์ที่แจ้งเตือน"
        verbose_name_plural = "เหตุการณ์ที่แจ้งเตือน"

    def __str__(self):
        return self.subject

    @property
    def link(self):
        """Return the page's full address, for e-mail and LINE."""
        return settings.SITE_URL + self.path


class Notification(models.Model):
    """An event in one officer's in-app list, read or not."""

    event = models.ForeignKey(Event, models.CASCADE, related_name="notifications")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="notifications")
    read_at = models.DateTimeField("อ่านเมื่อ", null=True, blank=True)

    class Meta:
        ordering = ["-event__created_at", "-id"]
        verbose_name = "การแจ้งเตือนในระบบ"
        verbose_name_plural = "การแจ้งเตือนในระบบ"
        constraints = [
            models.UniqueConstraint(fields=["event", "user"], name="notification_once_per_user"),
        ]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread")]

    def __str__(self):
        return f"{self.user} {self.event}"


class Channel(models.TextChoices):
    EMAIL = "email", "อีเมล"
    LINE = "line", "LINE"


class State(models.TextChoices):
    PENDING = "pending", "รอส่ง"
    SENDING = "sending", "กำลังส่ง"
    SENT = "sent", "ส่งแล้ว"
    FAILED = "failed", "ส่งไม่สำเร็จ (เลิกลองแล้ว)"


class Delivery(models.Model):
    """One event to one address by one channel, and how its sending went.

    The worker claims a delivery with a conditional UPDATE (pending -> sending), so two
    workers never send the same one; a failure puts it back to pending with a later
    `next_attempt_at`, until the last attempt leaves it failed with its error kept.
    `retry_key` goes to LINE as X-Line-Retry-Key, so a retried push is not delivered twice.
    """

    event = models.ForeignKey(Event, models.CASCADE, related_name="deliveries")
    channel = models.CharField("ช่องทาง", max_length=5, choices=Channel.choices)
    address = models.CharField("ส่งถึง", max_length=254)
    state = models.CharField("สถานะ", max_length=8, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField("จำนวนครั้งที่ลอง", default=0)
    next_attempt_at = models.DateTimeField("ลองครั้งถัดไป")
    claimed_at = models.DateTimeField("เริ่มส่งเมื่อ", null=True, blank=True)
    sent_at = models.DateTimeField("ส่งสำเร็จเมื่อ", null=True, blank=True)
    last_error = models.TextField("ข้อผิดพลาดล่าสุด", blank=True)
    retry_key = models.UUIDField(default=uuid.uuid4, editable=False)

    class Meta:
        ordering = ["-id"]
        verbose_name = "การส่งการแจ้งเตือน"
        verbose_name_plural = "การส่งการแจ้งเตือน"
        constraints = [
            models.UniqueConstraint(
                fields=["event", "channel", "address"], name="delivery_once_per_address"
            ),
        ]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="delivery_due")]

    def __str__(self):
        return f"{self.get_channel_display()} {self.address}: {self.event}"
