"""API clients: other systems that read and send figures with a token instead of a password.

A client is scoped exactly as an officer: it has its own user with one Officer role (a
district, a province or the department), so every scope check of the pages holds for it
unchanged, and the audit trail names it as it names an officer. The user has no usable
password: it cannot sign in to the pages. The token is shown once when the client is made;
only its SHA-256 is kept (a random 256-bit token needs no slow hash to resist guessing).
"""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

TOKEN_PREFIX = "otop_"


def hash_token(token):
    return hashlib.sha256(token.encode()).hexdigest()


def new_token():
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


class ApiClientQuerySet(models.QuerySet):
    def usable(self, at=None):
        """Clients whose token works now: not revoked, not expired, user active."""
        at = at or timezone.now()
        return self.filter(revoked_at__isnull=True, expires_at__gt=at, user__is_active=True)


class ApiClient(models.Model):
    name = models.CharField("ชื่อระบบที่เชื่อมต่อ", max_length=100, unique=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="api_client",
        verbose_name="ผู้ใช้ของระบบ",
    )
    token_hash = models.CharField("รหัสโทเค็น (SHA-256)", max_length=64, unique=True)
    created_at = models.DateTimeField("สร้างเมื่อ", default=timezone.now)
    expires_at = models.DateTimeField("หมดอายุเมื่อ")
    revoked_at = models.DateTimeField("เพิกถอนเมื่อ", null=True, blank=True)

    objects = ApiClientQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = "ระบบที่เชื่อมต่อผ่าน API"
        verbose_name_plural = "ระบบที่เชื่อมต่อผ่าน API"

    def __str__(self):
        return self.name
