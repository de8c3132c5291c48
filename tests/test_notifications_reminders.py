"""Deadline reminders and the weekly summary, computed from the calendar with --now.

November 2569 (FY 2570, month 11) closes on 5 December 2569 at 23:59 Asia/Bangkok; with the
default settings districts are reminded on the 2nd (3 days before) and the 4th (1 day
before), and provinces get their list of open districts on the 4th.
"""

import pytest
from django.core.management import call_command

from notifications import schedule
from notifications.models import Contact, Delivery, Event, Kind, Notification, State
from tests import notify_support
from tests.test_notifications_events import entered_month

smtp_server = notify_support.smtp_server
line_api = notify_support.line_api


def run(now):
    call_command("send_notifications", "--now", now)


def reminders(kind=Kind.REMINDER):
    return sorted(Event.objects.filter(kind=kind).values_list("key", flat=True))


def keys(days, *districts):
    return sorted(f"reminder:{days}:2570:11:{code}" for code in districts)


def test_reminders_go_3_and_1_days_before_and_never_twice(officers, geography):
    run("2026-12-01T08:00")
    assert reminders() == []  # 4 days before

    run("2026-12-02T00:00")  # midnight, Bangkok: 3 days before
    assert reminders() == keys(3, "5001", "5701", "5702")
    run("2026-12-02T17:30")
    run("2026-12-03T08:00")  # 2 days before: the 3-day reminder is already out
    assert reminders() == keys(3, "5001", "5701", "5702")
    assert reminders(Kind.OPEN_DISTRICTS) == []

    run("2026-12-04T08:00")
    assert reminders() == sorted(keys(3, "5001", "5701", "5702") + keys(1, "5001", "5701", "5702"))
    assert reminders(Kind.OPEN_DISTRICTS) == [
        "open_districts:2570:11:50",
        "open_districts:2570:11:57",
    ]
    count = Event.objects.exclude(kind=Kind.WEEKLY).count()
    run("2026-12-05T23:59")  # the last minute: everything due is out already
    run("2026-12-06T00:00")  # the month has closed
    run("2026-12-09T08:00")
    assert Event.objects.exclude(kind=Kind.WEEKLY).count() == count

    notice = Notification.objects.get(user=officers["owner"], event__key=keys(3, "5701")[0])
    assert notice.event.subject == (
        "เตือน: ยืนยันข้อมูลเดือนพฤศจิกายน 2569 ภายในวันที่ 5 ธันวาคม 2569 เวลา 23:59 น."
    )
    assert notice.event.body == (
        "อำเภอเมืองเชียงราย: ข้อมูลยอดจำหน่ายเดือนพฤศจิกายน 2569 ยังไม่มีการบันทึกข้อมูล "
        "กำหนดยืนยันวันที่ 5 ธันวาคม 2569 เวลา 23:59 น. (เหลืออีก 3 วัน)"
    )
    assert notice.event.path == "/sales/5701/2570/11/"
    province = Notification.objects.get(user=officers["province"], event__kind=Kind.OPEN_DISTRICTS)
    assert province.event.subject == "อำเภอที่ยังยืนยันข้อมูลเดือนพฤศจิกายน 2569 ไม่ครบ 2 อำเภอ"
    assert "- อำเภอเมืองเชียงราย: ยังไม่บันทึก\n- อำเภอเวียงชัย: ยังไม่บันทึก" in province.event.body
    assert province.event.path == "/confirm/completeness/2570/11/57/"
    assert not Notification.objects.filter(
        user=officers["other_province"], event__key="open_districts:2570:11:57"
    ).exists()


def test_nothing_is_sent_after_the_deadline(officers, geography):
    run("2026-12-06T00:00")
    run("2026-12-07T08:00")
    assert reminders() == reminders(Kind.OPEN_DISTRICTS) == []


def test_a_worker_down_until_the_last_minute_catches_up_once(officers, geography):
    run("2026-12-05T23:59")
    assert reminders() == keys(1, "5001", "5701", "5702")
    event = Event.objects.get(key=keys(1, "5701")[0])
    assert event.body.endswith("(วันนี้เป็นวันสุดท้าย)")
    run("2026-12-05T23:59:30")
    assert reminders() == keys(1, "5001", "5701", "5702")


def test_a_district_that_has_confirmed_gets_none(officers, geography):
    entered_month(officers, geography, confirm=True)  # 5701: every row confirmed
    entered_month(officers, geography, count=2, district=geography["wiang_chai"])
    run("2026-12-02T08:00")
    assert reminders() == keys(3, "5001", "5702")
    assert "ยังไม่ได้ยืนยัน 2 จาก 2 รายการ" in Event.objects.get(key=keys(3, "5702")[0]).body
    assert not Notification.objects.filter(
        user=officers["owner"], event__kind=Kind.REMINDER
    ).exists()

    run("2026-12-04T08:00")
    body = Event.objects.get(key="open_districts:2570:11:57").body
    assert "อำเภอเวียงชัย: ยังไม่ยืนยัน 2 รายการ" in body
    assert "เมืองเชียงราย" not in body


def test_a_province_whose_districts_all_confirmed_gets_no_list(officers, geography):
    entered_month(officers, geography, confirm=True)
    entered_month(officers, geography, district=geography["wiang_chai"], confirm=True)
    run("2026-12-04T08:00")
    assert reminders(Kind.OPEN_DISTRICTS) == ["open_districts:2570:11:50"]


def test_the_reminder_days_are_a_setting(officers, geography, settings):
    settings.NOTIFY_REMINDER_DAYS = [5]
    settings.NOTIFY_PROVINCE_REMINDER_DAYS = 0
    run("2026-11-30T09:00")
    assert reminders() == keys(5, "5001", "5701", "5702")
    run("2026-12-04T09:00")
    assert reminders(Kind.OPEN_DISTRICTS) == []
    run("2026-12-05T09:00")
    assert len(reminders(Kind.OPEN_DISTRICTS)) == 2


def test_a_worker_that_crashes_midway_sends_each_reminder_once_after_restart(
    officers, geography, monkeypatch
):
    real_emit = schedule.emit
    calls = []

    def crash_on_the_second(*args, **kwargs):
        calls.append(args[1])
        if len(calls) == 2:
            raise RuntimeError("killed")
        return real_emit(*args, **kwargs)

    monkeypatch.setattr(schedule, "emit", crash_on_the_second)
    with pytest.raises(RuntimeError):
        run("2026-12-02T08:00")
    assert reminders() == []  # all of the round or none of it
    monkeypatch.setattr(schedule, "emit", real_emit)
    run("2026-12-02T08:05")
    run("2026-12-02T08:10")
    assert reminders() == keys(3, "5001", "5701", "5702")
    assert (
        Notification.objects.filter(event__kind=Kind.REMINDER).count() == 4
    )  # 5701 has two officers


def test_reminders_reach_the_mail_server_and_line(officers, geography, smtp_server, line_api):
    Contact.objects.create(user=officers["owner"], email="somchai@cdd.example")
    Contact.objects.create(province=geography["chiang_rai"], line_id="C" + "1" * 32)
    run("2026-12-04T08:00")
    (mail,) = smtp_server.messages
    assert mail["to"] == ["somchai@cdd.example"]
    assert "เตือน: ยืนยันข้อมูลเดือนพฤศจิกายน 2569" in mail["subject"]
    assert "(เหลืออีก 1 วัน)" in mail["body"]
    assert "http://127.0.0.1:8000/sales/5701/2570/11/" in mail["body"]
    (push,) = line_api.pushed
    assert push["to"] == "C" + "1" * 32
    assert push["text"].startswith("อำเภอที่ยังยืนยันข้อมูลเดือนพฤศจิกายน 2569 ไม่ครบ 2 อำเภอ")
    assert "/confirm/completeness/2570/11/57/" in push["text"]
    assert set(Delivery.objects.values_list("state", flat=True)) == {State.SENT}


def test_the_weekly_summary_goes_to_the_department_once_a_week(officers, geography):
    entered_month(officers, geography, confirm=True)  # 5701 confirmed November in time
    run("2026-12-07T07:59")  # Monday, before 08:00
    assert not Event.objects.filter(kind=Kind.WEEKLY, key="weekly:2026-W50").exists()
    run("2026-12-07T08:00")
    run("2026-12-08T08:00")
    (event,) = Event.objects.filter(key="weekly:2026-W50")
    assert event.subject == "สรุปความครบถ้วนข้อมูลเดือนพฤศจิกายน 2569: ครบ 1/3 อำเภอ"
    assert "ทั้งประเทศ อำเภอยืนยันครบ 1 จาก 3 อำเภอ (33.3%)" in event.body
    assert "- กลุ่มจังหวัดภาคเหนือตอนบน 2 1/2" in event.body
    assert "- เชียงราย 1/2" in event.body and "- เชียงใหม่ 0/1" in event.body
    assert "อำเภอที่เลยกำหนดแล้วยังไม่ครบ 2 อำเภอ: จ.เชียงใหม่ อ.เมืองเชียงใหม่, จ.เชียงราย อ.เวียงชัย" in (
        event.body
    )
    assert event.path == "/confirm/completeness/2570/11/"
    assert list(event.notifications.values_list("user__username", flat=True)) == ["cdd"]


def test_the_summary_names_so_many_late_districts_and_counts_the_rest(
    officers, geography, monkeypatch
):
    monkeypatch.setattr(schedule, "LATE_NAMED", 1)
    run("2026-12-07T08:00")
    body = Event.objects.get(key="weekly:2026-W50").body
    assert body.endswith("อำเภอที่เลยกำหนดแล้วยังไม่ครบ 3 อำเภอ: จ.เชียงใหม่ อ.เมืองเชียงใหม่ และอีก 2 อำเภอ")
