"""Each role's home: a district's months, a province's districts, the nation by cluster.

All three read the running totals (reports.MonthTotal) in one grouped query, never the
monthly rows, so they cost the same whether a month holds ten rows or a hundred thousand.
"""

from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q, Sum
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from confirmations.completeness import FIGURES, Progress, Tally, reporting_month
from otopdoc.access import department_only, district_for, officer_of, province_for
from otopdoc.db.router import reads_from_replica
from otopdoc.fiscal import (
    MAX_FISCAL_YEAR,
    MIN_FISCAL_YEAR,
    THAI_MONTHS_SHORT,
    FiscalMonth,
    current_fiscal_year,
    fiscal_months,
)
from reports.models import MonthTotal
from reports.versions import cached_drawing
from sales.models import LockException, MonthlySale, Province


def _fiscal_year_param(request):
    """Return ?fy= as a fiscal year, or the current one; a bad value is a 404."""
    raw = request.GET.get("fy")
    if raw is None:
        return current_fiscal_year()
    if not raw.isdigit() or not MIN_FISCAL_YEAR <= int(raw) <= MAX_FISCAL_YEAR:
        raise Http404("ไม่มีปีงบประมาณนี้")
    return int(raw)


def _fiscal_month_param(request, default=None):
    """Return ?fy=&month= as a FiscalMonth, or `default` (the current month) in that year."""
    fiscal_year = _fiscal_year_param(request)
    raw = request.GET.get("month")
    if raw is None:
        default = default or FiscalMonth.current()
        return default if default.fiscal_year == fiscal_year else FiscalMonth(fiscal_year, 9)
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
    """List the twelve months of a district's fiscal year: figures, state, links."""
    district = district_for(request.user, code)
    officer = officer_of(request.user)
    fiscal_year = _fiscal_year_param(request)
    now = timezone.now()
    figures = {
        row["month"]: row
        for row in MonthTotal.objects.filter(district=district, fiscal_year=fiscal_year)
        .values("month")
        .annotate(**FIGURES)
        .order_by()
    }
    sent_back = _sent_back(
        MonthlySale.objects.filter(district=district, fiscal_year=fiscal_year), officer, "month"
    )
    exceptions = _open_exceptions(district, fiscal_year, now)
    months = [
        (
            fm,
            Progress.of(fm, now, figures.get(fm.month), confirmed_only=officer.is_department),
            exceptions.get(fm.month),
        )
        for fm in fiscal_months(fiscal_year)
    ]
    return render(
        request,
        "otopdoc/district_home.html",
        {
            "district": district,
            "fiscal_year": fiscal_year,
            "months": months,
            "year_total": _sum_progress(p for _, p, _ in months),
            # Each month with the count of its rows sent back, for the table.
            "month_rows": [(fm, p, e, sent_back.get(fm.month, 0)) for fm, p, e in months],
            "sent_back_total": sum(sent_back.values()),
            "is_owner": officer.is_district and officer.district_id == district.pk,
            "year_choices": _year_choices(),
        },
    )


def _open_exceptions(district, fiscal_year, now):
    """Return {month: the exception that keeps it open longest now} for a district's year."""
    found = {}
    for exc in (
        LockException.objects.filter(
            Q(district=district) | Q(province_id=district.province_id),
            fiscal_year=fiscal_year,
            open_until__gt=now,
            withdrawn_at__isnull=True,
        )
        .only("month", "open_until")
        .order_by("open_until")
    ):
        found[exc.month] = exc  # ordered by end: the latest end wins
    return found


@login_required
def province_home(request, code):
    """Show a province's districts by the twelve months of a year: how far each has come.

    ?month= picks the month the page highlights and its footer links point at.
    """
    province = province_for(request.user, code)
    officer = officer_of(request.user)
    fiscal_month = _fiscal_month_param(request)
    months = fiscal_months(fiscal_month.fiscal_year)
    now = timezone.now()
    figures = {
        (row["district"], row["month"]): row
        for row in MonthTotal.objects.filter(
            province=province, fiscal_year=fiscal_month.fiscal_year
        )
        .values("district", "month")
        .annotate(**FIGURES)
        .order_by()
    }
    tallies = [Tally() for _ in months]
    districts = []
    for district in province.districts.all():
        cells = []
        for fm, tally in zip(months, tallies, strict=True):
            progress = Progress.of(
                fm, now, figures.get((district.pk, fm.month)), confirmed_only=officer.is_department
            )
            tally.districts += 1
            tally.add(progress)
            cells.append(progress)
        districts.append((district, cells))
    sent_back = _sent_back(
        MonthlySale.objects.filter(
            district__province=province, fiscal_year=fiscal_month.fiscal_year
        ),
        officer,
        "district",
        "month",
    )
    names = {district.pk: district for district, _ in districts}
    return render(
        request,
        "otopdoc/province_home.html",
        {
            "province": province,
            "fiscal_month": fiscal_month,
            "districts": districts,
            "month_tallies": [
                (fm, f"{THAI_MONTHS_SHORT[fm.month - 1]} {fm.year_be % 100:02d}", tally)
                for fm, tally in zip(months, tallies, strict=True)
            ],
            "can_confirm": officer.is_province,
            "months": months,
            # Rows the province sent back that the district has not confirmed again yet.
            "sent_back": [
                (names[code], FiscalMonth(fiscal_month.fiscal_year, month), count)
                for (code, month), count in sorted(sent_back.items(), key=lambda i: i[0][::-1])
            ],
            "year_choices": _year_choices(),
        },
    )


@login_required
@reads_from_replica
def nation_home(request):
    """List what the department can count in a month: province-confirmed rows only.

    The department reports to government what provinces have confirmed (SPEC section 2),
    so nothing here sums the rows a province has not confirmed yet.
    """
    department_only(request.user)
    fiscal_month = _fiscal_month_param(request, default=reporting_month())
    # Drawn once per version of the running totals: the next read after a write is fresh.
    body, figures = cached_drawing(
        f"nation-home:{fiscal_month.month}",
        fiscal_month.fiscal_year,
        "all",
        lambda: _nation_figures(fiscal_month),
        "otopdoc/includes/_nation_body.html",
    )
    return render(
        request,
        "otopdoc/nation_home.html",
        {
            **figures,
            "body": body,
            "fiscal_month": fiscal_month,
            "months": fiscal_months(fiscal_month.fiscal_year),
            "year_choices": _year_choices(),
        },
    )


def _nation_figures(fiscal_month):
    """Return a month's province-confirmed figures: each province's by cluster, the nation's.

    Two queries: the month's totals grouped by province, and the provinces with clusters.
    """
    figures = {
        row["province"]: _confirmed(row)
        for row in MonthTotal.objects.filter(
            fiscal_year=fiscal_month.fiscal_year, month=fiscal_month.month
        )
        .values("province")
        .annotate(
            rows=Sum("province_rows"),
            domestic=Sum("province_domestic"),
            export=Sum("province_export"),
        )
        .order_by()
    }
    clusters = {}
    nation = _confirmed({})
    for province in Province.objects.select_related("cluster").order_by("cluster__region", "code"):
        confirmed = figures.get(province.pk) or _confirmed({})
        cluster = clusters.setdefault(province.cluster_id, (province.cluster, [], _confirmed({})))
        cluster[1].append((province, confirmed))
        _add(cluster[2], confirmed)
        _add(nation, confirmed)
    return {"fiscal_month": fiscal_month, "clusters": list(clusters.values()), "nation": nation}


def _sent_back(rows, officer, *keys):
    """Count the rows sent back and still waiting for the district, grouped by `keys`.

    The department counts province-confirmed rows only, which are never sent back: it
    gets nothing, without a query.
    """
    if officer.is_department:
        return {}
    grouped = (
        rows.filter(returned_at__isnull=False)
        .values_list(*keys)
        .annotate(count=Count("id"))
        .order_by()
    )
    return {(tuple(row[:-1]) if len(keys) > 1 else row[0]): row[-1] for row in grouped}


def _confirmed(row):
    """Return a province's province-confirmed figures as a dict, zeros for what is missing."""
    domestic = row.get("domestic") or Decimal("0")
    export = row.get("export") or Decimal("0")
    return {
        "rows": row.get("rows") or 0,
        "domestic": domestic,
        "export": export,
        "total": domestic + export,
    }


def _add(into, figures):
    for key in ("rows", "domestic", "export", "total"):
        into[key] += figures[key]


def _sum_progress(progresses):
    total = {"rows": 0, "domestic": Decimal("0"), "export": Decimal("0")}
    for p in progresses:
        total["rows"] += p.rows
        total["domestic"] += p.domestic
        total["export"] += p.export
    total["total"] = total["domestic"] + total["export"]
    return total


def _year_choices():
    current = current_fiscal_year()
    return list(range(current, current - 10, -1))
