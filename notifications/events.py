"""Queue notices: an Event, each officer's in-app Notification and each outside Delivery.

Every function here writes in the caller's transaction (through a savepoint), never sends
anything: the worker sends committed deliveries later, so a rolled-back save notifies
nobody and a failing mail server or LINE never blocks or undoes a save.
"""

import uuid

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from notifications.models import Channel, Contact, Delivery, Event, Kind, Notification
from otopdoc.fiscal import BANGKOK, FiscalMonth, be_year, month_name
from otopdoc.models import Officer, Role
from sales.models import ProductType

# How many sent-back rows a message lists before "and N more".
LISTED_ROWS = 10


def when_label(moment):
    """Return a moment as officers read it: "วันที่ 5 ธันวาคม 2569 เวลา 23:59 น."."""
    day = moment.astimezone(BANGKOK)
    return f"วันที่ {day.day} {month_name(day.month)} {be_year(day.year)} เวลา {day:%H:%M} น."


def office_officers(district=None, province=None, department=False):
    """Return the active officers' users of one office: a district, a province or the department."""
    officers = Officer.objects.filter(user__is_active=True)
    if district is not None:
        officers = officers.filter(role=Role.DISTRICT, district=district)
    elif province is not None:
        officers = officers.filter(role=Role.PROVINCE, province=province)
    elif department:
        officers = officers.filter(role=Role.DEPARTMENT)
    else:
        return []
    return [officer.user_id for officer in officers.only("user_id")]


def emit(kind, key, subject, body, path, *, district=None, province=None, at=None):
    """Queue one event for its office; return it, or None if its key was queued before.

    Steps:
    1. Insert the Event under its unique key (an existing key: done already, stop).
    2. Add it to the in-app list of every active officer of the office.
    3. Add a pending Delivery for each e-mail address and LINE ID of those officers and of
       the office itself that wants this kind, each address once.
    The office is the district, else the province, else (neither) the department.
    """
    at = at or timezone.now()
    with transaction.atomic():
        event, created = Event.objects.get_or_create(
            key=key,
            defaults={
                "kind": kind,
                "subject": subject[:200],
                "body": body,
                "path": path,
                "district": district,
                "province": province,
                "created_at": at,
            },
        )
        if not created:
            return None
        users = office_officers(
            district, province, department=district is None and province is None
        )
        Notification.objects.bulk_create(Notification(event=event, user_id=u) for u in users)
        office = (
            {"district": district} if district else {"province": province} if province else None
        )
        contacts = Contact.objects.filter(user_id__in=users)
        if office:
            contacts = contacts | Contact.objects.filter(**office)
        addresses = {}
        for contact in contacts:
            if not contact.wants(kind):
                continue
            if contact.email:
                addresses[(Channel.EMAIL, contact.email.lower())] = contact.email
            if contact.line_id:
                addresses[(Channel.LINE, contact.line_id)] = contact.line_id
        Delivery.objects.bulk_create(
            Delivery(event=event, channel=channel, address=address, next_attempt_at=at)
            for (channel, _), address in sorted(addresses.items())
        )
    return event


def _month_path(name, district, fiscal_month):
    return reverse(name, args=[district.pk, fiscal_month.fiscal_year, fiscal_month.month])


def rows_sent_back(district, fiscal_month, rows, reason, by=None, at=None):
    """Tell the district at once which rows its province sent back, and why."""
    lines = [
        f"- {row.producer.name} ({ProductType(row.product_type).label})"
        for row in rows[:LISTED_ROWS]
    ]
    if len(rows) > LISTED_ROWS:
        lines.append(f"และอีก {len(rows) - LISTED_ROWS} รายการ")
    body = (
        f"จังหวัด{district.province.name_th}ส่งกลับ {len(rows)} รายการ "
        f"ของเดือน{fiscal_month.label} ให้แก้ไข\n"
        f"เหตุผล: {reason}\n" + "\n".join(lines)
    )
    return emit(
        Kind.SENT_BACK,
        f"sent_back:{district.pk}:{fiscal_month.fiscal_year}:{fiscal_month.month}:{uuid.uuid4()}",
        f"รายการถูกส่งกลับให้แก้ไข {len(rows)} รายการ เดือน{fiscal_month.label}",
        body,
        _month_path("sales-month", district, fiscal_month) + "?filter=returned",
        district=district,
        at=at,
    )


def district_finished(district, fiscal_month, rows, at=None):
    """Tell the province that a district has confirmed every row of its month."""
    return emit(
        Kind.DISTRICT_DONE,
        f"district_done:{district.pk}:{fiscal_month.fiscal_year}:{fiscal_month.month}:{uuid.uuid4()}",
        f"อำเภอ{district.name_th} ยืนยันข้อมูลเดือน{fiscal_month.label} ครบแล้ว",
        f"อำเภอ{district.name_th} ยืนยันข้อมูลยอดจำหน่ายเดือน{fiscal_month.label} ครบทั้ง "
        f"{rows} รายการ รอจังหวัดยืนยัน",
        _month_path("confirm-province", district, fiscal_month),
        province=district.province,
        at=at,
    )


def _exception_area(exception):
    """Return (office kwargs, Thai name, page) of the area an exception opens."""
    fiscal_month = FiscalMonth(exception.fiscal_year, exception.month)
    if exception.district_id:
        district = exception.district
        return (
            {"district": district},
            f"อำเภอ{district.name_th}",
            _month_path("sales-month", district, fiscal_month),
        )
    province = exception.province
    return (
        {"province": province},
        f"จังหวัด{province.name_th} (ทุกอำเภอ)",
        reverse("province-home", args=[province.pk]),
    )


def exception_granted(exception, at=None):
    """Tell the district or province that the department re-opened a month for it."""
    office, name, path = _exception_area(exception)
    fiscal_month = FiscalMonth(exception.fiscal_year, exception.month)
    return emit(
        Kind.EXCEPTION,
        f"exception_granted:{exception.pk}",
        f"เปิดระบบกรณีพิเศษ เดือน{fiscal_month.label} ถึง{when_label(exception.open_until)}",
        f"กรมการพัฒนาชุมชนเปิดระบบให้{name} บันทึกและยืนยันข้อมูลเดือน{fiscal_month.label} "
        f"ได้ถึง{when_label(exception.open_until)}\nเหตุผล: {exception.reason}",
        path,
        at=at,
        **office,
    )


def exception_withdrawn(exception, at=None):
    """Tell the district or province that its exception was withdrawn before its end."""
    office, name, path = _exception_area(exception)
    fiscal_month = FiscalMonth(exception.fiscal_year, exception.month)
    return emit(
        Kind.EXCEPTION,
        f"exception_withdrawn:{exception.pk}",
        f"ยกเลิกการเปิดระบบกรณีพิเศษ เดือน{fiscal_month.label}",
        f"กรมการพัฒนาชุมชนยกเลิกการเปิดระบบให้{name} สำหรับข้อมูลเดือน{fiscal_month.label} "
        "แล้ว ข้อมูลเดือนนี้ปิดรับตามปฏิทินตามเดิม",
        path,
        at=at,
        **office,
    )
