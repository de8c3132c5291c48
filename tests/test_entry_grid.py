"""The entry grid's server side (issue 10, points 4-7 and 12; issue 16, point 1).

The rows travel as one JSON document; the browser tests in test_browser_grid.py show what
the officer sees. These check what the server sends and says.
"""

import json
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sales.models import MonthlySale, Producer
from tests.test_entry import NOW, URL, make_rows, october, post_data, row, rows_of_existing

__all__ = ["october"]  # the clock of test_entry: October of FY 2570 is open
HOME = "/district/5701/?fy=2570"
PROVINCE_HOME = "/province/57/?fy=2570"


def grid_document(response):
    html = response.content.decode()
    match = re.search(r'<script type="application/json" id="grid-data">(.*?)</script>', html)
    return json.loads(match.group(1))


def test_the_rows_travel_as_one_json_document_of_small_constant_size_a_row(
    client, officers, geography
):
    make_rows(geography["mueang_cr"], 10)
    client.force_login(officers["owner"])
    small = client.get(URL)
    MonthlySale.objects.all().delete()
    Producer.objects.all().delete()
    make_rows(geography["mueang_cr"], 110)
    large = client.get(URL)
    document = grid_document(large)
    assert len(document["rows"]) == 110
    assert document["rows"][0]["domestic"] == "100.00" and document["editable"] is True
    per_row = (len(large.content) - len(small.content)) / 100
    assert per_row < 400, per_row  # a server-drawn row was about 2,900 bytes
    assert "<tr" not in large.content.decode().split('id="rows"')[1].split("</tbody>")[0]


def test_a_save_says_how_many_confirmations_it_withdrew(client, officers, geography):
    sales = make_rows(geography["mueang_cr"], 3, district_confirmed_at=NOW)
    rows = rows_of_existing(sales)
    rows[0]["domestic"] = "5.00"
    rows[1]["producer_type"] = "sme"  # the group type is the row's own: withdraws too
    client.force_login(officers["owner"])
    response = client.post(URL, post_data(rows), follow=True)
    assert "บันทึกข้อมูลสมบูรณ์ · ต้องยืนยันใหม่ 2 รายการ" in response.content.decode()
    assert MonthlySale.objects.filter(district_confirmed_at__isnull=True).count() == 2
    # The page says which rows it will withdraw from: their confirmed values.
    document = grid_document(client.get(URL))
    confirmed = [r for r in document["rows"] if r.get("confirmed")]
    assert len(confirmed) == 1 and confirmed[0]["confirmed"][3] == "100.00"


def test_a_save_of_unconfirmed_rows_says_saved_only(client, officers):
    client.force_login(officers["owner"])
    html = client.post(URL, post_data([row()]), follow=True).content.decode()
    assert "บันทึกข้อมูลสมบูรณ์" in html and "ต้องยืนยันใหม่" not in html


def test_a_duplicate_is_reported_with_bad_amounts_in_one_round(client, officers):
    client.force_login(officers["owner"])
    rows = [row(), row(domestic="abc"), row(name="กลุ่มอื่น", domestic="-5")]
    response = client.post(URL, post_data(rows))
    html = response.content.decode()
    assert "แล้วในเดือนนี้ (แถวที่ 1)" in html
    assert "กรุณากรอกเป็นตัวเลข" in html and "จำนวนเงินต้องไม่ติดลบ" in html
    assert "ยังไม่ได้บันทึก: มี 2 แถวที่ต้องแก้ไข" in html
    assert not MonthlySale.objects.exists()


def test_province_confirmed_rows_are_read_only_but_carried_and_a_new_duplicate_refused(
    client, officers, geography
):
    sales = make_rows(
        geography["mueang_cr"], 1, district_confirmed_at=NOW, province_confirmed_at=NOW
    )
    client.force_login(officers["owner"])
    document = grid_document(client.get(URL))
    assert document["rows"][0]["state"] == "province"
    # The page posts the locked row as it was; a new row for the same producer and type
    # is still found as a duplicate.
    rows = rows_of_existing(sales) + [row(name="กลุ่มที่ 000")]
    html = client.post(URL, post_data(rows)).content.decode()
    assert "แล้วในเดือนนี้ (แถวที่ 1)" in html
    assert MonthlySale.objects.count() == 1


def test_last_month_goes_with_the_page_keyed_by_name_and_type(client, officers, geography):
    last = make_rows(geography["mueang_cr"], 2, fiscal_year=2569, month=9)
    MonthlySale.objects.create(  # two months ago: not last month
        producer=last[0].producer,
        district=geography["mueang_cr"],
        product_type="herb",
        fiscal_year=2569,
        month=8,
    )
    client.force_login(officers["owner"])
    document = grid_document(client.get(URL))
    assert document["last"] == {"กลุ่มที่ 000|food": "100.00", "กลุ่มที่ 001|food": "100.00"}
    assert document["jump"] == 10


def test_the_department_gets_last_month_of_province_confirmed_rows_only(
    client, officers, geography
):
    make_rows(geography["mueang_cr"], 1, fiscal_year=2569, month=9)
    client.force_login(officers["department"])
    document = grid_document(client.get(URL))
    assert document["last"] == {} and document["editable"] is False


def test_a_stale_save_names_the_rows_the_other_officer_changed(client, officers, geography):
    sales = make_rows(geography["mueang_cr"], 2)
    page = rows_of_existing(sales)
    client.force_login(officers["colleague"])
    theirs = rows_of_existing(sales)
    theirs[1]["domestic"] = "999.00"
    assert client.post(URL, post_data(theirs)).status_code == 302
    client.force_login(officers["owner"])
    page[0]["domestic"] = "1.00"
    html = client.post(URL, post_data(page)).content.decode()
    assert "มีผู้อื่นบันทึกข้อมูลเดือนนี้" in html
    listed = html.split('id="stale-rows"')[1].split("</ul>")[0]
    assert "กลุ่มที่ 001 (อาหาร)" in listed and "กลุ่มที่ 000" not in listed
    assert MonthlySale.objects.get(pk=sales[0].pk).domestic == Decimal("100.00")


def test_the_unsaved_work_key_is_per_officer_district_and_month(client, officers, geography):
    client.force_login(officers["owner"])
    key = grid_document(client.get(URL))["storeKey"]
    assert key == f"otop-unsaved:entry:{officers['owner'].pk}:5701:2570:10"
    client.force_login(officers["colleague"])
    assert grid_document(client.get(URL))["storeKey"] != key


# --- sent back: the homes --------------------------------------------------------------


def sent_back(sales, officers):
    MonthlySale.objects.filter(pk__in=[s.pk for s in sales]).update(
        returned_at=NOW, returned_by=officers["province"], returned_reason="ตรวจอีกครั้ง"
    )


def test_the_district_home_counts_sent_back_rows_per_month(client, officers, geography):
    sales = make_rows(geography["mueang_cr"], 3)
    sent_back(sales[:2], officers)
    client.force_login(officers["owner"])
    html = client.get(HOME).content.decode()
    assert "ส่งกลับ 2 รายการ" in html and 'id="sent-back-note"' in html
    entry = client.get(URL).content.decode()
    assert "จังหวัดส่งกลับให้แก้ไข <strong>2</strong> รายการ" in entry


def test_the_province_home_lists_sent_back_rows_still_waiting(client, officers, geography):
    sales = make_rows(geography["mueang_cr"], 3)
    sent_back(sales[:1], officers)
    client.force_login(officers["province"])
    html = client.get(PROVINCE_HOME).content.decode()
    waiting = html.split('id="sent-back"')[1].split("</ul>")[0]
    assert "อำเภอเมืองเชียงราย · ตุลาคม 2569" in waiting and "1 รายการ" in waiting
    client.force_login(officers["department"])
    assert 'id="sent-back"' not in client.get(PROVINCE_HOME).content.decode()
    client.force_login(officers["other_province"])
    assert client.get(PROVINCE_HOME).status_code == 404


@pytest.mark.parametrize("url", [HOME, PROVINCE_HOME])
def test_the_homes_cost_the_same_queries_with_more_sent_back_rows(
    client, officers, geography, django_assert_num_queries, url
):
    sales = make_rows(geography["mueang_cr"], 30)
    sent_back(sales[:1], officers)
    client.force_login(officers["owner"] if url == HOME else officers["province"])
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    sent_back(sales, officers)
    with django_assert_num_queries(len(small.captured_queries)):
        client.get(url)
