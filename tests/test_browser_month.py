"""Issue 10 points 8 and 11 in a real Chromium, as officers work: B.E. dates typed on the
exception screen, the district seeing its month open by exception, a withdrawal; and the
confirmation page's sticky headers, next batch and leave warning.

Each test visits its pages once and checks several things per visit; screenshots land in
test-artifacts/screenshots/month-*.png at 1366x768.
"""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from otopdoc.fiscal import BANGKOK
from reports.models import Target
from sales.models import LockException
from tests.test_browser_shell import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# 20 November 2569, 10:00 Bangkok: October 2569 (FY 2570) closed on 5 November.
NOW = datetime.datetime(2026, 11, 20, 10, 0, tzinfo=BANGKOK)
DESKTOP = {"width": 1366, "height": 768}


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)


def shot(page, screenshot_dir, name, full_page=False):
    page.screenshot(path=screenshot_dir / f"month-{name}.png", full_page=full_page)


def type_into(page, selector, text):
    """Click a box, clear it with the keyboard and type, as an officer does."""
    page.locator(selector).click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Backspace")
    page.keyboard.type(text)


def test_the_department_types_be_dates_and_the_district_sees_its_exception(
    new_context, live_server, officers, screenshot_dir
):
    department = new_context(viewport=DESKTOP).new_page()
    sign_in(department, live_server, "cdd")
    department.goto(live_server.url + "/calendar/exceptions/")
    # No browser date picker in the C.E. year: a text box that says what it wants.
    date_box = department.locator("#id_open_until_date")
    assert date_box.get_attribute("type") == "text"
    assert date_box.get_attribute("placeholder") == "วว/ดด/ปปปป"

    type_into(department, "#id_district", "5701")
    department.keyboard.press("Tab")
    type_into(department, "#id_fiscal_year", "2570")
    department.locator("#id_month").select_option(label="ตุลาคม")
    # 12/05/2570 is 12 May 2570: the page says so in words, and the server refuses it
    # as further than 90 days away (not a year in 3113).
    type_into(department, "#id_open_until_date", "12/05/2570")
    expect(department.locator("#open-until-words")).to_have_text("วันที่ 12 พฤษภาคม 2570")
    type_into(department, "#id_reason", "ผู้ผลิตส่งยอดล่าช้าเพราะน้ำท่วม")
    department.keyboard.press("Enter")  # a new line in the reason box, not a submit
    department.get_by_role("button", name="เปิดระบบ").click()
    expect(department.get_by_text("เปิดเป็นกรณีพิเศษได้ไม่เกิน 90 วันนับจากวันนี้")).to_be_visible()
    # What was typed is still there.
    expect(department.locator("#id_open_until_date")).to_have_value("12/05/2570")
    expect(department.locator("#id_district")).to_have_value("5701")
    shot(department, screenshot_dir, "exception-bound")
    assert not LockException.objects.exists()

    # A day February does not have, and a C.E. year: refused by the field in Thai.
    type_into(department, "#id_open_until_date", "30/02/2570")
    expect(department.locator("#open-until-words")).to_have_text("")
    department.get_by_role("button", name="เปิดระบบ").click()
    expect(department.get_by_text("ไม่มีวันที่ 30 กุมภาพันธ์ 2570")).to_be_visible()
    type_into(department, "#id_open_until_date", "15/12/2026")
    department.get_by_role("button", name="เปิดระบบ").click()
    expect(department.get_by_text("ปี 2026 ไม่ใช่ปี พ.ศ. ที่ใช้ได้")).to_be_visible()
    assert not LockException.objects.exists()

    # 15/12/2569 at 16.30 น. is granted as typed.
    type_into(department, "#id_open_until_date", "15/12/2569")
    type_into(department, "#id_open_until_time", "16.30")
    department.get_by_role("button", name="เปิดระบบ").click()
    expect(department.get_by_text("ได้ถึงวันที่ 15 ธันวาคม 2569 16:30 น. แล้ว")).to_be_visible()
    granted = LockException.objects.get()
    assert granted.open_until == datetime.datetime(2026, 12, 15, 16, 30, tzinfo=BANGKOK)
    shot(department, screenshot_dir, "exception-granted", full_page=True)

    # The district sees until when, on its entry page and its home, not "พ้นกำหนดแล้ว".
    district = new_context(viewport=DESKTOP).new_page()
    sign_in(district, live_server, "d5701")
    district.goto(live_server.url + "/sales/5701/2570/10/")
    badge = district.locator("#exception-badge")
    expect(badge).to_have_text("เปิดเป็นกรณีพิเศษถึง 15 ธันวาคม 2569 16:30 น.")
    expect(district.get_by_text("พ้นกำหนดแล้ว")).to_have_count(0)
    shot(district, screenshot_dir, "exception-entry")
    district.goto(live_server.url + "/district/5701/?fy=2570")
    expect(district.locator("[data-exception]")).to_have_text(
        "เปิดเป็นกรณีพิเศษถึง 15 ธ.ค. 2569 16:30 น."
    )
    shot(district, screenshot_dir, "exception-home")

    # The department withdraws it; the browser asks first.
    department.once("dialog", lambda dialog: dialog.accept())
    department.get_by_role("button", name="ยกเลิกการเปิดระบบให้อำเภอเมืองเชียงราย").click()
    expect(department.get_by_text("ยกเลิกแล้ว", exact=True)).to_be_visible()
    granted.refresh_from_db()
    assert granted.withdrawn_by == officers["department"]
    shot(department, screenshot_dir, "exception-withdrawn", full_page=True)
    district.goto(live_server.url + "/sales/5701/2570/10/")
    expect(district.get_by_text("พ้นกำหนดแล้ว")).to_be_visible()
    expect(district.locator("#exception-badge")).to_have_count(0)


def test_the_confirmation_page_keeps_its_headers_offers_the_next_batch_and_guards_ticks(
    new_context, live_server, officers, geography, screenshot_dir
):
    from tests.test_confirm_district import make_rows

    rows = make_rows(geography["mueang_cr"], 130, month=11)
    page = new_context(viewport=DESKTOP).new_page()
    sign_in(page, live_server, "d5701")
    page.goto(live_server.url + "/confirm/district/5701/2570/11/")
    expect(page.locator("#batch-note")).to_have_text("แสดงแถวที่ 1-100 จากทั้งหมด 130 รายการ")

    # Scroll the batch with the mouse wheel: the two header rows stay where they were.
    header = page.locator("#confirm-table thead tr").first
    top_before = header.bounding_box()["y"]
    first_row = page.locator("#confirm-table tbody tr").first
    row_before = first_row.bounding_box()["y"]
    page.locator("#confirm-table tbody tr").nth(5).hover()
    page.mouse.wheel(0, 1500)
    expect(page.locator("#confirm-table tbody tr").nth(28)).to_be_in_viewport()
    assert first_row.bounding_box()["y"] < row_before - 1000  # the rows moved up (57 px each)
    assert abs(header.bounding_box()["y"] - top_before) < 2  # the headers did not
    expect(page.get_by_role("columnheader", name="ในประเทศ")).to_be_in_viewport()
    expect(page.locator("#sum-total")).to_be_in_viewport()  # the batch's totals too
    shot(page, screenshot_dir, "confirm-scrolled")

    # Tick a row, then try to leave: the browser asks first; staying keeps the tick.
    tick = page.locator("#confirm-table tbody tr").nth(28).locator("input[data-check='tick']")
    tick.click()
    expect(tick).to_be_checked()
    dialogs = []

    def stay(dialog):
        dialogs.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", stay)
    page.get_by_role("link", name="หน้าบันทึกยอดจำหน่าย").click(no_wait_after=True)
    page.wait_for_timeout(300)  # the dialog comes, or the page goes; no navigation waited
    assert dialogs == ["beforeunload"]
    expect(page).to_have_url(live_server.url + "/confirm/district/5701/2570/11/")
    expect(tick).to_be_checked()

    # Tick the whole batch with the header box and save: no leave warning on saving, and
    # the page offers the next batch.
    page.locator("input[data-check-all='tick']").click()
    page.get_by_role("button", name="บันทึก").click()
    expect(page.get_by_text("บันทึกข้อมูลสมบูรณ์: ยืนยัน 100 รายการ")).to_be_visible()
    assert dialogs == ["beforeunload"]
    offer = page.locator("#next-batch-offer")
    expect(offer).to_contain_text("บันทึกแถวที่ 1-100 แล้ว ยังมีแถวที่ 101-130 จากทั้งหมด 130 รายการ")
    shot(page, screenshot_dir, "confirm-next-batch")
    page.get_by_role("link", name="ตรวจชุดถัดไป แถวที่ 101-130").click()
    expect(page.locator("#batch-note")).to_have_text("แสดงแถวที่ 101-130 จากทั้งหมด 130 รายการ")
    expect(page.locator("#next-batch-offer")).to_have_count(0)
    page.locator("input[data-check-all='tick']").click()
    page.get_by_role("button", name="บันทึก").click()
    expect(page.locator("#last-batch-note")).to_contain_text("นี่คือชุดสุดท้าย")
    confirmed = [row.refresh_from_db() or row.district_confirmed_at for row in rows]
    assert all(confirmed)
    assert dialogs == ["beforeunload"]


def test_the_kpi_score_is_in_view_at_1366_without_scrolling_sideways(
    new_context, live_server, officers, geography, producer, screenshot_dir
):
    from reports.totals import rebuild
    from tests.test_kpi import sale

    Target.objects.create(province_id="57", fiscal_year=2570, base=Decimal("123456789.00"))
    sale(producer, 10, "98765432.10", fiscal_year=2570)
    rebuild()
    page = new_context(viewport=DESKTOP).new_page()
    sign_in(page, live_server, "cdd")
    page.goto(live_server.url + "/reports/kpi/2570/")
    score = page.get_by_role("columnheader", name="คะแนน", exact=True)
    expect(score).to_be_in_viewport(ratio=1)
    box = score.bounding_box()
    assert box["x"] + box["width"] <= DESKTOP["width"]
    scroll = page.locator(".kpi-scroll")
    assert scroll.evaluate("box => box.scrollWidth <= box.clientWidth + 1")
    row = page.locator("tr[data-province='57']")
    expect(row.locator("td.score")).to_be_in_viewport(ratio=1)
    expect(row).to_contain_text("ยังไม่ครบปี")  # ตุลาคม of a year, no -20 %
    shot(page, screenshot_dir, "kpi-1366")


def test_the_reports_follow_the_month_the_district_works_on(
    new_context, live_server, officers, geography, producer, screenshot_dir
):
    from reports.totals import rebuild
    from tests.test_kpi import sale

    for month in (10, 11):
        sale(producer, month, "1500.00", fiscal_year=2570)
    rebuild()
    page = new_context(viewport=DESKTOP).new_page()
    sign_in(page, live_server, "d5701")
    # On its home, the reports menu opens November, the month under way, not ตุลาคม.
    page.get_by_role("button", name="รายงาน").click()
    page.get_by_role("link", name="รต.1 ข้อมูลที่บันทึกรายเดือน").click()
    expect(page).to_have_url(live_server.url + "/reports/rt1/5701/2570/11/")
    # The month picker, like the entry page's: pick ตุลาคม with the keyboard. An arrow key
    # only moves the choice (WCAG 3.2.2); Enter opens the month.
    picker = page.get_by_label("เดือน", exact=True)
    expect(picker).to_have_value("/reports/rt1/5701/2570/11/?rows=all")
    picker.focus()
    page.evaluate("window.stillHere = true")
    page.keyboard.press("ArrowUp")
    expect(picker).to_have_value("/reports/rt1/5701/2570/10/?rows=all")
    page.wait_for_timeout(400)  # long enough for a navigation the arrow would have started
    assert page.evaluate("window.stillHere === true")
    expect(page).to_have_url(live_server.url + "/reports/rt1/5701/2570/11/")
    page.keyboard.press("Enter")
    expect(page).to_have_url(live_server.url + "/reports/rt1/5701/2570/10/?rows=all")
    expect(page.get_by_role("heading", level=1)).to_contain_text("รต.1")
    shot(page, screenshot_dir, "rt1-picker")
    # The menu now follows the month on screen.
    page.get_by_role("button", name="รายงาน").click()
    page.get_by_role("link", name="รต.3 แยกตามประเภทผลิตภัณฑ์").click()
    expect(page).to_have_url(live_server.url + "/reports/rt3/5701/2570/10/")
    expect(page.get_by_label("เดือน", exact=True)).to_have_value("/reports/rt3/5701/2570/10/")
    shot(page, screenshot_dir, "rt3-picker")
    # RT.4 of its own province, read only, months to come left blank.
    page.get_by_role("button", name="รายงาน").click()
    page.get_by_role("link", name="รต.4 อำเภอในจังหวัด 12 เดือน (ดูอย่างเดียว)").click()
    expect(page).to_have_url(live_server.url + "/reports/rt4/57/2570/")
    total = page.locator("#rt4-total td.num")
    expect(total.nth(0)).to_have_text("1,500.00")
    expect(total.nth(2)).to_have_text("")  # ธันวาคม: not yet
    shot(page, screenshot_dir, "rt4-district")
    # The estimate against actual: months to come are not shortfalls.
    page.goto(live_server.url + "/reports/estimate/5701/2570/")
    expect(page.get_by_text("ยังไม่ถึงเดือน")).to_have_count(10)
    shot(page, screenshot_dir, "estimate-partial", full_page=True)


def test_a_phone_types_a_be_date_by_touch(new_context, live_server, officers, screenshot_dir):
    page = new_context(viewport={"width": 390, "height": 844}, has_touch=True).new_page()
    sign_in(page, live_server, "cdd")
    page.goto(live_server.url + "/calendar/exceptions/")
    page.locator("#id_open_until_date").tap()
    page.keyboard.type("๓๑/๑๒/๒๕๖๙")  # Thai digits, as a Thai keyboard gives them
    expect(page.locator("#open-until-words")).to_have_text("วันที่ 31 ธันวาคม 2569")
    shot(page, screenshot_dir, "exception-phone")
