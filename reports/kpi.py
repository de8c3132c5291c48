"""The KPI table (ตัวชี้วัด): each province's sales of a fiscal year against its target.

SPEC section 4: a province's base is last year's sales; its target is base + 23 %, scored
1 to 5 at base + 15, 17, 19, 21 and 23 %; each figure is rounded half up to the baht
(reports.models.level). A cluster's row sums its provinces' rounded figures, which is how
the seed's รวม rows are made (summing the bases first and rounding once differs by a baht
in some columns). Provinces come in the order of the cluster fixture, which is the order of
the department's sheet: numbered continuously, นครราชสีมา is 53 as in the seed.

Only province-confirmed sales count (MonthTotal.province_*): that is what the department
reports to the สำนักงาน ก.พ.ร. The whole table costs two queries, whatever the year's size:
the provinces with their loaded bases, and the running totals grouped by province, year
and month.
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import cache

from django.db.models import OuterRef, Subquery, Sum

from otopdoc.fiscal import FiscalMonth, fiscal_months
from reports.models import SCORE_PERCENTS, TARGET_PERCENT, MonthTotal, Target, level
from sales.geography import read_clusters
from sales.models import Province

ZERO = Decimal("0.00")
HUNDREDTH = Decimal("0.01")

# Where a province's base comes from.
BASE_LOADED = "loaded"  # a Target loaded by the department (load_targets)
BASE_PREVIOUS = "previous"  # no Target: the previous year's province-confirmed sales


@dataclass
class Figures:
    """Base, target, the five score levels and actual sales of a province, cluster or nation."""

    base: Decimal
    target: Decimal
    levels: list
    actual: Decimal
    # The year is not over: actual covers ตุลาคม to the last month with sales only.
    partial: bool = False
    # The base year's sales in those same months, when every one of them is known.
    prior: Decimal | None = None

    @classmethod
    def of(cls, base, actual, partial=False, prior=None):
        return cls(
            base=base,
            target=level(base, TARGET_PERCENT),
            levels=[level(base, percent) for percent in SCORE_PERCENTS],
            actual=actual,
            partial=partial,
            prior=prior,
        )

    @classmethod
    def sum(cls, rows):
        """Add up rows figure by figure: the sum of their rounded levels, as the seed does."""
        rows = list(rows)
        priors = [row.prior for row in rows]
        return cls(
            base=sum((row.base for row in rows), ZERO),
            target=sum((row.target for row in rows), Decimal(0)),
            levels=[sum((row.levels[i] for row in rows), Decimal(0)) for i in range(5)],
            actual=sum((row.actual for row in rows), ZERO),
            partial=any(row.partial for row in rows),
            prior=sum(priors, ZERO) if rows and None not in priors else None,
        )

    @property
    def growth(self):
        """Return the growth in percent to 2 decimals, half up, or None.

        A whole year: (actual - base) / base x 100. While the year runs, the year to date
        against the same months of the base year, (actual - prior) / prior x 100, where
        those months are known; else None ("ยังไม่ครบปี"): a part of a year against a whole
        one is no growth at all (it read -99 % in November).
        """
        if not self.base:
            return None
        if not self.partial:
            compared_with = self.base
        elif self.prior:
            compared_with = self.prior
        else:
            return None
        return ((self.actual - compared_with) * 100 / compared_with).quantize(
            HUNDREDTH, rounding=ROUND_HALF_UP
        )

    @property
    def growth_pending(self):
        """Tell whether growth waits for the year's end: partial, the same months unknown."""
        return bool(self.base) and self.partial and not self.prior

    @property
    def reached(self):
        """Return, for each score level, whether actual sales have reached it."""
        return [bool(self.base) and self.actual >= value for value in self.levels]

    @property
    def level_cells(self):
        return list(zip(self.levels, self.reached, strict=True))


@dataclass
class ProvinceRow(Figures):
    number: int = 0
    province: Province = None
    base_from: str = BASE_PREVIOUS
    base_note: str = ""
    base_year: int = 0
    # Province-confirmed sales summed from ตุลาคม up to each month; None after `through`.
    cumulative: list = field(default_factory=list)

    @property
    def score(self):
        """Return 0 to 5, the levels actual sales have reached; None without a base."""
        if not self.base:
            return None
        return sum(self.reached)

    @property
    def base_loaded(self):
        return self.base_from == BASE_LOADED

    @property
    def base_label(self):
        """Say where the base comes from, in the table's last column."""
        if self.base_loaded:
            return "ฐานที่นำเข้า"
        return f"ยอดจำหน่ายปี {self.base_year}"


@dataclass
class ClusterBlock:
    cluster: object
    rows: list
    total: Figures


@dataclass
class KpiTable:
    fiscal_year: int
    clusters: list
    total: Figures
    # The last month with any province-confirmed sales, or None.
    through: FiscalMonth = None
    # Only one province is shown (a province officer's own row): no subtotals then.
    single: bool = False

    @property
    def rows(self):
        return [row for block in self.clusters for row in block.rows]

    @property
    def months(self):
        return fiscal_months(self.fiscal_year)

    @property
    def base_year(self):
        return self.fiscal_year - 1


@cache
def fixture_order():
    """Return {province_code: position} in the cluster fixture, the department's order."""
    return {code: index for index, code in enumerate(read_clusters())}


def confirmed_sums(fiscal_year, province=None):
    """Return province-confirmed sales of a year and the year before, per province and month.

    One grouped query over MonthTotal: {(province_code, fiscal_year, month): (amount, rows)}.
    """
    totals = MonthTotal.objects.filter(fiscal_year__in=(fiscal_year - 1, fiscal_year))
    if province is not None:
        totals = totals.filter(province=province)
    grouped = (
        totals.values("province", "fiscal_year", "month")
        .annotate(
            domestic=Sum("province_domestic"),
            export=Sum("province_export"),
            rows=Sum("province_rows"),
        )
        .order_by()
    )
    return {
        (row["province"], row["fiscal_year"], row["month"]): (
            (row["domestic"] or ZERO) + (row["export"] or ZERO),
            row["rows"] or 0,
        )
        for row in grouped
    }


def kpi_table(fiscal_year, province=None):
    """Build the KPI table of a fiscal year, of every province or of one.

    Steps:
    1. Read the provinces, their clusters and their loaded base for the year (one query),
       in the department's order, and number them continuously.
    2. Read province-confirmed sales of the year and the year before, per province and
       month (one grouped query over MonthTotal).
    3. Per province: the base is the loaded Target's, or else last year's confirmed sales;
       the target and score levels come from the base; actual is this year's confirmed
       sales; the cumulative sales run month by month up to the last month with any.
    4. Per cluster a รวม row, the sum of its provinces' rounded figures; a national total.
    With `province`, only its row is kept (numbered as in the whole table) and the
    subtotals are left out, since they would add up other provinces' figures.
    """
    targets = Target.objects.filter(province=OuterRef("pk"), fiscal_year=fiscal_year)
    provinces = Province.objects.select_related("cluster").annotate(
        target_base=Subquery(targets.values("base")[:1]),
        target_source=Subquery(targets.values("source")[:1]),
    )
    order = fixture_order()
    provinces = sorted(
        provinces, key=lambda p: (p.cluster.region, order.get(p.code, len(order)), p.code)
    )
    sums = confirmed_sums(fiscal_year, province)

    months = fiscal_months(fiscal_year)
    entered = {
        month
        for (_code, year, month), (_amount, rows) in sums.items()
        if year == fiscal_year and rows
    }
    with_rows = [fm for fm in months if fm.month in entered]
    through = with_rows[-1] if with_rows else None
    partial = through is None or through.month != months[-1].month

    blocks = {}
    for number, p in enumerate(provinces, start=1):
        if province is not None and p.pk != province.pk:
            continue
        this_year = [sums.get((p.code, fiscal_year, fm.month), (ZERO, 0))[0] for fm in months]
        if p.target_base is not None:
            base, base_from, note = p.target_base, BASE_LOADED, p.target_source
        else:
            base = sum(
                (sums.get((p.code, fiscal_year - 1, fm.month), (ZERO, 0))[0] for fm in months),
                ZERO,
            )
            base_from, note = BASE_PREVIOUS, ""
        figures = Figures.of(
            base,
            sum(this_year, ZERO),
            partial=partial,
            prior=_same_months_before(sums, p.code, fiscal_year, months, through),
        )
        cumulative, running = [], ZERO
        for fm, amount in zip(months, this_year, strict=True):
            running += amount
            cumulative.append(running if through and fm.order <= through.order else None)
        row = ProvinceRow(
            **vars(figures),
            number=number,
            province=p,
            base_from=base_from,
            base_note=note,
            base_year=fiscal_year - 1,
            cumulative=cumulative,
        )
        blocks.setdefault(p.cluster.pk, (p.cluster, []))[1].append(row)

    clusters = [
        ClusterBlock(cluster=cluster, rows=rows, total=Figures.sum(rows))
        for cluster, rows in blocks.values()
    ]
    return KpiTable(
        fiscal_year=fiscal_year,
        clusters=clusters,
        total=Figures.sum(block.total for block in clusters),
        through=through,
        single=province is not None,
    )


def _same_months_before(sums, code, fiscal_year, months, through):
    """Return a province's confirmed sales in the base year's ตุลาคม to `through`'s month.

    None unless every one of those months has province-confirmed rows in the base year:
    a month missing there would make any growth look better than it is.
    """
    if through is None:
        return None
    total = ZERO
    for fm in months[: through.order]:
        amount, rows = sums.get((code, fiscal_year - 1, fm.month), (ZERO, 0))
        if not rows:
            return None
        total += amount
    return total


def cached_kpi_table(fiscal_year, province=None):
    """Return kpi_table(), built once per version of the running totals and per scope.

    The key holds the province (or "all"), so a province officer's table, which has its
    own row only, is never the department's, nor the reverse (reports.versions).
    """
    from reports.versions import cached

    scope = "all" if province is None else province.pk
    return cached("kpi", fiscal_year, scope, lambda: kpi_table(fiscal_year, province))
