"""The one write path of the monthly rows: the rows, their audit trail and running totals.

Every change to MonthlySale rows goes through a MonthWrite: the entry page's save (which
the Excel import and the API use, sales.services.save_month), the district's and the
province's confirmations and withdrawals and the send-back (confirmations.services), and
the registry's merge of producers (quality.registry). A writer takes the month's lock,
says what changes, and leaves the block:

    with MonthWrite(district, fiscal_month, user) as write:
        write.lock()                    # or write.claim(revision), for a save of the page
        rows = write.rows()             # or the rows the caller already holds
        write.change(row, Action.DISTRICT_CONFIRM, district_confirmed_at=write.at, ...)
        write.create(MonthlySale(...))
        write.delete(row)

The calls only record what is to change. Leaving the block writes it all, inside the
caller's transaction, in a fixed number of statements whatever the number of rows:
1. delete the deleted rows (their notes with them), each at the version it was read at;
2. update the changed rows in one UPDATE ... FROM (VALUES ...), each guarded by the version
   it was read at; every changed row gets a new version;
3. insert the new rows in one INSERT;
4. record every create, change and delete in the audit trail in one INSERT: old and new
   values, who, when and why;
5. bring the running totals of the months up to date (reports.totals.refresh_months: one
   upsert from the rows, the removal of product types that vanished, one more version of
   the province's totals, which keys the national pages' cache).
A writer cannot change rows without steps 4 and 5: nothing else here writes a row, every
change names its audited action, and nothing is recorded before the month's lock is held.
A row whose version moved on since the writer read it raises StaleMonth, and the writer's
transaction writes nothing. tests/test_writes.py also checks that no module outside this
one writes MonthlySale rows.

The signals the writers send (confirmations.signals: the notifications' outbox) stay inside
the writer's transaction, after the write: the events commit or roll back with the rows.

Not through here: the estimate (sales.forms_estimate) and the export detail
(sales.forms_exports). They are not monthly rows: no running total, no confirmation and no
report of the rows reads them, and the audit trail (confirmations.AuditEntry) is a trail of
monthly rows (a sale id, a district's month, a row's values). Each already records who saved
it last and when, and refuses a stale page; a trail of their own would be a new model, a
migration and a history page, a change of its own.
"""

import datetime
from decimal import Decimal

from django.db import connections, models, router, transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from confirmations.models import Action, AuditEntry, snapshot
from otopdoc.fiscal import FiscalMonth
from reports.totals import refresh_months
from sales.models import DistrictMonth, MonthlySale


class StaleMonth(Exception):
    """Someone saved this district's month after the page was loaded."""

    message = (
        "มีผู้อื่นบันทึกข้อมูลเดือนนี้ของอำเภอหลังจากที่ท่านเปิดหน้านี้ "
        "ระบบจึงยังไม่บันทึกสิ่งที่ท่านกรอก เพื่อไม่ให้ข้อมูลของอีกฝ่ายสูญหาย "
        "กรุณาคัดลอกตัวเลขที่กรอกไว้ แล้วโหลดหน้าใหม่เพื่อดูข้อมูลล่าสุด"
    )


class WriteError(Exception):
    """A writer used the write path wrongly: a fault of the code, never of the officer."""


# The actions that change a row in place; CREATE and DELETE have their own methods, and
# the notes' actions (EXPLAIN, FOLLOW_UP) change no row.
CHANGES = frozenset(
    {
        Action.CHANGE,
        Action.DISTRICT_CONFIRM,
        Action.DISTRICT_WITHDRAW,
        Action.PROVINCE_CONFIRM,
        Action.PROVINCE_WITHDRAW,
        Action.SEND_BACK,
    }
)
# What a change may set. Not the row's district and month (a row never moves to another
# month), nor its id, version (the write path counts it) or generated total.
WRITABLE = frozenset(
    {
        "producer",
        "product_type",
        "producer_type",
        "domestic",
        "export",
        "district_confirmed_at",
        "district_confirmed_by",
        "province_confirmed_at",
        "province_confirmed_by",
        "returned_at",
        "returned_by",
        "returned_reason",
        "updated_at",
        "updated_by",
    }
)
AUDIT_COLUMNS = (
    "sale_id",
    "district_id",
    "fiscal_year",
    "month",
    "action",
    "user_id",
    "at",
    "old",
    "new",
    "reason",
)


def lock_month(district, fiscal_month):
    """Take the lock of a district's month that every writer of its rows takes first."""
    sheet, _ = DistrictMonth.objects.select_for_update().get_or_create(
        district=district, fiscal_year=fiscal_month.fiscal_year, month=fiscal_month.month
    )
    return sheet


def claim_month(district, fiscal_month, user, revision):
    """Raise the month's revision from `revision`, or raise StaleMonth; return the new one.

    The conditional UPDATE takes the row's lock: a second writer with the same revision
    waits for the first to commit, then finds the revision moved on. A month never saved
    has no row yet: it is created at revision 0 first.
    """
    now = timezone.now()
    month = DistrictMonth.objects.filter(
        district=district, fiscal_year=fiscal_month.fiscal_year, month=fiscal_month.month
    )
    values = {
        "revision": F("revision") + 1,
        "saved_at": now,
        "saved_by": user,
        "first_saved_at": Coalesce("first_saved_at", now),
    }
    claimed = month.filter(revision=revision).update(**values)
    if not claimed and revision == 0:
        sheet, created = DistrictMonth.objects.get_or_create(
            district=district, fiscal_year=fiscal_month.fiscal_year, month=fiscal_month.month
        )
        claimed = created and month.filter(pk=sheet.pk, revision=0).update(**values)
    if not claimed:
        raise StaleMonth
    return revision + 1


class _Change:
    __slots__ = ("row", "version", "action", "reason", "before")

    def __init__(self, row, action, reason, before):
        self.row, self.version, self.action = row, row.version, action
        self.reason, self.before = reason, before


class MonthWrite:
    """One writer's change to the rows of a district's months, written whole on leaving.

    `fiscal_months` is one FiscalMonth or several (a merge of producers touches every month
    the dropped producer has rows in). `at` is the write's time: the audit's, and what the
    writer stamps on the rows (confirmed at, updated at). `totals(district, [(fiscal year,
    month)])` brings the months' running totals up to date: reports.totals.refresh_months
    unless the writer names it through its own module, where the fault tests replace it.
    """

    def __init__(self, district, fiscal_months, user, totals=refresh_months):
        if isinstance(fiscal_months, FiscalMonth):
            fiscal_months = [fiscal_months]
        self.district = district
        self.months = sorted(set(fiscal_months), key=lambda fm: (fm.fiscal_year, fm.order))
        self.user = user
        self.at = timezone.now()
        self.db = router.db_for_write(MonthlySale)
        self.totals = totals
        self._state = "new"  # -> open -> locked -> done
        self._keys = {(fm.fiscal_year, fm.month) for fm in self.months}
        self._changes = {}  # id -> _Change
        self._columns = set()
        self._created = []
        self._deleted = {}  # id -> _Change (action DELETE)

    # --- the block -------------------------------------------------------------------

    def __enter__(self):
        if self._state != "new":
            raise WriteError("A MonthWrite is used once.")
        # No savepoint of its own: the writer's transaction is the unit, and a writer
        # outside one gets one here.
        self._atomic = transaction.atomic(using=self.db, savepoint=False)
        self._atomic.__enter__()
        self._state = "open"
        return self

    def __exit__(self, exc_type, exc, traceback):
        locked = self._state == "locked"
        self._state = "done"
        if exc_type is None and locked:
            try:
                self._write()
            except BaseException as error:
                self._atomic.__exit__(type(error), error, error.__traceback__)
                raise
        elif exc_type is None and self.pending:
            error = WriteError("Changes recorded without the month's lock.")
            self._atomic.__exit__(WriteError, error, None)
            raise error
        return self._atomic.__exit__(exc_type, exc, traceback)

    @property
    def pending(self):
        return bool(self._changes or self._created or self._deleted)

    # --- the lock --------------------------------------------------------------------

    def lock(self):
        """Take the lock of each month, oldest first (the order every writer takes them)."""
        self._require("open")
        for fiscal_month in self.months:
            lock_month(self.district, fiscal_month)
        self._state = "locked"

    def claim(self, revision):
        """Take the month's lock by raising its revision from `revision` (StaleMonth if not).

        The entry page's save, the import and the API: the revision says nobody saved the
        month since the page (the file, the client) read it.
        """
        self._require("open")
        if len(self.months) != 1:
            raise WriteError("A revision is claimed for one month.")
        revision = claim_month(self.district, self.months[0], self.user, revision)
        self._state = "locked"
        return revision

    def rows(self):
        """Return {id: row} of the months' rows with their producers, read under the lock."""
        self._require("locked")
        where = Q()
        for fiscal_month in self.months:
            where |= Q(fiscal_year=fiscal_month.fiscal_year, month=fiscal_month.month)
        rows = MonthlySale.objects.filter(where, district=self.district)
        return {row.pk: row for row in rows.select_related("producer")}

    # --- what changes ----------------------------------------------------------------

    def change(self, row, action, reason="", **values):
        """Record that `row` (as read, at its version) takes `values`, audited as `action`.

        The row is changed in memory at once (its old values kept for the audit); the
        database on leaving the block.
        """
        self._require("locked")
        if action not in CHANGES:
            raise WriteError(f"{action!r} is not a change of a row.")
        unknown = set(values) - WRITABLE
        if unknown:
            raise WriteError(f"A write path change cannot set {sorted(unknown)}.")
        self._check_row(row)
        before = snapshot(row)
        self._changes[row.pk] = _Change(row, action, reason, before)
        for name, value in values.items():
            setattr(row, name, value)
        self._columns.update(values)

    def create(self, row):
        """Record a new row of one of the months."""
        self._require("locked")
        if row.pk is not None:
            raise WriteError("A created row has no id yet.")
        if row.district_id != self.district.pk or (row.fiscal_year, row.month) not in self._keys:
            raise WriteError("A row of another district or month.")
        self._created.append(row)

    def delete(self, row, reason=""):
        """Record that `row` (as read, at its version) is deleted."""
        self._require("locked")
        self._check_row(row)
        self._deleted[row.pk] = _Change(row, Action.DELETE, reason, snapshot(row))

    def _require(self, state):
        if self._state != state:
            raise WriteError(
                "Use a MonthWrite as a `with` block, and take the month's lock (lock or "
                "claim) before recording changes."
                if state != "open"
                else "Lock the month once, inside the `with` block."
            )

    def _check_row(self, row):
        if row.pk is None:
            raise WriteError("A row that was never saved is created, not changed.")
        if row.district_id != self.district.pk or (row.fiscal_year, row.month) not in self._keys:
            raise WriteError("A row of another district or month.")
        if row.pk in self._changes or row.pk in self._deleted:
            raise WriteError("One change per row and write.")
        if not MonthlySale.producer.is_cached(row):
            # The audit names the producer: read the rows with select_related("producer").
            raise WriteError("Read the rows with their producers.")

    # --- the writes ------------------------------------------------------------------

    def _write(self):
        if not self.pending:
            return
        connection = connections[self.db]
        with connection.cursor() as cursor:
            if self._deleted:
                self._delete_rows(connection, cursor)
            if self._changes:
                self._update_rows(connection, cursor)
            if self._created:
                MonthlySale.objects.using(self.db).bulk_create(self._created)
            self._audit(connection, cursor)
        touched = {(row.fiscal_year, row.month) for row in self._rows_touched()}
        self.totals(self.district, sorted(touched))

    def _rows_touched(self):
        yield from (change.row for change in self._deleted.values())
        yield from (change.row for change in self._changes.values())
        yield from self._created

    def _delete_rows(self, connection, cursor):
        """Delete the deleted rows, each only at the version it was read at, in one DELETE.

        What hangs on a row and goes with it (a note, quality.RowNote) is deleted first, by
        the ORM, without reading the rows: Django's own delete of the rows would read them
        all and delete them a hundred at a time.
        """
        ids = list(self._deleted)
        for relation in MonthlySale._meta.related_objects:
            if relation.on_delete is models.DO_NOTHING:
                continue
            if relation.on_delete is not models.CASCADE:
                raise WriteError(
                    f"The write path deletes rows with CASCADE relations only: {relation}"
                )
            manager = relation.related_model._base_manager.using(self.db)
            manager.filter(**{f"{relation.field.name}__in": ids}).delete()
        table = connection.ops.quote_name(MonthlySale._meta.db_table)
        size = max(1, _max_params(connection) // 2)
        deleted = list(self._deleted.values())
        for start in range(0, len(deleted), size):
            chunk = deleted[start : start + size]
            values = ", ".join(["(%s, %s)"] * len(chunk))
            cursor.execute(
                f"DELETE FROM {table} WHERE (id, version) IN "
                f"(SELECT column1, column2 FROM (VALUES {values}) AS v)",
                [value for change in chunk for value in (change.row.pk, change.version)],
            )
            if cursor.rowcount != len(chunk):
                raise StaleMonth  # one of them changed or went since it was read

    def _update_rows(self, connection, cursor):
        """Write every changed row's new values in one UPDATE ... FROM (VALUES ...).

        Each row is written only at the version it was read at: the writers that hold rows
        read before their transaction (the entry page's save) rely on it, and a row that
        moved on since makes the count short (StaleMonth). PostgreSQL types a VALUES list
        by its values, so every value is cast to its column's type.
        """
        meta = MonthlySale._meta
        fields = [meta.get_field(name) for name in sorted(self._columns)]
        key = [meta.pk, meta.get_field("version")]
        postgres = connection.vendor == "postgresql"
        cast = (lambda f: f"%s::{f.cast_db_type(connection)}") if postgres else (lambda f: "%s")
        values_row = "(" + ", ".join(cast(f) for f in key + fields) + ")"
        quote = connection.ops.quote_name
        table = quote(meta.db_table)
        sets = ", ".join(
            f"{quote(f.column)} = v.column{i}" for i, f in enumerate(fields, start=len(key) + 1)
        )
        changes = list(self._changes.values())
        size = max(1, _max_params(connection) // (len(key) + len(fields)))
        for start in range(0, len(changes), size):
            chunk = changes[start : start + size]
            params = []
            for change in chunk:
                params += [change.row.pk, change.version]
                params += [_prepare(f, getattr(change.row, f.attname), connection) for f in fields]
            cursor.execute(
                f"UPDATE {table} SET {sets}, version = {table}.version + 1 "
                f"FROM (VALUES {', '.join([values_row] * len(chunk))}) AS v "
                f"WHERE {table}.id = v.column1 AND {table}.version = v.column2",
                params,
            )
            if cursor.rowcount != len(chunk):
                raise StaleMonth  # one of them changed or went since it was read
        for change in changes:
            change.row.version = change.version + 1

    def _audit(self, connection, cursor):
        """Record every delete, change and create in one INSERT (or a few, past the limit)."""
        old_field, new_field = AuditEntry._meta.get_field("old"), AuditEntry._meta.get_field("new")
        at = connection.ops.adapt_datetimefield_value(self.at)
        user_id = self.user.pk
        entries = [
            (change.row, change.action, change.before, None, change.reason)
            for change in self._deleted.values()
        ]
        entries += [
            (change.row, change.action, change.before, snapshot(change.row), change.reason)
            for change in self._changes.values()
        ]
        entries += [(row, Action.CREATE, None, snapshot(row), "") for row in self._created]
        quote = connection.ops.quote_name
        columns = ", ".join(quote(column) for column in AUDIT_COLUMNS)
        size = max(1, _max_params(connection) // len(AUDIT_COLUMNS))
        values_row = "(" + ", ".join(["%s"] * len(AUDIT_COLUMNS)) + ")"
        for start in range(0, len(entries), size):
            chunk = entries[start : start + size]
            params = []
            for row, action, old, new, reason in chunk:
                params += [
                    row.pk,
                    row.district_id,
                    row.fiscal_year,
                    row.month,
                    str(action),
                    user_id,
                    at,
                    old_field.get_db_prep_save(old, connection),
                    new_field.get_db_prep_save(new, connection),
                    reason,
                ]
            cursor.execute(
                f"INSERT INTO {quote(AuditEntry._meta.db_table)} ({columns}) "
                f"VALUES {', '.join([values_row] * len(chunk))}",
                params,
            )


def _max_params(connection):
    """Return how many parameters one statement may carry (PostgreSQL's protocol: 65,535)."""
    return connection.features.max_query_params or 65535


def _prepare(field, value, connection):
    """Return a row's value as its column takes it, the common kinds without the ORM's calls."""
    if value is None or isinstance(value, (int, str, Decimal)):
        return value
    if isinstance(value, datetime.datetime):
        return connection.ops.adapt_datetimefield_value(value)
    return field.get_db_prep_save(value, connection)
