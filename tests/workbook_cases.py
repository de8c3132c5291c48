"""Every workbook the project writes, the officers who may download it, and data to fill it.

Shared by the formula-injection test (openpyxl) and the rendering test (LibreOffice): the
data holds texts that a spreadsheet would take for formulas, and figures of national size
(a province's base of 13,042,038,419 baht, months past a billion baht).
"""

import csv
import datetime
from decimal import Decimal

from django.conf import settings

from otopdoc.fiscal import BANGKOK
from reports.models import MonthTotal, Target
from reports.totals import refresh_month
from sales.models import (
    Cluster,
    District,
    Estimate,
    EstimateMonth,
    ExportDetail,
    MonthlySale,
    Producer,
    ProducerType,
    ProductType,
    Province,
    SalesChannel,
)

FY, MONTH = 2570, 10
# 15 October 2569 (2026), 10:00 in Bangkok: October of FY 2570 is open for entry.
NOW = datetime.datetime(2026, 10, 15, 10, 0, tzinfo=BANGKOK)
STAMP = datetime.datetime(2026, 10, 14, 9, 0, tzinfo=BANGKOK)
# What officers typed that a spreadsheet would read as a formula, an error or a DDE call.
HOSTILE = [
    '=HYPERLINK("http://evil.example/","คลิกที่นี่")',
    "+66 กลุ่มทอผ้าบ้านดอย",
    "-กลุ่มจักสานไม้ไผ่-",
    "@SUM(1+1)",
    "=1+1",
    "#N/A",
]
LONG_NAME = (
    "วิสาหกิจชุมชนกลุ่มแม่บ้านเกษตรกรบ้านสันทรายหลวงพัฒนาผลิตภัณฑ์ผ้าทอมือย้อมสีธรรมชาติและเครื่องจักสานไม้ไผ่เพื่อการส่งออก"
)
AGENCY = "=cmd|' /C calc'!A0"
PRODUCT = "+ผ้าไหมมัดหมี่"
REASON = "=ยอดไม่ตรงกับใบเสร็จ"
CERTIFIER = "-นายสมชาย ใจดี"
POSITION = "@พัฒนาการอำเภอเมืองเชียงราย"
SOURCE = "=ฐานจากกรมฯ"
# National-sized figures.
BIG_DOMESTIC = Decimal("1234567890.12")
BIG_EXPORT = Decimal("987654321.98")
CHIANG_MAI_BASE = Decimal("13042038419.00")
CHIANG_RAI_BASE = Decimal("9876543210.55")

D, P, N = "5701", "57", "all"
WORKBOOKS = {
    # name: (url, the officers who may download it, the typed texts it shows)
    "rt1": (f"/reports/rt1/{D}/{FY}/{MONTH}/?format=xlsx", "owner colleague province department"),
    "rt2": (f"/reports/rt2/{D}/{FY}/{MONTH}/?format=xlsx", "owner colleague province department"),
    "rt3-district": (f"/reports/rt3/{D}/{FY}/{MONTH}/?format=xlsx", "owner province department"),
    "rt3-province": (f"/reports/rt3/{P}/{FY}/{MONTH}/?format=xlsx", "province department"),
    "rt3-nation": (f"/reports/rt3/{N}/{FY}/{MONTH}/?format=xlsx", "department"),
    "rt4-province": (f"/reports/rt4/{P}/{FY}/?format=xlsx", "owner colleague province department"),
    "rt4-nation": (f"/reports/rt4/all/{FY}/?format=xlsx", "department"),
    "kpi": (f"/reports/kpi/{FY}/?format=xlsx", "province department"),
    "estimate": (f"/reports/estimate/{D}/{FY}/?format=xlsx", "owner province department"),
    "estimate-form": (
        f"/reports/estimate/{D}/{FY}/form/?format=xlsx",
        "owner colleague province department",
    ),
    "exports": (f"/reports/exports/{P}/{FY}/{MONTH}/?format=xlsx", "province department"),
    "template": (f"/sales/{D}/{FY}/{MONTH}/import/template.xlsx", "owner province department"),
}
# The texts typed by officers that each workbook shows to every reader of it.
TYPED = {
    "rt1": [*HOSTILE, LONG_NAME],
    "rt2": [*HOSTILE, LONG_NAME],
    "estimate": [CERTIFIER, POSITION],
    "estimate-form": [CERTIFIER, POSITION],
    "exports": [HOSTILE[0], PRODUCT, AGENCY],
    "kpi": [SOURCE],
    "template": [*HOSTILE, LONG_NAME],
}


def cases():
    """Return (workbook name, url, officer key) for every workbook and every reader of it."""
    return [
        (name, url, who) for name, (url, readers) in WORKBOOKS.items() for who in readers.split()
    ]


def make_data(geography, officers):
    """Fill district 5701, province 57 and the nation with hostile texts and big figures.

    Every row is province-confirmed, so every reader counts it; one more row, sent back
    with a hostile reason, shows to the district and province only.
    """
    province_officer = officers["province"]
    district = geography["mueang_cr"]
    producers = [
        Producer.objects.create(name=name, district=district, producer_type=kind)
        for name, kind in zip(
            [*HOSTILE, LONG_NAME],
            [ProducerType.COMMUNITY_GROUP, ProducerType.SINGLE_OWNER, ProducerType.SME] * 3,
            strict=False,
        )
    ]
    kinds = list(ProductType.values)
    for number, producer in enumerate(producers):
        for month in (10, 11, 12):
            MonthlySale.objects.create(
                producer=producer,
                district=district,
                product_type=kinds[number % len(kinds)],
                fiscal_year=FY,
                month=month,
                domestic=BIG_DOMESTIC,
                export=BIG_EXPORT,
                district_confirmed_at=STAMP,
                district_confirmed_by=province_officer,
                province_confirmed_at=STAMP,
                province_confirmed_by=province_officer,
            )
    MonthlySale.objects.create(
        producer=producers[0],
        district=district,
        product_type=kinds[-1],
        fiscal_year=FY,
        month=MONTH,
        domestic=Decimal("1.00"),
        export=Decimal("0.00"),
        returned_at=STAMP,
        returned_by=province_officer,
        returned_reason=REASON,
    )
    for month in (10, 11, 12):
        refresh_month(district, FY, month)
    estimate = Estimate.objects.create(
        district=district, fiscal_year=FY, certifier_name=CERTIFIER, certifier_position=POSITION
    )
    EstimateMonth.objects.bulk_create(
        EstimateMonth(estimate=estimate, month=m, domestic=BIG_DOMESTIC, export=BIG_EXPORT)
        for m in range(1, 13)
    )
    ExportDetail.objects.create(
        province=geography["chiang_rai"],
        fiscal_year=FY,
        month=MONTH,
        producer=producers[0],
        product=PRODUCT,
        value=BIG_EXPORT,
        country="JPN",
        agency=AGENCY,
        channel=SalesChannel.values[0],
    )
    Target.objects.create(
        province=geography["chiang_mai"], fiscal_year=FY, base=CHIANG_MAI_BASE, source=SOURCE
    )
    Target.objects.create(
        province=geography["chiang_rai"], fiscal_year=FY, base=CHIANG_RAI_BASE, source=SOURCE
    )
    return producers


def make_nation(geography):
    """Add the other 74 provinces in their 18 clusters, with a year of national-sized sales.

    Each province gets one district whose running totals hold a year of province-confirmed
    sales: a twelfth of its base a month plus a tenth (เชียงใหม่ passes a billion baht a
    month), and a loaded base: the seed's where it has one, else a made-up billion or two.
    """
    seed = {}
    with open(settings.BASE_DIR / "fixtures" / "kpi_fy2562_seed.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            seed[row["province_code"]] = Decimal(row["base_fy2561"])
    seed["50"], seed["57"] = CHIANG_MAI_BASE, CHIANG_RAI_BASE
    clusters = {c.region: c for c in Cluster.objects.all()}
    districts = {"50": geography["mueang_cm"]}
    with open(settings.BASE_DIR / "fixtures" / "province_clusters.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        region, code = int(row["region"]), row["province_code"]
        if region not in clusters:
            clusters[region] = Cluster.objects.create(region=region, name_th=row["cluster_th"])
        if code in ("50", "57"):
            continue
        province = Province.objects.create(
            code=code,
            name_th=row["province_th"],
            name_en=row["province_en"],
            cluster=clusters[region],
        )
        districts[code] = District.objects.create(
            code=f"{code}01",
            province=province,
            name_th=f"เมือง{row['province_th']}",
            name_en="Mueang",
        )
        base = seed.get(code, Decimal(1_000_000_000) + int(code) * Decimal("37000001.37"))
        Target.objects.create(province=province, fiscal_year=FY, base=base, source="ฐานปี 2569")
    totals = []
    for code, district in districts.items():
        base = seed.get(code, Decimal(1_000_000_000) + int(code) * Decimal("37000001.37"))
        monthly = (base * Decimal("1.1") / 12).quantize(Decimal("0.01"))
        domestic, export = (monthly * 9 / 10).quantize(Decimal("0.01")), monthly / 10
        export = export.quantize(Decimal("0.01"))
        for month in range(1, 13):
            amounts = {"domestic": domestic, "export": export, "rows": 1200}
            totals.append(
                MonthTotal(
                    district=district,
                    province_id=code,
                    fiscal_year=FY,
                    month=month,
                    product_type="food",
                    **amounts,
                    **{f"district_{k}": v for k, v in amounts.items()},
                    **{f"province_{k}": v for k, v in amounts.items()},
                )
            )
    MonthTotal.objects.bulk_create(totals)


def make_long_lists(geography, officers, count=40):
    """Add `count` more producers to 5701's month and to 57's export lines: several pages."""
    district = geography["mueang_cr"]
    by = officers["province"]
    for number in range(count):
        producer = Producer.objects.create(
            name=f"กลุ่มผู้ผลิตบ้านหนองบัว หมู่ที่ {number + 1}",
            district=district,
            producer_type=ProducerType.COMMUNITY_GROUP,
        )
        MonthlySale.objects.create(
            producer=producer,
            district=district,
            product_type=ProductType.values[number % 5],
            fiscal_year=FY,
            month=MONTH,
            domestic=Decimal("23456789.01") + number,
            export=Decimal("1234567.89"),
            district_confirmed_at=STAMP,
            district_confirmed_by=by,
            province_confirmed_at=STAMP,
            province_confirmed_by=by,
        )
        ExportDetail.objects.create(
            province=geography["chiang_rai"],
            fiscal_year=FY,
            month=MONTH,
            producer=producer,
            product="ผ้าทอมือย้อมสีธรรมชาติ",
            value=Decimal("1234567.89"),
            country="JPN",
            agency="สำนักงานพัฒนาชุมชนจังหวัดเชียงราย",
            channel=SalesChannel.values[number % 3],
        )
    refresh_month(district, FY, MONTH)
