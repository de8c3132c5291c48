"""RT.3 (รต.3), sales by product type: /reports/rt3/<area>/<fiscal year>/<month>/.

The figures are hand-computed from a few rows of FY 2569 (ตุลาคม 2568 to กันยายน 2569),
read through the running totals; the report is asked for ธันวาคม 2568 (month 12, the
third month of the year) unless a test says otherwise.
"""

from decimal import Decimal
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from reports.figures import ZERO
from reports.totals import rebuild
from sales.models import District, MonthlySale, Producer, ProducerType, ProductType

FY = 2569
DECEMBER = 12
TYPES = [label for _value, label in ProductType.choices]


def url(area, month=DECEMBER, fiscal_year=FY, **query):
    path = reverse("report-rt3", args=[area, fiscal_year, month])
    if query:
        path += "?" + "&".join(f"{key}={value}" for key, value in query.items())
    return path


def make_producer(district, name, kind=ProducerType.COMMUNITY_GROUP):
    return Producer.objects.create(name=name, district=district, producer_type=kind)


def sale(producer, product_type, month, domestic, export="0", confirmed=None, fiscal_year=FY):
    """Create a monthly row; confirmed is None, "district" or "province"."""
    now = timezone.now()
    return MonthlySale.objects.create(
        producer=producer,
        district=producer.district,
        product_type=product_type,
        fiscal_year=fiscal_year,
        month=month,
        domestic=Decimal(domestic),
        export=Decimal(export),
        district_confirmed_at=now if confirmed in ("district", "province") else None,
        province_confirmed_at=now if confirmed == "province" else None,
    )


@pytest.fixture
def sales(geography):
    """Rows of FY 2569 in 5701, 5702 (both province 57) and 5001 (province 50)."""
    F, T, H = ProductType.FOOD, ProductType.TEXTILE, ProductType.HERB
    tasty = make_producer(geography["mueang_cr"], "กลุ่มอาหารรสเลิศ")
    weaver = make_producer(geography["mueang_cr"], "กลุ่มทอผ้าบ้านดู่")
    wiang = make_producer(geography["wiang_chai"], "กลุ่มข้าวเวียงชัย")
    mai = make_producer(geography["mueang_cm"], "กลุ่มร่มบ่อสร้าง")
    sale(tasty, F, 10, "100.00", "10.00", "province")
    sale(tasty, F, 11, "200.50", confirmed="district")
    sale(tasty, F, 12, "300.25", "20.00", "province")
    sale(tasty, F, 1, "999.00")  # after ธันวาคม: not in the year to date
    sale(tasty, F, 9, "5000.00", confirmed="province", fiscal_year=FY - 1)  # last year
    sale(weaver, T, 12, "50.10", "5.05")
    sale(weaver, H, 12, "1000.00", confirmed="province")
    sale(weaver, H, 10, "7.00")
    sale(wiang, F, 12, "400.00", "40.00", "province")
    sale(mai, F, 12, "800.00", confirmed="province")
    rebuild()


def figures_of(line):
    return (
        line.domestic,
        line.export,
        line.total,
        line.rows,
        line.year_domestic,
        line.year_export,
        line.year_total,
    )


def D(*values):
    return tuple(Decimal(v) if isinstance(v, str) else v for v in values)


def lines_of(response):
    return {line.label: figures_of(line) for line in response.context["lines"]}


# The figures


def test_it_shows_the_district_month_and_year_to_date_by_type(client, officers, sales):
    client.force_login(officers["owner"])
    response = client.get(url("5701"))

    assert response.status_code == 200
    assert [line.label for line in response.context["lines"]] == TYPES
    lines = lines_of(response)
    assert lines["อาหาร"] == D("300.25", "20.00", "320.25", 1, "600.75", "30.00", "630.75")
    assert lines["เครื่องดื่ม"] == D("0", "0", "0", 0, "0", "0", "0")
    assert lines["ผ้า เครื่องแต่งกาย"] == D("50.10", "5.05", "55.15", 1, "50.10", "5.05", "55.15")
    assert lines["สมุนไพรที่ไม่ใช่อาหาร"] == D("1000", "0", "1000", 1, "1007", "0", "1007")
    total = figures_of(response.context["total"])
    assert total == D("1350.35", "25.05", "1375.40", 3, "1657.85", "35.05", "1692.90")
    html = response.content.decode()
    assert "1,375.40" in html and "1,692.90" in html
    assert "ตั้งแต่ต้นปีงบประมาณ (ตุลาคม 2568 - ธันวาคม 2568)" in html


def test_every_figure_is_a_decimal_to_the_satang(client, officers, sales):
    client.force_login(officers["owner"])
    response = client.get(url("5701"))

    for line in [*response.context["lines"], response.context["total"]]:
        for value in figures_of(line):
            if not isinstance(value, int):
                assert isinstance(value, Decimal)
                assert value.as_tuple().exponent == -2


def test_the_year_to_date_runs_from_october_to_the_month_only(client, officers, sales):
    client.force_login(officers["owner"])

    october = lines_of(client.get(url("5701", month=10)))["อาหาร"]
    january = lines_of(client.get(url("5701", month=1)))["อาหาร"]
    september = lines_of(client.get(url("5701", month=9)))["อาหาร"]

    # ตุลาคม: only itself, not last year's กันยายน (5,000.00).
    assert october == D("100.00", "10.00", "110.00", 1, "100.00", "10.00", "110.00")
    # มกราคม adds itself to ตุลาคม..ธันวาคม.
    assert january == D("999.00", "0", "999.00", 1, "1599.75", "30.00", "1629.75")
    # กันยายน has no row of its own but counts the whole year.
    assert september == D("0", "0", "0", 0, "1599.75", "30.00", "1629.75")


def test_the_province_sums_its_districts(client, officers, sales):
    client.force_login(officers["province"])
    response = client.get(url("57"))

    food = lines_of(response)["อาหาร"]
    assert food == D("700.25", "60.00", "760.25", 2, "1000.75", "70.00", "1070.75")
    assert response.context["total"].rows == 4


def test_an_officer_may_count_only_confirmed_rows(client, officers, sales):
    client.force_login(officers["owner"])

    by_district = client.get(url("5701", rows="district"))
    by_province = client.get(url("5701", rows="province"))

    assert lines_of(by_district)["อาหาร"] == D(
        "300.25", "20.00", "320.25", 1, "600.75", "30.00", "630.75"
    )
    assert lines_of(by_district)["ผ้า เครื่องแต่งกาย"] == D("0", "0", "0", 0, "0", "0", "0")
    assert figures_of(by_province.context["total"]) == D(
        "1300.25", "20.00", "1320.25", 2, "1400.25", "30.00", "1430.25"
    )


def test_the_department_counts_only_province_confirmed_rows(client, officers, sales):
    client.force_login(officers["department"])

    # ?rows=all does not widen what the department counts.
    response = client.get(url("5701", rows="all"))

    lines = lines_of(response)
    assert lines["อาหาร"] == D("300.25", "20.00", "320.25", 1, "400.25", "30.00", "430.25")
    assert lines["ผ้า เครื่องแต่งกาย"] == D("0", "0", "0", 0, "0", "0", "0")
    assert lines["สมุนไพรที่ไม่ใช่อาหาร"] == D("1000", "0", "1000", 1, "1000", "0", "1000")
    assert figures_of(response.context["total"]) == D(
        "1300.25", "20.00", "1320.25", 2, "1400.25", "30.00", "1430.25"
    )
    assert "เฉพาะรายการที่จังหวัดยืนยันแล้ว" in response.content.decode()


def test_the_department_sees_the_nation(client, officers, sales):
    client.force_login(officers["department"])
    response = client.get(url("all"))

    assert response.status_code == 200
    food = lines_of(response)["อาหาร"]
    # 5701's 300.25 + 20.00, 5702's 400.00 + 40.00, 5001's 800.00; the year adds ตุลาคม's
    # 100.00 + 10.00 (province-confirmed); never ยอดที่ยังไม่ยืนยัน.
    assert food == D("1500.25", "60.00", "1560.25", 3, "1600.25", "70.00", "1670.25")
    assert response.context["total"].year_total == Decimal("2670.25")


def test_an_area_without_rows_shows_zeros(client, officers, geography):
    client.force_login(officers["owner"])
    response = client.get(url("5701"))

    assert response.status_code == 200
    assert figures_of(response.context["total"]) == (ZERO, ZERO, ZERO, 0, ZERO, ZERO, ZERO)


# Excel


def open_xlsx(response):
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    return load_workbook(BytesIO(response.content))


def test_the_excel_file_is_the_form_cell_by_cell(client, officers, sales):
    client.force_login(officers["owner"])
    response = client.get(url("5701", format="xlsx"))

    assert response.status_code == 200
    assert 'filename="rt3-5701-2569-12.xlsx"' in response["Content-Disposition"]
    ws = open_xlsx(response)["รต.3"]
    assert ws["A1"].value.startswith("แบบรายงานข้อมูลผลการจำหน่ายสินค้าหนึ่งตำบล")
    assert ws["A1"].value.endswith("(รต.3)")
    assert ws["A2"].value == (
        "ปีงบประมาณ 2569  จังหวัดเชียงราย อำเภอเมืองเชียงราย  ประจำเดือน ธันวาคม 2568"
    )
    # Two header rows: groups over the month and the year, then the columns.
    assert [ws.cell(3, c).value for c in (1, 2, 3, 7)] == [
        "ที่",
        "ประเภทผลิตภัณฑ์",
        "เดือน ธันวาคม 2568",
        "ตั้งแต่ต้นปีงบประมาณ (ตุลาคม 2568 - ธันวาคม 2568)",
    ]
    assert [ws.cell(4, c).value for c in range(3, 10)] == [
        "ในประเทศ (บาท)",
        "ต่างประเทศ (บาท)",
        "รวม (บาท)",
        "จำนวนรายการ",
        "ในประเทศ (บาท)",
        "ต่างประเทศ (บาท)",
        "รวม (บาท)",
    ]
    merged = {str(cell_range) for cell_range in ws.merged_cells.ranges}
    assert {"A3:A4", "B3:B4", "C3:F3", "G3:I3"} <= merged
    # One row per type, in order, then the total.
    assert [ws.cell(row, 2).value for row in range(5, 11)] == [*TYPES, "รวมทั้งสิ้น"]
    food = [ws.cell(5, c).value for c in range(1, 10)]
    assert food[0:2] == [1, "อาหาร"]
    assert [Decimal(str(v)) for v in food[2:]] == list(
        D("300.25", "20.00", "320.25", 1, "600.75", "30.00", "630.75")
    )
    total = [Decimal(str(ws.cell(10, c).value)) for c in range(3, 10)]
    assert total == list(D("1350.35", "25.05", "1375.40", 3, "1657.85", "35.05", "1692.90"))
    assert ws.cell(10, 3).font.b
    for column in (3, 4, 5, 7, 8, 9):
        assert ws.cell(5, column).number_format == "#,##0.00"
        assert ws.cell(10, column).number_format == "#,##0.00"
    assert ws.cell(5, 6).number_format == "#,##0"
    assert isinstance(ws.cell(5, 3).value, (int, float))
    # Frozen under the header, header rows on every page, A4 landscape fit to the width.
    assert ws.freeze_panes == "A5"
    assert ws.print_title_rows == "$3:$4"
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == 9
    assert ws.page_setup.fitToWidth == 1
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    text = [ws.cell(row, c).value for row in range(11, ws.max_row + 1) for c in range(1, 10)]
    assert any(v and "นับทุกรายการที่บันทึก" in v for v in text)
    assert "ตำแหน่ง พัฒนาการอำเภอเมืองเชียงราย" in text


def test_the_departments_excel_counts_province_confirmed_rows(client, officers, sales):
    client.force_login(officers["department"])
    response = client.get(url("all", format="xlsx"))

    assert 'filename="rt3-all-2569-12.xlsx"' in response["Content-Disposition"]
    ws = open_xlsx(response)["รต.3"]
    assert "ทั้งประเทศ" in ws["A2"].value
    food = [Decimal(str(ws.cell(5, c).value)) for c in range(3, 10)]
    assert food == list(D("1500.25", "60.00", "1560.25", 3, "1600.25", "70.00", "1670.25"))


# Cost


def count_queries(client, path):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries)


def grow(geography):
    """Add three districts' worth of rows in every month and type to province 57."""
    for number in range(3, 6):
        district = District.objects.create(
            code=f"57{number:02d}", province=geography["chiang_rai"], name_th=f"อำเภอ {number}"
        )
        producer = make_producer(district, f"กลุ่ม {number}")
        for product_type in ProductType.values:
            for month in range(1, 13):
                sale(producer, product_type, month, "123.45", "6.78", "province")
    rebuild()


@pytest.mark.parametrize(
    ("who", "area"),
    [("owner", "5701"), ("province", "57"), ("province", "5701"), ("department", "all")],
)
@pytest.mark.parametrize("fmt", ["html", "xlsx"])
def test_the_page_costs_the_same_queries_whatever_the_data(
    client, officers, sales, geography, django_assert_num_queries, who, area, fmt
):
    client.force_login(officers[who])
    path = url(area, format=fmt)
    client.get(path)  # warm the session
    small = count_queries(client, path)
    grow(geography)

    with django_assert_num_queries(small):
        client.get(path)
    # Session, user, officer, the area, the figures, the list of areas around it, the
    # office name in the navigation bar, and the bell's count of unread notifications.
    assert small <= 8


# Access


@pytest.mark.parametrize(
    ("who", "area", "status"),
    [
        ("owner", "5701", 200),
        ("colleague", "5701", 200),
        ("neighbour", "5701", 404),
        ("outsider", "5701", 404),
        ("owner", "57", 404),
        ("owner", "all", 404),
        ("province", "57", 200),
        ("province", "5701", 200),
        ("province", "5702", 200),
        ("province", "50", 404),
        ("province", "5001", 404),
        ("province", "all", 404),
        ("other_province", "57", 404),
        ("other_province", "5701", 404),
        ("department", "5701", 200),
        ("department", "57", 200),
        ("department", "50", 200),
        ("department", "all", 200),
    ],
)
def test_who_may_read_which_area(client, officers, who, area, status):
    client.force_login(officers[who])

    assert client.get(url(area)).status_code == status
    assert client.get(url(area, format="xlsx")).status_code == status


def test_anonymous_users_are_sent_to_sign_in(client, geography):
    response = client.get(url("5701"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    "path",
    [
        url("abc"),
        url("5"),
        url("570"),
        url("57011"),
        url("99"),
        url("9999"),
        url("ALL"),
        url("5701", month=13),
        url("5701", month=0),
        url("5701", fiscal_year=1999),
        url("5701", format="pdf"),
        url("5701", rows="everything"),
    ],
)
def test_bad_areas_months_and_options_are_404(client, officers, path):
    client.force_login(officers["department"] if "rows" not in path else officers["owner"])

    assert client.get(path).status_code == 404


def test_it_refuses_a_post(client, officers):
    client.force_login(officers["owner"])

    assert client.post(url("5701")).status_code == 405
