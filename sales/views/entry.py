"""The district's monthly entry page (SPEC section 5, screen 2)."""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, IntegrityError
from django.shortcuts import redirect, render
from django.urls import reverse

from otopdoc import lock
from otopdoc.access import district_for, fiscal_month_or_404, officer_of
from otopdoc.failures import write_failed
from otopdoc.fiscal import fiscal_months
from otopdoc.templatetags.thai import baht
from sales.forms import MonthRevisionForm, SaleRowForm, SaleRowFormSet, row_values
from sales.models import MonthlySale, Producer, ProducerType, ProductType
from sales.services import StaleMonth, month_revision, save_month

SAVED = "บันทึกข้อมูลสมบูรณ์"


@login_required
def month_entry(request, district, fiscal_year, month):
    """Show a district's month as one form; save it whole on POST.

    Province and department officers of the area see it read-only; the department sees
    only the rows the province has confirmed.
    """
    officer = officer_of(request.user)
    writing = request.method == "POST"
    district = district_for(request.user, district, write=writing)
    fiscal_month = fiscal_month_or_404(fiscal_year, month)
    can_edit = officer.is_district and officer.district_id == district.pk
    refusal = lock.refusal(officer, fiscal_month, district=district) if can_edit else None
    if writing and refusal:
        # The calendar middleware refuses these first; this keeps the view safe alone.
        raise PermissionDenied(refusal.message)

    month_rows = MonthlySale.objects.for_month(district, fiscal_month)
    if officer.is_department:
        # The department sees what the province has confirmed, nothing else (SPEC 2).
        month_rows = month_rows.province_confirmed()
    rows = list(
        # returned_by: who sent a row back, shown by the row without a query per row.
        month_rows.select_related("producer", "returned_by").order_by(
            "producer__name", "product_type"
        )
    )
    existing = {row.pk: row for row in rows}
    prefilled_from = None

    initial = None
    if writing:
        formset = SaleRowFormSet(request.POST, prefix="rows", existing=existing)
        revision_form = MonthRevisionForm(request.POST, prefix="month")
        if formset.is_valid() and revision_form.is_valid():
            deleted = formset.deleted_forms  # a property that loops over every form
            try:
                save_month(
                    district,
                    fiscal_month,
                    request.user,
                    revision_form.cleaned_data["revision"],
                    # A new row left blank has no cleaned data: it is skipped, not saved.
                    rows=[
                        f.cleaned_data for f in formset.forms if f not in deleted and f.cleaned_data
                    ],
                    deleted_ids={
                        f.cleaned_data["id"]: f.cleaned_data.get("version")
                        for f in deleted
                        if f.cleaned_data.get("id")
                    },
                )
            except (StaleMonth, IntegrityError):
                messages.error(request, StaleMonth.message)
            except DatabaseError:
                # save_month is one transaction: nothing was written, the revision is
                # not used up, and the page keeps what was typed for another try.
                write_failed(request, "month entry save")
            else:
                messages.success(request, SAVED)
                return redirect(request.path)
        else:
            messages.error(request, "ยังไม่ได้บันทึก: กรุณาแก้ไขช่องที่มีข้อความสีแดง")
    else:
        initial = [row_values(row) for row in rows]
        if not rows and can_edit and fiscal_month.has_started():
            initial, prefilled_from = _prefill(district, fiscal_month)
        formset = SaleRowFormSet(prefix="rows", initial=initial, existing=existing)
        revision_form = MonthRevisionForm(
            prefix="month", initial={"revision": month_revision(district, fiscal_month)}
        )

    return render(
        request,
        "sales/month_entry.html",
        {
            "district": district,
            "fiscal_month": fiscal_month,
            "months": fiscal_months(fiscal_month.fiscal_year),
            "grid": grid_rows(formset, existing, initial),
            # Not {{ formset.management_form }} and the like: the template engine tries
            # formset["management_form"] first, which builds a form for every row.
            "page_errors": formset.non_form_errors() if formset.is_bound else [],
            "management_form": formset.management_form,
            "blank_row": {"index": "__prefix__", "name": "", "domestic": "", "export": ""},
            "revision_form": revision_form,
            "totals": {
                "domestic": sum((r.domestic for r in rows), Decimal("0.00")),
                "export": sum((r.export for r in rows), Decimal("0.00")),
                "total": sum((r.total for r in rows), Decimal("0.00")),
            },
            "can_edit": can_edit and refusal is None,
            "refusal": refusal,
            "prefilled_from": prefilled_from,
            "province_confirmed_only": officer.is_department,
            # One reverse() for the grid's history links, not one per row (~40 ms at 500).
            "history_url": reverse("sale-history", args=[0]).removesuffix("0/"),
            "producer_names": Producer.objects.filter(district=district)
            .order_by("name")
            .values_list("name", flat=True),
            "product_types": ProductType.choices,
            "producer_types": ProducerType.choices,
        },
    )


def grid_rows(formset, existing, initial=None):
    """Return the grid's rows as plain dicts: what to show in each cell and its errors.

    After a refused POST the cells show what the officer typed, from the bound formset;
    otherwise the saved or prefilled values, straight from `initial` without building a
    form per row. Rendering Django forms and widgets for 500 rows took over a second, so
    the template draws the inputs itself from these dicts.
    """
    if formset.is_bound:
        entries = [
            (
                {name: form[name].data for name in SaleRowForm.base_fields},
                form.errors,
                bool(form["DELETE"].data),
            )
            for form in formset.forms
        ]
    else:
        entries = [(values, {}, False) for values in initial]
    rows = []
    for index, (values, errors, deleted) in enumerate(entries):
        values = {name: values.get(name) for name in SaleRowForm.base_fields}
        row_id = _int_or_none(values["id"])
        row = existing.get(row_id)
        domestic, export = values["domestic"], values["export"]
        rows.append(
            {
                "index": index,
                "number": index + 1,
                "id": row_id,
                "version": values["version"],
                "name": values["name"] or "",
                "product_type": values["product_type"] or "",
                "producer_type": values["producer_type"] or "",
                "product_type_label": _label(ProductType, values["product_type"]),
                "producer_type_label": _label(ProducerType, values["producer_type"]),
                "domestic": _shown(domestic),
                "export": _shown(export),
                "total": baht(row.total) if row and not formset.is_bound else "",
                "row": row,
                "deleted": deleted,
                "errors": {k: v for k, v in errors.items() if k != "__all__"},
                "non_field": errors.get("__all__", []),
            }
        )
    return rows


def _shown(value):
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return baht(value)
    return value


def _label(choices, value):
    try:
        return choices(value).label
    except ValueError:
        return ""


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _prefill(district, fiscal_month):
    """Offer last month's producers and types with empty amounts (the old step 6)."""
    previous = fiscal_month.previous
    rows = (
        MonthlySale.objects.for_month(district, previous)
        .select_related("producer")
        .order_by("producer__name", "product_type")
    )
    initial = [
        {
            "name": row.producer.name,
            "product_type": row.product_type,
            "producer_type": row.producer.producer_type,
        }
        for row in rows
    ]
    return initial, (previous if initial else None)
