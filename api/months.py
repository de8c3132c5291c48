"""A whole month sent by a district's own system, checked and saved as the entry page does.

The API never writes rows itself: it turns the JSON month into the entry page's form data,
lets the page's form (sales.forms.MonthForm) make every check the page makes, and
saves through the page's own writer (sales.services.save_month): the revision, the audit
trail, the running totals and whatever else that writer does, in its one transaction.
"""

from dataclasses import dataclass

from django.db import DatabaseError, IntegrityError

from api.problems import Conflict, Invalid
from sales.forms import MonthForm, _row_changed, normalise_name
from sales.models import MonthlySale
from sales.services import StaleMonth, month_revision, save_month

FIELDS = ("name", "product_type", "producer_type", "domestic", "export")
FOREIGN = "ข้อมูลที่ส่งมาไม่ตรงกับข้อมูลของอำเภอและเดือนนี้ ระบบจึงไม่บันทึกข้อมูลใด ๆ"


@dataclass
class Outcome:
    dry_run: bool
    revision: int
    created: int
    changed: int
    deleted: int


def send_month(district, fiscal_month, user, revision, rows, dry_run=False):
    """Check a whole month of rows and, unless a dry run, save it; return an Outcome.

    Steps:
    1. Read the month's rows and match each sent row to one by producer name and product
       type; a saved row that was not sent is to be deleted, as on the page.
    2. Build the entry page's form data from them and validate it with the page's
       MonthForm: the same messages, by the same fields (raised as Invalid, with paths).
    3. Dry run: say what would be created, changed and deleted, and the revision now.
    4. Otherwise save with save_month at the revision the client read (Conflict if stale).
    """
    existing = list(
        MonthlySale.objects.for_month(district, fiscal_month).select_related("producer")
    )
    data, deleted = _form_data(existing, rows)
    month_form = MonthForm(data, existing={row.pk: row for row in existing})
    if not month_form.is_valid():
        raise Invalid(list(_errors(month_form, len(rows), deleted)))

    kept = [row.cleaned_data for row in month_form.rows[: len(rows)]]
    by_id = {row.pk: row for row in existing}
    changed = sum(
        1 for values in kept if values["id"] and _row_changed(by_id[values["id"]], values)
    )
    counts = {
        "created": sum(1 for values in kept if not values["id"]),
        "changed": changed,
        "deleted": len(deleted),
    }
    if dry_run:
        current = month_revision(district, fiscal_month)
        return Outcome(dry_run=True, revision=current, **counts)
    try:
        save_month(
            district,
            fiscal_month,
            user,
            revision,
            rows=kept,
            deleted_ids=[row.pk for row in deleted],
            held=by_id,
        )
    except (StaleMonth, IntegrityError):
        raise Conflict(StaleMonth.message) from None
    except DatabaseError:
        raise  # one transaction: nothing was written; the client gets a 500 and may retry
    return Outcome(dry_run=False, revision=revision + 1, **counts)


def _form_data(existing, rows):
    """Return the entry page's POST data, and the saved rows the client left out.

    A sent row that names a saved row (same producer name and product type) carries its
    id and version, as the page's form does; the saved rows left out are posted deleted.
    """
    by_key = {(row.producer.name, row.product_type): row for row in existing}
    data = {}
    matched = set()
    for index, sent in enumerate(rows):
        key = (normalise_name(sent["name"]), sent["product_type"])
        row = by_key.get(key)
        if row is not None and row.pk not in matched:
            matched.add(row.pk)
            data[f"rows-{index}-id"] = str(row.pk)
            data[f"rows-{index}-version"] = str(row.version)
        for field in FIELDS:
            value = sent.get(field)
            data[f"rows-{index}-{field}"] = "" if value is None else str(value)
    deleted = [row for row in existing if row.pk not in matched]
    for offset, row in enumerate(deleted):
        index = len(rows) + offset
        data.update(
            {
                f"rows-{index}-id": str(row.pk),
                f"rows-{index}-version": str(row.version),
                f"rows-{index}-name": row.producer.name,
                f"rows-{index}-product_type": row.product_type,
                f"rows-{index}-producer_type": row.producer_type,
                f"rows-{index}-domestic": str(row.domestic),
                f"rows-{index}-export": str(row.export),
                f"rows-{index}-DELETE": "on",
            }
        )
    total = len(rows) + len(deleted)
    data.update({"rows-TOTAL_FORMS": str(total), "rows-INITIAL_FORMS": str(total)})
    return data, deleted


def _errors(month_form, sent, deleted):
    """Yield (field path, Thai message) for every problem the page's MonthForm found.

    Rows the client sent are rows[i]; a saved row it left out (to be deleted) has no index
    in the request, so its problem (a province-confirmed row cannot be deleted) is named
    by its producer and type under "rows".
    """
    for index, row in enumerate(month_form.rows):
        for field, messages in row.errors.items():
            for message in messages:
                if index < sent:
                    path = f"rows[{index}]" + ("" if field == "__all__" else f".{field}")
                    yield path, message
                else:
                    row = deleted[index - sent]
                    yield (
                        "rows",
                        (f"{row.producer.name} ({row.get_product_type_display()}): {message}"),
                    )
    for message in month_form.page_errors:
        yield "rows", message
