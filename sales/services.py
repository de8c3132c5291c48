"""The entry page's save of a district's month, through the rows' one write path."""

from django.db import transaction

from confirmations.models import Action
from reports.totals import refresh_month
from sales.models import DistrictMonth, MonthlySale, Producer
from sales.writes import MonthWrite, StaleMonth, claim_month  # noqa: F401 (their old home)


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
def save_month(district, fiscal_month, user, revision, rows, deleted_ids, held=None):
    """Write the entry page of a district's month, all or nothing; return what changed.

    `rows` are the cleaned rows kept on the page (with "id" None for new ones);
    `deleted_ids` the ids of rows the officer deleted, or {id: version the page showed};
    `held`, {id: row} of the month's rows with their producers as the caller read them to
    check the page (the entry page, the import, the API), so they are not read twice.
    Steps, through the rows' one write path (sales.writes.MonthWrite):
    1. Claim the month at the revision the page was loaded with (StaleMonth if stale).
       The claim holds the month's lock, which the confirmation writers take too.
    2. Take the rows as the caller read them, or read them under the lock. A row is
       written only at the version it was read at (StaleMonth otherwise), so every rule of
       a row's state holds on the row as it is now: a row the province has confirmed, or
       whose version is not the one the page showed (confirmed, withdrawn or sent back
       meanwhile), is neither changed nor deleted (StaleMonth).
    3. Find the producers by name in the district; create the new ones and update the
       producer type of those whose type the officer changed.
    4. Delete the deleted rows.
    5. Update the rows whose values changed, in one UPDATE: a changed row loses its
       district confirmation and gets a new version; rows that did not change are not
       written.
    6. Create the new rows. Count the district confirmations the changes withdrew.
    7. Record every create, change and delete in the audit trail, old and new values.
    8. Bring the month's running totals up to date.
    """
    with MonthWrite(district, fiscal_month, user, _totals) as write:
        write.claim(revision)
        existing = held if held is not None else write.rows()
        deleted = _deletable(existing, deleted_ids)
        for row in deleted:
            write.delete(row)
        producers = _producers_by_name(district, rows, existing.values())
        changed, created, withdrawn = 0, 0, 0
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
                row = existing.get(data["id"])
                if row is None:
                    raise StaleMonth  # gone since the page was checked (a merge)
                if not _differs(row, values):
                    continue
                _check_state(row, data.get("version"))
                withdrawn += row.district_confirmed_at is not None
                write.change(
                    row,
                    Action.CHANGE,
                    **values,
                    district_confirmed_at=None,
                    district_confirmed_by=None,
                    updated_by=user,
                    updated_at=write.at,
                )
                changed += 1
            else:
                write.create(
                    MonthlySale(
                        district=district,
                        fiscal_year=fiscal_month.fiscal_year,
                        month=fiscal_month.month,
                        updated_by=user,
                        **values,
                    )
                )
                created += 1
    return {
        "created": created,
        "changed": changed,
        "deleted": len(deleted),
        "withdrawn": withdrawn,  # district confirmations the changes took back
    }


def _check_state(row, seen_version):
    """Refuse to change or delete a row the province has confirmed, or a stale one.

    `row` is the row as read under the lock, or as the caller read it, which the write
    path writes only at that version: the form's own check may have been overtaken since.
    """
    if row.province_confirmed_at is not None:
        raise StaleMonth
    if seen_version is not None and seen_version != row.version:
        # Confirmed, withdrawn or sent back since the page was loaded: the officer's
        # change was made on values that are no longer the row's.
        raise StaleMonth


def _deletable(existing, deleted_ids):
    """Return the rows to delete, each checked (StaleMonth if not allowed)."""
    seen = deleted_ids if isinstance(deleted_ids, dict) else dict.fromkeys(deleted_ids)
    deleted = []
    for pk, version in seen.items():
        row = existing.get(pk)
        if row is None:
            continue  # gone already, or never this month's (the form refuses those)
        _check_state(row, version)
        deleted.append(row)
    return deleted


def _differs(row, values):
    return (
        row.producer_id != values["producer"].pk
        or row.product_type != values["product_type"]
        or row.producer_type != values["producer_type"]
        or row.domestic != values["domestic"]
        or row.export != values["export"]
    )


def _producers_by_name(district, rows, held):
    """Return {name: Producer} for the rows' names, creating or retyping as needed.

    The producers of the held rows are known by name already; only other names are
    looked up. The producer's type is only its latest one, offered when a new month
    starts; the rows keep their own (MonthlySale.producer_type), so retyping a producer
    here changes no other month.
    """
    wanted = {data["name"]: data["producer_type"] for data in rows}
    found = {row.producer.name: row.producer for row in held if row.producer.name in wanted}
    unknown = [name for name in wanted if name not in found]
    if unknown:
        found.update(
            (p.name, p) for p in Producer.objects.filter(district=district, name__in=unknown)
        )
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


def _totals(district, months):
    """Bring the written month's running totals up to date (reports.totals.refresh_month).

    Called through this module's name, which tests/test_api_write.py replaces to make the
    totals fail or fall behind.
    """
    for fiscal_year, month in months:
        refresh_month(district, fiscal_year, month)
