"""Print the CPU time of checking a posted month alone: MonthForm beside the formset it replaced.

Usage: .venv/bin/python benchmarks/month_form.py [--repeat N]

Issue 16, point 2. The entry page's POST of 130 and 500 rows, every row's amount changed,
checked by sales.forms.MonthForm (one pass, no form per row) and by the formset of one
SaleRowForm per row it replaced (kept as the reference in tests/test_month_form.py). No
database: the month's saved rows are built in memory. Prints the median process CPU time
over N runs of each and the ratio; both must give the same cleaned rows.
"""

import argparse
import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SIZES = (130, 500)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "otopdoc.test_settings")
    import django

    django.setup()
    from django.utils import translation

    translation.activate("th")
    print(f"median process CPU of {args.repeat} runs, the check alone")
    print("rows   formset ms  MonthForm ms   ratio")
    for size in SIZES:
        data, existing = posted_month(size)
        formset = measure(by_formset, data, existing, args.repeat)
        month_form = measure(by_month_form, data, existing, args.repeat)
        assert by_formset(data, existing) == by_month_form(data, existing)
        print(f"{size:4d} {formset:12.2f} {month_form:13.2f} {formset / month_form:6.1f}×")


def posted_month(size):
    """Return the POST of `size` saved rows, each with a new amount, and the saved rows."""
    from django.http import QueryDict

    from sales.models import MonthlySale, Producer

    data = QueryDict(mutable=True)
    data.update({"rows-TOTAL_FORMS": str(size), "rows-INITIAL_FORMS": str(size)})
    data.update({"rows-MIN_NUM_FORMS": "0", "rows-MAX_NUM_FORMS": "2000"})
    existing = {}
    for i in range(size):
        producer = Producer(name=f"กลุ่มวิสาหกิจชุมชนที่ {i:04d}", producer_type="group")
        sale = MonthlySale(
            pk=i + 1,
            version=2,
            producer=producer,
            product_type="food" if i % 3 else "textile",
            producer_type="group",
            domestic=Decimal("1000.00"),
            export=Decimal("0.00"),
        )
        existing[sale.pk] = sale
        cells = {
            "id": str(sale.pk),
            "version": "2",
            "name": producer.name,
            "product_type": sale.product_type,
            "producer_type": "group",
            "domestic": f"{2000 + i:,}.25",
            "export": "0",
        }
        data.update({f"rows-{i}-{key}": value for key, value in cells.items()})
    return data, existing


def by_formset(data, existing):
    from tests.test_month_form import Reference

    formset = Reference(data, prefix="rows", existing=existing)
    assert formset.is_valid()
    deleted = formset.deleted_forms
    return [f.cleaned_data for f in formset.forms if f not in deleted and f.cleaned_data]


def by_month_form(data, existing):
    from sales.forms import MonthForm

    month_form = MonthForm(data, existing=existing)
    assert month_form.is_valid()
    return month_form.kept_rows()


def measure(check, data, existing, repeat):
    check(data, existing)  # imports and caches outside the clock
    times = []
    for _ in range(repeat):
        start = time.process_time()
        check(data, existing)
        times.append((time.process_time() - start) * 1000)
    return statistics.median(times)


if __name__ == "__main__":
    main()
