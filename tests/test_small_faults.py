"""The smaller faults of the black-box attack (issue 17, point 5)."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from otopdoc.fiscal import BANGKOK, MAX_FISCAL_YEAR, MIN_FISCAL_YEAR, FiscalMonth
from sales.models import DistrictMonth, MonthlySale
from tests.conftest import PASSWORD

# 15 October 2569, 10:00 Bangkok: an open day; FY 2570 month 10 is the working month.
NOW = datetime.datetime(2026, 10, 15, 10, 0, tzinfo=BANGKOK)


@pytest.fixture
def october(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)


# --- the edges of the supported fiscal years ---------------------------------------------


def test_september_of_the_last_fiscal_year_has_a_deadline():
    deadline = FiscalMonth(MAX_FISCAL_YEAR, 9).deadline
    assert (deadline.year, deadline.month, deadline.day) == (MAX_FISCAL_YEAR - 543, 10, 5)


def _patterns(resolver=None, prefix=""):
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            if getattr(entry, "namespace", None) == "admin":
                continue
            yield from _patterns(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern)


def _edge_urls():
    """Every page with a fiscal year in its URL, at both edges of the supported years."""
    values = {"district": "5701", "province": "57", "code": "57", "pk": "1"}
    for route in _patterns():
        if "fiscal_year" not in route:
            continue
        for fiscal_year, month in (
            (MAX_FISCAL_YEAR, 9),
            (MAX_FISCAL_YEAR, 8),
            (MIN_FISCAL_YEAR, 10),
            (MAX_FISCAL_YEAR + 1, 10),
            (MIN_FISCAL_YEAR - 1, 9),
        ):
            url = "/" + route
            for name, value in {**values, "fiscal_year": fiscal_year, "month": month}.items():
                url = url.replace(f"<str:{name}>", str(value)).replace(f"<int:{name}>", str(value))
            if "<" not in url:
                yield url


def test_every_page_at_the_edges_of_the_supported_years_answers_404_or_works(
    client, officers, october
):
    urls = sorted(set(_edge_urls()))
    assert len(urls) >= 10
    for who in ("owner", "province", "department"):
        client.force_login(officers[who])
        for url in urls:
            for method in (client.get, client.post):
                response = method(url)
                status = response.status_code
                assert status in (200, 302, 401, 403, 404, 405, 423), (who, url, status)


# --- sign-in --------------------------------------------------------------------------------


def sign_in(client, username, password, address="10.0.0.1"):
    return client.post(
        "/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=address
    )


def test_a_user_name_of_300_characters_is_refused_by_the_field(client, officers):
    response = sign_in(client, "ก" * 300, "whatever")
    assert response.status_code == 200
    assert "ชื่อผู้ใช้ยาวได้ไม่เกิน 150 ตัวอักษร" in response.content.decode()
    assert not AccessAttempt.objects.filter(username__startswith="กกก").exists()


def test_one_address_cannot_try_a_password_on_every_account(client, officers, settings):
    settings.OTOP_ADDRESS_FAILURE_LIMIT = 8
    # Four failures each on two names, then on others: under axes' 5 per name throughout.
    for name in ("d5701", "d5702", "d5001", "p57"):
        for _ in range(2):
            assert sign_in(client, name, "wrong-password").status_code == 200
    response = sign_in(client, "cdd", PASSWORD)
    assert "ระบบจึงระงับการลงชื่อเข้าใช้จากที่นี่ชั่วคราว" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # Another address is not held back by this one's failures.
    response = sign_in(client, "cdd", PASSWORD, address="10.0.0.2")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(officers["department"].pk)


def test_failures_of_one_officer_stay_under_the_address_limit(client, officers):
    for _ in range(4):
        sign_in(client, "d5701", "wrong-password")
    assert sign_in(client, "d5702", PASSWORD).status_code == 302


# --- scope first, then the calendar ------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/sales/5701/2570/1/",  # a future month (January 2570, this is October 2569)
        "/sales/5701/2569/9/",  # a closed month (September 2569)
        "/sales/5701/2569/9/import/",
    ],
)
def test_a_stranger_posting_to_another_areas_closed_or_future_month_gets_404(
    client, officers, october, url
):
    client.force_login(officers["outsider"])
    response = client.post(url, {})
    assert response.status_code == 404
    assert "ปิด" not in response.content.decode()
    client.force_login(officers["owner"])
    assert client.post(url, {}).status_code == 423  # the owner still hears why


# --- an entry post without rows ---------------------------------------------------------------


def test_an_entry_post_without_rows_is_refused_and_the_revision_stays(client, officers, october):
    client.force_login(officers["owner"])
    form = {
        "rows-TOTAL_FORMS": "0",
        "rows-INITIAL_FORMS": "0",
        "month-revision": "0",
    }
    response = client.post("/sales/5701/2570/10/", form)
    assert response.status_code == 200
    assert "ไม่มีรายการให้บันทึก" in response.content.decode()
    assert not DistrictMonth.objects.filter(revision__gt=0).exists()
    assert not MonthlySale.objects.exists()


def test_an_entry_post_of_one_blank_new_row_is_refused_too(client, officers, october):
    client.force_login(officers["owner"])
    form = {
        "rows-TOTAL_FORMS": "1",
        "rows-INITIAL_FORMS": "0",
        "month-revision": "0",
        **{f"rows-0-{name}": "" for name in ("name", "product_type", "domestic", "export")},
    }
    response = client.post("/sales/5701/2570/10/", form)
    assert "ไม่มีรายการให้บันทึก" in response.content.decode()
    assert not DistrictMonth.objects.filter(revision__gt=0).exists()


# --- Cache-Control -------------------------------------------------------------------------------


def test_signed_in_pages_and_excel_downloads_are_private_and_not_stored(client, officers, october):
    client.force_login(officers["owner"])
    for url in (
        "/district/5701/",
        "/sales/5701/2570/10/",
        "/sales/5701/2570/10/import/template.xlsx",
        "/no-such-page/",
    ):
        response = client.get(url)
        cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
        assert {"private", "no-store"} <= cache_control, url
        assert "public" not in cache_control
