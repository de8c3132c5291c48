"""The estimate form (แบบประมาณการรายได้, SPEC section 4): a district's year ahead."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import DatabaseError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from otopdoc import lock
from otopdoc.access import district_for, officer_of
from otopdoc.failures import write_failed
from otopdoc.fiscal import MAX_FISCAL_YEAR, MIN_FISCAL_YEAR
from sales.forms_estimate import EstimateConflict, EstimateForm, version_of
from sales.models import Estimate, EstimateMonth

SAVED = "บันทึกข้อมูลสมบูรณ์"
NOT_SAVED = "ยังไม่ได้บันทึก: กรุณาแก้ไขช่องที่มีข้อความสีแดง"


@login_required
@require_http_methods(["GET", "POST"])
def estimate_form(request, district, fiscal_year):
    """Show a district's estimate of a fiscal year; its own officers save it on POST.

    Steps:
    1. Find the district through the officer's scope: 404 to outsiders, 403 to a province
       or the department posting (they may only look).
    2. Refuse a fiscal year out of range (404).
    3. Load the estimate and, to show them, its months: one query each, whatever they hold.
    4. On POST, validate every amount; on success save all or nothing and redirect with
       "บันทึกข้อมูลสมบูรณ์"; otherwise show the page again with what was typed (also
       when the database fails mid-save: nothing is written, the officer is told so).
    """
    writing = request.method == "POST"
    district = district_for(request.user, district, write=writing)
    if not MIN_FISCAL_YEAR <= fiscal_year <= MAX_FISCAL_YEAR:
        raise Http404("ไม่มีปีงบประมาณนี้")
    officer = officer_of(request.user)
    can_edit = officer.is_district and officer.district_id == district.pk

    estimate = _estimate(district, fiscal_year)
    # A POST shows what was typed, so only a GET needs the saved months.
    months = (
        ()
        if writing
        else EstimateMonth.objects.filter(
            estimate__district=district, estimate__fiscal_year=fiscal_year
        )
    )
    form_kwargs = {"fiscal_year": fiscal_year, "estimate": estimate, "months": months}

    conflict = False
    if writing:
        form = EstimateForm(request.POST, **form_kwargs)
        if form.is_valid():
            try:
                form.save(district, request.user, seen_version=request.POST.get("version"))
            except EstimateConflict as error:
                form.add_error(None, str(error))
                conflict = True
            except DatabaseError:
                # One transaction: nothing was written; the page keeps what was typed.
                write_failed(request, "estimate save")
            else:
                messages.success(request, SAVED)
                return redirect(request.path)
        else:
            messages.error(request, NOT_SAVED)
    else:
        form = EstimateForm(**form_kwargs)

    if conflict:
        # Carry the other officer's version, so that a second press saves over it on purpose.
        estimate = _estimate(district, fiscal_year)
    return render(
        request,
        "sales/estimate.html",
        {
            "district": district,
            "fiscal_year": fiscal_year,
            "form": form,
            "rows": form.rows(),
            "totals": form.totals(),
            "estimate": estimate,
            "version": version_of(estimate),
            "can_edit": can_edit,
            "amount_messages": form.fields["domestic_10"].browser_messages(),
            "conflict": conflict,
            "unsaved": writing,
            "refusal": lock.banner(request, district=district) if can_edit else None,
            "previous_year": fiscal_year - 1 if fiscal_year > MIN_FISCAL_YEAR else None,
            "next_year": fiscal_year + 1 if fiscal_year < MAX_FISCAL_YEAR else None,
        },
    )


def _estimate(district, fiscal_year):
    return (
        Estimate.objects.filter(district=district, fiscal_year=fiscal_year)
        .select_related("updated_by")
        .first()
    )
