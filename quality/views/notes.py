"""A row's page of trust: its figure against its history, the explanation and follow-up."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from otopdoc.access import district_for, officer_of
from otopdoc.fiscal import FiscalMonth
from quality import notes, outliers
from quality.forms import ExplanationForm, FollowUpForm
from quality.models import RowNote
from sales.models import MonthlySale


def sale_for(user, sale_id):
    """Return the row the officer may see (404 otherwise), its district checked first.

    The department sees only rows the province has confirmed (SPEC section 2).
    """
    officer = officer_of(user)
    found = MonthlySale.objects.filter(pk=sale_id).values_list("district", flat=True).first()
    if found is None:
        raise Http404("ไม่พบรายการนี้")
    district = district_for(user, found)
    rows = MonthlySale.objects.select_related("producer", "district__province")
    if officer.is_department:
        rows = rows.province_confirmed()
    sale = rows.filter(pk=sale_id, district=district).first()
    if sale is None:
        raise Http404("ไม่พบรายการนี้")
    return sale


def may_explain(officer, sale):
    return officer.is_district and officer.district_id == sale.district_id


def may_follow_up(officer, sale):
    if officer.is_department:
        return True
    return officer.is_province and officer.province_id == sale.district.province_id


@login_required
@require_safe
def row_note(request, sale_id):
    """Show a row's figure, the last months of its history, its flag, explanation and mark."""
    sale = sale_for(request.user, sale_id)
    return _page(request, sale)


@login_required
@require_POST
def explain(request, sale_id):
    """Save the district's explanation of a row (its own officers only: 403 to the others)."""
    sale = sale_for(request.user, sale_id)
    if not may_explain(officer_of(request.user), sale):
        raise PermissionDenied("เฉพาะสำนักงานพัฒนาชุมชนอำเภอนี้เท่านั้นที่เขียนคำอธิบายได้")
    form = ExplanationForm(request.POST)
    if not form.is_valid():
        return _page(request, sale, explanation_form=form, status=400)
    if notes.explain(sale, request.user, form.cleaned_data["explanation"]):
        messages.success(request, "บันทึกคำอธิบายแล้ว")
    return redirect("row-note", sale.pk)


@login_required
@require_POST
def follow_up(request, sale_id):
    """Mark a row for follow-up or take the mark off (the province or the department)."""
    sale = sale_for(request.user, sale_id)
    if not may_follow_up(officer_of(request.user), sale):
        raise PermissionDenied("เฉพาะจังหวัดและกรมการพัฒนาชุมชนเท่านั้นที่ทำเครื่องหมายติดตามได้")
    form = FollowUpForm(request.POST)
    if not form.is_valid():
        return _page(request, sale, follow_up_form=form, status=400)
    data = form.cleaned_data
    if notes.mark_follow_up(sale, request.user, data["follow_up"], data["note"]):
        messages.success(
            request, "ทำเครื่องหมายติดตามแล้ว" if data["follow_up"] else "ยกเลิกการติดตามแล้ว"
        )
    return redirect("row-note", sale.pk)


def _page(request, sale, explanation_form=None, follow_up_form=None, status=200):
    officer = officer_of(request.user)
    fiscal_month = FiscalMonth(sale.fiscal_year, sale.month)
    note = RowNote.objects.filter(sale=sale).select_related("explained_by", "follow_up_by").first()
    visible = MonthlySale.objects.all()
    if officer.is_department:
        visible = visible.province_confirmed()
    history = outliers.recent_history([sale], fiscal_month, visible).get(
        (sale.producer_id, sale.product_type), []
    )
    explanation_form = explanation_form or ExplanationForm(
        initial={"explanation": note.explanation if note else ""}
    )
    follow_up_form = follow_up_form or FollowUpForm(
        initial={
            "follow_up": note.follow_up if note else False,
            "note": note.follow_up_note if note else "",
        }
    )
    return render(
        request,
        "quality/row_note.html",
        {
            "sale": sale,
            "district": sale.district,
            "fiscal_month": fiscal_month,
            "flag": outliers.flags_for([sale], sale.district, fiscal_month).get(sale.pk),
            "history": history,
            "note": note,
            "can_explain": may_explain(officer, sale),
            "can_follow_up": may_follow_up(officer, sale),
            "explanation_form": explanation_form,
            "follow_up_form": follow_up_form,
        },
        status=status,
    )
