"""RT.4 (รต.4), a year month by month: /reports/rt4/<province>/<fy>/ and /reports/rt4/all/<fy>/.

The rows are test_rt3's (FY 2569, ตุลาคม 2568 to กันยายน 2569); each amount is domestic
and export together, of every product type.
"""

from decimal import Decimal
from io import BytesIO

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from tests.test_rt3 import FY, grow
from tests.test_rt3 import sales as sales  # noqa: F401 (the fixture)

MONTHS = [
    "ตุลาคม 2568",
    "พฤศจิกายน 2568",
    "ธันวาคม 2568",
    "มกราคม 2569",
    "กุมภาพันธ์ 2569",
    "มีนาคม 2569",
    "เมษายน 2569",
    "พฤษภาคม 2569",
    "มิถุนายน 2569",
    "กรกฎาคม 2569",
    "สิงหาคม 2569",
    "กันยายน 2569",
]
NOTE = "หมายเหตุ รวมยอดจำหน่ายรายเดือน ทั้งในประเทศและต่างประเทศ ของผลิตภัณฑ์ทุกประเภท"


def url(province="57", fiscal_year=FY, **query):
    if province == "all":
        path = reverse("report-rt4-nation", args=[fiscal_year])
    else:
        path = reverse("report-rt4", args=[province, fiscal_year])
    if query:
        path += "?" + "&".join(f"{key}={value}" for key, value in query.items())
    return path


def months(*amounts):
    """Return twelve Decimals: the amounts given from ตุลาคม on, zero after."""
    values = [Decimal(a) for a in amounts]
    return values + [Decimal("0.00")] * (12 - len(values))


def line_of(line):
    return line.number, line.label, line.amounts, line.total


def province_lines(response):
    (group,) = response.context["groups"]
    assert group["cluster"] is None and group["subtotal"] is None
    return [line_of(line) for line in group["lines"]]


# The province


def test_it_shows_each_district_in_each_month_and_the_year(client, officers, sales):
    client.force_login(officers["province"])
    response = client.get(url())

    assert response.status_code == 200
    assert province_lines(response) == [
        # ตุลาคม: food 100.00 + 10.00 and herbs 7.00; last year's กันยายน is not counted.
        (1, "เมืองเชียงราย", months("117.00", "200.50", "1375.40", "999.00"), Decimal("2691.90")),
        (2, "เวียงชัย", months("0", "0", "440.00"), Decimal("440.00")),
    ]
    total = response.context["total"]
    assert total.label == "รวมจังหวัดเชียงราย"
    assert total.amounts == months("117.00", "200.50", "1815.40", "999.00")
    assert total.total == Decimal("3131.90")
    html = response.content.decode()
    for label in MONTHS:
        assert f"{label} (บาท)" in html
    assert "รวม 12 เดือน (บาท)" in html
    assert "ระหว่างเดือน ตุลาคม 2568 - กันยายน 2569 (12 เดือน)" in html
    assert NOTE in html
    assert "3,131.90" in html


def test_every_amount_is_a_decimal_to_the_satang(client, officers, sales):
    client.force_login(officers["province"])
    response = client.get(url())

    (group,) = response.context["groups"]
    for line in [*group["lines"], response.context["total"]]:
        for amount in [*line.amounts, line.total]:
            assert isinstance(amount, Decimal)
            assert amount.as_tuple().exponent == -2


def test_the_department_counts_only_province_confirmed_rows(client, officers, sales):
    client.force_login(officers["department"])
    response = client.get(url(rows="all"))

    assert province_lines(response) == [
        (1, "เมืองเชียงราย", months("110.00", "0", "1320.25"), Decimal("1430.25")),
        (2, "เวียงชัย", months("0", "0", "440.00"), Decimal("440.00")),
    ]
    assert response.context["total"].total == Decimal("1870.25")


def test_a_province_officer_may_count_confirmed_rows_only(client, officers, sales):
    client.force_login(officers["province"])

    by_district = client.get(url(rows="district"))
    by_province = client.get(url(rows="province"))

    assert by_district.context["total"].amounts == months("110.00", "200.50", "1760.25")
    assert by_province.context["total"].total == Decimal("1870.25")


def test_another_year_is_empty(client, officers, sales):
    client.force_login(officers["province"])
    response = client.get(url(fiscal_year=FY + 1))

    assert [line[3] for line in province_lines(response)] == [Decimal("0.00")] * 2


# The nation


def test_the_nation_groups_provinces_by_cluster(client, officers, sales):
    client.force_login(officers["department"])
    response = client.get(url("all"))

    assert response.status_code == 200
    groups = response.context["groups"]
    # Clusters in the order of their inspection regions; provinces numbered straight on.
    assert [group["cluster"].region for group in groups] == [15, 16]
    assert [line_of(line) for line in groups[0]["lines"]] == [
        (1, "เชียงใหม่", months("0", "0", "800.00"), Decimal("800.00"))
    ]
    assert [line_of(line) for line in groups[1]["lines"]] == [
        (2, "เชียงราย", months("110.00", "0", "1760.25"), Decimal("1870.25"))
    ]
    assert groups[0]["subtotal"].total == Decimal("800.00")
    assert groups[1]["subtotal"].amounts == months("110.00", "0", "1760.25")
    total = response.context["total"]
    assert total.label == "รวมทั้งประเทศ"
    assert total.amounts == months("110.00", "0", "2560.25")
    assert total.total == Decimal("2670.25")
    html = response.content.decode()
    assert "เขตตรวจราชการ : กลุ่มจังหวัดภาคเหนือตอนบน 1" in html
    assert reverse("report-rt4", args=["57", FY]) in html


# Excel


def open_sheet(response, filename):
    assert response.status_code == 200
    assert f'filename="{filename}"' in response["Content-Disposition"]
    return load_workbook(BytesIO(response.content))["รต.4"]


def values(ws, row):
    """Return row's number, name and amounts, the amounts as Decimals."""
    cells = [ws.cell(row, column).value for column in range(1, 16)]
    return cells[0], cells[1], [Decimal(str(v)).quantize(Decimal("0.01")) for v in cells[2:]]


def assert_printable(ws, header_row):
    assert ws.freeze_panes == f"A{header_row + 1}"
    assert ws.print_title_rows == f"${header_row}:${header_row}"
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == 9
    assert ws.page_setup.fitToWidth == 1
    assert ws.sheet_properties.pageSetUpPr.fitToPage


def test_the_province_excel_file_is_the_form_cell_by_cell(client, officers, sales):
    client.force_login(officers["province"])
    ws = open_sheet(client.get(url(format="xlsx")), "rt4-57-2569.xlsx")

    assert ws["A1"].value == "รวมผลการจำหน่ายสินค้าหนึ่งตำบล หนึ่งผลิตภัณฑ์ รายอำเภอ ประจำปีงบประมาณ 2569"
    assert ws["A2"].value == "ระหว่างเดือน ตุลาคม 2568 - กันยายน 2569 (12 เดือน)"
    assert ws["A3"].value == "จังหวัดเชียงราย"
    assert ws["A4"].value == "รต.4"
    header = [ws.cell(5, column).value for column in range(1, 16)]
    assert header == ["ที่", "ชื่ออำเภอ", *[f"{m} (บาท)" for m in MONTHS], "รวม 12 เดือน (บาท)"]
    assert values(ws, 6) == (
        1,
        "เมืองเชียงราย",
        [*months("117.00", "200.50", "1375.40", "999.00"), Decimal("2691.90")],
    )
    assert values(ws, 7) == (2, "เวียงชัย", [*months("0", "0", "440.00"), Decimal("440.00")])
    assert values(ws, 8) == (
        None,
        "รวมจังหวัดเชียงราย",
        [*months("117.00", "200.50", "1815.40", "999.00"), Decimal("3131.90")],
    )
    for row in (6, 7, 8):
        for column in range(3, 16):
            assert ws.cell(row, column).number_format == "#,##0.00"
    assert isinstance(ws.cell(6, 3).value, (int, float))
    assert ws.cell(8, 3).font.b
    assert ws["A9"].value == NOTE
    assert "นับทุกรายการที่บันทึก" in ws["A10"].value
    footer = [ws.cell(row, c).value for row in range(11, ws.max_row + 1) for c in range(1, 16)]
    assert "ตำแหน่ง พัฒนาการจังหวัดเชียงราย" in footer
    assert_printable(ws, 5)


def test_the_nation_excel_file_has_clusters_and_subtotals(client, officers, sales):
    client.force_login(officers["department"])
    ws = open_sheet(client.get(url("all", format="xlsx")), "rt4-all-2569.xlsx")

    assert ws["A1"].value.endswith("รายจังหวัด ประจำปีงบประมาณ 2569")
    assert ws["A3"].value == "ทั้งประเทศ"
    assert ws.cell(5, 2).value == "ชื่อจังหวัด"
    assert ws["A6"].value == "เขตตรวจราชการ : กลุ่มจังหวัดภาคเหนือตอนบน 1"
    assert "A6:O6" in {str(cell_range) for cell_range in ws.merged_cells.ranges}
    assert values(ws, 7) == (1, "เชียงใหม่", [*months("0", "0", "800.00"), Decimal("800.00")])
    assert values(ws, 8) == (None, "รวม", [*months("0", "0", "800.00"), Decimal("800.00")])
    assert ws["A9"].value == "เขตตรวจราชการ : กลุ่มจังหวัดภาคเหนือตอนบน 2"
    assert values(ws, 10) == (
        2,
        "เชียงราย",
        [*months("110.00", "0", "1760.25"), Decimal("1870.25")],
    )
    assert values(ws, 12) == (
        None,
        "รวมทั้งประเทศ",
        [*months("110.00", "0", "2560.25"), Decimal("2670.25")],
    )
    assert ws.cell(12, 15).number_format == "#,##0.00"
    assert ws["A13"].value == NOTE
    assert "เฉพาะรายการที่จังหวัดยืนยันแล้ว" in ws["A14"].value
    assert_printable(ws, 5)


# Cost


def count_queries(client, path):
    cache.clear()  # the cost of building it; a cached workbook costs less (test_national_cache)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    ("who", "province"), [("province", "57"), ("department", "57"), ("department", "all")]
)
@pytest.mark.parametrize("fmt", ["html", "xlsx"])
def test_the_page_costs_the_same_queries_whatever_the_data(
    client, officers, sales, geography, django_assert_num_queries, who, province, fmt
):
    client.force_login(officers[who])
    path = url(province, format=fmt)
    client.get(path)  # warm the session
    small = count_queries(client, path)
    grow(geography)

    cache.clear()
    with django_assert_num_queries(small):
        client.get(path)
    # Session, user, officer, the province, its districts (or the provinces), the figures,
    # the office name in the navigation bar, and the bell's unread count.
    assert small <= 8


# Access


@pytest.mark.parametrize(
    ("who", "province", "status"),
    [
        ("province", "57", 200),
        ("province", "50", 404),
        ("other_province", "57", 404),
        ("other_province", "50", 200),
        # A district reads its own province's RT.4 (issue 10 point 9), no other province's.
        ("owner", "57", 200),
        ("neighbour", "57", 200),
        ("outsider", "57", 404),
        ("outsider", "50", 200),
        ("owner", "50", 404),
        ("department", "57", 200),
        ("department", "50", 200),
        ("department", "all", 200),
        ("province", "all", 404),
        ("other_province", "all", 404),
        ("owner", "all", 404),
    ],
)
def test_who_may_read_which_province(client, officers, who, province, status):
    client.force_login(officers[who])

    assert client.get(url(province)).status_code == status
    assert client.get(url(province, format="xlsx")).status_code == status


@pytest.mark.parametrize("province", ["57", "all"])
def test_anonymous_users_are_sent_to_sign_in(client, geography, province):
    response = client.get(url(province))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    "path",
    [
        url("5"),
        url("570"),
        url("5701"),
        url("99"),
        url("ALL"),
        url("57", fiscal_year=1999),
        url("57", fiscal_year=2701),
        url("all", fiscal_year=1999),
        url("57", format="pdf"),
        url("all", format="csv"),
        "/reports/rt4/57/2569x/",
    ],
)
def test_bad_provinces_years_and_formats_are_404(client, officers, path):
    client.force_login(officers["department"])

    assert client.get(path).status_code == 404


def test_a_bad_rows_choice_is_404(client, officers):
    client.force_login(officers["province"])

    assert client.get(url(rows="everything")).status_code == 404


def test_it_refuses_a_post(client, officers):
    client.force_login(officers["province"])

    assert client.post(url()).status_code == 405


def test_a_district_reads_its_provinces_rt4_with_links_it_may_follow(client, officers, sales):
    client.force_login(officers["owner"])
    response = client.get(url("57"))
    page = response.content.decode()
    assert response.context["total"].label == "รวมจังหวัดเชียงราย"
    assert "เวียงชัย" in page  # its neighbours, side by side, to check as the circular asks
    # Its RT.3 link is its own district's (the province's RT.3 is not its to read).
    assert response.context["rt3_url"].startswith("/reports/rt3/5701/")
    assert client.get(response.context["rt3_url"]).status_code == 200
    # Its reports menu offers it.
    assert 'href="/reports/rt4/57/' in client.get("/district/5701/").content.decode()
