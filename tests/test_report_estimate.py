"""The estimate report: /reports/estimate/<district>/<fy>/, on screen and as .xlsx.

The hand-computed case, district 5701 (เมืองเชียงราย), FY 2569:

estimate  ตุลาคม 2568     1,000.00 + 500.00 = 1,500.00
          พฤศจิกายน 2568  2,000.50 +   0.00 = 2,000.50   (other months not saved: 0)
          year            3,000.50 + 500.00 = 3,500.50
sales     ตุลาคม  A  800.00 + 400.00  province-confirmed
                  B  300.25 +   0.00  district-confirmed only
          พฤศจิกายน A 2,500.00 + 100.00 not confirmed
          plus rows of 5702 and of FY 2570 that this report must not count.

every row (district and province officers):
  ตุลาคม 1,500.25 (diff +0.25, 100.02 %), พฤศจิกายน 2,600.00 (+599.50, 129.97 %),
  year 3,600.25 + 500.00 = 4,100.25 (+599.75, 117.13 %)
province-confirmed rows (the department):
  ตุลาคม 1,200.00 (-300.00, 80.00 %), พฤศจิกายน 0.00 (-2,000.50, 0.00 %),
  year 800.00 + 400.00 = 1,200.00 (-2,300.50, 34.28 %)
"""

import datetime
from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from otopdoc import fiscal
from reports.totals import refresh_month
from reports.views.estimate import NO_ESTIMATE, TITLE
from sales.models import Estimate, EstimateMonth, MonthlySale, Producer, ProducerType

FY = 2569
URL = reverse("report-estimate", args=["5701", FY])
D = Decimal


def make_sale(producer, month, domestic, export, confirmed=None, fiscal_year=FY, kind="food"):
    """Save one monthly row (confirmed: None, "district" or "province") and its totals."""
    now = timezone.now()
    sale = MonthlySale.objects.create(
        producer=producer,
        district=producer.district,
        product_type=kind,
        fiscal_year=fiscal_year,
        month=month,
        domestic=D(domestic),
        export=D(export),
        district_confirmed_at=now if confirmed else None,
        province_confirmed_at=now if confirmed == "province" else None,
    )
    refresh_month(producer.district, fiscal_year, month)
    return sale


def make_estimate(district, months, name="นายสมชาย ใจดี", position="พัฒนาการอำเภอเมืองเชียงราย"):
    estimate = Estimate.objects.create(
        district=district, fiscal_year=FY, certifier_name=name, certifier_position=position
    )
    EstimateMonth.objects.bulk_create(
        EstimateMonth(estimate=estimate, month=month, domestic=D(dom), export=D(exp))
        for month, (dom, exp) in months.items()
    )
    return estimate


@pytest.fixture
def case(geography, producer):
    """The hand-computed case of the module docstring."""
    district = geography["mueang_cr"]
    other = Producer.objects.create(
        name="กลุ่มผ้าทอบ้านป่า", district=district, producer_type=ProducerType.SME
    )
    neighbour = Producer.objects.create(
        name="กลุ่มผ้าไหมเวียงชัย",
        district=geography["wiang_chai"],
        producer_type=ProducerType.SME,
    )
    make_estimate(district, {10: ("1000.00", "500.00"), 11: ("2000.50", "0.00")})
    make_sale(producer, 10, "800.00", "400.00", "province")
    make_sale(other, 10, "300.25", "0.00", "district")
    make_sale(producer, 11, "2500.00", "100.00")
    # Not this district, not this year: never counted here.
    make_sale(neighbour, 10, "7777.00", "7.00", "province")
    make_sale(producer, 10, "9999.00", "9.00", "province", fiscal_year=FY + 1)
    return district


def report_of(client, user, url=URL):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.context["report"]


def figures(line):
    return (
        line.estimated_total,
        line.actual_domestic,
        line.actual_export,
        line.actual_total,
        line.difference,
        line.achieved,
    )


# Who may open it


def test_it_sends_strangers_to_sign_in(client, geography):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize(
    "who, status",
    [
        ("owner", 200),
        ("colleague", 200),
        ("province", 200),
        ("department", 200),
        ("neighbour", 404),
        ("outsider", 404),
        ("other_province", 404),
    ],
)
def test_it_shows_the_district_to_its_district_province_and_the_department_only(
    client, officers, who, status
):
    client.force_login(officers[who])
    assert client.get(URL).status_code == status
    assert client.get(URL, {"format": "xlsx"}).status_code == status


@pytest.mark.parametrize(
    "url",
    [
        "/reports/estimate/5701/2549/",
        "/reports/estimate/5701/2701/",
        "/reports/estimate/9999/2569/",
        URL + "?format=pdf",
        URL + "?rows=everything",
    ],
)
def test_bad_years_districts_and_options_are_404(client, officers, url):
    client.force_login(officers["owner"])
    assert client.get(url).status_code == 404


def test_it_only_answers_get(client, officers):
    client.force_login(officers["owner"])
    assert client.post(URL).status_code == 405


# The numbers


def test_it_sets_the_estimate_beside_every_row_for_the_district(client, officers, case):
    report = report_of(client, officers["owner"])
    assert [line.label for line in report.months][:3] == [
        "ตุลาคม 2568",
        "พฤศจิกายน 2568",
        "ธันวาคม 2568",
    ]
    assert report.months[-1].label == "กันยายน 2569"
    october, november, december = report.months[:3]
    assert figures(october) == (
        D("1500.00"),
        D("1100.25"),
        D("400.00"),
        D("1500.25"),
        D("0.25"),
        D("100.02"),
    )
    assert figures(november) == (
        D("2000.50"),
        D("2500.00"),
        D("100.00"),
        D("2600.00"),
        D("599.50"),
        D("129.97"),
    )
    # Nothing estimated and nothing sold: no percent, and the remark says why it is empty.
    assert figures(december) == (D("0"), D("0"), D("0"), D("0"), D("0"), None)
    assert december.remark == "ยังไม่มียอดจำหน่าย"
    assert report.total.estimated_domestic == D("3000.50")
    assert report.total.estimated_export == D("500.00")
    assert figures(report.total) == (
        D("3500.50"),
        D("3600.25"),
        D("500.00"),
        D("4100.25"),
        D("599.75"),
        D("117.13"),
    )
    assert all(isinstance(value, Decimal) for value in figures(report.total))


def test_the_department_counts_only_rows_the_province_confirmed(client, officers, case):
    report = report_of(client, officers["department"])
    october, november = report.months[:2]
    assert figures(october) == (
        D("1500.00"),
        D("800.00"),
        D("400.00"),
        D("1200.00"),
        D("-300.00"),
        D("80.00"),
    )
    assert figures(november)[3:] == (D("0"), D("-2000.50"), D("0.00"))
    assert november.remark == "ยังไม่มีรายการที่จังหวัดยืนยัน"
    assert figures(report.total) == (
        D("3500.50"),
        D("800.00"),
        D("400.00"),
        D("1200.00"),
        D("-2300.50"),
        D("34.28"),
    )


def test_the_department_cannot_widen_what_it_counts(client, officers, case):
    report = report_of(client, officers["department"], URL + "?rows=all")
    assert report.total.actual_total == D("1200.00")


def test_the_province_may_narrow_the_actuals_to_confirmed_rows(client, officers, case):
    district = report_of(client, officers["province"], URL + "?rows=district")
    assert district.total.actual_total == D("1500.25")
    province = report_of(client, officers["province"], URL + "?rows=province")
    assert province.total.actual_total == D("1200.00")


def test_the_page_says_which_rows_it_counts(client, officers, case):
    client.force_login(officers["department"])
    page = client.get(URL).content.decode()
    assert "นับเฉพาะรายการที่จังหวัดยืนยันแล้ว" in page
    client.force_login(officers["owner"])
    page = client.get(URL).content.decode()
    assert "นับทุกรายการที่บันทึก (รวมที่ยังไม่ยืนยัน)" in page


def test_the_page_shows_the_form_and_the_certifier(client, officers, case):
    client.force_login(officers["owner"])
    page = client.get(URL).content.decode()
    assert TITLE in page
    assert "ปีงบประมาณ พ.ศ. 2569" in page
    assert "อำเภอเมืองเชียงราย" in page
    for text in ("1,500.25", "4,100.25", "117.13", "3,500.50", "599.75"):
        assert text in page
    assert "ผู้รายงาน" in page
    assert "(นายสมชาย ใจดี)" in page
    assert "ตำแหน่ง พัฒนาการอำเภอเมืองเชียงราย" in page
    assert NO_ESTIMATE not in page
    assert "?format=xlsx" in page


def test_without_an_estimate_it_says_so_and_still_shows_the_actuals(client, officers, producer):
    make_sale(producer, 10, "800.00", "400.00")
    client.force_login(officers["owner"])
    response = client.get(URL)
    report = response.context["report"]
    assert report.estimate is None
    assert NO_ESTIMATE in response.content.decode()
    october = report.months[0]
    assert october.actual_total == D("1200.00")
    assert (october.estimated_total, october.difference, october.achieved) == (None, None, None)
    assert report.total.actual_total == D("1200.00")
    assert report.total.estimated_total is None
    # Nobody certified it: the signature names the officer the circular asks for.
    assert report.signer_name == ""
    assert report.signer_position == "พัฒนาการอำเภอเมืองเชียงราย"


def test_months_to_come_have_no_remark(client, officers, case, monkeypatch):
    # 15 November 2568 (2025): ตุลาคม and พฤศจิกายน of FY 2569 have begun, the rest not.
    monkeypatch.setattr(fiscal, "today", lambda: datetime.date(2025, 11, 15))
    report = report_of(client, officers["department"])
    assert [line.remark for line in report.months[:3]] == [
        "",
        "ยังไม่มีรายการที่จังหวัดยืนยัน",
        "",
    ]


# The Excel file


def open_xlsx(client, user, url=URL):
    client.force_login(user)
    response = client.get(url, {"format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    return response, load_workbook(BytesIO(response.content)).active


def test_the_xlsx_is_the_paper_form_cell_by_cell(client, officers, case):
    response, ws = open_xlsx(client, officers["owner"])
    assert response["Content-Disposition"] == 'attachment; filename="estimate-5701-2569.xlsx"'
    assert ws["A1"].value == TITLE
    assert ws["A2"].value == "ปีงบประมาณ พ.ศ. 2569"
    assert ws["A3"].value == "อำเภอเมืองเชียงราย จังหวัดเชียงราย"
    assert [c.value for c in ws[4]] == [
        "เดือน",
        "ประมาณการรายได้จากการจำหน่ายผลิตภัณฑ์ OTOP",
        None,
        None,
        "ยอดจำหน่ายจริง (ทุกรายการที่บันทึก (รวมที่ยังไม่ยืนยัน))",
        None,
        None,
        "ผลต่าง จริง - ประมาณการ (บาท)",
        "ร้อยละที่ทำได้",
        "หมายเหตุ",
    ]
    assert [c.value for c in ws[5]][1:7] == [
        "ภายในประเทศ (บาท)",
        "ส่งออกต่างประเทศ (บาท)",
        "รวมทั้งสิ้น (บาท)",
    ] * 2
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"A1:J1", "B4:D4", "E4:G4", "A4:A5", "H4:H5", "I4:I5", "J4:J5"} <= merged

    assert [c.value for c in ws[6]] == [
        "ตุลาคม 2568",
        1000,
        500,
        1500,
        1100.25,
        400,
        1500.25,
        0.25,
        100.02,
        None,
    ]
    assert [c.value for c in ws[7]][:9] == [
        "พฤศจิกายน 2568",
        2000.5,
        0,
        2000.5,
        2500,
        100,
        2600,
        599.5,
        129.97,
    ]
    assert ws["J8"].value == "ยังไม่มียอดจำหน่าย"
    assert ws["A17"].value == "กันยายน 2569"
    assert [c.value for c in ws[18]] == [
        "รวมทั้งสิ้น",
        3000.5,
        500,
        3500.5,
        3600.25,
        500,
        4100.25,
        599.75,
        117.13,
        None,
    ]
    for row in (6, 7, 18):
        for column in "BCDEFGH":
            cell = ws[f"{column}{row}"]
            assert isinstance(cell.value, (int, float)), cell.coordinate
            assert cell.number_format == "#,##0.00", cell.coordinate
        assert ws[f"I{row}"].number_format == "0.00"
    assert ws["A18"].font.b

    assert ws.freeze_panes == "A6"
    assert ws.print_title_rows == "$4:$5"
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == 9
    assert ws.column_dimensions["A"].width == 20

    texts = [c.value for row in ws.iter_rows(min_row=19) for c in row if c.value]
    assert "ยอดจำหน่ายจริงนับทุกรายการที่บันทึก (รวมที่ยังไม่ยืนยัน) จากข้อมูลในระบบ" in texts
    assert texts[-4:] == [
        "ลงชื่อ.......................................................ผู้รายงาน",
        "(นายสมชาย ใจดี)",
        "ตำแหน่ง พัฒนาการอำเภอเมืองเชียงราย",
        "วันที่............/............................/................",
    ]


def test_the_department_xlsx_counts_only_province_confirmed_rows(client, officers, case):
    _, ws = open_xlsx(client, officers["department"])
    assert ws["E4"].value == "ยอดจำหน่ายจริง (เฉพาะรายการที่จังหวัดยืนยันแล้ว)"
    assert [c.value for c in ws[18]][4:9] == [800, 400, 1200, -2300.5, 34.28]


def test_the_xlsx_without_an_estimate_leaves_the_estimate_blank_and_says_so(
    client, officers, producer
):
    make_sale(producer, 10, "800.00", "400.00")
    _, ws = open_xlsx(client, officers["owner"])
    assert [c.value for c in ws[6]][:9] == [
        "ตุลาคม 2568",
        None,
        None,
        None,
        800,
        400,
        1200,
        None,
        None,
    ]
    texts = [c.value for row in ws.iter_rows(min_row=19) for c in row if c.value]
    assert NO_ESTIMATE in texts
    assert "(.......................................................)" in texts
    assert "ตำแหน่ง พัฒนาการอำเภอเมืองเชียงราย" in texts


# Cost


def grow(geography, producer, count):
    """Add `count` producers with a row in every month, and a full estimate."""
    district = geography["mueang_cr"]
    make_estimate(district, {month: ("10.00", "1.00") for month in range(1, 13)})
    producers = Producer.objects.bulk_create(
        Producer(name=f"กลุ่มที่ {n}", district=district, producer_type=ProducerType.SME)
        for n in range(count)
    )
    MonthlySale.objects.bulk_create(
        MonthlySale(
            producer=p,
            district=district,
            product_type=kind,
            fiscal_year=FY,
            month=month,
            domestic=D("1.00"),
            export=D("0.50"),
        )
        for p in producers
        for month in range(1, 13)
        for kind in ("food", "herb")
    )
    for month in range(1, 13):
        refresh_month(district, FY, month)


# Session, user with its officer (one query, OfficerBackend), district, estimate, its
# months, the year's totals; and on the page, the menu's province of the officer.
# The page and the bell's unread count; the download and its personal-data access record.
# Was 9 and 8 when the officer was read on its own (issue 16).
QUERIES = {"html": 8, "xlsx": 7}


@pytest.mark.parametrize("output", ["html", "xlsx"])
@pytest.mark.parametrize("size", [1, 40])
def test_it_costs_the_same_queries_whatever_it_holds(
    client, officers, geography, producer, django_assert_num_queries, output, size
):
    grow(geography, producer, size)
    client.force_login(officers["province"])
    with django_assert_num_queries(QUERIES[output]):
        response = client.get(URL, {"format": output})
    assert response.status_code == 200
