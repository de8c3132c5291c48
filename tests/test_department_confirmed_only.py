"""The department sees province-confirmed figures only, on every page (issue 17, point 4).

Every page and Excel download the department can open is read twice: with rows in every
state, then after the rows the province has not confirmed are removed from the database.
Nothing the department sees may change: no count, sum, name or state of a row it may not
see reaches it.
"""

import datetime
import re
from decimal import Decimal
from io import BytesIO

import openpyxl
import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from otopdoc.fiscal import BANGKOK
from reports.totals import refresh_month
from sales.models import MonthlySale, Producer

# 15 November 2569: October 2569 (FY 2570, month 10) is past its deadline, November open.
NOW = datetime.datetime(2026, 11, 15, 10, 0, tzinfo=BANGKOK)
CONFIRMED_AT = datetime.datetime(2026, 11, 3, 10, 0, tzinfo=BANGKOK)
LATE_AT = datetime.datetime(2026, 11, 8, 10, 0, tzinfo=BANGKOK)


@pytest.fixture(autouse=True)
def november(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)


def add_rows(district, officers):
    """Give a district rows of October and November in every state; return a confirmed one."""
    states = {
        "province": {"district_confirmed_at": CONFIRMED_AT, "province_confirmed_at": NOW},
        "district": {"district_confirmed_at": LATE_AT},
        "entered": {},
        "returned": {"returned_at": NOW, "returned_reason": "ยอดไม่ตรง"},
    }
    confirmed = None
    for month in (10, 11):
        for number, (state, fields) in enumerate(states.items()):
            producer, _ = Producer.objects.get_or_create(
                name=f"กลุ่ม{state} {district.code}",
                district=district,
                defaults={"producer_type": ["group", "single", "sme", "group"][number]},
            )
            row = MonthlySale.objects.create(
                producer=producer,
                district=district,
                product_type=["food", "textile", "herb", "food"][number],
                fiscal_year=2570,
                month=month,
                domestic=Decimal(f"{1000 * (number + 1)}.25"),
                export=Decimal(f"{10 * number}.50"),
                district_confirmed_by=officers["owner"]
                if "district_confirmed_at" in fields
                else None,
                province_confirmed_by=officers["province"]
                if "province_confirmed_at" in fields
                else None,
                **fields,
            )
            if state == "province":
                confirmed = confirmed or row
        refresh_month(district, 2570, month)
    return confirmed


def _routes(resolver=None, prefix=""):
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            if getattr(entry, "namespace", None) in ("admin", "api"):
                continue
            yield from _routes(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern)


def department_urls(sale_id):
    """Every URL the resolver has, filled in for district 5701, province 57, October 2570."""
    fill = {
        "district": ["5701"],
        "province": ["57"],
        "area": ["all", "57", "5701"],
        "fiscal_year": ["2570"],
        "month": ["10", "11"],
        "sale_id": [str(sale_id)],
    }
    for route in _routes():
        # The access log lists the department's own downloads, which this test makes. The
        # completeness dashboard is the department's tool to chase districts that have not
        # reported: it shows each district's state and counts of rows, never an amount
        # (tests/test_completeness.py), so it must see rows the province has not confirmed.
        skipped = ("accounts/", "admin/", "api/", "privacy/access-log/", "confirm/completeness/")
        if route.startswith(skipped):
            continue
        route = route.replace("district/<str:code>", "district/5701").replace(
            "province/<str:code>", "province/57"
        )
        urls = ["/" + route]
        for name, values in fill.items():
            urls = [
                url.replace(f"<str:{name}>", value).replace(f"<int:{name}>", value)
                for url in urls
                for value in values
            ]
        yield from (url for url in urls if "<" not in url)


def seen(client, url):
    """Return what the department sees at `url` (and its Excel file), or None if refused."""
    response = client.get(url)
    if response.status_code != 200:
        return None
    if response.get("Content-Type", "").startswith("application/vnd.openxmlformats"):
        book = openpyxl.load_workbook(BytesIO(response.content))
        return [[c.value for c in row] for sheet in book.worksheets for row in sheet.iter_rows()]
    if not response.get("Content-Type", "").startswith("text/html"):
        return response.content
    text = response.content.decode()
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", text)


def test_removing_unconfirmed_rows_changes_nothing_the_department_sees(client, officers, geography):
    confirmed = add_rows(geography["mueang_cr"], officers)
    add_rows(geography["wiang_chai"], officers)
    add_rows(geography["mueang_cm"], officers)
    client.force_login(officers["department"])

    before = {}
    for url in sorted(set(department_urls(confirmed.pk))):
        for variant in (url, url + "?format=xlsx"):
            page = seen(client, variant)
            if page is not None:
                before[variant] = page
    assert len(before) >= 15, sorted(before)
    assert any("format=xlsx" in url for url in before)
    assert "/district/5701/" in before and "/sales/5701/2570/10/import/template.xlsx" in before

    MonthlySale.objects.filter(province_confirmed_at__isnull=True).delete()
    for district in geography.values():
        if hasattr(district, "province_id"):
            for month in (10, 11):
                refresh_month(district, 2570, month)

    changed = [url for url, page in before.items() if seen(client, url) != page]
    assert changed == []


def test_the_district_home_shows_the_department_only_confirmed_sums(client, officers, geography):
    add_rows(geography["mueang_cr"], officers)
    client.force_login(officers["department"])
    page = client.get("/district/5701/?fy=2570").content.decode()
    assert "1,000.25" in page  # the province-confirmed row of each month
    assert "2,000.25" not in page and "2,010.75" not in page  # district-confirmed: not its


def test_the_import_template_gives_the_department_only_confirmed_rows(client, officers, geography):
    add_rows(geography["mueang_cr"], officers)
    client.force_login(officers["department"])
    response = client.get("/sales/5701/2570/10/import/template.xlsx")
    sheet = openpyxl.load_workbook(BytesIO(response.content)).active
    names = {row[1] for row in sheet.iter_rows(min_row=6, values_only=True) if row[1]}
    assert names == {"กลุ่มprovince 5701"}
    client.force_login(officers["province"])
    response = client.get("/sales/5701/2570/10/import/template.xlsx")
    sheet = openpyxl.load_workbook(BytesIO(response.content)).active
    names = {row[1] for row in sheet.iter_rows(min_row=6, values_only=True) if row[1]}
    assert len(names) == 4  # the province sees every row of its district
