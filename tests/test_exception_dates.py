"""Issue 10 point 8 and issue 17: B.E. dates on the exception screen, its upper bound,
withdrawal before expiry, and what a district sees while its month is open by exception."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import timezone

from otopdoc.fiscal import BANGKOK, FiscalMonth
from otopdoc.lock import refusal
from otopdoc.thaidates import parse_be_date, parse_time
from sales.models import LockException

LIST_URL = "/calendar/exceptions/"
GRANT_URL = "/calendar/exceptions/grant/"
# 12 November 2568 B.E. (2025), 10:00 Bangkok: October 2568 closed on 5 November.
NOW = datetime.datetime(2025, 11, 12, 10, 0, tzinfo=BANGKOK)
OCTOBER = FiscalMonth(2569, 10)
FORM = {
    "district": "5701",
    "province": "",
    "fiscal_year": "2569",
    "month": "10",
    "open_until_time": "23:59",
    "reason": "ผู้ผลิตส่งยอดล่าช้า",
}


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)


@pytest.mark.parametrize(
    ("typed", "day"),
    [
        ("12/05/2569", datetime.date(2026, 5, 12)),
        ("1/2/2569", datetime.date(2026, 2, 1)),
        ("๑๒/๐๕/๒๕๖๙", datetime.date(2026, 5, 12)),
        ("29/02/2567", datetime.date(2024, 2, 29)),
        (" 12-05-2569 ", datetime.date(2026, 5, 12)),
    ],
)
def test_a_be_date_means_the_day_an_officer_wrote(typed, day):
    assert parse_be_date(typed) == day


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("12/05/2026", "ปี 2026 ไม่ใช่ปี พ.ศ."),
        ("31/12/9999", "ปี 9999 ไม่ใช่ปี พ.ศ."),
        ("9999-12-31", "วัน/เดือน/ปี พ.ศ."),
        ("2026-05-12", "วัน/เดือน/ปี พ.ศ."),
        ("12/05/69", "วัน/เดือน/ปี พ.ศ."),
        ("29/02/2569", "ไม่มีวันที่ 29 กุมภาพันธ์ 2569"),
        ("31/04/2569", "ไม่มีวันที่ 31 เมษายน 2569"),
        ("12/13/2569", "ไม่มีเดือนที่ 13"),
        ("พรุ่งนี้", "วัน/เดือน/ปี พ.ศ."),
    ],
)
def test_an_impossible_date_is_refused_in_thai(typed, message):
    with pytest.raises(ValidationError) as refused:
        parse_be_date(typed)
    assert message in refused.value.messages[0]


@pytest.mark.parametrize(
    ("typed", "time"),
    [
        ("16:30", datetime.time(16, 30)),
        ("16.30 น.", datetime.time(16, 30)),
        ("0:05", datetime.time(0, 5)),
    ],
)
def test_a_24_hour_time_is_read(typed, time):
    assert parse_time(typed) == time


@pytest.mark.parametrize(("typed", "message"), [("24:00", "ไม่มีเวลา 24:00"), ("4 pm", "24 ชั่วโมง")])
def test_an_impossible_time_is_refused_in_thai(typed, message):
    with pytest.raises(ValidationError) as refused:
        parse_time(typed)
    assert message in refused.value.messages[0]


def test_12_05_2569_is_12_may_not_a_month_in_3112(client, officers):
    """The issue's own example, at a clock where 12 May 2569 lies within the bound."""
    client.force_login(officers["department"])
    with override_settings(OTOP_EXCEPTION_MAX_DAYS=366):
        response = client.post(GRANT_URL, {**FORM, "open_until_date": "12/05/2569"})
    assert response.status_code == 302
    granted = LockException.objects.get()
    assert granted.open_until == datetime.datetime(2026, 5, 12, 23, 59, tzinfo=BANGKOK)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        # Ninety days from 12 November 2568 is 10 February 2569.
        ("11/02/2569", "ได้ไม่เกิน 90 วันนับจากวันนี้ (ไม่เกินวันที่ 10 กุมภาพันธ์ 2569 23:59 น.)"),
        ("12/05/2569", "ได้ไม่เกิน 90 วัน"),
        ("31/12/9999", "ปี 9999 ไม่ใช่ปี พ.ศ."),  # issue 17: once granted until 9999-12-31
        ("9999-12-31", "วัน/เดือน/ปี พ.ศ."),
        ("12/05/2026", "ไม่ใช่ปี พ.ศ."),
    ],
)
def test_an_exception_past_the_bound_is_refused_by_the_field(client, officers, typed, message):
    client.force_login(officers["department"])
    response = client.post(GRANT_URL, {**FORM, "open_until_date": typed})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["open_until_date"]
    assert message in errors["open_until_date"][0]
    page = response.content.decode()
    assert message in page
    assert f'value="{typed}"' in page  # what was typed stays in its box
    assert not LockException.objects.exists()


def test_the_last_minute_of_the_bound_is_granted(client, officers):
    client.force_login(officers["department"])
    response = client.post(GRANT_URL, {**FORM, "open_until_date": "10/02/2569"})
    assert response.status_code == 302
    assert LockException.objects.get().open_until == datetime.datetime(
        2026, 2, 10, 23, 59, tzinfo=BANGKOK
    )


def test_the_bound_is_a_setting(client, officers):
    client.force_login(officers["department"])
    with override_settings(OTOP_EXCEPTION_MAX_DAYS=7):
        response = client.post(GRANT_URL, {**FORM, "open_until_date": "20/11/2568"})
    assert "ได้ไม่เกิน 7 วัน" in response.content.decode()
    assert not LockException.objects.exists()


def test_the_form_shows_dates_in_be(client, officers):
    client.force_login(officers["department"])
    page = client.get(LIST_URL).content.decode()
    assert 'type="date"' not in page and 'type="time"' not in page
    assert 'placeholder="วว/ดด/ปปปป"' in page
    assert 'value="23:59"' in page


def open_october(officers, geography, **area):
    return LockException.objects.create(
        fiscal_year=2569,
        month=10,
        open_until=datetime.datetime(2025, 11, 20, 16, 30, tzinfo=BANGKOK),
        reason="ผู้ผลิตส่งยอดล่าช้า",
        granted_by=officers["department"],
        **(area or {"district": geography["mueang_cr"]}),
    )


def test_the_department_withdraws_an_exception_before_it_expires(
    client, officers, geography, monkeypatch
):
    exc = open_october(officers, geography)
    owner = officers["owner"].officer
    assert refusal(owner, OCTOBER) is None
    client.force_login(officers["department"])
    response = client.post(f"/calendar/exceptions/{exc.pk}/withdraw/", follow=True)
    assert response.redirect_chain == [(LIST_URL, 302)]
    exc.refresh_from_db()
    assert exc.withdrawn_at == NOW
    assert exc.withdrawn_by == officers["department"]
    assert exc.open_until == datetime.datetime(2025, 11, 20, 16, 30, tzinfo=BANGKOK)
    page = response.content.decode()
    assert "ยกเลิกการเปิดระบบให้อำเภอเมืองเชียงราย จังหวัดเชียงราย เดือนตุลาคม 2568 แล้ว" in page
    assert "ยกเลิกแล้ว" in page and "12 พ.ย. 2568 10:00 น." in page
    # The month is closed again for the district.
    assert "ปิดรับแล้ว" in refusal(owner, OCTOBER).message
    # A second click records nothing new.
    later = NOW + datetime.timedelta(minutes=5)
    monkeypatch.setattr(timezone, "now", lambda: later)
    response = client.post(f"/calendar/exceptions/{exc.pk}/withdraw/", follow=True)
    exc.refresh_from_db()
    assert exc.withdrawn_at == NOW
    assert "สิ้นสุดหรือถูกยกเลิกไปก่อนแล้ว" in response.content.decode()


def test_an_expired_exception_cannot_be_withdrawn(client, officers, geography):
    exc = open_october(officers, geography)
    LockException.objects.filter(pk=exc.pk).update(open_until=NOW - datetime.timedelta(hours=1))
    client.force_login(officers["department"])
    client.post(f"/calendar/exceptions/{exc.pk}/withdraw/")
    exc.refresh_from_db()
    assert exc.withdrawn_at is None


@pytest.mark.parametrize("who", ["owner", "province", "outsider"])
def test_only_the_department_withdraws(client, officers, geography, who):
    exc = open_october(officers, geography)
    client.force_login(officers[who])
    assert client.post(f"/calendar/exceptions/{exc.pk}/withdraw/").status_code == 404
    exc.refresh_from_db()
    assert exc.withdrawn_at is None


def test_withdrawing_takes_a_post_and_a_known_exception(client, officers, geography):
    exc = open_october(officers, geography)
    client.force_login(officers["department"])
    assert client.get(f"/calendar/exceptions/{exc.pk}/withdraw/").status_code == 405
    assert client.post(f"/calendar/exceptions/{exc.pk + 1}/withdraw/").status_code == 404
    client.logout()
    response = client.post(f"/calendar/exceptions/{exc.pk}/withdraw/")
    assert response["Location"].startswith("/accounts/login/")
    exc.refresh_from_db()
    assert exc.withdrawn_at is None


@pytest.mark.parametrize("area", ["district", "province"])
def test_a_district_open_by_exception_sees_until_when(client, officers, geography, area):
    kwargs = (
        {"district": geography["mueang_cr"]}
        if area == "district"
        else {"province": geography["chiang_rai"]}
    )
    exc = open_october(officers, geography, **kwargs)
    client.force_login(officers["owner"])
    entry = client.get("/sales/5701/2569/10/").content.decode()
    assert "เปิดเป็นกรณีพิเศษถึง 20 พฤศจิกายน 2568 16:30 น." in entry
    assert "พ้นกำหนดแล้ว" not in entry
    home = client.get("/district/5701/?fy=2569").content.decode()
    assert "เปิดเป็นกรณีพิเศษถึง 20 พ.ย. 2568 16:30 น." in home
    # A district of another province sees nothing of it.
    client.force_login(officers["outsider"])
    assert "เปิดเป็นกรณีพิเศษ" not in client.get("/district/5001/?fy=2569").content.decode()

    # Withdrawn, the month reads as past its deadline again.
    LockException.objects.filter(pk=exc.pk).update(withdrawn_at=NOW)
    client.force_login(officers["owner"])
    entry = client.get("/sales/5701/2569/10/").content.decode()
    assert "เปิดเป็นกรณีพิเศษ" not in entry
    assert "พ้นกำหนดแล้ว" in entry
    assert "เปิดเป็นกรณีพิเศษ" not in client.get("/district/5701/?fy=2569").content.decode()
