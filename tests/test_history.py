"""A row's history: /confirm/history/<sale_id>/."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sales.models import MonthlySale
from tests.test_confirm_district import NOW, form, fresh, make_rows
from tests.test_entry import post_data, rows_of_existing

ENTRY = "/sales/5701/2570/10/"
DISTRICT = "/confirm/district/5701/2570/10/"
SEND_BACK = "/confirm/province/5701/2570/10/send-back/"


@pytest.fixture(autouse=True)
def october(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)


def url(sale_id):
    return f"/confirm/history/{sale_id}/"


@pytest.fixture
def history(client, officers, geography):
    """A row entered, changed, confirmed, sent back and deleted, through the pages."""
    client.force_login(officers["owner"])
    new = {"id": "", "version": "", "name": "กลุ่มอาหารรสเลิศ", "product_type": "food"}
    new |= {"producer_type": "group", "domestic": "1,000.50", "export": "0"}
    client.post(ENTRY, post_data([new]))
    row = MonthlySale.objects.get()
    data = rows_of_existing([row])
    data[0]["domestic"] = "2,000.00"
    client.post(ENTRY, post_data(data, revision=1))
    client.post(DISTRICT, form(fresh([row]), ticked=[row]))
    client.force_login(officers["province"])
    reason = {"reason": "ตัวเลขสูงผิดปกติ"}
    client.post(SEND_BACK, form(fresh([row]), ticked=[row], field="chosen", **reason))
    client.force_login(officers["owner"])
    data = rows_of_existing(fresh([row]))
    data[0]["DELETE"] = "on"
    client.post(ENTRY, post_data(data, revision=2))
    assert not MonthlySale.objects.exists()
    client.logout()
    return row.pk


def test_it_sends_strangers_to_sign_in(client, history):
    response = client.get(url(history))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("who", ["neighbour", "outsider", "other_province"])
def test_outsiders_get_404(client, officers, history, who):
    client.force_login(officers[who])
    assert client.get(url(history)).status_code == 404


def test_a_row_without_history_is_404(client, officers, history):
    client.force_login(officers["owner"])
    assert client.get(url(history + 1000)).status_code == 404


def test_the_department_sees_no_history_of_a_row_the_province_has_not_confirmed(
    client, officers, history
):
    client.force_login(officers["department"])
    assert client.get(url(history)).status_code == 404


def test_the_department_sees_the_history_of_a_province_confirmed_row(client, officers, geography):
    row = make_rows(geography["mueang_cr"], 1)[0]
    client.force_login(officers["owner"])
    client.post(DISTRICT, form(fresh([row]), ticked=[row]))
    client.force_login(officers["province"])
    client.post("/confirm/province/5701/2570/10/", form(fresh([row]), ticked=[row]))
    assert MonthlySale.objects.get().province_confirmed_at is not None
    client.force_login(officers["department"])
    assert client.get(url(row.pk)).status_code == 200


@pytest.mark.parametrize("who", ["owner", "colleague", "province"])
def test_the_area_sees_a_deleted_rows_whole_story_in_thai(client, officers, history, who):
    client.force_login(officers[who])
    response = client.get(url(history))
    html = response.content.decode()
    assert response.status_code == 200
    assert "กลุ่มอาหารรสเลิศ" in html and "ตุลาคม 2569" in html
    assert "รายการนี้ถูกลบแล้ว" in html
    actions = [entry.action for entry, changes in response.context["entries"]]
    assert actions == ["create", "change", "d_confirm", "send_back", "delete"]  # oldest first
    for action in ["เพิ่มรายการ", "แก้ไขรายการ", "อำเภอยืนยัน", "จังหวัดส่งกลับให้แก้ไข", "ลบรายการ"]:
        assert f">{action}</span>" in html
    assert "15 ตุลาคม 2569 10:00 น." in html  # when, in B.E. with the time
    assert "d5701" in html and "p57" in html and "จังหวัดเชียงราย" in html  # who
    assert "1,000.50" in html and "2,000.00" in html  # old -> new, as baht
    assert "ยังไม่ยืนยัน" in html and "ยืนยันแล้ว" in html
    assert "ตัวเลขสูงผิดปกติ" in html  # the reason


def test_it_shows_only_what_changed(client, officers, history):
    client.force_login(officers["owner"])
    changes = dict(
        (entry.get_action_display(), rows)
        for entry, rows in client.get(url(history)).context["entries"]
    )
    assert changes["แก้ไขรายการ"] == [("ในประเทศ (บาท)", "1,000.50", "2,000.00")]
    assert changes["อำเภอยืนยัน"] == [("ยืนยันระดับอำเภอ", "ยังไม่ยืนยัน", "ยืนยันแล้ว")]
    created = changes["เพิ่มรายการ"]
    assert ("ประเภทผลิตภัณฑ์", None, "อาหาร") in created
    assert ("ประเภทกลุ่ม", None, "กลุ่มผู้ผลิตชุมชน") in created


def test_the_page_costs_the_same_queries_for_a_long_history(
    client, officers, geography, django_assert_num_queries
):
    rows = make_rows(geography["mueang_cr"], 1)
    client.force_login(officers["owner"])
    for _ in range(2):
        client.post(DISTRICT, form(fresh(rows), ticked=rows))
        client.post(DISTRICT, form(fresh(rows), ticked=[]))
    with CaptureQueriesContext(connection) as short:
        client.get(url(rows[0].pk))
    queries = len(short.captured_queries)  # now: each request clears the log
    for _ in range(10):
        client.post(DISTRICT, form(fresh(rows), ticked=rows))
        client.post(DISTRICT, form(fresh(rows), ticked=[]))
    with django_assert_num_queries(queries):
        response = client.get(url(rows[0].pk))
    assert len(response.context["entries"]) == 24
