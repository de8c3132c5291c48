"""Import a district's month from Excel: the RT.1 template, the upload with its preview,
and the confirmation that writes it (SPEC section 5, screen 2, for months of many rows).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, IntegrityError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from otopdoc import lock
from otopdoc.access import district_for, fiscal_month_or_404, officer_of
from otopdoc.failures import write_failed
from sales import importing
from sales.models import ProducerType, ProductType
from sales.services import StaleMonth, month_revision, save_month

SAVED = "บันทึกข้อมูลสมบูรณ์"
STALE = (
    "มีผู้บันทึกข้อมูลเดือนนี้ของอำเภอหลังจากที่ท่านตรวจไฟล์ ระบบจึงยังไม่บันทึกข้อมูลใด ๆ "
    "จากไฟล์ เพื่อไม่ให้ข้อมูลของอีกฝ่ายสูญหาย กรุณาอัปโหลดไฟล์อีกครั้งเพื่อตรวจกับข้อมูลล่าสุด"
)
EXPIRED = "ไม่พบไฟล์ที่ตรวจไว้ (อาจนำเข้าไปแล้ว หรือหมดเวลา) กรุณาอัปโหลดไฟล์อีกครั้ง"
CHANGED = (
    "ข้อมูลเดือนนี้เปลี่ยนไปหลังจากที่ท่านตรวจไฟล์ ทำให้บางแถวบันทึกไม่ได้ "
    "ระบบจึงยังไม่บันทึกข้อมูลใด ๆ กรุณาแก้ไขไฟล์ตามข้อความสีแดง แล้วอัปโหลดอีกครั้ง"
)


@login_required
def import_template(request, district, fiscal_year, month):
    """Send the RT.1 Excel template of the month, prefilled like the entry page."""
    district = district_for(request.user, district)
    fiscal_month = fiscal_month_or_404(fiscal_year, month)
    # The department sees what the province has confirmed, nothing else (SPEC 2).
    confirmed_only = officer_of(request.user).is_department
    rows = importing.template_rows(district, fiscal_month, confirmed_only)
    response = HttpResponse(
        importing.build_template(district, fiscal_month, rows),
        content_type=importing.XLSX_TYPE,
    )
    filename = importing.template_filename(district, fiscal_month)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def import_month(request, district, fiscal_year, month):
    """Take an RT.1 file and show what importing it would do, row by row.

    Nothing is written here: a file without errors waits in the session, with the
    month's revision, for import_confirm.
    """
    district = district_for(request.user, district, write=True)
    fiscal_month = fiscal_month_or_404(fiscal_year, month)
    refusal = _refusal(request, district, fiscal_month)
    key = importing.session_key(district, fiscal_month)
    preview = None

    if request.method == "POST":
        form = importing.ImportForm(request.POST, request.FILES)
        request.session.pop(key, None)
        if form.is_valid():
            # Read the revision before the rows: a save in between makes the upload stale.
            revision = month_revision(district, fiscal_month)
            rows = form.cleaned_data["file"]
            preview = importing.check_rows(district, fiscal_month, rows)
            if preview.ok:
                request.session[key] = {
                    "rows": rows,
                    "revision": revision,
                    # The version of each saved row the preview showed: a confirmation or
                    # a send-back does not move the month's revision, but moves these.
                    "versions": {
                        str(line.saved.pk): line.saved.version
                        for line in preview.lines
                        if line.saved is not None
                    },
                    "file": request.FILES["file"].name,
                }
    else:
        form = importing.ImportForm()
    return _page(request, district, fiscal_month, form, preview, refusal)


@require_POST
@login_required
def import_confirm(request, district, fiscal_year, month):
    """Write the checked file's rows into the month, all or none.

    Steps:
    1. Take the rows and the revision kept by import_month (none: upload again).
    2. Check them again against the month as it is now; any error writes nothing.
       Each saved row carries the version the preview showed (_as_previewed).
    3. save_month at the kept revision: if anyone saved the month since, StaleMonth
       writes nothing and asks for the file again; a database error writes nothing
       either and shows the preview again, the file kept, to confirm once more.
    """
    district = district_for(request.user, district, write=True)
    fiscal_month = fiscal_month_or_404(fiscal_year, month)
    _refusal(request, district, fiscal_month)
    key = importing.session_key(district, fiscal_month)
    stored = request.session.get(key)
    if not stored:
        messages.error(request, EXPIRED)
        return redirect("sales-import", district.pk, fiscal_month.fiscal_year, fiscal_month.month)

    preview = importing.check_rows(district, fiscal_month, stored["rows"])
    _as_previewed(preview, stored.get("versions", {}))
    if not preview.ok:
        del request.session[key]
        messages.error(request, CHANGED)
        return _page(request, district, fiscal_month, importing.ImportForm(), preview, None)
    try:
        save_month(
            district,
            fiscal_month,
            request.user,
            stored["revision"],
            rows=preview.rows,
            deleted_ids=[],
            held=preview.held,
        )
    except (StaleMonth, IntegrityError):
        del request.session[key]
        messages.error(request, STALE)
        return redirect("sales-import", district.pk, fiscal_month.fiscal_year, fiscal_month.month)
    except DatabaseError:
        # Nothing was written and the revision is not used up: keep the checked file in
        # the session and show its preview again, so pressing confirm once more imports it.
        write_failed(request, "import confirm")
        return _page(request, district, fiscal_month, importing.ImportForm(), preview, None)
    del request.session[key]
    counts = preview.counts
    messages.success(
        request,
        f"{SAVED} นำเข้าจากไฟล์ {stored['file']}: เพิ่มใหม่ {counts['new']:,} รายการ "
        f"ปรับปรุง {counts['update']:,} รายการ ไม่เปลี่ยนแปลง {counts['same']:,} รายการ",
    )
    return redirect("sales-month", district.pk, fiscal_month.fiscal_year, fiscal_month.month)


def _as_previewed(preview, versions):
    """Give each row of the file the version the officer saw in the preview.

    save_month checks versions under the month's lock: a row the province confirmed or
    sent back after the preview is then refused (StaleMonth), not overwritten with
    figures the officer checked against the row as it was.
    """
    for row in preview.rows:
        if row.get("id") is not None and str(row["id"]) in versions:
            row["version"] = versions[str(row["id"])]


def _refusal(request, district, fiscal_month):
    """Return the calendar's refusal to show on a GET; refuse a POST outright."""
    refusal = lock.refusal(officer_of(request.user), fiscal_month, district=district)
    if refusal and request.method == "POST":
        # The calendar middleware refuses these first; this keeps the view safe alone.
        raise PermissionDenied(refusal.message)
    return refusal


def _page(request, district, fiscal_month, form, preview, refusal):
    return render(
        request,
        "sales/import.html",
        {
            "district": district,
            "fiscal_month": fiscal_month,
            "form": form,
            "preview": preview,
            "refusal": refusal,
            "headers": importing.HEADERS,
            "product_types": ProductType.labels,
            "producer_types": ProducerType.labels,
        },
    )
