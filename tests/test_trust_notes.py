"""Explanations and follow-up (issue 15 point 2): who may, the audit trail, send-back."""

import pytest
from django.utils import timezone

from confirmations import services as confirmations
from confirmations.models import Action, AuditEntry
from otopdoc.fiscal import FiscalMonth
from quality.models import RowNote
from tests.test_confirm_district import NOW, confirmed, make_rows

MONTH = FiscalMonth(2570, 10)


@pytest.fixture(autouse=True)
def october(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)


@pytest.fixture
def row(geography):
    return make_rows(geography["mueang_cr"], 1, **confirmed())[0]


def note_url(row, what=""):
    return f"/sales/notes/{row.pk}/{what + '/' if what else ''}"


def test_the_district_explains_and_it_is_audited(client, officers, row):
    client.force_login(officers["owner"])
    response = client.post(note_url(row, "explain"), {"explanation": "ออกงาน  OTOP City"})
    assert response.status_code == 302
    assert RowNote.objects.get(sale=row).explanation == "ออกงาน OTOP City"
    entry = AuditEntry.objects.get(sale_id=row.pk, action=Action.EXPLAIN)
    assert entry.new == {"explanation": "ออกงาน OTOP City"} and entry.user == officers["owner"]
    history = client.get(f"/confirm/history/{row.pk}/").content.decode()
    assert "ออกงาน OTOP City" in history and "คำอธิบาย" in history


def test_the_province_marks_follow_up_and_it_is_audited_and_listed(client, officers, row):
    client.force_login(officers["province"])
    response = client.post(note_url(row, "follow-up"), {"follow_up": "on", "note": "ขอใบเสร็จ"})
    assert response.status_code == 302
    entry = AuditEntry.objects.get(sale_id=row.pk, action=Action.FOLLOW_UP)
    assert entry.old == {"follow_up": False, "follow_up_note": ""}
    assert entry.new == {"follow_up": True, "follow_up_note": "ขอใบเสร็จ"}
    listed = client.get("/reports/follow-up/57/").content.decode()
    assert "ขอใบเสร็จ" in listed and "กลุ่มที่ 000" in listed


def test_a_follow_up_needs_a_note_and_keeps_what_was_typed(client, officers, row):
    client.force_login(officers["province"])
    response = client.post(note_url(row, "follow-up"), {"follow_up": "on", "note": "  "})
    assert response.status_code == 400
    assert "กรุณาระบุสิ่งที่ต้องติดตาม" in response.content.decode()
    assert not RowNote.objects.exists() and not AuditEntry.objects.exists()


def test_a_too_long_explanation_is_refused_by_the_field(client, officers, row):
    client.force_login(officers["owner"])
    response = client.post(note_url(row, "explain"), {"explanation": "ก" * 301})
    assert response.status_code == 400
    assert "คำอธิบายยาวเกิน 300 ตัวอักษร" in response.content.decode()
    assert not RowNote.objects.exists()


@pytest.mark.parametrize(
    ("who", "what", "status"),
    [
        ("province", "explain", 403),
        ("department", "explain", 404),  # sees province-confirmed rows only
        ("colleague", "explain", 302),
        ("owner", "follow-up", 403),
        ("neighbour", "explain", 404),
        ("outsider", "follow-up", 404),
        ("other_province", "follow-up", 404),
    ],
)
def test_who_may_write_a_note(client, officers, row, who, what, status):
    client.force_login(officers[who])
    data = {"explanation": "x", "follow_up": "on", "note": "y"}
    assert client.post(note_url(row, what), data).status_code == status
    assert RowNote.objects.exists() == (status == 302)


def test_the_department_sees_only_province_confirmed_rows(client, officers, row):
    client.force_login(officers["department"])
    assert client.get(note_url(row)).status_code == 404
    row.__class__.objects.filter(pk=row.pk).update(province_confirmed_at=NOW)
    assert client.get(note_url(row)).status_code == 200
    assert client.post(note_url(row, "explain"), {"explanation": "x"}).status_code == 403
    response = client.post(note_url(row, "follow-up"), {"follow_up": "on", "note": "ตรวจ"})
    assert response.status_code == 302


def test_notes_survive_a_send_back_and_show_on_both_confirmation_pages(client, officers, row):
    client.force_login(officers["owner"])
    client.post(note_url(row, "explain"), {"explanation": "ออกงาน OTOP City"})
    client.force_login(officers["province"])
    client.post(note_url(row, "follow-up"), {"follow_up": "on", "note": "ขอใบเสร็จ"})
    row.refresh_from_db()
    confirmations.send_back(
        row.district, MONTH, officers["province"], {row.pk: row.version}, {row.pk}, "ตรวจยอด"
    )
    note = RowNote.objects.get(sale=row)
    assert note.explanation == "ออกงาน OTOP City" and note.follow_up
    page = client.get("/confirm/province/5701/2570/10/").content.decode()
    assert "ออกงาน OTOP City" in page and "ขอใบเสร็จ" in page
    client.force_login(officers["owner"])
    page = client.get("/confirm/district/5701/2570/10/").content.decode()
    assert "ออกงาน OTOP City" in page and f"/sales/notes/{row.pk}/" in page


def test_the_follow_up_list_scope(client, officers, row):
    for who, url, status in (
        ("owner", "/reports/follow-up/57/", 404),
        ("other_province", "/reports/follow-up/57/", 404),
        ("province", "/reports/follow-up/all/", 404),
        ("department", "/reports/follow-up/all/", 200),
        ("province", "/reports/follow-up/57/", 200),
    ):
        client.force_login(officers[who])
        assert client.get(url).status_code == status, (who, url)
