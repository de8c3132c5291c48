"""The province's monthly export detail report (แบบรายงานข้อมูลการจำหน่ายฯ ที่ส่งออกต่างประเทศ).

Who sees it: SPEC section 2 gives this report to the province, which enters it, and to the
department, which receives it (the old system had it e-mailed). So the province's own
officers write; department staff read it; district officers, even of the province, are
outsiders to it and get 404 like any other area they do not own (province_for does that).
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, transaction
from django.db.models import Sum
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from otopdoc import lock
from otopdoc.access import fiscal_month_or_404, officer_of, province_for
from otopdoc.failures import write_failed
from otopdoc.fiscal import MAX_FISCAL_YEAR, MIN_FISCAL_YEAR
from sales.countries import COUNTRY_CHOICES, country_name
from sales.forms_exports import ExportLineFormSet, ProducerList, line_initial
from sales.models import ExportDetail, MonthlySale

SAVED = "บันทึกข้อมูลสมบูรณ์"
ZERO = Decimal("0.00")


@login_required
@require_http_methods(["GET", "POST"])
def export_detail(request, province, fiscal_year, month):
    """Show a province's export lines of a month beside the month's export sales; save on POST.

    The department sees the page read-only; a POST from anyone but the province is 403.
    """
    writing = request.method == "POST"
    province = province_for(request.user, province, write=writing)
    fiscal_month = fiscal_month_or_404(fiscal_year, month)
    officer = officer_of(request.user)
    owner = officer.is_province and officer.province_id == province.pk
    refusal = lock.refusal(officer, fiscal_month, province=province) if owner else None
    if writing and refusal:
        # The calendar middleware refuses these first; this keeps the view safe alone.
        raise PermissionDenied(refusal.message)
    can_write = owner and refusal is None

    lines = ExportDetail.objects.filter(
        province=province, fiscal_year=fiscal_month.fiscal_year, month=fiscal_month.month
    ).select_related("producer__district")
    producers = ProducerList(province) if can_write else None
    formset = None

    if writing:
        try:
            with transaction.atomic():
                # Lock the month's lines while they are checked and written (PostgreSQL).
                locked = list(lines.select_for_update(of=("self",)))
                formset = _posted_lines(request, producers, locked, province, fiscal_month)
                if formset.is_valid():
                    formset.save(request.user)
                    messages.success(request, SAVED)
                    return redirect(request.path)
        except DatabaseError:
            # The transaction is rolled back: nothing was written. Show the saved lines
            # and, in the form, what was typed, for another try.
            write_failed(request, "export detail save")
            locked = list(lines)
            formset = _posted_lines(request, producers, locked, province, fiscal_month)
        else:
            messages.error(request, "ยังไม่ได้บันทึก: กรุณาแก้ไขช่องที่มีข้อความสีแดง")
        lines = locked
    else:
        lines = list(lines)
        if can_write:
            formset = ExportLineFormSet(
                prefix="lines",
                initial=[line_initial(line) for line in lines],
                form_kwargs={"producers": producers},
                existing={},
                province=province,
                fiscal_month=fiscal_month,
            )

    return render(
        request,
        "sales/exports.html",
        {
            "province": province,
            "fiscal_month": fiscal_month,
            "previous": _within_range(fiscal_month.previous),
            "next": _within_range(fiscal_month.next),
            "lines": [(line, country_name(line.country)) for line in lines],
            "formset": formset,
            # The last one is the blank line that "เพิ่มรายการ" copies.
            "line_forms": [*formset.forms, formset.empty_form] if formset else [],
            "producers": producers,
            "countries": COUNTRY_CHOICES,
            "can_write": can_write,
            "refusal": refusal,
            # The department sees only province-confirmed figures, here as everywhere.
            "check": ExportCheck.of(
                province, fiscal_month, lines, confirmed_only=officer.is_department
            ),
        },
    )


def _posted_lines(request, producers, lines, province, fiscal_month):
    return ExportLineFormSet(
        request.POST,
        prefix="lines",
        form_kwargs={"producers": producers},
        existing={line.pk: line for line in lines},
        province=province,
        fiscal_month=fiscal_month,
    )


def _within_range(fiscal_month):
    if MIN_FISCAL_YEAR <= fiscal_month.fiscal_year <= MAX_FISCAL_YEAR:
        return fiscal_month
    return None


@dataclass
class DistrictFigures:
    code: str
    name: str
    in_system: Decimal = ZERO
    in_report: Decimal = ZERO

    @property
    def difference(self):
        return self.in_report - self.in_system


@dataclass
class ExportCheck:
    """The report's total against the export sales the districts entered for the month.

    The circular asks that the two agree. For the province every monthly row of the month
    counts, confirmed or not, since it fills the report while districts are still
    confirming; for the department only province-confirmed rows count.
    """

    districts: list = field(default_factory=list)

    @classmethod
    def of(cls, province, fiscal_month, lines, confirmed_only=False):
        """Add up the month's export sales per district (one query) beside the saved lines."""
        figures = {}
        sales = MonthlySale.objects.all()
        if confirmed_only:
            sales = sales.province_confirmed()
        rows = (
            sales.filter(
                district__province=province,
                fiscal_year=fiscal_month.fiscal_year,
                month=fiscal_month.month,
            )
            .values("district_id", "district__name_th")
            .annotate(export=Sum("export"))
            .order_by("district_id")
        )
        for row in rows:
            figures[row["district_id"]] = DistrictFigures(
                row["district_id"], row["district__name_th"], in_system=row["export"] or ZERO
            )
        for line in lines:
            district = line.producer.district
            entry = figures.setdefault(
                district.code, DistrictFigures(district.code, district.name_th)
            )
            entry.in_report += line.value
        return cls(sorted(figures.values(), key=lambda f: f.code))

    @property
    def in_system(self):
        return sum((d.in_system for d in self.districts), ZERO)

    @property
    def in_report(self):
        return sum((d.in_report for d in self.districts), ZERO)

    @property
    def difference(self):
        """Return the report's total less the system's: negative when the report is short."""
        return self.in_report - self.in_system

    @property
    def agrees(self):
        return self.difference == 0

    @property
    def gap(self):
        return abs(self.difference)
