"""The province's confirmation page: /confirm/province/<district>/<fy>/<month>/."""

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

URL = "/confirm/province/5701/2570/10/"
DISTRICT_FIRST = "ยืนยันได้เฉพาะรายการที่อำเภอยืนยันแล้ว"


@pytest.fixture(autouse=True)
def october(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)


# --- who may open it -------------------------------------------------------------------


def test_it_sends_strangers_to_sign_in(client, geography):
    for response in (client.get(URL), client.post(URL, {})):
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("who", ["owner", "colleague", "neighbour", "outsider", "other_province"])
def test_district_officers_and_other_provinces_get_404(client, officers, geography, who):
    rows = make_rows(geography["mueang_cr"], 2, **confirmed())
    client.force_login(officers[who])
    assert client.get(URL).status_code == 404
    assert client.post(URL, form(rows, ticked=rows)).status_code == 404
    nothing_written(rows)


def test_the_department_may_look_but_not_confirm(client, officers, geography):
    rows = make_rows(geography["mueang_cr"], 2, **confirmed())
    client.force_login(officers["department"])
    response = client.get(URL)
    assert response.status_code == 200
    assert 'id="read-only-note"' in response.content.decode()
    assert client.post(URL, form(rows, ticked=rows)).status_code == 403
    nothing_written(rows)


# --- the page ----------------------------------------------------------------------------


def test_only_district_confirmed_rows_can_be_ticked(client, officers, geography):
    make_rows(geography["mueang_cr"], 2, **confirmed())
    make_rows(geography["mueang_cr"], 1, start=2)
    client.force_login(officers["province"])
    response = client.get(URL)
    html = response.content.decode()
    assert "ยืนยันข้อมูลยอดจำหน่ายสินค้า OTOP ประจำเดือน (ระดับจังหวัด)" in html
    assert [line["province_open"] for line in response.context["lines"]] == [True, True, False]
    assert html.count('name="tick"') == 2
    assert "รออำเภอยืนยัน" in html


def test_it_offers_the_provinces_districts_to_choose(client, officers, geography):
    client.force_login(officers["province"])
    response = client.get(URL)
    assert [d.code for d in response.context["districts"]] == ["5701", "5702"]
    assert 'name="district"' in response.content.decode()
    moved = client.get(URL + "?fy=2570&district=5702&month=10&batch=2")
    assert moved["Location"] == "/confirm/province/5702/2570/10/"
    assert client.get(moved["Location"]).status_code == 200
    # A district of another province through the picker: its page answers 404.
    assert client.get(client.get(URL + "?district=5001")["Location"]).status_code == 404


# --- confirming --------------------------------------------------------------------------


def test_the_province_confirms_district_confirmed_rows(client, officers, geography):
    rows = make_rows(geography["mueang_cr"], 3, **confirmed())
    client.force_login(officers["province"])
    response = client.post(URL, form(rows, ticked=rows[:2]), follow=True)
    assert response.redirect_chain[-1][0] == URL + "?saved=1"
    assert "บันทึกข้อมูลสมบูรณ์: ยืนยัน 2 รายการ" in response.content.decode()
    first, second, third = fresh(rows)
    assert first.province_confirmed_at == NOW
    assert first.province_confirmed_by == officers["province"]
    assert third.province_confirmed_at is None
    assert AuditEntry.objects.filter(action=Action.PROVINCE_CONFIRM).count() == 2


def test_a_row_the_district_has_not_confirmed_is_refused(client, officers, geography):
    rows = make_rows(geography["mueang_cr"], 1, **confirmed())
    rows += make_rows(geography["mueang_cr"], 1, start=1)
    client.force_login(officers["province"])
    response = client.post(URL, form(rows, ticked=rows))
    assert response.status_code == 200
    assert DISTRICT_FIRST in response.content.decode()
    assert [line["marked"] for line in response.context["lines"]] == [False, True]
    nothing_written(rows)


def test_the_province_withdraws_its_confirmation(client, officers, geography):
    rows = make_rows(geography["mueang_cr"], 2, **confirmed(province=True))
    client.force_login(officers["province"])
    response = client.post(URL, form(rows, ticked=rows[:1]), follow=True)
    assert "ยกเลิกการยืนยัน 1 รายการ" in response.content.decode()
    kept, withdrawn = fresh(rows)
    assert kept.province_confirmed_at is not None
    assert withdrawn.province_confirmed_at is None and withdrawn.province_confirmed_by is None
    assert withdrawn.district_confirmed_at is not None  # the district's stays
    entry = AuditEntry.objects.get(action=Action.PROVINCE_WITHDRAW)
    assert entry.old["province_confirmed"] is True and entry.new["province_confirmed"] is False


def test_a_province_cannot_confirm_another_provinces_district(client, officers, geography):
    rows = make_rows(geography["mueang_cm"], 1, **confirmed())
    client.force_login(officers["province"])
    url = "/confirm/province/5001/2570/10/"
    assert client.get(url).status_code == 404
    assert client.post(url, form(rows, ticked=rows)).status_code == 404
    nothing_written(rows)


def test_rows_of_another_district_are_refused(client, officers, geography):
    ours = make_rows(geography["mueang_cr"], 1, **confirmed())
    theirs = make_rows(geography["wiang_chai"], 1, start=5, **confirmed())
    client.force_login(officers["province"])
    response = client.post(URL, form(ours + theirs, ticked=ours + theirs))
    assert FOREIGN in response.content.decode()
    nothing_written(ours + theirs)


def test_a_row_withdrawn_by_the_district_after_the_page_loaded_is_refused(
    client, officers, geography
):
    rows = make_rows(geography["mueang_cr"], 2, **confirmed())
    MonthlySale.objects.filter(pk=rows[0].pk).update(district_confirmed_at=None, version=2)
    client.force_login(officers["province"])
    response = client.post(URL, form(rows, ticked=rows))
    assert STALE in response.content.decode()
    assert not MonthlySale.objects.filter(province_confirmed_at__isnull=False).exists()


def test_a_confirmation_on_the_7th_is_refused_with_423(client, officers, geography, monkeypatch):
    rows = make_rows(geography["mueang_cr"], 1, **confirmed())
    monkeypatch.setattr(timezone, "now", lambda: datetime.datetime(2026, 11, 7, 9, tzinfo=BANGKOK))
    client.force_login(officers["province"])
    assert client.post(URL, form(rows, ticked=rows)).status_code == 423
    nothing_written(rows)


# --- cost --------------------------------------------------------------------------------


def test_a_batch_costs_the_same_queries_at_3_and_100_rows(
    client, officers, geography, django_assert_num_queries
):
    district = geography["mueang_cr"]
    client.force_login(officers["province"])
    make_rows(district, 3, **confirmed())
    with CaptureQueriesContext(connection) as at_3:
        assert client.get(URL).status_code == 200
    make_rows(district, 97, start=3, **confirmed())
    with django_assert_num_queries(len(at_3.captured_queries)):
        assert len(client.get(URL).context["lines"]) == 100


def test_confirming_costs_the_same_queries_at_3_and_100_rows(
    client, officers, geography, django_assert_num_queries
):
    district = geography["mueang_cr"]
    client.force_login(officers["province"])
    small = make_rows(district, 3, **confirmed())
    with CaptureQueriesContext(connection) as at_3:
        assert client.post(URL, form(small, ticked=small)).status_code == 302
    MonthlySale.objects.all().delete()
    DistrictMonth.objects.all().delete()
    large = make_rows(district, 100, start=100, **confirmed())
    with django_assert_num_queries(len(at_3.captured_queries)):
        assert client.post(URL, form(large, ticked=large)).status_code == 302
    assert MonthlySale.objects.filter(province_confirmed_at=NOW).count() == 100
