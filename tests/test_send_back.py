"""The province sends rows back to the district with a reason:
POST /confirm/province/<district>/<fy>/<month>/send-back/."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from confirmations.models import Action, AuditEntry
from confirmations.services import FOREIGN, STALE
from otopdoc.fiscal import BANGKOK
from sales.models import DistrictMonth, MonthlySale
from tests.test_confirm_district import NOW, confirmed, form, fresh, make_rows, nothing_written

URL = "/confirm/province/5701/2570/10/send-back/"
PROVINCE_PAGE = "/confirm/province/5701/2570/10/"
DISTRICT_PAGE = "/confirm/district/5701/2570/10/"
ENTRY_PAGE = "/sales/5701/2570/10/"
REASON = "ยอดจำหน่ายสูงผิดปกติ กรุณาตรวจสอบ"


@pytest.fixture(autouse=True)
def october(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)


def send(rows, chosen, reason=REASON, **extra):
    return form(rows, ticked=chosen, field="chosen", reason=reason, **extra)


# --- who may --------------------------------------------------------------------------


def test_it_sends_strangers_to_sign_in(client, geography):
    response = client.post(URL, {})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_it_accepts_only_post(client, officers, geography):
    client.force_login(officers["province"])
    assert client.get(URL).status_code == 405


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("owner", 404),
        ("neighbour", 404),
        ("outsider", 404),
        ("other_province", 404),
        ("department", 403),
    ],
)
def test_only_the_districts_province_may_send_back(client, officers, geography, who, status):
    rows = make_rows(geography["mueang_cr"], 2, **confirmed(province=True))
    client.force_login(officers[who])
    assert client.post(URL, send(rows, rows)).status_code == status
    nothing_written(rows)


# --- sending back ------------------------------------------------------------------------


def test_it_clears_both_confirmations_and_keeps_the_reason(client, officers, geography):
    rows = make_rows(geography["mueang_cr"], 3, **confirmed(province=True))
    client.force_login(officers["province"])
    response = client.post(URL, send(rows, rows[:2], reason="  ยอดจำหน่าย\nสูงผิดปกติ  "), follow=True)
    assert response.redirect_chain[-1][0] == PROVINCE_PAGE
    assert "ส่งกลับให้อำเภอเมืองเชียงรายแก้ไขแล้ว 2 รายการ" in response.content.decode()
    first, second, third = fresh(rows)
    for row in (first, second):
        assert row.district_confirmed_at is None and row.province_confirmed_at is None
        assert row.district_confirmed_by is None and row.province_confirmed_by is None
        assert row.returned_reason == "ยอดจำหน่าย สูงผิดปกติ"
        assert row.returned_at == NOW and row.returned_by == officers["province"]
        assert row.version == 2
    assert third.province_confirmed_at is not None and third.returned_at is None
    entries = AuditEntry.objects.filter(action=Action.SEND_BACK)
    assert entries.count() == 2
    assert {e.reason for e in entries} == {"ยอดจำหน่าย สูงผิดปกติ"}
    assert all(e.old["province_confirmed"] and not e.new["province_confirmed"] for e in entries)


@pytest.mark.parametrize("reason", ["", "   \n  "])
def test_a_reason_is_required(client, officers, geography, reason):
    rows = make_rows(geography["mueang_cr"], 1, **confirmed())
    client.force_login(officers["province"])
    response = client.post(URL, send(rows, rows, reason=reason))
    assert response.status_code == 200
    assert "กรุณาระบุเหตุผลที่ส่งกลับให้อำเภอแก้ไข" in response.content.decode()
    assert response.context["lines"][0]["chosen"]  # the choice is still on the page
    nothing_written(rows)


def test_at_least_one_row_must_be_chosen(client, officers, geography):
    rows = make_rows(geography["mueang_cr"], 1, **confirmed())
    client.force_login(officers["province"])
    response = client.post(URL, send(rows, []))
    html = response.content.decode()
    assert "กรุณาเลือกรายการที่จะส่งกลับอย่างน้อย 1 รายการ" in html
    assert REASON in html  # what the officer typed is kept
    nothing_written(rows)


def test_the_reason_shows_on_the_districts_pages_until_it_confirms_again(
    client, officers, geography
):
    rows = make_rows(geography["mueang_cr"], 2, **confirmed(province=True))
    client.force_login(officers["province"])
    client.post(URL, send(rows, rows[:1]))

    client.force_login(officers["owner"])
    entry = client.get(ENTRY_PAGE).content.decode()
    assert "จังหวัดส่งกลับ" in entry and REASON in entry and "p57" in entry
    assert "15 ต.ค. 2569 10:00 น." in entry  # when, in B.E.
    confirm_page = client.get(DISTRICT_PAGE).content.decode()
    assert REASON in confirm_page

    # The district confirms the row again: the note goes.
    returned = fresh(rows)
    client.post(DISTRICT_PAGE, form(returned, ticked=returned))
    again = fresh(rows)[0]
    assert again.district_confirmed_at == NOW
    assert again.returned_at is None and again.returned_reason == "" and again.returned_by is None
    assert REASON not in client.get(ENTRY_PAGE).content.decode()


# --- refused input ----------------------------------------------------------------------


def test_a_chosen_row_that_was_not_shown_is_refused(client, officers, geography):
    rows = make_rows(geography["mueang_cr"], 2, **confirmed())
    client.force_login(officers["province"])
    response = client.post(URL, send(rows[:1], rows))
    assert FOREIGN in response.content.decode()
    nothing_written(rows)


def test_a_row_of_another_district_is_refused(client, officers, geography):
    ours = make_rows(geography["mueang_cr"], 1, **confirmed())
    theirs = make_rows(geography["wiang_chai"], 1, start=5, **confirmed())
    client.force_login(officers["province"])
    response = client.post(URL, send(ours + theirs, theirs))
    assert FOREIGN in response.content.decode()
    nothing_written(ours + theirs)


def test_a_row_of_another_batch_is_refused(client, officers, geography):
    rows = make_rows(geography["mueang_cr"], 120, **confirmed())
    client.force_login(officers["province"])
    response = client.post(URL, send(rows[:100] + [rows[110]], [rows[110]], batch=1))
    assert FOREIGN in response.content.decode()
    nothing_written(rows)


def test_malformed_ids_are_refused(client, officers, geography):
    rows = make_rows(geography["mueang_cr"], 1, **confirmed())
    client.force_login(officers["province"])
    response = client.post(URL, send(rows, rows) | {"chosen": ["x"]})
    assert FOREIGN in response.content.decode()
    nothing_written(rows)


def test_a_row_changed_after_the_page_loaded_is_refused(client, officers, geography):
    rows = make_rows(geography["mueang_cr"], 1, **confirmed())
    MonthlySale.objects.filter(pk=rows[0].pk).update(version=3)
    client.force_login(officers["province"])
    response = client.post(URL, send(rows, rows))
    assert STALE in response.content.decode()
    assert MonthlySale.objects.get().returned_at is None
    assert not AuditEntry.objects.exists()


def test_a_send_back_on_the_7th_is_refused_with_423(client, officers, geography, monkeypatch):
    rows = make_rows(geography["mueang_cr"], 1, **confirmed())
    monkeypatch.setattr(timezone, "now", lambda: datetime.datetime(2026, 11, 7, 9, tzinfo=BANGKOK))
    client.force_login(officers["province"])
    assert client.post(URL, send(rows, rows)).status_code == 423
    nothing_written(rows)


def test_sending_back_costs_the_same_queries_at_3_and_100_rows(
    client, officers, geography, django_assert_num_queries
):
    district = geography["mueang_cr"]
    client.force_login(officers["province"])
    small = make_rows(district, 3, **confirmed(province=True))
    with CaptureQueriesContext(connection) as at_3:
        assert client.post(URL, send(small, small)).status_code == 302
    MonthlySale.objects.all().delete()
    DistrictMonth.objects.all().delete()
    large = make_rows(district, 100, start=100, **confirmed(province=True))
    with django_assert_num_queries(len(at_3.captured_queries)):
        assert client.post(URL, send(large, large)).status_code == 302
    assert MonthlySale.objects.filter(returned_at=NOW).count() == 100
