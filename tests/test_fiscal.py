import datetime
from decimal import Decimal

import pytest
from django.template import Context, Template

from otopdoc import fiscal
from otopdoc.fiscal import FiscalMonth, fiscal_months, fiscal_year_of


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (datetime.date(2018, 10, 1), 2562),
        (datetime.date(2019, 9, 30), 2562),
        (datetime.date(2018, 9, 30), 2561),
        (datetime.date(2026, 11, 24), 2570),
    ],
)
def test_it_names_the_fiscal_year_by_the_be_year_it_ends_in(day, expected):
    assert fiscal_year_of(day) == expected


def test_a_fiscal_year_starts_with_october_of_the_year_before():
    months = fiscal_months(2562)
    assert [m.month for m in months] == [10, 11, 12, 1, 2, 3, 4, 5, 6, 7, 8, 9]
    assert months[0].label == "ตุลาคม 2561"
    assert months[0].first_day == datetime.date(2018, 10, 1)
    assert months[-1].label == "กันยายน 2562"
    assert months[-1].first_day == datetime.date(2019, 9, 1)


def test_october_follows_the_previous_years_september():
    assert FiscalMonth(2562, 10).previous == FiscalMonth(2561, 9)
    assert FiscalMonth(2562, 1).previous == FiscalMonth(2562, 12)
    assert FiscalMonth(2561, 9).next == FiscalMonth(2562, 10)
    assert FiscalMonth(2562, 12).next == FiscalMonth(2562, 1)


def test_the_deadline_is_the_fifth_of_the_next_month_at_2359_in_bangkok():
    deadline = FiscalMonth(2562, 12).deadline
    assert deadline.tzinfo == fiscal.BANGKOK
    assert (deadline.year, deadline.month, deadline.day) == (2019, 1, 5)
    assert (deadline.hour, deadline.minute) == (23, 59)


@pytest.mark.parametrize("month", [0, 13])
def test_it_refuses_a_month_out_of_range(month):
    with pytest.raises(ValueError):
        FiscalMonth(2562, month)


def test_today_is_the_date_in_bangkok(monkeypatch):
    # 18:00 UTC on 30 September is already 1 October in Bangkok: a new fiscal year.
    instant = datetime.datetime(2019, 9, 30, 18, 0, tzinfo=datetime.UTC)
    monkeypatch.setattr(fiscal.timezone, "now", lambda: instant)
    assert fiscal.today() == datetime.date(2019, 10, 1)
    assert fiscal.current_fiscal_year() == 2563


def render(template, **context):
    return Template(template).render(Context(context))


def test_the_filters_show_be_years_and_baht():
    day = datetime.date(2026, 11, 24)
    assert render("{{ d|be }}", d=day) == "24 พฤศจิกายน 2569"
    assert render('{{ d|be:"short" }}', d=day) == "24 พ.ย. 2569"
    assert render("{{ d|be_year_of }}", d=day) == "2569"
    assert render("{{ m|thai_month }}", m=10) == "ตุลาคม"
    assert render("{{ a|baht }}", a=Decimal("1234567.5")) == "1,234,567.50"
    assert render("{{ a|baht }}", a=None) == ""


def test_the_be_filter_shows_a_datetime_in_bangkok_time():
    instant = datetime.datetime(2019, 1, 5, 16, 59, tzinfo=datetime.UTC)
    assert render("{{ t|be }}", t=instant) == "5 มกราคม 2562 23:59 น."
