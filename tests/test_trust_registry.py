"""The producer registry (issue 15 points 3 and 4): rename, merge, inactive, duplicates."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from confirmations.models import Action, AuditEntry
from otopdoc.fiscal import BANGKOK
from quality import registry
from quality.models import ProducerEvent
from reports.models import MonthTotal
from sales.models import MonthlySale, Producer, ProducerType
from tests.test_confirm_district import NOW, confirmed

# 15 October 2569: October (FY 2570 month 10) is open, September (FY 2569 month 9) too
# until the 5th of October has passed, so it is closed now.
CLOSED = (2569, 9)


@pytest.fixture(autouse=True)
def october(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)


def producer(district, name):
    return Producer.objects.create(name=name, district=district, producer_type=ProducerType.SME)


def sale(who, product_type="food", fy=2570, month=10, domestic="100.00", **extra):
    from reports.totals import refresh_month

    row = MonthlySale.objects.create(
        producer=who,
        district=who.district,
        product_type=product_type,
        fiscal_year=fy,
        month=month,
        domestic=Decimal(domestic),
        export=Decimal("1.00"),
        **extra,
    )
    refresh_month(who.district, fy, month)
    return row


def sums():
    return sorted(
        MonthTotal.objects.values_list(
            "district", "fiscal_year", "month", "product_type", "domestic", "export"
        )
    )


@pytest.fixture
def pair(geography):
    district = geography["mueang_cr"]
    return producer(district, "กลุ่มทอผ้าบ้านดอน"), producer(district, "ทอผ้า บ้านดอน")


def test_merge_moves_rows_adds_collisions_and_keeps_the_sums(officers, pair):
    kept, dropped = pair
    both_kept = sale(kept, domestic="100.00", **confirmed())
    sale(dropped, domestic="50.00", **confirmed())
    only_dropped = sale(dropped, product_type="herb", domestic="70.00", **confirmed())
    before = sums()
    rows_before = MonthlySale.objects.count()

    summary = registry.merge_producers(kept, dropped, officers["owner"])

    assert summary == {"moved": 1, "added": 1, "months": 1}
    assert not Producer.objects.filter(pk=dropped.pk).exists()
    both_kept.refresh_from_db()
    assert both_kept.domestic == Decimal("150.00") and both_kept.export == Decimal("2.00")
    assert both_kept.district_confirmed_at is None  # must be confirmed again
    only_dropped.refresh_from_db()
    assert only_dropped.producer == kept and only_dropped.district_confirmed_at is not None
    assert MonthlySale.objects.count() == rows_before - 1
    # The sums stand; only the confirmed sums moved with the lost confirmation.
    assert [s[:4] + s[4:] for s in sums()] == before
    actions = sorted(AuditEntry.objects.values_list("action", flat=True))
    assert actions == sorted([Action.CHANGE, Action.CHANGE, Action.DELETE])
    assert ProducerEvent.objects.filter(action="merge").count() == 2


def test_rename_keeps_every_row_and_is_audited(officers, pair):
    kept, _ = pair
    rows = [sale(kept, month=m) for m in (10, 11)]
    registry.rename_producer(kept, officers["owner"], "  กลุ่มทอผ้า   บ้านดอนใหม่ ")
    kept.refresh_from_db()
    assert kept.name == "กลุ่มทอผ้า บ้านดอนใหม่"
    assert set(kept.sales.values_list("pk", flat=True)) == {r.pk for r in rows}
    event = ProducerEvent.objects.get(action="rename")
    assert event.old == {"name": "กลุ่มทอผ้าบ้านดอน"} and event.new == {"name": kept.name}


def test_rename_to_a_name_taken_is_refused(officers, pair):
    kept, dropped = pair
    with pytest.raises(registry.RegistryError, match="รวมผู้ผลิต"):
        registry.rename_producer(kept, officers["owner"], dropped.name)
    assert not ProducerEvent.objects.exists()


def unchanged(*producers):
    return (
        [
            (p.pk, list(MonthlySale.objects.filter(producer_id=p.pk).values_list("pk", "version")))
            for p in producers
        ],
        sums(),
        AuditEntry.objects.count(),
        ProducerEvent.objects.count(),
    )


def test_merging_into_itself_is_refused(officers, pair):
    kept, _ = pair
    sale(kept)
    before = unchanged(kept)
    with pytest.raises(registry.RegistryError, match="ตัวเอง"):
        registry.merge_producers(kept, kept, officers["owner"])
    assert unchanged(kept) == before


def test_merging_two_districts_is_refused(officers, pair, geography):
    kept, _ = pair
    stranger = producer(geography["wiang_chai"], "กลุ่มทอผ้าบ้านดอน")
    sale(stranger)
    before = unchanged(kept, stranger)
    with pytest.raises(registry.RegistryError, match="อำเภอเดียวกัน"):
        registry.merge_producers(kept, stranger, officers["owner"])
    assert unchanged(kept, stranger) == before


def test_merging_across_a_province_confirmed_month_is_refused(officers, pair):
    kept, dropped = pair
    sale(kept, **confirmed(province=True))
    sale(dropped)
    before = unchanged(kept, dropped)
    with pytest.raises(registry.RegistryError, match="จังหวัดยืนยัน"):
        registry.merge_producers(kept, dropped, officers["owner"])
    assert unchanged(kept, dropped) == before


def test_merging_a_month_the_calendar_closed_is_refused(officers, pair):
    kept, dropped = pair
    sale(dropped, fy=CLOSED[0], month=CLOSED[1])
    before = unchanged(kept, dropped)
    with pytest.raises(registry.RegistryError, match="ปิดรับข้อมูลแล้ว"):
        registry.merge_producers(kept, dropped, officers["owner"])
    assert unchanged(kept, dropped) == before


@pytest.mark.parametrize(
    ("a", "b", "similar"),
    [
        ("กลุ่มทอผ้าบ้านดอน", "ทอผ้า บ้านดอน", True),  # the prefix and a space
        ("ทอผ้าบ้านดอน", "ทอผ้า\u200bบ้านดอน", True),  # a zero-width space
        ("กลุ่มแม่บ้านเกษตรกรบ้านใหม่", "กลุ่มแม่บ้านเกษตรกรบ้านไหม่", True),  # a typo
        ("กลุ่มทอผ้าบ้านดอน", "กลุ่มจักสานไม้ไผ่", False),
    ],
)
def test_near_duplicates_are_suggested(geography, a, b, similar):
    district = geography["mueang_cr"]
    pairs = registry.similar_pairs([producer(district, a), producer(district, b)])
    assert bool(pairs) == similar


# --- the pages ---------------------------------------------------------------------------


def test_the_registry_lists_filters_and_totals(client, officers, pair):
    kept, dropped = pair
    sale(kept, domestic="1234.00")
    client.force_login(officers["owner"])
    page = client.get("/sales/5701/producers/").content.decode()
    assert "1,235.00" in page and "ชื่อที่อาจเป็นกลุ่มเดียวกัน" in page
    found = client.get("/sales/5701/producers/", {"q": "ทอผ้าบ้านดอน"}).content.decode()
    assert found.count("/sales/5701/producers/") >= 2
    assert client.get("/sales/5701/producers/", {"type": "bad"}).status_code == 404


def test_the_district_merges_on_the_page_and_a_refusal_keeps_the_choice(client, officers, pair):
    kept, dropped = pair
    sale(kept)
    sale(dropped, domestic="5.00")
    client.force_login(officers["owner"])
    url = f"/sales/5701/producers/{kept.pk}/merge/"
    refused = client.post(url, {"other": kept.pk})
    assert refused.status_code == 400 and "ตัวเอง" in refused.content.decode()
    assert client.post(url, {"other": dropped.pk}).status_code == 302
    assert not Producer.objects.filter(pk=dropped.pk).exists()
    page = client.get(f"/sales/5701/producers/{kept.pk}/").content.decode()
    assert "รวมผู้ผลิต" in page and "107.00" in page


def test_inactive_producers_are_marked_and_back(client, officers, pair):
    kept, _ = pair
    client.force_login(officers["owner"])
    url = f"/sales/5701/producers/{kept.pk}/active/"
    assert client.post(url, {}).status_code == 302
    kept.refresh_from_db()
    assert not kept.active
    client.post(url, {"active": "on"})
    kept.refresh_from_db()
    assert kept.active
    assert list(ProducerEvent.objects.values_list("action", flat=True)) == ["inactive", "active"]


@pytest.mark.parametrize(
    ("who", "read", "write"),
    [
        ("owner", 200, 302),
        ("colleague", 200, 302),
        ("province", 200, 403),
        ("department", 200, 403),
        ("neighbour", 404, 404),
        ("outsider", 404, 404),
        ("other_province", 404, 404),
    ],
)
def test_the_registry_scope(client, officers, pair, who, read, write):
    kept, _ = pair
    client.force_login(officers[who])
    assert client.get("/sales/5701/producers/").status_code == read
    assert client.get(f"/sales/5701/producers/{kept.pk}/").status_code == read
    response = client.post(f"/sales/5701/producers/{kept.pk}/rename/", {"name": "ชื่อใหม่"})
    assert response.status_code == write
    kept.refresh_from_db()
    assert (kept.name == "ชื่อใหม่") == (write == 302)


def test_a_producer_of_another_district_is_404_on_this_districts_url(client, officers, geography):
    stranger = producer(geography["wiang_chai"], "กลุ่มอื่น")
    client.force_login(officers["owner"])
    assert client.get(f"/sales/5701/producers/{stranger.pk}/").status_code == 404
    response = client.post(f"/sales/5701/producers/{stranger.pk}/rename/", {"name": "x"})
    assert response.status_code == 404


def test_registry_writes_are_refused_in_the_close_window(client, officers, pair, monkeypatch):
    kept, _ = pair
    closed = datetime.datetime(2026, 10, 7, 10, 0, tzinfo=BANGKOK)
    monkeypatch.setattr(timezone, "now", lambda: closed)
    client.force_login(officers["owner"])
    response = client.post(f"/sales/5701/producers/{kept.pk}/rename/", {"name": "ชื่อใหม่"})
    assert response.status_code == 403


def test_the_registry_trail_cannot_be_changed(officers, pair):
    from django.db import connection, transaction

    from quality.models import ProducerImmutable

    kept, _ = pair
    registry.set_active(kept, officers["owner"], False)
    event = ProducerEvent.objects.get()
    with pytest.raises(ProducerImmutable):
        event.save()
    with pytest.raises(ProducerImmutable):
        ProducerEvent.objects.all().delete()
    if connection.vendor == "postgresql":
        from django.db import DatabaseError

        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM quality_producerevent")


# --- the entry page: inactive producers and the outlier warning's data --------------------

NOVEMBER = datetime.datetime(2026, 11, 20, 10, 0, tzinfo=BANGKOK)


def test_new_months_stop_offering_an_inactive_producer(client, officers, pair, monkeypatch):
    from tests.test_entry_grid import grid_document

    monkeypatch.setattr(timezone, "now", lambda: NOVEMBER)
    kept, dropped = pair
    sale(kept)  # October rows of both
    sale(dropped)
    registry.set_active(dropped, officers["owner"], False)
    client.force_login(officers["owner"])
    response = client.get("/sales/5701/2570/11/")
    names = [row["name"] for row in grid_document(response)["rows"]]
    assert names == [kept.name]  # prefilled from October without the inactive one
    assert grid_document(response)["producers"] == [kept.name]  # nor suggested
    # Its history stays: October still shows both.
    october = grid_document(client.get("/sales/5701/2570/10/"))["rows"]
    assert {row["name"] for row in october} == {kept.name, dropped.name}


def test_the_entry_page_carries_each_producers_baseline_for_the_warning(
    client, officers, geography, monkeypatch
):
    from tests.test_entry_grid import grid_document
    from tests.test_outliers import history

    monkeypatch.setattr(timezone, "now", lambda: NOVEMBER)
    typo = producer(geography["mueang_cr"], "กลุ่มข้าวแต๋น")
    history(typo, ["38000", "41000", "36500", "39000", "40000", "37000", "38500", "42000"])
    from reports.totals import rebuild

    rebuild()
    client.force_login(officers["owner"])
    outliers = grid_document(client.get("/sales/5701/2570/11/"))["outliers"]
    assert outliers["z"] == 3500 and outliers["minHistory"] == 6
    assert outliers["baselines"]["กลุ่มข้าวแต๋น|food"] == [
        8,
        "387500000",  # median 38,750 baht in ten-thousandths
        "15000000",  # MAD 1,500
        "15000000",  # mean absolute deviation 1,500
        "420000000",  # the last month, 42,000
    ]
    client.force_login(officers["province"])  # reads the page, types nothing: no warning data
    assert grid_document(client.get("/sales/5701/2570/11/"))["outliers"] is None


def merge_with_notes(officers, pair, product_types):
    """Give both producers a row of each product type, the dropped rows with notes."""
    from quality import notes

    kept, dropped = pair
    for product_type in product_types:
        sale(kept, product_type=product_type)
        dropped_row = sale(dropped, product_type=product_type, domestic="50.00")
        notes.explain(dropped_row, officers["owner"], "ร้านปิด")
    return kept, dropped


def test_a_merge_carries_the_dropped_rows_notes_to_the_kept_rows(officers, pair):
    from quality import notes
    from quality.models import RowNote

    kept, dropped = merge_with_notes(officers, pair, ["food", "herb"])
    own = MonthlySale.objects.get(producer=kept, product_type="herb")
    notes.explain(own, officers["owner"], "ของกลุ่มเอง")

    registry.merge_producers(kept, dropped, officers["owner"])

    by_type = dict(RowNote.objects.values_list("sale__product_type", "explanation"))
    # The food note came with the dropped row; the kept herb row keeps its own.
    assert by_type == {"food": "ร้านปิด", "herb": "ของกลุ่มเอง"}
    assert RowNote.objects.count() == 2


def test_a_merges_queries_do_not_grow_with_the_merged_rows(officers, geography):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    # The first merge also creates what every later one finds (the month's lock row).
    sizes = (["food"], ["food"], ["food", "herb", "textile"])
    for size, product_types in enumerate(sizes):
        district = geography["mueang_cr"]
        pair = producer(district, f"กลุ่มจักสาน {size}"), producer(district, f"จักสาน {size}")
        kept, dropped = merge_with_notes(officers, pair, product_types)
        with CaptureQueriesContext(connection) as queries:
            registry.merge_producers(kept, dropped, officers["owner"])
        counts.append(len(queries))
    assert counts[1] == counts[2], counts
