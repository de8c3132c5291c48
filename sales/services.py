"""Writes to a district's month that belong together, each in one transaction."""

from django.db import connection, transaction
from django.utils import timezone

from confirmations.models import Action, AuditEntry, snapshot
from reports.totals import refresh_month
from sales.models import DistrictMonth, MonthlySale, Producer
from sales.writes import StaleMonth, claim_month  # noqa: F401 (StaleMonth: its old home)


def month_revision(district, fiscal_month):
    """Return the revision of a district's month (0 if it was never saved)."""
    return (
        DistrictMonth.objects.filter(
            district=district, fiscal_year=fiscal_month.fiscal_year, month=fiscal_month.month
        )
        .values_list("revision", flat=True)
        .first()
        or 0
    )


@transaction.atomic
def save_month(district, fiscal_month, user, revision, rows, deleted_ids):
    """Write the entry page of a district's month, all or nothing; return what changed.

    `rows` are the cleaned rows kept on the page (with "id" None for new ones);
    `deleted_ids` the ids of rows the officer deleted, or {id: version the page showed}.
    Steps:
    1. Claim the month at the revision the page was loaded with (StaleMonth if stale).
       The claim holds the month's lock, which the confirmation writers take too.
    2. Read the month's rows under that lock, and decide every rule of a row's state
       there, not on what the page or the form read before: a row the province has
       confirmed, or whose version is not the one the page showed (confirmed, withdrawn
       or sent back meanwhile), is neither changed nor deleted (StaleMonth).
    3. Find the producers by name in the district; create the new ones and update the
       producer type of those whose type the officer changed.
    4. Delete the deleted rows.
    5. Update the rows whose values changed: a changed row loses its district
       confirmation and gets a new version; rows that did not change are not written.
    6. Create the new rows. Count the district confirmations the changes withdrew.
    7. Record every create, change and delete in the audit trail, old and new values.
    8. Bring the month's running totals up to date.
    """
    claim_month(district, fiscal_month, user, revision)
    now = timezone.now()

    producers = _producers_by_name(district, rows)
    existing = {
        row.pk: row
        for row in MonthlySale.objects.for_month(district, fiscal_month).select_related("producer")
    }
    before = {pk: snapshot(row) for pk, row in existing.items()}

    deleted = _deletable(existing, deleted_ids)
    if deleted:
        MonthlySale.objects.filter(pk__in=[row.pk for row in deleted]).delete()

    changed, created, withdrawn = [], [], 0
    for data in rows:
        producer = producers[data["name"]]
        values = {
            "producer": producer,
            "product_type": data["product_type"],
            "producer_type": data["producer_type"],
            "domestic": data["domestic"] or 0,
            "export": data["export"] or 0,
        }
        if data["id"]:
            row = existing[data["id"]]
            if not _differs(row, values):
                continue
            _check_state(row, data.get("version"))
            for field, value in values.items():
                setattr(row, field, value)
            withdrawn += row.district_confirmed_at is not None
            row.district_confirmed_at = None
            changed.append(row)
        else:
            created.append(
                MonthlySale(
                    district=district,
                    fiscal_year=fiscal_month.fiscal_year,
                    month=fiscal_month.month,
                    updated_by=user,
                    **values,
                )
            )
    if changed:
        _update_rows(changed, user, now)
    if created:
        MonthlySale.objects.bulk_create(created)
    AuditEntry.objects.bulk_create(
        [_entry(row, Action.DELETE, user, now, old=before[row.pk]) for row in deleted]
        + [_entry(row, Action.CHANGE, user, now, before[row.pk], snapshot(row)) for row in changed]
        + [_entry(row, Action.CREATE, user, now, new=snapshot(row)) for row in created]
    )
    refresh_month(district, fiscal_month.fiscal_year, fiscal_month.month)
    return {
        "created": len(created),
        "changed": len(changed),
        "deleted": len(deleted),
        "withdrawn": withdrawn,  # district confirmations the changes took back
    }


def _check_state(row, seen_version):
    """Refuse to change or delete a row the province has confirmed, or a stale one.

    Called under the month's lock, on the row as it is now: the form's own check ran on
    rows read before the transaction, which a confirmation may have overtaken since.
    """
    if row.province_confirmed_at is not None:
        raise StaleMonth
    if seen_version is not None and seen_version != row.version:
        # Confirmed, withdrawn or sent back since the page was loaded: the officer's
        # change was made on values that are no longer the row's.
        raise StaleMonth


def _deletable(existing, deleted_ids):
    """Return the rows to delete, each checked under the lock (StaleMonth if not allowed)."""
    seen = deleted_ids if isinstance(deleted_ids, dict) else dict.fromkeys(deleted_ids)
    deleted = []
    for pk, version in seen.items():
        row = existing.get(pk)
        if row is None:
            continue  # gone already, or never this month's (the form refuses those)
        _check_state(row, version)
        deleted.append(row)
    return deleted


def _entry(row, action, user, now, old=None, new=None):
    return AuditEntry.of(row, action, user, now, old, new)


def _update_rows(rows, user, now):
    """Write the changed rows' values in one UPDATE, whatever their number.

    Django's bulk_update builds a CASE expression through the ORM for every row and field,
    which took seconds for a 500-row month; this writes the same statement directly. Every
    changed row gets a new version, the officer as its editor, and loses its district
    confirmation (a confirmed figure that changes must be confirmed again).
    """
    table = connection.ops.quote_name(MonthlySale._meta.db_table)
    per_row = {
        "producer_id": [row.producer_id for row in rows],
        "product_type": [row.product_type for row in rows],
        "producer_type": [row.producer_type for row in rows],
        "domestic": [row.domestic for row in rows],
        "export": [row.export for row in rows],
    }
    ids = [row.pk for row in rows]
    cases, params = [], []
    for column, values in per_row.items():
        whens = " ".join(["WHEN %s THEN %s"] * len(rows))
        cases.append(f"{connection.ops.quote_name(column)} = CASE id {whens} END")
        for pk, value in zip(ids, values, strict=True):
            params += [pk, value]
    placeholders = ", ".join(["%s"] * len(ids))
    sql = (
        f"UPDATE {table} SET {', '.join(cases)}, version = version + 1, "
        "updated_by_id = %s, updated_at = %s, "
        "district_confirmed_at = NULL, district_confirmed_by_id = NULL "
        f"WHERE id IN ({placeholders})"
    )
    with connection.cursor() as cursor:
        updated_at = connection.ops.adapt_datetimefield_value(now)
        cursor.execute(sql, [*params, user.pk, updated_at, *ids])


def _differs(row, values):
    return (
        row.producer_id != values["producer"].pk
        or row.product_type != values["product_type"]
        or row.producer_type != values["producer_type"]
        or row.domestic != values["domestic"]
        or row.export != values["export"]
    )


def _producers_by_name(district, rows):
    """Return {name: Producer} for the rows' names, creating or retyping as needed.

    The producer's type is only its latest one, offered when a new month starts; the
    rows keep their own (MonthlySale.producer_type), so retyping a producer here changes
    no other month.
    """
    wanted = {data["name"]: data["producer_type"] for data in rows}
    found = {p.name: p for p in Producer.objects.filter(district=district, name__in=wanted)}
    retyped = []
    for name, producer in found.items():
        if producer.producer_type != wanted[name]:
            producer.producer_type = wanted[name]
            retyped.append(producer)
    if retyped:
        Producer.objects.bulk_update(retyped, ["producer_type"])
    new = [
        Producer(name=name, district=district, producer_type=producer_type)
        for name, producer_type in wanted.items()
        if name not in found
    ]
    if new:
        for producer in Producer.objects.bulk_create(new):
            found[producer.name] = producer
    return found
