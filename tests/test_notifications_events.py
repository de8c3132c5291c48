"""Each event is queued in the transaction of what caused it: on commit, never on rollback.

Sent back rows (to the district, with rows and reason), a district that finished
confirming (to its province), a calendar exception granted or withdrawn (to the area).
"""

import datetime
import threading
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from confirmations import services as confirmations
from notifications import events, worker
from notifications.models import Contact, Delivery, Event, Kind, Notification
from otopdoc.fiscal import BANGKOK, FiscalMonth
from otopdoc.lock import withdraw_exception
from sales.models import LockException, MonthlySale
from sales.services import month_revision, save_month
from tests import notify_support

NOW = datetime.datetime(2026, 12, 1, 10, 0, tzinfo=BANGKOK)
NOVEMBER = FiscalMonth(2570, 11)


class Boom(Exception):
    pass


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)


def entered_month(officers, geography, producer=None, count=2, confirm=False, district=None):
    """Save `count` rows of November 2569 for a district (5701), ticked by it if `confirm`."""
    district = district or geography["mueang_cr"]
    user = officers["owner"] if district.pk == "5701" else officers["neighbour"]
    save_month(
        district,
        NOVEMBER,
        user,
        month_revision(district, NOVEMBER),
        rows=[
            {
                "id": None,
                "name": f"กลุ่มทอผ้า {district.pk}-{i}",
                "product_type": "textile",
                "producer_type": "group",
                "domestic": Decimal("1500.00"),
                "export": Decimal("0"),
            }
            for i in range(count)
        ],
        deleted_ids=[],
    )
    rows = list(MonthlySale.objects.for_month(district, NOVEMBER).order_by("pk"))
    if confirm:
        confirmations.confirm_district(
            district, NOVEMBER, user, {r.pk: r.version for r in rows}, {r.pk for r in rows}
        )
        rows = list(MonthlySale.objects.for_month(district, NOVEMBER).order_by("pk"))
    return rows


def send_back(officers, geography, rows, reason="ยอดไม่ตรงกับใบเสร็จ"):
    return confirmations.send_back(
        geography["mueang_cr"],
        NOVEMBER,
        officers["province"],
        {r.pk: r.version for r in rows},
        {rows[0].pk},
        reason,
    )


def inbox(user, kind=None):
    notices = Notification.objects.filter(user=user).select_related("event")
    return list(notices.filter(event__kind=kind) if kind else notices)


def test_rows_sent_back_reach_the_district_at_once_with_rows_and_reason(officers, geography):
    rows = entered_month(officers, geography, confirm=True)
    send_back(officers, geography, rows)

    (notice,) = inbox(officers["owner"])
    event = notice.event
    assert event.kind == Kind.SENT_BACK
    assert event.subject == "รายการถูกส่งกลับให้แก้ไข 1 รายการ เดือนพฤศจิกายน 2569"
    assert "เหตุผล: ยอดไม่ตรงกับใบเสร็จ" in event.body
    assert "- กลุ่มทอผ้า 5701-0 (ผ้า เครื่องแต่งกาย)" in event.body
    assert event.path == "/sales/5701/2570/11/?filter=returned"
    assert len(inbox(officers["colleague"])) == 1
    assert inbox(officers["neighbour"]) == inbox(officers["province"], Kind.SENT_BACK) == []


def test_a_send_back_rolled_back_notifies_nobody(officers, geography):
    rows = entered_month(officers, geography, confirm=True)
    with pytest.raises(Boom), transaction.atomic():
        send_back(officers, geography, rows)
        assert Event.objects.filter(kind=Kind.SENT_BACK).count() == 1
        raise Boom
    assert not Event.objects.filter(kind=Kind.SENT_BACK).exists()
    assert not Notification.objects.filter(event__kind=Kind.SENT_BACK).exists()


def test_a_district_that_confirms_its_last_row_tells_its_province(officers, geography):
    rows = entered_month(officers, geography, count=3)
    shown = {r.pk: r.version for r in rows}
    user = officers["owner"]
    confirmations.confirm_district(geography["mueang_cr"], NOVEMBER, user, shown, {rows[0].pk})
    assert not Event.objects.filter(kind=Kind.DISTRICT_DONE).exists()  # one row is not all

    rows = list(MonthlySale.objects.for_month(geography["mueang_cr"], NOVEMBER).order_by("pk"))
    shown = {r.pk: r.version for r in rows}
    confirmations.confirm_district(geography["mueang_cr"], NOVEMBER, user, shown, set(shown))

    (notice,) = inbox(officers["province"])
    assert notice.event.subject == "อำเภอเมืองเชียงราย ยืนยันข้อมูลเดือนพฤศจิกายน 2569 ครบแล้ว"
    assert "ครบทั้ง 3 รายการ" in notice.event.body
    assert notice.event.path == "/confirm/province/5701/2570/11/"
    assert inbox(officers["other_province"]) == inbox(officers["owner"]) == []


def test_a_confirmation_rolled_back_tells_no_province(officers, geography):
    rows = entered_month(officers, geography)
    with pytest.raises(Boom), transaction.atomic():
        confirmations.confirm_district(
            geography["mueang_cr"],
            NOVEMBER,
            officers["owner"],
            {r.pk: r.version for r in rows},
            {r.pk for r in rows},
        )
        raise Boom
    assert not Event.objects.exists()


def exception(geography, officers, **area):
    return LockException.objects.create(
        fiscal_year=2570,
        month=10,
        open_until=datetime.datetime(2026, 12, 15, 23, 59, tzinfo=BANGKOK),
        reason="น้ำท่วมสำนักงาน",
        granted_by=officers["department"],
        **area,
    )


def test_an_exception_granted_tells_the_district(officers, geography):
    exception(geography, officers, district=geography["wiang_chai"])
    (notice,) = inbox(officers["neighbour"])
    assert notice.event.kind == Kind.EXCEPTION
    assert "เดือนตุลาคม 2569" in notice.event.subject
    assert "วันที่ 15 ธันวาคม 2569 เวลา 23:59 น." in notice.event.body
    assert "เหตุผล: น้ำท่วมสำนักงาน" in notice.event.body
    assert notice.event.path == "/sales/5702/2570/10/"
    assert inbox(officers["owner"]) == []


def test_an_exception_for_a_province_tells_the_province(officers, geography):
    exception(geography, officers, province=geography["chiang_rai"])
    (notice,) = inbox(officers["province"])
    assert "จังหวัดเชียงราย (ทุกอำเภอ)" in notice.event.body
    assert notice.event.path == "/province/57/"


def test_an_exception_rolled_back_tells_nobody(officers, geography):
    with pytest.raises(Boom), transaction.atomic():
        exception(geography, officers, district=geography["wiang_chai"])
        raise Boom
    assert not Event.objects.exists()


def test_a_withdrawal_tells_the_district_once(officers, geography):
    granted = exception(geography, officers, district=geography["wiang_chai"])
    events.exception_withdrawn(granted)
    events.exception_withdrawn(granted)  # called twice (a double post): one notice
    subjects = [n.event.subject for n in inbox(officers["neighbour"])]
    assert subjects.count("ยกเลิกการเปิดระบบกรณีพิเศษ เดือนตุลาคม 2569") == 1


def test_a_withdrawal_on_the_calendar_page_tells_the_district(client, officers, geography):
    granted = exception(geography, officers, district=geography["wiang_chai"])
    client.force_login(officers["department"])
    url = reverse("lock-exception-withdraw", args=[granted.pk])
    assert client.post(url).status_code == 302
    assert client.post(url).status_code == 302  # a second click: already withdrawn
    notices = inbox(officers["neighbour"])
    assert [n.event.subject for n in notices].count("ยกเลิกการเปิดระบบกรณีพิเศษ เดือนตุลาคม 2569") == 1
    withdrawn = next(n.event for n in notices if n.event.key.startswith("exception_withdrawn"))
    assert "ข้อมูลเดือนนี้ปิดรับตามปฏิทินตามเดิม" in withdrawn.body
    assert withdrawn.path == "/sales/5702/2570/10/"


def test_a_withdrawal_rolled_back_tells_nobody(officers, geography):
    granted = exception(geography, officers, district=geography["wiang_chai"])
    with pytest.raises(Boom), transaction.atomic():
        assert withdraw_exception(granted.pk, officers["department"])
        raise Boom
    assert not Event.objects.filter(key__startswith="exception_withdrawn").exists()


def test_an_exception_granted_on_the_calendar_page_tells_the_district(client, officers, geography):
    client.force_login(officers["department"])
    response = client.post(
        reverse("lock-exception-grant"),
        {
            "district": "5702",
            "province": "",
            "fiscal_year": "2570",
            "month": "10",
            "open_until_date": "10/12/2569",
            "open_until_time": "23:59",
            "reason": "ไฟฟ้าดับทั้งอำเภอ",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    (notice,) = inbox(officers["neighbour"])
    assert "เหตุผล: ไฟฟ้าดับทั้งอำเภอ" in notice.event.body


@pytest.mark.django_db(transaction=True)
def test_the_worker_sees_an_event_only_once_its_transaction_commits():
    """A second connection (the worker) finds nothing while the send-back is uncommitted."""
    if connection.vendor != "postgresql":
        pytest.skip("a reader beside an open writer: PostgreSQL's READ COMMITTED")
    from notifications.models import Contact
    from tests.conftest import make_geography, make_officers

    geography = make_geography()
    officers = make_officers()
    Contact.objects.create(user=officers["owner"], line_id="U" + "c" * 32)
    rows = entered_month(officers, geography, confirm=True)
    seen = {}

    def look(label):
        seen[label] = Delivery.objects.filter(state="pending").count()
        worker.release_stale_claims(NOW)  # a worker's statements, on its own connection
        connection.close()

    with transaction.atomic():
        send_back(officers, geography, rows)
        reader = threading.Thread(target=look, args=("before commit",))
        reader.start()
        reader.join()
    reader = threading.Thread(target=look, args=("after commit",))
    reader.start()
    reader.join()
    assert seen == {"before commit": 0, "after commit": 1}


smtp_server = notify_support.smtp_server
line_api = notify_support.line_api


def test_every_event_reaches_the_app_the_mail_server_and_line(
    officers, geography, smtp_server, line_api
):
    """Each kind, caused the way the pages cause it, goes out by e-mail and LINE with its link."""
    people = {
        "owner": "somchai",
        "neighbour": "wiang",
        "province": "cr",
        "department": "cdd",
    }
    for n, (who, name) in enumerate(people.items()):
        Contact.objects.create(
            user=officers[who], email=f"{name}@cdd.example", line_id=f"U{n:032x}"
        )
    rows = entered_month(officers, geography, confirm=True)  # 5701 done: to the province
    send_back(officers, geography, rows)  # to 5701
    granted = exception(geography, officers, district=geography["wiang_chai"])  # to 5702
    withdraw_exception(granted.pk, officers["department"])  # to 5702
    worker.run_once(datetime.datetime(2026, 12, 7, 8, 0, tzinfo=BANGKOK))  # Monday: summary

    mails = {(m["to"][0], m["subject"].strip()) for m in smtp_server.messages}
    pushes = {(p["to"], p["text"].split("\n")[0]) for p in line_api.pushed}
    expected = {
        ("somchai", f"U{0:032x}", "รายการถูกส่งกลับให้แก้ไข 1 รายการ เดือนพฤศจิกายน 2569"),
        ("cr", f"U{2:032x}", "อำเภอเมืองเชียงราย ยืนยันข้อมูลเดือนพฤศจิกายน 2569 ครบแล้ว"),
        ("wiang", f"U{1:032x}", "ยกเลิกการเปิดระบบกรณีพิเศษ เดือนตุลาคม 2569"),
        ("cdd", f"U{3:032x}", "สรุปความครบถ้วนข้อมูลเดือนพฤศจิกายน 2569: ครบ 0/3 อำเภอ"),
    }
    for name, line_id, subject in expected:
        assert (f"{name}@cdd.example", f"[OTOP] {subject}") in mails
        assert (line_id, subject) in pushes
    granted_subject = next(s for to, s in mails if to == "wiang@cdd.example" and "ถึงวันที่" in s)
    assert granted_subject.startswith("[OTOP] เปิดระบบกรณีพิเศษ เดือนตุลาคม 2569")
    links = "\n".join(m["body"] for m in smtp_server.messages)
    for path in (
        "/sales/5701/2570/11/?filter=returned",
        "/confirm/province/5701/2570/11/",
        "/sales/5702/2570/10/",
        "/confirm/completeness/2570/11/",
    ):
        assert f"http://127.0.0.1:8000{path}" in links
    assert set(Delivery.objects.values_list("state", flat=True)) == {"sent"}
