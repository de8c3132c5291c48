"""The audit trail: every write to a row is recorded, and no record can be changed."""

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from confirmations.admin import AuditEntryAdmin
from confirmations.models import Action, AuditEntry, AuditImmutable
from sales.models import MonthlySale
from tests.conftest import PASSWORD
from tests.test_confirm_district import NOW, confirmed, form, fresh, make_rows
from tests.test_entry import post_data, rows_of_existing

ENTRY = "/sales/5701/2570/10/"
DISTRICT = "/confirm/district/5701/2570/10/"
PROVINCE = "/confirm/province/5701/2570/10/"
ADMIN = "/admin/confirmations/auditentry/"


@pytest.fixture(autouse=True)
def october(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)


def only(action):
    return AuditEntry.objects.get(action=action)


# --- what is recorded ------------------------------------------------------------------


def test_the_entry_page_records_create_change_and_delete(client, officers, geography):
    client.force_login(officers["owner"])
    new = {"id": "", "version": "", "name": "กลุ่มผ้าทอ", "product_type": "textile"}
    new |= {"producer_type": "single", "domestic": "1,500", "export": "20"}
    client.post(ENTRY, post_data([new]))
    row = MonthlySale.objects.get()
    created = only(Action.CREATE)
    assert (created.sale_id, created.user, created.at, created.old) == (
        row.pk,
        officers["owner"],
        NOW,
        None,
    )
    assert created.new["producer"] == "กลุ่มผ้าทอ" and created.new["domestic"] == "1500.00"
    assert (created.district_id, created.fiscal_year, created.month) == ("5701", 2570, 10)

    data = rows_of_existing([row])
    data[0]["domestic"] = "1,700.25"
    client.force_login(officers["colleague"])
    client.post(ENTRY, post_data(data, revision=1))
    changed = only(Action.CHANGE)
    assert changed.user == officers["colleague"]
    assert (changed.old["domestic"], changed.new["domestic"]) == ("1500.00", "1700.25")

    data = rows_of_existing(fresh([row]))
    data[0]["DELETE"] = "on"
    client.post(ENTRY, post_data(data, revision=2))
    deleted = only(Action.DELETE)
    assert deleted.old["domestic"] == "1700.25" and deleted.new is None
    assert deleted.sale_id == row.pk and not MonthlySale.objects.exists()


def test_confirmations_and_withdrawals_are_recorded_at_both_levels(client, officers, geography):
    rows = make_rows(geography["mueang_cr"], 1)
    client.force_login(officers["owner"])
    client.post(DISTRICT, form(rows, ticked=rows))
    client.post(DISTRICT, form(fresh(rows), ticked=[]))
    client.post(DISTRICT, form(fresh(rows), ticked=rows))
    client.force_login(officers["province"])
    client.post(PROVINCE, form(fresh(rows), ticked=rows))
    client.post(PROVINCE, form(fresh(rows), ticked=[]))

    actions = list(AuditEntry.objects.values_list("action", "user__username"))
    assert actions == [
        (Action.DISTRICT_CONFIRM, "d5701"),
        (Action.DISTRICT_WITHDRAW, "d5701"),
        (Action.DISTRICT_CONFIRM, "d5701"),
        (Action.PROVINCE_CONFIRM, "p57"),
        (Action.PROVINCE_WITHDRAW, "p57"),
    ]
    first = AuditEntry.objects.filter(action=Action.DISTRICT_CONFIRM).first()
    assert first.old["district_confirmed"] is False and first.new["district_confirmed"] is True
    assert first.at == NOW and first.reason == ""
    withdrawn = only(Action.PROVINCE_WITHDRAW)
    assert withdrawn.old["province_confirmed"] and not withdrawn.new["province_confirmed"]


def test_a_send_back_is_recorded_with_its_reason(client, officers, geography):
    rows = make_rows(geography["mueang_cr"], 1, **confirmed(province=True))
    client.force_login(officers["province"])
    data = form(rows, ticked=rows, field="chosen", reason="ยอดต่างประเทศผิด")
    client.post(PROVINCE + "send-back/", data)
    entry = only(Action.SEND_BACK)
    assert entry.user == officers["province"] and entry.at == NOW
    assert entry.reason == "ยอดต่างประเทศผิด"
    assert entry.old["district_confirmed"] and entry.old["province_confirmed"]
    assert not entry.new["district_confirmed"] and not entry.new["province_confirmed"]


def test_a_refused_confirmation_records_nothing(client, officers, geography):
    rows = make_rows(geography["mueang_cr"], 2)
    client.force_login(officers["province"])
    client.post(PROVINCE, form(rows, ticked=rows))  # not confirmed by the district yet
    assert not AuditEntry.objects.exists()


# --- nobody changes a record ------------------------------------------------------------


@pytest.fixture
def entry(officers, geography):
    return AuditEntry.objects.create(
        sale_id=1,
        district=geography["mueang_cr"],
        fiscal_year=2570,
        month=10,
        action=Action.CREATE,
        user=officers["owner"],
        new={"domestic": "1.00"},
    )


def test_a_record_cannot_be_saved_again_or_deleted(entry):
    entry.reason = "แก้ย้อนหลัง"
    with pytest.raises(AuditImmutable):
        entry.save()
    with pytest.raises(AuditImmutable):
        entry.delete()
    assert AuditEntry.objects.get().reason == ""


def test_the_queryset_refuses_update_and_delete(entry):
    with pytest.raises(AuditImmutable):
        AuditEntry.objects.filter(pk=entry.pk).update(reason="x")
    with pytest.raises(AuditImmutable):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_the_database_refuses_a_raw_update_or_delete(entry):
    table = AuditEntry._meta.db_table
    for sql in (f"UPDATE {table} SET reason = 'x'", f"DELETE FROM {table}"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert AuditEntry.objects.get().reason == ""


@pytest.fixture
def superuser_client(client, geography):
    user = get_user_model().objects.create_superuser("root", "root@example.org", PASSWORD)
    client.force_login(user)
    return client


def test_the_admin_lists_records_but_changes_none(superuser_client, entry, officers):
    response = superuser_client.get(ADMIN)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'href="{ADMIN}add/"' not in html
    assert superuser_client.get(f"{ADMIN}{entry.pk}/change/").status_code == 200  # to read
    assert superuser_client.get(f"{ADMIN}add/").status_code == 403
    post = {"reason": "แก้ย้อนหลัง", "action": "delete"}
    assert superuser_client.post(f"{ADMIN}{entry.pk}/change/", post).status_code == 403
    assert superuser_client.get(f"{ADMIN}{entry.pk}/delete/").status_code == 403
    assert superuser_client.post(f"{ADMIN}{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    bulk = {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"}
    superuser_client.post(ADMIN, bulk)
    assert AuditEntry.objects.get().reason == ""


def test_no_one_has_add_change_or_delete_permission(rf, entry):
    request = rf.get(ADMIN)
    request.user = get_user_model()(is_superuser=True, is_staff=True, is_active=True)
    model_admin = AuditEntryAdmin(AuditEntry, admin.site)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, entry)
    assert not model_admin.has_delete_permission(request, entry)
    assert model_admin.has_view_permission(request, entry)


def test_the_admin_list_costs_the_same_queries_for_more_records(
    superuser_client, officers, geography, django_assert_num_queries
):
    def add(count):
        AuditEntry.objects.bulk_create(
            AuditEntry(
                sale_id=i,
                district=geography["mueang_cr" if i % 2 else "mueang_cm"],
                fiscal_year=2570,
                month=10,
                action=Action.CHANGE,
                user=officers["owner"],
            )
            for i in range(count)
        )

    add(3)
    with CaptureQueriesContext(connection) as few:
        assert superuser_client.get(ADMIN).status_code == 200
    queries = len(few.captured_queries)
    add(60)
    with django_assert_num_queries(queries):
        superuser_client.get(ADMIN)
