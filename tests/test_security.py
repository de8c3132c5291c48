"""Sign-in, sessions, passwords and response headers: the security settings at work.

The area sweep and the CSRF sweep are in tests/test_security_sweep.py; the sign-in
throttle's basic case (five failures, then the right password refused with 429) is in
tests/test_home_views.py.
"""

import datetime
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.management import CommandError, call_command
from django.utils import timezone
from playwright.sync_api import expect

from otopdoc.fiscal import BANGKOK
from tests.conftest import PASSWORD
from tests.test_browser_shell import sign_in as browser_sign_in

User = get_user_model()
TEMPLATES = Path(settings.BASE_DIR) / "templates"

TOO_SHORT = "รหัสผ่านสั้นเกินไป ต้องมีอย่างน้อย 8 ตัวอักษร"
TOO_COMMON = "รหัสผ่านนี้ง่ายและมีผู้ใช้กันมากเกินไป"
NUMERIC = "รหัสผ่านต้องไม่เป็นตัวเลขล้วน"
LIKE_USERNAME = "รหัสผ่านคล้ายกับชื่อผู้ใช้มากเกินไป"
STRONG = "ดอยตุง-coffee-57"
# Each weak password with the message it must get (the user is d5701, or "amphoe").
WEAK = [
    ("12345678", [TOO_COMMON, NUMERIC]),
    ("password", [TOO_COMMON]),
    ("d5701", [LIKE_USERNAME, TOO_SHORT]),
    ("d5701d57", [LIKE_USERNAME]),
    ("x9!k", [TOO_SHORT]),
]


def sign_in(client, username="d5701", password=PASSWORD):
    return client.post("/accounts/login/", {"username": username, "password": password})


# --- the sign-in throttle ----------------------------------------------------------------


def test_a_locked_out_officer_is_not_signed_in_even_with_the_right_password(client, officers):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(client, password="wrong").status_code == 200
    assert sign_in(client, password="wrong").status_code == 429  # the fifth failure locks
    response = sign_in(client)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert client.get("/district/5701/").status_code == 302


def test_the_lockout_is_of_one_user_name_not_the_whole_office(client, officers):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, password="wrong")
    # A colleague at the same address still signs in.
    assert sign_in(client, username="d5701b").status_code == 302


def test_four_failures_then_the_right_password_still_signs_in(client, officers):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, password="wrong")
    assert sign_in(client).status_code == 302


# --- sessions ----------------------------------------------------------------------------


@pytest.fixture
def clock(monkeypatch):
    """Move Django's clock: the session store reads expiry through timezone.now."""
    start = timezone.now()

    def move(**delta):
        moment = start + datetime.timedelta(**delta)
        monkeypatch.setattr(timezone, "now", lambda: moment)

    return move


def test_a_session_ends_after_session_cookie_age(client, officers, clock):
    clock(seconds=0)
    assert sign_in(client).status_code == 302
    age = settings.SESSION_COOKIE_AGE
    clock(seconds=age - 60)
    assert client.get("/district/5701/").status_code == 200
    clock(seconds=age + 1)
    response = client.get("/district/5701/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/district/5701/"


def test_a_session_lasts_a_working_day_and_not_beyond_the_browser(client, officers):
    assert settings.SESSION_COOKIE_AGE == 8 * 60 * 60
    response = sign_in(client)
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert int(cookie["max-age"]) == settings.SESSION_COOKIE_AGE
    assert settings.SESSION_COOKIE_HTTPONLY and settings.CSRF_COOKIE_HTTPONLY is False


def test_sign_out_is_post_only_and_ends_the_session(client, officers):
    sign_in(client)
    key = client.session.session_key
    assert client.get("/accounts/logout/").status_code == 405
    assert client.get("/district/5701/").status_code == 200
    response = client.post("/accounts/logout/")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert not Session.objects.filter(session_key=key).exists()
    assert client.get("/district/5701/").status_code == 302


# --- passwords ---------------------------------------------------------------------------


@pytest.mark.parametrize(("password", "messages"), WEAK, ids=[w for w, _ in WEAK])
def test_create_officer_refuses_a_weak_password(geography, password, messages):
    username = "d5701"
    with pytest.raises(CommandError) as refused:
        call_command("create_officer", username, password=password, role="district", area="5701")
    for message in messages:
        assert message in str(refused.value)
    assert not User.objects.filter(username=username).exists()


def test_create_officer_takes_a_strong_password(geography):
    call_command("create_officer", "d5701", password=STRONG, role="district", area="5701")
    assert User.objects.get(username="d5701").check_password(STRONG)


def change(client, new, old=PASSWORD):
    return client.post(
        "/accounts/password/",
        {"old_password": old, "new_password1": new, "new_password2": new},
    )


def test_the_password_page_is_in_thai_and_linked_from_the_menu(client, officers):
    client.force_login(officers["owner"])
    html = client.get("/district/5701/").content.decode()
    assert 'href="/accounts/password/"' in html and "เปลี่ยนรหัสผ่าน" in html
    html = client.get("/accounts/password/").content.decode()
    for label in ("รหัสผ่านปัจจุบัน", "รหัสผ่านใหม่", "ยืนยันรหัสผ่านใหม่", "ต้องมีอย่างน้อย 8 ตัวอักษร"):
        assert label in html


@pytest.mark.parametrize(("password", "messages"), WEAK, ids=[w for w, _ in WEAK])
def test_the_password_page_refuses_a_weak_password_by_the_field(
    client, officers, password, messages
):
    client.force_login(officers["owner"])
    response = change(client, password)
    assert response.status_code == 200
    assert response.context["form"].errors["new_password2"] == messages
    html = response.content.decode()
    for message in messages:
        assert message in html
    officers["owner"].refresh_from_db()
    assert officers["owner"].check_password(PASSWORD)


def test_the_password_page_refuses_a_wrong_current_password(client, officers):
    client.force_login(officers["owner"])
    response = change(client, STRONG, old="not-mine")
    assert response.context["form"].errors["old_password"] == ["รหัสผ่านปัจจุบันไม่ถูกต้อง กรุณาลองอีกครั้ง"]


def test_a_strong_password_is_changed_and_the_officer_stays_signed_in(client, officers):
    client.force_login(officers["owner"])
    response = change(client, STRONG)
    assert response.status_code == 302 and response["Location"] == "/accounts/password/done/"
    assert "เปลี่ยนรหัสผ่านแล้ว" in client.get("/accounts/password/done/").content.decode()
    assert client.get("/district/5701/").status_code == 200
    client.logout()
    assert sign_in(client, password=PASSWORD).status_code == 200  # the old one fails
    assert sign_in(client, password=STRONG).status_code == 302


@pytest.fixture
def admin_client(client, geography):
    admin = User.objects.create_superuser("admin", "admin@example.org", PASSWORD)
    client.force_login(admin)
    return client


def test_the_admin_refuses_a_weak_password_for_a_new_user(admin_client):
    response = admin_client.post(
        "/admin/auth/user/add/",
        {
            "username": "newofficer",
            "usable_password": "true",
            "password1": "12345678",
            "password2": "12345678",
            "officer-TOTAL_FORMS": "0",
            "officer-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert TOO_COMMON in html and NUMERIC in html
    assert not User.objects.filter(username="newofficer").exists()


def test_the_admin_refuses_a_weak_password_when_setting_one(admin_client, officers):
    user = officers["owner"]
    response = admin_client.post(
        f"/admin/auth/user/{user.pk}/password/",
        {"usable_password": "true", "password1": "password", "password2": "password"},
    )
    assert response.status_code == 200
    assert TOO_COMMON in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


# --- headers -----------------------------------------------------------------------------


def test_every_response_carries_the_security_headers(client, officers):
    client.force_login(officers["owner"])
    for url in ("/accounts/login/", "/district/5701/", "/sales/5701/2570/1/", "/no-such-page/"):
        response = client.get(url)
        assert response["X-Content-Type-Options"] == "nosniff", url
        assert response["X-Frame-Options"] == "DENY", url
        assert response["Referrer-Policy"] == "same-origin", url
        assert response["Cross-Origin-Opener-Policy"] == "same-origin", url


def test_every_response_carries_a_strict_content_security_policy(client, officers):
    client.force_login(officers["owner"])
    for url in ("/accounts/login/", "/district/5701/", "/static/js/page.js", "/no-such-page/"):
        policy = client.get(url)["Content-Security-Policy"]
        directives = dict(d.split(" ", 1) for d in policy.split("; "))
        assert directives["default-src"] == "'self'", url
        assert directives["script-src"] == "'self'", url  # no inline script, no other host
        assert directives["frame-ancestors"] == "'none'", url
        assert directives["object-src"] == "'none'", url
        assert directives["form-action"] == "'self'", url


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\b(src|type=\"application/json\")\b)[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=|javascript:", re.I)


def test_no_template_has_inline_script_the_policy_would_block():
    found = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for pattern in (INLINE_SCRIPT, INLINE_HANDLER):
            name = path.relative_to(TEMPLATES)
            found += [f"{name}: {match.group(0)}" for match in pattern.finditer(text)]
    assert not found


def test_https_responses_carry_hsts_under_production_settings(client, db):
    response = client.get("/accounts/login/", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_officer_changes_the_password_in_a_browser(page, live_server, officers, screenshot_dir):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("ชื่อผู้ใช้").fill("d5701")
    page.get_by_label("รหัสผ่าน").fill(PASSWORD)
    page.get_by_role("button", name="เข้าสู่ระบบ").click()
    page.get_by_role("link", name="เปลี่ยนรหัสผ่าน").click()
    expect(page.get_by_role("heading", level=1, name="เปลี่ยนรหัสผ่าน")).to_be_visible()

    page.locator("#id_old_password").fill(PASSWORD)
    page.locator("#id_new_password1").fill("12345678")
    page.locator("#id_new_password2").fill("12345678")
    page.get_by_role("button", name="บันทึกรหัสผ่านใหม่").click()
    expect(page.get_by_text(TOO_COMMON)).to_be_visible()
    expect(page.get_by_text(NUMERIC)).to_be_visible()
    page.screenshot(path=screenshot_dir / "password-change-refused.png", full_page=True)

    page.locator("#id_old_password").fill(PASSWORD)
    page.locator("#id_new_password1").fill(STRONG)
    page.locator("#id_new_password2").fill(STRONG)
    page.get_by_role("button", name="บันทึกรหัสผ่านใหม่").click()
    expect(page.get_by_role("heading", level=1, name="เปลี่ยนรหัสผ่านแล้ว")).to_be_visible()
    page.screenshot(path=screenshot_dir / "password-change-done.png", full_page=True)


BROWSED = {
    # who, the pages they open: every kind of page, with the scripts each one loads
    "d5701": [
        "/district/5701/",
        "/sales/5701/2570/11/",
        "/sales/5701/2570/11/import/",
        "/sales/5701/2570/estimate/",
        "/confirm/district/5701/2570/11/",
        "/reports/rt1/5701/2570/11/",
        "/reports/rt3/5701/2570/11/",
        "/reports/estimate/5701/2570/",
        "/accounts/password/",
    ],
    "p57": [
        "/province/57/",
        "/confirm/province/5701/2570/11/",
        "/confirm/completeness/2570/11/57/",
        "/sales/exports/57/2570/11/",
        "/reports/exports/57/2570/11/",
        "/reports/rt4/57/2570/",
        "/reports/kpi/2570/",
    ],
    "cdd": ["/nation/", "/calendar/exceptions/", "/confirm/completeness/2570/11/"],
}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_no_page_breaks_the_content_security_policy(page, live_server, officers, monkeypatch):
    monkeypatch.setattr(
        timezone, "now", lambda: datetime.datetime(2026, 11, 20, 10, 0, tzinfo=BANGKOK)
    )
    errors = []
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    for username, paths in BROWSED.items():
        page.context.clear_cookies()
        browser_sign_in(page, live_server, username)
        for path in paths:
            response = page.goto(live_server.url + path)
            assert response.status == 200, path
            page.wait_for_load_state("load")
            assert not errors, f"{path}: {errors}"

    # The scripts moved out of the templates still work: the year picker submits itself,
    # and the exceptions form says the chosen day in B.E.
    page.goto(live_server.url + "/calendar/exceptions/")
    page.locator("#id_open_until_date").click()
    page.keyboard.type("01/12/2569")
    expect(page.get_by_text("วันที่ 1 ธันวาคม 2569")).to_be_visible()
    page.context.clear_cookies()
    browser_sign_in(page, live_server, "d5701")
    page.goto(live_server.url + "/district/5701/")
    page.locator("select#fy").select_option("2569")
    expect(page).to_have_url(re.compile(r"fy=2569"))
    assert not errors
