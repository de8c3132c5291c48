"""The rules of a row's state, in one place (SPEC section 5, screens 3 and 4).

A monthly row moves between: entered -> confirmed by the district -> confirmed by the
province. The rules, enforced here and nowhere else:
- editing a district-confirmed row clears its district confirmation (sales.services);
- a province-confirmed row is locked to the district (sales.forms, and here);
- the province can send rows back with a reason: they lose both confirmations and open
  again, and the district sees the reason until it confirms the row again;
- a level can take back its own confirmation while the level above has not confirmed;
- the province confirms only rows the district has confirmed.
Every change goes through the rows' one write path (sales.writes.MonthWrite): audited,
the row's version bumped, the running totals updated, in the same transaction, with a
constant number of queries.
"""

from django.db import transaction

from confirmations import signals
from confirmations.models import Action
from reports.totals import refresh_month
from sales.models import MonthlySale
from sales.writes import MonthWrite, lock_month  # noqa: F401 (lock_month: its old home)

BATCH_SIZE = 100


class ConfirmationError(Exception):
    """A request that breaks a rule; `message` is Thai, for the officer."""

    def __init__(self, message, rows=()):
        super().__init__(message)
        self.message = message
        self.rows = list(rows)


STALE = "มีการแก้ไขรายการในชุดนี้หลังจากที่ท่านเปิดหน้านี้ ระบบจึงยังไม่บันทึก กรุณาโหลดหน้าใหม่"
FOREIGN = "พบรายการที่ไม่ใช่ของอำเภอ เดือน หรือชุดรายการนี้ในแบบฟอร์ม ระบบจึงไม่บันทึกข้อมูลใด ๆ กรุณาโหลดหน้าใหม่"


def batch_rows(district, fiscal_month, batch, queryset=None):
    """Return the rows of batch 1, 2, ... (100 each) in the month's stable order."""
    rows = queryset if queryset is not None else MonthlySale.objects.all()
    start = (batch - 1) * BATCH_SIZE
    return (
        rows.for_month(district, fiscal_month)
        .select_related("producer")
        .order_by("producer__name", "product_type", "id")[start : start + BATCH_SIZE]
    )


def _rows_for(write, shown, batch=None):
    """Lock the month, then return {id: row} of the shown ids, refusing foreign or stale ones.

    `shown` maps each row id the page showed to the version it showed. With `batch`, the
    ids must also be rows of that batch (a page shows one batch; an id from another batch
    was forged, or the batch has shifted since: either way the page must be reloaded).
    """
    write.lock()
    district, fiscal_month = write.district, write.months[0]
    if batch is None:
        candidates = (
            MonthlySale.objects.for_month(district, fiscal_month)
            .filter(pk__in=list(shown))
            .select_related("producer")
        )
    else:
        candidates = batch_rows(district, fiscal_month, batch)
    rows = {row.pk: row for row in candidates if row.pk in shown}
    if len(rows) != len(shown):
        raise ConfirmationError(FOREIGN)
    stale = [pk for pk, version in shown.items() if rows[pk].version != version]
    if stale:
        raise ConfirmationError(STALE, stale)
    return rows


@transaction.atomic
def confirm_district(district, fiscal_month, user, shown, ticked, batch=None):
    """Save the district's ticks for one batch; return (confirmed, withdrawn) counts.

    Steps:
    1. Lock the month; refuse ids not of this month (nor of `batch`, when given), and rows
       changed since the page loaded.
    2. Ticked rows not yet confirmed become district-confirmed (and lose a send-back note).
    3. Unticked confirmed rows are withdrawn, unless the province has confirmed them.
    4. Write them through the write path: one UPDATE, the audit of each change, the
       month's running totals.
    """
    ticked = set(ticked)
    if not ticked <= set(shown):
        raise ConfirmationError(FOREIGN)
    with MonthWrite(district, fiscal_month, user, _totals) as write:
        rows = _rows_for(write, shown, batch)
        confirm = [r for pk, r in rows.items() if pk in ticked and not r.district_confirmed_at]
        withdraw = [r for pk, r in rows.items() if pk not in ticked and r.district_confirmed_at]
        locked = [r.pk for r in withdraw if r.province_confirmed_at]
        if locked:
            raise ConfirmationError(
                "รายการที่จังหวัดยืนยันแล้ว อำเภอยกเลิกการยืนยันไม่ได้ หากต้องแก้ไขโปรดติดต่อจังหวัด",
                locked,
            )
        for row in confirm:
            write.change(
                row,
                Action.DISTRICT_CONFIRM,
                district_confirmed_at=write.at,
                district_confirmed_by=user,
                returned_at=None,
                returned_by=None,
                returned_reason="",
            )
        for row in withdraw:
            write.change(
                row,
                Action.DISTRICT_WITHDRAW,
                district_confirmed_at=None,
                district_confirmed_by=None,
            )
    if confirm:
        signals.district_confirmed.send(
            confirm_district,
            district=district,
            fiscal_month=fiscal_month,
            confirmed=len(confirm),
            user=user,
        )
    return len(confirm), len(withdraw)


@transaction.atomic
def confirm_province(district, fiscal_month, user, shown, ticked, batch=None):
    """Save the province's ticks for one batch; return (confirmed, withdrawn) counts.

    Steps:
    1. Lock the month; refuse ids not of this month (nor of `batch`, when given), and rows
       changed since the page loaded.
    2. Refuse ticks on rows the district has not confirmed.
    3. Ticked rows become province-confirmed; unticked province-confirmed rows are withdrawn
       (no level above the province, so it may always take its confirmation back).
    4. Write them through the write path: one UPDATE, the audit of each change, the
       month's running totals.
    """
    ticked = set(ticked)
    if not ticked <= set(shown):
        raise ConfirmationError(FOREIGN)
    with MonthWrite(district, fiscal_month, user, _totals) as write:
        rows = _rows_for(write, shown, batch)
        unconfirmed = [pk for pk in ticked if not rows[pk].district_confirmed_at]
        if unconfirmed:
            raise ConfirmationError(
                "ยืนยันได้เฉพาะรายการที่อำเภอยืนยันแล้ว กรุณาเอาเครื่องหมายออกจากรายการที่ระบายสีไว้",
                unconfirmed,
            )
        confirm = [r for pk, r in rows.items() if pk in ticked and not r.province_confirmed_at]
        withdraw = [r for pk, r in rows.items() if pk not in ticked and r.province_confirmed_at]
        for row in confirm:
            write.change(
                row,
                Action.PROVINCE_CONFIRM,
                province_confirmed_at=write.at,
                province_confirmed_by=user,
            )
        for row in withdraw:
            write.change(
                row,
                Action.PROVINCE_WITHDRAW,
                province_confirmed_at=None,
                province_confirmed_by=None,
            )
    return len(confirm), len(withdraw)


@transaction.atomic
def send_back(district, fiscal_month, user, shown, chosen, reason, batch=None):
    """Send rows back to the district with a reason; return how many went back.

    Steps:
    1. Require a reason; lock the month; refuse foreign rows (not of the month, nor of
       `batch` when given) and stale ones.
    2. The chosen rows lose both confirmations and carry the reason, who and when.
    3. Write them through the write path: one UPDATE, the audit of each with the reason,
       the month's running totals. The district is told (signals.rows_sent_back).
    """
    reason = " ".join((reason or "").split())
    if not reason:
        raise ConfirmationError("กรุณาระบุเหตุผลที่ส่งกลับให้อำเภอแก้ไข")
    chosen = set(chosen)
    if not chosen:
        raise ConfirmationError("กรุณาเลือกรายการที่จะส่งกลับอย่างน้อย 1 รายการ")
    if not chosen <= set(shown):
        raise ConfirmationError(FOREIGN)
    with MonthWrite(district, fiscal_month, user, _totals) as write:
        rows = _rows_for(write, {pk: shown[pk] for pk in chosen}, batch)
        returned = list(rows.values())
        for row in returned:
            write.change(
                row,
                Action.SEND_BACK,
                reason,
                district_confirmed_at=None,
                district_confirmed_by=None,
                province_confirmed_at=None,
                province_confirmed_by=None,
                returned_at=write.at,
                returned_by=user,
                returned_reason=reason,
            )
    signals.rows_sent_back.send(
        send_back,
        district=district,
        fiscal_month=fiscal_month,
        rows=returned,
        reason=reason,
        user=user,
    )
    return len(returned)


def _totals(district, months):
    """Bring the written month's running totals up to date (reports.totals.refresh_month).

    Called through this module's name, which tests/test_load_benchmark.py replaces to make the
    totals fail or fall behind.
    """
    for fiscal_year, month in months:
        refresh_month(district, fiscal_year, month)
