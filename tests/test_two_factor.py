"""Two-factor sign-in (issue 17, point 6): TOTP with recovery codes, throttled like passwords."""

import re

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from otopdoc.twofactor import _confirm
from tests.conftest import PASSWORD


@pytest.fixture(autouse=True)
def required(settings):
    settings.OTOP_REQUIRE_2FA = True
    # django-otp also pauses a device after a wrong code; these tests check axes' throttle.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


def sign_in(client, username, address="10.0.0.9"):
    response = client.post(
        "/accounts/login/", {"username": username, "password": PASSWORD}, REMOTE_ADDR=address
    )
    assert response.status_code == 302, response.content.decode()[:500]
    return response


def code_of(device):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def enrolled(user):
    device = TOTPDevice.objects.create(user=user, name="app", confirmed=False)
    codes = _confirm(user, device)
    return TOTPDevice.objects.get(pk=device.pk), codes


def test_a_department_officer_must_enrol_before_any_page(client, officers):
    sign_in(client, "cdd")
    for url in ("/", "/nation/", "/reports/kpi/", "/privacy/access-log/"):
        assert client.get(url)["Location"] == "/accounts/2fa/setup/", url
    page = client.get("/accounts/2fa/setup/").content.decode()
    assert "ตั้งค่าการยืนยันตัวตนขั้นที่สอง" in page
    assert "otpauth://totp/" in page and "<svg" in page  # drawn on the server
    assert "<script>" not in page and "cdn" not in page.lower()
    device = TOTPDevice.objects.get(user=officers["department"], confirmed=False)
    response = client.post("/accounts/2fa/setup/", {"token": "000000"})
    assert "รหัสไม่ถูกต้อง" in response.content.decode()
    response = client.post("/accounts/2fa/setup/", {"token": code_of(device)})
    assert response["Location"] == "/accounts/2fa/codes/"
    codes = re.findall(
        r"<li class=\"col-6\">(\d{8})</li>", client.get("/accounts/2fa/codes/").content.decode()
    )
    assert len(codes) == 10
    assert set(codes) == set(StaticToken.objects.values_list("token", flat=True))
    assert client.get("/accounts/2fa/codes/")["Location"] == "/"  # shown once
    assert client.get("/nation/").status_code == 200


def test_staff_accounts_must_enrol_too(client, officers):
    officers["owner"].is_staff = True
    officers["owner"].save()
    sign_in(client, "d5701")
    assert client.get("/district/5701/")["Location"] == "/accounts/2fa/setup/"


def test_districts_and_provinces_need_not_enrol_but_may(client, officers):
    sign_in(client, "d5701")
    assert client.get("/district/5701/").status_code == 200
    enrolled(officers["province"])
    client = Client()
    sign_in(client, "p57")
    assert client.get("/province/57/")["Location"] == "/accounts/2fa/?next=/province/57/"


def test_without_the_setting_nobody_is_asked(client, officers, settings):
    settings.OTOP_REQUIRE_2FA = False
    sign_in(client, "cdd")
    assert client.get("/nation/").status_code == 200


def test_the_code_of_the_app_opens_the_pages(client, officers):
    device, _ = enrolled(officers["department"])
    sign_in(client, "cdd")
    assert client.get("/nation/")["Location"] == "/accounts/2fa/?next=/nation/"
    response = client.post("/accounts/2fa/", {"token": "123456", "next": "/nation/"})
    assert "รหัสไม่ถูกต้องหรือหมดเวลาแล้ว" in response.content.decode()
    response = client.post("/accounts/2fa/", {"token": code_of(device), "next": "/nation/"})
    assert response["Location"] == "/nation/"
    assert client.get("/nation/").status_code == 200


def test_the_next_page_is_ours_only(client, officers):
    device, _ = enrolled(officers["department"])
    sign_in(client, "cdd")
    response = client.post("/accounts/2fa/", {"token": code_of(device), "next": "//evil.example/"})
    assert response["Location"] == "/"


def test_wrong_codes_are_throttled_like_passwords(client, officers):
    device, _ = enrolled(officers["department"])
    sign_in(client, "cdd")
    for _ in range(5):
        client.post("/accounts/2fa/", {"token": "000000"}, REMOTE_ADDR="10.0.0.9")
    response = client.post("/accounts/2fa/", {"token": code_of(device)}, REMOTE_ADDR="10.0.0.9")
    assert "ถูกระงับชั่วคราว" in response.content.decode()
    assert client.get("/nation/").status_code == 302  # still not through


def test_a_lost_device_signs_in_with_a_recovery_code_once_then_enrols_again(client, officers):
    _, codes = enrolled(officers["department"])
    sign_in(client, "cdd")
    page = client.get("/accounts/2fa/").content.decode()
    assert 'href="/accounts/2fa/lost/"' in page
    assert "อุปกรณ์ยืนยันตัวตนหาย" in client.get("/accounts/2fa/lost/").content.decode()
    response = client.post("/accounts/2fa/lost/", {"token": codes[0]})
    assert response["Location"] == "/accounts/2fa/setup/"
    assert not TOTPDevice.objects.filter(user=officers["department"]).exists()
    client.post("/accounts/logout/")
    sign_in(client, "cdd")
    response = client.post("/accounts/2fa/lost/", {"token": codes[0]})
    assert "รหัสกู้คืนไม่ถูกต้องหรือใช้ไปแล้ว" in response.content.decode()


def test_the_second_factor_pages_send_strangers_to_sign_in(client, db):
    for url in (
        "/accounts/2fa/",
        "/accounts/2fa/setup/",
        "/accounts/2fa/lost/",
        "/accounts/2fa/codes/",
    ):
        assert client.get(url)["Location"].startswith("/accounts/login/?next=")
