from otopdoc.fiscal import FiscalMonth


def officer(request):
    """Put the signed-in officer and the current fiscal month in every template."""
    user = getattr(request, "user", None)
    officer = getattr(user, "officer", None) if user and user.is_authenticated else None
    this_month = FiscalMonth.current()
    # Reports open on the last whole month: the one districts are confirming now.
    return {"officer": officer, "this_month": this_month, "report_month": this_month.previous}
