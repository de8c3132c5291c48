"""The bell, the notification list and the settings page in a real Chromium, used as an
officer does: clicks and keys at 1366x768, taps on a 390x844 touch screen."""

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from confirmations import services as confirmations
from notifications import events
from notifications.models import Contact, Kind, Notification
from otopdoc.fiscal import FiscalMonth
from sales.models import MonthlySale
from sales.services import month_revision, save_month
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LINE_USER = "U4af4980629" + "0" * 22


def queue(officers, geography):
    """A reminder from yesterday, and a real send-back of this month's rows (newest)."""
    district = geography["mueang_cr"]
    this_month = FiscalMonth.current()
    events.emit(
        Kind.REMINDER,
        "b1",
        "เตือน: ยืนยันข้อมูลเดือนพฤศจิกายน 2569 ภายในวันที่ 5 ธันวาคม 2569 เวลา 23:59 น.",
        "อำเภอเมืองเชียงราย: ข้อมูลยอดจำหน่ายเดือนพฤศจิกายน 2569 ยังไม่มีการบันทึกข้อมูล "
        "กำหนดยืนยันวันที่ 5 ธันวาคม 2569 เวลา 23:59 น. (เหลืออีก 3 วัน)",
        "/district/5701/",
        district=district,
        at=timezone.now() - datetime.timedelta(days=1),
    )
    save_month(
        district,
        this_month,
        officers["owner"],
        month_revision(district, this_month),
        rows=[
            {
                "id": None,
                "name": name,
                "product_type": kind,
                "producer_type": "group",
                "domestic": Decimal("1500.00"),
                "export": Decimal("0"),
            }
            for name, kind in (
                ("กลุ่มทอผ้าบ้านดู่", "textile"),
                ("กลุ่มน้ำพริกแม่ศรี", "food"),
                ("กลุ่มจักสานดอยฮาง", "household"),
            )
        ],
        deleted_ids=[],
    )
    rows = list(MonthlySale.objects.for_month(district, this_month).order_by("pk"))
    shown = {r.pk: r.version for r in rows}
    confirmations.confirm_district(district, this_month, officers["owner"], shown, set(shown))
    rows = list(MonthlySale.objects.for_month(district, this_month).order_by("pk"))
    confirmations.send_back(
        district,
        this_month,
        officers["province"],
        {r.pk: r.version for r in rows},
        {rows[0].pk},
        "ยอดไม่ตรงกับใบเสร็จ",
    )


def sign_in(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("ชื่อผู้ใช้").click()
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")


def test_an_officer_reads_notices_and_sets_email_and_line(
    page, browser, live_server, officers, geography, screenshot_dir
):
    queue(officers, geography)
    page.set_viewport_size({"width": 1366, "height": 768})
    sign_in(page, live_server, "d5701")
    bell = page.locator("#nav-bell")
    expect(bell).to_have_attribute("aria-label", "การแจ้งเตือน ยังไม่อ่าน 2 รายการ")
    expect(page.locator("#nav-bell-count")).to_have_text("2")
    page.screenshot(path=screenshot_dir / "notifications-bell.png")

    bell.click()
    expect(page.get_by_role("heading", level=1, name="การแจ้งเตือน")).to_be_visible()
    items = page.locator(".notification-item")
    expect(items).to_have_count(2)
    expect(items.first).to_contain_text("รายการถูกส่งกลับให้แก้ไข 1 รายการ")  # newest first
    expect(items.first).to_contain_text("เหตุผล: ยอดไม่ตรงกับใบเสร็จ")
    page.screenshot(path=screenshot_dir / "notifications-list.png", full_page=True)

    items.nth(1).get_by_role("button", name="อ่านแล้ว").click()
    expect(page.locator("#nav-bell-count")).to_have_text("1")
    # The send-back notice opens the month's entry page with only the returned row shown.
    items.first.get_by_role("button", name="เปิดหน้าที่เกี่ยวข้อง").click()
    expect(page).to_have_url(re.compile(r"/sales/5701/\d+/\d+/\?filter=returned$"))
    expect(page.locator("#returned-filter")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("tr[data-row]:visible")).to_have_count(1)
    expect(page.locator("tr[data-row]:visible")).to_contain_text("ยอดไม่ตรงกับใบเสร็จ")
    expect(page.locator("#nav-bell-count")).to_have_count(0)
    page.screenshot(path=screenshot_dir / "notifications-sent-back-link.png", full_page=True)

    # Settings: a wrong e-mail and LINE ID are refused by their fields, in Thai, kept.
    page.goto(f"{live_server.url}/notifications/settings/")
    page.get_by_label("อีเมล").click()
    page.keyboard.type("somchai@cdd")
    page.keyboard.press("Tab")
    page.keyboard.type("@somchai")
    page.get_by_label("รายการที่จังหวัดส่งกลับให้แก้ไข").click()  # untick one kind
    page.get_by_role("button", name="บันทึก").click()
    expect(page.get_by_text("รูปแบบอีเมลไม่ถูกต้อง เช่น somchai@cdd.go.th")).to_be_visible()
    expect(page.get_by_text(re.compile("^LINE ID ไม่ถูกต้อง"))).to_be_visible()
    expect(page.get_by_label("อีเมล")).to_have_value("somchai@cdd")
    expect(page.get_by_label("รายการที่จังหวัดส่งกลับให้แก้ไข")).not_to_be_checked()
    page.screenshot(path=screenshot_dir / "notifications-settings-errors.png", full_page=True)
    assert not Contact.objects.exists()

    page.get_by_label("อีเมล").click()
    page.keyboard.press("End")
    page.keyboard.type(".go.th")
    page.get_by_label("LINE user ID หรือ group ID").click()
    page.keyboard.press("Control+A")
    page.keyboard.type(LINE_USER)
    page.keyboard.press("Enter")
    expect(page.get_by_text("บันทึกช่องทางรับการแจ้งเตือนของฉันแล้ว")).to_be_visible()
    contact = Contact.objects.get(user__username="d5701")
    assert (contact.email, contact.line_id) == ("somchai@cdd.go.th", LINE_USER)
    assert contact.wants(Kind.REMINDER) and not contact.wants(Kind.SENT_BACK)
    page.screenshot(path=screenshot_dir / "notifications-settings-saved.png", full_page=True)

    # A phone: the count shows on the menu button; a tap on the menu, then on the bell.
    Notification.objects.update(read_at=None)
    phone = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True)
    try:
        mobile = phone.new_page()
        sign_in(mobile, live_server, "d5701")
        expect(mobile.locator("#nav-menu-count")).to_have_text("2")
        toggler = mobile.locator(".navbar-toggler")
        expect(toggler).to_have_attribute("aria-label", "เมนู (การแจ้งเตือนยังไม่อ่าน 2 รายการ)")
        box = toggler.bounding_box()
        assert box["y"] < 30, "the menu button wrapped to a second line"
        mobile.screenshot(path=screenshot_dir / "notifications-bell-mobile.png")
        toggler.tap()
        mobile.locator("#nav-bell-menu").tap()
        expect(mobile.locator(".notification-item")).to_have_count(2)
        width = mobile.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the list is {width}px wide on a 390px phone"
        mobile.screenshot(path=screenshot_dir / "notifications-list-mobile.png", full_page=True)
        mobile.goto(f"{live_server.url}/notifications/settings/")
        mobile.screenshot(path=screenshot_dir / "notifications-settings-mobile.png", full_page=True)
    finally:
        phone.close()


def test_the_department_sets_an_offices_line_group(
    page, live_server, officers, geography, screenshot_dir
):
    page.set_viewport_size({"width": 1366, "height": 768})
    sign_in(page, live_server, "cdd")
    page.locator("#nav-bell").click()
    page.get_by_role("link", name="ตั้งค่าอีเมลและ LINE").click()
    expect(page.get_by_label("สรุปความครบถ้วนประจำสัปดาห์")).to_be_checked()
    page.get_by_role("link", name="ตั้งค่าช่องทางของสำนักงานอำเภอหรือจังหวัด").click()

    code = page.get_by_label("รหัสอำเภอ (4 หลัก) หรือรหัสจังหวัด (2 หลัก)")
    code.click()
    page.keyboard.type("99")
    page.keyboard.press("Enter")
    expect(page.get_by_text("ไม่พบรหัสนี้")).to_be_visible()
    expect(code).to_have_value("99")
    page.screenshot(path=screenshot_dir / "notifications-offices-error.png", full_page=True)

    code.click()
    page.keyboard.press("Control+A")
    page.keyboard.type("57")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("ตั้งค่าการแจ้งเตือนจังหวัดเชียงราย")
    page.get_by_label("LINE user ID หรือ group ID").click()
    page.keyboard.type("C" + "4" * 32)
    page.get_by_role("button", name="บันทึก").click()
    expect(page.get_by_text("บันทึกช่องทางรับการแจ้งเตือนจังหวัดเชียงรายแล้ว")).to_be_visible()
    assert Contact.objects.get(province="57").line_id == "C" + "4" * 32
    page.get_by_role("link", name="กลับไปรายการสำนักงาน").click()
    expect(page.get_by_role("cell", name="C" + "4" * 32)).to_be_visible()
    page.screenshot(path=screenshot_dir / "notifications-offices.png", full_page=True)
