"""The department's exception screen: who may open it, granting, and Thai errors by field."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from otopdoc.fiscal import BANGKOK
from sales.models import LockException

LIST_URL = "/calendar/exceptions/"
GRANT_URL = "/calendar/exceptions/grant/"
# The clock: 12 November 2025, 10:00 in Bangkok. October 2568 B.E. closed on 5 November.
NOW = datetime.datetime(2025, 11, 12, 10, 0, tzinfo=BANGKOK)
VALID = {
    "district": "5701",
    "province": "",
    "fiscal_year": "2569",
    "month": "10",
    "open_until_date": "20/11/2568",
    "open_until_time": "16:30",
    "reason": "ผู้ผลิตส่งยอดล่าช้าเพราะน้ำท่วม",
}


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)


def grant(user, open_until, **area):
    return LockException.objects.create(
        fiscal_year=2569,
        month=10,
        open_until=open_until,
        reason="ผู้ผลิตส่งยอดล่าช้า",
        granted_by=user,
        **area,
    )


def test_it_lists_exceptions_for_the_department(client, officers, geography):
    grant(
        officers["department"],
        datetime.datetime(2025, 11, 20, 16, 30, tzinfo=BANGKOK),
        district=geography["mueang_cr"],
    )
    grant(
        officers["department"],
        datetime.datetime(2025, 11, 11, 12, 0, tzinfo=BANGKOK),
        province=geography["chiang_mai"],
    )
    client.force_login(officers["department"])
    response = client.get(LIST_URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert "อำเภอเมืองเชียงราย จังหวัดเชียงราย" in page
    assert "จังหวัดเชียงใหม่ (ทุกอำเภอ)" in page
    assert "ตุลาคม 2568" in page
    assert "20 พฤศจิกายน 2568 16:30 น." in page
    assert "ผู้ผลิตส่งยอดล่าช้า" in page
    assert "cdd" in page
    assert page.count("เปิดอยู่") == 1
    assert page.count("หมดเวลาแล้ว") == 1


def test_it_grants_an_exception_for_a_district(client, officers, geography):
    client.force_login(officers["department"])
    response = client.post(GRANT_URL, VALID, follow=True)
    assert response.redirect_chain == [(LIST_URL, 302)]
    granted = LockException.objects.get()
    assert granted.district == geography["mueang_cr"]
    assert granted.province is None
    assert (granted.fiscal_year, granted.month) == (2569, 10)
    assert granted.open_until == datetime.datetime(2025, 11, 20, 16, 30, tzinfo=BANGKOK)
    assert granted.granted_by == officers["department"]
    assert "บันทึกข้อมูลเดือนตุลาคม 2568" in response.content.decode()


def test_it_grants_an_exception_for_a_province(client, officers, geography):
    client.force_login(officers["department"])
    client.post(GRANT_URL, {**VALID, "district": "", "province": "57"})
    granted = LockException.objects.get()
    assert (granted.district, granted.province) == (None, geography["chiang_rai"])


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"district": "9999"}, "district", "ไม่พบอำเภอรหัส 9999"),
        ({"district": "57"}, "district", "ไม่พบอำเภอรหัส 57"),
        ({"district": "", "province": "99"}, "province", "ไม่พบจังหวัดรหัส 99"),
        ({"province": "57"}, "province", "ระบุได้อย่างใดอย่างหนึ่งเท่านั้น"),
        ({"district": ""}, "district", "กรุณาระบุรหัสอำเภอ หรือรหัสจังหวัด"),
        (
            {"open_until_date": "12/11/2568", "open_until_time": "09:59"},
            "open_until_date",
            "ต้องอยู่หลังเวลาปัจจุบัน",
        ),
        ({"open_until_date": "31/11/2568"}, "open_until_date", "ไม่มีวันที่ 31 พฤศจิกายน 2568"),
        ({"month": "11"}, "month", "เดือนพฤศจิกายน 2568 ยังไม่ถึงกำหนดปิดรับ"),
        ({"month": "12"}, "month", "เดือนธันวาคม 2568 ยังไม่ถึงกำหนดปิดรับ"),
        ({"month": "13"}, "month", "ไม่มีเดือนนี้"),
        ({"fiscal_year": "ปีนี้"}, "fiscal_year", "ต้องเป็นตัวเลข"),
        ({"reason": "   "}, "reason", "กรุณาระบุเหตุผล"),
        ({"reason": "ผู้ผลิต\x00ส่ง\x07ช้า"}, "reason", "มีอักขระควบคุมที่มองไม่เห็น"),
    ],
)
def test_it_says_what_is_wrong_by_the_field_and_grants_nothing(
    client, officers, change, field, message
):
    client.force_login(officers["department"])
    response = client.post(GRANT_URL, {**VALID, **change})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == [field]
    assert message in errors[field][0]
    assert message in response.content.decode()
    assert not LockException.objects.exists()


@pytest.mark.parametrize("who", ["owner", "province", "outsider"])
def test_it_is_not_found_for_districts_and_provinces(client, officers, who):
    client.force_login(officers[who])
    assert client.get(LIST_URL).status_code == 404
    assert client.post(GRANT_URL, VALID).status_code == 404
    assert not LockException.objects.exists()


@pytest.mark.parametrize("url", [LIST_URL, GRANT_URL])
def test_it_sends_strangers_to_sign_in(client, geography, url):
    response = client.post(url, VALID) if url == GRANT_URL else client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert not LockException.objects.exists()


def test_granting_takes_a_post(client, officers):
    client.force_login(officers["department"])
    assert client.get(GRANT_URL).status_code == 405


def test_the_department_sees_the_link_in_its_menu(client, officers):
    client.force_login(officers["department"])
    assert f'href="{LIST_URL}"' in client.get("/nation/").content.decode()
    client.force_login(officers["owner"])
    assert f'href="{LIST_URL}"' not in client.get("/district/5701/").content.decode()


def test_the_list_costs_the_same_queries_for_more_rows(
    client, officers, geography, django_assert_num_queries
):
    client.force_login(officers["department"])
    until = datetime.datetime(2025, 11, 20, tzinfo=BANGKOK)
    grant(officers["department"], until, district=geography["mueang_cr"])
    with CaptureQueriesContext(connection) as small:
        client.get(LIST_URL)
    for area in ("wiang_chai", "mueang_cm"):
        grant(officers["department"], until, district=geography[area])
    for area in ("chiang_rai", "chiang_mai"):
        grant(officers["department"], until, province=geography[area])
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(LIST_URL)
    assert len(response.context["rows"]) == 5
