"""The monthly entry page in a real Chromium, as a district officer uses it."""

import contextlib
import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from otopdoc.fiscal import BANGKOK
from sales.models import MonthlySale
from tests.test_browser_shell import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

URL = "/sales/5701/2570/11/"
OPEN_DAY = datetime.datetime(2026, 11, 20, 10, 0, tzinfo=BANGKOK)
# November's last minutes for districts, then the close on the 6th just after midnight.
BEFORE_CLOSE = datetime.datetime(2026, 12, 5, 23, 50, tzinfo=BANGKOK)
AFTER_CLOSE = datetime.datetime(2026, 12, 6, 0, 5, tzinfo=BANGKOK)


def pin_clock(monkeypatch, moment):
    # live_server runs in a thread of this process, so the server sees the same clock.
    monkeypatch.setattr(timezone, "now", lambda: moment)


def fill_row(row, name, product, producer, domestic, export):
    row.locator("input[data-name]").fill(name)
    row.locator("select[name$='-product_type']").select_option(label=product)
    row.locator("select[name$='-producer_type']").select_option(label=producer)
    row.locator("input[name$='-domestic']").fill(domestic)
    row.locator("input[name$='-export']").fill(export)


def test_an_officer_enters_two_producers_saves_and_finds_them(
    page, live_server, officers, screenshot_dir, monkeypatch
):
    pin_clock(monkeypatch, OPEN_DAY)
    sign_in(page, live_server, "d5701")
    page.goto(live_server.url + URL)
    expect(page.get_by_role("heading", level=1)).to_have_text("บันทึกยอดจำหน่ายผลิตภัณฑ์ OTOP")

    page.get_by_role("button", name="เพิ่มกลุ่ม / ผู้ผลิต").click()
    rows = page.locator("#rows tr[data-row]")
    fill_row(rows.nth(0), "กลุ่มแม่บ้านบ้านดู่", "อาหาร", "กลุ่มผู้ผลิตชุมชน", "1234.5", "100")
    expect(rows.nth(0).locator("[data-row-total]")).to_have_text("1,334.50")
    page.get_by_role("button", name="เพิ่มกลุ่ม / ผู้ผลิต").click()
    fill_row(rows.nth(1), "ร้านผ้าไหมแม่บุญ", "ผ้า เครื่องแต่งกาย", "SMEs", "20,000", "0")
    expect(page.locator("#sum-total")).to_have_text("21,334.50")
    expect(page.locator("#sum-domestic")).to_have_text("21,234.50")
    page.screenshot(path=screenshot_dir / "entry-typed.png", full_page=True)

    page.locator("#save").click()
    expect(page.get_by_text("บันทึกข้อมูลสมบูรณ์")).to_be_visible()
    page.reload()
    expect(page.locator("#rows tr[data-row]")).to_have_count(2)
    expect(page.locator("input[value='กลุ่มแม่บ้านบ้านดู่']")).to_be_visible()
    expect(page.locator("#sum-total")).to_have_text("21,334.50")
    page.screenshot(path=screenshot_dir / "entry-saved.png", full_page=True)
    assert MonthlySale.objects.count() == 2


def test_a_bad_amount_comes_back_with_its_message(
    page, live_server, officers, screenshot_dir, monkeypatch
):
    pin_clock(monkeypatch, OPEN_DAY)
    sign_in(page, live_server, "d5701")
    page.goto(live_server.url + URL)
    page.get_by_role("button", name="เพิ่มกลุ่ม / ผู้ผลิต").click()
    row = page.locator("#rows tr[data-row]").first
    fill_row(row, "กลุ่มทดสอบ", "อาหาร", "กลุ่มผู้ผลิตชุมชน", "-500", "abc")
    expect(page.locator("#sum-total")).to_have_text("–")
    page.locator("#save").click()
    expect(page.get_by_text("จำนวนเงินต้องไม่ติดลบ")).to_be_visible()
    expect(page.get_by_text("กรุณากรอกเป็นตัวเลข")).to_be_visible()
    expect(page.locator("input[value='-500']")).to_be_visible()
    page.screenshot(path=screenshot_dir / "entry-bad-amount.png", full_page=True)
    assert not MonthlySale.objects.exists()


def test_leaving_with_unsaved_changes_is_questioned(page, live_server, officers, monkeypatch):
    pin_clock(monkeypatch, OPEN_DAY)
    sign_in(page, live_server, "d5701")
    page.goto(live_server.url + URL)
    page.get_by_role("button", name="เพิ่มกลุ่ม / ผู้ผลิต").click()
    page.locator("input[data-name]").first.fill("กลุ่มที่ยังไม่บันทึก")
    dialogs = []

    def answer(dialog):
        dialogs.append(dialog.type)
        dialog.dismiss()  # stay on the page

    page.on("dialog", answer)
    with contextlib.suppress(PlaywrightError):  # staying on the page aborts the navigation
        page.goto(live_server.url + "/district/5701/", wait_until="commit", timeout=3000)
    assert dialogs == ["beforeunload"]
    expect(page).to_have_url(re.compile(re.escape(URL) + "$"))


def test_deleting_a_row_asks_first(page, live_server, officers, monkeypatch):
    pin_clock(monkeypatch, OPEN_DAY)
    sign_in(page, live_server, "d5701")
    page.goto(live_server.url + URL)
    page.get_by_role("button", name="เพิ่มกลุ่ม / ผู้ผลิต").click()
    page.locator("input[data-name]").first.fill("กลุ่มจะลบ")
    questions = []

    def answer(dialog):
        questions.append(dialog.message)
        dialog.accept()

    page.on("dialog", answer)
    page.get_by_role("button", name="ลบรายการนี้").click()
    assert questions == ["คุณยินดีที่จะลบข้อมูล กลุ่มจะลบ รายการนี้หรือไม่?"]
    expect(page.locator("#rows tr[data-row]:visible")).to_have_count(0)


def test_the_lock_page_shows_on_a_locked_day(
    page, live_server, officers, screenshot_dir, monkeypatch
):
    pin_clock(monkeypatch, BEFORE_CLOSE)
    sign_in(page, live_server, "d5701")
    page.goto(live_server.url + URL)
    page.get_by_role("button", name="เพิ่มกลุ่ม / ผู้ผลิต").click()
    fill_row(page.locator("#rows tr[data-row]").first, "กลุ่มปิดระบบ", "อาหาร", "SMEs", "10", "0")
    pin_clock(monkeypatch, AFTER_CLOSE)  # the officer presses save at 00:05 on the 6th
    page.locator("#save").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("ระบบปิดรับข้อมูลชั่วคราว")
    expect(page.get_by_role("status")).to_contain_text("วันที่ 10 ธันวาคม 2569")
    page.screenshot(path=screenshot_dir / "entry-locked.png", full_page=True)
    assert not MonthlySale.objects.exists()
