"""Each role's home, and who may open it."""

import datetime
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from reports.totals import refresh_month
from sales.models import MonthlySale, Producer, ProductType
from tests.conftest import PASSWORD

DISTRICT_URL = "/district/5701/"
PROVINCE_URL = "/province/57/"
NATION_URL = "/nation/"


def add_rows(district, count, fiscal_year=2562, month=10, confirmed=0, province_confirmed=0):
    """Create `count` producers of a district with one row each; confirm the first ones.

    The homes read the running totals, so the month's totals are refreshed as a writer would.
    """
    now = timezone.now()
    start = Producer.objects.filter(district=district).count()
    producers = Producer.objects.bulk_create(
        Producer(name=f"กลุ่มที่ {district.code}-{start + i}", district=district, producer_type="group")
        for i in range(count)
    )
    MonthlySale.objects.bulk_create(
        MonthlySale(
            producer=p,
            district=district,
            product_type=ProductType.FOOD,
            fiscal_year=fiscal_year,
            month=month,
            domestic=Decimal("1000.50"),
            export=Decimal("10.00"),
            district_confirmed_at=now if i < max(confirmed, province_confirmed) else None,
            province_confirmed_at=now if i < province_confirmed else None,
        )
        for i, p in enumerate(producers)
    )
    refresh_month(district, fiscal_year, month)


@pytest.mark.parametrize("url", ["/", DISTRICT_URL, PROVINCE_URL, NATION_URL])
def test_it_sends_strangers_to_sign_in(client, geography, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(
    ("who", "home"),
    [("owner", DISTRICT_URL), ("province", PROVINCE_URL), ("department", NATION_URL)],
)
def test_home_sends_each_role_to_its_own_place(client, officers, who, home):
    client.force_login(officers[who])
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == home


def test_a_user_without_a_role_is_refused(client, geography):
    user = get_user_model().objects.create_user("nobody", password=PASSWORD)
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 403
    assert "บัญชีนี้ยังไม่ได้กำหนดบทบาท" in response.content.decode()


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("owner", 200),
        ("colleague", 200),
        ("province", 200),
        ("department", 200),
        ("neighbour", 404),
        ("outsider", 404),
        ("other_province", 404),
    ],
)
def test_district_home_is_seen_only_within_scope(client, officers, who, status):
    client.force_login(officers[who])
    assert client.get(DISTRICT_URL).status_code == status


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("province", 200),
        ("department", 200),
        ("owner", 404),
        ("other_province", 404),
    ],
)
def test_province_home_is_seen_only_within_scope(client, officers, who, status):
    client.force_login(officers[who])
    assert client.get(PROVINCE_URL).status_code == status


@pytest.mark.parametrize(
    ("who", "status"), [("department", 200), ("province", 404), ("owner", 404)]
)
def test_nation_home_is_for_the_department_only(client, officers, who, status):
    client.force_login(officers[who])
    assert client.get(NATION_URL).status_code == status


def test_an_unknown_district_is_404(client, officers):
    client.force_login(officers["department"])
    assert client.get("/district/9999/").status_code == 404


@pytest.mark.parametrize("query", ["?fy=abc", "?fy=1999", "?fy=2562&month=13", "?month=x"])
def test_a_bad_year_or_month_is_404(client, officers, query):
    client.force_login(officers["department"])
    assert client.get(PROVINCE_URL + query).status_code == 404


def test_district_home_lists_the_twelve_months_with_their_figures(client, officers, geography):
    add_rows(geography["mueang_cr"], 3, confirmed=3)
    add_rows(geography["mueang_cm"], 2)  # another province's rows must not show
    client.force_login(officers["owner"])
    response = client.get(DISTRICT_URL + "?fy=2562")
    months = response.context["months"]
    assert [fm.month for fm, *_ in months] == [10, 11, 12, 1, 2, 3, 4, 5, 6, 7, 8, 9]
    october = months[0][1]
    assert october.rows == 3
    assert october.total == Decimal("3031.50")
    assert october.district_rows == 3
    assert months[1][1].rows == 0
    assert response.context["year_total"]["total"] == Decimal("3031.50")
    html = response.content.decode()
    assert "ตุลาคม 2561" in html and "กันยายน 2562" in html
    assert "3,031.50" in html
    assert "อำเภอยืนยันแล้ว" in html


def test_district_home_links_each_month_to_entry_and_confirmation(client, officers, geography):
    add_rows(geography["mueang_cr"], 1)
    client.force_login(officers["owner"])
    html = client.get(DISTRICT_URL + "?fy=2562").content.decode()
    assert 'href="/sales/5701/2562/10/"' in html
    assert 'href="/confirm/district/5701/2562/10/"' in html
    assert 'href="/sales/5701/2562/estimate/"' in html
    # A month without rows has nothing to confirm.
    assert "/confirm/district/5701/2562/11/" not in html


def test_district_home_offers_the_province_its_own_confirmation(client, officers, geography):
    add_rows(geography["mueang_cr"], 1)
    client.force_login(officers["province"])
    html = client.get(DISTRICT_URL + "?fy=2562").content.decode()
    assert "/confirm/district/5701/" not in html
    assert 'href="/confirm/province/5701/2562/10/"' in html


def test_district_home_reads_the_totals_not_the_rows(client, officers, geography):
    add_rows(geography["mueang_cr"], 2)
    MonthlySale.objects.all().delete()  # the running totals alone carry the page
    client.force_login(officers["owner"])
    response = client.get(DISTRICT_URL + "?fy=2562")
    assert response.context["months"][0][1].rows == 2


def test_province_home_lists_its_districts_by_month(client, officers, geography):
    add_rows(geography["wiang_chai"], 2)
    add_rows(geography["wiang_chai"], 5, month=11, confirmed=5, province_confirmed=5)
    add_rows(geography["mueang_cm"], 4)
    client.force_login(officers["province"])
    response = client.get(PROVINCE_URL + "?fy=2562&month=10")
    rows = {d.code: cells for d, cells in response.context["districts"]}
    assert set(rows) == {"5701", "5702"}
    assert [p.fiscal_month.month for p in rows["5702"]][:3] == [10, 11, 12]
    assert rows["5702"][0].rows == 2
    assert rows["5702"][1].province_done
    assert rows["5701"][0].rows == 0
    html = response.content.decode()
    assert "เมืองเชียงใหม่" not in html
    assert 'href="/confirm/province/5702/2562/10/"' in html
    assert 'href="/sales/exports/57/2562/10/"' in html
    assert 'href="/confirm/completeness/2562/10/57/"' in html


def test_province_home_marks_an_overdue_month_red(client, officers, geography, monkeypatch):
    add_rows(geography["wiang_chai"], 3, confirmed=1)
    after = datetime.datetime(2018, 11, 6, 0, 0, tzinfo=ZoneInfo("Asia/Bangkok"))
    monkeypatch.setattr(timezone, "now", lambda: after)
    client.force_login(officers["province"])
    response = client.get(PROVINCE_URL + "?fy=2562&month=10")
    cells = {d.code: c for d, c in response.context["districts"]}
    assert cells["5702"][0].state == "overdue"
    legend = 1  # the legend shows the red badge once
    assert response.content.decode().count("state state-overdue") == legend + 1
    monkeypatch.setattr(timezone, "now", lambda: after - datetime.timedelta(microseconds=1))
    client.force_login(officers["province"])
    response = client.get(PROVINCE_URL + "?fy=2562&month=10")
    assert response.context["districts"][1][1][0].state == "pending"
    assert response.content.decode().count("state state-overdue") == legend


def test_nation_home_groups_provinces_by_cluster(client, officers, geography):
    add_rows(geography["mueang_cm"], 4, province_confirmed=4)
    client.force_login(officers["department"])
    response = client.get(NATION_URL + "?fy=2562&month=10")
    clusters = response.context["clusters"]
    assert [c.region for c, _, _ in clusters] == [15, 16]
    assert clusters[0][1][0][1]["rows"] == 4
    assert clusters[0][2]["total"] == Decimal("4042.00")
    html = response.content.decode()
    assert "เขตตรวจราชการที่ 15" in html
    assert 'href="/confirm/completeness/2562/10/"' in html
    assert 'href="/confirm/completeness/2562/10/50/"' in html


def test_nation_home_counts_only_province_confirmed_rows(client, officers, geography):
    # 5 rows entered, 4 confirmed by the district, 2 by the province: only 2 count.
    add_rows(geography["mueang_cm"], 5, confirmed=4, province_confirmed=2)
    add_rows(geography["mueang_cr"], 7, confirmed=7)
    client.force_login(officers["department"])
    response = client.get(NATION_URL + "?fy=2562&month=10")
    chiang_mai = response.context["clusters"][0][1][0][1]
    chiang_rai = response.context["clusters"][1][1][0][1]
    assert chiang_mai["rows"] == 2
    assert chiang_mai["total"] == Decimal("2021.00")
    assert chiang_rai["rows"] == 0
    assert response.context["nation"]["total"] == Decimal("2021.00")
    html = response.content.decode()
    assert "2,021.00" in html
    assert "5,052.50" not in html and "4,042.00" not in html  # all rows, district-confirmed
    assert "เฉพาะรายการที่จังหวัดยืนยันแล้ว" in html


@pytest.mark.parametrize(
    ("who", "url"),
    [("owner", DISTRICT_URL), ("province", PROVINCE_URL), ("department", NATION_URL)],
)
def test_home_pages_cost_the_same_queries_at_two_sizes(
    client, officers, geography, django_assert_num_queries, who, url
):
    client.force_login(officers[who])
    add_rows(geography["mueang_cr"], 2)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url + "?fy=2562&month=10").status_code == 200
    for month in (10, 11, 12, 1):
        add_rows(geography["mueang_cr"], 10, month=month, confirmed=5, province_confirmed=3)
        add_rows(geography["wiang_chai"], 40, month=month, confirmed=40)
        add_rows(geography["mueang_cm"], 40, month=month, province_confirmed=40)
    with django_assert_num_queries(len(small.captured_queries)):
        assert client.get(url + "?fy=2562&month=10").status_code == 200


def test_sign_in_with_a_wrong_password_says_so_in_thai(client, officers):
    response = client.post("/accounts/login/", {"username": "d5701", "password": "wrong"})
    assert response.status_code == 200
    assert "ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง" in response.content.decode()


def test_repeated_failed_sign_ins_are_throttled(client, officers):
    for _ in range(5):
        client.post("/accounts/login/", {"username": "d5701", "password": "wrong"})
    response = client.post("/accounts/login/", {"username": "d5701", "password": PASSWORD})
    assert response.status_code == 429
    assert "ระงับการเข้าสู่ระบบชั่วคราว" in response.content.decode()


def test_sign_in_lands_on_the_home_of_the_role(client, officers):
    response = client.post(
        "/accounts/login/", {"username": "p57", "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == PROVINCE_URL


def test_the_login_page_uses_only_the_projects_static_files(client, db):
    html = client.get("/accounts/login/").content.decode()
    assert "/static/vendor/bootstrap/bootstrap.min.css" in html
    # No script, style or font from another host ("cdn" alone can occur in a CSRF token).
    assert not re.search(r'(src|href)="(https?:)?//', html)
