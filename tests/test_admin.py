"""The admin: every changelist loads, costs the same queries for more rows, and checks input."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from otopdoc.fiscal import BANGKOK
from otopdoc.models import Officer, Role
from otopdoc.officers import create_officer
from reports.models import Target
from sales.models import LockException, MonthlySale, Producer, ProductType, Subdistrict
from tests.conftest import PASSWORD

NOW = datetime.datetime(2025, 11, 12, 10, 0, tzinfo=BANGKOK)
CHANGELISTS = [
    "sales_cluster",
    "sales_province",
    "sales_district",
    "sales_subdistrict",
    "sales_producer",
    "sales_monthlysale",
    "sales_lockexception",
    "reports_target",
    "auth_user",
]


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)


@pytest.fixture
def admin_client(client, geography):
    user = get_user_model().objects.create_superuser("admin", "admin@example.org", PASSWORD)
    client.force_login(user)
    client.user = user
    return client


def add_producers(geography, count, start=0):
    """Create producers across the districts, with a row of sales each."""
    districts = [geography["mueang_cr"], geography["wiang_chai"], geography["mueang_cm"]]
    producers = Producer.objects.bulk_create(
        Producer(name=f"กลุ่มที่ {i}", district=districts[i % len(districts)], producer_type="group")
        for i in range(start, start + count)
    )
    MonthlySale.objects.bulk_create(
        MonthlySale(
            producer=p,
            district=p.district,
            product_type=ProductType.FOOD,
            fiscal_year=2569,
            month=10,
            domestic=Decimal("100.00"),
        )
        for p in producers
    )


def add_exceptions(geography, user, count):
    for i in range(count):
        area = (
            {"district": geography["mueang_cr"]} if i % 2 else {"province": geography["chiang_mai"]}
        )
        LockException.objects.create(
            fiscal_year=2569,
            month=10,
            open_until=NOW + datetime.timedelta(days=i + 1),
            reason="ส่งยอดล่าช้า",
            granted_by=user,
            **area,
        )


def add_people(count, start=0):
    for i in range(start, start + count):
        create_officer(f"d{i}", PASSWORD, "district", "5701")
        create_officer(f"p{i}", PASSWORD, "province", "57")


def add_targets(geography, count, start=0):
    Target.objects.bulk_create(
        Target(province=geography[name], fiscal_year=2560 + i, base=Decimal("1000000"))
        for i in range(start, start + count)
        for name in ("chiang_rai", "chiang_mai")
    )


def add_subdistricts(geography, count, start=0):
    Subdistrict.objects.bulk_create(
        Subdistrict(
            code=f"5701{i:02d}", district=geography["mueang_cr"], name_th=f"ตำบล{i}", name_en=""
        )
        for i in range(start, start + count)
    )


@pytest.mark.parametrize("name", CHANGELISTS)
def test_each_changelist_loads_for_a_superuser(admin_client, geography, officers, name):
    add_producers(geography, 3)
    add_exceptions(geography, admin_client.user, 2)
    add_targets(geography, 1)
    assert admin_client.get(reverse(f"admin:{name}_changelist")).status_code == 200


@pytest.mark.parametrize(
    ("name", "add"),
    [
        ("sales_producer", lambda g, u, n, s: add_producers(g, n, s)),
        ("sales_monthlysale", lambda g, u, n, s: add_producers(g, n, s)),
        ("sales_lockexception", lambda g, u, n, s: add_exceptions(g, u, n)),
        ("auth_user", lambda g, u, n, s: add_people(n, s)),
        ("reports_target", lambda g, u, n, s: add_targets(g, n, s)),
        ("sales_subdistrict", lambda g, u, n, s: add_subdistricts(g, n, s)),
    ],
)
def test_a_changelist_costs_the_same_queries_for_more_rows(
    admin_client, geography, django_assert_num_queries, name, add
):
    url = reverse(f"admin:{name}_changelist")
    add(geography, admin_client.user, 2, 0)
    with CaptureQueriesContext(connection) as small:
        assert admin_client.get(url).status_code == 200
    add(geography, admin_client.user, 20, 10)
    with django_assert_num_queries(len(small.captured_queries)):
        assert admin_client.get(url).status_code == 200


def test_the_sales_changelist_filters_by_year_month_and_type(admin_client, geography):
    add_producers(geography, 3)
    url = reverse("admin:sales_monthlysale_changelist")
    response = admin_client.get(url, {"fiscal_year": 2569, "month": 10, "product_type": "food"})
    assert response.status_code == 200
    assert response.context["cl"].result_count == 3
    response = admin_client.get(url, {"month": 11})
    assert response.context["cl"].result_count == 0
    assert "ตุลาคม" in response.content.decode()


@pytest.mark.parametrize(
    "name", ["sales_lockexception", "sales_producer", "sales_monthlysale", "auth_user"]
)
def test_the_add_pages_load(admin_client, name):
    assert admin_client.get(reverse(f"admin:{name}_add")).status_code == 200


def lock_exception_form(**change):
    return {
        "district": "5701",
        "province": "",
        "fiscal_year": "2569",
        "month": "10",
        "open_until_0": "20/11/2568",
        "open_until_1": "16:30",
        "reason": "ผู้ผลิตส่งยอดล่าช้า",
        **change,
    }


def test_the_admin_grants_an_exception_in_the_name_of_its_user(admin_client):
    response = admin_client.post(reverse("admin:sales_lockexception_add"), lock_exception_form())
    assert response.status_code == 302
    granted = LockException.objects.get()
    assert granted.granted_by == admin_client.user
    assert granted.open_until == datetime.datetime(2025, 11, 20, 16, 30, tzinfo=BANGKOK)


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"district": ""}, "district", "กรุณาระบุรหัสอำเภอ หรือรหัสจังหวัด"),
        ({"province": "57"}, "province", "ระบุได้อย่างใดอย่างหนึ่งเท่านั้น"),
        ({"month": "11"}, "month", "ยังไม่ถึงกำหนดปิดรับ"),
        ({"open_until_0": "01/11/2568"}, "open_until", "ต้องอยู่หลังเวลาปัจจุบัน"),
        # Issue 17: an exception could be granted until 9999-12-31.
        ({"open_until_0": "31/12/9999"}, "open_until", "ไม่ใช่ปี พ.ศ. ที่ใช้ได้"),
        ({"open_until_0": "31/12/2569"}, "open_until", "ได้ไม่เกิน 90 วัน"),
        ({"open_until_0": "30/02/2569"}, "open_until", "ไม่มีวันที่ 30 กุมภาพันธ์ 2569"),
        ({"open_until_1": "24:10"}, "open_until", "ไม่มีเวลา 24:10"),
        ({"fiscal_year": "25"}, "fiscal_year", "ปีงบประมาณต้องอยู่ระหว่าง"),
    ],
)
def test_the_admin_refuses_what_the_exception_screen_refuses(admin_client, change, field, message):
    response = admin_client.post(
        reverse("admin:sales_lockexception_add"), lock_exception_form(**change)
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert message in errors[field][0]
    assert not LockException.objects.exists()


def user_form(user, role, district="", province=""):
    return {
        "username": user.username,
        "is_active": "on",
        "date_joined_0": "01/11/2568",
        "date_joined_1": "09:00",
        "officer-TOTAL_FORMS": "1",
        "officer-INITIAL_FORMS": "1",
        "officer-MIN_NUM_FORMS": "0",
        "officer-MAX_NUM_FORMS": "1",
        "officer-0-id": str(user.officer.pk),
        "officer-0-user": str(user.pk),
        "officer-0-role": role,
        "officer-0-district": district,
        "officer-0-province": province,
    }


def test_the_user_page_edits_the_officers_role(admin_client, officers):
    user = officers["owner"]
    url = reverse("admin:auth_user_change", args=[user.pk])
    response = admin_client.post(url, user_form(user, Role.PROVINCE, province="57"))
    assert response.status_code == 302
    officer = Officer.objects.get(user=user)
    assert (officer.role, officer.district_id, officer.province_id) == ("province", None, "57")


@pytest.mark.parametrize(
    ("role", "district", "province", "field", "message"),
    [
        (Role.DISTRICT, "", "", "district", "เจ้าหน้าที่อำเภอต้องระบุอำเภอ"),
        (Role.DISTRICT, "5701", "57", "province", "เจ้าหน้าที่อำเภอไม่ต้องระบุจังหวัด"),
        (Role.PROVINCE, "", "", "province", "เจ้าหน้าที่จังหวัดต้องระบุจังหวัด"),
        (Role.DEPARTMENT, "5701", "", "district", "ไม่ต้องระบุพื้นที่"),
    ],
)
def test_the_user_page_says_which_area_a_role_needs(
    admin_client, officers, role, district, province, field, message
):
    user = officers["owner"]
    url = reverse("admin:auth_user_change", args=[user.pk])
    response = admin_client.post(url, user_form(user, role, district, province))
    assert response.status_code == 200
    inline = response.context["inline_admin_formsets"][0].formset.forms[0]
    assert message in inline.errors[field][0]
    assert "officer_role_matches_area" not in response.content.decode()
    assert Officer.objects.get(user=user).district_id == "5701"


def test_the_user_page_shows_and_takes_be_dates(admin_client, officers):
    """Issue 10 point 8: the admin's dates too are วัน/เดือน/ปี พ.ศ. and 24-hour time."""
    user = officers["owner"]
    get_user_model().objects.filter(pk=user.pk).update(
        date_joined=datetime.datetime(2025, 11, 1, 9, 0, tzinfo=BANGKOK)
    )
    url = reverse("admin:auth_user_change", args=[user.pk])
    page = admin_client.get(url).content.decode()
    assert 'value="01/11/2568"' in page and 'value="09:00"' in page
    response = admin_client.post(
        url, {**user_form(user, Role.DISTRICT, district="5701"), "date_joined_0": "31/02/2568"}
    )
    assert response.status_code == 200
    assert "ไม่มีวันที่ 31 กุมภาพันธ์ 2568" in response.content.decode()
    form = {**user_form(user, Role.DISTRICT, district="5701"), "date_joined_0": "02/11/2568"}
    assert admin_client.post(url, form).status_code == 302
    user.refresh_from_db()
    assert user.date_joined == datetime.datetime(2025, 11, 2, 9, 0, tzinfo=BANGKOK)
