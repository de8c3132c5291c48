"""RT.4 (รต.4): a fiscal year's sales month by month, per district of a province, or per
province of the nation grouped by cluster.

Who reads it: a province officer their own province; a district officer the RT.4 of its
own province, to check it as the circular asks (reports change nothing, so reading is all
anyone does here); the department any province and the nation, counting only rows the
province has confirmed (reports.scope). A district of another province gets 404 like any
outsider. Each amount is domestic and export together, of every product type.
"""

from itertools import groupby
from operator import attrgetter

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_safe

from otopdoc.access import department_only, fiscal_month_or_404, officer_of, province_for
from otopdoc.db.router import reads_from_replica
from otopdoc.fiscal import MAX_FISCAL_YEAR, MIN_FISCAL_YEAR, FiscalMonth, fiscal_months
from reports import figures
from reports.excel import ReportSheet, new_workbook, xlsx_response
from reports.kpi import fixture_order
from reports.scope import LEVELS, counted_level
from reports.versions import cached_drawing, cached_xlsx
from reports.views.rt3 import NUMBERED, note, rows_query, wants_xlsx
from sales.models import Province

FORM = "รต.4"
NOTE = "หมายเหตุ รวมยอดจำหน่ายรายเดือน ทั้งในประเทศและต่างประเทศ ของผลิตภัณฑ์ทุกประเภท"
YEAR_TOTAL = "รวม 12 เดือน (บาท)"


def titles(fiscal_year, by):
    """Return the form's title lines for a year, "รายอำเภอ" or "รายจังหวัด"."""
    months = fiscal_months(fiscal_year)
    return (
        f"รวมผลการจำหน่ายสินค้าหนึ่งตำบล หนึ่งผลิตภัณฑ์ {by} ประจำปีงบประมาณ {fiscal_year}",
        f"ระหว่างเดือน {months[0].label} - {months[-1].label} (12 เดือน)",
    )


def month_headers(fiscal_year):
    return [f"{fm.label} (บาท)" for fm in fiscal_months(fiscal_year)]


@login_required
@require_safe
@reads_from_replica
def rt4(request, province, fiscal_year):
    """Show RT.4 of a province: each district's sales in each month and in the year."""
    officer = officer_of(request.user)
    province = _province_for(request.user, officer, province)
    fiscal_month = fiscal_month_or_404(fiscal_year, 10)  # 404 for a year out of range
    counted = counted_level(request, officer)
    amounts = figures.monthly_sales(counted, fiscal_year, "district", province=province)
    lines, total = figures.month_lines(province.districts.order_by("code"), amounts)
    _blank_months_to_come(fiscal_year, [*lines, total])
    total.label = f"รวมจังหวัด{province.name_th}"
    area = f"จังหวัด{province.name_th}"
    if wants_xlsx(request):
        workbook = new_workbook()
        sheet = _sheet(workbook, fiscal_year, "รายอำเภอ", area, "ชื่ออำเภอ")
        for line in lines:
            sheet.row([line.number, line.label, *line.amounts, line.total], aligns=NUMBERED)
        _footer(sheet, total, counted, f"พัฒนาการจังหวัด{province.name_th}")
        return xlsx_response(workbook, f"rt4-{province.code}-{fiscal_year}.xlsx")

    context = _context(request, officer, fiscal_month, counted, "รายอำเภอ", area)
    context.update(
        {
            "province": province,
            "groups": [{"cluster": None, "lines": lines, "subtotal": None}],
            "total": total,
            "name_header": "ชื่ออำเภอ",
            "years": _years(
                lambda year: reverse("report-rt4", args=[province.pk, year]),
                fiscal_year,
                context["query"],
            ),
            "rt3_url": _rt3_url(
                officer.district_id if officer.is_district else province.pk, fiscal_year
            ),
            "own_district": officer.district_id,
            "up_url": (
                reverse("report-rt4-nation", args=[fiscal_year]) if officer.is_department else None
            ),
        }
    )
    return render(request, "reports/rt4.html", context)


def _province_for(user, officer, code):
    """Return the province whose RT.4 the officer may read, or raise 404.

    A district officer reads its own province's only; everyone else as otopdoc.access says.
    """
    if officer.is_district:
        if code != officer.district.province_id:
            raise Http404("ไม่พบจังหวัดนี้")
        return get_object_or_404(Province.objects.select_related("cluster"), pk=code)
    return province_for(user, code)


@login_required
@require_safe
@reads_from_replica
def rt4_nation(request, fiscal_year):
    """Show RT.4 of the nation: each province's months, cluster subtotals, the nation's total."""
    officer = department_only(request.user)
    fiscal_month = fiscal_month_or_404(fiscal_year, 10)  # 404 for a year out of range
    counted = counted_level(request, officer)
    if wants_xlsx(request):
        # Built once per version of the running totals, counted level and months begun.
        return cached_xlsx(
            "rt4.xlsx",
            fiscal_year,
            f"{counted.key}:{figures.months_begun(fiscal_year)}",
            lambda: nation_workbook(fiscal_year, *nation_groups(fiscal_year, counted), counted),
            f"rt4-all-{fiscal_year}.xlsx",
        )
    context = _context(request, officer, fiscal_month, counted, "รายจังหวัด", "ทั้งประเทศ")
    query = context["query"]
    # Drawn once per version of the running totals, counted level, months begun and the
    # ?rows= its links carry: the next read after a write is fresh.
    lines, drawn = cached_drawing(
        "rt4.html",
        fiscal_year,
        f"{counted.key}:{figures.months_begun(fiscal_year)}:{query}",
        lambda: nation_lines(fiscal_year, counted, query, context["print_notes"]),
        "reports/includes/_rt4_lines.html",
    )
    context.update(
        {
            **drawn,
            "lines": lines,
            "name_header": "ชื่อจังหวัด",
            "rt3_url": _rt3_url("all", fiscal_year),
            "years": _years(lambda fy: reverse("report-rt4-nation", args=[fy]), fiscal_year, query),
        }
    )
    return render(request, "reports/rt4.html", context)


def nation_lines(fiscal_year, counted, query, print_notes):
    """Return what RT.4 of the nation draws: its groups linked to each province, its total."""
    groups, total = nation_groups(fiscal_year, counted)
    for group in groups:
        for line in group["lines"]:
            line.url = reverse("report-rt4", args=[line.code, fiscal_year])
            if query:
                line.url += f"?{query}"
    return {"groups": groups, "total": total, "province": None, "print_notes": print_notes}


def nation_groups(fiscal_year, counted):
    """Return each cluster's provinces' months with its subtotal, and the nation's total."""
    amounts = figures.monthly_sales(counted, fiscal_year, "province")
    # In the order of the KPI table and the seed's target table, so "ที่" is the same
    # province in both department sheets.
    order = fixture_order()
    provinces = sorted(
        Province.objects.select_related("cluster"),
        key=lambda p: (p.cluster.region, order.get(p.code, len(order)), p.code),
    )
    groups = []
    total = figures.MonthLine("รวมทั้งประเทศ")
    for cluster, members in groupby(provinces, key=attrgetter("cluster")):
        lines, subtotal = figures.month_lines(members, amounts, start=total_lines(groups) + 1)
        subtotal.label = "รวม"  # under its cluster's heading, as in the seed's tables
        groups.append({"cluster": cluster, "lines": lines, "subtotal": subtotal})
        total.add(subtotal)
    _blank_months_to_come(
        fiscal_year,
        [total, *(line for g in groups for line in [*g["lines"], g["subtotal"]])],
    )
    return groups, total


def nation_workbook(fiscal_year, groups, total, counted):
    """Return RT.4 of the nation: each cluster's heading, its provinces and their รวม."""
    workbook = new_workbook()
    sheet = _sheet(workbook, fiscal_year, "รายจังหวัด", "ทั้งประเทศ", "ชื่อจังหวัด")
    for group in groups:
        sheet.group(f"เขตตรวจราชการ : {group['cluster'].name_th}")
        for line in group["lines"]:
            sheet.row([line.number, line.label, *line.amounts, line.total], aligns=NUMBERED)
        subtotal = group["subtotal"]
        sheet.row([None, subtotal.label, *subtotal.amounts, subtotal.total], total=True)
    _footer(sheet, total, counted, "")
    return workbook


def _blank_months_to_come(fiscal_year, lines):
    """Leave the months not begun empty on every line: they are no shortfall."""
    begun = figures.months_begun(fiscal_year)
    for line in lines:
        line.blank_months_to_come(begun)


def total_lines(groups):
    """Return how many provinces the groups so far hold: the nation numbers them straight on."""
    return sum(len(group["lines"]) for group in groups)


def _context(request, officer, fiscal_month, counted, by, area):
    query = rows_query(request)
    fiscal_year = fiscal_month.fiscal_year
    return {
        "fiscal_year": fiscal_year,
        "titles": titles(fiscal_year, by),
        "area_label": area,
        "month_headers": month_headers(fiscal_year),
        "counted": counted,
        "levels": LEVELS.values(),
        "show_levels": not officer.is_department,
        "query": query,
        "xlsx_url": f"{request.path}?format=xlsx" + (f"&{query}" if query else ""),
        "note": NOTE,
        "counted_note": note(counted),
        "print_notes": [NOTE, note(counted)],
    }


def _years(url_of, fiscal_year, query):
    """Return {"previous": (year, url), "next": (year, url)} for the years URLs accept."""
    links = {}
    for key, year in (("previous", fiscal_year - 1), ("next", fiscal_year + 1)):
        if MIN_FISCAL_YEAR <= year <= MAX_FISCAL_YEAR:
            url = url_of(year)
            links[key] = (year, f"{url}?{query}" if query else url)
    return links


def _rt3_url(code, fiscal_year):
    """Return RT.3 of the same area: this month if the year is the current one, else September."""
    current = FiscalMonth.current()
    month = current.month if current.fiscal_year == fiscal_year else 9
    return reverse("report-rt3", args=[code, fiscal_year, month])


def _sheet(workbook, fiscal_year, by, area, name_header):
    """Return RT.4's sheet with its title block and header row written."""
    sheet = ReportSheet(workbook, FORM, widths=[6, 24, *[17] * 12, 20])
    sheet.title(*titles(fiscal_year, by), area, FORM)
    sheet.header(["ที่", name_header, *month_headers(fiscal_year), YEAR_TOTAL])
    return sheet


def _footer(sheet, total, counted, position):
    sheet.row([None, total.label, *total.amounts, total.total], total=True)
    sheet.note(NOTE)
    sheet.note(note(counted))
    if position:
        sheet.signature(position=position, dots=False)
    else:
        sheet.signature(position="")
