"""The department's late-entry exceptions: re-open a closed month for one area for a while."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from otopdoc import fiscal
from otopdoc.access import department_only
from otopdoc.fiscal import FiscalMonth
from otopdoc.forms import LockExceptionForm
from otopdoc.lock import calendar_days, withdraw_exception
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


@require_POST
@login_required
def withdraw(request, pk):
    """End an exception before its time; the list keeps it, marked with who withdrew it."""
    department_only(request.user)
    exc = get_object_or_404(
        LockException.objects.select_related("district__province", "province"), pk=pk
    )
    month = FiscalMonth(exc.fiscal_year, exc.month).label
    if withdraw_exception(exc.pk, request.user):
        messages.success(request, f"ยกเลิกการเปิดระบบให้{_area_label(exc)} เดือน{month} แล้ว")
    else:
        messages.warning(
            request,
            f"การเปิดระบบให้{_area_label(exc)} เดือน{month} สิ้นสุดหรือถูกยกเลิกไปก่อนแล้ว",
        )
    return redirect("lock-exceptions")


def _page(request, form):
    page = Paginator(
        LockException.objects.select_related(
            "district__province", "province", "granted_by", "withdrawn_by"
        ),
        PER_PAGE,
    ).get_page(request.GET.get("page"))
    now = fiscal.now()
    rows = [
        {
            "exception": exc,
            "area": _area_label(exc),
            "fiscal_month": FiscalMonth(exc.fiscal_year, exc.month),
            "active": exc.open_until > now and exc.withdrawn_at is None,
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
            "max_days": settings.OTOP_EXCEPTION_MAX_DAYS,
        },
    )


def _area_label(exc):
    if exc.district_id:
        return f"อำเภอ{exc.district.name_th} จังหวัด{exc.district.province.name_th}"
    return f"จังหวัด{exc.province.name_th} (ทุกอำเภอ)"
