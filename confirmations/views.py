"""Confirmation at two levels, the province's send-back, and a row's history (SPEC 5: 3, 4).

The rules (what may be ticked, stale pages, forged ids) are confirmations.services'; these
views find the area through the officer's scope, show one batch of 100 rows, parse what
the page posted and call the services.
"""

import math
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_POST

from confirmations import services
from confirmations.forms import MAX_BATCH, NUMBER, ConfirmForm, SendBackForm
from confirmations.models import AuditEntry
from confirmations.services import BATCH_SIZE, FOREIGN, STALE, ConfirmationError
from otopdoc import lock
from otopdoc.access import district_for, fiscal_month_or_404, officer_of
from otopdoc.failures import NOT_SAVED, write_failed
from otopdoc.fiscal import FiscalMonth, current_fiscal_year, fiscal_months
from otopdoc.templatetags.thai import baht, be
from sales.models import MonthlySale, ProducerType, ProductType

DISTRICT, PROVINCE = "district", "province"
URL_NAMES = {DISTRICT: "confirm-district", PROVINCE: "confirm-province"}
SAVED = "บันทึกข้อมูลสมบูรณ์"
# A row whose total is ten times last month's, or a tenth of it, is marked for a check.
JUMP = 10


@login_required
def district_confirmation(request, district, fiscal_year, month):
    """Show one batch of a district's month with its ticks; save the district's ticks.

    The district's own officers confirm; the province and the department of the area may
    look (403 on a write); anyone else gets 404.
    """
    writing = request.method == "POST"
    district = district_for(request.user, district, write=writing)
    fiscal_month = fiscal_month_or_404(fiscal_year, month)
    if writing:
        return _save_ticks(request, DISTRICT, district, fiscal_month, services.confirm_district)
    moved = _moved(request, DISTRICT, district, fiscal_month)
    return moved or _page(request, DISTRICT, district, fiscal_month, _batch_param(request))


@login_required
def province_confirmation(request, district, fiscal_year, month):
    """Show one batch of a district's month to its province; save the province's ticks.

    Only rows the district has confirmed can be ticked. The department may look.
    """
    writing = request.method == "POST"
    district = _province_district(request, district, write=writing)
    fiscal_month = fiscal_month_or_404(fiscal_year, month)
    if writing:
        return _save_ticks(request, PROVINCE, district, fiscal_month, services.confirm_province)
    moved = _moved(request, PROVINCE, district, fiscal_month)
    return moved or _page(request, PROVINCE, district, fiscal_month, _batch_param(request))


@login_required
@require_POST
def send_back(request, district, fiscal_year, month):
    """Send the chosen rows of a batch back to the district with a reason.

    Steps:
    1. Only the province officer of the district's province may (404 to district officers
       and other provinces, 403 to the department).
    2. Check the form: rows shown, rows chosen, and a reason.
    3. Call services.send_back; show its refusal on the province page, or go back there.
    """
    district = _province_district(request, district, write=True)
    fiscal_month = fiscal_month_or_404(fiscal_year, month)
    _refuse_when_locked(request, district, fiscal_month)
    form = SendBackForm(request.POST)
    problem = None
    if form.is_valid():
        data = form.cleaned_data
        try:
            count = services.send_back(
                district,
                fiscal_month,
                request.user,
                data["row"],
                data["chosen"],
                data["reason"],
                batch=data["batch"],
            )
        except ConfirmationError as error:
            problem = error
        except DatabaseError:
            # One transaction: no row went back. The page keeps the chosen rows and reason.
            write_failed(request, "send back", message=False)
            problem = ConfirmationError(NOT_SAVED)
        else:
            messages.success(
                request,
                f"ส่งกลับให้อำเภอ{district.name_th}แก้ไขแล้ว {count} รายการ "
                "อำเภอจะเห็นเหตุผลที่หน้าบันทึกยอดจำหน่าย",
            )
            return redirect(_page_url(PROVINCE, district, fiscal_month, data["batch"]))
    elif form.foreign():
        problem = ConfirmationError(FOREIGN)
    batch = form.cleaned_data.get("batch") or _posted_batch(request)
    return _page(request, PROVINCE, district, fiscal_month, batch, problem, send_back_form=form)


@login_required
def sale_history(request, sale_id):
    """Show everything that happened to one monthly row, oldest first, even once deleted.

    The entries carry the row's district: whoever may not see that district gets 404, as
    does a row without history. The department sees only province-confirmed data, so it
    gets the history of a row only while the province has it confirmed.
    """
    officer = officer_of(request.user)
    if (
        officer.is_department
        and not MonthlySale.objects.filter(pk=sale_id, province_confirmed_at__isnull=False).exists()
    ):
        raise Http404("ไม่พบประวัติของรายการนี้")
    entries = list(
        AuditEntry.objects.filter(sale_id=sale_id).select_related(
            "user__officer__district__province", "user__officer__province"
        )
    )
    if not entries:
        raise Http404("ไม่พบประวัติของรายการนี้")
    district = district_for(request.user, entries[0].district_id)
    entries = [entry for entry in entries if entry.district_id == district.pk]
    latest = entries[-1].new or entries[-1].old or {}
    fiscal_month = FiscalMonth(entries[-1].fiscal_year, entries[-1].month)
    return render(
        request,
        "confirmations/history.html",
        {
            "district": district,
            "fiscal_month": fiscal_month,
            "sale_id": sale_id,
            "producer": latest.get("producer", ""),
            "product_type": _label(ProductType, latest.get("product_type")),
            "exists": MonthlySale.objects.filter(pk=sale_id).exists(),
            "entries": [(entry, _changes(entry)) for entry in entries],
        },
    )


# --- access ------------------------------------------------------------------------------


def _province_district(request, code, *, write=False):
    """Return the district for the province's pages, or refuse.

    The province's page is not the district's: district officers get 404 like outsiders.
    Only the officers of the district's province may write; the department may look.
    """
    district = district_for(request.user, code)
    officer = officer_of(request.user)
    if officer.is_district:
        raise Http404("ไม่พบหน้านี้")
    if write and not (officer.is_province and officer.province_id == district.province_id):
        raise PermissionDenied(
            f"เฉพาะสำนักงานพัฒนาชุมชนจังหวัด{district.province.name_th}เท่านั้นที่ยืนยันข้อมูลระดับจังหวัดได้"
        )
    return district


def _writer(officer, level, district):
    if level == DISTRICT:
        return officer.is_district and officer.district_id == district.pk
    return officer.is_province and officer.province_id == district.province_id


def _refuse_when_locked(request, district, fiscal_month):
    # The calendar middleware refuses these first (423); this keeps the views safe alone.
    refusal = lock.refusal(officer_of(request.user), fiscal_month, district=district)
    if refusal:
        raise PermissionDenied(refusal.message)


# --- saving ticks ------------------------------------------------------------------------


def _save_ticks(request, level, district, fiscal_month, confirm):
    """Parse the posted batch and call the level's service; show a refusal on the page.

    A database error (even a dropped connection) mid-batch saves no tick of the batch: the
    page says so in Thai and keeps the officer's ticks.
    """
    _refuse_when_locked(request, district, fiscal_month)
    form = ConfirmForm(request.POST)
    if not form.is_valid():
        problem = ConfirmationError(FOREIGN)
        return _page(request, level, district, fiscal_month, _posted_batch(request), problem)
    data = form.cleaned_data
    try:
        confirmed, withdrawn = confirm(
            district, fiscal_month, request.user, data["row"], data["tick"], batch=data["batch"]
        )
    except ConfirmationError as error:
        # Keep the officer's ticks to correct the marked rows, unless the page itself is
        # out of date or not ours: then show what the database holds.
        kept = None if error.message in (STALE, FOREIGN) else data["tick"]
        return _page(request, level, district, fiscal_month, data["batch"], error, kept)
    except DatabaseError:
        # The batch is one transaction: no tick was saved. Keep the officer's ticks.
        write_failed(request, f"{level} confirmation", message=False)
        problem = ConfirmationError(NOT_SAVED)
        return _page(request, level, district, fiscal_month, data["batch"], problem, data["tick"])
    messages.success(request, _saved(confirmed, withdrawn))
    url = _page_url(level, district, fiscal_month, data["batch"])
    # ?saved=1: the page offers the next batch, the officer's likely next step.
    return redirect(url + ("&" if "?" in url else "?") + "saved=1")


def _saved(confirmed, withdrawn):
    done = []
    if confirmed:
        done.append(f"ยืนยัน {confirmed} รายการ")
    if withdrawn:
        done.append(f"ยกเลิกการยืนยัน {withdrawn} รายการ")
    return f"{SAVED}: {' และ'.join(done)}" if done else f"{SAVED} (ไม่มีรายการที่เปลี่ยนแปลง)"


# --- the page ----------------------------------------------------------------------------


def _page(
    request,
    level,
    district,
    fiscal_month,
    batch,
    problem=None,
    ticked=None,
    send_back_form=None,
):
    """Render one batch of the month at a level, with a refusal and the officer's ticks.

    Queries do not grow with the rows: a count, the batch, last month's rows of the batch's
    producers, and the province's districts.
    """
    officer = officer_of(request.user)
    writer = _writer(officer, level, district)
    refusal = lock.refusal(officer, fiscal_month, district=district) if writer else None
    can_write = writer and refusal is None

    visible = MonthlySale.objects.select_related("returned_by")
    if officer.is_department:
        # The department counts what the province confirmed, and sees only that.
        visible = visible.province_confirmed()
    count = visible.for_month(district, fiscal_month).count()
    batches = max(1, math.ceil(count / BATCH_SIZE))
    batch = min(batch, batches)
    rows = list(services.batch_rows(district, fiscal_month, batch, visible))
    last = _last_month_totals(visible, district, fiscal_month, rows)
    trust = _trust(rows, district, fiscal_month, visible)

    marked = set(problem.rows) if problem else set()
    chosen = set()
    if send_back_form is not None and send_back_form.is_bound:
        chosen = (getattr(send_back_form, "cleaned_data", None) or {}).get("chosen") or set()
    first = (batch - 1) * BATCH_SIZE + 1
    lines = []
    for number, row in enumerate(rows, start=first):
        previous = last.get((row.producer_id, row.product_type))
        district_ticked = row.district_confirmed_at is not None
        province_ticked = row.province_confirmed_at is not None
        if ticked is not None and level == DISTRICT and row.province_confirmed_at is None:
            district_ticked = row.pk in ticked  # what the province confirmed stays ticked
        if ticked is not None and level == PROVINCE:
            province_ticked = row.pk in ticked
        lines.append(
            {
                "number": number,
                "row": row,
                "product_type": _label(ProductType, row.product_type),
                "producer_type": _label(ProducerType, row.producer_type),
                "last": previous,
                "change": _change(row.total, previous),
                "district_ticked": district_ticked,
                "province_ticked": province_ticked,
                # What the level's officer can tick on this row (the services decide).
                "district_open": can_write
                and level == DISTRICT
                and row.province_confirmed_at is None,
                "province_open": can_write
                and level == PROVINCE
                and row.district_confirmed_at is not None,
                "chosen": row.pk in chosen,
                "marked": row.pk in marked,
                **_shown(row, previous),
                **trust(row),
            }
        )

    if level == PROVINCE and send_back_form is None:
        send_back_form = SendBackForm(initial={"batch": batch})
    return render(
        request,
        "confirmations/confirm.html",
        {
            "level": level,
            "district": district,
            "fiscal_month": fiscal_month,
            "lines": lines,
            "count": count,
            "batch": batch,
            # Named as the old screen named them: 1-100, 101-200, ...
            "batches": [
                (n, (n - 1) * BATCH_SIZE + 1, n * BATCH_SIZE) for n in range(1, batches + 1)
            ],
            "first": first,
            "last_number": first + len(rows) - 1,
            "next_batch": _next_batch(batch, batches, count),
            "just_saved": request.method == "GET" and request.GET.get("saved") == "1",
            "totals": _totals(rows, last),
            "previous_month": fiscal_month.previous,
            "problem": problem,
            "can_write": can_write,
            "refusal": refusal,
            "is_department": officer.is_department,
            "send_back_form": send_back_form,
            "send_back_open": can_write and level == PROVINCE,
            "months": fiscal_months(fiscal_month.fiscal_year),
            "years": _years(fiscal_month.fiscal_year),
            "districts": district.province.districts.all() if level == PROVINCE else (),
            "url_name": URL_NAMES[level],
            "history_url": reverse("sale-history", args=[0]).removesuffix("0/"),
        },
    )


def _shown(row, previous):
    """Return a row's values as the page prints them, so its template calls no filters.

    A batch renders 100 rows; formatting here, with the row written inline in the page
    rather than included per row, took about a quarter off the page's CPU (the fastest of
    41 runs of a 100-row batch on PostgreSQL: district 64 -> 47 ms, province 69 -> 53 ms).
    """
    if row.province_confirmed_at:
        state, state_at = "province", be(row.province_confirmed_at)
    elif row.district_confirmed_at:
        state, state_at = "district", be(row.district_confirmed_at)
    elif row.returned_at:
        state, state_at = "returned", None
    else:
        state, state_at = "waiting", None
    returned = row.returned_at is not None
    return {
        "pk": row.pk,
        "version": row.version,
        "name": row.producer.name,
        "domestic": baht(row.domestic),
        "export": baht(row.export),
        "total": baht(row.total),
        "last_baht": None if previous is None else baht(previous),
        "state": state,
        "state_at": state_at,
        "returned": returned,
        "returned_reason": row.returned_reason,
        "returned_by": row.returned_by.get_username() if returned else "",
        "returned_when": be(row.returned_at, "short") if returned else "",
        "province_confirmed": row.province_confirmed_at is not None,
        "district_confirmed": row.district_confirmed_at is not None,
    }


def _trust(rows, district, fiscal_month, visible):
    """Return a function giving a row's outlier flag, recent history and note (quality).

    A fixed number of queries for the batch: the district's baselines, the history of the
    batch's producers, and their notes.
    """
    from quality import outliers
    from quality.models import RowNote

    flags = outliers.flags_for(rows, district, fiscal_month)
    history = outliers.recent_history(rows, fiscal_month, visible)
    notes = {n.sale_id: n for n in RowNote.objects.filter(sale__in=[r.pk for r in rows])}
    note_prefix = reverse("row-note", args=[0]).removesuffix("0/")  # one reverse per batch

    def of(row):
        months = history.get((row.producer_id, row.product_type), [])
        return {
            "flag": flags.get(row.pk),
            "history": months,
            # The last twelve months as the page prints them: (label, baht).
            "recent": [(fm.label, baht(total)) for fm, total in months[:12]],
            "note": notes.get(row.pk),
            "note_url": f"{note_prefix}{row.pk}/",
        }

    return of


def _last_month_totals(visible, district, fiscal_month, rows):
    """Return {(producer id, product type): total} of last month for the batch's producers."""
    if not rows:
        return {}
    return {
        (producer_id, product_type): total
        for producer_id, product_type, total in visible.for_month(district, fiscal_month.previous)
        .filter(producer_id__in={row.producer_id for row in rows})
        .values_list("producer_id", "product_type", "total")
    }


def _change(total, last):
    """Return "up" or "down" when a total moved ten times or more since last month."""
    if last is None or total == last:
        return None
    if total >= last * JUMP:
        return "up"
    if total * JUMP <= last:
        return "down"
    return None


def _totals(rows, last):
    zero = Decimal("0.00")
    return {
        "domestic": sum((row.domestic for row in rows), zero),
        "export": sum((row.export for row in rows), zero),
        "total": sum((row.total for row in rows), zero),
        "last": sum((last.get((row.producer_id, row.product_type)) or zero for row in rows), zero),
    }


def _label(choices, value):
    try:
        return choices(value).label
    except ValueError:
        return value or ""


def _years(shown):
    current = current_fiscal_year()
    return sorted({*range(current, current - 10, -1), shown}, reverse=True)


def _next_batch(batch, batches, count):
    """Return the batch after this one as {"number", "first", "last"} (row numbers), or None."""
    if batch >= batches:
        return None
    following = batch + 1
    first = batch * BATCH_SIZE + 1
    return {"number": following, "first": first, "last": min(count, following * BATCH_SIZE)}


# --- the pickers -------------------------------------------------------------------------


def _page_url(level, district, fiscal_month, batch=1):
    url = reverse(
        URL_NAMES[level], args=[district.code, fiscal_month.fiscal_year, fiscal_month.month]
    )
    return f"{url}?batch={batch}" if batch > 1 else url


def _batch_param(request):
    raw = request.GET.get("batch", "")
    if NUMBER.fullmatch(raw) and 1 <= int(raw) <= MAX_BATCH:
        return int(raw)
    return 1


def _posted_batch(request):
    raw = request.POST.get("batch", "")
    if NUMBER.fullmatch(raw) and 1 <= int(raw) <= MAX_BATCH:
        return int(raw)
    return 1


def _moved(request, level, district, fiscal_month):
    """Follow the picker's ?fy=&month=&district= to the page it names, or return None.

    The picker is a plain GET form, so it works without JavaScript; the page it names
    checks the officer's scope itself.
    """
    if not {"fy", "month", "district"} & set(request.GET):
        return None
    code = request.GET.get("district") or district.code
    fiscal_year = request.GET.get("fy") or str(fiscal_month.fiscal_year)
    month = request.GET.get("month") or str(fiscal_month.month)
    if not (NUMBER.fullmatch(fiscal_year) and NUMBER.fullmatch(month)):
        raise Http404("ไม่มีเดือนนี้")
    try:
        url = reverse(URL_NAMES[level], args=[code, int(fiscal_year), int(month)])
    except NoReverseMatch:
        raise Http404("ไม่พบหน้านี้") from None
    same = (code, int(fiscal_year), int(month)) == (
        district.code,
        fiscal_month.fiscal_year,
        fiscal_month.month,
    )
    batch = _batch_param(request) if same else 1
    return redirect(f"{url}?batch={batch}" if batch > 1 else url)


# --- history -----------------------------------------------------------------------------

HISTORY_FIELDS = [
    ("producer", "ชื่อกลุ่ม / ผู้ผลิต"),
    ("product_type", "ประเภทผลิตภัณฑ์"),
    ("producer_type", "ประเภทกลุ่ม"),
    ("domestic", "ในประเทศ (บาท)"),
    ("export", "ต่างประเทศ (บาท)"),
    ("district_confirmed", "ยืนยันระดับอำเภอ"),
    ("province_confirmed", "ยืนยันระดับจังหวัด"),
    ("explanation", "คำอธิบาย"),
    ("follow_up", "ติดตาม"),
    ("follow_up_note", "หมายเหตุการติดตาม"),
]


def _changes(entry):
    """Return [(label, old, new)] of an entry's values in Thai: only what changed, or every
    value for a row created (no old) or deleted (no new)."""
    old, new = entry.old or {}, entry.new or {}
    changes = []
    for field, label in HISTORY_FIELDS:
        if field not in old and field not in new:
            continue
        before = _readable(field, old.get(field)) if entry.old else None
        after = _readable(field, new.get(field)) if entry.new else None
        # Compared as shown: "0" and "0.00" are one amount.
        if entry.old and entry.new and before == after:
            continue
        changes.append((label, before, after))
    return changes


def _readable(field, value):
    if value is None:
        return "–"
    if field == "product_type":
        return _label(ProductType, value)
    if field == "producer_type":
        return _label(ProducerType, value)
    if field in ("domestic", "export"):
        return baht(value)
    if field.endswith("_confirmed"):
        return "ยืนยันแล้ว" if value else "ยังไม่ยืนยัน"
    if field == "follow_up":
        return "ติดตาม" if value else "ไม่ติดตาม"
    return str(value)
