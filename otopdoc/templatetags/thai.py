"""Template filters that show dates in B.E. and money in baht."""

import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template
from django.utils import timezone
from django.utils.html import format_html_join

from otopdoc.fiscal import BANGKOK, THAI_MONTHS_SHORT, be_year, month_name

register = template.Library()


@register.filter
def thai_month(month):
    """Render calendar month 1-12 as its Thai name."""
    try:
        return month_name(int(month))
    except (TypeError, ValueError, IndexError):
        return ""


@register.filter
def be(value, style="long"):
    """Render a date or datetime in Thai with a B.E. year: "24 พฤศจิกายน 2569".

    Datetimes show in Asia/Bangkok with the time; ``be:"short"`` uses short month names.
    """
    if not value:
        return ""
    names = THAI_MONTHS_SHORT if style == "short" else None
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = value.astimezone(BANGKOK)
        month = names[value.month - 1] if names else month_name(value.month)
        return f"{value.day} {month} {be_year(value.year)} {value:%H:%M} น."
    month = names[value.month - 1] if names else month_name(value.month)
    return f"{value.day} {month} {be_year(value.year)}"


@register.filter
def be_year_of(value):
    """Render the B.E. year of a date, or of a C.E. year number."""
    if isinstance(value, (datetime.date, datetime.datetime)):
        return be_year(value.year)
    try:
        return be_year(int(value))
    except (TypeError, ValueError):
        return ""


@register.filter
def baht(value, places=2):
    """Render an amount with thousands separators and fixed places: 1,234,567.50."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return value
    places = int(places)
    quantum = Decimal(1).scaleb(-places)
    return f"{amount.quantize(quantum, rounding=ROUND_HALF_UP):,.{places}f}"


@register.simple_tag
def choice_options(choices, selected):
    """Render <option>s for a select with `selected` chosen, in one call.

    The entry grid has a few selects on each of hundreds of rows; a template loop per
    option made the page take a second to render.
    """
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        [("", "" if selected else " selected", "— เลือก —")]
        + [(value, " selected" if value == selected else "", label) for value, label in choices],
    )
