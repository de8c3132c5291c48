"""Each role's home: a district's months, a province's districts, the nation by cluster."""

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Sum
from django.http import Http404
from django.shortcuts import redirect, render

from otopdoc.access import department_only, district_for, officer_of, province_for
from otopdoc.fiscal import (
    MAX_FISCAL_YEAR,
    MIN_FISCAL_YEAR,
    FiscalMonth,
    current_fiscal_year,
    fiscal_months,
)
from sales.models import Cluster, MonthlySale

MONTH_FIGURES = {
    "rows": Count("id"),
    "domestic": Sum("domestic"),
    "export": Sum("export"),
    "total": Sum("total"),
    "district_confirmed": Count("district_confirmed_at"),
    "province_confirmed": Count("province_confirmed_at"),
}


def _fiscal_year_param(request):
    """Return ?fy= as a fiscal year, or the current one; a bad value is a 404."""
    raw = request.GET.get("fy")
    if raw is None:
        return current_fiscal_year()
    if not raw.isdigit() or not MIN_FISCAL_YEAR <= int(raw) <= MAX_FISCAL_YEAR:
        raise Http404("ไม่มีปีงบประมาณนี้")
    return int(raw)


def _fiscal_month_param(request):
    """Return ?fy=&month= as a FiscalMonth, or the current month."""
    fiscal_year = _fiscal_year_param(request)
    raw = request.GET.get("month")
    if raw is None:
        current = FiscalMonth.current()
        return current if current.fiscal_year == fiscal_year else FiscalMonth(fiscal_year, 9)
    if not raw.isdigit() or not 1 <= int(raw) <= 12:
        raise Http404("ไม่มีเดือนนี้")
    return FiscalMonth(fiscal_year, int(raw))


@login_required
def home(request):
    """Send each officer to the home of their own area."""
    officer = officer_of(request.user)
    if officer.is_district:
        return redirect("district-home", code=officer.district_id)
    if officer.is_province:
        return redirect("province-home", code=officer.province_id)
    return redirect("nation-home")


@login_required
def district_home(request, code):
    """List the months of a fiscal year of one district, with what each holds."""
    district = district_for(request.user, code)
    fiscal_year = _fiscal_year_param(request)
    figures = {
        row["month"]: row
        for row in MonthlySale.objects.filter(district=district, fiscal_year=fiscal_year)
        .values("month")
        .annotate(**MONTH_FIGURES)
    }
    months = [(fm, figures.get(fm.month)) for fm in fiscal_months(fiscal_year)]
    return render(
        request,
        "otopdoc/district_home.html",
        {
            "district": district,
            "fiscal_year": fiscal_year,
            "months": months,
            "year_choices": _year_choices(),
        },
    )


@login_required
def province_home(request, code):
    """List a province's districts with where the chosen month stands in each."""
    province = province_for(request.user, code)
    fiscal_month = _fiscal_month_param(request)
    figures = {
        row["district"]: row
        for row in MonthlySale.objects.filter(
            district__province=province,
            fiscal_year=fiscal_month.fiscal_year,
            month=fiscal_month.month,
        )
        .values("district")
        .annotate(**MONTH_FIGURES)
    }
    districts = [(d, figures.get(d.pk)) for d in province.districts.all()]
    return render(
        request,
        "otopdoc/province_home.html",
        {
            "province": province,
            "fiscal_month": fiscal_month,
            "districts": districts,
            "months": fiscal_months(fiscal_month.fiscal_year),
            "year_choices": _year_choices(),
        },
    )


@login_required
def nation_home(request):
    """List the provinces by cluster with what the department can count this month."""
    department_only(request.user)
    fiscal_month = _fiscal_month_param(request)
    figures = {
        row["district__province"]: row
        for row in MonthlySale.objects.filter(
            fiscal_year=fiscal_month.fiscal_year, month=fiscal_month.month
        )
        .values("district__province")
        .annotate(**MONTH_FIGURES)
    }
    clusters = Cluster.objects.prefetch_related("provinces")
    return render(
        request,
        "otopdoc/nation_home.html",
        {
            "clusters": [
                (cluster, [(p, figures.get(p.pk)) for p in cluster.provinces.all()])
                for cluster in clusters
            ],
            "fiscal_month": fiscal_month,
            "months": fiscal_months(fiscal_month.fiscal_year),
            "year_choices": _year_choices(),
        },
    )


def _year_choices():
    current = current_fiscal_year()
    return list(range(current, current - 10, -1))
