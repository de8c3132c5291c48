"""The monthly calendar lock: the rules at each edge, and the middleware that enforces them.

The clock is pinned in Asia/Bangkok around November 2025 (FY 2569): October 2568 B.E.'s
deadline is 5 November 23:59, the system is closed from the 6th to the 9th, and opens on
the 10th. The middleware is driven directly with a fake view of a data app, so these tests
do not depend on the entry page.
"""

import datetime
import json

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import path
from django.utils import timezone

from otopdoc import lock
from otopdoc.fiscal import BANGKOK, FiscalMonth
from otopdoc.middleware import CalendarLockMiddleware
from sales.models import LockException

OCTOBER = FiscalMonth(2569, 10)  # ตุลาคม 2568, closed after 5 November 2025
NOVEMBER = FiscalMonth(2569, 11)  # the current month from the 10th
DECEMBER = FiscalMonth(2569, 12)  # not started yet in November


def bangkok(day, hour=0, minute=0, month=11, year=2025):
    return datetime.datetime(year, month, day, hour, minute, tzinfo=BANGKOK)


@pytest.fixture
def clock(monkeypatch):
    """Pin django.utils.timezone.now (and so otopdoc.fiscal.now) to a moment."""

    def pin(moment):
        monkeypatch.setattr(timezone, "now", lambda: moment)
        return moment

    return pin


def officer(user):
    return user.officer


def sales_view(request, **kwargs):
    return HttpResponse("written")


sales_view.__module__ = "sales.views.fake"


def confirmations_view(request, **kwargs):
    return HttpResponse("written")


confirmations_view.__module__ = "confirmations.views.fake"


def otopdoc_view(request, **kwargs):
    return HttpResponse("written")


otopdoc_view.__module__ = "otopdoc.views"


def call(user, view=sales_view, method="post", headers=None, **kwargs):
    """Run a request through the middleware and, if it lets it pass, the view."""
    request = getattr(RequestFactory(), method)("/sales/somewhere/", headers=headers or {})
    request.user = user
    middleware = CalendarLockMiddleware(lambda r: HttpResponse("not used"))
    response = middleware.process_view(request, view, (), kwargs)
    return response or view(request, **kwargs)


def district_kwargs(code="5701", fiscal_month=OCTOBER):
    return {"district": code, "fiscal_year": fiscal_month.fiscal_year, "month": fiscal_month.month}


def grant(user, fiscal_month=OCTOBER, open_until=None, **area):
    return LockException.objects.create(
        fiscal_year=fiscal_month.fiscal_year,
        month=fiscal_month.month,
        open_until=open_until or bangkok(20),
        reason="ผู้ผลิตส่งยอดล่าช้า",
        granted_by=user,
        **area,
    )


# The rules -----------------------------------------------------------------------------


def test_it_keeps_the_month_open_on_the_5th_at_23_59(clock, officers):
    at = clock(bangkok(5, 23, 59))
    assert lock.refusal(officer(officers["owner"]), OCTOBER, at=at) is None
    assert lock.refusal(officer(officers["owner"]), OCTOBER) is None  # from the clock


def test_it_closes_on_the_6th_at_midnight_and_says_when_it_opens(clock, officers):
    clock(bangkok(6))
    refused = lock.refusal(officer(officers["owner"]), OCTOBER)
    assert refused.opens_at == bangkok(10)
    assert "วันที่ 10 พฤศจิกายน 2568 เวลา 00:00 น." in refused.message


def test_it_is_still_closed_on_the_9th_at_23_59(clock, officers):
    clock(bangkok(9, 23, 59))
    assert lock.refusal(officer(officers["owner"]), NOVEMBER).opens_at == bangkok(10)
    assert lock.refusal(officer(officers["province"])).opens_at == bangkok(10)


def test_it_opens_the_current_month_on_the_10th_at_midnight(clock, officers):
    clock(bangkok(10))
    assert lock.refusal(officer(officers["owner"]), NOVEMBER) is None
    assert lock.refusal(officer(officers["owner"])) is None


def test_it_keeps_last_month_closed_after_the_10th(clock, officers):
    clock(bangkok(10))
    refused = lock.refusal(officer(officers["owner"]), OCTOBER)
    assert refused.opens_at is None
    assert "ข้อมูลเดือนตุลาคม 2568 ปิดรับแล้ว" in refused.message


def test_it_never_locks_the_department(clock, officers):
    clock(bangkok(7))
    assert lock.refusal(officer(officers["department"]), OCTOBER) is None


def test_it_refuses_a_month_that_has_not_started(clock, officers):
    clock(bangkok(15))
    assert "ยังไม่ถึงเดือนธันวาคม 2568" in lock.refusal(officer(officers["owner"]), DECEMBER).message


def test_it_looks_for_exceptions_in_the_officers_own_area_when_none_is_named(
    clock, officers, geography
):
    clock(bangkok(15))
    grant(officers["department"], district=geography["wiang_chai"])
    assert lock.refusal(officer(officers["owner"]), OCTOBER) is not None
    grant(officers["department"], district=geography["mueang_cr"])
    assert lock.refusal(officer(officers["owner"]), OCTOBER) is None


def test_it_opens_nothing_for_an_exception_when_no_area_is_known(clock, officers, geography):
    clock(bangkok(15))
    grant(officers["department"], district=geography["wiang_chai"])
    assert lock.active_exception(OCTOBER) is None


def test_banner_tells_the_officer_before_they_type(clock, officers, rf):
    clock(bangkok(7))
    request = rf.get("/")
    request.user = officers["owner"]
    assert lock.banner(request, OCTOBER).opens_at == bangkok(10)
    request.user = officers["department"]
    assert lock.banner(request, OCTOBER) is None


def test_banner_says_nothing_to_strangers(clock, rf):
    from django.contrib.auth.models import AnonymousUser

    clock(bangkok(7))
    request = rf.get("/")
    request.user = AnonymousUser()
    assert lock.banner(request) is None


# The middleware ------------------------------------------------------------------------


def test_it_is_installed_after_authentication_and_messages():
    order = settings.MIDDLEWARE
    mine = order.index("otopdoc.middleware.CalendarLockMiddleware")
    assert mine > order.index("django.contrib.auth.middleware.AuthenticationMiddleware")
    assert mine > order.index("django.contrib.messages.middleware.MessageMiddleware")


def test_it_refuses_a_district_post_in_the_window_with_423(clock, officers):
    clock(bangkok(7, 9))
    response = call(officers["owner"], **district_kwargs(fiscal_month=NOVEMBER))
    assert response.status_code == 423
    page = response.content.decode()
    assert "กรมการพัฒนาชุมชนปิดระบบเพื่อรวบรวมข้อมูล" in page
    assert "10 พฤศจิกายน 2568 00:00 น." in page


@pytest.mark.parametrize(
    ("moment", "fiscal_month", "status"),
    [
        (bangkok(5, 23, 59), OCTOBER, 200),
        (bangkok(6), OCTOBER, 423),
        (bangkok(6), NOVEMBER, 423),
        (bangkok(9, 23, 59), NOVEMBER, 423),
        (bangkok(10), NOVEMBER, 200),
        (bangkok(10), OCTOBER, 423),
    ],
)
def test_it_holds_each_edge_of_the_calendar(clock, officers, moment, fiscal_month, status):
    clock(moment)
    response = call(officers["owner"], **district_kwargs(fiscal_month=fiscal_month))
    assert response.status_code == status


def test_it_refuses_a_province_post_in_the_window(clock, officers):
    clock(bangkok(8))
    kwargs = {"province": "57", "fiscal_year": 2569, "month": 10}
    assert call(officers["province"], view=confirmations_view, **kwargs).status_code == 423


def test_it_lets_the_department_write_in_the_window(clock, officers):
    clock(bangkok(7))
    assert call(officers["department"], **district_kwargs()).status_code == 200


@pytest.mark.parametrize("method", ["get", "head", "options"])
def test_it_never_refuses_a_read(clock, officers, method):
    clock(bangkok(7))
    assert call(officers["owner"], method=method, **district_kwargs()).status_code == 200


def test_it_leaves_views_outside_the_data_apps_alone(clock, officers):
    clock(bangkok(7))
    assert call(officers["owner"], view=otopdoc_view, **district_kwargs()).status_code == 200


def test_it_refuses_a_closed_month_outside_the_window(clock, officers):
    clock(bangkok(12))
    response = call(officers["owner"], **district_kwargs(fiscal_month=OCTOBER))
    assert response.status_code == 423
    assert "ข้อมูลเดือนตุลาคม 2568 ปิดรับแล้ว" in response.content.decode()
    assert call(officers["owner"], **district_kwargs(fiscal_month=NOVEMBER)).status_code == 200


def test_it_refuses_a_future_month(clock, officers):
    clock(bangkok(12))
    response = call(officers["owner"], **district_kwargs(fiscal_month=DECEMBER))
    assert response.status_code == 423
    assert "ยังไม่ถึงเดือนธันวาคม 2568" in response.content.decode()


def test_a_district_exception_opens_the_closed_month(clock, officers, geography):
    clock(bangkok(12))
    grant(officers["department"], district=geography["mueang_cr"])
    assert call(officers["owner"], **district_kwargs()).status_code == 200


def test_a_province_exception_opens_its_districts_and_itself(clock, officers, geography):
    clock(bangkok(12))
    grant(officers["department"], province=geography["chiang_rai"])
    assert call(officers["owner"], **district_kwargs("5701")).status_code == 200
    assert call(officers["neighbour"], **district_kwargs("5702")).status_code == 200
    kwargs = {"province": "57", "fiscal_year": 2569, "month": 10}
    assert call(officers["province"], **kwargs).status_code == 200
    assert call(officers["outsider"], **district_kwargs("5001")).status_code == 423


def test_an_expired_exception_does_not_open_it(clock, officers, geography):
    clock(bangkok(12))
    grant(officers["department"], district=geography["mueang_cr"], open_until=bangkok(11, 23))
    assert call(officers["owner"], **district_kwargs()).status_code == 423


def test_another_districts_exception_does_not_open_it(clock, officers, geography):
    clock(bangkok(12))
    grant(officers["department"], district=geography["wiang_chai"])
    grant(officers["department"], province=geography["chiang_mai"])
    assert call(officers["owner"], **district_kwargs()).status_code == 423


def test_an_exception_for_another_month_does_not_open_it(clock, officers, geography):
    clock(bangkok(12))
    grant(
        officers["department"], fiscal_month=FiscalMonth(2569, 9), district=geography["mueang_cr"]
    )
    assert call(officers["owner"], **district_kwargs()).status_code == 423


def test_no_exception_opens_the_close_window(clock, officers, geography):
    clock(bangkok(7))
    grant(officers["department"], district=geography["mueang_cr"])
    assert call(officers["owner"], **district_kwargs()).status_code == 423


def test_it_answers_a_script_in_json(clock, officers):
    clock(bangkok(7))
    response = call(officers["owner"], headers={"accept": "application/json"}, **district_kwargs())
    assert response.status_code == 423
    assert response["Content-Type"] == "application/json"
    assert "ระบบจะเปิดให้บันทึกอีกครั้งวันที่ 10" in json.loads(response.content)["error"]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"district": "5701", "fiscal_year": 2569, "month": 13},
        {"district": "5701", "fiscal_year": 1999, "month": 10},
        {"district": "9999", "fiscal_year": 2569, "month": 10},
        {"province": "99"},
    ],
)
def test_it_leaves_an_unknown_month_or_area_to_the_views_404(clock, officers, kwargs):
    clock(bangkok(12))
    assert call(officers["owner"], **kwargs).status_code == 200


def test_the_locked_page_goes_back_to_the_form_it_came_from(clock, officers):
    clock(bangkok(7))
    response = call(
        officers["owner"],
        headers={"referer": "http://testserver/sales/5701/2569/11/"},
        **district_kwargs(),
    )
    assert 'href="http://testserver/sales/5701/2569/11/"' in response.content.decode()


def test_the_locked_page_does_not_link_to_another_site(clock, officers):
    clock(bangkok(7))
    response = call(
        officers["owner"], headers={"referer": "https://evil.example/"}, **district_kwargs()
    )
    page = response.content.decode()
    assert "evil.example" not in page
    assert 'href="/"' in page


# Through the whole middleware stack, with a fake data view mounted beside the real URLs.
def _urlpatterns():
    from otopdoc.urls import urlpatterns

    return [
        path("fake/<str:district>/<int:fiscal_year>/<int:month>/", sales_view),
        *urlpatterns,
    ]


urlpatterns = _urlpatterns()


@pytest.mark.urls("tests.test_lock")
def test_it_refuses_through_the_real_stack(clock, client, officers):
    clock(bangkok(7, 10))
    client.force_login(officers["owner"])
    response = client.post("/fake/5701/2569/10/", {"anything": "1"})
    assert response.status_code == 423
    assert "ระบบปิดรับข้อมูล" in response.content.decode()
    assert client.get("/fake/5701/2569/10/").status_code == 200
    client.force_login(officers["department"])
    assert client.post("/fake/5701/2569/10/").status_code == 200
