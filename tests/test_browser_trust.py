"""Trust in the figures in a real Chromium, as the three kinds of officer use it (issue 15).

The district finds two spellings of one group in its registry and merges them, sees the
typo marked on its confirmation page with the history a click away, and explains it; the
province, on a phone, opens ค่าที่ควรตรวจสอบ from its home page and marks the row ติดตาม;
the department filters the national list by province and finds the row on its list of
marked rows. Screenshots trust-NN-*.png.
"""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from otopdoc.fiscal import BANGKOK
from reports.totals import rebuild
from sales.models import MonthlySale, Producer, ProducerType
from tests.test_browser_shell import sign_in
from tests.test_outliers import history

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OPEN_DAY = datetime.datetime(2026, 11, 20, 10, 0, tzinfo=BANGKOK)  # 20 November 2569
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
TYPO = "กลุ่มข้าวแต๋นแม่สาย"
KEPT, DROPPED = "กลุ่มทอผ้าบ้านดอน", "ทอผ้า บ้านดอน"


def make_data(geography):
    district = geography["mueang_cr"]
    typo = Producer.objects.create(name=TYPO, district=district, producer_type=ProducerType.SME)
    history(typo, ["38000", "41000", "36500", "39000", "40000", "37000", "38500", "42000"])
    row = MonthlySale.objects.create(
        producer=typo,
        district=district,
        product_type="food",
        fiscal_year=2570,
        month=11,
        domestic=Decimal("38000000"),
        district_confirmed_at=OPEN_DAY,
    )
    for name, amount in ((KEPT, "1000"), (DROPPED, "500")):
        producer = Producer.objects.create(
            name=name, district=district, producer_type=ProducerType.COMMUNITY_GROUP
        )
        MonthlySale.objects.create(
            producer=producer,
            district=district,
            product_type="textile",
            fiscal_year=2570,
            month=11,
            domestic=Decimal(amount),
        )
    rebuild()
    return row


def test_three_officers_use_outliers_notes_and_the_registry(
    new_context, live_server, officers, geography, screenshot_dir, monkeypatch
):
    monkeypatch.setattr(timezone, "now", lambda: OPEN_DAY)
    row = make_data(geography)

    # The district: the warning as it types, registry, merge, the flag on its
    # confirmation page, an explanation.
    page = new_context(viewport=DESKTOP).new_page()
    sign_in(page, live_server, "d5701")
    page.goto(f"{live_server.url}/sales/5701/2570/11/")
    typo_row = page.locator("#rows tr[data-row]").filter(has=page.locator(f"input[value='{TYPO}']"))
    warning = typo_row.locator("[data-outlier]")
    expect(warning).to_have_attribute("data-outlier", "up")
    expect(warning).to_contain_text("ปกติประมาณ 38,750.00 บาท")
    cell = typo_row.locator("input[name$='-domestic']")
    cell.click()
    page.keyboard.type("39000")
    expect(warning).to_have_count(0)  # within the producer's usual spread
    page.keyboard.press("Tab")
    cell.click()
    page.keyboard.type("3900000")
    expect(warning).to_have_attribute("data-outlier", "up")
    page.screenshot(path=screenshot_dir / "trust-00-entry-warning.png", full_page=True)
    page.locator("#save").click()  # a warning, never a refusal: it saves
    expect(page.locator(".alert-success")).to_be_visible()
    row.refresh_from_db()
    assert row.domestic == Decimal("3900000.00")
    page.goto(f"{live_server.url}/district/5701/")
    page.click("#producer-registry-link")
    expect(page.locator("#duplicates")).to_contain_text(KEPT)
    page.click("#q")
    page.keyboard.type("ทอผ้า")
    page.keyboard.press("Enter")
    expect(page.locator("#producers tbody tr")).to_have_count(2)
    page.screenshot(path=screenshot_dir / "trust-01-registry.png", full_page=True)
    page.get_by_role("link", name=KEPT, exact=True).first.click()
    page.select_option("#id_other", label=DROPPED)
    page.get_by_role("button", name="รวมผู้ผลิต").click()
    expect(page.locator(".alert-success, .alert")).to_contain_text("รวม")
    expect(page.locator("#producer-months")).to_contain_text("1,500.00")
    expect(page.locator("#producer-events")).to_contain_text("รวมผู้ผลิต")
    page.screenshot(path=screenshot_dir / "trust-02-merged.png", full_page=True)
    assert not Producer.objects.filter(name=DROPPED).exists()

    page.goto(f"{live_server.url}/confirm/district/5701/2570/11/")
    line = page.locator(f"#row-{row.pk}")
    expect(line.locator(".outlier-flag")).to_be_visible()
    line.locator("details.row-history summary").click()
    expect(line.locator("details.row-history")).to_contain_text("42,000.00")
    page.screenshot(path=screenshot_dir / "trust-03-confirm-flag.png", full_page=True)
    line.get_by_role("link", name="คำอธิบาย / ติดตาม").click()
    expect(page.locator("#row-flag")).to_contain_text("ค่าที่ควรตรวจสอบ")
    page.click("#id_explanation")
    page.keyboard.type("พิมพ์ผิด ยอดจริง 38,000 บาท จะแก้ไข")
    page.keyboard.press("Enter")
    expect(page.locator("#explanation")).to_contain_text("พิมพ์ผิด ยอดจริง 38,000 บาท")
    page.screenshot(path=screenshot_dir / "trust-04-explained.png", full_page=True)

    # The province, on a phone: its home page, the list, the row, ติดตาม.
    phone = new_context(viewport=PHONE, has_touch=True, is_mobile=True).new_page()
    sign_in(phone, live_server, "p57")
    phone.goto(f"{live_server.url}/province/57/?fy=2570&month=11")
    phone.locator("#outliers-link").tap()
    outliers = phone.locator("#outliers")
    expect(outliers).to_contain_text(TYPO)
    expect(outliers).to_contain_text("พิมพ์ผิด ยอดจริง 38,000 บาท")
    phone.screenshot(path=screenshot_dir / "trust-05-province-list-phone.png", full_page=True)
    outliers.get_by_role("link", name=TYPO).tap()
    phone.locator("#id_follow_up").tap()
    phone.locator("#id_note").tap()
    phone.keyboard.type("ขอหลักฐานการขาย")
    phone.get_by_role("button", name="บันทึกการติดตาม").tap()
    expect(phone.locator("#follow-up")).to_contain_text("ขอหลักฐานการขาย")
    phone.screenshot(path=screenshot_dir / "trust-06-follow-up-phone.png", full_page=True)

    # The department sees the row once the province has confirmed it.
    MonthlySale.objects.filter(pk=row.pk).update(
        district_confirmed_at=OPEN_DAY, province_confirmed_at=OPEN_DAY
    )
    rebuild()
    nation = new_context(viewport=DESKTOP).new_page()
    sign_in(nation, live_server, "cdd")
    nation.goto(f"{live_server.url}/nation/?fy=2570&month=11")
    nation.click("#outliers-link")
    expect(nation.locator("#outliers")).to_contain_text(TYPO)
    nation.select_option("#f-province", "50")
    expect(nation.locator("#outliers")).not_to_contain_text(TYPO)
    nation.select_option("#f-province", "57")
    expect(nation.locator("#outliers")).to_contain_text(TYPO)
    expect(nation.locator("#outliers")).to_contain_text("ขอหลักฐานการขาย")
    nation.screenshot(path=screenshot_dir / "trust-07-nation-list.png", full_page=True)
    nation.get_by_role("link", name="รายการที่ติดตาม").click()
    expect(nation.locator("#follow-ups")).to_contain_text(TYPO)
