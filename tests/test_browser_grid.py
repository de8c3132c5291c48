"""The entry grid as officers really work it (issue 10, points 1-7 and 12), in Chromium.

Each test acts as a person: clicks and taps, types keys, dispatches real paste events,
presses Enter. The grid is drawn by static/js/entry.js from the page's JSON document.
"""

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from confirmations.views import _change
from otopdoc.fiscal import BANGKOK, FiscalMonth
from sales.models import ExportDetail, MonthlySale, Producer, ProductType
from sales.services import month_revision, save_month
from tests.test_browser_shell import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

URL = "/sales/5701/2570/11/"  # พฤศจิกายน 2569
OCTOBER = "/sales/5701/2570/10/"  # closed for the district on 20 November
OPEN_DAY = datetime.datetime(2026, 11, 20, 10, 0, tzinfo=BANGKOK)
PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True}
NAMES = ["กลุ่มข้าวหอม", "กลุ่มผ้าทอ ก", "กลุ่มผ้าทอ ข", "กลุ่มผ้าทอ ค", "กลุ่มไม้กวาด", "กลุ่มหมูยอ"]
PASTE = """(args) => {
    const [selector, text] = args;
    const target = document.querySelector(selector);
    const data = new DataTransfer();
    data.setData("text/plain", text);
    const options = {clipboardData: data, bubbles: true, cancelable: true};
    target.dispatchEvent(new ClipboardEvent("paste", options));
}"""


@pytest.fixture(autouse=True)
def open_day(monkeypatch):
    # live_server runs in a thread of this process, so the server sees the same clock.
    monkeypatch.setattr(timezone, "now", lambda: OPEN_DAY)


def make_month(district, names=NAMES, month=11, fiscal_year=2570, domestic="0.00", **fields):
    """Save one food row a producer in the month; return them in the grid's order."""
    rows = []
    for name in names:
        producer, _ = Producer.objects.get_or_create(
            name=name, district=district, defaults={"producer_type": "group"}
        )
        rows.append(
            MonthlySale.objects.create(
                producer=producer,
                district=district,
                product_type=ProductType.FOOD,
                fiscal_year=fiscal_year,
                month=month,
                domestic=Decimal(domestic),
                **fields,
            )
        )
    return sorted(rows, key=lambda r: r.producer.name)


def grid_row(page, name):
    return page.locator("#rows tr[data-row]").filter(has=page.locator(f"input[value='{name}']"))


def paste(page, selector, text):
    page.evaluate(PASTE, [selector, text])


def failing_save(page, path, press, status=None):
    """Press save while the save fails: the connection drops, or the server answers `status`.

    Waits until the browser has seen the failure, so the route is never removed before
    the save reaches it.
    """

    def fail(route):
        if route.request.method != "POST":
            route.continue_()
        elif status is None:
            route.abort()
        else:
            route.fulfill(status=status, body="error")

    page.route("**" + path, fail)
    if status is None:
        waiting = page.expect_event("requestfailed", lambda request: request.method == "POST")
    else:
        waiting = page.expect_response(lambda response: response.request.method == "POST")
    with waiting:
        press()
    page.unroute("**" + path)


def domestic(row):
    return row.locator("input[name$='-domestic']")


# --- 1, 2, 7: a cell means what was typed; paste, Enter and the filter; last month ----------


def test_a_click_selects_the_cell_and_paste_and_enter_follow_the_filter(
    page, live_server, officers, geography, screenshot_dir
):
    district = geography["mueang_cr"]
    make_month(district, month=10, domestic="1000.00")  # last month: 1,000.00 each
    make_month(district)  # this month: 0.00 each
    page.set_viewport_size({"width": 1366, "height": 768})
    sign_in(page, live_server, "d5701")
    page.goto(live_server.url + URL)
    expect(page.locator("#row-count")).to_have_text("6 รายการ")

    # 1. Click into a cell showing 0.00 and type: the cell holds what was typed.
    rice = grid_row(page, "กลุ่มข้าวหอม")
    domestic(rice).click()
    page.keyboard.type("1500")
    expect(domestic(rice)).to_have_value("1500")
    page.keyboard.press("Tab")
    expect(domestic(rice)).to_have_value("1,500.00")
    # Clicking again into a cell that has a value selects it too.
    domestic(rice).click()
    page.keyboard.type("900")
    expect(domestic(rice)).to_have_value("900")

    # 7. Last month beside each row, and a jump or fall of ten times marked while typing.
    expect(rice.locator("[data-last]")).to_contain_text("1,000.00")
    for typed, total in (
        ("10000", "10000"),
        ("100", "100"),
        ("999", "999"),
        ("9999.99", "9999.99"),
    ):
        page.keyboard.press("Tab")  # leave the cell, then click back into it
        domestic(rice).click()
        page.keyboard.type(typed)
        expected = _change(Decimal(total), Decimal("1000.00"))  # the confirmation page's rule
        badge = rice.locator("[data-jump]")
        if expected is None:
            expect(badge).to_have_count(0)
        else:
            expect(badge).to_have_attribute("data-jump", expected)
    page.keyboard.press("Tab")
    domestic(rice).click()
    page.keyboard.type("10000")
    expect(rice.locator("[data-jump='up']")).to_contain_text("เพิ่มขึ้น ≥ 10 เท่า")

    # 2. Enter in the filter filters and never submits; the count says how many show.
    page.locator("#row-filter").click()
    page.keyboard.type("ผ้าทอ")
    page.keyboard.press("Enter")
    expect(page.locator("#row-count")).to_have_text("3 จาก 6 รายการ")
    expect(page.locator("#rows tr[data-row]:visible")).to_have_count(3)
    assert page.url == live_server.url + URL
    assert not MonthlySale.objects.filter(month=11).exclude(domestic=0).exists()  # not saved

    # A pasted column fills the rows on screen only and says what did not fit.
    first = grid_row(page, "กลุ่มผ้าทอ ก")
    domestic(first).click()
    paste(page, "#rows tr[data-row]:not([hidden]) input[name$='-domestic']", "10\n20\n30\n40\n50\n")
    expect(domestic(first)).to_have_value("10")
    expect(domestic(grid_row(page, "กลุ่มผ้าทอ ข"))).to_have_value("20")
    expect(domestic(grid_row(page, "กลุ่มผ้าทอ ค"))).to_have_value("30")
    expect(page.locator("#paste-note")).to_contain_text("วางได้ 3 แถว ไม่พอ 2 แถว")
    # Enter goes down the rows on screen, never into a hidden one.
    domestic(first).click()
    page.keyboard.press("Enter")
    expect(domestic(grid_row(page, "กลุ่มผ้าทอ ข"))).to_be_focused()
    page.keyboard.type("25")
    page.keyboard.press("Enter")
    expect(domestic(grid_row(page, "กลุ่มผ้าทอ ค"))).to_be_focused()
    page.screenshot(path=screenshot_dir / "grid-filter-paste.png", full_page=True)

    page.locator("#row-filter").fill("")
    page.locator("#row-filter").press("Enter")
    expect(page.locator("#row-count")).to_have_text("6 รายการ")
    page.locator("#save").click()
    expect(page.get_by_text("บันทึกข้อมูลสมบูรณ์")).to_be_visible()
    saved = dict(MonthlySale.objects.filter(month=11).values_list("producer__name", "domestic"))
    assert saved == {
        "กลุ่มข้าวหอม": Decimal("10000.00"),
        "กลุ่มผ้าทอ ก": Decimal("10.00"),
        "กลุ่มผ้าทอ ข": Decimal("25.00"),
        "กลุ่มผ้าทอ ค": Decimal("30.00"),
        "กลุ่มไม้กวาด": Decimal("0.00"),  # hidden by the filter: the paste left it alone
        "กลุ่มหมูยอ": Decimal("0.00"),
    }


def test_on_a_phone_a_tap_selects_the_cell_and_the_filter_keeps_the_month(
    browser, live_server, officers, geography, screenshot_dir
):
    make_month(geography["mueang_cr"])
    context = browser.new_context(**PHONE)
    page = context.new_page()
    sign_in(page, live_server, "d5701")
    page.goto(live_server.url + URL)
    rice = grid_row(page, "กลุ่มข้าวหอม")
    domestic(rice).tap()
    page.keyboard.type("1500")
    expect(domestic(rice)).to_have_value("1500")
    page.locator("#row-filter").tap()
    page.keyboard.type("หมู")
    page.keyboard.press("Enter")
    expect(page.locator("#row-count")).to_have_text("1 จาก 6 รายการ")
    assert page.url == live_server.url + URL
    pork = grid_row(page, "กลุ่มหมูยอ")
    domestic(pork).tap()
    paste(page, "#rows tr[data-row]:not([hidden]) input[name$='-domestic']", "5\n6")
    expect(domestic(pork)).to_have_value("5")
    expect(page.locator("#paste-note")).to_contain_text("วางได้ 1 แถว ไม่พอ 1 แถว")
    page.screenshot(path=screenshot_dir / "grid-phone.png", full_page=True)
    context.close()


def test_every_amount_cell_selects_its_content_on_click(
    page, live_server, officers, geography, monkeypatch
):
    """The estimate and the export detail: a click into an amount replaces it."""
    producer = make_month(geography["mueang_cr"], names=["กลุ่มชา"])[0].producer
    ExportDetail.objects.create(
        province_id="57",
        fiscal_year=2570,
        month=11,
        producer=producer,
        product="ชา",
        value=Decimal("0.00"),
        country="JP",
        channel="own",
    )
    page.set_viewport_size({"width": 1366, "height": 768})
    sign_in(page, live_server, "d5701")
    page.goto(live_server.url + "/sales/5701/2570/estimate/")
    cell = page.get_by_label("ตุลาคม 2569 ภายในประเทศ (บาท)")
    cell.fill("0.00")
    page.locator("h1").click()
    cell.click()
    page.keyboard.type("1500")
    expect(cell).to_have_value("1500")

    page.context.clear_cookies()
    sign_in(page, live_server, "p57")
    page.goto(live_server.url + "/sales/exports/57/2570/11/")
    value = page.locator("input[name$='-value']").first
    expect(value).to_have_value("0.00")
    value.click()
    page.keyboard.type("2500")
    expect(value).to_have_value("2500")


# --- 3, 4: rows the district cannot change; what a save undoes --------------------------


def test_confirmed_rows_read_only_and_withdrawn_confirmations_counted(
    page, live_server, officers, geography, screenshot_dir
):
    district = geography["mueang_cr"]
    rows = make_month(district, names=["กลุ่มจังหวัดยืนยัน", "กลุ่มอำเภอยืนยัน", "กลุ่มรอยืนยัน"])
    by_name = {r.producer.name: r for r in rows}
    MonthlySale.objects.filter(pk=by_name["กลุ่มจังหวัดยืนยัน"].pk).update(
        district_confirmed_at=OPEN_DAY, province_confirmed_at=OPEN_DAY
    )
    MonthlySale.objects.filter(pk=by_name["กลุ่มอำเภอยืนยัน"].pk).update(district_confirmed_at=OPEN_DAY)
    make_month(district, names=["กลุ่มเดือนปิด"], month=10, domestic="77.00")
    page.set_viewport_size({"width": 1366, "height": 768})
    sign_in(page, live_server, "d5701")
    page.goto(live_server.url + URL)

    # 3. The province-confirmed row has no input, says why, and cannot be deleted.
    locked = page.locator("#rows tr[data-state='province']")
    expect(locked).to_contain_text("กลุ่มจังหวัดยืนยัน")
    expect(locked.locator("input:not([type='hidden']), select, button")).to_have_count(0)
    expect(locked).to_contain_text("จังหวัดยืนยันแล้ว แก้ไขหรือลบไม่ได้")

    # 4. Changing a district-confirmed row says, before saving, what the save withdraws.
    note = page.locator("#withdraw-note")
    expect(note).to_be_hidden()
    confirmed = grid_row(page, "กลุ่มอำเภอยืนยัน")
    domestic(confirmed).click()
    page.keyboard.type("250")
    expect(note).to_have_text("การบันทึกครั้งนี้จะยกเลิกการยืนยันระดับอำเภอ 1 รายการ (ต้องยืนยันใหม่)")
    pending = grid_row(page, "กลุ่มรอยืนยัน")
    domestic(pending).click()
    page.keyboard.type("40")
    expect(note).to_contain_text(" 1 รายการ")  # a pending row withdraws nothing
    page.screenshot(path=screenshot_dir / "grid-confirmed-rows.png", full_page=True)
    page.locator("#save").click()
    expect(page.get_by_role("alert").filter(has_text="บันทึกข้อมูลสมบูรณ์")).to_contain_text(
        "บันทึกข้อมูลสมบูรณ์ · ต้องยืนยันใหม่ 1 รายการ"
    )
    after = {r.producer.name: r for r in MonthlySale.objects.filter(month=11)}
    assert after["กลุ่มอำเภอยืนยัน"].domestic == Decimal("250.00")
    assert after["กลุ่มอำเภอยืนยัน"].district_confirmed_at is None
    assert after["กลุ่มจังหวัดยืนยัน"].province_confirmed_at is not None
    assert after["กลุ่มรอยืนยัน"].domestic == Decimal("40.00")

    # A closed month says so once at the top and shows plain figures.
    page.goto(live_server.url + OCTOBER)
    expect(page.locator("#lock-banner")).to_have_count(1)
    expect(page.locator("#lock-banner")).to_contain_text("ปิดรับแล้ว")
    expect(page.locator("#rows input, #rows select, #save")).to_have_count(0)
    expect(page.locator("#rows")).to_contain_text("77.00")
    page.screenshot(path=screenshot_dir / "grid-closed-month.png", full_page=True)


# --- 5: sent-back rows are found at once ----------------------------------------------------


def test_sent_back_rows_are_counted_filtered_and_waiting_on_the_province_home(
    page, live_server, officers, geography, screenshot_dir
):
    district = geography["mueang_cr"]
    rows = make_month(district)
    reason = "ยอดไม่ตรงกับบัญชีของกลุ่ม"
    MonthlySale.objects.filter(pk__in=[rows[1].pk, rows[4].pk]).update(
        returned_at=OPEN_DAY, returned_by=officers["province"], returned_reason=reason
    )
    page.set_viewport_size({"width": 1366, "height": 768})
    sign_in(page, live_server, "d5701")
    page.goto(live_server.url + "/district/5701/?fy=2570")
    expect(page.locator("#sent-back-note")).to_contain_text("2 รายการ")
    page.get_by_role("link", name="ส่งกลับ 2 รายการ").click()
    expect(page).to_have_url(live_server.url + URL)
    expect(page.locator("#returned-banner")).to_contain_text("จังหวัดส่งกลับให้แก้ไข 2 รายการ")
    page.get_by_role("button", name="แสดงเฉพาะรายการที่ส่งกลับ").click()
    shown = page.locator("#rows tr[data-row]:visible")
    expect(shown).to_have_count(2)
    expect(page.locator("#row-count")).to_have_text("2 จาก 6 รายการ")
    for k in range(2):
        expect(shown.nth(k).locator(".returned-note")).to_contain_text(reason)
    page.screenshot(path=screenshot_dir / "grid-sent-back.png", full_page=True)
    page.get_by_role("button", name="แสดงทุกรายการ").click()
    expect(page.locator("#rows tr[data-row]:visible")).to_have_count(6)

    page.context.clear_cookies()
    sign_in(page, live_server, "p57")
    page.goto(live_server.url + "/province/57/?fy=2570")
    waiting = page.locator("#sent-back")
    expect(waiting).to_contain_text("อำเภอเมืองเชียงราย · พฤศจิกายน 2569")
    expect(waiting).to_contain_text("2 รายการ")
    page.screenshot(path=screenshot_dir / "province-home-sent-back.png", full_page=True)


# --- 6: a refused save takes the officer to the first error ----------------------------------


def test_a_refused_save_reports_every_error_and_focuses_the_first(
    page, live_server, officers, geography, screenshot_dir
):
    names = [f"กลุ่มที่ {i:02d}" for i in range(30)]
    make_month(geography["mueang_cr"], names=names, domestic="5.00")
    page.set_viewport_size({"width": 1366, "height": 768})
    sign_in(page, live_server, "d5701")
    page.goto(live_server.url + URL)
    # Two rows at the bottom: a duplicate of row 1 and a bad amount, in one round.
    for name, amount in (("กลุ่มที่ 00", "10"), ("กลุ่มใหม่", "12a")):
        page.get_by_role("button", name="เพิ่มกลุ่ม / ผู้ผลิต").click()
        row = page.locator("#rows tr[data-row]").last
        page.keyboard.type(name)
        row.locator("select[name$='-product_type']").select_option(label="อาหาร")
        row.locator("select[name$='-producer_type']").select_option(label="กลุ่มผู้ผลิตชุมชน")
        domestic(row).click()
        page.keyboard.type(amount)
    bad = domestic(page.locator("#rows tr[data-row]").last)
    # Marked by its cell while typing, before any save.
    expect(bad).to_have_class(re.compile("is-invalid"))
    expect(bad.locator("xpath=..")).to_contain_text("กรุณากรอกเป็นตัวเลข")
    page.locator("#rows tr[data-row]").first.locator("input[data-name]").click()

    page.locator("#save").click()
    expect(page.get_by_role("alert").filter(has_text="ยังไม่ได้บันทึก")).to_contain_text(
        "มี 2 แถวที่ต้องแก้ไข"
    )
    duplicate = page.locator("#rows tr[data-row]").nth(30)
    expect(duplicate).to_contain_text("แล้วในเดือนนี้ (แถวที่ 1)")
    expect(page.locator("#rows tr[data-row]").nth(31)).to_contain_text("กรุณากรอกเป็นตัวเลข")
    first_error = duplicate.locator("input[data-name]")
    expect(first_error).to_be_focused()
    expect(first_error).to_be_in_viewport()
    page.screenshot(path=screenshot_dir / "grid-refused.png")
    assert MonthlySale.objects.count() == 30


# --- 12: nothing typed is lost ----------------------------------------------------------------


def test_work_is_kept_when_the_save_fails_and_offered_back(
    page, live_server, officers, geography, screenshot_dir
):
    make_month(geography["mueang_cr"], names=["กลุ่มข้าวหอม", "กลุ่มหมูยอ"])
    page.set_viewport_size({"width": 1366, "height": 768})
    sign_in(page, live_server, "d5701")
    page.goto(live_server.url + URL)
    expect(page.locator("#unsaved-offer")).to_be_hidden()
    domestic(grid_row(page, "กลุ่มข้าวหอม")).click()
    page.keyboard.type("4321")

    # The connection drops as the officer saves.
    failing_save(page, URL, page.locator("#save").click)
    page.goto(live_server.url + URL)
    offer = page.locator("#unsaved-offer")
    expect(offer).to_contain_text("มีข้อมูลที่ยังไม่ได้บันทึก")
    page.screenshot(path=screenshot_dir / "grid-unsaved-offer.png")
    page.get_by_role("button", name="กู้คืน").click()
    expect(domestic(grid_row(page, "กลุ่มข้าวหอม"))).to_have_value("4,321.00")

    # Then the session expires before the next save: signing in again offers it back.
    page.context.clear_cookies()
    with page.expect_response(lambda response: response.request.method == "POST") as posted:
        page.locator("#save").click()
    assert posted.value.status in (302, 403)  # to the sign-in page, or refused without CSRF
    sign_in(page, live_server, "d5701")
    page.goto(live_server.url + URL)
    page.get_by_role("button", name="กู้คืน").click()
    page.locator("#save").click()
    expect(page.get_by_text("บันทึกข้อมูลสมบูรณ์")).to_be_visible()
    assert MonthlySale.objects.get(producer__name="กลุ่มข้าวหอม").domestic == Decimal("4321.00")
    page.reload()
    expect(page.locator("#unsaved-offer")).to_be_hidden()  # cleared once saved

    # A kept copy can be thrown away.
    domestic(grid_row(page, "กลุ่มหมูยอ")).click()
    page.keyboard.type("8")
    failing_save(page, URL, page.locator("#save").click, status=502)
    page.goto(live_server.url + URL)
    page.get_by_role("button", name="ทิ้ง").click()
    page.reload()
    expect(page.locator("#unsaved-offer")).to_be_hidden()


def test_estimate_and_export_detail_keep_work_through_a_server_error(
    page, live_server, officers, geography
):
    producer = make_month(geography["mueang_cr"], names=["กลุ่มชา"])[0].producer
    page.set_viewport_size({"width": 1366, "height": 768})
    sign_in(page, live_server, "d5701")
    estimate = "/sales/5701/2570/estimate/"
    page.goto(live_server.url + estimate)
    page.get_by_label("ตุลาคม 2569 ภายในประเทศ (บาท)").click()
    page.keyboard.type("777")
    failing_save(
        page, estimate, page.locator("#estimate-form button[type='submit']").first.click, 500
    )
    page.goto(live_server.url + estimate)
    page.get_by_role("button", name="กู้คืน").click()
    expect(page.get_by_label("ตุลาคม 2569 ภายในประเทศ (บาท)")).to_have_value("777.00")

    page.context.clear_cookies()
    sign_in(page, live_server, "p57")
    exports = "/sales/exports/57/2570/11/"
    page.goto(live_server.url + exports)
    page.get_by_role("button", name="เพิ่มรายการ").click()
    line = page.locator("#lines tr[data-line]").last
    line.locator("select[name$='-producer']").select_option(str(producer.pk))
    line.locator("input[name$='-product']").click()
    page.keyboard.type("ชาเขียว")
    line.locator("input[name$='-value']").click()
    page.keyboard.type("1234")
    line.locator("select[name$='-country']").select_option("JP")
    line.locator("input[name$='-agency']").click()
    page.keyboard.type("พาณิชย์จังหวัด")
    line.locator("select[name$='-channel']").select_option("own")
    failing_save(page, exports, page.locator("#save").click)
    page.goto(live_server.url + exports)
    page.get_by_role("button", name="กู้คืน").click()
    line = page.locator("#lines tr[data-line]").last
    expect(line.locator("input[name$='-product']")).to_have_value("ชาเขียว")
    expect(line.locator("input[name$='-value']")).to_have_value("1,234.00")
    page.locator("#save").click()
    expect(page.get_by_text("บันทึกข้อมูลสมบูรณ์")).to_be_visible()
    assert ExportDetail.objects.get().value == Decimal("1234.00")


def test_a_stale_save_lists_the_rows_the_other_officer_changed(
    page, live_server, officers, geography
):
    district = geography["mueang_cr"]
    rows = make_month(district, names=["กลุ่มข้าวหอม", "กลุ่มหมูยอ"])
    page.set_viewport_size({"width": 1366, "height": 768})
    sign_in(page, live_server, "d5701")
    page.goto(live_server.url + URL)
    domestic(grid_row(page, "กลุ่มข้าวหอม")).click()
    page.keyboard.type("11")

    # The colleague saves the month first, changing one row.
    month = FiscalMonth(2570, 11)
    pork = rows[1]
    save_month(
        district,
        month,
        officers["colleague"],
        month_revision(district, month),
        rows=[
            {
                "id": r.pk,
                "version": r.version,
                "name": r.producer.name,
                "product_type": r.product_type,
                "producer_type": "group",
                "domestic": Decimal("99.00") if r == pork else r.domestic,
                "export": r.export,
            }
            for r in rows
        ],
        deleted_ids=[],
    )
    page.locator("#save").click()
    expect(page.get_by_text("มีผู้อื่นบันทึกข้อมูลเดือนนี้")).to_be_visible()
    expect(page.locator("#stale-rows")).to_contain_text("กลุ่มหมูยอ (อาหาร)")
    expect(page.locator("#stale-rows")).not_to_contain_text("กลุ่มข้าวหอม")
    expect(domestic(grid_row(page, "กลุ่มข้าวหอม"))).to_have_value("11.00")


def test_on_a_phone_sent_back_locked_withdrawn_and_kept_work_by_touch(
    browser, live_server, officers, geography, screenshot_dir
):
    """Points 3, 4, 5 and 12 at 390x844 with a touch screen: taps, not clicks."""
    district = geography["mueang_cr"]
    rows = make_month(district, names=["กลุ่มจังหวัดยืนยัน", "กลุ่มอำเภอยืนยัน", "กลุ่มส่งกลับ"])
    by_name = {r.producer.name: r for r in rows}
    MonthlySale.objects.filter(pk=by_name["กลุ่มจังหวัดยืนยัน"].pk).update(
        district_confirmed_at=OPEN_DAY, province_confirmed_at=OPEN_DAY
    )
    MonthlySale.objects.filter(pk=by_name["กลุ่มอำเภอยืนยัน"].pk).update(district_confirmed_at=OPEN_DAY)
    MonthlySale.objects.filter(pk=by_name["กลุ่มส่งกลับ"].pk).update(
        returned_at=OPEN_DAY, returned_by=officers["province"], returned_reason="ขาดหลักฐาน"
    )
    context = browser.new_context(**PHONE)
    page = context.new_page()
    sign_in(page, live_server, "d5701")
    page.goto(live_server.url + "/district/5701/?fy=2570")
    page.get_by_role("link", name="ส่งกลับ 1 รายการ").tap()
    page.get_by_role("button", name="แสดงเฉพาะรายการที่ส่งกลับ").tap()
    expect(page.locator("#row-count")).to_have_text("1 จาก 3 รายการ")
    expect(page.locator("#rows tr[data-row]:visible .returned-note")).to_contain_text("ขาดหลักฐาน")
    page.get_by_role("button", name="แสดงทุกรายการ").tap()

    locked = page.locator("#rows tr[data-state='province']")
    expect(locked.locator("input:not([type='hidden']), select, button")).to_have_count(0)
    confirmed = grid_row(page, "กลุ่มอำเภอยืนยัน")
    domestic(confirmed).tap()
    page.keyboard.type("60")
    expect(domestic(confirmed)).to_have_value("60")
    expect(page.locator("#withdraw-note")).to_contain_text("ยกเลิกการยืนยันระดับอำเภอ 1 รายการ")
    page.screenshot(path=screenshot_dir / "grid-phone-confirmed.png", full_page=True)

    failing_save(page, URL, page.locator("#save").tap)
    page.goto(live_server.url + URL)
    page.get_by_role("button", name="กู้คืน").tap()
    expect(domestic(grid_row(page, "กลุ่มอำเภอยืนยัน"))).to_have_value("60.00")
    page.locator("#save").tap()
    expect(page.get_by_role("alert").filter(has_text="บันทึกข้อมูลสมบูรณ์")).to_contain_text(
        "ต้องยืนยันใหม่ 1 รายการ"
    )
    assert MonthlySale.objects.get(pk=by_name["กลุ่มอำเภอยืนยัน"].pk).domestic == Decimal("60.00")
    context.close()
