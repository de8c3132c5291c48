"""The deadline-day load script (benchmarks/load/run.py), at a tiny scale on a live server.

Not a timing test: it checks that the script still drives the real pages (sign-in, entry,
both confirmations, KPI) without an error, and that its database check catches a writer
that leaves the running totals behind.
"""

import argparse
import datetime
import re
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from otopdoc.fiscal import BANGKOK
from sales.models import MonthlySale, Producer, ProducerType, ProductType

pytestmark = pytest.mark.django_db(transaction=True)

LOAD = Path(__file__).resolve().parent.parent / "benchmarks" / "load"
# November 2569 is open to districts and provinces; October has the rows to prefill from.
OPEN_DAY = datetime.datetime(2026, 11, 20, 10, 0, tzinfo=BANGKOK)


@pytest.fixture
def load_run(monkeypatch):
    monkeypatch.syspath_prepend(str(LOAD))
    # live_server runs in a thread of this process, so the server sees the same clock.
    monkeypatch.setattr(timezone, "now", lambda: OPEN_DAY)
    import run

    yield run
    sys.modules.pop("run", None)
    sys.modules.pop("prepare", None)


@pytest.fixture
def october(geography):
    """Last month's rows: 120 in 5701 (two confirmation batches), a few in 5702 and 5001."""
    types = list(ProductType.values)
    for code, count in (("5701", 120), ("5702", 3), ("5001", 2)):
        producers = Producer.objects.bulk_create(
            Producer(
                name=f"กลุ่มทดสอบ {code}-{n:03d}",
                district_id=code,
                producer_type=ProducerType.COMMUNITY_GROUP,
            )
            for n in range(count)
        )
        MonthlySale.objects.bulk_create(
            MonthlySale(
                producer=producer,
                district_id=code,
                product_type=types[n % len(types)],
                fiscal_year=2570,
                month=10,
                domestic=Decimal("1000.00") + n,
                export=Decimal("0.00"),
            )
            for n, producer in enumerate(producers)
        )


def arguments(base_url):
    return argparse.Namespace(
        base_url=base_url,
        districts=3,
        saves=2,
        provinces=2,
        province_batches=1,
        department=1,
        kpi_repeat=1,
        # live_server on SQLite shares one in-memory connection between its threads.
        concurrency=1 if connection.vendor == "sqlite" else 3,
        fiscal_year=None,
        month=None,
        seed=1,
    )


def test_it_runs_the_deadline_day_without_an_error_and_finds_every_row(
    load_run, october, live_server, capsys
):
    assert load_run.run(arguments(live_server.url)) == 0

    out = capsys.readouterr().out
    assert "errors: 0" in out
    # Chiang Rai confirms whichever of its districts is ready first: 100 rows or 3.
    assert re.search(r"verify: 3 districts, 125 rows, (102|5) province ticks", out)
    assert "verification: OK" in out
    saved = MonthlySale.objects.filter(fiscal_year=2570, month=11)
    assert saved.count() == 125
    assert not saved.filter(district_confirmed_at__isnull=True).exists()


def test_it_fails_when_a_writer_leaves_the_running_totals_behind(
    load_run, october, live_server, capsys, monkeypatch
):
    from confirmations import services

    monkeypatch.setattr(services, "refresh_month", lambda *args: None)

    assert load_run.run(arguments(live_server.url)) == 1

    out = capsys.readouterr().out
    assert "errors: 0" in out
    assert "verification: FAILED" in out
    assert "running totals" in out
