"""The rows' one write path (sales.writes.MonthWrite): rows, audit and running totals together.

Run on SQLite and on PostgreSQL (DATABASE_URL): the UPDATE ... FROM (VALUES ...) and the
totals' upsert are written by hand for both.
"""

import datetime
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.db.models import Count, Max, Q, Sum
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from confirmations.models import Action, AuditEntry
from otopdoc.fiscal import BANGKOK, FiscalMonth
from reports.models import MonthTotal, TotalsVersion
from reports.totals import refresh_month
from sales.models import MonthlySale, Producer, ProductType
from sales.writes import MonthWrite, StaleMonth, WriteError
from tests.test_confirm_district import make_rows

NOW = datetime.datetime(2026, 10, 15, 10, 0, tzinfo=BANGKOK)
OCTOBER = FiscalMonth(2570, 10)
NOVEMBER = FiscalMonth(2570, 11)


@pytest.fixture(autouse=True)
def october(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)


@pytest.fixture
def district(geography):
    return geography["mueang_cr"]


@pytest.fixture
def user(officers):
    return officers["owner"]


@pytest.fixture
def rows(district):
    made = make_rows(district, 3)
    refresh_month(district, 2570, 10)
    return made


def read(district, fiscal_month=OCTOBER):
    return {
        row.pk: row
        for row in MonthlySale.objects.for_month(district, fiscal_month).select_related("producer")
    }


def totals_from_rows():
    """Return {(district, year, month, type): sums} by a fresh GROUP BY over the rows."""
    district_confirmed = Q(district_confirmed_at__isnull=False)
    province_confirmed = Q(province_confirmed_at__isnull=False)
    sums = (
        MonthlySale.objects.values("district", "fiscal_year", "month", "product_type")
        .annotate(
            t_rows=Count("id"),
            t_domestic=Sum("domestic"),
            t_export=Sum("export"),
            t_district_rows=Count("id", filter=district_confirmed),
            t_district_domestic=Sum("domestic", filter=district_confirmed),
            t_province_rows=Count("id", filter=province_confirmed),
            t_province_export=Sum("export", filter=province_confirmed),
            t_district_confirmed_last=Max("district_confirmed_at"),
        )
        .order_by()
    )
    return {
        (s["district"], s["fiscal_year"], s["month"], s["product_type"]): (
            s["t_rows"],
            s["t_domestic"],
            s["t_export"],
            s["t_district_rows"],
            s["t_district_domestic"] or Decimal("0.00"),
            s["t_province_rows"],
            s["t_province_export"] or Decimal("0.00"),
            s["t_district_confirmed_last"],
        )
        for s in sums
    }


def running_totals():
    return {
        (t.district_id, t.fiscal_year, t.month, t.product_type): (
            t.rows,
            t.domestic,
            t.export,
            t.district_rows,
            t.district_domestic,
            t.province_rows,
            t.province_export,
            t.district_confirmed_last,
        )
        for t in MonthTotal.objects.all()
    }


# --- a writer cannot leave out the audit or the totals ---------------------------------------


def test_it_refuses_a_change_before_the_months_lock(district, user, rows):
    row = read(district)[rows[0].pk]
    with (
        pytest.raises(WriteError),
        transaction.atomic(),
        MonthWrite(district, OCTOBER, user) as write,
    ):
        write.change(row, Action.CHANGE, domestic=Decimal("1.00"))
    assert MonthlySale.objects.get(pk=row.pk).domestic == Decimal("100.00")


def test_it_refuses_to_be_used_outside_a_with_block(district, user, rows):
    write = MonthWrite(district, OCTOBER, user)
    with pytest.raises(WriteError):
        write.lock()
    with pytest.raises(WriteError):
        write.change(read(district)[rows[0].pk], Action.CHANGE, domestic=Decimal("1.00"))


@pytest.mark.parametrize("action", [Action.EXPLAIN, Action.FOLLOW_UP, Action.CREATE, "whatever"])
def test_it_refuses_a_change_without_a_row_changing_audit_action(district, user, rows, action):
    with (
        pytest.raises(WriteError),
        transaction.atomic(),
        MonthWrite(district, OCTOBER, user) as write,
    ):
        write.lock()
        write.change(read(district)[rows[0].pk], action, domestic=Decimal("1.00"))
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize("field", ["district", "fiscal_year", "month", "version", "id", "total"])
def test_it_refuses_to_move_a_row_or_set_its_version(district, user, rows, field):
    with (
        pytest.raises(WriteError),
        transaction.atomic(),
        MonthWrite(district, OCTOBER, user) as write,
    ):
        write.lock()
        write.change(read(district)[rows[0].pk], Action.CHANGE, **{field: 1})


def test_it_refuses_rows_of_another_month_or_district(district, user, geography, rows):
    other = make_rows(geography["mueang_cm"], 1, start=50)[0]
    november = make_rows(district, 1, month=11, start=60)[0]
    for row in (other, november):
        with (
            pytest.raises(WriteError),
            transaction.atomic(),
            MonthWrite(district, OCTOBER, user) as write,
        ):
            write.lock()
            write.change(
                MonthlySale.objects.select_related("producer").get(pk=row.pk),
                Action.CHANGE,
                domestic=Decimal("1.00"),
            )
    with (
        pytest.raises(WriteError),
        transaction.atomic(),
        MonthWrite(district, OCTOBER, user) as write,
    ):
        write.lock()
        write.create(
            MonthlySale(
                producer=november.producer,
                district=district,
                product_type="food",
                fiscal_year=2570,
                month=11,
            )
        )


def test_it_refuses_a_row_read_without_its_producer(district, user, rows):
    """The audit names the producer: a row without it would cost a query per row."""
    with (
        pytest.raises(WriteError),
        transaction.atomic(),
        MonthWrite(district, OCTOBER, user) as write,
    ):
        write.lock()
        write.change(MonthlySale.objects.get(pk=rows[0].pk), Action.CHANGE, domestic=Decimal(1))


def test_it_refuses_a_second_change_of_one_row(district, user, rows):
    with (
        pytest.raises(WriteError),
        transaction.atomic(),
        MonthWrite(district, OCTOBER, user) as write,
    ):
        write.lock()
        row = read(district)[rows[0].pk]
        write.change(row, Action.CHANGE, domestic=Decimal("1.00"))
        write.change(row, Action.CHANGE, domestic=Decimal("2.00"))


def test_every_change_is_written_with_its_audit_and_the_totals(district, user, rows):
    version = TotalsVersion.objects.get(province_id="57", fiscal_year=2570).version
    with MonthWrite(district, OCTOBER, user) as write:
        write.lock()
        held = write.rows()
        first, second, third = (held[row.pk] for row in rows)
        write.change(first, Action.CHANGE, domestic=Decimal("250.50"), product_type="textile")
        write.change(
            second,
            Action.DISTRICT_CONFIRM,
            district_confirmed_at=write.at,
            district_confirmed_by=user,
        )
        write.delete(third)
        write.create(
            MonthlySale(
                producer=third.producer,
                district=district,
                product_type=ProductType.HERB,
                producer_type="group",
                fiscal_year=2570,
                month=10,
                domestic=Decimal("0.01"),
                export=Decimal("7.99"),
            )
        )
    assert (first.version, second.version) == (2, 2)  # mirrored in memory
    trail = {(e.sale_id, e.action) for e in AuditEntry.objects.all()}
    created = MonthlySale.objects.get(product_type=ProductType.HERB)
    assert trail == {
        (first.pk, Action.CHANGE),
        (second.pk, Action.DISTRICT_CONFIRM),
        (third.pk, Action.DELETE),
        (created.pk, Action.CREATE),
    }
    change = AuditEntry.objects.get(action=Action.CHANGE)
    assert (change.old["domestic"], change.new["domestic"]) == ("100.00", "250.50")
    assert (change.old["product_type"], change.new["product_type"]) == ("food", "textile")
    assert change.at == NOW and change.user == user
    assert running_totals() == totals_from_rows()
    assert set(MonthTotal.objects.values_list("product_type", flat=True)) == {
        "food",
        "textile",
        "herb",
    }
    assert TotalsVersion.objects.get(province_id="57", fiscal_year=2570).version == version + 1


def test_a_vanished_product_type_leaves_the_totals(district, user, rows):
    with MonthWrite(district, OCTOBER, user) as write:
        write.lock()
        for row in write.rows().values():
            write.change(row, Action.CHANGE, product_type="textile")
    assert list(MonthTotal.objects.values_list("product_type", "rows")) == [("textile", 3)]


def test_a_write_that_changes_nothing_writes_nothing(district, user, rows):
    version = TotalsVersion.objects.get(province_id="57", fiscal_year=2570).version
    with CaptureQueriesContext(connection) as queries, MonthWrite(district, OCTOBER, user) as w:
        w.lock()
    writes = [q["sql"] for q in queries if q["sql"].startswith(("INSERT", "UPDATE", "DELETE"))]
    assert writes == [] or all("districtmonth" in sql for sql in writes)
    assert TotalsVersion.objects.get(province_id="57", fiscal_year=2570).version == version


def test_an_error_inside_the_block_writes_nothing(district, user, rows):
    before = list(MonthlySale.objects.order_by("pk").values())
    with (
        pytest.raises(ZeroDivisionError),
        transaction.atomic(),
        MonthWrite(district, OCTOBER, user) as write,
    ):
        write.lock()
        write.change(read(district)[rows[0].pk], Action.CHANGE, domestic=Decimal("5.00"))
        1 / 0  # noqa: B018
    assert list(MonthlySale.objects.order_by("pk").values()) == before
    assert not AuditEntry.objects.exists()


# --- the UPDATE from VALUES -----------------------------------------------------------------

SATANG = [
    Decimal("0.01"),
    Decimal("0.10"),
    Decimal("1.99"),
    Decimal("123456789.87"),
    Decimal("999999999999.99"),
    Decimal("999999999999.98"),
    Decimal("100000000000.01"),
    Decimal("0.00"),
]


def test_the_update_from_values_is_exact_to_the_satang(district, user):
    made = make_rows(district, len(SATANG))
    with MonthWrite(district, OCTOBER, user) as write:
        write.lock()
        held = write.rows()
        for row, amount in zip(made, SATANG, strict=True):
            write.change(
                held[row.pk],
                Action.CHANGE,
                domestic=amount,
                export=SATANG[-1 - SATANG.index(amount)],
                updated_at=write.at,
                updated_by=user,
            )
    saved = {r.pk: r for r in MonthlySale.objects.all()}
    for row, amount in zip(made, SATANG, strict=True):
        assert saved[row.pk].domestic == amount
        assert saved[row.pk].export == SATANG[-1 - SATANG.index(amount)]
        assert saved[row.pk].version == 2 and saved[row.pk].updated_at == NOW
    (total,) = MonthTotal.objects.all()
    assert total.domestic == sum(SATANG) and total.export == sum(SATANG)
    assert running_totals() == totals_from_rows()


def test_the_update_sets_nulls_and_timestamps_of_every_kind(district, user, officers):
    made = make_rows(district, 2, district_confirmed_at=NOW, province_confirmed_at=NOW)
    later = NOW + datetime.timedelta(minutes=5, microseconds=123456)
    with MonthWrite(district, OCTOBER, user) as write:
        write.lock()
        held = write.rows()
        write.change(
            held[made[0].pk],
            Action.SEND_BACK,
            "ยอดสูง",
            district_confirmed_at=None,
            province_confirmed_at=None,
            returned_at=later,
            returned_by=officers["province"],
            returned_reason="ยอดสูง",
        )
        write.change(held[made[1].pk], Action.PROVINCE_WITHDRAW, province_confirmed_at=None)
    first, second = MonthlySale.objects.order_by("pk")
    assert (first.district_confirmed_at, first.province_confirmed_at) == (None, None)
    assert first.returned_at == later and first.returned_by == officers["province"]
    assert second.district_confirmed_at == NOW and second.province_confirmed_at is None
    assert AuditEntry.objects.get(sale_id=first.pk).reason == "ยอดสูง"


def test_a_row_changed_since_it_was_read_is_stale_and_nothing_is_written(district, user, rows):
    held = read(district)
    MonthlySale.objects.filter(pk=rows[1].pk).update(version=5)  # another writer, meanwhile
    before = list(MonthlySale.objects.order_by("pk").values())
    with (
        pytest.raises(StaleMonth),
        transaction.atomic(),
        MonthWrite(district, OCTOBER, user) as write,
    ):
        write.lock()
        for row in held.values():
            write.change(row, Action.CHANGE, domestic=Decimal("9.99"))
    assert list(MonthlySale.objects.order_by("pk").values()) == before
    assert not AuditEntry.objects.exists()


def test_a_row_deleted_since_it_was_read_is_stale(district, user, rows):
    held = read(district)
    MonthlySale.objects.filter(pk=rows[0].pk).update(version=9)
    with (
        pytest.raises(StaleMonth),
        transaction.atomic(),
        MonthWrite(district, OCTOBER, user) as write,
    ):
        write.lock()
        write.delete(held[rows[0].pk])
    assert MonthlySale.objects.count() == 3


def test_one_write_of_several_months_is_one_audit_and_one_totals_upsert(district, user, rows):
    november = make_rows(district, 2, month=11, start=10)
    with (
        CaptureQueriesContext(connection) as queries,
        MonthWrite(district, [NOVEMBER, OCTOBER], user) as write,
    ):
        write.lock()
        for row in write.rows().values():
            write.change(row, Action.CHANGE, domestic=Decimal("3.33"))
    statements = [q["sql"] for q in queries]
    assert len([s for s in statements if s.startswith('UPDATE "sales_monthlysale"')]) == 1
    assert (
        len([s for s in statements if s.startswith('INSERT INTO "confirmations_auditentry"')]) == 1
    )
    assert len([s for s in statements if s.startswith('INSERT INTO "reports_monthtotal"')]) == 1
    assert AuditEntry.objects.count() == 5
    assert {(t.month, t.rows) for t in MonthTotal.objects.all()} == {(10, 3), (11, 2)}
    assert running_totals() == totals_from_rows()
    assert len(november) == 2


def test_a_write_costs_the_same_queries_at_3_and_300_rows(district, user):
    def write_all(month, count, start):
        made = make_rows(district, count, month=month, start=start)
        with (
            CaptureQueriesContext(connection) as queries,
            MonthWrite(district, FiscalMonth(2570, month), user) as write,
        ):
            write.lock()
            held = write.rows()
            for row in made[: count // 2]:
                write.change(held[row.pk], Action.CHANGE, domestic=Decimal("1.25"))
            for row in made[count // 2 :]:
                write.delete(held[row.pk])
            write.create(
                MonthlySale(
                    producer=made[0].producer,
                    district=district,
                    product_type="herb",
                    producer_type="group",
                    fiscal_year=2570,
                    month=month,
                )
            )
        return len(queries)

    assert write_all(10, 4, 0) == write_all(11, 300, 100)
    assert running_totals() == totals_from_rows()


def test_no_module_but_the_write_path_writes_monthly_rows():
    """A new writer cannot go around the audit and the totals: it finds no way but this one.

    Seeding the demo writes rows in bulk and then rebuilds every total (reports.totals.rebuild).
    """
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    allowed = {"sales/writes.py", "otopdoc/demo.py"}
    writes = re.compile(
        r"MonthlySale\.objects[\s\S]{0,400}?\.(update|delete|bulk_create|bulk_update|create|"
        r"get_or_create|update_or_create)\("
    )
    offenders = []
    for path in root.glob("*/**/*.py"):
        relative = path.relative_to(root).as_posix()
        if relative.split("/")[0] in {"tests", "benchmarks", ".venv", "node_modules"}:
            continue
        if "/migrations/" in relative or relative in allowed:
            continue
        text = path.read_text()
        for match in writes.finditer(text):
            # Only a chain of calls on one queryset, not the next statement's call.
            chain = match.group(0)
            if "\n\n" in chain or re.search(r"\n\s*(return|for|if|with|def)\b", chain):
                continue
            offenders.append(f"{relative}: {chain[:80]!r}")
        if re.search(r"\bsale\.save\(|row\.save\(", text) and "MonthlySale" in text:
            offenders.append(f"{relative}: a row's save()")
    assert offenders == []


def test_the_producer_of_a_moved_row_is_audited_by_name(district, user, rows):
    other = Producer.objects.create(name="กลุ่มปลายทาง", district=district, producer_type="group")
    with MonthWrite(district, OCTOBER, user) as write:
        write.lock()
        write.change(write.rows()[rows[0].pk], Action.CHANGE, "รวมผู้ผลิต", producer=other)
    entry = AuditEntry.objects.get()
    assert (entry.old["producer"], entry.new["producer"]) == ("กลุ่มที่ 000", "กลุ่มปลายทาง")
    assert entry.reason == "รวมผู้ผลิต"
    assert MonthlySale.objects.get(pk=rows[0].pk).producer == other


def test_a_merge_across_months_is_one_update_one_audit_insert_and_one_totals_upsert(
    district, user, monkeypatch
):
    from quality.registry import merge_producers

    # 3 November: October (until the 5th) and November both open to the district.
    monkeypatch.setattr(timezone, "now", lambda: NOW + datetime.timedelta(days=19))

    kept = Producer.objects.create(name="กลุ่มเก็บ", district=district, producer_type="group")
    dropped = Producer.objects.create(name="กลุ่มรวม", district=district, producer_type="group")
    for month, kind in ((10, "food"), (10, "herb"), (11, "food")):
        for producer in (kept, dropped) if kind == "food" else (dropped,):
            MonthlySale.objects.create(
                producer=producer,
                district=district,
                product_type=kind,
                fiscal_year=2570,
                month=month,
                domestic=Decimal("10.01"),
            )
    refresh_month(district, 2570, 10)
    refresh_month(district, 2570, 11)
    with CaptureQueriesContext(connection) as queries:
        summary = merge_producers(kept, dropped, user)
    assert summary == {"moved": 1, "added": 2, "months": 2}
    statements = [q["sql"] for q in queries]
    for start in (
        'UPDATE "sales_monthlysale"',
        'DELETE FROM "sales_monthlysale"',
        'INSERT INTO "confirmations_auditentry"',
        'INSERT INTO "reports_monthtotal"',
    ):
        assert len([s for s in statements if s.startswith(start)]) == 1, start
    assert AuditEntry.objects.count() == 5  # 2 deletes, 1 move, 2 sums
    assert set(MonthlySale.objects.values_list("producer", "domestic")) == {
        (kept.pk, Decimal("20.02")),
        (kept.pk, Decimal("10.01")),
    }
    assert running_totals() == totals_from_rows()


# --- what the pages refuse still writes nothing -------------------------------------------

CONFIRM = "/confirm/district/5701/2570/10/"


@pytest.mark.parametrize(
    ("who", "status"),
    [("outsider", 404), ("neighbour", 404), ("other_province", 404), ("department", 403)],
)
def test_the_wrong_officer_writes_no_row_audit_or_total(client, officers, rows, who, status):
    from tests.test_confirm_district import form

    version = TotalsVersion.objects.get(province_id="57", fiscal_year=2570).version
    client.force_login(officers[who])
    assert client.post(CONFIRM, form(rows, ticked=rows)).status_code == status
    assert not MonthlySale.objects.filter(district_confirmed_at__isnull=False).exists()
    assert not AuditEntry.objects.exists()
    assert TotalsVersion.objects.get(province_id="57", fiscal_year=2570).version == version


@pytest.mark.parametrize(
    "forge",
    [
        lambda rows, other: {"row": [f"{other.pk}:1"], "tick": [str(other.pk)]},
        lambda rows, other: {"row": [f"{rows[0].pk}:7"], "tick": [str(rows[0].pk)]},
        lambda rows, other: {"row": [f"{rows[0].pk}:1"], "tick": [str(other.pk)]},
        lambda rows, other: {"row": ["abc:1"], "tick": ["abc"]},
    ],
    ids=["another-districts-row", "stale-version", "tick-not-shown", "not-a-number"],
)
def test_a_forged_confirmation_writes_no_row_audit_or_total(
    client, officers, geography, rows, forge
):
    other = make_rows(geography["mueang_cm"], 1, start=90)[0]
    version = TotalsVersion.objects.get(province_id="57", fiscal_year=2570).version
    client.force_login(officers["owner"])
    response = client.post(CONFIRM, {"batch": "1", **forge(rows, other)})
    assert response.status_code in (200, 400)
    assert not MonthlySale.objects.filter(district_confirmed_at__isnull=False).exists()
    assert not AuditEntry.objects.exists()
    assert TotalsVersion.objects.get(province_id="57", fiscal_year=2570).version == version
