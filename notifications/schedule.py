"""Notices the calendar makes due: deadline reminders and the department's weekly summary.

Computed from the moment the worker is asked about (`--now`), in Asia/Bangkok. Each notice
has a key naming its office, month and kind, so it is queued once whatever how often the
worker runs; a worker that was down catches up with the most urgent reminder only.
"""

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.urls import reverse

from confirmations.completeness import NOTHING, Progress, Tally, district_figures
from notifications.events import emit, when_label
from notifications.models import Event, Kind
from otopdoc.fiscal import BANGKOK, FiscalMonth
from sales.models import District, Province

# How many late districts the weekly summary names before "and N more" (the page has all).
LATE_NAMED = 60


def plan(now):
    """Queue every reminder and summary due at `now`; return how many were queued."""
    queued = 0
    this_month = FiscalMonth.of(now.astimezone(BANGKOK).date())
    for fiscal_month in (this_month.previous, this_month):
        days = fiscal_month.days_to_deadline(now)
        if days < 0 or now > fiscal_month.deadline:
            continue
        reminder = due_reminder(days)
        if reminder is not None:
            queued += remind_districts(fiscal_month, reminder, days, now)
        if days <= settings.NOTIFY_PROVINCE_REMINDER_DAYS:
            queued += remind_provinces(fiscal_month, days, now)
    queued += weekly_summary(now)
    return queued


def due_reminder(days_left):
    """Return the reminder (in days before the deadline) due with `days_left`, or None.

    The smallest setting not below the days left: with 3 and 1, two days before is still
    the 3-day reminder's time (sent already, or caught up), the deadline day the 1-day's.
    """
    due = [day for day in settings.NOTIFY_REMINDER_DAYS if day >= days_left]
    return min(due) if due else None


def open_districts(fiscal_month, now, **filters):
    """Return [(district, Progress)] of districts with nothing entered or rows unconfirmed."""
    figures = district_figures(fiscal_month, **filters)
    districts = District.objects.filter(**filters).select_related("province").order_by("code")
    result = []
    for district in districts:
        progress = Progress.of(fiscal_month, now, figures.get(district.pk))
        if not progress.district_done:
            result.append((district, progress))
    return result


def _days_text(days):
    return "วันนี้เป็นวันสุดท้าย" if days == 0 else f"เหลืออีก {days} วัน"


def _new(keys):
    """Return the keys not queued yet, in one query."""
    done = set(Event.objects.filter(key__in=keys).values_list("key", flat=True))
    return [key for key in keys if key not in done]


@transaction.atomic
def remind_districts(fiscal_month, reminder, days, now):
    """Remind each open district once per month and reminder; return how many were queued.

    One transaction for all of them: one commit instead of 878, and a worker killed midway
    leaves nothing half done for the next round to finish.
    """
    stem = f"reminder:{reminder}:{fiscal_month.fiscal_year}:{fiscal_month.month}"
    pending = {f"{stem}:{d.pk}": (d, p) for d, p in open_districts(fiscal_month, now)}
    queued = 0
    for key in _new(list(pending)):
        district, progress = pending[key]
        if progress.state == NOTHING:
            status = "ยังไม่มีการบันทึกข้อมูล"
        else:
            status = f"ยังไม่ได้ยืนยัน {progress.unconfirmed} จาก {progress.rows} รายการ"
        queued += bool(
            emit(
                Kind.REMINDER,
                key,
                f"เตือน: ยืนยันข้อมูลเดือน{fiscal_month.label} ภายใน{when_label(fiscal_month.deadline)}",
                f"อำเภอ{district.name_th}: ข้อมูลยอดจำหน่ายเดือน{fiscal_month.label} {status} "
                f"กำหนดยืนยัน{when_label(fiscal_month.deadline)} ({_days_text(days)})",
                reverse(
                    "sales-month", args=[district.pk, fiscal_month.fiscal_year, fiscal_month.month]
                ),
                district=district,
                at=now,
            )
        )
    return queued


@transaction.atomic
def remind_provinces(fiscal_month, days, now):
    """Send each province the list of its districts still open; return how many were queued."""
    stem = f"open_districts:{fiscal_month.fiscal_year}:{fiscal_month.month}"
    by_province = {}
    for district, progress in open_districts(fiscal_month, now):
        by_province.setdefault(district.province, []).append((district, progress))
    keys = {f"{stem}:{province.pk}": province for province in by_province}
    queued = 0
    for key in _new(list(keys)):
        province = keys[key]
        lines = [
            f"- อำเภอ{d.name_th}: "
            + ("ยังไม่บันทึก" if p.state == NOTHING else f"ยังไม่ยืนยัน {p.unconfirmed} รายการ")
            for d, p in by_province[province]
        ]
        queued += bool(
            emit(
                Kind.OPEN_DISTRICTS,
                key,
                f"อำเภอที่ยังยืนยันข้อมูลเดือน{fiscal_month.label} ไม่ครบ {len(lines)} อำเภอ",
                f"จังหวัด{province.name_th}: กำหนดยืนยัน{when_label(fiscal_month.deadline)} "
                f"({_days_text(days)}) อำเภอที่ยังไม่ครบ\n" + "\n".join(lines),
                reverse(
                    "completeness-province",
                    args=[fiscal_month.fiscal_year, fiscal_month.month, province.pk],
                ),
                province=province,
                at=now,
            )
        )
    return queued


def weekly_summary(now):
    """Queue the department's summary once per ISO week, from its weekday and hour on."""
    local = now.astimezone(BANGKOK)
    if (local.weekday(), local.hour) < (
        settings.NOTIFY_WEEKLY_WEEKDAY,
        settings.NOTIFY_WEEKLY_HOUR,
    ):
        return 0
    year, week, _ = local.isocalendar()
    key = f"weekly:{year}-W{week:02d}"
    if not _new([key]):
        return 0
    fiscal_month = FiscalMonth.of(local.date()).previous
    return int(bool(emit(Kind.WEEKLY, key, *summary_text(fiscal_month, now), at=now)))


def summary_text(fiscal_month, now):
    """Return (subject, body, path) of the completeness summary of a month.

    Completeness by cluster and by province, and the districts named that are overdue
    (rows unconfirmed, or nothing entered, after the deadline); two queries.
    """
    figures = district_figures(fiscal_month)
    provinces = Province.objects.select_related("cluster").annotate(n=Count("districts"))
    districts = District.objects.order_by("code").values_list("code", "name_th", "province_id")
    names = {}
    for code, name, province in districts:
        names.setdefault(province, []).append((code, name))
    nation, clusters, province_lines, late = Tally(), {}, [], []
    for province in provinces.order_by("cluster__region", "code"):
        tally = Tally(districts=province.n)
        for code, name in names.get(province.pk, ()):
            progress = Progress.of(fiscal_month, now, figures.get(code))
            tally.add(progress)
            if progress.needs_attention:
                late.append(f"จ.{province.name_th} อ.{name}")
        clusters.setdefault(province.cluster, Tally()).add_tally(tally)
        nation.add_tally(tally)
        province_lines.append(f"- {province.name_th} {tally.reported}/{tally.districts}")
    cluster_lines = [f"- {c.name_th} {t.reported}/{t.districts}" for c, t in clusters.items()]
    share = round(100 * nation.reported / nation.districts, 1) if nation.districts else 0
    body = "\n".join(
        [
            f"ข้อมูลเดือน{fiscal_month.label} ณ {when_label(now)}",
            f"ทั้งประเทศ อำเภอยืนยันครบ {nation.reported} จาก {nation.districts} อำเภอ ({share}%)",
            "ตามกลุ่มจังหวัด (อำเภอที่ยืนยันครบ/ทั้งหมด)",
            *cluster_lines,
            "ตามจังหวัด",
            *province_lines,
            f"อำเภอที่เลยกำหนดแล้วยังไม่ครบ {len(late)} อำเภอ"
            + (": " + ", ".join(late[:LATE_NAMED]) if late else "")
            + (f" และอีก {len(late) - LATE_NAMED} อำเภอ" if len(late) > LATE_NAMED else ""),
        ]
    )
    return (
        f"สรุปความครบถ้วนข้อมูลเดือน{fiscal_month.label}: "
        f"ครบ {nation.reported}/{nation.districts} อำเภอ",
        body,
        reverse("completeness", args=[fiscal_month.fiscal_year, fiscal_month.month]),
    )
