"""The bugs the property tests of bad input found (tests/test_fuzz_inputs.py), one test each.

1. A control character in a producer's name was saved, and every Excel file of the district
   then failed with a 500 (openpyxl refuses such characters). The same held for an export
   line's product and agency, an estimate's certifier, a send-back reason and a calendar
   exception's reason. They are refused by the field, in Thai, NUL included.
2. A new row left blank on the entry page made the save fail with a 500.
3. One row id posted twice on the entry page saved one row with the other form's values
   dropped and a stray producer created; it is refused as a forged page.
4. An .xlsx whose sheet is broken (cut short, or XML that is not well-formed) opened, then
   failed with a 500 while its rows were read; it is refused as unreadable.
"""

import io
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from confirmations.models import AuditEntry
from sales.fields import CONTROL_MESSAGE
from sales.importing import HEADERS, UNREADABLE, XLSX_TYPE, session_key
from sales.models import Estimate, ExportDetail, MonthlySale, Producer
from tests.fuzz_support import MONTH, NOW, base_month, client_of

ENTRY = "/sales/5701/2570/11/"


@pytest.fixture(autouse=True)
def open_day(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)


def entry_post(*rows, revision=0):
    data = {
        "rows-TOTAL_FORMS": str(len(rows)),
        "rows-INITIAL_FORMS": "0",
        "month-revision": str(revision),
    }
    for i, row in enumerate(rows):
        values = {"id": "", "version": "", "product_type": "food", "producer_type": "group"}
        values |= {"domestic": "1,000.50", "export": "0", **row}
        data |= {f"rows-{i}-{key}": value for key, value in values.items()}
    return data


@pytest.mark.parametrize("name", ["กลุ่ม\x01อาหาร", "กลุ่ม\x00อาหาร", "\x1b[31mกลุ่ม", "กลุ่ม\x85อาหาร"])
def test_it_refuses_a_name_with_a_control_character_by_the_field(officers, name):
    client = client_of(officers["owner"])
    response = client.post(ENTRY, entry_post({"name": name}))
    assert response.status_code == 200
    assert CONTROL_MESSAGE in response.content.decode()
    assert not MonthlySale.objects.exists() and not Producer.objects.exists()


def test_it_still_folds_tabs_and_line_breaks_in_a_name_into_spaces(officers):
    client = client_of(officers["owner"])
    response = client.post(ENTRY, entry_post({"name": " กลุ่ม\tอาหาร\r\nรสเลิศ "}))
    assert response.status_code == 302
    assert Producer.objects.get().name == "กลุ่ม อาหาร รสเลิศ"


def test_the_districts_excel_files_open_after_any_accepted_name(officers):
    client = client_of(officers["owner"])
    client.post(ENTRY, entry_post({"name": "กลุ่ม\x01อาหาร"}, {"name": "กลุ่ม ๒"}))
    assert client.post(ENTRY, entry_post({"name": "กลุ่ม ๒"})).status_code == 302
    assert client.get(ENTRY + "import/template.xlsx").status_code == 200
    assert client.get("/reports/rt1/5701/2570/11/?format=xlsx").status_code == 200


def test_it_skips_a_new_row_left_blank_and_saves_the_rest(officers):
    client = client_of(officers["owner"])
    blank = dict.fromkeys(("name", "product_type", "producer_type", "domestic", "export"), "")
    response = client.post(ENTRY, entry_post({"name": "กลุ่มหนึ่ง"}, blank))
    assert response.status_code == 302
    sale = MonthlySale.objects.get()
    assert (sale.producer.name, sale.domestic) == ("กลุ่มหนึ่ง", Decimal("1000.50"))


@pytest.mark.parametrize("second", [{"name": "กลุ่มอื่น"}, {"name": "กลุ่มหนึ่ง", "DELETE": "on"}])
def test_it_refuses_one_row_id_posted_twice(officers, geography, second):
    base = base_month(geography, officers)
    sale = MonthlySale.objects.get(pk=base["ids"][0])
    before = list(MonthlySale.objects.values_list("pk", "producer_id", "domestic", "version"))
    producers, audit = Producer.objects.count(), AuditEntry.objects.count()
    client = client_of(officers["owner"])
    first = {"id": sale.pk, "version": sale.version, "name": "กลุ่มหนึ่ง", "domestic": "7"}
    response = client.post(
        ENTRY, entry_post(first, {**first, **second}, revision=_revision(geography))
    )
    assert response.status_code == 200
    assert "ระบบจึงไม่บันทึกข้อมูลใด ๆ" in response.content.decode()
    assert list(MonthlySale.objects.values_list("pk", "producer_id", "domestic", "version")) == (
        before
    )
    assert (Producer.objects.count(), AuditEntry.objects.count()) == (producers, audit)


def _revision(geography):
    from sales.services import month_revision

    return month_revision(geography["mueang_cr"], MONTH)


def test_it_refuses_control_characters_in_an_export_line(officers, geography):
    producer = Producer.objects.create(
        name="ผู้ส่งออก", district=geography["mueang_cr"], producer_type="sme"
    )
    client = client_of(officers["province"])
    line = {"id": "", "stamp": "", "producer": producer.pk, "value": "100", "country": "JP"}
    line |= {"product": "ผ้าทอ", "agency": "พช.", "channel": "own"}
    for field in ("product", "agency"):
        data = {"lines-TOTAL_FORMS": "1", "lines-INITIAL_FORMS": "0"}
        data |= {f"lines-0-{k}": v for k, v in {**line, field: "ผ้า\x07ทอ"}.items()}
        response = client.post("/sales/exports/57/2570/11/", data)
        assert response.status_code == 200
        assert CONTROL_MESSAGE in response.content.decode()
    assert not ExportDetail.objects.exists()


@pytest.mark.parametrize("field", ["certifier_name", "certifier_position"])
def test_it_refuses_control_characters_in_the_estimates_certifier(officers, field):
    client = client_of(officers["owner"])
    response = client.post("/sales/5701/2570/estimate/", {field: "นาย\x02สมชาย"})
    assert response.status_code == 200
    assert CONTROL_MESSAGE in response.content.decode()
    assert not Estimate.objects.exists()


def test_it_refuses_control_characters_in_a_send_back_reason(officers, geography):
    base = base_month(geography, officers)
    versions = dict(MonthlySale.objects.values_list("pk", "version"))
    client = client_of(officers["province"])
    data = {
        "batch": "1",
        "row": [f"{pk}:{versions[pk]}" for pk in base["ids"]],
        "chosen": [str(base["ids"][0])],
        "reason": "ตัวเลข\x0bผิด",
    }
    response = client.post("/confirm/province/5701/2570/11/send-back/", data)
    assert response.status_code == 200
    assert CONTROL_MESSAGE in response.content.decode()
    assert dict(MonthlySale.objects.values_list("pk", "version")) == versions


def rt1_file(sheet_xml=None, cell="กลุ่มหนึ่ง"):
    """Return an RT.1 .xlsx; with `sheet_xml`, its sheet's XML replaced by that text."""
    book = openpyxl.Workbook()
    book.active.append(list(HEADERS))
    book.active.append([1, cell, "อาหาร", "SMEs", 100, 0])
    output = io.BytesIO()
    book.save(output)
    if sheet_xml is None:
        return output.getvalue()
    broken = io.BytesIO()
    with zipfile.ZipFile(output) as source, zipfile.ZipFile(broken, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = sheet_xml(data)
            target.writestr(item, data)
    return broken.getvalue()


@pytest.mark.parametrize(
    "content",
    [
        rt1_file(lambda xml: xml[: len(xml) // 2]),  # cut short
        rt1_file(lambda xml: xml.replace(b"<sheetData>", b"<sheetData><row><c r=")),
        rt1_file(cell="กลุ่ม\uffff"),  # openpyxl writes it; XML 1.0 forbids it
    ],
    ids=["cut-short", "bad-xml", "non-character"],
)
def test_it_refuses_an_xlsx_whose_sheet_is_broken(officers, geography, content):
    client = client_of(officers["owner"])
    upload = SimpleUploadedFile("rt1.xlsx", content, XLSX_TYPE)
    response = client.post(ENTRY + "import/", {"file": upload})
    assert response.status_code == 200
    assert UNREADABLE in response.content.decode()
    assert session_key(geography["mueang_cr"], MONTH) not in client.session
    assert not MonthlySale.objects.exists()


# 5. A control character that got past the forms (the admin, data of the old system) no
#    longer breaks the district's Excel files: the cell drops it (reports.excel.cell_text).


@pytest.fixture
def stray_name(geography):
    """A row of 5701's month whose producer's name holds a control character."""
    producer = Producer.objects.create(
        name="กลุ่ม\x01อาหาร\x1b", district=geography["mueang_cr"], producer_type="group"
    )
    return MonthlySale.objects.create(
        producer=producer,
        district=producer.district,
        product_type="food",
        fiscal_year=MONTH.fiscal_year,
        month=MONTH.month,
        domestic=Decimal("1000.50"),
        export=Decimal("0.00"),
    )


def cells_of(response):
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    return {cell.value for sheet in book for row in sheet.iter_rows() for cell in row}


@pytest.mark.parametrize(
    "url",
    ["/reports/rt1/5701/2570/11/?format=xlsx", "/reports/rt2/5701/2570/11/?format=xlsx"]
    + [ENTRY + "import/template.xlsx"],
)
def test_it_writes_a_stray_control_character_out_of_the_excel_files(officers, stray_name, url):
    cells = cells_of(client_of(officers["owner"]).get(url))

    assert "กลุ่มอาหาร" in cells
    assert stray_name.producer.name not in cells
