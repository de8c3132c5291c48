"""The monthly calendar lock (SPEC section 3), decided in one place.

Two rules close writes to districts and provinces; the department is never locked:
1. The close window: from the close day (6th) to the day before the open day (10th) of
   every month, while the department compiles the figures, nobody below it writes.
2. A closed month: once a month's deadline (the 5th of the next month, 23:59) has passed,
   the month stays closed unless the department granted an exception for the district or
   its province that has not yet expired.
All times are Asia/Bangkok.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from otopdoc import fiscal, signals
from otopdoc.fiscal import BANGKOK, FiscalMonth


@dataclass(frozen=True)
class Refusal:
    """Why a write is refused, and when it can be tried again (None: not by itself)."""

    reason: str
    opens_at: datetime.datetime | None = None

    @property
    def message(self):
        if self.opens_at is None:
            return self.reason
        return f"{self.reason} ระบบจะเปิดให้บันทึกอีกครั้ง{_when(self.opens_at)}"


def _when(moment):
    day = moment.astimezone(BANGKOK)
    return (
        f"วันที่ {day.day} {fiscal.month_name(day.month)} {fiscal.be_year(day.year)}"
        f" เวลา {day:%H:%M} น."
    )


def calendar_days():
    """Return the days of the monthly calendar, for pages that explain it."""
    return {
        "deadline_day": settings.OTOP_DEADLINE_DAY,
        "close_day": settings.OTOP_CLOSE_DAY,
        "last_closed_day": settings.OTOP_OPEN_DAY - 1,
        "open_day": settings.OTOP_OPEN_DAY,
    }


def in_close_window(at=None):
    """Tell whether `at` falls between the close day and the day before the open day."""
    day = (at or fiscal.now()).astimezone(BANGKOK).day
    return settings.OTOP_CLOSE_DAY <= day < settings.OTOP_OPEN_DAY


def reopening(at=None):
    """Return when the current close window ends: the open day, 00:00, Bangkok."""
    at = (at or fiscal.now()).astimezone(BANGKOK)
    return datetime.datetime(at.year, at.month, settings.OTOP_OPEN_DAY, tzinfo=BANGKOK)


def active_exception(fiscal_month, district=None, province=None, at=None):
    """Return the latest unexpired exception opening this month for the area, or None."""
    from django.db.models import Q

    from sales.models import LockException

    at = at or fiscal.now()
    if district is not None:
        area = Q(district=district) | Q(province_id=district.province_id)
    elif province is not None:
        area = Q(province=province)
    else:
        # No area, no exception: an empty Q() would let any area's exception open it.
        return None
    return (
        LockException.objects.filter(
            area,
            fiscal_year=fiscal_month.fiscal_year,
            month=fiscal_month.month,
            open_until__gt=at,
            withdrawn_at__isnull=True,
        )
        .order_by("-open_until")
        .first()
    )


@transaction.atomic
def withdraw_exception(exception_id, user, at=None):
    """End an exception before its time, recording who withdrew it and when.

    One conditional UPDATE: an exception already withdrawn or expired is left as it is
    and False comes back, so two clicks (or two officers) record one withdrawal. A real
    withdrawal is signalled in the same transaction (notifications tells the area).
    """
    from sales.models import LockException

    at = at or fiscal.now()
    withdrawn = bool(
        LockException.objects.filter(
            pk=exception_id, withdrawn_at__isnull=True, open_until__gt=at
        ).update(withdrawn_at=at, withdrawn_by=user)
    )
    if withdrawn:
        signals.lock_exception_withdrawn.send(
            withdraw_exception, exception_id=exception_id, user=user, at=at
        )
    return withdrawn


def refusal(officer, fiscal_month=None, district=None, province=None, at=None):
    """Return a Refusal if the officer may not write now (to this month), else None.

    Steps:
    1. The department (and a user without an officer role) is never refused here.
    2. Inside the close window, refuse with the time it reopens.
    3. For a given month: refuse a month that has not started yet, and a month whose
       deadline has passed unless an unexpired exception opens it for the area (the
       officer's own area when none is given).
    """
    if officer is None or officer.is_department:
        return None
    at = at or fiscal.now()
    if in_close_window(at):
        return Refusal(
            "กรมการพัฒนาชุมชนปิดระบบเพื่อรวบรวมข้อมูลยอดจำหน่ายทั้ง 76 จังหวัด "
            f"ตั้งแต่วันที่ {settings.OTOP_CLOSE_DAY} ถึงวันที่ {settings.OTOP_OPEN_DAY - 1} "
            "ของทุกเดือน จึงยังบันทึกหรือยืนยันข้อมูลไม่ได้",
            reopening(at),
        )
    if fiscal_month is None:
        return None
    if not fiscal_month.has_started(at.astimezone(BANGKOK).date()):
        return Refusal(f"ยังไม่ถึงเดือน{fiscal_month.label} จึงบันทึกยอดจำหน่ายล่วงหน้าไม่ได้")
    if at > fiscal_month.deadline:
        if district is None and province is None:
            district, province = officer.district, officer.province
        if active_exception(fiscal_month, district=district, province=province, at=at):
            return None
        return Refusal(
            f"ข้อมูลเดือน{fiscal_month.label} ปิดรับแล้วเมื่อ{_when(fiscal_month.deadline)} "
            "หากจำเป็นต้องแก้ไข โปรดขอให้กรมการพัฒนาชุมชนเปิดระบบเป็นกรณีพิเศษ"
        )
    return None


def banner(request, fiscal_month=None, district=None, province=None):
    """Return the Refusal the signed-in officer would meet on writing here, or None.

    Pages show it before the officer types, so nobody fills a form the server will refuse.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    return refusal(getattr(user, "officer", None), fiscal_month, district, province)


__all__ = [
    "FiscalMonth",
    "Refusal",
    "active_exception",
    "banner",
    "calendar_days",
    "in_close_window",
    "refusal",
    "withdraw_exception",
]
