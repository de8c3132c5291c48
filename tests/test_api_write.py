"""The API's month write is the entry page's write; list endpoints cost constant queries."""

import datetime
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from confirmations import services as confirmations
from confirmations.models import AuditEntry
from otopdoc.fiscal import BANGKOK, FiscalMonth
from reports.models import MonthTotal
from sales.models import MonthlySale, Producer
from sales.services import month_revision, save_month
from tests.api_support import make_client

NOW = datetime.datetime(2026, 11, 15, 10, 0, tzinfo=BANGKOK)
FY, MONTH = 2570, 11
FM = FiscalMonth(FY, MONTH)


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    cache.clear()


def start_month(district, user):
    """Three rows, the first two confirmed by the district: the same in both districts."""
    save_month(
        district,
        FM,
        user,
        0,
        rows=[
            {
                "id": None,
                "name": name,
                "product_type": kind,
                "producer_type": "group",
                "domestic": Decimal(domestic),
                "export": Decimal("5.00"),
            }
            for name, kind, domestic in (
                ("กลุ่มข้าว", "food", "100.00"),
                ("กลุ่มผ้า", "textile", "200.00"),
                ("กลุ่มยา", "herb", "300.00"),
            )
        ],
        deleted_ids=[],
    )
    rows = list(MonthlySale.objects.for_month(district, FM).order_by("pk"))
    confirmations.confirm_district(
        district, FM, user, {r.pk: r.version for r in rows}, {r.pk for r in rows[:2]}
    )
    return {r.producer.name: r for r in MonthlySale.objects.for_month(district, FM)}


# The month as both sides send it: ข้าว changed, ผ้า kept but retyped as SME, ยา left out
# (deleted), a new producer added.
SENT = [
    ("กลุ่มข้าว", "food", "group", "150.25", "5.00"),
    ("กลุ่มผ้า", "textile", "sme", "200.00", "5.00"),
    ("กลุ่มใหม่", "beverage", "single", "1,000", ""),
]


def page_post(rows, revision):
    data = {
        "rows-TOTAL_FORMS": "4",
        "rows-INITIAL_FORMS": "3",
        "rows-MIN_NUM_FORMS": "0",
        "rows-MAX_NUM_FORMS": "2000",
        "month-revision": str(revision),
    }
    for i, (name, kind, producer_type, domestic, export) in enumerate(SENT):
        saved = rows.get(name)
        data.update(
            {
                f"rows-{i}-id": str(saved.pk) if saved else "",
                f"rows-{i}-version": str(saved.version) if saved else "",
                f"rows-{i}-name": name,
                f"rows-{i}-product_type": kind,
                f"rows-{i}-producer_type": producer_type,
                f"rows-{i}-domestic": domestic,
                f"rows-{i}-export": export,
            }
        )
    gone = rows["กลุ่มยา"]
    data.update(
        {
            "rows-3-id": str(gone.pk),
            "rows-3-version": str(gone.version),
            "rows-3-name": "กลุ่มยา",
            "rows-3-product_type": "herb",
            "rows-3-producer_type": "group",
            "rows-3-domestic": "300.00",
            "rows-3-export": "5.00",
            "rows-3-DELETE": "on",
        }
    )
    return data


def api_body(revision):
    return {
        "revision": revision,
        "rows": [
            {
                "name": name,
                "product_type": kind,
                "producer_type": producer_type,
                "domestic": domestic,
                "export": export or None,
            }
            for name, kind, producer_type, domestic, export in SENT
        ],
    }


def outcome(district):
    rows = sorted(
        (
            r.producer.name,
            r.producer.producer_type,
            r.product_type,
            r.producer_type,
            r.domestic,
            r.export,
            r.version,
            r.district_confirmed_at is not None,
            r.province_confirmed_at is not None,
        )
        for r in MonthlySale.objects.for_month(district, FM).select_related("producer")
    )
    audit = sorted(
        (e.action, repr(e.old), repr(e.new), e.at)
        for e in AuditEntry.objects.filter(district=district, fiscal_year=FY, month=MONTH)
    )
    totals = sorted(
        MonthTotal.objects.filter(district=district).values_list(
            "product_type",
            "rows",
            "domestic",
            "export",
            "district_rows",
            "district_domestic",
            "province_rows",
        )
    )
    return rows, audit, totals, month_revision(district, FM)


def test_a_month_from_the_api_and_the_same_month_from_the_page_are_identical(
    client, officers, geography
):
    """District 5701 saves on the page, 5702 sends the same month through the API."""
    page_rows = start_month(geography["mueang_cr"], officers["owner"])
    start_month(geography["wiang_chai"], officers["neighbour"])
    api_client, caller = make_client("wiang-chai-system", "district", "5702")

    client.force_login(officers["owner"])
    revision = month_revision(geography["mueang_cr"], FM)
    assert revision == month_revision(geography["wiang_chai"], FM)
    response = client.post(f"/sales/5701/{FY}/{MONTH}/", page_post(page_rows, revision))
    assert response.status_code == 302
    response = caller.put(f"/api/v1/months/5702/{FY}/{MONTH}/", api_body(revision))
    assert response.status_code == 200, response.json()
    assert response.json()["revision"] == revision + 1

    by_page, by_api = outcome(geography["mueang_cr"]), outcome(geography["wiang_chai"])
    assert by_page == by_api
    rows, audit, totals, _revision = by_api
    assert ("กลุ่มผ้า", "sme", "textile", "sme", Decimal("200.00")) == rows[1][:5]
    assert {action for action, *_ in audit} == {"create", "change", "delete", "d_confirm"}
    # The audit names who did it: the officer on the page, the client through the API.
    last_page = AuditEntry.objects.filter(district_id="5701").order_by("-id")[0]
    last_api = AuditEntry.objects.filter(district_id="5702").order_by("-id")[0]
    assert last_page.user == officers["owner"]
    assert last_api.user == api_client.user and last_api.user.username == "api-wiang-chai-system"
    assert Producer.objects.get(district_id="5702", name="กลุ่มผ้า").producer_type == "sme"


def test_a_failing_save_writes_nothing_and_keeps_the_revision(officers, geography, monkeypatch):
    """The save is save_month's one transaction: a failure in its last step undoes all."""
    start_month(geography["wiang_chai"], officers["neighbour"])
    _client, caller = make_client("flaky", "district", "5702")
    before = outcome(geography["wiang_chai"])

    def fail(*args, **kwargs):
        raise RuntimeError("the running totals failed")

    monkeypatch.setattr("sales.services.refresh_month", fail)
    caller.client.raise_request_exception = False
    revision = month_revision(geography["wiang_chai"], FM)
    response = caller.put(f"/api/v1/months/5702/{FY}/{MONTH}/", api_body(revision), check=False)
    assert response.status_code == 500
    assert outcome(geography["wiang_chai"]) == before


# --- query counts ------------------------------------------------------------------------


def fill(district, user, count, start=0):
    save_month(
        district,
        FM,
        user,
        month_revision(district, FM),
        rows=[
            {
                "id": None,
                "name": f"ผู้ผลิต {i:04d}",
                "product_type": ("food", "herb", "textile")[i % 3],
                "producer_type": "group",
                "domestic": Decimal("10.00"),
                "export": Decimal("1.00"),
            }
            for i in range(start, start + count)
        ],
        deleted_ids=[],
    )
    rows = list(MonthlySale.objects.for_month(district, FM).filter(district_confirmed_at=None))
    confirmations.confirm_district(
        district, FM, user, {r.pk: r.version for r in rows}, {r.pk for r in rows}
    )


LISTS = [
    ("department", "/api/v1/sales/", {}),
    ("province", "/api/v1/sales/", {"fiscal_year": FY, "updated_since": "2026-01-01"}),
    ("district", "/api/v1/sales/", {"district": "5701", "month": MONTH}),
    ("district", f"/api/v1/months/5701/{FY}/{MONTH}/", {}),
    (
        "province",
        "/api/v1/totals/",
        {"fiscal_year": FY, "level": "district", "confirmation": "all"},
    ),
    ("department", "/api/v1/totals/", {"fiscal_year": FY, "level": "cluster"}),
    ("department", f"/api/v1/completeness/{FY}/{MONTH}/", {}),
    ("province", f"/api/v1/completeness/{FY}/{MONTH}/", {"district": "5701"}),
    ("department", f"/api/v1/kpi/{FY}/", {}),
    ("district", "/api/v1/districts/", {}),
    ("district", "/api/v1/provinces/", {}),
    ("district", "/api/v1/clusters/", {}),
]


def test_list_endpoints_cost_the_same_queries_at_two_sizes(
    officers, geography, django_assert_num_queries
):
    callers = {
        "district": make_client("q-d", "district", "5701")[1],
        "province": make_client("q-p", "province", "57")[1],
        "department": make_client("q-n", "department")[1],
    }

    def province_confirm_all():
        for district in (geography["mueang_cr"], geography["wiang_chai"]):
            rows = list(
                MonthlySale.objects.for_month(district, FM).filter(province_confirmed_at=None)
            )
            confirmations.confirm_province(
                district,
                FM,
                officers["province"],
                {r.pk: r.version for r in rows},
                {r.pk for r in rows},
            )

    fill(geography["mueang_cr"], officers["owner"], 5)
    fill(geography["wiang_chai"], officers["neighbour"], 2)
    province_confirm_all()
    small = {}
    for who, url, params in LISTS:
        with CaptureQueriesContext(connection) as queries:
            response = callers[who].get(url, params)
        assert response.status_code == 200, (url, response.json())
        small[url, who] = (len(queries), len(str(response.json())))

    fill(geography["mueang_cr"], officers["owner"], 60, start=100)
    fill(geography["wiang_chai"], officers["neighbour"], 30, start=100)
    fill(geography["mueang_cm"], officers["outsider"], 20, start=100)
    province_confirm_all()
    for who, url, params in LISTS:
        with django_assert_num_queries(small[url, who][0]):
            response = callers[who].get(url, params)
        assert response.status_code == 200
        if not any(fixed in url for fixed in ("kpi", "clusters", "provinces", "districts")):
            # Bigger answers at the bigger size: the count held over more rows.
            assert len(str(response.json())) > small[url, who][1], url
