"""The estimate report (แบบประมาณการรายได้) beside what the district actually sold.

The paper form of the circular (สิ่งที่ส่งมาด้วย ๓) lists twelve months of estimated domestic
and export sales; this report adds, month by month, the sales the district entered, the
difference and the percent of the estimate achieved, so the province can follow the year.
Actual sales come from the running totals (reports.MonthTotal) at the reader's level: the
department counts only rows the province has confirmed.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth.decorators import login_required
from django.db.models import Sum
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from otopdoc.access import district_for, officer_of
from otopdoc.db.router import reads_from_replica
from otopdoc.fiscal import MAX_FISCAL_YEAR, MIN_FISCAL_YEAR, fiscal_months
from reports.excel import BAHT, PERCENT, ReportSheet, new_workbook, xlsx_response
from reports.models import MonthTotal
from reports.scope import LEVELS, counted_level
from sales.models import Estimate, EstimateMonth

ZERO = Decimal("0.00")
HUNDREDTH = Decimal("0.01")
TITLE = "แบบประมาณการรายได้จากการจำหน่ายผลิตภัณฑ์หนึ่งตำบล หนึ่งผลิตภัณฑ์"
# The remark of a month without a row counted at the reader's level.
EMPTY_MONTH = {
    "all": "ยังไม่มียอดจำหน่าย",
    "district": "ยังไม่มีรายการที่อำเภอยืนยัน",
    "province": "ยังไม่มีรายการที่จังหวัดยืนยัน",
}
NO_ESTIMATE = "อำเภอนี้ยังไม่ได้บันทึกแบบประมาณการรายได้ของปีงบประมาณนี้ จึงแสดงเฉพาะยอดจำหน่ายจริง"


def percent_of(part, whole):
    """Return part as a percent of whole to two places, half up; None when whole is zero."""
    if not whole:
        return None
    return (part * 100 / whole).quantize(HUNDREDTH, rounding=ROUND_HALF_UP)


@dataclass
class EstimateLine:
    """One month (or the year's total) of the report: estimated and actual sales."""

    label: str
    estimated_domestic: Decimal | None
    estimated_export: Decimal | None
    # None for a month still to come: it has no sales yet, and is no shortfall.
    actual_domestic: Decimal | None
    actual_export: Decimal | None
    actual_rows: int
    remark: str = ""
    # A year's total while months are still to come: its difference would be no shortfall.
    partial: bool = False

    @property
    def estimated_total(self):
        if self.estimated_domestic is None:
            return None
        return self.estimated_domestic + self.estimated_export

    @property
    def actual_total(self):
        if self.actual_domestic is None:
            return None
        return self.actual_domestic + self.actual_export

    @property
    def compared(self):
        """Tell whether actual and estimate can be set side by side (not a month to come)."""
        return not (self.estimated_total is None or self.actual_total is None or self.partial)

    @property
    def difference(self):
        """Return actual less estimated: negative while the district is short of its estimate."""
        if not self.compared:
            return None
        return self.actual_total - self.estimated_total

    @property
    def achieved(self):
        """Return the percent of the estimate achieved, or None when nothing was estimated."""
        if not self.compared:
            return None
        return percent_of(self.actual_total, self.estimated_total)


@dataclass
class EstimateReport:
    district: object
    fiscal_year: int
    estimate: Estimate | None
    months: list
    total: EstimateLine
    # While months are still to come: the months begun so far, estimate against actual.
    to_date: EstimateLine | None = None

    @classmethod
    def build(cls, district, fiscal_year, level):
        """Read the estimate, its months and the year's actual sales: three queries.

        Steps:
        1. Load the district's estimate of the year, if it was saved.
        2. Load its months; a month it does not hold counts as 0, as on the entry form.
        3. Sum the district's running totals by month at the reader's level.
        4. Lay the twelve months out ตุลาคม first, with the year's total.
        """
        estimate = Estimate.objects.filter(district=district, fiscal_year=fiscal_year).first()
        estimated = {}
        if estimate is not None:
            estimated = {m.month: m for m in EstimateMonth.objects.filter(estimate=estimate)}
        actual = {
            row["month"]: row
            for row in MonthTotal.objects.filter(district=district, fiscal_year=fiscal_year)
            .values("month")
            .annotate(
                domestic=Sum(f"{level.prefix}domestic"),
                export=Sum(f"{level.prefix}export"),
                rows=Sum(f"{level.prefix}rows"),
            )
            .order_by()
        }
        months, begun = [], []
        for fiscal_month in fiscal_months(fiscal_year):
            saved = estimated.get(fiscal_month.month)
            sold = actual.get(fiscal_month.month, {})
            started = fiscal_month.has_started() or bool(sold)
            months.append(
                EstimateLine(
                    label=fiscal_month.label,
                    estimated_domestic=_estimated(estimate, saved, "domestic"),
                    estimated_export=_estimated(estimate, saved, "export"),
                    actual_domestic=_money(sold.get("domestic")) if started else None,
                    actual_export=_money(sold.get("export")) if started else None,
                    actual_rows=sold.get("rows") or 0,
                    remark=_remark(fiscal_month, sold, level),
                )
            )
            if started:
                begun.append(fiscal_month)
        total = _total("รวมทั้งสิ้น", months, estimate)
        total.partial = len(begun) < len(months)
        to_date = None
        if total.partial and begun:
            to_date = _total(
                f"รวม {months[0].label} – {begun[-1].label}", months[: len(begun)], estimate
            )
        return cls(district, fiscal_year, estimate, months, total, to_date)

    @property
    def signer_position(self):
        """Return the certifier's position, or the officer the circular names to certify."""
        if self.estimate is not None and self.estimate.certifier_position:
            return self.estimate.certifier_position
        return f"พัฒนาการอำเภอ{self.district.name_th}"

    @property
    def signer_name(self):
        return self.estimate.certifier_name if self.estimate is not None else ""


def _remark(fiscal_month, sold, level):
    """Say why a month that has begun has nothing counted; months to come say nothing."""
    if sold.get("rows") or not fiscal_month.has_started():
        return ""
    return EMPTY_MONTH[level.key]


def _money(value):
    """Return a sum as baht and satang (SQLite hands back sums with extra places)."""
    return (value or ZERO).quantize(HUNDREDTH, rounding=ROUND_HALF_UP)


def _estimated(estimate, month, field):
    if estimate is None:
        return None
    return getattr(month, field) if month is not None else ZERO


def _sum(lines, field, estimate=True):
    if estimate is None:
        return None
    return sum((getattr(line, field) for line in lines if getattr(line, field) is not None), ZERO)


def _total(label, lines, estimate):
    """Return the line adding up `lines`: estimated (if saved) and actual sales."""
    return EstimateLine(
        label=label,
        estimated_domestic=_sum(lines, "estimated_domestic", estimate),
        estimated_export=_sum(lines, "estimated_export", estimate),
        actual_domestic=_sum(lines, "actual_domestic"),
        actual_export=_sum(lines, "actual_export"),
        actual_rows=sum(line.actual_rows for line in lines),
    )


@login_required
@require_GET
@reads_from_replica
def estimate_report(request, district, fiscal_year):
    """Show a district's estimate of a fiscal year beside its actual sales, or its .xlsx.

    District officers see their district, province officers their province's districts,
    the department every district (district_for: 404 to anyone else).
    """
    district = district_for(request.user, district)
    if not MIN_FISCAL_YEAR <= fiscal_year <= MAX_FISCAL_YEAR:
        raise Http404("ไม่มีปีงบประมาณนี้")
    output = request.GET.get("format", "html")
    if output not in ("html", "xlsx"):
        raise Http404("ไม่มีรูปแบบนี้")
    officer = officer_of(request.user)
    level = counted_level(request, officer)
    report = EstimateReport.build(district, fiscal_year, level)
    if output == "xlsx":
        return _xlsx(report, level)

    query = request.GET.copy()
    query["format"] = "xlsx"
    return render(
        request,
        "reports/estimate.html",
        {
            "report": report,
            "district": district,
            "fiscal_year": fiscal_year,
            "counted": level,
            "levels": LEVELS.values() if not officer.is_department else (),
            "xlsx_url": f"{request.path}?{query.urlencode()}",
            "no_estimate": NO_ESTIMATE,
            "entry_url": reverse("sales-estimate", args=[district.code, fiscal_year]),
            "previous_year": fiscal_year - 1 if fiscal_year > MIN_FISCAL_YEAR else None,
            "next_year": fiscal_year + 1 if fiscal_year < MAX_FISCAL_YEAR else None,
        },
    )


def _xlsx(report, level):
    """Write the report as the paper form: title, two header rows, months, total, signature."""
    district = report.district
    workbook = new_workbook()
    sheet = ReportSheet(workbook, "ประมาณการรายได้", widths=[20, 17, 17, 17, 17, 17, 17, 17, 11, 26])
    sheet.title(
        TITLE,
        f"ปีงบประมาณ พ.ศ. {report.fiscal_year}",
        f"อำเภอ{district.name_th} จังหวัด{district.province.name_th}",
    )
    sheet.header(
        [
            "เดือน",
            "ประมาณการรายได้จากการจำหน่ายผลิตภัณฑ์ OTOP",
            None,
            None,
            f"ยอดจำหน่ายจริง ({level.label})",
            None,
            None,
            "ผลต่าง จริง - ประมาณการ (บาท)",
            "ร้อยละที่ทำได้",
            "หมายเหตุ",
        ],
        [
            None,
            "ภายในประเทศ (บาท)",
            "ส่งออกต่างประเทศ (บาท)",
            "รวมทั้งสิ้น (บาท)",
            "ภายในประเทศ (บาท)",
            "ส่งออกต่างประเทศ (บาท)",
            "รวมทั้งสิ้น (บาท)",
            None,
            None,
            None,
        ],
    )
    first, last = sheet.header_rows
    for column in "AHIJ":
        sheet.merge(f"{column}{first}:{column}{last}")
    sheet.merge(f"B{first}:D{first}")
    sheet.merge(f"E{first}:G{first}")
    formats = [None] * 8 + [PERCENT, None]
    for line in report.months:
        sheet.row(_cells(line), formats=formats)
    if report.to_date is not None:
        sheet.row(_cells(report.to_date), total=True, formats=formats)
    sheet.row(_cells(report.total), total=True, formats=formats)
    if report.estimate is None:
        sheet.note(NO_ESTIMATE)
    sheet.note(f"ยอดจำหน่ายจริงนับ{level.label} จากข้อมูลในระบบ")
    sheet.signature(position=report.signer_position, name=report.signer_name, dots=False)
    return xlsx_response(workbook, f"estimate-{district.code}-{report.fiscal_year}.xlsx")


def _cells(line):
    return [
        line.label,
        line.estimated_domestic,
        line.estimated_export,
        line.estimated_total,
        line.actual_domestic,
        line.actual_export,
        line.actual_total,
        line.difference,
        line.achieved,
        line.remark,
    ]


# --- the plain paper form (สิ่งที่ส่งมาด้วย ๓) ---------------------------------------------------


@dataclass
class FormLine:
    """One month (or the total) of the paper form: the estimate as the district saved it."""

    label: str
    domestic: Decimal | None
    export: Decimal | None

    @property
    def total(self):
        if self.domestic is None:
            return None
        return self.domestic + self.export


@dataclass
class EstimateForm:
    """The estimate as the circular's form asks for it: twelve months, a total, a signer."""

    district: object
    fiscal_year: int
    estimate: Estimate | None
    months: list
    total: FormLine

    @classmethod
    def build(cls, district, fiscal_year):
        """Read the district's estimate of the year and its months: two queries.

        A month the estimate does not hold counts as 0, as on the entry form; without an
        estimate the amounts stay blank, for the district to fill in by hand.
        """
        estimate = Estimate.objects.filter(district=district, fiscal_year=fiscal_year).first()
        saved = {}
        if estimate is not None:
            saved = {m.month: m for m in EstimateMonth.objects.filter(estimate=estimate)}
        months = [
            FormLine(
                fm.label,
                _estimated(estimate, saved.get(fm.month), "domestic"),
                _estimated(estimate, saved.get(fm.month), "export"),
            )
            for fm in fiscal_months(fiscal_year)
        ]
        total = FormLine(
            "รวมทั้งสิ้น",
            _sum(months, "domestic", estimate),
            _sum(months, "export", estimate),
        )
        return cls(district, fiscal_year, estimate, months, total)

    @property
    def signer_name(self):
        return self.estimate.certifier_name if self.estimate is not None else ""

    @property
    def signer_position(self):
        if self.estimate is not None and self.estimate.certifier_position:
            return self.estimate.certifier_position
        return f"พัฒนาการอำเภอ{self.district.name_th}"


@login_required
@require_GET
@reads_from_replica
def estimate_form(request, district, fiscal_year):
    """Show the plain estimate form (แบบประมาณการรายได้) of a district's year, or its .xlsx.

    The same readers as the estimate report (district_for: 404 to anyone else). The
    entry page's print button opens this page with ?print=1, which prints it at once.
    """
    district = district_for(request.user, district)
    if not MIN_FISCAL_YEAR <= fiscal_year <= MAX_FISCAL_YEAR:
        raise Http404("ไม่มีปีงบประมาณนี้")
    output = request.GET.get("format", "html")
    if output not in ("html", "xlsx"):
        raise Http404("ไม่มีรูปแบบนี้")
    form = EstimateForm.build(district, fiscal_year)
    if output == "xlsx":
        return xlsx_response(
            form_workbook(form), f"estimate-form-{district.code}-{fiscal_year}.xlsx"
        )
    return render(
        request,
        "reports/estimate_form.html",
        {
            "form": form,
            "district": district,
            "fiscal_year": fiscal_year,
            "xlsx_url": f"{request.path}?format=xlsx",
            "report_url": reverse("report-estimate", args=[district.code, fiscal_year]),
        },
    )


def form_workbook(form):
    """Write the paper form: title block, two header rows, twelve months, total, signature."""
    district = form.district
    workbook = new_workbook()
    sheet = ReportSheet(workbook, "แบบประมาณการรายได้", widths=[22, 20, 20, 20, 24], landscape=False)
    sheet.title(
        TITLE,
        f"ปีงบประมาณ พ.ศ. {form.fiscal_year}",
        f"อำเภอ{district.name_th} จังหวัด{district.province.name_th}",
    )
    sheet.header(
        [
            "เดือน",
            "ประมาณการรายได้จากการจำหน่ายผลิตภัณฑ์ OTOP",
            None,
            "รวมทั้งสิ้น (บาท)",
            "หมายเหตุ",
        ],
        [None, "ภายในประเทศ (บาท)", "ส่งออกต่างประเทศ (บาท)", None, None],
    )
    first, last = sheet.header_rows
    for column in "ADE":
        sheet.merge(f"{column}{first}:{column}{last}")
    sheet.merge(f"B{first}:C{first}")
    formats = [None, BAHT, BAHT, BAHT, None]
    for line in form.months:
        sheet.row([line.label, line.domestic, line.export, line.total, ""], formats=formats)
    total = form.total
    sheet.row(
        [total.label, total.domestic, total.export, total.total, ""], total=True, formats=formats
    )
    sheet.signature(position=form.signer_position, name=form.signer_name, dots=False)
    return workbook
