"""The export detail report (แบบรายงานข้อมูลการจำหน่ายฯ ที่ส่งออกต่างประเทศ) of a province's month.

The circular (สิ่งที่ส่งมาด้วย ๕) asks each province for this form every month, and asks that
it agree with the export sales in the monthly rows. So the report checks its total against
the month's export sales of the province's districts, read from the running totals
(reports.MonthTotal) at the reader's level: the department counts only rows the province
has confirmed.

Who sees it: the province makes this report and the department receives it, so province
officers see their own province and the department every province. District officers are
outsiders to it, even in the province: province_for answers them 404 like any other area
they do not own.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth.decorators import login_required
from django.db.models import Sum
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET
from openpyxl.styles import Alignment

from otopdoc.access import fiscal_month_or_404, officer_of, province_for
from otopdoc.db.router import reads_from_replica
from otopdoc.fiscal import MAX_FISCAL_YEAR, MIN_FISCAL_YEAR
from reports.excel import ReportSheet, new_workbook, xlsx_response
from reports.models import MonthTotal
from reports.scope import LEVELS, counted_level
from sales.countries import country_name
from sales.models import ExportDetail, SalesChannel

ZERO = Decimal("0.00")
HUNDREDTH = Decimal("0.01")
TICK = "✓"
TITLE = "แบบรายงานข้อมูลการจำหน่ายผลิตภัณฑ์หนึ่งตำบล หนึ่งผลิตภัณฑ์ OTOP ที่ส่งออกต่างประเทศ"
CHANNELS = SalesChannel.values


@dataclass
class DistrictCheck:
    """One district's export sales in the system beside its producers' lines in the report."""

    code: str
    name: str
    in_system: Decimal = ZERO
    in_report: Decimal = ZERO

    @property
    def difference(self):
        """Return the report less the system: negative when the report is short."""
        return self.in_report - self.in_system


@dataclass
class ExportsReport:
    province: object
    fiscal_month: object
    lines: list
    districts: list

    @classmethod
    def build(cls, province, fiscal_month, level):
        """Read the month's lines and its export sales per district: two queries.

        Steps:
        1. Load the province's lines of the month with their producers and districts.
        2. Sum the month's export sales of the province's districts at the reader's level,
           from the running totals, one figure per district.
        3. Put each line's value beside its producer's district.
        """
        lines = list(
            ExportDetail.objects.filter(
                province=province, fiscal_year=fiscal_month.fiscal_year, month=fiscal_month.month
            )
            .select_related("producer__district")
            .order_by("id")
        )
        districts = {}
        sums = (
            MonthTotal.objects.filter(
                province=province, fiscal_year=fiscal_month.fiscal_year, month=fiscal_month.month
            )
            .values("district_id", "district__name_th")
            .annotate(export=Sum(f"{level.prefix}export"))
            .order_by()
        )
        for row in sums:
            districts[row["district_id"]] = DistrictCheck(
                row["district_id"],
                row["district__name_th"],
                in_system=(row["export"] or ZERO).quantize(HUNDREDTH, rounding=ROUND_HALF_UP),
            )
        for line in lines:
            district = line.producer.district
            check = districts.setdefault(
                district.code, DistrictCheck(district.code, district.name_th)
            )
            check.in_report += line.value
            line.country_th = country_name(line.country)
            line.ticks = [line.channel == channel for channel in CHANNELS]
        # A district with neither sales abroad nor a line has nothing to check.
        shown = [d for d in districts.values() if d.in_system or d.in_report]
        return cls(province, fiscal_month, lines, sorted(shown, key=lambda d: d.code))

    @property
    def total(self):
        return sum((line.value for line in self.lines), ZERO)

    @property
    def channel_counts(self):
        """Return how many lines went through each channel, in the form's column order."""
        return [sum(1 for line in self.lines if line.channel == c) for c in CHANNELS]

    @property
    def in_system(self):
        return sum((d.in_system for d in self.districts), ZERO)

    @property
    def difference(self):
        """Return the report's total less the system's: negative when the report is short."""
        return self.total - self.in_system

    @property
    def agrees(self):
        return self.difference == 0

    @property
    def verdict(self):
        """Say in Thai whether the report agrees with the monthly rows, and by how much."""
        if self.agrees:
            return "ตรงกับยอดจำหน่ายต่างประเทศในระบบ"
        gap = f"{abs(self.difference):,.2f}"
        if self.difference < 0:
            return f"ไม่ตรงกัน: แบบรายงานน้อยกว่ายอดจำหน่ายต่างประเทศในระบบ {gap} บาท"
        return f"ไม่ตรงกัน: แบบรายงานมากกว่ายอดจำหน่ายต่างประเทศในระบบ {gap} บาท"


@login_required
@require_GET
@reads_from_replica
def exports_report(request, province, fiscal_year, month):
    """Show a province's export lines of a month, checked against the monthly rows, or its .xlsx."""
    province = province_for(request.user, province)
    fiscal_month = fiscal_month_or_404(fiscal_year, month)
    output = request.GET.get("format", "html")
    if output not in ("html", "xlsx"):
        raise Http404("ไม่มีรูปแบบนี้")
    officer = officer_of(request.user)
    level = counted_level(request, officer)
    report = ExportsReport.build(province, fiscal_month, level)
    if output == "xlsx":
        return _xlsx(report, level)

    query = request.GET.copy()
    query["format"] = "xlsx"
    return render(
        request,
        "reports/exports.html",
        {
            "report": report,
            "province": province,
            "fiscal_month": fiscal_month,
            "counted": level,
            "levels": LEVELS.values() if not officer.is_department else (),
            "channels": SalesChannel.labels,
            "xlsx_url": f"{request.path}?{query.urlencode()}",
            "entry_url": reverse(
                "sales-exports", args=[province.code, fiscal_month.fiscal_year, fiscal_month.month]
            ),
            "previous": _within_range(fiscal_month.previous),
            "next": _within_range(fiscal_month.next),
        },
    )


def _within_range(fiscal_month):
    if MIN_FISCAL_YEAR <= fiscal_month.fiscal_year <= MAX_FISCAL_YEAR:
        return fiscal_month
    return None


def _xlsx(report, level):
    """Write the paper form with the check's totals and the signature; then, on a second
    sheet, the check district by district."""
    province, fiscal_month = report.province, report.fiscal_month
    workbook = new_workbook()
    sheet = ReportSheet(workbook, "ส่งออกต่างประเทศ", widths=[6, 34, 26, 18, 20, 28, 13, 13, 13])
    sheet.title(
        TITLE,
        f"ประจำปีงบประมาณ พ.ศ. {fiscal_month.fiscal_year}",
        f"จังหวัด{province.name_th}  ประจำเดือน{fiscal_month.label}",
    )
    sheet.header(
        [
            "ที่",
            "ชื่อผู้ผลิต ผู้ประกอบการ OTOP",
            "ผลิตภัณฑ์",
            "มูลค่าการส่งออก (บาท)",
            "ประเทศที่ส่งออก",
            "หน่วยงานสนับสนุน",
            "ช่องทางการจำหน่าย",
            None,
            None,
        ],
        [None] * 6 + list(SalesChannel.labels),
    )
    first, last = sheet.header_rows
    for column in "ABCDEF":
        sheet.merge(f"{column}{first}:{column}{last}")
    sheet.merge(f"G{first}:I{first}")
    centre = Alignment(horizontal="center", vertical="top")
    aligns = [centre] + [None] * 5 + [centre] * 3
    for number, line in enumerate(report.lines, start=1):
        ticks = [TICK if tick else None for tick in line.ticks]
        sheet.row(
            [number, line.producer.name, line.product, line.value, line.country_th, line.agency]
            + ticks,
            aligns=aligns,
        )
    blank = [None] * 5
    sheet.row(
        [None, f"รวม {len(report.lines)} รายการ", None, report.total, None, None]
        + report.channel_counts,
        total=True,
        aligns=aligns,
    )
    # The check against the monthly rows, in the value column under the form's total.
    sheet.row([None, "ยอดจำหน่ายต่างประเทศในระบบ", None, report.in_system] + blank)
    sheet.row([None, "ผลต่าง (แบบรายงาน − ระบบ)", None, report.difference] + blank, total=True)
    sheet.note(report.verdict)
    sheet.note(f"ยอดในระบบนับ{level.label} ของทุกอำเภอในจังหวัด (แยกตามอำเภอในแผ่นงานถัดไป)")
    # The last line, the total, the check and the notes go over with the signature together.
    sheet.signature(position=f"พัฒนาการจังหวัด{province.name_th}", dots=False, keep=6)

    check = ReportSheet(workbook, "ตรวจสอบรายอำเภอ", widths=[26, 20, 20, 20, 16], landscape=False)
    check.title(
        "ตรวจสอบแบบรายงานกับยอดจำหน่ายต่างประเทศในระบบ แยกตามอำเภอ",
        f"จังหวัด{province.name_th}  ประจำเดือน{fiscal_month.label}",
        f"ยอดในระบบนับ{level.label}",
    )
    check.header(["อำเภอ", "ยอดในระบบ (บาท)", "ในแบบรายงาน (บาท)", "ผลต่าง (บาท)", "ผลการตรวจสอบ"])
    for district in report.districts:
        check.row(
            [
                district.name,
                district.in_system,
                district.in_report,
                district.difference,
                "ไม่ตรงกัน" if district.difference else "ตรงกัน",
            ]
        )
    check.row(
        [
            "รวมทั้งจังหวัด",
            report.in_system,
            report.total,
            report.difference,
            "ตรงกัน" if report.agrees else "ไม่ตรงกัน",
        ],
        total=True,
    )
    return xlsx_response(
        workbook,
        f"exports-{province.code}-{fiscal_month.fiscal_year}-{fiscal_month.month}.xlsx",
    )
