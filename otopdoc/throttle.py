"""Limit failed sign-ins from one address across every user name.

django-axes locks a user name at an address after AXES_FAILURE_LIMIT failures, which
leaves one address free to try a password on every account in turn. This adds a second,
larger limit on the failures of an address whatever the user names, counted from axes'
own records (AccessAttempt) over the same cool-off time. The second factor of a sign-in
(otopdoc.twofactor) counts its failures in the same records.
"""

from axes.helpers import get_client_ip_address, get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.utils import timezone

ADDRESS_LOCKED = (
    "มีการลงชื่อเข้าใช้ไม่สำเร็จจากเครื่องหรือเครือข่ายนี้หลายครั้งเกินไป "
    "ระบบจึงระงับการลงชื่อเข้าใช้จากที่นี่ชั่วคราว กรุณารอประมาณ {minutes} นาทีแล้วลองอีกครั้ง "
    "หรือติดต่อผู้ดูแลระบบ"
)


def client_address(request):
    """Return the address axes counts failures by (the proxy's forwarded one behind nginx)."""
    return getattr(request, "axes_ip_address", None) or get_client_ip_address(request)


def address_failures(request):
    """Return the failed sign-ins from the request's address within the cool-off time."""
    since = timezone.now() - get_cool_off(request)
    total = AccessAttempt.objects.filter(
        ip_address=client_address(request), attempt_time__gte=since
    ).aggregate(total=Sum("failures_since_start"))["total"]
    return total or 0


def address_locked(request):
    """Tell whether the request's address has failed too often across user names."""
    return address_failures(request) >= settings.OTOP_ADDRESS_FAILURE_LIMIT


def address_locked_message():
    return ADDRESS_LOCKED.format(minutes=round(settings.AXES_COOLOFF_TIME * 60))
