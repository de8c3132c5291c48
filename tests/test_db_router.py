"""The read replica: reports read the "replica" alias, every write and other read the primary.

otopdoc.test_settings adds a "replica" alias that mirrors the test database, with no router;
these tests turn the router on. They commit their rows (transaction=True) because the
replica alias is a second connection, which cannot see a test's open transaction. The clock
is pinned to 15 October 2569 B.E. (2026), 10:00 in Bangkok: October of FY 2570 is open.
"""

import datetime
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.db import connections, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from otopdoc.db.router import ReplicaRouter, reads_from_replica
from otopdoc.fiscal import BANGKOK
from otopdoc.models import Officer
from reports.models import MonthTotal
from reports.totals import refresh_month
from sales.models import MonthlySale, Producer, ProductType

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime.datetime(2026, 10, 15, 10, 0, tzinfo=BANGKOK)
ROUTER = "otopdoc.db.router.ReplicaRouter"
BOTH = pytest.mark.django_db(transaction=True, databases=["default", "replica"])
# Tables a report shows; the primary's are everything else (auth, sessions, officers).
REPORT_TABLES = ('"sales_', '"reports_', '"confirmations_')


@pytest.fixture(autouse=True)
def october(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)


@pytest.fixture
def router_on(settings):
    settings.DATABASE_ROUTERS = [ROUTER]


def make_rows(district, count):
    producers = Producer.objects.bulk_create(
        Producer(name=f"กลุ่มที่ {i:03d}", district=district, producer_type="group")
        for i in range(count)
    )
    rows = MonthlySale.objects.bulk_create(
        MonthlySale(
            producer=p,
            district=district,
            product_type=ProductType.FOOD,
            fiscal_year=2570,
            month=10,
            domestic=Decimal("100.00"),
            export=Decimal("0.00"),
        )
        for p in producers
    )
    refresh_month(district, 2570, 10)
    return rows


class Captured:
    """The SQL each alias ran while the block ran."""

    def __enter__(self):
        self.primary = CaptureQueriesContext(connections["default"])
        self.replica = CaptureQueriesContext(connections["replica"])
        self.primary.__enter__()
        self.replica.__enter__()
        return self

    def __exit__(self, *exc):
        self.replica.__exit__(*exc)
        self.primary.__exit__(*exc)

    @staticmethod
    def reports(context):
        return [q["sql"] for q in context if any(t in q["sql"] for t in REPORT_TABLES)]

    @staticmethod
    def others(context):
        return [q["sql"] for q in context if not any(t in q["sql"] for t in REPORT_TABLES)]


# --- requests through the router ---------------------------------------------------------


@BOTH
def test_it_reads_a_report_from_the_replica_and_the_sign_in_from_the_primary(
    client, officers, geography, router_on
):
    make_rows(geography["mueang_cr"], 3)
    client.force_login(officers["owner"])
    with Captured() as queries:
        response = client.get("/reports/rt3/5701/2570/10/")
    assert response.status_code == 200
    assert "300.00" in response.content.decode()
    assert Captured.reports(queries.replica), "the report read nothing from the replica"
    assert Captured.others(queries.replica) == []
    assert Captured.reports(queries.primary) == []
    assert any('"django_session"' in sql for sql in Captured.others(queries.primary))


@BOTH
def test_the_nation_and_completeness_pages_read_the_replica(client, officers, geography, router_on):
    make_rows(geography["mueang_cr"], 2)
    client.force_login(officers["department"])
    for url in ("/nation/?fy=2570&m=10", "/confirm/completeness/2570/10/", "/reports/kpi/2570/"):
        with Captured() as queries:
            assert client.get(url).status_code == 200, url
        assert Captured.reports(queries.replica), url
        assert Captured.reports(queries.primary) == [], url


@BOTH
def test_an_entry_save_runs_nothing_on_the_replica(client, officers, router_on):
    client.force_login(officers["owner"])
    data = {
        "rows-TOTAL_FORMS": "1",
        "rows-INITIAL_FORMS": "0",
        "rows-MIN_NUM_FORMS": "0",
        "rows-MAX_NUM_FORMS": "2000",
        "month-revision": "0",
        "rows-0-id": "",
        "rows-0-version": "",
        "rows-0-name": "กลุ่มอาหารรสเลิศ",
        "rows-0-product_type": "food",
        "rows-0-producer_type": "group",
        "rows-0-domestic": "1,234.50",
        "rows-0-export": "0",
    }
    with Captured() as queries:
        response = client.post("/sales/5701/2570/10/", data, follow=True)
    assert response.redirect_chain == [("/sales/5701/2570/10/", 302)]
    assert MonthlySale.objects.get().domestic == Decimal("1234.50")
    assert len(queries.replica) == 0
    assert Captured.reports(queries.primary)


@BOTH
def test_a_confirmation_and_its_page_run_nothing_on_the_replica(
    client, officers, geography, router_on
):
    rows = make_rows(geography["mueang_cr"], 2)
    client.force_login(officers["owner"])
    data = {
        "batch": "1",
        "row": [f"{r.pk}:{r.version}" for r in rows],
        "tick": [str(r.pk) for r in rows],
    }
    with Captured() as queries:
        response = client.post("/confirm/district/5701/2570/10/", data, follow=True)
    assert response.redirect_chain == [("/confirm/district/5701/2570/10/?saved=1", 302)]
    assert all(s.district_confirmed_at == NOW for s in MonthlySale.objects.all())
    assert len(queries.replica) == 0
    total = MonthTotal.objects.get(district_id="5701", fiscal_year=2570, month=10)
    assert total.district_rows == 2


@BOTH
def test_without_the_router_a_report_reads_only_the_primary(client, officers, geography):
    make_rows(geography["mueang_cr"], 1)
    client.force_login(officers["owner"])
    with Captured() as queries:
        assert client.get("/reports/rt3/5701/2570/10/").status_code == 200
    assert len(queries.replica) == 0
    assert Captured.reports(queries.primary)


# --- the router's rules ------------------------------------------------------------------


def mark(method="GET"):
    """Run `body` as a decorated view of a request with this method; return what it returns."""

    class Request:
        pass

    request = Request()
    request.method = method

    def run(body):
        return reads_from_replica(lambda request: body())(request)

    return run


def test_it_sends_report_reads_of_a_marked_get_to_the_replica():
    router = ReplicaRouter()
    assert mark("GET")(lambda: router.db_for_read(MonthlySale)) == "replica"
    assert mark("HEAD")(lambda: router.db_for_read(MonthTotal)) == "replica"
    assert router.db_for_read(MonthlySale) == "default"


def test_it_keeps_sign_ins_officers_and_writes_on_the_primary():
    router = ReplicaRouter()
    assert mark("GET")(lambda: router.db_for_read(User)) == "default"
    assert mark("GET")(lambda: router.db_for_read(Officer)) == "default"
    assert mark("GET")(lambda: router.db_for_write(MonthlySale)) == "default"
    assert mark("POST")(lambda: router.db_for_read(MonthlySale)) == "default"


@pytest.mark.django_db
def test_a_read_inside_a_transaction_goes_to_the_primary():
    router = ReplicaRouter()

    def inside():
        with transaction.atomic():
            return router.db_for_read(MonthlySale)

    assert mark("GET")(inside) == "default"


def test_it_migrates_only_the_primary_and_relates_rows_of_both():
    router = ReplicaRouter()
    assert router.allow_migrate("default", "sales") is True
    assert router.allow_migrate("replica", "sales") is False
    primary, replica = MonthlySale(), MonthlySale()
    primary._state.db, replica._state.db = "default", "replica"
    assert router.allow_relation(primary, replica) is True


def test_the_mark_ends_with_the_view_even_when_it_raises():
    router = ReplicaRouter()

    def failing():
        raise ValueError

    with pytest.raises(ValueError):
        mark("GET")(failing)
    assert router.db_for_read(MonthlySale) == "default"


# --- the settings ------------------------------------------------------------------------


def load_settings(**env):
    """Import otopdoc.settings in a fresh interpreter and print its aliases and routers."""
    clean = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    script = (
        "import otopdoc.settings as s; "
        "print(sorted(s.DATABASES), s.DATABASE_ROUTERS, "
        "s.DATABASES.get('replica', {}).get('TEST'), s.DATABASES.get('replica', {}).get('NAME'))"
    )
    return subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**clean, "DEBUG": "1", **env},
        capture_output=True,
        text=True,
    )


def test_without_a_replica_url_there_is_no_replica_and_no_router():
    result = load_settings(DATABASE_URL="postgres://otop@db.example/otop")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['default'] [] None None"


def test_a_replica_url_adds_the_alias_as_a_test_mirror_and_the_router():
    result = load_settings(
        DATABASE_URL="postgres://otop@db.example/otop",
        DATABASE_REPLICA_URL="postgres://otop_read@replica.example/otop",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        f"['default', 'replica'] ['{ROUTER}'] {{'MIRROR': 'default'}} otop"
    )


def test_it_refuses_a_replica_of_sqlite():
    result = load_settings(DATABASE_REPLICA_URL="postgres://otop_read@replica.example/otop")
    assert result.returncode != 0
    assert "DATABASE_REPLICA_URL needs PostgreSQL" in result.stderr
