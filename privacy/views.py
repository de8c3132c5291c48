"""The privacy notice (public) and the department's log of reads of personal data."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from otopdoc.access import department_only
from privacy.models import PersonalDataAccess

PER_PAGE = 100


def notice(request):
    """Show the Thai privacy notice; linked from the sign-in page, so open to anyone."""
    return render(request, "privacy/notice.html")


@require_GET
@login_required
def access_log(request):
    """List who read personal data, newest first, 100 a page: for the department only."""
    department_only(request.user)
    records = PersonalDataAccess.objects.select_related("user").order_by("-at", "-id")
    page = Paginator(records, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "privacy/access_log.html", {"page": page})
