"""The outlier baselines follow the provinces' totals counters (quality.outliers.ensure_baselines).

An unchanged nation costs one small query, not an aggregate over every running total of
25 months; a write through the real services (an entry save, a confirmation, a merge of
producers, even one that swaps two figures and leaves the running totals as they were)
makes its district's baselines and flags fresh at the next read, and only its province's
districts are looked at again.
"""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from confirmations import services as confirmations
from quality import registry
from quality.models import Baseline, BaselineStamp, FlaggedRow
from quality.outliers import ensure_baselines, flagged_rows
from reports.totals import refresh_month
from sales.models import Producer, ProducerType
from sales.services import month_revision, save_month
from tests.test_confirm_district import NOW
from tests.test_outliers import MONTH
from tests.test_trust_outlier_list import make


@pytest.fixture(autouse=True)
def october(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)


@pytest.fixture
def nation(geography):
    """A typo of a thousand times in each of the three districts, baselines built."""
    rows = {
        key: make(geography[key], 1, start=i * 10)[0]
        for i, key in enumerate(("mueang_cr", "wiang_chai", "mueang_cm"))
    }
    ensure_baselines(MONTH)
    return rows


def flagged():
    return set(
        FlaggedRow.objects.filter(fiscal_year=2570, month=11).values_list("sale_id", flat=True)
    )


def read_twice():
    """Bring the baselines up to date; return the queries of the next, unchanged, call."""
    ensure_baselines(MONTH)
    with CaptureQueriesContext(connection) as captured:
        assert ensure_baselines(MONTH) == 0
    return [q["sql"] for q in captured.captured_queries]


def test_an_unchanged_nation_costs_one_query_and_no_rows(nation):
    sql = read_twice()
    assert len(sql) == 1
    assert not [q for q in sql if "reports_monthtotal" in q or "sales_monthlysale" in q]
    assert flagged() == {row.pk for row in nation.values()}


def test_an_unchanged_nation_costs_the_same_at_two_sizes(nation, geography):
    small = read_twice()
    make(geography["wiang_chai"], 20, start=100)
    make(geography["mueang_cm"], 20, start=200)
    assert len(read_twice()) == len(small)


def test_an_entry_save_refreshes_its_districts_flags_only(nation, officers):
    typo = nation["mueang_cr"]
    typo.refresh_from_db()
    others = Baseline.objects.exclude(district="5701").values_list("pk", "median")
    before = set(others)
    save_month(
        typo.district,
        MONTH,
        officers["owner"],
        month_revision(typo.district, MONTH),
        rows=[
            {
                "id": typo.pk,
                "version": typo.version,
                "name": typo.producer.name,
                "product_type": typo.product_type,
                "producer_type": typo.producer.producer_type,
                "domestic": Decimal("38000"),
                "export": Decimal("0"),
            }
        ],
        deleted_ids=[],
    )
    assert ensure_baselines(MONTH) == 1  # อำเภอเมืองเชียงราย only
    assert typo.pk not in flagged()
    assert nation["wiang_chai"].pk in flagged() and nation["mueang_cm"].pk in flagged()
    assert set(others) == before  # not recomputed
    assert len(read_twice()) == 1


def test_a_confirmation_shows_on_the_departments_list(nation, officers):
    typo = nation["mueang_cm"]
    assert not flagged_rows(MONTH, province_confirmed_only=True)
    confirmations.confirm_district(
        typo.district, MONTH, officers["outsider"], {typo.pk: typo.version}, {typo.pk}
    )
    typo.refresh_from_db()
    confirmations.confirm_province(
        typo.district, MONTH, officers["other_province"], {typo.pk: typo.version}, {typo.pk}
    )
    assert [pk for pk, _ in flagged_rows(MONTH, province_confirmed_only=True)] == [typo.pk]


def test_a_merge_refreshes_the_baselines(nation, officers, geography):
    typo = nation["mueang_cr"]
    twin = Producer.objects.create(
        name="กลุ่มแฝด", district=typo.district, producer_type=ProducerType.SME
    )
    registry.merge_producers(typo.producer, twin, officers["owner"])  # nothing to move
    assert ensure_baselines(MONTH) == 0  # its history did not change: nothing recomputed
    assert typo.pk in flagged()
    dropped = Producer.objects.create(
        name="กลุ่มที่ย้ายมา", district=typo.district, producer_type=ProducerType.SME
    )
    dropped.sales.create(
        district=typo.district,
        product_type="food",
        fiscal_year=2570,
        month=10,
        domestic=Decimal("38000000"),
        export=Decimal("0"),
    )
    refresh_month(typo.district, 2570, 10)
    ensure_baselines(MONTH)
    baseline = Baseline.objects.get(producer_id=typo.producer_id, fiscal_year=2570, month=11)
    registry.merge_producers(typo.producer, dropped, officers["owner"])
    assert ensure_baselines(MONTH) == 1
    # October's row took the merged one's 38 million: the typo's history is another now.
    merged = Baseline.objects.get(producer_id=typo.producer_id, fiscal_year=2570, month=11)
    assert merged.last == baseline.last + Decimal("38000000")


def test_a_write_outside_the_window_recomputes_nothing(nation, geography):
    refresh_month(geography["mueang_cr"], 2570, 12)  # December: after November
    with CaptureQueriesContext(connection) as captured:
        assert ensure_baselines(MONTH) == 0
    on_rows = [q["sql"] for q in captured.captured_queries if "sales_monthlysale" in q["sql"]]
    assert len(on_rows) == 1  # one province's districts, to see that none of their rows changed
    assert len(read_twice()) == 1


def test_a_district_without_history_gets_a_stamp_and_a_new_one_is_seen(nation, geography):
    assert BaselineStamp.objects.filter(fiscal_year=2570, month=11).count() == 3
    make(geography["wiang_chai"], 1, start=50)
    ensure_baselines(MONTH)
    assert len(flagged()) == 4


def test_a_stamp_of_before_the_counters_is_restamped_not_recomputed(nation):
    stamps = BaselineStamp.objects.filter(fiscal_year=2570, month=11)
    for stamp in stamps:
        stamp.signature = stamp.signature.rpartition("|")[2]  # as the old stamps read
        stamp.save()
    assert ensure_baselines(MONTH) == 0
    assert all("|" in signature for signature in stamps.values_list("signature", flat=True))
    assert len(read_twice()) == 1


def test_a_swap_of_two_figures_is_seen_though_the_totals_stay(nation, officers):
    """The typo goes to its neighbour: the month's running totals do not change at all."""
    from reports.models import MonthTotal

    typo = nation["mueang_cr"]
    honest = make(typo.district, 1, figure="41000", start=70)[0]
    ensure_baselines(MONTH)
    assert typo.pk in flagged() and honest.pk not in flagged()
    totals = sorted(MonthTotal.objects.values_list("district", "month", "domestic", "export"))
    rows = []
    for row, figure in ((typo, honest.domestic), (honest, typo.domestic)):
        row.refresh_from_db()
        rows.append(
            {
                "id": row.pk,
                "version": row.version,
                "name": row.producer.name,
                "product_type": row.product_type,
                "producer_type": row.producer.producer_type,
                "domestic": figure,
                "export": row.export,
            }
        )
    save_month(
        typo.district,
        MONTH,
        officers["owner"],
        month_revision(typo.district, MONTH),
        rows=rows,
        deleted_ids=[],
    )
    assert sorted(MonthTotal.objects.values_list("district", "month", "domestic", "export")) == (
        totals
    )
    assert ensure_baselines(MONTH) == 1
    assert typo.pk not in flagged() and honest.pk in flagged()
