"""An officer's notifications, their own settings, and the department's office settings.

Everything is found through the signed-in user first: a notification of another officer
is a 404, the settings page has no id to change, and office settings are the department's.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from notifications.forms import ContactForm
from notifications.models import Contact, Notification
from otopdoc.access import department_only, officer_of
from sales.models import District, Province

PER_PAGE = 30


@login_required
def notification_list(request):
    """List the officer's notifications, newest first, unread ones marked."""
    officer_of(request.user)
    page = Paginator(
        Notification.objects.filter(user=request.user).select_related("event"), PER_PAGE
    ).get_page(request.GET.get("page"))
    return render(request, "notifications/list.html", {"page": page})


@require_POST
@login_required
def mark_read(request, pk):
    """Mark one of the officer's own notifications read; another's is a 404."""
    notification = get_object_or_404(Notification, pk=pk, user=request.user)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    if request.POST.get("open") == "1":
        return redirect(notification.event.path)
    return redirect("notifications")


@require_POST
@login_required
def mark_all_read(request):
    officer_of(request.user)
    count = Notification.objects.filter(user=request.user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    messages.success(request, f"ทำเครื่องหมายว่าอ่านแล้ว {count} รายการ")
    return redirect("notifications")


@login_required
def own_settings(request):
    """Let the officer set their own e-mail, LINE ID and kinds."""
    officer = officer_of(request.user)
    contact = Contact.objects.filter(user=request.user).first() or Contact(user=request.user)
    return _edit(request, contact, officer.role, "notification-settings", "ของฉัน")


@login_required
def offices(request):
    """Let the department find an office by its code, and list offices with settings."""
    department_only(request.user)
    code = request.GET.get("code", "").strip()
    error = ""
    if code:
        if _office(code) is not None:
            return redirect("notification-office", code=code)
        error = "ไม่พบรหัสนี้ ใช้รหัสอำเภอ 4 หลัก (เช่น 5701) หรือรหัสจังหวัด 2 หลัก (เช่น 57)"
    contacts = Contact.objects.filter(user__isnull=True).select_related(
        "district__province", "province"
    )
    return render(
        request,
        "notifications/offices.html",
        {"contacts": contacts.order_by("province_id", "district_id"), "code": code, "error": error},
    )


@login_required
def office_settings(request, code):
    """Let the department set an office's shared e-mail and LINE group."""
    department_only(request.user)
    office = _office(code)
    if office is None:
        raise Http404("ไม่พบสำนักงานนี้")
    field, area, role = office
    contact = Contact.objects.filter(**{field: area}).first() or Contact(**{field: area})
    label = f"อำเภอ{area.name_th}" if field == "district" else f"จังหวัด{area.name_th}"
    return _edit(request, contact, role, "notification-office", label, code=code)


def _office(code):
    """Return (field, area, role) of a district (4 digits) or province (2 digits) code."""
    if len(code) == 4 and (district := District.objects.filter(pk=code).first()):
        return "district", district, "district"
    if len(code) == 2 and (province := Province.objects.filter(pk=code).first()):
        return "province", province, "province"
    return None


def _edit(request, contact, role, url_name, label, **kwargs):
    form = ContactForm(request.POST or None, instance=contact, role=role)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, f"บันทึกช่องทางรับการแจ้งเตือน{label}แล้ว")
        return redirect(url_name, **kwargs)
    return render(
        request,
        "notifications/settings.html",
        {"form": form, "label": label, "office": "code" in kwargs},
    )
