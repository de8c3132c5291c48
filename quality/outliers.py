"""Outliers by each producer's own history (issue 15 point 1).

A row's total is compared with the same producer's totals of the same product type over
the months before it (up to OTOP_OUTLIER_WINDOW, 24): the modified z-score of Iglewicz and
Hoaglin, 0.6745 x (total - median) / MAD, marks it when above OTOP_OUTLIER_Z (3.5). DHIS2
uses the same test because OTOP-like sales swing with fairs: a spike within the
producer's usual spread passes, a typo of a thousand times does not. With fewer than
OTOP_OUTLIER_MIN_HISTORY (6) months of history, the old rule holds instead: ten times the
last month's figure, or a tenth of it.

The history of a month is read once per district and kept as Baseline rows, stamped with
the state of the district's running totals; a change to the district's history (any
writer refreshes its totals and counts a new version of its province's) makes the stamp
stale and the next reader recomputes that district only. So a page costs a fixed number of
queries and the national list of a month joins its rows with their baselines in one query.
"""

import statistics
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import connection, connections, router, transaction
from django.db.models import Count, Q, Sum

from otopdoc.fiscal import FiscalMonth
from quality.models import Baseline, BaselineStamp, FlaggedRow
from reports.models import TotalsVersion
from sales.models import District, MonthlySale, Producer

Z_FACTOR = Decimal("0.6745")  # 1 / the 0.75 quantile of the normal distribution
MEAN_AD_FACTOR = Decimal("1.253314")  # sqrt(pi / 2): MeanAD to a standard deviation
ANALYZE_AFTER = 20000  # baselines written at once, after which PostgreSQL re-reads its statistics
JUMP = 10  # the old rule: ten times last month, or a tenth of it
UP, DOWN = "up", "down"
ZSCORE, JUMP_RULE = "zscore", "jump"


@dataclass(frozen=True)
class Flag:
    """Why a row is worth a check: how far from its usual figure, and by which test."""

    rule: str  # ZSCORE or JUMP_RULE
    direction: str  # UP or DOWN
    expected: Decimal  # the median, or last month's figure under the old rule
    deviation: Decimal  # total - expected, in baht
    score: Decimal | None  # the modified z-score, under ZSCORE

    @property
    def label(self):
        word = "สูงกว่า" if self.direction == UP else "ต่ำกว่า"
        if self.rule == ZSCORE:
            return f"{word}ปกติของผู้ผลิตรายนี้มาก (ค่า z = {self.score:,.1f})"
        return f"{word}เดือนก่อน 10 เท่าขึ้นไป (ประวัติไม่ถึง {min_history()} เดือน)"


def threshold():
    return Decimal(str(settings.OTOP_OUTLIER_Z))


def min_history():
    return settings.OTOP_OUTLIER_MIN_HISTORY


def window(fiscal_month):
    """Return the months whose figures make a month's history, newest first."""
    months, month = [], fiscal_month
    for _ in range(settings.OTOP_OUTLIER_WINDOW):
        month = month.previous
        months.append(month)
    return months


def month_index(fiscal_year, month):
    """Return a number that orders months in time (fiscal order within a fiscal year)."""
    return fiscal_year * 12 + FiscalMonth(fiscal_year, month).order


def summarise(totals):
    """Return (months, median, MAD, mean absolute deviation, last) of a history.

    `totals` are Decimal figures in time order, oldest first.
    """
    median = Decimal(statistics.median(totals))
    deviations = [abs(total - median) for total in totals]
    mad = Decimal(statistics.median(deviations))
    mean_ad = sum(deviations, Decimal(0)) / len(deviations)
    return len(totals), median, mad, mean_ad.quantize(Decimal("0.0001")), totals[-1]


def judge(total, months, median, mad, mean_ad, last):
    """Return a Flag if `total` stands out from its history, else None.

    Steps:
    1. Six months of history or more: the modified z-score on the median and MAD; when
       more than half the months share one figure (MAD 0), the mean absolute deviation
       scaled to match; when every month is the same figure, the ten-times rule on it.
    2. Less history: the ten-times rule on the last month's figure.
    No history at all: nothing to compare with, no flag.
    """
    if not months:
        return None
    if months >= min_history():
        deviation = total - median
        if mad > 0:
            score = Z_FACTOR * deviation / mad
        elif mean_ad > 0:
            score = deviation / (MEAN_AD_FACTOR * mean_ad)
        else:
            return _jump(total, median)
        if abs(score) <= threshold():
            return None
        return Flag(ZSCORE, UP if deviation > 0 else DOWN, median, deviation, score)
    return _jump(total, last)


def _jump(total, expected):
    """The old rule: ten times the expected figure or more, or a tenth of it or less."""
    if total == expected:
        return None
    if total >= expected * JUMP:
        return Flag(JUMP_RULE, UP, expected, total - expected, None)
    if total * JUMP <= expected:
        return Flag(JUMP_RULE, DOWN, expected, total - expected, None)
    return None


# --- baselines ---------------------------------------------------------------------------


def _window_filter(fiscal_month, prefix="", *, with_month=False):
    """Return a Q of the months of the window (and the month itself with `with_month`).

    One clause per fiscal year (a year whole, or its months by `month__in`) rather than one
    per month: the same rows, but three clauses to build instead of twenty-five, which was
    most of the CPU of checking a district's baselines on every entry page.
    """
    months = window(fiscal_month) + ([fiscal_month] if with_month else [])
    by_year = {}
    for month in months:
        by_year.setdefault(month.fiscal_year, []).append(month.month)
    condition = Q()
    for fiscal_year, in_year in sorted(by_year.items()):
        if len(in_year) == 12:
            condition |= Q(**{f"{prefix}fiscal_year": fiscal_year})
        else:
            condition |= Q(
                **{f"{prefix}fiscal_year": fiscal_year, f"{prefix}month__in": sorted(in_year)}
            )
    return condition


STAMPS_SQL = """
WITH counters AS (
    SELECT province_id, SUM(version) AS version FROM {versions}
    WHERE fiscal_year IN ({years}) GROUP BY province_id
)
SELECT d.code, d.province_id, s.signature, counters.version
FROM {districts} d
LEFT JOIN {stamps} s ON s.district_id = d.code AND s.fiscal_year = %s AND s.month = %s
LEFT JOIN counters ON counters.province_id = d.province_id
"""


def _stamps(fiscal_month, districts):
    """Return [(district, province, stamp or None, its province's counters)], one query.

    The counters are the sum of the province's TotalsVersion over the fiscal years of the
    window and the month (every writer adds one in its transaction, reports.totals): a
    province whose counters are those of its districts' stamps has had no write since.
    Plain SQL: the entry and confirmation pages ask for it on every view.
    """
    years = sorted(
        {month.fiscal_year for month in window(fiscal_month)} | {fiscal_month.fiscal_year}
    )
    sql = STAMPS_SQL.format(
        versions=TotalsVersion._meta.db_table,
        years=", ".join(["%s"] * len(years)),
        districts=District._meta.db_table,
        stamps=BaselineStamp._meta.db_table,
    )
    params = [*years, fiscal_month.fiscal_year, fiscal_month.month]
    if districts is not None:
        sql += f"WHERE d.code IN ({', '.join(['%s'] * len(districts))})"
        params += districts
    with connections[router.db_for_read(District)].cursor() as cursor:
        cursor.execute(sql, params)
        return [
            (code, province, stamp, "0" if version is None else str(int(version)))
            for code, province, stamp, version in cursor.fetchall()
        ]


SIGNED = ("n", "ids", "versions", "confirmed", "sum")


def _signatures(fiscal_month, districts):
    """Return {district code: signature} of some districts' rows in the window and the month.

    Every writer changes rows through sales.writes: a changed row gets a new version, a
    deleted one takes its id away, a new one brings a new id, and a province's
    confirmation or send-back changes the count of province-confirmed rows. So the count,
    id sum, version sum, confirmed count and amount change whenever the history or the
    month's rows do, even when two changes cancel out in the running totals (updated in
    place, they cannot tell a swap of two figures). Read only for the districts of the
    provinces whose counters moved (_stamps).
    """
    # The month's own rows too: the stamp also covers the flags of its rows.
    rows = MonthlySale.objects.filter(
        _window_filter(fiscal_month, with_month=True), district__in=districts
    )
    return {
        row[
            "district"
        ]: f"{row['n']}:{row['ids']}:{row['versions']}:{row['confirmed']}:{row['sum']}"
        for row in rows.values("district")
        .annotate(
            n=Count("id"),
            ids=Sum("id"),
            versions=Sum("version"),
            confirmed=Count("province_confirmed_at"),
            sum=Sum("total"),
        )
        .order_by()
    }


def ensure_baselines(fiscal_month, districts=None):
    """Bring the baselines of a month up to date for some districts (None: the nation).

    A district's stamp is "<its province's counters>|<its rows' signature>".
    Steps:
    1. Read the districts with their stamps and their provinces' counters (_stamps).
    2. Nothing more where every district's stamp holds its province's counters: the usual
       case, one query whatever the size of the nation.
    3. Else read the rows' signatures of the districts of those provinces only. Where a
       district's signature changed, read its history in one query, summarise each
       producer and product type, judge the month's rows, and replace its baselines and
       flagged rows. Stamp every district of those provinces with the counters read in
       step 1 (read before the rows: a write committed meanwhile is seen next time).
    A fixed number of queries whatever the number of rows or districts.
    """
    here = {"fiscal_year": fiscal_month.fiscal_year, "month": fiscal_month.month}
    if districts is not None:
        districts = [getattr(d, "pk", d) for d in districts]
        if not districts:
            return 0
    stamped, moved = {}, set()
    for code, province, stamp, counters in _stamps(fiscal_month, districts):
        # No stamp reads as no history at version 0: a province no writer has touched. A
        # stamp of before the counters reads as one of an unknown version.
        version, _, signature = ("0|" if stamp is None else stamp).rpartition("|")
        stamped[code] = (province, signature, counters)
        if version != counters:
            moved.add(province)
    if not moved:
        return 0
    checked = [code for code, (province, _, _) in stamped.items() if province in moved]
    current = _signatures(fiscal_month, checked)
    stale = {code for code in checked if stamped[code][1] != current.get(code, "")}
    if stale:
        _recompute(fiscal_month, stale)
    BaselineStamp.objects.bulk_create(
        [
            BaselineStamp(
                district_id=code,
                signature=f"{stamped[code][2]}|{current.get(code, '')}",
                **here,
            )
            for code in checked
        ],
        update_conflicts=True,
        unique_fields=["district", "fiscal_year", "month"],
        update_fields=["signature"],
    )
    return len(stale)


@transaction.atomic
def _recompute(fiscal_month, stale):
    history = {}
    rows = (
        MonthlySale.objects.filter(_window_filter(fiscal_month), district__in=stale)
        .values_list("district", "producer_id", "product_type", "fiscal_year", "month", "total")
        .order_by()
    )
    for district, producer_id, product_type, fiscal_year, month, total in rows.iterator(
        chunk_size=20000
    ):
        history.setdefault((district, producer_id, product_type), []).append(
            (month_index(fiscal_year, month), total)
        )
    baselines = []
    for (district, producer_id, product_type), figures in history.items():
        figures.sort()
        months, median, mad, mean_ad, last = summarise([total for _, total in figures])
        baselines.append(
            Baseline(
                district_id=district,
                producer_id=producer_id,
                product_type=product_type,
                fiscal_year=fiscal_month.fiscal_year,
                month=fiscal_month.month,
                months=months,
                median=median,
                mad=mad,
                mean_ad=mean_ad,
                last=last,
            )
        )
    here = {"fiscal_year": fiscal_month.fiscal_year, "month": fiscal_month.month}
    flagged = _judge_month(fiscal_month, stale, baselines)
    Baseline.objects.filter(district__in=stale, **here).delete()
    FlaggedRow.objects.filter(district__in=stale, **here).delete()
    FlaggedRow.objects.bulk_create(flagged, batch_size=5000)
    # ignore_conflicts: a reader who recomputed the same district at the same moment wrote
    # the same figures.
    Baseline.objects.bulk_create(baselines, batch_size=5000, ignore_conflicts=True)
    if connection.vendor == "postgresql" and len(baselines) > ANALYZE_AFTER:
        # A national build writes a hundred thousand rows at once: without fresh statistics
        # PostgreSQL plans the list's join as if the table were empty (a nested loop, 5 s).
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(Baseline._meta.db_table)}")


def _judge_month(fiscal_month, stale, baselines):
    """Return the FlaggedRows of the month's rows of the stale districts (one query)."""
    by_key = {(b.producer_id, b.product_type): b for b in baselines}
    flagged = []
    rows = MonthlySale.objects.filter(
        fiscal_year=fiscal_month.fiscal_year, month=fiscal_month.month, district__in=stale
    ).values_list("pk", "district", "producer_id", "product_type", "total", "province_confirmed_at")
    for pk, district, producer_id, product_type, total, confirmed_at in rows.iterator(
        chunk_size=20000
    ):
        baseline = by_key.get((producer_id, product_type))
        flag = baseline and judge(total, *_stats(baseline))
        if flag:
            flagged.append(
                FlaggedRow(
                    sale_id=pk,
                    district_id=district,
                    fiscal_year=fiscal_month.fiscal_year,
                    month=fiscal_month.month,
                    product_type=product_type,
                    province_confirmed=confirmed_at is not None,
                    rule=flag.rule,
                    direction=flag.direction,
                    expected=flag.expected,
                    deviation=flag.deviation,
                    size=abs(flag.deviation),
                    score=None if flag.score is None else flag.score.quantize(Decimal("0.0001")),
                )
            )
    return flagged


# --- rows of a page ----------------------------------------------------------------------


def flags_for(rows, district, fiscal_month):
    """Return {row id: Flag} for rows of one district's month (three to five queries)."""
    if not rows:
        return {}
    ensure_baselines(fiscal_month, [district])
    found = {
        (b.producer_id, b.product_type): b
        for b in Baseline.objects.filter(
            district=district,
            fiscal_year=fiscal_month.fiscal_year,
            month=fiscal_month.month,
            producer_id__in={row.producer_id for row in rows},
        )
    }
    flags = {}
    for row in rows:
        baseline = found.get((row.producer_id, row.product_type))
        flag = baseline and judge(row.total, *_stats(baseline))
        if flag:
            flags[row.pk] = flag
    return flags


def _stats(baseline):
    return baseline.months, baseline.median, baseline.mad, baseline.mean_ad, baseline.last


def recent_history(rows, fiscal_month, visible=None):
    """Return {(producer id, product type): [(FiscalMonth, total)]}, newest first, one query."""
    if not rows:
        return {}
    visible = visible if visible is not None else MonthlySale.objects.all()
    found = {}
    for producer_id, product_type, fiscal_year, month, total in (
        visible.filter(_window_filter(fiscal_month), producer_id__in={r.producer_id for r in rows})
        .values_list("producer_id", "product_type", "fiscal_year", "month", "total")
        .order_by()
    ):
        found.setdefault((producer_id, product_type), []).append(
            (FiscalMonth(fiscal_year, month), total)
        )
    for figures in found.values():
        figures.sort(key=lambda pair: month_index(pair[0].fiscal_year, pair[0].month), reverse=True)
    return found


# --- the list of a month -----------------------------------------------------------------


def flagged_rows(
    fiscal_month,
    *,
    province=None,
    cluster=None,
    product_type=None,
    province_confirmed_only=False,
):
    """Return [(row id, Flag)] of a month's outliers, largest deviation in baht first.

    Steps:
    1. Bring the baselines and flags of the area's districts up to date (ensure_baselines).
    2. Read the area's flagged rows, a few in a hundred of the month's, in one query.
    """
    if province is not None:
        districts = list(province.districts.values_list("code", flat=True))
    elif cluster is not None:
        districts = list(
            District.objects.filter(province__cluster=cluster).values_list("code", flat=True)
        )
    else:
        districts = None
    ensure_baselines(fiscal_month, districts)
    found = FlaggedRow.objects.filter(
        fiscal_year=fiscal_month.fiscal_year, month=fiscal_month.month
    )
    if districts is not None:
        found = found.filter(district__in=districts)
    if product_type:
        found = found.filter(product_type=product_type)
    if province_confirmed_only:
        found = found.filter(province_confirmed=True)
    return [
        (row.sale_id, Flag(row.rule, row.direction, row.expected, row.deviation, row.score))
        for row in found.order_by("-size", "sale_id")
    ]


# --- the entry grid ----------------------------------------------------------------------


def _ten_thousandths(value):
    return str(int(value * 10000))


def entry_document(district, fiscal_month, names=None):
    """Return what the entry grid needs to warn of an outlier as the officer types.

    {"z": the threshold in thousandths, "minHistory": months, "baselines": {"name|type":
    [months, median, MAD, mean absolute deviation, last]}}, figures in ten-thousandths of
    a baht, so the script judges in whole numbers (BigInt) as judge() does in Decimal.
    Keyed by the producer's name, so a row typed in the browser finds its history too.
    `names` is {producer id: name} of the district's producers when the caller has read
    them already. Three to five queries (one fewer with `names`).
    """
    ensure_baselines(fiscal_month, [district])
    # Plain values: a model instance a baseline cost more than the rest of the document.
    baselines = Baseline.objects.filter(
        district=district, fiscal_year=fiscal_month.fiscal_year, month=fiscal_month.month
    ).values_list("producer_id", "product_type", "months", "median", "mad", "mean_ad", "last")
    if names is None:
        baselines = list(baselines)
        names = dict(
            Producer.objects.filter(
                district=district, pk__in={row[0] for row in baselines}
            ).values_list("pk", "name")
        )
    return {
        "z": int(threshold() * 1000),
        "minHistory": min_history(),
        "baselines": {
            f"{names[producer_id]}|{product_type}": [
                months,
                _ten_thousandths(median),
                _ten_thousandths(mad),
                _ten_thousandths(mean_ad),
                _ten_thousandths(last),
            ]
            for producer_id, product_type, months, median, mad, mean_ad, last in baselines
            if producer_id in names
        },
    }
