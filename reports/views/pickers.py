"""The month picker of the monthly reports (RT.1, RT.2, RT.3), like the entry page's."""

from otopdoc.fiscal import MAX_FISCAL_YEAR, MIN_FISCAL_YEAR, fiscal_months


def month_picker(fiscal_month, url_of):
    """Return the month picker's context: the year's months begun so far and the neighbours.

    `url_of(fiscal_month)` gives a month's address in the same report, with its options.
    """
    previous = neighbour(fiscal_month, "previous")
    following = neighbour(fiscal_month, "next")
    months = [fm for fm in fiscal_months(fiscal_month.fiscal_year) if fm.has_started()]
    if fiscal_month not in months:  # a month not begun yet, opened by its address
        months.append(fiscal_month)
    return {
        "month_links": [(fm, url_of(fm)) for fm in months],
        "previous": previous,
        "next": following,
        "previous_url": url_of(previous) if previous else None,
        "next_url": url_of(following) if following else None,
    }


def neighbour(fiscal_month, step):
    """Return the month before or after, or None past the accepted years or not yet begun."""
    try:
        found = getattr(fiscal_month, step)
    except ValueError:  # FiscalMonth refuses a year out of range
        return None
    if not MIN_FISCAL_YEAR <= found.fiscal_year <= MAX_FISCAL_YEAR:
        return None
    return found if found.has_started() else None
