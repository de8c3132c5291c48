"""RT.1 (รต.1): /reports/rt1/<district>/<fy>/<month>/, the month's rows as collected."""

import datetime
from decimal import Decimal
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from reports.views.district_reports import (
    DISTRICT_CONFIRMED,
    ENTERED,
    PROVINCE_CONFIRMED,
    SENT_BACK,
)
from sales.models import MonthlySale, Producer, ProducerType, ProductType

FY, MONTH = 2569, 10  # ตุลาคม 2568
URL = reverse("report-rt1", args=["5701", FY, MONTH])
STAMP = datetime.datetime(2025, 11, 3, 9, 0, tzinfo=datetime.UTC)


def make_sale(producer, product_type, domestic, export, state="entered", month=MONTH, by=None):
    """Create a row of district 5701's month in a given state."""
    fields = {}
    if state in ("district", "province"):
        fields.update(district_confirmed_at=STAMP, district_confirmed_by=by)
    if state == "province":
        fields.update(province_confirmed_at=STAMP, province_confirmed_by=by)
    if state == "returned":
        fields.update(returned_at=STAMP, returned_by=by, returned_reason="ยอดไม่ตรงกับใบเสร็จ")
    return MonthlySale.objects.create(
        producer=producer,
        district=producer.district,
        product_type=product_type,
        fiscal_year=FY,
        month=month,
        domestic=Decimal(domestic),
        export=Decimal(export),
        **fields,
    )


@pytest.fixture
def month(geography, officers):
    """Four rows of 5701's ตุลาคม 2568, one in each state, and rows that must not show.

    Hand-computed totals:
      every row            539,234.82 + 2,099.85 = 541,334.67
      district-confirmed   501,234.56 +   100.10 = 501,334.66
      province-confirmed   500,000.00 +     0.00 = 500,000.00
    """
    province = officers["province"]

    def producer(name, kind, district="mueang_cr"):
        return Producer.objects.create(name=name, district=geography[district], producer_type=kind)

    food = producer("กลุ่มอาหารรสเลิศ", ProducerType.COMMUNITY_GROUP)
    silk = producer("ร้านผ้าไหมคุณมาลี", ProducerType.SINGLE_OWNER)
    herb = producer("บริษัท ทองดีเวช จำกัด", ProducerType.SME)
    make_sale(food, ProductType.FOOD, "500000.00", "0.00", "province", by=province)
    make_sale(food, ProductType.BEVERAGE, "1234.56", "100.10", "district", by=province)
    make_sale(silk, ProductType.TEXTILE, "38000.25", "1999.75")
    make_sale(herb, ProductType.HERB, "0.01", "0.00", "returned", by=province)
    # Another month of the district, and the same month of a neighbour: never counted.
    make_sale(food, ProductType.FOOD, "7777.77", "0.00", "province", month=11, by=province)
    neighbour = producer("กลุ่มผ้าทอเวียงชัย", ProducerType.COMMUNITY_GROUP, "wiang_chai")
    make_sale(neighbour, ProductType.TEXTILE, "8888.88", "0.00", "province", by=province)


def signed_in(client, officers, who):
    client.force_login(officers[who])
    return client


def xlsx(response):
    assert response.status_code == 200
    return load_workbook(BytesIO(response.content))["รต.1"]


# What it shows


def test_it_lists_the_months_rows_in_entry_order_with_their_states(client, officers, month):
    response = signed_in(client, officers, "owner").get(URL)

    assert response.status_code == 200
    report = response.context["report"]
    assert [
        (line.number, line.sale.producer.name, line.sale.product_type) for line in report.lines
    ] == [
        (1, "กลุ่มอาหารรสเลิศ", ProductType.BEVERAGE),
        (2, "กลุ่มอาหารรสเลิศ", ProductType.FOOD),
        (3, "บริษัท ทองดีเวช จำกัด", ProductType.HERB),
        (4, "ร้านผ้าไหมคุณมาลี", ProductType.TEXTILE),
    ]
    assert [line.state for line in report.lines] == [
        DISTRICT_CONFIRMED,
        PROVINCE_CONFIRMED,
        SENT_BACK,
        ENTERED,
    ]


def test_it_adds_up_the_month_in_decimal_baht(client, officers, month):
    response = signed_in(client, officers, "owner").get(URL)

    report = response.context["report"]
    assert report.domestic == Decimal("539234.82")
    assert report.export == Decimal("2099.85")
    assert report.total == Decimal("541334.67")
    assert all(isinstance(line.sale.total, Decimal) for line in report.lines)
    html = response.content.decode()
    assert "539,234.82" in html and "2,099.85" in html and "541,334.67" in html
    assert "7,777.77" not in html and "8,888.88" not in html


def test_it_shows_the_headers_states_and_the_reason_a_row_was_sent_back(client, officers, month):
    html = signed_in(client, officers, "owner").get(URL).content.decode()

    for label in (
        "แบบรายงานข้อมูลผลการจำหน่ายสินค้าหนึ่งตำบล หนึ่งผลิตภัณฑ์ OTOP (รต.1)",
        "ชื่อกลุ่ม / ผู้ผลิต ผู้ประกอบการ OTOP",
        "ประเภทผลิตภัณฑ์",
        "ประเภทกลุ่ม",
        "ในประเทศ (บาท)",
        "ต่างประเทศ (บาท)",
        "รวมทั้งสิ้น (บาท)",
        "สถานะ",
        "ประจำเดือน ตุลาคม 2568",
        "จังหวัดยืนยันแล้ว",
        "อำเภอยืนยันแล้ว",
        "บันทึกแล้ว รอยืนยัน",
        "จังหวัดส่งกลับให้แก้ไข",
        "ยอดไม่ตรงกับใบเสร็จ",
        "นับทุกรายการที่บันทึก (รวมที่ยังไม่ยืนยัน)",
    ):
        assert label in html, label


def test_it_narrows_to_district_confirmed_rows_on_request(client, officers, month):
    response = signed_in(client, officers, "owner").get(URL, {"rows": "district"})

    report = response.context["report"]
    assert len(report.lines) == 2
    assert report.total == Decimal("501334.66")
    assert "นับเฉพาะรายการที่อำเภอยืนยันแล้ว" in response.content.decode()


def test_it_counts_only_province_confirmed_rows_for_the_department(client, officers, month):
    # Even when the department asks for every row.
    response = signed_in(client, officers, "department").get(URL, {"rows": "all"})

    report = response.context["report"]
    assert [line.sale.product_type for line in report.lines] == [ProductType.FOOD]
    assert (report.domestic, report.export, report.total) == (
        Decimal("500000.00"),
        Decimal("0.00"),
        Decimal("500000.00"),
    )
    html = response.content.decode()
    assert "ร้านผ้าไหมคุณมาลี" not in html
    assert "นับเฉพาะรายการที่จังหวัดยืนยันแล้ว" in html
    assert 'id="rows-filter"' not in html


def test_it_shows_an_empty_month_with_zero_totals(client, officers, geography):
    response = signed_in(client, officers, "owner").get(URL)

    assert response.status_code == 200
    assert response.context["report"].total == Decimal("0.00")
    assert 'id="no-rows"' in response.content.decode()


# Who may see it


def test_it_sends_anonymous_users_to_sign_in(client, month):
    response = client.get(URL)

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("who", ["owner", "colleague", "province", "department"])
def test_it_shows_the_district_to_its_officers_province_and_department(
    client, officers, month, who
):
    assert signed_in(client, officers, who).get(URL).status_code == 200
    assert signed_in(client, officers, who).get(URL, {"format": "xlsx"}).status_code == 200


@pytest.mark.parametrize("who", ["neighbour", "outsider", "other_province"])
def test_it_hides_the_district_from_outsiders(client, officers, month, who):
    assert signed_in(client, officers, who).get(URL).status_code == 404
    assert signed_in(client, officers, who).get(URL, {"format": "xlsx"}).status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        reverse("report-rt1", args=["5701", FY, 13]),
        reverse("report-rt1", args=["5701", FY, 0]),
        reverse("report-rt1", args=["5701", 2400, MONTH]),
        reverse("report-rt1", args=["9999", FY, MONTH]),
        URL + "?rows=everything",
        URL + "?format=pdf",
    ],
)
def test_it_refuses_a_bad_month_year_district_or_option(client, officers, month, url):
    assert signed_in(client, officers, "owner").get(url).status_code == 404


def test_it_only_reads(client, officers, month):
    assert signed_in(client, officers, "owner").post(URL).status_code == 405


# Excel


def test_it_downloads_the_month_as_an_excel_form(client, officers, month):
    response = signed_in(client, officers, "owner").get(URL, {"format": "xlsx"})

    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="rt1-5701-2569-10.xlsx"' in response["Content-Disposition"]
    ws = xlsx(response)
    assert ws["A1"].value == "แบบรายงานข้อมูลผลการจำหน่ายสินค้าหนึ่งตำบล หนึ่งผลิตภัณฑ์ OTOP (รต.1)"
    assert ws["A2"].value == ("ปีงบประมาณ 2569  จังหวัดเชียงราย อำเภอเมืองเชียงราย  ประจำเดือน ตุลาคม 2568")
    assert [cell.value for cell in ws[3]] == [
        "ที่",
        "ชื่อกลุ่ม / ผู้ผลิต ผู้ประกอบการ OTOP",
        "ประเภทผลิตภัณฑ์",
        "ประเภทกลุ่ม",
        "ในประเทศ (บาท)",
        "ต่างประเทศ (บาท)",
        "รวมทั้งสิ้น (บาท)",
        "สถานะ",
    ]
    assert [cell.value for cell in ws[4]][:4] == [
        1,
        "กลุ่มอาหารรสเลิศ",
        "เครื่องดื่ม",
        "กลุ่มผู้ผลิตชุมชน",
    ]
    assert ws["H4"].value == "อำเภอยืนยันแล้ว"
    assert ws["H5"].value == "จังหวัดยืนยันแล้ว"
    assert ws["H6"].value == "จังหวัดส่งกลับให้แก้ไข: ยอดไม่ตรงกับใบเสร็จ"
    assert ws["H7"].value == "บันทึกแล้ว รอยืนยัน"
    assert ws["C7"].value == "ผ้า เครื่องแต่งกาย"
    assert ws["D7"].value == "ผู้ผลิตชุมชนที่เป็นเจ้าของรายเดียว"
    # Amounts are numbers in baht format, not text.
    expected = {
        4: ("1234.56", "100.10", "1334.66"),
        5: ("500000.00", "0.00", "500000.00"),
        6: ("0.01", "0.00", "0.01"),
        7: ("38000.25", "1999.75", "40000.00"),
        8: ("539234.82", "2099.85", "541334.67"),
    }
    for row, amounts in expected.items():
        for column, amount in zip("EFG", amounts, strict=True):
            cell = ws[f"{column}{row}"]
            assert isinstance(cell.value, int | float), cell.coordinate
            assert Decimal(str(cell.value)).quantize(Decimal("0.01")) == Decimal(amount)
            assert cell.number_format == "#,##0.00"
    assert ws["B8"].value == "รวมทั้งสิ้น"
    assert ws["H8"].value == "4 รายการ"
    assert ws["B8"].font.b
    assert ws["A9"].value.startswith("หมายเหตุ นับทุกรายการที่บันทึก (รวมที่ยังไม่ยืนยัน)")


def test_its_excel_form_prints_on_a4_landscape_with_the_header_on_every_page(
    client, officers, month
):
    ws = xlsx(signed_in(client, officers, "owner").get(URL, {"format": "xlsx"}))

    assert ws.freeze_panes == "A4"
    assert ws.print_title_rows == "$3:$3"
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == 9
    assert ws.column_dimensions["B"].width >= 36
    assert "A1:H1" in {str(r) for r in ws.merged_cells.ranges}


def test_its_excel_form_for_the_department_holds_only_province_confirmed_rows(
    client, officers, month
):
    ws = xlsx(signed_in(client, officers, "department").get(URL, {"format": "xlsx"}))

    assert ws["B4"].value == "กลุ่มอาหารรสเลิศ"
    assert ws["C4"].value == "อาหาร"
    assert ws["B5"].value == "รวมทั้งสิ้น"
    assert ws["G5"].value == 500000
    assert ws["A6"].value.startswith("หมายเหตุ นับเฉพาะรายการที่จังหวัดยืนยันแล้ว")


# Cost


def many_rows(geography, count):
    district = geography["mueang_cr"]
    producers = Producer.objects.bulk_create(
        Producer(name=f"กลุ่ม {count}-{n:03d}", district=district, producer_type=ProducerType.SME)
        for n in range(count)
    )
    now = timezone.now()
    MonthlySale.objects.bulk_create(
        MonthlySale(
            producer=producer,
            district=district,
            product_type=ProductType.FOOD,
            fiscal_year=FY,
            month=MONTH,
            domestic=Decimal("1000.50"),
            returned_at=now if n % 7 == 0 else None,
        )
        for n, producer in enumerate(producers)
    )


@pytest.mark.parametrize("fmt", ["html", "xlsx"])
@pytest.mark.parametrize("who", ["owner", "department"])
def test_it_costs_the_same_queries_for_3_rows_as_for_300(
    client, officers, geography, django_assert_num_queries, fmt, who
):
    client = signed_in(client, officers, who)
    many_rows(geography, 3)
    client.get(URL, {"format": fmt})  # warm the session

    with CaptureQueriesContext(connection) as small:
        assert client.get(URL, {"format": fmt}).status_code == 200
    # The rows and their producers come in one query.
    reads = [q["sql"] for q in small.captured_queries if '"sales_monthlysale"' in q["sql"]]
    assert len(reads) == 1 and '"sales_producer"' in reads[0]
    MonthlySale.objects.all().delete()
    many_rows(geography, 300)

    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(URL, {"format": fmt})
    if fmt == "html" and who == "owner":
        assert len(response.context["report"].lines) == 300
