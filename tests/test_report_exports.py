"""The export detail report: /reports/exports/<province>/<fy>/<month>/, on screen and as .xlsx.

The hand-computed case, province 57 (เชียงราย), ตุลาคม 2568 (FY 2569, month 10):

lines     1 กลุ่มอาหารรสเลิศ (5701)  ชาอูหลง   400.00 ญี่ปุ่น        จำหน่ายด้วยตนเอง
          2 กลุ่มผ้าไหมเวียงชัย (5702) ผ้าไหม  1,200.00 สหรัฐอเมริกา   ผ่านตัวแทน
          3 กลุ่มกาแฟดอยช้าง (5701)  กาแฟ     250.50 จีน           ผ่าน WEBSITE
          report total 1,850.50 (5701: 650.50, 5702: 1,200.00)
monthly   5701 กลุ่มอาหารรสเลิศ export 400.00 province-confirmed
rows      5701 กลุ่มกาแฟดอยช้าง export 250.50 not confirmed
          5702 กลุ่มผ้าไหมเวียงชัย export 1,000.00 district-confirmed only
          plus 5001 (another province), November and FY 2570 rows and lines: not counted.

every row (the province):        system 1,650.50, report more by 200.00
district-confirmed rows:         system 1,400.00, report more by 450.50
province-confirmed (department): system   400.00, report more by 1,450.50
"""

from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from reports.views.exports import TITLE
from sales.models import ExportDetail, Producer, ProducerType
from tests.test_report_estimate import make_sale

FY, MONTH = 2569, 10
URL = reverse("report-exports", args=["57", FY, MONTH])
D = Decimal


def make_line(producer, value, country="JP", channel="own", product="ชาอูหลง", **kw):
    fields = {"province_id": "57", "fiscal_year": FY, "month": MONTH, **kw}
    return ExportDetail.objects.create(
        producer=producer,
        product=product,
        value=D(value),
        country=country,
        channel=channel,
        agency="สำนักงานพัฒนาชุมชนจังหวัดเชียงราย",
        **fields,
    )


@pytest.fixture
def producers(geography, producer):
    def make(name, district):
        return Producer.objects.create(
            name=name, district=geography[district], producer_type=ProducerType.SME
        )

    return {
        "food": producer,
        "silk": make("กลุ่มผ้าไหมเวียงชัย", "wiang_chai"),
        "coffee": make("กลุ่มกาแฟดอยช้าง", "mueang_cr"),
        "foreign": make("กลุ่มร่มบ่อสร้าง", "mueang_cm"),
    }


@pytest.fixture
def case(producers):
    """The hand-computed case of the module docstring."""
    p = producers
    make_line(p["food"], "400.00")
    make_line(p["silk"], "1200.00", country="US", channel="agent", product="ผ้าไหม")
    make_line(p["coffee"], "250.50", country="CN", channel="website", product="กาแฟ")
    make_sale(p["food"], MONTH, "5000.00", "400.00", "province")
    make_sale(p["coffee"], MONTH, "10.00", "250.50")
    make_sale(p["silk"], MONTH, "0.00", "1000.00", "district")
    # Another province, another month, another year: never in this report.
    make_sale(p["foreign"], MONTH, "0.00", "9999.00", "province")
    make_line(p["foreign"], "9999.00", province_id="50")
    make_sale(p["food"], 11, "0.00", "888.00", "province")
    make_line(p["food"], "888.00", month=11)
    make_sale(p["food"], MONTH, "0.00", "777.00", "province", fiscal_year=FY + 1)
    make_line(p["food"], "777.00", fiscal_year=FY + 1)
    return p


def report_of(client, user, url=URL):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.context["report"]


# Who may open it


def test_it_sends_strangers_to_sign_in(client, geography):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize(
    "who, status",
    [
        ("province", 200),
        ("department", 200),
        # The province makes this report: its districts are outsiders to it.
        ("owner", 404),
        ("neighbour", 404),
        ("outsider", 404),
        ("other_province", 404),
    ],
)
def test_it_shows_the_province_and_the_department_only(client, officers, who, status):
    client.force_login(officers[who])
    assert client.get(URL).status_code == status
    assert client.get(URL, {"format": "xlsx"}).status_code == status


@pytest.mark.parametrize(
    "url",
    [
        "/reports/exports/57/2569/13/",
        "/reports/exports/57/2569/0/",
        "/reports/exports/57/2549/10/",
        "/reports/exports/57/2701/10/",
        "/reports/exports/99/2569/10/",
        "/reports/exports/10/2569/10/",
        URL + "?format=csv",
        URL + "?rows=everything",
    ],
)
def test_bad_months_years_provinces_and_options_are_404(client, officers, url):
    client.force_login(officers["province"])
    assert client.get(url).status_code == 404


def test_it_only_answers_get(client, officers):
    client.force_login(officers["province"])
    assert client.post(URL).status_code == 405


# The numbers


def test_it_lists_the_months_lines_as_the_form_does(client, officers, case):
    report = report_of(client, officers["province"])
    assert [
        (line.producer.name, line.product, line.value, line.country_th, line.ticks)
        for line in report.lines
    ] == [
        ("กลุ่มอาหารรสเลิศ", "ชาอูหลง", D("400.00"), "ญี่ปุ่น", [True, False, False]),
        ("กลุ่มผ้าไหมเวียงชัย", "ผ้าไหม", D("1200.00"), "สหรัฐอเมริกา", [False, True, False]),
        ("กลุ่มกาแฟดอยช้าง", "กาแฟ", D("250.50"), "จีน", [False, False, True]),
    ]
    assert report.total == D("1850.50")
    assert report.channel_counts == [1, 1, 1]


def test_the_province_checks_against_every_row_it_has(client, officers, case):
    report = report_of(client, officers["province"])
    assert [(d.code, d.in_system, d.in_report, d.difference) for d in report.districts] == [
        ("5701", D("650.50"), D("650.50"), D("0.00")),
        ("5702", D("1000.00"), D("1200.00"), D("200.00")),
    ]
    assert report.in_system == D("1650.50")
    assert report.difference == D("200.00")
    assert not report.agrees
    assert report.verdict == "ไม่ตรงกัน: แบบรายงานมากกว่ายอดจำหน่ายต่างประเทศในระบบ 200.00 บาท"


def test_the_province_may_check_against_confirmed_rows_only(client, officers, case):
    report = report_of(client, officers["province"], URL + "?rows=district")
    assert report.in_system == D("1400.00")
    assert report.difference == D("450.50")


def test_the_department_checks_against_province_confirmed_rows_only(client, officers, case):
    report = report_of(client, officers["department"], URL + "?rows=all")
    assert [(d.code, d.in_system, d.in_report) for d in report.districts] == [
        ("5701", D("400.00"), D("650.50")),
        ("5702", D("0.00"), D("1200.00")),
    ]
    assert report.in_system == D("400.00")
    assert report.verdict == "ไม่ตรงกัน: แบบรายงานมากกว่ายอดจำหน่ายต่างประเทศในระบบ 1,450.50 บาท"


def test_a_short_report_and_an_agreeing_report_say_so(client, officers, producers):
    make_sale(producers["food"], MONTH, "0.00", "1000.00")
    line = make_line(producers["food"], "999.99")
    report = report_of(client, officers["province"])
    assert report.verdict == "ไม่ตรงกัน: แบบรายงานน้อยกว่ายอดจำหน่ายต่างประเทศในระบบ 0.01 บาท"
    line.value = D("1000.00")
    line.save()
    report = report_of(client, officers["province"])
    assert report.agrees
    assert report.verdict == "ตรงกับยอดจำหน่ายต่างประเทศในระบบ"


def test_the_page_shows_the_form_the_check_and_the_signature(client, officers, case):
    client.force_login(officers["province"])
    page = client.get(URL).content.decode()
    assert TITLE in page
    assert "ประจำปีงบประมาณ พ.ศ. 2569" in page
    assert "จังหวัดเชียงราย" in page
    assert "ประจำเดือนตุลาคม 2568" in page
    for text in ("จำหน่ายด้วยตนเอง", "ผ่านตัวแทน", "ผ่าน WEBSITE", "สหรัฐอเมริกา", "1,850.50"):
        assert text in page
    assert "ไม่ตรงกัน: แบบรายงานมากกว่ายอดจำหน่ายต่างประเทศในระบบ 200.00 บาท" in page
    assert "นับทุกรายการที่บันทึก (รวมที่ยังไม่ยืนยัน)" in page
    assert "ผู้รายงาน" in page
    assert "ตำแหน่ง พัฒนาการจังหวัดเชียงราย" in page


def test_an_empty_month_says_there_are_no_lines(client, officers, geography):
    client.force_login(officers["province"])
    response = client.get(URL)
    assert "จังหวัดยังไม่ได้บันทึกรายการส่งออกต่างประเทศของเดือนนี้" in response.content.decode()
    assert response.context["report"].agrees


# The Excel file


def open_xlsx(client, user, url=URL):
    client.force_login(user)
    response = client.get(url, {"format": "xlsx"})
    assert response.status_code == 200
    return response, load_workbook(BytesIO(response.content)).active


def test_the_xlsx_is_the_paper_form_cell_by_cell(client, officers, case):
    response, ws = open_xlsx(client, officers["province"])
    assert response["Content-Disposition"] == 'attachment; filename="exports-57-2569-10.xlsx"'
    assert ws["A1"].value == TITLE
    assert ws["A2"].value == "ประจำปีงบประมาณ พ.ศ. 2569"
    assert ws["A3"].value == "จังหวัดเชียงราย  ประจำเดือนตุลาคม 2568"
    assert [c.value for c in ws[4]] == [
        "ที่",
        "ชื่อผู้ผลิต ผู้ประกอบการ OTOP",
        "ผลิตภัณฑ์",
        "มูลค่าการส่งออก (บาท)",
        "ประเทศที่ส่งออก",
        "หน่วยงานสนับสนุน",
        "ช่องทางการจำหน่าย",
        None,
        None,
    ]
    assert [c.value for c in ws[5]][6:] == ["จำหน่ายด้วยตนเอง", "ผ่านตัวแทน", "ผ่าน WEBSITE"]
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"A1:I1", "G4:I4", "A4:A5", "B4:B5", "F4:F5"} <= merged

    agency = "สำนักงานพัฒนาชุมชนจังหวัดเชียงราย"
    assert [c.value for c in ws[6]] == [
        1,
        "กลุ่มอาหารรสเลิศ",
        "ชาอูหลง",
        400,
        "ญี่ปุ่น",
        agency,
        "✓",
        None,
        None,
    ]
    assert [c.value for c in ws[7]] == [
        2,
        "กลุ่มผ้าไหมเวียงชัย",
        "ผ้าไหม",
        1200,
        "สหรัฐอเมริกา",
        agency,
        None,
        "✓",
        None,
    ]
    assert [c.value for c in ws[8]][3:] == [250.5, "จีน", agency, None, None, "✓"]
    assert [c.value for c in ws[9]] == [None, "รวม 3 รายการ", None, 1850.5, None, None, 1, 1, 1]
    for row in (6, 7, 8, 9):
        assert isinstance(ws[f"D{row}"].value, (int, float))
        assert ws[f"D{row}"].number_format == "#,##0.00"
    assert ws["G6"].alignment.horizontal == "center"
    assert ws["A6"].alignment.horizontal == "center"
    assert ws["D9"].font.b

    # The check against the monthly rows, under the value column, then the verdict.
    assert [c.value for c in ws[10]][:4] == [None, "ยอดจำหน่ายต่างประเทศในระบบ", None, 1650.5]
    assert [c.value for c in ws[11]][:4] == [None, "ผลต่าง (แบบรายงาน − ระบบ)", None, 200]
    for cell in ("D10", "D11"):
        assert ws[cell].number_format == "#,##0.00"
    assert ws["A12"].value == "ไม่ตรงกัน: แบบรายงานมากกว่ายอดจำหน่ายต่างประเทศในระบบ 200.00 บาท"
    assert ws["A13"].value.startswith("ยอดในระบบนับทุกรายการที่บันทึก (รวมที่ยังไม่ยืนยัน)")

    assert ws.freeze_panes == "A6"
    assert ws.print_title_rows == "$4:$5"
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == 9
    assert ws.column_dimensions["B"].width == 34

    texts = [c.value for row in ws.iter_rows(min_row=14) for c in row if c.value]
    assert texts == [
        "ลงชื่อ.......................................................ผู้รายงาน",
        "(.......................................................)",
        "ตำแหน่ง พัฒนาการจังหวัดเชียงราย",
        "วันที่............/............................/................",
    ]


def test_the_xlsx_checks_district_by_district_on_a_second_sheet(client, officers, case):
    client.force_login(officers["province"])
    response = client.get(URL, {"format": "xlsx"})
    ws = load_workbook(BytesIO(response.content))["ตรวจสอบรายอำเภอ"]
    assert ws["A3"].value == "ยอดในระบบนับทุกรายการที่บันทึก (รวมที่ยังไม่ยืนยัน)"
    assert [c.value for c in ws[4]] == [
        "อำเภอ",
        "ยอดในระบบ (บาท)",
        "ในแบบรายงาน (บาท)",
        "ผลต่าง (บาท)",
        "ผลการตรวจสอบ",
    ]
    assert [c.value for c in ws[5]] == ["เมืองเชียงราย", 650.5, 650.5, 0, "ตรงกัน"]
    assert [c.value for c in ws[6]] == ["เวียงชัย", 1000, 1200, 200, "ไม่ตรงกัน"]
    assert [c.value for c in ws[7]] == ["รวมทั้งจังหวัด", 1650.5, 1850.5, 200, "ไม่ตรงกัน"]
    for cell in ("B6", "C6", "D6", "B7"):
        assert ws[cell].number_format == "#,##0.00"
    assert ws.freeze_panes == "A5"
    assert ws.print_title_rows == "$4:$4"
    assert ws.page_setup.orientation == "portrait"
    assert int(ws.page_setup.paperSize) == 9


def test_the_department_xlsx_checks_against_province_confirmed_rows(client, officers, case):
    _, ws = open_xlsx(client, officers["department"])
    assert [c.value for c in ws[10]][:4] == [None, "ยอดจำหน่ายต่างประเทศในระบบ", None, 400]
    assert [c.value for c in ws[11]][3] == 1450.5
    assert ws["A13"].value.startswith("ยอดในระบบนับเฉพาะรายการที่จังหวัดยืนยันแล้ว")


# Cost


def grow(producers, count):
    for n in range(count):
        make_line(producers["food"] if n % 2 else producers["silk"], "10.00", channel="agent")


# Session, user with its officer (one query, OfficerBackend), province (the menu's too),
# lines, the month's totals; on the page, the bell's unread count; for the file, the record
# of who downloaded producer names (PDPA).
# Was 8 and 7 when the officer and the menu's province were read on their own (issue 16).
QUERIES = {"html": 6, "xlsx": 6}


@pytest.mark.parametrize("output", ["html", "xlsx"])
@pytest.mark.parametrize("size", [1, 40])
def test_it_costs_the_same_queries_whatever_it_holds(
    client, officers, producers, django_assert_num_queries, output, size
):
    grow(producers, size)
    make_sale(producers["food"], MONTH, "0.00", "5.00")
    make_sale(producers["silk"], MONTH, "0.00", "5.00")
    client.force_login(officers["province"])
    with django_assert_num_queries(QUERIES[output]):
        response = client.get(URL, {"format": output})
    assert response.status_code == 200
