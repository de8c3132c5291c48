"""Who read producers' names and when (PDPA): single-owner producers are people.

Every Excel download by a signed-in officer and every API read of producer names is one
PersonalDataAccess row (privacy.records); the department reads them at
/privacy/access-log/. Like the audit trail, the rows are never changed.
"""

from django.conf import settings
from django.db import models


class PersonalDataAccess(models.Model):
    at = models.DateTimeField("เมื่อ", auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="ผู้ใช้",
    )
    # For a reader that is not an officer's account (an API client): its name.
    client = models.CharField("ระบบหรือผู้เรียกใช้", max_length=200, blank=True)
    channel = models.CharField("ช่องทาง", max_length=20)
    what = models.CharField("ข้อมูลที่เข้าถึง", max_length=300)
    scope = models.CharField("ขอบเขต", max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = "การเข้าถึงข้อมูลส่วนบุคคล"
        verbose_name_plural = "การเข้าถึงข้อมูลส่วนบุคคล"

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.user or self.client}: {self.what}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Records of access to personal data are never changed.")
        super().save(*args, **kwargs)
