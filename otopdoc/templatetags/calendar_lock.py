"""Template tags of the calendar lock: what a month's status line says about exceptions."""

from django import template

from otopdoc import fiscal
from otopdoc.lock import active_exception

register = template.Library()


@register.simple_tag
def month_exception(fiscal_month, district=None, province=None):
    """Return the exception keeping a closed month open for the area now, or None.

    A month still before its deadline needs none, so it costs no query.
    """
    if fiscal_month is None or fiscal.now() <= fiscal_month.deadline:
        return None
    return active_exception(fiscal_month, district=district, province=province)
