"""ค่าที่ควรตรวจสอบ: a month's outliers of a province or the nation, and the rows marked ติดตาม.

The province officer reads their province; the department reads any province and the
nation ("all"), counting only rows the province has confirmed (reports.scope). Districts
have their flags on their own pages. Queries do not grow with the rows: the baselines are
brought up to date per district (quality.outliers), one query finds the outliers, one
fetches the rows shown and one their notes.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from otopdoc.access import department_only, fiscal_month_or_404, officer_of, province_for
from otopdoc.fiscal import FiscalMonth, fiscal_months
from quality import outliers
from quality.models import RowNote
from reports.excel import BAHT, ReportSheet, new_workbook, xlsx_response
from sales.models import Cluster, MonthlySale, ProductType, Province

NATION = "all"
TITLE = "ค่าที่ควรตรวจสอบ"
SHOWN = 500  # rows on the page; the Excel file has them all


def _area(user, code):
    """Return (province or None, label) the officer may read, or raise 404."""
    if code == NATION:
        department_only(user)
        return None, "ทั้งประเทศ"
    if not (code.isdigit() and len(code) == 2):
        raise Http404("ไม่พบพื้นที่นี้")
    province = province_for(user, code)
    return province, f"จังหวัด{province.name_th}"


def _filters(request, province):
    """Return the ?cluster=, ?province= and ?type= filters, 404 on a value that is not one."""
    chosen = {"cluster": None, "province": province, "type": ""}
    product_type = request.GET.get("type", "")
    if product_type and product_type not in ProductType.values:
        raise Http404("ไม่มีประเภทผลิตภัณฑ์นี้")
    chosen["type"] = product_type
    if province is None:
        code = request.GET.get("province", "")
        if code:
            chosen["province"] = Province.objects.filter(pk=code).first()
            if chosen["province"] is None:
                raise Http404("ไม่พบจังหวัดนี้")
        cluster = request.GET.get("cluster", "")
        if cluster:
            if not cluster.isdigit():
                raise Http404("ไม่พบกลุ่มจังหวัดนี้")
            chosen["cluster"] = Cluster.objects.filter(pk=int(cluster)).first()
            if chosen["cluster"] is None:
                raise Http404("ไม่พบกลุ่มจังหวัดนี้")
    return chosen


def lines_for(flagged, limit=None):
    """Return the flagged rows as dicts for the page or the file, in the list's order."""
    flagged = flagged[:limit] if limit else flagged
    ids = [pk for pk, _ in flagged]
    rows = MonthlySale.objects.select_related("producer", "district__province").in_bulk(ids)
    notes = {note.sale_id: note for note in RowNote.objects.filter(sale_id__in=ids)}
    return [
        {"row": rows[pk], "flag": flag, "note": notes.get(pk)} for pk, flag in flagged if pk in rows
    ]


@login_required
@require_safe
def outlier_list(request, area, fiscal_year, month):
    """Show (or send as Excel) a month's outliers, largest deviation in baht first."""
    officer = officer_of(request.user)
    province, label = _area(request.user, area)
    fiscal_month = fiscal_month_or_404(fiscal_year, month)
    chosen = _filters(request, province)
    flagged = outliers.flagged_rows(
        fiscal_month,
        province=chosen["province"],
        cluster=chosen["cluster"],
        product_type=chosen["type"] or None,
        province_confirmed_only=officer.is_department,
    )
    if request.GET.get("format", "html") not in ("html", "xlsx"):
        raise Http404("ไม่มีรูปแบบนี้")
    if request.GET.get("format") == "xlsx":
        workbook = outliers_workbook(label, fiscal_month, lines_for(flagged))
        return xlsx_response(
            workbook, f"outliers-{area}-{fiscal_month.fiscal_year}-{fiscal_month.month:02d}.xlsx"
        )
    query = request.GET.copy()
    query.pop("format", None)
    return render(
        request,
        "quality/outliers.html",
        {
            "label": label,
            "area": area,
            "fiscal_month": fiscal_month,
            "lines": lines_for(flagged, SHOWN),
            "count": len(flagged),
            "shown": SHOWN,
            "chosen": chosen,
            "is_nation": province is None,
            "clusters": Cluster.objects.all() if province is None else (),
            "provinces": Province.objects.order_by("code") if province is None else (),
            "product_types": ProductType.choices,
            "xlsx_url": f"{request.path}?{query.urlencode()}&format=xlsx".replace("?&", "?"),
            "months": [
                (fm, reverse("report-outliers", args=[area, fm.fiscal_year, fm.month]))
                for fm in fiscal_months(fiscal_month.fiscal_year)
            ],
            "follow_up_url": reverse("report-follow-up", args=[area]),
            "counted_label": "เฉพาะรายการที่จังหวัดยืนยันแล้ว"
            if officer.is_department
            else "ทุกรายการที่บันทึก",
        },
    )


def outliers_workbook(label, fiscal_month, lines):
    """Return the list as a write-only workbook through the project's ReportSheet."""
    workbook = new_workbook()
    sheet = ReportSheet(workbook, TITLE, widths=[6, 12, 14, 28, 16, 19, 17, 19, 36, 30, 24])
    sheet.title(TITLE, f"{label} ประจำเดือน {fiscal_month.label}")
    sheet.header(
        [
            "ที่",
            "จังหวัด",
            "อำเภอ",
            "ชื่อกลุ่ม / ผู้ผลิต",
            "ประเภทผลิตภัณฑ์",
            "ยอดเดือนนี้ (บาท)",
            "ยอดปกติ (บาท)",
            "ส่วนต่าง (บาท)",
            "เกณฑ์",
            "คำอธิบาย",
            "ติดตาม",
        ]
    )
    formats = [None] * 5 + [BAHT, BAHT, BAHT]
    for number, line in enumerate(lines, start=1):
        row, flag, note = line["row"], line["flag"], line["note"]
        sheet.row(
            [
                number,
                row.district.province.name_th,
                row.district.name_th,
                row.producer.name,
                row.get_product_type_display(),
                row.total,
                flag.expected,
                flag.deviation,
                flag.label,
                note.explanation if note else "",
                note.follow_up_note if note and note.follow_up else "",
            ],
            formats=formats,
        )
    sheet.note(f"เรียงตามส่วนต่างจากยอดปกติ (บาท) มากไปน้อย · {len(lines):,} รายการ")
    return workbook


@login_required
@require_safe
def follow_up_list(request, area):
    """List the rows of a province or the nation marked ติดตาม, newest mark first."""
    officer = officer_of(request.user)
    province, label = _area(request.user, area)
    notes = RowNote.objects.filter(follow_up=True).select_related(
        "sale__producer", "district__province", "follow_up_by"
    )
    if province is not None:
        notes = notes.filter(district__province=province)
    if officer.is_department:
        notes = notes.filter(sale__province_confirmed_at__isnull=False)
    marked = [
        (note, FiscalMonth(note.fiscal_year, note.month).label)
        for note in notes.order_by("-follow_up_at", "-id")[:1000]
    ]
    return render(request, "quality/follow_up.html", {"label": label, "notes": marked})
