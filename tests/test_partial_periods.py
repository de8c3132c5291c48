"""Issue 10 point 10: partial periods read as partial.

Months still to come are blank, not shortfalls (estimate against actual, RT.4, the KPI
chart), and the KPI's growth compares the year to date with the same months of the base
year where those are known, else says "ยังไม่ครบปี" (it read -99 % in November).
"""

import datetime
from decimal import Decimal
from io import BytesIO

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from otopdoc.fiscal import BANGKOK
from reports.kpi import kpi_table
from reports.totals import rebuild
from sales.models import Estimate, EstimateMonth
from tests.test_kpi import FY, make_producer, province_rows, sale
from tests.test_kpi import case as case  # noqa: F401 (the fixture)

# 20 November 2569: FY 2570 has begun its ตุลาคม and พฤศจิกายน only.
NOVEMBER = datetime.datetime(2026, 11, 20, 10, 0, tzinfo=BANGKOK)


@pytest.fixture
def november(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOVEMBER)


# -- the KPI -------------------------------------------------------------------------------


def test_growth_of_a_whole_year_is_against_the_whole_base(case, geography, producer):
    """With September in, the year is whole: (actual - base) / base."""
    sale(producer, 9, "100000.00")
    rebuild()
    chiang_rai = {row.province.code: row for row in kpi_table(FY).rows}["57"]
    assert not chiang_rai.partial
    assert chiang_rai.actual == Decimal("1250050.00")
    assert chiang_rai.growth == Decimal("25.01")  # 250,050 / 1,000,000
    assert not chiang_rai.growth_pending


def test_growth_during_the_year_is_against_the_same_months_of_the_base_year(
    case, client, officers, geography, producer
):
    """เชียงราย sold 1,000,000 in ตุลาคม-พฤศจิกายน of FY 2567, and 1,150,050 now: +15.01 %."""
    sale(producer, 10, "400000.00", fiscal_year=FY - 1)
    sale(producer, 11, "600000.00", fiscal_year=FY - 1)
    sale(producer, 12, "5000000.00", fiscal_year=FY - 1)  # a month not yet reached this year
    rebuild()
    table = kpi_table(FY)
    chiang_rai = {row.province.code: row for row in table.rows}["57"]
    assert chiang_rai.partial and chiang_rai.prior == Decimal("1000000.00")
    assert chiang_rai.growth == Decimal("15.01")
    # The cluster of เชียงราย alone has its prior; the nation's includes เชียงใหม่'s unknown.
    (north2,) = [b for b in table.clusters if b.cluster.region == 16]
    assert north2.total.growth == Decimal("15.01")
    assert table.total.growth is None and table.total.growth_pending

    client.force_login(officers["department"])
    response = client.get(f"/reports/kpi/{FY}/")
    rows = province_rows(response)
    assert rows["57"][10] == "15.01"
    assert rows["50"][10] == "ยังไม่ครบปี"
    assert "ยอดจำหน่ายเดือนเดียวกันของปี 2567" in response.content.decode()
    sheet = load_workbook(BytesIO(client.get(f"/reports/kpi/{FY}/?format=xlsx").content)).active
    growths = [row[10] for row in sheet.iter_rows(values_only=True) if row[1] == "เชียงราย"]
    assert growths == [15.01]


def test_a_month_of_the_base_year_missing_leaves_growth_pending(case, geography, producer):
    sale(producer, 11, "600000.00", fiscal_year=FY - 1)  # ตุลาคม 2566 never entered
    rebuild()
    chiang_rai = {row.province.code: row for row in kpi_table(FY).rows}["57"]
    assert chiang_rai.prior is None and chiang_rai.growth is None and chiang_rai.growth_pending


def test_the_kpi_chart_leaves_months_to_come_blank(case, client, officers):
    client.force_login(officers["department"])
    chart = client.get(f"/reports/kpi/{FY}/").context["chart"]
    chiang_rai = next(p for p in chart["provinces"] if p["code"] == "57")
    assert chiang_rai["cumulative"][:2] == [700000, 1150050]
    assert chiang_rai["cumulative"][2:] == [None] * 10


# -- RT.4 ----------------------------------------------------------------------------------


def test_rt4_leaves_months_to_come_blank(november, client, officers, geography):
    producer = make_producer(geography["mueang_cr"], "กลุ่มทอผ้า")
    sale(producer, 10, "1000.00", fiscal_year=2570)
    rebuild()
    client.force_login(officers["province"])
    response = client.get("/reports/rt4/57/2570/")
    lines = response.context["groups"][0]["lines"]
    mueang = lines[0]
    assert mueang.amounts[:2] == [Decimal("1000.00"), Decimal("0.00")]
    assert mueang.amounts[2:] == [None] * 10  # ธันวาคม onwards: not yet, not a shortfall
    assert mueang.total == Decimal("1000.00")
    assert response.context["total"].amounts[2:] == [None] * 10
    html = response.content.decode()
    total_row = html[html.index('id="rt4-total"') :].split("</tr>")[0]
    assert total_row.count('<td class="num"></td>') == 10
    assert total_row.count(">0.00</td>") == 1  # พฤศจิกายน has begun and sold nothing

    sheet = load_workbook(BytesIO(client.get("/reports/rt4/57/2570/?format=xlsx").content)).active
    (row,) = [r for r in sheet.iter_rows(values_only=True) if r[1] == "เมืองเชียงราย"]
    assert list(row[2:4]) == [1000, 0] and list(row[4:14]) == [None] * 10

    client.force_login(officers["department"])
    nation = client.get("/reports/rt4/all/2570/").context
    assert nation["total"].amounts[2:] == [None] * 10
    assert all(g["subtotal"].amounts[2:] == [None] * 10 for g in nation["groups"])


# -- the estimate against actual -----------------------------------------------------------


def test_the_estimate_report_shows_no_shortfall_for_months_to_come(
    november, client, officers, geography
):
    district = geography["mueang_cr"]
    estimate = Estimate.objects.create(
        district=district, fiscal_year=2570, certifier_name="นายสมชาย", updated_by=officers["owner"]
    )
    EstimateMonth.objects.bulk_create(
        EstimateMonth(estimate=estimate, month=m, domestic=Decimal("1000.00"), export=Decimal(0))
        for m in (10, 11, 12, 1, 2, 3, 4, 5, 6, 7, 8, 9)
    )
    producer = make_producer(district, "กลุ่มทอผ้า")
    sale(producer, 10, "1500.00", fiscal_year=2570)
    rebuild()
    client.force_login(officers["owner"])
    response = client.get("/reports/estimate/5701/2570/")
    report = response.context["report"]
    october, november, december = report.months[:3]
    assert october.difference == Decimal("500.00")
    assert november.difference == Decimal("-1000.00")  # begun and short: a real shortfall
    assert december.actual_total is None and december.difference is None
    assert december.achieved is None
    # The year's total waits for the year; the months so far are set side by side.
    assert report.total.partial and report.total.difference is None
    assert report.total.estimated_total == Decimal("12000.00")
    assert report.to_date.label == "รวม ตุลาคม 2569 – พฤศจิกายน 2569"
    assert report.to_date.estimated_total == Decimal("2000.00")
    assert report.to_date.actual_total == Decimal("1500.00")
    assert report.to_date.difference == Decimal("-500.00")
    assert report.to_date.achieved == Decimal("75.00")
    html = response.content.decode()
    assert html.count("ยังไม่ถึงเดือน") == 10
    assert "-10,500.00" not in html  # the year's estimate less two months: no shortfall

    sheet = load_workbook(
        BytesIO(client.get("/reports/estimate/5701/2570/?format=xlsx").content)
    ).active
    values = {row[0]: row for row in sheet.iter_rows(values_only=True) if row and row[0]}
    assert values["ธันวาคม 2569"][4:9] == (None, None, None, None, None)
    assert values["รวม ตุลาคม 2569 – พฤศจิกายน 2569"][7] == -500
    assert values["รวมทั้งสิ้น"][7] is None


def test_a_whole_year_has_no_to_date_line(client, officers, geography):
    """FY 2568 is over by now: every month compared, and the year's total too."""
    district = geography["mueang_cr"]
    Estimate.objects.create(
        district=district, fiscal_year=2568, certifier_name="นาย ก", updated_by=officers["owner"]
    )
    client.force_login(officers["owner"])
    report = client.get("/reports/estimate/5701/2568/").context["report"]
    assert report.to_date is None and not report.total.partial
    assert report.total.difference == Decimal("0.00")
