"""RT.3 (รต.3): one month's sales by product type, of a district, a province or the nation.

Who reads which area: a district officer their own district; a province officer their
province and each of its districts; the department every area and the nation (area
"all"), counting only rows the province has confirmed (reports.scope). Anyone else gets
404, as if the area did not exist (otopdoc.access). Figures come from the running totals
(reports.figures), so the national page costs what a district's does.
"""

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter

from otopdoc.access import (
    department_only,
    district_for,
    fiscal_month_or_404,
    officer_of,
    province_for,
)
from otopdoc.db.router import reads_from_replica
from otopdoc.fiscal import MAX_FISCAL_YEAR, MIN_FISCAL_YEAR, fiscal_months, now
from otopdoc.templatetags.thai import be
from reports import figures
from reports.excel import WHOLE_BAHT, ReportSheet, new_workbook, xlsx_response
from reports.scope import LEVELS, counted_level
from reports.views.pickers import month_picker
from sales.models import Province

TITLE = "แบบรายงานข้อมูลผลการจำหน่ายสินค้าหนึ่งตำบล หนึ่งผลิตภัณฑ์ OTOP แยกตามผลิตภัณฑ์ (รต.3)"
NATION = "all"
DOMESTIC = "ในประเทศ (บาท)"
EXPORT = "ต่างประเทศ (บาท)"
TOTAL = "รวม (บาท)"
ROWS = "จำนวนรายการ"
# Excel: the running number ("ที่") centred in its column.
NUMBERED = [Alignment(horizontal="center", vertical="top")]


@dataclass
class Area:
    """What a report covers: a district, a province, or the nation (both None)."""

    code: str
    label: str
    district: object = None
    province: object = None
    # The signer's position on the printed form.
    position: str = ""

    @property
    def is_nation(self):
        return self.code == NATION


def area_for(user, code):
    """Return the Area the officer may read, or raise 404 (a bad code is a 404 too)."""
    if code == NATION:
        department_only(user)
        return Area(code, "ทั้งประเทศ")
    if code.isdigit() and len(code) == 4:
        district = district_for(user, code)
        province = district.province
        return Area(
            code,
            f"จังหวัด{province.name_th} อำเภอ{district.name_th}",
            district=district,
            position=f"พัฒนาการอำเภอ{district.name_th}",
        )
    if code.isdigit() and len(code) == 2:
        province = province_for(user, code)
        return Area(
            code,
            f"จังหวัด{province.name_th}",
            province=province,
            position=f"พัฒนาการจังหวัด{province.name_th}",
        )
    raise Http404("ไม่พบพื้นที่นี้")


def wants_xlsx(request):
    """Tell whether ?format= asks for the Excel file; any format but html or xlsx is 404."""
    fmt = request.GET.get("format", "html")
    if fmt not in ("html", "xlsx"):
        raise Http404("ไม่มีรูปแบบนี้")
    return fmt == "xlsx"


def rows_query(request):
    """Return the ?rows= choice to carry into links ("" when absent or not a level)."""
    rows = request.GET.get("rows")
    return f"rows={rows}" if rows in LEVELS else ""


def in_range(fiscal_month):
    """Return the month if the URLs accept its fiscal year, else None (no link)."""
    if MIN_FISCAL_YEAR <= fiscal_month.fiscal_year <= MAX_FISCAL_YEAR:
        return fiscal_month
    return None


def note(counted):
    """Return the footnote of a report: which rows it counts and when it was made."""
    return f"หมายเหตุ นับ{counted.label} · ข้อมูล ณ {be(now())}"


@login_required
@require_safe
@reads_from_replica
def rt3(request, area, fiscal_year, month):
    """Show RT.3: the five product types' sales of the month and of the year to date."""
    officer = officer_of(request.user)
    area = area_for(request.user, area)
    fiscal_month = fiscal_month_or_404(fiscal_year, month)
    counted = counted_level(request, officer)
    lines, total = figures.by_product_type(
        counted, fiscal_month, district=area.district, province=area.province
    )
    year_label = f"{fiscal_months(fiscal_month.fiscal_year)[0].label} - {fiscal_month.label}"
    if wants_xlsx(request):
        workbook = rt3_workbook(area, fiscal_month, counted, lines, total, year_label)
        filename = f"rt3-{area.code}-{fiscal_month.fiscal_year}-{fiscal_month.month:02d}.xlsx"
        return xlsx_response(workbook, filename)

    query = rows_query(request)
    return render(
        request,
        "reports/rt3.html",
        {
            "area": area,
            "fiscal_month": fiscal_month,
            "counted": counted,
            "lines": lines,
            "total": total,
            "year_label": year_label,
            "levels": LEVELS.values(),
            "show_levels": not officer.is_department,
            "query": query,
            "xlsx_url": f"{request.path}?format=xlsx" + (f"&{query}" if query else ""),
            **month_picker(fiscal_month, lambda fm: _url(area.code, fm, query)),
            "places": _places(officer, area, fiscal_month, query),
            "rt4_url": _rt4_url(officer, area, fiscal_month),
            "note": note(counted),
        },
    )


def _url(code, fiscal_month, query=""):
    url = reverse("report-rt3", args=[code, fiscal_month.fiscal_year, fiscal_month.month])
    return f"{url}?{query}" if query else url


def _places(officer, area, fiscal_month, query):
    """Return (label, url, current) of the areas next to this one the officer may open.

    A province officer or the department on a province: the province and its districts;
    on a district: the same, its own district marked. The department on the nation: the
    nation and the provinces. A district officer has one area and gets no list. One query.
    """
    if officer.is_district:
        return []
    if area.is_nation:
        parent, children = None, Province.objects.order_by("code")
    else:
        province = area.province or area.district.province
        parent, children = province, province.districts.order_by("code")
    places = []
    if officer.is_department:
        places.append(("ทั้งประเทศ", _url(NATION, fiscal_month, query), area.is_nation))
    if parent is not None:
        places.append(
            (
                f"จังหวัด{parent.name_th} (ทั้งจังหวัด)",
                _url(parent.pk, fiscal_month, query),
                area.province is not None,
            )
        )
    prefix = "จังหวัด" if area.is_nation else "อำเภอ"
    for child in children:
        places.append(
            (f"{prefix}{child.name_th}", _url(child.pk, fiscal_month, query), child.pk == area.code)
        )
    return places


def _rt4_url(officer, area, fiscal_month):
    """Return the link to RT.4 of the same year for readers of RT.4 (not district officers)."""
    if officer.is_district:
        return None
    if area.is_nation:
        return reverse("report-rt4-nation", args=[fiscal_month.fiscal_year])
    province = area.province or area.district.province
    return reverse("report-rt4", args=[province.pk, fiscal_month.fiscal_year])


def rt3_workbook(area, fiscal_month, counted, lines, total, year_label):
    """Return RT.3 as a write-only workbook laid out as the form: two header rows."""
    workbook = new_workbook()
    sheet = ReportSheet(workbook, "รต.3", widths=[6, 30, 17, 17, 18, 15, 18, 18, 19])
    sheet.title(
        TITLE,
        f"ปีงบประมาณ {fiscal_month.fiscal_year}  {area.label}  ประจำเดือน {fiscal_month.label}",
    )
    sheet.header(
        [
            "ที่",
            "ประเภทผลิตภัณฑ์",
            f"เดือน {fiscal_month.label}",
            None,
            None,
            None,
            f"ตั้งแต่ต้นปีงบประมาณ ({year_label})",
            None,
            None,
        ],
        [None, None, DOMESTIC, EXPORT, TOTAL, ROWS, DOMESTIC, EXPORT, TOTAL],
    )
    top, bottom = sheet.header_rows
    for column in (1, 2):
        letter = get_column_letter(column)
        sheet.merge(f"{letter}{top}:{letter}{bottom}")
    sheet.merge(f"C{top}:F{top}")
    sheet.merge(f"G{top}:I{top}")
    formats = [None] * 5 + [WHOLE_BAHT]
    for number, line in enumerate(lines, start=1):
        sheet.row([number, line.label, *_figures(line)], formats=formats, aligns=NUMBERED)
    sheet.row([None, total.label, *_figures(total)], total=True, formats=formats)
    sheet.note(note(counted))
    if area.position:
        sheet.signature(position=area.position, dots=False)
    else:
        sheet.signature(position="")
    return workbook


def _figures(line):
    return [
        line.domestic,
        line.export,
        line.total,
        line.rows,
        line.year_domestic,
        line.year_export,
        line.year_total,
    ]
