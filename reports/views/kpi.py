"""The KPI table (เป้าหมายตัวชี้วัด) of a fiscal year: /reports/kpi/<fiscal_year>/.

The layout is the department's sheet (the seed's สิ่งที่ส่งมาด้วย ๑): ที่, จังหวัด, the base
(last year's sales), the target (+23 %) and the five score levels, grouped by cluster under
"เขตตรวจราชการ : ..." with a รวม row each; then what the sheet could not show: sales to
date, growth and score, and where each base comes from. Only province-confirmed sales
count, for every reader.

Who sees it:
- The department scores every province: the whole table.
- A province officer sees its own row only (with its cluster's heading), not the other
  provinces nor the cluster and national sums. The department publishes the bases and
  targets, but sales to date are each province's own data, and SPEC section 2 says an
  officer never sees another province's data. The department can send the whole sheet.
- District officers: 404, as for any area they do not own.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET
from openpyxl.styles import Alignment

from otopdoc.access import officer_of
from otopdoc.db.router import reads_from_replica
from otopdoc.fiscal import (
    MAX_FISCAL_YEAR,
    MIN_FISCAL_YEAR,
    THAI_MONTHS_SHORT,
    current_fiscal_year,
)
from reports.excel import PERCENT, WHOLE_BAHT, ReportSheet, new_workbook
from reports.kpi import cached_kpi_table, kpi_table
from reports.models import SCORE_PERCENTS, TARGET_PERCENT
from reports.scope import PROVINCE
from reports.versions import cached, cached_xlsx

TITLE = "เป้าหมายตัวชี้วัด ยอดจำหน่ายผลิตภัณฑ์ชุมชน OTOP"
WIDTHS = [6, 18, 17, 17, 16, 16, 16, 16, 16, 17, 11, 8, 18]


def kpi_scope(user):
    """Return the province a reader is limited to, None for the department; 404 otherwise."""
    officer = officer_of(user)
    if officer.is_department:
        return None
    if officer.is_province:
        return officer.province
    raise Http404("ไม่พบหน้านี้")


def year_or_404(fiscal_year):
    if not MIN_FISCAL_YEAR <= fiscal_year <= MAX_FISCAL_YEAR:
        raise Http404("ไม่มีปีงบประมาณนี้")
    return fiscal_year


def short_year(year):
    """Return a B.E. year as the sheet writes it: 2561 -> "61"."""
    return f"{year % 100:02d}"


def labels(table):
    """Return the column labels of the table, worded as the department's sheet."""
    fy = table.fiscal_year
    through = table.through
    span = ""
    if through is not None:
        span = (
            f"\nต.ค. {short_year(fy - 1)} – "
            f"{THAI_MONTHS_SHORT[through.month - 1]} {short_year(through.year_be)}"
        )
    return {
        "base": f"ฐานข้อมูล ยอดจำหน่ายสินค้า OTOP\nปี {short_year(fy - 1)}",
        "target": f"เป้าหมาย ยอดจำหน่ายสินค้า OTOP ปี {short_year(fy)}\n(เพิ่มขึ้น {TARGET_PERCENT}%)",
        "levels": "ฐานข้อมูล ยอดจำหน่ายสินค้า (OTOP) ตามระดับคะแนน",
        "level_each": [
            f"คะแนน {n} {percent}%" for n, percent in enumerate(SCORE_PERCENTS, start=1)
        ],
        "results": "ผลการดำเนินงาน (จังหวัดยืนยันแล้ว)",
        "actual": f"ยอดจำหน่ายสะสม{span}",
        "growth": "ร้อยละการเติบโต",
        "score": "คะแนน",
        "source": "ที่มาของฐาน",
    }


def notes(table):
    """Return the footnotes: which rows count, and where the bases come from."""
    sources = sorted({row.base_note for row in table.rows if row.base_loaded and row.base_note})
    lines = [
        "นับเฉพาะยอดจำหน่ายที่จังหวัดยืนยันแล้ว ทั้งในประเทศและต่างประเทศ ทุกประเภทผลิตภัณฑ์",
        "เป้าหมายและคะแนนแต่ละระดับ = ฐาน × (100 + ร้อยละ) / 100 ปัดเศษครึ่งขึ้นเป็นบาท"
        + ("" if table.single else "; แถวรวมคือผลรวมของแต่ละจังหวัด"),
        "ร้อยละการเติบโต = (ยอดจำหน่ายสะสม - ฐาน) / ฐาน × 100",
    ]
    if any(row.partial for row in table.rows):
        lines.append(
            "ระหว่างปี: ร้อยละการเติบโต = (ยอดจำหน่ายสะสม - ยอดจำหน่ายเดือนเดียวกันของปี "
            f"{table.base_year}) / ยอดจำหน่ายเดือนเดียวกันของปี {table.base_year} × 100 "
            "เมื่อทราบยอดของเดือนเหล่านั้นครบ มิฉะนั้นแสดงว่า ยังไม่ครบปี"
        )
    if any(row.base_loaded for row in table.rows):
        lines.append(
            "ฐานที่นำเข้า = ฐานที่กรมการพัฒนาชุมชนกำหนด"
            + (f" (ที่มา: {'; '.join(sources)})" if sources else "")
        )
    if any(not row.base_loaded for row in table.rows):
        lines.append(
            f"ยอดจำหน่ายปี {table.base_year} = ยังไม่มีฐานที่นำเข้า จึงใช้ยอดจำหน่าย"
            f"ปีงบประมาณ {table.base_year} ที่จังหวัดยืนยันแล้วในระบบ"
        )
    return lines


def chart_data(table):
    """Return what kpi_chart.js draws: each province's cumulative sales and its lines.

    The chart opens on the first province with sales (a province officer's own).
    """
    with_sales = [row.province.code for row in table.rows if row.actual]
    return {
        "selected": with_sales[0] if with_sales else "",
        "months": [
            f"{THAI_MONTHS_SHORT[fm.month - 1]} {short_year(fm.year_be)}" for fm in table.months
        ],
        "provinces": [
            {
                "code": row.province.code,
                "name": row.province.name_th,
                "base": int(row.base.to_integral_value()),
                "target": int(row.target),
                "level1": int(row.levels[0]),
                "cumulative": [
                    None if value is None else int(value.to_integral_value())
                    for value in row.cumulative
                ],
            }
            for row in table.rows
        ],
    }


@login_required
@require_GET
@reads_from_replica
def kpi_current(request):
    """Send the reader to the KPI table of ?fy=, or of the current fiscal year."""
    kpi_scope(request.user)
    raw = request.GET.get("fy", "")
    fiscal_year = int(raw) if raw.isdigit() else current_fiscal_year()
    return redirect("report-kpi", fiscal_year=year_or_404(fiscal_year))


@login_required
@require_GET
@reads_from_replica
def kpi(request, fiscal_year):
    """Show the KPI table of a fiscal year, or send it as .xlsx with ?format=xlsx."""
    province = kpi_scope(request.user)
    year_or_404(fiscal_year)
    output = request.GET.get("format", "html")
    if output not in ("html", "xlsx"):
        raise Http404("ไม่มีรูปแบบนี้")
    # Built once per version of the running totals: the next read after a write is fresh.
    if output == "xlsx":
        return cached_xlsx(
            "kpi.xlsx",
            fiscal_year,
            "all" if province is None else province.pk,
            lambda: kpi_workbook(cached_kpi_table(fiscal_year, province)),
            f"kpi-{fiscal_year}.xlsx",
        )
    scope = "all" if province is None else province.pk
    page = cached(
        "kpi.html", fiscal_year, scope, lambda: kpi_page(kpi_table(fiscal_year, province))
    )
    return render(
        request,
        "reports/kpi.html",
        {
            "body": mark_safe(page["body"]),  # rendered by kpi_page from the figures only
            "chart": page["chart"],
            "through": page["through"],
            # Unpickling the whole table costs more than the rest of a cached page: it is
            # read only if something asks for it (a test, a template override).
            "table": SimpleLazyObject(lambda: cached_kpi_table(fiscal_year, province)),
            "fiscal_year": fiscal_year,
            "base_year": fiscal_year - 1,
            "province": province,
            "counted": PROVINCE,
            "years": {
                "previous": fiscal_year - 1 if fiscal_year > MIN_FISCAL_YEAR else None,
                "next": fiscal_year + 1 if fiscal_year < current_fiscal_year() else None,
            },
            "xlsx_url": reverse("report-kpi", args=[fiscal_year]) + "?format=xlsx",
        },
    )


def kpi_page(table):
    """Return the cacheable part of the KPI page: its table, notes and chart drawn as HTML.

    Drawing 77 rows of 13 figures through the template engine is most of the page's cost;
    they change only with the data, so the page keeps them per version and scope.
    """
    chart = chart_data(table)
    body = render_to_string(
        "reports/includes/_kpi_body.html",
        {"table": table, "labels": labels(table), "notes": notes(table), "chart": chart},
    )
    return {"body": str(body), "chart": chart, "through": table.through}


def kpi_workbook(table):
    """Lay the KPI table out on an A4 landscape sheet, as the department's sheet looks.

    Whole baht as #,##0 (the cells keep the exact amounts), the cluster heading lines and
    their รวม rows, two frozen header rows repeated on every printed page.
    """
    workbook = new_workbook()
    names = labels(table)
    sheet = ReportSheet(workbook, f"KPI {table.fiscal_year}", widths=WIDTHS)
    sheet.title(
        f"{TITLE} ปีงบประมาณ {table.fiscal_year}",
        "ยอดจำหน่ายสะสม"
        + (
            f" ตุลาคม {table.fiscal_year - 1} ถึง {table.through.label}"
            if table.through
            else " (ยังไม่มียอดที่จังหวัดยืนยัน)"
        )
        + " · นับเฉพาะรายการที่จังหวัดยืนยันแล้ว",
    )
    first = [
        "ที่",
        "จังหวัด",
        names["base"],
        names["target"],
        names["levels"],
        *[None] * 4,
        names["results"],
        None,
        None,
        names["source"],
    ]
    second = [None] * 4 + names["level_each"] + [names["actual"], names["growth"]]
    second += [names["score"], None]
    sheet.header(first, second)
    top, bottom = sheet.header_rows
    for column in "ABCDM":
        sheet.merge(f"{column}{top}:{column}{bottom}")
    sheet.merge(f"E{top}:I{top}")
    sheet.merge(f"J{top}:L{top}")

    money = [None, None] + [WHOLE_BAHT] * 8 + [PERCENT, None, None]
    # Text on one line: wrapped in a narrow column it makes a row several lines high.
    text = Alignment(vertical="top", wrap_text=False)
    centre = Alignment(horizontal="center", vertical="top")
    province_aligns = [centre, text] + [None] * 9 + [centre, text]
    total_aligns = [None, text]

    def figures(values):
        growth = "ยังไม่ครบปี" if values.growth_pending else values.growth
        return [values.base, values.target, *values.levels, values.actual, growth]

    for block in table.clusters:
        sheet.group(f"เขตตรวจราชการ : {block.cluster.name_th}")
        for line in block.rows:
            sheet.row(
                [line.number, line.province.name_th, *figures(line), line.score, line.base_label],
                formats=money,
                aligns=province_aligns,
            )
        if not table.single:
            sheet.row(
                [None, "รวม", *figures(block.total), None, None],
                total=True,
                formats=money,
                aligns=total_aligns,
            )
    if not table.single:
        sheet.row(
            [None, "รวมทั้งประเทศ", *figures(table.total), None, None],
            total=True,
            formats=money,
            aligns=total_aligns,
        )
    sheet.blank()
    lines = notes(table)
    for line in lines:
        sheet.note(line)
    # The national total and the notes go over with the signature if it must start a page.
    sheet.signature(position="", role="ผู้รายงาน")
    return workbook
