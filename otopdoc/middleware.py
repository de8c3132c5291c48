"""Enforce the monthly calendar lock (SPEC section 3) on every write to the data apps.

Hiding buttons is not enough: a district or province officer whose write is refused by
otopdoc.lock gets 423 Locked before the view runs, with a page (or JSON for a script)
saying why and when it opens. Reads are never refused: officers may look at their data
during the lock. The department is never locked.
"""

from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.http import url_has_allowed_host_and_scheme

from otopdoc.access import fiscal_month_or_404
from otopdoc.lock import calendar_days, refusal
from sales.models import District, Province

SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}
DATA_APPS = ("sales.", "confirmations.")


class CalendarLockMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method in SAFE_METHODS:
            return None
        if not getattr(view_func, "__module__", "").startswith(DATA_APPS):
            return None
        user = getattr(request, "user", None)
        officer = getattr(user, "officer", None) if user and user.is_authenticated else None
        if officer is None or not (officer.is_district or officer.is_province):
            return None
        area = _area(view_kwargs)
        if area is None:
            return None  # an unknown month or area: the view answers 404
        if not _in_scope(officer, *area):
            # Scope first, then the calendar: a stranger learns nothing of another area's
            # month, not even whether it is closed; the view answers 404.
            return None
        refused = refusal(officer, *area)
        if refused is None:
            return None
        if _wants_json(request):
            return JsonResponse({"error": refused.message}, status=423)
        return render(
            request,
            "otopdoc/locked.html",
            {"refusal": refused, "back_url": _back_url(request), "calendar": calendar_days()},
            status=423,
        )


def _area(kwargs):
    """Return (fiscal_month, district, province) named by the URL, or None if one is unknown."""
    fiscal_month = district = province = None
    if "fiscal_year" in kwargs and "month" in kwargs:
        try:
            fiscal_month = fiscal_month_or_404(kwargs["fiscal_year"], kwargs["month"])
        except (TypeError, ValueError, Http404):
            return None
    if kwargs.get("district") is not None:
        district = District.objects.filter(pk=str(kwargs["district"])).first()
        if district is None:
            return None
    if kwargs.get("province") is not None:
        province = Province.objects.filter(pk=str(kwargs["province"])).first()
        if province is None:
            return None
    return fiscal_month, district, province


def _in_scope(officer, fiscal_month, district, province):
    """Tell whether the officer may see the area the URL names (none named: yes)."""
    if district is not None and not officer.can_see_district(district):
        return False
    return province is None or officer.can_see_province(province)


def _wants_json(request):
    return (
        "application/json" in request.headers.get("Accept", "")
        or request.headers.get("X-Requested-With") == "XMLHttpRequest"
    )


def _back_url(request):
    """Return the page the refused form came from when it is ours, else home."""
    referer = request.headers.get("Referer", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return referer
    return reverse("home")


# Everything comes from this site: scripts only from files (no inline script or handler),
# styles may be inline because templates size table columns with style="". Reports are
# never framed, and forms post only here.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ]
)


class ContentSecurityPolicyMiddleware:
    """Send the Content-Security-Policy header on every response that has none."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        return response


class PrivateNoStoreMiddleware:
    """Mark every response to a signed-in officer `Cache-Control: private, no-store`.

    Pages and Excel files behind sign-in hold producers' names and sales: neither a shared
    proxy nor the browser's disk cache of an office computer should keep them once the
    officer signs out. Static files are answered by WhiteNoise before this runs.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response.headers.pop("Expires", None)
            patch_cache_control(response, private=True, no_store=True)
        return response
