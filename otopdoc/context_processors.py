from otopdoc import fiscal
from otopdoc.fiscal import MAX_FISCAL_YEAR, MIN_FISCAL_YEAR, FiscalMonth


def officer(request):
    """Put the signed-in officer, the current month and the reports' month in every template."""
    user = getattr(request, "user", None)
    officer = getattr(user, "officer", None) if user and user.is_authenticated else None
    this_month = FiscalMonth.current()
    return {
        "officer": officer,
        "this_month": this_month,
        "report_month": month_on_screen(request) or working_month(),
    }


def working_month(at=None):
    """Return the month officers are working on: last month until its deadline, then this one.

    From the 1st to the deadline day districts confirm last month; after it, last month is
    closed and the month under way is the one they enter.
    """
    at = at or fiscal.now()
    this_month = FiscalMonth.of(at.astimezone(fiscal.BANGKOK).date())
    previous = this_month.previous
    return previous if at <= previous.deadline else this_month


def month_on_screen(request):
    """Return the month the page shows (its URL's year and month, or ?fy=&month=), or None.

    A page of a whole year (RT.4, the estimate, a home page's ?fy=) gives that year's
    latest month begun, so the reports menu stays in the year the officer is reading.
    """
    match = getattr(request, "resolver_match", None)
    kwargs = match.kwargs if match else {}
    year = kwargs.get("fiscal_year") or _number(request.GET.get("fy"))
    month = kwargs.get("month") or _number(request.GET.get("month"))
    if not year or not MIN_FISCAL_YEAR <= int(year) <= MAX_FISCAL_YEAR:
        return None
    year = int(year)
    if month and 1 <= int(month) <= 12:
        return FiscalMonth(year, int(month))
    working = working_month()
    if working.fiscal_year == year:
        return working
    begun = [fm for fm in fiscal.fiscal_months(year) if fm.has_started()]
    return begun[-1] if begun else fiscal.fiscal_months(year)[0]


def _number(raw):
    return int(raw) if raw and raw.isdigit() else None
