"""The Thai shell in a real Chromium: sign in as every role, sign out, and a wrong password.

Each test saves full-page screenshots into test-artifacts/screenshots so that a person can
look at the pages as an officer sees them. Every page must come from the project itself:
the offices' networks are slow or closed, so no font or stylesheet may come from a CDN.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WRONG_PASSWORD_MESSAGE = "ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง"
MOBILE = {"width": 390, "height": 844}

HOMES = [
    # user name, home path, a heading the officer must see, screenshot name
    ("d5701", "/district/5701/", "ยอดจำหน่ายผลิตภัณฑ์ OTOP อำเภอเมืองเชียงราย", "district"),
    ("p57", "/province/57/", "จังหวัดเชียงราย: ความคืบหน้ารายอำเภอ", "province"),
    ("cdd", "/nation/", "ภาพรวมประเทศ: ยอดจำหน่ายที่จังหวัดยืนยันแล้ว", "nation"),
]
HOME_IDS = [name for *_, name in HOMES]


@pytest.fixture
def requests_seen(page):
    """Record the URL of every request the page makes, in order."""
    seen = []
    page.on("request", lambda request: seen.append(request.url))
    return seen


def sign_in(page, live_server, username, password=PASSWORD):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("ชื่อผู้ใช้").fill(username)
    page.get_by_label("รหัสผ่าน").fill(password)
    page.get_by_role("button", name="เข้าสู่ระบบ").click()


def assert_only_from(live_server, urls):
    """Fail on any request to another host; inline data: images are not requests to a host."""
    foreign = [url for url in urls if not url.startswith(("data:", live_server.url))]
    assert not foreign, f"requests to other hosts: {foreign}"


def assert_sarabun(page):
    """Check the body asks for Sarabun first and the Thai face really loaded."""
    family = page.evaluate("getComputedStyle(document.body).fontFamily")
    assert family.startswith('"Sarabun"') or family.startswith("Sarabun"), family
    page.evaluate("document.fonts.ready")
    assert page.evaluate("document.fonts.check('16px Sarabun', 'ยอดจำหน่าย')")
    loaded = page.evaluate(
        "[...document.fonts].filter(f => f.family.replace(/\"/g, '') === 'Sarabun'"
        " && f.status === 'loaded').length"
    )
    assert loaded >= 1


@pytest.mark.parametrize(("username", "path", "heading", "name"), HOMES, ids=HOME_IDS)
def test_it_signs_each_role_in_to_its_home(
    page, live_server, officers, screenshot_dir, requests_seen, username, path, heading, name
):
    sign_in(page, live_server, username)

    expect(page).to_have_url(f"{live_server.url}{path}")
    expect(page.get_by_role("heading", level=1, name=heading)).to_be_visible()
    expect(page.get_by_role("button", name="ออกจากระบบ")).to_be_visible()
    assert_sarabun(page)
    assert_only_from(live_server, requests_seen)
    page.screenshot(path=screenshot_dir / f"home-{name}.png", full_page=True)

    page.set_viewport_size(MOBILE)
    expect(page.get_by_role("heading", level=1, name=heading)).to_be_visible()
    page.screenshot(path=screenshot_dir / f"home-{name}-mobile.png", full_page=True)


def test_it_shows_the_thai_message_for_a_wrong_password(
    page, live_server, officers, screenshot_dir, requests_seen
):
    sign_in(page, live_server, "d5701", "not-the-password")

    expect(page).to_have_url(f"{live_server.url}/accounts/login/")
    expect(page.get_by_text(WRONG_PASSWORD_MESSAGE)).to_be_visible()
    expect(page.get_by_role("heading", level=1, name="เข้าสู่ระบบ")).to_be_visible()
    assert_sarabun(page)
    assert_only_from(live_server, requests_seen)
    page.screenshot(path=screenshot_dir / "login-wrong-password.png", full_page=True)

    page.set_viewport_size(MOBILE)
    page.screenshot(path=screenshot_dir / "login-wrong-password-mobile.png", full_page=True)


def test_it_signs_out_with_the_post_button(page, live_server, officers, screenshot_dir):
    sign_in(page, live_server, "d5701")
    expect(page).to_have_url(f"{live_server.url}/district/5701/")

    page.get_by_role("button", name="ออกจากระบบ").click()

    expect(page).to_have_url(f"{live_server.url}/accounts/login/")
    expect(page.get_by_role("button", name="ออกจากระบบ")).to_have_count(0)
    page.goto(f"{live_server.url}/district/5701/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/district/5701/$"))
    page.screenshot(path=screenshot_dir / "login-after-sign-out.png", full_page=True)


def test_it_serves_its_own_static_files(page, live_server, requests_seen):
    responses = {}
    page.on("response", lambda response: responses.setdefault(response.url, response.status))

    page.goto(f"{live_server.url}/accounts/login/")
    page.evaluate("document.fonts.ready")

    static = f"{live_server.url}/static/"
    for asset in (
        "vendor/bootstrap/bootstrap.min.css",
        "vendor/bootstrap-icons/bootstrap-icons.min.css",
        "css/app.css",
        "vendor/bootstrap/bootstrap.bundle.min.js",
        "vendor/sarabun/sarabun-thai-400-normal.woff2",
    ):
        assert responses.get(static + asset) == 200, (asset, responses)
    assert page.evaluate("getComputedStyle(document.body).display") == "flex"  # Bootstrap's .d-flex
    failed = {url: status for url, status in responses.items() if status >= 400}
    assert not failed, f"failed requests: {failed}"
    assert_only_from(live_server, requests_seen)
