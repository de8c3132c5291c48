"""The entry benchmarks' shared setup: a district month of N rows, and the form that saves it.

Imported by benchmarks/entry_page.py, entry_grid.py and floor.py (run as scripts, so this
folder is on sys.path) after django.setup().
"""

from decimal import Decimal

SENT_BACK_REASON = "ยอดสูงผิดปกติ ตรวจสอบอีกครั้ง"


def fill_month(
    district,
    month,
    size,
    *,
    name="กลุ่มทดสอบ",
    domestic=lambda i: Decimal("1000.00"),
    last_month=None,
    sent_back_every=0,
    clear=True,
):
    """Write `size` producers of `district` and one row each in `month`; return the producers.

    Producers are named "<name> 0000", "<name> 0001", ... (so name order is creation order),
    all community groups selling food; row i holds `domestic(i)` baht and no export.
    `last_month`: also a row of each in the month before, of that amount (the entry page
    shows them). `sent_back_every`: every n-th row of `month` is sent back by the province.
    `clear`: first delete every producer, row and revision of the database, so that sizes
    measured one after the other do not add up.
    """
    from django.utils import timezone

    from sales.models import DistrictMonth, MonthlySale, Producer

    if clear:
        MonthlySale.objects.all().delete()
        DistrictMonth.objects.all().delete()
        Producer.objects.all().delete()
    producers = Producer.objects.bulk_create(
        Producer(name=f"{name} {i:04d}", district=district, producer_type="group")
        for i in range(size)
    )
    now = timezone.now()
    if last_month is not None:
        MonthlySale.objects.bulk_create(
            row(p, district, month.previous, Decimal(last_month)) for p in producers
        )
    MonthlySale.objects.bulk_create(
        row(
            p,
            district,
            month,
            domestic(i),
            **(
                {"returned_at": now, "returned_reason": SENT_BACK_REASON}
                if sent_back_every and i % sent_back_every == 0
                else {}
            ),
        )
        for i, p in enumerate(producers)
    )
    return producers


def row(producer, district, month, domestic, **fields):
    from sales.models import MonthlySale

    return MonthlySale(
        producer=producer,
        district=district,
        product_type="food",
        fiscal_year=month.fiscal_year,
        month=month.month,
        domestic=domestic,
        export=Decimal("0.00"),
        **fields,
    )


def entry_post(district, month, domestic):
    """Return the entry form posting back every row of the month with `domestic(i)` baht.

    An officer's full re-save: each row keeps its id, version, producer and type, and its
    domestic amount becomes the text `domestic(i)` for the row's place i in name order.
    """
    from sales.models import MonthlySale
    from sales.services import month_revision

    rows = list(
        MonthlySale.objects.for_month(district, month)
        .select_related("producer")
        .order_by("producer__name")
    )
    data = {
        "rows-TOTAL_FORMS": str(len(rows)),
        "rows-INITIAL_FORMS": "0",
        "rows-MIN_NUM_FORMS": "0",
        "rows-MAX_NUM_FORMS": "2000",
        "month-revision": str(month_revision(district, month)),
    }
    for i, sale in enumerate(rows):
        data.update(
            {
                f"rows-{i}-id": sale.pk,
                f"rows-{i}-version": sale.version,
                f"rows-{i}-name": sale.producer.name,
                f"rows-{i}-product_type": sale.product_type,
                f"rows-{i}-producer_type": sale.producer_type,
                f"rows-{i}-domestic": domestic(i),
                f"rows-{i}-export": "0",
            }
        )
    return data
