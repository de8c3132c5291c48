"""Two-factor sign-in: a TOTP app (django-otp) with recovery codes.

Department officers and staff accounts must use it when OTOP_REQUIRE_2FA is on (production);
district and province officers may enrol, and once enrolled they are asked too. Steps of a
sign-in: the password (Django's sign-in page), then TwoFactorMiddleware sends the officer
to /accounts/2fa/ for the six-digit code, or to /accounts/2fa/setup/ to enrol first. Until
then no other page answers. A failed code counts as a failed sign-in in django-axes, so
the same throttle (per user name and address, and per address) covers both factors.
"""

import io
import secrets

import qrcode
import qrcode.image.svg
from axes.handlers.proxy import AxesProxyHandler
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db import transaction
from django.dispatch import receiver
from django.shortcuts import redirect, render
from django.urls import reverse
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from otopdoc.throttle import address_locked, address_locked_message

RECOVERY_CODES = 10
NO_DEVICE = "two_factor_no_device"  # session key: this officer has no app to ask for
# Pages open to a signed-in officer who has not passed the second factor yet.
OPEN_PREFIXES = ("/accounts/2fa/", "/accounts/logout/", "/static/")
OPEN_PATHS = ("/privacy/",)  # the privacy notice, not the access log
LOCKED = "ลงชื่อเข้าใช้ไม่สำเร็จหลายครั้งเกินไป บัญชีนี้ถูกระงับชั่วคราว กรุณารอ 30 นาทีแล้วลองอีกครั้ง"


def required_for(user):
    """Tell whether the user must have a second factor (department officers and staff)."""
    if not settings.OTOP_REQUIRE_2FA:
        return False
    officer = getattr(user, "officer", None)
    return user.is_staff or (officer is not None and officer.is_department)


def has_device(user):
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


class TwoFactorMiddleware:
    """Hold a signed-in officer at the second factor until it is passed.

    Whoever has a device must pass it; whoever must have one and has none is sent to
    enrol. Requests for the second-factor pages themselves, sign-out and static files pass.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not user.is_verified()
            and not request.path.startswith(OPEN_PREFIXES)
            and request.path not in OPEN_PATHS
        ):
            if required_for(user):
                if has_device(user):
                    return redirect(f"{reverse('two-factor')}?next={request.get_full_path()}")
                return redirect("two-factor-setup")
            if not request.session.get(NO_DEVICE):
                if has_device(user):
                    return redirect(f"{reverse('two-factor')}?next={request.get_full_path()}")
                request.session[NO_DEVICE] = True  # a session from before note_devices
        return self.get_response(request)


@receiver(user_logged_in)
def note_devices(sender, request, user, **kwargs):
    """Look once, at sign-in, whether the officer has an app: pages then cost no query."""
    if request is not None and hasattr(request, "session"):
        request.session[NO_DEVICE] = not has_device(user)


class TokenForm(forms.Form):
    token = forms.CharField(
        label="รหัสจากแอปยืนยันตัวตน (6 หลัก)",
        max_length=16,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
        error_messages={"required": "กรุณากรอกรหัส"},
    )

    def clean_token(self):
        return "".join(self.cleaned_data["token"].split())


def _throttled(request):
    """Return the Thai refusal if this user name or address is locked, else None."""
    credentials = {"username": request.user.get_username()}
    if AxesProxyHandler.is_locked(request, credentials):
        return LOCKED
    if address_locked(request):
        return address_locked_message()
    return None


def _failed(request):
    """Count a wrong code as a failed sign-in of this user name from this address."""
    user_login_failed.send(
        sender=__name__, credentials={"username": request.user.get_username()}, request=request
    )


def _verify(request, devices, token):
    for device in devices:
        if device.verify_token(token):
            otp_login(request, device)
            return device
    return None


@login_required
def verify(request):
    """Ask for the six-digit code of the officer's app (or a recovery code)."""
    form = TokenForm(request.POST or None)
    refusal = _throttled(request)
    if request.method == "POST" and refusal is None and form.is_valid():
        devices = list(TOTPDevice.objects.devices_for_user(request.user, confirmed=True))
        devices += list(StaticDevice.objects.devices_for_user(request.user, confirmed=True))
        if _verify(request, devices, form.cleaned_data["token"]):
            return redirect(_next(request))
        _failed(request)
        refusal = _throttled(request)
        form.add_error("token", refusal or "รหัสไม่ถูกต้องหรือหมดเวลาแล้ว กรุณาลองรหัสล่าสุดในแอป")
    context = {"form": form, "refusal": refusal, "next": _next(request)}
    return render(request, "registration/two_factor.html", context)


def _next(request):
    target = request.POST.get("next") or request.GET.get("next") or ""
    return target if target.startswith("/") and not target.startswith("//") else reverse("home")


@login_required
def setup(request):
    """Enrol a TOTP app: show its otpauth URI and QR code, confirm it with one code.

    Steps:
    1. Keep one unconfirmed device for the officer (made on the first visit).
    2. On a right code: confirm it, replace any older app and recovery codes, mark the
       session as passed, and show the new recovery codes once.
    A signed-in officer who already has an app must pass it first (the middleware).
    """
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=request.user, name="แอปยืนยันตัวตน", confirmed=False)
    form = TokenForm(request.POST or None)
    refusal = _throttled(request)
    if request.method == "POST" and refusal is None and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            codes = _confirm(request.user, device)
            otp_login(request, device)
            request.session["two_factor_codes"] = codes
            return redirect("two-factor-codes")
        _failed(request)
        form.add_error("token", _throttled(request) or "รหัสไม่ถูกต้อง กรุณาสแกน QR ใหม่แล้วลองรหัสล่าสุด")
    return render(
        request,
        "registration/two_factor_setup.html",
        {
            "form": form,
            "uri": device.config_url,
            "qr": _qr_svg(device.config_url),
            "refusal": refusal,
        },
    )


@transaction.atomic
def _confirm(user, device):
    """Make `device` the officer's only app and give new recovery codes; return them."""
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save()
    StaticDevice.objects.filter(user=user).delete()
    static = StaticDevice.objects.create(user=user, name="รหัสกู้คืน", confirmed=True)
    codes = [f"{secrets.randbelow(10**8):08d}" for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=static, token=code) for code in codes)
    return codes


@login_required
def codes(request):
    """Show the recovery codes just made, once."""
    shown = request.session.pop("two_factor_codes", None)
    if not shown:
        return redirect("home")
    return render(request, "registration/two_factor_codes.html", {"codes": shown})


@login_required
def lost(request):
    """A lost device: sign in with a recovery code, then enrol a new app.

    Each recovery code works once (django-otp deletes it). Without a code the officer asks
    an administrator, who removes the device in the admin.
    """
    form = TokenForm(request.POST or None)
    form.fields["token"].label = "รหัสกู้คืน (8 หลัก)"
    refusal = _throttled(request)
    if request.method == "POST" and refusal is None and form.is_valid():
        devices = list(StaticDevice.objects.devices_for_user(request.user, confirmed=True))
        if _verify(request, devices, form.cleaned_data["token"]):
            TOTPDevice.objects.filter(user=request.user).delete()
            messages.warning(request, "ใช้รหัสกู้คืนแล้ว กรุณาตั้งค่าแอปยืนยันตัวตนในอุปกรณ์ใหม่")
            return redirect("two-factor-setup")
        _failed(request)
        form.add_error("token", _throttled(request) or "รหัสกู้คืนไม่ถูกต้องหรือใช้ไปแล้ว")
    return render(request, "registration/two_factor_lost.html", {"form": form, "refusal": refusal})


def _qr_svg(uri):
    """Return the QR code of `uri` as inline SVG markup, drawn here (no CDN, no script)."""
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    output = io.BytesIO()
    image.save(output)
    svg = output.getvalue().decode()
    return svg[svg.index("<svg") :]
