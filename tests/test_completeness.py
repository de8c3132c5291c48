"""Completeness: who has reported a month, nationally and per province.

The month under test is ตุลาคม 2561 (FY 2562, month 10): its deadline is
5 พฤศจิกายน 2561 23:59:59.999999 in Asia/Bangkok. The clock is pinned around it.
"""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from confirmations import completeness
from confirmations.completeness import LATE, NOTHING, ON_TIME, OVERDUE, PENDING, Progress
from confirmations.services import confirm_district, confirm_province
from otopdoc.fiscal import FiscalMonth
from reports.models import MonthTotal
from reports.totals import refresh_month
from sales.models import Cluster, District, MonthlySale, Producer, ProductType, Province
from sales.services import save_month
from tests.conftest import PASSWORD

BANGKOK = ZoneInfo("Asia/Bangkok")
OCTOBER = FiscalMonth(2562, 10)
NATION_URL = "/confirm/completeness/2562/10/"
PROVINCE_URL = "/confirm/completeness/2562/10/57/"


def bangkok(*args):
    return datetime.datetime(*args, tzinfo=BANGKOK)


DEADLINE = bangkok(2018, 11, 5, 23, 59, 59, 999999)
AFTER_DEADLINE = bangkok(2018, 11, 6, 0, 0, 0)
MID_MONTH = bangkok(2018, 10, 20, 10, 0)


@pytest.fixture
def clock(monkeypatch):
    """Return a function that pins django.utils.timezone.now to an aware moment."""

    def pin(moment):
        monkeypatch.setattr(timezone, "now", lambda: moment)

    return pin


def month_rows(
    district,
    count,
    *,
    district_confirmed=0,
    province_confirmed=0,
    confirmed_at=None,
    fiscal_month=OCTOBER,
    domestic="100.00",
    export="0.00",
):
    """Create `count` rows of a district's month; confirm the first ones; refresh its totals."""
    confirmed_at = confirmed_at or bangkok(2018, 11, 2, 9, 0)
    start = Producer.objects.filter(district=district).count()
    producers = Producer.objects.bulk_create(
        Producer(
            name=f"กลุ่ม {district.code}-{start + i}",
            district=district,
            producer_type="group",
        )
        for i in range(count)
    )
    MonthlySale.objects.bulk_create(
        MonthlySale(
            producer=p,
            district=district,
            product_type=ProductType.FOOD if i % 2 else ProductType.TEXTILE,
            fiscal_year=fiscal_month.fiscal_year,
            month=fiscal_month.month,
            domestic=Decimal(domestic),
            export=Decimal(export),
            district_confirmed_at=confirmed_at if i < district_confirmed else None,
            province_confirmed_at=confirmed_at if i < province_confirmed else None,
        )
        for i, p in enumerate(producers)
    )
    refresh_month(district, fiscal_month.fiscal_year, fiscal_month.month)


def progress_of(district, now):
    figures = completeness.district_figures(OCTOBER, district=district)
    return Progress.of(OCTOBER, now, figures.get(district.pk))


# The five states, from hand-built rows and a pinned clock.


def test_all_confirmed_by_the_deadline_is_on_time(geography):
    month_rows(geography["mueang_cr"], 3, district_confirmed=3, confirmed_at=DEADLINE)
    progress = progress_of(geography["mueang_cr"], AFTER_DEADLINE)
    assert progress.state == ON_TIME
    assert (progress.rows, progress.district_rows) == (3, 3)


def test_all_confirmed_a_moment_after_the_deadline_is_late(geography):
    month_rows(geography["mueang_cr"], 3, district_confirmed=3, confirmed_at=AFTER_DEADLINE)
    assert progress_of(geography["mueang_cr"], AFTER_DEADLINE).state == LATE


def test_the_last_confirmation_decides_on_time_or_late(geography):
    district = geography["mueang_cr"]
    month_rows(district, 2, district_confirmed=2, confirmed_at=bangkok(2018, 11, 1, 8, 0))
    assert progress_of(district, AFTER_DEADLINE).state == ON_TIME
    # One more row, confirmed after the deadline: the month was not complete in time.
    month_rows(district, 1, district_confirmed=1, confirmed_at=bangkok(2018, 11, 12, 8, 0))
    assert progress_of(district, AFTER_DEADLINE).state == LATE


def test_rows_not_all_confirmed_are_pending_until_the_last_instant(geography):
    month_rows(geography["mueang_cr"], 3, district_confirmed=2)
    assert progress_of(geography["mueang_cr"], DEADLINE).state == PENDING


def test_rows_not_all_confirmed_are_overdue_once_the_deadline_passes(geography):
    month_rows(geography["mueang_cr"], 3, district_confirmed=2)
    progress = progress_of(geography["mueang_cr"], AFTER_DEADLINE)
    assert progress.state == OVERDUE
    assert progress.needs_attention
    assert progress.unconfirmed == 1


def test_a_district_without_rows_has_nothing_and_is_missing_after_the_deadline(geography):
    assert progress_of(geography["mueang_cr"], DEADLINE).state == NOTHING
    assert not progress_of(geography["mueang_cr"], DEADLINE).missing
    assert progress_of(geography["mueang_cr"], AFTER_DEADLINE).missing


def test_the_deadline_is_read_in_bangkok_not_utc(geography):
    # 17:00 UTC on the 5th is already 00:00 on the 6th in Bangkok: past the deadline.
    month_rows(geography["mueang_cr"], 1)
    utc_moment = datetime.datetime(2018, 11, 5, 17, 0, tzinfo=datetime.UTC)
    assert progress_of(geography["mueang_cr"], utc_moment).state == OVERDUE
    earlier = datetime.datetime(2018, 11, 5, 16, 59, tzinfo=datetime.UTC)
    assert progress_of(geography["mueang_cr"], earlier).state == PENDING


# The province page.


def test_province_page_shows_each_district_state(client, officers, geography, clock):
    month_rows(geography["mueang_cr"], 4, district_confirmed=4, province_confirmed=1)
    month_rows(geography["wiang_chai"], 3, district_confirmed=1)
    month_rows(geography["mueang_cm"], 9)  # another province
    clock(AFTER_DEADLINE)
    client.force_login(officers["province"])
    response = client.get(PROVINCE_URL)
    assert response.status_code == 200
    states = {d.code: p for d, p in response.context["districts"]}
    assert set(states) == {"5701", "5702"}
    assert states["5701"].state == ON_TIME
    assert (states["5701"].rows, states["5701"].province_rows) == (4, 1)
    assert states["5702"].state == OVERDUE
    tally = response.context["tally"]
    assert (tally.districts, tally.on_time, tally.overdue, tally.rows) == (2, 1, 1, 7)
    html = response.content.decode()
    assert "row-overdue" in html and "state-overdue" in html
    assert "เกินกำหนด ยังยืนยันไม่ครบ" in html
    assert "เมืองเชียงใหม่" not in html
    assert "/confirm/province/5702/2562/10/" in html  # the province officer goes to confirm


def test_province_page_before_the_deadline_shows_pending_and_days_left(
    client, officers, geography, clock
):
    month_rows(geography["wiang_chai"], 3, district_confirmed=1)
    clock(bangkok(2018, 11, 2, 10, 0))
    client.force_login(officers["province"])
    response = client.get(PROVINCE_URL)
    states = {d.code: p.state for d, p in response.context["districts"]}
    assert states == {"5701": NOTHING, "5702": PENDING}
    html = response.content.decode()
    assert "เหลืออีก 3 วัน" in html
    assert 'class="row-overdue"' not in html


def test_province_page_flags_a_district_that_entered_nothing_by_the_deadline(
    client, officers, geography, clock
):
    clock(AFTER_DEADLINE)
    client.force_login(officers["province"])
    html = client.get(PROVINCE_URL).content.decode()
    assert "ยังไม่บันทึก · เกินกำหนด" in html


# The national page.


def test_national_page_tallies_provinces_by_state(client, officers, geography, clock):
    month_rows(geography["mueang_cr"], 2, district_confirmed=2, confirmed_at=DEADLINE)
    month_rows(geography["wiang_chai"], 3, district_confirmed=2, province_confirmed=1)
    clock(AFTER_DEADLINE)
    client.force_login(officers["department"])
    response = client.get(NATION_URL)
    assert response.status_code == 200
    clusters = response.context["clusters"]
    assert [c.region for c, _, _ in clusters] == [15, 16]
    ((chiang_mai, cm),) = clusters[0][1]
    ((chiang_rai, cr),) = clusters[1][1]
    assert (chiang_mai.code, cm.districts, cm.nothing) == ("50", 1, 1)
    assert (chiang_rai.code, cr.districts) == ("57", 2)
    assert (cr.on_time, cr.late, cr.overdue, cr.pending, cr.nothing) == (1, 0, 1, 0, 0)
    assert (cr.rows, cr.district_rows, cr.province_rows) == (5, 4, 1)
    nation = response.context["tally"]
    assert (nation.districts, nation.reported, nation.overdue, nation.nothing) == (3, 1, 1, 1)
    html = response.content.decode()
    assert 'class="count-overdue"' in html
    assert PROVINCE_URL in html


def test_national_page_counts_late_and_pending(client, officers, geography, clock):
    month_rows(geography["mueang_cr"], 2, district_confirmed=2, confirmed_at=AFTER_DEADLINE)
    month_rows(geography["wiang_chai"], 1)
    clock(bangkok(2018, 11, 20, 9, 0))
    client.force_login(officers["department"])
    cr = client.get(NATION_URL).context["clusters"][1][1][0][1]
    assert (cr.late, cr.overdue) == (1, 1)
    clock(bangkok(2018, 11, 4, 9, 0))
    cr = client.get(NATION_URL).context["clusters"][1][1][0][1]
    assert (cr.pending, cr.overdue) == (1, 0)


def test_the_states_follow_the_confirmation_services(client, officers, geography, clock):
    """Rows saved and confirmed through the services reach the page via the totals."""
    district = geography["wiang_chai"]
    clock(bangkok(2018, 11, 3, 9, 0))
    rows = [
        {
            "id": None,
            "name": f"กลุ่มทอผ้า {i}",
            "producer_type": "group",
            "product_type": ProductType.TEXTILE,
            "domestic": Decimal("500.00"),
            "export": Decimal("0"),
        }
        for i in range(3)
    ]
    save_month(district, OCTOBER, officers["neighbour"], 0, rows, [])
    shown = dict(MonthlySale.objects.for_month(district, OCTOBER).values_list("id", "version"))
    confirm_district(district, OCTOBER, officers["neighbour"], shown, list(shown))
    shown = dict(MonthlySale.objects.for_month(district, OCTOBER).values_list("id", "version"))
    confirm_province(district, OCTOBER, officers["province"], shown, list(shown)[:1])
    clock(AFTER_DEADLINE)  # sign in after moving the clock: a session lasts eight hours
    client.force_login(officers["department"])
    cr = client.get(NATION_URL).context["clusters"][1][1][0][1]
    assert (cr.on_time, cr.rows, cr.district_rows, cr.province_rows) == (1, 3, 3, 1)


def test_the_pages_read_the_totals_not_the_rows(client, officers, geography, clock):
    month_rows(geography["wiang_chai"], 3, district_confirmed=3)
    MonthlySale.objects.all().delete()  # the totals alone must carry the page
    clock(AFTER_DEADLINE)
    client.force_login(officers["department"])
    cr = client.get(NATION_URL).context["clusters"][1][1][0][1]
    assert cr.rows == 3
    assert MonthTotal.objects.exists()


# Who may open the pages.


def test_anonymous_visitors_are_sent_to_sign_in(client, geography):
    for url in ("/confirm/completeness/", NATION_URL, PROVINCE_URL):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(
    ("who", "status"),
    [("department", 200), ("owner", 404), ("outsider", 404), ("neighbour", 404)],
)
def test_national_page_is_for_the_department(client, officers, who, status):
    client.force_login(officers[who])
    assert client.get(NATION_URL).status_code == status


@pytest.mark.parametrize(("who", "code"), [("province", "57"), ("other_province", "50")])
def test_a_province_officer_is_sent_from_the_national_page_to_its_own(client, officers, who, code):
    client.force_login(officers[who])
    response = client.get(NATION_URL)
    assert response.status_code == 302
    assert response["Location"] == f"/confirm/completeness/2562/10/{code}/"


@pytest.mark.parametrize(
    ("who", "url", "status"),
    [
        ("department", PROVINCE_URL, 200),
        ("department", "/confirm/completeness/2562/10/50/", 200),
        ("province", PROVINCE_URL, 200),
        ("province", "/confirm/completeness/2562/10/50/", 404),
        ("other_province", PROVINCE_URL, 404),
        ("owner", PROVINCE_URL, 404),
        ("neighbour", PROVINCE_URL, 404),
        ("outsider", "/confirm/completeness/2562/10/50/", 404),
        ("department", "/confirm/completeness/2562/10/99/", 404),
        ("department", "/confirm/completeness/2562/13/57/", 404),
        ("department", "/confirm/completeness/1999/10/57/", 404),
    ],
)
def test_province_page_is_seen_only_within_scope(client, officers, who, url, status):
    client.force_login(officers[who])
    assert client.get(url).status_code == status


def test_a_user_without_a_role_is_refused(client, geography):
    user = get_user_model().objects.create_user("nobody", password=PASSWORD)
    client.force_login(user)
    for url in ("/confirm/completeness/", NATION_URL, PROVINCE_URL):
        assert client.get(url).status_code == 403


def test_the_department_sees_its_rows_only_through_the_province_page(client, officers, geography):
    month_rows(geography["mueang_cr"], 2, district_confirmed=2, province_confirmed=1)
    month_rows(geography["wiang_chai"], 2, district_confirmed=2)
    client.force_login(officers["department"])
    html = client.get(PROVINCE_URL).content.decode()
    assert "/confirm/province/5701/2562/10/" in html
    assert "/confirm/province/5702/2562/10/" not in html  # nothing the province confirmed
    assert "/sales/5701/2562/10/" not in html  # not the entry page with every row
    assert "ตรวจและยืนยัน" not in html


def test_the_province_confirms_only_where_the_district_has(client, officers, geography):
    month_rows(geography["mueang_cr"], 2, district_confirmed=1)
    month_rows(geography["wiang_chai"], 2)
    client.force_login(officers["province"])
    html = client.get(PROVINCE_URL).content.decode()
    assert 'href="/confirm/province/5701/2562/10/"' in html
    assert 'href="/confirm/province/5702/2562/10/"' not in html


@pytest.mark.parametrize(
    ("who", "location"),
    [
        ("department", "/confirm/completeness/2562/9/"),
        ("province", "/confirm/completeness/2562/9/57/"),
    ],
)
def test_the_menu_link_opens_the_month_being_reported(client, officers, clock, who, location):
    clock(bangkok(2019, 10, 3, 9, 0))  # early ตุลาคม 2562: กันยายน 2562 is being confirmed
    client.force_login(officers[who])
    response = client.get("/confirm/completeness/")
    assert response.status_code == 302
    assert response["Location"] == location


def test_the_menu_link_is_404_to_a_district(client, officers):
    client.force_login(officers["owner"])
    assert client.get("/confirm/completeness/").status_code == 404


@pytest.mark.parametrize(
    ("who", "home", "shown"),
    [("province", "/province/57/", True), ("department", "/nation/", True)]
    + [("owner", "/district/5701/", False)],
)
def test_the_menu_links_province_and_department_to_the_page(client, officers, who, home, shown):
    client.force_login(officers[who])
    html = client.get(home).content.decode()
    assert ('href="/confirm/completeness/"' in html) is shown


def test_the_month_picker_offers_the_twelve_months_and_neighbours(client, officers):
    client.force_login(officers["department"])
    response = client.get(NATION_URL)
    assert len(response.context["picker_months"]) == 12
    assert response.context["previous_url"] == "/confirm/completeness/2561/9/"
    assert response.context["next_url"] == "/confirm/completeness/2562/11/"
    assert "/confirm/completeness/2562/3/" in response.content.decode()


# Constant cost.


def more_areas(count):
    """Add `count` provinces of two districts each, every district with a reported month."""
    cluster = Cluster.objects.create(region=99, name_th="กลุ่มจังหวัดทดสอบ")
    for i in range(count):
        province = Province.objects.create(
            code=f"{80 + i}", name_th=f"จังหวัดทดสอบ {i}", name_en=f"Test {i}", cluster=cluster
        )
        for j in range(2):
            district = District.objects.create(
                code=f"{80 + i}0{j}", province=province, name_th=f"อำเภอ {i}-{j}", name_en="x"
            )
            month_rows(district, 3, district_confirmed=j * 3)


@pytest.mark.parametrize(("who", "url"), [("department", NATION_URL), ("province", PROVINCE_URL)])
def test_pages_cost_the_same_queries_at_two_sizes(
    client, officers, geography, clock, django_assert_num_queries, who, url
):
    clock(AFTER_DEADLINE)
    client.force_login(officers[who])
    month_rows(geography["mueang_cr"], 1)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    more_areas(6)
    for district in ("wiang_chai", "mueang_cm"):
        month_rows(geography[district], 30, district_confirmed=30)
    with django_assert_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200


def test_national_page_reads_the_totals_in_one_grouped_query(client, officers, geography, clock):
    more_areas(3)
    clock(AFTER_DEADLINE)
    client.force_login(officers["department"])
    with CaptureQueriesContext(connection) as queries:
        client.get(NATION_URL)
    on_totals = [q["sql"] for q in queries.captured_queries if "reports_monthtotal" in q["sql"]]
    assert len(on_totals) == 1
    assert "GROUP BY" in on_totals[0]
    assert not [q for q in queries.captured_queries if "sales_monthlysale" in q["sql"]]
