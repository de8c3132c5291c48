"""The whole confirmation flow in a real Chromium, as the three kinds of officer live it.

The district enters November 2569 and confirms it, the province confirms it, and only then
does the department count it. The province sends one row back with a reason; the district
sees the reason by the row, fixes the amount and confirms again; the province confirms
again, and the department's figure follows. Each officer works in a browser context of
their own, as on their own machines, and every step leaves a screenshot flow-NN-*.png.
"""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from otopdoc.fiscal import BANGKOK
from sales.models import MonthlySale
from tests.test_browser_shell import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OPEN_DAY = datetime.datetime(2026, 11, 20, 10, 0, tzinfo=BANGKOK)  # 20 November 2569
ENTRY = "/sales/5701/2570/11/"
DISTRICT_CONFIRM = "/confirm/district/5701/2570/11/"
PROVINCE_CONFIRM = "/confirm/province/5701/2570/11/"
NATION = "/nation/?fy=2570&month=11"
RT3_NATION = "/reports/rt3/all/2570/11/"

ENTRY_HEADING = "บันทึกยอดจำหน่ายผลิตภัณฑ์ OTOP"
DISTRICT_HEADING = "ยืนยันข้อมูลยอดจำหน่ายสินค้า OTOP ประจำเดือน (ระดับอำเภอ)"
PROVINCE_HEADING = "ยืนยันข้อมูลยอดจำหน่ายสินค้า OTOP ประจำเดือน (ระดับจังหวัด)"
NATION_HEADING = "ภาพรวมประเทศ: ยอดจำหน่ายที่จังหวัดยืนยันแล้ว"

HOUSEWIVES = "กลุ่มแม่บ้านบ้านดู่"  # the row the province sends back
SILK = "ร้านผ้าไหมแม่บุญ"
REASON = "ยอดจำหน่ายในประเทศไม่ตรงกับหลักฐาน"
SAVED = "บันทึกข้อมูลสมบูรณ์"


@pytest.fixture
def officer_page(new_context, live_server):
    """Open a browser context of its own for an officer and sign them in."""

    def open_as(username):
        page = new_context().new_page()
        sign_in(page, live_server, username)
        expect(page.get_by_role("button", name="ออกจากระบบ")).to_be_visible()
        return page

    return open_as


def go(page, live_server, path, heading):
    """Open a page and check its Thai heading is shown in the Thai face (Sarabun)."""
    page.goto(live_server.url + path)
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    page.evaluate("document.fonts.ready")
    assert page.evaluate("document.fonts.check('16px Sarabun', 'ยอดจำหน่าย')")


def shot(page, screenshot_dir, name):
    page.screenshot(path=screenshot_dir / f"flow-{name}.png", full_page=True)


def fill_row(row, name, product, producer, domestic, export):
    row.locator("input[data-name]").fill(name)
    row.locator("select[name$='-product_type']").select_option(label=product)
    row.locator("select[name$='-producer_type']").select_option(label=producer)
    row.locator("input[name$='-domestic']").fill(domestic)
    row.locator("input[name$='-export']").fill(export)


def entry_row(page, name):
    return page.locator("#rows tr[data-row]").filter(has=page.locator(f"input[value='{name}']"))


def confirm_row(page, name):
    return page.locator("#confirm-table tbody tr[data-row]").filter(
        has=page.locator("[data-name]", has_text=name)
    )


def tick(row, level):
    return row.get_by_role("checkbox", name=f"ยืนยันระดับ{level}")


def save_ticks(page):
    page.locator("#save").click()
    expect(page.get_by_role("alert").filter(has_text=SAVED)).to_be_visible()


def expect_nation_total(page, live_server, total, rows):
    go(page, live_server, NATION, NATION_HEADING)
    figures = page.locator("#nation-total")
    expect(figures).to_contain_text(f"รายการที่จังหวัดยืนยัน {rows}")
    expect(figures).to_contain_text(f"รวมทั้งสิ้น {total} บาท")
    chiang_rai = page.get_by_role("row").filter(has_text="เชียงราย")
    expect(chiang_rai).to_contain_text(total)


def expect_rt3_total(page, live_server, total, rows):
    page.goto(live_server.url + RT3_NATION)
    expect(page.get_by_role("heading", level=1)).to_contain_text("รต.3")
    footer = page.locator("#rt3-total td")
    expect(footer.nth(4)).to_have_text(total)
    expect(footer.nth(5)).to_have_text(str(rows))


def test_a_month_goes_from_district_to_department_and_back_again(
    officer_page, live_server, officers, screenshot_dir, monkeypatch
):
    # live_server runs in a thread of this process, so the server sees the same clock.
    monkeypatch.setattr(timezone, "now", lambda: OPEN_DAY)

    # 1. The district enters two producers, saves, and confirms the whole batch.
    district = officer_page("d5701")
    go(district, live_server, ENTRY, ENTRY_HEADING)
    rows = district.locator("#rows tr[data-row]")
    add = district.locator("#add-row")
    add.click()
    fill_row(rows.nth(0), HOUSEWIVES, "อาหาร", "กลุ่มผู้ผลิตชุมชน", "1234.5", "100")
    add.click()
    fill_row(rows.nth(1), SILK, "ผ้า เครื่องแต่งกาย", "SMEs", "20,000", "0")
    expect(district.locator("#sum-total")).to_have_text("21,334.50")
    district.locator("#save").click()
    expect(district.get_by_role("alert").filter(has_text=SAVED)).to_be_visible()
    expect(rows).to_have_count(2)
    expect(district.locator("#sum-total")).to_have_text("21,334.50")
    expect(rows.get_by_text("รอยืนยัน")).to_have_count(2)
    shot(district, screenshot_dir, "01-entered")

    district.locator("#confirm-link").click()
    expect(district.get_by_role("heading", level=1)).to_have_text(DISTRICT_HEADING)
    expect(district.locator("#sum-total")).to_have_text("21,334.50")
    district.get_by_role("checkbox", name="เลือกทั้งชุด (ระดับอำเภอ)").check()
    expect(district.locator("#tick-count")).to_have_text("เลือกไว้ 2 จาก 2 รายการ")
    save_ticks(district)
    expect(district.get_by_role("alert")).to_contain_text("ยืนยัน 2 รายการ")
    for name in (HOUSEWIVES, SILK):
        expect(tick(confirm_row(district, name), "อำเภอ")).to_be_checked()
        expect(confirm_row(district, name)).to_contain_text("อำเภอยืนยันแล้ว")
    shot(district, screenshot_dir, "02-district-confirmed")

    # 2. The province confirms both rows.
    province = officer_page("p57")
    go(province, live_server, PROVINCE_CONFIRM, PROVINCE_HEADING)
    for name in (HOUSEWIVES, SILK):
        tick(confirm_row(province, name), "จังหวัด").check()
    save_ticks(province)
    expect(province.get_by_role("alert")).to_contain_text("ยืนยัน 2 รายการ")
    for name in (HOUSEWIVES, SILK):
        expect(tick(confirm_row(province, name), "จังหวัด")).to_be_checked()
        expect(confirm_row(province, name)).to_contain_text("จังหวัดยืนยันแล้ว")
    shot(province, screenshot_dir, "03-province-confirmed")

    # 3. Only now does the department count them.
    department = officer_page("cdd")
    expect_nation_total(department, live_server, "21,334.50", 2)
    shot(department, screenshot_dir, "04-nation")
    expect_rt3_total(department, live_server, "21,334.50", 2)
    shot(department, screenshot_dir, "05-rt3")

    # 4. The province sends the housewives' row back with a reason.
    questions = []

    def answer(dialog):
        questions.append(dialog.message)
        dialog.accept()

    province.on("dialog", answer)
    send_back = province.locator("#send-back")
    expect(send_back).to_be_disabled()
    confirm_row(province, HOUSEWIVES).get_by_role("checkbox", name="ส่งกลับ แถวที่").check()
    expect(send_back).to_contain_text("ส่งกลับ 1 รายการ")
    province.get_by_label("เหตุผลที่ส่งกลับ").fill(REASON)
    send_back.click()
    expect(province.get_by_role("alert")).to_contain_text("ส่งกลับให้อำเภอเมืองเชียงรายแก้ไขแล้ว")
    assert len(questions) == 1 and questions[0].startswith("ส่งกลับ 1 รายการ"), questions
    returned = confirm_row(province, HOUSEWIVES)
    expect(returned).to_contain_text(f"จังหวัดส่งกลับ: {REASON}")
    expect(tick(returned, "อำเภอ")).not_to_be_checked()
    expect(tick(returned, "จังหวัด")).not_to_be_checked()
    expect(tick(returned, "จังหวัด")).to_be_disabled()
    expect(returned).to_contain_text("รออำเภอยืนยัน")
    expect(tick(confirm_row(province, SILK), "จังหวัด")).to_be_checked()
    shot(province, screenshot_dir, "06-sent-back")
    expect_nation_total(department, live_server, "20,000.00", 1)

    # 5. The district sees why, fixes the amount, saves and confirms the row again.
    go(district, live_server, ENTRY, ENTRY_HEADING)
    fixing = entry_row(district, HOUSEWIVES)
    expect(fixing.get_by_text("จังหวัดส่งกลับ")).to_be_visible()
    expect(fixing.get_by_text(REASON)).to_be_visible()
    expect(entry_row(district, SILK)).to_contain_text("จังหวัดยืนยันแล้ว")
    shot(district, screenshot_dir, "07-entry-returned")
    fixing.locator("input[name$='-domestic']").fill("2234.5")
    expect(fixing.locator("[data-row-total]")).to_have_text("2,334.50")
    expect(district.locator("#sum-total")).to_have_text("22,334.50")
    district.locator("#save").click()
    expect(district.get_by_role("alert").filter(has_text=SAVED)).to_be_visible()
    expect(district.locator("#sum-total")).to_have_text("22,334.50")
    expect(fixing.get_by_text(REASON)).to_be_visible()  # until the district confirms again
    shot(district, screenshot_dir, "08-fixed")

    go(district, live_server, DISTRICT_CONFIRM, DISTRICT_HEADING)
    again = confirm_row(district, HOUSEWIVES)
    expect(again).to_contain_text("2,334.50")
    expect(tick(confirm_row(district, SILK), "อำเภอ")).to_be_disabled()  # the province's
    tick(again, "อำเภอ").check()
    save_ticks(district)
    expect(district.get_by_role("alert")).to_contain_text("ยืนยัน 1 รายการ")
    expect(tick(again, "อำเภอ")).to_be_checked()
    expect(again).not_to_contain_text(REASON)
    shot(district, screenshot_dir, "09-district-reconfirmed")

    # 6. The province confirms it again; the department's figure follows.
    go(province, live_server, PROVINCE_CONFIRM, PROVINCE_HEADING)
    again = confirm_row(province, HOUSEWIVES)
    expect(again).to_contain_text("2,334.50")
    tick(again, "จังหวัด").check()
    save_ticks(province)
    for name in (HOUSEWIVES, SILK):
        expect(tick(confirm_row(province, name), "จังหวัด")).to_be_checked()
    expect(province.locator("#sum-total")).to_have_text("22,334.50")
    shot(province, screenshot_dir, "10-province-reconfirmed")

    sales = {sale.producer.name: sale for sale in MonthlySale.objects.select_related("producer")}
    assert set(sales) == {HOUSEWIVES, SILK}
    assert all(sale.province_confirmed_at and sale.district_confirmed_at for sale in sales.values())
    assert all(sale.returned_at is None and not sale.returned_reason for sale in sales.values())
    assert sales[HOUSEWIVES].domestic == Decimal("2234.50")
    assert sales[HOUSEWIVES].total == Decimal("2334.50")

    expect_nation_total(department, live_server, "22,334.50", 2)
    shot(department, screenshot_dir, "11-nation-final")
    expect_rt3_total(department, live_server, "22,334.50", 2)
