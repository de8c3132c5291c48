"""A producer type change is a change of one month's row (issue 17, point 3).

The type lives on each monthly row: changing it is audited, gives the row a new version,
clears its district confirmation, is refused once the province has confirmed the row,
and leaves every other month (closed and confirmed ones above all) as it was printed.
"""

import datetime
import importlib
import re
from decimal import Decimal
from io import BytesIO

import openpyxl
import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from confirmations.models import Action, AuditEntry
from otopdoc.fiscal import BANGKOK
from sales.forms import PROVINCE_LOCKED
from sales.importing import HEADER_ROW, HEADERS, XLSX_TYPE
from sales.models import MonthlySale, Producer
from sales.services import month_revision

NOW = datetime.datetime(2026, 10, 15, 10, 0, tzinfo=BANGKOK)  # October 2569 is open
OCTOBER = "/sales/5701/2570/10/"
SEPTEMBER_RT2 = "/reports/rt2/5701/2569/9/"  # September 2569: closed since 5 October
SINGLE = "ผู้ผลิตชุมชนที่เป็นเจ้าของรายเดียว"


@pytest.fixture(autouse=True)
def october(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)


@pytest.fixture
def rows(officers, geography):
    """A group's September row, province-confirmed, and its October row, district-confirmed."""
    district = geography["mueang_cr"]
    producer = Producer.objects.create(
        name="กลุ่มทอผ้าบ้านดอย", district=district, producer_type="group"
    )
    confirmed = {"district_confirmed_at": NOW, "district_confirmed_by": officers["owner"]}
    september = MonthlySale.objects.create(
        producer=producer,
        district=district,
        product_type="textile",
        fiscal_year=2569,
        month=9,
        domestic=Decimal("1500.00"),
        province_confirmed_at=NOW,
        province_confirmed_by=officers["province"],
        **confirmed,
    )
    october = MonthlySale.objects.create(
        producer=producer,
        district=district,
        product_type="textile",
        fiscal_year=2570,
        month=10,
        domestic=Decimal("2500.00"),
        **confirmed,
    )
    return september, october


def post_type(client, row, producer_type):
    row.refresh_from_db()
    return client.post(
        OCTOBER,
        {
            "rows-TOTAL_FORMS": "1",
            "rows-INITIAL_FORMS": "1",
            "month-revision": str(month_revision(row.district, _month(row))),
            "rows-0-id": str(row.pk),
            "rows-0-version": str(row.version),
            "rows-0-name": row.producer.name,
            "rows-0-product_type": row.product_type,
            "rows-0-producer_type": producer_type,
            "rows-0-domestic": str(row.domestic),
            "rows-0-export": str(row.export),
        },
    )


def _month(row):
    from otopdoc.fiscal import FiscalMonth

    return FiscalMonth(row.fiscal_year, row.month)


def test_a_type_change_is_audited_versioned_and_clears_the_district_confirmation(
    client, officers, rows
):
    september, october = rows
    client.force_login(officers["owner"])
    response = post_type(client, october, "single")
    assert response.status_code == 302
    october.refresh_from_db()
    assert october.producer_type == "single"
    assert october.version == 2
    assert october.district_confirmed_at is None
    entry = AuditEntry.objects.get(sale_id=october.pk, action=Action.CHANGE)
    assert (entry.old["producer_type"], entry.new["producer_type"]) == ("group", "single")
    assert entry.user == officers["owner"]
    # Another month is not this change's: September keeps its type, version and ticks.
    september.refresh_from_db()
    assert (september.producer_type, september.version) == ("group", 1)
    assert september.province_confirmed_at is not None
    assert not AuditEntry.objects.filter(sale_id=september.pk).exists()


def test_the_departments_rt2_of_a_closed_month_prints_the_same_after_a_type_change(
    client, officers, rows
):
    september, october = rows
    client.force_login(officers["department"])
    html_before = _page(client.get(SEPTEMBER_RT2))
    sheet_before = _cells(client.get(SEPTEMBER_RT2 + "?format=xlsx").content)
    owner = Client()
    owner.force_login(officers["owner"])
    assert post_type(owner, october, "single").status_code == 302
    assert _page(client.get(SEPTEMBER_RT2)) == html_before
    assert _cells(client.get(SEPTEMBER_RT2 + "?format=xlsx").content) == sheet_before
    assert "กลุ่มทอผ้าบ้านดอย" in html_before


def _page(response):
    """Return the page's text without its per-request CSRF token."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())


def _cells(content):
    sheet = openpyxl.load_workbook(BytesIO(content)).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def test_a_type_change_on_a_province_confirmed_row_is_refused(client, officers, rows):
    september, october = rows
    MonthlySale.objects.filter(pk=october.pk).update(
        province_confirmed_at=NOW, province_confirmed_by=officers["province"]
    )
    client.force_login(officers["owner"])
    response = post_type(client, october, "sme")
    assert response.status_code == 200
    assert PROVINCE_LOCKED in response.content.decode()
    october.refresh_from_db()
    assert (october.producer_type, october.version) == ("group", 1)
    assert october.producer.producer_type == "group"
    assert not AuditEntry.objects.exists()


def test_a_type_change_in_a_closed_month_is_refused_by_the_calendar(client, officers, rows):
    september, _ = rows
    client.force_login(officers["owner"])
    response = client.post(
        "/sales/5701/2569/9/",
        {
            "rows-TOTAL_FORMS": "1",
            "rows-INITIAL_FORMS": "1",
            "month-revision": "0",
            "rows-0-id": str(september.pk),
            "rows-0-version": "1",
            "rows-0-name": september.producer.name,
            "rows-0-product_type": "textile",
            "rows-0-producer_type": "sme",
            "rows-0-domestic": "1500.00",
            "rows-0-export": "0",
        },
    )
    assert response.status_code == 423
    september.refresh_from_db()
    assert september.producer_type == "group"


def test_an_import_that_only_changes_a_type_is_an_audited_update(client, officers, rows):
    _, october = rows
    client.force_login(officers["owner"])
    book = openpyxl.Workbook()
    sheet = book.active
    for column, text in enumerate(HEADERS, start=1):
        sheet.cell(row=HEADER_ROW, column=column, value=text)
    sheet.append([1, "กลุ่มทอผ้าบ้านดอย", "ผ้า เครื่องแต่งกาย", SINGLE, 2500, 0])
    output = BytesIO()
    book.save(output)
    upload = SimpleUploadedFile("rt1.xlsx", output.getvalue(), XLSX_TYPE)
    response = client.post(OCTOBER + "import/", {"file": upload})
    assert response.context["preview"].counts["update"] == 1
    assert client.post(OCTOBER + "import/confirm/").status_code == 302
    october.refresh_from_db()
    assert (october.producer_type, october.version) == ("single", 2)
    assert october.district_confirmed_at is None
    assert AuditEntry.objects.filter(sale_id=october.pk, action=Action.CHANGE).exists()


def test_the_migration_gives_existing_rows_their_producers_type(rows):
    migration = importlib.import_module("sales.migrations.0007_monthlysale_producer_type")
    MonthlySale.objects.update(producer_type="")
    migration.copy_types(apps, None)
    assert set(MonthlySale.objects.values_list("producer_type", flat=True)) == {"group"}


def test_rows_made_without_a_type_take_their_producers(rows, geography):
    september, _ = rows
    made = MonthlySale.objects.bulk_create(
        [
            MonthlySale(
                producer_id=september.producer_id,
                district=geography["mueang_cr"],
                product_type="food",
                fiscal_year=2569,
                month=8,
            )
        ]
    )
    assert made[0].producer_type == "group"
    MonthlySale.objects.filter(pk=september.pk).update(producer_type="")
    assert MonthlySale.objects.fill_producer_types() == 1
    september.refresh_from_db()
    assert september.producer_type == "group"
