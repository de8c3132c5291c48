"""After any sequence of writes, the running totals equal the sums of the rows, to the satang.

Hypothesis drives random sequences of the app's own writers — the entry page's save (which
the Excel import also uses), deletes, district and province confirmations, withdrawals and
send-backs, and the registry's renames and merges of producers (quality.registry) — over
two districts and two months, and after every step compares reports.MonthTotal with a
fresh GROUP BY over the raw rows. A merge also keeps every baht of every district, month
and product type, or is refused and changes nothing.
"""

import datetime
from decimal import Decimal

import pytest
from django.db.models import Count, Q, Sum
from django.utils import timezone
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from confirmations.services import confirm_district, confirm_province, send_back
from otopdoc.fiscal import BANGKOK, FiscalMonth
from quality.registry import RegistryError, merge_producers, rename_producer
from reports.models import MonthTotal
from sales.models import MonthlySale, Producer
from sales.services import month_revision, save_month

NOW = datetime.datetime(2026, 11, 20, 10, 0, tzinfo=BANGKOK)
MONTHS = [FiscalMonth(2570, 11), FiscalMonth(2570, 10)]
NAMES = ["กลุ่มหนึ่ง", "กลุ่มสอง", "กลุ่มสาม"]
TYPES = ["food", "textile"]

amounts = st.integers(min_value=0, max_value=10**12).map(lambda n: Decimal(n).scaleb(-2))
entry_rows = st.lists(
    st.tuples(st.sampled_from(NAMES), st.sampled_from(TYPES), amounts, amounts),
    min_size=1,
    max_size=4,
    unique_by=lambda r: (r[0], r[1]),
)
# Steps mostly meet one district and month, so confirmations find rows to act on; the
# second district and month check that a write never touches another's totals.
district_index = st.sampled_from([0, 0, 0, 1])
month_index = st.sampled_from([0, 0, 0, 1])
masks = st.integers(1, 15)
steps = st.lists(
    st.one_of(
        st.tuples(st.just("save"), district_index, month_index, entry_rows),
        st.tuples(st.just("delete_some"), district_index, month_index, masks),
        st.tuples(st.just("district"), district_index, month_index, masks),
        st.tuples(st.just("province"), district_index, month_index, masks),
        st.tuples(st.just("send_back"), district_index, month_index, masks),
        st.tuples(st.just("merge"), district_index, month_index, st.permutations(range(3))),
        st.tuples(st.just("rename"), district_index, month_index, st.sampled_from(range(3))),
    ),
    min_size=1,
    max_size=12,
)


def rows_of(district, fiscal_month):
    return list(MonthlySale.objects.for_month(district, fiscal_month).select_related("producer"))


def pick(rows, mask):
    """Choose rows by the bits of `mask` (so Hypothesis can shrink the choice)."""
    return [row for index, row in enumerate(rows) if mask >> index & 1]


def apply(step, districts, officers):
    action, d, m, arg = step
    district, fiscal_month = districts[d], MONTHS[m]
    owner = officers["owner"] if d == 0 else officers["neighbour"]
    rows = rows_of(district, fiscal_month)
    shown = {row.pk: row.version for row in rows}
    if action == "save":
        kept = {(r.producer.name, r.product_type): r for r in rows if not r.province_confirmed_at}
        locked = [r for r in rows if r.province_confirmed_at]
        new = [
            {
                "id": kept[(name, kind)].pk if (name, kind) in kept else None,
                "version": kept[(name, kind)].version if (name, kind) in kept else None,
                "name": name,
                "product_type": kind,
                "producer_type": "group",
                "domestic": domestic,
                "export": export,
            }
            for name, kind, domestic, export in arg
            if (name, kind) not in {(r.producer.name, r.product_type) for r in locked}
        ]
        gone = [r.pk for key, r in kept.items() if key not in {(n, k) for n, k, *_ in arg}]
        keep_locked = [
            {
                "id": r.pk,
                "version": r.version,
                "name": r.producer.name,
                "product_type": r.product_type,
                "producer_type": r.producer.producer_type,
                "domestic": r.domestic,
                "export": r.export,
            }
            for r in locked
        ]
        revision = month_revision(district, fiscal_month)
        save_month(district, fiscal_month, owner, revision, new + keep_locked, gone)
    elif action == "delete_some":
        victims = [r.pk for r in pick(rows, arg) if not r.province_confirmed_at]
        keep = [
            {
                "id": r.pk,
                "version": r.version,
                "name": r.producer.name,
                "product_type": r.product_type,
                "producer_type": r.producer.producer_type,
                "domestic": r.domestic,
                "export": r.export,
            }
            for r in rows
            if r.pk not in victims
        ]
        save_month(
            district, fiscal_month, owner, month_revision(district, fiscal_month), keep, victims
        )
    elif action == "district":
        # Tick the chosen rows; rows the province confirmed stay ticked (cannot withdraw).
        ticked = {r.pk for r in pick(rows, arg)} | {r.pk for r in rows if r.province_confirmed_at}
        confirm_district(district, fiscal_month, owner, shown, ticked)
    elif action == "province":
        ticked = {r.pk for r in pick(rows, arg) if r.district_confirmed_at}
        confirm_province(district, fiscal_month, officers["province"], shown, ticked)
    elif action == "merge":
        merge(district, owner, NAMES[arg[0]], NAMES[arg[1]])
    elif action == "rename":
        # Rename a producer and back: its rows stay its own, every baht stays.
        producer = Producer.objects.filter(district=district, name=NAMES[arg]).first()
        if producer is not None:
            before = money_by_cell()
            rename_producer(producer, owner, f"{NAMES[arg]} (ชื่อใหม่)")
            rename_producer(producer, owner, NAMES[arg])
            assert money_by_cell() == before
    elif action == "send_back":
        chosen = {r.pk for r in pick(rows, arg)}
        if chosen:
            send_back(district, fiscal_month, officers["province"], shown, chosen, "ตัวเลขผิด")


def money_by_cell():
    """Return the rows' count, domestic and export by district, month and product type,
    and each row's producer."""
    return (
        sorted(
            MonthlySale.objects.values_list("district", "fiscal_year", "month", "product_type")
            .annotate(Sum("domestic"), Sum("export"))
            .order_by()
        ),
        sorted(MonthlySale.objects.values_list("pk", "producer_id", "version")),
    )


def merge(district, owner, kept_name, dropped_name):
    """Merge one producer into another: every baht stays, or nothing changes at all."""
    kept = Producer.objects.filter(district=district, name=kept_name).first()
    dropped = Producer.objects.filter(district=district, name=dropped_name).first()
    if kept is None or dropped is None:
        return
    sums, rows = money_by_cell()
    try:
        merge_producers(kept, dropped, owner)
    except RegistryError:
        event("merge refused")
        assert money_by_cell() == (sums, rows)  # refused: nothing changed
        assert Producer.objects.filter(pk=dropped.pk).exists()
        return
    event("merge done")
    after, _ = money_by_cell()
    assert [cell[:4] + cell[4:] for cell in after] == sums
    assert not MonthlySale.objects.filter(producer=dropped).exists()


def assert_totals_match():
    confirmed_d = Q(district_confirmed_at__isnull=False)
    confirmed_p = Q(province_confirmed_at__isnull=False)
    expected = {
        (r["district"], r["fiscal_year"], r["month"], r["product_type"]): (
            r["n"],
            r["dom"],
            r["exp"],
            r["dn"],
            r["ddom"] or 0,
            r["dexp"] or 0,
            r["pn"],
            r["pdom"] or 0,
            r["pexp"] or 0,
        )
        for r in MonthlySale.objects.values("district", "fiscal_year", "month", "product_type")
        .annotate(
            n=Count("id"),
            dom=Sum("domestic"),
            exp=Sum("export"),
            dn=Count("id", filter=confirmed_d),
            ddom=Sum("domestic", filter=confirmed_d),
            dexp=Sum("export", filter=confirmed_d),
            pn=Count("id", filter=confirmed_p),
            pdom=Sum("domestic", filter=confirmed_p),
            pexp=Sum("export", filter=confirmed_p),
        )
        .order_by()
    }
    actual = {
        (t.district_id, t.fiscal_year, t.month, t.product_type): (
            t.rows,
            t.domestic,
            t.export,
            t.district_rows,
            t.district_domestic,
            t.district_export,
            t.province_rows,
            t.province_domestic,
            t.province_export,
        )
        for t in MonthTotal.objects.all()
    }
    assert actual == expected


@pytest.mark.django_db
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(first=entry_rows, sequence=steps)
def test_running_totals_equal_the_rows_after_any_sequence_of_writes(
    first, sequence, officers, geography, monkeypatch
):
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    MonthlySale.objects.all().delete()
    MonthTotal.objects.all().delete()
    districts = [geography["mueang_cr"], geography["wiang_chai"]]
    # Every example starts from a saved month, so the steps have rows to act on.
    for step in [("save", 0, 0, first), *sequence]:
        apply(step, districts, officers)
        assert_totals_match()
