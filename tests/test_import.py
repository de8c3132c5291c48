"""Import a month from Excel: /sales/<district>/<fy>/<month>/import/ and its template."""

import datetime
import re
from decimal import Decimal
from io import BytesIO

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from otopdoc.fiscal import BANGKOK, FiscalMonth
from sales import importing
from sales.forms import PROVINCE_LOCKED
from sales.importing import HEADER_ROW, HEADERS, XLSX_TYPE, session_key
from sales.models import DistrictMonth, MonthlySale, Producer, ProductType
from sales.services import save_month

MONTH = "/sales/5701/2570/10/"
IMPORT = MONTH + "import/"
CONFIRM = IMPORT + "confirm/"
TEMPLATE = IMPORT + "template.xlsx"
# 15 October 2569 (2026), 10:00 in Bangkok: October of FY 2570 is open for entry.
NOW = datetime.datetime(2026, 10, 15, 10, 0, tzinfo=BANGKOK)
FOOD, HERB, TEXTILE = "อาหาร", "สมุนไพรที่ไม่ใช่อาหาร", "ผ้า เครื่องแต่งกาย"
GROUP, SINGLE, SME = "กลุ่มผู้ผลิตชุมชน", "ผู้ผลิตชุมชนที่เป็นเจ้าของรายเดียว", "SMEs"


@pytest.fixture(autouse=True)
def october(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)


@pytest.fixture
def owner(client, officers):
    client.force_login(officers["owner"])
    return officers["owner"]


def workbook(rows, headers=HEADERS, header_row=HEADER_ROW):
    """Return .xlsx bytes: title lines, the header row, then `rows` (tuples from column B)."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet["A1"] = "แบบรายงานข้อมูลผลการจำหน่ายสินค้าหนึ่งตำบล หนึ่งผลิตภัณฑ์ OTOP (รต.1)"
    for column, text in enumerate(headers, start=1):
        sheet.cell(row=header_row, column=column, value=text)
    for number, values in enumerate(rows, start=1):
        sheet.append([number, *values])
    output = BytesIO()
    book.save(output)
    return output.getvalue()


def upload(client, content, name="rt1-5701-2570-10.xlsx"):
    return client.post(IMPORT, {"file": SimpleUploadedFile(name, content, XLSX_TYPE)})


def saved(district, name, product_type="food", producer_type="group", **fields):
    producer, _ = Producer.objects.get_or_create(
        name=name, district=district, defaults={"producer_type": producer_type}
    )
    return MonthlySale.objects.create(
        producer=producer,
        district=district,
        product_type=product_type,
        fiscal_year=fields.pop("fiscal_year", 2570),
        month=fields.pop("month", 10),
        domestic=fields.pop("domestic", Decimal("100.00")),
        export=fields.pop("export", Decimal("0.00")),
        **fields,
    )


def line_html(html, line):
    """Return the preview's table row for line `line` of the file."""
    match = re.search(rf'<tr data-status="\w+" id="line-{line}".*?</tr>', html, re.S)
    assert match, f"no line {line} in the preview"
    return match.group(0)


# --- the template -----------------------------------------------------------------------


def test_the_template_is_the_rt1_layout_prefilled_with_the_months_rows(client, owner, geography):
    saved(geography["mueang_cr"], "กลุ่มอาหารรสเลิศ", domestic=Decimal("1234.50"))
    saved(
        geography["mueang_cr"], "ร้านผ้าไหม", "textile", "single", domestic=0, export=Decimal("7.25")
    )
    response = client.get(TEMPLATE)
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_TYPE
    assert 'filename="rt1-5701-2570-10.xlsx"' in response["Content-Disposition"]

    sheet = openpyxl.load_workbook(BytesIO(response.content)).active
    titles = " ".join(str(sheet.cell(row=r, column=1).value) for r in range(1, HEADER_ROW))
    assert "(รต.1)" in titles and "ตุลาคม 2569" in titles
    assert "อำเภอเมืองเชียงราย" in titles and "จังหวัดเชียงราย" in titles
    assert tuple(c.value for c in sheet[HEADER_ROW]) == HEADERS
    first, second = HEADER_ROW + 1, HEADER_ROW + 2
    assert [c.value for c in sheet[first]][:6] == [1, "กลุ่มอาหารรสเลิศ", FOOD, GROUP, 1234.5, 0]
    assert [c.value for c in sheet[second]][:6] == [2, "ร้านผ้าไหม", TEXTILE, SINGLE, 0, 7.25]
    assert sheet[f"E{first}"].number_format == "#,##0.00"
    assert (
        sheet[f"G{first}"].value.startswith("=")
        and f"E{first}:F{first}" in sheet[f"G{first}"].value
    )
    assert sheet.freeze_panes == f"A{first}"
    assert sheet.column_dimensions["B"].width >= 40

    lists = {str(dv.sqref)[0]: dv for dv in sheet.data_validations.dataValidation}
    assert lists.keys() == {"C", "D"}
    assert all(label in lists["C"].formula1 for label in ProductType.labels)
    assert all(label in lists["D"].formula1 for label in (GROUP, SINGLE, SME))
    assert lists["C"].type == "list" and f"C{first}" in str(lists["C"].sqref)


def test_an_empty_months_template_has_last_months_producers_and_blank_amounts(
    client, owner, geography
):
    saved(geography["mueang_cr"], "กลุ่มกันยายน", "herb", fiscal_year=2569, month=9)
    sheet = openpyxl.load_workbook(BytesIO(client.get(TEMPLATE).content)).active
    row = [c.value for c in sheet[HEADER_ROW + 1]][:6]
    assert row == [1, "กลุ่มกันยายน", HERB, GROUP, None, None]
    assert sheet.cell(row=HEADER_ROW + 2, column=2).value is None


def test_the_template_reads_back_as_a_file_to_import(client, owner, geography):
    """Download, fill in the amounts the way Excel stores them, upload: nothing refused."""
    saved(geography["mueang_cr"], "กลุ่มกันยายน", fiscal_year=2569, month=9)
    book = openpyxl.load_workbook(BytesIO(client.get(TEMPLATE).content))
    book.active[f"E{HEADER_ROW + 1}"] = 55.5
    output = BytesIO()
    book.save(output)
    response = upload(client, output.getvalue())
    assert response.context["preview"].ok, response.context["preview"].lines[0].errors
    assert response.context["preview"].counts["new"] == 1


@pytest.mark.parametrize("who", ["owner", "colleague", "province", "department"])
def test_anyone_who_sees_the_district_may_download_the_template(client, officers, who):
    client.force_login(officers[who])
    assert client.get(TEMPLATE).status_code == 200


@pytest.mark.parametrize("who", ["neighbour", "outsider", "other_province"])
def test_outsiders_get_404_for_the_template(client, officers, who):
    client.force_login(officers[who])
    assert client.get(TEMPLATE).status_code == 404


# --- who may import ---------------------------------------------------------------------


@pytest.mark.parametrize(("method", "url"), [("get", IMPORT), ("post", CONFIRM), ("get", TEMPLATE)])
def test_it_sends_strangers_to_sign_in(client, geography, method, url):
    response = getattr(client, method)(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("who", ["neighbour", "outsider", "other_province"])
def test_outsiders_get_404_on_upload_and_confirm(client, officers, who):
    client.force_login(officers[who])
    assert client.get(IMPORT).status_code == 404
    assert upload(client, workbook([("กลุ่มใหม่", FOOD, GROUP, 1, 0)])).status_code == 404
    assert client.post(CONFIRM).status_code == 404
    assert not MonthlySale.objects.exists()


@pytest.mark.parametrize("who", ["province", "department"])
def test_the_province_and_department_get_403_on_upload_and_confirm(client, officers, who):
    client.force_login(officers[who])
    assert client.get(IMPORT).status_code == 403
    assert upload(client, workbook([("กลุ่มใหม่", FOOD, GROUP, 1, 0)])).status_code == 403
    assert client.post(CONFIRM).status_code == 403
    assert not MonthlySale.objects.exists()


def test_confirm_by_get_is_405(client, owner):
    assert client.get(CONFIRM).status_code == 405


def test_the_entry_page_links_to_the_import_for_its_owner_only(client, officers):
    client.force_login(officers["owner"])
    html = client.get(MONTH).content.decode()
    assert 'href="/sales/5701/2570/10/import/"' in html and "นำเข้าจาก Excel" in html
    assert 'href="/sales/5701/2570/10/import/template.xlsx"' in html
    assert "ดาวน์โหลดแบบฟอร์ม Excel" in html
    client.force_login(officers["province"])
    assert "นำเข้าจาก Excel" not in client.get(MONTH).content.decode()


def test_the_upload_page_offers_the_template(client, owner):
    response = client.get(IMPORT)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'type="file"' in html and "ดาวน์โหลดแบบฟอร์ม Excel" in html
    assert "ไม่ถูกลบ" in html


def test_the_close_window_refuses_an_upload(client, officers, monkeypatch):
    monkeypatch.setattr(
        timezone, "now", lambda: datetime.datetime(2026, 11, 7, 10, 0, tzinfo=BANGKOK)
    )
    client.force_login(officers["owner"])
    response = upload(client, workbook([("กลุ่มใหม่", FOOD, GROUP, 1, 0)]))
    assert response.status_code in (403, 423)
    assert not MonthlySale.objects.exists()


# --- a good file ------------------------------------------------------------------------


def test_a_good_file_previews_then_confirms_with_exact_amounts(client, owner):
    content = workbook(
        [
            ("กลุ่มอาหารรสเลิศ", FOOD, GROUP, 1234.5, 0),
            ("ร้านผ้าไหมแม่บุญ", TEXTILE, SINGLE, "1,000.25", 0.1),
            ("บริษัทสมุนไพร", HERB, SME, 7, None),
        ]
    )
    response = upload(client, content)
    html = response.content.decode()
    preview = response.context["preview"]
    assert preview.ok and preview.counts == {"new": 3, "update": 0, "same": 0, "error": 0}
    assert 'id="confirm"' in html
    assert "1,234.50" in line_html(html, HEADER_ROW + 1)
    assert not MonthlySale.objects.exists()  # the preview writes nothing

    response = client.post(CONFIRM, follow=True)
    assert response.redirect_chain[-1][0] == MONTH
    html = response.content.decode()
    assert "บันทึกข้อมูลสมบูรณ์" in html and "เพิ่มใหม่ 3 รายการ" in html
    amounts = {
        s.producer.name: (s.domestic, s.export, s.total, s.product_type, s.producer.producer_type)
        for s in MonthlySale.objects.select_related("producer")
    }
    assert amounts == {
        "กลุ่มอาหารรสเลิศ": (Decimal("1234.50"), Decimal("0.00"), Decimal("1234.50"), "food", "group"),
        "ร้านผ้าไหมแม่บุญ": (
            Decimal("1000.25"),
            Decimal("0.10"),
            Decimal("1000.35"),
            "textile",
            "single",
        ),
        "บริษัทสมุนไพร": (Decimal("7.00"), Decimal("0.00"), Decimal("7.00"), "herb", "sme"),
    }
    assert DistrictMonth.objects.get(district_id="5701", fiscal_year=2570, month=10).revision == 1
    assert session_key(owner.officer.district, FiscalMonth(2570, 10)) not in client.session


def test_type_labels_match_ignoring_spaces(client, owner):
    response = upload(client, workbook([(" กลุ่ม  ใหม่ ", "ผ้าเครื่องแต่งกาย", " smes ", 1, 0)]))
    assert response.context["preview"].ok
    client.post(CONFIRM)
    sale = MonthlySale.objects.select_related("producer").get()
    assert (sale.producer.name, sale.product_type, sale.producer.producer_type) == (
        "กลุ่ม ใหม่",
        "textile",
        "sme",
    )


def test_the_file_merges_into_the_month_and_never_loses_saved_rows(client, owner, geography):
    district = geography["mueang_cr"]
    confirmed = NOW - datetime.timedelta(days=1)
    changed = saved(district, "กลุ่มอาหารรสเลิศ", domestic=Decimal("100.00"))
    same = saved(
        district,
        "กลุ่มขนม",
        domestic=Decimal("50.00"),
        district_confirmed_at=confirmed,
        district_confirmed_by=owner,
    )
    absent = saved(district, "กลุ่มอาหารรสเลิศ", "herb", domestic=Decimal("300.00"))
    content = workbook(
        [
            ("กลุ่มอาหารรสเลิศ", FOOD, GROUP, 250, 10),
            ("กลุ่มขนม", FOOD, GROUP, 50, 0),
            ("กลุ่มใหม่", TEXTILE, SME, 1, 0),
        ]
    )
    response = upload(client, content)
    html = response.content.decode()
    preview = response.context["preview"]
    assert preview.counts == {"new": 1, "update": 1, "same": 1, "error": 0}
    assert [row.pk for row in preview.kept] == [absent.pk]
    assert "จะคงไว้ตามเดิม ไม่ถูกลบ" in html
    assert "เดิม 100.00" in line_html(html, HEADER_ROW + 1)

    client.post(CONFIRM)
    changed.refresh_from_db()
    same.refresh_from_db()
    absent.refresh_from_db()
    assert (changed.domestic, changed.export, changed.version) == (Decimal("250.00"), 10, 2)
    assert (same.version, same.district_confirmed_at) == (1, confirmed)
    assert (absent.domestic, absent.version) == (Decimal("300.00"), 1)
    assert MonthlySale.objects.count() == 4
    assert Producer.objects.filter(name="กลุ่มอาหารรสเลิศ").count() == 1


# --- bad files --------------------------------------------------------------------------


def test_a_non_xlsx_file_is_refused_by_its_name(client, owner):
    for name, content in [
        ("rt1.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100),
        ("rt1.csv", "ที่,ชื่อกลุ่ม\n1,กลุ่มใหม่\n".encode()),
        ("rt1.xlsx.txt", workbook([("กลุ่มใหม่", FOOD, GROUP, 1, 0)])),
    ]:
        response = upload(client, content, name=name)
        assert "รับเฉพาะไฟล์ Excel นามสกุล .xlsx" in response.content.decode(), name
        assert response.context["preview"] is None


@pytest.mark.parametrize(
    "content",
    [b"just some text, not a spreadsheet\n", b"PK\x03\x04 not really a zip", b"\xd0\xcf\x11\xe0"],
)
def test_a_file_openpyxl_cannot_open_is_refused(client, owner, content):
    response = upload(client, content, name="renamed.xlsx")
    assert "เปิดไฟล์นี้ไม่ได้" in response.content.decode()
    assert not MonthlySale.objects.exists()


def test_a_file_over_5_mb_is_refused(client, owner):
    response = upload(client, b"x" * (5 * 1024 * 1024 + 1))
    assert "เกินกว่าที่รับได้ (ไม่เกิน 5 MB)" in response.content.decode()


def test_the_size_limit_is_a_setting(client, owner, settings):
    settings.OTOP_IMPORT_MAX_BYTES = 1024
    response = upload(client, workbook([("กลุ่มใหม่", FOOD, GROUP, 1, 0)]))
    assert "เกินกว่าที่รับได้ (ไม่เกิน 1 KB)" in response.content.decode()


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        (
            HEADERS[:2] + ("ประเภทสินค้า",) + HEADERS[3:],
            "คอลัมน์ C ต้องเป็น “ประเภทผลิตภัณฑ์” แต่ในไฟล์เป็น “ประเภทสินค้า”",
        ),
        (HEADERS[:5], "ไม่พบคอลัมน์ “ต่างประเทศ (บาท)” (ต้องอยู่ที่คอลัมน์ F)"),
        (
            HEADERS[:4] + (HEADERS[5], HEADERS[4], HEADERS[6]),
            "คอลัมน์ “ในประเทศ (บาท)” ต้องอยู่ที่คอลัมน์ E แต่ในไฟล์อยู่ที่คอลัมน์ F",
        ),
        (("ลำดับ", "ชื่อ", "ยอดขาย"), "ไม่พบแถวหัวตาราง"),
    ],
)
def test_wrong_headers_say_which_column(client, owner, headers, message):
    response = upload(client, workbook([("กลุ่มใหม่", FOOD, GROUP, 1, 0)], headers=headers))
    assert message in response.content.decode()
    assert response.context["preview"] is None


def test_headers_may_differ_in_spaces_and_sit_lower(client, owner):
    headers = tuple(text.replace(" ", "  ") for text in HEADERS)
    response = upload(client, workbook([("กลุ่มใหม่", FOOD, GROUP, 1, 0)], headers, header_row=9))
    assert response.context["preview"].ok


def test_a_file_without_rows_is_refused(client, owner):
    response = upload(client, workbook([(None, None, None, None, None)]))
    assert "ไม่พบข้อมูลใต้แถวหัวตาราง (แถวที่ 5)" in response.content.decode()


def test_a_file_of_more_than_2000_rows_is_refused(client, owner):
    rows = [(f"กลุ่ม {i}", FOOD, GROUP, 1, 0) for i in range(2001)]
    response = upload(client, workbook(rows))
    assert "ไฟล์มีข้อมูลเกิน 2,000 แถว" in response.content.decode()
    assert response.context["preview"] is None


# --- bad rows ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (("กลุ่มใหม่", FOOD, GROUP, -5, 0), "จำนวนเงินต้องไม่ติดลบ"),
        (("กลุ่มใหม่", FOOD, GROUP, "ห้าพัน", 0), "กรุณากรอกเป็นตัวเลข"),
        (("กลุ่มใหม่", FOOD, GROUP, 0, 10.555), "ทศนิยมได้ไม่เกิน 2 ตำแหน่ง"),
        (("กลุ่มใหม่", FOOD, GROUP, 1000000000000, 0), "ต้องไม่เกิน 999,999,999,999.99 บาท"),
        (("   ", FOOD, GROUP, 1, 0), "กรุณากรอกชื่อกลุ่ม / ผู้ผลิต"),
        (("กลุ่มใหม่", "เครื่องประดับ", GROUP, 1, 0), "ประเภทผลิตภัณฑ์ไม่ถูกต้อง"),
        (("กลุ่มใหม่", FOOD, "สหกรณ์", 1, 0), "ประเภทกลุ่มไม่ถูกต้อง"),
        (("กลุ่มใหม่", FOOD, GROUP, None, None), "ใส่ 0 หากเดือนนี้ไม่มียอด"),
        (("กลุ่มเดิม", FOOD, GROUP, 1, 0), "(แถวที่ 6 ในไฟล์)"),
    ],
)
def test_a_bad_row_is_shown_by_its_line_and_nothing_is_written(client, owner, row, message):
    content = workbook([("กลุ่มเดิม", FOOD, GROUP, 1, 0), ("กลุ่มดี", HERB, SME, 2, 0), row])
    response = upload(client, content)
    html = response.content.decode()
    preview = response.context["preview"]
    assert not preview.ok and preview.counts["error"] == 1
    assert message in line_html(html, HEADER_ROW + 3)
    assert 'data-status="error"' not in line_html(html, HEADER_ROW + 2)
    assert 'id="confirm"' not in html and "ยังนำเข้าไม่ได้" in html

    response = client.post(CONFIRM, follow=True)
    assert "กรุณาอัปโหลดไฟล์อีกครั้ง" in response.content.decode()
    assert not MonthlySale.objects.exists() and not DistrictMonth.objects.exists()


def test_a_province_confirmed_row_cannot_be_changed_by_a_file(client, owner, geography):
    locked = saved(
        geography["mueang_cr"],
        "กลุ่มอาหารรสเลิศ",
        district_confirmed_at=NOW,
        province_confirmed_at=NOW,
    )
    content = workbook([("กลุ่มอาหารรสเลิศ", FOOD, GROUP, 999, 0), ("กลุ่มใหม่", HERB, SME, 1, 0)])
    response = upload(client, content)
    html = response.content.decode()
    assert PROVINCE_LOCKED in line_html(html, HEADER_ROW + 1)
    assert 'id="confirm"' not in html
    client.post(CONFIRM)
    locked.refresh_from_db()
    assert locked.domestic == Decimal("100.00") and MonthlySale.objects.count() == 1


def test_a_province_confirmed_row_repeated_unchanged_is_fine(client, owner, geography):
    saved(
        geography["mueang_cr"],
        "กลุ่มอาหารรสเลิศ",
        district_confirmed_at=NOW,
        province_confirmed_at=NOW,
    )
    response = upload(client, workbook([("กลุ่มอาหารรสเลิศ", FOOD, GROUP, 100, 0)]))
    assert response.context["preview"].counts["same"] == 1


def test_several_kinds_of_error_show_in_one_preview(client, owner):
    """A bad amount hides the formset's checks across rows; the preview still shows both."""
    content = workbook(
        [
            ("กลุ่มเดิม", FOOD, GROUP, -1, 0),
            ("กลุ่มซ้ำ", FOOD, GROUP, 1, 0),
            ("กลุ่มซ้ำ", FOOD, GROUP, 2, 0),
        ]
    )
    html = upload(client, content).content.decode()
    assert "จำนวนเงินต้องไม่ติดลบ" in line_html(html, HEADER_ROW + 1)
    assert "(แถวที่ 7 ในไฟล์)" in line_html(html, HEADER_ROW + 3)
    assert "2.00" in line_html(html, HEADER_ROW + 3)  # its good amount still reads as one


def test_a_month_that_would_pass_the_row_limit_is_refused_whole(
    client, owner, geography, monkeypatch
):
    monkeypatch.setattr(importing, "MAX_ROWS", 3)
    saved(geography["mueang_cr"], "กลุ่มเดิม")
    saved(geography["mueang_cr"], "กลุ่มเดิมอีก")
    content = workbook(
        [
            ("กลุ่มเดิม", FOOD, GROUP, 5, 0),
            ("กลุ่มใหม่ 1", FOOD, GROUP, 1, 0),
            ("กลุ่มใหม่ 2", FOOD, GROUP, 1, 0),
        ]
    )
    response = upload(client, content)
    html = response.content.decode()
    assert "เดือนนี้จะมี 4 รายการ เกินจำนวนสูงสุด 3 รายการ" in html
    assert 'id="confirm"' not in html
    client.post(CONFIRM)
    assert MonthlySale.objects.count() == 2


# --- confirming -------------------------------------------------------------------------


def test_a_save_after_the_preview_makes_the_confirm_stale_and_writes_nothing(
    client, owner, officers
):
    upload(client, workbook([("กลุ่มจากไฟล์", FOOD, GROUP, 1, 0)]))
    district, fiscal_month = owner.officer.district, FiscalMonth(2570, 10)
    row = {
        "id": None,
        "version": None,
        "name": "กลุ่มของเพื่อน",
        "product_type": "food",
        "producer_type": "group",
        "domestic": Decimal("5.00"),
        "export": Decimal("0.00"),
    }
    save_month(district, fiscal_month, officers["colleague"], 0, [row], [])
    response = client.post(CONFIRM, follow=True)
    assert "กรุณาอัปโหลดไฟล์อีกครั้ง" in response.content.decode()
    assert response.redirect_chain[-1][0] == IMPORT
    assert list(MonthlySale.objects.values_list("producer__name", flat=True)) == ["กลุ่มของเพื่อน"]


def test_a_row_confirmed_by_the_province_after_the_preview_writes_nothing(client, owner, geography):
    sale = saved(geography["mueang_cr"], "กลุ่มอาหารรสเลิศ")
    upload(client, workbook([("กลุ่มอาหารรสเลิศ", FOOD, GROUP, 5, 0), ("กลุ่มใหม่", FOOD, SME, 1, 0)]))
    MonthlySale.objects.filter(pk=sale.pk).update(
        district_confirmed_at=NOW, province_confirmed_at=NOW
    )
    response = client.post(CONFIRM)
    html = response.content.decode()
    assert "ระบบจึงยังไม่บันทึกข้อมูลใด ๆ" in html and PROVINCE_LOCKED in html
    sale.refresh_from_db()
    assert sale.domestic == Decimal("100.00") and MonthlySale.objects.count() == 1


def test_confirm_without_an_upload_asks_for_the_file(client, owner):
    response = client.post(CONFIRM, follow=True)
    assert response.redirect_chain[-1][0] == IMPORT
    assert "กรุณาอัปโหลดไฟล์อีกครั้ง" in response.content.decode()


# --- cost -------------------------------------------------------------------------------


@pytest.mark.parametrize("step", ["preview", "confirm"])
def test_preview_and_confirm_cost_the_same_queries_at_10_and_300_rows(
    client, owner, geography, django_assert_num_queries, step
):
    district = geography["mueang_cr"]

    def prepare(count):
        MonthlySale.objects.all().delete()
        DistrictMonth.objects.all().delete()
        Producer.objects.all().delete()
        producers = Producer.objects.bulk_create(
            Producer(name=f"กลุ่มที่ {i:03d}", district=district, producer_type="group")
            for i in range(count)
        )
        MonthlySale.objects.bulk_create(
            MonthlySale(
                producer=p, district=district, product_type="food", fiscal_year=2570, month=10
            )
            for p in producers
        )
        rows = [(f"กลุ่มที่ {i:03d}", FOOD, GROUP, 123.45, 0) for i in range(count)]
        return workbook([*rows, (f"กลุ่มเพิ่ม {count}", HERB, SME, 1, 0)])

    def send(content):
        if step == "preview":
            assert upload(client, content).context["preview"].ok
        else:
            assert client.post(CONFIRM).status_code == 302

    small = prepare(10)
    if step == "confirm":
        upload(client, small)  # not counted: the confirm's cost is measured alone
    with CaptureQueriesContext(connection) as at_10:
        send(small)
    expected = len(at_10)  # now: every request clears the connection's query log
    large = prepare(300)
    if step == "confirm":
        upload(client, large)
    with django_assert_num_queries(expected):
        send(large)
    if step == "confirm":
        assert MonthlySale.objects.filter(domestic=Decimal("123.45")).count() == 300
