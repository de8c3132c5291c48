"""A database failure in the middle of a save writes nothing, and the same save then works.

Every writer is driven through its real page with the test client. A fault is injected
with connection.execute_wrapper: a statement of the save raises OperationalError instead
of running (or, on PostgreSQL, the server really kills the connection first). After the
fault every table is exactly as before, the officer sees a Thai message with what they
typed, and the same POST without the fault saves.

Two kinds of fault points per writer:
- named ones (after the month is claimed, after the deletes, at the audit insert, ...);
- a sweep over every statement the writer's transaction runs, from its first SAVEPOINT
  to its RELEASE (the test itself runs in a transaction, so the writer's atomic block is
  a savepoint there; in production it is BEGIN ... COMMIT).
"""

import datetime
import re
from decimal import Decimal

import pytest
from django.db import OperationalError, connection
from django.urls import reverse
from django.utils import timezone

from confirmations.models import Action, AuditEntry
from otopdoc.failures import NOT_SAVED
from otopdoc.fiscal import BANGKOK, FiscalMonth
from reports.models import MonthTotal
from reports.totals import refresh_month
from sales.models import (
    DistrictMonth,
    Estimate,
    EstimateMonth,
    ExportDetail,
    MonthlySale,
    Producer,
    ProducerType,
    ProductType,
)
from sales.services import save_month
from tests.test_confirm_district import form as confirm_form
from tests.test_entry import post_data, row, rows_of_existing
from tests.test_import import FOOD, GROUP, SINGLE, TEXTILE, upload, workbook

# 15 October 2569 (2026), 10:00 in Bangkok: October of FY 2570 is open for writing.
NOW = datetime.datetime(2026, 10, 15, 10, 0, tzinfo=BANGKOK)
OCTOBER = FiscalMonth(2570, 10)
ENTRY = "/sales/5701/2570/10/"
IMPORT_CONFIRM = ENTRY + "import/confirm/"
ESTIMATE = "/sales/5701/2570/estimate/"
EXPORTS = reverse("sales-exports", args=["57", 2570, 10])
DISTRICT_CONFIRM = "/confirm/district/5701/2570/10/"
PROVINCE_CONFIRM = "/confirm/province/5701/2570/10/"
SEND_BACK = PROVINCE_CONFIRM + "send-back/"
DROPPED = "server closed the connection unexpectedly"
WRITE = re.compile(r"^(INSERT|UPDATE|DELETE)\b")
SESSION = re.compile(r'"(django_session|axes_\w+)"')  # sign-in bookkeeping, not the save's
TABLES = [
    MonthlySale,
    Producer,
    AuditEntry,
    DistrictMonth,
    MonthTotal,
    Estimate,
    EstimateMonth,
    ExportDetail,
]


@pytest.fixture(autouse=True)
def october(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)


def tables():
    """Return every row of every table a writer touches, all columns, in id order."""
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in TABLES}


class Fault:
    """An execute wrapper that fails one statement of what runs inside it, once.

    at: fail the first statement matching this pattern.
    after: fail the first statement run after one matching this pattern.
    start, offset: fail the statement `offset` places after the first one matching `start`.
    kill: instead of raising, have the server kill this connection just before the
    statement runs (PostgreSQL), so the statement meets a dead connection.
    """

    def __init__(self, at=None, after=None, start=None, offset=0, kill=False):
        self.at, self.after, self.start, self.offset, self.kill = at, after, start, offset, kill
        self.armed = at is not None
        self.seen = 0
        self.fired = None  # the statement that failed

    def __call__(self, execute, sql, params, many, context):
        if self.fired is None and self._due(sql):
            self.fired = sql
            if self.kill:
                terminate(connection)
            else:
                raise OperationalError(DROPPED)
        return execute(sql, params, many, context)

    def _due(self, sql):
        if self.at is not None:
            return re.search(self.at, sql) is not None
        if self.after is not None:
            due = self.armed
            self.armed = self.armed or re.search(self.after, sql) is not None
            return due
        self.armed = self.armed or re.search(self.start, sql) is not None
        if not self.armed:
            return False
        self.seen += 1
        return self.seen == self.offset + 1


def terminate(conn):
    """Kill the server process behind `conn` from a second connection (PostgreSQL)."""
    pid = backend_pid(conn)
    other = conn.copy()
    try:
        with other.cursor() as cursor:
            # The timeout makes it wait until the process has gone (PostgreSQL 14+).
            cursor.execute("SELECT pg_terminate_backend(%s, 10000)", [pid])
            assert cursor.fetchone()[0]
    finally:
        other.close()


def backend_pid(conn):
    raw = conn.connection
    return raw.info.backend_pid if hasattr(raw, "info") else raw.get_backend_pid()


class Recorder:
    """An execute wrapper that notes every statement."""

    def __init__(self):
        self.statements = []

    def __call__(self, execute, sql, params, many, context):
        self.statements.append(sql)
        return execute(sql, params, many, context)


def writer_statements(send):
    """Run `send` once, rolled back, and return the statements of the writer's transaction.

    They run from the first SAVEPOINT of the request to its RELEASE (savepoints nest).
    """
    from django.db import transaction

    recorder = Recorder()
    with transaction.atomic():
        with connection.execute_wrapper(recorder):
            response = send()
        assert response.status_code == 302, "the save should succeed without a fault"
        transaction.set_rollback(True)
    statements = recorder.statements
    first = next((i for i, sql in enumerate(statements) if sql.startswith("SAVEPOINT")), None)
    assert first is not None, "the writer ran outside a transaction"
    depth = 0
    for last in range(first, len(statements)):
        if statements[last].startswith("SAVEPOINT"):
            depth += 1
        elif statements[last].startswith(("RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")):
            depth -= 1
            if depth == 0:
                break
    else:
        raise AssertionError("the writer's savepoint was never released")
    # The sweep covers the writer's transaction only: no write of the app may lie outside it.
    outside = [
        sql
        for sql in statements[:first] + statements[last + 1 :]
        if WRITE.match(sql) and not SESSION.search(sql)
    ]
    assert not outside, f"writes outside the writer's transaction: {outside}"
    return statements[first : last + 1]


def assert_fault_writes_nothing(send, fault, kept=()):
    """Send the POST with `fault`; assert a Thai page with the typed values, nothing written."""
    before = tables()
    with connection.execute_wrapper(fault):
        response = send()
    assert fault.fired, "the fault point was never reached"
    assert response.status_code == 200, fault.fired
    html = response.content.decode()
    assert NOT_SAVED in html, fault.fired
    for text in kept:
        assert text in html, (text, fault.fired)
    assert tables() == before, f"partial write when failing: {fault.fired}"


def sweep(send, kept=()):
    """Fail each statement of the writer's transaction in turn; return how many."""
    statements = writer_statements(send)
    for offset in range(len(statements)):
        assert_fault_writes_nothing(send, Fault(start=r"^SAVEPOINT", offset=offset), kept)
    print(f"fault points tried: {len(statements)}")  # shown with pytest -rP
    return len(statements)


# --- the month entry page ------------------------------------------------------------------


@pytest.fixture
def month(client, officers):
    """A saved month: three rows (one district-confirmed), their audit, totals, revision 1."""
    client.force_login(officers["owner"])
    district = officers["owner"].officer.district
    save_month(
        district,
        OCTOBER,
        officers["owner"],
        0,
        [saved_row("กลุ่ม ก"), saved_row("กลุ่ม ข"), saved_row("กลุ่ม ค")],
        [],
    )
    MonthlySale.objects.filter(producer__name="กลุ่ม ค").update(district_confirmed_at=NOW)
    refresh_month(district, OCTOBER.fiscal_year, OCTOBER.month)
    return list(MonthlySale.objects.select_related("producer").order_by("producer__name"))


def saved_row(name):
    return {
        "id": None,
        "version": None,
        "name": name,
        "product_type": "food",
        "producer_type": "group",
        "domestic": Decimal("100.00"),
        "export": Decimal("0.00"),
    }


def entry_post(rows):
    """Delete ก, change ข's amount and producer type, keep ค, add a new producer's row."""
    first, second, third = rows_of_existing(rows)
    first["DELETE"] = "on"
    second.update(domestic="7,654.32", producer_type="sme")
    new = row(name="กลุ่มใหม่ทดสอบ", product_type="textile", domestic="1,111.25")
    return post_data([first, second, third, new], revision=1)


ENTRY_POINTS = {
    "after the month is claimed": {"after": r'^UPDATE "sales_districtmonth"'},
    "after new producers are created": {"after": r'^INSERT INTO "sales_producer"'},
    "at the producer type update": {"at": r'^UPDATE "sales_producer"'},
    "after the deletes": {"after": r'^DELETE FROM "sales_monthlysale"'},
    "after the update of changed rows": {"after": r'^UPDATE "sales_monthlysale"'},
    "after the bulk insert of new rows": {"after": r'^INSERT INTO "sales_monthlysale"'},
    "at the audit insert": {"at": r'^INSERT INTO "confirmations_auditentry"'},
    "at refresh_month's delete": {"at": r'^DELETE FROM "reports_monthtotal"'},
    "at refresh_month's insert": {"at": r'^INSERT INTO "reports_monthtotal"'},
}


@pytest.mark.parametrize("point", ENTRY_POINTS)
def test_a_fault_in_a_month_save_writes_nothing_and_the_retry_saves(client, month, point):
    data = entry_post(month)

    def send():
        return client.post(ENTRY, data)

    assert_fault_writes_nothing(send, Fault(**ENTRY_POINTS[point]), ["7,654.32", "กลุ่มใหม่ทดสอบ"])

    # The revision was not used up: the same page saves.
    response = client.post(ENTRY, data, follow=True)
    assert "บันทึกข้อมูลสมบูรณ์" in response.content.decode()
    assert DistrictMonth.objects.get().revision == 2
    names = set(MonthlySale.objects.values_list("producer__name", flat=True))
    assert names == {"กลุ่ม ข", "กลุ่ม ค", "กลุ่มใหม่ทดสอบ"}
    changed = MonthlySale.objects.get(producer__name="กลุ่ม ข")
    assert (changed.domestic, changed.version) == (Decimal("7654.32"), 2)
    assert changed.producer.producer_type == ProducerType.SME
    assert MonthTotal.objects.get(product_type="food").rows == 2


def test_every_statement_of_a_month_save_can_fail_without_a_partial_write(client, month):
    data = entry_post(month)
    tried = sweep(lambda: client.post(ENTRY, data), ["7,654.32", "กลุ่มใหม่ทดสอบ"])
    assert tried >= 12  # claim, producers, delete, update, insert, audit, totals, savepoints
    assert client.post(ENTRY, data).status_code == 302
    assert DistrictMonth.objects.get().revision == 2


def test_a_failed_save_is_logged(client, month, caplog):
    with connection.execute_wrapper(Fault(at=r'^INSERT INTO "confirmations_auditentry"')):
        client.post(ENTRY, entry_post(month))
    (record,) = [r for r in caplog.records if r.name == "otopdoc.writes"]
    assert record.levelname == "ERROR" and record.exc_info[0] is OperationalError
    assert "month entry save" in record.getMessage()


# --- the Excel import's confirm step --------------------------------------------------------


@pytest.fixture
def checked_file(client, month):
    """An uploaded, checked file that changes ข, adds two rows, and leaves ก and ค out."""
    content = workbook(
        [
            ("กลุ่ม ข", FOOD, GROUP, "7,654.32", 0),
            ("กลุ่มนำเข้าใหม่", TEXTILE, SINGLE, 2500, 10),
            ("กลุ่ม ค", TEXTILE, GROUP, 300, 0),
        ]
    )
    response = upload(client, content)
    assert response.context["preview"].ok
    return content


IMPORT_POINTS = {
    "after the month is claimed": {"after": r'^UPDATE "sales_districtmonth"'},
    "after new producers are created": {"after": r'^INSERT INTO "sales_producer"'},
    "after the update of changed rows": {"after": r'^UPDATE "sales_monthlysale"'},
    "after the bulk insert of new rows": {"after": r'^INSERT INTO "sales_monthlysale"'},
    "at the audit insert": {"at": r'^INSERT INTO "confirmations_auditentry"'},
    "at refresh_month's insert": {"at": r'^INSERT INTO "reports_monthtotal"'},
}


@pytest.mark.parametrize("point", IMPORT_POINTS)
def test_a_fault_in_an_import_writes_nothing_and_confirming_again_imports(
    client, checked_file, point
):
    def send():
        return client.post(IMPORT_CONFIRM)

    # The preview comes back with its confirm button: the checked file is kept.
    kept = ["กลุ่มนำเข้าใหม่", 'id="confirm"']
    assert_fault_writes_nothing(send, Fault(**IMPORT_POINTS[point]), kept)

    response = client.post(IMPORT_CONFIRM, follow=True)
    assert "บันทึกข้อมูลสมบูรณ์" in response.content.decode()
    assert DistrictMonth.objects.get().revision == 2
    assert MonthlySale.objects.get(producer__name="กลุ่ม ข").domestic == Decimal("7654.32")
    assert MonthlySale.objects.count() == 5  # ก and ค (food) stay; ข changed; two new


def test_every_statement_of_an_import_can_fail_without_a_partial_write(client, checked_file):
    tried = sweep(lambda: client.post(IMPORT_CONFIRM), ["กลุ่มนำเข้าใหม่", 'id="confirm"'])
    assert tried >= 10
    assert client.post(IMPORT_CONFIRM).status_code == 302
    assert MonthlySale.objects.count() == 5


# --- the estimate form and the export detail -----------------------------------------------


@pytest.fixture
def estimate_page(client, officers):
    """A saved estimate, and the POST that changes its certifier and October's amount."""
    client.force_login(officers["owner"])
    data = {f"{c}_{m}": "1" for m in range(1, 13) for c in ("domestic", "export")}
    data.update(certifier_name="นายเดิม", certifier_position="พัฒนาการอำเภอ")
    assert client.post(ESTIMATE, data).status_code == 302
    version = client.get(ESTIMATE).context["version"]
    return {**data, "domestic_10": "98,765.43", "certifier_name": "นายใหม่", "version": version}


def test_a_fault_at_the_estimates_second_write_writes_nothing(client, estimate_page):
    def send():
        return client.post(ESTIMATE, estimate_page)

    # The first write is the estimate's UPDATE; the second, its months' upsert.
    fault = Fault(at=r'^INSERT INTO "sales_estimatemonth"')
    assert_fault_writes_nothing(send, fault, ["98,765.43", "นายใหม่"])
    assert client.post(ESTIMATE, estimate_page).status_code == 302
    assert Estimate.objects.get().certifier_name == "นายใหม่"
    assert EstimateMonth.objects.get(month=10).domestic == Decimal("98765.43")


def test_every_statement_of_an_estimate_save_can_fail_without_a_partial_write(
    client, estimate_page
):
    tried = sweep(lambda: client.post(ESTIMATE, estimate_page), ["98,765.43", "นายใหม่"])
    assert tried >= 4
    assert client.post(ESTIMATE, estimate_page).status_code == 302


@pytest.fixture
def export_page(client, officers, geography):
    """Two saved export lines; the POST deletes one, changes the other, adds a third."""
    from sales.forms_exports import stamp_of

    client.force_login(officers["province"])
    tea = Producer.objects.create(
        name="กลุ่มชาอูหลง", district=geography["mueang_cr"], producer_type="sme"
    )
    lines = [
        ExportDetail.objects.create(
            province_id="57",
            fiscal_year=2570,
            month=10,
            producer=tea,
            product=product,
            value=Decimal("1000.00"),
            country="JP",
            channel="own",
        )
        for product in ("ชาอูหลง", "ชาเขียว")
    ]

    def saved(line, **changes):
        values = {
            "id": line.pk,
            "stamp": stamp_of(line),
            "producer": line.producer_id,
            "product": line.product,
            "value": line.value,
            "country": line.country,
            "agency": "",
            "channel": line.channel,
        }
        return {**values, **changes}

    new = {"producer": tea.pk, "product": "ชาดอกไม้ใหม่", "value": "3,333.33", "country": "KR"}
    typed = [
        saved(lines[0], DELETE="on"),
        saved(lines[1], value="2,222.22"),
        {"id": "", "stamp": "", "agency": "", "channel": "agent", **new},
    ]
    data = {
        "lines-TOTAL_FORMS": "3",
        "lines-INITIAL_FORMS": "2",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "500",
    }
    for i, line in enumerate(typed):
        data.update({f"lines-{i}-{key}": str(value) for key, value in line.items()})
    return data


def test_a_fault_at_the_export_details_second_write_writes_nothing(client, export_page):
    def send():
        return client.post(EXPORTS, export_page)

    # The writes: delete the deleted line, update the changed one, insert the new one.
    fault = Fault(at=r'^UPDATE "sales_exportdetail"')
    assert_fault_writes_nothing(send, fault, ["2,222.22", "ชาดอกไม้ใหม่"])
    assert client.post(EXPORTS, export_page).status_code == 302
    assert sorted(ExportDetail.objects.values_list("product", "value")) == [
        ("ชาดอกไม้ใหม่", Decimal("3333.33")),
        ("ชาเขียว", Decimal("2222.22")),
    ]


def test_every_statement_of_an_export_save_can_fail_without_a_partial_write(client, export_page):
    tried = sweep(lambda: client.post(EXPORTS, export_page), ["2,222.22", "ชาดอกไม้ใหม่"])
    assert tried >= 5
    assert client.post(EXPORTS, export_page).status_code == 302


# --- confirmation batches -------------------------------------------------------------------


def batch_of_100(district, **fields):
    producers = Producer.objects.bulk_create(
        Producer(name=f"กลุ่มที่ {i:03d}", district=district, producer_type="group") for i in range(100)
    )
    MonthlySale.objects.bulk_create(
        MonthlySale(
            producer=p,
            district=district,
            product_type=ProductType.FOOD,
            fiscal_year=2570,
            month=10,
            domestic=Decimal("100.00"),
            **fields,
        )
        for p in producers
    )
    refresh_month(district, 2570, 10)
    return list(MonthlySale.objects.order_by("producer__name"))


BEFORE = NOW - datetime.timedelta(hours=1)
# Each: who posts, where, the rows' state before, the POST, what the officer's marks look
# like on the page, and the check that the whole batch was written.
BATCHES = {
    "district confirmation": (
        "owner",
        DISTRICT_CONFIRM,
        {},
        lambda rows: confirm_form(rows, ticked=rows),
        r'name="tick" value="\d+" data-check="tick" checked',
        Action.DISTRICT_CONFIRM,
        {"district_confirmed_at__isnull": False},
    ),
    "province confirmation": (
        "province",
        PROVINCE_CONFIRM,
        {"district_confirmed_at": BEFORE},
        lambda rows: confirm_form(rows, ticked=rows),
        r'name="tick" value="\d+" data-check="tick" checked',
        Action.PROVINCE_CONFIRM,
        {"province_confirmed_at__isnull": False},
    ),
    "send back": (
        "province",
        SEND_BACK,
        {"district_confirmed_at": BEFORE, "province_confirmed_at": BEFORE},
        lambda rows: confirm_form(rows, ticked=rows, field="chosen", reason="ยอดสูงผิดปกติ"),
        r'name="chosen" value="\d+" form="send-back-form" data-check="chosen" checked',
        Action.SEND_BACK,
        {"returned_at__isnull": False, "district_confirmed_at__isnull": True},
    ),
}


def fault_a_batch(client, officers, batch, fault):
    """Post a batch of 100 with `fault`; assert the page, all-or-nothing, then the retry."""
    who, url, fields, post, mark, action, done = BATCHES[batch]
    rows = batch_of_100(officers["owner"].officer.district, **fields)
    client.force_login(officers[who])
    data = post(rows)
    before = tables()

    with connection.execute_wrapper(fault):
        response = client.post(url, data)
    assert fault.fired

    # What the officer sees: the batch again, a Thai message, their ticks kept.
    assert response.status_code == 200
    html = response.content.decode()
    assert NOT_SAVED in html
    assert len(re.findall(mark, html)) == 100

    connection.close()  # look with a fresh connection
    assert tables() == before
    assert not AuditEntry.objects.filter(action=action).exists()

    assert client.post(url, data).status_code == 302
    assert MonthlySale.objects.filter(**done).count() == 100
    assert AuditEntry.objects.filter(action=action).count() == 100
    assert MonthTotal.objects.get().rows == 100


@pytest.fixture
def reconnect():
    """Leave the test connection usable for the next test, whatever this one did to it."""
    yield
    connection.close()


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: pg_terminate_backend kills the server process of the connection",
)
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("batch", BATCHES)
def test_a_connection_killed_mid_batch_confirms_none_of_it(client, officers, reconnect, batch):
    """The server process really dies just before the audit insert; its transaction with it."""
    connection.ensure_connection()
    pid = backend_pid(connection)
    fault = Fault(at=r'^INSERT INTO "confirmations_auditentry"', kill=True)
    fault_a_batch(client, officers, batch, fault)
    assert backend_pid(connection) != pid  # the page was drawn on a new connection


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("batch", BATCHES)
@pytest.mark.parametrize(
    "point",
    [
        r'^UPDATE "sales_monthlysale"',
        r'^INSERT INTO "confirmations_auditentry"',
        r'^DELETE FROM "reports_monthtotal"',
        r'^INSERT INTO "reports_monthtotal"',
    ],
)
def test_a_connection_dropped_mid_batch_confirms_none_of_it(
    client, officers, reconnect, batch, point
):
    """The driver reports the connection gone (any database); the transaction is real."""
    fault_a_batch(client, officers, batch, Fault(at=point))


@pytest.mark.parametrize("batch", BATCHES)
def test_every_statement_of_a_batch_can_fail_without_a_partial_write(client, officers, batch):
    who, url, fields, post, mark, action, done = BATCHES[batch]
    rows = batch_of_100(officers["owner"].officer.district, **fields)
    client.force_login(officers[who])
    data = post(rows)
    tried = sweep(lambda: client.post(url, data))
    assert tried >= 6
    assert client.post(url, data).status_code == 302
    assert MonthlySale.objects.filter(**done).count() == 100


def test_an_uncaught_database_error_shows_a_thai_500_page(officers):
    """A failure outside the writers (here, reading the session) still answers in Thai."""
    from django.test import Client

    client = Client(raise_request_exception=False)
    client.force_login(officers["owner"])
    with connection.execute_wrapper(Fault(at=r'FROM "django_session"')):
        response = client.get(ENTRY)
    assert response.status_code == 500
    html = response.content.decode()
    assert "ระบบขัดข้องชั่วคราว" in html and "ไม่บันทึกข้อมูลใด ๆ ไว้บางส่วน" in html
