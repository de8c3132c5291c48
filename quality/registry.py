"""The district's producer registry: rename, merge, retire, and near-duplicate names.

A merge changes monthly rows, so it writes them through their one write path
(sales.writes.MonthWrite): one transaction, the months' locks taken first, every row change
in the audit trail, the running totals brought up to date; and a ProducerEvent for the
registry itself.
"""

import re
import unicodedata

from django.db import transaction
from django.utils import timezone

from confirmations.models import Action
from otopdoc import lock
from otopdoc.access import officer_of
from otopdoc.fiscal import FiscalMonth
from quality.models import ProducerAction, ProducerEvent, RowNote
from sales.fields import CONTROL_CHARACTERS
from sales.models import MAX_AMOUNT, ExportDetail, MonthlySale, Producer
from sales.writes import MonthWrite


class RegistryError(Exception):
    """A change the registry refuses; `message` is Thai, for the officer."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


SELF = "ไม่สามารถรวมผู้ผลิตเข้ากับตัวเองได้ กรุณาเลือกผู้ผลิตอีกรายหนึ่ง"
OTHER_DISTRICT = "รวมได้เฉพาะผู้ผลิตของอำเภอเดียวกันเท่านั้น"


def _event(producer, action, user, now, old=None, new=None, other=None):
    ProducerEvent.objects.create(
        producer_id=producer.pk,
        other_id=other.pk if other is not None else None,
        district_id=producer.district_id,
        action=action,
        user=user,
        at=now,
        old=old,
        new=new,
    )


def clean_name(name):
    """Return a typed name with its spaces collapsed, or raise RegistryError."""
    name = " ".join((name or "").split())
    if not name:
        raise RegistryError("กรุณากรอกชื่อกลุ่ม / ผู้ผลิต")
    if len(name) > 200:
        raise RegistryError("ชื่อยาวเกิน 200 ตัวอักษร")
    if CONTROL_CHARACTERS.search(name):
        raise RegistryError("มีอักขระควบคุมที่มองไม่เห็น กรุณาลบข้อความแล้วพิมพ์ใหม่")
    return name


@transaction.atomic
def rename_producer(producer, user, name):
    """Give a producer a new name; every row of it, past and present, follows (one producer).

    Steps: refuse a name another producer of the district has (that is a merge), save the
    name, record the old and new name. Returns False when the name did not change.
    """
    name = clean_name(name)
    producer = Producer.objects.select_for_update().get(pk=producer.pk)
    if producer.name == name:
        return False
    taken = Producer.objects.filter(district_id=producer.district_id, name=name)
    if taken.exclude(pk=producer.pk).exists():
        raise RegistryError("อำเภอมีผู้ผลิตชื่อนี้อยู่แล้ว หากเป็นกลุ่มเดียวกันให้ใช้ “รวมผู้ผลิต” แทนการเปลี่ยนชื่อ")
    old = producer.name
    Producer.objects.filter(pk=producer.pk).update(name=name)
    _event(producer, ProducerAction.RENAME, user, timezone.now(), {"name": old}, {"name": name})
    return True


@transaction.atomic
def set_active(producer, user, active):
    """Mark a producer active or inactive; an inactive one is not offered in new months."""
    producer = Producer.objects.select_for_update().get(pk=producer.pk)
    if producer.active == active:
        return False
    Producer.objects.filter(pk=producer.pk).update(active=active)
    action = ProducerAction.ACTIVE if active else ProducerAction.INACTIVE
    _event(producer, action, user, timezone.now(), {"active": not active}, {"active": active})
    return True


@transaction.atomic
def merge_producers(kept, dropped, user):
    """Merge `dropped` into `kept`, one group typed two ways; return what moved.

    Steps, through the rows' one write path (sales.writes.MonthWrite):
    1. Refuse a producer merged into itself and producers of two districts.
    2. Lock each month the dropped producer has rows in (the lock every writer takes),
       oldest first; refuse when the calendar has closed one of them for the officer, or
       the province has confirmed a row of either producer in one of them.
    3. Rows of a product type and month only the dropped producer has move to the kept
       one (their figures and confirmations unchanged). Where both have a row, the amounts
       are added into the kept row, which loses its confirmations, and the dropped row is
       deleted; its note moves to the kept row when that has none.
    4. Export lines follow; the dropped producer is deleted once its rows are gone.
    5. The write path writes the rows in one UPDATE and one DELETE, audits every row with
       the merge as the reason, and brings the running totals of every month touched up
       to date (their sums do not change) in one upsert; the merge is recorded for both
       producers.
    """
    if kept.pk == dropped.pk:
        raise RegistryError(SELF)
    if kept.district_id != dropped.district_id:
        raise RegistryError(OTHER_DISTRICT)
    district = kept.district
    officer = officer_of(user)
    moving = list(MonthlySale.objects.filter(producer=dropped).values_list("fiscal_year", "month"))
    months = {FiscalMonth(fy, m) for fy, m in moving}
    with MonthWrite(district, months, user) as write:
        write.lock()
        for fiscal_month in write.months:
            refusal = lock.refusal(officer, fiscal_month, district=district)
            if refusal is not None:
                raise RegistryError(
                    f"มีรายการของเดือน{fiscal_month.label}ซึ่งปิดรับข้อมูลแล้ว "
                    f"จึงรวมผู้ผลิตไม่ได้ ({refusal.message})"
                )

        dropped_rows = list(MonthlySale.objects.filter(producer=dropped).select_related("producer"))
        kept_rows = {
            (row.product_type, row.fiscal_year, row.month): row
            for row in MonthlySale.objects.filter(
                producer=kept, fiscal_year__in={fy for fy, _ in moving}
            ).select_related("producer")
        }
        touched = {(row.fiscal_year, row.month) for row in dropped_rows}
        confirmed = [
            row
            for row in [*dropped_rows, *kept_rows.values()]
            if row.province_confirmed_at and (row.fiscal_year, row.month) in touched
        ]
        if confirmed:
            fiscal_month = FiscalMonth(confirmed[0].fiscal_year, confirmed[0].month)
            raise RegistryError(
                f"จังหวัดยืนยันรายการของผู้ผลิตเหล่านี้ในเดือน{fiscal_month.label}แล้ว "
                "จึงรวมผู้ผลิตไม่ได้ หากจำเป็นโปรดขอให้จังหวัดส่งกลับรายการก่อน"
            )

        reason = f"รวมผู้ผลิต “{dropped.name}” เข้ากับ “{kept.name}”"
        stamp = {"updated_at": write.at, "updated_by": user}
        moved = added = 0
        # The notes of both producers' rows, read once (not two queries a merged row).
        notes = RowNote.objects.filter(sale__in=[*dropped_rows, *kept_rows.values()])
        noted = {note.sale_id: note for note in notes}
        carried = []
        for row in dropped_rows:
            target = kept_rows.get((row.product_type, row.fiscal_year, row.month))
            if target is None:
                write.change(row, Action.CHANGE, reason, producer=kept, **stamp)
                moved += 1
                continue
            domestic, export = target.domestic + row.domestic, target.export + row.export
            if max(domestic, export) > MAX_AMOUNT:
                raise RegistryError("ยอดรวมหลังรวมผู้ผลิตเกินจำนวนสูงสุดที่ระบบรับได้ จึงรวมไม่ได้")
            # The dropped row's note moves to the kept row when that has none of its own
            # (in one UPDATE below, before leaving the block deletes the dropped row, and
            # any note still on it).
            if target.pk not in noted and row.pk in noted:
                noted[row.pk].sale = target
                carried.append(noted[row.pk])
            write.delete(row, reason)
            write.change(
                target,
                Action.CHANGE,
                reason,
                domestic=domestic,
                export=export,
                district_confirmed_at=None,
                district_confirmed_by=None,
                province_confirmed_at=None,
                province_confirmed_by=None,
                **stamp,
            )
            added += 1
        if carried:
            RowNote.objects.bulk_update(carried, ["sale"])
        ExportDetail.objects.filter(producer=dropped).update(producer=kept)
        now = write.at
    summary = {"moved": moved, "added": added, "months": len(months)}
    _event(
        kept,
        ProducerAction.MERGE,
        user,
        now,
        old={"name": dropped.name, "id": dropped.pk},
        new={"name": kept.name, **summary},
        other=dropped,
    )
    _event(
        dropped,
        ProducerAction.MERGE,
        user,
        now,
        old={"name": dropped.name},
        new={"name": kept.name, "id": kept.pk},
        other=kept,
    )
    Producer.objects.filter(pk=dropped.pk).delete()
    return summary


# --- near-duplicate names ----------------------------------------------------------------

INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
PREFIXES = ("กลุ่ม", "วิสาหกิจชุมชน", "หจก.", "บริษัท")
PUNCTUATION = re.compile(r"[\s\.\-_,()\"'“”‘’/]+")


def normalise(name):
    """Return the name as compared for duplicates: no spaces, invisible marks or prefix.

    Thai is written without spaces between words, so officers space one name in different
    ways; text pasted from a web page carries zero-width spaces; and "กลุ่มทอผ้าบ้านดอน" and
    "ทอผ้าบ้านดอน" are one group.
    """
    text = unicodedata.normalize("NFC", name).translate(INVISIBLE).casefold()
    text = PUNCTUATION.sub("", text)
    changed = True
    while changed:
        changed = False
        for prefix in PREFIXES:
            if text.startswith(prefix) and len(text) > len(prefix):
                text, changed = text[len(prefix) :], True
    return text


def _trigrams(text):
    padded = f"  {text} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def distance(a, b, limit):
    """Return the edit distance of a and b, or limit + 1 once it is certainly above limit."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, char in enumerate(a, start=1):
        current = [i]
        for j, other in enumerate(b, start=1):
            current.append(
                min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char != other))
            )
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


def similar_pairs(producers):
    """Return [(a, b, reason)] of producers whose names are probably one group.

    Same normalised name; or trigram similarity of at least 0.6; or, for names with some
    trigrams in common, at most one edit per eight letters (a typo, a missing tone mark).
    """
    keyed = [(p, normalise(p.name)) for p in producers]
    grams = {p.pk: _trigrams(key) for p, key in keyed}
    pairs = []
    for i, (a, key_a) in enumerate(keyed):
        for b, key_b in keyed[i + 1 :]:
            if key_a == key_b:
                pairs.append((a, b, "ชื่อเดียวกันเมื่อไม่นับช่องว่างและคำนำหน้า"))
                continue
            shared = len(grams[a.pk] & grams[b.pk])
            if not shared:
                continue
            similarity = shared / len(grams[a.pk] | grams[b.pk])
            limit = max(1, min(len(key_a), len(key_b)) // 8)
            if similarity >= 0.6 or distance(key_a, key_b, limit) <= limit:
                pairs.append((a, b, "ชื่อใกล้เคียงกัน"))
    return pairs
