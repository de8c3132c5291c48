"""The rules of a row's state, end to end through the pages officers use.

entered -> confirmed by the district -> confirmed by the province; the province may send a
row back; a change on the entry page takes the district's confirmation away; what the
province confirmed is locked to the district; the department sees only that.
"""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from confirmations import services
from confirmations.services import FOREIGN, ConfirmationError
from otopdoc.fiscal import FiscalMonth
from sales.models import MonthlySale
from sales.services import month_revision
from tests.test_confirm_district import NOW, confirmed, form, fresh, make_rows
from tests.test_entry import post_data, rows_of_existing
from tests.test_entry_grid import grid_document

ENTRY = "/sales/5701/2570/10/"
DISTRICT = "/confirm/district/5701/2570/10/"
PROVINCE = "/confirm/province/5701/2570/10/"
OCTOBER = FiscalMonth(2570, 10)


@pytest.fixture(autouse=True)
def october(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)


def revision():
    return month_revision("5701", OCTOBER)


def test_a_month_goes_from_entry_to_the_department(client, officers, geography):
    client.force_login(officers["owner"])
    data = post_data(
        [
            {"name": "กลุ่มผ้าไหม", "product_type": "textile", "producer_type": "group"}
            | {"id": "", "version": "", "domestic": "1,000", "export": "0"},
        ]
    )
    assert client.post(ENTRY, data).status_code == 302
    row = MonthlySale.objects.get()

    client.force_login(officers["department"])
    assert "กลุ่มผ้าไหม" not in client.get(ENTRY).content.decode()

    client.force_login(officers["owner"])
    client.post(DISTRICT, form([row], ticked=[row]))
    client.force_login(officers["province"])
    client.post(PROVINCE, form(fresh([row]), ticked=[row]))

    client.force_login(officers["department"])
    html = client.get(ENTRY).content.decode()
    assert "กลุ่มผ้าไหม" in html and "จังหวัดยืนยันแล้ว" in html
    assert "แสดงเฉพาะรายการที่จังหวัดยืนยันแล้ว" in html


def test_editing_a_district_confirmed_row_on_the_entry_page_clears_it(client, officers, geography):
    rows = make_rows(geography["mueang_cr"], 2, **confirmed())
    client.force_login(officers["owner"])
    data = rows_of_existing(rows)
    data[0]["domestic"] = "999.00"
    assert client.post(ENTRY, post_data(data, revision=revision())).status_code == 302
    changed, unchanged = fresh(rows)
    assert changed.district_confirmed_at is None and changed.domestic == Decimal("999.00")
    assert unchanged.district_confirmed_at is not None
    # The confirmation page now offers it for ticking again, unticked.
    lines = client.get(DISTRICT).context["lines"]
    assert [line["district_ticked"] for line in lines] == [False, True]


def test_a_province_confirmed_row_is_locked_to_the_district(client, officers, geography):
    rows = make_rows(geography["mueang_cr"], 1, **confirmed(province=True))
    client.force_login(officers["owner"])
    data = rows_of_existing(rows)
    data[0]["domestic"] = "1.00"
    response = client.post(ENTRY, post_data(data, revision=revision()))
    assert "จังหวัดยืนยันแล้ว แก้ไขหรือลบไม่ได้" in response.content.decode()
    response = client.post(DISTRICT, form(rows, ticked=[]))
    assert "อำเภอยกเลิกการยืนยันไม่ได้" in response.content.decode()
    row = fresh(rows)[0]
    assert row.domestic == Decimal("100.00") and row.district_confirmed_at is not None


def test_the_province_can_confirm_only_after_the_district(client, officers, geography):
    rows = make_rows(geography["mueang_cr"], 1)
    client.force_login(officers["province"])
    client.post(PROVINCE, form(rows, ticked=rows))
    assert fresh(rows)[0].province_confirmed_at is None
    client.force_login(officers["owner"])
    client.post(DISTRICT, form(rows, ticked=rows))
    client.force_login(officers["province"])
    client.post(PROVINCE, form(fresh(rows), ticked=rows))
    assert fresh(rows)[0].province_confirmed_at == NOW


def test_the_entry_page_links_each_saved_row_to_its_history_and_the_month_to_confirmation(
    client, officers, geography
):
    rows = make_rows(geography["mueang_cr"], 2)
    client.force_login(officers["owner"])
    response = client.get(ENTRY)
    html = response.content.decode()
    # The grid is drawn by entry.js from the page's JSON document: each saved row's id
    # there, and the one history URL they are linked with (test_browser_grid clicks them).
    document = grid_document(response)
    assert document["historyUrl"] == "/confirm/history/"
    assert [r["id"] for r in document["rows"]] == [row.pk for row in rows]
    assert f'href="{DISTRICT}"' in html
    client.force_login(officers["province"])
    assert f'href="{PROVINCE}"' in client.get(ENTRY).content.decode()


def test_the_entry_page_costs_the_same_queries_with_sent_back_rows(
    client, officers, geography, django_assert_num_queries
):
    district = geography["mueang_cr"]
    client.force_login(officers["owner"])
    returned = {"returned_at": NOW, "returned_by": officers["province"], "returned_reason": "ผิด"}
    make_rows(district, 3, **returned)
    with CaptureQueriesContext(connection) as at_3:
        client.get(ENTRY)
    make_rows(district, 60, start=3, **returned)
    with django_assert_num_queries(len(at_3.captured_queries)):
        response = client.get(ENTRY)
    rows = grid_document(response)["rows"]
    assert [r["state"] for r in rows] == ["returned"] * 63
    assert all(r["returned"]["reason"] == "ผิด" and r["returned"]["by"] == "p57" for r in rows)


def test_the_department_does_not_see_last_months_producers_prefilled(client, officers, geography):
    make_rows(geography["mueang_cr"], 2, fiscal_year=2569, month=9)
    client.force_login(officers["department"])
    response = client.get(ENTRY)
    assert response.context["grid"] == []


def test_the_services_refuse_a_row_outside_the_batch(officers, geography):
    rows = make_rows(geography["mueang_cr"], 101)
    district = geography["mueang_cr"]
    shown = {rows[100].pk: 1}
    with pytest.raises(ConfirmationError) as refused:
        services.confirm_district(district, OCTOBER, officers["owner"], shown, shown, batch=1)
    assert refused.value.message == FOREIGN
    assert services.confirm_district(
        district, OCTOBER, officers["owner"], shown, shown, batch=2
    ) == (1, 0)
