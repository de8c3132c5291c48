"""A district officer's month on a phone (390 x 844, touch): enter, confirm, read a report.

Everything is done by tapping and typing, as on a phone: the officer taps "add", taps each
field and types, taps save; taps the batch's tick-all box and save; opens the menu and taps a
report. On every page the fields being filled sit inside the screen (no sideways scrolling),
every control is at least 24 x 24 px (WCAG 2.2 target size), and axe-core finds nothing.
A tablet (768 x 1024) gets the same checks on the entry grid. Screenshots: phone-*.png.
"""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from otopdoc.fiscal import BANGKOK
from tests.conftest import PASSWORD
from tests.test_axe import describe, run_axe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OPEN_DAY = datetime.datetime(2026, 11, 20, 10, 0, tzinfo=BANGKOK)  # 20 November 2569
PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True}
TABLET = {"viewport": {"width": 768, "height": 1024}, "has_touch": True, "is_mobile": True}
ENTRY = "/sales/5701/2570/11/"
SAVED = "บันทึกข้อมูลสมบูรณ์"
CONTROLS = "button, select, input:not([type=hidden]), textarea, .btn"


def tap_and_type(page, locator, text):
    locator.tap()
    page.keyboard.press("Control+a")
    page.keyboard.type(text)


def assert_fits(page, locator, what):
    """Check the element lies inside the screen's width: reachable without sideways scroll."""
    box = locator.bounding_box()
    width = page.viewport_size["width"]
    assert box is not None, f"{what} is not shown"
    assert box["x"] >= 0 and box["x"] + box["width"] <= width + 0.5, (what, box, width)


def assert_no_sideways_scroll(page):
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page scrolls {overflow}px sideways at {page.url}"


def small_targets(page):
    """Return the visible controls smaller than 24 x 24 px (WCAG 2.5.8)."""
    return page.evaluate(
        """selector => [...document.querySelectorAll(selector)]
          .filter(e => e.offsetParent !== null && e.type !== 'hidden')
          .map(e => [e, e.getBoundingClientRect()])
          .filter(([e, r]) => r.width > 0 && (r.width < 24 || r.height < 24))
          .map(([e, r]) => e.outerHTML.slice(0, 90) + ' ' + Math.round(r.width)
               + 'x' + Math.round(r.height))""",
        CONTROLS,
    )


def check_page(page, screenshot_dir, name):
    """The checks every phone page gets: axe, no sideways scroll, target sizes, a screenshot."""
    page.screenshot(path=screenshot_dir / f"phone-{name}.png", full_page=True)
    violations = run_axe(page)
    assert not violations, describe(violations, page.url)
    assert not small_targets(page), small_targets(page)


@pytest.fixture
def phone(new_context, live_server, officers, monkeypatch):
    """A phone signed in as the district officer of 5701, on an open day of November 2569."""
    monkeypatch.setattr(timezone, "now", lambda: OPEN_DAY)
    page = new_context(**PHONE).new_page()
    page.goto(live_server.url + "/accounts/login/")
    tap_and_type(page, page.get_by_label("ชื่อผู้ใช้"), "d5701")
    tap_and_type(page, page.get_by_label("รหัสผ่าน"), PASSWORD)
    page.get_by_role("button", name="เข้าสู่ระบบ").tap()
    expect(page).to_have_url(f"{live_server.url}/district/5701/")
    return page


def test_a_district_enters_confirms_and_reads_a_month_on_a_phone(
    phone, live_server, screenshot_dir
):
    page = phone
    assert_no_sideways_scroll(page)
    check_page(page, screenshot_dir, "01-home")

    # 1. Enter two producers by tapping and typing.
    page.goto(live_server.url + ENTRY)
    picker = page.locator("#goto-month")
    assert picker.bounding_box()["width"] >= 140, "the month picker is too narrow to read"
    rows = page.locator("#rows tr[data-row]")
    for i, (name, domestic, export) in enumerate(
        [("กลุ่มแม่บ้านบ้านดู่", "1234.5", "100"), ("ร้านผ้าไหมแม่บุญ", "20,000", "0")]
    ):
        page.locator("#add-row").tap()
        row = rows.nth(i)
        tap_and_type(page, row.locator("input[data-name]"), name)
        row.locator("select[name$='-product_type']").select_option(label="อาหาร")
        row.locator("select[name$='-producer_type']").select_option(label="กลุ่มผู้ผลิตชุมชน")
        for field, value in (("domestic", domestic), ("export", export)):
            amount = row.locator(f"input[name$='-{field}']")
            tap_and_type(page, amount, value)
            assert_fits(page, amount, f"row {i + 1}'s {field} amount")
        for what in ("input[data-name]", "select[name$='-product_type']"):
            assert_fits(page, row.locator(what), f"row {i + 1}'s {what}")
    assert_no_sideways_scroll(page)
    save = page.locator("#save")
    assert_fits(page, save, "the save button")
    assert save.bounding_box()["y"] + save.bounding_box()["height"] <= 844, "save is off screen"
    check_page(page, screenshot_dir, "02-entry-filled")
    save.tap()
    expect(page.get_by_role("alert").filter(has_text=SAVED)).to_be_visible()
    expect(page.locator("#sum-total")).to_contain_text("21,334.50")
    assert_no_sideways_scroll(page)
    check_page(page, screenshot_dir, "03-entry-saved")

    # 2. Confirm the batch: tick all, save.
    page.locator("#confirm-link").tap()
    expect(page.get_by_role("heading", level=1)).to_contain_text("ระดับอำเภอ")
    assert_no_sideways_scroll(page)
    tick_all = page.get_by_role("checkbox", name="เลือกทั้งชุด (ระดับอำเภอ)")
    ticks = page.locator("input[data-check='tick']")
    if tick_all.is_visible():
        tick_all.tap()
    else:  # the header is hidden on a card layout: tick each row's box
        for i in range(ticks.count()):
            ticks.nth(i).tap()
    for i in range(ticks.count()):
        expect(ticks.nth(i)).to_be_checked()
        assert_fits(page, ticks.nth(i), f"tick {i + 1}")
    check_page(page, screenshot_dir, "04-confirm-ticked")
    page.locator("#save").tap()
    expect(page.get_by_role("alert")).to_contain_text("ยืนยัน 2 รายการ")
    check_page(page, screenshot_dir, "05-confirmed")

    # 3. Open RT.1 from the menu; the table scrolls sideways, the names stay in view.
    page.locator(".navbar-toggler").tap()
    page.get_by_role("button", name="รายงาน").or_(page.get_by_role("link", name="รายงาน")).tap()
    page.get_by_role("link", name="รต.1").first.tap()
    expect(page.get_by_role("heading", level=1)).to_contain_text("รต.1")
    name = page.locator("table tbody td").filter(has_text="กลุ่มแม่บ้านบ้านดู่").first
    expect(name).to_be_visible()
    box = page.locator(".table-responsive").filter(has=name)
    assert box.evaluate("b => b.scrollWidth > b.clientWidth"), "RT.1 fits: nothing to check"
    expect(box).to_have_attribute("tabindex", "0")  # the keyboard can scroll it too
    box.evaluate("b => { b.scrollLeft = b.scrollWidth; }")
    held = name.bounding_box()
    assert held["x"] >= 0 and held["x"] + held["width"] <= 390, f"the name left view: {held}"
    check_page(page, screenshot_dir, "06-report-scrolled")
    assert_no_sideways_scroll(page)


def test_the_entry_grid_fits_a_tablet(
    new_context, live_server, officers, monkeypatch, screenshot_dir
):
    monkeypatch.setattr(timezone, "now", lambda: OPEN_DAY)
    page = new_context(**TABLET).new_page()
    page.goto(live_server.url + "/accounts/login/")
    tap_and_type(page, page.get_by_label("ชื่อผู้ใช้"), "d5701")
    tap_and_type(page, page.get_by_label("รหัสผ่าน"), PASSWORD)
    page.get_by_role("button", name="เข้าสู่ระบบ").tap()
    expect(page).to_have_url(f"{live_server.url}/district/5701/")
    page.goto(live_server.url + ENTRY)
    page.locator("#add-row").tap()
    row = page.locator("#rows tr[data-row]").first
    for what in ("input[data-name]", "input[name$='-domestic']", "input[name$='-export']"):
        assert_fits(page, row.locator(what), what)
    assert_no_sideways_scroll(page)
    assert not small_targets(page), small_targets(page)
    page.screenshot(path=screenshot_dir / "tablet-entry.png", full_page=True)


def sign_in_by_keyboard(page, live_server, username):
    """Sign in with Tab, typing and Enter only."""
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("ชื่อผู้ใช้").focus()
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/(district|province|nation)/"))


def focused(page):
    return page.evaluate(
        "(() => { const e = document.activeElement; const s = getComputedStyle(e);"
        " return {tag: e.tagName, id: e.id, cls: e.className, outline: s.outlineStyle,"
        " width: parseFloat(s.outlineWidth), shadow: s.boxShadow}; })()"
    )


def test_the_keyboard_reaches_every_control_with_a_visible_focus_and_no_trap(
    new_context, live_server, officers, monkeypatch
):
    """Tab through the entry page: each stop shows its focus, and Tab leaves the page's end.

    Then at 200 % zoom (1366 x 768 seen as 683 x 384 CSS px) the entry page still fits its
    width, and RT.4's wide table is a Tab stop that the arrow keys scroll.
    """
    monkeypatch.setattr(timezone, "now", lambda: OPEN_DAY)
    page = new_context(viewport={"width": 1366, "height": 768}).new_page()
    sign_in_by_keyboard(page, live_server, "d5701")
    page.goto(live_server.url + ENTRY)
    page.locator("#add-row").focus()
    page.keyboard.press("Enter")  # a row by keyboard
    expect(page.locator("#rows tr[data-row] input[data-name]").first).to_be_visible()
    page.locator("body").focus()
    seen, ends = [], 0
    for _ in range(80):  # from the new row to the page's end, then around from the top
        page.keyboard.press("Tab")
        now = focused(page)
        if now["tag"] == "BODY":
            ends += 1
            if ends == 2:
                break
            continue
        visible = (now["outline"] != "none" and now["width"] >= 2) or now["shadow"] != "none"
        assert visible, f"no visible focus on {now}"
        seen.append((now["tag"], now["id"], now["cls"]))
    ids = {item[1] for item in seen}
    assert {"add-row", "save", "goto-month"} <= ids, ids
    assert ends == 2 or len(set(seen)) > 20, "Tab stopped moving: a trap"

    page.set_viewport_size({"width": 683, "height": 384})  # 200 % zoom of 1366 x 768
    assert_no_sideways_scroll(page)
    assert_fits(page, page.locator("#rows input[data-amount]").first, "an amount at 200 %")

    page.context.clear_cookies()
    sign_in_by_keyboard(page, live_server, "p57")
    page.set_viewport_size({"width": 1024, "height": 768})
    page.goto(live_server.url + "/reports/rt4/57/2570/")
    region = page.locator(".rt4-scroll")
    for _ in range(40):
        page.keyboard.press("Tab")
        if region.evaluate("r => r === document.activeElement"):
            break
    else:
        raise AssertionError("Tab never reached RT.4's scroll box")
    assert region.get_attribute("aria-label")
    if region.evaluate("r => r.scrollWidth > r.clientWidth"):
        page.keyboard.press("ArrowRight")
        page.keyboard.press("ArrowRight")
        expect(region).not_to_have_js_property("scrollLeft", 0)
