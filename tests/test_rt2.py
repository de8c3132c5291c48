"""RT.2 (รต.2): /reports/rt2/<district>/<fy>/<month>/, the form the district signs."""

import datetime
import re
import shutil
import subprocess
from decimal import Decimal
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from sales.models import MonthlySale, Producer, ProducerType, ProductType
from tests.test_browser_shell import sign_in

FY, MONTH = 2569, 10  # ตุลาคม 2568
URL = reverse("report-rt2", args=["5701", FY, MONTH])
STAMP = datetime.datetime(2025, 11, 3, 9, 0, tzinfo=datetime.UTC)
TICK = "✓"
# Columns of the form: A ที่, B name, C-G product types, H-J producer types, K-M amounts.
PRODUCT_COLUMNS = "CDEFG"
PRODUCER_COLUMNS = "HIJ"
# Four title lines, then the two header rows.
FIRST_ROW = 7


def make_sale(producer, product_type, domestic, export, state="entered", month=MONTH, by=None):
    fields = {}
    if state in ("district", "province"):
        fields.update(district_confirmed_at=STAMP, district_confirmed_by=by)
    if state == "province":
        fields.update(province_confirmed_at=STAMP, province_confirmed_by=by)
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
    """Four rows of 5701's ตุลาคม 2568 and two rows that must not show.

    In the form's order (producer name, then product type):
      1 กลุ่มอาหารรสเลิศ  เครื่องดื่ม กลุ่มผู้ผลิตชุมชน       1,234.56    100.10  district
      2 กลุ่มอาหารรสเลิศ  อาหาร      กลุ่มผู้ผลิตชุมชน     500,000.00      0.00  province
      3 บริษัท ทองดีเวช   สมุนไพร    SMEs                     0.01      0.00  entered
      4 ร้านผ้าไหมคุณมาลี ผ้า         เจ้าของรายเดียว       38,000.25  1,999.75  entered
      total                                            539,234.82  2,099.85 = 541,334.67
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
    make_sale(herb, ProductType.HERB, "0.01", "0.00")
    make_sale(food, ProductType.FOOD, "7777.77", "0.00", "province", month=11, by=province)
    neighbour = producer("กลุ่มผ้าทอเวียงชัย", ProducerType.COMMUNITY_GROUP, "wiang_chai")
    make_sale(neighbour, ProductType.TEXTILE, "8888.88", "0.00", "province", by=province)


def signed_in(client, officers, who):
    client.force_login(officers[who])
    return client


def xlsx(response):
    assert response.status_code == 200
    return load_workbook(BytesIO(response.content))["รต.2"]


def amount(cell):
    assert isinstance(cell.value, int | float), f"{cell.coordinate} holds {cell.value!r}"
    assert cell.number_format == "#,##0.00", cell.coordinate
    return Decimal(str(cell.value)).quantize(Decimal("0.01"))


# What it shows


def test_it_ticks_each_rows_product_type_and_producer_type(client, officers, month):
    response = signed_in(client, officers, "owner").get(URL)

    lines = response.context["report"].lines
    assert [(line.product_ticks, line.producer_ticks) for line in lines] == [
        (["", TICK, "", "", ""], [TICK, "", ""]),  # เครื่องดื่ม, กลุ่มผู้ผลิตชุมชน
        ([TICK, "", "", "", ""], [TICK, "", ""]),  # อาหาร, กลุ่มผู้ผลิตชุมชน
        (["", "", "", "", TICK], ["", "", TICK]),  # สมุนไพร, SMEs
        (["", "", TICK, "", ""], ["", TICK, ""]),  # ผ้า, เจ้าของรายเดียว
    ]
    assert response.context["report"].product_counts() == [1, 1, 1, 0, 1]
    assert response.context["report"].producer_counts() == [2, 1, 1]


def test_it_shows_the_paper_forms_title_header_totals_and_signature(client, officers, month):
    response = signed_in(client, officers, "owner").get(URL)

    html = response.content.decode()
    for text in (
        "แบบรายงานข้อมูลผลการจำหน่ายสินค้าหนึ่งตำบล หนึ่งผลิตภัณฑ์ OTOP (รต.2)",
        "<div>ปีงบประมาณ 2569</div>",
        "<div>จังหวัดเชียงราย</div>",
        "<div>อำเภอเมืองเชียงราย</div>",
        "<div>ประจำเดือน ตุลาคม 2568</div>",
        '<th colspan="5">ประเภทผลิตภัณฑ์</th>',
        '<th colspan="3">ประเภทกลุ่ม / ผู้ผลิต ผู้ประกอบการ OTOP</th>',
        '<th colspan="2">ยอดจำหน่าย (บาท)</th>',
        "สมุนไพรที่ไม่ใช่อาหาร",
        "ผู้ผลิตชุมชนที่เป็นเจ้าของรายเดียว",
        "539,234.82",
        "2,099.85",
        "541,334.67",
        "ผู้รายงาน",
        "ตำแหน่ง พัฒนาการอำเภอเมืองเชียงราย",
        "วันที่",
    ):
        assert text in html, text
    assert "7,777.77" not in html and "8,888.88" not in html
    report = response.context["report"]
    assert (report.domestic, report.export, report.total) == (
        Decimal("539234.82"),
        Decimal("2099.85"),
        Decimal("541334.67"),
    )


def test_it_counts_only_province_confirmed_rows_for_the_department(client, officers, month):
    response = signed_in(client, officers, "department").get(URL)

    report = response.context["report"]
    assert [line.sale.product_type for line in report.lines] == [ProductType.FOOD]
    assert report.total == Decimal("500000.00")
    html = response.content.decode()
    assert "บริษัท ทองดีเวช จำกัด" not in html
    assert "นับเฉพาะรายการที่จังหวัดยืนยันแล้ว" in html


def test_it_lets_the_province_narrow_to_province_confirmed_rows(client, officers, month):
    response = signed_in(client, officers, "province").get(URL, {"rows": "province"})

    assert response.context["report"].total == Decimal("500000.00")
    assert "rows=province" in response.context["xlsx_url"]


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
        reverse("report-rt2", args=["5701", FY, 13]),
        reverse("report-rt2", args=["5701", 2801, MONTH]),
        URL + "?rows=",
        URL + "?format=csv",
    ],
)
def test_it_refuses_a_bad_month_year_or_option(client, officers, month, url):
    assert signed_in(client, officers, "owner").get(url).status_code == 404


def test_it_links_no_month_before_the_first_fiscal_year(client, officers, geography):
    response = signed_in(client, officers, "owner").get(
        reverse("report-rt2", args=["5701", 2550, 10])
    )

    assert response.status_code == 200
    assert response.context["previous"] is None


# Excel


def test_it_downloads_the_paper_form_as_excel(client, officers, month):
    response = signed_in(client, officers, "owner").get(URL, {"format": "xlsx"})

    assert 'filename="rt2-5701-2569-10.xlsx"' in response["Content-Disposition"]
    ws = xlsx(response)
    assert [ws[f"A{row}"].value for row in range(1, 5)] == [
        "แบบรายงานข้อมูลผลการจำหน่ายสินค้าหนึ่งตำบล หนึ่งผลิตภัณฑ์ OTOP (รต.2)",
        "ปีงบประมาณ 2569",
        "จังหวัดเชียงราย อำเภอเมืองเชียงราย",
        "ประจำเดือน ตุลาคม 2568",
    ]
    assert [cell.value for cell in ws[5]] == [
        "ที่",
        "ชื่อกลุ่ม / ผู้ผลิต ผู้ประกอบการ OTOP",
        "ประเภทผลิตภัณฑ์",
        None,
        None,
        None,
        None,
        "ประเภทกลุ่ม / ผู้ผลิต ผู้ประกอบการ OTOP",
        None,
        None,
        "ยอดจำหน่าย (บาท)",
        None,
        "รวมทั้งสิ้น (บาท)",
    ]
    assert [cell.value for cell in ws[6]][2:12] == [
        "อาหาร",
        "เครื่องดื่ม",
        "ผ้า เครื่องแต่งกาย",
        "ของใช้ ของตกแต่ง ของที่ระลึก",
        "สมุนไพรที่ไม่ใช่อาหาร",
        "กลุ่มผู้ผลิตชุมชน",
        "ผู้ผลิตชุมชนที่เป็นเจ้าของรายเดียว",
        "SMEs",
        "ในประเทศ",
        "ต่างประเทศ",
    ]
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"A5:A6", "B5:B6", "C5:G5", "H5:J5", "K5:L5", "M5:M6"} <= merged
    assert ws["C6"].font.b and ws["C6"].alignment.wrap_text


def test_its_excel_rows_carry_ticks_amounts_and_totals(client, officers, month):
    ws = xlsx(signed_in(client, officers, "owner").get(URL, {"format": "xlsx"}))

    rows = {
        # row: (number, name, product tick column, producer tick column, amounts)
        7: (1, "กลุ่มอาหารรสเลิศ", "D", "H", ("1234.56", "100.10", "1334.66")),
        8: (2, "กลุ่มอาหารรสเลิศ", "C", "H", ("500000.00", "0.00", "500000.00")),
        9: (3, "บริษัท ทองดีเวช จำกัด", "G", "J", ("0.01", "0.00", "0.01")),
        10: (4, "ร้านผ้าไหมคุณมาลี", "E", "I", ("38000.25", "1999.75", "40000.00")),
    }
    for row, (number, name, product, producer, amounts) in rows.items():
        assert ws[f"A{row}"].value == number
        assert ws[f"B{row}"].value == name
        for column in PRODUCT_COLUMNS + PRODUCER_COLUMNS:
            expected = TICK if column in (product, producer) else None
            assert ws[f"{column}{row}"].value == expected, f"{column}{row}"
        assert ws[f"{product}{row}"].alignment.horizontal == "center"
        assert [amount(ws[f"{c}{row}"]) for c in "KLM"] == [Decimal(a) for a in amounts]
    total = 11
    assert ws[f"B{total}"].value == "รวมทั้งสิ้น"
    assert ws[f"B{total}"].font.b
    assert [ws[f"{c}{total}"].value for c in PRODUCT_COLUMNS] == [1, 1, 1, 0, 1]
    assert [ws[f"{c}{total}"].value for c in PRODUCER_COLUMNS] == [2, 1, 1]
    assert [amount(ws[f"{c}{total}"]) for c in "KLM"] == [
        Decimal("539234.82"),
        Decimal("2099.85"),
        Decimal("541334.67"),
    ]


def test_its_excel_form_ends_with_the_district_development_officers_signature(
    client, officers, month
):
    ws = xlsx(signed_in(client, officers, "owner").get(URL, {"format": "xlsx"}))

    texts = [cell.value for row in ws.iter_rows(min_row=12) for cell in row if cell.value]
    assert texts[0].startswith("หมายเหตุ นับทุกรายการที่บันทึก (รวมที่ยังไม่ยืนยัน)")
    assert texts[1:] == [
        "ลงชื่อ.......................................................ผู้รายงาน",
        "(.......................................................)",
        "ตำแหน่ง พัฒนาการอำเภอเมืองเชียงราย",
        "วันที่............/............................/................",
    ]


def test_its_excel_form_prints_on_a4_landscape_with_both_header_rows_on_every_page(
    client, officers, month
):
    ws = xlsx(signed_in(client, officers, "owner").get(URL, {"format": "xlsx"}))

    assert ws.freeze_panes == f"A{FIRST_ROW}"
    assert ws.print_title_rows == "$5:$6"
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == 9
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.column_dimensions["B"].width >= 30
    # The header row of long type names is tall enough for its wrapped lines.
    assert ws.row_dimensions[6].height >= 42


def test_its_excel_form_for_the_department_holds_only_province_confirmed_rows(
    client, officers, month
):
    ws = xlsx(signed_in(client, officers, "department").get(URL, {"format": "xlsx"}))

    assert ws[f"B{FIRST_ROW}"].value == "กลุ่มอาหารรสเลิศ"
    assert ws[f"C{FIRST_ROW}"].value == TICK
    assert ws[f"B{FIRST_ROW + 1}"].value == "รวมทั้งสิ้น"
    assert amount(ws[f"M{FIRST_ROW + 1}"]) == Decimal("500000.00")


# Cost


def many_rows(geography, count):
    district = geography["mueang_cr"]
    kinds = ProducerType.values
    types = ProductType.values
    producers = Producer.objects.bulk_create(
        Producer(name=f"กลุ่ม {count}-{n:03d}", district=district, producer_type=kinds[n % 3])
        for n in range(count)
    )
    MonthlySale.objects.bulk_create(
        MonthlySale(
            producer=producer,
            district=district,
            product_type=types[n % 5],
            fiscal_year=FY,
            month=MONTH,
            domestic=Decimal("1000.50"),
            export=Decimal("20.25"),
        )
        for n, producer in enumerate(producers)
    )


@pytest.mark.parametrize("fmt", ["html", "xlsx"])
@pytest.mark.parametrize("who", ["owner", "province"])
def test_it_costs_the_same_queries_for_3_rows_as_for_300(
    client, officers, geography, django_assert_num_queries, fmt, who
):
    client = signed_in(client, officers, who)
    many_rows(geography, 3)
    client.get(URL, {"format": fmt})  # warm the session

    with CaptureQueriesContext(connection) as small:
        assert client.get(URL, {"format": fmt}).status_code == 200
    reads = [q["sql"] for q in small.captured_queries if '"sales_monthlysale"' in q["sql"]]
    assert len(reads) == 1 and '"sales_producer"' in reads[0]
    MonthlySale.objects.all().delete()
    many_rows(geography, 300)

    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(URL, {"format": fmt})
    if fmt == "xlsx":
        ws = xlsx(response)
        assert amount(ws[f"M{FIRST_ROW + 300}"]) == Decimal("306225.00")


# On paper


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_it_prints_on_a4_landscape_with_the_header_on_every_page(
    page, live_server, officers, geography, screenshot_dir, tmp_path
):
    many_rows(geography, 60)
    sign_in(page, live_server, "d5701")
    page.goto(live_server.url + URL)
    page.screenshot(path=screenshot_dir / "rt2-screen.png", full_page=True)

    page.emulate_media(media="print")
    assert page.locator("nav.navbar").is_hidden()
    assert page.locator("#title-block").is_visible()
    assert page.locator("#signature").is_visible()
    style = "el => getComputedStyle(el).display"
    assert page.locator("#rt2 thead").evaluate(style) == "table-header-group"
    # The last rows, the totals and the signature print together, once, at the end.
    closing = page.locator("#rt2 tbody.rt2-close")
    assert closing.evaluate("el => getComputedStyle(el).breakInside") == "avoid"
    assert closing.locator("#totals").count() == 1 and closing.locator("#signature").count() == 1
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    (screenshot_dir / "rt2-print.pdf").write_bytes(pdf)

    width, height = (
        float(n) for n in re.search(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf).groups()
    )
    assert (round(width), round(height)) == (842, 595)  # A4 landscape, in points
    if shutil.which("pdftotext"):
        path = tmp_path / "rt2.pdf"
        path.write_bytes(pdf)
        text = subprocess.run(
            ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout
        pages = [p for p in text.split("\f") if p.strip()]
        assert len(pages) >= 2
        assert all("ประเภทผลิตภัณฑ์" in p for p in pages)
        assert sum("รวมทั้งสิ้น 60 รายการ" in p for p in pages) == 1
        # The signature stands on the page of the last rows, whole.
        assert "ผู้รายงาน" in pages[-1] and "วันที่" in pages[-1]
        assert "60 " in pages[-1] and "กลุ่ม 60-059" in pages[-1]
