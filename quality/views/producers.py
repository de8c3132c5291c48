"""The district's producer registry at /sales/<district>/producers/ (issue 15 point 3).

The district, its province and the department may look (the department counts only
province-confirmed figures); only the district's own officers rename, merge or retire a
producer (403 to the others, 404 to outsiders), and not while the calendar is closed.
"""

from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Sum
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from confirmations.models import AuditEntry
from otopdoc import lock
from otopdoc.access import district_for, officer_of
from otopdoc.fiscal import FISCAL_ORDER, FiscalMonth
from quality import registry
from quality.forms import ActiveForm, MergeForm, RenameForm
from quality.models import ProducerEvent
from sales.models import MonthlySale, Producer, ProducerType, ProductType

ACTIVE_CHOICES = {"": "ทั้งหมด", "1": "ยังดำเนินการ", "0": "เลิกใช้งาน"}


def _visible(officer, district):
    rows = MonthlySale.objects.filter(district=district)
    return rows.province_confirmed() if officer.is_department else rows


def _writer(officer, district):
    return officer.is_district and officer.district_id == district.pk


@login_required
@require_safe
def producer_list(request, district):
    """List the district's producers with search, filters, totals by fiscal year, duplicates."""
    officer = officer_of(request.user)
    district = district_for(request.user, district)
    producers = list(district.producers.select_related("subdistrict").order_by("name"))
    query = " ".join(request.GET.get("q", "").split())
    kind = request.GET.get("type", "")
    tambon = request.GET.get("tambon", "")
    active = request.GET.get("active", "")
    if kind not in {"", *ProducerType.values} or active not in ACTIVE_CHOICES:
        raise Http404("ไม่มีตัวเลือกนี้")
    shown = producers
    if query:
        wanted = registry.normalise(query)
        shown = [p for p in shown if wanted in registry.normalise(p.name)]
    if kind:
        shown = [p for p in shown if p.producer_type == kind]
    if tambon:
        shown = [p for p in shown if p.subdistrict_id == tambon]
    if active:
        shown = [p for p in shown if p.active == (active == "1")]

    totals = defaultdict(dict)
    for producer_id, fiscal_year, total in (
        _visible(officer, district)
        .values_list("producer_id", "fiscal_year")
        .annotate(total=Sum("total"))
        .order_by()
    ):
        totals[producer_id][fiscal_year] = total
    years = sorted({fy for by_year in totals.values() for fy in by_year}, reverse=True)[:4]
    return render(
        request,
        "quality/producers.html",
        {
            "district": district,
            "lines": [(p, [totals[p.pk].get(fy) for fy in years]) for p in shown],
            "years": years,
            "count": len(producers),
            "query": query,
            "kind": kind,
            "tambon": tambon,
            "active": active,
            "kinds": ProducerType.choices,
            "active_choices": ACTIVE_CHOICES.items(),
            "tambons": district.subdistricts.all(),
            "pairs": registry.similar_pairs(producers),
            "can_write": _writer(officer, district),
        },
    )


def _producer(district, producer_id):
    producer = Producer.objects.filter(district=district, pk=producer_id).first()
    if producer is None:
        raise Http404("ไม่พบผู้ผลิตนี้")
    return producer


@login_required
@require_safe
def producer_detail(request, district, producer_id):
    """Show a producer: every month of every year, its trail, and the district's forms."""
    district = district_for(request.user, district)
    return _detail(request, district, _producer(district, producer_id))


def _detail(request, district, producer, forms=None, status=200):
    officer = officer_of(request.user)
    grid = defaultdict(dict)
    sale_ids = []
    for sale_id, fiscal_year, month, product_type, total in (
        _visible(officer, district)
        .filter(producer=producer)
        .values_list("pk", "fiscal_year", "month", "product_type", "total")
    ):
        sale_ids.append(sale_id)
        grid[(fiscal_year, product_type)][month] = (sale_id, total)
    labels = dict(ProductType.choices)
    years = [
        {
            "fiscal_year": fy,
            "product_type": labels.get(pt, pt),
            "months": [by_month.get(m) for m in FISCAL_ORDER],
            "total": sum(total for _, total in by_month.values()),
        }
        for (fy, pt), by_month in sorted(grid.items(), key=lambda item: (-item[0][0], item[0][1]))
    ]
    events = ProducerEvent.objects.filter(producer_id=producer.pk).select_related("user")
    audit = [
        (entry, FiscalMonth(entry.fiscal_year, entry.month).label)
        for entry in AuditEntry.objects.filter(sale_id__in=sale_ids)
        .select_related("user")
        .order_by("-at", "-id")[:200]
    ]
    forms = forms or {}
    can_write = _writer(officer, district)
    return render(
        request,
        "quality/producer.html",
        {
            "district": district,
            "producer": producer,
            "years": years,
            "month_names": [FiscalMonth(2570, m).name for m in FISCAL_ORDER],
            "events": events,
            "audit": audit,
            "can_write": can_write,
            "others": district.producers.exclude(pk=producer.pk).order_by("name")
            if can_write
            else (),
            "rename_form": forms.get("rename") or RenameForm(initial={"name": producer.name}),
            "merge_form": forms.get("merge") or MergeForm(),
        },
        status=status,
    )


def _writable(request, district, producer_id):
    """Return (district, producer) for a registry write, or refuse (403/404 or the calendar)."""
    district = district_for(request.user, district, write=True)
    refusal = lock.refusal(officer_of(request.user))
    if refusal is not None:
        raise PermissionDenied(refusal.message)
    return district, _producer(district, producer_id)


@login_required
@require_POST
def producer_rename(request, district, producer_id):
    district, producer = _writable(request, district, producer_id)
    form = RenameForm(request.POST)
    if form.is_valid():
        try:
            registry.rename_producer(producer, request.user, form.cleaned_data["name"])
        except registry.RegistryError as error:
            form.add_error("name", error.message)
        else:
            messages.success(request, "เปลี่ยนชื่อแล้ว ประวัติทุกเดือนตามไปด้วย")
            return redirect("producer-detail", district.code, producer.pk)
    return _detail(request, district, producer, {"rename": form}, status=400)


@login_required
@require_POST
def producer_merge(request, district, producer_id):
    """Merge another producer of any district named in the form into this one (if allowed)."""
    district, producer = _writable(request, district, producer_id)
    form = MergeForm(request.POST)
    if form.is_valid():
        other = Producer.objects.filter(pk=form.cleaned_data["other"]).first()
        try:
            if other is None:
                raise registry.RegistryError("ไม่พบผู้ผลิตที่เลือก")
            summary = registry.merge_producers(producer, other, request.user)
        except registry.RegistryError as error:
            form.add_error("other", error.message)
        else:
            messages.success(
                request,
                f"รวม “{other.name}” เข้ากับ “{producer.name}” แล้ว: ย้าย {summary['moved']} รายการ "
                f"และรวมยอดเข้ารายการเดิม {summary['added']} รายการ (ต้องยืนยันใหม่)",
            )
            return redirect("producer-detail", district.code, producer.pk)
    return _detail(request, district, producer, {"merge": form}, status=400)


@login_required
@require_POST
def producer_active(request, district, producer_id):
    district, producer = _writable(request, district, producer_id)
    form = ActiveForm(request.POST)
    form.is_valid()
    active = form.cleaned_data.get("active", False)
    if registry.set_active(producer, request.user, active):
        messages.success(
            request,
            "กลับมาใช้งานแล้ว" if active else "เลิกใช้งานแล้ว เดือนใหม่จะไม่แสดงผู้ผลิตรายนี้ให้เลือก",
        )
    return redirect("producer-detail", district.code, producer.pk)
