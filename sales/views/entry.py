"""The district's monthly entry page (SPEC section 5, screen 2).

The grid's rows travel as one JSON document in the page (`grid_document`), drawn into
inputs by static/js/entry.js: a template per row cost about 80 % of the page's CPU and
2.9 kB a row, the JSON costs a small constant per row (benchmarks/entry_grid.py).
"""

import json
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, IntegrityError
from django.db.models import F
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe

from confirmations.views import JUMP
from otopdoc import lock
from otopdoc.access import district_for, fiscal_month_or_404, officer_of
from otopdoc.failures import write_failed
from otopdoc.fiscal import fiscal_months
from otopdoc.templatetags.thai import baht, be
from quality.outliers import entry_document
from sales.forms import PROVINCE_LOCKED, MonthForm, MonthRevisionForm, SaleRowForm
from sales.models import MonthlySale, Producer, ProducerType, ProductType
from sales.services import StaleMonth, month_revision, save_month

SAVED = "บันทึกข้อมูลสมบูรณ์"
REFUSED = "ยังไม่ได้บันทึก: มี {count} แถวที่ต้องแก้ไข กรุณาแก้ไขช่องที่มีข้อความสีแดง"
REFUSED_PAGE = "ยังไม่ได้บันทึก: กรุณาแก้ไขช่องที่มีข้อความสีแดง"
# What each state of a row is called on the grid (templates/sales/includes/_row_state.html).
STATES = {
    "new": "ใหม่",
    "pending": "รอยืนยัน",
    "district": "อำเภอยืนยันแล้ว",
    "province": "จังหวัดยืนยันแล้ว",
    "returned": "จังหวัดส่งกลับ",
}
# <, > and & escaped as json_script does, so the document cannot end its <script> element.
_SCRIPT_ESCAPES = (("<", "\\u003C"), (">", "\\u003E"), ("&", "\\u0026"))


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

    visible = MonthlySale.objects.all()
    if officer.is_department:
        # The department sees what the province has confirmed, nothing else (SPEC 2).
        visible = visible.province_confirmed()
    month_rows = visible.for_month(district, fiscal_month).order_by(
        "producer__name", "product_type"
    )
    prefilled_from = None
    stale_rows = []

    initial = None
    if writing:
        # returned_by: who sent a row back, shown by the row without a query per row.
        existing = {row.pk: row for row in month_rows.select_related("producer", "returned_by")}
        saved_rows = [_flat(row) for row in existing.values()]
        month_form = MonthForm(request.POST, existing=existing)
        revision_form = MonthRevisionForm(request.POST, prefix="month")
        if month_form.is_valid() and revision_form.is_valid():
            try:
                saved = save_month(
                    district,
                    fiscal_month,
                    request.user,
                    revision_form.cleaned_data["revision"],
                    rows=month_form.kept_rows(),
                    deleted_ids=month_form.deleted_ids(),
                    held=existing,  # read above: the save does not read them again
                )
            except (StaleMonth, IntegrityError):
                stale_rows = changed_since(month_form, existing)
                messages.error(request, StaleMonth.message)
            except DatabaseError:
                # save_month is one transaction: nothing was written, the revision is
                # not used up, and the page keeps what was typed for another try.
                write_failed(request, "month entry save")
            else:
                messages.success(request, saved_message(saved))
                return redirect(request.path)
        else:
            messages.error(request, refused_message(month_form))
    else:
        # Plain values, not model instances: building three models a row was most of the
        # GET's remaining time once the grid left the template.
        saved_rows = list(month_rows.values(*FLAT_FIELDS, **FLAT_RELATED))
        initial = saved_rows
        if not saved_rows and can_edit and fiscal_month.has_started():
            initial, prefilled_from = _prefill(district, fiscal_month)
        month_form = MonthForm(initial=initial)
        revision_form = MonthRevisionForm(
            prefix="month", initial={"revision": month_revision(district, fiscal_month)}
        )

    editable = can_edit and refusal is None
    # The district's producers, read once for the outliers' names and the name cells.
    producers = (
        Producer.objects.filter(district=district)
        .order_by("name")
        .values_list("pk", "name", "active")
        if editable
        else []
    )
    grid = grid_rows(month_form, {row["id"]: row for row in saved_rows}, initial)
    returned = sum(1 for row in saved_rows if row["returned_at"])
    return render(
        request,
        "sales/month_entry.html",
        {
            "district": district,
            "fiscal_month": fiscal_month,
            "months": fiscal_months(fiscal_month.fiscal_year),
            "grid": grid,
            "grid_document": grid_document(
                grid,
                editable=editable,
                last=_last_month(visible, district, fiscal_month),
                # Outliers by the producer's own history, warned of as the officer types.
                outliers=entry_document(
                    district, fiscal_month, names={pk: name for pk, name, _ in producers}
                )
                if editable
                else None,
                # The names the name cells offer (a <datalist> the script fills); an
                # inactive producer is not suggested for a new row (quality.registry).
                producers=[name for _, name, active in producers if active],
                store_key=f"otop-unsaved:entry:{request.user.pk}:{district.code}:"
                f"{fiscal_month.fiscal_year}:{fiscal_month.month}",
            ),
            "page_errors": month_form.page_errors,
            "management_form": month_form.management_form,
            "revision_form": revision_form,
            "totals": {
                "domestic": sum((r["domestic"] for r in saved_rows), Decimal("0.00")),
                "export": sum((r["export"] for r in saved_rows), Decimal("0.00")),
                "total": sum((r["total"] for r in saved_rows), Decimal("0.00")),
            },
            "can_edit": editable,
            "refusal": refusal,
            "posted": writing,
            "stale_rows": stale_rows,
            "returned_count": returned,
            "prefilled_from": prefilled_from,
            "province_confirmed_only": officer.is_department,
        },
    )


def saved_message(saved):
    """Say the month is saved and how many confirmations the save withdrew."""
    if saved.get("withdrawn"):
        return f"{SAVED} · ต้องยืนยันใหม่ {saved['withdrawn']} รายการ"
    return SAVED


def refused_message(month_form):
    """Say how many rows are wrong, so the officer knows how much is left to fix."""
    wrong = sum(1 for row in month_form.rows if row.errors)
    return REFUSED.format(count=wrong) if wrong else REFUSED_PAGE


def changed_since(month_form, existing):
    """Return the names of the rows another officer changed or added since the page loaded.

    The page carries each row's id and version; a row whose version moved on, or a row
    the page never had, is the other officer's work.
    """
    shown = {}
    for row in month_form.rows:
        if row.cleaned_data.get("id") is not None:
            shown[row.cleaned_data["id"]] = row.cleaned_data.get("version")
    return [
        f"{row.producer.name} ({ProductType(row.product_type).label})"
        for row in existing.values()
        if row.pk not in shown or shown[row.pk] != row.version
    ]


def grid_rows(month_form, saved, initial=None):
    """Return the grid's rows as plain dicts: what to show in each cell and its errors.

    After a refused POST the cells show what the officer typed, from the bound MonthForm;
    otherwise the saved or prefilled values, straight from `initial`.
    """
    if month_form.is_bound:
        entries = [(row.data, row.errors, bool(row.data["DELETE"])) for row in month_form.rows]
    else:
        entries = [(values, {}, False) for values in initial]
    return [_grid_row(values, errors, deleted, saved) for values, errors, deleted in entries]


def _grid_row(values, errors, deleted, saved):
    values = {name: values.get(name) for name in SaleRowForm.base_fields}
    row_id = _int_or_none(values["id"])
    row = saved.get(row_id)
    grid_row = {
        "id": row_id,
        "version": values["version"],
        "name": values["name"] or "",
        "product_type": values["product_type"] or "",
        "producer_type": values["producer_type"] or "",
        "domestic": _shown(values["domestic"]),
        "export": _shown(values["export"]),
        "state": _state(row),
    }
    if deleted:
        grid_row["deleted"] = True
    if errors:
        grid_row["errors"] = {k: [str(e) for e in v] for k, v in errors.items()}
    if row and row["returned_at"]:
        grid_row["returned"] = {
            "reason": row["returned_reason"],
            "by": row["returned_by_name"] or "",
            "at": be(row["returned_at"], "short"),
        }
    if row and row["district_confirmed_at"] and not row["province_confirmed_at"]:
        # What the district confirmed: a change to it withdraws the confirmation.
        grid_row["confirmed"] = [
            row["name"],
            row["product_type"],
            row["producer_type"],
            str(row["domestic"]),
            str(row["export"]),
        ]
    return grid_row


def _state(row):
    if row is None:
        return "new"
    if row["province_confirmed_at"]:
        return "province"
    if row["district_confirmed_at"]:
        return "district"
    if row["returned_at"]:
        return "returned"
    return "pending"


# A saved row as the grid needs it, read with .values() on GET (see _flat for a model).
FLAT_FIELDS = (
    "id",
    "version",
    "product_type",
    "producer_type",
    "domestic",
    "export",
    "total",
    "district_confirmed_at",
    "province_confirmed_at",
    "returned_at",
    "returned_reason",
)
FLAT_RELATED = {
    "name": F("producer__name"),
    "returned_by_name": F("returned_by__username"),
}


def _flat(row):
    """Return a MonthlySale (producer and returned_by loaded) as FLAT_FIELDS would read it."""
    flat = {field: getattr(row, field) for field in FLAT_FIELDS}
    flat["name"] = row.producer.name
    flat["returned_by_name"] = row.returned_by.get_username() if row.returned_by else None
    return flat


def grid_document(grid, *, editable, last, producers, store_key, outliers=None):
    """Return the page's one JSON document, in its <script> element, as json_script would.

    It holds the rows and what the script needs to draw them.

    Thai stays as UTF-8 (3 bytes a letter, not 6 as \\uXXXX); <, > and & are escaped as
    json_script escapes them.
    """
    document = {
        "rows": grid,
        "editable": editable,
        "states": STATES,
        "locked": PROVINCE_LOCKED,
        "productTypes": ProductType.choices,
        "producerTypes": ProducerType.choices,
        "amountMessages": SaleRowForm.base_fields["domestic"].browser_messages(),
        "last": last,
        "producers": producers,
        "jump": JUMP,
        "outliers": outliers,
        "historyUrl": reverse("sale-history", args=[0]).removesuffix("0/"),
        "storeKey": store_key,
    }
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    # Three replaces: str.translate with a dict took ~40 ms on a 500-row document.
    for char, escaped in _SCRIPT_ESCAPES:
        text = text.replace(char, escaped)
    return mark_safe(  # noqa: S308 - escaped above as json_script escapes
        f'<script type="application/json" id="grid-data">{text}</script>'
    )


def _last_month(visible, district, fiscal_month):
    """Return last month's total of each producer and type, keyed "name|type" for the script.

    The key is the producer's name, so a row typed in the browser finds its last month too.
    """
    rows = visible.for_month(district, fiscal_month.previous).values_list(
        "producer__name", "product_type", "total"
    )
    return {f"{name}|{product_type}": str(total) for name, product_type, total in rows}


def _shown(value):
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return baht(value)
    return value


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
        .filter(producer__active=True)  # an inactive producer is not offered again
        .select_related("producer")
        .order_by("producer__name", "product_type")
    )
    initial = [
        {
            "name": row.producer.name,
            "product_type": row.product_type,
            "producer_type": row.producer_type,
        }
        for row in rows
    ]
    return initial, (previous if initial else None)
