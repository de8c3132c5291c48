"""Who has reported a month: each district's rows, confirmations and state at the deadline.

Everything here reads the running totals (reports.MonthTotal), never the monthly rows: the
national table is one grouped query over a few thousand totals, whatever the size of the
month (SPEC section 7). The states, for one district and month:
- on time: every row confirmed by the district, the last confirmation by the deadline;
- late: every row confirmed by the district, the last confirmation after the deadline;
- overdue: rows not all confirmed by the district, and the deadline has passed;
- pending: rows not all confirmed by the district, and the deadline is still ahead;
- nothing: no rows entered at all (shown as missing once the deadline has passed).
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Max, Sum
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from otopdoc.access import department_only, fiscal_month_or_404, officer_of, province_for
from otopdoc.db.router import reads_from_replica
from otopdoc.fiscal import MAX_FISCAL_YEAR, MIN_FISCAL_YEAR, FiscalMonth, fiscal_months
from reports.models import MonthTotal
from reports.versions import cached_drawing
from sales.models import Province

ON_TIME = "on_time"
LATE = "late"
OVERDUE = "overdue"
PENDING = "pending"
NOTHING = "nothing"
STATES = (ON_TIME, LATE, OVERDUE, PENDING, NOTHING)
BODY = "confirmations/includes/_completeness_body.html"
STATE_LABELS = {
    ON_TIME: "ยืนยันทันกำหนด",
    LATE: "ยืนยันหลังกำหนด",
    OVERDUE: "เกินกำหนด ยังยืนยันไม่ครบ",
    PENDING: "รอยืนยัน ยังไม่ถึงกำหนด",
    NOTHING: "ยังไม่บันทึกข้อมูล",
}

# The sums of a district's month (or of any group of totals), all levels at once.
FIGURES = {
    "rows": Sum("rows"),
    "domestic": Sum("domestic"),
    "export": Sum("export"),
    "district_rows": Sum("district_rows"),
    "province_rows": Sum("province_rows"),
    "province_domestic": Sum("province_domestic"),
    "province_export": Sum("province_export"),
    "district_confirmed_last": Max("district_confirmed_last"),
    "province_district_confirmed_last": Max("province_district_confirmed_last"),
}


@dataclass(frozen=True)
class Progress:
    """Where one district's month stands: its counts and its state at the deadline."""

    fiscal_month: FiscalMonth
    now: object  # an aware datetime: the moment the page was asked for
    rows: int = 0
    district_rows: int = 0
    province_rows: int = 0
    domestic: Decimal = Decimal("0")
    export: Decimal = Decimal("0")
    district_confirmed_last: object = None

    @classmethod
    def of(cls, fiscal_month, now, figures=None, confirmed_only=False):
        """Return the Progress of a month from a row of FIGURES (None: nothing entered).

        With confirmed_only (the department's pages), only the rows the province has
        confirmed exist: a month the province has not confirmed shows as nothing entered,
        and no count or sum of unconfirmed rows reaches the page.
        """
        if not figures:
            return cls(fiscal_month, now)
        if confirmed_only:
            confirmed = figures["province_rows"] or 0
            return cls(
                fiscal_month,
                now,
                rows=confirmed,
                district_rows=confirmed,
                province_rows=confirmed,
                domestic=figures["province_domestic"] or Decimal("0"),
                export=figures["province_export"] or Decimal("0"),
                district_confirmed_last=figures.get("province_district_confirmed_last"),
            )
        return cls(
            fiscal_month,
            now,
            rows=figures["rows"] or 0,
            district_rows=figures["district_rows"] or 0,
            province_rows=figures["province_rows"] or 0,
            domestic=figures["domestic"] or Decimal("0"),
            export=figures["export"] or Decimal("0"),
            district_confirmed_last=figures["district_confirmed_last"],
        )

    @property
    def total(self):
        return self.domestic + self.export

    @property
    def unconfirmed(self):
        """Rows the district has not confirmed yet."""
        return self.rows - self.district_rows

    @property
    def deadline_passed(self):
        return self.now > self.fiscal_month.deadline

    @property
    def district_done(self):
        return self.rows > 0 and self.district_rows == self.rows

    @property
    def province_done(self):
        return self.rows > 0 and self.province_rows == self.rows

    @property
    def state(self):
        if not self.rows:
            return NOTHING
        if self.district_done:
            last = self.district_confirmed_last
            return ON_TIME if last is not None and last <= self.fiscal_month.deadline else LATE
        return OVERDUE if self.deadline_passed else PENDING

    @property
    def state_label(self):
        return STATE_LABELS[self.state]

    @property
    def missing(self):
        """Nothing entered and the deadline has passed: a report that never came."""
        return self.state == NOTHING and self.deadline_passed

    @property
    def needs_attention(self):
        return self.state == OVERDUE or self.missing


@dataclass
class Tally:
    """How many districts of an area stand in each state, and the rows they hold."""

    districts: int = 0
    counts: dict = field(default_factory=lambda: dict.fromkeys(STATES, 0))
    rows: int = 0
    district_rows: int = 0
    province_rows: int = 0

    def add(self, progress):
        self.counts[progress.state] += 1
        self.rows += progress.rows
        self.district_rows += progress.district_rows
        self.province_rows += progress.province_rows

    def add_tally(self, other):
        self.districts += other.districts
        for state in STATES:
            self.counts[state] += other.counts[state]
        self.rows += other.rows
        self.district_rows += other.district_rows
        self.province_rows += other.province_rows

    @property
    def reported(self):
        """Districts whose rows are all confirmed by the district, on time or late."""
        return self.counts[ON_TIME] + self.counts[LATE]

    def share(self, state):
        """Return the percentage of districts in a state, for the bar (0 with no districts)."""
        return round(100 * self.counts[state] / self.districts, 1) if self.districts else 0

    # Named for the template, which cannot index a dict by a variable.
    on_time = property(lambda self: self.counts[ON_TIME])
    late = property(lambda self: self.counts[LATE])
    overdue = property(lambda self: self.counts[OVERDUE])
    pending = property(lambda self: self.counts[PENDING])
    nothing = property(lambda self: self.counts[NOTHING])
    bar = property(lambda self: [(state, self.share(state)) for state in STATES])


def reporting_month():
    """Return the month officers are reporting now: the one before the current month.

    Its deadline is the 5th of this month, so from the 1st to the 5th it is being confirmed
    and afterwards it is the month to chase; the current month cannot be complete yet.
    """
    return FiscalMonth.current().previous


def district_figures(fiscal_month, **filters):
    """Return {district code: FIGURES row} for a month, in one grouped query on MonthTotal."""
    return {
        row["district"]: row
        for row in MonthTotal.objects.filter(
            fiscal_year=fiscal_month.fiscal_year, month=fiscal_month.month, **filters
        )
        .values("district")
        .annotate(**FIGURES)
        .order_by()
    }


@login_required
@reads_from_replica
def completeness_latest(request):
    """Open the completeness page of the month being reported, for the officer's area."""
    officer = officer_of(request.user)
    fiscal_month = reporting_month()
    if officer.is_province:
        return redirect(
            "completeness-province",
            fiscal_month.fiscal_year,
            fiscal_month.month,
            officer.province_id,
        )
    department_only(request.user)
    return redirect("completeness", fiscal_month.fiscal_year, fiscal_month.month)


@login_required
@reads_from_replica
def completeness(request, fiscal_year, month):
    """Show the department which districts have reported a month: provinces by cluster.

    Steps:
    1. District officers get 404. A province officer is sent to its own province's page for
       the same month rather than refused: links to this page travel in circulars, and its
       own province is the part of the table it may see.
    2. Read the provinces with their number of districts (one query) and the month's totals
       per district (one grouped query over MonthTotal).
    3. Tally each province's districts by state; subtotal clusters and the nation.
    Steps 2 and 3 and their drawing are done once per version of the running totals and
    side of the deadline (reports.versions.cached_drawing). Nothing else they read can
    change meanwhile: the states come from the totals and the deadline, and the clock
    counts only through whether the deadline has passed; the lock exceptions and the
    month's saves (DistrictMonth) do not enter them.
    """
    officer = officer_of(request.user)
    fiscal_month = fiscal_month_or_404(fiscal_year, month)
    if officer.is_province:
        return redirect("completeness-province", fiscal_year, month, officer.province_id)
    department_only(request.user)

    now = timezone.now()
    deadline_passed = now > fiscal_month.deadline
    # Drawn once per version of the running totals and side of the deadline (the states
    # read the clock only through it): the next read after a write is fresh.
    body, figures = cached_drawing(
        f"completeness:{fiscal_month.month}",
        fiscal_month.fiscal_year,
        f"all:{deadline_passed}",
        lambda: _nation_figures(fiscal_month, now),
        BODY,
    )
    return render(
        request,
        "confirmations/completeness.html",
        {
            **figures,
            "body": body,
            "fiscal_month": fiscal_month,
            "deadline_passed": deadline_passed,
            **_picker(fiscal_month, "completeness"),
        },
    )


def _nation_figures(fiscal_month, now):
    """Tally each province's districts by state, with cluster subtotals and the nation's.

    Two queries: the month's totals per district, the provinces with their district counts.
    """
    figures = MonthTotal.objects.filter(
        fiscal_year=fiscal_month.fiscal_year, month=fiscal_month.month
    ).values("province", "district")
    by_province = {}
    for row in figures.annotate(**FIGURES).order_by():
        by_province.setdefault(row["province"], []).append(Progress.of(fiscal_month, now, row))

    provinces = Province.objects.select_related("cluster").annotate(
        district_count=Count("districts")
    )
    clusters = {}
    nation = Tally()
    for province in provinces.order_by("cluster__region", "code"):
        tally = Tally(districts=province.district_count)
        for progress in by_province.get(province.pk, ()):
            tally.add(progress)
        tally.counts[NOTHING] += tally.districts - sum(tally.counts.values())
        cluster = clusters.setdefault(province.cluster_id, (province.cluster, [], Tally()))
        cluster[1].append((province, tally))
        cluster[2].add_tally(tally)
        nation.add_tally(tally)
    return {
        "fiscal_month": fiscal_month,
        "deadline_passed": now > fiscal_month.deadline,
        "clusters": list(clusters.values()),
        "tally": nation,
    }


@login_required
@reads_from_replica
def completeness_province(request, fiscal_year, month, province):
    """Show which districts of one province have reported a month.

    The department sees any province; a province officer only its own (others are 404);
    district officers are 404, as province_for answers for every area they do not own.
    """
    province = province_for(request.user, province)
    officer = officer_of(request.user)
    fiscal_month = fiscal_month_or_404(fiscal_year, month)
    now = timezone.now()
    deadline_passed = now > fiscal_month.deadline
    can_confirm = officer.is_province
    body, figures = cached_drawing(
        f"completeness:{fiscal_month.month}",
        fiscal_month.fiscal_year,
        f"{province.pk}:{deadline_passed}:{can_confirm}",
        lambda: _province_figures(province, fiscal_month, now, can_confirm),
        BODY,
    )
    return render(
        request,
        "confirmations/completeness.html",
        {
            **figures,
            "body": body,
            "province": province,
            "fiscal_month": fiscal_month,
            "deadline_passed": deadline_passed,
            "can_confirm": can_confirm,
            **_picker(fiscal_month, "completeness-province", province.pk),
        },
    )


def _province_figures(province, fiscal_month, now, can_confirm):
    """Return the state of each district of a province in a month, and their tally."""
    figures = district_figures(fiscal_month, province=province)
    tally = Tally()
    districts = []
    for district in province.districts.all():
        progress = Progress.of(fiscal_month, now, figures.get(district.pk))
        tally.districts += 1
        tally.add(progress)
        districts.append((district, progress))
    return {
        "province": province,
        "fiscal_month": fiscal_month,
        "deadline_passed": now > fiscal_month.deadline,
        "can_confirm": can_confirm,
        "districts": districts,
        "tally": tally,
    }


def _picker(fiscal_month, url_name, *args):
    """Return the month picker's context: the year's months and the years around it."""

    def url(fm):
        return reverse(url_name, args=[fm.fiscal_year, fm.month, *args])

    def step(name):
        try:
            return url(getattr(fiscal_month, name))
        except ValueError:  # before the first or after the last fiscal year accepted
            return None

    current = FiscalMonth.current()
    years = range(
        min(MAX_FISCAL_YEAR, current.fiscal_year + 1),
        max(MIN_FISCAL_YEAR, current.fiscal_year - 10),
        -1,
    )
    return {
        "picker_months": [(fm, url(fm)) for fm in fiscal_months(fiscal_month.fiscal_year)],
        "picker_years": [
            (year, url(FiscalMonth(year, fiscal_month.month)))
            for year in sorted({*years, fiscal_month.fiscal_year}, reverse=True)
        ],
        "previous_url": step("previous"),
        "next_url": step("next"),
    }
