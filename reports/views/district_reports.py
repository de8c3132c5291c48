"""RT.1 and RT.2: one district's month, row by row (SPEC section 5).

RT.1 (รต.1) lists the month's rows as the district collected them, each with where it
stands. RT.2 (รต.2) is the form the district development officer signs and sends to the
province: a tick under each row's product type and producer type, its sales, the month's
total and the signature lines. Both read the same rows, counted by who is reading
(reports.scope): the department only rows the province has confirmed. Each is a page,
prints on A4 landscape, and downloads as .xlsx with ?format=xlsx.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter

from otopdoc.access import district_for, fiscal_month_or_404, officer_of
from otopdoc.db.router import reads_from_replica
from otopdoc.fiscal import now
from otopdoc.templatetags.thai import be
from reports.excel import ReportSheet, new_workbook, xlsx_response
from reports.scope import LEVELS, counted_level, row_filter
from reports.views.pickers import month_picker
from sales.models import MonthlySale, ProducerType, ProductType

ZERO = Decimal("0.00")
TICK = "✓"
RT1_TITLE = "แบบรายงานข้อมูลผลการจำหน่ายสินค้าหนึ่งตำบล หนึ่งผลิตภัณฑ์ OTOP (รต.1)"
RT2_TITLE = "แบบรายงานข้อมูลผลการจำหน่ายสินค้าหนึ่งตำบล หนึ่งผลิตภัณฑ์ OTOP (รต.2)"
NAME = "ชื่อกลุ่ม / ผู้ผลิต ผู้ประกอบการ OTOP"
DOMESTIC = "ในประเทศ (บาท)"
EXPORT = "ต่างประเทศ (บาท)"
TOTAL = "รวมทั้งสิ้น (บาท)"
CENTRED = Alignment(horizontal="center", vertical="top")


@dataclass(frozen=True)
class State:
    key: str
    label: str
    badge: str


ENTERED = State("entered", "บันทึกแล้ว รอยืนยัน", "text-bg-warning")
DISTRICT_CONFIRMED = State("district", "อำเภอยืนยันแล้ว", "text-bg-primary")
PROVINCE_CONFIRMED = State("province", "จังหวัดยืนยันแล้ว", "text-bg-success")
SENT_BACK = State("returned", "จังหวัดส่งกลับให้แก้ไข", "text-bg-danger")
STATES = (ENTERED, DISTRICT_CONFIRMED, PROVINCE_CONFIRMED, SENT_BACK)


def state_of(sale):
    """Return where a row stands; a confirmation outranks an older send-back note."""
    if sale.province_confirmed_at:
        return PROVINCE_CONFIRMED
    if sale.district_confirmed_at:
        return DISTRICT_CONFIRMED
    if sale.returned_at:
        return SENT_BACK
    return ENTERED


@dataclass
class Line:
    """One row of the report: the sale, its number on the form and its state."""

    number: int
    sale: MonthlySale
    state: State

    @property
    def product_ticks(self):
        return [TICK if self.sale.product_type == value else "" for value in ProductType.values]

    @property
    def producer_ticks(self):
        kind = self.sale.producer_type  # as the month was confirmed, not as it is now
        return [TICK if kind == value else "" for value in ProducerType.values]


@dataclass
class DistrictMonthReport:
    """The rows of one district's month that a reader counts, with their totals."""

    district: object
    fiscal_month: object
    counted: object
    lines: list

    @classmethod
    def load(cls, request, district, fiscal_year, month):
        """Return the report a request asks for.

        Steps:
        1. Find the district through the officer's scope: outsiders get 404.
        2. Refuse a month or fiscal year out of range (404).
        3. Decide which rows count: the department only province-confirmed rows, others
           every row or ?rows=district|province (404 on any other value).
        4. Read the rows with their producers in one query, in the entry page's order.
        """
        district = district_for(request.user, district)
        fiscal_month = fiscal_month_or_404(fiscal_year, month)
        counted = counted_level(request, officer_of(request.user))
        sales = (
            MonthlySale.objects.for_month(district, fiscal_month)
            .filter(**row_filter(counted))
            .select_related("producer")
            .order_by("producer__name", "product_type", "pk")
        )
        lines = [Line(n, sale, state_of(sale)) for n, sale in enumerate(sales, start=1)]
        return cls(district, fiscal_month, counted, lines)

    @property
    def domestic(self):
        return sum((line.sale.domestic for line in self.lines), ZERO)

    @property
    def export(self):
        return sum((line.sale.export for line in self.lines), ZERO)

    @property
    def total(self):
        return sum((line.sale.total for line in self.lines), ZERO)

    def product_counts(self):
        """Return how many rows fall under each product type, in the form's column order."""
        return [
            sum(1 for line in self.lines if line.sale.product_type == value)
            for value in ProductType.values
        ]

    def producer_counts(self):
        return [
            sum(1 for line in self.lines if line.sale.producer_type == value)
            for value in ProducerType.values
        ]

    def state_counts(self):
        """Return (state, how many rows) for the states present, in workflow order."""
        counts = [(state, sum(1 for line in self.lines if line.state is state)) for state in STATES]
        return [(state, count) for state, count in counts if count]

    @property
    def area(self):
        return f"จังหวัด{self.district.province.name_th} อำเภอ{self.district.name_th}"

    def filename(self, form):
        fm = self.fiscal_month
        return f"{form}-{self.district.code}-{fm.fiscal_year}-{fm.month:02d}.xlsx"

    def note(self):
        """Return the footnote of the Excel form: which rows it counts and when it was made."""
        return f"หมายเหตุ นับ{self.counted.label} · ข้อมูล ณ {be(now())}"


def _wants_xlsx(request):
    fmt = request.GET.get("format", "html")
    if fmt not in ("html", "xlsx"):
        raise Http404("ไม่มีรูปแบบนี้")
    return fmt == "xlsx"


def _context(request, report, url_name):
    """Return what both pages show: the report, the months around it and the Excel link.

    The department counts province-confirmed rows only, so it gets no choice of rows and
    its links carry no ?rows=.
    """
    department = officer_of(request.user).is_department
    query = "" if department else f"rows={report.counted.key}"

    return {
        "report": report,
        "district": report.district,
        "fiscal_month": report.fiscal_month,
        "counted": report.counted,
        "levels": None if department else LEVELS.values(),
        "query": f"?{query}" if query else "",
        **month_picker(
            report.fiscal_month,
            lambda fm: (
                reverse(url_name, args=[report.district.code, fm.fiscal_year, fm.month])
                + (f"?{query}" if query else "")
            ),
        ),
        "xlsx_url": f"{request.path}?format=xlsx" + (f"&{query}" if query else ""),
        "url_name": url_name,
        "generated_at": now(),
    }


@login_required
@require_safe
@reads_from_replica
def rt1(request, district, fiscal_year, month):
    """Show RT.1: the district's rows of the month as collected, with their states."""
    report = DistrictMonthReport.load(request, district, fiscal_year, month)
    if _wants_xlsx(request):
        return xlsx_response(rt1_workbook(report), report.filename("rt1"))
    context = _context(request, report, "report-rt1")
    context["title"] = RT1_TITLE
    return render(request, "reports/rt1.html", context)


@login_required
@require_safe
@reads_from_replica
def rt2(request, district, fiscal_year, month):
    """Show RT.2: ticks by product and producer type, sales, totals and the signature lines."""
    report = DistrictMonthReport.load(request, district, fiscal_year, month)
    if _wants_xlsx(request):
        return xlsx_response(rt2_workbook(report), report.filename("rt2"))
    context = _context(request, report, "report-rt2")
    context["title"] = RT2_TITLE
    context["product_types"] = ProductType.labels
    context["producer_types"] = ProducerType.labels
    context["columns"] = 2 + len(ProductType.labels) + len(ProducerType.labels) + 3
    return render(request, "reports/rt2.html", context)


def rt1_workbook(report):
    """Return RT.1 as a write-only workbook: one header row, the rows, a totals row and
    the signature lines."""
    workbook = new_workbook()
    sheet = ReportSheet(workbook, "รต.1", widths=[6, 38, 33, 38, 16, 16, 17, 28])
    fm = report.fiscal_month
    sheet.title(
        RT1_TITLE,
        f"ปีงบประมาณ {fm.fiscal_year}  {report.area}  ประจำเดือน {fm.label}",
    )
    sheet.header(["ที่", NAME, "ประเภทผลิตภัณฑ์", "ประเภทกลุ่ม", DOMESTIC, EXPORT, TOTAL, "สถานะ"])
    for line in report.lines:
        sale = line.sale
        state = line.state.label
        if line.state is SENT_BACK and sale.returned_reason:
            state = f"{state}: {sale.returned_reason}"
        sheet.row(
            [
                line.number,
                sale.producer.name,
                sale.get_product_type_display(),
                sale.get_producer_type_display(),
                sale.domestic,
                sale.export,
                sale.total,
                state,
            ],
            aligns=[CENTRED],
        )
    sheet.row(
        [
            None,
            "รวมทั้งสิ้น",
            None,
            None,
            report.domestic,
            report.export,
            report.total,
            f"{len(report.lines)} รายการ",
        ],
        total=True,
    )
    sheet.note(report.note())
    sheet.signature(position=f"พัฒนาการอำเภอ{report.district.name_th}", dots=False)
    return workbook


def rt2_workbook(report):
    """Return RT.2 as the paper form: title block, two header rows, ticks, totals, signature."""
    workbook = new_workbook()
    types, kinds = len(ProductType.values), len(ProducerType.values)
    sheet = ReportSheet(
        workbook,
        "รต.2",
        # ที่, name, the five product types, the three producer types, the three amounts.
        widths=[5, 40, 9, 11, 11, 13, 13, 12, 14, 8, 16, 16, 17],
    )
    fm = report.fiscal_month
    sheet.title(
        RT2_TITLE,
        f"ปีงบประมาณ {fm.fiscal_year}",
        report.area,
        f"ประจำเดือน {fm.label}",
    )
    first = ["ที่", NAME, "ประเภทผลิตภัณฑ์", *[None] * (types - 1)]
    first += ["ประเภทกลุ่ม / ผู้ผลิต ผู้ประกอบการ OTOP", *[None] * (kinds - 1)]
    first += ["ยอดจำหน่าย (บาท)", None, TOTAL]
    second = [None, None, *ProductType.labels, *ProducerType.labels, "ในประเทศ", "ต่างประเทศ", None]
    sheet.header(first, second)
    top, bottom = sheet.header_rows

    def span(first, last, down=False):
        end = bottom if down else top
        sheet.merge(f"{get_column_letter(first)}{top}:{get_column_letter(last)}{end}")

    # Group the header as the paper form does: ที่, the name and the total run down both
    # rows; the product types, the producer types and the sales run across their columns.
    last = 2 + types + kinds + 3
    span(1, 1, down=True)
    span(2, 2, down=True)
    span(last, last, down=True)
    span(3, 2 + types)
    span(3 + types, 2 + types + kinds)
    span(3 + types + kinds, 4 + types + kinds)
    ticks = [CENTRED, None, *[CENTRED] * (types + kinds)]
    for line in report.lines:
        sale = line.sale
        sheet.row(
            [
                line.number,
                sale.producer.name,
                *line.product_ticks,
                *line.producer_ticks,
                sale.domestic,
                sale.export,
                sale.total,
            ],
            aligns=ticks,
        )
    sheet.row(
        [
            None,
            "รวมทั้งสิ้น",
            *report.product_counts(),
            *report.producer_counts(),
            report.domestic,
            report.export,
            report.total,
        ],
        total=True,
        aligns=ticks,
    )
    sheet.note(report.note())
    # The last row, the totals and the note go over with the signature if need be.
    sheet.signature(position=f"พัฒนาการอำเภอ{report.district.name_th}", dots=False)
    return workbook
