"""A row's state is decided after the month's lock, under real concurrency (issue 17, point 2).

Each round starts a district's change (delete, edit, import) through its page and a
province's confirmation or send-back through its writer at the same moment, in two
threads with their own PostgreSQL connections. Whatever the order the database gives
them, exactly one wins and the rows say which: a province-confirmed row is never deleted
or changed, and a row sent back is never deleted or changed on the strength of a page
loaded before. The SQLite test database is one connection in memory: these run on
PostgreSQL only.
"""

import datetime
import threading
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections
from django.test import Client
from django.utils import timezone

from confirmations.models import Action, AuditEntry
from confirmations.services import ConfirmationError, confirm_province, send_back
from otopdoc.fiscal import BANGKOK, FiscalMonth
from sales.importing import XLSX_TYPE
from sales.models import MonthlySale, Producer
from sales.services import month_revision
from tests import hostile_files

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: real concurrent transactions on their own connections",
    ),
    pytest.mark.django_db(transaction=True),
]

NOW = datetime.datetime(2026, 10, 15, 10, 0, tzinfo=BANGKOK)
FISCAL_MONTH = FiscalMonth(2570, 10)
MONTH = "/sales/5701/2570/10/"
ROUNDS = 12


@pytest.fixture(autouse=True)
def october(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)


def confirmed_row(district, owner, number):
    """Return a fresh district-confirmed row of the month, its producer named by `number`."""
    producer = Producer.objects.create(
        name=f"กลุ่มแข่ง {number:03d}", district=district, producer_type="group"
    )
    return MonthlySale.objects.create(
        producer=producer,
        district=district,
        product_type="food",
        fiscal_year=FISCAL_MONTH.fiscal_year,
        month=FISCAL_MONTH.month,
        domestic=Decimal("100.00"),
        district_confirmed_at=NOW,
        district_confirmed_by=owner,
    )


def entry_post(row, revision, delete):
    return {
        "rows-TOTAL_FORMS": "1",
        "rows-INITIAL_FORMS": "1",
        "month-revision": str(revision),
        "rows-0-id": str(row.pk),
        "rows-0-version": str(row.version),
        "rows-0-name": row.producer.name,
        "rows-0-product_type": row.product_type,
        "rows-0-producer_type": "group",
        "rows-0-domestic": "100.00" if delete else "555.00",
        "rows-0-export": "0",
        **({"rows-0-DELETE": "on"} if delete else {}),
    }


def district_change(kind, client, row):
    """Return a function that makes the district's change and tells whether it was saved."""
    if kind == "import":
        content = hostile_files.build(
            [
                hostile_files.SHEET_OPEN,
                hostile_files.header_row(),
                hostile_files.data_row(6, name=row.producer.name, domestic="555"),
                hostile_files.SHEET_CLOSE,
            ]
        )
        response = client.post(
            MONTH + "import/", {"file": SimpleUploadedFile("rt1.xlsx", content, XLSX_TYPE)}
        )
        assert response.context["preview"].ok

        def run():
            response = client.post(MONTH + "import/confirm/")
            return response.status_code == 302 and response["Location"] == MONTH

        return run

    data = entry_post(row, month_revision(row.district, FISCAL_MONTH), delete=kind == "delete")

    def run():
        response = client.post(MONTH, data)
        return response.status_code == 302

    return run


def province_change(kind, user, row):
    shown = {row.pk: row.version}

    def run():
        try:
            if kind == "confirm":
                confirm_province(row.district, FISCAL_MONTH, user, shown, {row.pk})
            else:
                send_back(row.district, FISCAL_MONTH, user, shown, {row.pk}, "ยอดไม่ตรงกับเอกสาร")
        except ConfirmationError:
            return False
        return True

    return run


def race(first, second):
    """Run two functions at the same moment in threads with their own connections."""
    barrier = threading.Barrier(2)
    results = [None, None]

    def runner(index, work):
        try:
            barrier.wait(10)
            results[index] = work()
        except Exception as error:  # noqa: BLE001 - the test reports it
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=runner, args=(i, w)) for i, w in enumerate((first, second))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    for result in results:
        if isinstance(result, Exception):
            raise result
    return results


@pytest.mark.parametrize("district_kind", ["delete", "edit", "import"])
@pytest.mark.parametrize("province_kind", ["confirm", "send_back"])
def test_a_district_change_and_a_province_decision_never_both_win(
    officers, district_kind, province_kind
):
    district = officers["owner"].officer.district
    client = Client()
    client.force_login(officers["owner"])
    outcomes = set()
    for number in range(ROUNDS):
        row = confirmed_row(district, officers["owner"], number)
        district_won, province_won = race(
            district_change(district_kind, client, row),
            province_change(province_kind, officers["province"], row),
        )
        assert district_won != province_won, (number, district_won, province_won)
        outcomes.add("district" if district_won else "province")
        after = MonthlySale.objects.filter(pk=row.pk).first()
        audit = set(AuditEntry.objects.filter(sale_id=row.pk).values_list("action", flat=True))
        if province_won:
            assert after is not None and after.domestic == Decimal("100.00")
            if province_kind == "confirm":
                assert after.province_confirmed_at is not None
                assert Action.PROVINCE_CONFIRM in audit
            else:
                assert after.returned_reason == "ยอดไม่ตรงกับเอกสาร"
                assert after.district_confirmed_at is None
            assert not audit & {Action.CHANGE, Action.DELETE}
        elif district_kind == "delete":
            assert after is None
            assert Action.DELETE in audit
            assert not audit & {Action.PROVINCE_CONFIRM, Action.SEND_BACK}
        else:
            assert after.domestic == Decimal("555.00")
            assert after.province_confirmed_at is None and not after.returned_reason
            assert not audit & {Action.PROVINCE_CONFIRM, Action.SEND_BACK}
    # Not a test of who is faster; both orders happen over the rounds on this machine.
    assert outcomes
