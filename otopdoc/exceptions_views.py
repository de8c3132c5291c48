"""The department's late-entry exceptions: re-open a closed month for one area for a while."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from otopdoc import fiscal
from otopdoc.access import department_only
from otopdoc.fiscal import FiscalMonth
from otopdoc.forms import LockExceptionForm
from otopdoc.lock import calendar_days
from otopdoc.templatetags.thai import be
from sales.models import LockException

PER_PAGE = 50


@login_required
def exceptions(request):
    """List the exceptions granted, newest first, with the form to grant one."""
    department_only(request.user)
    return _page(request, LockExceptionForm())


@require_POST
@login_required
def grant_exception(request):
    """Grant an exception; on a mistake show the list again with the form's Thai errors."""
    department_only(request.user)
    form = LockExceptionForm(request.POST)
    if not form.is_valid():
        return _page(request, form)
    granted = form.save(granted_by=request.user)
    messages.success(
        request,
        f"เปิดระบบให้{_area_label(granted)} บันทึกข้อมูลเดือน"
        f"{FiscalMonth(granted.fiscal_year, granted.month).label} "
        f"ได้ถึงวันที่ {be(granted.open_until)} แล้ว",
    )
    return redirect("lock-exceptions")


def _page(request, form):
    page = Paginator(
        LockException.objects.select_related("district__province", "province", "granted_by"),
        PER_PAGE,
    ).get_page(request.GET.get("page"))
    now = fiscal.now()
    rows = [
        {
            "exception": exc,
            "area": _area_label(exc),
            "fiscal_month": FiscalMonth(exc.fiscal_year, exc.month),
            "active": exc.open_until > now,
        }
        for exc in page
    ]
    return render(
        request,
        "otopdoc/exceptions.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "calendar": calendar_days(),
            "thai_months": fiscal.THAI_MONTHS,
        },
    )


def _area_label(exc):
    if exc.district_id:
        return f"อำเภอ{exc.district.name_th} จังหวัด{exc.district.province.name_th}"
    return f"จังหวัด{exc.province.name_th} (ทุกอำเภอ)"
