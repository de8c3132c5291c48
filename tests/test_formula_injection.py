"""No text becomes a formula: every workbook, for every officer who may download it.

A producer name, product, agency, reason, certifier or source that starts with "=", "+",
"-" or "@" is written as a string cell (reports.excel.put), shown as typed, and the
import template re-uploaded unchanged reads back the same names.
"""

from decimal import Decimal
from io import BytesIO

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import Workbook

from reports.excel import FORMULA_STARTS, put
from sales.importing import HEADER_ROW, XLSX_TYPE
from sales.models import MonthlySale, Producer, ProducerType
from tests.workbook_cases import (
    AGENCY,
    FY,
    HOSTILE,
    LONG_NAME,
    MONTH,
    NOW,
    PRODUCT,
    REASON,
    SOURCE,
    TYPED,
    WORKBOOKS,
    cases,
    make_data,
)


@pytest.fixture(autouse=True)
def october(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)


def cells_of(content):
    """Return (formula cells, text values) of every sheet of a workbook."""
    book = openpyxl.load_workbook(BytesIO(content))
    formulas, texts = [], []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    formulas.append(cell)
                elif isinstance(cell.value, str):
                    assert cell.data_type == "s", (cell.coordinate, cell.value)
                    texts.append(cell.value)
    return formulas, texts


@pytest.mark.parametrize(("name", "url", "who"), cases())
def test_every_workbook_writes_typed_text_as_text_for_every_reader(
    client, geography, officers, name, url, who
):
    make_data(geography, officers)
    client.force_login(officers[who])
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    formulas, texts = cells_of(response.content)

    if name == "template":
        # The template's own total, written on purpose; nothing else.
        assert formulas and all(
            cell.column_letter == "G" and cell.value.startswith("=IF(COUNT(E") for cell in formulas
        )
    else:
        assert formulas == [], [(c.coordinate, c.value) for c in formulas]
    for typed in TYPED.get(name, []):
        if name in ("kpi", "estimate", "estimate-form"):
            # In the footnote of sources; in the signature's "(name)" and "ตำแหน่ง ...".
            assert any(typed in text for text in texts), typed
        else:
            assert typed in texts, typed
    if name == "rt1" and who != "department":  # the department sees confirmed rows only
        assert any(text.endswith(f": {REASON}") for text in texts)


def test_the_template_round_trips_unchanged_with_names_that_look_like_formulas(
    client, geography, officers
):
    """Download the template, upload it as it is: the same names, nothing refused."""
    district = geography["mueang_cr"]
    for name in [*HOSTILE, LONG_NAME]:
        producer = Producer.objects.create(
            name=name, district=district, producer_type=ProducerType.COMMUNITY_GROUP
        )
        MonthlySale.objects.create(
            producer=producer,
            district=district,
            product_type="food",
            fiscal_year=FY,
            month=MONTH,
            domestic=Decimal("1234567.89"),
            export=Decimal("0.00"),
        )
    client.force_login(officers["owner"])
    url, _ = WORKBOOKS["template"]
    content = client.get(url).content
    response = client.post(
        url.removesuffix("template.xlsx"),
        {"file": SimpleUploadedFile("rt1.xlsx", content, XLSX_TYPE)},
    )
    preview = response.context["preview"]
    assert preview.ok, [line.errors for line in preview.lines]
    assert sorted(line.text["name"] for line in preview.lines) == sorted([*HOSTILE, LONG_NAME])
    assert {line.status for line in preview.lines} == {"same"}
    sheet = openpyxl.load_workbook(BytesIO(content)).active
    assert sheet.cell(row=HEADER_ROW + 1, column=2).data_type == "s"


@pytest.mark.parametrize(
    "text", [*HOSTILE, AGENCY, PRODUCT, REASON, SOURCE, "\t=1+1", "\r=1+1", "-", "=", "@"]
)
def test_put_writes_any_text_as_a_string_cell(text):
    """The one place that writes cells: a string cell, quote-prefixed if it looks like a formula."""
    book = Workbook()
    cell = put(book.active["A1"], text)
    buffer = BytesIO()
    book.save(buffer)
    back = openpyxl.load_workbook(BytesIO(buffer.getvalue()))["Sheet"]["A1"]
    assert back.data_type == "s"
    # XML reads a carriage return back as a line feed; every other text is kept as typed.
    assert back.value in (text, text.replace("\r", "\n"))
    assert cell.quotePrefix == text.startswith(FORMULA_STARTS)


def test_put_keeps_numbers_as_numbers():
    book = Workbook()
    assert put(book.active["A1"], Decimal("1.50")).data_type == "n"
    assert put(book.active["A2"], None).value is None
